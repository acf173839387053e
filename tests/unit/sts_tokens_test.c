/*
 * sts_tokens_test.c — AssumeRole, GetSessionToken, GetFederationToken and the credentials
 * they issue, through dispatch_aws() with SigV4-signed requests (authz_lab.h): trust policies,
 * durations, expiry in virtual time, session policies, GetCallerIdentity of each kind.
 */
#include <stdlib.h>
#include <string.h>

#include "authz_lab.h"
#include "harness.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/sts/sts.h"
#include "svc_fixture.h"

#define POWER "arn:aws:iam::aws:policy/PowerUserAccess"
#define ROLE_OPS "arn:aws:iam::123456789012:role/ops"
#define TRUST(principal)                                                                           \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" principal    \
    ",\"Action\":\"sts:AssumeRole\"}]}"
#define TRUST_ACCOUNT TRUST("{\"AWS\":\"arn:aws:iam::123456789012:root\"}")

/* AssumeRole as k; extra is more form parameters ("" or "&DurationSeconds=7200"). */
static void assume(struct fx *f, const struct lab_key *k, const char *role_arn, const char *session,
                   const char *extra, struct lab_reply *r)
{
    char *arn = lab_urlenc(role_arn);
    char *form = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&form, &n);
    fprintf(m, "Action=AssumeRole&RoleArn=%s&RoleSessionName=%s%s", arn, session, extra);
    fclose(m);
    lab_query(f, k, "sts", form, r);
    free(arn);
    free(form);
}

static char *xml(const struct lab_reply *r, const char *tag)
{
    return lab_xml(r->body, tag);
}

static void check_xml(const struct lab_reply *r, const char *tag, const char *want)
{
    char *got = xml(r, tag);
    CHECK_EQ_STR(got, want);
    free(got);
}

TEST(sts_assume_role_trusting_the_account_needs_identity_permission)
{
    struct fx f;
    struct lab_key cfn, nobody, sess;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &cfn);
    lab_attach(&f, "user", "cfn", POWER);
    lab_user(&f, "nobody", "AIDANOBODY00000000001", &nobody);
    lab_role(&f, "ops", "AROAOPSROLE000000001", TRUST_ACCOUNT, 3600);
    lab_attach(&f, "role", "ops", POWER);

    assume(&f, &cfn, ROLE_OPS, "deploy-1", "", &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_CONTAINS(r.body,
                   "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">");
    check_xml(&r, "Arn", "arn:aws:sts::123456789012:assumed-role/ops/deploy-1");
    check_xml(&r, "AssumedRoleId", "AROAOPSROLE000000001:deploy-1");
    char *exp = xml(&r, "Expiration");
    CHECK(exp && str_startswith(exp, "2026-11-28T13:00:00"));
    free(exp);
    CHECK(strstr(r.body, "PackedPolicySize") == NULL);
    CHECK_EQ_INT(lab_key_from_xml(r.body, &sess), 0);
    CHECK(str_startswith(sess.id, "ASIA"));
    CHECK_EQ_INT(strlen(sess.id), 20);
    CHECK_EQ_INT(strlen(sess.secret), 40);
    CHECK(strlen(sess.token) > 300);
    lab_reply_free(&r);

    /* the new credentials are the role session */
    lab_query(&f, &sess, "sts", "Action=GetCallerIdentity", &r);
    CHECK_EQ_INT(r.status, 200);
    check_xml(&r, "Arn", "arn:aws:sts::123456789012:assumed-role/ops/deploy-1");
    check_xml(&r, "UserId", "AROAOPSROLE000000001:deploy-1");
    check_xml(&r, "Account", "123456789012");
    lab_reply_free(&r);
    lab_cw_json(&f, &sess, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);

    /* a trust policy naming the account delegates to IAM: no identity policy, no session */
    assume(&f, &nobody, ROLE_OPS, "s-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Code", "AccessDenied");
    check_xml(&r, "Message",
              "User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: "
              "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ops because no "
              "identity-based policy allows the sts:AssumeRole action");
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(sts_assume_role_trust_naming_the_caller_needs_no_identity_policy)
{
    struct fx f;
    struct lab_key alice, bob;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_user(&f, "alice", "AIDAALICE000000000001", &alice);
    lab_user(&f, "bob", "AIDABOB00000000000001", &bob);
    lab_role(&f, "ops", "AROAOPSROLE000000001",
             TRUST("{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"}"), 3600);
    assume(&f, &alice, ROLE_OPS, "a-sess", "", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    /* bob is not named: the trust policy refuses, in the words without a reason */
    assume(&f, &bob, ROLE_OPS, "b-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Message",
              "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
              "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ops");
    lab_reply_free(&r);
    /* an explicit Deny of the caller's own beats the trust policy */
    lab_inline(&f, "user", "alice", "nosts",
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":"
               "\"sts:*\",\"Resource\":\"*\"}]}");
    assume(&f, &alice, ROLE_OPS, "a-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_CONTAINS(r.body, "with an explicit deny in an identity-based policy");
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(sts_assume_role_refusals)
{
    struct fx f;
    struct lab_key cfn, root;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_root_key(&f, &root);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &cfn);
    lab_attach(&f, "user", "cfn", POWER);
    lab_role(&f, "ops", "AROAOPSROLE000000001", TRUST_ACCOUNT, 3600);
    lab_role(&f, "ec2role", "AROAEC2ROLE000000001", TRUST("{\"Service\":\"ec2.amazonaws.com\"}"),
             3600);

    assume(&f, &cfn, "arn:aws:iam::123456789012:role/missing", "s-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Message",
              "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
              "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/missing");
    lab_reply_free(&r);
    assume(&f, &cfn, "arn:aws:iam::123456789012:role/ec2role", "s-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_CONTAINS(r.body, "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ec2role"
                           "</Message>");
    lab_reply_free(&r);
    assume(&f, &cfn, "arn:aws:iam::210987654321:role/ops", "s-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    lab_reply_free(&r);
    assume(&f, &cfn, "nothing-valid-in-here", "s-sess", "", &r);
    CHECK_EQ_INT(r.status, 400);
    check_xml(&r, "Code", "ValidationError");
    check_xml(&r, "Message", "nothing-valid-in-here is invalid");
    lab_reply_free(&r);
    assume(&f, &root, ROLE_OPS, "s-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Message", "Roles may not be assumed by root accounts.");
    lab_reply_free(&r);
    /* the session name pattern, in the model's words */
    assume(&f, &cfn, ROLE_OPS, "Session1%3A2", "", &r);
    CHECK_EQ_INT(r.status, 400);
    check_xml(&r, "Message",
              "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to "
              "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(sts_assume_role_durations_and_chaining)
{
    struct fx f;
    struct lab_key cfn, s1;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &cfn);
    lab_attach(&f, "user", "cfn", POWER);
    lab_role(&f, "ops", "AROAOPSROLE000000001", TRUST_ACCOUNT, 3600);
    lab_role(&f, "long", "AROALONGROLE00000001", TRUST_ACCOUNT, 43200);
    lab_attach(&f, "role", "long", POWER);

    assume(&f, &cfn, ROLE_OPS, "s-sess", "&DurationSeconds=7200", &r);
    CHECK_EQ_INT(r.status, 400);
    check_xml(&r, "Code", "ValidationError");
    check_xml(&r, "Message",
              "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    lab_reply_free(&r);
    assume(&f, &cfn, ROLE_OPS, "s-sess", "&DurationSeconds=899", &r);
    CHECK_EQ_INT(r.status, 400);
    char *vmsg = xml(&r, "Message");
    CHECK_CONTAINS(vmsg, "at 'durationSeconds' failed to satisfy constraint: Member must have "
                         "value greater than or equal to 900");
    free(vmsg);
    lab_reply_free(&r);
    assume(&f, &cfn, "arn:aws:iam::123456789012:role/long", "s-sess", "&DurationSeconds=7200", &r);
    CHECK_EQ_INT(r.status, 200);
    char *exp = xml(&r, "Expiration");
    CHECK(exp && str_startswith(exp, "2026-11-28T14:00:00"));
    free(exp);
    CHECK_EQ_INT(lab_key_from_xml(r.body, &s1), 0);
    lab_reply_free(&r);
    /* role chaining: at most one hour */
    assume(&f, &s1, ROLE_OPS, "chained", "&DurationSeconds=7200", &r);
    CHECK_EQ_INT(r.status, 400);
    check_xml(&r, "Message",
              "The requested DurationSeconds exceeds the 1 hour session limit for "
              "roles assumed by role chaining.");
    lab_reply_free(&r);
    assume(&f, &s1, ROLE_OPS, "chained", "", &r);
    CHECK_EQ_INT(r.status, 200);
    check_xml(&r, "Arn", "arn:aws:sts::123456789012:assumed-role/ops/chained");
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(sts_credentials_expire_in_virtual_time_and_die_with_their_key)
{
    struct fx f;
    struct lab_key cfn, s;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &cfn);
    lab_attach(&f, "user", "cfn", POWER);
    lab_role(&f, "ops", "AROAOPSROLE000000001", TRUST_ACCOUNT, 3600);
    lab_attach(&f, "role", "ops", POWER);
    assume(&f, &cfn, ROLE_OPS, "s-sess", "", &r);
    CHECK_EQ_INT(lab_key_from_xml(r.body, &s), 0);
    lab_reply_free(&r);

    fx_set_time(&f, FX_T0 + 3599 * 1000LL);
    lab_query(&f, &s, "sts", "Action=GetCallerIdentity", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    fx_set_time(&f, FX_T0 + 2 * 3600 * 1000LL);
    lab_query(&f, &s, "sts", "Action=GetCallerIdentity", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Code", "ExpiredToken");
    check_xml(&r, "Message", "The security token included in the request is expired");
    lab_reply_free(&r);
    lab_cw_json(&f, &s, "ListMetrics", "{}", &r);
    CHECK_EQ_STR(r.query_error, "ExpiredToken;Sender");
    lab_reply_free(&r);

    /* a fresh session whose key row is deleted, or whose token is wrong: unknown */
    fx_set_time(&f, FX_T0);
    assume(&f, &cfn, ROLE_OPS, "s2", "", &r);
    CHECK_EQ_INT(lab_key_from_xml(r.body, &s), 0);
    lab_reply_free(&r);
    struct lab_key bad = s;
    bad.token[10] = bad.token[10] == 'A' ? 'B' : 'A';
    lab_query(&f, &bad, "sts", "Action=GetCallerIdentity", &r);
    check_xml(&r, "Code", "InvalidClientTokenId");
    lab_reply_free(&r);
    char sql[200];
    snprintf(sql, sizeof(sql), "DELETE FROM access_keys WHERE access_key_id = '%s'", s.id);
    sqlite3_exec(store_db(f.st), sql, NULL, NULL, NULL);
    lab_query(&f, &s, "sts", "Action=GetCallerIdentity", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Code", "InvalidClientTokenId");
    check_xml(&r, "Message", "The security token included in the request is invalid.");
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(sts_assume_role_session_policies)
{
    struct fx f;
    struct lab_key cfn, s;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &cfn);
    lab_attach(&f, "user", "cfn", POWER);
    lab_role(&f, "ops", "AROAOPSROLE000000001",
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"AWS\":\"123456789012\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}]}",
             3600);
    lab_attach(&f, "role", "ops", POWER);
    lab_role(&f, "notags", "AROANOTAGS0000000001", TRUST_ACCOUNT, 3600);

    /* session tags need sts:TagSession in the trust policy */
    assume(&f, &cfn, "arn:aws:iam::123456789012:role/notags", "tagged",
           "&Tags.member.1.Key=team&Tags.member.1.Value=ops", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Message",
              "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
              "sts:TagSession on resource: arn:aws:iam::123456789012:role/notags");
    lab_reply_free(&r);
    char *pol = lab_urlenc("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                           "\"Action\":\"cloudwatch:ListMetrics\",\"Resource\":\"*\"}]}");
    char *extra = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&extra, &n);
    fprintf(m, "&Policy=%s&Tags.member.1.Key=team&Tags.member.1.Value=ops", pol);
    fclose(m);
    assume(&f, &cfn, ROLE_OPS, "scoped", extra, &r);
    CHECK_EQ_INT(r.status, 200);
    char *pps = xml(&r, "PackedPolicySize");
    CHECK(pps && atoi(pps) > 0 && atoi(pps) <= 100);
    free(pps);
    CHECK_EQ_INT(lab_key_from_xml(r.body, &s), 0);
    lab_reply_free(&r);
    lab_cw_json(&f, &s, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    lab_cw_json(&f, &s, "PutMetricData",
                "{\"Namespace\":\"App\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1}]}", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_CONTAINS(r.body, "User: arn:aws:sts::123456789012:assumed-role/ops/scoped is not "
                           "authorized to perform: cloudwatch:PutMetricData because no session "
                           "policy allows the cloudwatch:PutMetricData action");
    lab_reply_free(&r);
    free(extra);
    free(pol);

    /* managed session policy by ARN */
    assume(&f, &cfn, ROLE_OPS, "ro",
           "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FCloudWatchReadOnlyAccess",
           &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_CONTAINS(r.body, "<PackedPolicySize>");
    lab_reply_free(&r);

    /* malformed and oversized session policies */
    assume(&f, &cfn, ROLE_OPS, "bad", "&Policy=%7Bnot-json", &r);
    CHECK_EQ_INT(r.status, 400);
    check_xml(&r, "Code", "MalformedPolicyDocument");
    lab_reply_free(&r);
    struct buf big = BUF_INIT;
    buf_puts(&big, "&Policy=");
    char *stmt = lab_urlenc("{\"Effect\":\"Allow\",\"Action\":\"cloudwatch:ListMetrics\","
                            "\"Resource\":\"*\"}");
    char *head = lab_urlenc("{\"Version\":\"2012-10-17\",\"Statement\":[");
    buf_puts(&big, head);
    for (int i = 0; i < 60; i++) {
        if (i)
            buf_puts(&big, "%2C");
        buf_puts(&big, stmt);
    }
    buf_puts(&big, "%5D%7D");
    assume(&f, &cfn, ROLE_OPS, "big", big.p, &r);
    CHECK_EQ_INT(r.status, 400);
    check_xml(&r, "Code", "PackedPolicyTooLarge");
    char *msg = xml(&r, "Message");
    CHECK(msg && str_startswith(msg, "Packed policy consumes ") &&
          str_endswith(msg, "% of allotted space, please use smaller policy."));
    free(msg);
    lab_reply_free(&r);
    free(stmt);
    free(head);
    buf_free(&big);
    fx_close(&f);
}

TEST(sts_assume_role_external_id_condition)
{
    struct fx f;
    struct lab_key alice;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_user(&f, "alice", "AIDAALICE000000000001", &alice);
    lab_role(&f, "partner", "AROAPARTNER000000001",
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"},\"Action\":\"sts:AssumeRole\","
             "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"Unicorn-42\"}}}]}",
             3600);
    assume(&f, &alice, "arn:aws:iam::123456789012:role/partner", "p-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    lab_reply_free(&r);
    assume(&f, &alice, "arn:aws:iam::123456789012:role/partner", "p-sess", "&ExternalId=Unicorn-41",
           &r);
    CHECK_EQ_INT(r.status, 403);
    lab_reply_free(&r);
    assume(&f, &alice, "arn:aws:iam::123456789012:role/partner", "p-sess", "&ExternalId=Unicorn-42",
           &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(sts_get_session_token)
{
    struct fx f;
    struct lab_key cfn, root, s;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_root_key(&f, &root);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &cfn);
    lab_attach(&f, "user", "cfn", POWER);
    lab_query(&f, &cfn, "sts", "Action=GetSessionToken", &r);
    CHECK_EQ_INT(r.status, 200);
    char *exp = xml(&r, "Expiration");
    CHECK(exp && str_startswith(exp, "2026-11-29T00:00:00")); /* default 12 h */
    free(exp);
    CHECK_EQ_INT(lab_key_from_xml(r.body, &s), 0);
    CHECK(str_startswith(s.id, "ASIA"));
    lab_reply_free(&r);
    /* the same user, with temporary credentials */
    lab_query(&f, &s, "sts", "Action=GetCallerIdentity", &r);
    check_xml(&r, "Arn", "arn:aws:iam::123456789012:user/cfn");
    check_xml(&r, "UserId", "AIDACFNUSER0000000001");
    lab_reply_free(&r);
    lab_cw_json(&f, &s, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    lab_query(&f, &s, "sts", "Action=GetSessionToken", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Code", "AccessDenied");
    check_xml(&r, "Message", "Cannot call GetSessionToken with session credentials");
    lab_reply_free(&r);
    lab_query(&f, &s, "iam", "Action=ListUsers", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Code", "InvalidClientTokenId");
    lab_reply_free(&r);
    /* the root's session lasts at most an hour */
    lab_query(&f, &root, "sts", "Action=GetSessionToken&DurationSeconds=7200", &r);
    CHECK_EQ_INT(r.status, 200);
    exp = xml(&r, "Expiration");
    CHECK(exp && str_startswith(exp, "2026-11-28T13:00:00"));
    free(exp);
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(sts_get_federation_token)
{
    struct fx f;
    struct lab_key cfn, nobody, fed, bare;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &cfn);
    lab_attach(&f, "user", "cfn", POWER);
    lab_user(&f, "nobody", "AIDANOBODY00000000001", &nobody);
    char *pol = lab_urlenc("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                           "\"Action\":[\"cloudwatch:ListMetrics\",\"iam:ListUsers\"],"
                           "\"Resource\":\"*\"}]}");
    char *form = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&form, &n);
    fprintf(m, "Action=GetFederationToken&Name=bob&DurationSeconds=3600&Policy=%s", pol);
    fclose(m);
    lab_query(&f, &cfn, "sts", form, &r);
    CHECK_EQ_INT(r.status, 200);
    check_xml(&r, "Arn", "arn:aws:sts::123456789012:federated-user/bob");
    check_xml(&r, "FederatedUserId", "123456789012:bob");
    CHECK_CONTAINS(r.body, "<PackedPolicySize>");
    CHECK_EQ_INT(lab_key_from_xml(r.body, &fed), 0);
    lab_reply_free(&r);

    lab_query(&f, &fed, "sts", "Action=GetCallerIdentity", &r);
    check_xml(&r, "Arn", "arn:aws:sts::123456789012:federated-user/bob");
    check_xml(&r, "UserId", "123456789012:bob");
    lab_reply_free(&r);
    lab_cw_json(&f, &fed, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    lab_cw_json(&f, &fed, "PutMetricData",
                "{\"Namespace\":\"App\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1}]}", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_CONTAINS(r.body, "User: arn:aws:sts::123456789012:federated-user/bob is not authorized "
                           "to perform: cloudwatch:PutMetricData because no session policy "
                           "allows the cloudwatch:PutMetricData action");
    lab_reply_free(&r);
    /* no IAM, even when the session policy says so */
    lab_query(&f, &fed, "iam", "Action=ListUsers", &r);
    check_xml(&r, "Code", "InvalidClientTokenId");
    lab_reply_free(&r);
    lab_query(&f, &fed, "sts", "Action=GetFederationToken&Name=eve", &r);
    check_xml(&r, "Message", "Cannot call GetFederationToken with session credentials");
    lab_reply_free(&r);

    /* without a session policy the federated user can do nothing */
    lab_query(&f, &cfn, "sts", "Action=GetFederationToken&Name=bare", &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "PackedPolicySize") == NULL);
    CHECK_EQ_INT(lab_key_from_xml(r.body, &bare), 0);
    lab_reply_free(&r);
    lab_cw_json(&f, &bare, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 403);
    lab_reply_free(&r);

    /* the issuer needs sts:GetFederationToken on the federated user */
    lab_query(&f, &nobody, "sts", "Action=GetFederationToken&Name=x1", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Message",
              "User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: "
              "sts:GetFederationToken on resource: arn:aws:sts::123456789012:federated-user/x1 "
              "because no identity-based policy allows the sts:GetFederationToken action");
    lab_reply_free(&r);
    free(form);
    free(pol);
    fx_close(&f);
}

TEST(sts_issue_role_credentials_for_instance_profiles)
{
    struct fx f;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_role(&f, "app", "AROAAPPROLE000000001", TRUST("{\"Service\":\"ec2.amazonaws.com\"}"), 3600);
    lab_role(&f, "other", "AROAOTHERROLE0000001", TRUST_ACCOUNT, 3600);
    struct arena *a = arena_new();
    struct iam_role app, other;
    CHECK_EQ_INT(iam_role_get(f.st, a, "app", &app), 0);
    CHECK_EQ_INT(iam_role_get(f.st, a, "other", &other), 0);
    CHECK(sts_role_trusts_service(&app, "ec2.amazonaws.com", FX_T0));
    CHECK(!sts_role_trusts_service(&app, "lambda.amazonaws.com", FX_T0));
    CHECK(!sts_role_trusts_service(&other, "ec2.amazonaws.com", FX_T0));

    struct sts_credentials cr;
    CHECK_EQ_INT(sts_issue_role_credentials(f.st, FX_ACCOUNT, &app, "i-0123456789abcdef0", FX_T0,
                                            21600, &cr),
                 0);
    CHECK(str_startswith(cr.access_key_id, "ASIA"));
    CHECK_EQ_STR(cr.arn, "arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0");
    CHECK_EQ_STR(cr.assumed_role_id, "AROAAPPROLE000000001:i-0123456789abcdef0");
    CHECK_EQ_INT(cr.expires_ms, FX_T0 + 21600 * 1000LL);
    struct lab_key k;
    memset(&k, 0, sizeof(k));
    snprintf(k.id, sizeof(k.id), "%s", cr.access_key_id);
    snprintf(k.secret, sizeof(k.secret), "%s", cr.secret);
    snprintf(k.token, sizeof(k.token), "%s", cr.session_token);
    lab_query(&f, &k, "sts", "Action=GetCallerIdentity", &r);
    CHECK_EQ_INT(r.status, 200);
    check_xml(&r, "Arn", "arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0");
    lab_reply_free(&r);
    arena_free(a);
    fx_close(&f);
}

TEST(sts_assume_role_trust_policy_deny)
{
    struct fx f;
    struct lab_key alice;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    lab_user(&f, "alice", "AIDAALICE000000000001", &alice);
    lab_attach(&f, "user", "alice", POWER);
    lab_role(&f, "ops", "AROAOPSROLE000000001",
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"AWS\":\"123456789012\"},\"Action\":\"sts:AssumeRole\"},{\"Effect\":\"Deny\","
             "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"},\"Action\":"
             "\"sts:AssumeRole\"}]}",
             3600);
    assume(&f, &alice, ROLE_OPS, "a-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Message",
              "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
              "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ops with an explicit "
              "deny in a resource-based policy");
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(sts_assume_role_under_auth_off)
{
    /* suites written for moto assume roles as "test"/"test" and never create them */
    struct fx f;
    struct lab_key k;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    memset(&k, 0, sizeof(k));
    snprintf(k.id, sizeof(k.id), "test");
    snprintf(k.secret, sizeof(k.secret), "test");
    lab_auth_off = true;
    assume(&f, &k, "arn:aws:iam::123456789012:role/never-created", "moto-sess", "", &r);
    CHECK_EQ_INT(r.status, 200);
    check_xml(&r, "Arn", "arn:aws:sts::123456789012:assumed-role/never-created/moto-sess");
    char *id = xml(&r, "AssumedRoleId");
    CHECK(id && str_startswith(id, "AROA") && str_endswith(id, ":moto-sess"));
    free(id);
    lab_reply_free(&r);
    /* validation still applies */
    assume(&f, &k, "arn:aws:iam::123456789012:role/never-created", "x", "", &r);
    CHECK_EQ_INT(r.status, 400);
    lab_reply_free(&r);
    lab_auth_off = false;
    /* enforced again: the unknown key is refused */
    assume(&f, &k, "arn:aws:iam::123456789012:role/never-created", "moto-sess", "", &r);
    CHECK_EQ_INT(r.status, 403);
    check_xml(&r, "Code", "InvalidClientTokenId");
    lab_reply_free(&r);
    fx_close(&f);
}
