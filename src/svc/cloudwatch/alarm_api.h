/*
 * alarm_api.h — pieces shared by the CloudWatch alarm API files (alarms.c, alarm_describe.c,
 * alarm_store.c, alarm_validate.c, composite.c, history.c, tags.c). Not for other modules:
 * the engine uses cw_alarm.h and cw_rule.h.
 */
#ifndef RL_CW_ALARM_API_H
#define RL_CW_ALARM_API_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "svc/cloudwatch/cw_alarm.h"
#include "wire/wire.h"

/* Flags cwa_check_actions reports. */
#define CWA_EC2 0x1         /* some EC2 action (automate or swf form) */
#define CWA_EC2_SLR 0x2     /* stop / terminate / reboot: run as the service-linked role */
#define CWA_EC2_RECOVER 0x4 /* recover */
#define CWA_AUTOSCALING 0x8 /* an Auto Scaling policy */

#define CWA_SLR_NAME "AWSServiceRoleForCloudWatchEvents"

/* arn:aws:cloudwatch:REGION:ACCT:alarm:NAME (arena). */
char *cwa_alarm_arn(struct arena *a, const char *region, const char *account, const char *name);
/* A Put*Alarm's alarm name in the call's account and region, created by c->who with its
 * access key (*a zeroed first; the caller sets a->doc). */
void cwa_alarm_new(struct call *c, const char *name, bool composite, struct cw_alarm *a);
/*
 * Saves a Put*Alarm's alarm a, new or an update of an existing one: the row, its
 * ConfigurationUpdate history item, the Tags of a new alarm (tags, may be NULL), the
 * evaluation tick. a->doc stays the caller's. 0, or -1 with the call failed.
 */
int cwa_alarm_put(struct call *c, const struct cw_alarm *a, bool update, const json_t *tags);

/*
 * Checks the OKActions, AlarmActions and InsufficientDataActions of a Put*Alarm input:
 * every ARN has a known form (malformed: ValidationError without message [obs]) and the
 * region of this call. Sets *flags (CWA_*). 0 ok, -1 with the call failed.
 */
int cwa_check_actions(struct call *c, const json_t *in, unsigned *flags);

/*
 * Makes sure AWSServiceRoleForCloudWatchEvents exists before an alarm with a stop,
 * terminate or reboot action is saved; creates it through the IAM CreateServiceLinkedRole
 * code path. 0 ok, -1 with the call failed.
 */
int cwa_ensure_slr(struct call *c);

/* How much of an alarm DescribeAlarms shows [model doc]. */
enum cwa_detail {
    CWA_FULL,
    CWA_CHILDREN, /* ChildrenOfAlarmName: AlarmName, AlarmArn, StateValue, StateUpdatedTimestamp */
    CWA_PARENTS,  /* ParentsOfAlarmName: AlarmName, AlarmArn */
};
/* Writes a's doc as one MetricAlarm / CompositeAlarm list element, in AWS's member order. */
void cwa_out_alarm(struct out *o, const struct cw_alarm *a, enum cwa_detail detail);

/* Writes the ConfigurationUpdate history item of a Create / Update / Delete of a. 0 / -1. */
int cwa_history_config(struct store *st, const struct cw_alarm *a, const char *type, int64_t at_ms);

/* Input tree helpers. */
const char *cwa_str(const json_t *in, const char *key);
/* The kinds an AlarmTypes list asks for (DescribeAlarms, DescribeAlarmHistory): none given,
 * MetricAlarm only [doc]. */
void cwa_alarm_types(const json_t *types, bool *metric, bool *composite);

/* Storage (alarm_store.c): fills *out from a cw_alarms row selected as (region, name,
 * account, composite, doc, creator, creator_key). 0, -1 on a bad stored document (logged). */
int cwa_alarm_row(sqlite3_stmt *s, struct cw_alarm *out);

/* Input checks (alarm_validate.c). Each fails the call and returns -1, or returns 0. */
/* ValidationError "WHAT must not be null" (AWS's template). */
int cwa_not_null(struct call *c, const char *what);
/* InvalidParameterValue "The value V for parameter P is invalid." (AWS's template). */
int cwa_invalid_value(struct call *c, const char *param, const char *v);
/* Checks a PutMetricAlarm input; on success *flags holds the action flags (CWA_*) and
 * *period_out the alarm's period in seconds. */
int cwa_check_metric_alarm(struct call *c, const json_t *in, unsigned *flags, int64_t *period_out);

/* Tags (tags.c): adds/overwrites the Tags list of input on arn. 0 / -1 (call failed). */
/* The Tags of a Put*Alarm that creates arn: the caller needs cloudwatch:TagResource [doc]. */
int cwa_tags_on_create(struct call *c, const char *arn, const json_t *tags);
int cwa_tags_put(struct call *c, const char *arn, const json_t *tags);
/* Forgets every tag of arn (alarm deleted). 0 / -1. */
int cwa_tags_drop(struct store *st, const char *arn);

/* Composite alarms (composite.c): names of the composite alarms whose rule references
 * name (arena array, *n set). 0 / -1. */
int cwa_parents_of(struct call *c, const char *name, const char ***out, size_t *n);
/* Names referenced by the rule of composite alarm a (arena array). 0 / -1. */
int cwa_children_of(struct call *c, const struct cw_alarm *a, const char ***out, size_t *n);

#endif
