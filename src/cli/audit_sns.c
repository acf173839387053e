/*
 * audit_sns.c — the audit's checks of an alarm's SNS actions (issue 12): through SNS's
 * public API (GetTopicAttributes), for each arn:aws:sns:... action
 *   sns-topic-missing                    error    the topic does not exist (NotFound)
 *   sns-topic-policy-denies-cloudwatch   error    the topic policy does not let the
 *                                                 CloudWatch service principal publish
 *   sns-topic-no-confirmed-subscription  warning  nobody would receive the notification
 *   sns-topic-unreadable                 warning  the caller may not read the topic
 * The policy check is the audit's own reading of the document (a client cannot run IAM's
 * evaluator): a Deny statement naming cloudwatch.amazonaws.com or everyone for sns:Publish
 * on the topic without conditions, or no Allow for them whose conditions are only the
 * owner-account keys (AWS:SourceOwner, aws:SourceAccount) or the alarm's aws:SourceArn.
 * Statements with other conditions are taken as not applying (inferred).
 */
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define CW_PRINCIPAL "cloudwatch.amazonaws.com"

static bool any_str(const json_t *v, bool (*pred)(const char *, const void *), const void *ctx)
{
    if (json_is_string(v))
        return pred(json_string_value(v), ctx);
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        if (json_is_string(e) && pred(json_string_value(e), ctx))
            return true;
    }
    return false;
}

static bool action_pred(const char *a, const void *ctx)
{
    (void)ctx;
    return fnmatch(a, "sns:Publish", FNM_CASEFOLD) == 0;
}

static bool resource_pred(const char *r, const void *ctx)
{
    return fnmatch(r, (const char *)ctx, 0) == 0;
}

static bool service_pred(const char *s, const void *ctx)
{
    (void)ctx;
    return str_ieq(s, CW_PRINCIPAL) || str_eq(s, "*");
}

static bool star_pred(const char *s, const void *ctx)
{
    (void)ctx;
    return str_eq(s, "*");
}

static bool principal_is_cw(const json_t *p)
{
    if (json_is_string(p))
        return str_eq(json_string_value(p), "*");
    return any_str(json_object_get(p, "Service"), service_pred, NULL) ||
           any_str(json_object_get(p, "AWS"), star_pred, NULL);
}

struct cond_ctx {
    const char *account;
    const char *alarm_arn;
};

static bool value_ok(const char *key, const char *v, const struct cond_ctx *cx)
{
    if (str_ieq(key, "aws:SourceOwner") || str_ieq(key, "aws:SourceAccount"))
        return str_eq(v, cx->account);
    if (str_ieq(key, "aws:SourceArn"))
        return fnmatch(v, cx->alarm_arn, 0) == 0;
    return false;
}

/* True when every condition of the statement holds for CloudWatch publishing for the alarm
 * (only the owner-account and source-ARN keys are understood). */
static bool conditions_hold(const json_t *cond, const struct cond_ctx *cx)
{
    const char *op;
    const json_t *block;
    json_object_foreach((json_t *)cond, op, block)
    {
        bool known = str_eq(op, "StringEquals") || str_eq(op, "StringLike") ||
                     str_eq(op, "ArnLike") || str_eq(op, "ArnEquals");
        if (!known)
            return false;
        const char *key;
        const json_t *vals;
        json_object_foreach((json_t *)block, key, vals)
        {
            bool ok = false;
            if (json_is_string(vals))
                ok = value_ok(key, json_string_value(vals), cx);
            size_t i;
            const json_t *e;
            json_array_foreach(vals, i, e) ok = ok || value_ok(key, json_string_value(e), cx);
            if (!ok)
                return false;
        }
    }
    return true;
}

/* NULL when CloudWatch may publish; else why not (static text or heap *buf). */
static const char *policy_denies(const json_t *doc, const char *topic, const struct cond_ctx *cx,
                                 char *buf, size_t cap)
{
    const json_t *sts = json_object_get(doc, "Statement");
    json_t *one = NULL;
    if (json_is_object(sts))
        sts = one = json_pack("[O]", sts);
    bool allowed = false;
    size_t i;
    const json_t *st;
    const char *why = NULL;
    json_array_foreach(sts, i, st)
    {
        const char *effect = json_string_value(json_object_get(st, "Effect"));
        if (!any_str(json_object_get(st, "Action"), action_pred, NULL))
            continue;
        if (json_object_get(st, "Resource") &&
            !any_str(json_object_get(st, "Resource"), resource_pred, topic))
            continue;
        if (!principal_is_cw(json_object_get(st, "Principal")))
            continue;
        const json_t *cond = json_object_get(st, "Condition");
        if (str_eq(effect, "Deny") && (!cond || conditions_hold(cond, cx))) {
            const char *sid = json_string_value(json_object_get(st, "Sid"));
            snprintf(buf, cap, "a Deny statement%s%s%s matches %s publishing", sid ? " (Sid " : "",
                     sid ? sid : "", sid ? ")" : "", CW_PRINCIPAL);
            why = buf;
            break;
        }
        if (str_eq(effect, "Allow") && (!cond || conditions_hold(cond, cx)))
            allowed = true;
    }
    json_decref(one);
    if (!why && !allowed)
        why = "no statement allows " CW_PRINCIPAL " to sns:Publish";
    return why;
}

static void add(json_t *out, const char *sev, const char *rule, const char *msg, const char *ev,
                const char *fix)
{
    json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "severity", sev, "rule", rule, "message", msg,
                          "fix", fix);
    if (ev)
        json_object_set_new(f, "evidence", json_string(ev));
    json_array_append_new(out, f);
}

/* True when the alarm has an SNS action. */
bool cli_alarm_has_sns(const json_t *alarm)
{
    static const char *const lists[] = {"AlarmActions", "OKActions", "InsufficientDataActions"};
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        const json_t *a;
        json_array_foreach(json_object_get(alarm, lists[l]), i, a)
        {
            if (str_startswith(json_string_value(a), "arn:aws:sns:"))
                return true;
        }
    }
    return false;
}

void cli_audit_sns(const struct cli_target *t, const json_t *alarm, json_t *out)
{
    static const char *const lists[] = {"AlarmActions", "OKActions", "InsufficientDataActions"};
    json_t *done = json_object();
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        const json_t *a;
        json_array_foreach(json_object_get(alarm, lists[l]), i, a)
        {
            const char *arn = json_string_value(a);
            if (!str_startswith(arn, "arn:aws:sns:") || json_object_get(done, arn))
                continue;
            json_object_set_new(done, arn, json_true());
            char region[64] = "", account[16] = "";
            sscanf(arn, "arn:aws:sns:%63[^:]:%15[^:]", region, account);
            json_t *p = json_pack("{s:s}", "TopicArn", arn);
            struct cli_aws_result r;
            int rc = cli_aws_call("audit", t, region, CLI_SVC_SNS, "GetTopicAttributes", p, &r);
            json_decref(p);
            struct buf m = BUF_INIT, ev = BUF_INIT;
            if (rc == 1 && str_eq(r.code, "NotFound")) {
                buf_printf(&m,
                           "the SNS action's topic %s does not exist: the notification "
                           "fails when the alarm fires",
                           arn);
                buf_printf(&ev, "SNS GetTopicAttributes %s: NotFound", arn);
                add(out, "error", "sns-topic-missing", m.p, ev.p,
                    "create the topic (aws sns create-topic) or fix the alarm's action ARN");
            } else if (rc == 1) {
                buf_printf(&m, "cannot read the SNS action's topic %s", arn);
                buf_printf(&ev, "SNS GetTopicAttributes %s: %s", arn, r.code ? r.code : "");
                add(out, "warning", "sns-topic-unreadable", m.p, ev.p,
                    "audit with credentials that may call sns:GetTopicAttributes");
            } else if (rc == 0) {
                const json_t *at = json_object_get(r.json, "GetTopicAttributesResult");
                at = json_object_get(at ? at : r.json, "Attributes");
                const char *pol = cli_jstr(at, "Policy");
                json_t *doc = pol ? json_loads(pol, 0, NULL) : NULL;
                struct cond_ctx cx = {
                    account, cli_jstr(alarm, "AlarmArn") ? cli_jstr(alarm, "AlarmArn") : ""};
                char why[300];
                const char *deny = doc ? policy_denies(doc, arn, &cx, why, sizeof(why)) : NULL;
                json_decref(doc);
                if (deny) {
                    buf_printf(&m,
                               "the topic policy of %s does not let CloudWatch publish: the "
                               "notification fails when the alarm fires",
                               arn);
                    buf_printf(&ev, "SNS GetTopicAttributes %s: Policy: %s", arn, deny);
                    add(out, "error", "sns-topic-policy-denies-cloudwatch", m.p, ev.p,
                        "allow the service principal cloudwatch.amazonaws.com sns:Publish on the "
                        "topic (or restore the default policy) and remove the Deny");
                }
                if (str_eq(cli_jstr(at, "SubscriptionsConfirmed"), "0")) {
                    buf_reset(&m);
                    buf_reset(&ev);
                    buf_printf(&m,
                               "the topic %s has no confirmed subscription: nobody receives "
                               "the notification",
                               arn);
                    buf_printf(&ev,
                               "SNS GetTopicAttributes %s: SubscriptionsConfirmed 0, "
                               "SubscriptionsPending %s",
                               arn,
                               cli_jstr(at, "SubscriptionsPending")
                                   ? cli_jstr(at, "SubscriptionsPending")
                                   : "?");
                    add(out, "warning", "sns-topic-no-confirmed-subscription", m.p, ev.p,
                        "subscribe the on-call endpoint and confirm the subscription");
                }
            }
            buf_free(&m);
            buf_free(&ev);
            cli_aws_result_free(&r);
        }
    }
    json_decref(done);
}
