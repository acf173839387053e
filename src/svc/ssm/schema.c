/*
 * schema.c — SSM tables (ssm_schema).
 *
 * ssm_parameters: every version of every parameter of a region (the current one is the
 * highest version); value is the text for String/StringList and the base64 ciphertext for
 * SecureString. ssm_keys: the lab's key for SecureString values (one row, made on first use).
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/ssm/ssm.h"

static const char SSM_SCHEMA_1[] =
    "CREATE TABLE IF NOT EXISTS ssm_parameters(region TEXT NOT NULL, name TEXT NOT NULL,"
    "  version INTEGER NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, key_id TEXT,"
    "  description TEXT, allowed_pattern TEXT, data_type TEXT NOT NULL, tier TEXT NOT NULL,"
    "  modified_ms INTEGER NOT NULL, modified_user TEXT NOT NULL,"
    "  PRIMARY KEY(region, name, version)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS ssm_keys(id INTEGER PRIMARY KEY, key BLOB NOT NULL);";

static const struct store_migration steps[] = {{SSM_SCHEMA_1, 0}};
const struct store_schema ssm_schema = {"ssm", steps, (int)ARRAY_LEN(steps)};
