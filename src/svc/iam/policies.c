/*
 * policies.c — inline policies of users, groups and roles (Put/Get/List/Delete*Policy),
 * customer managed policies and their versions (CreatePolicy, GetPolicy, ListPolicies,
 * DeletePolicy, Create/Get/List/DeletePolicyVersion, SetDefaultPolicyVersion), and managed
 * policy attachments (Attach/Detach/ListAttached*Policies). AWS managed policies
 * (auth/managed_policies.h) are listed, read and attached like customer ones; their
 * attachment counts are this account's.
 * Error texts [snap] unless marked (see common.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store.h"
#include "svc/iam/iam_internal.h"
#include "svc/iam/ops.h"
#include "wire/models/iam_members.h"

/* ================================================================ owners */

/* The three kinds of entity that hold inline policies and attachments. */
struct owner_kind {
    const char *kind;    /* iam_inline_policies.kind / iam_attachments.kind */
    const char *member;  /* "UserName" */
    const char *lower;   /* "userName" */
    size_t inline_limit; /* aggregate inline size, non-whitespace characters */
    const char *quota;   /* "PoliciesPerUser" */
};
static const struct owner_kind K_USER = {"user", IAM_IN_UserName, "userName",
                                         POLICY_LIMIT_USER_INLINE, "PoliciesPerUser"};
static const struct owner_kind K_GROUP = {"group", IAM_IN_GroupName, "groupName",
                                          POLICY_LIMIT_GROUP_INLINE, "PoliciesPerGroup"};
static const struct owner_kind K_ROLE = {"role", IAM_IN_RoleName, "roleName",
                                         POLICY_LIMIT_ROLE_INLINE, "PoliciesPerRole"};

struct owner {
    const char *given; /* as requested */
    const char *name;  /* as stored */
    bool protected_role;
};

/* Resolves the owner named in the request: 0, or -1 with NoSuchEntity set. */
static int owner_need(struct call *c, const struct owner_kind *k, const json_t *in,
                      struct owner *ow)
{
    memset(ow, 0, sizeof(*ow));
    if (iam_req(c, in, k->member, k->lower, &ow->given))
        return -1;
    if (k == &K_USER) {
        struct iam_user_row u;
        if (iam_user_need(c, ow->given, &u))
            return -1;
        ow->name = u.name;
    } else if (k == &K_GROUP) {
        struct iam_group_row g;
        if (iam_group_need(c, ow->given, &g))
            return -1;
        ow->name = g.name;
    } else {
        struct iam_role_row r;
        if (iam_role_need(c, ow->given, &r))
            return -1;
        ow->name = r.name;
        ow->protected_role = r.slr != NULL;
    }
    return 0;
}

/* ================================================================ inline policies */

/*
 * Put*Policy: the document is validated as an identity policy; the owner's inline policies
 * together (this one replacing any of the same name) must stay within the size quota:
 * "Maximum policy size of 2048 bytes exceeded for user X" [obs] (5120 group, 10240 role).
 */
static int put_inline(struct call *c, const struct owner_kind *k, const json_t *in)
{
    struct owner ow;
    const char *pname, *doc;
    if (iam_req(c, in, IAM_IN_PolicyName, "policyName", &pname) ||
        iam_req(c, in, IAM_IN_PolicyDocument, "policyDocument", &doc) || owner_need(c, k, in, &ow))
        return -1;
    if (ow.protected_role)
        return iam_fail_protected_role(c, ow.name);
    if (iam_doc_check(c, doc, POLICY_KIND_INLINE, NULL))
        return -1;
    size_t total = policy_size(doc, strlen(doc));
    sqlite3_stmt *s = store_stmt(c->st, "SELECT document FROM iam_inline_policies"
                                        " WHERE kind = ?1 AND owner = ?2 AND name <> ?3");
    store_bind_text_or_null(s, 1, k->kind);
    store_bind_text_or_null(s, 2, ow.name);
    store_bind_text_or_null(s, 3, pname);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        total += policy_size(t, strlen(t));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return iam_fail_internal(c, "inline sizes");
    if (total > k->inline_limit)
        return call_fail(c, 409, "LimitExceeded",
                         "Maximum policy size of %zu bytes exceeded for %s %s", k->inline_limit,
                         k->kind, ow.given);
    s = store_stmt(c->st, "INSERT INTO iam_inline_policies(kind, owner, name, document)"
                          " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(kind, owner, name)"
                          " DO UPDATE SET document = excluded.document");
    store_bind_text_or_null(s, 1, k->kind);
    store_bind_text_or_null(s, 2, ow.name);
    store_bind_text_or_null(s, 3, pname);
    store_bind_text_or_null(s, 4, doc);
    return iam_done(c, s, "put inline policy");
}

static int no_inline_fail(struct call *c, const struct owner_kind *k, const char *pname)
{
    return call_fail(c, 404, "NoSuchEntity", "The %s policy with name %s cannot be found.", k->kind,
                     pname);
}

/* Get*Policy: the document comes back URL-encoded as IAM sends it [doc/botocore]. */
static int get_inline(struct call *c, const struct owner_kind *k, const json_t *in, struct out *o)
{
    struct owner ow;
    const char *pname;
    if (iam_req(c, in, IAM_IN_PolicyName, "policyName", &pname) || owner_need(c, k, in, &ow))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT name, document FROM iam_inline_policies"
                                        " WHERE kind = ?1 AND owner = ?2 AND name = ?3");
    store_bind_text_or_null(s, 1, k->kind);
    store_bind_text_or_null(s, 2, ow.name);
    store_bind_text_or_null(s, 3, pname);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? no_inline_fail(c, k, pname)
                                 : iam_fail_internal(c, "get inline policy");
    }
    const char *name = iam_col(c->a, s, 0), *doc = iam_col(c->a, s, 1);
    sqlite3_reset(s);
    out_str(o, k->member, ow.name);
    out_str(o, "PolicyName", name);
    out_str(o, "PolicyDocument", iam_urlencode(c->a, doc));
    return 0;
}

static int list_inline(struct call *c, const struct owner_kind *k, const json_t *in, struct out *o)
{
    struct owner ow;
    struct iam_pager pg;
    if (owner_need(c, k, in, &ow))
        return -1;
    iam_pager_init(in, &pg);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT name FROM iam_inline_policies"
                                        " WHERE kind = ?1 AND owner = ?2 ORDER BY name");
    store_bind_text_or_null(s, 1, k->kind);
    store_bind_text_or_null(s, 2, ow.name);
    int rc;
    out_begin(o, "PolicyNames");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        if (!iam_pager_take(&pg, c->a, name, true)) {
            if (pg.truncated)
                break;
            continue;
        }
        out_str(o, NULL, name);
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_fail_internal(c, "list inline policies");
    iam_pager_finish(o, &pg);
    return 0;
}

static int delete_inline(struct call *c, const struct owner_kind *k, const json_t *in)
{
    struct owner ow;
    const char *pname;
    int64_t n;
    if (iam_req(c, in, IAM_IN_PolicyName, "policyName", &pname) || owner_need(c, k, in, &ow))
        return -1;
    if (ow.protected_role)
        return iam_fail_protected_role(c, ow.name);
    if (iam_count(c,
                  arena_printf(c->a,
                               "SELECT COUNT(*) FROM iam_inline_policies WHERE kind = '%s'"
                               " AND owner = ?1 AND name = ?2",
                               k->kind),
                  ow.name, pname, &n))
        return -1;
    if (!n)
        return no_inline_fail(c, k, pname);
    sqlite3_stmt *s = store_stmt(
        c->st, "DELETE FROM iam_inline_policies WHERE kind = ?1 AND owner = ?2 AND name = ?3");
    store_bind_text_or_null(s, 1, k->kind);
    store_bind_text_or_null(s, 2, ow.name);
    store_bind_text_or_null(s, 3, pname);
    return iam_done(c, s, "delete inline policy");
}

int iam_put_user_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return put_inline(c, &K_USER, in);
}
int iam_get_user_policy(struct call *c, const json_t *in, struct out *o)
{
    return get_inline(c, &K_USER, in, o);
}
int iam_list_user_policies(struct call *c, const json_t *in, struct out *o)
{
    return list_inline(c, &K_USER, in, o);
}
int iam_delete_user_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return delete_inline(c, &K_USER, in);
}
int iam_put_group_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return put_inline(c, &K_GROUP, in);
}
int iam_get_group_policy(struct call *c, const json_t *in, struct out *o)
{
    return get_inline(c, &K_GROUP, in, o);
}
int iam_list_group_policies(struct call *c, const json_t *in, struct out *o)
{
    return list_inline(c, &K_GROUP, in, o);
}
int iam_delete_group_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return delete_inline(c, &K_GROUP, in);
}
int iam_put_role_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return put_inline(c, &K_ROLE, in);
}
int iam_get_role_policy(struct call *c, const json_t *in, struct out *o)
{
    return get_inline(c, &K_ROLE, in, o);
}
int iam_list_role_policies(struct call *c, const json_t *in, struct out *o)
{
    return list_inline(c, &K_ROLE, in, o);
}
int iam_delete_role_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return delete_inline(c, &K_ROLE, in);
}

/* ================================================================ managed policies */

/* PolicyArn: required and shaped like a policy ARN ("ARN X is not valid." [snap]). */
static int policy_arn_param(struct call *c, const json_t *in, const char **arn)
{
    if (iam_req(c, in, IAM_IN_PolicyArn, "policyArn", arn))
        return -1;
    if (!iam_policy_arn_valid(*arn))
        return call_fail(c, 400, "ValidationError", "ARN %s is not valid.", *arn);
    return 0;
}

static int policy_not_found(struct call *c, const char *arn)
{
    return call_fail(c, 404, "NoSuchEntity", "Policy %s was not found.", arn);
}

static int version_not_found(struct call *c, const char *arn, const char *version)
{
    return call_fail(c, 404, "NoSuchEntity",
                     "Policy %s version %s does not exist or is not attachable.", arn, version);
}

/* Changing an AWS managed policy (inferred: IAM refuses it as an authorization failure). */
static int aws_policy_denied(struct call *c, const char *action, const char *arn)
{
    return call_fail(c, 403, "AccessDenied",
                     "User: %s is not authorized to perform: %s on resource: policy %s", c->who.arn,
                     action, arn);
}

/* A customer managed policy the request may change: 0, or -1 with the error set. */
static int local_policy_need(struct call *c, const char *arn, const char *action,
                             struct iam_policy_row *p)
{
    if (managed_policy_by_arn(arn))
        return aws_policy_denied(c, action, arn);
    int rc = iam_policy_load(c, arn, p);
    return rc == 1 ? policy_not_found(c, arn) : rc;
}

/* A managed policy document: identity policy rules, Version 2012-10-17, at most 6144
 * non-whitespace characters ("Cannot exceed quota for PolicySize: 6144" [obs]). */
static int managed_doc_check(struct call *c, const char *doc)
{
    if (iam_doc_check(c, doc, POLICY_KIND_MANAGED, NULL))
        return -1;
    if (policy_size(doc, strlen(doc)) > POLICY_LIMIT_MANAGED)
        return call_fail(c, 409, "LimitExceeded", "Cannot exceed quota for PolicySize: %d",
                         POLICY_LIMIT_MANAGED);
    return 0;
}

static int insert_version(struct call *c, const char *arn, const char *version, const char *doc)
{
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO iam_policy_versions(arn, version_id,"
                                        " document, created_ms) VALUES(?1, ?2, ?3, ?4)");
    store_bind_text_or_null(s, 1, arn);
    store_bind_text_or_null(s, 2, version);
    store_bind_text_or_null(s, 3, doc);
    sqlite3_bind_int64(s, 4, c->now_ms);
    return iam_done(c, s, "insert policy version");
}

int iam_create_policy(struct call *c, const json_t *in, struct out *o)
{
    const char *name, *path, *doc;
    const json_t *tags = json_object_get(in, IAM_M_CreatePolicyRequest_Tags);
    if (iam_req(c, in, IAM_M_CreatePolicyRequest_PolicyName, "policyName", &name) ||
        iam_req(c, in, IAM_M_CreatePolicyRequest_PolicyDocument, "policyDocument", &doc) ||
        iam_path_param(c, in, IAM_M_CreatePolicyRequest_Path, "path", "policyPathType", &path) ||
        iam_tags_check(c, tags, false))
        return -1;
    int64_t n;
    if (iam_count(c, "SELECT COUNT(*) FROM iam_policies WHERE name = ?1", name, NULL, &n))
        return -1;
    if (n)
        return call_fail(c, 409, "EntityAlreadyExists",
                         "A policy called %s already exists. Duplicate names are not allowed.",
                         name);
    if (managed_doc_check(c, doc))
        return -1;
    char id[32];
    size_t ntags;
    iam_new_id("ANPA", id, sizeof(id));
    struct iam_policy_row p;
    memset(&p, 0, sizeof(p));
    p.arn = arena_printf(c->a, "arn:aws:iam::%s:policy%s%s", c->account, path, name);
    p.name = name;
    p.policy_id = id;
    p.path = path;
    p.description = iam_str(in, IAM_M_CreatePolicyRequest_Description);
    p.default_version = "v1";
    p.next_version = 2;
    p.created_ms = p.updated_ms = c->now_ms;
    p.tags = iam_tags_merge(c->a, "[]", tags, false, &ntags);
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO iam_policies(" IAM_POLICY_COLS ")"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)");
    store_bind_text_or_null(s, 1, p.arn);
    store_bind_text_or_null(s, 2, p.name);
    store_bind_text_or_null(s, 3, p.policy_id);
    store_bind_text_or_null(s, 4, p.path);
    store_bind_text_or_null(s, 5, p.description);
    store_bind_text_or_null(s, 6, p.default_version);
    sqlite3_bind_int64(s, 7, p.next_version);
    sqlite3_bind_int64(s, 8, p.created_ms);
    store_bind_text_or_null(s, 9, p.tags);
    if (iam_done(c, s, "create policy") || insert_version(c, p.arn, "v1", doc))
        return -1;
    out_begin(o, "Policy");
    int rc = iam_out_policy(c, o, &p, IAM_POLICY_CREATE);
    out_end(o);
    return rc;
}

int iam_get_policy(struct call *c, const json_t *in, struct out *o)
{
    const char *arn;
    struct iam_policy_row p;
    if (policy_arn_param(c, in, &arn))
        return -1;
    int rc = iam_policy_load(c, arn, &p);
    if (rc)
        return rc == 1 ? policy_not_found(c, arn) : -1;
    out_begin(o, "Policy");
    rc = iam_out_policy(c, o, &p, IAM_POLICY_GET);
    out_end(o);
    return rc;
}

struct pol_item {
    struct iam_policy_row p;
    const char *key; /* "NAME ARN": names cannot hold spaces, so this sorts by name, arn */
};

static int pol_item_cmp(const void *a, const void *b)
{
    return strcasecmp(((const struct pol_item *)a)->key, ((const struct pol_item *)b)->key);
}

/*
 * ListPolicies: Scope All (default) / AWS / Local, PathPrefix, OnlyAttached (attached as a
 * permissions policy and/or used as a boundary, narrowed by PolicyUsageFilter), ordered by
 * name (AWS's own order is not documented; inferred).
 */
int iam_list_policies(struct call *c, const json_t *in, struct out *o)
{
    const char *prefix, *scope = iam_str(in, IAM_M_ListPoliciesRequest_Scope);
    const char *usage = iam_str(in, IAM_M_ListPoliciesRequest_PolicyUsageFilter);
    bool only_attached = json_is_true(json_object_get(in, IAM_M_ListPoliciesRequest_OnlyAttached));
    struct iam_pager pg;
    if (iam_path_prefix(c, in, "policyPathType", &prefix))
        return -1;
    iam_pager_init(in, &pg);
    bool want_aws = !scope || str_eq(scope, "All") || str_eq(scope, "AWS");
    bool want_local = !scope || str_eq(scope, "All") || str_eq(scope, "Local");

    size_t cap = managed_policy_count() + 16, n = 0;
    struct pol_item *v = xcalloc(cap, sizeof(*v));
    int rc = 0;
    for (size_t i = 0; want_aws && i < managed_policy_count(); i++)
        iam_policy_from_aws(managed_policy_at(i), &v[n++].p);
    if (want_local) {
        sqlite3_stmt *s = store_stmt(c->st, "SELECT " IAM_POLICY_COLS " FROM iam_policies");
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (n == cap) {
                cap *= 2;
                v = xrealloc(v, cap * sizeof(*v));
            }
            iam_policy_fill(c->a, s, &v[n++].p);
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            free(v);
            return iam_fail_internal(c, "list policies");
        }
    }
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        if (!str_startswith(v[i].p.path, prefix))
            continue;
        if (only_attached) {
            int64_t att, bnd;
            if (iam_policy_counts(c, v[i].p.arn, &att, &bnd)) {
                free(v);
                return -1;
            }
            bool used = str_eq(usage, "PermissionsPolicy")     ? att > 0
                        : str_eq(usage, "PermissionsBoundary") ? bnd > 0
                                                               : att > 0 || bnd > 0;
            if (!used)
                continue;
        }
        v[keep] = v[i];
        v[keep].key = arena_printf(c->a, "%s %s", v[i].p.name, v[i].p.arn);
        keep++;
    }
    qsort(v, keep, sizeof(*v), pol_item_cmp);
    rc = 0;
    out_begin(o, "Policies");
    for (size_t i = 0; i < keep && rc == 0; i++) {
        if (!iam_pager_take(&pg, c->a, v[i].key, true)) {
            if (pg.truncated)
                break;
            continue;
        }
        out_begin(o, NULL);
        rc = iam_out_policy(c, o, &v[i].p, IAM_POLICY_LIST);
        out_end(o);
    }
    out_end(o);
    free(v);
    if (rc)
        return -1;
    iam_pager_finish(o, &pg);
    return 0;
}

/*
 * DeletePolicy: not while attached [obs], not while a permissions boundary (inferred
 * wording), not with versions besides the default [obs]; the default version goes with it.
 */
int iam_delete_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *arn;
    struct iam_policy_row p;
    int64_t att, bnd, versions;
    if (policy_arn_param(c, in, &arn) || local_policy_need(c, arn, "iam:DeletePolicy", &p) ||
        iam_policy_counts(c, p.arn, &att, &bnd) ||
        iam_count(c, "SELECT COUNT(*) FROM iam_policy_versions WHERE arn = ?1", p.arn, NULL,
                  &versions))
        return -1;
    if (att)
        return call_fail(c, 409, "DeleteConflict", "Cannot delete a policy attached to entities.");
    if (bnd)
        return call_fail(c, 409, "DeleteConflict",
                         "Cannot delete a policy used as a permissions boundary."); /* inferred */
    if (versions > 1)
        return call_fail(c, 409, "DeleteConflict",
                         "This policy has more than one version. Before you delete a policy, you "
                         "must delete the policy's versions. The default version is deleted with "
                         "the policy.");
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM iam_policy_versions WHERE arn = ?1");
    store_bind_text_or_null(s, 1, p.arn);
    if (iam_done(c, s, "delete policy versions"))
        return -1;
    s = store_stmt(c->st, "DELETE FROM iam_policies WHERE arn = ?1");
    store_bind_text_or_null(s, 1, p.arn);
    return iam_done(c, s, "delete policy");
}

/* ================================================================ versions */

/*
 * CreatePolicyVersion: at most 5 versions [snap]; ids keep counting (v6 after deleting one
 * of v1..v5 [snap]); SetAsDefault makes it the default. UpdateDate becomes the creation
 * time of the newest version [doc]. The response carries no Document [snap].
 */
int iam_create_policy_version(struct call *c, const json_t *in, struct out *o)
{
    const char *arn, *doc;
    struct iam_policy_row p;
    int64_t versions;
    if (policy_arn_param(c, in, &arn) ||
        iam_req(c, in, IAM_M_CreatePolicyVersionRequest_PolicyDocument, "policyDocument", &doc) ||
        local_policy_need(c, arn, "iam:CreatePolicyVersion", &p) ||
        iam_count(c, "SELECT COUNT(*) FROM iam_policy_versions WHERE arn = ?1", p.arn, NULL,
                  &versions))
        return -1;
    if (versions >= IAM_VERSIONS_PER_POLICY)
        return call_fail(c, 409, "LimitExceeded",
                         "A managed policy can have up to %d versions. Before you create a new "
                         "version, you must delete an existing version.",
                         IAM_VERSIONS_PER_POLICY);
    if (managed_doc_check(c, doc))
        return -1;
    bool def = json_is_true(json_object_get(in, IAM_M_CreatePolicyVersionRequest_SetAsDefault));
    const char *vid = arena_printf(c->a, "v%lld", (long long)p.next_version);
    if (insert_version(c, p.arn, vid, doc))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "UPDATE iam_policies SET next_version = next_version + 1,"
                                        " updated_ms = ?2, default_version = CASE WHEN ?3"
                                        " THEN ?4 ELSE default_version END WHERE arn = ?1");
    store_bind_text_or_null(s, 1, p.arn);
    sqlite3_bind_int64(s, 2, c->now_ms);
    sqlite3_bind_int(s, 3, def);
    store_bind_text_or_null(s, 4, vid);
    if (iam_done(c, s, "policy next version"))
        return -1;
    out_begin(o, "PolicyVersion");
    out_str(o, "VersionId", vid);
    out_bool(o, "IsDefaultVersion", def);
    out_time(o, "CreateDate", c->now_ms);
    out_end(o);
    return 0;
}

/* Loads one version: 0 (doc, created set), 1 none, -1 error. AWS managed policies have only
 * their default version here. */
static int version_load(struct call *c, const struct iam_policy_row *p, const char *vid,
                        const char **doc, int64_t *created)
{
    if (p->aws) {
        if (!str_eq(vid, p->default_version))
            return 1;
        *doc = p->aws->document;
        *created = p->updated_ms;
        return 0;
    }
    sqlite3_stmt *s = store_stmt(c->st, "SELECT document, created_ms FROM iam_policy_versions"
                                        " WHERE arn = ?1 AND version_id = ?2");
    store_bind_text_or_null(s, 1, p->arn);
    store_bind_text_or_null(s, 2, vid);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *doc = iam_col(c->a, s, 0);
        *created = sqlite3_column_int64(s, 1);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? 1 : iam_fail_internal(c, "policy version");
    }
    sqlite3_reset(s);
    return rc;
}

int iam_get_policy_version(struct call *c, const json_t *in, struct out *o)
{
    const char *arn, *vid, *doc;
    struct iam_policy_row p;
    int64_t created;
    if (policy_arn_param(c, in, &arn) ||
        iam_req(c, in, IAM_M_GetPolicyVersionRequest_VersionId, "versionId", &vid))
        return -1;
    int rc = iam_policy_load(c, arn, &p);
    if (rc == 0)
        rc = version_load(c, &p, vid, &doc, &created);
    if (rc)
        return rc == 1 ? version_not_found(c, arn, vid) : -1;
    out_begin(o, "PolicyVersion");
    out_str(o, "Document", iam_urlencode(c->a, doc));
    out_str(o, "VersionId", vid);
    out_bool(o, "IsDefaultVersion", str_eq(vid, p.default_version));
    out_time(o, "CreateDate", created);
    out_end(o);
    return 0;
}

/* ListPolicyVersions: newest first, without documents [snap]. */
int iam_list_policy_versions(struct call *c, const json_t *in, struct out *o)
{
    const char *arn;
    struct iam_policy_row p;
    struct iam_pager pg;
    if (policy_arn_param(c, in, &arn))
        return -1;
    int rc = iam_policy_load(c, arn, &p);
    if (rc)
        return rc == 1 ? policy_not_found(c, arn) : -1;
    iam_pager_init(in, &pg);
    out_begin(o, "Versions");
    if (p.aws) {
        if (iam_pager_take_seq(&pg, c->a, p.default_version)) {
            out_begin(o, NULL);
            out_str(o, "VersionId", p.default_version);
            out_bool(o, "IsDefaultVersion", true);
            out_time(o, "CreateDate", p.updated_ms);
            out_end(o);
        }
        rc = SQLITE_DONE;
    } else {
        sqlite3_stmt *s = store_stmt(c->st, "SELECT version_id, created_ms FROM"
                                            " iam_policy_versions WHERE arn = ?1 ORDER BY"
                                            " CAST(substr(version_id, 2) AS INTEGER) DESC");
        store_bind_text_or_null(s, 1, p.arn);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *vid = (const char *)sqlite3_column_text(s, 0);
            if (!iam_pager_take_seq(&pg, c->a, vid)) {
                if (pg.truncated)
                    break;
                continue;
            }
            out_begin(o, NULL);
            out_str(o, "VersionId", vid);
            out_bool(o, "IsDefaultVersion", str_eq(vid, p.default_version));
            out_time(o, "CreateDate", sqlite3_column_int64(s, 1));
            out_end(o);
        }
        sqlite3_reset(s);
    }
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_fail_internal(c, "list policy versions");
    iam_pager_finish(o, &pg);
    return 0;
}

int iam_delete_policy_version(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *arn, *vid, *doc;
    struct iam_policy_row p;
    int64_t created;
    if (policy_arn_param(c, in, &arn) ||
        iam_req(c, in, IAM_M_DeletePolicyVersionRequest_VersionId, "versionId", &vid))
        return -1;
    if (managed_policy_by_arn(arn))
        return aws_policy_denied(c, "iam:DeletePolicyVersion", arn);
    int rc = iam_policy_load(c, arn, &p);
    if (rc == 0)
        rc = version_load(c, &p, vid, &doc, &created);
    if (rc)
        return rc == 1 ? version_not_found(c, arn, vid) : -1;
    if (str_eq(vid, p.default_version))
        return call_fail(c, 409, "DeleteConflict",
                         "Cannot delete the default version of a policy.");
    sqlite3_stmt *s =
        store_stmt(c->st, "DELETE FROM iam_policy_versions WHERE arn = ?1 AND version_id = ?2");
    store_bind_text_or_null(s, 1, p.arn);
    store_bind_text_or_null(s, 2, vid);
    return iam_done(c, s, "delete policy version");
}

int iam_set_default_policy_version(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *arn, *vid, *doc;
    struct iam_policy_row p;
    int64_t created;
    if (policy_arn_param(c, in, &arn) ||
        iam_req(c, in, IAM_M_SetDefaultPolicyVersionRequest_VersionId, "versionId", &vid))
        return -1;
    if (managed_policy_by_arn(arn))
        return aws_policy_denied(c, "iam:SetDefaultPolicyVersion", arn);
    int rc = iam_policy_load(c, arn, &p);
    if (rc == 0)
        rc = version_load(c, &p, vid, &doc, &created);
    if (rc)
        return rc == 1 ? version_not_found(c, arn, vid) : -1;
    sqlite3_stmt *s =
        store_stmt(c->st, "UPDATE iam_policies SET default_version = ?2 WHERE arn = ?1");
    store_bind_text_or_null(s, 1, p.arn);
    store_bind_text_or_null(s, 2, vid);
    return iam_done(c, s, "set default policy version");
}

/* ================================================================ attachments */

/*
 * Attach*Policy: the policy must exist ("Policy X does not exist or is not attachable."
 * [snap]); service-linked role policies are not attachable ("Cannot attach a Service Role
 * Policy to a Customer Role." [obs], also for users and groups, inferred); attaching twice
 * is a no-op; at most 10 per entity ("Cannot exceed quota for PoliciesPerRole: 10" [obs],
 * User/Group inferred).
 */
static int attach(struct call *c, const struct owner_kind *k, const json_t *in)
{
    struct owner ow;
    const char *arn;
    struct iam_policy_row p;
    int64_t n, already;
    if (owner_need(c, k, in, &ow) || policy_arn_param(c, in, &arn))
        return -1;
    if (ow.protected_role)
        return iam_fail_protected_role(c, ow.name);
    int rc = iam_policy_load(c, arn, &p);
    if (rc)
        return rc == 1 ? call_fail(c, 404, "NoSuchEntity",
                                   "Policy %s does not exist or is not attachable.", arn)
                       : -1;
    if (p.aws && p.aws->service_linked)
        return call_fail(c, 400, "PolicyNotAttachable",
                         "Cannot attach a Service Role Policy to a Customer Role.");
    const char *cnt = arena_printf(
        c->a, "SELECT COUNT(*) FROM iam_attachments WHERE kind = '%s' AND owner = ?1", k->kind);
    if (iam_count(c, arena_printf(c->a, "%s AND policy_arn = ?2", cnt), ow.name, p.arn, &already) ||
        iam_count(c, cnt, ow.name, NULL, &n))
        return -1;
    if (already)
        return 0;
    if (n >= IAM_ATTACHED_PER_ENTITY)
        return call_fail(c, 409, "LimitExceeded", "Cannot exceed quota for %s: %d", k->quota,
                         IAM_ATTACHED_PER_ENTITY);
    sqlite3_stmt *s = store_stmt(
        c->st, "INSERT INTO iam_attachments(kind, owner, policy_arn) VALUES(?1, ?2, ?3)");
    store_bind_text_or_null(s, 1, k->kind);
    store_bind_text_or_null(s, 2, ow.name);
    store_bind_text_or_null(s, 3, p.arn);
    return iam_done(c, s, "attach policy");
}

/* Detach*Policy: "Policy X was not found." when not attached [snap]. */
static int detach(struct call *c, const struct owner_kind *k, const json_t *in)
{
    struct owner ow;
    const char *arn;
    int64_t n;
    if (owner_need(c, k, in, &ow) || policy_arn_param(c, in, &arn))
        return -1;
    if (ow.protected_role)
        return iam_fail_protected_role(c, ow.name);
    if (iam_count(c,
                  arena_printf(c->a,
                               "SELECT COUNT(*) FROM iam_attachments WHERE kind = '%s'"
                               " AND owner = ?1 AND policy_arn = ?2",
                               k->kind),
                  ow.name, arn, &n))
        return -1;
    if (!n)
        return policy_not_found(c, arn);
    sqlite3_stmt *s = store_stmt(
        c->st, "DELETE FROM iam_attachments WHERE kind = ?1 AND owner = ?2 AND policy_arn = ?3");
    store_bind_text_or_null(s, 1, k->kind);
    store_bind_text_or_null(s, 2, ow.name);
    store_bind_text_or_null(s, 3, arn);
    return iam_done(c, s, "detach policy");
}

struct attached {
    const char *name, *arn, *key;
};

static int attached_cmp(const void *a, const void *b)
{
    return strcasecmp(((const struct attached *)a)->key, ((const struct attached *)b)->key);
}

/* ListAttached*Policies: {PolicyName, PolicyArn}, PathPrefix on the policy path. */
static int list_attached(struct call *c, const struct owner_kind *k, const json_t *in,
                         struct out *o)
{
    struct owner ow;
    const char *prefix;
    struct iam_pager pg;
    if (owner_need(c, k, in, &ow) || iam_path_prefix(c, in, "policyPathType", &prefix))
        return -1;
    iam_pager_init(in, &pg);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT a.policy_arn, p.name, p.path FROM"
                                        " iam_attachments a LEFT JOIN iam_policies p"
                                        " ON p.arn = a.policy_arn"
                                        " WHERE a.kind = ?1 AND a.owner = ?2");
    store_bind_text_or_null(s, 1, k->kind);
    store_bind_text_or_null(s, 2, ow.name);
    struct attached *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *arn = iam_col(c->a, s, 0), *name = iam_col(c->a, s, 1);
        const char *path = iam_col(c->a, s, 2);
        const struct managed_policy *m = managed_policy_by_arn(arn);
        if (m) {
            name = m->name;
            path = m->path;
        }
        if (!name || !path || !str_startswith(path, prefix))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct attached *nv = arena_alloc(c->a, cap * sizeof(*nv));
            if (n)
                memcpy(nv, v, n * sizeof(*nv));
            v = nv;
        }
        v[n].name = name;
        v[n].arn = arn;
        v[n].key = arena_printf(c->a, "%s %s", name, arn);
        n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return iam_fail_internal(c, "list attached policies");
    if (n)
        qsort(v, n, sizeof(*v), attached_cmp);
    out_begin(o, "AttachedPolicies");
    for (size_t i = 0; i < n; i++) {
        if (!iam_pager_take(&pg, c->a, v[i].key, true)) {
            if (pg.truncated)
                break;
            continue;
        }
        out_begin(o, NULL);
        out_str(o, "PolicyName", v[i].name);
        out_str(o, "PolicyArn", v[i].arn);
        out_end(o);
    }
    out_end(o);
    iam_pager_finish(o, &pg);
    return 0;
}

int iam_attach_user_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return attach(c, &K_USER, in);
}
int iam_detach_user_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return detach(c, &K_USER, in);
}
int iam_list_attached_user_policies(struct call *c, const json_t *in, struct out *o)
{
    return list_attached(c, &K_USER, in, o);
}
int iam_attach_group_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return attach(c, &K_GROUP, in);
}
int iam_detach_group_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return detach(c, &K_GROUP, in);
}
int iam_list_attached_group_policies(struct call *c, const json_t *in, struct out *o)
{
    return list_attached(c, &K_GROUP, in, o);
}
int iam_attach_role_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return attach(c, &K_ROLE, in);
}
int iam_detach_role_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return detach(c, &K_ROLE, in);
}
int iam_list_attached_role_policies(struct call *c, const json_t *in, struct out *o)
{
    return list_attached(c, &K_ROLE, in, o);
}
