/*
 * routes.c — SNS's HTTP routes beside the AWS API:
 *   GET  /_recoverlab/sns/cert/<name>.pem          the signing certificate (SigningCertURL), open
 *   GET  /_recoverlab/sns/confirm-subscription?... the SubscribeURL: confirms, answers AWS's
 *                                                  ConfirmSubscriptionResponse XML, open
 *   GET  /_recoverlab/sns/unsubscribe?...          the UnsubscribeURL, open
 *   GET  /_recoverlab/sns/messages[?topic=ARN&after=ID]  the inbox and delivery log, and the
 *                                                  newest id of all (lastId) (root)
 *   POST /_recoverlab/sns/confirm {"subscriptionArn"}   confirms a pending subscription, as
 *                                                  a person clicking the mail's link (root)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "svc/sns/sns_internal.h"
#include "svc/svc.h"

#define XMLNS "http://sns.amazonaws.com/doc/2010-03-31/"

/* The decoded value of key in the raw query string (arena), or NULL. */
static const char *qparam(struct arena *a, const char *query, const char *key)
{
    size_t kl = strlen(key);
    const char *p = query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            char *out = arena_alloc(a, n - kl);
            form_unescape(out, p + kl + 1, n - kl - 1);
            return out;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* A scratch call for the route's work in region (arena of the request). */
static void route_call(struct admin_call *ac, struct call *c, const char *region)
{
    memset(c, 0, sizeof(*c));
    c->a = ac->rq->arena;
    c->st = ac->ctx->st;
    c->account = ac->ctx->account;
    c->region = region;
    c->now_ms = clock_now();
    c->proto = PROTO_QUERY;
    c->op_name = "";
    uuid4(c->request_id);
}

static void xml_reply(struct admin_call *ac, int status, const char *xml)
{
    ac->resp->status = status;
    ac->resp->content_type = "text/xml";
    buf_puts(&ac->resp->body, xml);
}

static void xml_error(struct admin_call *ac, const struct call *c)
{
    char *x =
        arena_printf(ac->rq->arena,
                     "<ErrorResponse xmlns=\"" XMLNS "\">\n  <Error>\n    <Type>Sender</Type>\n"
                     "    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n"
                     "  <RequestId>%s</RequestId>\n</ErrorResponse>\n",
                     c->err.code ? c->err.code : "InternalError",
                     c->err.message ? c->err.message : "", c->request_id);
    xml_reply(ac, c->err.status ? c->err.status : 500, x);
}

static const char *region_of(struct admin_call *ac, const char *arn)
{
    char region[32], account[16], name[260];
    if (sns_arn_parse(arn, region, account, name))
        return ac->ctx->default_region;
    return arena_strdup(ac->rq->arena, region);
}

static void cert_get(struct admin_call *ac)
{
    char *pem = NULL, name[96];
    if (store_begin(ac->ctx->st) || sns_cert(ac->ctx->st, &pem, name) ||
        store_commit(ac->ctx->st)) {
        store_rollback(ac->ctx->st);
        free(pem);
        admin_error(ac, 500, "InternalError", "cannot read the signing certificate");
        return;
    }
    if (!str_eq(ac->tail, name)) {
        free(pem);
        admin_error(ac, 404, "NotFound", "No certificate %s (this lab signs with %s)", ac->tail,
                    name); /* inferred */
        return;
    }
    ac->resp->status = 200;
    ac->resp->content_type = "application/x-x509-ca-cert";
    buf_puts(&ac->resp->body, pem);
    free(pem);
}

static void confirm_get(struct admin_call *ac)
{
    const char *topic = qparam(ac->rq->arena, ac->rq->query, "TopicArn");
    const char *token = qparam(ac->rq->arena, ac->rq->query, "Token");
    struct call c;
    route_call(ac, &c, region_of(ac, topic));
    char *arn = NULL;
    if (store_begin(c.st)) {
        admin_error(ac, 500, "InternalError", "store busy");
        return;
    }
    if (sns_confirm(&c, topic, token, false, &arn) || store_commit(c.st)) {
        store_rollback(c.st);
        xml_error(ac, &c);
        return;
    }
    log_info("sns: %s confirmed through its SubscribeURL", arn);
    xml_reply(ac, 200,
              arena_printf(ac->rq->arena,
                           "<ConfirmSubscriptionResponse xmlns=\"" XMLNS "\">\n"
                           "  <ConfirmSubscriptionResult>\n"
                           "    <SubscriptionArn>%s</SubscriptionArn>\n"
                           "  </ConfirmSubscriptionResult>\n  <ResponseMetadata>\n"
                           "    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n"
                           "</ConfirmSubscriptionResponse>\n",
                           arn, c.request_id));
}

static void unsubscribe_get(struct admin_call *ac)
{
    const char *arn = qparam(ac->rq->arena, ac->rq->query, "SubscriptionArn");
    struct call c;
    route_call(ac, &c, region_of(ac, arn));
    struct sns_sub u;
    int r = store_begin(c.st) ? -1 : sns_sub_load(c.st, arn, &u);
    if (r == 1) {
        store_rollback(c.st);
        call_fail(&c, 404, "NotFound", "Subscription does not exist"); /* [obs] */
        xml_error(ac, &c);
        return;
    }
    if (r < 0 ||
        (u.authenticated && (call_fail(&c, 403, "AuthorizationError",
                                       "This subscription requires authentication to "
                                       "unsubscribe"),
                             true)) || /* inferred */
        sns_sub_delete(c.st, u.arn) ||
        store_commit(c.st)) {
        if (r == 0)
            sns_sub_free(&u);
        store_rollback(c.st);
        if (!c.err.status)
            call_fail(&c, 500, "InternalError", "Internal Error");
        xml_error(ac, &c);
        return;
    }
    sns_sub_free(&u);
    xml_reply(ac, 200,
              arena_printf(ac->rq->arena,
                           "<UnsubscribeResponse xmlns=\"" XMLNS "\">\n  <ResponseMetadata>\n"
                           "    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n"
                           "</UnsubscribeResponse>\n",
                           c.request_id));
}

static void messages_get(struct admin_call *ac)
{
    const char *topic = qparam(ac->rq->arena, ac->rq->query, "topic");
    const char *after = qparam(ac->rq->arena, ac->rq->query, "after");
    int64_t after_id = 0;
    if (after && str_to_i64(after, &after_id)) {
        admin_error(ac, 400, "ValidationError",
                    "after wants a message id (a number)"); /* inferred */
        return;
    }
    sqlite3_stmt *s = store_stmt(
        ac->ctx->st,
        "SELECT id, created_ms, topic_arn, sub_arn, protocol, endpoint, type, message_id, subject,"
        " body, state, attempts, attempt_times, last_status, last_error FROM sns_messages"
        " WHERE (?1 IS NULL OR topic_arn = ?1) AND id > ?2 ORDER BY id LIMIT 1000");
    store_bind_text_or_null(s, 1, topic);
    sqlite3_bind_int64(s, 2, after_id);
    json_t *arr = json_array();
    while (sqlite3_step(s) == SQLITE_ROW) {
        char iso[32];
        time_fmt_iso8601_ms(sqlite3_column_int64(s, 1), iso);
        json_t *m = json_object();
        json_object_set_new(m, "id", json_integer(sqlite3_column_int64(s, 0)));
        json_object_set_new(m, "time", json_string(iso));
        static const char *const keys[] = {"topicArn", "subscriptionArn", "protocol", "endpoint",
                                           "type",     "messageId",       "subject",  "message",
                                           "state"};
        for (int i = 0; i < 9; i++) {
            const char *v = (const char *)sqlite3_column_text(s, 2 + i);
            if (v)
                json_object_set_new(m, keys[i], json_string(v));
        }
        json_object_set_new(m, "attempts", json_integer(sqlite3_column_int(s, 11)));
        json_t *times = json_loads((const char *)sqlite3_column_text(s, 12), 0, NULL);
        json_object_set_new(m, "attemptTimes", json_is_array(times) ? times : json_array());
        if (times && !json_is_array(times))
            json_decref(times);
        if (sqlite3_column_type(s, 13) != SQLITE_NULL)
            json_object_set_new(m, "lastStatus", json_integer(sqlite3_column_int(s, 13)));
        const char *le = (const char *)sqlite3_column_text(s, 14);
        if (le)
            json_object_set_new(m, "lastError", json_string(le));
        json_array_append_new(arr, m);
    }
    sqlite3_reset(s);
    s = store_stmt(ac->ctx->st, "SELECT coalesce(max(id), 0) FROM sns_messages");
    int64_t last = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    admin_reply(ac, 200, json_pack("{s:o, s:I}", "messages", arr, "lastId", (json_int_t)last));
}

static void confirm_post(struct admin_call *ac)
{
    json_t *in = NULL;
    if (admin_body_object(ac, &in))
        return;
    const char *arn = json_string_value(json_object_get(in, "subscriptionArn"));
    if (!arn) {
        json_decref(in);
        admin_error(ac, 400, "ValidationError", "Give subscriptionArn"); /* inferred */
        return;
    }
    struct call c;
    route_call(ac, &c, region_of(ac, arn));
    struct sns_sub u;
    char *done = NULL;
    int r = store_begin(c.st) ? -1 : sns_sub_load(c.st, arn, &u);
    if (r == 0) {
        r = sns_confirm(&c, u.topic_arn, u.token, false, &done);
        sns_sub_free(&u);
    } else if (r == 1) {
        call_fail(&c, 404, "NotFound", "Subscription does not exist");
    }
    if (r == 0 && store_commit(c.st) == 0) {
        admin_reply(ac, 200, json_pack("{s:s, s:b}", "subscriptionArn", done, "confirmed", 1));
    } else {
        store_rollback(c.st);
        if (!c.err.status)
            call_fail(&c, 500, "InternalError", "Internal Error");
        admin_fail(ac, &c.err);
    }
    json_decref(in);
}

const struct svc_route sns_routes[] = {
    {"GET", "/_recoverlab/sns/cert/", ADMIN_OPEN, cert_get},
    {"GET", "/_recoverlab/sns/confirm-subscription", ADMIN_OPEN, confirm_get},
    {"GET", "/_recoverlab/sns/unsubscribe", ADMIN_OPEN, unsubscribe_get},
    {"GET", "/_recoverlab/sns/messages", ADMIN_ROOT, messages_get},
    {"POST", "/_recoverlab/sns/confirm", ADMIN_ROOT, confirm_post},
};
const size_t sns_nroutes = ARRAY_LEN(sns_routes);
