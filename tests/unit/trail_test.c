/*
 * trail_test.c — CloudTrail event history: trail_record on hand-made calls (as dispatch and
 * svc_invoke make them) and LookupEvents through the service fixture: userIdentity per
 * principal type, requestParameters (lower-camel, secrets hidden), invokedBy, errors, lookup
 * by each attribute, time range, paging, retention, IAM recorded in us-east-1.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/store.h"
#include "svc/cloudtrail/trail.h"
#include "svc_fixture.h"

/* A call as dispatch leaves it after answering: service, op, the fixture's principal,
 * region and time. in: input tree JSON text (NULL: none). */
static void rec_full(struct fx *f, const char *svc, const char *op, const char *in_text,
                     const char *out_text, const char *invoked_by, int err_status,
                     const char *err_code, const char *err_msg)
{
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = arena_new();
    c.st = f->st;
    c.account = FX_ACCOUNT;
    c.region = f->region;
    c.who = f->who;
    c.now_ms = f->now_ms;
    c.svc = model_service_by_id(svc);
    c.op = c.svc ? model_op_find(c.svc, op) : NULL;
    c.op_name = op;
    uuid4(c.request_id);
    c.err.status = err_status;
    c.err.code = err_code;
    c.err.message = err_msg;
    if (!c.op)
        harness_fail(__FILE__, __LINE__, "no model op %s.%s", svc, op);
    json_t *in = in_text ? json_loads(in_text, 0, NULL) : NULL;
    json_t *out = out_text ? json_loads(out_text, 0, NULL) : NULL;
    if ((in_text && !in) || (out_text && !out))
        harness_fail(__FILE__, __LINE__, "bad JSON in test");
    trail_record(&c, in, out, invoked_by);
    json_decref(in);
    json_decref(out);
    arena_free(c.a);
}

static void rec(struct fx *f, const char *svc, const char *op, const char *in_text)
{
    rec_full(f, svc, op, in_text, NULL, NULL, 0, NULL, NULL);
}

static const char *ALARM_IN =
    "{\"AlarmName\":\"cpu-high\",\"MetricName\":\"CPUUtilization\",\"Namespace\":\"AWS/EC2\","
    "\"Statistic\":\"Average\",\"Period\":60,\"EvaluationPeriods\":2,\"Threshold\":80,"
    "\"ComparisonOperator\":\"GreaterThanThreshold\","
    "\"OKActions\":[\"arn:aws:automate:us-east-1:ec2:recover\"],"
    "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"i-0123456789abcdef0\"}]}";

/* LookupEvents with the given JSON input; returns the number of events. */
static size_t lookup(struct fx *f, const char *json)
{
    fx_call(f, "cloudtrail", "LookupEvents", cloudtrail_lookup_events, json);
    return json_array_size(json_object_get(f->json, "Events"));
}

static size_t lookup_attr(struct fx *f, const char *key, const char *value)
{
    char buf[512];
    snprintf(buf, sizeof(buf),
             "{\"LookupAttributes\":[{\"AttributeKey\":\"%s\",\"AttributeValue\":\"%s\"}]}", key,
             value);
    return lookup(f, buf);
}

/* The CloudTrailEvent of event i of the last lookup, parsed (caller decrefs). */
static json_t *ct_event(struct fx *f, size_t i)
{
    const char *s = fx_js(f, i == 0 ? "Events.0.CloudTrailEvent" : "Events.1.CloudTrailEvent");
    json_t *e = s ? json_loads(s, 0, NULL) : NULL;
    if (!e)
        harness_fail(__FILE__, __LINE__, "no CloudTrailEvent %zu", i);
    return e;
}

static const char *js(json_t *v, const char *path)
{
    return json_string_value(fx_jget(v, path));
}

TEST(trail_user_put_metric_alarm)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    fx_as_user(&f, "alice", "AIDAALICE00000000001");
    rec(&f, "cloudwatch", "PutMetricAlarm", ALARM_IN);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "PutMetricAlarm"), 1);
    CHECK_EQ_STR(fx_js(&f, "Events.0.EventName"), "PutMetricAlarm");
    CHECK_EQ_STR(fx_js(&f, "Events.0.Username"), "alice");
    CHECK_EQ_STR(fx_js(&f, "Events.0.ReadOnly"), "false");
    CHECK_EQ_STR(fx_js(&f, "Events.0.AccessKeyId"), "AKIAFIXTUREUSER00001");
    CHECK_EQ_STR(fx_js(&f, "Events.0.EventSource"), "monitoring.amazonaws.com");
    CHECK_EQ_STR(fx_js(&f, "Events.0.Resources.0.ResourceType"), "AWS::CloudWatch::Alarm");
    CHECK_EQ_STR(fx_js(&f, "Events.0.Resources.0.ResourceName"), "cpu-high");
    /* EventTime: epoch seconds in JSON */
    CHECK_EQ_INT(json_number_value(fx_jget(f.json, "Events.0.EventTime")), FX_T0 / 1000);

    const char *text = fx_js(&f, "Events.0.CloudTrailEvent");
    CHECK(text && text[0] == '{');
    /* AWS's member order */
    const char *order[] = {
        "\"eventVersion\":\"1.09\"", "\"userIdentity\":",       "\"eventTime\":",
        "\"eventSource\":",          "\"eventName\":",          "\"awsRegion\":",
        "\"sourceIPAddress\":",      "\"userAgent\":",          "\"requestParameters\":",
        "\"responseElements\":null", "\"requestID\":",          "\"eventID\":",
        "\"readOnly\":false",        "\"resources\":",          "\"eventType\":\"AwsApiCall\"",
        "\"managementEvent\":true",  "\"recipientAccountId\":", "\"eventCategory\":\"Management\""};
    const char *prev = text;
    for (size_t i = 0; text && i < ARRAY_LEN(order); i++) {
        const char *p = strstr(text, order[i]);
        if (!p || p < prev)
            harness_fail(__FILE__, __LINE__, "%s missing or out of order in %s", order[i], text);
        else
            prev = p;
    }
    json_t *e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "userIdentity.type"), "IAMUser");
    CHECK_EQ_STR(js(e, "userIdentity.principalId"), "AIDAALICE00000000001");
    CHECK_EQ_STR(js(e, "userIdentity.arn"), "arn:aws:iam::123456789012:user/alice");
    CHECK_EQ_STR(js(e, "userIdentity.accountId"), FX_ACCOUNT);
    CHECK_EQ_STR(js(e, "userIdentity.accessKeyId"), "AKIAFIXTUREUSER00001");
    CHECK_EQ_STR(js(e, "userIdentity.userName"), "alice");
    CHECK(fx_jget(e, "userIdentity.sessionContext") == NULL);
    CHECK(fx_jget(e, "userIdentity.invokedBy") == NULL);
    CHECK_EQ_STR(js(e, "eventTime"), "2026-11-28T12:00:00Z");
    CHECK_EQ_STR(js(e, "awsRegion"), "us-east-1");
    CHECK_EQ_STR(js(e, "sourceIPAddress"), "AWS Internal"); /* no HTTP request */
    CHECK_EQ_STR(js(e, "requestParameters.alarmName"), "cpu-high");
    CHECK_EQ_STR(js(e, "requestParameters.oKActions.0"), "arn:aws:automate:us-east-1:ec2:recover");
    CHECK_EQ_STR(js(e, "requestParameters.dimensions.0.name"), "InstanceId");
    CHECK(json_is_real(fx_jget(e, "requestParameters.threshold")));
    CHECK_EQ_INT(json_integer_value(fx_jget(e, "requestParameters.period")), 60);
    CHECK(fx_jget(e, "requestParameters.AlarmName") == NULL);
    CHECK_EQ_STR(js(e, "resources.0.ARN"),
                 "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high");
    CHECK_EQ_STR(js(e, "resources.0.type"), "AWS::CloudWatch::Alarm");
    CHECK_EQ_STR(js(e, "recipientAccountId"), FX_ACCOUNT);
    CHECK(fx_jget(e, "errorCode") == NULL);
    json_decref(e);
    fx_close(&f);
}

TEST(trail_role_session_identity)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    /* the session's access key row as STS stores it: created 10 minutes earlier */
    sqlite3_stmt *s = store_stmt(
        f.st, "INSERT INTO access_keys(access_key_id, secret, session_token, status, "
              "expires_ms, created_ms, principal) VALUES('ASIAFIXTURESESSION01', 'x', 't', "
              "'Active', ?1, ?2, ?3)");
    sqlite3_bind_int64(s, 1, FX_T0 + 3000000);
    sqlite3_bind_int64(s, 2, FX_T0 - 600000);
    sqlite3_bind_text(s, 3,
                      "{\"kind\":\"role_session\",\"role_arn\":"
                      "\"arn:aws:iam::123456789012:role/ops/deployer\"}",
                      -1, SQLITE_STATIC);
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_reset(s);
    fx_as_role_session(&f, "deployer", "AROADEPLOYER00000001", "cfn-session");
    rec(&f, "cloudwatch", "PutMetricAlarm", ALARM_IN);

    CHECK_EQ_INT(lookup_attr(&f, "Username", "cfn-session"), 1);
    CHECK_EQ_STR(fx_js(&f, "Events.0.AccessKeyId"), "ASIAFIXTURESESSION01");
    json_t *e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "userIdentity.type"), "AssumedRole");
    CHECK_EQ_STR(js(e, "userIdentity.principalId"), "AROADEPLOYER00000001:cfn-session");
    CHECK_EQ_STR(js(e, "userIdentity.arn"),
                 "arn:aws:sts::123456789012:assumed-role/deployer/cfn-session");
    CHECK(fx_jget(e, "userIdentity.userName") == NULL);
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.type"), "Role");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.principalId"),
                 "AROADEPLOYER00000001");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.arn"),
                 "arn:aws:iam::123456789012:role/ops/deployer");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.userName"), "deployer");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.accountId"), FX_ACCOUNT);
    CHECK(json_is_object(fx_jget(e, "userIdentity.sessionContext.webIdFederationData")));
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.attributes.creationDate"),
                 "2026-11-28T11:50:00Z");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.attributes.mfaAuthenticated"), "false");
    json_decref(e);

    /* without a key row: the role ARN from the session's role name */
    f.who.access_key_id[0] = 0;
    snprintf(f.who.access_key_id, sizeof(f.who.access_key_id), "ASIAGONE000000000000");
    rec(&f, "cloudwatch", "DescribeAlarms", "{}");
    CHECK_EQ_INT(lookup_attr(&f, "AccessKeyId", "ASIAGONE000000000000"), 1);
    e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.arn"),
                 "arn:aws:iam::123456789012:role/deployer");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.attributes.creationDate"),
                 "2026-11-28T12:00:00Z");
    CHECK(json_is_null(fx_jget(e, "requestParameters"))); /* no input members */
    CHECK(fx_jget(e, "readOnly") == json_true());
    json_decref(e);
    fx_close(&f);
}

TEST(trail_root_federated_service_identity)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    rec(&f, "cloudwatch", "DescribeAlarms", "{}"); /* root */
    CHECK_EQ_INT(lookup_attr(&f, "Username", "root"), 1);
    json_t *e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "userIdentity.type"), "Root");
    CHECK_EQ_STR(js(e, "userIdentity.principalId"), FX_ACCOUNT);
    CHECK_EQ_STR(js(e, "userIdentity.arn"), "arn:aws:iam::123456789012:root");
    json_decref(e);

    struct principal *p = &f.who;
    memset(p, 0, sizeof(*p));
    p->kind = PRINCIPAL_FEDERATED;
    p->temporary = true;
    snprintf(p->account, sizeof(p->account), FX_ACCOUNT);
    snprintf(p->arn, sizeof(p->arn), "arn:aws:sts::123456789012:federated-user/bob");
    snprintf(p->user_id, sizeof(p->user_id), "123456789012:bob");
    snprintf(p->name, sizeof(p->name), "bob");
    snprintf(p->access_key_id, sizeof(p->access_key_id), "ASIAFEDERATED0000001");
    sqlite3_stmt *s = store_stmt(
        f.st, "INSERT INTO access_keys(access_key_id, secret, session_token, status, "
              "expires_ms, created_ms, principal) VALUES('ASIAFEDERATED0000001', 'x', 't', "
              "'Active', 0, ?1, '{\"issuer\":\"alice\",\"issuer_id\":\"AIDAALICE00000000001\"}')");
    sqlite3_bind_int64(s, 1, FX_T0 - 60000);
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_reset(s);
    rec(&f, "cloudwatch", "DescribeAlarms", "{}");
    CHECK_EQ_INT(lookup_attr(&f, "Username", "bob"), 1);
    e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "userIdentity.type"), "FederatedUser");
    CHECK_EQ_STR(js(e, "userIdentity.principalId"), "123456789012:bob");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.type"), "IAMUser");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.userName"), "alice");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.principalId"),
                 "AIDAALICE00000000001");
    CHECK_EQ_STR(js(e, "userIdentity.sessionContext.sessionIssuer.arn"),
                 "arn:aws:iam::123456789012:user/alice");
    json_decref(e);

    memset(p, 0, sizeof(*p));
    p->kind = PRINCIPAL_SERVICE;
    snprintf(p->account, sizeof(p->account), FX_ACCOUNT);
    snprintf(p->name, sizeof(p->name), "monitoring.amazonaws.com");
    rec(&f, "ec2", "RebootInstances", "{\"InstanceIds\":[\"i-0123456789abcdef0\"]}");
    CHECK_EQ_INT(lookup_attr(&f, "EventSource", "ec2.amazonaws.com"), 1);
    CHECK(fx_jget(f.json, "Events.0.Username") == NULL);
    e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "userIdentity.type"), "AWSService");
    CHECK_EQ_STR(js(e, "userIdentity.invokedBy"), "monitoring.amazonaws.com");
    CHECK(fx_jget(e, "userIdentity.arn") == NULL);
    json_decref(e);
    fx_close(&f);
}

TEST(trail_secrets_hidden)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    rec(&f, "ec2", "RunInstances",
        "{\"ImageId\":\"ami-12345678\",\"MinCount\":1,\"MaxCount\":1,\"UserData\":\"c2VjcmV0\"}");
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "RunInstances"), 1);
    json_t *e = ct_event(&f, 0);
    /* EC2's own layout: userData removed, the image inside instancesSet */
    CHECK_EQ_STR(js(e, "requestParameters.userData"), "<sensitiveDataRemoved>");
    CHECK_EQ_STR(js(e, "requestParameters.instancesSet.items.0.imageId"), "ami-12345678");
    CHECK(!strstr(fx_js(&f, "Events.0.CloudTrailEvent"), "c2VjcmV0"));
    json_decref(e);

    /* output secrets too (CreateAccessKey records its response) */
    rec_full(&f, "iam", "CreateAccessKey", "{\"UserName\":\"alice\"}",
             "{\"AccessKey\":{\"UserName\":\"alice\",\"AccessKeyId\":\"AKIANEW0000000000001\","
             "\"Status\":\"Active\",\"SecretAccessKey\":\"wJalrXUtnFEMI/K7MDENG\","
             "\"CreateDate\":1795867200}}",
             NULL, 0, NULL, NULL);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "CreateAccessKey"), 1);
    e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "responseElements.accessKey.secretAccessKey"),
                 "HIDDEN_DUE_TO_SECURITY_REASONS");
    CHECK_EQ_STR(js(e, "responseElements.accessKey.accessKeyId"), "AKIANEW0000000000001");
    /* JSON-protocol output: timestamps in epoch seconds */
    CHECK_EQ_STR(js(e, "responseElements.accessKey.createDate"), "2026-11-28T12:00:00Z");
    CHECK(!strstr(fx_js(&f, "Events.0.CloudTrailEvent"), "wJalrXUtnFEMI"));
    CHECK_EQ_STR(fx_js(&f, "Events.0.Resources.0.ResourceType"), "AWS::IAM::User");
    json_decref(e);

    /* output of an operation AWS does not record: null */
    rec_full(&f, "cloudwatch", "DescribeAlarms", "{}", "{\"MetricAlarms\":[]}", NULL, 0, NULL,
             NULL);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "DescribeAlarms"), 1);
    e = ct_event(&f, 0);
    CHECK(json_is_null(fx_jget(e, "responseElements")));
    json_decref(e);
    fx_close(&f);
}

/* A call answered in XML (proto): the handler's output written with the out_* writer,
 * then recorded the way dispatch does (no out_json). */
static void rec_xml(struct fx *f, const char *svc, const char *op, enum proto proto,
                    const char *in_text, void (*write)(struct out *o))
{
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = arena_new();
    c.st = f->st;
    c.account = FX_ACCOUNT;
    c.region = f->region;
    c.who = f->who;
    c.now_ms = f->now_ms;
    c.svc = model_service_by_id(svc);
    c.op = model_op_find(c.svc, op);
    c.proto = proto;
    uuid4(c.request_id);
    struct out out;
    c.out = &out;
    out_init(c.out, proto, c.svc, c.op);
    write(c.out);
    CHECK(c.out->error == NULL);
    json_t *in = json_loads(in_text, 0, NULL);
    trail_record(&c, in, NULL, NULL);
    json_decref(in);
    out_free(c.out);
    arena_free(c.a);
}

static void write_access_key(struct out *o)
{
    out_begin(o, "AccessKey");
    out_str(o, "UserName", "alice");
    out_str(o, "AccessKeyId", "AKIANEW0000000000002");
    out_str(o, "Status", "Active");
    out_str(o, "SecretAccessKey", "Zsecret&<stuff>");
    out_time(o, "CreateDate", FX_T0);
    out_end(o);
}

static void write_reservation(struct out *o)
{
    out_str(o, "ReservationId", "r-0123456789abcdef0");
    out_begin(o, "Instances");
    out_begin(o, NULL);
    out_str(o, "InstanceId", "i-0123456789abcdef0");
    out_int(o, "AmiLaunchIndex", 0);
    out_begin(o, "State");
    out_int(o, "Code", 0);
    out_str(o, "Name", "pending");
    out_end(o);
    out_end(o);
    out_begin(o, NULL);
    out_str(o, "InstanceId", "i-0123456789abcdef1");
    out_end(o);
    out_end(o);
}

TEST(trail_response_elements_from_xml)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    rec_xml(&f, "iam", "CreateAccessKey", PROTO_QUERY, "{\"UserName\":\"alice\"}",
            write_access_key);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "CreateAccessKey"), 1);
    json_t *e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "responseElements.accessKey.accessKeyId"), "AKIANEW0000000000002");
    CHECK_EQ_STR(js(e, "responseElements.accessKey.userName"), "alice");
    CHECK_EQ_STR(js(e, "responseElements.accessKey.secretAccessKey"),
                 "HIDDEN_DUE_TO_SECURITY_REASONS");
    CHECK(!strstr(fx_js(&f, "Events.0.CloudTrailEvent"), "Zsecret"));
    CHECK(str_startswith(js(e, "responseElements.accessKey.createDate"), "2026-11-28T12:00:00"));
    json_decref(e);

    rec_xml(&f, "ec2", "RunInstances", PROTO_EC2,
            "{\"ImageId\":\"ami-12345678\",\"MinCount\":2,\"MaxCount\":2}", write_reservation);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "RunInstances"), 1);
    e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "responseElements.reservationId"), "r-0123456789abcdef0");
    /* EC2's XML names and item lists */
    CHECK_EQ_STR(js(e, "responseElements.instancesSet.items.0.instanceId"),
                 "i-0123456789abcdef0");
    CHECK_EQ_STR(js(e, "responseElements.instancesSet.items.1.instanceId"),
                 "i-0123456789abcdef1");
    CHECK_EQ_STR(js(e, "responseElements.instancesSet.items.0.instanceState.name"), "pending");
    CHECK(json_is_integer(fx_jget(e, "responseElements.instancesSet.items.0.instanceState.code")));
    CHECK(js(e, "responseElements.requestId") != NULL);
    json_decref(e);

    fx_close(&f);
}

TEST(trail_invoked_by_and_errors)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    fx_as_user(&f, "cfn", "AIDACFN0000000000001");
    rec_full(&f, "cloudwatch", "PutMetricAlarm", ALARM_IN, "{}", "cloudformation.amazonaws.com", 0,
             NULL, NULL);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "PutMetricAlarm"), 1);
    json_t *e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "userIdentity.invokedBy"), "cloudformation.amazonaws.com");
    CHECK_EQ_STR(js(e, "userIdentity.userName"), "cfn");
    CHECK_EQ_STR(js(e, "sourceIPAddress"), "cloudformation.amazonaws.com");
    CHECK_EQ_STR(js(e, "userAgent"), "cloudformation.amazonaws.com");
    CHECK(json_is_null(fx_jget(e, "responseElements")));
    json_decref(e);

    rec_full(&f, "cloudwatch", "PutMetricAlarm", "{\"AlarmName\":\"bad\"}", NULL, NULL, 400,
             "ValidationError", "Period must be 10, 20, 30 or a multiple of 60");
    CHECK_EQ_INT(lookup_attr(&f, "ResourceName", "bad"), 1);
    e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "errorCode"), "ValidationError");
    CHECK_EQ_STR(js(e, "errorMessage"), "Period must be 10, 20, 30 or a multiple of 60");
    const char *text = fx_js(&f, "Events.0.CloudTrailEvent");
    CHECK(text && strstr(text, "\"errorMessage\"") < strstr(text, "\"requestParameters\""));
    CHECK(text && strstr(text, "\"userAgent\"") < strstr(text, "\"errorCode\""));
    json_decref(e);

    rec_full(&f, "ec2", "StopInstances", "{\"InstanceIds\":[\"i-0aaaaaaaaaaaaaaaa\"]}", NULL, NULL,
             403, "UnauthorizedOperation", "You are not authorized to perform this operation.");
    CHECK_EQ_INT(lookup_attr(&f, "ResourceType", "AWS::EC2::Instance"), 1);
    e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "errorCode"), "Client.UnauthorizedOperation");
    CHECK_EQ_STR(js(e, "resources.0.ARN"),
                 "arn:aws:ec2:us-east-1:123456789012:instance/i-0aaaaaaaaaaaaaaaa");
    json_decref(e);
    fx_close(&f);
}

TEST(trail_lookup_each_attribute)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    fx_as_user(&f, "alice", "AIDAALICE00000000001");
    rec(&f, "cloudwatch", "PutMetricAlarm", ALARM_IN);
    fx_set_time(&f, FX_T0 + 1000);
    rec(&f, "cloudwatch", "DeleteAlarms", "{\"AlarmNames\":[\"cpu-high\",\"other\"]}");
    fx_set_time(&f, FX_T0 + 2000);
    fx_as_root(&f);
    rec(&f, "ec2", "DescribeInstances", "{}");
    rec(&f, "cloudwatch", "PutMetricData",
        "{\"Namespace\":\"X\",\"MetricData\":[]}"); /* not kept */

    CHECK_EQ_INT(lookup(&f, "{}"), 3);
    CHECK_EQ_STR(fx_js(&f, "Events.0.EventName"), "DescribeInstances"); /* newest first */
    CHECK_EQ_STR(fx_js(&f, "Events.2.EventName"), "PutMetricAlarm");
    const char *first_id = fx_js(&f, "Events.1.EventId");
    char id[64];
    snprintf(id, sizeof(id), "%s", first_id ? first_id : "");

    CHECK_EQ_INT(lookup_attr(&f, "EventName", "DeleteAlarms"), 1);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "PutMetricData"), 0);
    CHECK_EQ_INT(lookup_attr(&f, "EventSource", "monitoring.amazonaws.com"), 2);
    CHECK_EQ_INT(lookup_attr(&f, "EventSource", "ec2.amazonaws.com"), 1);
    CHECK_EQ_INT(lookup_attr(&f, "ResourceName", "cpu-high"), 2);
    CHECK_EQ_INT(lookup_attr(&f, "ResourceName", "other"), 1);
    CHECK_EQ_INT(lookup_attr(&f, "ResourceType", "AWS::CloudWatch::Alarm"), 2);
    CHECK_EQ_INT(lookup_attr(&f, "Username", "alice"), 2);
    CHECK_EQ_INT(lookup_attr(&f, "Username", "root"), 1);
    CHECK_EQ_INT(lookup_attr(&f, "AccessKeyId", "AKIAFIXTUREUSER00001"), 2);
    CHECK_EQ_INT(lookup_attr(&f, "ReadOnly", "true"), 1);
    CHECK_EQ_STR(fx_js(&f, "Events.0.EventName"), "DescribeInstances");
    CHECK_EQ_INT(lookup_attr(&f, "ReadOnly", "false"), 2);
    CHECK_EQ_INT(lookup_attr(&f, "EventId", id), 1);
    CHECK_EQ_STR(fx_js(&f, "Events.0.EventName"), "DeleteAlarms");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Events.0.Resources")), 2);

    /* time range (timestamps are ms in the input tree) */
    char buf[160];
    snprintf(buf, sizeof(buf), "{\"StartTime\":%lld,\"EndTime\":%lld}", FX_T0 + 500, FX_T0 + 1500);
    CHECK_EQ_INT(lookup(&f, buf), 1);
    CHECK_EQ_STR(fx_js(&f, "Events.0.EventName"), "DeleteAlarms");
    snprintf(buf, sizeof(buf), "{\"StartTime\":%lld,\"EndTime\":%lld}", FX_T0 + 2000, FX_T0);
    lookup(&f, buf);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidTimeRangeException");

    /* errors */
    lookup(&f, "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\",\"AttributeValue\":\"A\"},"
               "{\"AttributeKey\":\"Username\",\"AttributeValue\":\"B\"}]}");
    CHECK_EQ_STR(fx_err_code(&f), "InvalidLookupAttributesException");
    lookup_attr(&f, "Colour", "blue");
    CHECK_EQ_STR(fx_err_code(&f), "InvalidLookupAttributesException");
    lookup_attr(&f, "ReadOnly", "maybe");
    CHECK_EQ_STR(fx_err_code(&f), "InvalidLookupAttributesException");
    lookup(&f, "{\"MaxResults\":51}");
    CHECK_EQ_STR(fx_err_code(&f), "InvalidMaxResultsException");
    CHECK_EQ_INT(lookup(&f, "{\"EventCategory\":\"insight\"}"), 0);
    CHECK(fx_err_code(&f) == NULL);
    fx_close(&f);
}

TEST(trail_lookup_paging)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    for (int i = 0; i < 5; i++) {
        char in[64];
        snprintf(in, sizeof(in), "{\"AlarmName\":\"a%d\"}", i);
        rec(&f, "cloudwatch", "SetAlarmState", in);
        if (i != 2) /* two events at one instant: seq orders them */
            fx_set_time(&f, f.now_ms + 1000);
    }
    CHECK_EQ_INT(lookup(&f, "{\"MaxResults\":2}"), 2);
    CHECK_EQ_STR(fx_js(&f, "Events.0.Resources.0.ResourceName"), "a4");
    CHECK_EQ_STR(fx_js(&f, "Events.1.Resources.0.ResourceName"), "a3");
    char tok[128];
    snprintf(tok, sizeof(tok), "%s", fx_js(&f, "NextToken") ? fx_js(&f, "NextToken") : "");
    CHECK(tok[0]);
    char buf[256];
    snprintf(buf, sizeof(buf), "{\"MaxResults\":2,\"NextToken\":\"%s\"}", tok);
    CHECK_EQ_INT(lookup(&f, buf), 2);
    CHECK_EQ_STR(fx_js(&f, "Events.0.Resources.0.ResourceName"), "a2");
    CHECK_EQ_STR(fx_js(&f, "Events.1.Resources.0.ResourceName"), "a1");
    snprintf(tok, sizeof(tok), "%s", fx_js(&f, "NextToken") ? fx_js(&f, "NextToken") : "");
    snprintf(buf, sizeof(buf), "{\"MaxResults\":2,\"NextToken\":\"%s\"}", tok);
    CHECK_EQ_INT(lookup(&f, buf), 1);
    CHECK_EQ_STR(fx_js(&f, "Events.0.Resources.0.ResourceName"), "a0");
    CHECK(fx_jget(f.json, "NextToken") == NULL);

    /* a token with other parameters, or garbage */
    snprintf(buf, sizeof(buf),
             "{\"NextToken\":\"%s\",\"LookupAttributes\":[{\"AttributeKey\":\"EventName\","
             "\"AttributeValue\":\"SetAlarmState\"}]}",
             tok);
    lookup(&f, buf);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidNextTokenException");
    lookup(&f, "{\"NextToken\":\"nope\"}");
    CHECK_EQ_STR(fx_err_code(&f), "InvalidNextTokenException");
    fx_close(&f);
}

TEST(trail_retention_and_regions)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    rec(&f, "cloudwatch", "DescribeAlarms", "{}");
    f.region = "us-west-2";
    rec(&f, "iam", "GetUser", "{\"UserName\":\"alice\"}");
    rec(&f, "cloudwatch", "DescribeAlarms", "{}");
    CHECK_EQ_INT(lookup(&f, "{}"), 1); /* us-west-2: its own call only */
    CHECK_EQ_STR(fx_js(&f, "Events.0.EventSource"), "monitoring.amazonaws.com");
    f.region = "us-east-1";
    CHECK_EQ_INT(lookup_attr(&f, "EventSource", "iam.amazonaws.com"), 1);
    json_t *e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "awsRegion"), "us-east-1");
    json_decref(e);
    CHECK_EQ_INT(lookup(&f, "{}"), 2);

    /* 90 days kept */
    fx_set_time(&f, FX_T0 + TRAIL_KEEP_MS - 1000);
    CHECK_EQ_INT(lookup(&f, "{}"), 2);
    fx_set_time(&f, FX_T0 + TRAIL_KEEP_MS + 1000);
    CHECK_EQ_INT(lookup(&f, "{}"), 0);
    for (int i = 0; i < 300; i++)
        rec(&f, "cloudwatch", "DescribeAlarms", "{}");
    sqlite3_stmt *s = store_stmt(f.st, "SELECT count(*) FROM trail_events WHERE at_ms = ?1");
    sqlite3_bind_int64(s, 1, FX_T0);
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(s, 0), 0); /* pruned on insert */
    sqlite3_reset(s);
    CHECK_EQ_INT(lookup(&f, "{}"), 50);
    CHECK(fx_jget(f.json, "NextToken") != NULL);
    fx_close(&f);
}

/* Events recorded while held survive the rollback of their transaction (a stack step that
 * fails on the store); committed ones are not written twice. */
TEST(trail_held_events_survive_a_rollback)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    fx_as_user(&f, "cfn", "AIDACFN0000000000001");
    trail_hold_begin();
    CHECK_EQ_INT(store_begin(f.st), 0);
    rec_full(&f, "cloudwatch", "PutMetricAlarm", ALARM_IN, "{}", "cloudformation.amazonaws.com",
             0, NULL, NULL);
    CHECK_EQ_INT(store_rollback(f.st), 0);
    trail_hold_end(f.st, true);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "PutMetricAlarm"), 1);
    json_t *e = ct_event(&f, 0);
    CHECK_EQ_STR(js(e, "userIdentity.invokedBy"), "cloudformation.amazonaws.com");
    CHECK_EQ_STR(js(e, "requestParameters.alarmName"), "cpu-high");
    json_decref(e);

    trail_hold_begin();
    CHECK_EQ_INT(store_begin(f.st), 0);
    rec_full(&f, "cloudwatch", "PutMetricAlarm", ALARM_IN, "{}", "cloudformation.amazonaws.com",
             0, NULL, NULL);
    CHECK_EQ_INT(store_commit(f.st), 0);
    trail_hold_end(f.st, false);
    CHECK_EQ_INT(lookup_attr(&f, "EventName", "PutMetricAlarm"), 2);
    fx_close(&f);
}
