/* wire_validate_test.c — wire_validate(): constraints and AWS's message forms. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

static const char *const v_enums[] = {"OK", "ALARM", "INSUFFICIENT_DATA"};
static const struct model_member v_members[] = {
    {"RoleSessionName", NULL, NULL, 1, MBF_REQUIRED}, /* 0 */
    {"DurationSeconds", NULL, NULL, 2, 0},            /* 1 */
    {"State", NULL, NULL, 3, 0},                      /* 2 */
    {"Items", NULL, NULL, 4, 0},                      /* 3 */
    {"Secret", NULL, NULL, 6, 0},                     /* 4 */
    {"Ratio", NULL, NULL, 7, 0},                      /* 5 */
    {"Tags", NULL, NULL, 8, 0},                       /* 6 */
    {"Names", NULL, NULL, 10, 0},                     /* 7 */
    {"StackName", NULL, NULL, 12, 0},                 /* 8 */
    {"member", NULL, NULL, 5, 0},                     /* 9: Items element */
    {"Name", NULL, NULL, 9, MBF_REQUIRED},            /* 10: Item.Name */
    {"key", NULL, NULL, 11, 0},                       /* 11 */
    {"value", NULL, NULL, 9, 0},                      /* 12 */
    {"member", NULL, NULL, 9, 0},                     /* 13: Names element */
};
static const struct model_shape v_shapes[] = {
    {.name = "In", .type = SH_STRUCTURE, .first = 0, .count = 9},
    {.name = "Session",
     .type = SH_STRING,
     .flags = SHF_HAS_MIN | SHF_HAS_MAX,
     .min = 2,
     .max = 64,
     .pattern = "[\\w+=,.@-]*"},
    {.name = "Duration",
     .type = SH_INTEGER,
     .flags = SHF_HAS_MIN | SHF_HAS_MAX,
     .min = 900,
     .max = 43200},
    {.name = "StateValue", .type = SH_STRING, .nenum = 3, .enum_first = 0},
    {.name = "ItemList", .type = SH_LIST, .flags = SHF_HAS_MAX, .max = 2, .first = 9, .count = 1},
    {.name = "Item", .type = SH_STRUCTURE, .first = 10, .count = 1},
    {.name = "SecretStr", .type = SH_STRING, .flags = SHF_SENSITIVE | SHF_HAS_MAX, .max = 3},
    {.name = "Ratio", .type = SH_DOUBLE, .flags = SHF_HAS_MIN | SHF_HAS_MAX, .min = 0, .max = 1},
    {.name = "TagMap", .type = SH_MAP, .first = 11, .count = 2},
    {.name = "Str1", .type = SH_STRING, .flags = SHF_HAS_MIN, .min = 1},
    {.name = "NameList", .type = SH_LIST, .flags = SHF_HAS_MIN, .min = 1, .first = 13, .count = 1},
    {.name = "Key3", .type = SH_STRING, .flags = SHF_HAS_MAX, .max = 3},
    {.name = "StackName",
     .type = SH_STRING,
     .pattern = "[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"},
};
static const struct model_op v_ops[] = {{"Op", 0, -1, NULL, NULL, 0}};
static const char *const v_all_ops[] = {"Op"};
#define V_SVC(proto)                                                                               \
    {                                                                                              \
        .id = "vtest", .signing_name = "vtest", .api_version = "2020-01-01", .protocols = (proto), \
        .shapes = v_shapes, .nshapes = sizeof(v_shapes) / sizeof(v_shapes[0]),                     \
        .members = v_members, .enums = v_enums, .ops = v_ops, .nops = 1, .all_ops = v_all_ops,     \
        .nall_ops = 1,                                                                             \
    }
static const struct model_service v_query = V_SVC(PROTO_QUERY);
static const struct model_service v_json = V_SVC(PROTO_JSON);
static const struct model_service v_ec2 = V_SVC(PROTO_EC2);

struct vt {
    struct arena *a;
    struct call c;
    json_t *in;
};

/* Validates the JSON text in against svc's input; returns wire_validate's result. */
static int v_run(struct vt *t, const struct model_service *svc, const char *in)
{
    memset(t, 0, sizeof(*t));
    t->a = arena_new();
    t->c.a = t->a;
    t->c.svc = svc;
    t->c.op = &v_ops[0];
    t->c.proto = (svc->protocols & PROTO_EC2)     ? PROTO_EC2
                 : (svc->protocols & PROTO_QUERY) ? PROTO_QUERY
                                                  : PROTO_JSON;
    t->in = json_loads(in, 0, NULL);
    CHECK(t->in != NULL);
    return wire_validate(&t->c, t->in);
}

static void v_free(struct vt *t)
{
    json_decref(t->in);
    arena_free(t->a);
}

TEST(wire_validate_required_and_ok)
{
    struct vt t;
    CHECK_EQ_INT(v_run(&t, &v_query, "{}"), -1);
    CHECK_EQ_INT(t.c.err.status, 400);
    CHECK_EQ_STR(t.c.err.code, "ValidationError");
    CHECK_EQ_STR(t.c.err.message, "1 validation error detected: Value null at 'roleSessionName' "
                                  "failed to satisfy constraint: Member must not be null");
    v_free(&t);

    CHECK_EQ_INT(v_run(&t, &v_query,
                       "{\"RoleSessionName\": \"s-1@x.y\", \"DurationSeconds\": 900, \"State\": "
                       "\"ALARM\", \"Items\": [{\"Name\": \"a\"}], \"Secret\": \"abc\", "
                       "\"Ratio\": 0.5, \"Tags\": {\"k\": \"v\"}, \"Names\": [\"n\"], "
                       "\"StackName\": \"arn:aws:cloudformation:x\"}"),
                 0);
    CHECK_EQ_INT(t.c.err.status, 0);
    v_free(&t);
}

TEST(wire_validate_pattern_like_sts)
{
    struct vt t;
    /* the message STS gave for this value (aws-behaviour.md §4) */
    CHECK_EQ_INT(v_run(&t, &v_query, "{\"RoleSessionName\": \"Session1:2\"}"), -1);
    CHECK_EQ_STR(t.c.err.message,
                 "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to "
                 "satisfy constraint: Member must satisfy regular expression pattern: "
                 "[\\w+=,.@-]*");
    v_free(&t);
    /* alternation is anchored as a whole */
    const char *ok[] = {"abc-1", "A", "arn:aws:x/y.z+1"}, *bad[] = {"1abc", "ab_c", "xarn:a"};
    char in[128];
    for (size_t i = 0; i < 3; i++) {
        snprintf(in, sizeof(in), "{\"RoleSessionName\": \"ok\", \"StackName\": \"%s\"}", ok[i]);
        CHECK_EQ_INT(v_run(&t, &v_query, in), 0);
        v_free(&t);
        snprintf(in, sizeof(in), "{\"RoleSessionName\": \"ok\", \"StackName\": \"%s\"}", bad[i]);
        CHECK_EQ_INT(v_run(&t, &v_query, in), -1);
        CHECK_CONTAINS(t.c.err.message, "at 'stackName' failed to satisfy constraint: Member "
                                        "must satisfy regular expression pattern: [a-zA-Z]");
        v_free(&t);
    }
}

TEST(wire_validate_many_errors_joined)
{
    struct vt t;
    CHECK_EQ_INT(v_run(&t, &v_query,
                       "{\"RoleSessionName\": \"a\", \"DurationSeconds\": 100, \"State\": "
                       "\"BAD\", \"Items\": [{\"Name\": \"\"}, {}, {\"Name\": \"x\"}], "
                       "\"Secret\": \"toolong\", \"Ratio\": 1.5, \"Names\": []}"),
                 -1);
    CHECK_EQ_STR(t.c.err.code, "ValidationError");
    CHECK_EQ_STR(
        t.c.err.message,
        "9 validation errors detected: "
        "Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length "
        "greater than or equal to 2; "
        "Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value "
        "greater than or equal to 900; "
        "Value 'BAD' at 'state' failed to satisfy constraint: Member must satisfy enum value set: "
        "[OK, ALARM, INSUFFICIENT_DATA]; "
        "Value at 'items' failed to satisfy constraint: Member must have length less than or "
        "equal to 2; "
        "Value '' at 'items.1.member.name' failed to satisfy constraint: Member must have length "
        "greater than or equal to 1; "
        "Value null at 'items.2.member.name' failed to satisfy constraint: Member must not be "
        "null; "
        "Value at 'secret' failed to satisfy constraint: Member must have length less than or "
        "equal to 3; "
        "Value '1.5' at 'ratio' failed to satisfy constraint: Member must have value less than or "
        "equal to 1; "
        "Value '[]' at 'names' failed to satisfy constraint: Member must have length greater than "
        "or equal to 1");
    v_free(&t);

    /* a JSON-only service says ValidationException */
    CHECK_EQ_INT(v_run(&t, &v_json,
                       "{\"RoleSessionName\": \"ok\", \"Ratio\": 10000000.0, "
                       "\"Tags\": {\"long\": \"\"}}"),
                 -1);
    CHECK_EQ_STR(t.c.err.code, "ValidationException");
    CHECK_CONTAINS(t.c.err.message, "3 validation errors detected: Value '1.0E7' at 'ratio'");
    CHECK_CONTAINS(t.c.err.message, "Value 'long' at 'tags' failed to satisfy constraint: Member "
                                    "must have length less than or equal to 3");
    CHECK_CONTAINS(t.c.err.message, "Value '' at 'tags.long' failed");
    v_free(&t);

    /* UTF-16 length: one astral character counts 2, one BMP character 1 */
    CHECK_EQ_INT(v_run(&t, &v_query,
                       "{\"RoleSessionName\": \"ok\", \"Secret\": "
                       "\"\\u00e9\\ud83d\\ude00\"}"),
                 0);
    v_free(&t);
    CHECK_EQ_INT(v_run(&t, &v_query,
                       "{\"RoleSessionName\": \"ok\", \"Secret\": "
                       "\"ab\\ud83d\\ude00\"}"),
                 -1);
    v_free(&t);
}

TEST(wire_validate_ec2_forms)
{
    struct vt t;
    CHECK_EQ_INT(v_run(&t, &v_ec2, "{\"DurationSeconds\": 100}"), -1);
    CHECK_EQ_STR(t.c.err.code, "MissingParameter");
    CHECK_EQ_STR(t.c.err.message, "The request must contain the parameter RoleSessionName");
    v_free(&t);
    CHECK_EQ_INT(v_run(&t, &v_ec2, "{\"RoleSessionName\": \"ok\", \"DurationSeconds\": 100}"), -1);
    CHECK_EQ_STR(t.c.err.code, "InvalidParameterValue");
    CHECK_EQ_STR(t.c.err.message, "Value ( 100 ) for parameter DurationSeconds is invalid. "
                                  "Expecting a value greater than 900.");
    v_free(&t);
    CHECK_EQ_INT(v_run(&t, &v_ec2, "{\"RoleSessionName\": \"ok\", \"Items\": [{}]}"), -1);
    CHECK_EQ_STR(t.c.err.message, "The request must contain the parameter Items.1.Name");
    v_free(&t);
}

/* ---------------- the real CloudWatch model, through route + decode ---------------- */

struct qt {
    struct request rq;
    struct header h[4];
    struct call c;
    json_t *in;
};

static int qt_run(struct qt *t, const char *scope, const char *target, const char *body)
{
    memset(t, 0, sizeof(*t));
    t->rq.arena = arena_new();
    t->rq.method = "POST";
    t->rq.path = "/";
    t->rq.query = "";
    t->rq.headers = t->h;
    t->rq.body = body;
    t->rq.body_len = strlen(body);
    t->h[0].name = target ? "X-Amz-Target" : "Content-Type";
    t->h[0].value = target ? target : "application/x-www-form-urlencoded";
    t->rq.nheaders = 1;
    t->c.a = t->rq.arena;
    t->c.rq = &t->rq;
    if (wire_route(&t->c, scope) || wire_decode(&t->c, &t->in))
        return -2;
    return wire_validate(&t->c, t->in);
}

static void qt_free(struct qt *t)
{
    json_decref(t->in);
    arena_free(t->rq.arena);
}

TEST(wire_validate_cloudwatch_query_era_forms)
{
    struct qt t;
    CHECK_EQ_INT(qt_run(&t, "monitoring", NULL,
                        "Action=PutMetricData&Version=2010-08-01"
                        "&MetricData.member.1.Value=1&MetricData.member.1.Unit=Seconds"),
                 -1);
    CHECK_EQ_INT(t.c.err.status, 400);
    CHECK_EQ_STR(t.c.err.code, "MissingParameter");
    CHECK_EQ_STR(t.c.err.message, "The parameter Namespace is required.\n"
                                  "The parameter MetricData.member.1.MetricName is required.");
    qt_free(&t);

    CHECK_EQ_INT(qt_run(&t, "monitoring", NULL,
                        "Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=m"
                        "&MetricData.member.1.Unit=Parsecs"),
                 -1);
    CHECK_EQ_STR(t.c.err.code, "InvalidParameterValue");
    CHECK_EQ_STR(t.c.err.message,
                 "The parameter MetricData.member.1.Unit must be a value in the set [ Seconds, "
                 "Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, "
                 "Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, "
                 "Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, "
                 "Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, "
                 "Terabits/Second, Count/Second, None ].");
    qt_free(&t);

    /* the same call over awsJson (query-compatible): the same answer */
    CHECK_EQ_INT(qt_run(&t, "monitoring", "GraniteServiceVersion20100801.PutMetricData",
                        "{\"MetricData\": [{\"Value\": 1}]}"),
                 -1);
    CHECK_EQ_STR(t.c.err.code, "MissingParameter");
    CHECK_EQ_STR(t.c.err.message, "The parameter Namespace is required.\n"
                                  "The parameter MetricData.member.1.MetricName is required.");
    qt_free(&t);

    /* GetMetricStatistics: every missing parameter, in model order */
    CHECK_EQ_INT(qt_run(&t, "monitoring", NULL, "Action=GetMetricStatistics"), -1);
    CHECK_EQ_STR(t.c.err.message,
                 "The parameter Namespace is required.\nThe parameter MetricName is required.\n"
                 "The parameter StartTime is required.\nThe parameter EndTime is required.\n"
                 "The parameter Period is required.");
    qt_free(&t);
}

TEST(wire_validate_cloudwatch_coral_forms)
{
    struct qt t;
    /* ListMetrics does not model MissingParameter: the Coral form */
    CHECK_EQ_INT(qt_run(&t, "monitoring", NULL, "Action=ListMetrics&Dimensions.member.1.Value=v"),
                 -1);
    CHECK_EQ_STR(t.c.err.code, "ValidationError");
    CHECK_EQ_STR(t.c.err.message, "1 validation error detected: Value null at "
                                  "'dimensions.1.member.name' failed to satisfy constraint: "
                                  "Member must not be null");
    qt_free(&t);

    char body[400] = "Action=ListMetrics&Namespace=";
    size_t n = strlen(body);
    memset(body + n, 'x', 256);
    body[n + 256] = 0;
    CHECK_EQ_INT(qt_run(&t, "monitoring", NULL, body), -1);
    CHECK_EQ_STR(t.c.err.code, "ValidationError");
    CHECK_CONTAINS(t.c.err.message, "xxx' at 'namespace' failed to satisfy constraint: Member "
                                    "must have length less than or equal to 255");
    qt_free(&t);

    CHECK_EQ_INT(qt_run(&t, "monitoring", NULL, "Action=ListMetrics&Namespace=AWS%2FEC2"), 0);
    qt_free(&t);
}

/* EC2 checks instance types against its own catalogue (with its own message), so a type the
 * model's enum does not list still gets through validation; other EC2 enums are checked. */
TEST(wire_validate_ec2_instance_type_is_open)
{
    struct qt t;
    CHECK_EQ_INT(qt_run(&t, "ec2", NULL,
                        "Action=RunInstances&Version=2016-11-15&ImageId=ami-374db956"
                        "&MinCount=1&MaxCount=1&InstanceType=t2.foo"),
                 0);
    qt_free(&t);
    CHECK_EQ_INT(qt_run(&t, "ec2", NULL,
                        "Action=RunInstances&Version=2016-11-15&ImageId=ami-374db956"
                        "&MinCount=1&MaxCount=1&InstanceType=t2.micro"
                        "&InstanceInitiatedShutdownBehavior=explode"),
                 -1);
    CHECK_EQ_STR(t.c.err.code, "InvalidParameterValue");
    qt_free(&t);
}
