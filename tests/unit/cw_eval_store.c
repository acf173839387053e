/* cw_eval_store.c — test helpers of the alarm engine: alarm rows inserted directly (as
 * PutMetricAlarm stores them) and history / doc fields read back. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cw_eval_store.h"
#include "store/store.h"
#include "svc/cloudwatch/cw_alarm.h"

void cwt_alarm_insert(struct store *st, const char *name, const char *doc,
                      const struct principal *creator, const char *creator_key)
{
    json_t *j = json_loads(doc, 0, NULL);
    const char *state = json_string_value(json_object_get(j, "StateValue"));
    char *pj = principal_to_json(creator);
    sqlite3_stmt *s = store_stmt(st, "INSERT OR REPLACE INTO cw_alarms(region, name, account,"
                                     " composite, state, doc, creator, creator_key)"
                                     " VALUES('us-east-1', ?1, '123456789012', 0, ?2, ?3, ?4,"
                                     " ?5)");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, state ? state : "INSUFFICIENT_DATA", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, doc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, pj ? pj : "{}", -1, SQLITE_TRANSIENT);
    if (creator_key)
        sqlite3_bind_text(s, 5, creator_key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        fprintf(stderr, "cwt_alarm_insert: %s\n", sqlite3_errmsg(store_db(st)));
    sqlite3_reset(s);
    free(pj);
    json_decref(j);
}

int cwt_history_count(struct store *st, const char *name, const char *item_type)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM cw_alarm_history"
                                     " WHERE alarm_name = ?1 AND item_type = ?2");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, item_type, -1, SQLITE_STATIC);
    int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

static const char *history_col(struct store *st, const char *name, const char *item_type, int col,
                               char *buf, size_t cap)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT summary, data FROM cw_alarm_history"
                                     " WHERE alarm_name = ?1 AND item_type = ?2"
                                     " ORDER BY at_ms DESC, rowid DESC LIMIT 1");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, item_type, -1, SQLITE_STATIC);
    buf[0] = '\0';
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(buf, cap, "%s", sqlite3_column_text(s, col));
    sqlite3_reset(s);
    return buf;
}

const char *cwt_history_summary(struct store *st, const char *name, const char *item_type)
{
    static char buf[4096];
    return history_col(st, name, item_type, 0, buf, sizeof(buf));
}

const char *cwt_history_data(struct store *st, const char *name, const char *item_type)
{
    static char buf[8192];
    return history_col(st, name, item_type, 1, buf, sizeof(buf));
}

const char *cwt_alarm_field(struct store *st, const char *name, const char *field)
{
    static char buf[8192];
    buf[0] = '\0';
    sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM cw_alarms WHERE name = ?1");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        json_t *j = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
        const char *v = json_string_value(json_object_get(j, field));
        snprintf(buf, sizeof(buf), "%s", v ? v : "");
        json_decref(j);
    }
    sqlite3_reset(s);
    return buf;
}
