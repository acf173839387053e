/*
 * invoke.h — one service calling another through the same functions its API uses
 * (ARCHITECTURE.md principle 4): CloudFormation creating an alarm, a role, an instance as the
 * stack operation's principal. The call is validated against the operation's input shape,
 * authorized for `who` (with aws:CalledVia / aws:ViaAWSService set when via_service is given),
 * run inside the caller's transaction, recorded in CloudTrail (invokedBy = via_service), and
 * its output returned as JSON (member names as in the JSON protocol).
 */
#ifndef RL_INVOKE_H
#define RL_INVOKE_H

#include <jansson.h>

#include "core/principal.h"

struct call;

/*
 * Runs service/op (model id + AWS operation name, e.g. "cloudwatch", "PutMetricAlarm") with
 * input `in` as `who`, in `parent`'s store, region, account and virtual time. via_service:
 * "cloudformation.amazonaws.com" or NULL. On success returns 0 and *out (caller decrefs;
 * {} for operations without output). On failure returns -1 and copies the AWS error (status,
 * code, message) into `err` (a scratch call the caller reads: err->err.status/err_code/
 * err_message) — parent itself is not failed, so the caller decides how to report it.
 */
int svc_invoke(struct call *parent, const struct principal *who, const char *via_service,
               const char *service, const char *op, const json_t *in, json_t **out,
               struct call *err);

#endif
