/*
 * fuzz_json.c — libFuzzer target: awsJson decoding and validation of CloudWatch input.
 * Input: byte 0 picks the operation (PutMetricData, GetMetricStatistics, ListMetrics), the
 * rest is the application/x-amz-json-1.0 body.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const targets[] = {
        "GraniteServiceVersion20100801.PutMetricData",
        "GraniteServiceVersion20100801.GetMetricStatistics",
        "GraniteServiceVersion20100801.ListMetrics",
    };
    if (size < 1)
        return 0;
    struct arena *a = arena_new();
    struct header h[2] = {{"X-Amz-Target", targets[data[0] % 3]},
                               {"Content-Type", "application/x-amz-json-1.0"}};
    struct request rq;
    memset(&rq, 0, sizeof(rq));
    rq.arena = a;
    rq.method = "POST";
    rq.path = "/";
    rq.query = "";
    char *body = arena_alloc(a, size);
    memcpy(body, data + 1, size - 1);
    body[size - 1] = 0;
    rq.body = body;
    rq.body_len = size - 1;
    rq.headers = h;
    rq.nheaders = 2;

    struct call c;
    memset(&c, 0, sizeof(c));
    c.a = a;
    c.rq = &rq;
    json_t *in = NULL;
    if (wire_route(&c, "monitoring") == 0 && wire_decode(&c, &in) == 0)
        wire_validate(&c, in);
    json_decref(in);
    arena_free(a);
    return 0;
}
