/*
 * out_internal.h — private to src/wire/out*.c and respond.c: the small interface between
 * the shape-checking writer (out.c) and its three renderers (out_xml.c, out_json.c,
 * out_cbor.c), plus the string/number formatting helpers they share.
 *
 * out.c resolves every write against the current frame (structure member, list element or
 * map value), checks the types, and hands the backend a resolved slot. Backends only
 * render; they never fail.
 */
#ifndef RL_WIRE_OUT_INTERNAL_H
#define RL_WIRE_OUT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "wire/wire.h"

enum out_kind { OV_STR, OV_INT, OV_DOUBLE, OV_BOOL, OV_TIME, OV_BLOB };

/* One scalar value. s/n: string or blob bytes; i: integer or timestamp (ms). */
struct out_val {
    enum out_kind kind;
    const char *s;
    size_t n;
    int64_t i;
    double d;
    bool b;
};

/* Where the next value goes, resolved against the parent frame. */
struct out_slot {
    const struct model_shape *shape; /* the value's shape */
    const char *key;  /* structure: the member's JSON/CBOR key; map: the key; list: NULL */
    const char *elem; /* XML element of the value when the parent is a structure */
    const char *item; /* XML name of items (list) or entries (map) when the value is one */
    bool flattened;   /* the value is a flattened list/map (XML) */
};

struct out_backend {
    /* Top-level output structure: opened by out_init, closed by out_finish. */
    void (*start)(struct out *o);
    void (*finish)(struct out *o);
    /* Enters a structure/list/map value in parent. */
    void (*open)(struct out *o, const struct out_frame *parent, const struct out_slot *s);
    /* Leaves child (a value of parent). */
    void (*close)(struct out *o, const struct out_frame *parent, const struct out_frame *child);
    void (*scalar)(struct out *o, const struct out_frame *parent, const struct out_slot *s,
                   const struct out_val *v);
};

extern const struct out_backend out_xml_backend;
extern const struct out_backend out_json_backend;
extern const struct out_backend out_cbor_backend;

/*
 * Closes the top-level output and checks the writer is balanced (records o->error when
 * not). wire_respond calls it once before rendering a success.
 */
void out_finish(struct out *o);

/* Records the first misuse in o->error (heap, freed by out_free). */
void out_fail(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Decodes one UTF-8 sequence from s[0..n) (n >= 1). Returns the bytes consumed (>= 1) and
 * the code point in *cp; an invalid, overlong, surrogate or truncated sequence consumes one
 * byte and yields U+FFFD.
 */
size_t out_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* Appends code point cp as UTF-8. */
void out_utf8_put(struct buf *b, uint32_t cp);

/*
 * Escapes s[0..n) as XML 1.0 character data: & < > " ' as entities, \r as &#xD;, tab and
 * \n kept; other C0 controls, U+FFFE/U+FFFF and invalid UTF-8 become U+FFFD (inferred:
 * XML 1.0 forbids them, even as character references).
 */
void out_xml_escape(struct buf *b, const char *s, size_t n);
/*
 * Appends s[0..n) as a JSON string literal with quotes: " and \ escaped, control characters
 * as \b \f \n \r \t or \u00XX, invalid UTF-8 replaced by U+FFFD. Always valid UTF-8 JSON.
 */
void out_json_string(struct buf *b, const char *s, size_t n);
/* Appends s[0..n) as a CBOR text string (invalid UTF-8 replaced by U+FFFD). */
void out_cbor_text(struct buf *b, const char *s, size_t n);
/* Appends a CBOR head (major type 0..7, argument) in its shortest form. */
void out_cbor_head(struct buf *b, unsigned major, uint64_t arg);

/*
 * Shortest decimal that round-trips (%.15g, else %.16g, else %.17g); integral values get
 * ".0" ("80.0"); NaN / Infinity / -Infinity spelled so (Smithy's names). out >= 40 bytes.
 */
void out_fmt_double(double v, char out[40]);
/* Epoch seconds from ms: "1764352200", "1764352200.5", "1764352200.123". out >= 32. */
void out_fmt_epoch(int64_t ms, char out[32]);
/* RFC 822 / IMF-fixdate: "Sat, 28 Nov 2026 17:50:00 GMT". out >= 32. */
void out_fmt_http_date(int64_t ms, char out[32]);
/* Appends base64 of p[0..n). */
void out_base64(struct buf *b, const void *p, size_t n);

#endif
