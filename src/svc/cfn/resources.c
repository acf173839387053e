/*
 * resources.c — the resource ARN CloudFormation's rows of ops.def are authorized on
 * (op_resource_fn, see svc.h): stack [doc: Service Authorization Reference, AWS
 * CloudFormation].
 */
#include "core/call.h"
#include "svc/cfn/cfn_stack.h"
#include "wire/models/cloudformation_members.h"

/* arn:aws:cloudformation:REGION:ACCT:stack/NAME/ID [doc]; a stack named by name only is
 * checked as stack/NAME/(any id) (inferred: the id is not known before the stack exists). */
const char *cfn_res_stack(struct call *c, const json_t *in)
{
    const char *name = json_string_value(json_object_get(in, CFN_IN_StackName));
    if (!name || !*name)
        return "*";
    if (str_startswith(name, "arn:"))
        return arena_strdup(c->a, name);
    return arena_printf(c->a, "arn:aws:cloudformation:%s:%s:stack/%s/*", c->region, c->account,
                        name);
}
