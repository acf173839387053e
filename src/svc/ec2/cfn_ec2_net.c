/*
 * cfn_ec2_net.c — CloudFormation types of EC2's network resources, through EC2's own
 * operations as the stack's principal [doc: CFN UG aws-resource-ec2-*]:
 *   AWS::EC2::SecurityGroup (Ref: the group name without VpcId, the id with one — inferred
 *     from AWS's samples that pass Ref to SecurityGroups; GetAtt GroupId, VpcId),
 *   AWS::EC2::SecurityGroupIngress / SecurityGroupEgress (Ref and GetAtt Id: the rule id),
 *   AWS::EC2::KeyPair (Ref: the name; GetAtt KeyPairId, KeyFingerprint; a created key's
 *     private key saved as the SecureString /ec2/keypair/{key_pair_id} [doc]),
 *   AWS::EC2::EIP (Ref: the address; GetAtt AllocationId, PublicIp; InstanceId associates),
 *   AWS::EC2::EIPAssociation (Ref and GetAtt Id: the association id),
 *   AWS::EC2::NetworkInterface (Ref: the id; GetAtt Id, PrimaryPrivateIpAddress,
 *     SecondaryPrivateIpAddresses),
 *   AWS::EC2::LaunchTemplate (Ref: the id; GetAtt LaunchTemplateId, LatestVersionNumber,
 *     DefaultVersionNumber; a LaunchTemplateData change makes a new version).
 * Everything they create carries the stack tags aws:cloudformation:stack-name, -stack-id
 * and -logical-id [doc: "CloudFormation automatically creates the following stack-level
 * tags"].
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "svc/ec2/ec2_net.h"
#include "svc/provider.h"
#include "wire/models/ec2_members.h"
#include "wire/wire.h"

int ec2_cfn_stack_tags(const struct cfn_act *x, const struct cfn_res *r, const char *id)
{
    if (!id || !*id || !x->stack_id)
        return 0;
    json_t *tags = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "Key",
                             "aws:cloudformation:stack-name", "Value", x->stack_name, "Key",
                             "aws:cloudformation:stack-id", "Value", x->stack_id, "Key",
                             "aws:cloudformation:logical-id", "Value", r->logical_id);
    const char *type = ec2_resource_type_of(id);
    int rc = ec2_tags_put(x->c, id, type ? type : "resource", tags);
    json_decref(tags);
    return rc;
}

/* CFN Tags [{Key,Value}] -> TagSpecifications of resource type rt. */
static void tag_specs(json_t *in, const json_t *props, const char *rt)
{
    json_t *tags = json_object_get(props, "Tags");
    if (json_is_array(tags) && json_array_size(tags))
        json_object_set_new(in, EC2_IN_TagSpecifications,
                            json_pack("[{s:s, s:O}]", "ResourceType", rt, "Tags", tags));
}

/* Tag changes: DeleteTags of dropped keys, CreateTags of the rest. */
static int retag(const struct cfn_act *x, struct cfn_res *r, const char *id,
                 const json_t *old_props)
{
    const json_t *ot = json_object_get(old_props, "Tags"), *nt = json_object_get(r->props, "Tags");
    if (!prov_changed(ot, nt))
        return 0;
    json_t *gone = prov_removed_tag_keys(ot, nt);
    if (json_array_size(gone)) {
        json_t *keys = json_array();
        size_t i;
        json_t *k;
        json_array_foreach(gone, i, k) json_array_append_new(keys, json_pack("{s:O}", "Key", k));
        json_t *in = json_pack("{s:[s], s:o}", "Resources", id, "Tags", keys);
        if (prov_call(x, r, "ec2", "DeleteTags", in, NULL, NULL)) {
            json_decref(gone);
            return -1;
        }
    }
    json_decref(gone);
    if (json_array_size(nt)) {
        json_t *in = json_pack("{s:[s], s:O}", "Resources", id, "Tags", nt);
        if (prov_call(x, r, "ec2", "CreateTags", in, NULL, NULL))
            return -1;
    }
    return 0;
}

/* Only Tags may change in place (everything else is in replace_props). */
static enum cfn_step tags_only_update(const struct cfn_act *x, struct cfn_res *r,
                                      const json_t *old_props)
{
    return retag(x, r, r->physical_id, old_props) ? CFN_FAILED : CFN_DONE;
}

/* ------------------------------------------------------------ AWS::EC2::SecurityGroup */

/* One CFN rule (Ingress / Egress property type, or an Ingress/Egress resource's props) as
 * an IpPermission. */
static json_t *rule_perm(const json_t *rule, bool egress)
{
    json_t *p = json_object();
    const json_t *v;
    const char *proto = prov_str(rule, "IpProtocol");
    json_object_set_new(p, "IpProtocol", json_string(proto ? proto : "-1"));
    if ((v = json_object_get(rule, "FromPort")))
        json_object_set(p, "FromPort", (json_t *)v);
    if ((v = json_object_get(rule, "ToPort")))
        json_object_set(p, "ToPort", (json_t *)v);
    const json_t *desc = json_object_get(rule, "Description");
    const char *s;
    json_t *e = NULL;
    const char *list = NULL;
    if ((s = prov_str(rule, "CidrIp"))) {
        e = json_pack("{s:s}", "CidrIp", s);
        list = "IpRanges";
    } else if ((s = prov_str(rule, "CidrIpv6"))) {
        e = json_pack("{s:s}", "CidrIpv6", s);
        list = "Ipv6Ranges";
    } else if ((s = prov_str(rule, egress ? "DestinationPrefixListId" : "SourcePrefixListId"))) {
        e = json_pack("{s:s}", "PrefixListId", s);
        list = "PrefixListIds";
    } else if ((s = prov_str(rule, egress ? "DestinationSecurityGroupId"
                                          : "SourceSecurityGroupId"))) {
        e = json_pack("{s:s}", "GroupId", s);
        list = "UserIdGroupPairs";
    } else if (!egress && (s = prov_str(rule, "SourceSecurityGroupName"))) {
        e = json_pack("{s:s}", "GroupName", s);
        list = "UserIdGroupPairs";
    }
    if (e) {
        if (desc)
            json_object_set(e, "Description", (json_t *)desc);
        json_object_set_new(p, list, json_pack("[o]", e));
    }
    return p;
}

/* Authorizes (or revokes) a list of CFN rules on group id. */
static int rules_apply(const struct cfn_act *x, struct cfn_res *r, const char *id,
                       const json_t *rules, bool egress, bool revoke, const json_t *except)
{
    size_t i, j;
    const json_t *rule, *o;
    json_t *perms = json_array();
    json_array_foreach(rules, i, rule)
    {
        bool skip = false;
        json_array_foreach(except, j, o) skip |= json_equal((json_t *)rule, (json_t *)o);
        if (!skip)
            json_array_append_new(perms, rule_perm(rule, egress));
    }
    if (!json_array_size(perms)) {
        json_decref(perms);
        return 0;
    }
    json_t *in = json_pack("{s:s, s:o}", "GroupId", id, "IpPermissions", perms);
    const char *op = revoke ? (egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress")
                            : (egress ? "AuthorizeSecurityGroupEgress"
                                      : "AuthorizeSecurityGroupIngress");
    static const char *const gone[] = {"InvalidPermission.NotFound", NULL};
    return prov_call(x, r, "ec2", op, in, NULL, revoke ? gone : NULL) < 0 ? -1 : 0;
}

static const json_t *default_egress(void)
{
    static json_t *all;
    if (!all)
        all = json_pack("[{s:s, s:s}]", "IpProtocol", "-1", "CidrIp", "0.0.0.0/0");
    return all;
}

static enum cfn_step sg_create(const struct cfn_act *x, struct cfn_res *r)
{
    json_t *in = json_pack("{s:s, s:s}", "GroupName", prov_name(x, r, "GroupName", 255),
                           "Description",
                           prov_str(r->props, "GroupDescription")
                               ? prov_str(r->props, "GroupDescription")
                               : "");
    const char *vpc = prov_str(r->props, "VpcId");
    if (vpc)
        json_object_set_new(in, "VpcId", json_string(vpc));
    tag_specs(in, r->props, "security-group");
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "CreateSecurityGroup", in, &out, NULL))
        return CFN_FAILED;
    const char *id = arena_strdup(x->c->a, prov_str(out, "GroupId"));
    json_decref(out);
    if (ec2_cfn_stack_tags(x, r, id))
        return prov_fail(r, "ec2", 500, "InternalError", NULL, "tagging %s failed", id);
    const json_t *egress = json_object_get(r->props, "SecurityGroupEgress");
    /* the physical id is the name without VpcId, the id with one (see the file comment) */
    prov_set_id(x, r, vpc ? id : prov_name(x, r, "GroupName", 255));
    prov_attr(r, "GroupId", json_string(id));
    json_t *d = NULL;
    json_t *din = json_pack("{s:[s]}", "GroupIds", id);
    if (prov_call(x, r, "ec2", "DescribeSecurityGroups", din, &d, NULL))
        return CFN_FAILED;
    prov_attr(r, "VpcId",
              json_deep_copy(json_object_get(json_array_get(json_object_get(d, "SecurityGroups"), 0),
                                             "VpcId")));
    json_decref(d);
    if (json_array_size(egress) &&
        (rules_apply(x, r, id, default_egress(), true, true, NULL) ||
         rules_apply(x, r, id, egress, true, false, NULL)))
        return CFN_FAILED;
    if (rules_apply(x, r, id, json_object_get(r->props, "SecurityGroupIngress"), false, false,
                    NULL))
        return CFN_FAILED;
    return CFN_DONE;
}

static const char *sg_id(const struct cfn_res *r)
{
    const char *id = json_string_value(json_object_get(r->attrs, "GroupId"));
    return id ? id : r->physical_id;
}

static enum cfn_step sg_update(const struct cfn_act *x, struct cfn_res *r,
                               const json_t *old_props)
{
    const char *id = sg_id(r);
    const json_t *oi = json_object_get(old_props, "SecurityGroupIngress");
    const json_t *ni = json_object_get(r->props, "SecurityGroupIngress");
    const json_t *oe = json_object_get(old_props, "SecurityGroupEgress");
    const json_t *ne = json_object_get(r->props, "SecurityGroupEgress");
    if (!json_array_size(oe))
        oe = default_egress();
    if (!json_array_size(ne))
        ne = default_egress();
    /* revoke what went, then authorize what came (AWS's order [doc]) */
    if (rules_apply(x, r, id, oi, false, true, ni) || rules_apply(x, r, id, oe, true, true, ne) ||
        rules_apply(x, r, id, ni, false, false, oi) || rules_apply(x, r, id, ne, true, false, oe) ||
        retag(x, r, id, old_props))
        return CFN_FAILED;
    return CFN_DONE;
}

static enum cfn_step sg_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidGroup.NotFound", "InvalidGroupId.Malformed",
                                       NULL};
    const char *id = sg_id(r);
    if (!id || !*id)
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", str_startswith(id, "sg-") ? "GroupId" : "GroupName", id);
    return prov_call(x, r, "ec2", "DeleteSecurityGroup", in, NULL, gone) < 0 ? CFN_FAILED
                                                                            : CFN_DONE;
}

static const char *const sg_replace[] = {"GroupDescription", "GroupName", "VpcId", NULL};
static const char *const sg_attrs[] = {"GroupId", "VpcId", NULL};

const struct cfn_provider ec2_cfn_sg = {
    .type = "AWS::EC2::SecurityGroup",
    .create = sg_create,
    .update = sg_update,
    .del = sg_delete,
    .replace_props = sg_replace,
    .name_prop = "GroupName",
    .name_max = 255,
    .attrs = sg_attrs,
};

/* ------------------------------------------ AWS::EC2::SecurityGroupIngress / Egress */

static enum cfn_step rule_create(const struct cfn_act *x, struct cfn_res *r, bool egress)
{
    json_t *in = json_pack("{s:[o]}", "IpPermissions", rule_perm(r->props, egress));
    const char *gid = prov_str(r->props, "GroupId");
    const char *gname = prov_str(r->props, "GroupName");
    if (gid)
        json_object_set_new(in, "GroupId", json_string(gid));
    else if (gname)
        json_object_set_new(in, "GroupName", json_string(gname));
    json_t *out = NULL;
    if (prov_call(x, r, "ec2",
                  egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress", in,
                  &out, NULL))
        return CFN_FAILED;
    const json_t *rule = json_array_get(json_object_get(out, "SecurityGroupRules"), 0);
    const char *rid = prov_str(rule, "SecurityGroupRuleId");
    if (!rid) {
        json_decref(out);
        return prov_fail(r, "ec2", 500, "InternalError", NULL, "no rule was made"); /* inferred */
    }
    prov_set_id(x, r, rid);
    prov_attr(r, "Id", json_string(rid));
    prov_attr(r, "_group", json_deep_copy(json_object_get(rule, "GroupId")));
    json_decref(out);
    return CFN_DONE;
}

static enum cfn_step rule_delete(const struct cfn_act *x, struct cfn_res *r, bool egress)
{
    static const char *const gone[] = {"InvalidGroup.NotFound", "InvalidSecurityGroupRuleId.NotFound",
                                       "InvalidPermission.NotFound", NULL};
    const char *gid = json_string_value(json_object_get(r->attrs, "_group"));
    if (!gid)
        gid = prov_str(r->props, "GroupId");
    if (!r->physical_id || !*r->physical_id || !gid)
        return CFN_DONE;
    json_t *in = json_pack("{s:s, s:[s]}", "GroupId", gid, "SecurityGroupRuleIds", r->physical_id);
    return prov_call(x, r, "ec2", egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress",
                     in, NULL, gone) < 0
               ? CFN_FAILED
               : CFN_DONE;
}

static enum cfn_step ingress_create(const struct cfn_act *x, struct cfn_res *r)
{
    return rule_create(x, r, false);
}
static enum cfn_step ingress_delete(const struct cfn_act *x, struct cfn_res *r)
{
    return rule_delete(x, r, false);
}
static enum cfn_step egress_create(const struct cfn_act *x, struct cfn_res *r)
{
    return rule_create(x, r, true);
}
static enum cfn_step egress_delete(const struct cfn_act *x, struct cfn_res *r)
{
    return rule_delete(x, r, true);
}
/* every property but Description requires replacement; a Description change is kept */
static enum cfn_step rule_update(const struct cfn_act *x, struct cfn_res *r,
                                 const json_t *old_props)
{
    (void)x;
    (void)old_props;
    (void)r;
    return CFN_DONE;
}

static const char *const ingress_replace[] = {
    "GroupId",  "GroupName",          "IpProtocol",          "FromPort",
    "ToPort",   "CidrIp",             "CidrIpv6",            "SourcePrefixListId",
    "SourceSecurityGroupId", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId", NULL};
static const char *const egress_replace[] = {
    "GroupId", "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6",
    "DestinationPrefixListId", "DestinationSecurityGroupId", NULL};
static const char *const rule_attrs[] = {"Id", NULL};

const struct cfn_provider ec2_cfn_sg_ingress = {
    .type = "AWS::EC2::SecurityGroupIngress",
    .create = ingress_create,
    .update = rule_update,
    .del = ingress_delete,
    .replace_props = ingress_replace,
    .attrs = rule_attrs,
};

const struct cfn_provider ec2_cfn_sg_egress = {
    .type = "AWS::EC2::SecurityGroupEgress",
    .create = egress_create,
    .update = rule_update,
    .del = egress_delete,
    .replace_props = egress_replace,
    .attrs = rule_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::KeyPair */

static enum cfn_step key_create(const struct cfn_act *x, struct cfn_res *r)
{
    const char *name = prov_str(r->props, "KeyName");
    const char *pub = prov_str(r->props, "PublicKeyMaterial");
    json_t *in = json_pack("{s:s}", "KeyName", name ? name : "");
    const char *s;
    if (!pub) {
        if ((s = prov_str(r->props, "KeyType")))
            json_object_set_new(in, "KeyType", json_string(s));
        if ((s = prov_str(r->props, "KeyFormat")))
            json_object_set_new(in, "KeyFormat", json_string(s));
    } else {
        json_object_set_new(in, "PublicKeyMaterial", json_string(pub));
    }
    tag_specs(in, r->props, "key-pair");
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", pub ? "ImportKeyPair" : "CreateKeyPair", in, &out, NULL))
        return CFN_FAILED;
    const char *id = arena_strdup(x->c->a, prov_str(out, "KeyPairId"));
    prov_set_id(x, r, name);
    prov_attr(r, "KeyPairId", json_string(id));
    prov_attr(r, "KeyFingerprint", json_deep_copy(json_object_get(out, "KeyFingerprint")));
    const char *mat = prov_str(out, "KeyMaterial");
    if (mat) {
        json_t *pin = json_pack("{s:s, s:s, s:s}", "Name",
                                arena_printf(x->c->a, "/ec2/keypair/%s", id), "Type",
                                "SecureString", "Value", mat);
        if (prov_call(x, r, "ssm", "PutParameter", pin, NULL, NULL)) {
            json_decref(out);
            return CFN_FAILED;
        }
    }
    json_decref(out);
    if (ec2_cfn_stack_tags(x, r, id))
        return prov_fail(r, "ec2", 500, "InternalError", NULL, "tagging %s failed", id);
    return CFN_DONE;
}

static enum cfn_step key_delete(const struct cfn_act *x, struct cfn_res *r)
{
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    const char *id = json_string_value(json_object_get(r->attrs, "KeyPairId"));
    if (!id) {
        static const char *const nf[] = {"InvalidKeyPair.NotFound", NULL};
        json_t *out = NULL;
        json_t *din = json_pack("{s:[s]}", "KeyNames", r->physical_id);
        if (prov_call(x, r, "ec2", "DescribeKeyPairs", din, &out, nf) < 0)
            return CFN_FAILED;
        const char *k = prov_str(json_array_get(json_object_get(out, "KeyPairs"), 0), "KeyPairId");
        id = k ? arena_strdup(x->c->a, k) : NULL;
        json_decref(out);
    }
    json_t *in = json_pack("{s:s}", "KeyName", r->physical_id);
    if (prov_call(x, r, "ec2", "DeleteKeyPair", in, NULL, NULL))
        return CFN_FAILED;
    if (id && !prov_str(r->props, "PublicKeyMaterial")) {
        static const char *const gone[] = {"ParameterNotFound", NULL};
        json_t *pin = json_pack("{s:s}", "Name", arena_printf(x->c->a, "/ec2/keypair/%s", id));
        if (prov_call(x, r, "ssm", "DeleteParameter", pin, NULL, gone) < 0)
            return CFN_FAILED;
    }
    return CFN_DONE;
}

static const char *const key_replace[] = {"KeyName", "KeyType", "KeyFormat", "PublicKeyMaterial",
                                          "Tags", NULL};
static const char *const key_attrs[] = {"KeyFingerprint", "KeyPairId", NULL};

const struct cfn_provider ec2_cfn_key = {
    .type = "AWS::EC2::KeyPair",
    .create = key_create,
    .update = tags_only_update,
    .del = key_delete,
    .replace_props = key_replace,
    .attrs = key_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::EIP */

static int eip_associate(const struct cfn_act *x, struct cfn_res *r, const char *alloc)
{
    const char *inst = prov_str(r->props, "InstanceId");
    if (!inst)
        return 0;
    json_t *in = json_pack("{s:s, s:s, s:b}", "AllocationId", alloc, "InstanceId", inst,
                           "AllowReassociation", true);
    return prov_call(x, r, "ec2", "AssociateAddress", in, NULL, NULL) ? -1 : 0;
}

static int eip_disassociate(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidAddress.NotFound", "InvalidAssociationID.NotFound",
                                       NULL};
    json_t *in = json_pack("{s:s}", "PublicIp", r->physical_id);
    return prov_call(x, r, "ec2", "DisassociateAddress", in, NULL, gone) < 0 ? -1 : 0;
}

static enum cfn_step eip_create(const struct cfn_act *x, struct cfn_res *r)
{
    json_t *in = json_pack("{s:s}", "Domain", "vpc");
    tag_specs(in, r->props, "elastic-ip");
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "AllocateAddress", in, &out, NULL))
        return CFN_FAILED;
    const char *alloc = arena_strdup(x->c->a, prov_str(out, "AllocationId"));
    prov_set_id(x, r, prov_str(out, "PublicIp"));
    prov_attr(r, "AllocationId", json_string(alloc));
    prov_attr(r, "PublicIp", json_deep_copy(json_object_get(out, "PublicIp")));
    json_decref(out);
    if (ec2_cfn_stack_tags(x, r, alloc))
        return prov_fail(r, "ec2", 500, "InternalError", NULL, "tagging %s failed", alloc);
    return eip_associate(x, r, alloc) ? CFN_FAILED : CFN_DONE;
}

static enum cfn_step eip_update(const struct cfn_act *x, struct cfn_res *r,
                                const json_t *old_props)
{
    const char *alloc = json_string_value(json_object_get(r->attrs, "AllocationId"));
    if (prov_changed(json_object_get(old_props, "InstanceId"),
                     json_object_get(r->props, "InstanceId"))) {
        if (!prov_str(r->props, "InstanceId") && eip_disassociate(x, r))
            return CFN_FAILED;
        if (eip_associate(x, r, alloc))
            return CFN_FAILED;
    }
    return retag(x, r, alloc, old_props) ? CFN_FAILED : CFN_DONE;
}

static enum cfn_step eip_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidAllocationID.NotFound", "InvalidAddress.NotFound",
                                       NULL};
    const char *alloc = json_string_value(json_object_get(r->attrs, "AllocationId"));
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    if (!alloc) { /* the allocation of the address (the physical id) */
        json_t *out = NULL;
        json_t *din = json_pack("{s:[s]}", "PublicIps", r->physical_id);
        int rc = prov_call(x, r, "ec2", "DescribeAddresses", din, &out, gone);
        if (rc < 0)
            return CFN_FAILED;
        alloc = rc ? NULL
                   : arena_strdup(x->c->a, prov_str(json_array_get(json_object_get(out, "Addresses"),
                                                                   0),
                                                    "AllocationId"));
        json_decref(out);
        if (!alloc)
            return CFN_DONE;
    }
    if (eip_disassociate(x, r))
        return CFN_FAILED;
    json_t *in = json_pack("{s:s}", "AllocationId", alloc);
    return prov_call(x, r, "ec2", "ReleaseAddress", in, NULL, gone) < 0 ? CFN_FAILED : CFN_DONE;
}

static const char *const eip_replace[] = {"Domain", "NetworkBorderGroup", "PublicIpv4Pool",
                                          "TransferAddress", NULL};
static const char *const eip_attrs[] = {"AllocationId", "PublicIp", NULL};

const struct cfn_provider ec2_cfn_eip = {
    .type = "AWS::EC2::EIP",
    .create = eip_create,
    .update = eip_update,
    .del = eip_delete,
    .replace_props = eip_replace,
    .attrs = eip_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::EIPAssociation */

static enum cfn_step eipa_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {"AllocationId", "InstanceId", "NetworkInterfaceId",
                                         "PrivateIpAddress", NULL};
    json_t *in = prov_pick(r->props, direct);
    const char *ip = prov_str(r->props, "EIP");
    if (ip)
        json_object_set_new(in, "PublicIp", json_string(ip));
    json_object_set_new(in, "AllowReassociation", json_true());
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "AssociateAddress", in, &out, NULL))
        return CFN_FAILED;
    prov_set_id(x, r, prov_str(out, "AssociationId"));
    prov_attr(r, "Id", json_deep_copy(json_object_get(out, "AssociationId")));
    json_decref(out);
    return CFN_DONE;
}

static enum cfn_step eipa_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidAssociationID.NotFound", NULL};
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", "AssociationId", r->physical_id);
    return prov_call(x, r, "ec2", "DisassociateAddress", in, NULL, gone) < 0 ? CFN_FAILED
                                                                            : CFN_DONE;
}

static const char *const eipa_replace[] = {"AllocationId", "EIP", "InstanceId",
                                           "NetworkInterfaceId", "PrivateIpAddress", NULL};
static const char *const eipa_attrs[] = {"Id", NULL};

const struct cfn_provider ec2_cfn_eipa = {
    .type = "AWS::EC2::EIPAssociation",
    .create = eipa_create,
    .update = rule_update,
    .del = eipa_delete,
    .replace_props = eipa_replace,
    .attrs = eipa_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::NetworkInterface */

static enum cfn_step eni_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {"SubnetId", "Description", "PrivateIpAddress", NULL};
    json_t *in = prov_pick(r->props, direct);
    const json_t *gs = json_object_get(r->props, "GroupSet");
    if (json_array_size(gs))
        json_object_set(in, "Groups", (json_t *)gs);
    tag_specs(in, r->props, "network-interface");
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "CreateNetworkInterface", in, &out, NULL))
        return CFN_FAILED;
    const json_t *ni = json_object_get(out, "NetworkInterface");
    const char *id = arena_strdup(x->c->a, prov_str(ni, "NetworkInterfaceId"));
    prov_set_id(x, r, id);
    prov_attr(r, "Id", json_string(id));
    prov_attr(r, "PrimaryPrivateIpAddress", json_deep_copy(json_object_get(ni, "PrivateIpAddress")));
    prov_attr(r, "SecondaryPrivateIpAddresses", json_array());
    json_decref(out);
    return ec2_cfn_stack_tags(x, r, id) ? CFN_FAILED : CFN_DONE;
}

static enum cfn_step eni_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidNetworkInterfaceID.NotFound", NULL};
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", "NetworkInterfaceId", r->physical_id);
    return prov_call(x, r, "ec2", "DeleteNetworkInterface", in, NULL, gone) < 0 ? CFN_FAILED
                                                                               : CFN_DONE;
}

static const char *const eni_replace[] = {"SubnetId", "PrivateIpAddress", "PrivateIpAddresses",
                                          "Ipv6Addresses", "InterfaceType", "GroupSet",
                                          "Description", "SourceDestCheck",
                                          "SecondaryPrivateIpAddressCount", NULL};
static const char *const eni_attrs[] = {"Id", "PrimaryPrivateIpAddress",
                                        "SecondaryPrivateIpAddresses", NULL};

const struct cfn_provider ec2_cfn_eni = {
    .type = "AWS::EC2::NetworkInterface",
    .create = eni_create,
    .update = tags_only_update,
    .del = eni_delete,
    .replace_props = eni_replace,
    .attrs = eni_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::LaunchTemplate */

static void lt_attrs_from(struct cfn_res *r, const json_t *lt)
{
    prov_attr(r, "LaunchTemplateId", json_deep_copy(json_object_get(lt, "LaunchTemplateId")));
    prov_attr(r, "LatestVersionNumber",
              json_sprintf("%" JSON_INTEGER_FORMAT,
                           json_integer_value(json_object_get(lt, "LatestVersionNumber"))));
    prov_attr(r, "DefaultVersionNumber",
              json_sprintf("%" JSON_INTEGER_FORMAT,
                           json_integer_value(json_object_get(lt, "DefaultVersionNumber"))));
}

static enum cfn_step lt_create(const struct cfn_act *x, struct cfn_res *r)
{
    json_t *in = json_pack("{s:s}", "LaunchTemplateName",
                           prov_name(x, r, "LaunchTemplateName", 128));
    const json_t *data = json_object_get(r->props, "LaunchTemplateData");
    json_object_set_new(in, "LaunchTemplateData", data ? json_deep_copy(data) : json_object());
    const char *d = prov_str(r->props, "VersionDescription");
    if (d)
        json_object_set_new(in, "VersionDescription", json_string(d));
    const json_t *ts = json_object_get(r->props, "TagSpecifications");
    if (json_array_size(ts))
        json_object_set(in, "TagSpecifications", (json_t *)ts);
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "CreateLaunchTemplate", in, &out, NULL))
        return CFN_FAILED;
    const json_t *lt = json_object_get(out, "LaunchTemplate");
    const char *id = arena_strdup(x->c->a, prov_str(lt, "LaunchTemplateId"));
    prov_set_id(x, r, id);
    lt_attrs_from(r, lt);
    json_decref(out);
    return ec2_cfn_stack_tags(x, r, id) ? CFN_FAILED : CFN_DONE;
}

static enum cfn_step lt_update(const struct cfn_act *x, struct cfn_res *r,
                               const json_t *old_props)
{
    const json_t *data = json_object_get(r->props, "LaunchTemplateData");
    if (!prov_changed(json_object_get(old_props, "LaunchTemplateData"), data) &&
        !prov_changed(json_object_get(old_props, "VersionDescription"),
                      json_object_get(r->props, "VersionDescription")))
        return CFN_DONE;
    json_t *in = json_pack("{s:s, s:O}", "LaunchTemplateId", r->physical_id, "LaunchTemplateData",
                           data ? data : json_object());
    const char *d = prov_str(r->props, "VersionDescription");
    if (d)
        json_object_set_new(in, "VersionDescription", json_string(d));
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "CreateLaunchTemplateVersion", in, &out, NULL))
        return CFN_FAILED;
    json_decref(out);
    json_t *din = json_pack("{s:[s]}", "LaunchTemplateIds", r->physical_id);
    if (prov_call(x, r, "ec2", "DescribeLaunchTemplates", din, &out, NULL))
        return CFN_FAILED;
    lt_attrs_from(r, json_array_get(json_object_get(out, "LaunchTemplates"), 0));
    json_decref(out);
    return CFN_DONE;
}

static enum cfn_step lt_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidLaunchTemplateId.NotFound",
                                       "InvalidLaunchTemplateId.Malformed", NULL};
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", "LaunchTemplateId", r->physical_id);
    return prov_call(x, r, "ec2", "DeleteLaunchTemplate", in, NULL, gone) < 0 ? CFN_FAILED
                                                                             : CFN_DONE;
}

static const char *const lt_replace[] = {"LaunchTemplateName", "TagSpecifications", NULL};
static const char *const lt_attrs[] = {"LaunchTemplateId", "LatestVersionNumber",
                                       "DefaultVersionNumber", NULL};

const struct cfn_provider ec2_cfn_lt = {
    .type = "AWS::EC2::LaunchTemplate",
    .create = lt_create,
    .update = lt_update,
    .del = lt_delete,
    .replace_props = lt_replace,
    .name_prop = "LaunchTemplateName",
    .name_max = 128,
    .attrs = lt_attrs,
};
