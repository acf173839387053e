/*
 * clock.c — virtual time and the event queue.
 *
 * Real mode: virtual = wall + offset; an advance adds to the offset. Manual mode: virtual
 * time is a stored instant that moves only when advanced or set. While events run, the
 * clock is pinned to the event's time (never earlier than the time already reached), so
 * handlers see clock_now() == their due time. State lives in meta:
 *   clock_mode = "real" | "manual", clock_offset_ms (real), clock_now_ms (manual).
 * The queue is the `events` table ordered by (at_ms, id). The earliest due time is cached in
 * memory as a lower bound (it may be early, never late) so the loop's per-request tick costs
 * no query when nothing is due.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "store/store.h"

/* The event queue's table (step 1 of 0.1's single migration list: store_migration). */
static const char CLOCK_SCHEMA_1[] =
    "CREATE TABLE events(id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  arg TEXT NOT NULL);"
    "CREATE INDEX events_at ON events(at_ms, id);"
    "CREATE INDEX events_kind_arg ON events(kind, arg);"; /* sched_cancel */
static const struct store_migration clock_steps[] = {{CLOCK_SCHEMA_1, 1}};
const struct store_schema clock_schema = {"clock", clock_steps, (int)ARRAY_LEN(clock_steps)};

struct handler {
    char *kind;
    clock_event_fn fn;
};

static struct {
    enum clock_mode mode;
    int64_t offset_ms; /* real mode */
    int64_t now_ms;    /* manual mode */
    bool pinned;       /* events are running: clock_now() == pinned_ms */
    int64_t pinned_ms;
    int64_t settled_ms; /* the virtual time at the end of the last tick/advance/init */
    bool next_known;    /* next_due_ms is valid (INT64_MAX: queue empty) */
    int64_t next_due_ms;
    struct handler *handlers;
    size_t nhandlers;
} clk;

static int64_t unpinned_now(void)
{
    return clk.mode == CLOCK_MANUAL ? clk.now_ms : wall_now_ms() + clk.offset_ms;
}

int64_t clock_now(void)
{
    return clk.pinned ? clk.pinned_ms : unpinned_now();
}

enum clock_mode clock_mode(void)
{
    return clk.mode;
}

static int meta_i64(struct store *st, const char *key, int64_t *out)
{
    char *v = store_meta_get(st, key);
    int rc = v ? str_to_i64(v, out) : -1;
    free(v);
    return rc;
}

static int meta_set_i64(struct store *st, const char *key, int64_t v)
{
    char s[32];
    snprintf(s, sizeof(s), "%" PRId64, v);
    return store_meta_set(st, key, s);
}

/* Sets the clock state so that the virtual time is now_ms, and persists it. */
static int set_now(struct store *st, int64_t now_ms)
{
    if (clk.mode == CLOCK_MANUAL) {
        clk.now_ms = now_ms;
        return st ? meta_set_i64(st, "clock_now_ms", now_ms) : 0;
    }
    clk.offset_ms = now_ms - wall_now_ms();
    return st ? meta_set_i64(st, "clock_offset_ms", clk.offset_ms) : 0;
}

static int save_mode(struct store *st)
{
    return store_meta_set(st, "clock_mode", clk.mode == CLOCK_MANUAL ? "manual" : "real");
}

int clock_init(struct store *st, enum clock_mode mode, int64_t start_ms, bool force_mode)
{
    int rc = -1;
    char *stored = store_meta_get(st, "clock_mode");
    clk.pinned = false;
    clk.next_known = false;
    if (store_begin(st))
        goto out;
    if (!stored) {
        /* first start */
        clk.mode = mode;
        if (save_mode(st) || set_now(st, start_ms > 0 ? start_ms : wall_now_ms()))
            goto rollback;
    } else {
        clk.mode = str_eq(stored, "manual") ? CLOCK_MANUAL : CLOCK_REAL;
        int64_t v = 0;
        if (clk.mode == CLOCK_MANUAL) {
            if (meta_i64(st, "clock_now_ms", &v))
                v = wall_now_ms();
            clk.now_ms = v;
        } else {
            if (meta_i64(st, "clock_offset_ms", &v))
                v = 0;
            clk.offset_ms = v;
        }
        if (force_mode && mode != clk.mode) {
            /* switch mode, keeping the virtual time reached so far */
            int64_t now = unpinned_now();
            clk.mode = mode;
            if (save_mode(st) || set_now(st, now))
                goto rollback;
        }
    }
    if (store_commit(st))
        goto rollback;
    clk.settled_ms = unpinned_now();
    rc = 0;
    goto out;
rollback:
    store_rollback(st);
out:
    free(stored);
    return rc;
}

void clock_test_set(int64_t now_ms)
{
    clk.mode = CLOCK_MANUAL;
    clk.now_ms = now_ms;
    clk.settled_ms = now_ms;
    clk.pinned = false;
    clk.next_known = false;
}

void clock_on(const char *kind, clock_event_fn fn)
{
    for (size_t i = 0; i < clk.nhandlers; i++) {
        if (str_eq(clk.handlers[i].kind, kind)) {
            clk.handlers[i].fn = fn;
            return;
        }
    }
    clk.handlers = xrealloc(clk.handlers, (clk.nhandlers + 1) * sizeof(*clk.handlers));
    clk.handlers[clk.nhandlers].kind = xstrdup(kind);
    clk.handlers[clk.nhandlers].fn = fn;
    clk.nhandlers++;
}

static clock_event_fn find_handler(const char *kind)
{
    for (size_t i = 0; i < clk.nhandlers; i++)
        if (str_eq(clk.handlers[i].kind, kind))
            return clk.handlers[i].fn;
    return NULL;
}

int64_t sched_at(struct store *st, int64_t at_ms, const char *kind, const char *arg)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO events(at_ms, kind, arg) VALUES(?1, ?2, ?3)");
    sqlite3_bind_int64(s, 1, at_ms);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, arg ? arg : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        log_error("clock: schedule %s: %s", kind, sqlite3_errmsg(store_db(st)));
        return -1;
    }
    if (clk.next_known && at_ms < clk.next_due_ms)
        clk.next_due_ms = at_ms;
    return sqlite3_last_insert_rowid(store_db(st));
}

int sched_cancel(struct store *st, const char *kind, const char *arg)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM events WHERE kind = ?1 AND arg = ?2");
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, arg ? arg : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    clk.next_known = false;
    if (rc != SQLITE_DONE) {
        log_error("clock: cancel %s: %s", kind, sqlite3_errmsg(store_db(st)));
        return -1;
    }
    return 0;
}

/* Earliest queued time (INT64_MAX when empty), from the cache or the table. */
static int64_t next_due(struct store *st)
{
    if (clk.next_known)
        return clk.next_due_ms;
    sqlite3_stmt *s = store_stmt(st, "SELECT at_ms FROM events ORDER BY at_ms, id LIMIT 1");
    int64_t at = INT64_MAX;
    if (sqlite3_step(s) == SQLITE_ROW)
        at = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    clk.next_due_ms = at;
    clk.next_known = true;
    return at;
}

struct event {
    int64_t id, at_ms;
    char *kind, *arg;
};

/* Pops the earliest event due at or before limit into *ev (heap strings). 1 if none. */
static int pop_due(struct store *st, int64_t limit, struct event *ev)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id, at_ms, kind, arg FROM events "
                                     "WHERE at_ms <= ?1 ORDER BY at_ms, id LIMIT 1");
    sqlite3_bind_int64(s, 1, limit);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            log_error("clock: queue: %s", sqlite3_errmsg(store_db(st)));
            return -1;
        }
        return 1;
    }
    ev->id = sqlite3_column_int64(s, 0);
    ev->at_ms = sqlite3_column_int64(s, 1);
    ev->kind = xstrdup((const char *)sqlite3_column_text(s, 2));
    ev->arg = xstrdup((const char *)sqlite3_column_text(s, 3));
    sqlite3_reset(s);
    return 0;
}

/* Removes one event from the queue. */
static int delete_event(struct store *st, int64_t id)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM events WHERE id = ?1");
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return rc;
}

/* Runs one popped event in its own (nested) transaction, together with its removal from
 * the queue and, in manual mode, the clock reaching its time. */
static int run_event(struct store *st, const struct event *ev)
{
    if (store_begin(st))
        return -1;
    int rc = delete_event(st, ev->id);
    if (rc == 0 && clk.mode == CLOCK_MANUAL)
        rc = meta_set_i64(st, "clock_now_ms", clk.pinned_ms);
    if (rc == 0) {
        clock_event_fn fn = find_handler(ev->kind);
        if (fn)
            fn(st, ev->at_ms, ev->arg);
        else
            log_warn("clock: no handler for event %s(%s); dropped", ev->kind, ev->arg);
        rc = store_commit(st);
    }
    if (rc)
        store_rollback(st);
    return rc;
}

/*
 * Runs every event due at or before limit, in (at_ms, id) order, including events the
 * handlers schedule meanwhile. The clock is pinned to each event's time (never earlier
 * than clk.pinned_ms already is); the caller pins before and unpins after. An event whose
 * transaction fails is dropped (logged) so that it cannot wedge the clock.
 */
static int run_due(struct store *st, int64_t limit)
{
    int rc = 0;
    for (;;) {
        struct event ev;
        int prc = pop_due(st, limit, &ev);
        if (prc)
            return prc < 0 ? -1 : rc;
        if (ev.at_ms > clk.pinned_ms)
            clk.pinned_ms = ev.at_ms;
        if (run_event(st, &ev)) {
            log_error("clock: event %" PRId64 " %s(%s) failed; dropped", ev.id, ev.kind, ev.arg);
            rc = -1;
            if (delete_event(st, ev.id)) {
                free(ev.kind);
                free(ev.arg);
                clk.next_known = false;
                return -1;
            }
        }
        free(ev.kind);
        free(ev.arg);
        clk.next_known = false;
    }
}

/* Pins the clock for a run of events, starting no earlier than the time already settled. */
static void pin(int64_t now)
{
    clk.pinned = true;
    clk.pinned_ms = clk.settled_ms < now ? clk.settled_ms : now;
}

int clock_advance_to(struct store *st, int64_t target_ms)
{
    if (clk.pinned) {
        log_error("clock: advance from inside an event handler");
        return -1;
    }
    int64_t now = clock_now();
    if (target_ms < now)
        return -1;
    int rc = 0;
    if (next_due(st) <= target_ms) {
        pin(now);
        rc = run_due(st, target_ms);
        clk.pinned = false;
    }
    if (set_now(st, target_ms))
        rc = -1;
    clk.settled_ms = target_ms;
    return rc;
}

int clock_advance(struct store *st, int64_t delta_ms)
{
    if (delta_ms < 0)
        return -1;
    return clock_advance_to(st, clock_now() + delta_ms);
}

int clock_tick(struct store *st)
{
    if (clk.pinned)
        return 0;
    int64_t now = clock_now();
    int rc = 0;
    if (next_due(st) <= now) {
        pin(now);
        rc = run_due(st, now);
        clk.pinned = false;
    }
    clk.settled_ms = now;
    return rc;
}

int64_t clock_next_due_in(struct store *st)
{
    int64_t at = next_due(st);
    if (at == INT64_MAX)
        return -1;
    int64_t now = clock_now();
    if (at <= now)
        return 0;
    return clk.mode == CLOCK_MANUAL ? -1 : at - now;
}
