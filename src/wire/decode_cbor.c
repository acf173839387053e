/*
 * decode_cbor.c — Smithy RPC v2 CBOR request bodies into the normalised input tree.
 *
 * libcbor decodes; before cbor_load we walk the input once with libcbor's streaming
 * decoder to bound what cbor_load would build: nesting depth (cbor_load builds on the heap,
 * but freeing and our conversion recurse), and declared array/map lengths no larger than
 * the bytes left (cbor_load allocates a definite container up front). Structure keys are
 * text strings (definite or chunked); null/undefined members are absent; tag 1 (epoch
 * seconds, int or float) is a timestamp; byte strings are blobs; half/single/double floats
 * are accepted. Anything malformed is a SerializationException (messages inferred).
 */
#include <cbor.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

/* ---------------- pre-scan ---------------- */

#define SCAN_STACK (WIRE_MAX_DEPTH + 2)

struct scan {
    size_t left; /* bytes from the current head to the end of the input */
    int depth;
    int64_t remaining[SCAN_STACK]; /* items left per open container; -1: indefinite */
    bool bad;
    bool tagged; /* the previous head was a tag: it and its item are one item */
};

/* One data item starts: count it against the enclosing definite container. */
static void scan_item(struct scan *sc)
{
    if (sc->tagged) {
        sc->tagged = false;
        return;
    }
    if (sc->depth > 0 && sc->remaining[sc->depth - 1] > 0)
        sc->remaining[sc->depth - 1]--;
}

/* Closes every finished definite container. */
static void scan_pop(struct scan *sc)
{
    while (sc->depth > 0 && sc->remaining[sc->depth - 1] == 0)
        sc->depth--;
}

static void scan_leaf(void *ctx)
{
    struct scan *sc = ctx;
    scan_item(sc);
    scan_pop(sc);
}

static void scan_push(struct scan *sc, int64_t n)
{
    if (sc->depth >= SCAN_STACK - 1) {
        sc->bad = true;
        return;
    }
    sc->remaining[sc->depth++] = n;
    scan_pop(sc); /* an empty definite container closes at once */
}

static void scan_u8(void *ctx, uint8_t v)
{
    (void)v;
    scan_leaf(ctx);
}
static void scan_u16(void *ctx, uint16_t v)
{
    (void)v;
    scan_leaf(ctx);
}
static void scan_u32(void *ctx, uint32_t v)
{
    (void)v;
    scan_leaf(ctx);
}
static void scan_u64(void *ctx, uint64_t v)
{
    (void)v;
    scan_leaf(ctx);
}
static void scan_str(void *ctx, cbor_data p, size_t n)
{
    (void)p;
    (void)n;
    scan_leaf(ctx);
}
static void scan_f(void *ctx, float v)
{
    (void)v;
    scan_leaf(ctx);
}
static void scan_d(void *ctx, double v)
{
    (void)v;
    scan_leaf(ctx);
}
static void scan_b(void *ctx, bool v)
{
    (void)v;
    scan_leaf(ctx);
}
static void scan_indef(void *ctx)
{
    struct scan *sc = ctx;
    scan_item(sc);
    scan_push(sc, -1);
}
static void scan_array(void *ctx, size_t n)
{
    struct scan *sc = ctx;
    scan_item(sc);
    if (n > sc->left) { /* each element takes at least one byte */
        sc->bad = true;
        return;
    }
    scan_push(sc, (int64_t)n);
}
static void scan_map(void *ctx, size_t n)
{
    struct scan *sc = ctx;
    scan_item(sc);
    if (n > sc->left / 2) {
        sc->bad = true;
        return;
    }
    scan_push(sc, (int64_t)n * 2);
}
static void scan_tag(void *ctx, uint64_t v)
{
    struct scan *sc = ctx;
    (void)v;
    scan_item(sc);
    sc->tagged = true;
}
static void scan_break(void *ctx)
{
    struct scan *sc = ctx;
    if (sc->depth == 0 || sc->remaining[sc->depth - 1] != -1) {
        sc->bad = true;
        return;
    }
    sc->depth--;
    scan_pop(sc);
}

static const struct cbor_callbacks scan_callbacks = {
    .uint8 = scan_u8,
    .uint16 = scan_u16,
    .uint32 = scan_u32,
    .uint64 = scan_u64,
    .negint8 = scan_u8,
    .negint16 = scan_u16,
    .negint32 = scan_u32,
    .negint64 = scan_u64,
    .byte_string_start = scan_indef,
    .byte_string = scan_str,
    .string = scan_str,
    .string_start = scan_indef,
    .indef_array_start = scan_indef,
    .array_start = scan_array,
    .indef_map_start = scan_indef,
    .map_start = scan_map,
    .tag = scan_tag,
    .float2 = scan_f,
    .float4 = scan_f,
    .float8 = scan_d,
    .undefined = scan_leaf,
    .null = scan_leaf,
    .boolean = scan_b,
    .indef_break = scan_break,
};

/* 0 when buf holds exactly one well-formed, bounded data item. */
static int cbor_prescan(const unsigned char *buf, size_t len)
{
    struct scan sc;
    memset(&sc, 0, sizeof(sc));
    size_t off = 0;
    bool started = false;
    while (off < len) {
        if (started && sc.depth == 0 && !sc.tagged)
            return -1;       /* trailing bytes after the item */
        sc.left = len - off; /* bound for the lengths this head may declare */
        struct cbor_decoder_result r =
            cbor_stream_decode(buf + off, len - off, &scan_callbacks, &sc);
        if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
            return -1;
        off += r.read;
        started = true;
        if (sc.bad)
            return -1;
    }
    return started && sc.depth == 0 && !sc.tagged ? 0 : -1;
}

/* ---------------- conversion ---------------- */

struct cdec {
    struct call *c;
    const struct model_service *s;
};

static int bad(struct cdec *d, const char *what)
{
    return wire_fail_serialization(d->c, "%s", what); /* inferred wording */
}

/* A text or byte string's bytes, chunks joined, in the arena. */
static int string_bytes(struct cdec *d, cbor_item_t *it, const char **p, size_t *n)
{
    bool text = cbor_isa_string(it);
    if (!text && !cbor_isa_bytestring(it))
        return -1;
    bool definite = text ? cbor_string_is_definite(it) : cbor_bytestring_is_definite(it);
    if (definite) {
        size_t len = text ? cbor_string_length(it) : cbor_bytestring_length(it);
        const unsigned char *h = text ? cbor_string_handle(it) : cbor_bytestring_handle(it);
        char *o = arena_alloc(d->c->a, len + 1);
        if (len)
            memcpy(o, h, len);
        o[len] = 0;
        *p = o;
        *n = len;
        return 0;
    }
    size_t cnt = text ? cbor_string_chunk_count(it) : cbor_bytestring_chunk_count(it);
    cbor_item_t **ch = text ? cbor_string_chunks_handle(it) : cbor_bytestring_chunks_handle(it);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < cnt; i++) {
        const char *cp;
        size_t cn;
        /* chunks of an indefinite string must be definite strings of the same type */
        if (cbor_isa_string(ch[i]) != text || string_bytes(d, ch[i], &cp, &cn)) {
            buf_free(&b);
            return -1;
        }
        buf_put(&b, cp, cn);
    }
    char *o = arena_alloc(d->c->a, b.len + 1);
    if (b.len)
        memcpy(o, b.p, b.len);
    o[b.len] = 0;
    *p = o;
    *n = b.len;
    buf_free(&b);
    return 0;
}

/* libcbor 0.8's cbor_is_null/cbor_is_bool/cbor_get_bool assert (abort) when handed a
 * float: only ask a simple value ("ctrl") for its value. */
static bool is_ctrl(const cbor_item_t *it)
{
    return cbor_isa_float_ctrl(it) && cbor_float_ctrl_is_ctrl(it);
}

static bool absent(const cbor_item_t *it)
{
    return is_ctrl(it) &&
           (cbor_ctrl_value(it) == CBOR_CTRL_NULL || cbor_ctrl_value(it) == CBOR_CTRL_UNDEF);
}

static bool is_bool(const cbor_item_t *it)
{
    return is_ctrl(it) &&
           (cbor_ctrl_value(it) == CBOR_CTRL_TRUE || cbor_ctrl_value(it) == CBOR_CTRL_FALSE);
}

/* Integer value of an int item; -1 when it does not fit int64. */
static int int_value(const cbor_item_t *it, int64_t *out)
{
    if (!cbor_is_int(it))
        return -1;
    uint64_t u = cbor_get_int(it);
    if (cbor_isa_uint(it)) {
        if (u > (uint64_t)INT64_MAX)
            return -1;
        *out = (int64_t)u;
        return 0;
    }
    if (cbor_isa_negint(it)) {
        if (u > (uint64_t)INT64_MAX)
            return -1;
        *out = -1 - (int64_t)u;
        return 0;
    }
    return -1;
}

static int conv(struct cdec *d, cbor_item_t *it, const struct model_shape *sh, int depth,
                json_t **out);

static int conv_struct(struct cdec *d, cbor_item_t *it, const struct model_shape *sh, int depth,
                       json_t **out, bool is_map)
{
    if (!cbor_isa_map(it))
        return bad(d, is_map ? "Expected a map." : "Expected a structure.");
    const struct model_shape *vsh =
        is_map ? wire_mshape(d->s, &d->s->members[sh->first + 1]) : NULL;
    size_t n = cbor_map_size(it);
    struct cbor_pair *pairs = cbor_map_handle(it);
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        const char *k;
        size_t kn;
        if (!cbor_isa_string(pairs[i].key) || string_bytes(d, pairs[i].key, &k, &kn)) {
            json_decref(o);
            return bad(d, "Map keys must be text strings.");
        }
        if (absent(pairs[i].value))
            continue;
        const struct model_member *m = NULL;
        const struct model_shape *msh = vsh;
        if (!is_map) {
            m = wire_member_by_json_key(d->s, sh, k, kn);
            if (!m)
                continue; /* unknown member: ignored (inferred) */
            msh = wire_mshape(d->s, m);
        }
        json_t *cv;
        if (conv(d, pairs[i].value, msh, depth + 1, &cv)) {
            json_decref(o);
            return -1;
        }
        int rc = m ? json_object_set_new(o, m->name, cv) : json_object_setn_new(o, k, kn, cv);
        if (rc) { /* a map key that is not valid UTF-8 */
            json_decref(o);
            return bad(d, "Invalid map key.");
        }
    }
    *out = o;
    return 0;
}

static int conv(struct cdec *d, cbor_item_t *it, const struct model_shape *sh, int depth,
                json_t **out)
{
    const struct model_service *s = d->s;
    *out = NULL;
    if (depth > WIRE_MAX_DEPTH)
        return bad(d, "Input nested too deeply.");
    /* tag 1 (epoch time) is the only tag with meaning; others are looked through */
    while (cbor_isa_tag(it)) {
        if (cbor_tag_value(it) == 1 && sh->type != SH_TIMESTAMP)
            return bad(d, "Unexpected timestamp.");
        cbor_item_t *inner = cbor_tag_item(it), *ref = inner;
        cbor_decref(&ref); /* cbor_tag_item increfs; the tag keeps it alive */
        it = inner;
    }
    switch (sh->type) {
    case SH_STRUCTURE:
        if (sh->flags & SHF_DOCUMENT)
            return bad(d, "Document values are not supported."); /* none in our models */
        return conv_struct(d, it, sh, depth, out, false);
    case SH_MAP:
        return conv_struct(d, it, sh, depth, out, true);
    case SH_LIST: {
        if (!cbor_isa_array(it))
            return bad(d, "Expected a list.");
        const struct model_shape *esh = wire_mshape(s, &s->members[sh->first]);
        size_t n = cbor_array_size(it);
        cbor_item_t **h = cbor_array_handle(it);
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            if (absent(h[i]))
                continue;
            json_t *cv;
            if (conv(d, h[i], esh, depth + 1, &cv)) {
                json_decref(a);
                return -1;
            }
            json_array_append_new(a, cv);
        }
        *out = a;
        return 0;
    }
    case SH_STRING: {
        const char *p;
        size_t n;
        if (!cbor_isa_string(it) || string_bytes(d, it, &p, &n))
            return bad(d, "Expected a text string.");
        *out = json_stringn(p, n);
        return *out ? 0 : bad(d, "Invalid UTF-8 in a text string.");
    }
    case SH_BLOB: {
        const char *p;
        size_t n;
        if (!cbor_isa_bytestring(it) || string_bytes(d, it, &p, &n))
            return bad(d, "Expected a byte string.");
        *out = json_stringn_nocheck(p, n);
        return 0;
    }
    case SH_INTEGER:
    case SH_LONG: {
        int64_t v;
        if (!cbor_is_int(it) || int_value(it, &v))
            return bad(d, "Expected an integer.");
        if (sh->type == SH_INTEGER && (v < INT32_MIN || v > INT32_MAX))
            return bad(d, "Integer out of range.");
        *out = json_integer(v);
        return 0;
    }
    case SH_FLOAT:
    case SH_DOUBLE: {
        double v;
        int64_t iv;
        if (cbor_is_float(it)) {
            v = cbor_float_get_float(it);
        } else if (cbor_is_int(it) && int_value(it, &iv) == 0) {
            v = (double)iv;
        } else {
            return bad(d, "Expected a number.");
        }
        if (!isfinite(v)) /* inferred: NaN/Infinity are not representable here */
            return bad(d, "Non-finite numbers are not supported.");
        *out = json_real(v);
        return 0;
    }
    case SH_BOOLEAN:
        if (!is_bool(it))
            return bad(d, "Expected a boolean.");
        *out = json_boolean(cbor_ctrl_value(it) == CBOR_CTRL_TRUE);
        return 0;
    case SH_TIMESTAMP: {
        double secs;
        int64_t iv, ms;
        if (cbor_is_float(it))
            secs = cbor_float_get_float(it);
        else if (cbor_is_int(it) && int_value(it, &iv) == 0)
            secs = (double)iv;
        else
            return bad(d, "Expected a timestamp.");
        if (wire_epoch_seconds_to_ms(secs, &ms))
            return bad(d, "Timestamp out of range.");
        *out = json_integer(ms);
        return 0;
    }
    }
    return bad(d, "Unexpected value.");
}

int wire_decode_cbor(struct call *c, json_t **in)
{
    const struct request *rq = c->rq;
    struct cdec d = {c, c->svc};
    struct cbor_load_result res;
    cbor_item_t *root = NULL;
    int rc = -1;

    *in = NULL;
    if (rq->body_len == 0) { /* inferred: no body is an empty input structure */
        *in = json_object();
        return 0;
    }
    if (cbor_prescan((const unsigned char *)rq->body, rq->body_len))
        return wire_fail_serialization(c, "Malformed CBOR body.");
    root = cbor_load((const unsigned char *)rq->body, rq->body_len, &res);
    if (!root || res.error.code != CBOR_ERR_NONE)
        return wire_fail_serialization(c, "Malformed CBOR body.");
    if (c->op->input < 0) {
        if (!cbor_isa_map(root)) {
            wire_fail_serialization(c, "Expected a structure.");
        } else {
            *in = json_object();
            rc = 0;
        }
        goto out;
    }
    rc = conv(&d, root, model_shape(c->svc, (uint32_t)c->op->input), 0, in);
out:
    cbor_decref(&root);
    return rc;
}
