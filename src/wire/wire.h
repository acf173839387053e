/*
 * wire.h — one AWS call as the wire layer sees it, and the protocol-blind interfaces
 * handlers use: the input tree (jansson, keyed by model member names) and the output
 * writer (addressed by member names, checked against the output shape, rendered as Query
 * XML, EC2 XML, JSON or CBOR).
 *
 * Input tree normalisation (every decoder produces exactly this):
 *   structure -> json object keyed by member *name* (not locationName/queryName)
 *   list -> json array; map -> json object
 *   string -> json string (enums too); blob -> json string of the raw bytes (may hold NULs:
 *   use json_string_length)
 *   integer/long -> json integer; float/double -> json real (an integral value may also come
 *   as a json integer — use json_number_value); boolean -> json true/false
 *   timestamp -> json integer: milliseconds since the Unix epoch
 * Members absent from the request are absent from the object.
 */
#ifndef RL_WIRE_H
#define RL_WIRE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "core/call.h"
#include "wire/model.h"

struct store;
struct wire_form;

/* ---------------- output writer ---------------- */
#define OUT_MAX_DEPTH 32
struct out_frame {
    const struct model_shape *shape; /* structure, list or map being written */
    uint32_t count;                  /* items written in this frame */
    const char *elem;                /* XML element name of this frame */
    const char *item;                /* XML element name of list items / map entries */
    bool flattened;
};
struct out {
    enum proto proto;
    const struct model_service *svc;
    const struct model_op *op;
    struct buf body;          /* the rendered result body (without envelope for XML) */
    struct out_frame stack[OUT_MAX_DEPTH];
    int depth;
    const char *error;        /* first misuse (unknown member, type mismatch): a bug -> 500 */
};

/* Prepares o to write op's output in proto. */
void out_init(struct out *o, enum proto proto, const struct model_service *svc,
              const struct model_op *op);
void out_free(struct out *o);
/*
 * Writers. `member` names a member of the structure being written; inside a list it must
 * be NULL (each call adds one element); inside a map it is the map key.
 * out_begin enters a structure, list or map; out_end leaves it.
 */
void out_begin(struct out *o, const char *member);
void out_end(struct out *o);
void out_str(struct out *o, const char *member, const char *v);
void out_strn(struct out *o, const char *member, const char *v, size_t n);
void out_int(struct out *o, const char *member, int64_t v);
void out_double(struct out *o, const char *member, double v);
void out_bool(struct out *o, const char *member, bool v);
void out_time(struct out *o, const char *member, int64_t ms);
void out_blob(struct out *o, const char *member, const void *p, size_t n);
/* Writes a json value (object/array/scalar) under member, guided by the member's shape:
 * objects become structures or maps, arrays lists, integers timestamps where the shape says. */
void out_json(struct out *o, const char *member, const json_t *v);

/* ---------------- pipeline pieces (dispatch calls them in this order) ---------------- */

/*
 * Works out service, protocol and operation name from the request: the SigV4 scope
 * service (scope_service, may be NULL), X-Amz-Target, the RPC v2 CBOR path
 * /service/<S>/operation/<Op>, Action= in the form body or URL query (+ Version= when no
 * scope). Sets c->svc, c->proto, c->query_mode, c->op_name and c->op (NULL when the model
 * op is unknown/unserved). On failure sets the call error (InvalidAction /
 * UnknownOperationException / ...) and returns -1.
 */
int wire_route(struct call *c, const char *scope_service);

/*
 * Decodes the body (and query) into the normalised input tree for c->op's input shape.
 * Returns 0 and *in (caller json_decref) or -1 with the call error set (malformed body,
 * wrong types...).
 */
int wire_decode(struct call *c, json_t **in);

/* Validates in against the input shape (required, enums, lengths, ranges, patterns), with
 * AWS's "N validation error(s) detected: ..." message. 0 ok, -1 with the call error set. */
int wire_validate(struct call *c, const json_t *in);

/* Renders the call's result (c->out) or its error into resp, in c->proto. */
void wire_respond(struct call *c, struct response *resp);

/* ---------------- input tree helpers ---------------- */
/* True when list (a json array of strings, or NULL) holds s. */
bool wire_list_has(const json_t *list, const char *s);

#endif
