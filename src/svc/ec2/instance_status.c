/*
 * instance_status.c — DescribeInstanceStatus (aws-behaviour §3.2) over the health timeline.
 *
 * Without IncludeAllInstances only running instances are described [model doc]; others
 * show every check `not-applicable` without details (inferred from AWS output). Filters:
 * availability-zone, availability-zone-id, instance-state-name, instance-state-code,
 * instance-status.status, instance-status.reachability, system-status.status,
 * system-status.reachability, attached-ebs-status.status, event.code, event.description,
 * event.instance-event-id, event.not-before, event.not-after, operator.managed
 * [model doc]. Events: the instance's completed events of the last week [doc], e.g. a
 * recovery (recover.c). Pages are ordered by instance id; MaxResults 5..1000 and not with
 * InstanceIds [model doc]; without MaxResults a page holds 1000 (inferred).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/regions.h"
#include "store/store.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/health_internal.h"
#include "svc/svc.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

static const char *const status_filters[] = {
    "availability-zone",          "availability-zone-id",
    "instance-state-name",        "instance-state-code",
    "instance-status.status",     "instance-status.reachability",
    "system-status.status",       "system-status.reachability",
    "attached-ebs-status.status", "event.code",
    "event.description",          "event.instance-event-id",
    "event.not-before",           "event.not-after",
    "operator.managed",           NULL,
};

/* The event codes DescribeInstanceStatus knows [model]. */
static bool event_code_known(const char *code)
{
    static const char *const codes[] = {"instance-reboot", "system-reboot", "system-maintenance",
                                        "instance-retirement", "instance-stop"};
    for (size_t i = 0; i < ARRAY_LEN(codes); i++)
        if (str_eq(code, codes[i]))
            return true;
    return false;
}

/* The instance's visible events: [{InstanceEventId, Code, Description, NotBefore, NotAfter}]
 * with times as ms integers (new reference). */
static json_t *events_of(struct call *c, const char *id)
{
    json_t *arr = json_array();
    sqlite3_stmt *s = store_stmt(c->st, "SELECT id, at_ms, code, description,"
                                        " json_extract(doc, '$.notBefore'),"
                                        " json_extract(doc, '$.notAfter')"
                                        " FROM ec2_events WHERE instance_id = ?1"
                                        " AND at_ms >= ?2 AND at_ms <= ?3 ORDER BY at_ms, id");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, c->now_ms - EC2_EVENT_VISIBLE_MS);
    sqlite3_bind_int64(s, 3, c->now_ms);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(s, 2);
        if (!event_code_known(code))
            continue;
        int64_t at = sqlite3_column_int64(s, 1);
        int64_t nb = sqlite3_column_type(s, 4) == SQLITE_NULL ? at : sqlite3_column_int64(s, 4);
        int64_t na = sqlite3_column_type(s, 5) == SQLITE_NULL ? at : sqlite3_column_int64(s, 5);
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s, s:I, s:I}", "InstanceEventId",
                                        (const char *)sqlite3_column_text(s, 0), "Code", code,
                                        "Description", (const char *)sqlite3_column_text(s, 3),
                                        "NotBefore", (json_int_t)nb, "NotAfter", (json_int_t)na));
    }
    sqlite3_reset(s);
    return arr;
}

static json_t *iso_list(const json_t *events, const char *member)
{
    json_t *arr = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(events, i, e)
    {
        char iso[32];
        time_fmt_iso8601(json_integer_value(json_object_get(e, member)), iso);
        json_array_append_new(arr, json_string(iso));
    }
    return arr;
}

static json_t *member_list(const json_t *events, const char *member)
{
    json_t *arr = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(events, i, e)
    {
        json_array_append(arr, json_object_get(e, member));
    }
    return arr;
}

/* What one instance shows, for filtering and output. */
struct status_item {
    struct ec2_instance in;
    struct ec2_zone zone;
    bool have_zone;
    struct ec2_checks ck;
    json_t *events;
};

static json_t *facets_of(const struct status_item *it)
{
    const char *state = ec2_state_name(it->in.state);
    json_t *f = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:b}", "availability-zone", it->in.az,
                          "instance-state-name", state ? state : "", "instance-state-code",
                          (json_int_t)it->in.state, "instance-status.status", it->ck.instance,
                          "system-status.status", it->ck.system, "attached-ebs-status.status",
                          it->ck.ebs, "operator.managed", 0);
    if (it->have_zone)
        json_object_set_new(f, "availability-zone-id", json_string(it->zone.id));
    if (it->ck.instance_detail)
        json_object_set_new(f, "instance-status.reachability", json_string(it->ck.instance_detail));
    if (it->ck.system_detail)
        json_object_set_new(f, "system-status.reachability", json_string(it->ck.system_detail));
    json_object_set_new(f, "event.code", member_list(it->events, "Code"));
    json_object_set_new(f, "event.description", member_list(it->events, "Description"));
    json_object_set_new(f, "event.instance-event-id", member_list(it->events, "InstanceEventId"));
    json_object_set_new(f, "event.not-before", iso_list(it->events, "NotBefore"));
    json_object_set_new(f, "event.not-after", iso_list(it->events, "NotAfter"));
    return f;
}

static void write_summary(struct out *o, const char *member, const char *status, const char *detail,
                          int64_t since)
{
    out_begin(o, member);
    out_str(o, "Status", status); /* before details, as AWS's own examples show it */
    if (detail) {
        out_begin(o, "Details");
        out_begin(o, NULL);
        out_str(o, "Name", "reachability");
        out_str(o, "Status", detail);
        if (since)
            out_time(o, "ImpairedSince", since);
        out_end(o);
        out_end(o);
    }
    out_end(o);
}

static void write_item(struct out *o, const struct status_item *it)
{
    out_begin(o, NULL);
    out_str(o, "InstanceId", it->in.id);
    out_str(o, "AvailabilityZone", it->in.az);
    if (it->have_zone)
        out_str(o, "AvailabilityZoneId", it->zone.id);
    if (json_array_size(it->events)) {
        out_begin(o, "Events");
        size_t i;
        const json_t *e;
        json_array_foreach(it->events, i, e)
        {
            out_begin(o, NULL);
            out_str(o, "InstanceEventId", json_string_value(json_object_get(e, "InstanceEventId")));
            out_str(o, "Code", json_string_value(json_object_get(e, "Code")));
            out_str(o, "Description", json_string_value(json_object_get(e, "Description")));
            out_time(o, "NotBefore", json_integer_value(json_object_get(e, "NotBefore")));
            out_time(o, "NotAfter", json_integer_value(json_object_get(e, "NotAfter")));
            out_end(o);
        }
        out_end(o);
    }
    out_begin(o, "InstanceState");
    out_int(o, "Code", it->in.state);
    const char *state = ec2_state_name(it->in.state);
    out_str(o, "Name", state ? state : "");
    out_end(o);
    write_summary(o, "InstanceStatus", it->ck.instance, it->ck.instance_detail,
                  it->ck.instance_impaired_since);
    write_summary(o, "SystemStatus", it->ck.system, it->ck.system_detail,
                  it->ck.system_impaired_since);
    write_summary(o, "AttachedEbsStatus", it->ck.ebs, it->ck.ebs_detail, it->ck.ebs_impaired_since);
    out_end(o);
}

/* Loads one instance's status. 0 shown, 1 skipped (not running), -1 call failed. */
static int load_item(struct call *c, const char *id, bool all, struct status_item *it)
{
    memset(it, 0, sizeof(*it));
    int r = ec2_instance_get(c->st, id, &it->in);
    if (r < 0)
        return ec2_internal(c);
    if (r > 0 || !str_eq(it->in.region, c->region))
        return 1;
    if (!all && it->in.state != EC2_RUNNING)
        return 1;
    if (ec2_health_checks(c->st, &it->in, c->now_ms, &it->ck))
        return ec2_internal(c);
    it->have_zone = ec2_zone_find(it->in.az, &it->zone) == 0;
    it->events = events_of(c, it->in.id);
    return 0;
}

/* Collects the ids to look at (heap array of arena strings). */
static int candidate_ids(struct call *c, const json_t *in, const char *after, const char ***ids,
                         size_t *n)
{
    *ids = NULL;
    *n = 0;
    const json_t *want = json_object_get(in, EC2_M_DescribeInstanceStatusRequest_InstanceIds);
    if (json_array_size(want)) {
        size_t i;
        const json_t *v;
        json_array_foreach(want, i, v)
        {
            const char *id = json_string_value(v);
            bool dup = false;
            for (size_t k = 0; k < *n && !dup; k++)
                dup = str_eq((*ids)[k], id);
            if (dup || !id)
                continue;
            *ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
            (*ids)[(*n)++] = id;
        }
        return 0;
    }
    sqlite3_stmt *s = store_stmt(c->st, "SELECT id FROM ec2_instances WHERE region = ?1"
                                        " AND id > ?2 ORDER BY id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, after ? after : "", -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
        (*ids)[(*n)++] = arena_strdup(c->a, (const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        ec2_db_fail(c->st, "describe instance status");
        return ec2_internal(c);
    }
    return 0;
}

int ec2_describe_instance_status(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (ec2_check_filters(c, in, status_filters) ||
        ec2_max_results(c, in, 5, 1000, 1000, EC2_M_DescribeInstanceStatusRequest_InstanceIds,
                        "instancesSet", &max) ||
        ec2_token_read(c, in, &after))
        return -1;
    const json_t *want = json_object_get(in, EC2_M_DescribeInstanceStatusRequest_InstanceIds);
    if (json_array_size(want) && ec2_instances_check(c, want))
        return -1;
    if (ec2_dry_run(c, in))
        return -1;
    bool all =
        json_is_true(json_object_get(in, EC2_M_DescribeInstanceStatusRequest_IncludeAllInstances));

    const char **ids;
    size_t n;
    if (candidate_ids(c, in, after, &ids, &n))
        return -1;
    int rc = 0, shown = 0;
    const char *last = NULL, *next = NULL;
    out_begin(o, "InstanceStatuses");
    for (size_t i = 0; i < n; i++) {
        struct status_item it;
        int r = load_item(c, ids[i], all, &it);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (r > 0)
            continue;
        json_t *facets = facets_of(&it);
        bool match = ec2_filters_match(in, facets, NULL);
        json_decref(facets);
        if (match) {
            if (shown == max) {
                next = ec2_token_make(c, last);
                json_decref(it.events);
                break;
            }
            write_item(o, &it);
            last = ids[i];
            shown++;
        }
        json_decref(it.events);
    }
    out_end(o);
    free(ids);
    if (rc)
        return -1;
    if (next)
        out_str(o, "NextToken", next);
    return 0;
}
