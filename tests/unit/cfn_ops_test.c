/*
 * cfn_ops_test.c — ValidateTemplate and GetTemplateSummary through the handler fixture
 * (Query protocol, XML responses).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "svc_fixture.h"

/* Calls op with {"TemplateBody": body}. */
static int call_body(struct fx *f, const char *op, op_handler *fn, const char *body)
{
    json_t *in = json_pack("{s:s}", "TemplateBody", body);
    char *s = json_dumps(in, JSON_COMPACT);
    int rc = fx_call(f, "cloudformation", op, fn, s);
    free(s);
    json_decref(in);
    return rc;
}

static const char iam_tmpl[] =
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Description: roles and an instance\n"
    "Metadata: {Owner: lab}\n"
    "Parameters:\n"
    "  Env: {Type: String, Default: prod, AllowedValues: [prod, dev], Description: stage}\n"
    "  Secret: {Type: String, NoEcho: true}\n"
    "Resources:\n"
    "  Role: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}\n"
    "  Prof: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Role]}}\n"
    "  Inst: {Type: AWS::EC2::Instance, Properties: {IamInstanceProfile: !Ref Prof}}\n"
    "  Inst2: {Type: AWS::EC2::Instance}\n";

TEST(cfn_ops_validate_template)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(call_body(&f, "ValidateTemplate", cfn_validate_template, iam_tmpl), 0);
    CHECK(f.out_error == NULL);
    CHECK_CONTAINS(f.body, "<ValidateTemplateResult>");
    CHECK_CONTAINS(f.body, "<ParameterKey>Env</ParameterKey>");
    CHECK_CONTAINS(f.body, "<DefaultValue>prod</DefaultValue>");
    CHECK_CONTAINS(f.body, "<NoEcho>true</NoEcho>");
    CHECK_CONTAINS(f.body, "<Description>stage</Description>");
    CHECK_CONTAINS(f.body, "<Description>roles and an instance</Description>");
    CHECK_CONTAINS(f.body, "<member>CAPABILITY_IAM</member>");
    CHECK_CONTAINS(f.body, "<CapabilitiesReason>The following resource(s) require capabilities:"
                           " [AWS::IAM::Role, AWS::IAM::InstanceProfile]</CapabilitiesReason>");

    /* a named role needs CAPABILITY_NAMED_IAM */
    CHECK_EQ_INT(call_body(&f, "ValidateTemplate", cfn_validate_template,
                           "Resources:\n  R: {Type: AWS::IAM::Role, Properties: {RoleName: x}}\n"),
                 0);
    CHECK_CONTAINS(f.body, "<member>CAPABILITY_NAMED_IAM</member>");

    /* the seed: no capabilities */
    CHECK_EQ_INT(call_body(&f, "ValidateTemplate", cfn_validate_template,
                           "{\"Resources\": {\"I\": {\"Type\": \"AWS::EC2::Instance\"}}}"),
                 0);
    CHECK(strstr(f.body, "CAPABILITY") == NULL);

    /* a type AWS has (the lab does not implement it): valid, as on AWS */
    CHECK_EQ_INT(call_body(&f, "ValidateTemplate", cfn_validate_template,
                           "Resources:\n  A: {Type: AWS::S3::Bucket}\n"),
                 0);
    /* a type that does not exist: AWS's error */
    CHECK_EQ_INT(call_body(&f, "ValidateTemplate", cfn_validate_template,
                           "Resources:\n  A: {Type: AWS::S3::Bukket}\n"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_EQ_STR(fx_err_message(&f),
                 "Template format error: Unrecognized resource types: [AWS::S3::Bukket]");
    CHECK_CONTAINS(f.body, "<Code>ValidationError</Code>");

    CHECK_EQ_INT(fx_call(&f, "cloudformation", "ValidateTemplate", cfn_validate_template,
                         "{\"TemplateURL\": \"https://s3.amazonaws.com/b/t.json\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f),
                 "TemplateURL must reference a valid S3 object to which you have access.");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "ValidateTemplate", cfn_validate_template, "{}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Either Template URL or Template Body must be specified.");
    char *big = xmalloc(60000);
    memset(big, ' ', 59999);
    big[59999] = 0;
    memcpy(big, "Resources:", 10);
    CHECK_EQ_INT(call_body(&f, "ValidateTemplate", cfn_validate_template, big), -1);
    CHECK_CONTAINS(fx_err_message(&f), "at 'templateBody' failed to satisfy constraint: Member"
                                       " must have length less than or equal to 51200");
    free(big);
    fx_close(&f);
}

TEST(cfn_ops_get_template_summary)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(call_body(&f, "GetTemplateSummary", cfn_get_template_summary, iam_tmpl), 0);
    CHECK(f.out_error == NULL);
    CHECK_CONTAINS(f.body, "<GetTemplateSummaryResult>");
    CHECK_CONTAINS(f.body, "<ParameterType>String</ParameterType>");
    CHECK_CONTAINS(f.body, "<AllowedValues><member>prod</member><member>dev</member>"
                           "</AllowedValues>");
    CHECK_CONTAINS(f.body, "<ResourceTypes><member>AWS::IAM::Role</member>"
                           "<member>AWS::IAM::InstanceProfile</member>"
                           "<member>AWS::EC2::Instance</member></ResourceTypes>");
    CHECK_CONTAINS(f.body, "<Version>2010-09-09</Version>");
    CHECK_CONTAINS(f.body, "<Metadata>{&quot;Owner&quot;:&quot;lab&quot;}</Metadata>");
    CHECK_CONTAINS(f.body, "<ResourceType>AWS::EC2::Instance</ResourceType>"
                           "<LogicalResourceIds><member>Inst</member><member>Inst2</member>"
                           "</LogicalResourceIds><ResourceIdentifiers><member>InstanceId</member>");
    CHECK_CONTAINS(f.body, "<member>CAPABILITY_IAM</member>");

    CHECK_EQ_INT(call_body(&f, "GetTemplateSummary", cfn_get_template_summary,
                           "Transform: AWS::Serverless-2016-10-31\nResources:\n"
                           "  I: {Type: AWS::EC2::Instance}\n"),
                 0);
    CHECK_CONTAINS(f.body, "<DeclaredTransforms><member>AWS::Serverless-2016-10-31</member>");

    CHECK_EQ_INT(fx_call(&f, "cloudformation", "GetTemplateSummary", cfn_get_template_summary,
                         "{\"StackName\": \"nostack\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Stack with id nostack does not exist");
    CHECK_EQ_INT(call_body(&f, "GetTemplateSummary", cfn_get_template_summary, "A: [\n"), -1);
    CHECK_CONTAINS(fx_err_message(&f), "Template format error: YAML not well-formed. (line ");
    fx_close(&f);
}
