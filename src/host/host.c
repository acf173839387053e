/*
 * host.c — how the lab sits on the transport: the handler the HTTP server hands each
 * neutral request to (a module's route under /_recoverlab/ and /moto-api/, else the AWS
 * API), and the timed work (the virtual clock's due events) around requests and on ticks.
 */
#include <sqlite3.h>

#include "clock/clock.h"
#include "store/store.h"
#include "svc/admin.h"
#include "host/host.h"
#include "svc/svc.h"

void svc_route(void *vctx, const struct request *rq, struct response *resp)
{
    struct server_ctx *ctx = vctx;
    if (admin_owns_path(rq->path))
        admin_handle(ctx, rq, resp);
    else
        dispatch_aws(ctx, rq, resp);
}

/* Real clock mode: due events run before a request looks at state. */
static void tick(void *vctx)
{
    struct server_ctx *ctx = vctx;
    if (ctx->st)
        clock_tick(ctx->st);
}

/* After a request: statements left mid-iteration are reset so no read stays open. */
static void settle(void *vctx)
{
    struct server_ctx *ctx = vctx;
    sqlite3 *db = ctx->st ? store_db(ctx->st) : NULL;
    if (!db)
        return;
    for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s; s = sqlite3_next_stmt(db, s))
        if (sqlite3_stmt_busy(s))
            sqlite3_reset(s);
    if (!sqlite3_get_autocommit(db))
        log_error("http: a transaction was left open by the last request");
}

static int64_t next_due_in(void *vctx)
{
    struct server_ctx *ctx = vctx;
    return ctx->st ? clock_next_due_in(ctx->st) : -1;
}

static void transport_error(void *vctx, const struct request *rq, int status, const char *code,
                            const char *message, struct response *resp)
{
    dispatch_transport_error(vctx, rq, status, code, message, resp);
}

void svc_server_hooks(struct server_ctx *ctx, struct server_hooks *out)
{
    *out = (struct server_hooks){
        .ctx = ctx,
        .handle = svc_route,
        .before = tick,
        .after = settle,
        .next_due_in = next_due_in,
        .tick = tick,
        .transport_error = transport_error,
    };
}
