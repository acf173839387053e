/* wire_model_test.c — the generated model tables (tools/gen_models.py) and model.c lookups. */
#include <string.h>

#include "harness.h"
#include "wire/decode_internal.h"
#include "wire/model.h"
#include "wire/models/cloudwatch_members.h"
#include "wire/models/ec2_members.h"

static const struct model_member *member(const struct model_service *s, const char *shape,
                                         const char *name)
{
    return model_member_find(s, model_shape_find(s, shape), name);
}

TEST(wire_model_cloudwatch_metadata)
{
    const struct model_service *cw = model_service_by_id("cloudwatch");
    CHECK(cw != NULL);
    if (!cw)
        return;
    CHECK_EQ_INT(cw->protocols, PROTO_QUERY | PROTO_JSON | PROTO_CBOR);
    CHECK(cw->query_compatible);
    CHECK_EQ_STR(cw->signing_name, "monitoring");
    CHECK_EQ_STR(cw->api_version, "2010-08-01");
    CHECK_EQ_STR(cw->target_prefix, "GraniteServiceVersion20100801");
    CHECK_EQ_STR(cw->json_version, "1.0");
    CHECK_EQ_STR(cw->xmlns, "http://monitoring.amazonaws.com/doc/2010-08-01/");
    CHECK_EQ_STR(cw->smithy_ns, "com.amazonaws.cloudwatch.v2010_08_01");
    CHECK(cw->model_version && cw->model_version[0] >= '1' && cw->model_version[0] <= '9');
    CHECK(model_service_by_signing_name("monitoring") == cw);
    CHECK(model_service_by_target_prefix("GraniteServiceVersion20100801", 29) == cw);
    CHECK(model_service_by_target_prefix("GraniteServiceVersion2010080", 28) == NULL);
}

TEST(wire_model_put_metric_data_shapes)
{
    const struct model_service *cw = model_service_by_id("cloudwatch");
    const struct model_op *op = model_op_find(cw, "PutMetricData");
    CHECK(op != NULL);
    if (!op)
        return;
    CHECK(op->input >= 0);
    CHECK_EQ_INT(op->output, -1);
    const struct model_shape *in = model_shape(cw, (uint32_t)op->input);
    CHECK_EQ_STR(in->name, "PutMetricDataInput");
    CHECK_EQ_INT(in->type, SH_STRUCTURE);
    const struct model_member *md = model_member_find(cw, in, "MetricData");
    CHECK(md != NULL);
    if (!md)
        return;
    const struct model_shape *list = wire_mshape(cw, md);
    CHECK_EQ_INT(list->type, SH_LIST);
    CHECK_EQ_INT(list->count, 1);
    CHECK_EQ_STR(wire_mshape(cw, &cw->members[list->first])->name, "MetricDatum");
    const struct model_member *ns = model_member_find(cw, in, "Namespace");
    CHECK(ns && (ns->flags & MBF_REQUIRED));
    CHECK(!(md->flags & MBF_REQUIRED));
    /* constraints and enums */
    const struct model_shape *nss = model_shape_find(cw, "Namespace");
    CHECK(nss && (nss->flags & SHF_HAS_MIN) && (nss->flags & SHF_HAS_MAX));
    CHECK_EQ_INT(nss->min, 1);
    CHECK_EQ_INT(nss->max, 255);
    const struct model_shape *unit = model_shape_find(cw, "StandardUnit");
    CHECK(unit != NULL);
    if (unit) {
        CHECK_EQ_INT(unit->nenum, 27);
        CHECK_EQ_STR(cw->enums[unit->enum_first], "Seconds");
        CHECK_EQ_STR(cw->enums[unit->enum_first + unit->nenum - 1], "None");
    }
    CHECK_EQ_INT(wire_mshape(cw, member(cw, "MetricDatum", "Timestamp"))->type, SH_TIMESTAMP);
    CHECK_EQ_INT(wire_mshape(cw, member(cw, "MetricDatum", "Value"))->type, SH_DOUBLE);
    /* modeled errors, with the query-era synthetic ones */
    bool missing = false;
    for (uint32_t i = 0; i < op->nerrors; i++) {
        const struct model_shape *e = model_shape(cw, op->errors[i]);
        CHECK(e->flags & SHF_ERROR);
        if (strcmp(e->error_code, "MissingParameter") == 0) {
            missing = true;
            CHECK_EQ_INT(e->error_status, 400);
            CHECK(e->flags & SHF_SENDER_FAULT);
        }
    }
    CHECK(missing);
    const struct model_op *gms = model_op_find(cw, "GetMetricStatistics");
    CHECK(gms && gms->result_wrapper &&
          strcmp(gms->result_wrapper, "GetMetricStatisticsResult") == 0);
}

TEST(wire_model_ec2_describe_regions)
{
    const struct model_service *ec2 = model_service_by_id("ec2");
    CHECK(ec2 && ec2->protocols == PROTO_EC2);
    const struct model_op *op = model_op_find(ec2, "DescribeRegions");
    CHECK(op != NULL);
    if (!op)
        return;
    const struct model_shape *in = model_shape(ec2, (uint32_t)op->input);
    const struct model_member *rn = model_member_find(ec2, in, "RegionNames");
    CHECK(rn != NULL);
    if (!rn)
        return;
    /* botocore 1.43 models it as locationName RegionName (no queryName); either way the
     * EC2 query key is RegionName */
    CHECK_EQ_STR(rn->query_name ? rn->query_name : rn->location_name, "RegionName");
    char buf[64];
    CHECK_EQ_STR(wire_query_member_key(ec2, rn, true, buf, sizeof(buf)), "RegionName");
    CHECK_EQ_STR(
        wire_query_member_key(ec2, model_member_find(ec2, in, "Filters"), true, buf, sizeof(buf)),
        "Filter");
    /* locationName dryRun is capitalised on input */
    CHECK_EQ_STR(
        wire_query_member_key(ec2, model_member_find(ec2, in, "DryRun"), true, buf, sizeof(buf)),
        "DryRun");
    const struct model_shape *vl = model_shape_find(ec2, "ValueStringList");
    CHECK(vl && vl->type == SH_LIST);
    if (vl)
        CHECK_EQ_STR(ec2->members[vl->first].location_name, "item");
    CHECK_EQ_STR(model_op_find(ec2, "DescribeRegions")->result_wrapper ? "x" : "none", "none");
}

TEST(wire_model_lookups_and_order)
{
    const struct model_service *cw = model_service_by_id("cloudwatch");
    CHECK(model_op_exists(cw, "PutDashboard"));
    CHECK(model_op_find(cw, "PutDashboard") == NULL); /* modeled, not served (yet) */
    CHECK(!model_op_exists(cw, "PutDashboards"));
    CHECK(model_op_find(cw, "ListMetrics") != NULL);
    CHECK(model_op_find(NULL, "ListMetrics") == NULL);
    CHECK(model_shape_find(cw, "NoSuchShape") == NULL);
    const char *ids[] = {"cloudformation", "cloudtrail", "cloudwatch", "ec2", "iam", "sns", "ssm", "sts"};
    size_t n = 0;
    for (; model_services[n]; n++)
        CHECK_EQ_STR(model_services[n]->id, n < 8 ? ids[n] : "?");
    CHECK_EQ_INT(n, 8);
    for (size_t i = 0; model_services[i]; i++) {
        const struct model_service *s = model_services[i];
        CHECK(s->nall_ops > 0);
        for (uint32_t j = 1; j < s->nall_ops; j++)
            CHECK(strcmp(s->all_ops[j - 1], s->all_ops[j]) < 0);
        for (uint32_t j = 1; j < s->nops; j++)
            CHECK(strcmp(s->ops[j - 1].name, s->ops[j].name) < 0);
        for (uint32_t j = 1; j < s->nshapes; j++)
            CHECK(strcmp(s->shapes[j - 1].name, s->shapes[j].name) < 0);
        for (uint32_t j = 0; j < s->nops; j++)
            CHECK(model_op_exists(s, s->ops[j].name));
    }
    const struct model_service *ct = model_service_by_id("cloudtrail");
    CHECK(ct && ct->protocols == PROTO_JSON && ct->nops == 1); /* LookupEvents (issue 7) */
    CHECK(model_op_find(ct, "LookupEvents") != NULL);
    CHECK_EQ_STR(ct->json_version, "1.1");
    CHECK(model_service_by_signing_name("sts") == model_service_by_id("sts"));
    CHECK_EQ_INT(model_service_by_id("sts")->protocols, PROTO_QUERY);
}

/* The generated member constants (<id>_members.h) name the table's members, in its order. */
TEST(wire_model_member_constants)
{
    const struct model_service *cw = model_service_by_id("cloudwatch");
    const struct model_shape *put = model_shape_find(cw, "PutMetricAlarmInput");
    static const char *const members[] = {CW_MEMBERS_PutMetricAlarmInput};
    CHECK(put != NULL);
    if (!put)
        return;
    CHECK_EQ_INT(sizeof(members) / sizeof(members[0]), put->count);
    for (uint32_t i = 0; i < put->count && i < sizeof(members) / sizeof(members[0]); i++)
        CHECK_EQ_STR(members[i], cw->members[put->first + i].name);
    CHECK_EQ_STR(CW_M_PutMetricAlarmInput_AlarmName, "AlarmName");
    CHECK_EQ_STR(CW_M_Dimension_Value, "Value");
    CHECK_EQ_STR(CW_IN_AlarmNames, "AlarmNames");
    const struct model_service *ec2 = model_service_by_id("ec2");
    CHECK(member(ec2, "Filter", EC2_M_Filter_Values) != NULL);
    CHECK(member(ec2, "RunInstancesRequest", EC2_M_RunInstancesRequest_IamInstanceProfile));
    CHECK(member(ec2, "DescribeInstancesRequest", EC2_IN_DryRun) != NULL);
}
