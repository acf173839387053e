/*
 * managed_policies.c — AWS managed policies: metadata as GetPolicy/ListPolicies report it and
 * the document of the default version (GetPolicyVersion).
 *
 * Documents are AWS data, copied from dumps of GetPolicyVersion (zoph-io/MAMIP policies/<Name>,
 * aws-behaviour.md §4.5 [model-ish]) and the AWS managed policy reference pages. Policy ids are
 * real ones seen in public ListPolicies output, except where marked inferred. Creation dates are
 * the policies' (GetPolicy CreateDate), update dates the default version's CreateDate.
 */
#include <string.h>

#include "auth/managed_policies.h"
#include "base/base.h"

/* v1, 2015-02-06 (MAMIP policies/AdministratorAccess; [model-ish]). */
static const char DOC_AdministratorAccess[] = "{\n"
                                              "    \"Version\": \"2012-10-17\",\n"
                                              "    \"Statement\": [\n"
                                              "        {\n"
                                              "            \"Effect\": \"Allow\",\n"
                                              "            \"Action\": \"*\",\n"
                                              "            \"Resource\": \"*\"\n"
                                              "        }\n"
                                              "    ]\n"
                                              "}";

/* v12, 2026-02-12 — exactly aws-behaviour.md §4.5 (MAMIP policies/PowerUserAccess, and the
 * AWS managed policy reference page). */
static const char DOC_PowerUserAccess[] =
    "{\n"
    "    \"Version\": \"2012-10-17\",\n"
    "    \"Statement\": [\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"NotAction\": [\n"
    "                \"iam:*\",\n"
    "                \"organizations:*\",\n"
    "                \"account:*\"\n"
    "            ],\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"account:GetAccountInformation\",\n"
    "                \"account:GetGovCloudAccountInformation\",\n"
    "                \"account:GetPrimaryEmail\",\n"
    "                \"account:ListRegions\",\n"
    "                \"iam:CreateServiceLinkedRole\",\n"
    "                \"iam:DeleteServiceLinkedRole\",\n"
    "                \"iam:ListRoles\",\n"
    "                \"organizations:DescribeEffectivePolicy\",\n"
    "                \"organizations:DescribeOrganization\"\n"
    "            ],\n"
    "            \"Resource\": \"*\"\n"
    "        }\n"
    "    ]\n"
    "}";

/* ABRIDGED STAND-IN. The real ReadOnlyAccess lists read verbs of several hundred services
 * (aws-behaviour.md §4.5: not copied). This compact document grants the read verbs of the
 * services the lab serves, which is what the real one grants for them (inferred). */
static const char DOC_ReadOnlyAccess[] = "{\n"
                                         "    \"Version\": \"2012-10-17\",\n"
                                         "    \"Statement\": [\n"
                                         "        {\n"
                                         "            \"Sid\": \"ReadOnlyStandIn\",\n"
                                         "            \"Effect\": \"Allow\",\n"
                                         "            \"Action\": [\n"
                                         "                \"autoscaling:Describe*\",\n"
                                         "                \"cloudformation:Describe*\",\n"
                                         "                \"cloudformation:Detect*\",\n"
                                         "                \"cloudformation:Estimate*\",\n"
                                         "                \"cloudformation:Get*\",\n"
                                         "                \"cloudformation:List*\",\n"
                                         "                \"cloudformation:ValidateTemplate\",\n"
                                         "                \"cloudtrail:Describe*\",\n"
                                         "                \"cloudtrail:Get*\",\n"
                                         "                \"cloudtrail:List*\",\n"
                                         "                \"cloudtrail:LookupEvents\",\n"
                                         "                \"cloudwatch:Describe*\",\n"
                                         "                \"cloudwatch:Get*\",\n"
                                         "                \"cloudwatch:List*\",\n"
                                         "                \"ec2:Describe*\",\n"
                                         "                \"ec2:Get*\",\n"
                                         "                \"elasticloadbalancing:Describe*\",\n"
                                         "                \"events:Describe*\",\n"
                                         "                \"events:List*\",\n"
                                         "                \"events:Test*\",\n"
                                         "                \"iam:Generate*\",\n"
                                         "                \"iam:Get*\",\n"
                                         "                \"iam:List*\",\n"
                                         "                \"iam:Simulate*\",\n"
                                         "                \"logs:Describe*\",\n"
                                         "                \"logs:FilterLogEvents\",\n"
                                         "                \"logs:Get*\",\n"
                                         "                \"logs:List*\",\n"
                                         "                \"logs:TestMetricFilter\",\n"
                                         "                \"sns:Get*\",\n"
                                         "                \"sns:List*\"\n"
                                         "            ],\n"
                                         "            \"Resource\": \"*\"\n"
                                         "        }\n"
                                         "    ]\n"
                                         "}";

/* v2, 2019-06-21 (MAMIP policies/IAMFullAccess; managed policy reference). */
static const char DOC_IAMFullAccess[] =
    "{\n"
    "    \"Version\": \"2012-10-17\",\n"
    "    \"Statement\": [\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"iam:*\",\n"
    "                \"organizations:DescribeAccount\",\n"
    "                \"organizations:DescribeOrganization\",\n"
    "                \"organizations:DescribeOrganizationalUnit\",\n"
    "                \"organizations:DescribePolicy\",\n"
    "                \"organizations:ListChildren\",\n"
    "                \"organizations:ListParents\",\n"
    "                \"organizations:ListPoliciesForTarget\",\n"
    "                \"organizations:ListRoots\",\n"
    "                \"organizations:ListPolicies\",\n"
    "                \"organizations:ListTargetsForPolicy\"\n"
    "            ],\n"
    "            \"Resource\": \"*\"\n"
    "        }\n"
    "    ]\n"
    "}";

/* v5, 2018-11-27 (MAMIP policies/AmazonEC2FullAccess). */
static const char DOC_AmazonEC2FullAccess[] =
    "{\n"
    "    \"Version\": \"2012-10-17\",\n"
    "    \"Statement\": [\n"
    "        {\n"
    "            \"Action\": \"ec2:*\",\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": \"elasticloadbalancing:*\",\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": \"cloudwatch:*\",\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": \"autoscaling:*\",\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": \"iam:CreateServiceLinkedRole\",\n"
    "            \"Resource\": \"*\",\n"
    "            \"Condition\": {\n"
    "                \"StringEquals\": {\n"
    "                    \"iam:AWSServiceName\": [\n"
    "                        \"autoscaling.amazonaws.com\",\n"
    "                        \"ec2scheduled.amazonaws.com\",\n"
    "                        \"elasticloadbalancing.amazonaws.com\",\n"
    "                        \"spot.amazonaws.com\",\n"
    "                        \"spotfleet.amazonaws.com\",\n"
    "                        \"transitgateway.amazonaws.com\"\n"
    "                    ]\n"
    "                }\n"
    "            }\n"
    "        }\n"
    "    ]\n"
    "}";

/* v5, 2026-02-12: statement 1 as the managed policy reference shows it for v3..v5;
 * statements 2-4 as in MAMIP's v2 (the reference's v5 text was only seen in part). */
static const char DOC_AmazonEC2ReadOnlyAccess[] =
    "{\n"
    "    \"Version\": \"2012-10-17\",\n"
    "    \"Statement\": [\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"ec2:Describe*\",\n"
    "                \"ec2:GetSecurityGroupsForVpc\"\n"
    "            ],\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": \"elasticloadbalancing:Describe*\",\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"cloudwatch:ListMetrics\",\n"
    "                \"cloudwatch:GetMetricStatistics\",\n"
    "                \"cloudwatch:Describe*\"\n"
    "            ],\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": \"autoscaling:Describe*\",\n"
    "            \"Resource\": \"*\"\n"
    "        }\n"
    "    ]\n"
    "}";

/* v4, 2022-11-27 (MAMIP policies/CloudWatchFullAccess, iann0036/iam-dataset). */
static const char DOC_CloudWatchFullAccess[] =
    "{\n"
    "    \"Version\": \"2012-10-17\",\n"
    "    \"Statement\": [\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"autoscaling:Describe*\",\n"
    "                \"cloudwatch:*\",\n"
    "                \"logs:*\",\n"
    "                \"sns:*\",\n"
    "                \"iam:GetPolicy\",\n"
    "                \"iam:GetPolicyVersion\",\n"
    "                \"iam:GetRole\",\n"
    "                \"oam:ListSinks\"\n"
    "            ],\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": \"iam:CreateServiceLinkedRole\",\n"
    "            \"Resource\": "
    "\"arn:aws:iam::*:role/aws-service-role/events.amazonaws.com/"
    "AWSServiceRoleForCloudWatchEvents*\",\n"
    "            \"Condition\": {\n"
    "                \"StringLike\": {\n"
    "                    \"iam:AWSServiceName\": \"events.amazonaws.com\"\n"
    "                }\n"
    "            }\n"
    "        },\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"oam:ListAttachedLinks\"\n"
    "            ],\n"
    "            \"Resource\": \"arn:aws:oam:*:*:sink/*\"\n"
    "        }\n"
    "    ]\n"
    "}";

/* v14, 2025-12-02 (MAMIP policies/CloudWatchReadOnlyAccess). */
static const char DOC_CloudWatchReadOnlyAccess[] =
    "{\n"
    "    \"Version\": \"2012-10-17\",\n"
    "    \"Statement\": [\n"
    "        {\n"
    "            \"Sid\": \"CloudWatchReadOnlyAccessPermissions\",\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"application-autoscaling:DescribeScalingPolicies\",\n"
    "                \"application-signals:BatchGet*\",\n"
    "                \"application-signals:Get*\",\n"
    "                \"application-signals:List*\",\n"
    "                \"autoscaling:Describe*\",\n"
    "                \"cloudtrail:ListChannels\",\n"
    "                \"cloudwatch:BatchGet*\",\n"
    "                \"cloudwatch:Describe*\",\n"
    "                \"cloudwatch:GenerateQuery\",\n"
    "                \"cloudwatch:Get*\",\n"
    "                \"cloudwatch:List*\",\n"
    "                \"logs:Get*\",\n"
    "                \"logs:List*\",\n"
    "                \"logs:StartQuery\",\n"
    "                \"logs:StopQuery\",\n"
    "                \"logs:Describe*\",\n"
    "                \"logs:TestMetricFilter\",\n"
    "                \"logs:FilterLogEvents\",\n"
    "                \"logs:StartLiveTail\",\n"
    "                \"logs:StopLiveTail\",\n"
    "                \"oam:ListSinks\",\n"
    "                \"observabilityadmin:GetCentralizationRuleForOrganization\",\n"
    "                \"observabilityadmin:ListCentralizationRulesForOrganization\",\n"
    "                \"observabilityadmin:GetTelemetryEvaluationStatus\",\n"
    "                \"observabilityadmin:GetTelemetryEvaluationStatusForOrganization\",\n"
    "                \"observabilityadmin:GetTelemetryRule\",\n"
    "                \"observabilityadmin:GetTelemetryRuleForOrganization\",\n"
    "                \"observabilityadmin:ListResourceTelemetry\",\n"
    "                \"observabilityadmin:ListResourceTelemetryForOrganization\",\n"
    "                \"observabilityadmin:ListTelemetryRules\",\n"
    "                \"observabilityadmin:ListTelemetryRulesForOrganization\",\n"
    "                \"observabilityadmin:GetTelemetryEnrichmentStatus\",\n"
    "                \"observabilityadmin:ListTagsForResource\",\n"
    "                \"observabilityadmin:GetTelemetryPipeline\",\n"
    "                \"observabilityadmin:ListTelemetryPipelines\",\n"
    "                \"observabilityadmin:TestTelemetryPipeline\",\n"
    "                \"observabilityadmin:ValidateTelemetryPipelineConfiguration\",\n"
    "                \"observabilityadmin:GetS3TableIntegration\",\n"
    "                \"observabilityadmin:ListS3TableIntegrations\",\n"
    "                \"sns:Get*\",\n"
    "                \"sns:List*\",\n"
    "                \"rum:BatchGet*\",\n"
    "                \"rum:Get*\",\n"
    "                \"rum:List*\",\n"
    "                \"synthetics:Describe*\",\n"
    "                \"synthetics:Get*\",\n"
    "                \"synthetics:List*\",\n"
    "                \"xray:BatchGet*\",\n"
    "                \"xray:Get*\",\n"
    "                \"xray:List*\",\n"
    "                \"xray:StartTraceRetrieval\",\n"
    "                \"xray:CancelTraceRetrieval\"\n"
    "            ],\n"
    "            \"Resource\": \"*\"\n"
    "        },\n"
    "        {\n"
    "            \"Sid\": \"OAMReadPermissions\",\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"oam:ListAttachedLinks\"\n"
    "            ],\n"
    "            \"Resource\": \"arn:aws:oam:*:*:sink/*\"\n"
    "        },\n"
    "        {\n"
    "            \"Sid\": \"CloudWatchReadOnlyGetRolePermissions\",\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": \"iam:GetRole\",\n"
    "            \"Resource\": "
    "\"arn:aws:iam::*:role/aws-service-role/application-signals.cloudwatch.amazonaws.com/"
    "AWSServiceRoleForCloudWatchApplicationSignals\"\n"
    "        },\n"
    "        {\n"
    "            \"Sid\": \"CloudWatchCloudTrailPermissions\",\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"cloudtrail:GetChannel\"\n"
    "            ],\n"
    "            \"Resource\": "
    "\"arn:aws:cloudtrail:*:*:channel/aws-service-channel/application-signals/*\"\n"
    "        },\n"
    "        {\n"
    "            \"Sid\": \"CloudWatchServiceQuotaPermissions\",\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"servicequotas:GetServiceQuota\"\n"
    "            ],\n"
    "            \"Resource\": [\n"
    "                \"arn:aws:servicequotas:*:*:s3/*\",\n"
    "                \"arn:aws:servicequotas:*:*:dynamodb/*\",\n"
    "                \"arn:aws:servicequotas:*:*:kinesis/*\",\n"
    "                \"arn:aws:servicequotas:*:*:sns/*\",\n"
    "                \"arn:aws:servicequotas:*:*:bedrock/*\",\n"
    "                \"arn:aws:servicequotas:*:*:lambda/*\",\n"
    "                \"arn:aws:servicequotas:*:*:fargate/*\",\n"
    "                \"arn:aws:servicequotas:*:*:elasticloadbalancing/*\",\n"
    "                \"arn:aws:servicequotas:*:*:ec2/*\"\n"
    "            ]\n"
    "        },\n"
    "        {\n"
    "            \"Sid\": \"CloudWatchResourceExplorerPermissions\",\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"resource-explorer-2:ListIndexes\",\n"
    "                \"resource-explorer-2:Search\"\n"
    "            ],\n"
    "            \"Resource\": [\n"
    "                "
    "\"arn:aws:resource-explorer-2:*::view/AWSServiceViewForApplicationSignals/service-view\",\n"
    "                "
    "\"arn:aws:resource-explorer-2:*::view/AWSServiceViewForApplicationSignalsOrgScopeProd/"
    "service-view\"\n"
    "            ]\n"
    "        }\n"
    "    ]\n"
    "}";

/* v1, 2019-07-26 (MAMIP; managed policy reference). */
static const char DOC_AWSCloudFormationFullAccess[] = "{\n"
                                                      "    \"Version\": \"2012-10-17\",\n"
                                                      "    \"Statement\": [\n"
                                                      "        {\n"
                                                      "            \"Effect\": \"Allow\",\n"
                                                      "            \"Action\": [\n"
                                                      "                \"cloudformation:*\"\n"
                                                      "            ],\n"
                                                      "            \"Resource\": \"*\"\n"
                                                      "        }\n"
                                                      "    ]\n"
                                                      "}";

/* v1, 2017-11-17 (MAMIP; managed policy reference). Note: no ec2 recover action (§0). */
static const char DOC_CloudWatchEventsServiceRolePolicy[] =
    "{\n"
    "    \"Version\": \"2012-10-17\",\n"
    "    \"Statement\": [\n"
    "        {\n"
    "            \"Effect\": \"Allow\",\n"
    "            \"Action\": [\n"
    "                \"cloudwatch:DescribeAlarms\",\n"
    "                \"ec2:DescribeInstanceStatus\",\n"
    "                \"ec2:DescribeInstances\",\n"
    "                \"ec2:DescribeSnapshots\",\n"
    "                \"ec2:DescribeVolumeStatus\",\n"
    "                \"ec2:DescribeVolumes\",\n"
    "                \"ec2:RebootInstances\",\n"
    "                \"ec2:StopInstances\",\n"
    "                \"ec2:TerminateInstances\",\n"
    "                \"ec2:CreateSnapshot\"\n"
    "            ],\n"
    "            \"Resource\": \"*\"\n"
    "        }\n"
    "    ]\n"
    "}";

#define P "arn:aws:iam::aws:policy/"

static const struct managed_policy policies[] = {
    {"AdministratorAccess", "/", P "AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1",
     "2015-02-06T18:39:46Z", "2015-02-06T18:39:46Z",
     "Provides full access to AWS services and resources.", DOC_AdministratorAccess, false},
    {"PowerUserAccess", "/", P "PowerUserAccess", "ANPAJYRXTHIB4FOVS3ZXS", "v12",
     "2015-02-06T18:39:47Z", "2026-02-12T17:59:14Z",
     "Provides full access to AWS services and resources, but does not allow management of "
     "Users and groups.",
     DOC_PowerUserAccess, false},
    /* version id and dates of the stand-in: inferred (creation second from public dumps) */
    {"ReadOnlyAccess", "/", P "ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ", "v1",
     "2015-02-06T18:39:48Z", "2015-02-06T18:39:48Z",
     "Provides read-only access to AWS services and resources.", DOC_ReadOnlyAccess, false},
    /* creation second inferred (the reference shows 18:40) */
    {"IAMFullAccess", "/", P "IAMFullAccess", "ANPAI7XKCFMBPM3QQRRVQ", "v2", "2015-02-06T18:40:38Z",
     "2019-06-21T19:40:00Z", "Provides full access to IAM via the AWS Management Console.",
     DOC_IAMFullAccess, false},
    {"AmazonEC2FullAccess", "/", P "AmazonEC2FullAccess", "ANPAI3VAJF5ZCRZ7MCQE6", "v5",
     "2015-02-06T18:40:15Z", "2018-11-27T02:16:56Z",
     "Provides full access to Amazon EC2 via the AWS Management Console.", DOC_AmazonEC2FullAccess,
     false},
    /* update second inferred (the reference shows 18:03) */
    {"AmazonEC2ReadOnlyAccess", "/", P "AmazonEC2ReadOnlyAccess", "ANPAIGDT4SV4GSETWTBZK", "v5",
     "2015-02-06T18:40:17Z", "2026-02-12T18:03:00Z",
     "Provides read only access to Amazon EC2 via the AWS Management Console.",
     DOC_AmazonEC2ReadOnlyAccess, false},
    /* creation second inferred (the reference shows 18:40) */
    {"CloudWatchFullAccess", "/", P "CloudWatchFullAccess", "ANPAIKEABORKUXN6DEAZU", "v4",
     "2015-02-06T18:40:00Z", "2022-11-27T13:23:49Z", "Provides full access to CloudWatch.",
     DOC_CloudWatchFullAccess, false},
    /* creation second inferred (the reference shows 18:40) */
    {"CloudWatchReadOnlyAccess", "/", P "CloudWatchReadOnlyAccess", "ANPAJN23PDQP7SZQAE3QE", "v14",
     "2015-02-06T18:40:08Z", "2025-12-02T16:49:09Z", "Provides read only access to CloudWatch.",
     DOC_CloudWatchReadOnlyAccess, false},
    /* policy id inferred: not found in public dumps */
    {"AWSCloudFormationFullAccess", "/", P "AWSCloudFormationFullAccess", "ANPARECOVERLABCFN0001",
     "v1", "2019-07-26T21:50:35Z", "2019-07-26T21:50:35Z",
     "Provides full access to AWS CloudFormation.", DOC_AWSCloudFormationFullAccess, false},
    /* policy id inferred: not found in public dumps */
    {"CloudWatchEventsServiceRolePolicy", "/aws-service-role/",
     P "aws-service-role/CloudWatchEventsServiceRolePolicy", "ANPARECOVERLABCWE0001", "v1",
     "2017-11-17T00:42:04Z", "2017-11-17T00:42:04Z",
     "Allow AWS CloudWatch to execute actions on your behalf configured through alarms and "
     "events.",
     DOC_CloudWatchEventsServiceRolePolicy, true},
};

#undef P

size_t managed_policy_count(void)
{
    return ARRAY_LEN(policies);
}

const struct managed_policy *managed_policy_at(size_t i)
{
    return i < ARRAY_LEN(policies) ? &policies[i] : NULL;
}

const struct managed_policy *managed_policy_by_arn(const char *arn)
{
    for (size_t i = 0; arn && i < ARRAY_LEN(policies); i++)
        if (strcmp(policies[i].arn, arn) == 0)
            return &policies[i];
    return NULL;
}

const struct managed_policy *managed_policy_by_name(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_LEN(policies); i++)
        if (strcmp(policies[i].name, name) == 0)
            return &policies[i];
    return NULL;
}
