/*
 * alarm_reason.c — StateReason and StateReasonData of evaluation-driven state changes, in
 * AWS's formats (aws-behaviour §2.4, §2.5):
 *   Threshold Crossed: 2 datapoints [1.0 (29/01/21 05:16:00), 1.0 (29/01/21 05:15:00)] were
 *     greater than the threshold (0.0).                                  (newest first)
 *   Threshold Crossed: 3 out of the last 3 datapoints [...] were greater than or equal to the
 *     threshold (7.0) (minimum 3 datapoints for OK -> ALARM transition).  (DatapointsToAlarm set)
 *   Insufficient Data: 1 datapoint was unknown.
 *   Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were
 *     treated as [Breaching].
 * Values are printed as Java's Double.toString, dates DD/MM/YY HH:MM:SS (UTC).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "svc/cloudwatch/cw_eval.h"

/* Shortest decimal digits that read back as v (v > 0, finite): digits and exponent e such
 * that v = 0.d1d2... * 10^(e+1), i.e. d1.d2... * 10^e. */
static int shortest_digits(double v, char digits[24], int *exp10)
{
    char e[48];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    int nd = 0;
    for (const char *p = e; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    *exp10 = (int)strtol(strchr(e, 'e') + 1, NULL, 10);
    return nd;
}

void cw_java_double(double v, char out[40])
{
    if (isnan(v)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    char *o = out;
    if (signbit(v))
        *o++ = '-';
    double x = fabs(v);
    if (x == 0) {
        strcpy(o, "0.0");
        return;
    }
    char d[24];
    int e;
    int nd = shortest_digits(x, d, &e);
    if (x >= 1e-3 && x < 1e7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                *o++ = i < nd ? d[i] : '0';
            *o++ = '.';
            if (nd > e + 1) {
                for (int i = e + 1; i < nd; i++)
                    *o++ = d[i];
            } else {
                *o++ = '0';
            }
        } else {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -e - 1; i++)
                *o++ = '0';
            for (int i = 0; i < nd; i++)
                *o++ = d[i];
        }
        *o = '\0';
        return;
    }
    *o++ = d[0];
    *o++ = '.';
    if (nd > 1) {
        for (int i = 1; i < nd; i++)
            *o++ = d[i];
    } else {
        *o++ = '0';
    }
    sprintf(o, "E%d", e);
}

void cw_reason_date(int64_t ms, char out[24])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 24, "%02u/%02u/%02u %02u:%02u:%02u", (unsigned)tm.tm_mday % 100,
             (unsigned)(tm.tm_mon + 1) % 100, (unsigned)tm.tm_year % 100,
             (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100);
}

void cw_reason_iso(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)t * 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03u+0000",
             (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)(tm.tm_mon + 1) % 100,
             (unsigned)tm.tm_mday % 100, (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
             (unsigned)tm.tm_sec % 100, (unsigned)frac % 1000);
}

static const char *op_phrase(const char *op)
{
    if (str_eq(op, "GreaterThanThreshold"))
        return "greater than";
    if (str_eq(op, "GreaterThanOrEqualToThreshold"))
        return "greater than or equal to";
    if (str_eq(op, "LessThanThreshold"))
        return "less than";
    if (str_eq(op, "LessThanOrEqualToThreshold"))
        return "less than or equal to";
    return "outside the band of"; /* inferred: anomaly-detection operators */
}

/* "v (DD/MM/YY HH:MM:SS), ..." of the listed points, newest first. */
static void put_points(struct buf *b, const struct cw_eval_point *pts, const size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char v[40], d[24];
        cw_java_double(pts[idx[i]].value, v);
        cw_reason_date(pts[idx[i]].ts_ms, d);
        buf_printf(b, "%s%s (%s)", i ? ", " : "", v, d);
    }
}

char *cw_reason_text(struct arena *a, const struct cw_eval_cfg *cfg,
                     const struct cw_eval_point *pts, size_t nr, const struct cw_eval_result *r)
{
    (void)nr;
    struct buf b = BUF_INIT;
    char th[40];
    cw_java_double(cfg->threshold, th);
    if (r->kind == CW_REASON_INSUFFICIENT) {
        int n = cfg->n;
        buf_printf(&b, "Insufficient Data: %d datapoint%s unknown.", n, n == 1 ? " was" : "s were");
    } else if (r->kind == CW_REASON_FILLED) {
        bool breach = str_eq(cfg->treat, "breaching");
        buf_printf(&b,
                   "Threshold Crossed: no datapoints were received for %d period%s and %d "
                   "missing datapoint%s treated as [%s].",
                   r->nfilled, r->nfilled == 1 ? "" : "s", r->nfilled,
                   r->nfilled == 1 ? " was" : "s were", breach ? "Breaching" : "NonBreaching");
    } else {
        bool alarm = str_eq(r->state, CW_ALARM);
        const char *phrase = op_phrase(cfg->op);
        if (cfg->m_set) {
            /* the points that voted for the new state */
            size_t *sel = arena_alloc(a, (r->nused + 1) * sizeof(*sel)), ns = 0;
            for (size_t i = 0; i < r->nused; i++) {
                bool br = cw_eval_breaching(cfg->op, pts[r->used[i]].value, cfg->threshold);
                if (br == alarm)
                    sel[ns++] = r->used[i];
            }
            int min = alarm ? cfg->m : cfg->n - cfg->m + 1;
            buf_printf(&b, "Threshold Crossed: %zu out of the last %zu datapoints [", ns, r->nused);
            put_points(&b, pts, sel, ns);
            buf_printf(&b,
                       "] %s %s%s the threshold (%s) (minimum %d datapoint%s for %s "
                       "transition).",
                       ns == 1 ? "was" : "were", alarm ? "" : "not ", phrase, th, min,
                       min == 1 ? "" : "s", alarm ? "OK -> ALARM" : "ALARM -> OK");
        } else {
            buf_printf(&b, "Threshold Crossed: %zu datapoint%s [", r->nused,
                       r->nused == 1 ? "" : "s");
            put_points(&b, pts, r->used, r->nused);
            buf_printf(&b, "] %s %s%s the threshold (%s).", r->nused == 1 ? "was" : "were",
                       alarm ? "" : "not ", phrase, th);
        }
    }
    char *s = arena_strdup(a, b.p ? b.p : "");
    buf_free(&b);
    if (strlen(s) > 1023) /* StateReason max 1023 [model] */
        s[1023] = '\0';
    return s;
}

char *cw_reason_data(struct arena *a, const struct cw_eval_cfg *cfg,
                     const struct cw_eval_point *pts, size_t nr, const struct cw_eval_result *r,
                     int64_t query_ms)
{
    struct buf b = BUF_INIT;
    char t[32], v[40];
    cw_reason_iso(query_ms, t);
    buf_printf(&b, "{\"version\":\"1.0\",\"queryDate\":\"%s\"", t);
    if (r->nused > 0 || r->kind == CW_REASON_FILLED) {
        cw_reason_iso(pts[r->oldest_slot].ts_ms, t);
        buf_printf(&b, ",\"startDate\":\"%s\"", t);
    }
    if (cfg->unit)
        buf_printf(&b, ",\"unit\":\"%s\"", cfg->unit);
    if (cfg->stat)
        buf_printf(&b, ",\"%s\":\"%s\"", cfg->extended ? "extendedStatistic" : "statistic",
                   cfg->stat);
    if (cfg->stat)
        buf_printf(&b, ",\"period\":%lld", (long long)cfg->period_s);
    /* StateReasonData holds at most 4000 characters [model]: the newest 100 values at most,
     * and evaluated datapoints while room remains (inferred) */
    buf_puts(&b, ",\"recentDatapoints\":[");
    size_t nrecent = r->nused > 100 ? 100 : r->nused;
    for (size_t i = nrecent; i-- > 0;) { /* oldest first */
        cw_java_double(pts[r->used[i]].value, v);
        buf_printf(&b, "%s%s", i + 1 == nrecent ? "" : ",", v);
    }
    cw_java_double(cfg->threshold, v);
    buf_printf(&b, "],\"threshold\":%s,\"evaluatedDatapoints\":[", v);
    /* newest first: the evaluated real points, and the missing periods among the last N */
    bool *mark = arena_zalloc(a, nr ? nr : 1);
    for (size_t i = 0; i < r->nused; i++)
        mark[r->used[i]] = true;
    bool first = true;
    size_t last_n = nr > (size_t)cfg->n ? nr - (size_t)cfg->n : 0;
    for (size_t k = nr; k-- > r->oldest_slot && b.len < 3800;) {
        bool missing_recent = !pts[k].present && k >= last_n && r->kind != CW_REASON_INSUFFICIENT;
        if (!mark[k] && !missing_recent)
            continue;
        cw_reason_iso(pts[k].ts_ms, t);
        buf_printf(&b, "%s{\"timestamp\":\"%s\"", first ? "" : ",", t);
        if (mark[k]) {
            if (cfg->stat) {
                cw_java_double(pts[k].samples, v);
                buf_printf(&b, ",\"sampleCount\":%s", v);
            }
            cw_java_double(pts[k].value, v);
            buf_printf(&b, ",\"value\":%s", v);
        }
        buf_putc(&b, '}');
        first = false;
    }
    buf_puts(&b, "]}");
    char *s = arena_strdup(a, b.p);
    buf_free(&b);
    return s;
}
