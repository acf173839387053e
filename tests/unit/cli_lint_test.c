/* cli_lint_test.c — `recoverlab lint` rules on fixture templates (offline). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "harness.h"

/* The findings of one template: {"rule@line": severity, ...} rendered as one string, in
 * order, and the lint result (errors or -1). */
static int lint(const char *name, const char *body, char *out, size_t cap)
{
    json_t *f = json_array();
    int r = cli_lint_body(name, body, strlen(body), f);
    size_t i, used = 0;
    json_t *x;
    out[0] = 0;
    json_array_foreach(f, i, x)
    {
        int n = snprintf(out + used, cap - used, "%s%s:%s@%lld", i ? " " : "",
                         json_string_value(json_object_get(x, "severity")),
                         json_string_value(json_object_get(x, "rule")),
                         (long long)json_integer_value(json_object_get(x, "line")));
        if (n > 0 && (size_t)n < cap - used)
            used += (size_t)n;
    }
    json_decref(f);
    return r;
}

TEST(cli_lint_seed_ec2_json)
{
    size_t len;
    char *body = harness_read_file("fuzz/seeds/fuzz_yaml_template/ec2.json", &len);
    CHECK(body != NULL);
    if (!body)
        return;
    char out[2048];
    int r = lint("ec2.json", body, out, sizeof(out));
    CHECK_EQ_INT(r, 0);
    /* MetricName is on line 22 of the seed's template; the note points at the resource */
    CHECK_EQ_STR(out, "warning:recover-on-status-check-failed@22 note:recover-runs-as-deployer@18 "
                      "note:recover-without-notification@28");
    free(body);
}

static const char *instance_check =
    "{\n"
    "  \"Resources\": {\n"
    "    \"Web\": {\n"
    "      \"Type\": \"AWS::EC2::Instance\",\n"
    "      \"Properties\": { \"ImageId\": \"ami-374db956\", \"InstanceType\": \"t2.micro\" }\n"
    "    },\n"
    "    \"Alarm\": {\n"
    "      \"Type\": \"AWS::CloudWatch::Alarm\",\n"
    "      \"Properties\": {\n"
    "        \"Namespace\": \"AWS/EC2\",\n"
    "        \"MetricName\": \"StatusCheckFailed_Instance\",\n"
    "        \"Statistic\": \"Minimum\", \"Period\": 60, \"EvaluationPeriods\": 2,\n"
    "        \"ComparisonOperator\": \"GreaterThanThreshold\", \"Threshold\": 0,\n"
    "        \"AlarmActions\": [ { \"Fn::Sub\": \"arn:aws:automate:${AWS::Region}:ec2:recover\" } "
    "],\n"
    "        \"Dimensions\": [ { \"Name\": \"InstanceId\", \"Value\": { \"Ref\": \"Web\" } } ]\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

TEST(cli_lint_recover_on_instance_check_is_error)
{
    char out[2048];
    int r = lint("t.json", instance_check, out, sizeof(out));
    CHECK_EQ_INT(r, 1);
    CHECK_EQ_STR(out, "error:recover-on-instance-check@11 note:recover-runs-as-deployer@7 "
                      "note:recover-without-notification@14");
}

static const char *yaml_many =
    "Parameters:\n"
    "  Type:\n"
    "    Type: String\n"
    "    Default: c5.metal\n"
    "Resources:\n"
    "  Box:\n"
    "    Type: AWS::EC2::Instance\n"
    "    Properties:\n"
    "      ImageId: ami-1\n"
    "      InstanceType: !Ref Type\n"
    "  Recover:\n"
    "    Type: AWS::CloudWatch::Alarm\n"
    "    Properties:\n"
    "      Namespace: AWS/EC2\n"
    "      MetricName: StatusCheckFailed_System\n"
    "      Statistic: Maximum\n"
    "      Period: 90\n"
    "      EvaluationPeriods: 2\n"
    "      Threshold: 0\n"
    "      ComparisonOperator: GreaterThanThreshold\n"
    "      TreatMissingData: breaching\n"
    "      AlarmActions: [!Sub 'arn:aws:automate:${AWS::Region}:ec2:recover']\n"
    "      Dimensions:\n"
    "        - Name: InstanceId\n"
    "          Value: !Ref Box\n"
    "  Reboot:\n"
    "    Type: AWS::CloudWatch::Alarm\n"
    "    Properties:\n"
    "      Namespace: AWS/EC2\n"
    "      MetricName: StatusCheckFailed_Instance\n"
    "      Statistic: Maximum\n"
    "      Period: 60\n"
    "      EvaluationPeriods: 2\n"
    "      Threshold: 0\n"
    "      ComparisonOperator: GreaterThanThreshold\n"
    "      AlarmActions: [arn:aws:automate:us-east-1:ec2:reboot]\n"
    "      Dimensions:\n"
    "        - Name: InstanceId\n"
    "          Value: !Ref Box\n"
    "  NoInstance:\n"
    "    Type: AWS::CloudWatch::Alarm\n"
    "    Properties:\n"
    "      Namespace: AWS/EC2\n"
    "      MetricName: CPUUtilization\n"
    "      Statistic: Average\n"
    "      Period: 60\n"
    "      EvaluationPeriods: 3\n"
    "      DatapointsToAlarm: 4\n"
    "      Threshold: 90\n"
    "      ComparisonOperator: GreaterThanThreshold\n"
    "      ActionsEnabled: false\n"
    "      AlarmActions: [arn:aws:automate:us-east-1:ec2:stop]\n";

TEST(cli_lint_yaml_rules_and_lines)
{
    char out[4096];
    int r = lint("t.yaml", yaml_many, out, sizeof(out));
    CHECK_EQ_INT(r, 4);
    CHECK_EQ_STR(out, "warning:treat-missing-breaching@21 error:instance-type-not-recoverable@23 "
                      "error:invalid-period@17 note:recover-runs-as-deployer@11 "
                      "note:recover-without-notification@22 "
                      "warning:reboot-recover-race@18 "
                      "error:ec2-action-without-instance@40 warning:actions-disabled@51 "
                      "error:invalid-window@48");
}

TEST(cli_lint_bad_template_and_no_ec2_actions)
{
    char out[1024];
    CHECK_EQ_INT(lint("x.json", "{\"Resources\": 3}", out, sizeof(out)), -1);
    CHECK_CONTAINS(out, "error:template@0");
    const char *sns = "Resources:\n  A:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n"
                      "      MetricName: StatusCheckFailed_Instance\n      Namespace: AWS/EC2\n"
                      "      AlarmActions: [arn:aws:sns:us-east-1:123456789012:t]\n";
    CHECK_EQ_INT(lint("s.yaml", sns, out, sizeof(out)), 0);
    CHECK_EQ_STR(out, "");
    CHECK_EQ_INT(cli_action_kind("arn:aws:swf:us-east-1:123456789012:action/actions/"
                                 "AWS_EC2.InstanceId.Reboot/1.0"),
                 CLI_ACT_REBOOT);
    CHECK_EQ_INT(cli_action_kind("arn:aws:automate:eu-west-1:ec2:terminate"), CLI_ACT_TERMINATE);
    CHECK_EQ_INT(cli_action_kind("arn:aws:sns:us-east-1:1:ec2:recover"), 0);
}

TEST(cli_lint_lines_from_marks_and_text_scan)
{
    char out[1024];
    /* a comment naming the key comes first: libyaml's marks are not fooled */
    const char *yaml = "# MetricName: in a comment\n"
                       "Resources:\n"
                       "  R:   # RecoveryAlarm\n"
                       "    Type: AWS::CloudWatch::Alarm\n"
                       "    Properties:\n"
                       "      Namespace: AWS/EC2\n"
                       "      Dimensions: [{Name: InstanceId, Value: i-1}]\n"
                       "      AlarmActions: [arn:aws:automate:us-east-1:ec2:recover]\n"
                       "      MetricName: StatusCheckFailed_Instance\n";
    CHECK_EQ_INT(lint("y.yaml", yaml, out, sizeof(out)), 1);
    CHECK_EQ_STR(out, "error:recover-on-instance-check@9 note:recover-runs-as-deployer@3 "
                      "note:recover-without-notification@8");
    /* a JSON key longer than YAML's 1024-character simple keys: libyaml refuses the text,
     * the text scan finds the keys */
    char long_key[1101];
    memset(long_key, 'k', 1100);
    long_key[1100] = 0;
    char json[4096];
    snprintf(json, sizeof(json),
             "{\n\t\"Metadata\": {\"%s\": 1},\n\t\"Resources\": {\n\t\t\"R\": {\n"
             "\t\t\t\"Type\": \"AWS::CloudWatch::Alarm\",\n\t\t\t\"Properties\": {\n"
             "\t\t\t\t\"AlarmActions\": [\"arn:aws:automate:us-east-1:ec2:reboot\"],\n"
             "\t\t\t\t\"Dimensions\": [{\"Name\": \"InstanceId\", \"Value\": \"i-1\"}],\n"
             "\t\t\t\t\"TreatMissingData\": \"breaching\"\n\t\t\t}\n\t\t}\n\t}\n}\n",
             long_key);
    CHECK_EQ_INT(lint("long.json", json, out, sizeof(out)), 0);
    CHECK_EQ_STR(out, "warning:treat-missing-breaching@9");
}
