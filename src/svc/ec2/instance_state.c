/*
 * instance_state.c — the EC2 instance lifecycle in virtual time.
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
 * running) and as it stops running (ec2_health_down, instance_ops.c).
 * The actions that begin a transition are in instance_ops.c, the launch in instance_launch.c.
 */
#include <stdio.h>
#include <string.h>

#include "clock/clock.h"
#include "store/store.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ec2_net.h"

/* The health hooks live in health.c, another part of the tree: weak references keep the
 * tree linking (and the lifecycle working, without health) while it is absent. */
#pragma weak ec2_health_booted

#define SHUTDOWN_CODE "Client.UserInitiatedShutdown"
#define SHUTDOWN_MSG "Client.UserInitiatedShutdown: User initiated shutdown"

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

void ec2_out_state(struct out *o, const char *member, int code)
{
    out_begin(o, member);
    out_int(o, "Code", code);
    out_str(o, "Name", ec2_state_name(code));
    out_end(o);
}

/* ================================================================ state changes */

void ec2_instance_set_state(struct ec2_instance *in, json_t *doc, int state, int64_t at_ms,
                            bool user)
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
    ec2_instance_set_state(in, doc, EC2_RUNNING, at, false);
    in->boot_ms = at;
    json_t *md = json_object_get(doc, "MetadataOptions");
    if (md)
        json_object_set_new(md, "State", json_string("applied"));
    json_t *mon = json_object_get(doc, "Monitoring");
    if (str_eq(json_string_value(json_object_get(mon, "State")), "pending"))
        json_object_set_new(mon, "State", json_string("enabled"));
    if (ec2_instance_update(st, in, doc) == 0)
        booted(st, in, at);
}

static void become_stopped(struct store *st, struct ec2_instance *in, json_t *doc, int64_t at)
{
    in->state = EC2_STOPPED;
    in->state_ms = at;
    in->host_id[0] = 0;
    if (!json_object_get(doc, "_eip")) { /* an Elastic IP stays through a stop [doc] */
        in->public_ip[0] = 0;
        json_object_set_new(doc, "PublicDnsName", json_string(""));
    }
    ec2_instance_update(st, in, doc);
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
    json_object_del(doc, "_eip");
    if (ec2_volumes_release(st, in->id, at) || ec2_profile_drop(st, in->id) ||
        ec2_address_release_instance(st, in->id) || ec2_enis_release_instance(st, in->id) ||
        ec2_instance_update(st, in, doc))
        return;
    if (sched_at(st, at + EC2_TERMINATED_VISIBLE_MS, EC2_EV_INSTANCE, in->id) < 0)
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
    if (ec2_instance_read(st, id, NULL, &in, &doc, NULL) != 0)
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
    if (ec2_instance_read(st, id, NULL, &in, &doc, NULL) != 0)
        return;
    if (in.state == EC2_RUNNING && json_is_true(json_object_get(doc, "_rebooting"))) {
        json_object_del(doc, "_rebooting");
        in.boot_ms = at_ms;
        if (ec2_instance_update(st, &in, doc) == 0)
            booted(st, &in, at_ms);
    }
    json_decref(doc);
}

void ec2_lifecycle_init(void)
{
    clock_on(EC2_EV_INSTANCE, instance_event);
    clock_on(EC2_EV_REBOOT, reboot_event);
    ec2_volumes_init();
}
