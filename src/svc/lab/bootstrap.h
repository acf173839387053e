/*
 * bootstrap.h — the lab's data directory: DIR/recoverlab.db (created with the account and
 * a root access key on first start), DIR/credentials and DIR/config for AWS clients.
 */
#ifndef RL_BOOTSTRAP_H
#define RL_BOOTSTRAP_H

#include "core/principal.h"

struct store;

#define BOOTSTRAP_ACCOUNT LAB_ACCOUNT_DEFAULT
#define BOOTSTRAP_DB_NAME "recoverlab.db"

/* The account and its root key. */
struct lab_identity {
    char account[16];
    char access_key_id[32]; /* AKIA + 16 of [A-Z2-7] */
    char secret[48];        /* 40 of [A-Za-z0-9/+] */
};

/*
 * Creates dir (mode 0700, parents too) when missing and opens (creating and migrating)
 * DIR/recoverlab.db. 0 ok, -1 error (logged).
 */
int bootstrap_open(const char *dir, struct store **out);

/*
 * Makes sure the account (meta account_id) and its root access key (access_keys +
 * meta root_access_key_id) exist, creating them on first start, and fills *id.
 * Call after clock_init (the key's created_ms is virtual time). 0 ok, -1 error.
 */
int bootstrap_account(struct store *st, struct lab_identity *id);

/*
 * Writes DIR/credentials ([default] root key) and DIR/config ([default] region and
 * endpoint_url), mode 0600, each only when its content changed. 0 ok, -1 error (logged).
 */
int bootstrap_write_files(const char *dir, const struct lab_identity *id, const char *region,
                          const char *endpoint_url);

#endif
