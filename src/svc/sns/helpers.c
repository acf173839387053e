/*
 * helpers.c — SNS rows (topics, subscriptions) and the small things every SNS handler uses:
 * AWS's InvalidParameter wording, topic ARNs, the default topic policy and delivery policy.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/sns/sns.h"
#include "svc/sns/sns_internal.h"

static char base_url[256] = "http://127.0.0.1:4566";
static bool deliver_any;

void sns_set_endpoint(const char *url)
{
    if (url && *url)
        snprintf(base_url, sizeof(base_url), "%s", url);
}

void sns_set_deliver_any(bool any)
{
    deliver_any = any;
}

const char *sns_base_url(void)
{
    return base_url;
}

bool sns_deliver_any(void)
{
    return deliver_any;
}

int sns_internal(struct call *c)
{
    return call_fail(c, 500, "InternalError", "Internal Error"); /* inferred */
}

int sns_invalid(struct call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    return call_fail(c, 400, "InvalidParameter", "Invalid parameter: %s", m);
}

const char *sns_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int sns_arn_parse(const char *arn, char region[32], char account[16], char name[260])
{
    if (!arn || !str_startswith(arn, "arn:aws:sns:"))
        return -1;
    const char *r = arn + strlen("arn:aws:sns:");
    const char *a = strchr(r, ':');
    if (!a || a == r || (size_t)(a - r) >= 32)
        return -1;
    const char *n = strchr(a + 1, ':');
    if (!n || n - (a + 1) != 12)
        return -1;
    if (!n[1] || strlen(n + 1) >= 260)
        return -1;
    memcpy(region, r, (size_t)(a - r));
    region[a - r] = '\0';
    memcpy(account, a + 1, 12);
    account[12] = '\0';
    snprintf(name, 260, "%s", n + 1);
    return 0;
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *s, int i)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    snprintf(dst, n, "%s", v ? v : "");
}

static json_t *parse_obj(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    return j;
}

int sns_topic_load(struct store *st, const char *arn, struct sns_topic *t)
{
    memset(t, 0, sizeof(*t));
    sqlite3_stmt *s = store_stmt(st, "SELECT arn, account, region, name, attrs, created_ms"
                                     " FROM sns_topics WHERE arn = ?1");
    sqlite3_bind_text(s, 1, arn ? arn : "", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        copy_col(t->arn, sizeof(t->arn), s, 0);
        copy_col(t->account, sizeof(t->account), s, 1);
        copy_col(t->region, sizeof(t->region), s, 2);
        copy_col(t->name, sizeof(t->name), s, 3);
        t->attrs = parse_obj((const char *)sqlite3_column_text(s, 4));
        t->created_ms = sqlite3_column_int64(s, 5);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int sns_topic_save_attrs(struct store *st, const struct sns_topic *t)
{
    char *text = json_dumps(t->attrs, JSON_COMPACT | JSON_SORT_KEYS);
    sqlite3_stmt *s = store_stmt(st, "UPDATE sns_topics SET attrs = ?2 WHERE arn = ?1");
    sqlite3_bind_text(s, 1, t->arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, text ? text : "{}", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    free(text);
    return rc;
}

void sns_topic_free(struct sns_topic *t)
{
    json_decref(t->attrs);
    t->attrs = NULL;
}

int sns_topic_need(struct call *c, const char *arn, struct sns_topic *t)
{
    char region[32], account[16], name[260];
    if (sns_arn_parse(arn, region, account, name) || strchr(name, ':'))
        return sns_invalid(c, "TopicArn");
    int r = sns_topic_load(c->st, arn, t);
    if (r < 0)
        return sns_internal(c);
    if (r == 1 || !str_eq(t->region, c->region)) {
        sns_topic_free(t);
        return call_fail(c, 404, "NotFound", "Topic does not exist");
    }
    return 0;
}

static int sub_row(sqlite3_stmt *s, struct sns_sub *u)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        copy_col(u->arn, sizeof(u->arn), s, 0);
        copy_col(u->topic_arn, sizeof(u->topic_arn), s, 1);
        copy_col(u->account, sizeof(u->account), s, 2);
        copy_col(u->region, sizeof(u->region), s, 3);
        copy_col(u->protocol, sizeof(u->protocol), s, 4);
        const char *e = (const char *)sqlite3_column_text(s, 5);
        u->endpoint = xstrdup(e ? e : "");
        copy_col(u->owner, sizeof(u->owner), s, 6);
        u->confirmed = sqlite3_column_int(s, 7) != 0;
        u->authenticated = sqlite3_column_int(s, 8) != 0;
        copy_col(u->token, sizeof(u->token), s, 9);
        u->attrs = parse_obj((const char *)sqlite3_column_text(s, 10));
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

#define SUB_COLS                                                                                   \
    "arn, topic_arn, account, region, protocol, endpoint, owner, confirmed, authenticated,"        \
    " token, attrs"

int sns_sub_load(struct store *st, const char *arn, struct sns_sub *u)
{
    memset(u, 0, sizeof(*u));
    sqlite3_stmt *s = store_stmt(st, "SELECT " SUB_COLS " FROM sns_subs WHERE arn = ?1");
    sqlite3_bind_text(s, 1, arn ? arn : "", -1, SQLITE_TRANSIENT);
    return sub_row(s, u);
}

int sns_sub_load_token(struct store *st, const char *topic_arn, const char *token,
                       struct sns_sub *u)
{
    memset(u, 0, sizeof(*u));
    sqlite3_stmt *s =
        store_stmt(st, "SELECT " SUB_COLS " FROM sns_subs WHERE topic_arn = ?1 AND token = ?2");
    sqlite3_bind_text(s, 1, topic_arn ? topic_arn : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, token ? token : "", -1, SQLITE_TRANSIENT);
    return sub_row(s, u);
}

int sns_sub_save(struct store *st, const struct sns_sub *u)
{
    char *attrs = json_dumps(u->attrs, JSON_COMPACT | JSON_SORT_KEYS);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO sns_subs(arn, topic_arn, account, region, protocol, endpoint, owner,"
            " confirmed, authenticated, token, attrs, created_ms)"
            " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0)"
            " ON CONFLICT(arn) DO UPDATE SET confirmed = ?8, authenticated = ?9, token = ?10,"
            " attrs = ?11");
    sqlite3_bind_text(s, 1, u->arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, u->topic_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, u->account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, u->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, u->protocol, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, u->endpoint ? u->endpoint : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, u->owner, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 8, u->confirmed);
    sqlite3_bind_int(s, 9, u->authenticated);
    store_bind_nonempty_or_null(s, 10, u->token);
    sqlite3_bind_text(s, 11, attrs ? attrs : "{}", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    free(attrs);
    return rc;
}

int sns_sub_delete(struct store *st, const char *arn)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM sns_subs WHERE arn = ?1");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return rc;
}

void sns_sub_free(struct sns_sub *u)
{
    free(u->endpoint);
    u->endpoint = NULL;
    json_decref(u->attrs);
    u->attrs = NULL;
}

char *sns_default_policy(const char *topic_arn, const char *account)
{
    /* AWS's default topic policy [obs: get-topic-attributes of a new topic] */
    json_t *p = json_pack(
        "{s:s, s:s, s:[{s:s, s:s, s:{s:s}, s:[s,s,s,s,s,s,s,s], s:s, s:{s:{s:s}}}]}", "Version",
        "2008-10-17", "Id", "__default_policy_ID", "Statement", "Sid", "__default_statement_ID",
        "Effect", "Allow", "Principal", "AWS", "*", "Action", "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
        "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish", "Resource", topic_arn,
        "Condition", "StringEquals", "AWS:SourceOwner", account);
    char *text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(p);
    return text;
}

json_t *sns_effective_delivery_policy(const json_t *topic_attrs)
{
    /* AWS's defaults for http/https [doc: 3 retries 20 s apart] */
    json_t *retry =
        json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:s}", "minDelayTarget", 20, "maxDelayTarget", 20,
                  "numRetries", 3, "numMaxDelayRetries", 0, "numNoDelayRetries", 0,
                  "numMinDelayRetries", 0, "backoffFunction", "linear");
    json_t *http = json_pack("{s:o, s:b, s:{s:s}}", "defaultHealthyRetryPolicy", retry,
                             "disableSubscriptionOverrides", 0, "defaultRequestPolicy",
                             "headerContentType", "text/plain; charset=UTF-8");
    const char *dp = sns_str(topic_attrs, "DeliveryPolicy");
    json_t *set = dp ? json_loads(dp, 0, NULL) : NULL;
    json_t *sh = json_object_get(set, "http");
    if (json_is_object(sh)) {
        json_t *r = json_object_get(sh, "defaultHealthyRetryPolicy");
        if (json_is_object(r))
            json_object_update(retry, r);
        json_t *v = json_object_get(sh, "disableSubscriptionOverrides");
        if (json_is_boolean(v))
            json_object_set(http, "disableSubscriptionOverrides", v);
        json_t *rq = json_object_get(sh, "defaultRequestPolicy");
        if (json_is_object(rq))
            json_object_update(json_object_get(http, "defaultRequestPolicy"), rq);
        json_t *th = json_object_get(sh, "defaultThrottlePolicy");
        if (json_is_object(th))
            json_object_set(http, "defaultThrottlePolicy", th);
    }
    json_decref(set);
    return json_pack("{s:o}", "http", http);
}
