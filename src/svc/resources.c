/*
 * resources.c — the resource ARNs that the non-IAM rows of ops.def are authorized on
 * (op_resource_fn, see svc.h). ARN forms from the Service Authorization Reference
 * (docs.aws.amazon.com/service-authorization): sts role / federated-user, cloudwatch alarm,
 * ec2 instance, cloudformation stack. Actions without a resource type (cloudwatch:PutMetricData,
 * ec2:Describe*) keep a NULL function: "*".
 */
#include <string.h>

#include "core/call.h"
#include "svc/resources.h"
#include "wire/models/cloudformation_members.h"
#include "wire/models/cloudwatch_members.h"
#include "wire/models/ec2_members.h"
#include "wire/models/sts_members.h"

static const char *in_str(const json_t *in, const char *member)
{
    const char *s = json_string_value(json_object_get(in, member));
    return s && *s ? s : NULL;
}

/* The first string of a list member, or NULL. */
static const char *in_first(const json_t *in, const char *member)
{
    const char *s = json_string_value(json_array_get(json_object_get(in, member), 0));
    return s && *s ? s : NULL;
}

/* sts:AssumeRole is checked on the role ARN as given (arn:aws:iam::ACCT:role/PATH/NAME). */
const char *res_sts_role(struct call *c, const json_t *in)
{
    const char *arn = in_str(in, STS_M_AssumeRoleRequest_RoleArn);
    return arn ? arena_strdup(c->a, arn) : "*";
}

/* sts:GetFederationToken: arn:aws:sts::ACCT:federated-user/NAME [doc: Service Authorization
 * Reference, AWS STS resource type federated-user]. */
const char *res_sts_federated_user(struct call *c, const json_t *in)
{
    const char *name = in_str(in, STS_M_GetFederationTokenRequest_Name);
    return name ? arena_printf(c->a, "arn:aws:sts::%s:federated-user/%s", c->account, name) : "*";
}

/* arn:aws:cloudwatch:REGION:ACCT:alarm:NAME [doc]. */
const char *res_cw_alarm(struct call *c, const json_t *in)
{
    const char *name = in_str(in, CW_IN_AlarmName);
    return name ? arena_printf(c->a, "arn:aws:cloudwatch:%s:%s:alarm:%s", c->region, c->account,
                               name)
                : "*";
}

/* Operations on a list of alarms (DeleteAlarms, EnableAlarmActions, ...): the first one
 * (inferred: AWS authorizes each; one check per request is the lab's simplification). */
const char *res_cw_alarms(struct call *c, const json_t *in)
{
    const char *name = in_first(in, CW_IN_AlarmNames);
    return name ? arena_printf(c->a, "arn:aws:cloudwatch:%s:%s:alarm:%s", c->region, c->account,
                               name)
                : "*";
}

/* arn:aws:ec2:REGION:ACCT:instance/ID [doc]; InstanceIds[0] for the list forms (inferred
 * simplification as above). */
const char *res_ec2_instance(struct call *c, const json_t *in)
{
    const char *id = in_str(in, EC2_IN_InstanceId);
    if (!id)
        id = in_first(in, EC2_IN_InstanceIds);
    return id ? arena_printf(c->a, "arn:aws:ec2:%s:%s:instance/%s", c->region, c->account, id)
              : "*";
}

/* arn:aws:ec2:REGION:ACCT:volume/ID [doc]. */
const char *res_ec2_volume(struct call *c, const json_t *in)
{
    const char *id = in_str(in, EC2_IN_VolumeId);
    return id ? arena_printf(c->a, "arn:aws:ec2:%s:%s:volume/%s", c->region, c->account, id) : "*";
}

/* Tagging operations name their resource by ARN (cloudwatch:TagResource ResourceARN). */
const char *res_resource_arn(struct call *c, const json_t *in)
{
    const char *arn = in_str(in, CW_IN_ResourceARN);
    return arn ? arena_strdup(c->a, arn) : "*";
}

/* arn:aws:cloudformation:REGION:ACCT:stack/NAME/ID [doc]; a stack named by name only is
 * checked as stack/NAME/(any id) (inferred: the id is not known before the stack exists). */
const char *res_cfn_stack(struct call *c, const json_t *in)
{
    const char *name = in_str(in, CFN_IN_StackName);
    if (!name)
        return "*";
    if (str_startswith(name, "arn:"))
        return arena_strdup(c->a, name);
    return arena_printf(c->a, "arn:aws:cloudformation:%s:%s:stack/%s/*", c->region, c->account,
                        name);
}
