/*
 * decode_json.c — awsJson1_0 / awsJson1_1 request bodies into the normalised input tree.
 * Keys are member locationNames when the model gives one, else member names (botocore
 * JSONSerializer); unknown keys and nulls are ignored (inferred, as AWS JSON services do);
 * timestamps are epoch seconds (int or fractional) or, leniently, ISO 8601 strings; blobs
 * are base64 strings.
 * A body that is not JSON, or a value of the wrong JSON type, is a SerializationException:
 * AWS sends that code with no message for unparseable bodies; the messages for type
 * mismatches are ours (inferred).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

struct jdec {
    struct call *c;
    const struct model_service *s;
    struct buf path; /* member path for messages, e.g. MetricData[0].Value */
};

static const char *jtype(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "structure or map";
    case JSON_ARRAY:
        return "list";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

static const char *want(const struct model_shape *sh)
{
    switch (sh->type) {
    case SH_STRUCTURE:
        return "structure";
    case SH_LIST:
        return "list";
    case SH_MAP:
        return "map";
    case SH_STRING:
        return "string";
    case SH_INTEGER:
    case SH_LONG:
        return "integer";
    case SH_FLOAT:
    case SH_DOUBLE:
        return "number";
    case SH_BOOLEAN:
        return "boolean";
    case SH_TIMESTAMP:
        return "timestamp";
    case SH_BLOB:
        return "blob";
    }
    return "value";
}

static int mismatch(struct jdec *d, const json_t *v, const struct model_shape *sh)
{
    /* inferred wording; Coral's own for objects is "Start of structure or map found where
     * not expected." */
    if (json_is_object(v) && sh->type != SH_STRUCTURE && sh->type != SH_MAP)
        return wire_fail_serialization(d->c, "Start of structure or map found where not "
                                             "expected.");
    if (json_is_array(v) && sh->type != SH_LIST)
        return wire_fail_serialization(d->c, "Start of list found where not expected.");
    return wire_fail_serialization(d->c, "Expected %s for %s, found %s.", want(sh),
                                   d->path.len ? d->path.p : "input", jtype(v));
}

static int conv(struct jdec *d, const json_t *v, const struct model_shape *sh, int depth,
                json_t **out);

static int conv_struct(struct jdec *d, const json_t *v, const struct model_shape *sh, int depth,
                       json_t **out)
{
    if (sh->flags & SHF_DOCUMENT) { /* a document is any JSON value: kept as sent */
        *out = json_deep_copy(v);
        return 0;
    }
    if (!json_is_object(v))
        return mismatch(d, v, sh);
    json_t *o = json_object();
    const char *k;
    json_t *ch;
    json_object_foreach((json_t *)v, k, ch)
    {
        const struct model_member *m = wire_member_by_json_key(d->s, sh, k, strlen(k));
        if (!m || json_is_null(ch))
            continue;
        size_t mark = d->path.len;
        buf_printf(&d->path, "%s%s", mark ? "." : "", m->name);
        json_t *cv = NULL;
        if (conv(d, ch, wire_mshape(d->s, m), depth + 1, &cv)) {
            json_decref(o);
            return -1;
        }
        d->path.len = mark;
        if (d->path.p)
            d->path.p[mark] = 0;
        json_object_set_new(o, m->name, cv);
    }
    *out = o;
    return 0;
}

static int conv(struct jdec *d, const json_t *v, const struct model_shape *sh, int depth,
                json_t **out)
{
    const struct model_service *s = d->s;
    *out = NULL;
    if (depth > WIRE_MAX_DEPTH)
        return wire_fail_serialization(d->c, "Input nested too deeply.");
    switch (sh->type) {
    case SH_STRUCTURE:
        return conv_struct(d, v, sh, depth, out);
    case SH_LIST: {
        if (!json_is_array(v))
            return mismatch(d, v, sh);
        const struct model_shape *esh = wire_mshape(s, &s->members[sh->first]);
        json_t *a = json_array();
        size_t i;
        json_t *el;
        json_array_foreach(v, i, el)
        {
            if (json_is_null(el))
                continue; /* inferred: nulls in (non-sparse) lists are dropped */
            size_t mark = d->path.len;
            buf_printf(&d->path, "[%zu]", i);
            json_t *cv;
            if (conv(d, el, esh, depth + 1, &cv)) {
                json_decref(a);
                return -1;
            }
            d->path.len = mark;
            d->path.p[mark] = 0;
            json_array_append_new(a, cv);
        }
        *out = a;
        return 0;
    }
    case SH_MAP: {
        if (!json_is_object(v))
            return mismatch(d, v, sh);
        const struct model_shape *vsh = wire_mshape(s, &s->members[sh->first + 1]);
        json_t *o = json_object();
        const char *k;
        json_t *el;
        json_object_foreach((json_t *)v, k, el)
        {
            if (json_is_null(el))
                continue;
            size_t mark = d->path.len;
            buf_printf(&d->path, "[%s]", k);
            json_t *cv;
            if (conv(d, el, vsh, depth + 1, &cv)) {
                json_decref(o);
                return -1;
            }
            d->path.len = mark;
            d->path.p[mark] = 0;
            json_object_set_new(o, k, cv);
        }
        *out = o;
        return 0;
    }
    case SH_STRING:
        if (!json_is_string(v))
            return mismatch(d, v, sh);
        *out = json_stringn(json_string_value(v), json_string_length(v));
        return *out ? 0 : mismatch(d, v, sh);
    case SH_INTEGER:
    case SH_LONG: {
        json_int_t i;
        if (json_is_integer(v)) {
            i = json_integer_value(v);
        } else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
                   fabs(json_real_value(v)) < 9.2e18) {
            i = (json_int_t)json_real_value(v); /* inferred: 5.0 is accepted as 5 */
        } else {
            return mismatch(d, v, sh);
        }
        if (sh->type == SH_INTEGER && (i < INT32_MIN || i > INT32_MAX))
            return wire_fail_serialization(d->c, "Value %lld for %s is out of range.", (long long)i,
                                           d->path.len ? d->path.p : "input");
        *out = json_integer(i);
        return 0;
    }
    case SH_FLOAT:
    case SH_DOUBLE:
        /* botocore sends "NaN"/"Infinity"/"-Infinity" as strings: not representable, so
         * (inferred) refused like any other non-number */
        if (!json_is_number(v))
            return mismatch(d, v, sh);
        *out = json_real(json_number_value(v));
        return 0;
    case SH_BOOLEAN:
        if (!json_is_boolean(v))
            return mismatch(d, v, sh);
        *out = json_boolean(json_is_true(v));
        return 0;
    case SH_TIMESTAMP: {
        int64_t ms;
        if (json_is_number(v)) {
            if (wire_epoch_seconds_to_ms(json_number_value(v), &ms))
                return mismatch(d, v, sh);
            *out = json_integer(ms);
            return 0;
        }
        if (json_is_string(v)) {
            *out = wire_scalar_from_text(d->c->a, sh, json_string_value(v), json_string_length(v));
            return *out ? 0 : mismatch(d, v, sh);
        }
        return mismatch(d, v, sh);
    }
    case SH_BLOB:
        if (!json_is_string(v))
            return mismatch(d, v, sh);
        *out = wire_scalar_from_text(d->c->a, sh, json_string_value(v), json_string_length(v));
        return *out ? 0 : mismatch(d, v, sh);
    }
    return mismatch(d, v, sh);
}

int wire_decode_json(struct call *c, json_t **in)
{
    const struct request *rq = c->rq;
    json_t *doc = NULL;
    json_error_t jerr;
    int rc = -1;
    struct jdec d = {c, c->svc, BUF_INIT};

    *in = NULL;
    size_t len = rq->body_len;
    while (len && (rq->body[len - 1] == ' ' || rq->body[len - 1] == '\n' ||
                   rq->body[len - 1] == '\r' || rq->body[len - 1] == '\t'))
        len--;
    if (len == 0) {
        doc = json_object(); /* inferred: an empty body is an empty input structure */
    } else {
        doc = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc) {
            wire_fail_serialization(c, NULL);
            goto out;
        }
    }
    if (!json_is_object(doc)) {
        wire_fail_serialization(c, "Expected a JSON object as the request body."); /* inferred */
        goto out;
    }
    if (c->op->input < 0) {
        *in = json_object();
        rc = 0;
        goto out;
    }
    rc = conv(&d, doc, model_shape(c->svc, (uint32_t)c->op->input), 0, in);
out:
    buf_free(&d.path);
    json_decref(doc);
    return rc;
}
