/*
 * instance_ops.c — StartInstances, StopInstances, RebootInstances, TerminateInstances and the
 * internal ec2_stop / ec2_terminate / ec2_reboot (ec2.h): each checks and begins a transition
 * of the lifecycle (instance_state.c).
 */
#include <stdio.h>

#include "clock/clock.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "svc/iam/authz.h"
#include "wire/models/ec2_members.h"

/* The health hooks live in health.c, another part of the tree: weak references keep the
 * tree linking (and the lifecycle working, without health) while it is absent. */
#pragma weak ec2_health_down

static const char *instance_arn(struct call *c, const char *id)
{
    return arena_printf(c->a, "arn:aws:ec2:%s:%s:instance/%s", c->region, c->account, id);
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
    sched_cancel(c->st, EC2_EV_REBOOT, in->id);
    if (ec2_instance_update(c->st, in, doc))
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
    ec2_instance_set_state(in, doc, EC2_STOPPING, c->now_ms, true);
    if (down_now(c, in, doc))
        return -1;
    sched_cancel(c->st, EC2_EV_INSTANCE, in->id);
    int64_t ms = force ? EC2_STOPPING_MS / 2 : EC2_STOPPING_MS;
    if (sched_at(c->st, c->now_ms + ms, EC2_EV_INSTANCE, in->id) < 0)
        return -1;
    /* a forced stop completes sooner: pretend it began earlier (inferred) */
    if (force) {
        in->state_ms = c->now_ms - (EC2_STOPPING_MS - ms);
        if (ec2_instance_update(c->st, in, doc))
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
    if (json_is_true(json_object_get(doc, "_public")) && !json_object_get(doc, "_eip")) {
        char dns[128];
        if (ec2_public_ip_alloc(c, in->public_ip))
            return -1;
        ec2_public_dns(in->region, in->public_ip, dns, sizeof(dns));
        json_object_set_new(doc, "PublicDnsName", json_string(dns));
    }
    ec2_instance_set_state(in, doc, EC2_PENDING, c->now_ms, true);
    if (ec2_instance_update(c->st, in, doc))
        return -1;
    sched_cancel(c->st, EC2_EV_INSTANCE, in->id);
    if (sched_at(c->st, c->now_ms + EC2_PENDING_MS, EC2_EV_INSTANCE, in->id) < 0)
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
    ec2_instance_set_state(in, doc, EC2_SHUTTING_DOWN, c->now_ms, true);
    if (was_up) {
        if (down_now(c, in, doc))
            return -1;
    } else if (ec2_instance_update(c->st, in, doc)) {
        return -1;
    }
    sched_cancel(c->st, EC2_EV_INSTANCE, in->id);
    if (sched_at(c->st, c->now_ms + EC2_SHUTTING_DOWN_MS, EC2_EV_INSTANCE, in->id) < 0)
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
    if (ec2_instance_update(c->st, in, doc))
        return -1;
    if (ec2_health_down && ec2_health_down(c->st, in->id, c->now_ms, true))
        log_error("ec2: health hook (down) failed for %s", in->id);
    if (sched_at(c->st, c->now_ms + EC2_REBOOT_MS, EC2_EV_REBOOT, in->id) < 0)
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
        return ec2_instance_malformed(c, id);
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
                ec2_out_state(o, "CurrentState", cur);
                ec2_out_state(o, "PreviousState", prev);
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
