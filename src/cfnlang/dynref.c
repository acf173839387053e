/*
 * dynref.c — dynamic references: `{{resolve:SERVICE:KEY}}` inside the strings of resolved
 * resource properties [doc: UG "Using dynamic references to specify template values"]. The
 * language only finds them; what a reference's value is, the caller's callback says (the
 * server asks the service that owns it).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

/* Expands the references of one string. New string, or NULL with e. */
static json_t *expand_str(const char *s, cfn_dynref_fn *cb, void *ud, struct cfn_err *e)
{
    struct buf b = BUF_INIT;
    const char *p = s;
    for (;;) {
        const char *start = strstr(p, "{{resolve:");
        if (!start)
            break;
        const char *end = strstr(start, "}}");
        if (!end)
            break;
        buf_put(&b, p, (size_t)(start - p));
        const char *svc = start + strlen("{{resolve:");
        const char *colon = memchr(svc, ':', (size_t)(end - svc));
        if (!colon || colon == svc) {
            buf_free(&b);
            cfn_fail(e, "Incorrect format of dynamic reference %.*s", /* inferred */
                     (int)(end + 2 - start), start);
            return NULL;
        }
        char *service = xstrndup(svc, (size_t)(colon - svc));
        char *key = xstrndup(colon + 1, (size_t)(end - colon - 1));
        char *val = NULL;
        int rc = cb(ud, service, key, &val, e);
        free(service);
        free(key);
        if (rc < 0) {
            buf_free(&b);
            return NULL;
        }
        buf_puts(&b, val ? val : "");
        free(val);
        p = end + 2;
    }
    buf_puts(&b, p);
    json_t *out = json_string(b.p ? b.p : "");
    buf_free(&b);
    return out;
}

bool cfn_has_dynref(const json_t *v)
{
    if (json_is_string(v))
        return strstr(json_string_value(v), "{{resolve:") != NULL;
    const char *k;
    json_t *m;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, m) if (cfn_has_dynref(m)) return true;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m) if (cfn_has_dynref(m)) return true;
    }
    return false;
}

int cfn_dynrefs_expand(const json_t *v, cfn_dynref_fn *cb, void *ud, json_t **out,
                       struct cfn_err *e)
{
    *out = NULL;
    if (json_is_string(v)) {
        if (!strstr(json_string_value(v), "{{resolve:")) {
            *out = json_incref((json_t *)v);
            return 0;
        }
        *out = expand_str(json_string_value(v), cb, ud, e);
        return *out ? 0 : -1;
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
        {
            json_t *x = NULL;
            if (cfn_dynrefs_expand(m, cb, ud, &x, e) < 0) {
                json_decref(o);
                return -1;
            }
            json_object_set_new(o, k, x);
        }
        *out = o;
        return 0;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            json_t *x = NULL;
            if (cfn_dynrefs_expand(m, cb, ud, &x, e) < 0) {
                json_decref(a);
                return -1;
            }
            json_array_append_new(a, x);
        }
        *out = a;
        return 0;
    }
    *out = json_incref((json_t *)v);
    return 0;
}
