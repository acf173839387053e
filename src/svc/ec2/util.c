/*
 * util.c — what the EC2 API files share: DryRun, filters, pagination tokens, ids, store
 * and output helpers (ec2_internal.h).
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "svc/ec2/ec2_internal.h"
#include "wire/models/ec2_members.h"

bool ec2_dry_run(struct call *c, const json_t *in)
{
    if (!json_is_true(json_object_get(in, EC2_IN_DryRun)))
        return false;
    call_fail(c, 412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
    return true;
}

int ec2_check_filters(struct call *c, const json_t *in, const char *const *allowed)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(in, EC2_IN_Filters), i, f)
    {
        const char *name = json_string_value(json_object_get(f, EC2_M_Filter_Name));
        bool ok = false;
        for (const char *const *a = allowed; name && *a && !ok; a++)
            ok = str_eq(*a, "tag:") ? (str_startswith(name, "tag:") && name[4]) : str_eq(name, *a);
        if (!ok)
            return call_fail(c, 400, "InvalidParameterValue", "The filter '%s' is invalid",
                             name ? name : "");
    }
    return 0;
}

bool ec2_wildcard(const char *pat, const char *v)
{
    if (!pat || !v)
        return false;
    struct buf b = BUF_INIT;
    for (const char *p = pat; *p; p++) {
        if (*p == '[' || *p == ']')
            buf_putc(&b, '\\'); /* brackets are literal in EC2 filters */
        buf_putc(&b, *p);
    }
    bool ok = fnmatch(b.p ? b.p : "", v, 0) == 0;
    buf_free(&b);
    return ok;
}

/* One facet value as text for matching (booleans and integers as AWS prints them). */
static const char *facet_text(const json_t *v, char tmp[32])
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    if (json_is_integer(v)) {
        snprintf(tmp, 32, "%" PRId64, (int64_t)json_integer_value(v));
        return tmp;
    }
    return NULL;
}

/* True when any pattern of vals matches any value of facet (a scalar or an array). */
static bool facet_match(const json_t *vals, const json_t *facet)
{
    size_t i, j;
    const json_t *p, *v;
    char tmp[32];
    json_array_foreach(vals, i, p)
    {
        const char *pat = json_string_value(p);
        if (json_is_array(facet)) {
            json_array_foreach(facet, j, v)
            {
                if (ec2_wildcard(pat, facet_text(v, tmp)))
                    return true;
            }
        } else if (facet && ec2_wildcard(pat, facet_text(facet, tmp))) {
            return true;
        }
    }
    return false;
}

static bool tags_match(const json_t *vals, const json_t *tags, const char *key, bool by_key,
                       bool by_value)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const json_t *k = json_object_get(t, EC2_M_Tag_Key),
                     *v = json_object_get(t, EC2_M_Tag_Value);
        if (key) {
            if (str_eq(json_string_value(k), key) && facet_match(vals, v))
                return true;
        } else if ((by_key && facet_match(vals, k)) || (by_value && facet_match(vals, v))) {
            return true;
        }
    }
    return false;
}

bool ec2_filters_match(const json_t *in, const json_t *facets, const json_t *tags)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(in, EC2_IN_Filters), i, f)
    {
        const char *name = json_string_value(json_object_get(f, EC2_M_Filter_Name));
        const json_t *vals = json_object_get(f, EC2_M_Filter_Values);
        bool ok;
        if (!name)
            return false;
        if (str_startswith(name, "tag:"))
            ok = tags_match(vals, tags, name + 4, false, false);
        else if (str_eq(name, "tag-key"))
            ok = tags_match(vals, tags, NULL, true, false);
        else if (str_eq(name, "tag-value"))
            ok = tags_match(vals, tags, NULL, false, true);
        else
            ok = facet_match(vals, json_object_get(facets, name));
        if (!ok)
            return false;
    }
    return true;
}

const json_t *ec2_filter_values(const json_t *in, const char *name)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(in, EC2_IN_Filters), i, f)
    {
        if (str_eq(json_string_value(json_object_get(f, EC2_M_Filter_Name)), name))
            return json_object_get(f, EC2_M_Filter_Values);
    }
    return NULL;
}

int ec2_max_results(struct call *c, const json_t *in, int lo, int hi, int dflt,
                    const char *ids_member, const char *ids_param, int *out)
{
    const json_t *m = json_object_get(in, EC2_IN_MaxResults);
    *out = dflt;
    if (!m)
        return 0;
    if (ids_member && json_array_size(json_object_get(in, ids_member)) > 0)
        return call_fail(c, 400, "InvalidParameterCombination",
                         "The parameter %s cannot be used with the parameter maxResults",
                         ids_param); /* [obs] */
    json_int_t v = json_integer_value(m);
    if (v < lo)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Value ( %" JSON_INTEGER_FORMAT
                         " ) for parameter maxResults is invalid. Expecting a value greater "
                         "than %d.",
                         v, lo); /* [obs] */
    if (v > hi)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Value ( %" JSON_INTEGER_FORMAT
                         " ) for parameter maxResults is invalid. Expecting a value less "
                         "than %d.",
                         v, hi); /* inferred */
    *out = (int)v;
    return 0;
}

/*
 * Tokens: "rl1." + hex of the key. Opaque to clients like AWS's (whose tokens are base64 of
 * a JSON blob); any other text is refused.
 */
char *ec2_token_make(struct call *c, const char *key)
{
    size_t n = strlen(key);
    char *t = arena_alloc(c->a, 4 + 2 * n + 1);
    memcpy(t, "rl1.", 4);
    hex_encode((const unsigned char *)key, n, t + 4);
    return t;
}

/* Ids and tokens are lower-case hex: an upper-case digit is not one of theirs. */
static int hexval(char ch)
{
    return ch >= 'A' && ch <= 'F' ? -1 : hex_digit(ch);
}

int ec2_token_read(struct call *c, const json_t *in, const char **key)
{
    const char *t = json_string_value(json_object_get(in, EC2_IN_NextToken));
    *key = NULL;
    if (!t)
        return 0;
    size_t n = strlen(t);
    if (!str_startswith(t, "rl1.") || (n - 4) % 2 || n == 4)
        goto bad;
    char *k = arena_alloc(c->a, (n - 4) / 2 + 1);
    size_t j = 0;
    for (size_t i = 4; i < n; i += 2) {
        int hi = hexval(t[i]), lo = hexval(t[i + 1]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            goto bad;
        k[j++] = (char)(hi * 16 + lo);
    }
    k[j] = 0;
    *key = k;
    return 0;
bad:
    return call_fail(c, 400, "InvalidPaginationToken",
                     "The specified pagination token is not valid or is expired."); /* [doc] */
}

void ec2_new_id(const char *prefix, char *out, size_t cap)
{
    char hex[18];
    rand_chars(hex, 17, ALPHA_LOWER_HEX);
    snprintf(out, cap, "%s-%s", prefix, hex);
}

bool ec2_id_ok(const char *id, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (!id || strncmp(id, prefix, pl) != 0 || id[pl] != '-')
        return false;
    const char *h = id + pl + 1;
    size_t n = strlen(h);
    if (n != 8 && n != 17)
        return false;
    for (size_t i = 0; i < n; i++)
        if (hexval(h[i]) < 0)
            return false;
    return true;
}

void ec2_reason_time(int64_t ms, char out[32])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M:%S GMT", &tm);
}

int ec2_db_fail(struct store *st, const char *what)
{
    log_error("ec2 %s: %s", what, sqlite3_errmsg(store_db(st)));
    return -1;
}

int ec2_internal(struct call *c)
{
    return call_fail(c, 500, "InternalError",
                     "An internal error has occurred"); /* EC2's InternalError [obs] */
}

json_t *ec2_json_load(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text ? text : "", 0, &err);
    if (!v)
        log_error("ec2: corrupt stored document: %s", err.text);
    return v;
}

json_t *ec2_json_rows(struct store *st, sqlite3_stmt *s, int col, const char *what)
{
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *d = ec2_json_load((const char *)sqlite3_column_text(s, col));
        if (d)
            json_array_append_new(rows, d);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        ec2_db_fail(st, what);
        return NULL;
    }
    return rows;
}

char *ec2_json_text(struct call *c, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *r = arena_strdup(c->a, s ? s : "{}");
    free(s);
    return r;
}

void ec2_out_members(struct out *o, const json_t *obj)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (k[0] != '_')
            out_json(o, k, v);
    }
}
