/*
 * alarm_eval.c — metric alarm evaluation in virtual time (aws-behaviour §2.3) and state
 * transitions (§2.7).
 *
 * One recurring clock event (CW_EVAL_EVENT) sweeps the metric alarms: every minute for all
 * of them, every 10 s for those with a period under 60 s. Each alarm's configuration is
 * parsed once and cached in memory, keyed by (region, name) and checked against a hash of
 * the stored doc text, so the sweep reads rows and datapoints but re-parses nothing that did
 * not change. An alarm is evaluated over a sliding window that ends at the evaluation
 * minute: N + max(N/3, 2) periods (the documented "evaluation range", inferred size), each
 * period's statistic computed with the same functions as GetMetricStatistics (cw.h).
 * A computed state different from the current one is applied with cw_alarm_transition
 * (so a SetAlarmState override returns to the computed state at the next evaluation).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/cw_eval.h"
#include "svc/cloudwatch/cw_rule.h"

#define CW_EVAL_EVENT "cw.alarms.eval"

/* ================================================================ the decision */

size_t cw_eval_range(int n)
{
    int extra = n / 3 > 2 ? n / 3 : 2;
    size_t r = (size_t)n + (size_t)extra;
    return r > CW_EVAL_MAX_RANGE ? CW_EVAL_MAX_RANGE : r;
}

bool cw_eval_breaching(const char *op, double v, double t)
{
    if (str_eq(op, "GreaterThanThreshold"))
        return v > t;
    if (str_eq(op, "GreaterThanOrEqualToThreshold"))
        return v >= t;
    if (str_eq(op, "LessThanThreshold"))
        return v < t;
    if (str_eq(op, "LessThanOrEqualToThreshold"))
        return v <= t;
    return false;
}

void cw_eval_decide(const struct cw_eval_cfg *cfg, const struct cw_eval_point *pts, size_t nr,
                    struct cw_eval_result *r)
{
    r->state = NULL;
    r->kind = CW_REASON_THRESHOLD;
    r->nused = 0;
    r->nfilled = 0;
    r->nbreach = 0;
    int n = cfg->n < 1 ? 1 : cfg->n, m = cfg->m < 1 ? n : cfg->m;
    const char *treat = cfg->treat ? cfg->treat : "missing";
    size_t real = 0;
    for (size_t k = 0; k < nr; k++)
        real += pts[k].present;

    /* at least N real points in the range: the N most recent real ones, missing data
     * treatment unused [doc] */
    if (real >= (size_t)n) {
        for (size_t k = nr; k-- > 0 && r->nused < (size_t)n;) {
            if (!pts[k].present)
                continue;
            r->used[r->nused++] = k;
            r->nbreach += cw_eval_breaching(cfg->op, pts[k].value, cfg->threshold);
        }
        r->oldest_slot = r->used[r->nused - 1];
        r->state = r->nbreach >= m ? CW_ALARM : CW_OK;
        return;
    }
    size_t first_recent = nr > (size_t)n ? nr - (size_t)n : 0;
    if (real == 0) {
        r->oldest_slot = first_recent;
        if (str_eq(treat, "breaching")) {
            r->state = CW_ALARM;
            r->kind = CW_REASON_FILLED;
            r->nfilled = r->nbreach = n;
        } else if (str_eq(treat, "notBreaching")) {
            r->state = CW_OK;
            r->kind = CW_REASON_FILLED;
            r->nfilled = n;
        } else if (str_eq(treat, "ignore")) {
            r->state = NULL;
        } else {
            r->state = CW_INSUFFICIENT;
            r->kind = CW_REASON_INSUFFICIENT;
        }
        return;
    }
    /* some, but fewer than N real points: all of them, plus fills */
    bool any_good = false;
    size_t oldest_breach = nr;
    for (size_t k = nr; k-- > 0;) {
        if (!pts[k].present)
            continue;
        r->used[r->nused++] = k;
        if (cw_eval_breaching(cfg->op, pts[k].value, cfg->threshold)) {
            r->nbreach++;
            oldest_breach = k;
        } else {
            any_good = true;
        }
    }
    r->oldest_slot = r->used[r->nused - 1];
    if (str_eq(treat, "breaching") || str_eq(treat, "notBreaching")) {
        bool br = str_eq(treat, "breaching");
        r->nfilled = n - (int)real;
        int real_breach = r->nbreach;
        if (br)
            r->nbreach += r->nfilled;
        r->state = r->nbreach >= m ? CW_ALARM : CW_OK;
        if (br && real_breach < m && r->nbreach >= m)
            r->kind = CW_REASON_FILLED; /* the fills decided it (inferred wording) */
        if (first_recent < r->oldest_slot)
            r->oldest_slot = first_recent;
        return;
    }
    /* missing / ignore: the premature-alarm rule [doc] — only breaching points among the
     * missing ones and the oldest breaching one at least M periods old: ALARM (missing) or
     * no change (ignore, per the documentation's tables) */
    bool premature = !any_good && r->nbreach > 0 && (nr - oldest_breach) >= (size_t)m;
    if (premature)
        r->state = str_eq(treat, "ignore") ? NULL : CW_ALARM;
    else if (r->nbreach >= m)
        r->state = CW_ALARM;
    else if (!any_good)
        r->state = NULL; /* breaching but too recent: the next point may be good (inferred) */
    else
        r->state = CW_OK;
}

/* ================================================================ configuration cache */

struct acfg {
    char *region, *name, *account;
    uint64_t hash;
    size_t len;
    uint64_t seen; /* sweep number that last saw it */
    bool valid;    /* evaluable metric alarm */
    bool math;
    char state[24];
    char *ns, *metric, *stat, *unit, *treat, *op;
    struct cw_dim *dims;
    size_t ndims;
    json_t *metrics; /* math alarms: the Metrics list */
    struct cw_eval_cfg cfg;
};

static struct {
    struct acfg **slot; /* open addressing, cap a power of two */
    size_t cap, n;
    uint64_t sweep;
    bool dirty;     /* an alarm was put since the last full sweep */
    size_t highres; /* alarms with a period under 60 s seen in the last full sweep */
} cache;

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    while (n--)
        h = (h ^ *s++) * 0x100000001b3ULL;
    return h;
}

static uint64_t key_hash(const char *region, const char *name)
{
    uint64_t h = hash_bytes(region, strlen(region), 0xcbf29ce484222325ULL);
    return hash_bytes(name, strlen(name), h ^ 0xff);
}

static void acfg_free(struct acfg *e)
{
    if (!e)
        return;
    free(e->region);
    free(e->name);
    free(e->account);
    free(e->ns);
    free(e->metric);
    free(e->stat);
    free(e->unit);
    free(e->treat);
    free(e->op);
    for (size_t i = 0; i < e->ndims; i++) {
        free((char *)e->dims[i].name);
        free((char *)e->dims[i].value);
    }
    free(e->dims);
    json_decref(e->metrics);
    free(e);
}

static struct acfg **cache_find(const char *region, const char *name)
{
    if (cache.cap == 0) {
        cache.cap = 1024;
        cache.slot = xcalloc(cache.cap, sizeof(*cache.slot));
    }
    size_t i = key_hash(region, name) & (cache.cap - 1);
    for (;; i = (i + 1) & (cache.cap - 1)) {
        struct acfg *e = cache.slot[i];
        if (!e || (str_eq(e->region, region) && str_eq(e->name, name)))
            return &cache.slot[i];
    }
}

static void cache_rebuild(size_t cap, bool drop_unseen)
{
    struct acfg **old = cache.slot;
    size_t oldcap = cache.cap;
    cache.cap = cap;
    cache.slot = xcalloc(cap, sizeof(*cache.slot));
    cache.n = 0;
    for (size_t i = 0; i < oldcap; i++) {
        struct acfg *e = old[i];
        if (!e)
            continue;
        if (drop_unseen && e->seen != cache.sweep) {
            acfg_free(e);
            continue;
        }
        *cache_find(e->region, e->name) = e;
        cache.n++;
    }
    free(old);
}

static char *dup_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? xstrdup(s) : NULL;
}

/* Fills e from the alarm's doc (MetricAlarm shape). */
static void acfg_parse(struct acfg *e, const json_t *doc)
{
    e->valid = false;
    e->ns = dup_str(doc, "Namespace");
    e->metric = dup_str(doc, "MetricName");
    e->unit = dup_str(doc, "Unit");
    e->treat = dup_str(doc, "TreatMissingData");
    e->op = dup_str(doc, "ComparisonOperator");
    e->stat = dup_str(doc, "Statistic");
    bool extended = false;
    if (!e->stat) {
        e->stat = dup_str(doc, "ExtendedStatistic");
        extended = e->stat != NULL;
    }
    const json_t *dims = json_object_get(doc, "Dimensions");
    size_t nd = json_array_size(dims);
    e->dims = xcalloc(nd ? nd : 1, sizeof(*e->dims));
    for (size_t i = 0; i < nd; i++) {
        const json_t *d = json_array_get(dims, i);
        const char *dn = json_string_value(json_object_get(d, "Name"));
        const char *dv = json_string_value(json_object_get(d, "Value"));
        if (!dn || !dv)
            continue;
        e->dims[e->ndims].name = xstrdup(dn);
        e->dims[e->ndims].value = xstrdup(dv);
        e->ndims++;
    }
    if (cw_dims_canonical(e->dims, e->ndims, NULL))
        return;
    struct cw_eval_cfg *c = &e->cfg;
    memset(c, 0, sizeof(*c));
    c->n = (int)json_integer_value(json_object_get(doc, "EvaluationPeriods"));
    const json_t *jm = json_object_get(doc, "DatapointsToAlarm");
    c->m_set = json_is_integer(jm);
    c->m = c->m_set ? (int)json_integer_value(jm) : c->n;
    c->threshold = json_number_value(json_object_get(doc, "Threshold"));
    c->op = e->op;
    c->treat = e->treat ? e->treat : "missing";
    if (str_eq(e->ns, "AWS/DynamoDB"))
        c->treat = "ignore"; /* such alarms always ignore missing data [doc] */
    c->unit = e->unit;
    c->stat = e->stat;
    c->extended = extended;
    c->low_ignore = str_eq(
        json_string_value(json_object_get(doc, "EvaluateLowSampleCountPercentile")), "ignore");
    c->period_s = json_integer_value(json_object_get(doc, "Period"));
    const json_t *metrics = json_object_get(doc, "Metrics");
    if (json_array_size(metrics) > 0) {
        e->math = true;
        e->metrics = json_deep_copy(metrics);
        c->stat = NULL;
        c->unit = NULL;
        /* the period of the metrics (all the same [doc]) */
        size_t i;
        const json_t *q;
        json_array_foreach(metrics, i, q)
        {
            const json_t *ms = json_object_get(q, "MetricStat");
            if (json_is_integer(json_object_get(ms, "Period")))
                c->period_s = json_integer_value(json_object_get(ms, "Period"));
            else if (json_is_integer(json_object_get(q, "Period")) && c->period_s <= 0)
                c->period_s = json_integer_value(json_object_get(q, "Period"));
        }
    } else if (!e->ns || !e->metric || !e->stat) {
        return;
    }
    if (c->n < 1 || c->m < 1 || c->m > c->n || c->period_s < 1 || !c->op ||
        !str_startswith(c->op, "GreaterThan") == !str_startswith(c->op, "LessThan") ||
        str_eq(c->op, "GreaterThanUpperThreshold") || str_eq(c->op, "LessThanLowerThreshold") ||
        json_object_get(doc, "ThresholdMetricId"))
        return; /* anomaly-detection alarms are not evaluated */
    e->valid = true;
}

/* The cached configuration of the row, parsed again when the doc changed. */
static struct acfg *cache_get(const char *region, const char *name, const char *account,
                              const char *state, const char *doc, size_t len)
{
    uint64_t h = hash_bytes(doc, len, 0x84222325cbf29ce4ULL);
    struct acfg **pe = cache_find(region, name);
    struct acfg *e = *pe;
    if (e && e->hash == h && e->len == len) {
        e->seen = cache.sweep;
        return e;
    }
    if (e) {
        acfg_free(e);
        *pe = NULL;
        cache.n--;
    }
    json_t *j = json_loadb(doc, len, 0, NULL);
    e = xcalloc(1, sizeof(*e));
    e->region = xstrdup(region);
    e->name = xstrdup(name);
    e->account = xstrdup(account);
    e->hash = h;
    e->len = len;
    e->seen = cache.sweep;
    snprintf(e->state, sizeof(e->state), "%s", state);
    if (j)
        acfg_parse(e, j);
    json_decref(j);
    if ((cache.n + 1) * 2 > cache.cap) {
        cache_rebuild(cache.cap * 2, false);
        pe = cache_find(region, name);
    }
    *pe = e;
    cache.n++;
    return e;
}

/* ================================================================ evaluating one alarm */

static int64_t floor_ms(int64_t t, int64_t unit)
{
    int64_t r = t % unit;
    return r < 0 ? t - r - unit : t - r;
}

static bool low_sample(const char *stat, double count)
{
    double pct;
    if (!cw_stat_percentile(stat, &pct))
        return false;
    double p = pct / 100.0;
    if (p >= 0.5 && p < 1.0)
        return count < 10.0 / (1.0 - p);
    if (p > 0 && p < 0.5)
        return count < 10.0 / p;
    return false;
}

/* Fills pts[0..nr-1] (period starts set) with the alarm's values. 0 or -1. */
static int eval_points(struct store *st, struct arena *a, const struct acfg *e, int64_t now_ms,
                       struct cw_eval_point *pts, size_t nr)
{
    const struct cw_eval_cfg *c = &e->cfg;
    if (e->math)
        return cw_math_series(st, a, e->account, e->region, e->metrics, c->period_s, now_ms, pts,
                              nr);
    int64_t pms = c->period_s * 1000, start = pts[0].ts_ms, end = pts[nr - 1].ts_ms + pms;
    struct cw_metric m = {.account = e->account,
                          .region = e->region,
                          .ns = e->ns,
                          .name = e->metric,
                          .dims = e->dims,
                          .ndims = e->ndims};
    struct cw_points got = {.a = a};
    if (cw_fetch(st, &m, floor_ms(start, 60000), end, c->unit, now_ms, &got))
        return -1;
    if (got.n == 0)
        return 0;
    struct cw_agg *g = arena_zalloc(a, nr * sizeof(*g));
    for (size_t i = 0; i < got.n; i++) {
        int64_t ts = got.v[i].ts_ms;
        if (got.v[i].resolution != 1)
            ts = floor_ms(ts, 60000); /* standard resolution counts at its minute */
        if (ts < start || ts >= end)
            continue;
        struct cw_agg *s = &g[(ts - start) / pms];
        s->a = a;
        if (s->npoints && !str_eq(s->unit, got.v[i].unit) && c->unit == NULL)
            continue; /* one unit per period, as GetMetricStatistics' first one (inferred) */
        cw_agg_add(s, &got.v[i]);
    }
    for (size_t k = 0; k < nr; k++) {
        double v;
        if (g[k].npoints == 0 || cw_agg_stat(&g[k], c->stat, &v))
            continue;
        pts[k].present = true;
        pts[k].value = v;
        pts[k].samples = g[k].count;
        pts[k].low_sample = low_sample(c->stat, g[k].count);
    }
    return 0;
}

struct pending {
    char *region, *name, *state, *reason, *data;
};

struct sweep {
    struct store *st;
    int64_t at_ms;
    bool full;       /* minute boundary (or forced): every alarm */
    struct arena *a; /* scratch for a batch of alarms */
    unsigned a_uses;
    size_t highres;
    struct pending *p;
    size_t np, cap;
};

/* Evaluates one cached alarm at sw->at_ms; queues a transition when the state changes. */
static void eval_alarm(struct sweep *sw, struct acfg *e)
{
    const struct cw_eval_cfg *c = &e->cfg;
    int64_t pms = c->period_s * 1000;
    int64_t end = floor_ms(sw->at_ms, c->period_s < 60 ? 10000 : 60000);
    size_t nr = cw_eval_range(c->n);
    /* one arena for a batch of alarms: a fresh one per alarm costs more than the work */
    if (!sw->a || ++sw->a_uses > 256) {
        if (sw->a)
            arena_free(sw->a);
        sw->a = arena_new();
        sw->a_uses = 0;
    }
    struct arena *a = sw->a;
    struct cw_eval_point *pts = arena_zalloc(a, nr * sizeof(*pts));
    for (size_t k = 0; k < nr; k++)
        pts[k].ts_ms = end - (int64_t)(nr - k) * pms;
    if (eval_points(sw->st, a, e, sw->at_ms, pts, nr))
        goto out;
    if (c->low_ignore) { /* too few samples for the percentile: no change [doc] */
        for (size_t k = nr > (size_t)c->n ? nr - (size_t)c->n : 0; k < nr; k++)
            if (pts[k].present && pts[k].low_sample)
                goto out;
    }
    struct cw_eval_result *r = arena_zalloc(a, sizeof(*r));
    r->used = arena_alloc(a, nr * sizeof(*r->used));
    cw_eval_decide(c, pts, nr, r);
    if (!r->state || str_eq(r->state, e->state))
        goto out;
    if (sw->np == sw->cap) {
        sw->cap = sw->cap ? sw->cap * 2 : 16;
        sw->p = xrealloc(sw->p, sw->cap * sizeof(*sw->p));
    }
    struct pending *p = &sw->p[sw->np++];
    p->region = xstrdup(e->region);
    p->name = xstrdup(e->name);
    p->state = xstrdup(r->state);
    p->reason = xstrdup(cw_reason_text(a, c, pts, nr, r));
    p->data = xstrdup(cw_reason_data(a, c, pts, nr, r, sw->at_ms));
out:;
}

/* After the engine's own transition: the cached configuration still holds, only the state
 * fields of the doc changed; take the new doc's hash instead of parsing it again. */
static void cache_saved(struct store *st, const char *region, const char *name, const char *state)
{
    struct acfg *e = *cache_find(region, name);
    if (!e)
        return;
    sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM cw_alarms WHERE region = ?1 AND name = ?2");
    sqlite3_bind_text(s, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *doc = (const char *)sqlite3_column_blob(s, 0);
        e->len = (size_t)sqlite3_column_bytes(s, 0);
        e->hash = hash_bytes(doc, e->len, 0x84222325cbf29ce4ULL);
        snprintf(e->state, sizeof(e->state), "%s", state);
    }
    sqlite3_reset(s);
}

/* Applies the queued transitions (after the sweep's cursor is done). */
static void apply_pending(struct sweep *sw)
{
    for (size_t i = 0; i < sw->np; i++) {
        struct pending *p = &sw->p[i];
        struct cw_alarm al;
        memset(&al, 0, sizeof(al));
        if (cw_alarm_load(sw->st, p->region, p->name, &al) == 0) {
            const char *cur = json_string_value(json_object_get(al.doc, "StateValue"));
            if (!str_eq(cur, p->state) &&
                cw_alarm_transition(sw->st, &al, p->state, p->reason, p->data, sw->at_ms) == 0)
                cache_saved(sw->st, p->region, p->name, p->state);
            cw_alarm_free(&al);
        }
        free(p->region);
        free(p->name);
        free(p->state);
        free(p->reason);
        free(p->data);
    }
    free(sw->p);
    sw->p = NULL;
    sw->np = sw->cap = 0;
}

/* ================================================================ composite alarms */

struct rule_ctx {
    struct store *st;
    const char *region;
};

static const char *child_state(void *vctx, const char *ref)
{
    struct rule_ctx *rc = vctx;
    sqlite3_stmt *s = store_stmt(rc->st, "SELECT state FROM cw_alarms WHERE region = ?1"
                                         " AND name = ?2");
    sqlite3_bind_text(s, 1, rc->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, cw_rule_ref_name(ref), -1, SQLITE_STATIC);
    const char *r = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        r = str_eq(v, CW_ALARM) ? CW_ALARM : str_eq(v, CW_OK) ? CW_OK : CW_INSUFFICIENT;
    }
    sqlite3_reset(s);
    return r;
}

struct newest_child {
    struct store *st;
    const char *region;
    int64_t ts;
    char arn[400];
    char state[24];
};

static void child_ref(void *vctx, const char *ref)
{
    struct newest_child *nc = vctx;
    struct cw_alarm c;
    memset(&c, 0, sizeof(c));
    if (cw_alarm_load(nc->st, nc->region, cw_rule_ref_name(ref), &c) != 0)
        return;
    const json_t *t = json_object_get(c.doc, "StateTransitionedTimestamp");
    if (json_is_integer(t) && json_integer_value(t) > nc->ts) {
        nc->ts = json_integer_value(t);
        snprintf(nc->arn, sizeof(nc->arn), "%s", c.arn);
        snprintf(nc->state, sizeof(nc->state), "%s",
                 json_string_value(json_object_get(c.doc, "StateValue")));
    }
    cw_alarm_free(&c);
}

/* "Sunday 30 October, 2022 20:47:35 UTC" [obs] (day without padding: inferred). */
static void composite_date(int64_t ms, char out[64])
{
    static const char *const days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 64, "%s %d %s, %d %02u:%02u:%02u UTC", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, (unsigned)tm.tm_hour % 100,
             (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100);
}

/* Moves composite alarm (region, name) to the state its rule evaluates to. 1 when it
 * changed, 0 when not, -1 on error. */
static int composite_eval(struct store *st, const char *region, const char *name, int64_t at_ms)
{
    struct cw_alarm a;
    memset(&a, 0, sizeof(a));
    if (cw_alarm_load(st, region, name, &a) != 0)
        return -1;
    int rc = 0;
    const char *rule = json_string_value(json_object_get(a.doc, "AlarmRule"));
    struct rule_ctx ctx = {st, region};
    int v = rule ? cw_rule_eval(rule, child_state, &ctx) : -1;
    const char *cur = json_string_value(json_object_get(a.doc, "StateValue"));
    const char *want = v == 1 ? CW_ALARM : CW_OK;
    if (v >= 0 && !str_eq(cur, want)) {
        struct newest_child nc = {.st = st, .region = region};
        struct arena *ar = arena_new();
        const char *msg = NULL;
        cw_rule_check(ar, rule, child_ref, &nc, &msg);
        const char *reason, *data = NULL;
        const char *why = json_string_value(json_object_get(a.doc, "StateReason"));
        if (nc.ts == 0 || str_startswith(why, "Unchecked")) {
            reason = arena_printf(ar, "%s was created and its alarm rule evaluates to %s", a.arn,
                                  want); /* [snap] */
        } else {
            char d[64], iso[32];
            composite_date(nc.ts, d);
            cw_reason_iso(nc.ts, iso);
            reason = arena_printf(ar, "%s transitioned to %s at %s", nc.arn, nc.state, d);
            data = arena_printf(ar, /* inferred */
                                "{\"triggeringAlarms\":[{\"arn\":\"%s\",\"state\":{\"value\":"
                                "\"%s\",\"timestamp\":\"%s\"}}]}",
                                nc.arn, nc.state, iso);
        }
        rc = cw_alarm_transition(st, &a, want, reason, data, at_ms) ? -1 : 1;
        arena_free(ar);
    }
    cw_alarm_free(&a);
    return rc;
}

/* Evaluates every composite alarm of the store, again while some changed (composites of
 * composites), at most 8 rounds. */
static void sweep_composites(struct store *st, int64_t at_ms)
{
    for (int round = 0; round < 8; round++) {
        char **names = NULL;
        size_t n = 0, cap = 0;
        sqlite3_stmt *s = store_stmt(st, "SELECT region, name FROM cw_alarms WHERE composite = 1");
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (n + 2 > cap) {
                cap = cap ? cap * 2 : 16;
                names = xrealloc(names, cap * sizeof(*names));
            }
            names[n++] = xstrdup((const char *)sqlite3_column_text(s, 0));
            names[n++] = xstrdup((const char *)sqlite3_column_text(s, 1));
        }
        sqlite3_reset(s);
        bool changed = false;
        for (size_t i = 0; i < n; i += 2) {
            changed = composite_eval(st, names[i], names[i + 1], at_ms) == 1 || changed;
            free(names[i]);
            free(names[i + 1]);
        }
        free(names);
        if (!changed)
            break;
    }
}

/* A 10-second sweep between minutes: only the cached high-resolution alarms, each row read
 * by its key (the full minute sweep finds new and deleted ones). */
static size_t sweep_highres(struct sweep *sw)
{
    if (cache.highres == 0)
        return cache.n;
    char **keys = xmalloc((cache.highres * 2 + 2) * sizeof(*keys));
    size_t nk = 0;
    for (size_t i = 0; i < cache.cap && nk < cache.highres * 2; i++) {
        struct acfg *e = cache.slot[i];
        if (e && e->valid && e->cfg.period_s < 60) {
            keys[nk++] = xstrdup(e->region);
            keys[nk++] = xstrdup(e->name);
        }
    }
    sqlite3_stmt *s = store_stmt(sw->st, "SELECT account, state, doc FROM cw_alarms"
                                         " WHERE region = ?1 AND name = ?2 AND composite = 0");
    for (size_t i = 0; i < nk; i += 2) {
        sqlite3_bind_text(s, 1, keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, keys[i + 1], -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) {
            const char *account = (const char *)sqlite3_column_text(s, 0);
            const char *state = (const char *)sqlite3_column_text(s, 1);
            const char *doc = (const char *)sqlite3_column_blob(s, 2);
            size_t len = (size_t)sqlite3_column_bytes(s, 2);
            if (account && state && doc) {
                struct acfg *e = cache_get(keys[i], keys[i + 1], account, state, doc, len);
                snprintf(e->state, sizeof(e->state), "%s", state);
                if (e->valid && e->cfg.period_s < 60)
                    eval_alarm(sw, e);
            }
        }
        sqlite3_reset(s);
        free(keys[i]);
        free(keys[i + 1]);
    }
    free(keys);
    if (sw->a)
        arena_free(sw->a);
    bool changed = sw->np > 0;
    apply_pending(sw);
    if (changed)
        sweep_composites(sw->st, sw->at_ms);
    return cache.n;
}

/* One sweep at at_ms: every metric alarm due. Returns the number of alarms seen. */
static size_t sweep_run(struct store *st, int64_t at_ms)
{
    struct sweep sw = {.st = st, .at_ms = at_ms};
    sw.full = at_ms % 60000 == 0 || cache.dirty;
    if (!sw.full)
        return sweep_highres(&sw);
    cache.sweep++;
    size_t seen = 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT region, name, account, state, doc FROM cw_alarms"
                                     " WHERE composite = 0");
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *region = (const char *)sqlite3_column_text(s, 0);
        const char *name = (const char *)sqlite3_column_text(s, 1);
        const char *account = (const char *)sqlite3_column_text(s, 2);
        const char *state = (const char *)sqlite3_column_text(s, 3);
        const char *doc = (const char *)sqlite3_column_blob(s, 4);
        size_t len = (size_t)sqlite3_column_bytes(s, 4);
        if (!region || !name || !account || !state || !doc)
            continue;
        struct acfg *e = cache_get(region, name, account, state, doc, len);
        snprintf(e->state, sizeof(e->state), "%s", state);
        seen++;
        if (!e->valid)
            continue;
        if (e->cfg.period_s < 60)
            sw.highres++;
        else if (!sw.full)
            continue;
        eval_alarm(&sw, e);
    }
    sqlite3_reset(s);
    if (sw.a)
        arena_free(sw.a);
    bool changed = sw.np > 0;
    apply_pending(&sw);
    if (sw.full || changed)
        sweep_composites(st, at_ms);
    cache.highres = sw.highres;
    cache.dirty = false;
    if (cache.n > seen) /* alarms deleted since: forget them */
        cache_rebuild(cache.cap, true);
    return seen;
}

/* The evaluation event: sweep, then the next tick (10 s while high-resolution alarms exist,
 * else the next minute; none while there are no alarms). */
static void eval_tick(struct store *st, int64_t at_ms, const char *arg)
{
    (void)arg;
    size_t n = sweep_run(st, at_ms);
    if (n == 0)
        return;
    int64_t next = cache.highres ? floor_ms(at_ms, 10000) + 10000 : floor_ms(at_ms, 60000) + 60000;
    sched_at(st, next, CW_EVAL_EVENT, "");
}

int cw_alarm_schedule(struct store *st, int64_t now_ms)
{
    cache.dirty = true;
    if (sched_cancel(st, CW_EVAL_EVENT, ""))
        return -1;
    return sched_at(st, floor_ms(now_ms, 10000) + 10000, CW_EVAL_EVENT, "") < 0 ? -1 : 0;
}

void cw_alarms_init(void)
{
    clock_on(CW_EVAL_EVENT, eval_tick);
    cache.dirty = true; /* the first tick after a start reads every alarm */
}

size_t cw_alarms_sweep(struct store *st, int64_t at_ms)
{
    return sweep_run(st, at_ms);
}

void cw_alarms_cache_clear(void)
{
    for (size_t i = 0; i < cache.cap; i++)
        acfg_free(cache.slot[i]);
    free(cache.slot);
    memset(&cache, 0, sizeof(cache));
    cache.dirty = true;
}

/* ================================================================ transitions */

void cw_put_json_str(struct buf *b, const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    buf_puts(b, t ? t : "\"\"");
    free(t);
    json_decref(j);
}

/* {"stateValue":..,"stateReason":..[,"stateReasonData":{..}]} */
static void put_state(struct buf *b, const char *value, const char *reason, const char *data)
{
    buf_puts(b, "{\"stateValue\":");
    cw_put_json_str(b, value);
    buf_puts(b, ",\"stateReason\":");
    cw_put_json_str(b, reason);
    while (data && (*data == ' ' || *data == '\n' || *data == '\t' || *data == '\r'))
        data++;
    if (data && *data == '{') { /* embedded as an object [snap]; the engine's own text and
                                 * SetAlarmState's (checked as JSON by the API) */
        buf_puts(b, ",\"stateReasonData\":");
        buf_puts(b, data);
    }
    buf_putc(b, '}');
}

int cw_alarm_transition(struct store *st, struct cw_alarm *a, const char *new_state,
                        const char *reason, const char *reason_data, int64_t at_ms)
{
    int rc = -1;
    char *old_value = xstrdup(json_string_value(json_object_get(a->doc, "StateValue"))
                                  ? json_string_value(json_object_get(a->doc, "StateValue"))
                                  : CW_INSUFFICIENT);
    const char *r0 = json_string_value(json_object_get(a->doc, "StateReason"));
    const char *d0 = json_string_value(json_object_get(a->doc, "StateReasonData"));
    char *old_reason = xstrdup(r0 ? r0 : "");
    char *old_data = d0 ? xstrdup(d0) : NULL;
    bool changed = !str_eq(old_value, new_state);

    json_object_set_new(a->doc, "StateValue", json_string(new_state));
    json_object_set_new(a->doc, "StateReason", json_string(reason ? reason : ""));
    if (reason_data)
        json_object_set_new(a->doc, "StateReasonData", json_string(reason_data));
    else
        json_object_del(a->doc, "StateReasonData");
    json_object_set_new(a->doc, "StateUpdatedTimestamp", json_integer(at_ms));
    if (changed)
        json_object_set_new(a->doc, "StateTransitionedTimestamp", json_integer(at_ms));
    if (cw_alarm_save_doc(st, a))
        goto out;

    struct buf summary = BUF_INIT, data = BUF_INIT;
    buf_printf(&summary, "Alarm updated from %s to %s", old_value, new_state);
    buf_puts(&data, "{\"version\":\"1.0\",\"oldState\":");
    put_state(&data, old_value, old_reason, old_data);
    buf_puts(&data, ",\"newState\":");
    put_state(&data, new_state, reason, reason_data);
    buf_putc(&data, '}');
    int hrc = cw_history_add(st, a, "StateUpdate", summary.p, data.p, at_ms);
    buf_free(&summary);
    buf_free(&data);
    if (hrc)
        goto out;

    const json_t *enabled = json_object_get(a->doc, "ActionsEnabled");
    if (changed && !json_is_false(enabled)) {
        const char *list = str_eq(new_state, CW_ALARM) ? "AlarmActions"
                           : str_eq(new_state, CW_OK)  ? "OKActions"
                                                       : "InsufficientDataActions";
        if (cw_alarm_run_actions(st, a, json_object_get(a->doc, list), at_ms))
            goto out;
    }
    rc = 0;
out:
    free(old_value);
    free(old_reason);
    free(old_data);
    return rc;
}
