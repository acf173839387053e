/*
 * main.c — the `recoverlab` binary: a table of subcommands. `serve` runs the lab; the
 * others are clients of a running lab (src/cli/). Adding a command is one table row.
 * Exit status: 0 ok, 1 failure or findings, 2 usage or connection error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/sigv4.h"
#include "base/base.h"
#include "cli/cli.h"
#include "clock/clock.h"
#include "http/server.h"
#include "store/store.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/lab/bootstrap.h"
#include "svc/sns/sns.h"
#include "host/host.h"
#include "svc/svc.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the command name */
    const char *args;
    const char *summary;
};

static int cmd_serve(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_cfn_types(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    {"serve", cmd_serve,
     "[--listen ADDR:PORT] [--data DIR] [--region R] [--clock real|manual] [--start ISO8601] "
     "[--auth enforce|off] [--cfn-unsupported refuse|placeholder] "
     "[--sns-deliver loopback|any]",
     "run the lab server"},
    {"env", cli_env_main, "[--data DIR]", "print export lines for the lab's endpoint and root key"},
    {"clock", cli_clock_main,
     "[show | advance DURATION | set ISO8601] [--data DIR | --endpoint URL] [--json]",
     "show or move the lab's virtual clock"},
    {"fault", cli_fault_main,
     "inject INSTANCE_ID --check system|instance|ebs [--for DURATION] | list | clear FAULT_ID "
     "[--data DIR | --endpoint URL] [--json]",
     "inject, list or clear instance faults"},
    {"sns", cli_sns_main,
     "messages [--topic ARN] [--follow] [--data DIR | --endpoint URL] [--json]",
     "the SNS inbox: deliveries to email, sms and http/https endpoints"},
    {"audit", cli_audit_main, "[--region R]... [--data DIR | --endpoint URL] [--json]",
     "find alarms with EC2 actions that will not work when they fire"},
    {"drill", cli_drill_main,
     "ALARM... | --all [--yes] [--timeout D] [--data DIR | --endpoint URL] [--json]",
     "force alarms to ALARM, report their actions' results, restore their states"},
    {"lint", cli_lint_main, "TEMPLATE... [--json]",
     "check CloudFormation templates' alarms with EC2 actions (offline)"},
    {"cfn-types", cmd_cfn_types, "",
     "print the CloudFormation resource types the lab implements (the README's table)"},
    {"version", cmd_version, "", "print the version"},
    {"help", cmd_help, "", "list the commands"},
};

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("usage: recoverlab COMMAND [ARGS]\n\n");
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        printf("  %-8s %s\n", commands[i].name, commands[i].summary);
        if (*commands[i].args)
            printf("           recoverlab %s %s\n", commands[i].name, commands[i].args);
    }
    return 0;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("recoverlab %s\n", RECOVERLAB_VERSION);
    return 0;
}

/* "http://HOST:PORT" with IPv6 hosts bracketed (heap). */
static char *make_url(const char *host, int port)
{
    struct buf b = BUF_INIT;
    if (strchr(host, ':'))
        buf_printf(&b, "http://[%s]:%d", host, port);
    else
        buf_printf(&b, "http://%s:%d", host, port);
    return buf_steal(&b);
}

/* A connectable host for clients: a wildcard bind is reached over loopback. */
static const char *client_host(const char *host)
{
    if (str_eq(host, "0.0.0.0"))
        return "127.0.0.1";
    if (str_eq(host, "::"))
        return "::1";
    return host;
}

static int cmd_cfn_types(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: recoverlab cfn-types\n");
        return 2;
    }
    char *md = cfn_types_markdown();
    fputs(md, stdout);
    free(md);
    return 0;
}

static int serve_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "recoverlab serve: %s%s\n", msg, arg ? arg : "");
    return 2;
}

static int cmd_serve(int argc, char **argv)
{
    const char *listen = "127.0.0.1:4566", *data = NULL, *region = NULL, *clock_s = NULL,
               *start_s = NULL, *auth_s = "enforce", *unsup_s = "refuse",
               *sns_deliver = "loopback";
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_take_opt("serve", argc, argv, &i, "--listen", &listen)) ||
            (r = cli_take_opt("serve", argc, argv, &i, "--data", &data)) ||
            (r = cli_take_opt("serve", argc, argv, &i, "--region", &region)) ||
            (r = cli_take_opt("serve", argc, argv, &i, "--clock", &clock_s)) ||
            (r = cli_take_opt("serve", argc, argv, &i, "--start", &start_s)) ||
            (r = cli_take_opt("serve", argc, argv, &i, "--auth", &auth_s)) ||
            (r = cli_take_opt("serve", argc, argv, &i, "--cfn-unsupported", &unsup_s)) ||
            (r = cli_take_opt("serve", argc, argv, &i, "--sns-deliver", &sns_deliver))) {
            if (r < 0)
                return 2;
            continue;
        }
        return serve_usage("unexpected argument ", argv[i]);
    }
    char host[256];
    int port;
    if (server_parse_listen(listen, host, sizeof(host), &port))
        return serve_usage("--listen wants ADDR:PORT, got ", listen);
    enum clock_mode mode = CLOCK_REAL;
    if (clock_s && str_eq(clock_s, "manual"))
        mode = CLOCK_MANUAL;
    else if (clock_s && !str_eq(clock_s, "real"))
        return serve_usage("--clock wants real or manual, got ", clock_s);
    int64_t start_ms = 0;
    if (start_s && time_parse_iso8601(start_s, &start_ms))
        return serve_usage("--start wants an ISO 8601 time, got ", start_s);
    if (!str_eq(auth_s, "enforce") && !str_eq(auth_s, "off"))
        return serve_usage("--auth wants enforce or off, got ", auth_s);
    if (region && !*region)
        return serve_usage("--region wants a region name", NULL);
    if (!str_eq(unsup_s, "refuse") && !str_eq(unsup_s, "placeholder"))
        return serve_usage("--cfn-unsupported wants refuse or placeholder, got ", unsup_s);
    cfn_set_unsupported_placeholders(str_eq(unsup_s, "placeholder"));
    if (!str_eq(sns_deliver, "loopback") && !str_eq(sns_deliver, "any"))
        return serve_usage("--sns-deliver wants loopback or any, got ", sns_deliver);
    if (!data)
        data = cli_default_data_dir();
    const char *lvl = getenv("RECOVERLAB_LOG");
    if (str_eq(lvl, "debug"))
        log_min_level = LOG_DEBUG;
    else if (str_eq(lvl, "warn"))
        log_min_level = LOG_WARN;

    umask(077); /* the database and the files beside it hold secrets */
    int rc = 1;
    struct store *st = NULL;
    struct server *srv = NULL;
    char *stored_region = NULL, *url = NULL, *endpoint = NULL;
    struct lab_identity id;
    struct server_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    sigv4_init();
    int orc = bootstrap_open(data, &st);
    if (orc) {
        if (orc == STORE_NOT_OURS) /* corrupt or another program's: exit 2, file untouched */
            rc = 2;
        goto out;
    }
    /* the stored clock wins on later starts unless --clock is given */
    if (clock_init(st, mode, start_ms, clock_s != NULL))
        goto out;
    if (bootstrap_account(st, &id))
        goto out;
    svc_init();
    if (region) {
        if (store_meta_set(st, "default_region", region))
            goto out;
    } else {
        stored_region = store_meta_get(st, "default_region");
        region = stored_region ? stored_region : "us-east-1";
    }
    ctx.st = st;
    ctx.account = id.account;
    ctx.default_region = region;
    ctx.auth_enforce = str_eq(auth_s, "enforce");
    ctx.data_dir = data;
    struct server_hooks hooks;
    svc_server_hooks(&ctx, &hooks);
    if (server_create(&hooks, host, port, true, &srv))
        goto out;
    url = make_url(host, server_port(srv));
    endpoint = make_url(client_host(host), server_port(srv));
    ctx.listen_url = url;
    sns_set_endpoint(endpoint);
    sns_set_deliver_any(str_eq(sns_deliver, "any"));
    if (bootstrap_write_files(data, &id, region, endpoint))
        goto out;
    printf("recoverlab listening on %s (auth %s, clock %s, data %s)\n", url, auth_s,
           clock_mode() == CLOCK_MANUAL ? "manual" : "real", data);
    fflush(stdout);
    rc = server_run(srv) ? 1 : 0;
    if (rc == 0)
        log_info("stopped");
out:
    server_free(srv);
    store_close(st);
    sigv4_shutdown();
    free(stored_region);
    free(url);
    free(endpoint);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: recoverlab COMMAND [ARGS] (see recoverlab help)\n");
        return 2;
    }
    const char *name = argv[1];
    if (str_eq(name, "--help") || str_eq(name, "-h"))
        name = "help";
    else if (str_eq(name, "--version"))
        name = "version";
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        if (str_eq(commands[i].name, name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "recoverlab: unknown command '%s' (see recoverlab help)\n", name);
    return 2;
}
