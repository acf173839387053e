/*
 * ec2_inst_res_test.c — what instances use, through the handler fixture: tags (Create/
 * Delete/DescribeTags and their limits), the default VPC/subnets/security group, volumes
 * (launch volumes, CreateVolume/Attach/Detach/Delete in virtual time), images seen, and IAM
 * instance profiles (launch with a profile, iam:PassRole, the association operations).
 * Responses are rendered as JSON with EC2's wire names.
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

TEST(ec2_inst_res_tags)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro",
                           "\"TagSpecifications\":[{\"ResourceType\":\"volume\",\"Tags\":"
                           "[{\"Key\":\"disk\",\"Value\":\"root\"}]}]",
                           id),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "CreateTags", ec2_create_tags,
                          "{\"Resources\":[\"%s\"],\"Tags\":[{\"Key\":\"Name\",\"Value\":\"web\"},"
                          "{\"Key\":\"env\",\"Value\":\"prod\"}]}",
                          id),
                 0);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeTags", ec2_describe_tags, "{}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "tagSet")), 3);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeTags", ec2_describe_tags,
                          "{\"Filters\":[{\"Name\":\"resource-id\",\"Values\":[\"%s\"]}]}", id),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "tagSet")), 2);
    CHECK_EQ_STR(ec2fx_str(f.json, "tagSet.0.key"), "Name");
    CHECK_EQ_STR(ec2fx_str(f.json, "tagSet.0.value"), "web");
    CHECK_EQ_STR(ec2fx_str(f.json, "tagSet.0.resourceType"), "instance");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeTags", ec2_describe_tags,
                         "{\"Filters\":[{\"Name\":\"resource-type\",\"Values\":[\"volume\"]}]}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "tagSet")), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "tagSet.0.value"), "root");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeTags", ec2_describe_tags,
                         "{\"Filters\":[{\"Name\":\"key\",\"Values\":[\"en*\"]}]}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "tagSet")), 1);
    /* a new value overwrites; deleting with a wrong value keeps the tag */
    CHECK_EQ_INT(fx_callf(&f, "ec2", "CreateTags", ec2_create_tags,
                          "{\"Resources\":[\"%s\"],\"Tags\":[{\"Key\":\"env\",\"Value\":\"dev\"}]}",
                          id),
                 0);
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "DeleteTags", ec2_delete_tags,
                 "{\"Resources\":[\"%s\"],\"Tags\":[{\"Key\":\"env\",\"Value\":\"prod\"}]}", id),
        0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeTags", ec2_describe_tags,
                          "{\"Filters\":[{\"Name\":\"resource-id\",\"Values\":[\"%s\"]},"
                          "{\"Name\":\"key\",\"Values\":[\"env\"]}]}",
                          id),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "tagSet.0.value"), "dev");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DeleteTags", ec2_delete_tags,
                          "{\"Resources\":[\"%s\"],\"Tags\":[{\"Key\":\"env\"}]}", id),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeTags", ec2_describe_tags,
                          "{\"Filters\":[{\"Name\":\"resource-id\",\"Values\":[\"%s\"]}]}", id),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "tagSet")), 1);
    /* errors */
    CHECK_EQ_INT(fx_callf(&f, "ec2", "CreateTags", ec2_create_tags,
                          "{\"Resources\":[\"%s\"],\"Tags\":[{\"Key\":\"aws:x\",\"Value\":\"1\"}]}",
                          id),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_STR(fx_err_message(&f), "Value ( aws:x ) for parameter key is invalid. Tag keys "
                                     "starting with 'aws:' are reserved for internal use");
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateTags", ec2_create_tags,
                         "{\"Resources\":[\"bogus\"],\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"}]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidID");
    CHECK_EQ_STR(fx_err_message(&f), "The ID 'bogus' is not valid");
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateTags", ec2_create_tags,
                         "{\"Resources\":[\"i-0123456789abcdef0\"],\"Tags\":[{\"Key\":\"a\","
                         "\"Value\":\"1\"}]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.NotFound");
    /* 50 tags per resource */
    struct buf b = BUF_INIT;
    buf_printf(&b, "{\"Resources\":[\"%s\"],\"Tags\":[", id);
    for (int i = 0; i < 50; i++)
        buf_printf(&b, "%s{\"Key\":\"k%d\",\"Value\":\"v\"}", i ? "," : "", i);
    buf_puts(&b, "]}");
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateTags", ec2_create_tags, b.p), -1);
    CHECK_EQ_STR(fx_err_code(&f), "TagLimitExceeded");
    buf_free(&b);
    /* DryRun leaves them */
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DeleteTags", ec2_delete_tags,
                          "{\"Resources\":[\"%s\"],\"DryRun\":true}", id),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "DryRunOperation");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DeleteTags", ec2_delete_tags, "{\"Resources\":[\"%s\"]}", id),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeTags", ec2_describe_tags,
                          "{\"Filters\":[{\"Name\":\"resource-id\",\"Values\":[\"%s\"]}]}", id),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "tagSet")), 0);
    fx_close(&f);
}

TEST(ec2_inst_res_describe_tags_paging)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro", NULL, id), 0);
    struct buf b = BUF_INIT;
    buf_printf(&b, "{\"Resources\":[\"%s\"],\"Tags\":[", id);
    for (int i = 0; i < 12; i++)
        buf_printf(&b, "%s{\"Key\":\"k%02d\",\"Value\":\"v\"}", i ? "," : "", i);
    buf_puts(&b, "]}");
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateTags", ec2_create_tags, b.p), 0);
    buf_free(&b);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeTags", ec2_describe_tags, "{\"MaxResults\":5}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "tagSet")), 5);
    CHECK_EQ_STR(ec2fx_str(f.json, "tagSet.4.key"), "k04");
    char body[256];
    snprintf(body, sizeof(body), "{\"MaxResults\":10,\"NextToken\":\"%s\"}",
             ec2fx_str(f.json, "nextToken"));
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeTags", ec2_describe_tags, body), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "tagSet")), 7);
    CHECK_EQ_STR(ec2fx_str(f.json, "tagSet.0.key"), "k05");
    CHECK(fx_jget(f.json, "nextToken") == NULL);
    fx_close(&f);
}

TEST(ec2_inst_res_default_network)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeVpcs", ec2_describe_vpcs, "{}"), 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "vpcSet")), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "vpcSet.0.cidrBlock"), "172.31.0.0/16");
    CHECK(json_is_true(fx_jget(f.json, "vpcSet.0.isDefault")));
    CHECK_EQ_STR(ec2fx_str(f.json, "vpcSet.0.state"), "available");
    char vpc[32];
    snprintf(vpc, sizeof(vpc), "%s", ec2fx_str(f.json, "vpcSet.0.vpcId"));
    CHECK(str_startswith(vpc, "vpc-"));
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeSubnets", ec2_describe_subnets, "{}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "subnetSet")), 6); /* us-east-1a..f */
    CHECK_EQ_STR(ec2fx_str(f.json, "subnetSet.0.vpcId"), vpc);
    CHECK(json_is_true(fx_jget(f.json, "subnetSet.0.defaultForAz")));
    CHECK(json_is_true(fx_jget(f.json, "subnetSet.0.mapPublicIpOnLaunch")));
    CHECK_EQ_INT(ec2fx_int(f.json, "subnetSet.0.availableIpAddressCount"), 4091);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeSubnets", ec2_describe_subnets,
                         "{\"Filters\":[{\"Name\":\"availability-zone\",\"Values\":"
                         "[\"us-east-1c\"]}]}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "subnetSet")), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "subnetSet.0.cidrBlock"), "172.31.32.0/20");
    char subnet[32];
    snprintf(subnet, sizeof(subnet), "%s", ec2fx_str(f.json, "subnetSet.0.subnetId"));
    char extra[128];
    snprintf(extra, sizeof(extra), "\"SubnetId\":\"%s\"", subnet);
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro", extra, id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.placement.availabilityZone"), "us-east-1c");
    unsigned a, b, c, d;
    CHECK_EQ_INT(
        sscanf(ec2fx_str(f.json, "instancesSet.0.privateIpAddress"), "%u.%u.%u.%u", &a, &b, &c, &d),
        4);
    CHECK(a == 172 && b == 31 && c >= 32 && c < 48); /* inside 172.31.32.0/20 */
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeSubnets", ec2_describe_subnets,
                          "{\"SubnetIds\":[\"%s\"]}", subnet),
                 0);
    CHECK_EQ_INT(ec2fx_int(f.json, "subnetSet.0.availableIpAddressCount"), 4090);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeSubnets", ec2_describe_subnets,
                         "{\"SubnetIds\":[\"subnet-0123456789abcdef0\"]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidSubnetID.NotFound");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeSecurityGroups", ec2_describe_security_groups, "{}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "securityGroupInfo")), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "securityGroupInfo.0.groupName"), "default");
    CHECK_EQ_STR(ec2fx_str(f.json, "securityGroupInfo.0.groupDescription"),
                 "default VPC security group");
    CHECK_EQ_STR(ec2fx_str(f.json, "securityGroupInfo.0.ipPermissionsEgress.0.ipRanges.0.cidrIp"),
                 "0.0.0.0/0");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeSecurityGroups", ec2_describe_security_groups,
                         "{\"GroupNames\":[\"web\"]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidGroup.NotFound");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeSecurityGroups", ec2_describe_security_groups,
                         "{\"GroupIds\":[\"sg-12\"]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidGroupId.Malformed");
    CHECK_EQ_STR(fx_err_message(&f), "Invalid id: \"sg-12\" (expecting \"sg-...\")");
    /* another region has its own default VPC */
    f.region = "eu-west-1";
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeVpcs", ec2_describe_vpcs, "{}"), 0);
    CHECK(!str_eq(ec2fx_str(f.json, "vpcSet.0.vpcId"), vpc));
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro", NULL, id), 0);
    CHECK(str_endswith(ec2fx_str(f.json, "instancesSet.0.privateDnsName"),
                       ".eu-west-1.compute.internal"));
    CHECK(str_endswith(ec2fx_str(f.json, "instancesSet.0.dnsName"),
                       ".eu-west-1.compute.amazonaws.com"));
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.placement.availabilityZone"), "eu-west-1a");
    fx_close(&f);
}

TEST(ec2_inst_res_volumes)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(
        ec2fx_run(&f, "t3.micro",
                  "\"BlockDeviceMappings\":[{\"DeviceName\":\"/dev/xvda\",\"Ebs\":"
                  "{\"VolumeSize\":30,\"VolumeType\":\"gp3\"}},{\"DeviceName\":"
                  "\"/dev/sdf\",\"Ebs\":{\"VolumeSize\":100,\"DeleteOnTermination\":false}}]",
                  id),
        0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "instancesSet.0.blockDeviceMapping")), 2);
    char data[32];
    snprintf(data, sizeof(data), "%s",
             ec2fx_str(f.json, "instancesSet.0.blockDeviceMapping.1.ebs.volumeId"));
    CHECK(json_is_false(
        fx_jget(f.json, "instancesSet.0.blockDeviceMapping.1.ebs.deleteOnTermination")));
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                 "{\"Filters\":[{\"Name\":\"attachment.instance-id\",\"Values\":[\"%s\"]}]}", id),
        0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "volumeSet")), 2);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                          "{\"VolumeIds\":[\"%s\"]}", data),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.status"), "in-use");
    CHECK_EQ_INT(ec2fx_int(f.json, "volumeSet.0.size"), 100);
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.volumeType"), "gp2");
    CHECK_EQ_INT(ec2fx_int(f.json, "volumeSet.0.iops"), 300);
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.attachmentSet.0.device"), "/dev/sdf");
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.attachmentSet.0.status"), "attached");
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.availabilityZone"), "us-east-1a");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                         "{\"Filters\":[{\"Name\":\"volume-type\",\"Values\":[\"gp3\"]}]}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "volumeSet")), 1);
    CHECK_EQ_INT(ec2fx_int(f.json, "volumeSet.0.size"), 30);
    CHECK_EQ_INT(ec2fx_int(f.json, "volumeSet.0.iops"), 3000);
    CHECK_EQ_INT(ec2fx_int(f.json, "volumeSet.0.throughput"), 125);

    /* a new volume: creating -> available, attach (running instance), detach, delete */
    ec2fx_advance(&f, MIN);
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateVolume", ec2_create_volume,
                         "{\"AvailabilityZone\":\"us-east-1a\",\"Size\":10,\"VolumeType\":\"gp3\","
                         "\"TagSpecifications\":[{\"ResourceType\":\"volume\",\"Tags\":[{\"Key\":"
                         "\"Name\",\"Value\":\"scratch\"}]}]}"),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "status"), "creating");
    CHECK_EQ_STR(ec2fx_str(f.json, "tagSet.0.value"), "scratch");
    char vol[32];
    snprintf(vol, sizeof(vol), "%s", ec2fx_str(f.json, "volumeId"));
    char att[256];
    snprintf(att, sizeof(att),
             "{\"VolumeId\":\"%s\",\"InstanceId\":\"%s\",\"Device\":\"/dev/sdg\"}", vol, id);
    CHECK_EQ_INT(fx_call(&f, "ec2", "AttachVolume", ec2_attach_volume, att), -1);
    CHECK_EQ_STR(fx_err_code(&f), "IncorrectState");
    ec2fx_advance(&f, 10 * SEC);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                          "{\"VolumeIds\":[\"%s\"]}", vol),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.status"), "available");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "AttachVolume", ec2_attach_volume,
                          "{\"VolumeId\":\"%s\",\"InstanceId\":\"%s\",\"Device\":\"/dev/sdf\"}",
                          vol, id),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Invalid value '/dev/sdf' for unixDevice. Attachment point "
                                     "/dev/sdf is already in use");
    CHECK_EQ_INT(fx_call(&f, "ec2", "AttachVolume", ec2_attach_volume, att), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "status"), "attaching");
    ec2fx_advance(&f, 10 * SEC);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                          "{\"VolumeIds\":[\"%s\"]}", vol),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.status"), "in-use");
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.attachmentSet.0.status"), "attached");
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "DeleteVolume", ec2_delete_volume, "{\"VolumeId\":\"%s\"}", vol), -1);
    CHECK_EQ_STR(fx_err_code(&f), "VolumeInUse");
    /* the root volume of a running instance stays */
    const char *root = NULL;
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                 "{\"Filters\":[{\"Name\":\"attachment.device\",\"Values\":[\"/dev/xvda\"]}]}"),
        0);
    root = ec2fx_str(f.json, "volumeSet.0.volumeId");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DetachVolume", ec2_detach_volume, "{\"VolumeId\":\"%s\"}",
                          root ? root : ""),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "OperationNotPermitted");
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "DetachVolume", ec2_detach_volume, "{\"VolumeId\":\"%s\"}", vol), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "status"), "detaching");
    ec2fx_advance(&f, 10 * SEC);
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "DeleteVolume", ec2_delete_volume, "{\"VolumeId\":\"%s\"}", vol), 0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                          "{\"VolumeIds\":[\"%s\"]}", vol),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidVolume.NotFound");
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateVolume", ec2_create_volume,
                         "{\"AvailabilityZone\":\"us-east-1a\",\"Size\":2,\"VolumeType\":\"st1\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Volume of 2GiB is too small; minimum is 125GiB.");
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateVolume", ec2_create_volume,
                         "{\"AvailabilityZone\":\"us-east-1a\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "MissingParameter");

    /* termination deletes the root volume and keeps the DeleteOnTermination=false one */
    CHECK_EQ_INT(fx_callf(&f, "ec2", "TerminateInstances", ec2_terminate_instances,
                          "{\"InstanceIds\":[\"%s\"]}", id),
                 0);
    ec2fx_advance(&f, MIN);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeVolumes", ec2_describe_volumes,
                          "{\"VolumeIds\":[\"%s\"]}", data),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "volumeSet.0.status"), "available");
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "volumeSet.0.attachmentSet")), 0);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeVolumes", ec2_describe_volumes, "{}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "volumeSet")), 1);
    fx_close(&f);
}

TEST(ec2_inst_res_images)
{
    struct fx f;
    ec2fx_open(&f);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeImages", ec2_describe_images, "{}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "imagesSet")), 0);
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro", NULL, NULL), 0);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeImages", ec2_describe_images, "{}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "imagesSet")), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "imagesSet.0.imageId"), AMI);
    CHECK_EQ_STR(ec2fx_str(f.json, "imagesSet.0.imageState"), "available");
    CHECK_EQ_STR(ec2fx_str(f.json, "imagesSet.0.rootDeviceType"), "ebs");
    CHECK_EQ_STR(ec2fx_str(f.json, "imagesSet.0.virtualizationType"), "hvm");
    CHECK_EQ_STR(ec2fx_str(f.json, "imagesSet.0.architecture"), "x86_64");
    CHECK(json_is_true(fx_jget(f.json, "imagesSet.0.isPublic")));
    CHECK_EQ_INT(
        fx_call(&f, "ec2", "DescribeImages", ec2_describe_images, "{\"Owners\":[\"self\"]}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "imagesSet")), 0);
    CHECK_EQ_INT(
        fx_call(&f, "ec2", "DescribeImages", ec2_describe_images, "{\"Owners\":[\"amazon\"]}"), 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "imagesSet")), 1);
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeImages", ec2_describe_images,
                         "{\"ImageIds\":[\"ami-0abcdef1234567890\"]}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "imagesSet")), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "imagesSet.0.imageId"), "ami-0abcdef1234567890");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeImages", ec2_describe_images,
                         "{\"ImageIds\":[\"ami-nothex\"]}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidAMIID.Malformed");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeImages", ec2_describe_images,
                         "{\"Filters\":[{\"Name\":\"image-id\",\"Values\":[\"ami-3*\"]}]}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "imagesSet")), 1);
    /* launching with an arm64 type records the image as arm64 */
    CHECK_EQ_INT(fx_call(&f, "ec2", "RunInstances", ec2_run_instances,
                         "{\"ImageId\":\"ami-00000000000000a1a\",\"InstanceType\":\"a1.large\","
                         "\"MinCount\":1,\"MaxCount\":1}"),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.architecture"), "arm64");
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.currentInstanceBootMode"), "uefi");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeImages", ec2_describe_images,
                         "{\"Filters\":[{\"Name\":\"architecture\",\"Values\":[\"arm64\"]}]}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "imagesSet")), 1);
    fx_close(&f);
}

/* An IAM role and an instance profile holding it, written straight into the IAM tables. */
static void iam_profile(struct fx *f, const char *profile, const char *role)
{
    char arn[200];
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/%s", FX_ACCOUNT, role);
    sqlite3_stmt *s = store_stmt(
        f->st, "INSERT INTO iam_roles(name, role_id, path, arn, created_ms, trust_policy)"
               " VALUES(?1, ?3, '/', ?2, 0, '{}')");
    char rid[40];
    snprintf(rid, sizeof(rid), "AROAEXAMPLE%s", role);
    sqlite3_bind_text(s, 1, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, rid, -1, SQLITE_TRANSIENT);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:instance-profile/%s", FX_ACCOUNT, profile);
    s = store_stmt(f->st, "INSERT INTO iam_instance_profiles(name, profile_id, path, arn,"
                          " created_ms, role_name) VALUES(?1, ?2, '/', ?3, 0, ?4)");
    char pid[32];
    snprintf(pid, sizeof(pid), "AIPAEXAMPLE%s", profile);
    sqlite3_bind_text(s, 1, profile, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, pid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, role, -1, SQLITE_TRANSIENT);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
}

TEST(ec2_inst_res_instance_profiles)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    iam_profile(&f, "web", "web-role");
    iam_profile(&f, "batch", "batch-role");
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro", "\"IamInstanceProfile\":{\"Name\":\"web\"}", id), 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.iamInstanceProfile.arn"),
                 "arn:aws:iam::123456789012:instance-profile/web");
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.iamInstanceProfile.id"), "AIPAEXAMPLEweb");
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_STR(in.profile_arn, "arn:aws:iam::123456789012:instance-profile/web");
    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeInstances", ec2_describe_instances,
                         "{\"Filters\":[{\"Name\":\"iam-instance-profile.arn\",\"Values\":"
                         "[\"arn:aws:iam::123456789012:instance-profile/web\"]}]}"),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "reservationSet.0.instancesSet.0.instanceId"), id);
    /* by ARN too */
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro",
                           "\"IamInstanceProfile\":{\"Arn\":\"arn:aws:iam::123456789012:"
                           "instance-profile/batch\"}",
                           NULL),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "instancesSet.0.iamInstanceProfile.id"), "AIPAEXAMPLEbatch");
    /* a user without iam:PassRole on the role may not hand it to an instance */
    fx_as_user(&f, "bob", "AIDABOB0000000000001");
    f.proto = 0;
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro", "\"IamInstanceProfile\":{\"Name\":\"web\"}", NULL), -1);
    CHECK_EQ_STR(fx_err_code(&f), "UnauthorizedOperation");
    CHECK(strstr(fx_err_message(&f), "iam:PassRole") != NULL);
    CHECK(strstr(fx_err_message(&f), "role/web-role") != NULL);
    f.proto = PROTO_JSON;
    fx_as_root(&f);

    CHECK_EQ_INT(fx_call(&f, "ec2", "DescribeIamInstanceProfileAssociations",
                         ec2_describe_iam_instance_profile_associations, "{}"),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "iamInstanceProfileAssociationSet")), 2);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeIamInstanceProfileAssociations",
                          ec2_describe_iam_instance_profile_associations,
                          "{\"Filters\":[{\"Name\":\"instance-id\",\"Values\":[\"%s\"]}]}", id),
                 0);
    CHECK_EQ_INT(json_array_size(fx_jget(f.json, "iamInstanceProfileAssociationSet")), 1);
    CHECK_EQ_STR(ec2fx_str(f.json, "iamInstanceProfileAssociationSet.0.state"), "associated");
    char assoc[48];
    snprintf(assoc, sizeof(assoc), "%s",
             ec2fx_str(f.json, "iamInstanceProfileAssociationSet.0.associationId"));
    CHECK(str_startswith(assoc, "iip-assoc-"));
    /* one association per instance */
    CHECK_EQ_INT(
        fx_callf(&f, "ec2", "AssociateIamInstanceProfile", ec2_associate_iam_instance_profile,
                 "{\"InstanceId\":\"%s\",\"IamInstanceProfile\":{\"Name\":\"batch\"}}", id),
        -1);
    CHECK_EQ_STR(fx_err_code(&f), "IncorrectState");
    char msg[120];
    snprintf(msg, sizeof(msg), "There is an existing association for instance %s", id);
    CHECK_EQ_STR(fx_err_message(&f), msg);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "ReplaceIamInstanceProfileAssociation",
                          ec2_replace_iam_instance_profile_association,
                          "{\"AssociationId\":\"%s\",\"IamInstanceProfile\":{\"Name\":\"batch\"}}",
                          assoc),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "iamInstanceProfileAssociation.state"), "associating");
    CHECK_EQ_STR(ec2fx_str(f.json, "iamInstanceProfileAssociation.iamInstanceProfile.arn"),
                 "arn:aws:iam::123456789012:instance-profile/batch");
    snprintf(assoc, sizeof(assoc), "%s",
             ec2fx_str(f.json, "iamInstanceProfileAssociation.associationId"));
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_STR(in.profile_arn, "arn:aws:iam::123456789012:instance-profile/batch");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DisassociateIamInstanceProfile",
                          ec2_disassociate_iam_instance_profile, "{\"AssociationId\":\"%s\"}",
                          assoc),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "iamInstanceProfileAssociation.state"), "disassociating");
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_STR(in.profile_arn, "");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DisassociateIamInstanceProfile",
                          ec2_disassociate_iam_instance_profile, "{\"AssociationId\":\"%s\"}",
                          assoc),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidAssociationID.NotFound");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "AssociateIamInstanceProfile",
                          ec2_associate_iam_instance_profile,
                          "{\"InstanceId\":\"%s\",\"IamInstanceProfile\":{\"Arn\":"
                          "\"arn:aws:iam::123456789012:instance-profile/web\"}}",
                          id),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "iamInstanceProfileAssociation.instanceId"), id);
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_STR(in.profile_arn, "arn:aws:iam::123456789012:instance-profile/web");
    fx_close(&f);
}
