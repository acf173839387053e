/*
 * authz_test.c — authorization on every request: through dispatch_aws() with SigV4-signed
 * requests (authz_lab.h) for the protocols' error shapes, and through the handler fixture
 * with a wrapper that runs the pipeline's authorize step for operations whose handlers live
 * elsewhere.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz_lab.h"
#include "clock/clock.h"
#include "harness.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc_fixture.h"

#define ARN_USER(n) "arn:aws:iam::123456789012:user/" n
#define POWER "arn:aws:iam::aws:policy/PowerUserAccess"
#define CW_READ "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"
#define TRUST_ACCOUNT                                                                              \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"     \
    "\"arn:aws:iam::123456789012:root\"},\"Action\":\"sts:AssumeRole\"}]}"

/* The pipeline's authorize step alone, as a handler for fx_call. */
static int authz_only(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const struct op_def *def = ops_find(c->svc->id, c->op->name);
    if (!def)
        return call_fail(c, 500, "InternalFailure", "no row");
    return authz_request(c, def, in);
}

static void open_lab(struct fx *f)
{
    fx_open(f, FX_T0);
    authz_cache_clear();
}

TEST(authz_power_user_put_metric_data_allowed_create_user_denied)
{
    struct fx f;
    struct lab_key k;
    struct lab_reply r;
    open_lab(&f);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &k);
    lab_attach(&f, "user", "cfn", POWER);

    lab_cw_json(&f, &k, "PutMetricData",
                "{\"Namespace\":\"App\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1}]}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);

    /* iam:CreateUser: PowerUserAccess's NotAction excludes iam:* */
    fx_as_user(&f, "cfn", "AIDACFNUSER0000000001");
    fx_call(&f, "iam", "CreateUser", authz_only, "{\"UserName\":\"bob\"}");
    CHECK_EQ_STR(fx_err_code(&f), "AccessDenied");
    CHECK_EQ_INT(f.resp.status, 403);
    const struct op_def *def = ops_find("iam", "CreateUser");
    CHECK(def != NULL);
    if (def && def->resource) /* AWS names the user to be created */
        CHECK_EQ_STR(fx_err_message(&f),
                     "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
                     "iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no "
                     "identity-based policy allows the iam:CreateUser action");
    else
        CHECK_EQ_STR(fx_err_message(&f),
                     "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
                     "iam:CreateUser because no identity-based policy allows the iam:CreateUser "
                     "action");
    CHECK_CONTAINS(f.body, "<Code>AccessDenied</Code>");

    /* ... but the second statement allows iam:CreateServiceLinkedRole */
    fx_call(&f, "iam", "CreateServiceLinkedRole", authz_only,
            "{\"AWSServiceName\":\"events.amazonaws.com\"}");
    CHECK_EQ_INT(f.rc, 0);
    CHECK(fx_err_code(&f) == NULL);
    fx_close(&f);
}

TEST(authz_no_policy_denies_with_exact_text_json_and_query)
{
    struct fx f;
    struct lab_key k;
    struct lab_reply r;
    open_lab(&f);
    lab_user(&f, "nobody", "AIDANOBODY00000000001", &k);

    lab_cw_json(&f, &k, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_EQ_STR(r.query_error, "AccessDenied;Sender");
    json_t *j = json_loads(r.body, 0, NULL);
    CHECK_EQ_STR(json_string_value(json_object_get(j, "__type")),
                 "com.amazon.coral.service#AccessDeniedException");
    CHECK_EQ_STR(json_string_value(json_object_get(j, "message")),
                 "User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: "
                 "cloudwatch:ListMetrics because no identity-based policy allows the "
                 "cloudwatch:ListMetrics action");
    json_decref(j);
    lab_reply_free(&r);

    /* the same over the Query protocol (aws CLI 2.9 / boto3 1.26) */
    lab_query(&f, &k, "monitoring", "Action=ListMetrics", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_CONTAINS(r.body, "<ErrorResponse");
    CHECK_CONTAINS(r.body, "<Type>Sender</Type><Code>AccessDenied</Code>");
    CHECK_CONTAINS(r.body, "<Message>User: arn:aws:iam::123456789012:user/nobody is not "
                           "authorized to perform: cloudwatch:ListMetrics because no "
                           "identity-based policy allows the cloudwatch:ListMetrics action"
                           "</Message>");
    lab_reply_free(&r);

    /* and over RPC v2 CBOR: an empty map as input */
    lab_cw_cbor(&f, &k, "ListMetrics", "\xa0", 1, &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_EQ_STR(r.query_error, "AccessDenied;Sender");
    CHECK(r.body && memmem(r.body, 200, "AccessDeniedException", 21) != NULL);
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(authz_explicit_deny_beats_allow)
{
    struct fx f;
    struct lab_key k;
    struct lab_reply r;
    open_lab(&f);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &k);
    lab_attach(&f, "user", "cfn", POWER);
    lab_inline(&f, "user", "cfn", "nometrics",
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
               "\"Action\":\"cloudwatch:PutMetricData\",\"Resource\":\"*\"}]}");
    lab_cw_json(&f, &k, "PutMetricData",
                "{\"Namespace\":\"App\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1}]}", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_CONTAINS(r.body, "User: arn:aws:iam::123456789012:user/cfn is not authorized to "
                           "perform: cloudwatch:PutMetricData with an explicit deny in an "
                           "identity-based policy");
    lab_reply_free(&r);
    /* other actions stay allowed */
    lab_cw_json(&f, &k, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(authz_current_time_condition_follows_the_virtual_clock)
{
    struct fx f;
    struct lab_key k;
    struct lab_reply r;
    open_lab(&f);
    lab_user(&f, "temp", "AIDATEMPUSER000000001", &k);
    /* allowed until 2026-11-28T13:00:00Z (FX_T0 is 12:00) */
    lab_inline(&f, "user", "temp", "until13",
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
               "\"Action\":\"cloudwatch:ListMetrics\",\"Resource\":\"*\",\"Condition\":"
               "{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-11-28T13:00:00Z\"}}}]}");
    lab_cw_json(&f, &k, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    fx_set_time(&f, FX_T0 + 2 * 3600 * 1000LL);
    lab_cw_json(&f, &k, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_CONTAINS(r.body, "because no identity-based policy allows the cloudwatch:ListMetrics");
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(authz_root_always_allowed_and_caller_identity_needs_nothing)
{
    struct fx f;
    struct lab_key root, k;
    struct lab_reply r;
    open_lab(&f);
    lab_root_key(&f, &root);
    lab_cw_json(&f, &root, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);
    /* a user denied everything can still ask who it is */
    lab_user(&f, "locked", "AIDALOCKED00000000001", &k);
    lab_inline(&f, "user", "locked", "denyall",
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\","
               "\"Resource\":\"*\"}]}");
    lab_query(&f, &k, "sts", "Action=GetCallerIdentity", &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_CONTAINS(r.body, "<Arn>arn:aws:iam::123456789012:user/locked</Arn>");
    CHECK_CONTAINS(r.body, "<UserId>AIDALOCKED00000000001</UserId>");
    lab_reply_free(&r);
    fx_close(&f);
}

TEST(authz_ec2_unauthorized_operation_form)
{
    struct fx f;
    struct lab_key k;
    struct lab_reply r;
    open_lab(&f);
    lab_user(&f, "cwonly", "AIDACWONLY00000000001", &k);
    lab_attach(&f, "user", "cwonly", CW_READ);
    lab_query(&f, &k, "ec2", "Action=DescribeRegions", &r);
    CHECK_EQ_INT(r.status, 403);
    CHECK_CONTAINS(r.body, "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
                           "<Message>You are not authorized to perform this operation. User: "
                           "arn:aws:iam::123456789012:user/cwonly is not authorized to perform: "
                           "ec2:DescribeRegions because no identity-based policy allows the "
                           "ec2:DescribeRegions action</Message>");
    CHECK_CONTAINS(r.body, "<RequestID>");
    lab_reply_free(&r);

    /* a mutating call names its resource and carries an encoded message */
    fx_as_user(&f, "cwonly", "AIDACWONLY00000000001");
    f.proto = PROTO_EC2;
    fx_call(&f, "ec2", "StopInstances", authz_only, "{\"InstanceIds\":[\"i-0123456789abcdef0\"]}");
    CHECK_EQ_STR(fx_err_code(&f), "UnauthorizedOperation");
    CHECK_EQ_INT(f.resp.status, 403);
    const char *m = fx_err_message(&f);
    CHECK(str_startswith(m, "You are not authorized to perform this operation. User: "
                            "arn:aws:iam::123456789012:user/cwonly is not authorized to perform: "
                            "ec2:StopInstances on resource: arn:aws:ec2:us-east-1:123456789012:"
                            "instance/i-0123456789abcdef0 because no identity-based policy "
                            "allows the ec2:StopInstances action. Encoded authorization failure "
                            "message: "));
    CHECK(m && strlen(m) > 400);
    fx_close(&f);
}

TEST(authz_role_session_permissions_and_session_policy_intersection)
{
    struct fx f;
    open_lab(&f);
    lab_role(&f, "reader", "AROAREADER0000000001", TRUST_ACCOUNT, 3600);
    lab_attach(&f, "role", "reader", CW_READ);
    fx_as_role_session(&f, "reader", "AROAREADER0000000001", "s1");
    fx_call(&f, "cloudwatch", "ListMetrics", authz_only, "{}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "cloudwatch", "PutMetricData", authz_only, "{\"Namespace\":\"A\"}");
    CHECK_EQ_STR(fx_err_code(&f), "AccessDenied");
    CHECK_EQ_STR(fx_err_message(&f),
                 "User: arn:aws:sts::123456789012:assumed-role/reader/s1 is not authorized to "
                 "perform: cloudwatch:PutMetricData because no identity-based policy allows the "
                 "cloudwatch:PutMetricData action");

    /* a session of a power-user role whose session policy allows reading only */
    lab_role(&f, "power", "AROAPOWER00000000001", TRUST_ACCOUNT, 3600);
    lab_attach(&f, "role", "power", POWER);
    sqlite3_exec(store_db(f.st),
                 "INSERT INTO access_keys(access_key_id, secret, session_token, status, "
                 "expires_ms, created_ms, principal, session_policies) VALUES("
                 "'ASIAFIXTURESESSION01', 's', 't', 'Active', 0, 0, "
                 "'{\"kind\":\"role_session\",\"temporary\":true,\"account\":\"123456789012\","
                 "\"arn\":\"arn:aws:sts::123456789012:assumed-role/power/s2\",\"user_id\":"
                 "\"AROAPOWER00000000001:s2\",\"name\":\"power\",\"session_name\":\"s2\"}', "
                 "'[{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                 "\"cloudwatch:List*\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":"
                 "\"cloudwatch:GetMetricStatistics\",\"Resource\":\"*\"}]}]')",
                 NULL, NULL, NULL);
    fx_as_role_session(&f, "power", "AROAPOWER00000000001", "s2");
    fx_call(&f, "cloudwatch", "ListMetrics", authz_only, "{}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "cloudwatch", "PutMetricData", authz_only, "{\"Namespace\":\"A\"}");
    CHECK_EQ_STR(fx_err_message(&f),
                 "User: arn:aws:sts::123456789012:assumed-role/power/s2 is not authorized to "
                 "perform: cloudwatch:PutMetricData because no session policy allows the "
                 "cloudwatch:PutMetricData action");
    fx_call(&f, "cloudwatch", "GetMetricStatistics", authz_only, "{}");
    CHECK_EQ_STR(fx_err_message(&f),
                 "User: arn:aws:sts::123456789012:assumed-role/power/s2 is not authorized to "
                 "perform: cloudwatch:GetMetricStatistics with an explicit deny in a session "
                 "policy");
    /* ...while iam stays out of reach because of the role's own policy */
    fx_call(&f, "iam", "ListUsers", authz_only, "{}");
    CHECK_CONTAINS(fx_err_message(&f), "because no identity-based policy allows the "
                                       "iam:ListUsers action");
    fx_close(&f);
}

TEST(authz_groups_and_customer_managed_policies)
{
    struct fx f;
    struct lab_key k;
    open_lab(&f);
    lab_user(&f, "dev", "AIDADEVUSER0000000001", &k);
    sqlite3_exec(store_db(f.st),
                 "INSERT INTO iam_groups VALUES('devs','AGPADEVS000000000001','/',"
                 "'arn:aws:iam::123456789012:group/devs',0);"
                 "INSERT INTO iam_group_members VALUES('devs','dev');"
                 "INSERT INTO iam_policies(arn,name,policy_id,path,default_version,created_ms,"
                 "updated_ms) VALUES('arn:aws:iam::123456789012:policy/ec2read','ec2read',"
                 "'ANPAEC2READ000000001','/','v1',0,0);"
                 "INSERT INTO iam_policy_versions VALUES('arn:aws:iam::123456789012:policy/"
                 "ec2read','v1','{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                 "\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}]}',0);",
                 NULL, NULL, NULL);
    lab_attach(&f, "group", "devs", "arn:aws:iam::123456789012:policy/ec2read");
    fx_as_user(&f, "dev", "AIDADEVUSER0000000001");
    f.proto = PROTO_EC2;
    fx_call(&f, "ec2", "DescribeRegions", authz_only, "{}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "ec2", "StopInstances", authz_only, "{\"InstanceIds\":[\"i-1\"]}");
    CHECK_EQ_STR(fx_err_code(&f), "UnauthorizedOperation");
    fx_close(&f);
}

/* authz_decide outside any transaction uses the cache; IAM writes must flush it. */
TEST(authz_cache_follows_iam_changes)
{
    struct fx f;
    struct lab_key k;
    open_lab(&f);
    lab_user(&f, "cache", "AIDACACHE000000000001", &k);
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = arena_new();
    c.st = f.st;
    c.account = FX_ACCOUNT;
    c.region = "us-east-1";
    c.now_ms = FX_T0;
    struct principal p;
    memset(&p, 0, sizeof(p));
    p.kind = PRINCIPAL_USER;
    snprintf(p.account, sizeof(p.account), FX_ACCOUNT);
    snprintf(p.arn, sizeof(p.arn), ARN_USER("cache"));
    snprintf(p.user_id, sizeof(p.user_id), "AIDACACHE000000000001");
    snprintf(p.name, sizeof(p.name), "cache");
    enum policy_decision d = POLICY_ALLOWED;

    CHECK_EQ_INT(authz_decide(&c, &p, "cloudwatch:ListMetrics", "*", NULL, &d), 0);
    CHECK_EQ_INT(d, POLICY_DENIED_IMPLICIT_IDENTITY);
    lab_attach(&f, "user", "cache", CW_READ);
    CHECK_EQ_INT(authz_decide(&c, &p, "cloudwatch:ListMetrics", "*", NULL, &d), 0);
    CHECK_EQ_INT(d, POLICY_ALLOWED);
    /* a rolled-back write leaves no trace either */
    store_begin(f.st);
    sqlite3_exec(store_db(f.st), "DELETE FROM iam_attachments", NULL, NULL, NULL);
    CHECK_EQ_INT(authz_decide(&c, &p, "cloudwatch:ListMetrics", "*", NULL, &d), 0);
    CHECK_EQ_INT(d, POLICY_DENIED_IMPLICIT_IDENTITY);
    store_rollback(f.st);
    CHECK_EQ_INT(authz_decide(&c, &p, "cloudwatch:ListMetrics", "*", NULL, &d), 0);
    CHECK_EQ_INT(d, POLICY_ALLOWED);
    sqlite3_exec(store_db(f.st), "DELETE FROM iam_attachments", NULL, NULL, NULL);
    CHECK_EQ_INT(authz_decide(&c, &p, "cloudwatch:ListMetrics", "*", NULL, &d), 0);
    CHECK_EQ_INT(d, POLICY_DENIED_IMPLICIT_IDENTITY);

    /* cost of a cached decision (PowerUserAccess), reported, not asserted */
    lab_attach(&f, "user", "cache", POWER);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 2000; i++)
        authz_decide(&c, &p, "cloudwatch:PutMetricData", "*", NULL, &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_EQ_INT(d, POLICY_ALLOWED);
    double us =
        ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 2000 / 1000;
    if (getenv("AUTHZ_BENCH"))
        fprintf(stderr, "authz_decide cached: %.2f us\n", us);
    authz_cache_clear();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 200; i++) {
        authz_cache_clear();
        authz_decide(&c, &p, "cloudwatch:PutMetricData", "*", NULL, &d);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (getenv("AUTHZ_BENCH"))
        fprintf(stderr, "authz_decide uncached: %.2f us\n",
                ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 200 /
                    1000);
    arena_free(c.a);
    fx_close(&f);
}

TEST(authz_context_keys)
{
    struct fx f;
    open_lab(&f);
    lab_role(&f, "ops", "AROAOPS0000000000001", TRUST_ACCOUNT, 3600);
    fx_as_role_session(&f, "ops", "AROAOPS0000000000001", "sess");
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = arena_new();
    c.st = f.st;
    c.account = FX_ACCOUNT;
    c.region = "eu-west-1";
    c.now_ms = FX_T0;
    struct authz_session s;
    CHECK_EQ_INT(authz_session_get(&c, &f.who, &s), 0);
    CHECK_EQ_STR(s.role_arn, "arn:aws:iam::123456789012:role/ops");
    const char *via[] = {"cloudformation.amazonaws.com"};
    struct authz_extra ex = {.via_aws_service = true, .called_via = via, .ncalled_via = 1};
    json_t *ctx = authz_context(&c, &f.who, &s, &ex);
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:principaltype")), "AssumedRole");
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:principalarn")),
                 "arn:aws:iam::123456789012:role/ops");
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:userid")),
                 "AROAOPS0000000000001:sess");
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:currenttime")),
                 "2026-11-28T12:00:00Z");
    CHECK_EQ_INT(json_integer_value(json_object_get(ctx, "aws:epochtime")), FX_T0 / 1000);
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:requestedregion")), "eu-west-1");
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:principalaccount")), FX_ACCOUNT);
    CHECK(json_is_true(json_object_get(ctx, "aws:viaawsservice")));
    CHECK(json_is_false(json_object_get(ctx, "aws:securetransport")));
    CHECK(json_is_false(json_object_get(ctx, "aws:multifactorauthpresent")));
    CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(ctx, "aws:calledvia"), 0)),
                 "cloudformation.amazonaws.com");
    CHECK(json_object_get(ctx, "aws:username") == NULL);
    json_decref(ctx);

    fx_as_user(&f, "alice", "AIDAALICE000000000001");
    ctx = authz_context(&c, &f.who, NULL, NULL);
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:username")), "alice");
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:principaltype")), "User");
    CHECK_EQ_STR(json_string_value(json_object_get(ctx, "aws:principalarn")), ARN_USER("alice"));
    CHECK(json_is_false(json_object_get(ctx, "aws:viaawsservice")));
    CHECK(json_object_get(ctx, "aws:multifactorauthpresent") == NULL);
    json_decref(ctx);
    arena_free(c.a);
    fx_close(&f);
}

TEST(authz_service_condition_keys)
{
    struct fx f;
    open_lab(&f);
    struct lab_key k;
    lab_user(&f, "alarmist", "AIDAALARMIST00000001", &k);
    /* alarms may only notify SNS; instances only t3.micro */
    lab_inline(&f, "user", "alarmist", "p",
               "{\"Version\":\"2012-10-17\",\"Statement\":["
               "{\"Effect\":\"Allow\",\"Action\":\"cloudwatch:PutMetricAlarm\",\"Resource\":\"*\","
               "\"Condition\":{\"ForAllValues:StringLike\":{\"cloudwatch:AlarmActions\":"
               "[\"arn:aws:sns:*\"]}}},"
               "{\"Effect\":\"Allow\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"*\","
               "\"Condition\":{\"StringEquals\":{\"ec2:InstanceType\":\"t3.micro\","
               "\"ec2:Region\":\"us-east-1\"}}}]}");
    fx_as_user(&f, "alarmist", "AIDAALARMIST00000001");
    fx_call(&f, "cloudwatch", "PutMetricAlarm", authz_only,
            "{\"AlarmName\":\"a\",\"AlarmActions\":[\"arn:aws:sns:us-east-1:123456789012:t\"]}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "cloudwatch", "PutMetricAlarm", authz_only,
            "{\"AlarmName\":\"a\",\"AlarmActions\":[\"arn:aws:sns:us-east-1:123456789012:t\"],"
            "\"OKActions\":[\"arn:aws:automate:us-east-1:ec2:recover\"]}");
    CHECK_EQ_STR(fx_err_code(&f), "AccessDenied");
    CHECK_EQ_STR(fx_err_message(&f),
                 "User: arn:aws:iam::123456789012:user/alarmist is not authorized to perform: "
                 "cloudwatch:PutMetricAlarm on resource: arn:aws:cloudwatch:us-east-1:"
                 "123456789012:alarm:a because no identity-based policy allows the "
                 "cloudwatch:PutMetricAlarm action");
    f.proto = PROTO_EC2;
    fx_call(&f, "ec2", "RunInstances", authz_only,
            "{\"InstanceType\":\"t3.micro\",\"MinCount\":1,\"MaxCount\":1}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "ec2", "RunInstances", authz_only,
            "{\"InstanceType\":\"m5.large\",\"MinCount\":1,\"MaxCount\":1}");
    CHECK_EQ_STR(fx_err_code(&f), "UnauthorizedOperation");
    f.region = "eu-west-1";
    fx_call(&f, "ec2", "RunInstances", authz_only,
            "{\"InstanceType\":\"t3.micro\",\"MinCount\":1,\"MaxCount\":1}");
    CHECK_EQ_STR(fx_err_code(&f), "UnauthorizedOperation");
    fx_close(&f);
}

TEST(authz_check_for_services_acting_for_a_principal)
{
    /* CloudFormation acting as its caller: aws:ViaAWSService true, CalledVia set */
    struct fx f;
    struct lab_key k;
    open_lab(&f);
    lab_user(&f, "deployer", "AIDADEPLOYER00000001", &k);
    lab_inline(&f, "user", "deployer", "viacfn",
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
               "\"cloudwatch:PutMetricAlarm\",\"Resource\":\"*\",\"Condition\":{\"ForAnyValue:"
               "StringEquals\":{\"aws:CalledVia\":\"cloudformation.amazonaws.com\"}}}]}");
    fx_as_user(&f, "deployer", "AIDADEPLOYER00000001");
    fx_call(&f, "cloudwatch", "ListMetrics", authz_only, "{}"); /* any call to get a struct call */
    struct call *c = &f.c;
    c->err.status = 0;
    CHECK_EQ_INT(authz_check(c, &f.who, "cloudwatch:PutMetricAlarm", "*", NULL), -1);
    CHECK_EQ_STR(c->err.code, "AccessDenied");
    c->err.status = 0;
    const char *via[] = {"cloudformation.amazonaws.com"};
    struct authz_extra ex = {.via_aws_service = true, .called_via = via, .ncalled_via = 1};
    CHECK_EQ_INT(authz_check(c, &f.who, "cloudwatch:PutMetricAlarm", "*", &ex), 0);
    CHECK_EQ_INT(c->err.status, 0);
    fx_close(&f);
}
