/*
 * provider.h — CloudFormation resource providers: one per resource type, each creating,
 * updating and deleting its resource through the owning service's own operations
 * (svc_invoke) as the stack operation's principal, so permissions are checked as AWS does and
 * an alarm's recorded creator is that principal. The stack engine (svc/cfn) owns stacks,
 * events, ordering, rollback; providers own one resource at a time.
 *
 * A provider belongs to the service that owns its resource (svc/<id>/cfn_<id>.c) and is
 * listed in that service's module (`.providers`); the engine finds it with
 * svc_provider_find (svc/module.h). The helpers below (provider.c) are for every provider.
 */
#ifndef RL_CFN_PROVIDER_H
#define RL_CFN_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfnlang/cfnlang.h"
#include "core/principal.h"

struct call;

/* Service principal of CloudFormation (forward access sessions, service role trust). */
#define CFN_SERVICE "cloudformation.amazonaws.com"

/* The stack operation's context a provider acts in. */
struct cfn_act {
    struct call *c;               /* store, region, account, virtual time, arena */
    const struct principal *who;  /* the caller's forward-access identity or the service role session */
    const char *stack_name;
    const char *stack_id;
};

struct cfn_res {
    const char *logical_id;
    const char *type;          /* "AWS::CloudWatch::Alarm" */
    const json_t *props;       /* resolved properties (intrinsics done, NoValue removed) */
    const char *physical_id;   /* set by create (arena/heap string owned by the engine after) */
    json_t *attrs;             /* set by create/update: GetAtt values by attribute name (owned) */
    /* failure of the last provider call: AWS's code and message as CloudFormation shows them
     * in ResourceStatusReason (e.g. "Resource handler returned message: ...") */
    char reason[1024];
};

enum cfn_step { CFN_DONE = 0, CFN_PENDING = 1, CFN_FAILED = -1 };

struct cfn_provider {
    const char *type;
    /* Creates; CFN_DONE with physical_id/attrs, CFN_PENDING when the resource needs time
     * (then `check` is polled on the virtual clock), CFN_FAILED with reason. */
    enum cfn_step (*create)(const struct cfn_act *x, struct cfn_res *r);
    /* Polls a pending create/update/delete. NULL when never pending. */
    enum cfn_step (*check)(const struct cfn_act *x, struct cfn_res *r);
    /* In-place update from old_props to r->props (only called when no replace_props changed). */
    enum cfn_step (*update)(const struct cfn_act *x, struct cfn_res *r, const json_t *old_props);
    /* Deletes r->physical_id; a resource already gone counts as deleted. */
    enum cfn_step (*del)(const struct cfn_act *x, struct cfn_res *r);
    /* Properties whose change requires replacement (create new, then delete old in cleanup). */
    const char *const *replace_props;
    /* Property naming the physical resource (AlarmName, RoleName ...) generated as
     * <stack>-<LogicalId>-<suffix> when absent; NULL when the service generates ids. */
    const char *name_prop;
    int name_max; /* maximum length of a generated name */
    /* Attributes Fn::GetAtt may ask for. */
    const char *const *attrs;
};

/* ------------------------------------------------------------------------------------------
 * Parameter types and dynamic references (the stack service's parameter step and property
 * evaluation call these; services that own the data answer them). A module lists its hooks
 * in `.cfn_params` / `.cfn_dynrefs` (svc/module.h); svc_cfn_param_hook_find and
 * svc_cfn_dynref_find (registry.c) find them. Without a hook for a type family the stack
 * service keeps AWS-specific values as given and refuses SSM parameter types and dynamic
 * references with a "not supported by recoverlab" message.
 *
 * x in both: the caller's call (its store, region, account, time) and principal (x->who),
 * the stack's name and id (the id may be "" before the stack exists: a change set or
 * CreateStack being validated).
 */

/* One family of parameter Types (the AWS-specific EC2 types; the SSM parameter types). */
struct cfn_param_hook {
    /* True when this hook checks/resolves parameters of this declared type (pt parsed by
     * cfnlang: family, list, elem, inner). */
    bool (*takes)(const char *type, const struct cfn_ptype *pt);
    /* Checks (and for SSM types resolves) the value of parameter name: value is a string, or an
     * array of strings when the type is a list (the SSM parameter's name, a string, for
     * CFN_PT_SSM_VALUE). May set *out (new reference: string, or array of strings when
     * pt->list) to the value the template sees. 0 ok; -1 with AWS's complete message in msg
     * (the caller answers ValidationError with it). */
    int (*resolve)(const struct cfn_act *x, const char *name, const char *type,
                   const struct cfn_ptype *pt, const json_t *value, json_t **out, char *msg,
                   size_t cap);
};

/* One service of `{{resolve:SERVICE:KEY}}` dynamic references ("ssm", "ssm-secure"). */
struct cfn_dynref_hook {
    const char *service;
    /* The value of KEY (everything between "SERVICE:" and "}}", version suffix included):
     * *out a heap string (free()). 0 ok; -1 with AWS's message in msg (the resource fails
     * with it). */
    int (*resolve)(const struct cfn_act *x, const char *key, char **out, char *msg, size_t cap);
};

/* The hook of the modules that takes a parameter type, or NULL. */
const struct cfn_param_hook *svc_cfn_param_hook_find(const char *type, const struct cfn_ptype *pt);
/* The hook of a dynamic reference service, or NULL. */
const struct cfn_dynref_hook *svc_cfn_dynref_find(const char *service);

/* ------------------------------------------------------------------------------------------
 * Helpers for providers (provider.c): calling the owning service through svc_invoke as the
 * stack operation's principal, wording failures the way CloudFormation shows them in
 * ResourceStatusReason, and building operation inputs from resolved properties.
 */

/*
 * Runs service/op with `in` (stolen: decref'd here) as x->who via CloudFormation. 0 on success
 * with *out (may be NULL: output dropped); 1 when the call failed with one of ok_codes
 * (NULL-terminated, may be NULL: e.g. "NoSuchEntity" on delete); -1 on any other failure
 * with r->reason set in CloudFormation's words.
 */
int prov_call(const struct cfn_act *x, struct cfn_res *r, const char *service, const char *op,
              json_t *in, json_t **out, const char *const *ok_codes);
/* Sets r->reason in the handler-failure form from an error code and message; returns
 * CFN_FAILED. */
enum cfn_step prov_fail(struct cfn_res *r, const char *service, int status, const char *code,
                        const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Sets r->reason to a property problem found by the provider itself (CloudFormation's
 * "Properties validation failed" form); returns CFN_FAILED. */
enum cfn_step prov_invalid(struct cfn_res *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies the listed properties (NULL-terminated) of props into a new object. */
json_t *prov_pick(const json_t *props, const char *const *names);
/* A property as a string, or NULL. */
const char *prov_str(const json_t *props, const char *name);
/* A policy document property as the JSON text IAM takes (objects compact-encoded, strings as
 * given); NULL when absent. Heap (free()). */
char *prov_doc(const json_t *v);
/* The physical name: the name property when given, else a generated one. Arena string. */
const char *prov_name(const struct cfn_act *x, const struct cfn_res *r, const char *prop,
                      size_t max);
/* Sets the physical id (copied into the call arena). */
void prov_set_id(const struct cfn_act *x, struct cfn_res *r, const char *id);
/* Sets attrs[name] (creating attrs), stealing v. */
void prov_attr(struct cfn_res *r, const char *name, json_t *v);
/* Strings of array a (NULL when absent) that are not in array b: a new array. */
json_t *prov_minus(const json_t *a, const json_t *b);
/* True when the two values differ (absent == NULL). */
bool prov_changed(const json_t *a, const json_t *b);
/* Tag lists [{Key,Value}]: the keys of old missing from new (new array). */
json_t *prov_removed_tag_keys(const json_t *old_tags, const json_t *new_tags);

#endif
