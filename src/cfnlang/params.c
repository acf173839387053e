/*
 * params.c — the Parameters section: declarations (types, constraint properties) and the
 * values of a stack operation (given, previous, Default), checked against AllowedValues,
 * AllowedPattern, Min/MaxLength and Min/MaxValue.
 *
 * Values: String, Number and the AWS-specific single types resolve to a string (a Number
 * parameter is a string once referenced, as AWS documents); List<...> and
 * CommaDelimitedList to an array of strings, each member space-trimmed. Whether an
 * AWS-specific value names something that exists, and what an SSM parameter type's value is,
 * the caller decides through struct cfn_param_resolver (the server asks its services; the
 * offline lint passes none).
 *
 * AllowedPattern is a Java regular expression in AWS; here PCRE2 matches it against the
 * whole value (anchored at both ends). One Java rule PCRE2 does not share is applied first: a
 * '-' right after a class escape inside brackets (`[\w-\+]`) is a literal in Java, an error
 * in PCRE2, so it is escaped; and Java's POSIX classes (\p{Alpha}, \p{Digit} ...) are written
 * in PCRE2's [:alpha:] form.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

static const char *const aws_types[] = {
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
};

static const char *const param_keys[] = {
    "Type",      "Default",  "NoEcho",   "AllowedValues", "AllowedPattern",        "MaxLength",
    "MinLength", "MaxValue", "MinValue", "Description",   "ConstraintDescription",
};

static bool is_aws_type(const char *t)
{
    for (size_t i = 0; i < ARRAY_LEN(aws_types); i++)
        if (str_eq(t, aws_types[i]))
            return true;
    return false;
}

/* X of "PREFIX<X>" into buf (cap bytes), else NULL. */
static const char *angle_inner(const char *t, const char *prefix, char *buf, size_t cap)
{
    size_t n = strlen(t), pn = strlen(prefix);
    if (!str_startswith(t, prefix) || n < pn + 2 || t[pn] != '<' || t[n - 1] != '>' ||
        n - pn - 2 >= cap)
        return NULL;
    memcpy(buf, t + pn + 1, n - pn - 2);
    buf[n - pn - 2] = 0;
    return buf;
}

/* The plain (non-SSM) types: String, Number, List<Number>, CommaDelimitedList, AWS-specific
 * and List<AWS-specific>. */
static int plain_type_parse(const char *type, struct cfn_ptype *pt)
{
    char el[128];
    if (str_eq(type, "String")) {
        pt->family = CFN_PT_STRING;
    } else if (str_eq(type, "Number")) {
        pt->family = CFN_PT_NUMBER;
    } else if (str_eq(type, "CommaDelimitedList")) {
        pt->family = CFN_PT_CDL;
        pt->list = true;
    } else if (is_aws_type(type)) {
        pt->family = CFN_PT_AWS;
        snprintf(pt->elem, sizeof(pt->elem), "%s", type);
    } else if (angle_inner(type, "List", el, sizeof(el)) && str_eq(el, "Number")) {
        pt->family = CFN_PT_LIST_NUMBER;
        pt->list = true;
    } else if (angle_inner(type, "List", el, sizeof(el)) && is_aws_type(el)) {
        pt->family = CFN_PT_AWS;
        pt->list = true;
        snprintf(pt->elem, sizeof(pt->elem), "%s", el);
    } else {
        return -1;
    }
    return 0;
}

int cfn_param_type_parse(const char *type, struct cfn_ptype *pt)
{
    memset(pt, 0, sizeof(*pt));
    if (!type)
        return -1;
    char in[128];
    if (str_eq(type, "AWS::SSM::Parameter::Name")) {
        pt->family = CFN_PT_SSM_NAME;
        return 0;
    }
    if (angle_inner(type, "AWS::SSM::Parameter::Value", in, sizeof(in))) {
        /* Value<String>, Value<List<String>>, Value<CommaDelimitedList>, Value<AWS-specific>,
         * Value<List<AWS-specific>> [doc: UG "Parameters", SSM parameter types] */
        struct cfn_ptype inner;
        char el[128];
        bool list_string = angle_inner(in, "List", el, sizeof(el)) && str_eq(el, "String");
        if (!list_string &&
            (plain_type_parse(in, &inner) < 0 || inner.family == CFN_PT_NUMBER ||
             inner.family == CFN_PT_LIST_NUMBER))
            return -1;
        pt->family = CFN_PT_SSM_VALUE;
        pt->list = list_string || inner.list;
        if (!list_string)
            snprintf(pt->elem, sizeof(pt->elem), "%s", inner.elem);
        snprintf(pt->inner, sizeof(pt->inner), "%s", in);
        return 0;
    }
    return plain_type_parse(type, pt);
}

bool cfn_param_type_known(const char *type)
{
    struct cfn_ptype pt;
    return cfn_param_type_parse(type, &pt) == 0;
}

static bool is_number(const char *s)
{
    double d;
    while (*s == ' ')
        s++;
    return *s && str_to_double(s, &d) == 0;
}

/* Java's \p{Name} POSIX classes (java.util.regex.Pattern) -> PCRE2's [:name:] names. */
static const char *posix_class(const char *name, size_t n)
{
    static const char *const map[][2] = {
        {"Lower", "lower"}, {"Upper", "upper"}, {"ASCII", "ascii"}, {"Alpha", "alpha"},
        {"Digit", "digit"}, {"Alnum", "alnum"}, {"Punct", "punct"}, {"Graph", "graph"},
        {"Print", "print"}, {"Blank", "blank"}, {"Cntrl", "cntrl"}, {"XDigit", "xdigit"},
        {"Space", "space"},
    };
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (strlen(map[i][0]) == n && strncmp(name, map[i][0], n) == 0)
            return map[i][1];
    return NULL;
}

/* The pattern as PCRE2 reads Java's: a '-' after a class escape (\w \d \s \W \D \S \p{..}
 * \P{..}) inside brackets, which Java takes literally, escaped. Heap. */
static char *java_pattern(const char *p)
{
    struct buf b = BUF_INIT;
    int depth = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            char c = p[1];
            buf_putc(&b, '\\');
            buf_putc(&b, c);
            p++;
            if ((c == 'p' || c == 'P') && p[1] == '{') {
                const char *end = strchr(p, '}');
                const char *posix = end ? posix_class(p + 2, (size_t)(end - p - 2)) : NULL;
                if (posix) { /* Java's POSIX names are ASCII classes: PCRE2's [:name:] */
                    b.len -= 2;
                    buf_printf(&b, "%s[:%s%s:]%s", depth ? "" : "[", c == 'P' ? "^" : "", posix,
                               depth ? "" : "]");
                    p = end;
                } else if (end) {
                    buf_put(&b, p + 1, (size_t)(end - p));
                    p = end;
                }
            }
            if (depth > 0 && strchr("wdsWDSpP", c) && p[1] == '-' && p[2] && p[2] != ']') {
                buf_puts(&b, "\\-");
                p++;
            }
            continue;
        }
        if (*p == '[') {
            depth++;
            buf_putc(&b, '[');
            if (p[1] == '^')
                buf_putc(&b, *++p);
            if (p[1] == ']')
                buf_putc(&b, *++p);
            continue;
        }
        if (*p == ']' && depth > 0)
            depth--;
        buf_putc(&b, *p);
    }
    return buf_steal(&b);
}

/* Compiles an AllowedPattern (anchored at both ends, UTF-8), or NULL. */
static pcre2_code *pattern_compile(const char *pattern)
{
    char *jp = java_pattern(pattern);
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)jp, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &err, &off, NULL);
    free(jp);
    return re;
}

/* 1 when v matches the whole pattern, 0 when not, -1 when the pattern does not compile. */
static int pattern_match(const char *pattern, const char *v)
{
    pcre2_code *re = pattern_compile(pattern);
    if (!re)
        return -1;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int r = pcre2_match(re, (PCRE2_SPTR)v, strlen(v), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return r >= 0 ? 1 : 0;
}

/* Reads a numeric constraint property; 0 absent, 1 present (*out), -1 malformed. */
static int num_prop(const json_t *decl, const char *key, double *out, char **text)
{
    const json_t *v = json_object_get(decl, key);
    if (!v)
        return 0;
    char *s = cfn_scalar_text(v);
    if (!s || str_to_double(s, out) < 0) {
        free(s);
        return -1;
    }
    *text = s;
    return 1;
}

struct pdecl {
    const char *name, *type;
    struct cfn_ptype pt;
    const json_t *decl;
    double minlen, maxlen, minval, maxval;
    char *minlen_t, *maxlen_t, *minval_t, *maxval_t;
    int has_minlen, has_maxlen, has_minval, has_maxval;
    const char *pattern, *cdesc;
};

static void pdecl_free(struct pdecl *d)
{
    free(d->minlen_t);
    free(d->maxlen_t);
    free(d->minval_t);
    free(d->maxval_t);
}

static int pdecl_read(const char *name, const json_t *decl, struct pdecl *d, struct cfn_err *e)
{
    memset(d, 0, sizeof(*d));
    d->name = name;
    d->decl = decl;
    if (!json_is_object(decl))
        return cfn_fail(e, "Template format error: Every Parameters object must contain a Type"
                           " member."); /* inferred: same text as a missing Type */
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)decl, k, v)
    {
        bool ok = false;
        for (size_t i = 0; i < ARRAY_LEN(param_keys); i++)
            ok = ok || str_eq(k, param_keys[i]);
        if (!ok)
            return cfn_fail(e,
                            "Template format error: Invalid template parameter property"
                            " '%s'",
                            k);
    }
    const json_t *t = json_object_get(decl, "Type");
    if (!json_is_string(t))
        return cfn_fail(e, "Template format error: Every Parameters object must contain a Type"
                           " member.");
    d->type = json_string_value(t);
    if (cfn_param_type_parse(d->type, &d->pt) < 0)
        return cfn_fail(e, "Template format error: Unrecognized parameter type: %s", d->type);
    d->has_minlen = num_prop(decl, "MinLength", &d->minlen, &d->minlen_t);
    d->has_maxlen = num_prop(decl, "MaxLength", &d->maxlen, &d->maxlen_t);
    d->has_minval = num_prop(decl, "MinValue", &d->minval, &d->minval_t);
    d->has_maxval = num_prop(decl, "MaxValue", &d->maxval, &d->maxval_t);
    if (d->has_minlen < 0 || d->has_maxlen < 0 || d->has_minval < 0 || d->has_maxval < 0)
        return cfn_fail(e,
                        "Template format error: Parameter '%s' has a non-numeric length or"
                        " value constraint",
                        name); /* inferred */
    const json_t *pat = json_object_get(decl, "AllowedPattern");
    if (pat && !json_is_string(pat))
        return cfn_fail(
            e, "Template format error: Every AllowedPattern must be a string."); /* inferred */
    d->pattern = json_string_value(pat);
    d->cdesc = json_string_value(json_object_get(decl, "ConstraintDescription"));
    const json_t *av = json_object_get(decl, "AllowedValues");
    if (av && !json_is_array(av))
        return cfn_fail(
            e, "Template format error: Every AllowedValues object must be a list."); /* inferred */
    bool num = d->pt.family == CFN_PT_NUMBER || d->pt.family == CFN_PT_LIST_NUMBER;
    /* the string constraints: String, and (inferred) the single-valued types given as text */
    bool str = d->pt.family == CFN_PT_STRING || (d->pt.family == CFN_PT_AWS && !d->pt.list) ||
               d->pt.family == CFN_PT_SSM_NAME || d->pt.family == CFN_PT_SSM_VALUE;
    if (!str && (d->has_minlen || d->has_maxlen || d->pattern))
        return cfn_fail(e,
                        "Template error: Parameter '%s' %s must be on a parameter of type"
                        " String",
                        name, /* inferred */
                        d->has_minlen   ? "MinLength"
                        : d->has_maxlen ? "MaxLength"
                                        : "AllowedPattern");
    if (!num && (d->has_minval || d->has_maxval))
        return cfn_fail(e,
                        "Template error: Parameter '%s' %s must be on a parameter of type"
                        " Number",
                        name, d->has_minval ? "MinValue" : "MaxValue"); /* inferred */
    if (d->pattern) {
        pcre2_code *re = pattern_compile(d->pattern);
        if (!re)
            return cfn_fail(e,
                            "Template error: Parameter '%s' AllowedPattern must be a valid"
                            " regular expression.",
                            name); /* inferred */
        pcre2_code_free(re);
    }
    return 0;
}

/* Constraint failure text: ConstraintDescription when set (AWS samples write it as "must
 * ..." after the parameter name, inferred), else the default. */
static int constraint_fail(const struct pdecl *d, struct cfn_err *e, const char *dflt)
{
    if (d->cdesc)
        return cfn_fail(e, "Parameter '%s' %s", d->name, d->cdesc); /* inferred */
    return cfn_fail(e, "Parameter '%s' %s", d->name, dflt);
}

/* Checks one scalar value (an element for list types). */
static int check_one(const struct pdecl *d, const char *v, bool number, struct cfn_err *e)
{
    const json_t *av = json_object_get(d->decl, "AllowedValues");
    if (av) {
        bool ok = false;
        size_t i;
        json_t *a;
        json_array_foreach(av, i, a)
        {
            char *s = cfn_scalar_text(a);
            ok = ok || str_eq(s, v);
            free(s);
        }
        if (!ok)
            return constraint_fail(d, e, "must be one of AllowedValues");
    }
    if (number) {
        double x;
        if (!is_number(v) || str_to_double(v, &x) < 0)
            return cfn_fail(e, "Parameter '%s' must be a number.", d->name);
        char msg[160];
        if (d->has_minval && x < d->minval) {
            snprintf(msg, sizeof(msg), "must be a number not less than %s",
                     d->minval_t); /* inferred */
            return constraint_fail(d, e, msg);
        }
        if (d->has_maxval && x > d->maxval) {
            snprintf(msg, sizeof(msg), "must be a number not greater than %s",
                     d->maxval_t); /* inferred */
            return constraint_fail(d, e, msg);
        }
    }
    size_t len = strlen(v);
    char msg[200];
    if (d->has_minlen && (double)len < d->minlen) {
        snprintf(msg, sizeof(msg), "must contain at least %s characters",
                 d->minlen_t); /* inferred */
        return constraint_fail(d, e, msg);
    }
    if (d->has_maxlen && (double)len > d->maxlen) {
        snprintf(msg, sizeof(msg), "must contain at most %s characters",
                 d->maxlen_t); /* inferred */
        return constraint_fail(d, e, msg);
    }
    if (d->pattern && pattern_match(d->pattern, v) == 0) {
        struct buf b = BUF_INIT;
        buf_printf(&b, "must match pattern %s", d->pattern); /* inferred */
        int rc = constraint_fail(d, e, b.p);
        buf_free(&b);
        return rc;
    }
    return 0;
}

/* Converts and checks a value of d's type. *out: string or array of strings. */
static int convert(const struct pdecl *d, const char *v, json_t **out, struct cfn_err *e)
{
    /* an SSM parameter type's value is the parameter's name until the resolver reads it */
    if (!d->pt.list || d->pt.family == CFN_PT_SSM_VALUE) {
        if (check_one(d, v, d->pt.family == CFN_PT_NUMBER, e) < 0)
            return -1;
        *out = json_string(v);
        return *out ? 0
                    : cfn_fail(e, "Parameter '%s' must be a valid UTF-8 string.",
                               d->name); /* inferred */
    }
    bool number = d->pt.family == CFN_PT_LIST_NUMBER;
    json_t *arr = json_array();
    const char *p = v;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        char *item = xstrndup(p, n);
        int r = check_one(d, item, number, e);
        if (r == 0)
            json_array_append_new(arr, json_string(item));
        free(item);
        if (r < 0) {
            json_decref(arr);
            return -1;
        }
        if (!c)
            break;
        p = c + 1;
    }
    *out = arr;
    return 0;
}

int cfn_params_check_decls(const json_t *t, struct cfn_err *e)
{
    const json_t *ps = json_object_get(t, "Parameters");
    if (!ps)
        return 0;
    if (!json_is_object(ps)) /* inferred */
        return cfn_fail(e, "Template format error: Parameters must be a JSON object.");
    const char *name;
    json_t *decl;
    json_object_foreach((json_t *)ps, name, decl)
    {
        struct pdecl d;
        int rc = pdecl_read(name, decl, &d, e);
        /* Default must be a scalar; whether it meets the constraints is checked when a
         * stack uses it (cfn_params_resolve), not by ValidateTemplate (inferred) */
        const json_t *dflt = json_object_get(decl, "Default");
        if (rc == 0 && dflt && !json_is_string(dflt) && !json_is_number(dflt) &&
            !json_is_boolean(dflt)) /* inferred */
            rc = cfn_fail(e, "Template format error: Every Default member must be a string.");
        pdecl_free(&d);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int cfn_params_resolve(const json_t *t, const json_t *given, const json_t *previous,
                       const json_t *use_previous, json_t **values, json_t **raw, struct cfn_err *e)
{
    return cfn_params_resolve_with(t, given, previous, use_previous, NULL, values, raw, e);
}

int cfn_params_resolve_with(const json_t *t, const json_t *given, const json_t *previous,
                            const json_t *use_previous, const struct cfn_param_resolver *res,
                            json_t **values, json_t **raw, struct cfn_err *e)
{
    const json_t *ps = json_object_get(t, "Parameters");
    json_t *vals = json_object(), *raws = json_object();
    json_t *missing = json_array(), *unknown = json_array();
    int rc = -1;
    if (cfn_params_check_decls(t, e) < 0)
        goto out;
    const char *name;
    json_t *decl;
    json_object_foreach((json_t *)given, name, decl)
    {
        if (!json_object_get(ps, name))
            json_array_append_new(unknown, json_string(name));
    }
    size_t i;
    json_t *up;
    json_array_foreach(use_previous, i, up)
    {
        if (json_is_string(up) && !json_object_get(ps, json_string_value(up)))
            json_array_append(unknown, up);
    }
    json_object_foreach((json_t *)ps, name, decl)
    {
        char *v = NULL;
        bool keep_prev = false;
        json_array_foreach(use_previous, i, up) keep_prev =
            keep_prev || str_eq(json_string_value(up), name);
        if (json_object_get(given, name))
            v = cfn_scalar_text(json_object_get(given, name));
        else if (keep_prev && json_object_get(previous, name))
            v = cfn_scalar_text(json_object_get(previous, name));
        else if (json_object_get(decl, "Default"))
            v = cfn_scalar_text(json_object_get(decl, "Default"));
        if (!v) {
            json_array_append_new(missing, json_string(name));
            continue;
        }
        json_object_set_new(raws, name, json_string(v));
        free(v);
    }
    if (json_array_size(missing) > 0 || json_array_size(unknown) > 0) {
        json_t *list = json_array_size(missing) ? missing : unknown;
        struct buf b = BUF_INIT;
        buf_putc(&b, '[');
        json_array_foreach(list, i, up)
        {
            if (i)
                buf_puts(&b, ", ");
            buf_puts(&b, json_string_value(up));
        }
        buf_putc(&b, ']');
        if (list == missing)
            cfn_fail(e, "Parameters: %s must have values", b.p);
        else
            cfn_fail(e, "Parameters: %s do not exist in the template", b.p);
        buf_free(&b);
        goto out;
    }
    json_object_foreach((json_t *)ps, name, decl)
    {
        struct pdecl d;
        json_t *cv = NULL;
        int r = pdecl_read(name, decl, &d, e);
        if (r == 0)
            r = convert(&d, json_string_value(json_object_get(raws, name)), &cv, e);
        if (r == 0 && res && res->resolve) {
            json_t *nv = NULL;
            r = res->resolve(res->ud, name, d.type, &d.pt, cv, &nv, e);
            if (r == 0 && nv) {
                json_decref(cv);
                cv = nv;
            }
        }
        if (r < 0)
            json_decref(cv), cv = NULL;
        pdecl_free(&d);
        if (r < 0)
            goto out;
        json_object_set_new(vals, name, cv);
    }
    *values = json_incref(vals);
    if (raw)
        *raw = json_incref(raws);
    rc = 0;
out:
    json_decref(vals);
    json_decref(raws);
    json_decref(missing);
    json_decref(unknown);
    return rc;
}
