/*
 * admin.c — the lab's own API: /_recoverlab/health, /_recoverlab/clock, /_recoverlab/reset,
 * /moto-api/reset. Everything except health (and moto-api under --auth off) needs a SigV4
 * signature by the account root with the scope service "recoverlab" (any region).
 * All codes and messages here are ours (inferred) unless they repeat an AWS SigV4 error.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "base/base.h"
#include "clock/clock.h"
#include "http/admin.h"
#include "http/server.h"
#include "store/store.h"
#include "svc/ec2/ec2_admin.h"
#include "svc/svc.h"

struct admin_route {
    const char *method;
    const char *path; /* exact, or a prefix when it ends with '/' */
    enum admin_auth auth;
    admin_fn *fn;
};

static admin_fn health_get, clock_get, clock_post, reset_post;

/* The route table: add a row (and a handler) per admin endpoint. */
static const struct admin_route routes[] = {
    {"GET", "/_recoverlab/health", ADMIN_OPEN, health_get},
    {"GET", "/_recoverlab/clock", ADMIN_ROOT, clock_get},
    {"POST", "/_recoverlab/clock", ADMIN_ROOT, clock_post},
    {"POST", "/_recoverlab/reset", ADMIN_ROOT, reset_post},
    {"POST", "/moto-api/reset", ADMIN_ROOT_UNLESS_OFF, reset_post},
    /* EC2 health (src/svc/ec2/faults.c, imds.c) */
    {"GET", "/_recoverlab/faults", ADMIN_ROOT, ec2_admin_faults_get},
    {"POST", "/_recoverlab/faults", ADMIN_ROOT, ec2_admin_faults_post},
    {"DELETE", "/_recoverlab/faults/", ADMIN_ROOT, ec2_admin_fault_delete},
    {"GET", "/_recoverlab/instances/", ADMIN_ROOT, ec2_admin_instance_get},
    {"GET", "/_recoverlab/imds/", ADMIN_OPEN, ec2_admin_imds},
    {"PUT", "/_recoverlab/imds/", ADMIN_OPEN, ec2_admin_imds},
};

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

void admin_error(struct admin_call *ac, int status, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(ac->rq->arena, fmt, ap);
    va_end(ap);
    admin_reply(ac, status, json_pack("{s:s, s:s}", "__type", type, "message", msg));
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
        admin_error(ac, r.err.status ? r.err.status : 400, r.err.code ? r.err.code : "IncompleteSignature", "%s",
                    r.err.message ? r.err.message : "Malformed Authorization header");
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
        admin_error(ac, r.err.status ? r.err.status : 403, r.err.code ? r.err.code : "AccessDenied", "%s",
                    r.err.message ? r.err.message : "Access denied");
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
    const struct admin_route *hit = NULL;
    struct buf allow = BUF_INIT;
    for (size_t i = 0; i < ARRAY_LEN(routes); i++) {
        const struct admin_route *rt = &routes[i];
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

/* ---------------- handlers ---------------- */

static json_t *clock_json(void)
{
    char iso[32];
    int64_t now = clock_now();
    time_fmt_iso8601_ms(now, iso);
    return json_pack("{s:s, s:s, s:I}", "now", iso, "mode",
                     clock_mode() == CLOCK_MANUAL ? "manual" : "real", "nowEpochMillis",
                     (json_int_t)now);
}

static void health_get(struct admin_call *ac)
{
    char iso[32];
    time_fmt_iso8601_ms(clock_now(), iso);
    admin_reply(
        ac, 200,
        json_pack("{s:s, s:s, s:s}", "status", "ok", "version", RECOVERLAB_VERSION, "now", iso));
}

static void clock_get(struct admin_call *ac)
{
    admin_reply(ac, 200, clock_json());
}

/* Largest single move accepted: 100 years. */
#define MAX_ADVANCE_MS (100LL * 366 * 86400 * 1000)

/* {"advanceSeconds":N} or {"set":"ISO8601"}: forward only; returns once due events ran. */
static void clock_post(struct admin_call *ac)
{
    json_t *in = NULL;
    if (admin_body_object(ac, &in))
        return;
    const char *key;
    json_t *v;
    json_t *adv = NULL, *set = NULL;
    json_object_foreach(in, key, v)
    {
        if (str_eq(key, "advanceSeconds"))
            adv = v;
        else if (str_eq(key, "set"))
            set = v;
        else {
            admin_error(ac, 400, "ValidationError",
                        "Unknown field %s: expected advanceSeconds or set", key); /* inferred */
            goto out;
        }
    }
    if (!adv == !set) {
        admin_error(ac, 400, "ValidationError",
                    "Give exactly one of advanceSeconds (a number) or set (an ISO 8601 "
                    "time)"); /* inferred */
        goto out;
    }
    int64_t now = clock_now(), target;
    if (adv) {
        double secs = json_number_value(adv);
        if (!json_is_number(adv) || !isfinite(secs) || secs < 0 ||
            secs * 1000 > (double)MAX_ADVANCE_MS) {
            admin_error(ac, 400, "ValidationError",
                        "advanceSeconds must be a number from 0 to %lld",
                        MAX_ADVANCE_MS / 1000); /* inferred */
            goto out;
        }
        target = now + (int64_t)llround(secs * 1000);
    } else {
        if (!json_is_string(set) || time_parse_iso8601(json_string_value(set), &target)) {
            admin_error(
                ac, 400, "ValidationError",
                "set must be an ISO 8601 date-time such as 2026-01-01T00:00:00Z"); /* inferred */
            goto out;
        }
        if (target < now) {
            char a[32], b[32];
            time_fmt_iso8601_ms(target, a);
            time_fmt_iso8601_ms(now, b);
            admin_error(ac, 400, "ValidationError",
                        "The clock only moves forward: %s is earlier than now (%s)", a,
                        b); /* inferred */
            goto out;
        }
        if (target - now > MAX_ADVANCE_MS) {
            admin_error(ac, 400, "ValidationError",
                        "set is more than 100 years ahead"); /* inferred */
            goto out;
        }
    }
    if (clock_advance_to(ac->ctx->st, target))
        log_warn("admin: some clock events failed while advancing (see above)");
    admin_reply(ac, 200, clock_json());
out:
    json_decref(in);
}

static void reset_post(struct admin_call *ac)
{
    if (store_reset(ac->ctx->st) || clock_init(ac->ctx->st, clock_mode(), 0, false)) {
        admin_error(ac, 500, "InternalFailure", "Reset failed"); /* inferred */
        return;
    }
    log_info("admin: state reset");
    admin_reply(ac, 200, json_pack("{s:s}", "status", "ok"));
}
