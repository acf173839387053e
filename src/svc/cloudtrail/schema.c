/*
 * schema.c — CloudTrail event history (trail_schema).
 *
 * trail_events: one row per recorded API call. The columns are the pieces of the event, not
 * its JSON: the CloudTrailEvent document is put together at lookup time (lookup.c), so a
 * recorded call costs one INSERT. userIdentity is kept as its parts (id_*): kind (enum
 * principal_kind), principalId, arn, accessKeyId, the user/role/federated name, the session
 * name, the creation time of temporary credentials and the issuer (role or user) of a
 * session. request_params / response are JSON text (NULL: null); resources is a JSON array
 * [{"t": type, "n": name, "a": arn or absent}] or NULL.
 * Kept 90 virtual days (TRAIL_KEEP_MS): trail.c deletes older rows now and then on insert,
 * oldest seq first. One index only (region, at_ms: LookupEvents' range), to keep the insert
 * cheap; the other lookup attributes filter that range.
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/cloudtrail/trail.h"

static const char TRAIL_SCHEMA_1[] =
    "CREATE TABLE trail_events("
    "  seq INTEGER PRIMARY KEY,"
    "  event_id TEXT NOT NULL,"
    "  at_ms INTEGER NOT NULL,"
    "  account TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  source TEXT NOT NULL," /* eventSource: monitoring.amazonaws.com */
    "  name TEXT NOT NULL,"   /* eventName */
    "  read_only INTEGER NOT NULL,"
    "  username TEXT," /* LookupEvents Username */
    "  id_kind INTEGER NOT NULL,"
    "  id_principal_id TEXT,"
    "  id_arn TEXT,"
    "  id_access_key_id TEXT,"
    "  id_name TEXT,"
    "  id_session TEXT,"
    "  id_created_ms INTEGER," /* temporary credentials: when they were issued */
    "  id_issuer_arn TEXT,"
    "  id_issuer_id TEXT,"
    "  id_issuer_name TEXT,"
    "  invoked_by TEXT,"
    "  source_ip TEXT,"
    "  user_agent TEXT,"
    "  error_code TEXT,"
    "  error_message TEXT,"
    "  request_params TEXT,"
    "  response TEXT,"
    "  request_id TEXT NOT NULL,"
    "  resources TEXT"
    ");"
    "CREATE INDEX trail_events_at ON trail_events(region, at_ms);";

static const struct store_migration steps[] = {{TRAIL_SCHEMA_1, 7}}; /* legacy: store_migration */
const struct store_schema trail_schema = {"cloudtrail", steps, (int)ARRAY_LEN(steps)};
