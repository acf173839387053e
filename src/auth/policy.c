/*
 * policy.c — IAM policy documents: validation with IAM's MalformedPolicyDocument messages,
 * evaluation (Action/NotAction, Resource/NotResource, wildcards, policy variables, Condition),
 * the identity/session decision, AccessDenied texts and trust-policy principals.
 *
 * Sources for the messages (see the comment at each):
 *  [obs]   seen in real AWS error output quoted in public issues;
 *  [clone] moto's validator, whose texts were recorded against real IAM;
 *  [doc]   IAM user guide;
 *  inferred: our own choice where no source was found.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "base/base.h"

/* ================================================================ helpers */

size_t policy_size(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; text && i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || (c & 0xC0) == 0x80)
            continue;
        n++;
    }
    return n;
}

/* Length in bytes of the UTF-8 code point at s (1..4), never past n. */
static size_t cp_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t l = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (l > n)
        l = n;
    for (size_t i = 1; i < l; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return i;
    return l;
}

static bool chr_eq(char a, char b, bool icase)
{
    if (a == b)
        return true;
    return icase && tolower((unsigned char)a) == tolower((unsigned char)b);
}

bool policy_glob(const char *pat, size_t plen, const char *s, size_t slen, bool icase, bool escapes)
{
    size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;
    while (i < slen) {
        if (p < plen) {
            char c = pat[p];
            if (c == '*') {
                star_p = ++p;
                star_i = i;
                continue;
            }
            if (c == '?') {
                p++;
                i += cp_len(s + i, slen - i);
                continue;
            }
            size_t adv = 1;
            if (escapes && c == '\\' && p + 1 < plen) {
                c = pat[p + 1];
                adv = 2;
            }
            if (chr_eq(c, s[i], icase)) {
                p += adv;
                i++;
                continue;
            }
        }
        if (star_p == SIZE_MAX)
            return false;
        p = star_p;
        star_i += cp_len(s + star_i, slen - star_i);
        i = star_i;
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}

/* Offsets of the first five ':' (escape-aware for patterns); returns how many were found. */
static int arn_colons(const char *s, size_t len, bool escapes, size_t pos[5])
{
    int n = 0;
    for (size_t i = 0; i < len && n < 5; i++) {
        if (escapes && s[i] == '\\' && i + 1 < len) {
            i++;
            continue;
        }
        if (s[i] == ':')
            pos[n++] = i;
    }
    return n;
}

bool policy_arn_match(const char *pat, const char *arn)
{
    size_t pl = strlen(pat), al = strlen(arn), pp[5], ap[5];
    int pn = arn_colons(pat, pl, true, pp), an = arn_colons(arn, al, false, ap);
    if (pn < 5) /* not six fields: plain wildcard match of the whole text (inferred) */
        return policy_glob(pat, pl, arn, al, false, true);
    if (an < 5)
        return false;
    size_t ps = 0, as = 0;
    for (int f = 0; f < 6; f++) {
        size_t pe = f < 5 ? pp[f] : pl, ae = f < 5 ? ap[f] : al;
        if (!policy_glob(pat + ps, pe - ps, arn + as, ae - as, false, true))
            return false;
        ps = pe + 1;
        as = ae + 1;
    }
    return true;
}

bool policy_scalar_text(const json_t *v, struct buf *out)
{
    buf_reset(out);
    buf_put(out, "", 0);
    if (json_is_string(v)) {
        buf_put(out, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        buf_printf(out, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        buf_printf(out, "%.17g", json_real_value(v));
    } else if (json_is_true(v)) {
        buf_puts(out, "true");
    } else if (json_is_false(v)) {
        buf_puts(out, "false");
    } else {
        return false;
    }
    return true;
}

const json_t *policy_ctx_get(const struct policy_env *env, const char *key)
{
    char small[128];
    char *low = small;
    size_t n = strlen(key);
    const json_t *v;
    if (!env || !json_is_object(env->ctx))
        return NULL;
    if ((v = json_object_get(env->ctx, key)))
        return v;
    if (n >= sizeof(small))
        low = xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)key[i]);
    v = json_object_get(env->ctx, low);
    if (low != small)
        free(low);
    return v;
}

/* Appends s[0..n) to out, escaping the glob metacharacters when pattern is set. */
static void put_literal(struct buf *out, const char *s, size_t n, bool pattern)
{
    for (size_t i = 0; i < n; i++) {
        if (pattern && (s[i] == '\\' || s[i] == '*' || s[i] == '?'))
            buf_putc(out, '\\');
        buf_putc(out, s[i]);
    }
}

/* "${name}" or "${name, 'default'}": the inside is v[0..n). Returns 0 / -1 (no value). */
static int expand_one(const char *v, size_t n, const struct policy_env *env, bool pattern,
                      struct buf *out)
{
    const char *comma = memchr(v, ',', n);
    size_t kn = comma ? (size_t)(comma - v) : n;
    while (kn && v[kn - 1] == ' ')
        kn--;
    while (kn && *v == ' ') {
        v++;
        kn--;
        n--;
    }
    if (kn == 1 && (v[0] == '*' || v[0] == '?' || v[0] == '$')) {
        put_literal(out, v, 1, pattern);
        return 0;
    }
    char key[256];
    if (kn == 0 || kn >= sizeof(key))
        return -1;
    memcpy(key, v, kn);
    key[kn] = '\0';
    const json_t *val = policy_ctx_get(env, key);
    if (!val && env->principal_arn && str_ieq(key, "aws:PrincipalArn")) {
        put_literal(out, env->principal_arn, strlen(env->principal_arn), pattern);
        return 0;
    }
    struct buf t = BUF_INIT;
    if (val && !json_is_array(val) && policy_scalar_text(val, &t)) {
        put_literal(out, t.p, t.len, pattern);
        buf_free(&t);
        return 0;
    }
    buf_free(&t);
    if (!comma)
        return -1;
    /* default value: , 'text' */
    const char *d = comma + 1, *end = v + n;
    while (d < end && *d == ' ')
        d++;
    if (d >= end || *d != '\'')
        return -1;
    const char *q = memchr(d + 1, '\'', (size_t)(end - d - 1));
    if (!q)
        return -1;
    for (const char *r = q + 1; r < end; r++)
        if (*r != ' ')
            return -1;
    put_literal(out, d + 1, (size_t)(q - d - 1), pattern);
    return 0;
}

int policy_expand(const char *raw, const struct policy_env *env, bool pattern, struct buf *out)
{
    buf_put(out, "", 0);
    for (const char *p = raw; *p;) {
        if (env && env->vars && p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (end) {
                if (expand_one(p + 2, (size_t)(end - p - 2), env, pattern, out) != 0)
                    return -1;
                p = end + 1;
                continue;
            }
        }
        if (pattern && *p == '\\')
            buf_putc(out, '\\');
        buf_putc(out, *p);
        p++;
    }
    return 0;
}

/* ================================================================ document walking */

static size_t stmt_count(const json_t *doc)
{
    const json_t *s = json_object_get(doc, "Statement");
    if (json_is_object(s))
        return 1;
    return json_is_array(s) ? json_array_size(s) : 0;
}

static const json_t *stmt_at(const json_t *doc, size_t i)
{
    const json_t *s = json_object_get(doc, "Statement");
    return json_is_object(s) ? s : json_array_get(s, i);
}

/* Number of values of a string-or-list element, and the i-th (NULL if not a string). */
static size_t vals_count(const json_t *v)
{
    return json_is_array(v) ? json_array_size(v) : v ? 1 : 0;
}

static const char *vals_at(const json_t *v, size_t i)
{
    return json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
}

/* ================================================================ validation */

static int fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, POLICY_ERR_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

/* [clone] moto VALID_* lists; element names are case-sensitive. */
static const char *const stmt_elements[] = {"Sid",       "Effect",    "Action",
                                            "NotAction", "Resource",  "NotResource",
                                            "Condition", "Principal", "NotPrincipal"};

static bool str_or_list(const json_t *v)
{
    if (json_is_string(v))
        return true;
    if (!json_is_array(v))
        return false;
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return false;
    }
    return true;
}

static bool cond_scalar(const json_t *v)
{
    return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

static bool cond_syntax_ok(const json_t *c)
{
    const char *op, *key;
    const json_t *block, *vals;
    if (!json_is_object(c))
        return false;
    json_object_foreach((json_t *)c, op, block)
    {
        if (!json_is_object(block))
            return false;
        if (!policy_cond_operator_known(op, NULL) && json_object_size(block) != 0)
            return false;
        json_object_foreach((json_t *)block, key, vals)
        {
            if (json_is_array(vals)) {
                size_t i;
                const json_t *e;
                json_array_foreach(vals, i, e)
                {
                    if (!cond_scalar(e))
                        return false;
                }
            } else if (!cond_scalar(vals)) {
                return false;
            }
        }
    }
    return true;
}

/* "*", or {"AWS"|"Service"|"Federated"|"CanonicalUser": string | non-empty list} (inferred) */
static bool principal_syntax_ok(const json_t *p)
{
    const char *k;
    const json_t *v;
    if (json_is_string(p))
        return str_eq(json_string_value(p), "*");
    if (!json_is_object(p) || json_object_size(p) == 0)
        return false;
    json_object_foreach((json_t *)p, k, v)
    {
        if (!str_eq(k, "AWS") && !str_eq(k, "Service") && !str_eq(k, "Federated") &&
            !str_eq(k, "CanonicalUser"))
            return false;
        if (!str_or_list(v) || (json_is_array(v) && json_array_size(v) == 0))
            return false;
    }
    return true;
}

static bool statement_syntax_ok(const json_t *st)
{
    const char *k;
    const json_t *v;
    if (!json_is_object(st))
        return false;
    json_object_foreach((json_t *)st, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < ARRAY_LEN(stmt_elements); i++)
            known = known || str_eq(k, stmt_elements[i]);
        if (!known)
            return false;
    }
    if ((json_object_get(st, "Action") && json_object_get(st, "NotAction")) ||
        (json_object_get(st, "Resource") && json_object_get(st, "NotResource")) ||
        (json_object_get(st, "Principal") && json_object_get(st, "NotPrincipal")))
        return false;
    const char *eff = json_string_value(json_object_get(st, "Effect"));
    if (!eff || (!str_ieq(eff, "Allow") && !str_ieq(eff, "Deny")))
        return false;
    static const char *const lists[] = {"Action", "NotAction", "Resource", "NotResource"};
    for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
        v = json_object_get(st, lists[i]);
        if (v && !str_or_list(v))
            return false;
    }
    v = json_object_get(st, "Condition");
    if (v && !cond_syntax_ok(v))
        return false;
    v = json_object_get(st, "Sid");
    if (v && !json_is_string(v))
        return false;
    v = json_object_get(st, "Principal");
    if (v && !principal_syntax_ok(v))
        return false;
    v = json_object_get(st, "NotPrincipal");
    if (v && !principal_syntax_ok(v))
        return false;
    return true;
}

static bool doc_syntax_ok(const json_t *doc)
{
    const char *k;
    const json_t *v;
    if (!json_is_object(doc))
        return false;
    json_object_foreach((json_t *)doc, k, v)
    {
        if (!str_eq(k, "Version") && !str_eq(k, "Id") && !str_eq(k, "Statement"))
            return false;
    }
    v = json_object_get(doc, "Version");
    if (v && !str_eq(json_string_value(v), "2012-10-17") &&
        !str_eq(json_string_value(v), "2008-10-17"))
        return false;
    v = json_object_get(doc, "Id");
    if (v && !json_is_string(v))
        return false;
    v = json_object_get(doc, "Statement");
    if (!json_is_object(v) && !(json_is_array(v) && json_array_size(v) > 0))
        return false;
    for (size_t i = 0; i < stmt_count(doc); i++)
        if (!statement_syntax_ok(stmt_at(doc, i)))
            return false;
    return true;
}

/* [clone] partitions IAM accepts in resource ARNs (moto keeps only "aws"; we also take the
 * other public partitions, inferred). */
static bool partition_ok(const char *p, size_t n)
{
    static const char *const parts[] = {"aws",       "aws-cn",    "aws-us-gov", "aws-iso",
                                        "aws-iso-b", "aws-iso-e", "aws-iso-f",  "aws-eusc"};
    for (size_t i = 0; i < ARRAY_LEN(parts); i++)
        if (strlen(parts[i]) == n && memcmp(parts[i], p, n) == 0)
            return true;
    return false;
}

/* The Partition message lists the fields after the partition, "*" for missing ones
 * (moto's formatting of the text IAM returned). rest: text after "arn:PART:", or NULL. */
static void partition_message(const char *part, size_t pn, const char *rest, char *err)
{
    const char *f[4] = {"*", "*", "*", "*"};
    int len[4] = {1, 1, 1, 1};
    const char *p = rest ? rest : "";
    for (int i = 0; i < 4; i++) {
        const char *c = i < 3 ? strchr(p, ':') : NULL;
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (i > 0 || n > 0 || c) {
            f[i] = p;
            len[i] = (int)(n < 150 ? n : 150);
        }
        if (!c)
            break;
        p = c + 1;
    }
    int pl = (int)(pn < 100 ? pn : 100);
    fail(err, "Partition \"%.*s\" is not valid for resource \"arn:%.*s:%.*s:%.*s:%.*s:%.*s\".", pl,
         part, pl, part, len[0], f[0], len[1], f[1], len[2], f[2], len[3], f[3]);
}

/* Records the first resource format error of r into err; true when there is one. */
static bool resource_format_error(const char *r, char *err)
{
    if (str_eq(r, "*"))
        return false;
    const char *c1 = strchr(r, ':');
    if (!c1) {
        /* [obs] terraform issue: "Resource s3-bucket-... must be in ARN format or "*"." */
        fail(err, "Resource %.300s must be in ARN format or \"*\".", r);
        return true;
    }
    const char *part = c1 + 1, *c2 = strchr(part, ':');
    size_t pn = c2 ? (size_t)(c2 - part) : strlen(part);
    if (!partition_ok(part, pn)) {
        partition_message(part, pn, c2 ? c2 + 1 : NULL, err); /* [clone] */
        return true;
    }
    const char *svc = c2 ? c2 + 1 : NULL, *c3 = svc ? strchr(svc, ':') : NULL;
    if (!c3) {
        fail(err,
             "Resource vendor must be fully qualified and cannot contain regexes."); /* [clone] */
        return true;
    }
    const char *region = c3 + 1;
    bool has_region = *region && *region != ':';
    if (has_region && (size_t)(c3 - svc) == 3 && memcmp(svc, "iam", 3) == 0) {
        fail(err, "IAM resource %.300s cannot contain region information.", r); /* [clone] */
        return true;
    }
    if (has_region && (size_t)(c3 - svc) == 2 && memcmp(svc, "s3", 2) == 0) {
        fail(err, "Resource %.300s can not contain region information.", r); /* [clone] */
        return true;
    }
    return false;
}

/* [clone] moto _legacy_parse_resource_like: the old parser rejects "a::b" style values
 * with fewer than six fields, and an empty third field. */
static bool resource_legacy_ok(const char *r)
{
    if (str_eq(r, "*"))
        return true;
    size_t colons = 0;
    for (const char *p = r; *p; p++)
        colons += *p == ':';
    if (colons < 5 && strstr(r, "::"))
        return false;
    const char *c1 = strchr(r, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
        return false;
    return c2[1] != ':' && c2[1] != '\0';
}

static bool action_prefix_error(const char *a, char *err)
{
    if (str_eq(a, "*"))
        return false;
    const char *c = strchr(a, ':');
    if (!c) {
        fail(err, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
        return true; /* [clone] */
    }
    if (strchr(c + 1, ':')) {
        fail(err, "Actions/Condition can contain only one colon."); /* [clone] */
        return true;
    }
    bool star = (c - a == 1 && a[0] == '*');
    for (const char *p = a; p < c && !star; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
            fail(err, "Vendor %.*s is not valid", (int)(c - a < 200 ? c - a : 200),
                 a); /* [clone] */
            return true;
        }
    }
    return false;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* IAM names of users/roles: [\w+=,.@-], paths of '/'-separated such names. */
static bool iam_name_path_ok(const char *s)
{
    if (!*s || *s == '/')
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_+=,.@-/", *p))
            return false;
    return s[strlen(s) - 1] != '/';
}

/* Kinds of AWS principal values. */
enum aws_principal { AP_INVALID, AP_ANY, AP_ACCOUNT, AP_USER_OR_ROLE, AP_SESSION, AP_UNIQUE_ID };

static enum aws_principal classify_aws_principal(const char *v)
{
    size_t n = strlen(v);
    if (str_eq(v, "*"))
        return AP_ANY;
    if (n == 12 && all_digits(v, 12))
        return AP_ACCOUNT;
    if (n == 21 && (str_startswith(v, "AIDA") || str_startswith(v, "AROA"))) {
        for (size_t i = 4; i < n; i++)
            if (!isupper((unsigned char)v[i]) && !isdigit((unsigned char)v[i]))
                return AP_INVALID;
        return AP_UNIQUE_ID;
    }
    const char *rest;
    bool sts = false;
    if (str_startswith(v, "arn:aws:iam::")) {
        rest = v + strlen("arn:aws:iam::");
    } else if (str_startswith(v, "arn:aws:sts::")) {
        rest = v + strlen("arn:aws:sts::");
        sts = true;
    } else {
        return AP_INVALID;
    }
    if (strlen(rest) < 13 || !all_digits(rest, 12) || rest[12] != ':')
        return AP_INVALID;
    rest += 13;
    if (!sts && str_eq(rest, "root"))
        return AP_ACCOUNT;
    if (!sts && (str_startswith(rest, "user/") || str_startswith(rest, "role/")))
        return iam_name_path_ok(rest + 5) ? AP_USER_OR_ROLE : AP_INVALID;
    if (sts && str_startswith(rest, "assumed-role/")) {
        const char *r = rest + strlen("assumed-role/"), *slash = strchr(r, '/');
        return slash && slash > r && slash[1] && !strchr(slash + 1, '/') && iam_name_path_ok(r)
                   ? AP_SESSION
                   : AP_INVALID;
    }
    if (sts && str_startswith(rest, "federated-user/"))
        return iam_name_path_ok(rest + strlen("federated-user/")) ? AP_SESSION : AP_INVALID;
    return AP_INVALID;
}

/* Service principals: "ec2.amazonaws.com" and the like (charset check only, inferred). */
static bool service_principal_ok(const char *v)
{
    if (!*v || !strchr(v, '.') || *v == '.' || v[strlen(v) - 1] == '.')
        return false;
    for (const char *p = v; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '.' && *p != '-')
            return false;
    return true;
}

static int principals_valid(const json_t *p, const struct policy_parse_opts *o, char *err)
{
    const char *k;
    const json_t *v;
    if (!json_is_object(p))
        return 0;
    json_object_foreach((json_t *)p, k, v)
    {
        for (size_t i = 0; i < vals_count(v); i++) {
            const char *s = vals_at(v, i);
            if (str_eq(k, "AWS")) {
                enum aws_principal ap = classify_aws_principal(s);
                bool ok = ap != AP_INVALID;
                if (ok && ap == AP_USER_OR_ROLE && o->principal_exists)
                    ok = o->principal_exists(o->ctx, s);
                if (!ok) /* [obs] Invalid principal in policy: "AWS":"arn:aws:iam::..:role/x" */
                    return fail(err, "Invalid principal in policy: \"AWS\":\"%.300s\"", s);
            } else if (str_eq(k, "Service")) {
                if (!service_principal_ok(s)) /* inferred: spelling of the SERVICE key */
                    return fail(err, "Invalid principal in policy: \"SERVICE\":\"%.300s\"", s);
            } else if (str_eq(k, "Federated")) {
                if (!*s) /* inferred */
                    return fail(err, "Invalid principal in policy: \"FEDERATED\":\"%.300s\"", s);
            }
        }
    }
    return 0;
}

static bool sid_alnum(const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s))
            return false;
    return true;
}

static int validate(const json_t *doc, const struct policy_parse_opts *o, char *err)
{
    bool trust = o->kind == POLICY_KIND_TRUST;
    size_t ns = stmt_count(doc);
    char res_err[POLICY_ERR_MAX] = "";

    if (!doc_syntax_ok(doc))
        return fail(err, "Syntax errors in policy."); /* [obs] */

    for (size_t i = 0; i < ns; i++) {
        const json_t *st = stmt_at(doc, i);
        bool has_p = json_object_get(st, "Principal") || json_object_get(st, "NotPrincipal");
        if (!trust && has_p) /* [obs] PutGroupPolicy / CreatePolicy with a Principal */
            return fail(err, "Policy document should not specify a principal.");
        if (trust && json_object_get(st, "Resource")) /* [obs] CreateRole */
            return fail(err, "Has prohibited field Resource");
        if (trust && json_object_get(st, "NotResource")) /* inferred, as Resource */
            return fail(err, "Has prohibited field NotResource");
        if (trust && !has_p) /* [obs] for bucket policies; inferred for IAM trust */
            return fail(err, "Missing required field Principal");
    }

    const char *ver = json_string_value(json_object_get(doc, "Version"));
    if (o->kind == POLICY_KIND_MANAGED && !str_eq(ver, "2012-10-17")) /* [obs] */
        return fail(err, "Policy document must be version 2012-10-17 or greater.");

    /* "legacy parsing" [clone]: case of Effect, Date condition values, resource shapes */
    for (size_t i = 0; i < ns; i++) {
        const json_t *st = stmt_at(doc, i);
        const char *eff = json_string_value(json_object_get(st, "Effect"));
        if (!str_eq(eff, "Allow") && !str_eq(eff, "Deny"))
            return fail(err, "The policy failed legacy parsing");
        const json_t *cond = json_object_get(st, "Condition"), *block, *vals;
        const char *op, *key;
        json_object_foreach((json_t *)cond, op, block)
        {
            bool is_date;
            if (!policy_cond_operator_known(op, &is_date) || !is_date)
                continue;
            json_object_foreach((json_t *)block, key, vals)
            {
                size_t n = json_is_array(vals) ? json_array_size(vals) : 1;
                for (size_t j = 0; j < n; j++) {
                    const json_t *e = json_is_array(vals) ? json_array_get(vals, j) : vals;
                    struct buf t = BUF_INIT;
                    bool ok = policy_scalar_text(e, &t) && policy_cond_date_valid(t.p);
                    buf_free(&t);
                    if (!ok)
                        return fail(err, "The policy failed legacy parsing");
                }
            }
        }
        static const char *const rkeys[] = {"Resource", "NotResource"};
        for (size_t r = 0; r < 2; r++) {
            const json_t *rv = json_object_get(st, rkeys[r]);
            for (size_t j = 0; j < vals_count(rv); j++)
                if (!res_err[0])
                    resource_format_error(vals_at(rv, j), res_err);
            for (size_t j = 0; j < vals_count(rv) && !res_err[0]; j++)
                if (!resource_legacy_ok(vals_at(rv, j)))
                    return fail(err, "The policy failed legacy parsing");
        }
    }

    for (size_t i = 0; i < ns; i++) {
        const char *sid = json_string_value(json_object_get(stmt_at(doc, i), "Sid"));
        if (!sid || !*sid)
            continue;
        for (size_t j = 0; j < i; j++)
            if (str_eq(sid,
                       json_string_value(json_object_get(stmt_at(doc, j), "Sid")))) /* [clone] */
                return fail(err, "Statement IDs (SID) in a single policy must be unique.");
        if (!sid_alnum(sid)) /* inferred wording (IAM UG: Sid is [0-9A-Za-z]*) */
            return fail(err, "Statement IDs (SID) must be alpha-numeric. Check that your input "
                             "satisfies the regular expression [0-9A-Za-z]*");
    }

    for (size_t i = 0; i < ns; i++) {
        const json_t *st = stmt_at(doc, i);
        const json_t *a = json_object_get(st, "Action"), *na = json_object_get(st, "NotAction");
        if ((!a && !na) || vals_count(a ? a : na) == 0) /* [obs] */
            return fail(err, "Policy statement must contain actions.");
    }
    for (size_t i = 0; i < ns && !trust; i++) {
        const json_t *st = stmt_at(doc, i);
        const json_t *r = json_object_get(st, "Resource"), *nr = json_object_get(st, "NotResource");
        if ((!r && !nr) || vals_count(r ? r : nr) == 0) /* [obs] */
            return fail(err, "Policy statement must contain resources.");
    }
    if (res_err[0])
        return fail(err, "%s", res_err);

    for (size_t i = 0; i < ns; i++) {
        const json_t *st = stmt_at(doc, i);
        static const char *const akeys[] = {"Action", "NotAction"};
        for (size_t k = 0; k < 2; k++) {
            const json_t *av = json_object_get(st, akeys[k]);
            for (size_t j = 0; j < vals_count(av); j++)
                if (action_prefix_error(vals_at(av, j), err))
                    return -1;
        }
    }

    for (size_t i = 0; i < ns && trust; i++) {
        const json_t *st = stmt_at(doc, i);
        const json_t *p = json_object_get(st, "Principal");
        if (principals_valid(p ? p : json_object_get(st, "NotPrincipal"), o, err))
            return -1;
    }
    return 0;
}

int policy_parse(const char *text, size_t len, const struct policy_parse_opts *opts, json_t **doc,
                 char *err)
{
    static const struct policy_parse_opts defaults = {POLICY_KIND_INLINE, NULL, NULL};
    const struct policy_parse_opts *o = opts ? opts : &defaults;
    json_error_t jerr;
    int rc = -1;
    json_t *d = NULL;

    *doc = NULL;
    err[0] = '\0';
    /* duplicate keys are rejected (inferred: a document meaning two things is malformed) */
    d = json_loadb(text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    if (!d) {
        fail(err, "Syntax errors in policy."); /* [obs] */
        goto out;
    }
    if (validate(d, o, err) != 0)
        goto out;
    *doc = d;
    d = NULL;
    rc = 0;
out:
    json_decref(d);
    return rc;
}

/* ================================================================ evaluation */

static bool any_action(const json_t *list, const char *action)
{
    size_t al = strlen(action);
    for (size_t i = 0; i < vals_count(list); i++) {
        const char *p = vals_at(list, i);
        if (p && policy_glob(p, strlen(p), action, al, true, false))
            return true;
    }
    return false;
}

static bool resource_match(const char *raw, const char *res, const struct policy_env *env)
{
    size_t rl = strlen(res);
    if (!env->vars || !strstr(raw, "${"))
        return policy_glob(raw, strlen(raw), res, rl, false, false);
    struct buf b = BUF_INIT;
    bool m =
        policy_expand(raw, env, true, &b) == 0 && policy_glob(b.p, b.len, res, rl, false, true);
    buf_free(&b);
    return m;
}

static bool any_resource(const json_t *list, const char *res, const struct policy_env *env)
{
    for (size_t i = 0; i < vals_count(list); i++) {
        const char *p = vals_at(list, i);
        if (p && resource_match(p, res, env))
            return true;
    }
    return false;
}

static bool aws_principal_matches(const char *v, const struct principal_match *who)
{
    switch (classify_aws_principal(v)) {
    case AP_ANY:
        return who->arn != NULL;
    case AP_ACCOUNT: {
        const char *acct = strlen(v) == 12 ? v : v + strlen("arn:aws:iam::");
        return who->arn && who->account && strncmp(acct, who->account, 12) == 0 &&
               strlen(who->account) == 12;
    }
    case AP_USER_OR_ROLE:
        return str_eq(v, who->arn) || str_eq(v, who->role_arn);
    case AP_SESSION:
        return str_eq(v, who->arn);
    case AP_UNIQUE_ID:
        return str_eq(v, who->unique_id);
    case AP_INVALID:
        break;
    }
    return false;
}

static bool principal_matches(const json_t *p, const struct principal_match *who)
{
    const char *k;
    const json_t *v;
    if (!who)
        return false;
    if (json_is_string(p)) /* "Principal": "*" is everyone */
        return str_eq(json_string_value(p), "*");
    if (!json_is_object(p))
        return false;
    json_object_foreach((json_t *)p, k, v)
    {
        for (size_t i = 0; i < vals_count(v); i++) {
            const char *s = vals_at(v, i);
            if (!s)
                continue;
            if (str_eq(k, "AWS") && aws_principal_matches(s, who))
                return true;
            if (str_eq(k, "Service") && who->service && str_ieq(s, who->service))
                return true;
            if (str_eq(k, "Federated") && who->federated && str_eq(s, who->federated))
                return true;
        }
    }
    return false;
}

/* Action, Resource and Principal of st match the request (the Condition aside). */
static bool stmt_scope_matches(const json_t *st, const struct policy_request *rq,
                               const struct policy_env *env, bool trust,
                               const struct principal_match *who)
{
    const json_t *v;
    const char *res = rq->resource ? rq->resource : "*";
    if ((v = json_object_get(st, "Action"))) {
        if (!any_action(v, rq->action))
            return false;
    } else if ((v = json_object_get(st, "NotAction"))) {
        if (any_action(v, rq->action))
            return false;
    } else {
        return false;
    }
    if ((v = json_object_get(st, "Resource"))) {
        if (!any_resource(v, res, env))
            return false;
    } else if ((v = json_object_get(st, "NotResource"))) {
        if (any_resource(v, res, env))
            return false;
    } else if (!trust) {
        return false;
    }
    if (trust) {
        if ((v = json_object_get(st, "Principal"))) {
            if (!principal_matches(v, who))
                return false;
        } else if ((v = json_object_get(st, "NotPrincipal"))) {
            if (principal_matches(v, who))
                return false;
        } else {
            return false;
        }
    }
    return true;
}

static bool stmt_applies(const json_t *st, const struct policy_request *rq,
                         const struct policy_env *env, bool trust,
                         const struct principal_match *who)
{
    return stmt_scope_matches(st, rq, env, trust, who) &&
           policy_cond_eval(json_object_get(st, "Condition"), env);
}

/* Reports the condition keys of st that the request context lacks (the simulator's
 * MissingContextValues). */
static void report_missing(const json_t *st, const struct policy_env *env,
                           const struct policy_trace *tr)
{
    const char *op, *key;
    const json_t *block, *v;
    if (!tr || !tr->missing)
        return;
    json_object_foreach((json_t *)json_object_get(st, "Condition"), op, block)
    {
        if (!json_is_object(block) || str_startswith(op, "Null"))
            continue;
        json_object_foreach((json_t *)block, key, v)
        {
            if (!policy_ctx_get(env, key))
                tr->missing(tr->ud, key);
        }
    }
}

static enum policy_effect doc_eval(const json_t *doc, const struct policy_request *rq, bool trust,
                                   const struct principal_match *who,
                                   const struct policy_trace *tr)
{
    if (!json_is_object(doc) || !rq || !rq->action)
        return POLICY_NOT_APPLICABLE;
    struct policy_env env = {
        .ctx = rq->context,
        .principal_arn = rq->principal_arn,
        .vars = str_eq(json_string_value(json_object_get(doc, "Version")), "2012-10-17"),
    };
    bool allow = false, denied = false;
    for (size_t i = 0; i < stmt_count(doc); i++) {
        const json_t *st = stmt_at(doc, i);
        const char *eff = json_string_value(json_object_get(st, "Effect"));
        bool deny = str_ieq(eff, "Deny");
        if (!deny && (!str_ieq(eff, "Allow") || (allow && !tr)))
            continue;
        if (tr && stmt_scope_matches(st, rq, &env, trust, who))
            report_missing(st, &env, tr);
        if (stmt_applies(st, rq, &env, trust, who)) {
            if (tr && tr->matched)
                tr->matched(tr->ud, i, deny);
            if (deny && !tr)
                return POLICY_DENY;
            denied = denied || deny;
            allow = allow || !deny;
        }
    }
    return denied ? POLICY_DENY : allow ? POLICY_ALLOW : POLICY_NOT_APPLICABLE;
}

enum policy_effect policy_eval(const json_t *doc, const struct policy_request *rq)
{
    return doc_eval(doc, rq, false, NULL, NULL);
}

enum policy_effect policy_eval_traced(const json_t *doc, const struct policy_request *rq,
                                      const struct principal_match *who,
                                      const struct policy_trace *tr)
{
    return doc_eval(doc, rq, who != NULL, who, tr);
}

enum policy_effect policy_eval_trust(const json_t *doc, const struct policy_request *rq,
                                     const struct principal_match *who)
{
    return doc_eval(doc, rq, true, who, NULL);
}

/* The combined effect of one kind of policies: Deny if any denies, Allow if any allows. */
static enum policy_effect set_eval(const json_t *const *docs, size_t n,
                                   const struct policy_request *rq)
{
    bool allow = false;
    for (size_t i = 0; i < n; i++) {
        enum policy_effect e = docs[i] ? policy_eval(docs[i], rq) : POLICY_NOT_APPLICABLE;
        if (e == POLICY_DENY)
            return POLICY_DENY;
        allow = allow || e == POLICY_ALLOW;
    }
    return allow ? POLICY_ALLOW : POLICY_NOT_APPLICABLE;
}

enum policy_decision policy_decide_sets(const struct policy_sets *ps,
                                        const struct policy_request *rq)
{
    /* [doc] IAM UG reference_policies_evaluation-logic: an explicit deny in any policy
     * wins; then identity-based policies must allow, the permissions boundary must allow,
     * and the session policies must allow (the effective permissions are the intersection). */
    enum policy_effect id = set_eval(ps->identity, ps->n, rq);
    enum policy_effect pb =
        ps->has_boundary ? set_eval(ps->boundary, ps->nb, rq) : POLICY_NOT_APPLICABLE;
    enum policy_effect se =
        ps->has_session ? set_eval(ps->session, ps->m, rq) : POLICY_NOT_APPLICABLE;
    enum policy_effect rp = ps->resource_policy
                                ? policy_eval_trust(ps->resource_policy, rq, ps->who)
                                : POLICY_NOT_APPLICABLE;
    if (rp == POLICY_DENY)
        return POLICY_DENIED_EXPLICIT_RESOURCE;
    if (id == POLICY_DENY)
        return POLICY_DENIED_EXPLICIT_IDENTITY;
    if (pb == POLICY_DENY)
        return POLICY_DENIED_EXPLICIT_BOUNDARY;
    if (se == POLICY_DENY)
        return POLICY_DENIED_EXPLICIT_SESSION;
    if (rp == POLICY_ALLOW)
        return POLICY_ALLOWED;
    if (id != POLICY_ALLOW)
        return POLICY_DENIED_IMPLICIT_IDENTITY;
    if (ps->has_boundary && pb != POLICY_ALLOW)
        return POLICY_DENIED_IMPLICIT_BOUNDARY;
    if (ps->has_session && se != POLICY_ALLOW)
        return POLICY_DENIED_IMPLICIT_SESSION;
    return POLICY_ALLOWED;
}

enum policy_decision policy_decide(const json_t *const *identity, size_t n,
                                   const json_t *const *session, size_t m, bool has_session,
                                   const struct policy_request *rq)
{
    struct policy_sets ps = {
        .identity = identity, .n = n, .session = session, .m = m, .has_session = has_session};
    return policy_decide_sets(&ps, rq);
}

char *policy_denial_message(struct arena *a, const char *principal_arn, const char *action,
                            const char *resource, enum policy_decision d)
{
    /* [doc] IAM UG troubleshoot_access-denied: "User: <arn> is not authorized to perform:
     * <action> on resource: <res> because no <type> policy allows the <action> action" and
     * "... with an explicit deny in a <type> policy"; [obs] the " on resource:" part is absent
     * for actions without a resource (cloudwatch:PutMetricData). */
    const char *who = principal_arn ? principal_arn : "";
    const char *act = action ? action : "";
    const char *on = resource && *resource && !str_eq(resource, "*")
                         ? arena_printf(a, " on resource: %s", resource)
                         : "";
    switch (d) {
    case POLICY_DENIED_IMPLICIT_IDENTITY:
        return arena_printf(a,
                            "User: %s is not authorized to perform: %s%s because no "
                            "identity-based policy allows the %s action",
                            who, act, on, act);
    case POLICY_DENIED_EXPLICIT_IDENTITY:
        return arena_printf(a,
                            "User: %s is not authorized to perform: %s%s with an explicit deny "
                            "in an identity-based policy",
                            who, act, on);
    case POLICY_DENIED_IMPLICIT_SESSION:
        return arena_printf(a,
                            "User: %s is not authorized to perform: %s%s because no session "
                            "policy allows the %s action",
                            who, act, on, act);
    case POLICY_DENIED_EXPLICIT_SESSION:
        return arena_printf(a,
                            "User: %s is not authorized to perform: %s%s with an explicit deny "
                            "in a session policy",
                            who, act, on);
    case POLICY_DENIED_EXPLICIT_RESOURCE:
        return arena_printf(a,
                            "User: %s is not authorized to perform: %s%s with an explicit deny "
                            "in a resource-based policy",
                            who, act, on);
    case POLICY_DENIED_IMPLICIT_BOUNDARY:
        return arena_printf(a,
                            "User: %s is not authorized to perform: %s%s because no "
                            "permissions boundary allows the %s action",
                            who, act, on, act);
    case POLICY_DENIED_EXPLICIT_BOUNDARY:
        return arena_printf(a,
                            "User: %s is not authorized to perform: %s%s with an explicit deny "
                            "in a permissions boundary",
                            who, act, on);
    case POLICY_ALLOWED:
        break;
    }
    return NULL;
}

/* ================================================================ statement positions */

struct scan {
    const char *s;
    size_t i;
    int line, col; /* of s[i] */
};

static void scan_adv(struct scan *sc)
{
    if (sc->s[sc->i] == '\n') {
        sc->line++;
        sc->col = 1;
    } else if (((unsigned char)sc->s[sc->i] & 0xC0) != 0x80) {
        sc->col++;
    }
    sc->i++;
}

static void scan_ws(struct scan *sc)
{
    while (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' ||
           sc->s[sc->i] == '\r')
        scan_adv(sc);
}

/* Skips one JSON value (string, object, array, scalar) starting at sc->i. */
static void scan_value(struct scan *sc)
{
    int depth = 0;
    bool str = false;
    do {
        char ch = sc->s[sc->i];
        if (!ch)
            return;
        if (str) {
            if (ch == '\\' && sc->s[sc->i + 1]) {
                scan_adv(sc);
            } else if (ch == '"') {
                str = false;
                if (depth == 0) {
                    scan_adv(sc);
                    return;
                }
            }
        } else if (ch == '"') {
            str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0)
                return; /* the end of the enclosing value: a scalar ends here */
            depth--;
            if (depth == 0) {
                scan_adv(sc);
                return;
            }
        } else if (depth == 0 && (ch == ',' || ch == ' ' || ch == '\n' || ch == '\r' ||
                                  ch == '\t')) {
            return;
        }
        scan_adv(sc);
    } while (depth > 0 || str || sc->s[sc->i]);
}

int policy_stmt_position(const char *text, size_t idx, int *sline, int *scol, int *eline,
                         int *ecol)
{
    struct scan sc = {text ? text : "", 0, 1, 1};
    scan_ws(&sc);
    if (sc.s[sc.i] != '{')
        return -1;
    scan_adv(&sc);
    for (;;) {
        scan_ws(&sc);
        if (sc.s[sc.i] != '"')
            return -1;
        size_t k0 = sc.i + 1;
        scan_value(&sc);
        bool is_stmt = sc.i - k0 - 1 == strlen("Statement") &&
                       memcmp(sc.s + k0, "Statement", strlen("Statement")) == 0;
        scan_ws(&sc);
        if (sc.s[sc.i] != ':')
            return -1;
        scan_adv(&sc);
        scan_ws(&sc);
        if (is_stmt) {
            bool list = sc.s[sc.i] == '[';
            size_t n = 0;
            if (list) {
                scan_adv(&sc);
                scan_ws(&sc);
            }
            for (;;) {
                if (sc.s[sc.i] != '{')
                    return -1;
                if (n == idx) {
                    *sline = sc.line;
                    *scol = sc.col;
                    scan_value(&sc);
                    *eline = sc.line;
                    *ecol = sc.col; /* just past the closing brace (inferred) */
                    return 0;
                }
                scan_value(&sc);
                if (!list)
                    return -1;
                scan_ws(&sc);
                if (sc.s[sc.i] != ',')
                    return -1;
                scan_adv(&sc);
                scan_ws(&sc);
                n++;
            }
        }
        scan_value(&sc);
        scan_ws(&sc);
        if (sc.s[sc.i] != ',')
            return -1;
        scan_adv(&sc);
    }
}
