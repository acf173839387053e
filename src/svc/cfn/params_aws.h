/*
 * params_aws.h — CloudFormation parameters and values that need the lab's services
 * (params_aws.c): AWS::SSM::Parameter::Value<...> parameters, the AWS-specific parameter
 * types checked against the lab's resources, and {{resolve:ssm:...}} /
 * {{resolve:ssm-secure:...}} dynamic references. Called by the stack operations after
 * cfnlang's cfn_params_resolve and by the engine after a resource's properties are
 * evaluated.
 */
#ifndef RL_CFN_PARAMS_AWS_H
#define RL_CFN_PARAMS_AWS_H

#include <jansson.h>

#include "cfnlang/cfnlang.h"
#include "core/principal.h"

struct call;

/*
 * values (cfn_params_resolve's): SSM-typed parameters get their parameter's value (a list
 * for Value<List<...>> and Value<CommaDelimitedList>); AWS-specific types (and the types
 * SSM values declare) are checked to exist, as `who` sees them. 0, or -1 with e set to
 * AWS's message (the caller fails the call with ValidationError).
 */
int cfn_params_aws(struct call *c, const struct principal *who, const json_t *t, json_t *values,
                   struct cfn_err *e);

/* Replaces the dynamic references to SSM parameters in every string of v (in place). 0 / -1
 * with e set. */
int cfn_dynrefs_resolve(struct call *c, const struct principal *who, json_t *v,
                        struct cfn_err *e);

#endif
