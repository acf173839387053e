/*
 * alarms.c — CloudWatch metric alarms: storage (cw_alarm.h) and the API PutMetricAlarm,
 * DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms, Enable/DisableAlarmActions,
 * SetAlarmState.
 *
 * Sources of the error texts: aws-behaviour.md §1–§2. Tags: [obs] seen in real AWS answers
 * (user transcripts), [doc] API reference, [model] botocore; "inferred" where no AWS text
 * was found (then following AWS's templates "X must not be null", "The value V for
 * parameter P is invalid.").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/cloudwatch/alarm_api.h"
#include "svc/cloudwatch/cw.h"
#include "svc/ec2/ec2.h"
#include "svc/iam/iam.h"
#include "svc/svc.h"
#include "svc/cloudwatch/ops.h"
#include "wire/models/cloudwatch_members.h"
#include "wire/models/iam_members.h"

#define DESCRIBE_PAGE_DEFAULT 50 /* inferred: MaxRecords has no documented default */

/* ================================================================ storage */

/* Fills *out from a row (region, name, account, composite, doc, creator, creator_key). */
static int row_alarm(sqlite3_stmt *s, struct cw_alarm *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->region, sizeof(out->region), "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(s, 1));
    snprintf(out->account, sizeof(out->account), "%s", (const char *)sqlite3_column_text(s, 2));
    out->composite = sqlite3_column_int(s, 3) != 0;
    json_error_t je;
    out->doc = json_loads((const char *)sqlite3_column_text(s, 4), 0, &je);
    if (!json_is_object(out->doc)) {
        json_decref(out->doc);
        out->doc = NULL;
        log_error("cloudwatch: alarm %s has a bad stored document", out->name);
        return -1;
    }
    const char *arn = json_string_value(json_object_get(out->doc, "AlarmArn"));
    if (arn)
        snprintf(out->arn, sizeof(out->arn), "%s", arn);
    else
        snprintf(out->arn, sizeof(out->arn), "arn:aws:cloudwatch:%s:%s:alarm:%s", out->region,
                 out->account, out->name);
    const char *cr = (const char *)sqlite3_column_text(s, 5);
    if (cr && principal_from_json(cr, &out->creator))
        memset(&out->creator, 0, sizeof(out->creator));
    const char *key = (const char *)sqlite3_column_text(s, 6);
    snprintf(out->creator_key, sizeof(out->creator_key), "%s", key ? key : "");
    return 0;
}

int cw_alarm_load(struct store *st, const char *region, const char *name, struct cw_alarm *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT region, name, account, composite, doc, creator,"
                                     " creator_key FROM cw_alarms WHERE region = ?1 AND name = ?2");
    store_bind_text_or_null(s, 1, region);
    store_bind_text_or_null(s, 2, name);
    int rc = sqlite3_step(s);
    int r;
    if (rc == SQLITE_ROW)
        r = row_alarm(s, out) ? -1 : 0;
    else if (rc == SQLITE_DONE)
        r = 1;
    else {
        log_error("cloudwatch alarm load: %s", sqlite3_errmsg(store_db(st)));
        r = -1;
    }
    sqlite3_reset(s);
    return r;
}

static char *doc_text(const json_t *doc)
{
    return json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int cw_alarm_save(struct store *st, const struct cw_alarm *a)
{
    char *doc = doc_text(a->doc);
    char *cr = principal_to_json(&a->creator);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT OR REPLACE INTO cw_alarms(region, name, account, composite, state, doc,"
            " creator, creator_key) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    store_bind_text_or_null(s, 1, a->region);
    store_bind_text_or_null(s, 2, a->name);
    store_bind_text_or_null(s, 3, a->account);
    sqlite3_bind_int(s, 4, a->composite ? 1 : 0);
    const char *state = json_string_value(json_object_get(a->doc, "StateValue"));
    store_bind_text_or_null(s, 5, state ? state : CW_INSUFFICIENT);
    store_bind_text_or_null(s, 6, doc ? doc : "{}");
    store_bind_text_or_null(s, 7, cr ? cr : "{}");
    store_bind_text_or_null(s, 8, a->creator_key[0] ? a->creator_key : NULL);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    if (rc)
        log_error("cloudwatch alarm save: %s", sqlite3_errmsg(store_db(st)));
    sqlite3_reset(s);
    free(doc);
    free(cr);
    return rc;
}

int cw_alarm_save_doc(struct store *st, const struct cw_alarm *a)
{
    char *doc = doc_text(a->doc);
    sqlite3_stmt *s = store_stmt(st, "UPDATE cw_alarms SET doc = ?1, state = ?2"
                                     " WHERE region = ?3 AND name = ?4");
    store_bind_text_or_null(s, 1, doc ? doc : "{}");
    const char *state = json_string_value(json_object_get(a->doc, "StateValue"));
    store_bind_text_or_null(s, 2, state ? state : CW_INSUFFICIENT);
    store_bind_text_or_null(s, 3, a->region);
    store_bind_text_or_null(s, 4, a->name);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    if (rc)
        log_error("cloudwatch alarm save doc: %s", sqlite3_errmsg(store_db(st)));
    sqlite3_reset(s);
    free(doc);
    return rc;
}

void cw_alarm_free(struct cw_alarm *a)
{
    if (!a)
        return;
    json_decref(a->doc);
    a->doc = NULL;
}

#define EACH_BATCH 256

/* Rows are read in batches ordered by (region, name), so fn may save or delete alarms.
 * Returns 0, -1 on a store error, or fn's non-zero value that stopped the sweep. */
int cw_alarm_each(struct store *st, int (*fn)(void *ctx, struct cw_alarm *a), void *ctx)
{
    char region[32] = "", name[256] = "";
    struct cw_alarm *batch = xcalloc(EACH_BATCH, sizeof(*batch));
    int rc = 0;
    for (;;) {
        sqlite3_stmt *s = store_stmt(
            st, "SELECT region, name, account, composite, doc, creator, creator_key FROM cw_alarms"
                " WHERE region > ?1 OR (region = ?1 AND name > ?2) ORDER BY region, name LIMIT ?3");
        store_bind_text_or_null(s, 1, region);
        store_bind_text_or_null(s, 2, name);
        sqlite3_bind_int(s, 3, EACH_BATCH);
        size_t n = 0, rows = 0;
        int src;
        while ((src = sqlite3_step(s)) == SQLITE_ROW) {
            rows++;
            if (row_alarm(s, &batch[n]) == 0)
                n++;
            snprintf(region, sizeof(region), "%s", (const char *)sqlite3_column_text(s, 0));
            snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(s, 1));
        }
        sqlite3_reset(s);
        if (src != SQLITE_DONE) {
            log_error("cloudwatch alarm sweep: %s", sqlite3_errmsg(store_db(st)));
            rc = -1;
        }
        bool stop = false;
        for (size_t i = 0; rc == 0 && !stop && i < n; i++) {
            int r = fn(ctx, &batch[i]);
            if (r) {
                stop = true;
                rc = r;
            }
        }
        for (size_t k = 0; k < n; k++)
            cw_alarm_free(&batch[k]);
        if (rc || stop || rows < EACH_BATCH)
            break;
    }
    free(batch);
    return rc;
}

/* ================================================================ helpers */

char *cwa_alarm_arn(struct arena *a, const char *region, const char *account, const char *name)
{
    return arena_printf(a, "arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, name);
}

const char *cwa_str(const json_t *in, const char *key)
{
    return json_string_value(json_object_get(in, key));
}

/* MetricAlarm / CompositeAlarm members in AWS's order: the model's [model + snap, §2.6]. */
static const char *const metric_order[] = {CW_MEMBERS_MetricAlarm};
static const char *const composite_order[] = {CW_MEMBERS_CompositeAlarm};
static const char *const brief_order[] = {"AlarmName", "AlarmArn", "StateValue",
                                          "StateUpdatedTimestamp"};

void cwa_out_alarm(struct out *o, const struct cw_alarm *a, enum cwa_detail detail)
{
    const char *const *keys = a->composite ? composite_order : metric_order;
    size_t n = a->composite ? ARRAY_LEN(composite_order) : ARRAY_LEN(metric_order);
    if (detail != CWA_FULL) {
        keys = brief_order;
        n = detail == CWA_PARENTS ? 2 : ARRAY_LEN(brief_order);
    }
    json_t *ordered = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(a->doc, keys[i]);
        if (v && !json_is_null(v))
            json_object_set(ordered, keys[i], v);
    }
    out_json(o, NULL, ordered);
    json_decref(ordered);
}

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

int cwa_ensure_slr(struct call *c)
{
    struct iam_role role;
    int r = iam_role_get(c->st, c->a, CWA_SLR_NAME, &role);
    if (r == 0)
        return 0;
    if (r < 0)
        return cw_internal(c);
    /* The caller needs iam:CreateServiceLinkedRole for the first such alarm [doc]. The
     * cloudwatch:AlarmActions condition key is fed by authz_request (dispatch). */
    const char *slr_arn = arena_printf(c->a,
                                       "arn:aws:iam::%s:role/aws-service-role/"
                                       "events.amazonaws.com/%s",
                                       c->account, CWA_SLR_NAME);
    if (authz_check(c, &c->who, "iam:CreateServiceLinkedRole", slr_arn, NULL))
        return -1;
    const struct op_def *slr = ops_find("iam", "CreateServiceLinkedRole");
    if (!slr || !slr->fn) {
        log_warn("cloudwatch: IAM CreateServiceLinkedRole not served; %s not created",
                 CWA_SLR_NAME);
        return 0;
    }
    /* Through the IAM handler, on a scratch call sharing this transaction. */
    struct call sc = *c;
    struct out sc_out;
    const struct model_service *iam = model_service_by_id("iam");
    const struct model_op *op = iam ? model_op_find(iam, "CreateServiceLinkedRole") : NULL;
    if (!op)
        return cw_internal(c);
    sc.svc = iam;
    sc.op = op;
    sc.op_name = "CreateServiceLinkedRole";
    sc.proto = PROTO_QUERY; /* IAM's protocol; the output is discarded */
    sc.err.status = 0;
    sc.err.code = sc.err.message = NULL;
    sc.out = &sc_out;
    out_init(sc.out, PROTO_QUERY, iam, op);
    json_t *in = json_pack("{s:s}", IAM_M_CreateServiceLinkedRoleRequest_AWSServiceName,
                           "events.amazonaws.com");
    int rc = slr->fn(&sc, in, sc.out);
    json_decref(in);
    out_free(sc.out);
    if (rc) {
        c->err.status = sc.err.status;
        c->err.code = sc.err.code;
        c->err.message = sc.err.message;
        c->err.sender = sc.err.sender;
        return -1;
    }
    return 0;
}

/* ================================================================ PutMetricAlarm */

static int not_null(struct call *c, const char *what)
{
    return call_fail(c, 400, "ValidationError", "%s must not be null", what); /* [obs] form */
}

static int invalid_value(struct call *c, const char *param, const char *v)
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
            return not_null(c, "Id"); /* inferred */
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
                return not_null(c, "MetricName"); /* [obs] form */
            if (!cwa_str(ms, CW_M_MetricStat_Stat))
                return not_null(c, "Stat"); /* inferred */
            p = json_integer_value(json_object_get(ms, CW_M_MetricStat_Period));
            if (!json_object_get(ms, CW_M_MetricStat_Period))
                return not_null(c, "Period"); /* inferred */
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

/* Validates a PutMetricAlarm input. On success *flags holds the action flags. */
static int check_put(struct call *c, const json_t *in, unsigned *flags, int64_t *period_out)
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
            return not_null(c, "MetricName"); /* [obs] */
        if (!ns)
            return not_null(c, "Namespace"); /* [obs] form */
        if (stat && ext)
            return call_fail(c, 400, "InvalidParameterCombination", /* inferred */
                             "The parameters Statistic and ExtendedStatistic are mutually "
                             "exclusive and you have specified both.");
        if (!stat && !ext)
            return call_fail(c, 400, "InvalidParameterCombination", /* inferred */
                             "At least one of the parameters Statistic and ExtendedStatistic "
                             "must be specified.");
        if (stat && !cw_stat_is_basic(stat))
            return invalid_value(c, "Statistic", stat);
        if (ext && !ext_stat_valid(ext))
            return invalid_value(c, "ExtendedStatistic", ext);
        if (!jperiod)
            return not_null(c, "Period"); /* [obs] form */
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
            return not_null(c, "Dimensions.member.N.Value"); /* inferred */
        }
        if (json_object_get(in, CW_M_PutMetricAlarmInput_EvaluateLowSampleCountPercentile) &&
            !is_percentile_stat(ext))
            return call_fail(c, 400, "ValidationError", /* inferred [doc: percentiles only] */
                             "EvaluateLowSampleCountPercentile can only be used with a "
                             "percentile ExtendedStatistic.");
    }
    const char *elsc = cwa_str(in, CW_M_PutMetricAlarmInput_EvaluateLowSampleCountPercentile);
    if (elsc && !str_eq(elsc, "evaluate") && !str_eq(elsc, "ignore"))
        return invalid_value(c, "EvaluateLowSampleCountPercentile", elsc);
    const char *tmd = cwa_str(in, CW_M_PutMetricAlarmInput_TreatMissingData);
    if (tmd && !str_eq(tmd, "breaching") && !str_eq(tmd, "notBreaching") &&
        !str_eq(tmd, "ignore") && !str_eq(tmd, "missing"))
        return invalid_value(c, "TreatMissingData", tmd);

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
            return not_null(c, "Threshold"); /* [obs] form */
        if (!json_is_number(th) || !isfinite(json_number_value(th)))
            return invalid_value(c, "Threshold", json_string_value(th));
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

static json_t *copy_or(const json_t *in, const char *key, json_t *dflt)
{
    const json_t *v = json_object_get(in, key);
    if (v) {
        json_decref(dflt);
        return json_deep_copy(v);
    }
    return dflt;
}

/*
 * PutMetricAlarm: create or overwrite. A new alarm starts INSUFFICIENT_DATA with
 * `Unchecked: Initial alarm creation` [doc/snap]; "When you update an existing alarm, its
 * state is left unchanged, but the update completely overwrites the previous configuration"
 * [doc]: StateValue, StateReason, StateReasonData and the state timestamps are kept (that
 * the reason is kept too is inferred). Tags only on create, needing cloudwatch:TagResource
 * [doc]. Records the creator (c->who and its access key).
 */
int cw_put_metric_alarm(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = cwa_str(in, CW_M_PutMetricAlarmInput_AlarmName);
    if (!name || !*name)
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter AlarmName is required.");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return invalid_value(c, "AlarmName", NULL); /* inferred [doc: no control chars] */
    unsigned flags = 0;
    int64_t period = 0;
    if (check_put(c, in, &flags, &period))
        return -1;

    struct cw_alarm old;
    int lr = cw_alarm_load(c->st, c->region, name, &old);
    if (lr < 0)
        return cw_internal(c);
    bool update = lr == 0;
    if (update && old.composite) {
        cw_alarm_free(&old);
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "The alarm %s already exists as a composite alarm.", name);
    }
    if ((flags & CWA_EC2_SLR) && cwa_ensure_slr(c)) {
        if (update)
            cw_alarm_free(&old);
        return -1;
    }

    struct cw_alarm a;
    memset(&a, 0, sizeof(a));
    snprintf(a.account, sizeof(a.account), "%s", c->account);
    snprintf(a.region, sizeof(a.region), "%s", c->region);
    snprintf(a.name, sizeof(a.name), "%s", name);
    snprintf(a.arn, sizeof(a.arn), "%s", cwa_alarm_arn(c->a, c->region, c->account, name));
    a.composite = false;
    a.creator = c->who;
    snprintf(a.creator_key, sizeof(a.creator_key), "%s", c->who.access_key_id);

    bool math = json_array_size(json_object_get(in, CW_M_PutMetricAlarmInput_Metrics)) > 0;
    json_t *d = json_object();
    const json_t *v;
    json_object_set_new(d, "AlarmName", json_string(name));
    json_object_set_new(d, "AlarmArn", json_string(a.arn));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_AlarmDescription)) != NULL)
        json_object_set_new(d, "AlarmDescription", json_deep_copy(v));
    json_object_set_new(d, "AlarmConfigurationUpdatedTimestamp", json_integer(c->now_ms));
    json_object_set_new(
        d, "ActionsEnabled",
        json_boolean(!json_is_false(json_object_get(in, CW_M_PutMetricAlarmInput_ActionsEnabled))));
    json_object_set_new(d, "OKActions",
                        copy_or(in, CW_M_PutMetricAlarmInput_OKActions, json_array()));
    json_object_set_new(d, "AlarmActions",
                        copy_or(in, CW_M_PutMetricAlarmInput_AlarmActions, json_array()));
    json_object_set_new(
        d, "InsufficientDataActions",
        copy_or(in, CW_M_PutMetricAlarmInput_InsufficientDataActions, json_array()));
    if (update) {
        static const char *const keep[] = {"StateValue", "StateReason", "StateReasonData",
                                           "StateUpdatedTimestamp"};
        for (size_t i = 0; i < ARRAY_LEN(keep); i++)
            if ((v = json_object_get(old.doc, keep[i])) != NULL)
                json_object_set(d, keep[i], (json_t *)v);
    } else {
        json_object_set_new(d, "StateValue", json_string(CW_INSUFFICIENT));
        json_object_set_new(d, "StateReason", json_string("Unchecked: Initial alarm creation"));
        json_object_set_new(d, "StateUpdatedTimestamp", json_integer(c->now_ms));
    }
    if (!math) {
        json_object_set_new(d, "MetricName",
                            json_string(cwa_str(in, CW_M_PutMetricAlarmInput_MetricName)));
        json_object_set_new(d, "Namespace",
                            json_string(cwa_str(in, CW_M_PutMetricAlarmInput_Namespace)));
        if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_Statistic)) != NULL)
            json_object_set_new(d, "Statistic", json_deep_copy(v));
        if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_ExtendedStatistic)) != NULL)
            json_object_set_new(d, "ExtendedStatistic", json_deep_copy(v));
    }
    /* Dimensions as given (order kept), always present [snap] */
    json_t *dims = json_array();
    size_t i;
    json_array_foreach(json_object_get(in, CW_M_PutMetricAlarmInput_Dimensions), i, v)
    {
        json_array_append_new(dims, json_pack("{s:s, s:s}", "Name", cwa_str(v, CW_M_Dimension_Name),
                                              "Value", cwa_str(v, CW_M_Dimension_Value)));
    }
    json_object_set_new(d, "Dimensions", dims);
    if (!math)
        json_object_set_new(d, "Period", json_integer(period));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_Unit)) != NULL)
        json_object_set_new(d, "Unit", json_deep_copy(v));
    json_object_set_new(d, "EvaluationPeriods",
                        json_integer(json_integer_value(
                            json_object_get(in, CW_M_PutMetricAlarmInput_EvaluationPeriods))));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_DatapointsToAlarm)) != NULL)
        json_object_set_new(d, "DatapointsToAlarm", json_integer(json_integer_value(v)));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_Threshold)) != NULL)
        json_object_set_new(d, "Threshold", json_real(json_number_value(v)));
    json_object_set_new(d, "ComparisonOperator",
                        json_string(cwa_str(in, CW_M_PutMetricAlarmInput_ComparisonOperator)));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_TreatMissingData)) != NULL)
        json_object_set_new(d, "TreatMissingData", json_deep_copy(v));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_EvaluateLowSampleCountPercentile)) !=
        NULL)
        json_object_set_new(d, "EvaluateLowSampleCountPercentile", json_deep_copy(v));
    if (math)
        json_object_set_new(d, "Metrics",
                            json_deep_copy(json_object_get(in, CW_M_PutMetricAlarmInput_Metrics)));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_ThresholdMetricId)) != NULL)
        json_object_set_new(d, "ThresholdMetricId", json_deep_copy(v));
    if (update && (v = json_object_get(old.doc, "StateTransitionedTimestamp")) != NULL)
        json_object_set(d, "StateTransitionedTimestamp", (json_t *)v);
    else
        json_object_set_new(d, "StateTransitionedTimestamp", json_integer(c->now_ms));
    a.doc = d;
    if (update)
        cw_alarm_free(&old);

    int rc = -1;
    if (cw_alarm_save(c->st, &a) ||
        cwa_history_config(c->st, &a, update ? "Update" : "Create", c->now_ms)) {
        cw_internal(c);
        goto out;
    }
    if (!update && cwa_tags_on_create(c, a.arn, json_object_get(in, CW_M_PutMetricAlarmInput_Tags)))
        goto out;
    cw_alarm_schedule(c->st, c->now_ms);
    rc = 0;
out:
    json_decref(d);
    return rc;
}

/* ================================================================ DescribeAlarms */

static bool name_listed(const json_t *names, const char *name)
{
    size_t i;
    const json_t *e;
    json_array_foreach(names, i, e)
    {
        if (str_eq(json_string_value(e), name))
            return true;
    }
    return false;
}

static bool has_action_prefix(const json_t *doc, const char *prefix)
{
    static const char *const lists[] = {"OKActions", "AlarmActions", "InsufficientDataActions"};
    for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
        size_t i;
        const json_t *e;
        json_array_foreach(json_object_get(doc, lists[l]), i, e)
        {
            if (str_startswith(json_string_value(e), prefix))
                return true;
        }
    }
    return false;
}

struct found {
    struct cw_alarm *v;
    size_t n, cap;
};

static void found_add(struct found *f, struct cw_alarm *a)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 32;
        f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
    }
    f->v[f->n++] = *a;
}

static void found_free(struct found *f)
{
    for (size_t i = 0; i < f->n; i++)
        cw_alarm_free(&f->v[i]);
    free(f->v);
}

/* All alarms of the call's region and account with name > after, by name. */
static int load_all(struct call *c, const char *after, struct found *f)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT region, name, account, composite, doc, creator,"
                                        " creator_key FROM cw_alarms WHERE region = ?1"
                                        " AND account = ?2 AND name > ?3 ORDER BY name");
    store_bind_text_or_null(s, 1, c->region);
    store_bind_text_or_null(s, 2, c->account);
    store_bind_text_or_null(s, 3, after ? after : "");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cw_alarm a;
        if (row_alarm(s, &a) == 0)
            found_add(f, &a);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

static bool in_list(const char **v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(v[i], name))
            return true;
    return false;
}

/*
 * DescribeAlarms [model doc]: AlarmNames | AlarmNamePrefix, AlarmTypes (default MetricAlarm
 * only), StateValue, ActionPrefix, ChildrenOfAlarmName / ParentsOfAlarmName (only with
 * MaxRecords and NextToken; brief output), MaxRecords 1..100, NextToken. Alarms by name;
 * the token is the last name returned (inferred).
 */
int cw_describe_alarms(struct call *c, const json_t *in, struct out *o)
{
    const json_t *names = json_object_get(in, CW_M_DescribeAlarmsInput_AlarmNames);
    const char *prefix = cwa_str(in, CW_M_DescribeAlarmsInput_AlarmNamePrefix);
    const char *state = cwa_str(in, CW_M_DescribeAlarmsInput_StateValue);
    const char *action_prefix = cwa_str(in, CW_M_DescribeAlarmsInput_ActionPrefix);
    const char *children_of = cwa_str(in, CW_M_DescribeAlarmsInput_ChildrenOfAlarmName);
    const char *parents_of = cwa_str(in, CW_M_DescribeAlarmsInput_ParentsOfAlarmName);
    const char *token = cwa_str(in, CW_M_DescribeAlarmsInput_NextToken);
    const json_t *types = json_object_get(in, CW_M_DescribeAlarmsInput_AlarmTypes);
    const json_t *jmax = json_object_get(in, CW_M_DescribeAlarmsInput_MaxRecords);
    int64_t max = jmax ? json_integer_value(jmax) : DESCRIBE_PAGE_DEFAULT;

    /* MaxRecords 1..100 and the StateValue enum: wire_validate [model] */
    if (json_array_size(names) && prefix)
        return call_fail(c, 400, "InvalidParameterCombination", /* inferred */
                         "The parameters AlarmNames and AlarmNamePrefix are mutually exclusive "
                         "and you have specified both.");
    if ((children_of || parents_of) && (json_array_size(names) || prefix || state ||
                                        action_prefix || types || (children_of && parents_of)))
        return call_fail(c, 400, "ValidationError", /* [doc: "a validation error"]; text inferred */
                         "If you specify %s, you cannot specify any other parameters in the "
                         "request except for MaxRecords and NextToken.",
                         children_of ? "ChildrenOfAlarmName" : "ParentsOfAlarmName");
    bool want_metric = true, want_composite = false;
    if (json_array_size(types)) {
        want_metric = want_composite = false;
        size_t i;
        const json_t *e;
        json_array_foreach(types, i, e)
        {
            if (str_eq(json_string_value(e), "MetricAlarm"))
                want_metric = true;
            else if (str_eq(json_string_value(e), "CompositeAlarm"))
                want_composite = true;
        }
    }

    const char **rel = NULL;
    size_t nrel = 0;
    enum cwa_detail detail = CWA_FULL;
    if (children_of || parents_of) {
        detail = children_of ? CWA_CHILDREN : CWA_PARENTS;
        want_metric = want_composite = true;
        if (children_of) {
            struct cw_alarm p;
            int r = cw_alarm_load(c->st, c->region, children_of, &p);
            if (r < 0)
                return cw_internal(c);
            if (r == 0) {
                cwa_children_of(c, &p, &rel, &nrel);
                cw_alarm_free(&p);
            }
        } else if (cwa_parents_of(c, parents_of, &rel, &nrel)) {
            return cw_internal(c);
        }
    }

    struct found f = {0};
    if (load_all(c, token, &f)) {
        found_free(&f);
        return cw_internal(c);
    }
    /* one page of matching alarms in name order, then written as the two lists */
    size_t *page = xcalloc(f.n ? f.n : 1, sizeof(*page));
    size_t npage = 0;
    bool more = false;
    for (size_t i = 0; i < f.n; i++) {
        struct cw_alarm *a = &f.v[i];
        if (a->composite ? !want_composite : !want_metric)
            continue;
        if (json_array_size(names) && !name_listed(names, a->name))
            continue;
        if (prefix && !str_startswith(a->name, prefix))
            continue;
        if (state && !str_eq(cwa_str(a->doc, "StateValue"), state))
            continue;
        if (action_prefix && !has_action_prefix(a->doc, action_prefix))
            continue;
        if ((children_of || parents_of) && !in_list(rel, nrel, a->name))
            continue;
        if ((int64_t)npage == max) {
            more = true;
            break;
        }
        page[npage++] = i;
    }
    out_begin(o, "CompositeAlarms");
    for (size_t k = 0; k < npage; k++)
        if (f.v[page[k]].composite)
            cwa_out_alarm(o, &f.v[page[k]], detail);
    out_end(o);
    out_begin(o, "MetricAlarms");
    for (size_t k = 0; k < npage; k++)
        if (!f.v[page[k]].composite)
            cwa_out_alarm(o, &f.v[page[k]], detail);
    out_end(o);
    if (more && npage)
        out_str(o, "NextToken", f.v[page[npage - 1]].name);
    free(page);
    found_free(&f);
    return 0;
}

/*
 * DescribeAlarmsForMetric [model]: single-metric alarms on exactly this metric (namespace,
 * name, the whole dimension set), optionally with this Statistic / ExtendedStatistic /
 * Period / Unit.
 */
int cw_describe_alarms_for_metric(struct call *c, const json_t *in, struct out *o)
{
    const char *mname = cwa_str(in, CW_M_DescribeAlarmsForMetricInput_MetricName);
    const char *ns = cwa_str(in, CW_M_DescribeAlarmsForMetricInput_Namespace);
    if (!mname)
        return not_null(c, "MetricName");
    if (!ns)
        return not_null(c, "Namespace");
    struct cw_dim *want;
    size_t nwant;
    const char *dup = NULL;
    if (cw_dims_from_json(c->a, json_object_get(in, CW_M_DescribeAlarmsForMetricInput_Dimensions),
                          &want, &nwant, &dup))
        return call_fail(c, 400, "InvalidParameterValue",
                         "No metric may specify the same dimension name twice.");
    const char *want_text = cw_dims_text(c->a, want, nwant);
    const char *stat = cwa_str(in, CW_M_DescribeAlarmsForMetricInput_Statistic);
    const char *ext = cwa_str(in, CW_M_DescribeAlarmsForMetricInput_ExtendedStatistic);
    const char *unit = cwa_str(in, CW_M_DescribeAlarmsForMetricInput_Unit);
    const json_t *jp = json_object_get(in, CW_M_DescribeAlarmsForMetricInput_Period);

    struct found f = {0};
    if (load_all(c, NULL, &f)) {
        found_free(&f);
        return cw_internal(c);
    }
    out_begin(o, "MetricAlarms");
    for (size_t i = 0; i < f.n; i++) {
        const json_t *d = f.v[i].doc;
        if (f.v[i].composite || json_object_get(d, "Metrics"))
            continue;
        if (!str_eq(cwa_str(d, "MetricName"), mname) || !str_eq(cwa_str(d, "Namespace"), ns))
            continue;
        if (stat && !str_eq(cwa_str(d, "Statistic"), stat))
            continue;
        if (ext && !str_eq(cwa_str(d, "ExtendedStatistic"), ext))
            continue;
        if (unit && !str_eq(cwa_str(d, "Unit"), unit))
            continue;
        if (jp && json_integer_value(json_object_get(d, "Period")) != json_integer_value(jp))
            continue;
        struct cw_dim *have;
        size_t nhave;
        if (cw_dims_from_json(c->a, json_object_get(d, "Dimensions"), &have, &nhave, NULL))
            continue;
        if (!str_eq(cw_dims_text(c->a, have, nhave), want_text))
            continue;
        cwa_out_alarm(o, &f.v[i], CWA_FULL);
    }
    out_end(o);
    found_free(&f);
    return 0;
}

/* ================================================================ DeleteAlarms */

/*
 * DeleteAlarms: names that do not exist are skipped — "If you specify any incorrect alarm
 * names, the alarms you specify with correct names are still deleted" [doc]; no error
 * (inferred: no AWS error text for it is known). An alarm a composite alarm outside this
 * call depends on is refused with `Cannot delete X as there are composite alarm(s)
 * depending on it.` (`a,b ... on them.`) [obs]. History items survive [doc].
 */
int cw_delete_alarms(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const json_t *names = json_object_get(in, CW_M_DeleteAlarmsInput_AlarmNames);
    if (!json_is_array(names))
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter AlarmNames is required.");
    if (json_array_size(names) > 100)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value at 'alarmNames' failed to satisfy "
                         "constraint: Member must have length less than or equal to 100");
    struct buf blocked = BUF_INIT;
    int nblocked = 0, ncomposite = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(names, i, e)
    {
        struct cw_alarm x;
        int r = cw_alarm_load(c->st, c->region, json_string_value(e), &x);
        if (r < 0)
            return cw_internal(c);
        if (r == 0) {
            ncomposite += x.composite;
            cw_alarm_free(&x);
        }
    }
    if (ncomposite > 1) /* [doc: no more than one composite alarm per call] */
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "You can delete at most one composite alarm in one operation.");
    json_array_foreach(names, i, e)
    {
        const char *name = json_string_value(e);
        const char **parents;
        size_t np;
        if (!name || cwa_parents_of(c, name, &parents, &np)) {
            buf_free(&blocked);
            return cw_internal(c);
        }
        for (size_t k = 0; k < np; k++) {
            if (!name_listed(names, parents[k])) {
                buf_printf(&blocked, "%s%s", nblocked++ ? "," : "", name);
                break;
            }
        }
    }
    if (nblocked) {
        call_fail(c, 400, "ValidationError",
                  "Cannot delete %s as there are composite alarm(s) depending on %s.", blocked.p,
                  nblocked > 1 ? "them" : "it");
        buf_free(&blocked);
        return -1;
    }
    buf_free(&blocked);
    json_array_foreach(names, i, e)
    {
        struct cw_alarm a;
        int r = cw_alarm_load(c->st, c->region, json_string_value(e), &a);
        if (r < 0)
            return cw_internal(c);
        if (r == 1)
            continue;
        sqlite3_stmt *s =
            store_stmt(c->st, "DELETE FROM cw_alarms WHERE region = ?1 AND name = ?2");
        store_bind_text_or_null(s, 1, a.region);
        store_bind_text_or_null(s, 2, a.name);
        int ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok || cwa_history_config(c->st, &a, "Delete", c->now_ms) ||
            cwa_tags_drop(c->st, a.arn)) {
            cw_alarm_free(&a);
            return cw_internal(c);
        }
        cw_alarm_free(&a);
    }
    return 0;
}

/* ================================================================ Enable/DisableAlarmActions */

/* Sets ActionsEnabled on the named alarms; unknown names are ignored [model: no errors].
 * A change writes an "updated" ConfigurationUpdate item [clone] and moves
 * AlarmConfigurationUpdatedTimestamp (inferred). */
static int set_actions_enabled(struct call *c, const json_t *in, bool on)
{
    const json_t *names = json_object_get(in, CW_IN_AlarmNames);
    if (!json_is_array(names))
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter AlarmNames is required.");
    size_t i;
    const json_t *e;
    json_array_foreach(names, i, e)
    {
        struct cw_alarm a;
        int r = cw_alarm_load(c->st, c->region, json_string_value(e), &a);
        if (r < 0)
            return cw_internal(c);
        if (r == 1)
            continue;
        if (json_is_true(json_object_get(a.doc, "ActionsEnabled")) != on) {
            json_object_set_new(a.doc, "ActionsEnabled", json_boolean(on));
            json_object_set_new(a.doc, "AlarmConfigurationUpdatedTimestamp",
                                json_integer(c->now_ms));
            if (cw_alarm_save_doc(c->st, &a) ||
                cwa_history_config(c->st, &a, "Update", c->now_ms)) {
                cw_alarm_free(&a);
                return cw_internal(c);
            }
        }
        cw_alarm_free(&a);
    }
    return 0;
}

int cw_enable_alarm_actions(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return set_actions_enabled(c, in, true);
}

int cw_disable_alarm_actions(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return set_actions_enabled(c, in, false);
}

/* ================================================================ SetAlarmState */

/*
 * SetAlarmState [model/doc]: StateValue enum, StateReason <= 1023, StateReasonData <= 4000
 * and JSON (else InvalidFormat; message inferred); unknown alarm: ResourceNotFound, 404, no
 * message [snap]. The move is a real transition (cw_alarm_transition: history, actions).
 */
int cw_set_alarm_state(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = cwa_str(in, CW_M_SetAlarmStateInput_AlarmName);
    const char *state = cwa_str(in, CW_M_SetAlarmStateInput_StateValue);
    const char *reason = cwa_str(in, CW_M_SetAlarmStateInput_StateReason);
    const char *data = cwa_str(in, CW_M_SetAlarmStateInput_StateReasonData);
    if (!name)
        return call_fail(c, 400, "MissingParameter",
                         "The parameter AlarmName is required."); /* inferred */
    if (!reason)
        return call_fail(c, 400, "MissingParameter",
                         "The parameter StateReason is required."); /* inferred */
    if (!str_eq(state, CW_OK) && !str_eq(state, CW_ALARM) && !str_eq(state, CW_INSUFFICIENT))
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value '%s' at 'stateValue' failed to "
                         "satisfy constraint: Member must satisfy enum value set: "
                         "[INSUFFICIENT_DATA, ALARM, OK]",
                         state ? state : "null"); /* [snap] */
    if (strlen(reason) > 1023)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value at 'stateReason' failed to satisfy "
                         "constraint: Member must have length less than or equal to 1023");
    if (data) {
        if (strlen(data) > 4000)
            return call_fail(c, 400, "ValidationError",
                             "1 validation error detected: Value at 'stateReasonData' failed to "
                             "satisfy constraint: Member must have length less than or equal to "
                             "4000");
        json_error_t je;
        json_t *j = json_loads(data, JSON_DECODE_ANY, &je);
        if (!j)
            return call_fail(c, 400, "InvalidFormat", /* inferred message */
                             "Invalid value for parameter StateReasonData: it must be a JSON "
                             "document.");
        json_decref(j);
    }
    struct cw_alarm a;
    int r = cw_alarm_load(c->st, c->region, name, &a);
    if (r < 0)
        return cw_internal(c);
    if (r == 1)
        return call_fail(c, 404, "ResourceNotFound", NULL); /* [snap] no message */
    int rc = cw_alarm_transition(c->st, &a, state, reason, data, c->now_ms);
    cw_alarm_free(&a);
    if (rc)
        return cw_internal(c);
    return 0;
}
