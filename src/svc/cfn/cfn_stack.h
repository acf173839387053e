/*
 * cfn_stack.h — CloudFormation stacks inside the service: the stack store (stack_store.c:
 * stacks, their resources, events, exports and imports), the engine that runs stack
 * operations in virtual time on the clock queue (engine.c) and the API handlers (stacks.c).
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
#include <stddef.h>
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

/* ---------------- the stack store (stack_store.c) ---------------- */

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

/* One resource row of a stack. */
struct cfn_row {
    char type[256];
    char *physical_id; /* heap or NULL */
    char status[48];
    json_t *props;  /* owned, may be NULL */
    json_t *attrs;  /* owned, may be NULL */
    char *gen_name; /* heap or NULL */
};

/* Loads the row of logical in stack_id into r (cfn_row_free it in every case). 0 found,
 * 1 not found, -1 error. */
int cfn_row_load(struct store *st, const char *stack_id, const char *logical, struct cfn_row *r);
void cfn_row_free(struct cfn_row *r);
/* Inserts or updates the row of logical from r, with reason (may be NULL). 0 / -1. */
int cfn_row_save(struct store *st, const char *stack_id, const char *logical,
                 const struct cfn_row *r, const char *reason, int64_t now_ms);
/* Sets the status and reason (may be NULL) of an existing row. 0 / -1. */
int cfn_row_set_status(struct store *st, const char *stack_id, const char *logical,
                       const char *status, const char *reason, int64_t now_ms);
/* Deletes the row of logical. 0 / -1. */
int cfn_row_remove(struct store *st, const char *stack_id, const char *logical);
/* A row as a JSON object {l, type, status, pid, props, attrs, gen} (snapshots, queue items);
 * cfn_row_from_json reads one back into r (cfn_row_free it). */
json_t *cfn_row_json(const char *logical, const struct cfn_row *r);
void cfn_row_from_json(const json_t *o, struct cfn_row *r);
/* Snapshot of the stack's resource rows (logical -> cfn_row_json object), in creation order;
 * NULL on a store error. */
json_t *cfn_resources_snapshot(struct store *st, const char *stack_id);

/* The region of a stack id into region (cap bytes). 0 found, 1 not found, -1 error. */
int cfn_stack_region(struct store *st, const char *stack_id, char *region, size_t cap);
/* The value of export name in region as a new JSON string in *out. 0 found, 1 not, -1 error. */
int cfn_export_value(struct store *st, const char *region, const char *name, json_t **out);
/* Notes that stack_id imports export name (so the export cannot go while in use). 0 / -1. */
int cfn_import_note(struct store *st, const char *region, const char *name, const char *stack_id);
/* Sets export name of stack_id to value. 0 / -1. */
int cfn_export_put(struct store *st, const char *region, const char *name, const char *stack_id,
                   const char *value);
/* Deletes the stack's exports (before its outputs are evaluated again). 0 / -1. */
int cfn_exports_clear(struct store *st, const char *stack_id);
/* Deletes the stack's exports and imports (a deleted stack). 0 / -1. */
int cfn_exports_drop(struct store *st, const char *stack_id);

/* Reads for the API handlers; each NULL (or -1) on a store error. */
/* The stack ids of region (only those not deleted when live_only), newest first. */
json_t *cfn_stack_ids(struct store *st, const char *region, bool live_only);
/* The id of the newest stack in region with a resource of that physical id into id (cap
 * bytes). 0 found, 1 none, -1 error. */
int cfn_stack_of_physical(struct store *st, const char *region, const char *physical, char *id,
                          size_t cap);
/* The first export of stack_id another live stack imports: [] or [{export, importer}]. */
json_t *cfn_exports_in_use(struct store *st, const char *stack_id);
/* A page of the stack's events, newest first: [{event_id, logical_id, physical_id, type,
 * ts_ms, status, reason, props, token}] (NULL columns left out); *total: all its events. */
json_t *cfn_events_page(struct store *st, const char *stack_id, int64_t limit, int64_t offset,
                        int64_t *total);
/* The stack's resource rows (optionally only those of logical / physical id), in creation
 * order: [{logical_id, physical_id, type, updated_ms, status, reason}]. */
json_t *cfn_rows_list(struct store *st, const char *stack_id, const char *logical,
                      const char *physical);

/* ---------------- the engine (engine.c) ---------------- */

/* Starts the operation s is now in (s->status *_IN_PROGRESS, s->doc "op" filled): queues
 * the first engine step after CFN_STEP_MS. 0 ok, -1 error. */
int cfn_engine_start(struct store *st, const struct cfn_stack *s, int64_t now_ms);
/* Runs one step of the stack's operation at at_ms (the clock event handler). */
void cfn_engine_step(struct store *st, int64_t at_ms, const char *stack_id);

/* Deletion queue of the whole stack (reverse creation order), for DeleteStack. New array;
 * NULL on a store error. */
json_t *cfn_engine_delete_queue(struct store *st, const struct cfn_stack *s);

/* The resource function of CloudFormation's ops.def rows (resources.c): the stack ARN an
 * action is checked on, an arena string, "*" when the input names none. */
const char *cfn_res_stack(struct call *c, const json_t *in);

/* A resource definition with a custom name: its provider's name property (RoleName,
 * UserName, GroupName, InstanceProfileName, ManagedPolicyName) is set, which makes an IAM
 * resource need CAPABILITY_NAMED_IAM (stacks.c). */
bool cfn_resource_named(const json_t *def);

/* ---------------- parameters and dynamic references (params.c) ---------------- */

/*
 * The parameter step of CreateStack, UpdateStack and CreateChangeSet: cfn_params_resolve
 * with the services' parameter hooks (svc/provider.h), as the caller. stack_id may be NULL
 * (a new stack). 0 with *values and *raw (new references), or -1 after call_fail
 * (ValidationError with AWS's message).
 */
int cfn_stack_params(struct call *c, const char *stack_name, const char *stack_id,
                     const json_t *t, const json_t *given, const json_t *previous,
                     const json_t *use_previous, json_t **values, json_t **raw);
/* Resolved properties with their `{{resolve:...}}` references replaced through the
 * services' hooks: 0 with *out (new reference), -1 with the resource's failure reason. */
int cfn_props_dynrefs(const struct cfn_act *x, const json_t *props, json_t **out, char *reason,
                      size_t cap);

/* CloudFormation's tables (schema.c). */
extern const struct store_schema cfn_schema;

#endif
