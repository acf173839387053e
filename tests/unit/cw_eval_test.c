/* cw_eval_test.c — the evaluation decision (the documentation's missing-data tables, M of N,
 * premature alarm), percentiles, and the sweep + transition + history through the store. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "cw_eval_store.h"
#include "harness.h"
#include "store/store.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/cw_eval.h"
#include "svc_fixture.h"

/* A range of 5 periods given as the documentation writes it, oldest first: '0' good,
 * 'X' breaching, '-' missing. Threshold 1, GreaterThanOrEqualToThreshold. */
static const char *decide(const char *row, int n, int m, const char *treat)
{
    static struct cw_eval_result r;
    static size_t used[8];
    r.used = used;
    struct cw_eval_point pts[8];
    memset(pts, 0, sizeof(pts));
    struct cw_eval_cfg cfg = {.n = n,
                              .m = m,
                              .threshold = 1.0,
                              .period_s = 60,
                              .op = "GreaterThanOrEqualToThreshold",
                              .treat = treat,
                              .stat = "Maximum"};
    size_t nr = 0;
    for (const char *p = row; *p; p++) {
        if (*p == ' ')
            continue;
        pts[nr].ts_ms = (int64_t)nr * 60000;
        pts[nr].present = *p != '-';
        pts[nr].value = *p == 'X' ? 5.0 : 0.0;
        nr++;
    }
    cw_eval_decide(&cfg, pts, nr, &r);
    return r.state ? r.state : "retain";
}

struct trow {
    const char *row;
    const char *missing, *ignore, *breaching, *not_breaching;
};

static void check_table(const struct trow *t, size_t n, int N, int M)
{
    for (size_t i = 0; i < n; i++) {
        const char *got[4] = {decide(t[i].row, N, M, "missing"), NULL, NULL, NULL};
        got[1] = decide(t[i].row, N, M, "ignore");
        got[2] = decide(t[i].row, N, M, "breaching");
        got[3] = decide(t[i].row, N, M, "notBreaching");
        const char *want[4] = {t[i].missing, t[i].ignore, t[i].breaching, t[i].not_breaching};
        for (int k = 0; k < 4; k++)
            if (strcmp(got[k], want[k]) != 0)
                harness_fail(__FILE__, __LINE__, "N=%d M=%d row '%s' mode %d: want %s, got %s", N,
                             M, t[i].row, k, want[k], got[k]);
    }
}

/* aws-behaviour §2.3: N=3, M=3 (order MISSING, IGNORE, BREACHING, NOT BREACHING) */
TEST(cw_eval_table_n3_m3)
{
    static const struct trow t[] = {
        {"0 - X - X", "OK", "OK", "OK", "OK"},
        {"0 - - - -", "OK", "OK", "OK", "OK"},
        {"- - - - -", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"},
        {"0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"},
        {"- - X - -", "ALARM", "retain", "ALARM", "OK"},
    };
    check_table(t, ARRAY_LEN(t), 3, 3);
}

/* N=3, M=2 */
TEST(cw_eval_table_n3_m2)
{
    static const struct trow t[] = {
        {"0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"},
        {"0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"},
        {"0 - X - -", "OK", "OK", "ALARM", "OK"},
        {"- - - - 0", "OK", "OK", "ALARM", "OK"},
        {"- - - X -", "ALARM", "retain", "ALARM", "OK"},
    };
    check_table(t, ARRAY_LEN(t), 3, 2);
}

/* The premature-alarm rule: a lone recent breaching point does not alarm yet (M=3). */
TEST(cw_eval_premature)
{
    CHECK(strcmp(decide("- - - - X", 3, 3, "missing"), "ALARM") != 0);
    CHECK(strcmp(decide("- - - X -", 3, 3, "missing"), "ALARM") != 0);
    CHECK_EQ_STR(decide("- - X - -", 3, 3, "missing"), "ALARM");
    /* a good point in the range: no premature alarm */
    CHECK_EQ_STR(decide("0 - X - -", 3, 3, "missing"), "OK");
}

TEST(cw_eval_m_of_n_and_recent_points)
{
    /* N most recent points all present: older ones ignored */
    CHECK_EQ_STR(decide("X X 0 0 0", 3, 1, "missing"), "OK");
    CHECK_EQ_STR(decide("0 0 0 0 X", 3, 1, "missing"), "ALARM");
    /* non-consecutive breaching points within the last N */
    CHECK_EQ_STR(decide("0 0 X 0 X", 3, 2, "notBreaching"), "ALARM");
    CHECK_EQ_STR(decide("0 0 X 0 X", 3, 3, "breaching"), "OK");
    /* >= N real points: missing data treatment unused */
    CHECK_EQ_STR(decide("X X X - -", 3, 3, "notBreaching"), "ALARM");
    CHECK_EQ_STR(decide("X X X - -", 3, 3, "missing"), "ALARM");
    /* LessThan direction */
    struct cw_eval_point p = {.present = true, .value = 0.5};
    struct cw_eval_cfg cfg = {.n = 1, .m = 1, .threshold = 1.0, .op = "LessThanThreshold"};
    static struct cw_eval_result r;
    static size_t used[1];
    r.used = used;
    cw_eval_decide(&cfg, &p, 1, &r);
    CHECK_EQ_STR(r.state, "ALARM");
    cfg.op = "LessThanOrEqualToThreshold";
    p.value = 1.0;
    cw_eval_decide(&cfg, &p, 1, &r);
    CHECK_EQ_STR(r.state, "ALARM");
    p.value = 1.5;
    cw_eval_decide(&cfg, &p, 1, &r);
    CHECK_EQ_STR(r.state, "OK");
    CHECK_EQ_INT(cw_eval_range(3), 5);
    CHECK_EQ_INT(cw_eval_range(5), 7);
    CHECK_EQ_INT(cw_eval_range(12), 16);
}

/* ---------------------------------------------------------------- sweep through the store */

static void put_value(struct fx *f, const char *ns, const char *name, const char *iid, int64_t ts,
                      double v)
{
    struct cw_dim d = {"InstanceId", iid};
    struct cw_metric m = {.account = FX_ACCOUNT,
                          .region = "us-east-1",
                          .ns = ns,
                          .name = name,
                          .dims = &d,
                          .ndims = 1};
    struct cw_point p = {
        .ts_ms = ts, .unit = "None", .resolution = 60, .count = 1, .sum = v, .min = v, .max = v};
    CHECK_EQ_INT(cw_put_point(f->st, &m, &p, f->now_ms), 0);
}

#define ALARM_DOC(name, extra)                                                                     \
    "{\"AlarmName\":\"" name "\",\"AlarmArn\":\"arn:aws:cloudwatch:us-east-1:123456789012:"        \
    "alarm:" name "\",\"ActionsEnabled\":true,\"OKActions\":[],\"AlarmActions\":[],"               \
    "\"InsufficientDataActions\":[],\"StateValue\":\"INSUFFICIENT_DATA\",\"StateReason\":"         \
    "\"Unchecked: Initial alarm creation\",\"Namespace\":\"Lab\",\"Dimensions\":[{\"Name\":"       \
    "\"InstanceId\",\"Value\":\"i-1\"}]," extra "}"

TEST(cw_eval_sweep_transition_history)
{
    struct fx f;
    fx_open(&f, FX_T0);
    cw_alarms_cache_clear();
    cwt_alarm_insert(f.st, "cpu",
                     ALARM_DOC("cpu", "\"MetricName\":\"cpu\",\"Statistic\":\"Maximum\","
                                      "\"Period\":60,\"EvaluationPeriods\":2,\"Threshold\":5.0,"
                                      "\"ComparisonOperator\":\"GreaterThanThreshold\""),
                     &f.who, NULL);
    put_value(&f, "Lab", "cpu", "i-1", FX_T0 - 120000, 10);
    put_value(&f, "Lab", "cpu", "i-1", FX_T0 - 60000 + 5000, 7.5);
    store_begin(f.st);
    CHECK_EQ_INT(cw_alarms_sweep(f.st, FX_T0), 1);
    store_commit(f.st);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "cpu", "StateValue"), "ALARM");
    /* FX_T0 = 2026-11-28T12:00:00Z */
    CHECK_EQ_STR(cwt_alarm_field(f.st, "cpu", "StateReason"),
                 "Threshold Crossed: 2 datapoints [7.5 (28/11/26 11:59:00), 10.0 (28/11/26 "
                 "11:58:00)] were greater than the threshold (5.0).");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "cpu", "StateReasonData"),
                 "{\"version\":\"1.0\",\"queryDate\":\"2026-11-28T12:00:00.000+0000\","
                 "\"startDate\":\"2026-11-28T11:58:00.000+0000\",\"statistic\":\"Maximum\","
                 "\"period\":60,\"recentDatapoints\":[10.0,7.5],\"threshold\":5.0,"
                 "\"evaluatedDatapoints\":[{\"timestamp\":\"2026-11-28T11:59:00.000+0000\","
                 "\"sampleCount\":1.0,\"value\":7.5},{\"timestamp\":"
                 "\"2026-11-28T11:58:00.000+0000\",\"sampleCount\":1.0,\"value\":10.0}]}");
    CHECK_EQ_INT(cwt_history_count(f.st, "cpu", "StateUpdate"), 1);
    CHECK_EQ_STR(cwt_history_summary(f.st, "cpu", "StateUpdate"),
                 "Alarm updated from INSUFFICIENT_DATA to ALARM");
    const char *hd = cwt_history_data(f.st, "cpu", "StateUpdate");
    CHECK_CONTAINS(hd, "{\"version\":\"1.0\",\"oldState\":{\"stateValue\":\"INSUFFICIENT_DATA\","
                       "\"stateReason\":\"Unchecked: Initial alarm creation\"},\"newState\":"
                       "{\"stateValue\":\"ALARM\",\"stateReason\":\"Threshold Crossed: 2 "
                       "datapoints");
    CHECK_CONTAINS(hd, "\"stateReasonData\":{\"version\":\"1.0\",\"queryDate\"");
    json_t *j = json_loads(hd, 0, NULL);
    CHECK(json_is_object(json_object_get(json_object_get(j, "newState"), "stateReasonData")));
    json_decref(j);
    const char *ts = cwt_alarm_field(f.st, "cpu", "StateValue");
    CHECK_EQ_STR(ts, "ALARM");

    /* the same state next minute: no new history item */
    store_begin(f.st);
    cw_alarms_sweep(f.st, FX_T0 + 60000);
    store_commit(f.st);
    CHECK_EQ_INT(cwt_history_count(f.st, "cpu", "StateUpdate"), 1);

    /* a SetAlarmState-style override returns to the computed state at the next evaluation */
    struct cw_alarm al;
    CHECK_EQ_INT(cw_alarm_load(f.st, "us-east-1", "cpu", &al), 0);
    store_begin(f.st);
    CHECK_EQ_INT(cw_alarm_transition(f.st, &al, "OK", "testing", NULL, FX_T0 + 61000), 0);
    store_commit(f.st);
    cw_alarm_free(&al);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "cpu", "StateValue"), "OK");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "cpu", "StateReason"), "testing");
    CHECK_EQ_STR(cwt_history_summary(f.st, "cpu", "StateUpdate"), "Alarm updated from ALARM to OK");
    store_begin(f.st);
    cw_alarms_sweep(f.st, FX_T0 + 120000);
    store_commit(f.st);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "cpu", "StateValue"), "ALARM");
    CHECK_EQ_INT(cwt_history_count(f.st, "cpu", "StateUpdate"), 3);

    /* the data ages out of the range: missing -> INSUFFICIENT_DATA */
    store_begin(f.st);
    cw_alarms_sweep(f.st, FX_T0 + 10 * 60000);
    store_commit(f.st);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "cpu", "StateValue"), "INSUFFICIENT_DATA");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "cpu", "StateReason"),
                 "Insufficient Data: 2 datapoints were unknown.");
    cw_alarms_cache_clear();
    fx_close(&f);
}

TEST(cw_eval_percentile_low_samples)
{
    struct fx f;
    fx_open(&f, FX_T0);
    cw_alarms_cache_clear();
    /* p90 needs 10/(1-0.9) = 100 samples; 20 are too few */
    cwt_alarm_insert(f.st, "p_ign",
                     ALARM_DOC("p_ign", "\"MetricName\":\"lat\",\"ExtendedStatistic\":\"p90\","
                                        "\"Period\":60,\"EvaluationPeriods\":1,\"Threshold\":1.0,"
                                        "\"ComparisonOperator\":\"GreaterThanThreshold\","
                                        "\"EvaluateLowSampleCountPercentile\":\"ignore\""),
                     &f.who, NULL);
    cwt_alarm_insert(f.st, "p_eval",
                     ALARM_DOC("p_eval", "\"MetricName\":\"lat\",\"ExtendedStatistic\":"
                                         "\"p90\",\"Period\":60,\"EvaluationPeriods\":1,"
                                         "\"Threshold\":1.0,\"ComparisonOperator\":"
                                         "\"GreaterThanThreshold\","
                                         "\"EvaluateLowSampleCountPercentile\":\"evaluate\""),
                     &f.who, NULL);
    /* both alarms watch InstanceId i-1 */
    struct cw_dim d = {"InstanceId", "i-1"};
    struct cw_metric m = {.account = FX_ACCOUNT,
                          .region = "us-east-1",
                          .ns = "Lab",
                          .name = "lat",
                          .dims = &d,
                          .ndims = 1};
    for (int i = 0; i < 20; i++) {
        double v = 1.0 + i; /* 1..20: p90 = 18 */
        struct cw_point p = {.ts_ms = FX_T0 - 60000 + i * 1000,
                             .unit = "None",
                             .resolution = 60,
                             .count = 1,
                             .sum = v,
                             .min = v,
                             .max = v};
        cw_put_point(f.st, &m, &p, f.now_ms);
    }
    store_begin(f.st);
    CHECK_EQ_INT(cw_alarms_sweep(f.st, FX_T0), 2);
    store_commit(f.st);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "p_ign", "StateValue"), "INSUFFICIENT_DATA");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "p_eval", "StateValue"), "ALARM");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "p_eval", "StateReason"),
                 "Threshold Crossed: 1 datapoint [18.0 (28/11/26 11:59:00)] was greater than the "
                 "threshold (1.0).");
    CHECK_CONTAINS(cwt_alarm_field(f.st, "p_eval", "StateReasonData"),
                   "\"extendedStatistic\":\"p90\",\"period\":60");
    cw_alarms_cache_clear();
    fx_close(&f);
}

TEST(cw_eval_clock_event_and_config_change)
{
    struct fx f;
    fx_open(&f, FX_T0 + 5000);
    cw_alarms_cache_clear();
    cw_alarms_init();
    cwt_alarm_insert(f.st, "hr",
                     ALARM_DOC("hr", "\"MetricName\":\"hr\",\"Statistic\":\"Sum\","
                                     "\"Period\":10,\"EvaluationPeriods\":1,\"Threshold\":3.0,"
                                     "\"ComparisonOperator\":\"GreaterThanOrEqualToThreshold\","
                                     "\"TreatMissingData\":\"notBreaching\""),
                     &f.who, NULL);
    CHECK_EQ_INT(cw_alarm_schedule(f.st, FX_T0 + 5000), 0);
    /* first tick at +10 s: no data, notBreaching -> OK */
    CHECK_EQ_INT(clock_advance_to(f.st, FX_T0 + 10000), 0);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "hr", "StateValue"), "OK");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "hr", "StateReason"),
                 "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                 "datapoint was treated as [NonBreaching].");
    /* high-resolution data evaluated within 10 s */
    struct cw_dim d = {"InstanceId", "i-1"};
    struct cw_metric m = {.account = FX_ACCOUNT,
                          .region = "us-east-1",
                          .ns = "Lab",
                          .name = "hr",
                          .dims = &d,
                          .ndims = 1};
    struct cw_point p = {.ts_ms = FX_T0 + 12000,
                         .unit = "None",
                         .resolution = 1,
                         .count = 1,
                         .sum = 4,
                         .min = 4,
                         .max = 4};
    cw_put_point(f.st, &m, &p, FX_T0 + 12000);
    CHECK_EQ_INT(clock_advance_to(f.st, FX_T0 + 20000), 0);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "hr", "StateValue"), "ALARM");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "hr", "StateReason"),
                 "Threshold Crossed: 1 datapoint [4.0 (28/11/26 12:00:10)] was greater than or "
                 "equal to the threshold (3.0).");
    /* a new configuration (threshold 10) is picked up: the doc changed */
    cwt_alarm_insert(f.st, "hr",
                     ALARM_DOC("hr", "\"MetricName\":\"hr\",\"Statistic\":\"Sum\","
                                     "\"Period\":10,\"EvaluationPeriods\":1,\"Threshold\":10.0,"
                                     "\"ComparisonOperator\":\"GreaterThanOrEqualToThreshold\","
                                     "\"TreatMissingData\":\"notBreaching\""),
                     &f.who, NULL);
    struct cw_point q = {.ts_ms = FX_T0 + 21000,
                         .unit = "None",
                         .resolution = 1,
                         .count = 1,
                         .sum = 4,
                         .min = 4,
                         .max = 4};
    cw_put_point(f.st, &m, &q, FX_T0 + 21000);
    CHECK_EQ_INT(clock_advance_to(f.st, FX_T0 + 30000), 0);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "hr", "StateValue"), "OK");
    /* the event keeps itself scheduled */
    sqlite3_stmt *s = store_stmt(f.st, "SELECT count(*), min(at_ms) FROM events"
                                       " WHERE kind = 'cw.alarms.eval'");
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(s, 0), 1);
    CHECK_EQ_INT(sqlite3_column_int64(s, 1), FX_T0 + 40000);
    sqlite3_reset(s);
    cw_alarms_cache_clear();
    fx_close(&f);
}

TEST(cw_eval_composite_rule)
{
    struct fx f;
    fx_open(&f, FX_T0);
    cw_alarms_cache_clear();
    cwt_alarm_insert(f.st, "c1",
                     ALARM_DOC("c1", "\"MetricName\":\"c1\",\"Statistic\":\"Maximum\","
                                     "\"Period\":60,\"EvaluationPeriods\":1,\"Threshold\":5.0,"
                                     "\"ComparisonOperator\":\"GreaterThanThreshold\","
                                     "\"TreatMissingData\":\"ignore\""),
                     &f.who, NULL);
    cwt_alarm_insert(f.st, "comp",
                     "{\"AlarmName\":\"comp\",\"AlarmArn\":\"arn:aws:cloudwatch:us-east-1:"
                     "123456789012:alarm:comp\",\"ActionsEnabled\":true,\"OKActions\":[],"
                     "\"AlarmActions\":[],\"InsufficientDataActions\":[],\"AlarmRule\":"
                     "\"ALARM(c1) OR ALARM(\\\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
                     "none\\\")\",\"StateValue\":\"INSUFFICIENT_DATA\",\"StateReason\":"
                     "\"Unchecked: Initial alarm creation\"}",
                     &f.who, NULL);
    sqlite3_stmt *s = store_stmt(f.st, "UPDATE cw_alarms SET composite = 1 WHERE name = 'comp'");
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_reset(s);
    store_begin(f.st);
    cw_alarms_sweep(f.st, FX_T0);
    store_commit(f.st);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "comp", "StateValue"), "OK");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "comp", "StateReason"),
                 "arn:aws:cloudwatch:us-east-1:123456789012:alarm:comp was created and its alarm "
                 "rule evaluates to OK");
    /* the child goes to ALARM (2026-11-28 is a Saturday) */
    put_value(&f, "Lab", "c1", "i-1", FX_T0, 9);
    store_begin(f.st);
    cw_alarms_sweep(f.st, FX_T0 + 60000);
    store_commit(f.st);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "c1", "StateValue"), "ALARM");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "comp", "StateValue"), "ALARM");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "comp", "StateReason"),
                 "arn:aws:cloudwatch:us-east-1:123456789012:alarm:c1 transitioned to ALARM at "
                 "Saturday 28 November, 2026 12:01:00 UTC");
    CHECK_EQ_STR(cwt_history_summary(f.st, "comp", "StateUpdate"),
                 "Alarm updated from OK to ALARM");
    cw_alarms_cache_clear();
    fx_close(&f);
}

TEST(cw_eval_math_alarm)
{
    struct fx f;
    fx_open(&f, FX_T0);
    cw_alarms_cache_clear();
    cwt_alarm_insert(
        f.st, "math",
        "{\"AlarmName\":\"math\",\"ActionsEnabled\":true,\"OKActions\":[],"
        "\"AlarmActions\":[],\"InsufficientDataActions\":[],\"StateValue\":"
        "\"INSUFFICIENT_DATA\",\"StateReason\":\"Unchecked: Initial alarm creation\","
        "\"Metrics\":[{\"Id\":\"m1\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"Lab\","
        "\"MetricName\":\"cpu\",\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":"
        "\"i-1\"}]},\"Period\":60,\"Stat\":\"Maximum\"},\"ReturnData\":false},"
        "{\"Id\":\"e1\",\"Expression\":\"m1 * 10\",\"ReturnData\":true}],"
        "\"EvaluationPeriods\":1,\"Threshold\":50.0,\"ComparisonOperator\":"
        "\"GreaterThanThreshold\"}",
        &f.who, NULL);
    put_value(&f, "Lab", "cpu", "i-1", FX_T0 - 60000, 6);
    store_begin(f.st);
    cw_alarms_sweep(f.st, FX_T0);
    store_commit(f.st);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "math", "StateValue"), "ALARM");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "math", "StateReason"),
                 "Threshold Crossed: 1 datapoint [60.0 (28/11/26 11:59:00)] was greater than the "
                 "threshold (50.0).");
    /* no statistic / period for a math alarm */
    CHECK(strstr(cwt_alarm_field(f.st, "math", "StateReasonData"), "statistic") == NULL);
    put_value(&f, "Lab", "cpu", "i-1", FX_T0, 4);
    store_begin(f.st);
    cw_alarms_sweep(f.st, FX_T0 + 60000);
    store_commit(f.st);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "math", "StateValue"), "OK");
    cw_alarms_cache_clear();
    fx_close(&f);
}

/* After a restart (empty cache) the persisted tick may fall between minutes: it still reads
 * every alarm and keeps the tick going. */
TEST(cw_eval_restart_keeps_ticking)
{
    struct fx f;
    fx_open(&f, FX_T0);
    cw_alarms_init();
    cw_alarms_cache_clear();
    cwt_alarm_insert(f.st, "r",
                     ALARM_DOC("r", "\"MetricName\":\"r\",\"Statistic\":\"Sum\","
                                    "\"Period\":60,\"EvaluationPeriods\":1,\"Threshold\":1.0,"
                                    "\"ComparisonOperator\":\"GreaterThanThreshold\""),
                     &f.who, NULL);
    CHECK(sched_at(f.st, FX_T0 + 20000, "cw.alarms.eval", "") > 0);
    CHECK_EQ_INT(clock_advance_to(f.st, FX_T0 + 20000), 0);
    sqlite3_stmt *s = store_stmt(f.st, "SELECT at_ms FROM events WHERE kind = 'cw.alarms.eval'");
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int64(s, 0), FX_T0 + 60000);
    sqlite3_reset(s);
    put_value(&f, "Lab", "r", "i-1", FX_T0 + 30000, 5);
    CHECK_EQ_INT(clock_advance_to(f.st, FX_T0 + 60000), 0);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "r", "StateValue"), "ALARM");
    cw_alarms_cache_clear();
    fx_close(&f);
}
