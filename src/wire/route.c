/*
 * route.c — wire_route(): which service, protocol and operation a request is for.
 *
 * Order of the hints (botocore serialize.py shows what each protocol sends):
 *   1. RPC v2 CBOR: POST /service/<ServiceShape>/operation/<Op> (+ smithy-protocol:
 *      rpc-v2-cbor); the service shape name is the model's targetPrefix
 *      (GraniteServiceVersion20100801 for CloudWatch).
 *   2. awsJson: X-Amz-Target: <targetPrefix>.<Op> on a non-form body
 *      (application/x-amz-json-1.0 / 1.1).
 *   3. Query / EC2: Action= (and Version=) in the form body or URL query.
 * The SigV4 scope service (the model's signing name) names the service whenever present;
 * without one, the target prefix, the CBOR path or Version= does. An operation the model
 * lacks or we do not serve fails at once with the protocol's error: Query/EC2 InvalidAction
 * "The action X is not valid for this web service." (400, observed), JSON/CBOR
 * UnknownOperationException (400, no message, observed for awsJson). No Action at all is
 * MissingAction (400; message from AWS's Common Errors list).
 */
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

#define ACTION_MSG_MAX 256 /* longest operation name echoed in an error message */

static int fail_unknown_op(struct call *c)
{
    return call_fail(c, 400, "UnknownOperationException", NULL);
}

static int fail_invalid_action(struct call *c, const char *action)
{
    return call_fail(c, 400, "InvalidAction", "The action %.*s is not valid for this web service.",
                     ACTION_MSG_MAX, action);
}

/* Header value is "true" (ASCII case-insensitive, surrounding blanks ignored). */
static bool header_true(const char *v)
{
    if (!v)
        return false;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return n == 4 && strncasecmp(v, "true", 4) == 0;
}

/* Splits "/service/<S>/operation/<Op>" into arena copies; false if path is not that form. */
static bool cbor_path(struct arena *a, const char *path, char **svc, char **op)
{
    static const char p1[] = "/service/", p2[] = "/operation/";
    if (!path || strncmp(path, p1, sizeof(p1) - 1) != 0)
        return false;
    const char *s = path + sizeof(p1) - 1;
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || strncmp(slash, p2, sizeof(p2) - 1) != 0)
        return false;
    const char *o = slash + sizeof(p2) - 1;
    if (!*o || strchr(o, '/'))
        return false;
    *svc = arena_strndup(a, s, (size_t)(slash - s));
    *op = arena_strdup(a, o);
    return true;
}

static void set_op(struct call *c, const struct model_service *svc, const char *name)
{
    c->svc = svc;
    c->op_name = name;
    c->op = model_op_find(svc, name);
}

static int route_cbor(struct call *c, const struct model_service *scoped, bool have_scope,
                      const char *sname, const char *op)
{
    c->proto = PROTO_CBOR;
    c->op_name = op;
    const struct model_service *svc = model_service_by_target_prefix(sname, strlen(sname));
    if (have_scope && svc != scoped) /* unknown scope, or the path names another service */
        svc = NULL;
    if (!svc || !(svc->protocols & PROTO_CBOR))
        return fail_unknown_op(c);
    set_op(c, svc, op);
    return c->op ? 0 : fail_unknown_op(c);
}

static int route_json(struct call *c, const struct model_service *scoped, bool have_scope,
                      const char *target)
{
    c->proto = PROTO_JSON;
    const char *dot = strrchr(target, '.');
    if (!dot || dot == target || !dot[1]) {
        c->op_name = arena_strdup(c->a, target);
        if (scoped)
            c->svc = scoped;
        return fail_unknown_op(c);
    }
    const char *op = arena_strdup(c->a, dot + 1);
    c->op_name = op;
    const struct model_service *svc =
        model_service_by_target_prefix(target, (size_t)(dot - target));
    if (have_scope && svc != scoped)
        svc = NULL;
    if (!svc || !(svc->protocols & PROTO_JSON)) {
        if (scoped && (scoped->protocols & PROTO_JSON))
            c->svc = scoped; /* render the error the way the signed-for service would */
        return fail_unknown_op(c);
    }
    set_op(c, svc, op);
    return c->op ? 0 : fail_unknown_op(c);
}

static const struct model_service *service_by_version(const char *version)
{
    if (!version)
        return NULL;
    const struct model_service *const *served = wire_models();
    for (size_t i = 0; served[i]; i++) {
        const struct model_service *s = served[i];
        if ((s->protocols & (PROTO_QUERY | PROTO_EC2)) && str_eq(s->api_version, version))
            return s;
    }
    return NULL;
}

static int route_query(struct call *c, const struct model_service *scoped, bool have_scope)
{
    struct wire_form *f = wire_form_get(c);
    const struct model_service *svc = have_scope ? scoped : service_by_version(f->version);
    c->proto = PROTO_QUERY;
    if (svc && (svc->protocols & PROTO_EC2))
        c->proto = PROTO_EC2;
    if (svc && !(svc->protocols & (PROTO_QUERY | PROTO_EC2))) {
        /* a JSON-only service (CloudTrail) answers a form request in JSON (inferred) */
        c->svc = svc;
        c->proto = (svc->protocols & PROTO_JSON) ? PROTO_JSON : PROTO_CBOR;
        c->op_name = f->action;
        return fail_unknown_op(c);
    }
    if (!f->action || !*f->action) {
        c->svc = svc;
        return call_fail(c, 400, "MissingAction",
                         "The request is missing an action or a required parameter.");
    }
    c->op_name = f->action;
    if (!svc) /* inferred: nothing names a service we model */
        return fail_invalid_action(c, f->action);
    set_op(c, svc, f->action);
    return c->op ? 0 : fail_invalid_action(c, f->action);
}

int wire_route(struct call *c, const char *scope_service)
{
    const struct request *rq = c->rq;
    bool have_scope = scope_service && *scope_service;
    const struct model_service *scoped =
        have_scope ? model_service_by_signing_name(scope_service) : NULL;
    char *sname, *op;

    c->svc = NULL;
    c->op = NULL;
    c->op_name = NULL;
    c->query_mode = header_true(request_header(rq, "x-amzn-query-mode"));

    if (cbor_path(c->a, rq->path, &sname, &op))
        return route_cbor(c, scoped, have_scope, sname, op);
    const char *smithy = request_header(rq, "smithy-protocol");
    if (smithy && str_ieq(smithy, "rpc-v2-cbor")) { /* CBOR, but not a CBOR operation path */
        c->proto = PROTO_CBOR;
        c->svc = scoped && (scoped->protocols & PROTO_CBOR) ? scoped : NULL;
        return fail_unknown_op(c);
    }
    const char *target = request_header(rq, "X-Amz-Target");
    if (target && !wire_is_form_content_type(request_header(rq, "Content-Type")))
        return route_json(c, scoped, have_scope, target);
    return route_query(c, scoped, have_scope);
}
