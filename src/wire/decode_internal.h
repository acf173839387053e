/*
 * decode_internal.h — private to the wire input side (route.c, decode*.c, validate.c):
 * the parsed form/URL pairs kept in the call's arena, the per-protocol decoders, and the
 * helpers they share (scalar conversion, base64, query key names).
 */
#ifndef RL_WIRE_DECODE_INTERNAL_H
#define RL_WIRE_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "wire/wire.h"

#define WIRE_MAX_DEPTH 64    /* nesting of structures/lists/maps in any input */
#define WIRE_MAX_INDEX 10000 /* largest Query list/map index accepted (1-based) */

/* One name=value pair of a form body or URL query. */
struct form_pair {
    const char *raw_key, *raw_val; /* slices of the input as received (not NUL-terminated) */
    size_t raw_klen, raw_vlen;
    char *key, *val; /* percent-decoded, NUL-terminated, in the arena; may hold
                        NULs from %00: use klen/vlen */
    size_t klen, vlen;
    bool has_eq; /* "k=v" or "k=" (true) vs a bare "k" (false) */
};

/* The pairs of a request (URL query first, then a form body), parsed once by wire_route. */
struct wire_form {
    struct form_pair *pairs;
    size_t n;
    const char *action;  /* decoded Action= value (last one), NULL if absent */
    const char *version; /* decoded Version= value, NULL if absent */
    bool body_is_form;   /* the body was parsed as application/x-www-form-urlencoded */
};

/* ---- decode_form.c ---- */

/*
 * Splits s[0..len) on '&' and the first '=' of each piece into pairs appended to *pairs
 * (arena array grown as needed, *n updated). Empty pieces are skipped. Never fails.
 */
void form_parse(struct arena *a, const char *s, size_t len, struct form_pair **pairs, size_t *n);

/* True for an application/x-www-form-urlencoded content type (parameters allowed). */
bool wire_is_form_content_type(const char *ct);

/*
 * The call's form pairs: parses the URL query and, for a form body, the body, once, into
 * the call's arena (cached in c->form). Never NULL.
 */
struct wire_form *wire_form_get(struct call *c);

/*
 * The Query/EC2 key of member m of a structure (`MetricData`, EC2 `Filter`, the element
 * name of a flattened list...). Writes into buf (NUL-terminated, truncated to bufsz) and
 * returns buf.
 */
const char *wire_query_member_key(const struct model_service *s, const struct model_member *m,
                                  bool ec2, char *buf, size_t bufsz);

/*
 * The Query/EC2 path of list element idx (1-based) below prefix: `P.member.N` (Query),
 * `P.N` (EC2 or flattened). Appends to b.
 */
void wire_query_list_path(struct buf *b, const struct model_service *s,
                          const struct model_shape *list, const struct model_member *ref, bool ec2,
                          size_t idx);

/* Query / EC2 decoding of c's pairs against the input shape (wire_decode's Query half). */
int wire_decode_query(struct call *c, json_t **in);

/* ---- decode_json.c / decode_cbor.c ---- */
int wire_decode_json(struct call *c, json_t **in);
int wire_decode_cbor(struct call *c, json_t **in);

/* ---- decode.c: shared helpers ---- */

/* The shape a member refers to. */
static inline const struct model_shape *wire_mshape(const struct model_service *s,
                                                    const struct model_member *m)
{
    return &s->shapes[m->shape];
}

/* Is this list/map serialized flattened (member trait or shape trait)? */
static inline bool wire_flattened(const struct model_member *ref, const struct model_shape *sh)
{
    return (ref && (ref->flags & MBF_FLATTENED)) || (sh->flags & SHF_FLATTENED);
}

static inline bool wire_is_scalar(const struct model_shape *sh)
{
    return sh->type != SH_STRUCTURE && sh->type != SH_LIST && sh->type != SH_MAP;
}

/*
 * Strict standard base64 (RFC 4648 alphabet, '=' padding, length a multiple of 4; empty is
 * an empty blob) into arena bytes *out (NUL-terminated for convenience). 0 ok, -1 malformed.
 */
int wire_b64_decode(struct arena *a, const char *s, size_t n, unsigned char **out, size_t *outlen);

/*
 * Converts a textual scalar (Query value, or a JSON string where a timestamp/blob is
 * expected) to the normalised json value for shape sh. Returns NULL when the text does not
 * convert (the caller reports it in its protocol's words).
 */
json_t *wire_scalar_from_text(struct arena *a, const struct model_shape *sh, const char *s,
                              size_t n);

/* Epoch seconds (integer or fractional) to ms; -1 when out of the supported range. */
int wire_epoch_seconds_to_ms(double secs, int64_t *ms);

/* Member of structure st whose JSON/CBOR key is key[0..len) (locationName, else name). */
const struct model_member *wire_member_by_json_key(const struct model_service *s,
                                                   const struct model_shape *st, const char *key,
                                                   size_t len);

/* Fails the call with a JSON/CBOR SerializationException (message may be NULL). */
int wire_fail_serialization(struct call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
