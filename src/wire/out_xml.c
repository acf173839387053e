/*
 * out_xml.c — renders the writer's values as Query / EC2 XML (the result body only; the
 * <OpResponse> envelope is respond.c's). Element names were resolved by out.c from the
 * model: a structure member is <locationName|name>, list items are <member> (Query) /
 * <item> (EC2) or the element's locationName, flattened lists repeat their element in the
 * parent, maps are <entry><key/><value/></entry> (key/value locationNames respected).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "wire/out_internal.h"

void out_xml_escape(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* run: start of bytes to copy verbatim */
    while (i < n) {
        unsigned c = p[i];
        const char *rep = NULL;
        size_t adv = 1;
        uint32_t cp = c;
        if (c >= 0x80) {
            adv = out_utf8_next(p + i, n - i, &cp);
            if (cp == 0xFFFD && adv == 1)
                rep = "\xEF\xBF\xBD"; /* invalid UTF-8 */
            else if (cp == 0xFFFE || cp == 0xFFFF)
                rep = "\xEF\xBF\xBD"; /* not XML 1.0 characters */
        } else {
            switch (c) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = "&quot;";
                break;
            case '\'':
                rep = "&apos;";
                break;
            case '\r':
                rep = "&#xD;";
                break;
            case '\t':
            case '\n':
                break;
            default:
                if (c < 0x20)
                    rep = "\xEF\xBF\xBD"; /* C0 control: illegal in XML 1.0 (inferred) */
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
    if (!b->p)
        buf_put(b, "", 0);
}

static void open_tag(struct buf *b, const char *name)
{
    buf_putc(b, '<');
    buf_puts(b, name);
    buf_putc(b, '>');
}

static void close_tag(struct buf *b, const char *name)
{
    buf_puts(b, "</");
    buf_puts(b, name);
    buf_putc(b, '>');
}

static const char *map_key_name(const struct out *o, const struct model_shape *map)
{
    const char *n = o->svc->members[map->first].location_name;
    return n ? n : "key";
}

static const char *map_value_name(const struct out *o, const struct model_shape *map)
{
    const char *n = o->svc->members[map->first + 1].location_name;
    return n ? n : "value";
}

/* Opens the value's position in parent. Returns false when nothing is opened (a flattened
 * list/map in a structure: its items carry the name). */
static bool prefix(struct out *o, const struct out_frame *parent, const struct out_slot *s)
{
    struct buf *b = &o->body;
    switch (parent->shape->type) {
    case SH_STRUCTURE:
        if (s->flattened)
            return false;
        open_tag(b, s->elem);
        return true;
    case SH_LIST:
        open_tag(b, parent->item);
        return true;
    case SH_MAP:
        open_tag(b, parent->item);
        open_tag(b, map_key_name(o, parent->shape));
        out_xml_escape(b, s->key, strlen(s->key));
        close_tag(b, map_key_name(o, parent->shape));
        open_tag(b, map_value_name(o, parent->shape));
        return true;
    }
    return false;
}

static void suffix(struct out *o, const struct out_frame *parent, const char *elem)
{
    struct buf *b = &o->body;
    switch (parent->shape->type) {
    case SH_STRUCTURE:
        close_tag(b, elem);
        break;
    case SH_LIST:
        close_tag(b, parent->item);
        break;
    case SH_MAP:
        close_tag(b, map_value_name(o, parent->shape));
        close_tag(b, parent->item);
        break;
    }
}

static void xml_start(struct out *o)
{
    buf_put(&o->body, "", 0);
}

static void xml_finish(struct out *o)
{
    (void)o;
}

static void xml_open(struct out *o, const struct out_frame *parent, const struct out_slot *s)
{
    prefix(o, parent, s);
}

static void xml_close(struct out *o, const struct out_frame *parent, const struct out_frame *child)
{
    if (parent->shape->type == SH_STRUCTURE && child->flattened)
        return;
    suffix(o, parent, child->elem);
}

static void xml_scalar(struct out *o, const struct out_frame *parent, const struct out_slot *s,
                       const struct out_val *v)
{
    struct buf *b = &o->body;
    char t[40];
    prefix(o, parent, s);
    switch (v->kind) {
    case OV_STR:
        out_xml_escape(b, v->s, v->n);
        break;
    case OV_INT:
        buf_printf(b, "%" PRId64, v->i);
        break;
    case OV_DOUBLE:
        out_fmt_double(v->d, t);
        buf_puts(b, t);
        break;
    case OV_BOOL:
        buf_puts(b, v->b ? "true" : "false");
        break;
    case OV_TIME:
        if (s->shape->ts_fmt == TS_EPOCH)
            out_fmt_epoch(v->i, t);
        else if (s->shape->ts_fmt == TS_RFC822)
            out_fmt_http_date(v->i, t);
        else /* EC2 always shows milliseconds ("…T13:49:12.000Z") [obs]; Query services
              * the same (inferred: botocore reads both forms) */
            time_fmt_iso8601_ms(v->i, t);
        buf_puts(b, t);
        break;
    case OV_BLOB:
        out_base64(b, v->s, v->n);
        break;
    }
    suffix(o, parent, s->elem);
}

const struct out_backend out_xml_backend = {
    .start = xml_start,
    .finish = xml_finish,
    .open = xml_open,
    .close = xml_close,
    .scalar = xml_scalar,
};
