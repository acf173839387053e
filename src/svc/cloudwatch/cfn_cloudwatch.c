/*
 * cfn_cloudwatch.c — AWS::CloudWatch::Alarm and AWS::CloudWatch::CompositeAlarm through
 * PutMetricAlarm / PutCompositeAlarm (create and in-place update: a put overwrites),
 * TagResource / UntagResource (tag changes) and DeleteAlarms, as the stack's principal — so
 * the alarm's recorded creator is that principal.
 * [doc] CFN UG aws-resource-cloudwatch-alarm / -compositealarm: Ref = alarm name, GetAtt Arn;
 * only AlarmName requires replacement.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/provider.h"
#include "wire/models/cloudwatch_members.h"
#include "wire/wire.h"

#define ALARM_NAME_MAX 255

/* AWS::CloudWatch::Alarm / CompositeAlarm properties are the PutMetricAlarm /
 * PutCompositeAlarm members one to one [doc]: the input takes every member the properties
 * give, in the model's order, but AlarmName and Tags (set by put_alarm). */
static const char *const metric_alarm_props[] = {CW_MEMBERS_PutMetricAlarmInput, NULL};
static const char *const composite_alarm_props[] = {CW_MEMBERS_PutCompositeAlarmInput, NULL};

static const char *const alarm_replace[] = {CW_IN_AlarmName, NULL};
static const char *const metric_alarm_attrs[] = {"Arn", "Id", NULL};
static const char *const composite_alarm_attrs[] = {"Arn", NULL};

static void alarm_attrs(const struct cfn_act *x, struct cfn_res *r, const char *name, bool id)
{
    prov_attr(r, "Arn",
              json_string(arena_printf(x->c->a, "arn:aws:cloudwatch:%s:%s:alarm:%s", x->c->region,
                                       x->c->account, name)));
    if (id)
        prov_attr(r, "Id", json_string(name));
}

static enum cfn_step put_alarm(const struct cfn_act *x, struct cfn_res *r, bool composite,
                               const char *name, bool with_tags)
{
    json_t *in = prov_pick(r->props, composite ? composite_alarm_props : metric_alarm_props);
    json_object_del(in, CW_IN_AlarmName); /* the physical name, set last as Tags */
    json_object_del(in, CW_IN_Tags);
    json_object_set_new(in, CW_IN_AlarmName, json_string(name));
    json_t *tags = json_object_get(r->props, CW_IN_Tags);
    if (with_tags && json_is_array(tags) && json_array_size(tags))
        json_object_set(in, CW_IN_Tags, tags);
    if (prov_call(x, r, "cloudwatch", composite ? "PutCompositeAlarm" : "PutMetricAlarm", in, NULL,
                  NULL))
        return CFN_FAILED;
    return CFN_DONE;
}

static enum cfn_step alarm_create_any(const struct cfn_act *x, struct cfn_res *r, bool composite)
{
    const char *name = prov_name(x, r, CW_IN_AlarmName, ALARM_NAME_MAX);
    if (put_alarm(x, r, composite, name, true) != CFN_DONE)
        return CFN_FAILED;
    prov_set_id(x, r, name);
    alarm_attrs(x, r, name, !composite);
    return CFN_DONE;
}

static enum cfn_step alarm_update_any(const struct cfn_act *x, struct cfn_res *r,
                                      const json_t *old_props, bool composite)
{
    const char *name = r->physical_id;
    if (put_alarm(x, r, composite, name, false) != CFN_DONE)
        return CFN_FAILED;
    const json_t *old_tags = json_object_get(old_props, CW_IN_Tags);
    const json_t *new_tags = json_object_get(r->props, CW_IN_Tags);
    if (prov_changed(old_tags, new_tags)) {
        const char *arn = arena_printf(x->c->a, "arn:aws:cloudwatch:%s:%s:alarm:%s", x->c->region,
                                       x->c->account, name);
        json_t *gone = prov_removed_tag_keys(old_tags, new_tags);
        if (json_array_size(gone)) {
            json_t *in = json_pack("{s:s, s:O}", CW_M_UntagResourceInput_ResourceARN, arn,
                                   CW_M_UntagResourceInput_TagKeys, gone);
            if (prov_call(x, r, "cloudwatch", "UntagResource", in, NULL, NULL)) {
                json_decref(gone);
                return CFN_FAILED;
            }
        }
        json_decref(gone);
        if (json_array_size(new_tags)) {
            json_t *in = json_pack("{s:s, s:O}", CW_M_TagResourceInput_ResourceARN, arn,
                                   CW_M_TagResourceInput_Tags, new_tags);
            if (prov_call(x, r, "cloudwatch", "TagResource", in, NULL, NULL))
                return CFN_FAILED;
        }
    }
    alarm_attrs(x, r, name, !composite);
    return CFN_DONE;
}

static enum cfn_step alarm_delete(const struct cfn_act *x, struct cfn_res *r)
{
    static const char *const gone[] = {"ResourceNotFound", "ResourceNotFoundException", NULL};
    if (!r->physical_id || !*r->physical_id)
        return CFN_DONE;
    json_t *in = json_pack("{s:[s]}", CW_M_DeleteAlarmsInput_AlarmNames, r->physical_id);
    return prov_call(x, r, "cloudwatch", "DeleteAlarms", in, NULL, gone) < 0 ? CFN_FAILED
                                                                             : CFN_DONE;
}

static enum cfn_step metric_alarm_create(const struct cfn_act *x, struct cfn_res *r)
{
    return alarm_create_any(x, r, false);
}

static enum cfn_step metric_alarm_update(const struct cfn_act *x, struct cfn_res *r,
                                         const json_t *old_props)
{
    return alarm_update_any(x, r, old_props, false);
}

static enum cfn_step composite_alarm_create(const struct cfn_act *x, struct cfn_res *r)
{
    return alarm_create_any(x, r, true);
}

static enum cfn_step composite_alarm_update(const struct cfn_act *x, struct cfn_res *r,
                                            const json_t *old_props)
{
    return alarm_update_any(x, r, old_props, true);
}

static const struct cfn_provider prov_cw_alarm = {
    .type = "AWS::CloudWatch::Alarm",
    .create = metric_alarm_create,
    .update = metric_alarm_update,
    .del = alarm_delete,
    .replace_props = alarm_replace,
    .name_prop = CW_IN_AlarmName,
    .name_max = ALARM_NAME_MAX,
    .attrs = metric_alarm_attrs,
};

static const struct cfn_provider prov_cw_composite_alarm = {
    .type = "AWS::CloudWatch::CompositeAlarm",
    .create = composite_alarm_create,
    .update = composite_alarm_update,
    .del = alarm_delete,
    .replace_props = alarm_replace,
    .name_prop = CW_IN_AlarmName,
    .name_max = ALARM_NAME_MAX,
    .attrs = composite_alarm_attrs,
};

/* The providers of this service, for its module (.providers). */
const struct cfn_provider *const cw_cfn_providers[] = {
    &prov_cw_alarm,
    &prov_cw_composite_alarm,
    NULL,
};
