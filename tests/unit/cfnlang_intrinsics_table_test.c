/*
 * cfnlang_intrinsics_table_test.c — every intrinsic function of the table in
 * cfnlang/intrinsics.c, through cfn_eval without resource callbacks: one result per function
 * and each distinct error text (argument shapes, evaluation failures), pinned byte for byte.
 */
#include <jansson.h>
#include <stdlib.h>

#include "cfnlang/cfnlang.h"
#include "harness.h"

static const char tmpl[] =
    "{\"Parameters\":{\"P\":{\"Type\":\"String\"},\"L\":{\"Type\":\"CommaDelimitedList\"},"
    "\"a.b\":{\"Type\":\"String\"}},"
    "\"Mappings\":{\"M\":{\"k\":{\"v\":\"mv\",\"n\":3,\"o\":{\"x\":1}}}},"
    "\"Conditions\":{\"T\":{\"Fn::Equals\":[\"a\",\"a\"]},\"F\":{\"Fn::Equals\":[\"a\",\"b\"]},"
    "\"C1\":{\"Condition\":\"C2\"},\"C2\":{\"Condition\":\"C1\"},\"S\":\"true\",\"N\":\"x\","
    "\"Bool\":true,\"Ref\":{\"Fn::Equals\":[{\"Ref\":\"P\"},\"pv\"]}},"
    "\"Resources\":{\"R\":{\"Type\":\"AWS::IAM::User\"},\"Bad\":{\"Type\":\"AWS::IAM::User\"}}}";

/* expression -> compact JSON result (NULL: AWS::NoValue or an error) or the error text */
static const struct {
    const char *expr, *result, *error;
} cases[] = {
    {"{\"Ref\":\"AWS::Region\"}", "\"us-east-1\"", NULL},
    {"{\"Ref\":\"R\"}", NULL,
     "Template format error: Unresolved resource dependencies [R] in the Resources block of the "
     "template"},
    {"{\"Ref\":\"Bad\"}", NULL,
     "Template format error: Unresolved resource dependencies [Bad] in the Resources block of the "
     "template"},
    {"{\"Ref\":\"Nope\"}", NULL,
     "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the "
     "template"},
    {"{\"Ref\":3}", NULL, "Template error: every Ref object must have a single String value."},
    {"{\"Condition\":\"T\"}", "true", NULL},
    {"{\"Condition\":\"C1\"}", NULL, "Template error: Found circular condition dependency: C1"},
    {"{\"Condition\":\"Missing\"}", NULL,
     "Template error: unresolved condition dependency Missing in Fn::If"},
    {"{\"Condition\":\"N\"}", NULL,
     "Template error: every Fn::If, Fn::And, Fn::Or and Fn::Not condition must evaluate to a "
     "boolean"},
    {"{\"Fn::GetAtt\":\"R.Arn\"}", NULL,
     "Template error: resource R does not support attribute type Arn in Fn::GetAtt"},
    {"{\"Fn::GetAtt\":\"R.Arn.More\"}", NULL,
     "Template error: resource R does not support attribute type Arn.More in Fn::GetAtt"},
    {"{\"Fn::GetAtt\":\"R\"}", NULL,
     "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name "
     "and the resource attribute"},
    {"{\"Fn::GetAtt\":[\"R\",{\"Ref\":\"P\"}]}", NULL,
     "Template error: resource R does not support attribute type pv in Fn::GetAtt"},
    {"{\"Fn::GetAtt\":[\"Nope\",\"Arn\"]}", NULL,
     "Template error: instance of Fn::GetAtt references undefined resource Nope"},
    {"{\"Fn::GetAtt\":[\"R\",\"Bad\"]}", NULL,
     "Template error: resource R does not support attribute type Bad in Fn::GetAtt"},
    {"{\"Fn::Join\":[\",\",[\"a\",\"b\",3,true,1.5]]}", "\"a,b,3,true,1.5\"", NULL},
    {"{\"Fn::Join\":[\",\",{\"Ref\":\"P\"}]}", NULL,
     "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and "
     "(2) a list of strings to be joined or a function that returns a list of strings (such as "
     "Fn::GetAZs) to be joined."},
    {"{\"Fn::Join\":[\",\",{\"Fn::GetAtt\":[\"R\",\"List\"]}]}", NULL,
     "Template error: resource R does not support attribute type List in Fn::GetAtt"},
    {"{\"Fn::Sub\":\"${a.b}\"}", "\"ab\"", NULL},
    {"{\"Fn::Sub\":\"${}\"}", NULL,
     "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, "
     "underscores, periods, and colons"},
    {"{\"Fn::Sub\":\"${L}\"}", NULL,
     "Template error: variable L in Fn::Sub syntax must resolve to a string"},
    {"{\"Fn::Sub\":\"${AWS::NoValue}\"}", NULL,
     "Template error: variable AWS::NoValue in Fn::Sub syntax must resolve to a string"},
    {"{\"Fn::Sub\":[\"${x}\",{\"x\":{\"Ref\":\"AWS::NoValue\"}}]}", NULL,
     "Template format error: Unresolved resource dependencies [x] in the Resources block of the "
     "template"},
    {"{\"Fn::Sub\":[\"${x}\"]}", NULL,
     "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. "
     "Specify a string as first argument, and an optional second argument to specify a mapping of "
     "values to replace in the string"},
    {"{\"Fn::Select\":[1,[\"a\",\"b\",\"c\"]]}", "\"b\"", NULL},
    {"{\"Fn::Select\":[5,[\"a\"]]}", NULL,
     "Template error: Fn::Select cannot select nonexistent value at index 5"},
    {"{\"Fn::Select\":[-1,[\"a\"]]}", NULL,
     "Template error: Fn::Select cannot select nonexistent value at index -1"},
    {"{\"Fn::Select\":[\"x\",[\"a\"]]}", NULL,
     "Template error: Fn::Select requires a list argument with two elements: an integer index and "
     "a list"},
    {"{\"Fn::Split\":[\",\",\"a,b,,c\"]}", "[\"a\",\"b\",\"\",\"c\"]", NULL},
    {"{\"Fn::Split\":[\"\",\",\"]}", NULL,
     "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and "
     "(2) a string to be split or a function that returns a string to be split."},
    {"{\"Fn::FindInMap\":[\"M\",\"k\",\"v\"]}", "\"mv\"", NULL},
    {"{\"Fn::FindInMap\":[\"M\",\"k\",\"z\"]}", NULL,
     "Template error: Unable to get mapping for M::k::z"},
    {"{\"Fn::FindInMap\":[\"Q\",\"k\",\"v\"]}", NULL,
     "Template error: Unable to get mapping for Q::k::v"},
    {"{\"Fn::FindInMap\":[\"M\",{\"Ref\":\"P\"},\"v\"]}", NULL,
     "Template error: Unable to get mapping for M::pv::v"},
    {"{\"Fn::FindInMap\":[\"M\",{\"Ref\":\"L\"},\"v\"]}", NULL,
     "Template error: every Fn::FindInMap object requires three parameters, the map name, map key "
     "and the attribute for return value"},
    {"{\"Fn::If\":[\"T\",\"yes\",\"no\"]}", "\"yes\"", NULL},
    {"{\"Fn::If\":[3,\"yes\",\"no\"]}", NULL,
     "Template error: Fn::If requires a list argument with three elements"},
    {"{\"Fn::Equals\":[\"a\",\"a\"]}", "true", NULL},
    {"{\"Fn::Equals\":[\"a\"]}", NULL,
     "Template error: Fn::Equals requires a list argument with two elements"},
    {"{\"Fn::And\":[{\"Condition\":\"T\"},{\"Condition\":\"F\"}]}", "false", NULL},
    {"{\"Fn::Or\":[{\"Condition\":\"T\"},{\"Condition\":\"F\"}]}", "true", NULL},
    {"{\"Fn::And\":[{\"Condition\":\"T\"}]}", NULL,
     "Template error: Fn::And requires a list argument with between 2 and 10 conditions"},
    {"{\"Fn::Or\":[1]}", NULL,
     "Template error: Fn::Or requires a list argument with between 2 and 10 conditions"},
    {"{\"Fn::Not\":[{\"Condition\":\"T\"}]}", "false", NULL},
    {"{\"Fn::Not\":[]}", NULL, "Template error: Fn::Not requires a list argument with one element"},
    {"{\"Fn::Base64\":\"hello\"}", "\"aGVsbG8=\"", NULL},
    {"{\"Fn::Base64\":[\"a\"]}", NULL,
     "Template error: every Fn::Base64 object must have a String value"},
    {"{\"Fn::GetAZs\":\"\"}",
     "[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\",\"us-east-1d\",\"us-east-1e\",\"us-east-1f\"]",
     NULL},
    {"{\"Fn::GetAZs\":[\"x\"]}", NULL, "Template error: Fn::GetAZs requires a String region"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/16\",4,8]}",
     "[\"10.0.0.0/24\",\"10.0.1.0/24\",\"10.0.2.0/24\",\"10.0.3.0/24\"]", NULL},
    {"{\"Fn::Cidr\":[\"10.0.0.0\",4,8]}", NULL,
     "Template error: Fn::Cidr: invalid IP block 10.0.0.0"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/x\",4,8]}", NULL,
     "Template error: Fn::Cidr: invalid IP block 10.0.0.0/x"},
    {"{\"Fn::Cidr\":[\"::1/64\",4,8]}", NULL,
     "Template error: Fn::Cidr: invalid IP block ::1/64 (only IPv4 is supported)"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/33\",4,8]}", NULL,
     "Template error: Fn::Cidr: invalid IP block 10.0.0.0/33 (only IPv4 is supported)"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/24\",4,8]}", NULL,
     "Template error: Fn::Cidr: cannot fit 4 subnets of 8 host bits in 10.0.0.0/24"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/24\",0,4]}", NULL,
     "Template error: Fn::Cidr: cannot fit 0 subnets of 4 host bits in 10.0.0.0/24"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/24\",300,4]}", NULL,
     "Template error: Fn::Cidr: cannot fit 300 subnets of 4 host bits in 10.0.0.0/24"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/24\",2,33]}", NULL,
     "Template error: Fn::Cidr: cannot fit 2 subnets of 33 host bits in 10.0.0.0/24"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/24\",2,-1]}", NULL,
     "Template error: Fn::Cidr: cannot fit 2 subnets of -1 host bits in 10.0.0.0/24"},
    {"{\"Fn::Cidr\":[\"10.0.0.0/24\",2]}", NULL,
     "Template error: every Fn::Cidr object requires three parameters, (1) an IP block, (2) the "
     "number of subnets and (3) the subnet mask (number of host bits)"},
    {"{\"Fn::Cidr\":[{\"Ref\":\"P\"},2,4]}", NULL, "Template error: Fn::Cidr: invalid IP block pv"},
    {"{\"Fn::ImportValue\":\"exp\"}", NULL, "No export named exp found."},
    {"{\"Fn::ImportValue\":\"none\"}", NULL, "No export named none found."},
    {"{\"Fn::ImportValue\":{\"Ref\":\"P\"}}", NULL, "No export named pv found."},
    {"{\"Fn::ImportValue\":[\"x\"]}", NULL,
     "Template error: the attribute in Fn::ImportValue must not depend on any resources, imported "
     "values, or Fn::GetAZs"},
    {"{\"Fn::Transform\":{\"Name\":\"x\"}}", NULL,
     "Template format error: Fn::Transform is not supported by this emulator"},
    {"{\"Fn::Unknown\":1}", NULL,
     "Template format error: Encountered unsupported function: Fn::Unknown Supported functions "
     "are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, "
     "Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, "
     "Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, "
     "Fn::RefAll, Fn::Sub, Fn::Cidr]"},
    {"{\"Fn::Contains\":[1]}", NULL,
     "Template format error: Encountered unsupported function: Fn::Contains Supported functions "
     "are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, "
     "Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, "
     "Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, "
     "Fn::RefAll, Fn::Sub, Fn::Cidr]"},
    {"{\"Fn::Length\":[1]}", NULL,
     "Template format error: Encountered unsupported function: Fn::Length Supported functions are: "
     "[Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, "
     "Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, "
     "Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, "
     "Fn::Cidr]"},
    {"{\"Properties\":{\"Condition\":{\"StringEquals\":{\"a\":\"b\"}}}}",
     "{\"Properties\":{\"Condition\":{\"StringEquals\":{\"a\":\"b\"}}}}", NULL},
    {"{\"a\":{\"Fn::If\":[\"T\",{\"Fn::Sub\":\"${P}\"},{\"Ref\":\"AWS::NoValue\"}]}}",
     "{\"a\":\"pv\"}", NULL},
};

TEST(cfnlang_intrinsics_table)
{
    json_t *t = json_loads(tmpl, 0, NULL);
    json_t *params = json_pack("{s:s, s:[s,s], s:s}", "P", "pv", "L", "l1", "l2", "a.b", "ab");
    CHECK(t != NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cfn_ctx x = {.account = "123456789012", .stack_name = "st", .stack_id = "arn:sid"};
        x.tmpl = t;
        x.params = params;
        struct cfn_err e;
        e.msg[0] = 0;
        json_t *v = json_loads(cases[i].expr, JSON_DECODE_ANY, NULL), *out = NULL;
        CHECK(v != NULL);
        int rc = cfn_eval(&x, v, &out, &e);
        char *s = out ? json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        if (cases[i].error) {
            CHECK_EQ_INT(rc, -1);
            CHECK_EQ_STR(e.msg, cases[i].error);
        } else {
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_STR(s, cases[i].result);
        }
        if (rc != (cases[i].error ? -1 : 0))
            harness_fail(__FILE__, __LINE__, "case %zu: %s", i, cases[i].expr);
        free(s);
        json_decref(out);
        json_decref(v);
        json_decref(x.conditions);
    }
    json_decref(params);
    json_decref(t);
}
