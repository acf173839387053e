/*
 * module.c — IAM as a module of the lab (svc/module.h): its model, operations, tables (access keys included; a reset keeps
 * the root key), its CloudFormation resource providers, and the pipeline hooks it answers: credentials,
 * authorization, key use.
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/iam/iam.h"
#include "svc/module.h"
#include "svc/restags.h"
#include "wire/models/models.h"

#define SVC_OPS_FILE "svc/iam/ops.def"
#include "svc/ops_table.h"

static const struct store_keep keep[] = {
    /* the root's long-term key (bootstrap's; root session keys carry a token) */
    {"access_keys", "session_token IS NULL AND json_extract(principal, '$.kind') = 'root'"},
    {NULL, NULL},
};

static const struct svc_hooks hooks = {
    .credential_lookup = iam_credential_lookup,
    .authorize = authz_hook,
    .call_succeeded = iam_call_succeeded,
};

/* The tags of IAM users and roles for aws:ResourceTag conditions. */
static void iam_init(void)
{
    svc_resource_tags_register("iam", iam_resource_tags);
}

const struct svc_module iam_module = {
    .id = "iam",
    .model = &model_iam,
    .ops = svc_ops,
    .nops = ARRAY_LEN(svc_ops),
    .schema = &iam_schema,
    .init = iam_init,
    .reset_keep = keep,
    .providers = iam_cfn_providers,
    .hooks = &hooks,
};
