/*
 * audit.c — `recoverlab audit [--region R]... [--json]`: for every metric alarm with EC2
 * actions (and, issue 12, every alarm with SNS actions: audit_sns.c), findings with a
 * severity, the evidence and the fix (issue 7 item 2). Only public APIs: CloudWatch
 * DescribeAlarms, SNS GetTopicAttributes, CloudTrail LookupEvents (EventName=PutMetricAlarm: who
 * made the latest put), IAM GetUser / ListAccessKeys / GetRole, EC2 DescribeInstances /
 * DescribeInstanceTypes. Exit 1 on any error finding, 2 on usage or connection errors.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define SLR_NAME "AWSServiceRoleForCloudWatchEvents"

struct audit {
    const struct cli_target *t;
    const char *region;
    json_t *findings; /* all findings, in order */
    json_t *alarms;   /* one summary per alarm checked */
    int fatal;        /* a call failed: exit 2 */
};

/* An AWS call that must work: failures print and mark the audit fatal. */
static int must(struct audit *a, enum cli_svc svc, const char *op, const json_t *params,
                struct cli_aws_result *r)
{
    int rc = cli_aws_call("audit", a->t, a->region, svc, op, params, r);
    if (rc == 1)
        fprintf(stderr, "recoverlab audit: %s %s: %s: %s\n", a->region, op, r->code,
                r->message ? r->message : "");
    if (rc)
        a->fatal = 1;
    return rc;
}

static void finding(json_t *out, const char *sev, const char *rule, const char *msg,
                    const char *evidence, const char *fix)
{
    json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "severity", sev, "rule", rule, "message", msg,
                          "fix", fix);
    if (evidence)
        json_object_set_new(f, "evidence", json_string(evidence));
    json_array_append_new(out, f);
}

/* DescribeAlarms, all pages: the metric alarms with EC2 actions (new array), NULL on error. */
static json_t *alarms_with_ec2_actions(struct audit *a)
{
    json_t *all = json_array();
    char *token = NULL;
    do {
        json_t *p = json_pack("{s:i}", "MaxRecords", 100);
        if (token)
            json_object_set_new(p, "NextToken", json_string(token));
        struct cli_aws_result r;
        int rc = must(a, CLI_SVC_CLOUDWATCH, "DescribeAlarms", p, &r);
        json_decref(p);
        free(token);
        token = NULL;
        if (rc) {
            cli_aws_result_free(&r);
            json_decref(all);
            return NULL;
        }
        size_t i;
        json_t *al;
        json_array_foreach(json_object_get(r.json, "MetricAlarms"), i, al)
        {
            if (cli_alarm_actions(al) || cli_alarm_has_sns(al))
                json_array_append(all, al);
        }
        const char *nt = cli_jstr(r.json, "NextToken");
        token = nt && *nt ? xstrdup(nt) : NULL;
        cli_aws_result_free(&r);
    } while (token);
    return all;
}

/* CloudTrail: alarm name -> the CloudTrailEvent (parsed) of its latest successful
 * PutMetricAlarm. NULL when LookupEvents failed (*why set, heap). */
static json_t *latest_puts(struct audit *a, char **why)
{
    json_t *map = json_object();
    char *token = NULL;
    *why = NULL;
    do {
        json_t *p = json_pack("{s:[{s:s, s:s}], s:i}", "LookupAttributes", "AttributeKey",
                              "EventName", "AttributeValue", "PutMetricAlarm", "MaxResults", 50);
        if (token)
            json_object_set_new(p, "NextToken", json_string(token));
        struct cli_aws_result r;
        int rc = cli_aws_call("audit", a->t, a->region, CLI_SVC_CLOUDTRAIL, "LookupEvents", p, &r);
        json_decref(p);
        free(token);
        token = NULL;
        if (rc) {
            struct buf m = BUF_INIT;
            if (rc == 1)
                buf_printf(&m, "CloudTrail LookupEvents failed: %s: %s", r.code,
                           r.message ? r.message : "");
            else
                buf_puts(&m, "CloudTrail LookupEvents failed");
            *why = buf_steal(&m);
            cli_aws_result_free(&r);
            json_decref(map);
            return NULL;
        }
        size_t i;
        json_t *ev;
        json_array_foreach(json_object_get(r.json, "Events"), i, ev)
        {
            const char *raw = cli_jstr(ev, "CloudTrailEvent");
            json_t *ct = raw ? json_loads(raw, 0, NULL) : NULL;
            if (!ct)
                continue;
            const char *name = cli_jstr(ct, "requestParameters.alarmName");
            if (!name)
                name = cli_jstr(ct, "requestParameters.AlarmName");
            /* newest first: keep the first successful put of each alarm */
            if (name && !json_object_get(ct, "errorCode") && !json_object_get(map, name))
                json_object_set(map, name, ct);
            json_decref(ct);
        }
        const char *nt = cli_jstr(r.json, "NextToken");
        token = nt && *nt ? xstrdup(nt) : NULL;
        cli_aws_result_free(&r);
    } while (token);
    return map;
}

/* EC2 facts about an instance: "gone" true/false, "type", "recoverable" (1/0/-1). */
static json_t *instance_facts(struct audit *a, const char *iid)
{
    json_t *facts = json_pack("{s:b, s:i}", "gone", 0, "recoverable", -1);
    json_t *p = json_pack("{s:s}", "InstanceId.1", iid);
    struct cli_aws_result r;
    int rc = cli_aws_call("audit", a->t, a->region, CLI_SVC_EC2, "DescribeInstances", p, &r);
    json_decref(p);
    if (rc == 1 && str_startswith(r.code, "InvalidInstanceID")) {
        json_object_set_new(facts, "gone", json_true());
        json_object_set_new(facts, "state", json_string("not found"));
    } else if (rc == 0) {
        const json_t *inst = json_array_get(
            cli_jpath(json_array_get(json_object_get(r.json, "reservationSet"), 0), "instancesSet"),
            0);
        const char *state = cli_jstr(inst, "instanceState.name");
        const char *type = cli_jstr(inst, "instanceType");
        if (!inst || str_eq(state, "terminated") || str_eq(state, "shutting-down")) {
            json_object_set_new(facts, "gone", json_true());
            json_object_set_new(facts, "state", json_string(state ? state : "not found"));
        }
        if (type)
            json_object_set_new(facts, "type", json_string(type));
    } else if (rc == 1) {
        fprintf(stderr, "recoverlab audit: %s DescribeInstances %s: %s: %s\n", a->region, iid,
                r.code, r.message ? r.message : "");
    } else {
        a->fatal = 1;
    }
    cli_aws_result_free(&r);
    const char *type = cli_jstr(facts, "type");
    if (type) {
        p = json_pack("{s:s}", "InstanceType.1", type);
        rc = cli_aws_call("audit", a->t, a->region, CLI_SVC_EC2, "DescribeInstanceTypes", p, &r);
        json_decref(p);
        const char *ars =
            rc == 0 ? cli_jstr(json_array_get(json_object_get(r.json, "instanceTypeSet"), 0),
                               "autoRecoverySupported")
                    : NULL;
        if (ars)
            json_object_set_new(facts, "recoverable", json_integer(str_eq(ars, "true")));
        cli_aws_result_free(&r);
    }
    return facts;
}

/* 1 when the service-linked role exists, 0 when not, -1 unknown. */
static int slr_exists(struct audit *a)
{
    json_t *p = json_pack("{s:s}", "RoleName", SLR_NAME);
    struct cli_aws_result r;
    int rc = cli_aws_call("audit", a->t, a->region, CLI_SVC_IAM, "GetRole", p, &r);
    json_decref(p);
    int out = rc == 0 ? 1 : rc == 1 && str_eq(r.code, "NoSuchEntity") ? 0 : -1;
    cli_aws_result_free(&r);
    return out;
}

/*
 * What the creator may do to the instance, from IAM's policy simulator (the evaluator the
 * lab enforces with): SimulatePrincipalPolicy of the creator (a user, or a role session's
 * role) for ec2:RecoverInstances on the instance. Adds {"action","resource","decision",
 * "matchedStatements":[{"policy","type","line"}],"allowedByPermissionsBoundary"} to the
 * summary's creator and, when it is not allowed, an error finding. Quiet when the simulator
 * cannot answer (the finding would only guess).
 */
static void creator_permissions(struct audit *a, const char *arn, const char *iid,
                                const char *evidence, json_t *out, json_t *creator)
{
    if (!arn || !iid)
        return;
    char *res = NULL;
    {
        struct buf b = BUF_INIT;
        buf_printf(&b, "arn:aws:ec2:%s:%s:instance/%s", a->region,
                   cli_jstr(creator, "accountId") ? cli_jstr(creator, "accountId") : "*", iid);
        res = buf_steal(&b);
    }
    json_t *p = json_pack("{s:s, s:s, s:s}", "PolicySourceArn", arn, "ActionNames.member.1",
                          "ec2:RecoverInstances", "ResourceArns.member.1", res);
    struct cli_aws_result r;
    int rc = cli_aws_call("audit", a->t, a->region, CLI_SVC_IAM, "SimulatePrincipalPolicy", p, &r);
    json_decref(p);
    if (rc == 0) {
        const json_t *er = cli_jpath(r.json, "SimulatePrincipalPolicyResult.EvaluationResults");
        const json_t *e = json_array_get(er, 0);
        const char *decision = cli_jstr(e, "EvalDecision");
        json_t *ms = json_array();
        size_t i;
        const json_t *m;
        struct buf by = BUF_INIT;
        json_array_foreach(json_object_get(e, "MatchedStatements"), i, m)
        {
            const char *id = cli_jstr(m, "SourcePolicyId"), *ty = cli_jstr(m, "SourcePolicyType");
            const char *line = cli_jstr(m, "StartPosition.Line");
            json_array_append_new(ms, json_pack("{s:s?, s:s?, s:s?}", "policy", id, "type", ty,
                                                "line", line));
            buf_printf(&by, "%s%s (%s%s%s)", by.len ? ", " : "", id ? id : "?", ty ? ty : "?",
                       line ? ", line " : "", line ? line : "");
        }
        const char *pb = cli_jstr(e, "PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary");
        json_t *perm = json_pack("{s:s, s:s, s:s?, s:o}", "action", "ec2:RecoverInstances",
                                 "resource", res, "decision", decision, "matchedStatements", ms);
        if (pb)
            json_object_set_new(perm, "allowedByPermissionsBoundary",
                                json_boolean(str_eq(pb, "true")));
        json_object_set_new(creator, "permissions", perm);
        if (decision && !str_eq(decision, "allowed")) {
            struct buf m2 = BUF_INIT;
            buf_printf(&m2, "%s; IAM SimulatePrincipalPolicy %s ec2:RecoverInstances on %s: %s%s%s",
                       evidence, arn, res, decision, by.len ? " by " : "",
                       by.len ? by.p : (pb && str_eq(pb, "false") ? " (permissions boundary)" : ""));
            finding(out, "error", "recover-creator-not-permitted",
                    "the alarm's creator may not recover the instance: recover runs as its "
                    "creator and will be refused when it fires",
                    m2.p,
                    "allow ec2:RecoverInstances on the instance to the creator (an identity "
                    "policy, within its permissions boundary), or re-put the alarm as a user "
                    "who has it");
            buf_free(&m2);
        } else if (by.len) {
            json_object_set_new(creator, "allowedBy", json_string(by.p));
        }
        buf_free(&by);
    }
    cli_aws_result_free(&r);
    free(res);
}

/* The creator findings of a recover alarm from its latest put event (ct, may be NULL). */
static void creator_findings(struct audit *a, const json_t *ct, const char *why, json_t *out,
                             json_t *summary, const char *iid)
{
    if (!ct) {
        struct buf m = BUF_INIT;
        buf_printf(&m, "%s",
                   why ? why
                       : "no PutMetricAlarm event for this alarm in the "
                         "90-day CloudTrail event history");
        finding(out, "warning", "recover-creator-unknown",
                "who made the latest PutMetricAlarm is unknown: the recover action runs as that "
                "principal and may fail with 401 when it fires",
                m.p,
                "run `recoverlab drill ALARM` to prove it, or re-put the alarm as an IAM user "
                "with long-term keys");
        buf_free(&m);
        return;
    }
    const json_t *uid = json_object_get(ct, "userIdentity");
    const char *type = cli_jstr(uid, "type");
    const char *arn = cli_jstr(uid, "arn");
    const char *key = cli_jstr(uid, "accessKeyId");
    const char *by = cli_jstr(uid, "invokedBy");
    const char *when = cli_jstr(ct, "eventTime");
    json_t *creator = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "type", type, "arn", arn,
                                "accessKeyId", key, "invokedBy", by, "eventTime", when,
                                "accountId", cli_jstr(uid, "accountId"));
    json_object_set_new(summary, "creator", creator);
    struct buf ev = BUF_INIT;
    buf_printf(&ev, "CloudTrail PutMetricAlarm at %s by %s %s", when ? when : "?",
               type ? type : "?", arn ? arn : "?");
    if (key)
        buf_printf(&ev, " (access key %s)", key);
    if (by)
        buf_printf(&ev, ", invokedBy %s", by);
    bool temporary = str_eq(type, "AssumedRole") || str_eq(type, "FederatedUser") ||
                     str_eq(type, "WebIdentityUser") || str_eq(type, "SAMLUser") ||
                     str_startswith(key, "ASIA") ||
                     cli_jpath(uid, "sessionContext.sessionIssuer.arn") != NULL;
    /* the creator's permissions: a role session is simulated as its role */
    const char *sim_arn = str_eq(type, "IAMUser") ? arn
                          : cli_jstr(uid, "sessionContext.sessionIssuer.arn")
                              ? cli_jstr(uid, "sessionContext.sessionIssuer.arn")
                              : NULL;
    if (str_eq(type, "IAMUser") || str_eq(type, "AssumedRole"))
        creator_permissions(a, sim_arn, iid, ev.p, out, creator);
    if (temporary) {
        finding(out, "error", "recover-temporary-creator",
                "will fail with 401 when it fires: the latest PutMetricAlarm was made with "
                "temporary credentials (a role session), and recover runs as its creator",
                ev.p,
                by ? "update the stack as an IAM user with long-term keys (not a role session, "
                     "not --role-arn)"
                   : "re-put the alarm (aws cloudwatch put-metric-alarm, same settings) as an "
                     "IAM user with long-term keys");
        buf_free(&ev);
        return;
    }
    if (str_eq(type, "IAMUser")) {
        const char *user = cli_jstr(uid, "userName");
        if (!user && arn && strstr(arn, ":user/"))
            user = strrchr(arn, '/') + 1;
        json_t *p = json_pack("{s:s}", "UserName", user ? user : "");
        struct cli_aws_result r;
        int rc = cli_aws_call("audit", a->t, a->region, CLI_SVC_IAM, "GetUser", p, &r);
        if (rc == 1 && str_eq(r.code, "NoSuchEntity")) {
            finding(out, "error", "recover-creator-deleted",
                    "the IAM user who made the latest PutMetricAlarm no longer exists: recover "
                    "will fail when it fires",
                    ev.p, "re-put the alarm (or update the stack) as an existing IAM user");
        } else if (rc == 0 && key) {
            cli_aws_result_free(&r);
            rc = cli_aws_call("audit", a->t, a->region, CLI_SVC_IAM, "ListAccessKeys", p, &r);
            const char *status = NULL;
            size_t i;
            const json_t *k;
            json_array_foreach(cli_jpath(r.json, "ListAccessKeysResult.AccessKeyMetadata"), i, k)
            {
                if (str_eq(cli_jstr(k, "AccessKeyId"), key))
                    status = cli_jstr(k, "Status");
            }
            if (rc == 0 && !str_eq(status, "Active"))
                finding(out, "error", "recover-creator-key-inactive",
                        status ? "the access key that made the latest PutMetricAlarm is "
                                 "inactive: recover will fail when it fires"
                               : "the access key that made the latest PutMetricAlarm was "
                                 "deleted: recover will fail when it fires",
                        ev.p,
                        "re-put the alarm (or update the stack) with an active key of an IAM "
                        "user, or reactivate the key");
        }
        cli_aws_result_free(&r);
        json_decref(p);
    }
    buf_free(&ev);
}

static const char *kinds_text(int k, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%s%s", k & CLI_ACT_RECOVER ? "recover " : "",
             k & CLI_ACT_REBOOT ? "reboot " : "", k & CLI_ACT_STOP ? "stop " : "",
             k & CLI_ACT_TERMINATE ? "terminate " : "");
    size_t n = strlen(out);
    if (n)
        out[n - 1] = 0;
    return out;
}

static void audit_region(struct audit *a)
{
    json_t *alarms = alarms_with_ec2_actions(a);
    if (!alarms)
        return;
    if (!json_array_size(alarms)) {
        json_decref(alarms);
        return;
    }
    char *why = NULL;
    json_t *puts = NULL;
    bool any_recover = false, any_slr = false;
    size_t i;
    json_t *al;
    json_array_foreach(alarms, i, al)
    {
        int k = cli_alarm_actions(al);
        any_recover |= (k & CLI_ACT_RECOVER) != 0;
        any_slr |= (k & (CLI_ACT_REBOOT | CLI_ACT_STOP | CLI_ACT_TERMINATE)) != 0;
    }
    if (any_recover)
        puts = latest_puts(a, &why);
    int slr = any_slr ? slr_exists(a) : 1;
    json_t *inst_cache = json_object(), *races = json_array(), *per = json_object();
    json_array_foreach(alarms, i, al)
    {
        const char *name = cli_jstr(al, "AlarmName");
        const char *iid = cli_alarm_instance(al);
        int k = cli_alarm_actions(al);
        json_t *out = json_array();
        char kt[64];
        json_t *summary = json_pack("{s:s, s:s, s:s?, s:s}", "region", a->region, "alarm", name,
                                    "instance", iid, "actions", kinds_text(k, kt, sizeof(kt)));
        json_t *facts = NULL;
        if (iid) {
            facts = json_object_get(inst_cache, iid);
            if (!facts) {
                facts = instance_facts(a, iid);
                json_object_set_new(inst_cache, iid, facts);
            }
        }
        if (k & CLI_ACT_RECOVER)
            creator_findings(a, puts ? json_object_get(puts, name) : NULL, why, out, summary,
                             iid);
        if (cli_alarm_has_sns(al)) {
            cli_audit_sns(a->t, al, out);
            if (k)
                strncat(kt, " sns", sizeof(kt) - strlen(kt) - 1);
            json_object_set_new(summary, "actions", json_string(k ? kt : "sns"));
        }
        if (facts && json_is_true(json_object_get(facts, "gone"))) {
            struct buf m = BUF_INIT;
            buf_printf(&m, "EC2 DescribeInstances %s: %s", iid, cli_jstr(facts, "state"));
            finding(out, "error", "instance-gone",
                    "the watched instance is gone: the alarm can never act", m.p,
                    "delete the alarm, or point it at the instance that replaced this one");
            buf_free(&m);
        }
        const char *type = facts ? cli_jstr(facts, "type") : NULL;
        int recoverable =
            facts ? (int)json_integer_value(json_object_get(facts, "recoverable")) : -1;
        json_t *rules = json_array();
        cli_alarm_findings(al, type, recoverable, rules);
        json_array_extend(out, rules);
        json_decref(rules);
        if ((k & (CLI_ACT_REBOOT | CLI_ACT_STOP | CLI_ACT_TERMINATE)) && slr == 0)
            finding(out, "error", "service-linked-role-missing",
                    "the service-linked role " SLR_NAME " is missing: stop, terminate and "
                    "reboot actions fail",
                    "IAM GetRole " SLR_NAME ": NoSuchEntity",
                    "aws iam create-service-linked-role --aws-service-name events.amazonaws.com");
        json_array_append_new(
            races,
            json_pack("{s:s, s:s?, s:i, s:I}", "name", name, "instance", iid, "kinds", k, "periods",
                      json_integer_value(json_object_get(al, "EvaluationPeriods"))));
        json_object_set_new(summary, "findings", out);
        json_object_set_new(per, name, json_incref(out));
        json_array_append_new(a->alarms, summary);
    }
    cli_alarm_races(races, per);
    /* flatten: region + alarm on each finding, "status" per alarm */
    size_t j;
    json_t *s;
    json_array_foreach(a->alarms, j, s)
    {
        if (!str_eq(cli_jstr(s, "region"), a->region) || json_object_get(s, "status"))
            continue;
        const char *status = "ok";
        size_t n;
        json_t *f;
        json_array_foreach(json_object_get(s, "findings"), n, f)
        {
            json_object_del(f, "property");
            const char *sev = cli_jstr(f, "severity");
            if (str_eq(sev, "error"))
                status = "error";
            else if (str_eq(sev, "warning") && !str_eq(status, "error"))
                status = "warning";
            json_t *flat =
                json_pack("{s:s, s:s}", "region", a->region, "alarm", cli_jstr(s, "alarm"));
            json_object_update(flat, f);
            json_array_append_new(a->findings, flat);
        }
        json_object_set_new(s, "status", json_string(status));
    }
    json_decref(per);
    json_decref(races);
    json_decref(inst_cache);
    json_decref(puts);
    free(why);
    json_decref(alarms);
}

int cli_audit_main(int argc, char **argv)
{
    struct cli_opts o;
    struct cli_target t;
    memset(&t, 0, sizeof(t));
    int rc = CLI_EXIT_USAGE, nrest = 0, nreg = 0;
    char *rest[1];
    const char **regions = xcalloc((size_t)argc + 1, sizeof(*regions));
    char **av = xcalloc((size_t)argc + 1, sizeof(*av));
    int ac = 0;
    struct audit a = {0};
    a.findings = json_array();
    a.alarms = json_array();
    av[ac++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = cli_take_opt("audit", argc, argv, &i, "--region", &v);
        if (r < 0)
            goto out;
        if (r > 0) {
            regions[nreg++] = v;
            continue;
        }
        av[ac++] = argv[i];
    }
    if (cli_parse_common("audit", ac, av, &o, rest, 0, &nrest)) {
        fprintf(stderr, "usage: recoverlab audit [--region R]... [--data DIR | --endpoint URL] "
                        "[--json]\n");
        goto out;
    }
    if (cli_target_resolve("audit", &o, &t))
        goto out;
    if (!nreg)
        regions[nreg++] = t.region;
    a.t = &t;
    for (int i = 0; i < nreg && !a.fatal; i++) {
        a.region = regions[i];
        audit_region(&a);
    }
    if (a.fatal)
        goto out;
    json_t *sum = cli_findings_summary(a.findings);
    json_object_set_new(sum, "alarms", json_integer((json_int_t)json_array_size(a.alarms)));
    if (o.json) {
        json_t *doc = json_pack("{s:O, s:O, s:O}", "alarms", a.alarms, "findings", a.findings,
                                "summary", sum);
        char *txt = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", txt ? txt : "{}");
        free(txt);
        json_decref(doc);
    } else {
        size_t i;
        json_t *s;
        json_array_foreach(a.alarms, i, s)
        {
            if (str_eq(cli_jstr(s, "status"), "ok"))
                printf("%s  ok       %s  (%s on %s)\n", cli_jstr(s, "region"), cli_jstr(s, "alarm"),
                       cli_jstr(s, "actions"),
                       cli_jstr(s, "instance") ? cli_jstr(s, "instance") : "?");
            /* who made it and what the simulator says it may do */
            const char *carn = cli_jstr(s, "creator.arn");
            const char *dec = cli_jstr(s, "creator.permissions.decision");
            if (carn)
                printf("%s  creator  %s  %s%s%s%s%s\n", cli_jstr(s, "region"),
                       cli_jstr(s, "alarm"), carn, dec ? ": ec2:RecoverInstances " : "",
                       dec ? dec : "", cli_jstr(s, "creator.allowedBy") ? " by " : "",
                       cli_jstr(s, "creator.allowedBy") ? cli_jstr(s, "creator.allowedBy") : "");
        }
        cli_print_findings(a.findings, false);
        printf("%lld alarm(s) with EC2 actions: %lld error(s), %lld warning(s)\n",
               (long long)json_array_size(a.alarms),
               (long long)json_integer_value(json_object_get(sum, "errors")),
               (long long)json_integer_value(json_object_get(sum, "warnings")));
    }
    rc = json_integer_value(json_object_get(sum, "errors")) ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
    json_decref(sum);
out:
    json_decref(a.findings);
    json_decref(a.alarms);
    cli_target_free(&t);
    free(regions);
    free(av);
    return rc;
}
