/*
 * ec2_inst_test.c — EC2 instances through the handler fixture: RunInstances, the lifecycle
 * in virtual time (pending -> running with the health hook, stop/start/reboot/terminate),
 * AWS's errors with their exact messages, DescribeInstances filters and pagination, DryRun,
 * ClientToken, attributes, maintenance and metadata options, the instance type catalogue.
 * Responses are rendered as JSON (f.proto = PROTO_JSON) so they can be inspected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "ec2_fixture.h"
#include "harness.h"
#include "store/store.h"
#include "svc/ec2/ec2.h"

#define T0 FX_T0
#define SEC 1000LL
#define MIN (60 * SEC)
#define AMI EC2_AMI

static int describe(struct fx *f, const char *fmt_in)
{
    return fx_call(f, "ec2", "DescribeInstances", ec2_describe_instances, fmt_in);
}

/* The state name of an instance by DescribeInstances. */
static const char *state_of(struct fx *f, const char *id)
{
    static char name[32];
    if (fx_callf(f, "ec2", "DescribeInstances", ec2_describe_instances,
                 "{\"InstanceIds\":[\"%s\"]}", id))
        return "error";
    snprintf(name, sizeof(name), "%s",
             ec2fx_str(f->json, "reservationSet.0.instancesSet.0.instanceState.name")
                 ? ec2fx_str(f->json, "reservationSet.0.instancesSet.0.instanceState.name")
                 : "none");
    return name;
}

static int act(struct fx *f, const char *op, op_handler *fn, const char *id)
{
    return fx_callf(f, "ec2", op, fn, "{\"InstanceIds\":[\"%s\"]}", id);
}

static size_t count_instances(const json_t *res)
{
    size_t n = 0, i;
    const json_t *r;
    json_array_foreach(json_object_get(res, "reservationSet"), i, r) n +=
        json_array_size(json_object_get(r, "instancesSet"));
    return n;
}

TEST(ec2_inst_type_catalogue)
{
    CHECK(ec2_type_count() > 100);
    for (size_t i = 1; i < ec2_type_count(); i++)
        CHECK(strcmp(ec2_type_at(i - 1)->name, ec2_type_at(i)->name) < 0);
    const struct ec2_type_info *t = ec2_type_find("t2.micro");
    CHECK(t != NULL);
    CHECK_EQ_INT(t->vcpus, 1);
    CHECK_EQ_INT(t->memory_mib, 1024);
    CHECK(t->ebs_only);
    CHECK(t->auto_recovery_supported);
    CHECK_EQ_STR(t->hypervisor, "xen");
    t = ec2_type_find("i3.large");
    CHECK(t && !t->ebs_only && !t->auto_recovery_supported);
    t = ec2_type_find("m5d.xlarge");
    CHECK(t && !t->ebs_only && !t->auto_recovery_supported);
    t = ec2_type_find("m5.metal");
    CHECK(t && t->ebs_only && !t->auto_recovery_supported);
    t = ec2_type_find("mac1.metal");
    CHECK(t && !t->auto_recovery_supported);
    t = ec2_type_find("c5.large");
    CHECK(t && t->auto_recovery_supported && str_eq(t->hypervisor, "nitro"));
    CHECK_EQ_INT(ec2_type_find("r5.large")->memory_mib, 16384);
    CHECK(ec2_type_find("t2.foo") == NULL);
    CHECK(ec2_type_find(NULL) == NULL);
}

TEST(ec2_inst_run_pending_then_running)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", NULL, id), 0);
    CHECK(f.out_error == NULL);
    CHECK(str_startswith(id, "i-") && strlen(id) == 19);
    const json_t *r = f.json;
    CHECK(str_startswith(ec2fx_str(r, "reservationId"), "r-"));
    CHECK_EQ_STR(ec2fx_str(r, "ownerId"), FX_ACCOUNT);
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.instanceState.name"), "pending");
    CHECK_EQ_INT(ec2fx_int(r, "instancesSet.0.instanceState.code"), 0);
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.imageId"), AMI);
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.instanceType"), "t2.micro");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.placement.availabilityZone"), "us-east-1a");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.placement.tenancy"), "default");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.stateReason.code"), "pending");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.rootDeviceName"), "/dev/xvda");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.rootDeviceType"), "ebs");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.virtualizationType"), "hvm");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.architecture"), "x86_64");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.platformDetails"), "Linux/UNIX");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.maintenanceOptions.autoRecovery"), "default");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.metadataOptions.httpTokens"), "optional");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.metadataOptions.state"), "pending");
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.groupSet.0.groupName"), "default");
    const char *ip = ec2fx_str(r, "instancesSet.0.privateIpAddress");
    CHECK(str_startswith(ip, "172.31."));
    char dns[64];
    snprintf(dns, sizeof(dns), "ip-%s.ec2.internal", ip);
    for (char *p = dns; *p; p++)
        if (*p == '.' && p < strstr(dns, ".ec2"))
            *p = '-';
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.privateDnsName"), dns);
    CHECK(ec2fx_str(r, "instancesSet.0.ipAddress") != NULL);
    CHECK(str_endswith(ec2fx_str(r, "instancesSet.0.dnsName"), ".compute-1.amazonaws.com"));
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.networkInterfaceSet.0.privateIpAddress"), ip);
    CHECK(str_startswith(ec2fx_str(r, "instancesSet.0.networkInterfaceSet.0.networkInterfaceId"),
                         "eni-"));
    CHECK_EQ_STR(ec2fx_str(r, "instancesSet.0.blockDeviceMapping.0.deviceName"), "/dev/xvda");
    CHECK(str_startswith(ec2fx_str(r, "instancesSet.0.blockDeviceMapping.0.ebs.volumeId"), "vol-"));

    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_INT(in.state, EC2_PENDING);
    CHECK_EQ_STR(in.host_id, "");
    ec2fx_advance(&f, EC2_PENDING_MS - 1);
    CHECK_EQ_STR(state_of(&f, id), "pending");
    ec2fx_advance(&f, 1);
    CHECK_EQ_STR(state_of(&f, id), "running");
    CHECK_EQ_INT(ec2fx_int(f.json, "reservationSet.0.instancesSet.0.instanceState.code"), 16);
    CHECK(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.stateReason.code") == NULL);
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.reason"), "");
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.metadataOptions.state"),
                 "applied");
    /* the health hook placed it on a host at the boot time */
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_INT(in.state, EC2_RUNNING);
    CHECK(str_startswith(in.host_id, "h-"));
    CHECK_EQ_INT(in.boot_ms, T0 + EC2_PENDING_MS);
    CHECK_EQ_INT(in.launch_ms, T0);
    fx_close(&f);
}

TEST(ec2_inst_stop_start_terminate)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", NULL, id), 0);
    const char *vol = ec2fx_str(f.json, "instancesSet.0.blockDeviceMapping.0.ebs.volumeId");
    char root[32];
    snprintf(root, sizeof(root), "%s", vol);
    char pub1[16];
    snprintf(pub1, sizeof(pub1), "%s", ec2fx_str(f.json, "instancesSet.0.ipAddress"));
    ec2fx_advance(&f, MIN);

    CHECK_EQ_INT(act(&f, "StopInstances", ec2_stop_instances, id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.instanceId"), id);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.currentState.name"), "stopping");
    CHECK_EQ_INT(ec2fx_int(f.json, "instancesSet.0.currentState.code"), 64);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.previousState.name"), "running");
    CHECK_EQ_STR(state_of(&f, id), "stopping");
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.reason"),
                 "User initiated (2026-11-28 12:01:00 GMT)");
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.stateReason.code"),
                 "Client.UserInitiatedShutdown");
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.stateReason.message"),
                 "Client.UserInitiatedShutdown: User initiated shutdown");
    /* stopping again is a no-op reporting stopping -> stopping */
    CHECK_EQ_INT(act(&f, "StopInstances", ec2_stop_instances, id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.previousState.name"), "stopping");
    /* start while stopping is refused */
    CHECK_EQ_INT(act(&f, "StartInstances", ec2_start_instances, id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "IncorrectInstanceState");
    char msg[160];
    snprintf(msg, sizeof(msg), "The instance '%s' is not in a state from which it can be started.",
             id);
    CHECK_EQ_STR(fx_err_message(&f), msg);

    ec2fx_advance(&f, EC2_STOPPING_MS);
    CHECK_EQ_STR(state_of(&f, id), "stopped");
    CHECK_EQ_INT(ec2fx_int(f.json, "reservationSet.0.instancesSet.0.instanceState.code"), 80);
    CHECK(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.ipAddress") == NULL);
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.dnsName"), "");
    CHECK(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.privateIpAddress") != NULL);
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_STR(in.host_id, "");

    /* reboot of a stopped instance is refused */
    CHECK_EQ_INT(act(&f, "RebootInstances", ec2_reboot_instances, id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "IncorrectInstanceState");

    CHECK_EQ_INT(act(&f, "StartInstances", ec2_start_instances, id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.currentState.name"), "pending");
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.previousState.name"), "stopped");
    int64_t started = f.now_ms;
    ec2fx_advance(&f, EC2_PENDING_MS);
    CHECK_EQ_STR(state_of(&f, id), "running");
    CHECK(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.ipAddress") != NULL);
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_INT(in.launch_ms, started);
    CHECK_EQ_INT(in.boot_ms, started + EC2_PENDING_MS);
    CHECK(str_startswith(in.host_id, "h-"));
    /* starting a running instance is a no-op */
    CHECK_EQ_INT(act(&f, "StartInstances", ec2_start_instances, id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.currentState.name"), "running");

    CHECK_EQ_INT(act(&f, "TerminateInstances", ec2_terminate_instances, id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.currentState.name"), "shutting-down");
    CHECK_EQ_INT(ec2fx_int(f.json, "instancesSet.0.currentState.code"), 32);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.previousState.name"), "running");
    /* stopping a terminating instance is refused */
    CHECK_EQ_INT(act(&f, "StopInstances", ec2_stop_instances, id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "IncorrectInstanceState");
    ec2fx_advance(&f, EC2_SHUTTING_DOWN_MS);
    CHECK_EQ_STR(state_of(&f, id), "terminated");
    CHECK_EQ_INT(ec2fx_int(f.json, "reservationSet.0.instancesSet.0.instanceState.code"), 48);
    CHECK(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.privateIpAddress") == NULL);
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.instanceId"), id);
    CHECK(json_is_array(fx_jget(f.json, "reservationSet.0.instancesSet.0.blockDeviceMapping")));
    CHECK_EQ_INT(
        json_array_size(fx_jget(f.json, "reservationSet.0.instancesSet.0.blockDeviceMapping")), 0);
    /* the root volume (DeleteOnTermination) went with it */
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                          "{\"VolumeIds\":[\"%s\"]}", root),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidVolume.NotFound");
    /* terminating again reports terminated -> terminated */
    CHECK_EQ_INT(act(&f, "TerminateInstances", ec2_terminate_instances, id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.previousState.name"), "terminated");
    /* visible for a while, then gone */
    ec2fx_advance(&f, EC2_TERMINATED_VISIBLE_MS - SEC);
    CHECK_EQ_STR(state_of(&f, id), "terminated");
    ec2fx_advance(&f, SEC);
    CHECK_EQ_INT(act(&f, "DescribeInstances", ec2_describe_instances, id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.NotFound");
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 1);
    fx_close(&f);
}

TEST(ec2_inst_reboot_keeps_running)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", NULL, id), 0);
    ec2fx_advance(&f, MIN);
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    int64_t boot1 = in.boot_ms;
    int64_t at = f.now_ms;
    CHECK_EQ_INT(act(&f, "RebootInstances", ec2_reboot_instances, id), 0);
    CHECK_EQ_STR(state_of(&f, id), "running");
    ec2fx_advance(&f, EC2_REBOOT_MS - SEC);
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_INT(in.boot_ms, boot1);
    ec2fx_advance(&f, SEC);
    CHECK_EQ_STR(state_of(&f, id), "running");
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_INT(in.boot_ms, at + EC2_REBOOT_MS);
    CHECK_EQ_INT(in.launch_ms, T0); /* a reboot is no new launch */
    fx_close(&f);
}

TEST(ec2_inst_state_errors_exact)
{
    struct fx f;
    char id[32], msg[200];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", NULL, id), 0);
    /* stop before it ever ran [obs] */
    CHECK_EQ_INT(act(&f, "StopInstances", ec2_stop_instances, id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "IncorrectInstanceState");
    snprintf(msg, sizeof(msg),
             "Instance '%s' cannot be stopped as it has never reached the 'running' state.", id);
    CHECK_EQ_STR(fx_err_message(&f), msg);
    CHECK_EQ_INT(act(&f, "StopInstances", ec2_stop_instances, "i-0123456789abcdef0"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.NotFound");
    CHECK_EQ_STR(fx_err_message(&f), "The instance ID 'i-0123456789abcdef0' does not exist");
    CHECK_EQ_INT(fx_call(&f, "ec2", "StopInstances", ec2_stop_instances,
                         "{\"InstanceIds\":[\"i-0123456789abcdef0\",\"i-0123456789abcdef1\"]}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f),
                 "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist");
    CHECK_EQ_INT(act(&f, "TerminateInstances", ec2_terminate_instances, "web-1"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.Malformed");
    CHECK_EQ_STR(fx_err_message(&f), "Invalid id: \"web-1\"");
    CHECK_EQ_INT(act(&f, "RebootInstances", ec2_reboot_instances, "i-12"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.Malformed");
    /* one bad instance fails the whole request, nothing changes */
    CHECK_EQ_INT(fx_callf(&f, "ec2", "TerminateInstances", ec2_terminate_instances,
                          "{\"InstanceIds\":[\"%s\",\"i-0123456789abcdef0\"]}", id),
                 -1);
    CHECK_EQ_STR(state_of(&f, id), "pending");
    /* another region does not see it */
    f.region = "eu-west-1";
    CHECK_EQ_INT(act(&f, "StopInstances", ec2_stop_instances, id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.NotFound");
    fx_close(&f);
}

TEST(ec2_inst_termination_and_stop_protection)
{
    struct fx f;
    char id[32], msg[200];
    ec2fx_open(&f);
    CHECK_EQ_INT(
        ec2fx_run(&f, "t2.micro", "\"DisableApiTermination\":true,\"DisableApiStop\":true", id), 0);
    ec2fx_advance(&f, MIN);
    CHECK_EQ_INT(act(&f, "TerminateInstances", ec2_terminate_instances, id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "OperationNotPermitted");
    snprintf(msg, sizeof(msg),
             "The instance '%s' may not be terminated. Modify its 'disableApiTermination' "
             "instance attribute and try again.",
             id);
    CHECK_EQ_STR(fx_err_message(&f), msg);
    CHECK_EQ_INT(act(&f, "StopInstances", ec2_stop_instances, id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "OperationNotPermitted");
    CHECK(strstr(fx_err_message(&f), "'disableApiStop'") != NULL);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeInstanceAttribute", ec2_describe_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"Attribute\":\"disableApiTermination\"}", id),
                 0);
    CHECK(json_is_true(json_object_get(json_object_get(f.json, "disableApiTermination"), "value")));
    CHECK_EQ_INT(fx_callf(&f, "ec2", "ModifyInstanceAttribute", ec2_modify_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"DisableApiTermination\":{\"Value\":false}}",
                          id),
                 0);
    CHECK_EQ_INT(act(&f, "TerminateInstances", ec2_terminate_instances, id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.currentState.name"), "shutting-down");
    fx_close(&f);
}

TEST(ec2_inst_run_errors)
{
    struct fx f;
    ec2fx_open(&f);
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"" AMI "\",\"InstanceType\":\"t2.foo\",\"MinCount\":1,"
                         "\"MaxCount\":1}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_STR(fx_err_message(&f), "Invalid value 't2.foo' for InstanceType.");
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"ami-xyz\",\"InstanceType\":\"t2.micro\",\"MinCount\":1,"
                         "\"MaxCount\":1}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidAMIID.Malformed");
    CHECK_EQ_STR(fx_err_message(&f), "Invalid id: \"ami-xyz\" (expecting \"ami-...\")");
    CHECK_EQ_INT(
        ec2fx_run(&f, "t2.micro", "\"Placement\":{\"AvailabilityZone\":\"us-west-2a\"}", NULL), -1);
    CHECK_EQ_STR(fx_err_message(&f), "Invalid availability zone: [us-west-2a]");
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"SubnetId\":\"subnet-0123456789abcdef0\"", NULL), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidSubnetID.NotFound");
    CHECK_EQ_STR(fx_err_message(&f), "The subnet ID 'subnet-0123456789abcdef0' does not exist");
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"SecurityGroups\":[\"web\"]", NULL), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidGroup.NotFound");
    CHECK(str_startswith(fx_err_message(&f),
                         "The security group 'web' does not exist in default VPC 'vpc-"));
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"IamInstanceProfile\":{\"Name\":\"nope\"}", NULL), -1);
    CHECK_EQ_STR(fx_err_message(&f), "Value (nope) for parameter iamInstanceProfile.name is "
                                     "invalid. Invalid IAM Instance Profile name");
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro",
                           "\"TagSpecifications\":[{\"ResourceType\":\"instance\",\"Tags\":"
                           "[{\"Key\":\"aws:x\",\"Value\":\"1\"}]}]",
                           NULL),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Tag keys starting with 'aws:' are reserved for internal use");
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro",
                           "\"BlockDeviceMappings\":[{\"DeviceName\":\"/dev/xvda\",\"Ebs\":"
                           "{\"VolumeSize\":20000}}]",
                           NULL),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Volume of 20000GiB is too large; maximum is 16384GiB.");
    /* nothing was launched by any of them */
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK_EQ_INT(count_instances(f.json), 0);
    fx_close(&f);
}

TEST(ec2_inst_dry_run)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"DryRun\":true", NULL), -1);
    CHECK_EQ_STR(fx_err_code(&f), "DryRunOperation");
    CHECK_EQ_INT(f.c.err.status, 412);
    CHECK_EQ_STR(fx_err_message(&f), "Request would have succeeded, but DryRun flag is set.");
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK_EQ_INT(count_instances(f.json), 0);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", NULL, id), 0);
    ec2fx_advance(&f, MIN);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "StopInstances", ec2_stop_instances,
                          "{\"InstanceIds\":[\"%s\"],\"DryRun\":true}", id),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "DryRunOperation");
    CHECK_EQ_STR(state_of(&f, id), "running");
    /* a DryRun of something that would fail answers the failure */
    CHECK_EQ_INT(fx_callf(&f, "ec2", "StartInstances", ec2_start_instances,
                          "{\"InstanceIds\":[\"i-0123456789abcdef0\"],\"DryRun\":true}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.NotFound");
    CHECK_EQ_INT(describe(&f, "{\"DryRun\":true}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "DryRunOperation");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeVpcs", ec2_describe_vpcs, "{\"DryRun\":true}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "DryRunOperation");
    fx_close(&f);
}

TEST(ec2_inst_client_token_idempotent)
{
    struct fx f;
    char a[32], b[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"ClientToken\":\"tok-1\"", a), 0);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"ClientToken\":\"tok-1\"", b), 0);
    CHECK_EQ_STR(a, b);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.clientToken"), "tok-1");
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"ClientToken\":\"tok-2\"", b), 0);
    CHECK(!str_eq(a, b));
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK_EQ_INT(count_instances(f.json), 2);
    fx_close(&f);
}

TEST(ec2_inst_min_max_count)
{
    struct fx f;
    ec2fx_open(&f);
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"" AMI "\",\"InstanceType\":\"t3.small\","
                         "\"MinCount\":2,\"MaxCount\":3}"),
                 0);
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "instancesSet")), 3);
    CHECK_EQ_INT(ec2fx_int(f.json, "instancesSet.2.amiLaunchIndex"), 2);
    CHECK_EQ_INT(ec2fx_int(f.json, "instancesSet.0.cpuOptions.threadsPerCore"), 2);
    /* three different private addresses */
    const char *a = ec2fx_str(f.json, "instancesSet.0.privateIpAddress");
    const char *b = ec2fx_str(f.json, "instancesSet.1.privateIpAddress");
    const char *c = ec2fx_str(f.json, "instancesSet.2.privateIpAddress");
    CHECK(a && b && c && !str_eq(a, b) && !str_eq(b, c) && !str_eq(a, c));
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"" AMI "\",\"MinCount\":3,\"MaxCount\":2}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"" AMI "\",\"MinCount\":0,\"MaxCount\":1}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    /* no InstanceType: AWS's default m1.small */
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"" AMI "\",\"MinCount\":1,\"MaxCount\":1}"),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.instanceType"), "m1.small");
    fx_close(&f);
}

static void launch_fleet(struct fx *f)
{
    CHECK_EQ_INT(ec2fx_run(f, "t2.micro",
                           "\"TagSpecifications\":[{\"ResourceType\":\"instance\",\"Tags\":"
                           "[{\"Key\":\"env\",\"Value\":\"prod\"},{\"Key\":\"Name\",\"Value\":"
                           "\"web-1\"}]}]",
                           NULL),
                 0);
    CHECK_EQ_INT(ec2fx_run(f, "t2.micro",
                           "\"TagSpecifications\":[{\"ResourceType\":\"instance\",\"Tags\":"
                           "[{\"Key\":\"env\",\"Value\":\"dev\"}]}]",
                           NULL),
                 0);
    CHECK_EQ_INT(fx_call(f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"ami-0123456789abcdef0\",\"InstanceType\":\"c5.large\","
                         "\"MinCount\":1,\"MaxCount\":1,\"Placement\":{\"AvailabilityZone\":"
                         "\"us-east-1b\"},\"MaintenanceOptions\":{\"AutoRecovery\":\"disabled\"}}"),
                 0);
}

TEST(ec2_inst_describe_filters)
{
    struct fx f;
    ec2fx_open(&f);
    launch_fleet(&f);
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK_EQ_INT(count_instances(f.json), 3);
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"instance-type\",\"Values\":"
                              "[\"t2.micro\"]}]}"),
                 0);
    CHECK_EQ_INT(count_instances(f.json), 2);
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"tag:env\",\"Values\":[\"prod\"]}]}"), 0);
    CHECK_EQ_INT(count_instances(f.json), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.tagSet.0.key"), "Name");
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"tag-key\",\"Values\":[\"env\"]}]}"), 0);
    CHECK_EQ_INT(count_instances(f.json), 2);
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"tag-value\",\"Values\":[\"web-*\"]}]}"),
                 0);
    CHECK_EQ_INT(count_instances(f.json), 1);
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"availability-zone\",\"Values\":"
                              "[\"us-east-1b\"]}]}"),
                 0);
    CHECK_EQ_INT(count_instances(f.json), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.instanceType"), "c5.large");
    CHECK_EQ_STR(
        ec2fx_str(f.json, "reservationSet.0.instancesSet.0.maintenanceOptions.autoRecovery"),
        "disabled");
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"image-id\",\"Values\":"
                              "[\"" AMI "\"]},{\"Name\":\"instance-state-name\",\"Values\":"
                              "[\"pend*\",\"running\"]}]}"),
                 0);
    CHECK_EQ_INT(count_instances(f.json), 2);
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"instance-state-code\",\"Values\":"
                              "[\"16\"]}]}"),
                 0);
    CHECK_EQ_INT(count_instances(f.json), 0);
    ec2fx_advance(&f, MIN);
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"instance-state-code\",\"Values\":"
                              "[\"16\"]}]}"),
                 0);
    CHECK_EQ_INT(count_instances(f.json), 3);
    const char *ip = ec2fx_str(f.json, "reservationSet.0.instancesSet.0.privateIpAddress");
    char body[160];
    snprintf(body, sizeof(body),
             "{\"Filters\":[{\"Name\":\"private-ip-address\",\"Values\":[\"%s\"]}]}", ip);
    CHECK_EQ_INT(describe(&f, body), 0);
    CHECK_EQ_INT(count_instances(f.json), 1);
    const char *vpc = ec2fx_str(f.json, "reservationSet.0.instancesSet.0.vpcId");
    snprintf(body, sizeof(body), "{\"Filters\":[{\"Name\":\"vpc-id\",\"Values\":[\"%s\"]}]}", vpc);
    CHECK_EQ_INT(describe(&f, body), 0);
    CHECK_EQ_INT(count_instances(f.json), 3);
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"subnet-id\",\"Values\":"
                              "[\"subnet-nope\"]}]}"),
                 0);
    CHECK_EQ_INT(count_instances(f.json), 0);
    CHECK_EQ_INT(describe(&f, "{\"Filters\":[{\"Name\":\"colour\",\"Values\":[\"blue\"]}]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_STR(fx_err_message(&f), "The filter 'colour' is invalid");
    fx_close(&f);
}

TEST(ec2_inst_describe_pagination)
{
    struct fx f;
    ec2fx_open(&f);
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"" AMI "\",\"InstanceType\":\"t2.nano\","
                         "\"MinCount\":4,\"MaxCount\":4}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"" AMI "\",\"InstanceType\":\"t2.nano\","
                         "\"MinCount\":3,\"MaxCount\":3}"),
                 0);
    CHECK_EQ_INT(describe(&f, "{\"MaxResults\":5}"), 0);
    CHECK_EQ_INT(count_instances(f.json), 5);
    const char *tok = ec2fx_str(f.json, "nextToken");
    CHECK(tok != NULL);
    char body[256];
    snprintf(body, sizeof(body), "{\"MaxResults\":5,\"NextToken\":\"%s\"}", tok ? tok : "");
    CHECK_EQ_INT(describe(&f, body), 0);
    CHECK_EQ_INT(count_instances(f.json), 2);
    CHECK(ec2fx_str(f.json, "nextToken") == NULL);
    /* grouped by reservation: two reservations in all */
    CHECK_EQ_INT(describe(&f, "{}"), 0);
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "reservationSet")), 2);
    CHECK_EQ_INT(describe(&f, "{\"MaxResults\":3}"), -1);
    CHECK_EQ_STR(fx_err_message(&f),
                 "Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater "
                 "than 5.");
    CHECK_EQ_INT(describe(&f, "{\"MaxResults\":5,\"InstanceIds\":[\"i-0123456789abcdef0\"]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterCombination");
    CHECK_EQ_STR(fx_err_message(&f),
                 "The parameter instancesSet cannot be used with the parameter maxResults");
    CHECK_EQ_INT(describe(&f, "{\"NextToken\":\"garbage\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidPaginationToken");
    fx_close(&f);
}

TEST(ec2_inst_attributes_and_options)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"UserData\":\"IyEvYmluL3NoCmVjaG8gaGkK\"", id), 0);
    ec2fx_advance(&f, MIN);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "ModifyInstanceAttribute", ec2_modify_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"InstanceType\":{\"Value\":\"t2.small\"}}", id),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "IncorrectInstanceState");
    char msg[160];
    snprintf(msg, sizeof(msg), "The instance '%s' is not in the 'stopped' state.", id);
    CHECK_EQ_STR(fx_err_message(&f), msg);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "ModifyInstanceAttribute", ec2_modify_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"InstanceType\":{\"Value\":\"t2.small\"},"
                          "\"DisableApiStop\":{\"Value\":true}}",
                          id),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterCombination");
    CHECK_EQ_INT(act(&f, "StopInstances", ec2_stop_instances, id), 0);
    ec2fx_advance(&f, EC2_STOPPING_MS);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "ModifyInstanceAttribute", ec2_modify_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"Attribute\":\"instanceType\","
                          "\"Value\":\"t2.small\"}",
                          id),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeInstanceAttribute", ec2_describe_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"Attribute\":\"instanceType\"}", id),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instanceType.value"), "t2.small");
    CHECK_EQ_STR(ec2fx_str(f.json, "instanceId"), id);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeInstanceAttribute", ec2_describe_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"Attribute\":\"userData\"}", id),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "userData.value"), "IyEvYmluL3NoCmVjaG8gaGkK");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "ModifyInstanceAttribute", ec2_modify_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"UserData\":{\"Value\":\"hello\"}}", id),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeInstanceAttribute", ec2_describe_instance_attribute,
                          "{\"InstanceId\":\"%s\",\"Attribute\":\"userData\"}", id),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "userData.value"), "aGVsbG8=");
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "DescribeInstanceAttribute", ec2_describe_instance_attribute,
                 "{\"InstanceId\":\"%s\",\"Attribute\":\"instanceInitiatedShutdownBehavior\"}", id),
        0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instanceInitiatedShutdownBehavior.value"), "stop");

    CHECK_EQ_INT(fx_callf(&f, "ec2", "ModifyInstanceMaintenanceOptions",
                          ec2_modify_instance_maintenance_options,
                          "{\"InstanceId\":\"%s\",\"AutoRecovery\":\"disabled\"}", id),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "autoRecovery"), "disabled");
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_STR(in.auto_recovery, "disabled");
    CHECK_EQ_STR(in.type, "t2.small");

    CHECK_EQ_INT(fx_callf(&f, "ec2", "ModifyInstanceMetadataOptions",
                          ec2_modify_instance_metadata_options,
                          "{\"InstanceId\":\"%s\",\"HttpTokens\":\"required\","
                          "\"HttpPutResponseHopLimit\":2}",
                          id),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instanceMetadataOptions.state"), "pending");
    CHECK_EQ_STR(ec2fx_str(f.json, "instanceMetadataOptions.httpTokens"), "required");
    CHECK_EQ_STR(state_of(&f, id), "stopped");
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.metadataOptions.httpTokens"),
                 "required");
    CHECK_EQ_INT(
        ec2fx_int(f.json,
                  "reservationSet.0.instancesSet.0.metadataOptions.httpPutResponseHopLimit"),
        2);
    CHECK_EQ_STR(
        ec2fx_str(f.json, "reservationSet.0.instancesSet.0.maintenanceOptions.autoRecovery"),
        "disabled");
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.instanceType"), "t2.small");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "ModifyInstanceMetadataOptions",
                          ec2_modify_instance_metadata_options,
                          "{\"InstanceId\":\"%s\",\"HttpPutResponseHopLimit\":65}", id),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    fx_close(&f);
}

static int call_ec2_stop(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return ec2_stop(c, json_string_value(json_object_get(in, "Id")), false);
}

static int call_ec2_terminate(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return ec2_terminate(c, json_string_value(json_object_get(in, "Id")));
}

static int call_ec2_reboot(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return ec2_reboot(c, json_string_value(json_object_get(in, "Id")));
}

TEST(ec2_inst_internal_actions)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", NULL, id), 0);
    ec2fx_advance(&f, MIN);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "RebootInstances", call_ec2_reboot, "{\"Id\":\"%s\"}", id), 0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "StopInstances", call_ec2_stop, "{\"Id\":\"%s\"}", id), 0);
    CHECK_EQ_STR(state_of(&f, id), "stopping");
    /* the reboot in progress was superseded: no boot after the stop */
    ec2fx_advance(&f, EC2_REBOOT_MS);
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_INT(in.boot_ms, T0 + EC2_PENDING_MS);
    CHECK_EQ_INT(in.state, EC2_STOPPED);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "RebootInstances", call_ec2_reboot, "{\"Id\":\"%s\"}", id),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "IncorrectInstanceState");
    /* as an IAM user without permissions: denied by authorization */
    fx_as_user(&f, "alice", "AIDAALICE00000000001");
    f.proto = 0; /* EC2's own protocol: its denial is UnauthorizedOperation */
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "TerminateInstances", call_ec2_terminate, "{\"Id\":\"%s\"}", id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "UnauthorizedOperation");
    CHECK(strstr(fx_err_message(&f), "ec2:TerminateInstances") != NULL);
    f.proto = PROTO_JSON;
    fx_as_root(&f);
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "TerminateInstances", call_ec2_terminate, "{\"Id\":\"%s\"}", id), 0);
    CHECK_EQ_STR(state_of(&f, id), "shutting-down");
    fx_close(&f);
}

TEST(ec2_inst_describe_instance_types)
{
    struct fx f;
    ec2fx_open(&f);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeInstanceTypes", ec2_describe_instance_types,
                         "{\"InstanceTypes\":[\"t2.micro\",\"i3.large\"]}"),
                 0);
    CHECK(f.out_error == NULL);
    const json_t *list = json_object_get(f.json, "instanceTypeSet");
    CHECK_EQ_INT(json_array_size(list), 2);
    CHECK_EQ_STR(ec2fx_str(list, "0.instanceType"), "i3.large");
    CHECK(json_is_false(json_object_get(json_array_get(list, 0), "autoRecoverySupported")));
    CHECK_EQ_INT(ec2fx_int(list, "0.instanceStorageInfo.totalSizeInGB"), 475);
    CHECK_EQ_STR(ec2fx_str(list, "1.instanceType"), "t2.micro");
    CHECK(json_is_true(json_object_get(json_array_get(list, 1), "autoRecoverySupported")));
    CHECK(json_is_true(json_object_get(json_array_get(list, 1), "freeTierEligible")));
    CHECK_EQ_INT(ec2fx_int(list, "1.memoryInfo.sizeInMiB"), 1024);
    CHECK_EQ_INT(ec2fx_int(list, "1.vCpuInfo.defaultVCpus"), 1);
    CHECK_EQ_STR(ec2fx_str(list, "1.hypervisor"), "xen");

    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeInstanceTypes", ec2_describe_instance_types,
                         "{\"Filters\":[{\"Name\":\"instance-type\",\"Values\":[\"c5*\"]},"
                         "{\"Name\":\"auto-recovery-supported\",\"Values\":[\"false\"]}]}"),
                 0);
    list = json_object_get(f.json, "instanceTypeSet");
    size_t i;
    const json_t *e;
    CHECK(json_array_size(list) >= 10); /* c5.metal and the c5d family */
    json_array_foreach(list, i, e)
    {
        const char *n = json_string_value(json_object_get(e, "instanceType"));
        CHECK(str_startswith(n, "c5d.") || str_eq(n, "c5.metal"));
        CHECK(json_is_false(json_object_get(e, "autoRecoverySupported")));
    }
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeInstanceTypes", ec2_describe_instance_types,
                         "{\"InstanceTypes\":[\"t2.micro\",\"t9.huge\",\"x.y\"]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceType");
    CHECK_EQ_STR(fx_err_message(&f),
                 "The following supplied instance types do not exist: [t9.huge, x.y]");
    /* paging through everything */
    size_t total = 0;
    char body[200] = "{\"MaxResults\":50}";
    for (int guard = 0; guard < 20; guard++) {
        CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeInstanceTypes", ec2_describe_instance_types, body),
                     0);
        total += json_array_size(json_object_get(f.json, "instanceTypeSet"));
        const char *tok = ec2fx_str(f.json, "nextToken");
        if (!tok)
            break;
        snprintf(body, sizeof(body), "{\"MaxResults\":50,\"NextToken\":\"%s\"}", tok);
    }
    CHECK_EQ_INT(total, ec2_type_count());
    fx_close(&f);
}
