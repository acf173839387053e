/* store_test.c — src/store/store.c: migrations, reopen, statement cache, transactions, reset. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "store/schema.h"
#include "store/store.h"

static int64_t scalar_i64(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t v = -999;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void exec(struct store *st, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(store_db(st), sql, NULL, NULL, &err) != SQLITE_OK) {
        harness_fail(__FILE__, __LINE__, "exec %s: %s", sql, err ? err : "?");
        sqlite3_free(err);
    }
}

/* A fresh path in $TMPDIR for a file database (removed with its WAL files by the caller). */
static void temp_db(char *path, size_t n)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, n, "%s/rl_store_test_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    unlink(path);
}

static void rm_db(const char *path)
{
    char p[512];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

TEST(store_open_migrates_to_latest)
{
    struct store *st = NULL;
    CHECK_EQ_INT(store_open(":memory:", &st), 0);
    if (!st)
        return;
    CHECK(store_nmigrations >= 1);
    CHECK_EQ_INT(scalar_i64(st, "PRAGMA user_version"), store_nmigrations);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM sqlite_schema WHERE type='table' AND "
                                "name IN ('meta','access_keys','events')"),
                 3);
    CHECK_EQ_INT(scalar_i64(st, "PRAGMA foreign_keys"), 1);
    CHECK_EQ_INT(scalar_i64(st, "PRAGMA busy_timeout"), 5000);
    CHECK_EQ_INT(scalar_i64(st, "PRAGMA temp_store"), 2); /* MEMORY */
    store_close(st);
}

TEST(store_migrates_old_database_and_refuses_newer)
{
    char path[256];
    temp_db(path, sizeof(path));
    sqlite3 *db = NULL;
    CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(db, store_migrations[0], NULL, NULL, NULL), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(db, "PRAGMA user_version = 1; INSERT INTO meta VALUES('k','v')", NULL,
                              NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);

    struct store *st = NULL;
    CHECK_EQ_INT(store_open(path, &st), 0);
    if (st) {
        CHECK_EQ_INT(scalar_i64(st, "PRAGMA user_version"), store_nmigrations);
        char *v = store_meta_get(st, "k");
        CHECK_EQ_STR(v, "v");
        free(v);
        exec(st, "PRAGMA user_version = 999");
        store_close(st);
    }
    st = NULL;
    CHECK_EQ_INT(store_open(path, &st), -1);
    CHECK(st == NULL);
    rm_db(path);
}

TEST(store_reopen_keeps_data)
{
    char path[256];
    temp_db(path, sizeof(path));
    struct store *st = NULL;
    CHECK_EQ_INT(store_open(path, &st), 0);
    if (!st)
        return;
    sqlite3_stmt *s = store_stmt(st, "PRAGMA journal_mode");
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_reset(s);
    CHECK_EQ_INT(store_meta_set(st, "account_id", "123456789012"), 0);
    CHECK_EQ_INT(store_meta_set(st, "account_id", "210987654321"), 0); /* upsert */
    CHECK(store_meta_get(st, "absent") == NULL);
    store_close(st);

    st = NULL;
    CHECK_EQ_INT(store_open(path, &st), 0);
    if (st) {
        char *v = store_meta_get(st, "account_id");
        CHECK_EQ_STR(v, "210987654321");
        free(v);
        CHECK_EQ_INT(scalar_i64(st, "PRAGMA user_version"), store_nmigrations);
        store_close(st);
    }
    rm_db(path);
}

TEST(store_stmt_cache_reuses_and_resets)
{
    struct store *st = NULL;
    CHECK_EQ_INT(store_open(":memory:", &st), 0);
    if (!st)
        return;
    exec(st, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(1),(2),(3)");
    const char *q = "SELECT x FROM t ORDER BY x";
    sqlite3_stmt *a = store_stmt(st, q);
    CHECK_EQ_INT(sqlite3_step(a), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_step(a), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(a, 0), 2);
    /* same SQL text (a different pointer) -> same statement, reset to the first row */
    char copy[64];
    snprintf(copy, sizeof(copy), "%s", q);
    sqlite3_stmt *b = store_stmt(st, copy);
    CHECK(a == b);
    CHECK_EQ_INT(sqlite3_step(b), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(b, 0), 1);
    CHECK(store_stmt(st, "SELECT x FROM t WHERE x = ?1") != a);

    /* bindings are cleared between uses */
    sqlite3_stmt *p = store_stmt(st, "SELECT ?1 IS NULL");
    sqlite3_bind_int(p, 1, 7);
    CHECK_EQ_INT(sqlite3_step(p), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(p, 0), 0);
    p = store_stmt(st, "SELECT ?1 IS NULL");
    CHECK_EQ_INT(sqlite3_step(p), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(p, 0), 1);

    /* many statements: the cache grows and still finds each one */
    char sql[64];
    sqlite3_stmt *first[200];
    for (int i = 0; i < 200; i++) {
        snprintf(sql, sizeof(sql), "SELECT %d", i);
        first[i] = store_stmt(st, sql);
    }
    int same = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(sql, sizeof(sql), "SELECT %d", i);
        sqlite3_stmt *s = store_stmt(st, sql);
        same += s == first[i];
        if (i == 137) {
            CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
            CHECK_EQ_INT(sqlite3_column_int(s, 0), 137);
        }
    }
    CHECK_EQ_INT(same, 200);
    store_close(st);
}

TEST(store_nested_transactions)
{
    struct store *st = NULL;
    CHECK_EQ_INT(store_open(":memory:", &st), 0);
    if (!st)
        return;
    exec(st, "CREATE TABLE t(x INTEGER)");
    const char *ins = "INSERT INTO t VALUES(?1)";
    sqlite3_stmt *s;

    /* nested commit: both rows */
    CHECK_EQ_INT(store_begin(st), 0);
    s = store_stmt(st, ins);
    sqlite3_bind_int(s, 1, 1);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    CHECK_EQ_INT(store_begin(st), 0);
    s = store_stmt(st, ins);
    sqlite3_bind_int(s, 1, 2);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    CHECK_EQ_INT(store_commit(st), 0);
    CHECK_EQ_INT(sqlite3_get_autocommit(store_db(st)), 0); /* outer still open */
    CHECK_EQ_INT(store_commit(st), 0);
    CHECK_EQ_INT(sqlite3_get_autocommit(store_db(st)), 1);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM t"), 2);

    /* inner rollback undoes only the inner work */
    CHECK_EQ_INT(store_begin(st), 0);
    s = store_stmt(st, ins);
    sqlite3_bind_int(s, 1, 3);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    CHECK_EQ_INT(store_begin(st), 0);
    s = store_stmt(st, ins);
    sqlite3_bind_int(s, 1, 4);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    CHECK_EQ_INT(store_rollback(st), 0);
    CHECK_EQ_INT(store_commit(st), 0);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM t"), 3);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM t WHERE x = 3"), 1);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM t WHERE x = 4"), 0);

    /* outer rollback undoes everything, inner commits included */
    CHECK_EQ_INT(store_begin(st), 0);
    CHECK_EQ_INT(store_begin(st), 0);
    s = store_stmt(st, ins);
    sqlite3_bind_int(s, 1, 5);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    CHECK_EQ_INT(store_commit(st), 0);
    CHECK_EQ_INT(store_rollback(st), 0);
    CHECK_EQ_INT(sqlite3_get_autocommit(store_db(st)), 1);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM t"), 3);

    /* unbalanced calls are refused */
    CHECK_EQ_INT(store_commit(st), -1);
    CHECK_EQ_INT(store_rollback(st), -1);
    store_close(st);
}

TEST(store_reset_keeps_meta_and_root_key)
{
    struct store *st = NULL;
    CHECK_EQ_INT(store_open(":memory:", &st), 0);
    if (!st)
        return;
    exec(st, "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
             "CREATE TABLE child(id INTEGER, p INTEGER REFERENCES parent(id));"
             "INSERT INTO parent VALUES(1); INSERT INTO child VALUES(1, 1);"
             "INSERT INTO access_keys(access_key_id, secret, created_ms, principal) VALUES"
             " ('AKIAROOT', 's', 0, '{}'), ('AKIAUSER', 's', 0, '{}');"
             "INSERT INTO events(at_ms, kind, arg) VALUES(5, 'k', 'a');");
    CHECK_EQ_INT(store_meta_set(st, "root_access_key_id", "AKIAROOT"), 0);
    CHECK_EQ_INT(store_meta_set(st, "account_id", "123456789012"), 0);
    CHECK_EQ_INT(store_reset(st), 0);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM parent"), 0);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM child"), 0);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM events"), 0);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM access_keys"), 1);
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM access_keys WHERE access_key_id = "
                                "'AKIAROOT'"),
                 1);
    char *v = store_meta_get(st, "account_id");
    CHECK_EQ_STR(v, "123456789012");
    free(v);
    CHECK_EQ_INT(sqlite3_get_autocommit(store_db(st)), 1);
    store_close(st);
}
