/*
 * module.c — Amazon SNS as a module of the lab (svc/module.h): its model and operations
 * (Query protocol), tables, the delivery events of the clock, its HTTP routes (signing
 * certificate, SubscribeURL, UnsubscribeURL, the inbox) and its CloudFormation providers.
 */
#include "svc/module.h"
#include "base/base.h"
#include "store/store.h"
#include "svc/sns/sns.h"
#include "svc/sns/sns_internal.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/sns/ops.def"
#include "svc/ops_table.h"

static const struct store_keep keep[] = {{"sns_signing", "1"}, {NULL, NULL}};

const struct svc_module sns_module = {
    .id = "sns",
    .model = &model_sns,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
    .schema = &sns_schema,
    .reset_keep = keep,
    .init = sns_deliver_init,
    .routes = sns_routes,
    .nroutes = 5,
    .providers = sns_cfn_providers,
};
