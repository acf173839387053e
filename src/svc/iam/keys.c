/*
 * keys.c — the access keys IAM owns (table access_keys): the SigV4 credential lookup, the
 * credentials hook of IAM's module.
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/iam/iam.h"
#include "svc/svc.h"

/*
 * Looks an access key up in access_keys. The principal JSON column is the format of
 * principal_to_json(). Strings are copied into the arena. ctx is the server_ctx.
 */
int iam_credential_lookup(void *vctx, const char *access_key_id, struct arena *a,
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


int iam_call_succeeded(struct call *c)
{
    return iam_note_use(c->st, &c->who, c->svc->signing_name, c->region, c->now_ms);
}
