/*
 * wire_out_test.c — the shape-guided writer (src/wire/out*.c) and success envelopes
 * (src/wire/respond.c), against small hand-built model tables: a CloudWatch-like service
 * (Query/JSON/CBOR) and an EC2-like one (locationName'd lists). Expected bodies that real
 * clients must parse live in tests/golden/wire/ (checked with botocore's parsers).
 */
#include <cbor.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "wire/out_internal.h"
#include "wire/wire.h"

/* ---------------- a CloudWatch-like model ---------------- */
enum {
    S_LMO,
    S_METRICS,
    S_METRIC,
    S_DIMS,
    S_DIM,
    S_STR,
    S_GMSO,
    S_DPS,
    S_DP,
    S_TS,
    S_DBL,
    S_DVM,
    S_BOOL,
    S_INT,
    S_LONG,
    S_BLOB,
    S_TSISO,
    S_TSEPOCH,
    S_EVERY,
    S_NAMES,
    S_ITEMS,
    S_ATTRS,
    S_FLATMAP,
    S_PLAINFLAT,
    S_NODE,
    S_RNF,
    S_NSHAPES
};
enum {
    M_LMO_METRICS,
    M_LMO_NEXT,
    M_METRICS_EL,
    M_METRIC_NS,
    M_METRIC_NAME,
    M_METRIC_DIMS,
    M_DIMS_EL,
    M_DIM_NAME,
    M_DIM_VALUE,
    M_GMSO_LABEL,
    M_GMSO_DPS,
    M_DPS_EL,
    M_DP_TS,
    M_DP_SC,
    M_DP_AVG,
    M_DP_UNIT,
    M_DP_EXT,
    M_DVM_KEY,
    M_DVM_VALUE,
    M_EV_FLAG,
    M_EV_COUNT,
    M_EV_BIG,
    M_EV_DATA,
    M_EV_WHEN,
    M_EV_WHENISO,
    M_EV_WHENEPOCH,
    M_EV_RATIO,
    M_EV_NAMES,
    M_EV_ITEMS,
    M_EV_ATTRS,
    M_EV_FLATMAP,
    M_EV_PLAIN,
    M_EV_NODE,
    M_EV_RENAMED,
    M_NAMES_EL,
    M_ITEMS_EL,
    M_ATTRS_KEY,
    M_ATTRS_VALUE,
    M_FLATMAP_KEY,
    M_FLATMAP_VALUE,
    M_PLAIN_EL,
    M_NODE_CHILD,
    M_NODE_NAME,
    M_RNF_MESSAGE,
    M_NMEMBERS
};

#define STRUCT(n, f, c)                                                                            \
    {                                                                                              \
        .name = n, .type = SH_STRUCTURE, .first = f, .count = c                                    \
    }
#define LIST(n, f)                                                                                 \
    {                                                                                              \
        .name = n, .type = SH_LIST, .first = f, .count = 1                                         \
    }
#define MAP(n, f)                                                                                  \
    {                                                                                              \
        .name = n, .type = SH_MAP, .first = f, .count = 2                                          \
    }
#define SCALAR(n, t)                                                                               \
    {                                                                                              \
        .name = n, .type = t                                                                       \
    }

static const struct model_shape cw_shapes[S_NSHAPES] = {
    [S_LMO] = STRUCT("ListMetricsOutput", M_LMO_METRICS, 2),
    [S_METRICS] = LIST("Metrics", M_METRICS_EL),
    [S_METRIC] = STRUCT("Metric", M_METRIC_NS, 3),
    [S_DIMS] = LIST("Dimensions", M_DIMS_EL),
    [S_DIM] = STRUCT("Dimension", M_DIM_NAME, 2),
    [S_STR] = SCALAR("String", SH_STRING),
    [S_GMSO] = STRUCT("GetMetricStatisticsOutput", M_GMSO_LABEL, 2),
    [S_DPS] = LIST("Datapoints", M_DPS_EL),
    [S_DP] = STRUCT("Datapoint", M_DP_TS, 5),
    [S_TS] = SCALAR("Timestamp", SH_TIMESTAMP),
    [S_DBL] = SCALAR("DatapointValue", SH_DOUBLE),
    [S_DVM] = MAP("DatapointValueMap", M_DVM_KEY),
    [S_BOOL] = SCALAR("Boolean", SH_BOOLEAN),
    [S_INT] = SCALAR("Integer", SH_INTEGER),
    [S_LONG] = SCALAR("Long", SH_LONG),
    [S_BLOB] = SCALAR("Blob", SH_BLOB),
    [S_TSISO] = {.name = "IsoTime", .type = SH_TIMESTAMP, .ts_fmt = TS_ISO8601},
    [S_TSEPOCH] = {.name = "EpochTime", .type = SH_TIMESTAMP, .ts_fmt = TS_EPOCH},
    [S_EVERY] = STRUCT("EverythingOutput", M_EV_FLAG, 15),
    [S_NAMES] = {.name = "NameList",
                 .type = SH_LIST,
                 .flags = SHF_FLATTENED,
                 .first = M_NAMES_EL,
                 .count = 1},
    [S_ITEMS] = LIST("ItemList", M_ITEMS_EL),
    [S_ATTRS] = MAP("AttrMap", M_ATTRS_KEY),
    [S_FLATMAP] = {.name = "FlatMap",
                   .type = SH_MAP,
                   .flags = SHF_FLATTENED,
                   .first = M_FLATMAP_KEY,
                   .count = 2},
    [S_PLAINFLAT] = LIST("PlainList", M_PLAIN_EL),
    [S_NODE] = STRUCT("Node", M_NODE_CHILD, 2),
    [S_RNF] = {.name = "ResourceNotFound",
               .type = SH_STRUCTURE,
               .first = M_RNF_MESSAGE,
               .count = 1,
               .flags = SHF_ERROR | SHF_SENDER_FAULT,
               .error_code = "ResourceNotFound",
               .error_status = 404},
};

#define MEM(n, s)                                                                                  \
    {                                                                                              \
        .name = n, .shape = s                                                                      \
    }
#define MEML(n, l, s)                                                                              \
    {                                                                                              \
        .name = n, .location_name = l, .shape = s                                                  \
    }

static const struct model_member cw_members[M_NMEMBERS] = {
    [M_LMO_METRICS] = MEM("Metrics", S_METRICS),
    [M_LMO_NEXT] = MEM("NextToken", S_STR),
    [M_METRICS_EL] = MEM("member", S_METRIC),
    [M_METRIC_NS] = MEM("Namespace", S_STR),
    [M_METRIC_NAME] = MEM("MetricName", S_STR),
    [M_METRIC_DIMS] = MEM("Dimensions", S_DIMS),
    [M_DIMS_EL] = MEM("member", S_DIM),
    [M_DIM_NAME] = MEM("Name", S_STR),
    [M_DIM_VALUE] = MEM("Value", S_STR),
    [M_GMSO_LABEL] = MEM("Label", S_STR),
    [M_GMSO_DPS] = MEM("Datapoints", S_DPS),
    [M_DPS_EL] = MEM("member", S_DP),
    [M_DP_TS] = MEM("Timestamp", S_TS),
    [M_DP_SC] = MEM("SampleCount", S_DBL),
    [M_DP_AVG] = MEM("Average", S_DBL),
    [M_DP_UNIT] = MEM("Unit", S_STR),
    [M_DP_EXT] = MEM("ExtendedStatistics", S_DVM),
    [M_DVM_KEY] = MEM("key", S_STR),
    [M_DVM_VALUE] = MEM("value", S_DBL),
    [M_EV_FLAG] = MEM("Flag", S_BOOL),
    [M_EV_COUNT] = MEM("Count", S_INT),
    [M_EV_BIG] = MEM("Big", S_LONG),
    [M_EV_DATA] = MEM("Data", S_BLOB),
    [M_EV_WHEN] = MEM("When", S_TS),
    [M_EV_WHENISO] = MEM("WhenIso", S_TSISO),
    [M_EV_WHENEPOCH] = MEM("WhenEpoch", S_TSEPOCH),
    [M_EV_RATIO] = MEM("Ratio", S_DBL),
    [M_EV_NAMES] = MEM("Names", S_NAMES),
    [M_EV_ITEMS] = MEM("Items", S_ITEMS),
    [M_EV_ATTRS] = MEM("Attrs", S_ATTRS),
    [M_EV_FLATMAP] = MEM("Flat", S_FLATMAP),
    [M_EV_PLAIN] = {.name = "Plain", .shape = S_PLAINFLAT, .flags = MBF_FLATTENED},
    [M_EV_NODE] = MEM("Node", S_NODE),
    [M_EV_RENAMED] = MEML("Renamed", "renamedThing", S_STR),
    [M_NAMES_EL] = MEML("member", "name", S_STR),
    [M_ITEMS_EL] = MEML("member", "item", S_STR),
    [M_ATTRS_KEY] = MEML("key", "k", S_STR),
    [M_ATTRS_VALUE] = MEML("value", "v", S_INT),
    [M_FLATMAP_KEY] = MEM("key", S_STR),
    [M_FLATMAP_VALUE] = MEM("value", S_STR),
    [M_PLAIN_EL] = MEM("member", S_STR),
    [M_NODE_CHILD] = MEM("Child", S_NODE),
    [M_NODE_NAME] = MEM("Name", S_STR),
    [M_RNF_MESSAGE] = MEM("message", S_STR),
};

static const struct model_op cw_ops[] = {
    {.name = "Everything",
     .input = S_EVERY,
     .output = S_EVERY,
     .result_wrapper = "EverythingResult"},
    {.name = "GetMetricStatistics",
     .input = -1,
     .output = S_GMSO,
     .result_wrapper = "GetMetricStatisticsResult"},
    {.name = "ListMetrics", .input = -1, .output = S_LMO, .result_wrapper = "ListMetricsResult"},
    {.name = "PutMetricData", .input = -1, .output = -1, .result_wrapper = NULL},
};

static const struct model_service cw_svc = {
    .id = "cloudwatch",
    .signing_name = "monitoring",
    .api_version = "2010-08-01",
    .target_prefix = "GraniteServiceVersion20100801",
    .json_version = "1.0",
    .xmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/",
    .smithy_ns = "com.amazonaws.cloudwatch.v2010_08_01",
    .protocols = PROTO_QUERY | PROTO_JSON | PROTO_CBOR,
    .query_compatible = true,
    .shapes = cw_shapes,
    .nshapes = S_NSHAPES,
    .members = cw_members,
    .ops = cw_ops,
    .nops = ARRAY_LEN(cw_ops),
};

/* ---------------- an EC2-like model ---------------- */
enum { E_DRR, E_RLIST, E_REGION, E_STR, E_DIR, E_ILIST, E_INST, E_TS, E_BOOL, E_INT, E_NSHAPES };
enum {
    EM_DRR_REGIONS,
    EM_RLIST_EL,
    EM_REGION_NAME,
    EM_REGION_ENDPOINT,
    EM_REGION_OPTIN,
    EM_DIR_INSTS,
    EM_ILIST_EL,
    EM_INST_ID,
    EM_INST_LAUNCH,
    EM_INST_EBS,
    EM_INST_LAUNCHIDX,
    EM_NMEMBERS
};
static const struct model_shape ec2_shapes[E_NSHAPES] = {
    [E_DRR] = STRUCT("DescribeRegionsResult", EM_DRR_REGIONS, 1),
    [E_RLIST] = LIST("RegionList", EM_RLIST_EL),
    [E_REGION] = STRUCT("Region", EM_REGION_NAME, 3),
    [E_STR] = SCALAR("String", SH_STRING),
    [E_DIR] = STRUCT("DescribeThingsResult", EM_DIR_INSTS, 1),
    [E_ILIST] = LIST("ThingList", EM_ILIST_EL),
    [E_INST] = STRUCT("Thing", EM_INST_ID, 4),
    [E_TS] = SCALAR("DateTime", SH_TIMESTAMP),
    [E_BOOL] = SCALAR("Boolean", SH_BOOLEAN),
    [E_INT] = SCALAR("Integer", SH_INTEGER),
};
static const struct model_member ec2_members[EM_NMEMBERS] = {
    [EM_DRR_REGIONS] = MEML("Regions", "regionInfo", E_RLIST),
    [EM_RLIST_EL] = MEML("member", "item", E_REGION),
    [EM_REGION_NAME] = MEML("RegionName", "regionName", E_STR),
    [EM_REGION_ENDPOINT] = MEML("Endpoint", "regionEndpoint", E_STR),
    [EM_REGION_OPTIN] = MEML("OptInStatus", "optInStatus", E_STR),
    [EM_DIR_INSTS] = MEML("Things", "thingSet", E_ILIST),
    [EM_ILIST_EL] = MEM("member", E_INST), /* no locationName: EC2 default <item> */
    [EM_INST_ID] = MEML("ThingId", "thingId", E_STR),
    [EM_INST_LAUNCH] = MEML("LaunchTime", "launchTime", E_TS),
    [EM_INST_EBS] = MEML("EbsOptimized", "ebsOptimized", E_BOOL),
    [EM_INST_LAUNCHIDX] = MEML("AmiLaunchIndex", "amiLaunchIndex", E_INT),
};
static const struct model_op ec2_ops[] = {
    {.name = "DescribeRegions", .input = -1, .output = E_DRR, .result_wrapper = NULL},
    {.name = "DescribeThings", .input = -1, .output = E_DIR, .result_wrapper = NULL},
};
static const struct model_service ec2_svc = {
    .id = "ec2",
    .signing_name = "ec2",
    .api_version = "2016-11-15",
    .xmlns = "http://ec2.amazonaws.com/doc/2016-11-15",
    .protocols = PROTO_EC2,
    .shapes = ec2_shapes,
    .nshapes = E_NSHAPES,
    .members = ec2_members,
    .ops = ec2_ops,
    .nops = ARRAY_LEN(ec2_ops),
};

/* ---------------- fixture ---------------- */
#define REQ_ID "8f6a1c2e-0000-4000-8000-000000000001"
/* 2026-11-28T17:50:00.000Z */
#define T0 1795888200000LL

struct fx {
    struct call c;
    struct out out;
    struct response resp;
};

static const struct model_op *find_op(const struct model_service *s, const char *name)
{
    for (uint32_t i = 0; i < s->nops; i++)
        if (strcmp(s->ops[i].name, name) == 0)
            return &s->ops[i];
    return NULL;
}

static struct out *fx_init(struct fx *f, enum proto p, const struct model_service *svc,
                           const char *op)
{
    memset(f, 0, sizeof(*f));
    f->c.a = arena_new();
    f->c.svc = svc;
    f->c.op = find_op(svc, op);
    f->c.op_name = op;
    f->c.proto = p;
    snprintf(f->c.request_id, sizeof(f->c.request_id), "%s", REQ_ID);
    f->c.out = &f->out;
    out_init(f->c.out, p, svc, f->c.op);
    return &f->out;
}

static void fx_respond(struct fx *f)
{
    wire_respond(&f->c, &f->resp);
}

static void fx_free(struct fx *f)
{
    out_free(&f->out);
    buf_free(&f->resp.body);
    arena_free(f->c.a);
}

/* Misuse is logged at error level; keep the test output readable. */
static enum log_level quiet(void)
{
    enum log_level old = log_min_level;
    log_min_level = (enum log_level)(LOG_ERROR + 1);
    return old;
}

static const char *resp_header(const struct response *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (str_ieq(r->headers[i].name, name))
            return r->headers[i].value;
    return NULL;
}

/* Reads tests/golden/wire/<name>. */
static char *golden(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/golden/wire/%s", name);
    *len = 0;
    return harness_read_file(path, len);
}

/* Compares a body with a golden file; WIRE_GOLDEN_WRITE=1 (re)writes it instead. */
#define CHECK_GOLDEN(name, body, blen)                                                             \
    do {                                                                                           \
        if (getenv("WIRE_GOLDEN_WRITE")) {                                                         \
            char _p[256];                                                                          \
            snprintf(_p, sizeof(_p), "tests/golden/wire/%s", name);                                \
            FILE *_fp = fopen(_p, "wb");                                                           \
            CHECK(_fp != NULL);                                                                    \
            if (_fp) {                                                                             \
                fwrite(body, 1, blen, _fp);                                                        \
                fclose(_fp);                                                                       \
            }                                                                                      \
            break;                                                                                 \
        }                                                                                          \
        size_t _gl;                                                                                \
        char *_g = golden(name, &_gl);                                                             \
        CHECK(_g != NULL);                                                                         \
        if (_g) {                                                                                  \
            CHECK_EQ_INT(blen, _gl);                                                               \
            if ((size_t)(blen) == _gl)                                                             \
                CHECK_EQ_MEM(body, _g, _gl);                                                       \
            if (memchr(_g, 0, _gl) == NULL && memchr(body, 0, blen) == NULL)                       \
                CHECK_EQ_STR(body, _g);                                                            \
        }                                                                                          \
        free(_g);                                                                                  \
    } while (0)

/* ---------------- handler-like writers ---------------- */
static void write_list_metrics(struct out *o)
{
    out_begin(o, "Metrics");
    out_begin(o, NULL);
    out_str(o, "Namespace", "AWS/EC2");
    out_str(o, "MetricName", "StatusCheckFailed_System");
    out_begin(o, "Dimensions");
    out_begin(o, NULL);
    out_str(o, "Name", "InstanceId");
    out_str(o, "Value", "i-0abc123def4567890");
    out_end(o);
    out_end(o);
    out_end(o);
    out_begin(o, NULL);
    out_str(o, "Namespace", "Lab & <Test>");
    out_str(o, "MetricName", "Latency");
    out_begin(o, "Dimensions");
    out_end(o);
    out_end(o);
    out_end(o);
    out_str(o, "NextToken", "tok'\"1");
}

static void write_get_metric_statistics(struct out *o)
{
    out_str(o, "Label", "CPUUtilization");
    out_begin(o, "Datapoints");
    out_begin(o, NULL);
    out_time(o, "Timestamp", T0);
    out_double(o, "SampleCount", 5);
    out_double(o, "Average", 0.1);
    out_str(o, "Unit", "Percent");
    out_begin(o, "ExtendedStatistics");
    out_double(o, "p99", 12.5);
    out_end(o);
    out_end(o);
    out_begin(o, NULL);
    out_time(o, "Timestamp", T0 + 60123);
    out_double(o, "SampleCount", 1);
    out_double(o, "Average", 0.1 + 0.2);
    out_str(o, "Unit", "Percent");
    out_end(o);
    out_end(o);
}

static void write_describe_regions(struct out *o)
{
    static const char *const names[] = {"us-east-1", "eu-west-1"};
    out_begin(o, "Regions");
    for (size_t i = 0; i < 2; i++) {
        char ep[64];
        snprintf(ep, sizeof(ep), "ec2.%s.amazonaws.com", names[i]);
        out_begin(o, NULL);
        out_str(o, "RegionName", names[i]);
        out_str(o, "Endpoint", ep);
        out_str(o, "OptInStatus", "opt-in-not-required");
        out_end(o);
    }
    out_end(o);
}

/* ---------------- success envelopes / golden bodies ---------------- */
TEST(wire_out_query_list_metrics_golden)
{
    struct fx f;
    write_list_metrics(fx_init(&f, PROTO_QUERY, &cw_svc, "ListMetrics"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.content_type, "text/xml");
    CHECK_EQ_STR(resp_header(&f.resp, "x-amzn-RequestId"), REQ_ID);
    CHECK_GOLDEN("query_list_metrics.xml", f.resp.body.p, f.resp.body.len);
    fx_free(&f);
}

TEST(wire_out_query_get_metric_statistics_golden)
{
    struct fx f;
    write_get_metric_statistics(fx_init(&f, PROTO_QUERY, &cw_svc, "GetMetricStatistics"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_CONTAINS(f.resp.body.p, "<Timestamp>2026-11-28T17:50:00.000Z</Timestamp>");
    CHECK_CONTAINS(f.resp.body.p, "<Timestamp>2026-11-28T17:51:00.123Z</Timestamp>");
    CHECK_CONTAINS(f.resp.body.p, "<SampleCount>5.0</SampleCount>");
    CHECK_CONTAINS(f.resp.body.p, "<Average>0.30000000000000004</Average>");
    CHECK_CONTAINS(f.resp.body.p, "<ExtendedStatistics><entry><key>p99</key>"
                                  "<value>12.5</value></entry></ExtendedStatistics>");
    CHECK_GOLDEN("query_get_metric_statistics.xml", f.resp.body.p, f.resp.body.len);
    fx_free(&f);
}

TEST(wire_out_json_get_metric_statistics_golden)
{
    struct fx f;
    write_get_metric_statistics(fx_init(&f, PROTO_JSON, &cw_svc, "GetMetricStatistics"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.content_type, "application/x-amz-json-1.0");
    CHECK_EQ_STR(resp_header(&f.resp, "x-amzn-RequestId"), REQ_ID);
    CHECK_EQ_STR(f.resp.body.p,
                 "{\"Label\":\"CPUUtilization\",\"Datapoints\":[{\"Timestamp\":1795888200,"
                 "\"SampleCount\":5.0,\"Average\":0.1,\"Unit\":\"Percent\","
                 "\"ExtendedStatistics\":{\"p99\":12.5}},{\"Timestamp\":1795888260.123,"
                 "\"SampleCount\":1.0,\"Average\":0.30000000000000004,\"Unit\":\"Percent\"}]}");
    CHECK_GOLDEN("json_get_metric_statistics.json", f.resp.body.p, f.resp.body.len);
    json_error_t err;
    json_t *j = json_loadb(f.resp.body.p, f.resp.body.len, JSON_REJECT_DUPLICATES, &err);
    CHECK(j != NULL);
    json_decref(j);
    fx_free(&f);
}

TEST(wire_out_json_list_metrics)
{
    struct fx f;
    write_list_metrics(fx_init(&f, PROTO_JSON, &cw_svc, "ListMetrics"));
    fx_respond(&f);
    CHECK_EQ_STR(f.resp.body.p,
                 "{\"Metrics\":[{\"Namespace\":\"AWS/EC2\",\"MetricName\":"
                 "\"StatusCheckFailed_System\",\"Dimensions\":[{\"Name\":\"InstanceId\","
                 "\"Value\":\"i-0abc123def4567890\"}]},{\"Namespace\":\"Lab & <Test>\","
                 "\"MetricName\":\"Latency\",\"Dimensions\":[]}],\"NextToken\":\"tok'\\\"1\"}");
    fx_free(&f);
}

TEST(wire_out_cbor_get_metric_statistics_golden)
{
    struct fx f;
    write_get_metric_statistics(fx_init(&f, PROTO_CBOR, &cw_svc, "GetMetricStatistics"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.content_type, "application/cbor");
    CHECK_EQ_STR(resp_header(&f.resp, "Smithy-Protocol"), "rpc-v2-cbor");
    CHECK_EQ_STR(resp_header(&f.resp, "x-amzn-RequestId"), REQ_ID);
    CHECK_GOLDEN("cbor_get_metric_statistics.cbor", f.resp.body.p, f.resp.body.len);

    /* libcbor reads it back: a map with Label and a 2-item Datapoints array. */
    struct cbor_load_result r;
    cbor_item_t *it = cbor_load((const unsigned char *)f.resp.body.p, f.resp.body.len, &r);
    CHECK(it != NULL);
    CHECK_EQ_INT(r.error.code, CBOR_ERR_NONE);
    CHECK_EQ_INT(r.read, f.resp.body.len);
    if (it) {
        CHECK(cbor_isa_map(it));
        CHECK_EQ_INT(cbor_map_size(it), 2);
        struct cbor_pair *pairs = cbor_map_handle(it);
        CHECK(cbor_isa_array(pairs[1].value));
        CHECK_EQ_INT(cbor_array_size(pairs[1].value), 2);
        cbor_item_t *dp0 = cbor_array_get(pairs[1].value, 0);
        struct cbor_pair *dp = cbor_map_handle(dp0);
        CHECK(cbor_isa_tag(dp[0].value));
        CHECK_EQ_INT(cbor_tag_value(dp[0].value), 1);
        cbor_item_t *ts = cbor_tag_item(dp[0].value);
        CHECK(cbor_isa_float_ctrl(ts));
        CHECK(cbor_float_get_float8(ts) == 1795888200.0);
        cbor_decref(&ts);
        cbor_decref(&dp0);
        cbor_decref(&it);
    }
    fx_free(&f);
}

TEST(wire_out_ec2_describe_regions_golden)
{
    struct fx f;
    write_describe_regions(fx_init(&f, PROTO_EC2, &ec2_svc, "DescribeRegions"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.content_type, "text/xml;charset=UTF-8");
    CHECK_EQ_STR(resp_header(&f.resp, "x-amzn-RequestId"), REQ_ID);
    CHECK(str_startswith(f.resp.body.p,
                         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeRegionsResponse "
                         "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>" REQ_ID
                         "</requestId><regionInfo><item><regionName>us-east-1</regionName>"));
    CHECK_GOLDEN("ec2_describe_regions.xml", f.resp.body.p, f.resp.body.len);
    fx_free(&f);
}

TEST(wire_out_ec2_default_item_and_scalars)
{
    struct fx f;
    struct out *o = fx_init(&f, PROTO_EC2, &ec2_svc, "DescribeThings");
    out_begin(o, "Things");
    out_begin(o, NULL);
    out_str(o, "ThingId", "i-1");
    out_time(o, "LaunchTime", T0);
    out_bool(o, "EbsOptimized", false);
    out_int(o, "AmiLaunchIndex", 0);
    out_end(o);
    out_end(o);
    fx_respond(&f);
    CHECK_CONTAINS(f.resp.body.p,
                   "<requestId>" REQ_ID "</requestId><thingSet><item><thingId>i-1</thingId>"
                   "<launchTime>2026-11-28T17:50:00.000Z</launchTime><ebsOptimized>false"
                   "</ebsOptimized><amiLaunchIndex>0</amiLaunchIndex></item></thingSet>"
                   "</DescribeThingsResponse>");
    fx_free(&f);
}

TEST(wire_out_empty_outputs)
{
    struct fx f;
    /* Output shape, nothing written: the result element is still there (botocore looks it
     * up by name). */
    fx_init(&f, PROTO_QUERY, &cw_svc, "ListMetrics");
    fx_respond(&f);
    CHECK_EQ_STR(f.resp.body.p,
                 "<ListMetricsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                 "<ListMetricsResult></ListMetricsResult><ResponseMetadata><RequestId>" REQ_ID
                 "</RequestId></ResponseMetadata></ListMetricsResponse>");
    fx_free(&f);

    fx_init(&f, PROTO_QUERY, &cw_svc, "PutMetricData");
    fx_respond(&f);
    CHECK_EQ_STR(f.resp.body.p,
                 "<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                 "<ResponseMetadata><RequestId>" REQ_ID
                 "</RequestId></ResponseMetadata></PutMetricDataResponse>");
    fx_free(&f);

    fx_init(&f, PROTO_JSON, &cw_svc, "PutMetricData");
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.body.p, "{}");
    fx_free(&f);

    fx_init(&f, PROTO_CBOR, &cw_svc, "PutMetricData");
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.body.len, 2);
    CHECK_EQ_MEM(f.resp.body.p, "\xbf\xff", 2);
    fx_free(&f);

    fx_init(&f, PROTO_EC2, &ec2_svc, "DescribeRegions");
    fx_respond(&f);
    CHECK_EQ_STR(f.resp.body.p,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/"
                 "2016-11-15/\"><requestId>" REQ_ID "</requestId></DescribeRegionsResponse>");
    fx_free(&f);
}

/* ---------------- element naming: flattened lists, maps, locationNames ---------------- */
static void write_everything(struct out *o)
{
    out_bool(o, "Flag", true);
    out_int(o, "Count", -42);
    out_int(o, "Big", 9007199254740993LL);
    out_blob(o, "Data", "hi\0there", 8);
    out_time(o, "When", T0 + 5);
    out_time(o, "WhenIso", T0 + 250);
    out_time(o, "WhenEpoch", T0 + 500);
    out_double(o, "Ratio", 1e300);
    out_begin(o, "Names");
    out_str(o, NULL, "a");
    out_str(o, NULL, "b");
    out_end(o);
    out_begin(o, "Items");
    out_str(o, NULL, "x");
    out_end(o);
    out_begin(o, "Attrs");
    out_int(o, "one", 1);
    out_end(o);
    out_begin(o, "Flat");
    out_str(o, "k1", "v1");
    out_str(o, "k2", "v2");
    out_end(o);
    out_begin(o, "Plain");
    out_str(o, NULL, "p");
    out_end(o);
    out_begin(o, "Node");
    out_str(o, "Name", "outer");
    out_begin(o, "Child");
    out_str(o, "Name", "inner");
    out_end(o);
    out_end(o);
    out_str(o, "Renamed", "r");
}

TEST(wire_out_xml_naming)
{
    struct fx f;
    write_everything(fx_init(&f, PROTO_QUERY, &cw_svc, "Everything"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.body.p,
                 "<EverythingResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                 "<EverythingResult>"
                 "<Flag>true</Flag><Count>-42</Count><Big>9007199254740993</Big>"
                 "<Data>aGkAdGhlcmU=</Data>"
                 "<When>2026-11-28T17:50:00.005Z</When>"
                 "<WhenIso>2026-11-28T17:50:00.250Z</WhenIso>"
                 "<WhenEpoch>1795888200.5</WhenEpoch>"
                 "<Ratio>1e+300</Ratio>"
                 "<name>a</name><name>b</name>"
                 "<Items><item>x</item></Items>"
                 "<Attrs><entry><k>one</k><v>1</v></entry></Attrs>"
                 "<Flat><key>k1</key><value>v1</value></Flat>"
                 "<Flat><key>k2</key><value>v2</value></Flat>"
                 "<Plain>p</Plain>"
                 "<Node><Name>outer</Name><Child><Name>inner</Name></Child></Node>"
                 "<renamedThing>r</renamedThing>"
                 "</EverythingResult><ResponseMetadata><RequestId>" REQ_ID
                 "</RequestId></ResponseMetadata></EverythingResponse>");
    fx_free(&f);
}

TEST(wire_out_json_everything)
{
    struct fx f;
    write_everything(fx_init(&f, PROTO_JSON, &cw_svc, "Everything"));
    fx_respond(&f);
    CHECK_EQ_STR(f.resp.body.p,
                 "{\"Flag\":true,\"Count\":-42,\"Big\":9007199254740993,\"Data\":\"aGkAdGhlcmU=\","
                 "\"When\":1795888200.005,\"WhenIso\":\"2026-11-28T17:50:00.250Z\","
                 "\"WhenEpoch\":1795888200.5,\"Ratio\":1e+300,\"Names\":[\"a\",\"b\"],"
                 "\"Items\":[\"x\"],\"Attrs\":{\"one\":1},\"Flat\":{\"k1\":\"v1\",\"k2\":\"v2\"},"
                 "\"Plain\":[\"p\"],\"Node\":{\"Name\":\"outer\",\"Child\":{\"Name\":\"inner\"}},"
                 "\"renamedThing\":\"r\"}");
    json_error_t err;
    json_t *j = json_loadb(f.resp.body.p, f.resp.body.len, JSON_REJECT_DUPLICATES, &err);
    CHECK(j != NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(j, "Big")), 9007199254740993LL);
    json_decref(j);
    fx_free(&f);
}

TEST(wire_out_cbor_scalars)
{
    struct fx f;
    struct out *o = fx_init(&f, PROTO_CBOR, &cw_svc, "Everything");
    out_bool(o, "Flag", true);
    out_int(o, "Count", -42);
    out_int(o, "Big", 1000);
    out_blob(o, "Data", "\x00\x01", 2);
    out_time(o, "When", 1500);
    out_begin(o, "Names");
    out_str(o, NULL, "a");
    out_end(o);
    out_str(o, "Renamed", "r");
    fx_respond(&f);
    static const unsigned char want[] = {
        0xbf, 0x64, 'F', 'l', 'a',  'g',  0xf5,                                  /* Flag: true */
        0x65, 'C',  'o', 'u', 'n',  't',  0x38, 0x29,                            /* Count: -42 */
        0x63, 'B',  'i', 'g', 0x19, 0x03, 0xe8,                                  /* Big: 1000 */
        0x64, 'D',  'a', 't', 'a',  0x42, 0x00, 0x01,                            /* Data: h'0001' */
        0x64, 'W',  'h', 'e', 'n',  0xc1, 0xfb, 0x3f, 0xf8, 0,    0, 0, 0, 0, 0, /* 1(1.5) */
        0x65, 'N',  'a', 'm', 'e',  's',  0x9f, 0x61, 'a',  0xff, /* Names: [_ "a"] */
        0x67, 'R',  'e', 'n', 'a',  'm',  'e',  'd',  0x61, 'r',  /* CBOR key: member name */
        0xff};
    CHECK_EQ_INT(f.resp.body.len, sizeof(want));
    if (f.resp.body.len == sizeof(want))
        CHECK_EQ_MEM(f.resp.body.p, want, sizeof(want));
    fx_free(&f);
}

/* ---------------- scalars and escaping ---------------- */
TEST(wire_out_fmt_double)
{
    char t[40];
    struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},
        {80, "80.0"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1e300, "1e+300"},
        {-2.5, "-2.5"},
        {1.0 / 3, "0.3333333333333333"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {5e-324, "4.94065645841247e-324"},
        {-0.0, "-0.0"},
        {NAN, "NaN"},
        {INFINITY, "Infinity"},
        {-INFINITY, "-Infinity"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        out_fmt_double(cases[i].v, t);
        CHECK_EQ_STR(t, cases[i].want);
        if (isfinite(cases[i].v))
            CHECK(strtod(t, NULL) == cases[i].v);
    }
}

TEST(wire_out_fmt_epoch)
{
    char t[32];
    out_fmt_epoch(T0, t);
    CHECK_EQ_STR(t, "1795888200");
    out_fmt_epoch(T0 + 123, t);
    CHECK_EQ_STR(t, "1795888200.123");
    out_fmt_epoch(T0 + 120, t);
    CHECK_EQ_STR(t, "1795888200.12");
    out_fmt_epoch(T0 + 7, t);
    CHECK_EQ_STR(t, "1795888200.007");
    out_fmt_epoch(-1500, t);
    CHECK_EQ_STR(t, "-1.5");
    out_fmt_epoch(0, t);
    CHECK_EQ_STR(t, "0");
    out_fmt_http_date(T0, t);
    CHECK_EQ_STR(t, "Sat, 28 Nov 2026 17:50:00 GMT");
}

TEST(wire_out_xml_escape)
{
    struct buf b = BUF_INIT;
    out_xml_escape(&b, "a&b<c>d\"e'f\rg\th\ni", 17);
    CHECK_EQ_STR(b.p, "a&amp;b&lt;c&gt;d&quot;e&apos;f&#xD;g\th\ni");
    buf_reset(&b);
    /* C0 controls, invalid UTF-8, U+FFFE become U+FFFD; valid multibyte kept. */
    out_xml_escape(&b, "x\x01y\x00z\xff\xc3\xa9\xef\xbf\xbe\xed\xa0\x80", 14);
    CHECK_EQ_STR(b.p, "x\xEF\xBF\xBDy\xEF\xBF\xBDz\xEF\xBF\xBD\xc3\xa9\xEF\xBF\xBD"
                      "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    buf_reset(&b);
    out_xml_escape(&b, "", 0);
    CHECK(b.p != NULL);
    CHECK_EQ_STR(b.p, "");
    buf_free(&b);
}

TEST(wire_out_json_string_escape)
{
    struct buf b = BUF_INIT;
    out_json_string(&b, "q\"b\\s/\n\r\t\b\f\x01\x1f\x7f\xc3\xa9\xff", 17);
    CHECK_EQ_STR(b.p, "\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\xc3\xa9\xEF\xBF\xBD\"");
    buf_reset(&b);
    out_json_string(&b, "a\0b", 3);
    CHECK_EQ_STR(b.p, "\"a\\u0000b\"");
    buf_free(&b);
}

TEST(wire_out_string_values_escaped_per_protocol)
{
    struct fx f;
    struct out *o = fx_init(&f, PROTO_QUERY, &cw_svc, "ListMetrics");
    out_str(o, "NextToken", "<a href='x'>&\r");
    fx_respond(&f);
    CHECK_CONTAINS(f.resp.body.p, "<NextToken>&lt;a href=&apos;x&apos;&gt;&amp;&#xD;</NextToken>");
    fx_free(&f);

    o = fx_init(&f, PROTO_CBOR, &cw_svc, "ListMetrics");
    out_strn(o, "NextToken", "a\xff", 2);
    fx_respond(&f);
    /* text(4) "a" U+FFFD */
    static const unsigned char want[] = {0xbf, 0x69, 'N',  'e', 'x',  't',  'T',  'o', 'k',
                                         'e',  'n',  0x64, 'a', 0xef, 0xbf, 0xbd, 0xff};
    CHECK_EQ_INT(f.resp.body.len, sizeof(want));
    if (f.resp.body.len == sizeof(want))
        CHECK_EQ_MEM(f.resp.body.p, want, sizeof(want));
    fx_free(&f);
}

TEST(wire_out_null_string_is_absent)
{
    struct fx f;
    struct out *o = fx_init(&f, PROTO_JSON, &cw_svc, "ListMetrics");
    out_str(o, "NextToken", NULL);
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.body.p, "{}");
    fx_free(&f);
}

TEST(wire_out_int_into_double_member)
{
    struct fx f;
    struct out *o = fx_init(&f, PROTO_JSON, &cw_svc, "Everything");
    out_int(o, "Ratio", 3);
    fx_respond(&f);
    CHECK_EQ_STR(f.resp.body.p, "{\"Ratio\":3.0}");
    fx_free(&f);
}

/* ---------------- out_json ---------------- */
TEST(wire_out_json_guided)
{
    json_error_t err;
    json_t *v = json_loads("{\"Label\":\"L\",\"Datapoints\":[{\"Timestamp\":1795888200123,"
                           "\"SampleCount\":3,\"Average\":1.5,\"ExtendedStatistics\":"
                           "{\"p50\":2}},{\"Timestamp\":\"2026-11-28T17:50:00Z\"}]}",
                           0, &err);
    CHECK(v != NULL);
    struct fx f;
    struct out *o = fx_init(&f, PROTO_QUERY, &cw_svc, "GetMetricStatistics");
    out_json(o, "Label", json_object_get(v, "Label"));
    out_json(o, "Datapoints", json_object_get(v, "Datapoints"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_CONTAINS(f.resp.body.p,
                   "<GetMetricStatisticsResult><Label>L</Label><Datapoints><member>"
                   "<Timestamp>2026-11-28T17:50:00.123Z</Timestamp><SampleCount>3.0</SampleCount>"
                   "<Average>1.5</Average><ExtendedStatistics><entry><key>p50</key><value>2.0"
                   "</value></entry></ExtendedStatistics></member><member><Timestamp>"
                   "2026-11-28T17:50:00.000Z</Timestamp></member></Datapoints>"
                   "</GetMetricStatisticsResult>");
    fx_free(&f);

    /* NULL member in a structure: the object's keys are members of the current one. */
    o = fx_init(&f, PROTO_JSON, &cw_svc, "GetMetricStatistics");
    out_json(o, NULL, v);
    fx_respond(&f);
    CHECK_EQ_STR(f.resp.body.p,
                 "{\"Label\":\"L\",\"Datapoints\":[{\"Timestamp\":1795888200.123,"
                 "\"SampleCount\":3.0,\"Average\":1.5,\"ExtendedStatistics\":{\"p50\":2.0}},"
                 "{\"Timestamp\":1795888200}]}");
    fx_free(&f);
    json_decref(v);
}

TEST(wire_out_json_mismatch_is_misuse)
{
    enum log_level saved = quiet();
    json_t *v = json_pack("{s:i}", "Datapoints", 3); /* a number where a list belongs */
    struct fx f;
    struct out *o = fx_init(&f, PROTO_JSON, &cw_svc, "GetMetricStatistics");
    out_json(o, NULL, v);
    CHECK(o->error != NULL);
    CHECK_CONTAINS(o->error, "Datapoints");
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 500);
    CHECK_CONTAINS(f.resp.body.p, "InternalFailure");
    fx_free(&f);
    json_decref(v);
    log_min_level = saved;
}

/* ---------------- misuse: always a 500, never a crash ---------------- */

TEST(wire_out_misuse_cases)
{
    enum log_level saved = quiet();
    static const enum proto protos[] = {PROTO_QUERY, PROTO_JSON, PROTO_CBOR};
    for (size_t p = 0; p < ARRAY_LEN(protos); p++) {
        for (int k = 0; k < 11; k++) {
            struct fx f;
            struct out *o =
                fx_init(&f, protos[p], &cw_svc, k == 8 ? "PutMetricData" : "ListMetrics");
            switch (k) {
            case 0: /* unknown member */
                out_str(o, "NoSuchMember", "x");
                break;
            case 1: /* scalar where a list is */
                out_str(o, "Metrics", "x");
                break;
            case 2: /* begin on a scalar */
                out_begin(o, "NextToken");
                break;
            case 3: /* NULL member in a structure */
                out_str(o, NULL, "x");
                break;
            case 4: /* a name inside a list */
                out_begin(o, "Metrics");
                out_begin(o, "Metric");
                break;
            case 5: /* end without begin */
                out_end(o);
                break;
            case 6: /* begin without end */
                out_begin(o, "Metrics");
                break;
            case 7: /* wrong scalar type */
                out_int(o, "NextToken", 3);
                break;
            case 8: /* op without output */
                out_str(o, "Anything", "x");
                break;
            case 9: /* a timestamp into a string member, deep down */
                out_begin(o, "Metrics");
                out_begin(o, NULL);
                out_begin(o, "Dimensions");
                out_begin(o, NULL);
                out_time(o, "Name", 0);
                break;
            case 10: /* a structure written as a list item of the wrong kind */
                out_begin(o, "Metrics");
                out_str(o, NULL, "x");
                out_end(o);
                break;
            }
            if (k == 6) {
                CHECK(o->error == NULL); /* only known when the response is rendered */
            } else {
                CHECK(o->error != NULL);
                /* later writes are ignored, the first error is kept */
                const char *first = o->error;
                out_str(o, "NextToken", "later");
                out_end(o);
                CHECK(o->error == first);
            }
            fx_respond(&f);
            CHECK(o->error != NULL);
            CHECK_EQ_INT(f.resp.status, 500);
            if (protos[p] == PROTO_QUERY) {
                CHECK_CONTAINS(f.resp.body.p, "<Type>Receiver</Type><Code>InternalFailure</Code>");
                CHECK(strstr(f.resp.body.p, "later") == NULL);
            } else if (protos[p] == PROTO_JSON) {
                CHECK_CONTAINS(f.resp.body.p, "com.amazon.coral.service#InternalFailure");
                CHECK_EQ_STR(resp_header(&f.resp, "x-amzn-query-error"),
                             "InternalFailure;Receiver");
            } else {
                CHECK_EQ_STR(f.resp.content_type, "application/cbor");
            }
            fx_free(&f);
        }
    }
    log_min_level = saved;
}

TEST(wire_out_map_needs_keys)
{
    enum log_level saved = quiet();
    struct fx f;
    struct out *o = fx_init(&f, PROTO_QUERY, &cw_svc, "Everything");
    out_begin(o, "Attrs");
    out_int(o, NULL, 1);
    CHECK(o->error != NULL);
    CHECK_CONTAINS(o->error, "NULL key");
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 500);
    fx_free(&f);
    log_min_level = saved;
}

TEST(wire_out_depth_limit)
{
    enum log_level saved = quiet();
    struct fx f;
    struct out *o = fx_init(&f, PROTO_JSON, &cw_svc, "Everything");
    out_begin(o, "Node");
    for (int i = 0; i < 40; i++)
        out_begin(o, "Child");
    CHECK(o->error != NULL);
    CHECK_CONTAINS(o->error, "nesting");
    CHECK(o->depth < OUT_MAX_DEPTH);
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 500);
    fx_free(&f);
    log_min_level = saved;
}

TEST(wire_out_never_initialised)
{
    /* wire_respond on a call whose writer was never set up (out zeroed) still answers. */
    struct fx f;
    memset(&f, 0, sizeof(f));
    f.c.a = arena_new();
    f.c.svc = &cw_svc;
    f.c.op = find_op(&cw_svc, "PutMetricData");
    f.c.proto = PROTO_JSON;
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.body.p, "{}");
    CHECK_EQ_INT(strlen(resp_header(&f.resp, "x-amzn-RequestId")), 36);
    fx_free(&f);
}

/* ---------------- the generated models (src/wire/models/) ---------------- */
static struct out *fx_init_real(struct fx *f, enum proto p, const char *svc, const char *op)
{
    const struct model_service *s = model_service_by_id(svc);
    CHECK(s != NULL);
    struct out *o = fx_init(f, p, s ? s : &cw_svc, op);
    f->c.op = s ? model_op_find(s, op) : NULL;
    CHECK(f->c.op != NULL);
    out_free(o);
    out_init(o, p, f->c.svc, f->c.op);
    return o;
}

/* The real tables render exactly the golden bodies the hand-built ones do. */
TEST(wire_out_real_cloudwatch_models)
{
    struct fx f;
    write_list_metrics(fx_init_real(&f, PROTO_QUERY, "cloudwatch", "ListMetrics"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_GOLDEN("query_list_metrics.xml", f.resp.body.p, f.resp.body.len);
    fx_free(&f);

    static const struct {
        enum proto p;
        const char *golden;
    } gms[] = {{PROTO_QUERY, "query_get_metric_statistics.xml"},
               {PROTO_JSON, "json_get_metric_statistics.json"},
               {PROTO_CBOR, "cbor_get_metric_statistics.cbor"}};
    for (size_t i = 0; i < ARRAY_LEN(gms); i++) {
        write_get_metric_statistics(
            fx_init_real(&f, gms[i].p, "cloudwatch", "GetMetricStatistics"));
        fx_respond(&f);
        CHECK_EQ_INT(f.resp.status, 200);
        CHECK_GOLDEN(gms[i].golden, f.resp.body.p, f.resp.body.len);
        fx_free(&f);
    }

    fx_init_real(&f, PROTO_CBOR, "cloudwatch", "PutMetricData");
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_INT(f.resp.body.len, 2);
    fx_free(&f);
}

TEST(wire_out_real_ec2_describe_regions)
{
    struct fx f;
    write_describe_regions(fx_init_real(&f, PROTO_EC2, "ec2", "DescribeRegions"));
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_GOLDEN("ec2_describe_regions.xml", f.resp.body.p, f.resp.body.len);
    fx_free(&f);
}

TEST(wire_out_real_sts_get_caller_identity)
{
    struct fx f;
    struct out *o = fx_init_real(&f, PROTO_QUERY, "sts", "GetCallerIdentity");
    out_str(o, "UserId", "123456789012");
    out_str(o, "Account", "123456789012");
    out_str(o, "Arn", "arn:aws:iam::123456789012:root");
    fx_respond(&f);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_EQ_STR(f.resp.body.p,
                 "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                 "<GetCallerIdentityResult><UserId>123456789012</UserId><Account>123456789012"
                 "</Account><Arn>arn:aws:iam::123456789012:root</Arn></GetCallerIdentityResult>"
                 "<ResponseMetadata><RequestId>" REQ_ID "</RequestId></ResponseMetadata>"
                 "</GetCallerIdentityResponse>");
    CHECK_GOLDEN("query_sts_get_caller_identity.xml", f.resp.body.p, f.resp.body.len);
    fx_free(&f);
}
