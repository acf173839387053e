/*
 * metrics.c — CloudWatch metric data: PutMetricData, ListMetrics, GetMetricStatistics and
 * the reusable pieces behind cw.h (dimension sets, datapoint storage and fetch, providers,
 * statistics).
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

#define HOUR_MS (3600 * 1000LL)
#define DAY_MS (86400 * 1000LL)
/* Timestamps beyond +-275760 years (the JavaScript Date range) are refused, which keeps
 * all time arithmetic far from int64 overflow. */
#define TIME_LIMIT_MS 8640000000000000LL

int cw_internal(struct call *c)
{
    return call_fail(c, 500, "InternalServiceError", "Internal service error."); /* inferred */
}

/* ================================================================ dimension sets */

static int dim_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cw_dim *)a)->name, ((const struct cw_dim *)b)->name);
}

int cw_dims_canonical(struct cw_dim *dims, size_t n, const char **dup)
{
    if (n > 1)
        qsort(dims, n, sizeof(*dims), dim_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(dims[i - 1].name, dims[i].name) == 0) {
            if (dup)
                *dup = dims[i].name;
            return -1;
        }
    }
    return 0;
}

int cw_dims_from_json(struct arena *a, const json_t *list, struct cw_dim **out, size_t *n,
                      const char **dup)
{
    size_t cnt = json_array_size(list);
    struct cw_dim *d = arena_zalloc(a, (cnt ? cnt : 1) * sizeof(*d));
    if (dup)
        *dup = NULL;
    for (size_t i = 0; i < cnt; i++) {
        const json_t *e = json_array_get(list, i);
        d[i].name = json_string_value(json_object_get(e, CW_M_Dimension_Name));
        d[i].value = json_string_value(json_object_get(e, CW_M_Dimension_Value));
        if (!d[i].name || !d[i].value)
            return -1;
    }
    *out = d;
    *n = cnt;
    return cw_dims_canonical(d, cnt, dup);
}

char *cw_dims_text(struct arena *a, const struct cw_dim *dims, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s}", "Name", dims[i].name, "Value", dims[i].value));
    char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    char *r = arena_strdup(a, s ? s : "[]");
    free(s);
    return r;
}

int cw_dims_parse(struct arena *a, const char *text, struct cw_dim **out, size_t *n)
{
    json_error_t err;
    json_t *arr = json_loads(text ? text : "", 0, &err);
    int rc = -1;
    if (!json_is_array(arr))
        goto out;
    size_t cnt = json_array_size(arr);
    struct cw_dim *d = arena_zalloc(a, (cnt ? cnt : 1) * sizeof(*d));
    for (size_t i = 0; i < cnt; i++) {
        const json_t *e = json_array_get(arr, i);
        const char *k = json_string_value(json_object_get(e, "Name"));
        const char *v = json_string_value(json_object_get(e, "Value"));
        if (!k || !v)
            goto out;
        d[i].name = arena_strdup(a, k);
        d[i].value = arena_strdup(a, v);
    }
    *out = d;
    *n = cnt;
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

/* ================================================================ datapoints */


static const char *dist_text(struct arena *a, const struct cw_point *p)
{
    if (!p->nvc)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < p->nvc; i++)
        json_array_append_new(arr, json_pack("[f,f]", p->vc[i].value, p->vc[i].count));
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    char *r = arena_strdup(a, s ? s : "[]");
    free(s);
    return r;
}

static int dist_parse(struct arena *a, const char *text, struct cw_point *p)
{
    json_error_t err;
    json_t *arr = json_loads(text, 0, &err);
    int rc = -1;
    if (!json_is_array(arr))
        goto out;
    size_t n = json_array_size(arr);
    struct cw_vc *vc = arena_alloc(a, (n ? n : 1) * sizeof(*vc));
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        if (!json_is_number(json_array_get(e, 0)) || !json_is_number(json_array_get(e, 1)))
            goto out;
        vc[i].value = json_number_value(json_array_get(e, 0));
        vc[i].count = json_number_value(json_array_get(e, 1));
    }
    p->vc = vc;
    p->nvc = n;
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

static int db_fail(struct store *st, const char *what)
{
    log_error("cloudwatch %s: %s", what, sqlite3_errmsg(store_db(st)));
    return -1;
}

/* Creates or touches the metric row; *id set. */
static int metric_upsert(struct store *st, struct arena *a, const struct cw_metric *m,
                         int64_t now_ms, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO cw_metrics(account, region, namespace, metric_name, dims, created_ms,"
            " last_put_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6)"
            " ON CONFLICT(account, region, namespace, metric_name, dims)"
            " DO UPDATE SET last_put_ms = max(last_put_ms, excluded.last_put_ms)"
            " RETURNING id");
    store_bind_text_or_null(s, 1, m->account);
    store_bind_text_or_null(s, 2, m->region);
    store_bind_text_or_null(s, 3, m->ns);
    store_bind_text_or_null(s, 4, m->name);
    store_bind_text_or_null(s, 5, cw_dims_text(a, m->dims, m->ndims));
    sqlite3_bind_int64(s, 6, now_ms);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        db_fail(st, "metric upsert");
        sqlite3_reset(s);
        return -1;
    }
    *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return 0;
}

int cw_put_point(struct store *st, const struct cw_metric *m, const struct cw_point *p,
                 int64_t now_ms)
{
    struct arena *a = arena_new();
    int64_t id;
    int rc = -1;
    if (metric_upsert(st, a, m, now_ms, &id))
        goto out;
    if (!p) {
        rc = 0;
        goto out;
    }
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO cw_datapoints(metric_id, ts_ms, unit, resolution, count, sum, min, max,"
            " dist, put_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, p->ts_ms);
    store_bind_text_or_null(s, 3, p->unit ? p->unit : "None");
    sqlite3_bind_int(s, 4, p->resolution == 1 ? 1 : 60);
    sqlite3_bind_double(s, 5, p->count);
    sqlite3_bind_double(s, 6, p->sum);
    sqlite3_bind_double(s, 7, p->min);
    sqlite3_bind_double(s, 8, p->max);
    store_bind_text_or_null(s, 9, dist_text(a, p));
    sqlite3_bind_int64(s, 10, now_ms);
    if (sqlite3_step(s) != SQLITE_DONE) {
        db_fail(st, "datapoint insert");
        goto out;
    }
    s = store_stmt(st, "DELETE FROM cw_datapoints WHERE metric_id = ?1 AND ts_ms < ?2");
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now_ms - CW_RETENTION_MS);
    if (sqlite3_step(s) != SQLITE_DONE) {
        db_fail(st, "datapoint prune");
        goto out;
    }
    rc = 0;
out:
    arena_free(a);
    return rc;
}

int cw_fetch(struct store *st, const struct cw_metric *m, int64_t start_ms, int64_t end_ms,
             const char *unit, int64_t now_ms, struct cw_points *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM cw_metrics WHERE account = ?1 AND region = ?2"
                                     " AND namespace = ?3 AND metric_name = ?4 AND dims = ?5");
    store_bind_text_or_null(s, 1, m->account);
    store_bind_text_or_null(s, 2, m->region);
    store_bind_text_or_null(s, 3, m->ns);
    store_bind_text_or_null(s, 4, m->name);
    store_bind_text_or_null(s, 5, cw_dims_text(out->a, m->dims, m->ndims));
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        s = store_stmt(st, "SELECT ts_ms, unit, resolution, count, sum, min, max, dist"
                           " FROM cw_datapoints WHERE metric_id = ?1 AND ts_ms >= ?2"
                           " AND ts_ms < ?3 AND (?4 IS NULL OR unit = ?4) ORDER BY ts_ms");
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, start_ms);
        sqlite3_bind_int64(s, 3, end_ms);
        store_bind_text_or_null(s, 4, unit);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            struct cw_point p = {
                .ts_ms = sqlite3_column_int64(s, 0),
                .unit = (const char *)sqlite3_column_text(s, 1),
                .resolution = sqlite3_column_int(s, 2),
                .count = sqlite3_column_double(s, 3),
                .sum = sqlite3_column_double(s, 4),
                .min = sqlite3_column_double(s, 5),
                .max = sqlite3_column_double(s, 6),
            };
            if (sqlite3_column_type(s, 7) != SQLITE_NULL &&
                dist_parse(out->a, (const char *)sqlite3_column_text(s, 7), &p))
                log_warn("cloudwatch: bad stored distribution ignored");
            cw_points_add(out, &p);
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return db_fail(st, "datapoint fetch");
    } else {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return db_fail(st, "metric lookup");
    }
    const struct cw_provider *p = cw_provider_find(m->ns);
    if (p && p->fetch)
        return p->fetch(st, m, start_ms, end_ms, unit, now_ms, out);
    return 0;
}

/* ================================================================ providers */


/* ================================================================ statistics */

static void agg_vc(struct cw_agg *g, double value, double count)
{
    if (count <= 0)
        return;
    if (g->nvc == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 32;
        struct cw_vc *v = arena_alloc(g->a, cap * sizeof(*v));
        if (g->nvc)
            memcpy(v, g->vc, g->nvc * sizeof(*v));
        g->vc = v;
        g->cap = cap;
    }
    g->vc[g->nvc++] = (struct cw_vc){value, count};
}

void cw_agg_add(struct cw_agg *g, const struct cw_point *p)
{
    if (!g->unit)
        g->unit = p->unit;
    if (g->npoints == 0 || p->min < g->min)
        g->min = p->min;
    if (g->npoints == 0 || p->max > g->max)
        g->max = p->max;
    g->count += p->count;
    g->sum += p->sum;
    g->npoints++;
    if (p->min < 0)
        g->negative = true;
    if (p->nvc) {
        for (size_t i = 0; i < p->nvc; i++)
            agg_vc(g, p->vc[i].value, p->vc[i].count);
    } else if (p->count == 1 || p->min == p->max) {
        agg_vc(g, p->min, p->count); /* implied distribution [doc] */
    } else {
        g->dist_unknown = true;
    }
}

static const char *const basic_stats[] = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"};

bool cw_stat_is_basic(const char *stat)
{
    for (size_t i = 0; i < ARRAY_LEN(basic_stats); i++)
        if (str_eq(stat, basic_stats[i]))
            return true;
    return false;
}

bool cw_stat_percentile(const char *stat, double *pct)
{
    if (!stat || stat[0] != 'p' || stat[1] < '0' || stat[1] > '9')
        return false;
    const char *s = stat + 1;
    int ndig = 0, nfrac = 0;
    bool dot = false;
    for (; *s; s++) {
        if (*s == '.' && !dot) {
            dot = true;
        } else if (*s >= '0' && *s <= '9') {
            if (dot)
                nfrac++;
            else
                ndig++;
        } else {
            return false;
        }
    }
    if (ndig > 3 || nfrac > 2 || (dot && nfrac == 0))
        return false;
    double v;
    if (str_to_double(stat + 1, &v) || v < 0 || v > 100)
        return false;
    *pct = v;
    return true;
}

static int vc_cmp(const void *a, const void *b)
{
    double x = ((const struct cw_vc *)a)->value, y = ((const struct cw_vc *)b)->value;
    return x < y ? -1 : x > y;
}

int cw_agg_stat(const struct cw_agg *g, const char *stat, double *v)
{
    double pct;
    if (g->npoints == 0)
        return -1;
    if (str_eq(stat, "SampleCount")) {
        *v = g->count;
    } else if (str_eq(stat, "Sum")) {
        *v = g->sum;
    } else if (str_eq(stat, "Minimum")) {
        *v = g->min;
    } else if (str_eq(stat, "Maximum")) {
        *v = g->max;
    } else if (str_eq(stat, "Average")) {
        if (g->count <= 0)
            return -1;
        *v = g->sum / g->count;
    } else if (cw_stat_percentile(stat, &pct)) {
        /* Percentiles need raw values and no negative value [doc]. Nearest rank over the
         * (value, count) distribution: the smallest value whose cumulative count reaches
         * pct% of the total; p0 is the minimum (inferred). */
        if (g->dist_unknown || g->negative || g->nvc == 0)
            return -1;
        qsort(g->vc, g->nvc, sizeof(*g->vc), vc_cmp);
        double total = 0, cum = 0;
        for (size_t i = 0; i < g->nvc; i++)
            total += g->vc[i].count;
        double target = pct / 100.0 * total;
        *v = g->vc[g->nvc - 1].value;
        for (size_t i = 0; i < g->nvc; i++) {
            cum += g->vc[i].count;
            if (cum >= target) {
                *v = g->vc[i].value;
                break;
            }
        }
    } else {
        return -1;
    }
    return 0;
}

bool cw_period_valid(int64_t p)
{
    return p == 1 || p == 5 || p == 10 || p == 20 || p == 30 || (p >= 60 && p % 60 == 0);
}

static int64_t floor_to(int64_t t, int64_t unit)
{
    int64_t r = t % unit;
    return r < 0 ? t - r - unit : t - r;
}

int64_t cw_align_start(int64_t start_ms, int64_t period_s, int64_t now_ms)
{
    if (period_s < 60)
        return floor_to(start_ms, period_s * 1000);
    int64_t age = now_ms - start_ms;
    if (age < 15 * DAY_MS)
        return floor_to(start_ms, 60 * 1000);
    if (age <= 63 * DAY_MS)
        return floor_to(start_ms, 300 * 1000);
    return floor_to(start_ms, HOUR_MS);
}

/* ================================================================ request helpers */

/*
 * Formats a double as CloudWatch prints it in "The value V for parameter P is invalid."
 * [obs]: Java NumberFormat style — grouping commas, at most 3 fraction digits (half-even),
 * the shortest round-trip digits padded with zeros, "∞" / "-∞"; "NaN" (inferred).
 */
static char *fmt_value(struct arena *a, double v)
{
    if (isnan(v))
        return arena_strdup(a, "NaN");
    if (isinf(v))
        return arena_strdup(a, v < 0 ? "-\xe2\x88\x9e" : "\xe2\x88\x9e");
    char e[40];
    int prec = 0;
    for (; prec < 17; prec++) { /* shortest mantissa that reads back exactly */
        snprintf(e, sizeof(e), "%.*e", prec, fabs(v));
        if (strtod(e, NULL) == fabs(v))
            break;
    }
    char digits[24];
    int nd = 0, exp10 = 0;
    for (const char *p = e; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    exp10 = (int)strtol(strchr(e, 'e') + 1, NULL, 10);
    /* integer digits and fraction digits as decimal strings */
    char ip[400], fp[400];
    int ni = 0, nf = 0;
    if (exp10 >= 0) {
        for (int i = 0; i <= exp10; i++)
            ip[ni++] = i < nd ? digits[i] : '0';
        for (int i = exp10 + 1; i < nd; i++)
            fp[nf++] = digits[i];
    } else {
        ip[ni++] = '0';
        for (int i = 0; i < -exp10 - 1 && nf < 390; i++)
            fp[nf++] = '0';
        for (int i = 0; i < nd && nf < 399; i++)
            fp[nf++] = digits[i];
    }
    if (nf > 3) { /* round half-even at 3 fraction digits */
        bool up = fp[3] > '5';
        if (fp[3] == '5') {
            bool rest = false;
            for (int i = 4; i < nf; i++)
                rest = rest || fp[i] != '0';
            up = rest || ((fp[2] - '0') % 2 == 1);
        }
        nf = 3;
        for (int i = nf - 1; up && i >= 0; i--) {
            if (fp[i] == '9') {
                fp[i] = '0';
            } else {
                fp[i]++;
                up = false;
            }
        }
        for (int i = ni - 1; up && i >= 0; i--) {
            if (ip[i] == '9') {
                ip[i] = '0';
            } else {
                ip[i]++;
                up = false;
            }
        }
        if (up) {
            memmove(ip + 1, ip, (size_t)ni++);
            ip[0] = '1';
        }
    }
    while (nf > 0 && fp[nf - 1] == '0')
        nf--;
    struct buf b = BUF_INIT;
    if (signbit(v))
        buf_putc(&b, '-');
    for (int i = 0; i < ni; i++) {
        if (i > 0 && (ni - i) % 3 == 0)
            buf_putc(&b, ',');
        buf_putc(&b, ip[i]);
    }
    if (nf) {
        buf_putc(&b, '.');
        buf_put(&b, fp, (size_t)nf);
    }
    char *r = arena_strdup(a, b.p);
    buf_free(&b);
    return r;
}

/*
 * Reads a double member: a JSON number, or the strings "NaN" / "Infinity" / "-Infinity"
 * that JSON/CBOR decoders may hand over for non-finite values. 0 ok, -1 not a number.
 */
static int num_get(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    const char *s = json_string_value(v);
    if (str_eq(s, "NaN"))
        *out = NAN;
    else if (str_eq(s, "Infinity"))
        *out = INFINITY;
    else if (str_eq(s, "-Infinity"))
        *out = -INFINITY;
    else
        return -1;
    return 0;
}

/* Values must be 0 or within 2^-360 .. 2^360 in magnitude, finite [doc, obs]. */
static bool value_ok(double v)
{
    if (!isfinite(v))
        return false;
    double m = fabs(v);
    return m == 0 || (m >= ldexp(1.0, -360) && m <= ldexp(1.0, 360));
}

/* Reads and checks a datapoint value member; fails c with the AWS message [obs]. */
static int value_get(struct call *c, const json_t *j, const char *param, double *out)
{
    if (num_get(j, out))
        return call_fail(c, 400, "InvalidParameterValue",
                         "The value %s for parameter %s is invalid.", /* inferred for non-numbers */
                         json_string_value(j) ? json_string_value(j) : "", param);
    if (!value_ok(*out))
        return call_fail(c, 400, "InvalidParameterValue",
                         "The value %s for parameter %s is invalid.", fmt_value(c->a, *out), param);
    return 0;
}

static int missing(struct call *c, const char *param)
{
    return call_fail(c, 400, "MissingParameter", "The parameter %s is required.", /* inferred */
                     param);
}

/* ================================================================ PutMetricData */

struct datum {
    struct cw_metric m;
    struct cw_point p;
    bool has_point;
};

/*
 * Validates one MetricDatum (param = "MetricData.member.N") into *d. Rules and messages:
 * Value with Values or StatisticValues: InvalidParameterCombination "... are mutually
 * exclusive and you have specified both." [snap]; Values with StatisticValues is accepted
 * [snap] (the set gives the statistics, the values the distribution, inferred); none of
 * them: "At least one of the parameters ... must be specified." [obs]; Values/Counts of
 * different sizes: InvalidParameterValue [snap]; repeated dimension name [obs]; timestamp
 * older than two weeks [obs] or more than two hours ahead [doc; message inferred].
 */
static int datum_parse(struct call *c, const json_t *j, const char *param, const char *ns,
                       struct datum *d)
{
    struct arena *a = c->a;
    memset(d, 0, sizeof(*d));
    d->m.account = c->account;
    d->m.region = c->region;
    d->m.ns = ns;
    d->m.name = json_string_value(json_object_get(j, CW_M_MetricDatum_MetricName));
    if (!d->m.name || !*d->m.name)
        return missing(c, arena_printf(a, "%s.MetricName", param));

    const json_t *dims = json_object_get(j, CW_M_MetricDatum_Dimensions);
    if (json_array_size(dims) > CW_MAX_DIMENSIONS)
        return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                         "The collection %s.Dimensions must not contain more than %d items.", param,
                         CW_MAX_DIMENSIONS);
    struct cw_dim *dv;
    const char *dup;
    if (cw_dims_from_json(a, dims, &dv, &d->m.ndims, &dup)) {
        if (dup)
            return call_fail(c, 400, "InvalidParameterValue",
                             "No metric may specify the same dimension name twice.");
        return missing(c, arena_printf(a, "%s.Dimensions.member.N.Name", param));
    }
    d->m.dims = dv;

    const json_t *jv = json_object_get(j, CW_M_MetricDatum_Value);
    const json_t *jvals = json_object_get(j, CW_M_MetricDatum_Values);
    const json_t *jcnts = json_object_get(j, CW_M_MetricDatum_Counts);
    const json_t *jset = json_object_get(j, CW_M_MetricDatum_StatisticValues);
    bool has_vals = json_array_size(jvals) > 0, has_set = json_is_object(jset);
    if (jv && has_vals)
        return call_fail(c, 400, "InvalidParameterCombination",
                         "The parameters %s.Value and %s.Values are mutually exclusive and you "
                         "have specified both.",
                         param, param);
    if (jv && has_set)
        return call_fail(c, 400, "InvalidParameterCombination",
                         "The parameters %s.Value and %s.StatisticValues are mutually exclusive "
                         "and you have specified both.",
                         param, param);
    if (!jv && !has_vals && !has_set)
        return call_fail(c, 400, "InvalidParameterCombination",
                         "At least one of the parameters %s.Value and %s.StatisticValues must "
                         "be specified.",
                         param, param);

    struct cw_point *p = &d->p;
    p->unit = json_string_value(json_object_get(j, CW_M_MetricDatum_Unit));
    if (!p->unit)
        p->unit = "None";
    p->ts_ms = c->now_ms;
    const json_t *jts = json_object_get(j, CW_M_MetricDatum_Timestamp);
    if (jts) {
        if (!json_is_number(jts) || fabs(json_number_value(jts)) > TIME_LIMIT_MS)
            return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                             "The parameter %s.Timestamp is invalid.", param);
        p->ts_ms = json_is_integer(jts) ? (int64_t)json_integer_value(jts)
                                        : (int64_t)floor(json_number_value(jts));
        if (p->ts_ms < c->now_ms - 14 * DAY_MS)
            return call_fail(c, 400, "InvalidParameterValue",
                             "The parameter %s.Timestamp must specify a time within the past "
                             "two weeks.",
                             param);
        if (p->ts_ms > c->now_ms + 2 * HOUR_MS)
            return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                             "The parameter %s.Timestamp must specify a time no more than two "
                             "hours in the future.",
                             param);
    }
    p->resolution = 60;
    const json_t *jres = json_object_get(j, CW_M_MetricDatum_StorageResolution);
    if (jres) {
        json_int_t r = json_integer_value(jres);
        if (!json_is_integer(jres) || (r != 1 && r != 60))
            return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                             "The value %s for parameter %s.StorageResolution is invalid.",
                             json_is_integer(jres) ? arena_printf(a, "%lld", (long long)r) : "",
                             param);
        p->resolution = (int)r;
    }

    if (jv) {
        double v;
        if (value_get(c, jv, arena_printf(a, "%s.Value", param), &v))
            return -1;
        p->count = 1;
        p->sum = p->min = p->max = v;
        d->has_point = true;
    }
    if (has_vals) {
        size_t n = json_array_size(jvals);
        if (n > 150)
            return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                             "The collection %s.Values must not contain more than 150 items.",
                             param);
        if (json_array_size(jcnts) > 0 && json_array_size(jcnts) != n)
            return call_fail(c, 400, "InvalidParameterValue",
                             "The parameters %s.Values and %s.Counts must be of the same size.",
                             param, param);
        struct cw_vc *vc = arena_alloc(a, n * sizeof(*vc));
        size_t nvc = 0;
        double count = 0, sum = 0, mn = 0, mx = 0;
        for (size_t i = 0; i < n; i++) {
            double v, cnt = 1;
            if (value_get(c, json_array_get(jvals, i),
                          arena_printf(a, "%s.Values.member.%zu", param, i + 1), &v))
                return -1;
            if (json_array_size(jcnts) > 0) {
                const char *cp = arena_printf(a, "%s.Counts.member.%zu", param, i + 1);
                if (value_get(c, json_array_get(jcnts, i), cp, &cnt))
                    return -1;
                if (cnt < 0)
                    return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                                     "The value %s for parameter %s is invalid.", fmt_value(a, cnt),
                                     cp);
            }
            if (cnt <= 0)
                continue;
            if (nvc == 0 || v < mn)
                mn = v;
            if (nvc == 0 || v > mx)
                mx = v;
            vc[nvc++] = (struct cw_vc){v, cnt};
            count += cnt;
            sum += v * cnt;
        }
        p->vc = vc;
        p->nvc = nvc;
        if (!has_set && nvc > 0) {
            p->count = count;
            p->sum = sum;
            p->min = mn;
            p->max = mx;
            d->has_point = true;
        }
    }
    if (has_set) {
        static const char *const fields[] = {"SampleCount", "Sum", "Minimum", "Maximum"};
        double f[4];
        for (int i = 0; i < 4; i++) {
            const char *fp = arena_printf(a, "%s.StatisticValues.%s", param, fields[i]);
            const json_t *jf = json_object_get(jset, fields[i]);
            if (!jf)
                return missing(c, fp);
            if (value_get(c, jf, fp, &f[i]))
                return -1;
        }
        p->count = f[0];
        p->sum = f[1];
        p->min = f[2];
        p->max = f[3];
        d->has_point = true;
    }
    return 0;
}

/*
 * PutMetricData: Namespace (not AWS/ [obs]), MetricData (<= 1000, [doc]). The MetricData
 * of EntityMetricData entries are stored too; the entities themselves and
 * StrictEntityValidation are ignored. Every datum is validated before anything is stored.
 */
int cw_put_metric_data(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *ns = json_string_value(json_object_get(in, CW_M_PutMetricDataInput_Namespace));
    if (!ns)
        return missing(c, "Namespace");
    if (str_startswith(ns, "AWS/"))
        return call_fail(c, 400, "InvalidParameterValue",
                         "The value AWS/ for parameter Namespace is invalid.");

    /* gather (datum json, parameter name) from MetricData and EntityMetricData */
    const json_t *md = json_object_get(in, CW_M_PutMetricDataInput_MetricData);
    const json_t *emd = json_object_get(in, CW_M_PutMetricDataInput_EntityMetricData);
    size_t total = json_array_size(md), i, k;
    const json_t *e;
    for (i = 0; (e = json_array_get(emd, i)) != NULL; i++)
        total += json_array_size(json_object_get(e, CW_M_EntityMetricData_MetricData));
    if (total == 0)
        return missing(c, "MetricData");
    if (total > 1000)
        return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                         "The collection MetricData must not contain more than 1000 items.");

    struct datum *d = arena_alloc(c->a, total * sizeof(*d));
    size_t n = 0;
    for (i = 0; (e = json_array_get(md, i)) != NULL; i++) {
        if (datum_parse(c, e, arena_printf(c->a, "MetricData.member.%zu", i + 1), ns, &d[n++]))
            return -1;
    }
    for (k = 0; (e = json_array_get(emd, k)) != NULL; k++) {
        const json_t *ed;
        for (i = 0;
             (ed = json_array_get(json_object_get(e, CW_M_EntityMetricData_MetricData), i)) != NULL;
             i++) {
            const char *param = arena_printf(
                c->a, "EntityMetricData.member.%zu.MetricData.member.%zu", k + 1, i + 1);
            if (datum_parse(c, ed, param, ns, &d[n++]))
                return -1;
        }
    }
    for (i = 0; i < n; i++) {
        if (cw_put_point(c->st, &d[i].m, d[i].has_point ? &d[i].p : NULL, c->now_ms))
            return cw_internal(c);
    }
    return 0;
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
            db_fail(c->st, "list metrics");
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
        return missing(c, "Namespace");
    if (!m.name)
        return missing(c, "MetricName");
    if (!json_is_integer(jstart))
        return missing(c, "StartTime");
    if (!json_is_integer(jend))
        return missing(c, "EndTime");
    if (!json_is_integer(jperiod))
        return missing(c, "Period");
    int64_t start = json_integer_value(jstart), end = json_integer_value(jend);
    int64_t period = json_integer_value(jperiod);
    if (start < -TIME_LIMIT_MS || start > TIME_LIMIT_MS)
        return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                         "The parameter StartTime is invalid.");
    if (end < -TIME_LIMIT_MS || end > TIME_LIMIT_MS)
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
        return missing(c, "Dimensions.member.N.Name");
    }
    m.dims = dims;
    const char *unit = json_string_value(json_object_get(in, CW_M_GetMetricStatisticsInput_Unit));

    out_str(o, "Label", m.name);
    out_begin(o, "Datapoints");
    int64_t age = c->now_ms - start;
    bool too_fine = (age > 63 * DAY_MS && period % 3600) || (age > 15 * DAY_MS && period % 300) ||
                    (age > 3 * HOUR_MS && period % 60);
    if (!too_fine) {
        int64_t astart = cw_align_start(start, period, c->now_ms);
        struct cw_points pts = {.a = c->a};
        /* standard-resolution data counts at its minute: fetch from the minute before */
        if (cw_fetch(c->st, &m, floor_to(astart, 60000), end, unit, c->now_ms, &pts))
            return cw_internal(c);
        struct slot *sl = arena_alloc(c->a, (pts.n ? pts.n : 1) * sizeof(*sl));
        size_t ns = 0;
        for (i = 0; i < pts.n; i++) {
            int64_t ts = pts.v[i].ts_ms;
            if (pts.v[i].resolution != 1)
                ts = floor_to(ts, 60000);
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
            for (size_t s = 0; s < ARRAY_LEN(basic_stats); s++) {
                bool want = false;
                for (i = 0; (e = json_array_get(stats, i)) != NULL; i++)
                    want = want || str_eq(json_string_value(e), basic_stats[s]);
                if (want && cw_agg_stat(&g, basic_stats[s], &v) == 0)
                    out_double(o, basic_stats[s], v);
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
