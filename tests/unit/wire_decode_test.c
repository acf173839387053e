/* wire_decode_test.c — form/Query/EC2, JSON and CBOR decoding into the normalised tree. */
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

/* ---------------- a small model exercising what the served ops do not ---------------- */

static const struct model_member t_members[] = {
    {"Data", NULL, NULL, 1, 0},     /* 0 blob */
    {"Tags", "Tag", NULL, 2, 0},    /* 1 map, Query key Tag */
    {"Items", NULL, NULL, 4, 0},    /* 2 flattened list, element Item */
    {"Nums", NULL, NULL, 5, 0},     /* 3 list of integer */
    {"When", NULL, NULL, 7, 0},     /* 4 timestamp */
    {"On", NULL, NULL, 8, 0},       /* 5 boolean */
    {"Big", NULL, NULL, 9, 0},      /* 6 long */
    {"Deep", NULL, NULL, 10, 0},    /* 7 recursive structure */
    {"Name", "name", NULL, 3, 0},   /* 8 string, JSON/Query key "name" */
    {"key", "K", NULL, 3, 0},       /* 9 map key */
    {"value", NULL, NULL, 3, 0},    /* 10 map value */
    {"member", "Item", NULL, 3, 0}, /* 11 Flat element */
    {"member", NULL, NULL, 6, 0},   /* 12 Nums element */
    {"Child", NULL, NULL, 10, 0},   /* 13 */
    {"Leaf", NULL, NULL, 3, 0},     /* 14 */
};
static const struct model_shape t_shapes[] = {
    {.name = "In", .type = SH_STRUCTURE, .first = 0, .count = 9},
    {.name = "Blob", .type = SH_BLOB},
    {.name = "Map", .type = SH_MAP, .first = 9, .count = 2},
    {.name = "Str", .type = SH_STRING},
    {.name = "Flat", .type = SH_LIST, .flags = SHF_FLATTENED, .first = 11, .count = 1},
    {.name = "Nums", .type = SH_LIST, .first = 12, .count = 1},
    {.name = "Int", .type = SH_INTEGER},
    {.name = "Stamp", .type = SH_TIMESTAMP},
    {.name = "Flag", .type = SH_BOOLEAN},
    {.name = "Big", .type = SH_LONG},
    {.name = "Nested", .type = SH_STRUCTURE, .first = 13, .count = 2},
};
static const struct model_op t_ops[] = {{"Op", 0, -1, NULL, NULL, 0}};
static const char *const t_all_ops[] = {"Op"};
static const struct model_service t_svc = {
    .id = "test",
    .signing_name = "test",
    .endpoint_prefix = "test",
    .api_version = "2020-01-01",
    .target_prefix = "Test",
    .json_version = "1.0",
    .protocols = PROTO_QUERY | PROTO_JSON | PROTO_CBOR,
    .shapes = t_shapes,
    .nshapes = sizeof(t_shapes) / sizeof(t_shapes[0]),
    .members = t_members,
    .ops = t_ops,
    .nops = 1,
    .all_ops = t_all_ops,
    .nall_ops = 1,
};

/* ---------------- fixture ---------------- */

struct dt {
    struct request rq;
    struct header h[8];
    struct call c;
    json_t *in;
};

static void dt_init(struct dt *t, const char *path, const void *body, size_t len)
{
    memset(t, 0, sizeof(*t));
    t->rq.arena = arena_new();
    t->rq.method = "POST";
    t->rq.path = path;
    t->rq.query = "";
    t->rq.headers = t->h;
    char *b = arena_alloc(t->rq.arena, len + 1);
    memcpy(b, body, len);
    b[len] = 0;
    t->rq.body = b;
    t->rq.body_len = len;
    t->c.a = t->rq.arena;
    t->c.rq = &t->rq;
}

static void dt_header(struct dt *t, const char *name, const char *value)
{
    t->h[t->rq.nheaders].name = name;
    t->h[t->rq.nheaders].value = value;
    t->rq.nheaders++;
}

static void dt_free(struct dt *t)
{
    json_decref(t->in);
    arena_free(t->rq.arena);
}

/* Routes (signed for scope) and decodes; returns wire_decode's result. */
static int dt_run(struct dt *t, const char *scope)
{
    if (wire_route(&t->c, scope))
        return -2;
    return wire_decode(&t->c, &t->in);
}

static int q_decode(struct dt *t, const char *scope, const char *body)
{
    dt_init(t, "/", body, strlen(body));
    dt_header(t, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    return dt_run(t, scope);
}

/* Decodes body against the test model in proto. */
static int t_decode(struct dt *t, enum proto proto, const void *body, size_t len)
{
    dt_init(t, "/", body, len);
    if (proto == PROTO_QUERY)
        dt_header(t, "Content-Type", "application/x-www-form-urlencoded");
    t->c.svc = &t_svc;
    t->c.op = &t_ops[0];
    t->c.op_name = "Op";
    t->c.proto = proto;
    return wire_decode(&t->c, &t->in);
}

static char *dump(const json_t *v)
{
    return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("(null)");
}

#define CHECK_JSON(v, expect)                                                                      \
    do {                                                                                           \
        char *_d = dump(v);                                                                        \
        CHECK_EQ_STR(_d, expect);                                                                  \
        free(_d);                                                                                  \
    } while (0)

/* ---------------- form decoding ---------------- */

TEST(wire_decode_form_unescape)
{
    char out[64];
    CHECK_EQ_INT(form_unescape(out, "a+b%20c", 7), 5);
    CHECK_EQ_STR(out, "a b c");
    CHECK_EQ_INT(form_unescape(out, "%zz%4%", 6), 6); /* invalid escapes kept literally */
    CHECK_EQ_STR(out, "%zz%4%");
    CHECK_EQ_INT(form_unescape(out, "%2f%2F%e2%82%ac", 15), 5);
    CHECK_EQ_STR(out, "//\xe2\x82\xac");
    CHECK_EQ_INT(form_unescape(out, "a%00b", 5), 3);
    CHECK(memcmp(out, "a\0b", 4) == 0);

    struct arena *a = arena_new();
    struct form_pair *p = NULL;
    size_t n = 0;
    form_parse(a, "a=1&&b&c=x=y&=z&", 16, &p, &n);
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK_EQ_STR(p[0].key, "a");
        CHECK_EQ_STR(p[0].val, "1");
        CHECK(!p[1].has_eq);
        CHECK_EQ_STR(p[1].key, "b");
        CHECK_EQ_STR(p[2].val, "x=y"); /* split on the first '=' */
        CHECK_EQ_INT(p[3].klen, 0);
        CHECK_EQ_STR(p[3].val, "z");
    }
    arena_free(a);
    CHECK(wire_is_form_content_type("application/x-www-form-urlencoded; charset=utf-8"));
    CHECK(wire_is_form_content_type("Application/X-WWW-Form-Urlencoded"));
    CHECK(!wire_is_form_content_type("application/x-www-form-urlencodedx"));
    CHECK(!wire_is_form_content_type("application/x-amz-json-1.0"));
}

/* ---------------- one call, three protocols ---------------- */

#define PMD_QUERY                                                                                  \
    "Action=PutMetricData&Version=2010-08-01&Namespace=App%2FTest"                                 \
    "&MetricData.member.1.MetricName=Latency"                                                      \
    "&MetricData.member.1.Dimensions.member.1.Name=Host"                                           \
    "&MetricData.member.1.Dimensions.member.1.Value=a+b"                                           \
    "&MetricData.member.1.Dimensions.member.2.Name=Az"                                             \
    "&MetricData.member.1.Dimensions.member.2.Value=us-east-1a"                                    \
    "&MetricData.member.1.Timestamp=2026-11-28T17%3A50%3A49Z"                                      \
    "&MetricData.member.1.Value=1.5&MetricData.member.1.Unit=Seconds"                              \
    "&MetricData.member.1.StorageResolution=1&MetricData.member.2.MetricName=Count"                \
    "&MetricData.member.2.Values.member.1=1.0&MetricData.member.2.Values.member.2=2.5"             \
    "&MetricData.member.2.Counts.member.1=3.0&MetricData.member.2.Counts.member.2=1.0"

/* as botocore 1.43 sends it (json.dumps) */
#define PMD_JSON                                                                                   \
    "{\"Namespace\": \"App/Test\", \"MetricData\": [{\"MetricName\": \"Latency\", "                \
    "\"Dimensions\": [{\"Name\": \"Host\", \"Value\": \"a b\"}, {\"Name\": \"Az\", "               \
    "\"Value\": \"us-east-1a\"}], \"Timestamp\": 1795888249, \"Value\": 1.5, \"Unit\": "           \
    "\"Seconds\", \"StorageResolution\": 1}, {\"MetricName\": \"Count\", \"Values\": [1.0, "       \
    "2.5], \"Counts\": [3.0, 1.0]}]}"

#define PMD_TREE                                                                                   \
    "{\"MetricData\":[{\"Dimensions\":[{\"Name\":\"Host\",\"Value\":\"a b\"},{\"Name\":"           \
    "\"Az\",\"Value\":\"us-east-1a\"}],\"MetricName\":\"Latency\",\"StorageResolution\":1,"        \
    "\"Timestamp\":1795888249000,\"Unit\":\"Seconds\",\"Value\":1.5},{\"Counts\":[3.0,1.0],"       \
    "\"MetricName\":\"Count\",\"Values\":[1.0,2.5]}],\"Namespace\":\"App/Test\"}"

static void map_add(cbor_item_t *m, const char *k, cbor_item_t *v)
{
    cbor_map_add(m,
                 (struct cbor_pair){.key = cbor_move(cbor_build_string(k)), .value = cbor_move(v)});
}

static cbor_item_t *dimension(const char *name, const char *value)
{
    cbor_item_t *d = cbor_new_definite_map(2);
    map_add(d, "Name", cbor_build_string(name));
    map_add(d, "Value", cbor_build_string(value));
    return d;
}

/* The same PutMetricData, built with libcbor: definite and indefinite containers, a
 * half-precision float, a tag-1 timestamp, a chunked text string. */
static unsigned char *pmd_cbor(size_t *len)
{
    cbor_item_t *root = cbor_new_definite_map(2);
    cbor_item_t *ns = cbor_new_indefinite_string();
    cbor_string_add_chunk(ns, cbor_move(cbor_build_string("App/")));
    cbor_string_add_chunk(ns, cbor_move(cbor_build_string("Test")));
    map_add(root, "Namespace", ns);

    cbor_item_t *md = cbor_new_indefinite_array();
    cbor_item_t *d1 = cbor_new_indefinite_map();
    map_add(d1, "MetricName", cbor_build_string("Latency"));
    cbor_item_t *dims = cbor_new_definite_array(2);
    cbor_array_push(dims, cbor_move(dimension("Host", "a b")));
    cbor_array_push(dims, cbor_move(dimension("Az", "us-east-1a")));
    map_add(d1, "Dimensions", dims);
    map_add(d1, "Timestamp", cbor_build_tag(1, cbor_move(cbor_build_uint32(1795888249))));
    map_add(d1, "Value", cbor_build_float2(1.5f));
    map_add(d1, "Unit", cbor_build_string("Seconds"));
    map_add(d1, "StorageResolution", cbor_build_uint8(1));
    map_add(d1, "Unknown", cbor_build_string("ignored"));
    map_add(d1, "Statistics", cbor_new_null()); /* null member: absent */
    cbor_array_push(md, cbor_move(d1));
    cbor_item_t *d2 = cbor_new_definite_map(3);
    map_add(d2, "MetricName", cbor_build_string("Count"));
    cbor_item_t *vals = cbor_new_definite_array(2);
    cbor_array_push(vals, cbor_move(cbor_build_float8(1.0)));
    cbor_array_push(vals, cbor_move(cbor_build_float4(2.5f)));
    map_add(d2, "Values", vals);
    cbor_item_t *counts = cbor_new_definite_array(2);
    cbor_array_push(counts, cbor_move(cbor_build_uint8(3))); /* an int where a double goes */
    cbor_array_push(counts, cbor_move(cbor_build_float8(1.0)));
    map_add(d2, "Counts", counts);
    cbor_array_push(md, cbor_move(d2));
    map_add(root, "MetricData", md);

    unsigned char *buf = NULL;
    size_t cap = 0;
    *len = cbor_serialize_alloc(root, &buf, &cap);
    cbor_decref(&root);
    return buf;
}

TEST(wire_decode_put_metric_data_query_json_cbor_identical)
{
    struct dt q, j, c;
    CHECK_EQ_INT(q_decode(&q, "monitoring", PMD_QUERY), 0);
    CHECK_JSON(q.in, PMD_TREE);
    CHECK(json_is_real(
        json_object_get(json_array_get(json_object_get(q.in, "MetricData"), 0), "Value")));

    dt_init(&j, "/", PMD_JSON, strlen(PMD_JSON));
    dt_header(&j, "X-Amz-Target", "GraniteServiceVersion20100801.PutMetricData");
    dt_header(&j, "Content-Type", "application/x-amz-json-1.0");
    CHECK_EQ_INT(dt_run(&j, "monitoring"), 0);
    CHECK_JSON(j.in, PMD_TREE);

    size_t len = 0;
    unsigned char *body = pmd_cbor(&len);
    CHECK(len > 100);
    dt_init(&c, "/service/GraniteServiceVersion20100801/operation/PutMetricData", body, len);
    dt_header(&c, "smithy-protocol", "rpc-v2-cbor");
    free(body);
    CHECK_EQ_INT(dt_run(&c, "monitoring"), 0);
    CHECK_JSON(c.in, PMD_TREE);

    CHECK(q.in && j.in && c.in && json_equal(q.in, j.in) && json_equal(j.in, c.in));
    dt_free(&q);
    dt_free(&j);
    dt_free(&c);
}

TEST(wire_decode_botocore_cbor_body)
{
    /* byte for byte what botocore 1.43's RpcV2CBORSerializer sent for a PutMetricData */
    static const unsigned char body[] =
        "\xa2\x69\x4e\x61\x6d\x65\x73\x70\x61\x63\x65\x68\x41\x70\x70\x2f"
        "\x54\x65\x73\x74\x6a\x4d\x65\x74\x72\x69\x63\x44\x61\x74\x61\x81"
        "\xa4\x6a\x4d\x65\x74\x72\x69\x63\x4e\x61\x6d\x65\x67\x4c\x61\x74"
        "\x65\x6e\x63\x79\x69\x54\x69\x6d\x65\x73\x74\x61\x6d\x70\xc1\x1a"
        "\x6b\x0b\x14\x79\x65\x56\x61\x6c\x75\x65\xfb\x3f\xf8\x00\x00\x00"
        "\x00\x00\x00\x64\x55\x6e\x69\x74\x67\x53\x65\x63\x6f\x6e\x64\x73";
    struct dt t;
    dt_init(&t, "/service/GraniteServiceVersion20100801/operation/PutMetricData", body,
            sizeof(body) - 1);
    CHECK_EQ_INT(dt_run(&t, "monitoring"), 0);
    CHECK_JSON(t.in, "{\"MetricData\":[{\"MetricName\":\"Latency\",\"Timestamp\":1795888249000,"
                     "\"Unit\":\"Seconds\",\"Value\":1.5}],\"Namespace\":\"App/Test\"}");
    dt_free(&t);
}

/* ---------------- Query / EC2 specifics ---------------- */

TEST(wire_decode_ec2_filters)
{
    struct dt t;
    CHECK_EQ_INT(q_decode(&t, "ec2",
                          "Action=DescribeRegions&Version=2016-11-15&RegionName.2=eu-west-1"
                          "&RegionName.1=us-east-1&Filter.1.Name=opt-in-status"
                          "&Filter.1.Value.1=opt-in-not-required&Filter.1.Value.2=opted-in"
                          "&AllRegions=true&DryRun=false&X-Amz-Date=20261128T000000Z"),
                 0);
    CHECK_JSON(t.in, "{\"AllRegions\":true,\"DryRun\":false,\"Filters\":[{\"Name\":\"opt-in-"
                     "status\",\"Values\":[\"opt-in-not-required\",\"opted-in\"]}],"
                     "\"RegionNames\":[\"us-east-1\",\"eu-west-1\"]}");
    dt_free(&t);

    /* the Query spelling is not the EC2 one: ignored */
    CHECK_EQ_INT(q_decode(&t, "ec2", "Action=DescribeRegions&Filters.member.1.Name=x&dryRun=true"),
                 0);
    CHECK_JSON(t.in, "{}");
    dt_free(&t);
}

TEST(wire_decode_query_sparse_empty_unknown)
{
    struct dt t;
    CHECK_EQ_INT(q_decode(&t, "monitoring",
                          "Action=PutMetricData&Namespace=N&MetricData.member.7.MetricName=c"
                          "&MetricData.member.2.MetricName=a&MetricData.member.10.MetricName=d"
                          "&MetricData.member.0.MetricName=zero&MetricData.member.10001.Metric"
                          "Name=big&MetricData.member.x.MetricName=x&Bogus.Param=1"
                          "&MetricData.member.2.Dimensions=&Namespace.Sub=1"),
                 0);
    CHECK_JSON(t.in, "{\"MetricData\":[{\"Dimensions\":[],\"MetricName\":\"a\"},{\"MetricName\""
                     ":\"c\"},{\"MetricName\":\"d\"}],\"Namespace\":\"N\"}");
    dt_free(&t);

    CHECK_EQ_INT(q_decode(&t, "monitoring", "Action=PutMetricData&MetricData="), 0);
    CHECK_JSON(t.in, "{\"MetricData\":[]}");
    dt_free(&t);
}

TEST(wire_decode_query_maps_flattened_scalars)
{
    struct dt t;
    const char *body = "Tag.entry.2.K=b&Tag.entry.2.value=2&Tag.entry.1.K=a&Tag.entry.1.value=1"
                       "&Tag.entry.3.K=nov&Item.2=y&Item.1=x&Nums.member.1=-5&Data=aGkA%2Fw%3D%3D"
                       "&When=1700000000.5&On=TRUE&Big=9223372036854775807"
                       "&Deep.Child.Child.Leaf=z&name=n&Name=ignored";
    CHECK_EQ_INT(t_decode(&t, PROTO_QUERY, body, strlen(body)), 0);
    json_t *data = json_object_get(t.in, "Data");
    CHECK_EQ_INT(json_string_length(data), 4);
    CHECK(memcmp(json_string_value(data), "hi\0\xff", 4) == 0);
    json_object_del(t.in, "Data");
    CHECK_JSON(t.in, "{\"Big\":9223372036854775807,\"Deep\":{\"Child\":{\"Child\":{\"Leaf\":"
                     "\"z\"}}},\"Items\":[\"x\",\"y\"],\"Name\":\"n\",\"Nums\":[-5],\"On\":true,"
                     "\"Tags\":{\"a\":\"1\",\"b\":\"2\"},\"When\":1700000000500}");
    dt_free(&t);

    /* ISO 8601 with an offset, and RFC 822 */
    body = "When=2026-11-28T18%3A50%3A49%2B01%3A00";
    CHECK_EQ_INT(t_decode(&t, PROTO_QUERY, body, strlen(body)), 0);
    CHECK_JSON(t.in, "{\"When\":1795888249000}");
    dt_free(&t);
    body = "When=Sat%2C+28+Nov+2026+17%3A50%3A49+GMT";
    CHECK_EQ_INT(t_decode(&t, PROTO_QUERY, body, strlen(body)), 0);
    CHECK_JSON(t.in, "{\"When\":1795888249000}");
    dt_free(&t);

    /* deeper than any real model: ignored, not a crash */
    struct buf b = BUF_INIT;
    buf_puts(&b, "Deep");
    for (int i = 0; i < 200; i++)
        buf_puts(&b, ".Child");
    buf_puts(&b, ".Leaf=x");
    CHECK_EQ_INT(t_decode(&t, PROTO_QUERY, b.p, b.len), 0);
    CHECK(json_object_get(t.in, "Deep") != NULL);
    dt_free(&t);
    buf_free(&b);
}

TEST(wire_decode_query_malformed_values)
{
    struct dt t;
    CHECK_EQ_INT(q_decode(&t, "monitoring",
                          "Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=m"
                          "&MetricData.member.1.Value=abc"),
                 -1);
    CHECK_EQ_INT(t.c.err.status, 400);
    CHECK_EQ_STR(t.c.err.code, "InvalidParameterValue");
    CHECK_EQ_STR(t.c.err.message,
                 "The value abc for parameter MetricData.member.1.Value is invalid.");
    CHECK(t.in == NULL);
    dt_free(&t);

    CHECK_EQ_INT(q_decode(&t, "monitoring", "Action=PutMetricData&MetricData.member.1.Value=NaN"),
                 -1);
    CHECK_EQ_STR(t.c.err.message,
                 "The value NaN for parameter MetricData.member.1.Value is invalid.");
    dt_free(&t);

    CHECK_EQ_INT(q_decode(&t, "ec2", "Action=DescribeRegions&AllRegions=maybe"), -1);
    CHECK_EQ_STR(t.c.err.code, "InvalidParameterValue");
    CHECK_EQ_STR(t.c.err.message, "Value ( maybe ) for parameter AllRegions is invalid.");
    dt_free(&t);

    const char *bad[] = {
        "Nums.member.1=1.5", "Nums.member.1=2147483648", "Nums.member.1=", "Data=abc",
        "Data=aGk",          "Data=aGk%3D%3D%3D",        "On=yes",         "When=yesterday",
        "Big=1e3",           "Tag.entry.1.K=%ff",        "name=%c3%28",    "When=1e400"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(t_decode(&t, PROTO_QUERY, bad[i], strlen(bad[i])), -1);
        CHECK_EQ_STR(t.c.err.code, "InvalidParameterValue");
        dt_free(&t);
    }
    /* an empty blob is fine */
    CHECK_EQ_INT(t_decode(&t, PROTO_QUERY, "Data=", 5), 0);
    CHECK_JSON(t.in, "{\"Data\":\"\"}");
    dt_free(&t);
}

/* ---------------- JSON ---------------- */

TEST(wire_decode_json_types)
{
    struct dt t;
    const char *body = "{\"When\": 1700000000.123, \"Data\": \"aGk=\", \"Tag\": {\"a\": \"1\", "
                       "\"b\": null}, \"Items\": [\"x\", null, \"y\"], \"Big\": 5.0, \"On\": "
                       "false, \"name\": \"n\", \"Name\": \"not the key\", \"Nums\": [1, -2], "
                       "\"Other\": {\"deep\": [1]}, \"Deep\": null}";
    CHECK_EQ_INT(t_decode(&t, PROTO_JSON, body, strlen(body)), 0);
    CHECK_JSON(t.in, "{\"Big\":5,\"Data\":\"hi\",\"Items\":[\"x\",\"y\"],\"Name\":\"n\","
                     "\"Nums\":[1,-2],\"On\":false,\"Tags\":{\"a\":\"1\"},\"When\":"
                     "1700000000123}");
    dt_free(&t);

    /* ISO timestamp strings accepted leniently; empty body is an empty input */
    body = "{\"When\": \"2026-11-28T17:50:49.5Z\"}";
    CHECK_EQ_INT(t_decode(&t, PROTO_JSON, body, strlen(body)), 0);
    CHECK_JSON(t.in, "{\"When\":1795888249500}");
    dt_free(&t);
    CHECK_EQ_INT(t_decode(&t, PROTO_JSON, "", 0), 0);
    CHECK_JSON(t.in, "{}");
    dt_free(&t);
}

TEST(wire_decode_json_malformed)
{
    struct dt t;
    const char *bad[] = {"{",
                         "[]",
                         "{\"name\": 5}",
                         "{\"name\": \"a\", \"name\": \"b\"}",
                         "{\"Nums\": {}}",
                         "{\"Nums\": [1.5]}",
                         "{\"Nums\": [2147483648]}",
                         "{\"On\": \"true\"}",
                         "{\"Data\": \"***\"}",
                         "{\"When\": 1e300}",
                         "{\"When\": \"soon\"}",
                         "{\"Tag\": []}",
                         "{\"name\": \"a\\u0000b\"}",
                         "{} x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(t_decode(&t, PROTO_JSON, bad[i], strlen(bad[i])), -1);
        CHECK_EQ_INT(t.c.err.status, 400);
        CHECK_EQ_STR(t.c.err.code, "SerializationException");
        dt_free(&t);
    }
    CHECK_EQ_INT(t_decode(&t, PROTO_JSON, "{", 1), -1);
    CHECK(t.c.err.message == NULL); /* AWS sends no message for an unparseable body */
    dt_free(&t);
    CHECK_EQ_INT(t_decode(&t, PROTO_JSON, "{\"Nums\": {}}", 12), -1);
    CHECK_EQ_STR(t.c.err.message, "Start of structure or map found where not expected.");
    dt_free(&t);

    /* recursion is bounded */
    struct buf b = BUF_INIT;
    for (int i = 0; i < 100; i++)
        buf_puts(&b, i ? "{\"Child\":" : "{\"Deep\":");
    for (int i = 0; i < 100; i++)
        buf_putc(&b, '}');
    CHECK_EQ_INT(t_decode(&t, PROTO_JSON, b.p, b.len), -1);
    CHECK_EQ_STR(t.c.err.code, "SerializationException");
    dt_free(&t);
    buf_free(&b);
}

/* ---------------- CBOR ---------------- */

static int c_decode_item(struct dt *t, cbor_item_t *root)
{
    unsigned char *buf = NULL;
    size_t cap = 0, len = cbor_serialize_alloc(root, &buf, &cap);
    cbor_decref(&root);
    int rc = t_decode(t, PROTO_CBOR, buf, len);
    free(buf);
    return rc;
}

TEST(wire_decode_cbor_types)
{
    struct dt t;
    cbor_item_t *m = cbor_new_indefinite_map();
    map_add(m, "When", cbor_build_tag(1, cbor_move(cbor_build_float8(1700000000.25))));
    map_add(m, "Data", cbor_build_bytestring((const unsigned char *)"h\0i", 3));
    cbor_item_t *tags = cbor_new_definite_map(2);
    map_add(tags, "k", cbor_build_string("v"));
    map_add(tags, "gone", cbor_new_undef());
    map_add(m, "Tag", tags);
    cbor_item_t *nums = cbor_new_indefinite_array();
    cbor_array_push(nums, cbor_move(cbor_build_negint8(4))); /* -5 */
    cbor_array_push(nums, cbor_move(cbor_build_uint64(7)));
    map_add(m, "Nums", nums);
    map_add(m, "Big", cbor_build_negint64(UINT64_C(9223372036854775807))); /* INT64_MIN */
    map_add(m, "On", cbor_build_bool(true));
    map_add(m, "name", cbor_build_string("n"));
    CHECK_EQ_INT(c_decode_item(&t, m), 0);
    json_t *data = json_object_get(t.in, "Data");
    CHECK(data && json_string_length(data) == 3 && memcmp(json_string_value(data), "h\0i", 3) == 0);
    json_object_del(t.in, "Data");
    CHECK_JSON(t.in, "{\"Big\":-9223372036854775808,\"Name\":\"n\",\"Nums\":[-5,7],\"On\":true,"
                     "\"Tags\":{\"k\":\"v\"},\"When\":1700000000250}");
    dt_free(&t);

    /* empty body: empty input */
    CHECK_EQ_INT(t_decode(&t, PROTO_CBOR, "", 0), 0);
    CHECK_JSON(t.in, "{}");
    dt_free(&t);
}

TEST(wire_decode_cbor_malformed)
{
    struct dt t;
    size_t len;
    unsigned char *good = pmd_cbor(&len);
    static const struct {
        const char *b;
        size_t n;
    } bad[] = {
        {"\xa1", 1},                                 /* truncated map */
        {"\xa0\x00", 2},                             /* trailing bytes */
        {"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", 9}, /* 2^64-1 element array */
        {"\xa1\x64name\x9a\x7f\xff\xff\xff", 11},    /* huge declared list */
        {"\xbb\x00\x00\x00\x01\x00\x00\x00\x00", 9}, /* 2^32 pair map, no data */
        {"\xa1\x01\x02", 3},                         /* integer key */
        {"\xa1\x64name\x62\xc3\x28", 9},             /* invalid UTF-8 text */
        {"\xa1\x64name\x05", 7},                     /* int for a string */
        {"\xa1\x64Nums\x81\xf9\x3e\x00", 10},        /* 1.5 for an integer */
        {"\xa1\x64When\xc1\x64soon", 12},            /* tag 1 over text */
        {"\xa1\x64name\xc1\x01", 8},                 /* timestamp for a string */
        {"\xff", 1},                                 /* lone break */
        {"\x81\xa0", 2},                             /* list at top level */
        {"\xa1\x64"
         "Data\x63"
         "abc",
         10},                                                         /* text for a blob */
        {"\xa1\x62On\xf6\xff", 6},                                    /* break in a definite map */
        {"\xa1\x64Nums\x9f\x01", 8},                                  /* unterminated indefinite */
        {"\xa1\x64Nums\x81\x1b\x80\x00\x00\x00\x00\x00\x00\x00", 16}, /* 2^63: no int64 */
        {"\xa1\x64name\x7f\x41x\xff", 10},                        /* byte chunk in a text string */
        {"\xa1\x64When\xfb\x7f\xf0\x00\x00\x00\x00\x00\x00", 15}, /* +Inf timestamp */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(t_decode(&t, PROTO_CBOR, bad[i].b, bad[i].n), -1);
        CHECK_EQ_INT(t.c.err.status, 400);
        CHECK_EQ_STR(t.c.err.code, "SerializationException");
        dt_free(&t);
    }
    /* every truncation of a real body fails cleanly */
    for (size_t n = 1; n < len; n++) {
        dt_init(&t, "/service/GraniteServiceVersion20100801/operation/PutMetricData", good, n);
        CHECK_EQ_INT(dt_run(&t, "monitoring"), -1);
        dt_free(&t);
    }
    free(good);

    /* deep nesting is refused before libcbor builds (and would recursively free) it */
    size_t deep = 100000;
    unsigned char *d = malloc(deep + 1);
    memset(d, 0x81, deep);
    d[deep] = 0x00;
    CHECK_EQ_INT(t_decode(&t, PROTO_CBOR, d, deep + 1), -1);
    CHECK_EQ_STR(t.c.err.code, "SerializationException");
    dt_free(&t);
    free(d);
}
