/*
 * decode_form.c — application/x-www-form-urlencoded and URL query decoding, and the
 * Query / EC2-query flattening of the decoded pairs into the normalised input tree.
 *
 * Key forms (botocore serialize.py, QuerySerializer and EC2Serializer):
 *   Query: structure member  = locationName, else the member name
 *          list              = Name.member.N (element locationName replaces "member");
 *                              flattened: Name.N, and when the element has a locationName
 *                              that name replaces the member's own (Tag.N for Tags)
 *          map               = Name.entry.N.key / .value (key/value locationNames;
 *                              flattened: Name.N.key)
 *          empty list        = "Name=" (an empty value)
 *   EC2:   member key        = queryName, else locationName with its first letter
 *                              upper-cased, else the member name; lists are Name.N
 * Indices are 1-based; sparse or unordered indices are sorted; unknown parameters are
 * ignored (inferred: AWS Query services ignore parameters they do not model).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

void form_parse(struct arena *a, const char *s, size_t len, struct form_pair **pairs, size_t *n)
{
    if (!s || !len)
        return;
    size_t pieces = 1;
    for (size_t i = 0; i < len; i++)
        pieces += s[i] == '&';
    struct form_pair *np = arena_alloc(a, (*n + pieces) * sizeof(*np));
    if (*n)
        memcpy(np, *pairs, *n * sizeof(*np));
    *pairs = np;

    const char *p = s, *end = s + len;
    while (p <= end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            struct form_pair *fp = &np[(*n)++];
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            fp->raw_key = p;
            fp->raw_klen = (size_t)((eq ? eq : stop) - p);
            fp->has_eq = eq != NULL;
            fp->raw_val = eq ? eq + 1 : stop;
            fp->raw_vlen = eq ? (size_t)(stop - eq - 1) : 0;
            fp->key = arena_alloc(a, fp->raw_klen + 1);
            fp->klen = form_unescape(fp->key, fp->raw_key, fp->raw_klen);
            fp->val = arena_alloc(a, fp->raw_vlen + 1);
            fp->vlen = form_unescape(fp->val, fp->raw_val, fp->raw_vlen);
        }
        if (!amp)
            break;
        p = amp + 1;
    }
}

bool wire_is_form_content_type(const char *ct)
{
    static const char form[] = "application/x-www-form-urlencoded";
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, form, sizeof(form) - 1) != 0)
        return false;
    ct += sizeof(form) - 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == 0 || *ct == ';';
}

struct wire_form *wire_form_get(struct call *c)
{
    if (c->form)
        return c->form;
    struct wire_form *f = arena_zalloc(c->a, sizeof(*f));
    const struct request *rq = c->rq;
    if (rq->query && *rq->query)
        form_parse(c->a, rq->query, strlen(rq->query), &f->pairs, &f->n);
    const char *ct = request_header(rq, "Content-Type");
    /* A POST body is a form when it says so, or (inferred, as curl -d sends) when it names
     * no content type at all. */
    if (rq->body && rq->body_len &&
        (wire_is_form_content_type(ct) || (!ct && str_eq(rq->method, "POST")))) {
        f->body_is_form = true;
        form_parse(c->a, rq->body, rq->body_len, &f->pairs, &f->n);
    }
    for (size_t i = 0; i < f->n; i++) {
        const struct form_pair *p = &f->pairs[i];
        if (p->klen == 6 && memcmp(p->key, "Action", 6) == 0)
            f->action = p->val;
        else if (p->klen == 7 && memcmp(p->key, "Version", 7) == 0)
            f->version = p->val;
    }
    c->form = f;
    return f;
}

/* ---------------- key names ---------------- */

/* Serialized name of a member (botocore _get_serialized_name): EC2 prefers queryName, then
 * the locationName capitalised; Query uses the locationName; else dflt. */
static const char *ser_name(const struct model_member *m, bool ec2, const char *dflt, char *buf,
                            size_t bufsz)
{
    if (ec2) {
        if (m->query_name)
            return m->query_name;
        if (m->location_name && bufsz) {
            snprintf(buf, bufsz, "%s", m->location_name);
            buf[0] = (char)toupper((unsigned char)buf[0]);
            return buf;
        }
        return dflt;
    }
    return m->location_name ? m->location_name : dflt;
}

const char *wire_query_member_key(const struct model_service *s, const struct model_member *m,
                                  bool ec2, char *buf, size_t bufsz)
{
    const char *k;
    if (ec2) {
        k = ser_name(m, true, m->name, buf, bufsz);
    } else {
        const struct model_shape *t = wire_mshape(s, m);
        k = m->location_name ? m->location_name : m->name;
        if (t->type == SH_LIST && wire_flattened(m, t)) {
            const struct model_member *el = &s->members[t->first];
            if (el->location_name)
                k = el->location_name;
        }
    }
    if (k != buf && bufsz)
        snprintf(buf, bufsz, "%s", k);
    return buf;
}

void wire_query_list_path(struct buf *b, const struct model_service *s,
                          const struct model_shape *list, const struct model_member *ref, bool ec2,
                          size_t idx)
{
    if (ec2 || wire_flattened(ref, list)) {
        buf_printf(b, ".%zu", idx);
    } else {
        const struct model_member *el = &s->members[list->first];
        buf_printf(b, ".%s.%zu", el->location_name ? el->location_name : "member", idx);
    }
}

/* ---------------- flattening ---------------- */

struct qwalk {
    struct call *c;
    const struct model_service *s;
    bool ec2;
};

struct comp {
    const char *p;
    size_t n;
    bool last;
};

/* Next '.'-separated component of [*pos, end); false when none is left. */
static bool next_comp(const char **pos, const char *end, struct comp *c)
{
    if (*pos > end)
        return false;
    const char *dot = memchr(*pos, '.', (size_t)(end - *pos));
    c->p = *pos;
    c->n = (size_t)((dot ? dot : end) - *pos);
    c->last = dot == NULL;
    *pos = dot ? dot + 1 : end + 1;
    return true;
}

static bool comp_is(const struct comp *c, const char *name)
{
    return strlen(name) == c->n && memcmp(c->p, name, c->n) == 0;
}

/* Does c spell the Query/EC2 key of structure member m (wire_query_member_key, without
 * formatting it)? */
static bool member_key_is(const struct model_service *s, const struct model_member *m, bool ec2,
                          const struct comp *c)
{
    if (ec2 && !m->query_name && m->location_name) {
        const char *l = m->location_name;
        return c->n && strlen(l) == c->n && c->p[0] == (char)toupper((unsigned char)l[0]) &&
               memcmp(c->p + 1, l + 1, c->n - 1) == 0;
    }
    if (ec2)
        return comp_is(c, m->query_name ? m->query_name : m->name);
    const struct model_shape *t = wire_mshape(s, m);
    if (t->type == SH_LIST && wire_flattened(m, t) && s->members[t->first].location_name)
        return comp_is(c, s->members[t->first].location_name);
    return comp_is(c, m->location_name ? m->location_name : m->name);
}

static int parse_index(const struct comp *c, unsigned *out)
{
    if (c->n == 0 || c->n > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->p[i] < '0' || c->p[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(c->p[i] - '0');
    }
    if (v == 0 || v > WIRE_MAX_INDEX)
        return -1;
    *out = v;
    return 0;
}

/* The object at parent[slot], created when absent; NULL when something else is there. */
static json_t *obj_child(json_t *parent, const char *slot)
{
    json_t *ch = json_object_get(parent, slot);
    if (!ch) {
        ch = json_object();
        json_object_set_new(parent, slot, ch);
    }
    return json_is_object(ch) ? ch : NULL;
}

static int bad_value(struct qwalk *w, const struct form_pair *p)
{
    int vn = p->vlen > 1024 ? 1024 : (int)p->vlen;
    if (w->ec2) /* inferred from EC2's "Value ( 1 ) for parameter maxResults is invalid. ..." */
        return call_fail(w->c, 400, "InvalidParameterValue",
                         "Value ( %.*s ) for parameter %s is invalid.", vn, p->val, p->key);
    /* observed (CloudWatch): "The value X for parameter MetricData.member.9.Value is invalid." */
    return call_fail(w->c, 400, "InvalidParameterValue",
                     "The value %.*s for parameter %s is invalid.", vn, p->val, p->key);
}

/*
 * Places one pair into the intermediate tree rooted at root (a structure of shape input).
 * Lists and maps are built as objects keyed by the decimal index (map entries as
 * {"key":..,"value":..}) and turned into arrays/objects by finalize(). 0 ok (including
 * ignored pairs), -1 with the call error set.
 */
static int q_insert(struct qwalk *w, json_t *root, const struct model_shape *input,
                    const struct form_pair *p)
{
    const struct model_service *s = w->s;
    const char *pos = p->key, *end = p->key + p->klen;
    json_t *obj = root; /* holds the value of shape sh */
    const struct model_shape *sh = input;
    const struct model_member *ref = NULL; /* the member referring to sh */
    char kbuf[256], idxbuf[16];
    struct comp c;

    if (memchr(p->key, 0, p->klen))
        return 0;
    for (int depth = 0; depth < WIRE_MAX_DEPTH; depth++) {
        json_t *parent = obj;
        const char *slot = NULL;
        const struct model_shape *vsh = NULL;
        const struct model_member *vref = NULL;
        unsigned idx;

        if (!next_comp(&pos, end, &c))
            return 0;
        if (sh->type == SH_STRUCTURE) {
            for (uint32_t i = 0; i < sh->count && !slot; i++) {
                const struct model_member *m = &s->members[sh->first + i];
                if (member_key_is(s, m, w->ec2, &c)) {
                    slot = m->name;
                    vsh = wire_mshape(s, m);
                    vref = m;
                }
            }
            if (!slot)
                return 0; /* unknown parameter: ignored (inferred) */
        } else if (sh->type == SH_LIST) {
            const struct model_member *el = &s->members[sh->first];
            if (!w->ec2 && !wire_flattened(ref, sh)) {
                if (!comp_is(&c, el->location_name ? el->location_name : "member") || c.last)
                    return 0;
                next_comp(&pos, end, &c);
            }
            if (parse_index(&c, &idx))
                return 0; /* inferred: a bad index is an unknown parameter */
            snprintf(idxbuf, sizeof(idxbuf), "%u", idx);
            slot = idxbuf;
            vsh = wire_mshape(s, el);
            vref = el;
        } else if (sh->type == SH_MAP) {
            const struct model_member *km = &s->members[sh->first];
            const struct model_member *vm = &s->members[sh->first + 1];
            if (!wire_flattened(ref, sh)) {
                if (!comp_is(&c, "entry") || c.last)
                    return 0;
                next_comp(&pos, end, &c);
            }
            if (parse_index(&c, &idx) || c.last)
                return 0;
            snprintf(idxbuf, sizeof(idxbuf), "%u", idx);
            json_t *entry = obj_child(obj, idxbuf);
            next_comp(&pos, end, &c);
            if (!entry)
                return 0;
            if (comp_is(&c, ser_name(km, w->ec2, "key", kbuf, sizeof(kbuf)))) {
                if (!c.last)
                    return 0;
                json_t *kv = wire_scalar_from_text(w->c->a, wire_mshape(s, km), p->val, p->vlen);
                if (!kv || !json_is_string(kv)) {
                    json_decref(kv);
                    return bad_value(w, p);
                }
                json_object_set_new(entry, "key", kv);
                return 0;
            }
            if (!comp_is(&c, ser_name(vm, w->ec2, "value", kbuf, sizeof(kbuf))))
                return 0;
            parent = entry;
            slot = "value";
            vsh = wire_mshape(s, vm);
            vref = vm;
        } else {
            return 0;
        }

        if (wire_is_scalar(vsh)) {
            if (!c.last)
                return 0;
            json_t *v = wire_scalar_from_text(w->c->a, vsh, p->val, p->vlen);
            if (!v)
                return bad_value(w, p);
            json_object_set_new(parent, slot, v);
            return 0;
        }
        if (c.last) {
            /* "Name=" with an empty value: an empty list (botocore sends this) */
            if ((vsh->type == SH_LIST || vsh->type == SH_MAP) && p->vlen == 0)
                obj_child(parent, slot);
            return 0;
        }
        obj = obj_child(parent, slot);
        if (!obj)
            return 0;
        sh = vsh;
        ref = vref;
    }
    return 0; /* deeper than any model: ignored */
}

struct idx_item {
    unsigned long idx;
    json_t *v;
};

static int cmp_idx(const void *a, const void *b)
{
    unsigned long x = ((const struct idx_item *)a)->idx, y = ((const struct idx_item *)b)->idx;
    return x < y ? -1 : x > y;
}

/* The entries of an intermediate list/map object, sorted by index (heap array). */
static struct idx_item *sorted_items(json_t *obj, size_t *n)
{
    size_t cnt = json_object_size(obj), i = 0;
    struct idx_item *items = xcalloc(cnt ? cnt : 1, sizeof(*items));
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        items[i].idx = strtoul(k, NULL, 10);
        items[i].v = v;
        i++;
    }
    qsort(items, i, sizeof(*items), cmp_idx);
    *n = i;
    return items;
}

/* Turns the intermediate tree v (of shape sh) into the normalised tree (new reference). */
static json_t *finalize(const struct model_service *s, json_t *v, const struct model_shape *sh,
                        int depth)
{
    if (depth > WIRE_MAX_DEPTH + 4 || wire_is_scalar(sh))
        return json_incref(v);
    if (!json_is_object(v))
        return json_incref(v);
    if (sh->type == SH_STRUCTURE) {
        json_t *out = json_object();
        const char *k;
        json_t *ch;
        json_object_foreach(v, k, ch)
        {
            const struct model_member *m = model_member_find(s, sh, k);
            if (m)
                json_object_set_new(out, k, finalize(s, ch, wire_mshape(s, m), depth + 1));
        }
        return out;
    }
    size_t n;
    struct idx_item *items = sorted_items(v, &n);
    json_t *out;
    if (sh->type == SH_LIST) {
        const struct model_shape *esh = wire_mshape(s, &s->members[sh->first]);
        out = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(out, finalize(s, items[i].v, esh, depth + 1));
    } else {
        const struct model_shape *vsh = wire_mshape(s, &s->members[sh->first + 1]);
        out = json_object();
        for (size_t i = 0; i < n; i++) {
            json_t *k = json_object_get(items[i].v, "key");
            json_t *val = json_object_get(items[i].v, "value");
            if (!json_is_string(k) || !val)
                continue; /* inferred: an entry without key or value is dropped */
            json_object_setn_new(out, json_string_value(k), json_string_length(k),
                                 finalize(s, val, vsh, depth + 1));
        }
    }
    free(items);
    return out;
}

static bool ignored_param(const struct form_pair *p)
{
    if ((p->klen == 6 && memcmp(p->key, "Action", 6) == 0) ||
        (p->klen == 7 && memcmp(p->key, "Version", 7) == 0))
        return true;
    return p->klen >= 6 && strncasecmp(p->key, "X-Amz-", 6) == 0; /* presigned auth params */
}

int wire_decode_query(struct call *c, json_t **in)
{
    struct wire_form *f = wire_form_get(c);
    struct qwalk w = {c, c->svc, c->proto == PROTO_EC2};
    json_t *root = json_object();
    *in = NULL;
    if (c->op->input < 0) {
        *in = root;
        return 0;
    }
    const struct model_shape *input = model_shape(c->svc, (uint32_t)c->op->input);
    for (size_t i = 0; i < f->n; i++) {
        if (ignored_param(&f->pairs[i]))
            continue;
        if (q_insert(&w, root, input, &f->pairs[i])) {
            json_decref(root);
            return -1;
        }
    }
    *in = finalize(c->svc, root, input, 0);
    json_decref(root);
    return 0;
}
