/* iam_policies_test.c — inline policies, customer and AWS managed policies, versions,
 * attachments, and iam_identity_policies() (what authorization evaluates). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/managed_policies.h"
#include "auth/policy.h"
#include "harness.h"
#include "svc/iam/iam.h"
#include "svc_fixture.h"

static char *urldecode(const char *s)
{
    char *out = malloc(strlen(s ? s : "") + 1), *p = out;
    for (; s && *s; s++) {
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

/* An identity policy allowing ACTION on *, escaped for a JSON string member. */
#define ALLOW(action)                                                                              \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Sid\\\":\\\"S1\\\","               \
    "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"" action "\\\",\\\"Resource\\\":\\\"*\\\"}}"
#define EC2_TRUST                                                                                  \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","        \
    "\\\"Principal\\\":{\\\"Service\\\":\\\"ec2.amazonaws.com\\\"},"                               \
    "\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}"

static void ok(struct fx *f, const char *op, op_handler *fn, const char *in)
{
    fx_call(f, "iam", op, fn, in);
    if (f->rc)
        harness_fail(__FILE__, __LINE__, "%s failed: %s %s", op,
                     fx_err_code(f) ? fx_err_code(f) : "",
                     fx_err_message(f) ? fx_err_message(f) : "");
}

TEST(iam_inline_user_policy)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    ok(&f, "CreateUser", iam_create_user, "{\"UserName\":\"u\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "PutUserPolicy", iam_put_user_policy,
                         "{\"UserName\":\"u\",\"PolicyName\":\"p1\",\"PolicyDocument\":\"" ALLOW(
                             "iam:ListUsers") "\"}"),
                 0);
    ok(&f, "PutUserPolicy", iam_put_user_policy,
       "{\"UserName\":\"u\",\"PolicyName\":\"p0\",\"PolicyDocument\":\"" ALLOW("s3:*") "\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetUserPolicy", iam_get_user_policy,
                         "{\"UserName\":\"U\",\"PolicyName\":\"P1\"}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "UserName"), "u");
    CHECK_EQ_STR(fx_js(&f, "PolicyName"), "p1");
    char *doc = urldecode(fx_js(&f, "PolicyDocument"));
    CHECK_CONTAINS(doc, "\"Action\":\"iam:ListUsers\"");
    free(doc);
    CHECK(strchr(fx_js(&f, "PolicyDocument"), '{') == NULL); /* URL-encoded on the wire */

    ok(&f, "ListUserPolicies", iam_list_user_policies, "{\"UserName\":\"u\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "PolicyNames")), 2);
    CHECK_EQ_STR(fx_js(&f, "PolicyNames.0"), "p0");
    ok(&f, "ListUserPolicies", iam_list_user_policies, "{\"UserName\":\"u\",\"MaxItems\":1}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "PolicyNames")), 1);
    CHECK_EQ_STR(fx_js(&f, "Marker"), "p1");

    /* replacing a policy keeps one copy */
    ok(&f, "PutUserPolicy", iam_put_user_policy,
       "{\"UserName\":\"u\",\"PolicyName\":\"p1\",\"PolicyDocument\":\"" ALLOW("ec2:*") "\"}");
    ok(&f, "ListUserPolicies", iam_list_user_policies, "{\"UserName\":\"u\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "PolicyNames")), 2);

    CHECK_EQ_INT(fx_call(&f, "iam", "PutUserPolicy", iam_put_user_policy,
                         "{\"UserName\":\"u\",\"PolicyName\":\"bad\",\"PolicyDocument\":"
                         "\"{\\\"Statement\\\":\\\"nope\\\"}\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "MalformedPolicyDocument");
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_EQ_INT(fx_call(&f, "iam", "PutUserPolicy", iam_put_user_policy,
                         "{\"UserName\":\"ghost\",\"PolicyName\":\"p\",\"PolicyDocument\":\"" ALLOW(
                             "s3:*") "\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The user with name ghost cannot be found.");

    /* 2048 non-whitespace characters for all of a user's inline policies together */
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"UserName\":\"u\",\"PolicyName\":\"big\",\"PolicyDocument\":\"{\\\"Version\\\":"
                 "\\\"2012-10-17\\\",\\\"Statement\\\":[");
    for (int i = 0; i < 25; i++)
        buf_printf(&b,
                   "%s{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject\\\","
                   "\\\"Resource\\\":\\\"arn:aws:s3:::bucket-%02d/*\\\"}",
                   i ? "," : "", i);
    buf_puts(&b, "]}\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "PutUserPolicy", iam_put_user_policy, b.p), -1);
    CHECK_EQ_STR(fx_err_code(&f), "LimitExceeded");
    CHECK_EQ_STR(fx_err_message(&f), "Maximum policy size of 2048 bytes exceeded for user u");
    buf_free(&b);

    CHECK_EQ_INT(fx_call(&f, "iam", "GetUserPolicy", iam_get_user_policy,
                         "{\"UserName\":\"u\",\"PolicyName\":\"zz\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The user policy with name zz cannot be found.");
    ok(&f, "DeleteUserPolicy", iam_delete_user_policy,
       "{\"UserName\":\"u\",\"PolicyName\":\"p1\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "DeleteUserPolicy", iam_delete_user_policy,
                         "{\"UserName\":\"u\",\"PolicyName\":\"p1\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");
    CHECK_EQ_STR(fx_err_message(&f), "The user policy with name p1 cannot be found.");

    /* the Query XML form */
    f.proto = 0;
    ok(&f, "GetUserPolicy", iam_get_user_policy, "{\"UserName\":\"u\",\"PolicyName\":\"p0\"}");
    CHECK_CONTAINS(f.body, "<PolicyDocument>%7B%22Version%22%3A%222012-10-17%22");
    fx_close(&f);
}

TEST(iam_inline_group_and_role_policies)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    ok(&f, "CreateGroup", iam_create_group, "{\"GroupName\":\"g\"}");
    ok(&f, "CreateRole", iam_create_role,
       "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"" EC2_TRUST "\"}");
    ok(&f, "PutGroupPolicy", iam_put_group_policy,
       "{\"GroupName\":\"g\",\"PolicyName\":\"gp\",\"PolicyDocument\":\"" ALLOW("s3:*") "\"}");
    ok(&f, "GetGroupPolicy", iam_get_group_policy, "{\"GroupName\":\"g\",\"PolicyName\":\"gp\"}");
    CHECK_EQ_STR(fx_js(&f, "GroupName"), "g");
    ok(&f, "ListGroupPolicies", iam_list_group_policies, "{\"GroupName\":\"g\"}");
    CHECK_EQ_STR(fx_js(&f, "PolicyNames.0"), "gp");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetGroupPolicy", iam_get_group_policy,
                         "{\"GroupName\":\"g\",\"PolicyName\":\"x\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The group policy with name x cannot be found.");

    ok(&f, "PutRolePolicy", iam_put_role_policy,
       "{\"RoleName\":\"r\",\"PolicyName\":\"rp\",\"PolicyDocument\":\"" ALLOW("ec2:*") "\"}");
    ok(&f, "GetRolePolicy", iam_get_role_policy, "{\"RoleName\":\"r\",\"PolicyName\":\"rp\"}");
    CHECK_EQ_STR(fx_js(&f, "RoleName"), "r");
    CHECK_EQ_INT(fx_call(&f, "iam", "GetRolePolicy", iam_get_role_policy,
                         "{\"RoleName\":\"r\",\"PolicyName\":\"x\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The role policy with name x cannot be found.");
    /* a Principal has no place in an identity policy */
    CHECK_EQ_INT(fx_call(&f, "iam", "PutRolePolicy", iam_put_role_policy,
                         "{\"RoleName\":\"r\",\"PolicyName\":\"x\",\"PolicyDocument\":\"" EC2_TRUST
                         "\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "MalformedPolicyDocument");
    fx_close(&f);
}

TEST(iam_managed_policy_versions)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "iam", "CreatePolicy", iam_create_policy,
                         "{\"PolicyName\":\"pol\",\"Path\":\"/team/\",\"Description\":\"d\","
                         "\"PolicyDocument\":\"" ALLOW("s3:ListBucket") "\"}"),
                 0);
    CHECK(f.out_error == NULL);
    const char *arn = "arn:aws:iam::123456789012:policy/team/pol";
    CHECK_EQ_STR(fx_js(&f, "Policy.Arn"), arn);
    CHECK_EQ_STR(fx_js(&f, "Policy.DefaultVersionId"), "v1");
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Policy.AttachmentCount")), 0);
    CHECK(json_is_true(fx_jget(f.json, "Policy.IsAttachable")));
    CHECK(fx_jget(f.json, "Policy.Description") == NULL); /* not on Create [snap] */
    const char *pid = fx_js(&f, "Policy.PolicyId");
    CHECK(pid && strlen(pid) == 21 && strncmp(pid, "ANPA", 4) == 0);

    CHECK_EQ_INT(fx_call(&f, "iam", "CreatePolicy", iam_create_policy,
                         "{\"PolicyName\":\"pol\",\"PolicyDocument\":\"" ALLOW("s3:*") "\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "EntityAlreadyExists");
    CHECK_EQ_STR(fx_err_message(&f),
                 "A policy called pol already exists. Duplicate names are not allowed.");
    CHECK_EQ_INT(fx_call(&f, "iam", "CreatePolicy", iam_create_policy,
                         "{\"PolicyName\":\"nov\",\"PolicyDocument\":\"{\\\"Statement\\\":"
                         "{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:*\\\","
                         "\\\"Resource\\\":\\\"*\\\"}}\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Policy document must be version 2012-10-17 or greater.");

    ok(&f, "GetPolicy", iam_get_policy,
       "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/team/pol\"}");
    CHECK_EQ_STR(fx_js(&f, "Policy.Description"), "d");
    CHECK(json_is_array(fx_jget(f.json, "Policy.Tags")));

    CHECK_EQ_INT(fx_callf(&f, "iam", "CreatePolicyVersion", iam_create_policy_version,
                          "{\"PolicyArn\":\"%s\",\"PolicyDocument\":\"" ALLOW(
                              "ec2:*") "\","
                                       "\"SetAsDefault\":true}",
                          arn),
                 0);
    CHECK_EQ_STR(fx_js(&f, "PolicyVersion.VersionId"), "v2");
    CHECK(json_is_true(fx_jget(f.json, "PolicyVersion.IsDefaultVersion")));
    CHECK(fx_jget(f.json, "PolicyVersion.Document") == NULL);
    fx_callf(&f, "iam", "CreatePolicyVersion", iam_create_policy_version,
             "{\"PolicyArn\":\"%s\",\"PolicyDocument\":\"" ALLOW("sqs:*") "\"}", arn);
    CHECK_EQ_STR(fx_js(&f, "PolicyVersion.VersionId"), "v3");
    CHECK(json_is_false(fx_jget(f.json, "PolicyVersion.IsDefaultVersion")));

    fx_callf(&f, "iam", "ListPolicyVersions", iam_list_policy_versions, "{\"PolicyArn\":\"%s\"}",
             arn);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Versions")), 3);
    CHECK_EQ_STR(fx_js(&f, "Versions.0.VersionId"), "v3");
    CHECK_EQ_STR(fx_js(&f, "Versions.2.VersionId"), "v1");
    CHECK(json_is_true(fx_jget(f.json, "Versions.1.IsDefaultVersion")));
    fx_callf(&f, "iam", "ListPolicyVersions", iam_list_policy_versions,
             "{\"PolicyArn\":\"%s\",\"MaxItems\":2}", arn);
    CHECK_EQ_STR(fx_js(&f, "Marker"), "v1");
    fx_callf(&f, "iam", "ListPolicyVersions", iam_list_policy_versions,
             "{\"PolicyArn\":\"%s\",\"Marker\":\"v1\"}", arn);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Versions")), 1);
    CHECK_EQ_STR(fx_js(&f, "Versions.0.VersionId"), "v1");

    CHECK_EQ_INT(fx_callf(&f, "iam", "GetPolicyVersion", iam_get_policy_version,
                          "{\"PolicyArn\":\"%s\",\"VersionId\":\"v1\"}", arn),
                 0);
    char *doc = urldecode(fx_js(&f, "PolicyVersion.Document"));
    CHECK_CONTAINS(doc, "s3:ListBucket");
    free(doc);
    CHECK(json_is_false(fx_jget(f.json, "PolicyVersion.IsDefaultVersion")));
    CHECK_EQ_INT(fx_callf(&f, "iam", "GetPolicyVersion", iam_get_policy_version,
                          "{\"PolicyArn\":\"%s\",\"VersionId\":\"v9\"}", arn),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Policy arn:aws:iam::123456789012:policy/team/pol version v9 "
                                     "does not exist or is not attachable.");

    CHECK_EQ_INT(fx_callf(&f, "iam", "DeletePolicyVersion", iam_delete_policy_version,
                          "{\"PolicyArn\":\"%s\",\"VersionId\":\"v2\"}", arn),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "DeleteConflict");
    CHECK_EQ_STR(fx_err_message(&f), "Cannot delete the default version of a policy.");
    CHECK_EQ_INT(fx_callf(&f, "iam", "SetDefaultPolicyVersion", iam_set_default_policy_version,
                          "{\"PolicyArn\":\"%s\",\"VersionId\":\"v1\"}", arn),
                 0);
    fx_callf(&f, "iam", "GetPolicy", iam_get_policy, "{\"PolicyArn\":\"%s\"}", arn);
    CHECK_EQ_STR(fx_js(&f, "Policy.DefaultVersionId"), "v1");

    /* five versions at most; ids keep counting */
    fx_callf(&f, "iam", "CreatePolicyVersion", iam_create_policy_version,
             "{\"PolicyArn\":\"%s\",\"PolicyDocument\":\"" ALLOW("sns:*") "\"}", arn);
    fx_callf(&f, "iam", "CreatePolicyVersion", iam_create_policy_version,
             "{\"PolicyArn\":\"%s\",\"PolicyDocument\":\"" ALLOW("sns:*") "\"}", arn);
    CHECK_EQ_STR(fx_js(&f, "PolicyVersion.VersionId"), "v5");
    CHECK_EQ_INT(fx_callf(&f, "iam", "CreatePolicyVersion", iam_create_policy_version,
                          "{\"PolicyArn\":\"%s\",\"PolicyDocument\":\"" ALLOW("sns:*") "\"}", arn),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "LimitExceeded");
    CHECK_EQ_STR(fx_err_message(&f), "A managed policy can have up to 5 versions. Before you "
                                     "create a new version, you must delete an existing version.");
    fx_callf(&f, "iam", "DeletePolicyVersion", iam_delete_policy_version,
             "{\"PolicyArn\":\"%s\",\"VersionId\":\"v2\"}", arn);
    CHECK_EQ_INT(f.rc, 0);
    fx_callf(&f, "iam", "CreatePolicyVersion", iam_create_policy_version,
             "{\"PolicyArn\":\"%s\",\"PolicyDocument\":\"" ALLOW("sns:*") "\"}", arn);
    CHECK_EQ_STR(fx_js(&f, "PolicyVersion.VersionId"), "v6");

    /* deletion: not while attached, not with other versions */
    ok(&f, "CreateUser", iam_create_user, "{\"UserName\":\"u\"}");
    fx_callf(&f, "iam", "AttachUserPolicy", iam_attach_user_policy,
             "{\"UserName\":\"u\",\"PolicyArn\":\"%s\"}", arn);
    CHECK_EQ_INT(f.rc, 0);
    fx_callf(&f, "iam", "GetPolicy", iam_get_policy, "{\"PolicyArn\":\"%s\"}", arn);
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Policy.AttachmentCount")), 1);
    CHECK_EQ_INT(
        fx_callf(&f, "iam", "DeletePolicy", iam_delete_policy, "{\"PolicyArn\":\"%s\"}", arn), -1);
    CHECK_EQ_STR(fx_err_message(&f), "Cannot delete a policy attached to entities.");
    fx_callf(&f, "iam", "DetachUserPolicy", iam_detach_user_policy,
             "{\"UserName\":\"u\",\"PolicyArn\":\"%s\"}", arn);
    CHECK_EQ_INT(
        fx_callf(&f, "iam", "DeletePolicy", iam_delete_policy, "{\"PolicyArn\":\"%s\"}", arn), -1);
    CHECK_EQ_STR(fx_err_code(&f), "DeleteConflict");
    CHECK_CONTAINS(fx_err_message(&f), "This policy has more than one version.");
    const char *rest[] = {"v3", "v4", "v5", "v6"};
    for (size_t i = 0; i < 4; i++)
        fx_callf(&f, "iam", "DeletePolicyVersion", iam_delete_policy_version,
                 "{\"PolicyArn\":\"%s\",\"VersionId\":\"%s\"}", arn, rest[i]);
    CHECK_EQ_INT(
        fx_callf(&f, "iam", "DeletePolicy", iam_delete_policy, "{\"PolicyArn\":\"%s\"}", arn), 0);
    CHECK_EQ_INT(fx_callf(&f, "iam", "GetPolicy", iam_get_policy, "{\"PolicyArn\":\"%s\"}", arn),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");
    CHECK_EQ_STR(fx_err_message(&f),
                 "Policy arn:aws:iam::123456789012:policy/team/pol was not found.");
    fx_close(&f);
}

TEST(iam_aws_managed_policies)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    const char *pua = "arn:aws:iam::aws:policy/PowerUserAccess";
    CHECK_EQ_INT(fx_callf(&f, "iam", "GetPolicy", iam_get_policy, "{\"PolicyArn\":\"%s\"}", pua),
                 0);
    const struct managed_policy *m = managed_policy_by_arn(pua);
    CHECK(m != NULL);
    CHECK_EQ_STR(fx_js(&f, "Policy.PolicyName"), "PowerUserAccess");
    CHECK_EQ_STR(fx_js(&f, "Policy.DefaultVersionId"), m->default_version_id);
    CHECK_EQ_STR(fx_js(&f, "Policy.PolicyId"), m->policy_id);
    CHECK_EQ_STR(fx_js(&f, "Policy.Description"), m->description);

    fx_callf(&f, "iam", "GetPolicyVersion", iam_get_policy_version,
             "{\"PolicyArn\":\"%s\",\"VersionId\":\"%s\"}", pua, m->default_version_id);
    CHECK_EQ_INT(f.rc, 0);
    char *doc = urldecode(fx_js(&f, "PolicyVersion.Document"));
    CHECK_EQ_STR(doc, m->document);
    free(doc);
    CHECK(json_is_true(fx_jget(f.json, "PolicyVersion.IsDefaultVersion")));
    CHECK_EQ_INT(fx_callf(&f, "iam", "GetPolicyVersion", iam_get_policy_version,
                          "{\"PolicyArn\":\"%s\",\"VersionId\":\"v1\"}", pua),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");

    CHECK_EQ_INT(
        fx_callf(&f, "iam", "DeletePolicy", iam_delete_policy, "{\"PolicyArn\":\"%s\"}", pua), -1);
    CHECK_EQ_STR(fx_err_code(&f), "AccessDenied");

    /* ListPolicies scopes */
    ok(&f, "CreatePolicy", iam_create_policy,
       "{\"PolicyName\":\"mine\",\"PolicyDocument\":\"" ALLOW("s3:*") "\"}");
    ok(&f, "ListPolicies", iam_list_policies, "{\"Scope\":\"AWS\",\"MaxItems\":1000}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Policies")), managed_policy_count());
    ok(&f, "ListPolicies", iam_list_policies, "{\"Scope\":\"Local\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Policies")), 1);
    CHECK_EQ_STR(fx_js(&f, "Policies.0.PolicyName"), "mine");
    CHECK(fx_jget(f.json, "Policies.0.Tags") == NULL);
    ok(&f, "ListPolicies", iam_list_policies, "{}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Policies")), managed_policy_count() + 1);

    /* paging over everything visits each policy once */
    size_t total = 0;
    char marker[256] = "";
    for (int guard = 0; guard < 20; guard++) {
        if (marker[0])
            fx_callf(&f, "iam", "ListPolicies", iam_list_policies,
                     "{\"MaxItems\":3,\"Marker\":\"%s\"}", marker);
        else
            fx_call(&f, "iam", "ListPolicies", iam_list_policies, "{\"MaxItems\":3}");
        total += json_array_size(fx_jget(f.json, "Policies"));
        if (!json_is_true(fx_jget(f.json, "IsTruncated")))
            break;
        snprintf(marker, sizeof(marker), "%s", fx_js(&f, "Marker"));
    }
    CHECK_EQ_INT(total, managed_policy_count() + 1);

    /* OnlyAttached, AttachmentCount of an AWS managed policy in this account */
    ok(&f, "CreateUser", iam_create_user, "{\"UserName\":\"cfn\"}");
    CHECK_EQ_INT(fx_callf(&f, "iam", "AttachUserPolicy", iam_attach_user_policy,
                          "{\"UserName\":\"cfn\",\"PolicyArn\":\"%s\"}", pua),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "iam", "AttachUserPolicy", iam_attach_user_policy,
                          "{\"UserName\":\"cfn\",\"PolicyArn\":\"%s\"}", pua),
                 0); /* twice: no-op */
    ok(&f, "ListPolicies", iam_list_policies, "{\"OnlyAttached\":true}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "Policies")), 1);
    CHECK_EQ_STR(fx_js(&f, "Policies.0.Arn"), pua);
    CHECK_EQ_INT(json_integer_value(fx_jget(f.json, "Policies.0.AttachmentCount")), 1);
    ok(&f, "ListAttachedUserPolicies", iam_list_attached_user_policies, "{\"UserName\":\"cfn\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "AttachedPolicies")), 1);
    CHECK_EQ_STR(fx_js(&f, "AttachedPolicies.0.PolicyName"), "PowerUserAccess");
    CHECK_EQ_STR(fx_js(&f, "AttachedPolicies.0.PolicyArn"), pua);
    ok(&f, "ListAttachedUserPolicies", iam_list_attached_user_policies,
       "{\"UserName\":\"cfn\",\"PathPrefix\":\"/service-role/\"}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "AttachedPolicies")), 0);
    fx_close(&f);
}

TEST(iam_attach_errors_and_limits)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    ok(&f, "CreateRole", iam_create_role,
       "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"" EC2_TRUST "\"}");
    CHECK_EQ_INT(fx_call(&f, "iam", "AttachRolePolicy", iam_attach_role_policy,
                         "{\"RoleName\":\"r\",\"PolicyArn\":"
                         "\"arn:aws:iam::123456789012:policy/nonexistent\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NoSuchEntity");
    CHECK_EQ_STR(fx_err_message(&f), "Policy arn:aws:iam::123456789012:policy/nonexistent does "
                                     "not exist or is not attachable.");
    CHECK_EQ_INT(fx_call(&f, "iam", "AttachRolePolicy", iam_attach_role_policy,
                         "{\"RoleName\":\"r\",\"PolicyArn\":\"longpolicynamebutnoarn\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_EQ_STR(fx_err_message(&f), "ARN longpolicynamebutnoarn is not valid.");
    CHECK_EQ_INT(fx_call(&f, "iam", "AttachRolePolicy", iam_attach_role_policy,
                         "{\"RoleName\":\"r\",\"PolicyArn\":\"arn:aws:iam::aws:policy/"
                         "aws-service-role/CloudWatchEventsServiceRolePolicy\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "PolicyNotAttachable");
    CHECK_EQ_STR(fx_err_message(&f), "Cannot attach a Service Role Policy to a Customer Role.");
    CHECK_EQ_INT(
        fx_call(&f, "iam", "DetachRolePolicy", iam_detach_role_policy,
                "{\"RoleName\":\"r\",\"PolicyArn\":\"arn:aws:iam::aws:policy/Nonexistent\"}"),
        -1);
    CHECK_EQ_STR(fx_err_message(&f), "Policy arn:aws:iam::aws:policy/Nonexistent was not found.");
    CHECK_EQ_INT(fx_call(&f, "iam", "AttachRolePolicy", iam_attach_role_policy,
                         "{\"RoleName\":\"nope\",\"PolicyArn\":"
                         "\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "The role with name nope cannot be found.");

    /* ten managed policies per role */
    for (int i = 0; i < 11; i++) {
        fx_callf(&f, "iam", "CreatePolicy", iam_create_policy,
                 "{\"PolicyName\":\"p%d\",\"PolicyDocument\":\"" ALLOW("s3:*") "\"}", i);
        CHECK_EQ_INT(f.rc, 0);
        int rc = fx_callf(&f, "iam", "AttachRolePolicy", iam_attach_role_policy,
                          "{\"RoleName\":\"r\",\"PolicyArn\":"
                          "\"arn:aws:iam::123456789012:policy/p%d\"}",
                          i);
        CHECK_EQ_INT(rc, i < 10 ? 0 : -1);
    }
    CHECK_EQ_STR(fx_err_code(&f), "LimitExceeded");
    CHECK_EQ_STR(fx_err_message(&f), "Cannot exceed quota for PoliciesPerRole: 10");
    ok(&f, "ListAttachedRolePolicies", iam_list_attached_role_policies,
       "{\"RoleName\":\"r\",\"MaxItems\":4}");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "AttachedPolicies")), 4);
    CHECK_EQ_STR(fx_js(&f, "AttachedPolicies.0.PolicyName"), "p0");
    CHECK(json_is_true(fx_jget(f.json, "IsTruncated")));
    fx_close(&f);
}

/* Documents returned by iam_identity_policies that allow action (on "*"). */
static size_t allowing(json_t **docs, size_t n, const char *action)
{
    size_t k = 0;
    struct policy_request rq = {.action = action, .resource = "*"};
    for (size_t i = 0; i < n; i++)
        if (policy_eval(docs[i], &rq) == POLICY_ALLOW)
            k++;
    return k;
}

static void free_docs(json_t **docs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(docs[i]);
    free(docs);
}

TEST(iam_identity_policies_user_in_two_groups)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    ok(&f, "CreateUser", iam_create_user, "{\"UserName\":\"u\"}");
    char uid[32];
    snprintf(uid, sizeof(uid), "%s", fx_js(&f, "User.UserId"));
    ok(&f, "CreateUser", iam_create_user, "{\"UserName\":\"other\"}");
    ok(&f, "CreateGroup", iam_create_group, "{\"GroupName\":\"g1\"}");
    ok(&f, "CreateGroup", iam_create_group, "{\"GroupName\":\"g2\"}");
    ok(&f, "CreateGroup", iam_create_group, "{\"GroupName\":\"g3\"}"); /* u is not in g3 */
    ok(&f, "AddUserToGroup", iam_add_user_to_group, "{\"GroupName\":\"g1\",\"UserName\":\"u\"}");
    ok(&f, "AddUserToGroup", iam_add_user_to_group, "{\"GroupName\":\"g2\",\"UserName\":\"u\"}");
    ok(&f, "PutUserPolicy", iam_put_user_policy,
       "{\"UserName\":\"u\",\"PolicyName\":\"own\",\"PolicyDocument\":\"" ALLOW(
           "sqs:SendMessage") "\"}");
    ok(&f, "PutUserPolicy", iam_put_user_policy,
       "{\"UserName\":\"other\",\"PolicyName\":\"x\",\"PolicyDocument\":\"" ALLOW("kms:*") "\"}");
    ok(&f, "PutGroupPolicy", iam_put_group_policy,
       "{\"GroupName\":\"g1\",\"PolicyName\":\"g1p\",\"PolicyDocument\":\"" ALLOW(
           "sns:Publish") "\"}");
    ok(&f, "PutGroupPolicy", iam_put_group_policy,
       "{\"GroupName\":\"g3\",\"PolicyName\":\"g3p\",\"PolicyDocument\":\"" ALLOW(
           "dynamodb:*") "\"}");
    ok(&f, "CreatePolicy", iam_create_policy,
       "{\"PolicyName\":\"cust\",\"PolicyDocument\":\"" ALLOW("logs:PutLogEvents") "\"}");
    ok(&f, "CreatePolicyVersion", iam_create_policy_version,
       "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/cust\",\"SetAsDefault\":true,"
       "\"PolicyDocument\":\"" ALLOW("logs:CreateLogGroup") "\"}");
    ok(&f, "AttachGroupPolicy", iam_attach_group_policy,
       "{\"GroupName\":\"g2\",\"PolicyArn\":\"arn:aws:iam::123456789012:policy/cust\"}");
    ok(&f, "AttachUserPolicy", iam_attach_user_policy,
       "{\"UserName\":\"u\",\"PolicyArn\":\"arn:aws:iam::aws:policy/PowerUserAccess\"}");
    /* the same policy through both groups counts once */
    ok(&f, "AttachGroupPolicy", iam_attach_group_policy,
       "{\"GroupName\":\"g1\",\"PolicyArn\":\"arn:aws:iam::aws:policy/PowerUserAccess\"}");

    fx_as_user(&f, "u", uid);
    json_t **docs = NULL;
    size_t n = 0;
    CHECK_EQ_INT(iam_identity_policies(f.st, &f.who, &docs, &n), 0);
    CHECK_EQ_INT(n, 4); /* own inline, g1 inline, cust (g2), PowerUserAccess */
    CHECK_EQ_INT(allowing(docs, n, "sqs:SendMessage"), 2);     /* own + PowerUser */
    CHECK_EQ_INT(allowing(docs, n, "logs:CreateLogGroup"), 2); /* default version v2 */
    CHECK_EQ_INT(allowing(docs, n, "iam:CreateUser"), 0);      /* PowerUser: NotAction iam:* */
    CHECK_EQ_INT(allowing(docs, n, "iam:CreateServiceLinkedRole"), 1);
    struct policy_request rq = {.action = "dynamodb:GetItem", .resource = "*"};
    CHECK_EQ_INT(policy_decide((const json_t *const *)docs, n, NULL, 0, false, &rq),
                 POLICY_ALLOWED); /* through PowerUserAccess, not g3 */
    rq.action = "iam:CreateUser";
    CHECK_EQ_INT(policy_decide((const json_t *const *)docs, n, NULL, 0, false, &rq),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    free_docs(docs, n);

    /* removing the user from g1 drops g1's inline policy (PowerUser stays: attached to u) */
    fx_as_root(&f);
    ok(&f, "RemoveUserFromGroup", iam_remove_user_from_group,
       "{\"GroupName\":\"g1\",\"UserName\":\"u\"}");
    fx_as_user(&f, "u", uid);
    CHECK_EQ_INT(iam_identity_policies(f.st, &f.who, &docs, &n), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(allowing(docs, n, "sns:Publish"), 1);
    free_docs(docs, n);

    /* a rename keeps the policies (found by unique id) */
    fx_as_root(&f);
    ok(&f, "UpdateUser", iam_update_user, "{\"UserName\":\"u\",\"NewUserName\":\"u2\"}");
    fx_as_user(&f, "u", uid);
    CHECK_EQ_INT(iam_identity_policies(f.st, &f.who, &docs, &n), 0);
    CHECK_EQ_INT(n, 3);
    free_docs(docs, n);

    /* root and unknown principals: none */
    fx_as_root(&f);
    CHECK_EQ_INT(iam_identity_policies(f.st, &f.who, &docs, &n), 0);
    CHECK_EQ_INT(n, 0);
    free_docs(docs, n);
    fx_as_user(&f, "ghost", "AIDAGHOSTGHOSTGHOST01");
    CHECK_EQ_INT(iam_identity_policies(f.st, &f.who, &docs, &n), 0);
    CHECK_EQ_INT(n, 0);
    free_docs(docs, n);
    fx_close(&f);
}

TEST(iam_identity_policies_role_session)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    ok(&f, "CreateRole", iam_create_role,
       "{\"RoleName\":\"ops\",\"AssumeRolePolicyDocument\":\"" EC2_TRUST "\"}");
    char rid[32];
    snprintf(rid, sizeof(rid), "%s", fx_js(&f, "Role.RoleId"));
    ok(&f, "PutRolePolicy", iam_put_role_policy,
       "{\"RoleName\":\"ops\",\"PolicyName\":\"deny\",\"PolicyDocument\":\"{\\\"Version\\\":"
       "\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Effect\\\":\\\"Deny\\\",\\\"Action\\\":"
       "\\\"ec2:TerminateInstances\\\",\\\"Resource\\\":\\\"*\\\"}}\"}");
    ok(&f, "AttachRolePolicy", iam_attach_role_policy,
       "{\"RoleName\":\"ops\",\"PolicyArn\":\"arn:aws:iam::aws:policy/AmazonEC2FullAccess\"}");

    fx_as_role_session(&f, "ops", rid, "i-0123456789abcdef0");
    json_t **docs = NULL;
    size_t n = 0;
    CHECK_EQ_INT(iam_identity_policies(f.st, &f.who, &docs, &n), 0);
    CHECK_EQ_INT(n, 2);
    struct policy_request rq = {.action = "ec2:RunInstances", .resource = "*"};
    CHECK_EQ_INT(policy_decide((const json_t *const *)docs, n, NULL, 0, false, &rq),
                 POLICY_ALLOWED);
    rq.action = "ec2:TerminateInstances";
    CHECK_EQ_INT(policy_decide((const json_t *const *)docs, n, NULL, 0, false, &rq),
                 POLICY_DENIED_EXPLICIT_IDENTITY);
    free_docs(docs, n);

    /* another role's session sees none of it */
    fx_as_role_session(&f, "other", "AROAOTHEROTHEROTHER01", "s");
    CHECK_EQ_INT(iam_identity_policies(f.st, &f.who, &docs, &n), 0);
    CHECK_EQ_INT(n, 0);
    free_docs(docs, n);
    fx_close(&f);
}
