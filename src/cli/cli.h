/*
 * cli.h — client-side commands: they talk HTTP to a running lab (any endpoint) with
 * libcurl, signing every request with SigV4 for the service "recoverlab".
 * Exit status of every command: 0 ok, 1 findings or a failed check, 2 usage or
 * connection error (CLI_EXIT_*).
 */
#ifndef RL_CLI_H
#define RL_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "base/base.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FINDINGS 1
#define CLI_EXIT_USAGE 2

/* Where the lab is and who we are there. All strings heap (cli_target_free). */
struct cli_target {
    char *endpoint; /* "http://127.0.0.1:4566", no trailing '/' */
    char *access_key_id;
    char *secret;
    char *session_token; /* NULL when none */
    char *region;
};

/* The options every client command takes. */
struct cli_opts {
    const char *data_dir; /* --data DIR */
    const char *endpoint; /* --endpoint URL */
    bool json;            /* --json */
};

/*
 * Matches argv[*i] against option `name` ("--data"), in the forms "--data VALUE" and
 * "--data=VALUE". Returns 1 and sets *val (advancing *i past a separate value), 0 when
 * argv[*i] is another argument, -1 when the value is missing (message printed, prefixed
 * with cmd).
 */
int cli_take_opt(const char *cmd, int argc, char **argv, int *i, const char *name,
                 const char **val);

/*
 * Splits argv[1..] into the common options (into *o) and the remaining arguments (into
 * rest[], at most max, order kept). Unknown "--options" are usage errors. 0 ok, -1 after
 * printing a one-line usage message.
 */
int cli_parse_common(const char *cmd, int argc, char **argv, struct cli_opts *o, char **rest,
                     int max, int *nrest);

/* The data directory used when none is given: $RECOVERLAB_DATA, else ./recoverlab-data. */
const char *cli_default_data_dir(void);

/*
 * Value of key in [section] of an INI-style AWS file (credentials/config), heap string
 * (free()) or NULL. For the config file pass the section as written ("default",
 * "profile NAME").
 */
char *cli_ini_get(const char *path, const char *section, const char *key);

/*
 * Finds the lab: --data DIR (endpoint and root key from the directory), else --endpoint or
 * AWS_ENDPOINT_URL with the standard AWS credential variables / AWS_PROFILE and the shared
 * credentials file, else the default data directory if it holds a lab. Region from the
 * directory's config, AWS_REGION, AWS_DEFAULT_REGION, the profile, or us-east-1.
 * 0 ok; -1 after printing why (prefixed with cmd).
 */
int cli_target_resolve(const char *cmd, const struct cli_opts *o, struct cli_target *t);
void cli_target_free(struct cli_target *t);

/*
 * One SigV4-signed request to the lab: method and path ("/_recoverlab/clock"), optional
 * JSON body. Returns 0 when a response arrived (*status, body in *resp, which is emptied
 * first), -1 on a connection error (message printed, prefixed with cmd).
 */
int cli_request(const char *cmd, const struct cli_target *t, const char *method, const char *path,
                const char *json_body, long *status, struct buf *resp);

/* Prints "recoverlab CMD: CODE: message" for an error response of the admin API. */
void cli_print_error(const char *cmd, long status, const char *body);

/* Subcommands (argv[0] is the subcommand name); each returns the exit status. */
int cli_clock_main(int argc, char **argv);
int cli_env_main(int argc, char **argv);
int cli_fault_main(int argc, char **argv);
/* `recoverlab sns messages [--topic ARN] [--follow]` (sns.c). */
int cli_sns_main(int argc, char **argv);

/* ---- generic AWS API calls (aws.c) ---- */

/* The services the client commands call, each in its own protocol (see aws.c). */
enum cli_svc { CLI_SVC_CLOUDWATCH, CLI_SVC_CLOUDTRAIL, CLI_SVC_EC2, CLI_SVC_IAM, CLI_SVC_SNS };

/* The answer of one call: json holds the parsed body on success (XML answers of EC2/IAM
 * converted: elements -> object members by name, <item>/<member> lists -> arrays, leaves ->
 * strings; the root element's own name dropped); code/message on an AWS error. */
struct cli_aws_result {
    long status;
    json_t *json;
    char *code;
    char *message;
};

/*
 * One AWS API call to t's endpoint: operation op of svc in region (NULL: t->region; IAM
 * always signs for us-east-1), SigV4 signed for the service with t's credentials (and
 * session token). params: JSON protocols send it as the body; Query protocols send its
 * members (flat "Name.N.Sub" -> string/integer/boolean) as the form. Returns 0 on success,
 * 1 on an AWS error (r->code/r->message set), -1 on a connection or unreadable answer
 * (message printed, prefixed with cmd). Always cli_aws_result_free(r) after.
 */
int cli_aws_call(const char *cmd, const struct cli_target *t, const char *region, enum cli_svc svc,
                 const char *op, const json_t *params, struct cli_aws_result *r);
void cli_aws_result_free(struct cli_aws_result *r);

/* The member at a dotted path ("Credentials.AccessKeyId") of nested objects, or NULL. */
const json_t *cli_jpath(const json_t *v, const char *path);
/* The string at a dotted path, or NULL. */
const char *cli_jstr(const json_t *v, const char *path);
/* True when t's endpoint answers GET /_recoverlab/health with status ok (a recoverlab lab). */
bool cli_lab_health(const struct cli_target *t);

/* ---- SNS actions of alarms (audit_sns.c) ---- */
/* True when one of the alarm's action lists names an SNS topic. */
bool cli_alarm_has_sns(const json_t *alarm);
/* Appends the audit's findings about the alarm's SNS actions (sns-topic-missing,
 * sns-topic-policy-denies-cloudwatch, sns-topic-no-confirmed-subscription, ...). */
struct cli_target;
void cli_audit_sns(const struct cli_target *t, const json_t *alarm, json_t *out);
/* drill_sns.c: the newest delivery id of the lab before a drill (0 elsewhere), and the
 * delivery of an SNS action after it ("delivery": delivered | retrying | failed | held |
 * pending confirmation | no subscribers | sent, "deliveries": [...] on a lab). */
long long cli_drill_sns_mark(const struct cli_target *t);
void cli_drill_sns_report(const struct cli_target *t, bool lab, const char *topic, long long mark,
                          json_t *action);

/* Subcommands of issue 7: audit.c, drill.c, lint.c. */
int cli_audit_main(int argc, char **argv);
int cli_drill_main(int argc, char **argv);
int cli_lint_main(int argc, char **argv);

/* ---- lint (lint.c), offline ---- */

/* Lints one template body (JSON or YAML); name labels findings. Appends one object per
 * finding to findings ({"template","resource","line","severity","rule","message","fix"};
 * "line" 0 when unknown). Returns the number of error findings, or -1 when the template
 * cannot be loaded (an "error" finding with rule "template" is appended). */
int cli_lint_body(const char *name, const char *body, size_t len, json_t *findings);

/* ---- alarm rules shared by audit and lint (lint.c) ---- */

/* EC2 action kinds (bit flags) of an action ARN (automate and swf forms), 0 for others. */
#define CLI_ACT_RECOVER 1
#define CLI_ACT_REBOOT 2
#define CLI_ACT_STOP 4
#define CLI_ACT_TERMINATE 8
int cli_action_kind(const char *arn);
/* The EC2 action kinds of all three action lists of an alarm (API shape). */
int cli_alarm_actions(const json_t *alarm);
/* The value of the alarm's InstanceId dimension, or NULL. */
const char *cli_alarm_instance(const json_t *alarm);
/*
 * Appends to out the findings about one alarm with EC2 actions (API shape: MetricName,
 * Dimensions, *Actions, TreatMissingData, ActionsEnabled, Period, EvaluationPeriods,
 * DatapointsToAlarm, Metrics): {"severity","rule","message","fix","property"}.
 * recoverable: 1/0 whether the instance's type supports recovery, -1 unknown.
 */
void cli_alarm_findings(const json_t *alarm, const char *instance_type, int recoverable,
                        json_t *out);
/* Race rule: alarms is an array of {"name","instance","kinds","periods"}; the finding goes
 * to per_alarm[name of the recover alarm] (an array) when a reboot alarm on the same
 * instance has the same evaluation periods. */
void cli_alarm_races(json_t *alarms, json_t *per_alarm);
/* Prints findings as a table (colour on a terminal); with_line: TEMPLATE:LINE, else region. */
void cli_print_findings(const json_t *findings, bool with_line);
/* {"errors":N,"warnings":N,"notes":N} of findings (new reference). */
json_t *cli_findings_summary(json_t *findings);

#endif
