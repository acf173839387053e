/* clock_test.c — src/clock/clock.c: modes, event order, chained events, persistence. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/base.h"
#include "clock/clock.h"
#include "harness.h"
#include "store/store.h"
#include "svc/module.h"

#define T0 1798761600000LL /* 2027-01-01T00:00:00Z */

/* What the recording handler saw, in run order. */
static struct seen {
    char kind[16], arg[32];
    int64_t at_ms, now_ms;
} seen[32];
static int nseen;

static void record(struct store *st, int64_t at_ms, const char *arg, const char *kind)
{
    (void)st;
    if (nseen < (int)ARRAY_LEN(seen)) {
        snprintf(seen[nseen].kind, sizeof(seen[nseen].kind), "%s", kind);
        snprintf(seen[nseen].arg, sizeof(seen[nseen].arg), "%s", arg);
        seen[nseen].at_ms = at_ms;
        seen[nseen].now_ms = clock_now();
    }
    nseen++;
}

static void on_rec(struct store *st, int64_t at_ms, const char *arg)
{
    record(st, at_ms, arg, "rec");
}

/* Re-schedules itself 5 s later until arg reaches "3". */
static void on_chain(struct store *st, int64_t at_ms, const char *arg)
{
    record(st, at_ms, arg, "chain");
    int n = atoi(arg);
    if (n < 3) {
        char next[16];
        snprintf(next, sizeof(next), "%d", n + 1);
        sched_at(st, at_ms + 5000, "chain", next);
    }
}

/* Tries to advance from inside a handler (must be refused) and records the result. */
static int nested_rc;
static void on_nested(struct store *st, int64_t at_ms, const char *arg)
{
    record(st, at_ms, arg, "nested");
    nested_rc = clock_advance(st, 1000);
}

static struct store *open_mem(void)
{
    struct store *st = NULL;
    if (svc_store_open(":memory:", &st))
        return NULL;
    clock_on("rec", on_rec);
    clock_on("chain", on_chain);
    clock_on("nested", on_nested);
    nseen = 0;
    return st;
}

static int64_t queued(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM events");
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

TEST(clock_manual_stands_still_and_advances)
{
    struct store *st = open_mem();
    CHECK(st != NULL);
    if (!st)
        return;
    CHECK_EQ_INT(clock_init(st, CLOCK_MANUAL, T0, false), 0);
    CHECK_EQ_INT(clock_mode(), CLOCK_MANUAL);
    CHECK_EQ_INT(clock_now(), T0);
    usleep(20000);
    CHECK_EQ_INT(clock_now(), T0);
    CHECK_EQ_INT(clock_advance(st, 90000), 0);
    CHECK_EQ_INT(clock_now(), T0 + 90000);
    CHECK_EQ_INT(clock_advance_to(st, T0 + 3600000), 0);
    CHECK_EQ_INT(clock_now(), T0 + 3600000);
    char *v = store_meta_get(st, "clock_now_ms");
    CHECK_EQ_STR(v, "1798765200000");
    free(v);
    v = store_meta_get(st, "clock_mode");
    CHECK_EQ_STR(v, "manual");
    free(v);
    store_close(st);
}

TEST(clock_real_follows_wall_plus_advances)
{
    struct store *st = open_mem();
    if (!st)
        return;
    CHECK_EQ_INT(clock_init(st, CLOCK_REAL, 0, false), 0);
    CHECK_EQ_INT(clock_mode(), CLOCK_REAL);
    int64_t d = clock_now() - wall_now_ms();
    CHECK(d > -1000 && d < 1000);
    int64_t a = clock_now();
    usleep(30000);
    CHECK(clock_now() - a >= 25); /* it moves with the wall clock */
    CHECK_EQ_INT(clock_advance(st, 2 * 3600000), 0);
    d = clock_now() - wall_now_ms();
    CHECK(d > 2 * 3600000 - 1000 && d < 2 * 3600000 + 1000);
    store_close(st);

    /* a start time in real mode sets where virtual time begins */
    st = open_mem();
    if (!st)
        return;
    CHECK_EQ_INT(clock_init(st, CLOCK_REAL, T0, false), 0);
    d = clock_now() - T0;
    CHECK(d >= 0 && d < 1000);
    store_close(st);
}

TEST(clock_advance_backwards_refused)
{
    struct store *st = open_mem();
    if (!st)
        return;
    CHECK_EQ_INT(clock_init(st, CLOCK_MANUAL, T0, false), 0);
    CHECK_EQ_INT(clock_advance_to(st, T0 - 1), -1);
    CHECK_EQ_INT(clock_advance(st, -5), -1);
    CHECK_EQ_INT(clock_now(), T0);
    CHECK_EQ_INT(clock_advance_to(st, T0), 0); /* standing still is fine */
    CHECK_EQ_INT(clock_now(), T0);
    store_close(st);
}

TEST(clock_events_run_in_time_order_at_their_time)
{
    struct store *st = open_mem();
    if (!st)
        return;
    CHECK_EQ_INT(clock_init(st, CLOCK_MANUAL, T0, false), 0);
    CHECK(sched_at(st, T0 + 30000, "rec", "c") > 0);
    CHECK(sched_at(st, T0 + 10000, "rec", "a") > 0);
    CHECK(sched_at(st, T0 + 20000, "rec", "b1") > 0);
    CHECK(sched_at(st, T0 + 20000, "rec", "b2") > 0);
    CHECK_EQ_INT(clock_next_due_in(st), -1); /* manual: nothing comes due by itself */
    CHECK_EQ_INT(clock_tick(st), 0);
    CHECK_EQ_INT(nseen, 0);

    CHECK_EQ_INT(clock_advance_to(st, T0 + 25000), 0);
    CHECK_EQ_INT(nseen, 3);
    CHECK_EQ_STR(seen[0].arg, "a");
    CHECK_EQ_INT(seen[0].now_ms, T0 + 10000);
    CHECK_EQ_INT(seen[0].at_ms, T0 + 10000);
    CHECK_EQ_STR(seen[1].arg, "b1");
    CHECK_EQ_INT(seen[1].now_ms, T0 + 20000);
    CHECK_EQ_STR(seen[2].arg, "b2");
    CHECK_EQ_INT(seen[2].now_ms, T0 + 20000);
    CHECK_EQ_INT(clock_now(), T0 + 25000);
    CHECK_EQ_INT(queued(st), 1);

    CHECK_EQ_INT(clock_advance(st, 5000), 0); /* exactly at the due time: runs */
    CHECK_EQ_INT(nseen, 4);
    CHECK_EQ_STR(seen[3].arg, "c");
    CHECK_EQ_INT(seen[3].now_ms, T0 + 30000);
    CHECK_EQ_INT(queued(st), 0);
    store_close(st);
}

TEST(clock_events_scheduled_by_events_run_when_due)
{
    struct store *st = open_mem();
    if (!st)
        return;
    CHECK_EQ_INT(clock_init(st, CLOCK_MANUAL, T0, false), 0);
    CHECK(sched_at(st, T0 + 1000, "chain", "0") > 0);
    CHECK(sched_at(st, T0 + 7000, "rec", "mid") > 0);
    CHECK_EQ_INT(clock_advance(st, 12000), 0);
    /* chain 0 @1s, chain 1 @6s, rec @7s, chain 2 @11s; chain 3 @16s stays queued */
    CHECK_EQ_INT(nseen, 4);
    CHECK_EQ_STR(seen[0].arg, "0");
    CHECK_EQ_STR(seen[1].arg, "1");
    CHECK_EQ_INT(seen[1].now_ms, T0 + 6000);
    CHECK_EQ_STR(seen[2].arg, "mid");
    CHECK_EQ_STR(seen[3].arg, "2");
    CHECK_EQ_INT(seen[3].now_ms, T0 + 11000);
    CHECK_EQ_INT(queued(st), 1);
    CHECK_EQ_INT(clock_advance(st, 60000), 0);
    CHECK_EQ_INT(nseen, 5);
    CHECK_EQ_STR(seen[4].arg, "3");
    CHECK_EQ_INT(seen[4].now_ms, T0 + 16000);
    CHECK_EQ_INT(clock_now(), T0 + 72000);
    store_close(st);
}

TEST(clock_overdue_and_nested_and_cancel)
{
    struct store *st = open_mem();
    if (!st)
        return;
    CHECK_EQ_INT(clock_init(st, CLOCK_MANUAL, T0, false), 0);
    /* an event due now (or in the past) runs on the next tick, at the current time */
    CHECK(sched_at(st, T0 - 5000, "rec", "late") > 0);
    CHECK_EQ_INT(clock_next_due_in(st), 0);
    CHECK_EQ_INT(clock_tick(st), 0);
    CHECK_EQ_INT(nseen, 1);
    CHECK_EQ_INT(seen[0].now_ms, T0);
    CHECK_EQ_INT(seen[0].at_ms, T0 - 5000);

    /* advancing from inside a handler is refused */
    nested_rc = 0;
    CHECK(sched_at(st, T0 + 1000, "nested", "x") > 0);
    CHECK_EQ_INT(clock_advance(st, 2000), 0);
    CHECK_EQ_INT(nested_rc, -1);
    CHECK_EQ_INT(clock_now(), T0 + 2000);

    /* cancel */
    CHECK(sched_at(st, T0 + 5000, "rec", "gone") > 0);
    CHECK(sched_at(st, T0 + 5000, "rec", "kept") > 0);
    CHECK_EQ_INT(sched_cancel(st, "rec", "gone"), 0);
    CHECK_EQ_INT(clock_advance(st, 10000), 0);
    CHECK_EQ_INT(nseen, 3);
    CHECK_EQ_STR(seen[2].arg, "kept");

    /* an event of an unknown kind is dropped, not wedged */
    CHECK(sched_at(st, T0 + 13000, "nobody", "x") > 0);
    CHECK_EQ_INT(clock_advance(st, 2000), 0);
    CHECK_EQ_INT(queued(st), 0);
    store_close(st);
}

TEST(clock_real_mode_next_due_and_tick)
{
    struct store *st = open_mem();
    if (!st)
        return;
    CHECK_EQ_INT(clock_init(st, CLOCK_REAL, 0, false), 0);
    int64_t now = clock_now();
    CHECK(sched_at(st, now + 60000, "rec", "later") > 0);
    int64_t in = clock_next_due_in(st);
    CHECK(in > 59000 && in <= 60000);
    CHECK(sched_at(st, now + 30, "rec", "soon") > 0);
    usleep(60000);
    CHECK_EQ_INT(clock_tick(st), 0);
    CHECK_EQ_INT(nseen, 1);
    CHECK_EQ_STR(seen[0].arg, "soon");
    CHECK(seen[0].now_ms >= now + 30 && seen[0].now_ms < now + 1000);
    /* advancing in real mode runs the later one at its own time */
    CHECK_EQ_INT(clock_advance(st, 120000), 0);
    CHECK_EQ_INT(nseen, 2);
    CHECK_EQ_INT(seen[1].now_ms, now + 60000);
    store_close(st);
}

TEST(clock_persists_across_reopen)
{
    char path[256];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/rl_clock_test_%d.db", dir && *dir ? dir : "/tmp",
             (int)getpid());
    struct store *st = NULL;
    CHECK_EQ_INT(svc_store_open(path, &st), 0);
    if (!st)
        return;
    nseen = 0;
    clock_on("rec", on_rec);
    CHECK_EQ_INT(clock_init(st, CLOCK_MANUAL, T0, false), 0);
    CHECK(sched_at(st, T0 + 100000, "rec", "persisted") > 0);
    CHECK_EQ_INT(clock_advance(st, 50000), 0);
    store_close(st);
    clock_test_set(0); /* forget the in-memory state */

    st = NULL;
    CHECK_EQ_INT(svc_store_open(path, &st), 0);
    if (st) {
        /* the stored mode and time win over the defaults unless forced */
        CHECK_EQ_INT(clock_init(st, CLOCK_REAL, 0, false), 0);
        CHECK_EQ_INT(clock_mode(), CLOCK_MANUAL);
        CHECK_EQ_INT(clock_now(), T0 + 50000);
        CHECK_EQ_INT(queued(st), 1);
        CHECK_EQ_INT(clock_advance(st, 60000), 0);
        CHECK_EQ_INT(nseen, 1);
        CHECK_EQ_INT(seen[0].now_ms, T0 + 100000);
        /* forcing another mode keeps the virtual time reached */
        CHECK_EQ_INT(clock_init(st, CLOCK_REAL, 0, true), 0);
        CHECK_EQ_INT(clock_mode(), CLOCK_REAL);
        int64_t d = clock_now() - (T0 + 110000);
        CHECK(d >= 0 && d < 1000);
        store_close(st);
    }
    char p[300];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}
