/*
 * cfn_prov_test.c — the CloudFormation resource providers through the real service handlers
 * (svc_invoke): create / update / delete of each type as the stack's principal, Ref and
 * GetAtt values, CloudFormation-shaped failure reasons, the alarm creator recorded, the
 * instance pending until running on the virtual clock, deletes that treat "gone" as done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz_lab.h"
#include "clock/clock.h"
#include "harness.h"
#include "svc/iam/authz.h"
#include "svc/provider.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/ec2/ec2.h"
#include "svc/invoke.h"
#include "svc/module.h"
#include "svc_fixture.h"

#define STACK "ec2-recoveryalarm-role"
#define STACK_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/" STACK "/0000"
#define SEC 1000LL
#define TRUST                                                                                      \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"              \
    "{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
#define DOC(action)                                                                                \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"" action        \
    "\",\"Resource\":\"*\"}]}"

/* One stack operation's context over the fixture's store and clock. */
struct lab {
    struct fx f;
    struct arena *a;
    struct call c;
    struct cfn_act x;
};

static void lab_open(struct lab *l)
{
    memset(l, 0, sizeof(*l));
    fx_open(&l->f, FX_T0);
    svc_init();
    authz_cache_clear();
    l->a = arena_new();
    l->c.a = l->a;
    l->c.st = l->f.st;
    l->c.account = FX_ACCOUNT;
    l->c.region = "us-east-1";
    l->c.now_ms = l->f.now_ms;
    l->c.who = l->f.who;
    l->x.c = &l->c;
    l->x.who = &l->f.who;
    l->x.stack_name = STACK;
    l->x.stack_id = STACK_ID;
}

static void lab_close(struct lab *l)
{
    arena_free(l->a);
    fx_close(&l->f);
}

/* Moves virtual time on, running due events (instance and volume transitions). */
static void lab_advance(struct lab *l, int64_t ms)
{
    int64_t to = l->f.now_ms + ms;
    CHECK_EQ_INT(clock_advance_to(l->f.st, to), 0);
    fx_set_time(&l->f, to);
    l->c.now_ms = to;
}

/* A resource with properties parsed from JSON text (owned by the caller: res_free). */
static void res_init(struct cfn_res *r, const char *logical, const char *type, const char *props)
{
    json_error_t e;
    memset(r, 0, sizeof(*r));
    r->logical_id = logical;
    r->type = type;
    r->props = json_loads(props, 0, &e);
    CHECK(r->props != NULL);
}

static void res_props(struct cfn_res *r, const char *props)
{
    json_error_t e;
    json_decref((json_t *)r->props);
    r->props = json_loads(props, 0, &e);
    CHECK(r->props != NULL);
}

static void res_free(struct cfn_res *r)
{
    json_decref((json_t *)r->props);
    if (r->attrs)
        json_decref(r->attrs);
    r->attrs = NULL;
}

/* Polls like the engine does: a fresh resource view each call (no attrs handed in). */
static enum cfn_step res_check(struct lab *l, const struct cfn_provider *p, struct cfn_res *r)
{
    if (r->attrs)
        json_decref(r->attrs);
    r->attrs = NULL;
    return p->check(&l->x, r);
}

static const char *attr(const struct cfn_res *r, const char *name)
{
    return json_string_value(json_object_get(r->attrs, name));
}

/* Runs an update from the current props to new_props (the old ones are kept for the call). */
static enum cfn_step res_update(struct lab *l, const struct cfn_provider *p, struct cfn_res *r,
                                const char *new_props)
{
    json_t *old = json_incref((json_t *)r->props);
    res_props(r, new_props);
    enum cfn_step s = p->update(&l->x, r, old);
    json_decref(old);
    return s;
}

/* The service's answer as JSON (through svc_invoke as root, no via). */
static json_t *ask(struct lab *l, const char *service, const char *op, const char *in_text)
{
    json_error_t e;
    json_t *in = json_loads(in_text, 0, &e), *out = NULL;
    struct call err;
    memset(&err, 0, sizeof(err));
    struct principal root = l->f.who;
    int rc = svc_invoke(&l->c, &root, NULL, service, op, in, &out, &err);
    json_decref(in);
    return rc == 0 ? out : NULL;
}

static bool in_list(const char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

TEST(cfn_prov_table_covers_the_twelve_types)
{
    static const char *const types[] = {
        "AWS::EC2::Instance",  "AWS::CloudWatch::Alarm",    "AWS::CloudWatch::CompositeAlarm",
        "AWS::IAM::Role",      "AWS::IAM::InstanceProfile", "AWS::IAM::User",
        "AWS::IAM::AccessKey", "AWS::IAM::Policy",          "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Group",     "AWS::EC2::Volume",          "AWS::EC2::VolumeAttachment"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        const struct cfn_provider *p = svc_provider_find(types[i]);
        CHECK(p != NULL);
        if (!p)
            continue;
        CHECK_EQ_STR(p->type, types[i]);
        CHECK(p->create && p->update && p->del && p->replace_props && p->attrs);
    }
    CHECK(svc_provider_find("AWS::S3::Bucket") == NULL);
    CHECK(svc_provider_find(NULL) == NULL);
    const struct cfn_provider *alarm = svc_provider_find("AWS::CloudWatch::Alarm");
    CHECK(in_list(alarm->replace_props, "AlarmName"));
    CHECK(!in_list(alarm->replace_props, "Threshold"));
    CHECK_EQ_STR(alarm->name_prop, "AlarmName");
    CHECK_EQ_INT(alarm->name_max, 255);
    const struct cfn_provider *inst = svc_provider_find("AWS::EC2::Instance");
    CHECK(in_list(inst->replace_props, "ImageId"));
    CHECK(in_list(inst->replace_props, "SubnetId"));
    CHECK(!in_list(inst->replace_props, "InstanceType"));
    CHECK(inst->name_prop == NULL);
    CHECK(inst->check != NULL);
    CHECK(in_list(inst->attrs, "PublicDnsName"));
    const struct cfn_provider *role = svc_provider_find("AWS::IAM::Role");
    CHECK(in_list(role->replace_props, "RoleName") && in_list(role->replace_props, "Path"));
    CHECK_EQ_INT(role->name_max, 64);
    CHECK_EQ_STR(svc_provider_find("AWS::IAM::ManagedPolicy")->name_prop, "ManagedPolicyName");
}

TEST(cfn_prov_alarm_create_update_delete_as_principal)
{
    struct lab l;
    struct cfn_res r;
    lab_open(&l);
    const struct cfn_provider *p = svc_provider_find("AWS::CloudWatch::Alarm");
    /* the stack's principal: an assumed-role session (an instance profile's role) */
    struct principal who = l.f.who;
    fx_as_role_session(&l.f, "cfnrole", "AROACFNROLE000000001", "i-0123456789abcdef0");
    struct principal role = l.f.who;
    l.f.who = who;
    l.x.who = &role;
    lab_role(&l.f, "cfnrole", "AROACFNROLE000000001", TRUST, 3600);
    lab_attach(&l.f, "role", "cfnrole", "arn:aws:iam::aws:policy/PowerUserAccess");

    res_init(&r, "RecoveryAlarm", p->type,
             "{\"Namespace\":\"AWS/EC2\",\"MetricName\":\"StatusCheckFailed\","
             "\"Statistic\":\"Minimum\",\"Period\":\"60\",\"EvaluationPeriods\":\"5\","
             "\"ComparisonOperator\":\"GreaterThanThreshold\",\"Threshold\":\"0\","
             "\"AlarmActions\":[\"arn:aws:automate:us-east-1:ec2:recover\"],"
             "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"i-0123456789abcdef0\"}],"
             "\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"}]}");
    CHECK_EQ_INT(p->create(&l.x, &r), CFN_DONE);
    CHECK(r.physical_id && strncmp(r.physical_id, STACK "-RecoveryAlarm-", 36) == 0);
    size_t n = r.physical_id ? strlen(r.physical_id) : 0;
    CHECK(n == strlen(STACK "-RecoveryAlarm-") + 12 || n == strlen(STACK "-RecoveryAlarm-") + 13);
    char arn[400];
    snprintf(arn, sizeof(arn), "arn:aws:cloudwatch:us-east-1:123456789012:alarm:%s",
             r.physical_id ? r.physical_id : "");
    CHECK_EQ_STR(attr(&r, "Arn"), arn);
    CHECK_EQ_STR(attr(&r, "Id"), r.physical_id);

    struct cw_alarm a;
    memset(&a, 0, sizeof(a));
    CHECK_EQ_INT(cw_alarm_load(l.f.st, "us-east-1", r.physical_id, &a), 0);
    CHECK_EQ_INT(a.creator.kind, PRINCIPAL_ROLE_SESSION);
    CHECK_EQ_STR(a.creator.arn,
                 "arn:aws:sts::123456789012:assumed-role/cfnrole/i-0123456789abcdef0");
    CHECK_EQ_INT((int)json_integer_value(json_object_get(a.doc, "Period")), 60);
    cw_alarm_free(&a);

    /* in-place update: PutMetricAlarm overwrites, tags follow */
    CHECK_EQ_INT(res_update(&l, p, &r,
                            "{\"Namespace\":\"AWS/EC2\",\"MetricName\":\"StatusCheckFailed\","
                            "\"Statistic\":\"Minimum\",\"Period\":60,\"EvaluationPeriods\":2,"
                            "\"ComparisonOperator\":\"GreaterThanThreshold\",\"Threshold\":1,"
                            "\"Tags\":[{\"Key\":\"owner\",\"Value\":\"b\"}]}"),
                 CFN_DONE);
    memset(&a, 0, sizeof(a));
    CHECK_EQ_INT(cw_alarm_load(l.f.st, "us-east-1", r.physical_id, &a), 0);
    CHECK_EQ_INT((int)json_integer_value(json_object_get(a.doc, "EvaluationPeriods")), 2);
    CHECK(json_array_size(json_object_get(a.doc, "AlarmActions")) == 0);
    cw_alarm_free(&a);
    char q[600];
    snprintf(q, sizeof(q), "{\"ResourceARN\":\"%s\"}", arn);
    json_t *tags = ask(&l, "cloudwatch", "ListTagsForResource", q);
    CHECK(tags != NULL);
    CHECK_EQ_INT((int)json_array_size(json_object_get(tags, "Tags")), 1);
    CHECK_EQ_STR(json_string_value(fx_jget(tags, "Tags.0.Key")), "owner");
    json_decref(tags);

    CHECK_EQ_INT(p->del(&l.x, &r), CFN_DONE);
    CHECK_EQ_INT(cw_alarm_load(l.f.st, "us-east-1", r.physical_id, &a), 1);
    CHECK_EQ_INT(p->del(&l.x, &r), CFN_DONE); /* already gone */
    res_free(&r);
    lab_close(&l);
}

TEST(cfn_prov_alarm_failures_in_cloudformation_words)
{
    struct lab l;
    struct cfn_res r;
    struct lab_key k;
    lab_open(&l);
    const struct cfn_provider *p = svc_provider_find("AWS::CloudWatch::Alarm");
    res_init(&r, "Bad", p->type,
             "{\"AlarmName\":\"bad\",\"Namespace\":\"AWS/EC2\",\"MetricName\":\"CPU\","
             "\"Statistic\":\"Average\",\"Period\":\"60\",\"EvaluationPeriods\":\"1\","
             "\"ComparisonOperator\":\"Sideways\",\"Threshold\":\"1\"}");
    CHECK_EQ_INT(p->create(&l.x, &r), CFN_FAILED);
    CHECK(strncmp(r.reason, "Resource handler returned message: \"", 36) == 0);
    CHECK_CONTAINS(r.reason, "comparisonOperator");
    CHECK_CONTAINS(r.reason, "(Service: CloudWatch, Status Code: 400, Request ID: ");
    CHECK_CONTAINS(r.reason, "HandlerErrorCode: InvalidRequest)");
    res_free(&r);

    /* a user without cloudwatch permissions: AccessDenied as that user */
    lab_user(&l.f, "nobody", "AIDANOBODY00000000001", &k);
    fx_as_user(&l.f, "nobody", "AIDANOBODY00000000001");
    snprintf(l.f.who.access_key_id, sizeof(l.f.who.access_key_id), "%s", k.id);
    l.x.who = &l.f.who;
    res_init(&r, "Alarm", p->type,
             "{\"AlarmName\":\"x\",\"Namespace\":\"N\",\"MetricName\":\"M\","
             "\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":1,"
             "\"ComparisonOperator\":\"GreaterThanThreshold\",\"Threshold\":1}");
    CHECK_EQ_INT(p->create(&l.x, &r), CFN_FAILED);
    CHECK_CONTAINS(r.reason, "User: arn:aws:iam::123456789012:user/nobody is not authorized to "
                             "perform: cloudwatch:PutMetricAlarm");
    CHECK_CONTAINS(r.reason, "Status Code: 403");
    CHECK_CONTAINS(r.reason, "HandlerErrorCode: AccessDenied)");
    res_free(&r);
    lab_close(&l);
}

TEST(cfn_prov_composite_alarm)
{
    struct lab l;
    struct cfn_res m, c;
    lab_open(&l);
    const struct cfn_provider *pm = svc_provider_find("AWS::CloudWatch::Alarm");
    const struct cfn_provider *pc = svc_provider_find("AWS::CloudWatch::CompositeAlarm");
    res_init(&m, "Child", pm->type,
             "{\"AlarmName\":\"child\",\"Namespace\":\"N\",\"MetricName\":\"M\","
             "\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":1,"
             "\"ComparisonOperator\":\"GreaterThanThreshold\",\"Threshold\":1}");
    CHECK_EQ_INT(pm->create(&l.x, &m), CFN_DONE);
    CHECK_EQ_STR(m.physical_id, "child");
    res_init(&c, "Parent", pc->type, "{\"AlarmRule\":\"ALARM(child)\"}");
    CHECK_EQ_INT(pc->create(&l.x, &c), CFN_DONE);
    CHECK(c.physical_id && strncmp(c.physical_id, STACK "-Parent-", 23) == 0);
    CHECK_EQ_INT(res_update(&l, pc, &c, "{\"AlarmRule\":\"OK(child)\"}"), CFN_DONE);
    struct cw_alarm a;
    memset(&a, 0, sizeof(a));
    CHECK_EQ_INT(cw_alarm_load(l.f.st, "us-east-1", c.physical_id, &a), 0);
    CHECK(a.composite);
    CHECK_EQ_STR(json_string_value(json_object_get(a.doc, "AlarmRule")), "OK(child)");
    cw_alarm_free(&a);
    CHECK_EQ_INT(pc->del(&l.x, &c), CFN_DONE);
    CHECK_EQ_INT(pm->del(&l.x, &m), CFN_DONE);
    CHECK_EQ_INT(cw_alarm_load(l.f.st, "us-east-1", "child", &a), 1);
    res_free(&m);
    res_free(&c);
    lab_close(&l);
}

TEST(cfn_prov_instance_pending_until_running)
{
    struct lab l;
    struct cfn_res r;
    lab_open(&l);
    const struct cfn_provider *p = svc_provider_find("AWS::EC2::Instance");
    res_init(&r, "Ec2Instance", p->type,
             "{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.micro\","
             "\"BlockDeviceMappings\":[{\"DeviceName\":\"/dev/xvda\","
             "\"Ebs\":{\"VolumeType\":\"gp2\",\"VolumeSize\":\"8\"}}],"
             "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"ws\"}]}");
    CHECK_EQ_INT(p->create(&l.x, &r), CFN_PENDING);
    CHECK_EQ_STR(r.reason, "");
    CHECK(r.physical_id && strncmp(r.physical_id, "i-", 2) == 0);
    CHECK_EQ_INT(res_check(&l, p, &r), CFN_PENDING);
    CHECK(attr(&r, "PrivateIp") == NULL);
    lab_advance(&l, 5 * SEC);
    CHECK_EQ_INT(res_check(&l, p, &r), CFN_PENDING);
    lab_advance(&l, 15 * SEC);
    CHECK_EQ_INT(res_check(&l, p, &r), CFN_DONE);
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(l.f.st, r.physical_id, &in), 0);
    CHECK_EQ_INT(in.state, EC2_RUNNING);
    CHECK_EQ_STR(attr(&r, "AvailabilityZone"), in.az);
    CHECK_EQ_STR(attr(&r, "PrivateIp"), in.private_ip);
    CHECK_EQ_STR(attr(&r, "PublicIp"), in.public_ip);
    CHECK_EQ_STR(attr(&r, "InstanceId"), r.physical_id);
    CHECK(attr(&r, "PrivateDnsName") && strncmp(attr(&r, "PrivateDnsName"), "ip-", 3) == 0);

    /* in place: tags */
    CHECK_EQ_INT(res_update(&l, p, &r,
                            "{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.micro\","
                            "\"BlockDeviceMappings\":[{\"DeviceName\":\"/dev/xvda\","
                            "\"Ebs\":{\"VolumeType\":\"gp2\",\"VolumeSize\":\"8\"}}],"
                            "\"Tags\":[{\"Key\":\"Env\",\"Value\":\"lab\"}]}"),
                 CFN_DONE);
    char q[200];
    snprintf(q, sizeof(q), "{\"InstanceIds\":[\"%s\"]}", r.physical_id);
    json_t *d = ask(&l, "ec2", "DescribeInstances", q);
    CHECK(d != NULL);
    json_t *tags = fx_jget(d, "Reservations.0.Instances.0.Tags");
    CHECK_EQ_INT((int)json_array_size(tags), 4); /* Env and the three stack tags */
    CHECK_EQ_STR(json_string_value(fx_jget(tags, "0.Key")), "Env");
    CHECK_EQ_STR(json_string_value(fx_jget(tags, "3.Key")), "aws:cloudformation:stack-name");
    json_decref(d);
    /* a stop/start property: stopped, modified, started again on the virtual clock */
    CHECK_EQ_INT(res_update(&l, p, &r,
                            "{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.small\","
                            "\"BlockDeviceMappings\":[{\"DeviceName\":\"/dev/xvda\","
                            "\"Ebs\":{\"VolumeType\":\"gp2\",\"VolumeSize\":\"8\"}}],"
                            "\"Tags\":[{\"Key\":\"Env\",\"Value\":\"lab\"}]}"),
                 CFN_PENDING);
    CHECK_EQ_INT(res_check(&l, p, &r), CFN_PENDING); /* stopping */
    lab_advance(&l, 31 * SEC);
    CHECK_EQ_INT(res_check(&l, p, &r), CFN_PENDING); /* stopped: modified and started */
    CHECK_EQ_INT(ec2_instance_get(l.f.st, r.physical_id, &in), 0);
    CHECK_EQ_STR(in.type, "t2.small");
    CHECK_EQ_INT(in.state, EC2_PENDING);
    lab_advance(&l, 16 * SEC);
    CHECK_EQ_INT(res_check(&l, p, &r), CFN_DONE);
    CHECK_EQ_STR(attr(&r, "InstanceId"), r.physical_id);
    /* a property the lab cannot change in place fails honestly */
    CHECK_EQ_INT(res_update(&l, p, &r,
                            "{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.small\","
                            "\"BlockDeviceMappings\":[{\"DeviceName\":\"/dev/xvda\","
                            "\"Ebs\":{\"VolumeType\":\"gp2\",\"VolumeSize\":\"8\"}}],"
                            "\"Tags\":[{\"Key\":\"Env\",\"Value\":\"lab\"}],"
                            "\"Monitoring\":true}"),
                 CFN_FAILED);
    CHECK_CONTAINS(r.reason, "#/Monitoring");

    CHECK_EQ_INT(p->del(&l.x, &r), CFN_PENDING);
    CHECK_EQ_INT(res_check(&l, p, &r), CFN_PENDING);
    lab_advance(&l, 31 * SEC);
    CHECK_EQ_INT(res_check(&l, p, &r), CFN_DONE);
    CHECK_EQ_INT(ec2_instance_get(l.f.st, r.physical_id, &in), 0);
    CHECK_EQ_INT(in.state, EC2_TERMINATED);
    res_free(&r);

    /* RunInstances refusing the input fails the create with EC2's words */
    res_init(&r, "Bad", p->type, "{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t9.huge\"}");
    CHECK_EQ_INT(p->create(&l.x, &r), CFN_FAILED);
    CHECK_CONTAINS(r.reason, "(Service: Ec2, Status Code: 400");
    res_free(&r);
    lab_close(&l);
}

TEST(cfn_prov_volume_and_attachment)
{
    struct lab l;
    struct cfn_res inst, vol, att;
    lab_open(&l);
    const struct cfn_provider *pi = svc_provider_find("AWS::EC2::Instance");
    const struct cfn_provider *pv = svc_provider_find("AWS::EC2::Volume");
    const struct cfn_provider *pa = svc_provider_find("AWS::EC2::VolumeAttachment");
    res_init(&inst, "I", pi->type,
             "{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.micro\","
             "\"AvailabilityZone\":\"us-east-1a\"}");
    CHECK_EQ_INT(pi->create(&l.x, &inst), CFN_PENDING);
    res_init(&vol, "V", pv->type,
             "{\"AvailabilityZone\":\"us-east-1a\",\"Size\":\"10\",\"VolumeType\":\"gp3\"}");
    enum cfn_step s = pv->create(&l.x, &vol);
    CHECK(s == CFN_PENDING || s == CFN_DONE);
    CHECK(vol.physical_id && strncmp(vol.physical_id, "vol-", 4) == 0);
    CHECK_EQ_STR(attr(&vol, "VolumeId"), vol.physical_id);
    lab_advance(&l, 20 * SEC);
    CHECK_EQ_INT(res_check(&l, pi, &inst), CFN_DONE);
    CHECK_EQ_INT(res_check(&l, pv, &vol), CFN_DONE);

    char props[300];
    snprintf(props, sizeof(props),
             "{\"Device\":\"/dev/sdf\",\"InstanceId\":\"%s\",\"VolumeId\":\"%s\"}",
             inst.physical_id, vol.physical_id);
    res_init(&att, "A", pa->type, props);
    s = pa->create(&l.x, &att);
    CHECK(s == CFN_PENDING || s == CFN_DONE);
    lab_advance(&l, 20 * SEC);
    CHECK_EQ_INT(res_check(&l, pa, &att), CFN_DONE);
    CHECK(att.physical_id && strncmp(att.physical_id, STACK "-A-", 25) == 0);

    s = pa->del(&l.x, &att);
    CHECK(s == CFN_PENDING || s == CFN_DONE);
    lab_advance(&l, 20 * SEC);
    CHECK_EQ_INT(res_check(&l, pa, &att), CFN_DONE);
    s = pv->del(&l.x, &vol);
    CHECK(s == CFN_PENDING || s == CFN_DONE);
    lab_advance(&l, 20 * SEC);
    CHECK_EQ_INT(res_check(&l, pv, &vol), CFN_DONE);
    CHECK_EQ_INT(pv->del(&l.x, &vol), CFN_DONE); /* already gone */
    CHECK_EQ_INT(pi->del(&l.x, &inst), CFN_PENDING);
    res_free(&inst);
    res_free(&vol);
    res_free(&att);
    lab_close(&l);
}

TEST(cfn_prov_role_profile_and_policies)
{
    struct lab l;
    struct cfn_res role, prof, pol, mp;
    lab_open(&l);
    const struct cfn_provider *pr = svc_provider_find("AWS::IAM::Role");
    const struct cfn_provider *pp = svc_provider_find("AWS::IAM::InstanceProfile");
    const struct cfn_provider *pl = svc_provider_find("AWS::IAM::Policy");
    const struct cfn_provider *pm = svc_provider_find("AWS::IAM::ManagedPolicy");
    res_init(&role, "WorkRole", pr->type,
             "{\"AssumeRolePolicyDocument\":" TRUST ",\"Path\":\"/lab/\","
             "\"ManagedPolicyArns\":[\"arn:aws:iam::aws:policy/PowerUserAccess\"],"
             "\"Policies\":[{\"PolicyName\":\"p1\",\"PolicyDocument\":" DOC("s3:*") "}]}");
    CHECK_EQ_INT(pr->create(&l.x, &role), CFN_DONE);
    CHECK(role.physical_id && strncmp(role.physical_id, STACK "-WorkRole-", 32) == 0);
    CHECK(role.physical_id && strlen(role.physical_id) <= 64);
    char want[300];
    snprintf(want, sizeof(want), "arn:aws:iam::123456789012:role/lab/%s", role.physical_id);
    CHECK_EQ_STR(attr(&role, "Arn"), want);
    CHECK(attr(&role, "RoleId") && strncmp(attr(&role, "RoleId"), "AROA", 4) == 0);
    char q[300];
    snprintf(q, sizeof(q), "{\"RoleName\":\"%s\"}", role.physical_id);
    json_t *o = ask(&l, "iam", "ListRolePolicies", q);
    CHECK_EQ_STR(json_string_value(fx_jget(o, "PolicyNames.0")), "p1");
    json_decref(o);

    /* update: trust, inline policy renamed, managed policy dropped */
    CHECK_EQ_INT(res_update(&l, pr, &role,
                            "{\"AssumeRolePolicyDocument\":" TRUST ",\"Path\":\"/lab/\","
                            "\"Description\":\"d\",\"Policies\":[{\"PolicyName\":\"p2\","
                            "\"PolicyDocument\":" DOC("ec2:*") "}]}"),
                 CFN_DONE);
    o = ask(&l, "iam", "ListRolePolicies", q);
    CHECK_EQ_INT((int)json_array_size(json_object_get(o, "PolicyNames")), 1);
    CHECK_EQ_STR(json_string_value(fx_jget(o, "PolicyNames.0")), "p2");
    json_decref(o);
    o = ask(&l, "iam", "ListAttachedRolePolicies", q);
    CHECK_EQ_INT((int)json_array_size(json_object_get(o, "AttachedPolicies")), 0);
    json_decref(o);

    char props[600];
    snprintf(props, sizeof(props), "{\"Roles\":[\"%s\"]}", role.physical_id);
    res_init(&prof, "Profile", pp->type, props);
    CHECK_EQ_INT(pp->create(&l.x, &prof), CFN_DONE);
    CHECK(attr(&prof, "Arn") && strstr(attr(&prof, "Arn"), ":instance-profile/") != NULL);

    snprintf(props, sizeof(props),
             "{\"PolicyName\":\"extra\",\"PolicyDocument\":" DOC("sns:*") ",\"Roles\":[\"%s\"]}",
             role.physical_id);
    res_init(&pol, "Extra", pl->type, props);
    CHECK_EQ_INT(pl->create(&l.x, &pol), CFN_DONE);
    CHECK_EQ_STR(attr(&pol, "Id"), pol.physical_id);
    o = ask(&l, "iam", "ListRolePolicies", q);
    CHECK_EQ_INT((int)json_array_size(json_object_get(o, "PolicyNames")), 2);
    json_decref(o);

    snprintf(
        props, sizeof(props),
        "{\"ManagedPolicyName\":\"lab-mp\",\"PolicyDocument\":" DOC("sqs:*") ","
                                                                             "\"Roles\":[\"%s\"]}",
        role.physical_id);
    res_init(&mp, "Mp", pm->type, props);
    CHECK_EQ_INT(pm->create(&l.x, &mp), CFN_DONE);
    CHECK_EQ_STR(mp.physical_id, "arn:aws:iam::123456789012:policy/lab-mp");
    CHECK_EQ_STR(attr(&mp, "PolicyArn"), mp.physical_id);
    CHECK_EQ_STR(attr(&mp, "DefaultVersionId"), "v1");
    snprintf(props, sizeof(props),
             "{\"ManagedPolicyName\":\"lab-mp\",\"PolicyDocument\":" DOC(
                 "sqs:Get*") ","
                             "\"Roles\":[\"%s\"]}",
             role.physical_id);
    CHECK_EQ_INT(res_update(&l, pm, &mp, props), CFN_DONE);
    CHECK_EQ_STR(attr(&mp, "DefaultVersionId"), "v2");

    /* the role cannot go while attached elsewhere; in reverse order everything goes */
    CHECK_EQ_INT(pm->del(&l.x, &mp), CFN_DONE);
    CHECK_EQ_INT(pl->del(&l.x, &pol), CFN_DONE);
    CHECK_EQ_INT(pp->del(&l.x, &prof), CFN_DONE);
    CHECK_EQ_INT(pr->del(&l.x, &role), CFN_DONE);
    CHECK(ask(&l, "iam", "GetRole", q) == NULL);
    CHECK_EQ_INT(pr->del(&l.x, &role), CFN_DONE);
    CHECK_EQ_INT(pp->del(&l.x, &prof), CFN_DONE);
    CHECK_EQ_INT(pm->del(&l.x, &mp), CFN_DONE);
    res_free(&role);
    res_free(&prof);
    res_free(&pol);
    res_free(&mp);
    lab_close(&l);
}

TEST(cfn_prov_user_group_access_key)
{
    struct lab l;
    struct cfn_res grp, user, key;
    lab_open(&l);
    const struct cfn_provider *pg = svc_provider_find("AWS::IAM::Group");
    const struct cfn_provider *pu = svc_provider_find("AWS::IAM::User");
    const struct cfn_provider *pk = svc_provider_find("AWS::IAM::AccessKey");
    res_init(&grp, "Ops", pg->type,
             "{\"GroupName\":\"ops\",\"Policies\":[{\"PolicyName\":\"g\",\"PolicyDocument\":" DOC(
                 "ec2:Describe*") "}]}");
    CHECK_EQ_INT(pg->create(&l.x, &grp), CFN_DONE);
    CHECK_EQ_STR(grp.physical_id, "ops");
    CHECK_EQ_STR(attr(&grp, "Arn"), "arn:aws:iam::123456789012:group/ops");
    res_init(&user, "Cfn", pu->type,
             "{\"UserName\":\"cfn\",\"Groups\":[\"ops\"],\"LoginProfile\":{\"Password\":\"x\"},"
             "\"ManagedPolicyArns\":[\"arn:aws:iam::aws:policy/PowerUserAccess\"]}");
    CHECK_EQ_INT(pu->create(&l.x, &user), CFN_DONE);
    CHECK_EQ_STR(attr(&user, "Arn"), "arn:aws:iam::123456789012:user/cfn");
    json_t *o = ask(&l, "iam", "ListGroupsForUser", "{\"UserName\":\"cfn\"}");
    CHECK_EQ_STR(json_string_value(fx_jget(o, "Groups.0.GroupName")), "ops");
    json_decref(o);

    res_init(&key, "Key", pk->type, "{\"UserName\":\"cfn\",\"Status\":\"Inactive\"}");
    CHECK_EQ_INT(pk->create(&l.x, &key), CFN_DONE);
    CHECK(key.physical_id && strncmp(key.physical_id, "AKIA", 4) == 0);
    CHECK(attr(&key, "SecretAccessKey") && strlen(attr(&key, "SecretAccessKey")) == 40);
    o = ask(&l, "iam", "ListAccessKeys", "{\"UserName\":\"cfn\"}");
    CHECK_EQ_STR(json_string_value(fx_jget(o, "AccessKeyMetadata.0.Status")), "Inactive");
    json_decref(o);
    CHECK_EQ_INT(res_update(&l, pk, &key, "{\"UserName\":\"cfn\",\"Status\":\"Active\"}"),
                 CFN_DONE);
    o = ask(&l, "iam", "ListAccessKeys", "{\"UserName\":\"cfn\"}");
    CHECK_EQ_STR(json_string_value(fx_jget(o, "AccessKeyMetadata.0.Status")), "Active");
    json_decref(o);

    /* user update: leaves the group, path changes */
    CHECK_EQ_INT(res_update(&l, pu, &user, "{\"UserName\":\"cfn\",\"Path\":\"/team/\"}"), CFN_DONE);
    CHECK_EQ_STR(attr(&user, "Arn"), "arn:aws:iam::123456789012:user/team/cfn");
    o = ask(&l, "iam", "ListGroupsForUser", "{\"UserName\":\"cfn\"}");
    CHECK_EQ_INT((int)json_array_size(json_object_get(o, "Groups")), 0);
    json_decref(o);

    /* a second user with the same name fails as IAM says, in CloudFormation's form */
    struct cfn_res dup;
    res_init(&dup, "Dup", pu->type, "{\"UserName\":\"cfn\"}");
    CHECK_EQ_INT(pu->create(&l.x, &dup), CFN_FAILED);
    CHECK_CONTAINS(dup.reason, "(Service: Iam, Status Code: 409");
    CHECK_CONTAINS(dup.reason, "HandlerErrorCode: AlreadyExists)");
    res_free(&dup);

    CHECK_EQ_INT(pk->del(&l.x, &key), CFN_DONE);
    CHECK_EQ_INT(pu->del(&l.x, &user), CFN_DONE);
    CHECK_EQ_INT(pg->del(&l.x, &grp), CFN_DONE);
    CHECK(ask(&l, "iam", "GetUser", "{\"UserName\":\"cfn\"}") == NULL);
    CHECK(ask(&l, "iam", "GetGroup", "{\"GroupName\":\"ops\"}") == NULL);
    CHECK_EQ_INT(pk->del(&l.x, &key), CFN_DONE);
    CHECK_EQ_INT(pu->del(&l.x, &user), CFN_DONE);
    CHECK_EQ_INT(pg->del(&l.x, &grp), CFN_DONE);
    res_free(&grp);
    res_free(&user);
    res_free(&key);
    lab_close(&l);
}

TEST(cfn_prov_junk_properties_fail_cleanly)
{
    static const char *const types[] = {
        "AWS::EC2::Instance",  "AWS::CloudWatch::Alarm",    "AWS::CloudWatch::CompositeAlarm",
        "AWS::IAM::Role",      "AWS::IAM::InstanceProfile", "AWS::IAM::User",
        "AWS::IAM::AccessKey", "AWS::IAM::Policy",          "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Group",     "AWS::EC2::Volume",          "AWS::EC2::VolumeAttachment"};
    /* every property a provider reads, with the wrong JSON type */
    static const char *const junk =
        "{\"Tags\":5,\"Policies\":[\"x\",{\"PolicyName\":7}],\"ManagedPolicyArns\":{\"a\":1},"
        "\"Groups\":[1,[2]],\"Roles\":\"r\",\"Users\":{},\"AssumeRolePolicyDocument\":7,"
        "\"PolicyDocument\":[],\"PolicyName\":{},\"UserName\":[5],\"RoleName\":{},"
        "\"AlarmName\":[],\"Period\":\"sixty\",\"Threshold\":{},\"Dimensions\":\"d\","
        "\"ImageId\":4,\"InstanceType\":[],\"BlockDeviceMappings\":[3,{\"NoDevice\":{}}],"
        "\"NetworkInterfaces\":[1],\"Monitoring\":\"yes\",\"IamInstanceProfile\":{},"
        "\"AvailabilityZone\":1,\"Size\":\"big\",\"VolumeId\":[],\"InstanceId\":{},"
        "\"Device\":2,\"Status\":false,\"Path\":3,\"AlarmRule\":[]}";
    struct lab l;
    lab_open(&l);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        const struct cfn_provider *p = svc_provider_find(types[i]);
        struct cfn_res r;
        res_init(&r, "Junk", types[i], junk);
        enum cfn_step s = p->create(&l.x, &r);
        CHECK(s == CFN_FAILED);
        if (s == CFN_FAILED)
            CHECK(r.reason[0] != '\0');
        r.physical_id = "junk-id";
        s = res_update(&l, p, &r, "{\"Tags\":[{\"Key\":1}],\"Policies\":7,\"Roles\":[[]]}");
        CHECK(s == CFN_FAILED || s == CFN_DONE || s == CFN_PENDING);
        s = p->del(&l.x, &r);
        CHECK(s == CFN_FAILED || s == CFN_DONE || s == CFN_PENDING);
        if (p->check) {
            s = res_check(&l, p, &r);
            CHECK(s == CFN_FAILED || s == CFN_DONE || s == CFN_PENDING);
        }
        res_free(&r);
    }
    lab_close(&l);
}

TEST(cfn_prov_instance_volumes_property)
{
    struct lab l;
    struct cfn_res vol, inst;
    lab_open(&l);
    const struct cfn_provider *pi = svc_provider_find("AWS::EC2::Instance");
    const struct cfn_provider *pv = svc_provider_find("AWS::EC2::Volume");
    res_init(&vol, "V", pv->type, "{\"AvailabilityZone\":\"us-east-1b\",\"Size\":4}");
    CHECK(pv->create(&l.x, &vol) != CFN_FAILED);
    lab_advance(&l, 20 * SEC);
    CHECK_EQ_INT(res_check(&l, pv, &vol), CFN_DONE);
    char props[300];
    snprintf(props, sizeof(props),
             "{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.micro\","
             "\"AvailabilityZone\":\"us-east-1b\",\"Volumes\":[{\"Device\":\"/dev/sdh\","
             "\"VolumeId\":\"%s\"}]}",
             vol.physical_id);
    res_init(&inst, "I", pi->type, props);
    CHECK_EQ_INT(pi->create(&l.x, &inst), CFN_PENDING);
    enum cfn_step s = CFN_PENDING;
    for (int i = 0; i < 10 && s == CFN_PENDING; i++) {
        lab_advance(&l, 10 * SEC);
        s = res_check(&l, pi, &inst);
    }
    CHECK_EQ_INT(s, CFN_DONE);
    CHECK_EQ_STR(inst.reason, "");
    char q[200];
    snprintf(q, sizeof(q), "{\"VolumeIds\":[\"%s\"]}", vol.physical_id);
    json_t *d = ask(&l, "ec2", "DescribeVolumes", q);
    CHECK_EQ_STR(json_string_value(fx_jget(d, "Volumes.0.Attachments.0.InstanceId")),
                 inst.physical_id);
    CHECK_EQ_STR(json_string_value(fx_jget(d, "Volumes.0.Attachments.0.Device")), "/dev/sdh");
    json_decref(d);
    /* dropping the property detaches the volume */
    CHECK(res_update(&l, pi, &inst,
                     "{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.micro\","
                     "\"AvailabilityZone\":\"us-east-1b\"}") == CFN_DONE);
    lab_advance(&l, 20 * SEC);
    d = ask(&l, "ec2", "DescribeVolumes", q);
    CHECK_EQ_STR(json_string_value(fx_jget(d, "Volumes.0.State")), "available");
    json_decref(d);
    res_free(&vol);
    res_free(&inst);
    lab_close(&l);
}
