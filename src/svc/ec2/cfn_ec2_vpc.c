/*
 * cfn_ec2_vpc.c — CloudFormation types of VPCs and their plumbing, through EC2's operations
 * as the stack's principal [doc: CFN UG aws-resource-ec2-vpc, -subnet, -routetable, -route,
 * -subnetroutetableassociation, -internetgateway, -vpcgatewayattachment]:
 *   AWS::EC2::VPC (Ref: VpcId; GetAtt CidrBlock, CidrBlockAssociations, DefaultNetworkAcl,
 *     DefaultSecurityGroup, Ipv6CidrBlocks, VpcId),
 *   AWS::EC2::Subnet (Ref: SubnetId; GetAtt AvailabilityZone, AvailabilityZoneId, CidrBlock,
 *     Ipv6CidrBlocks, NetworkAclAssociationId, OutpostArn, SubnetId, VpcId),
 *   AWS::EC2::RouteTable (Ref and GetAtt RouteTableId), AWS::EC2::Route (Ref: "rtb|cidr";
 *     GetAtt CidrBlock), AWS::EC2::SubnetRouteTableAssociation (Ref and GetAtt Id),
 *   AWS::EC2::InternetGateway (Ref and GetAtt InternetGatewayId),
 *   AWS::EC2::VPCGatewayAttachment (Ref: "IGW|vpc"; GetAtt AttachmentType).
 * Made resources carry the stack tags (cfn_ec2_net.c).
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "svc/ec2/ec2_net.h"
#include "svc/provider.h"
#include "wire/models/ec2_members.h"
#include "wire/wire.h"

static void tag_specs(json_t *in, const json_t *props, const char *rt)
{
    json_t *tags = json_object_get(props, "Tags");
    if (json_is_array(tags) && json_array_size(tags))
        json_object_set_new(in, EC2_IN_TagSpecifications,
                            json_pack("[{s:s, s:O}]", "ResourceType", rt, "Tags", tags));
}

static enum cfn_step tagged(const struct cfn_act *x, struct cfn_res *r, const char *id)
{
    return ec2_cfn_stack_tags(x, r, id)
               ? prov_fail(r, "ec2", 500, "InternalError", NULL, "tagging %s failed", id)
               : CFN_DONE;
}

static enum cfn_step simple_delete(const struct cfn_act *x, struct cfn_res *r, const char *op,
                                   const char *member, const char *const *gone)
{
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", member, r->physical_id);
    return prov_call(x, r, "ec2", op, in, NULL, gone) < 0 ? CFN_FAILED : CFN_DONE;
}

static enum cfn_step no_update(const struct cfn_act *x, struct cfn_res *r,
                               const json_t *old_props)
{
    (void)x;
    (void)r;
    (void)old_props;
    return CFN_DONE;
}

/* Tags only (the rest replaces): CreateTags / DeleteTags. */
static enum cfn_step tags_update(const struct cfn_act *x, struct cfn_res *r,
                                 const json_t *old_props)
{
    const json_t *ot = json_object_get(old_props, "Tags"), *nt = json_object_get(r->props, "Tags");
    if (!prov_changed(ot, nt))
        return CFN_DONE;
    json_t *gone = prov_removed_tag_keys(ot, nt);
    if (json_array_size(gone)) {
        json_t *keys = json_array();
        size_t i;
        json_t *k;
        json_array_foreach(gone, i, k) json_array_append_new(keys, json_pack("{s:O}", "Key", k));
        json_t *in = json_pack("{s:[s], s:o}", "Resources", r->physical_id, "Tags", keys);
        if (prov_call(x, r, "ec2", "DeleteTags", in, NULL, NULL)) {
            json_decref(gone);
            return CFN_FAILED;
        }
    }
    json_decref(gone);
    if (json_array_size(nt)) {
        json_t *in = json_pack("{s:[s], s:O}", "Resources", r->physical_id, "Tags", nt);
        if (prov_call(x, r, "ec2", "CreateTags", in, NULL, NULL))
            return CFN_FAILED;
    }
    return CFN_DONE;
}

/* ------------------------------------------------------------ AWS::EC2::VPC */

static int vpc_dns(const struct cfn_act *x, struct cfn_res *r, const char *id, const char *prop)
{
    const json_t *v = json_object_get(r->props, prop);
    if (!v)
        return 0;
    bool b = json_is_true(v) || str_eq(json_string_value(v), "true");
    json_t *in = json_pack("{s:s, s:{s:b}}", "VpcId", id, prop, "Value", b);
    return prov_call(x, r, "ec2", "ModifyVpcAttribute", in, NULL, NULL) ? -1 : 0;
}

static enum cfn_step vpc_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {"CidrBlock", "InstanceTenancy", NULL};
    json_t *in = prov_pick(r->props, direct);
    tag_specs(in, r->props, "vpc");
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "CreateVpc", in, &out, NULL))
        return CFN_FAILED;
    const json_t *v = json_object_get(out, "Vpc");
    const char *id = arena_strdup(x->c->a, prov_str(v, "VpcId"));
    prov_set_id(x, r, id);
    prov_attr(r, "VpcId", json_string(id));
    prov_attr(r, "CidrBlock", json_deep_copy(json_object_get(v, "CidrBlock")));
    prov_attr(r, "CidrBlockAssociations",
              json_pack("[O]", json_object_get(json_array_get(json_object_get(v,
                                                                              "CidrBlockAssociationSet"),
                                                              0),
                                               "AssociationId")));
    prov_attr(r, "Ipv6CidrBlocks", json_array());
    prov_attr(r, "DefaultNetworkAcl", json_string(""));
    json_decref(out);
    json_t *sin = json_pack("{s:[{s:s, s:[s]}, {s:s, s:[s]}]}", "Filters", "Name", "vpc-id",
                            "Values", id, "Name", "group-name", "Values", "default");
    if (prov_call(x, r, "ec2", "DescribeSecurityGroups", sin, &out, NULL))
        return CFN_FAILED;
    prov_attr(r, "DefaultSecurityGroup",
              json_deep_copy(json_object_get(json_array_get(json_object_get(out, "SecurityGroups"), 0),
                                             "GroupId")));
    json_decref(out);
    if (vpc_dns(x, r, id, "EnableDnsSupport") || vpc_dns(x, r, id, "EnableDnsHostnames"))
        return CFN_FAILED;
    return tagged(x, r, id);
}

static enum cfn_step vpc_update(const struct cfn_act *x, struct cfn_res *r,
                                const json_t *old_props)
{
    if (vpc_dns(x, r, r->physical_id, "EnableDnsSupport") ||
        vpc_dns(x, r, r->physical_id, "EnableDnsHostnames"))
        return CFN_FAILED;
    return tags_update(x, r, old_props);
}

static enum cfn_step vpc_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidVpcID.NotFound", NULL};
    return simple_delete(x, r, "DeleteVpc", "VpcId", gone);
}

static const char *const vpc_replace[] = {"CidrBlock", "InstanceTenancy", "Ipv4IpamPoolId",
                                          "Ipv4NetmaskLength", NULL};
static const char *const vpc_attrs[] = {"CidrBlock",      "CidrBlockAssociations",
                                        "DefaultNetworkAcl", "DefaultSecurityGroup",
                                        "Ipv6CidrBlocks", "VpcId", NULL};

const struct cfn_provider ec2_cfn_vpc = {
    .type = "AWS::EC2::VPC",
    .create = vpc_create,
    .update = vpc_update,
    .del = vpc_delete,
    .replace_props = vpc_replace,
    .attrs = vpc_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::Subnet */

static int subnet_map(const struct cfn_act *x, struct cfn_res *r, const char *id)
{
    const json_t *v = json_object_get(r->props, "MapPublicIpOnLaunch");
    if (!v)
        return 0;
    bool b = json_is_true(v) || str_eq(json_string_value(v), "true");
    json_t *in = json_pack("{s:s, s:{s:b}}", "SubnetId", id, "MapPublicIpOnLaunch", "Value", b);
    return prov_call(x, r, "ec2", "ModifySubnetAttribute", in, NULL, NULL) ? -1 : 0;
}

static enum cfn_step subnet_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {"VpcId", "CidrBlock", "AvailabilityZone",
                                         "AvailabilityZoneId", NULL};
    json_t *in = prov_pick(r->props, direct);
    tag_specs(in, r->props, "subnet");
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "CreateSubnet", in, &out, NULL))
        return CFN_FAILED;
    const json_t *s = json_object_get(out, "Subnet");
    const char *id = arena_strdup(x->c->a, prov_str(s, "SubnetId"));
    prov_set_id(x, r, id);
    static const char *const copy[] = {"AvailabilityZone", "AvailabilityZoneId", "CidrBlock",
                                       "SubnetId", "VpcId", NULL};
    for (size_t i = 0; copy[i]; i++)
        prov_attr(r, copy[i], json_deep_copy(json_object_get(s, copy[i])));
    prov_attr(r, "Ipv6CidrBlocks", json_array());
    prov_attr(r, "NetworkAclAssociationId", json_string(""));
    prov_attr(r, "OutpostArn", json_string(""));
    json_decref(out);
    return subnet_map(x, r, id) ? CFN_FAILED : tagged(x, r, id);
}

static enum cfn_step subnet_update(const struct cfn_act *x, struct cfn_res *r,
                                   const json_t *old_props)
{
    return subnet_map(x, r, r->physical_id) ? CFN_FAILED : tags_update(x, r, old_props);
}

static enum cfn_step subnet_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidSubnetID.NotFound", NULL};
    return simple_delete(x, r, "DeleteSubnet", "SubnetId", gone);
}

static const char *const subnet_replace[] = {"VpcId", "CidrBlock", "AvailabilityZone",
                                             "AvailabilityZoneId", NULL};
static const char *const subnet_attrs[] = {
    "AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "Ipv6CidrBlocks",
    "NetworkAclAssociationId", "OutpostArn", "SubnetId", "VpcId", NULL};

const struct cfn_provider ec2_cfn_subnet = {
    .type = "AWS::EC2::Subnet",
    .create = subnet_create,
    .update = subnet_update,
    .del = subnet_delete,
    .replace_props = subnet_replace,
    .attrs = subnet_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::RouteTable */

static enum cfn_step rt_create(const struct cfn_act *x, struct cfn_res *r)
{
    json_t *in = json_pack("{s:s}", "VpcId", prov_str(r->props, "VpcId") ? prov_str(r->props, "VpcId") : "");
    tag_specs(in, r->props, "route-table");
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "CreateRouteTable", in, &out, NULL))
        return CFN_FAILED;
    const char *id = arena_strdup(x->c->a, prov_str(json_object_get(out, "RouteTable"),
                                                   "RouteTableId"));
    json_decref(out);
    prov_set_id(x, r, id);
    prov_attr(r, "RouteTableId", json_string(id));
    return tagged(x, r, id);
}

static enum cfn_step rt_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidRouteTableID.NotFound", NULL};
    return simple_delete(x, r, "DeleteRouteTable", "RouteTableId", gone);
}

static const char *const rt_replace[] = {"VpcId", NULL};
static const char *const rt_attrs[] = {"RouteTableId", NULL};

const struct cfn_provider ec2_cfn_route_table = {
    .type = "AWS::EC2::RouteTable",
    .create = rt_create,
    .update = tags_update,
    .del = rt_delete,
    .replace_props = rt_replace,
    .attrs = rt_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::Route */

static const char *const route_targets[] = {"GatewayId", "InstanceId", "NetworkInterfaceId",
                                            "NatGatewayId", NULL};

static enum cfn_step route_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {"RouteTableId", "DestinationCidrBlock", "GatewayId",
                                         "InstanceId", "NetworkInterfaceId", "NatGatewayId", NULL};
    json_t *in = prov_pick(r->props, direct);
    if (prov_call(x, r, "ec2", "CreateRoute", in, NULL, NULL))
        return CFN_FAILED;
    const char *rt = prov_str(r->props, "RouteTableId");
    const char *dest = prov_str(r->props, "DestinationCidrBlock");
    prov_set_id(x, r, arena_printf(x->c->a, "%s|%s", rt ? rt : "", dest ? dest : ""));
    prov_attr(r, "CidrBlock", json_string(dest ? dest : ""));
    return CFN_DONE;
}

static enum cfn_step route_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidRoute.NotFound", "InvalidRouteTableID.NotFound",
                                       NULL};
    const char *rt = prov_str(r->props, "RouteTableId");
    const char *dest = prov_str(r->props, "DestinationCidrBlock");
    if (!rt || !dest || !r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:s, s:s}", "RouteTableId", rt, "DestinationCidrBlock", dest);
    return prov_call(x, r, "ec2", "DeleteRoute", in, NULL, gone) < 0 ? CFN_FAILED : CFN_DONE;
}

/* a new target: DeleteRoute + CreateRoute (AWS uses ReplaceRoute, inferred equivalent) */
static enum cfn_step route_update(const struct cfn_act *x, struct cfn_res *r,
                                  const json_t *old_props)
{
    bool changed = false;
    for (size_t i = 0; route_targets[i]; i++)
        changed |= prov_changed(json_object_get(old_props, route_targets[i]),
                                json_object_get(r->props, route_targets[i]));
    if (!changed)
        return CFN_DONE;
    return route_delete(x, r) == CFN_DONE ? route_create(x, r) : CFN_FAILED;
}

static const char *const route_replace[] = {"RouteTableId", "DestinationCidrBlock",
                                            "DestinationIpv6CidrBlock", NULL};
static const char *const route_attrs[] = {"CidrBlock", NULL};

const struct cfn_provider ec2_cfn_route = {
    .type = "AWS::EC2::Route",
    .create = route_create,
    .update = route_update,
    .del = route_delete,
    .replace_props = route_replace,
    .attrs = route_attrs,
};

/* ---------------------------------------------- AWS::EC2::SubnetRouteTableAssociation */

static enum cfn_step assoc_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {"RouteTableId", "SubnetId", NULL};
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "AssociateRouteTable", prov_pick(r->props, direct), &out, NULL))
        return CFN_FAILED;
    prov_set_id(x, r, prov_str(out, "AssociationId"));
    prov_attr(r, "Id", json_deep_copy(json_object_get(out, "AssociationId")));
    json_decref(out);
    return CFN_DONE;
}

static enum cfn_step assoc_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidAssociationID.NotFound", NULL};
    return simple_delete(x, r, "DisassociateRouteTable", "AssociationId", gone);
}

static const char *const assoc_replace[] = {"RouteTableId", "SubnetId", NULL};
static const char *const assoc_attrs[] = {"Id", NULL};

const struct cfn_provider ec2_cfn_subnet_rt_assoc = {
    .type = "AWS::EC2::SubnetRouteTableAssociation",
    .create = assoc_create,
    .update = no_update,
    .del = assoc_delete,
    .replace_props = assoc_replace,
    .attrs = assoc_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::InternetGateway */

static enum cfn_step igw_create(const struct cfn_act *x, struct cfn_res *r)
{
    json_t *in = json_object();
    tag_specs(in, r->props, "internet-gateway");
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "CreateInternetGateway", in, &out, NULL))
        return CFN_FAILED;
    const char *id = arena_strdup(x->c->a, prov_str(json_object_get(out, "InternetGateway"),
                                                   "InternetGatewayId"));
    json_decref(out);
    prov_set_id(x, r, id);
    prov_attr(r, "InternetGatewayId", json_string(id));
    return tagged(x, r, id);
}

static enum cfn_step igw_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidInternetGatewayID.NotFound", NULL};
    return simple_delete(x, r, "DeleteInternetGateway", "InternetGatewayId", gone);
}

static const char *const igw_replace[] = {NULL};
static const char *const igw_attrs[] = {"InternetGatewayId", NULL};

const struct cfn_provider ec2_cfn_igw = {
    .type = "AWS::EC2::InternetGateway",
    .create = igw_create,
    .update = tags_update,
    .del = igw_delete,
    .replace_props = igw_replace,
    .attrs = igw_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::VPCGatewayAttachment */

static enum cfn_step att_create(const struct cfn_act *x, struct cfn_res *r)
{
    const char *igw = prov_str(r->props, "InternetGatewayId");
    const char *vpc = prov_str(r->props, "VpcId");
    if (!igw)
        return prov_invalid(r, "#/InternetGatewayId: a VPN gateway (VpnGatewayId) is not "
                               "supported by recoverlab"); /* inferred */
    json_t *in = json_pack("{s:s, s:s}", "InternetGatewayId", igw, "VpcId", vpc ? vpc : "");
    if (prov_call(x, r, "ec2", "AttachInternetGateway", in, NULL, NULL))
        return CFN_FAILED;
    prov_set_id(x, r, arena_printf(x->c->a, "IGW|%s", vpc ? vpc : ""));
    prov_attr(r, "AttachmentType", json_string("igw"));
    return CFN_DONE;
}

static enum cfn_step att_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"InvalidInternetGatewayID.NotFound", "Gateway.NotAttached",
                                       "InvalidVpcID.NotFound", NULL};
    const char *igw = prov_str(r->props, "InternetGatewayId");
    const char *vpc = prov_str(r->props, "VpcId");
    if (!igw || !vpc || !r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:s, s:s}", "InternetGatewayId", igw, "VpcId", vpc);
    return prov_call(x, r, "ec2", "DetachInternetGateway", in, NULL, gone) < 0 ? CFN_FAILED
                                                                              : CFN_DONE;
}

static const char *const att_replace[] = {"InternetGatewayId", "VpcId", "VpnGatewayId", NULL};
static const char *const att_attrs[] = {"AttachmentType", NULL};

const struct cfn_provider ec2_cfn_vpc_gw_attachment = {
    .type = "AWS::EC2::VPCGatewayAttachment",
    .create = att_create,
    .update = no_update,
    .del = att_delete,
    .replace_props = att_replace,
    .attrs = att_attrs,
};
