/*
 * store.c — the one SQLite connection: open + pragmas, per-owner migrations (schema_versions),
 * a statement cache keyed by SQL text, nested transactions (BEGIN IMMEDIATE outside,
 * SAVEPOINTs inside), the meta table and reset.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "store/store.h"

struct stmt_entry {
    struct stmt_entry *next;
    char *sql;
    uint64_t hash;
    sqlite3_stmt *stmt;
};

struct store {
    sqlite3 *db;
    int tx_depth;              /* 0: no transaction; 1: BEGIN; >1: savepoints */
    struct stmt_entry **slots; /* chained hash table keyed by SQL text */
    size_t nslots, count;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static int exec_sql(struct store *st, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        log_error("store: %s: %s", sql, err ? err : sqlite3_errmsg(st->db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static int user_version(struct store *st, int *out)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_step(s) != SQLITE_ROW)
        goto out;
    *out = sqlite3_column_int(s, 0);
    rc = 0;
out:
    if (rc)
        log_error("store: cannot read user_version: %s", sqlite3_errmsg(st->db));
    sqlite3_finalize(s);
    return rc;
}

/* The store's own tables: meta and the per-owner schema versions. */
static const char STORE_SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS schema_versions(owner TEXT PRIMARY KEY,"
    "  version INTEGER NOT NULL) WITHOUT ROWID;";

static bool has_table(struct store *st, const char *name)
{
    sqlite3_stmt *s = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(s) == SQLITE_ROW;
    }
    sqlite3_finalize(s);
    return yes;
}

/* The applied version of owner's schema (0: none yet), or -1 on error. */
int store_schema_version(struct store *st, const char *owner)
{
    sqlite3_stmt *s = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "SELECT version FROM schema_versions WHERE owner = ?1", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : rc == SQLITE_DONE ? 0 : -1;
    }
    if (v < 0)
        log_error("store: cannot read the schema version of %s: %s", owner,
                  sqlite3_errmsg(st->db));
    sqlite3_finalize(s);
    return v;
}

static int set_version(struct store *st, const char *owner, int v)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO schema_versions(owner, version) VALUES(?1, ?2) "
                                   "ON CONFLICT(owner) DO UPDATE SET version = excluded.version",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, v);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    }
    if (rc)
        log_error("store: cannot record the schema version of %s: %s", owner,
                  sqlite3_errmsg(st->db));
    sqlite3_finalize(s);
    return rc;
}

/*
 * A database written before schemas had owners kept one global PRAGMA user_version over
 * one ordered list; each step names the position it had there (legacy), so the steps an
 * old database already ran are recorded as applied, owner by owner.
 */
static int adopt_legacy(struct store *st, const struct store_schema *const *schemas, int uv)
{
    for (size_t i = 0; schemas[i]; i++) {
        int n = 0;
        while (n < schemas[i]->nsteps && schemas[i]->steps[n].legacy > 0 &&
               schemas[i]->steps[n].legacy <= uv)
            n++;
        if (n && set_version(st, schemas[i]->owner, n))
            return -1;
    }
    log_info("store: adopted a database of schema version %d (per-owner versions from now on)",
             uv);
    return 0;
}

/* Applies each owner's steps from its recorded version on, each step in its own
 * transaction. */
static int migrate(struct store *st, const struct store_schema *const *schemas)
{
    bool fresh = !has_table(st, "schema_versions");
    int uv = 0;
    if (fresh && user_version(st, &uv))
        return -1;
    if (exec_sql(st, "BEGIN IMMEDIATE"))
        return -1;
    if (exec_sql(st, STORE_SCHEMA) || (fresh && uv > 0 && adopt_legacy(st, schemas, uv)) ||
        exec_sql(st, "COMMIT")) {
        exec_sql(st, "ROLLBACK");
        return -1;
    }
    for (size_t i = 0; schemas && schemas[i]; i++) {
        const struct store_schema *sc = schemas[i];
        int v = store_schema_version(st, sc->owner);
        if (v < 0)
            return -1;
        if (v > sc->nsteps) {
            log_error("store: the %s schema of this database (version %d) is newer than this "
                      "program (%d)",
                      sc->owner, v, sc->nsteps);
            return -1;
        }
        for (; v < sc->nsteps; v++) {
            if (exec_sql(st, "BEGIN IMMEDIATE"))
                return -1;
            if (exec_sql(st, sc->steps[v].sql) || set_version(st, sc->owner, v + 1) ||
                exec_sql(st, "COMMIT")) {
                log_error("store: %s migration %d failed", sc->owner, v + 1);
                exec_sql(st, "ROLLBACK");
                return -1;
            }
        }
    }
    return 0;
}

/* PRAGMA application_id of a recoverlab database ("RcLb"), set when the store creates it. */
#define STORE_APPLICATION_ID 0x52634c62
/* Largest database whose every page is checked (PRAGMA quick_check) at start. */
#define STORE_CHECK_MAX ((off_t)32 * 1024 * 1024)

static int pragma_int(struct store *st, const char *sql, int *out)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(s, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

/*
 * Before anything is written: is the existing file at path a recoverlab database we may
 * open? 0 yes (or no file yet / empty), STORE_NOT_OURS when it is another program's SQLite
 * database, not SQLite at all, or corrupt (each logged with what to do). Reads only.
 */
static int check_existing(struct store *st, const char *path, bool *unmarked)
{
    *unmarked = true;
    if (str_eq(path, ":memory:"))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0; /* not there yet: created */
    char head[16];
    size_t n = fread(head, 1, sizeof(head), f);
    fclose(f);
    if (n == 0)
        return 0; /* an empty file: SQLite makes it a database */
    if (n < sizeof(head) || memcmp(head, "SQLite format 3", 16) != 0) {
        log_error("store: %s is not a SQLite database (corrupt, or another program's file); "
                  "refusing to start and leaving it untouched: move it away or use another "
                  "--data directory",
                  path);
        return STORE_NOT_OURS;
    }
    int appid = 0, rc;
    if ((rc = pragma_int(st, "PRAGMA application_id", &appid)) != SQLITE_OK)
        goto corrupt;
    if (appid != 0 && appid != STORE_APPLICATION_ID) {
        log_error("store: %s belongs to another program (SQLite application_id 0x%08x); refusing "
                  "to start and leaving it untouched: use another --data directory",
                  path, (unsigned)appid);
        return STORE_NOT_OURS;
    }
    *unmarked = appid == 0;
    int tables = 0;
    if ((rc = pragma_int(st, "SELECT count(*) FROM sqlite_schema", &tables)) != SQLITE_OK)
        goto corrupt;
    if (appid == 0 && tables > 0 && !has_table(st, "schema_versions") && !has_table(st, "meta")) {
        log_error("store: %s is another program's SQLite database (no recoverlab tables); "
                  "refusing to start and leaving it untouched: use another --data directory",
                  path);
        return STORE_NOT_OURS;
    }
    /* quick_check reads every page: a few ms for a lab's usual few MiB; above
     * STORE_CHECK_MAX the start stays fast and damage shows when a page is read (500). */
    struct stat sb;
    if (stat(path, &sb) == 0 && sb.st_size > STORE_CHECK_MAX) {
        log_info("store: %s is %lld MiB: its pages are not all checked at start", path,
                 (long long)(sb.st_size >> 20));
        return 0;
    }
    char *err = NULL;
    const char *verdict = NULL;
    sqlite3_stmt *s = NULL;
    rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        verdict = (const char *)sqlite3_column_text(s, 0);
        if (verdict && str_eq(verdict, "ok")) {
            sqlite3_finalize(s);
            return 0;
        }
        log_error("store: %s is corrupt (SQLite quick_check: %s); refusing to start and leaving "
                  "it untouched: restore it from a backup or move it away",
                  path, verdict ? verdict : "?");
        sqlite3_finalize(s);
        return STORE_NOT_OURS;
    }
    sqlite3_finalize(s);
    sqlite3_free(err);
corrupt:
    log_error("store: %s cannot be read (SQLite: %s); refusing to start and leaving it "
              "untouched: restore it from a backup or move it away",
              path, sqlite3_errmsg(st->db));
    return STORE_NOT_OURS;
}

int store_open(const char *path, const struct store_schema *const *schemas, struct store **out)
{
    static const char pragmas[] = "PRAGMA journal_mode=WAL;"
                                  "PRAGMA synchronous=NORMAL;"
                                  "PRAGMA busy_timeout=5000;"
                                  "PRAGMA foreign_keys=ON;"
                                  "PRAGMA temp_store=MEMORY;";
    struct store *st = xcalloc(1, sizeof(*st));
    int rc = -1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    *out = NULL;
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        log_error("store: cannot open %s: %s", path,
                  st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    bool unmarked;
    if ((rc = check_existing(st, path, &unmarked)) != 0)
        goto fail;
    rc = -1;
    if (exec_sql(st, pragmas) || migrate(st, schemas))
        goto fail;
    if (unmarked && !str_eq(path, ":memory:")) { /* new, or ours from before the mark */
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA application_id=%d", STORE_APPLICATION_ID);
        if (exec_sql(st, sql))
            goto fail;
    }
    *out = st;
    return 0;
fail:
    store_close(st);
    return rc;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->nslots; i++) {
        struct stmt_entry *e = st->slots[i], *next;
        for (; e; e = next) {
            next = e->next;
            sqlite3_finalize(e->stmt);
            free(e->sql);
            free(e);
        }
    }
    free(st->slots);
    if (st->db && sqlite3_close(st->db) != SQLITE_OK)
        log_error("store: close: %s", sqlite3_errmsg(st->db));
    free(st);
}

sqlite3 *store_db(struct store *st)
{
    return st->db;
}

static void cache_grow(struct store *st)
{
    size_t n = st->nslots ? st->nslots * 2 : 64;
    struct stmt_entry **slots = xcalloc(n, sizeof(*slots));
    for (size_t i = 0; i < st->nslots; i++) {
        struct stmt_entry *e = st->slots[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = slots[e->hash & (n - 1)];
            slots[e->hash & (n - 1)] = e;
        }
    }
    free(st->slots);
    st->slots = slots;
    st->nslots = n;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
    uint64_t h = fnv1a(sql);
    if (st->nslots) {
        for (struct stmt_entry *e = st->slots[h & (st->nslots - 1)]; e; e = e->next) {
            if (e->hash == h && strcmp(e->sql, sql) == 0) {
                sqlite3_reset(e->stmt);
                sqlite3_clear_bindings(e->stmt);
                return e->stmt;
            }
        }
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK ||
        !s) {
        /* a bad statement is a programming error: tests catch it */
        log_error("store: cannot prepare \"%s\": %s", sql, sqlite3_errmsg(st->db));
        abort();
    }
    if (st->count + 1 > st->nslots * 3 / 4)
        cache_grow(st);
    struct stmt_entry *e = xmalloc(sizeof(*e));
    e->sql = xstrdup(sql);
    e->hash = h;
    e->stmt = s;
    e->next = st->slots[h & (st->nslots - 1)];
    st->slots[h & (st->nslots - 1)] = e;
    st->count++;
    return s;
}

void store_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

void store_bind_nonempty_or_null(sqlite3_stmt *s, int i, const char *v)
{
    store_bind_text_or_null(s, i, v && *v ? v : NULL);
}

/* Runs one cached control statement (BEGIN/COMMIT/SAVEPOINT...). */
static int run_ctl(struct store *st, const char *sql)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        log_error("store: %s: %s", sql, sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

/*
 * The outermost level is a real transaction (BEGIN IMMEDIATE ... COMMIT/ROLLBACK); inner
 * levels are savepoints, so an inner rollback undoes only the inner work and the outer
 * transaction can still commit.
 */
int store_begin(struct store *st)
{
    const char *sql = st->tx_depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT rl_nested";
    if (run_ctl(st, sql))
        return -1;
    st->tx_depth++;
    return 0;
}

int store_commit(struct store *st)
{
    if (st->tx_depth <= 0) {
        log_error("store: commit without begin");
        return -1;
    }
    if (st->tx_depth == 1) {
        if (run_ctl(st, "COMMIT"))
            return -1; /* still open: the caller rolls back */
    } else if (run_ctl(st, "RELEASE rl_nested")) {
        return -1;
    }
    st->tx_depth--;
    return 0;
}

int store_rollback(struct store *st)
{
    int rc = 0;
    if (st->tx_depth <= 0) {
        log_error("store: rollback without begin");
        return -1;
    }
    if (st->tx_depth == 1) {
        /* SQLite may already have rolled back by itself (e.g. SQLITE_FULL) */
        if (!sqlite3_get_autocommit(st->db))
            rc = run_ctl(st, "ROLLBACK");
    } else {
        rc = run_ctl(st, "ROLLBACK TO rl_nested");
        if (run_ctl(st, "RELEASE rl_nested"))
            rc = -1;
    }
    st->tx_depth--;
    return rc;
}

char *store_meta_get(struct store *st, const char *key)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM meta WHERE key = ?1");
    char *v = NULL;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return v;
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        log_error("store: meta %s: %s", key, sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

/* Appends "name" as a quoted SQL identifier. */
static void put_ident(struct buf *b, const char *name)
{
    buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

int store_reset(struct store *st, const struct store_keep *keep)
{
    int rc = -1;
    size_t ntables = 0;
    char **tables = NULL;
    struct buf sql = BUF_INIT;
    sqlite3_stmt *s = NULL;

    /* not cached: the table list changes with migrations and this path is cold */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT name FROM sqlite_schema WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           -1, &s, NULL) != SQLITE_OK) {
        log_error("store: reset: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        tables = xrealloc(tables, (ntables + 1) * sizeof(*tables));
        tables[ntables++] = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);

    if (store_begin(st))
        goto out;
    /* every row goes, so foreign keys only need to hold at the end */
    if (exec_sql(st, "PRAGMA defer_foreign_keys = ON"))
        goto rollback;
    for (size_t i = 0; i < ntables; i++) {
        if (str_eq(tables[i], "meta") || str_eq(tables[i], "schema_versions"))
            continue;
        buf_reset(&sql);
        buf_puts(&sql, "DELETE FROM ");
        put_ident(&sql, tables[i]);
        for (const struct store_keep *k = keep; k && k->table; k++)
            if (str_eq(k->table, tables[i]))
                buf_printf(&sql, " WHERE NOT (%s)", k->rows);
        if (exec_sql(st, sql.p))
            goto rollback;
    }
    if (store_commit(st))
        goto rollback;
    rc = 0;
    goto out;
rollback:
    store_rollback(st);
out:
    for (size_t i = 0; i < ntables; i++)
        free(tables[i]);
    free(tables);
    buf_free(&sql);
    return rc;
}
