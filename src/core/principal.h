/*
 * principal.h — who is calling. Produced by SigV4 verification (auth/sigv4.c) from the
 * credential the access key id maps to; consumed by policy checks and handlers.
 * The IAM issue extends the set of credentials (users, role sessions); the struct is
 * plain data so it can be copied into the call's arena and persisted as JSON.
 */
#ifndef RL_PRINCIPAL_H
#define RL_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

struct arena;

/* The lab's account id unless the data directory says otherwise (meta account_id). */
#define LAB_ACCOUNT_DEFAULT "123456789012"

enum principal_kind {
    PRINCIPAL_ROOT = 1,
    PRINCIPAL_USER,         /* IAM user, long-term AKIA key */
    PRINCIPAL_ROLE_SESSION, /* sts:AssumeRole / instance profile: ASIA key + token */
    PRINCIPAL_FEDERATED,    /* sts:GetFederationToken */
    PRINCIPAL_SERVICE,      /* an AWS service acting (cloudwatch alarm actions, ...) */
};

struct principal {
    enum principal_kind kind;
    bool temporary;          /* credentials came with a session token */
    char account[16];        /* "123456789012" */
    char arn[320];           /* arn:aws:iam::123456789012:root, ...:user/NAME, arn:aws:sts::...:assumed-role/R/S */
    char user_id[160];       /* AIDA..., AROA...:SESSION, account id for root */
    char name[128];          /* user name / role name / federated name; "root" for root */
    char session_name[80];   /* role sessions */
    char access_key_id[32];  /* key used for this request */
    int64_t expires_ms;      /* temporary credentials: expiry in virtual time; 0 otherwise */
};

/*
 * A credential known to the server. Looked up by access key id during SigV4 checks.
 * secret and session_token point to storage owned by the lookup (valid for the call).
 */
struct credential {
    const char *access_key_id;
    const char *secret;
    const char *session_token; /* NULL for long-term keys */
    bool active;               /* false: Inactive key -> InvalidClientTokenId */
    int64_t expires_ms;        /* 0: never (virtual-time ms otherwise) */
    struct principal principal;
};

/*
 * Resolves an access key id. Returns 0 and fills *out when known, 1 when unknown,
 * -1 on internal error. ctx is the lookup's own state (the store).
 */
typedef int (*credential_lookup_fn)(void *ctx, const char *access_key_id, struct arena *a,
                                    struct credential *out);

/*
 * The JSON stored in access_keys.principal:
 * {"kind":"root|user|role_session|federated|service","temporary":bool,"account":"…",
 *  "arn":"…","user_id":"…","name":"…","session_name":"…"}.
 * access_key_id and expires_ms are not part of it (they are columns of the key row).
 * principal_to_json returns a heap string (free()) or NULL when p->kind is not valid.
 */
char *principal_to_json(const struct principal *p);
/* Parses that JSON into *out (zeroed first). 0 ok; -1 on bad JSON, unknown kind, or a
 * string longer than its field (never truncated). Unknown members are ignored. */
int principal_from_json(const char *json, struct principal *out);

#endif
