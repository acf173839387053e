/*
 * metrics.c — CloudWatch metric data: ListMetrics, GetMetricStatistics and the helpers the
 * metric API shares (cw_internal, cw_missing). PutMetricData is in metric_put.c; the
 * reusable pieces behind cw.h in metric_store.c (dimension sets, datapoint storage and
 * fetch) and metric_stats.c (statistics).
 *
 * Error strings: tagged [obs] when seen in real AWS responses (issue threads, recorded
 * tests), [snap] when recorded against AWS by LocalStack's validated tests, [doc] from the
 * API reference, and marked "inferred" otherwise (following AWS's own templates
 * "The value V for parameter P is invalid.", "The parameter P is required.").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/cloudwatch/cw.h"
#include "svc/svc.h"
#include "svc/cloudwatch/ops.h"
#include "wire/models/cloudwatch_members.h"

/* ================================================================ helpers */

int cw_internal(struct call *c)
{
    return call_fail(c, 500, "InternalServiceError", "Internal service error."); /* inferred */
}

int cw_missing(struct call *c, const char *param)
{
    return call_fail(c, 400, "MissingParameter", "The parameter %s is required.", /* inferred */
                     param);
}

/* ================================================================ ListMetrics */

struct listed {
    const char *ns, *name;
    struct cw_dim *dims;
    size_t ndims;
};

struct list_ctx {
    struct call *c;
    const json_t *in;
    int64_t min_ms;
    struct listed *v;
    size_t n, cap;
};

/* Dimension filters: the metric has each named dimension (with that value when given). */
static bool dims_match(const json_t *filters, const struct cw_dim *dims, size_t n)
{
    size_t i;
    const json_t *f;
    for (i = 0; (f = json_array_get(filters, i)) != NULL; i++) {
        const char *name = json_string_value(json_object_get(f, CW_M_DimensionFilter_Name));
        const char *value = json_string_value(json_object_get(f, CW_M_DimensionFilter_Value));
        bool hit = false;
        for (size_t j = 0; j < n && !hit; j++)
            hit = str_eq(dims[j].name, name) && (!value || str_eq(dims[j].value, value));
        if (!hit)
            return false;
    }
    return true;
}

static bool metric_match(const json_t *in, const char *ns, const char *name,
                         const struct cw_dim *dims, size_t n)
{
    const char *fns = json_string_value(json_object_get(in, CW_M_ListMetricsInput_Namespace));
    const char *fname = json_string_value(json_object_get(in, CW_M_ListMetricsInput_MetricName));
    return (!fns || str_eq(fns, ns)) && (!fname || str_eq(fname, name)) &&
           dims_match(json_object_get(in, CW_M_ListMetricsInput_Dimensions), dims, n);
}

static void provider_emit(void *vctx, const struct cw_metric *m, int64_t last_ms)
{
    struct list_ctx *lc = vctx;
    struct arena *a = lc->c->a;
    if (last_ms < lc->min_ms || !metric_match(lc->in, m->ns, m->name, m->dims, m->ndims))
        return;
    if (lc->n == lc->cap) {
        size_t cap = lc->cap ? lc->cap * 2 : 64;
        struct listed *v = arena_alloc(a, cap * sizeof(*v));
        if (lc->n)
            memcpy(v, lc->v, lc->n * sizeof(*v));
        lc->v = v;
        lc->cap = cap;
    }
    struct listed *l = &lc->v[lc->n++];
    l->ns = arena_strdup(a, m->ns);
    l->name = arena_strdup(a, m->name);
    l->ndims = m->ndims;
    l->dims = arena_alloc(a, (m->ndims ? m->ndims : 1) * sizeof(*l->dims));
    for (size_t i = 0; i < m->ndims; i++) {
        l->dims[i].name = arena_strdup(a, m->dims[i].name);
        l->dims[i].value = arena_strdup(a, m->dims[i].value);
    }
    cw_dims_canonical(l->dims, l->ndims, NULL);
}

static void write_metric(struct out *o, const char *ns, const char *name, const struct cw_dim *dims,
                         size_t n)
{
    out_begin(o, NULL);
    out_str(o, "Namespace", ns);
    out_str(o, "MetricName", name);
    out_begin(o, "Dimensions");
    for (size_t i = 0; i < n; i++) {
        out_begin(o, NULL);
        out_str(o, "Name", dims[i].name);
        out_str(o, "Value", dims[i].value);
        out_end(o);
    }
    out_end(o);
    out_end(o);
}

/*
 * ListMetrics: Namespace, MetricName, Dimensions ({Name[, Value]}: the metric has that
 * dimension), RecentlyActive PT3H (data put in the last 3 h of virtual time), NextToken;
 * 500 per page [doc]. Metrics idle for two weeks are not listed [doc].
 * One account exists: OwningAccount is ignored and IncludeLinkedAccounts only adds
 * OwningAccounts (this account for each metric listed).
 * Order and token (inferred): stored metrics by creation ("s<id>" = after id), then
 * provider-derived metrics ("p<n>" = n of them already returned).
 */
int cw_list_metrics(struct call *c, const json_t *in, struct out *o)
{
    const char *token = json_string_value(json_object_get(in, CW_M_ListMetricsInput_NextToken));
    int64_t after = 0, skip = 0;
    bool provider_phase = false;
    if (token) {
        if ((token[0] != 's' && token[0] != 'p') || str_to_i64(token + 1, &after) || after < 0)
            return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                             "The value for parameter NextToken is not valid.");
        provider_phase = token[0] == 'p';
        if (provider_phase) {
            skip = after;
            after = INT64_MAX;
        }
    }
    int64_t min_ms = c->now_ms - CW_LIST_HORIZON_MS;
    if (str_eq(json_string_value(json_object_get(in, CW_M_ListMetricsInput_RecentlyActive)),
               "PT3H"))
        min_ms = c->now_ms - CW_RECENTLY_ACTIVE_MS;
    const char *fns = json_string_value(json_object_get(in, CW_M_ListMetricsInput_Namespace));
    const char *fname = json_string_value(json_object_get(in, CW_M_ListMetricsInput_MetricName));

    int written = 0;
    const char *next = NULL;
    out_begin(o, "Metrics");
    if (!provider_phase) {
        sqlite3_stmt *s = store_stmt(
            c->st, "SELECT id, namespace, metric_name, dims FROM cw_metrics"
                   " WHERE account = ?1 AND region = ?2 AND id > ?3 AND last_put_ms >= ?4"
                   " AND (?5 IS NULL OR namespace = ?5) AND (?6 IS NULL OR metric_name = ?6)"
                   " ORDER BY id");
        store_bind_text_or_null(s, 1, c->account);
        store_bind_text_or_null(s, 2, c->region);
        sqlite3_bind_int64(s, 3, after);
        sqlite3_bind_int64(s, 4, min_ms);
        store_bind_text_or_null(s, 5, fns);
        store_bind_text_or_null(s, 6, fname);
        int rc;
        int64_t last_id = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            struct cw_dim *dims;
            size_t nd;
            if (cw_dims_parse(c->a, (const char *)sqlite3_column_text(s, 3), &dims, &nd))
                continue;
            if (!dims_match(json_object_get(in, CW_M_ListMetricsInput_Dimensions), dims, nd))
                continue;
            if (written == CW_LIST_PAGE) {
                next = arena_printf(c->a, "s%lld", (long long)last_id);
                break;
            }
            last_id = sqlite3_column_int64(s, 0);
            write_metric(o, (const char *)sqlite3_column_text(s, 1),
                         (const char *)sqlite3_column_text(s, 2), dims, nd);
            written++;
        }
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            cw_db_fail(c->st, "list metrics");
            return cw_internal(c);
        }
    }
    if (!next) {
        struct list_ctx lc = {.c = c, .in = in, .min_ms = min_ms};
        const struct cw_provider *const *providers = NULL;
        size_t nproviders = cw_providers(&providers);
        for (size_t i = 0; i < nproviders; i++) {
            if (!providers[i]->list || (fns && !str_eq(fns, providers[i]->ns)))
                continue;
            if (providers[i]->list(c->st, c->a, c->account, c->region, c->now_ms, provider_emit,
                                   &lc))
                return cw_internal(c);
        }
        for (size_t i = (size_t)skip; i < lc.n; i++) {
            if (written == CW_LIST_PAGE) {
                next = arena_printf(c->a, "p%zu", i);
                break;
            }
            write_metric(o, lc.v[i].ns, lc.v[i].name, lc.v[i].dims, lc.v[i].ndims);
            written++;
        }
    }
    out_end(o);
    if (next)
        out_str(o, "NextToken", next);
    if (json_is_true(json_object_get(in, CW_M_ListMetricsInput_IncludeLinkedAccounts))) {
        /* one owning account per listed metric; only this account exists here */
        out_begin(o, "OwningAccounts");
        for (int k = 0; k < written; k++)
            out_str(o, NULL, c->account);
        out_end(o);
    }
    return 0;
}

/* ================================================================ GetMetricStatistics */

struct slot {
    int64_t idx; /* period index from the aligned start */
    const struct cw_point *p;
};

static int slot_cmp(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    if (x->idx != y->idx)
        return x->idx < y->idx ? -1 : 1;
    return strcmp(x->p->unit, y->p->unit);
}

/*
 * GetMetricStatistics: datapoints of the metric with exactly these dimensions, one per
 * period and unit [snap: different units give separate datapoints], Timestamp = period
 * start. Periods run from StartTime aligned as cw_align_start [doc] up to EndTime
 * (exclusive). A standard-resolution datum counts at the start of its minute (inferred).
 * When StartTime is older than 3 h / 15 d / 63 d and Period is not a multiple of
 * 60 / 300 / 3600 no datapoints are returned [doc]. Errors: StartTime >= EndTime
 * [moto, inferred], Period not 1/5/10/20/30/n*60 (message inferred), Statistics and
 * ExtendedStatistics both or neither (messages inferred), more than 1440 datapoints [obs].
 */
int cw_get_metric_statistics(struct call *c, const json_t *in, struct out *o)
{
    struct cw_metric m = {.account = c->account, .region = c->region};
    m.ns = json_string_value(json_object_get(in, CW_M_GetMetricStatisticsInput_Namespace));
    m.name = json_string_value(json_object_get(in, CW_M_GetMetricStatisticsInput_MetricName));
    const json_t *jstart = json_object_get(in, CW_M_GetMetricStatisticsInput_StartTime);
    const json_t *jend = json_object_get(in, CW_M_GetMetricStatisticsInput_EndTime);
    const json_t *jperiod = json_object_get(in, CW_M_GetMetricStatisticsInput_Period);
    if (!m.ns)
        return cw_missing(c, "Namespace");
    if (!m.name)
        return cw_missing(c, "MetricName");
    if (!json_is_integer(jstart))
        return cw_missing(c, "StartTime");
    if (!json_is_integer(jend))
        return cw_missing(c, "EndTime");
    if (!json_is_integer(jperiod))
        return cw_missing(c, "Period");
    int64_t start = json_integer_value(jstart), end = json_integer_value(jend);
    int64_t period = json_integer_value(jperiod);
    if (start < -CW_TIME_LIMIT_MS || start > CW_TIME_LIMIT_MS)
        return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                         "The parameter StartTime is invalid.");
    if (end < -CW_TIME_LIMIT_MS || end > CW_TIME_LIMIT_MS)
        return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                         "The parameter EndTime is invalid.");
    if (start >= end)
        return call_fail(c, 400, "InvalidParameterValue",
                         "The parameter StartTime must be less than the parameter EndTime.");
    if (!cw_period_valid(period) || period > INT32_MAX)
        return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                         "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.");

    const json_t *stats = json_object_get(in, CW_M_GetMetricStatisticsInput_Statistics);
    const json_t *xstats = json_object_get(in, CW_M_GetMetricStatisticsInput_ExtendedStatistics);
    size_t nstats = json_array_size(stats), nx = json_array_size(xstats), i;
    const json_t *e;
    if (nstats && nx)
        return call_fail(c, 400, "InvalidParameterCombination", /* inferred */
                         "The parameters Statistics and ExtendedStatistics are mutually "
                         "exclusive and you have specified both.");
    if (!nstats && !nx)
        return call_fail(c, 400, "InvalidParameterCombination", /* inferred */
                         "At least one of the parameters Statistics and ExtendedStatistics "
                         "must be specified.");
    for (i = 0; (e = json_array_get(stats, i)) != NULL; i++) {
        if (!cw_stat_is_basic(json_string_value(e)))
            return call_fail(c, 400, "InvalidParameterValue",
                             "The parameter Statistics.member.%zu.<list element> must be a value "
                             "in the set [SampleCount, Average, Sum, Minimum, Maximum].",
                             i + 1);
    }
    for (i = 0; (e = json_array_get(xstats, i)) != NULL; i++) {
        double pct;
        const char *x = json_string_value(e);
        if (!cw_stat_percentile(x, &pct))
            return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                             "The value %s for parameter ExtendedStatistics.member.%zu is "
                             "invalid.",
                             x ? x : "", i + 1);
    }
    int64_t pms = period * 1000;
    int64_t npoints = (end - start + pms - 1) / pms;
    if (npoints > CW_MAX_DATAPOINTS)
        return call_fail(c, 400, "InvalidParameterCombination",
                         "You have requested up to %lld datapoints, which exceeds the limit of "
                         "1440. You may reduce the datapoints requested by increasing Period, "
                         "or decreasing the time range.",
                         (long long)npoints);
    struct cw_dim *dims;
    const char *dup;
    if (cw_dims_from_json(c->a, json_object_get(in, CW_M_GetMetricStatisticsInput_Dimensions),
                          &dims, &m.ndims, &dup)) {
        if (dup)
            return call_fail(c, 400, "InvalidParameterValue", /* inferred, as PutMetricData */
                             "No metric may specify the same dimension name twice.");
        return cw_missing(c, "Dimensions.member.N.Name");
    }
    m.dims = dims;
    const char *unit = json_string_value(json_object_get(in, CW_M_GetMetricStatisticsInput_Unit));

    out_str(o, "Label", m.name);
    out_begin(o, "Datapoints");
    int64_t age = c->now_ms - start;
    bool too_fine = (age > 63 * CW_DAY_MS && period % 3600) ||
                    (age > 15 * CW_DAY_MS && period % 300) || (age > 3 * CW_HOUR_MS && period % 60);
    if (!too_fine) {
        int64_t astart = cw_align_start(start, period, c->now_ms);
        struct cw_points pts = {.a = c->a};
        /* standard-resolution data counts at its minute: fetch from the minute before */
        if (cw_fetch(c->st, &m, cw_floor_to(astart, 60000), end, unit, c->now_ms, &pts))
            return cw_internal(c);
        struct slot *sl = arena_alloc(c->a, (pts.n ? pts.n : 1) * sizeof(*sl));
        size_t ns = 0;
        for (i = 0; i < pts.n; i++) {
            int64_t ts = pts.v[i].ts_ms;
            if (pts.v[i].resolution != 1)
                ts = cw_floor_to(ts, 60000);
            if (ts < astart || ts >= end)
                continue;
            sl[ns++] = (struct slot){(ts - astart) / pms, &pts.v[i]};
        }
        qsort(sl, ns, sizeof(*sl), slot_cmp);
        for (size_t b = 0; b < ns;) {
            struct cw_agg g = {.a = c->a};
            size_t j = b;
            for (; j < ns && sl[j].idx == sl[b].idx && str_eq(sl[j].p->unit, sl[b].p->unit); j++)
                cw_agg_add(&g, sl[j].p);
            out_begin(o, NULL);
            out_time(o, "Timestamp", astart + sl[b].idx * pms);
            double v;
            for (size_t s = 0; s < ARRAY_LEN(cw_basic_stats); s++) {
                bool want = false;
                for (i = 0; (e = json_array_get(stats, i)) != NULL; i++)
                    want = want || str_eq(json_string_value(e), cw_basic_stats[s]);
                if (want && cw_agg_stat(&g, cw_basic_stats[s], &v) == 0)
                    out_double(o, cw_basic_stats[s], v);
            }
            out_str(o, "Unit", g.unit);
            if (nx) {
                out_begin(o, "ExtendedStatistics");
                for (i = 0; (e = json_array_get(xstats, i)) != NULL; i++) {
                    if (cw_agg_stat(&g, json_string_value(e), &v) == 0)
                        out_double(o, json_string_value(e), v);
                }
                out_end(o);
            }
            out_end(o);
            b = j;
        }
    }
    out_end(o);
    return 0;
}
