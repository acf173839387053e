/*
 * invoke_test.c — svc_invoke: one service calling another as a principal. Validation errors
 * surface in err, template strings are coerced to the member types ("60" -> 60), the call is
 * authorized as the given principal with aws:CalledVia / aws:ViaAWSService, the output is
 * captured keyed by member names (EC2's locationNames undone), the creator recorded.
 */
#include <stdio.h>
#include <string.h>

#include "authz_lab.h"
#include "harness.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/invoke.h"
#include "svc_fixture.h"

#define VIA "cloudformation.amazonaws.com"
#define ALARM_IN                                                                                   \
    "{\"AlarmName\":\"a1\",\"Namespace\":\"AWS/EC2\",\"MetricName\":\"CPUUtilization\","           \
    "\"Statistic\":\"Average\",\"Period\":\"60\",\"EvaluationPeriods\":\"5\","                     \
    "\"Threshold\":\"0\",\"ComparisonOperator\":\"GreaterThanThreshold\","                         \
    "\"ActionsEnabled\":\"true\",\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"i-1\"}]}"

struct parent {
    struct arena *a;
    struct call c;
};

/* A parent call like the stack engine's: the fixture's store, region, account and time. */
static void parent_open(struct parent *p, struct fx *f)
{
    memset(p, 0, sizeof(*p));
    p->a = arena_new();
    p->c.a = p->a;
    p->c.st = f->st;
    p->c.account = FX_ACCOUNT;
    p->c.region = "us-east-1";
    p->c.now_ms = f->now_ms;
    p->c.who = f->who;
    uuid4(p->c.request_id);
}

static void parent_close(struct parent *p)
{
    arena_free(p->a);
}

static json_t *jin(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    CHECK(v != NULL);
    return v;
}

static void open_invoke(struct fx *f)
{
    fx_open(f, FX_T0);
    svc_init();
    authz_cache_clear();
}

TEST(invoke_validation_error_surfaces)
{
    struct fx f;
    struct parent p;
    struct call err;
    json_t *out = NULL;
    open_invoke(&f);
    parent_open(&p, &f);
    memset(&err, 0, sizeof(err));
    json_t *in = jin("{\"AlarmName\":\"a1\",\"ComparisonOperator\":\"GreaterThanThreshold\"}");
    int rc = svc_invoke(&p.c, &f.who, VIA, "cloudwatch", "PutMetricAlarm", in, &out, &err);
    CHECK_EQ_INT(rc, -1);
    CHECK(out == NULL);
    CHECK_EQ_INT(err.err.status, 400);
    /* the wire layer's words for the service's own protocol (CloudWatch Query) */
    CHECK_EQ_STR(err.err.code, "MissingParameter");
    CHECK_EQ_STR(err.err.message, "The parameter EvaluationPeriods is required.");
    CHECK(p.c.err.status == 0); /* the parent is not failed */
    json_decref(in);
    /* pattern/range validation too: Period 0 is below the model's minimum */
    in = jin("{\"AlarmName\":\"a1\",\"ComparisonOperator\":\"GreaterThanThreshold\","
             "\"EvaluationPeriods\":\"0\"}");
    memset(&err, 0, sizeof(err));
    rc = svc_invoke(&p.c, &f.who, VIA, "cloudwatch", "PutMetricAlarm", in, &out, &err);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_STR(err.err.code, "ValidationError");
    CHECK_CONTAINS(err.err.message, "evaluationPeriods");
    json_decref(in);
    parent_close(&p);
    fx_close(&f);
}

TEST(invoke_coerces_template_strings)
{
    struct fx f;
    struct parent p;
    struct call err;
    json_t *out = NULL;
    open_invoke(&f);
    parent_open(&p, &f);
    memset(&err, 0, sizeof(err));
    json_t *in = jin(ALARM_IN);
    int rc = svc_invoke(&p.c, &f.who, VIA, "cloudwatch", "PutMetricAlarm", in, &out, &err);
    CHECK_EQ_INT(rc, 0);
    CHECK(json_is_object(out));
    /* the caller's input is not modified */
    CHECK(json_is_string(json_object_get(in, "Period")));
    struct cw_alarm a;
    memset(&a, 0, sizeof(a));
    CHECK_EQ_INT(cw_alarm_load(f.st, "us-east-1", "a1", &a), 0);
    CHECK(json_is_integer(json_object_get(a.doc, "Period")));
    CHECK_EQ_INT((int)json_integer_value(json_object_get(a.doc, "Period")), 60);
    CHECK_EQ_INT((int)json_integer_value(json_object_get(a.doc, "EvaluationPeriods")), 5);
    CHECK(json_is_number(json_object_get(a.doc, "Threshold")));
    CHECK(json_is_true(json_object_get(a.doc, "ActionsEnabled")));
    cw_alarm_free(&a);
    json_decref(out);
    json_decref(in);

    /* a string that is not a number is a type error, not a crash */
    in = jin("{\"AlarmName\":\"a2\",\"ComparisonOperator\":\"GreaterThanThreshold\","
             "\"EvaluationPeriods\":\"five\"}");
    rc = svc_invoke(&p.c, &f.who, VIA, "cloudwatch", "PutMetricAlarm", in, &out, &err);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_STR(err.err.code, "ValidationError");
    CHECK_EQ_STR(err.err.message, "#/EvaluationPeriods: expected type: Integer, found: String");
    json_decref(in);
    /* numbers become strings where the member is a string */
    in = jin("{\"AlarmName\":\"a3\",\"ComparisonOperator\":\"GreaterThanThreshold\","
             "\"EvaluationPeriods\":1,\"Period\":60,\"Namespace\":\"N\",\"MetricName\":\"M\","
             "\"Statistic\":\"Sum\",\"Threshold\":1,"
             "\"Dimensions\":[{\"Name\":\"Port\",\"Value\":8080}]}");
    rc = svc_invoke(&p.c, &f.who, VIA, "cloudwatch", "PutMetricAlarm", in, &out, &err);
    CHECK_EQ_INT(rc, 0);
    memset(&a, 0, sizeof(a));
    CHECK_EQ_INT(cw_alarm_load(f.st, "us-east-1", "a3", &a), 0);
    CHECK_EQ_STR(json_string_value(fx_jget(a.doc, "Dimensions.0.Value")), "8080");
    cw_alarm_free(&a);
    json_decref(out);
    json_decref(in);
    parent_close(&p);
    fx_close(&f);
}

TEST(invoke_authorizes_as_principal_with_called_via)
{
    struct fx f;
    struct parent p;
    struct call err;
    struct lab_key k;
    json_t *out = NULL;
    open_invoke(&f);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &k);
    /* allowed only when called via CloudFormation */
    lab_inline(&f, "user", "cfn", "viacfn",
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
               "\"Action\":\"cloudwatch:PutMetricAlarm\",\"Resource\":\"*\",\"Condition\":"
               "{\"ForAnyValue:StringEquals\":{\"aws:CalledVia\":[\"" VIA "\"]},"
               "\"Bool\":{\"aws:ViaAWSService\":\"true\"}}}]}");
    fx_as_user(&f, "cfn", "AIDACFNUSER0000000001");
    snprintf(f.who.access_key_id, sizeof(f.who.access_key_id), "%s", k.id);
    parent_open(&p, &f);
    json_t *in = jin(ALARM_IN);

    memset(&err, 0, sizeof(err));
    int rc = svc_invoke(&p.c, &f.who, NULL, "cloudwatch", "PutMetricAlarm", in, &out, &err);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_INT(err.err.status, 403);
    CHECK_EQ_STR(err.err.code, "AccessDenied");
    CHECK_CONTAINS(err.err.message, "User: arn:aws:iam::123456789012:user/cfn is not authorized "
                                    "to perform: cloudwatch:PutMetricAlarm");
    struct cw_alarm a;
    memset(&a, 0, sizeof(a));
    CHECK_EQ_INT(cw_alarm_load(f.st, "us-east-1", "a1", &a), 1);

    memset(&err, 0, sizeof(err));
    rc = svc_invoke(&p.c, &f.who, VIA, "cloudwatch", "PutMetricAlarm", in, &out, &err);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(err.err.status, 0);
    /* the recorded creator is the principal passed, not the parent's caller */
    CHECK_EQ_INT(cw_alarm_load(f.st, "us-east-1", "a1", &a), 0);
    CHECK_EQ_INT(a.creator.kind, PRINCIPAL_USER);
    CHECK_EQ_STR(a.creator.arn, "arn:aws:iam::123456789012:user/cfn");
    cw_alarm_free(&a);
    json_decref(out);

    /* EC2 denials are EC2's own code */
    memset(&err, 0, sizeof(err));
    json_t *ri = jin("{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.micro\","
                     "\"MinCount\":\"1\",\"MaxCount\":\"1\"}");
    rc = svc_invoke(&p.c, &f.who, VIA, "ec2", "RunInstances", ri, &out, &err);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_STR(err.err.code, "UnauthorizedOperation");
    json_decref(ri);
    json_decref(in);
    parent_close(&p);
    fx_close(&f);
}

TEST(invoke_output_captured_by_member_names)
{
    struct fx f;
    struct parent p;
    struct call err;
    json_t *out = NULL;
    open_invoke(&f);
    parent_open(&p, &f);
    memset(&err, 0, sizeof(err));
    json_t *in = jin("{\"ImageId\":\"ami-374db956\",\"InstanceType\":\"t2.micro\","
                     "\"MinCount\":\"1\",\"MaxCount\":\"1\",\"TagSpecifications\":[{"
                     "\"ResourceType\":\"instance\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}]}");
    int rc = svc_invoke(&p.c, &f.who, VIA, "ec2", "RunInstances", in, &out, &err);
    CHECK_EQ_INT(rc, 0);
    const char *id = json_string_value(fx_jget(out, "Instances.0.InstanceId"));
    CHECK(id && strncmp(id, "i-", 2) == 0);
    CHECK_EQ_STR(json_string_value(fx_jget(out, "Instances.0.State.Name")), "pending");
    CHECK(fx_jget(out, "instancesSet") == NULL);
    json_decref(out);
    json_decref(in);

    in = jin("{\"UserName\":\"bob\"}");
    rc = svc_invoke(&p.c, &f.who, VIA, "iam", "CreateUser", in, &out, &err);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_STR(json_string_value(fx_jget(out, "User.Arn")), "arn:aws:iam::123456789012:user/bob");
    json_decref(out);
    /* a second create fails with IAM's error and rolls back only itself */
    rc = svc_invoke(&p.c, &f.who, VIA, "iam", "CreateUser", in, &out, &err);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_STR(err.err.code, "EntityAlreadyExists");
    CHECK_EQ_INT(err.err.status, 409);
    json_decref(in);

    /* an operation without output gives {} */
    in = jin("{\"AlarmNames\":[\"nope\"]}");
    rc = svc_invoke(&p.c, &f.who, VIA, "cloudwatch", "EnableAlarmActions", in, &out, &err);
    CHECK_EQ_INT(rc, 0);
    CHECK(json_is_object(out) && json_object_size(out) == 0);
    json_decref(out);
    json_decref(in);

    /* an unserved operation is refused, not crashed on */
    rc = svc_invoke(&p.c, &f.who, VIA, "iam", "NoSuchOperation", NULL, &out, &err);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_STR(err.err.code, "InvalidAction");
    parent_close(&p);
    fx_close(&f);
}
