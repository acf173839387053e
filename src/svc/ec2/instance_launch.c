/*
 * instance_launch.c — RunInstances: the request checked (placement, network, volumes,
 * metadata options, profile, tags, capacity), the instances' rows and documents (see
 * instance_store.c), their volumes, tags and profile, and the first transition (pending ->
 * running, instance_state.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "store/store.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

#define ROOT_DEVICE "/dev/xvda"

/* What one RunInstances request asks for, checked. */
struct launch {
    const struct ec2_type_info *type;
    const char *image_id;
    const char *arch;
    struct ec2_subnet subnet;
    const char *tenancy;
    const char *auto_recovery;
    json_t *groups; /* GroupIdentifierList */
    bool public_ip;
    const char *private_ip; /* requested, or NULL */
    struct ec2_volume_spec root;
    struct ec2_volume_spec extra[16];
    size_t nextra;
    bool has_profile;
    struct ec2_profile profile;
    json_t *metadata; /* MetadataOptions (response form) */
    const json_t *instance_tags, *volume_tags;
    int64_t count;
    char eni[32];        /* an existing network interface as the primary one, or "" */
    char eni_subnet[32]; /* its subnet */
};

static const char *const run_tag_types[] = {"instance", "volume", "network-interface", NULL};

static int launch_placement(struct call *c, const json_t *in, struct launch *l, const json_t *ni0)
{
    const json_t *pl = json_object_get(in, EC2_M_RunInstancesRequest_Placement);
    const char *az = json_string_value(json_object_get(pl, EC2_M_Placement_AvailabilityZone));
    const char *azid = json_string_value(json_object_get(pl, EC2_M_Placement_AvailabilityZoneId));
    const char *subnet = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_SubnetId));
    if (ni0 && json_string_value(
                   json_object_get(ni0, EC2_M_InstanceNetworkInterfaceSpecification_SubnetId)))
        subnet = json_string_value(
            json_object_get(ni0, EC2_M_InstanceNetworkInterfaceSpecification_SubnetId));
    if (l->eni_subnet[0])
        subnet = l->eni_subnet;
    l->tenancy = json_string_value(json_object_get(pl, EC2_M_Placement_Tenancy));
    if (!l->tenancy)
        l->tenancy = "default";
    if (!str_eq(l->tenancy, "default") && !str_eq(l->tenancy, "dedicated") &&
        !str_eq(l->tenancy, "host"))
        return call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for tenancy.",
                         l->tenancy); /* inferred */
    struct ec2_zone z;
    if (azid && !az) {
        if (ec2_zone_find_id(azid, &z) || !str_eq(z.region->name, c->region))
            return call_fail(c, 400, "InvalidParameterValue", "Invalid availability zone: [%s]",
                             azid);
        az = arena_strdup(c->a, z.name);
    }
    if (az && (ec2_zone_find(az, &z) || !str_eq(z.region->name, c->region)))
        return call_fail(c, 400, "InvalidParameterValue", "Invalid availability zone: [%s]",
                         az); /* [obs] */
    if (subnet) {
        if (!ec2_id_ok(subnet, "subnet"))
            return call_fail(c, 400, "InvalidSubnetID.Malformed",
                             "Invalid id: \"%s\" (expecting \"subnet-...\")", subnet);
        int rc = ec2_subnet_get(c, subnet, &l->subnet);
        if (rc < 0)
            return -1;
        if (rc == 1)
            return call_fail(c, 400, "InvalidSubnetID.NotFound",
                             "The subnet ID '%s' does not exist", subnet); /* [obs] */
        if (az && !str_eq(az, l->subnet.az))
            return call_fail(c, 400, "InvalidParameterValue",
                             "The specified Availability Zone (%s) does not match the subnet's "
                             "Availability Zone (%s).",
                             az, l->subnet.az); /* inferred */
        return 0;
    }
    if (!az) /* AWS picks a zone: here the first with room in its default subnet (inferred) */
        return ec2_subnet_auto(
            c, json_integer_value(json_object_get(in, EC2_M_RunInstancesRequest_MinCount)),
            &l->subnet);
    return ec2_subnet_default(c, az, &l->subnet);
}

static int launch_network(struct call *c, const json_t *in, struct launch *l)
{
    const json_t *nis = json_object_get(in, EC2_M_RunInstancesRequest_NetworkInterfaces);
    const json_t *ni0 = NULL;
    size_t i;
    const json_t *e;
    json_array_foreach(nis, i, e)
    {
        if (json_integer_value(
                json_object_get(e, EC2_M_InstanceNetworkInterfaceSpecification_DeviceIndex)) == 0)
            ni0 = e;
        else
            return call_fail(c, 400, "InvalidParameterValue",
                             "The lab launches instances with one network interface (device "
                             "index 0)"); /* inferred */
    }
    const char *eni = ni0 ? json_string_value(json_object_get(
                                ni0, EC2_M_InstanceNetworkInterfaceSpecification_NetworkInterfaceId))
                          : NULL;
    json_t *eni_groups = NULL;
    char eni_ip[16] = "";
    if (eni) {
        if (json_integer_value(json_object_get(in, EC2_M_RunInstancesRequest_MaxCount)) > 1)
            return call_fail(c, 400, "InvalidParameterCombination",
                             "Cannot specify an existing network interface when launching more "
                             "than one instance"); /* inferred */
        if (ec2_eni_for_launch(c, eni, l->eni_subnet, &eni_groups, eni_ip))
            return -1;
        snprintf(l->eni, sizeof(l->eni), "%s", eni);
    }
    if (ni0 && json_object_get(in, EC2_M_RunInstancesRequest_SubnetId))
        return call_fail(c, 400, "InvalidParameterCombination",
                         "Network interfaces and an instance-level subnet ID may not be "
                         "specified on the same request"); /* [obs] */
    if (ni0 && (json_array_size(json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroupIds)) ||
                json_array_size(json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroups))))
        return call_fail(c, 400, "InvalidParameterCombination",
                         "Network interfaces and an instance-level security groups may not be "
                         "specified on the same request"); /* [obs] */
    if (launch_placement(c, in, l, ni0)) {
        json_decref(eni_groups);
        return -1;
    }
    const json_t *gids =
        ni0 ? json_object_get(ni0, EC2_M_InstanceNetworkInterfaceSpecification_Groups)
            : json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroupIds);
    if (eni_groups) {
        l->groups = eni_groups;
    } else if (ec2_groups_resolve(
                   c, gids, ni0 ? NULL : json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroups),
                   &l->groups)) {
        return -1;
    }
    /* the groups must belong to the subnet's VPC; none given: that VPC's default group */
    size_t gi;
    json_t *g;
    bool named = json_array_size(gids) ||
                 json_array_size(json_object_get(in, EC2_M_RunInstancesRequest_SecurityGroups)) ||
                 eni_groups;
    json_array_foreach(l->groups, gi, g)
    {
        const char *gid = json_string_value(json_object_get(g, "GroupId"));
        json_t *gd = NULL;
        if (ec2_net_get(c, "security-group", gid, &gd) < 0)
            return -1;
        bool other = gd && !str_eq(json_string_value(json_object_get(gd, "VpcId")),
                                   l->subnet.vpc_id);
        json_decref(gd);
        if (other && named)
            return call_fail(c, 400, "InvalidParameter",
                             "Security group %s and subnet %s belong to different networks.", gid,
                             l->subnet.id); /* [obs] */
        if (other) {
            char sg[32];
            if (ec2_sg_by_name(c, l->subnet.vpc_id, "default", sg) != 0)
                return ec2_internal(c);
            json_decref(l->groups);
            l->groups = json_pack("[{s:s, s:s}]", "GroupId", sg, "GroupName", "default");
            break;
        }
    }
    l->public_ip = l->subnet.map_public_ip;
    const json_t *assoc =
        ni0 ? json_object_get(ni0,
                              EC2_M_InstanceNetworkInterfaceSpecification_AssociatePublicIpAddress)
            : NULL;
    if (json_is_boolean(assoc))
        l->public_ip = json_is_true(assoc);
    l->private_ip =
        json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_PrivateIpAddress));
    if (ni0 && json_string_value(json_object_get(
                   ni0, EC2_M_InstanceNetworkInterfaceSpecification_PrivateIpAddress)))
        l->private_ip = json_string_value(
            json_object_get(ni0, EC2_M_InstanceNetworkInterfaceSpecification_PrivateIpAddress));
    if (l->eni[0])
        l->private_ip = arena_strdup(c->a, eni_ip);
    return 0;
}

static int launch_volumes(struct call *c, const json_t *in, struct launch *l)
{
    memset(&l->root, 0, sizeof(l->root));
    l->root.type = "gp2";
    l->root.size_gib = 8; /* the images' root snapshot (inferred) */
    l->root.delete_on_termination = true;
    l->root.device = ROOT_DEVICE;
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(in, EC2_M_RunInstancesRequest_BlockDeviceMappings), i, e)
    {
        const char *dev =
            json_string_value(json_object_get(e, EC2_M_BlockDeviceMapping_DeviceName));
        const json_t *ebs = json_object_get(e, EC2_M_BlockDeviceMapping_Ebs);
        if (!dev)
            return call_fail(c, 400, "MissingParameter",
                             "The request must contain the parameter BlockDeviceMapping.%zu."
                             "DeviceName",
                             i + 1); /* inferred */
        if (!ebs)
            continue; /* ephemeral / NoDevice mappings: nothing to create here */
        struct ec2_volume_spec *v;
        if (str_eq(dev, ROOT_DEVICE)) {
            v = &l->root;
        } else {
            if (l->nextra == ARRAY_LEN(l->extra))
                return call_fail(c, 400, "InvalidParameterValue",
                                 "Too many block device mappings"); /* inferred */
            v = &l->extra[l->nextra++];
            memset(v, 0, sizeof(*v));
            v->type = "gp2";
            v->delete_on_termination = true; /* [doc: EbsBlockDevice default] */
            v->device = dev;
            v->snapshot_id = "snap-image";
        }
        const char *t = json_string_value(json_object_get(ebs, EC2_M_EbsBlockDevice_VolumeType));
        if (t)
            v->type = t;
        if (json_object_get(ebs, EC2_M_EbsBlockDevice_VolumeSize))
            v->size_gib = json_integer_value(json_object_get(ebs, EC2_M_EbsBlockDevice_VolumeSize));
        if (json_object_get(ebs, EC2_M_EbsBlockDevice_Iops))
            v->iops = json_integer_value(json_object_get(ebs, EC2_M_EbsBlockDevice_Iops));
        if (json_object_get(ebs, EC2_M_EbsBlockDevice_Throughput))
            v->throughput =
                json_integer_value(json_object_get(ebs, EC2_M_EbsBlockDevice_Throughput));
        if (json_is_boolean(json_object_get(ebs, EC2_M_EbsBlockDevice_DeleteOnTermination)))
            v->delete_on_termination =
                json_is_true(json_object_get(ebs, EC2_M_EbsBlockDevice_DeleteOnTermination));
        v->encrypted = json_is_true(json_object_get(ebs, EC2_M_EbsBlockDevice_Encrypted));
        v->kms_key_id = json_string_value(json_object_get(ebs, EC2_M_EbsBlockDevice_KmsKeyId));
        const char *snap = json_string_value(json_object_get(ebs, EC2_M_EbsBlockDevice_SnapshotId));
        if (snap)
            v->snapshot_id = snap;
        if (v->snapshot_id && str_eq(v->snapshot_id, "snap-image"))
            v->snapshot_id = NULL;
        if (v != &l->root && v->size_gib == 0 && !v->snapshot_id)
            return call_fail(c, 400, "InvalidParameterValue",
                             "The request must contain the parameter size or snapshotId for "
                             "device %s",
                             dev); /* inferred */
        /* the root is checked once, below (a second check of gp2 would see the iops the
         * first one derived and refuse them) */
        if (v != &l->root && ec2_volume_check(c, v))
            return -1;
    }
    if (l->root.size_gib < 8)
        return call_fail(c, 400, "InvalidBlockDeviceMapping",
                         "Volume of size %lldGB is smaller than snapshot, expect size >= 8GB",
                         (long long)l->root.size_gib); /* [obs] */
    return ec2_volume_check(c, &l->root);
}

static int launch_metadata(struct call *c, const json_t *in, struct launch *l)
{
    const json_t *m = json_object_get(in, EC2_M_RunInstancesRequest_MetadataOptions);
    const char *tokens =
        json_string_value(json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpTokens));
    const char *endpoint =
        json_string_value(json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpEndpoint));
    const char *v6 = json_string_value(
        json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpProtocolIpv6));
    const char *tags = json_string_value(
        json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_InstanceMetadataTags));
    json_int_t hops = 1;
    if (json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpPutResponseHopLimit))
        hops = json_integer_value(
            json_object_get(m, EC2_M_InstanceMetadataOptionsRequest_HttpPutResponseHopLimit));
    if (hops < 1 || hops > 64)
        return call_fail(c, 400, "InvalidParameterValue",
                         "The HttpPutResponseHopLimit value must be between 1 and 64. "
                         "Specify a value between 1 and 64, and try again."); /* inferred */
    l->metadata = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "State", "pending", "HttpTokens",
                            tokens ? tokens : "optional", "HttpPutResponseHopLimit", hops,
                            "HttpEndpoint", endpoint ? endpoint : "enabled", "HttpProtocolIpv6",
                            v6 ? v6 : "disabled", "InstanceMetadataTags", tags ? tags : "disabled");
    return 0;
}

/* Live (not terminated) instances of the region. */
static int64_t live_count(struct call *c)
{
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT count(*) FROM ec2_instances WHERE region = ?1 AND state != 48");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return n;
}

static int launch_parse(struct call *c, const json_t *in, struct launch *l)
{
    json_int_t min = json_integer_value(json_object_get(in, EC2_M_RunInstancesRequest_MinCount));
    json_int_t max = json_integer_value(json_object_get(in, EC2_M_RunInstancesRequest_MaxCount));
    if (min < 1)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Value ( %" JSON_INTEGER_FORMAT
                         " ) for parameter minCount is invalid. Expecting a value greater than 0.",
                         min); /* inferred */
    if (max < min)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Value ( %" JSON_INTEGER_FORMAT
                         " ) for parameter maxCount is invalid. Expecting a value greater than or "
                         "equal to minCount.",
                         max); /* inferred */
    l->image_id = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_ImageId));
    if (!l->image_id)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter ImageId"); /* inferred */
    if (ec2_image_check_id(c, l->image_id))
        return -1;
    const char *type =
        json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_InstanceType));
    if (!type)
        type = "m1.small"; /* [doc: RunInstances InstanceType "Default: m1.small"] */
    l->type = ec2_type_find(type);
    if (!l->type)
        return call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for InstanceType.",
                         type); /* [obs] */
    l->arch = ec2_type_arch(l->type);
    const json_t *mo = json_object_get(in, EC2_M_RunInstancesRequest_MaintenanceOptions);
    l->auto_recovery = json_string_value(
        json_object_get(mo, EC2_M_InstanceMaintenanceOptionsRequest_AutoRecovery));
    if (!l->auto_recovery)
        l->auto_recovery = "default";
    if (!str_eq(l->auto_recovery, "default") && !str_eq(l->auto_recovery, "disabled"))
        return call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for AutoRecovery.",
                         l->auto_recovery); /* inferred */
    const char *key = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_KeyName));
    if (key && ec2_key_pair_check(c, key))
        return -1;
    const char *ud = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_UserData));
    if (ud &&
        json_string_length(json_object_get(in, EC2_M_RunInstancesRequest_UserData)) / 4 * 3 > 16384)
        return call_fail(c, 400, "InvalidParameterValue",
                         "User data is limited to 16384 bytes"); /* [obs] */
    const json_t *cpu = json_object_get(in, EC2_M_RunInstancesRequest_CpuOptions);
    if (cpu) {
        int cores, threads;
        ec2_type_cpu(l->type, &cores, &threads);
        json_int_t cc =
            json_object_get(cpu, EC2_M_CpuOptionsRequest_CoreCount)
                ? json_integer_value(json_object_get(cpu, EC2_M_CpuOptionsRequest_CoreCount))
                : cores;
        json_int_t tpc =
            json_object_get(cpu, EC2_M_CpuOptionsRequest_ThreadsPerCore)
                ? json_integer_value(json_object_get(cpu, EC2_M_CpuOptionsRequest_ThreadsPerCore))
                : threads;
        if (cc < 1 || cc > cores || tpc < 1 || tpc > threads)
            return call_fail(c, 400, "InvalidCpuOptions.Malformed",
                             "The specified CPU options are not valid for %s.",
                             l->type->name); /* inferred */
    }
    if (launch_network(c, in, l) || launch_volumes(c, in, l) || launch_metadata(c, in, l))
        return -1;
    if (l->private_ip && max > 1)
        return call_fail(c, 400, "InvalidParameterCombination",
                         "Cannot specify a private IP address when launching more than one "
                         "instance"); /* inferred */
    const json_t *prof = json_object_get(in, EC2_M_RunInstancesRequest_IamInstanceProfile);
    if (prof) {
        if (ec2_profile_resolve(c, prof, &l->profile))
            return -1;
        l->has_profile = true;
    }
    if (ec2_tag_specs(c, in, run_tag_types, "instance", &l->instance_tags) ||
        ec2_tag_specs(c, in, run_tag_types, "volume", &l->volume_tags))
        return -1;
    /* capacity: the lab's per-region limit (inferred); AWS launches the most it can */
    int64_t room = EC2_MAX_LIVE_PER_REGION - live_count(c);
    if (room < min)
        return call_fail(c, 400, "InstanceLimitExceeded",
                         "You have requested more instances (%" JSON_INTEGER_FORMAT
                         ") than your current instance limit of %d allows for the specified "
                         "instance type. Please visit http://aws.amazon.com/contact-us/ec2-request "
                         "to request an adjustment to this limit.",
                         min, EC2_MAX_LIVE_PER_REGION); /* [obs] */
    l->count = max < room ? max : room;
    /* and as many as the subnet has addresses for [doc: "launches the largest possible
     * number of instances above MinCount"] */
    int64_t free_ips = ec2_subnet_free(c, &l->subnet);
    if (free_ips < 0)
        return ec2_db_fail(c->st, "address count");
    if (free_ips < min)
        return call_fail(c, 400, "InsufficientFreeAddressesInSubnet",
                         "There are not enough free addresses in subnet '%s' to satisfy the "
                         "requested number of instances.",
                         l->subnet.id); /* [doc] */
    if (l->count > free_ips)
        l->count = free_ips;
    return 0;
}

static int inst_insert(struct call *c, const struct ec2_instance *in, const json_t *doc,
                       const char *reservation, const char *token)
{
    sqlite3_stmt *s = store_stmt(
        c->st, "INSERT INTO ec2_instances(id, region, az, type, image_id, host_id, tenancy,"
               " auto_recovery, profile_arn, private_ip, public_ip, state, state_ms, launch_ms,"
               " boot_ms, doc, reservation_id, client_token) VALUES(?1, ?2, ?3, ?4, ?5, NULL, ?6,"
               " ?7, NULL, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
    sqlite3_bind_text(s, 1, in->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, in->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, in->az, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, in->type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, in->image_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, in->tenancy, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, in->auto_recovery, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 8, in->private_ip);
    store_bind_nonempty_or_null(s, 9, in->public_ip);
    sqlite3_bind_int(s, 10, in->state);
    sqlite3_bind_int64(s, 11, in->state_ms);
    sqlite3_bind_int64(s, 12, in->launch_ms);
    sqlite3_bind_int64(s, 13, in->boot_ms);
    sqlite3_bind_text(s, 14, ec2_json_text(c, doc), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 15, reservation, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 16, token);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(c->st, "instance insert");
}

static void mac_address(char out[18])
{
    unsigned char b[5];
    rand_bytes(b, sizeof(b));
    snprintf(out, 18, "0a:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4]);
}

/* The document of a new instance (see the file comment). */
static json_t *launch_doc(struct call *c, const json_t *in, const struct launch *l,
                          const struct ec2_instance *inst, int index, const char *token)
{
    char pdns[128], eni[32], attach[40], mac[18];
    ec2_private_dns(c->region, inst->private_ip, pdns, sizeof(pdns));
    ec2_new_id("eni", eni, sizeof(eni));
    ec2_new_id("eni-attach", attach, sizeof(attach));
    mac_address(mac);
    int cores, threads;
    ec2_type_cpu(l->type, &cores, &threads);
    const json_t *cpu = json_object_get(in, EC2_M_RunInstancesRequest_CpuOptions);
    if (json_object_get(cpu, EC2_M_CpuOptionsRequest_CoreCount))
        cores = (int)json_integer_value(json_object_get(cpu, EC2_M_CpuOptionsRequest_CoreCount));
    if (json_object_get(cpu, EC2_M_CpuOptionsRequest_ThreadsPerCore))
        threads =
            (int)json_integer_value(json_object_get(cpu, EC2_M_CpuOptionsRequest_ThreadsPerCore));
    bool monitoring =
        json_is_true(json_object_get(json_object_get(in, EC2_M_RunInstancesRequest_Monitoring),
                                     EC2_M_RunInstancesMonitoringEnabled_Enabled));
    const char *shutdown = json_string_value(
        json_object_get(in, EC2_M_RunInstancesRequest_InstanceInitiatedShutdownBehavior));
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:i, s:{s:s}, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:O, s:b,"
        " s:s, s:{s:i, s:i}, s:{s:s}, s:{s:b}, s:O, s:{s:b}, s:s, s:s, s:I,"
        " s:{s:s, s:b, s:b}, s:s, s:[]}",
        "PrivateDnsName", pdns, "PublicDnsName", "", "StateTransitionReason", "", "AmiLaunchIndex",
        index, "Monitoring", "State", monitoring ? "pending" : "disabled", "SubnetId", l->subnet.id,
        "VpcId", l->subnet.vpc_id, "Architecture", l->arch, "ClientToken", token ? token : "",
        "EbsOptimized", json_is_true(json_object_get(in, EC2_M_RunInstancesRequest_EbsOptimized)),
        "EnaSupport", true, "Hypervisor", "xen", "RootDeviceName", ROOT_DEVICE, "RootDeviceType",
        "ebs", "SecurityGroups", l->groups, "SourceDestCheck", true, "VirtualizationType", "hvm",
        "CpuOptions", "CoreCount", cores, "ThreadsPerCore", threads,
        "CapacityReservationSpecification", "CapacityReservationPreference", "open",
        "HibernationOptions", "Configured", false, "MetadataOptions", l->metadata, "EnclaveOptions",
        "Enabled", false, "PlatformDetails", "Linux/UNIX", "UsageOperation", "RunInstances",
        "UsageOperationUpdateTime", (json_int_t)c->now_ms, "PrivateDnsNameOptions", "HostnameType",
        "ip-name", "EnableResourceNameDnsARecord", false, "EnableResourceNameDnsAAAARecord", false,
        "CurrentInstanceBootMode", str_startswith(l->arch, "arm64") ? "uefi" : "legacy-bios",
        "ProductCodes");
    if (!d)
        return json_object();
    json_object_set_new(d, "StateReason",
                        json_pack("{s:s, s:s}", "Code", "pending", "Message", "pending"));
    const char *key = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_KeyName));
    if (key)
        json_object_set_new(d, "KeyName", json_string(key));
    if (inst->public_ip[0]) {
        char dns[128];
        ec2_public_dns(c->region, inst->public_ip, dns, sizeof(dns));
        json_object_set_new(d, "PublicDnsName", json_string(dns));
    }
    json_object_set_new(d, "_eni", json_string(eni));
    json_object_set_new(d, "_eni_attach", json_string(attach));
    json_object_set_new(d, "_eni_ms", json_integer(c->now_ms));
    json_object_set_new(d, "_mac", json_string(mac));
    json_object_set_new(d, "_public", json_boolean(l->public_ip));
    const char *ud = json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_UserData));
    if (ud)
        json_object_set_new(d, "_user_data", json_string(ud));
    if (json_is_true(json_object_get(in, EC2_M_RunInstancesRequest_DisableApiTermination)))
        json_object_set_new(d, "_disable_api_termination", json_true());
    if (json_is_true(json_object_get(in, EC2_M_RunInstancesRequest_DisableApiStop)))
        json_object_set_new(d, "_disable_api_stop", json_true());
    json_object_set_new(d, "_shutdown_behavior", json_string(shutdown ? shutdown : "stop"));
    return d;
}

/* Launches instance number index of the reservation. */
static int launch_one(struct call *c, const json_t *in, const struct launch *l, int index,
                      const char *reservation, const char *token)
{
    struct ec2_instance inst;
    memset(&inst, 0, sizeof(inst));
    ec2_new_id("i", inst.id, sizeof(inst.id));
    snprintf(inst.region, sizeof(inst.region), "%s", c->region);
    snprintf(inst.az, sizeof(inst.az), "%s", l->subnet.az);
    snprintf(inst.type, sizeof(inst.type), "%s", l->type->name);
    snprintf(inst.image_id, sizeof(inst.image_id), "%s", l->image_id);
    snprintf(inst.tenancy, sizeof(inst.tenancy), "%s", l->tenancy);
    snprintf(inst.auto_recovery, sizeof(inst.auto_recovery), "%s", l->auto_recovery);
    if (l->eni[0])
        snprintf(inst.private_ip, sizeof(inst.private_ip), "%s", l->private_ip);
    else if (ec2_ip_alloc(c, &l->subnet, l->private_ip, inst.private_ip))
        return -1;
    if (l->public_ip && ec2_public_ip_alloc(c, inst.public_ip))
        return -1;
    inst.state = EC2_PENDING;
    inst.state_ms = c->now_ms;
    inst.launch_ms = c->now_ms;
    json_t *doc = launch_doc(c, in, l, &inst, index, token);
    if (l->eni[0])
        json_object_set_new(doc, "_eni", json_string(l->eni));
    int rc = inst_insert(c, &inst, doc, reservation, token);
    if (rc == 0 && l->eni[0])
        rc = ec2_eni_attach_launch(c, l->eni,
                                   inst.id, json_string_value(json_object_get(doc, "_eni_attach")));
    json_decref(doc);
    if (rc)
        return -1;
    const char *lt = json_string_value(json_object_get(in, "_lt_id"));
    if (lt) {
        json_t *ltt = json_pack("[{s:s, s:s}, {s:s, s:O}]", "Key", "aws:ec2launchtemplate:id",
                                "Value", lt, "Key", "aws:ec2launchtemplate:version", "Value",
                                json_object_get(in, "_lt_version"));
        rc = ec2_tags_put(c, inst.id, "instance", ltt);
        json_decref(ltt);
        if (rc)
            return -1;
    }
    struct ec2_volume_spec root = l->root;
    root.az = l->subnet.az;
    root.instance_id = inst.id;
    char vol[32];
    if (ec2_volume_create(c, &root, vol) ||
        (l->volume_tags && ec2_tags_put(c, vol, "volume", l->volume_tags)))
        return -1;
    for (size_t i = 0; i < l->nextra; i++) {
        struct ec2_volume_spec v = l->extra[i];
        v.az = l->subnet.az;
        v.instance_id = inst.id;
        if (ec2_volume_create(c, &v, vol) ||
            (l->volume_tags && ec2_tags_put(c, vol, "volume", l->volume_tags)))
            return -1;
    }
    if (l->instance_tags && ec2_tags_put(c, inst.id, "instance", l->instance_tags))
        return -1;
    if (l->has_profile && ec2_profile_associate(c, inst.id, &l->profile))
        return -1;
    if (sched_at(c->st, c->now_ms + EC2_PENDING_MS, EC2_EV_INSTANCE, inst.id) < 0)
        return -1;
    return 0;
}

/*
 * RunInstances (see struct launch for what is honoured). ClientToken makes it idempotent:
 * a token already used in the region answers the reservation it launched [doc]. DryRun
 * answers after every check. The instances are pending; each becomes running after
 * EC2_PENDING_MS of virtual time.
 */
int ec2_run_instances(struct call *c, const json_t *req, struct out *o)
{
    if (!ec2_call_region(c))
        return -1;
    json_t *merged = NULL; /* the request over its launch template's version */
    if (ec2_launch_template_merge(c, req, &merged))
        return -1;
    const json_t *in = merged ? merged : req;
    const char *token =
        json_string_value(json_object_get(in, EC2_M_RunInstancesRequest_ClientToken));
    if (token && !json_is_true(json_object_get(in, EC2_M_RunInstancesRequest_DryRun))) {
        sqlite3_stmt *s = store_stmt(c->st, "SELECT reservation_id FROM ec2_instances"
                                            " WHERE region = ?1 AND client_token = ?2 LIMIT 1");
        sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
        char res[32] = "";
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(res, sizeof(res), "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
        if (res[0]) {
            json_decref(merged);
            return ec2_out_reservation(c, o, res);
        }
    }
    struct launch l;
    memset(&l, 0, sizeof(l));
    int rc = -1;
    if (launch_parse(c, in, &l))
        goto out;
    if (ec2_dry_run(c, in))
        goto out;
    if (ec2_image_record(c, l.image_id, l.arch))
        goto out;
    char reservation[32];
    ec2_new_id("r", reservation, sizeof(reservation));
    for (int64_t i = 0; i < l.count; i++)
        if (launch_one(c, in, &l, (int)i, reservation, token))
            goto out;
    rc = ec2_out_reservation(c, o, reservation);
    /* the response shows the metadata options as just requested [doc] */
out:
    json_decref(l.groups);
    json_decref(l.metadata);
    json_decref(merged);
    return rc;
}
