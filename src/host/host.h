/*
 * host.h — how the lab sits on the transport (host.c): the request handler and timed work
 * the HTTP server is given. Only the binary and tests that run a server include this; the
 * services never see the transport.
 */
#ifndef RL_SVC_HOST_H
#define RL_SVC_HOST_H

#include "http/server.h"
#include "svc/svc.h"

/* The lab's request handler for the HTTP server (ctx: the server_ctx): a module's route
 * under /_recoverlab/ and /moto-api/ (svc/admin.c), else dispatch_aws. */
void svc_route(void *ctx, const struct request *rq, struct response *resp);
/* The server hooks of a lab: svc_route, and the clock's due events run before requests and
 * on ticks. */
void svc_server_hooks(struct server_ctx *ctx, struct server_hooks *out);

#endif
