/*
 * instances.c — EC2 instances: RunInstances, DescribeInstances, Start/Stop/Reboot/
 * TerminateInstances, the internal ec2_stop/ec2_terminate/ec2_reboot (ec2.h) and the
 * lifecycle in virtual time.
 *
 * The state machine [model: InstanceState codes; doc: EC2UG ec2-instance-lifecycle.md]:
 *   launch/start -> pending --EC2_PENDING_MS--> running
 *   stop         -> stopping --EC2_STOPPING_MS--> stopped
 *   terminate    -> shutting-down --EC2_SHUTTING_DOWN_MS--> terminated, visible for
 *                   EC2_TERMINATED_VISIBLE_MS, then gone
 *   reboot       -> stays running on the API; the guest is down for EC2_REBOOT_MS
 * Each transition is a clock event (kind "ec2-instance" / "ec2-reboot", arg the instance id)
 * whose handler re-checks the row, so a superseded event does nothing. The health hooks of
 * ec2.h are called as the instance starts running (ec2_health_booted, after the row says
 * running) and as it stops running (ec2_health_down).
 *
 * Rows (ec2_instances): the columns of struct ec2_instance plus doc, the model's Instance
 * members that are not derived from columns or other tables, and '_' members of our own:
 * _eni, _eni_attach, _mac (the primary network interface), _public (gets a public address
 * on start), _user_data, _disable_api_termination, _disable_api_stop, _shutdown_behavior,
 * _rebooting.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

/* The health hooks live in health.c, another part of the tree: weak references keep the
 * tree linking (and the lifecycle working, without health) while it is absent. */
#pragma weak ec2_health_booted
#pragma weak ec2_health_down

#define EV_INSTANCE "ec2-instance"
#define EV_REBOOT "ec2-reboot"
#define ROOT_DEVICE "/dev/xvda"
#define SHUTDOWN_CODE "Client.UserInitiatedShutdown"
#define SHUTDOWN_MSG "Client.UserInitiatedShutdown: User initiated shutdown"

#define INST_COLS                                                                                  \
    "id, region, az, type, image_id, host_id, tenancy, auto_recovery, profile_arn, private_ip,"    \
    " public_ip, state, state_ms, launch_ms, boot_ms, doc, reservation_id"

const char *ec2_state_name(int code)
{
    switch (code & 0xff) {
    case EC2_PENDING:
        return "pending";
    case EC2_RUNNING:
        return "running";
    case EC2_SHUTTING_DOWN:
        return "shutting-down";
    case EC2_TERMINATED:
        return "terminated";
    case EC2_STOPPING:
        return "stopping";
    case EC2_STOPPED:
        return "stopped";
    }
    return "pending";
}

/* ================================================================ rows */

static void col(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

/* Reads an INST_COLS row; *doc (may be NULL) gets the parsed document, res[32] (may be NULL)
 * the reservation id. */
static void inst_row(sqlite3_stmt *s, struct ec2_instance *in, json_t **doc, char *res)
{
    memset(in, 0, sizeof(*in));
    col(s, 0, in->id, sizeof(in->id));
    col(s, 1, in->region, sizeof(in->region));
    col(s, 2, in->az, sizeof(in->az));
    col(s, 3, in->type, sizeof(in->type));
    col(s, 4, in->image_id, sizeof(in->image_id));
    col(s, 5, in->host_id, sizeof(in->host_id));
    col(s, 6, in->tenancy, sizeof(in->tenancy));
    col(s, 7, in->auto_recovery, sizeof(in->auto_recovery));
    col(s, 8, in->profile_arn, sizeof(in->profile_arn));
    col(s, 9, in->private_ip, sizeof(in->private_ip));
    col(s, 10, in->public_ip, sizeof(in->public_ip));
    in->state = sqlite3_column_int(s, 11);
    in->state_ms = sqlite3_column_int64(s, 12);
    in->launch_ms = sqlite3_column_int64(s, 13);
    in->boot_ms = sqlite3_column_int64(s, 14);
    if (doc) {
        *doc = ec2_json_load((const char *)sqlite3_column_text(s, 15));
        if (!*doc)
            *doc = json_object();
    }
    if (res)
        col(s, 16, res, 32);
}

/* An instance by id in region (any region when NULL): 0, 1 not found, -1 error. */
static int inst_get(struct store *st, const char *id, const char *region, struct ec2_instance *in,
                    json_t **doc, char *res)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " INST_COLS " FROM ec2_instances WHERE id = ?1"
                                     " AND (?2 IS NULL OR region = ?2)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    if (region)
        sqlite3_bind_text(s, 2, region, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        inst_row(s, in, doc, res);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(st, "instance read");
    return rc == SQLITE_ROW ? 0 : 1;
}

int ec2_instance_get(struct store *st, const char *id, struct ec2_instance *out)
{
    return id ? inst_get(st, id, NULL, out, NULL, NULL) : 1;
}

/* Writes the row's columns (not profile_arn: profile_assoc.c owns it) and doc. */
static int inst_update(struct store *st, const struct ec2_instance *in, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    sqlite3_stmt *s = store_stmt(
        st, "UPDATE ec2_instances SET az = ?2, type = ?3, host_id = ?4, tenancy = ?5,"
            " auto_recovery = ?6, private_ip = ?7, public_ip = ?8, state = ?9, state_ms = ?10,"
            " launch_ms = ?11, boot_ms = ?12, doc = ?13 WHERE id = ?1");
    sqlite3_bind_text(s, 1, in->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, in->az, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, in->type, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 4, in->host_id);
    sqlite3_bind_text(s, 5, in->tenancy, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, in->auto_recovery, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 7, in->private_ip);
    store_bind_nonempty_or_null(s, 8, in->public_ip);
    sqlite3_bind_int(s, 9, in->state);
    sqlite3_bind_int64(s, 10, in->state_ms);
    sqlite3_bind_int64(s, 11, in->launch_ms);
    sqlite3_bind_int64(s, 12, in->boot_ms);
    sqlite3_bind_text(s, 13, text ? text : "{}", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    free(text);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(st, "instance update");
}

static int inst_insert(struct call *c, const struct ec2_instance *in, const json_t *doc,
                       const char *reservation, const char *token)
{
    sqlite3_stmt *s = store_stmt(
        c->st, "INSERT INTO ec2_instances(id, region, az, type, image_id, host_id, tenancy,"
               " auto_recovery, profile_arn, private_ip, public_ip, state, state_ms, launch_ms,"
               " boot_ms, doc, reservation_id, client_token) VALUES(?1, ?2, ?3, ?4, ?5, NULL, ?6,"
               " ?7, NULL, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
    sqlite3_bind_text(s, 1, in->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, in->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, in->az, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, in->type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, in->image_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, in->tenancy, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, in->auto_recovery, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 8, in->private_ip);
    store_bind_nonempty_or_null(s, 9, in->public_ip);
    sqlite3_bind_int(s, 10, in->state);
    sqlite3_bind_int64(s, 11, in->state_ms);
    sqlite3_bind_int64(s, 12, in->launch_ms);
    sqlite3_bind_int64(s, 13, in->boot_ms);
    sqlite3_bind_text(s, 14, ec2_json_text(c, doc), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 15, reservation, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 16, token);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(c->st, "instance insert");
}

int ec2_instance_load(struct call *c, const char *id, struct ec2_instance *in, json_t **doc)
{
    return inst_get(c->st, id, c->region, in, doc, NULL);
}

int ec2_instance_save(struct call *c, const struct ec2_instance *in, const json_t *doc)
{
    return inst_update(c->st, in, doc);
}

static int malformed(struct call *c, const char *id)
{
    return call_fail(c, 400, "InvalidInstanceID.Malformed", "Invalid id: \"%s\"",
                     id ? id : ""); /* [obs] */
}

int ec2_instance_find(struct call *c, const char *id, struct ec2_instance *in, json_t **doc)
{
    if (doc)
        *doc = NULL;
    if (!ec2_id_ok(id, "i"))
        return malformed(c, id);
    int rc = inst_get(c->st, id, c->region, in, doc, NULL);
    if (rc == 1)
        return call_fail(c, 400, "InvalidInstanceID.NotFound",
                         "The instance ID '%s' does not exist", id); /* [obs] */
    return rc;
}

int ec2_instances_check(struct call *c, const json_t *ids)
{
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        if (!ec2_id_ok(json_string_value(e), "i"))
            return malformed(c, json_string_value(e));
    }
    struct buf missing = BUF_INIT;
    int nmissing = 0;
    json_array_foreach(ids, i, e)
    {
        struct ec2_instance in;
        int rc = inst_get(c->st, json_string_value(e), c->region, &in, NULL, NULL);
        if (rc < 0) {
            buf_free(&missing);
            return -1;
        }
        if (rc == 1) {
            buf_printf(&missing, "%s%s", nmissing ? ", " : "", json_string_value(e));
            nmissing++;
        }
    }
    if (!nmissing)
        return 0;
    /* several unknown ids are reported together [obs: "The instance IDs 'a, b' do not exist"] */
    if (nmissing == 1)
        call_fail(c, 400, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist",
                  missing.p);
    else
        call_fail(c, 400, "InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist",
                  missing.p);
    buf_free(&missing);
    return -1;
}

static const char *instance_arn(struct call *c, const char *id)
{
    return arena_printf(c->a, "arn:aws:ec2:%s:%s:instance/%s", c->region, c->account, id);
}

/* ================================================================ state changes */

/* Sets the state and what DescribeInstances says about why. user: a user action. */
static void set_state(struct ec2_instance *in, json_t *doc, int state, int64_t at_ms, bool user)
{
    in->state = state;
    in->state_ms = at_ms;
    if (state == EC2_RUNNING) {
        json_object_set_new(doc, "StateTransitionReason", json_string(""));
        json_object_del(doc, "StateReason");
        return;
    }
    if (state == EC2_PENDING) {
        json_object_set_new(doc, "StateTransitionReason", json_string(""));
        json_object_set_new(doc, "StateReason",
                            json_pack("{s:s, s:s}", "Code", "pending", "Message", "pending"));
        return;
    }
    if (user) {
        char when[32];
        ec2_reason_time(at_ms, when);
        char reason[64];
        snprintf(reason, sizeof(reason), "User initiated (%s)", when);
        json_object_set_new(doc, "StateTransitionReason", json_string(reason));
        json_object_set_new(
            doc, "StateReason",
            json_pack("{s:s, s:s}", "Code", SHUTDOWN_CODE, "Message", SHUTDOWN_MSG));
    }
}

static int set_host(struct store *st, const char *id, const char *host)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE ec2_instances SET host_id = ?2 WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 2, host);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(st, "instance host update");
}

/* The guest boots at at_ms (the row already says running): the health model places it. */
static int booted(struct store *st, struct ec2_instance *in, int64_t at_ms)
{
    char host[32];
    snprintf(host, sizeof(host), "%s", in->host_id);
    if (!ec2_health_booted)
        return 0;
    if (ec2_health_booted(st, in->id, at_ms, host)) {
        log_error("ec2: health hook (booted) failed for %s", in->id);
        return -1;
    }
    snprintf(in->host_id, sizeof(in->host_id), "%s", host);
    return set_host(st, in->id, host);
}

static void become_running(struct store *st, struct ec2_instance *in, json_t *doc, int64_t at)
{
    set_state(in, doc, EC2_RUNNING, at, false);
    in->boot_ms = at;
    json_t *md = json_object_get(doc, "MetadataOptions");
    if (md)
        json_object_set_new(md, "State", json_string("applied"));
    json_t *mon = json_object_get(doc, "Monitoring");
    if (str_eq(json_string_value(json_object_get(mon, "State")), "pending"))
        json_object_set_new(mon, "State", json_string("enabled"));
    if (inst_update(st, in, doc) == 0)
        booted(st, in, at);
}

static void become_stopped(struct store *st, struct ec2_instance *in, json_t *doc, int64_t at)
{
    in->state = EC2_STOPPED;
    in->state_ms = at;
    in->host_id[0] = 0;
    in->public_ip[0] = 0;
    json_object_set_new(doc, "PublicDnsName", json_string(""));
    inst_update(st, in, doc);
}

static void become_terminated(struct store *st, struct ec2_instance *in, json_t *doc, int64_t at)
{
    in->state = EC2_TERMINATED;
    in->state_ms = at;
    in->host_id[0] = 0;
    in->public_ip[0] = 0;
    in->private_ip[0] = 0;
    /* a terminated instance keeps no network presence nor volumes [obs] */
    json_object_set_new(doc, "PublicDnsName", json_string(""));
    json_object_set_new(doc, "PrivateDnsName", json_string(""));
    json_object_del(doc, "SubnetId");
    json_object_del(doc, "VpcId");
    json_object_set_new(doc, "SecurityGroups", json_array());
    json_object_del(doc, "_eni");
    if (ec2_volumes_release(st, in->id, at) || ec2_profile_drop(st, in->id) ||
        inst_update(st, in, doc))
        return;
    if (sched_at(st, at + EC2_TERMINATED_VISIBLE_MS, EV_INSTANCE, in->id) < 0)
        log_error("ec2: cannot schedule the removal of %s", in->id);
}

static void instance_gone(struct store *st, const char *id)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM ec2_instances WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE)
        ec2_db_fail(st, "instance delete");
    sqlite3_reset(s);
    ec2_tags_drop(st, id);
}

/* Clock event: the instance's current transition completes (if it is still the one due). */
static void instance_event(struct store *st, int64_t at_ms, const char *id)
{
    struct ec2_instance in;
    json_t *doc = NULL;
    if (inst_get(st, id, NULL, &in, &doc, NULL) != 0)
        return;
    switch (in.state) {
    case EC2_PENDING:
        if (at_ms >= in.state_ms + EC2_PENDING_MS)
            become_running(st, &in, doc, at_ms);
        break;
    case EC2_STOPPING:
        if (at_ms >= in.state_ms + EC2_STOPPING_MS)
            become_stopped(st, &in, doc, at_ms);
        break;
    case EC2_SHUTTING_DOWN:
        if (at_ms >= in.state_ms + EC2_SHUTTING_DOWN_MS)
            become_terminated(st, &in, doc, at_ms);
        break;
    case EC2_TERMINATED:
        if (at_ms >= in.state_ms + EC2_TERMINATED_VISIBLE_MS)
            instance_gone(st, id);
        break;
    default:
        break;
    }
    json_decref(doc);
}

/* Clock event: a reboot's outage ends; the guest boots again. */
static void reboot_event(struct store *st, int64_t at_ms, const char *id)
{
    struct ec2_instance in;
    json_t *doc = NULL;
    if (inst_get(st, id, NULL, &in, &doc, NULL) != 0)
        return;
    if (in.state == EC2_RUNNING && json_is_true(json_object_get(doc, "_rebooting"))) {
        json_object_del(doc, "_rebooting");
        in.boot_ms = at_ms;
        if (inst_update(st, &in, doc) == 0)
            booted(st, &in, at_ms);
    }
    json_decref(doc);
}

void ec2_lifecycle_init(void)
{
    clock_on(EV_INSTANCE, instance_event);
    clock_on(EV_REBOOT, reboot_event);
    ec2_volumes_init();
}

/* ================================================================ actions */

/*
 * One action on one instance. With act false only checks that it may happen (failing the
 * call otherwise); with act true performs it. *prev / *cur receive the state codes the
 * InstanceStateChange reports.
 */
typedef int action_fn(struct call *c, struct ec2_instance *in, json_t *doc, bool act, bool force,
                      int *prev, int *cur);

static int down_now(struct call *c, struct ec2_instance *in, json_t *doc)
{
    bool rebooting = json_is_true(json_object_get(doc, "_rebooting"));
    json_object_del(doc, "_rebooting");
    sched_cancel(c->st, EV_REBOOT, in->id);
    if (inst_update(c->st, in, doc))
        return -1;
    if (!rebooting && ec2_health_down && ec2_health_down(c->st, in->id, c->now_ms, false))
        log_error("ec2: health hook (down) failed for %s", in->id);
    return 0;
}

static int stop_action(struct call *c, struct ec2_instance *in, json_t *doc, bool act, bool force,
                       int *prev, int *cur)
{
    *prev = *cur = in->state;
    switch (in->state) {
    case EC2_STOPPING:
    case EC2_STOPPED:
        return 0;
    case EC2_PENDING:
        if (in->boot_ms == 0)
            return call_fail(c, 400, "IncorrectInstanceState",
                             "Instance '%s' cannot be stopped as it has never reached the "
                             "'running' state.",
                             in->id); /* [obs] */
        /* fall through */
    case EC2_SHUTTING_DOWN:
    case EC2_TERMINATED:
        return call_fail(c, 400, "IncorrectInstanceState",
                         "This instance '%s' is not in a state from which it can be stopped.",
                         in->id); /* inferred */
    default:
        break;
    }
    if (json_is_true(json_object_get(doc, "_disable_api_stop")))
        return call_fail(c, 400, "OperationNotPermitted",
                         "The instance '%s' may not be stopped. Modify its 'disableApiStop' "
                         "instance attribute and try again.",
                         in->id); /* inferred from the termination wording */
    if (!act)
        return 0;
    set_state(in, doc, EC2_STOPPING, c->now_ms, true);
    if (down_now(c, in, doc))
        return -1;
    sched_cancel(c->st, EV_INSTANCE, in->id);
    int64_t ms = force ? EC2_STOPPING_MS / 2 : EC2_STOPPING_MS;
    if (sched_at(c->st, c->now_ms + ms, EV_INSTANCE, in->id) < 0)
        return -1;
    /* a forced stop completes sooner: pretend it began earlier (inferred) */
    if (force) {
        in->state_ms = c->now_ms - (EC2_STOPPING_MS - ms);
        if (inst_update(c->st, in, doc))
            return -1;
    }
    *cur = EC2_STOPPING;
    return 0;
}

static int start_action(struct call *c, struct ec2_instance *in, json_t *doc, bool act, bool force,
                        int *prev, int *cur)
{
    *prev = *cur = in->state;
    if (in->state == EC2_PENDING || in->state == EC2_RUNNING)
        return 0;
    if (in->state != EC2_STOPPED)
        return call_fail(c, 400, "IncorrectInstanceState",
                         "The instance '%s' is not in a state from which it can be started.",
                         in->id); /* [obs] */
    if (!act)
        return 0;
    in->launch_ms = c->now_ms;
    if (json_is_true(json_object_get(doc, "_public"))) {
        char dns[128];
        if (ec2_public_ip_alloc(c, in->public_ip))
            return -1;
        ec2_public_dns(in->region, in->public_ip, dns, sizeof(dns));
        json_object_set_new(doc, "PublicDnsName", json_string(dns));
    }
    set_state(in, doc, EC2_PENDING, c->now_ms, true);
    if (inst_update(c->st, in, doc))
        return -1;
    sched_cancel(c->st, EV_INSTANCE, in->id);
    if (sched_at(c->st, c->now_ms + EC2_PENDING_MS, EV_INSTANCE, in->id) < 0)
        return -1;
    *cur = EC2_PENDING;
    (void)force;
    return 0;
}

static int terminate_action(struct call *c, struct ec2_instance *in, json_t *doc, bool act,
                            bool force, int *prev, int *cur)
{
    *prev = *cur = in->state;
    if (in->state == EC2_TERMINATED || in->state == EC2_SHUTTING_DOWN)
        return 0;
    if (json_is_true(json_object_get(doc, "_disable_api_termination")))
        return call_fail(c, 400, "OperationNotPermitted",
                         "The instance '%s' may not be terminated. Modify its "
                         "'disableApiTermination' instance attribute and try again.",
                         in->id); /* [doc] */
    if (!act)
        return 0;
    bool was_up = in->state == EC2_RUNNING;
    set_state(in, doc, EC2_SHUTTING_DOWN, c->now_ms, true);
    if (was_up) {
        if (down_now(c, in, doc))
            return -1;
    } else if (inst_update(c->st, in, doc)) {
        return -1;
    }
    sched_cancel(c->st, EV_INSTANCE, in->id);
    if (sched_at(c->st, c->now_ms + EC2_SHUTTING_DOWN_MS, EV_INSTANCE, in->id) < 0)
        return -1;
    *cur = EC2_SHUTTING_DOWN;
    (void)force;
    return 0;
}

static int reboot_action(struct call *c, struct ec2_instance *in, json_t *doc, bool act, bool force,
                         int *prev, int *cur)
{
    *prev = *cur = in->state;
    if (in->state != EC2_RUNNING)
        return call_fail(c, 400, "IncorrectInstanceState",
                         "The instance '%s' is not in a state from which it can be rebooted.",
                         in->id); /* inferred */
    if (!act || json_is_true(json_object_get(doc, "_rebooting")))
        return 0;
    json_object_set_new(doc, "_rebooting", json_true());
    if (inst_update(c->st, in, doc))
        return -1;
    if (ec2_health_down && ec2_health_down(c->st, in->id, c->now_ms, true))
        log_error("ec2: health hook (down) failed for %s", in->id);
    if (sched_at(c->st, c->now_ms + EC2_REBOOT_MS, EV_REBOOT, in->id) < 0)
        return -1;
    (void)force;
    return 0;
}

/* The internal action as c->who on one instance: authorization, then check and act. */
static int act_one(struct call *c, const char *id, const char *action, action_fn *fn, bool force)
{
    struct ec2_instance in;
    json_t *doc = NULL;
    int prev, cur, rc = -1;
    if (!ec2_call_region(c))
        return -1;
    if (!ec2_id_ok(id, "i"))
        return malformed(c, id);
    if (authz_check(c, &c->who, action, instance_arn(c, id), NULL))
        return -1;
    if (ec2_instance_find(c, id, &in, &doc))
        goto out;
    if (fn(c, &in, doc, false, force, &prev, &cur) || fn(c, &in, doc, true, force, &prev, &cur))
        goto out;
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

int ec2_stop(struct call *c, const char *instance_id, bool force)
{
    return act_one(c, instance_id, "ec2:StopInstances", stop_action, force);
}

int ec2_terminate(struct call *c, const char *instance_id)
{
    return act_one(c, instance_id, "ec2:TerminateInstances", terminate_action, false);
}

int ec2_reboot(struct call *c, const char *instance_id)
{
    return act_one(c, instance_id, "ec2:RebootInstances", reboot_action, false);
}

static void out_state(struct out *o, const char *member, int code)
{
    out_begin(o, member);
    out_int(o, "Code", code);
    out_str(o, "Name", ec2_state_name(code));
    out_end(o);
}

/*
 * The API form: InstanceIds (malformed, then unknown ones fail first), every instance checked
 * before any changes (one refusal fails the request), DryRun, then the InstanceStateChange
 * list under list (NULL for RebootInstances, which answers nothing).
 */
static int act_many(struct call *c, const json_t *in, struct out *o, const char *list,
                    action_fn *fn)
{
    const json_t *ids = json_object_get(in, EC2_IN_InstanceIds);
    bool force = json_is_true(json_object_get(in, EC2_IN_Force));
    size_t i, j;
    const json_t *e, *f;
    if (!ec2_call_region(c) || ec2_instances_check(c, ids))
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && ec2_dry_run(c, in))
            return -1;
        if (pass == 1 && list)
            out_begin(o, list);
        json_array_foreach(ids, i, e)
        {
            bool dup = false;
            json_array_foreach(ids, j, f) dup = dup || (j < i && json_equal(e, f));
            if (dup)
                continue;
            struct ec2_instance inst;
            json_t *doc = NULL;
            int prev, cur;
            int rc = ec2_instance_find(c, json_string_value(e), &inst, &doc);
            if (rc == 0)
                rc = fn(c, &inst, doc, pass == 1, force, &prev, &cur);
            json_decref(doc);
            if (rc)
                return -1;
            if (pass == 1 && list) {
                out_begin(o, NULL);
                out_str(o, "InstanceId", inst.id);
                out_state(o, "CurrentState", cur);
                out_state(o, "PreviousState", prev);
                out_end(o);
            }
        }
        if (pass == 1 && list)
            out_end(o);
    }
    return 0;
}

/* StartInstances: stopped -> pending (a new public address when the instance had one). */
int ec2_start_instances(struct call *c, const json_t *in, struct out *o)
{
    return act_many(c, in, o, "StartingInstances", start_action);
}

/* StopInstances (Force shortens the stop): running -> stopping; protection applies. */
int ec2_stop_instances(struct call *c, const json_t *in, struct out *o)
{
    return act_many(c, in, o, "StoppingInstances", stop_action);
}

/* TerminateInstances: -> shutting-down; termination protection applies. */
int ec2_terminate_instances(struct call *c, const json_t *in, struct out *o)
{
    return act_many(c, in, o, "TerminatingInstances", terminate_action);
}

/* RebootInstances: running instances only; the state stays running. */
int ec2_reboot_instances(struct call *c, const json_t *in, struct out *o)
{
    return act_many(c, in, o, NULL, reboot_action);
}

/* ================================================================ describing */

static json_t *network_interfaces(const struct ec2_instance *in, const json_t *doc,
                                  const char *account)
{
    json_t *list = json_array();
    const char *eni = json_string_value(json_object_get(doc, "_eni"));
    if (!eni || !in->private_ip[0])
        return list;
    const char *pdns = json_string_value(json_object_get(doc, "PrivateDnsName"));
    json_t *assoc = NULL;
    if (in->public_ip[0])
        assoc = json_pack("{s:s, s:s, s:s}", "IpOwnerId", "amazon", "PublicDnsName",
                          json_string_value(json_object_get(doc, "PublicDnsName")), "PublicIp",
                          in->public_ip);
    json_t *addr = json_pack("{s:b, s:s, s:s}", "Primary", true, "PrivateDnsName", pdns ? pdns : "",
                             "PrivateIpAddress", in->private_ip);
    if (assoc)
        json_object_set(addr, "Association", assoc);
    json_t *ni = json_pack(
        "{s:{s:I, s:s, s:b, s:i, s:s, s:i}, s:s, s:O, s:[], s:s, s:s, s:s, s:s, s:s, s:[o],"
        " s:b, s:s, s:O, s:O, s:s}",
        "Attachment", "AttachTime", (json_int_t)json_integer_value(json_object_get(doc, "_eni_ms")),
        "AttachmentId", json_string_value(json_object_get(doc, "_eni_attach")),
        "DeleteOnTermination", true, "DeviceIndex", 0, "Status", "attached", "NetworkCardIndex", 0,
        "Description", "", "Groups", json_object_get(doc, "SecurityGroups"), "Ipv6Addresses",
        "MacAddress", json_string_value(json_object_get(doc, "_mac")), "NetworkInterfaceId", eni,
        "OwnerId", account, "PrivateDnsName", pdns ? pdns : "", "PrivateIpAddress", in->private_ip,
        "PrivateIpAddresses", addr, "SourceDestCheck", true, "Status", "in-use", "SubnetId",
        json_object_get(doc, "SubnetId"), "VpcId", json_object_get(doc, "VpcId"), "InterfaceType",
        "interface");
    if (!ni) {
        json_decref(assoc);
        return list;
    }
    if (assoc)
        json_object_set_new(ni, "Association", assoc);
    json_array_append_new(list, ni);
    return list;
}

/* Everything DescribeInstances shows of an instance that does not come from doc. */
struct view {
    json_t *tags, *bdm, *nis;
    struct ec2_profile profile;
    bool has_profile;
    struct ec2_zone zone;
};

static void view_load(struct call *c, const struct ec2_instance *in, const json_t *doc,
                      struct view *v)
{
    memset(v, 0, sizeof(*v));
    v->tags = ec2_tags_get(c->st, in->id);
    v->bdm = ec2_instance_bdm(c->st, in->id);
    v->nis = network_interfaces(in, doc, c->account);
    v->has_profile = ec2_profile_of(c->st, in->id, &v->profile, NULL) == 0;
    if (ec2_zone_find(in->az, &v->zone))
        memset(&v->zone, 0, sizeof(v->zone));
}

static void view_free(struct view *v)
{
    json_decref(v->tags);
    json_decref(v->bdm);
    json_decref(v->nis);
}

static void render_instance(struct out *o, const struct ec2_instance *in, const json_t *doc,
                            const struct view *v)
{
    out_begin(o, NULL);
    out_str(o, "InstanceId", in->id);
    out_str(o, "ImageId", in->image_id);
    out_state(o, "State", in->state);
    out_str(o, "InstanceType", in->type);
    out_time(o, "LaunchTime", in->launch_ms);
    out_begin(o, "Placement");
    out_str(o, "AvailabilityZone", in->az);
    if (v->zone.id[0])
        out_str(o, "AvailabilityZoneId", v->zone.id);
    out_str(o, "GroupName", "");
    out_str(o, "Tenancy", in->tenancy);
    out_end(o);
    if (in->private_ip[0])
        out_str(o, "PrivateIpAddress", in->private_ip);
    if (in->public_ip[0])
        out_str(o, "PublicIpAddress", in->public_ip);
    out_json(o, "BlockDeviceMappings", v->bdm);
    out_json(o, "NetworkInterfaces", v->nis);
    if (v->has_profile) {
        out_begin(o, "IamInstanceProfile");
        out_str(o, "Arn", v->profile.arn);
        if (v->profile.id[0])
            out_str(o, "Id", v->profile.id);
        out_end(o);
    }
    out_begin(o, "MaintenanceOptions");
    out_str(o, "AutoRecovery", in->auto_recovery);
    out_str(o, "RebootMigration", "default");
    out_end(o);
    if (json_array_size(v->tags))
        out_json(o, "Tags", v->tags);
    ec2_out_members(o, doc);
    out_end(o);
}

static json_t *strings_of(const json_t *list, const char *member)
{
    json_t *a = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e) json_array_append(a, json_object_get(e, member));
    return a;
}

/* Filter facets of an instance (see ec2_filters_match). */
static json_t *instance_facets(struct call *c, const struct ec2_instance *in, const json_t *doc,
                               const struct view *v, const char *reservation)
{
    char launch[32];
    time_fmt_iso8601_ms(in->launch_ms, launch);
    json_t *f = json_object();
#define S(k, val) json_object_set_new(f, k, json_string(val))
#define D(k, m) json_object_set(f, k, json_object_get(doc, m))
    S("instance-id", in->id);
    S("instance-type", in->type);
    S("image-id", in->image_id);
    S("availability-zone", in->az);
    S("availability-zone-id", v->zone.id);
    S("instance-state-name", ec2_state_name(in->state));
    json_object_set_new(f, "instance-state-code", json_integer(in->state));
    S("reservation-id", reservation);
    S("owner-id", c->account);
    S("launch-time", launch);
    S("tenancy", in->tenancy);
    S("placement-group-name", "");
    if (in->private_ip[0])
        S("private-ip-address", in->private_ip);
    if (in->public_ip[0])
        S("ip-address", in->public_ip);
    D("dns-name", "PublicDnsName");
    D("private-dns-name", "PrivateDnsName");
    D("vpc-id", "VpcId");
    D("subnet-id", "SubnetId");
    D("key-name", "KeyName");
    D("launch-index", "AmiLaunchIndex");
    D("architecture", "Architecture");
    D("root-device-type", "RootDeviceType");
    D("root-device-name", "RootDeviceName");
    D("hypervisor", "Hypervisor");
    D("virtualization-type", "VirtualizationType");
    D("platform-details", "PlatformDetails");
    D("usage-operation", "UsageOperation");
    D("client-token", "ClientToken");
    D("ebs-optimized", "EbsOptimized");
    D("ena-support", "EnaSupport");
    D("source-dest-check", "SourceDestCheck");
    D("reason", "StateTransitionReason");
    D("current-instance-boot-mode", "CurrentInstanceBootMode");
    const json_t *sr = json_object_get(doc, "StateReason");
    json_object_set(f, "state-reason-code", json_object_get(sr, "Code"));
    json_object_set(f, "state-reason-message", json_object_get(sr, "Message"));
    json_object_set(f, "monitoring-state",
                    json_object_get(json_object_get(doc, "Monitoring"), "State"));
    const json_t *md = json_object_get(doc, "MetadataOptions");
    json_object_set(f, "metadata-options.http-tokens", json_object_get(md, "HttpTokens"));
    json_object_set(f, "metadata-options.http-endpoint", json_object_get(md, "HttpEndpoint"));
    json_object_set(f, "metadata-options.http-put-response-hop-limit",
                    json_object_get(md, "HttpPutResponseHopLimit"));
    json_object_set(f, "metadata-options.http-protocol-ipv6",
                    json_object_get(md, "HttpProtocolIpv6"));
    json_object_set(f, "metadata-options.instance-metadata-tags",
                    json_object_get(md, "InstanceMetadataTags"));
    S("capacity-reservation-specification.capacity-reservation-preference", "open");
    json_object_set_new(f, "hibernation-options.configured", json_false());
    const json_t *groups = json_object_get(doc, "SecurityGroups");
    json_object_set_new(f, "group-id", strings_of(groups, "GroupId"));
    json_object_set_new(f, "group-name", strings_of(groups, "GroupName"));
    json_object_set_new(f, "instance.group-id", strings_of(groups, "GroupId"));
    json_object_set_new(f, "instance.group-name", strings_of(groups, "GroupName"));
    if (v->has_profile) {
        S("iam-instance-profile.arn", v->profile.arn);
        S("iam-instance-profile.id", v->profile.id);
    }
    json_t *ebs = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(v->bdm, i, e) json_array_append(ebs, json_object_get(e, "Ebs"));
    json_object_set_new(f, "block-device-mapping.device-name", strings_of(v->bdm, "DeviceName"));
    json_object_set_new(f, "block-device-mapping.volume-id", strings_of(ebs, "VolumeId"));
    json_object_set_new(f, "block-device-mapping.status", strings_of(ebs, "Status"));
    json_object_set_new(f, "block-device-mapping.delete-on-termination",
                        strings_of(ebs, "DeleteOnTermination"));
    json_t *at = json_array();
    json_array_foreach(ebs, i, e)
    {
        char t[32];
        time_fmt_iso8601_ms(json_integer_value(json_object_get(e, "AttachTime")), t);
        json_array_append_new(at, json_string(t));
    }
    json_object_set_new(f, "block-device-mapping.attach-time", at);
    json_decref(ebs);
    const json_t *ni = json_array_get(v->nis, 0);
    if (ni) {
        json_object_set(f, "network-interface.network-interface-id",
                        json_object_get(ni, "NetworkInterfaceId"));
        json_object_set(f, "network-interface.subnet-id", json_object_get(ni, "SubnetId"));
        json_object_set(f, "network-interface.vpc-id", json_object_get(ni, "VpcId"));
        json_object_set(f, "network-interface.mac-address", json_object_get(ni, "MacAddress"));
        json_object_set(f, "network-interface.private-dns-name",
                        json_object_get(ni, "PrivateDnsName"));
        json_object_set(f, "network-interface.status", json_object_get(ni, "Status"));
        json_object_set(f, "network-interface.owner-id", json_object_get(ni, "OwnerId"));
        json_object_set(f, "network-interface.source-dest-check",
                        json_object_get(ni, "SourceDestCheck"));
        json_object_set(f, "network-interface.attachment.attachment-id",
                        json_object_get(json_object_get(ni, "Attachment"), "AttachmentId"));
        json_object_set(f, "network-interface.attachment.status",
                        json_object_get(json_object_get(ni, "Attachment"), "Status"));
        json_object_set_new(f, "network-interface.attachment.device-index", json_integer(0));
        json_object_set_new(f, "network-interface.addresses.private-ip-address",
                            json_string(in->private_ip));
        json_object_set_new(f, "network-interface.addresses.primary", json_true());
        json_object_set_new(f, "network-interface.group-id", strings_of(groups, "GroupId"));
        json_object_set_new(f, "network-interface.group-name", strings_of(groups, "GroupName"));
        if (in->public_ip[0]) {
            S("network-interface.association.public-ip", in->public_ip);
            S("network-interface.addresses.association.public-ip", in->public_ip);
            S("network-interface.association.ip-owner-id", "amazon");
        }
    }
#undef S
#undef D
    return f;
}

static const char *const instance_filters[] = {
    "affinity",
    "architecture",
    "availability-zone",
    "availability-zone-id",
    "block-device-mapping.attach-time",
    "block-device-mapping.delete-on-termination",
    "block-device-mapping.device-name",
    "block-device-mapping.status",
    "block-device-mapping.volume-id",
    "boot-mode",
    "capacity-reservation-id",
    "capacity-reservation-specification.capacity-reservation-preference",
    "client-token",
    "current-instance-boot-mode",
    "dns-name",
    "ebs-optimized",
    "ena-support",
    "group-id",
    "group-name",
    "hibernation-options.configured",
    "host-id",
    "hypervisor",
    "iam-instance-profile.arn",
    "iam-instance-profile.id",
    "image-id",
    "instance-id",
    "instance-lifecycle",
    "instance-state-code",
    "instance-state-name",
    "instance-type",
    "instance.group-id",
    "instance.group-name",
    "ip-address",
    "ipv6-address",
    "kernel-id",
    "key-name",
    "launch-index",
    "launch-time",
    "metadata-options.http-endpoint",
    "metadata-options.http-protocol-ipv6",
    "metadata-options.http-put-response-hop-limit",
    "metadata-options.http-tokens",
    "metadata-options.instance-metadata-tags",
    "monitoring-state",
    "network-interface.addresses.association.public-ip",
    "network-interface.addresses.primary",
    "network-interface.addresses.private-ip-address",
    "network-interface.association.ip-owner-id",
    "network-interface.association.public-ip",
    "network-interface.attachment.attachment-id",
    "network-interface.attachment.device-index",
    "network-interface.attachment.status",
    "network-interface.group-id",
    "network-interface.group-name",
    "network-interface.mac-address",
    "network-interface.network-interface-id",
    "network-interface.owner-id",
    "network-interface.private-dns-name",
    "network-interface.source-dest-check",
    "network-interface.status",
    "network-interface.subnet-id",
    "network-interface.vpc-id",
    "outpost-arn",
    "owner-id",
    "placement-group-name",
    "placement-partition-number",
    "platform",
    "platform-details",
    "private-dns-name",
    "private-ip-address",
    "product-code",
    "product-code.type",
    "ramdisk-id",
    "reason",
    "requester-id",
    "reservation-id",
    "root-device-name",
    "root-device-type",
    "source-dest-check",
    "spot-instance-request-id",
    "state-reason-code",
    "state-reason-message",
    "subnet-id",
    "tenancy",
    "tpm-support",
    "usage-operation",
    "virtualization-type",
    "vpc-id",
    "tag:",
    "tag-key",
    "tag-value",
    NULL};

/*
 * DescribeInstances of the call's region: InstanceIds (malformed / unknown ids fail),
 * Filters (AWS's names; values with wildcards), MaxResults 5..1000 with NextToken (not with
 * InstanceIds [obs]); without MaxResults everything. Instances come grouped by reservation,
 * ordered by reservation id and instance id (inferred).
 */
int ec2_describe_instances(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (!ec2_call_region(c) || ec2_check_filters(c, in, instance_filters) ||
        ec2_max_results(c, in, 5, 1000, 1 << 30, EC2_M_DescribeInstancesRequest_InstanceIds,
                        "instancesSet", &max) ||
        ec2_token_read(c, in, &after))
        return -1;
    const char *after_res = NULL, *after_id = NULL;
    if (after) {
        char *bar = strchr(after, '|');
        if (!bar)
            return call_fail(c, 400, "InvalidPaginationToken",
                             "The specified pagination token is not valid or is expired.");
        *bar = 0;
        after_res = after;
        after_id = bar + 1;
    }
    const json_t *ids = json_object_get(in, EC2_M_DescribeInstancesRequest_InstanceIds);
    if (ec2_instances_check(c, ids) || ec2_dry_run(c, in))
        return -1;

    /* Rows first (the per-instance lookups below reuse other cached statements). */
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT " INST_COLS " FROM ec2_instances WHERE region = ?1"
                          " AND (?2 IS NULL OR (reservation_id, id) > (?2, ?3))"
                          " AND (?4 IS NULL OR id IN (SELECT value FROM json_each(?4)))"
                          " ORDER BY reservation_id, id LIMIT ?5");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    if (after_res) {
        sqlite3_bind_text(s, 2, after_res, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, after_id, -1, SQLITE_TRANSIENT);
    }
    if (json_array_size(ids))
        sqlite3_bind_text(s, 4, ec2_json_text(c, ids), -1, SQLITE_TRANSIENT);
    /* without filters a page needs one row more than it shows (to know there is more) */
    bool filtered =
        json_array_size(json_object_get(in, EC2_M_DescribeInstancesRequest_Filters)) > 0;
    sqlite3_bind_int64(s, 5, filtered ? -1 : (int64_t)max + 1);
    size_t cap = 64, n = 0;
    struct row {
        struct ec2_instance in;
        json_t *doc;
        char res[32];
    } *rows = xmalloc(cap * sizeof(*rows));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap *= 2;
            rows = xrealloc(rows, cap * sizeof(*rows));
        }
        inst_row(s, &rows[n].in, &rows[n].doc, rows[n].res);
        n++;
    }
    sqlite3_reset(s);
    int ret = 0;
    if (rc != SQLITE_DONE) {
        ret = ec2_db_fail(c->st, "instances describe");
        goto out;
    }

    int shown = 0;
    const char *open_res = NULL, *last = NULL;
    bool more = false;
    out_begin(o, "Reservations");
    for (size_t i = 0; i < n; i++) {
        struct row *r = &rows[i];
        struct view v;
        view_load(c, &r->in, r->doc, &v);
        bool ok = true;
        if (filtered) {
            json_t *facets = instance_facets(c, &r->in, r->doc, &v, r->res);
            ok = ec2_filters_match(in, facets, v.tags);
            json_decref(facets);
        }
        if (ok && shown == max) {
            more = true;
            ok = false;
        }
        if (ok) {
            if (!open_res || !str_eq(open_res, r->res)) {
                if (open_res) {
                    out_end(o); /* Instances */
                    out_end(o); /* the reservation */
                }
                open_res = r->res;
                out_begin(o, NULL);
                out_str(o, "ReservationId", r->res);
                out_str(o, "OwnerId", c->account);
                out_begin(o, "Groups");
                out_end(o);
                out_begin(o, "Instances");
            }
            render_instance(o, &r->in, r->doc, &v);
            last = arena_printf(c->a, "%s|%s", r->res, r->in.id);
            shown++;
        }
        view_free(&v);
        if (more)
            break;
    }
    if (open_res) {
        out_end(o);
        out_end(o);
    }
    out_end(o);
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
out:
    for (size_t i = 0; i < n; i++)
        json_decref(rows[i].doc);
    free(rows);
    return ret;
}

/* ================================================================ RunInstances */

/* What one RunInstances request asks for, checked. */
struct launch {
    const struct ec2_type_info *type;
    const char *image_id;
    const char *arch;
    struct ec2_subnet subnet;
    const char *tenancy;
    const char *auto_recovery;
    json_t *groups; /* GroupIdentifierList */
    bool public_ip;
    const char *private_ip; /* requested, or NULL */
    struct ec2_volume_spec root;
    struct ec2_volume_spec extra[16];
    size_t nextra;
    bool has_profile;
    struct ec2_profile profile;
    json_t *metadata; /* MetadataOptions (response form) */
    const json_t *instance_tags, *volume_tags;
    int64_t count;
};

static const char *const run_tag_types[] = {"instance", "volume", "network-interface", NULL};

static int launch_placement(struct call *c, const json_t *in, struct launch *l, const json_t *ni0)
{
    const json_t *pl = json_object_get(in, EC2_M_RunInstancesRequest_Placement);
    const char *az = json_string_value(json_object_get(pl, EC2_M_Placement_AvailabilityZone));
    const char *azid = json_string_value(json_object_get(pl, EC2_M_Placement_AvailabilityZoneId));
    const char *subnet = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_SubnetId));
    if (ni0 && json_string_value(
                   json_object_get(ni0, EC2_M_InstanceNetworkInterfaceSpecification_SubnetId)))
        subnet = json_string_value(
            json_object_get(ni0, EC2_M_InstanceNetworkInterfaceSpecification_SubnetId));
    l->tenancy = json_string_value(json_object_get(pl, EC2_M_Placement_Tenancy));
    if (!l->tenancy)
        l->tenancy = "default";
    if (!str_eq(l->tenancy, "default") && !str_eq(l->tenancy, "dedicated") &&
        !str_eq(l->tenancy, "host"))
        return call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for tenancy.",
                         l->tenancy); /* inferred */
    struct ec2_zone z;
    if (azid && !az) {
        if (ec2_zone_find_id(azid, &z) || !str_eq(z.region->name, c->region))
            return call_fail(c, 400, "InvalidParameterValue", "Invalid availability zone: [%s]",
                             azid);
        az = arena_strdup(c->a, z.name);
    }
    if (az && (ec2_zone_find(az, &z) || !str_eq(z.region->name, c->region)))
        return call_fail(c, 400, "InvalidParameterValue", "Invalid availability zone: [%s]",
                         az); /* [obs] */
    if (subnet) {
        if (!ec2_id_ok(subnet, "subnet"))
            return call_fail(c, 400, "InvalidSubnetID.Malformed",
                             "Invalid id: \"%s\" (expecting \"subnet-...\")", subnet);
        int rc = ec2_subnet_get(c, subnet, &l->subnet);
        if (rc < 0)
            return -1;
        if (rc == 1)
            return call_fail(c, 400, "InvalidSubnetID.NotFound",
                             "The subnet ID '%s' does not exist", subnet); /* [obs] */
        if (az && !str_eq(az, l->subnet.az))
            return call_fail(c, 400, "InvalidParameterValue",
                             "The specified Availability Zone (%s) does not match the subnet's "
                             "Availability Zone (%s).",
                             az, l->subnet.az); /* inferred */
        return 0;
    }
    if (!az) /* AWS picks a zone: here the first with room in its default subnet (inferred) */
        return ec2_subnet_auto(
            c, json_integer_value(json_object_get(in, EC2_M_RunInstancesRequest_MinCount)),
            &l->subnet);
    return ec2_subnet_default(c, az, &l->subnet);
}

static int launch_network(struct call *c, const json_t *in, struct launch *l)
{
    const json_t *nis = json_object_get(in, EC2_M_RunInstancesRequest_NetworkInterfaces);
    const json_t *ni0 = NULL;
    size_t i;
    const json_t *e;
    json_array_foreach(nis, i, e)
    {
        if (json_integer_value(
                json_object_get(e, EC2_M_InstanceNetworkInterfaceSpecification_DeviceIndex)) == 0)
            ni0 = e;
        else
            return call_fail(c, 400, "InvalidParameterValue",
                             "The lab launches instances with one network interface (device "
                             "index 0)"); /* inferred */
        if (json_string_value(
                json_object_get(e, EC2_M_InstanceNetworkInterfaceSpecification_NetworkInterfaceId)))
            return call_fail(c, 400, "InvalidParameterValue",
                             "Attaching an existing network interface at launch is not "
                             "supported"); /* inferred */
    }
    if (ni0 && json_object_get(in, EC2_M_RunInstancesRequest_SubnetId))
        return call_fail(c, 400, "InvalidParameterCombination",
                         "Network interfaces and an instance-level subnet ID may not be "
                         "specified on the same request"); /* [obs] */
    if (ni0 && (json_array_size(json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroupIds)) ||
                json_array_size(json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroups))))
        return call_fail(c, 400, "InvalidParameterCombination",
                         "Network interfaces and an instance-level security groups may not be "
                         "specified on the same request"); /* [obs] */
    if (launch_placement(c, in, l, ni0))
        return -1;
    const json_t *gids =
        ni0 ? json_object_get(ni0, EC2_M_InstanceNetworkInterfaceSpecification_Groups)
            : json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroupIds);
    if (ec2_groups_resolve(
            c, gids, ni0 ? NULL : json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroups),
            &l->groups))
        return -1;
    l->public_ip = l->subnet.map_public_ip;
    const json_t *assoc =
        ni0 ? json_object_get(ni0,
                              EC2_M_InstanceNetworkInterfaceSpecification_AssociatePublicIpAddress)
            : NULL;
    if (json_is_boolean(assoc))
        l->public_ip = json_is_true(assoc);
    l->private_ip =
        json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_PrivateIpAddress));
    if (ni0 && json_string_value(json_object_get(
                   ni0, EC2_M_InstanceNetworkInterfaceSpecification_PrivateIpAddress)))
        l->private_ip = json_string_value(
            json_object_get(ni0, EC2_M_InstanceNetworkInterfaceSpecification_PrivateIpAddress));
    return 0;
}

static int launch_volumes(struct call *c, const json_t *in, struct launch *l)
{
    memset(&l->root, 0, sizeof(l->root));
    l->root.type = "gp2";
    l->root.size_gib = 8; /* the images' root snapshot (inferred) */
    l->root.delete_on_termination = true;
    l->root.device = ROOT_DEVICE;
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(in, EC2_M_RunInstancesRequest_BlockDeviceMappings), i, e)
    {
        const char *dev =
            json_string_value(json_object_get(e, EC2_M_BlockDeviceMapping_DeviceName));
        const json_t *ebs = json_object_get(e, EC2_M_BlockDeviceMapping_Ebs);
        if (!dev)
            return call_fail(c, 400, "MissingParameter",
                             "The request must contain the parameter BlockDeviceMapping.%zu."
                             "DeviceName",
                             i + 1); /* inferred */
        if (!ebs)
            continue; /* ephemeral / NoDevice mappings: nothing to create here */
        struct ec2_volume_spec *v;
        if (str_eq(dev, ROOT_DEVICE)) {
            v = &l->root;
        } else {
            if (l->nextra == ARRAY_LEN(l->extra))
                return call_fail(c, 400, "InvalidParameterValue",
                                 "Too many block device mappings"); /* inferred */
            v = &l->extra[l->nextra++];
            memset(v, 0, sizeof(*v));
            v->type = "gp2";
            v->delete_on_termination = true; /* [doc: EbsBlockDevice default] */
            v->device = dev;
            v->snapshot_id = "snap-image";
        }
        const char *t = json_string_value(json_object_get(ebs, EC2_M_EbsBlockDevice_VolumeType));
        if (t)
            v->type = t;
        if (json_object_get(ebs, EC2_M_EbsBlockDevice_VolumeSize))
            v->size_gib = json_integer_value(json_object_get(ebs, EC2_M_EbsBlockDevice_VolumeSize));
        if (json_object_get(ebs, EC2_M_EbsBlockDevice_Iops))
            v->iops = json_integer_value(json_object_get(ebs, EC2_M_EbsBlockDevice_Iops));
        if (json_object_get(ebs, EC2_M_EbsBlockDevice_Throughput))
            v->throughput =
                json_integer_value(json_object_get(ebs, EC2_M_EbsBlockDevice_Throughput));
        if (json_is_boolean(json_object_get(ebs, EC2_M_EbsBlockDevice_DeleteOnTermination)))
            v->delete_on_termination =
                json_is_true(json_object_get(ebs, EC2_M_EbsBlockDevice_DeleteOnTermination));
        v->encrypted = json_is_true(json_object_get(ebs, EC2_M_EbsBlockDevice_Encrypted));
        v->kms_key_id = json_string_value(json_object_get(ebs, EC2_M_EbsBlockDevice_KmsKeyId));
        const char *snap = json_string_value(json_object_get(ebs, EC2_M_EbsBlockDevice_SnapshotId));
        if (snap)
            v->snapshot_id = snap;
        if (v->snapshot_id && str_eq(v->snapshot_id, "snap-image"))
            v->snapshot_id = NULL;
        if (v != &l->root && v->size_gib == 0 && !v->snapshot_id)
            return call_fail(c, 400, "InvalidParameterValue",
                             "The request must contain the parameter size or snapshotId for "
                             "device %s",
                             dev); /* inferred */
        /* the root is checked once, below (a second check of gp2 would see the iops the
         * first one derived and refuse them) */
        if (v != &l->root && ec2_volume_check(c, v))
            return -1;
    }
    if (l->root.size_gib < 8)
        return call_fail(c, 400, "InvalidBlockDeviceMapping",
                         "Volume of size %lldGB is smaller than snapshot, expect size >= 8GB",
                         (long long)l->root.size_gib); /* [obs] */
    return ec2_volume_check(c, &l->root);
}

static int launch_metadata(struct call *c, const json_t *in, struct launch *l)
{
    const json_t *m = json_object_get(in, EC2_M_RunInstancesRequest_MetadataOptions);
    const char *tokens =
        json_string_value(json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpTokens));
    const char *endpoint =
        json_string_value(json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpEndpoint));
    const char *v6 = json_string_value(
        json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpProtocolIpv6));
    const char *tags = json_string_value(
        json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_InstanceMetadataTags));
    json_int_t hops = 1;
    if (json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpPutResponseHopLimit))
        hops = json_integer_value(
            json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpPutResponseHopLimit));
    if (hops < 1 || hops > 64)
        return call_fail(c, 400, "InvalidParameterValue",
                         "The HttpPutResponseHopLimit value must be between 1 and 64. "
                         "Specify a value between 1 and 64, and try again."); /* inferred */
    l->metadata = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "State", "pending", "HttpTokens",
                            tokens ? tokens : "optional", "HttpPutResponseHopLimit", hops,
                            "HttpEndpoint", endpoint ? endpoint : "enabled", "HttpProtocolIpv6",
                            v6 ? v6 : "disabled", "InstanceMetadataTags", tags ? tags : "disabled");
    return 0;
}

/* Live (not terminated) instances of the region. */
static int64_t live_count(struct call *c)
{
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT count(*) FROM ec2_instances WHERE region = ?1 AND state != 48");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return n;
}

static int launch_parse(struct call *c, const json_t *in, struct launch *l)
{
    json_int_t min = json_integer_value(json_object_get(in, EC2_M_RunInstancesRequest_MinCount));
    json_int_t max = json_integer_value(json_object_get(in, EC2_M_RunInstancesRequest_MaxCount));
    if (min < 1)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Value ( %" JSON_INTEGER_FORMAT
                         " ) for parameter minCount is invalid. Expecting a value greater than 0.",
                         min); /* inferred */
    if (max < min)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Value ( %" JSON_INTEGER_FORMAT
                         " ) for parameter maxCount is invalid. Expecting a value greater than or "
                         "equal to minCount.",
                         max); /* inferred */
    l->image_id = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_ImageId));
    if (!l->image_id)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter ImageId"); /* inferred */
    if (ec2_image_check_id(c, l->image_id))
        return -1;
    const char *type =
        json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_InstanceType));
    if (!type)
        type = "m1.small"; /* [doc: RunInstances InstanceType "Default: m1.small"] */
    l->type = ec2_type_find(type);
    if (!l->type)
        return call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for InstanceType.",
                         type); /* [obs] */
    l->arch = ec2_type_arch(l->type);
    const json_t *mo = json_object_get(in, EC2_M_RunInstancesRequest_MaintenanceOptions);
    l->auto_recovery = json_string_value(
        json_object_get(mo, EC2_M_InstanceMaintenanceOptionsRequest_AutoRecovery));
    if (!l->auto_recovery)
        l->auto_recovery = "default";
    if (!str_eq(l->auto_recovery, "default") && !str_eq(l->auto_recovery, "disabled"))
        return call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for AutoRecovery.",
                         l->auto_recovery); /* inferred */
    const char *ud = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_UserData));
    if (ud &&
        json_string_length(json_object_get(in, EC2_M_RunInstancesRequest_UserData)) / 4 * 3 > 16384)
        return call_fail(c, 400, "InvalidParameterValue",
                         "User data is limited to 16384 bytes"); /* [obs] */
    const json_t *cpu = json_object_get(in, EC2_M_RunInstancesRequest_CpuOptions);
    if (cpu) {
        int cores, threads;
        ec2_type_cpu(l->type, &cores, &threads);
        json_int_t cc =
            json_object_get(cpu, EC2_M_CpuOptionsRequest_CoreCount)
                ? json_integer_value(json_object_get(cpu, EC2_M_CpuOptionsRequest_CoreCount))
                : cores;
        json_int_t tpc =
            json_object_get(cpu, EC2_M_CpuOptionsRequest_ThreadsPerCore)
                ? json_integer_value(json_object_get(cpu, EC2_M_CpuOptionsRequest_ThreadsPerCore))
                : threads;
        if (cc < 1 || cc > cores || tpc < 1 || tpc > threads)
            return call_fail(c, 400, "InvalidCpuOptions.Malformed",
                             "The specified CPU options are not valid for %s.",
                             l->type->name); /* inferred */
    }
    if (launch_network(c, in, l) || launch_volumes(c, in, l) || launch_metadata(c, in, l))
        return -1;
    if (l->private_ip && max > 1)
        return call_fail(c, 400, "InvalidParameterCombination",
                         "Cannot specify a private IP address when launching more than one "
                         "instance"); /* inferred */
    const json_t *prof = json_object_get(in, EC2_M_RunInstancesRequest_IamInstanceProfile);
    if (prof) {
        if (ec2_profile_resolve(c, prof, &l->profile))
            return -1;
        l->has_profile = true;
    }
    if (ec2_tag_specs(c, in, run_tag_types, "instance", &l->instance_tags) ||
        ec2_tag_specs(c, in, run_tag_types, "volume", &l->volume_tags))
        return -1;
    /* capacity: the lab's per-region limit (inferred); AWS launches the most it can */
    int64_t room = EC2_MAX_LIVE_PER_REGION - live_count(c);
    if (room < min)
        return call_fail(c, 400, "InstanceLimitExceeded",
                         "You have requested more instances (%" JSON_INTEGER_FORMAT
                         ") than your current instance limit of %d allows for the specified "
                         "instance type. Please visit http://aws.amazon.com/contact-us/ec2-request "
                         "to request an adjustment to this limit.",
                         min, EC2_MAX_LIVE_PER_REGION); /* [obs] */
    l->count = max < room ? max : room;
    /* and as many as the subnet has addresses for [doc: "launches the largest possible
     * number of instances above MinCount"] */
    int64_t free_ips = ec2_subnet_free(c, &l->subnet);
    if (free_ips < 0)
        return ec2_db_fail(c->st, "address count");
    if (free_ips < min)
        return call_fail(c, 400, "InsufficientFreeAddressesInSubnet",
                         "There are not enough free addresses in subnet '%s' to satisfy the "
                         "requested number of instances.",
                         l->subnet.id); /* [doc] */
    if (l->count > free_ips)
        l->count = free_ips;
    return 0;
}

static void mac_address(char out[18])
{
    unsigned char b[5];
    rand_bytes(b, sizeof(b));
    snprintf(out, 18, "0a:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4]);
}

/* The document of a new instance (see the file comment). */
static json_t *launch_doc(struct call *c, const json_t *in, const struct launch *l,
                          const struct ec2_instance *inst, int index, const char *token)
{
    char pdns[128], eni[32], attach[40], mac[18];
    ec2_private_dns(c->region, inst->private_ip, pdns, sizeof(pdns));
    ec2_new_id("eni", eni, sizeof(eni));
    ec2_new_id("eni-attach", attach, sizeof(attach));
    mac_address(mac);
    int cores, threads;
    ec2_type_cpu(l->type, &cores, &threads);
    const json_t *cpu = json_object_get(in, EC2_M_RunInstancesRequest_CpuOptions);
    if (json_object_get(cpu, EC2_M_CpuOptionsRequest_CoreCount))
        cores = (int)json_integer_value(json_object_get(cpu, EC2_M_CpuOptionsRequest_CoreCount));
    if (json_object_get(cpu, EC2_M_CpuOptionsRequest_ThreadsPerCore))
        threads =
            (int)json_integer_value(json_object_get(cpu, EC2_M_CpuOptionsRequest_ThreadsPerCore));
    bool monitoring =
        json_is_true(json_object_get(json_object_get(in, EC2_M_RunInstancesRequest_Monitoring),
                                     EC2_M_RunInstancesMonitoringEnabled_Enabled));
    const char *shutdown = json_string_value(
        json_object_get(in, EC2_M_RunInstancesRequest_InstanceInitiatedShutdownBehavior));
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:i, s:{s:s}, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:O, s:b,"
        " s:s, s:{s:i, s:i}, s:{s:s}, s:{s:b}, s:O, s:{s:b}, s:s, s:s, s:I,"
        " s:{s:s, s:b, s:b}, s:s, s:[]}",
        "PrivateDnsName", pdns, "PublicDnsName", "", "StateTransitionReason", "", "AmiLaunchIndex",
        index, "Monitoring", "State", monitoring ? "pending" : "disabled", "SubnetId", l->subnet.id,
        "VpcId", l->subnet.vpc_id, "Architecture", l->arch, "ClientToken", token ? token : "",
        "EbsOptimized", json_is_true(json_object_get(in, EC2_M_RunInstancesRequest_EbsOptimized)),
        "EnaSupport", true, "Hypervisor", "xen", "RootDeviceName", ROOT_DEVICE, "RootDeviceType",
        "ebs", "SecurityGroups", l->groups, "SourceDestCheck", true, "VirtualizationType", "hvm",
        "CpuOptions", "CoreCount", cores, "ThreadsPerCore", threads,
        "CapacityReservationSpecification", "CapacityReservationPreference", "open",
        "HibernationOptions", "Configured", false, "MetadataOptions", l->metadata, "EnclaveOptions",
        "Enabled", false, "PlatformDetails", "Linux/UNIX", "UsageOperation", "RunInstances",
        "UsageOperationUpdateTime", (json_int_t)c->now_ms, "PrivateDnsNameOptions", "HostnameType",
        "ip-name", "EnableResourceNameDnsARecord", false, "EnableResourceNameDnsAAAARecord", false,
        "CurrentInstanceBootMode", str_startswith(l->arch, "arm64") ? "uefi" : "legacy-bios",
        "ProductCodes");
    if (!d)
        return json_object();
    json_object_set_new(d, "StateReason",
                        json_pack("{s:s, s:s}", "Code", "pending", "Message", "pending"));
    const char *key = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_KeyName));
    if (key)
        json_object_set_new(d, "KeyName", json_string(key));
    if (inst->public_ip[0]) {
        char dns[128];
        ec2_public_dns(c->region, inst->public_ip, dns, sizeof(dns));
        json_object_set_new(d, "PublicDnsName", json_string(dns));
    }
    json_object_set_new(d, "_eni", json_string(eni));
    json_object_set_new(d, "_eni_attach", json_string(attach));
    json_object_set_new(d, "_eni_ms", json_integer(c->now_ms));
    json_object_set_new(d, "_mac", json_string(mac));
    json_object_set_new(d, "_public", json_boolean(l->public_ip));
    const char *ud = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_UserData));
    if (ud)
        json_object_set_new(d, "_user_data", json_string(ud));
    if (json_is_true(json_object_get(in, EC2_M_RunInstancesRequest_DisableApiTermination)))
        json_object_set_new(d, "_disable_api_termination", json_true());
    if (json_is_true(json_object_get(in, EC2_M_RunInstancesRequest_DisableApiStop)))
        json_object_set_new(d, "_disable_api_stop", json_true());
    json_object_set_new(d, "_shutdown_behavior", json_string(shutdown ? shutdown : "stop"));
    return d;
}

/* Launches instance number index of the reservation. */
static int launch_one(struct call *c, const json_t *in, const struct launch *l, int index,
                      const char *reservation, const char *token)
{
    struct ec2_instance inst;
    memset(&inst, 0, sizeof(inst));
    ec2_new_id("i", inst.id, sizeof(inst.id));
    snprintf(inst.region, sizeof(inst.region), "%s", c->region);
    snprintf(inst.az, sizeof(inst.az), "%s", l->subnet.az);
    snprintf(inst.type, sizeof(inst.type), "%s", l->type->name);
    snprintf(inst.image_id, sizeof(inst.image_id), "%s", l->image_id);
    snprintf(inst.tenancy, sizeof(inst.tenancy), "%s", l->tenancy);
    snprintf(inst.auto_recovery, sizeof(inst.auto_recovery), "%s", l->auto_recovery);
    if (ec2_ip_alloc(c, &l->subnet, l->private_ip, inst.private_ip))
        return -1;
    if (l->public_ip && ec2_public_ip_alloc(c, inst.public_ip))
        return -1;
    inst.state = EC2_PENDING;
    inst.state_ms = c->now_ms;
    inst.launch_ms = c->now_ms;
    json_t *doc = launch_doc(c, in, l, &inst, index, token);
    int rc = inst_insert(c, &inst, doc, reservation, token);
    json_decref(doc);
    if (rc)
        return -1;
    struct ec2_volume_spec root = l->root;
    root.az = l->subnet.az;
    root.instance_id = inst.id;
    char vol[32];
    if (ec2_volume_create(c, &root, vol) ||
        (l->volume_tags && ec2_tags_put(c, vol, "volume", l->volume_tags)))
        return -1;
    for (size_t i = 0; i < l->nextra; i++) {
        struct ec2_volume_spec v = l->extra[i];
        v.az = l->subnet.az;
        v.instance_id = inst.id;
        if (ec2_volume_create(c, &v, vol) ||
            (l->volume_tags && ec2_tags_put(c, vol, "volume", l->volume_tags)))
            return -1;
    }
    if (l->instance_tags && ec2_tags_put(c, inst.id, "instance", l->instance_tags))
        return -1;
    if (l->has_profile && ec2_profile_associate(c, inst.id, &l->profile))
        return -1;
    if (sched_at(c->st, c->now_ms + EC2_PENDING_MS, EV_INSTANCE, inst.id) < 0)
        return -1;
    return 0;
}

/* Writes the Reservation with every instance of reservation_id (in launch order). */
static int out_reservation(struct call *c, struct out *o, const char *reservation)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " INST_COLS " FROM ec2_instances"
                                        " WHERE reservation_id = ?1"
                                        " ORDER BY json_extract(doc, '$.AmiLaunchIndex')");
    sqlite3_bind_text(s, 1, reservation, -1, SQLITE_TRANSIENT);
    json_t *docs = json_array();
    struct ec2_instance *insts = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *doc;
        insts = xrealloc(insts, (n + 1) * sizeof(*insts));
        inst_row(s, &insts[n++], &doc, NULL);
        json_array_append_new(docs, doc);
    }
    sqlite3_reset(s);
    out_str(o, "ReservationId", reservation);
    out_str(o, "OwnerId", c->account);
    out_begin(o, "Groups");
    out_end(o);
    out_begin(o, "Instances");
    for (size_t i = 0; i < n; i++) {
        struct view v;
        view_load(c, &insts[i], json_array_get(docs, i), &v);
        render_instance(o, &insts[i], json_array_get(docs, i), &v);
        view_free(&v);
    }
    out_end(o);
    free(insts);
    json_decref(docs);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(c->st, "reservation read");
}

/*
 * RunInstances (see struct launch for what is honoured). ClientToken makes it idempotent:
 * a token already used in the region answers the reservation it launched [doc]. DryRun
 * answers after every check. The instances are pending; each becomes running after
 * EC2_PENDING_MS of virtual time.
 */
int ec2_run_instances(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c))
        return -1;
    const char *token =
        json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_ClientToken));
    if (token && !json_is_true(json_object_get(in, EC2_M_RunInstancesRequest_DryRun))) {
        sqlite3_stmt *s = store_stmt(c->st, "SELECT reservation_id FROM ec2_instances"
                                            " WHERE region = ?1 AND client_token = ?2 LIMIT 1");
        sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
        char res[32] = "";
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(res, sizeof(res), "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
        if (res[0])
            return out_reservation(c, o, res);
    }
    struct launch l;
    memset(&l, 0, sizeof(l));
    int rc = -1;
    if (launch_parse(c, in, &l))
        goto out;
    if (ec2_dry_run(c, in))
        goto out;
    if (ec2_image_record(c, l.image_id, l.arch))
        goto out;
    char reservation[32];
    ec2_new_id("r", reservation, sizeof(reservation));
    for (int64_t i = 0; i < l.count; i++)
        if (launch_one(c, in, &l, (int)i, reservation, token))
            goto out;
    rc = out_reservation(c, o, reservation);
    /* the response shows the metadata options as just requested [doc] */
out:
    json_decref(l.groups);
    json_decref(l.metadata);
    return rc;
}
