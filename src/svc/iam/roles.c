/*
 * roles.c — IAM roles, service-linked roles, role tags and instance profiles:
 * CreateRole, GetRole, ListRoles, DeleteRole, UpdateRole, UpdateAssumeRolePolicy,
 * CreateServiceLinkedRole, TagRole, UntagRole, ListRoleTags, CreateInstanceProfile,
 * GetInstanceProfile, ListInstanceProfiles, DeleteInstanceProfile,
 * AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile, ListInstanceProfilesForRole.
 * Error texts [snap] unless marked (see common.c).
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/iam/iam_internal.h"
#include "svc/iam/ops.h"
#include "wire/models/iam_members.h"

#define MAX_SESSION_MIN 3600
#define MAX_SESSION_MAX 43200

/* MaxSessionDuration; its range 3600..43200 [model] is checked by wire_validate. */
static int max_session_param(struct call *c, const json_t *in, int64_t *out)
{
    (void)c;
    const json_t *v = json_object_get(in, IAM_IN_MaxSessionDuration);
    if (!v)
        return 0;
    int64_t n = json_integer_value(v);
    *out = n;
    return 0;
}

static int role_exists_fail(struct call *c, const char *name)
{
    return call_fail(c, 409, "EntityAlreadyExists", "Role with name %s already exists.", name);
}

static int insert_role(struct call *c, const struct iam_role_row *r)
{
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO iam_roles(name, role_id, path, arn,"
                                        " created_ms, trust_policy, description, max_session_s,"
                                        " permissions_boundary, tags, service_linked_to)"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    store_bind_text_or_null(s, 1, r->name);
    store_bind_text_or_null(s, 2, r->role_id);
    store_bind_text_or_null(s, 3, r->path);
    store_bind_text_or_null(s, 4, r->arn);
    sqlite3_bind_int64(s, 5, r->created_ms);
    store_bind_text_or_null(s, 6, r->trust);
    store_bind_text_or_null(s, 7, r->description);
    sqlite3_bind_int64(s, 8, r->max_session_s);
    store_bind_text_or_null(s, 9, r->boundary);
    store_bind_text_or_null(s, 10, r->tags);
    store_bind_text_or_null(s, 11, r->slr);
    return iam_done(c, s, "create role");
}

int iam_create_role(struct call *c, const json_t *in, struct out *o)
{
    const char *name, *path, *trust;
    int64_t max_s = MAX_SESSION_MIN;
    const json_t *tags = json_object_get(in, IAM_M_CreateRoleRequest_Tags);
    if (iam_req(c, in, IAM_M_CreateRoleRequest_RoleName, "roleName", &name) ||
        iam_req(c, in, IAM_M_CreateRoleRequest_AssumeRolePolicyDocument, "assumeRolePolicyDocument",
                &trust) ||
        iam_path_param(c, in, IAM_M_CreateRoleRequest_Path, "path", "pathType", &path) ||
        max_session_param(c, in, &max_s) || iam_tags_check(c, tags, true))
        return -1;
    struct iam_role_row r;
    int rc = iam_role_load(c, name, &r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return role_exists_fail(c, name);
    if (iam_trust_check(c, trust))
        return -1;
    const char *boundary = iam_str(in, IAM_M_CreateRoleRequest_PermissionsBoundary);
    if (boundary && iam_boundary_check(c, boundary))
        return -1;

    char id[32];
    size_t ntags;
    iam_new_id("AROA", id, sizeof(id));
    memset(&r, 0, sizeof(r));
    r.name = name;
    r.role_id = id;
    r.path = path;
    r.arn = iam_arn(c, "role", path, name);
    r.created_ms = c->now_ms;
    r.trust = trust;
    r.description = iam_str(in, IAM_M_CreateRoleRequest_Description);
    r.max_session_s = max_s;
    r.boundary = boundary;
    r.tags = iam_tags_merge(c->a, "[]", tags, true, &ntags);
    if (insert_role(c, &r))
        return -1;
    out_begin(o, "Role");
    iam_out_role(c, o, &r, IAM_ROLE_CREATE);
    out_end(o);
    return 0;
}

int iam_get_role(struct call *c, const json_t *in, struct out *o)
{
    const char *name;
    struct iam_role_row r;
    if (iam_req(c, in, IAM_M_GetRoleRequest_RoleName, "roleName", &name) ||
        iam_role_need(c, name, &r))
        return -1;
    out_begin(o, "Role");
    iam_out_role(c, o, &r, IAM_ROLE_GET);
    out_end(o);
    return 0;
}

int iam_list_roles(struct call *c, const json_t *in, struct out *o)
{
    const char *prefix;
    struct iam_pager pg;
    if (iam_path_prefix(c, in, "pathPrefixType", &prefix))
        return -1;
    iam_pager_init(in, &pg);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " IAM_ROLE_COLS " FROM iam_roles ORDER BY name");
    int rc;
    out_begin(o, "Roles");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct iam_role_row r;
        iam_role_fill(c->a, s, &r);
        if (!str_startswith(r.path, prefix) || !iam_pager_take(&pg, c->a, r.name, true)) {
            if (pg.truncated)
                break;
            continue;
        }
        out_begin(o, NULL);
        iam_out_role(c, o, &r, IAM_ROLE_LIST);
        out_end(o);
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_fail_internal(c, "list roles");
    iam_pager_finish(o, &pg);
    return 0;
}

/*
 * DeleteRole: in the order the API reference lists what must go first: inline policies,
 * managed policies, instance profiles [snap for each message]. A service-linked role is
 * protected (message [obs] for other operations; for DeleteRole inferred).
 */
int iam_delete_role(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_role_row r;
    int64_t n;
    if (iam_req(c, in, IAM_M_DeleteRoleRequest_RoleName, "roleName", &name) ||
        iam_role_need(c, name, &r))
        return -1;
    if (r.slr)
        return iam_fail_protected_role(c, r.name);
    static const struct {
        const char *sql, *msg;
    } deps[] = {
        {"SELECT COUNT(*) FROM iam_inline_policies WHERE kind = 'role' AND owner = ?1",
         "Cannot delete entity, must delete policies first."},
        {"SELECT COUNT(*) FROM iam_attachments WHERE kind = 'role' AND owner = ?1",
         "Cannot delete entity, must detach all policies first."},
        {"SELECT COUNT(*) FROM iam_instance_profiles WHERE role_name = ?1",
         "Cannot delete entity, must remove roles from instance profile first."},
    };
    for (size_t i = 0; i < ARRAY_LEN(deps); i++) {
        if (iam_count(c, deps[i].sql, r.name, NULL, &n))
            return -1;
        if (n)
            return call_fail(c, 409, "DeleteConflict", "%s", deps[i].msg);
    }
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM iam_roles WHERE role_id = ?1");
    store_bind_text_or_null(s, 1, r.role_id);
    return iam_done(c, s, "delete role");
}

/* UpdateRole: Description and/or MaxSessionDuration; the response is empty [model]. */
int iam_update_role(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_role_row r;
    int64_t max_s = 0;
    if (iam_req(c, in, IAM_M_UpdateRoleRequest_RoleName, "roleName", &name) ||
        max_session_param(c, in, &max_s) || iam_role_need(c, name, &r))
        return -1;
    if (max_s && r.slr)
        return call_fail(c, 400, "UnmodifiableEntity", /* inferred */
                         "%s is an AWS service linked role, max session duration cannot be "
                         "updated.",
                         r.name);
    const char *desc = iam_str(in, IAM_M_UpdateRoleRequest_Description);
    sqlite3_stmt *s = store_stmt(c->st, "UPDATE iam_roles SET"
                                        " description = CASE WHEN ?2 IS NULL THEN description"
                                        " ELSE ?2 END,"
                                        " max_session_s = CASE WHEN ?3 = 0 THEN max_session_s"
                                        " ELSE ?3 END WHERE role_id = ?1");
    store_bind_text_or_null(s, 1, r.role_id);
    store_bind_text_or_null(s, 2, desc);
    sqlite3_bind_int64(s, 3, max_s);
    return iam_done(c, s, "update role");
}

int iam_update_assume_role_policy(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name, *doc;
    struct iam_role_row r;
    if (iam_req(c, in, IAM_M_UpdateAssumeRolePolicyRequest_RoleName, "roleName", &name) ||
        iam_req(c, in, IAM_M_UpdateAssumeRolePolicyRequest_PolicyDocument, "policyDocument",
                &doc) ||
        iam_role_need(c, name, &r))
        return -1;
    if (r.slr)
        return iam_fail_protected_role(c, r.name);
    if (iam_trust_check(c, doc))
        return -1;
    sqlite3_stmt *s =
        store_stmt(c->st, "UPDATE iam_roles SET trust_policy = ?2 WHERE role_id = ?1");
    store_bind_text_or_null(s, 1, r.role_id);
    store_bind_text_or_null(s, 2, doc);
    return iam_done(c, s, "update trust policy");
}

/* ================================================================ service-linked roles */

/* The services whose service-linked role the lab knows [doc: CloudWatch UG
 * using-service-linked-roles: AWSServiceRoleForCloudWatchEvents with
 * CloudWatchEventsServiceRolePolicy, path /aws-service-role/events.amazonaws.com/]. */
static const struct slr_def {
    const char *service, *role_name, *policy_arn;
} slr_defs[] = {
    {"events.amazonaws.com", "AWSServiceRoleForCloudWatchEvents",
     "arn:aws:iam::aws:policy/aws-service-role/CloudWatchEventsServiceRolePolicy"},
};

static const struct slr_def *slr_find(const char *service)
{
    for (size_t i = 0; service && i < ARRAY_LEN(slr_defs); i++)
        if (str_eq(slr_defs[i].service, service))
            return &slr_defs[i];
    return NULL;
}

/* CustomSuffix is joined with "_" (inferred). */
const char *iam_slr_role_name(struct call *c, const char *service, const char *suffix)
{
    const struct slr_def *d = slr_find(service);
    if (!d)
        return NULL;
    return suffix ? arena_printf(c->a, "%s_%s", d->role_name, suffix) : d->role_name;
}

int iam_create_service_linked_role(struct call *c, const json_t *in, struct out *o)
{
    const char *service;
    if (iam_req(c, in, IAM_M_CreateServiceLinkedRoleRequest_AWSServiceName, "aWSServiceName",
                &service))
        return -1;
    const struct slr_def *d = slr_find(service);
    if (!d)
        return call_fail(c, 400, "InvalidInput", /* inferred */
                         "Unrecognized service principal: %s", service);
    const char *name = iam_slr_role_name(
        c, service, iam_str(in, IAM_M_CreateServiceLinkedRoleRequest_CustomSuffix));
    struct iam_role_row r;
    int rc = iam_role_load(c, name, &r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return call_fail(c, 400, "InvalidInput", /* [obs] */
                         "Service role name %s has been taken in this account, please try a "
                         "different suffix.",
                         name);
    char id[32];
    iam_new_id("AROA", id, sizeof(id));
    memset(&r, 0, sizeof(r));
    r.name = name;
    r.role_id = id;
    r.path = arena_printf(c->a, "/aws-service-role/%s/", service);
    r.arn = iam_arn(c, "role", r.path, name);
    r.created_ms = c->now_ms;
    r.trust = arena_printf(c->a,
                           "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                           "\"Principal\":{\"Service\":\"%s\"},\"Action\":\"sts:AssumeRole\"}]}",
                           service);
    r.description = iam_str(in, IAM_M_CreateServiceLinkedRoleRequest_Description);
    r.max_session_s = MAX_SESSION_MIN;
    r.tags = "[]";
    r.slr = service;
    if (insert_role(c, &r))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO iam_attachments(kind, owner, policy_arn)"
                                        " VALUES('role', ?1, ?2)");
    store_bind_text_or_null(s, 1, name);
    store_bind_text_or_null(s, 2, d->policy_arn);
    if (iam_done(c, s, "attach service role policy"))
        return -1;
    out_begin(o, "Role");
    iam_out_role(c, o, &r, IAM_ROLE_CREATE);
    out_end(o);
    return 0;
}

/* ================================================================ role tags */

static int save_role_tags(struct call *c, const struct iam_role_row *r, const char *tags)
{
    sqlite3_stmt *s = store_stmt(c->st, "UPDATE iam_roles SET tags = ?2 WHERE role_id = ?1");
    store_bind_text_or_null(s, 1, r->role_id);
    store_bind_text_or_null(s, 2, tags);
    return iam_done(c, s, "role tags");
}

int iam_tag_role(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_role_row r;
    const json_t *tags = json_object_get(in, IAM_M_TagRoleRequest_Tags);
    if (iam_req(c, in, IAM_M_TagRoleRequest_RoleName, "roleName", &name) ||
        iam_role_need(c, name, &r) || iam_tags_check(c, tags, true))
        return -1;
    size_t n;
    char *merged = iam_tags_merge(c->a, r.tags, tags, true, &n);
    if (n > IAM_TAGS_PER_ENTITY)
        return call_fail(c, 409, "LimitExceeded", "Cannot exceed quota for TagsPerRole: %d",
                         IAM_TAGS_PER_ENTITY); /* inferred */
    return save_role_tags(c, &r, merged);
}

int iam_untag_role(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_role_row r;
    const json_t *keys = json_object_get(in, IAM_M_UntagRoleRequest_TagKeys);
    if (iam_req(c, in, IAM_M_UntagRoleRequest_RoleName, "roleName", &name) ||
        iam_role_need(c, name, &r) || iam_tag_keys_check(c, keys))
        return -1;
    return save_role_tags(c, &r, iam_tags_remove(c->a, r.tags, keys, true));
}

int iam_list_role_tags(struct call *c, const json_t *in, struct out *o)
{
    const char *name;
    struct iam_role_row r;
    if (iam_req(c, in, IAM_M_ListRoleTagsRequest_RoleName, "roleName", &name) ||
        iam_role_need(c, name, &r))
        return -1;
    iam_out_tag_page(c, o, in, r.tags);
    return 0;
}

/* ================================================================ instance profiles */

int iam_create_instance_profile(struct call *c, const json_t *in, struct out *o)
{
    const char *name, *path;
    const json_t *tags = json_object_get(in, IAM_M_CreateInstanceProfileRequest_Tags);
    if (iam_req(c, in, IAM_M_CreateInstanceProfileRequest_InstanceProfileName,
                "instanceProfileName", &name) ||
        iam_path_param(c, in, IAM_M_CreateInstanceProfileRequest_Path, "path", "pathType", &path) ||
        iam_tags_check(c, tags, true))
        return -1;
    struct iam_profile_row p;
    int rc = iam_profile_load(c, name, &p);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return call_fail(c, 409, "EntityAlreadyExists", "Instance Profile %s already exists.",
                         name);
    char id[32];
    size_t ntags;
    iam_new_id("AIPA", id, sizeof(id));
    memset(&p, 0, sizeof(p));
    p.name = name;
    p.profile_id = id;
    p.path = path;
    p.arn = iam_arn(c, "instance-profile", path, name);
    p.created_ms = c->now_ms;
    p.tags = iam_tags_merge(c->a, "[]", tags, true, &ntags);
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO iam_instance_profiles(" IAM_PROFILE_COLS ")"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, NULL, ?6)");
    store_bind_text_or_null(s, 1, p.name);
    store_bind_text_or_null(s, 2, p.profile_id);
    store_bind_text_or_null(s, 3, p.path);
    store_bind_text_or_null(s, 4, p.arn);
    sqlite3_bind_int64(s, 5, p.created_ms);
    store_bind_text_or_null(s, 6, p.tags);
    if (iam_done(c, s, "create instance profile"))
        return -1;
    out_begin(o, "InstanceProfile");
    rc = iam_out_profile(c, o, &p, IAM_PROFILE_CREATE);
    out_end(o);
    return rc;
}

int iam_get_instance_profile(struct call *c, const json_t *in, struct out *o)
{
    const char *name;
    struct iam_profile_row p;
    if (iam_req(c, in, IAM_M_GetInstanceProfileRequest_InstanceProfileName, "instanceProfileName",
                &name) ||
        iam_profile_need(c, name, &p))
        return -1;
    out_begin(o, "InstanceProfile");
    int rc = iam_out_profile(c, o, &p, IAM_PROFILE_GET);
    out_end(o);
    return rc;
}

/* Collects the profiles a statement yields (IAM_PROFILE_COLS, by name) and writes a page
 * of them under "InstanceProfiles" (collected first: writing one loads its role). */
static int out_profiles(struct call *c, struct out *o, sqlite3_stmt *s, const char *prefix,
                        const json_t *in)
{
    struct iam_pager pg;
    struct iam_profile_row *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    iam_pager_init(in, &pg);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct iam_profile_row p;
        iam_profile_fill(c->a, s, &p);
        if (!str_startswith(p.path, prefix) || !iam_pager_take(&pg, c->a, p.name, true)) {
            if (pg.truncated)
                break;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct iam_profile_row *nv = arena_alloc(c->a, cap * sizeof(*nv));
            if (n)
                memcpy(nv, v, n * sizeof(*nv));
            v = nv;
        }
        v[n++] = p;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_fail_internal(c, "list instance profiles");
    rc = 0;
    out_begin(o, "InstanceProfiles");
    for (size_t i = 0; i < n; i++) {
        out_begin(o, NULL);
        rc = iam_out_profile(c, o, &v[i], IAM_PROFILE_LIST);
        out_end(o);
        if (rc)
            break;
    }
    out_end(o);
    if (rc)
        return -1;
    iam_pager_finish(o, &pg);
    return 0;
}

int iam_list_instance_profiles(struct call *c, const json_t *in, struct out *o)
{
    const char *prefix;
    if (iam_path_prefix(c, in, "pathPrefixType", &prefix))
        return -1;
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT " IAM_PROFILE_COLS " FROM iam_instance_profiles ORDER BY name");
    return out_profiles(c, o, s, prefix, in);
}

int iam_list_instance_profiles_for_role(struct call *c, const json_t *in, struct out *o)
{
    const char *name;
    struct iam_role_row r;
    if (iam_req(c, in, IAM_M_ListInstanceProfilesForRoleRequest_RoleName, "roleName", &name) ||
        iam_role_need(c, name, &r))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " IAM_PROFILE_COLS " FROM iam_instance_profiles"
                                        " WHERE role_name = ?1 ORDER BY name");
    store_bind_text_or_null(s, 1, r.name);
    return out_profiles(c, o, s, "/", in);
}

int iam_delete_instance_profile(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_profile_row p;
    if (iam_req(c, in, IAM_M_DeleteInstanceProfileRequest_InstanceProfileName,
                "instanceProfileName", &name) ||
        iam_profile_need(c, name, &p))
        return -1;
    if (p.role_name)
        return call_fail(c, 409, "DeleteConflict",
                         "Cannot delete entity, must remove roles from instance profile first.");
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM iam_instance_profiles WHERE profile_id = ?1");
    store_bind_text_or_null(s, 1, p.profile_id);
    return iam_done(c, s, "delete instance profile");
}

/* At most one role per instance profile [doc]; the profile is looked up first. */
int iam_add_role_to_instance_profile(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *pname, *rname;
    struct iam_profile_row p;
    struct iam_role_row r;
    if (iam_req(c, in, IAM_M_AddRoleToInstanceProfileRequest_InstanceProfileName,
                "instanceProfileName", &pname) ||
        iam_req(c, in, IAM_M_AddRoleToInstanceProfileRequest_RoleName, "roleName", &rname) ||
        iam_profile_need(c, pname, &p) || iam_role_need(c, rname, &r))
        return -1;
    if (p.role_name)
        return call_fail(c, 409, "LimitExceeded",
                         "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    sqlite3_stmt *s =
        store_stmt(c->st, "UPDATE iam_instance_profiles SET role_name = ?2 WHERE profile_id = ?1");
    store_bind_text_or_null(s, 1, p.profile_id);
    store_bind_text_or_null(s, 2, r.name);
    return iam_done(c, s, "add role to instance profile");
}

int iam_remove_role_from_instance_profile(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *pname, *rname;
    struct iam_profile_row p;
    struct iam_role_row r;
    if (iam_req(c, in, IAM_M_RemoveRoleFromInstanceProfileRequest_InstanceProfileName,
                "instanceProfileName", &pname) ||
        iam_req(c, in, IAM_M_RemoveRoleFromInstanceProfileRequest_RoleName, "roleName", &rname) ||
        iam_profile_need(c, pname, &p) || iam_role_need(c, rname, &r))
        return -1;
    if (!p.role_name || !str_ieq(p.role_name, r.name))
        return call_fail(c, 404, "NoSuchEntity", "Role %s in Instance Profile %s cannot be found.",
                         rname, pname);
    sqlite3_stmt *s = store_stmt(
        c->st, "UPDATE iam_instance_profiles SET role_name = NULL WHERE profile_id = ?1");
    store_bind_text_or_null(s, 1, p.profile_id);
    return iam_done(c, s, "remove role from instance profile");
}
