/*
 * params.c — the stack service's parameter step and dynamic references: cfnlang resolves
 * the values and checks the declared constraints; what only the lab's services know (does
 * that key pair exist, what is that SSM parameter's value, what does a `{{resolve:...}}`
 * read) comes from the hook of the module that owns it (svc/provider.h: struct
 * cfn_param_hook, struct cfn_dynref_hook). Without a hook: AWS-specific values are kept as
 * given, SSM parameter types and dynamic references are refused as not supported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/provider.h"
#include "svc/svc.h"

static int param_resolve(void *ud, const char *name, const char *type, const struct cfn_ptype *pt,
                         const json_t *value, json_t **out, struct cfn_err *e)
{
    const struct cfn_act *x = ud;
    const struct cfn_param_hook *h = svc_cfn_param_hook_find(type, pt);
    if (!h) {
        if (pt->family == CFN_PT_SSM_NAME || pt->family == CFN_PT_SSM_VALUE)
            return cfn_fail(e,
                            "Parameter '%s' is of type %s: SSM parameter types are not"
                            " supported by recoverlab", /* inferred */
                            name, type);
        return 0;
    }
    char msg[1024] = "";
    if (h->resolve(x, name, type, pt, value, out, msg, sizeof(msg)) < 0)
        return cfn_fail(e, "%s", msg[0] ? msg : "Parameter validation failed");
    return 0;
}

int cfn_stack_params(struct call *c, const char *stack_name, const char *stack_id,
                     const json_t *t, const json_t *given, const json_t *previous,
                     const json_t *use_previous, json_t **values, json_t **raw)
{
    struct cfn_act x = {.c = c, .who = &c->who, .stack_name = stack_name,
                        .stack_id = stack_id ? stack_id : ""};
    struct cfn_param_resolver res = {.ud = &x, .resolve = param_resolve};
    struct cfn_err e;
    if (cfn_params_resolve_with(t, given, previous, use_previous, &res, values, raw, &e))
        return call_fail(c, 400, "ValidationError", "%s", e.msg);
    return 0;
}

static int dynref_cb(void *ud, const char *service, const char *key, char **val, struct cfn_err *e)
{
    const struct cfn_act *x = ud;
    const struct cfn_dynref_hook *h = svc_cfn_dynref_find(service);
    if (!h)
        return cfn_fail(e,
                        "Dynamic reference {{resolve:%s:%s}} is not supported by recoverlab"
                        " (no %s resolver)", /* inferred */
                        service, key, service);
    char msg[1024] = "";
    if (h->resolve(x, key, val, msg, sizeof(msg)) < 0)
        return cfn_fail(e, "%s", msg[0] ? msg : "Dynamic reference could not be resolved");
    return 0;
}

int cfn_props_dynrefs(const struct cfn_act *x, const json_t *props, json_t **out, char *reason,
                      size_t cap)
{
    struct cfn_err e;
    if (!cfn_has_dynref(props)) {
        *out = json_incref((json_t *)props);
        return 0;
    }
    if (cfn_dynrefs_expand(props, dynref_cb, (void *)x, out, &e) < 0) {
        snprintf(reason, cap, "%s", e.msg);
        return -1;
    }
    return 0;
}
