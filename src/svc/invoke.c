/*
 * invoke.c — svc_invoke: one service calling another's operation as a principal, through
 * the same steps dispatch.c runs for an API request (minus HTTP, SigV4 and decoding):
 *   coerce the input tree to the operation's shapes (templates give "60" for integers),
 *   validate, authorize `who` (aws:ViaAWSService / aws:CalledVia when a service calls),
 *   run the handler in a nested store transaction, render its output as JSON and hand it
 *   back keyed by member names, record the call in CloudTrail (invokedBy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfnlang/cfnlang.h"
#include "store/store.h"
#include "svc/module.h"
#include "svc/invoke.h"
#include "svc/svc.h"

#define INVOKE_MAX_DEPTH 40

/* The protocol the service natively answers in (handlers word some errors by it). */
static enum proto native_proto(const struct model_service *s)
{
    if (s->protocols & PROTO_EC2)
        return PROTO_EC2;
    if (s->protocols & PROTO_QUERY)
        return PROTO_QUERY;
    if (s->protocols & PROTO_JSON)
        return PROTO_JSON;
    return PROTO_CBOR;
}

static const char *type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "JSONObject";
    case JSON_ARRAY:
        return "JSONArray";
    case JSON_STRING:
        return "String";
    case JSON_INTEGER:
        return "Integer";
    case JSON_REAL:
        return "Number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "Boolean";
    default:
        return "Null";
    }
}

/* Fails c with a property type error in CloudFormation's schema-validation words
 * ("#/Period: expected type: Integer, found: String", inferred for the lab's generic path). */
static int type_fail(struct call *c, struct buf *path, const char *want, const json_t *v)
{
    return call_fail(c, 400, "ValidationError", "#%s: expected type: %s, found: %s",
                     path->len ? path->p : "/", want, type_word(v));
}

static int coerce(struct call *c, const struct model_service *s, const struct model_shape *sh,
                  json_t **slot, struct buf *path, int depth);

static int coerce_child(struct call *c, const struct model_service *s, const struct model_shape *sh,
                        json_t **slot, struct buf *path, const char *seg, int depth)
{
    size_t mark = path->len;
    buf_printf(path, "/%s", seg);
    int rc = coerce(c, s, sh, slot, path, depth + 1);
    path->len = mark;
    if (path->p)
        path->p[mark] = '\0';
    return rc;
}

/*
 * Coerces *slot in place (replacing the reference when the type changes) to shape sh:
 * numbers and booleans from their strings, strings from scalars. Unknown structure
 * members are left for validation/handlers to ignore. 0 or -1 with c failed.
 */
static int coerce(struct call *c, const struct model_service *s, const struct model_shape *sh,
                  json_t **slot, struct buf *path, int depth)
{
    json_t *v = *slot;
    if (depth > INVOKE_MAX_DEPTH)
        return call_fail(c, 400, "ValidationError", "Input nested too deeply"); /* inferred */
    if (json_is_null(v))
        return 0;
    switch (sh->type) {
    case SH_STRUCTURE: {
        if (sh->flags & SHF_DOCUMENT)
            return 0;
        if (!json_is_object(v))
            return type_fail(c, path, "JSONObject", v);
        const char *k;
        json_t *e;
        void *it;
        json_object_foreach_safe(v, it, k, e)
        {
            const struct model_member *m = model_member_find(s, sh, k);
            if (!m)
                continue;
            json_t *ne = e;
            json_incref(ne);
            int rc = coerce_child(c, s, model_shape(s, m->shape), &ne, path, k, depth);
            if (rc) {
                json_decref(ne);
                return -1;
            }
            if (ne != e)
                json_object_set(v, k, ne);
            json_decref(ne);
        }
        return 0;
    }
    case SH_LIST: {
        if (!json_is_array(v))
            return type_fail(c, path, "JSONArray", v);
        const struct model_shape *el = model_shape(s, s->members[sh->first].shape);
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            json_t *ne = e;
            char seg[24];
            snprintf(seg, sizeof(seg), "%zu", i);
            json_incref(ne);
            if (coerce_child(c, s, el, &ne, path, seg, depth)) {
                json_decref(ne);
                return -1;
            }
            if (ne != e)
                json_array_set(v, i, ne);
            json_decref(ne);
        }
        return 0;
    }
    case SH_MAP: {
        if (!json_is_object(v))
            return type_fail(c, path, "JSONObject", v);
        const struct model_shape *vs = model_shape(s, s->members[sh->first + 1].shape);
        const char *k;
        json_t *e;
        void *it;
        json_object_foreach_safe(v, it, k, e)
        {
            json_t *ne = e;
            json_incref(ne);
            if (coerce_child(c, s, vs, &ne, path, k, depth)) {
                json_decref(ne);
                return -1;
            }
            if (ne != e)
                json_object_set(v, k, ne);
            json_decref(ne);
        }
        return 0;
    }
    case SH_STRING:
    case SH_BLOB: {
        if (json_is_string(v))
            return 0;
        if (json_is_object(v) || json_is_array(v))
            return type_fail(c, path, "String", v);
        char *t = cfn_scalar_text(v);
        if (!t)
            return type_fail(c, path, "String", v);
        json_decref(*slot);
        *slot = json_string(t);
        free(t);
        return 0;
    }
    case SH_INTEGER:
    case SH_LONG: {
        int64_t i;
        if (json_is_integer(v))
            return 0;
        if (cfn_to_int(v, &i))
            return type_fail(c, path, "Integer", v);
        json_decref(*slot);
        *slot = json_integer((json_int_t)i);
        return 0;
    }
    case SH_FLOAT:
    case SH_DOUBLE: {
        double d;
        if (json_is_number(v))
            return 0;
        if (cfn_to_double(v, &d))
            return type_fail(c, path, "Number", v);
        json_decref(*slot);
        *slot = json_real(d);
        return 0;
    }
    case SH_BOOLEAN: {
        bool b;
        if (json_is_boolean(v))
            return 0;
        if (cfn_to_bool(v, &b))
            return type_fail(c, path, "Boolean", v);
        json_decref(*slot);
        *slot = json_boolean(b);
        return 0;
    }
    case SH_TIMESTAMP: {
        if (json_is_integer(v))
            return 0;
        int64_t ms;
        if (json_is_string(v) && time_parse_iso8601(json_string_value(v), &ms) == 0) {
            json_decref(*slot);
            *slot = json_integer((json_int_t)ms);
            return 0;
        }
        return type_fail(c, path, "Timestamp", v); /* inferred */
    }
    default:
        return 0;
    }
}

/*
 * The JSON renderer keys members by locationName when the model has one (EC2's
 * "instancesSet"); callers of svc_invoke read member names, as in the input tree.
 */
static json_t *rekey(const struct model_service *s, const struct model_shape *sh, json_t *v,
                     int depth)
{
    if (!v || depth > INVOKE_MAX_DEPTH)
        return v;
    if (sh->type == SH_STRUCTURE && json_is_object(v) && !(sh->flags & SHF_DOCUMENT)) {
        json_t *o = json_object();
        for (uint16_t i = 0; i < sh->count; i++) {
            const struct model_member *m = &s->members[sh->first + i];
            const char *key = m->location_name ? m->location_name : m->name;
            json_t *e = json_object_get(v, key);
            if (!e && m->location_name)
                e = json_object_get(v, m->name);
            if (!e)
                continue;
            json_incref(e);
            json_object_set_new(o, m->name, rekey(s, model_shape(s, m->shape), e, depth + 1));
        }
        json_decref(v);
        return o;
    }
    if (sh->type == SH_LIST && json_is_array(v)) {
        const struct model_shape *el = model_shape(s, s->members[sh->first].shape);
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            json_incref(e);
            json_array_set_new(v, i, rekey(s, el, e, depth + 1));
        }
        return v;
    }
    if (sh->type == SH_MAP && json_is_object(v)) {
        const struct model_shape *vs = model_shape(s, s->members[sh->first + 1].shape);
        const char *k;
        json_t *e;
        void *it;
        json_object_foreach_safe(v, it, k, e)
        {
            json_incref(e);
            json_object_set_new(v, k, rekey(s, vs, e, depth + 1));
        }
        return v;
    }
    return v;
}

static void copy_err(struct call *err, const struct call *ch)
{
    if (!err)
        return;
    err->err.status = ch->err.status;
    err->err.code = ch->err.code;
    err->err.message = ch->err.message;
    err->err.sender = ch->err.sender;
    memcpy(err->request_id, ch->request_id, sizeof(err->request_id));
}

int svc_invoke(struct call *parent, const struct principal *who, const char *via_service,
               const char *service, const char *op, const json_t *in, json_t **out,
               struct call *err)
{
    int rc = -1;
    json_t *input = NULL, *result = NULL;
    struct buf path = BUF_INIT;
    struct response resp;
    memset(&resp, 0, sizeof(resp));
    struct call ch;
    struct out ch_out;
    memset(&ch, 0, sizeof(ch));
    memset(&ch_out, 0, sizeof(ch_out));
    ch.out = &ch_out;
    ch.a = parent->a;
    ch.rq = parent->rq;
    ch.st = parent->st;
    ch.account = parent->account;
    ch.region = parent->region;
    ch.now_ms = parent->now_ms;
    ch.auth_off = parent->auth_off;
    ch.who = *who;
    ch.op_name = op;
    uuid4(ch.request_id);
    if (out)
        *out = NULL;

    const struct model_service *s = model_service_by_id(service);
    const struct model_op *mop = s ? model_op_find(s, op) : NULL;
    const struct op_def *def = ops_find(service, op);
    ch.svc = s;
    ch.op = mop;
    ch.proto = s ? native_proto(s) : PROTO_QUERY;
    if (!s || !mop || !def || !def->fn) {
        /* a programming error in the calling service: no such served operation */
        log_error("svc_invoke: %s.%s is not served", service, op);
        call_fail(&ch, 400, "InvalidAction", "The action %s is not valid for this web service.",
                  op);
        goto fail;
    }
    out_init(ch.out, PROTO_JSON, s, mop);

    input = in ? json_deep_copy(in) : json_object();
    if (!input || !json_is_object(input)) {
        call_fail(&ch, 400, "ValidationError", "#/: expected type: JSONObject, found: %s",
                  input ? type_word(input) : "Null"); /* inferred */
        goto fail;
    }
    if (mop->input >= 0 && coerce(&ch, s, model_shape(s, (uint32_t)mop->input), &input, &path, 0))
        goto fail;
    if (wire_validate(&ch, input))
        goto fail;
    const struct svc_hooks *hooks = svc_hooks();
    struct svc_invoked inv = {.via_service = via_service};
    if (hooks->authorize && hooks->authorize(&ch, def, input, &inv))
        goto fail;

    if (store_begin(ch.st)) {
        call_internal(&ch);
        goto fail;
    }
    int hrc = def->fn(&ch, input, ch.out);
    if (hrc || ch.err.status) {
        if (!ch.err.status)
            call_internal(&ch);
        store_rollback(ch.st);
        goto fail;
    }
    /* render (this also catches writer misuse) before committing */
    ch.proto = PROTO_JSON;
    wire_respond(&ch, &resp);
    if (ch.err.status) {
        store_rollback(ch.st);
        goto fail;
    }
    json_error_t je;
    result = resp.body.len ? json_loadb(resp.body.p, resp.body.len, 0, &je) : json_object();
    if (!result) {
        log_error("svc_invoke: %s.%s rendered unparsable JSON: %s", service, op, je.text);
        call_internal(&ch);
        store_rollback(ch.st);
        goto fail;
    }
    if (mop->output >= 0)
        result = rekey(s, model_shape(s, (uint32_t)mop->output), result, 0);
    if (store_commit(ch.st)) {
        store_rollback(ch.st);
        call_internal(&ch);
        goto fail;
    }
    if (hooks->record)
        hooks->record(&ch, input, result, via_service);
    if (out) {
        *out = result;
        result = NULL;
    }
    rc = 0;
    goto done;

fail:
    copy_err(err, &ch);
    if (s && mop)
        if (svc_hooks()->record)
            svc_hooks()->record(&ch, input, NULL, via_service);
done:
    if (result)
        json_decref(result);
    if (input)
        json_decref(input);
    buf_free(&path);
    buf_free(&resp.body);
    out_free(ch.out);
    return rc;
}
