/*
 * cw.h — CloudWatch metric data: identity of a metric, storage and retrieval of its
 * datapoints, and statistics over them. The API handlers (metrics.c) and the alarm engine
 * use the same functions, so an alarm sees exactly what GetMetricStatistics returns.
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

struct store;

/* Limits and windows [doc]; the retention of raw datapoints is ours (see schema.c). */
#define CW_MAX_DIMENSIONS 30
#define CW_MAX_DATAPOINTS 1440 /* per GetMetricStatistics call */
#define CW_LIST_PAGE 500       /* ListMetrics page size */
/* ListMetrics RecentlyActive=PT3H; metrics idle two weeks are not listed at all */
#define CW_RECENTLY_ACTIVE_MS (3 * 3600 * 1000LL)
#define CW_LIST_HORIZON_MS (14 * 86400 * 1000LL)
#define CW_RETENTION_MS (63 * 86400 * 1000LL)

struct cw_dim {
    const char *name;
    const char *value;
};

/* A metric's identity. Strings and dims are borrowed (usually arena). */
struct cw_metric {
    const char *account;
    const char *region;
    const char *ns;
    const char *name;
    const struct cw_dim *dims; /* canonical: sorted by name, unique names */
    size_t ndims;
};

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

/* One (value, count) pair of a raw distribution. */
struct cw_vc {
    double value;
    double count;
};

/*
 * One datapoint as stored or derived: a statistic set plus, when known, the raw
 * distribution (needed for percentiles). A set with count 1 or min == max has an implied
 * distribution (min, count) and needs no vc array [doc].
 */
struct cw_point {
    int64_t ts_ms;
    const char *unit; /* "None" when the publisher gave none */
    int resolution;   /* 1 (high resolution) or 60 */
    double count, sum, min, max;
    const struct cw_vc *vc; /* NULL when not known / implied */
    size_t nvc;
};

struct cw_points {
    struct arena *a;
    struct cw_point *v;
    size_t n, cap;
};

/* Appends a copy of p (the vc array is copied into pts->a). */
void cw_points_add(struct cw_points *pts, const struct cw_point *p);

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

/* ---------------- providers (derived metrics) ---------------- */

/* Called by a provider's list function once per metric it has. */
typedef void (*cw_list_emit_fn)(void *ctx, const struct cw_metric *m, int64_t last_ms);

struct cw_provider {
    const char *ns; /* the namespace it serves, e.g. "AWS/EC2" */
    /* Appends m's datapoints in [start_ms, end_ms) (unit filter as cw_fetch). 0 / -1. */
    int (*fetch)(struct store *st, const struct cw_metric *m, int64_t start_ms, int64_t end_ms,
                 const char *unit, int64_t now_ms, struct cw_points *out);
    /* Emits each metric of account/region it has, with the time of its latest datapoint
     * (ListMetrics). May be NULL. 0 / -1. */
    int (*list)(struct store *st, struct arena *a, const char *account, const char *region,
                int64_t now_ms, cw_list_emit_fn emit, void *ctx);
};

/* Registers a provider (static storage, kept for the process). Up to 8. */
void cw_provider_register(const struct cw_provider *p);
/* The provider for namespace ns, or NULL. */
const struct cw_provider *cw_provider_find(const char *ns);
/* Test support: forgets all providers. */
void cw_providers_clear(void);

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

/* Period rule of GetMetricStatistics: 1, 5, 10, 20, 30 or a multiple of 60 [doc]. */
bool cw_period_valid(int64_t period_s);
/*
 * Start of the first period: StartTime rounded down as GetMetricStatistics does [doc]:
 * periods of 5/10/20/30 s to that division of a minute (1 s: the second), otherwise to the
 * minute when less than 15 days old, to 5 minutes up to 63 days, else to the hour.
 */
int64_t cw_align_start(int64_t start_ms, int64_t period_s, int64_t now_ms);

/* CloudWatch's tables (schema.c). */
extern const struct store_schema cw_schema;

#endif
