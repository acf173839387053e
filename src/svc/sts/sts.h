/*
 * sts.h — STS internals other services use: issuing role credentials for a session name
 * (EC2 instance profiles: the session name is the instance id) and the trust check of a
 * service principal. Credentials are rows of access_keys (ASIA... id, secret, session token,
 * expiry in virtual time, principal JSON of the session, session policies).
 */
#ifndef RL_STS_H
#define RL_STS_H

#include <stdbool.h>
#include <stdint.h>

#include "svc/iam/iam.h"

struct store;

#define STS_TOKEN_MAX 512

/* Temporary credentials as AssumeRole returns them. */
struct sts_credentials {
    char access_key_id[24]; /* ASIA... (20 characters) */
    char secret[44];        /* 40 characters */
    char session_token[STS_TOKEN_MAX];
    int64_t expires_ms;        /* virtual time */
    char arn[320];             /* arn:aws:sts::ACCT:assumed-role/ROLE/SESSION */
    char assumed_role_id[160]; /* AROA...:SESSION */
};

/* Session durations in seconds [model/doc]. */
#define STS_MIN_DURATION_S 900
#define STS_ROLE_DEFAULT_S 3600
#define STS_CHAINED_MAX_S 3600
#define STS_TOKEN_DEFAULT_S 43200 /* GetSessionToken / GetFederationToken */
#define STS_ROOT_MAX_S 3600       /* the account root's session and federation tokens */

/*
 * Issues credentials of a session of role (no session policies) named session_name,
 * valid duration_s seconds from now_ms, and stores them. The caller has already decided
 * that the session may exist (trust policy). 0 ok with *out filled, -1 on a store error.
 */
int sts_issue_role_credentials(struct store *st, const char *account, const struct iam_role *role,
                               const char *session_name, int64_t now_ms, int64_t duration_s,
                               struct sts_credentials *out);

/*
 * True when the role's trust policy lets the AWS service principal (e.g. "ec2.amazonaws.com")
 * perform sts:AssumeRole (an EC2 instance profile's role must trust ec2.amazonaws.com).
 */
bool sts_role_trusts_service(const struct iam_role *role, const char *service, int64_t now_ms);

/* The resource functions of STS's ops.def rows (resources.c): the ARN an action is checked
 * on, an arena string, "*" when the input names none. */
const char *sts_res_role(struct call *c, const json_t *in);           /* RoleArn */
const char *sts_res_federated_user(struct call *c, const json_t *in); /* Name */

#endif
