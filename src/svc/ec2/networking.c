/*
 * networking.c — rows of ec2_network by kind (the shared access the network files use) and
 * the VPC resources beyond the default network: CreateVpc / DeleteVpc / ModifyVpcAttribute
 * (a new VPC gets its main route table and "default" security group [doc]),
 * CreateSubnet / DeleteSubnet / ModifySubnetAttribute, route tables (Create, Delete,
 * Describe, CreateRoute, DeleteRoute, Associate, Disassociate) and internet gateways
 * (Create, Delete, Attach, Detach, Describe). Routes are recorded, not simulated: the lab
 * moves no packets.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

int ec2_net_get(struct call *c, const char *kind, const char *id, json_t **doc)
{
    *doc = NULL;
    if (!id)
        return 1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT doc FROM ec2_network WHERE region = ?1"
                                        " AND kind = ?2 AND id = ?3");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = 1;
    if (rc == SQLITE_ROW) {
        *doc = ec2_json_load((const char *)sqlite3_column_text(s, 0));
        ret = *doc ? 0 : -1;
    } else if (rc != SQLITE_DONE) {
        ret = ec2_db_fail(c->st, "network read");
    }
    sqlite3_reset(s);
    if (ret < 0)
        ec2_internal(c);
    return ret;
}

int ec2_net_put(struct call *c, const char *kind, const char *id, const json_t *doc)
{
    sqlite3_stmt *s = store_stmt(
        c->st, "INSERT OR REPLACE INTO ec2_network(id, region, kind, doc) VALUES(?1, ?2, ?3, ?4)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, ec2_json_text(c, doc), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        ec2_db_fail(c->st, "network write");
        return ec2_internal(c);
    }
    return 0;
}

int ec2_net_del(struct call *c, const char *id)
{
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_network WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE || ec2_tags_drop(c->st, id)) {
        ec2_db_fail(c->st, "network delete");
        return ec2_internal(c);
    }
    return 0;
}

int ec2_vpc_check(struct call *c, const char *vpc_id)
{
    if (!ec2_id_ok(vpc_id, "vpc"))
        return call_fail(c, 400, "InvalidVpcID.Malformed",
                         "Invalid id: \"%s\" (expecting \"vpc-...\")", vpc_id ? vpc_id : "");
    json_t *d;
    int rc = ec2_net_get(c, "vpc", vpc_id, &d);
    json_decref(d);
    if (rc == 1)
        return call_fail(c, 400, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist",
                         vpc_id); /* [obs] */
    return rc;
}

/* ---------------------------------------------------------------- VPCs and subnets */

/* "a.b.c.d/n" -> base (host order) and n; -1 when malformed or the base has host bits. */
static int cidr_parse(const char *s, uint32_t *base, int *bits)
{
    char a[20];
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash || (size_t)(slash - s) >= sizeof(a))
        return -1;
    memcpy(a, s, (size_t)(slash - s));
    a[slash - s] = 0;
    struct in_addr in;
    int64_t n;
    if (inet_pton(AF_INET, a, &in) != 1 || str_to_i64(slash + 1, &n) || n < 0 || n > 32)
        return -1;
    *base = ntohl(in.s_addr);
    *bits = (int)n;
    uint32_t mask = n ? ~0u << (32 - n) : 0;
    return (*base & ~mask) ? -1 : 0;
}

static bool cidr_inside(uint32_t b, int n, uint32_t ob, int on)
{
    uint32_t mask = on ? ~0u << (32 - on) : 0;
    return n >= on && (b & mask) == ob;
}

static bool cidr_overlap(uint32_t a, int an, uint32_t b, int bn)
{
    int n = an < bn ? an : bn;
    uint32_t mask = n ? ~0u << (32 - n) : 0;
    return (a & mask) == (b & mask);
}

/* Rows of kind (in the VPC when vpc is not NULL), as documents. */
static json_t *net_rows(struct call *c, const char *kind, const char *vpc)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT doc FROM ec2_network WHERE region = ?1 AND"
                                        " kind = ?2 AND (?3 IS NULL OR"
                                        " json_extract(doc, '$.VpcId') = ?3) ORDER BY id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(s, 3, vpc);
    json_t *rows = ec2_json_rows(c->st, s, 0, "network rows");
    return rows ? rows : json_array();
}

static void out_doc(struct call *c, struct out *o, const char *member, const json_t *doc,
                    const char *id)
{
    out_begin(o, member);
    ec2_out_members(o, doc);
    json_t *tags = ec2_tags_get(c->st, id);
    if (json_array_size(tags))
        out_json(o, "Tags", tags);
    json_decref(tags);
    out_end(o);
}

static json_t *route_table_doc(struct call *c, const char *id, const char *vpc,
                               const char *vpc_cidr)
{
    return json_pack("{s:[], s:[], s:s, s:[{s:s, s:s, s:s, s:s}], s:s, s:s}", "Associations",
                     "PropagatingVgws", "RouteTableId", id, "Routes", "DestinationCidrBlock",
                     vpc_cidr, "GatewayId", "local", "Origin", "CreateRouteTable", "State",
                     "active", "VpcId", vpc, "OwnerId", c->account);
}

/* CreateVpc: a /16../28 IPv4 block; its main route table and default security group. */
int ec2_create_vpc(struct call *c, const json_t *in, struct out *o)
{
    const char *cidr = json_string_value(json_object_get(in, EC2_IN_CidrBlock));
    const char *ten = json_string_value(json_object_get(in, EC2_IN_InstanceTenancy));
    uint32_t base;
    int bits;
    if (!ec2_call_region(c) || ec2_network_ensure(c, NULL, NULL))
        return -1;
    if (!cidr)
        return call_fail(c, 400, "MissingParameter",
                         "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided."); /* [obs] */
    if (cidr_parse(cidr, &base, &bits) || bits < 16 || bits > 28)
        return call_fail(c, 400, "InvalidVpc.Range", "The CIDR '%s' is invalid.", cidr); /* [obs] */
    const json_t *tags = NULL;
    static const char *const tag_types[] = {"vpc", NULL};
    if (ec2_tag_specs(c, in, tag_types, "vpc", &tags) || ec2_dry_run(c, in))
        return -1;
    char id[32], assoc[40], rtb[32], sg[32], rassoc[40];
    json_t *dv = NULL;
    char dvpc[32];
    if (ec2_network_ensure(c, dvpc, NULL) || ec2_net_get(c, "vpc", dvpc, &dv) < 0)
        return -1;
    ec2_new_id("vpc", id, sizeof(id));
    ec2_new_id("vpc-cidr-assoc", assoc, sizeof(assoc));
    json_t *doc = json_pack(
        "{s:s, s:s, s:[{s:s, s:s, s:{s:s}}], s:b, s:s, s:s, s:s, s:O, s:{s:s}}", "OwnerId",
        c->account, "InstanceTenancy", ten ? ten : "default", "CidrBlockAssociationSet",
        "AssociationId", assoc, "CidrBlock", cidr, "CidrBlockState", "State", "associated",
        "IsDefault", false, "VpcId", id, "State", "available", "CidrBlock", cidr, "DhcpOptionsId",
        json_object_get(dv, "DhcpOptionsId") ? json_object_get(dv, "DhcpOptionsId")
                                             : json_string("default"),
        "BlockPublicAccessStates", "InternetGatewayBlockMode", "off");
    json_decref(dv);
    json_object_set_new(doc, "_dns_support", json_true());
    json_object_set_new(doc, "_dns_hostnames", json_false());
    /* the main route table */
    ec2_new_id("rtb", rtb, sizeof(rtb));
    ec2_new_id("rtbassoc", rassoc, sizeof(rassoc));
    json_t *rt = route_table_doc(c, rtb, id, cidr);
    json_array_append_new(json_object_get(rt, "Associations"),
                          json_pack("{s:b, s:s, s:s, s:{s:s}}", "Main", true,
                                    "RouteTableAssociationId", rassoc, "RouteTableId", rtb,
                                    "AssociationState", "State", "associated"));
    /* the default security group: from itself in, everything out [doc] */
    ec2_new_id("sg", sg, sizeof(sg));
    json_t *g = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:[{s:s, s:s}], s:[], s:[], s:[]}],"
        " s:[{s:s, s:[{s:s}], s:[], s:[], s:[]}]}",
        "GroupId", sg, "GroupName", "default", "Description", "default VPC security group",
        "OwnerId", c->account, "VpcId", id, "SecurityGroupArn",
        arena_printf(c->a, "arn:aws:ec2:%s:%s:security-group/%s", c->region, c->account, sg),
        "IpPermissions", "IpProtocol", "-1", "UserIdGroupPairs", "UserId", c->account, "GroupId",
        sg, "IpRanges", "Ipv6Ranges", "PrefixListIds", "IpPermissionsEgress", "IpProtocol", "-1",
        "IpRanges", "CidrIp", "0.0.0.0/0", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs");
    int rc = ec2_net_put(c, "vpc", id, doc) || ec2_net_put(c, "route-table", rtb, rt) ||
                     ec2_net_put(c, "security-group", sg, g) ||
                     ec2_sg_rules_from_doc(c, sg, g) ||
                     (tags && ec2_tags_put(c, id, "vpc", tags))
                 ? -1
                 : 0;
    if (rc == 0)
        out_doc(c, o, "Vpc", doc, id);
    json_decref(doc);
    json_decref(rt);
    json_decref(g);
    return rc;
}

static int vpc_load(struct call *c, const char *id, json_t **doc)
{
    if (ec2_network_ensure(c, NULL, NULL) || ec2_vpc_check(c, id))
        return -1;
    return ec2_net_get(c, "vpc", id, doc);
}

/* DeleteVpc: no subnets, gateways, other route tables or groups left. */
int ec2_delete_vpc(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_VpcId));
    json_t *doc;
    if (!ec2_call_region(c) || vpc_load(c, id, &doc))
        return -1;
    json_decref(doc);
    json_t *subnets = net_rows(c, "subnet", id), *rts = net_rows(c, "route-table", id),
           *sgs = net_rows(c, "security-group", id);
    bool deps = json_array_size(subnets) > 0 || json_array_size(sgs) > 1;
    size_t i;
    json_t *r;
    json_array_foreach(rts, i, r)
    {
        bool main = false;
        size_t j;
        json_t *a;
        json_array_foreach(json_object_get(r, "Associations"), j, a) main |=
            json_is_true(json_object_get(a, "Main"));
        deps |= !main;
    }
    json_t *igws = net_rows(c, "internet-gateway", NULL);
    json_array_foreach(igws, i, r)
    {
        const json_t *att = json_array_get(json_object_get(r, "Attachments"), 0);
        deps |= str_eq(json_string_value(json_object_get(att, "VpcId")), id);
    }
    int rc = -1;
    if (deps) {
        call_fail(c, 400, "DependencyViolation",
                  "The vpc '%s' has dependencies and cannot be deleted.", id); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    json_array_foreach(rts, i, r) if (ec2_net_del(c, json_string_value(json_object_get(
                                          r, "RouteTableId")))) goto out;
    json_array_foreach(sgs, i, r)
    {
        const char *gid = json_string_value(json_object_get(r, "GroupId"));
        sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_sg_rules WHERE group_id = ?1");
        sqlite3_bind_text(s, 1, gid, -1, SQLITE_TRANSIENT);
        sqlite3_step(s);
        sqlite3_reset(s);
        if (ec2_net_del(c, gid))
            goto out;
    }
    rc = ec2_net_del(c, id);
out:
    json_decref(subnets);
    json_decref(rts);
    json_decref(sgs);
    json_decref(igws);
    return rc;
}

/* ModifyVpcAttribute: EnableDnsSupport / EnableDnsHostnames (recorded). */
int ec2_modify_vpc_attribute(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_VpcId));
    json_t *doc;
    if (!ec2_call_region(c) || vpc_load(c, id, &doc))
        return -1;
    const json_t *s = json_object_get(in, EC2_IN_EnableDnsSupport);
    const json_t *h = json_object_get(in, EC2_IN_EnableDnsHostnames);
    if (s)
        json_object_set_new(doc, "_dns_support", json_boolean(json_is_true(json_object_get(s, "Value"))));
    if (h)
        json_object_set_new(doc, "_dns_hostnames",
                            json_boolean(json_is_true(json_object_get(h, "Value"))));
    int rc = ec2_net_put(c, "vpc", id, doc);
    json_decref(doc);
    return rc;
}

/* CreateSubnet: a block inside the VPC's, /16../28, not overlapping another subnet. */
int ec2_create_subnet(struct call *c, const json_t *in, struct out *o)
{
    const char *vpc = json_string_value(json_object_get(in, EC2_IN_VpcId));
    const char *cidr = json_string_value(json_object_get(in, EC2_IN_CidrBlock));
    const char *az = json_string_value(json_object_get(in, EC2_IN_AvailabilityZone));
    const char *azid = json_string_value(json_object_get(in, EC2_IN_AvailabilityZoneId));
    json_t *vd;
    const struct ec2_region *reg = ec2_call_region(c);
    if (!reg || vpc_load(c, vpc, &vd))
        return -1;
    uint32_t vb, b;
    int vn, n;
    cidr_parse(json_string_value(json_object_get(vd, "CidrBlock")), &vb, &vn);
    json_decref(vd);
    if (!cidr)
        return call_fail(c, 400, "MissingParameter",
                         "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided."); /* inferred */
    if (cidr_parse(cidr, &b, &n) || n < 16 || n > 28 || !cidr_inside(b, n, vb, vn))
        return call_fail(c, 400, "InvalidSubnet.Range", "The CIDR '%s' is invalid.",
                         cidr); /* [obs] */
    json_t *others = net_rows(c, "subnet", vpc);
    size_t i;
    json_t *s;
    json_array_foreach(others, i, s)
    {
        uint32_t ob;
        int on;
        if (cidr_parse(json_string_value(json_object_get(s, "CidrBlock")), &ob, &on) == 0 &&
            cidr_overlap(b, n, ob, on)) {
            json_decref(others);
            return call_fail(c, 400, "InvalidSubnet.Conflict",
                             "The CIDR '%s' conflicts with another subnet", cidr); /* [obs] */
        }
    }
    json_decref(others);
    struct ec2_zone z;
    if (azid && !az) {
        if (ec2_zone_find_id(azid, &z) || !str_eq(z.region->name, c->region))
            return call_fail(c, 400, "InvalidParameterValue",
                             "Value (%s) for parameter availabilityZoneId is invalid. Subnets can "
                             "currently only be created in the following availability zones: %s.",
                             azid, c->region); /* inferred */
    } else if (az) {
        if (ec2_zone_find(az, &z) || !str_eq(z.region->name, c->region))
            return call_fail(c, 400, "InvalidParameterValue",
                             "Value (%s) for parameter availabilityZone is invalid. Subnets can "
                             "currently only be created in the following availability zones: %s.",
                             az, c->region); /* [obs] */
    } else {
        ec2_zone_at(reg, 0, &z); /* AWS picks one (inferred: the first) */
    }
    const json_t *tags = NULL;
    static const char *const tag_types[] = {"subnet", NULL};
    if (ec2_tag_specs(c, in, tag_types, "subnet", &tags) || ec2_dry_run(c, in))
        return -1;
    char id[32];
    ec2_new_id("subnet", id, sizeof(id));
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:s, s:s, s:s, s:b, s:[], s:s, s:b, s:b,"
        " s:{s:s, s:b, s:b}, s:{s:s}, s:I, s:i}",
        "AvailabilityZone", z.name, "AvailabilityZoneId", z.id, "CidrBlock", cidr, "DefaultForAz",
        false, "MapPublicIpOnLaunch", false, "MapCustomerOwnedIpOnLaunch", false, "State",
        "available", "SubnetId", id, "VpcId", vpc, "OwnerId", c->account,
        "AssignIpv6AddressOnCreation", false, "Ipv6CidrBlockAssociationSet", "SubnetArn",
        arena_printf(c->a, "arn:aws:ec2:%s:%s:subnet/%s", c->region, c->account, id),
        "EnableDns64", false, "Ipv6Native", false, "PrivateDnsNameOptionsOnLaunch",
        "HostnameType", "ip-name", "EnableResourceNameDnsARecord", false,
        "EnableResourceNameDnsAAAARecord", false, "BlockPublicAccessStates",
        "InternetGatewayBlockMode", "off", "_base", (json_int_t)b, "_prefix", n);
    int rc = ec2_net_put(c, "subnet", id, doc) || (tags && ec2_tags_put(c, id, "subnet", tags))
                 ? -1
                 : 0;
    if (rc == 0) {
        out_begin(o, "Subnet");
        ec2_out_members(o, doc);
        out_int(o, "AvailableIpAddressCount", ((int64_t)1 << (32 - n)) - 5);
        if (tags)
            out_json(o, "Tags", tags);
        out_end(o);
    }
    json_decref(doc);
    return rc;
}

static int subnet_load(struct call *c, const char *id, json_t **doc)
{
    if (!ec2_id_ok(id, "subnet"))
        return call_fail(c, 400, "InvalidSubnetID.Malformed",
                         "Invalid id: \"%s\" (expecting \"subnet-...\")", id ? id : "");
    if (ec2_network_ensure(c, NULL, NULL))
        return -1;
    int rc = ec2_net_get(c, "subnet", id, doc);
    if (rc == 1)
        return call_fail(c, 400, "InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist",
                         id); /* [obs] */
    return rc;
}

/* DeleteSubnet: no live instance or network interface in it. */
int ec2_delete_subnet(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_SubnetId));
    json_t *doc;
    if (!ec2_call_region(c) || subnet_load(c, id, &doc))
        return -1;
    json_decref(doc);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT 1 FROM ec2_instances WHERE region = ?1 AND"
                                        " state != 48 AND json_extract(doc, '$.SubnetId') = ?2"
                                        " UNION ALL SELECT 1 FROM ec2_enis WHERE subnet_id = ?2");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
    bool used = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    if (used)
        return call_fail(c, 400, "DependencyViolation",
                         "The subnet '%s' has dependencies and cannot be deleted.", id); /* [obs] */
    if (ec2_dry_run(c, in))
        return -1;
    /* its route table associations go with it */
    json_t *rts = net_rows(c, "route-table", NULL);
    size_t i;
    json_t *r;
    json_array_foreach(rts, i, r)
    {
        json_t *as = json_object_get(r, "Associations");
        for (size_t j = json_array_size(as); j-- > 0;)
            if (str_eq(json_string_value(json_object_get(json_array_get(as, j), "SubnetId")), id))
                json_array_remove(as, j);
        if (ec2_net_put(c, "route-table", json_string_value(json_object_get(r, "RouteTableId")),
                        r)) {
            json_decref(rts);
            return -1;
        }
    }
    json_decref(rts);
    return ec2_net_del(c, id);
}

/* ModifySubnetAttribute: MapPublicIpOnLaunch. */
int ec2_modify_subnet_attribute(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_SubnetId));
    json_t *doc;
    if (!ec2_call_region(c) || subnet_load(c, id, &doc))
        return -1;
    const json_t *m = json_object_get(in, EC2_IN_MapPublicIpOnLaunch);
    if (m)
        json_object_set_new(doc, "MapPublicIpOnLaunch",
                            json_boolean(json_is_true(json_object_get(m, "Value"))));
    int rc = ec2_net_put(c, "subnet", id, doc);
    json_decref(doc);
    return rc;
}

/* ---------------------------------------------------------------- route tables */

static int rt_load(struct call *c, const char *id, json_t **doc)
{
    if (!ec2_id_ok(id, "rtb"))
        return call_fail(c, 400, "InvalidRouteTableID.Malformed",
                         "Invalid id: \"%s\" (expecting \"rtb-...\")", id ? id : "");
    int rc = ec2_net_get(c, "route-table", id, doc);
    if (rc == 1)
        return call_fail(c, 400, "InvalidRouteTableID.NotFound",
                         "The routeTable ID '%s' does not exist", id); /* [obs] */
    return rc;
}

int ec2_create_route_table(struct call *c, const json_t *in, struct out *o)
{
    const char *vpc = json_string_value(json_object_get(in, EC2_IN_VpcId));
    json_t *vd;
    if (!ec2_call_region(c) || vpc_load(c, vpc, &vd))
        return -1;
    const json_t *tags = NULL;
    static const char *const tag_types[] = {"route-table", NULL};
    if (ec2_tag_specs(c, in, tag_types, "route-table", &tags) || ec2_dry_run(c, in)) {
        json_decref(vd);
        return -1;
    }
    char id[32];
    ec2_new_id("rtb", id, sizeof(id));
    json_t *doc = route_table_doc(c, id, vpc, json_string_value(json_object_get(vd, "CidrBlock")));
    json_decref(vd);
    int rc = ec2_net_put(c, "route-table", id, doc) ||
                     (tags && ec2_tags_put(c, id, "route-table", tags))
                 ? -1
                 : 0;
    if (rc == 0)
        out_doc(c, o, "RouteTable", doc, id);
    json_decref(doc);
    return rc;
}

int ec2_delete_route_table(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_RouteTableId));
    json_t *doc;
    if (!ec2_call_region(c) || rt_load(c, id, &doc))
        return -1;
    bool assoc = json_array_size(json_object_get(doc, "Associations")) > 0;
    json_decref(doc);
    if (assoc)
        return call_fail(c, 400, "DependencyViolation",
                         "The routeTable '%s' has dependencies and cannot be deleted.",
                         id); /* [obs] */
    return ec2_dry_run(c, in) ? -1 : ec2_net_del(c, id);
}

/* CreateRoute: to an attached internet gateway, an instance, a network interface or a NAT
 * gateway id (recorded). */
int ec2_create_route(struct call *c, const json_t *in, struct out *o)
{
    const char *id = json_string_value(json_object_get(in, EC2_IN_RouteTableId));
    const char *dest = json_string_value(json_object_get(in, EC2_IN_DestinationCidrBlock));
    const char *gw = json_string_value(json_object_get(in, EC2_IN_GatewayId));
    const char *inst = json_string_value(json_object_get(in, EC2_IN_InstanceId));
    const char *eni = json_string_value(json_object_get(in, EC2_IN_NetworkInterfaceId));
    const char *nat = json_string_value(json_object_get(in, EC2_IN_NatGatewayId));
    json_t *doc;
    uint32_t b;
    int n;
    if (!ec2_call_region(c) || rt_load(c, id, &doc))
        return -1;
    int rc = -1;
    if (!dest || cidr_parse(dest, &b, &n)) {
        call_fail(c, 400, "InvalidParameterValue",
                  "Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid "
                  "CIDR block.",
                  dest ? dest : ""); /* [obs] */
        goto out;
    }
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "Routes"), i, r)
    {
        if (str_eq(json_string_value(json_object_get(r, "DestinationCidrBlock")), dest)) {
            call_fail(c, 400, "RouteAlreadyExists",
                      "The route identified by %s already exists.", dest); /* [obs] */
            goto out;
        }
    }
    json_t *route = json_pack("{s:s, s:s, s:s}", "DestinationCidrBlock", dest, "Origin",
                              "CreateRoute", "State", "active");
    if (gw) {
        json_t *g = NULL;
        int gr = ec2_net_get(c, "internet-gateway", gw, &g);
        const char *att = json_string_value(
            json_object_get(json_array_get(json_object_get(g, "Attachments"), 0), "VpcId"));
        bool ok = gr == 0 && str_eq(att, json_string_value(json_object_get(doc, "VpcId")));
        json_decref(g);
        if (!ok) {
            json_decref(route);
            if (gr == 1)
                call_fail(c, 400, "InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist",
                          gw); /* [obs] */
            else
                call_fail(c, 400, "InvalidParameterValue",
                          "route table %s and network gateway %s belong to different networks",
                          id, gw); /* [obs] */
            goto out;
        }
        json_object_set_new(route, "GatewayId", json_string(gw));
    } else if (inst) {
        struct ec2_instance x;
        if (ec2_instance_find(c, inst, &x, NULL)) {
            json_decref(route);
            goto out;
        }
        json_object_set_new(route, "InstanceId", json_string(inst));
        json_object_set_new(route, "InstanceOwnerId", json_string(c->account));
    } else if (eni) {
        json_object_set_new(route, "NetworkInterfaceId", json_string(eni));
    } else if (nat) {
        json_object_set_new(route, "NatGatewayId", json_string(nat));
    } else {
        json_decref(route);
        call_fail(c, 400, "InvalidParameterCombination",
                  "The request must contain exactly one of gatewayId, natGatewayId, "
                  "networkInterfaceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, "
                  "transitGatewayId, localGatewayId, carrierGatewayId, vpcEndpointId, or "
                  "instanceId"); /* inferred */
        goto out;
    }
    if (ec2_dry_run(c, in)) {
        json_decref(route);
        goto out;
    }
    json_array_append_new(json_object_get(doc, "Routes"), route);
    if (ec2_net_put(c, "route-table", id, doc))
        goto out;
    out_bool(o, "Return", true);
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

int ec2_delete_route(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_RouteTableId));
    const char *dest = json_string_value(json_object_get(in, EC2_IN_DestinationCidrBlock));
    json_t *doc;
    if (!ec2_call_region(c) || rt_load(c, id, &doc))
        return -1;
    json_t *routes = json_object_get(doc, "Routes");
    int rc = -1;
    for (size_t i = 0; i < json_array_size(routes); i++) {
        json_t *r = json_array_get(routes, i);
        if (!str_eq(json_string_value(json_object_get(r, "DestinationCidrBlock")), dest) ||
            str_eq(json_string_value(json_object_get(r, "GatewayId")), "local"))
            continue;
        if (!ec2_dry_run(c, in)) {
            json_array_remove(routes, i);
            rc = ec2_net_put(c, "route-table", id, doc);
        }
        json_decref(doc);
        return rc;
    }
    json_decref(doc);
    return call_fail(c, 400, "InvalidRoute.NotFound",
                     "no route with destination-cidr-block %s in route table %s",
                     dest ? dest : "", id); /* [obs] */
}

int ec2_associate_route_table(struct call *c, const json_t *in, struct out *o)
{
    const char *id = json_string_value(json_object_get(in, EC2_IN_RouteTableId));
    const char *sub = json_string_value(json_object_get(in, EC2_IN_SubnetId));
    json_t *doc = NULL, *sd = NULL;
    int rc = -1;
    if (!ec2_call_region(c) || rt_load(c, id, &doc))
        return -1;
    if (!sub) {
        call_fail(c, 400, "MissingParameter",
                  "The request must contain the parameter subnetId"); /* inferred */
        goto out;
    }
    if (subnet_load(c, sub, &sd))
        goto out;
    if (!str_eq(json_string_value(json_object_get(sd, "VpcId")),
                json_string_value(json_object_get(doc, "VpcId")))) {
        call_fail(c, 400, "InvalidParameterValue",
                  "route table %s and subnet %s belong to different networks", id,
                  sub); /* [obs] */
        goto out;
    }
    json_t *rts = net_rows(c, "route-table", NULL);
    size_t i, j;
    json_t *r, *a;
    bool taken = false;
    json_array_foreach(rts, i, r) json_array_foreach(json_object_get(r, "Associations"), j, a)
        taken |= str_eq(json_string_value(json_object_get(a, "SubnetId")), sub);
    json_decref(rts);
    if (taken) {
        call_fail(c, 400, "Resource.AlreadyAssociated",
                  "the specified association for route table %s conflicts with an existing "
                  "association",
                  id); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    char assoc[40];
    ec2_new_id("rtbassoc", assoc, sizeof(assoc));
    json_array_append_new(json_object_get(doc, "Associations"),
                          json_pack("{s:b, s:s, s:s, s:s, s:{s:s}}", "Main", false,
                                    "RouteTableAssociationId", assoc, "RouteTableId", id,
                                    "SubnetId", sub, "AssociationState", "State", "associated"));
    if (ec2_net_put(c, "route-table", id, doc))
        goto out;
    out_str(o, "AssociationId", assoc);
    out_begin(o, "AssociationState");
    out_str(o, "State", "associated");
    out_end(o);
    rc = 0;
out:
    json_decref(doc);
    json_decref(sd);
    return rc;
}

int ec2_disassociate_route_table(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *assoc = json_string_value(json_object_get(in, EC2_IN_AssociationId));
    if (!ec2_call_region(c))
        return -1;
    json_t *rts = net_rows(c, "route-table", NULL);
    size_t i;
    json_t *r;
    int rc = 1;
    json_array_foreach(rts, i, r)
    {
        json_t *as = json_object_get(r, "Associations");
        for (size_t j = 0; rc == 1 && j < json_array_size(as); j++) {
            json_t *a = json_array_get(as, j);
            if (!str_eq(json_string_value(json_object_get(a, "RouteTableAssociationId")), assoc))
                continue;
            if (json_is_true(json_object_get(a, "Main"))) {
                rc = call_fail(c, 400, "InvalidParameterValue",
                               "cannot disassociate the main route table association %s",
                               assoc); /* [obs] */
                break;
            }
            if (ec2_dry_run(c, in)) {
                rc = -1;
                break;
            }
            json_array_remove(as, j);
            rc = ec2_net_put(c, "route-table",
                             json_string_value(json_object_get(r, "RouteTableId")), r);
        }
    }
    json_decref(rts);
    if (rc == 1)
        return call_fail(c, 400, "InvalidAssociationID.NotFound",
                         "The association ID '%s' does not exist", assoc ? assoc : ""); /* [obs] */
    return rc;
}

/* ---------------------------------------------------------------- internet gateways */

static int igw_load(struct call *c, const char *id, json_t **doc)
{
    if (!ec2_id_ok(id, "igw"))
        return call_fail(c, 400, "InvalidInternetGatewayID.Malformed",
                         "Invalid id: \"%s\" (expecting \"igw-...\")", id ? id : "");
    int rc = ec2_net_get(c, "internet-gateway", id, doc);
    if (rc == 1)
        return call_fail(c, 400, "InvalidInternetGatewayID.NotFound",
                         "The internetGateway ID '%s' does not exist", id); /* [obs] */
    return rc;
}

int ec2_create_internet_gateway(struct call *c, const json_t *in, struct out *o)
{
    const json_t *tags = NULL;
    static const char *const tag_types[] = {"internet-gateway", NULL};
    if (!ec2_call_region(c) || ec2_tag_specs(c, in, tag_types, "internet-gateway", &tags) ||
        ec2_dry_run(c, in))
        return -1;
    char id[32];
    ec2_new_id("igw", id, sizeof(id));
    json_t *doc = json_pack("{s:[], s:s, s:s}", "Attachments", "InternetGatewayId", id, "OwnerId",
                            c->account);
    int rc = ec2_net_put(c, "internet-gateway", id, doc) ||
                     (tags && ec2_tags_put(c, id, "internet-gateway", tags))
                 ? -1
                 : 0;
    if (rc == 0)
        out_doc(c, o, "InternetGateway", doc, id);
    json_decref(doc);
    return rc;
}

int ec2_delete_internet_gateway(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_InternetGatewayId));
    json_t *doc;
    if (!ec2_call_region(c) || igw_load(c, id, &doc))
        return -1;
    bool att = json_array_size(json_object_get(doc, "Attachments")) > 0;
    json_decref(doc);
    if (att)
        return call_fail(c, 400, "DependencyViolation",
                         "The internetGateway '%s' has dependencies and cannot be deleted.",
                         id); /* [obs] */
    return ec2_dry_run(c, in) ? -1 : ec2_net_del(c, id);
}

int ec2_attach_internet_gateway(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_InternetGatewayId));
    const char *vpc = json_string_value(json_object_get(in, EC2_IN_VpcId));
    json_t *doc, *vd;
    if (!ec2_call_region(c) || igw_load(c, id, &doc))
        return -1;
    int rc = -1;
    if (vpc_load(c, vpc, &vd))
        goto out;
    json_decref(vd);
    const json_t *att = json_array_get(json_object_get(doc, "Attachments"), 0);
    if (att) {
        call_fail(c, 400, "Resource.AlreadyAssociated",
                  "resource %s is already attached to network %s", id,
                  json_string_value(json_object_get(att, "VpcId"))); /* [obs] */
        goto out;
    }
    json_t *igws = net_rows(c, "internet-gateway", NULL);
    size_t i;
    json_t *g;
    bool has = false;
    json_array_foreach(igws, i, g) has |= str_eq(
        json_string_value(json_object_get(json_array_get(json_object_get(g, "Attachments"), 0),
                                          "VpcId")),
        vpc);
    json_decref(igws);
    if (has) {
        call_fail(c, 400, "InvalidParameterValue",
                  "Network %s already has an internet gateway attached", vpc); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    json_array_append_new(json_object_get(doc, "Attachments"),
                          json_pack("{s:s, s:s}", "State", "available", "VpcId", vpc));
    rc = ec2_net_put(c, "internet-gateway", id, doc);
out:
    json_decref(doc);
    return rc;
}

int ec2_detach_internet_gateway(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id = json_string_value(json_object_get(in, EC2_IN_InternetGatewayId));
    const char *vpc = json_string_value(json_object_get(in, EC2_IN_VpcId));
    json_t *doc;
    if (!ec2_call_region(c) || igw_load(c, id, &doc))
        return -1;
    const json_t *att = json_array_get(json_object_get(doc, "Attachments"), 0);
    int rc = -1;
    if (!att || !str_eq(json_string_value(json_object_get(att, "VpcId")), vpc)) {
        call_fail(c, 400, "Gateway.NotAttached", "resource %s is not attached to network %s", id,
                  vpc ? vpc : ""); /* [obs] */
    } else if (!ec2_dry_run(c, in)) {
        json_array_clear(json_object_get(doc, "Attachments"));
        rc = ec2_net_put(c, "internet-gateway", id, doc);
    }
    json_decref(doc);
    return rc;
}

/* Describe of route tables and internet gateways: ids (unknown ones fail), filters. */
static int describe_kind(struct call *c, const json_t *in, struct out *o, const char *kind,
                         const char *ids_member, const char *id_member, const char *list,
                         int (*load)(struct call *, const char *, json_t **),
                         const char *const *filters)
{
    if (!ec2_call_region(c) || ec2_check_filters(c, in, filters) ||
        ec2_network_ensure(c, NULL, NULL))
        return -1;
    const json_t *ids = json_object_get(in, ids_member);
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        json_t *d;
        if (load(c, json_string_value(e), &d))
            return -1;
        json_decref(d);
    }
    if (ec2_dry_run(c, in))
        return -1;
    json_t *rows = net_rows(c, kind, NULL);
    out_begin(o, list);
    json_t *d;
    json_array_foreach(rows, i, d)
    {
        const char *id = json_string_value(json_object_get(d, id_member));
        if (json_array_size(ids) && !wire_list_has(ids, id))
            continue;
        json_t *f = json_pack("{s:s, s:s}", str_eq(kind, "route-table") ? "route-table-id"
                                                                         : "internet-gateway-id",
                              id, "owner-id", c->account);
        if (json_object_get(d, "VpcId"))
            json_object_set(f, "vpc-id", json_object_get(d, "VpcId"));
        json_t *sub = json_array(), *rid = json_array(), *gw = json_array(), *main = json_array(),
               *att = json_array();
        size_t j;
        json_t *x;
        json_array_foreach(json_object_get(d, "Associations"), j, x)
        {
            if (json_object_get(x, "SubnetId"))
                json_array_append(sub, json_object_get(x, "SubnetId"));
            json_array_append(rid, json_object_get(x, "RouteTableAssociationId"));
            json_array_append_new(main, json_string(json_is_true(json_object_get(x, "Main"))
                                                        ? "true"
                                                        : "false"));
        }
        json_array_foreach(json_object_get(d, "Routes"), j, x) if (json_object_get(x, "GatewayId"))
            json_array_append(gw, json_object_get(x, "GatewayId"));
        json_array_foreach(json_object_get(d, "Attachments"), j, x)
            json_array_append(att, json_object_get(x, "VpcId"));
        json_object_set_new(f, "association.subnet-id", sub);
        json_object_set_new(f, "association.route-table-association-id", rid);
        json_object_set_new(f, "association.main", main);
        json_object_set_new(f, "route.gateway-id", gw);
        json_object_set_new(f, "attachment.vpc-id", att);
        json_t *tags = ec2_tags_get(c->st, id);
        bool ok = ec2_filters_match(in, f, tags);
        json_decref(f);
        json_decref(tags);
        if (ok)
            out_doc(c, o, NULL, d, id);
    }
    out_end(o);
    json_decref(rows);
    return 0;
}

int ec2_describe_route_tables(struct call *c, const json_t *in, struct out *o)
{
    static const char *const f[] = {"route-table-id",
                                    "vpc-id",
                                    "owner-id",
                                    "association.subnet-id",
                                    "association.route-table-association-id",
                                    "association.main",
                                    "route.gateway-id",
                                    "tag:",
                                    "tag-key",
                                    "tag-value",
                                    NULL};
    return describe_kind(c, in, o, "route-table", EC2_IN_RouteTableIds, "RouteTableId",
                         "RouteTables", rt_load, f);
}

int ec2_describe_internet_gateways(struct call *c, const json_t *in, struct out *o)
{
    static const char *const f[] = {"internet-gateway-id", "attachment.vpc-id", "owner-id",
                                    "tag:", "tag-key", "tag-value", NULL};
    return describe_kind(c, in, o, "internet-gateway", EC2_IN_InternetGatewayIds,
                         "InternetGatewayId", "InternetGateways", igw_load, f);
}
