/*
 * cw_alarm.h — CloudWatch alarms shared by the alarm API (alarm*.c, composite.c, history.c:
 * PutMetricAlarm, DescribeAlarms, DeleteAlarms, SetAlarmState, DescribeAlarmHistory ...) and
 * the evaluation engine (alarm_eval.c, alarm_actions.c: evaluation every minute in virtual
 * time, state transitions, actions). Tables: CW_SCHEMA_2 in schema.c.
 *
 * An alarm is stored as its DescribeAlarms shape (MetricAlarm / CompositeAlarm member names,
 * timestamps as ms integers) in `doc`, plus what no API shows: the creator principal of the
 * latest Put*Alarm (directly or through CloudFormation) and the access key it used.
 */
#ifndef RL_CW_ALARM_H
#define RL_CW_ALARM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"

struct store;
struct call;

#define CW_OK "OK"
#define CW_ALARM "ALARM"
#define CW_INSUFFICIENT "INSUFFICIENT_DATA"
#define CW_HISTORY_KEEP_MS (14 * 86400 * 1000LL) /* history kept 14 days [doc] */

struct cw_alarm {
    char account[16];
    char region[32];
    char name[256];
    char arn[400];           /* arn:aws:cloudwatch:REGION:ACCT:alarm:NAME */
    bool composite;
    json_t *doc;             /* owned: MetricAlarm / CompositeAlarm shape; json_decref when done */
    struct principal creator;    /* latest Put*Alarm caller (never shown by an API) */
    char creator_key[32];        /* access key id that caller used */
};

/* ---- storage (alarm_store.c) ---- */
/* 0 found, 1 not found, -1 error. */
int cw_alarm_load(struct store *st, const char *region, const char *name, struct cw_alarm *out);
/* Inserts or replaces the row from a (doc, creator). 0 or -1. */
int cw_alarm_save(struct store *st, const struct cw_alarm *a);
/* Updates only the doc (state fields) of an existing alarm. 0 or -1. */
int cw_alarm_save_doc(struct store *st, const struct cw_alarm *a);
void cw_alarm_free(struct cw_alarm *a);
/* Calls fn for every alarm of every region (evaluation sweep); stops when fn returns non-zero. */
int cw_alarm_each(struct store *st, int (*fn)(void *ctx, struct cw_alarm *a), void *ctx);

/* ---- history (history.c) ---- */
/*
 * Appends a history item (HistoryItemType ConfigurationUpdate | StateUpdate | Action) with
 * AWS's HistorySummary and HistoryData (JSON text). AlarmType is MetricAlarm or
 * CompositeAlarm. Items are kept CW_HISTORY_KEEP_MS, also after the alarm is deleted.
 */
int cw_history_add(struct store *st, const struct cw_alarm *a, const char *item_type,
                   const char *summary, const char *data_json, int64_t at_ms);

/* ---- engine (alarm_eval.c, alarm_actions.c) ---- */
/*
 * Moves alarm a to new_state with the given StateReason / StateReasonData (JSON text or NULL),
 * at at_ms: updates StateValue, StateReason, StateReasonData, StateUpdatedTimestamp (and
 * StateTransitionedTimestamp when the value changes), saves, writes the StateUpdate history
 * item, and — on a change of StateValue with ActionsEnabled — runs the actions of the new
 * state (alarm_actions.c), each writing its Action history item. SetAlarmState uses it with
 * set_by_api = true. 0 or -1.
 */
int cw_alarm_transition(struct store *st, struct cw_alarm *a, const char *new_state,
                        const char *reason, const char *reason_data, int64_t at_ms);

/* Makes sure the evaluation tick is scheduled (after a Put*Alarm). */
int cw_alarm_schedule(struct store *st, int64_t now_ms);

/* Registers the engine's clock event kinds (called from svc_init). */
void cw_alarms_init(void);

/* The resource functions of CloudWatch's ops.def rows (resources.c): the ARN an action is
 * checked on, an arena string, "*" when the input names none. */
const char *cw_res_alarm(struct call *c, const json_t *in);        /* AlarmName */
const char *cw_res_alarms(struct call *c, const json_t *in);       /* AlarmNames[0] */
const char *cw_res_resource_arn(struct call *c, const json_t *in); /* ResourceARN as given */

/* CloudWatch's CloudFormation resource providers (cfn_cloudwatch.c): Alarm and
 * CompositeAlarm, NULL-terminated. */
struct cfn_provider;
extern const struct cfn_provider *const cw_cfn_providers[];

#endif
