/* store_test.c — src/store/store.c: per-owner migrations (and adopting a database of the single
 * migration list), reopen, statement cache, transactions, reset. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/module.h"

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

/* The latest version of every owner's schema in this lab (clock and the modules'). */
static void check_latest(struct store *st)
{
    CHECK_EQ_INT(store_schema_version(st, "clock"), clock_schema.nsteps);
    for (const struct svc_module *const *m = svc_module_list(); *m; m++)
        if ((*m)->schema)
            CHECK_EQ_INT(store_schema_version(st, (*m)->schema->owner), (*m)->schema->nsteps);
}

TEST(store_open_migrates_to_latest)
{
    struct store *st = NULL;
    CHECK_EQ_INT(svc_store_open(":memory:", &st), 0);
    if (!st)
        return;
    check_latest(st);
    CHECK_EQ_INT(store_schema_version(st, "iam"), 2); /* access keys, then the IAM tables */
    CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM sqlite_schema WHERE type='table' AND "
                                "name IN ('meta','access_keys','events')"),
                 3);
    CHECK_EQ_INT(scalar_i64(st, "PRAGMA foreign_keys"), 1);
    CHECK_EQ_INT(scalar_i64(st, "PRAGMA busy_timeout"), 5000);
    CHECK_EQ_INT(scalar_i64(st, "PRAGMA temp_store"), 2); /* MEMORY */
    store_close(st);
}

/* Two owners' schemas, each migrated by its own version. */
static const struct store_migration a_steps[] = {{"CREATE TABLE a1(x);", 0},
                                                 {"CREATE TABLE a2(x);", 0}};
static const struct store_migration b_steps[] = {{"CREATE TABLE b1(x);", 0}};
static const struct store_schema a_schema = {"a", a_steps, 1}; /* first release: one step */
static const struct store_schema a2_schema = {"a", a_steps, 2};
static const struct store_schema b_schema = {"b", b_steps, 1};

TEST(store_migrates_each_owner_by_its_version)
{
    char path[256];
    temp_db(path, sizeof(path));
    const struct store_schema *v1[] = {&a_schema, NULL};
    const struct store_schema *v2[] = {&a2_schema, &b_schema, NULL};
    struct store *st = NULL;
    CHECK_EQ_INT(store_open(path, v1, &st), 0);
    if (st) {
        CHECK_EQ_INT(store_schema_version(st, "a"), 1);
        CHECK_EQ_INT(store_schema_version(st, "b"), 0);
        CHECK_EQ_INT(store_meta_set(st, "k", "v"), 0);
        store_close(st);
    }
    st = NULL;
    CHECK_EQ_INT(store_open(path, v2, &st), 0); /* a gains a step, b arrives */
    if (st) {
        CHECK_EQ_INT(store_schema_version(st, "a"), 2);
        CHECK_EQ_INT(store_schema_version(st, "b"), 1);
        CHECK_EQ_INT(scalar_i64(st, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                    "('a1','a2','b1')"),
                     3);
        char *v = store_meta_get(st, "k");
        CHECK_EQ_STR(v, "v");
        free(v);
        store_close(st);
    }
    st = NULL;
    CHECK_EQ_INT(store_open(path, v1, &st), -1); /* a is newer than this program knows */
    CHECK(st == NULL);
    rm_db(path);
}

TEST(store_migrates_old_database_and_refuses_newer)
{
    /* A database of 0.1 at user_version 1: the core schema only (meta, access_keys, events). */
    char path[256];
    temp_db(path, sizeof(path));
    sqlite3 *db = NULL;
    CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_EQ_INT(
        sqlite3_exec(db,
                     "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
                     "CREATE TABLE access_keys(access_key_id TEXT PRIMARY KEY, secret TEXT NOT "
                     "NULL, session_token TEXT, status TEXT NOT NULL DEFAULT 'Active', "
                     "expires_ms INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, "
                     "principal TEXT NOT NULL) WITHOUT ROWID;"
                     "CREATE TABLE events(id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, kind "
                     "TEXT NOT NULL, arg TEXT NOT NULL);"
                     "PRAGMA user_version = 1; INSERT INTO meta VALUES('k','v')",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    struct store *st = NULL;
    CHECK_EQ_INT(svc_store_open(path, &st), 0);
    if (st) {
        check_latest(st);
        char *v = store_meta_get(st, "k");
        CHECK_EQ_STR(v, "v");
        free(v);
        exec(st, "UPDATE schema_versions SET version = 999 WHERE owner = 'iam'");
        store_close(st);
    }
    st = NULL;
    CHECK_EQ_INT(svc_store_open(path, &st), -1);
    CHECK(st == NULL);
    rm_db(path);
}

TEST(store_adopts_a_database_of_the_whole_single_list)
{
    /* 0.1's last schema (user_version 7, no schema_versions): nothing runs again. */
    char path[256];
    temp_db(path, sizeof(path));
    struct store *st = NULL;
    CHECK_EQ_INT(svc_store_open(path, &st), 0);
    if (st) {
        exec(st, "INSERT INTO meta VALUES('k','v'); DROP TABLE schema_versions;"
                 "PRAGMA user_version = 7");
        store_close(st);
    }
    st = NULL;
    CHECK_EQ_INT(svc_store_open(path, &st), 0);
    if (st) {
        check_latest(st);
        char *v = store_meta_get(st, "k");
        CHECK_EQ_STR(v, "v");
        free(v);
        store_close(st);
    }
    rm_db(path);
}

TEST(store_reopen_keeps_data)
{
    char path[256];
    temp_db(path, sizeof(path));
    struct store *st = NULL;
    CHECK_EQ_INT(svc_store_open(path, &st), 0);
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
    CHECK_EQ_INT(svc_store_open(path, &st), 0);
    if (st) {
        char *v = store_meta_get(st, "account_id");
        CHECK_EQ_STR(v, "210987654321");
        free(v);
        check_latest(st);
        store_close(st);
    }
    rm_db(path);
}

TEST(store_stmt_cache_reuses_and_resets)
{
    struct store *st = NULL;
    CHECK_EQ_INT(svc_store_open(":memory:", &st), 0);
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
    CHECK_EQ_INT(svc_store_open(":memory:", &st), 0);
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
    CHECK_EQ_INT(svc_store_open(":memory:", &st), 0);
    if (!st)
        return;
    exec(st, "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
             "CREATE TABLE child(id INTEGER, p INTEGER REFERENCES parent(id));"
             "INSERT INTO parent VALUES(1); INSERT INTO child VALUES(1, 1);"
             "INSERT INTO access_keys(access_key_id, secret, created_ms, principal) VALUES"
             " ('AKIAROOT', 's', 0, '{\"kind\":\"root\"}'),"
             " ('AKIAUSER', 's', 0, '{\"kind\":\"user\"}');"
             "INSERT INTO events(at_ms, kind, arg) VALUES(5, 'k', 'a');");
    CHECK_EQ_INT(store_meta_set(st, "root_access_key_id", "AKIAROOT"), 0);
    CHECK_EQ_INT(store_meta_set(st, "account_id", "123456789012"), 0);
    CHECK_EQ_INT(svc_store_reset(st), 0);
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
