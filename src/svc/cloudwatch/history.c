/*
 * history.c — alarm history: cw_history_add (cw_alarm.h), the ConfigurationUpdate items of
 * the alarm API, and DescribeAlarmHistory.
 *
 * Facts (aws-behaviour.md §2.7): items are kept two weeks, also after the alarm is deleted
 * [doc]; ConfigurationUpdate summaries `Alarm "NAME" created|updated|deleted` and
 * HistoryData `{"version":"1.0","type":"Create","createdAlarm":{...}}` with camelCase
 * members in the order below [obs: a real createdAlarm from 2014] (`okactions` lower case);
 * members after stateUpdatedTimestamp are inferred. HistorySummary max 255 [model].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/cloudwatch/alarm_api.h"
#include "svc/cloudwatch/cw.h"
#include "svc/svc.h"
#include "svc/cloudwatch/ops.h"
#include "wire/models/cloudwatch_members.h"

#define HISTORY_PAGE_DEFAULT 100 /* inferred */

int cw_history_add(struct store *st, const struct cw_alarm *a, const char *item_type,
                   const char *summary, const char *data_json, int64_t at_ms)
{
    char sum[256];
    snprintf(sum, sizeof(sum), "%s", summary ? summary : ""); /* max 255 [model] */
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO cw_alarm_history(region, alarm_name, alarm_type, at_ms, item_type,"
            " summary, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    sqlite3_bind_text(s, 1, a->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, a->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, a->composite ? "CompositeAlarm" : "MetricAlarm", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, at_ms);
    sqlite3_bind_text(s, 5, item_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, sum, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, data_json ? data_json : "{}", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    if (rc) {
        log_error("cloudwatch history add: %s", sqlite3_errmsg(store_db(st)));
        return -1;
    }
    s = store_stmt(st, "DELETE FROM cw_alarm_history WHERE region = ?1 AND at_ms < ?2");
    sqlite3_bind_text(s, 1, a->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, at_ms - CW_HISTORY_KEEP_MS);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return rc;
}

/* "2014-08-23T15:48:26.693+0000" [obs] */
static json_t *ts_json(const json_t *ms)
{
    char buf[32];
    time_fmt_iso8601_ms(json_integer_value(ms), buf);
    size_t n = strlen(buf);
    char out[40];
    if (n && buf[n - 1] == 'Z')
        buf[n - 1] = '\0';
    snprintf(out, sizeof(out), "%s+0000", buf);
    return json_string(out);
}

/* Member name with its first letter lower-cased; "OKActions" -> "okactions" [obs]. */
static void camel(const char *k, char *out, size_t cap)
{
    if (str_eq(k, "OKActions")) {
        snprintf(out, cap, "okactions");
        return;
    }
    snprintf(out, cap, "%s", k);
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] + 32);
}

static json_t *camel_copy(const json_t *v)
{
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            char ck[128];
            camel(k, ck, sizeof(ck));
            json_object_set_new(o, ck, camel_copy(e));
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *arr = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) json_array_append_new(arr, camel_copy(e));
        return arr;
    }
    return json_deep_copy(v);
}

static const char *const metric_keys[] = {
    "Namespace", "Threshold", "MetricName", "Period", "Dimensions", "StateValue", "AlarmName",
    "OKActions", "AlarmActions", "ActionsEnabled", "EvaluationPeriods", "ComparisonOperator",
    "InsufficientDataActions", "AlarmDescription", "Statistic", "AlarmArn",
    "AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp",
    /* inferred from here */
    "ExtendedStatistic", "Unit", "DatapointsToAlarm", "TreatMissingData",
    "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId"};
static const char *const composite_keys[] = {/* inferred */
                                             "AlarmName",
                                             "AlarmArn",
                                             "AlarmRule",
                                             "StateValue",
                                             "OKActions",
                                             "AlarmActions",
                                             "InsufficientDataActions",
                                             "ActionsEnabled",
                                             "AlarmDescription",
                                             "AlarmConfigurationUpdatedTimestamp",
                                             "StateUpdatedTimestamp",
                                             "ActionsSuppressor",
                                             "ActionsSuppressorWaitPeriod",
                                             "ActionsSuppressorExtensionPeriod"};

/* The alarm object of a ConfigurationUpdate item. */
static json_t *history_alarm(const struct cw_alarm *a)
{
    const char *const *keys = a->composite ? composite_keys : metric_keys;
    size_t n = a->composite ? ARRAY_LEN(composite_keys) : ARRAY_LEN(metric_keys);
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(a->doc, keys[i]);
        char ck[128];
        camel(keys[i], ck, sizeof(ck));
        if (str_eq(keys[i], "AlarmDescription") && !v) {
            json_object_set_new(o, ck, json_string("")); /* [obs] "" */
            continue;
        }
        if (!v)
            continue;
        if (str_endswith(keys[i], "Timestamp"))
            json_object_set_new(o, ck, ts_json(v));
        else if (str_eq(keys[i], "Dimensions") || str_eq(keys[i], "Metrics"))
            json_object_set_new(o, ck, camel_copy(v));
        else
            json_object_set_new(o, ck, json_deep_copy(v));
    }
    return o;
}

int cwa_history_config(struct store *st, const struct cw_alarm *a, const char *type, int64_t at_ms)
{
    const char *member = str_eq(type, "Create")   ? "createdAlarm"
                         : str_eq(type, "Delete") ? "deletedAlarm"
                                                  : "updatedAlarm";
    const char *verb = str_eq(type, "Create")   ? "created"
                       : str_eq(type, "Delete") ? "deleted"
                                                : "updated";
    json_t *d = json_object();
    json_object_set_new(d, "version", json_string("1.0"));
    json_object_set_new(d, "type", json_string(type));
    json_object_set_new(d, member, history_alarm(a));
    char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    char summary[300];
    snprintf(summary, sizeof(summary), "Alarm \"%s\" %s", a->name, verb);
    int rc = cw_history_add(st, a, "ConfigurationUpdate", summary, text, at_ms);
    free(text);
    return rc;
}

/*
 * DescribeAlarmHistory [model]: AlarmName, AlarmTypes (default MetricAlarm only, as
 * DescribeAlarms [doc]), HistoryItemType, StartDate / EndDate (inclusive, inferred),
 * MaxRecords 1..100, NextToken (InvalidNextToken when malformed), ScanBy
 * TimestampDescending (default) | TimestampAscending. Items of the last 14 days [doc].
 * Token (inferred): "<at_ms>.<id>" of the last item returned.
 */
int cw_describe_alarm_history(struct call *c, const json_t *in, struct out *o)
{
    const char *name = cwa_str(in, CW_M_DescribeAlarmHistoryInput_AlarmName);
    const char *item_type = cwa_str(in, CW_M_DescribeAlarmHistoryInput_HistoryItemType);
    const char *scan = cwa_str(in, CW_M_DescribeAlarmHistoryInput_ScanBy);
    const char *token = cwa_str(in, CW_M_DescribeAlarmHistoryInput_NextToken);
    const json_t *types = json_object_get(in, CW_M_DescribeAlarmHistoryInput_AlarmTypes);
    const json_t *jmax = json_object_get(in, CW_M_DescribeAlarmHistoryInput_MaxRecords);
    const json_t *jstart = json_object_get(in, CW_M_DescribeAlarmHistoryInput_StartDate);
    const json_t *jend = json_object_get(in, CW_M_DescribeAlarmHistoryInput_EndDate);
    int64_t max = jmax ? json_integer_value(jmax) : HISTORY_PAGE_DEFAULT;
    /* MaxRecords 1..100 and the ScanBy / HistoryItemType enums: wire_validate [model] */
    bool asc = str_eq(scan, "TimestampAscending");
    int64_t tok_at = asc ? INT64_MIN : INT64_MAX, tok_id = asc ? -1 : INT64_MAX;
    if (token) {
        const char *dot = strchr(token, '.');
        char at_s[32];
        if (!dot || (size_t)(dot - token) >= sizeof(at_s))
            return call_fail(c, 400, "InvalidNextToken",
                             "The service couldn't process the "
                             "NextToken."); /* inferred */
        memcpy(at_s, token, (size_t)(dot - token));
        at_s[dot - token] = '\0';
        if (str_to_i64(at_s, &tok_at) || str_to_i64(dot + 1, &tok_id))
            return call_fail(c, 400, "InvalidNextToken",
                             "The service couldn't process the "
                             "NextToken."); /* inferred */
    }
    bool want_metric, want_composite;
    cwa_alarm_types(types, &want_metric, &want_composite);
    int64_t from = c->now_ms - CW_HISTORY_KEEP_MS;
    if (jstart && json_integer_value(jstart) > from)
        from = json_integer_value(jstart);
    int64_t to = jend ? json_integer_value(jend) : INT64_MAX;

    sqlite3_stmt *s = store_stmt(
        c->st, asc ? "SELECT id, alarm_name, alarm_type, at_ms, item_type, summary, data"
                     " FROM cw_alarm_history WHERE region = ?1 AND at_ms >= ?2 AND at_ms <= ?3"
                     " AND (?4 IS NULL OR alarm_name = ?4) AND (?5 IS NULL OR item_type = ?5)"
                     " AND (at_ms > ?6 OR (at_ms = ?6 AND id > ?7)) ORDER BY at_ms, id"
                   : "SELECT id, alarm_name, alarm_type, at_ms, item_type, summary, data"
                     " FROM cw_alarm_history WHERE region = ?1 AND at_ms >= ?2 AND at_ms <= ?3"
                     " AND (?4 IS NULL OR alarm_name = ?4) AND (?5 IS NULL OR item_type = ?5)"
                     " AND (at_ms < ?6 OR (at_ms = ?6 AND id < ?7)) ORDER BY at_ms DESC, id DESC");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    if (name)
        sqlite3_bind_text(s, 4, name, -1, SQLITE_TRANSIENT);
    if (item_type)
        sqlite3_bind_text(s, 5, item_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 6, tok_at);
    sqlite3_bind_int64(s, 7, tok_id);

    out_begin(o, "AlarmHistoryItems");
    int64_t written = 0, last_at = 0, last_id = 0;
    bool more = false;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(s, 2);
        bool composite = str_eq(type, "CompositeAlarm");
        if (composite ? !want_composite : !want_metric)
            continue;
        if (written == max) {
            more = true;
            break;
        }
        last_id = sqlite3_column_int64(s, 0);
        last_at = sqlite3_column_int64(s, 3);
        out_begin(o, NULL);
        out_str(o, "AlarmName", (const char *)sqlite3_column_text(s, 1));
        out_str(o, "AlarmType", type);
        out_time(o, "Timestamp", last_at);
        out_str(o, "HistoryItemType", (const char *)sqlite3_column_text(s, 4));
        out_str(o, "HistorySummary", (const char *)sqlite3_column_text(s, 5));
        out_str(o, "HistoryData", (const char *)sqlite3_column_text(s, 6));
        out_end(o);
        written++;
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cw_internal(c);
    if (more)
        out_str(o, "NextToken",
                arena_printf(c->a, "%lld.%lld", (long long)last_at, (long long)last_id));
    return 0;
}
