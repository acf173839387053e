/*
 * cfn_intrinsics_test.c — intrinsic functions, pseudo parameters, conditions and
 * parameter resolution of the CloudFormation template layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"
#include "harness.h"

static const char tmpl_text[] = "Parameters:\n"
                                "  Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}\n"
                                "  Count: {Type: Number, Default: 3}\n"
                                "  Names: {Type: CommaDelimitedList, Default: 'a, b ,c'}\n"
                                "Mappings:\n"
                                "  RegionMap:\n"
                                "    us-east-1: {AMI: ami-1111, Sizes: [s, m]}\n"
                                "Conditions:\n"
                                "  IsProd: !Equals [!Ref Env, prod]\n"
                                "  IsDev: !Not [!Condition IsProd]\n"
                                "  Both: !And [!Condition IsProd, !Equals [1, '1']]\n"
                                "  Either: !Or [!Condition IsDev, !Equals [a, b]]\n"
                                "Resources:\n"
                                "  Inst: {Type: AWS::EC2::Instance}\n"
                                "  Alarm: {Type: AWS::CloudWatch::Alarm, Condition: IsProd}\n";

static int test_ref(void *ud, const char *logical, json_t **out, struct cfn_err *e)
{
    (void)ud;
    (void)e;
    if (str_eq(logical, "Inst"))
        *out = json_string("i-0123456789abcdef0");
    else
        *out = json_string("my-alarm");
    return 0;
}

static int test_getatt(void *ud, const char *logical, const char *attr, json_t **out,
                       struct cfn_err *e)
{
    (void)ud;
    if (str_eq(logical, "Inst") && str_eq(attr, "AvailabilityZone")) {
        *out = json_string("us-east-1a");
        return 0;
    }
    if (str_eq(logical, "Alarm") && str_eq(attr, "Arn")) {
        *out = json_string("arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm");
        return 0;
    }
    return cfn_fail(e,
                    "Template error: resource %s does not support attribute type %s in"
                    " Fn::GetAtt",
                    logical, attr);
}

static int test_import(void *ud, const char *name, json_t **out, struct cfn_err *e)
{
    (void)ud;
    if (str_eq(name, "SharedVpc")) {
        *out = json_string("vpc-1234");
        return 0;
    }
    return cfn_fail(e, "No export named %s found.", name);
}

struct fixture {
    json_t *t;
    json_t *params;
    struct cfn_ctx x;
};

static void fx_setup(struct fixture *f, const json_t *given)
{
    struct cfn_err e = {{0}};
    memset(f, 0, sizeof(*f));
    f->t = cfn_template_load(tmpl_text, strlen(tmpl_text), &e);
    CHECK_EQ_STR(f->t ? "" : e.msg, "");
    CHECK(cfn_params_resolve(f->t, given, NULL, NULL, &f->params, NULL, &e) == 0);
    f->x.region = "us-east-1";
    f->x.account = "123456789012";
    f->x.stack_name = "teststack";
    f->x.stack_id = "arn:aws:cloudformation:us-east-1:123456789012:stack/teststack/"
                    "6a0d8c10-0000-11ef-8000-0a1b2c3d4e5f";
    f->x.tmpl = f->t;
    f->x.params = f->params;
    f->x.ref = test_ref;
    f->x.getatt = test_getatt;
    f->x.import_value = test_import;
}

static void fx_teardown(struct fixture *f)
{
    json_decref(f->t);
    json_decref(f->params);
    json_decref(f->x.conditions);
}

/* Evaluates the YAML value `v: <expr>` and returns the compact JSON of the result, or
 * "ERR: <message>", or "NOVALUE" (heap). */
static char *ev(struct fixture *f, const char *yaml_expr)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "v: %s\n", yaml_expr);
    struct cfn_err e = {{0}};
    json_t *doc = cfn_template_load(b.p, b.len, &e);
    buf_free(&b);
    if (!doc)
        return xstrdup(e.msg);
    json_t *out = NULL;
    char *r;
    if (cfn_eval(&f->x, json_object_get(doc, "v"), &out, &e) < 0) {
        buf_printf(&b, "ERR: %s", e.msg);
        r = buf_steal(&b);
    } else if (!out) {
        r = xstrdup("NOVALUE");
    } else {
        r = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
    }
    json_decref(out);
    json_decref(doc);
    return r;
}

#define CHECK_EV(f, expr, want)                                                                    \
    do {                                                                                           \
        char *_r = ev((f), (expr));                                                                \
        CHECK_EQ_STR(_r, (want));                                                                  \
        free(_r);                                                                                  \
    } while (0)

TEST(cfn_eval_ref_and_pseudo_parameters)
{
    struct fixture f;
    fx_setup(&f, NULL);
    CHECK_EV(&f, "!Ref AWS::Region", "\"us-east-1\"");
    CHECK_EV(&f, "!Ref AWS::AccountId", "\"123456789012\"");
    CHECK_EV(&f, "!Ref AWS::StackName", "\"teststack\"");
    CHECK_EV(&f, "!Ref AWS::StackId",
             "\"arn:aws:cloudformation:us-east-1:123456789012:stack/teststack/"
             "6a0d8c10-0000-11ef-8000-0a1b2c3d4e5f\"");
    CHECK_EV(&f, "!Ref AWS::Partition", "\"aws\"");
    CHECK_EV(&f, "!Ref AWS::URLSuffix", "\"amazonaws.com\"");
    CHECK_EV(&f, "!Ref AWS::NotificationARNs", "[]");
    CHECK_EV(&f, "!Ref AWS::NoValue", "NOVALUE");
    CHECK_EV(&f, "!Ref Env", "\"prod\"");
    CHECK_EV(&f, "!Ref Count", "\"3\""); /* a Number parameter is a string once referenced */
    CHECK_EV(&f, "!Ref Names", "[\"a\",\"b\",\"c\"]");
    CHECK_EV(&f, "!Ref Inst", "\"i-0123456789abcdef0\"");
    CHECK_EV(&f, "!Ref Nope",
             "ERR: Template format error: Unresolved resource dependencies [Nope]"
             " in the Resources block of the template");
    CHECK_EV(&f, "{Ref: [a]}",
             "ERR: Template error: every Ref object must have a single String"
             " value.");
    f.x.region = "cn-north-1";
    CHECK_EV(&f, "!Ref AWS::Partition", "\"aws-cn\"");
    CHECK_EV(&f, "!Ref AWS::URLSuffix", "\"amazonaws.com.cn\"");
    fx_teardown(&f);
}

TEST(cfn_eval_novalue_removes_members)
{
    struct fixture f;
    fx_setup(&f, NULL);
    CHECK_EV(&f, "{A: 1, B: !Ref AWS::NoValue, C: [x, !Ref AWS::NoValue, y]}",
             "{\"A\":1,\"C\":[\"x\",\"y\"]}");
    CHECK_EV(&f, "{A: !If [IsDev, on, !Ref AWS::NoValue]}", "{}");
    CHECK_EV(&f, "{A: !If [IsProd, on, !Ref AWS::NoValue]}", "{\"A\":\"on\"}");
    fx_teardown(&f);
}

TEST(cfn_eval_getatt_join_select_split)
{
    struct fixture f;
    fx_setup(&f, NULL);
    CHECK_EV(&f, "!GetAtt Inst.AvailabilityZone", "\"us-east-1a\"");
    CHECK_EV(&f, "!GetAtt [Alarm, Arn]",
             "\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm\"");
    CHECK_EV(&f, "{'Fn::GetAtt': Inst.AvailabilityZone}", "\"us-east-1a\"");
    CHECK_EV(&f, "!GetAtt [Ghost, Arn]",
             "ERR: Template error: instance of Fn::GetAtt references"
             " undefined resource Ghost");
    CHECK_EV(&f, "!GetAtt [Inst]",
             "ERR: Template error: every Fn::GetAtt object requires two"
             " non-empty parameters, the resource name and the resource"
             " attribute");
    CHECK_EV(&f, "!Join ['', ['arn:aws:automate:', !Ref AWS::Region, ':ec2:recover']]",
             "\"arn:aws:automate:us-east-1:ec2:recover\"");
    CHECK_EV(&f, "!Join [',', !Ref Names]", "\"a,b,c\"");
    CHECK_EV(&f, "!Join ['-', [1.50, 2, true]]", "\"1.50-2-true\"");
    CHECK_EV(&f, "!Join [',']",
             "ERR: Template error: every Fn::Join object requires two"
             " parameters, (1) a string delimiter and (2) a list of strings to"
             " be joined or a function that returns a list of strings (such as"
             " Fn::GetAZs) to be joined.");
    CHECK_EV(&f, "!Select [1, [a, b, c]]", "\"b\"");
    CHECK_EV(&f, "!Select ['2', !Ref Names]", "\"c\"");
    CHECK_EV(&f, "!Select [0, !GetAZs '']", "\"us-east-1a\"");
    CHECK_EV(&f, "!Select [5, [a]]",
             "ERR: Template error: Fn::Select cannot select nonexistent"
             " value at index 5");
    CHECK_EV(&f, "!Split [',', 'a,,b']", "[\"a\",\"\",\"b\"]");
    CHECK_EV(&f, "!Select [2, !Split ['::', 'x::y::z']]", "\"z\"");
    CHECK_EV(&f, "!Split [',', [a]]",
             "ERR: Template error: every Fn::Split object requires two"
             " parameters, (1) a string delimiter and (2) a string to be"
             " split or a function that returns a string to be split.");
    fx_teardown(&f);
}

TEST(cfn_eval_sub_forms)
{
    struct fixture f;
    fx_setup(&f, NULL);
    CHECK_EV(&f, "!Sub '${AWS::StackName}-${Env}-${Inst}'",
             "\"teststack-prod-i-0123456789abcdef0\"");
    CHECK_EV(&f, "!Sub 'az=${Inst.AvailabilityZone}'", "\"az=us-east-1a\"");
    CHECK_EV(&f, "!Sub 'keep ${!Literal} and ${ Env }'", "\"keep ${Literal} and prod\"");
    CHECK_EV(&f, "!Sub ['${A}/${B}-${Env}', {A: x, B: !Ref Count}]", "\"x/3-prod\"");
    CHECK_EV(&f, "!Sub ['${Env}', {Env: overridden}]", "\"overridden\"");
    CHECK_EV(&f, "!Sub 'no vars, ${unterminated'", "\"no vars, ${unterminated\"");
    CHECK_EV(&f, "!Sub '${Missing}'",
             "ERR: Template format error: Unresolved resource"
             " dependencies [Missing] in the Resources block of the"
             " template");
    CHECK_EV(&f, "!Sub '${bad-name}'",
             "ERR: Template error: variable names in Fn::Sub syntax"
             " must contain only alphanumeric characters, underscores,"
             " periods, and colons");
    CHECK_EV(&f, "!Sub [a]",
             "ERR: Template error: One or more Fn::Sub intrinsic functions don't"
             " specify expected arguments. Specify a string as first argument,"
             " and an optional second argument to specify a mapping of values to"
             " replace in the string");
    fx_teardown(&f);
}

TEST(cfn_eval_findinmap_base64_cidr_getazs_import)
{
    struct fixture f;
    fx_setup(&f, NULL);
    CHECK_EV(&f, "!FindInMap [RegionMap, !Ref 'AWS::Region', AMI]", "\"ami-1111\"");
    CHECK_EV(&f, "!FindInMap [RegionMap, us-east-1, Sizes]", "[\"s\",\"m\"]");
    CHECK_EV(&f, "!FindInMap [RegionMap, eu-west-1, AMI]",
             "ERR: Template error: Unable to get mapping for RegionMap::eu-west-1::AMI");
    CHECK_EV(&f, "!FindInMap [RegionMap, us-east-1]",
             "ERR: Template error: every Fn::FindInMap object requires three parameters, the map"
             " name, map key and the attribute for return value");
    CHECK_EV(&f, "!Base64 'hello world'", "\"aGVsbG8gd29ybGQ=\"");
    CHECK_EV(&f, "!Base64 {'Fn::Sub': '${Env}!'}", "\"cHJvZCE=\"");
    /* YAML cannot put two tags on one node: short forms do not nest directly (AWS docs) */
    CHECK_EV(&f, "!Base64 !Sub '${Env}!'",
             "Template format error: YAML not well-formed. (line 1, column 12)");
    CHECK_EV(&f, "!Cidr [10.0.0.0/16, 3, 8]", "[\"10.0.0.0/24\",\"10.0.1.0/24\",\"10.0.2.0/24\"]");
    CHECK_EV(&f, "!Cidr ['192.168.0.0/24', 2, 6]", "[\"192.168.0.0/26\",\"192.168.0.64/26\"]");
    CHECK_EV(&f, "!Select [1, !Cidr [10.1.0.0/16, 2, 12]]", "\"10.1.16.0/20\"");
    char *azs = ev(&f, "!GetAZs us-west-2");
    CHECK_CONTAINS(azs, "\"us-west-2a\",\"us-west-2b\"");
    free(azs);
    CHECK_EV(&f, "!Select [1, !GetAZs {Ref: 'AWS::Region'}]", "\"us-east-1b\"");
    CHECK_EV(&f, "!ImportValue SharedVpc", "\"vpc-1234\"");
    CHECK_EV(&f, "!ImportValue Nope", "ERR: No export named Nope found.");
    fx_teardown(&f);
}

TEST(cfn_eval_conditions)
{
    struct fixture f;
    fx_setup(&f, NULL);
    struct cfn_err e = {{0}};
    CHECK(cfn_conditions_eval(&f.x, &e) == 0);
    bool b = false;
    CHECK(cfn_condition_get(&f.x, "IsProd", &b, &e) == 0 && b);
    CHECK(cfn_condition_get(&f.x, "IsDev", &b, &e) == 0 && !b);
    CHECK(cfn_condition_get(&f.x, "Both", &b, &e) == 0 && b);
    CHECK(cfn_condition_get(&f.x, "Either", &b, &e) == 0 && !b);
    CHECK(cfn_condition_get(&f.x, "Nope", &b, &e) < 0);
    CHECK_EQ_STR(e.msg, "Template error: unresolved condition dependency Nope in Fn::If");
    CHECK_EV(&f, "!If [IsProd, big, small]", "\"big\"");
    CHECK_EV(&f, "!If [IsDev, big, small]", "\"small\"");
    CHECK_EV(&f, "!If [Ghost, a, b]",
             "ERR: Template error: unresolved condition dependency Ghost"
             " in Fn::If");
    CHECK_EV(&f, "!Equals [!Ref Count, 3]", "true");
    CHECK_EV(&f, "!Not [!Equals [a, a]]", "false");
    CHECK_EV(&f, "{Condition: IsProd}", "true");
    CHECK_EV(&f, "[{Condition: {StringEquals: {'aws:username': !Ref Env}}}]",
             "[{\"Condition\":{\"StringEquals\":{\"aws:username\":\"prod\"}}}]");
    bool on = false;
    const json_t *alarm = json_object_get(json_object_get(f.t, "Resources"), "Alarm");
    CHECK(cfn_def_enabled(&f.x, alarm, &on, &e) == 0 && on);
    fx_teardown(&f);

    /* with Env=dev the alarm's condition is false */
    json_t *given = json_pack("{s:s}", "Env", "dev");
    fx_setup(&f, given);
    CHECK(cfn_conditions_eval(&f.x, &e) == 0);
    alarm = json_object_get(json_object_get(f.t, "Resources"), "Alarm");
    CHECK(cfn_def_enabled(&f.x, alarm, &on, &e) == 0 && !on);
    CHECK(cfn_condition_get(&f.x, "Either", &b, &e) == 0 && b);
    fx_teardown(&f);
    json_decref(given);
}

TEST(cfn_eval_condition_cycle_refused)
{
    const char *s = "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n"
                    "Resources:\n  R: {Type: AWS::EC2::Instance}\n";
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(s, strlen(s), &e);
    struct cfn_ctx x;
    memset(&x, 0, sizeof(x));
    x.tmpl = t;
    CHECK(cfn_conditions_eval(&x, &e) < 0);
    CHECK_CONTAINS(e.msg, "circular condition dependency");
    json_decref(x.conditions);
    json_decref(t);
}

/* ---- parameters ---- */

static char *resolve(const char *params_yaml, const char *given_json)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "Parameters:\n%sResources:\n  R: {Type: AWS::EC2::Instance}\n", params_yaml);
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(b.p, b.len, &e);
    buf_free(&b);
    if (!t)
        return xstrdup(e.msg);
    json_t *given = given_json ? json_loads(given_json, 0, NULL) : NULL;
    json_t *vals = NULL;
    char *r;
    if (cfn_params_resolve(t, given, NULL, NULL, &vals, NULL, &e) < 0)
        r = xstrdup(e.msg);
    else
        r = json_dumps(vals, JSON_COMPACT);
    json_decref(vals);
    json_decref(given);
    json_decref(t);
    return r;
}

#define CHECK_PARAMS(decl, given, want)                                                            \
    do {                                                                                           \
        char *_r = resolve((decl), (given));                                                       \
        CHECK_EQ_STR(_r, (want));                                                                  \
        free(_r);                                                                                  \
    } while (0)

TEST(cfn_params_values_and_types)
{
    CHECK_PARAMS("  A: {Type: String, Default: x}\n", NULL, "{\"A\":\"x\"}");
    CHECK_PARAMS("  A: {Type: String, Default: x}\n", "{\"A\":\"y\"}", "{\"A\":\"y\"}");
    CHECK_PARAMS("  N: {Type: Number, Default: 1.50}\n", NULL, "{\"N\":\"1.50\"}");
    CHECK_PARAMS("  L: {Type: 'List<Number>'}\n", "{\"L\":\"1, 2,3\"}",
                 "{\"L\":[\"1\",\"2\",\"3\"]}");
    CHECK_PARAMS("  L: {Type: CommaDelimitedList}\n", "{\"L\":\"a ,b\"}", "{\"L\":[\"a\",\"b\"]}");
    CHECK_PARAMS("  I: {Type: 'AWS::EC2::Image::Id'}\n  K: {Type: 'AWS::EC2::KeyPair::KeyName',"
                 " Default: kp}\n",
                 "{\"I\":\"ami-374db956\"}", "{\"I\":\"ami-374db956\",\"K\":\"kp\"}");
    CHECK_PARAMS("  S: {Type: 'List<AWS::EC2::Subnet::Id>'}\n", "{\"S\":\"subnet-1,subnet-2\"}",
                 "{\"S\":[\"subnet-1\",\"subnet-2\"]}");
}

TEST(cfn_params_errors)
{
    CHECK_PARAMS("  A: {Type: String}\n  B: {Type: String}\n  C: {Type: String, Default: c}\n",
                 NULL, "Parameters: [A, B] must have values");
    CHECK_PARAMS("  A: {Type: String, Default: a}\n", "{\"Zed\":\"1\"}",
                 "Parameters: [Zed] do not exist in the template");
    CHECK_PARAMS("  T: {Type: String, Default: t2.micro, AllowedValues: [t2.micro, t3.micro]}\n",
                 "{\"T\":\"m5.large\"}", "Parameter 'T' must be one of AllowedValues");
    CHECK_PARAMS("  T: {Type: String, AllowedValues: [a], ConstraintDescription: must be a.}\n",
                 "{\"T\":\"b\"}", "Parameter 'T' must be a.");
    CHECK_PARAMS("  N: {Type: Number}\n", "{\"N\":\"ten\"}", "Parameter 'N' must be a number.");
    CHECK_PARAMS("  L: {Type: 'List<Number>'}\n", "{\"L\":\"1,x\"}",
                 "Parameter 'L' must be a number.");
    CHECK_PARAMS("  N: {Type: Number, MinValue: 1, MaxValue: 10}\n", "{\"N\":\"0\"}",
                 "Parameter 'N' must be a number not less than 1");
    CHECK_PARAMS("  N: {Type: Number, MinValue: 1, MaxValue: 10}\n", "{\"N\":\"10.5\"}",
                 "Parameter 'N' must be a number not greater than 10");
    CHECK_PARAMS("  S: {Type: String, MinLength: 2, MaxLength: 3}\n", "{\"S\":\"a\"}",
                 "Parameter 'S' must contain at least 2 characters");
    CHECK_PARAMS("  S: {Type: String, MinLength: 2, MaxLength: 3}\n", "{\"S\":\"abcd\"}",
                 "Parameter 'S' must contain at most 3 characters");
    CHECK_PARAMS("  S: {Type: String, AllowedPattern: '[a-z]+\\d'}\n", "{\"S\":\"abc\"}",
                 "Parameter 'S' must match pattern [a-z]+\\d");
    CHECK_PARAMS("  S: {Type: String, AllowedPattern: '[a-z]+\\d'}\n", "{\"S\":\"abc1\"}",
                 "{\"S\":\"abc1\"}");
    CHECK_PARAMS("  S: {Type: Strin}\n", NULL,
                 "Template format error: Unrecognized parameter type: Strin");
    CHECK_PARAMS("  S: {Default: x}\n", NULL,
                 "Template format error: Every Parameters object must contain a Type member.");
    CHECK_PARAMS("  S: {Type: String, Defualt: x}\n", NULL,
                 "Template format error: Invalid template parameter property 'Defualt'");
    /* SSM types are CloudFormation's: the language keeps the name for the server's resolver */
    CHECK_PARAMS("  S: {Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /a}\n",
                 NULL, "{\"S\":\"/a\"}");
    CHECK_PARAMS("  S: {Type: 'AWS::SSM::Parameter::Value<Number>', Default: /a}\n", NULL,
                 "Template format error: Unrecognized parameter type:"
                 " AWS::SSM::Parameter::Value<Number>");
    /* AllowedPattern is Java's syntax (PCRE2): a '-' after \w in brackets is a literal */
    CHECK_PARAMS("  S: {Type: String, AllowedPattern: '[\\w-\\+]+'}\n", "{\"S\":\"a-b+c\"}",
                 "{\"S\":\"a-b+c\"}");
    CHECK_PARAMS("  S: {Type: String, AllowedPattern: '[\\w-\\+]+'}\n", "{\"S\":\"a b\"}",
                 "Parameter 'S' must match pattern [\\w-\\+]+");
    CHECK_PARAMS("  S: {Type: String, AllowedPattern: '(?i)^[a-z]{2}\\p{Digit}$'}\n",
                 "{\"S\":\"AB1\"}", "{\"S\":\"AB1\"}");
    CHECK_PARAMS("  S: {Type: String, AllowedPattern: '(ab'}\n", "{\"S\":\"ab\"}",
                 "Template error: Parameter 'S' AllowedPattern must be a valid regular expression.");
    CHECK_PARAMS("  S: {Type: String, Default: toolongvalue, MaxLength: 3}\n", NULL,
                 "Parameter 'S' must contain at most 3 characters");
}

TEST(cfn_params_use_previous)
{
    const char *s = "Parameters:\n  A: {Type: String}\n  B: {Type: String, Default: b}\n"
                    "Resources:\n  R: {Type: AWS::EC2::Instance}\n";
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(s, strlen(s), &e);
    json_t *prev = json_pack("{s:s,s:s}", "A", "old-a", "B", "old-b");
    json_t *usep = json_pack("[s]", "A");
    json_t *vals = NULL, *raw = NULL;
    CHECK(cfn_params_resolve(t, NULL, prev, usep, &vals, &raw, &e) == 0);
    CHECK_EQ_STR(json_string_value(json_object_get(vals, "A")), "old-a");
    CHECK_EQ_STR(json_string_value(json_object_get(vals, "B")), "b"); /* not kept: default */
    CHECK_EQ_STR(json_string_value(json_object_get(raw, "A")), "old-a");
    json_decref(vals);
    json_decref(raw);
    json_decref(prev);
    json_decref(usep);
    json_decref(t);
}

/* ---- the YAML fixture the stack engine's e2e test will use ---- */

static char *read_fixture(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/fixtures/cfn/%s", name);
    return harness_read_file(path, NULL);
}

static int fixture_ref(void *ud, const char *logical, json_t **out, struct cfn_err *e)
{
    (void)ud;
    (void)e;
    *out = json_string(str_eq(logical, "Ec2Instance") ? "i-0123456789abcdef0" : "my-alarm");
    return 0;
}

static int fixture_getatt(void *ud, const char *logical, const char *attr, json_t **out,
                          struct cfn_err *e)
{
    return test_getatt(ud, str_eq(logical, "Ec2Instance") ? "Inst" : "Alarm", attr, out, e);
}

/* Evaluates the fixture's RecoveryAlarm properties and outputs with given parameters. */
static void eval_params_fixture(const char *given_json, char **alarm_props, bool *alarm_on,
                                char **outputs)
{
    char *s = read_fixture("ec2_params.yaml");
    CHECK(s != NULL);
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(s ? s : "", s ? strlen(s) : 0, &e);
    free(s);
    CHECK(t != NULL);
    json_t *given = json_loads(given_json, 0, NULL);
    json_t *params = NULL;
    CHECK_EQ_STR(cfn_params_resolve(t, given, NULL, NULL, &params, NULL, &e) == 0 ? "" : e.msg, "");
    struct cfn_ctx x;
    memset(&x, 0, sizeof(x));
    x.region = "us-east-1";
    x.account = "123456789012";
    x.stack_name = "ec2-recoveryalarm-user";
    x.tmpl = t;
    x.params = params;
    x.ref = fixture_ref;
    x.getatt = fixture_getatt;
    CHECK(cfn_conditions_eval(&x, &e) == 0);
    const json_t *alarm = json_object_get(json_object_get(t, "Resources"), "RecoveryAlarm");
    CHECK(cfn_def_enabled(&x, alarm, alarm_on, &e) == 0);
    json_t *props = NULL;
    CHECK(cfn_eval(&x, json_object_get(alarm, "Properties"), &props, &e) == 0);
    *alarm_props = json_dumps(props, JSON_COMPACT);
    json_t *outs = json_object();
    const char *k;
    json_t *o;
    json_object_foreach(json_object_get(t, "Outputs"), k, o)
    {
        bool on = false;
        CHECK(cfn_def_enabled(&x, o, &on, &e) == 0);
        if (!on)
            continue;
        json_t *v = NULL;
        CHECK(cfn_eval(&x, json_object_get(o, "Value"), &v, &e) == 0);
        json_object_set_new(outs, k, v ? v : json_null());
    }
    *outputs = json_dumps(outs, JSON_COMPACT);
    json_decref(outs);
    json_decref(props);
    json_decref(x.conditions);
    json_decref(params);
    json_decref(given);
    json_decref(t);
}

TEST(cfn_eval_params_fixture)
{
    char *props, *outs;
    bool on = false;
    eval_params_fixture("{}", &props, &on, &outs);
    CHECK(on);
    CHECK_EQ_STR(props, "{\"AlarmDescription\":\"Recover i-0123456789abcdef0 when its system status"
                        " check fails\",\"Namespace\":\"AWS/EC2\",\"MetricName\":"
                        "\"StatusCheckFailed\",\"Statistic\":\"Minimum\",\"Period\":60,"
                        "\"EvaluationPeriods\":\"5\",\"ComparisonOperator\":"
                        "\"GreaterThanThreshold\",\"Threshold\":0,\"AlarmActions\":"
                        "[\"arn:aws:automate:us-east-1:ec2:recover\"],\"Dimensions\":"
                        "[{\"Name\":\"InstanceId\",\"Value\":\"i-0123456789abcdef0\"}]}");
    CHECK_EQ_STR(outs, "{\"InstanceID\":\"i-0123456789abcdef0\",\"AvailabilityZone\":"
                       "\"us-east-1a\",\"RecoveryAlarm\":\"my-alarm\",\"RecoveryAlarmArn\":"
                       "\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm\"}");
    free(props);
    free(outs);

    eval_params_fixture("{\"EnableRecovery\":\"false\",\"EvaluationPeriods\":\"3\"}", &props, &on,
                        &outs);
    CHECK(on);
    CHECK(strstr(props, "AlarmActions") == NULL); /* AWS::NoValue removed it */
    CHECK_CONTAINS(props, "\"EvaluationPeriods\":\"3\"");
    free(props);
    free(outs);

    eval_params_fixture("{\"CreateAlarm\":\"no\"}", &props, &on, &outs);
    CHECK(!on);
    CHECK_EQ_STR(outs, "{\"InstanceID\":\"i-0123456789abcdef0\",\"AvailabilityZone\":"
                       "\"us-east-1a\"}");
    free(props);
    free(outs);
}
