/*
 * ec2_health_recover_test.c — ec2_recover's rules (running, supported type, EBS-only, not
 * host tenancy, 3 per 24 h, authorization of ec2:RecoverInstances), what a recovery does
 * (new host, a reboot in effect, faults, event, admin view), and simplified automatic
 * recovery after the delay — never when AutoRecovery=disabled.
 */
#include <stdio.h>
#include <string.h>

#include "clock/clock.h"
#include "harness.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/health_internal.h"
#include "svc_fixture.h"

#define T0 FX_T0
#define MIN 60000LL
#define HOUR (3600 * 1000LL)
#define ID1 "i-0aaaaaaaaaaaaaaa1"
#define ID2 "i-0aaaaaaaaaaaaaaa2"

static void add(struct fx *f, const char *id, const char *type, const char *tenancy,
                const char *auto_recovery)
{
    sqlite3_stmt *s = store_stmt(
        f->st, "INSERT INTO ec2_instances(id, region, az, type, image_id, host_id, tenancy,"
               " auto_recovery, profile_arn, private_ip, public_ip, state, state_ms, launch_ms,"
               " boot_ms, doc) VALUES(?1, 'us-east-1', 'us-east-1c', ?2, 'ami-374db956', NULL,"
               " ?3, ?4, NULL, '172.31.32.7', '3.80.1.2', 0, ?5, ?5, ?5, '{}')");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, tenancy, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, auto_recovery, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, f->now_ms);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
}

static void run_at(struct fx *f, const char *id, int64_t at)
{
    char host[32];
    fx_set_time(f, at);
    CHECK_EQ_INT(store_begin(f->st), 0);
    sqlite3_stmt *s = store_stmt(f->st, "UPDATE ec2_instances SET state = 16 WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    CHECK_EQ_INT(ec2_health_booted(f->st, id, at, host), 0);
    CHECK_EQ_INT(store_commit(f->st), 0);
}

static void fault(struct fx *f, const char *id, const char *kind, int64_t at, char out[32])
{
    struct ec2_instance in;
    const char *why;
    char tmp[32];
    CHECK_EQ_INT(ec2_instance_get(f->st, id, &in), 0);
    CHECK_EQ_INT(ec2_fault_inject(f->st, &in, kind, 0, at, out ? out : tmp, &why), 0);
}

static struct ec2_instance get(struct fx *f, const char *id)
{
    struct ec2_instance in;
    memset(&in, 0, sizeof(in));
    CHECK_EQ_INT(ec2_instance_get(f->st, id, &in), 0);
    return in;
}

static struct ec2_checks checks(struct fx *f, const char *id, int64_t at)
{
    struct ec2_instance in = get(f, id);
    struct ec2_checks ck;
    CHECK_EQ_INT(ec2_health_checks(f->st, &in, at, &ck), 0);
    return ck;
}

/* ec2_recover as f->who at `at`; returns rc and the error code in code[64]. */
static int recover(struct fx *f, const char *id, int64_t at, char code[64])
{
    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = arena_new();
    c.st = f->st;
    c.account = FX_ACCOUNT;
    c.region = "us-east-1";
    c.now_ms = at;
    c.proto = PROTO_EC2;
    c.who = f->who;
    clock_test_set(at);
    CHECK_EQ_INT(store_begin(f->st), 0);
    int rc = ec2_recover(&c, id);
    if (rc)
        store_rollback(f->st);
    else
        CHECK_EQ_INT(store_commit(f->st), 0);
    snprintf(code, 64, "%s", rc ? (c.err.code ? c.err.code : "?") : "");
    arena_free(c.a);
    return rc;
}

TEST(ec2_health_recover_moves_host_and_reboots)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add(&f, ID1, "t2.micro", "default", "disabled");
    add(&f, ID2, "t2.micro", "default", "disabled");
    run_at(&f, ID1, T0);
    run_at(&f, ID2, T0);
    struct ec2_instance before = get(&f, ID1);
    char fid[32], code[64];
    fault(&f, ID1, "system", T0 + 5 * MIN, fid);
    fault(&f, ID1, "instance", T0 + 5 * MIN, NULL);
    CHECK_EQ_STR(checks(&f, ID2, T0 + 6 * MIN).system, "impaired");

    int64_t tr = T0 + 8 * MIN;
    CHECK_EQ_INT(recover(&f, ID1, tr, code), 0);
    struct ec2_instance after = get(&f, ID1);
    CHECK(!str_eq(after.host_id, before.host_id));
    CHECK(str_startswith(after.host_id, "h-"));
    CHECK_EQ_STR(after.private_ip, before.private_ip); /* same instance, same addresses */
    CHECK_EQ_STR(after.public_ip, before.public_ip);
    CHECK_EQ_INT(after.state, EC2_RUNNING);
    CHECK_EQ_INT(after.boot_ms, tr);
    CHECK_EQ_INT(after.launch_ms, before.launch_ms);
    struct ec2_checks ck = checks(&f, ID1, tr + MIN);
    CHECK_EQ_STR(ck.system, "initializing"); /* a reboot in effect */
    ck = checks(&f, ID1, tr + EC2_CHECKS_INIT_MS);
    CHECK_EQ_STR(ck.system, "ok");
    CHECK_EQ_STR(ck.instance, "ok"); /* the guest fault went with the reboot */
    /* the old host stays failed for the neighbour; the fault stays while it is there */
    CHECK_EQ_STR(checks(&f, ID2, tr + EC2_CHECKS_INIT_MS).system, "impaired");
    json_t *fj = ec2_fault_json(f.st, fid);
    CHECK_EQ_STR(json_string_value(json_object_get(fj, "status")), "active");
    json_decref(fj);
    CHECK_EQ_INT(recover(&f, ID2, tr + MIN, code), 0);
    fj = ec2_fault_json(f.st, fid);
    CHECK_EQ_STR(json_string_value(json_object_get(fj, "status")), "cleared");
    CHECK_EQ_STR(json_string_value(json_object_get(fj, "clearedBy")), "recovery");
    json_decref(fj);
    /* the failed host is never picked again */
    CHECK(!str_eq(get(&f, ID2).host_id, before.host_id));

    /* the event (DescribeInstanceStatus Events) and the admin view */
    CHECK_EQ_INT(ec2_recoveries_in_window(f.st, ID1, tr + MIN), 1);
    fx_set_time(&f, tr + 10 * MIN);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeInstanceStatus", ec2_describe_instance_status,
                          "{\"InstanceIds\":[\"%s\"]}", ID1),
                 0);
    CHECK_CONTAINS(f.body, "<code>system-reboot</code>");
    CHECK_CONTAINS(f.body, "<description>[Completed] ");
    CHECK_CONTAINS(f.body, "<instanceEventId>instance-event-");
    CHECK_CONTAINS(f.body, "<notBefore>2026-11-28T12:08:00.000Z</notBefore>");
    CHECK_EQ_INT(
        fx_call(&f, "ec2", "DescribeInstanceStatus", ec2_describe_instance_status,
                "{\"Filters\":[{\"Name\":\"event.code\",\"Values\":[\"system-reboot\"]}]}"),
        0);
    CHECK_CONTAINS(f.body, ID1);
    json_t *v = ec2_instance_view(f.st, ID1, tr + 10 * MIN);
    CHECK(v != NULL);
    CHECK_EQ_STR(json_string_value(json_object_get(v, "hostId")), after.host_id);
    json_t *recs = json_object_get(v, "recoveries");
    CHECK_EQ_INT(json_array_size(recs), 1);
    json_t *r0 = json_array_get(recs, 0);
    CHECK_EQ_STR(json_string_value(json_object_get(r0, "fromHost")), before.host_id);
    CHECK_EQ_STR(json_string_value(json_object_get(r0, "toHost")), after.host_id);
    CHECK_EQ_STR(json_string_value(json_object_get(r0, "by")), "arn:aws:iam::123456789012:root");
    CHECK_EQ_STR(json_string_value(json_object_get(r0, "healthEvent")),
                 "AWS_EC2_INSTANCE_AUTO_RECOVERY_SUCCESS");
    CHECK(json_array_size(json_object_get(v, "timeline")) >= 4);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_object_get(v, "checks"), "system"), "status")),
                 "ok");
    json_decref(v);
    fx_close(&f);
}

TEST(ec2_health_recover_three_per_day)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add(&f, ID1, "m5.large", "default", "disabled");
    run_at(&f, ID1, T0);
    char code[64];
    CHECK_EQ_INT(recover(&f, ID1, T0 + 1 * HOUR, code), 0);
    CHECK_EQ_INT(recover(&f, ID1, T0 + 2 * HOUR, code), 0);
    CHECK_EQ_INT(recover(&f, ID1, T0 + 3 * HOUR, code), 0);
    char host[32];
    snprintf(host, sizeof(host), "%s", get(&f, ID1).host_id);
    CHECK_EQ_INT(recover(&f, ID1, T0 + 4 * HOUR, code), -1);
    CHECK_EQ_STR(code, "OperationNotPermitted");
    CHECK_EQ_STR(get(&f, ID1).host_id, host);                     /* nothing moved */
    CHECK_EQ_INT(recover(&f, ID1, T0 + 25 * HOUR - 1, code), -1); /* all 3 in the window */
    CHECK_EQ_INT(recover(&f, ID1, T0 + 25 * HOUR, code), 0);      /* the first left the window */
    CHECK_EQ_INT(ec2_recoveries_in_window(f.st, ID1, T0 + 25 * HOUR), 3);
    fx_close(&f);
}

TEST(ec2_health_recover_refusals)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    char code[64];
    add(&f, "i-0bbbbbbbbbbbbbbb1", "i3.large", "default", "default"); /* instance store */
    add(&f, "i-0bbbbbbbbbbbbbbb2", "c5.large", "host", "default");    /* Dedicated Host */
    add(&f, "i-0bbbbbbbbbbbbbbb3", "t2.micro", "default", "default"); /* pending */
    add(&f, "i-0bbbbbbbbbbbbbbb4", "a1.metal", "default", "default"); /* metal */
    run_at(&f, "i-0bbbbbbbbbbbbbbb1", T0);
    run_at(&f, "i-0bbbbbbbbbbbbbbb2", T0);
    run_at(&f, "i-0bbbbbbbbbbbbbbb4", T0);
    CHECK_EQ_INT(recover(&f, "i-0bbbbbbbbbbbbbbb1", T0 + HOUR, code), -1);
    CHECK_EQ_STR(code, "UnsupportedOperation");
    CHECK_EQ_INT(recover(&f, "i-0bbbbbbbbbbbbbbb2", T0 + HOUR, code), -1);
    CHECK_EQ_STR(code, "UnsupportedOperation");
    CHECK_EQ_INT(recover(&f, "i-0bbbbbbbbbbbbbbb4", T0 + HOUR, code), -1);
    CHECK_EQ_STR(code, "UnsupportedOperation");
    CHECK_EQ_INT(recover(&f, "i-0bbbbbbbbbbbbbbb3", T0 + HOUR, code), -1);
    CHECK_EQ_STR(code, "IncorrectInstanceState");
    CHECK_EQ_INT(recover(&f, "i-0bbbbbbbbbbbbbbb9", T0 + HOUR, code), -1);
    CHECK_EQ_STR(code, "InvalidInstanceID.NotFound");
    CHECK_EQ_INT(recover(&f, "i-nothex", T0 + HOUR, code), -1);
    CHECK_EQ_STR(code, "InvalidInstanceID.Malformed");
    fx_close(&f);
}

TEST(ec2_health_recover_needs_permission)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add(&f, ID1, "t3.micro", "default", "default");
    run_at(&f, ID1, T0);
    char code[64];
    sqlite3_stmt *s = store_stmt(
        f.st, "INSERT INTO iam_users(name, user_id, path, arn, created_ms) VALUES"
              "('ops', 'AIDAOPS0000000000001', '/', 'arn:aws:iam::123456789012:user/ops', 0),"
              "('dev', 'AIDADEV0000000000001', '/', 'arn:aws:iam::123456789012:user/dev', 0)");
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    s = store_stmt(f.st, "INSERT INTO iam_inline_policies(kind, owner, name, document) VALUES"
                         "('user', 'ops', 'recover', '{\"Version\":\"2012-10-17\",\"Statement\":"
                         "[{\"Effect\":\"Allow\",\"Action\":\"ec2:RecoverInstances\","
                         "\"Resource\":\"*\"}]}')");
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    authz_cache_clear();
    fx_as_user(&f, "dev", "AIDADEV0000000000001");
    CHECK_EQ_INT(recover(&f, ID1, T0 + HOUR, code), -1);
    CHECK_EQ_STR(code, "UnauthorizedOperation");
    fx_as_user(&f, "ops", "AIDAOPS0000000000001");
    CHECK_EQ_INT(recover(&f, ID1, T0 + HOUR, code), 0);
    fx_close(&f);
}

TEST(ec2_health_auto_recovery_after_delay)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add(&f, ID1, "t2.micro", "default", "default");
    run_at(&f, ID1, T0);
    char old[32];
    snprintf(old, sizeof(old), "%s", get(&f, ID1).host_id);
    int64_t tf = T0 + 10 * MIN;
    fx_set_time(&f, tf);
    CHECK_EQ_INT(store_begin(f.st), 0);
    fault(&f, ID1, "system", tf, NULL);
    CHECK_EQ_INT(store_commit(f.st), 0);
    /* just before the delay: still impaired on the old host */
    CHECK_EQ_INT(clock_advance_to(f.st, tf + EC2_AUTO_RECOVERY_DELAY_MS - 1), 0);
    CHECK_EQ_STR(get(&f, ID1).host_id, old);
    CHECK_EQ_STR(checks(&f, ID1, tf + EC2_AUTO_RECOVERY_DELAY_MS - 1).system, "impaired");
    /* at the delay: recovered by EC2 itself */
    CHECK_EQ_INT(clock_advance_to(f.st, tf + EC2_AUTO_RECOVERY_DELAY_MS), 0);
    struct ec2_instance in = get(&f, ID1);
    CHECK(!str_eq(in.host_id, old));
    CHECK_EQ_INT(in.boot_ms, tf + EC2_AUTO_RECOVERY_DELAY_MS);
    CHECK_EQ_STR(checks(&f, ID1, tf + EC2_AUTO_RECOVERY_DELAY_MS).system, "initializing");
    int64_t ok_at = tf + EC2_AUTO_RECOVERY_DELAY_MS + EC2_CHECKS_INIT_MS;
    CHECK_EQ_INT(clock_advance_to(f.st, ok_at + HOUR), 0);
    CHECK_EQ_STR(checks(&f, ID1, ok_at).system, "ok");
    CHECK_EQ_STR(checks(&f, ID1, ok_at + HOUR).instance, "ok");
    json_t *v = ec2_instance_view(f.st, ID1, ok_at);
    json_t *r0 = json_array_get(json_object_get(v, "recoveries"), 0);
    CHECK_EQ_STR(json_string_value(json_object_get(r0, "by")), "ec2.amazonaws.com");
    CHECK_EQ_STR(json_string_value(json_object_get(r0, "healthEvent")),
                 "AWS_EC2_SIMPLIFIED_AUTO_RECOVERY_SUCCESS");
    CHECK_EQ_INT(json_array_size(json_object_get(v, "recoveries")), 1);
    json_decref(v);
    fx_close(&f);
}

TEST(ec2_health_auto_recovery_never_when_disabled)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add(&f, ID1, "t2.micro", "default", "disabled");
    add(&f, ID2, "i3.large", "default", "default"); /* unsupported type: not enabled */
    run_at(&f, ID1, T0);
    run_at(&f, ID2, T0);
    char h1[32], h2[32];
    snprintf(h1, sizeof(h1), "%s", get(&f, ID1).host_id);
    snprintf(h2, sizeof(h2), "%s", get(&f, ID2).host_id);
    fault(&f, ID1, "system", T0 + 10 * MIN, NULL);
    fault(&f, ID2, "system", T0 + 10 * MIN, NULL);
    fx_set_time(&f, T0 + 10 * MIN);
    CHECK_EQ_INT(clock_advance_to(f.st, T0 + 10 * HOUR), 0);
    CHECK_EQ_STR(get(&f, ID1).host_id, h1);
    CHECK_EQ_STR(get(&f, ID2).host_id, h2);
    CHECK_EQ_STR(checks(&f, ID1, T0 + 10 * HOUR).system, "impaired");
    CHECK_EQ_INT(ec2_recoveries_in_window(f.st, ID1, T0 + 10 * HOUR), 0);
    fx_close(&f);
}

TEST(ec2_health_auto_recovery_cancelled_when_fault_clears)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add(&f, ID1, "t2.micro", "default", "default");
    run_at(&f, ID1, T0);
    char old[32], fid[32];
    snprintf(old, sizeof(old), "%s", get(&f, ID1).host_id);
    fault(&f, ID1, "system", T0 + 10 * MIN, fid);
    fx_set_time(&f, T0 + 10 * MIN);
    CHECK_EQ_INT(clock_advance_to(f.st, T0 + 11 * MIN), 0);
    CHECK_EQ_INT(ec2_fault_clear(f.st, fid, T0 + 11 * MIN, "api"), 0);
    CHECK_EQ_INT(clock_advance_to(f.st, T0 + 2 * HOUR), 0);
    CHECK_EQ_STR(get(&f, ID1).host_id, old);
    CHECK_EQ_STR(checks(&f, ID1, T0 + 2 * HOUR).system, "ok");
    /* a failure during the initializing window arms it from the window's end */
    int64_t tb = T0 + 3 * HOUR;
    run_at(&f, ID1, tb); /* a reboot's boot */
    fault(&f, ID1, "system", tb + MIN, NULL);
    fx_set_time(&f, tb + MIN);
    int64_t due = tb + EC2_CHECKS_INIT_MS + EC2_AUTO_RECOVERY_DELAY_MS;
    CHECK_EQ_INT(clock_advance_to(f.st, due - 1), 0);
    CHECK_EQ_STR(get(&f, ID1).host_id, old);
    CHECK_EQ_INT(clock_advance_to(f.st, due), 0);
    CHECK(!str_eq(get(&f, ID1).host_id, old));
    fx_close(&f);
}
