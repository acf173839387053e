/*
 * template_ops.c — the template-only CloudFormation operations: ValidateTemplate and
 * GetTemplateSummary (TemplateBody only; no S3 in the lab, so TemplateURL is refused, and
 * GetTemplateSummary of a stack reads the stack's template).
 */
#include <stdlib.h>
#include <string.h>

#include "cfnlang/cfnlang.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/svc.h"
#include "svc/cfn/ops.h"
#include "wire/models/cloudformation_members.h"

/* Importable types and their primary identifiers (registry schemas, inferred). */
static const struct {
    const char *type, *id;
} resource_ids[] = {
    {"AWS::EC2::Instance", "InstanceId"},     {"AWS::EC2::Volume", "VolumeId"},
    {"AWS::CloudWatch::Alarm", "AlarmName"},  {"AWS::CloudWatch::CompositeAlarm", "AlarmName"},
    {"AWS::IAM::Role", "RoleName"},           {"AWS::IAM::InstanceProfile", "InstanceProfileName"},
    {"AWS::IAM::User", "UserName"},           {"AWS::IAM::Group", "GroupName"},
    {"AWS::IAM::ManagedPolicy", "PolicyArn"},
};

/* Loads and validates the TemplateBody of in. NULL after call_fail. */
static json_t *load_body(struct call *c, const json_t *in)
{
    const json_t *body = json_object_get(in, CFN_IN_TemplateBody);
    const json_t *url = json_object_get(in, CFN_IN_TemplateURL);
    if (body && url) /* inferred */
        return call_fail(c, 400, "ValidationError",
                         "Exactly one of TemplateBody or TemplateUrl must be specified."),
               NULL;
    if (url) /* the lab has no S3: no URL can reference an object we can read */
        return call_fail(c, 400, "ValidationError",
                         "TemplateURL must reference a valid S3 object to which you have access."),
               NULL;
    if (!json_is_string(body))
        return call_fail(c, 400, "ValidationError",
                         "Either Template URL or Template Body must be specified."),
               NULL;
    /* the model has no max length; AWS enforces 51,200 bytes (value cut short: inferred) */
    if (json_string_length(body) > CFN_MAX_INLINE_BODY)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value '%.*s...' at 'templateBody' failed"
                         " to satisfy constraint: Member must have length less than or equal to"
                         " %d",
                         40, json_string_value(body), CFN_MAX_INLINE_BODY),
               NULL;
    struct cfn_err e;
    json_t *t = cfn_template_load(json_string_value(body), json_string_length(body), &e);
    /* AWS::LanguageExtensions is run (parameter Defaults); other transforms are declared and
     * the template is validated as written */
    if (!t || (cfn_template_has_lang_ext(t) && cfn_template_transform(t, NULL, &e) < 0) ||
        cfn_template_validate(t, &e) < 0) {
        json_decref(t);
        return call_fail(c, 400, "ValidationError", "%s", e.msg), NULL;
    }
    return t;
}

static bool no_echo(const json_t *decl)
{
    const json_t *v = json_object_get(decl, "NoEcho");
    return json_is_true(v) || (json_is_string(v) && str_ieq(json_string_value(v), "true"));
}

/* Capabilities, CapabilitiesReason and DeclaredTransforms, shared by both operations. */
static void out_capabilities(struct out *o, const json_t *t)
{
    const json_t *res = json_object_get(t, "Resources");
    json_t *types = json_array();
    bool named = false;
    const char *k;
    json_t *def;
    json_object_foreach((json_t *)res, k, def)
    {
        const char *ty = json_string_value(json_object_get(def, "Type"));
        if (!cfn_resource_type_is_iam(ty))
            continue;
        cfn_list_add_unique(types, ty);
        named = named || cfn_resource_named(def);
    }
    if (json_array_size(types) > 0) {
        out_begin(o, "Capabilities");
        out_str(o, NULL, named ? "CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM");
        out_end(o);
        char *list = cfn_bracket_list(types);
        struct buf b = BUF_INIT;
        buf_printf(&b, "The following resource(s) require capabilities: %s", list);
        free(list);
        out_str(o, "CapabilitiesReason", b.p);
        buf_free(&b);
    } else {
        out_begin(o, "Capabilities");
        out_end(o);
    }
    json_decref(types);
    const json_t *tr = json_object_get(t, "Transform");
    out_begin(o, "DeclaredTransforms");
    if (json_is_string(tr)) {
        out_str(o, NULL, json_string_value(tr));
    } else if (json_is_array(tr)) {
        size_t i;
        json_t *s;
        json_array_foreach(tr, i, s)
        {
            if (json_is_string(s))
                out_str(o, NULL, json_string_value(s));
        }
    } else if (json_is_string(json_object_get(tr, "Name"))) {
        out_str(o, NULL, json_string_value(json_object_get(tr, "Name")));
    }
    out_end(o);
}

/*
 * ValidateTemplate: loads and validates TemplateBody; returns its Parameters (key,
 * default, NoEcho, description), Description, Capabilities/CapabilitiesReason for IAM
 * resources and DeclaredTransforms. Errors are ValidationError with AWS's
 * `Template format error: ...` texts.
 */
int cfn_validate_template(struct call *c, const json_t *in, struct out *o)
{
    json_t *t = load_body(c, in);
    if (!t)
        return -1;
    out_begin(o, "Parameters");
    const char *k;
    json_t *decl;
    json_object_foreach(json_object_get(t, "Parameters"), k, decl)
    {
        out_begin(o, NULL);
        out_str(o, "ParameterKey", k);
        char *dv = cfn_scalar_text(json_object_get(decl, "Default"));
        if (dv)
            out_str(o, "DefaultValue", dv);
        free(dv);
        out_bool(o, "NoEcho", no_echo(decl));
        const char *d = json_string_value(json_object_get(decl, "Description"));
        if (d)
            out_str(o, "Description", d);
        out_end(o);
    }
    out_end(o);
    const char *desc = json_string_value(json_object_get(t, "Description"));
    if (desc)
        out_str(o, "Description", desc);
    out_capabilities(o, t);
    json_decref(t);
    return 0;
}

/*
 * GetTemplateSummary: for a TemplateBody, the parameter declarations (with type and
 * AllowedValues), Description, Capabilities, ResourceTypes (template order, unique),
 * Version, Metadata (JSON text), DeclaredTransforms and ResourceIdentifierSummaries.
 * StackName: the same summary of that stack's current template; StackSetName: no stack
 * sets.
 */
int cfn_get_template_summary(struct call *c, const json_t *in, struct out *o)
{
    const char *stack =
        json_string_value(json_object_get(in, CFN_M_GetTemplateSummaryInput_StackName));
    const char *set =
        json_string_value(json_object_get(in, CFN_M_GetTemplateSummaryInput_StackSetName));
    if (set)
        return call_fail(c, 404, "StackSetNotFoundException", "StackSet %s not found", set);
    json_t *t;
    if (stack) { /* the summary of the stack's current template */
        struct cfn_stack st;
        int found = cfn_stack_load(c->st, c->region, stack, &st);
        if (found < 0)
            return call_fail(c, 500, "InternalFailure", NULL);
        if (found > 0)
            return call_fail(c, 400, "ValidationError", "Stack with id %s does not exist", stack);
        json_t *body = json_pack("{s:O?}", "TemplateBody", json_object_get(st.doc, "body"));
        cfn_stack_free(&st);
        t = load_body(c, body);
        json_decref(body);
    } else {
        t = load_body(c, in);
    }
    if (!t)
        return -1;
    out_begin(o, "Parameters");
    const char *k;
    json_t *decl;
    json_object_foreach(json_object_get(t, "Parameters"), k, decl)
    {
        out_begin(o, NULL);
        out_str(o, "ParameterKey", k);
        char *dv = cfn_scalar_text(json_object_get(decl, "Default"));
        if (dv)
            out_str(o, "DefaultValue", dv);
        free(dv);
        out_str(o, "ParameterType", json_string_value(json_object_get(decl, "Type")));
        out_bool(o, "NoEcho", no_echo(decl));
        const char *d = json_string_value(json_object_get(decl, "Description"));
        if (d)
            out_str(o, "Description", d);
        out_begin(o, "ParameterConstraints");
        const json_t *av = json_object_get(decl, "AllowedValues");
        if (av) {
            out_begin(o, "AllowedValues");
            size_t i;
            json_t *v;
            json_array_foreach(av, i, v)
            {
                char *s = cfn_scalar_text(v);
                if (s)
                    out_str(o, NULL, s);
                free(s);
            }
            out_end(o);
        }
        out_end(o);
        out_end(o);
    }
    out_end(o);
    const char *desc = json_string_value(json_object_get(t, "Description"));
    if (desc)
        out_str(o, "Description", desc);
    out_capabilities(o, t);

    const json_t *res = json_object_get(t, "Resources");
    json_t *types = json_array();
    json_t *def;
    json_object_foreach((json_t *)res, k, def)
    {
        const char *ty = json_string_value(json_object_get(def, "Type"));
        bool seen = false;
        size_t i;
        json_t *s;
        json_array_foreach(types, i, s) seen = seen || str_eq(json_string_value(s), ty);
        if (!seen)
            json_array_append_new(types, json_string(ty));
    }
    out_begin(o, "ResourceTypes");
    size_t i;
    json_t *s;
    json_array_foreach(types, i, s) out_str(o, NULL, json_string_value(s));
    out_end(o);
    const char *ver = json_string_value(json_object_get(t, "AWSTemplateFormatVersion"));
    if (ver)
        out_str(o, "Version", ver);
    const json_t *md = json_object_get(t, "Metadata");
    if (md) {
        char *mds = json_dumps(md, JSON_COMPACT | JSON_ENCODE_ANY);
        out_str(o, "Metadata", mds);
        free(mds);
    }
    out_begin(o, "ResourceIdentifierSummaries");
    json_array_foreach(types, i, s)
    {
        const char *ty = json_string_value(s);
        const char *id = NULL;
        for (size_t j = 0; j < ARRAY_LEN(resource_ids); j++)
            if (str_eq(resource_ids[j].type, ty))
                id = resource_ids[j].id;
        if (!id)
            continue;
        out_begin(o, NULL);
        out_str(o, "ResourceType", ty);
        out_begin(o, "LogicalResourceIds");
        json_object_foreach((json_t *)res, k, def)
        {
            if (str_eq(json_string_value(json_object_get(def, "Type")), ty))
                out_str(o, NULL, k);
        }
        out_end(o);
        out_begin(o, "ResourceIdentifiers");
        out_str(o, NULL, id);
        out_end(o);
        out_end(o);
    }
    out_end(o);
    json_decref(types);
    json_decref(t);
    return 0;
}
