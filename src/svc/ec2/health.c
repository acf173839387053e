/*
 * health.c — hosts, status checks and their timeline, the derived AWS/EC2 status-check
 * metrics, the admin view of an instance, and ec2_init (see health_internal.h for the model).
 *
 * Status checks (aws-behaviour §3.1): after a boot (launch, start, reboot, recovery) every
 * check is `initializing` for EC2_CHECKS_INIT_MS; then each check passes unless a fault
 * holds it: a failed host fails the system check AND the instance check [doc], an
 * `instance` fault fails the instance check, an `ebs` fault the attached-EBS check. While
 * checks are initializing, faults do not show yet: the first results arrive at the end of
 * the window (inferred).
 *
 * Metrics: StatusCheckFailed_System / _Instance / _AttachedEBS are 1 for a failed check and
 * 0 for a passed one; StatusCheckFailed is the maximum of the three. One datapoint per
 * minute (at the round minute) while the instance runs with its checks past initializing;
 * none while initializing (inferred: a new instance's status-check alarms sit in
 * INSUFFICIENT_DATA for the first minutes) and none while not running [doc]. They are
 * computed from the timeline for the requested window: the cost is the number of timeline
 * rows in the window plus the datapoints returned, never a stored row per minute.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/metric.h"
#include "svc/restags.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/health_internal.h"

#define ST_INIT "initializing"
#define ST_PASSED "passed"
#define ST_FAILED "failed"
#define ST_NA "not-applicable"
#define ST_INSUFFICIENT "insufficient-data"

#define MINUTE_MS 60000LL

/* ================================================================ small helpers */

static int db_fail(struct store *st, const char *what)
{
    log_error("ec2 health: %s: %s", what, sqlite3_errmsg(store_db(st)));
    return -1;
}

/* Runs a statement that returns no rows. 0 or -1. */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : db_fail(st, what);
}

const char *health_status_lit(const char *s)
{
    static const char *const lits[] = {ST_INIT, ST_PASSED, ST_FAILED, ST_NA};
    for (size_t i = 0; i < ARRAY_LEN(lits); i++)
        if (str_eq(s, lits[i]))
            return lits[i];
    return ST_INSUFFICIENT;
}

void health_new_id(const char *prefix, char *out, size_t cap)
{
    char hex[18];
    rand_chars(hex, 17, ALPHA_LOWER_HEX);
    snprintf(out, cap, "%s%s", prefix, hex);
}

static int64_t floor_minute(int64_t ms)
{
    int64_t r = ms % MINUTE_MS;
    return r < 0 ? ms - r - MINUTE_MS : ms - r;
}

static int64_t ceil_minute(int64_t ms)
{
    int64_t f = floor_minute(ms);
    return f == ms ? ms : f + MINUTE_MS;
}

/* ================================================================ hosts */

int health_host_ensure(struct store *st, const char *host_id, const char *region, const char *az,
                       int64_t now_ms)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO ec2_hosts(id, region, az, failed_ms,"
                                     " created_ms) VALUES(?1, ?2, ?3, NULL, ?4)");
    store_bind_text_or_null(s, 1, host_id);
    store_bind_text_or_null(s, 2, region);
    store_bind_text_or_null(s, 3, az);
    sqlite3_bind_int64(s, 4, now_ms);
    return step_done(st, s, "host insert");
}

/* 0 and *usable when the host exists, is healthy and has room; -1 on error. */
static int host_usable(struct store *st, const char *host_id, bool *usable)
{
    *usable = false;
    sqlite3_stmt *s = store_stmt(st, "SELECT failed_ms IS NULL, (SELECT COUNT(*) FROM"
                                     " ec2_instances WHERE host_id = ?1) FROM ec2_hosts"
                                     " WHERE id = ?1");
    store_bind_text_or_null(s, 1, host_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *usable = sqlite3_column_int(s, 0) && sqlite3_column_int64(s, 1) < EC2_HOST_CAPACITY;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(st, "host lookup");
}

/*
 * Placement: each AZ has one open host (meta "ec2_open_host:AZ") that takes instances until
 * it is full or fails; then a new host opens. O(1) per placement, whatever the fleet size.
 */
int health_pick_host(struct store *st, const char *region, const char *az, const char *exclude,
                     int64_t now_ms, char out[32])
{
    char key[96];
    snprintf(key, sizeof(key), "ec2_open_host:%s", az);
    char *cur = store_meta_get(st, key);
    if (cur && !str_eq(cur, exclude) && strlen(cur) < 32) {
        bool ok;
        if (host_usable(st, cur, &ok)) {
            free(cur);
            return -1;
        }
        if (ok) {
            snprintf(out, 32, "%s", cur);
            free(cur);
            return 0;
        }
    }
    free(cur);
    health_new_id("h-", out, 32);
    if (health_host_ensure(st, out, region, az, now_ms) || store_meta_set(st, key, out))
        return -1;
    return 0;
}

/* 0 and *failed (host failed at or before now); a missing host is healthy. -1 on error. */
static int host_failed(struct store *st, const char *host_id, int64_t now_ms, bool *failed)
{
    *failed = false;
    if (!host_id || !*host_id)
        return 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT failed_ms FROM ec2_hosts WHERE id = ?1");
    store_bind_text_or_null(s, 1, host_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *failed = sqlite3_column_type(s, 0) != SQLITE_NULL && sqlite3_column_int64(s, 0) <= now_ms;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(st, "host state");
}

/* ================================================================ timeline */

static int row_read(sqlite3_stmt *s, struct health_row *out)
{
    out->at_ms = sqlite3_column_int64(s, 0);
    out->seq = sqlite3_column_int64(s, 1);
    out->running = sqlite3_column_int(s, 2) != 0;
    out->system = health_status_lit((const char *)sqlite3_column_text(s, 3));
    out->instance = health_status_lit((const char *)sqlite3_column_text(s, 4));
    out->ebs = health_status_lit((const char *)sqlite3_column_text(s, 5));
    return 0;
}

int health_row_at(struct store *st, const char *instance_id, int64_t t, struct health_row *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT at_ms, seq, running, system, instance, ebs"
                                     " FROM ec2_health WHERE instance_id = ?1 AND at_ms <= ?2"
                                     " ORDER BY at_ms DESC, seq DESC LIMIT 1");
    store_bind_text_or_null(s, 1, instance_id);
    sqlite3_bind_int64(s, 2, t);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        row_read(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? 1 : db_fail(st, "timeline read");
}

static bool row_same(const struct health_row *a, const struct health_row *b)
{
    return a->running == b->running && str_eq(a->system, b->system) &&
           str_eq(a->instance, b->instance) && str_eq(a->ebs, b->ebs);
}

static int row_insert(struct store *st, const char *instance_id, const struct health_row *r)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO ec2_health(instance_id, at_ms, seq, running,"
                                     " system, instance, ebs) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    store_bind_text_or_null(s, 1, instance_id);
    sqlite3_bind_int64(s, 2, r->at_ms);
    sqlite3_bind_int64(s, 3, r->seq);
    sqlite3_bind_int(s, 4, r->running);
    store_bind_text_or_null(s, 5, r->system);
    store_bind_text_or_null(s, 6, r->instance);
    store_bind_text_or_null(s, 7, r->ebs);
    return step_done(st, s, "timeline insert");
}

/* The check results if the checks ran now: host, guest and EBS faults. */
static int underlying(struct store *st, const struct ec2_instance *in, int64_t now_ms,
                      struct health_row *r)
{
    bool sys_failed, inst_fault = false, ebs_fault = false;
    if (host_failed(st, in->host_id, now_ms, &sys_failed))
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT kind FROM ec2_faults WHERE instance_id = ?1"
                                     " AND cleared_ms IS NULL AND kind IN ('instance', 'ebs')");
    store_bind_text_or_null(s, 1, in->id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 0);
        if (str_eq(k, "instance"))
            inst_fault = true;
        else
            ebs_fault = true;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(st, "fault lookup");
    r->running = true;
    r->system = sys_failed ? ST_FAILED : ST_PASSED;
    r->instance = sys_failed || inst_fault ? ST_FAILED : ST_PASSED;
    r->ebs = ebs_fault ? ST_FAILED : ST_PASSED;
    return 0;
}

enum run_mode { RUN_AUTO = -1, RUN_DOWN = 0, RUN_UP = 1 };

/*
 * The heart of the model: rewrites the timeline from now on. mode says whether the instance
 * runs (RUN_AUTO: from its row's state and host; the lifecycle hooks force it, since the
 * row's state may change after the hook in the same transaction).
 */
static int timeline_update(struct store *st, const struct ec2_instance *in, int64_t now_ms,
                           enum run_mode mode)
{
    bool running = mode == RUN_AUTO ? (in->state == EC2_RUNNING && in->host_id[0]) : mode == RUN_UP;
    struct health_row cur = {
        .at_ms = now_ms, .running = running, .system = ST_NA, .instance = ST_NA, .ebs = ST_NA};
    struct health_row fut = {0};
    bool has_fut = false;
    if (running) {
        struct health_row und;
        if (underlying(st, in, now_ms, &und))
            return -1;
        int64_t init_end = in->boot_ms + EC2_CHECKS_INIT_MS;
        if (now_ms < init_end) {
            cur.system = cur.instance = cur.ebs = ST_INIT;
            fut = und;
            fut.at_ms = init_end;
            fut.seq = 0;
            has_fut = true;
        } else {
            cur.system = und.system;
            cur.instance = und.instance;
            cur.ebs = und.ebs;
        }
    }
    /* the provisional future goes; remember whether it held a system failure (an armed
     * recovery) so that the event is only cancelled when there can be one */
    sqlite3_stmt *s = store_stmt(st, "SELECT EXISTS(SELECT 1 FROM ec2_health WHERE"
                                     " instance_id = ?1 AND at_ms > ?2 AND system = 'failed')");
    store_bind_text_or_null(s, 1, in->id);
    sqlite3_bind_int64(s, 2, now_ms);
    bool future_failed = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    s = store_stmt(st, "DELETE FROM ec2_health WHERE instance_id = ?1 AND at_ms > ?2");
    store_bind_text_or_null(s, 1, in->id);
    sqlite3_bind_int64(s, 2, now_ms);
    if (step_done(st, s, "timeline trim"))
        return -1;
    struct health_row last;
    int r = health_row_at(st, in->id, now_ms, &last);
    if (r < 0)
        return -1;
    bool was_failed = r == 0 && last.running && str_eq(last.system, ST_FAILED);
    if (r == 1 || !row_same(&last, &cur)) {
        cur.seq = (r == 0 && last.at_ms == now_ms) ? last.seq + 1 : 0;
        if (row_insert(st, in->id, &cur))
            return -1;
    }
    if (has_fut && row_insert(st, in->id, &fut))
        return -1;

    /* simplified automatic recovery: armed when the system check turns failed; the handler
     * re-checks everything (state, setting, type) when it fires */
    int64_t fail_at = 0;
    if (cur.running && str_eq(cur.system, ST_FAILED) && !was_failed)
        fail_at = now_ms;
    else if (has_fut && str_eq(fut.system, ST_FAILED))
        fail_at = fut.at_ms;
    if (fail_at) {
        if (sched_cancel(st, EC2_EV_AUTORECOVER, in->id) ||
            sched_at(st, fail_at + EC2_AUTO_RECOVERY_DELAY_MS, EC2_EV_AUTORECOVER, in->id) < 0)
            return -1;
    } else if ((was_failed && !str_eq(cur.system, ST_FAILED)) || future_failed) {
        if (sched_cancel(st, EC2_EV_AUTORECOVER, in->id))
            return -1;
    }
    return 0;
}

int health_refresh(struct store *st, const char *instance_id, int64_t now_ms)
{
    struct ec2_instance in;
    int r = ec2_instance_get(st, instance_id, &in);
    if (r)
        return r < 0 ? -1 : 0; /* gone: nothing to show */
    return timeline_update(st, &in, now_ms, RUN_AUTO);
}

int health_refresh_host(struct store *st, const char *host_id, int64_t now_ms)
{
    /* collect first: refreshing runs other statements on the same connection */
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM ec2_instances WHERE host_id = ?1");
    store_bind_text_or_null(s, 1, host_id);
    char **ids = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ids = xrealloc(ids, (n + 1) * sizeof(*ids));
        ids[n++] = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_reset(s);
    int out = rc == SQLITE_DONE ? 0 : db_fail(st, "host instances");
    for (size_t i = 0; i < n; i++) {
        if (!out && health_refresh(st, ids[i], now_ms))
            out = -1;
        free(ids[i]);
    }
    free(ids);
    return out;
}

/* ================================================================ lifecycle hooks */

int ec2_health_booted(struct store *st, const char *instance_id, int64_t at_ms, char host_id[32])
{
    struct ec2_instance in;
    int r = ec2_instance_get(st, instance_id, &in);
    if (r) {
        log_error("ec2 health: booted: no instance %s", instance_id);
        return -1;
    }
    /* a reboot keeps its host (even a failed one: only stop/start or recovery moves it);
     * launch and start get the AZ's open host */
    bool keep = false;
    if (in.host_id[0]) {
        sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM ec2_hosts WHERE id = ?1");
        store_bind_text_or_null(s, 1, in.host_id);
        r = sqlite3_step(s);
        sqlite3_reset(s);
        if (r != SQLITE_ROW && r != SQLITE_DONE)
            return db_fail(st, "host lookup");
        keep = r == SQLITE_ROW;
    }
    if (!keep && health_pick_host(st, in.region, in.az, NULL, at_ms, in.host_id))
        return -1;
    in.boot_ms = at_ms;
    sqlite3_stmt *s =
        store_stmt(st, "UPDATE ec2_instances SET host_id = ?2, boot_ms = ?3 WHERE id = ?1");
    store_bind_text_or_null(s, 1, in.id);
    store_bind_text_or_null(s, 2, in.host_id);
    sqlite3_bind_int64(s, 3, at_ms);
    if (step_done(st, s, "instance host"))
        return -1;
    if (timeline_update(st, &in, at_ms, RUN_UP))
        return -1;
    snprintf(host_id, 32, "%s", in.host_id);
    return 0;
}

int ec2_health_down(struct store *st, const char *instance_id, int64_t at_ms, bool reboot)
{
    struct ec2_instance in;
    int r = ec2_instance_get(st, instance_id, &in);
    if (r) {
        log_error("ec2 health: down: no instance %s", instance_id);
        return -1;
    }
    /* the guest restarts: an instance (guest) fault is gone */
    if (ec2_faults_close(st, instance_id, "instance", at_ms, reboot ? "reboot" : "stop"))
        return -1;
    /* terminating: the EBS fault goes with the instance (its volumes are released) */
    if (!reboot && (in.state == EC2_SHUTTING_DOWN || in.state == EC2_TERMINATED) &&
        ec2_faults_close(st, instance_id, "ebs", at_ms, "terminate"))
        return -1;
    if (!reboot) {
        sqlite3_stmt *s = store_stmt(st, "UPDATE ec2_instances SET host_id = NULL WHERE id = ?1");
        store_bind_text_or_null(s, 1, instance_id);
        if (step_done(st, s, "instance leaves host"))
            return -1;
        in.host_id[0] = 0;
    }
    return timeline_update(st, &in, at_ms, RUN_DOWN);
}

/* ================================================================ current checks */

static const char *summary_of(const char *detail)
{
    if (str_eq(detail, ST_PASSED))
        return "ok";
    if (str_eq(detail, ST_FAILED))
        return "impaired";
    if (str_eq(detail, ST_INIT))
        return ST_INIT;
    return ST_INSUFFICIENT;
}

/* Start of the current run of `failed` of one check (0 if it is not failed at now). */
static int64_t impaired_since(struct store *st, const char *id, int which, int64_t now_ms)
{
    static const char *const sql[3] = {
        "SELECT MIN(at_ms) FROM ec2_health WHERE instance_id = ?1 AND at_ms <= ?2 AND at_ms >"
        " COALESCE((SELECT MAX(at_ms) FROM ec2_health WHERE instance_id = ?1 AND at_ms <= ?2"
        " AND system != 'failed'), -1)",
        "SELECT MIN(at_ms) FROM ec2_health WHERE instance_id = ?1 AND at_ms <= ?2 AND at_ms >"
        " COALESCE((SELECT MAX(at_ms) FROM ec2_health WHERE instance_id = ?1 AND at_ms <= ?2"
        " AND instance != 'failed'), -1)",
        "SELECT MIN(at_ms) FROM ec2_health WHERE instance_id = ?1 AND at_ms <= ?2 AND at_ms >"
        " COALESCE((SELECT MAX(at_ms) FROM ec2_health WHERE instance_id = ?1 AND at_ms <= ?2"
        " AND ebs != 'failed'), -1)",
    };
    sqlite3_stmt *s = store_stmt(st, sql[which]);
    store_bind_text_or_null(s, 1, id);
    sqlite3_bind_int64(s, 2, now_ms);
    int64_t v = 0;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return v;
}

int ec2_health_checks(struct store *st, const struct ec2_instance *in, int64_t now_ms,
                      struct ec2_checks *out)
{
    memset(out, 0, sizeof(*out));
    out->system = out->instance = out->ebs = ST_NA;
    if (in->state != EC2_RUNNING)
        return 0;
    struct health_row row;
    int r = health_row_at(st, in->id, now_ms, &row);
    if (r < 0)
        return -1;
    if (r == 1) {
        /* never booted through the hooks: derive from the boot time */
        const char *d = now_ms < in->boot_ms + EC2_CHECKS_INIT_MS ? ST_INIT : ST_PASSED;
        row.running = true;
        row.system = row.instance = row.ebs = d;
    } else if (!row.running) {
        /* running, but between a reboot's shutdown and its boot (inferred) */
        row.system = row.instance = row.ebs = ST_INIT;
    }
    out->system_detail = row.system;
    out->instance_detail = row.instance;
    out->ebs_detail = row.ebs;
    out->system = summary_of(row.system);
    out->instance = summary_of(row.instance);
    out->ebs = summary_of(row.ebs);
    if (r == 0 && row.running) {
        if (str_eq(row.system, ST_FAILED))
            out->system_impaired_since = impaired_since(st, in->id, 0, now_ms);
        if (str_eq(row.instance, ST_FAILED))
            out->instance_impaired_since = impaired_since(st, in->id, 1, now_ms);
        if (str_eq(row.ebs, ST_FAILED))
            out->ebs_impaired_since = impaired_since(st, in->id, 2, now_ms);
    }
    return 0;
}

/* ================================================================ derived metrics */

enum metric_kind { M_ANY, M_SYSTEM, M_INSTANCE, M_EBS };

static const struct {
    const char *name;
    enum metric_kind kind;
} metric_names[] = {
    {"StatusCheckFailed", M_ANY},
    {"StatusCheckFailed_Instance", M_INSTANCE},
    {"StatusCheckFailed_System", M_SYSTEM},
    {"StatusCheckFailed_AttachedEBS", M_EBS},
};

/* The metric value of a row: 0/1, or -1 when the row yields no datapoint. */
static int row_value(const struct health_row *r, enum metric_kind k)
{
    if (!r->running)
        return -1;
    const char *v[3] = {r->system, r->instance, r->ebs};
    int out = 0;
    for (int i = 0; i < 3; i++) {
        if (k != M_ANY && (int)k != i + 1)
            continue;
        if (str_eq(v[i], ST_FAILED))
            out = 1;
        else if (!str_eq(v[i], ST_PASSED))
            return -1;
    }
    return out;
}

/* The instance id of a metric with exactly the InstanceId dimension, else NULL. */
static const char *metric_instance(const struct cw_metric *m, enum metric_kind *kind)
{
    if (m->ndims != 1 || !str_eq(m->dims[0].name, "InstanceId") || !str_eq(m->ns, "AWS/EC2"))
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(metric_names); i++) {
        if (str_eq(m->name, metric_names[i].name)) {
            *kind = metric_names[i].kind;
            return m->dims[0].value;
        }
    }
    return NULL;
}

static void emit_points(struct cw_points *out, int64_t from, int64_t to, int value)
{
    for (int64_t t = ceil_minute(from); t < to; t += MINUTE_MS) {
        struct cw_point p = {.ts_ms = t,
                             .unit = "Count",
                             .resolution = 60,
                             .count = 1,
                             .sum = value,
                             .min = value,
                             .max = value};
        cw_points_add(out, &p);
    }
}

static int ec2_metrics_fetch(struct store *st, const struct cw_metric *m, int64_t start_ms,
                             int64_t end_ms, const char *unit, int64_t now_ms,
                             struct cw_points *out)
{
    enum metric_kind kind;
    const char *id = metric_instance(m, &kind);
    if (!id || (unit && !str_eq(unit, "Count")))
        return 0;
    /* only the instance's own region has its metrics */
    sqlite3_stmt *s = store_stmt(st, "SELECT region FROM ec2_instances WHERE id = ?1");
    store_bind_text_or_null(s, 1, id);
    int rc = sqlite3_step(s);
    bool here = rc == SQLITE_ROW && str_eq((const char *)sqlite3_column_text(s, 0), m->region);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, "metric instance");
    if (!here)
        return 0;
    /* datapoints exist up to now (the minute that starts at now included) */
    if (end_ms > now_ms + 1)
        end_ms = now_ms + 1;
    if (start_ms >= end_ms)
        return 0;
    s = store_stmt(st, "SELECT at_ms, seq, running, system, instance, ebs FROM ec2_health"
                       " WHERE instance_id = ?1 AND at_ms < ?3 AND at_ms >= COALESCE("
                       "(SELECT MAX(at_ms) FROM ec2_health WHERE instance_id = ?1"
                       " AND at_ms <= ?2), 0) ORDER BY at_ms, seq");
    store_bind_text_or_null(s, 1, id);
    sqlite3_bind_int64(s, 2, start_ms);
    sqlite3_bind_int64(s, 3, end_ms);
    struct health_row prev;
    bool have = false;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct health_row r;
        row_read(s, &r);
        if (have) {
            int v = row_value(&prev, kind);
            int64_t from = prev.at_ms > start_ms ? prev.at_ms : start_ms;
            if (v >= 0 && r.at_ms > from)
                emit_points(out, from, r.at_ms, v);
        }
        prev = r;
        have = true;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(st, "metric timeline");
    if (have) {
        int v = row_value(&prev, kind);
        int64_t from = prev.at_ms > start_ms ? prev.at_ms : start_ms;
        if (v >= 0)
            emit_points(out, from, end_ms, v);
    }
    return 0;
}

/* Time of the instance's latest status-check datapoint at now, 0 when it never had one. */
static int64_t last_datapoint(struct store *st, const char *id, int64_t now_ms)
{
    struct health_row r;
    if (health_row_at(st, id, now_ms, &r))
        return 0;
    if (row_value(&r, M_ANY) >= 0)
        return floor_minute(now_ms);
    sqlite3_stmt *s = store_stmt(st, "SELECT MAX(at_ms) FROM ec2_health WHERE instance_id = ?1"
                                     " AND at_ms <= ?2 AND running = 1 AND system IN"
                                     " ('passed', 'failed')");
    store_bind_text_or_null(s, 1, id);
    sqlite3_bind_int64(s, 2, now_ms);
    int64_t up = -1;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        up = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (up < 0)
        return 0;
    s = store_stmt(st, "SELECT MIN(at_ms) FROM ec2_health WHERE instance_id = ?1 AND at_ms > ?2"
                       " AND at_ms <= ?3");
    store_bind_text_or_null(s, 1, id);
    sqlite3_bind_int64(s, 2, up);
    sqlite3_bind_int64(s, 3, now_ms);
    int64_t end = up;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        end = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    /* the last minute that started while it was reporting */
    int64_t last = ceil_minute(up);
    return last < end ? floor_minute(end - 1) : 0;
}

static int ec2_metrics_list(struct store *st, struct arena *a, const char *account,
                            const char *region, int64_t now_ms, cw_list_emit_fn emit, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM ec2_instances WHERE region = ?1 ORDER BY id");
    store_bind_text_or_null(s, 1, region);
    char **ids = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ids = xrealloc(ids, (n + 1) * sizeof(*ids));
        ids[n++] = arena_strdup(a, (const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(ids);
        return db_fail(st, "metric list");
    }
    for (size_t i = 0; i < n; i++) {
        int64_t last = last_datapoint(st, ids[i], now_ms);
        if (!last)
            continue;
        struct cw_dim *d = arena_alloc(a, sizeof(*d));
        d->name = "InstanceId";
        d->value = ids[i];
        for (size_t k = 0; k < ARRAY_LEN(metric_names); k++) {
            struct cw_metric m = {.account = account,
                                  .region = region,
                                  .ns = "AWS/EC2",
                                  .name = metric_names[k].name,
                                  .dims = d,
                                  .ndims = 1};
            emit(ctx, &m, last);
        }
    }
    free(ids);
    return 0;
}

static const struct cw_provider ec2_provider = {
    .ns = "AWS/EC2",
    .fetch = ec2_metrics_fetch,
    .list = ec2_metrics_list,
};

/* ================================================================ admin view */

static json_t *iso_or_null(int64_t ms)
{
    if (!ms)
        return json_null();
    char iso[32];
    time_fmt_iso8601_ms(ms, iso);
    return json_string(iso);
}

static json_t *check_json(const char *summary, const char *detail, int64_t since)
{
    json_t *o = json_pack("{s:s}", "status", summary);
    if (detail)
        json_object_set_new(o, "reachability", json_string(detail));
    if (since)
        json_object_set_new(o, "impairedSince", iso_or_null(since));
    return o;
}

static json_t *timeline_json(struct store *st, const char *id, int64_t now_ms)
{
    json_t *arr = json_array();
    sqlite3_stmt *s = store_stmt(st, "SELECT at_ms, seq, running, system, instance, ebs"
                                     " FROM ec2_health WHERE instance_id = ?1 AND at_ms <= ?2"
                                     " ORDER BY at_ms, seq");
    store_bind_text_or_null(s, 1, id);
    sqlite3_bind_int64(s, 2, now_ms);
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct health_row r;
        row_read(s, &r);
        json_array_append_new(arr,
                              json_pack("{s:o, s:b, s:s, s:s, s:s}", "at", iso_or_null(r.at_ms),
                                        "running", r.running, "system", r.system, "instance",
                                        r.instance, "attachedEbs", r.ebs));
    }
    sqlite3_reset(s);
    return arr;
}

static json_t *recoveries_json(struct store *st, const char *id)
{
    json_t *arr = json_array();
    sqlite3_stmt *s = store_stmt(st, "SELECT id, at_ms, code, description, doc FROM ec2_events"
                                     " WHERE instance_id = ?1 ORDER BY at_ms, id");
    store_bind_text_or_null(s, 1, id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *doc = (const char *)sqlite3_column_text(s, 4);
        json_t *d = doc ? json_loads(doc, 0, NULL) : NULL;
        const char *type = json_string_value(json_object_get(d, "type"));
        if (!str_eq(type, "recovery")) {
            json_decref(d);
            continue;
        }
        json_t *o =
            json_pack("{s:s, s:o, s:s, s:s}", "eventId", (const char *)sqlite3_column_text(s, 0),
                      "at", iso_or_null(sqlite3_column_int64(s, 1)), "code",
                      (const char *)sqlite3_column_text(s, 2), "description",
                      (const char *)sqlite3_column_text(s, 3));
        json_object_update(o, d);
        json_object_del(o, "type");
        json_object_del(o, "notBefore"); /* the event's window, as ms: shown by "at" */
        json_object_del(o, "notAfter");
        json_array_append_new(arr, o);
        json_decref(d);
    }
    sqlite3_reset(s);
    return arr;
}

json_t *ec2_instance_view(struct store *st, const char *instance_id, int64_t now_ms)
{
    struct ec2_instance in;
    if (ec2_instance_get(st, instance_id, &in))
        return NULL;
    struct ec2_checks ck;
    if (ec2_health_checks(st, &in, now_ms, &ck))
        return NULL;
    json_t *host = json_null();
    if (in.host_id[0]) {
        sqlite3_stmt *s =
            store_stmt(st, "SELECT az, failed_ms, created_ms FROM ec2_hosts WHERE id = ?1");
        store_bind_text_or_null(s, 1, in.host_id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            bool failed = sqlite3_column_type(s, 1) != SQLITE_NULL;
            json_decref(host);
            host = json_pack("{s:s, s:s, s:b, s:o, s:o}", "hostId", in.host_id, "availabilityZone",
                             (const char *)sqlite3_column_text(s, 0), "failed", failed, "failedAt",
                             iso_or_null(failed ? sqlite3_column_int64(s, 1) : 0), "createdAt",
                             iso_or_null(sqlite3_column_int64(s, 2)));
        }
        sqlite3_reset(s);
    }
    int used = ec2_recoveries_in_window(st, instance_id, now_ms);
    json_t *checks =
        json_pack("{s:o, s:o, s:o}", "system",
                  check_json(ck.system, ck.system_detail, ck.system_impaired_since), "instance",
                  check_json(ck.instance, ck.instance_detail, ck.instance_impaired_since),
                  "attachedEbs", check_json(ck.ebs, ck.ebs_detail, ck.ebs_impaired_since));
    const char *state = ec2_state_name(in.state);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:s, s:o, s:i, s:o, s:o, s:o}", "instanceId", in.id,
        "region", in.region, "availabilityZone", in.az, "instanceType", in.type, "state",
        state ? state : "unknown", "hostId", in.host_id[0] ? in.host_id : NULL, "host", host,
        "autoRecovery", in.auto_recovery, "checks", checks, "recoveriesLast24h",
        used < 0 ? 0 : used, "recoveries", recoveries_json(st, instance_id), "faults",
        ec2_faults_json(st, instance_id), "timeline", timeline_json(st, instance_id, now_ms));
}

/* ================================================================ init */

void ec2_init(void)
{
    ec2_lifecycle_init();
    cw_provider_register(&ec2_provider);
    svc_resource_tags_register("ec2", ec2_resource_tags);
    clock_on(EC2_EV_AUTORECOVER, ec2_autorecover_event);
    clock_on(EC2_EV_FAULT_EXPIRE, ec2_fault_expire_event);
}
