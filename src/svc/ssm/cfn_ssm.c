/*
 * cfn_ssm.c — AWS::SSM::Parameter through PutParameter / DeleteParameter as the stack's
 * principal [doc: CFN UG aws-resource-ssm-parameter]: Ref is the name, GetAtt Type and
 * Value; only Name requires replacement; Type String or StringList (CloudFormation does not
 * create SecureString parameters [doc]).
 */
#include <string.h>

#include "base/base.h"
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
