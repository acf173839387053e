/*
 * validate.c — structure validation of a loaded template with AWS's messages
 * (aws-behaviour §5.4 and observed texts; the ones we could not confirm carry `inferred`).
 * Order of checks: top-level sections, format version, Description, Resources (present,
 * logical ids, Type, attributes), resource types, Parameters, Mappings, Conditions,
 * condition references, Fn::GetAtt targets, Ref/Sub/DependsOn targets, Outputs, cycles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

/*
 * The resource types the lab implements and the attributes Fn::GetAtt may read of each (the
 * resource reference pages' return values and the registry schemas' read-only properties).
 * The server's providers (svc/<id>/cfn_<id>.c) serve exactly these types with exactly these
 * attributes; the library keeps its own table because `recoverlab lint` validates templates
 * without the server's code. cfn_types_test fails when the two disagree.
 */
static const struct {
    const char *type;
    const char *attrs[10]; /* NULL-terminated: at most 9 */
} type_table[] = {
    {"AWS::EC2::Instance",
     {"AvailabilityZone", "PrivateDnsName", "PrivateIp", "PublicDnsName", "PublicIp", "InstanceId",
      "VpcId"}},
    {"AWS::CloudWatch::Alarm", {"Arn", "Id"}},
    {"AWS::CloudWatch::CompositeAlarm", {"Arn"}},
    {"AWS::IAM::Role", {"Arn", "RoleId"}},
    {"AWS::IAM::InstanceProfile", {"Arn"}},
    {"AWS::IAM::User", {"Arn"}},
    {"AWS::IAM::AccessKey", {"SecretAccessKey", "Id"}},
    {"AWS::IAM::Policy", {"Id"}},
    {"AWS::IAM::ManagedPolicy",
     {"PolicyArn", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable",
      "PermissionsBoundaryUsageCount", "PolicyId", "UpdateDate"}},
    {"AWS::IAM::Group", {"Arn"}},
    {"AWS::EC2::Volume", {"VolumeId"}},
    {"AWS::EC2::VolumeAttachment", {NULL}},
    {"AWS::CloudFormation::WaitConditionHandle", {NULL}},
    {"AWS::CloudFormation::WaitCondition", {"Data"}},
    {"AWS::EC2::SecurityGroup", {"GroupId", "VpcId"}},
    {"AWS::EC2::SecurityGroupIngress", {"Id"}},
    {"AWS::EC2::SecurityGroupEgress", {"Id"}},
    {"AWS::EC2::KeyPair", {"KeyFingerprint", "KeyPairId"}},
    {"AWS::EC2::EIP", {"AllocationId", "PublicIp"}},
    {"AWS::EC2::EIPAssociation", {"Id"}},
    {"AWS::EC2::NetworkInterface", {"Id", "PrimaryPrivateIpAddress", "SecondaryPrivateIpAddresses"}},
    {"AWS::EC2::LaunchTemplate", {"LaunchTemplateId", "LatestVersionNumber", "DefaultVersionNumber"}},
    {"AWS::SSM::Parameter", {"Type", "Value"}},
    {"AWS::EC2::VPC",
     {"CidrBlock", "CidrBlockAssociations", "DefaultNetworkAcl", "DefaultSecurityGroup",
      "Ipv6CidrBlocks", "VpcId"}},
    {"AWS::EC2::Subnet",
     {"AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "Ipv6CidrBlocks",
      "NetworkAclAssociationId", "OutpostArn", "SubnetId", "VpcId"}},
    {"AWS::EC2::RouteTable", {"RouteTableId"}},
    {"AWS::EC2::Route", {"CidrBlock"}},
    {"AWS::EC2::SubnetRouteTableAssociation", {"Id"}},
    {"AWS::EC2::InternetGateway", {"InternetGatewayId"}},
    {"AWS::EC2::VPCGatewayAttachment", {"AttachmentType"}},
    {"AWS::IAM::RolePolicy", {NULL}},
    {"AWS::SNS::Topic", {"TopicArn", "TopicName"}},
    {"AWS::SNS::Subscription", {"Arn"}},
    {"AWS::SNS::TopicPolicy", {"Id"}},
};

static const char *const sections[] = {
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Hooks",
};

static const char *const resource_attrs[] = {
    "Type",         "Properties",     "DependsOn",
    "Metadata",     "Condition",      "DeletionPolicy",
    "UpdatePolicy", "CreationPolicy", "UpdateReplacePolicy",
    "Description",  "Version", /* legacy (2009 templates); accepted, ignored [obs] */
};

static const char *const pseudo_names[] = {
    "AWS::Region",    "AWS::AccountId", "AWS::StackName",        "AWS::StackId",
    "AWS::Partition", "AWS::URLSuffix", "AWS::NotificationARNs", "AWS::NoValue",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(s, list[i]))
            return true;
    return false;
}

const char *cfn_resource_type_at(size_t i)
{
    return i < ARRAY_LEN(type_table) ? type_table[i].type : NULL;
}

const char *const *cfn_resource_type_attrs(const char *type)
{
    for (size_t i = 0; type && i < ARRAY_LEN(type_table); i++)
        if (str_eq(type_table[i].type, type))
            return type_table[i].attrs;
    return NULL;
}

bool cfn_resource_type_supported(const char *type)
{
    return cfn_resource_type_attrs(type) != NULL;
}

bool cfn_resource_attr_supported(const char *type, const char *attr)
{
    const char *const *attrs = cfn_resource_type_attrs(type);
    for (size_t j = 0; attrs && attrs[j]; j++)
        if (str_eq(attrs[j], attr))
            return true;
    return false;
}

json_t *cfn_template_unsupported_types(const json_t *t, bool unconditional_only)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(t, "Resources"), k, v)
    {
        const char *ty = json_string_value(json_object_get(v, "Type"));
        if (!ty || cfn_resource_type_supported(ty) || !cfn_aws_type_exists(ty))
            continue;
        if (unconditional_only && json_object_get(v, "Condition"))
            continue;
        cfn_list_add_unique(out, ty);
    }
    return out;
}

bool cfn_resource_type_is_iam(const char *type)
{
    return str_startswith(type, "AWS::IAM::");
}

static bool alnum_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

void cfn_list_add_unique(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (str_eq(json_string_value(v), s))
            return;
    }
    json_array_append_new(arr, json_string(s));
}

char *cfn_bracket_list(const json_t *v)
{
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    if (json_is_array(v)) {
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s)
        {
            if (i)
                buf_puts(&b, ", ");
            buf_puts(&b, json_string_value(s));
        }
    } else {
        const char *k;
        json_t *s;
        bool first = true;
        json_object_foreach((json_t *)v, k, s)
        {
            if (!first)
                buf_puts(&b, ", ");
            buf_puts(&b, k);
            first = false;
        }
    }
    buf_putc(&b, ']');
    return buf_steal(&b);
}

/* Walks v for Fn::GetAtt (shape, targets) and Fn::If / Condition references. */
struct walk {
    const json_t *resources;
    const json_t *conditions;
    json_t *bad_conds; /* first undefined GetAtt target / Fn::If / Condition name */
    bool getatt_shape;
};

static void walk(struct walk *w, const json_t *v, int depth)
{
    if (depth > CFN_MAX_DEPTH * 4)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) walk(w, c, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    if (json_object_size(v) == 1) {
        const json_t *a;
        if ((a = json_object_get(v, "Fn::GetAtt")) != NULL) {
            const char *res = NULL, *attr = NULL;
            char *tmp = NULL;
            if (json_is_string(a) && strchr(json_string_value(a), '.') &&
                json_string_value(a)[0] != '.') {
                tmp = xstrdup(json_string_value(a));
                char *dot = strchr(tmp, '.');
                *dot = 0;
                res = tmp;
                attr = dot + 1;
            } else if (json_is_array(a) && json_array_size(a) == 2 &&
                       json_is_string(json_array_get(a, 0)) &&
                       json_string_length(json_array_get(a, 0)) > 0 &&
                       !(json_is_string(json_array_get(a, 1)) &&
                         json_string_length(json_array_get(a, 1)) == 0)) {
                res = json_string_value(json_array_get(a, 0));
                attr = json_string_value(json_array_get(a, 1)); /* NULL: a Ref, not checked */
                walk(w, json_array_get(a, 1), depth + 1);
            } else {
                w->getatt_shape = true;
            }
            const json_t *def = res ? json_object_get(w->resources, res) : NULL;
            if (res && !def && !json_object_get(w->bad_conds, "\x01getatt"))
                json_object_set_new(w->bad_conds, "\x01getatt", json_string(res));
            const char *type = json_string_value(json_object_get(def, "Type"));
            if (def && attr && *attr && cfn_resource_type_supported(type) &&
                !cfn_resource_attr_supported(type, attr) &&
                !json_object_get(w->bad_conds, "\x01attr")) {
                char *m = NULL;
                if (asprintf(&m,
                             "Template error: resource %s does not support attribute type %s"
                             " in Fn::GetAtt",
                             res, attr) >= 0) {
                    json_object_set_new(w->bad_conds, "\x01attr", json_string(m));
                    free(m);
                }
            }
            free(tmp);
            return;
        }
        if ((a = json_object_get(v, "Fn::If")) != NULL) {
            const json_t *c = json_array_get(a, 0);
            if (json_is_string(c) && !json_object_get(w->conditions, json_string_value(c)) &&
                !json_object_get(w->bad_conds, "\x01if"))
                json_object_set_new(w->bad_conds, "\x01if", json_incref((json_t *)c));
        }
        if ((a = json_object_get(v, "Condition")) != NULL && json_is_string(a) &&
            !json_object_get(w->conditions, json_string_value(a)) &&
            !json_object_get(w->bad_conds, "\x01cond"))
            json_object_set_new(w->bad_conds, "\x01cond", json_incref((json_t *)a));
    }
    const char *k;
    json_t *c;
    json_object_foreach((json_t *)v, k, c) walk(w, c, depth + 1);
}

static int check_mappings(const json_t *m, struct cfn_err *e)
{
    if (!m)
        return 0;
    if (!json_is_object(m)) /* inferred */
        return cfn_fail(e, "Template format error: Every Mappings member must be a map");
    const char *name;
    json_t *map;
    json_object_foreach((json_t *)m, name, map)
    {
        if (!json_is_object(map) || json_object_size(map) == 0) /* inferred */
            return cfn_fail(e, "Template format error: Every Mappings member %s must be a map",
                            name);
        const char *k;
        json_t *attrs;
        json_object_foreach(map, k, attrs)
        {
            if (!json_is_object(attrs)) /* inferred */
                return cfn_fail(e,
                                "Template format error: Every Mappings member %s must be a"
                                " map",
                                k);
            const char *an;
            json_t *av;
            json_object_foreach(attrs, an, av)
            {
                if (json_is_object(av) || json_is_null(av)) /* inferred */
                    return cfn_fail(e, "Template format error: Every Mappings attribute must be"
                                       " a String or a List.");
            }
        }
    }
    return 0;
}

/* Conditions: no resource references, no cycles between conditions. */
static int check_conditions(const json_t *t, struct cfn_err *e)
{
    const json_t *cs = json_object_get(t, "Conditions");
    if (!cs)
        return 0;
    if (!json_is_object(cs)) /* inferred */
        return cfn_fail(e, "Template format error: Every Conditions member must be an object.");
    const json_t *res = json_object_get(t, "Resources");
    const json_t *params = json_object_get(t, "Parameters");
    json_t *bad = json_object();
    const char *name;
    json_t *def;
    int rc = 0;
    json_object_foreach((json_t *)cs, name, def)
    {
        json_t *refs = json_object();
        cfn_collect_refs(def, refs);
        const char *r;
        json_t *ign;
        json_object_foreach(refs, r, ign)
        {
            if (!json_object_get(params, r) && !in_list(r, pseudo_names, ARRAY_LEN(pseudo_names)))
                json_object_set_new(bad, r, json_true());
        }
        json_decref(refs);
        (void)res;
    }
    if (json_object_size(bad) > 0) {
        char *l = cfn_bracket_list(bad);
        rc = cfn_fail(e,
                      "Template format error: Unresolved dependencies %s. Cannot reference"
                      " resources in the Conditions block of the template",
                      l);
        free(l);
    }
    json_decref(bad);
    return rc;
}

/* Condition names a condition refers to ({"Condition": X} and Fn::If's first element). */
static void cond_refs(const json_t *v, json_t *out, int depth)
{
    if (depth > CFN_MAX_DEPTH * 4)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) cond_refs(c, out, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    const json_t *a;
    if (json_object_size(v) == 1 && (a = json_object_get(v, "Condition")) && json_is_string(a))
        json_object_set_new(out, json_string_value(a), json_true());
    if (json_object_size(v) == 1 && (a = json_object_get(v, "Fn::If")) &&
        json_is_string(json_array_get(a, 0)))
        json_object_set_new(out, json_string_value(json_array_get(a, 0)), json_true());
    const char *k;
    json_t *c;
    json_object_foreach((json_t *)v, k, c) cond_refs(c, out, depth + 1);
}

static int check_condition_cycles(const json_t *cs, struct cfn_err *e)
{
    json_t *deps = json_object(), *done = json_object();
    const char *name;
    json_t *def;
    json_object_foreach((json_t *)cs, name, def)
    {
        json_t *r = json_object();
        cond_refs(def, r, 0);
        json_object_set_new(deps, name, r);
    }
    bool progress = true;
    while (progress) {
        progress = false;
        json_t *r;
        json_object_foreach(deps, name, r)
        {
            if (json_object_get(done, name))
                continue;
            bool ready = true;
            const char *d;
            json_t *ign;
            json_object_foreach(r, d, ign)
            {
                if (json_object_get(deps, d) && !json_object_get(done, d))
                    ready = false;
            }
            if (ready) {
                json_object_set_new(done, name, json_true());
                progress = true;
            }
        }
    }
    int rc = 0;
    if (json_object_size(done) < json_object_size(deps)) {
        json_t *left = json_array();
        json_t *r;
        json_object_foreach(deps, name, r)
        {
            if (!json_object_get(done, name))
                json_array_append_new(left, json_string(name));
        }
        char *l = cfn_bracket_list(left);
        rc = cfn_fail(e, "Template error: Found circular condition dependency: %s",
                      l); /* inferred */
        free(l);
        json_decref(left);
    }
    json_decref(deps);
    json_decref(done);
    return rc;
}

static int check_outputs(const json_t *t, struct cfn_err *e)
{
    const json_t *os = json_object_get(t, "Outputs");
    if (!os)
        return 0;
    if (!json_is_object(os)) /* inferred */
        return cfn_fail(e, "Template format error: Every Outputs member must contain a Value"
                           " object");
    const json_t *res = json_object_get(t, "Resources");
    const json_t *params = json_object_get(t, "Parameters");
    const json_t *conds = json_object_get(t, "Conditions");
    json_t *bad = json_object();
    int rc = 0;
    const char *name;
    json_t *o;
    json_object_foreach((json_t *)os, name, o)
    {
        if (!alnum_name(name)) { /* inferred */
            rc = cfn_fail(e, "Template format error: Output name %s is non alphanumeric.", name);
            goto out;
        }
        if (!json_is_object(o) || !json_object_get(o, "Value")) {
            rc = cfn_fail(e, "Template format error: Every Outputs member must contain a Value"
                             " object");
            goto out;
        }
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            if (!str_eq(k, "Value") && !str_eq(k, "Description") && !str_eq(k, "Export") &&
                !str_eq(k, "Condition")) {
                rc = cfn_fail(
                    e, "Template format error: Invalid outputs property : [%s]", /* inferred */
                    k);
                goto out;
            }
        }
        const json_t *ex = json_object_get(o, "Export");
        if (ex && (!json_is_object(ex) || !json_object_get(ex, "Name"))) {
            rc = cfn_fail(e,
                          "Template format error: Output %s is malformed. The Name field of"
                          " Export must not be empty",
                          name); /* inferred */
            goto out;
        }
        const json_t *c = json_object_get(o, "Condition");
        if (c && (!json_is_string(c) || !json_object_get(conds, json_string_value(c)))) {
            rc = cfn_fail(e,
                          "Template format error: Unresolved condition dependencies [%s] in"
                          " the Outputs block of the template", /* inferred */
                          json_is_string(c) ? json_string_value(c) : "");
            goto out;
        }
        json_t *refs = json_object();
        cfn_collect_refs(o, refs);
        const char *r;
        json_t *ign;
        json_object_foreach(refs, r, ign)
        {
            if (!json_object_get(res, r) && !json_object_get(params, r) &&
                !in_list(r, pseudo_names, ARRAY_LEN(pseudo_names)))
                json_object_set_new(bad, r, json_true());
        }
        json_decref(refs);
    }
    if (json_object_size(bad) > 0) {
        char *l = cfn_bracket_list(bad);
        /* observed without the prefix (LocalStack's AWS-verified test, Terraform's) */
        rc = cfn_fail(e,
                      "Unresolved resource dependencies %s in the Outputs block of the"
                      " template",
                      l);
        free(l);
    }
out:
    json_decref(bad);
    return rc;
}

int cfn_template_validate(const json_t *t, struct cfn_err *e)
{
    int rc = -1;
    json_t *unknown = json_array(), *types = json_array();
    struct walk w = {0};
    w.bad_conds = json_object();
    const char *k;
    json_t *v;
    if (!json_is_object(t)) {
        cfn_fail(e, "Template format error: At least one Resources member must be defined.");
        goto out;
    }
    json_object_foreach((json_t *)t, k, v)
    {
        if (!in_list(k, sections, ARRAY_LEN(sections)))
            json_array_append_new(unknown, json_string(k));
    }
    if (json_array_size(unknown) > 0) {
        char *l = cfn_bracket_list(unknown);
        /* text from AWS's knowledge center; the prefix as for the other format errors */
        cfn_fail(e, "Template format error: Invalid template property or properties %s", l);
        free(l);
        goto out;
    }
    const json_t *ver = json_object_get(t, "AWSTemplateFormatVersion");
    if (ver && !(json_is_string(ver) && str_eq(json_string_value(ver), "2010-09-09"))) {
        cfn_fail(
            e,
            "Template format error: Unsupported value for AWSTemplateFormatVersion."); /* inferred
                                                                                        */
        goto out;
    }
    const json_t *desc = json_object_get(t, "Description");
    if (desc && !json_is_string(desc)) {
        cfn_fail(
            e, "Template format error: Every Description member must be a string."); /* inferred */
        goto out;
    }
    if (desc && json_string_length(desc) > 1024) {
        cfn_fail(e, "Template format error: Description must be no longer than 1024"
                    " characters."); /* inferred */
        goto out;
    }
    const json_t *tr = json_object_get(t, "Transform");
    if (tr && !json_is_string(tr) && !json_is_array(tr) && !json_is_object(tr)) {
        cfn_fail(
            e,
            "Template format error: Transform must be a string or a list of strings."); /* inferred
                                                                                         */
        goto out;
    }
    const json_t *res = json_object_get(t, "Resources");
    if (!json_is_object(res) || json_object_size(res) == 0) {
        cfn_fail(e, "Template format error: At least one Resources member must be defined.");
        goto out;
    }
    if (json_object_size(res) > CFN_MAX_RESOURCES) {
        cfn_fail(e,
                 "Template format error: Number of resources, %zu, is greater than maximum"
                 " allowed, %d",
                 json_object_size(res), CFN_MAX_RESOURCES);
        goto out;
    }
    static const struct {
        const char *section, *what;
        size_t max;
    } quotas[] = {{"Outputs", "outputs", CFN_MAX_OUTPUTS},
                  {"Parameters", "parameters", CFN_MAX_PARAMETERS},
                  {"Mappings", "mappings", CFN_MAX_MAPPINGS}};
    for (size_t i = 0; i < ARRAY_LEN(quotas); i++) {
        size_t n = json_object_size(json_object_get(t, quotas[i].section));
        if (n > quotas[i].max) { /* inferred: worded as the resources quota error */
            cfn_fail(e,
                     "Template format error: Number of %s, %zu, is greater than maximum"
                     " allowed, %zu",
                     quotas[i].what, n, quotas[i].max);
            goto out;
        }
    }
    const json_t *conds = json_object_get(t, "Conditions");
    json_object_foreach((json_t *)res, k, v)
    {
        if (!alnum_name(k)) {
            cfn_fail(e, "Template format error: Resource name %s is non alphanumeric.", k);
            goto out;
        }
        const json_t *type = json_object_get(v, "Type");
        if (!json_is_object(v) || !json_is_string(type)) {
            cfn_fail(e,
                     "Template format error: [/Resources/%s] Every Resources object must"
                     " contain a Type member.",
                     k);
            goto out;
        }
        const char *ak;
        json_t *av;
        json_object_foreach(v, ak, av)
        {
            if (!in_list(ak, resource_attrs, ARRAY_LEN(resource_attrs))) {
                /* observed without the "Template format error:" prefix */
                cfn_fail(e, "Invalid template resource property '%s'", ak);
                goto out;
            }
        }
        const json_t *props = json_object_get(v, "Properties");
        if (props && !json_is_object(props)) { /* inferred */
            cfn_fail(e,
                     "Template format error: [/Resources/%s/Properties] Every Properties"
                     " member must be an object.",
                     k);
            goto out;
        }
        const json_t *c = json_object_get(v, "Condition");
        if (c && (!json_is_string(c) || !json_object_get(conds, json_string_value(c)))) {
            cfn_fail(e,
                     "Template format error: Unresolved condition dependencies [%s] in the"
                     " Resources block of the template", /* inferred */
                     json_is_string(c) ? json_string_value(c) : "");
            goto out;
        }
        const char *ty = json_string_value(type);
        /* AWS's error is for types that do not exist; types AWS has that the lab does not
         * implement are valid templates (the stack service says what it cannot create) */
        if (!cfn_resource_type_supported(ty) && !cfn_aws_type_exists(ty))
            cfn_list_add_unique(types, ty);
    }
    if (json_array_size(types) > 0) {
        char *l = cfn_bracket_list(types);
        cfn_fail(e, "Template format error: Unrecognized resource types: %s", l);
        free(l);
        goto out;
    }
    if (cfn_rules_check_decls(t, e) < 0)
        goto out;
    if (cfn_params_check_decls(t, e) < 0)
        goto out;
    json_object_foreach((json_t *)json_object_get(t, "Parameters"), k, v)
    {
        if (!alnum_name(k)) { /* inferred */
            cfn_fail(e, "Template format error: Parameter name %s is non alphanumeric.", k);
            goto out;
        }
        if (json_object_get(res, k)) { /* inferred */
            cfn_fail(e,
                     "Template format error: All resources, parameters and conditions must"
                     " have unique names. Common name(s): [%s]",
                     k);
            goto out;
        }
    }
    if (check_mappings(json_object_get(t, "Mappings"), e) < 0)
        goto out;
    if (check_conditions(t, e) < 0)
        goto out;
    w.resources = res;
    w.conditions = conds;
    walk(&w, res, 0);
    walk(&w, json_object_get(t, "Outputs"), 0);
    walk(&w, conds, 0);
    if (w.getatt_shape) {
        cfn_fail(e, "Template error: every Fn::GetAtt object requires two non-empty parameters,"
                    " the resource name and the resource attribute");
        goto out;
    }
    if (json_object_get(w.bad_conds, "\x01getatt")) {
        cfn_fail(e, "Template error: instance of Fn::GetAtt references undefined resource %s",
                 json_string_value(json_object_get(w.bad_conds, "\x01getatt")));
        goto out;
    }
    if (json_object_get(w.bad_conds, "\x01attr")) {
        cfn_fail(e, "%s", json_string_value(json_object_get(w.bad_conds, "\x01attr")));
        goto out;
    }
    if (json_object_get(w.bad_conds, "\x01if")) {
        cfn_fail(e, "Template error: unresolved condition dependency %s in Fn::If",
                 json_string_value(json_object_get(w.bad_conds, "\x01if")));
        goto out;
    }
    if (json_object_get(w.bad_conds, "\x01cond")) {
        cfn_fail(e,
                 "Template format error: Unresolved condition dependencies [%s] in the"
                 " Conditions block of the template", /* inferred */
                 json_string_value(json_object_get(w.bad_conds, "\x01cond")));
        goto out;
    }
    if (conds && check_condition_cycles(conds, e) < 0)
        goto out;
    json_t *deps = NULL;
    if (cfn_graph_deps(t, &deps, e) < 0)
        goto out;
    json_decref(deps);
    if (check_outputs(t, e) < 0)
        goto out;
    json_t *order = NULL;
    if (cfn_graph_order(t, &order, e) < 0)
        goto out;
    json_decref(order);
    rc = 0;
out:
    json_decref(unknown);
    json_decref(types);
    json_decref(w.bad_conds);
    return rc;
}
