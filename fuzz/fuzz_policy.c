/*
 * fuzz_policy.c — arbitrary bytes through policy_parse (every kind) and, when the document is
 * accepted, through policy_eval / policy_eval_trust with a fixed request. Any JSON tree, valid
 * or not, also goes straight to the evaluator, which must never crash on it.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *fixed_context(void)
{
    static json_t *ctx;
    if (!ctx)
        ctx = json_pack("{s:s, s:s, s:s, s:s, s:i, s:[s,s], s:b, s:s, s:[]}", "aws:username", "cfn",
                        "aws:userid", "AIDAEXAMPLEEXAMPLE01", "aws:principaltype", "User",
                        "aws:currenttime", "2026-11-28T17:50:49Z", "aws:epochtime", 1795888249,
                        "cloudwatch:alarmactions", "arn:aws:sns:us-east-1:123456789012:t",
                        "arn:aws:automate:us-east-1:ec2:recover", "aws:viaawsservice", 0,
                        "aws:sourceip", "203.0.113.7", "aws:calledvia");
    return ctx;
}

static void evaluate(const json_t *doc)
{
    static const char *const actions[] = {"cloudwatch:PutMetricAlarm", "iam:CreateUser",
                                          "sts:AssumeRole"};
    static const char *const resources[] = {"*",
                                            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu",
                                            "arn:aws:iam::123456789012:user/cfn"};
    struct principal_match who = {"arn:aws:iam::123456789012:user/cfn",
                                  "123456789012",
                                  NULL,
                                  "AIDAEXAMPLEEXAMPLE01",
                                  NULL,
                                  NULL};
    struct principal_match svc = {NULL, NULL, NULL, NULL, "ec2.amazonaws.com", NULL};
    for (size_t i = 0; i < 3; i++) {
        struct policy_request rq = {actions[i], resources[i], fixed_context(),
                                    "arn:aws:iam::123456789012:user/cfn"};
        (void)policy_eval(doc, &rq);
        (void)policy_eval_trust(doc, &rq, &who);
        (void)policy_eval_trust(doc, &rq, &svc);
        const json_t *ids[1] = {doc};
        (void)policy_decide(ids, 1, ids, 1, true, &rq);
        struct policy_sets ps = {.identity = ids, .n = 1, .boundary = ids, .nb = 1,
                                 .has_boundary = true, .resource_policy = doc, .who = &who};
        (void)policy_decide_sets(&ps, &rq);
        struct policy_trace tr = {NULL, NULL, NULL};
        (void)policy_eval_traced(doc, &rq, NULL, &tr);
        (void)policy_eval_traced(doc, &rq, &who, &tr);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum policy_kind kinds[] = {POLICY_KIND_INLINE, POLICY_KIND_MANAGED,
                                             POLICY_KIND_SESSION, POLICY_KIND_TRUST};
    char err[POLICY_ERR_MAX];
    (void)policy_size((const char *)data, size);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        struct policy_parse_opts o = {kinds[k], NULL, NULL};
        json_t *doc = NULL;
        if (policy_parse((const char *)data, size, &o, &doc, err) == 0) {
            evaluate(doc);
            json_decref(doc);
        }
    }
    /* statement positions (the simulator) over the raw text */
    char *text = malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = '\0';
        int sl, sc, el, ec;
        for (size_t i = 0; i < 4; i++)
            (void)policy_stmt_position(text, i, &sl, &sc, &el, &ec);
        free(text);
    }
    json_error_t jerr;
    json_t *raw = json_loadb((const char *)data, size, 0, &jerr);
    if (raw) {
        evaluate(raw);
        json_decref(raw);
    }
    return 0;
}
