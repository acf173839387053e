/*
 * svc.h — the operation table (ops.def) and dispatch: HTTP request -> route -> SigV4 ->
 * decode -> validate -> authorize -> handler (one transaction) -> response.
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

/* Handlers are weak so a tree with a row whose handler is not written yet still links
 * (dispatch answers InvalidAction for it); the unit test ops_table_complete fails until
 * every row has its handler. */
#define OP(svc, name, fn, action, res, flags) op_handler fn __attribute__((weak));
#include "svc/ops.def"
#undef OP

extern const struct op_def ops_table[];
extern const size_t ops_count;
/* The row for service id + operation name, or NULL. */
const struct op_def *ops_find(const char *service, const char *name);

/* Resource functions of the IAM rows (iam_res_*), referenced by the operation table. */
#include "svc/iam/iam.h"

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

/* The credential lookup used by SigV4 (ctx is the server_ctx). */
int svc_credential_lookup(void *ctx, const char *access_key_id, struct arena *a,
                          struct credential *out);

/* Registers every service's clock event handlers and metric providers (svc/init.c). Call
 * once after the store is open and before the clock runs events; idempotent. */
void svc_init(void);

#endif
