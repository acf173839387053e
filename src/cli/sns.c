/*
 * sns.c — `recoverlab sns messages [--topic ARN] [--follow] [--json]`: the lab's SNS inbox
 * and delivery log (GET /_recoverlab/sns/messages): what went to email, email-json and sms
 * subscriptions (which the lab cannot reach) and every http/https delivery with its state
 * and attempts. --follow keeps polling (every second) and prints messages as they arrive.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define USAGE                                                                                      \
    "usage: recoverlab sns messages [--topic ARN] [--follow] [--data DIR | --endpoint URL] "       \
    "[--json]"

static const char *js(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static void print_one(const json_t *m, bool json)
{
    if (json) {
        char *t = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", t ? t : "{}");
        free(t);
    } else {
        printf("%s  %-24s %-10s %s  [%s", js(m, "time"), js(m, "type"), js(m, "protocol"),
               js(m, "endpoint"), js(m, "state"));
        json_int_t n = json_integer_value(json_object_get(m, "attempts"));
        if (n)
            printf(", %lld attempt%s", (long long)n, n == 1 ? "" : "s");
        if (*js(m, "lastError"))
            printf(", %s", js(m, "lastError"));
        printf("]\n  topic: %s\n", js(m, "topicArn"));
        if (*js(m, "subject"))
            printf("  subject: %s\n", js(m, "subject"));
        printf("  %s\n\n", js(m, "message"));
    }
    fflush(stdout);
}

int cli_sns_main(int argc, char **argv)
{
    struct cli_opts o;
    char *rest[4];
    int nrest, rc = CLI_EXIT_USAGE;
    const char *topic = NULL;
    bool follow = false;
    struct cli_target t;
    memset(&t, 0, sizeof(t));
    struct buf resp = BUF_INIT, path = BUF_INIT;
    char **av = xcalloc((size_t)argc + 1, sizeof(*av));
    int ac = 0;
    av[ac++] = argv[0];
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_take_opt("sns", argc, argv, &i, "--topic", &topic))) {
            if (r < 0)
                goto out;
            continue;
        }
        if (str_eq(argv[i], "--follow") || str_eq(argv[i], "-f")) {
            follow = true;
            continue;
        }
        av[ac++] = argv[i];
    }
    if (cli_parse_common("sns", ac, av, &o, rest, 4, &nrest))
        goto out;
    if (nrest != 1 || !str_eq(rest[0], "messages")) {
        fprintf(stderr, "%s\n", USAGE);
        goto out;
    }
    if (cli_target_resolve("sns", &o, &t))
        goto out;
    char *enc = NULL;
    if (topic) {
        CURL *h = curl_easy_init();
        enc = h ? curl_easy_escape(h, topic, 0) : NULL;
        curl_easy_cleanup(h);
    }
    long long after = 0;
    bool first = true;
    json_t *all = json_array();
    for (;;) {
        buf_reset(&path);
        buf_printf(&path, "/_recoverlab/sns/messages?after=%lld", after);
        if (enc)
            buf_printf(&path, "&topic=%s", enc);
        long status = 0;
        if (cli_request("sns", &t, "GET", path.p, NULL, &status, &resp)) {
            rc = CLI_EXIT_USAGE;
            break;
        }
        if (status != 200) {
            cli_print_error("sns", status, resp.p);
            rc = status == 404 ? CLI_EXIT_USAGE : CLI_EXIT_FINDINGS;
            break;
        }
        json_t *doc = json_loads(resp.p ? resp.p : "", 0, NULL);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(doc, "messages"), i, m)
        {
            after = (long long)json_integer_value(json_object_get(m, "id"));
            if (follow)
                print_one(m, o.json);
            else
                json_array_append(all, m);
        }
        json_decref(doc);
        if (!follow) {
            if (o.json) {
                json_t *w = json_pack("{s:O}", "messages", all);
                char *txt = json_dumps(w, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                printf("%s\n", txt ? txt : "{}");
                free(txt);
                json_decref(w);
            } else {
                json_array_foreach(all, i, m) print_one(m, false);
                if (json_array_size(all) == 0)
                    printf("no messages\n");
            }
            rc = CLI_EXIT_OK;
            break;
        }
        if (first && !o.json)
            fprintf(stderr, "recoverlab sns: following (Ctrl-C stops)\n");
        first = false;
        sleep(1);
    }
    json_decref(all);
    curl_free(enc);
out:
    free(av);
    buf_free(&resp);
    buf_free(&path);
    cli_target_free(&t);
    return rc;
}
