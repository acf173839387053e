/*
 * out_cbor.c — renders the writer's values as Smithy RPC v2 CBOR: structures and maps as
 * indefinite-length maps with text keys, lists as indefinite-length arrays (AWS itself
 * answers with indefinite-length containers, LocalStack's serializer notes; botocore's
 * parser reads both forms), timestamps as tag 1 + float64 epoch seconds, doubles as
 * float64, blobs as byte strings, integers in their shortest head.
 */
#include <math.h>
#include <string.h>

#include "wire/out_internal.h"

#define CBOR_UINT 0
#define CBOR_NEGINT 1
#define CBOR_BYTES 2
#define CBOR_TEXT 3
#define CBOR_TAG 6

void out_cbor_head(struct buf *b, unsigned major, uint64_t arg)
{
    unsigned char t[9];
    size_t n;
    unsigned m = (major & 7) << 5;
    if (arg < 24) {
        t[0] = (unsigned char)(m | arg);
        n = 1;
    } else if (arg <= 0xFF) {
        t[0] = (unsigned char)(m | 24);
        t[1] = (unsigned char)arg;
        n = 2;
    } else if (arg <= 0xFFFF) {
        t[0] = (unsigned char)(m | 25);
        t[1] = (unsigned char)(arg >> 8);
        t[2] = (unsigned char)arg;
        n = 3;
    } else if (arg <= 0xFFFFFFFFu) {
        t[0] = (unsigned char)(m | 26);
        for (int i = 0; i < 4; i++)
            t[1 + i] = (unsigned char)(arg >> (24 - 8 * i));
        n = 5;
    } else {
        t[0] = (unsigned char)(m | 27);
        for (int i = 0; i < 8; i++)
            t[1 + i] = (unsigned char)(arg >> (56 - 8 * i));
        n = 9;
    }
    buf_put(b, t, n);
}

void out_cbor_text(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    /* Fast path: valid UTF-8 is copied as is. */
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t adv = out_utf8_next(p + i, n - i, &cp);
        if (cp == 0xFFFD && adv == 1 && p[i] >= 0x80)
            break;
        i += adv;
    }
    if (i == n) {
        out_cbor_head(b, CBOR_TEXT, n);
        buf_put(b, s, n);
        return;
    }
    struct buf t = BUF_INIT;
    for (i = 0; i < n;) {
        uint32_t cp;
        i += out_utf8_next(p + i, n - i, &cp);
        out_utf8_put(&t, cp);
    }
    out_cbor_head(b, CBOR_TEXT, t.len);
    buf_put(b, t.p, t.len);
    buf_free(&t);
}

static void cbor_double(struct buf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    unsigned char t[9];
    t[0] = 0xFB;
    for (int i = 0; i < 8; i++)
        t[1 + i] = (unsigned char)(u >> (56 - 8 * i));
    buf_put(b, t, 9);
}

static void prefix(struct out *o, const struct out_frame *parent, const struct out_slot *s)
{
    if (parent->shape->type != SH_LIST)
        out_cbor_text(&o->body, s->key, strlen(s->key));
}

static void cbor_start(struct out *o)
{
    buf_putc(&o->body, (char)0xBF);
}

static void cbor_finish(struct out *o)
{
    buf_putc(&o->body, (char)0xFF);
}

static void cbor_open(struct out *o, const struct out_frame *parent, const struct out_slot *s)
{
    prefix(o, parent, s);
    buf_putc(&o->body, (char)(s->shape->type == SH_LIST ? 0x9F : 0xBF));
}

static void cbor_close(struct out *o, const struct out_frame *parent, const struct out_frame *child)
{
    (void)parent;
    (void)child;
    buf_putc(&o->body, (char)0xFF);
}

static void cbor_scalar(struct out *o, const struct out_frame *parent, const struct out_slot *s,
                        const struct out_val *v)
{
    struct buf *b = &o->body;
    prefix(o, parent, s);
    switch (v->kind) {
    case OV_STR:
        out_cbor_text(b, v->s, v->n);
        break;
    case OV_INT:
        if (v->i >= 0)
            out_cbor_head(b, CBOR_UINT, (uint64_t)v->i);
        else
            out_cbor_head(b, CBOR_NEGINT, (uint64_t)(-(v->i + 1)));
        break;
    case OV_DOUBLE:
        cbor_double(b, v->d);
        break;
    case OV_BOOL:
        buf_putc(b, (char)(v->b ? 0xF5 : 0xF4));
        break;
    case OV_TIME:
        out_cbor_head(b, CBOR_TAG, 1);
        cbor_double(b, (double)v->i / 1000.0);
        break;
    case OV_BLOB:
        out_cbor_head(b, CBOR_BYTES, v->n);
        buf_put(b, v->s, v->n);
        break;
    }
}

const struct out_backend out_cbor_backend = {
    .start = cbor_start,
    .finish = cbor_finish,
    .open = cbor_open,
    .close = cbor_close,
    .scalar = cbor_scalar,
};
