/*
 * instance_describe.c — DescribeInstances (filters, paging) and the Reservation form
 * RunInstances answers with (ec2_out_reservation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

static json_t *network_interfaces(const struct ec2_instance *in, const json_t *doc,
                                  const char *account)
{
    json_t *list = json_array();
    const char *eni = json_string_value(json_object_get(doc, "_eni"));
    if (!eni || !in->private_ip[0])
        return list;
    const char *pdns = json_string_value(json_object_get(doc, "PrivateDnsName"));
    json_t *assoc = NULL;
    if (in->public_ip[0])
        assoc = json_pack("{s:s, s:s, s:s}", "IpOwnerId",
                          json_object_get(doc, "_eip") ? account : "amazon", "PublicDnsName",
                          json_string_value(json_object_get(doc, "PublicDnsName")), "PublicIp",
                          in->public_ip);
    json_t *addr = json_pack("{s:b, s:s, s:s}", "Primary", true, "PrivateDnsName", pdns ? pdns : "",
                             "PrivateIpAddress", in->private_ip);
    if (assoc)
        json_object_set(addr, "Association", assoc);
    json_t *ni = json_pack(
        "{s:{s:I, s:s, s:b, s:i, s:s, s:i}, s:s, s:O, s:[], s:s, s:s, s:s, s:s, s:s, s:[o],"
        " s:b, s:s, s:O, s:O, s:s}",
        "Attachment", "AttachTime", (json_int_t)json_integer_value(json_object_get(doc, "_eni_ms")),
        "AttachmentId", json_string_value(json_object_get(doc, "_eni_attach")),
        "DeleteOnTermination", true, "DeviceIndex", 0, "Status", "attached", "NetworkCardIndex", 0,
        "Description", "", "Groups", json_object_get(doc, "SecurityGroups"), "Ipv6Addresses",
        "MacAddress", json_string_value(json_object_get(doc, "_mac")), "NetworkInterfaceId", eni,
        "OwnerId", account, "PrivateDnsName", pdns ? pdns : "", "PrivateIpAddress", in->private_ip,
        "PrivateIpAddresses", addr, "SourceDestCheck", true, "Status", "in-use", "SubnetId",
        json_object_get(doc, "SubnetId"), "VpcId", json_object_get(doc, "VpcId"), "InterfaceType",
        "interface");
    if (!ni) {
        json_decref(assoc);
        return list;
    }
    if (assoc)
        json_object_set_new(ni, "Association", assoc);
    json_array_append_new(list, ni);
    return list;
}

/* Everything DescribeInstances shows of an instance that does not come from doc. */
struct view {
    json_t *tags, *bdm, *nis;
    struct ec2_profile profile;
    bool has_profile;
    struct ec2_zone zone;
};

static void view_load(struct call *c, const struct ec2_instance *in, const json_t *doc,
                      struct view *v)
{
    memset(v, 0, sizeof(*v));
    v->tags = ec2_tags_get(c->st, in->id);
    v->bdm = ec2_instance_bdm(c->st, in->id);
    v->nis = network_interfaces(in, doc, c->account);
    v->has_profile = ec2_profile_of(c->st, in->id, &v->profile, NULL) == 0;
    if (ec2_zone_find(in->az, &v->zone))
        memset(&v->zone, 0, sizeof(v->zone));
}

static void view_free(struct view *v)
{
    json_decref(v->tags);
    json_decref(v->bdm);
    json_decref(v->nis);
}

static void render_instance(struct out *o, const struct ec2_instance *in, const json_t *doc,
                            const struct view *v)
{
    out_begin(o, NULL);
    out_str(o, "InstanceId", in->id);
    out_str(o, "ImageId", in->image_id);
    ec2_out_state(o, "State", in->state);
    out_str(o, "InstanceType", in->type);
    out_time(o, "LaunchTime", in->launch_ms);
    out_begin(o, "Placement");
    out_str(o, "AvailabilityZone", in->az);
    if (v->zone.id[0])
        out_str(o, "AvailabilityZoneId", v->zone.id);
    out_str(o, "GroupName", "");
    out_str(o, "Tenancy", in->tenancy);
    out_end(o);
    if (in->private_ip[0])
        out_str(o, "PrivateIpAddress", in->private_ip);
    if (in->public_ip[0])
        out_str(o, "PublicIpAddress", in->public_ip);
    out_json(o, "BlockDeviceMappings", v->bdm);
    out_json(o, "NetworkInterfaces", v->nis);
    if (v->has_profile) {
        out_begin(o, "IamInstanceProfile");
        out_str(o, "Arn", v->profile.arn);
        if (v->profile.id[0])
            out_str(o, "Id", v->profile.id);
        out_end(o);
    }
    out_begin(o, "MaintenanceOptions");
    out_str(o, "AutoRecovery", in->auto_recovery);
    out_str(o, "RebootMigration", "default");
    out_end(o);
    if (json_array_size(v->tags))
        out_json(o, "Tags", v->tags);
    ec2_out_members(o, doc);
    out_end(o);
}

static json_t *strings_of(const json_t *list, const char *member)
{
    json_t *a = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e) json_array_append(a, json_object_get(e, member));
    return a;
}

/* Filter facets of an instance (see ec2_filters_match). */
static json_t *instance_facets(struct call *c, const struct ec2_instance *in, const json_t *doc,
                               const struct view *v, const char *reservation)
{
    char launch[32];
    time_fmt_iso8601_ms(in->launch_ms, launch);
    json_t *f = json_object();
#define S(k, val) json_object_set_new(f, k, json_string(val))
#define D(k, m) json_object_set(f, k, json_object_get(doc, m))
    S("instance-id", in->id);
    S("instance-type", in->type);
    S("image-id", in->image_id);
    S("availability-zone", in->az);
    S("availability-zone-id", v->zone.id);
    S("instance-state-name", ec2_state_name(in->state));
    json_object_set_new(f, "instance-state-code", json_integer(in->state));
    S("reservation-id", reservation);
    S("owner-id", c->account);
    S("launch-time", launch);
    S("tenancy", in->tenancy);
    S("placement-group-name", "");
    if (in->private_ip[0])
        S("private-ip-address", in->private_ip);
    if (in->public_ip[0])
        S("ip-address", in->public_ip);
    D("dns-name", "PublicDnsName");
    D("private-dns-name", "PrivateDnsName");
    D("vpc-id", "VpcId");
    D("subnet-id", "SubnetId");
    D("key-name", "KeyName");
    D("launch-index", "AmiLaunchIndex");
    D("architecture", "Architecture");
    D("root-device-type", "RootDeviceType");
    D("root-device-name", "RootDeviceName");
    D("hypervisor", "Hypervisor");
    D("virtualization-type", "VirtualizationType");
    D("platform-details", "PlatformDetails");
    D("usage-operation", "UsageOperation");
    D("client-token", "ClientToken");
    D("ebs-optimized", "EbsOptimized");
    D("ena-support", "EnaSupport");
    D("source-dest-check", "SourceDestCheck");
    D("reason", "StateTransitionReason");
    D("current-instance-boot-mode", "CurrentInstanceBootMode");
    const json_t *sr = json_object_get(doc, "StateReason");
    json_object_set(f, "state-reason-code", json_object_get(sr, "Code"));
    json_object_set(f, "state-reason-message", json_object_get(sr, "Message"));
    json_object_set(f, "monitoring-state",
                    json_object_get(json_object_get(doc, "Monitoring"), "State"));
    const json_t *md = json_object_get(doc, "MetadataOptions");
    json_object_set(f, "metadata-options.http-tokens", json_object_get(md, "HttpTokens"));
    json_object_set(f, "metadata-options.http-endpoint", json_object_get(md, "HttpEndpoint"));
    json_object_set(f, "metadata-options.http-put-response-hop-limit",
                    json_object_get(md, "HttpPutResponseHopLimit"));
    json_object_set(f, "metadata-options.http-protocol-ipv6",
                    json_object_get(md, "HttpProtocolIpv6"));
    json_object_set(f, "metadata-options.instance-metadata-tags",
                    json_object_get(md, "InstanceMetadataTags"));
    S("capacity-reservation-specification.capacity-reservation-preference", "open");
    json_object_set_new(f, "hibernation-options.configured", json_false());
    const json_t *groups = json_object_get(doc, "SecurityGroups");
    json_object_set_new(f, "group-id", strings_of(groups, "GroupId"));
    json_object_set_new(f, "group-name", strings_of(groups, "GroupName"));
    json_object_set_new(f, "instance.group-id", strings_of(groups, "GroupId"));
    json_object_set_new(f, "instance.group-name", strings_of(groups, "GroupName"));
    if (v->has_profile) {
        S("iam-instance-profile.arn", v->profile.arn);
        S("iam-instance-profile.id", v->profile.id);
    }
    json_t *ebs = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(v->bdm, i, e) json_array_append(ebs, json_object_get(e, "Ebs"));
    json_object_set_new(f, "block-device-mapping.device-name", strings_of(v->bdm, "DeviceName"));
    json_object_set_new(f, "block-device-mapping.volume-id", strings_of(ebs, "VolumeId"));
    json_object_set_new(f, "block-device-mapping.status", strings_of(ebs, "Status"));
    json_object_set_new(f, "block-device-mapping.delete-on-termination",
                        strings_of(ebs, "DeleteOnTermination"));
    json_t *at = json_array();
    json_array_foreach(ebs, i, e)
    {
        char t[32];
        time_fmt_iso8601_ms(json_integer_value(json_object_get(e, "AttachTime")), t);
        json_array_append_new(at, json_string(t));
    }
    json_object_set_new(f, "block-device-mapping.attach-time", at);
    json_decref(ebs);
    const json_t *ni = json_array_get(v->nis, 0);
    if (ni) {
        json_object_set(f, "network-interface.network-interface-id",
                        json_object_get(ni, "NetworkInterfaceId"));
        json_object_set(f, "network-interface.subnet-id", json_object_get(ni, "SubnetId"));
        json_object_set(f, "network-interface.vpc-id", json_object_get(ni, "VpcId"));
        json_object_set(f, "network-interface.mac-address", json_object_get(ni, "MacAddress"));
        json_object_set(f, "network-interface.private-dns-name",
                        json_object_get(ni, "PrivateDnsName"));
        json_object_set(f, "network-interface.status", json_object_get(ni, "Status"));
        json_object_set(f, "network-interface.owner-id", json_object_get(ni, "OwnerId"));
        json_object_set(f, "network-interface.source-dest-check",
                        json_object_get(ni, "SourceDestCheck"));
        json_object_set(f, "network-interface.attachment.attachment-id",
                        json_object_get(json_object_get(ni, "Attachment"), "AttachmentId"));
        json_object_set(f, "network-interface.attachment.status",
                        json_object_get(json_object_get(ni, "Attachment"), "Status"));
        json_object_set_new(f, "network-interface.attachment.device-index", json_integer(0));
        json_object_set_new(f, "network-interface.addresses.private-ip-address",
                            json_string(in->private_ip));
        json_object_set_new(f, "network-interface.addresses.primary", json_true());
        json_object_set_new(f, "network-interface.group-id", strings_of(groups, "GroupId"));
        json_object_set_new(f, "network-interface.group-name", strings_of(groups, "GroupName"));
        if (in->public_ip[0]) {
            S("network-interface.association.public-ip", in->public_ip);
            S("network-interface.addresses.association.public-ip", in->public_ip);
            S("network-interface.association.ip-owner-id", "amazon");
        }
    }
#undef S
#undef D
    return f;
}

static const char *const instance_filters[] = {
    "affinity",
    "architecture",
    "availability-zone",
    "availability-zone-id",
    "block-device-mapping.attach-time",
    "block-device-mapping.delete-on-termination",
    "block-device-mapping.device-name",
    "block-device-mapping.status",
    "block-device-mapping.volume-id",
    "boot-mode",
    "capacity-reservation-id",
    "capacity-reservation-specification.capacity-reservation-preference",
    "client-token",
    "current-instance-boot-mode",
    "dns-name",
    "ebs-optimized",
    "ena-support",
    "group-id",
    "group-name",
    "hibernation-options.configured",
    "host-id",
    "hypervisor",
    "iam-instance-profile.arn",
    "iam-instance-profile.id",
    "image-id",
    "instance-id",
    "instance-lifecycle",
    "instance-state-code",
    "instance-state-name",
    "instance-type",
    "instance.group-id",
    "instance.group-name",
    "ip-address",
    "ipv6-address",
    "kernel-id",
    "key-name",
    "launch-index",
    "launch-time",
    "metadata-options.http-endpoint",
    "metadata-options.http-protocol-ipv6",
    "metadata-options.http-put-response-hop-limit",
    "metadata-options.http-tokens",
    "metadata-options.instance-metadata-tags",
    "monitoring-state",
    "network-interface.addresses.association.public-ip",
    "network-interface.addresses.primary",
    "network-interface.addresses.private-ip-address",
    "network-interface.association.ip-owner-id",
    "network-interface.association.public-ip",
    "network-interface.attachment.attachment-id",
    "network-interface.attachment.device-index",
    "network-interface.attachment.status",
    "network-interface.group-id",
    "network-interface.group-name",
    "network-interface.mac-address",
    "network-interface.network-interface-id",
    "network-interface.owner-id",
    "network-interface.private-dns-name",
    "network-interface.source-dest-check",
    "network-interface.status",
    "network-interface.subnet-id",
    "network-interface.vpc-id",
    "outpost-arn",
    "owner-id",
    "placement-group-name",
    "placement-partition-number",
    "platform",
    "platform-details",
    "private-dns-name",
    "private-ip-address",
    "product-code",
    "product-code.type",
    "ramdisk-id",
    "reason",
    "requester-id",
    "reservation-id",
    "root-device-name",
    "root-device-type",
    "source-dest-check",
    "spot-instance-request-id",
    "state-reason-code",
    "state-reason-message",
    "subnet-id",
    "tenancy",
    "tpm-support",
    "usage-operation",
    "virtualization-type",
    "vpc-id",
    "tag:",
    "tag-key",
    "tag-value",
    NULL};

/*
 * DescribeInstances of the call's region: InstanceIds (malformed / unknown ids fail),
 * Filters (AWS's names; values with wildcards), MaxResults 5..1000 with NextToken (not with
 * InstanceIds [obs]); without MaxResults everything. Instances come grouped by reservation,
 * ordered by reservation id and instance id (inferred).
 */
int ec2_describe_instances(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (!ec2_call_region(c) || ec2_check_filters(c, in, instance_filters) ||
        ec2_max_results(c, in, 5, 1000, 1 << 30, EC2_M_DescribeInstancesRequest_InstanceIds,
                        "instancesSet", &max) ||
        ec2_token_read(c, in, &after))
        return -1;
    const char *after_res = NULL, *after_id = NULL;
    if (after) {
        char *bar = strchr(after, '|');
        if (!bar)
            return call_fail(c, 400, "InvalidPaginationToken",
                             "The specified pagination token is not valid or is expired.");
        *bar = 0;
        after_res = after;
        after_id = bar + 1;
    }
    const json_t *ids = json_object_get(in, EC2_M_DescribeInstancesRequest_InstanceIds);
    if (ec2_instances_check(c, ids) || ec2_dry_run(c, in))
        return -1;

    /* Rows first (the per-instance lookups below reuse other cached statements). */
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT " EC2_INSTANCE_COLS " FROM ec2_instances WHERE region = ?1"
                          " AND (?2 IS NULL OR (reservation_id, id) > (?2, ?3))"
                          " AND (?4 IS NULL OR id IN (SELECT value FROM json_each(?4)))"
                          " ORDER BY reservation_id, id LIMIT ?5");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    if (after_res) {
        sqlite3_bind_text(s, 2, after_res, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, after_id, -1, SQLITE_TRANSIENT);
    }
    if (json_array_size(ids))
        sqlite3_bind_text(s, 4, ec2_json_text(c, ids), -1, SQLITE_TRANSIENT);
    /* without filters a page needs one row more than it shows (to know there is more) */
    bool filtered =
        json_array_size(json_object_get(in, EC2_M_DescribeInstancesRequest_Filters)) > 0;
    sqlite3_bind_int64(s, 5, filtered ? -1 : (int64_t)max + 1);
    size_t cap = 64, n = 0;
    struct row {
        struct ec2_instance in;
        json_t *doc;
        char res[32];
    } *rows = xmalloc(cap * sizeof(*rows));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap *= 2;
            rows = xrealloc(rows, cap * sizeof(*rows));
        }
        ec2_instance_row(s, &rows[n].in, &rows[n].doc, rows[n].res);
        n++;
    }
    sqlite3_reset(s);
    int ret = 0;
    if (rc != SQLITE_DONE) {
        ret = ec2_db_fail(c->st, "instances describe");
        goto out;
    }

    int shown = 0;
    const char *open_res = NULL, *last = NULL;
    bool more = false;
    out_begin(o, "Reservations");
    for (size_t i = 0; i < n; i++) {
        struct row *r = &rows[i];
        struct view v;
        view_load(c, &r->in, r->doc, &v);
        bool ok = true;
        if (filtered) {
            json_t *facets = instance_facets(c, &r->in, r->doc, &v, r->res);
            ok = ec2_filters_match(in, facets, v.tags);
            json_decref(facets);
        }
        if (ok && shown == max) {
            more = true;
            ok = false;
        }
        if (ok) {
            if (!open_res || !str_eq(open_res, r->res)) {
                if (open_res) {
                    out_end(o); /* Instances */
                    out_end(o); /* the reservation */
                }
                open_res = r->res;
                out_begin(o, NULL);
                out_str(o, "ReservationId", r->res);
                out_str(o, "OwnerId", c->account);
                out_begin(o, "Groups");
                out_end(o);
                out_begin(o, "Instances");
            }
            render_instance(o, &r->in, r->doc, &v);
            last = arena_printf(c->a, "%s|%s", r->res, r->in.id);
            shown++;
        }
        view_free(&v);
        if (more)
            break;
    }
    if (open_res) {
        out_end(o);
        out_end(o);
    }
    out_end(o);
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
out:
    for (size_t i = 0; i < n; i++)
        json_decref(rows[i].doc);
    free(rows);
    return ret;
}

int ec2_out_reservation(struct call *c, struct out *o, const char *reservation)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " EC2_INSTANCE_COLS " FROM ec2_instances"
                                        " WHERE reservation_id = ?1"
                                        " ORDER BY json_extract(doc, '$.AmiLaunchIndex')");
    sqlite3_bind_text(s, 1, reservation, -1, SQLITE_TRANSIENT);
    json_t *docs = json_array();
    struct ec2_instance *insts = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *doc;
        insts = xrealloc(insts, (n + 1) * sizeof(*insts));
        ec2_instance_row(s, &insts[n++], &doc, NULL);
        json_array_append_new(docs, doc);
    }
    sqlite3_reset(s);
    out_str(o, "ReservationId", reservation);
    out_str(o, "OwnerId", c->account);
    out_begin(o, "Groups");
    out_end(o);
    out_begin(o, "Instances");
    for (size_t i = 0; i < n; i++) {
        struct view v;
        view_load(c, &insts[i], json_array_get(docs, i), &v);
        render_instance(o, &insts[i], json_array_get(docs, i), &v);
        view_free(&v);
    }
    out_end(o);
    free(insts);
    json_decref(docs);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(c->st, "reservation read");
}
