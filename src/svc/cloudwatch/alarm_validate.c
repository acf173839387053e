/*
 * alarm_validate.c — checks of alarm inputs: the action ARNs of Put*Alarm
 * (cwa_check_actions) and the whole PutMetricAlarm input (cwa_check_metric_alarm): metric
 * or metric math, statistics, period and evaluation window, thresholds, EC2 actions.
 *
 * Sources of the error texts: aws-behaviour.md §1–§2. Tags: [obs] seen in real AWS answers
 * (user transcripts), [doc] API reference, [model] botocore; "inferred" where no AWS text
 * was found (then following AWS's templates "X must not be null", "The value V for
 * parameter P is invalid.").
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svc/cloudwatch/alarm_api.h"
#include "svc/cloudwatch/cw.h"
#include "svc/ec2/ec2.h"
#include "wire/models/cloudwatch_members.h"

/* ================================================================ actions */

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Splits arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; fields point into buf. */
static bool arn_split(char *buf, const char *f[6])
{
    char *p = buf;
    for (int i = 0; i < 5; i++) {
        f[i] = p;
        char *colon = strchr(p, ':');
        if (!colon)
            return false;
        *colon = '\0';
        p = colon + 1;
    }
    f[5] = p;
    return str_eq(f[0], "arn");
}

static int bad_action(struct call *c)
{
    return call_fail(c, 400, "ValidationError", NULL); /* [obs] no message (terraform#19015) */
}

/* One action ARN; state is "OK", "ALARM" or "INSUFFICIENT_DATA". */
static int check_action(struct call *c, const char *arn, const char *state, unsigned *flags)
{
    char buf[1100];
    const char *f[6];
    if (!arn || strlen(arn) >= sizeof(buf))
        return bad_action(c);
    snprintf(buf, sizeof(buf), "%s", arn);
    if (!arn_split(buf, f))
        return bad_action(c);
    const char *part = f[1], *svc = f[2], *region = f[3], *acct = f[4], *res = f[5];
    if (!str_eq(part, "aws")) {
        if (str_eq(part, "aws-us-gov") || str_eq(part, "aws-cn") || str_startswith(part, "aws-iso"))
            return call_fail(c, 400, "ValidationError",
                             "Invalid partition %s specified. Only aws is supported.",
                             part); /* [obs] form */
        return bad_action(c);
    }
    bool acct_ok = strlen(acct) == 12 && all_digits(acct, 12);
    if (str_eq(svc, "automate")) {
        /* arn:aws:automate:REGION:ec2:VERB — the "account" field holds "ec2" */
        if (!str_eq(region, c->region) || !str_eq(acct, "ec2"))
            return bad_action(c);
        if (str_eq(res, "recover"))
            *flags |= CWA_EC2 | CWA_EC2_RECOVER;
        else if (str_eq(res, "stop") || str_eq(res, "terminate") || str_eq(res, "reboot"))
            *flags |= CWA_EC2 | CWA_EC2_SLR;
        else
            return bad_action(c);
        return 0;
    }
    if (str_eq(svc, "swf")) {
        if (!str_eq(region, c->region) || !acct_ok)
            return bad_action(c);
        if (str_eq(res, "action/actions/AWS_EC2.InstanceId.Recover/1.0"))
            *flags |= CWA_EC2 | CWA_EC2_RECOVER;
        else if (str_eq(res, "action/actions/AWS_EC2.InstanceId.Stop/1.0") ||
                 str_eq(res, "action/actions/AWS_EC2.InstanceId.Terminate/1.0") ||
                 str_eq(res, "action/actions/AWS_EC2.InstanceId.Reboot/1.0"))
            *flags |= CWA_EC2 | CWA_EC2_SLR;
        else
            return bad_action(c);
        return 0;
    }
    if (str_eq(svc, "sns")) {
        if (!*region || !acct_ok || !*res || strchr(res, ':'))
            return bad_action(c);
        return 0;
    }
    if (str_eq(svc, "lambda")) {
        if (!*region || !acct_ok || !str_startswith(res, "function:") || !res[9])
            return bad_action(c);
        return 0;
    }
    if (str_eq(svc, "autoscaling")) {
        if (!*region || !acct_ok || !str_startswith(res, "scalingPolicy:") ||
            !strstr(res, ":autoScalingGroupName/") || !strstr(res, ":policyName/"))
            return bad_action(c);
        *flags |= CWA_AUTOSCALING;
        return 0;
    }
    if (str_eq(svc, "ssm")) {
        if (!*region || !acct_ok || !str_startswith(res, "opsitem:") || !res[8])
            return bad_action(c);
        return 0;
    }
    if (str_eq(svc, "ssm-incidents")) {
        if (!acct_ok || !str_startswith(res, "responseplan/") || !res[13])
            return bad_action(c);
        return 0;
    }
    if (str_eq(svc, "aiops")) {
        if (!*region || !acct_ok || !str_startswith(res, "investigation-group:") ||
            !str_eq(state, CW_ALARM))
            return bad_action(c);
        return 0;
    }
    return bad_action(c);
}

int cwa_check_actions(struct call *c, const json_t *in, unsigned *flags)
{
    static const char *const lists[][2] = {{CW_IN_OKActions, CW_OK},
                                           {CW_IN_AlarmActions, CW_ALARM},
                                           {CW_IN_InsufficientDataActions, CW_INSUFFICIENT}};
    *flags = 0;
    for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
        const json_t *arr = json_object_get(in, lists[l][0]);
        if (json_array_size(arr) > 5)
            return call_fail(c, 400, "ValidationError",
                             "1 validation error detected: Value at '%c%s' failed to satisfy "
                             "constraint: Member must have length less than or equal to 5",
                             lists[l][0][0] == 'O' ? 'o' : lists[l][0][0] + 32, lists[l][0] + 1);
        size_t i;
        const json_t *e;
        json_array_foreach(arr, i, e)
        {
            if (check_action(c, json_string_value(e), lists[l][1], flags))
                return -1;
        }
    }
    return 0;
}

/* ================================================================ PutMetricAlarm */

int cwa_not_null(struct call *c, const char *what)
{
    return call_fail(c, 400, "ValidationError", "%s must not be null", what); /* [obs] form */
}

int cwa_invalid_value(struct call *c, const char *param, const char *v)
{
    return call_fail(c, 400, "InvalidParameterValue", "The value %s for parameter %s is invalid.",
                     v ? v : "", param); /* AWS template; inferred for these parameters */
}

/* ExtendedStatistic forms [model doc]: pNN(.NN), tmNN, tcNN, tsNN, wmNN, IQM, PR(n:m),
 * TM(a%:b%), TC(..), TS(..), WM(..). */
static bool ext_stat_valid(const char *s)
{
    double v;
    if (cw_stat_percentile(s, &v))
        return true;
    if (str_eq(s, "IQM"))
        return true;
    static const char *const lower[] = {"tm", "tc", "ts", "wm"};
    for (size_t i = 0; i < ARRAY_LEN(lower); i++) {
        if (str_startswith(s, lower[i])) {
            char tmp[16];
            snprintf(tmp, sizeof(tmp), "p%s", s + 2);
            return cw_stat_percentile(tmp, &v);
        }
    }
    static const char *const upper[] = {"TM(", "TC(", "TS(", "WM(", "PR("};
    for (size_t i = 0; i < ARRAY_LEN(upper); i++) {
        if (str_startswith(s, upper[i]) && str_endswith(s, ")") && strchr(s, ':'))
            return true;
    }
    return false;
}

static bool is_percentile_stat(const char *s)
{
    double v;
    return s && cw_stat_percentile(s, &v);
}

static const char *band_ops[] = {"LessThanLowerOrGreaterThanUpperThreshold",
                                 "LessThanLowerThreshold", "GreaterThanUpperThreshold"};

static bool is_band_op(const char *op)
{
    for (size_t i = 0; i < ARRAY_LEN(band_ops); i++)
        if (str_eq(op, band_ops[i]))
            return true;
    return false;
}

/* Checks Metrics (metric math). *period set to the period of the ReturnData query. */
static int check_metrics(struct call *c, const json_t *metrics, const char *threshold_id,
                         int64_t *period)
{
    size_t n = json_array_size(metrics), i, nret = 0, nstat = 0;
    const json_t *q;
    int64_t common = 0;
    bool threshold_found = false;
    if (n > 10)
        return call_fail(c, 400, "ValidationError", /* inferred [doc: up to 10 metrics] */
                         "The value of Metrics must not contain more than 10 elements.");
    json_array_foreach(metrics, i, q)
    {
        const char *id = cwa_str(q, CW_M_MetricDataQuery_Id);
        const json_t *ms = json_object_get(q, CW_M_MetricDataQuery_MetricStat);
        const char *expr = cwa_str(q, CW_M_MetricDataQuery_Expression);
        if (!id || !*id)
            return cwa_not_null(c, "Id"); /* inferred */
        if (*id < 'a' || *id > 'z')
            return call_fail(c, 400, "ValidationError", /* inferred [model doc] */
                             "Invalid metrics list: the Id %s must start with a lowercase letter.",
                             id);
        for (size_t k = 0; k < i; k++)
            if (str_eq(cwa_str(json_array_get(metrics, k), CW_M_MetricDataQuery_Id), id))
                return call_fail(c, 400, "ValidationError", /* inferred */
                                 "Invalid metrics list: duplicate Id %s.", id);
        if ((ms != NULL) == (expr != NULL))
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "Exactly one of Expression and MetricStat must be set for the "
                             "metric %s.",
                             id);
        if (expr && (strstr(expr, "SEARCH(") || strstr(expr, "SEARCH (")))
            return call_fail(c, 400, "ValidationError",
                             "SEARCH is not supported on Metric Alarms.");
        int64_t p = 0;
        if (ms) {
            nstat++;
            const json_t *m = json_object_get(ms, CW_M_MetricStat_Metric);
            if (!cwa_str(m, CW_M_Metric_MetricName))
                return cwa_not_null(c, "MetricName"); /* [obs] form */
            if (!cwa_str(ms, CW_M_MetricStat_Stat))
                return cwa_not_null(c, "Stat"); /* inferred */
            p = json_integer_value(json_object_get(ms, CW_M_MetricStat_Period));
            if (!json_object_get(ms, CW_M_MetricStat_Period))
                return cwa_not_null(c, "Period"); /* inferred */
        } else if (json_object_get(q, CW_M_MetricDataQuery_Period)) {
            p = json_integer_value(json_object_get(q, CW_M_MetricDataQuery_Period));
        }
        if (p && !(p == 10 || p == 20 || p == 30 || (p >= 60 && p % 60 == 0)))
            return call_fail(c, 400, "ValidationError",
                             "Period must be 10, 20, 30 or a multiple of 60");
        if (p && common && p != common)
            return call_fail(c, 400, "ValidationError", /* inferred [doc: same period] */
                             "All metrics in an alarm must have the same period.");
        if (p)
            common = p;
        if (!json_is_false(
                json_object_get(q, CW_M_MetricDataQuery_ReturnData))) /* default true (inferred) */
            nret++;
        if (threshold_id && str_eq(threshold_id, id)) {
            if (!expr || !strstr(expr, "ANOMALY_DETECTION_BAND"))
                return call_fail(c, 400, "ValidationError", /* inferred */
                                 "ThresholdMetricId %s must refer to an ANOMALY_DETECTION_BAND "
                                 "expression.",
                                 threshold_id);
            threshold_found = true;
        }
    }
    /* the alarm's metric returns data; with an anomaly band, the band too (inferred) */
    if (nret != (threshold_found ? 2u : 1u))
        return call_fail(c, 400, "ValidationError",
                         "Exactly one element of the metrics list should return data.");
    if (threshold_id && !threshold_found)
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "ThresholdMetricId %s does not match the Id of any metric.", threshold_id);
    if (nstat == 0)
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "The metrics list must contain at least one MetricStat.");
    *period = common ? common : 60;
    return 0;
}

int cwa_check_metric_alarm(struct call *c, const json_t *in, unsigned *flags, int64_t *period_out)
{
    const json_t *metrics = json_object_get(in, CW_M_PutMetricAlarmInput_Metrics);
    bool math = json_array_size(metrics) > 0;
    const char *metric_name = cwa_str(in, CW_M_PutMetricAlarmInput_MetricName);
    const char *ns = cwa_str(in, CW_M_PutMetricAlarmInput_Namespace);
    const char *stat = cwa_str(in, CW_M_PutMetricAlarmInput_Statistic);
    const char *ext = cwa_str(in, CW_M_PutMetricAlarmInput_ExtendedStatistic);
    const char *op = cwa_str(in, CW_M_PutMetricAlarmInput_ComparisonOperator);
    const char *threshold_id = cwa_str(in, CW_M_PutMetricAlarmInput_ThresholdMetricId);
    const json_t *jperiod = json_object_get(in, CW_M_PutMetricAlarmInput_Period);
    const json_t *jevals = json_object_get(in, CW_M_PutMetricAlarmInput_EvaluationPeriods);
    const json_t *jdta = json_object_get(in, CW_M_PutMetricAlarmInput_DatapointsToAlarm);
    int64_t period = 0;

    if (!jevals)
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter EvaluationPeriods is required.");
    if (!op)
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter ComparisonOperator is required.");
    if (math) {
        static const char *const excl[] = {
            CW_M_PutMetricAlarmInput_MetricName, CW_M_PutMetricAlarmInput_Namespace,
            CW_M_PutMetricAlarmInput_Statistic,  CW_M_PutMetricAlarmInput_ExtendedStatistic,
            CW_M_PutMetricAlarmInput_Period,     CW_M_PutMetricAlarmInput_Unit};
        for (size_t i = 0; i < ARRAY_LEN(excl); i++)
            if (json_object_get(in, excl[i]))
                return call_fail(c, 400, "ValidationError",
                                 "%s should not be set if list of Metrics is set.", /* [obs] */
                                 excl[i]);
        if (json_array_size(json_object_get(in, CW_M_PutMetricAlarmInput_Dimensions)))
            return call_fail(
                c, 400, "ValidationError",
                "Dimensions should not be set if list of Metrics is set."); /* [obs] form */
        if (check_metrics(c, metrics, threshold_id, &period))
            return -1;
    } else {
        if (!metric_name)
            return cwa_not_null(c, "MetricName"); /* [obs] */
        if (!ns)
            return cwa_not_null(c, "Namespace"); /* [obs] form */
        if (stat && ext)
            return call_fail(c, 400, "InvalidParameterCombination", /* inferred */
                             "The parameters Statistic and ExtendedStatistic are mutually "
                             "exclusive and you have specified both.");
        if (!stat && !ext)
            return call_fail(c, 400, "InvalidParameterCombination", /* inferred */
                             "At least one of the parameters Statistic and ExtendedStatistic "
                             "must be specified.");
        if (stat && !cw_stat_is_basic(stat))
            return cwa_invalid_value(c, "Statistic", stat);
        if (ext && !ext_stat_valid(ext))
            return cwa_invalid_value(c, "ExtendedStatistic", ext);
        if (!jperiod)
            return cwa_not_null(c, "Period"); /* [obs] form */
        period = json_integer_value(jperiod);
        if (!(period == 10 || period == 20 || period == 30 || (period >= 60 && period % 60 == 0)))
            return call_fail(c, 400, "ValidationError",
                             "Period must be 10, 20, 30 or a multiple of 60"); /* [obs, weak] */
        struct cw_dim *dims;
        size_t nd;
        const char *dup = NULL;
        if (json_array_size(json_object_get(in, CW_M_PutMetricAlarmInput_Dimensions)) >
            CW_MAX_DIMENSIONS)
            return call_fail(c, 400, "ValidationError",
                             "1 validation error detected: Value at 'dimensions' failed to "
                             "satisfy constraint: Member must have length less than or equal "
                             "to 30");
        if (cw_dims_from_json(c->a, json_object_get(in, CW_M_PutMetricAlarmInput_Dimensions), &dims,
                              &nd, &dup)) {
            if (dup)
                return call_fail(c, 400, "InvalidParameterValue",
                                 "No metric may specify the same dimension name twice.");
            return cwa_not_null(c, "Dimensions.member.N.Value"); /* inferred */
        }
        if (json_object_get(in, CW_M_PutMetricAlarmInput_EvaluateLowSampleCountPercentile) &&
            !is_percentile_stat(ext))
            return call_fail(c, 400, "ValidationError", /* inferred [doc: percentiles only] */
                             "EvaluateLowSampleCountPercentile can only be used with a "
                             "percentile ExtendedStatistic.");
    }
    const char *elsc = cwa_str(in, CW_M_PutMetricAlarmInput_EvaluateLowSampleCountPercentile);
    if (elsc && !str_eq(elsc, "evaluate") && !str_eq(elsc, "ignore"))
        return cwa_invalid_value(c, "EvaluateLowSampleCountPercentile", elsc);
    const char *tmd = cwa_str(in, CW_M_PutMetricAlarmInput_TreatMissingData);
    if (tmd && !str_eq(tmd, "breaching") && !str_eq(tmd, "notBreaching") &&
        !str_eq(tmd, "ignore") && !str_eq(tmd, "missing"))
        return cwa_invalid_value(c, "TreatMissingData", tmd);

    /* thresholds */
    if (threshold_id) {
        if (!math)
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "ThresholdMetricId can only be used with a list of Metrics.");
        if (json_object_get(in, CW_M_PutMetricAlarmInput_Threshold))
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "Threshold should not be set if ThresholdMetricId is set.");
        if (!is_band_op(op))
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "ComparisonOperator %s is not valid for an anomaly detection "
                             "alarm.",
                             op);
    } else {
        if (is_band_op(op))
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "ComparisonOperator %s can only be used with ThresholdMetricId.", op);
        const json_t *th = json_object_get(in, CW_M_PutMetricAlarmInput_Threshold);
        if (!th)
            return cwa_not_null(c, "Threshold"); /* [obs] form */
        if (!json_is_number(th) || !isfinite(json_number_value(th)))
            return cwa_invalid_value(c, "Threshold", json_string_value(th));
    }

    /* evaluation window */
    int64_t evals = json_integer_value(jevals);
    if (evals < 1)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value '%lld' at 'evaluationPeriods' failed "
                         "to satisfy constraint: Member must have value greater than or equal to 1",
                         (long long)evals);
    if (jdta && json_integer_value(jdta) > evals)
        return call_fail(
            c, 400, "ValidationError",
            "DatapointsToAlarm must be less than or equal to EvaluationPeriods"); /* [obs] */
    if (jdta && json_integer_value(jdta) < 1)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value '%lld' at 'datapointsToAlarm' failed "
                         "to satisfy constraint: Member must have value greater than or equal to 1",
                         (long long)json_integer_value(jdta));
    if (period >= 3600 && (double)evals * (double)period > 604800)
        return call_fail(c, 400, "ValidationError",
                         "Metrics cannot be checked across more than a week (EvaluationPeriods * "
                         "Period must be <= 604800) for alarms using period >= 3600"); /* [obs] */
    if (period < 3600 && (double)evals * (double)period > 86400)
        return call_fail(c, 400, "ValidationError",
                         "Metrics cannot be checked across more than a day (EvaluationPeriods * "
                         "Period must be <= 86400)"); /* [obs] */

    /* actions */
    if (cwa_check_actions(c, in, flags))
        return -1;
    if (threshold_id && (*flags & CWA_AUTOSCALING)) /* [doc] */
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "Alarms based on anomaly detection models cannot have Auto Scaling "
                         "actions.");
    if (*flags & CWA_EC2) {
        static const char ec2_msg[] = "Invalid use of EC2 action. An EC2 action can only be used "
                                      "if the alarm is monitoring an EC2 instance."; /* [obs] */
        const char *instance = NULL;
        const json_t *d;
        size_t i;
        json_array_foreach(json_object_get(in, CW_M_PutMetricAlarmInput_Dimensions), i, d)
        {
            if (str_eq(cwa_str(d, CW_M_Dimension_Name), "InstanceId"))
                instance = cwa_str(d, CW_M_Dimension_Value);
        }
        if (math || !instance)
            return call_fail(c, 400, "ValidationError", "%s", ec2_msg); /* math: text inferred */
        if (*flags & CWA_EC2_RECOVER) {
            if (!str_eq(ns, "AWS/EC2"))
                return call_fail(c, 400, "ValidationError", "%s", ec2_msg); /* inferred */
            if (str_eq(metric_name, "StatusCheckFailed_Instance"))
                return call_fail(c, 400, "ValidationError", /* inferred [doc rule] */
                                 "The EC2 'recover' action is not supported for the metric "
                                 "StatusCheckFailed_Instance.");
            struct ec2_instance inst;
            int r = ec2_instance_get(c->st, instance, &inst);
            if (r < 0)
                return cw_internal(c);
            if (r == 0) {
                const struct ec2_type_info *ti = ec2_type_find(inst.type);
                if (!ti || !ti->auto_recovery_supported)
                    return call_fail(c, 400, "ValidationError", /* inferred (Appendix C) */
                                     "The EC2 'recover' action is not supported for the "
                                     "instance %s: instance type %s does not support "
                                     "recovery.",
                                     instance, inst.type);
            }
        }
    }
    *period_out = period;
    return 0;
}
