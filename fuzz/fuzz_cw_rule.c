/*
 * fuzz_cw_rule.c — arbitrary bytes as a composite alarm rule (cw_rule.h): the syntax check
 * with its reference callback, the element count and the evaluation must never crash, and
 * the check and the evaluation must agree on whether the rule is valid.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/cloudwatch/cw_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *state_of(void *ctx, const char *ref)
{
    (void)ctx;
    size_t n = strlen(cw_rule_ref_name(ref));
    return n % 3 == 0 ? CW_ALARM : n % 3 == 1 ? CW_OK : NULL;
}

static void on_ref(void *ctx, const char *ref)
{
    size_t *n = ctx;
    *n += strlen(ref) > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CW_RULE_MAX)
        return 0;
    char *rule = malloc(size + 1);
    memcpy(rule, data, size);
    rule[size] = '\0';
    struct arena *a = arena_new();
    const char *msg = NULL;
    size_t nrefs = 0;
    int checked = cw_rule_check(a, rule, on_ref, &nrefs, &msg);
    int v = cw_rule_eval(rule, state_of, NULL);
    (void)cw_rule_elements(rule);
    if ((checked < 0) != (v < 0))
        abort();
    if (checked < 0 && (!msg || strncmp(msg, "Error in AlarmRule [", 20) != 0))
        abort();
    arena_free(a);
    free(rule);
    return 0;
}
