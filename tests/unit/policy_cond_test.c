/* policy_cond_test.c — every condition operator, IfExists, ForAllValues/ForAnyValue, Null. */
#include <jansson.h>
#include <stdbool.h>

#include "auth/policy.h"
#include "harness.h"

/* Evaluates a Condition element (JSON text) against a context (JSON text or NULL).
 * Returns 1 true, 0 false, -1 when a JSON literal in the test itself is broken. */
static int cond_vars(const char *cond_json, const char *ctx_json, bool vars)
{
    json_t *c = json_loads(cond_json, 0, NULL);
    json_t *x = ctx_json ? json_loads(ctx_json, 0, NULL) : NULL;
    int r = -1;
    if (c && (x || !ctx_json)) {
        struct policy_env env = {x, NULL, vars};
        r = policy_cond_eval(c, &env) ? 1 : 0;
    }
    json_decref(c);
    json_decref(x);
    return r;
}

static int cond(const char *cond_json, const char *ctx_json)
{
    return cond_vars(cond_json, ctx_json, true);
}

TEST(policy_cond_string_equals)
{
    const char *c = "{\"StringEquals\":{\"ec2:InstanceType\":[\"t3.micro\",\"t3.small\"]}}";
    CHECK_EQ_INT(cond(c, "{\"ec2:instancetype\":\"t3.micro\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"ec2:instancetype\":\"t3.small\"}"), 1); /* values ORed */
    CHECK_EQ_INT(cond(c, "{\"ec2:instancetype\":\"T3.MICRO\"}"), 0); /* case-sensitive */
    CHECK_EQ_INT(cond(c, "{\"ec2:instancetype\":\"m5.large\"}"), 0);
    CHECK_EQ_INT(cond(c, "{}"), 0); /* key absent: positive operator is false */
    CHECK_EQ_INT(cond(c, NULL), 0);
    /* the key name of the policy is case-insensitive */
    CHECK_EQ_INT(
        cond("{\"StringEquals\":{\"AWS:UserName\":\"cfn\"}}", "{\"aws:username\":\"cfn\"}"), 1);
}

TEST(policy_cond_string_not_equals)
{
    const char *c = "{\"StringNotEquals\":{\"aws:requestedregion\":[\"us-east-1\",\"eu-west-1\"]}}";
    CHECK_EQ_INT(cond(c, "{\"aws:requestedregion\":\"us-west-2\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"aws:requestedregion\":\"us-east-1\"}"), 0); /* NOR */
    CHECK_EQ_INT(cond(c, "{\"aws:requestedregion\":\"eu-west-1\"}"), 0);
    CHECK_EQ_INT(cond(c, "{}"), 1); /* key absent: negated operator is true */
}

TEST(policy_cond_string_ignore_case)
{
    const char *eq = "{\"StringEqualsIgnoreCase\":{\"aws:username\":\"CFN\"}}";
    const char *ne = "{\"StringNotEqualsIgnoreCase\":{\"aws:username\":\"CFN\"}}";
    CHECK_EQ_INT(cond(eq, "{\"aws:username\":\"cfn\"}"), 1);
    CHECK_EQ_INT(cond(eq, "{\"aws:username\":\"cfn2\"}"), 0);
    CHECK_EQ_INT(cond(ne, "{\"aws:username\":\"cFn\"}"), 0);
    CHECK_EQ_INT(cond(ne, "{\"aws:username\":\"bob\"}"), 1);
    CHECK_EQ_INT(cond(ne, "{}"), 1);
}

TEST(policy_cond_string_like)
{
    const char *c = "{\"StringLike\":{\"cloudwatch:alarmactions\":\"arn:aws:sns:*\"}}";
    CHECK_EQ_INT(cond(c, "{\"cloudwatch:alarmactions\":\"arn:aws:sns:us-east-1:1:t\"}"), 1);
    CHECK_EQ_INT(
        cond(c, "{\"cloudwatch:alarmactions\":\"arn:aws:automate:us-east-1:ec2:recover\"}"), 0);
    CHECK_EQ_INT(cond("{\"StringLike\":{\"k\":\"a?c\"}}", "{\"k\":\"abc\"}"), 1);
    CHECK_EQ_INT(cond("{\"StringLike\":{\"k\":\"a?c\"}}", "{\"k\":\"abbc\"}"), 0);
    CHECK_EQ_INT(cond("{\"StringLike\":{\"k\":\"A*\"}}", "{\"k\":\"abc\"}"), 0); /* case */
    const char *n = "{\"StringNotLike\":{\"k\":[\"a*\",\"b*\"]}}";
    CHECK_EQ_INT(cond(n, "{\"k\":\"cat\"}"), 1);
    CHECK_EQ_INT(cond(n, "{\"k\":\"bat\"}"), 0);
    CHECK_EQ_INT(cond(n, "{}"), 1);
}

TEST(policy_cond_numeric)
{
    const char *ctx = "{\"n\":\"10\"}";
    CHECK_EQ_INT(cond("{\"NumericEquals\":{\"n\":\"10\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"NumericEquals\":{\"n\":\"10.0\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"NumericEquals\":{\"n\":\"11\"}}", ctx), 0);
    CHECK_EQ_INT(cond("{\"NumericNotEquals\":{\"n\":\"11\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"NumericNotEquals\":{\"n\":\"10\"}}", ctx), 0);
    CHECK_EQ_INT(cond("{\"NumericLessThan\":{\"n\":\"11\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"NumericLessThan\":{\"n\":\"10\"}}", ctx), 0);
    CHECK_EQ_INT(cond("{\"NumericLessThanEquals\":{\"n\":\"10\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"NumericLessThanEquals\":{\"n\":\"9\"}}", ctx), 0);
    CHECK_EQ_INT(cond("{\"NumericGreaterThan\":{\"n\":\"9.5\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"NumericGreaterThan\":{\"n\":\"10\"}}", ctx), 0);
    CHECK_EQ_INT(cond("{\"NumericGreaterThanEquals\":{\"n\":\"10\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"NumericGreaterThanEquals\":{\"n\":\"10.5\"}}", ctx), 0);
    /* numbers as JSON numbers on both sides; a non-number never matches */
    CHECK_EQ_INT(cond("{\"NumericLessThan\":{\"n\":3600}}", "{\"n\":900}"), 1);
    CHECK_EQ_INT(cond("{\"NumericLessThan\":{\"n\":\"3600\"}}", "{\"n\":\"abc\"}"), 0);
    CHECK_EQ_INT(cond("{\"NumericEquals\":{\"n\":\"0x10\"}}", "{\"n\":\"16\"}"), 0);
    CHECK_EQ_INT(cond("{\"NumericLessThan\":{\"n\":\"1\"}}", "{}"), 0);
}

TEST(policy_cond_date)
{
    const char *ctx = "{\"aws:currenttime\":\"2026-11-28T12:00:00Z\"}";
    CHECK_EQ_INT(cond("{\"DateEquals\":{\"aws:CurrentTime\":\"2026-11-28T12:00:00Z\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"DateEquals\":{\"aws:CurrentTime\":\"2026-11-28T12:00:01Z\"}}", ctx), 0);
    CHECK_EQ_INT(cond("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2026-11-28T12:00:01Z\"}}", ctx),
                 1);
    CHECK_EQ_INT(cond("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2026-11-28T12:00:00Z\"}}", ctx),
                 0);
    CHECK_EQ_INT(cond("{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-11-28T13:00:00Z\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-11-28T12:00:00Z\"}}", ctx), 0);
    CHECK_EQ_INT(
        cond("{\"DateLessThanEquals\":{\"aws:CurrentTime\":\"2026-11-28T12:00:00Z\"}}", ctx), 1);
    CHECK_EQ_INT(
        cond("{\"DateLessThanEquals\":{\"aws:CurrentTime\":\"2026-11-28T11:59:59Z\"}}", ctx), 0);
    CHECK_EQ_INT(cond("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-11-28\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-11-29\"}}", ctx), 0);
    CHECK_EQ_INT(
        cond("{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2026-11-28T12:00:00Z\"}}", ctx), 1);
    CHECK_EQ_INT(
        cond("{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2026-11-28T12:00:01Z\"}}", ctx), 0);
    /* offsets and epoch seconds on either side */
    CHECK_EQ_INT(cond("{\"DateEquals\":{\"aws:CurrentTime\":\"2026-11-28T13:00:00+01:00\"}}", ctx),
                 1);
    CHECK_EQ_INT(cond("{\"DateEquals\":{\"aws:CurrentTime\":\"1795867200\"}}", ctx), 1);
    CHECK_EQ_INT(cond("{\"DateLessThan\":{\"aws:EpochTime\":\"2026-01-01T00:00:00Z\"}}",
                      "{\"aws:epochtime\":1767225599}"),
                 1);
    CHECK_EQ_INT(cond("{\"DateLessThan\":{\"aws:EpochTime\":\"2026-01-01T00:00:00Z\"}}",
                      "{\"aws:epochtime\":1767225600}"),
                 0);
    CHECK_EQ_INT(cond("{\"DateLessThan\":{\"aws:CurrentTime\":\"not a date\"}}", ctx), 0);
}

TEST(policy_cond_current_time_flips_with_the_clock)
{
    const char *c = "{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-11-28T18:00:00Z\"}}";
    CHECK_EQ_INT(cond(c, "{\"aws:currenttime\":\"2026-11-28T17:59:59Z\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"aws:currenttime\":\"2026-11-28T18:00:00Z\"}"), 0);
    CHECK_EQ_INT(cond(c, "{\"aws:currenttime\":\"2026-11-28T20:00:00Z\"}"), 0);
}

TEST(policy_cond_bool)
{
    const char *c = "{\"Bool\":{\"aws:ViaAWSService\":\"true\"}}";
    CHECK_EQ_INT(cond(c, "{\"aws:viaawsservice\":\"true\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"aws:viaawsservice\":true}"), 1);
    CHECK_EQ_INT(cond(c, "{\"aws:viaawsservice\":\"TRUE\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"aws:viaawsservice\":false}"), 0);
    CHECK_EQ_INT(cond(c, "{}"), 0);
    CHECK_EQ_INT(
        cond("{\"Bool\":{\"aws:SecureTransport\":false}}", "{\"aws:securetransport\":\"false\"}"),
        1);
    CHECK_EQ_INT(cond(c, "{\"aws:viaawsservice\":\"yes\"}"), 0);
}

TEST(policy_cond_binary_equals)
{
    const char *c = "{\"BinaryEquals\":{\"k\":\"QmluYXJ5VmFsdWU=\"}}";
    CHECK_EQ_INT(cond(c, "{\"k\":\"QmluYXJ5VmFsdWU=\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"k\":\"qmluyxj5vmfsdwu=\"}"), 0);
    CHECK_EQ_INT(cond(c, "{}"), 0);
}

TEST(policy_cond_ip_address)
{
    const char *c = "{\"IpAddress\":{\"aws:SourceIp\":[\"203.0.113.0/24\",\"2001:db8::/32\"]}}";
    CHECK_EQ_INT(cond(c, "{\"aws:sourceip\":\"203.0.113.77\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"aws:sourceip\":\"203.0.114.1\"}"), 0);
    CHECK_EQ_INT(cond(c, "{\"aws:sourceip\":\"2001:db8:1::5\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"aws:sourceip\":\"2001:db9::5\"}"), 0);
    CHECK_EQ_INT(cond(c, "{\"aws:sourceip\":\"garbage\"}"), 0);
    CHECK_EQ_INT(
        cond("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.2.3\"}}", "{\"aws:sourceip\":\"10.1.2.3\"}"),
        1); /* a bare address is a /32 */
    CHECK_EQ_INT(
        cond("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.2.3\"}}", "{\"aws:sourceip\":\"10.1.2.4\"}"),
        0);
    CHECK_EQ_INT(cond("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/12\"}}",
                      "{\"aws:sourceip\":\"10.15.255.255\"}"),
                 1);
    CHECK_EQ_INT(cond("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/12\"}}",
                      "{\"aws:sourceip\":\"10.16.0.0\"}"),
                 0);
    const char *n = "{\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}";
    CHECK_EQ_INT(cond(n, "{\"aws:sourceip\":\"192.0.2.1\"}"), 0);
    CHECK_EQ_INT(cond(n, "{\"aws:sourceip\":\"198.51.100.1\"}"), 1);
    CHECK_EQ_INT(cond(n, "{}"), 1);
}

TEST(policy_cond_arn)
{
    const char *c = "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:ec2:*:123456789012:instance/*\"}}";
    CHECK_EQ_INT(cond(c, "{\"aws:sourcearn\":\"arn:aws:ec2:us-east-1:123456789012:instance/i-1\"}"),
                 1);
    CHECK_EQ_INT(cond(c, "{\"aws:sourcearn\":\"arn:aws:ec2:us-east-1:999999999999:instance/i-1\"}"),
                 0);
    /* fields are matched one by one: '*' of the region field does not swallow the account */
    const char *f = "{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:ec2:*:123456789012:*\"}}";
    CHECK_EQ_INT(cond(f, "{\"aws:sourcearn\":\"arn:aws:ec2:us-east-1:999:123456789012:x\"}"), 0);
    CHECK_EQ_INT(cond(f, "{\"aws:sourcearn\":\"arn:aws:ec2:us-east-1:123456789012:x:y\"}"), 1);
    CHECK_EQ_INT(cond(f, "{\"aws:sourcearn\":\"not-an-arn\"}"), 0);
    const char *ne = "{\"ArnNotEquals\":{\"aws:SourceArn\":\"arn:aws:iam::1:role/a\"}}";
    CHECK_EQ_INT(cond(ne, "{\"aws:sourcearn\":\"arn:aws:iam::1:role/a\"}"), 0);
    CHECK_EQ_INT(cond(ne, "{\"aws:sourcearn\":\"arn:aws:iam::1:role/b\"}"), 1);
    const char *nl = "{\"ArnNotLike\":{\"aws:SourceArn\":\"arn:aws:iam::*:role/a*\"}}";
    CHECK_EQ_INT(cond(nl, "{\"aws:sourcearn\":\"arn:aws:iam::1:role/abc\"}"), 0);
    CHECK_EQ_INT(cond(nl, "{\"aws:sourcearn\":\"arn:aws:iam::1:role/xyz\"}"), 1);
    CHECK_EQ_INT(cond(nl, "{}"), 1);
}

TEST(policy_cond_null)
{
    CHECK_EQ_INT(cond("{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}", "{}"), 1);
    CHECK_EQ_INT(cond("{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}",
                      "{\"aws:tokenissuetime\":\"2026-01-01T00:00:00Z\"}"),
                 0);
    CHECK_EQ_INT(cond("{\"Null\":{\"aws:TokenIssueTime\":\"false\"}}",
                      "{\"aws:tokenissuetime\":\"2026-01-01T00:00:00Z\"}"),
                 1);
    CHECK_EQ_INT(cond("{\"Null\":{\"aws:TokenIssueTime\":false}}", "{}"), 0);
    CHECK_EQ_INT(cond("{\"Null\":{\"aws:CalledVia\":\"true\"}}", "{\"aws:calledvia\":[]}"), 1);
}

TEST(policy_cond_if_exists)
{
    const char *c = "{\"StringEqualsIfExists\":{\"ec2:InstanceType\":\"t3.micro\"}}";
    CHECK_EQ_INT(cond(c, "{}"), 1);
    CHECK_EQ_INT(cond(c, "{\"ec2:instancetype\":\"t3.micro\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"ec2:instancetype\":\"m5.large\"}"), 0);
    const char *n = "{\"NumericLessThanIfExists\":{\"n\":\"5\"}}";
    CHECK_EQ_INT(cond(n, "{}"), 1);
    CHECK_EQ_INT(cond(n, "{\"n\":7}"), 0);
    const char *ne = "{\"StringNotEqualsIfExists\":{\"k\":\"a\"}}";
    CHECK_EQ_INT(cond(ne, "{\"k\":\"a\"}"), 0);
    CHECK_EQ_INT(cond(ne, "{}"), 1);
}

TEST(policy_cond_for_all_values)
{
    const char *c = "{\"ForAllValues:StringLike\":{\"cloudwatch:AlarmActions\":"
                    "[\"arn:aws:sns:*\",\"arn:aws:ssm:*\"]}}";
    CHECK_EQ_INT(cond(c, "{}"), 1);                               /* key absent: true */
    CHECK_EQ_INT(cond(c, "{\"cloudwatch:alarmactions\":[]}"), 1); /* empty set: true */
    CHECK_EQ_INT(cond(c, "{\"cloudwatch:alarmactions\":[\"arn:aws:sns:us-east-1:1:a\","
                         "\"arn:aws:ssm:us-east-1:1:opsitem:3\"]}"),
                 1);
    CHECK_EQ_INT(cond(c, "{\"cloudwatch:alarmactions\":[\"arn:aws:sns:us-east-1:1:a\","
                         "\"arn:aws:automate:us-east-1:ec2:recover\"]}"),
                 0);
    CHECK_EQ_INT(cond(c, "{\"cloudwatch:alarmactions\":\"arn:aws:sns:us-east-1:1:a\"}"), 1);
    /* negated with a set operator: every request value must match none */
    const char *n = "{\"ForAllValues:StringNotEquals\":{\"k\":[\"x\",\"y\"]}}";
    CHECK_EQ_INT(cond(n, "{\"k\":[\"a\",\"b\"]}"), 1);
    CHECK_EQ_INT(cond(n, "{\"k\":[\"a\",\"x\"]}"), 0);
    CHECK_EQ_INT(cond(n, "{}"), 1);
}

TEST(policy_cond_for_any_value)
{
    const char *c =
        "{\"ForAnyValue:StringEquals\":{\"aws:CalledVia\":[\"cloudformation.amazonaws.com\"]}}";
    CHECK_EQ_INT(cond(c, "{}"), 0);                     /* key absent: false */
    CHECK_EQ_INT(cond(c, "{\"aws:calledvia\":[]}"), 0); /* empty set: false */
    CHECK_EQ_INT(cond(c, "{\"aws:calledvia\":[\"athena.amazonaws.com\","
                         "\"cloudformation.amazonaws.com\"]}"),
                 1);
    CHECK_EQ_INT(cond(c, "{\"aws:calledvia\":[\"athena.amazonaws.com\"]}"), 0);
    const char *n = "{\"ForAnyValue:StringNotEquals\":{\"k\":[\"x\",\"y\"]}}";
    CHECK_EQ_INT(cond(n, "{\"k\":[\"x\",\"z\"]}"), 1);
    CHECK_EQ_INT(cond(n, "{\"k\":[\"x\",\"y\"]}"), 0);
    CHECK_EQ_INT(cond(n, "{}"), 0);
    /* IfExists on a set operator: an absent key is true */
    CHECK_EQ_INT(cond("{\"ForAnyValue:StringEqualsIfExists\":{\"k\":\"x\"}}", "{}"), 1);
}

TEST(policy_cond_multivalued_without_set_operator)
{
    CHECK_EQ_INT(cond("{\"StringEquals\":{\"k\":\"b\"}}", "{\"k\":[\"a\",\"b\"]}"), 1);
    CHECK_EQ_INT(cond("{\"StringEquals\":{\"k\":\"c\"}}", "{\"k\":[\"a\",\"b\"]}"), 0);
    CHECK_EQ_INT(cond("{\"StringNotEquals\":{\"k\":\"b\"}}", "{\"k\":[\"a\",\"b\"]}"), 0);
    CHECK_EQ_INT(cond("{\"StringNotEquals\":{\"k\":\"c\"}}", "{\"k\":[\"a\",\"b\"]}"), 1);
}

TEST(policy_cond_keys_and_operators_are_anded)
{
    const char *c = "{\"StringEquals\":{\"a\":\"1\",\"b\":\"2\"},\"Bool\":{\"c\":\"true\"}}";
    CHECK_EQ_INT(cond(c, "{\"a\":\"1\",\"b\":\"2\",\"c\":true}"), 1);
    CHECK_EQ_INT(cond(c, "{\"a\":\"1\",\"b\":\"3\",\"c\":true}"), 0);
    CHECK_EQ_INT(cond(c, "{\"a\":\"1\",\"b\":\"2\",\"c\":false}"), 0);
    CHECK_EQ_INT(cond("{}", "{}"), 1);
}

TEST(policy_cond_variables_in_values)
{
    const char *c = "{\"StringLike\":{\"s3:prefix\":\"home/${aws:username}/*\"}}";
    CHECK_EQ_INT(cond(c, "{\"aws:username\":\"cfn\",\"s3:prefix\":\"home/cfn/x\"}"), 1);
    CHECK_EQ_INT(cond(c, "{\"aws:username\":\"cfn\",\"s3:prefix\":\"home/bob/x\"}"), 0);
    /* no value for the variable: the policy value matches nothing */
    CHECK_EQ_INT(cond(c, "{\"s3:prefix\":\"home/cfn/x\"}"), 0);
    /* Version 2008-10-17: variables are literal text */
    CHECK_EQ_INT(cond_vars(c, "{\"aws:username\":\"cfn\",\"s3:prefix\":\"home/cfn/x\"}", false), 0);
    CHECK_EQ_INT(cond_vars(c, "{\"s3:prefix\":\"home/${aws:username}/x\"}", false), 1);
    /* ${*} is a literal star, not a wildcard */
    const char *lit = "{\"StringLike\":{\"k\":\"a${*}\"}}";
    CHECK_EQ_INT(cond(lit, "{\"k\":\"a*\"}"), 1);
    CHECK_EQ_INT(cond(lit, "{\"k\":\"abc\"}"), 0);
    /* a default value */
    const char *def = "{\"StringEquals\":{\"k\":\"${aws:PrincipalTag/team, 'none'}\"}}";
    CHECK_EQ_INT(cond(def, "{\"k\":\"none\"}"), 1);
    CHECK_EQ_INT(cond(def, "{\"k\":\"ops\",\"aws:principaltag/team\":\"ops\"}"), 1);
}

TEST(policy_cond_unknown_operator)
{
    CHECK_EQ_INT(cond("{\"StringEqualz\":{}}", "{}"), 1); /* IAM tolerates an empty block */
    CHECK_EQ_INT(cond("{\"StringEqualz\":{\"k\":\"v\"}}", "{\"k\":\"v\"}"), 0);
    CHECK(policy_cond_operator_known("ForAllValues:StringLikeIfExists", NULL));
    CHECK(!policy_cond_operator_known("ForSomeValues:StringLike", NULL));
    CHECK(!policy_cond_operator_known("IfExists", NULL));
    bool is_date = false;
    CHECK(policy_cond_operator_known("DateGreaterThanIfExists", &is_date));
    CHECK(is_date);
}

TEST(policy_cond_principal_arn_fallback)
{
    json_t *c =
        json_loads("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/c*\"}}", 0, NULL);
    struct policy_env env = {NULL, "arn:aws:iam::123456789012:user/cfn", true};
    CHECK(policy_cond_eval(c, &env));
    env.principal_arn = "arn:aws:iam::123456789012:user/bob";
    CHECK(!policy_cond_eval(c, &env));
    json_decref(c);
}
