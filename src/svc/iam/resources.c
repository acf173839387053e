/*
 * resources.c — the resource ARN each IAM operation's action is checked on (the fifth
 * column of the IAM rows of ops.def). The Service Authorization Reference names the
 * resource type per action: user, group, role, policy, instance-profile [doc]. Existing
 * entities are named by their stored ARN (with its path); new ones by the ARN they would
 * get. The List* operations over a collection use the path prefix form
 * "arn:aws:iam::ACCT:user/" [obs for ListUsers; the others inferred].
 * These run before the handler, outside its transaction; they only read.
 */
#include <string.h>

#include "store/store.h"
#include "svc/iam/iam_internal.h"
#include "wire/models/iam_members.h"

/* The stored ARN of an entity by name, else the ARN it would have with path. */
static const char *entity_arn(struct call *c, const char *table, const char *type, const char *name,
                              const char *path)
{
    sqlite3_stmt *s =
        store_stmt(c->st, arena_printf(c->a, "SELECT arn FROM %s WHERE name = ?1", table));
    store_bind_text_or_null(s, 1, name);
    const char *arn = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        arn = iam_col(c->a, s, 0);
    sqlite3_reset(s);
    return arn ? arn : iam_arn(c, type, path, name);
}

static const char *path_or_root(const json_t *in, const char *member)
{
    const char *p = iam_str(in, member);
    return p && p[0] == '/' && p[strlen(p) - 1] == '/' ? p : "/";
}

const char *iam_res_user(struct call *c, const json_t *in)
{
    const char *name = iam_str(in, IAM_IN_UserName);
    if (!name) /* GetUser / access keys of the caller itself */
        return c->who.kind == PRINCIPAL_USER ? arena_strdup(c->a, c->who.arn) : NULL;
    return entity_arn(c, "iam_users", "user", name, path_or_root(in, IAM_IN_Path));
}

const char *iam_res_user_list(struct call *c, const json_t *in)
{
    return iam_arn(c, "user", path_or_root(in, IAM_IN_PathPrefix), "");
}

/* GetAccessKeyLastUsed: the user owning the key (the key may be anyone's). */
const char *iam_res_access_key(struct call *c, const json_t *in)
{
    const char *id = iam_str(in, IAM_IN_AccessKeyId);
    if (!id)
        return NULL;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT u.arn FROM access_keys k JOIN iam_users u"
                                        " ON u.name = k.owner WHERE k.access_key_id = ?1");
    store_bind_text_or_null(s, 1, id);
    const char *arn = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        arn = iam_col(c->a, s, 0);
    sqlite3_reset(s);
    return arn;
}

const char *iam_res_group(struct call *c, const json_t *in)
{
    const char *name = iam_str(in, IAM_IN_GroupName);
    return name ? entity_arn(c, "iam_groups", "group", name, path_or_root(in, IAM_IN_Path)) : NULL;
}

const char *iam_res_group_list(struct call *c, const json_t *in)
{
    return iam_arn(c, "group", path_or_root(in, IAM_IN_PathPrefix), "");
}

const char *iam_res_role(struct call *c, const json_t *in)
{
    const char *name = iam_str(in, IAM_IN_RoleName);
    return name ? entity_arn(c, "iam_roles", "role", name, path_or_root(in, IAM_IN_Path)) : NULL;
}

const char *iam_res_role_list(struct call *c, const json_t *in)
{
    return iam_arn(c, "role", path_or_root(in, IAM_IN_PathPrefix), "");
}

const char *iam_res_policy(struct call *c, const json_t *in)
{
    const char *arn = iam_str(in, IAM_IN_PolicyArn);
    return arn ? arena_strdup(c->a, arn) : NULL;
}

/* CreatePolicy: arn:aws:iam::ACCT:policy/PATH/NAME. */
const char *iam_res_policy_new(struct call *c, const json_t *in)
{
    const char *name = iam_str(in, IAM_IN_PolicyName);
    return name ? iam_arn(c, "policy", path_or_root(in, IAM_IN_Path), name) : NULL;
}

const char *iam_res_profile(struct call *c, const json_t *in)
{
    const char *name = iam_str(in, IAM_IN_InstanceProfileName);
    return name ? entity_arn(c, "iam_instance_profiles", "instance-profile", name,
                             path_or_root(in, IAM_IN_Path))
                : NULL;
}

const char *iam_res_profile_list(struct call *c, const json_t *in)
{
    return iam_arn(c, "instance-profile", path_or_root(in, IAM_IN_PathPrefix), "");
}

/* CreateServiceLinkedRole: the role it would create,
 * arn:aws:iam::ACCT:role/aws-service-role/SERVICE/NAME [obs]. */
const char *iam_res_service_linked_role(struct call *c, const json_t *in)
{
    const char *service = iam_str(in, IAM_IN_AWSServiceName);
    const char *name = iam_slr_role_name(c, service, iam_str(in, IAM_IN_CustomSuffix));
    if (!name)
        return NULL;
    return iam_arn(c, "role", arena_printf(c->a, "/aws-service-role/%s/", service), name);
}

/* SimulatePrincipalPolicy is checked on the principal it simulates (PolicySourceArn). */
const char *iam_res_policy_source(struct call *c, const json_t *in)
{
    (void)c;
    const char *arn = iam_str(in, IAM_IN_PolicySourceArn);
    return arn && *arn ? arn : NULL;
}
