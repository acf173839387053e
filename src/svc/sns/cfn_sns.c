/*
 * cfn_sns.c — AWS::SNS::Topic (with inline Subscription), AWS::SNS::Subscription and
 * AWS::SNS::TopicPolicy through SNS's own operations (CreateTopic, SetTopicAttributes,
 * Subscribe, Unsubscribe, DeleteTopic) as the stack's principal.
 * [doc] CFN UG aws-resource-sns-topic: Ref = topic ARN, GetAtt TopicArn, TopicName; TopicName
 * and FifoTopic require replacement. aws-resource-sns-subscription: Ref = subscription ARN,
 * GetAtt Arn; Endpoint, Protocol, TopicArn require replacement. aws-resource-sns-topicpolicy:
 * Ref = the policy's id, GetAtt Id; removing the policy restores the default one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/provider.h"
#include "svc/sns/sns.h"
#include "svc/sns/sns_internal.h"
#include "wire/models/sns_members.h"

#define TOPIC_NAME_MAX 256

/* Topic properties that are topic attributes (string, or JSON documents as text). */
static const char *const topic_attr_props[] = {
    "DisplayName",      "KmsMasterKeyId",     "FifoTopic",      "ContentBasedDeduplication",
    "SignatureVersion", "TracingConfig",      "DeliveryPolicy", "DataProtectionPolicy",
    "ArchivePolicy",    "FifoThroughputScope"};
static const char *const topic_replace[] = {"TopicName", "FifoTopic", NULL};
static const char *const topic_attrs[] = {"TopicArn", "TopicName", NULL};

static json_t *attr_value(const json_t *v)
{
    if (json_is_object(v) || json_is_array(v)) {
        char *t = json_dumps(v, JSON_COMPACT);
        json_t *s = json_string(t ? t : "{}");
        free(t);
        return s;
    }
    if (json_is_true(v))
        return json_string("true");
    if (json_is_false(v))
        return json_string("false");
    if (json_is_integer(v)) {
        char b[32];
        snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(v));
        return json_string(b);
    }
    return json_is_string(v) ? json_incref((json_t *)v) : NULL;
}

static int subscribe(const struct cfn_act *x, struct cfn_res *r, const char *topic,
                     const json_t *sub, json_t *attrs, char **arn_out)
{
    json_t *in = json_pack(
        "{s:s, s:O, s:O, s:b}", SNS_M_SubscribeInput_TopicArn, topic, SNS_M_SubscribeInput_Protocol,
        json_object_get(sub, "Protocol") ? json_object_get(sub, "Protocol") : json_null(),
        SNS_M_SubscribeInput_Endpoint,
        json_object_get(sub, "Endpoint") ? json_object_get(sub, "Endpoint") : json_null(),
        SNS_M_SubscribeInput_ReturnSubscriptionArn, 1);
    if (attrs && json_object_size(attrs))
        json_object_set(in, SNS_M_SubscribeInput_Attributes, attrs);
    json_t *out = NULL;
    if (prov_call(x, r, "sns", "Subscribe", in, &out, NULL))
        return -1;
    const char *arn = json_string_value(json_object_get(out, "SubscriptionArn"));
    if (arn_out)
        *arn_out = arena_strdup(x->c->a, arn ? arn : "");
    json_decref(out);
    return 0;
}

static bool same_sub(const json_t *a, const json_t *b)
{
    return str_eq(json_string_value(json_object_get(a, "Protocol")),
                  json_string_value(json_object_get(b, "Protocol"))) &&
           str_eq(json_string_value(json_object_get(a, "Endpoint")),
                  json_string_value(json_object_get(b, "Endpoint")));
}

static bool sub_in(const json_t *sub, const json_t *list)
{
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        if (same_sub(sub, e))
            return true;
    }
    return false;
}

/* Subscribes every inline subscription of props not in old (NULL: all). */
static int topic_subscribe(const struct cfn_act *x, struct cfn_res *r, const char *arn,
                           const json_t *props, const json_t *old)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(props, "Subscription"), i, s)
    {
        if (old && sub_in(s, json_object_get(old, "Subscription")))
            continue;
        if (subscribe(x, r, arn, s, NULL, NULL))
            return -1;
    }
    return 0;
}

static void topic_set_attrs(const struct cfn_act *x, struct cfn_res *r, const char *arn,
                            const char *name)
{
    prov_set_id(x, r, arn);
    prov_attr(r, "TopicArn", json_string(arn));
    prov_attr(r, "TopicName", json_string(name));
}

static enum cfn_step topic_create(const struct cfn_act *x, struct cfn_res *r)
{
    bool fifo = json_is_true(json_object_get(r->props, "FifoTopic")) ||
                str_eq(prov_str(r->props, "FifoTopic"), "true");
    const char *name = prov_name(x, r, "TopicName", fifo ? TOPIC_NAME_MAX - 5 : TOPIC_NAME_MAX);
    if (fifo && !str_endswith(name, ".fifo"))
        name = arena_printf(x->c->a, "%s.fifo", name);
    json_t *attrs = json_object();
    for (size_t i = 0; i < ARRAY_LEN(topic_attr_props); i++) {
        json_t *v = attr_value(json_object_get(r->props, topic_attr_props[i]));
        if (v)
            json_object_set_new(attrs, topic_attr_props[i], v);
    }
    json_t *in = json_pack("{s:s}", SNS_M_CreateTopicInput_Name, name);
    if (json_object_size(attrs))
        json_object_set(in, SNS_M_CreateTopicInput_Attributes, attrs);
    json_decref(attrs);
    const json_t *tags = json_object_get(r->props, "Tags");
    if (json_array_size(tags))
        json_object_set(in, SNS_M_CreateTopicInput_Tags, (json_t *)tags);
    json_t *out = NULL;
    if (prov_call(x, r, "sns", "CreateTopic", in, &out, NULL))
        return CFN_FAILED;
    const char *arn = json_string_value(json_object_get(out, "TopicArn"));
    char *a = arena_strdup(x->c->a, arn ? arn : "");
    json_decref(out);
    topic_set_attrs(x, r, a, name);
    if (topic_subscribe(x, r, a, r->props, NULL))
        return CFN_FAILED;
    return CFN_DONE;
}

static enum cfn_step topic_update(const struct cfn_act *x, struct cfn_res *r,
                                  const json_t *old_props)
{
    const char *arn = r->physical_id;
    for (size_t i = 0; i < ARRAY_LEN(topic_attr_props); i++) {
        const char *k = topic_attr_props[i];
        if (str_eq(k, "FifoTopic") ||
            !prov_changed(json_object_get(old_props, k), json_object_get(r->props, k)))
            continue;
        json_t *v = attr_value(json_object_get(r->props, k));
        json_t *in =
            json_pack("{s:s, s:s, s:o}", SNS_M_SetTopicAttributesInput_TopicArn, arn,
                      SNS_M_SetTopicAttributesInput_AttributeName, k,
                      SNS_M_SetTopicAttributesInput_AttributeValue, v ? v : json_string(""));
        if (prov_call(x, r, "sns", "SetTopicAttributes", in, NULL, NULL))
            return CFN_FAILED;
    }
    if (topic_subscribe(x, r, arn, r->props, old_props))
        return CFN_FAILED;
    /* inline subscriptions removed from the template: unsubscribe them */
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(old_props, "Subscription"), i, s)
    {
        if (sub_in(s, json_object_get(r->props, "Subscription")))
            continue;
        json_t *out = NULL;
        json_t *in = json_pack("{s:s}", SNS_M_ListSubscriptionsByTopicInput_TopicArn, arn);
        if (prov_call(x, r, "sns", "ListSubscriptionsByTopic", in, &out, NULL))
            return CFN_FAILED;
        size_t j;
        const json_t *e;
        json_array_foreach(json_object_get(out, "Subscriptions"), j, e)
        {
            const char *sa = json_string_value(json_object_get(e, "SubscriptionArn"));
            if (!same_sub(s, e) || !sa || !str_startswith(sa, "arn:"))
                continue;
            json_t *un = json_pack("{s:s}", SNS_M_UnsubscribeInput_SubscriptionArn, sa);
            static const char *const ok[] = {"NotFound", NULL};
            if (prov_call(x, r, "sns", "Unsubscribe", un, NULL, ok) < 0) {
                json_decref(out);
                return CFN_FAILED;
            }
        }
        json_decref(out);
    }
    char region[32], account[16], name[260];
    if (sns_arn_parse(arn, region, account, name) == 0)
        topic_set_attrs(x, r, arn, name);
    return CFN_DONE;
}

static enum cfn_step topic_delete(const struct cfn_act *x, struct cfn_res *r)
{
    if (!r->physical_id || !str_startswith(r->physical_id, "arn:"))
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", SNS_M_DeleteTopicInput_TopicArn, r->physical_id);
    static const char *const ok[] = {"NotFound", NULL};
    return prov_call(x, r, "sns", "DeleteTopic", in, NULL, ok) < 0 ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_topic = {
    .type = "AWS::SNS::Topic",
    .create = topic_create,
    .update = topic_update,
    .del = topic_delete,
    .replace_props = topic_replace,
    .name_prop = "TopicName",
    .name_max = TOPIC_NAME_MAX,
    .attrs = topic_attrs,
};

/* ------------------------------------------------------------ AWS::SNS::Subscription */

static const char *const sub_attr_props[] = {
    "DeliveryPolicy", "FilterPolicy",        "FilterPolicyScope", "RawMessageDelivery",
    "RedrivePolicy",  "SubscriptionRoleArn", "ReplayPolicy"};
static const char *const sub_replace[] = {"Endpoint", "Protocol", "TopicArn", "Region", NULL};
static const char *const sub_attrs[] = {"Arn", NULL};

static enum cfn_step sub_create(const struct cfn_act *x, struct cfn_res *r)
{
    const char *topic = prov_str(r->props, "TopicArn");
    if (!topic)
        return prov_invalid(r, "#: required key [TopicArn] not found");
    if (!prov_str(r->props, "Protocol"))
        return prov_invalid(r, "#: required key [Protocol] not found");
    json_t *attrs = json_object();
    for (size_t i = 0; i < ARRAY_LEN(sub_attr_props); i++) {
        json_t *v = attr_value(json_object_get(r->props, sub_attr_props[i]));
        if (v)
            json_object_set_new(attrs, sub_attr_props[i], v);
    }
    char *arn = NULL;
    int rc = subscribe(x, r, topic, r->props, attrs, &arn);
    json_decref(attrs);
    if (rc)
        return CFN_FAILED;
    prov_set_id(x, r, arn);
    prov_attr(r, "Arn", json_string(arn));
    return CFN_DONE;
}

static enum cfn_step sub_update(const struct cfn_act *x, struct cfn_res *r, const json_t *old_props)
{
    for (size_t i = 0; i < ARRAY_LEN(sub_attr_props); i++) {
        const char *k = sub_attr_props[i];
        if (!prov_changed(json_object_get(old_props, k), json_object_get(r->props, k)))
            continue;
        json_t *v = attr_value(json_object_get(r->props, k));
        json_t *in =
            json_pack("{s:s, s:s, s:o}", SNS_M_SetSubscriptionAttributesInput_SubscriptionArn,
                      r->physical_id, SNS_M_SetSubscriptionAttributesInput_AttributeName, k,
                      SNS_M_SetSubscriptionAttributesInput_AttributeValue, v ? v : json_string(""));
        if (prov_call(x, r, "sns", "SetSubscriptionAttributes", in, NULL, NULL))
            return CFN_FAILED;
    }
    prov_attr(r, "Arn", json_string(r->physical_id));
    return CFN_DONE;
}

static enum cfn_step sub_delete(const struct cfn_act *x, struct cfn_res *r)
{
    if (!r->physical_id || !str_startswith(r->physical_id, "arn:"))
        return CFN_DONE;
    json_t *in = json_pack("{s:s}", SNS_M_UnsubscribeInput_SubscriptionArn, r->physical_id);
    static const char *const ok[] = {"NotFound", NULL};
    return prov_call(x, r, "sns", "Unsubscribe", in, NULL, ok) < 0 ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_subscription = {
    .type = "AWS::SNS::Subscription",
    .create = sub_create,
    .update = sub_update,
    .del = sub_delete,
    .replace_props = sub_replace,
    .attrs = sub_attrs,
};

/* ------------------------------------------------------------ AWS::SNS::TopicPolicy */

static const char *const policy_replace[] = {NULL};
static const char *const policy_attrs[] = {"Id", NULL};

static int set_policy(const struct cfn_act *x, struct cfn_res *r, const char *topic,
                      const char *text)
{
    json_t *in = json_pack("{s:s, s:s, s:s}", SNS_M_SetTopicAttributesInput_TopicArn, topic,
                           SNS_M_SetTopicAttributesInput_AttributeName, "Policy",
                           SNS_M_SetTopicAttributesInput_AttributeValue, text);
    static const char *const ok[] = {"NotFound", NULL};
    return prov_call(x, r, "sns", "SetTopicAttributes", in, NULL, text ? NULL : ok) < 0 ? -1 : 0;
}

/* Restores the default policy on the topics of props not in keep (NULL: all). */
static int policy_reset(const struct cfn_act *x, struct cfn_res *r, const json_t *props,
                        const json_t *keep)
{
    json_t *gone = prov_minus(json_object_get(props, "Topics"), keep);
    size_t i;
    json_t *t;
    int rc = 0;
    json_array_foreach(gone, i, t)
    {
        const char *arn = json_string_value(t);
        char region[32], account[16], name[260];
        if (rc || !arn || sns_arn_parse(arn, region, account, name))
            continue;
        char *def = sns_default_policy(arn, account);
        json_t *in = json_pack("{s:s, s:s, s:s}", SNS_M_SetTopicAttributesInput_TopicArn, arn,
                               SNS_M_SetTopicAttributesInput_AttributeName, "Policy",
                               SNS_M_SetTopicAttributesInput_AttributeValue, def);
        free(def);
        static const char *const ok[] = {"NotFound", NULL};
        if (prov_call(x, r, "sns", "SetTopicAttributes", in, NULL, ok) < 0)
            rc = -1;
    }
    json_decref(gone);
    return rc;
}

static enum cfn_step policy_apply(const struct cfn_act *x, struct cfn_res *r)
{
    const json_t *topics = json_object_get(r->props, "Topics");
    if (!json_array_size(topics))
        return prov_invalid(r, "#: required key [Topics] not found");
    char *doc = prov_doc(json_object_get(r->props, "PolicyDocument"));
    if (!doc)
        return prov_invalid(r, "#: required key [PolicyDocument] not found");
    size_t i;
    const json_t *t;
    int rc = 0;
    json_array_foreach(topics, i, t)
    {
        if (!rc && set_policy(x, r, json_string_value(t) ? json_string_value(t) : "", doc))
            rc = -1;
    }
    free(doc);
    return rc ? CFN_FAILED : CFN_DONE;
}

static enum cfn_step policy_create(const struct cfn_act *x, struct cfn_res *r)
{
    if (policy_apply(x, r) != CFN_DONE)
        return CFN_FAILED;
    /* the physical id is generated (inferred: <stack>-<LogicalId>-<SUFFIX>) */
    prov_set_id(x, r, prov_name(x, r, "__none", 128));
    prov_attr(r, "Id", json_string(r->physical_id));
    return CFN_DONE;
}

static enum cfn_step policy_update(const struct cfn_act *x, struct cfn_res *r,
                                   const json_t *old_props)
{
    if (policy_reset(x, r, old_props, json_object_get(r->props, "Topics")))
        return CFN_FAILED;
    if (policy_apply(x, r) != CFN_DONE)
        return CFN_FAILED;
    prov_attr(r, "Id", json_string(r->physical_id));
    return CFN_DONE;
}

static enum cfn_step policy_delete(const struct cfn_act *x, struct cfn_res *r)
{
    return policy_reset(x, r, r->props, NULL) ? CFN_FAILED : CFN_DONE;
}

static const struct cfn_provider prov_topic_policy = {
    .type = "AWS::SNS::TopicPolicy",
    .create = policy_create,
    .update = policy_update,
    .del = policy_delete,
    .replace_props = policy_replace,
    .attrs = policy_attrs,
};

const struct cfn_provider *const sns_cfn_providers[] = {&prov_topic, &prov_subscription,
                                                        &prov_topic_policy, NULL};
