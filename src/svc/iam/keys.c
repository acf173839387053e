/*
 * keys.c — the access keys IAM owns (table access_keys): the SigV4 credential lookup, the
 * credentials hook of IAM's module.
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/iam/iam.h"
#include "svc/svc.h"

int iam_key_lookup(struct store *st, const char *access_key_id, struct arena *a,
                   struct credential *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT secret, session_token, status, expires_ms, principal "
                                     "FROM access_keys WHERE access_key_id = ?1");
    sqlite3_bind_text(s, 1, access_key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return 1;
    }
    if (rc != SQLITE_ROW) {
        log_error("credential lookup: %s", sqlite3_errmsg(store_db(st)));
        sqlite3_reset(s);
        return -1;
    }
    rc = 0;
    memset(out, 0, sizeof(*out));
    out->access_key_id = arena_strdup(a, access_key_id);
    out->secret = arena_strdup(a, (const char *)sqlite3_column_text(s, 0));
    if (sqlite3_column_type(s, 1) != SQLITE_NULL)
        out->session_token = arena_strdup(a, (const char *)sqlite3_column_text(s, 1));
    out->active = str_eq((const char *)sqlite3_column_text(s, 2), "Active");
    out->expires_ms = sqlite3_column_int64(s, 3);
    if (principal_from_json((const char *)sqlite3_column_text(s, 4), &out->principal)) {
        log_error("credential lookup: bad principal for %s", access_key_id);
        rc = -1;
        goto out;
    }
    snprintf(out->principal.access_key_id, sizeof(out->principal.access_key_id), "%s",
             access_key_id);
    out->principal.temporary = out->session_token != NULL;
    out->principal.expires_ms = out->expires_ms;
out:
    sqlite3_reset(s);
    return rc;
}

/* The string member key of o in the arena; "" when absent or not a string. */
static const char *member(struct arena *a, const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? arena_strdup(a, v) : "";
}

int iam_session_get(struct store *st, struct arena *a, const char *access_key_id,
                    struct iam_session *out)
{
    memset(out, 0, sizeof(*out));
    out->role_arn = out->issuer = out->issuer_id = out->source_identity = "";
    sqlite3_stmt *s = store_stmt(st, "SELECT created_ms, session_policies, principal"
                                     " FROM access_keys WHERE access_key_id = ?1");
    sqlite3_bind_text(s, 1, access_key_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->created_ms = sqlite3_column_int64(s, 0);
        if (sqlite3_column_type(s, 1) != SQLITE_NULL)
            out->session_policies = arena_strdup(a, (const char *)sqlite3_column_text(s, 1));
        const char *text = (const char *)sqlite3_column_text(s, 2);
        json_t *pj = text ? json_loads(text, 0, NULL) : NULL;
        out->role_arn = member(a, pj, "role_arn");
        out->issuer = member(a, pj, "issuer");
        out->issuer_id = member(a, pj, "issuer_id");
        out->source_identity = member(a, pj, "source_identity");
        json_decref(pj);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = 1;
    } else {
        log_error("iam session lookup: %s", sqlite3_errmsg(store_db(st)));
        rc = -1;
    }
    sqlite3_reset(s);
    return rc;
}

/* ctx is the server_ctx. */
int iam_credential_lookup(void *vctx, const char *access_key_id, struct arena *a,
                          struct credential *out)
{
    struct server_ctx *ctx = vctx;
    return iam_key_lookup(ctx->st, access_key_id, a, out);
}

int iam_call_succeeded(struct call *c)
{
    return iam_note_use(c->st, &c->who, c->svc->signing_name, c->region, c->now_ms);
}
