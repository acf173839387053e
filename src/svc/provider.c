/*
 * provider.c — the helpers every CloudFormation resource provider uses, whichever service it
 * belongs to (svc/provider.h): the service call as the stack operation's principal
 * (svc_invoke via cloudformation.amazonaws.com), the failure reasons CloudFormation shows,
 * and building inputs from resolved properties. The providers themselves are in their
 * services (svc/<id>/cfn_<id>.c), listed by each module; svc_provider_find finds them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"
#include "svc/invoke.h"
#include "svc/provider.h"
#include "wire/wire.h"

/* The service name in the SDK v2 exception text (" (Service: Iam, Status Code: 403, ...)"),
 * as the registry handlers (Java SDK v2) print it [obs]. */
static const char *sdk_service_name(const char *service)
{
    if (str_eq(service, "cloudwatch"))
        return "CloudWatch";
    if (str_eq(service, "iam"))
        return "Iam";
    if (str_eq(service, "ec2"))
        return "Ec2";
    return service;
}

/*
 * HandlerErrorCode of the resource provider contract (NotFound, AlreadyExists,
 * InvalidRequest, AccessDenied, ServiceLimitExceeded, Throttling, InternalFailure,
 * GeneralServiceException ...); which service code maps to which is inferred.
 */
static const char *handler_error_code(int status, const char *code)
{
    if (!code)
        return "GeneralServiceException";
    if (str_eq(code, "AccessDenied") || str_eq(code, "AccessDeniedException") ||
        str_eq(code, "UnauthorizedOperation"))
        return "AccessDenied";
    if (strstr(code, "NotFound") || str_eq(code, "NoSuchEntity"))
        return "NotFound";
    if (strstr(code, "AlreadyExists") || str_eq(code, "EntityAlreadyExists") ||
        strstr(code, "Duplicate"))
        return "AlreadyExists";
    if (strstr(code, "LimitExceeded"))
        return "ServiceLimitExceeded";
    if (strstr(code, "Throttl"))
        return "Throttling";
    if (status >= 500)
        return "ServiceInternalError";
    return "InvalidRequest";
}

enum cfn_step prov_fail(struct cfn_res *r, const char *service, int status, const char *code,
                        const char *request_id, const char *fmt, ...)
{
    char msg[700];
    char token[37];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    uuid4(token);
    /* Resource handler returned message: "<msg> (Service: X, Status Code: N, Request ID: U)"
     * (RequestToken: T, HandlerErrorCode: C) — the registry handlers' form [obs]. */
    snprintf(r->reason, sizeof(r->reason),
             "Resource handler returned message: \"%s (Service: %s, Status Code: %d, Request ID: "
             "%s)\" (RequestToken: %s, HandlerErrorCode: %s)",
             msg, sdk_service_name(service), status, request_id ? request_id : token, token,
             handler_error_code(status, code));
    return CFN_FAILED;
}

enum cfn_step prov_invalid(struct cfn_res *r, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* "Properties validation failed for resource X with message: ..." [obs] */
    snprintf(r->reason, sizeof(r->reason),
             "Properties validation failed for resource %s with message:\n%s",
             r->logical_id ? r->logical_id : "", msg);
    return CFN_FAILED;
}

int prov_call(const struct cfn_act *x, struct cfn_res *r, const char *service, const char *op,
              json_t *in, json_t **out, const char *const *ok_codes)
{
    struct call err;
    json_t *res = NULL;
    memset(&err, 0, sizeof(err));
    int rc = svc_invoke(x->c, x->who, CFN_SERVICE, service, op, in, &res, &err);
    if (in)
        json_decref(in);
    if (rc == 0) {
        if (out)
            *out = res;
        else if (res)
            json_decref(res);
        return 0;
    }
    for (size_t i = 0; ok_codes && ok_codes[i]; i++)
        if (str_eq(err.err.code, ok_codes[i]))
            return 1;
    const char *code = err.err.code ? err.err.code : "InternalFailure";
    prov_fail(r, service, err.err.status ? err.err.status : 500, code,
              err.request_id[0] ? err.request_id : NULL, "%s",
              err.err.message ? err.err.message : code);
    return -1;
}

json_t *prov_pick(const json_t *props, const char *const *names)
{
    json_t *o = json_object();
    for (size_t i = 0; names[i]; i++) {
        json_t *v = json_object_get(props, names[i]);
        if (v && !json_is_null(v))
            json_object_set(o, names[i], v);
    }
    return o;
}

const char *prov_str(const json_t *props, const char *name)
{
    return json_string_value(json_object_get(props, name));
}

char *prov_doc(const json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

const char *prov_name(const struct cfn_act *x, const struct cfn_res *r, const char *prop,
                      size_t max)
{
    const char *given = prov_str(r->props, prop);
    if (given && *given)
        return given;
    char *gen = cfn_physical_name(x->stack_name ? x->stack_name : "stack",
                                  r->logical_id ? r->logical_id : "Resource", max);
    char *s = arena_strdup(x->c->a, gen);
    free(gen);
    return s;
}

void prov_set_id(const struct cfn_act *x, struct cfn_res *r, const char *id)
{
    r->physical_id = arena_strdup(x->c->a, id);
}

void prov_attr(struct cfn_res *r, const char *name, json_t *v)
{
    if (!r->attrs)
        r->attrs = json_object();
    if (v)
        json_object_set_new(r->attrs, name, v);
}

static bool in_array(const json_t *arr, const char *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) if (str_eq(json_string_value(e), s)) return true;
    return false;
}

json_t *prov_minus(const json_t *a, const json_t *b)
{
    json_t *o = json_array();
    size_t i;
    json_t *e;
    if (!json_is_array(a))
        return o;
    json_array_foreach(a, i, e)
    {
        const char *s = json_string_value(e);
        if (s && !(json_is_array(b) && in_array(b, s)))
            json_array_append(o, e);
    }
    return o;
}

bool prov_changed(const json_t *a, const json_t *b)
{
    if (!a || json_is_null(a))
        return b && !json_is_null(b);
    if (!b || json_is_null(b))
        return true;
    return !json_equal(a, b);
}

json_t *prov_removed_tag_keys(const json_t *old_tags, const json_t *new_tags)
{
    json_t *keys = json_array();
    size_t i, j;
    json_t *o, *n;
    json_array_foreach(old_tags, i, o)
    {
        const char *k = prov_str(o, "Key");
        bool kept = false;
        json_array_foreach(new_tags, j, n) if (str_eq(prov_str(n, "Key"), k)) kept = true;
        if (k && !kept)
            json_array_append_new(keys, json_string(k));
    }
    return keys;
}
