/*
 * resources.c — the resource ARNs CloudWatch's rows of ops.def are authorized on
 * (op_resource_fn, see svc.h): alarm [doc: Service Authorization Reference, Amazon
 * CloudWatch]. Actions without a resource type (cloudwatch:PutMetricData) keep a NULL
 * function: "*".
 */
#include "core/call.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "wire/models/cloudwatch_members.h"

static const char *alarm_arn(struct call *c, const char *name)
{
    return name && *name ? arena_printf(c->a, "arn:aws:cloudwatch:%s:%s:alarm:%s", c->region,
                                        c->account, name)
                         : "*";
}

/* arn:aws:cloudwatch:REGION:ACCT:alarm:NAME [doc]. */
const char *cw_res_alarm(struct call *c, const json_t *in)
{
    return alarm_arn(c, json_string_value(json_object_get(in, CW_IN_AlarmName)));
}

/* Operations on a list of alarms (DeleteAlarms, EnableAlarmActions, ...): the first one
 * (inferred: AWS authorizes each; one check per request is the lab's simplification). */
const char *cw_res_alarms(struct call *c, const json_t *in)
{
    return alarm_arn(c,
                     json_string_value(json_array_get(json_object_get(in, CW_IN_AlarmNames), 0)));
}

/* Tagging operations name their resource by ARN (cloudwatch:TagResource ResourceARN). */
const char *cw_res_resource_arn(struct call *c, const json_t *in)
{
    const char *arn = json_string_value(json_object_get(in, CW_IN_ResourceARN));
    return arn && *arn ? arena_strdup(c->a, arn) : "*";
}
