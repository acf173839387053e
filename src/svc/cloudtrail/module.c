/*
 * module.c — CloudTrail as a module of the lab (svc/module.h): its model, operations, event history table, and the recording
 * hook every call goes through.
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/cloudtrail/trail.h"
#include "svc/module.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/cloudtrail/ops.def"
#include "svc/ops_table.h"

static const struct svc_hooks hooks = {.record = trail_record};

const struct svc_module trail_module = {
    .id = "cloudtrail",
    .model = &model_cloudtrail,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
    .schema = &trail_schema,
    .hooks = &hooks,
};
