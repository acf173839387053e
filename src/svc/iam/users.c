/*
 * users.c — IAM users, their access keys and tags: CreateUser, GetUser, ListUsers,
 * UpdateUser, DeleteUser, CreateAccessKey, ListAccessKeys, UpdateAccessKey,
 * DeleteAccessKey, GetAccessKeyLastUsed, TagUser, UntagUser, ListUserTags.
 *
 * Access keys live in the core access_keys table (owner = user name) with the principal
 * JSON SigV4 lookups use, so a new key works at once; a rename rewrites that principal.
 * Error texts: see common.c for the tags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/iam/iam_internal.h"
#include "svc/iam/ops.h"
#include "wire/models/iam_members.h"

/* The account root's own long-term keys (owner NULL, no session token). */
#define ROOT_KEYS                                                                                  \
    "owner IS NULL AND session_token IS NULL AND json_extract(principal, '$.kind') = 'root'"
#define USER_KEYS "owner = ?1 AND session_token IS NULL"

static int user_exists_fail(struct call *c, const char *name)
{
    return call_fail(c, 409, "EntityAlreadyExists", "User with name %s already exists.",
                     name); /* [snap] */
}

/* ValidationError for a role session / federated caller omitting UserName [snap]. */
static int non_user_fail(struct call *c)
{
    return call_fail(c, 400, "ValidationError",
                     "Must specify userName when calling with non-User credentials");
}

/* The calling IAM user's row (by unique id, which survives renames). 0 or -1. */
static int self_user(struct call *c, struct iam_user_row *u)
{
    int rc = iam_user_load_by_id(c, c->who.user_id, u);
    if (rc == 1)
        rc = iam_user_load(c, c->who.name, u);
    return rc == 1 ? iam_fail_no_user(c, c->who.name) : rc;
}

/* ================================================================ users */

int iam_create_user(struct call *c, const json_t *in, struct out *o)
{
    const char *name, *path;
    const json_t *tags = json_object_get(in, IAM_M_CreateUserRequest_Tags);
    if (iam_req(c, in, IAM_M_CreateUserRequest_UserName, "userName", &name) ||
        iam_path_param(c, in, IAM_M_CreateUserRequest_Path, "path", "pathType", &path) ||
        iam_tags_check(c, tags, true))
        return -1;
    struct iam_user_row u;
    int rc = iam_user_load(c, name, &u);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return user_exists_fail(c, name);
    const char *boundary = iam_str(in, IAM_M_CreateUserRequest_PermissionsBoundary);
    if (boundary && iam_boundary_check(c, boundary))
        return -1;

    char id[32];
    size_t ntags;
    iam_new_id("AIDA", id, sizeof(id));
    memset(&u, 0, sizeof(u));
    u.name = name;
    u.user_id = id;
    u.path = path;
    u.arn = iam_arn(c, "user", path, name);
    u.boundary = boundary;
    u.created_ms = c->now_ms;
    u.tags = iam_tags_merge(c->a, "[]", tags, true, &ntags);
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO iam_users(" IAM_USER_COLS ")"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    store_bind_text_or_null(s, 1, u.name);
    store_bind_text_or_null(s, 2, u.user_id);
    store_bind_text_or_null(s, 3, u.path);
    store_bind_text_or_null(s, 4, u.arn);
    sqlite3_bind_int64(s, 5, u.created_ms);
    store_bind_text_or_null(s, 6, u.boundary);
    store_bind_text_or_null(s, 7, u.tags);
    if (iam_done(c, s, "create user"))
        return -1;
    out_begin(o, "User");
    iam_out_user(o, &u, true);
    out_end(o);
    return 0;
}

/* The account root as GetUser shows it without UserName: Arn ...:root, UserId = the account
 * id, CreateDate = when the account (its first root key) was created [doc/inferred]. */
static int get_root_user(struct call *c, struct out *o)
{
    int64_t created = c->now_ms;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT MIN(created_ms) FROM access_keys WHERE " ROOT_KEYS);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        created = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    out_begin(o, "User");
    out_str(o, "UserId", c->account);
    out_str(o, "Arn", arena_printf(c->a, "arn:aws:iam::%s:root", c->account));
    out_time(o, "CreateDate", created);
    out_end(o);
    return 0;
}

int iam_get_user(struct call *c, const json_t *in, struct out *o)
{
    const char *name = iam_str(in, IAM_M_GetUserRequest_UserName);
    struct iam_user_row u;
    if (name) {
        if (iam_user_need(c, name, &u))
            return -1;
    } else if (c->who.kind == PRINCIPAL_ROOT) {
        return get_root_user(c, o);
    } else if (c->who.kind == PRINCIPAL_USER) {
        if (self_user(c, &u))
            return -1;
    } else {
        return non_user_fail(c);
    }
    out_begin(o, "User");
    iam_out_user(o, &u, true);
    out_end(o);
    return 0;
}

int iam_out_users(struct call *c, struct out *o, sqlite3_stmt *s, const char *prefix,
                  struct iam_pager *pg, const char *what)
{
    int rc;
    out_begin(o, "Users");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct iam_user_row u;
        iam_user_fill(c->a, s, &u);
        if ((prefix && !str_startswith(u.path, prefix)) ||
            !iam_pager_take(pg, c->a, u.name, true)) {
            if (pg->truncated)
                break;
            continue;
        }
        out_begin(o, NULL);
        iam_out_user(o, &u, false);
        out_end(o);
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_fail_internal(c, what);
    iam_pager_finish(o, pg);
    return 0;
}

int iam_list_users(struct call *c, const json_t *in, struct out *o)
{
    const char *prefix;
    struct iam_pager pg;
    if (iam_path_prefix(c, in, "pathPrefixType", &prefix))
        return -1;
    iam_pager_init(in, &pg);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " IAM_USER_COLS " FROM iam_users ORDER BY name");
    return iam_out_users(c, o, s, prefix, &pg, "list users");
}

/* Renames the owner columns of everything that hangs off a user. */
static int rename_user_refs(struct call *c, const char *old_name, const struct iam_user_row *u)
{
    static const char *const sql[] = {
        "UPDATE iam_group_members SET user_name = ?2 WHERE user_name = ?1",
        "UPDATE iam_inline_policies SET owner = ?2 WHERE kind = 'user' AND owner = ?1",
        "UPDATE iam_attachments SET owner = ?2 WHERE kind = 'user' AND owner = ?1",
    };
    for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
        sqlite3_stmt *s = store_stmt(c->st, sql[i]);
        store_bind_text_or_null(s, 1, old_name);
        store_bind_text_or_null(s, 2, u->name);
        if (iam_done(c, s, "rename user references"))
            return -1;
    }
    return iam_keys_rename(c, old_name, u);
}

/*
 * UpdateUser: NewUserName and/or NewPath; the unique id stays [snap]. Group memberships,
 * policies and access keys follow the user (its keys keep working under the new ARN
 * [snap: GetCallerIdentity after a rename shows the new name]).
 */
int iam_update_user(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name, *new_path;
    if (iam_req(c, in, IAM_M_UpdateUserRequest_UserName, "userName", &name))
        return -1;
    const char *new_name = iam_str(in, IAM_M_UpdateUserRequest_NewUserName);
    struct iam_user_row u, other;
    if (iam_user_need(c, name, &u))
        return -1;
    if (iam_str(in, IAM_M_UpdateUserRequest_NewPath) &&
        iam_path_param(c, in, IAM_M_UpdateUserRequest_NewPath, "newPath", "pathType", &new_path))
        return -1;
    if (!iam_str(in, IAM_M_UpdateUserRequest_NewPath))
        new_path = u.path;
    if (new_name) {
        int rc = iam_user_load(c, new_name, &other);
        if (rc < 0)
            return -1;
        if (rc == 0 && !str_eq(other.user_id, u.user_id))
            return user_exists_fail(c, new_name);
    }
    const char *old_name = u.name;
    u.name = new_name ? new_name : u.name;
    u.path = new_path;
    u.arn = iam_arn(c, "user", u.path, u.name);
    sqlite3_stmt *s =
        store_stmt(c->st, "UPDATE iam_users SET name = ?2, path = ?3, arn = ?4 WHERE user_id = ?1");
    store_bind_text_or_null(s, 1, u.user_id);
    store_bind_text_or_null(s, 2, u.name);
    store_bind_text_or_null(s, 3, u.path);
    store_bind_text_or_null(s, 4, u.arn);
    if (iam_done(c, s, "update user"))
        return -1;
    return rename_user_refs(c, old_name, &u);
}

/*
 * DeleteUser refuses while anything is attached, in the order the API reference lists the
 * items: access keys, inline policies, managed policies, group memberships. Messages [snap]
 * for the policies; access keys and groups [obs].
 */
int iam_delete_user(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_user_row u;
    int64_t n;
    if (iam_req(c, in, IAM_M_DeleteUserRequest_UserName, "userName", &name) ||
        iam_user_need(c, name, &u))
        return -1;
    static const struct {
        const char *sql, *msg;
    } deps[] = {
        {"SELECT COUNT(*) FROM access_keys WHERE " USER_KEYS,
         "Cannot delete entity, must delete access keys first."},
        {"SELECT COUNT(*) FROM iam_inline_policies WHERE kind = 'user' AND owner = ?1",
         "Cannot delete entity, must delete policies first."},
        {"SELECT COUNT(*) FROM iam_attachments WHERE kind = 'user' AND owner = ?1",
         "Cannot delete entity, must detach all policies first."},
        {"SELECT COUNT(*) FROM iam_group_members WHERE user_name = ?1",
         "Cannot delete entity, must remove users from group first."},
    };
    for (size_t i = 0; i < ARRAY_LEN(deps); i++) {
        if (iam_count(c, deps[i].sql, u.name, NULL, &n))
            return -1;
        if (n)
            return call_fail(c, 409, "DeleteConflict", "%s", deps[i].msg);
    }
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM iam_users WHERE user_id = ?1");
    store_bind_text_or_null(s, 1, u.user_id);
    return iam_done(c, s, "delete user");
}

/* ================================================================ access keys */

/*
 * Whose keys an access key operation is about: UserName, else the caller itself (an IAM
 * user, or the account root for its own keys); other callers must name the user [snap].
 */
static int key_owner(struct call *c, const json_t *in, struct iam_user_row *u, bool *root)
{
    const char *name = iam_str(in, IAM_IN_UserName);
    *root = false;
    if (name)
        return iam_user_need(c, name, u);
    if (c->who.kind == PRINCIPAL_ROOT) {
        *root = true;
        return 0;
    }
    if (c->who.kind == PRINCIPAL_USER)
        return self_user(c, u);
    return non_user_fail(c);
}

static sqlite3_stmt *keys_stmt(struct call *c, bool root, const struct iam_user_row *u,
                               const char *head, const char *tail)
{
    const char *sql =
        arena_printf(c->a, "%s WHERE %s%s", head, root ? ROOT_KEYS : USER_KEYS, tail ? tail : "");
    sqlite3_stmt *s = store_stmt(c->st, sql);
    if (!root)
        store_bind_text_or_null(s, 1, u->name);
    return s;
}

/* UserName shown for the root's own keys (inferred). */
#define ROOT_KEY_USER "root"

int iam_create_access_key(struct call *c, const json_t *in, struct out *o)
{
    struct iam_user_row u;
    bool root;
    int64_t n = 0;
    if (key_owner(c, in, &u, &root))
        return -1;
    sqlite3_stmt *s = keys_stmt(c, root, &u, "SELECT COUNT(*) FROM access_keys", NULL);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return iam_fail_internal(c, "count keys");
    if (n >= IAM_KEYS_PER_USER)
        return call_fail(c, 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d",
                         IAM_KEYS_PER_USER); /* [snap] */

    struct principal p;
    memset(&p, 0, sizeof(p));
    snprintf(p.account, sizeof(p.account), "%s", c->account);
    if (root) {
        p.kind = PRINCIPAL_ROOT;
        snprintf(p.arn, sizeof(p.arn), "arn:aws:iam::%s:root", c->account);
        snprintf(p.user_id, sizeof(p.user_id), "%s", c->account);
        snprintf(p.name, sizeof(p.name), "root");
    } else {
        p.kind = PRINCIPAL_USER;
        snprintf(p.arn, sizeof(p.arn), "%s", u.arn);
        snprintf(p.user_id, sizeof(p.user_id), "%s", u.user_id);
        snprintf(p.name, sizeof(p.name), "%s", u.name);
    }
    char key[21], secret[41];
    char *pj = principal_to_json(&p);
    iam_new_access_key_id("AKIA", key);
    iam_new_secret(secret);
    s = store_stmt(c->st, "INSERT INTO access_keys(access_key_id, secret, session_token, status,"
                          " expires_ms, created_ms, principal, owner)"
                          " VALUES(?1, ?2, NULL, 'Active', 0, ?3, ?4, ?5)");
    store_bind_text_or_null(s, 1, key);
    store_bind_text_or_null(s, 2, secret);
    sqlite3_bind_int64(s, 3, c->now_ms);
    store_bind_text_or_null(s, 4, pj);
    store_bind_text_or_null(s, 5, root ? NULL : u.name);
    free(pj);
    if (iam_done(c, s, "create access key"))
        return -1;
    out_begin(o, "AccessKey");
    out_str(o, "UserName", root ? ROOT_KEY_USER : u.name);
    out_str(o, "AccessKeyId", key);
    out_str(o, "Status", "Active");
    out_str(o, "SecretAccessKey", secret);
    out_time(o, "CreateDate", c->now_ms);
    out_end(o);
    return 0;
}

int iam_list_access_keys(struct call *c, const json_t *in, struct out *o)
{
    struct iam_user_row u;
    bool root;
    struct iam_pager pg;
    if (key_owner(c, in, &u, &root))
        return -1;
    iam_pager_init(in, &pg);
    sqlite3_stmt *s =
        keys_stmt(c, root, &u, "SELECT access_key_id, status, created_ms FROM access_keys",
                  " ORDER BY access_key_id");
    int rc;
    out_begin(o, "AccessKeyMetadata");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        if (!iam_pager_take(&pg, c->a, id, false)) {
            if (pg.truncated)
                break;
            continue;
        }
        out_begin(o, NULL);
        out_str(o, "UserName", root ? ROOT_KEY_USER : u.name);
        out_str(o, "AccessKeyId", id);
        out_str(o, "Status", (const char *)sqlite3_column_text(s, 1));
        out_time(o, "CreateDate", sqlite3_column_int64(s, 2));
        out_end(o);
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_fail_internal(c, "list access keys");
    iam_pager_finish(o, &pg);
    return 0;
}

/* 0 when the key belongs to the owner, -1 with NoSuchEntity [snap] (or an error). */
static int key_need(struct call *c, bool root, const struct iam_user_row *u, const char *id)
{
    sqlite3_stmt *s = keys_stmt(c, root, u, "SELECT 1 FROM access_keys", " AND access_key_id = ?2");
    store_bind_text_or_null(s, 2, id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return iam_fail_internal(c, "find access key");
    return call_fail(c, 404, "NoSuchEntity", "The Access Key with id %s cannot be found.", id);
}

int iam_update_access_key(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id, *status;
    struct iam_user_row u;
    bool root;
    if (iam_req(c, in, IAM_M_UpdateAccessKeyRequest_AccessKeyId, "accessKeyId", &id) ||
        iam_req(c, in, IAM_M_UpdateAccessKeyRequest_Status, "status", &status))
        return -1;
    if (!str_eq(status, "Active") && !str_eq(status, "Inactive"))
        return call_fail(c, 400, "InvalidInput", /* inferred: Expired is not settable */
                         "Status must be Active or Inactive.");
    if (key_owner(c, in, &u, &root) || key_need(c, root, &u, id))
        return -1;
    sqlite3_stmt *s =
        store_stmt(c->st, "UPDATE access_keys SET status = ?2 WHERE access_key_id = ?1");
    store_bind_text_or_null(s, 1, id);
    store_bind_text_or_null(s, 2, status);
    return iam_done(c, s, "update access key");
}

int iam_delete_access_key(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *id;
    struct iam_user_row u;
    bool root;
    if (iam_req(c, in, IAM_M_DeleteAccessKeyRequest_AccessKeyId, "accessKeyId", &id) ||
        key_owner(c, in, &u, &root) || key_need(c, root, &u, id))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM access_keys WHERE access_key_id = ?1");
    store_bind_text_or_null(s, 1, id);
    return iam_done(c, s, "delete access key");
}

/*
 * GetAccessKeyLastUsed: N/A service and region until the key is used [snap]; an unknown key
 * is refused with AccessDenied worded as recorded [snap]. No per-key region is stored, so a
 * used key reports the region of this call (inferred).
 */
int iam_get_access_key_last_used(struct call *c, const json_t *in, struct out *o)
{
    const char *id;
    if (iam_req(c, in, IAM_M_GetAccessKeyLastUsedRequest_AccessKeyId, "accessKeyId", &id))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT owner, last_used_ms, last_used_service"
                                        " FROM access_keys WHERE access_key_id = ?1"
                                        " AND session_token IS NULL");
    store_bind_text_or_null(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return iam_fail_internal(c, "key last used");
        return call_fail(c, 403, "AccessDenied",
                         "User: %s is not authorized to perform iam:GetAccessKeyLastUsed on "
                         "resource: access key %s",
                         c->who.arn, id);
    }
    const char *owner = iam_col(c->a, s, 0);
    bool used = sqlite3_column_type(s, 1) != SQLITE_NULL;
    int64_t at = sqlite3_column_int64(s, 1);
    const char *svc = iam_col(c->a, s, 2);
    sqlite3_reset(s);
    if (owner)
        out_str(o, "UserName", owner);
    out_begin(o, "AccessKeyLastUsed");
    if (used) {
        out_time(o, "LastUsedDate", at);
        out_str(o, "ServiceName", svc ? svc : "N/A");
        out_str(o, "Region", c->region ? c->region : "N/A");
    } else {
        out_str(o, "ServiceName", "N/A");
        out_str(o, "Region", "N/A");
    }
    out_end(o);
    return 0;
}

/* ================================================================ tags */

static int save_user_tags(struct call *c, const struct iam_user_row *u, const char *tags)
{
    sqlite3_stmt *s = store_stmt(c->st, "UPDATE iam_users SET tags = ?2 WHERE user_id = ?1");
    store_bind_text_or_null(s, 1, u->user_id);
    store_bind_text_or_null(s, 2, tags);
    return iam_done(c, s, "user tags");
}

int iam_tag_user(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_user_row u;
    const json_t *tags = json_object_get(in, IAM_M_TagUserRequest_Tags);
    if (iam_req(c, in, IAM_M_TagUserRequest_UserName, "userName", &name) ||
        iam_user_need(c, name, &u) || iam_tags_check(c, tags, true))
        return -1;
    size_t n;
    char *merged = iam_tags_merge(c->a, u.tags, tags, true, &n);
    if (n > IAM_TAGS_PER_ENTITY)
        return call_fail(c, 409, "LimitExceeded", "Cannot exceed quota for TagsPerUser: %d",
                         IAM_TAGS_PER_ENTITY); /* inferred */
    return save_user_tags(c, &u, merged);
}

int iam_untag_user(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_user_row u;
    const json_t *keys = json_object_get(in, IAM_M_UntagUserRequest_TagKeys);
    if (iam_req(c, in, IAM_M_UntagUserRequest_UserName, "userName", &name) ||
        iam_user_need(c, name, &u) || iam_tag_keys_check(c, keys))
        return -1;
    return save_user_tags(c, &u, iam_tags_remove(c->a, u.tags, keys, true));
}

int iam_list_user_tags(struct call *c, const json_t *in, struct out *o)
{
    const char *name;
    struct iam_user_row u;
    if (iam_req(c, in, IAM_M_ListUserTagsRequest_UserName, "userName", &name) ||
        iam_user_need(c, name, &u))
        return -1;
    iam_out_tag_page(c, o, in, u.tags);
    return 0;
}
