/*
 * restags.h — the tags of a resource named by its ARN, for the condition keys of
 * attribute-based access control (aws:ResourceTag/KEY, SERVICE:ResourceTag/KEY). A service
 * that owns tagged resources registers a provider for its ARN service field ("ec2"); IAM's
 * authorization asks through svc_resource_tags() without knowing the service (an earlier
 * service in the layer order cannot include a later one).
 */
#ifndef RL_SVC_RESTAGS_H
#define RL_SVC_RESTAGS_H

#include <jansson.h>

struct call;

/* The tags of the resource arn as a TagList [{"Key","Value"}] (new reference), or NULL
 * when the resource does not exist or has none. */
typedef json_t *(*svc_resource_tags_fn)(struct call *c, const char *arn);

/* Registers fn for ARNs arn:aws:SERVICE:... (process start; at most 16 services). */
void svc_resource_tags_register(const char *service, svc_resource_tags_fn fn);

/* The tags of arn from its service's provider (NULL: none, no provider, not an ARN). */
json_t *svc_resource_tags(struct call *c, const char *arn);

#endif
