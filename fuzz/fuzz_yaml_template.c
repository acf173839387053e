/*
 * fuzz_yaml_template.c — libFuzzer target: the CloudFormation template layer. The input is
 * a template body (JSON or YAML); it is loaded, validated, its parameters resolved from
 * their defaults, its conditions evaluated, and its Resources and Outputs evaluated with
 * stub resource callbacks. Nothing may crash, leak or run away (alias and depth bombs).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int stub_ref(void *ud, const char *logical, json_t **out, struct cfn_err *e)
{
    (void)ud;
    (void)e;
    *out = json_string(logical);
    return 0;
}

static int stub_getatt(void *ud, const char *logical, const char *attr, json_t **out,
                       struct cfn_err *e)
{
    (void)ud;
    (void)e;
    *out = json_pack("s+++", logical, ".", attr, "");
    return *out ? 0 : cfn_fail(e, "bad");
}

static int stub_import(void *ud, const char *name, json_t **out, struct cfn_err *e)
{
    (void)ud;
    (void)name;
    (void)e;
    *out = json_string("imported");
    return 0;
}

static int stub_dynref(void *ud, const char *service, const char *key, char **val,
                       struct cfn_err *e)
{
    (void)ud;
    (void)e;
    *val = xstrdup(str_eq(service, "ssm") ? key : "");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cfn_err e;
    json_t *t = cfn_template_load((const char *)data, size, &e);
    if (!t)
        return 0;
    /* the transform (AWS::LanguageExtensions: Fn::ForEach) runs before validation */
    (void)cfn_template_transform(t, NULL, &e);
    json_t *order = NULL;
    if (cfn_graph_order(t, &order, &e) == 0)
        json_decref(order);
    if (cfn_template_validate(t, &e) == 0) {
        json_t *params = NULL;
        if (cfn_params_resolve(t, NULL, NULL, NULL, &params, NULL, &e) == 0) {
            (void)cfn_rules_check(t, params, NULL, &e);
            struct cfn_ctx x;
            memset(&x, 0, sizeof(x));
            x.region = "us-east-1";
            x.account = "123456789012";
            x.stack_name = "fuzz";
            x.stack_id = "arn:aws:cloudformation:us-east-1:123456789012:stack/fuzz/x";
            x.tmpl = t;
            x.params = params;
            x.ref = stub_ref;
            x.getatt = stub_getatt;
            x.import_value = stub_import;
            if (cfn_conditions_eval(&x, &e) == 0) {
                json_t *out = NULL;
                if (cfn_eval(&x, json_object_get(t, "Resources"), &out, &e) == 0) {
                    json_t *dr = NULL;
                    if (cfn_dynrefs_expand(out, stub_dynref, NULL, &dr, &e) == 0)
                        json_decref(dr);
                    json_decref(out);
                }
                out = NULL;
                if (cfn_eval(&x, json_object_get(t, "Outputs"), &out, &e) == 0)
                    json_decref(out);
            }
            json_decref(x.conditions);
            json_decref(params);
        }
    }
    json_decref(t);
    return 0;
}
