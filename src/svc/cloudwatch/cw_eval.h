/*
 * cw_eval.h — internals of the alarm evaluation engine shared by alarm_eval.c (the
 * decision), alarm_reason.c (StateReason / StateReasonData text), alarm_actions.c and
 * metric_data.c (metric math used by math alarms), and their unit tests.
 */
#ifndef RL_CW_EVAL_H
#define RL_CW_EVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc/cloudwatch/cw_alarm.h"

struct arena;
struct store;

/* One period of the evaluation range. */
struct cw_eval_point {
    int64_t ts_ms; /* period start */
    bool present;  /* a value exists for the period */
    double value;
    double samples;  /* SampleCount of the period (0 for math results) */
    bool low_sample; /* percentile with too few samples (EvaluateLowSampleCountPercentile) */
};

/* What an alarm compares (the parts of its configuration the decision needs). */
struct cw_eval_cfg {
    int n;      /* EvaluationPeriods */
    int m;      /* DatapointsToAlarm (n when not set) */
    bool m_set; /* DatapointsToAlarm given: M-of-N wording */
    double threshold;
    const char *op;    /* ComparisonOperator */
    const char *treat; /* missing | ignore | breaching | notBreaching */
    int64_t period_s;
    const char *stat; /* Statistic or ExtendedStatistic; NULL for math alarms */
    bool extended;    /* stat is an ExtendedStatistic */
    const char *unit; /* NULL when not set */
    bool low_ignore;  /* EvaluateLowSampleCountPercentile = ignore */
};

enum cw_reason_kind {
    CW_REASON_THRESHOLD = 0, /* Threshold Crossed: ... datapoints [...] ... */
    CW_REASON_INSUFFICIENT,  /* Insufficient Data: N datapoints were unknown. */
    CW_REASON_FILLED,        /* Threshold Crossed: no datapoints were received for ... */
};

/* the longest range: period 10 s over a day (N = 8640) plus its extra third */
#define CW_EVAL_MAX_RANGE 12000

struct cw_eval_result {
    const char *state; /* CW_OK / CW_ALARM / CW_INSUFFICIENT; NULL: keep the state */
    enum cw_reason_kind kind;
    size_t *used; /* set by the caller: room for nr indices of the evaluated
                   * real points, filled newest first */
    size_t nused;
    int nfilled;        /* missing periods filled by TreatMissingData */
    int nbreach;        /* breaching among the evaluated (real + filled) points */
    size_t oldest_slot; /* oldest period taking part (startDate) */
};

/* Number of periods fetched for N evaluation periods: N + max(N/3, 2) (inferred). */
size_t cw_eval_range(int n);
/* True when value v crosses the threshold in the direction of op. */
bool cw_eval_breaching(const char *op, double v, double threshold);
/*
 * The documented decision (§2.3): pts[0..nr-1] oldest first (the newest is pts[nr-1]),
 * current state cur. Fills *r; r->state NULL means the state stays as it is.
 */
void cw_eval_decide(const struct cw_eval_cfg *cfg, const struct cw_eval_point *pts, size_t nr,
                    struct cw_eval_result *r);

/* Test / benchmark support: one sweep at at_ms as the clock event runs it (returns the
 * number of metric alarms seen); forgetting the configuration cache (a new store). */
size_t cw_alarms_sweep(struct store *st, int64_t at_ms);
void cw_alarms_cache_clear(void);
/* Appends s (NULL: "") as a JSON string literal to b (history data built by hand). */
void cw_put_json_str(struct buf *b, const char *s);

/* ---- alarm_reason.c ---- */
/* Java Double.toString form: 1.0, 99.97497497497497, 8.3714617344E10, 1.0E-4. */
void cw_java_double(double v, char out[40]);
/* DD/MM/YY HH:MM:SS (UTC). */
void cw_reason_date(int64_t ms, char out[24]);
/* yyyy-MM-dd'T'HH:mm:ss.SSS+0000 (UTC). */
void cw_reason_iso(int64_t ms, char out[32]);
/* StateReason text for a decision (arena). */
char *cw_reason_text(struct arena *a, const struct cw_eval_cfg *cfg,
                     const struct cw_eval_point *pts, size_t nr, const struct cw_eval_result *r);
/* StateReasonData JSON text for a decision evaluated at query_ms (arena). */
char *cw_reason_data(struct arena *a, const struct cw_eval_cfg *cfg,
                     const struct cw_eval_point *pts, size_t nr, const struct cw_eval_result *r,
                     int64_t query_ms);

/* ---- alarm_actions.c ---- */
/*
 * Runs the actions of list (an OKActions / AlarmActions / InsufficientDataActions array)
 * for alarm a after its transition at at_ms, writing one Action history item each. 0 or -1
 * (store error).
 */
int cw_alarm_run_actions(struct store *st, const struct cw_alarm *a, const json_t *list,
                         int64_t at_ms);

/* ---- alarm_notify.c ---- */
/*
 * Publishes AWS's alarm notification for alarm a's transition at at_ms (a->doc holds the new
 * state) to the SNS topic arn, as the CloudWatch service principal (svc_invoke, so the topic
 * policy is checked and CloudTrail records it). Returns NULL on success with *published the
 * message (arena), or the error text for the history item (arena).
 */
const char *cw_alarm_notify_sns(struct store *st, struct arena *ar, const struct cw_alarm *a,
                                const char *arn, int64_t at_ms, const char **published);

/* ---- metric_data.c ---- */
/*
 * The ReturnData series of a metric-math query list (MetricDataQuery shapes) evaluated for
 * account/region over the periods pts[0..n-1] (ts_ms set by the caller, period_s long):
 * fills present/value of each. 0 ok, -1 when the queries cannot be evaluated.
 */
int cw_math_series(struct store *st, struct arena *a, const char *account, const char *region,
                   const json_t *queries, int64_t period_s, int64_t now_ms,
                   struct cw_eval_point *pts, size_t n);

#endif
