/*
 * imds.c — the instance metadata service of each instance at /_recoverlab/imds/{id}/
 * (INTERFACE.md; aws-behaviour §4.4), so that AWS_EC2_METADATA_SERVICE_ENDPOINT pointed
 * there makes a client act "from inside" the instance.
 *
 * IMDSv2 [doc]: PUT latest/api/token with X-aws-ec2-metadata-token-ttl-seconds 1..21600
 * (else 400; a PUT carrying X-Forwarded-For is refused, 403); GET with
 * X-aws-ec2-metadata-token (401 when the token is invalid or expired, or missing while
 * HttpTokens=required); 403 when HttpEndpoint=disabled; 404 for unknown items. Every answer
 * is text/plain; listings are newline-separated. Error bodies are the status line texts
 * the reference lists ("404 - Not Found").
 *
 * Tokens are stateless: base64 of expiry (virtual ms), a nonce and an HMAC-SHA256 over the
 * instance id and both, keyed by a random secret kept in meta (imds_token_key). A token is
 * good for its own instance only.
 *
 * Role credentials are real STS session credentials of the instance profile's role with
 * the instance id as session name (sts_issue_role_credentials), valid 6 hours [obs: typical
 * lifetime in captures] and replaced once less than an hour is left (inferred; AWS: new
 * ones at least 5 minutes before expiry [doc]). The current ones per instance are named in
 * meta (imds_cred:INSTANCE -> {"key","role","issued"}).
 */
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "svc/admin.h"
#include "store/store.h"
#include "svc/ec2/ec2.h"
#include "svc/ec2/ec2_admin.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/regions.h"
#include "svc/iam/iam.h"
#include "svc/sts/sts.h"
#include "svc/svc.h"

#define TTL_HEADER "X-aws-ec2-metadata-token-ttl-seconds"
#define TOKEN_HEADER "X-aws-ec2-metadata-token"
#define TTL_MAX_S 21600
#define CRED_LIFETIME_S (6 * 3600)
#define CRED_REFRESH_MS (3600 * 1000LL)

#define TOKEN_EXP 8
#define TOKEN_NONCE 10
#define TOKEN_MAC 24
#define TOKEN_RAW (TOKEN_EXP + TOKEN_NONCE + TOKEN_MAC) /* 42 bytes -> 56 base64 chars */
#define TOKEN_B64 56

/* ================================================================ responses */

static void reply(struct response *resp, int status, const char *body)
{
    resp->status = status;
    resp->content_type = "text/plain";
    buf_reset(&resp->body);
    buf_puts(&resp->body, body);
}

static void reply_status(struct response *resp, int status)
{
    switch (status) {
    case 400:
        reply(resp, 400, "400 - Missing or Invalid Parameters");
        break;
    case 401:
        reply(resp, 401, "401 - Unauthorized");
        break;
    case 403:
        reply(resp, 403, "403 - Forbidden");
        break;
    case 405:
        reply(resp, 405, "405 - Method Not Allowed"); /* inferred */
        break;
    case 500:
        reply(resp, 500, "500 - Internal Server Error"); /* inferred */
        break;
    default:
        reply(resp, 404, "404 - Not Found");
        break;
    }
}

/* ================================================================ tokens */

/* The HMAC key (32 bytes), created on first use. 0 or -1. */
static int token_key(struct store *st, unsigned char key[32])
{
    char *hex = store_meta_get(st, "imds_token_key");
    if (!hex || strlen(hex) != 64) {
        free(hex);
        unsigned char k[32];
        char h[65];
        rand_bytes(k, sizeof(k));
        hex_encode(k, sizeof(k), h);
        if (store_meta_set(st, "imds_token_key", h))
            return -1;
        hex = xstrdup(h);
    }
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            free(hex);
            return -1;
        }
        key[i] = (unsigned char)v;
    }
    free(hex);
    return 0;
}

static void token_mac(const unsigned char key[32], const char *instance_id,
                      const unsigned char *payload, unsigned char mac[TOKEN_MAC])
{
    unsigned char data[64 + TOKEN_EXP + TOKEN_NONCE];
    size_t il = strlen(instance_id);
    if (il > 64)
        il = 64;
    memcpy(data, instance_id, il);
    memcpy(data + il, payload, TOKEN_EXP + TOKEN_NONCE);
    unsigned char full[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), key, 32, data, il + TOKEN_EXP + TOKEN_NONCE, full, &n);
    memcpy(mac, full, TOKEN_MAC);
}

/* A token for instance_id valid until expires_ms, into out[TOKEN_B64 + 1]. 0 or -1. */
static int token_make(struct store *st, const char *instance_id, int64_t expires_ms,
                      char out[TOKEN_B64 + 1])
{
    unsigned char key[32], raw[TOKEN_RAW];
    if (token_key(st, key))
        return -1;
    uint64_t e = (uint64_t)expires_ms;
    for (int i = 0; i < TOKEN_EXP; i++)
        raw[i] = (unsigned char)(e >> (56 - 8 * i));
    rand_bytes(raw + TOKEN_EXP, TOKEN_NONCE);
    token_mac(key, instance_id, raw, raw + TOKEN_EXP + TOKEN_NONCE);
    EVP_EncodeBlock((unsigned char *)out, raw, TOKEN_RAW);
    out[TOKEN_B64] = 0;
    return 0;
}

/* True when token is a live token of instance_id at now_ms. */
static bool token_ok(struct store *st, const char *instance_id, const char *token, int64_t now_ms)
{
    if (!token || strlen(token) != TOKEN_B64)
        return false;
    for (const char *p = token; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '+' || *p == '/'))
            return false;
    unsigned char raw[TOKEN_RAW + 3], key[32], mac[TOKEN_MAC];
    if (EVP_DecodeBlock(raw, (const unsigned char *)token, TOKEN_B64) != TOKEN_RAW)
        return false;
    if (token_key(st, key))
        return false;
    token_mac(key, instance_id, raw, mac);
    if (CRYPTO_memcmp(mac, raw + TOKEN_EXP + TOKEN_NONCE, TOKEN_MAC) != 0)
        return false;
    uint64_t e = 0;
    for (int i = 0; i < TOKEN_EXP; i++)
        e = (e << 8) | raw[i];
    return (int64_t)e > now_ms;
}

/* ================================================================ credentials */

/* AWS's pretty-printed JSON of IMDS documents: two-space indent, `" : "` [obs]. */
static void pretty_json(struct buf *b, const json_t *obj)
{
    buf_puts(b, "{\n");
    const char *k;
    const json_t *v;
    size_t i = 0, n = json_object_size(obj);
    json_object_foreach((json_t *)obj, k, v)
    {
        char *val = json_dumps(v, JSON_ENCODE_ANY);
        buf_printf(b, "  \"%s\" : %s%s\n", k, val ? val : "null", ++i < n ? "," : "");
        free(val);
    }
    buf_puts(b, "}");
}

struct role_info {
    bool has_profile;
    struct iam_instance_profile profile;
    bool has_role;
    struct iam_role role;
};

static int role_info(struct store *st, struct arena *a, const struct ec2_instance *in,
                     struct role_info *ri)
{
    memset(ri, 0, sizeof(*ri));
    if (!in->profile_arn[0])
        return 0;
    int r = iam_instance_profile_get(st, a, in->profile_arn, &ri->profile);
    if (r)
        return r < 0 ? -1 : 0;
    ri->has_profile = true;
    if (!ri->profile.role_name)
        return 0;
    r = iam_role_get(st, a, ri->profile.role_name, &ri->role);
    if (r)
        return r < 0 ? -1 : 0;
    ri->has_role = true;
    return 0;
}

/* The current credentials of the instance for role, issuing new ones when none are good
 * for another CRED_REFRESH_MS. 0 with *out and *issued_ms, 1 when the role does not trust
 * EC2, -1 on error. Runs in its own transaction. */
static int current_credentials(struct store *st, const char *account, const char *instance_id,
                               const struct iam_role *role, int64_t now_ms,
                               struct sts_credentials *out, int64_t *issued_ms)
{
    char key[64];
    snprintf(key, sizeof(key), "imds_cred:%s", instance_id);
    char *meta = store_meta_get(st, key);
    json_t *m = meta ? json_loads(meta, 0, NULL) : NULL;
    free(meta);
    const char *akid = json_string_value(json_object_get(m, "key"));
    if (akid && str_eq(json_string_value(json_object_get(m, "role")), role->arn)) {
        sqlite3_stmt *s = store_stmt(st, "SELECT secret, session_token, expires_ms, status"
                                         " FROM access_keys WHERE access_key_id = ?1");
        sqlite3_bind_text(s, 1, akid, -1, SQLITE_TRANSIENT);
        bool good = false;
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 1) != SQLITE_NULL) {
            int64_t exp = sqlite3_column_int64(s, 2);
            good = exp - now_ms > CRED_REFRESH_MS &&
                   str_eq((const char *)sqlite3_column_text(s, 3), "Active");
            if (good) {
                memset(out, 0, sizeof(*out));
                snprintf(out->access_key_id, sizeof(out->access_key_id), "%s", akid);
                snprintf(out->secret, sizeof(out->secret), "%s",
                         (const char *)sqlite3_column_text(s, 0));
                snprintf(out->session_token, sizeof(out->session_token), "%s",
                         (const char *)sqlite3_column_text(s, 1));
                out->expires_ms = exp;
                *issued_ms = json_integer_value(json_object_get(m, "issued"));
            }
        }
        sqlite3_reset(s);
        if (good) {
            json_decref(m);
            return 0;
        }
    }
    json_decref(m);
    if (!sts_role_trusts_service(role, "ec2.amazonaws.com", now_ms))
        return 1;
    if (store_begin(st))
        return -1;
    json_t *rec = NULL;
    char *text = NULL;
    if (sts_issue_role_credentials(st, account, role, instance_id, now_ms, CRED_LIFETIME_S, out))
        goto fail;
    rec = json_pack("{s:s, s:s, s:I}", "key", out->access_key_id, "role", role->arn, "issued",
                    (json_int_t)now_ms);
    text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    if (!text || store_meta_set(st, key, text) || store_commit(st))
        goto fail;
    json_decref(rec);
    free(text);
    *issued_ms = now_ms;
    return 0;
fail:
    json_decref(rec);
    free(text);
    store_rollback(st);
    return -1;
}

/* GET meta-data/iam/security-credentials/ROLE */
static void serve_credentials(struct store *st, const char *account, const struct ec2_instance *in,
                              const struct iam_role *role, struct response *resp)
{
    int64_t now = clock_now(), issued = now;
    struct sts_credentials cr;
    char iso[32], exp[32];
    int r = current_credentials(st, account, in->id, role, now, &cr, &issued);
    struct buf b = BUF_INIT;
    json_t *o;
    if (r < 0) {
        reply_status(resp, 500);
        return;
    }
    if (r == 1) {
        time_fmt_iso8601(now, iso);
        char *msg = NULL;
        struct buf mb = BUF_INIT;
        buf_printf(&mb,
                   "EC2 cannot assume the role %s.  Please see documentation at "
                   "http://docs.amazonwebservices.com/IAM/latest/UserGuide/"
                   "RolesTroubleshooting.html.",
                   role->name); /* inferred from field reports */
        msg = buf_steal(&mb);
        o = json_pack("{s:s, s:s, s:s}", "Code", "AssumeRoleUnauthorizedAccess", "Message", msg,
                      "LastUpdated", iso);
        free(msg);
    } else {
        time_fmt_iso8601(issued ? issued : now, iso);
        time_fmt_iso8601(cr.expires_ms, exp);
        o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Code", "Success", "LastUpdated", iso,
                      "Type", "AWS-HMAC", "AccessKeyId", cr.access_key_id, "SecretAccessKey",
                      cr.secret, "Token", cr.session_token, "Expiration", exp);
    }
    pretty_json(&b, o);
    json_decref(o);
    reply(resp, 200, b.p);
    buf_free(&b);
}

/* ================================================================ the tree */

static const char *doc_str(const json_t *doc, const char *a, const char *b)
{
    const json_t *v = json_object_get(doc, a);
    if (b)
        v = json_object_get(v, b);
    return json_string_value(v);
}

static void serve_identity_document(const char *account, const struct ec2_instance *in,
                                    struct response *resp)
{
    const struct ec2_type_info *t = ec2_type_find(in->type);
    const char *arch = t ? ec2_type_arch(t) : "x86_64";
    if (str_eq(arch, "x86_64_mac"))
        arch = "x86_64";
    char pending[32];
    time_fmt_iso8601(in->launch_ms, pending);
    /* the field order of AWS's document [doc example] */
    json_t *o = json_pack("{s:s, s:s, s:s, s:n, s:n, s:n, s:s, s:s, s:s, s:n, s:s, s:s, s:n, "
                          "s:s, s:s}",
                          "accountId", account, "architecture", arch, "availabilityZone", in->az,
                          "billingProducts", "devpayProductCodes", "marketplaceProductCodes",
                          "imageId", in->image_id, "instanceId", in->id, "instanceType", in->type,
                          "kernelId", "pendingTime", pending, "privateIp", in->private_ip,
                          "ramdiskId", "region", in->region, "version", "2017-09-30");
    struct buf b = BUF_INIT;
    pretty_json(&b, o);
    json_decref(o);
    reply(resp, 200, b.p);
    buf_free(&b);
}

/* Strips one trailing '/' into a copy (arena). */
static const char *dir_of(struct arena *a, const char *p)
{
    size_t n = strlen(p);
    return n && p[n - 1] == '/' ? arena_strndup(a, p, n - 1) : p;
}

static void serve_get(struct store *st, const char *account, struct arena *a,
                      const struct ec2_instance *in, const json_t *doc, const char *path,
                      struct response *resp)
{
    const char *p = dir_of(a, path);
    char buf[256];
    if (str_eq(p, "")) {
        reply(resp, 200, "latest");
        return;
    }
    if (str_eq(p, "latest")) {
        reply(resp, 200, "dynamic\nmeta-data");
        return;
    }
    if (str_eq(p, "latest/dynamic")) {
        reply(resp, 200, "instance-identity/");
        return;
    }
    if (str_eq(p, "latest/dynamic/instance-identity")) {
        reply(resp, 200, "document");
        return;
    }
    if (str_eq(p, "latest/dynamic/instance-identity/document")) {
        serve_identity_document(account, in, resp);
        return;
    }
    if (!str_startswith(p, "latest/meta-data")) {
        reply_status(resp, 404);
        return;
    }
    const char *m = p + strlen("latest/meta-data");
    if (*m && *m != '/') {
        reply_status(resp, 404);
        return;
    }
    if (*m == '/')
        m++;
    char priv_dns[128] = "", pub_dns[128] = "";
    const char *pd = doc_str(doc, "PrivateDnsName", NULL);
    if (pd && *pd)
        snprintf(priv_dns, sizeof(priv_dns), "%s", pd);
    else if (in->private_ip[0])
        ec2_private_dns(in->region, in->private_ip, priv_dns, sizeof(priv_dns));
    const char *pub = doc_str(doc, "PublicDnsName", NULL);
    if (pub && *pub)
        snprintf(pub_dns, sizeof(pub_dns), "%s", pub);
    else if (in->public_ip[0])
        ec2_public_dns(in->region, in->public_ip, pub_dns, sizeof(pub_dns));

    struct role_info ri;
    if (role_info(st, a, in, &ri)) {
        reply_status(resp, 500);
        return;
    }
    if (str_eq(m, "")) {
        struct buf b = BUF_INIT;
        buf_puts(&b, "ami-id\nhostname\n");
        if (ri.has_profile)
            buf_puts(&b, "iam/\n");
        buf_puts(&b, "instance-id\ninstance-type\nlocal-hostname\nlocal-ipv4\nplacement/");
        if (in->public_ip[0])
            buf_puts(&b, "\npublic-hostname\npublic-ipv4");
        reply(resp, 200, b.p);
        buf_free(&b);
        return;
    }
    if (str_eq(m, "ami-id")) {
        reply(resp, 200, in->image_id);
    } else if (str_eq(m, "instance-id")) {
        reply(resp, 200, in->id);
    } else if (str_eq(m, "instance-type")) {
        reply(resp, 200, in->type);
    } else if (str_eq(m, "hostname") || str_eq(m, "local-hostname")) {
        reply(resp, 200, priv_dns);
    } else if (str_eq(m, "local-ipv4") && in->private_ip[0]) {
        reply(resp, 200, in->private_ip);
    } else if (str_eq(m, "public-ipv4") && in->public_ip[0]) {
        reply(resp, 200, in->public_ip);
    } else if (str_eq(m, "public-hostname") && pub_dns[0]) {
        reply(resp, 200, pub_dns);
    } else if (str_eq(m, "placement")) {
        reply(resp, 200, "availability-zone\navailability-zone-id\nregion");
    } else if (str_eq(m, "placement/availability-zone")) {
        reply(resp, 200, in->az);
    } else if (str_eq(m, "placement/availability-zone-id")) {
        struct ec2_zone z;
        if (ec2_zone_find(in->az, &z) == 0)
            reply(resp, 200, z.id);
        else
            reply_status(resp, 404);
    } else if (str_eq(m, "placement/region")) {
        reply(resp, 200, in->region);
    } else if (str_eq(m, "iam") && ri.has_profile) {
        reply(resp, 200, ri.has_role ? "info\nsecurity-credentials/" : "info");
    } else if (str_eq(m, "iam/info") && ri.has_profile) {
        char iso[32];
        time_fmt_iso8601(clock_now(), iso);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "Code", "Success", "LastUpdated", iso,
                              "InstanceProfileArn", ri.profile.arn, "InstanceProfileId",
                              ri.profile.profile_id);
        struct buf b = BUF_INIT;
        pretty_json(&b, o);
        json_decref(o);
        reply(resp, 200, b.p);
        buf_free(&b);
    } else if (str_eq(m, "iam/security-credentials") && ri.has_role) {
        snprintf(buf, sizeof(buf), "%s", ri.role.name);
        reply(resp, 200, buf);
    } else if (str_startswith(m, "iam/security-credentials/") && ri.has_role &&
               str_eq(m + strlen("iam/security-credentials/"), ri.role.name)) {
        serve_credentials(st, account, in, &ri.role, resp);
    } else {
        reply_status(resp, 404);
    }
}

/* Collapses runs of '/' (clients joining the base URL and a path may double them). */
static char *squash_slashes(struct arena *a, const char *s)
{
    char *out = arena_strdup(a, s);
    char *w = out;
    for (const char *r = s; *r; r++) {
        if (*r == '/' && w > out && w[-1] == '/')
            continue;
        *w++ = *r;
    }
    *w = 0;
    return out;
}

void ec2_imds_serve(struct store *st, const char *account, const struct request *rq,
                    const char *tail, struct response *resp)
{
    struct arena *a = rq->arena;
    const char *slash = strchr(tail, '/');
    const char *id = slash ? arena_strndup(a, tail, (size_t)(slash - tail)) : tail;
    const char *path = squash_slashes(a, slash ? slash + 1 : "");
    if (*path == '/')
        path++;
    struct ec2_instance in;
    int r = ec2_instance_get(st, id, &in);
    if (r < 0) {
        reply_status(resp, 500);
        return;
    }
    if (r > 0 || in.state == EC2_TERMINATED || in.state == EC2_SHUTTING_DOWN) {
        reply_status(resp, 404);
        return;
    }
    json_t *doc = NULL;
    sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM ec2_instances WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        doc = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
    sqlite3_reset(s);
    const char *endpoint = doc_str(doc, "MetadataOptions", "HttpEndpoint");
    const char *tokens = doc_str(doc, "MetadataOptions", "HttpTokens");
    int64_t now = clock_now();

    if (str_eq(endpoint, "disabled")) {
        reply_status(resp, 403);
    } else if (str_eq(rq->method, "PUT")) {
        const char *ttl_s = request_header(rq, TTL_HEADER);
        int64_t ttl;
        if (!str_eq(path, "latest/api/token")) {
            response_header(resp, "Allow", "GET");
            reply_status(resp, 405);
        } else if (request_header(rq, "X-Forwarded-For")) {
            reply_status(resp, 403);
        } else if (!ttl_s || str_to_i64(ttl_s, &ttl) || ttl < 1 || ttl > TTL_MAX_S) {
            reply_status(resp, 400);
        } else {
            char tok[TOKEN_B64 + 1];
            if (token_make(st, in.id, now + ttl * 1000, tok)) {
                reply_status(resp, 500);
            } else {
                reply(resp, 200, tok);
                response_header(resp, TTL_HEADER, arena_strdup(a, ttl_s));
            }
        }
    } else if (str_eq(path, "latest/api/token")) {
        response_header(resp, "Allow", "PUT");
        reply_status(resp, 405);
    } else {
        const char *tok = request_header(rq, TOKEN_HEADER);
        if (tok ? !token_ok(st, in.id, tok, now) : str_eq(tokens, "required"))
            reply_status(resp, 401);
        else
            serve_get(st, account, a, &in, doc, path, resp);
    }
    json_decref(doc);
}

void ec2_admin_imds(struct admin_call *ac)
{
    ec2_imds_serve(ac->ctx->st, ac->ctx->account, ac->rq, ac->tail, ac->resp);
}
