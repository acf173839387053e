/*
 * wire_errors_test.c — call_fail() and error rendering by wire_respond(): Query
 * <ErrorResponse>, EC2 <Response><Errors>, JSON/CBOR {"__type","message"} with
 * x-amzn-query-error and the status rules of awsQueryCompatible services
 * (aws-behaviour.md §4.6, §6.1). Hand-built model tables; golden bodies in
 * tests/golden/wire/ are also fed to botocore's parsers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "wire/out_internal.h"
#include "wire/wire.h"

/* A CloudWatch-like awsQueryCompatible service with a few modeled errors. */
enum { S_DAO, S_STR, S_RNF, S_DNF, S_LEF, S_IPV, S_ISF, S_NSHAPES };
enum { M_DAO_NEXT, M_RNF_MSG, M_DNF_MSG, M_LEF_MSG, M_IPV_MSG, M_ISF_MSG, M_NMEMBERS };

#define ERR(n, code, st, m, fl)                                                                    \
    {                                                                                              \
        .name = n, .type = SH_STRUCTURE, .first = m, .count = 1, .flags = SHF_ERROR | (fl),        \
        .error_code = code, .error_status = st                                                     \
    }

static const struct model_shape cw_shapes[S_NSHAPES] = {
    [S_DAO] = {.name = "DescribeAlarmsOutput",
               .type = SH_STRUCTURE,
               .first = M_DAO_NEXT,
               .count = 1},
    [S_STR] = {.name = "String", .type = SH_STRING},
    /* DashboardNotFoundError shares the code ResourceNotFound and comes first on purpose. */
    [S_DNF] = ERR("DashboardNotFoundError", "ResourceNotFound", 404, M_DNF_MSG, SHF_SENDER_FAULT),
    [S_RNF] = ERR("ResourceNotFound", "ResourceNotFound", 404, M_RNF_MSG, SHF_SENDER_FAULT),
    [S_LEF] = ERR("LimitExceededFault", "LimitExceeded", 400, M_LEF_MSG, SHF_SENDER_FAULT),
    [S_IPV] = ERR("InvalidParameterValueException", "InvalidParameterValue", 400, M_IPV_MSG,
                  SHF_SENDER_FAULT),
    [S_ISF] = ERR("InternalServiceFault", "InternalServiceError", 500, M_ISF_MSG, 0),
};
static const struct model_member cw_members[M_NMEMBERS] = {
    [M_DAO_NEXT] = {.name = "NextToken", .shape = S_STR},
    [M_RNF_MSG] = {.name = "message", .shape = S_STR},
    [M_DNF_MSG] = {.name = "message", .shape = S_STR},
    [M_LEF_MSG] = {.name = "message", .shape = S_STR},
    [M_IPV_MSG] = {.name = "message", .shape = S_STR},
    [M_ISF_MSG] = {.name = "message", .shape = S_STR},
};
static const uint32_t dashboard_errors[] = {S_DNF};
static const struct model_op cw_ops[] = {
    {.name = "DeleteAlarms", .input = -1, .output = -1},
    {.name = "DescribeAlarms",
     .input = -1,
     .output = S_DAO,
     .result_wrapper = "DescribeAlarmsResult"},
    {.name = "GetDashboard", .input = -1, .output = -1, .errors = dashboard_errors, .nerrors = 1},
};
static const struct model_service cw_svc = {
    .id = "cloudwatch",
    .json_version = "1.0",
    .xmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/",
    .smithy_ns = "com.amazonaws.cloudwatch.v2010_08_01",
    .protocols = PROTO_QUERY | PROTO_JSON | PROTO_CBOR,
    .query_compatible = true,
    .shapes = cw_shapes,
    .nshapes = S_NSHAPES,
    .members = cw_members,
    .ops = cw_ops,
    .nops = ARRAY_LEN(cw_ops),
};

/* A plain awsJson 1.1 service (not query-compatible). */
static const struct model_shape js_shapes[] = {
    {.name = "String", .type = SH_STRING},
    {.name = "ResourceNotFoundException",
     .type = SH_STRUCTURE,
     .first = 0,
     .count = 1,
     .flags = SHF_ERROR | SHF_SENDER_FAULT,
     .error_code = "ResourceNotFoundException",
     .error_status = 400},
};
static const struct model_member js_members[] = {{.name = "message", .shape = 0}};
static const struct model_op js_ops[] = {{.name = "DescribeThing", .input = -1, .output = -1}};
static const struct model_service js_svc = {
    .id = "things",
    .json_version = "1.1",
    .smithy_ns = "com.amazonaws.things",
    .protocols = PROTO_JSON,
    .shapes = js_shapes,
    .nshapes = ARRAY_LEN(js_shapes),
    .members = js_members,
    .ops = js_ops,
    .nops = 1,
};

static const struct model_op ec2_ops[] = {{.name = "DescribeInstances", .input = -1, .output = -1}};
static const struct model_service ec2_svc = {
    .id = "ec2",
    .xmlns = "http://ec2.amazonaws.com/doc/2016-11-15",
    .protocols = PROTO_EC2,
    .ops = ec2_ops,
    .nops = 1,
};

#define REQ_ID "8f6a1c2e-0000-4000-8000-000000000002"

struct fx {
    struct call c;
    struct out out;
    struct response resp;
};

static void fx_init(struct fx *f, enum proto p, const struct model_service *svc, const char *op)
{
    memset(f, 0, sizeof(*f));
    f->c.a = arena_new();
    f->c.svc = svc;
    f->c.proto = p;
    f->c.op_name = op;
    for (uint32_t i = 0; svc && i < svc->nops; i++)
        if (strcmp(svc->ops[i].name, op) == 0)
            f->c.op = &svc->ops[i];
    snprintf(f->c.request_id, sizeof(f->c.request_id), "%s", REQ_ID);
    f->c.out = &f->out;
    if (svc && f->c.op)
        out_init(f->c.out, p, svc, f->c.op);
}

static void fx_free(struct fx *f)
{
    out_free(&f->out);
    buf_free(&f->resp.body);
    arena_free(f->c.a);
}

static const char *hdr(const struct response *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (str_ieq(r->headers[i].name, name))
            return r->headers[i].value;
    return NULL;
}

static char *golden(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/golden/wire/%s", name);
    *len = 0;
    return harness_read_file(path, len);
}

static void check_golden(const char *name, const struct buf *body, const char *file, int line)
{
    if (getenv("WIRE_GOLDEN_WRITE")) {
        char p[256];
        snprintf(p, sizeof(p), "tests/golden/wire/%s", name);
        FILE *fp = fopen(p, "wb");
        if (fp) {
            fwrite(body->p, 1, body->len, fp);
            fclose(fp);
        }
        return;
    }
    size_t gl;
    char *g = golden(name, &gl);
    if (!g)
        harness_fail(file, line, "golden file %s missing", name);
    else if (gl != body->len || memcmp(g, body->p, gl) != 0)
        harness_fail(file, line, "%s differs:\n  expected %.*s\n  got      %.*s", name, (int)gl, g,
                     (int)body->len, body->p);
    free(g);
}
#define CHECK_GOLDEN(name, body) check_golden(name, body, __FILE__, __LINE__)

/* ---------------- call_fail ---------------- */
TEST(wire_errors_call_fail_first_wins)
{
    struct fx f;
    fx_init(&f, PROTO_QUERY, &cw_svc, "DescribeAlarms");
    CHECK_EQ_INT(call_fail(&f.c, 400, "ValidationError", "Value '%s' at '%s' failed", "x", "y"),
                 -1);
    CHECK_EQ_INT(call_fail(&f.c, 500, "InternalFailure", "later"), -1);
    CHECK_EQ_INT(f.c.err.status, 400);
    CHECK_EQ_STR(f.c.err.code, "ValidationError");
    CHECK_EQ_STR(f.c.err.message, "Value 'x' at 'y' failed");
    CHECK(f.c.err.sender);
    fx_free(&f);

    fx_init(&f, PROTO_QUERY, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 503, "ServiceUnavailable", NULL);
    CHECK_EQ_INT(f.c.err.status, 503);
    CHECK(!f.c.err.sender);
    CHECK(f.c.err.message == NULL);
    fx_free(&f);
}

/* ---------------- Query ---------------- */
TEST(wire_errors_query_golden)
{
    struct fx f;
    fx_init(&f, PROTO_QUERY, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 400, "ValidationError",
              "1 validation error detected: Value 'x' at 'stateValue' failed to satisfy "
              "constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_EQ_STR(f.resp.content_type, "text/xml");
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-RequestId"), REQ_ID);
    CHECK(hdr(&f.resp, "x-amzn-query-error") == NULL);
    CHECK_GOLDEN("query_error_validation.xml", &f.resp.body);
    fx_free(&f);
}

TEST(wire_errors_query_no_message)
{
    struct fx f;
    fx_init(&f, PROTO_QUERY, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 404, "ResourceNotFound", NULL);
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 404);
    /* The recorded AWS form (aws-behaviour.md §6.1), byte for byte. */
    CHECK_EQ_STR(f.resp.body.p,
                 "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                 "<Error><Type>Sender</Type><Code>ResourceNotFound</Code></Error>"
                 "<RequestId>" REQ_ID "</RequestId></ErrorResponse>");
    CHECK_GOLDEN("query_error_not_found.xml", &f.resp.body);
    fx_free(&f);
}

TEST(wire_errors_query_receiver_and_escaping)
{
    struct fx f;
    fx_init(&f, PROTO_QUERY, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 500, "InternalFailure", "bad <thing> & \"quotes\"");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 500);
    CHECK_CONTAINS(f.resp.body.p, "<Error><Type>Receiver</Type><Code>InternalFailure</Code>"
                                  "<Message>bad &lt;thing&gt; &amp; &quot;quotes&quot;</Message>"
                                  "</Error>");
    fx_free(&f);
}

TEST(wire_errors_unknown_service)
{
    /* Routing failed before a service was known: Query form without a namespace. */
    struct fx f;
    fx_init(&f, 0, NULL, "Frobnicate");
    call_fail(&f.c, 400, "InvalidAction",
              "The action Frobnicate is not valid for this web service.");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_EQ_STR(f.resp.body.p,
                 "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>"
                 "<Message>The action Frobnicate is not valid for this web service.</Message>"
                 "</Error><RequestId>" REQ_ID "</RequestId></ErrorResponse>");
    fx_free(&f);

    fx_init(&f, PROTO_JSON, NULL, "Frobnicate");
    call_fail(&f.c, 400, "UnknownOperationException", NULL);
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_EQ_STR(f.resp.content_type, "application/x-amz-json-1.0");
    CHECK_EQ_STR(f.resp.body.p,
                 "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}");
    CHECK(hdr(&f.resp, "x-amzn-query-error") == NULL);
    fx_free(&f);
}

/* ---------------- EC2 ---------------- */
TEST(wire_errors_ec2_golden)
{
    struct fx f;
    fx_init(&f, PROTO_EC2, &ec2_svc, "DescribeInstances");
    call_fail(&f.c, 401, "AuthFailure",
              "AWS was not able to validate the provided access credentials");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 401);
    CHECK_EQ_STR(f.resp.content_type, "text/xml;charset=UTF-8");
    CHECK_EQ_STR(f.resp.body.p,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
                 "<Code>AuthFailure</Code><Message>AWS was not able to validate the provided "
                 "access credentials</Message></Error></Errors><RequestID>" REQ_ID
                 "</RequestID></Response>");
    CHECK_GOLDEN("ec2_error_auth.xml", &f.resp.body);
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-RequestId"), REQ_ID);
    fx_free(&f);
}

/* ---------------- JSON ---------------- */
TEST(wire_errors_json_modeled_query_mode)
{
    struct fx f;
    fx_init(&f, PROTO_JSON, &cw_svc, "DescribeAlarms");
    f.c.query_mode = true;
    call_fail(&f.c, 404, "ResourceNotFound", "Alarm a does not exist");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 404); /* query-era status with x-amzn-query-mode */
    CHECK_EQ_STR(f.resp.content_type, "application/x-amz-json-1.0");
    CHECK_EQ_STR(f.resp.body.p,
                 "{\"__type\":\"com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFound\","
                 "\"message\":\"Alarm a does not exist\"}");
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-query-error"), "ResourceNotFound;Sender");
    CHECK_EQ_STR(hdr(&f.resp, "X-Amzn-Errortype"), "ResourceNotFound");
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-RequestId"), REQ_ID);
    CHECK(hdr(&f.resp, "Smithy-Protocol") == NULL);
    CHECK_GOLDEN("json_error_not_found.json", &f.resp.body);
    fx_free(&f);
}

TEST(wire_errors_json_status_without_query_mode)
{
    struct fx f;
    fx_init(&f, PROTO_JSON, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 404, "ResourceNotFound", NULL);
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400); /* no x-amzn-query-mode: 400 for any 4xx */
    CHECK_EQ_STR(f.resp.body.p,
                 "{\"__type\":\"com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFound\"}");
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-query-error"), "ResourceNotFound;Sender");
    fx_free(&f);

    fx_init(&f, PROTO_JSON, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 403, "AccessDenied",
              "User: arn:aws:iam::123456789012:user/u is not "
              "authorized to perform: cloudwatch:DescribeAlarms");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_CONTAINS(f.resp.body.p, "\"__type\":\"com.amazon.coral.service#AccessDeniedException\"");
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-query-error"), "AccessDenied;Sender");
    CHECK_EQ_STR(hdr(&f.resp, "X-Amzn-Errortype"), "AccessDeniedException");
    fx_free(&f);

    /* 5xx stays 5xx. */
    fx_init(&f, PROTO_JSON, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 500, "InternalServiceError", "boom");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 500);
    CHECK_CONTAINS(f.resp.body.p, "v2010_08_01#InternalServiceFault\"");
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-query-error"), "InternalServiceError;Receiver");
    fx_free(&f);
}

TEST(wire_errors_json_code_differs_from_shape_name)
{
    struct fx f;
    fx_init(&f, PROTO_JSON, &cw_svc, "DescribeAlarms");
    f.c.query_mode = true;
    call_fail(&f.c, 400, "LimitExceeded", "The maximum number of alarms has been reached.");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_CONTAINS(f.resp.body.p,
                   "{\"__type\":\"com.amazonaws.cloudwatch.v2010_08_01#LimitExceededFault\"");
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-query-error"), "LimitExceeded;Sender");
    fx_free(&f);
}

TEST(wire_errors_json_shape_tie_break)
{
    struct fx f;
    /* Without op errors, the shape named like the code wins over DashboardNotFoundError. */
    fx_init(&f, PROTO_JSON, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 404, "ResourceNotFound", NULL);
    wire_respond(&f.c, &f.resp);
    CHECK_CONTAINS(f.resp.body.p, "#ResourceNotFound\"");
    fx_free(&f);
    /* The operation's own modeled errors come first. */
    fx_init(&f, PROTO_JSON, &cw_svc, "GetDashboard");
    call_fail(&f.c, 404, "ResourceNotFound", NULL);
    wire_respond(&f.c, &f.resp);
    CHECK_CONTAINS(f.resp.body.p, "#DashboardNotFoundError\"");
    fx_free(&f);
}

TEST(wire_errors_json_unmodeled_coral_types)
{
    static const struct {
        const char *code;
        int status;
        const char *type;
    } cases[] = {
        {"ValidationError", 400, "com.amazon.coral.validate#ValidationException"},
        {"InvalidClientTokenId", 403, "com.amazon.coral.service#UnrecognizedClientException"},
        {"SignatureDoesNotMatch", 403, "com.amazon.coral.service#InvalidSignatureException"},
        {"MissingAuthenticationToken", 403,
         "com.amazon.coral.service#MissingAuthenticationTokenException"},
        {"AccessDenied", 403, "com.amazon.coral.service#AccessDeniedException"},
        {"ExpiredToken", 403, "com.amazon.coral.service#ExpiredTokenException"},
        {"IncompleteSignature", 400, "com.amazon.coral.service#IncompleteSignatureException"},
        {"UnknownOperationException", 400, "com.amazon.coral.service#UnknownOperationException"},
        {"InternalFailure", 500, "com.amazon.coral.service#InternalFailure"},
        {"Throttling", 400, "com.amazon.coral.availability#ThrottlingException"},
        {"SomethingNew", 400, "com.amazonaws.cloudwatch.v2010_08_01#SomethingNew"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct fx f;
        fx_init(&f, PROTO_JSON, &cw_svc, "DescribeAlarms");
        f.c.query_mode = true;
        call_fail(&f.c, cases[i].status, cases[i].code, "m");
        wire_respond(&f.c, &f.resp);
        char want[256];
        snprintf(want, sizeof(want), "{\"__type\":\"%s\",\"message\":\"m\"}", cases[i].type);
        CHECK_EQ_STR(f.resp.body.p, want);
        CHECK_EQ_INT(f.resp.status, cases[i].status);
        char qe[128];
        snprintf(qe, sizeof(qe), "%s;%s", cases[i].code,
                 cases[i].status < 500 ? "Sender" : "Receiver");
        CHECK_EQ_STR(hdr(&f.resp, "x-amzn-query-error"), qe);
        fx_free(&f);
    }
}

TEST(wire_errors_json_plain_service)
{
    struct fx f;
    fx_init(&f, PROTO_JSON, &js_svc, "DescribeThing");
    call_fail(&f.c, 404, "ResourceNotFoundException", "nope");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 404); /* not query-compatible: status as given */
    CHECK_EQ_STR(f.resp.content_type, "application/x-amz-json-1.1");
    CHECK_EQ_STR(f.resp.body.p, "{\"__type\":\"com.amazonaws.things#ResourceNotFoundException\","
                                "\"message\":\"nope\"}");
    CHECK(hdr(&f.resp, "x-amzn-query-error") == NULL);
    fx_free(&f);
}

TEST(wire_errors_json_message_escaped)
{
    struct fx f;
    fx_init(&f, PROTO_JSON, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 400, "ValidationError", "bad \"name\"\n\x01\xff");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_STR(f.resp.body.p, "{\"__type\":\"com.amazon.coral.validate#ValidationException\","
                                "\"message\":\"bad \\\"name\\\"\\n\\u0001\xEF\xBF\xBD\"}");
    json_error_t err;
    json_t *j = json_loadb(f.resp.body.p, f.resp.body.len, 0, &err);
    CHECK(j != NULL);
    json_decref(j);
    fx_free(&f);
}

/* ---------------- CBOR ---------------- */
TEST(wire_errors_cbor_golden)
{
    struct fx f;
    fx_init(&f, PROTO_CBOR, &cw_svc, "DescribeAlarms");
    f.c.query_mode = true;
    call_fail(&f.c, 400, "ValidationError", "bad");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_EQ_STR(f.resp.content_type, "application/cbor");
    CHECK_EQ_STR(hdr(&f.resp, "Smithy-Protocol"), "rpc-v2-cbor");
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-query-error"), "ValidationError;Sender");
    CHECK(hdr(&f.resp, "X-Amzn-Errortype") == NULL);
    static const char type[] = "com.amazon.coral.validate#ValidationException";
    struct buf want = BUF_INIT;
    buf_putc(&want, (char)0xbf);
    buf_put(&want, "\x66__type", 7);
    buf_putc(&want, (char)(0x78));
    buf_putc(&want, (char)(sizeof(type) - 1));
    buf_put(&want, type, sizeof(type) - 1);
    buf_put(&want,
            "\x67message\x63"
            "bad",
            12);
    buf_putc(&want, (char)0xff);
    CHECK_EQ_INT(f.resp.body.len, want.len);
    if (f.resp.body.len == want.len)
        CHECK_EQ_MEM(f.resp.body.p, want.p, want.len);
    CHECK_GOLDEN("cbor_error_validation.cbor", &f.resp.body);
    buf_free(&want);
    fx_free(&f);

    fx_init(&f, PROTO_CBOR, &cw_svc, "DescribeAlarms");
    call_fail(&f.c, 404, "ResourceNotFound", NULL);
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_GOLDEN("cbor_error_not_found.cbor", &f.resp.body);
    fx_free(&f);
}

/* ---------------- misuse and odd calls ---------------- */
TEST(wire_errors_misuse_per_protocol)
{
    enum log_level saved = log_min_level;
    log_min_level = (enum log_level)(LOG_ERROR + 1);
    struct fx f;
    fx_init(&f, PROTO_EC2, &ec2_svc, "DescribeInstances");
    out_str(&f.out, "Anything", "x"); /* the op has no output */
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 500);
    CHECK_CONTAINS(f.resp.body.p, "<Response><Errors><Error><Code>InternalFailure</Code>");
    fx_free(&f);

    fx_init(&f, PROTO_CBOR, &cw_svc, "DescribeAlarms");
    out_begin(&f.out, "NextToken");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 500);
    CHECK_EQ_STR(hdr(&f.resp, "x-amzn-query-error"), "InternalFailure;Receiver");
    CHECK(memmem(f.resp.body.p, f.resp.body.len, "com.amazon.coral.service#InternalFailure", 40) !=
          NULL);
    fx_free(&f);
    log_min_level = saved;
}

TEST(wire_errors_handler_error_wins_over_partial_output)
{
    struct fx f;
    fx_init(&f, PROTO_QUERY, &cw_svc, "DescribeAlarms");
    out_str(&f.out, "NextToken", "partial");
    call_fail(&f.c, 400, "InvalidNextToken",
              "The service couldn't process your request "
              "because of an invalid NextToken.");
    wire_respond(&f.c, &f.resp);
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK(strstr(f.resp.body.p, "partial") == NULL);
    CHECK_CONTAINS(f.resp.body.p, "<Code>InvalidNextToken</Code>");
    fx_free(&f);
}

TEST(wire_errors_request_id_generated)
{
    struct fx f;
    fx_init(&f, PROTO_QUERY, &cw_svc, "DescribeAlarms");
    f.c.request_id[0] = 0;
    call_fail(&f.c, 400, "ValidationError", "x");
    wire_respond(&f.c, &f.resp);
    const char *id = hdr(&f.resp, "x-amzn-RequestId");
    CHECK(id != NULL);
    CHECK_EQ_INT(strlen(id), 36);
    char want[80];
    snprintf(want, sizeof(want), "<RequestId>%s</RequestId>", id);
    CHECK_CONTAINS(f.resp.body.p, want);
    fx_free(&f);
}
