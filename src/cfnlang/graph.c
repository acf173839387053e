/*
 * graph.c — resource dependencies: DependsOn plus the implicit references of Ref,
 * Fn::GetAtt and Fn::Sub; creation order (dependencies first, ties in template order),
 * deletion order (reverse) and cycle detection.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

static const char *const pseudo_names[] = {
    "AWS::Region",    "AWS::AccountId", "AWS::StackName",        "AWS::StackId",
    "AWS::Partition", "AWS::URLSuffix", "AWS::NotificationARNs", "AWS::NoValue",
};

static bool is_pseudo(const char *n)
{
    for (size_t i = 0; i < ARRAY_LEN(pseudo_names); i++)
        if (str_eq(n, pseudo_names[i]))
            return true;
    return false;
}

static void add_ref(json_t *refs, const char *name, size_t n)
{
    char *s = xstrndup(name, n);
    json_object_set_new(refs, s, json_true());
    free(s);
}

/* The ${} variables of a Fn::Sub string that vars (may be NULL) does not define. */
static void sub_refs(const char *s, const json_t *vars, json_t *refs)
{
    while ((s = strstr(s, "${")) != NULL) {
        const char *close = strchr(s + 2, '}');
        if (!close)
            return;
        if (s[2] != '!') {
            const char *nm = s + 2;
            size_t n = (size_t)(close - nm);
            while (n && *nm == ' ')
                nm++, n--;
            while (n && nm[n - 1] == ' ')
                n--;
            char *full = xstrndup(nm, n);
            if (!json_object_get(vars, full)) {
                const char *dot = memchr(nm, '.', n);
                add_ref(refs, nm, dot ? (size_t)(dot - nm) : n);
            }
            free(full);
        }
        s = close + 1;
    }
}

static void collect(const json_t *v, json_t *refs, int depth)
{
    if (depth > CFN_MAX_DEPTH * 4)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) collect(c, refs, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    if (json_object_size(v) == 1) {
        const json_t *a;
        if ((a = json_object_get(v, "Ref")) != NULL) {
            if (json_is_string(a))
                add_ref(refs, json_string_value(a), json_string_length(a));
            return;
        }
        if ((a = json_object_get(v, "Fn::GetAtt")) != NULL) {
            if (json_is_string(a)) {
                const char *s = json_string_value(a);
                const char *dot = strchr(s, '.');
                add_ref(refs, s, dot ? (size_t)(dot - s) : strlen(s));
            } else if (json_is_array(a) && json_is_string(json_array_get(a, 0))) {
                const json_t *r = json_array_get(a, 0);
                add_ref(refs, json_string_value(r), json_string_length(r));
                collect(json_array_get(a, 1), refs, depth + 1);
            }
            return;
        }
        if ((a = json_object_get(v, "Fn::Sub")) != NULL) {
            if (json_is_string(a)) {
                sub_refs(json_string_value(a), NULL, refs);
            } else if (json_is_array(a)) {
                const json_t *vars = json_array_get(a, 1);
                if (json_is_string(json_array_get(a, 0)))
                    sub_refs(json_string_value(json_array_get(a, 0)), vars, refs);
                collect(vars, refs, depth + 1);
            }
            return;
        }
    }
    const char *k;
    json_t *c;
    json_object_foreach((json_t *)v, k, c) collect(c, refs, depth + 1);
}

void cfn_collect_refs(const json_t *v, json_t *refs)
{
    collect(v, refs, 0);
}

/* Appends "[a, b]" of the keys of set to b. */
static void list_keys(struct buf *b, const json_t *set)
{
    const char *k;
    json_t *v;
    bool first = true;
    buf_putc(b, '[');
    json_object_foreach((json_t *)set, k, v)
    {
        if (!first)
            buf_puts(b, ", ");
        buf_puts(b, k);
        first = false;
    }
    buf_putc(b, ']');
}

int cfn_graph_deps(const json_t *t, json_t **deps, struct cfn_err *e)
{
    const json_t *res = json_object_get(t, "Resources");
    const json_t *params = json_object_get(t, "Parameters");
    if (json_object_size(res) > CFN_MAX_RESOURCES)
        return cfn_fail(e,
                        "Template format error: Number of resources, %zu, is greater than"
                        " maximum allowed, %d",
                        json_object_size(res), CFN_MAX_RESOURCES);
    json_t *out = json_object();
    json_t *unresolved = json_object();
    const char *lid;
    json_t *def;
    int rc = -1;
    json_object_foreach((json_t *)res, lid, def)
    {
        json_t *refs = json_object();
        const json_t *dep = json_object_get(def, "DependsOn");
        if (json_is_string(dep)) {
            add_ref(refs, json_string_value(dep), json_string_length(dep));
        } else if (json_is_array(dep)) {
            size_t i;
            json_t *d;
            json_array_foreach(dep, i, d)
            {
                if (!json_is_string(d)) {
                    json_decref(refs);
                    cfn_fail(
                        e,
                        "Template format error: Every DependsOn value must be a string."); /* inferred
                                                                                            */
                    goto out;
                }
                add_ref(refs, json_string_value(d), json_string_length(d));
            }
        } else if (dep) {
            json_decref(refs);
            cfn_fail(
                e,
                "Template format error: DependsOn must be a string or list of strings."); /* inferred
                                                                                           */
            goto out;
        }
        static const char *const sections[] = {"Properties", "Metadata", "UpdatePolicy",
                                               "CreationPolicy"};
        for (size_t i = 0; i < ARRAY_LEN(sections); i++)
            collect(json_object_get(def, sections[i]), refs, 0);
        json_t *list = json_array();
        const char *r;
        json_t *ignored;
        /* template order of the targets */
        const char *rid;
        json_t *rdef;
        json_object_foreach((json_t *)res, rid, rdef)
        {
            if (json_object_get(refs, rid))
                json_array_append_new(list, json_string(rid));
        }
        json_object_foreach(refs, r, ignored)
        {
            if (!json_object_get(res, r) && !json_object_get(params, r) && !is_pseudo(r))
                json_object_set_new(unresolved, r, json_true());
        }
        json_decref(refs);
        json_object_set_new(out, lid, list);
    }
    if (json_object_size(unresolved) > 0) {
        struct buf b = BUF_INIT;
        list_keys(&b, unresolved);
        cfn_fail(e,
                 "Template format error: Unresolved resource dependencies %s in the Resources"
                 " block of the template",
                 b.p);
        buf_free(&b);
        goto out;
    }
    *deps = json_incref(out);
    rc = 0;
out:
    json_decref(out);
    json_decref(unresolved);
    return rc;
}

int cfn_graph_order(const json_t *t, json_t **order, struct cfn_err *e)
{
    json_t *deps;
    if (cfn_graph_deps(t, &deps, e) < 0)
        return -1;
    json_t *done = json_object();
    json_t *out = json_array();
    size_t n = json_object_size(deps);
    bool progress = true;
    while (json_array_size(out) < n && progress) {
        progress = false;
        const char *lid;
        json_t *list;
        json_object_foreach(deps, lid, list)
        {
            if (json_object_get(done, lid))
                continue;
            bool ready = true;
            size_t i;
            json_t *d;
            json_array_foreach(list, i, d)
            {
                if (!json_object_get(done, json_string_value(d))) {
                    ready = false;
                    break;
                }
            }
            if (ready) {
                json_object_set_new(done, lid, json_true());
                json_array_append_new(out, json_string(lid));
                progress = true;
                break; /* restart from the top: ties go to template order */
            }
        }
    }
    int rc = 0;
    if (json_array_size(out) < n) {
        /* left: cycle members and what depends on them; prune the nodes no other left node
         * depends on until only cycles remain (inferred: AWS names the cycle's members) */
        json_t *left = json_object();
        const char *lid;
        json_t *list;
        json_object_foreach(deps, lid, list)
        {
            if (!json_object_get(done, lid))
                json_object_set_new(left, lid, json_true());
        }
        for (;;) {
            json_t *needed = json_object();
            const char *lid2;
            json_t *ign;
            json_object_foreach(left, lid2, ign)
            {
                size_t i;
                json_t *d;
                json_array_foreach(json_object_get(deps, lid2), i, d)
                {
                    if (json_object_get(left, json_string_value(d)))
                        json_object_set_new(needed, json_string_value(d), json_true());
                }
            }
            size_t before = json_object_size(left);
            json_t *kept = json_object();
            json_object_foreach(left, lid2, ign)
            {
                if (json_object_get(needed, lid2))
                    json_object_set_new(kept, lid2, json_true());
            }
            json_decref(needed);
            json_decref(left);
            left = kept;
            if (json_object_size(left) == before)
                break;
        }
        struct buf b = BUF_INIT;
        list_keys(&b, left);
        rc = cfn_fail(e, "Template format error: Circular dependency between resources: %s", b.p);
        buf_free(&b);
        json_decref(left);
        json_decref(out);
    } else {
        *order = out;
    }
    json_decref(done);
    json_decref(deps);
    return rc;
}

int cfn_graph_delete_order(const json_t *t, json_t **order, struct cfn_err *e)
{
    json_t *fwd;
    if (cfn_graph_order(t, &fwd, e) < 0)
        return -1;
    json_t *rev = json_array();
    for (size_t i = json_array_size(fwd); i > 0; i--)
        json_array_append(rev, json_array_get(fwd, i - 1));
    json_decref(fwd);
    *order = rev;
    return 0;
}
