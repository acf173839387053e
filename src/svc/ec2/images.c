/*
 * images.c — AMIs. The lab has no image catalogue: any well-formed id (ami- + 8 or 17 hex
 * digits) names a public, EBS-backed, HVM Linux image owned by Amazon (inferred). Images
 * are recorded per region the first time they are used (RunInstances, CreateTags,
 * DescribeImages by id) so that DescribeImages can list them.
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

int ec2_image_check_id(struct call *c, const char *image_id)
{
    if (ec2_id_ok(image_id, "ami"))
        return 0;
    return call_fail(c, 400, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")",
                     image_id ? image_id : ""); /* [obs] */
}

static json_t *image_doc(struct call *c, const char *id, const char *arch)
{
    char created[32], snap[32], name[96];
    time_fmt_iso8601_ms(c->now_ms, created);
    ec2_new_id("snap", snap, sizeof(snap));
    snprintf(name, sizeof(name), "recoverlab-linux-%s", id);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s,"
        " s:s, s:s, s:[{s:s, s:{s:b, s:s, s:i, s:s, s:b}}]}",
        "ImageId", id, "ImageLocation", arena_printf(c->a, "amazon/%s", name), "State", "available",
        "OwnerId", EC2_IMAGE_OWNER, "CreationDate", created, "Public", true, "Architecture",
        arch ? arch : "x86_64", "ImageType", "machine", "PlatformDetails", "Linux/UNIX",
        "UsageOperation", "RunInstances", "EnaSupport", true, "Hypervisor", "xen",
        "ImageOwnerAlias", "amazon", "Name", name, "Description",
        "Public EBS-backed HVM Linux image (recoverlab)", "RootDeviceName", "/dev/xvda",
        "RootDeviceType", "ebs", "VirtualizationType", "hvm", "SriovNetSupport", "simple",
        "BlockDeviceMappings", "DeviceName", "/dev/xvda", "Ebs", "DeleteOnTermination", true,
        "SnapshotId", snap, "VolumeSize", 8, "VolumeType", "gp2", "Encrypted", false);
}

int ec2_image_record(struct call *c, const char *image_id, const char *arch)
{
    if (ec2_image_check_id(c, image_id))
        return -1;
    json_t *d = image_doc(c, image_id, arch);
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO ec2_images(id, region, doc) VALUES(?1, ?2, ?3)"
                                        " ON CONFLICT(region, id) DO NOTHING");
    sqlite3_bind_text(s, 1, image_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, ec2_json_text(c, d), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    json_decref(d);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(c->st, "image insert");
}

static const char *const image_filters[] = {"architecture",
                                            "block-device-mapping.delete-on-termination",
                                            "block-device-mapping.device-name",
                                            "block-device-mapping.snapshot-id",
                                            "block-device-mapping.volume-size",
                                            "block-device-mapping.volume-type",
                                            "block-device-mapping.encrypted",
                                            "creation-date",
                                            "description",
                                            "ena-support",
                                            "hypervisor",
                                            "image-id",
                                            "image-type",
                                            "imds-support",
                                            "is-public",
                                            "kernel-id",
                                            "manifest-location",
                                            "name",
                                            "owner-alias",
                                            "owner-id",
                                            "platform",
                                            "platform-details",
                                            "product-code",
                                            "product-code.type",
                                            "ramdisk-id",
                                            "root-device-name",
                                            "root-device-type",
                                            "source-image-id",
                                            "source-image-region",
                                            "source-instance-id",
                                            "state",
                                            "state-reason-code",
                                            "state-reason-message",
                                            "sriov-net-support",
                                            "usage-operation",
                                            "virtualization-type",
                                            "tag:",
                                            "tag-key",
                                            "tag-value",
                                            NULL};

static json_t *image_facets(const json_t *d)
{
    const json_t *bdm = json_array_get(json_object_get(d, "BlockDeviceMappings"), 0);
    const json_t *ebs = json_object_get(bdm, "Ebs");
    json_t *f = json_object();
    static const char *const direct[][2] = {{"architecture", "Architecture"},
                                            {"creation-date", "CreationDate"},
                                            {"description", "Description"},
                                            {"ena-support", "EnaSupport"},
                                            {"hypervisor", "Hypervisor"},
                                            {"image-id", "ImageId"},
                                            {"image-type", "ImageType"},
                                            {"is-public", "Public"},
                                            {"manifest-location", "ImageLocation"},
                                            {"name", "Name"},
                                            {"owner-alias", "ImageOwnerAlias"},
                                            {"owner-id", "OwnerId"},
                                            {"platform-details", "PlatformDetails"},
                                            {"root-device-name", "RootDeviceName"},
                                            {"root-device-type", "RootDeviceType"},
                                            {"state", "State"},
                                            {"sriov-net-support", "SriovNetSupport"},
                                            {"usage-operation", "UsageOperation"},
                                            {"virtualization-type", "VirtualizationType"}};
    for (size_t i = 0; i < ARRAY_LEN(direct); i++)
        json_object_set(f, direct[i][0], json_object_get(d, direct[i][1]));
    json_object_set(f, "block-device-mapping.device-name", json_object_get(bdm, "DeviceName"));
    json_object_set(f, "block-device-mapping.delete-on-termination",
                    json_object_get(ebs, "DeleteOnTermination"));
    json_object_set(f, "block-device-mapping.snapshot-id", json_object_get(ebs, "SnapshotId"));
    json_object_set(f, "block-device-mapping.volume-size", json_object_get(ebs, "VolumeSize"));
    json_object_set(f, "block-device-mapping.volume-type", json_object_get(ebs, "VolumeType"));
    json_object_set(f, "block-device-mapping.encrypted", json_object_get(ebs, "Encrypted"));
    return f;
}

/* Owners: "self" and the account are the caller's own images (none here), "amazon" and
 * Amazon's owner id match the public images [doc: Owners values]. */
static bool owner_ok(struct call *c, const json_t *owners, const json_t *d)
{
    if (!json_array_size(owners))
        return true;
    size_t i;
    const json_t *e;
    json_array_foreach(owners, i, e)
    {
        const char *v = json_string_value(e);
        if (str_eq(v, "amazon") || str_eq(v, json_string_value(json_object_get(d, "OwnerId"))))
            return true;
        (void)c;
    }
    return false;
}

/*
 * DescribeImages: ImageIds (malformed ids fail; any well-formed id is a public image and is
 * recorded), Owners, ExecutableUsers (public images run for everyone), Filters, MaxResults
 * 1..1000 with NextToken (not with ImageIds). Without ImageIds: the images seen in the
 * region.
 */
int ec2_describe_images(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (!ec2_call_region(c) || ec2_check_filters(c, in, image_filters) ||
        ec2_max_results(c, in, 1, 1000, 1000000, EC2_M_DescribeImagesRequest_ImageIds, "imagesSet",
                        &max) ||
        ec2_token_read(c, in, &after))
        return -1;
    const json_t *ids = json_object_get(in, EC2_M_DescribeImagesRequest_ImageIds);
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        if (ec2_image_check_id(c, json_string_value(e)))
            return -1;
    }
    if (ec2_dry_run(c, in))
        return -1;
    json_array_foreach(ids, i, e)
    {
        if (ec2_image_record(c, json_string_value(e), NULL))
            return -1;
    }
    sqlite3_stmt *s = store_stmt(c->st, "SELECT id, doc FROM ec2_images WHERE region = ?1"
                                        " AND (?2 IS NULL OR id > ?2) ORDER BY id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    if (after)
        sqlite3_bind_text(s, 2, after, -1, SQLITE_TRANSIENT);
    json_t *rows = ec2_json_rows(c->st, s, 1, "images describe");
    if (!rows)
        return -1;
    const json_t *owners = json_object_get(in, EC2_M_DescribeImagesRequest_Owners);
    int n = 0;
    const char *last = NULL;
    bool more = false;
    json_t *d;
    out_begin(o, "Images");
    json_array_foreach(rows, i, d)
    {
        const char *id = json_string_value(json_object_get(d, "ImageId"));
        if (json_array_size(ids)) {
            bool listed = false;
            size_t j;
            json_array_foreach(ids, j, e) listed = listed || str_eq(json_string_value(e), id);
            if (!listed)
                continue;
        }
        if (!owner_ok(c, owners, d))
            continue;
        json_t *tags = ec2_tags_get(c->st, id);
        json_t *facets = image_facets(d);
        bool ok = ec2_filters_match(in, facets, tags);
        json_decref(facets);
        if (ok && n == max) {
            json_decref(tags);
            more = true;
            break;
        }
        if (ok) {
            out_begin(o, NULL);
            ec2_out_members(o, d);
            if (json_array_size(tags))
                out_json(o, "Tags", tags);
            out_end(o);
            last = arena_strdup(c->a, id);
            n++;
        }
        json_decref(tags);
    }
    out_end(o);
    json_decref(rows);
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
    return 0;
}
