/*
 * prov_internal.h — helpers shared by the CloudFormation resource providers (providers.c,
 * prov_cloudwatch.c, prov_ec2.c, prov_iam.c): calling the owning service through svc_invoke
 * as the stack operation's principal, wording failures the way CloudFormation shows them in
 * ResourceStatusReason, and building operation inputs from resolved properties.
 */
#ifndef RL_CFN_PROV_INTERNAL_H
#define RL_CFN_PROV_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "svc/provider.h"
#include "svc/cfn/template.h"

/* The provider descriptors (one per type), defined in the family files. */
extern const struct cfn_provider prov_cw_alarm, prov_cw_composite_alarm;
extern const struct cfn_provider prov_ec2_instance, prov_ec2_volume, prov_ec2_volume_attachment;
extern const struct cfn_provider prov_iam_role, prov_iam_instance_profile, prov_iam_user,
    prov_iam_access_key, prov_iam_policy, prov_iam_managed_policy, prov_iam_group;

/*
 * Runs service/op with `in` (stolen: decref'd here) as x->who via CloudFormation. 0 on success
 * with *out (may be NULL: output dropped); 1 when the call failed with one of ok_codes
 * (NULL-terminated, may be NULL: e.g. "NoSuchEntity" on delete); -1 on any other failure
 * with r->reason set in CloudFormation's words.
 */
int prov_call(const struct cfn_act *x, struct cfn_res *r, const char *service, const char *op,
              json_t *in, json_t **out, const char *const *ok_codes);
/* Sets r->reason in the handler-failure form from an error code and message; returns
 * CFN_FAILED. */
enum cfn_step prov_fail(struct cfn_res *r, const char *service, int status, const char *code,
                        const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Sets r->reason to a property problem found by the provider itself (CloudFormation's
 * "Properties validation failed" form); returns CFN_FAILED. */
enum cfn_step prov_invalid(struct cfn_res *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies the listed properties (NULL-terminated) of props into a new object. */
json_t *prov_pick(const json_t *props, const char *const *names);
/* A property as a string, or NULL. */
const char *prov_str(const json_t *props, const char *name);
/* A policy document property as the JSON text IAM takes (objects compact-encoded, strings as
 * given); NULL when absent. Heap (free()). */
char *prov_doc(const json_t *v);
/* The physical name: the name property when given, else a generated one. Arena string. */
const char *prov_name(const struct cfn_act *x, const struct cfn_res *r, const char *prop,
                      size_t max);
/* Sets the physical id (copied into the call arena). */
void prov_set_id(const struct cfn_act *x, struct cfn_res *r, const char *id);
/* Sets attrs[name] (creating attrs), stealing v. */
void prov_attr(struct cfn_res *r, const char *name, json_t *v);
/* Strings of array a (NULL when absent) that are not in array b: a new array. */
json_t *prov_minus(const json_t *a, const json_t *b);
/* True when the two values differ (absent == NULL). */
bool prov_changed(const json_t *a, const json_t *b);
/* Tag lists [{Key,Value}]: the keys of old missing from new (new array). */
json_t *prov_removed_tag_keys(const json_t *old_tags, const json_t *new_tags);

#endif
