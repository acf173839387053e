/*
 * metric_store.c — metric identity and datapoints (cw.h): canonical dimension sets, the
 * cw_metrics / cw_datapoints rows (cw_put_point) and cw_fetch, which reads the store and the
 * provider of the metric's namespace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/cloudwatch/cw.h"
#include "wire/models/cloudwatch_members.h"

/* ================================================================ dimension sets */

static int dim_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cw_dim *)a)->name, ((const struct cw_dim *)b)->name);
}

int cw_dims_canonical(struct cw_dim *dims, size_t n, const char **dup)
{
    if (n > 1)
        qsort(dims, n, sizeof(*dims), dim_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(dims[i - 1].name, dims[i].name) == 0) {
            if (dup)
                *dup = dims[i].name;
            return -1;
        }
    }
    return 0;
}

int cw_dims_from_json(struct arena *a, const json_t *list, struct cw_dim **out, size_t *n,
                      const char **dup)
{
    size_t cnt = json_array_size(list);
    struct cw_dim *d = arena_zalloc(a, (cnt ? cnt : 1) * sizeof(*d));
    if (dup)
        *dup = NULL;
    for (size_t i = 0; i < cnt; i++) {
        const json_t *e = json_array_get(list, i);
        d[i].name = json_string_value(json_object_get(e, CW_M_Dimension_Name));
        d[i].value = json_string_value(json_object_get(e, CW_M_Dimension_Value));
        if (!d[i].name || !d[i].value)
            return -1;
    }
    *out = d;
    *n = cnt;
    return cw_dims_canonical(d, cnt, dup);
}

char *cw_dims_text(struct arena *a, const struct cw_dim *dims, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s}", "Name", dims[i].name, "Value", dims[i].value));
    char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    char *r = arena_strdup(a, s ? s : "[]");
    free(s);
    return r;
}

int cw_dims_parse(struct arena *a, const char *text, struct cw_dim **out, size_t *n)
{
    json_error_t err;
    json_t *arr = json_loads(text ? text : "", 0, &err);
    int rc = -1;
    if (!json_is_array(arr))
        goto out;
    size_t cnt = json_array_size(arr);
    struct cw_dim *d = arena_zalloc(a, (cnt ? cnt : 1) * sizeof(*d));
    for (size_t i = 0; i < cnt; i++) {
        const json_t *e = json_array_get(arr, i);
        const char *k = json_string_value(json_object_get(e, "Name"));
        const char *v = json_string_value(json_object_get(e, "Value"));
        if (!k || !v)
            goto out;
        d[i].name = arena_strdup(a, k);
        d[i].value = arena_strdup(a, v);
    }
    *out = d;
    *n = cnt;
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

/* ================================================================ datapoints */

static const char *dist_text(struct arena *a, const struct cw_point *p)
{
    if (!p->nvc)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < p->nvc; i++)
        json_array_append_new(arr, json_pack("[f,f]", p->vc[i].value, p->vc[i].count));
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    char *r = arena_strdup(a, s ? s : "[]");
    free(s);
    return r;
}

static int dist_parse(struct arena *a, const char *text, struct cw_point *p)
{
    json_error_t err;
    json_t *arr = json_loads(text, 0, &err);
    int rc = -1;
    if (!json_is_array(arr))
        goto out;
    size_t n = json_array_size(arr);
    struct cw_vc *vc = arena_alloc(a, (n ? n : 1) * sizeof(*vc));
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        if (!json_is_number(json_array_get(e, 0)) || !json_is_number(json_array_get(e, 1)))
            goto out;
        vc[i].value = json_number_value(json_array_get(e, 0));
        vc[i].count = json_number_value(json_array_get(e, 1));
    }
    p->vc = vc;
    p->nvc = n;
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

int cw_db_fail(struct store *st, const char *what)
{
    log_error("cloudwatch %s: %s", what, sqlite3_errmsg(store_db(st)));
    return -1;
}

/* Creates or touches the metric row; *id set. */
static int metric_upsert(struct store *st, struct arena *a, const struct cw_metric *m,
                         int64_t now_ms, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO cw_metrics(account, region, namespace, metric_name, dims, created_ms,"
            " last_put_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6)"
            " ON CONFLICT(account, region, namespace, metric_name, dims)"
            " DO UPDATE SET last_put_ms = max(last_put_ms, excluded.last_put_ms)"
            " RETURNING id");
    store_bind_text_or_null(s, 1, m->account);
    store_bind_text_or_null(s, 2, m->region);
    store_bind_text_or_null(s, 3, m->ns);
    store_bind_text_or_null(s, 4, m->name);
    store_bind_text_or_null(s, 5, cw_dims_text(a, m->dims, m->ndims));
    sqlite3_bind_int64(s, 6, now_ms);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        cw_db_fail(st, "metric upsert");
        sqlite3_reset(s);
        return -1;
    }
    *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return 0;
}

int cw_put_point(struct store *st, const struct cw_metric *m, const struct cw_point *p,
                 int64_t now_ms)
{
    struct arena *a = arena_new();
    int64_t id;
    int rc = -1;
    if (metric_upsert(st, a, m, now_ms, &id))
        goto out;
    if (!p) {
        rc = 0;
        goto out;
    }
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO cw_datapoints(metric_id, ts_ms, unit, resolution, count, sum, min, max,"
            " dist, put_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, p->ts_ms);
    store_bind_text_or_null(s, 3, p->unit ? p->unit : "None");
    sqlite3_bind_int(s, 4, p->resolution == 1 ? 1 : 60);
    sqlite3_bind_double(s, 5, p->count);
    sqlite3_bind_double(s, 6, p->sum);
    sqlite3_bind_double(s, 7, p->min);
    sqlite3_bind_double(s, 8, p->max);
    store_bind_text_or_null(s, 9, dist_text(a, p));
    sqlite3_bind_int64(s, 10, now_ms);
    if (sqlite3_step(s) != SQLITE_DONE) {
        cw_db_fail(st, "datapoint insert");
        goto out;
    }
    s = store_stmt(st, "DELETE FROM cw_datapoints WHERE metric_id = ?1 AND ts_ms < ?2");
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now_ms - CW_RETENTION_MS);
    if (sqlite3_step(s) != SQLITE_DONE) {
        cw_db_fail(st, "datapoint prune");
        goto out;
    }
    rc = 0;
out:
    arena_free(a);
    return rc;
}

int cw_fetch(struct store *st, const struct cw_metric *m, int64_t start_ms, int64_t end_ms,
             const char *unit, int64_t now_ms, struct cw_points *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM cw_metrics WHERE account = ?1 AND region = ?2"
                                     " AND namespace = ?3 AND metric_name = ?4 AND dims = ?5");
    store_bind_text_or_null(s, 1, m->account);
    store_bind_text_or_null(s, 2, m->region);
    store_bind_text_or_null(s, 3, m->ns);
    store_bind_text_or_null(s, 4, m->name);
    store_bind_text_or_null(s, 5, cw_dims_text(out->a, m->dims, m->ndims));
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        s = store_stmt(st, "SELECT ts_ms, unit, resolution, count, sum, min, max, dist"
                           " FROM cw_datapoints WHERE metric_id = ?1 AND ts_ms >= ?2"
                           " AND ts_ms < ?3 AND (?4 IS NULL OR unit = ?4) ORDER BY ts_ms");
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, start_ms);
        sqlite3_bind_int64(s, 3, end_ms);
        store_bind_text_or_null(s, 4, unit);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            struct cw_point p = {
                .ts_ms = sqlite3_column_int64(s, 0),
                .unit = (const char *)sqlite3_column_text(s, 1),
                .resolution = sqlite3_column_int(s, 2),
                .count = sqlite3_column_double(s, 3),
                .sum = sqlite3_column_double(s, 4),
                .min = sqlite3_column_double(s, 5),
                .max = sqlite3_column_double(s, 6),
            };
            if (sqlite3_column_type(s, 7) != SQLITE_NULL &&
                dist_parse(out->a, (const char *)sqlite3_column_text(s, 7), &p))
                log_warn("cloudwatch: bad stored distribution ignored");
            cw_points_add(out, &p);
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return cw_db_fail(st, "datapoint fetch");
    } else {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return cw_db_fail(st, "metric lookup");
    }
    const struct cw_provider *p = cw_provider_find(m->ns);
    if (p && p->fetch)
        return p->fetch(st, m, start_ms, end_ms, unit, now_ms, out);
    return 0;
}
