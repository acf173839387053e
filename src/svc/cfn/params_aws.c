/*
 * params_aws.c — parameters and values CloudFormation resolves with other services, as the
 * stack operation's caller, through the services' own operations (svc_invoke, recorded in
 * CloudTrail as invoked by CloudFormation):
 *   - AWS::SSM::Parameter::Value<T>: the value given is a parameter name; the stack uses its
 *     value (ssm:GetParameters). AWS::SSM::Parameter::Name: the parameter must exist.
 *   - AWS-specific types and their List<...> forms [doc: CFN UG parameters-section-structure
 *     "AWS-specific parameter types"]: each value must name an existing resource
 *     (DescribeKeyPairs, DescribeInstances, DescribeVpcs, DescribeSubnets,
 *     DescribeSecurityGroups, DescribeVolumes, DescribeImages, DescribeAvailabilityZones);
 *     AWS::Route53::HostedZone::Id is not checked (the lab has no Route 53).
 *   - {{resolve:ssm:NAME[:VERSION]}} and {{resolve:ssm-secure:NAME[:VERSION]}} in resource
 *     properties [doc: CFN UG dynamic-references].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/cfn/params_aws.h"
#include "svc/invoke.h"
#include "svc/provider.h"
#include "svc/svc.h"

#define SSM_PREFIX "AWS::SSM::Parameter::Value<"

/* The SSM values of names (array of strings) in *out (object name -> value); NULL
 * decryption false. Unknown names fail with AWS's message. */
static int ssm_values(struct call *c, const struct principal *who, const json_t *names,
                      bool decrypt, json_t **out, struct cfn_err *e)
{
    *out = json_object();
    for (size_t at = 0; at < json_array_size(names); at += 10) {
        json_t *chunk = json_array();
        for (size_t i = at; i < at + 10 && i < json_array_size(names); i++)
            json_array_append(chunk, json_array_get(names, i));
        json_t *in = json_pack("{s:o, s:b}", "Names", chunk, "WithDecryption", decrypt);
        json_t *res = NULL;
        struct call err;
        memset(&err, 0, sizeof(err));
        int rc = svc_invoke(c, who, CFN_SERVICE, "ssm", "GetParameters", in, &res, &err);
        json_decref(in);
        if (rc) {
            json_decref(*out);
            *out = NULL;
            return cfn_fail(e, "%s", err.err.message ? err.err.message : "AccessDenied");
        }
        const json_t *bad = json_object_get(res, "InvalidParameters");
        if (json_array_size(bad)) {
            char *list = cfn_bracket_list(bad);
            json_decref(res);
            json_decref(*out);
            *out = NULL;
            cfn_fail(e, "Unable to fetch parameters %s from parameter store for this account.",
                     list); /* [obs] */
            free(list);
            return -1;
        }
        size_t i;
        const json_t *p;
        json_array_foreach(json_object_get(res, "Parameters"), i, p)
        {
            const char *n = json_string_value(json_object_get(p, "Name"));
            const char *sel = json_string_value(json_object_get(p, "Selector"));
            char key[2200];
            snprintf(key, sizeof(key), "%s%s", n ? n : "", sel ? sel : "");
            json_object_set(*out, key, json_object_get(p, "Value"));
            if (sel) /* also under the name as asked when that was an ARN or had no selector */
                json_object_set(*out, n, json_object_get(p, "Value"));
        }
        json_decref(res);
    }
    return 0;
}

/* Does each value of an AWS-specific type exist? type: the element type. */
static int check_exist(struct call *c, const struct principal *who, const char *pname,
                       const char *type, const json_t *vals, struct cfn_err *e)
{
    static const struct {
        const char *type, *op, *member;
    } map[] = {
        {"AWS::EC2::KeyPair::KeyName", "DescribeKeyPairs", "KeyNames"},
        {"AWS::EC2::Instance::Id", "DescribeInstances", "InstanceIds"},
        {"AWS::EC2::VPC::Id", "DescribeVpcs", "VpcIds"},
        {"AWS::EC2::Subnet::Id", "DescribeSubnets", "SubnetIds"},
        {"AWS::EC2::SecurityGroup::Id", "DescribeSecurityGroups", "GroupIds"},
        {"AWS::EC2::SecurityGroup::GroupName", "DescribeSecurityGroups", "GroupNames"},
        {"AWS::EC2::Volume::Id", "DescribeVolumes", "VolumeIds"},
        {"AWS::EC2::Image::Id", "DescribeImages", "ImageIds"},
        {"AWS::EC2::AvailabilityZone::Name", "DescribeAvailabilityZones", "ZoneNames"},
    };
    for (size_t k = 0; k < ARRAY_LEN(map); k++) {
        if (!str_eq(map[k].type, type))
            continue;
        size_t i;
        const json_t *v;
        json_array_foreach(vals, i, v)
        {
            const char *s = json_string_value(v);
            json_t *in = json_pack("{s:[s]}", map[k].member, s ? s : "");
            json_t *res = NULL;
            struct call err;
            memset(&err, 0, sizeof(err));
            int rc = s && *s ? svc_invoke(c, who, CFN_SERVICE, "ec2", map[k].op, in, &res, &err)
                             : -1;
            json_decref(in);
            bool found = rc == 0;
            if (found && str_eq(map[k].op, "DescribeAvailabilityZones"))
                found = json_array_size(json_object_get(res, "AvailabilityZones")) > 0;
            json_decref(res);
            if (rc && err.err.code && (str_eq(err.err.code, "UnauthorizedOperation") ||
                                       str_eq(err.err.code, "AuthFailure")))
                return cfn_fail(e, "%s", err.err.message ? err.err.message : err.err.code);
            if (!found)
                return cfn_fail(e,
                                "Parameter validation failed: parameter value %s for parameter "
                                "name %s does not exist.",
                                s ? s : "", pname); /* [obs] */
        }
    }
    return 0;
}

/* "List<X>" -> X (arena-free static copy), else NULL. */
static const char *inner(const char *t, const char *pre, char *buf, size_t cap)
{
    size_t n = strlen(t), p = strlen(pre);
    if (!str_startswith(t, pre) || n <= p || t[n - 1] != '>' || n - p >= cap)
        return NULL;
    memcpy(buf, t + p, n - p - 1);
    buf[n - p - 1] = 0;
    return buf;
}

static json_t *split_list(const char *v)
{
    json_t *arr = json_array();
    const char *p = v;
    for (;;) {
        const char *cm = strchr(p, ',');
        size_t n = cm ? (size_t)(cm - p) : strlen(p);
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        json_array_append_new(arr, json_stringn(p, n));
        if (!cm)
            break;
        p = cm + 1;
    }
    return arr;
}

int cfn_params_aws(struct call *c, const struct principal *who, const json_t *t, json_t *values,
                   struct cfn_err *e)
{
    const char *name;
    json_t *decl;
    json_object_foreach(json_object_get(t, "Parameters"), name, decl)
    {
        const char *type = json_string_value(json_object_get(decl, "Type"));
        json_t *val = json_object_get(values, name);
        if (!type || !val)
            continue;
        char b1[160], b2[160];
        const char *ssm = inner(type, SSM_PREFIX, b1, sizeof(b1));
        if (ssm || str_eq(type, "AWS::SSM::Parameter::Name")) {
            json_t *names = json_pack("[O]", val), *got = NULL;
            int rc = json_is_string(val) ? ssm_values(c, who, names, false, &got, e)
                                         : cfn_fail(e, "Parameter '%s' must be a parameter name.",
                                                    name); /* inferred */
            json_decref(names);
            if (rc)
                return -1;
            const char *v = json_string_value(json_object_get(got, json_string_value(val)));
            if (ssm && v) {
                const char *el = inner(ssm, "List<", b2, sizeof(b2));
                bool list = el || str_eq(ssm, "CommaDelimitedList");
                json_t *nv = list ? split_list(v) : json_string(v);
                if (el || (!list && !str_eq(ssm, "String"))) {
                    json_t *vals = list ? json_incref(nv) : json_pack("[O]", nv);
                    int crc = check_exist(c, who, name, el ? el : ssm, vals, e);
                    json_decref(vals);
                    if (crc) {
                        json_decref(nv);
                        json_decref(got);
                        return -1;
                    }
                }
                json_object_set_new(values, name, nv);
            }
            json_decref(got);
            continue;
        }
        const char *el = inner(type, "List<", b2, sizeof(b2));
        if (!el && !str_startswith(type, "AWS::"))
            continue;
        json_t *vals = json_is_array(val) ? json_incref(val) : json_pack("[O]", val);
        int rc = check_exist(c, who, name, el ? el : type, vals, e);
        json_decref(vals);
        if (rc)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- dynamic references */

struct dref {
    size_t start, end; /* of "{{resolve:...}}" in the string */
    bool secure;
    char *name; /* NAME[:VERSION] (heap) */
};

/* Finds the next SSM dynamic reference at or after from; 1 found, 0 none. */
static int next_ref(const char *s, size_t from, struct dref *d)
{
    const char *p = s + from;
    while ((p = strstr(p, "{{resolve:")) != NULL) {
        const char *q = p + 10;
        bool secure = str_startswith(q, "ssm-secure:");
        if (secure || str_startswith(q, "ssm:")) {
            const char *nm = q + (secure ? 11 : 4);
            const char *end = strstr(nm, "}}");
            if (!end)
                return 0;
            d->start = (size_t)(p - s);
            d->end = (size_t)(end + 2 - s);
            d->secure = secure;
            d->name = xstrndup(nm, (size_t)(end - nm));
            return 1;
        }
        p = q;
    }
    return 0;
}

static int resolve_string(struct call *c, const struct principal *who, json_t *str,
                          struct cfn_err *e)
{
    const char *s = json_string_value(str);
    struct dref d;
    if (!s || !next_ref(s, 0, &d))
        return 0;
    struct buf b = BUF_INIT;
    size_t at = 0;
    int rc = 0;
    do {
        buf_put(&b, s + at, d.start - at);
        json_t *names = json_pack("[s]", d.name), *got = NULL;
        rc = ssm_values(c, who, names, d.secure, &got, e);
        json_decref(names);
        if (rc == 0) {
            const char *v = json_string_value(json_object_get(got, d.name));
            buf_puts(&b, v ? v : "");
        }
        json_decref(got);
        free(d.name);
        at = d.end;
    } while (rc == 0 && next_ref(s, at, &d));
    if (rc == 0) {
        buf_puts(&b, s + at);
        json_string_set(str, b.p ? b.p : "");
    }
    buf_free(&b);
    return rc;
}

int cfn_dynrefs_resolve(struct call *c, const struct principal *who, json_t *v, struct cfn_err *e)
{
    if (json_is_string(v))
        return resolve_string(c, who, v, e);
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) if (cfn_dynrefs_resolve(c, who, x, e)) return -1;
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) if (cfn_dynrefs_resolve(c, who, x, e)) return -1;
    }
    return 0;
}
