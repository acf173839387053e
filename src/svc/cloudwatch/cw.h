/*
 * cw.h — CloudWatch metric data: identity of a metric, storage and retrieval of its
 * datapoints (metric_store.c), and statistics over them (metric_stats.c). The API handlers
 * (metrics.c, metric_put.c) and the alarm engine use the same functions, so an alarm sees
 * exactly what GetMetricStatistics returns.
 *
 * A metric is (account, region, namespace, metric name, dimension set); the dimension set
 * is kept canonical: sorted by name (strcmp), names unique. The unit belongs to each
 * datapoint, not to the metric [doc].
 *
 * Datapoints come from the store (PutMetricData) and from registered providers: a provider
 * derives the datapoints of one namespace on demand (e.g. AWS/EC2 status-check metrics from
 * an instance's health timeline) instead of storing a row per minute.
 */
#ifndef RL_CW_H
#define RL_CW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "svc/metric.h"

struct store;
struct call;

/* Limits and windows [doc]; the retention of raw datapoints is ours (see schema.c). */
#define CW_MAX_DIMENSIONS 30
#define CW_MAX_DATAPOINTS 1440 /* per GetMetricStatistics call */
#define CW_LIST_PAGE 500       /* ListMetrics page size */
/* ListMetrics RecentlyActive=PT3H; metrics idle two weeks are not listed at all */
#define CW_RECENTLY_ACTIVE_MS (3 * 3600 * 1000LL)
#define CW_LIST_HORIZON_MS (14 * 86400 * 1000LL)
#define CW_RETENTION_MS (63 * 86400 * 1000LL)
#define CW_HOUR_MS (3600 * 1000LL)
#define CW_DAY_MS (86400 * 1000LL)
/* Timestamps beyond +-275760 years (the JavaScript Date range) are refused, which keeps
 * all time arithmetic far from int64 overflow. */
#define CW_TIME_LIMIT_MS 8640000000000000LL



/*
 * Sorts dims by name in place. Returns 0, or -1 when a name occurs twice (*dup set to it
 * when dup is not NULL).
 */
int cw_dims_canonical(struct cw_dim *dims, size_t n, const char **dup);
/*
 * Reads a Dimensions list of the input tree ([{Name, Value}]) into an arena array and
 * canonicalises it. Entries without a string Name or Value are an error too (*dup NULL).
 * 0 ok, -1 on a repeated name or a malformed entry.
 */
int cw_dims_from_json(struct arena *a, const json_t *list, struct cw_dim **out, size_t *n,
                      const char **dup);
/* The stored text form of a canonical dimension set: [{"Name":..,"Value":..},...] (arena). */
char *cw_dims_text(struct arena *a, const struct cw_dim *dims, size_t n);
/* Parses the stored text form back (arena). 0 ok, -1 malformed. */
int cw_dims_parse(struct arena *a, const char *text, struct cw_dim **out, size_t *n);

/* ---------------- datapoints ---------------- */

/* Logs a store error of what (sqlite's message) and returns -1. */
int cw_db_fail(struct store *st, const char *what);


/*
 * Stores one datapoint of metric m, creating the metric when new (its last-put time is
 * now_ms, used by ListMetrics). Prunes the metric's datapoints older than CW_RETENTION_MS.
 * 0 ok, -1 store error (logged).
 */
int cw_put_point(struct store *st, const struct cw_metric *m, const struct cw_point *p,
                 int64_t now_ms);

/*
 * Datapoints of metric m (exact dimension set) with start_ms <= ts < end_ms, from the
 * store and from the provider of m's namespace, if any. unit NULL: every unit; otherwise
 * only points published with that unit. Appended to *out in no particular order.
 * 0 ok, -1 error.
 */
int cw_fetch(struct store *st, const struct cw_metric *m, int64_t start_ms, int64_t end_ms,
             const char *unit, int64_t now_ms, struct cw_points *out);


/* ---------------- statistics ---------------- */

/* Aggregate of the datapoints of one period (and one unit). Zero it, set .a, then add. */
struct cw_agg {
    struct arena *a; /* for the distribution */
    const char *unit;
    double count, sum, min, max;
    size_t npoints;
    bool dist_unknown; /* some point had no (implied) distribution */
    bool negative;     /* some value was negative */
    struct cw_vc *vc;
    size_t nvc, cap;
};

void cw_agg_add(struct cw_agg *g, const struct cw_point *p);

/* The basic statistics, in the order GetMetricStatistics writes them. */
extern const char *const cw_basic_stats[5];
/* True for SampleCount, Average, Sum, Minimum, Maximum. */
bool cw_stat_is_basic(const char *stat);
/* Parses a percentile statistic "pNN" / "pNN.NN" (0..100, at most 2 decimals) into *pct. */
bool cw_stat_percentile(const char *stat, double *pct);

/*
 * The value of stat over g: a basic statistic, or a percentile (nearest rank over the raw
 * distribution, inferred). Returns 0 and *v, or -1 when g is empty or the percentile
 * cannot be computed (no raw distribution, or negative values [doc]).
 */
int cw_agg_stat(const struct cw_agg *g, const char *stat, double *v);

/* t rounded down to a multiple of unit (also for negative t). */
int64_t cw_floor_to(int64_t t, int64_t unit);
/* Period rule of GetMetricStatistics: 1, 5, 10, 20, 30 or a multiple of 60 [doc]. */
bool cw_period_valid(int64_t period_s);
/*
 * Start of the first period: StartTime rounded down as GetMetricStatistics does [doc]:
 * periods of 5/10/20/30 s to that division of a minute (1 s: the second), otherwise to the
 * minute when less than 15 days old, to 5 minutes up to 63 days, else to the hour.
 */
int64_t cw_align_start(int64_t start_ms, int64_t period_s, int64_t now_ms);

/* ---------------- errors ---------------- */

/* Fails the call with CloudWatch's InternalServiceError (500, InternalServiceFault's code)
 * "Internal service error." (inferred), for a failure that is not the caller's. -1. */
int cw_internal(struct call *c);
/* Fails the call with MissingParameter "The parameter PARAM is required." (inferred). -1. */
int cw_missing(struct call *c, const char *param);

/* CloudWatch's tables (schema.c). */
extern const struct store_schema cw_schema;

#endif
