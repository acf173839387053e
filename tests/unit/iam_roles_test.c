/* iam_roles_test.c — IAM roles, trust policies, role tags, instance profiles and
 * service-linked roles through the fixture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "svc/iam/iam.h"
#include "svc_fixture.h"

/* A trust policy for ec2.amazonaws.com, escaped for a JSON string member. */
#define EC2_TRUST                                                                                  \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","        \
    "\\\"Principal\\\":{\\\"Service\\\":\\\"ec2.amazonaws.com\\\"},"                               \
    "\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}"
#define EC2_TRUST_RAW                                                                              \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"              \
    "{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
#define ALLOW_S3                                                                                   \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\","         \
    "\\\"Action\\\":\\\"s3:*\\\",\\\"Resource\\\":\\\"*\\\"}}"

static int create_role(struct fx *f, const char *name, const char *extra)
{
    return fx_callf(f, "iam", "CreateRole", iam_create_role,
                    "{\"RoleName\":\"%s\",\"AssumeRolePolicyDocument\":\"" EC2_TRUST "\"%s}", name,
                    extra ? extra : "");
}

/* Decodes a %XX-encoded string (as botocore does) into a heap string. */
static char *urldecode(const char *s)
{
    char *out = malloc(strlen(s) + 1), *p = out;
    for (; *s; s++) {
        if (*s == '%' && s[1] && s[2]) {
            char hex[3] = {s[1], s[2], 0};
            *p++ = (char)strtol(hex, NULL, 16);
            s += 2;
        } else {
            *p++ = *s;
        }
    }
    *p = 0;
    return out;
}

TEST(iam_role_create_get)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(create_role(&f, "app", ",\"Path\":\"/svc/\",\"Description\":\"the app\""), 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_STR(fx_js(&f, "Role.Arn"), "arn:aws:iam::123456789012:role/svc/app");
    CHECK_EQ_STR(fx_js(&f, "Role.Path"), "/svc/");
    const char *id = fx_js(&f, "Role.RoleId");
    CHECK(id && strlen(id) == 21 && strncmp(id, "AROA", 4) == 0);
    /* CreateRole echoes neither MaxSessionDuration nor Description [snap] */
    CHECK(fx_jget(f.json, "Role.MaxSessionDuration") == NULL);
    CHECK(fx_jget(f.json, "Role.RoleLastUsed") == NULL);
    char *doc = urldecode(fx_js(&f, "Role.AssumeRolePolicyDocument"));
    CHECK_EQ_STR(doc, EC2_TRUST_RAW);
    free(doc);

    CHECK_EQ_INT(fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"APP\"}"), 0);
    CHECK_EQ_STR(fx_js(&f, "Role.RoleName"), "app");
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Role.MaxSessionDuration")), 3600);
    CHECK_EQ_STR(fx_js(&f, "Role.Description"), "the app");
    CHECK(json_is_object(fx_jget(f.json, "Role.RoleLastUsed")));
    CHECK_EQ_INT(json_object_size(fx_jget(f.json, "Role.RoleLastUsed")), 0);

    CHECK_EQ_INT(create_role(&f, "App", NULL), -1);
    CHECK_EQ_STR(fx_err_code(&f), "EntityAlreadyExists");
    CHECK_EQ_STR(fx_err_message(&f), "Role with name App already exists.");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"none\"}"), -1);
    CHECK_EQ_STR(fx_err_message(&f), "The role with name none cannot be found.");

    /* the Query XML carries the document URL-encoded */
    f.proto = 0;
    CHECK_EQ_INT(fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"app\"}"), 0);
    CHECK_CONTAINS(f.body, "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C");
    CHECK_CONTAINS(f.body, "<MaxSessionDuration>3600</MaxSessionDuration>");
    CHECK_CONTAINS(f.body, "<RoleLastUsed></RoleLastUsed>");
    fx_close(&f);
}

TEST(iam_role_trust_policy_errors)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateRole", iam_create_role,
                         "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"{not json\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "MalformedPolicyDocument");
    CHECK_EQ_STR(fx_err_message(&f), "This policy contains invalid Json");
    CHECK_EQ_INT(f.resp.status, 400);

    CHECK_EQ_INT(fx_call(&f, "iam", "CreateRole", iam_create_role,
                         "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"{\\\"Version\\\":"
                         "\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
                         "\\\"Principal\\\":{\\\"Service\\\":\\\"ec2.amazonaws.com\\\"},"
                         "\\\"Action\\\":\\\"sts:AssumeRole\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Has prohibited field Resource");

    CHECK_EQ_INT(fx_call(&f, "iam", "CreateRole", iam_create_role,
                         "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"{\\\"Version\\\":"
                         "\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
                         "\\\"Principal\\\":{\\\"Service\\\":\\\"ec2.amazonaws.com\\\"},"
                         "\\\"Action\\\":\\\"s3:GetObject\\\"}]}\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "AssumeRole policy may only specify STS AssumeRole actions.");

    /* an IAM user of this account named as principal must exist */
    const char *user_trust =
        "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"{\\\"Version\\\":"
        "\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
        "\\\"Principal\\\":{\\\"AWS\\\":\\\"arn:aws:iam::123456789012:user/cfn\\\"},"
        "\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"}";
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateRole", iam_create_role, user_trust), -1);
    CHECK_EQ_STR(fx_err_code(&f), "MalformedPolicyDocument");
    CHECK_EQ_STR(fx_err_message(&f),
                 "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:user/cfn\"");
    fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"cfn\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateRole", iam_create_role, user_trust), 0);

    /* ACLSizePerRole: 2048 non-whitespace characters */
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"RoleName\":\"big\",\"AssumeRolePolicyDocument\":\"{\\\"Version\\\":"
                 "\\\"2012-10-17\\\",\\\"Statement\\\":[");
    for (int i = 0; i < 30; i++)
        buf_printf(&b,
                   "%s{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
                   "\\\"ec2.amazonaws.com\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}",
                   i ? "," : "");
    buf_puts(&b, "]}\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateRole", iam_create_role, b.p), -1);
    CHECK_EQ_STR(fx_err_code(&f), "LimitExceeded");
    CHECK_EQ_STR(fx_err_message(&f), "Cannot exceed quota for ACLSizePerRole: 2048");
    CHECK_EQ_INT(f.resp.status, 409);
    buf_free(&b);
    fx_close(&f);
}

TEST(iam_role_max_session_and_update)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    f.validate = true; /* the range is the model's, checked by wire_validate */
    CHECK_EQ_INT(create_role(&f, "r", ",\"MaxSessionDuration\":100"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_EQ_STR(fx_err_message(&f),
                 "1 validation error detected: Value '100' at 'maxSessionDuration' failed to "
                 "satisfy constraint: Member must have value greater than or equal to 3600");
    CHECK_EQ_INT(create_role(&f, "r", ",\"MaxSessionDuration\":50000"), -1);
    CHECK_CONTAINS(fx_err_message(&f), "Member must have value less than or equal to 43200");
    CHECK_EQ_INT(create_role(&f, "r", ",\"MaxSessionDuration\":7200"), 0);
    fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"r\"}");
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Role.MaxSessionDuration")), 7200);
    CHECK(fx_jget(f.json, "Role.Description") == NULL);

    CHECK_EQ_INT(fx_call(&f, "iam", "UpdateRole", iam_update_role,
                         "{\"RoleName\":\"r\",\"Description\":\"updated\"}"),
                 0);
    fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"r\"}");
    CHECK_EQ_STR(fx_js(&f, "Role.Description"), "updated");
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Role.MaxSessionDuration")), 7200);
    CHECK_EQ_INT(fx_call(&f, "iam", "UpdateRole", iam_update_role,
                         "{\"RoleName\":\"r\",\"MaxSessionDuration\":43200}"),
                 0);
    fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"r\"}");
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Role.MaxSessionDuration")), 43200);
    CHECK_EQ_STR(fx_js(&f, "Role.Description"), "updated");

    /* iam_role_get (STS reads it) sees the change */
    struct arena *a = arena_new();
    struct iam_role r;
    CHECK_EQ_INT(iam_role_get(f.st, a, "R", &r), 0);
    CHECK_EQ_INT(r.max_session_s, 43200);
    CHECK_EQ_STR(r.name, "r");
    CHECK(r.service_linked_to == NULL);
    CHECK_EQ_STR(r.trust_policy, EC2_TRUST_RAW);
    CHECK_EQ_INT(iam_role_get_by_arn(f.st, a, "arn:aws:iam::123456789012:role/r", &r), 0);
    CHECK_EQ_INT(iam_role_get_by_arn(f.st, a, "arn:aws:iam::123456789012:role/x/r", &r), 1);
    CHECK_EQ_INT(iam_role_get(f.st, a, "nope", &r), 1);
    arena_free(a);

    CHECK_EQ_INT(fx_call(&f, "iam", "UpdateAssumeRolePolicy", iam_update_assume_role_policy,
                         "{\"RoleName\":\"r\",\"PolicyDocument\":\"[]\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "MalformedPolicyDocument");
    CHECK_EQ_INT(fx_call(&f, "iam", "UpdateAssumeRolePolicy", iam_update_assume_role_policy,
                         "{\"RoleName\":\"r\",\"PolicyDocument\":\"{\\\"Version\\\":"
                         "\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
                         "\\\"Principal\\\":{\\\"AWS\\\":\\\"123456789012\\\"},"
                         "\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"}"),
                 0);
    fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"r\"}");
    char *doc = urldecode(fx_js(&f, "Role.AssumeRolePolicyDocument"));
    CHECK_CONTAINS(doc, "\"AWS\":\"123456789012\"");
    free(doc);
    CHECK_EQ_INT(fx_call(&f, "iam", "UpdateRole", iam_update_role,
                         "{\"RoleName\":\"zz\",\"Description\":\"x\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The role with name zz cannot be found.");
    fx_close(&f);
}

TEST(iam_role_list_paging_prefix)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    create_role(&f, "b", NULL);
    create_role(&f, "a", ",\"Path\":\"/team/\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]");
    create_role(&f, "c", NULL);
    CHECK_EQ_INT(fx_call(&f, "iam", "ListRoles", iam_list_roles, "{\"MaxItems\":2}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Roles")), 2);
    CHECK_EQ_STR(fx_js(&f, "Roles.0.RoleName"), "a");
    CHECK_EQ_STR(fx_js(&f, "Roles.1.RoleName"), "b");
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Roles.0.MaxSessionDuration")), 3600);
    CHECK(fx_jget(f.json, "Roles.0.Tags") == NULL); /* ListRoles has no tags [snap] */
    CHECK(fx_jget(f.json, "Roles.0.RoleLastUsed") == NULL);
    CHECK(json_is_true(fx_jget(f.json, "IsTruncated")));
    CHECK_EQ_STR(fx_js(&f, "Marker"), "c");
    fx_call(&f, "iam", "ListRoles", iam_list_roles, "{\"Marker\":\"c\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Roles")), 1);
    CHECK_EQ_STR(fx_js(&f, "Roles.0.RoleName"), "c");
    fx_call(&f, "iam", "ListRoles", iam_list_roles, "{\"PathPrefix\":\"/team/\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Roles")), 1);
    CHECK_EQ_STR(fx_js(&f, "Roles.0.Arn"), "arn:aws:iam::123456789012:role/team/a");
    fx_call(&f, "iam", "ListRoles", iam_list_roles, "{\"PathPrefix\":\"/none/\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Roles")), 0);
    fx_close(&f);
}

TEST(iam_role_delete_conflicts)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    create_role(&f, "r", NULL);
    fx_call(&f, "iam", "PutRolePolicy", iam_put_role_policy,
            "{\"RoleName\":\"r\",\"PolicyName\":\"p\",\"PolicyDocument\":\"" ALLOW_S3 "\"}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "iam", "AttachRolePolicy", iam_attach_role_policy,
            "{\"RoleName\":\"r\",\"PolicyArn\":\"arn:aws:iam::aws:policy/PowerUserAccess\"}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "iam", "CreateInstanceProfile", iam_create_instance_profile,
            "{\"InstanceProfileName\":\"ip\"}");
    fx_call(&f, "iam", "AddRoleToInstanceProfile", iam_add_role_to_instance_profile,
            "{\"InstanceProfileName\":\"ip\",\"RoleName\":\"r\"}");
    CHECK_EQ_INT(f.rc, 0);

    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteRole", iam_delete_role, "{\"RoleName\":\"r\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "DeleteConflict");
    CHECK_EQ_STR(fx_err_message(&f), "Cannot delete entity, must delete policies first.");
    fx_call(&f, "iam", "DeleteRolePolicy", iam_delete_role_policy,
            "{\"RoleName\":\"r\",\"PolicyName\":\"p\"}");
    CHECK_EQ_INT(f.rc, 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteRole", iam_delete_role, "{\"RoleName\":\"r\"}"), -1);
    CHECK_EQ_STR(fx_err_message(&f), "Cannot delete entity, must detach all policies first.");
    fx_call(&f, "iam", "DetachRolePolicy", iam_detach_role_policy,
            "{\"RoleName\":\"r\",\"PolicyArn\":\"arn:aws:iam::aws:policy/PowerUserAccess\"}");
    CHECK_EQ_INT(f.rc, 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteRole", iam_delete_role, "{\"RoleName\":\"r\"}"), -1);
    CHECK_EQ_STR(fx_err_message(&f),
                 "Cannot delete entity, must remove roles from instance profile first.");
    fx_call(&f, "iam", "RemoveRoleFromInstanceProfile", iam_remove_role_from_instance_profile,
            "{\"InstanceProfileName\":\"ip\",\"RoleName\":\"r\"}");
    CHECK_EQ_INT(f.rc, 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteRole", iam_delete_role, "{\"RoleName\":\"r\"}"), 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteRole", iam_delete_role, "{\"RoleName\":\"r\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");
    fx_close(&f);
}

TEST(iam_role_tags)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    create_role(&f, "r", ",\"Tags\":[{\"Key\":\"emptykey\",\"Value\":\"\"}]");
    CHECK_EQ_STR(fx_js(&f, "Role.Tags.0.Key"), "emptykey");
    CHECK_EQ_STR(fx_js(&f, "Role.Tags.0.Value"), "");
    fx_call(&f, "iam", "TagRole", iam_tag_role,
            "{\"RoleName\":\"r\",\"Tags\":[{\"Key\":\"somekey\",\"Value\":\"v1\"}]}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "iam", "TagRole", iam_tag_role,
            "{\"RoleName\":\"r\",\"Tags\":[{\"Key\":\"somekey\",\"Value\":\"v2\"}]}");
    fx_call(&f, "iam", "ListRoleTags", iam_list_role_tags, "{\"RoleName\":\"r\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Tags")), 2);
    CHECK_EQ_STR(fx_js(&f, "Tags.1.Value"), "v2");
    fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"r\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Role.Tags")), 2);
    fx_call(&f, "iam", "UntagRole", iam_untag_role,
            "{\"RoleName\":\"r\",\"TagKeys\":[\"emptykey\",\"somekey\"]}");
    CHECK_EQ_INT(f.rc, 0);
    fx_call(&f, "iam", "ListRoleTags", iam_list_role_tags, "{\"RoleName\":\"r\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Tags")), 0);
    fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"r\"}");
    CHECK(fx_jget(f.json, "Role.Tags") == NULL);
    CHECK_EQ_INT(fx_call(&f, "iam", "UntagRole", iam_untag_role,
                         "{\"RoleName\":\"r\",\"TagKeys\":[\"bad#key\"]}"),
                 -1);
    CHECK_CONTAINS(fx_err_message(&f), "Value at 'tagKeys' failed to satisfy constraint: Member "
                                       "must satisfy constraint: [Member must have length");
    CHECK_EQ_INT(fx_call(&f, "iam", "TagRole", iam_tag_role,
                         "{\"RoleName\":\"nope\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"b\"}]}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The role with name nope cannot be found.");
    fx_close(&f);
}

TEST(iam_instance_profiles)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateInstanceProfile", iam_create_instance_profile,
                         "{\"InstanceProfileName\":\"web\",\"Path\":\"/p/\"}"),
                 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_STR(fx_js(&f, "InstanceProfile.Arn"), "arn:aws:iam::123456789012:instance-profile/p/web");
    const char *pid = fx_js(&f, "InstanceProfile.InstanceProfileId");
    CHECK(pid && strlen(pid) == 21 && strncmp(pid, "AIPA", 4) == 0);
    CHECK(json_is_array(fx_jget(f.json, "InstanceProfile.Roles")));
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "InstanceProfile.Roles")), 0);
    CHECK(fx_jget(f.json, "InstanceProfile.Tags") == NULL);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateInstanceProfile", iam_create_instance_profile,
                         "{\"InstanceProfileName\":\"WEB\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Instance Profile WEB already exists.");

    fx_call(&f, "iam", "GetInstanceProfile", iam_get_instance_profile,
            "{\"InstanceProfileName\":\"web\"}");
    CHECK(json_is_array(fx_jget(f.json, "InstanceProfile.Tags"))); /* always on Get [snap] */

    create_role(&f, "r1", NULL);
    create_role(&f, "r2", NULL);
    CHECK_EQ_INT(fx_call(&f, "iam", "AddRoleToInstanceProfile", iam_add_role_to_instance_profile,
                         "{\"InstanceProfileName\":\"web\",\"RoleName\":\"r1\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "AddRoleToInstanceProfile", iam_add_role_to_instance_profile,
                         "{\"InstanceProfileName\":\"web\",\"RoleName\":\"r2\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "LimitExceeded");
    CHECK_EQ_STR(fx_err_message(&f),
                 "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    CHECK_EQ_INT(fx_call(&f, "iam", "AddRoleToInstanceProfile", iam_add_role_to_instance_profile,
                         "{\"InstanceProfileName\":\"none\",\"RoleName\":\"r2\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Instance Profile none cannot be found.");

    fx_call(&f, "iam", "GetInstanceProfile", iam_get_instance_profile,
            "{\"InstanceProfileName\":\"web\"}");
    CHECK_EQ_STR(fx_js(&f, "InstanceProfile.Roles.0.RoleName"), "r1");
    char *doc = urldecode(fx_js(&f, "InstanceProfile.Roles.0.AssumeRolePolicyDocument"));
    CHECK_EQ_STR(doc, EC2_TRUST_RAW);
    free(doc);
    CHECK(fx_jget(f.json, "InstanceProfile.Roles.0.MaxSessionDuration") == NULL);

    /* the lookup EC2 uses, by name and by ARN */
    struct arena *a = arena_new();
    struct iam_instance_profile ip;
    CHECK_EQ_INT(iam_instance_profile_get(f.st, a, "web", &ip), 0);
    CHECK_EQ_STR(ip.role_name, "r1");
    CHECK_EQ_INT(
        iam_instance_profile_get(f.st, a, "arn:aws:iam::123456789012:instance-profile/p/web", &ip),
        0);
    CHECK_EQ_INT(
        iam_instance_profile_get(f.st, a, "arn:aws:iam::123456789012:instance-profile/web", &ip),
        1);
    arena_free(a);

    fx_call(&f, "iam", "CreateInstanceProfile", iam_create_instance_profile,
            "{\"InstanceProfileName\":\"other\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}");
    CHECK_EQ_STR(fx_js(&f, "InstanceProfile.Tags.0.Key"), "k");
    fx_call(&f, "iam", "ListInstanceProfilesForRole", iam_list_instance_profiles_for_role,
            "{\"RoleName\":\"r1\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "InstanceProfiles")), 1);
    CHECK_EQ_STR(fx_js(&f, "InstanceProfiles.0.InstanceProfileName"), "web");
    fx_call(&f, "iam", "ListInstanceProfiles", iam_list_instance_profiles, "{}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "InstanceProfiles")), 2);
    CHECK_EQ_STR(fx_js(&f, "InstanceProfiles.0.InstanceProfileName"), "other");
    CHECK(fx_jget(f.json, "InstanceProfiles.0.Tags") == NULL);
    fx_call(&f, "iam", "ListInstanceProfiles", iam_list_instance_profiles,
            "{\"PathPrefix\":\"/p/\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "InstanceProfiles")), 1);

    CHECK_EQ_INT(fx_call(&f, "iam", "RemoveRoleFromInstanceProfile",
                         iam_remove_role_from_instance_profile,
                         "{\"InstanceProfileName\":\"web\",\"RoleName\":\"r2\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Role r2 in Instance Profile web cannot be found.");
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteInstanceProfile", iam_delete_instance_profile,
                         "{\"InstanceProfileName\":\"web\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "DeleteConflict");
    CHECK_EQ_STR(fx_err_message(&f),
                 "Cannot delete entity, must remove roles from instance profile first.");
    fx_call(&f, "iam", "RemoveRoleFromInstanceProfile", iam_remove_role_from_instance_profile,
            "{\"InstanceProfileName\":\"web\",\"RoleName\":\"r1\"}");
    CHECK_EQ_INT(f.rc, 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteInstanceProfile", iam_delete_instance_profile,
                         "{\"InstanceProfileName\":\"web\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "iam", "GetInstanceProfile", iam_get_instance_profile,
                         "{\"InstanceProfileName\":\"web\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Instance Profile web cannot be found.");
    fx_close(&f);
}

TEST(iam_service_linked_role)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateServiceLinkedRole", iam_create_service_linked_role,
                         "{\"AWSServiceName\":\"events.amazonaws.com\"}"),
                 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_STR(fx_js(&f, "Role.RoleName"), "AWSServiceRoleForCloudWatchEvents");
    CHECK_EQ_STR(fx_js(&f, "Role.Path"), "/aws-service-role/events.amazonaws.com/");
    CHECK_EQ_STR(fx_js(&f, "Role.Arn"), "arn:aws:iam::123456789012:role/aws-service-role/"
                                     "events.amazonaws.com/AWSServiceRoleForCloudWatchEvents");
    char *doc = urldecode(fx_js(&f, "Role.AssumeRolePolicyDocument"));
    CHECK_CONTAINS(doc, "\"Principal\":{\"Service\":\"events.amazonaws.com\"}");
    free(doc);

    fx_call(&f, "iam", "ListAttachedRolePolicies", iam_list_attached_role_policies,
            "{\"RoleName\":\"AWSServiceRoleForCloudWatchEvents\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "AttachedPolicies")), 1);
    CHECK_EQ_STR(fx_js(&f, "AttachedPolicies.0.PolicyArn"),
                 "arn:aws:iam::aws:policy/aws-service-role/CloudWatchEventsServiceRolePolicy");
    CHECK_EQ_STR(fx_js(&f, "AttachedPolicies.0.PolicyName"), "CloudWatchEventsServiceRolePolicy");

    struct arena *a = arena_new();
    struct iam_role r;
    CHECK_EQ_INT(iam_role_get(f.st, a, "AWSServiceRoleForCloudWatchEvents", &r), 0);
    CHECK_EQ_STR(r.service_linked_to, "events.amazonaws.com");
    arena_free(a);

    CHECK_EQ_INT(fx_call(&f, "iam", "CreateServiceLinkedRole", iam_create_service_linked_role,
                         "{\"AWSServiceName\":\"events.amazonaws.com\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInput");
    CHECK_EQ_STR(fx_err_message(&f), "Service role name AWSServiceRoleForCloudWatchEvents has "
                                     "been taken in this account, please try a different suffix.");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreateServiceLinkedRole", iam_create_service_linked_role,
                         "{\"AWSServiceName\":\"nosuch.amazonaws.com\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInput");

    /* protected from customer changes */
    CHECK_EQ_INT(fx_call(&f, "iam", "PutRolePolicy", iam_put_role_policy,
                         "{\"RoleName\":\"AWSServiceRoleForCloudWatchEvents\",\"PolicyName\":"
                         "\"p\",\"PolicyDocument\":\"" ALLOW_S3 "\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "UnmodifiableEntity");
    CHECK_EQ_STR(fx_err_message(&f),
                 "Cannot perform the operation on the protected role "
                 "'AWSServiceRoleForCloudWatchEvents' - this role is only modifiable by AWS");
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteRole", iam_delete_role,
                         "{\"RoleName\":\"AWSServiceRoleForCloudWatchEvents\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "UnmodifiableEntity");
    fx_close(&f);
}

TEST(iam_resource_arns)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"u\",\"Path\":\"/a/\"}");
    create_role(&f, "r", NULL);
    struct arena *a = arena_new();
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = a;
    c.st = f.st;
    c.account = FX_ACCOUNT;
    c.who = f.who;
    json_t *in = json_pack("{s:s}", "UserName", "u");
    CHECK_EQ_STR(iam_res_user(&c, in), "arn:aws:iam::123456789012:user/a/u");
    json_decref(in);
    in = json_pack("{s:s, s:s}", "UserName", "new", "Path", "/p/");
    CHECK_EQ_STR(iam_res_user(&c, in), "arn:aws:iam::123456789012:user/p/new");
    json_decref(in);
    in = json_pack("{}");
    CHECK_EQ_STR(iam_res_user_list(&c, in), "arn:aws:iam::123456789012:user/");
    CHECK(iam_res_user(&c, in) == NULL); /* root, no name */
    json_decref(in);
    in = json_pack("{s:s}", "RoleName", "R");
    CHECK_EQ_STR(iam_res_role(&c, in), "arn:aws:iam::123456789012:role/r");
    json_decref(in);
    in = json_pack("{s:s}", "AWSServiceName", "events.amazonaws.com");
    CHECK_EQ_STR(iam_res_service_linked_role(&c, in),
                 "arn:aws:iam::123456789012:role/aws-service-role/events.amazonaws.com/"
                 "AWSServiceRoleForCloudWatchEvents");
    json_decref(in);
    in = json_pack("{s:s, s:s}", "PolicyName", "pol", "Path", "/x/");
    CHECK_EQ_STR(iam_res_policy_new(&c, in), "arn:aws:iam::123456789012:policy/x/pol");
    json_decref(in);
    arena_free(a);
    fx_close(&f);
}

TEST(iam_note_use_last_used)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    create_role(&f, "ops", NULL);
    char rid[32];
    snprintf(rid, sizeof(rid), "%s", fx_js(&f, "Role.RoleId"));
    fx_call(&f, "iam", "CreateUser", iam_create_user, "{\"UserName\":\"u\"}");
    fx_call(&f, "iam", "CreateAccessKey", iam_create_access_key, "{\"UserName\":\"u\"}");
    char key[32];
    snprintf(key, sizeof(key), "%s", fx_js(&f, "AccessKey.AccessKeyId"));

    struct principal p;
    memset(&p, 0, sizeof(p));
    p.kind = PRINCIPAL_USER;
    snprintf(p.access_key_id, sizeof(p.access_key_id), "%s", key);
    CHECK_EQ_INT(iam_note_use(f.st, &p, "iam", "us-east-1", FX_T0 + 5000), 0);
    fx_callf(&f, "iam", "GetAccessKeyLastUsed", iam_get_access_key_last_used,
             "{\"AccessKeyId\":\"%s\"}", key);
    CHECK_EQ_STR(fx_js(&f, "AccessKeyLastUsed.ServiceName"), "iam");
    CHECK_EQ_STR(fx_js(&f, "AccessKeyLastUsed.Region"), "us-east-1");
    CHECK(json_number_value(fx_jget(f.json, "AccessKeyLastUsed.LastUsedDate")) ==
          (FX_T0 + 5000) / 1000.0);

    fx_as_role_session(&f, "ops", rid, "s1");
    CHECK_EQ_INT(iam_note_use(f.st, &f.who, "monitoring", "eu-west-1", FX_T0 + 7000), 0);
    fx_as_root(&f);
    fx_call(&f, "iam", "GetRole", iam_get_role, "{\"RoleName\":\"ops\"}");
    CHECK_EQ_STR(fx_js(&f, "Role.RoleLastUsed.Region"), "eu-west-1");
    CHECK(json_number_value(fx_jget(f.json, "Role.RoleLastUsed.LastUsedDate")) ==
          (FX_T0 + 7000) / 1000.0);
    fx_close(&f);
}
