/* env.c — `recoverlab env [--data DIR]`: export lines for the lab's endpoint and root key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_env_main(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_take_opt("env", argc, argv, &i, "--data", &dir);
        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r == 0) {
            fprintf(stderr,
                    "recoverlab env: unexpected argument %s (usage: recoverlab env "
                    "[--data DIR])\n",
                    argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (!dir)
        dir = cli_default_data_dir();
    struct buf cfg = BUF_INIT, cred = BUF_INIT;
    buf_printf(&cfg, "%s/config", dir);
    buf_printf(&cred, "%s/credentials", dir);
    char *endpoint = cli_ini_get(cfg.p, "default", "endpoint_url");
    char *region = cli_ini_get(cfg.p, "default", "region");
    char *key = cli_ini_get(cred.p, "default", "aws_access_key_id");
    char *secret = cli_ini_get(cred.p, "default", "aws_secret_access_key");
    int rc = CLI_EXIT_USAGE;
    if (!endpoint || !key || !secret) {
        fprintf(stderr,
                "recoverlab env: no lab in %s (start one with recoverlab serve --data "
                "%s)\n",
                dir, dir);
    } else {
        printf("export AWS_ENDPOINT_URL=%s\n", endpoint);
        printf("export AWS_ACCESS_KEY_ID=%s\n", key);
        printf("export AWS_SECRET_ACCESS_KEY=%s\n", secret);
        printf("export AWS_DEFAULT_REGION=%s\n", region && *region ? region : "us-east-1");
        /* the AWS SDK for JavaScript v3 reads only AWS_REGION */
        printf("export AWS_REGION=%s\n", region && *region ? region : "us-east-1");
        /* endpoint rule sets for botocore clients that predate AWS_ENDPOINT_URL (bootstrap.c) */
        char *abs = realpath(dir, NULL);
        printf("export AWS_DATA_PATH=%s/aws-data\n", abs ? abs : dir);
        free(abs);
        rc = CLI_EXIT_OK;
    }
    free(endpoint);
    free(region);
    free(key);
    free(secret);
    buf_free(&cfg);
    buf_free(&cred);
    return rc;
}
