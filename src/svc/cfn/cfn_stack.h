/*
 * cfn_stack.h — CloudFormation stacks inside the service: the stack store (stacks, their
 * resources, events, exports and imports), the engine that runs stack operations in virtual
 * time on the clock queue (engine.c) and the API handlers (stacks.c).
 *
 * A stack row keeps a JSON document: the template body as given, parameter values, tags,
 * capabilities, service role, rollback settings, outputs, and the running operation's state
 * ("op": its principal, progress per resource, queues of deletions/undos, the previous
 * template for an update rollback). One clock event kind advances a stack by one step.
 */
#ifndef RL_CFN_STACK_H
#define RL_CFN_STACK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "svc/provider.h"

struct store;
struct call;

/* The clock event kind of a stack step (arg: the stack id). */
#define CFN_EV_STEP "cfn.step"
/* Virtual delay between two steps of a stack operation (ms, inferred). */
#define CFN_STEP_MS 2000
/* Session name of a service-role session (inferred: as CloudTrail shows it). */
#define CFN_ROLE_SESSION "AWSCloudFormation"

struct cfn_stack {
    char stack_id[400];
    char name[160];
    char region[32];
    char account[16];
    char status[48];
    char *reason;                               /* heap, may be NULL */
    int64_t created_ms, updated_ms, deleted_ms; /* 0: none */
    json_t *doc;                                /* owned */
};

/* Registers the engine's clock event (svc_init). */
void cfn_stacks_init(void);

/* Loads a stack by name (the live one) or stack id (any, deleted too) in region.
 * 0 found, 1 not found, -1 error. cfn_stack_free releases it. */
int cfn_stack_load(struct store *st, const char *region, const char *name_or_id,
                   struct cfn_stack *out);
void cfn_stack_free(struct cfn_stack *s);
/* Inserts (new stack_id) or replaces the row of s. 0 ok, -1 error. */
int cfn_stack_save(struct store *st, const struct cfn_stack *s);
/* Sets status (and reason, may be NULL) of s in memory. */
void cfn_stack_set_status(struct cfn_stack *s, const char *status, const char *reason);

/* Appends a stack event. logical NULL: the stack's own event. props may be NULL. */
int cfn_event_add(struct store *st, const struct cfn_stack *s, int64_t ts_ms, const char *logical,
                  const char *physical, const char *type, const char *status, const char *reason,
                  const json_t *props);

/* Starts the operation s is now in (s->status *_IN_PROGRESS, s->doc "op" filled): queues
 * the first engine step after CFN_STEP_MS. 0 ok, -1 error. */
int cfn_engine_start(struct store *st, const struct cfn_stack *s, int64_t now_ms);
/* Runs one step of the stack's operation at at_ms (the clock event handler). */
void cfn_engine_step(struct store *st, int64_t at_ms, const char *stack_id);

/* Deletion queue of the whole stack (reverse creation order), for DeleteStack. New array. */
json_t *cfn_engine_delete_queue(struct store *st, const struct cfn_stack *s);
/* Snapshot of the stack's resource rows (logical -> row object), for an update rollback. */
json_t *cfn_resources_snapshot(struct store *st, const char *stack_id);

/* The resource function of CloudFormation's ops.def rows (resources.c): the stack ARN an
 * action is checked on, an arena string, "*" when the input names none. */
const char *cfn_res_stack(struct call *c, const json_t *in);

/* CloudFormation's tables (schema.c). */
extern const struct store_schema cfn_schema;

#endif
