/*
 * authz_lab.h — unit-test helpers for authorization and STS: IAM state written straight
 * into the tables (users, keys, roles, policies), and whole requests signed with SigV4 and
 * answered by dispatch_aws() on the fixture's store and virtual clock, so tests exercise
 * the real pipeline (route, SigV4 incl. expiry, decode, validate, authorize, handler,
 * protocol-specific errors).
 */
#ifndef RL_AUTHZ_LAB_H
#define RL_AUTHZ_LAB_H

#include "svc_fixture.h"

/* Requests are answered as `serve --auth off` would while this is true. */
extern bool lab_auth_off;

/* A signing identity. */
struct lab_key {
    char id[32];
    char secret[48];
    char token[600]; /* "" for long-term keys */
};

/* The reply to one request. */
struct lab_reply {
    int status;
    char *body;        /* heap, NUL-terminated */
    char *query_error; /* x-amzn-query-error header or NULL (heap) */
};

/* The account root's key (created on first use in this store). */
void lab_root_key(struct fx *f, struct lab_key *k);
/* IAM user NAME with unique id uid (AIDA...) and an access key; *k gets the key. */
void lab_user(struct fx *f, const char *name, const char *uid, struct lab_key *k);
/* Role NAME (AROA id rid) with the trust policy and max session seconds. */
void lab_role(struct fx *f, const char *name, const char *rid, const char *trust, int max_s);
/* Managed policy attachment (kind "user"/"group"/"role"). */
void lab_attach(struct fx *f, const char *kind, const char *owner, const char *policy_arn);
/* Inline policy. */
void lab_inline(struct fx *f, const char *kind, const char *owner, const char *name,
                const char *doc);

/* A Query request (STS, IAM, CloudWatch-Query, EC2 by service): form body "Action=..&..."
 * (Version added), signed for scope service (sts, iam, monitoring, ec2). */
void lab_query(struct fx *f, const struct lab_key *k, const char *scope, const char *form,
               struct lab_reply *r);
/* CloudWatch over JSON 1.0 (x-amzn-query-mode: true). */
void lab_cw_json(struct fx *f, const struct lab_key *k, const char *op, const char *json,
                 struct lab_reply *r);
/* CloudWatch over RPC v2 CBOR; body is a CBOR map (raw bytes). */
void lab_cw_cbor(struct fx *f, const struct lab_key *k, const char *op, const char *body,
                 size_t len, struct lab_reply *r);
void lab_reply_free(struct lab_reply *r);

/* application/x-www-form-urlencoded value (heap). */
char *lab_urlenc(const char *s);
/* The text between <tag> and </tag> in xml (heap) or NULL. */
char *lab_xml(const char *xml, const char *tag);
/* Fills k from an STS XML reply with <Credentials>. 0 ok. */
int lab_key_from_xml(const char *xml, struct lab_key *k);

#endif
