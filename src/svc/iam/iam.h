/*
 * iam.h — IAM state other services use: entity lookups, the identity policies that apply
 * to a principal, and id/ARN forms. Tables: src/svc/iam/schema.c. The IAM API handlers
 * (src/svc/iam/*.c) are the only writers, apart from STS issuing session keys.
 */
#ifndef RL_IAM_H
#define RL_IAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/principal.h"

struct store;
struct arena;

struct iam_role {
    char name[72];
    char role_id[32];          /* AROA... */
    char path[520];
    char arn[600];
    const char *trust_policy;  /* arena JSON text */
    int64_t max_session_s;     /* 3600..43200 */
    int64_t created_ms;
    const char *service_linked_to; /* "events.amazonaws.com" for service-linked roles, else NULL */
};

struct iam_user {
    char name[72];
    char user_id[32];          /* AIDA... */
    char path[520];
    char arn[600];
    int64_t created_ms;
};

/* 0 found, 1 not found, -1 error. Lookups are case-insensitive on the name. */
int iam_role_get(struct store *st, struct arena *a, const char *name, struct iam_role *out);
int iam_user_get(struct store *st, const char *name, struct iam_user *out);
/* A role by ARN (arn:aws:iam::ACCT:role/PATH/NAME). */
int iam_role_get_by_arn(struct store *st, struct arena *a, const char *arn, struct iam_role *out);

/*
 * The identity-based policy documents that apply to p, parsed (jansson; caller decrefs each
 * and frees the array with free()): for a user its inline and attached policies and those of
 * its groups; for a role session the role's inline and attached policies; for a federated
 * user the issuing user's. Root: none (root is always allowed). 0 ok, -1 error.
 */
int iam_identity_policies(struct store *st, const struct principal *p, json_t ***docs,
                          size_t *n);

/* A new unique id: prefix ("AIDA", "AROA", "AIPA", "ANPA", "AGPA", "AKIA", "ASIA") + 17
 * characters of [A-Z2-7] (21 in all, 20 for access key ids). */
void iam_new_id(const char *prefix, char *out, size_t cap);
void iam_new_access_key_id(const char *prefix, char out[21]);
void iam_new_secret(char out[41]);

#endif
