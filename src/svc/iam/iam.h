/*
 * iam.h — IAM state other services use: entity lookups, the identity policies that apply
 * to a principal, access keys, and id/ARN forms. Tables: src/svc/iam/schema.c (and
 * access_keys); only src/svc/iam/ names them in SQL. Other modules read and write them
 * through these functions (STS issues its session keys with iam_session_key_issue).
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

/* 0 found, 1 not found, -1 error. Lookups are case-insensitive on the name. iam_user_get's
 * out may be NULL: only whether the user exists. */
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
 * The default version's document of the customer managed policy arn (AWS managed policies
 * are auth/managed_policies.h's): *doc is the JSON text (arena). 0 found, 1 no such policy,
 * -1 error (logged).
 */
int iam_policy_default_doc(struct store *st, struct arena *a, const char *arn, const char **doc);

/*
 * What evaluation needs of p's own entity (an IAM user, or a role session's role): its tags
 * (*tags: the stored [{"Key","Value"}] array, or NULL) and its permissions boundary
 * (*boundary_arn heap, *boundary the parsed default version; both NULL without one). Caller
 * frees/decrefs. Other principals: all NULL. 0 ok, -1 error (logged).
 */
int iam_principal_facts(struct store *st, const struct principal *p, json_t **tags,
                        char **boundary_arn, json_t **boundary);

/* One identity-based policy of a principal, as the policy simulator names it. */
struct iam_policy_src {
    char type[16]; /* "user", "group", "role" (inline), "aws-managed", "user-managed" */
    char *id;      /* the policy's name */
    char *text;    /* its document text */
    json_t *doc;   /* parsed (NULL if it does not parse) */
};
/*
 * The identity-based policies of p's own entity (user: inline, groups' inline, attached incl.
 * groups'; role session: its role's), heap array (iam_policy_srcs_free). 0 ok, 1 no such
 * entity, -1 error.
 */
int iam_policy_sources(struct store *st, const struct principal *p, struct iam_policy_src **out,
                       size_t *n);
void iam_policy_srcs_free(struct iam_policy_src *v, size_t n);
/* The permissions boundary ARN of user (role false) or role `name` (heap) or NULL. */
char *iam_entity_boundary(struct store *st, bool role, const char *name);
/* The tags of an IAM user or role ARN (svc/restags.h provider) or NULL. */
json_t *iam_resource_tags(struct call *c, const char *arn);
/* The default version's text of a customer or AWS managed policy (heap) or NULL. */
char *iam_managed_policy_text(struct store *st, const char *arn);

/* ---- access keys (keys.c): every key the server knows, root, IAM users' and STS's ---- */

/*
 * An access key as SigV4 sees it: who the key acts as (principal, with access_key_id,
 * temporary and expires_ms set from the key), its secret, its session token (NULL for a
 * long-term key: the root's or an IAM user's), whether it is Active and its expiry (0:
 * never; virtual ms). Strings in the arena. 0 found, 1 unknown key, -1 error (logged).
 * iam_credential_lookup (the pipeline's hook) answers with it.
 */
int iam_key_lookup(struct store *st, const char *access_key_id, struct arena *a,
                   struct credential *out);

/* The session facts of temporary credentials, as STS stored them with the key. */
struct iam_session {
    int64_t created_ms;           /* when the key was issued (virtual ms) */
    const char *session_policies; /* JSON array text of policy documents; NULL: none passed */
    const char *role_arn;         /* AssumeRole: the role's ARN */
    const char *issuer;           /* GetFederationToken: the issuing user ("" for the root) */
    const char *issuer_id;        /* ... and its unique id */
    const char *source_identity;  /* AssumeRole SourceIdentity */
    const char *tags;             /* session tags: JSON [{"Key","Value"}] text, "" none */
    const char *transitive;       /* transitive tag keys: JSON array text, "" none */
};
/* The session facts of key access_key_id; string members "" when the key does not carry
 * them (session_policies: NULL). Strings in the arena. 0 found, 1 unknown key, -1 error
 * (logged). */
int iam_session_get(struct store *st, struct arena *a, const char *access_key_id,
                    struct iam_session *out);

/*
 * Issues a temporary access key for an STS session: a new ASIA... id (a clash is retried)
 * and a new secret, written to akid and secret, stored with the caller's session token,
 * created at now_ms, expiring at expires_ms (virtual time), acting as principal_json
 * (principal_to_json of the session plus STS's members: role_arn, issuer, issuer_id,
 * source_identity, tags) under session_policies (JSON array text; NULL: none passed). No
 * IAM user owns it. 0 ok, -1 on a store error (logged).
 */
int iam_session_key_issue(struct store *st, const char *principal_json,
                          const char *session_policies, const char *session_token, int64_t now_ms,
                          int64_t expires_ms, char akid[21], char secret[41]);

/*
 * Creates the account root's long-term access key (first start): a new AKIA... id and
 * secret, written to akid and secret, Active, created at now_ms, acting as the root of
 * account. 0 ok, -1 on a store error (logged).
 */
int iam_root_key_create(struct store *st, const char *account, int64_t now_ms, char akid[21],
                        char secret[41]);

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
const char *iam_res_policy_source(struct call *c, const json_t *in);

/* IAM's tables, access keys included (schema.c). */
extern const struct store_schema iam_schema;
/* IAM's CloudFormation resource providers (cfn_iam.c), NULL-terminated. */
struct cfn_provider;
extern const struct cfn_provider *const iam_cfn_providers[];
struct credential;
/* The SigV4 credential of an access key (keys.c; ctx: the server_ctx). 0 found, 1 unknown,
 * -1 error. The pipeline's credentials hook. */
int iam_credential_lookup(void *ctx, const char *access_key_id, struct arena *a,
                          struct credential *out);
/* The pipeline's call_succeeded hook: iam_note_use for the call's key and principal. */
int iam_call_succeeded(struct call *c);

#endif
