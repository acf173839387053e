/*
 * schema.c — CloudWatch metric tables (migrations CW_SCHEMA_1, CW_SCHEMA_2: cw_schema).
 *
 * cw_metrics: one row per metric identity — account, region, namespace, metric name and
 *   the canonical dimension set (JSON text, sorted by name; see cw_dims_text). AWS keys a
 *   metric by namespace + name + dimensions; the unit is per datapoint. last_put_ms is the
 *   virtual time of the latest PutMetricData for it (ListMetrics: RecentlyActive PT3H and
 *   the two-week horizon).
 * cw_datapoints: one row per published datum — timestamp (ms), unit ('None' when not
 *   given), storage resolution (1 or 60), the statistic set (count, sum, min, max) and,
 *   when the publisher gave Values/Counts, the raw distribution as JSON [[value,count],..]
 *   (a single Value or a set with count 1 or min = max implies its distribution).
 *
 * Retention (inferred, simple rule): PutMetricData deletes the written metric's datapoints
 * older than 63 days. AWS keeps 1-minute data 15 days, then 5-minute data to 63 days and
 * hourly data to 455 days [doc]; we keep raw data for the whole 63 days and do not roll
 * it up.
 */
#include "store/store.h"
#include "svc/cloudwatch/cw.h"

static const char CW_SCHEMA_1[] =
    "CREATE TABLE cw_metrics("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  namespace TEXT NOT NULL,"
    "  metric_name TEXT NOT NULL,"
    "  dims TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  last_put_ms INTEGER NOT NULL,"
    "  UNIQUE(account, region, namespace, metric_name, dims)"
    ");"
    "CREATE INDEX cw_metrics_recent ON cw_metrics(account, region, last_put_ms);"
    "CREATE TABLE cw_datapoints("
    "  metric_id INTEGER NOT NULL REFERENCES cw_metrics(id) ON DELETE CASCADE,"
    "  ts_ms INTEGER NOT NULL,"
    "  unit TEXT NOT NULL DEFAULT 'None',"
    "  resolution INTEGER NOT NULL DEFAULT 60,"
    "  count REAL NOT NULL,"
    "  sum REAL NOT NULL,"
    "  min REAL NOT NULL,"
    "  max REAL NOT NULL,"
    "  dist TEXT,"
    "  put_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX cw_datapoints_metric_ts ON cw_datapoints(metric_id, ts_ms);";

/* Alarms (CW_SCHEMA_2): one row per alarm, its DescribeAlarms shape in doc (cw_alarm.h), the
 * creator principal of the latest Put*Alarm, history for 14 days, tags of alarms. */
static const char CW_SCHEMA_2[] =
    "CREATE TABLE cw_alarms(region TEXT NOT NULL, name TEXT NOT NULL, account TEXT NOT NULL,"
    "  composite INTEGER NOT NULL, state TEXT NOT NULL, doc TEXT NOT NULL,"
    "  creator TEXT NOT NULL, creator_key TEXT, PRIMARY KEY(region, name)) WITHOUT ROWID;"
    "CREATE TABLE cw_alarm_history(id INTEGER PRIMARY KEY, region TEXT NOT NULL,"
    "  alarm_name TEXT NOT NULL, alarm_type TEXT NOT NULL, at_ms INTEGER NOT NULL,"
    "  item_type TEXT NOT NULL, summary TEXT NOT NULL, data TEXT NOT NULL);"
    "CREATE INDEX cw_alarm_history_name ON cw_alarm_history(region, alarm_name, at_ms);"
    "CREATE INDEX cw_alarm_history_at ON cw_alarm_history(region, at_ms);"
    "CREATE TABLE cw_tags(arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(arn, key)) WITHOUT ROWID;";

/* legacy: the steps' places in the single migration list of 0.1 (store_migration) */
static const struct store_migration steps[] = {{CW_SCHEMA_1, 2}, {CW_SCHEMA_2, 5}};
const struct store_schema cw_schema = {"cloudwatch", steps, (int)ARRAY_LEN(steps)};
