/* iam_users_test.c — IAM users, access keys, groups and user tags through the fixture
 * (JSON rendering unless a test checks the Query XML). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/store.h"
#include "svc/iam/iam.h"
#include "svc_fixture.h"

/* Member of a response by dotted path ("User.UserName", "Users.1.Arn"). */
static bool id_ok(const char *id, const char *prefix, size_t len)
{
    if (!id || strlen(id) != len || strncmp(id, prefix, 4) != 0)
        return false;
    for (const char *p = id + 4; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7')))
            return false;
    return true;
}

static void create_user(struct fx *f, const char *name)
{
    fx_callf(f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"%s\"}", name);
    CHECK_EQ_INT(f->rc, 0);
}

TEST(iam_user_create_get_list)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"cfn\"}"), 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_STR(fx_js(&f, "User.UserName"), "cfn");
    CHECK_EQ_STR(fx_js(&f, "User.Path"), "/");
    CHECK_EQ_STR(fx_js(&f, "User.Arn"), "arn:aws:iam::123456789012:user/cfn");
    CHECK(id_ok(fx_js(&f, "User.UserId"), "AIDA", 21));
    CHECK(fx_jget(f.json, "User.Tags") == NULL);
    char id[32];
    snprintf(id, sizeof(id), "%s", fx_js(&f, "User.UserId"));

    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user,
                         "{\"UserName\":\"bob\",\"Path\":\"/ops/team/\"}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "User.Arn"), "arn:aws:iam::123456789012:user/ops/team/bob");

    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{\"UserName\":\"CFN\"}"), 0);
    CHECK_EQ_STR(fx_js(&f, "User.UserId"), id);
    CHECK_EQ_STR(fx_js(&f, "User.UserName"), "cfn");

    CHECK_EQ_INT(fx_call(&f, "iam", "ListUsers", iam_list_users, "{}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Users")), 2);
    CHECK_EQ_STR(fx_js(&f, "Users.0.UserName"), "bob");
    CHECK_EQ_STR(fx_js(&f, "Users.1.UserName"), "cfn");
    CHECK(json_is_false(fx_jget(f.json, "IsTruncated")));
    CHECK(fx_jget(f.json, "Marker") == NULL);

    CHECK_EQ_INT(fx_call(&f, "iam", "ListUsers", iam_list_users, "{\"PathPrefix\":\"/ops/\"}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Users")), 1);
    CHECK_EQ_STR(fx_js(&f, "Users.0.UserName"), "bob");

    /* names are unique regardless of case */
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"Cfn\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "EntityAlreadyExists");
    CHECK_EQ_STR(fx_err_message(&f), "User with name Cfn already exists.");
    CHECK_EQ_INT(f.resp.status, 409);

    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{\"UserName\":\"nobody\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");
    CHECK_EQ_STR(fx_err_message(&f), "The user with name nobody cannot be found.");
    CHECK_EQ_INT(f.resp.status, 404);

    CHECK_EQ_INT(
        fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"x\",\"Path\":\"ops\"}"),
        -1);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_CONTAINS(fx_err_message(&f), "Value 'ops' at 'path' failed to satisfy constraint: "
                                       "Member must satisfy regular expression pattern: ");
    fx_close(&f);
}

TEST(iam_user_list_paging)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    const char *names[] = {"u3", "u1", "U5", "u2", "u4"};
    for (size_t i = 0; i < 5; i++)
        create_user(&f, names[i]);
    char marker[64] = "";
    const char *want[] = {"u1", "u2", "u3", "u4", "U5"};
    size_t seen = 0;
    for (int page = 0; page < 3; page++) {
        if (marker[0])
            fx_callf(&f, "iam", "ListUsers", iam_list_users, "{\"MaxItems\":2,\"Marker\":\"%s\"}",
                     marker);
        else
            fx_call(&f, "iam", "ListUsers", iam_list_users, "{\"MaxItems\":2}");
        CHECK_EQ_INT(f.rc, 0);
        json_t *users = fx_jget(f.json, "Users");
        for (size_t i = 0; i < json_array_size(users); i++, seen++)
            CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(users, i), "UserName")),
                         want[seen]);
        if (page < 2) {
            CHECK(json_is_true(fx_jget(f.json, "IsTruncated")));
            CHECK(fx_js(&f, "Marker") != NULL);
            snprintf(marker, sizeof(marker), "%s", fx_js(&f, "Marker") ? fx_js(&f, "Marker") : "");
        } else {
            CHECK(json_is_false(fx_jget(f.json, "IsTruncated")));
        }
    }
    CHECK_EQ_INT(seen, 5);
    fx_close(&f);
}

TEST(iam_user_get_caller)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{}"), 0);
    CHECK_EQ_STR(fx_js(&f, "User.Arn"), "arn:aws:iam::123456789012:root");
    CHECK_EQ_STR(fx_js(&f, "User.UserId"), "123456789012");
    CHECK(fx_jget(f.json, "User.UserName") == NULL);

    create_user(&f, "cfn");
    char id[32];
    snprintf(id, sizeof(id), "%s", fx_js(&f, "User.UserId"));
    fx_as_user(&f, "cfn", id);
    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{}"), 0);
    CHECK_EQ_STR(fx_js(&f, "User.UserName"), "cfn");
    CHECK_EQ_STR(fx_js(&f, "User.UserId"), id);

    fx_as_role_session(&f, "ops", "AROAEXAMPLEROLE000001", "s1");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_EQ_STR(fx_err_message(&f),
                 "Must specify userName when calling with non-User credentials");
    fx_close(&f);
}

/* The stored principal of an access key (SigV4 reads it). */
static bool key_principal(struct fx *f, const char *akid, struct principal *p, char *owner,
                          size_t cap)
{
    sqlite3_stmt *s = store_stmt(f->st, "SELECT principal, owner, status FROM access_keys"
                                        " WHERE access_key_id = ?1");
    sqlite3_bind_text(s, 1, akid, -1, SQLITE_TRANSIENT);
    bool ok = sqlite3_step(s) == SQLITE_ROW &&
              principal_from_json((const char *)sqlite3_column_text(s, 0), p) == 0;
    if (ok && owner)
        snprintf(owner, cap, "%s",
                 sqlite3_column_text(s, 1) ? (const char *)sqlite3_column_text(s, 1) : "");
    sqlite3_reset(s);
    return ok;
}

TEST(iam_user_update_rename)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    create_user(&f, "alice");
    char id[32], key[32];
    snprintf(id, sizeof(id), "%s", fx_js(&f, "User.UserId"));
    create_user(&f, "carol");
    fx_call(&f, "iam", "CreateGroup", iam_create_group, "{\"GroupName\":\"devs\"}");
    fx_call(&f, "iam", "AddUserToGroup", iam_add_user_to_group,
            "{\"GroupName\":\"devs\",\"UserName\":\"alice\"}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "iam", "CreateAccessKey", iam_create_access_key, "{\"UserName\":\"alice\"}");
    snprintf(key, sizeof(key), "%s", fx_js(&f, "AccessKey.AccessKeyId"));

    CHECK_EQ_INT(fx_call(&f, "iam", "UpdateUser", iam_update_user,
                         "{\"UserName\":\"alice\",\"NewUserName\":\"carol\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "EntityAlreadyExists");
    CHECK_EQ_STR(fx_err_message(&f), "User with name carol already exists.");

    CHECK_EQ_INT(fx_call(&f, "iam", "UpdateUser", iam_update_user,
                         "{\"UserName\":\"alice\",\"NewUserName\":\"alice2\",\"NewPath\":\"/x/\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{\"UserName\":\"alice\"}"), -1);
    CHECK_EQ_STR(fx_err_message(&f), "The user with name alice cannot be found.");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{\"UserName\":\"alice2\"}"), 0);
    CHECK_EQ_STR(fx_js(&f, "User.UserId"), id);
    CHECK_EQ_STR(fx_js(&f, "User.Arn"), "arn:aws:iam::123456789012:user/x/alice2");

    /* the key follows: its principal names the new user */
    struct principal p;
    char owner[80];
    CHECK(key_principal(&f, key, &p, owner, sizeof(owner)));
    CHECK_EQ_STR(p.arn, "arn:aws:iam::123456789012:user/x/alice2");
    CHECK_EQ_STR(p.name, "alice2");
    CHECK_EQ_STR(p.user_id, id);
    CHECK_EQ_STR(owner, "alice2");
    /* and so does the membership */
    CHECK_EQ_INT(fx_call(&f, "iam", "GetGroup", iam_get_group, "{\"GroupName\":\"devs\"}"), 0);
    CHECK_EQ_STR(fx_js(&f, "Users.0.UserName"), "alice2");
    CHECK_EQ_INT(
        fx_call(&f, "iam", "ListAccessKeys", iam_list_access_keys, "{\"UserName\":\"alice2\"}"), 0);
    CHECK_EQ_STR(fx_js(&f, "AccessKeyMetadata.0.UserName"), "alice2");
    fx_close(&f);
}

TEST(iam_user_delete_conflicts_cascade)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    create_user(&f, "u");
    fx_call(&f, "iam", "CreateAccessKey", iam_create_access_key, "{\"UserName\":\"u\"}");
    char key[32];
    snprintf(key, sizeof(key), "%s", fx_js(&f, "AccessKey.AccessKeyId"));
    fx_call(&f, "iam", "PutUserPolicy", iam_put_user_policy,
            "{\"UserName\":\"u\",\"PolicyName\":\"p\",\"PolicyDocument\":"
            "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Effect\\\":"
            "\\\"Allow\\\",\\\"Action\\\":\\\"s3:*\\\",\\\"Resource\\\":\\\"*\\\"}}\"}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "iam", "AttachUserPolicy", iam_attach_user_policy,
            "{\"UserName\":\"u\",\"PolicyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "iam", "CreateGroup", iam_create_group, "{\"GroupName\":\"g\"}");
    fx_call(&f, "iam", "AddUserToGroup", iam_add_user_to_group,
            "{\"GroupName\":\"g\",\"UserName\":\"u\"}");
    CHECK_EQ_INT(f.rc, 0);

    const char *steps[][2] = {
        {"Cannot delete entity, must delete access keys first.", "DeleteAccessKey"},
        {"Cannot delete entity, must delete policies first.", "DeleteUserPolicy"},
        {"Cannot delete entity, must detach all policies first.", "DetachUserPolicy"},
        {"Cannot delete entity, must remove users from group first.", "RemoveUserFromGroup"},
    };
    for (size_t i = 0; i < 4; i++) {
        CHECK_EQ_INT(fx_call(&f, "iam", "DeleteUser", iam_delete_user, "{\"UserName\":\"u\"}"), -1);
        CHECK_EQ_STR(fx_err_code(&f), "DeleteConflict");
        CHECK_EQ_STR(fx_err_message(&f), steps[i][0]);
        CHECK_EQ_INT(f.resp.status, 409);
        switch (i) {
        case 0:
            fx_callf(&f, "iam", "DeleteAccessKey", iam_delete_access_key,
                     "{\"UserName\":\"u\",\"AccessKeyId\":\"%s\"}", key);
            break;
        case 1:
            fx_call(&f, "iam", "DeleteUserPolicy", iam_delete_user_policy,
                    "{\"UserName\":\"u\",\"PolicyName\":\"p\"}");
            break;
        case 2:
            fx_call(
                &f, "iam", "DetachUserPolicy", iam_detach_user_policy,
                "{\"UserName\":\"u\",\"PolicyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}");
            break;
        default:
            fx_call(&f, "iam", "RemoveUserFromGroup", iam_remove_user_from_group,
                    "{\"GroupName\":\"g\",\"UserName\":\"u\"}");
        }
        CHECK_EQ_INT(f.rc, 0);
    }
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteUser", iam_delete_user, "{\"UserName\":\"u\"}"), 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{\"UserName\":\"u\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");
    fx_close(&f);
}

TEST(iam_access_keys_lifecycle)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    create_user(&f, "cfn");
    char uid[32], k1[32], k2[32];
    snprintf(uid, sizeof(uid), "%s", fx_js(&f, "User.UserId"));
    CHECK_EQ_INT(
        fx_call(&f, "iam", "CreateAccessKey", iam_create_access_key, "{\"UserName\":\"cfn\"}"), 0);
    CHECK(id_ok(fx_js(&f, "AccessKey.AccessKeyId"), "AKIA", 20));
    CHECK_EQ_INT(strlen(fx_js(&f, "AccessKey.SecretAccessKey")), 40);
    CHECK_EQ_STR(fx_js(&f, "AccessKey.Status"), "Active");
    CHECK_EQ_STR(fx_js(&f, "AccessKey.UserName"), "cfn");
    snprintf(k1, sizeof(k1), "%s", fx_js(&f, "AccessKey.AccessKeyId"));

    /* SigV4 finds the key at once: stored with the user's principal */
    struct principal p;
    char owner[80];
    CHECK(key_principal(&f, k1, &p, owner, sizeof(owner)));
    CHECK_EQ_INT(p.kind, PRINCIPAL_USER);
    CHECK_EQ_STR(p.arn, "arn:aws:iam::123456789012:user/cfn");
    CHECK_EQ_STR(p.user_id, uid);
    CHECK_EQ_STR(p.name, "cfn");
    CHECK_EQ_STR(p.account, "123456789012");
    CHECK_EQ_STR(owner, "cfn");

    fx_call(&f, "iam", "CreateAccessKey", iam_create_access_key, "{\"UserName\":\"cfn\"}");
    snprintf(k2, sizeof(k2), "%s", fx_js(&f, "AccessKey.AccessKeyId"));
    CHECK(strcmp(k1, k2) != 0);
    CHECK_EQ_INT(
        fx_call(&f, "iam", "CreateAccessKey", iam_create_access_key, "{\"UserName\":\"cfn\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "LimitExceeded");
    CHECK_EQ_STR(fx_err_message(&f), "Cannot exceed quota for AccessKeysPerUser: 2");
    CHECK_EQ_INT(f.resp.status, 409);

    CHECK_EQ_INT(
        fx_call(&f, "iam", "ListAccessKeys", iam_list_access_keys, "{\"UserName\":\"cfn\"}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "AccessKeyMetadata")), 2);

    CHECK_EQ_INT(fx_callf(&f, "iam", "UpdateAccessKey", iam_update_access_key,
                          "{\"UserName\":\"cfn\",\"AccessKeyId\":\"%s\",\"Status\":\"Inactive\"}",
                          k1),
                 0);
    fx_call(&f, "iam", "ListAccessKeys", iam_list_access_keys, "{\"UserName\":\"cfn\"}");
    json_t *md = fx_jget(f.json, "AccessKeyMetadata");
    for (size_t i = 0; i < json_array_size(md); i++) {
        json_t *e = json_array_get(md, i);
        bool first = str_eq(json_string_value(json_object_get(e, "AccessKeyId")), k1);
        CHECK_EQ_STR(json_string_value(json_object_get(e, "Status")),
                     first ? "Inactive" : "Active");
    }

    CHECK_EQ_INT(fx_call(&f, "iam", "UpdateAccessKey", iam_update_access_key,
                         "{\"UserName\":\"cfn\",\"AccessKeyId\":\"AKIAIOSFODNN7EXAMPLE\","
                         "\"Status\":\"Active\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");
    CHECK_EQ_STR(fx_err_message(&f),
                 "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.");

    CHECK_EQ_INT(fx_callf(&f, "iam", "GetAccessKeyLastUsed", iam_get_access_key_last_used,
                          "{\"AccessKeyId\":\"%s\"}", k2),
                 0);
    CHECK_EQ_STR(fx_js(&f, "UserName"), "cfn");
    CHECK_EQ_STR(fx_js(&f, "AccessKeyLastUsed.ServiceName"), "N/A");
    CHECK_EQ_STR(fx_js(&f, "AccessKeyLastUsed.Region"), "N/A");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetAccessKeyLastUsed", iam_get_access_key_last_used,
                         "{\"AccessKeyId\":\"AKIAIOSFODNN7EXAMPLE\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "AccessDenied");
    CHECK_EQ_STR(fx_err_message(&f), "User: arn:aws:iam::123456789012:root is not authorized to "
                                     "perform iam:GetAccessKeyLastUsed on resource: access key "
                                     "AKIAIOSFODNN7EXAMPLE");

    CHECK_EQ_INT(fx_callf(&f, "iam", "DeleteAccessKey", iam_delete_access_key,
                          "{\"UserName\":\"cfn\",\"AccessKeyId\":\"%s\"}", k1),
                 0);
    CHECK(!key_principal(&f, k1, &p, NULL, 0));
    fx_call(&f, "iam", "ListAccessKeys", iam_list_access_keys, "{\"UserName\":\"cfn\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "AccessKeyMetadata")), 1);
    fx_close(&f);
}

TEST(iam_access_keys_of_caller)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    /* root creates its own keys: root principal, no owner */
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateAccessKey", iam_create_access_key, "{}"), 0);
    char rk[32];
    snprintf(rk, sizeof(rk), "%s", fx_js(&f, "AccessKey.AccessKeyId"));
    struct principal p;
    char owner[80];
    CHECK(key_principal(&f, rk, &p, owner, sizeof(owner)));
    CHECK_EQ_INT(p.kind, PRINCIPAL_ROOT);
    CHECK_EQ_STR(p.arn, "arn:aws:iam::123456789012:root");
    CHECK_EQ_STR(owner, "");

    create_user(&f, "cfn");
    char uid[32];
    snprintf(uid, sizeof(uid), "%s", fx_js(&f, "User.UserId"));
    fx_as_user(&f, "cfn", uid);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateAccessKey", iam_create_access_key, "{}"), 0);
    CHECK_EQ_STR(fx_js(&f, "AccessKey.UserName"), "cfn");
    CHECK_EQ_INT(fx_call(&f, "iam", "ListAccessKeys", iam_list_access_keys, "{}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "AccessKeyMetadata")), 1);
    CHECK_EQ_STR(fx_js(&f, "AccessKeyMetadata.0.UserName"), "cfn");
    /* the root's key is not the user's */
    CHECK_EQ_INT(fx_callf(&f, "iam", "DeleteAccessKey", iam_delete_access_key,
                          "{\"AccessKeyId\":\"%s\"}", rk),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");

    fx_as_role_session(&f, "ops", "AROAEXAMPLEROLE000001", "s1");
    CHECK_EQ_INT(fx_call(&f, "iam", "ListAccessKeys", iam_list_access_keys, "{}"), -1);
    CHECK_EQ_STR(fx_err_message(&f),
                 "Must specify userName when calling with non-User credentials");
    fx_close(&f);
}

TEST(iam_groups_membership)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    create_user(&f, "u1");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateGroup", iam_create_group,
                         "{\"GroupName\":\"admins\",\"Path\":\"/ops/\"}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "Group.Arn"), "arn:aws:iam::123456789012:group/ops/admins");
    CHECK(id_ok(fx_js(&f, "Group.GroupId"), "AGPA", 21));
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateGroup", iam_create_group, "{\"GroupName\":\"devs\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateGroup", iam_create_group, "{\"GroupName\":\"DEVS\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Group with name DEVS already exists.");

    CHECK_EQ_INT(fx_call(&f, "iam", "AddUserToGroup", iam_add_user_to_group,
                         "{\"GroupName\":\"devs\",\"UserName\":\"u1\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "AddUserToGroup", iam_add_user_to_group,
                         "{\"GroupName\":\"admins\",\"UserName\":\"u1\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "AddUserToGroup", iam_add_user_to_group,
                         "{\"GroupName\":\"admins\",\"UserName\":\"u1\"}"),
                 0); /* idempotent */
    CHECK_EQ_INT(
        fx_call(&f, "iam", "ListGroupsForUser", iam_list_groups_for_user, "{\"UserName\":\"u1\"}"),
        0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Groups")), 2);
    CHECK_EQ_STR(fx_js(&f, "Groups.0.GroupName"), "admins");
    CHECK_EQ_STR(fx_js(&f, "Groups.1.GroupName"), "devs");

    CHECK_EQ_INT(fx_call(&f, "iam", "GetGroup", iam_get_group, "{\"GroupName\":\"devs\"}"), 0);
    CHECK_EQ_STR(fx_js(&f, "Group.GroupName"), "devs");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Users")), 1);
    CHECK_EQ_STR(fx_js(&f, "Users.0.Arn"), "arn:aws:iam::123456789012:user/u1");

    CHECK_EQ_INT(fx_call(&f, "iam", "ListGroups", iam_list_groups, "{\"PathPrefix\":\"/ops\"}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Groups")), 1);

    CHECK_EQ_INT(fx_call(&f, "iam", "AddUserToGroup", iam_add_user_to_group,
                         "{\"GroupName\":\"nope\",\"UserName\":\"u1\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The group with name nope cannot be found.");
    CHECK_EQ_INT(fx_call(&f, "iam", "AddUserToGroup", iam_add_user_to_group,
                         "{\"GroupName\":\"devs\",\"UserName\":\"ghost\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The user with name ghost cannot be found.");

    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteGroup", iam_delete_group, "{\"GroupName\":\"devs\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "DeleteConflict");
    CHECK_EQ_STR(fx_err_message(&f), "Cannot delete entity, must remove users from group first.");
    CHECK_EQ_INT(fx_call(&f, "iam", "RemoveUserFromGroup", iam_remove_user_from_group,
                         "{\"GroupName\":\"devs\",\"UserName\":\"u1\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "RemoveUserFromGroup", iam_remove_user_from_group,
                         "{\"GroupName\":\"devs\",\"UserName\":\"u1\"}"),
                 0); /* not a member: still fine */
    fx_call(&f, "iam", "PutGroupPolicy", iam_put_group_policy,
            "{\"GroupName\":\"devs\",\"PolicyName\":\"gp\",\"PolicyDocument\":"
            "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Effect\\\":"
            "\\\"Allow\\\",\\\"Action\\\":\\\"s3:*\\\",\\\"Resource\\\":\\\"*\\\"}}\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteGroup", iam_delete_group, "{\"GroupName\":\"devs\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Cannot delete entity, must delete policies first.");
    fx_call(&f, "iam", "DeleteGroupPolicy", iam_delete_group_policy,
            "{\"GroupName\":\"devs\",\"PolicyName\":\"gp\"}");
    fx_call(&f, "iam", "AttachGroupPolicy", iam_attach_group_policy,
            "{\"GroupName\":\"devs\",\"PolicyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteGroup", iam_delete_group, "{\"GroupName\":\"devs\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Cannot delete entity, must detach all policies first.");
    fx_call(&f, "iam", "DetachGroupPolicy", iam_detach_group_policy,
            "{\"GroupName\":\"devs\",\"PolicyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteGroup", iam_delete_group, "{\"GroupName\":\"devs\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "GetGroup", iam_get_group, "{\"GroupName\":\"devs\"}"), -1);
    CHECK_EQ_STR(fx_err_message(&f), "The group with name devs cannot be found.");
    fx_close(&f);
}

TEST(iam_user_tags)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user,
                         "{\"UserName\":\"t\",\"Tags\":[{\"Key\":\"Team\",\"Value\":\"Platform\"},"
                         "{\"Key\":\"Environment\",\"Value\":\"Test\"}]}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "User.Tags")), 2);
    CHECK_EQ_INT(fx_call(&f, "iam", "ListUserTags", iam_list_user_tags, "{\"UserName\":\"t\"}"), 0);
    CHECK_EQ_STR(fx_js(&f, "Tags.0.Key"), "Environment");
    CHECK_EQ_STR(fx_js(&f, "Tags.1.Key"), "Team");
    CHECK(json_is_false(fx_jget(f.json, "IsTruncated")));

    CHECK_EQ_INT(fx_call(&f, "iam", "TagUser", iam_tag_user,
                         "{\"UserName\":\"t\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"Core\"},"
                         "{\"Key\":\"a\",\"Value\":\"\"}]}"),
                 0);
    fx_call(&f, "iam", "ListUserTags", iam_list_user_tags, "{\"UserName\":\"t\",\"MaxItems\":2}");
    CHECK_EQ_STR(fx_js(&f, "Tags.0.Key"), "Environment");
    CHECK_EQ_STR(fx_js(&f, "Tags.1.Key"), "a");
    CHECK(json_is_true(fx_jget(f.json, "IsTruncated")));
    CHECK_EQ_STR(fx_js(&f, "Marker"), "team");
    fx_call(&f, "iam", "ListUserTags", iam_list_user_tags,
            "{\"UserName\":\"t\",\"Marker\":\"team\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Tags")), 1);
    CHECK_EQ_STR(fx_js(&f, "Tags.0.Value"), "Core"); /* Team replaced regardless of case */

    CHECK_EQ_INT(fx_call(&f, "iam", "UntagUser", iam_untag_user,
                         "{\"UserName\":\"t\",\"TagKeys\":[\"TEAM\",\"missing\"]}"),
                 0);
    fx_call(&f, "iam", "ListUserTags", iam_list_user_tags, "{\"UserName\":\"t\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Tags")), 2);

    CHECK_EQ_INT(fx_call(&f, "iam", "TagUser", iam_tag_user,
                         "{\"UserName\":\"t\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"1\"},"
                         "{\"Key\":\"K\",\"Value\":\"2\"}]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInput");
    CHECK_EQ_STR(fx_err_message(&f),
                 "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    CHECK_EQ_INT(fx_call(&f, "iam", "TagUser", iam_tag_user,
                         "{\"UserName\":\"t\",\"Tags\":[{\"Key\":\"b#d\",\"Value\":\"1\"}]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_CONTAINS(fx_err_message(&f), "Value at 'tags.1.member.key' failed to satisfy");

    /* 50 tags at most on a user */
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"UserName\":\"t\",\"Tags\":[");
    for (int i = 0; i < 49; i++)
        buf_printf(&b, "%s{\"Key\":\"k%d\",\"Value\":\"v\"}", i ? "," : "", i);
    buf_puts(&b, "]}");
    CHECK_EQ_INT(fx_call(&f, "iam", "TagUser", iam_tag_user, b.p), -1);
    CHECK_EQ_STR(fx_err_code(&f), "LimitExceeded");
    CHECK_EQ_STR(fx_err_message(&f), "Cannot exceed quota for TagsPerUser: 50");
    buf_free(&b);

    CHECK_EQ_INT(fx_call(&f, "iam", "ListUserTags", iam_list_user_tags, "{\"UserName\":\"no\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The user with name no cannot be found.");
    fx_close(&f);
}

TEST(iam_users_query_xml)
{
    /* the Query protocol rendering the CLI parses */
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"cfn\"}"), 0);
    CHECK(f.out_error == NULL);
    CHECK_CONTAINS(f.body, "<CreateUserResult><User><Path>/</Path><UserName>cfn</UserName>");
    CHECK_EQ_INT(fx_call(&f, "iam", "ListUsers", iam_list_users, "{}"), 0);
    CHECK_CONTAINS(f.body, "<Users><member><Path>/</Path><UserName>cfn</UserName>");
    CHECK_CONTAINS(f.body, "<IsTruncated>false</IsTruncated>");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetUser", iam_get_user, "{\"UserName\":\"x\"}"), -1);
    CHECK_CONTAINS(f.body, "<Code>NoSuchEntity</Code>");
    CHECK_EQ_INT(f.resp.status, 404);
    fx_close(&f);
}

TEST(iam_user_permissions_boundary)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user,
                         "{\"UserName\":\"b\",\"PermissionsBoundary\":"
                         "\"arn:aws:iam::123456789012:not_a_policy/invalid\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInput");
    CHECK_EQ_STR(fx_err_message(&f),
                 "ARN arn:aws:iam::123456789012:not_a_policy/invalid is not valid.");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user,
                         "{\"UserName\":\"b\",\"PermissionsBoundary\":"
                         "\"arn:aws:iam::123456789012:policy/nonexistent-policy\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");
    CHECK_EQ_STR(fx_err_message(&f), "Scope ARN: arn:aws:iam::123456789012:policy/"
                                     "nonexistent-policy does not exist or is not attachable.");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user,
                         "{\"UserName\":\"b\",\"PermissionsBoundary\":"
                         "\"arn:aws:iam::aws:policy/PowerUserAccess\"}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "User.PermissionsBoundary.PermissionsBoundaryArn"),
                 "arn:aws:iam::aws:policy/PowerUserAccess");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetPolicy", iam_get_policy,
                         "{\"PolicyArn\":\"arn:aws:iam::aws:policy/PowerUserAccess\"}"),
                 0);
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Policy.PermissionsBoundaryUsageCount")), 1);
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Policy.AttachmentCount")), 0);
    fx_close(&f);
}

TEST(iam_user_name_validation)
{
    /* through the wire validator, as dispatch runs it */
    struct fx f;
    fx_open_json(&f, FX_T0);
    f.validate = true;
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"bad name!\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_EQ_STR(fx_err_message(&f),
                 "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user,
                         "{\"UserName\":\"a123456789a123456789a123456789a123456789a123456789"
                         "a123456789abcde\"}"),
                 -1);
    CHECK_CONTAINS(fx_err_message(&f), "Member must have length less than or equal to 64");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"ok.name@x\"}"),
                 0);
    fx_close(&f);
}
