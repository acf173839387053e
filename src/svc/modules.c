/*
 * modules.c — the modules of this lab, in order: a module's schema migrates after those
 * above it, and the first module that provides a pipeline hook answers it. Adding a service
 * is its folder (module.c, ops.def, schema.c, handlers) and one line here.
 */
#include <stddef.h>

#include "svc/module.h"

extern const struct svc_module iam_module, sts_module, ec2_module, cw_module, trail_module,
    cfn_module, lab_module;
extern const struct svc_module ssm_module;
extern const struct svc_module sns_module;

const struct svc_module *const svc_modules[] = {
    &iam_module,   /* users, roles, policies, access keys; credentials and authorization */
    &sts_module,   /* temporary credentials */
    &ec2_module,   /* instances, health, faults, IMDS */
    &sns_module,   /* topics, subscriptions, deliveries in virtual time */
    &cw_module,    /* metrics, alarms and their actions */
    &trail_module, /* every call recorded */
    &ssm_module,   /* Parameter Store */
    &cfn_module,   /* stacks */
    &lab_module,   /* /_recoverlab/ health, clock, reset */
    NULL,
};
