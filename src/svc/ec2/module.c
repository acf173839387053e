/*
 * module.c — EC2 as a module of the lab (svc/module.h): its model, operations, tables, clock events and status-check
 * metrics (ec2_init), its HTTP routes (fault injection, instance health and IMDS) and its CloudFormation resource
 * providers (instances, volumes, attachments).
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/ec2_admin.h"
#include "svc/ec2/ec2_net.h"
#include "svc/module.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/ec2/ops.def"
#include "svc/ops_table.h"

static const struct svc_route routes[] = {
    {"GET", "/_recoverlab/faults", ADMIN_ROOT, ec2_admin_faults_get},
    {"POST", "/_recoverlab/faults", ADMIN_ROOT, ec2_admin_faults_post},
    {"DELETE", "/_recoverlab/faults/", ADMIN_ROOT, ec2_admin_fault_delete},
    {"GET", "/_recoverlab/instances/", ADMIN_ROOT, ec2_admin_instance_get},
    {"GET", "/_recoverlab/imds/", ADMIN_OPEN, ec2_admin_imds},
    {"PUT", "/_recoverlab/imds/", ADMIN_OPEN, ec2_admin_imds},
};

const struct svc_module ec2_module = {
    .id = "ec2",
    .model = &model_ec2,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
    .schema = &ec2_schema,
    .init = ec2_init,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .providers = ec2_cfn_providers,
    .cfn_params = ec2_cfn_param_hooks,
};
