/*
 * cfn_stack_test.c — the stack operations and the engine in virtual time, with a fake
 * provider standing in for AWS::CloudWatch::Alarm and AWS::IAM::Role: ordering, generated
 * names, outputs, failure -> rollback, rollback disabled, replacement on an AlarmName change,
 * in-place updates, update rollback, no-op updates, capabilities, deletion, events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "harness.h"
#include "store/store.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/module.h"
#include "svc/provider.h"
#include "svc_fixture.h"

/* ---------------------------------------------------------------- the fake provider */

static char fake_log[4096]; /* "create:NAME;update:NAME;delete:NAME;" */
static int fake_pending;    /* creates answer PENDING this many polls */
static int fake_polls;

static void fake_note(const char *what, const char *name)
{
    size_t n = strlen(fake_log);
    snprintf(fake_log + n, sizeof(fake_log) - n, "%s:%s;", what, name ? name : "?");
}

static enum cfn_step fake_create(const struct cfn_act *x, struct cfn_res *r)
{
    const char *name = json_string_value(json_object_get(r->props, "AlarmName"));
    if (!name)
        name = json_string_value(json_object_get(r->props, "RoleName"));
    if (str_eq(json_string_value(json_object_get(r->props, "MetricName")), "FAIL")) {
        snprintf(r->reason, sizeof(r->reason), "fake failure of %s", r->logical_id);
        fake_note("fail", name);
        return CFN_FAILED;
    }
    fake_note("create", name);
    r->physical_id = arena_strdup(x->c->a, name ? name : "x");
    r->attrs = json_pack("{s:s}", "Arn", "arn:fake");
    if (fake_pending > 0) {
        fake_polls = fake_pending;
        return CFN_PENDING;
    }
    return CFN_DONE;
}

static enum cfn_step fake_check(const struct cfn_act *x, struct cfn_res *r)
{
    (void)x;
    fake_note("check", r->physical_id);
    return --fake_polls > 0 ? CFN_PENDING : CFN_DONE;
}

static enum cfn_step fake_update(const struct cfn_act *x, struct cfn_res *r, const json_t *old)
{
    (void)x;
    (void)old;
    if (str_eq(json_string_value(json_object_get(r->props, "MetricName")), "FAIL")) {
        snprintf(r->reason, sizeof(r->reason), "fake update failure");
        return CFN_FAILED;
    }
    fake_note("update", r->physical_id);
    return CFN_DONE;
}

static enum cfn_step fake_del(const struct cfn_act *x, struct cfn_res *r)
{
    (void)x;
    fake_note("delete", r->physical_id);
    return CFN_DONE;
}

static const char *const fake_replace[] = {"AlarmName", NULL};
static const struct cfn_provider fake_alarm = {
    .type = "AWS::CloudWatch::Alarm",
    .create = fake_create,
    .check = fake_check,
    .update = fake_update,
    .del = fake_del,
    .replace_props = fake_replace,
    .name_prop = "AlarmName",
    .name_max = 255,
};
static const char *const role_replace[] = {"RoleName", NULL};
static const struct cfn_provider fake_role = {
    .type = "AWS::IAM::Role",
    .create = fake_create,
    .update = fake_update,
    .del = fake_del,
    .replace_props = role_replace,
    .name_prop = "RoleName",
    .name_max = 64,
};

/* A module naming the fake providers, first in the list so that the engine's
 * svc_provider_find answers them before CloudWatch's and IAM's own. */
static const struct cfn_provider *const fake_providers[] = {&fake_alarm, &fake_role, NULL};
static const struct svc_module fake_module = {.id = "cfnfake", .providers = fake_providers};
static const struct svc_module *fake_list[32];

static void use_fake_module(void)
{
    size_t n = 0;
    fake_list[n++] = &fake_module;
    for (const struct svc_module *const *m = svc_modules; *m && n < 31; m++)
        fake_list[n++] = *m;
    fake_list[n] = NULL;
    svc_modules_use(fake_list);
}

/* ---------------------------------------------------------------- helpers */

static void open_fx(struct fx *f)
{
    use_fake_module();
    fx_open(f, FX_T0);
    clock_init(f->st, CLOCK_MANUAL, FX_T0, true);
    cfn_stacks_init();
    fake_log[0] = 0;
    fake_pending = 0;
    fake_polls = 0;
}

static void close_fx(struct fx *f)
{
    fx_close(f);
    svc_modules_use(NULL);
}

/* Runs the engine for ms of virtual time. */
static void run_for(struct fx *f, int64_t ms)
{
    clock_advance(f->st, ms);
    fx_set_time(f, clock_now());
}

static int create(struct fx *f, const char *name, const char *body, const char *extra)
{
    json_t *in = json_pack("{s:s, s:s}", "StackName", name, "TemplateBody", body);
    if (extra) {
        json_t *x = json_loads(extra, 0, NULL);
        json_object_update(in, x);
        json_decref(x);
    }
    char *s = json_dumps(in, JSON_COMPACT);
    int rc = fx_call(f, "cloudformation", "CreateStack", cfn_create_stack, s);
    free(s);
    json_decref(in);
    return rc;
}

static int update(struct fx *f, const char *name, const char *body)
{
    json_t *in = json_pack("{s:s, s:s}", "StackName", name, "TemplateBody", body);
    char *s = json_dumps(in, JSON_COMPACT);
    int rc = fx_call(f, "cloudformation", "UpdateStack", cfn_update_stack, s);
    free(s);
    json_decref(in);
    return rc;
}

/* The stack's status ("" when absent) into buf. */
static const char *status_of(struct fx *f, const char *name, char *buf, size_t cap)
{
    struct cfn_stack s;
    buf[0] = 0;
    if (cfn_stack_load(f->st, "us-east-1", name, &s) == 0) {
        snprintf(buf, cap, "%s%s%s", s.status, s.reason ? "|" : "", s.reason ? s.reason : "");
        cfn_stack_free(&s);
    }
    return buf;
}

/* Physical id of a resource row (static buffer). */
static const char *pid_of(struct fx *f, const char *name, const char *logical)
{
    static char b[512];
    b[0] = 0;
    struct cfn_stack s;
    if (cfn_stack_load(f->st, "us-east-1", name, &s) != 0)
        return b;
    sqlite3_stmt *q = store_stmt(f->st, "SELECT physical_id, status FROM cfn_resources"
                                        " WHERE stack_id = ?1 AND logical_id = ?2");
    sqlite3_bind_text(q, 1, s.stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, logical, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        snprintf(b, sizeof(b), "%s %s", (const char *)sqlite3_column_text(q, 0),
                 (const char *)sqlite3_column_text(q, 1));
    sqlite3_reset(q);
    cfn_stack_free(&s);
    return b;
}

static const char two_alarms[] =
    "{\"Resources\": {"
    " \"B\": {\"Type\": \"AWS::CloudWatch::Alarm\", \"Properties\": {\"MetricName\": \"m\","
    "   \"Dimensions\": [{\"Name\": \"A\", \"Value\": {\"Ref\": \"A\"}}]}},"
    " \"A\": {\"Type\": \"AWS::CloudWatch::Alarm\", \"Properties\": {\"MetricName\": \"m\"}}},"
    " \"Outputs\": {\"AName\": {\"Value\": {\"Ref\": \"A\"}, \"Export\": {\"Name\": \"ex-a\"}},"
    "   \"BArn\": {\"Value\": {\"Fn::GetAtt\": [\"B\", \"Arn\"]}}}}";

/* ---------------------------------------------------------------- tests */

TEST(cfn_stack_create_two_alarms_in_order)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    CHECK_EQ_INT(create(&f, "s1", two_alarms, NULL), 0);
    CHECK_CONTAINS(f.body, "<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/");
    CHECK_EQ_STR(status_of(&f, "s1", st, sizeof(st)), "CREATE_IN_PROGRESS|User Initiated");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStacks", cfn_describe_stacks,
                         "{\"StackName\":\"s1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<StackStatus>CREATE_IN_PROGRESS</StackStatus>");
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "s1", st, sizeof(st)), "CREATE_COMPLETE");
    /* A first (B references it), generated names <stack>-<logical>-<12..13 chars> */
    CHECK(str_startswith(fake_log, "create:s1-A-"));
    CHECK(strstr(fake_log, ";create:s1-B-") != NULL);
    const char *a = pid_of(&f, "s1", "A");
    CHECK(str_startswith(a, "s1-A-"));
    CHECK(strlen(a) == strlen("s1-A-") + 12 + strlen(" CREATE_COMPLETE") ||
          strlen(a) == strlen("s1-A-") + 13 + strlen(" CREATE_COMPLETE"));
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStacks", cfn_describe_stacks,
                         "{\"StackName\":\"s1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<OutputKey>AName</OutputKey>");
    CHECK_CONTAINS(f.body, "<OutputValue>s1-A-");
    CHECK_CONTAINS(f.body, "<ExportName>ex-a</ExportName>");
    CHECK_CONTAINS(f.body, "<OutputValue>arn:fake</OutputValue>");
    /* events: newest first, User Initiated oldest, Initiated reason on resources */
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                         "{\"StackName\":\"s1\"}"),
                 0);
    const char *first = strstr(f.body, "<ResourceStatus>");
    CHECK(first && str_startswith(first, "<ResourceStatus>CREATE_COMPLETE</ResourceStatus>"));
    CHECK_CONTAINS(f.body, "<ResourceStatusReason>Resource creation Initiated");
    CHECK_CONTAINS(f.body, "<ResourceType>AWS::CloudFormation::Stack</ResourceType>");
    const char *ui = strstr(f.body, "User Initiated");
    CHECK(ui && !strstr(ui + 1, "<ResourceStatus>")); /* the last event listed */
    CHECK_CONTAINS(f.body, "<ResourceProperties>{&quot;MetricName&quot;:&quot;m&quot;");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "ListStackResources", cfn_list_stack_resources,
                         "{\"StackName\":\"s1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<LogicalResourceId>A</LogicalResourceId>");
    CHECK_EQ_INT(
        fx_call(&f, "cloudformation", "GetTemplate", cfn_get_template, "{\"StackName\":\"s1\"}"),
        0);
    CHECK_CONTAINS(f.body, "&quot;Outputs&quot;: {&quot;AName&quot;");
    /* a second stack of the same name */
    CHECK(create(&f, "s1", two_alarms, NULL) != 0);
    CHECK_EQ_STR(fx_err_code(&f), "AlreadyExistsException");
    CHECK_EQ_STR(fx_err_message(&f), "Stack [s1] already exists");
    close_fx(&f);
}

TEST(cfn_stack_pending_provider_polled)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    fake_pending = 3;
    CHECK_EQ_INT(create(&f, "p1",
                        "{\"Resources\":{\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\","
                        "\"Properties\":{\"AlarmName\":\"al\"}}}}",
                        NULL),
                 0);
    run_for(&f, CFN_STEP_MS);
    CHECK_EQ_STR(status_of(&f, "p1", st, sizeof(st)), "CREATE_IN_PROGRESS|User Initiated");
    CHECK_EQ_STR(pid_of(&f, "p1", "A"), "al CREATE_IN_PROGRESS");
    run_for(&f, 10 * CFN_STEP_MS);
    CHECK_EQ_STR(status_of(&f, "p1", st, sizeof(st)), "CREATE_COMPLETE");
    CHECK_EQ_STR(fake_log, "create:al;check:al;check:al;check:al;");
    close_fx(&f);
}

TEST(cfn_stack_failure_rolls_back)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    const char *tmpl = "{\"Resources\":{"
                       "\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\",\"Properties\":{\"MetricName\":"
                       "\"m\"}},"
                       "\"B\":{\"Type\":\"AWS::CloudWatch::Alarm\",\"DependsOn\":\"A\","
                       "\"Properties\":{\"MetricName\":\"FAIL\"}}}}";
    CHECK_EQ_INT(create(&f, "r1", tmpl, NULL), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "r1", st, sizeof(st)), "ROLLBACK_COMPLETE");
    CHECK(strstr(fake_log, "fail:") != NULL);
    CHECK(strstr(fake_log, ";delete:r1-A-") != NULL);
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                         "{\"StackName\":\"r1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<ResourceStatusReason>The following resource(s) failed to create: [B]."
                           " Rollback requested by user.</ResourceStatusReason>");
    CHECK_CONTAINS(f.body, "<ResourceStatusReason>fake failure of B</ResourceStatusReason>");
    CHECK_CONTAINS(f.body, "<ResourceStatus>DELETE_COMPLETE</ResourceStatus>");
    CHECK(strstr(pid_of(&f, "r1", "A"), "DELETE_COMPLETE") != NULL);

    /* rollback disabled: CREATE_FAILED, A stays */
    fake_log[0] = 0;
    CHECK_EQ_INT(create(&f, "r2", tmpl, "{\"DisableRollback\": true}"), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "r2", st, sizeof(st)),
                 "CREATE_FAILED|The following resource(s) failed to create: [B]. ");
    CHECK(strstr(fake_log, "delete:") == NULL);
    CHECK(strstr(pid_of(&f, "r2", "A"), "CREATE_COMPLETE") != NULL);
    close_fx(&f);
}

TEST(cfn_stack_update_replaces_on_alarm_name)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    CHECK_EQ_INT(create(&f, "u1", two_alarms, NULL), 0);
    run_for(&f, 60000);
    char old_a[512];
    snprintf(old_a, sizeof(old_a), "%s", pid_of(&f, "u1", "A"));
    *strchr(old_a, ' ') = 0;
    /* nothing changed */
    CHECK(update(&f, "u1", two_alarms) != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_EQ_STR(fx_err_message(&f), "No updates are to be performed.");
    /* AlarmName on A: replacement, and B (Ref A) updated in place */
    char *t2 = xstrdup(two_alarms);
    char *p = strstr(t2, "\"A\": {\"Type\": \"AWS::CloudWatch::Alarm\", \"Properties\": {");
    CHECK(p != NULL);
    struct buf b = BUF_INIT;
    p += strlen("\"A\": {\"Type\": \"AWS::CloudWatch::Alarm\", \"Properties\": {");
    buf_put(&b, t2, (size_t)(p - t2));
    buf_puts(&b, "\"AlarmName\": \"u1-A-renew\", ");
    buf_puts(&b, p);
    fake_log[0] = 0;
    CHECK_EQ_INT(update(&f, "u1", b.p), 0);
    CHECK_EQ_STR(status_of(&f, "u1", st, sizeof(st)), "UPDATE_IN_PROGRESS|User Initiated");
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "u1", st, sizeof(st)), "UPDATE_COMPLETE");
    CHECK_EQ_STR(pid_of(&f, "u1", "A"), "u1-A-renew UPDATE_COMPLETE");
    char want[1024];
    snprintf(want, sizeof(want), "create:u1-A-renew;update:%s", "u1-B-");
    CHECK(str_startswith(fake_log, want));
    snprintf(want, sizeof(want), ";delete:%s;", old_a);
    CHECK(str_endswith(fake_log, want)); /* old alarm deleted last, in cleanup */
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                         "{\"StackName\":\"u1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "Requested update requires the creation of a new physical resource;"
                           " hence creating one.");
    CHECK_CONTAINS(f.body, "<ResourceStatus>UPDATE_COMPLETE_CLEANUP_IN_PROGRESS</ResourceStatus>");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStacks", cfn_describe_stacks,
                         "{\"StackName\":\"u1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<OutputValue>u1-A-renew</OutputValue>");
    buf_free(&b);
    free(t2);
    close_fx(&f);
}

TEST(cfn_stack_update_failure_rolls_back)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    const char *t1 = "{\"Resources\":{\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\","
                     "\"Properties\":{\"AlarmName\":\"keep\",\"MetricName\":\"m\"}}}}";
    const char *t2 = "{\"Resources\":{\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\","
                     "\"Properties\":{\"AlarmName\":\"keep\",\"MetricName\":\"m2\"}},"
                     "\"N\":{\"Type\":\"AWS::CloudWatch::Alarm\",\"DependsOn\":\"A\","
                     "\"Properties\":{\"AlarmName\":\"new\",\"MetricName\":\"FAIL\"}}}}";
    CHECK_EQ_INT(create(&f, "f1", t1, NULL), 0);
    run_for(&f, 60000);
    fake_log[0] = 0;
    CHECK_EQ_INT(update(&f, "f1", t2), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "f1", st, sizeof(st)), "UPDATE_ROLLBACK_COMPLETE");
    CHECK_EQ_STR(fake_log, "update:keep;fail:new;update:keep;");
    CHECK_EQ_STR(pid_of(&f, "f1", "A"), "keep UPDATE_COMPLETE");
    CHECK_EQ_STR(pid_of(&f, "f1", "N"), "");
    CHECK_EQ_INT(
        fx_call(&f, "cloudformation", "GetTemplate", cfn_get_template, "{\"StackName\":\"f1\"}"),
        0);
    CHECK(strstr(f.body, "FAIL") == NULL); /* the previous template is back */
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                         "{\"StackName\":\"f1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<ResourceStatus>UPDATE_ROLLBACK_IN_PROGRESS</ResourceStatus>");
    CHECK_CONTAINS(f.body, "The following resource(s) failed to update: [N]. ");
    close_fx(&f);
}

TEST(cfn_stack_capabilities_required)
{
    struct fx f;
    open_fx(&f);
    const char *t = "{\"Resources\":{\"R\":{\"Type\":\"AWS::IAM::Role\",\"Properties\":"
                    "{\"AssumeRolePolicyDocument\":{}}}}}";
    CHECK(create(&f, "c1", t, NULL) != 0);
    CHECK_EQ_STR(fx_err_code(&f), "InsufficientCapabilitiesException");
    CHECK_EQ_STR(fx_err_message(&f), "Requires capabilities : [CAPABILITY_IAM]");
    const char *tn = "{\"Resources\":{\"R\":{\"Type\":\"AWS::IAM::Role\",\"Properties\":"
                     "{\"RoleName\":\"rn\",\"AssumeRolePolicyDocument\":{}}}}}";
    CHECK(create(&f, "c1", tn, "{\"Capabilities\":[\"CAPABILITY_IAM\"]}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "Requires capabilities : [CAPABILITY_NAMED_IAM]");
    CHECK_EQ_INT(create(&f, "c1", tn, "{\"Capabilities\":[\"CAPABILITY_NAMED_IAM\"]}"), 0);
    CHECK(create(&f, "c2", t, "{\"TemplateURL\":\"https://x/y\"}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    close_fx(&f);
}

TEST(cfn_stack_delete_and_list)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    CHECK_EQ_INT(create(&f, "d1", two_alarms, NULL), 0);
    run_for(&f, 60000);
    /* an importer keeps the export alive */
    CHECK_EQ_INT(create(&f, "imp",
                        "{\"Resources\":{\"I\":{\"Type\":\"AWS::CloudWatch::Alarm\","
                        "\"Properties\":{\"MetricName\":{\"Fn::ImportValue\":\"ex-a\"}}}}}",
                        NULL),
                 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "imp", st, sizeof(st)), "CREATE_COMPLETE");
    CHECK(fx_call(&f, "cloudformation", "DeleteStack", cfn_delete_stack,
                  "{\"StackName\":\"d1\"}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "Export ex-a cannot be deleted as it is in use by imp");
    CHECK_EQ_INT(
        fx_call(&f, "cloudformation", "DeleteStack", cfn_delete_stack, "{\"StackName\":\"imp\"}"),
        0);
    run_for(&f, 60000);
    struct cfn_stack s;
    CHECK_EQ_INT(cfn_stack_load(f.st, "us-east-1", "d1", &s), 0);
    char id[400];
    snprintf(id, sizeof(id), "%s", s.stack_id);
    cfn_stack_free(&s);
    fake_log[0] = 0;
    CHECK_EQ_INT(
        fx_call(&f, "cloudformation", "DeleteStack", cfn_delete_stack, "{\"StackName\":\"d1\"}"),
        0);
    CHECK_EQ_STR(status_of(&f, "d1", st, sizeof(st)), "DELETE_IN_PROGRESS|User Initiated");
    run_for(&f, 60000);
    CHECK(str_startswith(fake_log, "delete:d1-B-")); /* reverse order */
    CHECK(strstr(fake_log, ";delete:d1-A-") != NULL);
    CHECK(fx_call(&f, "cloudformation", "DescribeStacks", cfn_describe_stacks,
                  "{\"StackName\":\"d1\"}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "Stack with id d1 does not exist");
    CHECK_EQ_INT(fx_callf(&f, "cloudformation", "DescribeStacks", cfn_describe_stacks,
                          "{\"StackName\":\"%s\"}", id),
                 0);
    CHECK_CONTAINS(f.body, "<StackStatus>DELETE_COMPLETE</StackStatus>");
    CHECK_CONTAINS(f.body, "<DeletionTime>");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "ListStacks", cfn_list_stacks,
                         "{\"StackStatusFilter\":[\"DELETE_COMPLETE\"]}"),
                 0);
    CHECK_CONTAINS(f.body, "<StackName>d1</StackName>");
    CHECK_CONTAINS(f.body, "<StackName>imp</StackName>");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "ListStacks", cfn_list_stacks,
                         "{\"StackStatusFilter\":[\"CREATE_COMPLETE\"]}"),
                 0);
    CHECK(strstr(f.body, "<StackName>d1</StackName>") == NULL);
    /* deleting again is fine; a new stack may take the name */
    CHECK_EQ_INT(
        fx_call(&f, "cloudformation", "DeleteStack", cfn_delete_stack, "{\"StackName\":\"d1\"}"),
        0);
    CHECK_EQ_INT(create(&f, "d1", two_alarms, NULL), 0);
    close_fx(&f);
}

TEST(cfn_stack_on_failure_delete_and_state_errors)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    const char *bad = "{\"Resources\":{\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\","
                      "\"Properties\":{\"AlarmName\":\"a\",\"MetricName\":\"FAIL\"}}}}";
    CHECK_EQ_INT(create(&f, "o1", bad, "{\"OnFailure\":\"DELETE\"}"), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "o1", st, sizeof(st)), ""); /* gone by name */
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "ListStacks", cfn_list_stacks,
                         "{\"StackStatusFilter\":[\"DELETE_COMPLETE\"]}"),
                 0);
    CHECK_CONTAINS(f.body, "<StackName>o1</StackName>");
    /* ROLLBACK_COMPLETE cannot be updated */
    CHECK_EQ_INT(create(&f, "o2", bad, NULL), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "o2", st, sizeof(st)), "ROLLBACK_COMPLETE");
    CHECK(update(&f, "o2", two_alarms) != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_CONTAINS(fx_err_message(&f), "is in ROLLBACK_COMPLETE state and can not be updated.");
    CHECK(create(&f, "o3", bad, "{\"OnFailure\":\"DELETE\",\"DisableRollback\":true}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    /* updates of a stack in progress are refused too */
    CHECK_EQ_INT(create(&f, "o4", two_alarms, NULL), 0);
    CHECK(update(&f, "o4", bad) != 0);
    CHECK_CONTAINS(fx_err_message(&f), "is in CREATE_IN_PROGRESS state and can not be updated.");
    CHECK(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                  "{\"StackName\":\"nope\"}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "Stack with id nope does not exist");
    close_fx(&f);
}

TEST(cfn_stack_events_paging_and_resources)
{
    struct fx f;
    open_fx(&f);
    /* 40 alarms: 3 events each + 2 stack events = 122 events, two pages */
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"Resources\":{");
    for (int i = 0; i < 40; i++)
        buf_printf(&b,
                   "%s\"R%d\":{\"Type\":\"AWS::CloudWatch::Alarm\",\"Properties\":"
                   "{\"AlarmName\":\"al%d\"}}",
                   i ? "," : "", i, i);
    buf_puts(&b, "}}");
    CHECK_EQ_INT(create(&f, "pg", b.p, NULL), 0);
    run_for(&f, 60000);
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                         "{\"StackName\":\"pg\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<NextToken>100</NextToken>");
    int n = 0;
    for (const char *p = f.body; (p = strstr(p, "<EventId>")); p++)
        n++;
    CHECK_EQ_INT(n, 100);
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                         "{\"StackName\":\"pg\",\"NextToken\":\"100\"}"),
                 0);
    n = 0;
    for (const char *p = f.body; (p = strstr(p, "<EventId>")); p++)
        n++;
    CHECK_EQ_INT(n, 22);
    CHECK(strstr(f.body, "<NextToken>") == NULL);
    CHECK_CONTAINS(f.body, "User Initiated");
    /* resources by physical id and by logical id */
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackResources",
                         cfn_describe_stack_resources, "{\"PhysicalResourceId\":\"al7\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<LogicalResourceId>R7</LogicalResourceId>");
    CHECK_CONTAINS(f.body, "<StackName>pg</StackName>");
    CHECK(strstr(f.body, "<LogicalResourceId>R8</LogicalResourceId>") == NULL);
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackResource", cfn_describe_stack_resource,
                         "{\"StackName\":\"pg\",\"LogicalResourceId\":\"R3\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<PhysicalResourceId>al3</PhysicalResourceId>");
    CHECK_CONTAINS(f.body, "<ResourceStatus>CREATE_COMPLETE</ResourceStatus>");
    CHECK(fx_call(&f, "cloudformation", "DescribeStackResource", cfn_describe_stack_resource,
                  "{\"StackName\":\"pg\",\"LogicalResourceId\":\"R99\"}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "Resource R99 does not exist for stack pg");
    buf_free(&b);
    close_fx(&f);
}

TEST(cfn_stack_parameters_noecho_and_previous_values)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    const char *t = "Parameters:\n"
                    "  Name: {Type: String}\n"
                    "  Secret: {Type: String, NoEcho: true, Default: hush}\n"
                    "Resources:\n"
                    "  A:\n"
                    "    Type: AWS::CloudWatch::Alarm\n"
                    "    Properties: {AlarmName: !Ref Name, MetricName: !Ref Secret}\n";
    CHECK(create(&f, "n1", t, NULL) != 0);
    CHECK_EQ_STR(fx_err_code(&f), "ValidationError");
    CHECK_EQ_INT(create(&f, "n1", t,
                        "{\"Parameters\":[{\"ParameterKey\":\"Name\",\"ParameterValue\":"
                        "\"first\"}]}"),
                 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(pid_of(&f, "n1", "A"), "first CREATE_COMPLETE");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStacks", cfn_describe_stacks,
                         "{\"StackName\":\"n1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<ParameterKey>Secret</ParameterKey><ParameterValue>****"
                           "</ParameterValue>");
    CHECK_CONTAINS(f.body, "<ParameterValue>first</ParameterValue>");
    /* UsePreviousTemplate + UsePreviousValue: nothing changes */
    CHECK(fx_call(&f, "cloudformation", "UpdateStack", cfn_update_stack,
                  "{\"StackName\":\"n1\",\"UsePreviousTemplate\":true,\"Parameters\":"
                  "[{\"ParameterKey\":\"Name\",\"UsePreviousValue\":true}]}") != 0);
    CHECK_EQ_STR(fx_err_message(&f), "No updates are to be performed.");
    /* a new name: the alarm is replaced */
    fake_log[0] = 0;
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "UpdateStack", cfn_update_stack,
                         "{\"StackName\":\"n1\",\"UsePreviousTemplate\":true,\"Parameters\":"
                         "[{\"ParameterKey\":\"Name\",\"ParameterValue\":\"second\"}]}"),
                 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "n1", st, sizeof(st)), "UPDATE_COMPLETE");
    CHECK_EQ_STR(fake_log, "create:second;delete:first;");
    close_fx(&f);
}

TEST(cfn_stack_update_rollback_of_a_replacement)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    const char *t1 = "{\"Resources\":{\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\","
                     "\"Properties\":{\"AlarmName\":\"old\",\"MetricName\":\"m\"}}}}";
    const char *t2 = "{\"Resources\":{\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\","
                     "\"Properties\":{\"AlarmName\":\"new\",\"MetricName\":\"m\"}},"
                     "\"N\":{\"Type\":\"AWS::CloudWatch::Alarm\",\"Properties\":{\"AlarmName\":"
                     "{\"Fn::Join\":[\"-\",[{\"Ref\":\"A\"},\"n\"]]},\"MetricName\":\"FAIL\"}}}}";
    CHECK_EQ_INT(create(&f, "rr", t1, "{\"ClientRequestToken\":\"tok-1\"}"), 0);
    char id[400];
    const char *sid = strstr(f.body, "<StackId>");
    CHECK(sid != NULL);
    snprintf(id, sizeof(id), "%s", sid ? sid : "");
    /* a retry with the same token answers the same stack */
    CHECK_EQ_INT(create(&f, "rr", t1, "{\"ClientRequestToken\":\"tok-1\"}"), 0);
    CHECK(sid && strncmp(strstr(f.body, "<StackId>"), id, strcspn(id, "/") + 60) == 0);
    CHECK(create(&f, "rr", t1, "{\"ClientRequestToken\":\"tok-2\"}") != 0);
    CHECK_EQ_STR(fx_err_code(&f), "AlreadyExistsException");
    run_for(&f, 60000);
    fake_log[0] = 0;
    CHECK_EQ_INT(update(&f, "rr", t2), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "rr", st, sizeof(st)), "UPDATE_ROLLBACK_COMPLETE");
    CHECK_EQ_STR(fake_log, "create:new;fail:new-n;delete:new;");
    CHECK_EQ_STR(pid_of(&f, "rr", "A"), "old UPDATE_COMPLETE");
    CHECK_EQ_STR(pid_of(&f, "rr", "N"), "");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                         "{\"StackName\":\"rr\"}"),
                 0);
    const char *first = strstr(f.body, "<ResourceStatus>");
    CHECK(first &&
          str_startswith(first, "<ResourceStatus>UPDATE_ROLLBACK_COMPLETE</ResourceStatus>"));
    CHECK_CONTAINS(f.body, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS");
    close_fx(&f);
}

/* GetTemplateSummary of a stack summarises the stack's current template. */
TEST(cfn_stack_template_summary_by_stack_name)
{
    struct fx f;
    open_fx(&f);
    CHECK_EQ_INT(create(&f, "s1", two_alarms, NULL), 0);
    run_for(&f, 60000);
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "GetTemplateSummary", cfn_get_template_summary,
                         "{\"StackName\":\"s1\"}"),
                 0);
    CHECK_CONTAINS(f.body, "<ResourceTypes><member>AWS::CloudWatch::Alarm</member>");
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "GetTemplateSummary", cfn_get_template_summary,
                         "{\"StackName\":\"nostack\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Stack with id nostack does not exist");
    close_fx(&f);
}

/* Runs sql on the fixture's store (a test trigger that makes a write fail). */
static void exec(struct fx *f, const char *sql)
{
    char *err = NULL;
    CHECK_EQ_INT(sqlite3_exec(store_db(f->st), sql, NULL, NULL, &err), SQLITE_OK);
    sqlite3_free(err);
}

/* Rows of a stack's resources. */
static int rows_of(struct fx *f, const char *name)
{
    struct cfn_stack s;
    if (cfn_stack_load(f->st, "us-east-1", name, &s) != 0)
        return -1;
    sqlite3_stmt *q = store_stmt(f->st, "SELECT COUNT(*) FROM cfn_resources WHERE stack_id = ?1");
    sqlite3_bind_text(q, 1, s.stack_id, -1, SQLITE_STATIC);
    int n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
    sqlite3_reset(q);
    cfn_stack_free(&s);
    return n;
}

TEST(cfn_stack_failed_write_fails_the_operation)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    const char *one = "{\"Resources\":{\"A\":{\"Type\":\"AWS::CloudWatch::Alarm\","
                      "\"Properties\":{\"AlarmName\":\"al\"}}}}";
    /* the resource row cannot be written: the step that created it is undone as a whole and
     * the stack fails instead of completing without the row */
    exec(&f, "CREATE TEMP TRIGGER no_rows BEFORE INSERT ON cfn_resources"
             " BEGIN SELECT RAISE(ABORT, 'test: no rows'); END");
    CHECK_EQ_INT(create(&f, "w1", one, NULL), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "w1", st, sizeof(st)), "CREATE_FAILED|Internal Failure");
    CHECK_EQ_STR(fake_log, "create:al;");
    CHECK_EQ_INT(rows_of(&f, "w1"), 0);
    CHECK_EQ_INT(fx_call(&f, "cloudformation", "DescribeStackEvents", cfn_describe_stack_events,
                         "{\"StackName\":\"w1\"}"),
                 0);
    CHECK(strstr(f.body, "<LogicalResourceId>A</LogicalResourceId>") == NULL);
    CHECK_CONTAINS(f.body, "<ResourceStatus>CREATE_FAILED</ResourceStatus>");
    exec(&f, "DROP TRIGGER no_rows");

    /* a deletion whose row cannot be marked: DELETE_FAILED, the row as it was; deleting again
     * once the store works completes */
    CHECK_EQ_INT(create(&f, "w2", one, NULL), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "w2", st, sizeof(st)), "CREATE_COMPLETE");
    exec(&f, "CREATE TEMP TRIGGER no_updates BEFORE UPDATE ON cfn_resources"
             " BEGIN SELECT RAISE(ABORT, 'test: no updates'); END");
    CHECK_EQ_INT(
        fx_call(&f, "cloudformation", "DeleteStack", cfn_delete_stack, "{\"StackName\":\"w2\"}"),
        0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "w2", st, sizeof(st)), "DELETE_FAILED|Internal Failure");
    CHECK_EQ_STR(pid_of(&f, "w2", "A"), "al CREATE_COMPLETE");
    exec(&f, "DROP TRIGGER no_updates");
    CHECK_EQ_INT(
        fx_call(&f, "cloudformation", "DeleteStack", cfn_delete_stack, "{\"StackName\":\"w2\"}"),
        0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "w2", st, sizeof(st)), "");
    close_fx(&f);
}

TEST(cfn_stack_failed_export_write_fails_the_create)
{
    struct fx f;
    open_fx(&f);
    char st[512];
    exec(&f, "CREATE TEMP TRIGGER no_exports BEFORE INSERT ON cfn_exports"
             " BEGIN SELECT RAISE(ABORT, 'test: no exports'); END");
    CHECK_EQ_INT(create(&f, "x1", two_alarms, NULL), 0);
    run_for(&f, 60000);
    CHECK_EQ_STR(status_of(&f, "x1", st, sizeof(st)), "CREATE_FAILED|Internal Failure");
    exec(&f, "DROP TRIGGER no_exports");
    close_fx(&f);
}
