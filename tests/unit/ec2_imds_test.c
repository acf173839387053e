/*
 * ec2_imds_test.c — the instance metadata service: IMDSv2 token rules (TTL bounds, expiry in
 * virtual time, per instance, HttpTokens=required, HttpEndpoint=disabled), the metadata tree,
 * and the role credentials: AWS's JSON layout, real STS session credentials of the profile's
 * role named after the instance, rotation before expiry, a role that does not trust EC2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "harness.h"
#include "store/store.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/ec2_admin.h"
#include "svc_fixture.h"

#define T0 FX_T0
#define HOUR (3600 * 1000LL)
#define IID "i-0123456789abcdef0"
#define IID2 "i-0fedcba9876543210"

struct reply {
    int status;
    char body[4096];
    char ttl[32];
};

static void exec_sql(struct fx *f, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(store_db(f->st), sql, NULL, NULL, &err) != SQLITE_OK)
        harness_fail(__FILE__, __LINE__, "sql: %s", err ? err : "?");
    sqlite3_free(err);
}

static void setup(struct fx *f, const char *metadata_options, const char *trust_service)
{
    fx_open(f, T0);
    ec2_init();
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "INSERT INTO iam_roles(name, role_id, path, arn, created_ms, trust_policy,"
             " max_session_s) VALUES('app-role', 'AROAAPPROLE000000001', '/',"
             " 'arn:aws:iam::123456789012:role/app-role', 0, '{\"Version\":\"2012-10-17\","
             "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"%s\"},"
             "\"Action\":\"sts:AssumeRole\"}]}', 3600);"
             "INSERT INTO iam_instance_profiles(name, profile_id, path, arn, created_ms,"
             " role_name) VALUES('app-profile', 'AIPAAPPPROFILE000001', '/',"
             " 'arn:aws:iam::123456789012:instance-profile/app-profile', 0, 'app-role');"
             "INSERT INTO ec2_instances(id, region, az, type, image_id, host_id, tenancy,"
             " auto_recovery, profile_arn, private_ip, public_ip, state, state_ms, launch_ms,"
             " boot_ms, doc) VALUES('%s', 'us-east-1', 'us-east-1d', 't3.micro',"
             " 'ami-374db956', NULL, 'default', 'default',"
             " 'arn:aws:iam::123456789012:instance-profile/app-profile', '172.31.40.5',"
             " '54.1.2.3', 16, %lld, %lld, %lld, '{\"MetadataOptions\":%s}');"
             "INSERT INTO ec2_instances(id, region, az, type, image_id, host_id, tenancy,"
             " auto_recovery, profile_arn, private_ip, public_ip, state, state_ms, launch_ms,"
             " boot_ms, doc) VALUES('%s', 'us-east-1', 'us-east-1d', 't3.micro',"
             " 'ami-374db956', NULL, 'default', 'default', NULL, '172.31.40.6', NULL, 16,"
             " %lld, %lld, %lld, '{}');",
             trust_service, IID, (long long)T0, (long long)T0, (long long)T0, metadata_options,
             IID2, (long long)T0, (long long)T0, (long long)T0);
    exec_sql(f, sql);
}

/* One IMDS request: method, path after /_recoverlab/imds/, optional token / ttl headers. */
static void imds(struct fx *f, const char *method, const char *tail, const char *token,
                 const char *ttl, struct reply *r)
{
    struct header h[3];
    size_t nh = 0;
    if (token)
        h[nh++] = (struct header){"X-aws-ec2-metadata-token", token};
    if (ttl)
        h[nh++] = (struct header){"X-aws-ec2-metadata-token-ttl-seconds", ttl};
    struct request rq = {.arena = arena_new(),
                              .method = method,
                              .path = "/",
                              .query = "",
                              .headers = h,
                              .nheaders = nh,
                              .body = "",
                              .remote_addr = "127.0.0.1"};
    struct response resp;
    memset(&resp, 0, sizeof(resp));
    ec2_imds_serve(f->st, FX_ACCOUNT, &rq, tail, &resp);
    memset(r, 0, sizeof(*r));
    r->status = resp.status;
    snprintf(r->body, sizeof(r->body), "%s", resp.body.p ? resp.body.p : "");
    CHECK_EQ_STR(resp.content_type, "text/plain");
    for (int i = 0; i < resp.nheaders; i++)
        if (str_eq(resp.headers[i].name, "X-aws-ec2-metadata-token-ttl-seconds"))
            snprintf(r->ttl, sizeof(r->ttl), "%s", resp.headers[i].value);
    buf_free(&resp.body);
    arena_free(rq.arena);
}

static void get_token(struct fx *f, const char *id, const char *ttl, char out[128])
{
    struct reply r;
    char tail[64];
    snprintf(tail, sizeof(tail), "%s/latest/api/token", id);
    imds(f, "PUT", tail, NULL, ttl, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(r.ttl, ttl);
    snprintf(out, 128, "%.127s", r.body);
}

/* The value of "Key" : "value" in an IMDS JSON document (into out). */
static void doc_field(const char *doc, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\" : \"", key);
    const char *p = strstr(doc, pat);
    out[0] = 0;
    if (!p)
        return;
    p += strlen(pat);
    size_t n = 0;
    while (p[n] && p[n] != '"' && n + 1 < cap)
        n++;
    memcpy(out, p, n);
    out[n] = 0;
}

TEST(ec2_imds_token_rules)
{
    struct fx f;
    setup(&f, "{\"HttpTokens\":\"optional\",\"HttpEndpoint\":\"enabled\"}", "ec2.amazonaws.com");
    struct reply r;
    imds(&f, "PUT", IID "/latest/api/token", NULL, "0", &r);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(r.body, "400 - Missing or Invalid Parameters");
    imds(&f, "PUT", IID "/latest/api/token", NULL, "21601", &r);
    CHECK_EQ_INT(r.status, 400);
    imds(&f, "PUT", IID "/latest/api/token", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 400);
    imds(&f, "PUT", IID "/latest/api/token", NULL, "abc", &r);
    CHECK_EQ_INT(r.status, 400);
    char tok[128], tok2[128];
    get_token(&f, IID, "21600", tok2);
    get_token(&f, IID, "60", tok);
    CHECK_EQ_INT(strlen(tok), 56);
    CHECK(!str_eq(tok, tok2));

    /* optional tokens: no token is fine, a bad or expired one is not */
    imds(&f, "GET", IID "/latest/meta-data/instance-id", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(r.body, IID);
    imds(&f, "GET", IID "/latest/meta-data/instance-id", tok, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    char bad[128];
    snprintf(bad, sizeof(bad), "%s", tok);
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    imds(&f, "GET", IID "/latest/meta-data/instance-id", bad, NULL, &r);
    CHECK_EQ_INT(r.status, 401);
    CHECK_EQ_STR(r.body, "401 - Unauthorized");
    imds(&f, "GET", IID "/latest/meta-data/instance-id", "nonsense", NULL, &r);
    CHECK_EQ_INT(r.status, 401);
    /* another instance's token */
    imds(&f, "GET", IID2 "/latest/meta-data/instance-id", tok, NULL, &r);
    CHECK_EQ_INT(r.status, 401);
    /* expiry in virtual time */
    fx_set_time(&f, T0 + 59 * 1000);
    imds(&f, "GET", IID "/latest/meta-data/instance-id", tok, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    fx_set_time(&f, T0 + 60 * 1000);
    imds(&f, "GET", IID "/latest/meta-data/instance-id", tok, NULL, &r);
    CHECK_EQ_INT(r.status, 401);
    imds(&f, "GET", IID "/latest/meta-data/instance-id", tok2, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    /* wrong methods, unknown paths and instances */
    imds(&f, "GET", IID "/latest/api/token", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 405);
    imds(&f, "PUT", IID "/latest/meta-data/instance-id", NULL, "60", &r);
    CHECK_EQ_INT(r.status, 405);
    imds(&f, "GET", IID "/latest/meta-data/nope", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 404);
    CHECK_EQ_STR(r.body, "404 - Not Found");
    imds(&f, "GET", "i-00000000000000009/latest/meta-data/", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 404);
    fx_close(&f);
}

TEST(ec2_imds_tokens_required_and_endpoint_disabled)
{
    struct fx f;
    setup(&f, "{\"HttpTokens\":\"required\",\"HttpEndpoint\":\"enabled\"}", "ec2.amazonaws.com");
    struct reply r;
    imds(&f, "GET", IID "/latest/meta-data/instance-id", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 401);
    char tok[128];
    get_token(&f, IID, "300", tok);
    imds(&f, "GET", IID "/latest/meta-data/instance-id", tok, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    /* the other instance has no options: tokens optional */
    imds(&f, "GET", IID2 "/latest/meta-data/instance-id", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    fx_close(&f);

    setup(&f, "{\"HttpTokens\":\"optional\",\"HttpEndpoint\":\"disabled\"}", "ec2.amazonaws.com");
    imds(&f, "GET", IID "/latest/meta-data/instance-id", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_EQ_STR(r.body, "403 - Forbidden");
    imds(&f, "PUT", IID "/latest/api/token", NULL, "60", &r);
    CHECK_EQ_INT(r.status, 403);
    fx_close(&f);
}

TEST(ec2_imds_metadata_tree)
{
    struct fx f;
    setup(&f, "{\"HttpTokens\":\"optional\",\"HttpEndpoint\":\"enabled\"}", "ec2.amazonaws.com");
    struct reply r;
    imds(&f, "GET", IID "/latest/meta-data/", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_CONTAINS(r.body, "ami-id\n");
    CHECK_CONTAINS(r.body, "iam/\n");
    CHECK_CONTAINS(r.body, "placement/");
    CHECK_CONTAINS(r.body, "public-ipv4");
    imds(&f, "GET", IID "/latest/meta-data/instance-type", NULL, NULL, &r);
    CHECK_EQ_STR(r.body, "t3.micro");
    imds(&f, "GET", IID "/latest/meta-data/ami-id", NULL, NULL, &r);
    CHECK_EQ_STR(r.body, "ami-374db956");
    imds(&f, "GET", IID "/latest/meta-data/local-ipv4", NULL, NULL, &r);
    CHECK_EQ_STR(r.body, "172.31.40.5");
    imds(&f, "GET", IID "/latest/meta-data/public-ipv4", NULL, NULL, &r);
    CHECK_EQ_STR(r.body, "54.1.2.3");
    imds(&f, "GET", IID "/latest/meta-data/hostname", NULL, NULL, &r);
    CHECK_EQ_STR(r.body, "ip-172-31-40-5.ec2.internal");
    imds(&f, "GET", IID "//latest/meta-data/placement/availability-zone", NULL, NULL, &r);
    CHECK_EQ_STR(r.body, "us-east-1d");
    imds(&f, "GET", IID "/latest/meta-data/placement/region", NULL, NULL, &r);
    CHECK_EQ_STR(r.body, "us-east-1");
    imds(&f, "GET", IID2 "/latest/meta-data/public-ipv4", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 404);
    imds(&f, "GET", IID2 "/latest/meta-data/iam/info", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 404); /* no instance profile */
    imds(&f, "GET", IID "/latest/meta-data/iam/info", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK(str_startswith(r.body, "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \""));
    CHECK_CONTAINS(r.body, "\"InstanceProfileArn\" : "
                           "\"arn:aws:iam::123456789012:instance-profile/app-profile\",\n");
    CHECK_CONTAINS(r.body, "\"InstanceProfileId\" : \"AIPAAPPPROFILE000001\"\n}");
    imds(&f, "GET", IID "/latest/dynamic/instance-identity/document", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK(str_startswith(r.body, "{\n  \"accountId\" : \"123456789012\",\n"));
    CHECK_CONTAINS(r.body, "\"instanceId\" : \"" IID "\",\n");
    CHECK_CONTAINS(r.body, "\"billingProducts\" : null,\n");
    CHECK_CONTAINS(r.body, "\"region\" : \"us-east-1\",\n  \"version\" : \"2017-09-30\"\n}");
    fx_close(&f);
}

TEST(ec2_imds_role_credentials)
{
    struct fx f;
    setup(&f, "{\"HttpTokens\":\"required\",\"HttpEndpoint\":\"enabled\"}", "ec2.amazonaws.com");
    char tok[128];
    get_token(&f, IID, "21600", tok);
    struct reply r;
    imds(&f, "GET", IID "/latest/meta-data/iam/security-credentials/", tok, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(r.body, "app-role");
    imds(&f, "GET", IID "/latest/meta-data/iam/security-credentials/other", tok, NULL, &r);
    CHECK_EQ_INT(r.status, 404);
    imds(&f, "GET", IID "/latest/meta-data/iam/security-credentials/app-role", tok, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK(str_startswith(r.body, "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : "
                                 "\"2026-11-28T12:00:00Z\",\n  \"Type\" : \"AWS-HMAC\",\n"
                                 "  \"AccessKeyId\" : \"ASIA"));
    CHECK_CONTAINS(r.body, "\",\n  \"Expiration\" : \"2026-11-28T18:00:00Z\"\n}");
    char akid[64], secret[64], token[600];
    doc_field(r.body, "AccessKeyId", akid, sizeof(akid));
    doc_field(r.body, "SecretAccessKey", secret, sizeof(secret));
    doc_field(r.body, "Token", token, sizeof(token));
    CHECK_EQ_INT(strlen(akid), 20);
    CHECK_EQ_INT(strlen(secret), 40);
    CHECK(strlen(token) > 20);

    /* real STS credentials: SigV4 finds them as a session of the role named after the
     * instance */
    struct server_ctx ctx = {.st = f.st, .account = FX_ACCOUNT};
    struct arena *a = arena_new();
    struct credential cred;
    CHECK_EQ_INT(svc_credential_lookup(&ctx, akid, a, &cred), 0);
    CHECK_EQ_STR(cred.secret, secret);
    CHECK_EQ_STR(cred.session_token, token);
    CHECK_EQ_INT(cred.principal.kind, PRINCIPAL_ROLE_SESSION);
    CHECK_EQ_STR(cred.principal.arn, "arn:aws:sts::123456789012:assumed-role/app-role/" IID);
    CHECK_EQ_STR(cred.principal.user_id, "AROAAPPROLE000000001:" IID);
    CHECK_EQ_INT(cred.expires_ms, T0 + 6 * HOUR);
    arena_free(a);

    /* the same until less than an hour is left, then new ones (the old still valid) */
    fx_set_time(&f, T0 + 4 * HOUR);
    get_token(&f, IID, "21600", tok);
    imds(&f, "GET", IID "/latest/meta-data/iam/security-credentials/app-role", tok, NULL, &r);
    char akid2[64];
    doc_field(r.body, "AccessKeyId", akid2, sizeof(akid2));
    CHECK_EQ_STR(akid2, akid);
    fx_set_time(&f, T0 + 5 * HOUR + 1);
    imds(&f, "GET", IID "/latest/meta-data/iam/security-credentials/app-role", tok, NULL, &r);
    doc_field(r.body, "AccessKeyId", akid2, sizeof(akid2));
    CHECK(str_startswith(akid2, "ASIA"));
    CHECK(!str_eq(akid2, akid));
    CHECK_CONTAINS(r.body, "\"LastUpdated\" : \"2026-11-28T17:00:00Z\"");
    CHECK_CONTAINS(r.body, "\"Expiration\" : \"2026-11-28T23:00:00Z\"");
    fx_close(&f);
}

TEST(ec2_imds_role_not_trusting_ec2)
{
    struct fx f;
    setup(&f, "{}", "lambda.amazonaws.com");
    struct reply r;
    imds(&f, "GET", IID "/latest/meta-data/iam/security-credentials/app-role", NULL, NULL, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_CONTAINS(r.body, "\"Code\" : \"AssumeRoleUnauthorizedAccess\"");
    CHECK_CONTAINS(r.body, "EC2 cannot assume the role app-role.");
    CHECK(strstr(r.body, "AccessKeyId") == NULL);
    fx_close(&f);
}
