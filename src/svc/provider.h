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
