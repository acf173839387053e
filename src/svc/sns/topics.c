/*
 * topics.c — CreateTopic (idempotent by name), DeleteTopic, ListTopics (100 a page,
 * NextToken), Get/SetTopicAttributes, and tags of topics (Tag/Untag/ListTagsForResource).
 * Messages are AWS's InvalidParameter / NotFound texts; those not confirmed by a source are
 * marked inferred.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/sns/ops.h"
#include "svc/sns/sns_internal.h"
#include "wire/models/sns_members.h"

#define MAX_TAGS 50 /* [doc] tags per topic */

static bool name_ok(const char *n)
{
    size_t len = strlen(n);
    bool fifo = str_endswith(n, ".fifo");
    size_t core = fifo ? len - 5 : len;
    if (core == 0 || len > 256)
        return false;
    for (size_t i = 0; i < core; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '-' && n[i] != '_')
            return false;
    return true;
}

static const char *const topic_attr_names[] = {"DeliveryPolicy",
                                               "DisplayName",
                                               "FifoTopic",
                                               "Policy",
                                               "SignatureVersion",
                                               "TracingConfig",
                                               "KmsMasterKeyId",
                                               "ContentBasedDeduplication",
                                               "ArchivePolicy",
                                               "FifoThroughputScope",
                                               "HTTPSuccessFeedbackRoleArn",
                                               "HTTPSuccessFeedbackSampleRate",
                                               "HTTPFailureFeedbackRoleArn",
                                               "DataProtectionPolicy"};

/* Checks one topic attribute (name and value). 0 or -1 with c failed. */
static int check_attr(struct call *c, const char *name, const char *value, bool creating)
{
    bool known = false;
    for (size_t i = 0; i < ARRAY_LEN(topic_attr_names); i++)
        known = known || str_eq(name, topic_attr_names[i]);
    if (!known || (!creating && str_eq(name, "FifoTopic")))
        return sns_invalid(c, "AttributeName"); /* [obs] */
    if (str_eq(name, "Policy")) {
        json_t *p = json_loads(value, 0, NULL);
        bool ok = json_is_object(p) && json_object_get(p, "Statement");
        json_decref(p);
        if (!ok)
            return sns_invalid(c, "Policy Error: null"); /* [obs] for a malformed document */
    } else if (str_eq(name, "DeliveryPolicy")) {
        json_t *p = json_loads(value, 0, NULL);
        bool ok = json_is_object(p);
        json_decref(p);
        if (!ok)
            return sns_invalid(c, "DeliveryPolicy: Invalid JSON"); /* inferred */
    } else if (str_eq(name, "SignatureVersion")) {
        if (!str_eq(value, "1") && !str_eq(value, "2"))
            return sns_invalid(c, "SignatureVersion"); /* inferred */
    } else if (str_eq(name, "DisplayName")) {
        if (strlen(value) > 100)
            return sns_invalid(c, "DisplayName"); /* inferred */
    } else if (str_eq(name, "FifoTopic")) {
        if (!str_eq(value, "true") && !str_eq(value, "false"))
            return sns_invalid(c, "FifoTopic"); /* inferred */
    }
    return 0;
}

static int tags_put(struct call *c, const char *arn, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = sns_str(t, SNS_M_Tag_Key), *v = sns_str(t, SNS_M_Tag_Value);
        sqlite3_stmt *s = store_stmt(c->st, "INSERT OR REPLACE INTO sns_tags(arn, key, value)"
                                            " VALUES(?1, ?2, ?3)");
        sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, k ? k : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, v ? v : "", -1, SQLITE_TRANSIENT);
        int ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok)
            return sns_internal(c);
    }
    sqlite3_stmt *s = store_stmt(c->st, "SELECT count(*) FROM sns_tags WHERE arn = ?1");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (n > MAX_TAGS)
        return call_fail(
            c, 400, "TagLimitExceeded",
            "Could not complete request: tag quota of per resource exceeded"); /* [obs] */
    return 0;
}

/* The stored tags of arn as a {key: value} object (owned). */
static json_t *tags_get(struct store *st, const char *arn)
{
    json_t *o = json_object();
    sqlite3_stmt *s = store_stmt(st, "SELECT key, value FROM sns_tags WHERE arn = ?1 ORDER BY key");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_object_set_new(o, (const char *)sqlite3_column_text(s, 0),
                            json_string((const char *)sqlite3_column_text(s, 1)));
    sqlite3_reset(s);
    return o;
}

int sns_create_topic(struct call *c, const json_t *in, struct out *o)
{
    const char *name = sns_str(in, SNS_M_CreateTopicInput_Name);
    const json_t *attrs = json_object_get(in, SNS_M_CreateTopicInput_Attributes);
    const json_t *tags = json_object_get(in, SNS_M_CreateTopicInput_Tags);
    char *arn = arena_printf(c->a, "arn:aws:sns:%s:%s:%s", c->region, c->account, name ? name : "");
    if (sns_authorize(c, "sns:CreateTopic", NULL))
        return -1;
    if (!name || !name_ok(name))
        return sns_invalid(c, "Topic Name"); /* [obs] */
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)attrs, key, v)
    {
        if (check_attr(c, key, json_string_value(v) ? json_string_value(v) : "", true))
            return -1;
    }
    bool fifo = str_eq(sns_str(attrs, "FifoTopic"), "true");
    if (fifo != str_endswith(name, ".fifo"))
        return sns_invalid(c, "Topic Name"); /* inferred: FIFO topics end in .fifo */

    struct sns_topic t;
    int r = sns_topic_load(c->st, arn, &t);
    if (r < 0)
        return sns_internal(c);
    if (r == 0) { /* idempotent: the same name with the same attributes and tags [doc] */
        bool same = true;
        json_object_foreach((json_t *)attrs, key, v)
        {
            if (!str_eq(sns_str(t.attrs, key), json_string_value(v)))
                same = false;
        }
        sns_topic_free(&t);
        if (!same)
            return sns_invalid(c, "Attributes Reason: Topic already exists with different "
                                  "attributes"); /* [obs] */
        if (json_array_size(tags)) {
            json_t *have = tags_get(c->st, arn);
            size_t i;
            const json_t *tg;
            bool tsame = json_object_size(have) == json_array_size(tags);
            json_array_foreach(tags, i, tg)
            {
                if (!str_eq(sns_str(have, sns_str(tg, SNS_M_Tag_Key)),
                            sns_str(tg, SNS_M_Tag_Value)))
                    tsame = false;
            }
            json_decref(have);
            if (!tsame)
                return sns_invalid(c, "Tags Reason: Topic already exists with different "
                                      "tags"); /* [obs] */
        }
        out_str(o, "TopicArn", arn);
        return 0;
    }
    json_t *stored = json_object();
    json_object_foreach((json_t *)attrs, key, v)
    {
        json_object_set(stored, key, v);
    }
    char *text = json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(stored);
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO sns_topics(arn, account, region, name, attrs,"
                                        " created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, text ? text : "{}", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 6, c->now_ms);
    int ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    free(text);
    if (!ok)
        return sns_internal(c);
    if (json_array_size(tags) && tags_put(c, arn, tags))
        return -1;
    out_str(o, "TopicArn", arn);
    return 0;
}

static int exec_arn(struct call *c, const char *sql, const char *arn)
{
    sqlite3_stmt *s = store_stmt(c->st, sql);
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    int ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok ? 0 : sns_internal(c);
}

int sns_delete_topic(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *arn = sns_str(in, SNS_M_DeleteTopicInput_TopicArn);
    char region[32], account[16], name[260];
    if (sns_arn_parse(arn, region, account, name))
        return sns_invalid(c, "TopicArn");
    struct sns_topic t;
    int r = sns_topic_load(c->st, arn, &t);
    if (r < 0)
        return sns_internal(c);
    int rc = sns_authorize(c, "sns:DeleteTopic", r == 0 ? &t : NULL);
    if (r == 0)
        sns_topic_free(&t);
    if (rc || r == 1) /* deleting a topic that does not exist is no error [doc] */
        return rc;
    if (exec_arn(c, "DELETE FROM sns_subs WHERE topic_arn = ?1", arn) ||
        exec_arn(c, "DELETE FROM sns_tags WHERE arn = ?1", arn) ||
        exec_arn(c, "DELETE FROM sns_topics WHERE arn = ?1", arn))
        return -1;
    return 0;
}

int sns_list_topics(struct call *c, const json_t *in, struct out *o)
{
    const char *next = sns_str(in, SNS_M_ListTopicsInput_NextToken);
    if (sns_authorize(c, "sns:ListTopics", NULL))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT arn FROM sns_topics WHERE account = ?1 AND"
                                        " region = ?2 AND arn > ?3 ORDER BY arn LIMIT ?4");
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, next ? next : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, SNS_PAGE + 1);
    out_begin(o, "Topics");
    int n = 0, rc;
    char last[300] = "";
    bool more = false;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == SNS_PAGE) {
            more = true;
            break;
        }
        const char *a = (const char *)sqlite3_column_text(s, 0);
        out_begin(o, NULL);
        out_str(o, "TopicArn", a);
        out_end(o);
        snprintf(last, sizeof(last), "%s", a);
        n++;
    }
    sqlite3_reset(s);
    out_end(o);
    if (more) /* inferred: the token is the last ARN of the page */
        out_str(o, "NextToken", last);
    return 0;
}

static int64_t count_subs(struct store *st, const char *arn, int confirmed)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM sns_subs WHERE topic_arn = ?1 AND"
                                     " confirmed = ?2");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, confirmed);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return n;
}

int sns_get_topic_attributes(struct call *c, const json_t *in, struct out *o)
{
    struct sns_topic t;
    if (sns_topic_need(c, sns_str(in, SNS_M_GetTopicAttributesInput_TopicArn), &t))
        return -1;
    if (sns_authorize(c, "sns:GetTopicAttributes", &t)) {
        sns_topic_free(&t);
        return -1;
    }
    char *policy = sns_default_policy(t.arn, t.account);
    json_t *edp = sns_effective_delivery_policy(t.attrs);
    char *edp_text = json_dumps(edp, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char n1[24], n2[24];
    snprintf(n1, sizeof(n1), "%lld", (long long)count_subs(c->st, t.arn, 0));
    snprintf(n2, sizeof(n2), "%lld", (long long)count_subs(c->st, t.arn, 1));
    /* the keys in the order AWS answers them [obs] */
    out_begin(o, "Attributes");
    out_str(o, "Policy", sns_str(t.attrs, "Policy") ? sns_str(t.attrs, "Policy") : policy);
    out_str(o, "Owner", t.account);
    out_str(o, "SubscriptionsPending", n1);
    out_str(o, "TopicArn", t.arn);
    out_str(o, "EffectiveDeliveryPolicy", edp_text ? edp_text : "{}");
    out_str(o, "SubscriptionsConfirmed", n2);
    out_str(o, "DisplayName",
            sns_str(t.attrs, "DisplayName") ? sns_str(t.attrs, "DisplayName") : "");
    out_str(o, "SubscriptionsDeleted", "0");
    const char *key;
    json_t *v;
    json_object_foreach(t.attrs, key, v)
    {
        if (!str_eq(key, "Policy") && !str_eq(key, "DisplayName") && json_is_string(v))
            out_str(o, key, json_string_value(v));
    }
    out_end(o);
    free(policy);
    free(edp_text);
    json_decref(edp);
    sns_topic_free(&t);
    return 0;
}

int sns_set_topic_attributes(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct sns_topic t;
    if (sns_topic_need(c, sns_str(in, SNS_M_SetTopicAttributesInput_TopicArn), &t))
        return -1;
    int rc = -1;
    const char *name = sns_str(in, SNS_M_SetTopicAttributesInput_AttributeName);
    const char *value = sns_str(in, SNS_M_SetTopicAttributesInput_AttributeValue);
    if (sns_authorize(c, "sns:SetTopicAttributes", &t) ||
        check_attr(c, name ? name : "", value ? value : "", false))
        goto out;
    if (!value || (!*value && !str_eq(name, "DisplayName")))
        json_object_del(t.attrs, name);
    else
        json_object_set_new(t.attrs, name, json_string(value));
    if (sns_topic_save_attrs(c->st, &t)) {
        sns_internal(c);
        goto out;
    }
    rc = 0;
out:
    sns_topic_free(&t);
    return rc;
}

/* The topic a tag call names (ResourceArn); ResourceNotFound otherwise. */
static int tag_topic(struct call *c, const char *arn, const char *action, struct sns_topic *t)
{
    int r = sns_topic_load(c->st, arn, t);
    if (r < 0)
        return sns_internal(c);
    if (r == 1 || !str_eq(t->region, c->region)) {
        if (r == 0)
            sns_topic_free(t);
        if (sns_authorize(c, action, NULL))
            return -1;
        return call_fail(c, 404, "ResourceNotFound", "Resource does not exist"); /* inferred */
    }
    if (sns_authorize(c, action, NULL)) {
        sns_topic_free(t);
        return -1;
    }
    return 0;
}

int sns_tag_resource(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct sns_topic t;
    const char *arn = sns_str(in, SNS_M_TagResourceRequest_ResourceArn);
    if (tag_topic(c, arn, "sns:TagResource", &t))
        return -1;
    sns_topic_free(&t);
    return tags_put(c, arn, json_object_get(in, SNS_M_TagResourceRequest_Tags));
}

int sns_untag_resource(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct sns_topic t;
    const char *arn = sns_str(in, SNS_M_UntagResourceRequest_ResourceArn);
    if (tag_topic(c, arn, "sns:UntagResource", &t))
        return -1;
    sns_topic_free(&t);
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(in, SNS_M_UntagResourceRequest_TagKeys), i, k)
    {
        sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM sns_tags WHERE arn = ?1 AND key = ?2");
        sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, json_string_value(k) ? json_string_value(k) : "", -1,
                          SQLITE_TRANSIENT);
        int ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok)
            return sns_internal(c);
    }
    return 0;
}

int sns_list_tags_for_resource(struct call *c, const json_t *in, struct out *o)
{
    struct sns_topic t;
    const char *arn = sns_str(in, SNS_M_ListTagsForResourceRequest_ResourceArn);
    if (tag_topic(c, arn, "sns:ListTagsForResource", &t))
        return -1;
    sns_topic_free(&t);
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT key, value FROM sns_tags WHERE arn = ?1 ORDER BY key");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    out_begin(o, "Tags");
    while (sqlite3_step(s) == SQLITE_ROW) {
        out_begin(o, NULL);
        out_str(o, "Key", (const char *)sqlite3_column_text(s, 0));
        out_str(o, "Value", (const char *)sqlite3_column_text(s, 1));
        out_end(o);
    }
    sqlite3_reset(s);
    out_end(o);
    return 0;
}
