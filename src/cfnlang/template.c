/*
 * template.c — loading CloudFormation templates: JSON through jansson (duplicate keys
 * rejected), YAML through libyaml's event API into the same tree (see cfnlang.h for the
 * representation). The YAML builder keeps an explicit stack (no recursion), bounds the
 * nesting depth and the node count, and copies anchors at each alias with the copies
 * counted against the node budget, so an alias bomb is refused instead of expanded.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

int cfn_fail(struct cfn_err *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---------------- scalar text ---------------- */

static void real_text(double d, char *out, size_t n)
{
    if (!isfinite(d)) {
        snprintf(out, n, "%s", isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    if (!strpbrk(out, ".eE"))
        strncat(out, ".0", n - strlen(out) - 1);
}

char *cfn_scalar_text(const json_t *v)
{
    char tmp[64];
    if (!v)
        return NULL;
    switch (json_typeof(v)) {
    case JSON_STRING:
        return xstrndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return xstrdup(tmp);
    case JSON_REAL:
        real_text(json_real_value(v), tmp, sizeof(tmp));
        return xstrdup(tmp);
    case JSON_TRUE:
        return xstrdup("true");
    case JSON_FALSE:
        return xstrdup("false");
    default:
        return NULL;
    }
}

int cfn_to_int(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
            return -1;
        *out = (int64_t)d;
        return 0;
    }
    if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v))
        return str_to_i64(json_string_value(v), out);
    return -1;
}

int cfn_to_double(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v))
        return str_to_double(json_string_value(v), out);
    return -1;
}

int cfn_to_bool(const json_t *v, bool *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_string(v) &&
        (str_ieq(json_string_value(v), "true") || str_ieq(json_string_value(v), "false"))) {
        *out = str_ieq(json_string_value(v), "true");
        return 0;
    }
    return -1;
}

/* ---------------- depth / node checks for JSON ---------------- */

static int tree_measure(const json_t *v, int depth, size_t *nodes)
{
    (*nodes)++;
    if (depth > CFN_MAX_DEPTH || *nodes > CFN_MAX_NODES)
        return -1;
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach((json_t *)v, k, c)
        {
            if (tree_measure(c, depth + 1, nodes) < 0)
                return -1;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            if (tree_measure(c, depth + 1, nodes) < 0)
                return -1;
        }
    }
    return 0;
}

json_t *cfn_json_load(const char *body, size_t len, struct cfn_err *e)
{
    json_error_t je;
    json_t *t = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!t) {
        cfn_fail(e, "Template format error: JSON not well-formed. (line %d, column %d)", je.line,
                 je.column);
        return NULL;
    }
    if (!json_is_object(t)) {
        json_decref(t);
        /* inferred: AWS's text for a JSON body that is not an object */
        cfn_fail(e, "Template format error: JSON not well-formed. (line 1, column 1)");
        return NULL;
    }
    size_t nodes = 0;
    if (tree_measure(t, 1, &nodes) < 0) {
        json_decref(t);
        cfn_fail(
            e,
            "Template format error: template is nested too deeply or is too large."); /* inferred */
        return NULL;
    }
    return t;
}

/* ---------------- YAML ---------------- */

static const char *const short_forms[] = {
    "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select",
    "Split",  "Sub",  "Transform", "And",    "Equals", "If",          "Not",  "Or",
    /* the rule functions of the Rules section [doc: UG "Rule functions"] */
    "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll",
};

/* The long-form key for a tag, "" for a tag that forces a string, NULL for a tag we refuse. */
static const char *tag_function(const char *tag, char *buf, size_t n)
{
    if (!tag || !*tag)
        return NULL;
    if (str_startswith(tag, "tag:yaml.org,2002:"))
        return str_eq(tag + 18, "str") ? "" : "=";
    if (str_eq(tag, "!"))
        return "";
    if (tag[0] != '!')
        return NULL;
    if (str_eq(tag, "!Ref"))
        return "Ref";
    if (str_eq(tag, "!Condition"))
        return "Condition";
    for (size_t i = 0; i < ARRAY_LEN(short_forms); i++) {
        if (str_eq(tag + 1, short_forms[i])) {
            snprintf(buf, n, "Fn::%s", short_forms[i]);
            return buf;
        }
    }
    return NULL;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool looks_float(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    bool digits = false;
    while (*p >= '0' && *p <= '9')
        p++, digits = true;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits = true;
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == 0;
}

/* Resolves a plain, untagged scalar (see cfnlang.h). */
static json_t *plain_scalar(const char *s, size_t n)
{
    if (strlen(s) != n) /* embedded NUL: keep as string */
        return json_stringn(s, n);
    if (!*s || str_eq(s, "~") || str_eq(s, "null") || str_eq(s, "Null") || str_eq(s, "NULL"))
        return json_null();
    if (str_eq(s, "true") || str_eq(s, "True") || str_eq(s, "TRUE"))
        return json_true();
    if (str_eq(s, "false") || str_eq(s, "False") || str_eq(s, "FALSE"))
        return json_false();
    const char *d = s[0] == '-' ? s + 1 : s;
    if (all_digits(d) && (d[0] != '0' || d[1] == 0) && !(s[0] == '-' && str_eq(d, "0"))) {
        int64_t v;
        if (str_to_i64(s, &v) == 0)
            return json_integer(v);
    }
    if (looks_float(s)) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        char txt[64];
        if (!*end && errno == 0 && isfinite(v)) {
            real_text(v, txt, sizeof(txt));
            if (str_eq(txt, s))
                return json_real(v);
        }
    }
    return json_stringn(s, n);
}

struct yframe {
    json_t *node; /* object or array under construction */
    char *key;    /* mapping: the pending key (NULL when a key is expected next) */
    char *fn;     /* long-form function to wrap the node in, NULL if untagged */
    char *anchor;
    size_t nodes; /* nodes in this subtree so far */
    int height;   /* nesting height of the subtree */
    int line, col;
};

struct yanchor {
    char *name;
    json_t *node;
    size_t nodes;
    int height;
};

struct ybuild {
    struct yframe *st;
    int depth, cap;
    struct yanchor *anchors;
    size_t nanchors;
    json_t *anchor_index; /* name -> index into anchors (a hash table) */
    size_t total;         /* nodes created, alias copies included */
    json_t *root;
    struct cfn_err *e;
};

static int yfail(struct ybuild *b, const yaml_mark_t *m, const char *what)
{
    (void)what;
    return cfn_fail(b->e, "Template format error: YAML not well-formed. (line %d, column %d)",
                    (int)m->line + 1, (int)m->column + 1);
}

static json_t *wrap_fn(const char *fn, json_t *v)
{
    if (!fn)
        return v;
    if (str_eq(fn, "Fn::GetAtt") && json_is_string(v)) {
        const char *s = json_string_value(v);
        const char *dot = strchr(s, '.');
        if (dot) {
            json_t *a = json_array();
            json_array_append_new(a, json_stringn(s, (size_t)(dot - s)));
            json_array_append_new(a, json_string(dot + 1));
            json_decref(v);
            v = a;
        }
    }
    json_t *o = json_object();
    json_object_set_new(o, fn, v);
    return o;
}

static void anchor_add(struct ybuild *b, const char *name, json_t *node, size_t nodes, int height)
{
    json_t *idx = json_object_get(b->anchor_index, name);
    if (idx) { /* redefinition: the later one wins */
        struct yanchor *a = &b->anchors[json_integer_value(idx)];
        json_decref(a->node);
        a->node = json_incref(node);
        a->nodes = nodes;
        a->height = height;
        return;
    }
    b->anchors = xrealloc(b->anchors, (b->nanchors + 1) * sizeof(*b->anchors));
    b->anchors[b->nanchors].name = xstrdup(name);
    b->anchors[b->nanchors].node = json_incref(node);
    b->anchors[b->nanchors].nodes = nodes;
    b->anchors[b->nanchors].height = height;
    json_object_set_new(b->anchor_index, name, json_integer((json_int_t)b->nanchors));
    b->nanchors++;
}

/* Attaches a finished value (already wrapped) to the parent frame or makes it the root.
 * Steals v. */
static int attach(struct ybuild *b, json_t *v, size_t nodes, int height, const yaml_mark_t *m)
{
    if (b->depth == 0) {
        if (b->root) {
            json_decref(v);
            return yfail(b, m, "second root");
        }
        b->root = v;
        return 0;
    }
    struct yframe *p = &b->st[b->depth - 1];
    p->nodes += nodes;
    if (height + 1 > p->height)
        p->height = height + 1;
    if (json_is_array(p->node)) {
        json_array_append_new(p->node, v);
        return 0;
    }
    if (!p->key) { /* a complex key (mapping or sequence) */
        json_decref(v);
        return yfail(b, m, "complex key");
    }
    json_object_set_new(p->node, p->key, v);
    free(p->key);
    p->key = NULL;
    return 0;
}

static int count_node(struct ybuild *b, size_t n, const yaml_mark_t *m)
{
    b->total += n;
    if (b->total > CFN_MAX_NODES)
        return cfn_fail(b->e,
                        "Template format error: YAML not well-formed. (line %d, column %d)"
                        " Template has too many nodes or alias expansions.", /* inferred */
                        (int)m->line + 1, (int)m->column + 1);
    return 0;
}

/* True when the next scalar of the top frame is a mapping key. */
static bool expecting_key(const struct ybuild *b)
{
    if (b->depth == 0)
        return false;
    const struct yframe *p = &b->st[b->depth - 1];
    return json_is_object(p->node) && !p->key;
}

static int set_key(struct ybuild *b, const char *k, size_t n, const yaml_mark_t *m)
{
    struct yframe *p = &b->st[b->depth - 1];
    if (strlen(k) != n)
        return yfail(b, m, "NUL in key");
    if (json_object_get(p->node, k)) /* duplicate key (inferred: AWS refuses them too) */
        return yfail(b, m, "duplicate key");
    p->key = xstrdup(k);
    return 0;
}

static int on_scalar(struct ybuild *b, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (count_node(b, 1, &ev->start_mark) < 0)
        return -1;
    if (expecting_key(b)) {
        if (tag && !str_startswith(tag, "tag:yaml.org,2002:") && !str_eq(tag, "!"))
            return yfail(b, &ev->start_mark, "tagged key");
        if (ev->data.scalar.anchor) {
            json_t *kv = json_stringn(s, n);
            if (!kv)
                return yfail(b, &ev->start_mark, "utf8");
            anchor_add(b, (const char *)ev->data.scalar.anchor, kv, 1, 0);
            json_decref(kv);
        }
        return set_key(b, s, n, &ev->start_mark);
    }
    json_t *v;
    char fnbuf[32];
    const char *fn = NULL;
    if (tag) {
        fn = tag_function(tag, fnbuf, sizeof(fnbuf));
        if (!fn)
            return cfn_fail(b->e,
                            "Template format error: YAML not well-formed. (line %d, column"
                            " %d) Unsupported tag %s", /* inferred */
                            (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, tag);
    }
    if (fn && str_eq(fn, "=")) /* !!int, !!bool ...: resolve like a plain scalar */
        v = plain_scalar(s, n), fn = NULL;
    else if (fn || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        v = json_stringn(s, n);
    else
        v = plain_scalar(s, n);
    if (fn && !*fn)
        fn = NULL;
    if (!v) /* invalid UTF-8 */
        return yfail(b, &ev->start_mark, "utf8");
    v = wrap_fn(fn, v);
    if (ev->data.scalar.anchor)
        anchor_add(b, (const char *)ev->data.scalar.anchor, v, 1, fn ? 1 : 0);
    return attach(b, v, 1, fn ? 1 : 0, &ev->start_mark);
}

static int on_start(struct ybuild *b, const yaml_event_t *ev, bool mapping)
{
    const char *tag = mapping ? (const char *)ev->data.mapping_start.tag
                              : (const char *)ev->data.sequence_start.tag;
    const char *anchor = mapping ? (const char *)ev->data.mapping_start.anchor
                                 : (const char *)ev->data.sequence_start.anchor;
    if (expecting_key(b))
        return yfail(b, &ev->start_mark, "complex key");
    if (b->depth >= CFN_MAX_DEPTH)
        return cfn_fail(b->e, "Template format error: template is nested too deeply or is too"
                              " large."); /* inferred */
    if (count_node(b, 1, &ev->start_mark) < 0)
        return -1;
    char fnbuf[32];
    const char *fn = NULL;
    if (tag) {
        fn = tag_function(tag, fnbuf, sizeof(fnbuf));
        if (!fn)
            return cfn_fail(b->e,
                            "Template format error: YAML not well-formed. (line %d, column"
                            " %d) Unsupported tag %s", /* inferred */
                            (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, tag);
        if (!*fn || str_eq(fn, "="))
            fn = NULL;
    }
    if (b->depth == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->st = xrealloc(b->st, (size_t)b->cap * sizeof(*b->st));
    }
    struct yframe *f = &b->st[b->depth++];
    memset(f, 0, sizeof(*f));
    f->node = mapping ? json_object() : json_array();
    f->fn = fn ? xstrdup(fn) : NULL;
    f->anchor = anchor ? xstrdup(anchor) : NULL;
    f->nodes = 1;
    f->line = (int)ev->start_mark.line;
    return 0;
}

static int on_end(struct ybuild *b, const yaml_event_t *ev)
{
    struct yframe f = b->st[--b->depth];
    free(f.key);
    json_t *v = wrap_fn(f.fn, f.node);
    int height = f.height + (f.fn ? 1 : 0);
    free(f.fn);
    if (f.anchor) {
        anchor_add(b, f.anchor, v, f.nodes, height);
        free(f.anchor);
    }
    return attach(b, v, f.nodes, height, &ev->start_mark);
}

static int on_alias(struct ybuild *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    json_t *idx = json_object_get(b->anchor_index, name);
    struct yanchor *a = idx ? &b->anchors[json_integer_value(idx)] : NULL;
    if (!a)
        return yfail(b, &ev->start_mark, "unknown anchor");
    if (expecting_key(b)) {
        if (!json_is_string(a->node))
            return yfail(b, &ev->start_mark, "complex key");
        return set_key(b, json_string_value(a->node), json_string_length(a->node), &ev->start_mark);
    }
    if (b->depth + a->height >= CFN_MAX_DEPTH)
        return cfn_fail(b->e, "Template format error: template is nested too deeply or is too"
                              " large."); /* inferred */
    if (count_node(b, a->nodes, &ev->start_mark) < 0)
        return -1;
    json_t *copy = json_deep_copy(a->node);
    return attach(b, copy, a->nodes, a->height, &ev->start_mark);
}

json_t *cfn_yaml_load(const char *body, size_t len, struct cfn_err *e)
{
    yaml_parser_t p;
    struct ybuild b;
    memset(&b, 0, sizeof(b));
    b.e = e;
    b.anchor_index = json_object();
    if (!yaml_parser_initialize(&p)) {
        cfn_fail(e, "Template format error: YAML not well-formed.");
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)body, len);
    int rc = -1, docs = 0;
    bool done = false;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            cfn_fail(e, "Template format error: YAML not well-formed. (line %d, column %d)",
                     (int)p.problem_mark.line + 1, (int)p.problem_mark.column + 1);
            goto out;
        }
        int r = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                r = yfail(&b, &ev.start_mark, "second document");
            break;
        case YAML_SCALAR_EVENT:
            r = on_scalar(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            r = on_start(&b, &ev, false);
            break;
        case YAML_MAPPING_START_EVENT:
            r = on_start(&b, &ev, true);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            r = on_end(&b, &ev);
            break;
        case YAML_ALIAS_EVENT:
            r = on_alias(&b, &ev);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (r < 0)
            goto out;
    }
    if (!json_is_object(b.root)) {
        /* inferred: AWS's text for a YAML body that is not a mapping */
        cfn_fail(e, "Template format error: YAML not well-formed. (line 1, column 1)");
        goto out;
    }
    rc = 0;
out:
    while (b.depth > 0) {
        struct yframe *f = &b.st[--b.depth];
        json_decref(f->node);
        free(f->key);
        free(f->fn);
        free(f->anchor);
    }
    free(b.st);
    for (size_t i = 0; i < b.nanchors; i++) {
        free(b.anchors[i].name);
        json_decref(b.anchors[i].node);
    }
    free(b.anchors);
    json_decref(b.anchor_index);
    yaml_parser_delete(&p);
    if (rc < 0) {
        json_decref(b.root);
        return NULL;
    }
    return b.root;
}

json_t *cfn_template_load(const char *body, size_t len, struct cfn_err *e)
{
    if (!body || len == 0) /* inferred */
        return cfn_fail(e, "Template format error: At least one Resources member must be"
                           " defined."),
               NULL;
    if (len > CFN_MAX_BODY) /* inferred: the TemplateBody limit is checked by the model */
        return cfn_fail(e, "Template format error: template is nested too deeply or is too"
                           " large."),
               NULL;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (i < len && body[i] == '{') {
        /* JSON first; a flow-style YAML mapping ({A: !Ref B}) also starts with '{', so
         * YAML gets a try before the JSON error is reported (inferred) */
        json_t *t = cfn_json_load(body, len, e);
        if (t)
            return t;
        struct cfn_err ye;
        t = cfn_yaml_load(body, len, &ye);
        return t;
    }
    return cfn_yaml_load(body, len, e);
}
