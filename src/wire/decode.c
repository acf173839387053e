/*
 * decode.c — wire_decode(): picks the decoder for the call's protocol; plus the scalar
 * conversions every decoder shares (numbers, booleans, timestamps, base64 blobs) and the
 * input tree helpers of wire.h.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "base/base.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

bool wire_list_has(const json_t *list, const char *s)
{
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        if (str_eq(json_string_value(e), s))
            return true;
    }
    return false;
}

/* ±1e13 s (year ~318857): far beyond any real timestamp, and ms still fit in int64. */
#define EPOCH_LIMIT_S 1e13

int wire_epoch_seconds_to_ms(double secs, int64_t *ms)
{
    if (!isfinite(secs) || secs > EPOCH_LIMIT_S || secs < -EPOCH_LIMIT_S)
        return -1;
    *ms = (int64_t)llround(secs * 1000.0);
    return 0;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int wire_b64_decode(struct arena *a, const char *s, size_t n, unsigned char **out, size_t *outlen)
{
    if (n % 4)
        return -1;
    size_t pad = 0;
    if (n && s[n - 1] == '=')
        pad++;
    if (n > 1 && s[n - 2] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++)
        if (b64val((unsigned char)s[i]) < 0)
            return -1;
    /* the bits dropped by padding must be zero (canonical encoding; inferred strictness) */
    if (pad == 1 && (b64val((unsigned char)s[n - 2]) & 3))
        return -1;
    if (pad == 2 && (b64val((unsigned char)s[n - 3]) & 15))
        return -1;
    unsigned char *buf = arena_alloc(a, n / 4 * 3 + 1);
    if (n > (size_t)INT32_MAX)
        return -1;
    int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n) : 0;
    if (got < 0 || (size_t)got < pad)
        return -1;
    *outlen = (size_t)got - pad;
    buf[*outlen] = 0;
    *out = buf;
    return 0;
}

/* Timestamp text: ISO 8601, epoch seconds (integer or fractional) or RFC 822 (IMF-fixdate). */
static int ts_from_text(const char *s, size_t n, int64_t *ms)
{
    double d;
    if (strlen(s) != n || n == 0)
        return -1;
    if (time_parse_iso8601(s, ms) == 0)
        return 0;
    if (str_to_double(s, &d) == 0)
        return wire_epoch_seconds_to_ms(d, ms);
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *e = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (e && !*e) {
        time_t t = timegm(&tm);
        *ms = (int64_t)t * 1000;
        return 0;
    }
    return -1;
}

json_t *wire_scalar_from_text(struct arena *a, const struct model_shape *sh, const char *s,
                              size_t n)
{
    int64_t i;
    double d;
    switch (sh->type) {
    case SH_STRING:
        return json_stringn(s, n); /* NULL for invalid UTF-8 */
    case SH_INTEGER:
    case SH_LONG:
        if (strlen(s) != n || str_to_i64(s, &i))
            return NULL;
        if (sh->type == SH_INTEGER && (i < INT32_MIN || i > INT32_MAX))
            return NULL;
        return json_integer(i);
    case SH_FLOAT:
    case SH_DOUBLE:
        if (strlen(s) != n || str_to_double(s, &d))
            return NULL;
        return json_real(d);
    case SH_BOOLEAN:
        /* inferred: case-insensitive like Java's Boolean parsing, but only true/false */
        if (strlen(s) == n && strcasecmp(s, "true") == 0)
            return json_true();
        if (strlen(s) == n && strcasecmp(s, "false") == 0)
            return json_false();
        return NULL;
    case SH_TIMESTAMP:
        if (ts_from_text(s, n, &i))
            return NULL;
        return json_integer(i);
    case SH_BLOB: {
        unsigned char *b;
        size_t bn;
        if (wire_b64_decode(a, s, n, &b, &bn))
            return NULL;
        return json_stringn_nocheck((const char *)b, bn);
    }
    default:
        return NULL;
    }
}

const struct model_member *wire_member_by_json_key(const struct model_service *s,
                                                   const struct model_shape *st, const char *key,
                                                   size_t len)
{
    for (uint32_t i = 0; i < st->count; i++) {
        const struct model_member *m = &s->members[st->first + i];
        const char *k = m->location_name ? m->location_name : m->name;
        if (strlen(k) == len && memcmp(k, key, len) == 0)
            return m;
    }
    return NULL;
}

int wire_fail_serialization(struct call *c, const char *fmt, ...)
{
    if (!fmt)
        return call_fail(c, 400, "SerializationException", NULL);
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    return call_fail(c, 400, "SerializationException", "%s", msg);
}

int wire_decode(struct call *c, json_t **in)
{
    *in = NULL;
    if (!c->svc || !c->op)
        return call_internal(c);
    switch (c->proto) {
    case PROTO_QUERY:
    case PROTO_EC2:
        return wire_decode_query(c, in);
    case PROTO_JSON:
        return wire_decode_json(c, in);
    case PROTO_CBOR:
        return wire_decode_cbor(c, in);
    }
    return call_internal(c);
}
