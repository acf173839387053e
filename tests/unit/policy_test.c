/* policy_test.c — policy validation messages, evaluation rules, decisions, trust policies. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "base/base.h"
#include "harness.h"

#define ACCT "123456789012"

/* Parses text with the given kind; returns the document or NULL with err filled. */
static json_t *parse_kind(const char *text, enum policy_kind kind, char *err)
{
    struct policy_parse_opts o = {kind, NULL, NULL};
    json_t *doc = NULL;
    if (policy_parse(text, strlen(text), &o, &doc, err) != 0)
        return NULL;
    return doc;
}

/* The MalformedPolicyDocument message for text ("" when it parses). */
static const char *perr(const char *text, enum policy_kind kind)
{
    static char err[POLICY_ERR_MAX];
    json_t *d = parse_kind(text, kind, err);
    if (d) {
        json_decref(d);
        return "";
    }
    return err;
}

static json_t *must_parse(const char *text)
{
    char err[POLICY_ERR_MAX];
    json_t *d = parse_kind(text, POLICY_KIND_INLINE, err);
    if (!d)
        harness_fail(__FILE__, __LINE__, "policy did not parse: %s", err);
    return d;
}

/* One-document evaluation with an optional context (JSON text). */
static enum policy_effect eval1(const char *doc_text, const char *action, const char *resource,
                                const char *ctx_text)
{
    json_t *d = must_parse(doc_text);
    json_t *ctx = ctx_text ? json_loads(ctx_text, 0, NULL) : NULL;
    struct policy_request rq = {action, resource, ctx, "arn:aws:iam::" ACCT ":user/cfn"};
    enum policy_effect e = d ? policy_eval(d, &rq) : (enum policy_effect) - 1;
    json_decref(ctx);
    json_decref(d);
    return e;
}

#define ALLOW_ALL                                                                                  \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","            \
    "\"Resource\":\"*\"}}"

/* ---------------------------------------------------------------- parsing */

TEST(policy_parse_valid_documents)
{
    CHECK_EQ_STR(perr(ALLOW_ALL, POLICY_KIND_INLINE), "");
    CHECK_EQ_STR(perr(ALLOW_ALL, POLICY_KIND_MANAGED), "");
    CHECK_EQ_STR(
        perr("{\"Statement\":[{\"Sid\":\"A1\",\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\"],"
             "\"NotResource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"Bool\":"
             "{\"aws:SecureTransport\":false}}}]}",
             POLICY_KIND_INLINE),
        "");
    CHECK_EQ_STR(
        perr("{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\","
             "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}",
             POLICY_KIND_TRUST),
        "");
}

TEST(policy_parse_syntax_errors)
{
    const char *syn = "Syntax errors in policy.";
    CHECK_EQ_STR(perr("", POLICY_KIND_INLINE), syn);
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\"", POLICY_KIND_INLINE), syn);
    CHECK_EQ_STR(perr("[]", POLICY_KIND_INLINE), syn);
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\"}", POLICY_KIND_INLINE), syn);
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":[]}", POLICY_KIND_INLINE), syn);
    CHECK_EQ_STR(perr("{\"Version\":\"2013-01-01\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"*\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 syn);
    CHECK_EQ_STR(perr("{\"Statement\":{\"Effect\":\"Maybe\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 syn);
    CHECK_EQ_STR(perr("{\"Statement\":{\"Action\":\"*\",\"Resource\":\"*\"}}", POLICY_KIND_INLINE),
                 syn);
    CHECK_EQ_STR(perr("{\"Statement\":{\"Effect\":\"Allow\",\"Actions\":\"*\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 syn);
    CHECK_EQ_STR(perr("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"*\","
                      "\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 syn);
    CHECK_EQ_STR(perr("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[1],\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 syn);
    CHECK_EQ_STR(perr("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                      "\"Condition\":{\"StringLikes\":{\"k\":\"v\"}}}}",
                      POLICY_KIND_INLINE),
                 syn);
    CHECK_EQ_STR(perr("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                      "\"Condition\":{\"StringLike\":{\"k\":{\"a\":1}}}}}",
                      POLICY_KIND_INLINE),
                 syn);
    CHECK_EQ_STR(perr("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                      "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 syn);
    /* an unknown operator with an empty block is tolerated */
    CHECK_EQ_STR(perr("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                      "\"Condition\":{\"StringLikes\":{}}}}",
                      POLICY_KIND_INLINE),
                 "");
    /* embedded NUL: the length given is honoured */
    char err[POLICY_ERR_MAX];
    json_t *d = NULL;
    CHECK_EQ_INT(policy_parse("{\"a\0", 4, NULL, &d, err), -1);
    CHECK(d == NULL);
    CHECK_EQ_STR(err, syn);
}

TEST(policy_parse_principal_rules)
{
    const char *with_p =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
        "\"Principal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}}";
    CHECK_EQ_STR(perr(with_p, POLICY_KIND_INLINE),
                 "Policy document should not specify a principal.");
    CHECK_EQ_STR(perr(with_p, POLICY_KIND_SESSION),
                 "Policy document should not specify a principal.");
    CHECK_EQ_STR(perr(with_p, POLICY_KIND_TRUST), "Has prohibited field Resource");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"sts:AssumeRole\"}}",
                      POLICY_KIND_TRUST),
                 "Missing required field Principal");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Principal\":{\"AWS\":\"arn:aws:iam::" ACCT ":role/*\"},"
                      "\"Action\":\"sts:AssumeRole\"}}",
                      POLICY_KIND_TRUST),
                 "Invalid principal in policy: \"AWS\":\"arn:aws:iam::" ACCT ":role/*\"");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Principal\":{\"AWS\":[\"" ACCT "\",\"arn:aws::iam::" ACCT ":root\"]},"
                      "\"Action\":\"sts:AssumeRole\"}}",
                      POLICY_KIND_TRUST),
                 "Invalid principal in policy: \"AWS\":\"arn:aws::iam::" ACCT ":root\"");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Principal\":{\"Service\":\"ec2\"},\"Action\":\"sts:AssumeRole\"}}",
                      POLICY_KIND_TRUST),
                 "Invalid principal in policy: \"SERVICE\":\"ec2\"");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Principal\":{\"Nobody\":\"x\"},\"Action\":\"sts:AssumeRole\"}}",
                      POLICY_KIND_TRUST),
                 "Syntax errors in policy.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}}",
                      POLICY_KIND_TRUST),
                 "");
}

static bool only_existing(void *ctx, const char *arn)
{
    return strcmp(arn, (const char *)ctx) == 0;
}

TEST(policy_parse_principal_must_exist)
{
    const char *text = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                       "\"Principal\":{\"AWS\":\"arn:aws:iam::" ACCT ":role/nodes\"},"
                       "\"Action\":\"sts:AssumeRole\"}}";
    struct policy_parse_opts o = {POLICY_KIND_TRUST, only_existing,
                                  (void *)"arn:aws:iam::" ACCT ":role/nodes"};
    char err[POLICY_ERR_MAX];
    json_t *d = NULL;
    CHECK_EQ_INT(policy_parse(text, strlen(text), &o, &d, err), 0);
    json_decref(d);
    o.ctx = (void *)"arn:aws:iam::" ACCT ":role/other";
    CHECK_EQ_INT(policy_parse(text, strlen(text), &o, &d, err), -1);
    CHECK_EQ_STR(err, "Invalid principal in policy: \"AWS\":\"arn:aws:iam::" ACCT ":role/nodes\"");
}

TEST(policy_parse_version_and_legacy)
{
    const char *nover =
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}";
    CHECK_EQ_STR(perr(nover, POLICY_KIND_MANAGED),
                 "Policy document must be version 2012-10-17 or greater.");
    CHECK_EQ_STR(perr(nover, POLICY_KIND_INLINE), "");
    CHECK_EQ_STR(perr("{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"*\",\"Resource\":\"*\"}}",
                      POLICY_KIND_MANAGED),
                 "Policy document must be version 2012-10-17 or greater.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"allow\","
                      "\"Action\":\"*\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 "The policy failed legacy parsing");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":"
                      "{\"aws:CurrentTime\":\"tomorrow\"}}}}",
                      POLICY_KIND_INLINE),
                 "The policy failed legacy parsing");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"*\",\"Resource\":\"arn:aws:s3::bucket\"}}",
                      POLICY_KIND_INLINE),
                 "The policy failed legacy parsing");
}

TEST(policy_parse_statement_contents)
{
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 "Policy statement must contain actions.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":[],\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 "Policy statement must contain actions.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"ec2:*\"}}",
                      POLICY_KIND_INLINE),
                 "Policy statement must contain resources.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":"
                      "\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},{\"Sid\":\"A\",\"Effect\":"
                      "\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
                      POLICY_KIND_INLINE),
                 "Statement IDs (SID) in a single policy must be unique.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"my sid\",\"Effect\":"
                      "\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies "
                 "the regular expression [0-9A-Za-z]*");
}

TEST(policy_parse_resource_and_action_formats)
{
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"s3:*\",\"Resource\":\"my-bucket\"}}",
                      POLICY_KIND_INLINE),
                 "Resource my-bucket must be in ARN format or \"*\".");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"s3:*\",\"Resource\":\"arn:nope:s3:::b\"}}",
                      POLICY_KIND_INLINE),
                 "Partition \"nope\" is not valid for resource \"arn:nope:s3:::b\".");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"s3:*\",\"Resource\":\"arn:nope\"}}",
                      POLICY_KIND_INLINE),
                 "Partition \"nope\" is not valid for resource \"arn:nope:*:*:*:*\".");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3\"}}",
                      POLICY_KIND_INLINE),
                 "Resource vendor must be fully qualified and cannot contain regexes.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"iam:*\",\"Resource\":\"arn:aws:iam:us-east-1:" ACCT
                      ":user/x\"}}",
                      POLICY_KIND_INLINE),
                 "IAM resource arn:aws:iam:us-east-1:" ACCT ":user/x cannot contain region "
                 "information.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"PutMetricData\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"a:b:c\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 "Actions/Condition can contain only one colon.");
    CHECK_EQ_STR(perr("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"clou dwatch:Put\",\"Resource\":\"*\"}}",
                      POLICY_KIND_INLINE),
                 "Vendor clou dwatch is not valid");
}

TEST(policy_size_counts_non_whitespace)
{
    const char *t = "{ \"a\" :\n\t\"b\" }";
    CHECK_EQ_INT(policy_size(t, strlen(t)), 9);
    CHECK_EQ_INT(policy_size("\xc3\xa9 x", 4), 2); /* one code point, not two bytes */
    CHECK_EQ_INT(policy_size(NULL, 0), 0);
}

/* ---------------------------------------------------------------- evaluation */

TEST(policy_eval_allow_deny_not_applicable)
{
    const char *doc =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":\"cloudwatch:*\",\"Resource\":\"*\"},"
        "{\"Effect\":\"Deny\",\"Action\":\"cloudwatch:DeleteAlarms\",\"Resource\":\"*\"}]}";
    CHECK_EQ_INT(eval1(doc, "cloudwatch:PutMetricAlarm", "*", NULL), POLICY_ALLOW);
    CHECK_EQ_INT(eval1(doc, "cloudwatch:DeleteAlarms", "*", NULL), POLICY_DENY);
    CHECK_EQ_INT(eval1(doc, "ec2:RunInstances", "*", NULL), POLICY_NOT_APPLICABLE);
}

TEST(policy_eval_action_matching)
{
    const char *doc =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
        "\"Action\":[\"cloudwatch:Put*\",\"ec2:Describe?nstances\"],\"Resource\":\"*\"}}";
    CHECK_EQ_INT(eval1(doc, "cloudwatch:PutMetricData", NULL, NULL), POLICY_ALLOW);
    CHECK_EQ_INT(eval1(doc, "CloudWatch:putmetricalarm", NULL, NULL), POLICY_ALLOW); /* icase */
    CHECK_EQ_INT(eval1(doc, "cloudwatch:GetMetricData", NULL, NULL), POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(eval1(doc, "ec2:DescribeInstances", NULL, NULL), POLICY_ALLOW);
    CHECK_EQ_INT(eval1(doc, "ec2:DescribeXXnstances", NULL, NULL), POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(eval1(doc, "monitoring:PutMetricData", NULL, NULL), POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(eval1(ALLOW_ALL, "iam:CreateUser", "arn:aws:iam::" ACCT ":user/x", NULL),
                 POLICY_ALLOW);
}

TEST(policy_eval_resource_matching)
{
    const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"ec2:*\",\"Resource\":\"arn:aws:ec2:*:" ACCT ":instance/*\"}}";
    CHECK_EQ_INT(
        eval1(doc, "ec2:StopInstances", "arn:aws:ec2:us-east-1:" ACCT ":instance/i-1", NULL),
        POLICY_ALLOW);
    CHECK_EQ_INT(eval1(doc, "ec2:StopInstances", "arn:aws:ec2:us-east-1:" ACCT ":volume/v-1", NULL),
                 POLICY_NOT_APPLICABLE);
    /* resources are case-sensitive */
    CHECK_EQ_INT(
        eval1(doc, "ec2:StopInstances", "arn:aws:ec2:us-east-1:" ACCT ":Instance/i-1", NULL),
        POLICY_NOT_APPLICABLE);
    /* an action without resource types ("*") only meets Resource "*" */
    CHECK_EQ_INT(eval1(doc, "ec2:DescribeInstances", "*", NULL), POLICY_NOT_APPLICABLE);
    /* '*' spans ':' and '/' */
    const char *span = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                       "\"Action\":\"ec2:*\",\"Resource\":\"arn:aws:ec2:*\"}}";
    CHECK_EQ_INT(
        eval1(span, "ec2:StopInstances", "arn:aws:ec2:us-east-1:" ACCT ":instance/a/b", NULL),
        POLICY_ALLOW);
    const char *q = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                    "\"Action\":\"iam:*\",\"Resource\":\"arn:aws:iam::" ACCT ":user/u?\"}}";
    CHECK_EQ_INT(eval1(q, "iam:GetUser", "arn:aws:iam::" ACCT ":user/u1", NULL), POLICY_ALLOW);
    CHECK_EQ_INT(eval1(q, "iam:GetUser", "arn:aws:iam::" ACCT ":user/u12", NULL),
                 POLICY_NOT_APPLICABLE);
}

TEST(policy_eval_not_action)
{
    /* a Deny with NotAction denies everything else */
    const char *deny =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
        "{\"Effect\":\"Deny\",\"NotAction\":[\"cloudwatch:*\",\"sts:*\"],\"Resource\":\"*\"}]}";
    CHECK_EQ_INT(eval1(deny, "ec2:RunInstances", "*", NULL), POLICY_DENY);
    CHECK_EQ_INT(eval1(deny, "iam:CreateUser", "*", NULL), POLICY_DENY);
    CHECK_EQ_INT(eval1(deny, "cloudwatch:PutMetricData", "*", NULL), POLICY_ALLOW);
    /* an Allow with NotAction allows everything else, nothing more */
    const char *allow = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                        "\"NotAction\":\"iam:*\",\"Resource\":\"*\"}}";
    CHECK_EQ_INT(eval1(allow, "ec2:RunInstances", "*", NULL), POLICY_ALLOW);
    CHECK_EQ_INT(eval1(allow, "IAM:CreateUser", "*", NULL), POLICY_NOT_APPLICABLE);
}

TEST(policy_eval_not_resource)
{
    const char *allow =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
        "\"Action\":\"iam:*\",\"NotResource\":\"arn:aws:iam::" ACCT ":role/admin*\"}}";
    CHECK_EQ_INT(eval1(allow, "iam:GetRole", "arn:aws:iam::" ACCT ":role/ops", NULL), POLICY_ALLOW);
    CHECK_EQ_INT(eval1(allow, "iam:GetRole", "arn:aws:iam::" ACCT ":role/admin1", NULL),
                 POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(eval1(allow, "ec2:RunInstances", "arn:aws:iam::" ACCT ":role/ops", NULL),
                 POLICY_NOT_APPLICABLE);
    const char *deny =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
        "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"NotResource\":[\"arn:aws:s3:::ok\","
        "\"arn:aws:s3:::ok/*\"]}]}";
    CHECK_EQ_INT(eval1(deny, "s3:GetObject", "arn:aws:s3:::ok/key", NULL), POLICY_ALLOW);
    CHECK_EQ_INT(eval1(deny, "s3:GetObject", "arn:aws:s3:::secret/key", NULL), POLICY_DENY);
}

TEST(policy_eval_variables_in_resource)
{
    const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"iam:*AccessKey*\",\"Resource\":\"arn:aws:iam::" ACCT
                      ":user/${aws:username}\"}}";
    const char *ctx = "{\"aws:username\":\"cfn\",\"aws:userid\":\"AIDAEXAMPLE\"}";
    CHECK_EQ_INT(eval1(doc, "iam:CreateAccessKey", "arn:aws:iam::" ACCT ":user/cfn", ctx),
                 POLICY_ALLOW);
    CHECK_EQ_INT(eval1(doc, "iam:CreateAccessKey", "arn:aws:iam::" ACCT ":user/bob", ctx),
                 POLICY_NOT_APPLICABLE);
    /* no username (a role session): the statement matches nothing */
    CHECK_EQ_INT(eval1(doc, "iam:CreateAccessKey", "arn:aws:iam::" ACCT ":user/cfn", "{}"),
                 POLICY_NOT_APPLICABLE);
    /* a value containing '*' is literal, not a wildcard */
    CHECK_EQ_INT(eval1(doc, "iam:CreateAccessKey", "arn:aws:iam::" ACCT ":user/cfnx",
                       "{\"aws:username\":\"cfn*\"}"),
                 POLICY_NOT_APPLICABLE);
    /* Version 2008-10-17 (or none): ${...} is plain text */
    const char *old = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":"
                      "\"arn:aws:iam::" ACCT ":user/${aws:username}\"}}";
    CHECK_EQ_INT(eval1(old, "iam:GetUser", "arn:aws:iam::" ACCT ":user/cfn", ctx),
                 POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(eval1(old, "iam:GetUser", "arn:aws:iam::" ACCT ":user/${aws:username}", ctx),
                 POLICY_ALLOW);
    /* ${*} ${?} ${$} */
    const char *spec = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                       "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/${*}${?}${$}x\"}}";
    CHECK_EQ_INT(eval1(spec, "s3:GetObject", "arn:aws:s3:::b/*?$x", NULL), POLICY_ALLOW);
    CHECK_EQ_INT(eval1(spec, "s3:GetObject", "arn:aws:s3:::b/ab$x", NULL), POLICY_NOT_APPLICABLE);
    /* userid and PrincipalType */
    const char *uid = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::home/${aws:userid}/"
                      "${aws:PrincipalType}/*\"}}";
    CHECK_EQ_INT(eval1(uid, "s3:PutObject", "arn:aws:s3:::home/AIDAEXAMPLE/User/f",
                       "{\"aws:userid\":\"AIDAEXAMPLE\",\"aws:principaltype\":\"User\"}"),
                 POLICY_ALLOW);
}

TEST(policy_eval_condition_on_current_time_flips)
{
    const char *doc =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
        "\"Action\":\"cloudwatch:*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":"
        "{\"aws:CurrentTime\":\"2026-11-28T18:00:00Z\"}}}}";
    CHECK_EQ_INT(eval1(doc, "cloudwatch:PutMetricData", "*",
                       "{\"aws:currenttime\":\"2026-11-28T17:50:49Z\"}"),
                 POLICY_ALLOW);
    /* the virtual clock advanced 2h */
    CHECK_EQ_INT(eval1(doc, "cloudwatch:PutMetricData", "*",
                       "{\"aws:currenttime\":\"2026-11-28T19:50:49Z\"}"),
                 POLICY_NOT_APPLICABLE);
}

/* ---------------------------------------------------------------- decision */

static enum policy_decision decide(const char *id1, const char *id2, const char *sess,
                                   bool has_session, const char *action)
{
    json_t *a = id1 ? must_parse(id1) : NULL, *b = id2 ? must_parse(id2) : NULL;
    json_t *s = sess ? must_parse(sess) : NULL;
    const json_t *ids[2] = {a, b};
    const json_t *ss[1] = {s};
    struct policy_request rq = {action, "*", NULL, "arn:aws:iam::" ACCT ":user/cfn"};
    enum policy_decision d = policy_decide(ids, 2, ss, sess ? 1 : 0, has_session, &rq);
    json_decref(a);
    json_decref(b);
    json_decref(s);
    return d;
}

#define DENY_EC2                                                                                   \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"ec2:*\","         \
    "\"Resource\":\"*\"}}"
#define ALLOW_CW                                                                                   \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"cloudwatch:*\"," \
    "\"Resource\":\"*\"}}"

TEST(policy_decide_deny_beats_allow)
{
    CHECK_EQ_INT(decide(ALLOW_ALL, DENY_EC2, NULL, false, "ec2:RunInstances"),
                 POLICY_DENIED_EXPLICIT_IDENTITY);
    CHECK_EQ_INT(decide(DENY_EC2, ALLOW_ALL, NULL, false, "ec2:RunInstances"),
                 POLICY_DENIED_EXPLICIT_IDENTITY);
    CHECK_EQ_INT(decide(ALLOW_ALL, DENY_EC2, NULL, false, "iam:CreateUser"), POLICY_ALLOWED);
    CHECK_EQ_INT(decide(ALLOW_CW, NULL, NULL, false, "iam:CreateUser"),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide(NULL, NULL, NULL, false, "iam:CreateUser"),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
}

TEST(policy_decide_session_policies_intersect)
{
    CHECK_EQ_INT(decide(ALLOW_ALL, NULL, ALLOW_CW, true, "cloudwatch:PutMetricData"),
                 POLICY_ALLOWED);
    CHECK_EQ_INT(decide(ALLOW_ALL, NULL, ALLOW_CW, true, "ec2:RunInstances"),
                 POLICY_DENIED_IMPLICIT_SESSION);
    /* the session policy cannot grant more than the identity policies */
    CHECK_EQ_INT(decide(ALLOW_CW, NULL, ALLOW_ALL, true, "ec2:RunInstances"),
                 POLICY_DENIED_IMPLICIT_IDENTITY);
    CHECK_EQ_INT(decide(ALLOW_ALL, NULL, DENY_EC2, true, "ec2:RunInstances"),
                 POLICY_DENIED_EXPLICIT_SESSION);
    /* an explicit session deny wins over an implicit identity deny */
    CHECK_EQ_INT(decide(ALLOW_CW, NULL, DENY_EC2, true, "ec2:RunInstances"),
                 POLICY_DENIED_EXPLICIT_SESSION);
    /* session policies passed but none given: nothing is allowed */
    CHECK_EQ_INT(decide(ALLOW_ALL, NULL, NULL, true, "cloudwatch:PutMetricData"),
                 POLICY_DENIED_IMPLICIT_SESSION);
}

TEST(policy_denial_messages_exact)
{
    struct arena *a = arena_new();
    const char *u = "arn:aws:iam::" ACCT ":user/cfn";
    CHECK_EQ_STR(policy_denial_message(a, u, "iam:CreateUser", "arn:aws:iam::" ACCT ":user/bob",
                                       POLICY_DENIED_IMPLICIT_IDENTITY),
                 "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
                 "iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no "
                 "identity-based policy allows the iam:CreateUser action");
    CHECK_EQ_STR(policy_denial_message(a, u, "iam:CreateUser", "arn:aws:iam::" ACCT ":user/bob",
                                       POLICY_DENIED_EXPLICIT_IDENTITY),
                 "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
                 "iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob with an explicit "
                 "deny in an identity-based policy");
    CHECK_EQ_STR(policy_denial_message(
                     a, "arn:aws:sts::" ACCT ":assumed-role/ops/s1", "ec2:RunInstances",
                     "arn:aws:ec2:us-east-1:" ACCT ":instance/*", POLICY_DENIED_IMPLICIT_SESSION),
                 "User: arn:aws:sts::123456789012:assumed-role/ops/s1 is not authorized to "
                 "perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:123456789012:"
                 "instance/* because no session policy allows the ec2:RunInstances action");
    CHECK_EQ_STR(policy_denial_message(a, u, "ec2:RunInstances", "arn:aws:ec2:us-east-1::image/x",
                                       POLICY_DENIED_EXPLICIT_SESSION),
                 "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
                 "ec2:RunInstances on resource: arn:aws:ec2:us-east-1::image/x with an explicit "
                 "deny in a session policy");
    /* no resource: no " on resource:" part */
    CHECK_EQ_STR(policy_denial_message(a, u, "cloudwatch:PutMetricData", "*",
                                       POLICY_DENIED_IMPLICIT_IDENTITY),
                 "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
                 "cloudwatch:PutMetricData because no identity-based policy allows the "
                 "cloudwatch:PutMetricData action");
    CHECK_EQ_STR(policy_denial_message(a, u, "cloudwatch:PutMetricData", NULL,
                                       POLICY_DENIED_EXPLICIT_IDENTITY),
                 "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: "
                 "cloudwatch:PutMetricData with an explicit deny in an identity-based policy");
    CHECK(policy_denial_message(a, u, "x:Y", "*", POLICY_ALLOWED) == NULL);
    arena_free(a);
}

/* ---------------------------------------------------------------- trust policies */

static enum policy_effect trust(const char *principal_json, const struct principal_match *who,
                                const char *action)
{
    char text[2048], err[POLICY_ERR_MAX];
    snprintf(text, sizeof(text),
             "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":%s,"
             "\"Action\":\"sts:AssumeRole\"}}",
             principal_json);
    json_t *d = parse_kind(text, POLICY_KIND_TRUST, err);
    if (!d) {
        harness_fail(__FILE__, __LINE__, "trust policy did not parse: %s (%s)", err, text);
        return (enum policy_effect) - 1;
    }
    struct policy_request rq = {action, "arn:aws:iam::" ACCT ":role/ops", NULL, who->arn};
    enum policy_effect e = policy_eval_trust(d, &rq, who);
    json_decref(d);
    return e;
}

TEST(policy_trust_aws_principals)
{
    struct principal_match user = {"arn:aws:iam::" ACCT ":user/cfn", ACCT, NULL,
                                   "AIDAAAAAAAAAAAAAAAAA1",          NULL, NULL};
    struct principal_match other = {
        "arn:aws:iam::999999999999:user/cfn", "999999999999", NULL, NULL, NULL, NULL};
    struct principal_match sess = {"arn:aws:sts::" ACCT ":assumed-role/ci/s1",
                                   ACCT,
                                   "arn:aws:iam::" ACCT ":role/ci",
                                   NULL,
                                   NULL,
                                   NULL};
    CHECK_EQ_INT(trust("{\"AWS\":\"" ACCT "\"}", &user, "sts:AssumeRole"), POLICY_ALLOW);
    CHECK_EQ_INT(trust("{\"AWS\":\"" ACCT "\"}", &other, "sts:AssumeRole"), POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(trust("{\"AWS\":\"arn:aws:iam::" ACCT ":root\"}", &sess, "sts:AssumeRole"),
                 POLICY_ALLOW);
    CHECK_EQ_INT(trust("{\"AWS\":\"arn:aws:iam::" ACCT ":user/cfn\"}", &user, "sts:AssumeRole"),
                 POLICY_ALLOW);
    CHECK_EQ_INT(trust("{\"AWS\":\"arn:aws:iam::" ACCT ":user/bob\"}", &user, "sts:AssumeRole"),
                 POLICY_NOT_APPLICABLE);
    /* a role ARN matches that role's sessions */
    CHECK_EQ_INT(trust("{\"AWS\":[\"arn:aws:iam::" ACCT ":role/ci\"]}", &sess, "sts:AssumeRole"),
                 POLICY_ALLOW);
    CHECK_EQ_INT(trust("{\"AWS\":\"AIDAAAAAAAAAAAAAAAAA1\"}", &user, "sts:AssumeRole"),
                 POLICY_ALLOW);
    CHECK_EQ_INT(trust("\"*\"", &other, "sts:AssumeRole"), POLICY_ALLOW);
    CHECK_EQ_INT(trust("{\"AWS\":\"*\"}", &other, "sts:AssumeRole"), POLICY_ALLOW);
    /* the action must match too */
    CHECK_EQ_INT(trust("{\"AWS\":\"" ACCT "\"}", &user, "sts:TagSession"), POLICY_NOT_APPLICABLE);
}

TEST(policy_trust_service_principals)
{
    struct principal_match ec2 = {NULL, NULL, NULL, NULL, "ec2.amazonaws.com", NULL};
    struct principal_match user = {"arn:aws:iam::" ACCT ":user/cfn", ACCT, NULL, NULL, NULL, NULL};
    CHECK_EQ_INT(trust("{\"Service\":\"ec2.amazonaws.com\"}", &ec2, "sts:AssumeRole"),
                 POLICY_ALLOW);
    CHECK_EQ_INT(trust("{\"Service\":[\"cloudformation.amazonaws.com\",\"ec2.amazonaws.com\"]}",
                       &ec2, "sts:AssumeRole"),
                 POLICY_ALLOW);
    CHECK_EQ_INT(trust("{\"Service\":\"events.amazonaws.com\"}", &ec2, "sts:AssumeRole"),
                 POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(trust("{\"Service\":\"ec2.amazonaws.com\"}", &user, "sts:AssumeRole"),
                 POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(trust("{\"AWS\":\"*\"}", &ec2, "sts:AssumeRole"), POLICY_NOT_APPLICABLE);
}

TEST(policy_trust_deny_not_principal_and_conditions)
{
    const char *text =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"sts:AssumeRole\","
        "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"abc\"}}},"
        "{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::" ACCT ":user/cfn\"},"
        "\"Action\":\"sts:AssumeRole\"}]}";
    char err[POLICY_ERR_MAX];
    json_t *d = parse_kind(text, POLICY_KIND_TRUST, err);
    CHECK(d != NULL);
    struct principal_match cfn = {"arn:aws:iam::" ACCT ":user/cfn", ACCT, NULL, NULL, NULL, NULL};
    struct principal_match bob = {"arn:aws:iam::" ACCT ":user/bob", ACCT, NULL, NULL, NULL, NULL};
    json_t *good = json_loads("{\"sts:externalid\":\"abc\"}", 0, NULL);
    json_t *bad = json_loads("{\"sts:externalid\":\"xyz\"}", 0, NULL);
    struct policy_request rq = {"sts:AssumeRole", "arn:aws:iam::" ACCT ":role/ops", good, NULL};
    CHECK_EQ_INT(policy_eval_trust(d, &rq, &cfn), POLICY_ALLOW);
    CHECK_EQ_INT(policy_eval_trust(d, &rq, &bob), POLICY_DENY); /* NotPrincipal deny */
    rq.context = bad;
    CHECK_EQ_INT(policy_eval_trust(d, &rq, &cfn), POLICY_NOT_APPLICABLE);
    /* identity evaluation ignores Principal: trust statements never apply there */
    CHECK_EQ_INT(policy_eval(d, &rq), POLICY_NOT_APPLICABLE);
    json_decref(good);
    json_decref(bad);
    json_decref(d);
}

TEST(policy_eval_robust_on_odd_input)
{
    struct policy_request rq = {"ec2:RunInstances", "*", NULL, NULL};
    json_t *notobj = json_array();
    CHECK_EQ_INT(policy_eval(NULL, &rq), POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(policy_eval(notobj, &rq), POLICY_NOT_APPLICABLE);
    struct policy_request noact = {NULL, "*", NULL, NULL};
    json_t *d = must_parse(ALLOW_ALL);
    CHECK_EQ_INT(policy_eval(d, &noact), POLICY_NOT_APPLICABLE);
    CHECK_EQ_INT(policy_eval_trust(d, &rq, NULL), POLICY_NOT_APPLICABLE);
    json_decref(d);
    json_decref(notobj);
}
