/*
 * intrinsics.c — evaluation of CloudFormation intrinsic functions, pseudo parameters and
 * conditions over a loaded template tree (cfnlang.h). Resource values (Ref to a resource,
 * Fn::GetAtt, Fn::ImportValue) come from the caller's callbacks. The functions are one
 * table, intrinsics[] (name -> handler, the argument's shape and the usage error text).
 *
 * Recursion is bounded: loaded trees are at most CFN_MAX_DEPTH deep and conditions that
 * refer to conditions are tracked for cycles.
 */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "catalog/regions.h"
#include "cfnlang/cfnlang.h"

#define MAX_EVAL_DEPTH (CFN_MAX_DEPTH * 4)

const char *cfn_partition(const char *region)
{
    if (str_startswith(region, "cn-"))
        return "aws-cn";
    if (str_startswith(region, "us-gov-"))
        return "aws-us-gov";
    return "aws";
}

const char *cfn_url_suffix(const char *region)
{
    return str_startswith(region, "cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

static int eval(struct cfn_ctx *x, const json_t *v, json_t **out, struct cfn_err *e, int depth);

/*
 * One row per intrinsic function (sqlite's aBuiltinFunc[] habit): the handler, and the shape
 * of the argument checked before it runs where that check is uniform. usage is the error
 * text when the argument has the wrong shape, for the table's check and the handler's own
 * (after evaluation) alike.
 */
struct intrinsic;
/* a: the function's argument as written; d: the depth of the {"Fn::X": a} object; *out is
 * NULL on entry, NULL on return for AWS::NoValue. 0 ok, -1 with e. */
typedef int intrinsic_fn(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a,
                         json_t **out, struct cfn_err *e, int d);

enum arg_shape {
    ARG_ANY,    /* the handler checks (most evaluate the argument first) */
    ARG_STRING, /* a string */
    ARG_LIST,   /* an array of min..max elements, the first a string when first_str */
};

struct intrinsic {
    const char *name;
    intrinsic_fn *run;
    enum arg_shape shape;
    unsigned char min, max;
    bool first_str;
    const char *usage;
};

/* Pseudo parameter value, or NULL when name is not one. *novalue for AWS::NoValue. */
static json_t *pseudo(struct cfn_ctx *x, const char *name, bool *novalue)
{
    *novalue = false;
    if (str_eq(name, "AWS::Region"))
        return json_string(x->region ? x->region : "us-east-1");
    if (str_eq(name, "AWS::AccountId"))
        return json_string(x->account ? x->account : "");
    if (str_eq(name, "AWS::StackName"))
        return json_string(x->stack_name ? x->stack_name : "");
    if (str_eq(name, "AWS::StackId"))
        return json_string(x->stack_id ? x->stack_id : "");
    if (str_eq(name, "AWS::Partition"))
        return json_string(cfn_partition(x->region ? x->region : "us-east-1"));
    if (str_eq(name, "AWS::URLSuffix"))
        return json_string(cfn_url_suffix(x->region ? x->region : "us-east-1"));
    if (str_eq(name, "AWS::NotificationARNs"))
        return x->notification_arns ? json_deep_copy(x->notification_arns) : json_array();
    if (str_eq(name, "AWS::NoValue")) {
        *novalue = true;
        return json_null();
    }
    return NULL;
}

static bool is_resource(struct cfn_ctx *x, const char *name)
{
    return json_object_get(json_object_get(x->tmpl, "Resources"), name) != NULL;
}

/* Ref name: pseudo parameter, parameter, resource. *out NULL for AWS::NoValue. */
static int do_ref(struct cfn_ctx *x, const char *name, json_t **out, struct cfn_err *e)
{
    bool nv;
    json_t *p = pseudo(x, name, &nv);
    if (p) {
        if (nv) {
            json_decref(p);
            *out = NULL;
        } else {
            *out = p;
        }
        return 0;
    }
    json_t *pv = json_object_get(x->params, name);
    if (pv) {
        *out = json_deep_copy(pv);
        return 0;
    }
    if (is_resource(x, name)) {
        if (!x->ref)
            return cfn_fail(e,
                            "Template format error: Unresolved resource dependencies [%s] in"
                            " the Resources block of the template",
                            name);
        return x->ref(x->ud, name, out, e);
    }
    return cfn_fail(e,
                    "Template format error: Unresolved resource dependencies [%s] in the"
                    " Resources block of the template",
                    name);
}

static int do_getatt(struct cfn_ctx *x, const char *res, const char *attr, json_t **out,
                     struct cfn_err *e)
{
    if (!is_resource(x, res))
        return cfn_fail(e,
                        "Template error: instance of Fn::GetAtt references undefined resource"
                        " %s",
                        res);
    if (!x->getatt) /* inferred */
        return cfn_fail(e,
                        "Template error: resource %s does not support attribute type %s in"
                        " Fn::GetAtt",
                        res, attr);
    return x->getatt(x->ud, res, attr, out, e);
}

static const char *fn_name_of(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    void *it = json_object_iter((json_t *)v);
    const char *k = json_object_iter_key(it);
    if (str_eq(k, "Ref") || str_startswith(k, "Fn::"))
        return k;
    /* {"Condition": "Name"} is a condition reference; a property called Condition with any
     * other value (an IAM policy statement's Condition block) is plain data */
    if (str_eq(k, "Condition") && json_is_string(json_object_iter_value(it)))
        return k;
    return NULL;
}

/* Evaluates v (one level below d) to its scalar text: *s is heap, or NULL when the value is
 * AWS::NoValue or not a scalar. -1 when the evaluation fails. */
static int eval_text(struct cfn_ctx *x, const json_t *v, char **s, struct cfn_err *e, int d)
{
    json_t *r = NULL;
    *s = NULL;
    if (eval(x, v, &r, e, d + 1) < 0)
        return -1;
    *s = r ? cfn_scalar_text(r) : NULL;
    json_decref(r);
    return 0;
}

/* ---- Fn::Sub ---- */

static int sub_lookup(struct cfn_ctx *x, const json_t *vars, const char *name, struct buf *b,
                      struct cfn_err *e)
{
    json_t *v = NULL;
    const json_t *given = json_object_get(vars, name);
    int rc;
    if (given) {
        v = json_incref((json_t *)given);
    } else if (strchr(name, '.') && !json_object_get(x->params, name)) {
        char *res = xstrdup(name);
        char *dot = strchr(res, '.');
        *dot = 0;
        bool nv;
        json_t *p = pseudo(x, name, &nv);
        if (p) { /* AWS::... names contain no dot, but be safe */
            json_decref(p);
            free(res);
            return cfn_fail(e, "Template error: variable names in Fn::Sub syntax must contain"
                               " only alphanumeric characters, underscores, periods, and colons");
        }
        rc = do_getatt(x, res, dot + 1, &v, e);
        free(res);
        if (rc < 0)
            return -1;
    } else {
        if (do_ref(x, name, &v, e) < 0)
            return -1;
    }
    char *s = v ? cfn_scalar_text(v) : NULL;
    json_decref(v);
    if (!s) /* inferred */
        return cfn_fail(e,
                        "Template error: variable %s in Fn::Sub syntax must resolve to a"
                        " string",
                        name);
    buf_puts(b, s);
    free(s);
    return 0;
}

static int fn_sub(struct cfn_ctx *x, const struct intrinsic *f, const json_t *arg, json_t **out,
                  struct cfn_err *e, int d)
{
    const char *usage = f->usage;
    const json_t *str = arg;
    json_t *vars = NULL;
    int rc = -1;
    struct buf b = BUF_INIT;
    if (json_is_array(arg)) {
        if (json_array_size(arg) != 2 || !json_is_string(json_array_get(arg, 0)) ||
            !json_is_object(json_array_get(arg, 1)))
            return cfn_fail(e, "%s", usage);
        str = json_array_get(arg, 0);
        vars = json_object();
        const char *k;
        json_t *vv;
        json_object_foreach(json_array_get(arg, 1), k, vv)
        {
            json_t *ev = NULL;
            if (eval(x, vv, &ev, e, d + 1) < 0)
                goto out;
            if (ev)
                json_object_set_new(vars, k, ev);
        }
    } else if (!json_is_string(arg)) {
        return cfn_fail(e, "%s", usage);
    }
    const char *s = json_string_value(str);
    while (*s) {
        const char *open = strstr(s, "${");
        if (!open) {
            buf_puts(&b, s);
            break;
        }
        buf_put(&b, s, (size_t)(open - s));
        const char *close = strchr(open + 2, '}');
        if (!close) { /* no closing brace: the rest is literal */
            buf_puts(&b, open);
            break;
        }
        if (open[2] == '!') { /* ${!Literal} -> ${Literal} */
            buf_puts(&b, "${");
            buf_put(&b, open + 3, (size_t)(close - open - 2));
            s = close + 1;
            continue;
        }
        char *name = xstrndup(open + 2, (size_t)(close - open - 2));
        /* trim blanks around the name */
        char *nm = name;
        while (*nm == ' ')
            nm++;
        size_t nl = strlen(nm);
        while (nl && nm[nl - 1] == ' ')
            nm[--nl] = 0;
        bool ok = nl > 0;
        for (size_t i = 0; i < nl && ok; i++) {
            char c = nm[i];
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == ':';
        }
        if (!ok) {
            free(name);
            cfn_fail(e, "Template error: variable names in Fn::Sub syntax must contain only"
                        " alphanumeric characters, underscores, periods, and colons");
            goto out;
        }
        int r = sub_lookup(x, vars, nm, &b, e);
        free(name);
        if (r < 0)
            goto out;
        s = close + 1;
    }
    *out = json_stringn(b.p ? b.p : "", b.len);
    if (!*out)
        *out = json_string("");
    rc = 0;
out:
    buf_free(&b);
    json_decref(vars);
    return rc;
}

/* ---- Fn::Cidr ---- */

/* a: the evaluated arguments; usage: the text for a wrong number or kind of them. */
static int do_cidr(const json_t *a, json_t **out, struct cfn_err *e, const char *usage)
{
    if (!json_is_array(a) || json_array_size(a) != 3)
        return cfn_fail(e, "%s", usage);
    char *block = cfn_scalar_text(json_array_get(a, 0));
    char *cnt = cfn_scalar_text(json_array_get(a, 1));
    char *bits = cfn_scalar_text(json_array_get(a, 2));
    int rc = -1;
    int64_t count, hostbits;
    char addr[64];
    if (!block || !cnt || !bits || str_to_i64(cnt, &count) < 0 || str_to_i64(bits, &hostbits) < 0 ||
        strlen(block) >= sizeof(addr)) {
        cfn_fail(e, "%s", usage);
        goto out;
    }
    char *slash = strchr(block, '/');
    int64_t plen;
    if (!slash || str_to_i64(slash + 1, &plen) < 0) {
        cfn_fail(e, "Template error: Fn::Cidr: invalid IP block %s", block); /* inferred */
        goto out;
    }
    memcpy(addr, block, (size_t)(slash - block));
    addr[slash - block] = 0;
    struct in_addr ia;
    if (inet_pton(AF_INET, addr, &ia) != 1 || plen < 0 || plen > 32) {
        cfn_fail(
            e,
            "Template error: Fn::Cidr: invalid IP block %s (only IPv4 is supported)", /* inferred */
            block);
        goto out;
    }
    int64_t newlen = 32 - hostbits;
    if (count < 1 || count > 256 || hostbits < 0 || hostbits > 32 || newlen < plen ||
        (newlen - plen < 63 && count > (1LL << (newlen - plen)))) {
        cfn_fail(
            e,
            "Template error: Fn::Cidr: cannot fit %lld subnets of %lld host bits in %s", /* inferred
                                                                                          */
            (long long)count, (long long)hostbits, block);
        goto out;
    }
    uint32_t base = ntohl(ia.s_addr);
    if (plen < 32)
        base &= plen == 0 ? 0 : ~((1u << (32 - plen)) - 1);
    uint64_t step = 1ull << hostbits;
    json_t *arr = json_array();
    for (int64_t i = 0; i < count; i++) {
        struct in_addr sa;
        sa.s_addr = htonl((uint32_t)(base + (uint64_t)i * step));
        char ip[INET_ADDRSTRLEN], item[40];
        inet_ntop(AF_INET, &sa, ip, sizeof(ip));
        snprintf(item, sizeof(item), "%s/%lld", ip, (long long)newlen);
        json_array_append_new(arr, json_string(item));
    }
    *out = arr;
    rc = 0;
out:
    free(block);
    free(cnt);
    free(bits);
    return rc;
}

/* ---- conditions ---- */

static int cond_value(struct cfn_ctx *x, const char *name, bool *out, struct cfn_err *e, int d);

/* Evaluates a condition expression (Fn::Equals/And/Or/Not, {"Condition": X}) to a bool:
 * true/false or their text. */
static int eval_bool(struct cfn_ctx *x, const json_t *v, bool *out, struct cfn_err *e, int d)
{
    char *s;
    if (eval_text(x, v, &s, e, d) < 0)
        return -1;
    bool ok = s && (str_eq(s, "true") || str_eq(s, "false"));
    if (ok)
        *out = str_eq(s, "true");
    free(s);
    if (!ok)
        return cfn_fail(e, "Template error: every Fn::If, Fn::And, Fn::Or and Fn::Not condition"
                           " must evaluate to a boolean"); /* inferred */
    return 0;
}

static int cond_value(struct cfn_ctx *x, const char *name, bool *out, struct cfn_err *e, int d)
{
    if (!x->conditions)
        x->conditions = json_object();
    json_t *have = json_object_get(x->conditions, name);
    if (json_is_boolean(have)) {
        *out = json_is_true(have);
        return 0;
    }
    if (json_is_null(have)) /* being evaluated: a cycle */
        return cfn_fail(e, "Template error: Found circular condition dependency: %s", /* inferred */
                        name);
    const json_t *def = json_object_get(json_object_get(x->tmpl, "Conditions"), name);
    if (!def)
        return cfn_fail(e, "Template error: unresolved condition dependency %s in Fn::If", name);
    if (d > MAX_EVAL_DEPTH)
        return cfn_fail(e, "Template error: Found circular condition dependency: %s", name);
    json_object_set_new(x->conditions, name, json_null());
    bool v;
    if (eval_bool(x, def, &v, e, d + 1) < 0) {
        json_object_del(x->conditions, name);
        return -1;
    }
    json_object_set_new(x->conditions, name, json_boolean(v));
    *out = v;
    return 0;
}

int cfn_conditions_eval(struct cfn_ctx *x, struct cfn_err *e)
{
    if (!x->conditions)
        x->conditions = json_object();
    const json_t *cs = json_object_get(x->tmpl, "Conditions");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)cs, k, v)
    {
        bool b;
        if (cond_value(x, k, &b, e, 0) < 0)
            return -1;
    }
    return 0;
}

int cfn_condition_get(struct cfn_ctx *x, const char *name, bool *out, struct cfn_err *e)
{
    return cond_value(x, name, out, e, 0);
}

int cfn_def_enabled(struct cfn_ctx *x, const json_t *def, bool *out, struct cfn_err *e)
{
    const json_t *c = json_object_get(def, "Condition");
    if (!c) {
        *out = true;
        return 0;
    }
    if (!json_is_string(c)) /* inferred */
        return cfn_fail(e, "Template format error: Every Condition member must be a string.");
    return cond_value(x, json_string_value(c), out, e, 0);
}

/* ---- the functions (one handler each, dispatched by intrinsics[]) ---- */

/* Evaluates v to a list (*out, new reference) or fails with msg. */
static int list_arg(struct cfn_ctx *x, const json_t *v, json_t **out, struct cfn_err *e, int d,
                    const char *msg)
{
    json_t *r = NULL;
    if (eval(x, v, &r, e, d + 1) < 0)
        return -1;
    if (!json_is_array(r)) {
        json_decref(r);
        return cfn_fail(e, "%s", msg);
    }
    *out = r;
    return 0;
}

static int fn_ref(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                  struct cfn_err *e, int d)
{
    return do_ref(x, json_string_value(a), out, e);
}

static int fn_condition(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                        struct cfn_err *e, int d)
{
    bool b;
    if (cond_value(x, json_string_value(a), &b, e, d) < 0)
        return -1;
    *out = json_boolean(b);
    return 0;
}

/* "Res.Attr" (split on the first dot) or [Res, Attr] with Attr evaluated. */
static int fn_getatt(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                     struct cfn_err *e, int d)
{
    char *res = NULL, *attr = NULL;
    if (json_is_string(a) && strchr(json_string_value(a), '.')) {
        res = xstrdup(json_string_value(a));
        char *dot = strchr(res, '.');
        *dot = 0;
        attr = xstrdup(dot + 1);
    } else if (json_is_array(a) && json_array_size(a) == 2 &&
               json_is_string(json_array_get(a, 0))) {
        res = xstrdup(json_string_value(json_array_get(a, 0)));
        json_t *av = NULL;
        if (eval(x, json_array_get(a, 1), &av, e, d + 1) < 0) {
            free(res);
            return -1;
        }
        attr = json_is_string(av) ? xstrdup(json_string_value(av)) : NULL;
        json_decref(av);
    }
    int rc = (!res || !attr || !*res || !*attr) ? cfn_fail(e, "%s", f->usage)
                                                : do_getatt(x, res, attr, out, e);
    free(res);
    free(attr);
    return rc;
}

static int fn_join(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                   struct cfn_err *e, int d)
{
    json_t *list;
    if (list_arg(x, json_array_get(a, 1), &list, e, d, f->usage) < 0)
        return -1;
    struct buf b = BUF_INIT;
    size_t i;
    json_t *it;
    int rc = 0;
    json_array_foreach(list, i, it)
    {
        char *s = cfn_scalar_text(it);
        if (!s) {
            rc = cfn_fail(e, "%s", f->usage);
            break;
        }
        if (i > 0)
            buf_puts(&b, json_string_value(json_array_get(a, 0)));
        buf_puts(&b, s);
        free(s);
    }
    json_decref(list);
    if (rc == 0)
        *out = json_stringn(b.p ? b.p : "", b.len);
    buf_free(&b);
    return rc;
}

static int fn_select(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                     struct cfn_err *e, int d)
{
    char *is;
    json_t *list = NULL;
    if (eval_text(x, json_array_get(a, 0), &is, e, d) < 0)
        return -1;
    int64_t idx;
    if (!is || str_to_i64(is, &idx) < 0) {
        free(is);
        return cfn_fail(e, "%s", f->usage);
    }
    free(is);
    if (list_arg(x, json_array_get(a, 1), &list, e, d, f->usage) < 0)
        return -1;
    if (idx < 0 || (size_t)idx >= json_array_size(list)) {
        json_decref(list);
        return cfn_fail(e,
                        "Template error: Fn::Select cannot select nonexistent value at"
                        " index %lld",
                        (long long)idx);
    }
    *out = json_incref(json_array_get(list, (size_t)idx));
    json_decref(list);
    return 0;
}

static int fn_split(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                    struct cfn_err *e, int d)
{
    const char *delim = json_string_value(json_array_get(a, 0));
    char *s;
    if (eval_text(x, json_array_get(a, 1), &s, e, d) < 0)
        return -1;
    if (!s || !*delim) {
        free(s);
        return cfn_fail(e, "%s", f->usage);
    }
    json_t *arr = json_array();
    const char *p = s;
    for (;;) {
        const char *q = strstr(p, delim);
        if (!q) {
            json_array_append_new(arr, json_string(p));
            break;
        }
        json_array_append_new(arr, json_stringn(p, (size_t)(q - p)));
        p = q + strlen(delim);
    }
    free(s);
    *out = arr;
    return 0;
}

static int fn_find_in_map(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a,
                          json_t **out, struct cfn_err *e, int d)
{
    char *k[3] = {NULL, NULL, NULL};
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        if (eval_text(x, json_array_get(a, (size_t)i), &k[i], e, d) < 0)
            rc = -1;
        else if (!k[i])
            rc = cfn_fail(e, "%s", f->usage);
    }
    if (rc == 0) {
        const json_t *m = json_object_get(json_object_get(x->tmpl, "Mappings"), k[0]);
        const json_t *v = json_object_get(json_object_get(m, k[1]), k[2]);
        if (!v)
            rc = cfn_fail(e, "Template error: Unable to get mapping for %s::%s::%s", k[0], k[1],
                          k[2]);
        else
            *out = json_deep_copy(v);
    }
    free(k[0]);
    free(k[1]);
    free(k[2]);
    return rc;
}

static int fn_if(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                 struct cfn_err *e, int d)
{
    bool b;
    if (cond_value(x, json_string_value(json_array_get(a, 0)), &b, e, d) < 0)
        return -1;
    return eval(x, json_array_get(a, b ? 1 : 2), out, e, d + 1);
}

/* Scalars compare by their text ("1" equals 1), everything else as JSON. */
static int fn_equals(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                     struct cfn_err *e, int d)
{
    json_t *l = NULL, *r = NULL;
    if (eval(x, json_array_get(a, 0), &l, e, d + 1) < 0)
        return -1;
    if (eval(x, json_array_get(a, 1), &r, e, d + 1) < 0) {
        json_decref(l);
        return -1;
    }
    char *ls = l ? cfn_scalar_text(l) : NULL, *rs = r ? cfn_scalar_text(r) : NULL;
    bool eq = (ls && rs) ? str_eq(ls, rs) : json_equal(l, r);
    free(ls);
    free(rs);
    json_decref(l);
    json_decref(r);
    *out = json_boolean(eq);
    return 0;
}

/* Fn::And and Fn::Or: every condition is evaluated (no short cut), so errors in any show. */
static int fn_and_or(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                     struct cfn_err *e, int d)
{
    bool is_and = str_eq(f->name, "Fn::And");
    bool acc = is_and;
    size_t i;
    json_t *it;
    json_array_foreach(a, i, it)
    {
        bool b;
        if (eval_bool(x, it, &b, e, d) < 0)
            return -1;
        acc = is_and ? (acc && b) : (acc || b);
    }
    *out = json_boolean(acc);
    return 0;
}

static int fn_not(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                  struct cfn_err *e, int d)
{
    bool b;
    if (eval_bool(x, json_array_get(a, 0), &b, e, d) < 0)
        return -1;
    *out = json_boolean(!b);
    return 0;
}

static int fn_base64(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                     struct cfn_err *e, int d)
{
    char *s;
    if (eval_text(x, a, &s, e, d) < 0)
        return -1;
    if (!s)
        return cfn_fail(e, "%s", f->usage);
    size_t n = strlen(s);
    char *enc = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)enc, (const unsigned char *)s, (int)n);
    *out = json_string(enc);
    free(enc);
    free(s);
    return 0;
}

/* The AZ names of a region ("" or AWS::NoValue: the stack's): the caller's get_azs, else the
 * catalogue (an unknown region has none). */
static int fn_get_azs(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                      struct cfn_err *e, int d)
{
    json_t *rv = NULL;
    if (eval(x, a, &rv, e, d + 1) < 0)
        return -1;
    char *r = rv ? cfn_scalar_text(rv) : xstrdup("");
    json_decref(rv);
    if (!r)
        return cfn_fail(e, "%s", f->usage);
    const char *region = *r ? r : (x->region ? x->region : "us-east-1");
    int rc = 0;
    if (x->get_azs) {
        rc = x->get_azs(x->ud, region, out, e);
    } else {
        json_t *arr = json_array();
        const struct ec2_region *reg = ec2_region_find(region);
        for (size_t i = 0; reg && i < ec2_zone_count(reg); i++) {
            struct ec2_zone z;
            ec2_zone_at(reg, i, &z);
            json_array_append_new(arr, json_string(z.name));
        }
        *out = arr;
    }
    free(r);
    return rc;
}

static int fn_cidr(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                   struct cfn_err *e, int d)
{
    json_t *args = NULL;
    if (eval(x, a, &args, e, d + 1) < 0)
        return -1;
    int rc = do_cidr(args, out, e, f->usage);
    json_decref(args);
    return rc;
}

static int fn_import_value(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a,
                           json_t **out, struct cfn_err *e, int d)
{
    char *name;
    if (eval_text(x, a, &name, e, d) < 0)
        return -1;
    if (!name)
        return cfn_fail(e, "%s", f->usage);
    int rc = x->import_value ? x->import_value(x->ud, name, out, e)
                             : cfn_fail(e, "No export named %s found.", name); /* inferred */
    free(name);
    return rc;
}

/* Fn::Length (AWS::LanguageExtensions): the number of elements of a list. */
static int fn_length(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a, json_t **out,
                     struct cfn_err *e, int d)
{
    json_t *v = NULL;
    if (eval(x, a, &v, e, d + 1) < 0)
        return -1;
    if (!json_is_array(v)) {
        json_decref(v);
        return cfn_fail(e, "%s", f->usage);
    }
    *out = json_integer((json_int_t)json_array_size(v));
    json_decref(v);
    return 0;
}

/* Fn::ToJsonString (AWS::LanguageExtensions): an object or list as compact JSON text. */
static int fn_to_json_string(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a,
                             json_t **out, struct cfn_err *e, int d)
{
    json_t *v = NULL;
    if (eval(x, a, &v, e, d + 1) < 0)
        return -1;
    if (!json_is_object(v) && !json_is_array(v)) {
        json_decref(v);
        return cfn_fail(e, "%s", f->usage);
    }
    char *txt = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(v);
    *out = json_string(txt ? txt : "");
    free(txt);
    return 0;
}

/* A function AWS has that the lab does not evaluate: fails with usage. */
static int fn_unsupported(struct cfn_ctx *x, const struct intrinsic *f, const json_t *a,
                          json_t **out, struct cfn_err *e, int d)
{
    return cfn_fail(e, "%s", f->usage);
}

/* Texts marked inferred were not confirmed against AWS. */
static const struct intrinsic intrinsics[] = {
    {"Ref", fn_ref, ARG_STRING, 0, 0, false,
     "Template error: every Ref object must have a single String value."},
    {"Condition", fn_condition, ARG_STRING, 0, 0, false,
     "Template error: every Condition object must have a single String value." /* inferred */},
    {"Fn::GetAtt", fn_getatt, ARG_ANY, 0, 0, false,
     "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource"
     " name and the resource attribute"},
    {"Fn::Join", fn_join, ARG_LIST, 2, 2, true,
     "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and"
     " (2) a list of strings to be joined or a function that returns a list of strings (such as"
     " Fn::GetAZs) to be joined."},
    {"Fn::Sub", fn_sub, ARG_ANY, 0, 0, false,
     "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments."
     " Specify a string as first argument, and an optional second argument to specify a mapping"
     " of values to replace in the string"},
    {"Fn::Select", fn_select, ARG_LIST, 2, 2, false,
     "Template error: Fn::Select requires a list argument with two elements: an integer index"
     " and a list" /* inferred */},
    {"Fn::Split", fn_split, ARG_LIST, 2, 2, true,
     "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and"
     " (2) a string to be split or a function that returns a string to be split."},
    {"Fn::FindInMap", fn_find_in_map, ARG_LIST, 3, 3, false,
     "Template error: every Fn::FindInMap object requires three parameters, the map name, map"
     " key and the attribute for return value"},
    {"Fn::If", fn_if, ARG_LIST, 3, 3, true,
     "Template error: Fn::If requires a list argument with three elements" /* inferred */},
    {"Fn::Equals", fn_equals, ARG_LIST, 2, 2, false,
     "Template error: Fn::Equals requires a list argument with two elements" /* inferred */},
    {"Fn::And", fn_and_or, ARG_LIST, 2, 10, false,
     "Template error: Fn::And requires a list argument with between 2 and 10 conditions"
     /* inferred */},
    {"Fn::Or", fn_and_or, ARG_LIST, 2, 10, false,
     "Template error: Fn::Or requires a list argument with between 2 and 10 conditions"
     /* inferred */},
    {"Fn::Not", fn_not, ARG_LIST, 1, 1, false,
     "Template error: Fn::Not requires a list argument with one element" /* inferred */},
    {"Fn::Base64", fn_base64, ARG_ANY, 0, 0, false,
     "Template error: every Fn::Base64 object must have a String value" /* inferred */},
    {"Fn::GetAZs", fn_get_azs, ARG_ANY, 0, 0, false,
     "Template error: Fn::GetAZs requires a String region" /* inferred */},
    {"Fn::Cidr", fn_cidr, ARG_ANY, 0, 0, false,
     "Template error: every Fn::Cidr object requires three parameters, (1) an IP block, (2) the"
     " number of subnets and (3) the subnet mask (number of host bits)" /* inferred */},
    {"Fn::ImportValue", fn_import_value, ARG_ANY, 0, 0, false,
     "Template error: the attribute in Fn::ImportValue must not depend on any resources,"
     " imported values, or Fn::GetAZs" /* inferred */},
    {"Fn::Length", fn_length, ARG_ANY, 0, 0, false,
     "Template error: Fn::Length requires a list or a function that returns a list"
     /* inferred */},
    {"Fn::ToJsonString", fn_to_json_string, ARG_ANY, 0, 0, false,
     "Template error: Fn::ToJsonString requires an object or a list" /* inferred */},
    {"Fn::Transform", fn_unsupported, ARG_ANY, 0, 0, false,
     "Template format error: Fn::Transform is not supported by this emulator" /* inferred */},
};

static bool arg_fits(const struct intrinsic *f, const json_t *a)
{
    switch (f->shape) {
    case ARG_STRING:
        return json_is_string(a);
    case ARG_LIST:
        return json_is_array(a) && json_array_size(a) >= f->min && json_array_size(a) <= f->max &&
               (!f->first_str || json_is_string(json_array_get(a, 0)));
    case ARG_ANY:
        break;
    }
    return true;
}

static int do_fn(struct cfn_ctx *x, const char *fn, const json_t *a, json_t **out,
                 struct cfn_err *e, int d)
{
    *out = NULL;
    /* the transform's functions exist only in templates that declare it */
    bool ext_fn = str_eq(fn, "Fn::Length") || str_eq(fn, "Fn::ToJsonString");
    for (size_t i = 0; i < ARRAY_LEN(intrinsics) && !(ext_fn && !cfn_template_has_lang_ext(x->tmpl));
         i++) {
        const struct intrinsic *f = &intrinsics[i];
        if (!str_eq(fn, f->name))
            continue;
        if (!arg_fits(f, a))
            return cfn_fail(e, "%s", f->usage);
        return f->run(x, f, a, out, e, d);
    }
    /* inferred: AWS lists the supported functions after this text */
    return cfn_fail(e,
                    "Template format error: Encountered unsupported function: %s Supported"
                    " functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue,"
                    " Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If,"
                    " Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals,"
                    " Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub,"
                    " Fn::Cidr]",
                    fn);
}

static int eval(struct cfn_ctx *x, const json_t *v, json_t **out, struct cfn_err *e, int d)
{
    *out = NULL;
    if (d > MAX_EVAL_DEPTH) /* inferred */
        return cfn_fail(e, "Template format error: template is nested too deeply or is too"
                           " large.");
    if (json_is_object(v)) {
        const char *fn = fn_name_of(v);
        if (fn)
            return do_fn(x, fn, json_object_get(v, fn), out, e, d);
        json_t *o = json_object();
        const char *k;
        json_t *c;
        json_object_foreach((json_t *)v, k, c)
        {
            json_t *r = NULL;
            if (eval(x, c, &r, e, d + 1) < 0) {
                json_decref(o);
                return -1;
            }
            if (r)
                json_object_set_new(o, k, r);
        }
        *out = o;
        return 0;
    }
    if (json_is_array(v)) {
        json_t *arr = json_array();
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            json_t *r = NULL;
            if (eval(x, c, &r, e, d + 1) < 0) {
                json_decref(arr);
                return -1;
            }
            if (r)
                json_array_append_new(arr, r);
        }
        *out = arr;
        return 0;
    }
    *out = json_incref((json_t *)v);
    return 0;
}

int cfn_eval(struct cfn_ctx *x, const json_t *v, json_t **out, struct cfn_err *e)
{
    return eval(x, v, out, e, 0);
}
