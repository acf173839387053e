/*
 * cfn_params_ec2.c — EC2's answer to CloudFormation's AWS-specific parameter types
 * (svc/provider.h struct cfn_param_hook): AWS::EC2::KeyPair::KeyName, Instance::Id,
 * VPC::Id, Subnet::Id, SecurityGroup::Id, SecurityGroup::GroupName, Volume::Id, Image::Id,
 * AvailabilityZone::Name and their List<...> forms [doc: CFN UG parameters-section-structure
 * "AWS-specific parameter types"]. Each value must name something that exists, as the stack
 * operation's caller sees it (EC2's Describe* operations through svc_invoke, recorded as
 * invoked by CloudFormation); otherwise AWS's "Parameter validation failed: parameter value
 * X for parameter name N does not exist." [obs].
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "svc/ec2/ec2_net.h"
#include "svc/invoke.h"
#include "svc/provider.h"

static const struct {
    const char *type, *op, *member, *list;
} checks[] = {
    {"AWS::EC2::KeyPair::KeyName", "DescribeKeyPairs", "KeyNames", NULL},
    {"AWS::EC2::Instance::Id", "DescribeInstances", "InstanceIds", NULL},
    {"AWS::EC2::VPC::Id", "DescribeVpcs", "VpcIds", NULL},
    {"AWS::EC2::Subnet::Id", "DescribeSubnets", "SubnetIds", NULL},
    {"AWS::EC2::SecurityGroup::Id", "DescribeSecurityGroups", "GroupIds", NULL},
    {"AWS::EC2::SecurityGroup::GroupName", "DescribeSecurityGroups", "GroupNames", NULL},
    {"AWS::EC2::Volume::Id", "DescribeVolumes", "VolumeIds", NULL},
    {"AWS::EC2::Image::Id", "DescribeImages", "ImageIds", NULL},
    {"AWS::EC2::AvailabilityZone::Name", "DescribeAvailabilityZones", "ZoneNames",
     "AvailabilityZones"},
};

static int check_of(const char *elem)
{
    for (size_t i = 0; i < ARRAY_LEN(checks); i++)
        if (str_eq(checks[i].type, elem))
            return (int)i;
    return -1;
}

static bool takes(const char *type, const struct cfn_ptype *pt)
{
    (void)type;
    return pt->family == CFN_PT_AWS && check_of(pt->elem) >= 0;
}

static int resolve(const struct cfn_act *x, const char *name, const char *type,
                   const struct cfn_ptype *pt, const json_t *value, json_t **out, char *msg,
                   size_t cap)
{
    (void)type;
    (void)out;
    int k = check_of(pt->elem);
    if (k < 0)
        return 0;
    json_t *vals = json_is_array(value) ? json_incref((json_t *)value)
                                        : json_pack("[O]", (json_t *)value);
    size_t i;
    const json_t *v;
    int rc = 0;
    json_array_foreach(vals, i, v)
    {
        const char *s = json_string_value(v);
        bool found = false;
        if (s && *s) {
            json_t *in = json_pack("{s:[s]}", checks[k].member, s), *res = NULL;
            struct call err;
            memset(&err, 0, sizeof(err));
            int ir = svc_invoke(x->c, x->who, CFN_SERVICE, "ec2", checks[k].op, in, &res, &err);
            json_decref(in);
            found = ir == 0 &&
                    (!checks[k].list || json_array_size(json_object_get(res, checks[k].list)));
            json_decref(res);
            if (ir && err.err.code &&
                (str_eq(err.err.code, "UnauthorizedOperation") ||
                 str_eq(err.err.code, "AuthFailure"))) {
                snprintf(msg, cap, "%s", err.err.message ? err.err.message : err.err.code);
                rc = -1;
                break;
            }
        }
        if (!found) {
            snprintf(msg, cap,
                     "Parameter validation failed: parameter value %s for parameter name %s does "
                     "not exist.",
                     s ? s : "", name); /* [obs] */
            rc = -1;
            break;
        }
    }
    json_decref(vals);
    return rc;
}

const struct cfn_param_hook ec2_cfn_param_types = {.takes = takes, .resolve = resolve};
const struct cfn_param_hook *const ec2_cfn_param_hooks[] = {&ec2_cfn_param_types, NULL};
