/*
 * managed_policies.h — the AWS managed policies the lab knows (arn:aws:iam::aws:policy/...),
 * with their metadata as IAM's GetPolicy shows it and the document of the default version.
 * Read-only static data.
 */
#ifndef RL_MANAGED_POLICIES_H
#define RL_MANAGED_POLICIES_H

#include <stdbool.h>
#include <stddef.h>

struct managed_policy {
    const char *name;               /* "PowerUserAccess" */
    const char *path;               /* "/", "/service-role/", "/aws-service-role/" */
    const char *arn;                /* "arn:aws:iam::aws:policy/PowerUserAccess" */
    const char *policy_id;          /* "ANPA..." (21 characters, stable) */
    const char *default_version_id; /* "v12" */
    const char *create_date;        /* ISO 8601, "2015-02-06T18:39:47Z" */
    const char *update_date;        /* ISO 8601: creation of the default version */
    const char *description;
    const char *document; /* JSON text of the default version */
    bool service_linked;  /* a service-linked role policy: not attachable by users */
};

/* Number of managed policies, and the i-th (i < count) in a stable order. */
size_t managed_policy_count(void);
const struct managed_policy *managed_policy_at(size_t i);

/* Lookup by exact ARN or by exact name; NULL when unknown. */
const struct managed_policy *managed_policy_by_arn(const char *arn);
const struct managed_policy *managed_policy_by_name(const char *name);

#endif
