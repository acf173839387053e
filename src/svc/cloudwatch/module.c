/*
 * module.c — CloudWatch as a module of the lab (svc/module.h): its model, operations, tables, the alarm evaluation ticks
 * and its CloudFormation resource providers (alarms).
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/module.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/cloudwatch/ops.def"
#include "svc/ops_table.h"

const struct svc_module cw_module = {
    .id = "cloudwatch",
    .model = &model_cloudwatch,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
    .schema = &cw_schema,
    .init = cw_alarms_init,
    .providers = cw_cfn_providers,
};
