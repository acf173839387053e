/*
 * attrs.c — settings of an instance after launch: ModifyInstanceAttribute,
 * DescribeInstanceAttribute, ModifyInstanceMaintenanceOptions, ModifyInstanceMetadataOptions.
 *
 * ModifyInstanceAttribute changes one attribute per request [doc], given either as
 * Attribute + Value or as its own member. instanceType, userData, ebsOptimized and
 * enaSupport need a stopped instance [doc].
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

/* Base64 of raw bytes (arena). */
static char *b64(struct call *c, const char *p, size_t n)
{
    char *out = arena_alloc(c->a, 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)p, (int)n);
    return out;
}

static int not_stopped(struct call *c, const struct ec2_instance *in)
{
    return call_fail(c, 400, "IncorrectInstanceState",
                     "The instance '%s' is not in the 'stopped' state.", in->id); /* [obs] */
}

static int bool_value(struct call *c, const char *attr, const char *v, bool *out)
{
    if (str_eq(v, "true") || str_eq(v, "True")) {
        *out = true;
        return 0;
    }
    if (str_eq(v, "false") || str_eq(v, "False")) {
        *out = false;
        return 0;
    }
    return call_fail(c, 400, "InvalidParameterValue", "Value (%s) for parameter %s is invalid.",
                     v ? v : "", attr); /* inferred */
}

/* The structured members of ModifyInstanceAttribute and the attribute each sets. */
static const char *const members[][2] = {
    {EC2_M_ModifyInstanceAttributeRequest_SourceDestCheck, "sourceDestCheck"},
    {EC2_M_ModifyInstanceAttributeRequest_DisableApiStop, "disableApiStop"},
    {EC2_M_ModifyInstanceAttributeRequest_DisableApiTermination, "disableApiTermination"},
    {EC2_M_ModifyInstanceAttributeRequest_InstanceType, "instanceType"},
    {EC2_M_ModifyInstanceAttributeRequest_Kernel, "kernel"},
    {EC2_M_ModifyInstanceAttributeRequest_Ramdisk, "ramdisk"},
    {EC2_M_ModifyInstanceAttributeRequest_UserData, "userData"},
    {EC2_M_ModifyInstanceAttributeRequest_InstanceInitiatedShutdownBehavior,
     "instanceInitiatedShutdownBehavior"},
    {EC2_M_ModifyInstanceAttributeRequest_Groups, "groupSet"},
    {EC2_M_ModifyInstanceAttributeRequest_EbsOptimized, "ebsOptimized"},
    {EC2_M_ModifyInstanceAttributeRequest_SriovNetSupport, "sriovNetSupport"},
    {EC2_M_ModifyInstanceAttributeRequest_EnaSupport, "enaSupport"},
    {EC2_M_ModifyInstanceAttributeRequest_BlockDeviceMappings, "blockDeviceMapping"},
};

/*
 * ModifyInstanceAttribute: one of sourceDestCheck, disableApiStop, disableApiTermination,
 * instanceType (a known type; stopped), userData (stopped), instanceInitiatedShutdownBehavior
 * (stop | terminate), groupSet (security groups of the default VPC), ebsOptimized and
 * enaSupport (stopped), sriovNetSupport (simple), blockDeviceMapping (DeleteOnTermination of
 * attached volumes). kernel and ramdisk do not apply to HVM images.
 */
int ec2_modify_instance_attribute(struct call *c, const json_t *in, struct out *o)
{
    struct ec2_instance inst;
    json_t *doc = NULL;
    const char *id =
        json_string_value(json_object_get(in, EC2_M_ModifyInstanceAttributeRequest_InstanceId));
    if (!ec2_call_region(c) || ec2_instance_find(c, id, &inst, &doc))
        return -1;
    int rc = -1;
    const char *attr =
        json_string_value(json_object_get(in, EC2_M_ModifyInstanceAttributeRequest_Attribute));
    const char *text =
        json_string_value(json_object_get(in, EC2_M_ModifyInstanceAttributeRequest_Value));
    const json_t *member = NULL;
    struct buf names = BUF_INIT;
    int n = attr ? 1 : 0;
    if (attr)
        buf_puts(&names, attr);
    for (size_t i = 0; i < ARRAY_LEN(members); i++) {
        const json_t *m = json_object_get(in, members[i][0]);
        if (!m)
            continue;
        buf_printf(&names, "%s%s", names.len ? ", " : "", members[i][1]);
        if (n++ == 0) {
            attr = members[i][1];
            member = m;
        }
    }
    if (n > 1) {
        call_fail(c, 400, "InvalidParameterCombination",
                  "Fields for multiple attribute types specified: %s", names.p); /* [obs] */
        goto out;
    }
    if (n == 0) {
        call_fail(c, 400, "MissingParameter",
                  "The request must contain the parameter attribute"); /* inferred */
        goto out;
    }
    /* the value: Value=... or the member's Value */
    const json_t *mv =
        json_is_object(member) ? json_object_get(member, EC2_M_AttributeValue_Value) : NULL;
    if (!member && !text && !str_eq(attr, "groupSet") && !str_eq(attr, "blockDeviceMapping")) {
        call_fail(c, 400, "MissingParameter",
                  "The request must contain the parameter value"); /* inferred */
        goto out;
    }
    bool b = false;
    if (str_eq(attr, "sourceDestCheck") || str_eq(attr, "disableApiStop") ||
        str_eq(attr, "disableApiTermination") || str_eq(attr, "ebsOptimized") ||
        str_eq(attr, "enaSupport")) {
        if (member)
            b = json_is_true(mv);
        else if (bool_value(c, attr, text, &b))
            goto out;
        if ((str_eq(attr, "ebsOptimized") || str_eq(attr, "enaSupport")) &&
            inst.state != EC2_STOPPED) {
            not_stopped(c, &inst);
            goto out;
        }
        if (ec2_dry_run(c, in))
            goto out;
        const char *key = str_eq(attr, "sourceDestCheck")         ? "SourceDestCheck"
                          : str_eq(attr, "disableApiStop")        ? "_disable_api_stop"
                          : str_eq(attr, "disableApiTermination") ? "_disable_api_termination"
                          : str_eq(attr, "ebsOptimized")          ? "EbsOptimized"
                                                                  : "EnaSupport";
        json_object_set_new(doc, key, json_boolean(b));
    } else if (str_eq(attr, "instanceType")) {
        const char *t = member ? json_string_value(mv) : text;
        const struct ec2_type_info *ti = ec2_type_find(t);
        if (!ti) {
            call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for InstanceType.",
                      t ? t : ""); /* [obs] */
            goto out;
        }
        if (inst.state != EC2_STOPPED) {
            not_stopped(c, &inst);
            goto out;
        }
        if (!str_eq(ec2_type_arch(ti), json_string_value(json_object_get(doc, "Architecture")))) {
            call_fail(c, 400, "InvalidParameterValue",
                      "The instance type '%s' does not support the '%s' architecture of the "
                      "instance.",
                      ti->name,
                      json_string_value(json_object_get(doc, "Architecture"))); /* inferred */
            goto out;
        }
        if (ec2_dry_run(c, in))
            goto out;
        snprintf(inst.type, sizeof(inst.type), "%s", ti->name);
        int cores, threads;
        ec2_type_cpu(ti, &cores, &threads);
        json_object_set_new(doc, "CpuOptions",
                            json_pack("{s:i, s:i}", "CoreCount", cores, "ThreadsPerCore", threads));
    } else if (str_eq(attr, "userData")) {
        if (inst.state != EC2_STOPPED) {
            not_stopped(c, &inst);
            goto out;
        }
        if (ec2_dry_run(c, in))
            goto out;
        /* the member is a blob (raw bytes in the input tree); Value= is the text as given */
        const char *ud = member ? b64(c, json_string_value(mv), json_string_length(mv)) : text;
        json_object_set_new(doc, "_user_data", json_string(ud ? ud : ""));
    } else if (str_eq(attr, "instanceInitiatedShutdownBehavior")) {
        const char *v = member ? json_string_value(mv) : text;
        if (!str_eq(v, "stop") && !str_eq(v, "terminate")) {
            call_fail(c, 400, "InvalidParameterValue",
                      "Value (%s) for parameter instanceInitiatedShutdownBehavior is invalid.",
                      v ? v : ""); /* inferred */
            goto out;
        }
        if (ec2_dry_run(c, in))
            goto out;
        json_object_set_new(doc, "_shutdown_behavior", json_string(v));
    } else if (str_eq(attr, "groupSet")) {
        json_t *ids = json_is_array(member) ? json_incref((json_t *)member) : json_array();
        if (!member && text)
            json_array_append_new(ids, json_string(text));
        json_t *groups = NULL;
        int grc = json_array_size(ids) == 0
                      ? call_fail(c, 400, "MissingParameter",
                                  "The request must contain the parameter groupId") /* inferred */
                      : ec2_groups_resolve(c, ids, NULL, &groups);
        json_decref(ids);
        if (grc || ec2_dry_run(c, in)) {
            json_decref(groups);
            goto out;
        }
        json_object_set_new(doc, "SecurityGroups", groups);
    } else if (str_eq(attr, "sriovNetSupport")) {
        const char *v = member ? json_string_value(mv) : text;
        if (!str_eq(v, "simple")) {
            call_fail(c, 400, "InvalidParameterValue",
                      "Value (%s) for parameter sriovNetSupport is invalid.", v ? v : "");
            goto out;
        }
        if (ec2_dry_run(c, in))
            goto out;
        json_object_set_new(doc, "SriovNetSupport", json_string("simple"));
    } else if (str_eq(attr, "blockDeviceMapping")) {
        size_t i;
        const json_t *e;
        json_array_foreach(member, i, e)
        {
            const char *dev = json_string_value(
                json_object_get(e, EC2_M_InstanceBlockDeviceMappingSpecification_DeviceName));
            const json_t *dot = json_object_get(
                json_object_get(e, EC2_M_InstanceBlockDeviceMappingSpecification_Ebs),
                EC2_M_EbsInstanceBlockDeviceSpecification_DeleteOnTermination);
            if (!json_is_boolean(dot))
                continue;
            if (json_is_true(json_object_get(in, EC2_M_ModifyInstanceAttributeRequest_DryRun)))
                continue;
            int r = ec2_volume_set_dot(c->st, inst.id, dev, json_is_true(dot));
            if (r < 0)
                goto out;
            if (r == 1) {
                call_fail(c, 400, "InvalidInstanceAttributeValue",
                          "No device is currently mapped at %s", dev ? dev : ""); /* inferred */
                goto out;
            }
        }
        if (ec2_dry_run(c, in))
            goto out;
    } else if (str_eq(attr, "kernel") || str_eq(attr, "ramdisk")) {
        call_fail(c, 400, "InvalidParameterValue",
                  "Value (%s) for parameter %s is invalid. The instance uses HVM "
                  "virtualization.",
                  member ? json_string_value(mv) : text, attr); /* inferred */
        goto out;
    } else {
        call_fail(c, 400, "InvalidParameterValue",
                  "Value (%s) for parameter attribute is invalid. Unknown attribute.",
                  attr); /* [moto] */
        goto out;
    }
    rc = ec2_instance_save(c, &inst, doc);
out:
    buf_free(&names);
    json_decref(doc);
    (void)o;
    return rc;
}

static void out_value(struct out *o, const char *member, const char *v)
{
    out_begin(o, member);
    out_str(o, "Value", v);
    out_end(o);
}

static void out_bvalue(struct out *o, const char *member, bool v)
{
    out_begin(o, member);
    out_bool(o, "Value", v);
    out_end(o);
}

/* DescribeInstanceAttribute: the one attribute asked for, in AWS's output member. */
int ec2_describe_instance_attribute(struct call *c, const json_t *in, struct out *o)
{
    struct ec2_instance inst;
    json_t *doc = NULL;
    const char *id =
        json_string_value(json_object_get(in, EC2_M_DescribeInstanceAttributeRequest_InstanceId));
    const char *attr =
        json_string_value(json_object_get(in, EC2_M_DescribeInstanceAttributeRequest_Attribute));
    if (!ec2_call_region(c) || ec2_instance_find(c, id, &inst, &doc))
        return -1;
    int rc = -1;
    static const char *const known[] = {"instanceType",
                                        "kernel",
                                        "ramdisk",
                                        "userData",
                                        "disableApiTermination",
                                        "instanceInitiatedShutdownBehavior",
                                        "rootDeviceName",
                                        "blockDeviceMapping",
                                        "productCodes",
                                        "sourceDestCheck",
                                        "groupSet",
                                        "ebsOptimized",
                                        "sriovNetSupport",
                                        "enaSupport",
                                        "enclaveOptions",
                                        "disableApiStop"};
    bool ok = false;
    for (size_t i = 0; i < ARRAY_LEN(known) && !ok; i++)
        ok = str_eq(known[i], attr);
    if (!ok) {
        call_fail(c, 400, "InvalidParameterValue",
                  "Value (%s) for parameter attribute is invalid. Unknown attribute.",
                  attr ? attr : ""); /* [moto] */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    out_str(o, "InstanceId", inst.id);
    if (str_eq(attr, "instanceType")) {
        out_value(o, "InstanceType", inst.type);
    } else if (str_eq(attr, "kernel")) {
        out_begin(o, "KernelId");
        out_end(o);
    } else if (str_eq(attr, "ramdisk")) {
        out_begin(o, "RamdiskId");
        out_end(o);
    } else if (str_eq(attr, "userData")) {
        out_value(o, "UserData", json_string_value(json_object_get(doc, "_user_data")));
    } else if (str_eq(attr, "disableApiTermination")) {
        out_bvalue(o, "DisableApiTermination",
                   json_is_true(json_object_get(doc, "_disable_api_termination")));
    } else if (str_eq(attr, "disableApiStop")) {
        out_bvalue(o, "DisableApiStop", json_is_true(json_object_get(doc, "_disable_api_stop")));
    } else if (str_eq(attr, "instanceInitiatedShutdownBehavior")) {
        const char *v = json_string_value(json_object_get(doc, "_shutdown_behavior"));
        out_value(o, "InstanceInitiatedShutdownBehavior", v ? v : "stop");
    } else if (str_eq(attr, "rootDeviceName")) {
        out_value(o, "RootDeviceName", json_string_value(json_object_get(doc, "RootDeviceName")));
    } else if (str_eq(attr, "blockDeviceMapping")) {
        json_t *bdm = ec2_instance_bdm(c->st, inst.id);
        out_json(o, "BlockDeviceMappings", bdm);
        json_decref(bdm);
    } else if (str_eq(attr, "productCodes")) {
        out_begin(o, "ProductCodes");
        out_end(o);
    } else if (str_eq(attr, "sourceDestCheck")) {
        out_bvalue(o, "SourceDestCheck", json_is_true(json_object_get(doc, "SourceDestCheck")));
    } else if (str_eq(attr, "groupSet")) {
        out_json(o, "Groups", json_object_get(doc, "SecurityGroups"));
    } else if (str_eq(attr, "ebsOptimized")) {
        out_bvalue(o, "EbsOptimized", json_is_true(json_object_get(doc, "EbsOptimized")));
    } else if (str_eq(attr, "sriovNetSupport")) {
        out_value(o, "SriovNetSupport", json_string_value(json_object_get(doc, "SriovNetSupport")));
    } else if (str_eq(attr, "enaSupport")) {
        out_bvalue(o, "EnaSupport", json_is_true(json_object_get(doc, "EnaSupport")));
    } else {
        out_begin(o, "EnclaveOptions");
        out_bool(o, "Enabled", false);
        out_end(o);
    }
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

/* A terminated (or terminating) instance takes no more settings (inferred). */
static int settable(struct call *c, const struct ec2_instance *in)
{
    if (in->state == EC2_TERMINATED || in->state == EC2_SHUTTING_DOWN)
        return call_fail(c, 400, "IncorrectInstanceState",
                         "The instance '%s' is not in a valid state for this operation.",
                         in->id); /* inferred */
    return 0;
}

/*
 * ModifyInstanceMaintenanceOptions: AutoRecovery default | disabled (simplified automatic
 * recovery; health.c reads the column), RebootMigration accepted and echoed.
 */
int ec2_modify_instance_maintenance_options(struct call *c, const json_t *in, struct out *o)
{
    struct ec2_instance inst;
    json_t *doc = NULL;
    const char *id = json_string_value(
        json_object_get(in, EC2_M_ModifyInstanceMaintenanceOptionsRequest_InstanceId));
    const char *ar = json_string_value(
        json_object_get(in, EC2_M_ModifyInstanceMaintenanceOptionsRequest_AutoRecovery));
    const char *rm = json_string_value(
        json_object_get(in, EC2_M_ModifyInstanceMaintenanceOptionsRequest_RebootMigration));
    if (!ec2_call_region(c) || ec2_instance_find(c, id, &inst, &doc))
        return -1;
    int rc = -1;
    if (settable(c, &inst))
        goto out;
    if (ar && !str_eq(ar, "default") && !str_eq(ar, "disabled")) {
        call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for AutoRecovery.",
                  ar); /* inferred */
        goto out;
    }
    if (rm && !str_eq(rm, "default") && !str_eq(rm, "disabled")) {
        call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for RebootMigration.",
                  rm); /* inferred */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    if (ar)
        snprintf(inst.auto_recovery, sizeof(inst.auto_recovery), "%s", ar);
    if (ec2_instance_save(c, &inst, doc))
        goto out;
    out_str(o, "InstanceId", inst.id);
    out_str(o, "AutoRecovery", inst.auto_recovery);
    out_str(o, "RebootMigration", rm ? rm : "default");
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

/*
 * ModifyInstanceMetadataOptions: HttpTokens optional | required, HttpPutResponseHopLimit
 * 1..64, HttpEndpoint, HttpProtocolIpv6, InstanceMetadataTags enabled | disabled; members
 * not given keep their value. The answer shows State pending [doc]; it applies at once.
 */
int ec2_modify_instance_metadata_options(struct call *c, const json_t *in, struct out *o)
{
    struct ec2_instance inst;
    json_t *doc = NULL;
    const char *id = json_string_value(
        json_object_get(in, EC2_M_ModifyInstanceMetadataOptionsRequest_InstanceId));
    if (!ec2_call_region(c) || ec2_instance_find(c, id, &inst, &doc))
        return -1;
    int rc = -1;
    if (settable(c, &inst))
        goto out;
    json_t *md = json_object_get(doc, "MetadataOptions");
    if (!json_is_object(md)) {
        md = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "State", "applied", "HttpTokens",
                       "optional", "HttpPutResponseHopLimit", 1, "HttpEndpoint", "enabled",
                       "HttpProtocolIpv6", "disabled", "InstanceMetadataTags", "disabled");
        json_object_set_new(doc, "MetadataOptions", md);
    }
    static const char *const keys[][3] = {
        {EC2_M_ModifyInstanceMetadataOptionsRequest_HttpTokens, "optional", "required"},
        {EC2_M_ModifyInstanceMetadataOptionsRequest_HttpEndpoint, "enabled", "disabled"},
        {EC2_M_ModifyInstanceMetadataOptionsRequest_HttpProtocolIpv6, "enabled", "disabled"},
        {EC2_M_ModifyInstanceMetadataOptionsRequest_InstanceMetadataTags, "enabled", "disabled"},
    };
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        const char *v = json_string_value(json_object_get(in, keys[i][0]));
        if (v && !str_eq(v, keys[i][1]) && !str_eq(v, keys[i][2])) {
            call_fail(c, 400, "InvalidParameterValue", "Invalid value '%s' for %s.", v,
                      keys[i][0]); /* inferred */
            goto out;
        }
    }
    const json_t *hops =
        json_object_get(in, EC2_M_ModifyInstanceMetadataOptionsRequest_HttpPutResponseHopLimit);
    if (hops && (json_integer_value(hops) < 1 || json_integer_value(hops) > 64)) {
        call_fail(c, 400, "InvalidParameterValue",
                  "The HttpPutResponseHopLimit value must be between 1 and 64. Specify a value "
                  "between 1 and 64, and try again."); /* inferred */
        goto out;
    }
    if (ec2_dry_run(c, in))
        goto out;
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        const json_t *v = json_object_get(in, keys[i][0]);
        if (v)
            json_object_set(md, keys[i][0], (json_t *)v);
    }
    if (hops)
        json_object_set_new(md, "HttpPutResponseHopLimit", json_integer(json_integer_value(hops)));
    json_object_set_new(md, "State", json_string("applied"));
    if (ec2_instance_save(c, &inst, doc))
        goto out;
    json_t *shown = json_deep_copy(md);
    json_object_set_new(shown, "State", json_string("pending"));
    out_str(o, "InstanceId", inst.id);
    out_json(o, "InstanceMetadataOptions", shown);
    json_decref(shown);
    rc = 0;
out:
    json_decref(doc);
    return rc;
}
