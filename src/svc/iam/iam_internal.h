/*
 * iam_internal.h — what the IAM handler files (src/svc/iam/) share: error helpers in
 * IAM's words, row loaders, the response writers for users/roles/groups/profiles/policies,
 * tags, Marker/MaxItems paging and policy-document checks. Not for other modules (they use
 * iam.h).
 */
#ifndef RL_IAM_INTERNAL_H
#define RL_IAM_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/managed_policies.h"
#include "auth/policy.h"
#include "svc/iam/iam.h"
#include "svc/svc.h"

/* ---- quotas (IAM UG reference_iam-quotas [doc]; messages in the handlers) ---- */
#define IAM_MAX_ITEMS_DEFAULT 100  /* MaxItems when absent [doc] */
#define IAM_KEYS_PER_USER 2        /* AccessKeysPerUser */
#define IAM_ATTACHED_PER_ENTITY 10 /* PoliciesPerUser / PoliciesPerRole / PoliciesPerGroup */
#define IAM_GROUPS_PER_USER 10     /* GroupsPerUser */
#define IAM_VERSIONS_PER_POLICY 5  /* managed policy versions */
#define IAM_TAGS_PER_ENTITY 50     /* tags on one user / role / profile */

/* ---- errors ---- */
/* ServiceFailure (500) after a store error; logs what failed. Returns -1. */
int iam_fail_internal(struct call *c, const char *what);
/* ValidationError "1 validation error detected: Value null at 'member' failed to satisfy
 * constraint: Member must not be null". Returns -1. */
int iam_fail_missing(struct call *c, const char *member);
/* ValidationError for a value that does not match the pattern of model shape shape_name,
 * worded as wire_validate words it. value NULL: "Value at '...'" (sensitive). Returns -1. */
int iam_fail_pattern(struct call *c, const char *value, const char *path, const char *shape_name);
/* NoSuchEntity for users/roles/groups/profiles: "The user with name X cannot be found." ... */
int iam_fail_no_user(struct call *c, const char *name);
int iam_fail_no_role(struct call *c, const char *name);
int iam_fail_no_group(struct call *c, const char *name);
int iam_fail_no_profile(struct call *c, const char *name);
/* UnmodifiableEntity for service-linked roles. */
int iam_fail_protected_role(struct call *c, const char *name);

/* ---- input ---- */
/* The string member of in, or NULL. */
const char *iam_str(const json_t *in, const char *member);
/* The required string member: 0 and *out, or -1 after iam_fail_missing(lower_name). */
int iam_req(struct call *c, const json_t *in, const char *member, const char *lower_name,
            const char **out);
/* Path parameters: "/" or "/.../" of 0x21-0x7E (pathType), or '/'-separated segments of
 * [A-Za-z0-9.,+@=_-] (policyPathType, for shape_name "policyPathType"). Absent -> "/".
 * 0 ok (*out set), -1 with ValidationError worded with shape_name's pattern. */
int iam_path_param(struct call *c, const json_t *in, const char *member, const char *lower_name,
                   const char *shape_name, const char **out);
/* PathPrefix (default "/"): must start with '/'; shape_name for the error's pattern. */
int iam_path_prefix(struct call *c, const json_t *in, const char *shape_name, const char **out);

/* ---- store ---- */
/* Column i copied into the arena; NULL for SQL NULL. */
const char *iam_col(struct arena *a, sqlite3_stmt *s, int i);
/* Steps s expecting SQLITE_DONE (resets it). 0 ok, -1 with ServiceFailure set. */
int iam_done(struct call *c, sqlite3_stmt *s, const char *what);
/* Steps a one-row lookup (the caller reads the row, then resets s): 0 a row, 1 none, -1 a
 * store error, logged as "what: message". */
int iam_step_row(struct store *st, sqlite3_stmt *s, const char *what);
/* SELECT COUNT(*) style statement with up to two text parameters: 0 and *n, -1 on error. */
int iam_count(struct call *c, const char *sql, const char *p1, const char *p2, int64_t *n);

/* ---- ids, ARNs, encodings ---- */
/* arn:aws:iam::ACCT:TYPE/PATH/NAME (path "/" adds nothing), arena. */
const char *iam_arn(struct call *c, const char *type, const char *path, const char *name);
/* Percent-encodes everything but RFC 3986 unreserved characters (IAM returns policy
 * documents URL-encoded; botocore unquotes them). */
char *iam_urlencode(struct arena *a, const char *s);
/* True for a syntactically valid managed policy ARN (arn:aws:iam::ACCT|aws:policy/...). */
bool iam_policy_arn_valid(const char *arn);

/* ---- rows (strings in the call arena) ---- */
struct iam_user_row {
    const char *name, *user_id, *path, *arn, *boundary, *tags;
    int64_t created_ms;
};
struct iam_group_row {
    const char *name, *group_id, *path, *arn;
    int64_t created_ms;
};
struct iam_role_row {
    const char *name, *role_id, *path, *arn, *trust, *description, *boundary, *tags, *slr;
    const char *last_used_region;
    int64_t created_ms, max_session_s, last_used_ms; /* last_used_ms 0: never */
};
struct iam_profile_row {
    const char *name, *profile_id, *path, *arn, *role_name, *tags;
    int64_t created_ms;
};
/* A managed policy: customer (local) or AWS managed (aws != NULL). */
struct iam_policy_row {
    const char *arn, *name, *policy_id, *path, *description, *default_version, *tags;
    int64_t created_ms, updated_ms, next_version;
    const struct managed_policy *aws;
};

/* Column lists and row fillers for SELECTs (the columns in this order, starting at 0). */
#define IAM_USER_COLS "name, user_id, path, arn, created_ms, permissions_boundary, tags"
#define IAM_GROUP_COLS "name, group_id, path, arn, created_ms"
#define IAM_ROLE_COLS                                                                              \
    "name, role_id, path, arn, created_ms, trust_policy, description, max_session_s,"              \
    " permissions_boundary, tags, service_linked_to, last_used_ms, last_used_region"
#define IAM_PROFILE_COLS "name, profile_id, path, arn, created_ms, role_name, tags"
#define IAM_POLICY_COLS                                                                            \
    "arn, name, policy_id, path, description, default_version, next_version, created_ms,"          \
    " updated_ms, tags"
void iam_user_fill(struct arena *a, sqlite3_stmt *s, struct iam_user_row *u);
void iam_group_fill(struct arena *a, sqlite3_stmt *s, struct iam_group_row *g);
void iam_role_fill(struct arena *a, sqlite3_stmt *s, struct iam_role_row *r);
void iam_profile_fill(struct arena *a, sqlite3_stmt *s, struct iam_profile_row *p);
void iam_policy_fill(struct arena *a, sqlite3_stmt *s, struct iam_policy_row *p);
/* An AWS managed policy as a row (dates parsed). */
void iam_policy_from_aws(const struct managed_policy *m, struct iam_policy_row *p);

/* Loaders: 0 found, 1 not found, -1 error (call failed). Names match regardless of case. */
int iam_user_load(struct call *c, const char *name, struct iam_user_row *u);
int iam_user_load_by_id(struct call *c, const char *user_id, struct iam_user_row *u);
int iam_group_load(struct call *c, const char *name, struct iam_group_row *g);
int iam_role_load(struct call *c, const char *name, struct iam_role_row *r);
int iam_profile_load(struct call *c, const char *name, struct iam_profile_row *p);
int iam_policy_load(struct call *c, const char *arn, struct iam_policy_row *p);
/* "need" forms: 0 found, -1 with NoSuchEntity (or an error) set. */
int iam_user_need(struct call *c, const char *name, struct iam_user_row *u);
int iam_group_need(struct call *c, const char *name, struct iam_group_row *g);
int iam_role_need(struct call *c, const char *name, struct iam_role_row *r);
int iam_profile_need(struct call *c, const char *name, struct iam_profile_row *p);

/* ---- response writers ---- */
/* User structure members (caller did out_begin). with_tags: Tags when there are any. */
void iam_out_user(struct out *o, const struct iam_user_row *u, bool with_tags);
void iam_out_group(struct out *o, const struct iam_group_row *g);
enum iam_role_view {
    IAM_ROLE_CREATE,  /* CreateRole / CreateServiceLinkedRole response */
    IAM_ROLE_GET,     /* GetRole: + Description, MaxSessionDuration, Tags, RoleLastUsed */
    IAM_ROLE_LIST,    /* ListRoles: + Description, MaxSessionDuration */
    IAM_ROLE_PROFILE, /* inside an instance profile */
};
void iam_out_role(struct call *c, struct out *o, const struct iam_role_row *r,
                  enum iam_role_view v);
enum iam_profile_view { IAM_PROFILE_CREATE, IAM_PROFILE_GET, IAM_PROFILE_LIST };
/* Instance profile members including Roles. 0 or -1 (store error). */
int iam_out_profile(struct call *c, struct out *o, const struct iam_profile_row *p,
                    enum iam_profile_view v);
enum iam_policy_view { IAM_POLICY_CREATE, IAM_POLICY_GET, IAM_POLICY_LIST };
/* Policy members with its attachment counts. 0 or -1. */
int iam_out_policy(struct call *c, struct out *o, const struct iam_policy_row *p,
                   enum iam_policy_view v);
/* Attachment and permissions-boundary use counts of a policy ARN. */
int iam_policy_counts(struct call *c, const char *arn, int64_t *attached, int64_t *boundary);

/* ---- paging (Marker = the sort key of the first item of the next page) ---- */
struct iam_pager {
    const char *marker; /* NULL: from the start */
    bool started;       /* iam_pager_take_seq: the marker item was reached */
    int64_t max;
    int64_t n;
    bool truncated;
    const char *next;
};
void iam_pager_init(const json_t *in, struct iam_pager *pg);
/* Call per candidate item in key order: false when the item is before the marker or
 * the page is full (then truncated/next are set; stop iterating). icase: keys compare
 * without case (NOCASE columns). */
bool iam_pager_take(struct iam_pager *pg, struct arena *a, const char *key, bool icase);
/* The same for lists not sorted by key (newest first...): items before the one whose
 * key equals the marker are skipped. */
bool iam_pager_take_seq(struct iam_pager *pg, struct arena *a, const char *key);
/* Writes IsTruncated and, when truncated, Marker. */
void iam_pager_finish(struct out *o, const struct iam_pager *pg);
/*
 * Writes the users statement s yields (IAM_USER_COLS, by name) under "Users", one page of pg
 * whose path starts with prefix (NULL: every path), then the paging members (users.c).
 * 0, or -1 with ServiceFailure (what names the step in the log).
 */
int iam_out_users(struct call *c, struct out *o, sqlite3_stmt *s, const char *prefix,
                  struct iam_pager *pg, const char *what);

/* ---- tags (stored as a JSON array of {"Key","Value"} sorted by key) ---- */
/* Checks a Tags input list: key/value characters, duplicate keys (icase: keys equal
 * regardless of case, the IAM user/role rule). 0 or -1 with the error set. */
int iam_tags_check(struct call *c, const json_t *tags, bool icase);
/* Merges add into cur (replacing equal keys); returns the new JSON text and count. */
char *iam_tags_merge(struct arena *a, const char *cur, const json_t *add, bool icase,
                     size_t *count);
/* Removes the keys (json array of strings) from cur. */
char *iam_tags_remove(struct arena *a, const char *cur, const json_t *keys, bool icase);
/* Checks UntagX TagKeys (characters). 0 or -1. */
int iam_tag_keys_check(struct call *c, const json_t *keys);
size_t iam_tags_count(const char *text);
/* Writes member "Tags" from stored text; always: even when empty. */
void iam_out_tags(struct out *o, const char *text, bool always);
/* The List*Tags response (Tags, IsTruncated, Marker) from stored text. */
void iam_out_tag_page(struct call *c, struct out *o, const json_t *in, const char *text);

/* ---- policy documents ---- */
/*
 * Validates an identity (inline or managed) policy document. 0 and *doc (decref) or -1
 * with MalformedPolicyDocument set. doc may be NULL when the tree is not wanted.
 */
int iam_doc_check(struct call *c, const char *text, enum policy_kind kind, json_t **doc);
/* Validates a role trust policy: JSON, size (ACLSizePerRole), syntax, principals that
 * must exist, STS actions only. 0 or -1 with the error set. */
int iam_trust_check(struct call *c, const char *text);
/* Validates a PermissionsBoundary ARN parameter (format, existence). 0 or -1. */
int iam_boundary_check(struct call *c, const char *arn);

/* ---- service-linked roles ---- */
/* The role name CreateServiceLinkedRole makes for a service (CustomSuffix may be NULL),
 * or NULL for a service the lab does not know. */
const char *iam_slr_role_name(struct call *c, const char *service, const char *suffix);

/* ---- access keys ---- */
/* Rewrites the stored principal of every access key of user old_name (now name / arn). */
int iam_keys_rename(struct call *c, const char *old_name, const struct iam_user_row *u);

#endif
