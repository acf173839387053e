/*
 * cfn_template_test.c — loading CloudFormation templates: JSON and YAML to the same tree,
 * short forms, plain scalar resolution, alias and depth bombs, malformed input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"
#include "harness.h"

/* Reads tests/fixtures/cfn/NAME. */
static char *cfn_fixture(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/fixtures/cfn/%s", name);
    return harness_read_file(path, len);
}

static json_t *load_str(const char *s, struct cfn_err *e)
{
    return cfn_template_load(s, strlen(s), e);
}

/* The tree as compact sorted JSON text (heap). */
static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

TEST(cfn_load_seed_json_and_yaml_identical)
{
    size_t jl = 0, yl = 0;
    char *js = cfn_fixture("ec2.json", &jl), *ys = cfn_fixture("ec2.yaml", &yl);
    CHECK(js && ys);
    struct cfn_err e = {{0}};
    json_t *j = cfn_template_load(js, jl, &e);
    CHECK(j != NULL);
    json_t *y = cfn_template_load(ys, yl, &e);
    CHECK_EQ_STR(y ? "" : e.msg, "");
    CHECK(json_equal(j, y));
    char *a = dump(j), *b = dump(y);
    CHECK_EQ_STR(b, a);
    /* and the tree really holds the seed's content */
    json_t *act = json_object_get(
        json_object_get(json_object_get(json_object_get(y, "Resources"), "RecoveryAlarm"),
                        "Properties"),
        "AlarmActions");
    char *acts = dump(act);
    CHECK_EQ_STR(acts, "[{\"Fn::Join\":[\"\",[\"arn:aws:automate:\",{\"Ref\":\"AWS::Region\"},"
                       "\":ec2:recover\"]]}]");
    free(acts);
    free(a);
    free(b);
    json_decref(j);
    json_decref(y);
    free(js);
    free(ys);
}

TEST(cfn_load_short_forms)
{
    struct cfn_err e = {{0}};
    json_t *t = load_str("A: !Ref X\n"
                         "B: !Condition C\n"
                         "C: !Sub '${AWS::StackName}-q'\n"
                         "D: !Join [',', [a, b]]\n"
                         "E: !If [Cond, 1, !Ref AWS::NoValue]\n"
                         "F: !Select [0, !GetAZs '']\n"
                         "G: !Split [',', 'a,b']\n"
                         "H: !FindInMap [M, K, V]\n"
                         "I: !Base64 hello\n"
                         "J: !Cidr [10.0.0.0/16, 2, 8]\n"
                         "K: !ImportValue Exp\n"
                         "L: !Equals [a, b]\n"
                         "M: !And [!Condition A, !Condition B]\n"
                         "N: !Or [!Condition A, !Condition B]\n"
                         "O: !Not [!Condition A]\n"
                         "P: !Transform {Name: Mac, Parameters: {a: 1}}\n"
                         "Q: !GetAtt Res.Arn\n"
                         "R: !GetAtt [Res, Arn]\n",
                         &e);
    CHECK_EQ_STR(t ? "" : e.msg, "");
    char *s = dump(t);
    CHECK_EQ_STR(s, "{\"A\":{\"Ref\":\"X\"},\"B\":{\"Condition\":\"C\"},"
                    "\"C\":{\"Fn::Sub\":\"${AWS::StackName}-q\"},"
                    "\"D\":{\"Fn::Join\":[\",\",[\"a\",\"b\"]]},"
                    "\"E\":{\"Fn::If\":[\"Cond\",1,{\"Ref\":\"AWS::NoValue\"}]},"
                    "\"F\":{\"Fn::Select\":[0,{\"Fn::GetAZs\":\"\"}]},"
                    "\"G\":{\"Fn::Split\":[\",\",\"a,b\"]},"
                    "\"H\":{\"Fn::FindInMap\":[\"M\",\"K\",\"V\"]},"
                    "\"I\":{\"Fn::Base64\":\"hello\"},"
                    "\"J\":{\"Fn::Cidr\":[\"10.0.0.0/16\",2,8]},"
                    "\"K\":{\"Fn::ImportValue\":\"Exp\"},"
                    "\"L\":{\"Fn::Equals\":[\"a\",\"b\"]},"
                    "\"M\":{\"Fn::And\":[{\"Condition\":\"A\"},{\"Condition\":\"B\"}]},"
                    "\"N\":{\"Fn::Or\":[{\"Condition\":\"A\"},{\"Condition\":\"B\"}]},"
                    "\"O\":{\"Fn::Not\":[{\"Condition\":\"A\"}]},"
                    "\"P\":{\"Fn::Transform\":{\"Name\":\"Mac\",\"Parameters\":{\"a\":1}}},"
                    "\"Q\":{\"Fn::GetAtt\":[\"Res\",\"Arn\"]},"
                    "\"R\":{\"Fn::GetAtt\":[\"Res\",\"Arn\"]}}");
    free(s);
    json_decref(t);
}

TEST(cfn_load_getatt_splits_on_first_dot)
{
    struct cfn_err e = {{0}};
    json_t *t = load_str("A: !GetAtt Stack.Outputs.Name\nB: !GetAtt NoDot\n", &e);
    CHECK(t != NULL);
    char *s = dump(t);
    CHECK_EQ_STR(s, "{\"A\":{\"Fn::GetAtt\":[\"Stack\",\"Outputs.Name\"]},"
                    "\"B\":{\"Fn::GetAtt\":\"NoDot\"}}");
    free(s);
    json_decref(t);
}

TEST(cfn_load_yaml_flow_mapping_body)
{
    struct cfn_err e = {{0}};
    json_t *t =
        load_str("{Resources: {A: {Type: AWS::EC2::Instance, Properties: {X: !Ref B}}}}", &e);
    CHECK_EQ_STR(t ? "" : e.msg, "");
    char *s = dump(t);
    CHECK_EQ_STR(s, "{\"Resources\":{\"A\":{\"Properties\":{\"X\":{\"Ref\":\"B\"}},"
                    "\"Type\":\"AWS::EC2::Instance\"}}}");
    free(s);
    json_decref(t);
    /* neither JSON nor YAML: the JSON error */
    CHECK(load_str("{\"A\": [1,}", &e) == NULL);
    CHECK_EQ_STR(e.msg, "Template format error: JSON not well-formed. (line 1, column 10)");
}

TEST(cfn_load_plain_scalars)
{
    struct cfn_err e = {{0}};
    json_t *t = load_str("n1: ~\nn2: null\nn3:\nb1: true\nb2: False\ni: 60\nneg: -3\n"
                         "r: 0.5\nr1: 1.0\nkeep1: 1.50\nkeep2: 007\nkeep3: 1e3\nkeep4: 0x1F\n"
                         "date: 2010-09-09\nq: '60'\ndq: \"true\"\nyes: yes\nstr: !!str 12\n"
                         "int: !!int 12\n",
                         &e);
    CHECK_EQ_STR(t ? "" : e.msg, "");
    CHECK(json_is_null(json_object_get(t, "n1")));
    CHECK(json_is_null(json_object_get(t, "n2")));
    CHECK(json_is_null(json_object_get(t, "n3")));
    CHECK(json_is_true(json_object_get(t, "b1")));
    CHECK(json_is_false(json_object_get(t, "b2")));
    CHECK_EQ_INT(json_integer_value(json_object_get(t, "i")), 60);
    CHECK_EQ_INT(json_integer_value(json_object_get(t, "neg")), -3);
    CHECK(json_is_real(json_object_get(t, "r")));
    CHECK(json_is_real(json_object_get(t, "r1")));
    CHECK_EQ_STR(json_string_value(json_object_get(t, "keep1")), "1.50");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "keep2")), "007");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "keep3")), "1e3");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "keep4")), "0x1F");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "date")), "2010-09-09");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "q")), "60");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "dq")), "true");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "yes")), "yes");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "str")), "12");
    CHECK_EQ_INT(json_integer_value(json_object_get(t, "int")), 12);
    /* every number renders back as written */
    const char *keys[] = {"i", "neg", "r", "r1", "keep1", "keep2", "keep3"};
    const char *want[] = {"60", "-3", "0.5", "1.0", "1.50", "007", "1e3"};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        char *s = cfn_scalar_text(json_object_get(t, keys[i]));
        CHECK_EQ_STR(s, want[i]);
        free(s);
    }
    json_decref(t);
}

TEST(cfn_load_aliases_copied)
{
    struct cfn_err e = {{0}};
    json_t *t = load_str("base: &b {Type: String, Default: x}\nP1: *b\nP2: *b\nk: &k Name\n"
                         "m: {*k : v}\n",
                         &e);
    CHECK_EQ_STR(t ? "" : e.msg, "");
    CHECK(json_equal(json_object_get(t, "P1"), json_object_get(t, "base")));
    CHECK(json_object_get(t, "P1") != json_object_get(t, "P2")); /* copies, not shared */
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(t, "m"), "Name")), "v");
    json_decref(t);
}

TEST(cfn_load_alias_bomb_refused)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++) {
        buf_printf(&b, "a%d: &a%d [", i, i);
        for (int j = 0; j < 10; j++)
            buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1);
        buf_puts(&b, "]\n");
    }
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(b.p, b.len, &e);
    CHECK(t == NULL);
    CHECK_CONTAINS(e.msg, "Template format error: YAML not well-formed.");
    CHECK_CONTAINS(e.msg, "too many nodes");
    buf_free(&b);
}

TEST(cfn_load_depth_bombs_refused)
{
    struct buf y = BUF_INIT, j = BUF_INIT;
    buf_puts(&y, "a: ");
    buf_puts(&j, "{\"a\":");
    for (int i = 0; i < 5000; i++) {
        buf_putc(&y, '[');
        buf_putc(&j, '[');
    }
    for (int i = 0; i < 5000; i++) {
        buf_putc(&y, ']');
        buf_putc(&j, ']');
    }
    buf_putc(&j, '}');
    struct cfn_err e = {{0}};
    CHECK(cfn_template_load(y.p, y.len, &e) == NULL);
    CHECK_CONTAINS(e.msg, "Template format error:");
    e.msg[0] = 0;
    CHECK(cfn_template_load(j.p, j.len, &e) == NULL);
    CHECK_CONTAINS(e.msg, "Template format error:");
    buf_free(&y);
    buf_free(&j);
    /* just inside the limit loads */
    struct buf ok = BUF_INIT;
    buf_puts(&ok, "a: ");
    for (int i = 0; i < CFN_MAX_DEPTH - 2; i++)
        buf_putc(&ok, '[');
    for (int i = 0; i < CFN_MAX_DEPTH - 2; i++)
        buf_putc(&ok, ']');
    json_t *t = cfn_template_load(ok.p, ok.len, &e);
    CHECK(t != NULL);
    json_decref(t);
    buf_free(&ok);
}

TEST(cfn_load_errors)
{
    struct cfn_err e = {{0}};
    CHECK(load_str("A: !Bogus x\n", &e) == NULL);
    CHECK_CONTAINS(e.msg, "Template format error: YAML not well-formed. (line 1, column 4)");
    CHECK(load_str("A: 1\nA: 2\n", &e) == NULL);
    CHECK_EQ_STR(e.msg, "Template format error: YAML not well-formed. (line 2, column 1)");
    CHECK(load_str("{\"A\": 1, \"A\": 2}", &e) == NULL);
    CHECK_CONTAINS(e.msg, "Template format error: JSON not well-formed. (line 1,");
    CHECK(load_str("{\"Resources\": {\"A\": }", &e) == NULL);
    CHECK_EQ_STR(e.msg, "Template format error: JSON not well-formed. (line 1, column 21)");
    CHECK(load_str("Resources:\n  A: [\n", &e) == NULL);
    CHECK_CONTAINS(e.msg, "Template format error: YAML not well-formed. (line ");
    CHECK(load_str("- a\n- b\n", &e) == NULL);
    CHECK_CONTAINS(e.msg, "Template format error: YAML not well-formed.");
    CHECK(load_str("a: 1\n---\nb: 2\n", &e) == NULL);
    CHECK(load_str("? [a, b]\n: c\n", &e) == NULL);
    CHECK(load_str("a: *nope\n", &e) == NULL);
}

TEST(cfn_load_params_fixture_validates)
{
    size_t n = 0;
    char *s = cfn_fixture("ec2_params.yaml", &n);
    CHECK(s != NULL);
    struct cfn_err e = {{0}};
    json_t *t = cfn_template_load(s, n, &e);
    CHECK_EQ_STR(t ? "" : e.msg, "");
    CHECK_EQ_STR(cfn_template_validate(t, &e) == 0 ? "" : e.msg, "");
    CHECK_EQ_STR(json_string_value(json_object_get(t, "AWSTemplateFormatVersion")), "2010-09-09");
    json_decref(t);
    free(s);
}

TEST(cfn_coercion_to_property_types)
{
    json_t *v;
    int64_t i = 0;
    double d = 0;
    bool b = false;
    v = json_string("60");
    CHECK(cfn_to_int(v, &i) == 0 && i == 60);
    CHECK(cfn_to_double(v, &d) == 0 && d == 60.0);
    CHECK(cfn_to_bool(v, &b) < 0);
    json_decref(v);
    v = json_string("0.5");
    CHECK(cfn_to_int(v, &i) < 0);
    CHECK(cfn_to_double(v, &d) == 0 && d == 0.5);
    json_decref(v);
    v = json_real(5.0);
    CHECK(cfn_to_int(v, &i) == 0 && i == 5);
    json_decref(v);
    v = json_string("TRUE");
    CHECK(cfn_to_bool(v, &b) == 0 && b);
    json_decref(v);
    v = json_false();
    CHECK(cfn_to_bool(v, &b) == 0 && !b);
    CHECK(cfn_to_int(v, &i) < 0);
    v = json_string("6O");
    CHECK(cfn_to_int(v, &i) < 0);
    CHECK(cfn_to_double(v, &d) < 0);
    json_decref(v);
}
