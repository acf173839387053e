/*
 * cw_rule.h — the composite alarm rule language (PutCompositeAlarm AlarmRule), used by the
 * alarm API (syntax check, referenced alarms) and the evaluation engine (the rule's value).
 *
 *   rule    := or
 *   or      := and ("OR" and)*
 *   and     := not ("AND" not)*
 *   not     := "NOT" not | primary
 *   primary := "(" or ")" | "TRUE" | "FALSE" | STATE "(" ref ")"
 *   STATE   := ALARM | OK | INSUFFICIENT_DATA
 *   ref     := an alarm name or ARN, bare (up to whitespace or a parenthesis) or in double
 *              quotes (backslash escapes the next character)
 *
 * Keywords are upper case [doc]. Errors use AWS's text
 * `Error in AlarmRule [Unsupported token 'X' at char N]` / `..., must be: ')'` [obs]
 * (N counts from 0).
 */
#ifndef RL_CW_RULE_H
#define RL_CW_RULE_H

#include <stddef.h>

struct arena;

#define CW_RULE_MAX 10240 /* AlarmRule length [model] */

/* The state (CW_OK / CW_ALARM / CW_INSUFFICIENT) of the alarm a rule references (a name or
 * an alarm ARN, as written in the rule), or NULL when no such alarm exists. */
typedef const char *(*cw_rule_state_fn)(void *ctx, const char *ref);

/*
 * Evaluates rule: 1 true, 0 false, -1 syntax error. A reference to an alarm that
 * state_of does not know is false (inferred).
 */
int cw_rule_eval(const char *rule, cw_rule_state_fn state_of, void *ctx);

/*
 * Checks the syntax of rule and calls ref_fn (may be NULL) once per alarm reference, in
 * order. 0 ok; -1 with *msg set to AWS's error text (arena a).
 */
int cw_rule_check(struct arena *a, const char *rule, void (*ref_fn)(void *ctx, const char *ref),
                  void *ctx, const char **msg);

/* Elements of a rule (max 500 [doc]: "child alarms, TRUE or FALSE statements, and
 * parentheses"): alarm references, TRUE, FALSE and grouping parenthesis pairs (inferred). */
int cw_rule_elements(const char *rule);

/* The alarm name of a reference: the part after ":alarm:" of an alarm ARN, else ref. */
const char *cw_rule_ref_name(const char *ref);

#endif
