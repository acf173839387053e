/*
 * vpc.c — the default network of each region and the three operations that show it:
 * DescribeVpcs, DescribeSubnets, DescribeSecurityGroups. Also the address plan instances use.
 *
 * Every region gets, on first use, what AWS gives a new account [doc] (EC2UG
 * default-vpc.md): a default VPC 172.31.0.0/16, one default subnet per Availability Zone
 * (a /20: 172.31.0.0/20, 172.31.16.0/20, ... in zone order), DefaultForAz and
 * MapPublicIpOnLaunch true, and the VPC's "default" security group (all traffic from the
 * group itself in, everything out). Rows live in ec2_network (kind vpc | subnet |
 * security-group) with the model-shaped document; members starting with '_' are ours.
 * A /20 offers 4091 addresses: AWS reserves the first four and the last [doc].
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

#define DEFAULT_VPC_CIDR "172.31.0.0/16"
#define SUBNET_PREFIX 20
#define SUBNET_USABLE 4091 /* 2^12 - 5 */

static int network_insert(struct call *c, const char *id, const char *kind, const json_t *doc)
{
    sqlite3_stmt *s =
        store_stmt(c->st, "INSERT INTO ec2_network(id, region, kind, doc) VALUES(?1, ?2, ?3, ?4)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, ec2_json_text(c, doc), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(c->st, "network insert");
}

/* Reads the id of the region's row of kind (the first one), 0 found, 1 none, -1 error. */
static int network_first(struct call *c, const char *kind, char id[32])
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT id FROM ec2_network WHERE region = ?1 AND kind = ?2"
                                        " ORDER BY id LIMIT 1");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(id, 32, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "network lookup");
    return rc == SQLITE_ROW ? 0 : 1;
}

static int create_defaults(struct call *c, const struct ec2_region *r)
{
    char vpc[32], sg[32], assoc[40], dopt[32];
    ec2_new_id("vpc", vpc, sizeof(vpc));
    ec2_new_id("sg", sg, sizeof(sg));
    ec2_new_id("vpc-cidr-assoc", assoc, sizeof(assoc));
    ec2_new_id("dopt", dopt, sizeof(dopt));
    json_t *v = json_pack(
        "{s:s, s:s, s:[{s:s, s:s, s:{s:s}}], s:b, s:s, s:s, s:s, s:s, s:{s:s}}", "OwnerId",
        c->account, "InstanceTenancy", "default", "CidrBlockAssociationSet", "AssociationId", assoc,
        "CidrBlock", DEFAULT_VPC_CIDR, "CidrBlockState", "State", "associated", "IsDefault", true,
        "VpcId", vpc, "State", "available", "CidrBlock", DEFAULT_VPC_CIDR, "DhcpOptionsId", dopt,
        "BlockPublicAccessStates", "InternetGatewayBlockMode", "off");
    int rc = network_insert(c, vpc, "vpc", v);
    json_decref(v);
    if (rc)
        return -1;

    size_t nz = ec2_zone_count(r);
    for (size_t i = 0; i < nz && i < 16; i++) {
        struct ec2_zone z;
        ec2_zone_at(r, i, &z);
        char id[32], cidr[24], arn[160];
        ec2_new_id("subnet", id, sizeof(id));
        snprintf(cidr, sizeof(cidr), "172.31.%zu.0/%d", i * 16, SUBNET_PREFIX);
        snprintf(arn, sizeof(arn), "arn:aws:ec2:%s:%s:subnet/%s", c->region, c->account, id);
        uint32_t base = (172u << 24) | (31u << 16) | ((uint32_t)(i * 16) << 8);
        json_t *s = json_pack(
            "{s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:s, s:s, s:s, s:b, s:[], s:s, s:b, s:b,"
            " s:{s:s, s:b, s:b}, s:{s:s}, s:I, s:i}",
            "AvailabilityZone", z.name, "AvailabilityZoneId", z.id, "CidrBlock", cidr,
            "DefaultForAz", true, "MapPublicIpOnLaunch", true, "MapCustomerOwnedIpOnLaunch", false,
            "State", "available", "SubnetId", id, "VpcId", vpc, "OwnerId", c->account,
            "AssignIpv6AddressOnCreation", false, "Ipv6CidrBlockAssociationSet", "SubnetArn", arn,
            "EnableDns64", false, "Ipv6Native", false, "PrivateDnsNameOptionsOnLaunch",
            "HostnameType", "ip-name", "EnableResourceNameDnsARecord", false,
            "EnableResourceNameDnsAAAARecord", false, "BlockPublicAccessStates",
            "InternetGatewayBlockMode", "off", "_base", (json_int_t)base, "_prefix", SUBNET_PREFIX);
        rc = network_insert(c, id, "subnet", s);
        json_decref(s);
        if (rc)
            return -1;
    }

    char sg_arn[160];
    snprintf(sg_arn, sizeof(sg_arn), "arn:aws:ec2:%s:%s:security-group/%s", c->region, c->account,
             sg);
    json_t *g = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s,"
        " s:[{s:s, s:[{s:s, s:s}], s:[], s:[], s:[]}], s:[{s:s, s:[{s:s}], s:[], s:[], s:[]}]}",
        "GroupId", sg, "GroupName", "default", "Description", "default VPC security group",
        "OwnerId", c->account, "VpcId", vpc, "SecurityGroupArn", sg_arn, "IpPermissions",
        "IpProtocol", "-1", "UserIdGroupPairs", "UserId", c->account, "GroupId", sg, "IpRanges",
        "Ipv6Ranges", "PrefixListIds", "IpPermissionsEgress", "IpProtocol", "-1", "IpRanges",
        "CidrIp", "0.0.0.0/0", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs");
    rc = network_insert(c, sg, "security-group", g);
    if (rc == 0)
        rc = ec2_sg_rules_from_doc(c, sg, g);
    json_decref(g);
    return rc;
}

int ec2_network_ensure(struct call *c, char vpc_id[32], char sg_id[32])
{
    const struct ec2_region *r = ec2_region_find(c->region);
    char id[32];
    if (!r)
        return call_fail(c, 401, "AuthFailure",
                         "AWS was not able to validate the provided access credentials");
    int rc = network_first(c, "vpc", id);
    if (rc < 0)
        return -1;
    if (rc == 1 && create_defaults(c, r))
        return -1;
    if (vpc_id && network_first(c, "vpc", vpc_id))
        return -1;
    if (sg_id && network_first(c, "security-group", sg_id))
        return -1;
    return 0;
}

static int subnet_from_doc(const json_t *d, struct ec2_subnet *out)
{
    memset(out, 0, sizeof(*out));
    const char *id = json_string_value(json_object_get(d, "SubnetId"));
    if (!id)
        return -1;
    snprintf(out->id, sizeof(out->id), "%s", id);
    snprintf(out->vpc_id, sizeof(out->vpc_id), "%s",
             json_string_value(json_object_get(d, "VpcId")));
    snprintf(out->az, sizeof(out->az), "%s",
             json_string_value(json_object_get(d, "AvailabilityZone")));
    snprintf(out->az_id, sizeof(out->az_id), "%s",
             json_string_value(json_object_get(d, "AvailabilityZoneId")));
    snprintf(out->cidr, sizeof(out->cidr), "%s",
             json_string_value(json_object_get(d, "CidrBlock")));
    out->base = (uint32_t)json_integer_value(json_object_get(d, "_base"));
    out->prefix = (int)json_integer_value(json_object_get(d, "_prefix"));
    out->map_public_ip = json_is_true(json_object_get(d, "MapPublicIpOnLaunch"));
    return 0;
}

/* A subnet row matching sql (?1 region, ?2 the key); 0 found, 1 none, -1 error. */
static int subnet_query(struct call *c, const char *sql, const char *key, struct ec2_subnet *out)
{
    sqlite3_stmt *s = store_stmt(c->st, sql);
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = 1;
    if (rc == SQLITE_ROW) {
        json_t *d = ec2_json_load((const char *)sqlite3_column_text(s, 0));
        ret = d && subnet_from_doc(d, out) == 0 ? 0 : -1;
        json_decref(d);
    } else if (rc != SQLITE_DONE) {
        ret = ec2_db_fail(c->st, "subnet lookup");
    }
    sqlite3_reset(s);
    return ret;
}

int ec2_subnet_default(struct call *c, const char *az, struct ec2_subnet *out)
{
    if (ec2_network_ensure(c, NULL, NULL))
        return -1;
    int rc = subnet_query(c,
                          "SELECT doc FROM ec2_network WHERE region = ?1 AND kind = 'subnet'"
                          " AND json_extract(doc, '$.AvailabilityZone') = ?2"
                          " AND json_extract(doc, '$.DefaultForAz')",
                          az, out);
    if (rc == 1)
        return call_fail(c, 400, "InvalidParameterValue", "Invalid availability zone: [%s]", az);
    return rc;
}

/* Live instances holding an address in an AZ: with one (default) subnet per AZ, those of
 * its subnet. */
static int64_t az_used(struct call *c, const char *az)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT count(*) FROM ec2_instances WHERE region = ?1"
                                        " AND az = ?2 AND state != 48 AND private_ip IS NOT NULL");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, az, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    int64_t used = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    return used;
}

int64_t ec2_subnet_free(struct call *c, const struct ec2_subnet *sn)
{
    int64_t used = az_used(c, sn->az);
    return used < 0 ? -1 : ((int64_t)1 << (32 - sn->prefix)) - 5 - used;
}

int ec2_subnet_auto(struct call *c, int64_t count, struct ec2_subnet *out)
{
    const struct ec2_region *r = ec2_region_find(c->region);
    struct ec2_zone z;
    if (!r)
        return call_fail(c, 401, "AuthFailure",
                         "AWS was not able to validate the provided access credentials");
    size_t nz = ec2_zone_count(r);
    for (size_t i = 0; i < nz; i++) {
        ec2_zone_at(r, i, &z);
        int64_t used = az_used(c, z.name);
        if (used < 0)
            return ec2_db_fail(c->st, "address count");
        if (used + count <= SUBNET_USABLE || i + 1 == nz)
            return ec2_subnet_default(c, z.name, out);
    }
    return ec2_subnet_default(c, "", out);
}

int ec2_subnet_get(struct call *c, const char *subnet_id, struct ec2_subnet *out)
{
    if (ec2_network_ensure(c, NULL, NULL))
        return -1;
    return subnet_query(c,
                        "SELECT doc FROM ec2_network WHERE region = ?1 AND kind = 'subnet'"
                        " AND id = ?2",
                        subnet_id, out);
}

static void ip_text(uint32_t a, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static int ip_parse(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (!s || inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

/* 1 when an instance of the region (not terminated) holds the private address. */
static int private_ip_used(struct call *c, const char *ip)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT 1 FROM ec2_instances WHERE region = ?1"
                                        " AND private_ip = ?2 AND state != 48 UNION ALL"
                                        " SELECT 1 FROM ec2_enis WHERE region = ?1 AND"
                                        " json_extract(doc, '$.PrivateIpAddress') = ?2");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, ip, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "address lookup");
    return rc == SQLITE_ROW;
}

int ec2_ip_alloc(struct call *c, const struct ec2_subnet *sn, const char *want, char ip[16])
{
    uint32_t size = 1u << (32 - sn->prefix);
    if (want) {
        uint32_t a;
        if (ip_parse(want, &a))
            return call_fail(c, 400, "InvalidParameterValue",
                             "Invalid value '%s' for privateIpAddress.", want); /* inferred */
        if ((a & ~(size - 1)) != sn->base || (a - sn->base) < 4 || (a - sn->base) == size - 1)
            return call_fail(c, 400, "InvalidParameterValue",
                             "Address %s does not fall within the subnet's address range",
                             want); /* [obs] */
        ip_text(a, ip);
        int used = private_ip_used(c, ip);
        if (used < 0)
            return -1;
        if (used)
            return call_fail(c, 400, "InvalidIPAddress.InUse", "Address %s is in use.",
                             ip); /* inferred */
        return 0;
    }
    uint32_t usable = size - 5, start;
    rand_bytes(&start, sizeof(start));
    for (uint32_t k = 0; k < usable; k++) {
        uint32_t a = sn->base + 4 + (start + k) % usable;
        ip_text(a, ip);
        int used = private_ip_used(c, ip);
        if (used < 0)
            return -1;
        if (!used)
            return 0;
    }
    return call_fail(c, 400, "InsufficientFreeAddressesInSubnet",
                     "There are not enough free addresses in subnet '%s' to satisfy the "
                     "requested number of instances.",
                     sn->id); /* [doc] */
}

int ec2_public_ip_alloc(struct call *c, char ip[16])
{
    static const unsigned char firsts[] = {3, 18, 34, 35, 44, 52, 54};
    for (int tries = 0; tries < 64; tries++) {
        unsigned char b[4];
        rand_bytes(b, sizeof(b));
        snprintf(ip, 16, "%u.%u.%u.%u", firsts[b[0] % sizeof(firsts)], b[1], b[2], 1 + b[3] % 254);
        sqlite3_stmt *s = store_stmt(c->st, "SELECT 1 FROM ec2_instances WHERE public_ip = ?1");
        sqlite3_bind_text(s, 1, ip, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            return 0;
        if (rc != SQLITE_ROW)
            return ec2_db_fail(c->st, "public address lookup");
    }
    return ec2_internal(c); /* inferred */
}

/* a.b.c.d -> a-b-c-d */
static void dashed(const char *ip, char out[16])
{
    size_t i;
    for (i = 0; ip[i] && i < 15; i++)
        out[i] = ip[i] == '.' ? '-' : ip[i];
    out[i] = 0;
}

void ec2_private_dns(const char *region, const char *ip, char *out, size_t cap)
{
    char d[16];
    dashed(ip, d);
    if (str_eq(region, "us-east-1"))
        snprintf(out, cap, "ip-%s.ec2.internal", d);
    else
        snprintf(out, cap, "ip-%s.%s.compute.internal", d, region);
}

void ec2_public_dns(const char *region, const char *ip, char *out, size_t cap)
{
    char d[16];
    dashed(ip, d);
    if (str_eq(region, "us-east-1"))
        snprintf(out, cap, "ec2-%s.compute-1.amazonaws.com", d);
    else
        snprintf(out, cap, "ec2-%s.%s.compute.amazonaws.com", d, region);
}

/* The security group row's name (0), 1 not found in the region, -1 error. */
static int group_name(struct call *c, const char *id, char name[256])
{
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT json_extract(doc, '$.GroupName') FROM ec2_network"
                          " WHERE region = ?1 AND kind = 'security-group' AND id = ?2");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(name, 256, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "group lookup");
    return rc == SQLITE_ROW ? 0 : 1;
}

static void group_add(json_t *list, const char *id, const char *name)
{
    size_t i;
    const json_t *g;
    json_array_foreach(list, i, g)
    {
        if (str_eq(json_string_value(json_object_get(g, "GroupId")), id))
            return;
    }
    json_array_append_new(list, json_pack("{s:s, s:s}", "GroupId", id, "GroupName", name));
}

int ec2_groups_resolve(struct call *c, const json_t *ids, const json_t *names, json_t **out)
{
    char vpc[32], sg[32], name[256];
    *out = NULL;
    if (ec2_network_ensure(c, vpc, sg))
        return -1;
    json_t *list = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        const char *id = json_string_value(e);
        if (!ec2_id_ok(id, "sg")) {
            call_fail(c, 400, "InvalidGroupId.Malformed",
                      "Invalid id: \"%s\" (expecting \"sg-...\")", id ? id : ""); /* [obs] */
            goto fail;
        }
        int rc = group_name(c, id, name);
        if (rc) {
            if (rc > 0)
                call_fail(c, 400, "InvalidGroup.NotFound", "The security group '%s' does not exist",
                          id); /* [moto] */
            goto fail;
        }
        group_add(list, id, name);
    }
    json_array_foreach(names, i, e)
    {
        const char *n = json_string_value(e);
        char gid[32];
        int rc = n ? ec2_sg_by_name(c, vpc, n, gid) : 1;
        if (rc) {
            if (rc > 0)
                call_fail(c, 400, "InvalidGroup.NotFound",
                          "The security group '%s' does not exist in default VPC '%s'", n ? n : "",
                          vpc); /* [obs] */
            else
                ec2_internal(c);
            goto fail;
        }
        group_add(list, gid, n);
    }
    if (json_array_size(list) == 0)
        group_add(list, sg, "default");
    *out = list;
    return 0;
fail:
    json_decref(list);
    return -1;
}

/* ---------------- Describe* of the default network ---------------- */

struct describe_kind {
    const char *kind;       /* ec2_network.kind */
    const char *list;       /* output list member */
    const char *ids_member; /* request id list */
    const char *ids_param;  /* its wire name (InvalidParameterCombination) */
    const char *prefix;     /* id prefix */
    const char *malformed;  /* error code of a malformed id */
    const char *notfound;   /* error code and message format of unknown ids */
    const char *notfound_fmt;
    const char *const *filters;
};

static const char *const vpc_filters[] = {"cidr",
                                          "cidr-block-association.cidr-block",
                                          "cidr-block-association.association-id",
                                          "cidr-block-association.state",
                                          "dhcp-options-id",
                                          "ipv6-cidr-block-association.ipv6-cidr-block",
                                          "ipv6-cidr-block-association.ipv6-pool",
                                          "ipv6-cidr-block-association.association-id",
                                          "ipv6-cidr-block-association.state",
                                          "is-default",
                                          "owner-id",
                                          "state",
                                          "vpc-id",
                                          "tag:",
                                          "tag-key",
                                          "tag-value",
                                          NULL};

static const char *const subnet_filters[] = {
    "availability-zone",
    "availability-zone-id",
    "available-ip-address-count",
    "cidr",
    "cidr-block",
    "cidrBlock",
    "customer-owned-ipv4-pool",
    "default-for-az",
    "defaultForAz",
    "enable-dns64",
    "enable-lni-at-device-index",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.state",
    "ipv6-native",
    "map-customer-owned-ip-on-launch",
    "map-public-ip-on-launch",
    "outpost-arn",
    "owner-id",
    "private-dns-name-options-on-launch.hostname-type",
    "private-dns-name-options-on-launch.enable-resource-name-dns-a-record",
    "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record",
    "state",
    "subnet-arn",
    "subnet-id",
    "vpc-id",
    "tag:",
    "tag-key",
    "tag-value",
    NULL};

static const char *const group_filters[] = {"description",
                                            "egress.ip-permission.cidr",
                                            "egress.ip-permission.from-port",
                                            "egress.ip-permission.group-id",
                                            "egress.ip-permission.group-name",
                                            "egress.ip-permission.ipv6-cidr",
                                            "egress.ip-permission.prefix-list-id",
                                            "egress.ip-permission.protocol",
                                            "egress.ip-permission.to-port",
                                            "egress.ip-permission.user-id",
                                            "group-id",
                                            "group-name",
                                            "ip-permission.cidr",
                                            "ip-permission.from-port",
                                            "ip-permission.group-id",
                                            "ip-permission.group-name",
                                            "ip-permission.ipv6-cidr",
                                            "ip-permission.prefix-list-id",
                                            "ip-permission.protocol",
                                            "ip-permission.to-port",
                                            "ip-permission.user-id",
                                            "owner-id",
                                            "vpc-id",
                                            "tag:",
                                            "tag-key",
                                            "tag-value",
                                            NULL};

/* Filter facets of a network document. */
static json_t *network_facets(struct call *c, const char *kind, const json_t *d, int64_t avail)
{
    json_t *f = json_object();
    const char *owner = json_string_value(json_object_get(d, "OwnerId"));
    json_object_set_new(f, "owner-id", json_string(owner));
    json_object_set(f, "vpc-id", json_object_get(d, "VpcId"));
    if (str_eq(kind, "vpc")) {
        const json_t *a = json_array_get(json_object_get(d, "CidrBlockAssociationSet"), 0);
        json_object_set(f, "cidr", json_object_get(d, "CidrBlock"));
        json_object_set(f, "cidr-block-association.cidr-block", json_object_get(a, "CidrBlock"));
        json_object_set(f, "cidr-block-association.association-id",
                        json_object_get(a, "AssociationId"));
        json_object_set_new(f, "cidr-block-association.state", json_string("associated"));
        json_object_set(f, "dhcp-options-id", json_object_get(d, "DhcpOptionsId"));
        json_object_set(f, "is-default", json_object_get(d, "IsDefault"));
        json_object_set(f, "state", json_object_get(d, "State"));
    } else if (str_eq(kind, "subnet")) {
        json_object_set(f, "availability-zone", json_object_get(d, "AvailabilityZone"));
        json_object_set(f, "availability-zone-id", json_object_get(d, "AvailabilityZoneId"));
        json_object_set_new(f, "available-ip-address-count", json_integer(avail));
        json_object_set(f, "cidr", json_object_get(d, "CidrBlock"));
        json_object_set(f, "cidr-block", json_object_get(d, "CidrBlock"));
        json_object_set(f, "cidrBlock", json_object_get(d, "CidrBlock"));
        json_object_set(f, "default-for-az", json_object_get(d, "DefaultForAz"));
        json_object_set(f, "defaultForAz", json_object_get(d, "DefaultForAz"));
        json_object_set(f, "enable-dns64", json_object_get(d, "EnableDns64"));
        json_object_set(f, "ipv6-native", json_object_get(d, "Ipv6Native"));
        json_object_set(f, "map-customer-owned-ip-on-launch",
                        json_object_get(d, "MapCustomerOwnedIpOnLaunch"));
        json_object_set(f, "map-public-ip-on-launch", json_object_get(d, "MapPublicIpOnLaunch"));
        json_object_set_new(f, "private-dns-name-options-on-launch.hostname-type",
                            json_string("ip-name"));
        json_object_set(f, "state", json_object_get(d, "State"));
        json_object_set(f, "subnet-arn", json_object_get(d, "SubnetArn"));
        json_object_set(f, "subnet-id", json_object_get(d, "SubnetId"));
    } else {
        (void)c;
        json_object_set(f, "description", json_object_get(d, "Description"));
        json_object_set(f, "group-id", json_object_get(d, "GroupId"));
        json_object_set(f, "group-name", json_object_get(d, "GroupName"));
        ec2_sg_facets(d, f);
    }
    return f;
}

/* Addresses of a subnet still free: its size less 5 (4091 for a /20) minus those of its
 * live instances. */
static int64_t subnet_available(struct call *c, const char *subnet_id, int prefix)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT count(*) FROM ec2_instances WHERE region = ?1"
                                        " AND state != 48 AND private_ip IS NOT NULL"
                                        " AND json_extract(doc, '$.SubnetId') = ?2");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, subnet_id, -1, SQLITE_TRANSIENT);
    int64_t used = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return (prefix > 0 && prefix <= 28 ? ((int64_t)1 << (32 - prefix)) - 5 : SUBNET_USABLE) - used;
}

static int describe_network(struct call *c, const json_t *in, struct out *o,
                            const struct describe_kind *k, const json_t *names)
{
    int max;
    const char *after;
    if (ec2_check_filters(c, in, k->filters) ||
        ec2_max_results(c, in, 5, 1000, 1000000, k->ids_member, k->ids_param, &max) ||
        ec2_token_read(c, in, &after) || ec2_network_ensure(c, NULL, NULL))
        return -1;
    const json_t *ids = json_object_get(in, k->ids_member);
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        if (!ec2_id_ok(json_string_value(e), k->prefix))
            return call_fail(c, 400, k->malformed, "Invalid id: \"%s\" (expecting \"%s-...\")",
                             json_string_value(e), k->prefix);
    }
    /* unknown ids */
    json_array_foreach(ids, i, e)
    {
        sqlite3_stmt *s = store_stmt(c->st, "SELECT 1 FROM ec2_network WHERE region = ?1"
                                            " AND kind = ?2 AND id = ?3");
        sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, k->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, json_string_value(e), -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            return call_fail(c, 400, k->notfound, k->notfound_fmt, json_string_value(e));
        if (rc != SQLITE_ROW)
            return ec2_db_fail(c->st, "network lookup");
    }
    json_array_foreach(names, i, e)
    {
        char vpc[32], gid[32];
        if (ec2_network_ensure(c, vpc, NULL))
            return -1;
        int frc = ec2_sg_by_name(c, vpc, json_string_value(e), gid);
        if (frc < 0)
            return ec2_internal(c);
        if (frc)
            return call_fail(c, 400, "InvalidGroup.NotFound",
                             "The security group '%s' does not exist in default VPC '%s'",
                             json_string_value(e), vpc);
    }
    if (ec2_dry_run(c, in))
        return -1;
    char default_vpc[32];
    if (ec2_network_ensure(c, default_vpc, NULL))
        return -1;

    sqlite3_stmt *s = store_stmt(c->st, "SELECT id, doc FROM ec2_network WHERE region = ?1"
                                        " AND kind = ?2 AND (?3 IS NULL OR id > ?3) ORDER BY id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, k->kind, -1, SQLITE_STATIC);
    if (after)
        sqlite3_bind_text(s, 3, after, -1, SQLITE_TRANSIENT);
    /* collect first: the per-row queries below reuse cached statements */
    json_t *rows = ec2_json_rows(c->st, s, 1, "network describe");
    if (!rows)
        return -1;
    int n = 0;
    const char *last = NULL;
    bool more = false;
    out_begin(o, k->list);
    json_t *d;
    json_array_foreach(rows, i, d)
    {
        const char *id =
            json_string_value(json_object_get(d, str_eq(k->kind, "vpc")      ? "VpcId"
                                                 : str_eq(k->kind, "subnet") ? "SubnetId"
                                                                             : "GroupId"));
        if (json_array_size(ids) && !wire_list_has(ids, id))
            continue;
        if (json_array_size(names) &&
            (!wire_list_has(names, json_string_value(json_object_get(d, "GroupName"))) ||
             !str_eq(json_string_value(json_object_get(d, "VpcId")), default_vpc)))
            continue; /* GroupNames name groups of the default VPC [doc] */
        int64_t avail =
            str_eq(k->kind, "subnet")
                ? subnet_available(c, id, (int)json_integer_value(json_object_get(d, "_prefix")))
                : 0;
        json_t *tags = ec2_tags_get(c->st, id);
        json_t *facets = network_facets(c, k->kind, d, avail);
        bool ok = ec2_filters_match(in, facets, tags);
        json_decref(facets);
        if (!ok) {
            json_decref(tags);
            continue;
        }
        if (n == max) {
            json_decref(tags);
            more = true;
            break;
        }
        out_begin(o, NULL);
        ec2_out_members(o, d);
        if (str_eq(k->kind, "subnet"))
            out_int(o, "AvailableIpAddressCount", avail);
        if (json_array_size(tags))
            out_json(o, "Tags", tags);
        out_end(o);
        json_decref(tags);
        last = arena_strdup(c->a, id);
        n++;
    }
    out_end(o);
    json_decref(rows);
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
    return 0;
}

/* DescribeVpcs of the call's region (the default VPC): VpcIds, Filters, paging. */
int ec2_describe_vpcs(struct call *c, const json_t *in, struct out *o)
{
    static const struct describe_kind k = {"vpc",
                                           "Vpcs",
                                           EC2_M_DescribeVpcsRequest_VpcIds,
                                           "vpcSet",
                                           "vpc",
                                           "InvalidVpcID.Malformed",
                                           "InvalidVpcID.NotFound",
                                           "The vpc ID '%s' does not exist",
                                           vpc_filters};
    return ec2_call_region(c) ? describe_network(c, in, o, &k, NULL) : -1;
}

/* DescribeSubnets: the default subnets, one per AZ, with their free address counts. */
int ec2_describe_subnets(struct call *c, const json_t *in, struct out *o)
{
    static const struct describe_kind k = {"subnet",
                                           "Subnets",
                                           EC2_M_DescribeSubnetsRequest_SubnetIds,
                                           "subnetSet",
                                           "subnet",
                                           "InvalidSubnetID.Malformed",
                                           "InvalidSubnetID.NotFound",
                                           "The subnet ID '%s' does not exist",
                                           subnet_filters};
    return ec2_call_region(c) ? describe_network(c, in, o, &k, NULL) : -1;
}

/* DescribeSecurityGroups: the default VPC's "default" group; GroupIds, GroupNames, Filters. */
int ec2_describe_security_groups(struct call *c, const json_t *in, struct out *o)
{
    static const struct describe_kind k = {"security-group",
                                           "SecurityGroups",
                                           EC2_M_DescribeSecurityGroupsRequest_GroupIds,
                                           "groupIdSet",
                                           "sg",
                                           "InvalidGroupId.Malformed",
                                           "InvalidGroup.NotFound",
                                           "The security group '%s' does not exist",
                                           group_filters};
    return ec2_call_region(c)
               ? describe_network(
                     c, in, o, &k,
                     json_object_get(in, EC2_M_DescribeSecurityGroupsRequest_GroupNames))
               : -1;
}
