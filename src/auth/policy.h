/*
 * policy.h — IAM policy documents: validation as IAM does it (MalformedPolicyDocument texts),
 * evaluation of one document against a request, the identity/session decision, the AccessDenied
 * message variants, and trust (resource-based) policies with a Principal element.
 *
 * Documents are jansson trees produced by policy_parse(); evaluation never allocates from the
 * caller and never fails: a malformed tree simply matches nothing.
 *
 * Request context: a JSON object whose keys are condition keys in lower case
 * ("aws:currenttime", "aws:username", "cloudwatch:alarmactions") and whose values are a string,
 * a number, a boolean or an array of those (multi-valued keys). Policy variables
 * (${aws:username}) are looked up in the same object. The caller fills aws:CurrentTime and
 * aws:EpochTime from the virtual clock.
 */
#ifndef RL_POLICY_H
#define RL_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct buf;
struct principal_match;

/* ---- size limits, in non-whitespace characters (IAM UG reference_iam-quotas); the caller
 * compares policy_size() against the one that applies ---- */
#define POLICY_LIMIT_USER_INLINE 2048  /* aggregate of a user's inline policies */
#define POLICY_LIMIT_ROLE_INLINE 10240 /* aggregate of a role's inline policies */
#define POLICY_LIMIT_GROUP_INLINE 5120 /* aggregate of a group's inline policies */
#define POLICY_LIMIT_MANAGED 6144      /* one managed policy version */
#define POLICY_LIMIT_TRUST 2048        /* role trust policy (default quota) */
#define POLICY_LIMIT_SESSION 2048      /* AssumeRole Policy parameter (plain text) */

/* Number of non-whitespace characters (UTF-8 code points) in text[0..len). */
size_t policy_size(const char *text, size_t len);

/* ---- parsing / validation ---- */
enum policy_kind {
    POLICY_KIND_INLINE = 0, /* identity-based inline policy (user, group, role) */
    POLICY_KIND_MANAGED,    /* customer managed policy version: Version must be 2012-10-17 */
    POLICY_KIND_SESSION,    /* session policy (sts:AssumeRole Policy): identity-like */
    POLICY_KIND_TRUST,      /* role trust policy: Principal required, Resource prohibited */
};

#define POLICY_ERR_MAX 512

struct policy_parse_opts {
    enum policy_kind kind;
    /* Trust policies, optional: true when the IAM user/role ARN named as an AWS principal
     * exists (IAM rejects unknown ones with "Invalid principal in policy: ..."). NULL: only
     * the syntax of principals is checked. */
    bool (*principal_exists)(void *ctx, const char *arn);
    void *ctx;
};

/*
 * Parses and validates a policy document as IAM does. opts may be NULL (inline identity policy).
 * On success returns 0 and *doc owns a new reference (json_decref it). On failure returns -1,
 * *doc is NULL and err (POLICY_ERR_MAX bytes, caller-owned) holds the MalformedPolicyDocument
 * message, e.g. "Syntax errors in policy.". Never crashes on any input.
 */
int policy_parse(const char *text, size_t len, const struct policy_parse_opts *opts, json_t **doc,
                 char *err);

/* ---- evaluation ---- */
enum policy_effect {
    POLICY_NOT_APPLICABLE = 0, /* no statement applies */
    POLICY_ALLOW,              /* an Allow statement applies and no Deny does */
    POLICY_DENY,               /* a Deny statement applies */
};

struct policy_request {
    const char *action;        /* "cloudwatch:PutMetricAlarm" (IAM service prefix) */
    const char *resource;      /* ARN, or "*" / NULL for actions without resource types */
    const json_t *context;     /* object of lower-case condition keys, or NULL */
    const char *principal_arn; /* caller ARN; used for aws:PrincipalArn when the context lacks it */
};

/* Evaluates one identity-based (or session) document: Principal elements are ignored. */
enum policy_effect policy_eval(const json_t *doc, const struct policy_request *rq);

/* The final decision for a request, and which AccessDenied variant applies. */
enum policy_decision {
    POLICY_ALLOWED = 0,
    POLICY_DENIED_EXPLICIT_IDENTITY, /* a Deny in an identity-based policy */
    POLICY_DENIED_EXPLICIT_SESSION,  /* a Deny in a session policy */
    POLICY_DENIED_IMPLICIT_IDENTITY, /* no identity-based policy allows */
    POLICY_DENIED_IMPLICIT_SESSION,  /* identity allows, but no session policy does */
    POLICY_DENIED_EXPLICIT_BOUNDARY, /* a Deny in the permissions boundary */
    POLICY_DENIED_IMPLICIT_BOUNDARY, /* identity allows, but the permissions boundary does not */
    POLICY_DENIED_EXPLICIT_RESOURCE, /* a Deny in the resource-based policy */
};

/* The policies that decide a request of one principal within its account. */
struct policy_sets {
    const json_t *const *identity; /* identity-based policies (NULL entries skipped) */
    size_t n;
    const json_t *const *session; /* session policies */
    size_t m;
    bool has_session; /* the credentials carry session policies (even none: no permissions) */
    const json_t *const *boundary; /* the permissions boundary (one document) */
    size_t nb;
    bool has_boundary; /* the user or role has a permissions boundary */
    const json_t *resource_policy;     /* resource-based policy of the resource, or NULL */
    const struct principal_match *who; /* the caller as its Principal element sees it */
};

/*
 * AWS's rules within one account [doc: IAM UG reference_policies_evaluation-logic]: an
 * explicit Deny in any policy wins (identity, then boundary, then session reported); else
 * allowed iff the identity policies allow AND (no boundary OR the boundary allows) AND (no
 * session policies OR one allows); else the first implicit denial in that order. Within one
 * account a resource-based policy that allows the caller allows by itself (simplified: AWS
 * still applies a boundary's or session policy's implicit deny when the policy names a
 * role by its role ARN rather than the session).
 */
enum policy_decision policy_decide_sets(const struct policy_sets *ps,
                                        const struct policy_request *rq);

/* What a traced evaluation reports (the policy simulator): each statement that applies
 * (index in the Statement list, deny or allow), and each condition key of a statement whose
 * Action/Resource/Principal match that the context lacks. Callbacks may be NULL. */
struct policy_trace {
    void (*matched)(void *ud, size_t stmt, bool deny);
    void (*missing)(void *ud, const char *key);
    void *ud;
};

/* policy_eval (who NULL) or policy_eval_trust (who set) reporting every applying
 * statement to tr, not only the first Deny. */
enum policy_effect policy_eval_traced(const json_t *doc, const struct policy_request *rq,
                                      const struct principal_match *who,
                                      const struct policy_trace *tr);

/* Line and column (1-based) of the start and end of statement i of the policy text (a
 * single Statement object counts as statement 0). 0 found, -1 not found. */
int policy_stmt_position(const char *text, size_t i, int *sline, int *scol, int *eline,
                         int *ecol);

/*
 * AWS's rules: an explicit Deny anywhere wins; otherwise allowed iff some identity policy
 * allows AND (has_session is false OR some session policy allows); otherwise implicit deny.
 * identity[0..n) and session[0..m) are parsed documents (NULL entries are skipped).
 * Root is not special-cased here: the caller skips evaluation for the account root.
 */
enum policy_decision policy_decide(const json_t *const *identity, size_t n,
                                   const json_t *const *session, size_t m, bool has_session,
                                   const struct policy_request *rq);

/*
 * The AccessDenied message for a denial, allocated from the arena, e.g.
 * "User: arn:aws:iam::123456789012:user/cfn is not authorized to perform: iam:CreateUser on
 * resource: arn:aws:iam::123456789012:user/bob because no identity-based policy allows the
 * iam:CreateUser action". " on resource: X" is left out when resource is NULL or "*".
 * Returns NULL for POLICY_ALLOWED.
 */
char *policy_denial_message(struct arena *a, const char *principal_arn, const char *action,
                            const char *resource, enum policy_decision d);

/* Who is asking, for matching the Principal element of a trust / resource-based policy. */
struct principal_match {
    const char *arn;       /* AWS principal ARN (user, root, assumed-role session); NULL if none */
    const char *account;   /* the principal's account, "123456789012" */
    const char *role_arn;  /* role sessions: arn:aws:iam::ACCT:role/NAME of the session's role */
    const char *unique_id; /* AIDA.../AROA... (principals may be stored by unique id) */
    const char *service;   /* an AWS service principal, "ec2.amazonaws.com"; NULL if none */
    const char *federated; /* federated provider; NULL if none */
};

/*
 * Evaluates a trust / resource-based policy: a statement applies when its Principal (or
 * NotPrincipal) matches who, its Action matches, its Resource (if any) matches and its
 * Condition holds. Deny beats Allow.
 */
enum policy_effect policy_eval_trust(const json_t *doc, const struct policy_request *rq,
                                     const struct principal_match *who);

/* ---- shared between policy.c and policy_cond.c (not for other modules) ---- */

/* What condition evaluation and variable expansion need. */
struct policy_env {
    const json_t *ctx;         /* request context or NULL */
    const char *principal_arn; /* fallback for aws:principalarn */
    bool vars;                 /* policy variables are live (Version 2012-10-17) */
};

/*
 * Wildcard match of s[0..slen) against pat[0..plen): '*' any run (also across ':' and '/'),
 * '?' one character. icase: ASCII case-insensitive. escapes: a backslash makes the next
 * pattern character literal (patterns built by policy_expand with pattern=true).
 */
bool policy_glob(const char *pat, size_t plen, const char *s, size_t slen, bool icase,
                 bool escapes);

/* ARN matching of the Arn* condition operators: the six ':'-separated fields are matched
 * one by one with wildcards. pat is an escaped pattern (see policy_expand). */
bool policy_arn_match(const char *pat, const char *arn);

/*
 * Expands policy variables of raw into out (appended). With env->vars false, raw is copied
 * as is. pattern=true escapes the result for policy_glob(escapes=true): '*' and '?' of raw stay
 * wildcards, while ${*} ${?} ${$} and variable values become literals. Returns 0, or -1 when a
 * variable has no value in the context and no default (the element then matches nothing).
 */
int policy_expand(const char *raw, const struct policy_env *env, bool pattern, struct buf *out);

/* The context value of a condition key (case-insensitive), or NULL. */
const json_t *policy_ctx_get(const struct policy_env *env, const char *key);

/* Text of a scalar JSON value (string, integer, real, true/false) into out (replaced);
 * false for other types. */
bool policy_scalar_text(const json_t *v, struct buf *out);

/* Evaluates a Condition element (object, or NULL = no condition): every operator block and
 * every key must hold. Defined in policy_cond.c. */
bool policy_cond_eval(const json_t *condition, const struct policy_env *env);

/* True for a known condition operator, with optional ForAllValues:/ForAnyValue: prefix and
 * IfExists suffix. *is_date tells whether it is a Date* operator (may be NULL). */
bool policy_cond_operator_known(const char *op, bool *is_date);

/* True when s is a date IAM accepts in a Date* condition: ISO 8601 or epoch seconds. */
bool policy_cond_date_valid(const char *s);

#endif
