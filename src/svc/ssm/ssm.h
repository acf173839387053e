/*
 * ssm.h — SSM Parameter Store (the lab's parameters and AWS's public ones): what the module
 * and other services (CloudFormation's parameter types and dynamic references go through
 * svc_invoke GetParameters) need.
 */
#ifndef RL_SSM_H
#define RL_SSM_H

#include <jansson.h>

struct call;
struct cfn_provider;

/* SSM's tables (schema.c). */
extern const struct store_schema ssm_schema;
/* The resource functions of the ops.def rows (params.c): the parameter's ARN. */
const char *ssm_res_parameter(struct call *c, const json_t *in);
const char *ssm_res_parameters(struct call *c, const json_t *in);
const char *ssm_res_path(struct call *c, const json_t *in);
/* AWS::SSM::Parameter (cfn_ssm.c), NULL-terminated. */
extern const struct cfn_provider *const ssm_cfn_providers[];
/* The parameter types and dynamic references SSM answers (cfn_ssm.c; module hooks). */
struct cfn_param_hook;
struct cfn_dynref_hook;
extern const struct cfn_param_hook *const ssm_cfn_param_hooks[];
extern const struct cfn_dynref_hook *const ssm_cfn_dynref_hooks[];

#endif
