/*
 * alarm_store.c — storage of CloudWatch alarms (cw_alarm.h): the cw_alarms rows <-> struct
 * cw_alarm (doc, creator and its access key), loaded one by one or swept in batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/cloudwatch/alarm_api.h"

int cwa_alarm_row(sqlite3_stmt *s, struct cw_alarm *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->region, sizeof(out->region), "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(s, 1));
    snprintf(out->account, sizeof(out->account), "%s", (const char *)sqlite3_column_text(s, 2));
    out->composite = sqlite3_column_int(s, 3) != 0;
    json_error_t je;
    out->doc = json_loads((const char *)sqlite3_column_text(s, 4), 0, &je);
    if (!json_is_object(out->doc)) {
        json_decref(out->doc);
        out->doc = NULL;
        log_error("cloudwatch: alarm %s has a bad stored document", out->name);
        return -1;
    }
    const char *arn = json_string_value(json_object_get(out->doc, "AlarmArn"));
    if (arn)
        snprintf(out->arn, sizeof(out->arn), "%s", arn);
    else
        snprintf(out->arn, sizeof(out->arn), "arn:aws:cloudwatch:%s:%s:alarm:%s", out->region,
                 out->account, out->name);
    const char *cr = (const char *)sqlite3_column_text(s, 5);
    if (cr && principal_from_json(cr, &out->creator))
        memset(&out->creator, 0, sizeof(out->creator));
    const char *key = (const char *)sqlite3_column_text(s, 6);
    snprintf(out->creator_key, sizeof(out->creator_key), "%s", key ? key : "");
    return 0;
}

int cw_alarm_load(struct store *st, const char *region, const char *name, struct cw_alarm *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT region, name, account, composite, doc, creator,"
                                     " creator_key FROM cw_alarms WHERE region = ?1 AND name = ?2");
    store_bind_text_or_null(s, 1, region);
    store_bind_text_or_null(s, 2, name);
    int rc = sqlite3_step(s);
    int r;
    if (rc == SQLITE_ROW)
        r = cwa_alarm_row(s, out) ? -1 : 0;
    else if (rc == SQLITE_DONE)
        r = 1;
    else {
        log_error("cloudwatch alarm load: %s", sqlite3_errmsg(store_db(st)));
        r = -1;
    }
    sqlite3_reset(s);
    return r;
}

static char *doc_text(const json_t *doc)
{
    return json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int cw_alarm_save(struct store *st, const struct cw_alarm *a)
{
    char *doc = doc_text(a->doc);
    char *cr = principal_to_json(&a->creator);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT OR REPLACE INTO cw_alarms(region, name, account, composite, state, doc,"
            " creator, creator_key) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    store_bind_text_or_null(s, 1, a->region);
    store_bind_text_or_null(s, 2, a->name);
    store_bind_text_or_null(s, 3, a->account);
    sqlite3_bind_int(s, 4, a->composite ? 1 : 0);
    const char *state = json_string_value(json_object_get(a->doc, "StateValue"));
    store_bind_text_or_null(s, 5, state ? state : CW_INSUFFICIENT);
    store_bind_text_or_null(s, 6, doc ? doc : "{}");
    store_bind_text_or_null(s, 7, cr ? cr : "{}");
    store_bind_text_or_null(s, 8, a->creator_key[0] ? a->creator_key : NULL);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    if (rc)
        log_error("cloudwatch alarm save: %s", sqlite3_errmsg(store_db(st)));
    sqlite3_reset(s);
    free(doc);
    free(cr);
    return rc;
}

int cw_alarm_save_doc(struct store *st, const struct cw_alarm *a)
{
    char *doc = doc_text(a->doc);
    sqlite3_stmt *s = store_stmt(st, "UPDATE cw_alarms SET doc = ?1, state = ?2"
                                     " WHERE region = ?3 AND name = ?4");
    store_bind_text_or_null(s, 1, doc ? doc : "{}");
    const char *state = json_string_value(json_object_get(a->doc, "StateValue"));
    store_bind_text_or_null(s, 2, state ? state : CW_INSUFFICIENT);
    store_bind_text_or_null(s, 3, a->region);
    store_bind_text_or_null(s, 4, a->name);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    if (rc)
        log_error("cloudwatch alarm save doc: %s", sqlite3_errmsg(store_db(st)));
    sqlite3_reset(s);
    free(doc);
    return rc;
}

void cw_alarm_free(struct cw_alarm *a)
{
    if (!a)
        return;
    json_decref(a->doc);
    a->doc = NULL;
}

#define EACH_BATCH 256

/* Rows are read in batches ordered by (region, name), so fn may save or delete alarms.
 * Returns 0, -1 on a store error, or fn's non-zero value that stopped the sweep. */
int cw_alarm_each(struct store *st, int (*fn)(void *ctx, struct cw_alarm *a), void *ctx)
{
    char region[32] = "", name[256] = "";
    struct cw_alarm *batch = xcalloc(EACH_BATCH, sizeof(*batch));
    int rc = 0;
    for (;;) {
        sqlite3_stmt *s = store_stmt(
            st, "SELECT region, name, account, composite, doc, creator, creator_key FROM cw_alarms"
                " WHERE region > ?1 OR (region = ?1 AND name > ?2) ORDER BY region, name LIMIT ?3");
        store_bind_text_or_null(s, 1, region);
        store_bind_text_or_null(s, 2, name);
        sqlite3_bind_int(s, 3, EACH_BATCH);
        size_t n = 0, rows = 0;
        int src;
        while ((src = sqlite3_step(s)) == SQLITE_ROW) {
            rows++;
            if (cwa_alarm_row(s, &batch[n]) == 0)
                n++;
            snprintf(region, sizeof(region), "%s", (const char *)sqlite3_column_text(s, 0));
            snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(s, 1));
        }
        sqlite3_reset(s);
        if (src != SQLITE_DONE) {
            log_error("cloudwatch alarm sweep: %s", sqlite3_errmsg(store_db(st)));
            rc = -1;
        }
        bool stop = false;
        for (size_t i = 0; rc == 0 && !stop && i < n; i++) {
            int r = fn(ctx, &batch[i]);
            if (r) {
                stop = true;
                rc = r;
            }
        }
        for (size_t k = 0; k < n; k++)
            cw_alarm_free(&batch[k]);
        if (rc || stop || rows < EACH_BATCH)
            break;
    }
    free(batch);
    return rc;
}
