/*
 * volumes.c — EBS volumes: the volumes of instances (root and BlockDeviceMappings),
 * DescribeVolumes and a minimal CreateVolume / AttachVolume / DetachVolume / DeleteVolume.
 *
 * States [model]: creating -> available (EC2_VOLUME_CREATE_MS, inferred) -> in-use while
 * attached; attachments attaching -> attached and detaching -> detached take
 * EC2_VOLUME_ATTACH_MS (inferred). Volumes of a launch are attached from the start. Sizes
 * per type [doc] (EBS UG ebs-volume-types): gp2/gp3 1-16384 GiB, io1 4-16384, io2
 * 4-65536, st1/sc1 125-16384, standard 1-1024. Iops defaults: gp2 3 per GiB (100..16000),
 * gp3 3000 with 125 MiB/s [doc].
 *
 * Rows: ec2_volumes(id, region, az, instance_id, device, state, created_ms, doc); doc is the
 * model's Volume without State and Attachments, plus _dot (DeleteOnTermination),
 * _attach_ms and _attach_state.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "store/store.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

#define EV_VOLUME "ec2-volume"

struct vtype {
    const char *name;
    int64_t min_gib, max_gib;
    bool iops_required, iops_allowed;
};

static const struct vtype vtypes[] = {
    {"gp2", 1, 16384, false, false},     {"gp3", 1, 16384, false, true},
    {"io1", 4, 16384, true, true},       {"io2", 4, 65536, true, true},
    {"st1", 125, 16384, false, false},   {"sc1", 125, 16384, false, false},
    {"standard", 1, 1024, false, false},
};

static const struct vtype *vtype_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(vtypes); i++)
        if (str_eq(vtypes[i].name, name))
            return &vtypes[i];
    return NULL;
}

int ec2_volume_check(struct call *c, struct ec2_volume_spec *spec)
{
    if (!spec->type)
        spec->type = "gp2";
    const struct vtype *t = vtype_find(spec->type);
    if (!t)
        return call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for volumeType.",
                         spec->type); /* inferred */
    if (spec->size_gib == 0 && !spec->snapshot_id)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter size or snapshotId"); /* [obs] */
    if (spec->size_gib == 0)
        spec->size_gib = 8; /* the snapshot's size: images' snapshots are 8 GiB here */
    if (spec->size_gib < t->min_gib)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Volume of %lldGiB is too small; minimum is %lldGiB.",
                         (long long)spec->size_gib, (long long)t->min_gib); /* [obs] */
    if (spec->size_gib > t->max_gib)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Volume of %lldGiB is too large; maximum is %lldGiB.",
                         (long long)spec->size_gib, (long long)t->max_gib); /* [obs] */
    if (t->iops_required && spec->iops <= 0)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter iops"); /* inferred */
    if (!t->iops_allowed && spec->iops > 0)
        return call_fail(c, 400, "InvalidParameterCombination",
                         "The parameter iops is not supported for %s volumes.",
                         t->name); /* inferred */
    if (spec->throughput > 0 && !str_eq(t->name, "gp3"))
        return call_fail(c, 400, "InvalidParameterCombination",
                         "The parameter throughput is not supported for %s volumes.",
                         t->name); /* inferred */
    if (str_eq(t->name, "gp3")) {
        if (spec->iops == 0)
            spec->iops = 3000;
        if (spec->throughput == 0)
            spec->throughput = 125;
    } else if (str_eq(t->name, "gp2")) {
        int64_t iops = 3 * spec->size_gib;
        spec->iops = iops < 100 ? 100 : iops > 16000 ? 16000 : iops;
    }
    return 0;
}

static int volume_write(struct store *st, const char *id, const char *region, const char *az,
                        const char *instance_id, const char *device, const char *state,
                        int64_t created_ms, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO ec2_volumes(id, region, az, instance_id, device, state, created_ms, doc)"
            " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET"
            " instance_id = excluded.instance_id, device = excluded.device,"
            " state = excluded.state, doc = excluded.doc");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, az, -1, SQLITE_TRANSIENT);
    if (instance_id)
        sqlite3_bind_text(s, 4, instance_id, -1, SQLITE_TRANSIENT);
    if (device)
        sqlite3_bind_text(s, 5, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 7, created_ms);
    sqlite3_bind_text(s, 8, text ? text : "{}", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    free(text);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(st, "volume write");
}

int ec2_volume_create(struct call *c, const struct ec2_volume_spec *spec, char id[32])
{
    struct ec2_zone z;
    if (ec2_zone_find(spec->az, &z))
        return call_fail(c, 400, "InvalidZone.NotFound", "The zone '%s' does not exist.",
                         spec->az ? spec->az : ""); /* [obs] */
    ec2_new_id("vol", id, 32);
    json_t *d = json_pack(
        "{s:s, s:I, s:s, s:s, s:s, s:I, s:b, s:s, s:b, s:b}", "VolumeId", id, "Size",
        (json_int_t)spec->size_gib, "SnapshotId", spec->snapshot_id ? spec->snapshot_id : "",
        "AvailabilityZone", z.name, "AvailabilityZoneId", z.id, "CreateTime", (json_int_t)c->now_ms,
        "Encrypted", spec->encrypted, "VolumeType", spec->type, "MultiAttachEnabled",
        spec->multi_attach, "_dot", spec->delete_on_termination);
    if (spec->iops > 0)
        json_object_set_new(d, "Iops", json_integer(spec->iops));
    if (spec->throughput > 0)
        json_object_set_new(d, "Throughput", json_integer(spec->throughput));
    if (spec->kms_key_id)
        json_object_set_new(d, "KmsKeyId", json_string(spec->kms_key_id));
    const char *state = "creating";
    if (spec->instance_id) {
        state = "in-use";
        json_object_set_new(d, "_attach_ms", json_integer(c->now_ms));
        json_object_set_new(d, "_attach_state", json_string("attached"));
    }
    int rc = volume_write(c->st, id, c->region, z.name, spec->instance_id, spec->device, state,
                          c->now_ms, d);
    json_decref(d);
    if (rc)
        return -1;
    if (!spec->instance_id && sched_at(c->st, c->now_ms + EC2_VOLUME_CREATE_MS, EV_VOLUME, id) < 0)
        return -1;
    return 0;
}

struct vol {
    char id[32], region[32], az[32], instance_id[32], device[64], state[16];
    int64_t created_ms;
    json_t *doc;
};

static void vol_row(sqlite3_stmt *s, struct vol *v)
{
    memset(v, 0, sizeof(*v));
#define COL(i, f)                                                                                  \
    snprintf(v->f, sizeof(v->f), "%s",                                                             \
             sqlite3_column_text(s, i) ? (const char *)sqlite3_column_text(s, i) : "")
    COL(0, id);
    COL(1, region);
    COL(2, az);
    COL(3, instance_id);
    COL(4, device);
    COL(5, state);
#undef COL
    v->created_ms = sqlite3_column_int64(s, 6);
    v->doc = ec2_json_load((const char *)sqlite3_column_text(s, 7));
    if (!v->doc)
        v->doc = json_object();
}

#define VOL_COLS "id, region, az, instance_id, device, state, created_ms, doc"

/* A volume by id (any region when region is NULL): 0, 1 not found, -1 error. */
static int vol_get(struct store *st, const char *id, const char *region, struct vol *v)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " VOL_COLS " FROM ec2_volumes WHERE id = ?1"
                                     " AND (?2 IS NULL OR region = ?2)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    if (region)
        sqlite3_bind_text(s, 2, region, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        vol_row(s, v);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(st, "volume read");
    return rc == SQLITE_ROW ? 0 : 1;
}

static int vol_save(struct store *st, const struct vol *v)
{
    return volume_write(st, v->id, v->region, v->az, v->instance_id[0] ? v->instance_id : NULL,
                        v->device[0] ? v->device : NULL, v->state, v->created_ms, v->doc);
}

static int vol_delete(struct store *st, const char *id)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM ec2_volumes WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return ec2_db_fail(st, "volume delete");
    sched_cancel(st, EV_VOLUME, id);
    return ec2_tags_drop(st, id);
}

/* The volume's id in a call, checked: malformed, unknown in the region. */
static int vol_find(struct call *c, const char *id, struct vol *v)
{
    if (!ec2_id_ok(id, "vol"))
        return call_fail(c, 400, "InvalidVolumeID.Malformed",
                         "Invalid id: \"%s\" (expecting \"vol-...\")", id ? id : ""); /* [obs] */
    int rc = vol_get(c->st, id, c->region, v);
    if (rc == 1)
        return call_fail(c, 400, "InvalidVolume.NotFound", "The volume '%s' does not exist.",
                         id); /* [moto] */
    return rc;
}

json_t *ec2_instance_bdm(struct store *st, const char *instance_id)
{
    json_t *list = json_array();
    sqlite3_stmt *s = store_stmt(st, "SELECT " VOL_COLS " FROM ec2_volumes WHERE instance_id = ?1"
                                     " ORDER BY json_extract(doc, '$._attach_ms'),"
                                     " device != '/dev/xvda', device");
    sqlite3_bind_text(s, 1, instance_id, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct vol v;
        vol_row(s, &v);
        json_array_append_new(
            list,
            json_pack("{s:s, s:{s:I, s:b, s:s, s:s}}", "DeviceName", v.device, "Ebs", "AttachTime",
                      (json_int_t)json_integer_value(json_object_get(v.doc, "_attach_ms")),
                      "DeleteOnTermination", json_is_true(json_object_get(v.doc, "_dot")), "Status",
                      json_string_value(json_object_get(v.doc, "_attach_state"))
                          ? json_string_value(json_object_get(v.doc, "_attach_state"))
                          : "attached",
                      "VolumeId", v.id));
        json_decref(v.doc);
    }
    if (rc != SQLITE_DONE)
        ec2_db_fail(st, "instance volumes");
    sqlite3_reset(s);
    return list;
}

int ec2_volumes_release(struct store *st, const char *instance_id, int64_t at_ms)
{
    json_t *ids = json_array();
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM ec2_volumes WHERE instance_id = ?1");
    sqlite3_bind_text(s, 1, instance_id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    size_t i;
    const json_t *e;
    int rc = 0;
    json_array_foreach(ids, i, e)
    {
        struct vol v;
        if (vol_get(st, json_string_value(e), NULL, &v) != 0)
            continue;
        if (json_is_true(json_object_get(v.doc, "_dot"))) {
            rc |= vol_delete(st, v.id);
        } else {
            v.instance_id[0] = 0;
            v.device[0] = 0;
            snprintf(v.state, sizeof(v.state), "available");
            json_object_del(v.doc, "_attach_ms");
            json_object_del(v.doc, "_attach_state");
            json_object_del(v.doc, "_dot");
            rc |= vol_save(st, &v);
        }
        json_decref(v.doc);
    }
    json_decref(ids);
    (void)at_ms;
    return rc ? -1 : 0;
}

int ec2_volume_set_dot(struct store *st, const char *instance_id, const char *device, bool dot)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM ec2_volumes WHERE instance_id = ?1"
                                     " AND device = ?2");
    sqlite3_bind_text(s, 1, instance_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, device, -1, SQLITE_TRANSIENT);
    char id[32] = "";
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(st, "volume lookup");
    struct vol v;
    if (!id[0] || vol_get(st, id, NULL, &v) != 0)
        return 1;
    json_object_set_new(v.doc, "_dot", json_boolean(dot));
    rc = vol_save(st, &v);
    json_decref(v.doc);
    return rc;
}

/* Clock event: the volume's pending transition completes. */
static void volume_event(struct store *st, int64_t at_ms, const char *id)
{
    struct vol v;
    if (vol_get(st, id, NULL, &v) != 0)
        return;
    const char *att = json_string_value(json_object_get(v.doc, "_attach_state"));
    if (str_eq(v.state, "creating")) {
        snprintf(v.state, sizeof(v.state), "available");
    } else if (str_eq(att, "attaching")) {
        json_object_set_new(v.doc, "_attach_state", json_string("attached"));
    } else if (str_eq(att, "detaching")) {
        v.instance_id[0] = 0;
        v.device[0] = 0;
        snprintf(v.state, sizeof(v.state), "available");
        json_object_del(v.doc, "_attach_ms");
        json_object_del(v.doc, "_attach_state");
        json_object_del(v.doc, "_dot");
    }
    vol_save(st, &v);
    json_decref(v.doc);
    (void)at_ms;
}

void ec2_volumes_init(void)
{
    clock_on(EV_VOLUME, volume_event);
}

/* The members of a VolumeAttachment (AttachVolume / DetachVolume answer one at top level). */
static void attachment_members(struct out *o, const struct vol *v)
{
    out_time(o, "AttachTime", json_integer_value(json_object_get(v->doc, "_attach_ms")));
    out_str(o, "Device", v->device);
    out_str(o, "InstanceId", v->instance_id);
    const char *st = json_string_value(json_object_get(v->doc, "_attach_state"));
    out_str(o, "State", st ? st : "attached");
    out_str(o, "VolumeId", v->id);
    out_bool(o, "DeleteOnTermination", json_is_true(json_object_get(v->doc, "_dot")));
}

static void out_attachment(struct out *o, const char *member, const struct vol *v)
{
    out_begin(o, member);
    attachment_members(o, v);
    out_end(o);
}

static void out_volume(struct out *o, const struct vol *v, const json_t *tags)
{
    ec2_out_members(o, v->doc);
    out_str(o, "State", v->state);
    out_begin(o, "Attachments");
    if (v->instance_id[0])
        out_attachment(o, NULL, v);
    out_end(o);
    if (json_array_size(tags))
        out_json(o, "Tags", tags);
}

static const char *const volume_filters[] = {"attachment.attach-time",
                                             "attachment.delete-on-termination",
                                             "attachment.device",
                                             "attachment.instance-id",
                                             "attachment.status",
                                             "availability-zone",
                                             "availability-zone-id",
                                             "create-time",
                                             "encrypted",
                                             "fast-restored",
                                             "multi-attach-enabled",
                                             "operator.managed",
                                             "operator.principal",
                                             "size",
                                             "snapshot-id",
                                             "status",
                                             "volume-id",
                                             "volume-type",
                                             "tag:",
                                             "tag-key",
                                             "tag-value",
                                             NULL};

static json_t *volume_facets(const struct vol *v)
{
    char created[32];
    time_fmt_iso8601_ms(v->created_ms, created);
    json_t *f = json_pack("{s:s, s:s, s:o, s:s, s:O, s:O, s:O, s:s, s:O, s:O, s:b, s:b}",
                          "volume-id", v->id, "availability-zone", v->az, "availability-zone-id",
                          json_copy(json_object_get(v->doc, "AvailabilityZoneId")), "status",
                          v->state, "size", json_object_get(v->doc, "Size"), "volume-type",
                          json_object_get(v->doc, "VolumeType"), "encrypted",
                          json_object_get(v->doc, "Encrypted"), "create-time", created,
                          "snapshot-id", json_object_get(v->doc, "SnapshotId"),
                          "multi-attach-enabled", json_object_get(v->doc, "MultiAttachEnabled"),
                          "fast-restored", false, "operator.managed", false);
    if (v->instance_id[0]) {
        char at[32];
        time_fmt_iso8601_ms(json_integer_value(json_object_get(v->doc, "_attach_ms")), at);
        const char *st = json_string_value(json_object_get(v->doc, "_attach_state"));
        json_object_set_new(f, "attachment.instance-id", json_string(v->instance_id));
        json_object_set_new(f, "attachment.device", json_string(v->device));
        json_object_set_new(f, "attachment.status", json_string(st ? st : "attached"));
        json_object_set_new(f, "attachment.attach-time", json_string(at));
        json_object_set_new(f, "attachment.delete-on-termination",
                            json_boolean(json_is_true(json_object_get(v->doc, "_dot"))));
    }
    return f;
}

/*
 * DescribeVolumes of the call's region: VolumeIds (unknown ones fail InvalidVolume.NotFound),
 * Filters, MaxResults 5.. (more than 500 gives 500 [doc]) with NextToken (not with
 * VolumeIds: InvalidParameterCombination "The parameter volumeSet cannot be used with the
 * parameter maxResults" [obs]); ordered by id.
 */
int ec2_describe_volumes(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (!ec2_call_region(c) || ec2_check_filters(c, in, volume_filters) ||
        ec2_max_results(c, in, 5, INT_MAX, INT_MAX, EC2_M_DescribeVolumesRequest_VolumeIds,
                        "volumeSet", &max) ||
        ec2_token_read(c, in, &after))
        return -1;
    if (json_object_get(in, EC2_M_DescribeVolumesRequest_MaxResults) && max > 500)
        max = 500;
    const json_t *ids = json_object_get(in, EC2_M_DescribeVolumesRequest_VolumeIds);
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        struct vol v;
        if (vol_find(c, json_string_value(e), &v))
            return -1;
        json_decref(v.doc);
    }
    if (ec2_dry_run(c, in))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " VOL_COLS " FROM ec2_volumes WHERE region = ?1"
                                        " AND (?2 IS NULL OR id > ?2) ORDER BY id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    if (after)
        sqlite3_bind_text(s, 2, after, -1, SQLITE_TRANSIENT);
    int n = 0, rc;
    const char *last = NULL;
    bool more = false;
    out_begin(o, "Volumes");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct vol v;
        vol_row(s, &v);
        bool ok = true;
        if (json_array_size(ids)) {
            ok = false;
            json_array_foreach(ids, i, e) ok = ok || str_eq(json_string_value(e), v.id);
        }
        json_t *tags = NULL;
        if (ok) {
            tags = ec2_tags_get(c->st, v.id);
            json_t *facets = volume_facets(&v);
            ok = ec2_filters_match(in, facets, tags);
            json_decref(facets);
        }
        if (ok && n == max) {
            more = true;
            ok = false;
        }
        if (ok) {
            out_begin(o, NULL);
            out_volume(o, &v, tags);
            out_end(o);
            last = arena_strdup(c->a, v.id);
            n++;
        }
        json_decref(tags);
        json_decref(v.doc);
        if (more)
            break;
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "volumes describe");
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
    return 0;
}

static const char *const volume_tag_types[] = {"volume", NULL};

/*
 * CreateVolume: AvailabilityZone or AvailabilityZoneId, Size and/or SnapshotId, VolumeType
 * (gp2 default), Iops, Throughput, Encrypted, KmsKeyId, MultiAttachEnabled, TagSpecifications
 * (volume), ClientToken (idempotent: the same token answers the volume it made), DryRun.
 * The new volume is `creating` and becomes `available` after EC2_VOLUME_CREATE_MS.
 */
int ec2_create_volume(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c))
        return -1;
    struct ec2_volume_spec spec = {0};
    struct ec2_zone z;
    const char *az =
        json_string_value(json_object_get(in, EC2_M_CreateVolumeRequest_AvailabilityZone));
    const char *azid =
        json_string_value(json_object_get(in, EC2_M_CreateVolumeRequest_AvailabilityZoneId));
    if (!az && !azid)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter availabilityZone"); /* inferred */
    if (az ? ec2_zone_find(az, &z) : ec2_zone_find_id(azid, &z))
        return call_fail(c, 400, "InvalidZone.NotFound", "The zone '%s' does not exist.",
                         az ? az : azid); /* [obs] */
    if (!str_eq(z.region->name, c->region))
        return call_fail(c, 400, "InvalidZone.NotFound", "The zone '%s' does not exist.",
                         az ? az : azid);
    spec.az = z.name;
    spec.type = json_string_value(json_object_get(in, EC2_M_CreateVolumeRequest_VolumeType));
    spec.size_gib = json_integer_value(json_object_get(in, EC2_M_CreateVolumeRequest_Size));
    spec.iops = json_integer_value(json_object_get(in, EC2_M_CreateVolumeRequest_Iops));
    spec.throughput = json_integer_value(json_object_get(in, EC2_M_CreateVolumeRequest_Throughput));
    spec.encrypted = json_is_true(json_object_get(in, EC2_M_CreateVolumeRequest_Encrypted));
    spec.kms_key_id = json_string_value(json_object_get(in, EC2_M_CreateVolumeRequest_KmsKeyId));
    spec.snapshot_id = json_string_value(json_object_get(in, EC2_M_CreateVolumeRequest_SnapshotId));
    spec.multi_attach =
        json_is_true(json_object_get(in, EC2_M_CreateVolumeRequest_MultiAttachEnabled));
    if (json_object_get(in, EC2_M_CreateVolumeRequest_Size) && spec.size_gib <= 0)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Volume of %lldGiB is too small; minimum is 1GiB.",
                         (long long)spec.size_gib);
    const json_t *tags;
    if (ec2_volume_check(c, &spec) || ec2_tag_specs(c, in, volume_tag_types, "volume", &tags))
        return -1;
    if (ec2_dry_run(c, in))
        return -1;

    const char *token =
        json_string_value(json_object_get(in, EC2_M_CreateVolumeRequest_ClientToken));
    char id[32] = "";
    if (token) {
        sqlite3_stmt *s = store_stmt(c->st, "SELECT id FROM ec2_volumes WHERE region = ?1"
                                            " AND json_extract(doc, '$._token') = ?2");
        sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
    }
    struct vol v;
    if (!id[0]) {
        if (ec2_volume_create(c, &spec, id))
            return -1;
        if (tags && ec2_tags_put(c, id, "volume", tags))
            return -1;
        if (vol_get(c->st, id, NULL, &v))
            return -1;
        if (token) {
            json_object_set_new(v.doc, "_token", json_string(token));
            if (vol_save(c->st, &v)) {
                json_decref(v.doc);
                return -1;
            }
        }
    } else if (vol_get(c->st, id, NULL, &v)) {
        return -1;
    }
    json_t *t = ec2_tags_get(c->st, id);
    out_volume(o, &v, t);
    json_decref(t);
    json_decref(v.doc);
    return 0;
}

/* 1 when the instance already has a volume on device. */
static int device_used(struct call *c, const char *instance_id, const char *device)
{
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT 1 FROM ec2_volumes WHERE instance_id = ?1 AND device = ?2");
    sqlite3_bind_text(s, 1, instance_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, device, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "device lookup");
    return rc == SQLITE_ROW;
}

/*
 * AttachVolume: an `available` volume to a running or stopped instance of the same AZ on a
 * free device; the attachment is `attaching`, then `attached`.
 */
int ec2_attach_volume(struct call *c, const json_t *in, struct out *o)
{
    const char *vid = json_string_value(json_object_get(in, EC2_M_AttachVolumeRequest_VolumeId));
    const char *iid = json_string_value(json_object_get(in, EC2_M_AttachVolumeRequest_InstanceId));
    const char *dev = json_string_value(json_object_get(in, EC2_M_AttachVolumeRequest_Device));
    struct ec2_instance inst;
    struct vol v;
    if (!ec2_call_region(c))
        return -1;
    if (!dev)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter device"); /* inferred */
    if (vol_find(c, vid, &v))
        return -1;
    int rc = -1;
    if (ec2_instance_find(c, iid, &inst, NULL))
        goto out;
    if (!str_eq(v.state, "available")) {
        if (v.instance_id[0])
            call_fail(c, 400, "VolumeInUse", "%s is already attached to an instance",
                      v.id); /* [obs] */
        else
            call_fail(c, 400, "IncorrectState", "%s is not 'available'.", v.id); /* inferred */
        goto out;
    }
    if (inst.state != EC2_RUNNING && inst.state != EC2_STOPPED) {
        call_fail(c, 400, "IncorrectInstanceState", "Instance '%s' is not 'running' or 'stopped'.",
                  inst.id); /* inferred */
        goto out;
    }
    if (!str_eq(inst.az, v.az)) {
        call_fail(c, 400, "InvalidVolume.ZoneMismatch",
                  "The volume '%s' is not in the same availability zone as instance '%s'", v.id,
                  inst.id); /* [obs] */
        goto out;
    }
    int used = device_used(c, inst.id, dev);
    if (used < 0)
        goto out;
    if (used) {
        call_fail(c, 400, "InvalidParameterValue",
                  "Invalid value '%s' for unixDevice. Attachment point %s is already in use", dev,
                  dev); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    snprintf(v.instance_id, sizeof(v.instance_id), "%s", inst.id);
    snprintf(v.device, sizeof(v.device), "%s", dev);
    snprintf(v.state, sizeof(v.state), "in-use");
    json_object_set_new(v.doc, "_attach_ms", json_integer(c->now_ms));
    json_object_set_new(v.doc, "_attach_state", json_string("attaching"));
    json_object_set_new(v.doc, "_dot", json_false());
    if (vol_save(c->st, &v) ||
        sched_at(c->st, c->now_ms + EC2_VOLUME_ATTACH_MS, EV_VOLUME, v.id) < 0)
        goto out;
    attachment_members(o, &v);
    rc = 0;
out:
    json_decref(v.doc);
    return rc;
}

/*
 * DetachVolume: VolumeId (+ InstanceId / Device must match when given); not the root
 * volume of an instance that is not stopped. The attachment goes `detaching`, then the
 * volume is `available`.
 */
int ec2_detach_volume(struct call *c, const json_t *in, struct out *o)
{
    const char *vid = json_string_value(json_object_get(in, EC2_M_DetachVolumeRequest_VolumeId));
    const char *iid = json_string_value(json_object_get(in, EC2_M_DetachVolumeRequest_InstanceId));
    const char *dev = json_string_value(json_object_get(in, EC2_M_DetachVolumeRequest_Device));
    struct vol v;
    if (!ec2_call_region(c) || vol_find(c, vid, &v))
        return -1;
    int rc = -1;
    if (!v.instance_id[0] ||
        str_eq(json_string_value(json_object_get(v.doc, "_attach_state")), "detaching")) {
        call_fail(c, 400, "IncorrectState", "Volume '%s' is in the '%s' state.", v.id,
                  v.state); /* [obs] */
        goto out;
    }
    if ((iid && !str_eq(iid, v.instance_id)) || (dev && !str_eq(dev, v.device))) {
        call_fail(c, 400, "InvalidAttachment.NotFound",
                  "The volume %s is not attached to instance %s as device %s", v.id,
                  iid ? iid : v.instance_id, dev ? dev : v.device); /* [moto] */
        goto out;
    }
    struct ec2_instance inst;
    json_t *idoc = NULL;
    if (ec2_instance_load(c, v.instance_id, &inst, &idoc) == 0) {
        const char *root = json_string_value(json_object_get(idoc, "RootDeviceName"));
        bool is_root = str_eq(root, v.device);
        json_decref(idoc);
        if (is_root && inst.state != EC2_STOPPED) {
            call_fail(c, 400, "OperationNotPermitted",
                      "Unable to detach root volume '%s' from instance '%s'", v.id,
                      inst.id); /* [obs] */
            goto out;
        }
    }
    if (ec2_dry_run(c, in))
        goto out;
    json_object_set_new(v.doc, "_attach_state", json_string("detaching"));
    if (vol_save(c->st, &v) ||
        sched_at(c->st, c->now_ms + EC2_VOLUME_ATTACH_MS, EV_VOLUME, v.id) < 0)
        goto out;
    attachment_members(o, &v);
    rc = 0;
out:
    json_decref(v.doc);
    return rc;
}

/* DeleteVolume: only an `available` volume; attached ones fail VolumeInUse [moto]. */
int ec2_delete_volume(struct call *c, const json_t *in, struct out *o)
{
    const char *vid = json_string_value(json_object_get(in, EC2_M_DeleteVolumeRequest_VolumeId));
    struct vol v;
    if (!ec2_call_region(c) || vol_find(c, vid, &v))
        return -1;
    int rc = -1;
    if (v.instance_id[0]) {
        call_fail(c, 400, "VolumeInUse", "Volume %s is currently attached to %s", v.id,
                  v.instance_id);
        goto out;
    }
    if (!str_eq(v.state, "available")) {
        call_fail(c, 400, "IncorrectState", "The volume '%s' is '%s'.", v.id,
                  v.state); /* inferred */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    rc = vol_delete(c->st, v.id);
out:
    json_decref(v.doc);
    (void)o;
    return rc;
}
