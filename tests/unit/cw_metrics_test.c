/*
 * cw_metrics_test.c — CloudWatch metric data: PutMetricData, ListMetrics,
 * GetMetricStatistics through the service fixture, and the cw.h building blocks.
 * Calls use the JSON protocol (current boto3), so f.json is the response body; timestamps
 * in it are epoch seconds.
 */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "svc/cloudwatch/cw.h"
#include "svc_fixture.h"

#define T0S (FX_T0 / 1000) /* FX_T0 in seconds */
#define MIN_MS 60000LL

static int put(struct fx *f, const char *json)
{
    return fx_call(f, "cloudwatch", "PutMetricData", cw_put_metric_data, json);
}

static int list(struct fx *f, const char *json)
{
    return fx_call(f, "cloudwatch", "ListMetrics", cw_list_metrics, json);
}

static size_t nmetrics(const struct fx *f)
{
    return json_array_size(json_object_get(f->json, "Metrics"));
}

static size_t ndatapoints(const struct fx *f)
{
    return json_array_size(json_object_get(f->json, "Datapoints"));
}

/* The datapoint with this Timestamp (epoch seconds) and Unit, or NULL. */
static json_t *dp_at(const struct fx *f, long long ts_s, const char *unit)
{
    size_t i;
    json_t *d;
    for (i = 0; (d = json_array_get(json_object_get(f->json, "Datapoints"), i)) != NULL; i++) {
        if ((long long)json_number_value(json_object_get(d, "Timestamp")) == ts_s &&
            str_eq(json_string_value(json_object_get(d, "Unit")), unit))
            return d;
    }
    return NULL;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* ---------------------------------------------------------------- PutMetricData + ListMetrics */

TEST(cw_put_then_list_canonical_dimensions)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"App\",\"MetricData\":["
                         "{\"MetricName\":\"Latency\",\"Value\":1,"
                         " \"Dimensions\":[{\"Name\":\"Stage\",\"Value\":\"prod\"},"
                         "                 {\"Name\":\"Api\",\"Value\":\"orders\"}]},"
                         "{\"MetricName\":\"Latency\",\"Value\":2,"
                         " \"Dimensions\":[{\"Name\":\"Api\",\"Value\":\"orders\"},"
                         "                 {\"Name\":\"Stage\",\"Value\":\"prod\"}]}]}"),
                 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_INT(list(&f, "{}"), 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_INT(nmetrics(&f), 1); /* same dimension set in another order = same metric */
    json_t *m = json_array_get(json_object_get(f.json, "Metrics"), 0);
    CHECK_EQ_STR(json_string_value(json_object_get(m, "Namespace")), "App");
    CHECK_EQ_STR(json_string_value(json_object_get(m, "MetricName")), "Latency");
    json_t *dims = json_object_get(m, "Dimensions");
    CHECK_EQ_INT(json_array_size(dims), 2);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(dims, 0), "Name")), "Api");
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(dims, 1), "Value")), "prod");
    CHECK(json_object_get(f.json, "NextToken") == NULL);

    /* a metric without dimensions lists an empty Dimensions list */
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"App\",\"MetricData\":[{\"MetricName\":\"Up\","
                         "\"Value\":1}]}"),
                 0);
    CHECK_EQ_INT(list(&f, "{\"MetricName\":\"Up\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 1);
    m = json_array_get(json_object_get(f.json, "Metrics"), 0);
    CHECK(json_is_array(json_object_get(m, "Dimensions")));
    CHECK_EQ_INT(json_array_size(json_object_get(m, "Dimensions")), 0);
    fx_close(&f);
}

TEST(cw_list_metrics_filters)
{
    /* the set LocalStack's AWS-validated test_list_metrics_with_filters uses */
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put(&f,
                     "{\"Namespace\":\"test/x\",\"MetricData\":["
                     "{\"MetricName\":\"CPUUtilization\",\"Value\":15},"
                     "{\"MetricName\":\"MemoryUtilization\",\"Value\":30,"
                     " \"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"one\"}]},"
                     "{\"MetricName\":\"DiskReadOps\",\"Value\":15,"
                     " \"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"two\"}]},"
                     "{\"MetricName\":\"DiskWriteOps\",\"Dimensions\":[{\"Name\":\"InstanceId\","
                     " \"Value\":\"two\"}],\"StatisticValues\":{\"Maximum\":1,\"Minimum\":1,"
                     " \"SampleCount\":1,\"Sum\":1}}]}"),
                 0);
    CHECK_EQ_INT(put(&f,
                     "{\"Namespace\":\"other\",\"MetricData\":[{\"MetricName\":\"CPUUtilization\","
                     "\"Value\":1}]}"),
                 0);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"test/x\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 4);
    CHECK(json_object_get(f.json, "OwningAccounts") == NULL);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"test/x\",\"IncludeLinkedAccounts\":true}"), 0);
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "OwningAccounts")), 4);
    CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(f.json, "OwningAccounts"), 3)),
                 FX_ACCOUNT);
    CHECK_EQ_INT(list(&f, "{}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 5);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"test/x\",\"MetricName\":\"CPUUtilization\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 1);
    CHECK_EQ_INT(list(&f, "{\"MetricName\":\"CPUUtilization\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 2);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"test/x\",\"Dimensions\":[{\"Name\":\"InstanceId\"}]}"),
                 0);
    CHECK_EQ_INT(nmetrics(&f), 3);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"test/x\",\"Dimensions\":[{\"Name\":\"InstanceId\","
                          "\"Value\":\"two\"}]}"),
                 0);
    CHECK_EQ_INT(nmetrics(&f), 2);
    CHECK_EQ_INT(list(&f, "{\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"three\"}]}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 0);
    CHECK(json_is_array(json_object_get(f.json, "Metrics")));
    /* another region of the same account sees nothing */
    f.region = "eu-west-1";
    CHECK_EQ_INT(list(&f, "{}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 0);
    fx_close(&f);
}

TEST(cw_list_metrics_paging)
{
    struct fx f;
    fx_open(&f, FX_T0);
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"Namespace\":\"Paged\",\"MetricData\":[");
    for (int i = 0; i < 501; i++)
        buf_printf(&b, "%s{\"MetricName\":\"m-%d\",\"Value\":21,\"Unit\":\"Seconds\"}",
                   i ? "," : "", i);
    buf_puts(&b, "]}");
    CHECK_EQ_INT(put(&f, b.p), 0);
    buf_free(&b);

    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"Paged\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 500);
    const char *tok = json_string_value(json_object_get(f.json, "NextToken"));
    CHECK(tok != NULL);
    char token[64] = "";
    if (tok)
        snprintf(token, sizeof(token), "%s", tok);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "ListMetrics", cw_list_metrics,
                          "{\"Namespace\":\"Paged\",\"NextToken\":\"%s\"}", token),
                 0);
    CHECK_EQ_INT(nmetrics(&f), 1);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_array_get(json_object_get(f.json, "Metrics"), 0), "MetricName")),
                 "m-500");
    CHECK(json_object_get(f.json, "NextToken") == NULL);

    CHECK_EQ_INT(list(&f, "{\"NextToken\":\"garbage\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_INT(f.resp.status, 400);
    fx_close(&f);
}

TEST(cw_list_metrics_recently_active_and_horizon)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(
        put(&f, "{\"Namespace\":\"R\",\"MetricData\":[{\"MetricName\":\"old\",\"Value\":1}]}"), 0);
    fx_set_time(&f, FX_T0 + 4 * 3600 * 1000LL);
    CHECK_EQ_INT(
        put(&f, "{\"Namespace\":\"R\",\"MetricData\":[{\"MetricName\":\"new\",\"Value\":1}]}"), 0);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"R\",\"RecentlyActive\":\"PT3H\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 1);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_array_get(json_object_get(f.json, "Metrics"), 0), "MetricName")),
                 "new");
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"R\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 2);
    /* two weeks without data: no longer listed */
    fx_set_time(&f, FX_T0 + 14 * 86400 * 1000LL + 3600 * 1000LL);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"R\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 1);
    fx_close(&f);
}

/* ---------------------------------------------------------------- GetMetricStatistics */

/* Two one-minute periods: [T0-2m, T0-1m) holds 1, 2, 3; [T0-1m, T0) holds 10, 20. */
static void put_two_periods(struct fx *f)
{
    CHECK_EQ_INT(fx_callf(f, "cloudwatch", "PutMetricData", cw_put_metric_data,
                          "{\"Namespace\":\"S\",\"MetricData\":["
                          "{\"MetricName\":\"m\",\"Value\":1,\"Timestamp\":%lld},"
                          "{\"MetricName\":\"m\",\"Value\":2,\"Timestamp\":%lld},"
                          "{\"MetricName\":\"m\",\"Value\":3,\"Timestamp\":%lld},"
                          "{\"MetricName\":\"m\",\"Value\":10,\"Timestamp\":%lld},"
                          "{\"MetricName\":\"m\",\"Value\":20,\"Timestamp\":%lld}]}",
                          FX_T0 - 2 * MIN_MS, FX_T0 - 2 * MIN_MS + 10000, FX_T0 - MIN_MS - 1,
                          FX_T0 - MIN_MS, FX_T0 - 5000),
                 0);
}

TEST(cw_get_metric_statistics_each_statistic_two_periods)
{
    struct fx f;
    fx_open(&f, FX_T0);
    put_two_periods(&f);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"S\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                          "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"SampleCount\","
                          "\"Average\",\"Sum\",\"Minimum\",\"Maximum\"]}",
                          FX_T0 - 10 * MIN_MS, FX_T0 + MIN_MS),
                 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_STR(json_string_value(json_object_get(f.json, "Label")), "m");
    CHECK_EQ_INT(ndatapoints(&f), 2);
    json_t *d1 = dp_at(&f, T0S - 120, "None"), *d2 = dp_at(&f, T0S - 60, "None");
    CHECK(d1 != NULL && d2 != NULL);
    CHECK(num(d1, "SampleCount") == 3 && num(d2, "SampleCount") == 2);
    CHECK(num(d1, "Sum") == 6 && num(d2, "Sum") == 30);
    CHECK(num(d1, "Average") == 2 && num(d2, "Average") == 15);
    CHECK(num(d1, "Minimum") == 1 && num(d2, "Minimum") == 10);
    CHECK(num(d1, "Maximum") == 3 && num(d2, "Maximum") == 20);
    CHECK(json_object_get(d1, "ExtendedStatistics") == NULL);

    /* only the statistics asked for; a 120 s period merges both */
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"S\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                          "\"EndTime\":%lld,\"Period\":120,\"Statistics\":[\"Average\"]}",
                          FX_T0 - 2 * MIN_MS, FX_T0),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 1);
    d1 = dp_at(&f, T0S - 120, "None");
    CHECK(d1 != NULL);
    CHECK(num(d1, "Average") == 36.0 / 5);
    CHECK(json_object_get(d1, "Sum") == NULL);
    CHECK(json_object_get(d1, "SampleCount") == NULL);

    /* the start is rounded down to the minute; EndTime is exclusive */
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"S\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                          "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"Sum\"]}",
                          FX_T0 - 2 * MIN_MS + 30000, FX_T0 - MIN_MS),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 1);
    CHECK(num(dp_at(&f, T0S - 120, "None"), "Sum") == 6);
    fx_close(&f);
}

TEST(cw_get_metric_statistics_statistic_values_input)
{
    /* AWS-recorded (LocalStack snapshot): Value 11 + set {10, 55, 1, 10} -> Sum 66, Avg 6 */
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"S\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":11,"
                         "\"Unit\":\"Seconds\"},{\"MetricName\":\"m\",\"Unit\":\"Seconds\","
                         "\"StatisticValues\":{\"SampleCount\":10,\"Sum\":55,\"Minimum\":1,"
                         "\"Maximum\":10}}]}"),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"S\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                          "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"SampleCount\","
                          "\"Average\",\"Sum\",\"Minimum\",\"Maximum\"]}",
                          FX_T0 - MIN_MS, FX_T0 + MIN_MS),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 1);
    json_t *d = dp_at(&f, T0S, "Seconds");
    CHECK(d != NULL);
    CHECK(num(d, "Sum") == 66 && num(d, "SampleCount") == 11 && num(d, "Average") == 6);
    CHECK(num(d, "Minimum") == 1 && num(d, "Maximum") == 11);
    /* a set with count > 1 and min != max has no distribution: no percentile */
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"S\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                          "\"EndTime\":%lld,\"Period\":60,\"ExtendedStatistics\":[\"p50\"]}",
                          FX_T0 - MIN_MS, FX_T0 + MIN_MS),
                 0);
    d = dp_at(&f, T0S, "Seconds");
    CHECK(d != NULL);
    CHECK(json_is_object(json_object_get(d, "ExtendedStatistics")));
    CHECK_EQ_INT(json_object_size(json_object_get(d, "ExtendedStatistics")), 0);
    fx_close(&f);
}

TEST(cw_get_metric_statistics_values_counts_and_percentiles)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"S\",\"MetricData\":[{\"MetricName\":\"v\","
                         "\"Values\":[3,1,2],\"Counts\":[1,1,2]},"
                         "{\"MetricName\":\"v\",\"Values\":[4]}]}"),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"S\",\"MetricName\":\"v\",\"StartTime\":%lld,"
                          "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"SampleCount\","
                          "\"Sum\",\"Minimum\",\"Maximum\",\"Average\"]}",
                          FX_T0, FX_T0 + MIN_MS),
                 0);
    json_t *d = dp_at(&f, T0S, "None");
    CHECK(d != NULL);
    /* values 1, 2, 2, 3, 4 */
    CHECK(num(d, "SampleCount") == 5 && num(d, "Sum") == 12 && num(d, "Average") == 2.4);
    CHECK(num(d, "Minimum") == 1 && num(d, "Maximum") == 4);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"S\",\"MetricName\":\"v\",\"StartTime\":%lld,"
                          "\"EndTime\":%lld,\"Period\":60,\"ExtendedStatistics\":[\"p0\","
                          "\"p20\",\"p50\",\"p80.5\",\"p100\"]}",
                          FX_T0, FX_T0 + MIN_MS),
                 0);
    CHECK(f.out_error == NULL);
    d = dp_at(&f, T0S, "None");
    json_t *x = json_object_get(d, "ExtendedStatistics");
    CHECK(num(x, "p0") == 1);
    CHECK(num(x, "p20") == 1);
    CHECK(num(x, "p50") == 2);
    CHECK(num(x, "p80.5") == 4);
    CHECK(num(x, "p100") == 4);
    CHECK(json_object_get(d, "Sum") == NULL);
    fx_close(&f);
}

TEST(cw_get_metric_statistics_units)
{
    /* AWS-recorded: one datapoint per unit in the same period; a Unit filter picks one */
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"U\",\"MetricData\":["
                         "{\"MetricName\":\"m\",\"Value\":1,\"Unit\":\"Seconds\"},"
                         "{\"MetricName\":\"m\",\"Value\":5,\"Unit\":\"Count\"},"
                         "{\"MetricName\":\"m\",\"Value\":10}]}"),
                 0);
    const char *q = "{\"Namespace\":\"U\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                    "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"Average\"]%s}";
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0 + MIN_MS, ""),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 3);
    CHECK(num(dp_at(&f, T0S, "None"), "Average") == 10);
    CHECK(num(dp_at(&f, T0S, "Count"), "Average") == 5);
    CHECK(num(dp_at(&f, T0S, "Seconds"), "Average") == 1);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0 + MIN_MS, ",\"Unit\":\"Count\""),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 1);
    CHECK(num(dp_at(&f, T0S, "Count"), "Average") == 5);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0 + MIN_MS, ",\"Unit\":\"None\""),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 1);
    CHECK(num(dp_at(&f, T0S, "None"), "Average") == 10);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0 + MIN_MS, ",\"Unit\":\"Bytes\""),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 0);
    CHECK(json_is_array(json_object_get(f.json, "Datapoints")));
    fx_close(&f);
}

TEST(cw_get_metric_statistics_exact_dimensions)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"D\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":7,"
                         "\"Dimensions\":[{\"Name\":\"a\",\"Value\":\"1\"},{\"Name\":\"b\","
                         "\"Value\":\"2\"}]},{\"MetricName\":\"m\",\"Value\":100,"
                         "\"Dimensions\":[{\"Name\":\"a\",\"Value\":\"1\"}]}]}"),
                 0);
    const char *q = "{\"Namespace\":\"D\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                    "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"Sum\"]%s}";
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0, FX_T0 + MIN_MS,
                          ",\"Dimensions\":[{\"Name\":\"b\",\"Value\":\"2\"},"
                          "{\"Name\":\"a\",\"Value\":\"1\"}]"),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 1);
    CHECK(num(dp_at(&f, T0S, "None"), "Sum") == 7);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0, FX_T0 + MIN_MS,
                          ",\"Dimensions\":[{\"Name\":\"a\",\"Value\":\"1\"}]"),
                 0);
    CHECK(num(dp_at(&f, T0S, "None"), "Sum") == 100);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0, FX_T0 + MIN_MS,
                          ",\"Dimensions\":[{\"Name\":\"b\",\"Value\":\"2\"}]"),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 0);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0, FX_T0 + MIN_MS, ""),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 0); /* no dimensions is yet another metric */
    fx_close(&f);
}

TEST(cw_get_metric_statistics_resolution_and_age)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(
        fx_callf(&f, "cloudwatch", "PutMetricData", cw_put_metric_data,
                 "{\"Namespace\":\"H\",\"MetricData\":["
                 "{\"MetricName\":\"hi\",\"Value\":1,\"StorageResolution\":1,\"Timestamp\":%lld},"
                 "{\"MetricName\":\"hi\",\"Value\":2,\"StorageResolution\":1,\"Timestamp\":%lld},"
                 "{\"MetricName\":\"lo\",\"Value\":1,\"Timestamp\":%lld},"
                 "{\"MetricName\":\"lo\",\"Value\":2,\"Timestamp\":%lld}]}",
                 FX_T0 - 55000, FX_T0 - 25000, FX_T0 - 55000, FX_T0 - 25000),
        0);
    const char *q = "{\"Namespace\":\"H\",\"MetricName\":\"%s\",\"StartTime\":%lld,"
                    "\"EndTime\":%lld,\"Period\":10,\"Statistics\":[\"Sum\"]}";
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          "hi", FX_T0 - MIN_MS, FX_T0),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 2);
    CHECK(num(dp_at(&f, T0S - 60, "None"), "Sum") == 1); /* 10 s buckets from the minute */
    CHECK(num(dp_at(&f, T0S - 30, "None"), "Sum") == 2);
    /* standard resolution data is kept per minute */
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          "lo", FX_T0 - MIN_MS, FX_T0),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 1);
    CHECK(num(dp_at(&f, T0S - 60, "None"), "Sum") == 3);
    /* a start more than 3 h ago needs a period that is a multiple of 60 [doc] */
    fx_set_time(&f, FX_T0 + 4 * 3600 * 1000LL);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          "hi", FX_T0 - MIN_MS, FX_T0),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 0);
    fx_close(&f);
}

TEST(cw_get_metric_statistics_query_protocol)
{
    struct fx f;
    fx_open(&f, FX_T0);
    put_two_periods(&f);
    f.proto = PROTO_QUERY;
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"S\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                          "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"Maximum\"]}",
                          FX_T0 - 2 * MIN_MS, FX_T0),
                 0);
    CHECK(f.out_error == NULL);
    CHECK_CONTAINS(f.body, "<GetMetricStatisticsResult>");
    CHECK_CONTAINS(f.body, "<Label>m</Label>");
    CHECK_CONTAINS(f.body, "<Maximum>3");
    CHECK_CONTAINS(f.body, "<Unit>None</Unit>");
    fx_close(&f);
}

/* ---------------------------------------------------------------- validation errors */

#define CHECK_ERR(f, code, msg)                                                                    \
    do {                                                                                           \
        CHECK_EQ_STR(fx_err_code(f), code);                                                        \
        CHECK_EQ_STR(fx_err_message(f), msg);                                                      \
        CHECK_EQ_INT((f)->resp.status, 400);                                                       \
    } while (0)

TEST(cw_put_metric_data_errors)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"AWS/EC2\",\"MetricData\":[{\"MetricName\":\"m\","
                         "\"Value\":1}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue", "The value AWS/ for parameter Namespace is invalid.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\","
                         "\"Value\":1.5,\"Values\":[1.0,10.0]}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterCombination",
              "The parameters MetricData.member.1.Value and MetricData.member.1.Values are "
              "mutually exclusive and you have specified both.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"a\",\"Value\":1},"
                         "{\"MetricName\":\"m\",\"Value\":1.5,\"StatisticValues\":{"
                         "\"SampleCount\":10,\"Sum\":55,\"Minimum\":1,\"Maximum\":10}}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterCombination",
              "The parameters MetricData.member.2.Value and MetricData.member.2.StatisticValues "
              "are mutually exclusive and you have specified both.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\","
                         "\"Values\":[1.0,10.0],\"Counts\":[2,4,5]}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be "
              "of the same size.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\"}]}"), -1);
    CHECK_ERR(&f, "InvalidParameterCombination",
              "At least one of the parameters MetricData.member.1.Value and "
              "MetricData.member.1.StatisticValues must be specified.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1,"
                         "\"Dimensions\":[{\"Name\":\"x\",\"Value\":\"1\"},{\"Name\":\"x\","
                         "\"Value\":\"2\"}]}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue", "No metric may specify the same dimension name twice.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "PutMetricData", cw_put_metric_data,
                          "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1,"
                          "\"Timestamp\":%lld}]}",
                          FX_T0 - 14 * 86400 * 1000LL - 1),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The parameter MetricData.member.1.Timestamp must specify a time within the past "
              "two weeks.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "PutMetricData", cw_put_metric_data,
                          "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1,"
                          "\"Timestamp\":%lld}]}",
                          FX_T0 + 2 * 3600 * 1000LL + 1),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The parameter MetricData.member.1.Timestamp must specify a time no more than two "
              "hours in the future.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\","
                         "\"Value\":\"NaN\"}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The value NaN for parameter MetricData.member.1.Value is invalid.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\","
                         "\"Values\":[1,\"-Infinity\"]}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The value -\xe2\x88\x9e for parameter MetricData.member.1.Values.member.2 is "
              "invalid.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\","
                         "\"Value\":1e-200}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The value 0 for parameter MetricData.member.1.Value is invalid.");
    /* Double.MAX_VALUE as AWS printed it [obs] */
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\","
                         "\"Value\":1.7976931348623157e308}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The value "
              "179,769,313,486,231,570,000,000,000,000,000,000,000,000,000,000,000,000,"
              "000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,"
              "000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,"
              "000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,"
              "000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,"
              "000,000,000,000,000,000,000,000,000,000,000,000,000"
              " for parameter MetricData.member.1.Value is invalid.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1,"
                         "\"StorageResolution\":5}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The value 5 for parameter MetricData.member.1.StorageResolution is invalid.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1,"
                         "\"Timestamp\":1e300}]}"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The parameter MetricData.member.1.Timestamp is invalid.");
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\"}"), -1);
    CHECK_ERR(&f, "MissingParameter", "The parameter MetricData is required.");

    /* nothing of a failed request is stored */
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"ok\",\"Value\":1},"
                         "{\"MetricName\":\"bad\",\"Value\":\"NaN\"}]}"),
                 -1);
    CHECK_EQ_INT(list(&f, "{}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 0);

    /* the JSON error body is AWS-query-compatible */
    CHECK_EQ_INT(put(&f, "{\"Namespace\":\"AWS/X\",\"MetricData\":[{\"MetricName\":\"m\","
                         "\"Value\":1}]}"),
                 -1);
    CHECK_CONTAINS(f.body, "The value AWS/ for parameter Namespace is invalid.");
    fx_close(&f);
}

TEST(cw_put_metric_data_accepts_values_with_statistic_values_and_entities)
{
    struct fx f;
    fx_open(&f, FX_T0);
    /* AWS accepts Values together with StatisticValues [snap] */
    CHECK_EQ_INT(put(&f,
                     "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\","
                     "\"Values\":[1.0,10.0],\"StatisticValues\":{\"SampleCount\":10,"
                     "\"Sum\":55,\"Minimum\":1,\"Maximum\":10}}],"
                     "\"EntityMetricData\":[{\"Entity\":{\"KeyAttributes\":{\"Type\":\"Service\","
                     "\"Name\":\"svc\"}},\"MetricData\":[{\"MetricName\":\"e\",\"Value\":3}]}],"
                     "\"StrictEntityValidation\":false}"),
                 0);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"N\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 2);
    CHECK_EQ_INT(
        fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                 "{\"Namespace\":\"N\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                 "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"Sum\",\"SampleCount\"]}",
                 FX_T0, FX_T0 + MIN_MS),
        0);
    CHECK(num(dp_at(&f, T0S, "None"), "Sum") == 55);
    CHECK(num(dp_at(&f, T0S, "None"), "SampleCount") == 10);
    fx_close(&f);
}

TEST(cw_get_metric_statistics_errors)
{
    struct fx f;
    fx_open(&f, FX_T0);
    const char *q = "{\"Namespace\":\"N\",\"MetricName\":\"m\",\"StartTime\":%lld,"
                    "\"EndTime\":%lld,\"Period\":%d%s}";
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0, FX_T0, 60, ",\"Statistics\":[\"Sum\"]"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The parameter StartTime must be less than the parameter EndTime.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0, 45, ",\"Statistics\":[\"Sum\"]"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0, 60,
                          ",\"Statistics\":[\"Sum\"],\"ExtendedStatistics\":[\"p90\"]"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterCombination",
              "The parameters Statistics and ExtendedStatistics are mutually exclusive and you "
              "have specified both.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0, 60, ""),
                 -1);
    CHECK_ERR(&f, "InvalidParameterCombination",
              "At least one of the parameters Statistics and ExtendedStatistics must be "
              "specified.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - 1441 * MIN_MS, FX_T0, 60, ",\"Statistics\":[\"Sum\"]"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterCombination",
              "You have requested up to 1441 datapoints, which exceeds the limit of 1440. You "
              "may reduce the datapoints requested by increasing Period, or decreasing the time "
              "range.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - 1440 * MIN_MS, FX_T0, 60, ",\"Statistics\":[\"Sum\"]"),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0, 60, ",\"ExtendedStatistics\":[\"p99\",\"p101\"]"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The value p101 for parameter ExtendedStatistics.member.2 is invalid.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          -9223372036854775807LL, 9223372036854775807LL, 2147483640,
                          ",\"Statistics\":[\"Sum\"]"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue", "The parameter StartTime is invalid.");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics, q,
                          FX_T0 - MIN_MS, FX_T0, 60, ",\"Statistics\":[\"Median\"]"),
                 -1);
    CHECK_ERR(&f, "InvalidParameterValue",
              "The parameter Statistics.member.1.<list element> must be a value in the set "
              "[SampleCount, Average, Sum, Minimum, Maximum].");
    fx_close(&f);
}

/* ---------------------------------------------------------------- building blocks */

TEST(cw_dims_canonical_and_text)
{
    struct arena *a = arena_new();
    struct cw_dim d[] = {{"b", "2"}, {"a", "1"}, {"c", "\"q\""}};
    CHECK_EQ_INT(cw_dims_canonical(d, 3, NULL), 0);
    CHECK_EQ_STR(d[0].name, "a");
    CHECK_EQ_STR(d[2].name, "c");
    char *t = cw_dims_text(a, d, 3);
    CHECK_EQ_STR(t, "[{\"Name\":\"a\",\"Value\":\"1\"},{\"Name\":\"b\",\"Value\":\"2\"},"
                    "{\"Name\":\"c\",\"Value\":\"\\\"q\\\"\"}]");
    struct cw_dim *back;
    size_t n;
    CHECK_EQ_INT(cw_dims_parse(a, t, &back, &n), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_STR(back[2].value, "\"q\"");
    CHECK_EQ_STR(cw_dims_text(a, NULL, 0), "[]");
    CHECK_EQ_INT(cw_dims_parse(a, "{", &back, &n), -1);
    struct cw_dim dd[] = {{"x", "1"}, {"x", "2"}};
    const char *dup = NULL;
    CHECK_EQ_INT(cw_dims_canonical(dd, 2, &dup), -1);
    CHECK_EQ_STR(dup, "x");
    arena_free(a);
}

TEST(cw_statistic_helpers)
{
    double p;
    CHECK(cw_stat_percentile("p99", &p) && p == 99);
    CHECK(cw_stat_percentile("p99.99", &p) && p == 99.99);
    CHECK(cw_stat_percentile("p0.0", &p) && p == 0);
    CHECK(cw_stat_percentile("p100", &p) && p == 100);
    CHECK(!cw_stat_percentile("p100.5", &p));
    CHECK(!cw_stat_percentile("p99.999", &p));
    CHECK(!cw_stat_percentile("p", &p));
    CHECK(!cw_stat_percentile("p9.", &p));
    CHECK(!cw_stat_percentile("tm99", &p));
    CHECK(!cw_stat_percentile(NULL, &p));
    CHECK(cw_stat_is_basic("Average") && !cw_stat_is_basic("average"));
    CHECK(cw_period_valid(1) && cw_period_valid(20) && cw_period_valid(300));
    CHECK(!cw_period_valid(0) && !cw_period_valid(15) && !cw_period_valid(90));

    int64_t now = FX_T0;
    CHECK_EQ_INT(cw_align_start(FX_T0 - 37000, 60, now), FX_T0 - 60000);
    CHECK_EQ_INT(cw_align_start(FX_T0 + 23000, 10, now), FX_T0 + 20000);
    CHECK_EQ_INT(cw_align_start(FX_T0 + 23500, 1, now), FX_T0 + 23000);
    int64_t old = FX_T0 - 20 * 86400000LL + 7 * 60000; /* 20 days ago: 5-minute clock */
    CHECK_EQ_INT(cw_align_start(old, 300, now), FX_T0 - 20 * 86400000LL + 5 * 60000);
    int64_t older = FX_T0 - 70 * 86400000LL + 61 * 60000; /* > 63 days: the hour */
    CHECK_EQ_INT(cw_align_start(older, 3600, now), FX_T0 - 70 * 86400000LL + 3600000);

    /* aggregate: implied distribution of single values and equal-valued sets */
    struct arena *a = arena_new();
    struct cw_agg g = {.a = a};
    struct cw_point p1 = {.unit = "None", .count = 1, .sum = 5, .min = 5, .max = 5};
    struct cw_point p2 = {.unit = "None", .count = 3, .sum = 6, .min = 2, .max = 2};
    cw_agg_add(&g, &p1);
    cw_agg_add(&g, &p2);
    double v;
    CHECK(cw_agg_stat(&g, "p50", &v) == 0 && v == 2);
    CHECK(cw_agg_stat(&g, "p90", &v) == 0 && v == 5);
    CHECK(cw_agg_stat(&g, "Average", &v) == 0 && v == 11.0 / 4);
    CHECK(cw_agg_stat(&g, "Nope", &v) == -1);
    struct cw_point neg = {.unit = "None", .count = 1, .sum = -1, .min = -1, .max = -1};
    cw_agg_add(&g, &neg);
    CHECK(cw_agg_stat(&g, "p50", &v) == -1); /* negative values: no percentiles [doc] */
    CHECK(cw_agg_stat(&g, "Minimum", &v) == 0 && v == -1);
    struct cw_agg empty = {.a = a};
    CHECK(cw_agg_stat(&empty, "Sum", &v) == -1);
    arena_free(a);
}

/* A derived-metric provider, as the EC2 status-check metrics will plug in. */
static int fake_fetch(struct store *st, const struct cw_metric *m, int64_t start_ms, int64_t end_ms,
                      const char *unit, int64_t now_ms, struct cw_points *out)
{
    (void)st;
    (void)now_ms;
    if (!str_eq(m->name, "StatusCheckFailed_System") || m->ndims != 1 ||
        !str_eq(m->dims[0].value, "i-0abc"))
        return 0;
    for (int64_t t = FX_T0 - 5 * MIN_MS; t < FX_T0; t += MIN_MS) {
        struct cw_point p = {.ts_ms = t, .unit = "Count", .resolution = 60, .count = 1};
        p.sum = p.min = p.max = t >= FX_T0 - 2 * MIN_MS ? 1 : 0;
        if (t >= start_ms && t < end_ms && (!unit || str_eq(unit, "Count")))
            cw_points_add(out, &p);
    }
    return 0;
}

static int fake_list(struct store *st, struct arena *a, const char *account, const char *region,
                     int64_t now_ms, cw_list_emit_fn emit, void *ctx)
{
    (void)st;
    (void)a;
    (void)account;
    (void)region;
    struct cw_dim d = {"InstanceId", "i-0abc"};
    struct cw_metric m = {account, region, "AWS/EC2", "StatusCheckFailed_System", &d, 1};
    emit(ctx, &m, now_ms - MIN_MS);
    return 0;
}

TEST(cw_provider_derived_metrics)
{
    static const struct cw_provider prov = {"AWS/EC2", fake_fetch, fake_list};
    cw_provider_register(&prov);
    CHECK(cw_provider_find("AWS/EC2") == &prov);
    CHECK(cw_provider_find("AWS/EBS") == NULL);
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(
        put(&f, "{\"Namespace\":\"App\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1}]}"), 0);
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"AWS/EC2\",\"MetricName\":\"StatusCheckFailed_System\","
                          "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"i-0abc\"}],"
                          "\"StartTime\":%lld,\"EndTime\":%lld,\"Period\":60,"
                          "\"Statistics\":[\"Maximum\"]}",
                          FX_T0 - 10 * MIN_MS, FX_T0),
                 0);
    CHECK_EQ_INT(ndatapoints(&f), 5);
    CHECK(num(dp_at(&f, T0S - 60, "Count"), "Maximum") == 1);
    CHECK(num(dp_at(&f, T0S - 180, "Count"), "Maximum") == 0);
    CHECK_EQ_INT(list(&f, "{}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 2);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"AWS/EC2\",\"Dimensions\":[{\"Name\":\"InstanceId\","
                          "\"Value\":\"i-0abc\"}]}"),
                 0);
    CHECK_EQ_INT(nmetrics(&f), 1);
    CHECK_EQ_INT(list(&f, "{\"Namespace\":\"App\"}"), 0);
    CHECK_EQ_INT(nmetrics(&f), 1);
    fx_close(&f);
    cw_providers_clear();
    CHECK(cw_provider_find("AWS/EC2") == NULL);
}
