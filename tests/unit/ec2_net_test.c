/* ec2_net_test.c — EC2 network resources (security groups, key pairs, Elastic IPs) and SSM
 * parameters through their handlers. */
#include <stdio.h>
#include <string.h>

#include "ec2_fixture.h"
#include "harness.h"
#include "store/store.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/ops.h"
#include "svc/ssm/ops.h"

TEST(ec2_net_security_group_rules)
{
    struct fx f;
    ec2fx_open(&f);
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateSecurityGroup", ec2_create_security_group,
                         "{\"GroupName\":\"web\",\"Description\":\"d\"}"),
                 0);
    char sg[32];
    snprintf(sg, sizeof(sg), "%s", ec2fx_str(f.json, "groupId"));
    CHECK(str_startswith(sg, "sg-"));
    const char *perm = "{\"GroupId\":\"%s\",\"IpPermissions\":[{\"IpProtocol\":\"6\","
                       "\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/8\"}]}]}";
    CHECK_EQ_INT(fx_callf(&f, "ec2", "AuthorizeSecurityGroupIngress",
                          ec2_authorize_security_group_ingress, perm, sg),
                 0);
    CHECK_EQ_STR(ec2fx_str(f.json, "securityGroupRuleSet.0.ipProtocol"), "tcp");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "AuthorizeSecurityGroupIngress",
                          ec2_authorize_security_group_ingress, perm, sg),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidPermission.Duplicate");
    CHECK_EQ_STR(fx_err_message(&f), "the specified rule \"peer: 10.0.0.0/8, TCP, from port: 22, "
                                     "to port: 22, ALLOW\" already exists");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeSecurityGroupRules",
                          ec2_describe_security_group_rules,
                          "{\"Filters\":[{\"Name\":\"group-id\",\"Values\":[\"%s\"]}]}", sg),
                 0);
    CHECK_EQ_INT((int)json_array_size(fx_jget(f.json, "securityGroupRuleSet")), 2);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "RevokeSecurityGroupIngress",
                          ec2_revoke_security_group_ingress, perm, sg),
                 0);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "RevokeSecurityGroupIngress",
                          ec2_revoke_security_group_ingress, perm, sg),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidPermission.NotFound");
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DeleteSecurityGroup", ec2_delete_security_group,
                          "{\"GroupId\":\"%s\"}", sg),
                 0);
    fx_close(&f);
}

TEST(ec2_net_key_pair_checked_by_run_instances)
{
    struct fx f;
    char id[32];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"KeyName\":\"k\"", id), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidKeyPair.NotFound");
    CHECK_EQ_STR(fx_err_message(&f), "The key pair 'k' does not exist");
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateKeyPair", ec2_create_key_pair, "{\"KeyName\":\"k\"}"),
                 0);
    const char *fp = ec2fx_str(f.json, "keyFingerprint");
    CHECK(fp && strlen(fp) == 59 && fp[2] == ':'); /* SHA-1: 20 colon-separated bytes */
    CHECK(str_startswith(ec2fx_str(f.json, "keyMaterial"), "-----BEGIN RSA PRIVATE KEY-----"));
    CHECK_EQ_INT(fx_call(&f, "ec2", "CreateKeyPair", ec2_create_key_pair, "{\"KeyName\":\"k\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidKeyPair.Duplicate");
    CHECK_EQ_INT(ec2fx_run(&f, "t2.micro", "\"KeyName\":\"k\"", id), 0);
    fx_close(&f);
}

TEST(ec2_net_elastic_ip_survives_recovery)
{
    struct fx f;
    char id[32], alloc[40], ip[20];
    ec2fx_open(&f);
    CHECK_EQ_INT(ec2fx_run(&f, "t3.micro", NULL, id), 0);
    ec2fx_advance(&f, 60000);
    CHECK_EQ_INT(fx_call(&f, "ec2", "AllocateAddress", ec2_allocate_address, "{}"), 0);
    snprintf(alloc, sizeof(alloc), "%s", ec2fx_str(f.json, "allocationId"));
    snprintf(ip, sizeof(ip), "%s", ec2fx_str(f.json, "publicIp"));
    CHECK_EQ_INT(fx_callf(&f, "ec2", "AssociateAddress", ec2_associate_address,
                          "{\"AllocationId\":\"%s\",\"InstanceId\":\"%s\"}", alloc, id),
                 0);
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_STR(in.public_ip, ip);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "ReleaseAddress", ec2_release_address,
                          "{\"AllocationId\":\"%s\"}", alloc),
                 -1);
    /* a recovery (as an alarm's creator would run it) keeps the address */
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = arena_new();
    c.st = f.st;
    c.account = FX_ACCOUNT;
    c.region = "us-east-1";
    c.now_ms = f.now_ms;
    c.proto = PROTO_EC2;
    c.who = f.who;
    CHECK_EQ_INT(store_begin(f.st), 0);
    int rc = ec2_recover(&c, id);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        store_rollback(f.st);
    else
        CHECK_EQ_INT(store_commit(f.st), 0);
    arena_free(c.a);
    CHECK_EQ_INT(ec2_instance_get(f.st, id, &in), 0);
    CHECK_EQ_STR(in.public_ip, ip);
    fx_close(&f);
}

TEST(ssm_put_get_secure_and_public)
{
    struct fx f;
    fx_open_json(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "ssm", "PutParameter", ssm_put_parameter,
                         "{\"Name\":\"/a/pw\",\"Value\":\"s3\",\"Type\":\"SecureString\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "ssm", "GetParameter", ssm_get_parameter, "{\"Name\":\"/a/pw\"}"), 0);
    CHECK(!str_eq(fx_js(&f, "Parameter.Value"), "s3"));
    CHECK_EQ_INT(fx_call(&f, "ssm", "GetParameter", ssm_get_parameter,
                         "{\"Name\":\"/a/pw\",\"WithDecryption\":true}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "Parameter.Value"), "s3");
    CHECK_EQ_INT(fx_call(&f, "ssm", "GetParameter", ssm_get_parameter,
                         "{\"Name\":\"/aws/service/ami-amazon-linux-latest/"
                         "amzn2-ami-hvm-x86_64-gp2\"}"),
                 0);
    CHECK(str_startswith(fx_js(&f, "Parameter.Value"), "ami-"));
    CHECK_EQ_INT(fx_call(&f, "ssm", "PutParameter", ssm_put_parameter,
                         "{\"Name\":\"/a/port\",\"Value\":\"80a\",\"Type\":\"String\","
                         "\"AllowedPattern\":\"\\\\d+\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "ParameterPatternMismatchException");
    CHECK_EQ_INT(fx_call(&f, "ssm", "PutParameter", ssm_put_parameter,
                         "{\"Name\":\"/a/port\",\"Value\":\"8080\",\"Type\":\"String\","
                         "\"AllowedPattern\":\"\\\\d+\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "ssm", "GetParameter", ssm_get_parameter, "{\"Name\":\"/nope\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "ParameterNotFound");
    fx_close(&f);
}
