/*
 * common.c — what every client-side command shares: option parsing, finding the lab and
 * its credentials, and one SigV4-signed HTTP request over libcurl (CURLOPT_AWS_SIGV4).
 */
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

int cli_take_opt(const char *cmd, int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != 0)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "recoverlab %s: %s needs a value\n", cmd, name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int cli_parse_common(const char *cmd, int argc, char **argv, struct cli_opts *o, char **rest,
                     int max, int *nrest)
{
    memset(o, 0, sizeof(*o));
    *nrest = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_take_opt(cmd, argc, argv, &i, "--data", &o->data_dir)) != 0 ||
            (r = cli_take_opt(cmd, argc, argv, &i, "--endpoint", &o->endpoint)) != 0) {
            if (r < 0)
                return -1;
            continue;
        }
        if (str_eq(argv[i], "--json")) {
            o->json = true;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "recoverlab %s: unknown option %s\n", cmd, argv[i]);
            return -1;
        }
        if (*nrest >= max) {
            fprintf(stderr, "recoverlab %s: unexpected argument %s\n", cmd, argv[i]);
            return -1;
        }
        rest[(*nrest)++] = argv[i];
    }
    return 0;
}

const char *cli_default_data_dir(void)
{
    const char *d = getenv("RECOVERLAB_DATA");
    return d && *d ? d : "./recoverlab-data";
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

char *cli_ini_get(const char *path, const char *section, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[4096];
    bool in_section = false, nested = false;
    char *found = NULL;
    while (!found && fgets(line, sizeof(line), f)) {
        bool indented = line[0] == ' ' || line[0] == '\t';
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (indented && nested)
            continue; /* a nested setting ("s3 =\n  region = x"): never ours */
        nested = false;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end)
                continue;
            *end = 0;
            in_section = str_eq(trim(s + 1), section);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq)
            continue;
        *eq = 0;
        char *k = trim(s), *v = trim(eq + 1);
        if (!*v) {
            nested = true;
            continue;
        }
        if (in_section && str_eq(k, key))
            found = xstrdup(v);
    }
    fclose(f);
    return found;
}

static char *env_dup(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? xstrdup(v) : NULL;
}

/* $HOME/.aws/NAME, or the path in the override variable. */
static char *aws_file(const char *override_var, const char *name)
{
    char *p = env_dup(override_var);
    if (p)
        return p;
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s/.aws/%s", home, name);
    return buf_steal(&b);
}

static bool is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Endpoint, root key and region from a lab's data directory. */
static int from_data_dir(const char *cmd, const char *dir, struct cli_target *t)
{
    struct buf cfg = BUF_INIT, cred = BUF_INIT;
    int rc = -1;
    buf_printf(&cfg, "%s/config", dir);
    buf_printf(&cred, "%s/credentials", dir);
    t->endpoint = cli_ini_get(cfg.p, "default", "endpoint_url");
    t->region = cli_ini_get(cfg.p, "default", "region");
    t->access_key_id = cli_ini_get(cred.p, "default", "aws_access_key_id");
    t->secret = cli_ini_get(cred.p, "default", "aws_secret_access_key");
    if (!t->endpoint || !t->access_key_id || !t->secret)
        fprintf(stderr,
                "recoverlab %s: no lab in %s (missing %s or %s; start one with "
                "recoverlab serve --data %s)\n",
                cmd, dir, cfg.p, cred.p, dir);
    else
        rc = 0;
    buf_free(&cfg);
    buf_free(&cred);
    return rc;
}

/* Credentials and region from the environment and the AWS shared files. */
static int from_environment(const char *cmd, struct cli_target *t)
{
    const char *profile = getenv("AWS_PROFILE");
    if (!profile || !*profile)
        profile = "default";
    t->access_key_id = env_dup("AWS_ACCESS_KEY_ID");
    t->secret = env_dup("AWS_SECRET_ACCESS_KEY");
    if (t->access_key_id && t->secret) {
        t->session_token = env_dup("AWS_SESSION_TOKEN");
    } else {
        free(t->access_key_id);
        free(t->secret);
        t->access_key_id = t->secret = NULL;
        char *path = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        if (path) {
            t->access_key_id = cli_ini_get(path, profile, "aws_access_key_id");
            t->secret = cli_ini_get(path, profile, "aws_secret_access_key");
            t->session_token = cli_ini_get(path, profile, "aws_session_token");
            free(path);
        }
    }
    t->region = env_dup("AWS_REGION");
    if (!t->region)
        t->region = env_dup("AWS_DEFAULT_REGION");
    if (!t->region) {
        char *path = aws_file("AWS_CONFIG_FILE", "config");
        if (path) {
            struct buf sec = BUF_INIT;
            if (str_eq(profile, "default"))
                buf_puts(&sec, "default");
            else
                buf_printf(&sec, "profile %s", profile);
            t->region = cli_ini_get(path, sec.p, "region");
            buf_free(&sec);
            free(path);
        }
    }
    if (!t->access_key_id || !t->secret) {
        fprintf(stderr,
                "recoverlab %s: no credentials: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or pass --data DIR\n",
                cmd);
        return -1;
    }
    return 0;
}

int cli_target_resolve(const char *cmd, const struct cli_opts *o, struct cli_target *t)
{
    memset(t, 0, sizeof(*t));
    int rc;
    if (o->data_dir) {
        rc = from_data_dir(cmd, o->data_dir, t);
    } else {
        const char *ep = o->endpoint ? o->endpoint : getenv("AWS_ENDPOINT_URL");
        if (ep && *ep) {
            rc = from_environment(cmd, t);
            t->endpoint = xstrdup(ep);
        } else {
            const char *dir = cli_default_data_dir();
            struct buf cfg = BUF_INIT;
            buf_printf(&cfg, "%s/config", dir);
            bool there = is_file(cfg.p);
            buf_free(&cfg);
            if (there) {
                rc = from_data_dir(cmd, dir, t);
            } else {
                fprintf(stderr,
                        "recoverlab %s: no lab found: pass --data DIR or --endpoint URL "
                        "(or set AWS_ENDPOINT_URL)\n",
                        cmd);
                rc = -1;
            }
        }
    }
    if (rc == 0) {
        size_t n = strlen(t->endpoint);
        while (n && t->endpoint[n - 1] == '/')
            t->endpoint[--n] = 0;
        if (!t->region || !*t->region) {
            free(t->region);
            t->region = xstrdup("us-east-1");
        }
    } else {
        cli_target_free(t);
    }
    return rc;
}

void cli_target_free(struct cli_target *t)
{
    free(t->endpoint);
    free(t->access_key_id);
    free(t->secret);
    free(t->session_token);
    free(t->region);
    memset(t, 0, sizeof(*t));
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    buf_put(ud, p, size * n);
    return size * n;
}

int cli_request(const char *cmd, const struct cli_target *t, const char *method, const char *path,
                const char *json_body, long *status, struct buf *resp)
{
    static bool curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    int rc = -1;
    struct buf url = BUF_INIT, sigv4 = BUF_INIT, tok = BUF_INIT;
    struct curl_slist *hdrs = NULL;
    buf_reset(resp);
    CURL *h = curl_easy_init();
    if (!h) {
        fprintf(stderr, "recoverlab %s: cannot initialise libcurl\n", cmd);
        return -1;
    }
    buf_printf(&url, "%s%s", t->endpoint, path);
    buf_printf(&sigv4, "aws:amz:%s:recoverlab", t->region);
    curl_easy_setopt(h, CURLOPT_URL, url.p);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.p);
    curl_easy_setopt(h, CURLOPT_USERNAME, t->access_key_id);
    curl_easy_setopt(h, CURLOPT_PASSWORD, t->secret);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    if (json_body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json_body));
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    }
    if (t->session_token) {
        buf_printf(&tok, "X-Amz-Security-Token: %s", t->session_token);
        hdrs = curl_slist_append(hdrs, tok.p);
    }
    /* no "Expect:" override: curl 7.88 would sign the removed header */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        fprintf(stderr, "recoverlab %s: cannot reach the lab at %s: %s\n", cmd, t->endpoint,
                curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    rc = 0;
out:
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    buf_free(&url);
    buf_free(&sigv4);
    buf_free(&tok);
    return rc;
}

void cli_print_error(const char *cmd, long status, const char *body)
{
    json_t *v = body ? json_loads(body, 0, NULL) : NULL;
    const char *type = v ? json_string_value(json_object_get(v, "__type")) : NULL;
    const char *msg = v ? json_string_value(json_object_get(v, "message")) : NULL;
    if (type || msg)
        fprintf(stderr, "recoverlab %s: %s: %s\n", cmd, type ? type : "Error", msg ? msg : "");
    else
        fprintf(stderr, "recoverlab %s: HTTP %ld%s%s\n", cmd, status, body && *body ? ": " : "",
                body ? body : "");
    json_decref(v);
}
