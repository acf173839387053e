/*
 * publish.c — Publish and PublishBatch, and what a delivery carries:
 *   - the JSON document AWS POSTs to http/https endpoints and mails to email-json
 *     (Type, MessageId, TopicArn, Subject, Message, Timestamp, SignatureVersion, Signature,
 *     SigningCertURL, UnsubscribeURL, MessageAttributes — AWS's order and its
 *     "key" : value layout), signed over AWS's string to sign;
 *   - the SubscriptionConfirmation document (Token, SubscribeURL);
 *   - MessageStructure json (a "default" entry, per-protocol entries), filter policies on
 *     message attributes or the message body, RawMessageDelivery.
 */
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/sns/ops.h"
#include "svc/sns/sns_internal.h"
#include "wire/models/sns_members.h"

#define MAX_MESSAGE 262144 /* 256 KiB [doc] */

/* ---------------------------------------------------------------- documents */

static void kv(struct buf *b, const char *k, const char *v, bool last)
{
    json_t *j = json_string(v ? v : "");
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    buf_printf(b, "  \"%s\" : %s%s\n", k, t ? t : "\"\"", last ? "" : ",");
    free(t);
    json_decref(j);
}

/* The MessageAttributes of a notification document: {"Name":{"Type":..,"Value":..}}. */
static char *attrs_doc(const json_t *attrs)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        const char *type = sns_str(v, SNS_M_MessageAttributeValue_DataType);
        const char *sv = sns_str(v, SNS_M_MessageAttributeValue_StringValue);
        json_t *bv = json_object_get(v, SNS_M_MessageAttributeValue_BinaryValue);
        char *val = NULL;
        if (!sv && json_is_string(bv)) {
            size_t n = json_string_length(bv);
            val = xmalloc(4 * ((n + 2) / 3) + 1);
            EVP_EncodeBlock((unsigned char *)val, (const unsigned char *)json_string_value(bv),
                            (int)n);
        }
        json_object_set_new(o, k,
                            json_pack("{s:s, s:s}", "Type", type ? type : "String", "Value",
                                      sv    ? sv
                                      : val ? val
                                            : ""));
        free(val);
    }
    char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return t;
}

static const char *sig_version(const struct sns_topic *t)
{
    const char *v = sns_str(t->attrs, "SignatureVersion");
    return str_eq(v, "2") ? "2" : "1";
}

static char *unsubscribe_url(struct call *c, const char *sub_arn)
{
    return arena_printf(c->a,
                        "%s/_recoverlab/sns/unsubscribe?Action=Unsubscribe&SubscriptionArn=%s",
                        sns_base_url(), sub_arn);
}

static char *cert_url(struct call *c)
{
    char *pem = NULL, name[96];
    if (sns_cert(c->st, &pem, name))
        return NULL;
    free(pem);
    return arena_printf(c->a, "%s/_recoverlab/sns/cert/%s", sns_base_url(), name);
}

/* The signed notification document (heap) for one subscription. */
static char *notification_doc(struct call *c, const struct sns_topic *t, const char *sub_arn,
                              const char *message_id, const char *subject, const char *message,
                              const json_t *attrs)
{
    char ts[32];
    time_fmt_iso8601_ms(c->now_ms, ts);
    const char *ver = sig_version(t);
    struct buf sts = BUF_INIT;
    buf_printf(&sts, "Message\n%s\nMessageId\n%s\n", message, message_id);
    if (subject)
        buf_printf(&sts, "Subject\n%s\n", subject);
    buf_printf(&sts, "Timestamp\n%s\nTopicArn\n%s\nType\nNotification\n", ts, t->arn);
    char *sig = NULL;
    const char *curl = cert_url(c);
    if (!curl || sns_sign(c->st, atoi(ver), sts.p, &sig)) {
        buf_free(&sts);
        return NULL;
    }
    buf_free(&sts);
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\n");
    kv(&b, "Type", "Notification", false);
    kv(&b, "MessageId", message_id, false);
    kv(&b, "TopicArn", t->arn, false);
    if (subject)
        kv(&b, "Subject", subject, false);
    kv(&b, "Message", message, false);
    kv(&b, "Timestamp", ts, false);
    kv(&b, "SignatureVersion", ver, false);
    kv(&b, "Signature", sig, false);
    kv(&b, "SigningCertURL", curl, false);
    bool has_attrs = json_object_size(attrs) > 0;
    kv(&b, "UnsubscribeURL", unsubscribe_url(c, sub_arn), !has_attrs);
    if (has_attrs) {
        char *a = attrs_doc(attrs);
        buf_printf(&b, "  \"MessageAttributes\" : %s\n", a ? a : "{}");
        free(a);
    }
    buf_puts(&b, "}");
    free(sig);
    return buf_steal(&b);
}

static json_t *http_headers(const char *type, const char *message_id, const char *topic_arn,
                            const char *sub_arn, const char *content_type, bool raw)
{
    json_t *h = json_object();
    json_object_set_new(h, "x-amz-sns-message-type", json_string(type));
    json_object_set_new(h, "x-amz-sns-message-id", json_string(message_id));
    json_object_set_new(h, "x-amz-sns-topic-arn", json_string(topic_arn));
    if (sub_arn)
        json_object_set_new(h, "x-amz-sns-subscription-arn", json_string(sub_arn));
    if (raw)
        json_object_set_new(h, "x-amz-sns-rawdelivery", json_string("true"));
    json_object_set_new(h, "Content-Type",
                        json_string(content_type ? content_type : "text/plain; charset=UTF-8"));
    json_object_set_new(h, "User-Agent", json_string("Amazon Simple Notification Service Agent"));
    return h;
}

/* The retry policy a delivery to s follows (owned): the subscription's healthyRetryPolicy
 * unless the topic disables overrides, else the topic's effective one. */
static json_t *retry_policy(const struct sns_topic *t, const struct sns_sub *s,
                            const char **content_type, json_t **edp_out)
{
    json_t *edp = sns_effective_delivery_policy(t->attrs);
    json_t *http = json_object_get(edp, "http");
    json_t *r = json_deep_copy(json_object_get(http, "defaultHealthyRetryPolicy"));
    *content_type = json_string_value(
        json_object_get(json_object_get(http, "defaultRequestPolicy"), "headerContentType"));
    const char *sdp = sns_str(s->attrs, "DeliveryPolicy");
    if (sdp && !json_is_true(json_object_get(http, "disableSubscriptionOverrides"))) {
        json_t *p = json_loads(sdp, 0, NULL);
        json_t *h = json_object_get(p, "healthyRetryPolicy");
        if (json_is_object(h))
            json_object_update(r, h);
        const char *ct = json_string_value(
            json_object_get(json_object_get(p, "requestPolicy"), "headerContentType"));
        if (ct)
            json_object_set_new(edp, "sub_content_type", json_string(ct));
        json_decref(p);
        const char *sct = sns_str(edp, "sub_content_type");
        if (sct)
            *content_type = sct;
    }
    *edp_out = edp; /* keeps *content_type alive */
    return r;
}

/* ---------------------------------------------------------------- filter policies */

static bool is_num(const json_t *v, double *d)
{
    if (json_is_number(v)) {
        *d = json_number_value(v);
        return true;
    }
    if (json_is_string(v) && str_to_double(json_string_value(v), d) == 0)
        return true;
    return false;
}

static bool numeric_ok(const json_t *spec, double v)
{
    size_t n = json_array_size(spec);
    for (size_t i = 0; i + 1 < n; i += 2) {
        const char *op = json_string_value(json_array_get(spec, i));
        double x = json_number_value(json_array_get(spec, i + 1));
        bool ok = str_eq(op, "=")    ? v == x
                  : str_eq(op, "<")  ? v < x
                  : str_eq(op, "<=") ? v <= x
                  : str_eq(op, ">")  ? v > x
                  : str_eq(op, ">=") ? v >= x
                                     : false;
        if (!ok)
            return false;
    }
    return n >= 2;
}

/* One condition against one scalar value (string or number). */
static bool cond_scalar(const json_t *cond, const json_t *val)
{
    double dv, dc;
    const char *sv = json_string_value(val);
    if (json_is_string(cond))
        return sv && str_eq(sv, json_string_value(cond));
    if (json_is_number(cond))
        return is_num(val, &dv) && (dc = json_number_value(cond), fabs(dv - dc) < 1e-9);
    if (!json_is_object(cond))
        return false;
    const json_t *x;
    if ((x = json_object_get(cond, "prefix")))
        return sv && json_is_string(x) && str_startswith(sv, json_string_value(x));
    if ((x = json_object_get(cond, "suffix")))
        return sv && json_is_string(x) && str_endswith(sv, json_string_value(x));
    if ((x = json_object_get(cond, "equals-ignore-case")))
        return sv && str_ieq(sv, json_string_value(x));
    if ((x = json_object_get(cond, "numeric")))
        return is_num(val, &dv) && numeric_ok(x, dv);
    if ((x = json_object_get(cond, "anything-but"))) {
        if (json_is_array(x)) {
            size_t i;
            const json_t *e;
            json_array_foreach(x, i, e)
            {
                if (cond_scalar(e, val))
                    return false;
            }
            return true;
        }
        return !cond_scalar(x, val);
    }
    return false;
}

/* Does the value (scalar or array of scalars; NULL when absent) satisfy one of conds? */
static bool conds_match(const json_t *conds, const json_t *val)
{
    size_t i;
    const json_t *cond;
    json_array_foreach(conds, i, cond)
    {
        const json_t *ex = json_is_object(cond) ? json_object_get(cond, "exists") : NULL;
        if (ex) {
            if (json_is_true(ex) == (val != NULL))
                return true;
            continue;
        }
        if (!val)
            continue;
        if (json_is_array(val)) {
            size_t j;
            const json_t *e;
            json_array_foreach(val, j, e)
            {
                if (cond_scalar(cond, e))
                    return true;
            }
        } else if (cond_scalar(cond, val)) {
            return true;
        }
    }
    return false;
}

static bool match_obj(const json_t *policy, const json_t *doc, int depth)
{
    const char *k;
    const json_t *v;
    if (depth > 5)
        return false;
    json_object_foreach((json_t *)policy, k, v)
    {
        const json_t *dv = json_is_object(doc) ? json_object_get(doc, k) : NULL;
        if (json_is_object(v)) {
            if (!match_obj(v, dv, depth + 1))
                return false;
        } else if (!conds_match(v, dv)) {
            return false;
        }
    }
    return true;
}

int sns_filter_check(struct call *c, const char *text)
{
    json_t *p = json_loads(text ? text : "", 0, NULL);
    bool ok = json_is_object(p);
    json_decref(p);
    if (!ok)
        return sns_invalid(c, "Filter policy: Filter policy must be a JSON object"); /* inferred */
    return 0;
}

/* The message attributes as a filter policy sees them: {name: string | number | array}. */
static json_t *attrs_values(const json_t *attrs)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        const char *type = sns_str(v, SNS_M_MessageAttributeValue_DataType);
        const char *sv = sns_str(v, SNS_M_MessageAttributeValue_StringValue);
        if (!sv)
            continue;
        double d;
        if (str_startswith(type, "Number") && str_to_double(sv, &d) == 0)
            json_object_set_new(o, k, json_real(d));
        else if (str_eq(type, "String.Array")) {
            json_t *a = json_loads(sv, 0, NULL);
            json_object_set_new(o, k, json_is_array(a) ? a : json_string(sv));
            if (!json_is_array(a))
                json_decref(a);
        } else
            json_object_set_new(o, k, json_string(sv));
    }
    return o;
}

bool sns_filter_match(const char *policy, const json_t *attrs)
{
    json_t *p = json_loads(policy, 0, NULL);
    json_t *vals = attrs_values(attrs);
    bool ok = json_is_object(p) && match_obj(p, vals, 0);
    json_decref(p);
    json_decref(vals);
    return ok;
}

static bool filter_body(const char *policy, const char *message)
{
    json_t *p = json_loads(policy, 0, NULL);
    json_t *doc = json_loads(message, 0, NULL);
    bool ok = json_is_object(p) && json_is_object(doc) && match_obj(p, doc, 0);
    json_decref(p);
    json_decref(doc);
    return ok;
}

/* ---------------------------------------------------------------- attributes */

int sns_check_attributes(struct call *c, const json_t *attrs)
{
    if (json_object_size(attrs) > 10) /* [obs] */
        return call_fail(c, 400, "ParameterValueInvalid",
                         "Number of message attributes [%zu] exceeds the allowed maximum [10].",
                         json_object_size(attrs));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        const char *type = sns_str(v, SNS_M_MessageAttributeValue_DataType);
        const char *sv = sns_str(v, SNS_M_MessageAttributeValue_StringValue);
        const json_t *bv = json_object_get(v, SNS_M_MessageAttributeValue_BinaryValue);
        if (!type || !*type)
            return call_fail(c, 400, "ParameterValueInvalid",
                             "The message attribute '%s' must contain non-empty message "
                             "attribute type.",
                             k); /* [obs] */
        bool str = str_eq(type, "String") || str_startswith(type, "String."),
             num = str_eq(type, "Number") || str_startswith(type, "Number."),
             bin = str_eq(type, "Binary") || str_startswith(type, "Binary.");
        if (!str && !num && !bin)
            return call_fail(c, 400, "ParameterValueInvalid",
                             "The message attribute '%s' has an invalid message attribute type, "
                             "the set of supported type prefixes is Binary, Number, and String.",
                             k); /* [obs] */
        bool empty = bin ? !json_is_string(bv) || json_string_length(bv) == 0 : !sv || !*sv;
        if (empty)
            return call_fail(c, 400, "ParameterValueInvalid",
                             "The message attribute '%s' must contain non-empty message "
                             "attribute value for message attribute type '%s'.",
                             k, type); /* [obs] */
        double d;
        if (num && str_to_double(sv, &d))
            return call_fail(c, 400, "ParameterValueInvalid",
                             "Could not cast message attribute '%s' value to number.",
                             k); /* [obs] */
    }
    return 0;
}

/* ---------------------------------------------------------------- publishing */

/* The text one protocol gets from a MessageStructure=json message (arena). */
static const char *for_protocol(struct call *c, const char *message, bool structure,
                                const char *protocol)
{
    if (!structure)
        return message;
    json_t *j = json_loads(message, 0, NULL);
    const char *v = sns_str(j, protocol);
    if (!v)
        v = sns_str(j, "default");
    const char *r = arena_strdup(c->a, v ? v : "");
    json_decref(j);
    return r;
}

static bool is_http(const char *protocol)
{
    return str_eq(protocol, "http") || str_eq(protocol, "https");
}

int sns_publish_message(struct call *c, const struct sns_topic *t, const char *message,
                        const char *subject, const json_t *attrs, bool structure_json,
                        char message_id[37])
{
    uuid4(message_id);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT arn FROM sns_subs WHERE topic_arn = ?1 AND"
                                        " confirmed = 1 ORDER BY created_ms, arn");
    sqlite3_bind_text(s, 1, t->arn, -1, SQLITE_TRANSIENT);
    json_t *arns = json_array();
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(arns, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    int rc = 0;
    size_t i;
    json_t *a;
    json_array_foreach(arns, i, a)
    {
        struct sns_sub u;
        if (sns_sub_load(c->st, json_string_value(a), &u) != 0)
            continue;
        const char *text = for_protocol(c, message, structure_json, u.protocol);
        const char *fp = sns_str(u.attrs, "FilterPolicy");
        bool pass = true;
        if (fp)
            pass = str_eq(sns_str(u.attrs, "FilterPolicyScope"), "MessageBody")
                       ? filter_body(fp, text)
                       : sns_filter_match(fp, attrs);
        if (pass) {
            bool raw = str_eq(sns_str(u.attrs, "RawMessageDelivery"), "true");
            char *body = NULL;
            if (raw || str_eq(u.protocol, "email") || str_eq(u.protocol, "sms"))
                body = xstrdup(text);
            else
                body = notification_doc(c, t, u.arn, message_id, subject, text, attrs);
            if (!body) {
                sns_sub_free(&u);
                rc = sns_internal(c);
                break;
            }
            json_t *headers = NULL, *policy = NULL, *edp = NULL;
            if (is_http(u.protocol)) {
                const char *ct = NULL;
                policy = retry_policy(t, &u, &ct, &edp);
                headers = http_headers("Notification", message_id, t->arn, u.arn, ct, raw);
            }
            int drc =
                sns_deliver(c, &u, "Notification", message_id, subject, body, headers, policy);
            json_decref(headers);
            json_decref(policy);
            json_decref(edp);
            free(body);
            if (drc) {
                sns_sub_free(&u);
                rc = sns_internal(c);
                break;
            }
        }
        sns_sub_free(&u);
    }
    json_decref(arns);
    return rc;
}

int sns_send_confirmation(struct call *c, const struct sns_topic *t, const struct sns_sub *s)
{
    char id[37], ts[32];
    uuid4(id);
    time_fmt_iso8601_ms(c->now_ms, ts);
    const char *ver = sig_version(t);
    const char *msg = arena_printf(c->a,
                                   "You have chosen to subscribe to the topic %s.\nTo confirm the "
                                   "subscription, visit the SubscribeURL included in this message.",
                                   t->arn); /* [doc] */
    const char *url = arena_printf(
        c->a,
        "%s/_recoverlab/sns/confirm-subscription?Action=ConfirmSubscription&TopicArn=%s&Token=%s",
        sns_base_url(), t->arn, s->token);
    struct buf sts = BUF_INIT;
    buf_printf(
        &sts,
        "Message\n%s\nMessageId\n%s\nSubscribeURL\n%s\nTimestamp\n%s\nToken\n%s\nTopicArn\n%s\n"
        "Type\nSubscriptionConfirmation\n",
        msg, id, url, ts, s->token, t->arn);
    char *sig = NULL;
    const char *curl = cert_url(c);
    int rc = !curl || sns_sign(c->st, atoi(ver), sts.p, &sig) ? -1 : 0;
    buf_free(&sts);
    if (rc)
        return sns_internal(c);
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\n");
    kv(&b, "Type", "SubscriptionConfirmation", false);
    kv(&b, "MessageId", id, false);
    kv(&b, "Token", s->token, false);
    kv(&b, "TopicArn", t->arn, false);
    kv(&b, "Message", msg, false);
    kv(&b, "SubscribeURL", url, false);
    kv(&b, "Timestamp", ts, false);
    kv(&b, "SignatureVersion", ver, false);
    kv(&b, "Signature", sig, false);
    kv(&b, "SigningCertURL", curl, true);
    buf_puts(&b, "}");
    free(sig);
    json_t *headers = NULL, *policy = NULL, *edp = NULL;
    if (is_http(s->protocol)) {
        const char *ct = NULL;
        policy = retry_policy(t, s, &ct, &edp);
        /* a confirmation names no subscription [doc] */
        headers = http_headers("SubscriptionConfirmation", id, t->arn, NULL, ct, false);
    }
    rc = sns_deliver(c, s, "SubscriptionConfirmation", id, NULL, b.p, headers, policy);
    json_decref(headers);
    json_decref(policy);
    json_decref(edp);
    buf_free(&b);
    return rc ? sns_internal(c) : 0;
}

/* Checks and publishes one message (Publish and each PublishBatch entry). */
static int publish_one(struct call *c, const struct sns_topic *t, const char *message,
                       const char *subject, const char *structure, const json_t *attrs, char id[37])
{
    if (!message || !*message)
        return sns_invalid(c, "Empty message"); /* [obs] */
    if (strlen(message) > MAX_MESSAGE)
        return sns_invalid(c, "Message too long"); /* [obs] */
    if (subject) {
        bool ok = *subject && strlen(subject) <= 100;
        for (const char *p = subject; ok && *p; p++)
            ok = (unsigned char)*p >= 0x20 && *p != 0x7f;
        if (!ok)
            return sns_invalid(c, "Subject"); /* [obs] */
    }
    bool sj = false;
    if (structure) {
        if (!str_eq(structure, "json"))
            return sns_invalid(c, "MessageStructure"); /* inferred */
        json_t *j = json_loads(message, 0, NULL);
        bool parsed = json_is_object(j), def = json_is_string(json_object_get(j, "default"));
        json_decref(j);
        if (!parsed)
            return sns_invalid(c,
                               "Message Structure - JSON message body failed to parse"); /* [obs] */
        if (!def)
            return sns_invalid(
                c, "Message Structure - No default entry in JSON message body"); /* [obs] */
        sj = true;
    }
    if (sns_check_attributes(c, attrs))
        return -1;
    return sns_publish_message(c, t, message, subject, attrs, sj, id);
}

int sns_publish(struct call *c, const json_t *in, struct out *o)
{
    const char *topic = sns_str(in, SNS_M_PublishInput_TopicArn);
    const char *target = sns_str(in, SNS_M_PublishInput_TargetArn);
    const char *phone = sns_str(in, SNS_M_PublishInput_PhoneNumber);
    if (!topic)
        topic = target;
    if (!topic && !phone)
        return sns_invalid(
            c, "TopicArn or TargetArn Reason: no value for required parameter"); /* [obs] */
    if (!topic) { /* a direct SMS: kept in the inbox */
        if (sns_authorize(c, "sns:Publish", NULL))
            return -1;
        const char *m = sns_str(in, SNS_M_PublishInput_Message);
        if (!m || !*m)
            return sns_invalid(c, "Empty message");
        char id[37];
        uuid4(id);
        struct sns_sub u = {0};
        snprintf(u.protocol, sizeof(u.protocol), "sms");
        u.endpoint = (char *)phone;
        if (sns_deliver(c, &u, "Notification", id, NULL, m, NULL, NULL))
            return sns_internal(c);
        out_str(o, "MessageId", id);
        return 0;
    }
    struct sns_topic t;
    if (sns_topic_need(c, topic, &t))
        return -1;
    char id[37];
    int rc = sns_authorize(c, "sns:Publish", &t);
    if (rc == 0)
        rc = publish_one(c, &t, sns_str(in, SNS_M_PublishInput_Message),
                         sns_str(in, SNS_M_PublishInput_Subject),
                         sns_str(in, SNS_M_PublishInput_MessageStructure),
                         json_object_get(in, SNS_M_PublishInput_MessageAttributes), id);
    if (rc == 0)
        out_str(o, "MessageId", id);
    sns_topic_free(&t);
    return rc;
}

static bool batch_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 80)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
              (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '_'))
            return false;
    return true;
}

int sns_publish_batch(struct call *c, const json_t *in, struct out *o)
{
    const json_t *entries = json_object_get(in, SNS_M_PublishBatchInput_PublishBatchRequestEntries);
    size_t n = json_array_size(entries);
    struct sns_topic t;
    if (sns_topic_need(c, sns_str(in, SNS_M_PublishBatchInput_TopicArn), &t))
        return -1;
    int rc = -1;
    if (sns_authorize(c, "sns:Publish", &t))
        goto out;
    if (n == 0) {
        call_fail(c, 400, "EmptyBatchRequest",
                  "The batch request doesn't contain any entries."); /* [obs] */
        goto out;
    }
    if (n > 10) {
        call_fail(c, 400, "TooManyEntriesInBatchRequest",
                  "The batch request contains more entries than permissible."); /* [obs] */
        goto out;
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = sns_str(json_array_get(entries, i), SNS_M_PublishBatchRequestEntry_Id);
        if (!batch_id_ok(id)) {
            call_fail(c, 400, "InvalidBatchEntryId",
                      "A batch entry id can only contain alphanumeric characters, hyphens and "
                      "underscores. It can be at most 80 letters long."); /* [obs] */
            goto out;
        }
        for (size_t j = 0; j < i; j++)
            if (str_eq(id,
                       sns_str(json_array_get(entries, j), SNS_M_PublishBatchRequestEntry_Id))) {
                call_fail(c, 400, "BatchEntryIdsNotDistinct",
                          "Two or more batch entries in the request have the same Id."); /* [obs] */
                goto out;
            }
        const char *m = sns_str(json_array_get(entries, i), SNS_M_PublishBatchRequestEntry_Message);
        total += m ? strlen(m) : 0;
    }
    if (total > MAX_MESSAGE) {
        call_fail(
            c, 400, "BatchRequestTooLong",
            "The length of all the messages put together is more than the limit."); /* [obs] */
        goto out;
    }
    json_t *ok = json_array(), *failed = json_array();
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(entries, i);
        struct call sub = *c; /* an entry's error is its own, not the call's */
        memset(&sub.err, 0, sizeof(sub.err));
        char mid[37];
        int erc =
            publish_one(&sub, &t, sns_str(e, SNS_M_PublishBatchRequestEntry_Message),
                        sns_str(e, SNS_M_PublishBatchRequestEntry_Subject),
                        sns_str(e, SNS_M_PublishBatchRequestEntry_MessageStructure),
                        json_object_get(e, SNS_M_PublishBatchRequestEntry_MessageAttributes), mid);
        const char *id = sns_str(e, SNS_M_PublishBatchRequestEntry_Id);
        if (erc == 0)
            json_array_append_new(ok, json_pack("{s:s, s:s}", "Id", id, "MessageId", mid));
        else if (sub.err.status >= 500) {
            *c = sub;
            json_decref(ok);
            json_decref(failed);
            goto out;
        } else
            json_array_append_new(failed, json_pack("{s:s, s:s, s:s, s:b}", "Id", id, "Code",
                                                    sub.err.code ? sub.err.code : "", "Message",
                                                    sub.err.message ? sub.err.message : "",
                                                    "SenderFault", 1));
    }
    out_json(o, "Successful", ok);
    out_json(o, "Failed", failed);
    json_decref(ok);
    json_decref(failed);
    rc = 0;
out:
    sns_topic_free(&t);
    return rc;
}
