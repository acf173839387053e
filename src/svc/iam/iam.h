/*
 * iam.h — IAM state other services use: entity lookups, the identity policies that apply
 * to a principal, and id/ARN forms. Tables: src/svc/iam/schema.c. The IAM API handlers
 * (src/svc/iam/) are the only writers, apart from STS issuing session keys.
 */
#ifndef RL_IAM_H
#define RL_IAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"

struct store;
struct arena;
struct call;

struct iam_role {
    char name[72];
    char role_id[32]; /* AROA... */
    char path[520];
    char arn[600];
    const char *trust_policy; /* arena JSON text */
    int64_t max_session_s;    /* 3600..43200 */
    int64_t created_ms;
    const char *service_linked_to; /* "events.amazonaws.com" for service-linked roles, else NULL */
};

struct iam_user {
    char name[72];
    char user_id[32]; /* AIDA... */
    char path[520];
    char arn[600];
    int64_t created_ms;
};

/* 0 found, 1 not found, -1 error. Lookups are case-insensitive on the name. */
int iam_role_get(struct store *st, struct arena *a, const char *name, struct iam_role *out);
int iam_user_get(struct store *st, const char *name, struct iam_user *out);
/* A role by ARN (arn:aws:iam::ACCT:role/PATH/NAME). */
int iam_role_get_by_arn(struct store *st, struct arena *a, const char *arn, struct iam_role *out);

struct iam_instance_profile {
    char name[136];
    char profile_id[32]; /* AIPA... */
    char arn[700];
    const char *role_name; /* arena; NULL when the profile holds no role */
    int64_t created_ms;
};
/* An instance profile by name or by ARN (arn:aws:iam::ACCT:instance-profile/PATH/NAME), as
 * EC2's IamInstanceProfile parameter gives it. 0 found, 1 not found, -1 error. */
int iam_instance_profile_get(struct store *st, struct arena *a, const char *name_or_arn,
                             struct iam_instance_profile *out);

/*
 * The identity-based policy documents that apply to p, parsed (jansson; caller decrefs each
 * and frees the array with free()): for a user its inline and attached policies and those of
 * its groups; for a role session the role's inline and attached policies; for a federated
 * user the issuing user's. Root: none (root is always allowed). 0 ok, -1 error.
 */
int iam_identity_policies(struct store *st, const struct principal *p, json_t ***docs, size_t *n);

/*
 * Records that p's credentials were used for a request to service (signing name, "iam",
 * "monitoring") in region at now_ms: access_keys.last_used_* of p's key (GetAccessKeyLastUsed)
 * and, for a role session, the role's last use (GetRole RoleLastUsed). For the request
 * pipeline to call inside a write transaction; 0 ok, -1 on a store error (logged).
 */
int iam_note_use(struct store *st, const struct principal *p, const char *service,
                 const char *region, int64_t now_ms);

/* A new unique id: prefix ("AIDA", "AROA", "AIPA", "ANPA", "AGPA", "AKIA", "ASIA") + 17
 * characters of [A-Z2-7] (21 in all, 20 for access key ids). */
void iam_new_id(const char *prefix, char *out, size_t cap);
void iam_new_access_key_id(const char *prefix, char out[21]);
void iam_new_secret(char out[41]);

/*
 * Resource functions of the IAM rows of ops.def: the ARN (call arena) the operation's IAM
 * action is checked on, built from the request (and the stored path of an existing
 * entity): arn:aws:iam::ACCT:user/PATH/NAME, .../group/..., .../role/...,
 * .../instance-profile/..., the PolicyArn parameter, or the service-linked role's ARN.
 * A missing name falls back to the caller's own user (UserName is optional for
 * GetUser and the access key operations). NULL means "*".
 */
const char *iam_res_user(struct call *c, const json_t *in);
const char *iam_res_user_list(struct call *c, const json_t *in);
const char *iam_res_access_key(struct call *c, const json_t *in);
const char *iam_res_group(struct call *c, const json_t *in);
const char *iam_res_group_list(struct call *c, const json_t *in);
const char *iam_res_role(struct call *c, const json_t *in);
const char *iam_res_role_list(struct call *c, const json_t *in);
const char *iam_res_policy(struct call *c, const json_t *in);
const char *iam_res_policy_new(struct call *c, const json_t *in);
const char *iam_res_profile(struct call *c, const json_t *in);
const char *iam_res_profile_list(struct call *c, const json_t *in);
const char *iam_res_service_linked_role(struct call *c, const json_t *in);

/* IAM's tables, access keys included (schema.c). */
extern const struct store_schema iam_schema;
struct credential;
/* The SigV4 credential of an access key (keys.c; ctx: the server_ctx). 0 found, 1 unknown,
 * -1 error. The pipeline's credentials hook. */
int iam_credential_lookup(void *ctx, const char *access_key_id, struct arena *a,
                          struct credential *out);
/* The pipeline's call_succeeded hook: iam_note_use for the call's key and principal. */
int iam_call_succeeded(struct call *c);

#endif
