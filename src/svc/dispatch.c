/*
 * dispatch.c — the operation table and the request pipeline:
 *   route (service, protocol, operation) -> SigV4 -> decode -> validate -> authorize ->
 *   handler inside one store transaction -> render in the caller's protocol.
 * Errors at any step are rendered in the caller's protocol by wire_respond().
 */
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/module.h"
#include "svc/svc.h"

int svc_credential_lookup(void *ctx, const char *access_key_id, struct arena *a,
                          struct credential *out)
{
    credential_lookup_fn fn = svc_hooks()->credential_lookup;
    return fn ? fn(ctx, access_key_id, a, out) : 1;
}

/* The account root, as --auth off treats every caller. */
static void root_principal(struct call *c, const char *akid, bool temporary)
{
    struct principal *p = &c->who;
    memset(p, 0, sizeof(*p));
    p->kind = PRINCIPAL_ROOT;
    p->temporary = temporary;
    snprintf(p->account, sizeof(p->account), "%s", c->account);
    snprintf(p->arn, sizeof(p->arn), "arn:aws:iam::%s:root", c->account);
    snprintf(p->user_id, sizeof(p->user_id), "%s", c->account);
    snprintf(p->name, sizeof(p->name), "root");
    if (akid)
        snprintf(p->access_key_id, sizeof(p->access_key_id), "%s", akid);
}

/*
 * Fails the call with a SigV4 error in the service's words. EC2 answers with its own
 * codes: AuthFailure (401) for unknown keys and bad signatures, RequestExpired for a
 * skewed date or an expired token [obs]; MissingAuthenticationToken there is inferred.
 */
static int fail_auth(struct call *c, const struct sigv4_result *r)
{
    if (c->proto == PROTO_EC2) {
        if (str_eq(r->err.code, "ExpiredToken") ||
            (str_eq(r->err.code, "SignatureDoesNotMatch") && r->err.message &&
             (strstr(r->err.message, "Signature expired") || strstr(r->err.message, "not yet current"))))
            return call_fail(c, 400, "RequestExpired", "Request has expired.");
        if (str_eq(r->err.code, "InvalidClientTokenId") || str_eq(r->err.code, "SignatureDoesNotMatch"))
            return call_fail(c, 401, "AuthFailure",
                             "AWS was not able to validate the provided access credentials");
    }
    if (!r->err.message)
        return call_fail(c, r->err.status ? r->err.status : 403, r->err.code, NULL);
    return call_fail(c, r->err.status ? r->err.status : 403, r->err.code, "%s", r->err.message);
}

static int authenticate(struct server_ctx *ctx, struct call *c, int prc,
                        const struct sigv4_parsed *sp, struct sigv4_result *sr)
{
    if (prc < 0)
        return fail_auth(c, sr);
    if (!ctx->auth_enforce) {
        /* --auth off: any well-formed (or no) credentials act as the root; an ASIA key with a
         * session token still counts as temporary credentials (INTERFACE.md). */
        bool temp = prc == 0 && sp->security_token && str_startswith(sp->access_key_id, "ASIA");
        root_principal(c, prc == 0 ? sp->access_key_id : NULL, temp);
        return 0;
    }
    if (prc == 1)
        return fail_auth(c, sr); /* sigv4_parse filled in MissingAuthenticationToken */
    if (sigv4_verify(c->rq, sp, wall_now_ms(), c->now_ms, svc_credential_lookup, ctx, sr))
        return fail_auth(c, sr);
    c->who = sr->principal;
    return 0;
}

void dispatch_aws(struct server_ctx *ctx, const struct request *rq,
                  struct response *resp)
{
    struct call c;
    struct out out;
    memset(&c, 0, sizeof(c));
    memset(&out, 0, sizeof(out));
    c.out = &out;
    c.a = rq->arena;
    c.rq = rq;
    c.st = ctx->st;
    c.account = ctx->account;
    c.now_ms = clock_now();
    c.auth_off = !ctx->auth_enforce;
    uuid4(c.request_id);

    json_t *in = NULL;
    bool recorded = false;
    struct sigv4_parsed sp;
    struct sigv4_result sr;
    memset(&sp, 0, sizeof(sp));
    memset(&sr, 0, sizeof(sr));
    int prc = sigv4_parse(rq, &sp, &sr);
    c.region = (prc == 0 && sp.region && *sp.region) ? sp.region : ctx->default_region;

    if (wire_route(&c, prc == 0 ? sp.service : NULL))
        goto respond;
    out_init(c.out, c.proto, c.svc, c.op);
    if (authenticate(ctx, &c, prc, &sp, &sr))
        goto respond;
    const struct op_def *def = ops_find(c.svc->id, c.op->name);
    if (!def || !def->fn) {
        /* a row without its handler yet (tests/unit/ops_test.c fails on that), or tables
         * that disagree with ops.def (make models): answered as an unserved operation */
        if (c.proto == PROTO_JSON || c.proto == PROTO_CBOR)
            call_fail(&c, 400, "UnknownOperationException", NULL);
        else
            call_fail(&c, 400, "InvalidAction", "The action %s is not valid for this web service.",
                      c.op->name);
        goto respond;
    }
    if (wire_decode(&c, &in) || wire_validate(&c, in))
        goto respond;
    const struct svc_hooks *hooks = svc_hooks();
    if (hooks->authorize && hooks->authorize(&c, def, in, NULL)) /* IAM's authz_request */
        goto respond;

    if (store_begin(c.st)) {
        call_internal(&c);
        goto respond;
    }
    int rc = def->fn(&c, in, c.out);
    /* GetAccessKeyLastUsed / RoleLastUsed: the key and role were used (same transaction) */
    if (!rc && !c.err.status && c.who.access_key_id[0] && !c.auth_off && hooks->call_succeeded)
        rc = hooks->call_succeeded(&c);
    if (rc || c.err.status) {
        if (!c.err.status)
            call_internal(&c);
        store_rollback(c.st);
    } else {
        /* CloudTrail: a successful call's event commits with the call (one commit, not two) */
        if (hooks->record)
            hooks->record(&c, in, NULL, NULL);
        recorded = true;
        if (store_commit(c.st)) {
            store_rollback(c.st);
            recorded = false;
            call_internal(&c);
        }
    }

respond:
    wire_respond(&c, resp);
    /* CloudTrail: one event per routed, authenticated call (trail.c decides what to keep) */
    if (!recorded && svc_hooks()->record)
        svc_hooks()->record(&c, in, NULL, NULL);
    log_debug("%s %s.%s -> %d", rq->remote_addr ? rq->remote_addr : "-",
              c.svc ? c.svc->id : "?", c.op_name ? c.op_name : "?", resp->status);
    if (in)
        json_decref(in);
    out_free(c.out);
}

void dispatch_transport_error(struct server_ctx *ctx, const struct request *rq, int status,
                              const char *code, const char *message, struct response *resp)
{
    struct call c;
    struct out out;
    memset(&c, 0, sizeof(c));
    memset(&out, 0, sizeof(out));
    c.out = &out;
    c.a = rq->arena;
    c.rq = rq;
    c.st = ctx->st;
    c.account = ctx->account;
    uuid4(c.request_id);
    struct sigv4_parsed sp;
    struct sigv4_result sr;
    memset(&sp, 0, sizeof(sp));
    memset(&sr, 0, sizeof(sr));
    int prc = sigv4_parse(rq, &sp, &sr);
    c.region = (prc == 0 && sp.region && *sp.region) ? sp.region : ctx->default_region;
    /* only for service and protocol: what routing says of the request is not the answer */
    wire_route(&c, prc == 0 ? sp.service : NULL);
    if (c.svc)
        out_init(c.out, c.proto, c.svc, c.op);
    memset(&c.err, 0, sizeof(c.err));
    call_fail(&c, status, code, "%s", message);
    c.err.sender = status < 500;
    wire_respond(&c, resp);
    resp->status = status; /* the transport's status, also for awsQueryCompatible JSON */
    out_free(c.out);
}
