/*
 * provider.h — CloudFormation resource providers: one per resource type, each creating,
 * updating and deleting its resource through the owning service's own operations
 * (svc_invoke) as the stack operation's principal, so permissions are checked as AWS does and
 * an alarm's recorded creator is that principal. The stack engine (engine.c) owns stacks,
 * events, ordering, rollback; providers own one resource at a time.
 */
#ifndef RL_CFN_PROVIDER_H
#define RL_CFN_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"

struct call;

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

/* The provider of a type, or NULL. */
const struct cfn_provider *cfn_provider_find(const char *type);

#endif
