/*
 * langext.c — the template's Transform section: AWS::LanguageExtensions, the one transform the
 * lab runs (AWS UG "AWS::LanguageExtensions transform": Fn::ForEach here; Fn::Length and
 * Fn::ToJsonString are intrinsics evaluated in intrinsics.c when the template declares the
 * transform). Any other transform (AWS::Serverless-2016-10-31, AWS::Include, macros) is
 * refused with a message saying the lab does not run it.
 *
 * Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}] as a key of any
 * object (Resources, Outputs, Conditions, properties): for each item of Collection (a list,
 * or a Ref to a CommaDelimitedList/List parameter) the fragment is copied with `${Identifier}`
 * and `&{Identifier}` (non-alphanumerics removed) replaced in keys and strings and
 * `{"Ref": Identifier}` replaced by the item; loops nest.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

#define LANG_EXT "AWS::LanguageExtensions"
#define FOREACH "Fn::ForEach::"
#define MAX_FOREACH_DEPTH 5 /* loops inside loops [doc: quotas of the transform] */

/* The declared transforms as an array of names (new reference; [] when none). */
static json_t *transform_names(const json_t *t)
{
    json_t *out = json_array();
    const json_t *tr = json_object_get(t, "Transform");
    if (json_is_string(tr)) {
        json_array_append(out, (json_t *)tr);
    } else if (json_is_array(tr)) {
        size_t i;
        json_t *v;
        json_array_foreach(tr, i, v)
        {
            if (json_is_string(v))
                json_array_append(out, v);
            else if (json_is_object(v) && json_is_string(json_object_get(v, "Name")))
                json_array_append(out, json_object_get(v, "Name"));
        }
    } else if (json_is_object(tr) && json_is_string(json_object_get(tr, "Name"))) {
        json_array_append(out, json_object_get(tr, "Name"));
    }
    return out;
}

bool cfn_template_has_transform(const json_t *t)
{
    return json_object_get(t, "Transform") != NULL;
}

bool cfn_template_has_lang_ext(const json_t *t)
{
    json_t *names = transform_names(t);
    bool on = false;
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) on = on || str_eq(json_string_value(v), LANG_EXT);
    json_decref(names);
    return on;
}

/* s with ${id} -> item and &{id} -> item without non-alphanumerics. Heap. */
static char *subst_text(const char *s, const char *id, const char *item)
{
    struct buf b = BUF_INIT;
    size_t idl = strlen(id);
    for (const char *p = s; *p;) {
        if ((p[0] == '$' || p[0] == '&') && p[1] == '{' && strncmp(p + 2, id, idl) == 0 &&
            p[2 + idl] == '}') {
            if (p[0] == '$') {
                buf_puts(&b, item);
            } else {
                for (const char *q = item; *q; q++)
                    if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                        (*q >= '0' && *q <= '9'))
                        buf_putc(&b, *q);
            }
            p += 3 + idl;
            continue;
        }
        buf_putc(&b, *p++);
    }
    char *r = buf_steal(&b);
    return r ? r : xstrdup("");
}

/* A copy of v with the identifier replaced by item. */
static json_t *subst(const json_t *v, const char *id, const char *item)
{
    if (json_is_string(v)) {
        char *s = subst_text(json_string_value(v), id, item);
        json_t *r = json_string(s);
        free(s);
        return r;
    }
    if (json_is_object(v)) {
        const json_t *ref = json_object_get(v, "Ref");
        if (json_object_size(v) == 1 && json_is_string(ref) && str_eq(json_string_value(ref), id))
            return json_string(item);
        /* a Fn::Sub left with no variable is its text (so `!GetAtt [!Sub '${Id}Res', Arn]`
         * names a resource, as the transform allows) */
        const json_t *sub = json_object_get(v, "Fn::Sub");
        if (json_object_size(v) == 1 && json_is_string(sub)) {
            char *txt = subst_text(json_string_value(sub), id, item);
            json_t *r = strstr(txt, "${") ? json_pack("{s:s}", "Fn::Sub", txt) : json_string(txt);
            free(txt);
            return r;
        }
        json_t *o = json_object();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
        {
            char *nk = subst_text(k, id, item);
            json_object_set_new(o, nk, subst(m, id, item));
            free(nk);
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) json_array_append_new(a, subst(m, id, item));
        return a;
    }
    return json_incref((json_t *)v);
}

/* The items of a loop's collection: a list of scalars, or a Ref to a list parameter (its
 * given value, else its Default). New array of strings, or NULL with e. */
static json_t *collection(const json_t *t, const json_t *params, const char *loop,
                          const json_t *c, struct cfn_err *e)
{
    const json_t *ref = json_object_get(c, "Ref");
    json_t *items = json_array();
    if (json_is_object(c) && json_object_size(c) == 1 && json_is_string(ref)) {
        const char *p = json_string_value(ref);
        const json_t *decl = json_object_get(json_object_get(t, "Parameters"), p);
        const json_t *v = json_object_get(params, p);
        if (!v)
            v = json_object_get(decl, "Default");
        if (!decl || !v) {
            json_decref(items);
            cfn_fail(e, "Template format error: Fn::ForEach::%s: the collection %s has no value",
                     loop, p); /* inferred */
            return NULL;
        }
        if (json_is_array(v)) {
            size_t i;
            json_t *m;
            json_array_foreach(v, i, m)
            {
                char *s = cfn_scalar_text(m);
                if (s)
                    json_array_append_new(items, json_string(s));
                free(s);
            }
            return items;
        }
        char *s = cfn_scalar_text(v);
        const char *q = s ? s : "";
        for (;;) {
            const char *comma = strchr(q, ',');
            size_t n = comma ? (size_t)(comma - q) : strlen(q);
            while (n && *q == ' ')
                q++, n--;
            while (n && q[n - 1] == ' ')
                n--;
            char *it = xstrndup(q, n);
            json_array_append_new(items, json_string(it));
            free(it);
            if (!comma)
                break;
            q = comma + 1;
        }
        free(s);
        return items;
    }
    if (!json_is_array(c)) {
        json_decref(items);
        cfn_fail(e,
                 "Template format error: Fn::ForEach::%s: the collection must be a list or a Ref"
                 " to a list parameter", /* inferred */
                 loop);
        return NULL;
    }
    size_t i;
    json_t *m;
    json_array_foreach(c, i, m)
    {
        char *s = cfn_scalar_text(m);
        if (!s) {
            json_decref(items);
            cfn_fail(e, "Template format error: Fn::ForEach::%s: every collection item must be"
                        " a string", loop); /* inferred */
            return NULL;
        }
        json_array_append_new(items, json_string(s));
        free(s);
    }
    return items;
}

/* Nodes of a tree (for the expansion budget: a loop bomb must not run away). */
static size_t nodes_of(const json_t *v)
{
    size_t n = 1;
    const char *k;
    json_t *m;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, m) n += nodes_of(m);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m) n += nodes_of(m);
    }
    return n;
}

static int expand(const json_t *t, const json_t *params, json_t *v, int depth, size_t *budget,
                  struct cfn_err *e);

/* Expands the loops of object o in place (keys Fn::ForEach::*), then recurses. */
static int expand_object(const json_t *t, const json_t *params, json_t *o, int depth,
                         size_t *budget, struct cfn_err *e)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    int rc = -1;
    json_object_foreach(o, k, v)
    {
        if (!str_startswith(k, FOREACH)) {
            if (json_object_get(out, k)) {
                cfn_fail(e, "Template format error: Fn::ForEach generated the duplicate key %s",
                         k); /* inferred */
                goto out;
            }
            json_object_set(out, k, v);
            continue;
        }
        const char *loop = k + strlen(FOREACH);
        if (depth >= MAX_FOREACH_DEPTH) {
            cfn_fail(e, "Template format error: Fn::ForEach::%s is nested more than %d deep",
                     loop, MAX_FOREACH_DEPTH); /* inferred */
            goto out;
        }
        if (!*loop || !json_is_array(v) || json_array_size(v) != 3 ||
            !json_is_string(json_array_get(v, 0)) || !json_is_object(json_array_get(v, 2))) {
            cfn_fail(e,
                     "Template format error: Fn::ForEach::%s must be a list of three elements:"
                     " an identifier, a collection and an object of output keys and values",
                     loop); /* inferred */
            goto out;
        }
        const char *id = json_string_value(json_array_get(v, 0));
        json_t *items = collection(t, params, loop, json_array_get(v, 1), e);
        if (!items)
            goto out;
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            json_t *frag = subst(json_array_get(v, 2), id, json_string_value(it));
            size_t nn = nodes_of(frag);
            if (nn > *budget) {
                json_decref(frag);
                json_decref(items);
                cfn_fail(e, "Template format error: template is nested too deeply or is too"
                            " large."); /* inferred: the expanded template's limit */
                goto out;
            }
            *budget -= nn;
            if (expand_object(t, params, frag, depth + 1, budget, e) < 0) {
                json_decref(frag);
                json_decref(items);
                goto out;
            }
            const char *fk;
            json_t *fv;
            json_object_foreach(frag, fk, fv)
            {
                if (json_object_get(out, fk) || json_object_get(o, fk)) {
                    cfn_fail(e,
                             "Template format error: Fn::ForEach::%s generated the duplicate"
                             " key %s", /* inferred */
                             loop, fk);
                    json_decref(frag);
                    json_decref(items);
                    goto out;
                }
                json_object_set(out, fk, fv);
            }
            json_decref(frag);
        }
        json_decref(items);
    }
    json_object_foreach(out, k, v)
    {
        if (expand(t, params, v, depth, budget, e) < 0)
            goto out;
    }
    json_object_clear(o);
    json_object_update(o, out);
    rc = 0;
out:
    json_decref(out);
    return rc;
}

static int expand(const json_t *t, const json_t *params, json_t *v, int depth, size_t *budget,
                  struct cfn_err *e)
{
    if (json_is_object(v))
        return expand_object(t, params, v, depth, budget, e);
    if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) if (expand(t, params, m, depth, budget, e) < 0) return -1;
    }
    return 0;
}

int cfn_template_transform(json_t *t, const json_t *params, struct cfn_err *e)
{
    const json_t *tr = json_object_get(t, "Transform");
    if (!tr)
        return 0;
    if (!json_is_string(tr) && !json_is_array(tr) && !json_is_object(tr))
        return cfn_fail(e, "Template format error: Transform must be a string or a list of"
                           " strings."); /* inferred */
    json_t *names = transform_names(t);
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        if (!str_eq(json_string_value(v), LANG_EXT)) {
            cfn_fail(e,
                     "Transform %s is not supported by recoverlab: of the transforms only "
                     LANG_EXT " is run", /* inferred */
                     json_string_value(v));
            json_decref(names);
            return -1;
        }
    }
    json_decref(names);
    static const char *const sections[] = {"Conditions", "Resources", "Outputs"};
    size_t budget = CFN_MAX_NODES; /* nodes the loops may add */
    for (size_t s = 0; s < ARRAY_LEN(sections); s++) {
        json_t *sec = json_object_get(t, sections[s]);
        if (sec && expand(t, params, sec, 0, &budget, e) < 0)
            return -1;
    }
    return 0;
}
