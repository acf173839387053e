/*
 * out.c — the shape-guided output writer: handlers address values by member name, this
 * file checks every write against the operation's output shape and hands the resolved
 * value to the protocol's renderer (out_xml.c, out_json.c, out_cbor.c).
 *
 * A misuse (unknown member, wrong type, unbalanced begin/end) is a bug in the handler: it
 * records o->error (first one wins), every later write is ignored, and wire_respond turns
 * the call into a 500 InternalFailure.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "wire/out_internal.h"

static const char *shape_type_name(const struct model_shape *sh)
{
    static const char *const names[] = {"?",      "structure", "list",      "map",
                                        "string", "integer",   "long",      "float",
                                        "double", "boolean",   "timestamp", "blob"};
    return sh && sh->type < ARRAY_LEN(names) ? names[sh->type] : "?";
}

void out_fail(struct out *o, const char *fmt, ...)
{
    if (o->error)
        return;
    va_list ap;
    struct buf b = BUF_INIT;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    o->error = buf_steal(&b);
}

static const struct out_backend *backend(enum proto p)
{
    switch (p) {
    case PROTO_QUERY:
    case PROTO_EC2:
        return &out_xml_backend;
    case PROTO_JSON:
        return &out_json_backend;
    case PROTO_CBOR:
        return &out_cbor_backend;
    }
    return NULL;
}

/*
 * Prepares o for op's output in proto: frame 0 is the output structure (shape NULL when
 * the operation has none; any write is then a misuse).
 */
void out_init(struct out *o, enum proto proto, const struct model_service *svc,
              const struct model_op *op)
{
    memset(o, 0, sizeof(*o));
    o->proto = proto;
    o->svc = svc;
    o->op = op;
    if (svc && op && op->output >= 0 && (uint32_t)op->output < svc->nshapes)
        o->stack[0].shape = &svc->shapes[op->output];
    const struct out_backend *be = backend(proto);
    if (!be) {
        out_fail(o, "no output renderer for protocol %d", (int)proto);
        return;
    }
    be->start(o);
}

/* Releases the body and the error text; o may be zeroed (never initialised). */
void out_free(struct out *o)
{
    buf_free(&o->body);
    free((char *)o->error);
    o->error = NULL;
}

void out_finish(struct out *o)
{
    const struct out_backend *be = backend(o->proto);
    if (!be) {
        out_fail(o, "no output renderer for protocol %d", (int)o->proto);
        return;
    }
    if (o->error)
        return;
    if (o->depth != 0) {
        const struct out_frame *f = &o->stack[o->depth];
        out_fail(o, "%d unclosed out_begin (innermost %s %s)", o->depth, shape_type_name(f->shape),
                 f->shape ? f->shape->name : "?");
        return;
    }
    be->finish(o);
}

static const struct model_member *find_member(const struct model_service *svc,
                                              const struct model_shape *st, const char *name)
{
    for (uint32_t i = 0; i < st->count; i++) {
        const struct model_member *m = &svc->members[st->first + i];
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

static bool is_flattened(const struct model_member *m, const struct model_shape *sh)
{
    return (sh->flags & SHF_FLATTENED) || (m && (m->flags & MBF_FLATTENED));
}

/*
 * Resolves where a write of `member` lands in the current frame. 0 ok, -1 after out_fail.
 */
static int resolve(struct out *o, const char *member, struct out_slot *s)
{
    if (o->error)
        return -1;
    const struct out_frame *f = &o->stack[o->depth];
    const struct model_service *svc = o->svc;
    if (!f->shape || !svc) {
        out_fail(o, "write of '%s' but operation %s has no output", member ? member : "(null)",
                 o->op ? o->op->name : "?");
        return -1;
    }
    memset(s, 0, sizeof(*s));
    const struct model_member *m = NULL;
    switch (f->shape->type) {
    case SH_STRUCTURE:
        if (!member) {
            out_fail(o, "NULL member name inside structure %s", f->shape->name);
            return -1;
        }
        m = find_member(svc, f->shape, member);
        if (!m) {
            out_fail(o, "unknown member '%s' in %s", member, f->shape->name);
            return -1;
        }
        s->key = (o->proto == PROTO_JSON && m->location_name) ? m->location_name : m->name;
        s->elem = m->location_name ? m->location_name : m->name;
        break;
    case SH_LIST:
        if (member) {
            out_fail(o, "member name '%s' inside list %s (must be NULL)", member, f->shape->name);
            return -1;
        }
        m = &svc->members[f->shape->first];
        break;
    case SH_MAP:
        if (!member) {
            out_fail(o, "NULL key inside map %s", f->shape->name);
            return -1;
        }
        m = &svc->members[f->shape->first + 1];
        s->key = member;
        break;
    default:
        out_fail(o, "write inside scalar %s", f->shape->name);
        return -1;
    }
    s->shape = &svc->shapes[m->shape];
    if (s->shape->type == SH_LIST) {
        const struct model_member *el = &svc->members[s->shape->first];
        /* Only a structure member can be flattened (the element repeats in the parent). */
        s->flattened = f->shape->type == SH_STRUCTURE && is_flattened(m, s->shape);
        if (s->flattened) {
            /* botocore _member_key_name: the element's locationName, else the member's. */
            s->item = el->location_name ? el->location_name : s->elem;
            s->elem = NULL;
        } else {
            s->item =
                el->location_name ? el->location_name : (o->proto == PROTO_EC2 ? "item" : "member");
        }
    } else if (s->shape->type == SH_MAP) {
        s->flattened = f->shape->type == SH_STRUCTURE && is_flattened(m, s->shape);
        if (s->flattened) {
            s->item = s->elem;
            s->elem = NULL;
        } else {
            s->item = "entry";
        }
    }
    return 0;
}

void out_begin(struct out *o, const char *member)
{
    struct out_slot s;
    if (resolve(o, member, &s))
        return;
    uint8_t t = s.shape->type;
    if (t != SH_STRUCTURE && t != SH_LIST && t != SH_MAP) {
        out_fail(o, "out_begin on %s '%s' (%s)", shape_type_name(s.shape),
                 member ? member : "(item)", s.shape->name);
        return;
    }
    if (o->depth + 1 >= OUT_MAX_DEPTH) {
        out_fail(o, "output nesting deeper than %d", OUT_MAX_DEPTH);
        return;
    }
    struct out_frame *parent = &o->stack[o->depth];
    backend(o->proto)->open(o, parent, &s);
    parent->count++;
    struct out_frame *child = &o->stack[++o->depth];
    child->shape = s.shape;
    child->count = 0;
    child->elem = s.elem;
    child->item = s.item;
    child->flattened = s.flattened;
}

void out_end(struct out *o)
{
    if (o->error)
        return;
    if (o->depth <= 0) {
        out_fail(o, "out_end without a matching out_begin");
        return;
    }
    backend(o->proto)->close(o, &o->stack[o->depth - 1], &o->stack[o->depth]);
    o->depth--;
}

static void put_scalar(struct out *o, const char *member, const struct out_val *v)
{
    struct out_slot s;
    if (resolve(o, member, &s))
        return;
    uint8_t t = s.shape->type;
    bool ok;
    switch (v->kind) {
    case OV_STR:
        ok = t == SH_STRING;
        break;
    case OV_INT:
        /* An integer is also a fine value for a float/double member. */
        ok = t == SH_INTEGER || t == SH_LONG || t == SH_FLOAT || t == SH_DOUBLE;
        if (ok && t == SH_INTEGER && (v->i < INT32_MIN || v->i > INT32_MAX)) {
            out_fail(o, "value %" PRId64 " out of range for integer '%s' (%s)", v->i,
                     member ? member : "(item)", s.shape->name);
            return;
        }
        break;
    case OV_DOUBLE:
        ok = t == SH_FLOAT || t == SH_DOUBLE;
        break;
    case OV_BOOL:
        ok = t == SH_BOOLEAN;
        break;
    case OV_TIME:
        ok = t == SH_TIMESTAMP;
        break;
    case OV_BLOB:
        ok = t == SH_BLOB;
        break;
    default:
        ok = false;
    }
    if (!ok) {
        static const char *const kinds[] = {"string",  "integer",   "double",
                                            "boolean", "timestamp", "blob"};
        out_fail(o, "%s written to %s '%s' (%s)", kinds[v->kind], shape_type_name(s.shape),
                 member ? member : "(item)", s.shape->name);
        return;
    }
    struct out_val w = *v;
    if (v->kind == OV_INT && (t == SH_FLOAT || t == SH_DOUBLE)) {
        w.kind = OV_DOUBLE;
        w.d = (double)v->i;
    }
    struct out_frame *parent = &o->stack[o->depth];
    backend(o->proto)->scalar(o, parent, &s, &w);
    parent->count++;
}

/* A NULL string writes nothing (the member is absent), as AWS omits unset members. */
void out_str(struct out *o, const char *member, const char *v)
{
    if (!v)
        return;
    out_strn(o, member, v, strlen(v));
}

void out_strn(struct out *o, const char *member, const char *v, size_t n)
{
    if (!v)
        return;
    struct out_val x = {.kind = OV_STR, .s = v, .n = n};
    put_scalar(o, member, &x);
}

void out_int(struct out *o, const char *member, int64_t v)
{
    struct out_val x = {.kind = OV_INT, .i = v};
    put_scalar(o, member, &x);
}

void out_double(struct out *o, const char *member, double v)
{
    struct out_val x = {.kind = OV_DOUBLE, .d = v};
    put_scalar(o, member, &x);
}

void out_bool(struct out *o, const char *member, bool v)
{
    struct out_val x = {.kind = OV_BOOL, .b = v};
    put_scalar(o, member, &x);
}

void out_time(struct out *o, const char *member, int64_t ms)
{
    struct out_val x = {.kind = OV_TIME, .i = ms};
    put_scalar(o, member, &x);
}

void out_blob(struct out *o, const char *member, const void *p, size_t n)
{
    struct out_val x = {.kind = OV_BLOB, .s = p ? p : "", .n = p ? n : 0};
    put_scalar(o, member, &x);
}

static void json_children(struct out *o, const json_t *v, bool list)
{
    if (list) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) out_json(o, NULL, e);
    } else {
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e) out_json(o, k, e);
    }
}

/*
 * Writes a jansson value under member, guided by its shape. json null writes nothing.
 * Extension: with member NULL inside a structure, an object's keys are written as members
 * of the current structure (dumps a whole output object).
 */
void out_json(struct out *o, const char *member, const json_t *v)
{
    if (o->error || !v || json_is_null(v))
        return;
    const struct out_frame *f = &o->stack[o->depth];
    if (!member && f->shape && f->shape->type == SH_STRUCTURE && json_is_object(v)) {
        json_children(o, v, false);
        return;
    }
    struct out_slot s;
    if (resolve(o, member, &s))
        return;
    const char *what = member ? member : "(item)";
    switch (s.shape->type) {
    case SH_STRUCTURE:
    case SH_MAP:
        if (!json_is_object(v))
            break;
        out_begin(o, member);
        json_children(o, v, false);
        out_end(o);
        return;
    case SH_LIST:
        if (!json_is_array(v))
            break;
        out_begin(o, member);
        json_children(o, v, true);
        out_end(o);
        return;
    case SH_STRING:
        if (!json_is_string(v))
            break;
        out_strn(o, member, json_string_value(v), json_string_length(v));
        return;
    case SH_BLOB:
        if (!json_is_string(v))
            break;
        out_blob(o, member, json_string_value(v), json_string_length(v));
        return;
    case SH_INTEGER:
    case SH_LONG:
        if (json_is_integer(v)) {
            out_int(o, member, json_integer_value(v));
            return;
        }
        if (json_is_real(v)) {
            double d = json_real_value(v);
            if (d >= -9.2e18 && d <= 9.2e18 && d == floor(d)) {
                out_int(o, member, (int64_t)d);
                return;
            }
        }
        break;
    case SH_FLOAT:
    case SH_DOUBLE:
        if (!json_is_number(v))
            break;
        out_double(o, member, json_number_value(v));
        return;
    case SH_BOOLEAN:
        if (!json_is_boolean(v))
            break;
        out_bool(o, member, json_is_true(v));
        return;
    case SH_TIMESTAMP:
        if (json_is_integer(v)) {
            out_time(o, member, json_integer_value(v));
            return;
        }
        if (json_is_real(v) && isfinite(json_real_value(v)) && fabs(json_real_value(v)) < 9e18) {
            out_time(o, member, (int64_t)llround(json_real_value(v)));
            return;
        }
        if (json_is_string(v)) {
            int64_t ms;
            if (time_parse_iso8601(json_string_value(v), &ms) == 0) {
                out_time(o, member, ms);
                return;
            }
        }
        break;
    }
    out_fail(o, "json %s does not fit %s '%s' (%s)",
             json_is_object(v)   ? "object"
             : json_is_array(v)  ? "array"
             : json_is_string(v) ? "string"
             : json_is_number(v) ? "number"
                                 : "boolean",
             shape_type_name(s.shape), what, s.shape->name);
}

/* ---------------- shared formatting ---------------- */

size_t out_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        goto bad;
    }
    if (n < len)
        goto bad;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    return len;
bad:
    *cp = 0xFFFD;
    return 1;
}

void out_utf8_put(struct buf *b, uint32_t cp)
{
    char t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_put(b, t, n);
}

void out_fmt_double(double v, char out[40])
{
    if (isnan(v)) {
        snprintf(out, 40, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, 40, "%s", v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    if (!strpbrk(out, ".eE")) {
        size_t n = strlen(out);
        snprintf(out + n, 40 - n, ".0");
    }
}

void out_fmt_epoch(int64_t ms, char out[32])
{
    const char *sign = "";
    uint64_t u = (uint64_t)ms;
    if (ms < 0) {
        sign = "-";
        u = (uint64_t)0 - (uint64_t)ms;
    }
    uint64_t sec = u / 1000, frac = u % 1000;
    if (frac == 0)
        snprintf(out, 32, "%s%" PRIu64, sign, sec);
    else if (frac % 100 == 0)
        snprintf(out, 32, "%s%" PRIu64 ".%" PRIu64, sign, sec, frac / 100);
    else if (frac % 10 == 0)
        snprintf(out, 32, "%s%" PRIu64 ".%02" PRIu64, sign, sec, frac / 10);
    else
        snprintf(out, 32, "%s%" PRIu64 ".%03" PRIu64, sign, sec, frac);
}

void out_fmt_http_date(int64_t ms, char out[32])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t s = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void out_base64(struct buf *b, const void *p, size_t n)
{
    /* EVP_EncodeBlock takes an int length: encode in chunks of a multiple of 3 bytes. */
    const unsigned char *in = p;
    unsigned char tmp[4 * 1024 + 1];
    while (n > 0) {
        size_t chunk = n > 3 * 1024 ? 3 * 1024 : n;
        int w = EVP_EncodeBlock(tmp, in, (int)chunk);
        buf_put(b, tmp, (size_t)w);
        in += chunk;
        n -= chunk;
    }
    if (!b->p)
        buf_put(b, "", 0);
}
