/*
 * metric_put.c — PutMetricData: each datum checked (values, statistic sets, counts,
 * dimensions, timestamp, unit, storage resolution) before any is stored.
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

#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/ops.h"
#include "svc/svc.h"
#include "wire/models/cloudwatch_members.h"

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
        return cw_missing(c, arena_printf(a, "%s.MetricName", param));

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
        return cw_missing(c, arena_printf(a, "%s.Dimensions.member.N.Name", param));
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
        if (!json_is_number(jts) || fabs(json_number_value(jts)) > CW_TIME_LIMIT_MS)
            return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                             "The parameter %s.Timestamp is invalid.", param);
        p->ts_ms = json_is_integer(jts) ? (int64_t)json_integer_value(jts)
                                        : (int64_t)floor(json_number_value(jts));
        if (p->ts_ms < c->now_ms - 14 * CW_DAY_MS)
            return call_fail(c, 400, "InvalidParameterValue",
                             "The parameter %s.Timestamp must specify a time within the past "
                             "two weeks.",
                             param);
        if (p->ts_ms > c->now_ms + 2 * CW_HOUR_MS)
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
                return cw_missing(c, fp);
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
        return cw_missing(c, "Namespace");
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
        return cw_missing(c, "MetricData");
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
