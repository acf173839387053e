/* cw_actions_test.c — alarm actions on transitions: who acts (creator for recover, the
 * service-linked role for stop/terminate/reboot), the 401 failure of temporary creators, the
 * Action history items' summaries and HistoryData. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cw_eval_store.h"
#include "harness.h"
#include "store/store.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/cloudwatch/cw_eval.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/health_internal.h"
#include "svc_fixture.h"

#define IID "i-0123456789abcdef0"
#define RECOVER "arn:aws:automate:us-east-1:ec2:recover"
#define AUTH401                                                                                    \
    "Action failed. Encountered error calling EC2 recover. (401: AWS was not able to validate "    \
    "the provided access credentials)"

static const char *doc_with(const char *name, const char *actions, bool enabled)
{
    static char buf[2048];
    snprintf(buf, sizeof(buf),
             "{\"AlarmName\":\"%s\",\"ActionsEnabled\":%s,\"OKActions\":[],"
             "\"AlarmActions\":%s,\"InsufficientDataActions\":[],\"StateValue\":\"OK\","
             "\"StateReason\":\"x\",\"MetricName\":\"StatusCheckFailed\",\"Namespace\":"
             "\"AWS/EC2\",\"Statistic\":\"Minimum\",\"Dimensions\":[{\"Name\":\"InstanceId\","
             "\"Value\":\"" IID "\"}],\"Period\":60,\"EvaluationPeriods\":5,\"Threshold\":0.0,"
             "\"ComparisonOperator\":\"GreaterThanThreshold\"}",
             name, enabled ? "true" : "false", actions);
    return buf;
}

/* Puts the alarm and moves it to ALARM as SetAlarmState would. */
static void fire(struct fx *f, const char *name)
{
    struct cw_alarm a;
    CHECK_EQ_INT(cw_alarm_load(f->st, "us-east-1", name, &a), 0);
    store_begin(f->st);
    CHECK_EQ_INT(cw_alarm_transition(f->st, &a, "ALARM", "testing", NULL, f->now_ms), 0);
    store_commit(f->st);
    cw_alarm_free(&a);
}

static void add_key(struct fx *f, const char *akid, const char *status, const char *token,
                    const struct principal *p)
{
    char *pj = principal_to_json(p);
    sqlite3_stmt *s = store_stmt(f->st, "INSERT INTO access_keys(access_key_id, secret,"
                                        " session_token, status, created_ms, principal)"
                                        " VALUES(?1, 'secret', ?2, ?3, 0, ?4)");
    sqlite3_bind_text(s, 1, akid, -1, SQLITE_STATIC);
    if (token)
        sqlite3_bind_text(s, 2, token, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, pj, -1, SQLITE_TRANSIENT);
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_reset(s);
    free(pj);
}

static void add_user(struct fx *f, const char *name)
{
    sqlite3_stmt *s = store_stmt(f->st, "INSERT INTO iam_users(name, user_id, path, arn,"
                                        " created_ms) VALUES(?1, 'AIDAALICE0000000000001', '/',"
                                        " 'arn:aws:iam::123456789012:user/' || ?1, 0)");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_reset(s);
}

TEST(cw_actions_recover_role_session_401)
{
    struct fx f;
    fx_open(&f, FX_T0);
    fx_as_role_session(&f, "Builder", "AROABUILDER000000001", "i-0abc");
    cwt_alarm_insert(f.st, "r1", doc_with("r1", "[\"" RECOVER "\"]", true), &f.who,
                     "ASIAROLESESSION00001");
    fire(&f, "r1");
    CHECK_EQ_INT(cwt_history_count(f.st, "r1", "Action"), 1);
    CHECK_EQ_STR(cwt_history_summary(f.st, "r1", "Action"),
                 "Failed to execute action arn:aws:automate:us-east-1:ec2:recover. Received "
                 "error: \"" AUTH401 "\"");
    char want[600];
    snprintf(want, sizeof(want),
             "{\"actionState\":\"Failed\",\"stateUpdateTimestamp\":%lld,\"notificationResource\":"
             "\"" RECOVER "\",\"error\":\"" AUTH401 "\"}",
             (long long)FX_T0);
    CHECK_EQ_STR(cwt_history_data(f.st, "r1", "Action"), want);
    /* the Action item carries the transition's timestamp */
    sqlite3_stmt *s = store_stmt(f.st, "SELECT count(DISTINCT at_ms) FROM cw_alarm_history"
                                       " WHERE alarm_name = 'r1'");
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(s, 0), 1);
    sqlite3_reset(s);
    fx_close(&f);
}

TEST(cw_actions_recover_temporary_user_and_gone_keys)
{
    struct fx f;
    fx_open(&f, FX_T0);
    add_user(&f, "alice");
    /* GetSessionToken credentials of an IAM user: temporary -> 401 */
    fx_as_user(&f, "alice", "AIDAALICE0000000000001");
    f.who.temporary = true;
    cwt_alarm_insert(f.st, "gst", doc_with("gst", "[\"" RECOVER "\"]", true), &f.who,
                     "ASIAGETSESSION000001");
    fire(&f, "gst");
    CHECK_CONTAINS(cwt_history_summary(f.st, "gst", "Action"), AUTH401);

    /* a long-term key that was deleted -> 401 */
    fx_as_user(&f, "alice", "AIDAALICE0000000000001");
    cwt_alarm_insert(f.st, "gone", doc_with("gone", "[\"" RECOVER "\"]", true), &f.who,
                     "AKIAGONE000000000001");
    fire(&f, "gone");
    CHECK_CONTAINS(cwt_history_summary(f.st, "gone", "Action"), AUTH401);

    /* an Inactive key -> 401 */
    add_key(&f, "AKIAINACTIVE00000001", "Inactive", NULL, &f.who);
    cwt_alarm_insert(f.st, "inact", doc_with("inact", "[\"" RECOVER "\"]", true), &f.who,
                     "AKIAINACTIVE00000001");
    fire(&f, "inact");
    CHECK_CONTAINS(cwt_history_summary(f.st, "inact", "Action"), AUTH401);

    /* an Active key of a deleted user -> 401 */
    struct principal bob = f.who;
    snprintf(bob.name, sizeof(bob.name), "bob");
    snprintf(bob.arn, sizeof(bob.arn), "arn:aws:iam::123456789012:user/bob");
    add_key(&f, "AKIABOB0000000000001", "Active", NULL, &bob);
    cwt_alarm_insert(f.st, "nouser", doc_with("nouser", "[\"" RECOVER "\"]", true), &bob,
                     "AKIABOB0000000000001");
    fire(&f, "nouser");
    CHECK_CONTAINS(cwt_history_summary(f.st, "nouser", "Action"), AUTH401);
    fx_close(&f);
}

TEST(cw_actions_recover_valid_user_reaches_ec2)
{
    struct fx f;
    fx_open(&f, FX_T0);
    add_user(&f, "alice");
    fx_as_user(&f, "alice", "AIDAALICE0000000000001");
    add_key(&f, "AKIAALICE00000000001", "Active", NULL, &f.who);
    cwt_alarm_insert(f.st, "u1", doc_with("u1", "[\"" RECOVER "\"]", true), &f.who,
                     "AKIAALICE00000000001");
    fire(&f, "u1");
    /* the user has no policy: EC2 refuses ec2:RecoverInstances with its own error, not 401 */
    const char *sum = cwt_history_summary(f.st, "u1", "Action");
    CHECK_CONTAINS(sum, "Failed to execute action " RECOVER ". Received error: \"Action failed. "
                        "Encountered error calling EC2 recover. (403: ");
    CHECK(strstr(sum, "401") == NULL);
    CHECK_CONTAINS(cwt_history_data(f.st, "u1", "Action"), "ec2:RecoverInstances");
    CHECK(strlen(sum) <= 255);

    /* root passes authorization; a missing instance is EC2's own error */
    fx_as_root(&f);
    cwt_alarm_insert(f.st, "root1", doc_with("root1", "[\"" RECOVER "\"]", true), &f.who, NULL);
    fire(&f, "root1");
    CHECK_CONTAINS(cwt_history_summary(f.st, "root1", "Action"),
                   "Encountered error calling EC2 recover. (400: ");
    CHECK(strstr(cwt_history_summary(f.st, "root1", "Action"), "401") == NULL);
    fx_close(&f);
}

TEST(cw_actions_slr_and_other_targets)
{
    struct fx f;
    fx_open(&f, FX_T0);
    fx_as_root(&f);
    /* no service-linked role: stop fails */
    cwt_alarm_insert(f.st, "s1",
                     doc_with("s1",
                              "[\"arn:aws:swf:us-east-1:123456789012:action/actions/"
                              "AWS_EC2.InstanceId.Stop/1.0\",\"arn:aws:sns:us-east-1:"
                              "123456789012:ops\"]",
                              true),
                     &f.who, NULL);
    fire(&f, "s1");
    CHECK_EQ_INT(cwt_history_count(f.st, "s1", "Action"), 2);
    sqlite3_stmt *s = store_stmt(f.st, "SELECT summary, data FROM cw_alarm_history WHERE"
                                       " alarm_name = 's1' AND item_type = 'Action' ORDER BY id");
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(s, 0),
                 "Failed to execute action arn:aws:swf:us-east-1:123456789012:action/actions/"
                 "AWS_EC2.InstanceId.Stop/1.0. Received error: \"Action failed. Encountered "
                 "error calling EC2 stop. (403: The service-linked role "
                 "AWSServiceRoleForCloudWatchEvents does not exist)\"");
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(s, 0),
                 "Failed to execute action arn:aws:sns:us-east-1:123456789012:ops. Received "
                 "error: \"Topic does not exist\"");
    CHECK_CONTAINS((const char *)sqlite3_column_text(s, 1), "\"actionState\":\"Failed\"");
    sqlite3_reset(s);

    /* actions disabled: a transition writes no Action item */
    cwt_alarm_insert(f.st, "off", doc_with("off", "[\"" RECOVER "\"]", false), &f.who, NULL);
    fire(&f, "off");
    CHECK_EQ_INT(cwt_history_count(f.st, "off", "StateUpdate"), 1);
    CHECK_EQ_INT(cwt_history_count(f.st, "off", "Action"), 0);

    /* same-state transition: no actions */
    struct cw_alarm a;
    CHECK_EQ_INT(cw_alarm_load(f.st, "us-east-1", "s1", &a), 0);
    store_begin(f.st);
    CHECK_EQ_INT(cw_alarm_transition(f.st, &a, "ALARM", "again", NULL, FX_T0 + 1000), 0);
    store_commit(f.st);
    cw_alarm_free(&a);
    CHECK_EQ_INT(cwt_history_count(f.st, "s1", "Action"), 2);
    fx_close(&f);
}

/* ---------------------------------------------------------------- the seed scenario */

#define SEED_IID "i-0aaaaaaaaaaaaaa01"
#define SEED_DOC(name)                                                                             \
    "{\"AlarmName\":\"" name                                                                       \
    "\",\"ActionsEnabled\":true,\"OKActions\":[],\"AlarmActions\":[\"" RECOVER                     \
    "\"],\"InsufficientDataActions\":[],\"StateValue\":\"INSUFFICIENT_DATA\","                     \
    "\"StateReason\":\"Unchecked: Initial alarm creation\",\"MetricName\":"                        \
    "\"StatusCheckFailed\",\"Namespace\":\"AWS/EC2\",\"Statistic\":\"Minimum\",\"Dimensions\":"    \
    "[{\"Name\":\"InstanceId\",\"Value\":\"" SEED_IID "\"}],\"Period\":60,"                        \
    "\"EvaluationPeriods\":5,\"Threshold\":0.0,\"ComparisonOperator\":"                            \
    "\"GreaterThanThreshold\"}"

static void seed_instance(struct fx *f)
{
    sqlite3_stmt *s = store_stmt(
        f->st, "INSERT INTO ec2_instances(id, region, az, type, image_id, host_id, tenancy,"
               " auto_recovery, profile_arn, private_ip, public_ip, state, state_ms, launch_ms,"
               " boot_ms, doc) VALUES(?1, 'us-east-1', 'us-east-1c', 't3.micro', 'ami-374db956',"
               " NULL, 'default', 'disabled', NULL, '172.31.32.7', '3.80.1.2', 16, ?2, ?2, ?2,"
               " '{}')");
    sqlite3_bind_text(s, 1, SEED_IID, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, f->now_ms);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    char host[32];
    store_begin(f->st);
    CHECK_EQ_INT(ec2_health_booted(f->st, SEED_IID, f->now_ms, host), 0);
    store_commit(f->st);
}

static void seed_minutes(struct fx *f, int64_t from, int n)
{
    for (int i = 0; i < n; i++) {
        fx_set_time(f, from + i * 60000LL);
        store_begin(f->st);
        cw_alarms_sweep(f->st, f->now_ms);
        store_commit(f->st);
    }
}

TEST(cw_actions_seed_recover_by_itself)
{
    struct fx f;
    fx_open(&f, FX_T0);
    cw_alarms_cache_clear();
    cw_providers_clear();
    ec2_init();
    seed_instance(&f);
    struct ec2_instance before;
    CHECK_EQ_INT(ec2_instance_get(f.st, SEED_IID, &before), 0);
    fx_as_root(&f);
    cwt_alarm_insert(f.st, "seed", SEED_DOC("seed"), &f.who, NULL);
    seed_minutes(&f, FX_T0 + 4 * 60000, 2); /* checks pass: OK */
    CHECK_EQ_STR(cwt_alarm_field(f.st, "seed", "StateValue"), "OK");
    /* a system fault at 12:05:30: five failed minutes 12:06..12:10 */
    fx_set_time(&f, FX_T0 + 5 * 60000 + 30000);
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, SEED_IID, &in), 0);
    char fid[32];
    const char *why = NULL;
    store_begin(f.st);
    CHECK_EQ_INT(ec2_fault_inject(f.st, &in, "system", 0, f.now_ms, fid, &why), 0);
    store_commit(f.st);
    seed_minutes(&f, FX_T0 + 7 * 60000, 5);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "seed", "StateValue"), "ALARM");
    CHECK_EQ_STR(cwt_alarm_field(f.st, "seed", "StateReason"),
                 "Threshold Crossed: 5 datapoints [1.0 (28/11/26 12:10:00), 1.0 (28/11/26 "
                 "12:09:00), 1.0 (28/11/26 12:08:00), 1.0 (28/11/26 12:07:00), 1.0 (28/11/26 "
                 "12:06:00)] were greater than the threshold (0.0).");
    CHECK_EQ_STR(cwt_history_summary(f.st, "seed", "Action"),
                 "Successfully executed action arn:aws:automate:us-east-1:ec2:recover");
    struct ec2_instance after;
    CHECK_EQ_INT(ec2_instance_get(f.st, SEED_IID, &after), 0);
    CHECK_EQ_INT(after.boot_ms, FX_T0 + 11 * 60000);
    CHECK(strcmp(after.host_id, before.host_id) != 0);
    /* healthy again: back to OK once five good minutes outweigh the old ones */
    seed_minutes(&f, FX_T0 + 12 * 60000, 12);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "seed", "StateValue"), "OK");
    CHECK_EQ_INT(cwt_history_count(f.st, "seed", "Action"), 1);
    cw_alarms_cache_clear();
    cw_providers_clear();
    fx_close(&f);
}

TEST(cw_actions_seed_role_creator_leaves_instance_impaired)
{
    struct fx f;
    fx_open(&f, FX_T0);
    cw_alarms_cache_clear();
    cw_providers_clear();
    ec2_init();
    seed_instance(&f);
    fx_as_role_session(&f, "Builder", "AROABUILDER000000001", "cfn");
    cwt_alarm_insert(f.st, "seedr", SEED_DOC("seedr"), &f.who, "ASIAROLESESSION00001");
    fx_set_time(&f, FX_T0 + 5 * 60000 + 30000);
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, SEED_IID, &in), 0);
    char fid[32];
    const char *why = NULL;
    store_begin(f.st);
    CHECK_EQ_INT(ec2_fault_inject(f.st, &in, "system", 0, f.now_ms, fid, &why), 0);
    store_commit(f.st);
    seed_minutes(&f, FX_T0 + 6 * 60000, 6);
    CHECK_EQ_STR(cwt_alarm_field(f.st, "seedr", "StateValue"), "ALARM");
    CHECK_EQ_STR(cwt_history_summary(f.st, "seedr", "Action"),
                 "Failed to execute action arn:aws:automate:us-east-1:ec2:recover. Received "
                 "error: \"" AUTH401 "\"");
    struct ec2_checks ck;
    CHECK_EQ_INT(ec2_instance_get(f.st, SEED_IID, &in), 0);
    CHECK_EQ_INT(ec2_health_checks(f.st, &in, f.now_ms, &ck), 0);
    CHECK_EQ_STR(ck.system, "impaired");
    cw_alarms_cache_clear();
    cw_providers_clear();
    fx_close(&f);
}
