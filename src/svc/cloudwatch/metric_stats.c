/*
 * metric_stats.c — statistics over datapoints (cw.h): aggregates per period and unit, the
 * basic and percentile statistics, and the period rules and alignment of
 * GetMetricStatistics, shared by the API and the alarm engine.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svc/cloudwatch/cw.h"

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

const char *const cw_basic_stats[5] = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"};

bool cw_stat_is_basic(const char *stat)
{
    for (size_t i = 0; i < ARRAY_LEN(cw_basic_stats); i++)
        if (str_eq(stat, cw_basic_stats[i]))
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

int64_t cw_floor_to(int64_t t, int64_t unit)
{
    int64_t r = t % unit;
    return r < 0 ? t - r - unit : t - r;
}

int64_t cw_align_start(int64_t start_ms, int64_t period_s, int64_t now_ms)
{
    if (period_s < 60)
        return cw_floor_to(start_ms, period_s * 1000);
    int64_t age = now_ms - start_ms;
    if (age < 15 * CW_DAY_MS)
        return cw_floor_to(start_ms, 60 * 1000);
    if (age <= 63 * CW_DAY_MS)
        return cw_floor_to(start_ms, 300 * 1000);
    return cw_floor_to(start_ms, CW_HOUR_MS);
}
