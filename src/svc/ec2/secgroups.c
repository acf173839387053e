/*
 * secgroups.c — security groups of any VPC and their rules: CreateSecurityGroup,
 * DeleteSecurityGroup, Authorize/RevokeSecurityGroupIngress/Egress and
 * DescribeSecurityGroupRules (DescribeSecurityGroups is vpc.c's describe of ec2_network).
 *
 * A group is a row of ec2_network (kind security-group); its rules are rows of ec2_sg_rules,
 * one per (direction, protocol, ports, one peer: IPv4 CIDR, IPv6 CIDR, group or prefix list)
 * as DescribeSecurityGroupRules shows them [doc: EC2UG security-group-rules.md]. The group's
 * document keeps IpPermissions / IpPermissionsEgress rebuilt from the rules after each
 * change (rules of one protocol and port range grouped, as DescribeSecurityGroups groups
 * them). A new group gets the one egress rule "all traffic to 0.0.0.0/0" [doc].
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

#define SG_MAX_RULES 60 /* inbound, and outbound, per group [doc: VPC quotas] */

struct rule {
    const char *proto; /* tcp udp icmp icmpv6 -1 or a number */
    int64_t from, to;  /* -1 when not applicable */
    bool has_ports;
    const char *cidr4, *cidr6, *group, *prefix, *desc;
};

/* ---------------------------------------------------------------- rows */

static int64_t rule_count(struct call *c, const char *group, bool egress);

static int group_load(struct call *c, const char *id, json_t **doc)
{
    if (!ec2_id_ok(id, "sg"))
        return call_fail(c, 400, "InvalidGroupId.Malformed",
                         "Invalid id: \"%s\" (expecting \"sg-...\")", id ? id : ""); /* [obs] */
    if (ec2_network_ensure(c, NULL, NULL))
        return -1;
    int rc = ec2_net_get(c, "security-group", id, doc);
    if (rc == 1)
        return call_fail(c, 400, "InvalidGroup.NotFound", "The security group '%s' does not exist",
                         id); /* [obs] */
    /* a default group made before rules had rows: its rules from its document */
    if (rc == 0 && rule_count(c, id, false) + rule_count(c, id, true) == 0 &&
        json_array_size(json_object_get(*doc, "IpPermissions")) +
            json_array_size(json_object_get(*doc, "IpPermissionsEgress")))
        rc = ec2_sg_rules_from_doc(c, id, *doc);
    return rc;
}

int ec2_sg_by_name(struct call *c, const char *vpc_id, const char *name, char id[32])
{
    sqlite3_stmt *s = store_stmt(
        c->st, "SELECT id FROM ec2_network WHERE region = ?1 AND kind = 'security-group'"
               " AND json_extract(doc, '$.VpcId') = ?2 AND json_extract(doc, '$.GroupName') = ?3");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, vpc_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(id, 32, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "group lookup");
    return rc == SQLITE_ROW ? 0 : 1;
}

/* The group named by GroupId or GroupName (default VPC) of a request. */
static int group_of_request(struct call *c, const json_t *in, const char **id_out, json_t **doc)
{
    const char *id = json_string_value(json_object_get(in, EC2_IN_GroupId));
    const char *name = json_string_value(json_object_get(in, EC2_IN_GroupName));
    char vpc[32], gid[32];
    if (!id && !name)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter groupName or groupId");
    if (!id) {
        if (ec2_network_ensure(c, vpc, NULL))
            return -1;
        int rc = ec2_sg_by_name(c, vpc, name, gid);
        if (rc < 0)
            return ec2_internal(c);
        if (rc == 1)
            return call_fail(c, 400, "InvalidGroup.NotFound",
                             "The security group '%s' does not exist in default VPC '%s'", name,
                             vpc); /* [obs] */
        id = arena_strdup(c->a, gid);
    }
    *id_out = id;
    return group_load(c, id, doc);
}

static int64_t rule_count(struct call *c, const char *group, bool egress)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT count(*), coalesce(max(seq), 0) FROM ec2_sg_rules"
                                        " WHERE group_id = ?1 AND egress = ?2");
    sqlite3_bind_text(s, 1, group, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, egress);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return n;
}

static int64_t next_seq(struct call *c, const char *group)
{
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT coalesce(max(seq), 0) + 1 FROM ec2_sg_rules WHERE group_id = ?1");
    sqlite3_bind_text(s, 1, group, -1, SQLITE_TRANSIENT);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 1;
    sqlite3_reset(s);
    return n;
}

/* The id of the rule equal to r (same peer, protocol, ports), into id[32]: 0, 1 none. */
static int rule_find(struct call *c, const char *group, bool egress, const struct rule *r,
                     char id[32])
{
    sqlite3_stmt *s = store_stmt(
        c->st, "SELECT id FROM ec2_sg_rules WHERE group_id = ?1 AND egress = ?2 AND proto = ?3"
               " AND from_port IS ?4 AND to_port IS ?5 AND cidr4 IS ?6 AND cidr6 IS ?7"
               " AND ref_group IS ?8 AND prefix_list IS ?9");
    sqlite3_bind_text(s, 1, group, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, egress);
    sqlite3_bind_text(s, 3, r->proto, -1, SQLITE_TRANSIENT);
    if (r->has_ports) {
        sqlite3_bind_int64(s, 4, r->from);
        sqlite3_bind_int64(s, 5, r->to);
    } else {
        sqlite3_bind_null(s, 4);
        sqlite3_bind_null(s, 5);
    }
    store_bind_text_or_null(s, 6, r->cidr4);
    store_bind_text_or_null(s, 7, r->cidr6);
    store_bind_text_or_null(s, 8, r->group);
    store_bind_text_or_null(s, 9, r->prefix);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(id, 32, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : 1;
}

static int rule_insert(struct call *c, const char *group, bool egress, const struct rule *r,
                       char id[32])
{
    ec2_new_id("sgr", id, 32);
    sqlite3_stmt *s = store_stmt(
        c->st, "INSERT INTO ec2_sg_rules(id, region, group_id, egress, proto, from_port, to_port,"
               " cidr4, cidr6, ref_group, prefix_list, description, seq)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, group, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, egress);
    sqlite3_bind_text(s, 5, r->proto, -1, SQLITE_TRANSIENT);
    if (r->has_ports) {
        sqlite3_bind_int64(s, 6, r->from);
        sqlite3_bind_int64(s, 7, r->to);
    }
    store_bind_text_or_null(s, 8, r->cidr4);
    store_bind_text_or_null(s, 9, r->cidr6);
    store_bind_text_or_null(s, 10, r->group);
    store_bind_text_or_null(s, 11, r->prefix);
    store_bind_text_or_null(s, 12, r->desc);
    sqlite3_bind_int64(s, 13, next_seq(c, group));
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        ec2_db_fail(c->st, "rule insert");
        return ec2_internal(c);
    }
    return 0;
}

/* The rules of a group (both directions, or one rule id: group NULL) as
 * SecurityGroupRule objects, in order. */
static json_t *rules_of(struct call *c, const char *group, const char *rule_id)
{
    sqlite3_stmt *s = store_stmt(
        c->st, "SELECT id, group_id, egress, proto, from_port, to_port, cidr4, cidr6, ref_group,"
               " prefix_list, description FROM ec2_sg_rules WHERE region = ?3 AND"
               " (?1 IS NULL OR group_id = ?1) AND (?2 IS NULL OR id = ?2)"
               " ORDER BY group_id, egress, seq");
    store_bind_text_or_null(s, 1, group);
    store_bind_text_or_null(s, 2, rule_id);
    sqlite3_bind_text(s, 3, c->region, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        json_t *r = json_pack(
            "{s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:s}", "SecurityGroupRuleId", id, "GroupId",
            (const char *)sqlite3_column_text(s, 1), "GroupOwnerId", c->account, "IsEgress",
            sqlite3_column_int(s, 2) != 0, "IpProtocol", (const char *)sqlite3_column_text(s, 3),
            "FromPort",
            (json_int_t)(sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 4)),
            "ToPort",
            (json_int_t)(sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 5)),
            "SecurityGroupRuleArn",
            arena_printf(c->a, "arn:aws:ec2:%s:%s:security-group-rule/%s", c->region, c->account,
                         id));
        if (sqlite3_column_type(s, 6) != SQLITE_NULL)
            json_object_set_new(r, "CidrIpv4", json_string((const char *)sqlite3_column_text(s, 6)));
        if (sqlite3_column_type(s, 7) != SQLITE_NULL)
            json_object_set_new(r, "CidrIpv6", json_string((const char *)sqlite3_column_text(s, 7)));
        if (sqlite3_column_type(s, 8) != SQLITE_NULL)
            json_object_set_new(r, "ReferencedGroupInfo",
                                json_pack("{s:s, s:s}", "GroupId", sqlite3_column_text(s, 8),
                                          "UserId", c->account));
        if (sqlite3_column_type(s, 9) != SQLITE_NULL)
            json_object_set_new(r, "PrefixListId",
                                json_string((const char *)sqlite3_column_text(s, 9)));
        if (sqlite3_column_type(s, 10) != SQLITE_NULL)
            json_object_set_new(r, "Description",
                                json_string((const char *)sqlite3_column_text(s, 10)));
        json_array_append_new(list, r);
    }
    sqlite3_reset(s);
    return list;
}

/* IpPermissions of one direction from rule objects: one permission per protocol and port
 * range, in the order of their first rule. */
static json_t *permissions(const json_t *rules, bool egress, const char *account)
{
    json_t *perms = json_array();
    size_t i;
    const json_t *r;
    json_array_foreach(rules, i, r)
    {
        if (json_is_true(json_object_get(r, "IsEgress")) != egress)
            continue;
        const char *proto = json_string_value(json_object_get(r, "IpProtocol"));
        json_int_t from = json_integer_value(json_object_get(r, "FromPort"));
        json_int_t to = json_integer_value(json_object_get(r, "ToPort"));
        bool ports = !str_eq(proto, "-1");
        json_t *p = NULL;
        size_t j;
        json_t *q;
        json_array_foreach(perms, j, q)
        {
            if (str_eq(json_string_value(json_object_get(q, "IpProtocol")), proto) &&
                (!ports || (json_integer_value(json_object_get(q, "FromPort")) == from &&
                            json_integer_value(json_object_get(q, "ToPort")) == to)))
                p = q;
        }
        if (!p) {
            p = json_pack("{s:s, s:[], s:[], s:[], s:[]}", "IpProtocol", proto, "UserIdGroupPairs",
                          "IpRanges", "Ipv6Ranges", "PrefixListIds");
            if (ports) {
                json_object_set_new(p, "FromPort", json_integer(from));
                json_object_set_new(p, "ToPort", json_integer(to));
            }
            json_array_append_new(perms, p);
        }
        const json_t *desc = json_object_get(r, "Description");
        json_t *e = NULL;
        const char *list = NULL;
        if (json_object_get(r, "CidrIpv4")) {
            e = json_pack("{s:O}", "CidrIp", json_object_get(r, "CidrIpv4"));
            list = "IpRanges";
        } else if (json_object_get(r, "CidrIpv6")) {
            e = json_pack("{s:O}", "CidrIpv6", json_object_get(r, "CidrIpv6"));
            list = "Ipv6Ranges";
        } else if (json_object_get(r, "PrefixListId")) {
            e = json_pack("{s:O}", "PrefixListId", json_object_get(r, "PrefixListId"));
            list = "PrefixListIds";
        } else {
            e = json_pack("{s:s, s:O}", "UserId", account, "GroupId",
                          json_object_get(json_object_get(r, "ReferencedGroupInfo"), "GroupId"));
            list = "UserIdGroupPairs";
        }
        if (desc)
            json_object_set(e, "Description", (json_t *)desc);
        json_array_append_new(json_object_get(p, list), e);
    }
    return perms;
}

/* Rebuilds the group document's IpPermissions(Egress) from its rules. */
static int group_sync(struct call *c, const char *id, json_t *doc)
{
    json_t *rules = rules_of(c, id, NULL);
    json_object_set_new(doc, "IpPermissions", permissions(rules, false, c->account));
    json_object_set_new(doc, "IpPermissionsEgress", permissions(rules, true, c->account));
    json_decref(rules);
    return ec2_net_put(c, "security-group", id, doc);
}

int ec2_sg_rules_from_doc(struct call *c, const char *group_id, const json_t *doc)
{
    static const char *const dirs[] = {"IpPermissions", "IpPermissionsEgress"};
    for (int egress = 0; egress < 2; egress++) {
        size_t i;
        const json_t *p;
        json_array_foreach(json_object_get(doc, dirs[egress]), i, p)
        {
            struct rule r = {.proto = json_string_value(json_object_get(p, "IpProtocol"))};
            if (!r.proto)
                continue;
            r.has_ports = !str_eq(r.proto, "-1");
            r.from = json_integer_value(json_object_get(p, "FromPort"));
            r.to = json_integer_value(json_object_get(p, "ToPort"));
            size_t j;
            const json_t *e;
            char id[32];
            json_array_foreach(json_object_get(p, "IpRanges"), j, e)
            {
                struct rule x = r;
                x.cidr4 = json_string_value(json_object_get(e, "CidrIp"));
                if (rule_insert(c, group_id, egress, &x, id))
                    return -1;
            }
            json_array_foreach(json_object_get(p, "UserIdGroupPairs"), j, e)
            {
                struct rule x = r;
                x.group = json_string_value(json_object_get(e, "GroupId"));
                if (rule_insert(c, group_id, egress, &x, id))
                    return -1;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- request rules */

/* Normalises a protocol: names lower-cased, 6/17/1/58 to their names, all to -1 [doc:
 * IpPermission.IpProtocol]. NULL when invalid. */
static const char *proto_norm(struct call *c, const char *p)
{
    if (!p || !*p)
        return NULL;
    char *l = arena_strdup(c->a, p);
    for (char *q = l; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    if (str_eq(l, "tcp") || str_eq(l, "udp") || str_eq(l, "icmp") || str_eq(l, "icmpv6") ||
        str_eq(l, "-1"))
        return l;
    if (str_eq(l, "all"))
        return "-1"; /* inferred */
    char *end;
    long n = strtol(l, &end, 10);
    if (*end || n < -1 || n > 255)
        return NULL;
    return n == 6 ? "tcp" : n == 17 ? "udp" : n == 1 ? "icmp" : n == 58 ? "icmpv6" : n == -1 ? "-1" : l;
}

static bool cidr_ok(const char *s, int af)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash)
        return false;
    char addr[64];
    size_t n = (size_t)(slash - s);
    if (n >= sizeof(addr))
        return false;
    memcpy(addr, s, n);
    addr[n] = 0;
    unsigned char buf[16];
    char *end;
    long bits = strtol(slash + 1, &end, 10);
    return !*end && slash[1] && bits >= 0 && bits <= (af == AF_INET ? 32 : 128) &&
           inet_pton(af, addr, buf) == 1;
}

/* Expands the request's permissions (IpPermissions or the legacy top-level members) into
 * rules (array of struct rule in *out, count *n). The group's VPC resolves group names. */
static int request_rules(struct call *c, const json_t *in, const char *vpc, bool egress,
                         struct rule **out, size_t *n)
{
    const json_t *perms = json_object_get(in, EC2_IN_IpPermissions);
    json_t *legacy = NULL;
    if (!json_array_size(perms)) {
        const char *proto = json_string_value(json_object_get(in, EC2_IN_IpProtocol));
        const char *cidr = json_string_value(json_object_get(in, EC2_IN_CidrIp));
        const char *src = json_string_value(json_object_get(in, EC2_IN_SourceSecurityGroupName));
        if (!proto && !cidr && !src)
            return call_fail(c, 400, "MissingParameter",
                             "No permissions specified in the request"); /* inferred */
        legacy = json_pack("[{s:s}]", "IpProtocol", proto ? proto : (src && !cidr ? "-1" : "-1"));
        json_t *p = json_array_get(legacy, 0);
        if (json_object_get(in, EC2_IN_FromPort))
            json_object_set(p, "FromPort", json_object_get(in, EC2_IN_FromPort));
        if (json_object_get(in, EC2_IN_ToPort))
            json_object_set(p, "ToPort", json_object_get(in, EC2_IN_ToPort));
        if (cidr)
            json_object_set_new(p, "IpRanges", json_pack("[{s:s}]", "CidrIp", cidr));
        if (src)
            json_object_set_new(p, "UserIdGroupPairs", json_pack("[{s:s}]", "GroupName", src));
        perms = legacy;
    }
    size_t cap = 8, cnt = 0;
    struct rule *rs = arena_alloc(c->a, cap * sizeof(*rs));
    size_t i;
    const json_t *p;
    int rc = -1;
    json_array_foreach(perms, i, p)
    {
        const char *raw = json_string_value(json_object_get(p, EC2_M_IpPermission_IpProtocol));
        struct rule r = {.proto = proto_norm(c, raw), .from = -1, .to = -1};
        if (!r.proto) {
            call_fail(c, 400, "InvalidParameterValue",
                      "Invalid value '%s' for IP protocol. Unknown protocol.",
                      raw ? raw : ""); /* inferred */
            goto out;
        }
        const json_t *fp = json_object_get(p, EC2_M_IpPermission_FromPort);
        const json_t *tp = json_object_get(p, EC2_M_IpPermission_ToPort);
        if (str_eq(r.proto, "tcp") || str_eq(r.proto, "udp")) {
            if (!fp || !tp) {
                call_fail(c, 400, "InvalidParameterValue",
                          "Invalid value 'Must specify both from and to ports with TCP/UDP.' for "
                          "portRange."); /* [obs] */
                goto out;
            }
            r.from = json_integer_value(fp);
            r.to = json_integer_value(tp);
            if (r.from < 0 || r.to > 65535 || r.from > r.to) {
                call_fail(c, 400, "InvalidParameterValue",
                          "Invalid value 'Invalid port range: %lld-%lld' for portRange.",
                          (long long)r.from, (long long)r.to); /* inferred */
                goto out;
            }
            r.has_ports = true;
        } else if (str_eq(r.proto, "icmp") || str_eq(r.proto, "icmpv6")) {
            r.from = fp ? json_integer_value(fp) : -1;
            r.to = tp ? json_integer_value(tp) : -1;
            r.has_ports = true;
        }
        size_t npeers = 0;
        static const char *const lists[] = {"IpRanges", "Ipv6Ranges", "UserIdGroupPairs",
                                            "PrefixListIds"};
        for (int li = 0; li < 4; li++) {
            size_t j;
            const json_t *e;
            json_array_foreach(json_object_get(p, lists[li]), j, e)
            {
                struct rule x = r;
                x.desc = json_string_value(json_object_get(e, "Description"));
                if (li == 0) {
                    x.cidr4 = json_string_value(json_object_get(e, "CidrIp"));
                    if (!cidr_ok(x.cidr4, AF_INET)) {
                        call_fail(c, 400, "InvalidParameterValue",
                                  "Value (%s) for parameter cidrIp is invalid. This is not a valid "
                                  "CIDR block.",
                                  x.cidr4 ? x.cidr4 : ""); /* [obs] */
                        goto out;
                    }
                } else if (li == 1) {
                    x.cidr6 = json_string_value(json_object_get(e, "CidrIpv6"));
                    if (!cidr_ok(x.cidr6, AF_INET6)) {
                        call_fail(c, 400, "InvalidParameterValue",
                                  "Value (%s) for parameter cidrIpv6 is invalid. This is not a "
                                  "valid CIDR block.",
                                  x.cidr6 ? x.cidr6 : ""); /* inferred */
                        goto out;
                    }
                } else if (li == 2) {
                    const char *gid = json_string_value(json_object_get(e, "GroupId"));
                    const char *gname = json_string_value(json_object_get(e, "GroupName"));
                    char found[32];
                    if (!gid && gname) {
                        int fr = ec2_sg_by_name(c, vpc, gname, found);
                        if (fr) {
                            if (fr > 0)
                                call_fail(c, 400, "InvalidGroup.NotFound",
                                          "The security group '%s' does not exist",
                                          gname); /* [obs] */
                            goto out;
                        }
                        gid = arena_strdup(c->a, found);
                    }
                    json_t *gd = NULL;
                    if (group_load(c, gid, &gd))
                        goto out;
                    json_decref(gd);
                    x.group = gid;
                } else {
                    x.prefix = json_string_value(json_object_get(e, "PrefixListId"));
                    if (!ec2_id_ok(x.prefix, "pl")) {
                        call_fail(c, 400, "InvalidPrefixListId.Malformed",
                                  "Invalid id: \"%s\" (expecting \"pl-...\")",
                                  x.prefix ? x.prefix : ""); /* inferred */
                        goto out;
                    }
                }
                if (cnt == cap) {
                    struct rule *bigger = arena_alloc(c->a, 2 * cap * sizeof(*rs));
                    memcpy(bigger, rs, cnt * sizeof(*rs));
                    rs = bigger;
                    cap *= 2;
                }
                rs[cnt++] = x;
                npeers++;
            }
        }
        if (!npeers) {
            /* a permission without a peer: AWS's legacy forms mean "from anywhere" only with
             * CidrIp; without one the request names no source (inferred) */
            call_fail(c, 400, "InvalidParameterValue",
                      "Invalid value 'Must specify a CIDR, prefix list or security group as the "
                      "%s.' for ipPermissions.",
                      egress ? "destination" : "source"); /* inferred */
            goto out;
        }
    }
    *out = rs;
    *n = cnt;
    rc = 0;
out:
    json_decref(legacy);
    return rc;
}

static bool rule_eq(const struct rule *a, const struct rule *b)
{
    return str_eq(a->proto, b->proto) && a->has_ports == b->has_ports &&
           (!a->has_ports || (a->from == b->from && a->to == b->to)) &&
           str_eq(a->cidr4, b->cidr4) && str_eq(a->cidr6, b->cidr6) && str_eq(a->group, b->group) &&
           str_eq(a->prefix, b->prefix);
}

/* "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" [obs] */
static const char *rule_text(struct call *c, const struct rule *r)
{
    const char *peer = r->cidr4 ? r->cidr4 : r->cidr6 ? r->cidr6 : r->group ? r->group : r->prefix;
    char up[16];
    size_t i;
    for (i = 0; r->proto[i] && i < sizeof(up) - 1; i++)
        up[i] = (char)toupper((unsigned char)r->proto[i]);
    up[i] = 0;
    if (str_eq(r->proto, "-1"))
        return arena_printf(c->a, "peer: %s, ALL, ALLOW", peer);
    return arena_printf(c->a, "peer: %s, %s, from port: %lld, to port: %lld, ALLOW", peer, up,
                        (long long)r->from, (long long)r->to);
}

static int authorize(struct call *c, const json_t *in, struct out *o, bool egress)
{
    const char *id;
    json_t *doc = NULL;
    struct rule *rs;
    size_t n;
    int rc = -1;
    if (!ec2_call_region(c) || group_of_request(c, in, &id, &doc))
        goto out;
    const char *vpc = json_string_value(json_object_get(doc, "VpcId"));
    if (request_rules(c, in, vpc, egress, &rs, &n))
        goto out;
    const json_t *tags = NULL;
    static const char *const tag_types[] = {"security-group-rule", NULL};
    if (ec2_tag_specs(c, in, tag_types, "security-group-rule", &tags))
        goto out;
    char found[32];
    for (size_t i = 0; i < n; i++) {
        if (rule_find(c, id, egress, &rs[i], found) == 0) {
            call_fail(c, 400, "InvalidPermission.Duplicate",
                      "the specified rule \"%s\" already exists", rule_text(c, &rs[i])); /* [obs] */
            goto out;
        }
        for (size_t j = 0; j < i; j++)
            if (rule_eq(&rs[i], &rs[j])) {
                call_fail(c, 400, "InvalidPermission.Duplicate",
                          "the specified rule \"%s\" already exists", rule_text(c, &rs[i]));
                goto out;
            }
    }
    if (rule_count(c, id, egress) + (int64_t)n > SG_MAX_RULES) {
        call_fail(c, 400, "RulesPerSecurityGroupLimitExceeded",
                  "The maximum number of rules per security group has been reached."); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++) {
        char rid[32];
        if (rule_insert(c, id, egress, &rs[i], rid) ||
            (tags && ec2_tags_put(c, rid, "security-group-rule", tags))) {
            json_decref(ids);
            goto out;
        }
        json_array_append_new(ids, json_string(rid));
    }
    if (group_sync(c, id, doc)) {
        json_decref(ids);
        goto out;
    }
    out_bool(o, "Return", true);
    out_begin(o, "SecurityGroupRules");
    size_t i;
    json_t *rid;
    json_array_foreach(ids, i, rid)
    {
        json_t *one = rules_of(c, NULL, json_string_value(rid));
        json_t *r = json_array_get(one, 0);
        json_t *t = ec2_tags_get(c->st, json_string_value(rid));
        if (json_array_size(t))
            json_object_set(r, "Tags", t);
        json_decref(t);
        out_begin(o, NULL);
        ec2_out_members(o, r);
        out_end(o);
        json_decref(one);
    }
    out_end(o);
    json_decref(ids);
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

static int rule_delete(struct call *c, const char *rid)
{
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_sg_rules WHERE id = ?1");
    sqlite3_bind_text(s, 1, rid, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE || ec2_tags_drop(c->st, rid)) {
        ec2_db_fail(c->st, "rule delete");
        return ec2_internal(c);
    }
    return 0;
}

static int revoke(struct call *c, const json_t *in, struct out *o, bool egress)
{
    const char *id;
    json_t *doc = NULL, *gone = json_array();
    int rc = -1;
    if (!ec2_call_region(c) || group_of_request(c, in, &id, &doc))
        goto out;
    const json_t *rule_ids = json_object_get(in, EC2_IN_SecurityGroupRuleIds);
    size_t i;
    const json_t *e;
    if (json_array_size(rule_ids)) {
        json_array_foreach(rule_ids, i, e)
        {
            json_t *one = rules_of(c, id, json_string_value(e));
            json_t *r = json_array_get(one, 0);
            if (!r || json_is_true(json_object_get(r, "IsEgress")) != egress) {
                json_decref(one);
                call_fail(c, 400, "InvalidSecurityGroupRuleId.NotFound",
                          "The security group rule ID '%s' does not exist",
                          json_string_value(e)); /* inferred */
                goto out;
            }
            json_array_append(gone, r);
            json_decref(one);
        }
    } else {
        struct rule *rs;
        size_t n;
        const char *vpc = json_string_value(json_object_get(doc, "VpcId"));
        if (request_rules(c, in, vpc, egress, &rs, &n))
            goto out;
        for (size_t k = 0; k < n; k++) {
            char rid[32];
            if (rule_find(c, id, egress, &rs[k], rid)) {
                call_fail(c, 400, "InvalidPermission.NotFound",
                          "The specified rule does not exist in this security group."); /* [obs] */
                goto out;
            }
            json_t *one = rules_of(c, id, rid);
            json_array_extend(gone, one);
            json_decref(one);
        }
    }
    if (ec2_dry_run(c, in))
        goto out;
    json_t *r;
    json_array_foreach(gone, i, r)
    {
        if (rule_delete(c, json_string_value(json_object_get(r, "SecurityGroupRuleId"))))
            goto out;
    }
    if (group_sync(c, id, doc))
        goto out;
    out_bool(o, "Return", true);
    out_begin(o, "RevokedSecurityGroupRules");
    json_array_foreach(gone, i, r)
    {
        out_begin(o, NULL);
        out_str(o, "SecurityGroupRuleId",
                json_string_value(json_object_get(r, "SecurityGroupRuleId")));
        out_str(o, "GroupId", id);
        out_bool(o, "IsEgress", egress);
        out_str(o, "IpProtocol", json_string_value(json_object_get(r, "IpProtocol")));
        out_int(o, "FromPort", json_integer_value(json_object_get(r, "FromPort")));
        out_int(o, "ToPort", json_integer_value(json_object_get(r, "ToPort")));
        const char *v;
        if ((v = json_string_value(json_object_get(r, "CidrIpv4"))))
            out_str(o, "CidrIpv4", v);
        if ((v = json_string_value(json_object_get(r, "CidrIpv6"))))
            out_str(o, "CidrIpv6", v);
        if ((v = json_string_value(json_object_get(r, "PrefixListId"))))
            out_str(o, "PrefixListId", v);
        if ((v = json_string_value(
                 json_object_get(json_object_get(r, "ReferencedGroupInfo"), "GroupId"))))
            out_str(o, "ReferencedGroupId", v);
        if ((v = json_string_value(json_object_get(r, "Description"))))
            out_str(o, "Description", v);
        out_end(o);
    }
    out_end(o);
    rc = 0;
out:
    json_decref(gone);
    json_decref(doc);
    return rc;
}

int ec2_authorize_security_group_ingress(struct call *c, const json_t *in, struct out *o)
{
    return authorize(c, in, o, false);
}

int ec2_authorize_security_group_egress(struct call *c, const json_t *in, struct out *o)
{
    return authorize(c, in, o, true);
}

int ec2_revoke_security_group_ingress(struct call *c, const json_t *in, struct out *o)
{
    return revoke(c, in, o, false);
}

int ec2_revoke_security_group_egress(struct call *c, const json_t *in, struct out *o)
{
    return revoke(c, in, o, true);
}

/* ---------------------------------------------------------------- create, delete */

/*
 * CreateSecurityGroup: GroupName (1..255, not sg-*), Description, VpcId (default VPC when
 * absent), TagSpecifications; one egress rule to 0.0.0.0/0 [doc].
 */
int ec2_create_security_group(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c))
        return -1;
    const char *name = json_string_value(json_object_get(in, EC2_IN_GroupName));
    const char *desc = json_string_value(json_object_get(in, EC2_IN_Description));
    const char *vpc = json_string_value(json_object_get(in, EC2_IN_VpcId));
    char dvpc[32], id[32];
    if (ec2_network_ensure(c, dvpc, NULL))
        return -1;
    if (!vpc)
        vpc = arena_strdup(c->a, dvpc);
    else if (ec2_vpc_check(c, vpc))
        return -1;
    if (!name || !*name || strlen(name) > 255)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Invalid value '%s' for groupName. Length of group name must be between "
                         "1 and 255 characters.",
                         name ? name : ""); /* inferred */
    if (str_startswith(name, "sg-"))
        return call_fail(c, 400, "InvalidParameterValue",
                         "Group names may not be in the format sg-*."); /* [obs] */
    if (!desc || strlen(desc) > 255)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Invalid value for groupDescription. Length of description must be "
                         "between 0 and 255 characters."); /* inferred */
    int fr = ec2_sg_by_name(c, vpc, name, id);
    if (fr < 0)
        return ec2_internal(c);
    if (fr == 0)
        return call_fail(c, 400, "InvalidGroup.Duplicate",
                         "The security group '%s' already exists for VPC '%s'", name,
                         vpc); /* [obs] */
    static const char *const tag_types[] = {"security-group", NULL};
    const json_t *tags = NULL;
    if (ec2_tag_specs(c, in, tag_types, "security-group", &tags) || ec2_dry_run(c, in))
        return -1;
    ec2_new_id("sg", id, sizeof(id));
    const char *arn =
        arena_printf(c->a, "arn:aws:ec2:%s:%s:security-group/%s", c->region, c->account, id);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:[]}", "GroupId", id,
                            "GroupName", name, "Description", desc, "OwnerId", c->account, "VpcId",
                            vpc, "SecurityGroupArn", arn, "IpPermissions", "IpPermissionsEgress");
    struct rule all = {.proto = "-1", .from = -1, .to = -1, .cidr4 = "0.0.0.0/0"};
    char rid[32];
    int rc = -1;
    if (ec2_net_put(c, "security-group", id, doc) || rule_insert(c, id, true, &all, rid) ||
        group_sync(c, id, doc) || (tags && ec2_tags_put(c, id, "security-group", tags)))
        goto out;
    out_str(o, "GroupId", id);
    if (tags)
        out_json(o, "Tags", tags);
    out_str(o, "SecurityGroupArn", arn);
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

/* 1 when a live instance uses the group or another group's rule references it. */
static int group_in_use(struct call *c, const char *id)
{
    sqlite3_stmt *s = store_stmt(
        c->st, "SELECT 1 FROM ec2_instances, json_each(json_extract(ec2_instances.doc,"
               " '$.SecurityGroups')) AS g WHERE ec2_instances.region = ?1 AND state != 48"
               " AND json_extract(g.value, '$.GroupId') = ?2"
               " UNION ALL SELECT 1 FROM ec2_sg_rules WHERE ref_group = ?2 AND group_id != ?2"
               " UNION ALL SELECT 1 FROM ec2_enis, json_each(json_extract(ec2_enis.doc,"
               " '$.Groups')) AS h WHERE json_extract(h.value, '$.GroupId') = ?2 LIMIT 1");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW;
}

/* DeleteSecurityGroup by GroupId or GroupName: not the default group, not in use. */
int ec2_delete_security_group(struct call *c, const json_t *in, struct out *o)
{
    const char *id;
    json_t *doc = NULL;
    int rc = -1;
    if (!ec2_call_region(c) || group_of_request(c, in, &id, &doc))
        goto out;
    const char *name = json_string_value(json_object_get(doc, "GroupName"));
    if (str_eq(name, "default")) {
        call_fail(c, 400, "CannotDelete",
                  "the specified group: \"%s\" name: \"default\" cannot be deleted by a user",
                  id); /* [obs] */
        goto out;
    }
    if (group_in_use(c, id)) {
        call_fail(c, 400, "DependencyViolation", "resource %s has a dependent object",
                  id); /* [obs] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    json_t *rules = rules_of(c, id, NULL);
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        if (rule_delete(c, json_string_value(json_object_get(r, "SecurityGroupRuleId")))) {
            json_decref(rules);
            goto out;
        }
    }
    json_decref(rules);
    if (ec2_net_del(c, id))
        goto out;
    out_bool(o, "Return", true);
    out_str(o, "GroupId", id);
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

/* ---------------------------------------------------------------- describe rules */

static const char *const rule_filters[] = {"group-id", "security-group-rule-id", "tag:", "tag-key",
                                           "tag-value", NULL};

/* DescribeSecurityGroupRules: SecurityGroupRuleIds, Filters (group-id,
 * security-group-rule-id, tags), MaxResults 5..1000, NextToken. */
int ec2_describe_security_group_rules(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (!ec2_call_region(c) || ec2_check_filters(c, in, rule_filters) ||
        ec2_max_results(c, in, 5, 1000, 1000, NULL, NULL, &max) || ec2_token_read(c, in, &after) ||
        ec2_network_ensure(c, NULL, NULL))
        return -1;
    const json_t *ids = json_object_get(in, EC2_IN_SecurityGroupRuleIds);
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        json_t *one = rules_of(c, NULL, json_string_value(e));
        bool found = json_array_size(one) > 0;
        json_decref(one);
        if (!found)
            return call_fail(c, 400, "InvalidSecurityGroupRuleId.NotFound",
                             "The security group rule ID '%s' does not exist",
                             json_string_value(e)); /* inferred */
    }
    if (ec2_dry_run(c, in))
        return -1;
    json_t *all = rules_of(c, NULL, NULL);
    out_begin(o, "SecurityGroupRules");
    int n = 0;
    const char *last = NULL;
    bool more = false;
    json_t *r;
    json_array_foreach(all, i, r)
    {
        const char *rid = json_string_value(json_object_get(r, "SecurityGroupRuleId"));
        const char *key = arena_printf(c->a, "%s/%s", json_string_value(json_object_get(r, "GroupId")),
                                       rid);
        if (after && strcmp(key, after) <= 0)
            continue;
        if (json_array_size(ids) && !wire_list_has(ids, rid))
            continue;
        json_t *tags = ec2_tags_get(c->st, rid);
        json_t *facets = json_pack("{s:O, s:s}", "group-id", json_object_get(r, "GroupId"),
                                   "security-group-rule-id", rid);
        bool ok = ec2_filters_match(in, facets, tags);
        json_decref(facets);
        if (ok && n == max) {
            more = true;
            json_decref(tags);
            break;
        }
        if (ok) {
            if (json_array_size(tags))
                json_object_set(r, "Tags", tags);
            out_begin(o, NULL);
            ec2_out_members(o, r);
            out_end(o);
            last = key;
            n++;
        }
        json_decref(tags);
    }
    out_end(o);
    json_decref(all);
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
    return 0;
}

/* ---------------------------------------------------------------- filters */

void ec2_sg_facets(const json_t *doc, json_t *f)
{
    static const char *const dirs[] = {"IpPermissions", "IpPermissionsEgress"};
    static const char *const pre[] = {"ip-permission.", "egress.ip-permission."};
    for (int d = 0; d < 2; d++) {
        json_t *proto = json_array(), *from = json_array(), *to = json_array(),
               *cidr = json_array(), *cidr6 = json_array(), *gid = json_array(),
               *user = json_array(), *pl = json_array();
        size_t i;
        const json_t *p;
        json_array_foreach(json_object_get(doc, dirs[d]), i, p)
        {
            json_array_append(proto, json_object_get(p, "IpProtocol"));
            if (json_object_get(p, "FromPort")) {
                json_array_append_new(from, json_sprintf("%" JSON_INTEGER_FORMAT,
                                                         json_integer_value(json_object_get(p, "FromPort"))));
                json_array_append_new(to, json_sprintf("%" JSON_INTEGER_FORMAT,
                                                       json_integer_value(json_object_get(p, "ToPort"))));
            }
            size_t j;
            const json_t *e;
            json_array_foreach(json_object_get(p, "IpRanges"), j, e)
                json_array_append(cidr, json_object_get(e, "CidrIp"));
            json_array_foreach(json_object_get(p, "Ipv6Ranges"), j, e)
                json_array_append(cidr6, json_object_get(e, "CidrIpv6"));
            json_array_foreach(json_object_get(p, "PrefixListIds"), j, e)
                json_array_append(pl, json_object_get(e, "PrefixListId"));
            json_array_foreach(json_object_get(p, "UserIdGroupPairs"), j, e)
            {
                json_array_append(gid, json_object_get(e, "GroupId"));
                json_array_append(user, json_object_get(e, "UserId"));
            }
        }
        char k[64];
#define SETF(name, arr)                                                                            \
    snprintf(k, sizeof(k), "%s%s", pre[d], name);                                                  \
    json_object_set_new(f, k, arr)
        SETF("protocol", proto);
        SETF("from-port", from);
        SETF("to-port", to);
        SETF("cidr", cidr);
        SETF("ipv6-cidr", cidr6);
        SETF("group-id", gid);
        SETF("user-id", user);
        SETF("prefix-list-id", pl);
#undef SETF
    }
}
