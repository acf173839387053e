/*
 * store.h — the one SQLite connection (WAL, synchronous=NORMAL), owned by the core thread.
 * Schema: each owner (a service, the clock) hands its ordered migration steps to store_open;
 * the version each owner reached is kept in the table schema_versions. The store itself
 * owns only `meta` and `schema_versions` and knows no service.
 * Statements are prepared once (SQLITE_PREPARE_PERSISTENT) and cached by their SQL text.
 * One transaction per API call (store_begin/commit/rollback, BEGIN IMMEDIATE).
 */
#ifndef RL_STORE_H
#define RL_STORE_H

#include <sqlite3.h>
#include <stdint.h>

struct store;

/* One migration step of an owner's schema. legacy: the PRAGMA user_version of the single
 * global migration list used before schemas had owners from which on this step counts as
 * applied (0: the step is newer than that list). */
struct store_migration {
    const char *sql;
    int legacy;
};

/* An owner's schema: its steps in order; step i brings the owner's version from i to i+1. */
struct store_schema {
    const char *owner; /* "iam", "clock", ... */
    const struct store_migration *steps;
    int nsteps;
};

/* store_open's answer for a file that is not a recoverlab database it may open. */
#define STORE_NOT_OURS (-2)

/*
 * Opens (creating if needed) the database at path (":memory:" for tests) and brings every
 * schema in the NULL-terminated list up to date, in list order. A database whose version of
 * some schema is newer than the program's is refused. An existing file is checked before
 * anything is written to it: not SQLite, another program's database (its application_id, or
 * tables but none of the store's) or corrupt (quick_check) is STORE_NOT_OURS, logged with
 * what to do, the file untouched. A database the store creates is marked with its
 * application_id. 0 ok, -1 error (logged).
 */
int store_open(const char *path, const struct store_schema *const *schemas, struct store **out);
/* The version owner's schema has reached in this database (0: none), -1 on error. */
int store_schema_version(struct store *st, const char *owner);
void store_close(struct store *st);
sqlite3 *store_db(struct store *st);

/*
 * The cached prepared statement for this SQL (prepared on first use). It is reset and its
 * bindings cleared before it is returned. Never finalize it. Aborts on a SQL syntax error
 * (a programming error, caught by tests).
 */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);

/* Binds v as text (copied: SQLITE_TRANSIENT) to parameter i of s, or NULL when v is NULL. */
void store_bind_text_or_null(sqlite3_stmt *s, int i, const char *v);
/* The same, but an empty string binds NULL as well (optional columns kept as "" in C). */
void store_bind_nonempty_or_null(sqlite3_stmt *s, int i, const char *v);

int store_begin(struct store *st);    /* BEGIN IMMEDIATE; nests by counting */
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* Small key/value table for server state (account id, clock, ...). Returned string is
 * heap-allocated (free()) or NULL when absent. */
char *store_meta_get(struct store *st, const char *key);
int store_meta_set(struct store *st, const char *key, const char *value);

/* Rows a reset keeps: in table, those matching the SQL condition rows. */
struct store_keep {
    const char *table;
    const char *rows;
};

/* Deletes every row of every table except meta and those that keep (terminated by a NULL
 * table; NULL: none) names, in one transaction. 0 ok, -1 error. */
int store_reset(struct store *st, const struct store_keep *keep);

#endif
