/*
 * resources.c — the resource ARNs EC2's rows of ops.def are authorized on (op_resource_fn,
 * see svc.h): instance and volume [doc: Service Authorization Reference, Amazon EC2].
 * Actions without a resource type (ec2:Describe*) keep a NULL function: "*".
 */
#include "core/call.h"
#include "svc/ec2/ec2.h"
#include "wire/models/ec2_members.h"

/* arn:aws:ec2:REGION:ACCT:instance/ID [doc]; InstanceIds[0] for the list forms (inferred:
 * AWS authorizes each; one check per request is the lab's simplification). */
const char *ec2_res_instance(struct call *c, const json_t *in)
{
    const char *id = json_string_value(json_object_get(in, EC2_IN_InstanceId));
    if (!id || !*id)
        id = json_string_value(json_array_get(json_object_get(in, EC2_IN_InstanceIds), 0));
    return id && *id
               ? arena_printf(c->a, "arn:aws:ec2:%s:%s:instance/%s", c->region, c->account, id)
               : "*";
}

/* arn:aws:ec2:REGION:ACCT:volume/ID [doc]. */
const char *ec2_res_volume(struct call *c, const json_t *in)
{
    const char *id = json_string_value(json_object_get(in, EC2_IN_VolumeId));
    return id && *id ? arena_printf(c->a, "arn:aws:ec2:%s:%s:volume/%s", c->region, c->account, id)
                     : "*";
}

/* arn:aws:ec2:REGION:ACCT:security-group/ID [doc]; "*" when the group is named by name. */
const char *ec2_res_security_group(struct call *c, const json_t *in)
{
    const char *id = json_string_value(json_object_get(in, EC2_IN_GroupId));
    return id && *id ? arena_printf(c->a, "arn:aws:ec2:%s:%s:security-group/%s", c->region,
                                    c->account, id)
                     : "*";
}
