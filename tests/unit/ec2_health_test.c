/*
 * ec2_health_test.c — hosts and status checks over time from the lifecycle hooks, faults of
 * each kind, the derived StatusCheckFailed* metrics minute by minute, ListMetrics, and
 * DescribeInstanceStatus. Instances are rows inserted directly (as RunInstances would).
 */
#include <stdio.h>
#include <string.h>

#include "clock/clock.h"
#include "harness.h"
#include "store/store.h"
#include "svc/cloudwatch/cw.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/health_internal.h"
#include "svc_fixture.h"

#define T0 FX_T0
#define MIN 60000LL
#define T0S (FX_T0 / 1000)

/* ---------------------------------------------------------------- helpers */

static void add_instance(struct fx *f, const char *id, const char *type, const char *az,
                         const char *auto_recovery)
{
    sqlite3_stmt *s = store_stmt(
        f->st, "INSERT INTO ec2_instances(id, region, az, type, image_id, host_id, tenancy,"
               " auto_recovery, profile_arn, private_ip, public_ip, state, state_ms, launch_ms,"
               " boot_ms, doc) VALUES(?1, ?2, ?3, ?4, 'ami-374db956', NULL, 'default', ?5, NULL,"
               " '172.31.0.10', NULL, 0, ?6, ?6, ?6, '{}')");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, f->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, az, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, auto_recovery, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 6, f->now_ms);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
}

static void set_state(struct fx *f, const char *id, int state, int64_t at)
{
    sqlite3_stmt *s =
        store_stmt(f->st, "UPDATE ec2_instances SET state = ?2, state_ms = ?3 WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, state);
    sqlite3_bind_int64(s, 3, at);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
}

/* The lifecycle's calls at a boot (launch, start, reboot end): running on a host. */
static void boot(struct fx *f, const char *id, int64_t at, char host[32])
{
    char h[32];
    fx_set_time(f, at);
    CHECK_EQ_INT(store_begin(f->st), 0);
    set_state(f, id, EC2_RUNNING, at);
    CHECK_EQ_INT(ec2_health_booted(f->st, id, at, host ? host : h), 0);
    CHECK_EQ_INT(store_commit(f->st), 0);
}

static void down(struct fx *f, const char *id, int64_t at, bool reboot)
{
    fx_set_time(f, at);
    CHECK_EQ_INT(store_begin(f->st), 0);
    CHECK_EQ_INT(ec2_health_down(f->st, id, at, reboot), 0);
    if (!reboot)
        set_state(f, id, EC2_STOPPED, at);
    CHECK_EQ_INT(store_commit(f->st), 0);
}

static struct ec2_checks checks_at(struct fx *f, const char *id, int64_t at)
{
    struct ec2_instance in;
    struct ec2_checks ck;
    memset(&ck, 0, sizeof(ck));
    CHECK_EQ_INT(ec2_instance_get(f->st, id, &in), 0);
    CHECK_EQ_INT(ec2_health_checks(f->st, &in, at, &ck), 0);
    return ck;
}

static void host_of(struct fx *f, const char *id, char out[32])
{
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f->st, id, &in), 0);
    snprintf(out, 32, "%s", in.host_id);
}

static char *inject(struct fx *f, const char *id, const char *kind, int64_t at, int64_t dur)
{
    static char fid[32];
    struct ec2_instance in;
    const char *why = NULL;
    CHECK_EQ_INT(ec2_instance_get(f->st, id, &in), 0);
    CHECK_EQ_INT(store_begin(f->st), 0);
    CHECK_EQ_INT(ec2_fault_inject(f->st, &in, kind, dur, at, fid, &why), 0);
    CHECK_EQ_INT(store_commit(f->st), 0);
    return fid;
}

static int timeline_rows(struct fx *f, const char *id)
{
    sqlite3_stmt *s = store_stmt(f->st, "SELECT COUNT(*) FROM ec2_health WHERE instance_id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    return n;
}

/* Datapoints of AWS/EC2 metric `name` of instance id in [from, to) at `now`, sorted by time:
 * the values as a string of '0'/'1' per minute (and the timestamps checked to be minutes). */
static void metric_values(struct fx *f, const char *name, const char *id, int64_t from, int64_t to,
                          int64_t now, char *out, size_t cap)
{
    struct arena *a = arena_new();
    struct cw_dim d = {"InstanceId", id};
    struct cw_metric m = {.account = FX_ACCOUNT,
                          .region = f->region,
                          .ns = "AWS/EC2",
                          .name = name,
                          .dims = &d,
                          .ndims = 1};
    struct cw_points pts = {.a = a};
    CHECK_EQ_INT(cw_fetch(f->st, &m, from, to, NULL, now, &pts), 0);
    size_t n = 0;
    out[0] = 0;
    /* the provider emits in time order */
    for (size_t i = 0; i < pts.n && n + 1 < cap; i++) {
        CHECK_EQ_INT(pts.v[i].ts_ms % MIN, 0);
        CHECK_EQ_STR(pts.v[i].unit, "Count");
        CHECK(pts.v[i].count == 1);
        if (i)
            CHECK(pts.v[i].ts_ms == pts.v[i - 1].ts_ms + MIN);
        out[n++] = pts.v[i].max > 0 ? '1' : '0';
    }
    out[n] = 0;
    arena_free(a);
}

/* ---------------------------------------------------------------- checks over time */

TEST(ec2_health_boot_initializing_then_ok)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add_instance(&f, "i-0123456789abcdef0", "t2.micro", "us-east-1a", "default");
    char host[32];
    boot(&f, "i-0123456789abcdef0", T0, host);
    CHECK(str_startswith(host, "h-"));
    CHECK_EQ_INT(strlen(host), 19);

    struct ec2_checks ck = checks_at(&f, "i-0123456789abcdef0", T0 + MIN);
    CHECK_EQ_STR(ck.system, "initializing");
    CHECK_EQ_STR(ck.instance, "initializing");
    CHECK_EQ_STR(ck.ebs, "initializing");
    CHECK_EQ_STR(ck.system_detail, "initializing");
    ck = checks_at(&f, "i-0123456789abcdef0", T0 + EC2_CHECKS_INIT_MS - 1);
    CHECK_EQ_STR(ck.instance, "initializing");
    ck = checks_at(&f, "i-0123456789abcdef0", T0 + EC2_CHECKS_INIT_MS);
    CHECK_EQ_STR(ck.system, "ok");
    CHECK_EQ_STR(ck.instance, "ok");
    CHECK_EQ_STR(ck.ebs, "ok");
    CHECK_EQ_STR(ck.instance_detail, "passed");
    CHECK_EQ_INT(ck.system_impaired_since, 0);
    /* one boot: the initializing row and the first results, nothing per minute */
    CHECK_EQ_INT(timeline_rows(&f, "i-0123456789abcdef0"), 2);
    ck = checks_at(&f, "i-0123456789abcdef0", T0 + 86400 * 1000LL);
    CHECK_EQ_STR(ck.system, "ok");
    CHECK_EQ_INT(timeline_rows(&f, "i-0123456789abcdef0"), 2);

    /* stopped: not-applicable, no details */
    down(&f, "i-0123456789abcdef0", T0 + 10 * MIN, false);
    ck = checks_at(&f, "i-0123456789abcdef0", T0 + 11 * MIN);
    CHECK_EQ_STR(ck.system, "not-applicable");
    CHECK(ck.system_detail == NULL);
    char h2[32];
    host_of(&f, "i-0123456789abcdef0", h2);
    CHECK_EQ_STR(h2, "");
    CHECK_EQ_INT(timeline_rows(&f, "i-0123456789abcdef0"), 3);
    fx_close(&f);
}

TEST(ec2_health_hosts_shared_kept_on_reboot_per_az)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add_instance(&f, "i-00000000000000001", "t2.micro", "us-east-1a", "default");
    add_instance(&f, "i-00000000000000002", "t2.micro", "us-east-1a", "default");
    add_instance(&f, "i-00000000000000003", "t2.micro", "us-east-1b", "default");
    char h1[32], h2[32], h3[32], h1b[32];
    boot(&f, "i-00000000000000001", T0, h1);
    boot(&f, "i-00000000000000002", T0, h2);
    boot(&f, "i-00000000000000003", T0, h3);
    CHECK_EQ_STR(h1, h2);   /* the AZ's open host takes both */
    CHECK(!str_eq(h1, h3)); /* hosts are per AZ */
    /* a reboot keeps the host */
    down(&f, "i-00000000000000001", T0 + 5 * MIN, true);
    host_of(&f, "i-00000000000000001", h1b);
    CHECK_EQ_STR(h1b, h1);
    boot(&f, "i-00000000000000001", T0 + 5 * MIN + EC2_REBOOT_MS, h1b);
    CHECK_EQ_STR(h1b, h1);
    struct ec2_checks ck = checks_at(&f, "i-00000000000000001", T0 + 6 * MIN);
    CHECK_EQ_STR(ck.system, "initializing"); /* a reboot restarts the checks */
    fx_close(&f);
}

TEST(ec2_health_system_fault_fails_host_and_instance_checks)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add_instance(&f, "i-00000000000000001", "t2.micro", "us-east-1a", "disabled");
    add_instance(&f, "i-00000000000000002", "t2.micro", "us-east-1a", "disabled");
    boot(&f, "i-00000000000000001", T0, NULL);
    boot(&f, "i-00000000000000002", T0, NULL);
    int64_t tf = T0 + 5 * MIN + 30000;
    char *fid = inject(&f, "i-00000000000000001", "system", tf, 0);
    char id_copy[32];
    snprintf(id_copy, sizeof(id_copy), "%s", fid);
    CHECK(str_startswith(id_copy, "f-"));

    struct ec2_checks ck = checks_at(&f, "i-00000000000000001", tf + MIN);
    CHECK_EQ_STR(ck.system, "impaired");
    CHECK_EQ_STR(ck.system_detail, "failed");
    CHECK_EQ_STR(ck.instance, "impaired"); /* a failed system check fails the instance check */
    CHECK_EQ_STR(ck.ebs, "ok");
    CHECK_EQ_INT(ck.system_impaired_since, tf);
    CHECK_EQ_INT(ck.instance_impaired_since, tf);
    CHECK_EQ_INT(ck.ebs_impaired_since, 0);
    /* the neighbour on the same host fails too */
    ck = checks_at(&f, "i-00000000000000002", tf + MIN);
    CHECK_EQ_STR(ck.system, "impaired");

    /* stop/start moves the instance to a healthy host: checks pass again */
    char old[32], moved[32];
    host_of(&f, "i-00000000000000002", old);
    down(&f, "i-00000000000000002", tf + 2 * MIN, false);
    boot(&f, "i-00000000000000002", tf + 3 * MIN, moved);
    CHECK(!str_eq(old, moved));
    ck = checks_at(&f, "i-00000000000000002", tf + 3 * MIN + EC2_CHECKS_INIT_MS);
    CHECK_EQ_STR(ck.system, "ok");
    CHECK_EQ_STR(ck.instance, "ok");

    /* clearing the fault repairs the host */
    CHECK_EQ_INT(store_begin(f.st), 0);
    CHECK_EQ_INT(ec2_fault_clear(f.st, id_copy, tf + 10 * MIN, "api"), 0);
    CHECK_EQ_INT(store_commit(f.st), 0);
    CHECK_EQ_INT(ec2_fault_clear(f.st, id_copy, tf + 11 * MIN, "api"), 1); /* already cleared */
    CHECK_EQ_INT(ec2_fault_clear(f.st, "f-00000000000000000", tf + 11 * MIN, "api"), 1);
    ck = checks_at(&f, "i-00000000000000001", tf + 10 * MIN);
    CHECK_EQ_STR(ck.system, "ok");
    CHECK_EQ_STR(ck.instance, "ok");
    json_t *fj = ec2_fault_json(f.st, id_copy);
    CHECK_EQ_STR(json_string_value(json_object_get(fj, "status")), "cleared");
    CHECK_EQ_STR(json_string_value(json_object_get(fj, "clearedBy")), "api");
    CHECK_EQ_STR(json_string_value(json_object_get(fj, "check")), "system");
    json_decref(fj);
    fx_close(&f);
}

TEST(ec2_health_instance_fault_cleared_by_reboot)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add_instance(&f, "i-00000000000000001", "t2.micro", "us-east-1a", "default");
    add_instance(&f, "i-00000000000000002", "t2.micro", "us-east-1a", "default");
    boot(&f, "i-00000000000000001", T0, NULL);
    boot(&f, "i-00000000000000002", T0, NULL);
    int64_t tf = T0 + 10 * MIN;
    inject(&f, "i-00000000000000001", "instance", tf, 0);
    struct ec2_checks ck = checks_at(&f, "i-00000000000000001", tf);
    CHECK_EQ_STR(ck.instance, "impaired");
    CHECK_EQ_STR(ck.system, "ok");
    CHECK_EQ_INT(ck.instance_impaired_since, tf);
    ck = checks_at(&f, "i-00000000000000002", tf); /* guest faults stay in their guest */
    CHECK_EQ_STR(ck.instance, "ok");
    /* a fault injected while initializing shows when the first results come */
    down(&f, "i-00000000000000001", tf + MIN, true);
    boot(&f, "i-00000000000000001", tf + MIN + EC2_REBOOT_MS, NULL);
    ck = checks_at(&f, "i-00000000000000001", tf + 2 * MIN);
    CHECK_EQ_STR(ck.instance, "initializing");
    ck = checks_at(&f, "i-00000000000000001", tf + MIN + EC2_REBOOT_MS + EC2_CHECKS_INIT_MS);
    CHECK_EQ_STR(ck.instance, "ok"); /* the reboot cleared it */
    json_t *all = ec2_faults_json(f.st, "i-00000000000000001");
    CHECK_EQ_INT(json_array_size(all), 1);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(all, 0), "clearedBy")), "reboot");
    json_decref(all);

    /* injected during the initializing window: visible from the window's end */
    int64_t tb = tf + 20 * MIN;
    down(&f, "i-00000000000000002", tb, true);
    boot(&f, "i-00000000000000002", tb + EC2_REBOOT_MS, NULL);
    inject(&f, "i-00000000000000002", "instance", tb + MIN, 0);
    ck = checks_at(&f, "i-00000000000000002", tb + 2 * MIN);
    CHECK_EQ_STR(ck.instance, "initializing");
    ck = checks_at(&f, "i-00000000000000002", tb + EC2_REBOOT_MS + EC2_CHECKS_INIT_MS);
    CHECK_EQ_STR(ck.instance, "impaired");
    CHECK_EQ_INT(ck.instance_impaired_since, tb + EC2_REBOOT_MS + EC2_CHECKS_INIT_MS);
    /* and a stop clears it too */
    down(&f, "i-00000000000000002", tb + 30 * MIN, false);
    all = ec2_faults_json(f.st, "i-00000000000000002");
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(all, 0), "clearedBy")), "stop");
    json_decref(all);
    fx_close(&f);
}

TEST(ec2_health_ebs_fault_survives_reboot_and_expires)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add_instance(&f, "i-00000000000000001", "t2.micro", "us-east-1a", "default");
    boot(&f, "i-00000000000000001", T0, NULL);
    int64_t tf = T0 + 10 * MIN;
    inject(&f, "i-00000000000000001", "ebs", tf, 30 * MIN);
    struct ec2_checks ck = checks_at(&f, "i-00000000000000001", tf);
    CHECK_EQ_STR(ck.ebs, "impaired");
    CHECK_EQ_STR(ck.ebs_detail, "failed");
    CHECK_EQ_STR(ck.instance, "ok");
    CHECK_EQ_STR(ck.system, "ok");
    CHECK_EQ_INT(ck.ebs_impaired_since, tf);
    down(&f, "i-00000000000000001", tf + MIN, true);
    boot(&f, "i-00000000000000001", tf + MIN + EC2_REBOOT_MS, NULL);
    ck = checks_at(&f, "i-00000000000000001", tf + MIN + EC2_REBOOT_MS + EC2_CHECKS_INIT_MS);
    CHECK_EQ_STR(ck.ebs, "impaired"); /* the volume is the same after a reboot */
    /* the duration ends it through the clock queue */
    fx_set_time(&f, tf + 5 * MIN);
    CHECK_EQ_INT(clock_advance_to(f.st, tf + 30 * MIN), 0);
    ck = checks_at(&f, "i-00000000000000001", tf + 30 * MIN);
    CHECK_EQ_STR(ck.ebs, "ok");
    json_t *all = ec2_faults_json(f.st, NULL);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(all, 0), "clearedBy")),
                 "expired");
    json_decref(all);
    fx_close(&f);
}

TEST(ec2_health_fault_needs_running_instance)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add_instance(&f, "i-00000000000000001", "t2.micro", "us-east-1a", "default");
    struct ec2_instance in;
    CHECK_EQ_INT(ec2_instance_get(f.st, "i-00000000000000001", &in), 0);
    char fid[32];
    const char *why = NULL;
    CHECK_EQ_INT(ec2_fault_inject(f.st, &in, "system", 0, T0, fid, &why), 1);
    CHECK(why != NULL);
    CHECK_EQ_INT(ec2_fault_inject(f.st, &in, "instance", 0, T0, fid, &why), 1);
    CHECK_EQ_INT(ec2_fault_inject(f.st, &in, "ebs", 0, T0, fid, &why), 0); /* pending: EBS ok */
    fx_close(&f);
}

/* ---------------------------------------------------------------- derived metrics */

TEST(ec2_health_metrics_per_minute_from_timeline)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    const char *id = "i-0123456789abcdef0";
    add_instance(&f, id, "t2.micro", "us-east-1a", "disabled");
    boot(&f, id, T0, NULL);                            /* initializing until T0+3m */
    inject(&f, id, "system", T0 + 5 * MIN + 30000, 0); /* fails at 5m30s */
    down(&f, id, T0 + 9 * MIN + 10000, false);         /* stopped at 9m10s */
    int64_t now = T0 + 20 * MIN;
    char v[64];
    /* minutes 0..19: none while initializing (0,1,2), 0 at 3,4,5, 1 at 6,7,8,9?, none after:
     * 9m00 is before the stop at 9m10, so it counts */
    metric_values(&f, "StatusCheckFailed_System", id, T0, T0 + 20 * MIN, now, v, sizeof(v));
    CHECK_EQ_STR(v, "0001111");
    metric_values(&f, "StatusCheckFailed_Instance", id, T0, T0 + 20 * MIN, now, v, sizeof(v));
    CHECK_EQ_STR(v, "0001111");
    metric_values(&f, "StatusCheckFailed_AttachedEBS", id, T0, T0 + 20 * MIN, now, v, sizeof(v));
    CHECK_EQ_STR(v, "0000000");
    metric_values(&f, "StatusCheckFailed", id, T0, T0 + 20 * MIN, now, v, sizeof(v));
    CHECK_EQ_STR(v, "0001111");
    /* the first datapoint is at T0+3m */
    struct arena *a = arena_new();
    struct cw_dim d = {"InstanceId", id};
    struct cw_metric m = {.account = FX_ACCOUNT,
                          .region = "us-east-1",
                          .ns = "AWS/EC2",
                          .name = "StatusCheckFailed_System",
                          .dims = &d,
                          .ndims = 1};
    struct cw_points pts = {.a = a};
    CHECK_EQ_INT(cw_fetch(f.st, &m, T0, T0 + 20 * MIN, NULL, now, &pts), 0);
    CHECK_EQ_INT(pts.n, 7);
    CHECK_EQ_INT(pts.v[0].ts_ms, T0 + 3 * MIN);
    CHECK_EQ_INT(pts.v[6].ts_ms, T0 + 9 * MIN);
    /* a window starting mid-way, a unit filter, another region, extra dimensions */
    pts.n = 0;
    CHECK_EQ_INT(cw_fetch(f.st, &m, T0 + 6 * MIN + 1, T0 + 8 * MIN + 1, NULL, now, &pts), 0);
    CHECK_EQ_INT(pts.n, 2);
    CHECK_EQ_INT(pts.v[0].ts_ms, T0 + 7 * MIN);
    pts.n = 0;
    CHECK_EQ_INT(cw_fetch(f.st, &m, T0, T0 + 20 * MIN, "Percent", now, &pts), 0);
    CHECK_EQ_INT(pts.n, 0);
    CHECK_EQ_INT(cw_fetch(f.st, &m, T0, T0 + 20 * MIN, "Count", now, &pts), 0);
    CHECK_EQ_INT(pts.n, 7);
    pts.n = 0;
    m.region = "eu-west-1";
    CHECK_EQ_INT(cw_fetch(f.st, &m, T0, T0 + 20 * MIN, NULL, now, &pts), 0);
    CHECK_EQ_INT(pts.n, 0);
    m.region = "us-east-1";
    struct cw_dim d2[2] = {{"ImageId", "ami-374db956"}, {"InstanceId", id}};
    m.dims = d2;
    m.ndims = 2;
    CHECK_EQ_INT(cw_fetch(f.st, &m, T0, T0 + 20 * MIN, NULL, now, &pts), 0);
    CHECK_EQ_INT(pts.n, 0);
    arena_free(a);
    /* nothing after now */
    metric_values(&f, "StatusCheckFailed_System", id, T0, T0 + 20 * MIN, T0 + 7 * MIN, v,
                  sizeof(v));
    CHECK_EQ_STR(v, "00011");
    fx_close(&f);
}

TEST(ec2_health_metrics_healthy_day_and_statistics)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    const char *id = "i-0123456789abcdef0";
    add_instance(&f, id, "t2.micro", "us-east-1a", "default");
    boot(&f, id, T0, NULL);
    int64_t now = T0 + 86400 * 1000LL;
    fx_set_time(&f, now);
    /* a healthy day: 1440 - 3 datapoints of 0 from 2 timeline rows */
    CHECK_EQ_INT(timeline_rows(&f, id), 2);
    char *v = xmalloc(2000);
    metric_values(&f, "StatusCheckFailed", id, T0, now, now, v, 2000);
    CHECK_EQ_INT(strlen(v), 1437);
    CHECK(strchr(v, '1') == NULL);
    free(v);
    /* GetMetricStatistics over the provider: 5-minute sums */
    CHECK_EQ_INT(fx_callf(&f, "cloudwatch", "GetMetricStatistics", cw_get_metric_statistics,
                          "{\"Namespace\":\"AWS/EC2\",\"MetricName\":\"StatusCheckFailed_System\","
                          "\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":\"%s\"}],"
                          "\"StartTime\":%lld,\"EndTime\":%lld,\"Period\":300,"
                          "\"Statistics\":[\"Sum\",\"SampleCount\",\"Maximum\"]}",
                          id, (long long)(now - 30 * MIN), (long long)now),
                 0);
    json_t *dps = json_object_get(f.json, "Datapoints");
    CHECK_EQ_INT(json_array_size(dps), 6);
    json_t *dp = json_array_get(dps, 0);
    CHECK(json_number_value(json_object_get(dp, "SampleCount")) == 5);
    CHECK(json_number_value(json_object_get(dp, "Sum")) == 0);
    CHECK_EQ_STR(json_string_value(json_object_get(dp, "Unit")), "Count");
    fx_close(&f);
}

TEST(ec2_health_list_metrics)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add_instance(&f, "i-00000000000000001", "t2.micro", "us-east-1a", "default");
    add_instance(&f, "i-00000000000000002", "t2.micro", "us-east-1a", "default");
    boot(&f, "i-00000000000000001", T0, NULL);
    boot(&f, "i-00000000000000002", T0 + 10 * MIN, NULL);
    fx_set_time(&f, T0 + 11 * MIN); /* the second one is still initializing */
    CHECK_EQ_INT(
        fx_call(&f, "cloudwatch", "ListMetrics", cw_list_metrics, "{\"Namespace\":\"AWS/EC2\"}"),
        0);
    json_t *ms = json_object_get(f.json, "Metrics");
    CHECK_EQ_INT(json_array_size(ms), 4);
    CHECK_CONTAINS(f.body, "StatusCheckFailed_AttachedEBS");
    CHECK_CONTAINS(f.body, "i-00000000000000001");
    CHECK(strstr(f.body, "i-00000000000000002") == NULL);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "ListMetrics", cw_list_metrics,
                         "{\"MetricName\":\"StatusCheckFailed\"}"),
                 0);
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "Metrics")), 1);
    /* stopped an hour ago: still listed; RecentlyActive PT3H drops it after 3 hours */
    down(&f, "i-00000000000000001", T0 + 20 * MIN, false);
    fx_set_time(&f, T0 + 5 * 3600 * 1000LL);
    CHECK_EQ_INT(fx_call(&f, "cloudwatch", "ListMetrics", cw_list_metrics,
                         "{\"Namespace\":\"AWS/EC2\",\"RecentlyActive\":\"PT3H\"}"),
                 0);
    CHECK(strstr(f.body, "i-00000000000000001") == NULL);
    CHECK_CONTAINS(f.body, "i-00000000000000002");
    CHECK_EQ_INT(
        fx_call(&f, "cloudwatch", "ListMetrics", cw_list_metrics, "{\"Namespace\":\"AWS/EC2\"}"),
        0);
    CHECK_EQ_INT(json_array_size(json_object_get(f.json, "Metrics")), 8);
    fx_close(&f);
}

/* ---------------------------------------------------------------- DescribeInstanceStatus */

static int dis(struct fx *f, const char *json)
{
    return fx_call(f, "ec2", "DescribeInstanceStatus", ec2_describe_instance_status, json);
}

static int count_sub(const char *hay, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);
    for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + l, needle))
        n++;
    return n;
}

TEST(ec2_health_describe_instance_status)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    add_instance(&f, "i-00000000000000001", "t2.micro", "us-east-1a", "disabled");
    add_instance(&f, "i-00000000000000002", "t2.micro", "us-east-1b", "disabled");
    add_instance(&f, "i-00000000000000003", "t2.micro", "us-east-1a", "disabled");
    boot(&f, "i-00000000000000001", T0, NULL);
    boot(&f, "i-00000000000000002", T0, NULL);
    inject(&f, "i-00000000000000001", "system", T0 + 5 * MIN, 0);
    fx_set_time(&f, T0 + 10 * MIN);

    CHECK_EQ_INT(dis(&f, "{}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 2); /* only running ones */
    CHECK_CONTAINS(f.body, "<systemStatus><status>impaired</status>");
    CHECK_CONTAINS(f.body, "<details><item><name>reachability</name><status>failed</status>"
                           "<impairedSince>2026-11-28T12:05:00.000Z</impairedSince>");
    CHECK_CONTAINS(f.body, "<attachedEbsStatus><status>ok</status>");
    CHECK_CONTAINS(f.body, "<instanceState><code>16</code><name>running</name></instanceState>");
    CHECK_CONTAINS(f.body, "<availabilityZoneId>use1-az1</availabilityZoneId>");

    CHECK_EQ_INT(dis(&f, "{\"Filters\":[{\"Name\":\"system-status.status\","
                         "\"Values\":[\"impaired\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 1);
    CHECK_CONTAINS(f.body, "i-00000000000000001");
    CHECK_EQ_INT(dis(&f, "{\"Filters\":[{\"Name\":\"instance-status.reachability\","
                         "\"Values\":[\"pass*\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 1);
    CHECK_CONTAINS(f.body, "i-00000000000000002");
    CHECK_EQ_INT(dis(&f, "{\"Filters\":[{\"Name\":\"availability-zone\","
                         "\"Values\":[\"us-east-1b\"]}]}"),
                 0);
    CHECK_CONTAINS(f.body, "i-00000000000000002");
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 1);
    CHECK_EQ_INT(dis(&f, "{\"Filters\":[{\"Name\":\"bogus\",\"Values\":[\"x\"]}]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");

    /* IncludeAllInstances: the pending one too, not-applicable without details */
    CHECK_EQ_INT(dis(&f, "{\"IncludeAllInstances\":true}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 3);
    CHECK_CONTAINS(f.body, "<instanceStatus><status>not-applicable</status></instanceStatus>");
    CHECK_EQ_INT(dis(&f, "{\"IncludeAllInstances\":true,\"Filters\":[{\"Name\":"
                         "\"instance-state-code\",\"Values\":[\"0\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 1);
    CHECK_CONTAINS(f.body, "i-00000000000000003");

    /* ids: unknown and malformed */
    CHECK_EQ_INT(dis(&f, "{\"InstanceIds\":[\"i-00000000000000009\"]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.NotFound");
    CHECK_EQ_INT(dis(&f, "{\"InstanceIds\":[\"i-xyz\"]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidInstanceID.Malformed");
    CHECK_EQ_INT(dis(&f, "{\"InstanceIds\":[\"i-00000000000000003\"]}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 0); /* not running */

    /* paging */
    CHECK_EQ_INT(dis(&f, "{\"IncludeAllInstances\":true,\"MaxResults\":5}"), 0);
    CHECK(strstr(f.body, "<nextToken>") == NULL);
    CHECK_EQ_INT(dis(&f, "{\"MaxResults\":4}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_INT(dis(&f, "{\"DryRun\":true}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "DryRunOperation");
    fx_close(&f);
}

TEST(ec2_health_describe_instance_status_paging)
{
    struct fx f;
    fx_open(&f, T0);
    ec2_init();
    char id[32];
    for (int i = 0; i < 12; i++) {
        snprintf(id, sizeof(id), "i-%017d", i + 1);
        add_instance(&f, id, "t2.micro", "us-east-1a", "default");
        boot(&f, id, T0, NULL);
    }
    fx_set_time(&f, T0 + 10 * MIN);
    CHECK_EQ_INT(dis(&f, "{\"MaxResults\":5}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 5);
    const char *tok = strstr(f.body, "<nextToken>");
    CHECK(tok != NULL);
    char token[128] = "";
    if (tok)
        sscanf(tok + strlen("<nextToken>"), "%127[^<]", token);
    CHECK_EQ_INT(fx_callf(&f, "ec2", "DescribeInstanceStatus", ec2_describe_instance_status,
                          "{\"MaxResults\":5,\"NextToken\":\"%s\"}", token),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<instanceId>"), 5);
    CHECK_CONTAINS(f.body, "i-00000000000000006");
    CHECK(strstr(f.body, "i-00000000000000005") == NULL);
    CHECK_EQ_INT(dis(&f, "{\"NextToken\":\"garbage\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidPaginationToken");
    fx_close(&f);
}
