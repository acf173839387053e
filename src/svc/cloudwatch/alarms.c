/*
 * alarms.c — CloudWatch metric alarms: the API PutMetricAlarm, DeleteAlarms,
 * Enable/DisableAlarmActions, SetAlarmState and helpers the alarm API files share. Storage
 * is in alarm_store.c, input checks in alarm_validate.c, DescribeAlarms* in
 * alarm_describe.c.
 *
 * Sources of the error texts: aws-behaviour.md §1–§2. Tags: [obs] seen in real AWS answers
 * (user transcripts), [doc] API reference, [model] botocore; "inferred" where no AWS text
 * was found (then following AWS's templates "X must not be null", "The value V for
 * parameter P is invalid.").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/cloudwatch/alarm_api.h"
#include "svc/cloudwatch/cw.h"
#include "svc/iam/iam.h"
#include "svc/svc.h"
#include "svc/cloudwatch/ops.h"
#include "wire/models/cloudwatch_members.h"
#include "wire/models/iam_members.h"

/* ================================================================ helpers */

char *cwa_alarm_arn(struct arena *a, const char *region, const char *account, const char *name)
{
    return arena_printf(a, "arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, name);
}

const char *cwa_str(const json_t *in, const char *key)
{
    return json_string_value(json_object_get(in, key));
}

void cwa_alarm_types(const json_t *types, bool *metric, bool *composite)
{
    *metric = true;
    *composite = false;
    if (!json_array_size(types))
        return;
    *metric = *composite = false;
    size_t i;
    const json_t *e;
    json_array_foreach(types, i, e)
    {
        *metric = *metric || str_eq(json_string_value(e), "MetricAlarm");
        *composite = *composite || str_eq(json_string_value(e), "CompositeAlarm");
    }
}

void cwa_alarm_new(struct call *c, const char *name, bool composite, struct cw_alarm *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->account, sizeof(a->account), "%s", c->account);
    snprintf(a->region, sizeof(a->region), "%s", c->region);
    snprintf(a->name, sizeof(a->name), "%s", name);
    snprintf(a->arn, sizeof(a->arn), "%s", cwa_alarm_arn(c->a, c->region, c->account, name));
    a->composite = composite;
    a->creator = c->who;
    snprintf(a->creator_key, sizeof(a->creator_key), "%s", c->who.access_key_id);
}

int cwa_alarm_put(struct call *c, const struct cw_alarm *a, bool update, const json_t *tags)
{
    if (cw_alarm_save(c->st, a) ||
        cwa_history_config(c->st, a, update ? "Update" : "Create", c->now_ms))
        return cw_internal(c);
    if (!update && cwa_tags_on_create(c, a->arn, tags))
        return -1;
    cw_alarm_schedule(c->st, c->now_ms);
    return 0;
}

/* MetricAlarm / CompositeAlarm members in AWS's order: the model's [model + snap, §2.6]. */
static const char *const metric_order[] = {CW_MEMBERS_MetricAlarm};
static const char *const composite_order[] = {CW_MEMBERS_CompositeAlarm};
static const char *const brief_order[] = {"AlarmName", "AlarmArn", "StateValue",
                                          "StateUpdatedTimestamp"};

void cwa_out_alarm(struct out *o, const struct cw_alarm *a, enum cwa_detail detail)
{
    const char *const *keys = a->composite ? composite_order : metric_order;
    size_t n = a->composite ? ARRAY_LEN(composite_order) : ARRAY_LEN(metric_order);
    if (detail != CWA_FULL) {
        keys = brief_order;
        n = detail == CWA_PARENTS ? 2 : ARRAY_LEN(brief_order);
    }
    json_t *ordered = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(a->doc, keys[i]);
        if (v && !json_is_null(v))
            json_object_set(ordered, keys[i], v);
    }
    out_json(o, NULL, ordered);
    json_decref(ordered);
}

int cwa_ensure_slr(struct call *c)
{
    struct iam_role role;
    int r = iam_role_get(c->st, c->a, CWA_SLR_NAME, &role);
    if (r == 0)
        return 0;
    if (r < 0)
        return cw_internal(c);
    /* The caller needs iam:CreateServiceLinkedRole for the first such alarm [doc]. The
     * cloudwatch:AlarmActions condition key is fed by authz_request (dispatch). */
    const char *slr_arn = arena_printf(c->a,
                                       "arn:aws:iam::%s:role/aws-service-role/"
                                       "events.amazonaws.com/%s",
                                       c->account, CWA_SLR_NAME);
    if (authz_check(c, &c->who, "iam:CreateServiceLinkedRole", slr_arn, NULL))
        return -1;
    const struct op_def *slr = ops_find("iam", "CreateServiceLinkedRole");
    if (!slr || !slr->fn) {
        log_warn("cloudwatch: IAM CreateServiceLinkedRole not served; %s not created",
                 CWA_SLR_NAME);
        return 0;
    }
    /* Through the IAM handler, on a scratch call sharing this transaction. */
    struct call sc = *c;
    struct out sc_out;
    const struct model_service *iam = model_service_by_id("iam");
    const struct model_op *op = iam ? model_op_find(iam, "CreateServiceLinkedRole") : NULL;
    if (!op)
        return cw_internal(c);
    sc.svc = iam;
    sc.op = op;
    sc.op_name = "CreateServiceLinkedRole";
    sc.proto = PROTO_QUERY; /* IAM's protocol; the output is discarded */
    sc.err.status = 0;
    sc.err.code = sc.err.message = NULL;
    sc.out = &sc_out;
    out_init(sc.out, PROTO_QUERY, iam, op);
    json_t *in = json_pack("{s:s}", IAM_M_CreateServiceLinkedRoleRequest_AWSServiceName,
                           "events.amazonaws.com");
    int rc = slr->fn(&sc, in, sc.out);
    json_decref(in);
    out_free(sc.out);
    if (rc) {
        c->err.status = sc.err.status;
        c->err.code = sc.err.code;
        c->err.message = sc.err.message;
        c->err.sender = sc.err.sender;
        return -1;
    }
    return 0;
}

/* ================================================================ PutMetricAlarm */

static json_t *copy_or(const json_t *in, const char *key, json_t *dflt)
{
    const json_t *v = json_object_get(in, key);
    if (v) {
        json_decref(dflt);
        return json_deep_copy(v);
    }
    return dflt;
}

/*
 * PutMetricAlarm: create or overwrite. A new alarm starts INSUFFICIENT_DATA with
 * `Unchecked: Initial alarm creation` [doc/snap]; "When you update an existing alarm, its
 * state is left unchanged, but the update completely overwrites the previous configuration"
 * [doc]: StateValue, StateReason, StateReasonData and the state timestamps are kept (that
 * the reason is kept too is inferred). Tags only on create, needing cloudwatch:TagResource
 * [doc]. Records the creator (c->who and its access key).
 */
int cw_put_metric_alarm(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = cwa_str(in, CW_M_PutMetricAlarmInput_AlarmName);
    if (!name || !*name)
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter AlarmName is required.");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return cwa_invalid_value(c, "AlarmName", NULL); /* inferred [doc: no control chars] */
    unsigned flags = 0;
    int64_t period = 0;
    if (cwa_check_metric_alarm(c, in, &flags, &period))
        return -1;

    struct cw_alarm old;
    int lr = cw_alarm_load(c->st, c->region, name, &old);
    if (lr < 0)
        return cw_internal(c);
    bool update = lr == 0;
    if (update && old.composite) {
        cw_alarm_free(&old);
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "The alarm %s already exists as a composite alarm.", name);
    }
    if ((flags & CWA_EC2_SLR) && cwa_ensure_slr(c)) {
        if (update)
            cw_alarm_free(&old);
        return -1;
    }

    struct cw_alarm a;
    cwa_alarm_new(c, name, false, &a);

    bool math = json_array_size(json_object_get(in, CW_M_PutMetricAlarmInput_Metrics)) > 0;
    json_t *d = json_object();
    const json_t *v;
    json_object_set_new(d, "AlarmName", json_string(name));
    json_object_set_new(d, "AlarmArn", json_string(a.arn));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_AlarmDescription)) != NULL)
        json_object_set_new(d, "AlarmDescription", json_deep_copy(v));
    json_object_set_new(d, "AlarmConfigurationUpdatedTimestamp", json_integer(c->now_ms));
    json_object_set_new(
        d, "ActionsEnabled",
        json_boolean(!json_is_false(json_object_get(in, CW_M_PutMetricAlarmInput_ActionsEnabled))));
    json_object_set_new(d, "OKActions",
                        copy_or(in, CW_M_PutMetricAlarmInput_OKActions, json_array()));
    json_object_set_new(d, "AlarmActions",
                        copy_or(in, CW_M_PutMetricAlarmInput_AlarmActions, json_array()));
    json_object_set_new(
        d, "InsufficientDataActions",
        copy_or(in, CW_M_PutMetricAlarmInput_InsufficientDataActions, json_array()));
    if (update) {
        static const char *const keep[] = {"StateValue", "StateReason", "StateReasonData",
                                           "StateUpdatedTimestamp"};
        for (size_t i = 0; i < ARRAY_LEN(keep); i++)
            if ((v = json_object_get(old.doc, keep[i])) != NULL)
                json_object_set(d, keep[i], (json_t *)v);
    } else {
        json_object_set_new(d, "StateValue", json_string(CW_INSUFFICIENT));
        json_object_set_new(d, "StateReason", json_string("Unchecked: Initial alarm creation"));
        json_object_set_new(d, "StateUpdatedTimestamp", json_integer(c->now_ms));
    }
    if (!math) {
        json_object_set_new(d, "MetricName",
                            json_string(cwa_str(in, CW_M_PutMetricAlarmInput_MetricName)));
        json_object_set_new(d, "Namespace",
                            json_string(cwa_str(in, CW_M_PutMetricAlarmInput_Namespace)));
        if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_Statistic)) != NULL)
            json_object_set_new(d, "Statistic", json_deep_copy(v));
        if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_ExtendedStatistic)) != NULL)
            json_object_set_new(d, "ExtendedStatistic", json_deep_copy(v));
    }
    /* Dimensions as given (order kept), always present [snap] */
    json_t *dims = json_array();
    size_t i;
    json_array_foreach(json_object_get(in, CW_M_PutMetricAlarmInput_Dimensions), i, v)
    {
        json_array_append_new(dims, json_pack("{s:s, s:s}", "Name", cwa_str(v, CW_M_Dimension_Name),
                                              "Value", cwa_str(v, CW_M_Dimension_Value)));
    }
    json_object_set_new(d, "Dimensions", dims);
    if (!math)
        json_object_set_new(d, "Period", json_integer(period));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_Unit)) != NULL)
        json_object_set_new(d, "Unit", json_deep_copy(v));
    json_object_set_new(d, "EvaluationPeriods",
                        json_integer(json_integer_value(
                            json_object_get(in, CW_M_PutMetricAlarmInput_EvaluationPeriods))));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_DatapointsToAlarm)) != NULL)
        json_object_set_new(d, "DatapointsToAlarm", json_integer(json_integer_value(v)));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_Threshold)) != NULL)
        json_object_set_new(d, "Threshold", json_real(json_number_value(v)));
    json_object_set_new(d, "ComparisonOperator",
                        json_string(cwa_str(in, CW_M_PutMetricAlarmInput_ComparisonOperator)));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_TreatMissingData)) != NULL)
        json_object_set_new(d, "TreatMissingData", json_deep_copy(v));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_EvaluateLowSampleCountPercentile)) !=
        NULL)
        json_object_set_new(d, "EvaluateLowSampleCountPercentile", json_deep_copy(v));
    if (math)
        json_object_set_new(d, "Metrics",
                            json_deep_copy(json_object_get(in, CW_M_PutMetricAlarmInput_Metrics)));
    if ((v = json_object_get(in, CW_M_PutMetricAlarmInput_ThresholdMetricId)) != NULL)
        json_object_set_new(d, "ThresholdMetricId", json_deep_copy(v));
    if (update && (v = json_object_get(old.doc, "StateTransitionedTimestamp")) != NULL)
        json_object_set(d, "StateTransitionedTimestamp", (json_t *)v);
    else
        json_object_set_new(d, "StateTransitionedTimestamp", json_integer(c->now_ms));
    a.doc = d;
    if (update)
        cw_alarm_free(&old);

    int rc = cwa_alarm_put(c, &a, update, json_object_get(in, CW_M_PutMetricAlarmInput_Tags));
    json_decref(d);
    return rc;
}

/* ================================================================ DeleteAlarms */

/*
 * DeleteAlarms: names that do not exist are skipped — "If you specify any incorrect alarm
 * names, the alarms you specify with correct names are still deleted" [doc]; no error
 * (inferred: no AWS error text for it is known). An alarm a composite alarm outside this
 * call depends on is refused with `Cannot delete X as there are composite alarm(s)
 * depending on it.` (`a,b ... on them.`) [obs]. History items survive [doc].
 */
int cw_delete_alarms(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const json_t *names = json_object_get(in, CW_M_DeleteAlarmsInput_AlarmNames);
    if (!json_is_array(names))
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter AlarmNames is required.");
    if (json_array_size(names) > 100)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value at 'alarmNames' failed to satisfy "
                         "constraint: Member must have length less than or equal to 100");
    struct buf blocked = BUF_INIT;
    int nblocked = 0, ncomposite = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(names, i, e)
    {
        struct cw_alarm x;
        int r = cw_alarm_load(c->st, c->region, json_string_value(e), &x);
        if (r < 0)
            return cw_internal(c);
        if (r == 0) {
            ncomposite += x.composite;
            cw_alarm_free(&x);
        }
    }
    if (ncomposite > 1) /* [doc: no more than one composite alarm per call] */
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "You can delete at most one composite alarm in one operation.");
    json_array_foreach(names, i, e)
    {
        const char *name = json_string_value(e);
        const char **parents;
        size_t np;
        if (!name || cwa_parents_of(c, name, &parents, &np)) {
            buf_free(&blocked);
            return cw_internal(c);
        }
        for (size_t k = 0; k < np; k++) {
            if (!wire_list_has(names, parents[k])) {
                buf_printf(&blocked, "%s%s", nblocked++ ? "," : "", name);
                break;
            }
        }
    }
    if (nblocked) {
        call_fail(c, 400, "ValidationError",
                  "Cannot delete %s as there are composite alarm(s) depending on %s.", blocked.p,
                  nblocked > 1 ? "them" : "it");
        buf_free(&blocked);
        return -1;
    }
    buf_free(&blocked);
    json_array_foreach(names, i, e)
    {
        struct cw_alarm a;
        int r = cw_alarm_load(c->st, c->region, json_string_value(e), &a);
        if (r < 0)
            return cw_internal(c);
        if (r == 1)
            continue;
        sqlite3_stmt *s =
            store_stmt(c->st, "DELETE FROM cw_alarms WHERE region = ?1 AND name = ?2");
        store_bind_text_or_null(s, 1, a.region);
        store_bind_text_or_null(s, 2, a.name);
        int ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok || cwa_history_config(c->st, &a, "Delete", c->now_ms) ||
            cwa_tags_drop(c->st, a.arn)) {
            cw_alarm_free(&a);
            return cw_internal(c);
        }
        cw_alarm_free(&a);
    }
    return 0;
}

/* ================================================================ Enable/DisableAlarmActions */

/* Sets ActionsEnabled on the named alarms; unknown names are ignored [model: no errors].
 * A change writes an "updated" ConfigurationUpdate item [clone] and moves
 * AlarmConfigurationUpdatedTimestamp (inferred). */
static int set_actions_enabled(struct call *c, const json_t *in, bool on)
{
    const json_t *names = json_object_get(in, CW_IN_AlarmNames);
    if (!json_is_array(names))
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter AlarmNames is required.");
    size_t i;
    const json_t *e;
    json_array_foreach(names, i, e)
    {
        struct cw_alarm a;
        int r = cw_alarm_load(c->st, c->region, json_string_value(e), &a);
        if (r < 0)
            return cw_internal(c);
        if (r == 1)
            continue;
        if (json_is_true(json_object_get(a.doc, "ActionsEnabled")) != on) {
            json_object_set_new(a.doc, "ActionsEnabled", json_boolean(on));
            json_object_set_new(a.doc, "AlarmConfigurationUpdatedTimestamp",
                                json_integer(c->now_ms));
            if (cw_alarm_save_doc(c->st, &a) ||
                cwa_history_config(c->st, &a, "Update", c->now_ms)) {
                cw_alarm_free(&a);
                return cw_internal(c);
            }
        }
        cw_alarm_free(&a);
    }
    return 0;
}

int cw_enable_alarm_actions(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return set_actions_enabled(c, in, true);
}

int cw_disable_alarm_actions(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    return set_actions_enabled(c, in, false);
}

/* ================================================================ SetAlarmState */

/*
 * SetAlarmState [model/doc]: StateValue enum, StateReason <= 1023, StateReasonData <= 4000
 * and JSON (else InvalidFormat; message inferred); unknown alarm: ResourceNotFound, 404, no
 * message [snap]. The move is a real transition (cw_alarm_transition: history, actions).
 */
int cw_set_alarm_state(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = cwa_str(in, CW_M_SetAlarmStateInput_AlarmName);
    const char *state = cwa_str(in, CW_M_SetAlarmStateInput_StateValue);
    const char *reason = cwa_str(in, CW_M_SetAlarmStateInput_StateReason);
    const char *data = cwa_str(in, CW_M_SetAlarmStateInput_StateReasonData);
    if (!name)
        return call_fail(c, 400, "MissingParameter",
                         "The parameter AlarmName is required."); /* inferred */
    if (!reason)
        return call_fail(c, 400, "MissingParameter",
                         "The parameter StateReason is required."); /* inferred */
    if (!str_eq(state, CW_OK) && !str_eq(state, CW_ALARM) && !str_eq(state, CW_INSUFFICIENT))
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value '%s' at 'stateValue' failed to "
                         "satisfy constraint: Member must satisfy enum value set: "
                         "[INSUFFICIENT_DATA, ALARM, OK]",
                         state ? state : "null"); /* [snap] */
    if (strlen(reason) > 1023)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value at 'stateReason' failed to satisfy "
                         "constraint: Member must have length less than or equal to 1023");
    if (data) {
        if (strlen(data) > 4000)
            return call_fail(c, 400, "ValidationError",
                             "1 validation error detected: Value at 'stateReasonData' failed to "
                             "satisfy constraint: Member must have length less than or equal to "
                             "4000");
        json_error_t je;
        json_t *j = json_loads(data, JSON_DECODE_ANY, &je);
        if (!j)
            return call_fail(c, 400, "InvalidFormat", /* inferred message */
                             "Invalid value for parameter StateReasonData: it must be a JSON "
                             "document.");
        json_decref(j);
    }
    struct cw_alarm a;
    int r = cw_alarm_load(c->st, c->region, name, &a);
    if (r < 0)
        return cw_internal(c);
    if (r == 1)
        return call_fail(c, 404, "ResourceNotFound", NULL); /* [snap] no message */
    int rc = cw_alarm_transition(c->st, &a, state, reason, data, c->now_ms);
    cw_alarm_free(&a);
    if (rc)
        return cw_internal(c);
    return 0;
}
