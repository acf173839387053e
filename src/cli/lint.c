/*
 * lint.c — `recoverlab lint TEMPLATE... [--json]`: offline findings for the CloudWatch
 * alarms with EC2 actions in CloudFormation templates (JSON or YAML, loaded and validated
 * by the same code as the server, src/cfnlang/cfnlang.h), with the audit's rules that a
 * template shows (cli_alarm_findings, shared with audit.c) and a note on every recover
 * alarm: it runs as whoever deploys the stack.
 *
 * Line numbers come from cfn_template_lines (cfnlang/lines.c): a finding points at its
 * property's key, else at the resource's key; 0 when neither is found.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/instance_types.h"
#include "cfnlang/cfnlang.h"
#include "cli/cli.h"

/* ---------------- rules shared with audit ---------------- */

int cli_action_kind(const char *arn)
{
    if (!arn)
        return 0;
    static const struct {
        const char *automate, *swf;
        int kind;
    } k[] = {
        {":ec2:recover", "AWS_EC2.InstanceId.Recover/1.0", CLI_ACT_RECOVER},
        {":ec2:reboot", "AWS_EC2.InstanceId.Reboot/1.0", CLI_ACT_REBOOT},
        {":ec2:stop", "AWS_EC2.InstanceId.Stop/1.0", CLI_ACT_STOP},
        {":ec2:terminate", "AWS_EC2.InstanceId.Terminate/1.0", CLI_ACT_TERMINATE},
    };
    for (size_t i = 0; i < ARRAY_LEN(k); i++)
        if ((str_startswith(arn, "arn:") && str_endswith(arn, k[i].automate) &&
             strstr(arn, ":automate:")) ||
            (strstr(arn, ":swf:") && str_endswith(arn, k[i].swf)))
            return k[i].kind;
    return 0;
}

int cli_alarm_actions(const json_t *alarm)
{
    static const char *lists[] = {"AlarmActions", "OKActions", "InsufficientDataActions"};
    int kinds = 0;
    for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
        size_t i;
        const json_t *a;
        json_array_foreach(json_object_get(alarm, lists[l]), i, a) kinds |=
            cli_action_kind(json_string_value(a));
    }
    return kinds;
}

const char *cli_alarm_instance(const json_t *alarm)
{
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(alarm, "Dimensions"), i, d)
    {
        if (str_eq(json_string_value(json_object_get(d, "Name")), "InstanceId"))
            return json_string_value(json_object_get(d, "Value"));
    }
    return NULL;
}

static void add(json_t *out, const char *sev, const char *rule, const char *prop, const char *fix,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add(json_t *out, const char *sev, const char *rule, const char *prop, const char *fix,
                const char *fmt, ...)
{
    struct buf m = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&m, fmt, ap);
    va_end(ap);
    json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "severity", sev, "rule", rule, "message", m.p,
                          "fix", fix);
    if (prop)
        json_object_set_new(f, "property", json_string(prop));
    json_array_append_new(out, f);
    buf_free(&m);
}

static bool jint(const json_t *v, int64_t *out)
{
    return v && cfn_to_int(v, out) == 0;
}

void cli_alarm_findings(const json_t *alarm, const char *instance_type, int recoverable,
                        json_t *out)
{
    int kinds = cli_alarm_actions(alarm);
    if (!kinds)
        return;
    const char *metric = json_string_value(json_object_get(alarm, "MetricName"));
    const char *tmd = json_string_value(json_object_get(alarm, "TreatMissingData"));
    const json_t *enabled = json_object_get(alarm, "ActionsEnabled");
    bool recover = kinds & CLI_ACT_RECOVER;
    if (json_object_get(alarm, "Metrics"))
        add(out, "error", "ec2-action-on-math", "Metrics",
            "put the EC2 action on an alarm that watches one AWS/EC2 metric of the instance",
            "alarms on metric math expressions cannot perform EC2 actions");
    else if (!cli_alarm_instance(alarm))
        add(out, "error", "ec2-action-without-instance", "Dimensions",
            "add the dimension InstanceId with the instance's id",
            "Invalid use of EC2 action. An EC2 action can only be used if the alarm is "
            "monitoring an EC2 instance.");
    if (recover && str_eq(metric, "StatusCheckFailed_Instance"))
        add(out, "error", "recover-on-instance-check", "MetricName",
            "watch StatusCheckFailed_System for recover; use reboot for instance check failures",
            "recover on StatusCheckFailed_Instance: the recover action can be used only with "
            "StatusCheckFailed_System, and a recovery does not fix a failure inside the "
            "instance");
    else if (recover && str_eq(metric, "StatusCheckFailed"))
        add(out, "warning", "recover-on-status-check-failed", "MetricName",
            "watch StatusCheckFailed_System (prefer _System)",
            "recover on StatusCheckFailed: it also fires on instance check failures, which a "
            "recovery does not fix");
    if ((kinds & (CLI_ACT_RECOVER | CLI_ACT_REBOOT)) && str_eq(tmd, "breaching"))
        add(out, "warning", "treat-missing-breaching", "TreatMissingData",
            "set TreatMissingData to missing (the default)",
            "TreatMissingData=breaching on a %s alarm: a gap in the metric fires the action",
            recover ? "recover" : "reboot");
    bool flag;
    if (enabled && cfn_to_bool(enabled, &flag) == 0 && !flag)
        add(out, "warning", "actions-disabled", "ActionsEnabled",
            "enable the actions (aws cloudwatch enable-alarm-actions, or ActionsEnabled: true)",
            "actions are disabled: the EC2 action will not run");
    if (recover && recoverable == 0)
        add(out, "error", "instance-type-not-recoverable", "Dimensions",
            "use an instance type that supports recovery (DescribeInstanceTypes "
            "AutoRecoverySupported)",
            "instance type %s does not support recovery (AutoRecoverySupported false)",
            instance_type ? instance_type : "?");
    int64_t period = 0, n = 0, m = 0;
    bool have_p = jint(json_object_get(alarm, "Period"), &period);
    bool have_n = jint(json_object_get(alarm, "EvaluationPeriods"), &n);
    if (have_p &&
        !(period == 10 || period == 20 || period == 30 || (period > 0 && period % 60 == 0)))
        add(out, "error", "invalid-period", "Period", "use 10, 20, 30 or a multiple of 60",
            "Period %lld: Period must be 10, 20, 30 or a multiple of 60", (long long)period);
    if (have_p && have_n && period > 0) {
        if (period >= 3600 && period * n > 604800)
            add(out, "error", "window-too-long", "EvaluationPeriods",
                "shorten Period or EvaluationPeriods",
                "Metrics cannot be checked across more than a week (EvaluationPeriods * Period "
                "must be <= 604800) for alarms using period >= 3600");
        else if (period < 3600 && period * n > 86400)
            add(out, "error", "window-too-long", "EvaluationPeriods",
                "shorten Period or EvaluationPeriods",
                "Metrics cannot be checked across more than a day (EvaluationPeriods * Period "
                "must be <= 86400) for alarms using period < 3600" /* inferred suffix */);
    }
    if (have_n && jint(json_object_get(alarm, "DatapointsToAlarm"), &m) && m > n)
        add(out, "error", "invalid-window", "DatapointsToAlarm",
            "make DatapointsToAlarm at most EvaluationPeriods",
            "DatapointsToAlarm must be less than or equal to EvaluationPeriods");
}

void cli_alarm_races(json_t *alarms, json_t *findings_per_alarm)
{
    /* alarms: array of {"name","instance","kinds","periods"}; findings_per_alarm: name ->
     * array the race finding goes to */
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(alarms, i, a)
    {
        if (!(json_integer_value(json_object_get(a, "kinds")) & CLI_ACT_RECOVER))
            continue;
        json_array_foreach(alarms, j, b)
        {
            if (i == j || !(json_integer_value(json_object_get(b, "kinds")) & CLI_ACT_REBOOT))
                continue;
            const char *ia = json_string_value(json_object_get(a, "instance"));
            const char *ib = json_string_value(json_object_get(b, "instance"));
            json_int_t pa = json_integer_value(json_object_get(a, "periods"));
            json_int_t pb = json_integer_value(json_object_get(b, "periods"));
            if (!ia || !str_eq(ia, ib) || pa <= 0 || pa != pb)
                continue;
            json_t *arr =
                json_object_get(findings_per_alarm, json_string_value(json_object_get(a, "name")));
            if (arr)
                add(arr, "warning", "reboot-recover-race", "EvaluationPeriods",
                    "give the reboot alarm more evaluation periods than the recover alarm (e.g. "
                    "3 and 2)",
                    "the reboot alarm %s watches the same instance with the same evaluation "
                    "periods (%lld): the two actions race",
                    json_string_value(json_object_get(b, "name")), (long long)pa);
        }
    }
}

/* ---------------- lint ---------------- */

/* A template value made literal where it can be: strings/numbers as they are, Ref to a
 * parameter with a Default, Fn::Join / Fn::Sub with "*" for every part that is not
 * literal (pseudo parameters, resources). New reference, or NULL when unknown. */
static json_t *literal(const json_t *t, const json_t *v, int depth)
{
    if (!v || depth > 8)
        return NULL;
    if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
        return json_incref((json_t *)v);
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x)
        {
            json_t *l = literal(t, x, depth + 1);
            json_array_append_new(a, l ? l : json_null());
        }
        return a;
    }
    if (!json_is_object(v))
        return NULL;
    const json_t *ref = json_object_get(v, "Ref");
    if (json_is_string(ref) && json_object_size(v) == 1) {
        const json_t *p = cli_jpath(json_object_get(t, "Parameters"), json_string_value(ref));
        const json_t *d = json_object_get(p, "Default");
        return d ? literal(t, d, depth + 1) : NULL;
    }
    const json_t *join = json_object_get(v, "Fn::Join");
    if (json_is_array(join) && json_array_size(join) == 2) {
        const char *sep = json_string_value(json_array_get(join, 0));
        struct buf b = BUF_INIT;
        size_t i;
        const json_t *x;
        json_array_foreach(json_array_get(join, 1), i, x)
        {
            json_t *l = literal(t, x, depth + 1);
            char *s = l ? cfn_scalar_text(l) : NULL;
            buf_printf(&b, "%s%s", i && sep ? sep : "", s ? s : "*");
            free(s);
            json_decref(l);
        }
        json_t *r = json_string(b.p ? b.p : "");
        buf_free(&b);
        return r;
    }
    const json_t *sub = json_object_get(v, "Fn::Sub");
    if (json_is_array(sub))
        sub = json_array_get(sub, 0);
    if (json_is_string(sub)) {
        struct buf b = BUF_INIT;
        for (const char *s = json_string_value(sub); *s; s++) {
            if (s[0] == '$' && s[1] == '{' && s[2] != '!') {
                const char *e = strchr(s, '}');
                if (e) {
                    buf_putc(&b, '*');
                    s = e;
                    continue;
                }
            }
            buf_putc(&b, *s);
        }
        json_t *r = json_string(b.p ? b.p : "");
        buf_free(&b);
        return r;
    }
    return NULL;
}

/* The alarm's Properties in the API's shape with literal values where known. The
 * InstanceId dimension's value becomes "resource:ID" for a Ref to a template resource. */
/* True when v (an action list element of a template) may be an SNS topic: an SNS ARN, a Ref
 * to an AWS::SNS::Topic of the template or to a parameter, or a Join/Sub naming ":sns:". */
static bool may_be_topic(const json_t *t, const json_t *v, int depth)
{
    if (depth > 8)
        return false;
    if (json_is_string(v))
        return strstr(json_string_value(v), ":sns:") != NULL;
    const char *ref = json_string_value(json_object_get(v, "Ref"));
    if (ref) {
        const json_t *r = json_object_get(json_object_get(t, "Resources"), ref);
        return r ? str_eq(json_string_value(json_object_get(r, "Type")), "AWS::SNS::Topic")
                 : json_object_get(json_object_get(t, "Parameters"), ref) != NULL;
    }
    if (json_is_object(v) || json_is_array(v)) {
        const char *k;
        const json_t *e;
        size_t i;
        if (json_is_array(v)) {
            json_array_foreach(v, i, e)
            {
                if (may_be_topic(t, e, depth + 1))
                    return true;
            }
        } else {
            json_object_foreach((json_t *)v, k, e)
            {
                if (may_be_topic(t, e, depth + 1))
                    return true;
            }
        }
    }
    return false;
}

/* True when one of the alarm's action lists may notify through SNS. */
static bool notifies(const json_t *t, const json_t *props)
{
    static const char *const lists[] = {"AlarmActions", "OKActions", "InsufficientDataActions"};
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        const json_t *e;
        json_array_foreach(json_object_get(props, lists[l]), i, e)
        {
            if (may_be_topic(t, e, 0))
                return true;
        }
    }
    return false;
}

static json_t *alarm_view(const json_t *t, const json_t *props, const char **inst_res)
{
    json_t *a = json_object();
    const char *k;
    const json_t *v;
    *inst_res = NULL;
    json_object_foreach((json_t *)props, k, v)
    {
        if (str_eq(k, "Dimensions") && json_is_array(v)) {
            json_t *dims = json_array();
            size_t i;
            const json_t *d;
            json_array_foreach(v, i, d)
            {
                json_t *name = literal(t, json_object_get(d, "Name"), 0);
                const json_t *val = json_object_get(d, "Value");
                const char *ref = json_string_value(json_object_get(val, "Ref"));
                json_t *lv = literal(t, val, 0);
                if (str_eq(json_string_value(name), "InstanceId") && ref &&
                    json_object_get(json_object_get(t, "Resources"), ref)) {
                    *inst_res = json_string_value(json_object_get(val, "Ref"));
                    json_decref(lv);
                    lv = json_string(ref);
                } else if (!lv && str_eq(json_string_value(name), "InstanceId")) {
                    lv = json_string("*");
                }
                json_array_append_new(dims, json_pack("{s:o?, s:o?}", "Name", name, "Value", lv));
            }
            json_object_set_new(a, k, dims);
            continue;
        }
        json_t *l = literal(t, v, 0);
        if (l)
            json_object_set_new(a, k, l);
        else if (str_eq(k, "Metrics"))
            json_object_set_new(a, k, json_true());
    }
    return a;
}

int cli_lint_body(const char *name, const char *body, size_t len, json_t *findings)
{
    struct cfn_err e;
    e.msg[0] = 0;
    json_t *t = cfn_template_load(body, len, &e);
    /* a transform: AWS::LanguageExtensions is run (parameters at their Defaults); any other
     * (SAM, AWS::Include, macros) is a note, and the alarms are checked as written */
    json_t *general = json_array();
    bool other_transform = false;
    if (t && cfn_template_has_transform(t) &&
        (!cfn_template_has_lang_ext(t) || cfn_template_transform(t, NULL, &e) < 0)) {
        other_transform = true;
        json_array_append_new(general,
                              json_pack("{s:s, s:s, s:s, s:s}", "severity", "note", "rule",
                                        "transform-not-run", "message",
                                        "the template's Transform is not run offline: its"
                                        " resources are checked as written",
                                        "fix", "none needed"));
    }
    if (t && !other_transform && cfn_template_validate(t, &e) == 0) {
        /* types AWS has that the lab does not implement: opaque, one note */
        json_t *un = cfn_template_unsupported_types(t, false);
        if (json_array_size(un)) {
            char *l = cfn_bracket_list(un);
            json_t *f = json_pack("{s:s, s:s, s:s}", "severity", "note", "rule",
                                  "unsupported-types", "fix",
                                  "none needed for lint; `recoverlab serve --cfn-unsupported"
                                  " placeholder` deploys them as placeholders");
            json_object_set_new(f, "message",
                                json_sprintf("%zu resource type(s) the lab does not simulate are"
                                             " treated as opaque: %s",
                                             json_array_size(un), l));
            json_array_append_new(general, f);
            free(l);
        }
        json_decref(un);
    } else if (t && !other_transform) {
        json_decref(general);
        json_array_append_new(findings, json_pack("{s:s, s:n, s:i, s:s, s:s, s:s, s:s}", "template",
                                                  name, "resource", "line", 0, "severity", "error",
                                                  "rule", "template", "message", e.msg, "fix",
                                                  "fix the template so CloudFormation accepts it"));
        json_decref(t);
        return -1;
    }
    if (!t) {
        json_decref(general);
        json_array_append_new(findings, json_pack("{s:s, s:n, s:i, s:s, s:s, s:s, s:s}", "template",
                                                  name, "resource", "line", 0, "severity", "error",
                                                  "rule", "template", "message", e.msg, "fix",
                                                  "fix the template so CloudFormation accepts it"));
        return -1;
    }
    size_t gi;
    json_t *gf;
    json_array_foreach(general, gi, gf)
    {
        json_object_set_new(gf, "line", json_integer(0));
        json_object_set_new(gf, "template", json_string(name));
        json_object_set_new(gf, "resource", json_null());
        json_array_append(findings, gf);
    }
    json_decref(general);
    const json_t *resources = json_object_get(t, "Resources");
    json_t *lines = cfn_template_lines(body, len, resources);
    json_t *races = json_array(), *per = json_object();
    int errors = 0;
    const char *id;
    const json_t *r;
    json_object_foreach((json_t *)resources, id, r)
    {
        if (!str_eq(json_string_value(json_object_get(r, "Type")), "AWS::CloudWatch::Alarm"))
            continue;
        const json_t *props = json_object_get(r, "Properties");
        if (!json_is_object(props))
            continue;
        const char *inst_res = NULL;
        json_t *a = alarm_view(t, props, &inst_res);
        int kinds = cli_alarm_actions(a);
        const char *itype = NULL;
        int recoverable = -1;
        json_t *ty = NULL;
        if (inst_res) {
            const json_t *ir = json_object_get(resources, inst_res);
            ty = literal(t, cli_jpath(ir, "Properties.InstanceType"), 0);
            if (str_eq(json_string_value(json_object_get(ir, "Type")), "AWS::EC2::Instance") &&
                json_is_string(ty) && !strchr(json_string_value(ty), '*')) {
                const struct ec2_type_info *ti = ec2_type_find(json_string_value(ty));
                itype = json_string_value(ty);
                if (ti)
                    recoverable = ti->auto_recovery_supported ? 1 : 0;
            }
        }
        json_t *out = json_array();
        cli_alarm_findings(a, itype, recoverable, out);
        json_decref(ty);
        if (kinds & CLI_ACT_RECOVER)
            add(out, "note", "recover-runs-as-deployer", NULL,
                "deploy (create-stack / update-stack) as an IAM user with long-term keys, not "
                "a role session, and not with --role-arn",
                "the recover action will run as whoever deploys the stack: if that is a role "
                "or temporary credentials, it fails with 401 when it fires");
        if ((kinds & CLI_ACT_RECOVER) && !notifies(t, props))
            add(out, "note", "recover-without-notification", "AlarmActions",
                "add an SNS topic to AlarmActions (e.g. !Ref AlertTopic) so that people learn "
                "that a recovery ran, or failed",
                "the recover alarm notifies nobody: a recovery, and a failed one, goes "
                "unnoticed");
        json_int_t periods = 0;
        int64_t n;
        if (jint(json_object_get(a, "EvaluationPeriods"), &n))
            periods = n;
        const char *inst = cli_alarm_instance(a);
        json_array_append_new(races, json_pack("{s:s, s:s?, s:i, s:I}", "name", id, "instance",
                                               inst && !str_eq(inst, "*") ? inst : NULL, "kinds",
                                               kinds, "periods", periods));
        json_object_set_new(per, id, out);
        json_decref(a);
    }
    cli_alarm_races(races, per);
    /* emit in template order, with lines */
    json_object_foreach((json_t *)resources, id, r)
    {
        json_t *out = json_object_get(per, id);
        if (!out)
            continue;
        const json_t *rl = json_object_get(lines, id);
        size_t k;
        json_t *f;
        json_array_foreach(out, k, f)
        {
            const char *prop = json_string_value(json_object_get(f, "property"));
            const json_t *line = prop ? json_object_get(rl, prop) : NULL;
            if (!line)
                line = json_object_get(rl, ".");
            json_object_set_new(f, "line", json_integer(json_integer_value(line)));
            json_object_set_new(f, "template", json_string(name));
            json_object_set_new(f, "resource", json_string(id));
            if (str_eq(json_string_value(json_object_get(f, "severity")), "error"))
                errors++;
            json_array_append(findings, f);
        }
    }
    json_decref(lines);
    json_decref(races);
    json_decref(per);
    json_decref(t);
    return errors;
}

/* ---------------- output (shared with audit) ---------------- */

void cli_print_findings(const json_t *findings, bool with_line)
{
    bool color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f)
    {
        const char *sev = json_string_value(json_object_get(f, "severity"));
        const char *col = str_eq(sev, "error")     ? "\033[31m"
                          : str_eq(sev, "warning") ? "\033[33m"
                                                   : "\033[36m";
        struct buf where = BUF_INIT;
        if (with_line) {
            buf_printf(&where, "%s", json_string_value(json_object_get(f, "template")));
            json_int_t line = json_integer_value(json_object_get(f, "line"));
            if (line > 0)
                buf_printf(&where, ":%lld", (long long)line);
        } else {
            buf_printf(&where, "%s", json_string_value(json_object_get(f, "region")));
        }
        const char *res = json_string_value(json_object_get(f, "resource"));
        if (!res)
            res = json_string_value(json_object_get(f, "alarm"));
        printf("%s  %s%-7s%s  %s  %s: %s\n", where.p, color ? col : "", sev, color ? "\033[0m" : "",
               res ? res : "-", json_string_value(json_object_get(f, "rule")),
               json_string_value(json_object_get(f, "message")));
        const char *ev = json_string_value(json_object_get(f, "evidence"));
        if (ev)
            printf("    evidence: %s\n", ev);
        printf("    fix: %s\n", json_string_value(json_object_get(f, "fix")));
        buf_free(&where);
    }
}

json_t *cli_findings_summary(json_t *findings)
{
    int counts[3] = {0, 0, 0};
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f)
    {
        const char *sev = json_string_value(json_object_get(f, "severity"));
        counts[str_eq(sev, "error") ? 0 : str_eq(sev, "warning") ? 1 : 2]++;
    }
    return json_pack("{s:i, s:i, s:i}", "errors", counts[0], "warnings", counts[1], "notes",
                     counts[2]);
}

int cli_lint_main(int argc, char **argv)
{
    struct cli_opts o;
    char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));
    int nrest, rc = CLI_EXIT_USAGE;
    json_t *findings = json_array();
    if (cli_parse_common("lint", argc, argv, &o, rest, argc, &nrest))
        goto out;
    if (!nrest || o.data_dir || o.endpoint) {
        fprintf(stderr, "usage: recoverlab lint TEMPLATE... [--json] (offline: no --data or "
                        "--endpoint)\n");
        goto out;
    }
    int errors = 0;
    for (int i = 0; i < nrest; i++) {
        char *body = NULL;
        size_t len = 0;
        FILE *fp = fopen(rest[i], "rb");
        if (fp) {
            struct buf b = BUF_INIT;
            char chunk[8192];
            size_t n;
            while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && b.len <= CFN_MAX_BODY)
                buf_put(&b, chunk, n);
            fclose(fp);
            len = b.len;
            body = buf_steal(&b);
        }
        if (!body) {
            fprintf(stderr, "recoverlab lint: cannot read %s\n", rest[i]);
            goto out;
        }
        int r = cli_lint_body(rest[i], body ? body : "", len, findings);
        errors += r < 0 ? 1 : r;
        free(body);
    }
    if (o.json) {
        json_t *doc = json_pack("{s:O, s:o}", "findings", findings, "summary",
                                cli_findings_summary(findings));
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", s ? s : "{}");
        free(s);
        json_decref(doc);
    } else {
        cli_print_findings(findings, true);
        json_t *sum = cli_findings_summary(findings);
        printf("%d template%s: %lld error(s), %lld warning(s), %lld note(s)\n", nrest,
               nrest == 1 ? "" : "s", (long long)json_integer_value(json_object_get(sum, "errors")),
               (long long)json_integer_value(json_object_get(sum, "warnings")),
               (long long)json_integer_value(json_object_get(sum, "notes")));
        json_decref(sum);
    }
    rc = errors ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
out:
    json_decref(findings);
    free(rest);
    return rc;
}
