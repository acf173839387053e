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
#include "svc/authz.h"
#include "svc/cloudtrail/trail.h"
#include "svc/svc.h"

const struct op_def ops_table[] = {
#define OP(svc, name, fn, action, res, flags) {#svc, #name, fn, action, res, flags},
#include "svc/ops.def"
#undef OP
};
const size_t ops_count = sizeof(ops_table) / sizeof(ops_table[0]);

static const struct op_def **ops_sorted;

static int op_cmp(const void *a, const void *b)
{
    const struct op_def *x = *(const struct op_def *const *)a;
    const struct op_def *y = *(const struct op_def *const *)b;
    int r = strcmp(x->service, y->service);
    return r ? r : strcmp(x->name, y->name);
}

const struct op_def *ops_find(const char *service, const char *name)
{
    if (!ops_sorted) {
        const struct op_def **v = xmalloc(ops_count * sizeof(*v));
        for (size_t i = 0; i < ops_count; i++)
            v[i] = &ops_table[i];
        qsort(v, ops_count, sizeof(*v), op_cmp);
        ops_sorted = v;
    }
    struct op_def key = {.service = service, .name = name};
    const struct op_def *kp = &key;
    const struct op_def **hit = bsearch(&kp, ops_sorted, ops_count, sizeof(*ops_sorted), op_cmp);
    return hit ? *hit : NULL;
}

/*
 * Looks an access key up in access_keys. The principal JSON column is the format of
 * principal_to_json(). Strings are copied into the arena.
 */
int svc_credential_lookup(void *vctx, const char *access_key_id, struct arena *a,
                          struct credential *out)
{
    struct server_ctx *ctx = vctx;
    sqlite3_stmt *s = store_stmt(ctx->st,
                                 "SELECT secret, session_token, status, expires_ms, principal "
                                 "FROM access_keys WHERE access_key_id = ?1");
    sqlite3_bind_text(s, 1, access_key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        return 1;
    if (rc != SQLITE_ROW) {
        log_error("credential lookup: %s", sqlite3_errmsg(store_db(ctx->st)));
        return -1;
    }
    memset(out, 0, sizeof(*out));
    out->access_key_id = arena_strdup(a, access_key_id);
    out->secret = arena_strdup(a, (const char *)sqlite3_column_text(s, 0));
    if (sqlite3_column_type(s, 1) != SQLITE_NULL)
        out->session_token = arena_strdup(a, (const char *)sqlite3_column_text(s, 1));
    out->active = str_eq((const char *)sqlite3_column_text(s, 2), "Active");
    out->expires_ms = sqlite3_column_int64(s, 3);
    if (principal_from_json((const char *)sqlite3_column_text(s, 4), &out->principal)) {
        log_error("credential lookup: bad principal for %s", access_key_id);
        return -1;
    }
    snprintf(out->principal.access_key_id, sizeof(out->principal.access_key_id), "%s",
             access_key_id);
    out->principal.temporary = out->session_token != NULL;
    out->principal.expires_ms = out->expires_ms;
    return 0;
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
    if (authz_request(&c, def, in)) /* svc/authz.c */
        goto respond;

    if (store_begin(c.st)) {
        call_fail(&c, 500, "InternalFailure", "The request processing has failed because of an "
                                              "unknown error, exception or failure.");
        goto respond;
    }
    int rc = def->fn(&c, in, c.out);
    /* GetAccessKeyLastUsed / RoleLastUsed: the key and role were used (same transaction) */
    if (!rc && !c.err.status && c.who.access_key_id[0] && !c.auth_off)
        rc = iam_note_use(c.st, &c.who, c.svc->signing_name, c.region, c.now_ms);
    if (rc || c.err.status) {
        if (!c.err.status)
            call_fail(&c, 500, "InternalFailure", "The request processing has failed because of "
                                                  "an unknown error, exception or failure.");
        store_rollback(c.st);
    } else {
        /* CloudTrail: a successful call's event commits with the call (one commit, not two) */
        trail_record(&c, in, NULL, NULL);
        recorded = true;
        if (store_commit(c.st)) {
            store_rollback(c.st);
            recorded = false;
            call_fail(&c, 500, "InternalFailure", "The request processing has failed because "
                                                  "of an unknown error, exception or failure.");
        }
    }

respond:
    wire_respond(&c, resp);
    /* CloudTrail: one event per routed, authenticated call (trail.c decides what to keep) */
    if (!recorded)
        trail_record(&c, in, NULL, NULL);
    log_debug("%s %s.%s -> %d", rq->remote_addr ? rq->remote_addr : "-",
              c.svc ? c.svc->id : "?", c.op_name ? c.op_name : "?", resp->status);
    if (in)
        json_decref(in);
    out_free(c.out);
}
