/*
 * authz.h — IAM authorization of every request (dispatch) and of work a service does on a
 * principal's behalf (CloudFormation acting as its caller, alarm actions acting as their
 * creator): the request context with its condition keys, the identity and session policies
 * that apply to a principal (cached until IAM state changes), the decision and AWS's denial
 * in the caller's protocol.
 */
#ifndef RL_AUTHZ_H
#define RL_AUTHZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/policy.h"
#include "svc/module.h"

/* What the caller adds to the request context beyond what the call and principal give. */
struct authz_extra {
    bool via_aws_service; /* aws:ViaAWSService (a service acting for the principal) */
    const char *const
        *called_via; /* aws:CalledVia, first to last ("cloudformation.amazonaws.com") */
    size_t ncalled_via;
    const json_t *in;    /* request input for service condition keys; NULL: none */
    const char *service; /* model id and operation `in` belongs to (for the keys);  */
    const char *op;      /* NULL: the call's own */
};

/* The session facts of a principal that authorization needs, read from its access key row. */
struct authz_session {
    bool has_session;   /* session policies apply (AssumeRole Policy/PolicyArns, federated) */
    char role_arn[600]; /* role sessions: the role's ARN (aws:PrincipalArn) */
    char issuer[72];    /* federated users: the issuing IAM user name, "" for root */
    char issuer_id[32]; /* and its unique id (AIDA...) */
    char source_identity[80];
};

/*
 * The pipeline step (dispatch.c calls it after validation): credential-type restrictions
 * (session-token and federated credentials cannot call IAM -> InvalidClientTokenId;
 * GetSessionToken/GetFederationToken with session credentials -> AccessDenied), then the
 * policy check of def's IAM action on def's resource ("*" when the row has none). Rows
 * flagged OPF_NO_AUTHZ or OPF_AUTHZ_IN_HANDLER skip the policy check; the account root is
 * always allowed. c->auth_off (--auth off) allows everything. 0 allowed, -1 call failed.
 */
int authz_request(struct call *c, const struct op_def *def, const json_t *in);

/*
 * The pipeline hook (svc_hooks.authorize): authz_request for a client's call (inv NULL);
 * for a call one service makes of another as a principal (svc_invoke), the policy check of
 * def's action with aws:ViaAWSService and aws:CalledVia = inv->via_service when set.
 */
int authz_hook(struct call *c, const struct op_def *def, const json_t *in,
               const struct svc_invoked *inv);

/*
 * Checks that `who` may perform `action` on `resource` (NULL or "*": no resource), with the
 * condition keys of c (time, region, source ip) and of extra (may be NULL). Root is always
 * allowed. On a denial fails c with AWS's error in c's protocol (AccessDenied 403 or EC2's
 * UnauthorizedOperation 403) and returns -1; 0 when allowed. Other services call this when
 * they act for a principal.
 */
int authz_check(struct call *c, const struct principal *who, const char *action,
                const char *resource, const struct authz_extra *extra);

/*
 * authz_check for a resource that has a resource-based policy (an SNS topic's access
 * policy; parsed, may be NULL): within the account, an explicit Deny in any policy denies,
 * the resource policy allowing `who` (its Principal: "*", the account, the user's or
 * session's ARN, a role session's role ARN, a service) allows, else the identity-based
 * policies decide as in authz_check (boundary and session policies included). On a denial
 * fails c (AccessDenied / "with an explicit deny in a resource-based policy") and returns
 * -1; 0 when allowed. Root and services are allowed.
 */
int authz_check_resource(struct call *c, const struct principal *who, const char *action,
                         const char *resource, const json_t *resource_policy,
                         const struct authz_extra *extra);

/*
 * The decision only (no call error): identity policies of who, intersected with its session
 * policies. *sess (may be NULL) receives the session facts. Root: POLICY_ALLOWED.
 * Returns -1 on an internal error (logged), else 0 with *d set.
 */
int authz_decide(struct call *c, const struct principal *who, const char *action,
                 const char *resource, const struct authz_extra *extra, enum policy_decision *d);

/*
 * Fails c with the denial for d in c's protocol: AccessDenied (403) with
 * policy_denial_message's text, or for EC2 UnauthorizedOperation (403) "You are not
 * authorized to perform this operation. " + that text (mutating calls add an encoded
 * authorization message). Returns -1.
 */
int authz_fail(struct call *c, const struct principal *who, const char *action,
               const char *resource, enum policy_decision d);

/*
 * The request context (object of lower-case condition keys, caller json_decrefs): aws:
 * CurrentTime/EpochTime (virtual time), PrincipalType, username, userid, PrincipalArn (a
 * role session's role ARN), PrincipalAccount, RequestedRegion, ViaAWSService, CalledVia
 * (+First/Last), SecureTransport, SourceIp, MultiFactorAuthPresent (temporary credentials),
 * SourceIdentity, and the service keys of the input (cloudwatch:AlarmActions,
 * ec2:InstanceType, ec2:Region). sess may be NULL.
 */
json_t *authz_context(const struct call *c, const struct principal *who,
                      const struct authz_session *sess, const struct authz_extra *extra);

/*
 * authz_context plus the keys that need the store: aws:PrincipalTag/KEY (entity_tags, then
 * session_tags over them; TagLists or NULL), aws:ResourceTag/KEY (and ec2:/iam:ResourceTag)
 * of resource from its service's provider (svc/restags.h), aws:RequestTag/KEY and
 * aws:TagKeys of the input, iam:PermissionsBoundary. Caller json_decrefs.
 */
json_t *authz_context_full(struct call *c, const struct principal *who,
                           const struct authz_session *sess, const struct authz_extra *extra,
                           const json_t *entity_tags, const json_t *session_tags,
                           const char *resource);

/*
 * The session facts of who (cached per access key; zeroed for long-term credentials).
 * 0 ok, -1 on an internal error.
 */
int authz_session_get(struct call *c, const struct principal *who, struct authz_session *out);

/*
 * The identity-based policies of who (borrowed from the cache: valid until the next authz
 * call; do not decref). A federated user gets those of its issuing user (all for root).
 * 0 ok, -1 on an internal error.
 */
int authz_identity_policies(struct call *c, const struct principal *who,
                            const struct authz_session *sess, const json_t *const **docs,
                            size_t *n);

/* Drops every cached policy (tests; IAM changes are noticed without it). */
void authz_cache_clear(void);

#endif
