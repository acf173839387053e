/* managed_policies_test.c — the AWS managed policy table and what the documents allow. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auth/managed_policies.h"
#include "auth/policy.h"
#include "base/base.h"
#include "harness.h"

#define ACCT "123456789012"

static json_t *doc_of(const char *name)
{
    const struct managed_policy *mp = managed_policy_by_name(name);
    char err[POLICY_ERR_MAX];
    json_t *d = NULL;
    struct policy_parse_opts o = {POLICY_KIND_MANAGED, NULL, NULL};
    if (!mp) {
        harness_fail(__FILE__, __LINE__, "no managed policy %s", name);
        return NULL;
    }
    if (policy_parse(mp->document, strlen(mp->document), &o, &d, err) != 0)
        harness_fail(__FILE__, __LINE__, "%s does not parse: %s", name, err);
    return d;
}

/* Decision for a principal holding exactly the named managed policy. */
static enum policy_decision decide_with(const char *name, const char *action, const char *resource,
                                        const char *ctx_json)
{
    json_t *d = doc_of(name);
    json_t *ctx = ctx_json ? json_loads(ctx_json, 0, NULL) : NULL;
    const json_t *ids[1] = {d};
    struct policy_request rq = {action, resource, ctx, "arn:aws:iam::" ACCT ":user/cfn"};
    enum policy_decision r = policy_decide(ids, d ? 1 : 0, NULL, 0, false, &rq);
    json_decref(ctx);
    json_decref(d);
    return r;
}

TEST(managed_policies_table)
{
    static const char *const names[] = {"AdministratorAccess",
                                        "PowerUserAccess",
                                        "ReadOnlyAccess",
                                        "IAMFullAccess",
                                        "AmazonEC2FullAccess",
                                        "AmazonEC2ReadOnlyAccess",
                                        "CloudWatchFullAccess",
                                        "CloudWatchReadOnlyAccess",
                                        "AWSCloudFormationFullAccess",
                                        "CloudWatchEventsServiceRolePolicy"};
    CHECK_EQ_INT(managed_policy_count(), ARRAY_LEN(names));
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        const struct managed_policy *mp = managed_policy_by_name(names[i]);
        CHECK(mp != NULL);
        if (!mp)
            continue;
        char arn[256];
        snprintf(arn, sizeof(arn), "arn:aws:iam::aws:policy%s%s", mp->path, mp->name);
        CHECK_EQ_STR(mp->arn, arn);
        CHECK(managed_policy_by_arn(arn) == mp);
        CHECK_EQ_INT(strlen(mp->policy_id), 21);
        CHECK(str_startswith(mp->policy_id, "ANPA"));
        CHECK(mp->default_version_id[0] == 'v');
        int64_t c, u;
        CHECK_EQ_INT(time_parse_iso8601(mp->create_date, &c), 0);
        CHECK_EQ_INT(time_parse_iso8601(mp->update_date, &u), 0);
        CHECK(c <= u);
        CHECK(mp->description && *mp->description);
        CHECK(policy_size(mp->document, strlen(mp->document)) <= POLICY_LIMIT_MANAGED);
        json_t *d = doc_of(names[i]);
        CHECK(d != NULL);
        json_decref(d);
        for (size_t j = 0; j < i; j++) /* ids are unique */
            CHECK(strcmp(managed_policy_by_name(names[j])->policy_id, mp->policy_id) != 0);
    }
    CHECK(managed_policy_at(ARRAY_LEN(names)) == NULL);
    CHECK(managed_policy_by_name("NoSuchPolicy") == NULL);
    CHECK(managed_policy_by_arn("arn:aws:iam::aws:policy/NoSuchPolicy") == NULL);
    CHECK(managed_policy_by_arn(NULL) == NULL);
    const struct managed_policy *slr = managed_policy_by_name("CloudWatchEventsServiceRolePolicy");
    CHECK_EQ_STR(slr->path, "/aws-service-role/");
    CHECK_EQ_STR(slr->arn,
                 "arn:aws:iam::aws:policy/aws-service-role/CloudWatchEventsServiceRolePolicy");
    CHECK(slr->service_linked);
    CHECK_EQ_STR(managed_policy_by_name("PowerUserAccess")->policy_id, "ANPAJYRXTHIB4FOVS3ZXS");
    CHECK_EQ_STR(managed_policy_by_name("PowerUserAccess")->default_version_id, "v12");
}

TEST(managed_policies_power_user)
{
    const char *pu = "PowerUserAccess";
    CHECK_EQ_INT(decide_with(pu, "cloudwatch:PutMetricData", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(pu, "cloudwatch:PutMetricAlarm",
                             "arn:aws:cloudwatch:us-east-1:" ACCT ":alarm:a", NULL),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(pu, "ec2:RunInstances", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(pu, "sts:AssumeRole", "arn:aws:iam::" ACCT ":role/ops", NULL),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(pu, "iam:CreateServiceLinkedRole",
                             "arn:aws:iam::" ACCT ":role/aws-service-role/events.amazonaws.com/"
                             "AWSServiceRoleForCloudWatchEvents",
                             NULL),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(pu, "iam:ListRoles", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(pu, "iam:CreateUser", "arn:aws:iam::" ACCT ":user/bob", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide_with(pu, "iam:PassRole", "arn:aws:iam::" ACCT ":role/ops", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide_with(pu, "organizations:CreateAccount", "*", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);

    struct arena *a = arena_new();
    CHECK_EQ_STR(policy_denial_message(
                     a, "arn:aws:iam::" ACCT ":user/cfn", "iam:CreateUser",
                     "arn:aws:iam::" ACCT ":user/bob",
                     decide_with(pu, "iam:CreateUser", "arn:aws:iam::" ACCT ":user/bob", NULL)),
                 "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
                 "iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no "
                 "identity-based policy allows the iam:CreateUser action");
    arena_free(a);
}

TEST(managed_policies_other_documents)
{
    CHECK_EQ_INT(decide_with("AdministratorAccess", "iam:CreateUser", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("ReadOnlyAccess", "ec2:DescribeInstances", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("ReadOnlyAccess", "cloudwatch:DescribeAlarms", "*", NULL),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("ReadOnlyAccess", "ec2:RunInstances", "*", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide_with("ReadOnlyAccess", "cloudwatch:PutMetricData", "*", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide_with("IAMFullAccess", "iam:PassRole", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("IAMFullAccess", "ec2:RunInstances", "*", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide_with("AmazonEC2FullAccess", "ec2:RunInstances", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("AmazonEC2FullAccess", "cloudwatch:PutMetricAlarm", "*", NULL),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("AmazonEC2FullAccess", "iam:CreateServiceLinkedRole", "*",
                             "{\"iam:awsservicename\":\"spot.amazonaws.com\"}"),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("AmazonEC2FullAccess", "iam:CreateServiceLinkedRole", "*",
                             "{\"iam:awsservicename\":\"events.amazonaws.com\"}"),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide_with("AmazonEC2ReadOnlyAccess", "ec2:DescribeInstanceStatus", "*", NULL),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("AmazonEC2ReadOnlyAccess", "ec2:StopInstances", "*", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    /* CloudWatchFullAccess may create exactly the CloudWatch Events SLR */
    const char *slr =
        "arn:aws:iam::" ACCT
        ":role/aws-service-role/events.amazonaws.com/AWSServiceRoleForCloudWatchEvents";
    CHECK_EQ_INT(decide_with("CloudWatchFullAccess", "iam:CreateServiceLinkedRole", slr,
                             "{\"iam:awsservicename\":\"events.amazonaws.com\"}"),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("CloudWatchFullAccess", "iam:CreateServiceLinkedRole",
                             "arn:aws:iam::" ACCT ":role/aws-service-role/x.amazonaws.com/Other",
                             "{\"iam:awsservicename\":\"events.amazonaws.com\"}"),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide_with("CloudWatchFullAccess", "cloudwatch:DeleteAlarms", "*", NULL),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("CloudWatchReadOnlyAccess", "cloudwatch:GetMetricData", "*", NULL),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("CloudWatchReadOnlyAccess", "cloudwatch:PutMetricAlarm", "*", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(
        decide_with("AWSCloudFormationFullAccess", "cloudformation:CreateStack", "*", NULL),
        POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with("AWSCloudFormationFullAccess", "iam:PassRole", "*", NULL),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    /* the CloudWatch Events SLR policy: stop/reboot/terminate, no recover */
    const char *ev = "CloudWatchEventsServiceRolePolicy";
    CHECK_EQ_INT(decide_with(ev, "ec2:StopInstances", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(ev, "ec2:RebootInstances", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(ev, "ec2:TerminateInstances", "*", NULL), POLICY_ALLOWED);
    CHECK_EQ_INT(decide_with(ev, "ec2:RunInstances", "*", NULL), POLICY_DENIED_IMPLICIT_IDENTITY);
}
