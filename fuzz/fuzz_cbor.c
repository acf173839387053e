/*
 * fuzz_cbor.c — libFuzzer target: RPC v2 CBOR decoding and validation of CloudWatch input.
 * Input: byte 0 picks the operation (PutMetricData, GetMetricStatistics, ListMetrics), the
 * rest is the application/cbor body.
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
        "/service/GraniteServiceVersion20100801/operation/PutMetricData",
        "/service/GraniteServiceVersion20100801/operation/GetMetricStatistics",
        "/service/GraniteServiceVersion20100801/operation/ListMetrics",
    };
    if (size < 1)
        return 0;
    struct arena *a = arena_new();
    struct header h[2] = {{"smithy-protocol", "rpc-v2-cbor"},
                               {"Content-Type", "application/cbor"}};
    struct request rq;
    memset(&rq, 0, sizeof(rq));
    rq.arena = a;
    rq.method = "POST";
    rq.path = targets[data[0] % 3];
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
