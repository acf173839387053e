/* cli_lint_sns_test.c — lint's note on recover alarms that notify nobody (issue 12): absent
 * when an action list names an SNS topic (ARN, Ref to an AWS::SNS::Topic or a parameter). */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "harness.h"

static bool has_rule(const char *tmpl, const char *rule)
{
    json_t *f = json_array();
    cli_lint_body("t.json", tmpl, strlen(tmpl), f);
    bool found = false;
    size_t i;
    json_t *x;
    json_array_foreach(f, i, x)
    {
        found |= str_eq(json_string_value(json_object_get(x, "rule")), rule);
    }
    json_decref(f);
    return found;
}

#define TMPL(ACTIONS)                                                                              \
    "{\"Parameters\":{\"Pager\":{\"Type\":\"String\"}},\"Resources\":{"                            \
    "\"Topic\":{\"Type\":\"AWS::SNS::Topic\"},"                                                    \
    "\"I\":{\"Type\":\"AWS::EC2::Instance\",\"Properties\":{\"ImageId\":\"ami-1\","                \
    "\"InstanceType\":\"t3.micro\"}},"                                                             \
    "\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\",\"Properties\":{\"Namespace\":\"AWS/EC2\","        \
    "\"MetricName\":\"StatusCheckFailed_System\",\"Statistic\":\"Minimum\",\"Period\":60,"         \
    "\"EvaluationPeriods\":2,\"Threshold\":0,\"ComparisonOperator\":\"GreaterThanThreshold\","     \
    "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":{\"Ref\":\"I\"}}],"                        \
    "\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:recover\"" ACTIONS "]}}}}"

TEST(cli_lint_recover_without_notification)
{
    CHECK(has_rule(TMPL(""), "recover-without-notification"));
    CHECK(!has_rule(TMPL(",{\"Ref\":\"Topic\"}"), "recover-without-notification"));
    CHECK(!has_rule(TMPL(",{\"Ref\":\"Pager\"}"), "recover-without-notification"));
    CHECK(!has_rule(TMPL(",\"arn:aws:sns:us-east-1:123456789012:ops\""),
                    "recover-without-notification"));
    CHECK(!has_rule(TMPL(",{\"Fn::Sub\":\"arn:aws:sns:${AWS::Region}:${AWS::AccountId}:ops\"}"),
                    "recover-without-notification"));
}
