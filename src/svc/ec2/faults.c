/*
 * faults.c — fault injection (INTERFACE.md): a `system` fault fails the instance's current
 * host, so every instance on it; an `instance` fault lives in the guest until a reboot or a
 * stop/start; an `ebs` fault fails the attached-EBS check until cleared. Optional duration
 * (a clock event ends it). Plus the admin routes:
 *   POST /_recoverlab/faults {"instanceId","check","durationSeconds"?} -> the fault
 *   GET /_recoverlab/faults -> {"faults":[...]}; DELETE /_recoverlab/faults/{id}
 *   GET /_recoverlab/instances/{id} -> host, checks, recoveries, faults, status timeline.
 * The admin API is the lab's own: its error codes and messages are ours (inferred) except
 * where they repeat EC2's (InvalidInstanceID.NotFound, IncorrectInstanceState).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "svc/admin.h"
#include "store/store.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/ec2_admin.h"
#include "svc/ec2/health_internal.h"
#include "svc/svc.h"

/* Longest fault duration accepted: a year of virtual time (inferred). */
#define FAULT_MAX_MS (366LL * 86400 * 1000)

static int step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    log_error("ec2 faults: %s: %s", what, sqlite3_errmsg(store_db(st)));
    return -1;
}

/* ================================================================ the model */

int ec2_fault_inject(struct store *st, const struct ec2_instance *in, const char *kind,
                     int64_t duration_ms, int64_t now_ms, char id[32], const char **why)
{
    *why = NULL;
    bool system = str_eq(kind, "system");
    if (in->state == EC2_TERMINATED || in->state == EC2_SHUTTING_DOWN) {
        *why = "is terminated";
        return 1;
    }
    if ((system || str_eq(kind, "instance")) && (in->state != EC2_RUNNING || !in->host_id[0])) {
        *why = "is not running on a host";
        return 1;
    }
    health_new_id("f-", id, 32);
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO ec2_faults(id, kind, instance_id, host_id,"
                                     " created_ms, until_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    store_bind_text_or_null(s, 1, id);
    store_bind_text_or_null(s, 2, kind);
    store_bind_text_or_null(s, 3, in->id);
    store_bind_text_or_null(s, 4, in->host_id[0] ? in->host_id : NULL);
    sqlite3_bind_int64(s, 5, now_ms);
    if (duration_ms > 0)
        sqlite3_bind_int64(s, 6, now_ms + duration_ms);
    else
        sqlite3_bind_null(s, 6);
    if (step_done(st, s, "fault insert"))
        return -1;
    if (duration_ms > 0 && sched_at(st, now_ms + duration_ms, EC2_EV_FAULT_EXPIRE, id) < 0)
        return -1;
    if (!system)
        return health_refresh(st, in->id, now_ms);
    if (health_host_ensure(st, in->host_id, in->region, in->az, now_ms))
        return -1;
    s = store_stmt(st, "UPDATE ec2_hosts SET failed_ms = ?2 WHERE id = ?1 AND failed_ms IS NULL");
    store_bind_text_or_null(s, 1, in->host_id);
    sqlite3_bind_int64(s, 2, now_ms);
    if (step_done(st, s, "host fails"))
        return -1;
    return health_refresh_host(st, in->host_id, now_ms);
}

/* Marks one fault cleared. */
static int mark_cleared(struct store *st, const char *id, int64_t now_ms, const char *by)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE ec2_faults SET cleared_ms = ?2, cleared_by = ?3"
                                     " WHERE id = ?1 AND cleared_ms IS NULL");
    store_bind_text_or_null(s, 1, id);
    sqlite3_bind_int64(s, 2, now_ms);
    store_bind_text_or_null(s, 3, by);
    return step_done(st, s, "fault clear");
}

int ec2_fault_clear(struct store *st, const char *fault_id, int64_t now_ms, const char *cleared_by)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT kind, instance_id, host_id, cleared_ms IS NULL,"
                                     " until_ms FROM ec2_faults WHERE id = ?1");
    store_bind_text_or_null(s, 1, fault_id);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            return 1;
        log_error("ec2 faults: lookup: %s", sqlite3_errmsg(store_db(st)));
        return -1;
    }
    char kind[16], inst[32], host[32];
    snprintf(kind, sizeof(kind), "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(inst, sizeof(inst), "%s", (const char *)sqlite3_column_text(s, 1));
    const char *h = (const char *)sqlite3_column_text(s, 2);
    snprintf(host, sizeof(host), "%s", h ? h : "");
    bool active = sqlite3_column_int(s, 3) != 0;
    bool timed = sqlite3_column_type(s, 4) != SQLITE_NULL;
    sqlite3_reset(s);
    if (!active)
        return 1;
    if (mark_cleared(st, fault_id, now_ms, cleared_by))
        return -1;
    if (timed && !str_eq(cleared_by, "expired") && sched_cancel(st, EC2_EV_FAULT_EXPIRE, fault_id))
        return -1;
    if (!str_eq(kind, "system") || !host[0])
        return health_refresh(st, inst, now_ms);
    /* the host is repaired once no system fault holds it */
    s = store_stmt(st, "SELECT COUNT(*) FROM ec2_faults WHERE host_id = ?1 AND kind = 'system'"
                       " AND cleared_ms IS NULL");
    store_bind_text_or_null(s, 1, host);
    int64_t left = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    if (left < 0)
        return -1;
    if (left == 0) {
        s = store_stmt(st, "UPDATE ec2_hosts SET failed_ms = NULL WHERE id = ?1");
        store_bind_text_or_null(s, 1, host);
        if (step_done(st, s, "host repaired"))
            return -1;
    }
    return health_refresh_host(st, host, now_ms);
}

/* Ids of the active faults matching a query with ?1 bound to key (heap array of heap ids). */
static int active_ids(struct store *st, const char *sql, const char *key, const char *kind,
                      char ***ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(st, sql);
    store_bind_text_or_null(s, 1, key);
    if (kind)
        store_bind_text_or_null(s, 2, kind);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
        (*ids)[(*n)++] = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    log_error("ec2 faults: list: %s", sqlite3_errmsg(store_db(st)));
    return -1;
}

static int close_all(struct store *st, char **ids, size_t n, int64_t now_ms, const char *by)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc &&
            (mark_cleared(st, ids[i], now_ms, by) || sched_cancel(st, EC2_EV_FAULT_EXPIRE, ids[i])))
            rc = -1;
        free(ids[i]);
    }
    free(ids);
    return rc;
}

int ec2_faults_close(struct store *st, const char *instance_id, const char *kind, int64_t now_ms,
                     const char *cleared_by)
{
    char **ids;
    size_t n;
    if (active_ids(st,
                   "SELECT id FROM ec2_faults WHERE instance_id = ?1 AND kind = ?2"
                   " AND cleared_ms IS NULL",
                   instance_id, kind, &ids, &n))
        return -1;
    return close_all(st, ids, n, now_ms, cleared_by);
}

int ec2_faults_close_vacated(struct store *st, const char *host_id, int64_t now_ms,
                             const char *cleared_by)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT COUNT(*) FROM ec2_instances WHERE host_id = ?1");
    store_bind_text_or_null(s, 1, host_id);
    int64_t left = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    if (left != 0)
        return left < 0 ? -1 : 0;
    char **ids;
    size_t n;
    if (active_ids(st,
                   "SELECT id FROM ec2_faults WHERE host_id = ?1 AND kind = 'system'"
                   " AND cleared_ms IS NULL",
                   host_id, NULL, &ids, &n))
        return -1;
    return close_all(st, ids, n, now_ms, cleared_by);
}

void ec2_fault_expire_event(struct store *st, int64_t at_ms, const char *fault_id)
{
    if (ec2_fault_clear(st, fault_id, at_ms, "expired") < 0)
        log_error("ec2 faults: expiring %s failed", fault_id);
}

/* ================================================================ JSON */

static json_t *iso_or_null(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return json_null();
    char iso[32];
    time_fmt_iso8601_ms(sqlite3_column_int64(s, col), iso);
    return json_string(iso);
}

static json_t *str_or_null(sqlite3_stmt *s, int col)
{
    const char *v = (const char *)sqlite3_column_text(s, col);
    return v ? json_string(v) : json_null();
}

#define FAULT_COLS "id, kind, instance_id, host_id, created_ms, until_ms, cleared_ms, cleared_by"

static json_t *fault_row_json(sqlite3_stmt *s)
{
    bool active = sqlite3_column_type(s, 6) == SQLITE_NULL;
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o}", "faultId",
                     (const char *)sqlite3_column_text(s, 0), "instanceId",
                     (const char *)sqlite3_column_text(s, 2), "check",
                     (const char *)sqlite3_column_text(s, 1), "hostId", str_or_null(s, 3),
                     "createdAt", iso_or_null(s, 4), "expiresAt", iso_or_null(s, 5), "status",
                     active ? "active" : "cleared", "clearedAt", iso_or_null(s, 6), "clearedBy",
                     str_or_null(s, 7));
}

json_t *ec2_fault_json(struct store *st, const char *fault_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " FAULT_COLS " FROM ec2_faults WHERE id = ?1");
    store_bind_text_or_null(s, 1, fault_id);
    json_t *o = sqlite3_step(s) == SQLITE_ROW ? fault_row_json(s) : NULL;
    sqlite3_reset(s);
    return o;
}

json_t *ec2_faults_json(struct store *st, const char *instance_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " FAULT_COLS " FROM ec2_faults"
                                     " WHERE ?1 IS NULL OR instance_id = ?1"
                                     " ORDER BY created_ms, id");
    store_bind_text_or_null(s, 1, instance_id);
    json_t *arr = json_array();
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(arr, fault_row_json(s));
    sqlite3_reset(s);
    return arr;
}

/* ================================================================ admin routes */

/* Runs fn inside a store transaction; 500 when the store fails. */
static bool tx_begin(struct admin_call *ac)
{
    if (store_begin(ac->ctx->st) == 0)
        return true;
    admin_error(ac, 500, "InternalFailure", "The store is not available"); /* inferred */
    return false;
}

static void tx_end(struct admin_call *ac, bool ok)
{
    if (ok && store_commit(ac->ctx->st) == 0)
        return;
    store_rollback(ac->ctx->st);
    if (ok)
        admin_error(ac, 500, "InternalFailure", "The store failed to commit"); /* inferred */
}

void ec2_admin_faults_get(struct admin_call *ac)
{
    admin_reply(ac, 200, json_pack("{s:o}", "faults", ec2_faults_json(ac->ctx->st, NULL)));
}

void ec2_admin_faults_post(struct admin_call *ac)
{
    json_t *in = NULL;
    if (admin_body_object(ac, &in))
        return;
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        if (!str_eq(key, "instanceId") && !str_eq(key, "check") &&
            !str_eq(key, "durationSeconds")) {
            admin_error(ac, 400, "ValidationError",
                        "Unknown field %s: expected instanceId, check, durationSeconds",
                        key); /* inferred */
            goto out;
        }
    }
    const char *id = json_string_value(json_object_get(in, "instanceId"));
    const char *kind = json_string_value(json_object_get(in, "check"));
    json_t *dur = json_object_get(in, "durationSeconds");
    if (!id || !*id) {
        admin_error(ac, 400, "ValidationError", "instanceId is required"); /* inferred */
        goto out;
    }
    if (!str_eq(kind, "system") && !str_eq(kind, "instance") && !str_eq(kind, "ebs")) {
        admin_error(ac, 400, "ValidationError",
                    "check must be one of system, instance, ebs"); /* inferred */
        goto out;
    }
    int64_t dur_ms = 0;
    if (dur && !json_is_null(dur)) {
        double secs = json_number_value(dur);
        if (!json_is_number(dur) || !isfinite(secs) || secs <= 0 ||
            secs * 1000 > (double)FAULT_MAX_MS) {
            admin_error(ac, 400, "ValidationError",
                        "durationSeconds must be a number above 0 and at most %lld",
                        FAULT_MAX_MS / 1000); /* inferred */
            goto out;
        }
        dur_ms = (int64_t)llround(secs * 1000);
        if (dur_ms < 1)
            dur_ms = 1;
    }
    struct ec2_instance inst;
    int r = ec2_instance_get(ac->ctx->st, id, &inst);
    if (r) {
        if (r > 0)
            admin_error(ac, 404, "InvalidInstanceID.NotFound",
                        "The instance ID '%s' does not exist", id);
        else
            admin_error(ac, 500, "InternalFailure", "The store failed"); /* inferred */
        goto out;
    }
    if (!tx_begin(ac))
        goto out;
    char fid[32];
    const char *why;
    r = ec2_fault_inject(ac->ctx->st, &inst, kind, dur_ms, clock_now(), fid, &why);
    if (r == 1) {
        tx_end(ac, false);
        admin_error(ac, 409, "IncorrectInstanceState",
                    "The instance '%s' %s: cannot inject a %s fault", id, why, kind); /* inferred */
        goto out;
    }
    if (r < 0) {
        tx_end(ac, false);
        admin_error(ac, 500, "InternalFailure", "Injecting the fault failed"); /* inferred */
        goto out;
    }
    tx_end(ac, true);
    if (ac->resp->status >= 500)
        goto out;
    log_info("fault %s: %s fault on %s", fid, kind, id);
    admin_reply(ac, 200, ec2_fault_json(ac->ctx->st, fid));
out:
    json_decref(in);
}

void ec2_admin_fault_delete(struct admin_call *ac)
{
    const char *id = ac->tail;
    json_t *f = *id ? ec2_fault_json(ac->ctx->st, id) : NULL;
    if (!f) {
        admin_error(ac, 404, "FaultNotFound", "No fault %s", id); /* inferred */
        return;
    }
    json_decref(f);
    if (!tx_begin(ac))
        return;
    int r = ec2_fault_clear(ac->ctx->st, id, clock_now(), "api");
    tx_end(ac, r >= 0);
    if (r < 0) {
        admin_error(ac, 500, "InternalFailure", "Clearing the fault failed"); /* inferred */
        return;
    }
    if (ac->resp->status >= 500)
        return;
    admin_reply(ac, 200, ec2_fault_json(ac->ctx->st, id));
}

void ec2_admin_instance_get(struct admin_call *ac)
{
    const char *id = ac->tail;
    json_t *v = *id ? ec2_instance_view(ac->ctx->st, id, clock_now()) : NULL;
    if (!v) {
        admin_error(ac, 404, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist",
                    id);
        return;
    }
    admin_reply(ac, 200, v);
}
