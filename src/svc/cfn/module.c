/*
 * module.c — CloudFormation as a module of the lab (svc/module.h): its model, operations, stack tables and stack operation steps.
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/module.h"
#include "svc/provider.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/cfn/ops.def"
#include "svc/ops_table.h"

extern const struct cfn_provider cfn_wait_condition_handle_provider, cfn_wait_condition_provider;

static const struct cfn_provider *const providers[] = {
    &cfn_wait_condition_handle_provider,
    &cfn_wait_condition_provider,
    NULL,
};

static const struct svc_route routes[] = {
    /* a wait-condition handle's URL: the URL is the credential (as AWS's presigned URL) */
    {"PUT", "/_recoverlab/cfn-signal/", ADMIN_OPEN, cfn_admin_signal},
    {"POST", "/_recoverlab/cfn-signal/", ADMIN_OPEN, cfn_admin_signal},
};

const struct svc_module cfn_module = {
    .id = "cloudformation",
    .model = &model_cloudformation,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
    .schema = &cfn_schema,
    .init = cfn_stacks_init,
    .providers = providers,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
};
