/*
 * module.c — SSM Parameter Store as a module of the lab (svc/module.h): its model, the
 * parameter operations, its tables, the AWS::SSM::Parameter provider and the SSM parameter
 * types and dynamic references of CloudFormation.
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/module.h"
#include "svc/ssm/ssm.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/ssm/ops.def"
#include "svc/ops_table.h"

const struct svc_module ssm_module = {
    .id = "ssm",
    .model = &model_ssm,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
    .schema = &ssm_schema,
    .providers = ssm_cfn_providers,
    .cfn_params = ssm_cfn_param_hooks,
    .cfn_dynrefs = ssm_cfn_dynref_hooks,
};
