/*
 * schema.c — the ordered list of migrations. Entry i brings PRAGMA user_version from i to
 * i+1. Never edit an entry that has shipped; append a new one. Service-owned tables live
 * in the service's own file (e.g. CW_SCHEMA_1 in svc/cloudwatch/) and are listed here.
 */
#include "store/schema.h"

static const char CORE_SCHEMA_1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    /* every access key the server knows: root, IAM users, STS sessions */
    "CREATE TABLE access_keys("
    "  access_key_id TEXT PRIMARY KEY,"
    "  secret TEXT NOT NULL,"
    "  session_token TEXT,"
    "  status TEXT NOT NULL DEFAULT 'Active',"
    "  expires_ms INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL,"
    "  principal TEXT NOT NULL" /* JSON of struct principal */
    ") WITHOUT ROWID;"
    /* the clock's event queue */
    "CREATE TABLE events(id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  arg TEXT NOT NULL);"
    "CREATE INDEX events_at ON events(at_ms, id);"
    "CREATE INDEX events_kind_arg ON events(kind, arg);"; /* sched_cancel */

const char *const store_migrations[] = {
    CORE_SCHEMA_1,
    CW_SCHEMA_1,
    IAM_SCHEMA_1,
    EC2_SCHEMA_1,
    CW_SCHEMA_2,
    CFN_SCHEMA_1,
    TRAIL_SCHEMA_1,
};
const int store_nmigrations = (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));
