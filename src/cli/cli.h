/*
 * cli.h — client-side commands: they talk HTTP to a running lab (any endpoint) with
 * libcurl, signing every request with SigV4 for the service "recoverlab".
 * Exit status of every command: 0 ok, 1 findings or a failed check, 2 usage or
 * connection error (CLI_EXIT_*).
 */
#ifndef RL_CLI_H
#define RL_CLI_H

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

#endif
