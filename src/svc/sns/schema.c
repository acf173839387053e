/*
 * schema.c — SNS's tables (sns_schema).
 *
 * sns_topics: one row per topic (ARN key), the attributes set on it as a JSON object.
 * sns_subs: one row per subscription; pending ones carry the confirmation token.
 * sns_tags: tags of topics.
 * sns_messages: every delivery the lab made or holds: http/https POSTs with their state
 *   (pending, delivered, failed) and attempts, and the inbox of protocols the lab cannot
 *   reach (email, email-json, sms, ...: state "inbox").
 * sns_signing: the lab's signing key and its self-signed certificate (kept by a reset, so
 *   receivers that pinned the certificate keep working).
 */
#include "base/base.h"
#include "svc/sns/sns_internal.h"

static const char SNS_SCHEMA_1[] =
    "CREATE TABLE IF NOT EXISTS sns_topics(arn TEXT PRIMARY KEY, account TEXT NOT NULL, region "
    "TEXT NOT NULL,"
    "  name TEXT NOT NULL, attrs TEXT NOT NULL, created_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS sns_topics_region ON sns_topics(account, region, arn);"
    "CREATE TABLE IF NOT EXISTS sns_subs(arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL,"
    "  account TEXT NOT NULL, region TEXT NOT NULL, protocol TEXT NOT NULL,"
    "  endpoint TEXT NOT NULL, owner TEXT NOT NULL, confirmed INTEGER NOT NULL,"
    "  authenticated INTEGER NOT NULL DEFAULT 0, token TEXT, attrs TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS sns_subs_topic ON sns_subs(topic_arn, arn);"
    "CREATE INDEX IF NOT EXISTS sns_subs_region ON sns_subs(account, region, arn);"
    "CREATE TABLE IF NOT EXISTS sns_tags(arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(arn, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS sns_messages(id INTEGER PRIMARY KEY, topic_arn TEXT NOT NULL,"
    "  sub_arn TEXT NOT NULL, protocol TEXT NOT NULL, endpoint TEXT NOT NULL,"
    "  type TEXT NOT NULL, message_id TEXT NOT NULL, subject TEXT, body TEXT NOT NULL,"
    "  headers TEXT NOT NULL, policy TEXT, state TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, last_status INTEGER, last_error TEXT,"
    "  attempt_times TEXT NOT NULL DEFAULT '[]',"
    "  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS sns_messages_topic ON sns_messages(topic_arn, id);"
    "CREATE TABLE IF NOT EXISTS sns_signing(id INTEGER PRIMARY KEY CHECK(id = 1), key_pem TEXT NOT "
    "NULL,"
    "  cert_pem TEXT NOT NULL);";

static const struct store_migration steps[] = {{SNS_SCHEMA_1, 0}};
const struct store_schema sns_schema = {"sns", steps, (int)ARRAY_LEN(steps)};
