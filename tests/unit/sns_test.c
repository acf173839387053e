/* sns_test.c — the SNS module: topics (idempotent CreateTopic, attributes, paging),
 * subscriptions and the inbox, publishing with filter policies, topic policies with IAM,
 * and CloudWatch alarm actions to a topic (the notification JSON, the Subject, history). */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cw_eval_store.h"
#include "harness.h"
#include "store/store.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/sns/ops.h"
#include "svc/sns/sns_internal.h"
#include "svc_fixture.h"

#define TOPIC "arn:aws:sns:us-east-1:123456789012:ops"

static void sns_open(struct fx *f)
{
    fx_open(f, FX_T0);
    f->proto = PROTO_JSON; /* render JSON so the tests read f->json */
    f->validate = true;
    fx_as_root(f);
}

static int64_t count_rows(struct store *st, const char *sql)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

TEST(sns_topics_idempotent_attributes_paging)
{
    struct fx f;
    sns_open(&f);
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic,
                         "{\"Name\":\"ops\",\"Attributes\":{\"DisplayName\":\"Ops\"}}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "TopicArn"), TOPIC);
    /* the same name and attributes: the same topic */
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic,
                         "{\"Name\":\"ops\",\"Attributes\":{\"DisplayName\":\"Ops\"}}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "TopicArn"), TOPIC);
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic,
                         "{\"Name\":\"ops\",\"Attributes\":{\"DisplayName\":\"Other\"}}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameter");
    CHECK_EQ_STR(fx_err_message(&f), "Invalid parameter: Attributes Reason: Topic already exists "
                                     "with different attributes");
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic, "{\"Name\":\"a b\"}"), -1);
    CHECK_EQ_STR(fx_err_message(&f), "Invalid parameter: Topic Name");

    CHECK_EQ_INT(fx_call(&f, "sns", "GetTopicAttributes", sns_get_topic_attributes,
                         "{\"TopicArn\":\"" TOPIC "\"}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "Attributes.DisplayName"), "Ops");
    CHECK_EQ_STR(fx_js(&f, "Attributes.Owner"), FX_ACCOUNT);
    CHECK_CONTAINS(fx_js(&f, "Attributes.Policy"), "\"AWS:SourceOwner\":\"123456789012\"");
    CHECK_CONTAINS(fx_js(&f, "Attributes.EffectiveDeliveryPolicy"), "\"numRetries\":3");
    CHECK_EQ_INT(fx_call(&f, "sns", "SetTopicAttributes", sns_set_topic_attributes,
                         "{\"TopicArn\":\"" TOPIC "\",\"AttributeName\":\"Nope\","
                         "\"AttributeValue\":\"x\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Invalid parameter: AttributeName");
    CHECK_EQ_INT(fx_call(&f, "sns", "GetTopicAttributes", sns_get_topic_attributes,
                         "{\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:none\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NotFound");
    CHECK_EQ_STR(fx_err_message(&f), "Topic does not exist");

    for (int i = 0; i < 120; i++)
        CHECK_EQ_INT(
            fx_callf(&f, "sns", "CreateTopic", sns_create_topic, "{\"Name\":\"t%03d\"}", i), 0);
    CHECK_EQ_INT(fx_call(&f, "sns", "ListTopics", sns_list_topics, "{}"), 0);
    CHECK_EQ_INT((int)json_array_size(fx_jget(f.json, "Topics")), 100);
    char next[300];
    snprintf(next, sizeof(next), "%s", fx_js(&f, "NextToken"));
    CHECK(next[0] != '\0');
    CHECK_EQ_INT(fx_callf(&f, "sns", "ListTopics", sns_list_topics, "{\"NextToken\":\"%s\"}", next),
                 0);
    CHECK_EQ_INT((int)json_array_size(fx_jget(f.json, "Topics")), 21);
    CHECK(fx_js(&f, "NextToken") == NULL);
    fx_close(&f);
}

TEST(sns_email_inbox_confirm_filter)
{
    struct fx f;
    sns_open(&f);
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic, "{\"Name\":\"ops\"}"), 0);
    CHECK_EQ_INT(fx_call(&f, "sns", "Subscribe", sns_subscribe,
                         "{\"TopicArn\":\"" TOPIC "\",\"Protocol\":\"email\",\"Endpoint\":"
                         "\"oncall@example.com\",\"Attributes\":{\"FilterPolicy\":"
                         "\"{\\\"sev\\\":[\\\"high\\\",{\\\"prefix\\\":\\\"crit\\\"}]}\"}}"),
                 0);
    CHECK_EQ_STR(fx_js(&f, "SubscriptionArn"), "pending confirmation");
    CHECK_EQ_INT(count_rows(f.st, "SELECT count(*) FROM sns_messages WHERE type ="
                                  " 'SubscriptionConfirmation' AND state = 'inbox'"),
                 1);
    /* sqs / lambda: the lab has no such resource */
    CHECK_EQ_INT(fx_call(&f, "sns", "Subscribe", sns_subscribe,
                         "{\"TopicArn\":\"" TOPIC "\",\"Protocol\":\"sqs\",\"Endpoint\":"
                         "\"arn:aws:sqs:us-east-1:123456789012:q\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "NotFound");
    CHECK_EQ_INT(fx_call(&f, "sns", "Subscribe", sns_subscribe,
                         "{\"TopicArn\":\"" TOPIC "\",\"Protocol\":\"lambda\",\"Endpoint\":\"x\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Invalid parameter: Lambda endpoint ARN");
    CHECK_EQ_INT(fx_call(&f, "sns", "Subscribe", sns_subscribe,
                         "{\"TopicArn\":\"" TOPIC "\",\"Protocol\":\"gopher\",\"Endpoint\":\"x\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f),
                 "Invalid parameter: Amazon SNS does not support this protocol string: gopher");

    /* publishing reaches only confirmed subscriptions */
    CHECK_EQ_INT(fx_call(&f, "sns", "Publish", sns_publish,
                         "{\"TopicArn\":\"" TOPIC "\",\"Message\":\"one\"}"),
                 0);
    CHECK_EQ_INT(count_rows(f.st, "SELECT count(*) FROM sns_messages WHERE type = 'Notification'"),
                 0);
    sqlite3_stmt *s = store_stmt(f.st, "SELECT token FROM sns_subs");
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    char token[130];
    snprintf(token, sizeof(token), "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    CHECK_EQ_INT(fx_call(&f, "sns", "ConfirmSubscription", sns_confirm_subscription,
                         "{\"TopicArn\":\"" TOPIC "\",\"Token\":\"bad\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f), "Invalid parameter: Token");
    CHECK_EQ_INT(fx_callf(&f, "sns", "ConfirmSubscription", sns_confirm_subscription,
                          "{\"TopicArn\":\"" TOPIC "\",\"Token\":\"%s\"}", token),
                 0);
    CHECK(str_startswith(fx_js(&f, "SubscriptionArn"), TOPIC ":"));

    /* the filter policy: sev=high and sev=critical pass, sev=low and no attribute do not */
    const char *const sev[] = {"high", "critical", "low"};
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(fx_callf(&f, "sns", "Publish", sns_publish,
                              "{\"TopicArn\":\"" TOPIC
                              "\",\"Message\":\"m%d\",\"MessageAttributes\":"
                              "{\"sev\":{\"DataType\":\"String\",\"StringValue\":\"%s\"}}}",
                              i, sev[i]),
                     0);
    CHECK_EQ_INT(fx_call(&f, "sns", "Publish", sns_publish,
                         "{\"TopicArn\":\"" TOPIC "\",\"Message\":\"none\"}"),
                 0);
    CHECK_EQ_INT(count_rows(f.st, "SELECT count(*) FROM sns_messages WHERE type = 'Notification'"
                                  " AND state = 'inbox' AND body IN ('m0', 'm1')"),
                 2);
    CHECK_EQ_INT(count_rows(f.st, "SELECT count(*) FROM sns_messages WHERE type = 'Notification'"),
                 2);
    /* AWS's validation texts */
    CHECK_EQ_INT(fx_call(&f, "sns", "Publish", sns_publish,
                         "{\"TopicArn\":\"" TOPIC "\",\"Message\":\"{}\",\"MessageStructure\":"
                         "\"json\"}"),
                 -1);
    CHECK_EQ_STR(fx_err_message(&f),
                 "Invalid parameter: Message Structure - No default entry in JSON message body");
    CHECK_EQ_INT(fx_call(&f, "sns", "Publish", sns_publish,
                         "{\"TopicArn\":\"" TOPIC "\",\"Message\":\"x\",\"MessageAttributes\":"
                         "{\"n\":{\"DataType\":\"Number\",\"StringValue\":\"abc\"}}}"),
                 -1);
    CHECK_EQ_STR(fx_err_code(&f), "ParameterValueInvalid");
    fx_close(&f);
}

static const char *alarm_doc(void)
{
    return "{\"AlarmName\":\"web-recover\",\"AlarmDescription\":\"recover web\","
           "\"ActionsEnabled\":true,\"OKActions\":[],\"AlarmActions\":[\"" TOPIC "\"],"
           "\"InsufficientDataActions\":[],\"StateValue\":\"OK\",\"StateReason\":\"x\","
           "\"MetricName\":\"StatusCheckFailed_System\",\"Namespace\":\"AWS/EC2\","
           "\"Statistic\":\"Minimum\",\"Dimensions\":[{\"Name\":\"InstanceId\",\"Value\":"
           "\"i-0123456789abcdef0\"}],\"Period\":60,\"EvaluationPeriods\":2,\"Threshold\":0.0,"
           "\"ComparisonOperator\":\"GreaterThanThreshold\","
           "\"AlarmConfigurationUpdatedTimestamp\":1795867000123}";
}

static void move(struct fx *f, const char *name, const char *state)
{
    struct cw_alarm a;
    CHECK_EQ_INT(cw_alarm_load(f->st, "us-east-1", name, &a), 0);
    store_begin(f->st);
    CHECK_EQ_INT(cw_alarm_transition(f->st, &a, state, "testing", NULL, f->now_ms), 0);
    store_commit(f->st);
    cw_alarm_free(&a);
}

TEST(sns_alarm_notification_and_topic_policy)
{
    struct fx f;
    sns_open(&f);
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic, "{\"Name\":\"ops\"}"), 0);
    CHECK_EQ_INT(fx_call(&f, "sns", "Subscribe", sns_subscribe,
                         "{\"TopicArn\":\"" TOPIC "\",\"Protocol\":\"sms\",\"Endpoint\":"
                         "\"+15555550100\"}"),
                 0);
    CHECK_EQ_INT(fx_call(&f, "sns", "Subscribe", sns_subscribe,
                         "{\"TopicArn\":\"" TOPIC "\",\"Protocol\":\"email\",\"Endpoint\":"
                         "\"oncall@example.com\",\"ReturnSubscriptionArn\":true}"),
                 0);
    sqlite3_stmt *q = store_stmt(f.st, "SELECT token FROM sns_subs WHERE protocol = 'email'");
    CHECK(sqlite3_step(q) == SQLITE_ROW);
    char token[130];
    snprintf(token, sizeof(token), "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_reset(q);
    CHECK_EQ_INT(fx_callf(&f, "sns", "ConfirmSubscription", sns_confirm_subscription,
                          "{\"TopicArn\":\"" TOPIC "\",\"Token\":\"%s\"}", token),
                 0);
    cwt_alarm_insert(f.st, "web-recover", alarm_doc(), &f.who, NULL);
    move(&f, "web-recover", "ALARM");
    /* email subscribers get AWS's text, the others the JSON */
    sqlite3_stmt *e = store_stmt(f.st, "SELECT body FROM sns_messages WHERE type = 'Notification'"
                                       " AND protocol = 'email'");
    CHECK(sqlite3_step(e) == SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(e, 0),
                 "You are receiving this email because your Amazon CloudWatch Alarm "
                 "\"web-recover\" in the US East (N. Virginia) region has entered the ALARM "
                 "state, because \"testing\" at \"Saturday 28 November, 2026 12:00:00 UTC\".");
    sqlite3_reset(e);
    CHECK_EQ_STR(cwt_history_summary(f.st, "web-recover", "Action"),
                 "Successfully executed action " TOPIC);
    CHECK_CONTAINS(cwt_history_data(f.st, "web-recover", "Action"), "\"publishedMessage\":");
    sqlite3_stmt *s = store_stmt(f.st, "SELECT subject, body FROM sns_messages WHERE type ="
                                       " 'Notification' AND protocol = 'sms' ORDER BY id DESC"
                                       " LIMIT 1");
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(s, 0),
                 "ALARM: \"web-recover\" in US East (N. Virginia)");
    json_t *m = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL);
    sqlite3_reset(s);
    CHECK(m != NULL);
    /* AWS's fields, in AWS's order */
    const char *const keys[] = {"AlarmName",
                                "AlarmDescription",
                                "AWSAccountId",
                                "AlarmConfigurationUpdatedTimestamp",
                                "NewStateValue",
                                "NewStateReason",
                                "StateChangeTime",
                                "Region",
                                "AlarmArn",
                                "OldStateValue",
                                "OKActions",
                                "AlarmActions",
                                "InsufficientDataActions",
                                "Trigger"};
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        CHECK_EQ_STR(k, i < ARRAY_LEN(keys) ? keys[i] : "?");
        i++;
    }
    CHECK_EQ_STR(json_string_value(json_object_get(m, "Region")), "US East (N. Virginia)");
    CHECK_EQ_STR(json_string_value(json_object_get(m, "OldStateValue")), "OK");
    CHECK_EQ_STR(json_string_value(json_object_get(m, "NewStateValue")), "ALARM");
    CHECK_EQ_STR(json_string_value(json_object_get(m, "AlarmConfigurationUpdatedTimestamp")),
                 "2026-11-28T11:56:40.123+0000");
    CHECK_EQ_STR(json_string_value(json_object_get(m, "StateChangeTime")),
                 "2026-11-28T12:00:00.000+0000");
    json_t *tr = json_object_get(m, "Trigger");
    CHECK_EQ_STR(json_string_value(json_object_get(tr, "Statistic")), "MINIMUM");
    CHECK_EQ_STR(json_string_value(json_object_get(tr, "StatisticType")), "Statistic");
    CHECK(json_is_null(json_object_get(tr, "Unit")));
    CHECK_EQ_STR(json_string_value(
                     json_object_get(json_array_get(json_object_get(tr, "Dimensions"), 0), "name")),
                 "InstanceId");
    json_decref(m);

    /* a topic policy that denies CloudWatch: the action fails with AWS's text */
    CHECK_EQ_INT(
        fx_call(&f, "sns", "SetTopicAttributes", sns_set_topic_attributes,
                "{\"TopicArn\":\"" TOPIC "\",\"AttributeName\":\"Policy\",\"AttributeValue\":"
                "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":"
                "\\\"Deny\\\",\\\"Principal\\\":{\\\"Service\\\":\\\"cloudwatch.amazonaws.com\\\"},"
                "\\\"Action\\\":\\\"sns:Publish\\\",\\\"Resource\\\":\\\"" TOPIC "\\\"},"
                "{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"*\\\"},"
                "\\\"Action\\\":\\\"sns:*\\\",\\\"Resource\\\":\\\"" TOPIC "\\\"}]}\"}"),
        0);
    move(&f, "web-recover", "OK");
    move(&f, "web-recover", "ALARM");
    CHECK_EQ_STR(cwt_history_summary(f.st, "web-recover", "Action"),
                 "Failed to execute action " TOPIC ". Received error: \"CloudWatch Alarms is not "
                 "authorized to perform: SNS:Publish on resource:" TOPIC "\"");
    /* a root caller still publishes: the Deny names only the CloudWatch principal */
    CHECK_EQ_INT(fx_call(&f, "sns", "Publish", sns_publish,
                         "{\"TopicArn\":\"" TOPIC "\",\"Message\":\"by hand\"}"),
                 0);
    fx_close(&f);
}

TEST(sns_identity_and_topic_policy_for_users)
{
    struct fx f;
    sns_open(&f);
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic, "{\"Name\":\"ops\"}"), 0);
    /* a user without identity policies: the default topic policy (owner account) allows */
    fx_as_user(&f, "bob", "AIDAEXAMPLEBOB000001");
    CHECK_EQ_INT(fx_call(&f, "sns", "Publish", sns_publish,
                         "{\"TopicArn\":\"" TOPIC "\",\"Message\":\"hi\"}"),
                 0);
    /* but not CreateTopic, which only identity policies can allow */
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic, "{\"Name\":\"x\"}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "AuthorizationError");
    CHECK_CONTAINS(fx_err_message(&f), "is not authorized to perform: SNS:CreateTopic");
    fx_close(&f);
}

TEST(sns_retry_schedules)
{
    json_t *def =
        json_pack("{s:i, s:i, s:i}", "minDelayTarget", 20, "maxDelayTarget", 20, "numRetries", 3);
    CHECK_EQ_INT((int)sns_retry_delay(def, 1), 20);
    CHECK_EQ_INT((int)sns_retry_delay(def, 3), 20);
    CHECK_EQ_INT((int)sns_retry_delay(def, 4), -1);
    json_decref(def);
    /* 2 immediate, 1 at the minimum, 4 backing off linearly from 10 to 50, 1 at the maximum */
    json_t *p =
        json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:s}", "minDelayTarget", 10, "maxDelayTarget", 50,
                  "numRetries", 8, "numNoDelayRetries", 2, "numMinDelayRetries", 1,
                  "numMaxDelayRetries", 1, "backoffFunction", "linear");
    const int want[] = {0, 0, 10, 20, 30, 40, 50, 50, -1};
    for (int n = 1; n <= 9; n++)
        CHECK_EQ_INT((int)sns_retry_delay(p, n), want[n - 1]);
    json_decref(p);
}

TEST(sns_http_to_other_hosts_is_held)
{
    struct fx f;
    sns_open(&f);
    CHECK_EQ_INT(fx_call(&f, "sns", "CreateTopic", sns_create_topic, "{\"Name\":\"ops\"}"), 0);
    CHECK_EQ_INT(fx_call(&f, "sns", "Subscribe", sns_subscribe,
                         "{\"TopicArn\":\"" TOPIC "\",\"Protocol\":\"https\",\"Endpoint\":"
                         "\"https://hooks.example.com/sns\"}"),
                 0);
    CHECK_EQ_INT(count_rows(f.st, "SELECT count(*) FROM sns_messages WHERE state = 'held' AND"
                                  " last_error LIKE '%--sns-deliver any%'"),
                 1);
    CHECK_EQ_INT(count_rows(f.st, "SELECT count(*) FROM events WHERE kind = 'sns.deliver'"), 0);
    fx_close(&f);
}
