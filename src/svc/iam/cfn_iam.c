/*
 * cfn_iam.c — the IAM resource types through IAM's own operations as the stack's
 * principal: AWS::IAM::Role, User, Group (with inline Policies and ManagedPolicyArns),
 * InstanceProfile, AccessKey, Policy (inline policy on groups/roles/users) and ManagedPolicy.
 * [doc] CFN UG aws-resource-iam-*: Ref = name (Role, User, Group, InstanceProfile), key id
 * (AccessKey), ARN (ManagedPolicy); replacement for the name and Path properties as listed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/iam/iam.h"
#include "svc/provider.h"
#include "wire/models/iam_members.h"
#include "wire/wire.h"

static const char *const ok_gone[] = {"NoSuchEntity", NULL};

/* ------------------------------------------------------------------ helpers */

/* An IAM identity kind: "Role"/"User"/"Group" and its name member. */
struct holder {
    const char *noun;
    const char *name_member;
};
static const struct holder H_ROLE = {"Role", IAM_IN_RoleName};
static const struct holder H_USER = {"User", IAM_IN_UserName};
static const struct holder H_GROUP = {"Group", IAM_IN_GroupName};

static const char *opname(const struct cfn_act *x, const char *fmt, const char *noun)
{
    return arena_printf(x->c->a, fmt, noun);
}

/* Put<Noun>Policy of one {PolicyName, PolicyDocument}. */
static int put_inline(const struct cfn_act *x, struct cfn_res *r, const struct holder *h,
                      const char *name, const char *policy_name, const json_t *doc)
{
    char *text = prov_doc(doc);
    if (!text || !policy_name) {
        free(text);
        prov_invalid(r, "#/Policies: PolicyName and PolicyDocument are required"); /* inferred */
        return -1;
    }
    json_t *in = json_pack("{s:s, s:s, s:s}", h->name_member, name, IAM_IN_PolicyName, policy_name,
                           IAM_IN_PolicyDocument, text);
    free(text);
    return prov_call(x, r, "iam", opname(x, "Put%sPolicy", h->noun), in, NULL, NULL) ? -1 : 0;
}

static int delete_inline(const struct cfn_act *x, struct cfn_res *r, const struct holder *h,
                         const char *name, const char *policy_name)
{
    json_t *in = json_pack("{s:s, s:s}", h->name_member, name, IAM_IN_PolicyName, policy_name);
    return prov_call(x, r, "iam", opname(x, "Delete%sPolicy", h->noun), in, NULL, ok_gone) < 0 ? -1
                                                                                               : 0;
}

static int attach_managed(const struct cfn_act *x, struct cfn_res *r, const struct holder *h,
                          const char *name, const char *arn, bool attach)
{
    json_t *in = json_pack("{s:s, s:s}", h->name_member, name, IAM_IN_PolicyArn, arn);
    return prov_call(x, r, "iam", opname(x, attach ? "Attach%sPolicy" : "Detach%sPolicy", h->noun),
                     in, NULL, attach ? NULL : ok_gone) < 0
               ? -1
               : 0;
}

static const json_t *find_policy(const json_t *policies, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(policies, i, p) if (str_eq(prov_str(p, IAM_IN_PolicyName), name)) return p;
    return NULL;
}

/* Brings the inline Policies and ManagedPolicyArns of holder `name` from old_props to props
 * (old_props NULL on create). */
static int sync_policies(const struct cfn_act *x, struct cfn_res *r, const struct holder *h,
                         const char *name, const json_t *old_props)
{
    const json_t *op = json_object_get(old_props, "Policies");
    const json_t *np = json_object_get(r->props, "Policies");
    size_t i;
    json_t *p;
    json_array_foreach(op, i, p)
    {
        const char *pn = prov_str(p, IAM_IN_PolicyName);
        if (pn && !find_policy(np, pn) && delete_inline(x, r, h, name, pn))
            return -1;
    }
    json_array_foreach(np, i, p)
    {
        const char *pn = prov_str(p, IAM_IN_PolicyName);
        const json_t *was = find_policy(op, pn);
        if ((!was || prov_changed(json_object_get(was, IAM_IN_PolicyDocument),
                                  json_object_get(p, IAM_IN_PolicyDocument))) &&
            put_inline(x, r, h, name, pn, json_object_get(p, IAM_IN_PolicyDocument)))
            return -1;
    }
    const json_t *om = json_object_get(old_props, "ManagedPolicyArns");
    const json_t *nm = json_object_get(r->props, "ManagedPolicyArns");
    json_t *gone = prov_minus(om, nm), *added = prov_minus(nm, om);
    int rc = 0;
    json_array_foreach(
        gone, i, p) if (!rc && attach_managed(x, r, h, name, json_string_value(p), false)) rc = -1;
    json_array_foreach(
        added, i, p) if (!rc && attach_managed(x, r, h, name, json_string_value(p), true)) rc = -1;
    json_decref(gone);
    json_decref(added);
    return rc;
}

/* Removes every inline and attached managed policy of holder `name` (before deleting it). */
static int strip_policies(const struct cfn_act *x, struct cfn_res *r, const struct holder *h,
                          const char *name)
{
    json_t *out = NULL;
    json_t *in = json_pack("{s:s}", h->name_member, name);
    int rc = prov_call(x, r, "iam", opname(x, "List%sPolicies", h->noun), in, &out, ok_gone);
    if (rc)
        return rc;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(out, "PolicyNames"), i,
                       p) if (!rc && delete_inline(x, r, h, name, json_string_value(p))) rc = -1;
    json_decref(out);
    if (rc)
        return rc;
    in = json_pack("{s:s}", h->name_member, name);
    rc = prov_call(x, r, "iam", opname(x, "ListAttached%sPolicies", h->noun), in, &out, ok_gone);
    if (rc)
        return rc;
    json_array_foreach(json_object_get(out, "AttachedPolicies"), i,
                       p) if (!rc && attach_managed(x, r, h, name, prov_str(p, "PolicyArn"), false))
        rc = -1;
    json_decref(out);
    return rc;
}

/* Tag<Noun>/Untag<Noun> for a tag change (roles and users). */
static int sync_tags(const struct cfn_act *x, struct cfn_res *r, const struct holder *h,
                     const char *name, const json_t *old_props)
{
    const json_t *ot = json_object_get(old_props, IAM_IN_Tags);
    const json_t *nt = json_object_get(r->props, IAM_IN_Tags);
    if (!prov_changed(ot, nt))
        return 0;
    json_t *gone = prov_removed_tag_keys(ot, nt);
    if (json_array_size(gone)) {
        json_t *in = json_pack("{s:s, s:O}", h->name_member, name, IAM_IN_TagKeys, gone);
        if (prov_call(x, r, "iam", opname(x, "Untag%s", h->noun), in, NULL, NULL)) {
            json_decref(gone);
            return -1;
        }
    }
    json_decref(gone);
    if (json_array_size(nt)) {
        json_t *in = json_pack("{s:s, s:O}", h->name_member, name, IAM_IN_Tags, nt);
        if (prov_call(x, r, "iam", opname(x, "Tag%s", h->noun), in, NULL, NULL))
            return -1;
    }
    return 0;
}

/* Fails when a property the lab cannot change in place (no IAM operation served) changed. */
static int unsupported_change(struct cfn_res *r, const json_t *old_props, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (prov_changed(json_object_get(old_props, names[i]),
                         json_object_get(r->props, names[i]))) {
            prov_invalid(r, "#/%s: updating this property is not supported by recoverlab",
                         names[i]); /* inferred */
            return -1;
        }
    return 0;
}

/* ------------------------------------------------------------------ AWS::IAM::Role */

static const char *const role_replace[] = {IAM_M_CreateRoleRequest_RoleName,
                                           IAM_M_CreateRoleRequest_Path, NULL};
static const char *const role_attrs[] = {"Arn", "RoleId", NULL};

static void role_set_attrs(struct cfn_res *r, const json_t *role)
{
    prov_attr(r, "Arn", json_string(prov_str(role, "Arn") ? prov_str(role, "Arn") : ""));
    prov_attr(r, "RoleId", json_string(prov_str(role, "RoleId") ? prov_str(role, "RoleId") : ""));
}

static enum cfn_step role_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {IAM_M_CreateRoleRequest_Path,
                                         IAM_M_CreateRoleRequest_Description,
                                         IAM_M_CreateRoleRequest_MaxSessionDuration,
                                         IAM_M_CreateRoleRequest_PermissionsBoundary,
                                         IAM_M_CreateRoleRequest_Tags,
                                         NULL};
    const char *name = prov_name(x, r, IAM_M_CreateRoleRequest_RoleName, 64);
    char *trust =
        prov_doc(json_object_get(r->props, IAM_M_CreateRoleRequest_AssumeRolePolicyDocument));
    if (!trust)
        return prov_invalid(r, "#: required key [AssumeRolePolicyDocument] not found");
    json_t *in = prov_pick(r->props, direct);
    json_object_set_new(in, IAM_M_CreateRoleRequest_RoleName, json_string(name));
    json_object_set_new(in, IAM_M_CreateRoleRequest_AssumeRolePolicyDocument, json_string(trust));
    free(trust);
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "CreateRole", in, &out, NULL))
        return CFN_FAILED;
    prov_set_id(x, r, name);
    role_set_attrs(r, json_object_get(out, "Role"));
    json_decref(out);
    if (sync_policies(x, r, &H_ROLE, name, NULL))
        return CFN_FAILED;
    return CFN_DONE;
}

static enum cfn_step role_update(const struct cfn_act *x, struct cfn_res *r,
                                 const json_t *old_props)
{
    static const char *const fixed[] = {IAM_M_CreateRoleRequest_PermissionsBoundary, NULL};
    const char *name = r->physical_id;
    if (unsupported_change(r, old_props, fixed))
        return CFN_FAILED;
    const json_t *trust =
        json_object_get(r->props, IAM_M_CreateRoleRequest_AssumeRolePolicyDocument);
    if (prov_changed(json_object_get(old_props, IAM_M_CreateRoleRequest_AssumeRolePolicyDocument),
                     trust)) {
        char *text = prov_doc(trust);
        if (!text)
            return prov_invalid(r, "#: required key [AssumeRolePolicyDocument] not found");
        json_t *in = json_pack("{s:s, s:s}", IAM_M_UpdateAssumeRolePolicyRequest_RoleName, name,
                               IAM_M_UpdateAssumeRolePolicyRequest_PolicyDocument, text);
        free(text);
        if (prov_call(x, r, "iam", "UpdateAssumeRolePolicy", in, NULL, NULL))
            return CFN_FAILED;
    }
    const json_t *desc = json_object_get(r->props, IAM_M_UpdateRoleRequest_Description);
    const json_t *msd = json_object_get(r->props, IAM_M_UpdateRoleRequest_MaxSessionDuration);
    if (prov_changed(json_object_get(old_props, IAM_M_UpdateRoleRequest_Description), desc) ||
        prov_changed(json_object_get(old_props, IAM_M_UpdateRoleRequest_MaxSessionDuration), msd)) {
        json_t *in = json_pack("{s:s}", IAM_M_UpdateRoleRequest_RoleName, name);
        json_object_set_new(in, IAM_M_UpdateRoleRequest_Description,
                            desc ? json_incref((json_t *)desc) : json_string(""));
        json_object_set_new(in, IAM_M_UpdateRoleRequest_MaxSessionDuration,
                            msd ? json_incref((json_t *)msd) : json_integer(3600));
        if (prov_call(x, r, "iam", "UpdateRole", in, NULL, NULL))
            return CFN_FAILED;
    }
    if (sync_policies(x, r, &H_ROLE, name, old_props) || sync_tags(x, r, &H_ROLE, name, old_props))
        return CFN_FAILED;
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "GetRole", json_pack("{s:s}", IAM_M_GetRoleRequest_RoleName, name),
                  &out, NULL))
        return CFN_FAILED;
    role_set_attrs(r, json_object_get(out, "Role"));
    json_decref(out);
    return CFN_DONE;
}

static enum cfn_step role_delete(const struct cfn_act *x, struct cfn_res *r)
{
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    int rc = strip_policies(x, r, &H_ROLE, r->physical_id);
    if (rc < 0)
        return CFN_FAILED;
    if (rc == 1)
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", IAM_M_DeleteRoleRequest_RoleName, r->physical_id);
    return prov_call(x, r, "iam", "DeleteRole", in, NULL, ok_gone) < 0 ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_iam_role = {
    .type = "AWS::IAM::Role",
    .create = role_create,
    .update = role_update,
    .del = role_delete,
    .replace_props = role_replace,
    .name_prop = IAM_M_CreateRoleRequest_RoleName,
    .name_max = 64,
    .attrs = role_attrs,
};

/* ------------------------------------------------------------------ AWS::IAM::User */

static const char *const user_replace[] = {IAM_M_CreateUserRequest_UserName, NULL};
static const char *const user_attrs[] = {"Arn", NULL};

static int sync_groups(const struct cfn_act *x, struct cfn_res *r, const char *user,
                       const json_t *old_props)
{
    json_t *gone =
        prov_minus(json_object_get(old_props, "Groups"), json_object_get(r->props, "Groups"));
    json_t *added =
        prov_minus(json_object_get(r->props, "Groups"), json_object_get(old_props, "Groups"));
    int rc = 0;
    size_t i;
    json_t *g;
    json_array_foreach(gone, i, g) if (!rc && prov_call(x, r, "iam", "RemoveUserFromGroup",
                                                        json_pack("{s:O, s:s}", IAM_IN_GroupName, g,
                                                                  IAM_IN_UserName, user),
                                                        NULL, ok_gone) < 0) rc = -1;
    json_array_foreach(added, i, g) if (!rc && prov_call(x, r, "iam", "AddUserToGroup",
                                                         json_pack("{s:O, s:s}", IAM_IN_GroupName,
                                                                   g, IAM_IN_UserName, user),
                                                         NULL, NULL)) rc = -1;
    json_decref(gone);
    json_decref(added);
    return rc;
}

static enum cfn_step user_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {IAM_M_CreateUserRequest_Path,
                                         IAM_M_CreateUserRequest_PermissionsBoundary,
                                         IAM_M_CreateUserRequest_Tags, NULL};
    const char *name = prov_name(x, r, IAM_M_CreateUserRequest_UserName, 64);
    json_t *in = prov_pick(r->props, direct);
    json_object_set_new(in, IAM_M_CreateUserRequest_UserName, json_string(name));
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "CreateUser", in, &out, NULL))
        return CFN_FAILED;
    prov_set_id(x, r, name);
    const char *arn = prov_str(json_object_get(out, "User"), "Arn");
    prov_attr(r, "Arn", json_string(arn ? arn : ""));
    json_decref(out);
    /* LoginProfile (console password) is accepted and ignored: the lab has no console */
    if (sync_groups(x, r, name, NULL) || sync_policies(x, r, &H_USER, name, NULL))
        return CFN_FAILED;
    return CFN_DONE;
}

static enum cfn_step user_update(const struct cfn_act *x, struct cfn_res *r,
                                 const json_t *old_props)
{
    static const char *const fixed[] = {IAM_M_CreateUserRequest_PermissionsBoundary, NULL};
    const char *name = r->physical_id;
    if (unsupported_change(r, old_props, fixed))
        return CFN_FAILED;
    const json_t *path = json_object_get(r->props, IAM_M_CreateUserRequest_Path);
    if (prov_changed(json_object_get(old_props, IAM_M_CreateUserRequest_Path), path)) {
        json_t *in = json_pack("{s:s, s:s}", IAM_M_UpdateUserRequest_UserName, name,
                               IAM_M_UpdateUserRequest_NewPath,
                               json_is_string(path) ? json_string_value(path) : "/");
        if (prov_call(x, r, "iam", "UpdateUser", in, NULL, NULL))
            return CFN_FAILED;
    }
    if (sync_groups(x, r, name, old_props) || sync_policies(x, r, &H_USER, name, old_props) ||
        sync_tags(x, r, &H_USER, name, old_props))
        return CFN_FAILED;
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "GetUser", json_pack("{s:s}", IAM_M_GetUserRequest_UserName, name),
                  &out, NULL))
        return CFN_FAILED;
    const char *arn = prov_str(json_object_get(out, "User"), "Arn");
    prov_attr(r, "Arn", json_string(arn ? arn : ""));
    json_decref(out);
    return CFN_DONE;
}

static enum cfn_step user_delete(const struct cfn_act *x, struct cfn_res *r)
{
    const char *name = r->physical_id;
    if (!name || !*name)
        return CFN_DONE;
    json_t *out = NULL;
    int rc =
        prov_call(x, r, "iam", "ListGroupsForUser",
                  json_pack("{s:s}", IAM_M_ListGroupsForUserRequest_UserName, name), &out, ok_gone);
    if (rc < 0)
        return CFN_FAILED;
    if (rc == 1)
        return CFN_DONE;
    size_t i;
    json_t *g;
    json_array_foreach(
        json_object_get(out, "Groups"), i,
        g) if (!rc && prov_call(x, r, "iam", "RemoveUserFromGroup",
                                json_pack("{s:s, s:s}", IAM_M_RemoveUserFromGroupRequest_GroupName,
                                          prov_str(g, "GroupName"),
                                          IAM_M_RemoveUserFromGroupRequest_UserName, name),
                                NULL, ok_gone) < 0) rc = -1;
    json_decref(out);
    if (rc || strip_policies(x, r, &H_USER, name) < 0)
        return CFN_FAILED;
    json_t *in = json_pack("{s:s}", IAM_M_DeleteUserRequest_UserName, name);
    return prov_call(x, r, "iam", "DeleteUser", in, NULL, ok_gone) < 0 ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_iam_user = {
    .type = "AWS::IAM::User",
    .create = user_create,
    .update = user_update,
    .del = user_delete,
    .replace_props = user_replace,
    .name_prop = IAM_M_CreateUserRequest_UserName,
    .name_max = 64,
    .attrs = user_attrs,
};

/* ------------------------------------------------------------------ AWS::IAM::Group */

static const char *const group_replace[] = {IAM_M_CreateGroupRequest_GroupName, NULL};
static const char *const group_attrs[] = {"Arn", NULL};

static enum cfn_step group_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {IAM_M_CreateGroupRequest_Path, NULL};
    const char *name = prov_name(x, r, IAM_M_CreateGroupRequest_GroupName, 128);
    json_t *in = prov_pick(r->props, direct);
    json_object_set_new(in, IAM_M_CreateGroupRequest_GroupName, json_string(name));
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "CreateGroup", in, &out, NULL))
        return CFN_FAILED;
    prov_set_id(x, r, name);
    const char *arn = prov_str(json_object_get(out, "Group"), "Arn");
    prov_attr(r, "Arn", json_string(arn ? arn : ""));
    json_decref(out);
    return sync_policies(x, r, &H_GROUP, name, NULL) ? CFN_FAILED : CFN_DONE;
}

static enum cfn_step group_update(const struct cfn_act *x, struct cfn_res *r,
                                  const json_t *old_props)
{
    static const char *const fixed[] = {IAM_M_CreateGroupRequest_Path,
                                        NULL}; /* UpdateGroup is not served */
    if (unsupported_change(r, old_props, fixed))
        return CFN_FAILED;
    return sync_policies(x, r, &H_GROUP, r->physical_id, old_props) ? CFN_FAILED : CFN_DONE;
}

static enum cfn_step group_delete(const struct cfn_act *x, struct cfn_res *r)
{
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    int rc = strip_policies(x, r, &H_GROUP, r->physical_id);
    if (rc < 0)
        return CFN_FAILED;
    if (rc == 1)
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", IAM_M_DeleteGroupRequest_GroupName, r->physical_id);
    return prov_call(x, r, "iam", "DeleteGroup", in, NULL, ok_gone) < 0 ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_iam_group = {
    .type = "AWS::IAM::Group",
    .create = group_create,
    .update = group_update,
    .del = group_delete,
    .replace_props = group_replace,
    .name_prop = IAM_M_CreateGroupRequest_GroupName,
    .name_max = 128,
    .attrs = group_attrs,
};

/* ------------------------------------------------------------ AWS::IAM::InstanceProfile */

static const char *const profile_replace[] = {
    IAM_M_CreateInstanceProfileRequest_InstanceProfileName, IAM_M_CreateInstanceProfileRequest_Path,
    NULL};
static const char *const profile_attrs[] = {"Arn", NULL};

static int profile_roles(const struct cfn_act *x, struct cfn_res *r, const char *name,
                         const json_t *old_roles, const json_t *new_roles)
{
    json_t *gone = prov_minus(old_roles, new_roles), *added = prov_minus(new_roles, old_roles);
    int rc = 0;
    size_t i;
    json_t *role;
    json_array_foreach(
        gone, i, role) if (!rc && prov_call(x, r, "iam", "RemoveRoleFromInstanceProfile",
                                            json_pack("{s:s, s:O}", IAM_IN_InstanceProfileName,
                                                      name, IAM_IN_RoleName, role),
                                            NULL, ok_gone) < 0) rc = -1;
    json_array_foreach(
        added, i, role) if (!rc && prov_call(x, r, "iam", "AddRoleToInstanceProfile",
                                             json_pack("{s:s, s:O}", IAM_IN_InstanceProfileName,
                                                       name, IAM_IN_RoleName, role),
                                             NULL, NULL)) rc = -1;
    json_decref(gone);
    json_decref(added);
    return rc;
}

static enum cfn_step profile_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {IAM_M_CreateInstanceProfileRequest_Path, NULL};
    const char *name = prov_name(x, r, IAM_M_CreateInstanceProfileRequest_InstanceProfileName, 128);
    json_t *in = prov_pick(r->props, direct);
    json_object_set_new(in, IAM_M_CreateInstanceProfileRequest_InstanceProfileName,
                        json_string(name));
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "CreateInstanceProfile", in, &out, NULL))
        return CFN_FAILED;
    prov_set_id(x, r, name);
    const char *arn = prov_str(json_object_get(out, "InstanceProfile"), "Arn");
    prov_attr(r, "Arn", json_string(arn ? arn : ""));
    json_decref(out);
    return profile_roles(x, r, name, NULL, json_object_get(r->props, "Roles")) ? CFN_FAILED
                                                                               : CFN_DONE;
}

static enum cfn_step profile_update(const struct cfn_act *x, struct cfn_res *r,
                                    const json_t *old_props)
{
    return profile_roles(x, r, r->physical_id, json_object_get(old_props, "Roles"),
                         json_object_get(r->props, "Roles"))
               ? CFN_FAILED
               : CFN_DONE;
}

static enum cfn_step profile_delete(const struct cfn_act *x, struct cfn_res *r)
{
    const char *name = r->physical_id;
    if (!name || !*name)
        return CFN_DONE;
    json_t *out = NULL;
    int rc =
        prov_call(x, r, "iam", "GetInstanceProfile",
                  json_pack("{s:s}", IAM_M_GetInstanceProfileRequest_InstanceProfileName, name),
                  &out, ok_gone);
    if (rc < 0)
        return CFN_FAILED;
    if (rc == 1)
        return CFN_DONE;
    size_t i;
    json_t *role;
    json_array_foreach(
        json_object_get(json_object_get(out, "InstanceProfile"), "Roles"), i,
        role) if (!rc &&
                  prov_call(
                      x, r, "iam", "RemoveRoleFromInstanceProfile",
                      json_pack("{s:s, s:s}",
                                IAM_M_RemoveRoleFromInstanceProfileRequest_InstanceProfileName,
                                name, IAM_M_RemoveRoleFromInstanceProfileRequest_RoleName,
                                prov_str(role, "RoleName")),
                      NULL, ok_gone) < 0) rc = -1;
    json_decref(out);
    if (rc)
        return CFN_FAILED;
    json_t *in = json_pack("{s:s}", IAM_M_DeleteInstanceProfileRequest_InstanceProfileName, name);
    return prov_call(x, r, "iam", "DeleteInstanceProfile", in, NULL, ok_gone) < 0 ? CFN_FAILED
                                                                                  : CFN_DONE;
}

static const struct cfn_provider prov_iam_instance_profile = {
    .type = "AWS::IAM::InstanceProfile",
    .create = profile_create,
    .update = profile_update,
    .del = profile_delete,
    .replace_props = profile_replace,
    .name_prop = IAM_M_CreateInstanceProfileRequest_InstanceProfileName,
    .name_max = 128,
    .attrs = profile_attrs,
};

/* ------------------------------------------------------------------ AWS::IAM::AccessKey */

static const char *const key_replace[] = {"Serial", "UserName", NULL};
static const char *const key_attrs[] = {"SecretAccessKey", "Id", NULL};

static int key_status(const struct cfn_act *x, struct cfn_res *r, const char *id)
{
    const char *status = prov_str(r->props, IAM_M_UpdateAccessKeyRequest_Status);
    json_t *in = json_pack("{s:s, s:s, s:s}", IAM_M_UpdateAccessKeyRequest_UserName,
                           prov_str(r->props, IAM_M_UpdateAccessKeyRequest_UserName),
                           IAM_M_UpdateAccessKeyRequest_AccessKeyId, id,
                           IAM_M_UpdateAccessKeyRequest_Status, status ? status : "Active");
    return prov_call(x, r, "iam", "UpdateAccessKey", in, NULL, NULL) ? -1 : 0;
}

static enum cfn_step key_create(const struct cfn_act *x, struct cfn_res *r)
{
    const char *user = prov_str(r->props, IAM_M_CreateAccessKeyRequest_UserName);
    if (!user)
        return prov_invalid(r, "#: required key [UserName] not found");
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "CreateAccessKey",
                  json_pack("{s:s}", IAM_M_CreateAccessKeyRequest_UserName, user), &out, NULL))
        return CFN_FAILED;
    const json_t *k = json_object_get(out, "AccessKey");
    const char *id = prov_str(k, "AccessKeyId");
    const char *secret = prov_str(k, "SecretAccessKey");
    if (!id) {
        json_decref(out);
        return prov_fail(r, "iam", 500, "InternalFailure", NULL,
                         "CreateAccessKey returned no key"); /* inferred */
    }
    prov_set_id(x, r, id);
    prov_attr(r, "Id", json_string(id));
    prov_attr(r, "SecretAccessKey", json_string(secret ? secret : ""));
    json_decref(out);
    if (str_eq(prov_str(r->props, IAM_M_UpdateAccessKeyRequest_Status), "Inactive") &&
        key_status(x, r, r->physical_id))
        return CFN_FAILED;
    return CFN_DONE;
}

static enum cfn_step key_update(const struct cfn_act *x, struct cfn_res *r, const json_t *old_props)
{
    if (prov_changed(json_object_get(old_props, IAM_M_UpdateAccessKeyRequest_Status),
                     json_object_get(r->props, IAM_M_UpdateAccessKeyRequest_Status)) &&
        key_status(x, r, r->physical_id))
        return CFN_FAILED;
    return CFN_DONE;
}

static enum cfn_step key_delete(const struct cfn_act *x, struct cfn_res *r)
{
    const char *user = prov_str(r->props, IAM_M_DeleteAccessKeyRequest_UserName);
    if (!r->physical_id || !*r->physical_id || !user)
        return CFN_DONE;
    json_t *in = json_pack("{s:s, s:s}", IAM_M_DeleteAccessKeyRequest_UserName, user,
                           IAM_M_DeleteAccessKeyRequest_AccessKeyId, r->physical_id);
    return prov_call(x, r, "iam", "DeleteAccessKey", in, NULL, ok_gone) < 0 ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_iam_access_key = {
    .type = "AWS::IAM::AccessKey",
    .create = key_create,
    .update = key_update,
    .del = key_delete,
    .replace_props = key_replace,
    .attrs = key_attrs,
};

/* ------------------------------------------------------------------ AWS::IAM::Policy */

static const char *const policy_replace[] = {NULL};
static const char *const policy_attrs[] = {"Id", NULL};

static const struct {
    const char *prop;
    const struct holder *h;
} policy_holders[] = {{"Groups", &H_GROUP}, {"Roles", &H_ROLE}, {"Users", &H_USER}};

/* Puts (put=true) or deletes policy `pname` on every holder listed in props (or only those
 * of props missing from `except` when except is given). */
static int policy_apply(const struct cfn_act *x, struct cfn_res *r, const json_t *props,
                        const json_t *except, const char *pname, bool put)
{
    for (size_t k = 0; k < ARRAY_LEN(policy_holders); k++) {
        const json_t *list = json_object_get(props, policy_holders[k].prop);
        json_t *targets = except ? prov_minus(list, json_object_get(except, policy_holders[k].prop))
                                 : prov_minus(list, NULL);
        size_t i;
        json_t *t;
        int rc = 0;
        json_array_foreach(targets, i, t)
        {
            const char *who = json_string_value(t);
            if (rc || !who)
                continue;
            rc = put ? put_inline(x, r, policy_holders[k].h, who, pname,
                                  json_object_get(props, IAM_IN_PolicyDocument))
                     : delete_inline(x, r, policy_holders[k].h, who, pname);
        }
        json_decref(targets);
        if (rc)
            return -1;
    }
    return 0;
}

static bool policy_has_holder(const json_t *props)
{
    for (size_t k = 0; k < ARRAY_LEN(policy_holders); k++)
        if (json_array_size(json_object_get(props, policy_holders[k].prop)))
            return true;
    return false;
}

static enum cfn_step policy_create(const struct cfn_act *x, struct cfn_res *r)
{
    const char *pname = prov_str(r->props, IAM_IN_PolicyName);
    if (!pname)
        return prov_invalid(r, "#: required key [PolicyName] not found");
    if (!policy_has_holder(r->props))
        return prov_invalid(
            r, "At least one of [Groups,Roles,Users] must be non-empty."); /* inferred */
    if (policy_apply(x, r, r->props, NULL, pname, true))
        return CFN_FAILED;
    /* the physical id is generated (inferred: <stack>-<LogicalId>-<SUFFIX>, as other types) */
    prov_set_id(x, r, prov_name(x, r, "__none", 128));
    prov_attr(r, "Id", json_string(r->physical_id));
    return CFN_DONE;
}

static enum cfn_step policy_update(const struct cfn_act *x, struct cfn_res *r,
                                   const json_t *old_props)
{
    const char *pname = prov_str(r->props, IAM_IN_PolicyName);
    const char *oname = prov_str(old_props, IAM_IN_PolicyName);
    if (!pname)
        return prov_invalid(r, "#: required key [PolicyName] not found");
    if (!policy_has_holder(r->props))
        return prov_invalid(
            r, "At least one of [Groups,Roles,Users] must be non-empty."); /* inferred */
    bool renamed = !str_eq(pname, oname);
    /* drop the old policy where it no longer belongs (everywhere when renamed) */
    if (oname && policy_apply(x, r, old_props, renamed ? NULL : r->props, oname, false))
        return CFN_FAILED;
    bool doc_changed = prov_changed(json_object_get(old_props, IAM_IN_PolicyDocument),
                                    json_object_get(r->props, IAM_IN_PolicyDocument));
    if (policy_apply(x, r, r->props, renamed || doc_changed ? NULL : old_props, pname, true))
        return CFN_FAILED;
    prov_attr(r, "Id", json_string(r->physical_id));
    return CFN_DONE;
}

static enum cfn_step policy_delete(const struct cfn_act *x, struct cfn_res *r)
{
    const char *pname = prov_str(r->props, IAM_IN_PolicyName);
    if (!pname)
        return CFN_DONE;
    return policy_apply(x, r, r->props, NULL, pname, false) ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_iam_policy = {
    .type = "AWS::IAM::Policy",
    .create = policy_create,
    .update = policy_update,
    .del = policy_delete,
    .replace_props = policy_replace,
    .attrs = policy_attrs,
};

/* ------------------------------------------------------------ AWS::IAM::ManagedPolicy */

static const char *const mpolicy_replace[] = {"ManagedPolicyName", "Path", "Description", NULL};
static const char *const mpolicy_attrs[] = {
    "PolicyArn",        "AttachmentCount", "CreateDate",
    "DefaultVersionId", "IsAttachable",    "PermissionsBoundaryUsageCount",
    "PolicyId",         "UpdateDate",      NULL};

static json_t *iso_time(const json_t *epoch_s)
{
    char t[32];
    if (!json_is_number(epoch_s))
        return NULL;
    time_fmt_iso8601((int64_t)(json_number_value(epoch_s) * 1000.0), t);
    return json_string(t);
}

static void mpolicy_set_attrs(struct cfn_res *r, const json_t *p)
{
    static const char *const same[] = {"AttachmentCount", "DefaultVersionId", "IsAttachable",
                                       "PermissionsBoundaryUsageCount", "PolicyId"};
    const char *arn = prov_str(p, "Arn");
    prov_attr(r, "PolicyArn", json_string(arn ? arn : ""));
    for (size_t i = 0; i < ARRAY_LEN(same); i++) {
        json_t *v = json_object_get(p, same[i]);
        if (v)
            prov_attr(r, same[i], json_incref(v));
    }
    prov_attr(r, "CreateDate", iso_time(json_object_get(p, "CreateDate")));
    prov_attr(r, "UpdateDate", iso_time(json_object_get(p, "UpdateDate")));
}

static int mpolicy_attach(const struct cfn_act *x, struct cfn_res *r, const char *arn,
                          const json_t *old_props, const json_t *new_props)
{
    for (size_t k = 0; k < ARRAY_LEN(policy_holders); k++) {
        const char *prop = policy_holders[k].prop;
        json_t *gone =
            prov_minus(json_object_get(old_props, prop), json_object_get(new_props, prop));
        json_t *added =
            prov_minus(json_object_get(new_props, prop), json_object_get(old_props, prop));
        int rc = 0;
        size_t i;
        json_t *t;
        json_array_foreach(gone, i, t) if (!rc && attach_managed(x, r, policy_holders[k].h,
                                                                 json_string_value(t), arn, false))
            rc = -1;
        json_array_foreach(added, i, t) if (!rc && attach_managed(x, r, policy_holders[k].h,
                                                                  json_string_value(t), arn, true))
            rc = -1;
        json_decref(gone);
        json_decref(added);
        if (rc)
            return -1;
    }
    return 0;
}

static enum cfn_step mpolicy_create(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const direct[] = {IAM_M_CreatePolicyRequest_Path,
                                         IAM_M_CreatePolicyRequest_Description, NULL};
    const char *name = prov_name(x, r, "ManagedPolicyName", 128);
    char *doc = prov_doc(json_object_get(r->props, IAM_M_CreatePolicyRequest_PolicyDocument));
    if (!doc)
        return prov_invalid(r, "#: required key [PolicyDocument] not found");
    json_t *in = prov_pick(r->props, direct);
    json_object_set_new(in, IAM_M_CreatePolicyRequest_PolicyName, json_string(name));
    json_object_set_new(in, IAM_M_CreatePolicyRequest_PolicyDocument, json_string(doc));
    free(doc);
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "CreatePolicy", in, &out, NULL))
        return CFN_FAILED;
    const json_t *p = json_object_get(out, "Policy");
    const char *arn = prov_str(p, "Arn");
    if (!arn) {
        json_decref(out);
        return prov_fail(r, "iam", 500, "InternalFailure", NULL,
                         "CreatePolicy returned no policy"); /* inferred */
    }
    prov_set_id(x, r, arn);
    mpolicy_set_attrs(r, p);
    json_decref(out);
    if (mpolicy_attach(x, r, r->physical_id, NULL, r->props))
        return CFN_FAILED;
    return CFN_DONE;
}

static enum cfn_step mpolicy_update(const struct cfn_act *x, struct cfn_res *r,
                                    const json_t *old_props)
{
    const char *arn = r->physical_id;
    const json_t *doc = json_object_get(r->props, IAM_M_CreatePolicyRequest_PolicyDocument);
    if (prov_changed(json_object_get(old_props, IAM_M_CreatePolicyRequest_PolicyDocument), doc)) {
        /* IAM keeps five versions: drop the oldest non-default one first */
        json_t *out = NULL;
        if (prov_call(x, r, "iam", "ListPolicyVersions",
                      json_pack("{s:s}", IAM_M_ListPolicyVersionsRequest_PolicyArn, arn), &out,
                      NULL))
            return CFN_FAILED;
        json_t *vers = json_object_get(out, "Versions");
        const char *oldest = NULL;
        double oldest_t = 0;
        size_t i;
        json_t *v;
        json_array_foreach(vers, i, v)
        {
            double t = json_number_value(json_object_get(v, "CreateDate"));
            if (!json_is_true(json_object_get(v, "IsDefaultVersion")) &&
                (!oldest || t < oldest_t)) {
                oldest = prov_str(v, "VersionId");
                oldest_t = t;
            }
        }
        int rc = 0;
        if (json_array_size(vers) >= 5 && oldest)
            rc = prov_call(x, r, "iam", "DeletePolicyVersion",
                           json_pack("{s:s, s:s}", IAM_M_DeletePolicyVersionRequest_PolicyArn, arn,
                                     IAM_M_DeletePolicyVersionRequest_VersionId, oldest),
                           NULL, NULL);
        json_decref(out);
        if (rc)
            return CFN_FAILED;
        char *text = prov_doc(doc);
        if (!text)
            return prov_invalid(r, "#: required key [PolicyDocument] not found");
        json_t *in = json_pack("{s:s, s:s, s:b}", IAM_M_CreatePolicyVersionRequest_PolicyArn, arn,
                               IAM_M_CreatePolicyVersionRequest_PolicyDocument, text,
                               IAM_M_CreatePolicyVersionRequest_SetAsDefault, 1);
        free(text);
        if (prov_call(x, r, "iam", "CreatePolicyVersion", in, NULL, NULL))
            return CFN_FAILED;
    }
    if (mpolicy_attach(x, r, arn, old_props, r->props))
        return CFN_FAILED;
    json_t *out = NULL;
    if (prov_call(x, r, "iam", "GetPolicy",
                  json_pack("{s:s}", IAM_M_GetPolicyRequest_PolicyArn, arn), &out, NULL))
        return CFN_FAILED;
    mpolicy_set_attrs(r, json_object_get(out, "Policy"));
    json_decref(out);
    return CFN_DONE;
}

static enum cfn_step mpolicy_delete(const struct cfn_act *x, struct cfn_res *r)
{
    const char *arn = r->physical_id;
    if (!arn || !*arn)
        return CFN_DONE;
    if (mpolicy_attach(x, r, arn, r->props, NULL))
        return CFN_FAILED;
    json_t *out = NULL;
    int rc = prov_call(x, r, "iam", "ListPolicyVersions",
                       json_pack("{s:s}", IAM_M_ListPolicyVersionsRequest_PolicyArn, arn), &out,
                       ok_gone);
    if (rc < 0)
        return CFN_FAILED;
    if (rc == 1)
        return CFN_DONE;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(out, "Versions"), i, v)
    {
        if (rc || json_is_true(json_object_get(v, "IsDefaultVersion")))
            continue;
        rc = prov_call(x, r, "iam", "DeletePolicyVersion",
                       json_pack("{s:s, s:s}", IAM_M_DeletePolicyVersionRequest_PolicyArn, arn,
                                 IAM_M_DeletePolicyVersionRequest_VersionId,
                                 prov_str(v, "VersionId")),
                       NULL, ok_gone) < 0
                 ? -1
                 : 0;
    }
    json_decref(out);
    if (rc)
        return CFN_FAILED;
    json_t *in = json_pack("{s:s}", IAM_M_DeletePolicyRequest_PolicyArn, arn);
    return prov_call(x, r, "iam", "DeletePolicy", in, NULL, ok_gone) < 0 ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_iam_managed_policy = {
    .type = "AWS::IAM::ManagedPolicy",
    .create = mpolicy_create,
    .update = mpolicy_update,
    .del = mpolicy_delete,
    .replace_props = mpolicy_replace,
    .name_prop = "ManagedPolicyName",
    .name_max = 128,
    .attrs = mpolicy_attrs,
};

/* The providers of this service, for its module (.providers). */
/* ------------------------------------------------------------ AWS::IAM::RolePolicy */

/* One inline policy of one role [doc: CFN UG aws-resource-iam-rolepolicy]: PutRolePolicy on
 * create and update, DeleteRolePolicy on delete; PolicyName and RoleName replace. The
 * physical id is the policy name (inferred: the registry's identifier is the pair). */
static enum cfn_step role_policy_put(const struct cfn_act *x, struct cfn_res *r)
{
    const char *pname = prov_str(r->props, IAM_IN_PolicyName);
    const char *role = prov_str(r->props, IAM_IN_RoleName);
    if (!pname || !role)
        return prov_invalid(r, "#: required key [%s] not found",
                            !pname ? "PolicyName" : "RoleName"); /* [obs] form */
    if (put_inline(x, r, &H_ROLE, role, pname, json_object_get(r->props, IAM_IN_PolicyDocument)))
        return CFN_FAILED;
    prov_set_id(x, r, pname);
    return CFN_DONE;
}

static enum cfn_step role_policy_update(const struct cfn_act *x, struct cfn_res *r,
                                        const json_t *old_props)
{
    (void)old_props;
    return role_policy_put(x, r);
}

static enum cfn_step role_policy_delete(const struct cfn_act *x, struct cfn_res *r)
{
    const char *pname = prov_str(r->props, IAM_IN_PolicyName);
    const char *role = prov_str(r->props, IAM_IN_RoleName);
    if (!pname || !role || !r->physical_id)
        return CFN_DONE;
    return delete_inline(x, r, &H_ROLE, role, pname) ? CFN_FAILED : CFN_DONE;
}

static const char *const role_policy_replace[] = {"PolicyName", "RoleName", NULL};
static const char *const role_policy_attrs[] = {NULL};

static const struct cfn_provider prov_iam_role_policy = {
    .type = "AWS::IAM::RolePolicy",
    .create = role_policy_put,
    .update = role_policy_update,
    .del = role_policy_delete,
    .replace_props = role_policy_replace,
    .attrs = role_policy_attrs,
};

const struct cfn_provider *const iam_cfn_providers[] = {
    &prov_iam_role,   &prov_iam_instance_profile, &prov_iam_user,  &prov_iam_access_key,
    &prov_iam_policy, &prov_iam_managed_policy,   &prov_iam_group, &prov_iam_role_policy,
    NULL,
};
