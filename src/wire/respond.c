/*
 * respond.c — wire_respond(): the call's result or error as an HTTP response in the
 * caller's protocol (envelopes, content types, headers, error bodies, status codes).
 *
 * Success:
 *   Query  <OpResponse xmlns=NS><OpResult>…</OpResult><ResponseMetadata><RequestId>ID…
 *   EC2    <?xml …?>\n<OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
 *          <requestId>ID</requestId>…</OpResponse>
 *   JSON   the writer's object, application/x-amz-json-1.0|1.1
 *   CBOR   the writer's map, application/cbor + Smithy-Protocol: rpc-v2-cbor
 * Errors: <ErrorResponse> (Query), <Response><Errors> (EC2), {"__type","message"} (JSON,
 * CBOR) with x-amzn-query-error for awsQueryCompatible services (aws-behaviour.md §6.1).
 */
#include <string.h>

#include "wire/out_internal.h"

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/*
 * __type shape ids for errors that are not modeled in a service's JSON/CBOR model: the
 * coral framework's own exceptions, keyed by the Query-era code a handler passes (and by
 * the JSON name, so either spelling works). Seen in real AWS JSON responses (DynamoDB,
 * SQS-JSON, Kinesis captures quoted in public code) and in aws-behaviour.md §6.1 for
 * ValidationException; the pairing with each Query code is inferred.
 */
static const struct {
    const char *code;
    const char *type;
} coral_types[] = {
    {"AccessDenied", "com.amazon.coral.service#AccessDeniedException"},
    {"AccessDeniedException", "com.amazon.coral.service#AccessDeniedException"},
    {"ExpiredToken", "com.amazon.coral.service#ExpiredTokenException"},
    {"ExpiredTokenException", "com.amazon.coral.service#ExpiredTokenException"},
    {"IncompleteSignature", "com.amazon.coral.service#IncompleteSignatureException"},
    {"IncompleteSignatureException", "com.amazon.coral.service#IncompleteSignatureException"},
    {"InternalError", "com.amazon.coral.service#InternalFailure"},
    {"InternalFailure", "com.amazon.coral.service#InternalFailure"},
    {"InvalidAction", "com.amazon.coral.service#UnknownOperationException"},
    {"InvalidClientTokenId", "com.amazon.coral.service#UnrecognizedClientException"},
    {"InvalidSignatureException", "com.amazon.coral.service#InvalidSignatureException"},
    {"MissingAuthenticationToken", "com.amazon.coral.service#MissingAuthenticationTokenException"},
    {"MissingAuthenticationTokenException",
     "com.amazon.coral.service#MissingAuthenticationTokenException"},
    {"RequestExpired", "com.amazon.coral.service#InvalidSignatureException"},
    {"SerializationException", "com.amazon.coral.service#SerializationException"},
    {"ServiceUnavailable", "com.amazon.coral.availability#ServiceUnavailableException"},
    {"SignatureDoesNotMatch", "com.amazon.coral.service#InvalidSignatureException"},
    {"Throttling", "com.amazon.coral.availability#ThrottlingException"},
    {"ThrottlingException", "com.amazon.coral.availability#ThrottlingException"},
    {"UnknownOperationException", "com.amazon.coral.service#UnknownOperationException"},
    {"UnrecognizedClientException", "com.amazon.coral.service#UnrecognizedClientException"},
    {"ValidationError", "com.amazon.coral.validate#ValidationException"},
    {"ValidationException", "com.amazon.coral.validate#ValidationException"},
};

/*
 * The error shape whose code is `code`: among the operation's modeled errors first, then
 * among all the service's error shapes; a shape named like the code wins a tie (CloudWatch
 * has both ResourceNotFound and DashboardNotFoundError with code ResourceNotFound). NULL
 * when unmodeled.
 */
static const struct model_shape *modeled_error(const struct model_service *svc,
                                               const struct model_op *op, const char *code)
{
    const struct model_shape *hit = NULL;
    if (!svc || !code)
        return NULL;
    if (op && op->errors) {
        for (uint32_t i = 0; i < op->nerrors; i++) {
            if (op->errors[i] >= svc->nshapes)
                continue;
            const struct model_shape *sh = &svc->shapes[op->errors[i]];
            if (!str_eq(sh->error_code, code))
                continue;
            if (str_eq(sh->name, code))
                return sh;
            if (!hit)
                hit = sh;
        }
        if (hit)
            return hit;
    }
    for (uint32_t i = 0; i < svc->nshapes; i++) {
        const struct model_shape *sh = &svc->shapes[i];
        if (!(sh->flags & SHF_ERROR) || !str_eq(sh->error_code, code))
            continue;
        if (str_eq(sh->name, code))
            return sh;
        if (!hit)
            hit = sh;
    }
    return hit;
}

/* "a<sep>b" in the call's arena (b alone without an arena: never happens in dispatch). */
static const char *join(struct call *c, const char *a, char sep, const char *b)
{
    return c->a ? arena_printf(c->a, "%s%c%s", a, sep, b) : b;
}

/* The JSON/CBOR __type for the call's error code (arena string or static). */
static const char *error_type(struct call *c)
{
    const char *code = c->err.code;
    const struct model_shape *sh = modeled_error(c->svc, c->op, code);
    if (sh)
        return c->svc->smithy_ns ? join(c, c->svc->smithy_ns, '#', sh->name) : sh->name;
    for (size_t i = 0; i < ARRAY_LEN(coral_types); i++)
        if (strcmp(coral_types[i].code, code) == 0)
            return coral_types[i].type;
    /* Unmodeled and unknown: qualified with the service namespace (inferred). */
    if (c->svc && c->svc->smithy_ns)
        return join(c, c->svc->smithy_ns, '#', code);
    return code;
}

static const char *json_content_type(const struct call *c)
{
    const char *v = c->svc ? c->svc->json_version : NULL;
    if (!v && c->rq) {
        const char *ct = request_header(c->rq, "Content-Type");
        if (ct && str_startswith(ct, "application/x-amz-json-1.1"))
            v = "1.1";
    }
    return str_eq(v, "1.1") ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
}

static void xmlns_attr(struct buf *b, const char *ns, bool trailing_slash)
{
    if (!ns)
        return;
    buf_puts(b, " xmlns=\"");
    out_xml_escape(b, ns, strlen(ns));
    if (trailing_slash && !str_endswith(ns, "/"))
        buf_putc(b, '/');
    buf_putc(b, '"');
}

static void xml_elem(struct buf *b, const char *name, const char *text)
{
    buf_printf(b, "<%s>", name);
    out_xml_escape(b, text, strlen(text));
    buf_printf(b, "</%s>", name);
}

static const char *op_name(const struct call *c)
{
    if (c->op)
        return c->op->name;
    return c->op_name ? c->op_name : "Unknown";
}

static void respond_success(struct call *c, struct response *resp)
{
    struct out *o = c->out;
    struct buf *b = &resp->body;
    const char *op = op_name(c);
    resp->status = 200;
    buf_reset(b);
    switch (c->proto) {
    case PROTO_EC2:
        /* Real EC2 answers with the declaration and a namespace ending in '/' (the model's
         * xmlNamespace lacks it) [obs]. */
        resp->content_type = "text/xml;charset=UTF-8";
        buf_puts(b, XML_DECL);
        buf_printf(b, "<%sResponse", op);
        xmlns_attr(b, c->svc ? c->svc->xmlns : NULL, true);
        buf_putc(b, '>');
        xml_elem(b, "requestId", c->request_id);
        buf_put(b, o->body.p ? o->body.p : "", o->body.len);
        /* operations without modeled output (CreateTags, DeleteTags, RebootInstances, ...)
         * answer <return>true</return> after the request id [doc: EC2 API reference
         * examples, e.g. CreateTags "Example response"] */
        if (c->op && c->op->output < 0)
            buf_puts(b, "<return>true</return>");
        buf_printf(b, "</%sResponse>", op);
        break;
    case PROTO_JSON:
    case PROTO_CBOR:
        resp->content_type = c->proto == PROTO_CBOR ? "application/cbor" : json_content_type(c);
        if (c->proto == PROTO_CBOR)
            response_header(resp, "Smithy-Protocol", "rpc-v2-cbor");
        buf_free(b);
        *b = o->body;
        o->body = (struct buf)BUF_INIT;
        break;
    case PROTO_QUERY:
    default:
        resp->content_type = "text/xml";
        buf_printf(b, "<%sResponse", op);
        xmlns_attr(b, c->svc ? c->svc->xmlns : NULL, false);
        buf_putc(b, '>');
        if (o->stack[0].shape) {
            const char *w = c->op ? c->op->result_wrapper : NULL;
            if (w)
                buf_printf(b, "<%s>", w);
            buf_put(b, o->body.p ? o->body.p : "", o->body.len);
            if (w)
                buf_printf(b, "</%s>", w);
        }
        buf_puts(b, "<ResponseMetadata>");
        xml_elem(b, "RequestId", c->request_id);
        buf_puts(b, "</ResponseMetadata>");
        buf_printf(b, "</%sResponse>", op);
        break;
    }
}

static void respond_error(struct call *c, struct response *resp)
{
    struct buf *b = &resp->body;
    const char *code = c->err.code ? c->err.code : "InternalFailure";
    const char *msg = c->err.message;
    const char *fault = c->err.sender ? "Sender" : "Receiver";
    c->err.code = code;
    resp->status = c->err.status;
    buf_reset(b);
    switch (c->proto) {
    case PROTO_EC2:
        resp->content_type = "text/xml;charset=UTF-8";
        buf_puts(b, XML_DECL "<Response><Errors><Error>");
        xml_elem(b, "Code", code);
        if (msg)
            xml_elem(b, "Message", msg);
        buf_puts(b, "</Error></Errors>");
        xml_elem(b, "RequestID", c->request_id);
        buf_puts(b, "</Response>");
        break;
    case PROTO_JSON:
    case PROTO_CBOR: {
        const char *type = error_type(c);
        if (c->proto == PROTO_JSON) {
            resp->content_type = json_content_type(c);
            buf_puts(b, "{\"__type\":");
            out_json_string(b, type, strlen(type));
            if (msg) {
                buf_puts(b, ",\"message\":");
                out_json_string(b, msg, strlen(msg));
            }
            buf_putc(b, '}');
            /* X-Amzn-Errortype: the shape name, as LocalStack sends it (inferred). */
            const char *hash = strrchr(type, '#');
            response_header(resp, "X-Amzn-Errortype", hash ? hash + 1 : type);
        } else {
            resp->content_type = "application/cbor";
            response_header(resp, "Smithy-Protocol", "rpc-v2-cbor");
            buf_putc(b, (char)0xBF);
            out_cbor_text(b, "__type", 6);
            out_cbor_text(b, type, strlen(type));
            if (msg) {
                out_cbor_text(b, "message", 7);
                out_cbor_text(b, msg, strlen(msg));
            }
            buf_putc(b, (char)0xFF);
        }
        if (c->svc && c->svc->query_compatible) {
            if (c->a)
                response_header(resp, "x-amzn-query-error", join(c, code, ';', fault));
            /* Without x-amzn-query-mode the JSON-era status: 400 for every client error. */
            if (!c->query_mode && resp->status >= 400 && resp->status < 500)
                resp->status = 400;
        }
        break;
    }
    case PROTO_QUERY:
    default:
        resp->content_type = "text/xml";
        buf_puts(b, "<ErrorResponse");
        xmlns_attr(b, c->svc ? c->svc->xmlns : NULL, false);
        buf_puts(b, "><Error>");
        xml_elem(b, "Type", fault);
        xml_elem(b, "Code", code);
        if (msg)
            xml_elem(b, "Message", msg);
        buf_puts(b, "</Error>");
        xml_elem(b, "RequestId", c->request_id);
        buf_puts(b, "</ErrorResponse>");
        break;
    }
}

/*
 * Renders the call into resp: the error when c->err.status is set, else the writer's
 * result (a writer misuse becomes a 500 InternalFailure, logged). resp->body is replaced;
 * header values are static, the call's request id, or arena strings.
 */
void wire_respond(struct call *c, struct response *resp)
{
    if (!c->request_id[0])
        uuid4(c->request_id);
    if (c->proto != PROTO_QUERY && c->proto != PROTO_EC2 && c->proto != PROTO_JSON &&
        c->proto != PROTO_CBOR)
        c->proto = PROTO_QUERY;
    struct out none; /* a call answered without any writer (nothing was written) */
    bool own = !c->out;
    if (own) {
        memset(&none, 0, sizeof(none));
        c->out = &none;
    }
    if (!c->err.status) {
        struct out *o = c->out;
        if (!o->proto)
            out_init(o, c->proto, c->svc, c->op); /* the writer was never set up */
        out_finish(o);
        if (o->error) {
            log_error("%s.%s: output writer misuse: %s", c->svc ? c->svc->id : "?", op_name(c),
                      o->error);
            call_internal(c);
        }
    }
    response_header(resp, "x-amzn-RequestId", c->request_id);
    if (c->err.status)
        respond_error(c, resp);
    else
        respond_success(c, resp);
    if (own) {
        out_free(&none);
        c->out = NULL;
    }
}
