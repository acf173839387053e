/*
 * module.c — STS as a module of the lab (svc/module.h): its model and operations (its credentials live in IAM's access keys).
 */
#include "base/base.h"
#include "svc/module.h"
#include "svc/sts/sts.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/sts/ops.def"
#include "svc/ops_table.h"

const struct svc_module sts_module = {
    .id = "sts",
    .model = &model_sts,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
};
