/* cw_metric_data_test.c — GetMetricData: MetricStat queries, metric math, labels, ScanBy,
 * MaxDatapoints / NextToken, errors; the math series of math alarms. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "base/base.h"
#include "harness.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/cw_eval.h"
#include "svc_fixture.h"

op_handler cw_get_metric_data;

static void put(struct fx *f, const char *name, int64_t ts, double v)
{
    struct cw_dim d = {"Host", "h1"};
    struct cw_metric m = {.account = FX_ACCOUNT,
                          .region = "us-east-1",
                          .ns = "Lab",
                          .name = name,
                          .dims = &d,
                          .ndims = 1};
    struct cw_point p = {
        .ts_ms = ts, .unit = "Count", .resolution = 60, .count = 1, .sum = v, .min = v, .max = v};
    CHECK_EQ_INT(cw_put_point(f->st, &m, &p, f->now_ms), 0);
}

/* three minutes of data: a = 1,2,3 and b = 10,20,30 at T0-3m .. T0-1m */
static void seed(struct fx *f)
{
    for (int i = 0; i < 3; i++) {
        put(f, "a", FX_T0 - (3 - i) * 60000, 1.0 + i);
        put(f, "b", FX_T0 - (3 - i) * 60000 + 30000, 10.0 * (i + 1));
    }
}

#define MS(id, name, stat)                                                                         \
    "{\"Id\":\"" id "\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"Lab\",\"MetricName\":\"" name  \
    "\",\"Dimensions\":[{\"Name\":\"Host\",\"Value\":\"h1\"}]},\"Period\":60,\"Stat\":\"" stat     \
    "\"}"

static const json_t *result(struct fx *f, size_t i)
{
    return json_array_get(json_object_get(f->json, "MetricDataResults"), i);
}

static double val(const json_t *r, size_t i)
{
    return json_number_value(json_array_get(json_object_get(r, "Values"), i));
}

TEST(cw_metric_data_metric_stat_and_math)
{
    struct fx f;
    fx_open(&f, FX_T0);
    seed(&f);
    int rc = fx_callf(
        &f, "cloudwatch", "GetMetricData", cw_get_metric_data,
        "{\"StartTime\":%lld,\"EndTime\":%lld,\"MetricDataQueries\":[" MS(
            "a", "a",
            "Sum") ",\"ReturnData\":false}," MS("b", "b",
                                                "Average") "},"
                                                           "{\"Id\":\"e1\",\"Expression\":\"a + b "
                                                           "* 2\",\"Label\":\"mix\"},"
                                                           "{\"Id\":\"e2\",\"Expression\":\"SUM("
                                                           "METRICS())\"},"
                                                           "{\"Id\":\"e3\",\"Expression\":\"AVG(b) "
                                                           "- MAX([a, b]) / 2\"},"
                                                           "{\"Id\":\"e4\",\"Expression\":\"-(a) / "
                                                           "0\"}]}",
        (long long)(FX_T0 - 600000), (long long)FX_T0);
    CHECK_EQ_INT(rc, 0);
    CHECK(f.json != NULL);
    /* a has ReturnData false: b, e1, e2, e3, e4 */
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "MetricDataResults")), 5);
    const json_t *b = result(&f, 0);
    CHECK_EQ_STR(json_string_value(json_object_get(b, "Id")), "b");
    CHECK_EQ_STR(json_string_value(json_object_get(b, "Label")), "b");
    CHECK_EQ_STR(json_string_value(json_object_get(b, "StatusCode")), "Complete");
    CHECK_EQ_INT(json_array_size(json_object_get(b, "Values")), 3);
    /* newest first by default */
    CHECK(val(b, 0) == 30.0 && val(b, 1) == 20.0 && val(b, 2) == 10.0);
    const json_t *ts = json_object_get(b, "Timestamps");
    CHECK(json_number_value(json_array_get(ts, 0)) * 1000 == (double)(FX_T0 - 60000));

    const json_t *e1 = result(&f, 1);
    CHECK_EQ_STR(json_string_value(json_object_get(e1, "Label")), "mix");
    CHECK(val(e1, 0) == 3 + 60 && val(e1, 1) == 2 + 40 && val(e1, 2) == 1 + 20);
    const json_t *e2 = result(&f, 2); /* a + b per timestamp */
    CHECK(val(e2, 0) == 33 && val(e2, 2) == 11);
    /* AVG(b) = 20 (scalar) minus per-timestamp MAX(a,b)/2 */
    const json_t *e3 = result(&f, 3);
    CHECK_EQ_INT(json_array_size(json_object_get(e3, "Values")), 3);
    CHECK(val(e3, 0) == 20 - 15 && val(e3, 2) == 20 - 5);
    /* division by zero drops the points */
    CHECK_EQ_INT(json_array_size(json_object_get(result(&f, 4), "Values")), 0);
    fx_close(&f);
}

TEST(cw_metric_data_scan_paging)
{
    struct fx f;
    fx_open(&f, FX_T0);
    seed(&f);
    const char *q = "{\"StartTime\":%lld,\"EndTime\":%lld,\"ScanBy\":\"TimestampAscending\","
                    "\"MaxDatapoints\":2,\"MetricDataQueries\":[" MS("a", "a", "Sum") "}," MS(
                        "b", "b", "Sum") "}]%s}";
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricData", cw_get_metric_data, q,
                          (long long)(FX_T0 - 600000), (long long)FX_T0, ""),
                 0);
    const json_t *a = result(&f, 0);
    CHECK_EQ_STR(json_string_value(json_object_get(a, "StatusCode")), "PartialData");
    CHECK(val(a, 0) == 1.0 && val(a, 1) == 2.0);
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "MetricDataResults")), 1);
    const char *tok = json_string_value(json_object_get(f.json, "NextToken"));
    CHECK(tok != NULL);
    char extra[128];
    snprintf(extra, sizeof(extra), ",\"NextToken\":\"%s\"", tok ? tok : "");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricData", cw_get_metric_data, q,
                          (long long)(FX_T0 - 600000), (long long)FX_T0, extra),
                 0);
    a = result(&f, 0);
    CHECK_EQ_STR(json_string_value(json_object_get(a, "Id")), "a");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "StatusCode")), "Complete");
    CHECK_EQ_INT(json_array_size(json_object_get(a, "Values")), 1);
    CHECK(val(a, 0) == 3.0);
    const json_t *b = result(&f, 1);
    CHECK_EQ_STR(json_string_value(json_object_get(b, "StatusCode")), "PartialData");
    CHECK(val(b, 0) == 10.0);
    CHECK(json_object_get(f.json, "NextToken") != NULL);
    /* a bad token */
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricData", cw_get_metric_data, q,
                          (long long)(FX_T0 - 600000), (long long)FX_T0, ",\"NextToken\":\"junk\""),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidNextToken");
    fx_close(&f);
}

TEST(cw_metric_data_errors)
{
    struct fx f;
    fx_open(&f, FX_T0);
    const char *base = "{\"StartTime\":%lld,\"EndTime\":%lld,\"MetricDataQueries\":[%s]}";
    struct {
        const char *queries;
        const char *code;
        const char *msg;
    } cases[] = {
        {MS("A", "a", "Sum") "}", "ValidationError", "MetricDataQueries.member.1.Id"},
        {MS("a", "a", "Sum") "}," MS("a", "b", "Sum") "}", "ValidationError", "not unique"},
        {"{\"Id\":\"e\",\"Expression\":\"x + 1\"}", "ValidationError", "x"},
        {"{\"Id\":\"e\",\"Expression\":\"FOO(1)\"}", "ValidationError", "FOO"},
        {"{\"Id\":\"e\",\"Expression\":\"(1 + \"}", "ValidationError", "Syntax"},
        {"{\"Id\":\"e\",\"Expression\":\"f\"},{\"Id\":\"f\",\"Expression\":\"e\"}",
         "ValidationError", "Circular"},
        {"{\"Id\":\"e\"}", "ValidationError", "MetricStat or Expression"},
        {MS("a", "a", "Bogus") "}", "ValidationError", "Stat"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int rc = fx_callf(&f, "cloudwatch", "GetMetricData", cw_get_metric_data, base,
                          (long long)(FX_T0 - 600000), (long long)FX_T0, cases[i].queries);
        CHECK_EQ_INT(rc, -1);
        CHECK_EQ_STR(fx_err_code(&f), cases[i].code);
        CHECK_CONTAINS(fx_err_message(&f), cases[i].msg);
    }
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricData", cw_get_metric_data, base,
                          (long long)FX_T0, (long long)FX_T0, MS("a", "a", "Sum") "}"),
                 -1);
    fx_close(&f);
}

TEST(cw_metric_data_math_alarm_series)
{
    struct fx f;
    fx_open(&f, FX_T0);
    seed(&f);
    struct arena *a = arena_new();
    json_t *q = json_loads(
        "[" MS("a", "a", "Sum") ",\"ReturnData\":false}," MS(
            "b", "b", "Sum") ",\"ReturnData\":false},{\"Id\":\"e\",\"Expression\":\"b / a\","
                             "\"ReturnData\":true}]",
        0, NULL);
    CHECK(q != NULL);
    struct cw_eval_point pts[5];
    memset(pts, 0, sizeof(pts));
    for (int k = 0; k < 5; k++)
        pts[k].ts_ms = FX_T0 - (5 - k) * 60000;
    CHECK_EQ_INT(cw_math_series(f.st, a, FX_ACCOUNT, "us-east-1", q, 60, FX_T0, pts, 5), 0);
    CHECK(!pts[0].present && !pts[1].present);
    CHECK(pts[2].present && pts[2].value == 10.0);
    CHECK(pts[4].present && pts[4].value == 10.0);
    json_decref(q);
    arena_free(a);
    fx_close(&f);
}

/* Malformed expressions are AWS-shaped errors, never a crash. */
TEST(cw_metric_data_expression_garbage)
{
    struct fx f;
    fx_open(&f, FX_T0);
    seed(&f);
    static const char *const bad[] = {
        "",    "(((((", "[",      "[a,",   "SUM(",   "METRICS(", "METRICS('x", "a /",         "- -",
        "a a", ")",     "1 +* 2", "MAX()", "[1, 2]", "SUM(1,2)", "a[0]",       "AVG([a, 1])",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int rc = fx_callf(&f, "cloudwatch", "GetMetricData", cw_get_metric_data,
                          "{\"StartTime\":%lld,\"EndTime\":%lld,\"MetricDataQueries\":[" MS(
                              "a", "a", "Sum") ",\"ReturnData\":false},"
                                               "{\"Id\":\"e\",\"Expression\":\"%s\"}]}",
                          (long long)(FX_T0 - 600000), (long long)FX_T0, bad[i]);
        CHECK_EQ_INT(rc, -1);
        CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    }
    /* deep nesting stops at the depth limit */
    char deep[400];
    memset(deep, '(', 300);
    deep[300] = '1';
    deep[301] = '\0';
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricData", cw_get_metric_data,
                          "{\"StartTime\":%lld,\"EndTime\":%lld,\"MetricDataQueries\":["
                          "{\"Id\":\"e\",\"Expression\":\"%s\"}]}",
                          (long long)(FX_T0 - 600000), (long long)FX_T0, deep),
                 -1);
    /* a scalar expression alone spreads over the periods */
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricData", cw_get_metric_data,
                          "{\"StartTime\":%lld,\"EndTime\":%lld,\"MetricDataQueries\":["
                          "{\"Id\":\"e\",\"Expression\":\"2 * 3\",\"Period\":300}]}",
                          (long long)(FX_T0 - 600000), (long long)FX_T0),
                 0);
    CHECK_EQ_INT(json_array_size(json_object_get(result(&f, 0), "Values")), 2);
    CHECK(val(result(&f, 0), 0) == 6.0);
    fx_close(&f);
}
