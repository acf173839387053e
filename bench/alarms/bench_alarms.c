/*
 * bench_alarms.c — the alarm engine under load: N metric alarms (default 100 000), each on its
 * own metric that receives one datapoint per virtual minute, evaluated by the engine's sweep
 * (the same function the clock event runs) for M virtual minutes (default 5). Prints, per
 * minute, the CPU time of the sweep and the number of state changes; datapoint ingestion is
 * timed separately. Not a test.
 *
 *   bench/alarms/run.sh [alarms] [minutes] [noisy%] [db]
 * noisy% (default 100) of the metrics get random values each minute (many state changes,
 * the worst case); the others a constant value (state changes only while the window fills).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/module.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/cw_eval.h"

#define T0 1795867200000LL /* 2026-11-28T12:00:00Z */

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int count_state(struct store *st, const char *state)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM cw_alarms WHERE state = ?1");
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

int main(int argc, char **argv)
{
    int nalarms = argc > 1 ? atoi(argv[1]) : 100000;
    int minutes = argc > 2 ? atoi(argv[2]) : 5;
    int noisy = argc > 3 ? atoi(argv[3]) : 100;
    const char *path = argc > 4 ? argv[4] : ":memory:";
    log_min_level = LOG_WARN;
    struct store *st;
    if (nalarms < 1 || minutes < 1 || svc_store_open(path, &st))
        return 2;
    clock_test_set(T0);
    cw_alarms_init();

    double t = cpu_ms();
    store_begin(st);
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO cw_alarms(region, name, account, composite,"
                                     " state, doc, creator, creator_key) VALUES('us-east-1', ?1,"
                                     " '123456789012', 0, 'INSUFFICIENT_DATA', ?2, ?3, NULL)");
    const char *creator = "{\"kind\":\"root\",\"temporary\":false,\"account\":\"123456789012\","
                          "\"arn\":\"arn:aws:iam::123456789012:root\",\"user_id\":"
                          "\"123456789012\",\"name\":\"root\",\"session_name\":\"\"}";
    char name[64], doc[1400];
    for (int i = 0; i < nalarms; i++) {
        snprintf(name, sizeof(name), "alarm-%06d", i);
        snprintf(doc, sizeof(doc),
                 "{\"AlarmName\":\"%s\",\"AlarmArn\":\"arn:aws:cloudwatch:us-east-1:"
                 "123456789012:alarm:%s\",\"AlarmConfigurationUpdatedTimestamp\":%lld,"
                 "\"ActionsEnabled\":true,\"OKActions\":[],\"AlarmActions\":[],"
                 "\"InsufficientDataActions\":[],\"StateValue\":\"INSUFFICIENT_DATA\","
                 "\"StateReason\":\"Unchecked: Initial alarm creation\","
                 "\"StateUpdatedTimestamp\":%lld,\"MetricName\":\"Load\",\"Namespace\":"
                 "\"Bench\",\"Statistic\":\"Average\",\"Dimensions\":[{\"Name\":\"Host\","
                 "\"Value\":\"h%06d\"}],\"Period\":60,\"EvaluationPeriods\":%d,"
                 "\"DatapointsToAlarm\":%d,\"Threshold\":%d.0,\"ComparisonOperator\":"
                 "\"GreaterThanThreshold\",\"TreatMissingData\":\"missing\"}",
                 name, name, T0, T0, i, 1 + i % 5, 1 + (i % 5) / 2, 50 + i % 40);
        sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, doc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, creator, -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            return 3;
        sqlite3_reset(s);
    }
    store_commit(st);
    printf("setup: %d alarms in %.0f ms CPU\n", nalarms, cpu_ms() - t);

    unsigned seed = 42;
    for (int m = 0; m < minutes; m++) {
        int64_t now = T0 + (int64_t)m * 60000;
        t = cpu_ms();
        store_begin(st);
        for (int i = 0; i < nalarms; i++) {
            char host[16];
            snprintf(host, sizeof(host), "h%06d", i);
            struct cw_dim d = {"Host", host};
            struct cw_metric mt = {.account = "123456789012",
                                   .region = "us-east-1",
                                   .ns = "Bench",
                                   .name = "Load",
                                   .dims = &d,
                                   .ndims = 1};
            seed = seed * 1103515245u + 12345u;
            double v = i % 100 < noisy ? (double)((seed >> 16) % 100) : (double)(i % 100);
            struct cw_point p = {.ts_ms = now - 30000,
                                 .unit = "Percent",
                                 .resolution = 60,
                                 .count = 1,
                                 .sum = v,
                                 .min = v,
                                 .max = v};
            cw_put_point(st, &mt, &p, now);
        }
        store_commit(st);
        double ingest = cpu_ms() - t;
        clock_test_set(now);
        t = cpu_ms();
        store_begin(st);
        size_t seen = cw_alarms_sweep(st, now);
        store_commit(st);
        double sweep = cpu_ms() - t;
        printf("minute %d: sweep of %zu alarms %.0f ms CPU (%.2f us/alarm); ingest %.0f ms; "
               "ALARM %d OK %d INSUFFICIENT_DATA %d\n",
               m + 1, seen, sweep, sweep * 1000.0 / (double)(seen ? seen : 1), ingest,
               count_state(st, "ALARM"), count_state(st, "OK"),
               count_state(st, "INSUFFICIENT_DATA"));
        fflush(stdout);
    }
    cw_alarms_cache_clear();
    store_close(st);
    return 0;
}
