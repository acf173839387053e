/* cw_reason_test.c — StateReason / StateReasonData formats of aws-behaviour §2.4–2.5, byte for
 * byte, produced through the real decision (cw_eval_decide). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "harness.h"
#include "svc/cloudwatch/cw_eval.h"

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    return (int64_t)timegm(&tm) * 1000;
}

/* The range of cfg ending at end_ms; values[i] for the newest periods (values[0] newest),
 * NaN-free: present[i] false means missing. */
struct rcase {
    struct cw_eval_cfg cfg;
    struct cw_eval_point pts[16];
    size_t nr;
    struct cw_eval_result r;
    size_t used[16];
};

static void rcase_init(struct rcase *c, int64_t end_ms, const double *newest_first, size_t nvals)
{
    c->nr = cw_eval_range(c->cfg.n);
    int64_t pms = c->cfg.period_s * 1000;
    for (size_t k = 0; k < c->nr; k++) {
        c->pts[k].ts_ms = end_ms - (int64_t)(c->nr - k) * pms;
        size_t age = c->nr - 1 - k;
        if (age < nvals) {
            c->pts[k].present = true;
            c->pts[k].value = newest_first[age];
            c->pts[k].samples = 1;
        }
    }
    c->r.used = c->used;
    cw_eval_decide(&c->cfg, c->pts, c->nr, &c->r);
}

TEST(cw_reason_java_double)
{
    char b[40];
    cw_java_double(1.0, b);
    CHECK_EQ_STR(b, "1.0");
    cw_java_double(0.0, b);
    CHECK_EQ_STR(b, "0.0");
    cw_java_double(8.3714617344E10, b);
    CHECK_EQ_STR(b, "8.3714617344E10");
    cw_java_double(99.97497497497497, b);
    CHECK_EQ_STR(b, "99.97497497497497");
    cw_java_double(7.9053535353535365, b);
    CHECK_EQ_STR(b, "7.9053535353535365");
    cw_java_double(21.5, b);
    CHECK_EQ_STR(b, "21.5");
    cw_java_double(1e7, b);
    CHECK_EQ_STR(b, "1.0E7");
    cw_java_double(9999999.0, b);
    CHECK_EQ_STR(b, "9999999.0");
    cw_java_double(0.001, b);
    CHECK_EQ_STR(b, "0.001");
    cw_java_double(0.0001, b);
    CHECK_EQ_STR(b, "1.0E-4");
    cw_java_double(-2.5, b);
    CHECK_EQ_STR(b, "-2.5");
    cw_java_double(0.1, b);
    CHECK_EQ_STR(b, "0.1");
    cw_java_double(100.0, b);
    CHECK_EQ_STR(b, "100.0");
}

TEST(cw_reason_dates)
{
    char b[32];
    cw_reason_date(utc(2022, 4, 18, 14, 27, 0), b);
    CHECK_EQ_STR(b, "18/04/22 14:27:00");
    cw_reason_iso(utc(2022, 4, 18, 14, 32, 36) + 846, b);
    CHECK_EQ_STR(b, "2022-04-18T14:32:36.846+0000");
}

TEST(cw_reason_single_datapoint)
{
    struct arena *a = arena_new();
    struct rcase c = {.cfg = {.n = 1,
                              .m = 1,
                              .threshold = 1.0,
                              .period_s = 300,
                              .op = "GreaterThanOrEqualToThreshold",
                              .treat = "missing",
                              .stat = "Maximum"}};
    double v[] = {1.0};
    rcase_init(&c, utc(2022, 4, 18, 14, 32, 0), v, 1);
    CHECK_EQ_STR(c.r.state, "ALARM");
    CHECK_EQ_STR(cw_reason_text(a, &c.cfg, c.pts, c.nr, &c.r),
                 "Threshold Crossed: 1 datapoint [1.0 (18/04/22 14:27:00)] was greater than or "
                 "equal to the threshold (1.0).");
    /* the OK direction */
    c.cfg.threshold = 5.0;
    rcase_init(&c, utc(2022, 4, 18, 14, 32, 0), v, 1);
    CHECK_EQ_STR(c.r.state, "OK");
    CHECK_EQ_STR(cw_reason_text(a, &c.cfg, c.pts, c.nr, &c.r),
                 "Threshold Crossed: 1 datapoint [1.0 (18/04/22 14:27:00)] was not greater than "
                 "or equal to the threshold (5.0).");
    /* StateReasonData of the real example (sampleCount 5) */
    c.pts[c.nr - 1].samples = 5;
    CHECK_EQ_STR(cw_reason_data(a, &c.cfg, c.pts, c.nr, &c.r, utc(2022, 4, 18, 14, 32, 36) + 846),
                 "{\"version\":\"1.0\",\"queryDate\":\"2022-04-18T14:32:36.846+0000\","
                 "\"startDate\":\"2022-04-18T14:27:00.000+0000\",\"statistic\":\"Maximum\","
                 "\"period\":300,\"recentDatapoints\":[1.0],\"threshold\":5.0,"
                 "\"evaluatedDatapoints\":[{\"timestamp\":\"2022-04-18T14:27:00.000+0000\","
                 "\"sampleCount\":5.0,\"value\":1.0}]}");
    /* LocalStack snapshot form, GreaterThanThreshold */
    struct rcase d = {.cfg = {.n = 1,
                              .m = 1,
                              .threshold = 21.0,
                              .period_s = 60,
                              .op = "GreaterThanThreshold",
                              .stat = "Average"}};
    double w[] = {21.5};
    rcase_init(&d, utc(2025, 1, 2, 3, 4, 0), w, 1);
    CHECK_EQ_STR(cw_reason_text(a, &d.cfg, d.pts, d.nr, &d.r),
                 "Threshold Crossed: 1 datapoint [21.5 (02/01/25 03:03:00)] was greater than the "
                 "threshold (21.0).");
    arena_free(a);
}

TEST(cw_reason_several_newest_first)
{
    struct arena *a = arena_new();
    struct rcase c = {.cfg = {.n = 2,
                              .m = 2,
                              .threshold = 0.0,
                              .period_s = 60,
                              .op = "GreaterThanThreshold",
                              .stat = "Minimum"}};
    double v[] = {1.0, 1.0};
    rcase_init(&c, utc(2021, 1, 29, 5, 17, 0), v, 2);
    CHECK_EQ_STR(c.r.state, "ALARM");
    CHECK_EQ_STR(cw_reason_text(a, &c.cfg, c.pts, c.nr, &c.r),
                 "Threshold Crossed: 2 datapoints [1.0 (29/01/21 05:16:00), 1.0 (29/01/21 "
                 "05:15:00)] were greater than the threshold (0.0).");

    struct rcase d = {.cfg = {.n = 2,
                              .m = 2,
                              .threshold = 42.0,
                              .period_s = 60,
                              .op = "GreaterThanThreshold",
                              .stat = "Maximum"}};
    double w[] = {0.0, 1.0};
    rcase_init(&d, utc(2023, 1, 9, 14, 3, 0), w, 2);
    CHECK_EQ_STR(d.r.state, "OK");
    CHECK_EQ_STR(cw_reason_text(a, &d.cfg, d.pts, d.nr, &d.r),
                 "Threshold Crossed: 2 datapoints [0.0 (09/01/23 14:02:00), 1.0 (09/01/23 "
                 "14:01:00)] were not greater than the threshold (42.0).");
    /* recentDatapoints oldest first, evaluatedDatapoints newest first */
    char *data = cw_reason_data(a, &d.cfg, d.pts, d.nr, &d.r, utc(2023, 1, 9, 14, 3, 0));
    CHECK_CONTAINS(data, "\"recentDatapoints\":[1.0,0.0],\"threshold\":42.0,");
    CHECK_CONTAINS(data, "\"startDate\":\"2023-01-09T14:01:00.000+0000\"");
    CHECK_CONTAINS(data, "\"evaluatedDatapoints\":[{\"timestamp\":\"2023-01-09T14:02:00.000+0000\","
                         "\"sampleCount\":1.0,\"value\":0.0},{\"timestamp\":"
                         "\"2023-01-09T14:01:00.000+0000\",\"sampleCount\":1.0,\"value\":1.0}]}");
    json_t *j = json_loads(data, 0, NULL);
    CHECK(json_is_object(j));
    json_decref(j);
    arena_free(a);
}

TEST(cw_reason_m_of_n)
{
    struct arena *a = arena_new();
    struct rcase c = {.cfg = {.n = 3,
                              .m = 3,
                              .m_set = true,
                              .threshold = 7.0,
                              .period_s = 60,
                              .op = "GreaterThanOrEqualToThreshold",
                              .stat = "Average"}};
    double v[] = {8.89, 9.72, 9.18};
    rcase_init(&c, utc(2021, 7, 14, 23, 19, 0), v, 3);
    CHECK_EQ_STR(c.r.state, "ALARM");
    CHECK_EQ_STR(cw_reason_text(a, &c.cfg, c.pts, c.nr, &c.r),
                 "Threshold Crossed: 3 out of the last 3 datapoints [8.89 (14/07/21 23:18:00), "
                 "9.72 (14/07/21 23:17:00), 9.18 (14/07/21 23:16:00)] were greater than or equal "
                 "to the threshold (7.0) (minimum 3 datapoints for OK -> ALARM transition).");

    struct rcase d = {.cfg = {.n = 1,
                              .m = 1,
                              .m_set = true,
                              .threshold = 1.0,
                              .period_s = 60,
                              .op = "GreaterThanOrEqualToThreshold",
                              .stat = "Maximum"}};
    double w[] = {0.0};
    rcase_init(&d, utc(2023, 3, 8, 0, 46, 0), w, 1);
    CHECK_EQ_STR(d.r.state, "OK");
    CHECK_EQ_STR(cw_reason_text(a, &d.cfg, d.pts, d.nr, &d.r),
                 "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (08/03/23 00:45:00)] was "
                 "not greater than or equal to the threshold (1.0) (minimum 1 datapoint for "
                 "ALARM -> OK transition).");

    /* 2 of 3: only the breaching points are listed, minimum M; the OK side needs N-M+1 */
    struct rcase e = {.cfg = {.n = 3,
                              .m = 2,
                              .m_set = true,
                              .threshold = 80.0,
                              .period_s = 60,
                              .op = "GreaterThanThreshold",
                              .stat = "Average"}};
    double x[] = {84.0, 10.0, 86.0};
    rcase_init(&e, utc(2024, 5, 6, 7, 8, 0), x, 3);
    CHECK_EQ_STR(e.r.state, "ALARM");
    CHECK_EQ_STR(cw_reason_text(a, &e.cfg, e.pts, e.nr, &e.r),
                 "Threshold Crossed: 2 out of the last 3 datapoints [84.0 (06/05/24 07:07:00), "
                 "86.0 (06/05/24 07:05:00)] were greater than the threshold (80.0) (minimum 2 "
                 "datapoints for OK -> ALARM transition).");
    double y[] = {1.0, 2.0, 86.0};
    rcase_init(&e, utc(2024, 5, 6, 7, 8, 0), y, 3);
    CHECK_EQ_STR(e.r.state, "OK");
    CHECK_EQ_STR(cw_reason_text(a, &e.cfg, e.pts, e.nr, &e.r),
                 "Threshold Crossed: 2 out of the last 3 datapoints [1.0 (06/05/24 07:07:00), "
                 "2.0 (06/05/24 07:06:00)] were not greater than the threshold (80.0) (minimum 2 "
                 "datapoints for ALARM -> OK transition).");
    arena_free(a);
}

TEST(cw_reason_missing_data)
{
    struct arena *a = arena_new();
    struct rcase c = {.cfg = {.n = 1,
                              .m = 1,
                              .threshold = 1.0,
                              .period_s = 60,
                              .op = "GreaterThanThreshold",
                              .treat = "missing",
                              .stat = "Average"}};
    rcase_init(&c, utc(2024, 1, 1, 0, 0, 0), NULL, 0);
    CHECK_EQ_STR(c.r.state, "INSUFFICIENT_DATA");
    CHECK_EQ_STR(cw_reason_text(a, &c.cfg, c.pts, c.nr, &c.r),
                 "Insufficient Data: 1 datapoint was unknown.");
    char *data = cw_reason_data(a, &c.cfg, c.pts, c.nr, &c.r, utc(2024, 1, 1, 0, 0, 0));
    CHECK_EQ_STR(data, "{\"version\":\"1.0\",\"queryDate\":\"2024-01-01T00:00:00.000+0000\","
                       "\"statistic\":\"Average\",\"period\":60,\"recentDatapoints\":[],"
                       "\"threshold\":1.0,\"evaluatedDatapoints\":[]}");
    c.cfg.n = c.cfg.m = 3;
    rcase_init(&c, utc(2024, 1, 1, 0, 0, 0), NULL, 0);
    CHECK_EQ_STR(cw_reason_text(a, &c.cfg, c.pts, c.nr, &c.r),
                 "Insufficient Data: 3 datapoints were unknown.");

    struct rcase b = {.cfg = {.n = 2,
                              .m = 2,
                              .threshold = 1.0,
                              .period_s = 60,
                              .op = "GreaterThanThreshold",
                              .treat = "breaching",
                              .stat = "Average",
                              .unit = "Seconds"}};
    rcase_init(&b, utc(2024, 1, 1, 0, 0, 0), NULL, 0);
    CHECK_EQ_STR(b.r.state, "ALARM");
    CHECK_EQ_STR(cw_reason_text(a, &b.cfg, b.pts, b.nr, &b.r),
                 "Threshold Crossed: no datapoints were received for 2 periods and 2 missing "
                 "datapoints were treated as [Breaching].");
    data = cw_reason_data(a, &b.cfg, b.pts, b.nr, &b.r, utc(2024, 1, 1, 0, 0, 0));
    CHECK_CONTAINS(data, "\"startDate\":\"2023-12-31T23:58:00.000+0000\",\"unit\":\"Seconds\","
                         "\"statistic\":\"Average\"");
    CHECK_CONTAINS(data, "\"evaluatedDatapoints\":[{\"timestamp\":"
                         "\"2023-12-31T23:59:00.000+0000\"},{\"timestamp\":"
                         "\"2023-12-31T23:58:00.000+0000\"}]");
    b.cfg.treat = "notBreaching";
    rcase_init(&b, utc(2024, 1, 1, 0, 0, 0), NULL, 0);
    CHECK_EQ_STR(b.r.state, "OK");
    CHECK_EQ_STR(cw_reason_text(a, &b.cfg, b.pts, b.nr, &b.r),
                 "Threshold Crossed: no datapoints were received for 2 periods and 2 missing "
                 "datapoints were treated as [NonBreaching].");
    arena_free(a);
}

TEST(cw_reason_long_windows_fit)
{
    struct arena *a = arena_new();
    struct cw_eval_cfg cfg = {.n = 1440,
                              .m = 1440,
                              .threshold = 0.5,
                              .period_s = 60,
                              .op = "GreaterThanThreshold",
                              .stat = "Average"};
    size_t nr = cw_eval_range(cfg.n);
    CHECK_EQ_INT(nr, 1440 + 480);
    struct cw_eval_point *pts = arena_zalloc(a, nr * sizeof(*pts));
    for (size_t k = 0; k < nr; k++) {
        pts[k].ts_ms = (int64_t)k * 60000;
        pts[k].present = true;
        pts[k].value = 1.0 + (double)k / 7.0;
        pts[k].samples = 3;
    }
    struct cw_eval_result r = {.used = arena_alloc(a, nr * sizeof(size_t))};
    cw_eval_decide(&cfg, pts, nr, &r);
    CHECK_EQ_STR(r.state, "ALARM");
    CHECK_EQ_INT(r.nused, 1440);
    char *text = cw_reason_text(a, &cfg, pts, nr, &r);
    CHECK(strlen(text) <= 1023);
    CHECK(str_startswith(text, "Threshold Crossed: 1440 datapoints ["));
    char *data = cw_reason_data(a, &cfg, pts, nr, &r, 0);
    CHECK(strlen(data) <= 4000);
    json_t *j = json_loads(data, 0, NULL);
    CHECK(json_is_object(j));
    CHECK_EQ_INT(json_array_size(json_object_get(j, "recentDatapoints")), 100);
    CHECK(json_array_size(json_object_get(j, "evaluatedDatapoints")) > 10);
    json_decref(j);
    /* high resolution over a day: N = 8640 periods of 10 s fits the range */
    CHECK_EQ_INT(cw_eval_range(8640), 11520);
    arena_free(a);
}
