/*
 * resources.c — the resource ARNs STS's rows of ops.def are authorized on (op_resource_fn,
 * see svc.h): role and federated-user [doc: Service Authorization Reference, AWS STS].
 */
#include "core/call.h"
#include "svc/sts/sts.h"
#include "wire/models/sts_members.h"

/* sts:AssumeRole is checked on the role ARN as given (arn:aws:iam::ACCT:role/PATH/NAME). */
const char *sts_res_role(struct call *c, const json_t *in)
{
    const char *arn = json_string_value(json_object_get(in, STS_M_AssumeRoleRequest_RoleArn));
    return arn && *arn ? arena_strdup(c->a, arn) : "*";
}

/* sts:GetFederationToken: arn:aws:sts::ACCT:federated-user/NAME [doc]. */
const char *sts_res_federated_user(struct call *c, const json_t *in)
{
    const char *name = json_string_value(json_object_get(in, STS_M_GetFederationTokenRequest_Name));
    return name && *name ? arena_printf(c->a, "arn:aws:sts::%s:federated-user/%s", c->account, name)
                         : "*";
}
