/* schema.c — IAM tables (iam_schema), access keys included. Names of users, groups,
 * roles, instance profiles and policies are unique regardless of case in an account [doc],
 * hence COLLATE NOCASE; ARNs keep the case they were created with. */
#include "base/base.h"
#include "store/store.h"
#include "svc/iam/iam.h"

/* every access key the server knows: root, IAM users, STS sessions */
static const char IAM_KEYS_1[] = "CREATE TABLE access_keys("
                                 "  access_key_id TEXT PRIMARY KEY,"
                                 "  secret TEXT NOT NULL,"
                                 "  session_token TEXT,"
                                 "  status TEXT NOT NULL DEFAULT 'Active',"
                                 "  expires_ms INTEGER NOT NULL DEFAULT 0,"
                                 "  created_ms INTEGER NOT NULL,"
                                 "  principal TEXT NOT NULL" /* JSON of struct principal */
                                 ") WITHOUT ROWID;";

static const char IAM_SCHEMA_1[] =
    "CREATE TABLE iam_users(name TEXT PRIMARY KEY COLLATE NOCASE, user_id TEXT NOT NULL UNIQUE,"
    "  path TEXT NOT NULL, arn TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    "  permissions_boundary TEXT, tags TEXT NOT NULL DEFAULT '[]') WITHOUT ROWID;"
    "CREATE TABLE iam_groups(name TEXT PRIMARY KEY COLLATE NOCASE, group_id TEXT NOT NULL UNIQUE,"
    "  path TEXT NOT NULL, arn TEXT NOT NULL, created_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE iam_group_members(group_name TEXT NOT NULL COLLATE NOCASE,"
    "  user_name TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY(group_name, user_name)) WITHOUT ROWID;"
    "CREATE INDEX iam_group_members_user ON iam_group_members(user_name);"
    "CREATE TABLE iam_roles(name TEXT PRIMARY KEY COLLATE NOCASE, role_id TEXT NOT NULL UNIQUE,"
    "  path TEXT NOT NULL, arn TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    "  trust_policy TEXT NOT NULL, description TEXT, max_session_s INTEGER NOT NULL DEFAULT 3600,"
    "  permissions_boundary TEXT, tags TEXT NOT NULL DEFAULT '[]',"
    "  service_linked_to TEXT, last_used_ms INTEGER, last_used_region TEXT) WITHOUT ROWID;"
    /* inline policies: kind is 'user', 'group' or 'role' */
    "CREATE TABLE iam_inline_policies(kind TEXT NOT NULL, owner TEXT NOT NULL COLLATE NOCASE,"
    "  name TEXT NOT NULL COLLATE NOCASE, document TEXT NOT NULL,"
    "  PRIMARY KEY(kind, owner, name)) WITHOUT ROWID;"
    /* customer managed policies (AWS managed ones are the static table in auth/) */
    "CREATE TABLE iam_policies(arn TEXT PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    "  policy_id TEXT NOT NULL UNIQUE, path TEXT NOT NULL, description TEXT,"
    "  default_version TEXT NOT NULL, next_version INTEGER NOT NULL DEFAULT 2,"
    "  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    "  tags TEXT NOT NULL DEFAULT '[]') WITHOUT ROWID;"
    "CREATE TABLE iam_policy_versions(arn TEXT NOT NULL, version_id TEXT NOT NULL,"
    "  document TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(arn, version_id)) WITHOUT ROWID;"
    /* managed policy attachments to users, groups and roles */
    "CREATE TABLE iam_attachments(kind TEXT NOT NULL, owner TEXT NOT NULL COLLATE NOCASE,"
    "  policy_arn TEXT NOT NULL, PRIMARY KEY(kind, owner, policy_arn)) WITHOUT ROWID;"
    "CREATE INDEX iam_attachments_policy ON iam_attachments(policy_arn);"
    "CREATE TABLE iam_instance_profiles(name TEXT PRIMARY KEY COLLATE NOCASE,"
    "  profile_id TEXT NOT NULL UNIQUE, path TEXT NOT NULL, arn TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL, role_name TEXT COLLATE NOCASE,"
    "  tags TEXT NOT NULL DEFAULT '[]') WITHOUT ROWID;"
    /* access keys gain their owner (IAM user name; NULL for root and STS sessions), the
     * session policies of an STS session (JSON array of policy documents, NULL = none
     * passed) and when they were last used */
    "ALTER TABLE access_keys ADD COLUMN owner TEXT COLLATE NOCASE;"
    "ALTER TABLE access_keys ADD COLUMN session_policies TEXT;"
    "ALTER TABLE access_keys ADD COLUMN last_used_ms INTEGER;"
    "ALTER TABLE access_keys ADD COLUMN last_used_service TEXT;"
    "CREATE INDEX access_keys_owner ON access_keys(owner);";

/* legacy: store_migration (access_keys came with the core schema, step 1 of 0.1's list) */
static const struct store_migration steps[] = {{IAM_KEYS_1, 1}, {IAM_SCHEMA_1, 3}};
const struct store_schema iam_schema = {"iam", steps, (int)ARRAY_LEN(steps)};
