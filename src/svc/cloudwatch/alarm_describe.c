/*
 * alarm_describe.c — DescribeAlarms and DescribeAlarmsForMetric.
 *
 * Sources of the error texts: aws-behaviour.md §1–§2 (tags as in alarms.c).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/cloudwatch/alarm_api.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/ops.h"
#include "wire/models/cloudwatch_members.h"

#define DESCRIBE_PAGE_DEFAULT 50 /* inferred: MaxRecords has no documented default */

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
        if (cwa_alarm_row(s, &a) == 0)
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
    bool want_metric, want_composite;
    cwa_alarm_types(types, &want_metric, &want_composite);

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
        if (json_array_size(names) && !wire_list_has(names, a->name))
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
        return cwa_not_null(c, "MetricName");
    if (!ns)
        return cwa_not_null(c, "Namespace");
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
