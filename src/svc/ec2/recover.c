/*
 * recover.c — instance recovery (aws-behaviour §3.4-§3.6): the one internal function that
 * CloudWatch alarm recover actions (as the alarm's creator) and simplified automatic recovery
 * (as the EC2 service) use, and the clock event of simplified automatic recovery.
 *
 * RecoverInstances is an IAM action without a public API operation [model], so the error
 * codes below are EC2 codes chosen to fit and their messages are ours (inferred).
 * A recovery is recorded as a completed `system-reboot` instance event (DescribeInstanceStatus
 * shows completed events for a week [doc]; that a recovery appears there is inferred) whose
 * doc names the AWS Health event AWS documents for the outcome.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/health_internal.h"
#include "svc/svc.h"

#define EC2_SERVICE_PRINCIPAL "ec2.amazonaws.com"

int ec2_recoveries_in_window(struct store *st, const char *instance_id, int64_t now_ms)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT COUNT(*) FROM ec2_events WHERE instance_id = ?1"
                                     " AND at_ms > ?2 AND at_ms <= ?3 AND code = 'system-reboot'"
                                     " AND json_extract(doc, '$.type') = 'recovery'");
    store_bind_text_or_null(s, 1, instance_id);
    sqlite3_bind_int64(s, 2, now_ms - EC2_RECOVERY_WINDOW_MS);
    sqlite3_bind_int64(s, 3, now_ms);
    int n = -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    return n;
}

/* Records an instance event (code, description, doc JSON). */
static int event_insert(struct store *st, const char *instance_id, int64_t at_ms, const char *code,
                        const char *description, json_t *doc)
{
    char id[40];
    health_new_id("instance-event-", id, sizeof(id));
    char *text = json_dumps(doc, JSON_COMPACT);
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO ec2_events(id, instance_id, at_ms, code,"
                                     " description, doc) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    store_bind_text_or_null(s, 1, id);
    store_bind_text_or_null(s, 2, instance_id);
    sqlite3_bind_int64(s, 3, at_ms);
    store_bind_text_or_null(s, 4, code);
    store_bind_text_or_null(s, 5, description);
    store_bind_text_or_null(s, 6, text);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    free(text);
    if (rc == SQLITE_DONE)
        return 0;
    log_error("ec2 recover: event: %s", sqlite3_errmsg(store_db(st)));
    return -1;
}

static bool is_ec2_service(const struct principal *p)
{
    return p->kind == PRINCIPAL_SERVICE && str_eq(p->name, EC2_SERVICE_PRINCIPAL);
}

/* Why the instance cannot be recovered at all (static or arena text), or NULL. */
static const char *unsupported_reason(const struct ec2_instance *in, struct call *c)
{
    const struct ec2_type_info *t = ec2_type_find(in->type);
    if (!t || !t->auto_recovery_supported)
        return arena_printf(c->a, "instance type %s does not support recovery", in->type);
    if (!t->ebs_only)
        return "instances with instance store volumes cannot be recovered";
    if (str_eq(in->tenancy, "host"))
        return "instances on a Dedicated Host (tenancy host) cannot be recovered";
    return NULL;
}

/* The move itself, inside a savepoint so that a failure leaves nothing behind. */
static int move(struct call *c, struct ec2_instance *in, char new_host[32])
{
    struct store *st = c->st;
    int64_t now = c->now_ms;
    char old_host[32];
    snprintf(old_host, sizeof(old_host), "%s", in->host_id);
    if (health_pick_host(st, in->region, in->az, old_host, now, new_host))
        return -1;
    sqlite3_stmt *s =
        store_stmt(st, "UPDATE ec2_instances SET host_id = ?2, boot_ms = ?3 WHERE id = ?1");
    store_bind_text_or_null(s, 1, in->id);
    store_bind_text_or_null(s, 2, new_host);
    sqlite3_bind_int64(s, 3, now);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        log_error("ec2 recover: move: %s", sqlite3_errmsg(store_db(st)));
        return -1;
    }
    snprintf(in->host_id, sizeof(in->host_id), "%s", new_host);
    in->boot_ms = now;
    /* the guest reboots (memory is lost): a guest fault goes; the old host's failure stays
     * with the host, and its system faults end once no instance is left on it */
    if (ec2_faults_close(st, in->id, "instance", now, "recovery") ||
        health_refresh(st, in->id, now) ||
        (old_host[0] && ec2_faults_close_vacated(st, old_host, now, "recovery")))
        return -1;
    bool simplified = is_ec2_service(&c->who);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:I, s:I}", "type", "recovery", "status", "succeeded",
        "mechanism", simplified ? "simplified-automatic-recovery" : "recover-action", "by",
        c->who.arn, "fromHost", old_host[0] ? old_host : NULL, "toHost", new_host, "healthEvent",
        simplified ? "AWS_EC2_SIMPLIFIED_AUTO_RECOVERY_SUCCESS"
                   : "AWS_EC2_INSTANCE_AUTO_RECOVERY_SUCCESS",
        "notBefore", (json_int_t)now, "notAfter", (json_int_t)now);
    rc = event_insert(st, in->id, now, "system-reboot",
                      "[Completed] The instance was recovered onto new hardware", /* inferred */
                      doc);
    json_decref(doc);
    return rc;
}

int ec2_recover(struct call *c, const char *instance_id)
{
    struct ec2_instance in;
    if (!instance_id || !ec2_id_ok(instance_id, "i"))
        return call_fail(c, 400, "InvalidInstanceID.Malformed", "Invalid id: \"%s\"",
                         instance_id ? instance_id : "");
    char *arn =
        arena_printf(c->a, "arn:aws:ec2:%s:%s:instance/%s", c->region, c->account, instance_id);
    if (authz_check(c, &c->who, "ec2:RecoverInstances", arn, NULL))
        return -1;
    int r = ec2_instance_get(c->st, instance_id, &in);
    if (r < 0)
        return ec2_internal(c);
    if (r > 0 || !str_eq(in.region, c->region))
        return call_fail(c, 400, "InvalidInstanceID.NotFound",
                         "The instance ID '%s' does not exist", instance_id);
    if (in.state != EC2_RUNNING || !in.host_id[0])
        return call_fail(c, 400, "IncorrectInstanceState",
                         "The instance '%s' is not in a state from which it can be recovered.",
                         instance_id); /* inferred */
    const char *why = unsupported_reason(&in, c);
    if (why)
        return call_fail(c, 400, "UnsupportedOperation",
                         "The instance '%s' cannot be recovered: %s.", instance_id,
                         why); /* inferred */
    int used = ec2_recoveries_in_window(c->st, instance_id, c->now_ms);
    if (used < 0)
        return ec2_internal(c);
    if (used >= EC2_RECOVERY_LIMIT)
        return call_fail(c, 400, "OperationNotPermitted",
                         "The instance '%s' has already been recovered %d times in the last 24 "
                         "hours, the most allowed.",
                         instance_id, used); /* inferred */
    if (store_begin(c->st))
        return ec2_internal(c);
    char new_host[32];
    if (move(c, &in, new_host)) {
        store_rollback(c->st);
        return ec2_internal(c);
    }
    if (store_commit(c->st)) {
        store_rollback(c->st);
        return ec2_internal(c);
    }
    log_info("ec2: %s recovered to host %s by %s", instance_id, new_host, c->who.arn);
    return 0;
}

/* ================================================================ simplified recovery */

static void service_principal(struct principal *p, const char *account)
{
    memset(p, 0, sizeof(*p));
    p->kind = PRINCIPAL_SERVICE;
    snprintf(p->account, sizeof(p->account), "%s", account);
    snprintf(p->arn, sizeof(p->arn), "%s", EC2_SERVICE_PRINCIPAL);
    snprintf(p->user_id, sizeof(p->user_id), "%s", EC2_SERVICE_PRINCIPAL);
    snprintf(p->name, sizeof(p->name), "%s", EC2_SERVICE_PRINCIPAL);
}

void ec2_autorecover_event(struct store *st, int64_t at_ms, const char *instance_id)
{
    struct ec2_instance in;
    if (ec2_instance_get(st, instance_id, &in) || in.state != EC2_RUNNING)
        return;
    struct ec2_checks ck;
    if (ec2_health_checks(st, &in, at_ms, &ck))
        return;
    /* still failing, and for the whole delay (a stale event finds otherwise) */
    if (!str_eq(ck.system_detail, "failed") || !ck.system_impaired_since ||
        ck.system_impaired_since > at_ms - EC2_AUTO_RECOVERY_DELAY_MS)
        return;
    if (!str_eq(in.auto_recovery, "default")) {
        log_info("ec2: %s: system check failed, simplified automatic recovery is %s", instance_id,
                 in.auto_recovery);
        return;
    }
    /* "The default configuration will not enable simplified automatic recovery for an
     * unsupported instance type." [doc] */
    const struct ec2_type_info *t = ec2_type_find(in.type);
    if (!t || !t->auto_recovery_supported)
        return;

    char *account = store_meta_get(st, "account_id");
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = arena_new();
    c.st = st;
    c.account = account ? account : LAB_ACCOUNT_DEFAULT;
    c.region = in.region;
    c.now_ms = at_ms;
    c.proto = PROTO_EC2;
    c.op_name = "RecoverInstances";
    uuid4(c.request_id);
    service_principal(&c.who, c.account);
    if (ec2_recover(&c, instance_id)) {
        log_warn("ec2: simplified automatic recovery of %s failed: %s: %s", instance_id, c.err.code,
                 c.err.message ? c.err.message : "");
        json_t *doc =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "recovery", "status", "failed",
                      "mechanism", "simplified-automatic-recovery", "by", c.who.arn, "error",
                      c.err.code ? c.err.code : "", "message", c.err.message ? c.err.message : "",
                      "healthEvent", "AWS_EC2_SIMPLIFIED_AUTO_RECOVERY_FAILURE");
        /* not an EC2 event code: kept for the admin view only */
        event_insert(st, instance_id, at_ms, "recovery-failed",
                     "Simplified automatic recovery failed", doc);
        json_decref(doc);
    }
    arena_free(c.a);
    free(account);
}
