/*
 * metric.h — the metric contract between services: a CloudWatch metric's identity and
 * datapoints, and derived-metric providers. A service that derives metrics (EC2's
 * status checks from its health timeline) registers a provider for its namespace; CloudWatch
 * (cw.h) reads providers beside stored datapoints, so the provider's service does not
 * depend on CloudWatch and CloudWatch does not know the provider's service.
 */
#ifndef RL_SVC_METRIC_H
#define RL_SVC_METRIC_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct store;

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
/* Every registered provider: *out and the count. */
size_t cw_providers(const struct cw_provider *const **out);

#endif
