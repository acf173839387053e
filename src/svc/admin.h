/*
 * admin.h — the lab's own HTTP API on the AWS port: /_recoverlab/..., /moto-api/... and
 * IMDS. JSON in, JSON out; errors are a struct aws_err rendered {"__type":"Code",
 * "message":"..."} (the wording is ours). Routes are rows (struct svc_route, module.h) of the
 * module that owns them: method, path (exact, or a prefix ending in '/'), who may call it,
 * handler; svc/admin.c walks the modules' rows.
 */
#ifndef RL_ADMIN_H
#define RL_ADMIN_H

#include <jansson.h>
#include <stdbool.h>

#include "base/request.h"
#include "core/call.h"
#include "core/principal.h"

struct server_ctx;

/* Who may call a route. */
enum admin_auth {
    ADMIN_OPEN,            /* anyone (health, IMDS) */
    ADMIN_ROOT,            /* SigV4 by the account root (service "recoverlab"), always */
    ADMIN_ROOT_UNLESS_OFF, /* as ADMIN_ROOT, but open under --auth off (moto-api) */
};

/* One admin call as a handler sees it. */
struct admin_call {
    struct server_ctx *ctx;
    const struct request *rq;
    struct response *resp;
    const char *tail;     /* for prefix routes: the path after the prefix ("" if none) */
    struct principal who; /* the caller, for ADMIN_ROOT routes (kind 0 otherwise) */
};

typedef void admin_fn(struct admin_call *ac);

/* True when path belongs to the admin API (/_recoverlab/..., /moto-api/...). */
bool admin_owns_path(const char *path);

/* Answers one admin request (route, authenticate, run the handler). */
void admin_handle(struct server_ctx *ctx, const struct request *rq,
                  struct response *resp);

/* Replies with status and body (the reference is stolen; NULL: empty body). */
void admin_reply(struct admin_call *ac, int status, json_t *body);
/* Replies the error e: {"__type":code,"message":...} with its status. */
void admin_fail(struct admin_call *ac, const struct aws_err *e);
/* Replies {"__type":type,"message":...} with status (through a struct aws_err). */
void admin_error(struct admin_call *ac, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/*
 * Parses the request body as a JSON object (an empty body is {}). 0 and *out (caller
 * json_decref) on success; -1 after replying 400 otherwise.
 */
int admin_body_object(struct admin_call *ac, json_t **out);

#endif
