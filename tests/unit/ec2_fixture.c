/* ec2_fixture.c — see ec2_fixture.h. */
#include "ec2_fixture.h"

#include <stdio.h>

#include "clock/clock.h"
#include "harness.h"
#include "svc/ec2/ec2.h"
#include "svc/svc.h"

void ec2fx_open(struct fx *f)
{
    fx_open(f, FX_T0);
    f->proto = PROTO_JSON;
    ec2_init();
}

void ec2fx_advance(struct fx *f, int64_t ms)
{
    int64_t to = f->now_ms + ms;
    CHECK_EQ_INT(clock_advance_to(f->st, to), 0);
    fx_set_time(f, to);
}

const char *ec2fx_str(const json_t *o, const char *path)
{
    return json_string_value(fx_jget(o, path));
}

json_int_t ec2fx_int(const json_t *o, const char *path)
{
    const json_t *v = fx_jget(o, path);
    return json_is_integer(v) ? json_integer_value(v) : -999;
}

int ec2fx_run(struct fx *f, const char *type, const char *extra, char id[32])
{
    int rc = fx_callf(f, "ec2", "RunInstances", ec2_run_instances,
                      "{\"ImageId\":\"" EC2_AMI "\",\"InstanceType\":\"%s\",\"MinCount\":1,"
                      "\"MaxCount\":1%s%s}",
                      type, extra ? "," : "", extra ? extra : "");
    if (id) {
        const char *s = rc == 0 ? ec2fx_str(f->json, "instancesSet.0.instanceId") : NULL;
        snprintf(id, 32, "%s", s ? s : "");
    }
    return rc;
}
