/*
 * call.h — the core every layer above it shares: one AWS call's context (struct call) and
 * the one error convention (struct aws_err). Transport hands the call a neutral request
 * (base/request.h); wire fills in service, protocol and input; auth fills in the caller;
 * services read it and fail it with call_fail(); wire renders the result or the error.
 *
 * Errors: every layer that can refuse a request reports it as a struct aws_err — HTTP
 * status, AWS error code, message (NULL: none) and fault side — whoever renders it
 * (wire_respond in the caller's protocol, the admin routes as JSON, CloudFormation as a
 * ResourceStatusReason). The first error set wins.
 */
#ifndef RL_CORE_CALL_H
#define RL_CORE_CALL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "base/request.h"
#include "core/principal.h"

struct store;
struct model_service;
struct model_op;
struct out;
struct wire_form;

/* The AWS wire protocols (values are bit flags so a model can list several). */
enum proto {
    PROTO_QUERY = 1, /* awsQuery: form body, XML response */
    PROTO_EC2 = 2,   /* ec2 query: form body, EC2 XML response */
    PROTO_JSON = 4,  /* awsJson1_0 / 1_1 with X-Amz-Target */
    PROTO_CBOR = 8,  /* smithy-rpc-v2-cbor */
};

/* An AWS error: status 0 means none. */
struct aws_err {
    int status;          /* 400..599 */
    const char *code;    /* "ValidationError" */
    const char *message; /* may be NULL: no message element */
    bool sender;         /* Sender (client) fault vs Receiver */
};

/*
 * Sets *e unless an error is already set there (the first error wins). The message is
 * formatted into arena a (NULL fmt: no message). A status outside 400..599 becomes 500;
 * 4xx is a Sender fault, 5xx a Receiver fault. Always returns -1.
 */
int err_set(struct aws_err *e, struct arena *a, int status, const char *code, const char *fmt,
            ...) __attribute__((format(printf, 5, 6)));
int err_setv(struct aws_err *e, struct arena *a, int status, const char *code, const char *fmt,
             va_list ap) __attribute__((format(printf, 5, 0)));

/* One AWS API call, from routing to response; lives on the dispatcher's stack. */
struct call {
    struct arena *a;
    const struct request *rq;  /* NULL for a call one service makes of another */
    const struct model_service *svc;
    const struct model_op *op;
    const char *op_name;       /* as requested, even if not served */
    enum proto proto;
    bool query_mode;           /* x-amzn-query-mode: true (awsQueryCompatible JSON/CBOR) */
    const char *region;
    const char *account;       /* "123456789012" */
    struct principal who;      /* the authenticated caller */
    bool auth_off;             /* --auth off: nothing is authorized (svc/authz.c, STS trust) */
    char request_id[37];
    int64_t now_ms;            /* virtual time at the start of the call */
    struct store *st;
    struct out *out;           /* the output writer (wire/wire.h), set by the dispatcher */
    struct aws_err err;        /* the call's error, when a handler or the pipeline fails */
    /* wire-private: the form/URL pairs wire_route parsed, reused by wire_decode (arena) */
    struct wire_form *form;
};

/*
 * Fails the call with an AWS error (code and message as AWS words them), into c->err.
 * Returns -1 so handlers can `return call_fail(...)`. fmt may be NULL for no message.
 */
int call_fail(struct call *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fails the call with an error reported by another layer (copied; first error wins). -1. */
int call_fail_err(struct call *c, const struct aws_err *e);

/* The AWS common-errors text of InternalFailure (500). */
#define CALL_INTERNAL_MSG                                                                          \
    "The request processing has failed because of an unknown error, exception or failure."
/*
 * Fails the call with InternalFailure (500) and CALL_INTERNAL_MSG: the pipeline's and STS's
 * answer to a failure that is not the caller's (services that word it otherwise, EC2's
 * InternalError, CloudWatch's InternalServiceError, keep their own). Returns -1.
 */
int call_internal(struct call *c);

#endif
