/*
 * drill.c — `recoverlab drill ALARM... | --all [--yes] [--timeout D] [--json]`: proves an
 * alarm's actions by forcing it (issue 7 item 3). For each alarm: note its state,
 * SetAlarmState ALARM with reason `recoverlab drill` (an alarm already in ALARM is first set
 * to OK, which runs its OK actions), poll DescribeAlarmHistory (Action items) until one new
 * item per alarm action arrived or the timeout passed, report each action's result and
 * message, then SetAlarmState back to the previous state. Against an endpoint that does not
 * answer GET /_recoverlab/health (not a recoverlab lab) alarms with EC2 actions are refused
 * unless --yes: the action really runs. Progress goes to stderr.
 * Exit 0 when every action succeeded, 1 when one failed or did not report in time, 2 on
 * usage or connection errors and refusals.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

#define DRILL_REASON "recoverlab drill"

static int call(const struct cli_target *t, const char *op, json_t *params,
                struct cli_aws_result *r)
{
    int rc = cli_aws_call("drill", t, NULL, CLI_SVC_CLOUDWATCH, op, params, r);
    json_decref(params);
    if (rc == 1)
        fprintf(stderr, "recoverlab drill: %s: %s: %s\n", op, r->code,
                r->message ? r->message : "");
    return rc;
}

/*
 * Calls op with params (a copy per page, with the NextToken of the page before) until no
 * NextToken comes back. The members named by lists (NULL-terminated) of every page,
 * appended in order, as a new array; NULL on an error (printed). params stays the caller's.
 */
static json_t *call_pages(const struct cli_target *t, const char *op, const json_t *params,
                          const char *const *lists)
{
    json_t *all = json_array();
    char *token = NULL;
    do {
        json_t *p = json_copy((json_t *)params);
        if (token)
            json_object_set_new(p, "NextToken", json_string(token));
        free(token);
        token = NULL;
        struct cli_aws_result r;
        if (call(t, op, p, &r)) {
            cli_aws_result_free(&r);
            json_decref(all);
            return NULL;
        }
        for (size_t i = 0; lists[i]; i++)
            json_array_extend(all, json_object_get(r.json, lists[i]));
        const char *nt = cli_jstr(r.json, "NextToken");
        token = nt && *nt ? xstrdup(nt) : NULL;
        cli_aws_result_free(&r);
    } while (token);
    return all;
}

/* The named alarms (or all, names NULL), metric and composite, in the given order.
 * NULL after printing on an error or an unknown name. */
static json_t *find_alarms(const struct cli_target *t, char **names, int n)
{
    static const char *const lists[] = {"MetricAlarms", "CompositeAlarms", NULL};
    json_t *p = json_pack("{s:[s,s], s:i}", "AlarmTypes", "MetricAlarm", "CompositeAlarm",
                          "MaxRecords", 100);
    json_t *all = call_pages(t, "DescribeAlarms", p, lists);
    json_decref(p);
    if (!all)
        return NULL;
    if (!names)
        return all;
    json_t *sel = json_array();
    for (int i = 0; i < n; i++) {
        json_t *found = NULL;
        size_t k;
        json_t *a;
        json_array_foreach(all, k, a)
        {
            if (str_eq(cli_jstr(a, "AlarmName"), names[i]))
                found = a;
        }
        if (!found) {
            fprintf(stderr, "recoverlab drill: no alarm named %s\n", names[i]);
            json_decref(sel);
            json_decref(all);
            return NULL;
        }
        json_array_append(sel, found);
    }
    json_decref(all);
    return sel;
}

/* The Action history items of an alarm (new array, newest first), NULL on error. */
static json_t *action_items(const struct cli_target *t, const char *name)
{
    static const char *const lists[] = {"AlarmHistoryItems", NULL};
    json_t *p = json_pack("{s:s, s:s, s:i}", "AlarmName", name, "HistoryItemType", "Action",
                          "MaxRecords", 100);
    json_t *items = call_pages(t, "DescribeAlarmHistory", p, lists);
    json_decref(p);
    return items;
}

/* A key for one history item (timestamp + summary + data). */
static char *item_key(const json_t *it)
{
    struct buf b = BUF_INIT;
    json_t *ts = json_object_get(it, "Timestamp");
    char *tss = json_dumps(ts, JSON_ENCODE_ANY);
    buf_printf(&b, "%s|%s|%s", tss ? tss : "", cli_jstr(it, "HistorySummary"),
               cli_jstr(it, "HistoryData") ? cli_jstr(it, "HistoryData") : "");
    free(tss);
    return buf_steal(&b);
}

static int set_state(const struct cli_target *t, const char *name, const char *state,
                     const char *reason)
{
    struct cli_aws_result r;
    int rc = call(
        t, "SetAlarmState",
        json_pack("{s:s, s:s, s:s}", "AlarmName", name, "StateValue", state, "StateReason", reason),
        &r);
    cli_aws_result_free(&r);
    return rc;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Drills one alarm; fills res. Returns 0 ok, 1 a failed/missing action, 2 a call failed. */
static int drill_one(const struct cli_target *t, const json_t *alarm, int64_t timeout_ms,
                     json_t *res)
{
    const char *name = cli_jstr(alarm, "AlarmName");
    const char *prev = cli_jstr(alarm, "StateValue");
    const json_t *acts = json_object_get(alarm, "AlarmActions");
    size_t want = json_array_size(acts);
    json_object_set_new(res, "previousState", json_string(prev ? prev : "INSUFFICIENT_DATA"));
    json_t *before = action_items(t, name);
    if (!before)
        return 2;
    json_t *seen = json_object();
    size_t i;
    json_t *it;
    json_array_foreach(before, i, it)
    {
        char *k = item_key(it);
        json_object_set_new(seen, k, json_true());
        free(k);
    }
    json_decref(before);
    int rc = 2;
    json_t *results = json_array();
    bool lab = cli_lab_health(t);
    long long sns_mark = lab && cli_alarm_has_sns(alarm) ? cli_drill_sns_mark(t) : 0;
    if (str_eq(prev, "ALARM") && set_state(t, name, "OK", DRILL_REASON " (reset to OK first)"))
        goto out;
    fprintf(stderr, "drill %s: %s -> ALARM (%zu action%s)\n", name, prev ? prev : "?", want,
            want == 1 ? "" : "s");
    if (set_state(t, name, "ALARM", DRILL_REASON))
        goto out;
    int64_t start = wall_now_ms();
    bool timed_out = false;
    for (;;) {
        json_t *now = action_items(t, name);
        if (!now)
            goto restore;
        json_array_clear(results);
        json_array_foreach(now, i, it)
        {
            char *k = item_key(it);
            if (!json_object_get(seen, k))
                json_array_insert(results, 0, it); /* oldest first */
            free(k);
        }
        json_decref(now);
        if (json_array_size(results) >= want)
            break;
        int64_t waited = wall_now_ms() - start;
        if (waited >= timeout_ms) {
            timed_out = true;
            break;
        }
        fprintf(stderr, "drill %s: waiting for %zu action result%s (%llds of %llds)\n", name,
                want - json_array_size(results), want - json_array_size(results) == 1 ? "" : "s",
                (long long)(waited / 1000), (long long)(timeout_ms / 1000));
        sleep_ms(1000);
    }
    rc = timed_out ? 1 : 0;
    json_t *out = json_array();
    json_array_foreach(results, i, it)
    {
        json_t *data =
            cli_jstr(it, "HistoryData") ? json_loads(cli_jstr(it, "HistoryData"), 0, NULL) : NULL;
        const char *st = cli_jstr(data, "actionState");
        const char *summary = cli_jstr(it, "HistorySummary");
        const char *arn = NULL;
        size_t k;
        json_t *a;
        json_array_foreach(acts, k, a)
        {
            if (summary && strstr(summary, json_string_value(a)))
                arn = json_string_value(a);
        }
        bool ok = st ? str_eq(st, "Succeeded") : str_startswith(summary, "Successfully");
        if (!ok)
            rc = 1;
        json_t *act = json_pack("{s:s?, s:s, s:s?, s:s?}", "action", arn, "result",
                                ok ? "Succeeded" : "Failed", "message", summary, "error",
                                cli_jstr(data, "error"));
        if (ok && arn && str_startswith(arn, "arn:aws:sns:"))
            cli_drill_sns_report(t, lab, arn, sns_mark, act);
        json_array_append_new(out, act);
        json_decref(data);
    }
    json_object_set_new(res, "actions", out);
    if (timed_out)
        json_object_set_new(res, "timedOut", json_true());
restore:
    if (set_state(t, name, prev ? prev : "INSUFFICIENT_DATA",
                  DRILL_REASON ": restoring the previous state")) {
        json_object_set_new(res, "restored", json_false());
        rc = 2;
    } else {
        json_object_set_new(res, "restored", json_true());
        fprintf(stderr, "drill %s: restored to %s\n", name, prev ? prev : "INSUFFICIENT_DATA");
    }
out:
    json_decref(results);
    json_decref(seen);
    return rc;
}

int cli_drill_main(int argc, char **argv)
{
    struct cli_opts o;
    struct cli_target t;
    memset(&t, 0, sizeof(t));
    int rc = CLI_EXIT_USAGE, nrest = 0;
    bool all = false, yes = false;
    const char *timeout_s = "60s";
    char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));
    char **av = xcalloc((size_t)argc + 1, sizeof(*av));
    json_t *alarms = NULL, *report = json_array();
    int ac = 0;
    av[ac++] = argv[0];
    for (int i = 1; i < argc; i++) {
        int r = cli_take_opt("drill", argc, argv, &i, "--timeout", &timeout_s);
        if (r < 0)
            goto out;
        if (r > 0)
            continue;
        if (str_eq(argv[i], "--all"))
            all = true;
        else if (str_eq(argv[i], "--yes"))
            yes = true;
        else
            av[ac++] = argv[i];
    }
    int64_t timeout_ms;
    if (cli_parse_common("drill", ac, av, &o, rest, argc, &nrest))
        goto usage;
    if ((all && nrest) || (!all && !nrest))
        goto usage;
    if (duration_parse(timeout_s, &timeout_ms) || timeout_ms <= 0) {
        fprintf(stderr, "recoverlab drill: bad --timeout %s (use e.g. 30s, 2m)\n", timeout_s);
        goto out;
    }
    if (cli_target_resolve("drill", &o, &t))
        goto out;
    bool lab = cli_lab_health(&t);
    alarms = find_alarms(&t, all ? NULL : rest, nrest);
    if (!alarms)
        goto out;
    int worst = 0;
    size_t i;
    json_t *a;
    json_array_foreach(alarms, i, a)
    {
        const char *name = cli_jstr(a, "AlarmName");
        json_t *res = json_pack("{s:s}", "alarm", name);
        json_array_append_new(report, res);
        int kinds = cli_alarm_actions(a);
        if (kinds && !lab && !yes) {
            fprintf(stderr,
                    "recoverlab drill: %s has EC2 actions and %s is not a recoverlab lab: the "
                    "action really runs (a recover reboots the instance onto new hardware, "
                    "stop/terminate/reboot do what they say); pass --yes to drill it anyway\n",
                    name, t.endpoint);
            json_object_set_new(res, "status", json_string("refused"));
            worst = worst < 2 ? 2 : worst;
            continue;
        }
        if (!json_array_size(json_object_get(a, "AlarmActions")))
            fprintf(stderr, "drill %s: no alarm actions; forcing it anyway\n", name);
        int r = drill_one(&t, a, timeout_ms, res);
        json_object_set_new(res, "status",
                            json_string(r == 0   ? "ok"
                                        : r == 1 ? "failed"
                                                 : "error"));
        if (r > worst)
            worst = r;
    }
    if (o.json) {
        json_t *doc = json_pack("{s:O}", "drills", report);
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", s ? s : "{}");
        free(s);
        json_decref(doc);
    } else {
        json_array_foreach(report, i, a)
        {
            printf("%s: %s", cli_jstr(a, "alarm"), cli_jstr(a, "status"));
            if (cli_jstr(a, "previousState"))
                printf(" (state %s%s)", cli_jstr(a, "previousState"),
                       json_is_true(json_object_get(a, "restored")) ? ", restored" : "");
            printf("\n");
            size_t k;
            json_t *x;
            json_array_foreach(json_object_get(a, "actions"), k, x)
            {
                printf("    %s  %s\n", cli_jstr(x, "result"), cli_jstr(x, "message"));
                if (cli_jstr(x, "delivery"))
                    printf("        notification: %s\n", cli_jstr(x, "delivery"));
            }
            if (json_is_true(json_object_get(a, "timedOut")))
                printf("    no result for every action within the timeout\n");
        }
    }
    rc = worst;
    goto out;
usage:
    fprintf(stderr, "usage: recoverlab drill ALARM... | --all [--yes] [--timeout D] "
                    "[--data DIR | --endpoint URL] [--json]\n");
out:
    json_decref(alarms);
    json_decref(report);
    cli_target_free(&t);
    free(rest);
    free(av);
    return rc;
}
