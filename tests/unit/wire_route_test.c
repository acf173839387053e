/* wire_route_test.c — wire_route(): service, protocol and operation from a request. */
#include <string.h>

#include "harness.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

struct rt {
    struct request rq;
    struct header h[8];
    struct call c;
};

static void rt_init(struct rt *t, const char *method, const char *path, const char *query,
                    const char *body)
{
    memset(t, 0, sizeof(*t));
    t->rq.arena = arena_new();
    t->rq.method = method;
    t->rq.path = path;
    t->rq.query = query ? query : "";
    t->rq.headers = t->h;
    t->rq.body = body ? body : "";
    t->rq.body_len = body ? strlen(body) : 0;
    t->c.a = t->rq.arena;
    t->c.rq = &t->rq;
}

static void rt_header(struct rt *t, const char *name, const char *value)
{
    t->h[t->rq.nheaders].name = name;
    t->h[t->rq.nheaders].value = value;
    t->rq.nheaders++;
}

static void rt_free(struct rt *t)
{
    arena_free(t->rq.arena);
}

#define FORM "application/x-www-form-urlencoded; charset=utf-8"

TEST(wire_route_query_by_scope)
{
    struct rt t;
    rt_init(&t, "POST", "/", "", "Action=PutMetricData&Version=2010-08-01&Namespace=A");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), 0);
    CHECK_EQ_STR(t.c.svc ? t.c.svc->id : NULL, "cloudwatch");
    CHECK_EQ_INT(t.c.proto, PROTO_QUERY);
    CHECK_EQ_STR(t.c.op_name, "PutMetricData");
    CHECK(t.c.op && strcmp(t.c.op->name, "PutMetricData") == 0);
    CHECK(!t.c.query_mode);
    CHECK_EQ_INT(t.c.err.status, 0);
    /* the parsed pairs are kept for the decoder */
    CHECK(t.c.form != NULL);
    if (t.c.form)
        CHECK_EQ_INT(t.c.form->n, 3);
    rt_free(&t);
}

TEST(wire_route_query_by_version_and_get)
{
    struct rt t;
    rt_init(&t, "POST", "/", "", "Version=2010-08-01&Action=ListMetrics");
    rt_header(&t, "content-type", "application/x-www-form-urlencoded");
    CHECK_EQ_INT(wire_route(&t.c, NULL), 0);
    CHECK_EQ_STR(t.c.svc ? t.c.svc->id : NULL, "cloudwatch");
    CHECK_EQ_STR(t.c.op_name, "ListMetrics");
    rt_free(&t);

    rt_init(&t, "GET", "/", "Action=GetCallerIdentity&Version=2011-06-15", NULL);
    CHECK_EQ_INT(wire_route(&t.c, "sts"), 0);
    CHECK_EQ_STR(t.c.svc ? t.c.svc->id : NULL, "sts");
    CHECK_EQ_INT(t.c.proto, PROTO_QUERY);
    CHECK(t.c.op != NULL);
    rt_free(&t);
}

TEST(wire_route_ec2)
{
    struct rt t;
    rt_init(&t, "POST", "/", "", "Action=DescribeRegions&Version=2016-11-15&RegionName.1=x");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "ec2"), 0);
    CHECK_EQ_STR(t.c.svc ? t.c.svc->id : NULL, "ec2");
    CHECK_EQ_INT(t.c.proto, PROTO_EC2);
    CHECK(t.c.op && strcmp(t.c.op->name, "DescribeRegions") == 0);
    rt_free(&t);

    /* a CloudWatch action sent to EC2 */
    rt_init(&t, "POST", "/", "", "Action=PutMetricData&Version=2016-11-15");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "ec2"), -1);
    CHECK_EQ_INT(t.c.err.status, 400);
    CHECK_EQ_STR(t.c.err.code, "InvalidAction");
    CHECK_EQ_STR(t.c.err.message, "The action PutMetricData is not valid for this web service.");
    CHECK_EQ_INT(t.c.proto, PROTO_EC2);
    rt_free(&t);
}

TEST(wire_route_json)
{
    struct rt t;
    rt_init(&t, "POST", "/", "", "{}");
    rt_header(&t, "X-Amz-Target", "GraniteServiceVersion20100801.ListMetrics");
    rt_header(&t, "Content-Type", "application/x-amz-json-1.0");
    rt_header(&t, "x-amzn-query-mode", "true");
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), 0);
    CHECK_EQ_INT(t.c.proto, PROTO_JSON);
    CHECK(t.c.query_mode);
    CHECK(t.c.op && strcmp(t.c.op->name, "ListMetrics") == 0);
    CHECK(t.c.form == NULL); /* no form parsing for JSON */
    rt_free(&t);

    /* no scope: the target prefix names the service */
    rt_init(&t, "POST", "/", "", "{}");
    rt_header(&t, "X-Amz-Target", "GraniteServiceVersion20100801.GetMetricStatistics");
    CHECK_EQ_INT(wire_route(&t.c, NULL), 0);
    CHECK_EQ_STR(t.c.svc ? t.c.svc->id : NULL, "cloudwatch");
    CHECK(!t.c.query_mode);
    rt_free(&t);
}

TEST(wire_route_json_unknown_operation)
{
    struct rt t;
    rt_init(&t, "POST", "/", "", "{}");
    rt_header(&t, "X-Amz-Target", "GraniteServiceVersion20100801.PutDashboard"); /* unserved */
    rt_header(&t, "Content-Type", "application/x-amz-json-1.0");
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), -1);
    CHECK_EQ_INT(t.c.err.status, 400);
    CHECK_EQ_STR(t.c.err.code, "UnknownOperationException");
    CHECK(t.c.err.message == NULL);
    CHECK_EQ_INT(t.c.proto, PROTO_JSON);
    CHECK_EQ_STR(t.c.op_name, "PutDashboard");
    CHECK(t.c.svc && strcmp(t.c.svc->id, "cloudwatch") == 0);
    rt_free(&t);

    /* a target prefix of a service that is not the signed-for one */
    rt_init(&t, "POST", "/", "", "{}");
    rt_header(&t, "X-Amz-Target", "GraniteServiceVersion20100801.ListMetrics");
    CHECK_EQ_INT(wire_route(&t.c, "sts"), -1);
    CHECK_EQ_STR(t.c.err.code, "UnknownOperationException");
    rt_free(&t);

    /* no dot at all */
    rt_init(&t, "POST", "/", "", "{}");
    rt_header(&t, "X-Amz-Target", "ListMetrics");
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), -1);
    CHECK_EQ_STR(t.c.err.code, "UnknownOperationException");
    rt_free(&t);
}

TEST(wire_route_cbor)
{
    struct rt t;
    rt_init(&t, "POST", "/service/GraniteServiceVersion20100801/operation/PutMetricData", "",
            "\xa0");
    rt_header(&t, "smithy-protocol", "rpc-v2-cbor");
    rt_header(&t, "Content-Type", "application/cbor");
    rt_header(&t, "X-Amzn-Query-Mode", "TRUE");
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), 0);
    CHECK_EQ_INT(t.c.proto, PROTO_CBOR);
    CHECK(t.c.query_mode);
    CHECK(t.c.op && strcmp(t.c.op->name, "PutMetricData") == 0);
    rt_free(&t);

    rt_init(&t, "POST", "/service/GraniteServiceVersion20100801/operation/GetDashboard", "",
            "\xa0");
    rt_header(&t, "smithy-protocol", "rpc-v2-cbor");
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), -1);
    CHECK_EQ_INT(t.c.err.status, 400);
    CHECK_EQ_STR(t.c.err.code, "UnknownOperationException");
    CHECK_EQ_INT(t.c.proto, PROTO_CBOR);
    rt_free(&t);

    /* EC2 does not speak CBOR */
    rt_init(&t, "POST", "/service/GraniteServiceVersion20100801/operation/PutMetricData", "",
            "\xa0");
    CHECK_EQ_INT(wire_route(&t.c, "ec2"), -1);
    CHECK_EQ_STR(t.c.err.code, "UnknownOperationException");
    rt_free(&t);

    /* smithy-protocol on a path that is not an operation */
    rt_init(&t, "POST", "/service/GraniteServiceVersion20100801", "", "\xa0");
    rt_header(&t, "smithy-protocol", "rpc-v2-cbor");
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), -1);
    CHECK_EQ_STR(t.c.err.code, "UnknownOperationException");
    rt_free(&t);
}

TEST(wire_route_query_errors)
{
    struct rt t;
    rt_init(&t, "POST", "/", "", "Action=Bogus&Version=2010-08-01");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), -1);
    CHECK_EQ_INT(t.c.err.status, 400);
    CHECK_EQ_STR(t.c.err.code, "InvalidAction");
    CHECK_EQ_STR(t.c.err.message, "The action Bogus is not valid for this web service.");
    CHECK_EQ_INT(t.c.proto, PROTO_QUERY);
    CHECK(t.c.svc && strcmp(t.c.svc->id, "cloudwatch") == 0);
    rt_free(&t);

    /* modeled but not served: the same error, never a 500 */
    rt_init(&t, "POST", "/", "", "Action=PutDashboard&Version=2010-08-01");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), -1);
    CHECK_EQ_STR(t.c.err.code, "InvalidAction");
    CHECK_EQ_STR(t.c.err.message, "The action PutDashboard is not valid for this web service.");
    rt_free(&t);

    rt_init(&t, "POST", "/", "", "Version=2010-08-01&Namespace=x");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), -1);
    CHECK_EQ_STR(t.c.err.code, "MissingAction");
    CHECK_EQ_INT(t.c.err.status, 400);
    rt_free(&t);

    /* a scope we do not model */
    rt_init(&t, "POST", "/", "", "Action=ListBuckets");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "s3"), -1);
    CHECK_EQ_STR(t.c.err.code, "InvalidAction");
    CHECK(t.c.svc == NULL);
    rt_free(&t);

    /* a form request to a JSON-only service */
    rt_init(&t, "POST", "/", "", "Action=DescribeTrails");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "cloudtrail"), -1);
    CHECK_EQ_STR(t.c.err.code, "UnknownOperationException");
    CHECK_EQ_INT(t.c.proto, PROTO_JSON);
    rt_free(&t);
}

TEST(wire_route_form_pairs_raw_and_decoded)
{
    struct rt t;
    rt_init(&t, "POST", "/", "Action=ListMetrics", "Namespace=App%2FTest&Version=2010-08-01&x");
    rt_header(&t, "Content-Type", FORM);
    CHECK_EQ_INT(wire_route(&t.c, "monitoring"), 0);
    struct wire_form *f = t.c.form;
    CHECK(f != NULL);
    if (f && f->n == 4) {
        CHECK_EQ_STR(f->pairs[0].key, "Action"); /* URL query first */
        CHECK_EQ_STR(f->pairs[1].val, "App/Test");
        CHECK_EQ_INT(f->pairs[1].raw_vlen, 10);
        CHECK(memcmp(f->pairs[1].raw_val, "App%2FTest", 10) == 0);
        CHECK(!f->pairs[3].has_eq);
        CHECK_EQ_STR(f->version, "2010-08-01");
        CHECK(f->body_is_form);
    } else {
        CHECK_EQ_INT(f ? f->n : 0, 4);
    }
    rt_free(&t);
}
