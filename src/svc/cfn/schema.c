/*
 * schema.c — CFN_SCHEMA_1: CloudFormation stacks, their resources, events, exports and
 * imports (cfn_stack.h describes the stack document).
 */
#include "base/base.h"
#include "store/store.h"
#include "svc/cfn/cfn_stack.h"

static const char CFN_SCHEMA_1[] =
    "CREATE TABLE cfn_stacks ("
    " stack_id TEXT PRIMARY KEY, region TEXT NOT NULL, account TEXT NOT NULL,"
    " name TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER, deleted_ms INTEGER,"
    " doc TEXT NOT NULL);"
    "CREATE INDEX cfn_stacks_name ON cfn_stacks(region, name);"
    "CREATE TABLE cfn_resources ("
    " stack_id TEXT NOT NULL, logical_id TEXT NOT NULL, type TEXT NOT NULL,"
    " physical_id TEXT, status TEXT NOT NULL, reason TEXT, updated_ms INTEGER NOT NULL,"
    " props TEXT, attrs TEXT, gen_name TEXT, seq INTEGER NOT NULL,"
    " PRIMARY KEY (stack_id, logical_id));"
    "CREATE TABLE cfn_events ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, stack_id TEXT NOT NULL, event_id TEXT NOT NULL,"
    " logical_id TEXT NOT NULL, physical_id TEXT, type TEXT NOT NULL, ts_ms INTEGER NOT NULL,"
    " status TEXT NOT NULL, reason TEXT, props TEXT, token TEXT);"
    "CREATE INDEX cfn_events_stack ON cfn_events(stack_id, seq);"
    "CREATE TABLE cfn_exports ("
    " region TEXT NOT NULL, name TEXT NOT NULL, stack_id TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (region, name));"
    "CREATE TABLE cfn_imports ("
    " region TEXT NOT NULL, name TEXT NOT NULL, stack_id TEXT NOT NULL,"
    " PRIMARY KEY (region, name, stack_id));";

static const struct store_migration steps[] = {{CFN_SCHEMA_1, 6}}; /* legacy: store_migration */
const struct store_schema cfn_schema = {"cloudformation", steps, (int)ARRAY_LEN(steps)};
