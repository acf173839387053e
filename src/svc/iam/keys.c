/*
 * keys.c — the access keys IAM owns (table access_keys) as other modules see them (iam.h):
 * the lookup of a key (also the credentials hook of IAM's module), the session facts of
 * temporary keys, the issuing of STS session keys and the account root's key. IAM users'
 * own key operations (CreateAccessKey...) are in users.c. The principal column is the JSON
 * of principal_to_json(), plus STS's members for session keys (see sts.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/iam/iam_internal.h"
#include "svc/svc.h"

int iam_key_lookup(struct store *st, const char *access_key_id, struct arena *a,
                   struct credential *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT secret, session_token, status, expires_ms, principal "
                                     "FROM access_keys WHERE access_key_id = ?1");
    sqlite3_bind_text(s, 1, access_key_id, -1, SQLITE_STATIC);
    int rc = iam_step_row(st, s, "credential lookup");
    if (rc)
        goto out;
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
    out->tags = out->transitive = "";
    sqlite3_stmt *s = store_stmt(st, "SELECT created_ms, session_policies, principal"
                                     " FROM access_keys WHERE access_key_id = ?1");
    sqlite3_bind_text(s, 1, access_key_id, -1, SQLITE_TRANSIENT);
    int rc = iam_step_row(st, s, "iam session lookup");
    if (rc == 0) {
        out->created_ms = sqlite3_column_int64(s, 0);
        if (sqlite3_column_type(s, 1) != SQLITE_NULL)
            out->session_policies = arena_strdup(a, (const char *)sqlite3_column_text(s, 1));
        const char *text = (const char *)sqlite3_column_text(s, 2);
        json_t *pj = text ? json_loads(text, 0, NULL) : NULL;
        out->role_arn = member(a, pj, "role_arn");
        out->issuer = member(a, pj, "issuer");
        out->issuer_id = member(a, pj, "issuer_id");
        out->source_identity = member(a, pj, "source_identity");
        json_t *t = json_object_get(pj, "tags");
        char *tt = json_array_size(t) ? json_dumps(t, JSON_COMPACT) : NULL;
        out->tags = tt ? arena_strdup(a, tt) : "";
        free(tt);
        t = json_object_get(pj, "transitive_tag_keys");
        tt = json_array_size(t) ? json_dumps(t, JSON_COMPACT) : NULL;
        out->transitive = tt ? arena_strdup(a, tt) : "";
        free(tt);
        json_decref(pj);
    }
    sqlite3_reset(s);
    return rc;
}

int iam_session_key_issue(struct store *st, const char *principal_json,
                          const char *session_policies, const char *session_token, int64_t now_ms,
                          int64_t expires_ms, char akid[21], char secret[41])
{
    iam_new_secret(secret);
    for (int attempt = 0; attempt < 3; attempt++) {
        iam_new_access_key_id("ASIA", akid);
        sqlite3_stmt *s = store_stmt(st, "INSERT INTO access_keys(access_key_id, secret, "
                                         "session_token, status, expires_ms, created_ms, "
                                         "principal, owner, session_policies) "
                                         "VALUES(?1, ?2, ?3, 'Active', ?4, ?5, ?6, NULL, ?7)");
        sqlite3_bind_text(s, 1, akid, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, secret, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, session_token, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, expires_ms);
        sqlite3_bind_int64(s, 5, now_ms);
        sqlite3_bind_text(s, 6, principal_json, -1, SQLITE_STATIC);
        if (session_policies)
            sqlite3_bind_text(s, 7, session_policies, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 7);
        int src = sqlite3_step(s);
        sqlite3_reset(s);
        if (src == SQLITE_DONE)
            return 0;
        if (src != SQLITE_CONSTRAINT) {
            log_error("sts: storing credentials: %s", sqlite3_errmsg(store_db(st)));
            return -1;
        }
    }
    return -1;
}

int iam_root_key_create(struct store *st, const char *account, int64_t now_ms, char akid[21],
                        char secret[41])
{
    iam_new_access_key_id("AKIA", akid);
    iam_new_secret(secret);
    char principal[512];
    snprintf(principal, sizeof(principal),
             "{\"kind\":\"root\",\"temporary\":false,\"account\":\"%s\","
             "\"arn\":\"arn:aws:iam::%s:root\",\"user_id\":\"%s\",\"name\":\"root\"}",
             account, account, account);
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO access_keys(access_key_id, secret, "
                                     "session_token, status, expires_ms, created_ms, principal) "
                                     "VALUES(?1, ?2, NULL, 'Active', 0, ?3, ?4)");
    sqlite3_bind_text(s, 1, akid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, secret, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    sqlite3_bind_text(s, 4, principal, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    if (rc)
        log_error("bootstrap: cannot store the root key: %s", sqlite3_errmsg(store_db(st)));
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
