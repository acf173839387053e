/*
 * addresses.c — Elastic IP addresses (domain vpc): AllocateAddress, ReleaseAddress,
 * AssociateAddress, DisassociateAddress, DescribeAddresses.
 *
 * An associated address is the instance's public IPv4 address (its row's public_ip, the
 * document's "_eip" naming the allocation): it stays through a stop and a start and through
 * a recovery [doc: EC2UG ec2-instance-recover.md "A recovered instance is identical to the
 * original instance, including ... Elastic IP addresses"], and is disassociated when the
 * instance terminates. Disassociating gives the instance back a dynamic public address when
 * its launch had one (inferred from [doc: "If you disassociate an Elastic IP address ...
 * the instance is automatically assigned a new public IPv4 address"]).
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

#define EIP_LIMIT 5 /* Elastic IP addresses per region [doc: default quota] */

struct eip {
    char alloc[32], ip[16], assoc[40], instance[32], eni[32], private_ip[16];
};

static const char *col(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : "";
}

#define EIP_COLS "allocation_id, public_ip, association_id, instance_id, eni_id, private_ip"

static void eip_row(sqlite3_stmt *s, struct eip *e)
{
    snprintf(e->alloc, sizeof(e->alloc), "%s", col(s, 0));
    snprintf(e->ip, sizeof(e->ip), "%s", col(s, 1));
    snprintf(e->assoc, sizeof(e->assoc), "%s", col(s, 2));
    snprintf(e->instance, sizeof(e->instance), "%s", col(s, 3));
    snprintf(e->eni, sizeof(e->eni), "%s", col(s, 4));
    snprintf(e->private_ip, sizeof(e->private_ip), "%s", col(s, 5));
}

/* An address by column (allocation_id | public_ip | association_id | instance_id) of the
 * region: 0, 1 none, -1. */
static int eip_by(struct store *st, const char *region, const char *column, const char *v,
                  struct eip *e)
{
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT " EIP_COLS " FROM ec2_addresses WHERE (?1 IS NULL OR region = ?1)"
             " AND %s = ?2",
             column);
    sqlite3_stmt *s = store_stmt(st, sql);
    store_bind_text_or_null(s, 1, region);
    sqlite3_bind_text(s, 2, v, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        eip_row(s, e);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(st, "address lookup");
    return rc == SQLITE_ROW ? 0 : 1;
}

static int eip_set_assoc(struct store *st, const struct eip *e)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE ec2_addresses SET association_id = ?2,"
                                     " instance_id = ?3, eni_id = ?4, private_ip = ?5"
                                     " WHERE allocation_id = ?1");
    sqlite3_bind_text(s, 1, e->alloc, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 2, e->assoc);
    store_bind_nonempty_or_null(s, 3, e->instance);
    store_bind_nonempty_or_null(s, 4, e->eni);
    store_bind_nonempty_or_null(s, 5, e->private_ip);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(st, "address update");
}

int ec2_address_of_instance(struct store *st, const char *instance_id, char ip[16], char alloc[32])
{
    struct eip e;
    int rc = eip_by(st, NULL, "instance_id", instance_id, &e);
    if (rc == 0) {
        if (ip)
            snprintf(ip, 16, "%s", e.ip);
        if (alloc)
            snprintf(alloc, 32, "%s", e.alloc);
    }
    return rc;
}

int ec2_address_release_instance(struct store *st, const char *instance_id)
{
    struct eip e;
    int rc = eip_by(st, NULL, "instance_id", instance_id, &e);
    if (rc)
        return rc < 0 ? -1 : 0;
    e.assoc[0] = e.instance[0] = e.eni[0] = e.private_ip[0] = 0;
    return eip_set_assoc(st, &e);
}

/* Detaches the address from its instance: the instance's public address becomes a dynamic
 * one (when its launch had one) or none. */
static int instance_drop_eip(struct call *c, const char *instance_id)
{
    struct ec2_instance in;
    json_t *doc = NULL;
    int rc = ec2_instance_load(c, instance_id, &in, &doc);
    if (rc)
        return rc < 0 ? ec2_internal(c) : 0;
    json_object_del(doc, "_eip");
    in.public_ip[0] = 0;
    json_object_set_new(doc, "PublicDnsName", json_string(""));
    if (json_is_true(json_object_get(doc, "_public")) &&
        (in.state == EC2_RUNNING || in.state == EC2_PENDING)) {
        char dns[128];
        if (ec2_public_ip_alloc(c, in.public_ip)) {
            json_decref(doc);
            return -1;
        }
        ec2_public_dns(in.region, in.public_ip, dns, sizeof(dns));
        json_object_set_new(doc, "PublicDnsName", json_string(dns));
    }
    rc = ec2_instance_save(c, &in, doc);
    json_decref(doc);
    return rc;
}

static int ip_taken(struct call *c, const char *ip)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT 1 FROM ec2_addresses WHERE public_ip = ?1");
    sqlite3_bind_text(s, 1, ip, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW;
}

static const char *const eip_tag_types[] = {"elastic-ip", NULL};

/* AllocateAddress: a new address from Amazon's pool (domain vpc). */
int ec2_allocate_address(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c))
        return -1;
    const char *domain = json_string_value(json_object_get(in, EC2_IN_Domain));
    if (domain && !str_eq(domain, "vpc") && !str_eq(domain, "standard"))
        return call_fail(c, 400, "InvalidParameterValue",
                         "Value (%s) for parameter domain is invalid.", domain); /* inferred */
    if (json_object_get(in, EC2_IN_Address) || json_object_get(in, EC2_IN_PublicIpv4Pool) ||
        json_object_get(in, EC2_IN_IpamPoolId) || json_object_get(in, EC2_IN_CustomerOwnedIpv4Pool))
        return call_fail(c, 400, "InvalidParameterValue",
                         "Addresses from your own address pools are not supported by "
                         "recoverlab"); /* inferred */
    const json_t *tags = NULL;
    if (ec2_tag_specs(c, in, eip_tag_types, "elastic-ip", &tags))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT count(*) FROM ec2_addresses WHERE region = ?1");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (n >= EIP_LIMIT)
        return call_fail(c, 400, "AddressLimitExceeded",
                         "The maximum number of addresses has been reached."); /* [obs] */
    if (ec2_dry_run(c, in))
        return -1;
    char ip[16], alloc[32];
    for (int tries = 0;; tries++) {
        if (ec2_public_ip_alloc(c, ip))
            return -1;
        if (!ip_taken(c, ip))
            break;
        if (tries == 32)
            return ec2_internal(c);
    }
    ec2_new_id("eipalloc", alloc, sizeof(alloc));
    s = store_stmt(c->st, "INSERT INTO ec2_addresses(allocation_id, region, public_ip, created_ms)"
                          " VALUES(?1, ?2, ?3, ?4)");
    sqlite3_bind_text(s, 1, alloc, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, ip, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, c->now_ms);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return ec2_internal(c);
    if (tags && ec2_tags_put(c, alloc, "elastic-ip", tags))
        return -1;
    out_str(o, "AllocationId", alloc);
    out_str(o, "PublicIpv4Pool", "amazon");
    out_str(o, "NetworkBorderGroup", c->region);
    out_str(o, "Domain", "vpc");
    out_str(o, "PublicIp", ip);
    return 0;
}

/* The address a request names by AllocationId or PublicIp. */
static int eip_of_request(struct call *c, const json_t *in, struct eip *e)
{
    const char *alloc = json_string_value(json_object_get(in, EC2_IN_AllocationId));
    const char *ip = json_string_value(json_object_get(in, EC2_IN_PublicIp));
    if (!alloc && !ip)
        return call_fail(c, 400, "MissingParameter",
                         "Either public IP or allocation id must be specified"); /* [obs] */
    int rc = alloc ? eip_by(c->st, c->region, "allocation_id", alloc, e)
                   : eip_by(c->st, c->region, "public_ip", ip, e);
    if (rc < 0)
        return ec2_internal(c);
    if (rc == 1 && alloc)
        return call_fail(c, 400, "InvalidAllocationID.NotFound",
                         "The allocation ID '%s' does not exist", alloc); /* [obs] */
    if (rc == 1)
        return call_fail(c, 400, "InvalidAddress.NotFound", "Address '%s' not found.",
                         ip); /* [obs] */
    return 0;
}

/* ReleaseAddress: the address must not be associated. */
int ec2_release_address(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct eip e;
    if (!ec2_call_region(c) || eip_of_request(c, in, &e))
        return -1;
    if (e.assoc[0])
        return call_fail(c, 400, "InvalidIPAddress.InUse",
                         "Address %s is in use.", e.ip); /* inferred */
    if (ec2_dry_run(c, in))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_addresses WHERE allocation_id = ?1");
    sqlite3_bind_text(s, 1, e.alloc, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE || ec2_tags_drop(c->st, e.alloc))
        return ec2_internal(c);
    return 0;
}

/*
 * AssociateAddress with an instance (InstanceId) or its primary network interface
 * (NetworkInterfaceId): the instance's public address becomes the Elastic IP. An address
 * already associated moves only with AllowReassociation; an instance's previous Elastic IP
 * is disassociated [doc].
 */
int ec2_associate_address(struct call *c, const json_t *in, struct out *o)
{
    struct eip e;
    if (!ec2_call_region(c) || eip_of_request(c, in, &e))
        return -1;
    const char *iid = json_string_value(json_object_get(in, EC2_IN_InstanceId));
    const char *eni = json_string_value(json_object_get(in, EC2_IN_NetworkInterfaceId));
    if (!iid && !eni)
        return call_fail(c, 400, "MissingParameter",
                         "Either instance ID or network interface ID must be specified"); /* inferred */
    if (!iid) {
        /* a network interface: the instance it is the primary interface of */
        sqlite3_stmt *s = store_stmt(c->st, "SELECT id FROM ec2_instances WHERE region = ?1"
                                            " AND json_extract(doc, '$._eni') = ?2");
        sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, eni, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            iid = arena_strdup(c->a, col(s, 0));
        sqlite3_reset(s);
        if (!iid)
            return call_fail(c, 400, "InvalidNetworkInterfaceID.NotFound",
                             "The networkInterface ID '%s' does not exist", eni); /* [obs] */
    }
    struct ec2_instance inst;
    json_t *doc = NULL;
    if (ec2_instance_find(c, iid, &inst, &doc))
        return -1;
    int rc = -1;
    if (inst.state != EC2_RUNNING && inst.state != EC2_STOPPED) {
        call_fail(c, 400, "IncorrectInstanceState",
                  "The instance '%s' is not in a valid state for this operation.",
                  iid); /* [obs] */
        goto out;
    }
    if (e.assoc[0] && !str_eq(e.instance, iid) &&
        !json_is_true(json_object_get(in, EC2_IN_AllowReassociation))) {
        call_fail(c, 400, "Resource.AlreadyAssociated",
                  "resource %s is already associated with associate-id %s", e.alloc,
                  e.assoc); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    if (e.instance[0] && !str_eq(e.instance, iid) && instance_drop_eip(c, e.instance))
        goto out;
    struct eip prev;
    int pr = eip_by(c->st, c->region, "instance_id", iid, &prev);
    if (pr == 0 && !str_eq(prev.alloc, e.alloc)) {
        prev.assoc[0] = prev.instance[0] = prev.eni[0] = prev.private_ip[0] = 0;
        if (eip_set_assoc(c->st, &prev))
            goto out;
    }
    ec2_new_id("eipassoc", e.assoc, sizeof(e.assoc));
    snprintf(e.instance, sizeof(e.instance), "%s", iid);
    snprintf(e.eni, sizeof(e.eni), "%s", json_string_value(json_object_get(doc, "_eni")));
    snprintf(e.private_ip, sizeof(e.private_ip), "%s", inst.private_ip);
    if (eip_set_assoc(c->st, &e))
        goto out;
    char dns[128];
    snprintf(inst.public_ip, sizeof(inst.public_ip), "%s", e.ip);
    ec2_public_dns(inst.region, e.ip, dns, sizeof(dns));
    json_object_set_new(doc, "PublicDnsName", json_string(dns));
    json_object_set_new(doc, "_eip", json_string(e.alloc));
    if (ec2_instance_save(c, &inst, doc))
        goto out;
    out_str(o, "AssociationId", e.assoc);
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

/* DisassociateAddress by AssociationId or PublicIp. */
int ec2_disassociate_address(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    if (!ec2_call_region(c))
        return -1;
    const char *assoc = json_string_value(json_object_get(in, EC2_IN_AssociationId));
    const char *ip = json_string_value(json_object_get(in, EC2_IN_PublicIp));
    struct eip e;
    if (!assoc && !ip)
        return call_fail(c, 400, "MissingParameter",
                         "Either public IP or association id must be specified"); /* inferred */
    int rc = assoc ? eip_by(c->st, c->region, "association_id", assoc, &e)
                   : eip_by(c->st, c->region, "public_ip", ip, &e);
    if (rc < 0)
        return ec2_internal(c);
    if (rc == 1 && assoc)
        return call_fail(c, 400, "InvalidAssociationID.NotFound",
                         "The association ID '%s' does not exist", assoc); /* [obs] */
    if (rc == 1)
        return call_fail(c, 400, "InvalidAddress.NotFound", "Address '%s' not found.", ip);
    if (!e.assoc[0])
        return ec2_dry_run(c, in) ? -1 : 0;
    if (ec2_dry_run(c, in))
        return -1;
    char inst[32];
    snprintf(inst, sizeof(inst), "%s", e.instance);
    e.assoc[0] = e.instance[0] = e.eni[0] = e.private_ip[0] = 0;
    if (eip_set_assoc(c->st, &e))
        return ec2_internal(c);
    return inst[0] ? instance_drop_eip(c, inst) : 0;
}

static const char *const eip_filters[] = {"allocation-id",
                                          "association-id",
                                          "domain",
                                          "instance-id",
                                          "network-border-group",
                                          "network-interface-id",
                                          "network-interface-owner-id",
                                          "private-ip-address",
                                          "public-ip",
                                          "tag:",
                                          "tag-key",
                                          "tag-value",
                                          NULL};

/* DescribeAddresses: PublicIps, AllocationIds (unknown ones fail), Filters. */
int ec2_describe_addresses(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c) || ec2_check_filters(c, in, eip_filters))
        return -1;
    const json_t *ips = json_object_get(in, EC2_IN_PublicIps);
    const json_t *allocs = json_object_get(in, EC2_IN_AllocationIds);
    size_t i;
    const json_t *v;
    struct eip e;
    json_array_foreach(allocs, i, v)
    {
        if (eip_by(c->st, c->region, "allocation_id", json_string_value(v), &e))
            return call_fail(c, 400, "InvalidAllocationID.NotFound",
                             "The allocation ID '%s' does not exist",
                             json_string_value(v)); /* [obs] */
    }
    json_array_foreach(ips, i, v)
    {
        if (eip_by(c->st, c->region, "public_ip", json_string_value(v), &e))
            return call_fail(c, 400, "InvalidAddress.NotFound", "Address '%s' not found.",
                             json_string_value(v)); /* [obs] */
    }
    if (ec2_dry_run(c, in))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " EIP_COLS " FROM ec2_addresses"
                                        " WHERE region = ?1 ORDER BY created_ms, allocation_id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    size_t n = 0, cap = 16;
    struct eip *all = arena_alloc(c->a, cap * sizeof(*all));
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            struct eip *b = arena_alloc(c->a, 2 * cap * sizeof(*all));
            memcpy(b, all, n * sizeof(*all));
            all = b;
            cap *= 2;
        }
        eip_row(s, &all[n++]);
    }
    sqlite3_reset(s);
    out_begin(o, "Addresses");
    for (size_t k = 0; k < n; k++) {
        struct eip *a = &all[k];
        if (json_array_size(allocs) && !wire_list_has(allocs, a->alloc))
            continue;
        if (json_array_size(ips) && !wire_list_has(ips, a->ip))
            continue;
        json_t *tags = ec2_tags_get(c->st, a->alloc);
        json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "allocation-id", a->alloc, "domain", "vpc",
                              "public-ip", a->ip, "network-border-group", c->region);
        if (a->assoc[0]) {
            json_object_set_new(f, "association-id", json_string(a->assoc));
            json_object_set_new(f, "instance-id", json_string(a->instance));
            json_object_set_new(f, "network-interface-id", json_string(a->eni));
            json_object_set_new(f, "network-interface-owner-id", json_string(c->account));
            json_object_set_new(f, "private-ip-address", json_string(a->private_ip));
        }
        bool ok = ec2_filters_match(in, f, tags);
        json_decref(f);
        if (ok) {
            out_begin(o, NULL);
            out_str(o, "AllocationId", a->alloc);
            if (a->assoc[0]) {
                out_str(o, "AssociationId", a->assoc);
                out_str(o, "NetworkInterfaceId", a->eni);
                out_str(o, "NetworkInterfaceOwnerId", c->account);
                out_str(o, "PrivateIpAddress", a->private_ip);
                out_str(o, "InstanceId", a->instance);
            }
            out_str(o, "Domain", "vpc");
            if (json_array_size(tags))
                out_json(o, "Tags", tags);
            out_str(o, "PublicIpv4Pool", "amazon");
            out_str(o, "NetworkBorderGroup", c->region);
            out_str(o, "PublicIp", a->ip);
            out_end(o);
        }
        json_decref(tags);
    }
    out_end(o);
    return 0;
}
