/*
 * admin.c — the lab's own HTTP API beside the AWS API: the routes every module registers
 * (struct svc_route: /_recoverlab/..., /moto-api/..., IMDS), who may call them (SigV4 by
 * the account root with the scope service "recoverlab", or anyone), and the JSON replies.
 * Errors are a struct aws_err rendered as {"__type":"Code","message":"..."}; the wording of
 * the lab's own errors is ours (inferred) unless it repeats an AWS SigV4 error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "base/base.h"
#include "clock/clock.h"
#include "svc/admin.h"
#include "svc/module.h"
#include "svc/svc.h"

bool admin_owns_path(const char *path)
{
    return str_startswith(path, "/_recoverlab/") || str_eq(path, "/_recoverlab") ||
           str_startswith(path, "/moto-api/") || str_eq(path, "/moto-api");
}

/* ---------------- replies ---------------- */

void admin_reply(struct admin_call *ac, int status, json_t *body)
{
    struct response *resp = ac->resp;
    resp->status = status;
    buf_reset(&resp->body);
    if (body) {
        char *s = json_dumps(body, JSON_COMPACT);
        resp->content_type = "application/json";
        if (s)
            buf_puts(&resp->body, s);
        free(s);
        json_decref(body);
    }
}

void admin_fail(struct admin_call *ac, const struct aws_err *e)
{
    admin_reply(ac, e->status, json_pack("{s:s, s:s}", "__type", e->code, "message",
                                         e->message ? e->message : ""));
}

void admin_error(struct admin_call *ac, int status, const char *type, const char *fmt, ...)
{
    struct aws_err e = {0};
    va_list ap;
    va_start(ap, fmt);
    err_setv(&e, ac->rq->arena, status, type, fmt, ap);
    va_end(ap);
    admin_fail(ac, &e);
}

int admin_body_object(struct admin_call *ac, json_t **out)
{
    json_error_t err;
    *out = NULL;
    if (ac->rq->body_len == 0) {
        *out = json_object();
        return 0;
    }
    json_t *v = json_loadb(ac->rq->body, ac->rq->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!v) {
        admin_error(ac, 400, "SerializationException", "Malformed JSON body: %s (line %d)",
                    err.text, err.line); /* inferred */
        return -1;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        admin_error(ac, 400, "SerializationException",
                    "The request body must be a JSON object"); /* inferred */
        return -1;
    }
    *out = v;
    return 0;
}

/* ---------------- authentication ---------------- */

/* 0 when the caller may use a route of this kind; otherwise replies and returns -1. */
static int authenticate(struct admin_call *ac, enum admin_auth auth)
{
    struct sigv4_parsed p;
    struct sigv4_result r;
    if (auth == ADMIN_OPEN || (auth == ADMIN_ROOT_UNLESS_OFF && !ac->ctx->auth_enforce))
        return 0;
    memset(&p, 0, sizeof(p));
    memset(&r, 0, sizeof(r));
    int prc = sigv4_parse(ac->rq, &p, &r);
    if (prc < 0) {
        admin_fail(ac, &r.err);
        return -1;
    }
    if (prc == 1) {
        admin_error(ac, 403, "MissingAuthenticationToken",
                    "Request is missing Authentication Token");
        return -1;
    }
    if (!str_eq(p.service, "recoverlab")) {
        admin_error(ac, 403, "SignatureDoesNotMatch",
                    "Credential should be scoped to correct service: 'recoverlab'. ");
        return -1;
    }
    if (!ac->ctx->auth_enforce) {
        /* --auth off: any well-formed signature acts as the root */
        ac->who.kind = PRINCIPAL_ROOT;
        snprintf(ac->who.account, sizeof(ac->who.account), "%s", ac->ctx->account);
        snprintf(ac->who.arn, sizeof(ac->who.arn), "arn:aws:iam::%s:root", ac->ctx->account);
        return 0;
    }
    if (sigv4_verify(ac->rq, &p, wall_now_ms(), clock_now(), svc_credential_lookup, ac->ctx, &r)) {
        admin_fail(ac, &r.err);
        return -1;
    }
    if (r.principal.kind != PRINCIPAL_ROOT) {
        admin_error(ac, 403, "AccessDenied",
                    "User: %s is not authorized to use the recoverlab admin API: only the "
                    "account root may",
                    r.principal.arn); /* inferred */
        return -1;
    }
    ac->who = r.principal;
    return 0;
}

/* ---------------- routing ---------------- */

void admin_handle(struct server_ctx *ctx, const struct request *rq, struct response *resp)
{
    struct admin_call ac;
    memset(&ac, 0, sizeof(ac));
    ac.ctx = ctx;
    ac.rq = rq;
    ac.resp = resp;
    const struct svc_route *hit = NULL;
    struct buf allow = BUF_INIT;
    const struct svc_module *const *mods = svc_module_list();
    for (size_t m = 0; mods[m] && !hit; m++)
        for (size_t i = 0; i < mods[m]->nroutes; i++) {
        const struct svc_route *rt = &mods[m]->routes[i];
        bool prefix = str_endswith(rt->path, "/");
        if (prefix ? !str_startswith(rq->path, rt->path) : !str_eq(rq->path, rt->path))
            continue;
        if (!str_eq(rt->method, rq->method)) {
            buf_printf(&allow, "%s%s", allow.len ? ", " : "", rt->method);
            continue;
        }
        hit = rt;
        ac.tail = prefix ? rq->path + strlen(rt->path) : "";
        break;
    }
    if (!hit) {
        if (allow.len) {
            response_header(resp, "Allow", arena_strdup(rq->arena, allow.p));
            admin_error(&ac, 405, "MethodNotAllowed", "%s is not allowed on %s; use %s", rq->method,
                        rq->path, allow.p); /* inferred */
        } else {
            admin_error(&ac, 404, "NotFound", "No recoverlab admin route %s %s", rq->method,
                        rq->path); /* inferred */
        }
        buf_free(&allow);
        return;
    }
    buf_free(&allow);
    if (authenticate(&ac, hit->auth))
        return;
    hit->fn(&ac);
}

