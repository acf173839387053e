/*
 * alarm_actions.c — running an alarm's actions after a state transition (aws-behaviour §0,
 * §1.4, §1.5), each writing an Action history item:
 *   Successfully executed action ARN
 *   Failed to execute action ARN. Received error: "MESSAGE"      (HistorySummary max 255)
 * with HistoryData {"actionState":"Succeeded|Failed","stateUpdateTimestamp":MS,
 * "notificationResource":"ARN"[,"error":"MESSAGE"]}.
 *
 * Who acts:
 *   recover (arn:aws:automate:R:ec2:recover, or the swf ...AWS_EC2.InstanceId.Recover/1.0
 *     form): the alarm's creator. Root, or an IAM user whose access key used at creation is
 *     still there and Active, calls ec2_recover as that principal; any temporary credential
 *     (role session, instance profile, CloudFormation service role, GetSessionToken,
 *     federated) or a deleted user/key fails with EC2's 401 as AWS reported it [obs].
 *   stop / terminate / reboot: the service-linked role AWSServiceRoleForCloudWatchEvents
 *     (a session of it); gone -> the action fails.
 *   SNS (arn:aws:sns:REGION:ACCOUNT:TOPIC): CloudWatch publishes AWS's alarm notification
 *     (alarm_notify.c) through svc_invoke as the service principal cloudwatch.amazonaws.com,
 *     so the topic policy decides, as in AWS; the Action item carries the published message
 *     (HistoryData publishedMessage) or SNS's refusal.
 *   Anything else (Lambda, Auto Scaling, SSM...): the target does not exist in the lab
 *     -> a failed item (inferred wording).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store/store.h"
#include "svc/cloudwatch/cw_eval.h"
#include "svc/ec2/ec2.h"
#include "svc/iam/iam.h"
#include "svc/module.h"
#include "wire/wire.h"

#define SLR_NAME "AWSServiceRoleForCloudWatchEvents"
#define SLR_SESSION "AlarmActions" /* inferred */
#define AUTH_401 "AWS was not able to validate the provided access credentials"

enum verb { V_NONE, V_STOP, V_TERMINATE, V_REBOOT, V_RECOVER };

static enum verb verb_of(const char *w, bool swf)
{
    static const char *const lower[] = {"stop", "terminate", "reboot", "recover"};
    static const char *const upper[] = {"Stop", "Terminate", "Reboot", "Recover"};
    for (int i = 0; i < 4; i++)
        if (str_eq(w, swf ? upper[i] : lower[i]))
            return (enum verb)(i + 1);
    return V_NONE;
}

/* The EC2 verb of an action ARN, V_NONE for other targets. */
static enum verb ec2_verb(const char *arn)
{
    char buf[1100];
    snprintf(buf, sizeof(buf), "%s", arn);
    /* arn:aws:automate:REGION:ec2:VERB */
    if (str_startswith(buf, "arn:aws:automate:")) {
        char *p = strchr(buf + 17, ':');
        if (p && str_startswith(p, ":ec2:"))
            return verb_of(p + 5, false);
        return V_NONE;
    }
    /* arn:aws:swf:REGION:ACCT:action/actions/AWS_EC2.InstanceId.Verb/1.0 */
    const char *m = strstr(buf, ":action/actions/AWS_EC2.InstanceId.");
    if (str_startswith(buf, "arn:aws:swf:") && m && str_endswith(buf, "/1.0")) {
        char *v = (char *)m + strlen(":action/actions/AWS_EC2.InstanceId.");
        buf[strlen(buf) - 4] = '\0';
        return verb_of(v, true);
    }
    return V_NONE;
}

static const char *verb_name(enum verb v)
{
    switch (v) {
    case V_STOP:
        return "stop";
    case V_TERMINATE:
        return "terminate";
    case V_REBOOT:
        return "reboot";
    case V_RECOVER:
        return "recover";
    default:
        return "";
    }
}

static const char *instance_of(const struct cw_alarm *a)
{
    const json_t *dims = json_object_get(a->doc, "Dimensions");
    size_t i;
    const json_t *d;
    json_array_foreach(dims, i, d)
    {
        if (str_eq(json_string_value(json_object_get(d, "Name")), "InstanceId"))
            return json_string_value(json_object_get(d, "Value"));
    }
    return NULL;
}

/* Root, or an IAM user (long-term key) whose key used at creation is still there and
 * Active and whose user still exists. */
static bool creator_valid(struct store *st, struct arena *ar, const struct cw_alarm *a)
{
    const struct principal *p = &a->creator;
    if (p->kind == PRINCIPAL_ROOT && !p->temporary)
        return true;
    if (p->kind != PRINCIPAL_USER || p->temporary || !a->creator_key[0])
        return false;
    struct credential key;
    if (iam_key_lookup(st, a->creator_key, ar, &key) != 0 || !key.active || key.session_token)
        return false;
    return iam_user_get(st, p->name, NULL) == 0;
}

/* The service-linked role's session principal; false when the role does not exist. */
static bool slr_principal(struct store *st, struct arena *ar, const char *account,
                          struct principal *out)
{
    char role_id[40];
    struct iam_role r;
    if (iam_role_get(st, ar, SLR_NAME, &r) != 0)
        return false;
    snprintf(role_id, sizeof(role_id), "%s", r.role_id);
    memset(out, 0, sizeof(*out));
    out->kind = PRINCIPAL_ROLE_SESSION;
    out->temporary = true;
    snprintf(out->account, sizeof(out->account), "%s", account);
    snprintf(out->arn, sizeof(out->arn), "arn:aws:sts::%s:assumed-role/%s/%s", account, SLR_NAME,
             SLR_SESSION);
    snprintf(out->user_id, sizeof(out->user_id), "%s:%s", role_id, SLR_SESSION);
    snprintf(out->name, sizeof(out->name), "%s", SLR_NAME);
    snprintf(out->session_name, sizeof(out->session_name), "%s", SLR_SESSION);
    return true;
}

/*
 * CloudTrail: the EC2 call an alarm's stop/terminate/reboot action made, as the
 * service-linked role's session, invokedBy events.amazonaws.com (the service the role is
 * linked to; inferred — AWS documents the role, not the record). Recover has no EC2 API
 * operation to record (inferred: nothing is recorded for it).
 */
static void record_action(struct call *c, enum verb v, const char *id)
{
    static const char *const ops[] = {[V_STOP] = "StopInstances",
                                      [V_TERMINATE] = "TerminateInstances",
                                      [V_REBOOT] = "RebootInstances"};
    if (v != V_STOP && v != V_TERMINATE && v != V_REBOOT)
        return;
    const struct svc_hooks *h = svc_hooks();
    c->op = c->svc ? model_op_find(c->svc, ops[v]) : NULL;
    if (!h || !h->record || !c->op)
        return;
    json_t *in = json_pack("{s:[s]}", "InstanceIds", id);
    if (v == V_STOP)
        json_object_set_new(in, "Force", json_false());
    h->record(c, in, NULL, "events.amazonaws.com");
    json_decref(in);
}

/* Runs one EC2 action; returns NULL on success or the error message (arena). */
static const char *run_ec2(struct store *st, struct arena *ar, const struct cw_alarm *a,
                           enum verb v, int64_t at_ms)
{
    const char *id = instance_of(a);
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = ar;
    c.st = st;
    c.region = a->region;
    c.account = a->account;
    c.now_ms = at_ms;
    c.proto = PROTO_EC2;
    c.svc = model_service_by_id("ec2");
    c.op_name = "";
    uuid4(c.request_id);
    if (v == V_RECOVER) {
        if (!creator_valid(st, ar, a))
            return arena_printf(ar,
                                "Action failed. Encountered error calling EC2 recover. "
                                "(401: %s)",
                                AUTH_401);
        c.who = a->creator;
        snprintf(c.who.access_key_id, sizeof(c.who.access_key_id), "%s", a->creator_key);
    } else if (!slr_principal(st, ar, a->account, &c.who)) {
        return arena_printf(ar, /* inferred */
                            "Action failed. Encountered error calling EC2 %s. (403: The "
                            "service-linked role %s does not exist)",
                            verb_name(v), SLR_NAME);
    }
    if (!id)
        return arena_printf(ar, /* inferred */
                            "Action failed. Encountered error calling EC2 %s. (400: The alarm "
                            "does not monitor an EC2 instance)",
                            verb_name(v));
    int rc;
    switch (v) {
    case V_RECOVER:
        rc = ec2_recover(&c, id);
        break;
    case V_STOP:
        rc = ec2_stop(&c, id, false);
        break;
    case V_TERMINATE:
        rc = ec2_terminate(&c, id);
        break;
    default:
        rc = ec2_reboot(&c, id);
        break;
    }
    record_action(&c, v, id);
    if (rc == 0)
        return NULL;
    if (!c.err.status)
        return arena_printf(ar, "Action failed. Encountered error calling EC2 %s. (500: %s)",
                            verb_name(v), "Internal error"); /* inferred */
    return arena_printf(ar, "Action failed. Encountered error calling EC2 %s. (%d: %s)",
                        verb_name(v), c.err.status,
                        c.err.message ? c.err.message : (c.err.code ? c.err.code : ""));
}

int cw_alarm_run_actions(struct store *st, const struct cw_alarm *a, const json_t *list,
                         int64_t at_ms)
{
    size_t i;
    const json_t *j;
    int rc = 0;
    json_array_foreach(list, i, j)
    {
        const char *arn = json_string_value(j);
        if (!arn)
            continue;
        struct arena *ar = arena_new();
        enum verb v = ec2_verb(arn);
        const char *err, *published = NULL;
        if (v != V_NONE)
            err = run_ec2(st, ar, a, v, at_ms);
        else if (str_startswith(arn, "arn:aws:sns:"))
            err = cw_alarm_notify_sns(st, ar, a, arn, at_ms, &published);
        else
            err = arena_printf(ar, "The target %s does not exist.", arn); /* inferred */
        struct buf sum = BUF_INIT, data = BUF_INIT;
        if (err)
            buf_printf(&sum, "Failed to execute action %s. Received error: \"%s\"", arn, err);
        else
            buf_printf(&sum, "Successfully executed action %s", arn);
        if (sum.len > 255) /* HistorySummary max 255 [model] */
            sum.p[255] = '\0';
        buf_printf(&data,
                   "{\"actionState\":\"%s\",\"stateUpdateTimestamp\":%lld,"
                   "\"notificationResource\":",
                   err ? "Failed" : "Succeeded", (long long)at_ms);
        cw_put_json_str(&data, arn);
        if (published) {
            buf_puts(&data, ",\"publishedMessage\":");
            cw_put_json_str(&data, published);
        }
        if (err) {
            buf_puts(&data, ",\"error\":");
            cw_put_json_str(&data, err);
        }
        buf_putc(&data, '}');
        if (cw_history_add(st, a, "Action", sum.p, data.p, at_ms))
            rc = -1;
        if (err)
            log_info("cloudwatch: alarm %s: %s", a->name, sum.p);
        buf_free(&sum);
        buf_free(&data);
        arena_free(ar);
    }
    return rc;
}
