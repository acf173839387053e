/*
 * policy_eval_test.c — the decision across policy kinds (policy_decide_sets) from AWS's
 * documented evaluation examples, traced evaluation and statement positions (the simulator).
 */
#include <jansson.h>
#include <string.h>

#include "auth/policy.h"
#include "harness.h"

static json_t *doc(const char *text)
{
    json_t *d = json_loads(text, 0, NULL);
    CHECK(d != NULL);
    return d;
}

/* IAM UG access_policies_boundaries: identity allows iam:CreateUser, the boundary allows
 * s3/cloudwatch/ec2 only -> denied by the boundary; what both allow is allowed. */
TEST(policy_boundary_removes_an_allowed_action)
{
    json_t *id = doc("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                     "[\"iam:CreateUser\",\"cloudwatch:*\"],\"Resource\":\"*\"}]}");
    json_t *pb = doc("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                     "[\"s3:*\",\"cloudwatch:*\",\"ec2:*\"],\"Resource\":\"*\"}]}");
    const json_t *ids[] = {id}, *pbs[] = {pb};
    struct policy_sets ps = {
        .identity = ids, .n = 1, .boundary = pbs, .nb = 1, .has_boundary = true};
    struct policy_request rq = {.action = "iam:CreateUser", .resource = "*"};
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_DENIED_IMPLICIT_BOUNDARY);
    rq.action = "cloudwatch:PutMetricAlarm";
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_ALLOWED);
    /* a boundary alone grants nothing */
    rq.action = "ec2:RunInstances";
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_DENIED_IMPLICIT_IDENTITY);
    ps.has_boundary = false;
    rq.action = "iam:CreateUser";
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_ALLOWED);
    json_decref(id);
    json_decref(pb);
}

/* An explicit deny in a session policy beats the role's allow. */
TEST(policy_explicit_deny_in_a_session_policy)
{
    json_t *id = doc("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                     "\"*\",\"Resource\":\"*\"}]}");
    json_t *sp = doc("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                     "\"*\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":"
                     "\"ec2:StopInstances\",\"Resource\":\"*\"}]}");
    const json_t *ids[] = {id}, *sps[] = {sp};
    struct policy_sets ps = {.identity = ids, .n = 1, .session = sps, .m = 1, .has_session = true};
    struct policy_request rq = {.action = "ec2:StopInstances", .resource = "*"};
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_DENIED_EXPLICIT_SESSION);
    rq.action = "ec2:StartInstances";
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_ALLOWED);
    json_decref(id);
    json_decref(sp);
}

/* A resource-based policy naming the caller allows without an identity policy; its Deny
 * denies. */
TEST(policy_resource_policy_within_the_account)
{
    json_t *rp = doc("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                     "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/bob\"},\"Action\":"
                     "\"sns:Publish\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Principal\":"
                     "\"*\",\"Action\":\"sns:DeleteTopic\",\"Resource\":\"*\"}]}");
    json_t *id = doc("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                     "\"sns:*\",\"Resource\":\"*\"}]}");
    struct principal_match who = {.arn = "arn:aws:iam::123456789012:user/bob",
                                  .account = "123456789012"};
    const json_t *ids[] = {id};
    struct policy_sets ps = {.resource_policy = rp, .who = &who};
    struct policy_request rq = {.action = "sns:Publish", .resource = "arn:aws:sns:us-east-1:"
                                                                     "123456789012:t"};
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_ALLOWED);
    rq.action = "sns:Subscribe";
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_DENIED_IMPLICIT_IDENTITY);
    ps.identity = ids;
    ps.n = 1;
    rq.action = "sns:DeleteTopic";
    CHECK_EQ_INT(policy_decide_sets(&ps, &rq), POLICY_DENIED_EXPLICIT_RESOURCE);
    json_decref(rp);
    json_decref(id);
}

struct seen {
    int matched[8];
    int n;
    char missing[4][64];
    int nm;
};

static void on_m(void *ud, size_t i, bool deny)
{
    struct seen *s = ud;
    (void)deny;
    if (s->n < 8)
        s->matched[s->n++] = (int)i;
}

static void on_k(void *ud, const char *k)
{
    struct seen *s = ud;
    if (s->nm < 4)
        snprintf(s->missing[s->nm++], 64, "%s", k);
}

TEST(policy_trace_and_statement_positions)
{
    const char *text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n"
                       "    {\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\"},\n"
                       "    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"ec2:Stop*\",\n"
                       "      \"Resource\": \"*\",\n      \"Condition\": {\"StringEquals\": "
                       "{\"aws:ResourceTag/Owner\": \"x\"}}\n    }\n  ]\n}";
    json_t *d = doc(text);
    struct seen s = {0};
    struct policy_trace tr = {on_m, on_k, &s};
    struct policy_request rq = {.action = "ec2:StopInstances", .resource = "*"};
    CHECK_EQ_INT(policy_eval_traced(d, &rq, NULL, &tr), POLICY_ALLOW);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EQ_INT(s.matched[0], 0);
    CHECK_EQ_INT(s.nm, 1);
    CHECK_EQ_STR(s.missing[0], "aws:ResourceTag/Owner");
    int sl, sc, el, ec;
    CHECK_EQ_INT(policy_stmt_position(text, 0, &sl, &sc, &el, &ec), 0);
    CHECK_EQ_INT(sl, 4);
    CHECK_EQ_INT(sc, 5);
    CHECK_EQ_INT(el, 4);
    CHECK_EQ_INT(policy_stmt_position(text, 1, &sl, &sc, &el, &ec), 0);
    CHECK_EQ_INT(sl, 5);
    CHECK_EQ_INT(sc, 5);
    CHECK_EQ_INT(el, 10);
    CHECK_EQ_INT(ec, 6);
    CHECK_EQ_INT(policy_stmt_position(text, 2, &sl, &sc, &el, &ec), -1);
    CHECK_EQ_INT(policy_stmt_position("{\"Statement\":{\"Effect\":\"Allow\"}}", 0, &sl, &sc, &el,
                                      &ec),
                 0);
    CHECK_EQ_INT(sc, 14);
    CHECK_EQ_INT(policy_stmt_position("not json", 0, &sl, &sc, &el, &ec), -1);
    CHECK_EQ_INT(policy_stmt_position("{\"Statement\":[", 0, &sl, &sc, &el, &ec), -1);
    json_decref(d);
}
