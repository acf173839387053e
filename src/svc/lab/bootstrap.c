/*
 * bootstrap.c — first start of a lab: the data directory, the database, the account and
 * its root access key; and the AWS shared-credentials/config files beside the database.
 * The database is the source of truth; the two files are rewritten whenever they differ.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/lab/bootstrap.h"
#include "svc/module.h"
#include "wire/model.h"

#define KEY_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#define SECRET_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"

/* mkdir -p with mode 0700 for the directories it creates. */
static int mkdir_p(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
        if (rc)
            break;
    }
    if (rc == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = -1;
    struct stat sb;
    if (rc == 0 && (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        errno = ENOTDIR;
        rc = -1;
    }
    if (rc)
        log_error("cannot create data directory %s: %s", dir, strerror(errno));
    free(p);
    return rc;
}

int bootstrap_open(const char *dir, struct store **out)
{
    *out = NULL;
    if (mkdir_p(dir))
        return -1;
    struct buf path = BUF_INIT;
    buf_printf(&path, "%s/%s", dir, BOOTSTRAP_DB_NAME);
    int rc = svc_store_open(path.p, out);
    buf_free(&path);
    return rc;
}

/* Copies src into dst[cap]; -1 when it does not fit. */
static int copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (!src || n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

/* Reads the root key's secret into id; 1 if the key row is missing. */
static int load_root_key(struct store *st, struct lab_identity *id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT secret FROM access_keys WHERE access_key_id = ?1");
    sqlite3_bind_text(s, 1, id->access_key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rc = copy_str(id->secret, sizeof(id->secret), (const char *)sqlite3_column_text(s, 0));
    else
        rc = rc == SQLITE_DONE ? 1 : -1;
    sqlite3_reset(s);
    return rc;
}

static int create_root_key(struct store *st, struct lab_identity *id)
{
    char key[21];
    memcpy(key, "AKIA", 4);
    rand_chars(key + 4, 16, KEY_ALPHABET);
    rand_chars(id->secret, 40, SECRET_ALPHABET);
    copy_str(id->access_key_id, sizeof(id->access_key_id), key);

    char principal[512];
    snprintf(principal, sizeof(principal),
             "{\"kind\":\"root\",\"temporary\":false,\"account\":\"%s\","
             "\"arn\":\"arn:aws:iam::%s:root\",\"user_id\":\"%s\",\"name\":\"root\"}",
             id->account, id->account, id->account);
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO access_keys(access_key_id, secret, "
                                     "session_token, status, expires_ms, created_ms, principal) "
                                     "VALUES(?1, ?2, NULL, 'Active', 0, ?3, ?4)");
    sqlite3_bind_text(s, 1, id->access_key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, id->secret, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, clock_now());
    sqlite3_bind_text(s, 4, principal, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    if (rc) {
        log_error("bootstrap: cannot store the root key: %s", sqlite3_errmsg(store_db(st)));
        return -1;
    }
    log_info("bootstrap: created account %s with root access key %s", id->account,
             id->access_key_id);
    return store_meta_set(st, "root_access_key_id", id->access_key_id);
}

int bootstrap_account(struct store *st, struct lab_identity *id)
{
    int rc = -1;
    char *account = NULL, *key = NULL;
    memset(id, 0, sizeof(*id));
    if (store_begin(st))
        return -1;
    account = store_meta_get(st, "account_id");
    if (!account) {
        account = xstrdup(BOOTSTRAP_ACCOUNT);
        if (store_meta_set(st, "account_id", account))
            goto out;
    }
    if (copy_str(id->account, sizeof(id->account), account))
        goto out;
    key = store_meta_get(st, "root_access_key_id");
    int lrc = 1;
    if (key) {
        if (copy_str(id->access_key_id, sizeof(id->access_key_id), key))
            goto out;
        lrc = load_root_key(st, id);
        if (lrc < 0)
            goto out;
    }
    if (lrc == 1 && create_root_key(st, id))
        goto out;
    rc = 0;
out:
    if (rc == 0 && store_commit(st) == 0) {
        free(account);
        free(key);
        return 0;
    }
    store_rollback(st);
    free(account);
    free(key);
    log_error("bootstrap: cannot set up the account");
    return -1;
}

/* Replaces path with content (mode 0600) unless it already holds exactly that. */
static int write_if_changed(const char *path, const char *content)
{
    size_t n = strlen(content);
    FILE *f = fopen(path, "rb");
    if (f) {
        char *old = xmalloc(n + 2);
        size_t got = fread(old, 1, n + 1, f);
        fclose(f);
        bool same = got == n && memcmp(old, content, n) == 0;
        free(old);
        struct stat sb;
        if (same && stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600)
            return 0;
    }
    struct buf tmpb = BUF_INIT;
    buf_printf(&tmpb, "%s.tmp", path);
    char *tmp = buf_steal(&tmpb);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto out;
    if (fchmod(fd, 0600) != 0 || write(fd, content, n) != (ssize_t)n) {
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    if (rc)
        log_error("cannot write %s: %s", path, strerror(errno));
    free(tmp);
    return rc;
}

/*
 * DIR/aws-data/<service>/<api-version>/endpoint-rule-set-1.json for every service we model:
 * an endpoint rule set that resolves every request to the lab. With AWS_DATA_PATH pointing
 * there (recoverlab env prints it), botocore-based clients that predate AWS_ENDPOINT_URL
 * (Debian's aws 2.9, boto3 1.26) reach the lab too; botocore loads rule sets from its data
 * path before its bundled ones.
 */
static int write_endpoint_rules(const char *dir, const char *endpoint_url)
{
    int rc = 0;
    struct buf path = BUF_INIT, text = BUF_INIT;
    for (const struct model_service *const *m = svc_models(); *m; m++) {
        buf_reset(&path);
        buf_printf(&path, "%s/aws-data/%s/%s", dir, (*m)->id, (*m)->api_version);
        if (mkdir_p(path.p)) {
            rc = -1;
            continue;
        }
        buf_puts(&path, "/endpoint-rule-set-1.json");
        buf_reset(&text);
        buf_printf(&text,
                   "{\"version\":\"1.0\",\"parameters\":{\"Region\":{\"builtIn\":\"AWS::Region\","
                   "\"required\":false,\"documentation\":\"The region of the request.\","
                   "\"type\":\"String\"}},\"rules\":[{\"conditions\":[],\"endpoint\":"
                   "{\"url\":\"%s\",\"properties\":{},\"headers\":{}},\"type\":\"endpoint\"}]}\n",
                   endpoint_url);
        if (write_if_changed(path.p, text.p))
            rc = -1;
    }
    buf_free(&path);
    buf_free(&text);
    return rc;
}

int bootstrap_write_files(const char *dir, const struct lab_identity *id, const char *region,
                          const char *endpoint_url)
{
    struct buf path = BUF_INIT, text = BUF_INIT;
    int rc = 0;
    buf_printf(&path, "%s/credentials", dir);
    buf_printf(&text, "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
               id->access_key_id, id->secret);
    if (write_if_changed(path.p, text.p))
        rc = -1;
    buf_reset(&path);
    buf_reset(&text);
    buf_printf(&path, "%s/config", dir);
    buf_printf(&text, "[default]\nregion = %s\nendpoint_url = %s\n", region, endpoint_url);
    if (write_if_changed(path.p, text.p))
        rc = -1;
    buf_free(&path);
    buf_free(&text);
    if (write_endpoint_rules(dir, endpoint_url))
        rc = -1;
    return rc;
}
