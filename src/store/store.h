/*
 * store.h — the one SQLite connection (WAL, synchronous=NORMAL), owned by the core thread.
 * Schema: an ordered list of migrations (src/store/schema.c), applied by PRAGMA user_version.
 * Statements are prepared once (SQLITE_PREPARE_PERSISTENT) and cached by their SQL text.
 * One transaction per API call (store_begin/commit/rollback, BEGIN IMMEDIATE).
 */
#ifndef RL_STORE_H
#define RL_STORE_H

#include <sqlite3.h>
#include <stdint.h>

struct store;

/* Opens (creating if needed) the database at path (":memory:" for tests) and migrates it.
 * 0 ok, -1 error (logged). */
int store_open(const char *path, struct store **out);
void store_close(struct store *st);
sqlite3 *store_db(struct store *st);

/*
 * The cached prepared statement for this SQL (prepared on first use). It is reset and its
 * bindings cleared before it is returned. Never finalize it. Aborts on a SQL syntax error
 * (a programming error, caught by tests).
 */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);

int store_begin(struct store *st);    /* BEGIN IMMEDIATE; nests by counting */
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* Small key/value table for server state (account id, clock, ...). Returned string is
 * heap-allocated (free()) or NULL when absent. */
char *store_meta_get(struct store *st, const char *key);
int store_meta_set(struct store *st, const char *key, const char *value);

/* Deletes all state of every service (keeps the account and root key). */
int store_reset(struct store *st);

#endif
