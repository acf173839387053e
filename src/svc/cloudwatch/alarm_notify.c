/*
 * alarm_notify.c — an alarm action to an SNS topic: AWS's alarm notification published as
 * the CloudWatch service principal (cloudwatch.amazonaws.com) through svc_invoke, so SNS
 * checks the topic policy exactly as for any other publisher (the default policy lets the
 * owner account's alarms publish through AWS:SourceOwner) and CloudTrail records the call.
 *
 * The message [snap: aws-behaviour Appendix A; doc samples]: one compact JSON object with
 *   AlarmName, AlarmDescription (null when none), AWSAccountId,
 *   AlarmConfigurationUpdatedTimestamp and StateChangeTime (yyyy-MM-dd'T'HH:mm:ss.SSS+0000),
 *   NewStateValue, NewStateReason, Region (the long name: "US East (N. Virginia)"),
 *   AlarmArn, OldStateValue, OKActions, AlarmActions, InsufficientDataActions, and Trigger
 *   {MetricName, Namespace, StatisticType, Statistic (upper case) | ExtendedStatistic, Unit
 *   (null when none), Dimensions [{"value","name"}], Period, EvaluationPeriods,
 *   [DatapointsToAlarm], ComparisonOperator, Threshold, TreatMissingData,
 *   EvaluateLowSampleCountPercentile} — for metric-math alarms Trigger carries Metrics
 *   instead (inferred: the alarm's queries as DescribeAlarms shows them).
 * The Subject: `ALARM: "NAME" in US East (N. Virginia)` (OK: / INSUFFICIENT_DATA:) [obs],
 * cut to SNS's 100 characters (inferred). Email subscribers get the text AWS mails instead of
 * the JSON (MessageStructure json with "default" and "email" entries): `You are receiving
 * this email because your Amazon CloudWatch Alarm "NAME" in the US East (N. Virginia) region
 * has entered the ALARM state, because "REASON" at "Wednesday 03 September, 2025 06:25:33
 * UTC".` [obs: the first paragraph; the rest of AWS's mail is left out].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "catalog/regions.h"
#include "store/store.h"
#include "svc/cloudwatch/cw_eval.h"
#include "svc/invoke.h"
#include "wire/wire.h"

#define CW_SERVICE_PRINCIPAL "cloudwatch.amazonaws.com"

/* The region's long name as CloudWatch's notifications word it (arena). */
static const char *long_region(struct arena *ar, const char *region)
{
    const struct ec2_region *r = ec2_region_find(region);
    if (!r || !r->long_name)
        return region;
    /* [snap] notifications still say "EU (Ireland)" where the console says "Europe" */
    if (str_startswith(r->long_name, "Europe ("))
        return arena_printf(ar, "EU %s", r->long_name + strlen("Europe "));
    return r->long_name;
}

/* The state the alarm left: the oldState of its latest StateUpdate history item. */
static char *old_state(struct store *st, const struct cw_alarm *a)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT data FROM cw_alarm_history WHERE region = ?1 AND"
                                     " alarm_name = ?2 AND item_type = 'StateUpdate'"
                                     " ORDER BY id DESC LIMIT 1");
    sqlite3_bind_text(s, 1, a->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, a->name, -1, SQLITE_TRANSIENT);
    char *out = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        json_t *d = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
        const char *v =
            json_string_value(json_object_get(json_object_get(d, "oldState"), "stateValue"));
        out = v ? xstrdup(v) : NULL;
        json_decref(d);
    }
    sqlite3_reset(s);
    return out ? out : xstrdup(CW_INSUFFICIENT);
}

static void set_time(json_t *o, const char *k, const json_t *ms)
{
    if (!json_is_integer(ms)) {
        json_object_set_new(o, k, json_null());
        return;
    }
    char t[32];
    cw_reason_iso((int64_t)json_integer_value(ms), t);
    json_object_set_new(o, k, json_string(t));
}

static void set_copy(json_t *o, const char *k, const json_t *v, json_t *dflt)
{
    if (v) {
        json_object_set(o, k, (json_t *)v);
        json_decref(dflt);
    } else {
        json_object_set_new(o, k, dflt);
    }
}

static char *upper(const char *s)
{
    char *u = xstrdup(s ? s : "");
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}

static json_t *trigger(const json_t *d)
{
    json_t *t = json_object();
    const json_t *metrics = json_object_get(d, "Metrics");
    if (json_array_size(metrics)) { /* inferred for metric-math alarms */
        json_object_set(t, "Metrics", (json_t *)metrics);
    } else {
        set_copy(t, "MetricName", json_object_get(d, "MetricName"), json_null());
        set_copy(t, "Namespace", json_object_get(d, "Namespace"), json_null());
        const char *ext = json_string_value(json_object_get(d, "ExtendedStatistic"));
        if (ext) {
            json_object_set_new(t, "StatisticType", json_string("ExtendedStatistic"));
            json_object_set_new(t, "ExtendedStatistic", json_string(ext));
        } else {
            char *u = upper(json_string_value(json_object_get(d, "Statistic")));
            json_object_set_new(t, "StatisticType", json_string("Statistic"));
            json_object_set_new(t, "Statistic", json_string(u));
            free(u);
        }
        set_copy(t, "Unit", json_object_get(d, "Unit"), json_null());
        json_t *dims = json_array();
        size_t i;
        const json_t *dim;
        json_array_foreach(json_object_get(d, "Dimensions"), i, dim)
        {
            json_array_append_new(dims,
                                  json_pack("{s:O, s:O}", "value", json_object_get(dim, "Value"),
                                            "name", json_object_get(dim, "Name")));
        }
        json_object_set_new(t, "Dimensions", dims);
        set_copy(t, "Period", json_object_get(d, "Period"), json_null());
    }
    set_copy(t, "EvaluationPeriods", json_object_get(d, "EvaluationPeriods"), json_null());
    if (json_object_get(d, "DatapointsToAlarm"))
        json_object_set(t, "DatapointsToAlarm", json_object_get(d, "DatapointsToAlarm"));
    set_copy(t, "ComparisonOperator", json_object_get(d, "ComparisonOperator"), json_null());
    const json_t *th = json_object_get(d, "Threshold");
    if (json_is_number(th))
        json_object_set_new(t, "Threshold", json_real(json_number_value(th)));
    else
        json_object_set_new(t, "Threshold", json_null());
    set_copy(t, "TreatMissingData", json_object_get(d, "TreatMissingData"), json_string(""));
    set_copy(t, "EvaluateLowSampleCountPercentile",
             json_object_get(d, "EvaluateLowSampleCountPercentile"), json_string(""));
    return t;
}

static json_t *actions(const json_t *d, const char *k)
{
    const json_t *v = json_object_get(d, k);
    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

const char *cw_alarm_notify_sns(struct store *st, struct arena *ar, const struct cw_alarm *a,
                                const char *arn, int64_t at_ms, const char **published)
{
    const json_t *d = a->doc;
    const char *state = json_string_value(json_object_get(d, "StateValue"));
    const char *region_name = long_region(ar, a->region);
    char *old = old_state(st, a);

    json_t *m = json_object();
    json_object_set_new(m, "AlarmName", json_string(a->name));
    set_copy(m, "AlarmDescription", json_object_get(d, "AlarmDescription"), json_null());
    json_object_set_new(m, "AWSAccountId", json_string(a->account));
    set_time(m, "AlarmConfigurationUpdatedTimestamp",
             json_object_get(d, "AlarmConfigurationUpdatedTimestamp"));
    json_object_set_new(m, "NewStateValue", json_string(state ? state : ""));
    set_copy(m, "NewStateReason", json_object_get(d, "StateReason"), json_string(""));
    json_t *when = json_integer(at_ms);
    set_time(m, "StateChangeTime", when);
    json_decref(when);
    json_object_set_new(m, "Region", json_string(region_name));
    json_object_set_new(m, "AlarmArn", json_string(a->arn));
    json_object_set_new(m, "OldStateValue", json_string(old));
    json_object_set_new(m, "OKActions", actions(d, "OKActions"));
    json_object_set_new(m, "AlarmActions", actions(d, "AlarmActions"));
    json_object_set_new(m, "InsufficientDataActions", actions(d, "InsufficientDataActions"));
    json_object_set_new(m, "Trigger", trigger(d));
    char *text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(m);
    free(old);

    char when_text[96];
    time_t ts = (time_t)(at_ms / 1000);
    struct tm tm;
    gmtime_r(&ts, &tm);
    strftime(when_text, sizeof(when_text), "%A %d %B, %Y %H:%M:%S UTC", &tm);
    const char *reason = json_string_value(json_object_get(d, "StateReason"));
    char *email =
        arena_printf(ar,
                     "You are receiving this email because your Amazon CloudWatch Alarm "
                     "\"%s\" in the %s region has entered the %s state, because \"%s\" "
                     "at \"%s\".",
                     a->name, region_name, state ? state : "", reason ? reason : "", when_text);
    json_t *structured = json_pack("{s:s, s:s}", "default", text ? text : "{}", "email", email);
    char *message = json_dumps(structured, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(structured);
    char *subject = arena_printf(ar, "%s: \"%s\" in %s", state ? state : "", a->name, region_name);
    if (strlen(subject) > 100)
        subject[100] = '\0'; /* SNS's Subject limit; inferred that CloudWatch cuts it */

    struct call parent, err;
    memset(&parent, 0, sizeof(parent));
    memset(&err, 0, sizeof(err));
    parent.a = ar;
    parent.st = st;
    parent.region = a->region;
    parent.account = a->account;
    parent.now_ms = at_ms;
    parent.proto = PROTO_QUERY;
    parent.op_name = "";
    uuid4(parent.request_id);
    struct principal who;
    memset(&who, 0, sizeof(who));
    who.kind = PRINCIPAL_SERVICE;
    snprintf(who.account, sizeof(who.account), "%s", a->account);
    snprintf(who.arn, sizeof(who.arn), "%s", CW_SERVICE_PRINCIPAL);
    snprintf(who.user_id, sizeof(who.user_id), "%s", CW_SERVICE_PRINCIPAL);
    snprintf(who.name, sizeof(who.name), "%s", CW_SERVICE_PRINCIPAL);
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "TopicArn", arn, "Subject", subject, "Message",
                           message ? message : "{}", "MessageStructure", "json");
    free(message);
    json_t *out = NULL;
    int rc = svc_invoke(&parent, &who, NULL, "sns", "Publish", in, &out, &err);
    json_decref(in);
    json_decref(out);
    const char *msg = NULL;
    if (rc == 0) {
        *published = arena_strdup(ar, text ? text : "");
    } else if (str_eq(err.err.code, "AuthorizationError")) {
        /* [obs] the text CloudWatch shows for a topic policy that keeps it out */
        msg = arena_printf(ar,
                           "CloudWatch Alarms is not authorized to perform: SNS:Publish on "
                           "resource:%s",
                           arn);
    } else {
        msg = arena_printf(ar, "%s",
                           err.err.message ? err.err.message /* inferred */
                           : err.err.code  ? err.err.code
                                           : "Internal error");
    }
    free(text);
    return msg;
}
