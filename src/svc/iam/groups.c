/*
 * groups.c — IAM groups and membership: CreateGroup, GetGroup (with its users), ListGroups,
 * DeleteGroup, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser.
 * Error texts [snap] unless marked.
 */
#include <string.h>

#include "store/store.h"
#include "svc/iam/iam_internal.h"
#include "svc/iam/ops.h"
#include "wire/models/iam_members.h"

int iam_create_group(struct call *c, const json_t *in, struct out *o)
{
    const char *name, *path;
    if (iam_req(c, in, IAM_M_CreateGroupRequest_GroupName, "groupName", &name) ||
        iam_path_param(c, in, IAM_M_CreateGroupRequest_Path, "path", "pathType", &path))
        return -1;
    struct iam_group_row g;
    int rc = iam_group_load(c, name, &g);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return call_fail(c, 409, "EntityAlreadyExists", "Group with name %s already exists.", name);
    char id[32];
    iam_new_id("AGPA", id, sizeof(id));
    g.name = name;
    g.group_id = id;
    g.path = path;
    g.arn = iam_arn(c, "group", path, name);
    g.created_ms = c->now_ms;
    sqlite3_stmt *s =
        store_stmt(c->st, "INSERT INTO iam_groups(" IAM_GROUP_COLS ") VALUES(?1, ?2, ?3, ?4, ?5)");
    store_bind_text_or_null(s, 1, g.name);
    store_bind_text_or_null(s, 2, g.group_id);
    store_bind_text_or_null(s, 3, g.path);
    store_bind_text_or_null(s, 4, g.arn);
    sqlite3_bind_int64(s, 5, g.created_ms);
    if (iam_done(c, s, "create group"))
        return -1;
    out_begin(o, "Group");
    iam_out_group(o, &g);
    out_end(o);
    return 0;
}

int iam_get_group(struct call *c, const json_t *in, struct out *o)
{
    const char *name;
    struct iam_group_row g;
    struct iam_pager pg;
    if (iam_req(c, in, IAM_M_GetGroupRequest_GroupName, "groupName", &name) ||
        iam_group_need(c, name, &g))
        return -1;
    iam_pager_init(in, &pg);
    out_begin(o, "Group");
    iam_out_group(o, &g);
    out_end(o);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT u.name, u.user_id, u.path, u.arn, u.created_ms,"
                                        " u.permissions_boundary, u.tags"
                                        " FROM iam_group_members m JOIN iam_users u"
                                        " ON u.name = m.user_name WHERE m.group_name = ?1"
                                        " ORDER BY u.name");
    store_bind_text_or_null(s, 1, g.name);
    return iam_out_users(c, o, s, NULL, &pg, "group users");
}

/* Writes the groups a statement yields (IAM_GROUP_COLS, by name) under "Groups". */
static int out_groups(struct call *c, struct out *o, sqlite3_stmt *s, const char *prefix,
                      struct iam_pager *pg)
{
    int rc;
    out_begin(o, "Groups");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct iam_group_row g;
        iam_group_fill(c->a, s, &g);
        if (!str_startswith(g.path, prefix) || !iam_pager_take(pg, c->a, g.name, true)) {
            if (pg->truncated)
                break;
            continue;
        }
        out_begin(o, NULL);
        iam_out_group(o, &g);
        out_end(o);
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_fail_internal(c, "list groups");
    iam_pager_finish(o, pg);
    return 0;
}

int iam_list_groups(struct call *c, const json_t *in, struct out *o)
{
    const char *prefix;
    struct iam_pager pg;
    if (iam_path_prefix(c, in, "pathPrefixType", &prefix))
        return -1;
    iam_pager_init(in, &pg);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " IAM_GROUP_COLS " FROM iam_groups ORDER BY name");
    return out_groups(c, o, s, prefix, &pg);
}

int iam_list_groups_for_user(struct call *c, const json_t *in, struct out *o)
{
    const char *name;
    struct iam_user_row u;
    struct iam_pager pg;
    if (iam_req(c, in, IAM_M_ListGroupsForUserRequest_UserName, "userName", &name) ||
        iam_user_need(c, name, &u))
        return -1;
    iam_pager_init(in, &pg);
    sqlite3_stmt *s = store_stmt(c->st, "SELECT g.name, g.group_id, g.path, g.arn, g.created_ms"
                                        " FROM iam_group_members m JOIN iam_groups g"
                                        " ON g.name = m.group_name WHERE m.user_name = ?1"
                                        " ORDER BY g.name");
    store_bind_text_or_null(s, 1, u.name);
    return out_groups(c, o, s, "/", &pg);
}

/* DeleteGroup: members, inline policies, attached policies must be gone first. */
int iam_delete_group(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name;
    struct iam_group_row g;
    int64_t n;
    if (iam_req(c, in, IAM_M_DeleteGroupRequest_GroupName, "groupName", &name) ||
        iam_group_need(c, name, &g))
        return -1;
    static const struct {
        const char *sql, *msg;
    } deps[] = {
        {"SELECT COUNT(*) FROM iam_group_members WHERE group_name = ?1", /* [obs] */
         "Cannot delete entity, must remove users from group first."},
        {"SELECT COUNT(*) FROM iam_inline_policies WHERE kind = 'group' AND owner = ?1",
         "Cannot delete entity, must delete policies first."}, /* [obs] */
        {"SELECT COUNT(*) FROM iam_attachments WHERE kind = 'group' AND owner = ?1",
         "Cannot delete entity, must detach all policies first."}, /* [obs] */
    };
    for (size_t i = 0; i < ARRAY_LEN(deps); i++) {
        if (iam_count(c, deps[i].sql, g.name, NULL, &n))
            return -1;
        if (n)
            return call_fail(c, 409, "DeleteConflict", "%s", deps[i].msg);
    }
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM iam_groups WHERE group_id = ?1");
    store_bind_text_or_null(s, 1, g.group_id);
    return iam_done(c, s, "delete group");
}

/* The user is looked up before the group (a removal naming neither reports the user
 * [snap]); adding twice is a no-op. */
int iam_add_user_to_group(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *gname, *uname;
    struct iam_group_row g;
    struct iam_user_row u;
    int64_t n, member;
    if (iam_req(c, in, IAM_M_AddUserToGroupRequest_GroupName, "groupName", &gname) ||
        iam_req(c, in, IAM_M_AddUserToGroupRequest_UserName, "userName", &uname) ||
        iam_user_need(c, uname, &u) || iam_group_need(c, gname, &g))
        return -1;
    if (iam_count(c,
                  "SELECT COUNT(*) FROM iam_group_members WHERE group_name = ?1"
                  " AND user_name = ?2",
                  g.name, u.name, &member) ||
        iam_count(c, "SELECT COUNT(*) FROM iam_group_members WHERE user_name = ?1", u.name, NULL,
                  &n))
        return -1;
    if (member)
        return 0;
    if (n >= IAM_GROUPS_PER_USER)
        return call_fail(c, 409, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: %d",
                         IAM_GROUPS_PER_USER); /* inferred, as the other quotas */
    sqlite3_stmt *s =
        store_stmt(c->st, "INSERT INTO iam_group_members(group_name, user_name) VALUES(?1, ?2)");
    store_bind_text_or_null(s, 1, g.name);
    store_bind_text_or_null(s, 2, u.name);
    return iam_done(c, s, "add user to group");
}

/* Removing a user that is not a member succeeds [snap]. */
int iam_remove_user_from_group(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *gname, *uname;
    struct iam_group_row g;
    struct iam_user_row u;
    if (iam_req(c, in, IAM_M_RemoveUserFromGroupRequest_GroupName, "groupName", &gname) ||
        iam_req(c, in, IAM_M_RemoveUserFromGroupRequest_UserName, "userName", &uname) ||
        iam_user_need(c, uname, &u) || iam_group_need(c, gname, &g))
        return -1;
    sqlite3_stmt *s =
        store_stmt(c->st, "DELETE FROM iam_group_members WHERE group_name = ?1 AND user_name = ?2");
    store_bind_text_or_null(s, 1, g.name);
    store_bind_text_or_null(s, 2, u.name);
    return iam_done(c, s, "remove user from group");
}
