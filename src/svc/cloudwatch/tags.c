/*
 * tags.c — tags of CloudWatch alarms: TagResource, UntagResource, ListTagsForResource, and
 * the Tags of Put*Alarm (on create only [doc]).
 *
 * The resource is an alarm ARN of this account and region; anything else, or an alarm that
 * does not exist, is ResourceNotFoundException (the model's error shape for these three
 * operations, HTTP 404; message inferred). At most 50 tags per resource [doc].
 */
#include <string.h>

#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/cloudwatch/alarm_api.h"
#include "svc/cloudwatch/cw.h"
#include "svc/svc.h"
#include "svc/cloudwatch/ops.h"
#include "wire/models/cloudwatch_members.h"

#define MAX_TAGS 50

/* The alarm name of arn when it is an existing alarm of this call's account/region. */
static int alarm_of_arn(struct call *c, const char *arn)
{
    const char *prefix =
        arena_printf(c->a, "arn:aws:cloudwatch:%s:%s:alarm:", c->region, c->account);
    if (!arn || !str_startswith(arn, prefix) || !arn[strlen(prefix)])
        goto missing;
    struct cw_alarm a;
    int r = cw_alarm_load(c->st, c->region, arn + strlen(prefix), &a);
    if (r < 0)
        return cw_internal(c);
    if (r == 1)
        goto missing;
    cw_alarm_free(&a);
    return 0;
missing:
    return call_fail(c, 404, "ResourceNotFoundException", "Unknown alarm: %s", /* inferred */
                     arn ? arn : "");
}

static int count_tags(struct store *st, const char *arn, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM cw_tags WHERE arn = ?1");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

int cwa_tags_put(struct call *c, const char *arn, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = cwa_str(t, CW_M_Tag_Key), *v = cwa_str(t, CW_M_Tag_Value);
        if (!k || !v)
            return call_fail(c, 400, "InvalidParameterValue", /* inferred */
                             "The value for parameter Tags.member.%zu is invalid.", i + 1);
        sqlite3_stmt *s = store_stmt(c->st, "INSERT OR REPLACE INTO cw_tags(arn, key, value)"
                                            " VALUES(?1, ?2, ?3)");
        sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, k, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, v, -1, SQLITE_TRANSIENT);
        int ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok)
            return cw_internal(c);
    }
    int64_t n;
    if (count_tags(c->st, arn, &n))
        return cw_internal(c);
    if (n > MAX_TAGS)
        return call_fail(c, 400, "LimitExceeded", /* inferred */
                         "The maximum number of tags (50) for the resource has been exceeded.");
    return 0;
}

int cwa_tags_on_create(struct call *c, const char *arn, const json_t *tags)
{
    if (json_array_size(tags) == 0)
        return 0;
    if (authz_check(c, &c->who, "cloudwatch:TagResource", arn, NULL))
        return -1;
    return cwa_tags_put(c, arn, tags);
}

int cwa_tags_drop(struct store *st, const char *arn)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM cw_tags WHERE arn = ?1");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return rc;
}

/* TagResource: adds or overwrites tags. */
int cw_tag_resource(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *arn = cwa_str(in, CW_M_TagResourceInput_ResourceARN);
    if (alarm_of_arn(c, arn))
        return -1;
    return cwa_tags_put(c, arn, json_object_get(in, CW_M_TagResourceInput_Tags));
}

/* UntagResource: removes the keys given; absent keys are ignored. */
int cw_untag_resource(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *arn = cwa_str(in, CW_M_UntagResourceInput_ResourceARN);
    if (alarm_of_arn(c, arn))
        return -1;
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(in, CW_M_UntagResourceInput_TagKeys), i, k)
    {
        sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM cw_tags WHERE arn = ?1 AND key = ?2");
        sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, json_string_value(k) ? json_string_value(k) : "", -1,
                          SQLITE_TRANSIENT);
        int ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok)
            return cw_internal(c);
    }
    return 0;
}

/* ListTagsForResource: the tags by key. */
int cw_list_tags_for_resource(struct call *c, const json_t *in, struct out *o)
{
    const char *arn = cwa_str(in, CW_M_ListTagsForResourceInput_ResourceARN);
    if (alarm_of_arn(c, arn))
        return -1;
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT key, value FROM cw_tags WHERE arn = ?1 ORDER BY key");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    out_begin(o, "Tags");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        out_begin(o, NULL);
        out_str(o, "Key", (const char *)sqlite3_column_text(s, 0));
        out_str(o, "Value", (const char *)sqlite3_column_text(s, 1));
        out_end(o);
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_DONE)
        return cw_internal(c);
    return 0;
}
