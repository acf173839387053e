/*
 * drill_sns.c — what `recoverlab drill` says about an SNS action beyond its history item
 * (issue 12): the notification's delivery. On a recoverlab lab the deliveries the drill
 * caused are read from the lab's delivery log (GET /_recoverlab/sns/messages, the ones newer
 * than the mark taken before forcing the alarm); anywhere else SNS's own
 * ListSubscriptionsByTopic tells whether anyone is subscribed. The summary: "delivered"
 * (an endpoint took it, or the lab's inbox holds it), "retrying", "failed", "held" (not a
 * loopback endpoint), "pending confirmation" (only unconfirmed subscriptions),
 * "no subscribers", or "sent" (not a lab: SNS accepted it for confirmed subscriptions).
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static json_t *messages(const struct cli_target *t, const char *topic, long long after)
{
    struct buf path = BUF_INIT, resp = BUF_INIT;
    CURL *h = curl_easy_init();
    char *enc = h && topic ? curl_easy_escape(h, topic, 0) : NULL;
    buf_printf(&path, "/_recoverlab/sns/messages?after=%lld", after);
    if (enc)
        buf_printf(&path, "&topic=%s", enc);
    long status = 0;
    json_t *doc = NULL;
    if (cli_request("drill", t, "GET", path.p, NULL, &status, &resp) == 0 && status == 200)
        doc = json_loads(resp.p ? resp.p : "", 0, NULL);
    curl_free(enc);
    curl_easy_cleanup(h);
    buf_free(&path);
    buf_free(&resp);
    return doc;
}

long long cli_drill_sns_mark(const struct cli_target *t)
{
    json_t *doc = messages(t, "arn:aws:sns:none", 0);
    long long last = (long long)json_integer_value(json_object_get(doc, "lastId"));
    json_decref(doc);
    return last;
}

/* Protocol/endpoint/state of the subscriptions of topic, via SNS (NULL on error). */
static json_t *subscriptions(const struct cli_target *t, const char *topic)
{
    char region[64] = "";
    sscanf(topic, "arn:aws:sns:%63[^:]", region);
    json_t *p = json_pack("{s:s}", "TopicArn", topic);
    struct cli_aws_result r;
    int rc = cli_aws_call("drill", t, region, CLI_SVC_SNS, "ListSubscriptionsByTopic", p, &r);
    json_decref(p);
    json_t *out = NULL;
    if (rc == 0) {
        const json_t *res = json_object_get(r.json, "ListSubscriptionsByTopicResult");
        out = json_deep_copy(json_object_get(res ? res : r.json, "Subscriptions"));
        if (!json_is_array(out)) {
            json_decref(out);
            out = json_array();
        }
    }
    cli_aws_result_free(&r);
    return out;
}

void cli_drill_sns_report(const struct cli_target *t, bool lab, const char *topic, long long mark,
                          json_t *action)
{
    json_t *subs = subscriptions(t, topic);
    size_t confirmed = 0, pending = 0, i;
    json_t *s;
    json_array_foreach(subs, i, s)
    {
        if (str_startswith(cli_jstr(s, "SubscriptionArn"), "arn:"))
            confirmed++;
        else
            pending++;
    }
    json_decref(subs);
    const char *summary = confirmed ? "sent" : pending ? "pending confirmation" : "no subscribers";
    if (lab && confirmed) {
        json_t *doc = NULL, *got = json_array();
        /* deliveries run right after the call that caused them; give them a moment */
        for (int tries = 0; tries < 30; tries++) {
            json_decref(doc);
            doc = messages(t, topic, mark);
            json_array_clear(got);
            bool busy = false;
            json_array_foreach(json_object_get(doc, "messages"), i, s)
            {
                if (!str_eq(cli_jstr(s, "type"), "Notification"))
                    continue;
                json_array_append_new(got, json_pack("{s:s?, s:s?, s:s?, s:O?}", "protocol",
                                                     cli_jstr(s, "protocol"), "endpoint",
                                                     cli_jstr(s, "endpoint"), "state",
                                                     cli_jstr(s, "state"), "attempts",
                                                     json_object_get(s, "attempts")));
                busy |= str_eq(cli_jstr(s, "state"), "pending") &&
                        json_integer_value(json_object_get(s, "attempts")) == 0;
            }
            if (json_array_size(got) >= confirmed && !busy)
                break;
            usleep(100 * 1000);
        }
        bool delivered = false, failed = false, retrying = false, held = false;
        json_array_foreach(got, i, s)
        {
            const char *st = cli_jstr(s, "state");
            delivered |= str_eq(st, "delivered") || str_eq(st, "inbox");
            failed |= str_eq(st, "failed");
            retrying |= str_eq(st, "pending");
            held |= str_eq(st, "held");
        }
        summary = delivered  ? "delivered"
                  : retrying ? "retrying"
                  : failed   ? "failed"
                  : held     ? "held"
                             : "no delivery";
        json_object_set_new(action, "deliveries", got);
        json_decref(doc);
    }
    json_object_set_new(action, "delivery", json_string(summary));
}
