/*
 * metric_data.c — GetMetricData and the metric-math evaluator shared with math alarms.
 *
 * A MetricStat query is computed as GetMetricStatistics would: periods from StartTime
 * aligned by cw_align_start, datapoints from cw_fetch (standard resolution counted at its
 * minute), the statistic by cw_agg_stat; periods without data are absent.
 * Expressions (subset of metric math [doc: using-metric-math]): numbers, query ids,
 * + - * / with the usual precedence, unary minus, parentheses, [a, b] arrays, and the
 * functions SUM, AVG, MIN, MAX (of an array: a series per timestamp; of one series: a
 * scalar [doc]) and METRICS() (every MetricStat query of the request). Arithmetic between
 * two series keeps the timestamps present in both; a scalar result is spread over the
 * request's periods; a division by zero drops the point (all inferred).
 * Output: one MetricDataResult per query with ReturnData (default true), Timestamps
 * newest first unless ScanBy is TimestampAscending, at most MaxDatapoints values per page
 * (StatusCode PartialData for a result that continues on the next page), NextToken.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/cw_eval.h"
#include "svc/svc.h"
#include "wire/wire.h"
#include "svc/cloudwatch/ops.h"
#include "wire/models/cloudwatch_members.h"

#define MD_MAX_QUERIES 500       /* per call [doc] */
#define MD_MAX_DATAPOINTS 100800 /* default MaxDatapoints [doc] */
#define MD_MAX_DEPTH 64

/* ================================================================ values */

struct series {
    size_t n;
    int64_t *ts; /* ascending */
    double *v;
};

enum vkind { VK_SCALAR, VK_SERIES, VK_ARRAY };

struct value {
    enum vkind kind;
    double scalar;
    struct series s;
    struct series *arr; /* VK_ARRAY */
    size_t narr;
};

struct query {
    const char *id;
    const json_t *q;
    const char *expr; /* NULL for MetricStat */
    int state;        /* 0 new, 1 computing, 2 done */
    struct value val;
    int64_t period_s;
};

struct env {
    struct store *st;
    struct arena *a;
    const char *account, *region;
    int64_t start, end, now; /* requested range (ms) */
    int64_t grid_period_s;   /* for spreading scalars */
    bool fixed_grid;         /* alarms: periods start exactly at start */
    struct query *qs;
    size_t nq;
    const char *err; /* first error (arena) */
};

static int64_t floor_ms(int64_t t, int64_t unit)
{
    int64_t r = t % unit;
    return r < 0 ? t - r - unit : t - r;
}

static void series_alloc(struct arena *a, struct series *s, size_t n)
{
    s->n = 0;
    s->ts = arena_alloc(a, (n ? n : 1) * sizeof(*s->ts));
    s->v = arena_alloc(a, (n ? n : 1) * sizeof(*s->v));
}

/* The MetricStat series of a query over [start, end). */
static int metric_stat_series(struct env *e, const json_t *ms, struct series *out)
{
    const json_t *metric = json_object_get(ms, CW_M_MetricStat_Metric);
    struct cw_metric m = {.account = e->account, .region = e->region};
    m.ns = json_string_value(json_object_get(metric, CW_M_Metric_Namespace));
    m.name = json_string_value(json_object_get(metric, CW_M_Metric_MetricName));
    const char *stat = json_string_value(json_object_get(ms, CW_M_MetricStat_Stat));
    const char *unit = json_string_value(json_object_get(ms, CW_M_MetricStat_Unit));
    int64_t period = json_integer_value(json_object_get(ms, CW_M_MetricStat_Period));
    struct cw_dim *dims;
    if (!m.ns || !m.name || !stat || period <= 0 ||
        cw_dims_from_json(e->a, json_object_get(metric, CW_M_Metric_Dimensions), &dims, &m.ndims,
                          NULL))
        return -1;
    m.dims = dims;
    int64_t pms = period * 1000;
    int64_t start = e->fixed_grid ? e->start : cw_align_start(e->start, period, e->now);
    int64_t end = e->end;
    size_t nb = end > start ? (size_t)((end - start + pms - 1) / pms) : 0;
    series_alloc(e->a, out, nb);
    if (nb == 0)
        return 0;
    struct cw_points pts = {.a = e->a};
    if (cw_fetch(e->st, &m, floor_ms(start, 60000), end, unit, e->now, &pts))
        return -1;
    struct cw_agg *g = arena_zalloc(e->a, nb * sizeof(*g));
    for (size_t i = 0; i < pts.n; i++) {
        int64_t ts = pts.v[i].ts_ms;
        if (pts.v[i].resolution != 1)
            ts = floor_ms(ts, 60000);
        if (ts < start || ts >= end)
            continue;
        struct cw_agg *b = &g[(ts - start) / pms];
        b->a = e->a;
        cw_agg_add(b, &pts.v[i]);
    }
    for (size_t k = 0; k < nb; k++) {
        double v;
        if (g[k].npoints == 0 || cw_agg_stat(&g[k], stat, &v))
            continue;
        out->ts[out->n] = start + (int64_t)k * pms;
        out->v[out->n] = v;
        out->n++;
    }
    return 0;
}

/* ================================================================ arithmetic */

static bool apply_op(char op, double x, double y, double *r)
{
    switch (op) {
    case '+':
        *r = x + y;
        return true;
    case '-':
        *r = x - y;
        return true;
    case '*':
        *r = x * y;
        return true;
    default:
        if (y == 0)
            return false;
        *r = x / y;
        return true;
    }
}

static void series_op(struct arena *a, char op, const struct series *x, const struct series *y,
                      struct series *out)
{
    series_alloc(a, out, x->n < y->n ? x->n : y->n);
    size_t i = 0, j = 0;
    while (i < x->n && j < y->n) {
        if (x->ts[i] < y->ts[j]) {
            i++;
        } else if (x->ts[i] > y->ts[j]) {
            j++;
        } else {
            double r;
            if (apply_op(op, x->v[i], y->v[j], &r)) {
                out->ts[out->n] = x->ts[i];
                out->v[out->n++] = r;
            }
            i++;
            j++;
        }
    }
}

static void series_scalar(struct arena *a, char op, const struct series *x, double s,
                          bool scalar_left, struct series *out)
{
    series_alloc(a, out, x->n);
    for (size_t i = 0; i < x->n; i++) {
        double r;
        bool ok = scalar_left ? apply_op(op, s, x->v[i], &r) : apply_op(op, x->v[i], s, &r);
        if (ok) {
            out->ts[out->n] = x->ts[i];
            out->v[out->n++] = r;
        }
    }
}

static int binop(struct env *e, char op, const struct value *x, const struct value *y,
                 struct value *out)
{
    memset(out, 0, sizeof(*out));
    if (x->kind == VK_SCALAR && y->kind == VK_SCALAR) {
        out->kind = VK_SCALAR;
        if (!apply_op(op, x->scalar, y->scalar, &out->scalar))
            out->scalar = NAN;
        return 0;
    }
    if (x->kind == VK_ARRAY || y->kind == VK_ARRAY) {
        const struct value *arr = x->kind == VK_ARRAY ? x : y;
        const struct value *oth = x->kind == VK_ARRAY ? y : x;
        if (oth->kind == VK_ARRAY)
            return -1;
        out->kind = VK_ARRAY;
        out->narr = arr->narr;
        out->arr = arena_alloc(e->a, (arr->narr ? arr->narr : 1) * sizeof(*out->arr));
        for (size_t i = 0; i < arr->narr; i++) {
            struct value one = {.kind = VK_SERIES, .s = arr->arr[i]}, r;
            if (binop(e, op, arr == x ? &one : oth, arr == x ? oth : &one, &r))
                return -1;
            out->arr[i] = r.s;
        }
        return 0;
    }
    out->kind = VK_SERIES;
    if (x->kind == VK_SERIES && y->kind == VK_SERIES)
        series_op(e->a, op, &x->s, &y->s, &out->s);
    else if (x->kind == VK_SERIES)
        series_scalar(e->a, op, &x->s, y->scalar, false, &out->s);
    else
        series_scalar(e->a, op, &y->s, x->scalar, true, &out->s);
    return 0;
}

enum agg { AG_SUM, AG_AVG, AG_MIN, AG_MAX };

static double agg_vals(enum agg g, const double *v, size_t n)
{
    double r = g == AG_SUM || g == AG_AVG ? 0 : v[0];
    for (size_t i = 0; i < n; i++) {
        if (g == AG_SUM || g == AG_AVG)
            r += v[i];
        else if (g == AG_MIN ? v[i] < r : v[i] > r)
            r = v[i];
    }
    return g == AG_AVG ? r / (double)n : r;
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int aggregate(struct env *e, enum agg g, const struct value *in, struct value *out)
{
    memset(out, 0, sizeof(*out));
    if (in->kind == VK_SCALAR) {
        *out = *in;
        return 0;
    }
    if (in->kind == VK_SERIES) { /* a scalar over the series' points [doc] */
        out->kind = VK_SCALAR;
        out->scalar = in->s.n ? agg_vals(g, in->s.v, in->s.n) : NAN;
        return 0;
    }
    /* an array: per timestamp over the series that have it */
    size_t total = 0;
    for (size_t i = 0; i < in->narr; i++)
        total += in->arr[i].n;
    int64_t *all = arena_alloc(e->a, (total ? total : 1) * sizeof(*all));
    size_t k = 0;
    for (size_t i = 0; i < in->narr; i++)
        for (size_t j = 0; j < in->arr[i].n; j++)
            all[k++] = in->arr[i].ts[j];
    qsort(all, total, sizeof(*all), i64_cmp);
    out->kind = VK_SERIES;
    series_alloc(e->a, &out->s, total);
    double *vals = arena_alloc(e->a, (in->narr ? in->narr : 1) * sizeof(*vals));
    for (size_t i = 0; i < total; i++) {
        if (i > 0 && all[i] == all[i - 1])
            continue;
        size_t nv = 0;
        for (size_t s = 0; s < in->narr; s++) {
            const struct series *x = &in->arr[s];
            /* binary search for the timestamp */
            size_t lo = 0, hi = x->n;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (x->ts[mid] < all[i])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < x->n && x->ts[lo] == all[i])
                vals[nv++] = x->v[lo];
        }
        if (nv) {
            out->s.ts[out->s.n] = all[i];
            out->s.v[out->s.n++] = agg_vals(g, vals, nv);
        }
    }
    return 0;
}

/* ================================================================ expressions */

struct parser {
    struct env *e;
    const char *p;
    int depth;
};

static int query_value(struct env *e, size_t i, int depth);

static int fail(struct parser *ps, const char *msg)
{
    if (!ps->e->err)
        ps->e->err = msg;
    return -1;
}

static void skip_ws(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static int parse_expr(struct parser *ps, struct value *out);

static int add_series(struct env *e, struct value *arr, const struct value *v)
{
    if (v->kind == VK_SCALAR)
        return -1;
    size_t add = v->kind == VK_SERIES ? 1 : v->narr;
    struct series *n = arena_alloc(e->a, (arr->narr + add + 1) * sizeof(*n));
    if (arr->narr)
        memcpy(n, arr->arr, arr->narr * sizeof(*n));
    if (v->kind == VK_SERIES)
        n[arr->narr] = v->s;
    else
        memcpy(n + arr->narr, v->arr, v->narr * sizeof(*n));
    arr->arr = n;
    arr->narr += add;
    return 0;
}

static int parse_primary(struct parser *ps, struct value *out)
{
    struct env *e = ps->e;
    memset(out, 0, sizeof(*out));
    skip_ws(ps);
    if (++ps->depth > MD_MAX_DEPTH)
        return fail(ps, "The expression is too complex."); /* inferred */
    int rc = -1;
    const char *s = ps->p;
    if (*s == '(') {
        ps->p++;
        if (parse_expr(ps, out))
            goto out;
        skip_ws(ps);
        if (*ps->p != ')') {
            fail(ps, "Syntax error in the expression."); /* inferred */
            goto out;
        }
        ps->p++;
        rc = 0;
    } else if (*s == '[') {
        ps->p++;
        out->kind = VK_ARRAY;
        skip_ws(ps);
        while (*ps->p != ']') {
            struct value v;
            if (parse_expr(ps, &v))
                goto out;
            if (add_series(e, out, &v)) {
                fail(ps, "An array can only contain time series."); /* inferred */
                goto out;
            }
            skip_ws(ps);
            if (*ps->p == ',')
                ps->p++;
            else if (*ps->p != ']') {
                fail(ps, "Syntax error in the expression."); /* inferred */
                goto out;
            }
            skip_ws(ps);
        }
        ps->p++;
        rc = 0;
    } else if (isdigit((unsigned char)*s) || *s == '.') {
        char *end;
        out->kind = VK_SCALAR;
        out->scalar = strtod(s, &end);
        if (end == s) {
            fail(ps, "Syntax error in the expression."); /* inferred */
            goto out;
        }
        ps->p = end;
        rc = 0;
    } else if (isalpha((unsigned char)*s) || *s == '_') {
        while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
            ps->p++;
        char *name = arena_strndup(e->a, s, (size_t)(ps->p - s));
        skip_ws(ps);
        if (*ps->p == '(') { /* a function */
            ps->p++;
            skip_ws(ps);
            if (str_eq(name, "METRICS")) {
                if (*ps->p == '"' || *ps->p == '\'') { /* label filter: ignored (inferred) */
                    char q = *ps->p++;
                    while (*ps->p && *ps->p != q)
                        ps->p++;
                    if (*ps->p)
                        ps->p++;
                    skip_ws(ps);
                }
                if (*ps->p != ')') {
                    fail(ps, "Syntax error in the expression."); /* inferred */
                    goto out;
                }
                ps->p++;
                out->kind = VK_ARRAY;
                for (size_t i = 0; i < e->nq; i++) {
                    if (e->qs[i].expr)
                        continue;
                    if (query_value(e, i, ps->depth))
                        goto out;
                    add_series(e, out, &e->qs[i].val);
                }
                rc = 0;
                goto out;
            }
            enum agg g;
            if (str_eq(name, "SUM"))
                g = AG_SUM;
            else if (str_eq(name, "AVG"))
                g = AG_AVG;
            else if (str_eq(name, "MIN"))
                g = AG_MIN;
            else if (str_eq(name, "MAX"))
                g = AG_MAX;
            else {
                fail(ps, arena_printf(e->a, "Unsupported function %s in the expression.",
                                      name)); /* inferred */
                goto out;
            }
            struct value arg;
            if (parse_expr(ps, &arg))
                goto out;
            skip_ws(ps);
            if (*ps->p != ')') {
                fail(ps, "Syntax error in the expression."); /* inferred */
                goto out;
            }
            ps->p++;
            rc = aggregate(e, g, &arg, out);
            goto out;
        }
        for (size_t i = 0; i < e->nq; i++) {
            if (str_eq(e->qs[i].id, name)) {
                if (query_value(e, i, ps->depth))
                    goto out;
                *out = e->qs[i].val;
                rc = 0;
                goto out;
            }
        }
        fail(ps, arena_printf(e->a, "Unrecognized metric id %s in the expression.",
                              name)); /* inferred */
    } else {
        fail(ps, "Syntax error in the expression."); /* inferred */
    }
out:
    ps->depth--;
    return rc;
}

static int parse_unary(struct parser *ps, struct value *out)
{
    skip_ws(ps);
    if (*ps->p == '-') {
        ps->p++;
        struct value v, zero = {.kind = VK_SCALAR, .scalar = 0};
        if (parse_unary(ps, &v))
            return -1;
        return binop(ps->e, '-', &zero, &v, out);
    }
    return parse_primary(ps, out);
}

static int parse_term(struct parser *ps, struct value *out)
{
    if (parse_unary(ps, out))
        return -1;
    for (;;) {
        skip_ws(ps);
        char op = *ps->p;
        if (op != '*' && op != '/')
            return 0;
        ps->p++;
        struct value r, res;
        if (parse_unary(ps, &r))
            return -1;
        if (binop(ps->e, op, out, &r, &res))
            return fail(ps, "Invalid operands in the expression."); /* inferred */
        *out = res;
    }
}

static int parse_expr(struct parser *ps, struct value *out)
{
    if (parse_term(ps, out))
        return -1;
    for (;;) {
        skip_ws(ps);
        char op = *ps->p;
        if (op != '+' && op != '-')
            return 0;
        ps->p++;
        struct value r, res;
        if (parse_term(ps, &r))
            return -1;
        if (binop(ps->e, op, out, &r, &res))
            return fail(ps, "Invalid operands in the expression."); /* inferred */
        *out = res;
    }
}

static int query_value(struct env *e, size_t i, int depth)
{
    struct query *q = &e->qs[i];
    if (q->state == 2)
        return 0;
    if (q->state == 1) {
        if (!e->err)
            e->err =
                arena_printf(e->a, "Circular reference to metric id %s.", q->id); /* inferred */
        return -1;
    }
    q->state = 1;
    int rc;
    if (!q->expr) {
        q->val.kind = VK_SERIES;
        rc = metric_stat_series(e, json_object_get(q->q, CW_M_MetricDataQuery_MetricStat),
                                &q->val.s);
        if (rc && !e->err)
            e->err = arena_printf(e->a, "The metric %s could not be read.", q->id); /* inferred */
    } else {
        struct parser ps = {.e = e, .p = q->expr, .depth = depth};
        rc = parse_expr(&ps, &q->val);
        if (rc == 0) {
            skip_ws(&ps);
            if (*ps.p) {
                rc = -1;
                if (!e->err)
                    e->err = "Syntax error in the expression."; /* inferred */
            }
        }
    }
    q->state = rc ? 0 : 2;
    return rc;
}

/* Spreads a scalar over the periods of the request (the finest query period). */
static void spread_scalar(struct env *e, double v, struct series *out)
{
    int64_t pms = (e->grid_period_s > 0 ? e->grid_period_s : 60) * 1000;
    int64_t start = e->fixed_grid ? e->start : cw_align_start(e->start, pms / 1000, e->now);
    size_t nb = e->end > start ? (size_t)((e->end - start + pms - 1) / pms) : 0;
    series_alloc(e->a, out, nb);
    if (isnan(v))
        return;
    for (size_t k = 0; k < nb; k++) {
        out->ts[out->n] = start + (int64_t)k * pms;
        out->v[out->n++] = v;
    }
}

static bool returns_data(const json_t *q)
{
    return !json_is_false(json_object_get(q, CW_M_MetricDataQuery_ReturnData));
}

/* ================================================================ math alarms */

int cw_math_series(struct store *st, struct arena *a, const char *account, const char *region,
                   const json_t *queries, int64_t period_s, int64_t now_ms,
                   struct cw_eval_point *pts, size_t n)
{
    size_t nq = json_array_size(queries);
    if (nq == 0 || n == 0)
        return -1;
    struct env e = {.st = st,
                    .a = a,
                    .account = account,
                    .region = region,
                    .start = pts[0].ts_ms,
                    .end = pts[n - 1].ts_ms + period_s * 1000,
                    .now = now_ms,
                    .grid_period_s = period_s,
                    .fixed_grid = true};
    e.qs = arena_zalloc(a, nq * sizeof(*e.qs));
    e.nq = nq;
    size_t ret = nq;
    for (size_t i = 0; i < nq; i++) {
        const json_t *q = json_array_get(queries, i);
        e.qs[i].id = json_string_value(json_object_get(q, CW_M_MetricDataQuery_Id));
        e.qs[i].q = q;
        e.qs[i].expr = json_string_value(json_object_get(q, CW_M_MetricDataQuery_Expression));
        if (!e.qs[i].id)
            return -1;
        if (json_is_true(json_object_get(q, CW_M_MetricDataQuery_ReturnData)) ||
            (ret == nq && returns_data(q)))
            ret = i;
    }
    if (ret == nq || query_value(&e, ret, 0))
        return -1;
    struct series s;
    const struct value *v = &e.qs[ret].val;
    if (v->kind == VK_SCALAR)
        spread_scalar(&e, v->scalar, &s);
    else if (v->kind == VK_SERIES)
        s = v->s;
    else
        return -1;
    int64_t pms = period_s * 1000;
    for (size_t i = 0; i < s.n; i++) {
        if (s.ts[i] < e.start || s.ts[i] >= e.end || (s.ts[i] - e.start) % pms)
            continue;
        struct cw_eval_point *p = &pts[(s.ts[i] - e.start) / pms];
        p->present = true;
        p->value = s.v[i];
    }
    return 0;
}

/* ================================================================ GetMetricData */

static bool id_valid(const char *id)
{
    if (!id || !islower((unsigned char)id[0]))
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

/* NextToken: "<result index>.<point index>" of where the page starts (opaque to clients). */
static bool token_parse(const char *t, size_t *ri, size_t *pi)
{
    unsigned long long r, p;
    char tail;
    if (sscanf(t, "rl1.%llu.%llu%c", &r, &p, &tail) != 2)
        return false;
    *ri = (size_t)r;
    *pi = (size_t)p;
    return true;
}

int cw_get_metric_data(struct call *c, const json_t *in, struct out *o)
{
    const json_t *queries = json_object_get(in, CW_M_GetMetricDataInput_MetricDataQueries);
    const json_t *jstart = json_object_get(in, CW_M_GetMetricDataInput_StartTime);
    const json_t *jend = json_object_get(in, CW_M_GetMetricDataInput_EndTime);
    size_t nq = json_array_size(queries);
    if (!json_is_array(queries))
        return call_fail(c, 400, "MissingParameter",
                         "The parameter MetricDataQueries is required.");
    if (!json_is_integer(jstart))
        return call_fail(c, 400, "MissingParameter", "The parameter StartTime is required.");
    if (!json_is_integer(jend))
        return call_fail(c, 400, "MissingParameter", "The parameter EndTime is required.");
    int64_t start = json_integer_value(jstart), end = json_integer_value(jend);
    if (start >= end)
        return call_fail(c, 400, "ValidationError", /* inferred, as GetMetricStatistics */
                         "The parameter StartTime must be less than the parameter EndTime.");
    if (nq == 0)
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "The parameter MetricDataQueries must contain at least one query.");
    if (nq > MD_MAX_QUERIES)
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "The collection MetricDataQueries must not have a size greater than "
                         "500.");
    const char *scan = json_string_value(json_object_get(in, CW_M_GetMetricDataInput_ScanBy));
    bool ascending = str_eq(scan, "TimestampAscending");
    const json_t *jmax = json_object_get(in, CW_M_GetMetricDataInput_MaxDatapoints);
    int64_t maxdp = json_is_integer(jmax) ? json_integer_value(jmax) : MD_MAX_DATAPOINTS;
    if (maxdp < 1)
        return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                         "The parameter MaxDatapoints must be greater than 0.");
    const char *tz = json_string_value(json_object_get(
        json_object_get(in, CW_M_GetMetricDataInput_LabelOptions), CW_M_LabelOptions_Timezone));
    if (tz && !(strlen(tz) == 5 && (tz[0] == '+' || tz[0] == '-') &&
                isdigit((unsigned char)tz[1]) && isdigit((unsigned char)tz[2]) &&
                isdigit((unsigned char)tz[3]) && isdigit((unsigned char)tz[4])))
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "The parameter LabelOptions.Timezone is invalid.");

    struct env e = {.st = c->st,
                    .a = c->a,
                    .account = c->account,
                    .region = c->region,
                    .start = start,
                    .end = end,
                    .now = c->now_ms};
    e.qs = arena_zalloc(c->a, nq * sizeof(*e.qs));
    e.nq = nq;
    size_t nret = 0;
    for (size_t i = 0; i < nq; i++) {
        const json_t *q = json_array_get(queries, i);
        struct query *qq = &e.qs[i];
        qq->q = q;
        qq->id = json_string_value(json_object_get(q, CW_M_MetricDataQuery_Id));
        qq->expr = json_string_value(json_object_get(q, CW_M_MetricDataQuery_Expression));
        const json_t *ms = json_object_get(q, CW_M_MetricDataQuery_MetricStat);
        if (!id_valid(qq->id))
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "The value %s for parameter MetricDataQueries.member.%zu.Id is "
                             "invalid.",
                             qq->id ? qq->id : "", i + 1);
        for (size_t j = 0; j < i; j++)
            if (str_eq(e.qs[j].id, qq->id))
                return call_fail(c, 400, "ValidationError", /* inferred */
                                 "The values for parameter id in MetricDataQueries are not "
                                 "unique.");
        if (!!qq->expr == !!ms)
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "Exactly one element of the metrics list should have either "
                             "MetricStat or Expression (MetricDataQueries.member.%zu).",
                             i + 1);
        if (ms) {
            const json_t *metric = json_object_get(ms, CW_M_MetricStat_Metric);
            const char *stat = json_string_value(json_object_get(ms, CW_M_MetricStat_Stat));
            int64_t period = json_integer_value(json_object_get(ms, CW_M_MetricStat_Period));
            double pct;
            if (!json_string_value(json_object_get(metric, CW_M_Metric_Namespace)) ||
                !json_string_value(json_object_get(metric, CW_M_Metric_MetricName)))
                return call_fail(c, 400, "MissingParameter", /* inferred */
                                 "The parameter MetricDataQueries.member.%zu.MetricStat.Metric."
                                 "MetricName is required.",
                                 i + 1);
            if (!cw_period_valid(period))
                return call_fail(c, 400, "ValidationError", /* inferred */
                                 "The parameter MetricDataQueries.member.%zu.MetricStat.Period "
                                 "must be 1, 5, 10, 20, 30, or a multiple of 60.",
                                 i + 1);
            if (!cw_stat_is_basic(stat) && !cw_stat_percentile(stat, &pct))
                return call_fail(c, 400, "ValidationError", /* inferred */
                                 "The value %s for parameter MetricDataQueries.member.%zu."
                                 "MetricStat.Stat is invalid.",
                                 stat ? stat : "", i + 1);
            struct cw_dim *d;
            size_t nd;
            const char *dup;
            if (cw_dims_from_json(c->a, json_object_get(metric, CW_M_Metric_Dimensions), &d, &nd,
                                  &dup))
                return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                                 "No metric may specify the same dimension name twice.");
            qq->period_s = period;
            if (e.grid_period_s == 0 || period < e.grid_period_s)
                e.grid_period_s = period;
        }
        if (returns_data(q))
            nret++;
    }
    for (size_t i = 0; i < nq; i++) {
        const json_t *jp = json_object_get(e.qs[i].q, CW_M_MetricDataQuery_Period);
        if (e.qs[i].expr && json_is_integer(jp) && e.grid_period_s == 0)
            e.grid_period_s = json_integer_value(jp);
    }
    if (nret == 0)
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "No query in MetricDataQueries has ReturnData set to true.");
    size_t tok_r = 0, tok_p = 0;
    const char *token = json_string_value(json_object_get(in, CW_M_GetMetricDataInput_NextToken));
    if (token && !token_parse(token, &tok_r, &tok_p))
        return call_fail(c, 400, "InvalidNextToken",
                         "The service couldn't process the "
                         "NextToken."); /* inferred */

    /* compute every returned query */
    struct series *res = arena_zalloc(c->a, nq * sizeof(*res));
    for (size_t i = 0; i < nq; i++) {
        if (!returns_data(e.qs[i].q))
            continue;
        if (query_value(&e, i, 0))
            return call_fail(c, 400, "ValidationError", "%s",
                             e.err ? e.err : "Error in the expression."); /* inferred */
        const struct value *v = &e.qs[i].val;
        if (v->kind == VK_SCALAR)
            spread_scalar(&e, v->scalar, &res[i]);
        else if (v->kind == VK_SERIES)
            res[i] = v->s;
        else
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "The expression for id %s must return a single time series.",
                             e.qs[i].id);
    }

    /* write the page */
    out_begin(o, "MetricDataResults");
    int64_t budget = maxdp;
    size_t next_r = 0, next_p = 0;
    bool more = false;
    for (size_t i = 0, ri = 0; i < nq; i++) {
        if (!returns_data(e.qs[i].q))
            continue;
        size_t my = ri++;
        if (my < tok_r)
            continue;
        size_t from = my == tok_r ? tok_p : 0;
        if (budget <= 0) {
            if (!more) {
                more = true;
                next_r = my;
                next_p = from;
            }
            continue;
        }
        const struct series *s = &res[i];
        if (from > s->n)
            from = s->n;
        size_t avail = s->n - from;
        size_t take = (int64_t)avail > budget ? (size_t)budget : avail;
        budget -= (int64_t)take;
        out_begin(o, NULL);
        out_str(o, "Id", e.qs[i].id);
        const char *label =
            json_string_value(json_object_get(e.qs[i].q, CW_M_MetricDataQuery_Label));
        if (!label)
            label = e.qs[i].expr
                        ? e.qs[i].id /* inferred */
                        : json_string_value(json_object_get(
                              json_object_get(
                                  json_object_get(e.qs[i].q, CW_M_MetricDataQuery_MetricStat),
                                  CW_M_MetricStat_Metric),
                              CW_M_Metric_MetricName));
        out_str(o, "Label", label);
        out_begin(o, "Timestamps");
        for (size_t k = 0; k < take; k++) {
            size_t idx = ascending ? from + k : s->n - 1 - (from + k);
            out_time(o, NULL, s->ts[idx]);
        }
        out_end(o);
        out_begin(o, "Values");
        for (size_t k = 0; k < take; k++) {
            size_t idx = ascending ? from + k : s->n - 1 - (from + k);
            out_double(o, NULL, s->v[idx]);
        }
        out_end(o);
        bool partial = take < avail;
        out_str(o, "StatusCode", partial ? "PartialData" : "Complete");
        out_end(o);
        if (partial && !more) {
            more = true;
            next_r = my;
            next_p = from + take;
        }
    }
    out_end(o);
    if (more)
        out_str(o, "NextToken", arena_printf(c->a, "rl1.%zu.%zu", next_r, next_p));
    return 0;
}
