/*
 * cw_alarm_api_test.c — the CloudWatch alarm API through the service fixture:
 * PutMetricAlarm validation and create/update semantics, DescribeAlarms filters and paging,
 * DescribeAlarmsForMetric, DeleteAlarms, Enable/DisableAlarmActions, SetAlarmState,
 * PutCompositeAlarm and the rule language, DescribeAlarmHistory, tags.
 * Calls use JSON (f.json is the response; timestamps in it are epoch seconds).
 */
#include <string.h>

#include "harness.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/cloudwatch/cw_rule.h"
#include "svc_fixture.h"

#define ARN_PREFIX "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"

/* A valid single-metric alarm with extra members spliced in (JSON members, may be ""). */
static int put_alarm(struct fx *f, const char *name, const char *extra)
{
    return fx_callf(f, "cloudwatch", "PutMetricAlarm", cw_put_metric_alarm,
                    "{\"AlarmName\":\"%s\",\"MetricName\":\"CPUUtilization\","
                    "\"Namespace\":\"AWS/EC2\",\"Statistic\":\"Average\",\"Period\":60,"
                    "\"EvaluationPeriods\":2,\"Threshold\":80,"
                    "\"ComparisonOperator\":\"GreaterThanThreshold\"%s%s}",
                    name, *extra ? "," : "", extra);
}

static int put_raw(struct fx *f, const char *json)
{
    return fx_call(f, "cloudwatch", "PutMetricAlarm", cw_put_metric_alarm, json);
}

static int describe(struct fx *f, const char *json)
{
    return fx_call(f, "cloudwatch", "DescribeAlarms", cw_describe_alarms, json);
}

static json_t *metric_alarm(const struct fx *f, size_t i)
{
    return json_array_get(json_object_get(f->json, "MetricAlarms"), i);
}

static size_t n_metric(const struct fx *f)
{
    return json_array_size(json_object_get(f->json, "MetricAlarms"));
}

static size_t n_composite(const struct fx *f)
{
    return json_array_size(json_object_get(f->json, "CompositeAlarms"));
}

static const char *sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *history(struct fx *f, const char *json)
{
    fx_call(f, "cloudwatch", "DescribeAlarmHistory", cw_describe_alarm_history, json);
    return f->body;
}

/* ---------------------------------------------------------------- create / update */

TEST(cw_alarm_put_creates_insufficient_data)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put_alarm(&f, "cpu-high",
                           "\"Dimensions\":[{\"Name\":\"InstanceId\","
                           "\"Value\":\"i-0123456789abcdef0\"}]"),
                 0);
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK_EQ_INT(n_metric(&f), 1);
    json_t *a = metric_alarm(&f, 0);
    CHECK_EQ_STR(sget(a, "AlarmName"), "cpu-high");
    CHECK_EQ_STR(sget(a, "AlarmArn"), ARN_PREFIX "cpu-high");
    CHECK_EQ_STR(sget(a, "StateValue"), "INSUFFICIENT_DATA");
    CHECK_EQ_STR(sget(a, "StateReason"), "Unchecked: Initial alarm creation");
    CHECK(json_is_true(json_object_get(a, "ActionsEnabled")));
    CHECK_EQ_INT(json_array_size(json_object_get(a, "OKActions")), 0);
    CHECK(json_is_array(json_object_get(a, "AlarmActions")));
    CHECK(json_object_get(a, "TreatMissingData") == NULL);
    CHECK(json_object_get(a, "DatapointsToAlarm") == NULL);
    CHECK(json_object_get(a, "StateReasonData") == NULL);
    CHECK_EQ_INT(json_number_value(json_object_get(a, "Threshold")), 80);
    CHECK_EQ_INT(json_integer_value(json_object_get(a, "Period")), 60);
    CHECK_EQ_INT(json_number_value(json_object_get(a, "StateUpdatedTimestamp")), FX_T0 / 1000);
    /* AWS's member order: AlarmName first, then AlarmArn, ... EvaluationPeriods before
     * Threshold, ComparisonOperator after Threshold */
    const char *b = f.body;
    CHECK(strstr(b, "\"AlarmName\"") < strstr(b, "\"AlarmArn\""));
    CHECK(strstr(b, "\"StateValue\"") < strstr(b, "\"MetricName\""));
    CHECK(strstr(b, "\"EvaluationPeriods\"") < strstr(b, "\"Threshold\""));
    CHECK(strstr(b, "\"Threshold\"") < strstr(b, "\"ComparisonOperator\""));
    CHECK(strstr(b, "creator") == NULL);
    fx_close(&f);
}

TEST(cw_alarm_put_overwrites_and_keeps_state)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put_alarm(&f, "a1",
                           "\"AlarmDescription\":\"first\",\"DatapointsToAlarm\":2,"
                           "\"TreatMissingData\":\"breaching\""),
                 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "SetAlarmState", cw_set_alarm_state,
                         "{\"AlarmName\":\"a1\",\"StateValue\":\"ALARM\","
                         "\"StateReason\":\"testing\"}"),
                 0);
    fx_set_time(&f, FX_T0 + 60000);
    CHECK_EQ_INT(put_alarm(&f, "a1", ""), 0); /* full overwrite: description etc. gone */
    CHECK_EQ_INT(describe(&f, "{\"AlarmNames\":[\"a1\"]}"), 0);
    json_t *a = metric_alarm(&f, 0);
    CHECK(json_object_get(a, "AlarmDescription") == NULL);
    CHECK(json_object_get(a, "TreatMissingData") == NULL);
    CHECK(json_object_get(a, "DatapointsToAlarm") == NULL);
    CHECK_EQ_STR(sget(a, "StateValue"), "ALARM");
    CHECK_EQ_STR(sget(a, "StateReason"), "testing");
    CHECK_EQ_INT(json_number_value(json_object_get(a, "AlarmConfigurationUpdatedTimestamp")),
                 FX_T0 / 1000 + 60);
    /* history: created, then updated (newest first) */
    const char *h =
        history(&f, "{\"AlarmName\":\"a1\",\"HistoryItemType\":\"ConfigurationUpdate\"}");
    json_t *items = json_object_get(f.json, "AlarmHistoryItems");
    CHECK_EQ_INT(json_array_size(items), 2);
    CHECK_EQ_STR(sget(json_array_get(items, 0), "HistorySummary"), "Alarm \"a1\" updated");
    CHECK_EQ_STR(sget(json_array_get(items, 1), "HistorySummary"), "Alarm \"a1\" created");
    CHECK_EQ_STR(sget(json_array_get(items, 1), "AlarmType"), "MetricAlarm");
    CHECK_CONTAINS(sget(json_array_get(items, 1), "HistoryData"),
                   "{\"version\":\"1.0\",\"type\":\"Create\",\"createdAlarm\":{\"namespace\":"
                   "\"AWS/EC2\",\"threshold\":80.0,\"metricName\":\"CPUUtilization\",\"period\":60,"
                   "\"dimensions\":[],\"stateValue\":\"INSUFFICIENT_DATA\",\"alarmName\":\"a1\","
                   "\"okactions\":[]");
    CHECK_CONTAINS(sget(json_array_get(items, 1), "HistoryData"),
                   "\"alarmConfigurationUpdatedTimestamp\":\"2026-11-28T12:00:00.000+0000\"");
    CHECK_CONTAINS(sget(json_array_get(items, 0), "HistoryData"),
                   "\"type\":\"Update\",\"updatedAlarm\":{");
    (void)h;
    /* SetAlarmState went through the engine's transition: a StateUpdate item */
    history(&f, "{\"AlarmName\":\"a1\",\"HistoryItemType\":\"StateUpdate\"}");
    items = json_object_get(f.json, "AlarmHistoryItems");
    CHECK_EQ_INT(json_array_size(items), 1);
    CHECK_EQ_STR(sget(json_array_get(items, 0), "HistorySummary"),
                 "Alarm updated from INSUFFICIENT_DATA to ALARM");
    fx_close(&f);
}

/* ---------------------------------------------------------------- validation */

static void expect_put_error(const char *json, const char *code, const char *msg)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK(put_raw(&f, json) != 0);
    CHECK_EQ_STR(fx_err_code(&f), code);
    if (msg)
        CHECK_EQ_STR(fx_err_message(&f), msg);
    else
        CHECK(fx_err_message(&f) == NULL);
    fx_close(&f);
}

#define BASE                                                                                       \
    "\"AlarmName\":\"v\",\"EvaluationPeriods\":1,\"ComparisonOperator\":\"GreaterThanThreshold\""
#define METRIC "\"MetricName\":\"M\",\"Namespace\":\"N\""

TEST(cw_alarm_put_validation_messages)
{
    expect_put_error("{" BASE ",\"Threshold\":1}", "ValidationError",
                     "MetricName must not be null");
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":45,\"Threshold\":1}",
                     "ValidationError", "Period must be 10, 20, 30 or a multiple of 60");
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Threshold\":1}",
                     "ValidationError", "Period must not be null");
    expect_put_error("{\"AlarmName\":\"v\",\"EvaluationPeriods\":2,\"DatapointsToAlarm\":3,"
                     "\"ComparisonOperator\":\"GreaterThanThreshold\"," METRIC
                     ",\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1}",
                     "ValidationError",
                     "DatapointsToAlarm must be less than or equal to EvaluationPeriods");
    expect_put_error("{\"AlarmName\":\"v\",\"EvaluationPeriods\":1441,"
                     "\"ComparisonOperator\":\"GreaterThanThreshold\"," METRIC
                     ",\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1}",
                     "ValidationError",
                     "Metrics cannot be checked across more than a day (EvaluationPeriods * "
                     "Period must be <= 86400)");
    expect_put_error("{\"AlarmName\":\"v\",\"EvaluationPeriods\":169,"
                     "\"ComparisonOperator\":\"GreaterThanThreshold\"," METRIC
                     ",\"Statistic\":\"Sum\",\"Period\":3600,\"Threshold\":1}",
                     "ValidationError",
                     "Metrics cannot be checked across more than a week (EvaluationPeriods * "
                     "Period must be <= 604800) for alarms using period >= 3600");
    expect_put_error(
        "{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"ExtendedStatistic\":\"p99\","
        "\"Period\":60,\"Threshold\":1}",
        "InvalidParameterCombination",
        NULL == NULL ? "The parameters Statistic and ExtendedStatistic are mutually exclusive and "
                       "you have specified both."
                     : NULL);
    expect_put_error("{" BASE "," METRIC ",\"Period\":60,\"Threshold\":1}",
                     "InvalidParameterCombination",
                     "At least one of the parameters Statistic and ExtendedStatistic must be "
                     "specified.");
    expect_put_error("{" BASE "," METRIC ",\"ExtendedStatistic\":\"p101\",\"Period\":60,"
                     "\"Threshold\":1}",
                     "InvalidParameterValue",
                     "The value p101 for parameter ExtendedStatistic is invalid.");
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":60,"
                     "\"Threshold\":1,\"TreatMissingData\":\"zero\"}",
                     "InvalidParameterValue",
                     "The value zero for parameter TreatMissingData is invalid.");
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":60}", "ValidationError",
                     "Threshold must not be null");
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1,"
                     "\"Dimensions\":[{\"Name\":\"A\",\"Value\":\"1\"},{\"Name\":\"A\","
                     "\"Value\":\"2\"}]}",
                     "InvalidParameterValue",
                     "No metric may specify the same dimension name twice.");
    expect_put_error("{" BASE ",\"Threshold\":1,\"Statistic\":\"Sum\",\"Metrics\":[{\"Id\":\"m1\","
                     "\"MetricStat\":{\"Metric\":{\"MetricName\":\"M\",\"Namespace\":\"N\"},"
                     "\"Period\":60,\"Stat\":\"Sum\"}}]}",
                     "ValidationError", "Statistic should not be set if list of Metrics is set.");
    expect_put_error("{" BASE ",\"Threshold\":1,\"Metrics\":[{\"Id\":\"m1\","
                     "\"MetricStat\":{\"Metric\":{\"MetricName\":\"M\",\"Namespace\":\"N\"},"
                     "\"Period\":60,\"Stat\":\"Sum\"},\"ReturnData\":false}]}",
                     "ValidationError",
                     "Exactly one element of the metrics list should return data.");
    expect_put_error("{" BASE ",\"Threshold\":1,\"Metrics\":[{\"Id\":\"m1\","
                     "\"MetricStat\":{\"Metric\":{\"MetricName\":\"M\",\"Namespace\":\"N\"},"
                     "\"Period\":60,\"Stat\":\"Sum\"},\"ReturnData\":true},{\"Id\":\"e1\","
                     "\"Expression\":\"m1*2\",\"ReturnData\":true}]}",
                     "ValidationError",
                     "Exactly one element of the metrics list should return data.");
    expect_put_error("{" BASE ",\"Threshold\":1,\"Metrics\":[{\"Id\":\"e1\","
                     "\"Expression\":\"SEARCH('{N} M', 'Sum', 60)\"}]}",
                     "ValidationError", "SEARCH is not supported on Metric Alarms.");
    /* malformed action ARNs: ValidationError without a message [obs] */
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1,"
                     "\"AlarmActions\":[\"my-scaling-policy\"]}",
                     "ValidationError", NULL);
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1,"
                     "\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:explode\"]}",
                     "ValidationError", NULL);
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1,"
                     "\"AlarmActions\":[\"arn:aws:sns:us-east-1:12345:topic\"]}",
                     "ValidationError", NULL);
}

TEST(cw_alarm_put_valid_forms)
{
    struct fx f;
    fx_open(&f, FX_T0);
    /* 10/20/30 s high-resolution periods, percentiles, metric math, anomaly band */
    CHECK_EQ_INT(put_raw(&f, "{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":10,"
                             "\"Threshold\":1}"),
                 0);
    CHECK_EQ_INT(put_raw(&f, "{" BASE "," METRIC ",\"ExtendedStatistic\":\"p99.5\",\"Period\":20,"
                             "\"Threshold\":1,\"EvaluateLowSampleCountPercentile\":\"ignore\"}"),
                 0);
    CHECK_EQ_INT(put_raw(&f, "{\"AlarmName\":\"math\",\"EvaluationPeriods\":1,"
                             "\"ComparisonOperator\":\"GreaterThanThreshold\",\"Threshold\":1,"
                             "\"Metrics\":[{\"Id\":\"m1\",\"MetricStat\":{\"Metric\":{"
                             "\"MetricName\":\"M\",\"Namespace\":\"N\"},\"Period\":300,"
                             "\"Stat\":\"Sum\"},\"ReturnData\":false},{\"Id\":\"e1\","
                             "\"Expression\":\"m1*2\",\"ReturnData\":true}]}"),
                 0);
    CHECK_EQ_INT(put_raw(&f,
                         "{\"AlarmName\":\"band\",\"EvaluationPeriods\":1,"
                         "\"ComparisonOperator\":\"LessThanLowerOrGreaterThanUpperThreshold\","
                         "\"ThresholdMetricId\":\"ad1\",\"Metrics\":[{\"Id\":\"m1\","
                         "\"MetricStat\":{\"Metric\":{\"MetricName\":\"M\",\"Namespace\":\"N\"},"
                         "\"Period\":300,\"Stat\":\"Sum\"},\"ReturnData\":true},{\"Id\":\"ad1\","
                         "\"Expression\":\"ANOMALY_DETECTION_BAND(m1, 2)\",\"ReturnData\":true}]}"),
                 0);
    CHECK_EQ_INT(describe(&f, "{\"AlarmNames\":[\"math\"]}"), 0);
    json_t *a = metric_alarm(&f, 0);
    CHECK(json_object_get(a, "MetricName") == NULL);
    CHECK(json_object_get(a, "Period") == NULL);
    CHECK_EQ_INT(json_array_size(json_object_get(a, "Metrics")), 2);
    CHECK_EQ_STR(sget(json_array_get(json_object_get(a, "Metrics"), 1), "Expression"), "m1*2");
    /* action families */
    CHECK_EQ_INT(put_raw(&f, "{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":60,"
                             "\"Threshold\":1,\"AlarmActions\":["
                             "\"arn:aws:sns:us-east-1:123456789012:topic\","
                             "\"arn:aws:lambda:us-east-1:123456789012:function:fn:live\","
                             "\"arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1a2b:"
                             "autoScalingGroupName/asg:policyName/up\","
                             "\"arn:aws:ssm:us-east-1:123456789012:opsitem:3#CATEGORY=Cost\"]}"),
                 0);
    fx_close(&f);
}

TEST(cw_alarm_ec2_action_rules)
{
    const char *ec2_msg = "Invalid use of EC2 action. An EC2 action can only be used if the "
                          "alarm is monitoring an EC2 instance.";
    expect_put_error("{" BASE "," METRIC ",\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1,"
                     "\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:stop\"]}",
                     "ValidationError", ec2_msg);
    expect_put_error("{" BASE ",\"MetricName\":\"CPUUtilization\",\"Namespace\":\"AWS/EC2\","
                     "\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1,"
                     "\"Dimensions\":[{\"Name\":\"AutoScalingGroupName\",\"Value\":\"g\"}],"
                     "\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:recover\"]}",
                     "ValidationError", ec2_msg);
    expect_put_error(
        "{" BASE ",\"Threshold\":1,\"Metrics\":[{\"Id\":\"m1\",\"MetricStat\":{"
        "\"Metric\":{\"MetricName\":\"M\",\"Namespace\":\"AWS/EC2\",\"Dimensions\":"
        "[{\"Name\":\"InstanceId\",\"Value\":\"i-1\"}]},\"Period\":60,\"Stat\":\"Sum\"}}],"
        "\"OKActions\":[\"arn:aws:automate:us-east-1:ec2:reboot\"]}",
        "ValidationError", ec2_msg);
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK(put_raw(&f, "{" BASE ",\"MetricName\":\"StatusCheckFailed_Instance\","
                      "\"Namespace\":\"AWS/EC2\",\"Statistic\":\"Minimum\",\"Period\":60,"
                      "\"Threshold\":0,\"Dimensions\":[{\"Name\":\"InstanceId\","
                      "\"Value\":\"i-0123456789abcdef0\"}],"
                      "\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:recover\"]}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_CONTAINS(fx_err_message(&f), "StatusCheckFailed_Instance");
    /* the seed's alarm: StatusCheckFailed, Minimum, 60, 5, >, 0, recover */
    CHECK_EQ_INT(put_raw(&f,
                         "{\"AlarmName\":\"seed\",\"MetricName\":\"StatusCheckFailed\","
                         "\"Namespace\":\"AWS/EC2\",\"Statistic\":\"Minimum\",\"Period\":60,"
                         "\"EvaluationPeriods\":5,\"ComparisonOperator\":\"GreaterThanThreshold\","
                         "\"Threshold\":0,\"Dimensions\":[{\"Name\":\"InstanceId\","
                         "\"Value\":\"i-0123456789abcdef0\"}],"
                         "\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:recover\"]}"),
                 0);
    /* swf form and custom metric with InstanceId (+ another dimension) */
    CHECK_EQ_INT(put_raw(&f,
                         "{\"AlarmName\":\"custom\",\"MetricName\":\"Health\","
                         "\"Namespace\":\"App\",\"Statistic\":\"Minimum\",\"Period\":60,"
                         "\"EvaluationPeriods\":1,\"ComparisonOperator\":\"LessThanThreshold\","
                         "\"Threshold\":1,\"Dimensions\":[{\"Name\":\"InstanceId\","
                         "\"Value\":\"i-0123456789abcdef0\"},{\"Name\":\"Ip\",\"Value\":\"x\"}],"
                         "\"AlarmActions\":[\"arn:aws:swf:us-east-1:123456789012:action/"
                         "actions/AWS_EC2.InstanceId.Reboot/1.0\"]}"),
                 0);
    fx_close(&f);
}

/* ---------------------------------------------------------------- describe */

TEST(cw_alarm_describe_filters_and_paging)
{
    struct fx f;
    fx_open(&f, FX_T0);
    const char *names[] = {"web-1", "web-2", "web-3", "db-1", "db-2"};
    for (size_t i = 0; i < 5; i++)
        CHECK_EQ_INT(put_alarm(&f, names[i],
                               i == 3 ? "\"OKActions\":[\"arn:aws:sns:us-east-1:"
                                        "123456789012:ops\"]"
                                      : ""),
                     0);
    CHECK_EQ_INT(describe(&f, "{\"AlarmNamePrefix\":\"web-\"}"), 0);
    CHECK_EQ_INT(n_metric(&f), 3);
    CHECK_EQ_INT(describe(&f, "{\"AlarmNames\":[\"db-2\",\"web-1\",\"nope\"]}"), 0);
    CHECK_EQ_INT(n_metric(&f), 2);
    CHECK_EQ_STR(sget(metric_alarm(&f, 0), "AlarmName"), "db-2"); /* by name */
    CHECK_EQ_INT(describe(&f, "{\"ActionPrefix\":\"arn:aws:sns:\"}"), 0);
    CHECK_EQ_INT(n_metric(&f), 1);
    CHECK_EQ_STR(sget(metric_alarm(&f, 0), "AlarmName"), "db-1");
    CHECK_EQ_INT(describe(&f, "{\"StateValue\":\"ALARM\"}"), 0);
    CHECK_EQ_INT(n_metric(&f), 0);
    CHECK_EQ_INT(describe(&f, "{\"StateValue\":\"INSUFFICIENT_DATA\"}"), 0);
    CHECK_EQ_INT(n_metric(&f), 5);
    /* paging: 2 + 2 + 1 */
    CHECK_EQ_INT(describe(&f, "{\"MaxRecords\":2}"), 0);
    CHECK_EQ_INT(n_metric(&f), 2);
    const char *tok = sget(f.json, "NextToken");
    CHECK(tok != NULL);
    char t1[300];
    snprintf(t1, sizeof(t1), "%s", tok ? tok : "");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "DescribeAlarms", cw_describe_alarms,
                          "{\"MaxRecords\":2,\"NextToken\":\"%s\"}", t1),
                 0);
    CHECK_EQ_STR(sget(metric_alarm(&f, 0), "AlarmName"), "web-1");
    snprintf(t1, sizeof(t1), "%s", sget(f.json, "NextToken") ? sget(f.json, "NextToken") : "");
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "DescribeAlarms", cw_describe_alarms,
                          "{\"MaxRecords\":2,\"NextToken\":\"%s\"}", t1),
                 0);
    CHECK_EQ_INT(n_metric(&f), 1);
    CHECK(json_object_get(f.json, "NextToken") == NULL);
    f.validate = true; /* MaxRecords 1..100 is the model's, checked by wire_validate */
    CHECK(describe(&f, "{\"MaxRecords\":101}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    fx_close(&f);
}

TEST(cw_alarm_describe_for_metric_exact_dimensions)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(
        put_alarm(&f, "one", "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"i-1\"}]"), 0);
    CHECK_EQ_INT(put_alarm(&f, "two",
                           "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"i-1\"},"
                           "{\"Name\":\"X\",\"Value\":\"y\"}]"),
                 0);
    CHECK_EQ_INT(put_alarm(&f, "none", ""), 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "DescribeAlarmsForMetric", cw_describe_alarms_for_metric,
                         "{\"MetricName\":\"CPUUtilization\",\"Namespace\":\"AWS/EC2\","
                         "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"i-1\"}]}"),
                 0);
    CHECK_EQ_INT(n_metric(&f), 1);
    CHECK_EQ_STR(sget(metric_alarm(&f, 0), "AlarmName"), "one");
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "DescribeAlarmsForMetric", cw_describe_alarms_for_metric,
                         "{\"MetricName\":\"CPUUtilization\",\"Namespace\":\"AWS/EC2\"}"),
                 0);
    CHECK_EQ_INT(n_metric(&f), 1);
    CHECK_EQ_STR(sget(metric_alarm(&f, 0), "AlarmName"), "none");
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "DescribeAlarmsForMetric", cw_describe_alarms_for_metric,
                         "{\"MetricName\":\"CPUUtilization\",\"Namespace\":\"AWS/EC2\","
                         "\"Statistic\":\"Maximum\"}"),
                 0);
    CHECK_EQ_INT(n_metric(&f), 0);
    fx_close(&f);
}

/* ---------------------------------------------------------------- delete / enable / set state */

TEST(cw_alarm_delete_and_history_survives)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put_alarm(&f, "gone", "\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]"), 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "DeleteAlarms", cw_delete_alarms,
                         "{\"AlarmNames\":[\"gone\",\"never-existed\"]}"),
                 0);
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK_EQ_INT(n_metric(&f), 0);
    history(&f, "{\"AlarmName\":\"gone\"}");
    json_t *items = json_object_get(f.json, "AlarmHistoryItems");
    CHECK_EQ_INT(json_array_size(items), 2);
    CHECK_EQ_STR(sget(json_array_get(items, 0), "HistorySummary"), "Alarm \"gone\" deleted");
    CHECK_CONTAINS(sget(json_array_get(items, 0), "HistoryData"),
                   "{\"version\":\"1.0\",\"type\":\"Delete\",\"deletedAlarm\":{");
    /* tags went with the alarm: a new alarm of that name has none */
    CHECK_EQ_INT(put_alarm(&f, "gone", ""), 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "ListTagsForResource", cw_list_tags_for_resource,
                         "{\"ResourceARN\":\"" ARN_PREFIX "gone\"}"),
                 0);
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "Tags")), 0);
    /* 14 days later the old items are gone */
    fx_set_time(&f, FX_T0 + 15 * 86400000LL);
    history(&f, "{\"AlarmName\":\"gone\"}");
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "AlarmHistoryItems")), 0);
    fx_close(&f);
}

TEST(cw_alarm_enable_disable_actions)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put_alarm(&f, "x", ""), 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "DisableAlarmActions", cw_disable_alarm_actions,
                         "{\"AlarmNames\":[\"x\",\"unknown\"]}"),
                 0);
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK(json_is_false(json_object_get(metric_alarm(&f, 0), "ActionsEnabled")));
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "EnableAlarmActions", cw_enable_alarm_actions,
                         "{\"AlarmNames\":[\"x\"]}"),
                 0);
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK(json_is_true(json_object_get(metric_alarm(&f, 0), "ActionsEnabled")));
    history(&f, "{\"HistoryItemType\":\"ConfigurationUpdate\",\"ScanBy\":\"TimestampAscending\"}");
    json_t *items = json_object_get(f.json, "AlarmHistoryItems");
    CHECK_EQ_INT(json_array_size(items), 3);
    CHECK_EQ_STR(sget(json_array_get(items, 0), "HistorySummary"), "Alarm \"x\" created");
    CHECK_CONTAINS(sget(json_array_get(items, 1), "HistoryData"), "\"actionsEnabled\":false");
    fx_close(&f);
}

TEST(cw_alarm_set_state_checks)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK(fx_call(&f, "cloudwatch", "SetAlarmState", cw_set_alarm_state,
                  "{\"AlarmName\":\"nope\",\"StateValue\":\"OK\",\"StateReason\":\"r\"}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ResourceNotFound");
    CHECK_EQ_INT(f.c.err.status, 404);
    CHECK_EQ_INT(put_alarm(&f, "s", ""), 0);
    CHECK(fx_call(&f, "cloudwatch", "SetAlarmState", cw_set_alarm_state,
                  "{\"AlarmName\":\"s\",\"StateValue\":\"OK\",\"StateReason\":\"r\","
                  "\"StateReasonData\":\"{not json\"}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidFormat");
    CHECK(fx_call(&f, "cloudwatch", "SetAlarmState", cw_set_alarm_state,
                  "{\"AlarmName\":\"s\",\"StateValue\":\"BROKEN\",\"StateReason\":\"r\"}") != 0);
    CHECK_EQ_STR(fx_err_message(&f),
                 "1 validation error detected: Value 'BROKEN' at 'stateValue' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]");
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "SetAlarmState", cw_set_alarm_state,
                         "{\"AlarmName\":\"s\",\"StateValue\":\"OK\",\"StateReason\":\"manual\","
                         "\"StateReasonData\":\"{\\\"a\\\":1}\"}"),
                 0);
    CHECK_EQ_INT(describe(&f, "{\"StateValue\":\"OK\"}"), 0);
    CHECK_EQ_INT(n_metric(&f), 1);
    CHECK_EQ_STR(sget(metric_alarm(&f, 0), "StateReason"), "manual");
    fx_close(&f);
}

/* ---------------------------------------------------------------- composite */

static const char *st_fn(void *ctx, const char *ref)
{
    (void)ctx;
    const char *n = cw_rule_ref_name(ref);
    if (str_eq(n, "a"))
        return CW_ALARM;
    if (str_eq(n, "b"))
        return CW_OK;
    if (str_eq(n, "my alarm"))
        return CW_INSUFFICIENT;
    return NULL;
}

TEST(cw_rule_eval_language)
{
    CHECK_EQ_INT(cw_rule_eval("ALARM(a)", st_fn, NULL), 1);
    CHECK_EQ_INT(cw_rule_eval("ALARM(b)", st_fn, NULL), 0);
    CHECK_EQ_INT(cw_rule_eval("ALARM(a) AND OK(b)", st_fn, NULL), 1);
    CHECK_EQ_INT(cw_rule_eval("ALARM(b) OR OK(a)", st_fn, NULL), 0);
    CHECK_EQ_INT(cw_rule_eval("NOT ALARM(b) AND (FALSE OR TRUE)", st_fn, NULL), 1);
    CHECK_EQ_INT(cw_rule_eval("ALARM(b) OR ALARM(a) AND FALSE", st_fn, NULL), 0); /* AND binds */
    CHECK_EQ_INT(cw_rule_eval("INSUFFICIENT_DATA(\"my alarm\")", st_fn, NULL), 1);
    CHECK_EQ_INT(cw_rule_eval("ALARM(\"" ARN_PREFIX "a\")", st_fn, NULL), 1);
    CHECK_EQ_INT(cw_rule_eval("ALARM(unknown)", st_fn, NULL), 0);
    CHECK_EQ_INT(cw_rule_eval("ALARM(a", st_fn, NULL), -1);
    CHECK_EQ_INT(cw_rule_eval("alarm(a)", st_fn, NULL), -1);
    struct arena *ar = arena_new();
    const char *msg = NULL;
    CHECK_EQ_INT(cw_rule_check(ar, "()", NULL, NULL, &msg), -1);
    CHECK_EQ_STR(msg, "Error in AlarmRule [Unsupported token ')' at char 1]");
    CHECK_EQ_INT(cw_rule_check(ar, "ALARM(SampleQueue Oldest Age Alarm)", NULL, NULL, &msg), -1);
    CHECK_EQ_STR(msg, "Error in AlarmRule [Unsupported token 'Oldest' at char 18, must be: ')']");
    arena_free(ar);
}

TEST(cw_composite_put_describe_delete)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put_alarm(&f, "child-a", ""), 0);
    CHECK_EQ_INT(put_alarm(&f, "child-b", ""), 0);
    CHECK(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                  "{\"AlarmName\":\"comp\",\"AlarmRule\":\"ALARM(child-a) OR ALARM(ghost) OR "
                  "OK(ghost2)\"}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "Could not save the composite alarm as alarms [" ARN_PREFIX
                                     "ghost, " ARN_PREFIX "ghost2] in the alarm rule do not exist");
    CHECK(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                  "{\"AlarmName\":\"comp\",\"AlarmRule\":\"ALARM(child-a)\","
                  "\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:reboot\"]}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                  "{\"AlarmName\":\"comp\",\"AlarmRule\":\"ALARM(child-a) XOR TRUE\"}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "Error in AlarmRule [Unsupported token 'XOR' at char 15]");
    CHECK_EQ_INT(
        fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                "{\"AlarmName\":\"comp\",\"AlarmRule\":\"ALARM(child-a) AND NOT "
                "OK(\\\"" ARN_PREFIX "child-b\\\")\",\"ActionsSuppressor\":\"child-b\","
                "\"ActionsSuppressorWaitPeriod\":60,\"ActionsSuppressorExtensionPeriod\":30}"),
        0);
    /* default types: metric alarms only */
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK_EQ_INT(n_metric(&f), 2);
    CHECK_EQ_INT(n_composite(&f), 0);
    CHECK_EQ_INT(describe(&f, "{\"AlarmTypes\":[\"CompositeAlarm\"]}"), 0);
    CHECK_EQ_INT(n_composite(&f), 1);
    CHECK_EQ_INT(n_metric(&f), 0);
    json_t *ca = json_array_get(json_object_get(f.json, "CompositeAlarms"), 0);
    CHECK_EQ_STR(sget(ca, "StateValue"), "INSUFFICIENT_DATA");
    CHECK_EQ_STR(sget(ca, "ActionsSuppressor"), "child-b");
    CHECK_EQ_INT(json_integer_value(json_object_get(ca, "ActionsSuppressorWaitPeriod")), 60);
    CHECK_EQ_INT(describe(&f, "{\"ChildrenOfAlarmName\":\"comp\"}"), 0);
    CHECK_EQ_INT(n_metric(&f), 2);
    CHECK(json_object_get(metric_alarm(&f, 0), "Threshold") == NULL); /* brief form */
    CHECK_EQ_INT(describe(&f, "{\"ParentsOfAlarmName\":\"child-b\"}"), 0);
    CHECK_EQ_INT(n_composite(&f), 1);
    CHECK(fx_call(&f, "cloudwatch", "DeleteAlarms", cw_delete_alarms,
                  "{\"AlarmNames\":[\"child-a\",\"child-b\"]}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "Cannot delete child-a,child-b as there are composite "
                                     "alarm(s) depending on them.");
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "DeleteAlarms", cw_delete_alarms,
                         "{\"AlarmNames\":[\"child-a\",\"comp\"]}"),
                 0);
    CHECK_EQ_INT(describe(&f, "{\"AlarmTypes\":[\"CompositeAlarm\",\"MetricAlarm\"]}"), 0);
    CHECK_EQ_INT(n_metric(&f), 1);
    CHECK_EQ_INT(n_composite(&f), 0);
    history(&f, "{\"AlarmTypes\":[\"CompositeAlarm\"]}");
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "AlarmHistoryItems")), 2);
    fx_close(&f);
}

/* ---------------------------------------------------------------- history paging, tags */

TEST(cw_alarm_history_paging_and_dates)
{
    struct fx f;
    fx_open(&f, FX_T0);
    for (int i = 0; i < 5; i++) {
        fx_set_time(&f, FX_T0 + i * 60000LL);
        CHECK_EQ_INT(put_alarm(&f, "h", ""), 0);
    }
    history(&f, "{\"AlarmName\":\"h\",\"MaxRecords\":2}");
    json_t *items = json_object_get(f.json, "AlarmHistoryItems");
    CHECK_EQ_INT(json_array_size(items), 2);
    CHECK_EQ_INT(json_number_value(json_object_get(json_array_get(items, 0), "Timestamp")),
                 FX_T0 / 1000 + 240);
    char tok[100];
    snprintf(tok, sizeof(tok), "%s", sget(f.json, "NextToken") ? sget(f.json, "NextToken") : "");
    CHECK(tok[0] != '\0');
    fx_callf(&f, "cloudwatch", "DescribeAlarmHistory", cw_describe_alarm_history,
             "{\"AlarmName\":\"h\",\"MaxRecords\":2,\"NextToken\":\"%s\"}", tok);
    items = json_object_get(f.json, "AlarmHistoryItems");
    CHECK_EQ_INT(json_number_value(json_object_get(json_array_get(items, 0), "Timestamp")),
                 FX_T0 / 1000 + 120);
    fx_callf(&f, "cloudwatch", "DescribeAlarmHistory", cw_describe_alarm_history,
             "{\"StartDate\":%lld,\"EndDate\":%lld,\"ScanBy\":\"TimestampAscending\"}",
             FX_T0 + 60000, FX_T0 + 180000);
    items = json_object_get(f.json, "AlarmHistoryItems");
    CHECK_EQ_INT(json_array_size(items), 3);
    CHECK_EQ_STR(sget(json_array_get(items, 0), "HistorySummary"), "Alarm \"h\" updated");
    CHECK_EQ_INT(json_number_value(json_object_get(json_array_get(items, 0), "Timestamp")),
                 FX_T0 / 1000 + 60);
    CHECK(fx_call(&f, "cloudwatch", "DescribeAlarmHistory", cw_describe_alarm_history,
                  "{\"NextToken\":\"garbage\"}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidNextToken");
    fx_close(&f);
}

TEST(cw_alarm_tags)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put_alarm(&f, "t", "\"Tags\":[{\"Key\":\"team\",\"Value\":\"ops\"}]"), 0);
    CHECK_EQ_INT(put_alarm(&f, "t", "\"Tags\":[{\"Key\":\"ignored\",\"Value\":\"x\"}]"), 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "TagResource", cw_tag_resource,
                         "{\"ResourceARN\":\"" ARN_PREFIX "t\",\"Tags\":[{\"Key\":\"env\","
                         "\"Value\":\"prod\"},{\"Key\":\"team\",\"Value\":\"sre\"}]}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "ListTagsForResource", cw_list_tags_for_resource,
                         "{\"ResourceARN\":\"" ARN_PREFIX "t\"}"),
                 0);
    json_t *tags = json_object_get(f.json, "Tags");
    CHECK_EQ_INT(json_array_size(tags), 2);
    CHECK_EQ_STR(sget(json_array_get(tags, 0), "Key"), "env");
    CHECK_EQ_STR(sget(json_array_get(tags, 1), "Value"), "sre");
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "UntagResource", cw_untag_resource,
                         "{\"ResourceARN\":\"" ARN_PREFIX "t\",\"TagKeys\":[\"env\",\"nope\"]}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "ListTagsForResource", cw_list_tags_for_resource,
                         "{\"ResourceARN\":\"" ARN_PREFIX "t\"}"),
                 0);
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "Tags")), 1);
    CHECK(fx_call(&f, "cloudwatch", "ListTagsForResource", cw_list_tags_for_resource,
                  "{\"ResourceARN\":\"" ARN_PREFIX "missing\"}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ResourceNotFoundException");
    CHECK_EQ_INT(f.c.err.status, 404);
    fx_close(&f);
}

/* ---------------------------------------------------------------- storage */

static int count_fn(void *ctx, struct cw_alarm *a)
{
    int *n = ctx;
    (*n)++;
    return a->doc ? 0 : -1;
}

TEST(cw_alarm_storage_roundtrip)
{
    struct fx f;
    fx_open(&f, FX_T0);
    fx_as_user(&f, "alice", "AIDAEXAMPLEALICE0001");
    CHECK_EQ_INT(put_alarm(&f, "mine", ""), 0);
    struct cw_alarm a;
    CHECK_EQ_INT(cw_alarm_load(f.st, "us-east-1", "mine", &a), 0);
    CHECK_EQ_INT(a.creator.kind, PRINCIPAL_USER);
    CHECK_EQ_STR(a.creator.name, "alice");
    CHECK_EQ_STR(a.creator_key, f.who.access_key_id);
    CHECK_EQ_STR(a.arn, ARN_PREFIX "mine");
    CHECK(!a.composite);
    json_object_set_new(a.doc, "StateValue", json_string("OK"));
    CHECK_EQ_INT(cw_alarm_save_doc(f.st, &a), 0);
    cw_alarm_free(&a);
    CHECK_EQ_INT(cw_alarm_load(f.st, "us-east-1", "mine", &a), 0);
    CHECK_EQ_STR(json_string_value(json_object_get(a.doc, "StateValue")), "OK");
    CHECK_EQ_STR(a.creator.name, "alice");
    cw_alarm_free(&a);
    CHECK_EQ_INT(cw_alarm_load(f.st, "eu-west-1", "mine", &a), 1);
    for (int i = 0; i < 300; i++) {
        char n[32];
        snprintf(n, sizeof(n), "bulk-%03d", i);
        CHECK_EQ_INT(put_alarm(&f, n, ""), 0);
    }
    int count = 0;
    CHECK_EQ_INT(cw_alarm_each(f.st, count_fn, &count), 0);
    CHECK_EQ_INT(count, 301);
    fx_close(&f);
}

/* ---------------------------------------------------------------- every protocol renders */

TEST(cw_alarm_output_all_protocols)
{
    static const enum proto protos[] = {PROTO_QUERY, PROTO_CBOR, PROTO_JSON};
    for (size_t i = 0; i < ARRAY_LEN(protos); i++) {
        struct fx f;
        fx_open(&f, FX_T0);
        f.proto = protos[i];
        f.validate = true;
        CHECK_EQ_INT(put_alarm(&f, "p",
                               "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"i-1\"}],"
                               "\"OKActions\":[\"arn:aws:sns:us-east-1:123456789012:t\"],"
                               "\"Unit\":\"Percent\",\"DatapointsToAlarm\":1"),
                     0);
        CHECK_EQ_INT(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                             "{\"AlarmName\":\"c\",\"AlarmRule\":\"ALARM(p)\"}"),
                     0);
        CHECK_EQ_INT(describe(&f, "{\"AlarmTypes\":[\"MetricAlarm\",\"CompositeAlarm\"]}"), 0);
        CHECK(f.out_error == NULL);
        if (protos[i] == PROTO_QUERY) {
            CHECK_CONTAINS(f.body, "<MetricAlarms><member><AlarmName>p</AlarmName>");
            CHECK_CONTAINS(f.body, "<Threshold>80.0</Threshold>");
            CHECK_CONTAINS(f.body, "<AlarmRule>ALARM(p)</AlarmRule>");
        }
        history(&f, "{\"AlarmTypes\":[\"MetricAlarm\",\"CompositeAlarm\"]}");
        CHECK(f.rc == 0 && f.out_error == NULL);
        CHECK_EQ_INT(fx_call(&f, "cloudwatch", "ListTagsForResource", cw_list_tags_for_resource,
                             "{\"ResourceARN\":\"" ARN_PREFIX "p\"}"),
                     0);
        CHECK(f.out_error == NULL);
        fx_close(&f);
    }
}

TEST(cw_alarm_describe_mixed_paging_and_limits)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put_alarm(&f, "a-metric", ""), 0);
    CHECK_EQ_INT(put_alarm(&f, "c-metric", ""), 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                         "{\"AlarmName\":\"b-comp\",\"AlarmRule\":\"ALARM(a-metric)\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                         "{\"AlarmName\":\"d-comp\",\"AlarmRule\":\"OK(c-metric)\"}"),
                 0);
    CHECK_EQ_INT(describe(&f, "{\"AlarmTypes\":[\"MetricAlarm\",\"CompositeAlarm\"],"
                              "\"MaxRecords\":2}"),
                 0);
    CHECK_EQ_INT(n_metric(&f) + n_composite(&f), 2);
    CHECK_EQ_STR(sget(f.json, "NextToken"), "b-comp");
    CHECK_EQ_INT(describe(&f, "{\"AlarmTypes\":[\"MetricAlarm\",\"CompositeAlarm\"],"
                              "\"MaxRecords\":2,\"NextToken\":\"b-comp\"}"),
                 0);
    CHECK_EQ_STR(sget(metric_alarm(&f, 0), "AlarmName"), "c-metric");
    CHECK_EQ_STR(sget(json_array_get(json_object_get(f.json, "CompositeAlarms"), 0), "AlarmName"),
                 "d-comp");
    CHECK(json_object_get(f.json, "NextToken") == NULL);
    /* ParentsOfAlarmName: name and ARN only */
    CHECK_EQ_INT(describe(&f, "{\"ParentsOfAlarmName\":\"a-metric\"}"), 0);
    json_t *p = json_array_get(json_object_get(f.json, "CompositeAlarms"), 0);
    CHECK_EQ_STR(sget(p, "AlarmName"), "b-comp");
    CHECK_EQ_STR(sget(p, "AlarmArn"), ARN_PREFIX "b-comp");
    CHECK(json_object_get(p, "StateValue") == NULL);
    CHECK(describe(&f, "{\"ParentsOfAlarmName\":\"a-metric\",\"StateValue\":\"OK\"}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    /* two composite alarms in one DeleteAlarms */
    CHECK(fx_call(&f, "cloudwatch", "DeleteAlarms", cw_delete_alarms,
                  "{\"AlarmNames\":[\"b-comp\",\"d-comp\"]}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_EQ_INT(cw_rule_elements("(ALARM(a) OR ALARM(\"b c\")) AND TRUE"), 4);
    fx_close(&f);
}

/* ---------------------------------------------------------------- service-linked role */

#define STOP_ALARM(name)                                                                           \
    "{\"AlarmName\":\"" name "\",\"MetricName\":\"CPUUtilization\",\"Namespace\":\"AWS/EC2\","     \
    "\"Statistic\":\"Average\",\"Period\":300,\"EvaluationPeriods\":1,\"Threshold\":1,"            \
    "\"ComparisonOperator\":\"LessThanThreshold\",\"Dimensions\":[{\"Name\":\"InstanceId\","       \
    "\"Value\":\"i-0123456789abcdef0\"}],\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:"      \
    "stop\"]}"

TEST(cw_alarm_stop_action_creates_service_linked_role)
{
    struct fx f;
    fx_open(&f, FX_T0);
    /* a user without iam:CreateServiceLinkedRole cannot put the first such alarm */
    fx_as_user(&f, "bob", "AIDAEXAMPLEBOB000001");
    CHECK(put_raw(&f, STOP_ALARM("idle-stop")) != 0);
    CHECK_EQ_STR(fx_err_code(&f), "AccessDenied");
    CHECK_CONTAINS(fx_err_message(&f), "iam:CreateServiceLinkedRole");
    fx_as_root(&f);
    CHECK_EQ_INT(put_raw(&f, STOP_ALARM("idle-stop")), 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "GetRole", iam_get_role,
                         "{\"RoleName\":\"AWSServiceRoleForCloudWatchEvents\"}"),
                 0);
    CHECK_CONTAINS(f.body, "/aws-service-role/events.amazonaws.com/");
    /* the role exists now: a second alarm needs nothing more, also for bob */
    fx_as_user(&f, "bob", "AIDAEXAMPLEBOB000001");
    CHECK_EQ_INT(put_raw(&f, STOP_ALARM("idle-stop-2")), 0);
    fx_close(&f);
}

TEST(cw_alarm_more_action_rules)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(put_alarm(&f, "child", ""), 0);
    /* composite alarms: no Auto Scaling actions; the suppressor must exist, with periods */
    CHECK(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                  "{\"AlarmName\":\"c\",\"AlarmRule\":\"ALARM(child)\",\"AlarmActions\":["
                  "\"arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1a:"
                  "autoScalingGroupName/g:policyName/up\"]}") != 0);
    CHECK_CONTAINS(fx_err_message(&f), "Auto Scaling");
    CHECK(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                  "{\"AlarmName\":\"c\",\"AlarmRule\":\"ALARM(child)\","
                  "\"ActionsSuppressor\":\"nope\",\"ActionsSuppressorWaitPeriod\":60,"
                  "\"ActionsSuppressorExtensionPeriod\":60}") != 0);
    CHECK_CONTAINS(fx_err_message(&f), "nope");
    CHECK(fx_call(&f, "cloudwatch", "PutCompositeAlarm", cw_put_composite_alarm,
                  "{\"AlarmName\":\"c\",\"AlarmRule\":\"ALARM(child)\","
                  "\"ActionsSuppressor\":\"" ARN_PREFIX "child\"}") != 0);
    CHECK_CONTAINS(fx_err_message(&f), "ActionsSuppressorWaitPeriod");
    /* anomaly detection alarms: no Auto Scaling actions */
    CHECK(put_raw(&f, "{\"AlarmName\":\"band\",\"EvaluationPeriods\":1,"
                      "\"ComparisonOperator\":\"GreaterThanUpperThreshold\","
                      "\"ThresholdMetricId\":\"ad1\",\"Metrics\":[{\"Id\":\"m1\","
                      "\"MetricStat\":{\"Metric\":{\"MetricName\":\"M\",\"Namespace\":\"N\"},"
                      "\"Period\":300,\"Stat\":\"Sum\"}},{\"Id\":\"ad1\","
                      "\"Expression\":\"ANOMALY_DETECTION_BAND(m1, 2)\"}],\"AlarmActions\":["
                      "\"arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1a:"
                      "autoScalingGroupName/g:policyName/up\"]}") != 0);
    CHECK_CONTAINS(fx_err_message(&f), "anomaly detection");
    /* Tags on create need cloudwatch:TagResource [doc] */
    fx_as_user(&f, "carol", "AIDAEXAMPLECAROL0001");
    CHECK(put_alarm(&f, "tagged", "\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "AccessDenied");
    CHECK_CONTAINS(fx_err_message(&f), "cloudwatch:TagResource");
    CHECK_EQ_INT(put_alarm(&f, "untagged", ""), 0);
    fx_close(&f);
}
