/*
 * stack_store.c — CloudFormation's rows and the structs they load into: stacks (struct
 * cfn_stack), their resources (struct cfn_row), events, exports and imports. The engine
 * (engine.c) and the API handlers (stacks.c) read and write them only through these
 * functions: no other file of the service has SQL. Writes return 0 / -1 (a failed
 * sqlite3_step); loads 0 found, 1 not found, -1 error; lists NULL on error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store/store.h"
#include "svc/cfn/cfn_stack.h"

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Stack loader. */
int cfn_stack_load(struct store *st, const char *region, const char *name_or_id,
                   struct cfn_stack *out)
{
    memset(out, 0, sizeof(*out));
    bool by_id = str_startswith(name_or_id, "arn:");
    sqlite3_stmt *s =
        store_stmt(st, by_id ? "SELECT stack_id, region, account, name, status, reason, created_ms,"
                               " updated_ms, deleted_ms, doc FROM cfn_stacks WHERE stack_id = ?2"
                               " AND region = ?1"
                             : "SELECT stack_id, region, account, name, status, reason, created_ms,"
                               " updated_ms, deleted_ms, doc FROM cfn_stacks WHERE region = ?1"
                               " AND name = ?2 AND status <> 'DELETE_COMPLETE'"
                               " ORDER BY created_ms DESC LIMIT 1");
    sqlite3_bind_text(s, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name_or_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? 1 : -1;
    }
    copy(out->stack_id, sizeof(out->stack_id), col(s, 0));
    copy(out->region, sizeof(out->region), col(s, 1));
    copy(out->account, sizeof(out->account), col(s, 2));
    copy(out->name, sizeof(out->name), col(s, 3));
    copy(out->status, sizeof(out->status), col(s, 4));
    out->reason = col(s, 5) ? xstrdup(col(s, 5)) : NULL;
    out->created_ms = sqlite3_column_int64(s, 6);
    out->updated_ms = sqlite3_column_int64(s, 7);
    out->deleted_ms = sqlite3_column_int64(s, 8);
    out->doc = json_loads(col(s, 9) ? col(s, 9) : "", 0, NULL);
    sqlite3_reset(s);
    if (!json_is_object(out->doc)) {
        cfn_stack_free(out);
        return -1;
    }
    return 0;
}

/* Frees what cfn_stack_load allocated. */
void cfn_stack_free(struct cfn_stack *s)
{
    free(s->reason);
    s->reason = NULL;
    json_decref(s->doc);
    s->doc = NULL;
}

/* Sets status and reason. */
void cfn_stack_set_status(struct cfn_stack *s, const char *status, const char *reason)
{
    copy(s->status, sizeof(s->status), status);
    free(s->reason);
    s->reason = reason && reason[0] ? xstrdup(reason) : NULL;
}

/* Writes the stack row. */
int cfn_stack_save(struct store *st, const struct cfn_stack *s)
{
    char *doc = json_dumps(s->doc, JSON_COMPACT);
    sqlite3_stmt *q = store_stmt(
        st, "INSERT OR REPLACE INTO cfn_stacks(stack_id, region, account, name, status, reason,"
            " created_ms, updated_ms, deleted_ms, doc) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    if (!doc)
        return -1;
    sqlite3_bind_text(q, 1, s->stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, s->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, s->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, s->status, -1, SQLITE_STATIC);
    if (s->reason)
        sqlite3_bind_text(q, 6, s->reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 6);
    sqlite3_bind_int64(q, 7, s->created_ms);
    if (s->updated_ms)
        sqlite3_bind_int64(q, 8, s->updated_ms);
    else
        sqlite3_bind_null(q, 8);
    if (s->deleted_ms)
        sqlite3_bind_int64(q, 9, s->deleted_ms);
    else
        sqlite3_bind_null(q, 9);
    sqlite3_bind_text(q, 10, doc, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(q);
    free(doc);
    return rc;
}

/* Event writer. */
int cfn_event_add(struct store *st, const struct cfn_stack *s, int64_t ts_ms, const char *logical,
                  const char *physical, const char *type, const char *status, const char *reason,
                  const json_t *props)
{
    char id[160];
    /* strictly increasing timestamps per stack keep resource EventIds unique (inferred) */
    sqlite3_stmt *m = store_stmt(st, "SELECT MAX(ts_ms) FROM cfn_events WHERE stack_id = ?1");
    sqlite3_bind_text(m, 1, s->stack_id, -1, SQLITE_STATIC);
    if (sqlite3_step(m) == SQLITE_ROW && sqlite3_column_type(m, 0) != SQLITE_NULL &&
        sqlite3_column_int64(m, 0) >= ts_ms)
        ts_ms = sqlite3_column_int64(m, 0) + 1;
    sqlite3_reset(m);
    if (logical) {
        char ts[32];
        time_fmt_iso8601_ms(ts_ms, ts);
        snprintf(id, sizeof(id), "%s-%s-%s", logical, status, ts);
    } else {
        uuid4(id);
    }
    const json_t *op = json_object_get(s->doc, "op");
    const char *token = json_string_value(json_object_get(op, "token"));
    char *ptxt = props ? json_dumps(props, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    sqlite3_stmt *q = store_stmt(
        st, "INSERT INTO cfn_events(stack_id, event_id, logical_id, physical_id, type, ts_ms,"
            " status, reason, props, token) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    sqlite3_bind_text(q, 1, s->stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, logical ? logical : s->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, logical ? (physical ? physical : "") : s->stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, logical ? type : "AWS::CloudFormation::Stack", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, ts_ms);
    sqlite3_bind_text(q, 7, status, -1, SQLITE_STATIC);
    if (reason && reason[0])
        sqlite3_bind_text(q, 8, reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 8);
    if (ptxt)
        sqlite3_bind_text(q, 9, ptxt, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 9);
    if (token)
        sqlite3_bind_text(q, 10, token, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 10);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(q);
    free(ptxt);
    return rc;
}

/* ---------------------------------------------------------------- resource rows */

void cfn_row_free(struct cfn_row *r)
{
    free(r->physical_id);
    free(r->gen_name);
    json_decref(r->props);
    json_decref(r->attrs);
    memset(r, 0, sizeof(*r));
}

/* 0 found, 1 not found, -1 error. */
int cfn_row_load(struct store *st, const char *stack_id, const char *logical, struct cfn_row *r)
{
    memset(r, 0, sizeof(*r));
    sqlite3_stmt *s = store_stmt(st, "SELECT type, physical_id, status, props, attrs, gen_name"
                                     " FROM cfn_resources WHERE stack_id = ?1 AND logical_id = ?2");
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, logical, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        copy(r->type, sizeof(r->type), col(s, 0));
        r->physical_id = col(s, 1) ? xstrdup(col(s, 1)) : NULL;
        copy(r->status, sizeof(r->status), col(s, 2));
        r->props = col(s, 3) ? json_loads(col(s, 3), JSON_DECODE_ANY, NULL) : NULL;
        r->attrs = col(s, 4) ? json_loads(col(s, 4), JSON_DECODE_ANY, NULL) : NULL;
        r->gen_name = col(s, 5) ? xstrdup(col(s, 5)) : NULL;
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int cfn_row_save(struct store *st, const char *stack_id, const char *logical,
                 const struct cfn_row *r, const char *reason, int64_t now_ms)
{
    char *p = r->props ? json_dumps(r->props, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *a = r->attrs ? json_dumps(r->attrs, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO cfn_resources(stack_id, logical_id, type, physical_id, status, reason,"
            " updated_ms, props, attrs, gen_name, seq) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
            " (SELECT COUNT(*) FROM cfn_resources WHERE stack_id = ?1))"
            " ON CONFLICT(stack_id, logical_id) DO UPDATE SET type = ?3, physical_id = ?4,"
            " status = ?5, reason = ?6, updated_ms = ?7, props = ?8, attrs = ?9, gen_name = ?10");
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, logical, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, r->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, r->physical_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, r->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, reason && reason[0] ? reason : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, now_ms);
    sqlite3_bind_text(s, 8, p, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 10, r->gen_name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    free(p);
    free(a);
    return rc;
}

int cfn_row_set_status(struct store *st, const char *stack_id, const char *logical,
                       const char *status, const char *reason, int64_t now_ms)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE cfn_resources SET status = ?3, reason = ?4,"
                                     " updated_ms = ?5 WHERE stack_id = ?1 AND logical_id = ?2");
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, logical, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, reason && reason[0] ? reason : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now_ms);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return rc;
}

int cfn_row_remove(struct store *st, const char *stack_id, const char *logical)
{
    sqlite3_stmt *s =
        store_stmt(st, "DELETE FROM cfn_resources WHERE stack_id = ?1 AND logical_id = ?2");
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, logical, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return rc;
}

/* A row as a JSON object (snapshots, queue items). */
json_t *cfn_row_json(const char *logical, const struct cfn_row *r)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "l", logical, "type", r->type, "status", r->status);
    if (r->physical_id)
        json_object_set_new(o, "pid", json_string(r->physical_id));
    if (r->props)
        json_object_set(o, "props", r->props);
    if (r->attrs)
        json_object_set(o, "attrs", r->attrs);
    if (r->gen_name)
        json_object_set_new(o, "gen", json_string(r->gen_name));
    return o;
}

void cfn_row_from_json(const json_t *o, struct cfn_row *r)
{
    memset(r, 0, sizeof(*r));
    copy(r->type, sizeof(r->type), json_string_value(json_object_get(o, "type")));
    copy(r->status, sizeof(r->status), json_string_value(json_object_get(o, "status")));
    const char *pid = json_string_value(json_object_get(o, "pid"));
    r->physical_id = pid ? xstrdup(pid) : NULL;
    const char *gen = json_string_value(json_object_get(o, "gen"));
    r->gen_name = gen ? xstrdup(gen) : NULL;
    r->props = json_incref(json_object_get(o, "props"));
    r->attrs = json_incref(json_object_get(o, "attrs"));
}

/* Snapshot (logical -> row object); NULL on a store error. */
json_t *cfn_resources_snapshot(struct store *st, const char *stack_id)
{
    json_t *snap = json_object();
    json_t *names = json_array();
    sqlite3_stmt *s = store_stmt(st, "SELECT logical_id FROM cfn_resources WHERE stack_id = ?1"
                                     " ORDER BY seq");
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(names, json_string(col(s, 0)));
    sqlite3_reset(s);
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        if (rc != SQLITE_DONE)
            break;
        struct cfn_row r;
        const char *l = json_string_value(n);
        int lr = cfn_row_load(st, stack_id, l, &r);
        if (lr == 0)
            json_object_set_new(snap, l, cfn_row_json(l, &r));
        else if (lr < 0)
            rc = SQLITE_ERROR;
        cfn_row_free(&r);
    }
    json_decref(names);
    if (rc != SQLITE_DONE) {
        json_decref(snap);
        return NULL;
    }
    return snap;
}

/* ---------------------------------------------------------------- exports and imports */

/* The first column of the bound query's first row into out (cap bytes). 0 found, 1 no row,
 * -1 error. */
static int text_of_row(sqlite3_stmt *q, char *out, size_t cap)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        copy(out, cap, col(q, 0));
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int cfn_stack_region(struct store *st, const char *stack_id, char *region, size_t cap)
{
    sqlite3_stmt *q = store_stmt(st, "SELECT region FROM cfn_stacks WHERE stack_id = ?1");
    sqlite3_bind_text(q, 1, stack_id, -1, SQLITE_STATIC);
    return text_of_row(q, region, cap);
}

int cfn_export_value(struct store *st, const char *region, const char *name, json_t **out)
{
    sqlite3_stmt *q =
        store_stmt(st, "SELECT value FROM cfn_exports WHERE region = ?1 AND name = ?2");
    sqlite3_bind_text(q, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = json_string(col(q, 0));
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* Runs one write with its parameters ?1.. bound to texts (NULL-terminated). 0 / -1. */
static int write_texts(struct store *st, const char *sql, const char *const *texts)
{
    sqlite3_stmt *q = store_stmt(st, sql);
    for (int i = 0; texts[i]; i++)
        sqlite3_bind_text(q, i + 1, texts[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(q);
    return rc;
}

int cfn_import_note(struct store *st, const char *region, const char *name, const char *stack_id)
{
    return write_texts(st,
                       "INSERT OR IGNORE INTO cfn_imports(region, name, stack_id)"
                       " VALUES (?1, ?2, ?3)",
                       (const char *const[]){region, name, stack_id, NULL});
}

int cfn_export_put(struct store *st, const char *region, const char *name, const char *stack_id,
                   const char *value)
{
    return write_texts(st,
                       "INSERT OR REPLACE INTO cfn_exports(region, name, stack_id, value)"
                       " VALUES (?1, ?2, ?3, ?4)",
                       (const char *const[]){region, name, stack_id, value ? value : "", NULL});
}

int cfn_exports_clear(struct store *st, const char *stack_id)
{
    return write_texts(st, "DELETE FROM cfn_exports WHERE stack_id = ?1",
                       (const char *const[]){stack_id, NULL});
}

int cfn_exports_drop(struct store *st, const char *stack_id)
{
    if (cfn_exports_clear(st, stack_id))
        return -1;
    return write_texts(st, "DELETE FROM cfn_imports WHERE stack_id = ?1",
                       (const char *const[]){stack_id, NULL});
}

/* ---------------------------------------------------------------- reads for the API */

/* The rows of q as JSON objects keyed by column name (text as a string, integers as
 * integers, NULL left out). New array; NULL when a step failed. */
static json_t *rows_json(sqlite3_stmt *q)
{
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < sqlite3_column_count(q); i++) {
            const char *name = sqlite3_column_name(q, i);
            int type = sqlite3_column_type(q, i);
            if (type == SQLITE_INTEGER)
                json_object_set_new(o, name, json_integer(sqlite3_column_int64(q, i)));
            else if (type != SQLITE_NULL)
                json_object_set_new(
                    o, name, json_stringn_nocheck(col(q, i), (size_t)sqlite3_column_bytes(q, i)));
        }
        json_array_append_new(rows, o);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

json_t *cfn_stack_ids(struct store *st, const char *region, bool live_only)
{
    sqlite3_stmt *q =
        store_stmt(st, live_only ? "SELECT stack_id FROM cfn_stacks WHERE region = ?1 AND status <>"
                                   " 'DELETE_COMPLETE' ORDER BY created_ms DESC, rowid DESC"
                                 : "SELECT stack_id FROM cfn_stacks WHERE region = ?1"
                                   " ORDER BY created_ms DESC, rowid DESC");
    sqlite3_bind_text(q, 1, region, -1, SQLITE_STATIC);
    json_t *rows = rows_json(q);
    if (!rows)
        return NULL;
    json_t *ids = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_array_append(ids, json_object_get(r, "stack_id"));
    json_decref(rows);
    return ids;
}

int cfn_stack_of_physical(struct store *st, const char *region, const char *physical, char *id,
                          size_t cap)
{
    sqlite3_stmt *q = store_stmt(st, "SELECT r.stack_id FROM cfn_resources r JOIN cfn_stacks s"
                                     " ON s.stack_id = r.stack_id WHERE r.physical_id = ?1"
                                     " AND s.region = ?2 ORDER BY s.created_ms DESC LIMIT 1");
    sqlite3_bind_text(q, 1, physical, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, region, -1, SQLITE_STATIC);
    return text_of_row(q, id, cap);
}

json_t *cfn_exports_in_use(struct store *st, const char *stack_id)
{
    sqlite3_stmt *q =
        store_stmt(st, "SELECT e.name AS export, st.name AS importer FROM cfn_exports e"
                       " JOIN cfn_imports i ON i.region = e.region AND i.name = e.name"
                       " JOIN cfn_stacks st ON st.stack_id = i.stack_id WHERE e.stack_id = ?1"
                       " AND i.stack_id <> ?1 AND st.status <> 'DELETE_COMPLETE' LIMIT 1");
    sqlite3_bind_text(q, 1, stack_id, -1, SQLITE_STATIC);
    return rows_json(q);
}

json_t *cfn_events_page(struct store *st, const char *stack_id, int64_t limit, int64_t offset,
                        int64_t *total)
{
    sqlite3_stmt *c = store_stmt(st, "SELECT COUNT(*) FROM cfn_events WHERE stack_id = ?1");
    sqlite3_bind_text(c, 1, stack_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(c);
    *total = rc == SQLITE_ROW ? sqlite3_column_int64(c, 0) : 0;
    sqlite3_reset(c);
    if (rc != SQLITE_ROW)
        return NULL;
    sqlite3_stmt *q = store_stmt(
        st, "SELECT event_id, logical_id, physical_id, type, ts_ms, status, reason, props, token"
            " FROM cfn_events WHERE stack_id = ?1 ORDER BY seq DESC LIMIT ?2 OFFSET ?3");
    sqlite3_bind_text(q, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, limit);
    sqlite3_bind_int64(q, 3, offset);
    return rows_json(q);
}

json_t *cfn_rows_list(struct store *st, const char *stack_id, const char *logical,
                      const char *physical)
{
    sqlite3_stmt *q =
        store_stmt(st, "SELECT logical_id, physical_id, type, updated_ms, status, reason"
                       " FROM cfn_resources WHERE stack_id = ?1 AND (?2 IS NULL OR logical_id = ?2)"
                       " AND (?3 IS NULL OR physical_id = ?3) ORDER BY seq");
    sqlite3_bind_text(q, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, logical, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, physical, -1, SQLITE_STATIC);
    return rows_json(q);
}

json_t *cfn_exports_list(struct store *st, const char *region)
{
    sqlite3_stmt *q = store_stmt(st, "SELECT name, stack_id, value FROM cfn_exports"
                                     " WHERE region = ?1 ORDER BY name");
    sqlite3_bind_text(q, 1, region, -1, SQLITE_STATIC);
    return rows_json(q);
}

json_t *cfn_imports_list(struct store *st, const char *region, const char *name)
{
    sqlite3_stmt *q =
        store_stmt(st, "SELECT DISTINCT st.name AS importer FROM cfn_imports i"
                       " JOIN cfn_stacks st ON st.stack_id = i.stack_id WHERE i.region = ?1"
                       " AND i.name = ?2 AND st.status <> 'DELETE_COMPLETE' ORDER BY st.name");
    sqlite3_bind_text(q, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    return rows_json(q);
}
