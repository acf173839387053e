/*
 * module.h — a service is a module: one struct naming everything the core would otherwise
 * list by hand (as nginx's ngx_module_t or h2o's handlers are tables of callbacks). The core
 * walks one list of modules (svc/modules.c): adding a service is a folder and one line there.
 *
 * A module brings
 *   - its model id and wire tables (operations it serves are routed to it),
 *   - its operations: the rows of its folder's ops.def (svc/ops_table.h builds the array),
 *   - its tables: the migration steps of its schema (store_open applies them per owner) and
 *     the rows a reset keeps,
 *   - an init hook run once per process (clock event handlers, metric providers),
 *   - HTTP routes it owns beside the AWS API (/_recoverlab/..., IMDS),
 *   - its CloudFormation resource providers,
 *   - optional hooks into the request pipeline that exactly one module answers (IAM: keys and
 *     authorization; CloudTrail: recording).
 */
#ifndef RL_SVC_MODULE_H
#define RL_SVC_MODULE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/sigv4.h"
#include "svc/admin.h"
#include "svc/svc.h"

struct store;
struct store_schema;
struct store_keep;
struct model_service;
struct cfn_provider;
struct cfn_param_hook;
struct cfn_dynref_hook;

/* One HTTP route a module owns. Paths are exact, or a prefix when they end with '/'. */
struct svc_route {
    const char *method;
    const char *path;
    enum admin_auth auth;
    admin_fn *fn;
};

/* A call one service makes of another as a principal (svc_invoke). */
struct svc_invoked {
    const char *via_service; /* "cloudformation.amazonaws.com"; NULL: the service itself */
};

/*
 * Pipeline hooks. For each, the first module in the list that provides it answers; a lab
 * without one works without it (no credentials: every signed call is refused; no recorder:
 * nothing is recorded).
 */
struct svc_hooks {
    /* The credential an access key id maps to (SigV4). 0 found, 1 unknown, -1 error. */
    credential_lookup_fn credential_lookup;
    /* Authorizes a routed, decoded, validated call, a client's (inv NULL) or one a service
     * makes (svc_invoke). 0 allowed, -1 with the call failed. */
    int (*authorize)(struct call *c, const struct op_def *def, const json_t *in,
                     const struct svc_invoked *inv);
    /* Inside the call's transaction, after its handler succeeded: notes the key's use. */
    int (*call_succeeded)(struct call *c);
    /*
     * Records a call: inside its transaction when it succeeded, after its response when it
     * failed. out_json: the output tree for calls one service made of another (NULL: the
     * rendered body); invoked_by: the service principal that made the call (NULL: a client).
     */
    void (*record)(struct call *c, const json_t *in, const json_t *out_json,
                   const char *invoked_by);
};

struct svc_module {
    const char *id;                          /* the model id ("cloudwatch"), or the lab's own */
    const struct model_service *model;       /* wire tables; NULL: no AWS API */
    const struct op_def *ops;                /* its ops.def rows */
    size_t nops;
    const struct store_schema *schema;       /* its tables; NULL: none */
    const struct store_keep *reset_keep;     /* rows of its tables a reset keeps; NULL: none */
    void (*init)(void);                      /* once per process; NULL: none */
    const struct svc_route *routes;          /* HTTP routes beside the AWS API */
    size_t nroutes;
    const struct cfn_provider *const *providers; /* NULL-terminated; NULL: none */
    /* CloudFormation parameter type families and dynamic-reference services it answers
     * (svc/provider.h), NULL-terminated; NULL: none */
    const struct cfn_param_hook *const *cfn_params;
    const struct cfn_dynref_hook *const *cfn_dynrefs;
    const struct svc_hooks *hooks;           /* NULL: none */
};

/* The modules of this lab (svc/modules.c), NULL-terminated. */
extern const struct svc_module *const svc_modules[];

/* The list the core walks: svc_modules unless a test chose another. */
const struct svc_module *const *svc_module_list(void);
/* Makes the core walk list (NULL-terminated; NULL: svc_modules again). For tests that add
 * a module; call before svc_store_open and svc_init. */
void svc_modules_use(const struct svc_module *const *list);

/* The module serving model id, or NULL. */
const struct svc_module *svc_module_find(const char *id);
/* The wire tables of every module that has them, NULL-terminated (for wire_route). */
const struct model_service *const *svc_models(void);
/* The first hook of each kind among the modules (a struct of NULLs when none has it). */
const struct svc_hooks *svc_hooks(void);
/* The CloudFormation provider for a resource type, or NULL. */
const struct cfn_provider *svc_provider_find(const char *type);

/* Opens the store with the clock's and every module's schema. 0 ok, -1 error (logged). */
int svc_store_open(const char *path, struct store **out);
/* Deletes every module's state but the rows they keep (the account and root key). */
int svc_store_reset(struct store *st);

#endif
