/*
 * lookup.c — the iam.h functions other services call: user/role lookups, the identity
 * policies of a principal (on every authorized request of a non-root caller, so: few
 * statements, AWS managed documents parsed once), and id generation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/managed_policies.h"
#include "base/base.h"
#include "store/store.h"
#include "svc/iam/iam_internal.h"

#define ID_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" /* base32, as AWS ids [doc] */
#define SECRET_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"

void iam_new_id(const char *prefix, char *out, size_t cap)
{
    size_t pl = strlen(prefix);
    if (cap < pl + 18) {
        if (cap)
            out[0] = 0;
        return;
    }
    memcpy(out, prefix, pl);
    rand_chars(out + pl, 17, ID_ALPHABET);
}

void iam_new_access_key_id(const char *prefix, char out[21])
{
    memcpy(out, prefix, 4);
    rand_chars(out + 4, 16, ID_ALPHABET);
}

void iam_new_secret(char out[41])
{
    rand_chars(out, 40, SECRET_ALPHABET);
}

/* Copies a column into dst[cap]; -1 when it does not fit or is NULL. */
static int col_copy(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    size_t n = v ? strlen(v) : 0;
    if (!v || n >= cap)
        return -1;
    memcpy(dst, v, n + 1);
    return 0;
}

static int role_from_stmt(sqlite3_stmt *s, struct arena *a, struct iam_role *out)
{
    memset(out, 0, sizeof(*out));
    if (col_copy(s, 0, out->name, sizeof(out->name)) ||
        col_copy(s, 1, out->role_id, sizeof(out->role_id)) ||
        col_copy(s, 2, out->path, sizeof(out->path)) || col_copy(s, 3, out->arn, sizeof(out->arn)))
        return -1;
    out->trust_policy = arena_strdup(a, (const char *)sqlite3_column_text(s, 4));
    out->max_session_s = sqlite3_column_int64(s, 5);
    out->created_ms = sqlite3_column_int64(s, 6);
    if (sqlite3_column_type(s, 7) != SQLITE_NULL)
        out->service_linked_to = arena_strdup(a, (const char *)sqlite3_column_text(s, 7));
    return 0;
}

#define ROLE_SELECT                                                                                \
    "SELECT name, role_id, path, arn, trust_policy, max_session_s, created_ms,"                    \
    " service_linked_to FROM iam_roles "

static int role_query(struct store *st, struct arena *a, const char *sql, const char *key,
                      struct iam_role *out)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rc = role_from_stmt(s, a, out);
    else if (rc == SQLITE_DONE)
        rc = 1;
    else
        rc = -1;
    sqlite3_reset(s);
    if (rc < 0)
        log_error("iam role lookup: %s", sqlite3_errmsg(store_db(st)));
    return rc;
}

int iam_role_get(struct store *st, struct arena *a, const char *name, struct iam_role *out)
{
    if (!name)
        return 1;
    return role_query(st, a, ROLE_SELECT "WHERE name = ?1", name, out);
}

int iam_role_get_by_arn(struct store *st, struct arena *a, const char *arn, struct iam_role *out)
{
    const char *slash = arn ? strrchr(arn, '/') : NULL;
    if (!slash || !str_startswith(arn, "arn:aws:iam::") || !strstr(arn, ":role/"))
        return 1;
    int rc = role_query(st, a, ROLE_SELECT "WHERE name = ?1", slash + 1, out);
    if (rc == 0 && !str_ieq(out->arn, arn))
        rc = 1; /* same name, other path or account */
    return rc;
}

int iam_user_get(struct store *st, const char *name, struct iam_user *out)
{
    if (!name)
        return 1;
    sqlite3_stmt *s = store_stmt(
        st, "SELECT name, user_id, path, arn, created_ms FROM iam_users WHERE name = ?1");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && !out) {
        rc = 0;
    } else if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        rc = col_copy(s, 0, out->name, sizeof(out->name)) ||
                     col_copy(s, 1, out->user_id, sizeof(out->user_id)) ||
                     col_copy(s, 2, out->path, sizeof(out->path)) ||
                     col_copy(s, 3, out->arn, sizeof(out->arn))
                 ? -1
                 : 0;
        out->created_ms = sqlite3_column_int64(s, 4);
    } else {
        rc = rc == SQLITE_DONE ? 1 : -1;
    }
    sqlite3_reset(s);
    if (rc < 0)
        log_error("iam user lookup: %s", sqlite3_errmsg(store_db(st)));
    return rc;
}

int iam_instance_profile_get(struct store *st, struct arena *a, const char *name_or_arn,
                             struct iam_instance_profile *out)
{
    if (!name_or_arn)
        return 1;
    bool by_arn = str_startswith(name_or_arn, "arn:");
    const char *name = name_or_arn;
    if (by_arn) {
        const char *slash = strrchr(name_or_arn, '/');
        if (!slash || !strstr(name_or_arn, ":instance-profile/"))
            return 1;
        name = slash + 1;
    }
    sqlite3_stmt *s = store_stmt(st, "SELECT name, profile_id, arn, role_name, created_ms"
                                     " FROM iam_instance_profiles WHERE name = ?1");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && !out) {
        rc = 0;
    } else if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        rc = col_copy(s, 0, out->name, sizeof(out->name)) ||
                     col_copy(s, 1, out->profile_id, sizeof(out->profile_id)) ||
                     col_copy(s, 2, out->arn, sizeof(out->arn))
                 ? -1
                 : 0;
        if (sqlite3_column_type(s, 3) != SQLITE_NULL)
            out->role_name = arena_strdup(a, (const char *)sqlite3_column_text(s, 3));
        out->created_ms = sqlite3_column_int64(s, 4);
        if (rc == 0 && by_arn && !str_ieq(out->arn, name_or_arn))
            rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 1 : -1;
    }
    sqlite3_reset(s);
    if (rc < 0)
        log_error("iam instance profile lookup: %s", sqlite3_errmsg(store_db(st)));
    return rc;
}

int iam_policy_default_doc(struct store *st, struct arena *a, const char *arn, const char **doc)
{
    *doc = NULL;
    sqlite3_stmt *s = store_stmt(st, "SELECT v.document FROM iam_policies p "
                                     "JOIN iam_policy_versions v ON v.arn = p.arn AND "
                                     "v.version_id = p.default_version "
                                     "WHERE p.arn = ?1");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_STATIC);
    int rc = iam_step_row(st, s, "iam policy lookup");
    if (rc == 0)
        *doc = arena_strdup(a, (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return rc;
}

int iam_note_use(struct store *st, const struct principal *p, const char *service,
                 const char *region, int64_t now_ms)
{
    int rc = 0;
    if (p->access_key_id[0]) {
        sqlite3_stmt *s = store_stmt(st, "UPDATE access_keys SET last_used_ms = ?2,"
                                         " last_used_service = ?3 WHERE access_key_id = ?1");
        sqlite3_bind_text(s, 1, p->access_key_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, now_ms);
        sqlite3_bind_text(s, 3, service ? service : "N/A", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = -1;
        sqlite3_reset(s);
    }
    if (rc == 0 && p->kind == PRINCIPAL_ROLE_SESSION) {
        size_t k = strcspn(p->user_id, ":");
        sqlite3_stmt *s = store_stmt(st, "UPDATE iam_roles SET last_used_ms = ?2,"
                                         " last_used_region = ?3 WHERE role_id = ?1");
        sqlite3_bind_text(s, 1, p->user_id, (int)k, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, now_ms);
        sqlite3_bind_text(s, 3, region ? region : "us-east-1", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = -1;
        sqlite3_reset(s);
    }
    if (rc)
        log_error("iam note use: %s", sqlite3_errmsg(store_db(st)));
    return rc;
}

/* ================================================================ identity policies */

/* AWS managed documents, parsed once (static data; the cache keeps one reference). */
static json_t **aws_docs;

static json_t *aws_doc(const char *arn)
{
    size_t n = managed_policy_count();
    if (!aws_docs)
        aws_docs = xcalloc(n ? n : 1, sizeof(*aws_docs));
    for (size_t i = 0; i < n; i++) {
        const struct managed_policy *m = managed_policy_at(i);
        if (strcmp(m->arn, arn) != 0)
            continue;
        if (!aws_docs[i]) {
            json_error_t err;
            aws_docs[i] = json_loads(m->document, 0, &err);
            if (!aws_docs[i])
                log_error("iam: managed policy %s does not parse: %s", m->name, err.text);
        }
        return aws_docs[i] ? json_incref(aws_docs[i]) : NULL;
    }
    return NULL;
}

struct docs {
    json_t **v;
    size_t n, cap;
};

static void docs_add(struct docs *d, json_t *doc)
{
    if (!doc)
        return;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
    }
    d->v[d->n++] = doc;
}

static void docs_free(struct docs *d)
{
    for (size_t i = 0; i < d->n; i++)
        json_decref(d->v[i]);
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}

/*
 * One statement per principal kind: column 0 is either an inline/customer document (text)
 * or NULL with column 1 an AWS managed policy ARN. ?1 = the entity name.
 */
static const char USER_DOCS_SQL[] =
    "WITH g(name) AS (SELECT group_name FROM iam_group_members WHERE user_name = ?1),"
    " att(arn) AS (SELECT policy_arn FROM iam_attachments WHERE kind = 'user' AND owner = ?1"
    "   UNION SELECT policy_arn FROM iam_attachments WHERE kind = 'group'"
    "   AND owner IN (SELECT name FROM g))"
    " SELECT document, NULL FROM iam_inline_policies WHERE kind = 'user' AND owner = ?1"
    " UNION ALL SELECT document, NULL FROM iam_inline_policies WHERE kind = 'group'"
    "   AND owner IN (SELECT name FROM g)"
    " UNION ALL SELECT v.document, att.arn FROM att LEFT JOIN iam_policies p ON p.arn = att.arn"
    "   LEFT JOIN iam_policy_versions v ON v.arn = p.arn AND v.version_id = p.default_version";

static const char ROLE_DOCS_SQL[] =
    "SELECT document, NULL FROM iam_inline_policies WHERE kind = 'role' AND owner = ?1"
    " UNION ALL SELECT v.document, a.policy_arn FROM iam_attachments a"
    "   LEFT JOIN iam_policies p ON p.arn = a.policy_arn"
    "   LEFT JOIN iam_policy_versions v ON v.arn = p.arn AND v.version_id = p.default_version"
    "   WHERE a.kind = 'role' AND a.owner = ?1";

static int collect(struct store *st, const char *sql, const char *name, struct docs *d)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 0);
        if (text) {
            json_error_t err;
            json_t *doc = json_loads(text, 0, &err);
            if (!doc)
                log_warn("iam: stored policy of %s does not parse: %s", name, err.text);
            docs_add(d, doc);
        } else if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
            docs_add(d, aws_doc((const char *)sqlite3_column_text(s, 1)));
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        log_error("iam identity policies: %s", sqlite3_errmsg(store_db(st)));
        return -1;
    }
    return 0;
}

/* The current name of the entity with this unique id (users and roles can be found by
 * id even after a rename); falls back to fallback. Heap string or NULL. */
static char *name_by_id(struct store *st, const char *sql, const char *id, const char *fallback)
{
    char *name = NULL;
    sqlite3_stmt *s = store_stmt(st, sql);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        name = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (!name && fallback && *fallback)
        name = xstrdup(fallback);
    return name;
}

int iam_identity_policies(struct store *st, const struct principal *p, json_t ***docs, size_t *n)
{
    struct docs d = {0};
    int rc = 0;
    char *name = NULL;
    *docs = NULL;
    *n = 0;
    switch (p->kind) {
    case PRINCIPAL_USER:
        /* by unique id (renames keep it); by name when the principal carries no id */
        name = p->user_id[0] ? name_by_id(st, "SELECT name FROM iam_users WHERE user_id = ?1",
                                          p->user_id, NULL)
                             : xstrdup(p->name);
        if (name)
            rc = collect(st, USER_DOCS_SQL, name, &d);
        break;
    case PRINCIPAL_ROLE_SESSION: {
        /* user_id is AROA...:SESSION */
        char id[32];
        size_t k = strcspn(p->user_id, ":");
        snprintf(id, sizeof(id), "%.*s", (int)(k < sizeof(id) ? k : sizeof(id) - 1), p->user_id);
        name = name_by_id(st, "SELECT name FROM iam_roles WHERE role_id = ?1", id, p->name);
        if (name)
            rc = collect(st, ROLE_DOCS_SQL, name, &d);
        break;
    }
    case PRINCIPAL_FEDERATED:
        /* the issuing user: the owner recorded on the session's access key */
        name = name_by_id(st,
                          "SELECT owner FROM access_keys WHERE access_key_id = ?1"
                          " AND owner IS NOT NULL",
                          p->access_key_id, NULL);
        if (name)
            rc = collect(st, USER_DOCS_SQL, name, &d);
        break;
    default: /* root: always allowed; services: no identity policies of their own */
        break;
    }
    free(name);
    if (rc) {
        docs_free(&d);
        return -1;
    }
    *docs = d.v;
    *n = d.n;
    return 0;
}

/* ================================================================ evaluation facts */

/* The unique id of p's own entity (AIDA... of a user, AROA... of a role session's role)
 * into id; false for other principals. */
static bool entity_id(const struct principal *p, char *id, size_t cap)
{
    if (p->kind != PRINCIPAL_USER && p->kind != PRINCIPAL_ROLE_SESSION)
        return false;
    size_t k = strcspn(p->user_id, ":");
    snprintf(id, cap, "%.*s", (int)(k < cap ? k : cap - 1), p->user_id);
    return id[0] != '\0';
}

/* The JSON text of managed policy arn's default version (customer or AWS managed), heap,
 * or NULL. */
static char *managed_text(struct store *st, const char *arn)
{
    const struct managed_policy *m = managed_policy_by_arn(arn);
    if (m)
        return xstrdup(m->document);
    char *t = NULL;
    sqlite3_stmt *s = store_stmt(st, "SELECT v.document FROM iam_policies p JOIN "
                                     "iam_policy_versions v ON v.arn = p.arn AND "
                                     "v.version_id = p.default_version WHERE p.arn = ?1");
    sqlite3_bind_text(s, 1, arn, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        t = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return t;
}

int iam_principal_facts(struct store *st, const struct principal *p, json_t **tags,
                        char **boundary_arn, json_t **boundary)
{
    char id[40];
    *tags = NULL;
    *boundary_arn = NULL;
    *boundary = NULL;
    if (!entity_id(p, id, sizeof(id)))
        return 0;
    sqlite3_stmt *s = store_stmt(st, p->kind == PRINCIPAL_USER
                                         ? "SELECT tags, permissions_boundary FROM iam_users "
                                           "WHERE user_id = ?1"
                                         : "SELECT tags, permissions_boundary FROM iam_roles "
                                           "WHERE role_id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        *tags = t ? json_loads(t, 0, NULL) : NULL;
        if (sqlite3_column_type(s, 1) != SQLITE_NULL)
            *boundary_arn = xstrdup((const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("iam principal facts: %s", sqlite3_errmsg(store_db(st)));
        return -1;
    }
    if (*boundary_arn) {
        char *text = managed_text(st, *boundary_arn);
        /* a boundary whose policy is gone allows nothing (inferred: IAM refuses to delete a
         * policy in use as a boundary) */
        *boundary = text ? json_loads(text, 0, NULL) : NULL;
        if (!*boundary)
            *boundary = json_pack("{s:s, s:[]}", "Version", "2012-10-17", "Statement");
        free(text);
    }
    return 0;
}

static void src_add(struct iam_policy_src **v, size_t *n, const char *type, const char *id,
                    char *text /* stolen */)
{
    if (!text)
        return;
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    struct iam_policy_src *e = &(*v)[(*n)++];
    snprintf(e->type, sizeof(e->type), "%s", type);
    e->id = xstrdup(id);
    e->text = text;
    e->doc = json_loads(text, 0, NULL);
}

void iam_policy_srcs_free(struct iam_policy_src *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].text);
        json_decref(v[i].doc);
    }
    free(v);
}

int iam_policy_sources(struct store *st, const struct principal *p, struct iam_policy_src **out,
                       size_t *n)
{
    char id[40];
    *out = NULL;
    *n = 0;
    if (!entity_id(p, id, sizeof(id)))
        return 0;
    bool user = p->kind == PRINCIPAL_USER;
    char *name = name_by_id(st,
                            user ? "SELECT name FROM iam_users WHERE user_id = ?1"
                                 : "SELECT name FROM iam_roles WHERE role_id = ?1",
                            id, NULL);
    if (!name)
        return 1;
    /* kind, policy name, document (inline) or NULL, managed ARN */
    sqlite3_stmt *s = store_stmt(
        st, user ? "SELECT 'user', name, document, NULL FROM iam_inline_policies WHERE "
                   "kind = 'user' AND owner = ?1"
                   " UNION ALL SELECT 'group', name, document, NULL FROM iam_inline_policies "
                   "WHERE kind = 'group' AND owner IN (SELECT group_name FROM "
                   "iam_group_members WHERE user_name = ?1)"
                   " UNION ALL SELECT DISTINCT 'managed', NULL, NULL, policy_arn FROM "
                   "iam_attachments WHERE (kind = 'user' AND owner = ?1) OR (kind = 'group' AND "
                   "owner IN (SELECT group_name FROM iam_group_members WHERE user_name = ?1))"
                 : "SELECT 'role', name, document, NULL FROM iam_inline_policies WHERE "
                   "kind = 'role' AND owner = ?1"
                   " UNION ALL SELECT 'managed', NULL, NULL, policy_arn FROM iam_attachments "
                   "WHERE kind = 'role' AND owner = ?1");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(s, 0);
        if (!str_eq(kind, "managed")) {
            src_add(out, n, kind, (const char *)sqlite3_column_text(s, 1),
                    xstrdup((const char *)sqlite3_column_text(s, 2)));
            continue;
        }
        const char *arn = (const char *)sqlite3_column_text(s, 3);
        const char *slash = strrchr(arn, '/');
        src_add(out, n, managed_policy_by_arn(arn) ? "aws-managed" : "user-managed",
                slash ? slash + 1 : arn, managed_text(st, arn));
    }
    sqlite3_reset(s);
    free(name);
    if (rc != SQLITE_DONE) {
        log_error("iam policy sources: %s", sqlite3_errmsg(store_db(st)));
        iam_policy_srcs_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

char *iam_managed_policy_text(struct store *st, const char *arn)
{
    return managed_text(st, arn);
}

char *iam_entity_boundary(struct store *st, bool role, const char *name)
{
    char *arn = NULL;
    sqlite3_stmt *s = store_stmt(st, role ? "SELECT permissions_boundary FROM iam_roles WHERE "
                                            "name = ?1"
                                          : "SELECT permissions_boundary FROM iam_users WHERE "
                                            "name = ?1");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        arn = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return arn;
}

/* The resource-tag provider of IAM ARNs (svc/restags.h): users and roles, by the name at
 * the end of arn:aws:iam::ACCT:user/PATH/NAME. */
json_t *iam_resource_tags(struct call *c, const char *arn)
{
    const char *res = strstr(arn, ":user/") ? "user" : strstr(arn, ":role/") ? "role" : NULL;
    const char *slash = strrchr(arn, '/');
    if (!res || !slash || !slash[1])
        return NULL;
    sqlite3_stmt *s = store_stmt(c->st, str_eq(res, "user")
                                            ? "SELECT tags FROM iam_users WHERE name = ?1"
                                            : "SELECT tags FROM iam_roles WHERE name = ?1");
    sqlite3_bind_text(s, 1, slash + 1, -1, SQLITE_TRANSIENT);
    json_t *t = NULL;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        t = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
    sqlite3_reset(s);
    if (t && !json_array_size(t)) {
        json_decref(t);
        t = NULL;
    }
    return t;
}
