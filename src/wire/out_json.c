/*
 * out_json.c — renders the writer's values as awsJson 1.0/1.1: structures and maps as
 * objects, lists as arrays, timestamps as epoch seconds (a number, with a fraction when the
 * milliseconds are not 0) unless the shape says iso8601/rfc822, blobs base64, doubles in
 * their shortest round-trip form ("80.0" for integral values; NaN/Infinity as strings, as
 * Smithy's JSON protocols spell them).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wire/out_internal.h"

void out_json_string(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    buf_putc(b, '"');
    while (i < n) {
        unsigned c = p[i];
        size_t adv = 1;
        char esc[8];
        const char *rep = NULL;
        if (c >= 0x80) {
            uint32_t cp;
            adv = out_utf8_next(p + i, n - i, &cp);
            if (cp == 0xFFFD && adv == 1)
                rep = "\xEF\xBF\xBD";
        } else if (c == '"') {
            rep = "\\\"";
        } else if (c == '\\') {
            rep = "\\\\";
        } else if (c < 0x20) {
            switch (c) {
            case '\b':
                rep = "\\b";
                break;
            case '\f':
                rep = "\\f";
                break;
            case '\n':
                rep = "\\n";
                break;
            case '\r':
                rep = "\\r";
                break;
            case '\t':
                rep = "\\t";
                break;
            default:
                esc[0] = '\\';
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                esc[6] = 0;
                rep = esc;
            }
        }
        if (rep) {
            if (i > run)
                buf_put(b, p + run, i - run);
            buf_puts(b, rep);
            run = i + adv;
        }
        i += adv;
    }
    if (n > run)
        buf_put(b, p + run, n - run);
    buf_putc(b, '"');
}

/* Comma and key for a value in parent. */
static void prefix(struct out *o, const struct out_frame *parent, const struct out_slot *s)
{
    if (parent->count)
        buf_putc(&o->body, ',');
    if (parent->shape->type != SH_LIST) {
        out_json_string(&o->body, s->key, strlen(s->key));
        buf_putc(&o->body, ':');
    }
}

static void json_start(struct out *o)
{
    buf_putc(&o->body, '{');
}

static void json_finish(struct out *o)
{
    buf_putc(&o->body, '}');
}

static void json_open(struct out *o, const struct out_frame *parent, const struct out_slot *s)
{
    prefix(o, parent, s);
    buf_putc(&o->body, s->shape->type == SH_LIST ? '[' : '{');
}

static void json_close(struct out *o, const struct out_frame *parent, const struct out_frame *child)
{
    (void)parent;
    buf_putc(&o->body, child->shape->type == SH_LIST ? ']' : '}');
}

static void json_scalar(struct out *o, const struct out_frame *parent, const struct out_slot *s,
                        const struct out_val *v)
{
    struct buf *b = &o->body;
    char t[40];
    prefix(o, parent, s);
    switch (v->kind) {
    case OV_STR:
        out_json_string(b, v->s, v->n);
        break;
    case OV_INT:
        buf_printf(b, "%" PRId64, v->i);
        break;
    case OV_DOUBLE:
        out_fmt_double(v->d, t);
        if (isfinite(v->d))
            buf_puts(b, t);
        else
            out_json_string(b, t, strlen(t));
        break;
    case OV_BOOL:
        buf_puts(b, v->b ? "true" : "false");
        break;
    case OV_TIME:
        if (s->shape->ts_fmt == TS_ISO8601) {
            time_fmt_iso8601_ms(v->i, t);
            out_json_string(b, t, strlen(t));
        } else if (s->shape->ts_fmt == TS_RFC822) {
            out_fmt_http_date(v->i, t);
            out_json_string(b, t, strlen(t));
        } else {
            out_fmt_epoch(v->i, t);
            buf_puts(b, t);
        }
        break;
    case OV_BLOB:
        buf_putc(b, '"');
        out_base64(b, v->s, v->n);
        buf_putc(b, '"');
        break;
    }
}

const struct out_backend out_json_backend = {
    .start = json_start,
    .finish = json_finish,
    .open = json_open,
    .close = json_close,
    .scalar = json_scalar,
};
