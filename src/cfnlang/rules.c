/*
 * rules.c — the Rules section (AWS UG "Rules syntax", "Rule functions"): each rule's
 * RuleCondition and Assertions evaluated against the resolved parameter values; the first
 * assertion that is false fails the operation with its AssertDescription. Functions: Ref (to
 * parameters and pseudo parameters), Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Contains,
 * Fn::EachMemberEquals, Fn::EachMemberIn, Fn::RefAll, Fn::ValueOf, Fn::ValueOfAll; what the
 * last three read of the account comes through the caller's callbacks.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

#define MAX_DEPTH 32

struct rctx {
    const json_t *t;
    const json_t *values;
    const struct cfn_rules_env *env;
};

static int reval(struct rctx *r, const json_t *v, json_t **out, struct cfn_err *e, int d);

static int reval_bool(struct rctx *r, const json_t *v, bool *b, struct cfn_err *e, int d)
{
    json_t *x = NULL;
    if (reval(r, v, &x, e, d) < 0)
        return -1;
    int rc = cfn_to_bool(x, b);
    json_decref(x);
    return rc == 0 ? 0
                   : cfn_fail(e, "Template error: every Rules condition and assertion must"
                                 " evaluate to a boolean"); /* inferred */
}

/* The value as a list of strings (a string is a one-element list). New array. */
static json_t *as_list(const json_t *v)
{
    json_t *a = json_array();
    if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            char *s = cfn_scalar_text(m);
            json_array_append_new(a, json_string(s ? s : ""));
            free(s);
        }
    } else {
        char *s = cfn_scalar_text(v);
        if (s)
            json_array_append_new(a, json_string(s));
        free(s);
    }
    return a;
}

static bool list_has(const json_t *list, const char *s)
{
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m) if (str_eq(json_string_value(m), s)) return true;
    return false;
}

/* Evaluates the two arguments of a list function. */
static int two_args(struct rctx *r, const char *fn, const json_t *a, json_t **x, json_t **y,
                    struct cfn_err *e, int d)
{
    if (!json_is_array(a) || json_array_size(a) != 2)
        return cfn_fail(e, "Template error: %s requires a list of two arguments", fn); /* inf. */
    if (reval(r, json_array_get(a, 0), x, e, d + 1) < 0)
        return -1;
    if (reval(r, json_array_get(a, 1), y, e, d + 1) < 0) {
        json_decref(*x);
        return -1;
    }
    return 0;
}

static int reval(struct rctx *r, const json_t *v, json_t **out, struct cfn_err *e, int d)
{
    *out = NULL;
    if (d > MAX_DEPTH)
        return cfn_fail(e, "Template format error: template is nested too deeply or is too"
                           " large."); /* inferred */
    if (!json_is_object(v) || json_object_size(v) != 1) {
        *out = json_incref((json_t *)v);
        return 0;
    }
    const char *fn = json_object_iter_key(json_object_iter((json_t *)v));
    const json_t *a = json_object_get(v, fn);
    if (str_eq(fn, "Ref")) {
        const char *name = json_string_value(a);
        const json_t *pv = json_object_get(r->values, name ? name : "");
        if (pv) {
            *out = json_incref((json_t *)pv);
            return 0;
        }
        if (str_eq(name, "AWS::Region") && r->env && r->env->region) {
            *out = json_string(r->env->region);
            return 0;
        }
        if (str_eq(name, "AWS::AccountId") && r->env && r->env->account) {
            *out = json_string(r->env->account);
            return 0;
        }
        return cfn_fail(e, "Template format error: Unresolved dependencies [%s]. Cannot reference"
                           " resources in the Rules block", /* inferred */
                        name ? name : "");
    }
    if (str_eq(fn, "Fn::Equals")) {
        json_t *x, *y;
        if (two_args(r, fn, a, &x, &y, e, d) < 0)
            return -1;
        char *xs = cfn_scalar_text(x), *ys = cfn_scalar_text(y);
        bool eq = xs && ys ? str_eq(xs, ys) : json_equal(x, y);
        free(xs);
        free(ys);
        json_decref(x);
        json_decref(y);
        *out = json_boolean(eq);
        return 0;
    }
    if (str_eq(fn, "Fn::Not") || str_eq(fn, "Fn::And") || str_eq(fn, "Fn::Or")) {
        bool not = str_eq(fn, "Fn::Not"), and = str_eq(fn, "Fn::And");
        size_t n = json_array_size(a);
        if (!json_is_array(a) || (not && n != 1) || (!not && (n < 2 || n > 10)))
            return cfn_fail(e, "Template error: %s requires a list of %s", fn, /* inferred */
                            not ? "one condition" : "between 2 and 10 conditions");
        bool acc = and;
        size_t i;
        json_t *m;
        json_array_foreach(a, i, m)
        {
            bool b;
            if (reval_bool(r, m, &b, e, d + 1) < 0)
                return -1;
            acc = not ? !b : and ? (acc && b) : (acc || b);
        }
        *out = json_boolean(acc);
        return 0;
    }
    if (str_eq(fn, "Fn::Contains") || str_eq(fn, "Fn::EachMemberEquals") ||
        str_eq(fn, "Fn::EachMemberIn")) {
        json_t *x, *y;
        if (two_args(r, fn, a, &x, &y, e, d) < 0)
            return -1;
        json_t *lx = as_list(x), *ly = as_list(y);
        char *ys = cfn_scalar_text(y);
        bool res = true;
        size_t i;
        json_t *m;
        if (str_eq(fn, "Fn::Contains")) {
            res = ys && list_has(lx, ys);
        } else if (str_eq(fn, "Fn::EachMemberEquals")) {
            json_array_foreach(lx, i, m) res = res && ys && str_eq(json_string_value(m), ys);
        } else {
            json_array_foreach(lx, i, m) res = res && list_has(ly, json_string_value(m));
        }
        free(ys);
        json_decref(lx);
        json_decref(ly);
        json_decref(x);
        json_decref(y);
        *out = json_boolean(res);
        return 0;
    }
    if (str_eq(fn, "Fn::RefAll")) {
        if (!json_is_string(a))
            return cfn_fail(e, "Template error: Fn::RefAll requires a parameter type"); /* inf. */
        if (!r->env || !r->env->ref_all)
            return cfn_fail(e, "Fn::RefAll is not supported by recoverlab here"); /* inferred */
        return r->env->ref_all(r->env->ud, json_string_value(a), out, e);
    }
    if (str_eq(fn, "Fn::ValueOf") || str_eq(fn, "Fn::ValueOfAll")) {
        bool all = str_eq(fn, "Fn::ValueOfAll");
        if (!json_is_array(a) || json_array_size(a) != 2 ||
            !json_is_string(json_array_get(a, 0)) || !json_is_string(json_array_get(a, 1)))
            return cfn_fail(e, "Template error: %s requires a list of two strings", fn); /* inf */
        if (!r->env || !r->env->value_of)
            return cfn_fail(e, "%s is not supported by recoverlab here", fn); /* inferred */
        const char *p = json_string_value(json_array_get(a, 0));
        const char *attr = json_string_value(json_array_get(a, 1));
        if (all)
            return r->env->value_of(r->env->ud, p, NULL, NULL, attr, out, e);
        const json_t *decl = json_object_get(json_object_get(r->t, "Parameters"), p);
        const json_t *pv = json_object_get(r->values, p);
        if (!decl || !pv)
            return cfn_fail(e, "Template format error: Unresolved dependencies [%s]. Cannot"
                               " reference resources in the Rules block", p); /* inferred */
        return r->env->value_of(r->env->ud, json_string_value(json_object_get(decl, "Type")), p,
                                pv, attr, out, e);
    }
    /* an object that is not a function: its members evaluate (rare in Rules) */
    *out = json_incref((json_t *)v);
    return 0;
}

int cfn_rules_check_decls(const json_t *t, struct cfn_err *e)
{
    const json_t *rules = json_object_get(t, "Rules");
    if (!rules)
        return 0;
    if (!json_is_object(rules))
        return cfn_fail(e, "Template format error: Rules must be a JSON object."); /* inferred */
    const char *name;
    json_t *rule;
    json_object_foreach((json_t *)rules, name, rule)
    {
        const json_t *as = json_object_get(rule, "Assertions");
        if (!json_is_object(rule) || !json_is_array(as))
            return cfn_fail(e, "Template format error: Every Rules object must contain an"
                               " Assertions member."); /* inferred */
        const char *k;
        json_t *v;
        json_object_foreach(rule, k, v) if (!str_eq(k, "Assertions") && !str_eq(k, "RuleCondition"))
            return cfn_fail(e, "Template format error: Invalid rule property '%s' in rule %s",
                            k, name); /* inferred */
        size_t i;
        json_array_foreach(as, i, v)
        {
            if (!json_is_object(v) || !json_object_get(v, "Assert"))
                return cfn_fail(e, "Template format error: Every Assertions member of rule %s"
                                   " must contain an Assert member.", name); /* inferred */
        }
    }
    return 0;
}

int cfn_rules_check(const json_t *t, const json_t *values, const struct cfn_rules_env *env,
                    struct cfn_err *e)
{
    if (cfn_rules_check_decls(t, e) < 0)
        return -1;
    struct rctx r = {.t = t, .values = values, .env = env};
    const char *name;
    json_t *rule;
    json_object_foreach(json_object_get(t, "Rules"), name, rule)
    {
        const json_t *cond = json_object_get(rule, "RuleCondition");
        bool on = true;
        if (cond && reval_bool(&r, cond, &on, e, 0) < 0)
            return -1;
        if (!on)
            continue;
        size_t i;
        json_t *as;
        json_array_foreach(json_object_get(rule, "Assertions"), i, as)
        {
            bool ok = false;
            if (reval_bool(&r, json_object_get(as, "Assert"), &ok, e, 0) < 0)
                return -1;
            if (ok)
                continue;
            const char *desc = json_string_value(json_object_get(as, "AssertDescription"));
            if (desc)
                return cfn_fail(e, "%s", desc);
            return cfn_fail(e, "Template error: rule %s failed assertion %zu", /* inferred */
                            name, i + 1);
        }
    }
    return 0;
}
