/* schema.c — EC2 tables (ec2_schema). */
#include "base/base.h"
#include "store/store.h"
#include "svc/ec2/ec2.h"

static const char EC2_SCHEMA_1[] =
    "CREATE TABLE ec2_instances(id TEXT PRIMARY KEY, region TEXT NOT NULL, az TEXT NOT NULL,"
    "  type TEXT NOT NULL, image_id TEXT NOT NULL, host_id TEXT, tenancy TEXT NOT NULL,"
    "  auto_recovery TEXT NOT NULL DEFAULT 'default', profile_arn TEXT,"
    "  private_ip TEXT, public_ip TEXT, state INTEGER NOT NULL, state_ms INTEGER NOT NULL,"
    "  launch_ms INTEGER NOT NULL, boot_ms INTEGER NOT NULL,"
    "  doc TEXT NOT NULL," /* doc: everything else DescribeInstances shows */
    "  reservation_id TEXT NOT NULL DEFAULT '', client_token TEXT) WITHOUT ROWID;"
    "CREATE INDEX ec2_instances_region ON ec2_instances(region, id);"
    "CREATE INDEX ec2_instances_host ON ec2_instances(host_id);"
    "CREATE INDEX ec2_instances_token ON ec2_instances(region, client_token);"
    "CREATE INDEX ec2_instances_ip ON ec2_instances(region, private_ip);"
    "CREATE INDEX ec2_instances_public_ip ON ec2_instances(public_ip);"
    /* tags of any EC2 resource */
    "CREATE TABLE ec2_tags(resource_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  resource_type TEXT NOT NULL, region TEXT NOT NULL,"
    "  PRIMARY KEY(resource_id, key)) WITHOUT ROWID;"
    "CREATE INDEX ec2_tags_region ON ec2_tags(region, resource_type);"
    "CREATE TABLE ec2_volumes(id TEXT PRIMARY KEY, region TEXT NOT NULL, az TEXT NOT NULL,"
    "  instance_id TEXT, device TEXT, state TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    "  doc TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX ec2_volumes_instance ON ec2_volumes(instance_id);"
    /* default VPC/subnets/security groups per region, created on first use */
    "CREATE TABLE ec2_network(id TEXT PRIMARY KEY, region TEXT NOT NULL, kind TEXT NOT NULL,"
    "  doc TEXT NOT NULL) WITHOUT ROWID;"
    /* images seen in RunInstances (DescribeImages) */
    "CREATE TABLE ec2_images(id TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL,"
    "  PRIMARY KEY(region, id)) WITHOUT ROWID;"
    /* instance profile associations */
    "CREATE TABLE ec2_profile_assoc(assoc_id TEXT PRIMARY KEY, instance_id TEXT NOT NULL,"
    "  profile_arn TEXT NOT NULL, state TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL DEFAULT 0, profile_id TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
    "CREATE INDEX ec2_profile_assoc_instance ON ec2_profile_assoc(instance_id);"
    /* hosts and health: a host fails (system fault) at failed_ms until cleared */
    "CREATE TABLE ec2_hosts(id TEXT PRIMARY KEY, region TEXT NOT NULL, az TEXT NOT NULL,"
    "  failed_ms INTEGER, created_ms INTEGER NOT NULL) WITHOUT ROWID;"
    /* the health timeline: one row per change of an instance's check statuses (not per
     * minute); status-check metrics are derived from it */
    "CREATE TABLE ec2_health(instance_id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL, running INTEGER NOT NULL, system TEXT NOT NULL,"
    "  instance TEXT NOT NULL, ebs TEXT NOT NULL,"
    "  PRIMARY KEY(instance_id, at_ms, seq)) WITHOUT ROWID;"
    "CREATE TABLE ec2_faults(id TEXT PRIMARY KEY, kind TEXT NOT NULL, instance_id TEXT NOT NULL,"
    "  host_id TEXT, created_ms INTEGER NOT NULL, until_ms INTEGER, cleared_ms INTEGER,"
    "  cleared_by TEXT) WITHOUT ROWID;"
    /* recoveries and other instance events (admin view, DescribeInstanceStatus Events) */
    "CREATE TABLE ec2_events(id TEXT PRIMARY KEY, instance_id TEXT NOT NULL,"
    "  at_ms INTEGER NOT NULL, code TEXT NOT NULL, description TEXT NOT NULL,"
    "  doc TEXT) WITHOUT ROWID;"
    "CREATE INDEX ec2_events_instance ON ec2_events(instance_id, at_ms);";

/* security group rules, key pairs, Elastic IPs, network interfaces, launch templates (the
 * groups, VPCs, subnets, route tables and gateways are rows of ec2_network) */
static const char EC2_SCHEMA_NET[] =
    "CREATE TABLE IF NOT EXISTS ec2_sg_rules(id TEXT PRIMARY KEY, region TEXT NOT NULL,"
    "  group_id TEXT NOT NULL, egress INTEGER NOT NULL, proto TEXT NOT NULL,"
    "  from_port INTEGER, to_port INTEGER, cidr4 TEXT, cidr6 TEXT, ref_group TEXT,"
    "  prefix_list TEXT, description TEXT, seq INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS ec2_sg_rules_group ON ec2_sg_rules(group_id, egress, seq);"
    "CREATE INDEX IF NOT EXISTS ec2_sg_rules_ref ON ec2_sg_rules(ref_group);"
    "CREATE TABLE IF NOT EXISTS ec2_key_pairs(id TEXT PRIMARY KEY, region TEXT NOT NULL, name TEXT NOT NULL,"
    "  type TEXT NOT NULL, fingerprint TEXT NOT NULL, public_key TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL, UNIQUE(region, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS ec2_addresses(allocation_id TEXT PRIMARY KEY, region TEXT NOT NULL,"
    "  public_ip TEXT NOT NULL UNIQUE, association_id TEXT, instance_id TEXT, eni_id TEXT,"
    "  private_ip TEXT, created_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS ec2_addresses_instance ON ec2_addresses(instance_id);"
    "CREATE TABLE IF NOT EXISTS ec2_enis(id TEXT PRIMARY KEY, region TEXT NOT NULL, subnet_id TEXT NOT NULL,"
    "  instance_id TEXT, doc TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS ec2_enis_instance ON ec2_enis(instance_id);"
    "CREATE TABLE IF NOT EXISTS ec2_launch_templates(id TEXT PRIMARY KEY, region TEXT NOT NULL,"
    "  name TEXT NOT NULL, default_version INTEGER NOT NULL, latest_version INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL, created_by TEXT NOT NULL, UNIQUE(region, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS ec2_launch_template_versions(template_id TEXT NOT NULL, version INTEGER NOT NULL,"
    "  description TEXT, data TEXT NOT NULL, created_ms INTEGER NOT NULL, created_by TEXT NOT NULL,"
    "  PRIMARY KEY(template_id, version)) WITHOUT ROWID;";

static const struct store_migration steps[] = {{EC2_SCHEMA_1, 4}, /* legacy: store_migration */
                                               {EC2_SCHEMA_NET, 0}};
const struct store_schema ec2_schema = {"ec2", steps, (int)ARRAY_LEN(steps)};
