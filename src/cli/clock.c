/*
 * clock.c — `recoverlab clock [show] | advance DURATION | set ISO8601` over the admin API
 * (GET/POST /_recoverlab/clock). Moving the clock returns after every due event has run.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define USAGE                                                                                      \
    "usage: recoverlab clock [show | advance DURATION | set ISO8601] [--data DIR | --endpoint "    \
    "URL] [--json]"

/* Prints the clock from a GET/POST /_recoverlab/clock response body. */
static int print_clock(const char *body, bool json)
{
    if (json) {
        printf("%s\n", body);
        return CLI_EXIT_OK;
    }
    json_t *v = json_loads(body, 0, NULL);
    const char *now = json_string_value(json_object_get(v, "now"));
    const char *mode = json_string_value(json_object_get(v, "mode"));
    if (!now || !mode) {
        fprintf(stderr, "recoverlab clock: unexpected answer: %s\n", body);
        json_decref(v);
        return CLI_EXIT_USAGE;
    }
    printf("%s (clock %s)\n", now, mode);
    json_decref(v);
    return CLI_EXIT_OK;
}

int cli_clock_main(int argc, char **argv)
{
    struct cli_opts o;
    char *rest[3];
    int nrest, rc = CLI_EXIT_USAGE;
    const char *method = "GET";
    struct buf body = BUF_INIT, resp = BUF_INIT;
    struct cli_target t;
    memset(&t, 0, sizeof(t));

    if (cli_parse_common("clock", argc, argv, &o, rest, 3, &nrest))
        goto out;
    const char *sub = nrest ? rest[0] : "show";
    if (str_eq(sub, "show") && nrest <= 1) {
        method = "GET";
    } else if (str_eq(sub, "advance") && nrest == 2) {
        int64_t ms;
        if (duration_parse(rest[1], &ms)) {
            fprintf(stderr, "recoverlab clock: bad duration %s (use e.g. 90s, 5m, 2h, 3d)\n",
                    rest[1]);
            goto out;
        }
        method = "POST";
        if (ms % 1000 == 0)
            buf_printf(&body, "{\"advanceSeconds\":%" PRId64 "}", ms / 1000);
        else
            buf_printf(&body, "{\"advanceSeconds\":%" PRId64 ".%03d}", ms / 1000, (int)(ms % 1000));
    } else if (str_eq(sub, "set") && nrest == 2) {
        int64_t ms;
        if (time_parse_iso8601(rest[1], &ms)) {
            fprintf(stderr,
                    "recoverlab clock: bad time %s (use ISO 8601, e.g. "
                    "2026-01-01T00:00:00Z)\n",
                    rest[1]);
            goto out;
        }
        method = "POST";
        json_t *v = json_pack("{s:s}", "set", rest[1]);
        char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
        json_decref(v);
        if (!s) {
            fprintf(stderr, "recoverlab clock: bad time %s\n", rest[1]);
            goto out;
        }
        buf_puts(&body, s);
        free(s);
    } else {
        fprintf(stderr, "%s\n", USAGE);
        goto out;
    }
    if (cli_target_resolve("clock", &o, &t))
        goto out;
    long status = 0;
    if (cli_request("clock", &t, method, "/_recoverlab/clock", body.len ? body.p : NULL, &status,
                    &resp))
        goto out;
    if (status != 200) {
        cli_print_error("clock", status, resp.p);
        goto out;
    }
    rc = print_clock(resp.p ? resp.p : "", o.json);
out:
    cli_target_free(&t);
    buf_free(&body);
    buf_free(&resp);
    return rc;
}
