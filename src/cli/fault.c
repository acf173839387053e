/*
 * fault.c — `recoverlab fault inject INSTANCE_ID --check system|instance|ebs [--for DURATION]`
 * (prints the fault id), `recoverlab fault list`, `recoverlab fault clear FAULT_ID`, over the
 * admin API (POST/GET /_recoverlab/faults, DELETE /_recoverlab/faults/{id}). INTERFACE.md.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define USAGE                                                                                      \
    "usage: recoverlab fault inject INSTANCE_ID --check system|instance|ebs [--for DURATION]\n"    \
    "       recoverlab fault list\n"                                                               \
    "       recoverlab fault clear FAULT_ID\n"                                                     \
    "       (each with [--data DIR | --endpoint URL] [--json])"

static const char *jstr(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "-";
}

static void print_table(const json_t *faults)
{
    printf("%-20s %-20s %-9s %-20s %-8s %-25s %s\n", "FAULT", "INSTANCE", "CHECK", "HOST", "STATUS",
           "CREATED", "ENDS");
    size_t i;
    const json_t *f;
    json_array_foreach(faults, i, f)
    {
        bool active = str_eq(jstr(f, "status"), "active");
        printf("%-20s %-20s %-9s %-20s %-8s %-25s %s\n", jstr(f, "faultId"), jstr(f, "instanceId"),
               jstr(f, "check"), jstr(f, "hostId"), jstr(f, "status"), jstr(f, "createdAt"),
               active ? jstr(f, "expiresAt") : jstr(f, "clearedAt"));
    }
}

int cli_fault_main(int argc, char **argv)
{
    struct cli_opts o;
    char *rest[4];
    int nrest, rc = CLI_EXIT_USAGE;
    const char *check = NULL, *dur = NULL;
    struct buf body = BUF_INIT, resp = BUF_INIT, path = BUF_INIT;
    struct cli_target t;
    memset(&t, 0, sizeof(t));

    /* take --check / --for out first; the rest are the common options and arguments */
    char **av = xcalloc((size_t)argc + 1, sizeof(*av));
    int ac = 0;
    av[ac++] = argv[0];
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_take_opt("fault", argc, argv, &i, "--check", &check)) ||
            (r = cli_take_opt("fault", argc, argv, &i, "--for", &dur))) {
            if (r < 0)
                goto out;
            continue;
        }
        av[ac++] = argv[i];
    }
    if (cli_parse_common("fault", ac, av, &o, rest, 4, &nrest))
        goto out;
    const char *sub = nrest ? rest[0] : "";
    const char *method;
    if (str_eq(sub, "inject") && nrest == 2) {
        if (!check) {
            fprintf(stderr, "recoverlab fault: inject needs --check system|instance|ebs\n");
            goto out;
        }
        if (!str_eq(check, "system") && !str_eq(check, "instance") && !str_eq(check, "ebs")) {
            fprintf(stderr, "recoverlab fault: --check wants system, instance or ebs, got %s\n",
                    check);
            goto out;
        }
        json_t *req = json_pack("{s:s, s:s}", "instanceId", rest[1], "check", check);
        if (dur) {
            int64_t ms;
            if (duration_parse(dur, &ms) || ms <= 0) {
                fprintf(stderr, "recoverlab fault: bad duration %s (use e.g. 90s, 5m, 2h, 3d)\n",
                        dur);
                json_decref(req);
                goto out;
            }
            json_object_set_new(req, "durationSeconds", json_real((double)ms / 1000.0));
        }
        char *s = json_dumps(req, JSON_COMPACT);
        json_decref(req);
        buf_puts(&body, s ? s : "{}");
        free(s);
        method = "POST";
        buf_puts(&path, "/_recoverlab/faults");
    } else if ((check || dur)) {
        fprintf(stderr, "recoverlab fault: --check and --for go with inject\n");
        goto out;
    } else if (str_eq(sub, "list") && nrest == 1) {
        method = "GET";
        buf_puts(&path, "/_recoverlab/faults");
    } else if (str_eq(sub, "clear") && nrest == 2) {
        const char *id = rest[1];
        for (const char *p = id; *p; p++) {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
                fprintf(stderr, "recoverlab fault: bad fault id %s\n", id);
                goto out;
            }
        }
        method = "DELETE";
        buf_printf(&path, "/_recoverlab/faults/%s", id);
    } else {
        fprintf(stderr, "%s\n", USAGE);
        goto out;
    }
    if (cli_target_resolve("fault", &o, &t))
        goto out;
    long status = 0;
    if (cli_request("fault", &t, method, path.p, body.len ? body.p : NULL, &status, &resp))
        goto out;
    if (status != 200) {
        cli_print_error("fault", status, resp.p ? resp.p : "");
        rc = status == 404 || status == 409 ? CLI_EXIT_FINDINGS : CLI_EXIT_USAGE;
        goto out;
    }
    if (o.json) {
        printf("%s\n", resp.p ? resp.p : "");
        rc = CLI_EXIT_OK;
        goto out;
    }
    json_t *v = json_loads(resp.p ? resp.p : "", 0, NULL);
    if (!v) {
        fprintf(stderr, "recoverlab fault: unexpected answer: %s\n", resp.p ? resp.p : "");
        goto out;
    }
    if (str_eq(sub, "inject"))
        printf("%s\n", jstr(v, "faultId"));
    else if (str_eq(sub, "list"))
        print_table(json_object_get(v, "faults"));
    else
        printf("%s %s (%s)\n", jstr(v, "faultId"), jstr(v, "status"), jstr(v, "clearedBy"));
    json_decref(v);
    rc = CLI_EXIT_OK;
out:
    free(av);
    cli_target_free(&t);
    buf_free(&body);
    buf_free(&resp);
    buf_free(&path);
    return rc;
}
