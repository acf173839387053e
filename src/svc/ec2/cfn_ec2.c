/*
 * cfn_ec2.c — AWS::EC2::Instance (RunInstances, pending until running as CloudFormation
 * waits for it; TerminateInstances, pending until terminated), AWS::EC2::Volume
 * (CreateVolume until available, DeleteVolume) and AWS::EC2::VolumeAttachment (AttachVolume
 * until attached, DetachVolume until detached), as the stack's principal.
 * [doc] CFN UG aws-resource-ec2-instance / -volume / -volumeattachment; replacement lists
 * from the registry schemas' createOnlyProperties.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/ec2_net.h"
#include "svc/provider.h"
#include "wire/models/ec2_members.h"
#include "wire/wire.h"

static const char *const ok_instance_gone[] = {"InvalidInstanceID.NotFound",
                                               "InvalidInstanceID.Malformed", NULL};
static const char *const ok_volume_gone[] = {"InvalidVolume.NotFound", "InvalidVolumeID.Malformed",
                                             NULL};

/* ------------------------------------------------------------------ helpers */

/* CFN Tags [{Key,Value}] -> TagSpecifications for resource type rt. */
static void add_tag_specs(json_t *in, const json_t *props, const char *rt)
{
    json_t *tags = json_object_get(props, "Tags");
    if (!json_is_array(tags) || !json_array_size(tags))
        return;
    json_object_set_new(in, EC2_IN_TagSpecifications,
                        json_pack("[{s:s, s:O}]", EC2_M_TagSpecification_ResourceType, rt,
                                  EC2_M_TagSpecification_Tags, tags));
}

/* Tag changes of one EC2 resource: DeleteTags for dropped keys, CreateTags for the rest. */
static int update_tags(const struct cfn_act *x, struct cfn_res *r, const char *id,
                       const json_t *old_props)
{
    const json_t *ot = json_object_get(old_props, "Tags");
    const json_t *nt = json_object_get(r->props, "Tags");
    if (!prov_changed(ot, nt))
        return 0;
    json_t *gone = prov_removed_tag_keys(ot, nt);
    if (json_array_size(gone)) {
        json_t *keys = json_array();
        size_t i;
        json_t *k;
        json_array_foreach(gone, i, k)
            json_array_append_new(keys, json_pack("{s:O}", EC2_M_Tag_Key, k));
        json_t *in = json_pack("{s:[s], s:o}", EC2_M_DeleteTagsRequest_Resources, id,
                               EC2_M_DeleteTagsRequest_Tags, keys);
        if (prov_call(x, r, "ec2", "DeleteTags", in, NULL, NULL)) {
            json_decref(gone);
            return -1;
        }
    }
    json_decref(gone);
    if (json_array_size(nt)) {
        json_t *in = json_pack("{s:[s], s:O}", EC2_M_CreateTagsRequest_Resources, id,
                               EC2_M_CreateTagsRequest_Tags, nt);
        if (prov_call(x, r, "ec2", "CreateTags", in, NULL, NULL))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ AWS::EC2::Instance */

static const char *const instance_direct[] = {
    EC2_M_RunInstancesRequest_ImageId,
    EC2_M_RunInstancesRequest_InstanceType,
    EC2_M_RunInstancesRequest_KeyName,
    EC2_M_RunInstancesRequest_SecurityGroups,
    EC2_M_RunInstancesRequest_SecurityGroupIds,
    EC2_M_RunInstancesRequest_SubnetId,
    EC2_M_RunInstancesRequest_UserData,
    EC2_M_RunInstancesRequest_DisableApiTermination,
    EC2_M_RunInstancesRequest_EbsOptimized,
    EC2_M_RunInstancesRequest_InstanceInitiatedShutdownBehavior,
    EC2_M_RunInstancesRequest_PrivateIpAddress,
    EC2_M_RunInstancesRequest_KernelId,
    EC2_M_RunInstancesRequest_RamdiskId,
    EC2_M_RunInstancesRequest_CreditSpecification,
    EC2_M_RunInstancesRequest_CpuOptions,
    EC2_M_RunInstancesRequest_HibernationOptions,
    EC2_M_RunInstancesRequest_EnclaveOptions,
    EC2_M_RunInstancesRequest_LicenseSpecifications,
    EC2_M_RunInstancesRequest_LaunchTemplate,
    EC2_M_RunInstancesRequest_Ipv6AddressCount,
    EC2_M_RunInstancesRequest_Ipv6Addresses,
    EC2_M_RunInstancesRequest_MetadataOptions,
    EC2_M_RunInstancesRequest_PrivateDnsNameOptions,
    EC2_M_RunInstancesRequest_AdditionalInfo,
    NULL};

static const char *const instance_replace[] = {"AvailabilityZone",
                                               "CpuOptions",
                                               "ElasticGpuSpecifications",
                                               "ElasticInferenceAccelerators",
                                               "EnclaveOptions",
                                               "HibernationOptions",
                                               "HostResourceGroupArn",
                                               "ImageId",
                                               "Ipv6AddressCount",
                                               "Ipv6Addresses",
                                               "KeyName",
                                               "LaunchTemplate",
                                               "LicenseSpecifications",
                                               "NetworkInterfaces",
                                               "PlacementGroupName",
                                               "PrivateIpAddress",
                                               "SecurityGroups",
                                               "SubnetId",
                                               NULL};

static const char *const instance_attrs[] = {
    "AvailabilityZone", "PrivateDnsName", "PrivateIp", "PublicDnsName",
    "PublicIp",         "InstanceId",     "VpcId",     NULL};

/* Properties changed on the running instance ("No interruption"). */
static const char *const instance_inplace[] = {"Tags",
                                               "Volumes",
                                               "IamInstanceProfile",
                                               "DisableApiTermination",
                                               "InstanceInitiatedShutdownBehavior",
                                               "SourceDestCheck",
                                               "SecurityGroupIds",
                                               NULL};
/* Properties changed by stopping the instance, modifying it and starting it again ("Some
 * interruptions" [doc]). */
static const char *const instance_restart[] = {"InstanceType", "EbsOptimized", "UserData", NULL};

/* CFN BlockDeviceMappings: NoDevice is {} in templates, a string in the API. */
static json_t *instance_bdms(const json_t *v)
{
    json_t *out = json_deep_copy(v);
    size_t i;
    json_t *m;
    json_array_foreach(out, i, m)
    {
        if (json_is_object(json_object_get(m, EC2_M_BlockDeviceMapping_NoDevice)))
            json_object_set_new(m, EC2_M_BlockDeviceMapping_NoDevice, json_string(""));
    }
    return out;
}

static json_t *instance_input(const json_t *p)
{
    json_t *in = prov_pick(p, instance_direct);
    json_object_set_new(in, EC2_M_RunInstancesRequest_MinCount, json_integer(1));
    json_object_set_new(in, EC2_M_RunInstancesRequest_MaxCount, json_integer(1));
    const json_t *v;
    if ((v = json_object_get(p, "BlockDeviceMappings")) && json_is_array(v))
        json_object_set_new(in, EC2_M_RunInstancesRequest_BlockDeviceMappings, instance_bdms(v));
    const char *profile = prov_str(p, "IamInstanceProfile");
    if (profile && *profile)
        json_object_set_new(in, EC2_M_RunInstancesRequest_IamInstanceProfile,
                            json_pack("{s:s}",
                                      str_startswith(profile, "arn:")
                                          ? EC2_M_IamInstanceProfileSpecification_Arn
                                          : EC2_M_IamInstanceProfileSpecification_Name,
                                      profile));
    json_t *placement = json_object();
    const char *s;
    if ((s = prov_str(p, "AvailabilityZone")))
        json_object_set_new(placement, EC2_M_Placement_AvailabilityZone, json_string(s));
    if ((s = prov_str(p, "Tenancy")))
        json_object_set_new(placement, EC2_M_Placement_Tenancy, json_string(s));
    if ((s = prov_str(p, "PlacementGroupName")))
        json_object_set_new(placement, EC2_M_Placement_GroupName, json_string(s));
    if ((s = prov_str(p, "HostId")))
        json_object_set_new(placement, EC2_M_Placement_HostId, json_string(s));
    if ((s = prov_str(p, "Affinity")))
        json_object_set_new(placement, EC2_M_Placement_Affinity, json_string(s));
    if (json_object_size(placement))
        json_object_set_new(in, EC2_M_RunInstancesRequest_Placement, placement);
    else
        json_decref(placement);
    if ((v = json_object_get(p, "Monitoring")))
        json_object_set_new(in, EC2_M_RunInstancesRequest_Monitoring,
                            json_pack("{s:O}", EC2_M_RunInstancesMonitoringEnabled_Enabled, v));
    if ((v = json_object_get(p, "NetworkInterfaces")) && json_is_array(v)) {
        json_t *nis = json_deep_copy(v);
        size_t i;
        json_t *ni;
        json_array_foreach(nis, i, ni)
        {
            json_t *gs = json_object_get(ni, "GroupSet");
            if (gs) {
                json_object_set(ni, EC2_M_InstanceNetworkInterfaceSpecification_Groups, gs);
                json_object_del(ni, "GroupSet");
            }
        }
        json_object_set_new(in, EC2_M_RunInstancesRequest_NetworkInterfaces, nis);
    }
    add_tag_specs(in, p, "instance");
    return in;
}

static enum cfn_step instance_create(const struct cfn_act *x, struct cfn_res *r)
{
    json_t *out = NULL;
    if (prov_call(x, r, "ec2", "RunInstances", instance_input(r->props), &out, NULL))
        return CFN_FAILED;
    const char *id = json_string_value(
        json_object_get(json_array_get(json_object_get(out, "Instances"), 0), "InstanceId"));
    if (!id) {
        json_decref(out);
        return prov_fail(r, "ec2", 500, "InternalFailure", NULL,
                         "RunInstances returned no "
                         "instance"); /* inferred */
    }
    prov_set_id(x, r, id);
    json_decref(out);
    if (ec2_cfn_stack_tags(x, r, r->physical_id))
        return prov_fail(r, "ec2", 500, "InternalError", NULL, "tagging failed"); /* inferred */
    return CFN_PENDING;
}

/* The instance as DescribeInstances shows it to the principal (new reference), NULL when
 * gone; -1 in *rc on a failed call. */
static json_t *instance_describe(const struct cfn_act *x, struct cfn_res *r, int *rc)
{
    json_t *out = NULL;
    json_t *in = json_pack("{s:[s]}", EC2_M_DescribeInstancesRequest_InstanceIds, r->physical_id);
    *rc = prov_call(x, r, "ec2", "DescribeInstances", in, &out, ok_instance_gone);
    if (*rc)
        return NULL;
    json_t *inst = json_array_get(
        json_object_get(json_array_get(json_object_get(out, "Reservations"), 0), "Instances"), 0);
    if (inst)
        json_incref(inst);
    json_decref(out);
    return inst;
}

static void instance_set_attrs(struct cfn_res *r, const json_t *inst)
{
    static const struct {
        const char *attr, *member;
    } map[] = {{"PrivateDnsName", "PrivateDnsName"}, {"PrivateIp", "PrivateIpAddress"},
               {"PublicDnsName", "PublicDnsName"},   {"PublicIp", "PublicIpAddress"},
               {"InstanceId", "InstanceId"},         {"VpcId", "VpcId"}};
    const char *az =
        json_string_value(json_object_get(json_object_get(inst, "Placement"), "AvailabilityZone"));
    if (az)
        prov_attr(r, "AvailabilityZone", json_string(az));
    for (size_t i = 0; i < ARRAY_LEN(map); i++) {
        const char *v = json_string_value(json_object_get(inst, map[i].member));
        prov_attr(r, map[i].attr, json_string(v ? v : ""));
    }
}

static json_t *volume_describe(const struct cfn_act *x, struct cfn_res *r, const char *id, int *rc);

/*
 * The Volumes property ([{Device, VolumeId}], "No interruption"): attaches every listed volume
 * that is not attached to the running instance yet. CFN_DONE when all are attached,
 * CFN_PENDING while some attach, CFN_FAILED on an error.
 */
static enum cfn_step instance_volumes(const struct cfn_act *x, struct cfn_res *r)
{
    enum cfn_step step = CFN_DONE;
    size_t i;
    json_t *mp;
    json_array_foreach(json_object_get(r->props, "Volumes"), i, mp)
    {
        const char *vol = prov_str(mp, EC2_M_AttachVolumeRequest_VolumeId);
        const char *dev = prov_str(mp, EC2_M_AttachVolumeRequest_Device);
        if (!vol || !dev)
            return prov_invalid(r, "#/Volumes/%zu: required key [VolumeId, Device] not found",
                                i); /* inferred */
        int rc;
        json_t *v = volume_describe(x, r, vol, &rc);
        if (rc < 0)
            return CFN_FAILED;
        const char *state = NULL;
        size_t j;
        json_t *a;
        json_array_foreach(json_object_get(v, "Attachments"), j,
                           a) if (str_eq(prov_str(a, "InstanceId"), r->physical_id)) state =
            prov_str(a, "State");
        bool attached = str_eq(state, "attached"), attaching = str_eq(state, "attaching");
        json_decref(v); /* state pointed into v */
        if (attached)
            continue;
        step = CFN_PENDING;
        if (attaching)
            continue;
        json_t *in = json_pack("{s:s, s:s, s:s}", EC2_M_AttachVolumeRequest_Device, dev,
                               EC2_M_AttachVolumeRequest_InstanceId, r->physical_id,
                               EC2_M_AttachVolumeRequest_VolumeId, vol);
        if (prov_call(x, r, "ec2", "AttachVolume", in, NULL, NULL))
            return CFN_FAILED;
    }
    return step;
}

/* Detaches the volumes of old_props' Volumes that props no longer lists. */
static int instance_detach_removed(const struct cfn_act *x, struct cfn_res *r,
                                   const json_t *old_props)
{
    static const char *const ok_gone[] = {"InvalidVolume.NotFound", "IncorrectState",
                                          "InvalidAttachment.NotFound", NULL};
    size_t i, j;
    json_t *om, *nm;
    json_array_foreach(json_object_get(old_props, "Volumes"), i, om)
    {
        const char *vol = prov_str(om, EC2_M_AttachVolumeRequest_VolumeId);
        bool kept = false;
        json_array_foreach(json_object_get(r->props, "Volumes"), j, nm) kept |=
            str_eq(prov_str(nm, EC2_M_AttachVolumeRequest_VolumeId), vol);
        if (!vol || kept)
            continue;
        json_t *in = json_pack("{s:s, s:s}", EC2_M_DetachVolumeRequest_InstanceId, r->physical_id,
                               EC2_M_DetachVolumeRequest_VolumeId, vol);
        if (prov_call(x, r, "ec2", "DetachVolume", in, NULL, ok_gone) < 0)
            return -1;
    }
    return 0;
}

/* ModifyInstanceAttribute of one attribute member ({"Value": v}); v may be NULL (skipped). */
static int instance_modify(const struct cfn_act *x, struct cfn_res *r, const char *member,
                           const json_t *v)
{
    if (!v)
        return 0;
    json_t *in = json_pack("{s:s, s:{s:O}}", EC2_M_ModifyInstanceAttributeRequest_InstanceId,
                           r->physical_id, member, EC2_M_AttributeValue_Value, v);
    return prov_call(x, r, "ec2", "ModifyInstanceAttribute", in, NULL, NULL) ? -1 : 0;
}

/* The stopped instance of an update: applies the stop/start properties, starts it again. */
static enum cfn_step instance_restart_stopped(const struct cfn_act *x, struct cfn_res *r)
{
    if (instance_modify(x, r, EC2_M_ModifyInstanceAttributeRequest_InstanceType,
                        json_object_get(r->props, EC2_M_RunInstancesRequest_InstanceType)) ||
        instance_modify(x, r, EC2_M_ModifyInstanceAttributeRequest_EbsOptimized,
                        json_object_get(r->props, EC2_M_RunInstancesRequest_EbsOptimized)))
        return CFN_FAILED;
    const char *ud = prov_str(r->props, EC2_M_RunInstancesRequest_UserData);
    if (ud) {
        /* the Attribute/Value form keeps the base64 text as RunInstances stored it */
        json_t *in = json_pack("{s:s, s:s, s:s}", EC2_M_ModifyInstanceAttributeRequest_InstanceId,
                               r->physical_id, EC2_M_ModifyInstanceAttributeRequest_Attribute,
                               "userData", EC2_M_ModifyInstanceAttributeRequest_Value, ud);
        if (prov_call(x, r, "ec2", "ModifyInstanceAttribute", in, NULL, NULL))
            return CFN_FAILED;
    }
    json_t *in = json_pack("{s:[s]}", EC2_M_StartInstancesRequest_InstanceIds, r->physical_id);
    return prov_call(x, r, "ec2", "StartInstances", in, NULL, NULL) ? CFN_FAILED : CFN_PENDING;
}

/*
 * Polls a pending create, update or delete. The engine keeps no provider state between
 * calls, so the instance's state says which: pending -> still launching (or restarting),
 * running -> created/updated, stopping -> an update stopping it, stopped -> an update to
 * apply and restart, shutting-down -> still terminating, terminated or gone -> deleted. (An
 * instance that dies while launching therefore reads as done; its id stays valid.)
 */
static enum cfn_step instance_check(const struct cfn_act *x, struct cfn_res *r)
{
    int rc;
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *inst = instance_describe(x, r, &rc);
    if (rc < 0)
        return CFN_FAILED;
    const char *state =
        inst ? json_string_value(json_object_get(json_object_get(inst, "State"), "Name")) : NULL;
    enum cfn_step step = CFN_DONE;
    if (str_eq(state, "pending") || str_eq(state, "shutting-down") || str_eq(state, "stopping"))
        step = CFN_PENDING;
    else if (str_eq(state, "stopped"))
        step = instance_restart_stopped(x, r);
    else if (str_eq(state, "running") && (step = instance_volumes(x, r)) == CFN_DONE)
        instance_set_attrs(r, inst);
    if (inst)
        json_decref(inst);
    return step;
}

static int instance_profile_update(const struct cfn_act *x, struct cfn_res *r)
{
    const char *want = prov_str(r->props, "IamInstanceProfile");
    json_t *out = NULL;
    json_t *in =
        json_pack("{s:[{s:s, s:[s]}]}", EC2_M_DescribeIamInstanceProfileAssociationsRequest_Filters,
                  EC2_M_Filter_Name, "instance-id", EC2_M_Filter_Values, r->physical_id);
    if (prov_call(x, r, "ec2", "DescribeIamInstanceProfileAssociations", in, &out, NULL))
        return -1;
    const char *assoc = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(out, "IamInstanceProfileAssociations"), i, a)
    {
        const char *st = prov_str(a, "State");
        if (str_eq(st, "associated") || str_eq(st, "associating"))
            assoc = arena_strdup(x->c->a, prov_str(a, "AssociationId"));
    }
    json_decref(out);
    json_t *spec = NULL;
    if (want && *want)
        spec = json_pack("{s:s}",
                         str_startswith(want, "arn:") ? EC2_M_IamInstanceProfileSpecification_Arn
                                                      : EC2_M_IamInstanceProfileSpecification_Name,
                         want);
    if (assoc && spec)
        in = json_pack("{s:s, s:o}",
                       EC2_M_ReplaceIamInstanceProfileAssociationRequest_AssociationId, assoc,
                       EC2_M_ReplaceIamInstanceProfileAssociationRequest_IamInstanceProfile, spec);
    else if (spec)
        in = json_pack("{s:s, s:o}", EC2_M_AssociateIamInstanceProfileRequest_InstanceId,
                       r->physical_id, EC2_M_AssociateIamInstanceProfileRequest_IamInstanceProfile,
                       spec);
    else if (assoc)
        in = json_pack("{s:s}", EC2_M_DisassociateIamInstanceProfileRequest_AssociationId, assoc);
    else
        return 0;
    const char *op = assoc && spec ? "ReplaceIamInstanceProfileAssociation"
                     : spec        ? "AssociateIamInstanceProfile"
                                   : "DisassociateIamInstanceProfile";
    return prov_call(x, r, "ec2", op, in, NULL, NULL) ? -1 : 0;
}

static enum cfn_step instance_update(const struct cfn_act *x, struct cfn_res *r,
                                     const json_t *old_props)
{
    const char *k;
    json_t *v;
    bool restart = false;
    json_t *all = json_deep_copy(r->props);
    json_object_update_missing(all, (json_t *)old_props);
    json_object_foreach(all, k, v)
    {
        if (!prov_changed(json_object_get(old_props, k), json_object_get(r->props, k)))
            continue;
        bool inplace = false, stop = false;
        for (size_t i = 0; instance_inplace[i]; i++)
            inplace |= str_eq(instance_inplace[i], k);
        for (size_t i = 0; instance_restart[i]; i++)
            stop |= str_eq(instance_restart[i], k);
        restart |= stop;
        if (!inplace && !stop) {
            /* e.g. Monitoring, CreditSpecification: not applied by the lab (inferred) */
            prov_invalid(r,
                         "#/%s: updating this property of an existing instance is not "
                         "supported by recoverlab",
                         k);
            json_decref(all);
            return CFN_FAILED;
        }
    }
    json_decref(all);
    if (update_tags(x, r, r->physical_id, old_props))
        return CFN_FAILED;
    if (prov_changed(json_object_get(old_props, "IamInstanceProfile"),
                     json_object_get(r->props, "IamInstanceProfile")) &&
        instance_profile_update(x, r))
        return CFN_FAILED;
    static const struct {
        const char *prop, *member;
    } direct[] = {{EC2_M_RunInstancesRequest_DisableApiTermination,
                   EC2_M_ModifyInstanceAttributeRequest_DisableApiTermination},
                  {EC2_M_RunInstancesRequest_InstanceInitiatedShutdownBehavior,
                   EC2_M_ModifyInstanceAttributeRequest_InstanceInitiatedShutdownBehavior},
                  {"SourceDestCheck", EC2_M_ModifyInstanceAttributeRequest_SourceDestCheck}};
    for (size_t i = 0; i < ARRAY_LEN(direct); i++) {
        const json_t *nv = json_object_get(r->props, direct[i].prop);
        if (prov_changed(json_object_get(old_props, direct[i].prop), nv) &&
            instance_modify(x, r, direct[i].member, nv))
            return CFN_FAILED;
    }
    const json_t *sg = json_object_get(r->props, EC2_M_RunInstancesRequest_SecurityGroupIds);
    if (prov_changed(json_object_get(old_props, EC2_M_RunInstancesRequest_SecurityGroupIds), sg) &&
        json_array_size(sg)) {
        json_t *in = json_pack("{s:s, s:O}", EC2_M_ModifyInstanceAttributeRequest_InstanceId,
                               r->physical_id, EC2_M_ModifyInstanceAttributeRequest_Groups, sg);
        if (prov_call(x, r, "ec2", "ModifyInstanceAttribute", in, NULL, NULL))
            return CFN_FAILED;
    }
    if (prov_changed(json_object_get(old_props, "Volumes"), json_object_get(r->props, "Volumes")) &&
        instance_detach_removed(x, r, old_props))
        return CFN_FAILED;
    if (restart) {
        json_t *in = json_pack("{s:[s]}", EC2_M_StopInstancesRequest_InstanceIds, r->physical_id);
        return prov_call(x, r, "ec2", "StopInstances", in, NULL, NULL) ? CFN_FAILED : CFN_PENDING;
    }
    if (json_array_size(json_object_get(r->props, "Volumes"))) {
        enum cfn_step vs = instance_volumes(x, r);
        if (vs != CFN_DONE)
            return vs; /* check finishes the attachments */
    }
    int rc;
    json_t *inst = instance_describe(x, r, &rc);
    if (rc < 0)
        return CFN_FAILED;
    if (inst) {
        instance_set_attrs(r, inst);
        json_decref(inst);
    }
    return CFN_DONE;
}

static enum cfn_step instance_delete(const struct cfn_act *x, struct cfn_res *r)
{
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:[s]}", EC2_M_TerminateInstancesRequest_InstanceIds, r->physical_id);
    int rc = prov_call(x, r, "ec2", "TerminateInstances", in, NULL, ok_instance_gone);
    if (rc < 0)
        return CFN_FAILED;
    if (rc == 1)
        return CFN_DONE;
    return CFN_PENDING;
}

static const struct cfn_provider prov_ec2_instance = {
    .type = "AWS::EC2::Instance",
    .create = instance_create,
    .check = instance_check,
    .update = instance_update,
    .del = instance_delete,
    .replace_props = instance_replace,
    .name_prop = NULL,
    .name_max = 0,
    .attrs = instance_attrs,
};

/* ------------------------------------------------------------------ AWS::EC2::Volume */

static const char *const volume_direct[] = {EC2_M_CreateVolumeRequest_AvailabilityZone,
                                            EC2_M_CreateVolumeRequest_Encrypted,
                                            EC2_M_CreateVolumeRequest_Iops,
                                            EC2_M_CreateVolumeRequest_KmsKeyId,
                                            EC2_M_CreateVolumeRequest_OutpostArn,
                                            EC2_M_CreateVolumeRequest_Size,
                                            EC2_M_CreateVolumeRequest_SnapshotId,
                                            EC2_M_CreateVolumeRequest_VolumeType,
                                            EC2_M_CreateVolumeRequest_MultiAttachEnabled,
                                            EC2_M_CreateVolumeRequest_Throughput,
                                            NULL};
/* createOnly in the registry schema [doc]; AvailabilityZone too (a volume cannot move) */
static const char *const volume_replace[] = {
    EC2_M_CreateVolumeRequest_AvailabilityZone, EC2_M_CreateVolumeRequest_Encrypted,
    EC2_M_CreateVolumeRequest_KmsKeyId,         EC2_M_CreateVolumeRequest_OutpostArn,
    EC2_M_CreateVolumeRequest_SnapshotId,       NULL};
static const char *const volume_attrs[] = {"VolumeId", NULL};

/* The volume (new reference) or NULL when gone; *rc -1 on a failed call. */
static json_t *volume_describe(const struct cfn_act *x, struct cfn_res *r, const char *id, int *rc)
{
    json_t *out = NULL;
    json_t *in = json_pack("{s:[s]}", EC2_M_DescribeVolumesRequest_VolumeIds, id);
    *rc = prov_call(x, r, "ec2", "DescribeVolumes", in, &out, ok_volume_gone);
    if (*rc)
        return NULL;
    json_t *v = json_array_get(json_object_get(out, "Volumes"), 0);
    if (v)
        json_incref(v);
    json_decref(out);
    return v;
}

static enum cfn_step volume_create(const struct cfn_act *x, struct cfn_res *r)
{
    json_t *out = NULL;
    json_t *in = prov_pick(r->props, volume_direct);
    add_tag_specs(in, r->props, "volume");
    if (prov_call(x, r, "ec2", "CreateVolume", in, &out, NULL))
        return CFN_FAILED;
    const char *id = prov_str(out, "VolumeId");
    if (!id) {
        json_decref(out);
        return prov_fail(r, "ec2", 500, "InternalFailure", NULL,
                         "CreateVolume returned no volume"); /* inferred */
    }
    prov_set_id(x, r, id);
    prov_attr(r, "VolumeId", json_string(id));
    json_decref(out);
    if (ec2_cfn_stack_tags(x, r, r->physical_id))
        return prov_fail(r, "ec2", 500, "InternalError", NULL, "tagging failed"); /* inferred */
    return CFN_PENDING;
}

/* Polls a pending create (creating -> available) or delete (deleting -> gone). */
static enum cfn_step volume_check(const struct cfn_act *x, struct cfn_res *r)
{
    int rc;
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *v = volume_describe(x, r, r->physical_id, &rc);
    if (rc < 0)
        return CFN_FAILED;
    const char *state = v ? prov_str(v, "State") : NULL;
    enum cfn_step step = CFN_DONE;
    if (str_eq(state, "creating") || str_eq(state, "deleting"))
        step = CFN_PENDING;
    else if (str_eq(state, "error"))
        step = prov_invalid(r, "Volume %s failed to stabilize: it is in state error",
                            r->physical_id); /* inferred */
    if (v)
        json_decref(v);
    return step;
}

static enum cfn_step volume_update(const struct cfn_act *x, struct cfn_res *r,
                                   const json_t *old_props)
{
    static const char *const modify[] = {
        "Size", "Iops", "VolumeType", "Throughput", "MultiAttachEnabled", "AutoEnableIO", NULL};
    for (size_t i = 0; modify[i]; i++)
        if (prov_changed(json_object_get(old_props, modify[i]),
                         json_object_get(r->props, modify[i])))
            return prov_invalid(r, "#/%s: modifying a volume is not supported by recoverlab",
                                modify[i]); /* inferred */
    if (update_tags(x, r, r->physical_id, old_props))
        return CFN_FAILED;
    prov_attr(r, "VolumeId", json_string(r->physical_id));
    return CFN_DONE;
}

static enum cfn_step volume_delete(const struct cfn_act *x, struct cfn_res *r)
{
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    /* a volume still being created (a rollback cancelled its creation) is deleted once it
     * has settled, as AWS's handler waits for it */
    int drc;
    json_t *v = volume_describe(x, r, r->physical_id, &drc);
    if (drc < 0)
        return CFN_FAILED;
    bool settling = v && str_eq(prov_str(v, "State"), "creating");
    if (v)
        json_decref(v);
    if (settling) {
        r->again = true;
        return CFN_PENDING;
    }
    json_t *in = json_pack("{s:s}", EC2_M_DeleteVolumeRequest_VolumeId, r->physical_id);
    int rc = prov_call(x, r, "ec2", "DeleteVolume", in, NULL, ok_volume_gone);
    if (rc < 0)
        return CFN_FAILED;
    if (rc == 1)
        return CFN_DONE;
    return CFN_PENDING;
}

static const struct cfn_provider prov_ec2_volume = {
    .type = "AWS::EC2::Volume",
    .create = volume_create,
    .check = volume_check,
    .update = volume_update,
    .del = volume_delete,
    .replace_props = volume_replace,
    .attrs = volume_attrs,
};

/* ------------------------------------------------------------ AWS::EC2::VolumeAttachment */

static const char *const attach_replace[] = {EC2_M_AttachVolumeRequest_Device,
                                             EC2_M_AttachVolumeRequest_InstanceId,
                                             EC2_M_AttachVolumeRequest_VolumeId, NULL};
static const char *const attach_attrs[] = {NULL};

static enum cfn_step attach_create(const struct cfn_act *x, struct cfn_res *r)
{
    json_t *in = prov_pick(r->props, attach_replace);
    if (prov_call(x, r, "ec2", "AttachVolume", in, NULL, NULL))
        return CFN_FAILED;
    /* the physical id of an attachment is generated (inferred form) */
    prov_set_id(x, r, prov_name(x, r, "__none", 255));
    return CFN_PENDING;
}

/* Polls a pending attach (attaching -> attached) or detach (detaching -> detached/gone). */
static enum cfn_step attach_check(const struct cfn_act *x, struct cfn_res *r)
{
    int rc = 0;
    const char *vol = prov_str(r->props, EC2_M_AttachVolumeRequest_VolumeId);
    const char *inst = prov_str(r->props, EC2_M_AttachVolumeRequest_InstanceId);
    json_t *v = vol ? volume_describe(x, r, vol, &rc) : NULL;
    if (rc < 0)
        return CFN_FAILED;
    const char *state = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(v, "Attachments"), i,
                       a) if (str_eq(prov_str(a, "InstanceId"), inst)) state = prov_str(a, "State");
    enum cfn_step step = CFN_DONE;
    if (str_eq(state, "attaching") || str_eq(state, "detaching"))
        step = CFN_PENDING;
    if (v)
        json_decref(v);
    return step;
}

/* Every property requires replacement: an update only happens when nothing changed. */
static enum cfn_step attach_update(const struct cfn_act *x, struct cfn_res *r,
                                   const json_t *old_props)
{
    (void)x;
    (void)old_props;
    (void)r;
    return CFN_DONE;
}

static enum cfn_step attach_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const ok_gone[] = {"InvalidVolume.NotFound", "InvalidInstanceID.NotFound",
                                          "IncorrectState", "InvalidAttachment.NotFound", NULL};
    if (!prov_str(r->props, EC2_M_DetachVolumeRequest_VolumeId))
        return CFN_DONE;
    if (attach_check(x, r) == CFN_PENDING) { /* still attaching: detach once attached */
        r->again = true;
        return CFN_PENDING;
    }
    json_t *in = prov_pick(r->props, attach_replace);
    int rc = prov_call(x, r, "ec2", "DetachVolume", in, NULL, ok_gone);
    if (rc < 0)
        return CFN_FAILED;
    if (rc == 1)
        return CFN_DONE;
    return CFN_PENDING;
}

static const struct cfn_provider prov_ec2_volume_attachment = {
    .type = "AWS::EC2::VolumeAttachment",
    .create = attach_create,
    .check = attach_check,
    .update = attach_update,
    .del = attach_delete,
    .replace_props = attach_replace,
    .attrs = attach_attrs,
};

/* The providers of this service, for its module (.providers). */
const struct cfn_provider *const ec2_cfn_providers[] = {
    &prov_ec2_instance,
    &prov_ec2_volume,
    &prov_ec2_volume_attachment,
    /* cfn_ec2_net.c */
    &ec2_cfn_sg,
    &ec2_cfn_sg_ingress,
    &ec2_cfn_sg_egress,
    &ec2_cfn_key,
    &ec2_cfn_eip,
    &ec2_cfn_eipa,
    &ec2_cfn_eni,
    &ec2_cfn_lt,
    /* cfn_ec2_vpc.c */
    &ec2_cfn_vpc,
    &ec2_cfn_subnet,
    &ec2_cfn_route_table,
    &ec2_cfn_route,
    &ec2_cfn_subnet_rt_assoc,
    &ec2_cfn_igw,
    &ec2_cfn_vpc_gw_attachment,
    NULL,
};
