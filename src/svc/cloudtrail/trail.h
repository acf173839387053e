/*
 * trail.h — CloudTrail event history: one management event per API call (reads and writes),
 * kept 90 virtual days, served by LookupEvents. dispatch.c records every API request after
 * it is answered; svc_invoke records calls one service makes for another (invokedBy).
 */
#ifndef RL_TRAIL_H
#define RL_TRAIL_H

#include <jansson.h>
#include <stdbool.h>

struct call;

#define TRAIL_KEEP_MS (90 * 86400 * 1000LL)

/*
 * Records the call c (its principal c->who, service, operation, region, request id, virtual
 * time, source IP and user agent from c->rq when there is one, the error when
 * c->err.status != 0). in: the decoded input (requestParameters, secrets removed) or NULL;
 * out_json: the response elements as JSON or NULL; invoked_by: "cloudformation.amazonaws.com"
 * or NULL. Never fails the call (errors are logged).
 */
void trail_record(struct call *c, const json_t *in, const json_t *out_json,
                  const char *invoked_by);

/*
 * Events that outlive the transaction they were recorded in: AWS records a call whether or
 * not the work that made it is later undone. Between trail_hold_begin() and
 * trail_hold_end() every recorded event is also kept in memory; trail_hold_end(st, true)
 * (the caller rolled its transaction back) writes them again in a transaction of their own,
 * trail_hold_end(st, false) (committed) only forgets them. The CloudFormation engine holds
 * each step: the calls a stack made stay in the history when the step is undone.
 */
void trail_hold_begin(void);
struct store;
void trail_hold_end(struct store *st, bool rolled_back);

/* CloudTrail's event history table (schema.c). */
extern const struct store_schema trail_schema;

#endif
