/*
 * cfn_ssm.c — AWS::SSM::Parameter through PutParameter / DeleteParameter as the stack's
 * principal [doc: CFN UG aws-resource-ssm-parameter]: Ref is the name, GetAtt Type and
 * Value; only Name requires replacement; Type String or StringList (CloudFormation does not
 * create SecureString parameters [doc]).
 *
 * Also SSM's answers to the stack service's hooks (svc/provider.h): the parameter types
 * AWS::SSM::Parameter::Name and AWS::SSM::Parameter::Value<T> (the value given is a parameter
 * name; the stack sees its value, checked as T when T is an AWS-specific type) and the
 * dynamic references {{resolve:ssm:NAME[:VERSION]}} / {{resolve:ssm-secure:...}}, all read
 * with ssm:GetParameters as the stack operation's caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "core/call.h"
#include "svc/invoke.h"
#include "svc/provider.h"
#include "svc/ssm/ssm.h"
#include "wire/models/ssm_members.h"

static const char *const param_replace[] = {"Name", NULL};
static const char *const param_attrs[] = {"Type", "Value", NULL};
static const char *const direct[] = {SSM_IN_Name,           SSM_IN_Value, SSM_IN_Type,
                                     SSM_IN_Description,    SSM_IN_Tier,  SSM_IN_DataType,
                                     SSM_IN_AllowedPattern, SSM_IN_Policies, NULL};

static enum cfn_step put(const struct cfn_act *x, struct cfn_res *r, bool overwrite)
{
    const char *type = prov_str(r->props, "Type");
    if (str_eq(type, "SecureString"))
        return prov_invalid(r, "#/Type: SecureString is not a valid enum value"); /* [doc] */
    json_t *in = prov_pick(r->props, direct);
    if (overwrite)
        json_object_set_new(in, SSM_IN_Overwrite, json_true());
    const json_t *tags = json_object_get(r->props, "Tags");
    if (!overwrite && json_is_object(tags) && json_object_size(tags)) {
        json_t *list = json_array();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)tags, k, v)
            json_array_append_new(list, json_pack("{s:s, s:O}", "Key", k, "Value", v));
        json_object_set_new(in, SSM_IN_Tags, list);
    }
    const char *name = prov_str(r->props, "Name");
    if (prov_call(x, r, "ssm", "PutParameter", in, NULL, NULL))
        return CFN_FAILED;
    prov_set_id(x, r, name);
    prov_attr(r, "Type", json_string(type ? type : "String"));
    prov_attr(r, "Value", json_deep_copy(json_object_get(r->props, "Value")));
    return CFN_DONE;
}

static enum cfn_step param_create(const struct cfn_act *x, struct cfn_res *r)
{
    return put(x, r, false);
}

static enum cfn_step param_update(const struct cfn_act *x, struct cfn_res *r,
                                  const json_t *old_props)
{
    (void)old_props;
    return put(x, r, true);
}

static enum cfn_step param_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"ParameterNotFound", NULL};
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", SSM_IN_Name, r->physical_id);
    return prov_call(x, r, "ssm", "DeleteParameter", in, NULL, gone) < 0 ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_ssm_parameter = {
    .type = "AWS::SSM::Parameter",
    .create = param_create,
    .update = param_update,
    .del = param_delete,
    .replace_props = param_replace,
    .name_prop = "Name",
    .name_max = 1011,
    .attrs = param_attrs,
};

const struct cfn_provider *const ssm_cfn_providers[] = {&prov_ssm_parameter, NULL};

/* ------------------------------------------------------------ hooks */

/* The value of parameter ref (name[:version]) in *val (heap), as x->who. 0, -1 with msg. */
static int fetch(const struct cfn_act *x, const char *ref, bool decrypt, char **val, char *msg,
                 size_t cap)
{
    json_t *in = json_pack("{s:[s], s:b}", SSM_IN_Names, ref, SSM_IN_WithDecryption, decrypt);
    json_t *res = NULL;
    struct call err;
    memset(&err, 0, sizeof(err));
    int rc = svc_invoke(x->c, x->who, CFN_SERVICE, "ssm", "GetParameters", in, &res, &err);
    json_decref(in);
    if (rc) {
        snprintf(msg, cap, "%s", err.err.message ? err.err.message : "AccessDenied");
        return -1;
    }
    const char *v = json_string_value(
        json_object_get(json_array_get(json_object_get(res, "Parameters"), 0), "Value"));
    if (!v) {
        json_decref(res);
        snprintf(msg, cap, "Unable to fetch parameters [%s] from parameter store for this account.",
                 ref); /* [obs] */
        return -1;
    }
    *val = xstrdup(v);
    json_decref(res);
    return 0;
}

static bool ptype_takes(const char *type, const struct cfn_ptype *pt)
{
    (void)type;
    return pt->family == CFN_PT_SSM_NAME || pt->family == CFN_PT_SSM_VALUE;
}

static json_t *split_list(const char *v)
{
    json_t *arr = json_array();
    for (const char *p = v;;) {
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

static int ptype_resolve(const struct cfn_act *x, const char *name, const char *type,
                         const struct cfn_ptype *pt, const json_t *value, json_t **out, char *msg,
                         size_t cap)
{
    (void)type;
    const char *ref = json_string_value(value);
    char *v = NULL;
    if (!ref) {
        snprintf(msg, cap, "Parameter '%s' must be the name of an SSM parameter.",
                 name); /* inferred */
        return -1;
    }
    if (fetch(x, ref, false, &v, msg, cap))
        return -1;
    if (pt->family == CFN_PT_SSM_NAME) {
        free(v);
        return 0;
    }
    json_t *nv = pt->list ? split_list(v) : json_string(v);
    free(v);
    if (pt->elem[0]) { /* Value<AWS::EC2::Image::Id> ...: the value checked as that type */
        struct cfn_ptype et;
        memset(&et, 0, sizeof(et));
        et.family = CFN_PT_AWS;
        et.list = pt->list;
        snprintf(et.elem, sizeof(et.elem), "%s", pt->elem);
        const struct cfn_param_hook *h = svc_cfn_param_hook_find(pt->elem, &et);
        json_t *ignored = NULL;
        if (h && h->resolve(x, name, pt->elem, &et, nv, &ignored, msg, cap)) {
            json_decref(nv);
            return -1;
        }
        json_decref(ignored);
    }
    *out = nv;
    return 0;
}

static const struct cfn_param_hook ssm_param_types = {.takes = ptype_takes,
                                                      .resolve = ptype_resolve};
const struct cfn_param_hook *const ssm_cfn_param_hooks[] = {&ssm_param_types, NULL};

static int dyn_plain(const struct cfn_act *x, const char *key, char **out, char *msg, size_t cap)
{
    return fetch(x, key, false, out, msg, cap);
}

static int dyn_secure(const struct cfn_act *x, const char *key, char **out, char *msg, size_t cap)
{
    return fetch(x, key, true, out, msg, cap);
}

static const struct cfn_dynref_hook dyn_ssm = {.service = "ssm", .resolve = dyn_plain};
static const struct cfn_dynref_hook dyn_ssm_secure = {.service = "ssm-secure",
                                                      .resolve = dyn_secure};
const struct cfn_dynref_hook *const ssm_cfn_dynref_hooks[] = {&dyn_ssm, &dyn_ssm_secure, NULL};
