/*
 * authz_lab.c — see authz_lab.h. The SigV4 signer here is the published algorithm, written
 * for the tests (header form, one region, no query string).
 */
#include "authz_lab.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/store.h"

bool lab_auth_off;

static void exec_or_fail(struct fx *f, const char *sql, const char *const *args, int n)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL) != SQLITE_OK) {
        harness_fail(__FILE__, __LINE__, "prepare %s: %s", sql, sqlite3_errmsg(store_db(f->st)));
        return;
    }
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(s, i + 1, args[i], -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE)
        harness_fail(__FILE__, __LINE__, "step %s: %s", sql, sqlite3_errmsg(store_db(f->st)));
    sqlite3_finalize(s);
}

static void put_key(struct fx *f, const struct lab_key *k, const char *principal_json,
                    const char *owner)
{
    const char *sql = "INSERT INTO access_keys(access_key_id, secret, session_token, status, "
                      "expires_ms, created_ms, principal, owner) "
                      "VALUES(?1, ?2, NULL, 'Active', 0, 0, ?3, ?4)";
    const char *args[] = {k->id, k->secret, principal_json, owner};
    exec_or_fail(f, sql, args, 4);
}

void lab_root_key(struct fx *f, struct lab_key *k)
{
    memset(k, 0, sizeof(*k));
    snprintf(k->id, sizeof(k->id), "AKIALABROOT000000001");
    snprintf(k->secret, sizeof(k->secret), "rootsecretrootsecretrootsecretrootsecret");
    sqlite3_stmt *s = NULL;
    sqlite3_prepare_v2(store_db(f->st), "SELECT 1 FROM access_keys WHERE access_key_id = ?1", -1,
                       &s, NULL);
    sqlite3_bind_text(s, 1, k->id, -1, SQLITE_STATIC);
    bool have = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (!have)
        put_key(f, k,
                "{\"kind\":\"root\",\"temporary\":false,\"account\":\"" FX_ACCOUNT "\","
                "\"arn\":\"arn:aws:iam::" FX_ACCOUNT ":root\",\"user_id\":\"" FX_ACCOUNT "\","
                "\"name\":\"root\",\"session_name\":\"\"}",
                NULL);
}

void lab_user(struct fx *f, const char *name, const char *uid, struct lab_key *k)
{
    char arn[200], pj[600];
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:user/%s", FX_ACCOUNT, name);
    const char *args[] = {name, uid, arn};
    exec_or_fail(f,
                 "INSERT INTO iam_users(name, user_id, path, arn, created_ms) "
                 "VALUES(?1, ?2, '/', ?3, 0)",
                 args, 3);
    memset(k, 0, sizeof(*k));
    snprintf(k->id, sizeof(k->id), "AKIA%.16s", uid + 4);
    snprintf(k->secret, sizeof(k->secret), "%.20ssecretsecretsecretsec", uid);
    snprintf(pj, sizeof(pj),
             "{\"kind\":\"user\",\"temporary\":false,\"account\":\"%s\",\"arn\":\"%s\","
             "\"user_id\":\"%s\",\"name\":\"%s\",\"session_name\":\"\"}",
             FX_ACCOUNT, arn, uid, name);
    put_key(f, k, pj, name);
}

void lab_role(struct fx *f, const char *name, const char *rid, const char *trust, int max_s)
{
    char arn[200], ms[16];
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/%s", FX_ACCOUNT, name);
    snprintf(ms, sizeof(ms), "%d", max_s);
    const char *args[] = {name, rid, arn, trust, ms};
    exec_or_fail(f,
                 "INSERT INTO iam_roles(name, role_id, path, arn, created_ms, trust_policy, "
                 "max_session_s) VALUES(?1, ?2, '/', ?3, 0, ?4, CAST(?5 AS INTEGER))",
                 args, 5);
}

void lab_attach(struct fx *f, const char *kind, const char *owner, const char *policy_arn)
{
    const char *args[] = {kind, owner, policy_arn};
    exec_or_fail(f, "INSERT INTO iam_attachments(kind, owner, policy_arn) VALUES(?1, ?2, ?3)", args,
                 3);
}

void lab_inline(struct fx *f, const char *kind, const char *owner, const char *name,
                const char *doc)
{
    const char *args[] = {kind, owner, name, doc};
    exec_or_fail(f,
                 "INSERT INTO iam_inline_policies(kind, owner, name, document) "
                 "VALUES(?1, ?2, ?3, ?4)",
                 args, 4);
}

/* ---------------------------------------------------------------- signing */

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char d[32];
    SHA256(p, n, d);
    hex_encode(d, 32, out);
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

struct hdr {
    const char *name, *value;
};

static int hdr_cmp(const void *a, const void *b)
{
    return strcmp(((const struct hdr *)a)->name, ((const struct hdr *)b)->name);
}

/* Signs and dispatches one POST. extra headers are lower-case names. */
static void send(struct fx *f, const struct lab_key *k, const char *scope, const char *path,
                 const char *ctype, const struct hdr *extra, size_t nextra, const char *body,
                 size_t blen, struct lab_reply *r)
{
    memset(r, 0, sizeof(*r));
    struct arena *a = arena_new();
    char amz[17], date[9], bh[65], crh[65];
    time_fmt_amz(wall_now_ms(), amz);
    memcpy(date, amz, 8);
    date[8] = 0;
    sha256_hex(body, blen, bh);

    struct hdr h[12];
    size_t n = 0;
    h[n++] = (struct hdr){"content-type", ctype};
    h[n++] = (struct hdr){"host", "localhost:4566"};
    h[n++] = (struct hdr){"x-amz-date", amz};
    if (k->token[0])
        h[n++] = (struct hdr){"x-amz-security-token", k->token};
    for (size_t i = 0; i < nextra && n < 11; i++)
        h[n++] = extra[i];
    qsort(h, n, sizeof(h[0]), hdr_cmp);

    struct buf canon = BUF_INIT, signed_h = BUF_INIT;
    buf_printf(&canon, "POST\n%s\n\n", path);
    for (size_t i = 0; i < n; i++) {
        buf_printf(&canon, "%s:%s\n", h[i].name, h[i].value);
        buf_printf(&signed_h, "%s%s", i ? ";" : "", h[i].name);
    }
    buf_printf(&canon, "\n%s\n%s", signed_h.p, bh);
    sha256_hex(canon.p, canon.len, crh);
    char *sts = arena_printf(a, "AWS4-HMAC-SHA256\n%s\n%s/us-east-1/%s/aws4_request\n%s", amz, date,
                             scope, crh);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    char *kk = arena_printf(a, "AWS4%s", k->secret);
    hmac(kk, strlen(kk), date, k1);
    hmac(k1, 32, "us-east-1", k2);
    hmac(k2, 32, scope, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, sts, sig);
    char sighex[65];
    hex_encode(sig, 32, sighex);
    char *auth = arena_printf(a,
                              "AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/%s/aws4_request, "
                              "SignedHeaders=%s, Signature=%s",
                              k->id, date, scope, signed_h.p, sighex);

    struct header *hh = arena_alloc(a, (n + 1) * sizeof(*hh));
    for (size_t i = 0; i < n; i++)
        hh[i] = (struct header){h[i].name, arena_strdup(a, h[i].value)};
    hh[n] = (struct header){"authorization", auth};
    struct request rq = {
        .arena = a,
        .method = "POST",
        .path = path,
        .query = "",
        .headers = hh,
        .nheaders = n + 1,
        .body = arena_strndup(a, body, blen),
        .body_len = blen,
        .remote_addr = "10.1.2.3",
    };
    struct server_ctx ctx = {
        .st = f->st,
        .account = FX_ACCOUNT,
        .default_region = "us-east-1",
        .auth_enforce = !lab_auth_off,
        .data_dir = "/nonexistent",
        .listen_url = "http://localhost:4566",
    };
    struct response resp;
    memset(&resp, 0, sizeof(resp));
    dispatch_aws(&ctx, &rq, &resp);
    r->status = resp.status;
    r->body = xstrndup(resp.body.p ? resp.body.p : "", resp.body.len);
    for (int i = 0; i < resp.nheaders; i++)
        if (str_ieq(resp.headers[i].name, "x-amzn-query-error"))
            r->query_error = xstrdup(resp.headers[i].value);
    buf_free(&resp.body);
    buf_free(&canon);
    buf_free(&signed_h);
    arena_free(a);
}

void lab_query(struct fx *f, const struct lab_key *k, const char *scope, const char *form,
               struct lab_reply *r)
{
    const char *version = str_eq(scope, "sts")          ? "2011-06-15"
                          : str_eq(scope, "iam")        ? "2010-05-08"
                          : str_eq(scope, "ec2")        ? "2016-11-15"
                          : str_eq(scope, "monitoring") ? "2010-08-01"
                                                        : "";
    char *body = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&body, &len);
    fprintf(m, "%s&Version=%s", form, version);
    fclose(m);
    send(f, k, scope, "/", "application/x-www-form-urlencoded; charset=utf-8", NULL, 0, body, len,
         r);
    free(body);
}

void lab_cw_json(struct fx *f, const struct lab_key *k, const char *op, const char *json,
                 struct lab_reply *r)
{
    char target[96];
    snprintf(target, sizeof(target), "GraniteServiceVersion20100801.%s", op);
    struct hdr extra[] = {{"x-amz-target", target}, {"x-amzn-query-mode", "true"}};
    send(f, k, "monitoring", "/", "application/x-amz-json-1.0", extra, 2, json, strlen(json), r);
}

void lab_cw_cbor(struct fx *f, const struct lab_key *k, const char *op, const char *body,
                 size_t len, struct lab_reply *r)
{
    char path[128];
    snprintf(path, sizeof(path), "/service/GraniteServiceVersion20100801/operation/%s", op);
    struct hdr extra[] = {{"smithy-protocol", "rpc-v2-cbor"}, {"x-amzn-query-mode", "true"}};
    send(f, k, "monitoring", path, "application/cbor", extra, 2, body, len, r);
}

void lab_reply_free(struct lab_reply *r)
{
    free(r->body);
    free(r->query_error);
    memset(r, 0, sizeof(*r));
}

char *lab_urlenc(const char *s)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    return buf_steal(&b);
}

char *lab_xml(const char *xml, const char *tag)
{
    char open[80], close[80];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    const char *a = xml ? strstr(xml, open) : NULL;
    const char *b = a ? strstr(a, close) : NULL;
    if (!a || !b)
        return NULL;
    a += strlen(open);
    struct buf out = BUF_INIT;
    static const struct {
        const char *ent, *ch;
    } ents[] = {{"&apos;", "'"}, {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
    for (const char *p = a; p < b;) {
        size_t i;
        for (i = 0; i < ARRAY_LEN(ents); i++)
            if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
                break;
        if (i < ARRAY_LEN(ents)) {
            buf_puts(&out, ents[i].ch);
            p += strlen(ents[i].ent);
        } else {
            buf_putc(&out, *p++);
        }
    }
    buf_puts(&out, "");
    return buf_steal(&out);
}

int lab_key_from_xml(const char *xml, struct lab_key *k)
{
    char *id = lab_xml(xml, "AccessKeyId"), *sec = lab_xml(xml, "SecretAccessKey"),
         *tok = lab_xml(xml, "SessionToken");
    int rc = id && sec && tok ? 0 : -1;
    memset(k, 0, sizeof(*k));
    if (!rc) {
        snprintf(k->id, sizeof(k->id), "%s", id);
        snprintf(k->secret, sizeof(k->secret), "%s", sec);
        snprintf(k->token, sizeof(k->token), "%s", tok);
    }
    free(id);
    free(sec);
    free(tok);
    return rc;
}
