/*
 * cfn_validate_test.c — template validation messages, the dependency graph (order,
 * cycles) and generated physical names.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"
#include "harness.h"

/* Loads and validates a YAML/JSON template; "" when valid, else the message (heap). */
static char *validate(const char *text)
{
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(text, strlen(text), &e);
    if (!t)
        return xstrdup(e.msg);
    char *r = xstrdup(cfn_template_validate(t, &e) == 0 ? "" : e.msg);
    json_decref(t);
    return r;
}

#define CHECK_VALID(text, want)                                                                    \
    do {                                                                                           \
        char *_r = validate(text);                                                                 \
        CHECK_EQ_STR(_r, (want));                                                                  \
        free(_r);                                                                                  \
    } while (0)

#define INST "{Type: AWS::EC2::Instance}"

TEST(cfn_validate_sections_and_resources)
{
    CHECK_VALID("Resources:\n  A: " INST "\n", "");
    CHECK_VALID("AWSTemplateFormatVersion: 2010-09-09\nDescription: d\nMetadata: {}\n"
                "Resources:\n  A: " INST "\nOutputs:\n  O: {Value: !Ref A}\n",
                "");
    CHECK_VALID("Resources:\n  A: " INST "\nBogus: 1\nOther: 2\n",
                "Template format error: Invalid template property or properties [Bogus, Other]");
    CHECK_VALID("Description: x\n",
                "Template format error: At least one Resources member must be defined.");
    CHECK_VALID("{\"Resources\": {}}",
                "Template format error: At least one Resources member must be defined.");
    CHECK_VALID("Resources:\n  B:\n    Properties: {}\n",
                "Template format error: [/Resources/B] Every Resources object must contain a"
                " Type member.");
    CHECK_VALID("Resources:\n  A-1: " INST "\n",
                "Template format error: Resource name A-1 is non alphanumeric.");
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Propertes: {}}\n",
                "Invalid template resource property 'Propertes'");
    CHECK_VALID("Resources:\n  A: {Type: AWS::S3::Bukket}\n  B: {Type: AWS::SQS::Q}\n"
                "  C: {Type: AWS::S3::Bukket}\n  D: " INST "\n  E: {Type: AWS::SNS::Topic}\n",
                "Template format error: Unrecognized resource types: [AWS::S3::Bukket,"
                " AWS::SQS::Q]");
    /* types AWS has, and custom resources: valid */
    CHECK_VALID("Resources:\n  A: {Type: AWS::S3::Bucket}\n  B: {Type: Custom::Thing}\n", "");
    CHECK_VALID("AWSTemplateFormatVersion: 2012-01-01\nResources:\n  A: " INST "\n",
                "Template format error: Unsupported value for AWSTemplateFormatVersion.");
}

TEST(cfn_validate_supported_types)
{
    const char *types[] = {
        "AWS::EC2::Instance",  "AWS::CloudWatch::Alarm",    "AWS::CloudWatch::CompositeAlarm",
        "AWS::IAM::Role",      "AWS::IAM::InstanceProfile", "AWS::IAM::User",
        "AWS::IAM::AccessKey", "AWS::IAM::Policy",          "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Group",     "AWS::EC2::Volume",          "AWS::EC2::VolumeAttachment"};
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        CHECK(cfn_resource_type_supported(types[i]));
    CHECK(cfn_resource_type_supported("AWS::EC2::VPC"));
    CHECK(cfn_resource_type_supported("AWS::EC2::SecurityGroup"));
    CHECK(cfn_resource_type_supported("AWS::SSM::Parameter"));
    CHECK(!cfn_resource_type_supported("AWS::EC2::NatGateway"));
    CHECK(!cfn_resource_type_supported("aws::ec2::instance"));
    CHECK(cfn_resource_type_is_iam("AWS::IAM::Role"));
    CHECK(!cfn_resource_type_is_iam("AWS::EC2::Instance"));
}

TEST(cfn_validate_references)
{
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Properties: {X: !Ref Ghost}}\n",
                "Template format error: Unresolved resource dependencies [Ghost] in the"
                " Resources block of the template");
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, DependsOn: [Nope, Zip]}\n",
                "Template format error: Unresolved resource dependencies [Nope, Zip] in the"
                " Resources block of the template");
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Properties: {X: !Sub '${Gone}'}}\n",
                "Template format error: Unresolved resource dependencies [Gone] in the"
                " Resources block of the template");
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Properties: {X: !Sub ['${V}',"
                " {V: v}], Y: !Sub '${AWS::Region}${!Lit}'}}\n",
                "");
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Properties: {X: !GetAtt Ghost.Arn}}\n",
                "Template error: instance of Fn::GetAtt references undefined resource Ghost");
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Properties: {X: !GetAtt [A]}}\n",
                "Template error: every Fn::GetAtt object requires two non-empty parameters, the"
                " resource name and the resource attribute");
    CHECK_VALID("Resources:\n  A: " INST "\nOutputs:\n  O: {Value: !GetAtt A.Arn}\n",
                "Template error: resource A does not support attribute type Arn in Fn::GetAtt");
    CHECK_VALID("Resources:\n  A: " INST "\n  B: {Type: AWS::IAM::Role}\nOutputs:\n"
                "  O: {Value: !GetAtt A.PublicIp}\n  P: {Value: !GetAtt [B, Arn]}\n"
                "  Q: {Value: !GetAtt [B, !Ref AWS::Region]}\n",
                "");
    CHECK(cfn_resource_attr_supported("AWS::CloudWatch::Alarm", "Arn"));
    CHECK(!cfn_resource_attr_supported("AWS::EC2::VolumeAttachment", "Arn"));
    CHECK(!cfn_resource_attr_supported("AWS::S3::Bucket", "Arn"));
    CHECK_VALID("Resources:\n  A: " INST "\nOutputs:\n  O: {Value: !Ref Ghost}\n",
                "Unresolved resource dependencies [Ghost] in the Outputs block of the"
                " template");
    CHECK_VALID("Resources:\n  A: " INST "\nOutputs:\n  O: {Description: no value}\n",
                "Template format error: Every Outputs member must contain a Value object");
    CHECK_VALID("Parameters:\n  P: {Type: String}\nResources:\n  A: {Type: AWS::EC2::Instance,"
                " Properties: {X: !Ref P}}\n",
                "");
    CHECK_VALID("Parameters:\n  P: {Type: Bogus}\nResources:\n  A: " INST "\n",
                "Template format error: Unrecognized parameter type: Bogus");
}

TEST(cfn_validate_conditions)
{
    CHECK_VALID("Conditions:\n  C: !Equals [!Ref A, x]\nResources:\n  A: " INST "\n",
                "Template format error: Unresolved dependencies [A]. Cannot reference resources"
                " in the Conditions block of the template");
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Properties: {X: !If [Nope, 1, 2]}}\n",
                "Template error: unresolved condition dependency Nope in Fn::If");
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Condition: Nope}\n",
                "Template format error: Unresolved condition dependencies [Nope] in the"
                " Resources block of the template");
    char *r = validate("Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n"
                       "Resources:\n  R: " INST "\n");
    CHECK_EQ_STR(r, "Template error: Found circular condition dependency: [A, B]");
    free(r);
    CHECK_VALID(
        "Parameters:\n  E: {Type: String, Default: a}\nConditions:\n"
        "  C: !Equals [!Ref E, a]\n  D: !And [!Condition C, !Equals [!Ref AWS::Region, x]]\n"
        "Resources:\n  R: {Type: AWS::EC2::Instance, Condition: D}\n",
        "");
}

TEST(cfn_validate_cycles)
{
    CHECK_VALID("Resources:\n  A: {Type: AWS::EC2::Instance, Properties: {X: !Ref B}}\n"
                "  B: {Type: AWS::EC2::Instance, DependsOn: A}\n",
                "Template format error: Circular dependency between resources: [A, B]");
    /* C only depends on the cycle: it is not named */
    CHECK_VALID("Resources:\n  C: {Type: AWS::EC2::Instance, DependsOn: B}\n"
                "  A: {Type: AWS::EC2::Instance, Properties: {X: !GetAtt B.PrivateIp}}\n"
                "  B: {Type: AWS::EC2::Instance, Properties: {Y: !Sub '${A}'}}\n",
                "Template format error: Circular dependency between resources: [A, B]");
    CHECK_VALID("Resources:\n  S: {Type: AWS::EC2::Instance, Properties: {X: !Ref S}}\n",
                "Template format error: Circular dependency between resources: [S]");
}

static char *order_of(const char *text, bool del)
{
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(text, strlen(text), &e);
    json_t *o = NULL;
    int rc = del ? cfn_graph_delete_order(t, &o, &e) : cfn_graph_order(t, &o, &e);
    char *r = rc == 0 ? json_dumps(o, JSON_COMPACT) : xstrdup(e.msg);
    json_decref(o);
    json_decref(t);
    return r;
}

TEST(cfn_graph_topological_order)
{
    const char *t =
        "Resources:\n"
        "  Alarm: {Type: AWS::CloudWatch::Alarm, Properties: {D: [{Value: !Ref Inst}]}}\n"
        "  Attach: {Type: AWS::EC2::VolumeAttachment, Properties: {I: !Ref Inst,"
        " V: !Ref Vol}}\n"
        "  Inst: {Type: AWS::EC2::Instance, Properties: {IamInstanceProfile: !Ref Prof}}\n"
        "  Vol: {Type: AWS::EC2::Volume, Properties: {AvailabilityZone:"
        " !GetAtt Inst.AvailabilityZone}}\n"
        "  Prof: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Role]}}\n"
        "  Role: {Type: AWS::IAM::Role}\n"
        "  Lone: {Type: AWS::IAM::User, DependsOn: Role}\n";
    char *o = order_of(t, false);
    CHECK_EQ_STR(o, "[\"Role\",\"Prof\",\"Inst\",\"Alarm\",\"Vol\",\"Attach\",\"Lone\"]");
    free(o);
    o = order_of(t, true);
    CHECK_EQ_STR(o, "[\"Lone\",\"Attach\",\"Vol\",\"Alarm\",\"Inst\",\"Prof\",\"Role\"]");
    free(o);

    struct cfn_err e = {{0}};
    json_t *tt = cfn_template_load(t, strlen(t), &e);
    json_t *deps = NULL;
    CHECK(cfn_graph_deps(tt, &deps, &e) == 0);
    char *d = json_dumps(json_object_get(deps, "Attach"), JSON_COMPACT);
    CHECK_EQ_STR(d, "[\"Inst\",\"Vol\"]");
    free(d);
    json_decref(deps);
    json_decref(tt);
}

TEST(cfn_graph_seed_order)
{
    const char *seed = "{\"Resources\": {\"RecoveryAlarm\": {\"Type\": \"AWS::CloudWatch::Alarm\","
                       " \"Properties\": {\"Dimensions\": [{\"Name\": \"InstanceId\", \"Value\":"
                       " {\"Ref\": \"Ec2Instance\"}}]}}, \"Ec2Instance\": {\"Type\":"
                       " \"AWS::EC2::Instance\"}}}";
    char *o = order_of(seed, false);
    CHECK_EQ_STR(o, "[\"Ec2Instance\",\"RecoveryAlarm\"]");
    free(o);
}

static bool suffix_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 12 && n != 13)
        return false;
    if (n == 13 && !(s[0] >= '1' && s[0] <= '3'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

TEST(cfn_names_generated)
{
    bool seen_diff = false;
    char *prev = NULL;
    for (int i = 0; i < 50; i++) {
        char *n = cfn_physical_name("ec2-recoveryalarm-role", "RecoveryAlarm", 255);
        CHECK(str_startswith(n, "ec2-recoveryalarm-role-RecoveryAlarm-"));
        CHECK(suffix_ok(n + strlen("ec2-recoveryalarm-role-RecoveryAlarm-")));
        if (prev && !str_eq(prev, n))
            seen_diff = true;
        free(prev);
        prev = n;
    }
    free(prev);
    CHECK(seen_diff);

    char *n = cfn_physical_name_with("mystack", "myqueue", "1VF9BKQH5BJVI", 80);
    CHECK_EQ_STR(n, "mystack-myqueue-1VF9BKQH5BJVI");
    free(n);
    /* 64-character limit (IAM role names): room 50 = 25 + 25 */
    n = cfn_physical_name_with("a-very-long-stack-name-for-testing-limits",
                               "AnEvenLongerLogicalResourceIdentifier", "POBWQPDJA81F", 64);
    CHECK_EQ_INT(strlen(n), 64);
    CHECK_EQ_STR(n, "a-very-long-stack-name-fo-AnEvenLongerLogicalResour-POBWQPDJA81F");
    free(n);
    /* a short stack name gives its spare room to the logical id */
    n = cfn_physical_name_with("s", "AnEvenLongerLogicalResourceIdentifierThatGoesOnAndOnAndOn",
                               "POBWQPDJA81F", 64);
    CHECK_EQ_INT(strlen(n), 64);
    CHECK_EQ_STR(n, "s-AnEvenLongerLogicalResourceIdentifierThatGoesOnAn-POBWQPDJA81F");
    free(n);
}

TEST(cfn_validate_quotas)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "Resources:\n");
    for (int i = 0; i < 501; i++)
        buf_printf(&b, "  R%d: {Type: AWS::EC2::Instance}\n", i);
    char *r = validate(b.p);
    CHECK_EQ_STR(r, "Template format error: Number of resources, 501, is greater than maximum"
                    " allowed, 500");
    free(r);
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(b.p, b.len, &e);
    json_t *o = NULL;
    CHECK(cfn_graph_order(t, &o, &e) < 0);
    CHECK_CONTAINS(e.msg, "Number of resources, 501");
    json_decref(t);
    buf_reset(&b);
    buf_puts(&b, "Resources:\n  R: {Type: AWS::EC2::Instance}\nOutputs:\n");
    for (int i = 0; i < 201; i++)
        buf_printf(&b, "  O%d: {Value: x}\n", i);
    r = validate(b.p);
    CHECK_EQ_STR(r, "Template format error: Number of outputs, 201, is greater than maximum"
                    " allowed, 200");
    free(r);
    buf_free(&b);
}

TEST(cfn_graph_large_ring_and_chain)
{
    /* 500 resources in one ring: every one is named, in template order */
    struct buf b = BUF_INIT;
    buf_puts(&b, "Resources:\n");
    for (int i = 0; i < 500; i++)
        buf_printf(&b, "  R%d: {Type: AWS::EC2::Instance, DependsOn: R%d}\n", i, (i + 1) % 500);
    char *r = validate(b.p);
    CHECK(str_startswith(r, "Template format error: Circular dependency between resources: [R0,"
                            " R1, R2,"));
    CHECK(str_endswith(r, "R498, R499]"));
    free(r);
    /* a 500-long chain declared backwards: created from the far end */
    buf_reset(&b);
    buf_puts(&b, "Resources:\n");
    for (int i = 0; i < 500; i++) {
        if (i < 499)
            buf_printf(&b, "  R%d: {Type: AWS::EC2::Instance, Properties: {X: !Ref R%d}}\n", i,
                       i + 1);
        else
            buf_printf(&b, "  R%d: {Type: AWS::EC2::Instance}\n", i);
    }
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(b.p, b.len, &e);
    json_t *o = NULL;
    CHECK(cfn_graph_order(t, &o, &e) == 0);
    CHECK_EQ_STR(json_string_value(json_array_get(o, 0)), "R499");
    CHECK_EQ_STR(json_string_value(json_array_get(o, 499)), "R0");
    json_decref(o);
    json_decref(t);
    buf_free(&b);
}
