/*
 * svc.h — the operation rows (each service's ops.def, collected from the modules of
 * svc/module.h) and dispatch: neutral request -> route -> SigV4 -> decode -> validate ->
 * authorize -> handler (one transaction) -> response.
 * Handlers are protocol-blind: int fn(struct call *c, const json_t *in, struct out *o),
 * 0 on success, -1 after call_fail().
 */
#ifndef RL_SVC_H
#define RL_SVC_H

#include "wire/wire.h"

#define OPF_READ 0x01
#define OPF_WRITE 0x02
#define OPF_NO_AUTHZ 0x04 /* no IAM permission needed (sts:GetCallerIdentity) */
/* the handler authorizes: a resource-based policy takes part (sts:AssumeRole's trust policy) */
#define OPF_AUTHZ_IN_HANDLER 0x08

typedef int op_handler(struct call *c, const json_t *in, struct out *o);
typedef const char *op_resource_fn(struct call *c, const json_t *in);

struct op_def {
    const char *service;    /* model id */
    const char *name;       /* AWS operation name */
    op_handler *fn;
    const char *iam_action; /* "cloudwatch:PutMetricData" */
    op_resource_fn *resource;
    unsigned flags;
};

/* The row for service id + operation name among the modules' rows, or NULL. */
const struct op_def *ops_find(const char *service, const char *name);
/* Every module's rows, sorted by (service, name): *out and the count. */
size_t ops_all(const struct op_def *const **out);

/* Server-wide state handed to dispatch. */
struct server_ctx {
    struct store *st;
    const char *account;        /* "123456789012" */
    const char *default_region; /* "us-east-1" */
    bool auth_enforce;          /* false: --auth off */
    const char *data_dir;
    const char *listen_url;     /* "http://127.0.0.1:4566" */
};

/* Answers one AWS API request (not /_recoverlab/). resp->body is filled (heap). */
void dispatch_aws(struct server_ctx *ctx, const struct request *rq,
                  struct response *resp);

/*
 * Renders an error the HTTP transport produced itself (431, 408, 413, 503: status, AWS code
 * and message given) in the caller's protocol, as far as rq (possibly without headers or
 * body) tells it: the SigV4 scope, X-Amz-Target, the CBOR path, Action=. Query XML when
 * nothing does. Nothing is recorded and the store is not touched.
 */
void dispatch_transport_error(struct server_ctx *ctx, const struct request *rq, int status,
                              const char *code, const char *message, struct response *resp);

/* The credential lookup used by SigV4 (ctx is the server_ctx): the credentials hook of the
 * modules (IAM's). 0 found, 1 unknown, -1 error. */
int svc_credential_lookup(void *ctx, const char *access_key_id, struct arena *a,
                          struct credential *out);

/* Runs every module's init hook (clock event handlers, metric providers) once per module
 * list. Call after the store is open and before the clock runs events; idempotent. */
void svc_init(void);

#endif
