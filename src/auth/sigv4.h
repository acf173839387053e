/*
 * sigv4.h — AWS Signature Version 4 verification (header and presigned-query forms),
 * following the published algorithm: raw path, sorted encoded query, lower-cased trimmed
 * headers (duplicates joined with ','), x-amz-content-sha256 / UNSIGNED-PAYLOAD.
 * OpenSSL EVP_MAC/EVP_MD are fetched once (sigv4_init); signing keys are cached per
 * (key id, date, region, service).
 */
#ifndef RL_SIGV4_H
#define RL_SIGV4_H

#include "base/request.h"
#include "core/call.h"
#include "core/principal.h"

/* What the request claims, before any verification (used for routing and errors too). */
struct sigv4_parsed {
    bool present;            /* an Authorization: AWS4-HMAC-SHA256 header or X-Amz-Signature query */
    bool presigned;          /* query-string form */
    const char *access_key_id;
    const char *date;        /* yyyymmdd from the scope */
    const char *region;
    const char *service;     /* scope service: "monitoring", "ec2", "sts", "recoverlab", ... */
    const char *amz_date;    /* X-Amz-Date value, "20261128T175049Z" */
    const char *signed_headers; /* "host;x-amz-date" */
    const char *signature;   /* hex */
    const char *security_token; /* X-Amz-Security-Token, NULL if none */
    int64_t expires_s;       /* presigned X-Amz-Expires, 0 if none */
};

/* Result of verification: on failure the AWS error (status 400/403, code, exact message:
 * "MissingAuthenticationToken", "IncompleteSignature", "InvalidClientTokenId",
 * "SignatureDoesNotMatch", "ExpiredToken"); on success the caller. */
struct sigv4_result {
    struct aws_err err;         /* err.status 0 on success */
    struct principal principal; /* on success */
};

/* The answer to a request that carries no authentication at all (sigv4_parse returned 1). */
#define SIGV4_MISSING_AUTH_CODE "MissingAuthenticationToken"
#define SIGV4_MISSING_AUTH_MSG "Request is missing Authentication Token"

/* Fetches the OpenSSL HMAC/SHA-256 implementations and contexts once (idempotent; verify
 * calls it lazily too). sigv4_shutdown frees them and wipes the signing-key cache. */
void sigv4_init(void);
void sigv4_shutdown(void);

/* Fills *res with the 403 MissingAuthenticationToken error. */
void sigv4_missing_auth(struct sigv4_result *res);

/*
 * Parses the Authorization header or presigned query of rq into *out (arena strings).
 * Returns 0 when a well-formed SigV4 authorization is present, 1 when none is present
 * (*res then holds the MissingAuthenticationToken error), -1 when present but malformed
 * (IncompleteSignature, or SignatureDoesNotMatch for a bad scope / unsigned host; *res
 * filled with the error).
 */
int sigv4_parse(const struct request *rq, struct sigv4_parsed *out, struct sigv4_result *res);

/*
 * Verifies rq. wall_now_ms judges the 15-minute skew (wall clock); virt_now_ms judges
 * temporary credential expiry (virtual clock). Returns 0 and fills res->principal on
 * success, -1 with res->status/code/message on failure.
 */
int sigv4_verify(const struct request *rq, const struct sigv4_parsed *p,
                 int64_t wall_now_ms, int64_t virt_now_ms, credential_lookup_fn lookup,
                 void *lookup_ctx, struct sigv4_result *res);

#endif
