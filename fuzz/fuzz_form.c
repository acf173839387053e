/*
 * fuzz_form.c — libFuzzer target: form/URL decoding, Query and EC2 flattening, validation.
 * Input: byte 0 picks the operation (even: CloudWatch PutMetricData over Query, odd: an
 * EC2 operation with lists — DescribeRegions, DescribeInstances (Filter.N.Value.M,
 * InstanceId.N), RunInstances (TagSpecification.N.Tag.M, SecurityGroupId.N, BlockDeviceMapping),
 * CreateTags (ResourceId.N, Tag.N) — by bits 1-2), the rest is the form body. Action/Version come in the URL query, so
 * the body reaches the decoder (a body naming another Action is routed as that one).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int ec2 = data[0] & 1;
    struct arena *a = arena_new();
    struct header h[1] = {{"Content-Type", "application/x-www-form-urlencoded"}};
    struct request rq;
    memset(&rq, 0, sizeof(rq));
    rq.arena = a;
    rq.method = "POST";
    rq.path = "/";
    static const char *const ec2_ops[] = {
        "Action=DescribeRegions&Version=2016-11-15",
        "Action=DescribeInstances&Version=2016-11-15",
        "Action=RunInstances&Version=2016-11-15",
        "Action=CreateTags&Version=2016-11-15",
    };
    rq.query = ec2 ? ec2_ops[(data[0] >> 1) & 3] : "Action=PutMetricData&Version=2010-08-01";
    char *body = arena_alloc(a, size);
    memcpy(body, data + 1, size - 1);
    body[size - 1] = 0;
    rq.body = body;
    rq.body_len = size - 1;
    rq.headers = h;
    rq.nheaders = 1;

    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = a;
    c.rq = &rq;
    json_t *in = NULL;
    if (wire_route(&c, ec2 ? "ec2" : "monitoring") == 0 && wire_decode(&c, &in) == 0)
        wire_validate(&c, in);
    json_decref(in);
    arena_free(a);
    return 0;
}
