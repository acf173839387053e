/*
 * enis.c — network interfaces made by the user: CreateNetworkInterface,
 * DeleteNetworkInterface, DescribeNetworkInterfaces, AttachNetworkInterface,
 * DetachNetworkInterface, and an existing interface as an instance's primary one at launch
 * (RunInstances NetworkInterfaces[0].NetworkInterfaceId).
 *
 * Rows of ec2_enis hold the NetworkInterface document as DescribeNetworkInterfaces shows it
 * (members starting with '_' are ours). Attaching and detaching complete at once (inferred:
 * AWS takes seconds). The primary interfaces RunInstances creates itself stay part of their
 * instance (DescribeInstances) and are not listed here (inferred simplification).
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

static int eni_load(struct call *c, const char *id, json_t **doc)
{
    *doc = NULL;
    if (!ec2_id_ok(id, "eni"))
        return call_fail(c, 400, "InvalidNetworkInterfaceID.Malformed",
                         "Invalid id: \"%s\" (expecting \"eni-...\")", id ? id : "");
    sqlite3_stmt *s = store_stmt(c->st, "SELECT doc FROM ec2_enis WHERE region = ?1 AND id = ?2");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *doc = ec2_json_load((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return call_fail(c, 400, "InvalidNetworkInterfaceID.NotFound",
                         "The networkInterface ID '%s' does not exist", id); /* [obs] */
    return *doc ? 0 : ec2_internal(c);
}

static int eni_save(struct call *c, const char *id, const json_t *doc)
{
    const char *inst =
        json_string_value(json_object_get(json_object_get(doc, "Attachment"), "InstanceId"));
    sqlite3_stmt *s = store_stmt(c->st, "INSERT OR REPLACE INTO ec2_enis(id, region, subnet_id,"
                                        " instance_id, doc) VALUES(?1, ?2, ?3, ?4, ?5)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, json_string_value(json_object_get(doc, "SubnetId")), -1,
                      SQLITE_TRANSIENT);
    store_bind_text_or_null(s, 4, inst);
    sqlite3_bind_text(s, 5, ec2_json_text(c, doc), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_internal(c);
}

/* CreateNetworkInterface: SubnetId, Description, Groups (the VPC's default group when none),
 * PrivateIpAddress, TagSpecifications. */
int ec2_create_network_interface(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c))
        return -1;
    const char *subnet = json_string_value(json_object_get(in, EC2_IN_SubnetId));
    struct ec2_subnet sn;
    if (!ec2_id_ok(subnet, "subnet"))
        return call_fail(c, 400, "InvalidSubnetID.Malformed",
                         "Invalid id: \"%s\" (expecting \"subnet-...\")", subnet ? subnet : "");
    int rc = ec2_subnet_get(c, subnet, &sn);
    if (rc < 0)
        return ec2_internal(c);
    if (rc == 1)
        return call_fail(c, 400, "InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist",
                         subnet); /* [obs] */
    json_t *groups = NULL;
    const json_t *gids = json_object_get(in, EC2_IN_Groups);
    if (json_array_size(gids)) {
        if (ec2_groups_resolve(c, gids, NULL, &groups))
            return -1;
    } else {
        char sg[32];
        if (ec2_sg_by_name(c, sn.vpc_id, "default", sg) != 0)
            return ec2_internal(c);
        groups = json_pack("[{s:s, s:s}]", "GroupId", sg, "GroupName", "default");
    }
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        json_t *gd;
        if (ec2_net_get(c, "security-group", json_string_value(json_object_get(g, "GroupId")),
                        &gd) == 0 &&
            !str_eq(json_string_value(json_object_get(gd, "VpcId")), sn.vpc_id)) {
            json_decref(gd);
            json_decref(groups);
            return call_fail(c, 400, "InvalidParameter",
                             "Security group %s and subnet %s belong to different networks.",
                             json_string_value(json_object_get(g, "GroupId")), subnet); /* [obs] */
        }
        json_decref(gd);
    }
    const json_t *tags = NULL;
    static const char *const tag_types[] = {"network-interface", NULL};
    char ip[16], id[32], dns[128], mac[18];
    const char *want = json_string_value(json_object_get(in, EC2_IN_PrivateIpAddress));
    if (ec2_tag_specs(c, in, tag_types, "network-interface", &tags) ||
        ec2_ip_alloc(c, &sn, want, ip) || ec2_dry_run(c, in)) {
        json_decref(groups);
        return -1;
    }
    ec2_new_id("eni", id, sizeof(id));
    ec2_private_dns(c->region, ip, dns, sizeof(dns));
    unsigned char b[5];
    rand_bytes(b, sizeof(b));
    snprintf(mac, sizeof(mac), "0a:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4]);
    const char *desc = json_string_value(json_object_get(in, EC2_IN_Description));
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:o, s:[], s:s, s:s, s:s, s:s, s:s, s:[{s:b, s:s, s:s}], s:b,"
        " s:b, s:s, s:s, s:s}",
        "AvailabilityZone", sn.az, "Description", desc ? desc : "", "InterfaceType", "interface",
        "MacAddress", mac, "NetworkInterfaceId", id, "Groups", groups, "Ipv6Addresses", "OwnerId",
        c->account, "PrivateDnsName", dns, "PrivateIpAddress", ip, "Status", "available",
        "SubnetId", subnet, "PrivateIpAddresses", "Primary", true, "PrivateDnsName", dns,
        "PrivateIpAddress", ip, "RequesterManaged", false, "SourceDestCheck", true, "VpcId",
        sn.vpc_id, "AvailabilityZoneId", sn.az_id, "RequesterId", "");
    json_object_del(doc, "RequesterId");
    rc = eni_save(c, id, doc) || (tags && ec2_tags_put(c, id, "network-interface", tags)) ? -1 : 0;
    if (rc == 0) {
        json_t *t = ec2_tags_get(c->st, id);
        out_begin(o, "NetworkInterface");
        ec2_out_members(o, doc);
        out_json(o, "TagSet", t);
        out_end(o);
        json_decref(t);
    }
    json_decref(doc);
    return rc;
}

/* DeleteNetworkInterface: only an interface that is not attached. */
int ec2_delete_network_interface(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    json_t *doc;
    const char *id = json_string_value(json_object_get(in, EC2_IN_NetworkInterfaceId));
    if (!ec2_call_region(c) || eni_load(c, id, &doc))
        return -1;
    bool attached = json_object_get(doc, "Attachment") != NULL;
    json_decref(doc);
    if (attached)
        return call_fail(c, 400, "InvalidNetworkInterface.InUse",
                         "Interface: [%s] in use.", id); /* [obs] */
    if (ec2_dry_run(c, in))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_enis WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE && ec2_tags_drop(c->st, id) == 0 ? 0 : ec2_internal(c);
}

static int attach(struct call *c, json_t *doc, const char *instance_id, int64_t index,
                  const char *attach_id, bool dot)
{
    json_object_set_new(doc, "Attachment",
                        json_pack("{s:I, s:s, s:b, s:I, s:s, s:s, s:s, s:i}", "AttachTime",
                                  (json_int_t)c->now_ms, "AttachmentId", attach_id,
                                  "DeleteOnTermination", dot, "DeviceIndex", (json_int_t)index,
                                  "InstanceId", instance_id, "InstanceOwnerId", c->account,
                                  "Status", "attached", "NetworkCardIndex", 0));
    json_object_set_new(doc, "Status", json_string("in-use"));
    return eni_save(c, json_string_value(json_object_get(doc, "NetworkInterfaceId")), doc);
}

/* AttachNetworkInterface: a secondary interface (DeviceIndex >= 1) of a running or stopped
 * instance in the interface's AZ. */
int ec2_attach_network_interface(struct call *c, const json_t *in, struct out *o)
{
    json_t *doc = NULL, *idoc = NULL;
    struct ec2_instance inst;
    const char *id = json_string_value(json_object_get(in, EC2_IN_NetworkInterfaceId));
    const char *iid = json_string_value(json_object_get(in, EC2_IN_InstanceId));
    json_int_t index = json_integer_value(json_object_get(in, EC2_IN_DeviceIndex));
    int rc = -1;
    if (!ec2_call_region(c) || eni_load(c, id, &doc) || ec2_instance_find(c, iid, &inst, &idoc))
        goto out;
    if (json_object_get(doc, "Attachment")) {
        call_fail(c, 400, "InvalidNetworkInterface.InUse", "Interface: [%s] in use.",
                  id); /* [obs] */
        goto out;
    }
    if (inst.state != EC2_RUNNING && inst.state != EC2_STOPPED) {
        call_fail(c, 400, "IncorrectState",
                  "The instance '%s' is not in a valid state for this operation.",
                  iid); /* inferred */
        goto out;
    }
    if (!str_eq(inst.az, json_string_value(json_object_get(doc, "AvailabilityZone")))) {
        call_fail(c, 400, "InvalidParameterCombination",
                  "You may not attach a network interface to an instance if they are not in the "
                  "same availability zone"); /* [obs] */
        goto out;
    }
    if (index < 1) {
        call_fail(c, 400, "InvalidParameterValue",
                  "Instance '%s' already has an interface attached at device index '%lld'.", iid,
                  (long long)index); /* [obs] */
        goto out;
    }
    sqlite3_stmt *s = store_stmt(c->st, "SELECT 1 FROM ec2_enis WHERE instance_id = ?1 AND"
                                        " json_extract(doc, '$.Attachment.DeviceIndex') = ?2");
    sqlite3_bind_text(s, 1, iid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, index);
    bool taken = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    if (taken) {
        call_fail(c, 400, "InvalidParameterValue",
                  "Instance '%s' already has an interface attached at device index '%lld'.", iid,
                  (long long)index); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    char aid[40];
    ec2_new_id("eni-attach", aid, sizeof(aid));
    if (attach(c, doc, iid, index, aid, false))
        goto out;
    out_str(o, "AttachmentId", aid);
    out_int(o, "NetworkCardIndex", 0);
    rc = 0;
out:
    json_decref(doc);
    json_decref(idoc);
    return rc;
}

/* DetachNetworkInterface by AttachmentId: not an instance's primary interface. */
int ec2_detach_network_interface(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *aid = json_string_value(json_object_get(in, EC2_IN_AttachmentId));
    if (!ec2_call_region(c))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT doc FROM ec2_enis WHERE region = ?1 AND"
                                        " json_extract(doc, '$.Attachment.AttachmentId') = ?2");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, aid, -1, SQLITE_TRANSIENT);
    json_t *doc = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        doc = ec2_json_load((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (!doc)
        return call_fail(c, 400, "InvalidAttachmentID.NotFound",
                         "The attachment ID '%s' does not exist", aid ? aid : ""); /* [obs] */
    int rc = -1;
    if (json_integer_value(json_object_get(json_object_get(doc, "Attachment"), "DeviceIndex")) ==
        0) {
        call_fail(c, 400, "OperationNotPermitted",
                  "The network interface at device index 0 cannot be detached."); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    json_object_del(doc, "Attachment");
    json_object_set_new(doc, "Status", json_string("available"));
    rc = eni_save(c, json_string_value(json_object_get(doc, "NetworkInterfaceId")), doc);
out:
    json_decref(doc);
    return rc;
}

static const char *const eni_filters[] = {"addresses.private-ip-address",
                                          "attachment.attachment-id",
                                          "attachment.instance-id",
                                          "attachment.device-index",
                                          "attachment.status",
                                          "availability-zone",
                                          "description",
                                          "group-id",
                                          "group-name",
                                          "mac-address",
                                          "network-interface-id",
                                          "owner-id",
                                          "private-ip-address",
                                          "private-dns-name",
                                          "status",
                                          "subnet-id",
                                          "vpc-id",
                                          "interface-type",
                                          "tag:",
                                          "tag-key",
                                          "tag-value",
                                          NULL};

/* DescribeNetworkInterfaces: NetworkInterfaceIds (unknown ones fail), Filters. */
int ec2_describe_network_interfaces(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c) || ec2_check_filters(c, in, eni_filters))
        return -1;
    const json_t *ids = json_object_get(in, EC2_IN_NetworkInterfaceIds);
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        json_t *d;
        if (eni_load(c, json_string_value(e), &d))
            return -1;
        json_decref(d);
    }
    if (ec2_dry_run(c, in))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT doc FROM ec2_enis WHERE region = ?1 ORDER BY id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    json_t *rows = ec2_json_rows(c->st, s, 0, "eni describe");
    if (!rows)
        return ec2_internal(c);
    out_begin(o, "NetworkInterfaces");
    json_t *d;
    json_array_foreach(rows, i, d)
    {
        const char *id = json_string_value(json_object_get(d, "NetworkInterfaceId"));
        if (json_array_size(ids) && !wire_list_has(ids, id))
            continue;
        const json_t *a = json_object_get(d, "Attachment");
        json_t *gid = json_array(), *gname = json_array();
        size_t j;
        json_t *g;
        json_array_foreach(json_object_get(d, "Groups"), j, g)
        {
            json_array_append(gid, json_object_get(g, "GroupId"));
            json_array_append(gname, json_object_get(g, "GroupName"));
        }
        json_t *f = json_pack(
            "{s:O, s:O, s:O, s:o, s:o, s:O, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:s}",
            "addresses.private-ip-address", json_object_get(d, "PrivateIpAddress"),
            "availability-zone", json_object_get(d, "AvailabilityZone"), "description",
            json_object_get(d, "Description"), "group-id", gid, "group-name", gname, "mac-address",
            json_object_get(d, "MacAddress"), "network-interface-id", id, "owner-id",
            json_object_get(d, "OwnerId"), "private-ip-address",
            json_object_get(d, "PrivateIpAddress"), "private-dns-name",
            json_object_get(d, "PrivateDnsName"), "status", json_object_get(d, "Status"),
            "subnet-id", json_object_get(d, "SubnetId"), "vpc-id", json_object_get(d, "VpcId"),
            "interface-type", json_object_get(d, "InterfaceType"), "x", "");
        if (a) {
            json_object_set(f, "attachment.attachment-id", json_object_get(a, "AttachmentId"));
            json_object_set(f, "attachment.instance-id", json_object_get(a, "InstanceId"));
            json_object_set(f, "attachment.device-index", json_object_get(a, "DeviceIndex"));
            json_object_set(f, "attachment.status", json_object_get(a, "Status"));
        }
        json_t *tags = ec2_tags_get(c->st, id);
        bool ok = ec2_filters_match(in, f, tags);
        json_decref(f);
        if (ok) {
            out_begin(o, NULL);
            ec2_out_members(o, d);
            out_json(o, "TagSet", tags);
            out_end(o);
        }
        json_decref(tags);
    }
    out_end(o);
    json_decref(rows);
    return 0;
}

int ec2_eni_for_launch(struct call *c, const char *eni_id, char subnet_id[32], json_t **groups,
                       char private_ip[16])
{
    json_t *doc;
    if (eni_load(c, eni_id, &doc))
        return -1;
    int rc = 0;
    if (json_object_get(doc, "Attachment"))
        rc = call_fail(c, 400, "InvalidNetworkInterface.InUse", "Interface: [%s] in use.",
                       eni_id); /* [obs] */
    snprintf(subnet_id, 32, "%s", json_string_value(json_object_get(doc, "SubnetId")));
    snprintf(private_ip, 16, "%s", json_string_value(json_object_get(doc, "PrivateIpAddress")));
    *groups = rc ? NULL : json_deep_copy(json_object_get(doc, "Groups"));
    json_decref(doc);
    return rc;
}

int ec2_eni_attach_launch(struct call *c, const char *eni_id, const char *instance_id,
                          const char *attach_id)
{
    json_t *doc;
    if (eni_load(c, eni_id, &doc))
        return -1;
    int rc = attach(c, doc, instance_id, 0, attach_id, false);
    json_decref(doc);
    return rc;
}

int ec2_enis_release_instance(struct store *st, const char *instance_id)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE ec2_enis SET instance_id = NULL,"
                                     " doc = json_set(json_remove(doc, '$.Attachment'),"
                                     " '$.Status', 'available') WHERE instance_id = ?1");
    sqlite3_bind_text(s, 1, instance_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(st, "eni release");
}
