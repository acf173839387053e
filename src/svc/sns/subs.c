/*
 * subs.c — Subscribe (ReturnSubscriptionArn, attributes), ConfirmSubscription,
 * Unsubscribe, ListSubscriptions / ListSubscriptionsByTopic (100 a page, NextToken),
 * Get/SetSubscriptionAttributes.
 *
 * http/https, email and email-json subscriptions wait for confirmation (a
 * SubscriptionConfirmation POST, or one in the inbox); sms is confirmed at once. sqs,
 * lambda, application and firehose endpoints name resources this lab does not have:
 * Subscribe refuses them with SNS's NotFound rather than succeed silently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/sns/ops.h"
#include "svc/sns/sns_internal.h"
#include "wire/models/sns_members.h"

static const char *const protocols[] = {"http", "https",       "email",  "email-json", "sms",
                                        "sqs",  "application", "lambda", "firehose"};

static const char *const sub_attr_names[] = {
    "DeliveryPolicy", "FilterPolicy",        "FilterPolicyScope", "RawMessageDelivery",
    "RedrivePolicy",  "SubscriptionRoleArn", "ReplayPolicy"};

static bool raw_capable(const char *p)
{
    return str_eq(p, "http") || str_eq(p, "https") || str_eq(p, "sqs") || str_eq(p, "firehose") ||
           str_eq(p, "lambda");
}

/* Checks one subscription attribute for protocol. 0 or -1 with c failed. */
static int check_sub_attr(struct call *c, const char *protocol, const char *name, const char *value,
                          bool on_subscribe)
{
    bool known = false;
    for (size_t i = 0; i < ARRAY_LEN(sub_attr_names); i++)
        known = known || str_eq(name, sub_attr_names[i]);
    if (!known)
        return sns_invalid(c, "AttributeName"); /* [obs] */
    if (str_eq(name, "RawMessageDelivery")) {
        if (!str_ieq(value, "true") && !str_ieq(value, "false"))
            return sns_invalid(c,
                               "Attributes Reason: RawMessageDelivery: Invalid value [%s]. "
                               "Must be true or false.",
                               value); /* inferred */
        if (!raw_capable(protocol))
            return sns_invalid(c,
                               "%sDelivery protocol [%s] does not support raw message "
                               "delivery.",
                               on_subscribe ? "Attributes Reason: " : "", protocol); /* [obs] */
    } else if (str_eq(name, "FilterPolicy")) {
        if (sns_filter_check(c, value))
            return -1;
    } else if (str_eq(name, "FilterPolicyScope")) {
        if (!str_eq(value, "MessageAttributes") && !str_eq(value, "MessageBody"))
            return sns_invalid(c,
                               "Attributes Reason: FilterPolicyScope: Invalid value [%s]. "
                               "Please use either MessageBody or MessageAttributes",
                               value); /* [obs] */
    } else if (str_eq(name, "DeliveryPolicy")) {
        json_t *p = json_loads(value, 0, NULL);
        bool ok = json_is_object(p);
        json_decref(p);
        if (!ok)
            return sns_invalid(c, "DeliveryPolicy: Invalid JSON"); /* inferred */
    }
    return 0;
}

static bool arn_of(const char *arn, const char *svc)
{
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "arn:aws:%s:", svc);
    if (!str_startswith(arn, prefix))
        return false;
    int colons = 0;
    for (const char *p = arn; *p; p++)
        colons += *p == ':';
    return colons >= 5 && !str_endswith(arn, ":");
}

/* Checks the endpoint for its protocol (AWS's texts). 0 or -1 with c failed. */
static int check_endpoint(struct call *c, const char *protocol, const char *ep)
{
    if (!ep || !*ep)
        return sns_invalid(c, "Endpoint"); /* inferred */
    if (str_eq(protocol, "http") || str_eq(protocol, "https")) {
        const char *want = str_eq(protocol, "http") ? "http://" : "https://";
        if (!str_startswith(ep, want) || strlen(ep) <= strlen(want))
            return sns_invalid(c, "Endpoint must match the specified protocol"); /* [obs] */
    } else if (str_eq(protocol, "email") || str_eq(protocol, "email-json")) {
        const char *at = strchr(ep, '@');
        if (!at || at == ep || !at[1] || strchr(at + 1, '@') || strchr(ep, ' '))
            return sns_invalid(c, "Email address"); /* [obs] */
    } else if (str_eq(protocol, "sms")) {
        size_t digits = 0;
        bool ok = true;
        for (const char *p = ep; *p; p++) {
            if (*p >= '0' && *p <= '9')
                digits++;
            else if (!(p == ep && *p == '+') && *p != '-' && *p != ' ')
                ok = false;
        }
        if (!ok || digits < 7 || digits > 15)
            return sns_invalid(c, "Invalid SMS endpoint: %s", ep); /* inferred */
    } else {
        const char *svc = str_eq(protocol, "sqs")        ? "sqs"
                          : str_eq(protocol, "lambda")   ? "lambda"
                          : str_eq(protocol, "firehose") ? "firehose"
                                                         : "sns";
        const char *word = str_eq(protocol, "sqs")        ? "SQS endpoint ARN"
                           : str_eq(protocol, "lambda")   ? "Lambda endpoint ARN"
                           : str_eq(protocol, "firehose") ? "Firehose endpoint ARN"
                                                          : "Application endpoint ARN";
        if (!arn_of(ep, svc))
            return sns_invalid(c, "%s", word); /* [obs] for SQS and Lambda */
        /* the lab has no such service yet: the resource cannot exist */
        return call_fail(c, 404, "NotFound", "Endpoint %s does not exist", ep); /* inferred */
    }
    return 0;
}

static json_t *attrs_object(const json_t *in_attrs)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in_attrs, k, v)
    {
        if (json_is_string(v)) {
            const char *s = json_string_value(v);
            if (str_eq(k, "RawMessageDelivery"))
                s = str_ieq(s, "true") ? "true" : "false";
            json_object_set_new(o, k, json_string(s));
        }
    }
    return o;
}

int sns_subscribe(struct call *c, const json_t *in, struct out *o)
{
    struct sns_topic t;
    if (sns_topic_need(c, sns_str(in, SNS_M_SubscribeInput_TopicArn), &t))
        return -1;
    int rc = -1;
    struct sns_sub u;
    memset(&u, 0, sizeof(u));
    const char *protocol = sns_str(in, SNS_M_SubscribeInput_Protocol);
    const char *ep = sns_str(in, SNS_M_SubscribeInput_Endpoint);
    const json_t *attrs = json_object_get(in, SNS_M_SubscribeInput_Attributes);
    bool want_arn = json_is_true(json_object_get(in, SNS_M_SubscribeInput_ReturnSubscriptionArn));
    if (sns_authorize(c, "sns:Subscribe", &t))
        goto out;
    bool known = false;
    for (size_t i = 0; i < ARRAY_LEN(protocols); i++)
        known = known || str_eq(protocol, protocols[i]);
    if (!known) {
        sns_invalid(c, "Amazon SNS does not support this protocol string: %s",
                    protocol ? protocol : ""); /* [obs] */
        goto out;
    }
    if (check_endpoint(c, protocol, ep))
        goto out;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        if (check_sub_attr(c, protocol, k, json_string_value(v) ? json_string_value(v) : "", true))
            goto out;
    }

    /* the same endpoint again: the existing subscription [doc] */
    sqlite3_stmt *s = store_stmt(c->st, "SELECT arn FROM sns_subs WHERE topic_arn = ?1 AND"
                                        " protocol = ?2 AND endpoint = ?3");
    sqlite3_bind_text(s, 1, t.arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, protocol, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, ep, -1, SQLITE_TRANSIENT);
    char *existing = sqlite3_step(s) == SQLITE_ROW
                         ? arena_strdup(c->a, (const char *)sqlite3_column_text(s, 0))
                         : NULL;
    sqlite3_reset(s);
    if (existing) {
        if (sns_sub_load(c->st, existing, &u)) {
            sns_internal(c);
            goto out;
        }
        json_object_foreach((json_t *)attrs, k, v)
        {
            if (!str_eq(sns_str(u.attrs, k), json_string_value(v))) {
                sns_invalid(c, "Attributes Reason: Subscription already exists with different "
                               "attributes"); /* [obs] */
                goto out;
            }
        }
        if (!u.confirmed && sns_send_confirmation(c, &t, &u))
            goto out;
        out_str(o, "SubscriptionArn", u.confirmed || want_arn ? u.arn : SNS_PENDING);
        rc = 0;
        goto out;
    }

    char id[37];
    uuid4(id);
    snprintf(u.arn, sizeof(u.arn), "%s:%s", t.arn, id);
    snprintf(u.topic_arn, sizeof(u.topic_arn), "%s", t.arn);
    snprintf(u.account, sizeof(u.account), "%s", c->account);
    snprintf(u.region, sizeof(u.region), "%s", c->region);
    snprintf(u.protocol, sizeof(u.protocol), "%s", protocol);
    snprintf(u.owner, sizeof(u.owner), "%s", c->who.account[0] ? c->who.account : c->account);
    u.endpoint = xstrdup(ep);
    u.attrs = attrs_object(attrs);
    u.confirmed = str_eq(protocol, "sms");
    if (!u.confirmed)
        rand_chars(u.token, 128, ALPHA_LOWER_HEX);
    if (sns_sub_save(c->st, &u)) {
        sns_internal(c);
        goto out;
    }
    if (!u.confirmed && sns_send_confirmation(c, &t, &u))
        goto out;
    out_str(o, "SubscriptionArn", u.confirmed || want_arn ? u.arn : SNS_PENDING);
    rc = 0;
out:
    sns_sub_free(&u);
    sns_topic_free(&t);
    return rc;
}

int sns_confirm_subscription(struct call *c, const json_t *in, struct out *o)
{
    char *arn = NULL;
    const char *auth = sns_str(in, SNS_M_ConfirmSubscriptionInput_AuthenticateOnUnsubscribe);
    if (sns_confirm(c, sns_str(in, SNS_M_ConfirmSubscriptionInput_TopicArn),
                    sns_str(in, SNS_M_ConfirmSubscriptionInput_Token), str_ieq(auth, "true"), &arn))
        return -1;
    out_str(o, "SubscriptionArn", arn);
    return 0;
}

/* The subscription an ARN names, or the call failed (InvalidParameter / NotFound). */
static int sub_need(struct call *c, const char *arn, struct sns_sub *u)
{
    char region[32], account[16], name[260];
    if (sns_arn_parse(arn, region, account, name) || !strchr(name, ':'))
        return sns_invalid(c, "SubscriptionArn"); /* [obs] */
    int r = sns_sub_load(c->st, arn, u);
    if (r < 0)
        return sns_internal(c);
    if (r == 1 || !str_eq(u->region, c->region)) {
        if (r == 0)
            sns_sub_free(u);
        return call_fail(c, 404, "NotFound", "Subscription does not exist"); /* [obs] */
    }
    return 0;
}

int sns_unsubscribe(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct sns_sub u;
    if (sns_authorize(c, "sns:Unsubscribe", NULL) ||
        sub_need(c, sns_str(in, SNS_M_UnsubscribeInput_SubscriptionArn), &u))
        return -1;
    int rc = sns_sub_delete(c->st, u.arn) ? sns_internal(c) : 0;
    sns_sub_free(&u);
    return rc;
}

/* Lists subscriptions of topic (NULL: all of the account and region), 100 a page. */
static int list_subs(struct call *c, const char *topic, const char *next, struct out *o)
{
    sqlite3_stmt *s =
        topic ? store_stmt(c->st, "SELECT arn, owner, protocol, endpoint, topic_arn, confirmed"
                                  " FROM sns_subs WHERE topic_arn = ?1 AND arn > ?2"
                                  " ORDER BY arn LIMIT ?3")
              : store_stmt(c->st, "SELECT arn, owner, protocol, endpoint, topic_arn, confirmed"
                                  " FROM sns_subs WHERE account = ?4 AND region = ?5 AND arn > ?2"
                                  " ORDER BY arn LIMIT ?3");
    if (topic)
        sqlite3_bind_text(s, 1, topic, -1, SQLITE_TRANSIENT);
    else {
        sqlite3_bind_text(s, 4, c->account, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, c->region, -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_text(s, 2, next ? next : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, SNS_PAGE + 1);
    out_begin(o, "Subscriptions");
    int n = 0;
    bool more = false;
    char last[400] = "";
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == SNS_PAGE) {
            more = true;
            break;
        }
        const char *arn = (const char *)sqlite3_column_text(s, 0);
        out_begin(o, NULL);
        out_str(o, "SubscriptionArn",
                sqlite3_column_int(s, 5) ? arn : "PendingConfirmation"); /* [obs] */
        out_str(o, "Owner", (const char *)sqlite3_column_text(s, 1));
        out_str(o, "Protocol", (const char *)sqlite3_column_text(s, 2));
        out_str(o, "Endpoint", (const char *)sqlite3_column_text(s, 3));
        out_str(o, "TopicArn", (const char *)sqlite3_column_text(s, 4));
        out_end(o);
        snprintf(last, sizeof(last), "%s", arn);
        n++;
    }
    sqlite3_reset(s);
    out_end(o);
    if (more) /* inferred: the token is the last ARN of the page */
        out_str(o, "NextToken", last);
    return 0;
}

int sns_list_subscriptions(struct call *c, const json_t *in, struct out *o)
{
    if (sns_authorize(c, "sns:ListSubscriptions", NULL))
        return -1;
    return list_subs(c, NULL, sns_str(in, SNS_M_ListSubscriptionsInput_NextToken), o);
}

int sns_list_subscriptions_by_topic(struct call *c, const json_t *in, struct out *o)
{
    struct sns_topic t;
    if (sns_topic_need(c, sns_str(in, SNS_M_ListSubscriptionsByTopicInput_TopicArn), &t))
        return -1;
    int rc = sns_authorize(c, "sns:ListSubscriptionsByTopic", &t);
    if (rc == 0)
        rc = list_subs(c, t.arn, sns_str(in, SNS_M_ListSubscriptionsByTopicInput_NextToken), o);
    sns_topic_free(&t);
    return rc;
}

int sns_get_subscription_attributes(struct call *c, const json_t *in, struct out *o)
{
    struct sns_sub u;
    if (sns_authorize(c, "sns:GetSubscriptionAttributes", NULL) ||
        sub_need(c, sns_str(in, SNS_M_GetSubscriptionAttributesInput_SubscriptionArn), &u))
        return -1;
    out_begin(o, "Attributes");
    out_str(o, "ConfirmationWasAuthenticated", u.authenticated ? "true" : "false");
    out_str(o, "PendingConfirmation", u.confirmed ? "false" : "true");
    out_str(o, "Owner", u.owner);
    out_str(o, "RawMessageDelivery",
            str_eq(sns_str(u.attrs, "RawMessageDelivery"), "true") ? "true" : "false");
    out_str(o, "TopicArn", u.topic_arn);
    out_str(o, "Endpoint", u.endpoint);
    out_str(o, "Protocol", u.protocol);
    out_str(o, "SubscriptionArn", u.arn);
    out_str(o, "SubscriptionPrincipal",
            arena_printf(c->a, "arn:aws:iam::%s:root", u.owner)); /* inferred */
    if (str_eq(u.protocol, "http") || str_eq(u.protocol, "https")) {
        struct sns_topic t;
        if (sns_topic_load(c->st, u.topic_arn, &t) == 0) {
            json_t *edp = sns_effective_delivery_policy(t.attrs);
            json_t *http = json_object_get(edp, "http");
            json_t *hr = json_deep_copy(json_object_get(http, "defaultHealthyRetryPolicy"));
            const char *sdp = sns_str(u.attrs, "DeliveryPolicy");
            json_t *p = sdp ? json_loads(sdp, 0, NULL) : NULL;
            if (json_is_object(json_object_get(p, "healthyRetryPolicy")))
                json_object_update(hr, json_object_get(p, "healthyRetryPolicy"));
            json_t *eff = json_pack("{s:o}", "healthyRetryPolicy", hr);
            char *text = json_dumps(eff, JSON_COMPACT | JSON_PRESERVE_ORDER);
            out_str(o, "EffectiveDeliveryPolicy", text ? text : "{}");
            free(text);
            json_decref(eff);
            json_decref(p);
            json_decref(edp);
            sns_topic_free(&t);
        }
    }
    const char *k;
    json_t *v;
    json_object_foreach(u.attrs, k, v)
    {
        if (!str_eq(k, "RawMessageDelivery") && json_is_string(v))
            out_str(o, k, json_string_value(v));
    }
    if (sns_str(u.attrs, "FilterPolicy") && !sns_str(u.attrs, "FilterPolicyScope"))
        out_str(o, "FilterPolicyScope", "MessageAttributes");
    out_end(o);
    sns_sub_free(&u);
    return 0;
}

int sns_set_subscription_attributes(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct sns_sub u;
    if (sns_authorize(c, "sns:SetSubscriptionAttributes", NULL) ||
        sub_need(c, sns_str(in, SNS_M_SetSubscriptionAttributesInput_SubscriptionArn), &u))
        return -1;
    int rc = -1;
    const char *name = sns_str(in, SNS_M_SetSubscriptionAttributesInput_AttributeName);
    const char *value = sns_str(in, SNS_M_SetSubscriptionAttributesInput_AttributeValue);
    if (check_sub_attr(c, u.protocol, name ? name : "", value ? value : "", false))
        goto out;
    if (!value || !*value)
        json_object_del(u.attrs, name);
    else
        json_object_set_new(u.attrs, name,
                            json_string(str_eq(name, "RawMessageDelivery")
                                            ? (str_ieq(value, "true") ? "true" : "false")
                                            : value));
    if (sns_sub_save(c->st, &u)) {
        sns_internal(c);
        goto out;
    }
    rc = 0;
out:
    sns_sub_free(&u);
    return rc;
}
