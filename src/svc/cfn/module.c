/*
 * module.c — CloudFormation as a module of the lab (svc/module.h): its model, operations, stack tables and stack operation steps.
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/module.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/cfn/ops.def"
#include "svc/ops_table.h"

const struct svc_module cfn_module = {
    .id = "cloudformation",
    .model = &model_cloudformation,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
    .schema = &cfn_schema,
    .init = cfn_stacks_init,
};
