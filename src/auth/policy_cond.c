/*
 * policy_cond.c — the Condition element: every IAM condition operator, the IfExists suffix,
 * the ForAllValues:/ForAnyValue: set operators and the Null check.
 *
 * Semantics (IAM UG reference_policies_elements_condition_operators,
 * reference_policies_condition-single-vs-multi-valued-context-keys):
 *  - operator blocks are ANDed, keys inside a block are ANDed, the values of one key are ORed;
 *    for negated operators (StringNotEquals, ...) the values are NORed: the request value must
 *    match none of them;
 *  - a key absent from the request: positive operators are false, negated operators are true,
 *    ...IfExists is true, ForAllValues is true (empty set), ForAnyValue is false;
 *  - ForAnyValue: some request value satisfies the operator; ForAllValues: every one does;
 *  - a multi-valued key without a set operator behaves like ForAnyValue for positive operators
 *    and like ForAllValues for negated ones (inferred: the docs do not say);
 *  - condition key names are case-insensitive; values are case-sensitive unless the operator
 *    says IgnoreCase (Bool compares true/false case-insensitively).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/policy.h"
#include "base/base.h"

enum cond_kind {
    CK_STRING,
    CK_STRING_ICASE,
    CK_STRING_LIKE,
    CK_NUMERIC,
    CK_DATE,
    CK_BOOL,
    CK_BINARY,
    CK_IP,
    CK_ARN,
    CK_NULL,
};

enum cond_rel { REL_EQ, REL_LT, REL_LE, REL_GT, REL_GE };

struct cond_op {
    const char *name;
    enum cond_kind kind;
    enum cond_rel rel;
    bool negated;
};

static const struct cond_op cond_ops[] = {
    {"StringEquals", CK_STRING, REL_EQ, false},
    {"StringNotEquals", CK_STRING, REL_EQ, true},
    {"StringEqualsIgnoreCase", CK_STRING_ICASE, REL_EQ, false},
    {"StringNotEqualsIgnoreCase", CK_STRING_ICASE, REL_EQ, true},
    {"StringLike", CK_STRING_LIKE, REL_EQ, false},
    {"StringNotLike", CK_STRING_LIKE, REL_EQ, true},
    {"NumericEquals", CK_NUMERIC, REL_EQ, false},
    {"NumericNotEquals", CK_NUMERIC, REL_EQ, true},
    {"NumericLessThan", CK_NUMERIC, REL_LT, false},
    {"NumericLessThanEquals", CK_NUMERIC, REL_LE, false},
    {"NumericGreaterThan", CK_NUMERIC, REL_GT, false},
    {"NumericGreaterThanEquals", CK_NUMERIC, REL_GE, false},
    {"DateEquals", CK_DATE, REL_EQ, false},
    {"DateNotEquals", CK_DATE, REL_EQ, true},
    {"DateLessThan", CK_DATE, REL_LT, false},
    {"DateLessThanEquals", CK_DATE, REL_LE, false},
    {"DateGreaterThan", CK_DATE, REL_GT, false},
    {"DateGreaterThanEquals", CK_DATE, REL_GE, false},
    {"Bool", CK_BOOL, REL_EQ, false},
    {"BinaryEquals", CK_BINARY, REL_EQ, false},
    {"IpAddress", CK_IP, REL_EQ, false},
    {"NotIpAddress", CK_IP, REL_EQ, true},
    {"ArnEquals", CK_ARN, REL_EQ, false},
    {"ArnLike", CK_ARN, REL_EQ, false},
    {"ArnNotEquals", CK_ARN, REL_EQ, true},
    {"ArnNotLike", CK_ARN, REL_EQ, true},
    {"Null", CK_NULL, REL_EQ, false},
};

enum set_op { SET_NONE, SET_ALL, SET_ANY };

/* Splits "ForAllValues:StringLikeIfExists" into its parts; NULL for an unknown operator. */
static const struct cond_op *op_lookup(const char *name, enum set_op *set, bool *ifexists)
{
    enum set_op s = SET_NONE;
    if (str_startswith(name, "ForAllValues:")) {
        s = SET_ALL;
        name += strlen("ForAllValues:");
    } else if (str_startswith(name, "ForAnyValue:")) {
        s = SET_ANY;
        name += strlen("ForAnyValue:");
    }
    size_t n = strlen(name);
    bool ie = false;
    if (n > strlen("IfExists") && str_endswith(name, "IfExists")) {
        ie = true;
        n -= strlen("IfExists");
    }
    for (size_t i = 0; i < ARRAY_LEN(cond_ops); i++) {
        if (strlen(cond_ops[i].name) == n && memcmp(cond_ops[i].name, name, n) == 0) {
            if (set)
                *set = s;
            if (ifexists)
                *ifexists = ie;
            return &cond_ops[i];
        }
    }
    return NULL;
}

bool policy_cond_operator_known(const char *op, bool *is_date)
{
    const struct cond_op *o = op ? op_lookup(op, NULL, NULL) : NULL;
    if (is_date)
        *is_date = o && o->kind == CK_DATE;
    return o != NULL;
}

/* Dates: ISO 8601 (what base parses) or whole epoch seconds. */
static bool parse_date(const char *s, int64_t *ms)
{
    int64_t v;
    if (!s || !*s)
        return false;
    if (strchr(s, '-') || strchr(s, 'T') || strchr(s, 't') || strchr(s, ':'))
        return time_parse_iso8601(s, ms) == 0;
    if (str_to_i64(s, &v) != 0 || v < -9000000000000LL || v > 9000000000000LL)
        return false;
    *ms = v * 1000;
    return true;
}

bool policy_cond_date_valid(const char *s)
{
    int64_t ms;
    return parse_date(s, &ms);
}

static bool rel_holds(enum cond_rel rel, double req, double pol)
{
    switch (rel) {
    case REL_EQ:
        return req == pol;
    case REL_LT:
        return req < pol;
    case REL_LE:
        return req <= pol;
    case REL_GT:
        return req > pol;
    case REL_GE:
        return req >= pol;
    }
    return false;
}

static bool parse_bool(const char *s, bool *out)
{
    if (str_ieq(s, "true")) {
        *out = true;
        return true;
    }
    if (str_ieq(s, "false")) {
        *out = false;
        return true;
    }
    return false;
}

struct ip_addr {
    int family;
    unsigned char b[16];
};

static bool parse_ip(const char *s, struct ip_addr *ip)
{
    if (!s)
        return false;
    if (inet_pton(AF_INET, s, ip->b) == 1) {
        ip->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, ip->b) == 1) {
        ip->family = AF_INET6;
        return true;
    }
    return false;
}

/* "203.0.113.0/24", "2001:db8::/32" or a bare address (a /32 or /128). */
static bool ip_in_cidr(const char *req, const char *cidr)
{
    struct ip_addr a, net;
    char host[64];
    const char *slash = strchr(cidr, '/');
    size_t hl = slash ? (size_t)(slash - cidr) : strlen(cidr);
    if (hl == 0 || hl >= sizeof(host) || !parse_ip(req, &a))
        return false;
    memcpy(host, cidr, hl);
    host[hl] = '\0';
    if (!parse_ip(host, &net) || net.family != a.family)
        return false;
    int maxbits = a.family == AF_INET ? 32 : 128, bits = maxbits;
    if (slash) {
        int64_t v;
        if (str_to_i64(slash + 1, &v) != 0 || v < 0 || v > maxbits || slash[1] == '+' ||
            slash[1] == '-')
            return false;
        bits = (int)v;
    }
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a.b, net.b, (size_t)full) != 0)
        return false;
    if (rest) {
        unsigned char mask = (unsigned char)(0xff << (8 - rest));
        if ((a.b[full] & mask) != (net.b[full] & mask))
            return false;
    }
    return true;
}

/* Does one request value match one policy value under the operator (before negation)? */
static bool value_matches(const struct cond_op *op, const json_t *reqv, const json_t *polv,
                          const struct policy_env *env)
{
    struct buf rq = BUF_INIT, pv = BUF_INIT;
    bool m = false;
    if (!policy_scalar_text(reqv, &rq) ||
        (!json_is_string(polv) && !json_is_number(polv) && !json_is_boolean(polv)))
        goto out;
    if (op->kind == CK_STRING || op->kind == CK_STRING_ICASE || op->kind == CK_STRING_LIKE ||
        op->kind == CK_ARN) {
        bool pattern = op->kind == CK_STRING_LIKE || op->kind == CK_ARN;
        struct buf raw = BUF_INIT;
        int rc = -1;
        if (policy_scalar_text(polv, &raw))
            rc = policy_expand(raw.p, env, pattern, &pv);
        buf_free(&raw);
        if (rc != 0)
            goto out;
    } else if (!policy_scalar_text(polv, &pv)) {
        goto out;
    }
    const char *r = rq.p ? rq.p : "", *p = pv.p ? pv.p : "";
    switch (op->kind) {
    case CK_STRING:
        m = rq.len == pv.len && memcmp(r, p, rq.len) == 0;
        break;
    case CK_STRING_ICASE:
        m = rq.len == pv.len && strncasecmp(r, p, rq.len) == 0;
        break;
    case CK_STRING_LIKE:
        m = policy_glob(p, pv.len, r, rq.len, false, true);
        break;
    case CK_NUMERIC: {
        double a, b;
        m = str_to_double(r, &a) == 0 && str_to_double(p, &b) == 0 && rel_holds(op->rel, a, b);
        break;
    }
    case CK_DATE: {
        int64_t a, b;
        m = parse_date(r, &a) && parse_date(p, &b) && rel_holds(op->rel, (double)a, (double)b);
        break;
    }
    case CK_BOOL: {
        bool a, b;
        m = parse_bool(r, &a) && parse_bool(p, &b) && a == b;
        break;
    }
    case CK_BINARY:
        m = rq.len == pv.len && memcmp(r, p, rq.len) == 0;
        break;
    case CK_IP:
        m = ip_in_cidr(r, p);
        break;
    case CK_ARN:
        m = policy_arn_match(p, r);
        break;
    case CK_NULL:
        break;
    }
out:
    buf_free(&rq);
    buf_free(&pv);
    return m;
}

/* The predicate of one request value: some policy value matches (NOR for negated ops). */
static bool request_value_ok(const struct cond_op *op, const json_t *reqv, const json_t *vals,
                             const struct policy_env *env)
{
    bool any = false;
    if (json_is_array(vals)) {
        size_t i;
        const json_t *v;
        json_array_foreach(vals, i, v)
        {
            if (value_matches(op, reqv, v, env)) {
                any = true;
                break;
            }
        }
    } else {
        any = value_matches(op, reqv, vals, env);
    }
    return op->negated ? !any : any;
}

/* Null: {"key": "true"} holds when the key is absent, "false" when present; values ORed. */
static bool null_check(bool present, const json_t *vals)
{
    size_t n = json_is_array(vals) ? json_array_size(vals) : 1;
    struct buf t = BUF_INIT;
    bool res = false;
    for (size_t i = 0; i < n && !res; i++) {
        const json_t *v = json_is_array(vals) ? json_array_get(vals, i) : vals;
        bool want_null;
        if (policy_scalar_text(v, &t) && parse_bool(t.p, &want_null))
            res = want_null ? !present : present;
    }
    buf_free(&t);
    return res;
}

static bool eval_values(const struct cond_op *op, enum set_op set, bool ifexists, const json_t *cv,
                        const json_t *vals, const struct policy_env *env);

static bool eval_key(const struct cond_op *op, enum set_op set, bool ifexists, const char *key,
                     const json_t *vals, const struct policy_env *env)
{
    const json_t *cv = policy_ctx_get(env, key);
    json_t *tmp = NULL;
    if (!cv && env->principal_arn && str_ieq(key, "aws:PrincipalArn"))
        cv = tmp = json_string(env->principal_arn);
    bool res = eval_values(op, set, ifexists, cv, vals, env);
    json_decref(tmp);
    return res;
}

static bool eval_values(const struct cond_op *op, enum set_op set, bool ifexists, const json_t *cv,
                        const json_t *vals, const struct policy_env *env)
{
    bool is_arr = json_is_array(cv);
    size_t n = !cv || json_is_null(cv) ? 0 : is_arr ? json_array_size(cv) : 1;
    bool present = n > 0;

    if (op->kind == CK_NULL)
        return null_check(present, vals);
    if (!present) {
        if (ifexists || set == SET_ALL)
            return true;
        if (set == SET_ANY)
            return false;
        return op->negated;
    }
    bool all = true, any = false;
    for (size_t i = 0; i < n; i++) {
        const json_t *rv = is_arr ? json_array_get(cv, i) : cv;
        bool ok = request_value_ok(op, rv, vals, env);
        all = all && ok;
        any = any || ok;
    }
    if (set == SET_ALL)
        return all;
    if (set == SET_ANY)
        return any;
    return op->negated ? all : any;
}

bool policy_cond_eval(const json_t *condition, const struct policy_env *env)
{
    const char *opname, *key;
    const json_t *block, *vals;
    if (!condition)
        return true;
    if (!json_is_object(condition))
        return false;
    json_object_foreach((json_t *)condition, opname, block)
    {
        enum set_op set;
        bool ifexists;
        const struct cond_op *op = op_lookup(opname, &set, &ifexists);
        if (!json_is_object(block))
            return false;
        if (!op) {
            /* IAM accepts an unknown operator only with an empty block: nothing to test */
            if (json_object_size(block) == 0)
                continue;
            return false;
        }
        json_object_foreach((json_t *)block, key, vals)
        {
            if (!eval_key(op, set, ifexists, key, vals, env))
                return false;
        }
    }
    return true;
}
