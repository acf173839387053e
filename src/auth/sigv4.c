/*
 * sigv4.c — AWS Signature Version 4 verification, header and presigned-query forms.
 *
 * The canonical request follows the published algorithm (and what botocore, AWS CLI v2 and
 * the JS SDK v3 compute): for non-S3 services the raw (still percent-encoded) path has its
 * dot segments and empty segments removed and is then URI-encoded once more; the query is
 * decoded and re-encoded with the RFC 3986 unreserved set, sorted by key then value.
 * curl 7.88's --aws-sigv4 signs the raw path and the raw, unsorted query, so when the
 * canonical form does not match we also try those forms (each alternative only costs a
 * SHA-256 and one HMAC, and is taken only on a mismatch).
 *
 * One thread: the OpenSSL contexts and the signing-key cache are process-wide, unlocked.
 *
 * Error strings: AWS's own where known (aws-behaviour.md §4.6; messages recorded from real
 * services by dynalite/scratchstack and seen in user reports); others are marked inferred.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SKEW_MS (15LL * 60 * 1000)
#define PRESIGN_MAX_S 604800 /* a week */
#define KEY_CACHE_SLOTS 32

static const char MSG_MISMATCH[] =
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.";
static const char MSG_INVALID_TOKEN[] = "The security token included in the request is invalid.";
static const char MSG_EXPIRED_TOKEN[] = "The security token included in the request is expired";

/* ---- OpenSSL state: fetched once, contexts reused (c-stack.md §2.7) ---- */

struct key_slot {
    uint64_t used_at; /* 0: empty */
    char id[256];     /* akid \n secret \n date \n region \n service */
    unsigned char key[32];
};

static struct {
    bool ready;
    EVP_MAC *mac;
    EVP_MAC_CTX *mac_ctx;
    EVP_MD *md;
    EVP_MD_CTX *md_ctx;
    uint64_t tick;
    struct key_slot slots[KEY_CACHE_SLOTS];
} g;

static void crypto_fail(const char *what)
{
    log_error("sigv4: OpenSSL %s failed", what);
    abort(); /* like OOM: no useful recovery from a broken libcrypto */
}

void sigv4_init(void)
{
    if (g.ready)
        return;
    g.mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    g.md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!g.mac || !g.md)
        crypto_fail("fetch");
    g.mac_ctx = EVP_MAC_CTX_new(g.mac);
    g.md_ctx = EVP_MD_CTX_new();
    if (!g.mac_ctx || !g.md_ctx)
        crypto_fail("context");
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    if (!EVP_MAC_CTX_set_params(g.mac_ctx, params))
        crypto_fail("HMAC digest");
    g.ready = true;
}

void sigv4_shutdown(void)
{
    if (!g.ready)
        return;
    EVP_MAC_CTX_free(g.mac_ctx);
    EVP_MAC_free(g.mac);
    EVP_MD_CTX_free(g.md_ctx);
    EVP_MD_free(g.md);
    OPENSSL_cleanse(&g, sizeof(g));
    memset(&g, 0, sizeof(g));
}

static void hmac_sha256(const void *key, size_t klen, const void *data, size_t dlen,
                        unsigned char out[32])
{
    size_t outl = 0;
    if (!EVP_MAC_init(g.mac_ctx, key, klen, NULL) || !EVP_MAC_update(g.mac_ctx, data, dlen) ||
        !EVP_MAC_final(g.mac_ctx, out, &outl, 32) || outl != 32)
        crypto_fail("HMAC");
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[32];
    unsigned int dl = 0;
    if (!EVP_DigestInit_ex(g.md_ctx, g.md, NULL) || !EVP_DigestUpdate(g.md_ctx, data, len) ||
        !EVP_DigestFinal_ex(g.md_ctx, d, &dl) || dl != 32)
        crypto_fail("SHA-256");
    hex_encode(d, 32, out);
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
 * cached per (key id, secret, date, region, service). */
static void signing_key(const char *akid, const char *secret, const char *date, const char *region,
                        const char *service, unsigned char out[32])
{
    char id[256];
    int n = snprintf(id, sizeof(id), "%s\n%s\n%s\n%s\n%s", akid, secret, date, region, service);
    bool cacheable = n > 0 && (size_t)n < sizeof(id);
    struct key_slot *victim = &g.slots[0];
    if (cacheable) {
        for (int i = 0; i < KEY_CACHE_SLOTS; i++) {
            struct key_slot *s = &g.slots[i];
            if (s->used_at && strcmp(s->id, id) == 0) {
                s->used_at = ++g.tick;
                memcpy(out, s->key, 32);
                OPENSSL_cleanse(id, sizeof(id));
                return;
            }
            if (s->used_at < victim->used_at)
                victim = s;
        }
    }
    size_t slen = strlen(secret);
    char *k0 = xmalloc(slen + 5);
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, slen + 1);
    unsigned char k[32];
    hmac_sha256(k0, slen + 4, date, strlen(date), k);
    hmac_sha256(k, 32, region, strlen(region), k);
    hmac_sha256(k, 32, service, strlen(service), k);
    hmac_sha256(k, 32, SIGV4_TERMINATOR, strlen(SIGV4_TERMINATOR), out);
    OPENSSL_cleanse(k0, slen + 4);
    free(k0);
    OPENSSL_cleanse(k, sizeof(k));
    if (cacheable) {
        memcpy(victim->id, id, (size_t)n + 1);
        memcpy(victim->key, out, 32);
        victim->used_at = ++g.tick;
    }
    OPENSSL_cleanse(id, sizeof(id));
}

/* ---- small string helpers ---- */

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Appends s[0..n) URI-encoded: unreserved bytes as-is ('/' too when keep_slash), others %XX. */
static void uri_encode(struct buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_put(b, e, 3);
        }
    }
}

/* Percent-decodes s[0..n) into the arena; '+' is a space (botocore sends query spaces as '+'
 * but signs them as %20), an invalid escape stays literal.
 * The result is NUL-terminated; *outn is its length (it may contain NULs). */
static char *pct_decode(struct arena *a, const char *s, size_t n, size_t *outn)
{
    char *d = arena_alloc(a, n + 1);
    *outn = form_unescape(d, s, n);
    return d;
}

/* Trims is_ws() from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_ws((*s)[*n - 1]))
        (*n)--;
}

/* True when the ';'-separated list contains name (ASCII case-insensitive). */
static bool list_has(const char *list, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = list; p;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == nl && strncasecmp(p, name, nl) == 0)
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

static const char *header_first(const struct request *rq, const char *name)
{
    for (size_t i = 0; i < rq->nheaders; i++)
        if (rq->headers[i].name && strcasecmp(rq->headers[i].name, name) == 0)
            return rq->headers[i].value ? rq->headers[i].value : "";
    return NULL;
}

/* ---- query strings ---- */

struct qpair {
    const char *raw; /* the raw "k=v" segment */
    size_t rawn;
    char *key, *val; /* decoded, NUL-terminated (may contain NULs) */
    size_t keyn, valn;
    char *ekey, *eval; /* canonical re-encodings */
};

/* Splits a raw query on '&' (empty segments skipped) and decodes each key and value. */
static struct qpair *query_parse(struct arena *a, const char *q, size_t *count)
{
    size_t cap = 1;
    for (const char *p = q; *p; p++)
        cap += *p == '&';
    struct qpair *v = arena_zalloc(a, cap * sizeof(*v));
    size_t n = 0;
    for (const char *p = q; p;) {
        const char *e = strchr(p, '&');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            const char *eq = memchr(p, '=', len);
            size_t kl = eq ? (size_t)(eq - p) : len;
            struct qpair *qp = &v[n++];
            qp->raw = p;
            qp->rawn = len;
            qp->key = pct_decode(a, p, kl, &qp->keyn);
            qp->val = eq ? pct_decode(a, eq + 1, len - kl - 1, &qp->valn)
                         : pct_decode(a, "", 0, &qp->valn);
        }
        p = e ? e + 1 : NULL;
    }
    *count = n;
    return v;
}

/* Decoded value of the first pair whose decoded key is name, or NULL. */
static const char *query_get(const struct qpair *v, size_t n, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (v[i].keyn == nl && memcmp(v[i].key, name, nl) == 0)
            return v[i].val;
    return NULL;
}

static int qpair_cmp(const void *x, const void *y)
{
    const struct qpair *a = x, *b = y;
    int c = strcmp(a->ekey, b->ekey);
    return c ? c : strcmp(a->eval, b->eval);
}

/* The canonical query: pairs re-encoded, sorted by key then value, X-Amz-Signature dropped
 * when skip_signature. */
static char *query_canonical(struct arena *a, const char *q, bool skip_signature)
{
    size_t n;
    struct qpair *v = query_parse(a, q, &n);
    struct qpair *keep = arena_zalloc(a, (n ? n : 1) * sizeof(*keep));
    size_t m = 0;
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (skip_signature && v[i].keyn == 15 && memcmp(v[i].key, "X-Amz-Signature", 15) == 0)
            continue;
        buf_reset(&b);
        uri_encode(&b, v[i].key, v[i].keyn, false);
        v[i].ekey = arena_strndup(a, b.p ? b.p : "", b.len);
        buf_reset(&b);
        uri_encode(&b, v[i].val, v[i].valn, false);
        v[i].eval = arena_strndup(a, b.p ? b.p : "", b.len);
        keep[m++] = v[i];
    }
    qsort(keep, m, sizeof(*keep), qpair_cmp);
    buf_reset(&b);
    for (size_t i = 0; i < m; i++) {
        if (i)
            buf_putc(&b, '&');
        buf_puts(&b, keep[i].ekey);
        buf_putc(&b, '=');
        buf_puts(&b, keep[i].eval);
    }
    char *s = arena_strndup(a, b.p ? b.p : "", b.len);
    buf_free(&b);
    return s;
}

/* ---- paths ---- */

/* botocore/JS SDK v3 normalisation of the raw path: empty and "." segments dropped, ".."
 * pops (never above the root); leading and trailing '/' kept; then encoded once more. */
static char *path_canonical(struct arena *a, const char *path)
{
    if (!path || !*path)
        return arena_strdup(a, "/");
    size_t len = strlen(path), nseg = 0;
    const char **seg = arena_alloc(a, (len / 2 + 2) * sizeof(*seg));
    size_t *segn = arena_alloc(a, (len / 2 + 2) * sizeof(*segn));
    for (const char *p = path; p;) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 0 || (l == 1 && p[0] == '.')) {
            /* skip */
        } else if (l == 2 && p[0] == '.' && p[1] == '.') {
            if (nseg)
                nseg--;
        } else {
            seg[nseg] = p;
            segn[nseg++] = l;
        }
        p = e ? e + 1 : NULL;
    }
    struct buf norm = BUF_INIT, b = BUF_INIT;
    if (path[0] == '/')
        buf_putc(&norm, '/');
    for (size_t i = 0; i < nseg; i++) {
        if (i)
            buf_putc(&norm, '/');
        buf_put(&norm, seg[i], segn[i]);
    }
    if (nseg && path[len - 1] == '/')
        buf_putc(&norm, '/');
    if (norm.len == 0)
        buf_putc(&norm, '/');
    uri_encode(&b, norm.p, norm.len, true);
    char *s = arena_strndup(a, b.p, b.len);
    buf_free(&norm);
    buf_free(&b);
    return s;
}

/* ---- dates ---- */

/* Strict ISO 8601 basic form "20261128T175049Z". */
static int amz_date_parse(const char *s, int64_t *ms)
{
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (s[i] < '0' || s[i] > '9'))
            return -1;
    return time_parse_iso8601(s, ms);
}

/* The HTTP Date header (RFC 7231 IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", also with a
 * numeric zone as Python's email.utils.formatdate writes "-0000") or the basic form,
 * normalised into out[17] as the basic form in UTC. */
static int http_date_parse(const char *s, char out[17])
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int64_t ms;
    if (amz_date_parse(s, &ms) == 0) {
        memcpy(out, s, 17);
        return 0;
    }
    const char *c = strchr(s, ',');
    if (!c)
        return -1;
    int d, y, h, mi, se, end = -1;
    char mon[4] = {0}, zone[8] = {0};
    if (sscanf(c + 1, " %2d %3c %4d %2d:%2d:%2d %7s%n", &d, mon, &y, &h, &mi, &se, zone, &end) !=
            7 ||
        end < 0 || c[1 + end] != '\0')
        return -1;
    const char *m = strstr(months, mon);
    if (!m || (m - months) % 3 || y < 1970 || y > 9999 || d < 1 || d > 31 || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || se < 0 || se > 60)
        return -1;
    int64_t off_min = 0;
    if (strcmp(zone, "GMT") != 0 && strcmp(zone, "UTC") != 0) {
        if ((zone[0] != '+' && zone[0] != '-') || strlen(zone) != 5)
            return -1;
        for (int i = 1; i < 5; i++)
            if (zone[i] < '0' || zone[i] > '9')
                return -1;
        off_min =
            ((zone[1] - '0') * 10 + (zone[2] - '0')) * 60 + (zone[3] - '0') * 10 + (zone[4] - '0');
        if (zone[0] == '-')
            off_min = -off_min;
    }
    char tmp[48];
    snprintf(tmp, sizeof(tmp), "%04d%02d%02dT%02d%02d%02dZ", y, (int)((m - months) / 3) + 1, d, h,
             mi, se);
    if (amz_date_parse(tmp, &ms))
        return -1;
    time_fmt_amz(ms - off_min * 60000, out);
    return 0;
}

/* ---- results ---- */

static void set_err(struct sigv4_result *res, int status, const char *code, const char *msg)
{
    memset(res, 0, sizeof(*res));
    res->err.status = status;
    res->err.code = code;
    res->err.message = msg;
    res->err.sender = status < 500;
}

void sigv4_missing_auth(struct sigv4_result *res)
{
    set_err(res, 403, SIGV4_MISSING_AUTH_CODE, SIGV4_MISSING_AUTH_MSG);
}

static char *buf_to_arena(struct arena *a, struct buf *b)
{
    char *s = arena_strndup(a, b->p ? b->p : "", b->len);
    buf_free(b);
    return s;
}

/* ---- parse ---- */

/*
 * Checks shared by both forms once the parts are known: the credential has five elements,
 * host (and x-amz-date when that header carries the date) is signed, and the scope names a
 * region, the aws4_request terminator and the request's date.
 */
static int check_parts(struct arena *a, const char *credential, bool date_from_header,
                       struct sigv4_parsed *out, struct sigv4_result *res)
{
    char *cred = arena_strdup(a, credential);
    size_t cl = strlen(cred);
    while (cl && cred[cl - 1] == '/') /* trailing slashes are ignored [obs, dynalite] */
        cred[--cl] = '\0';
    char *part[5];
    int np = 0;
    for (char *p = cred; p && np <= 5;) {
        char *e = strchr(p, '/');
        if (e)
            *e = '\0';
        if (np < 5)
            part[np] = p;
        np++;
        p = e ? e + 1 : NULL;
    }
    if (np != 5) {
        set_err(res, 400, "IncompleteSignature",
                arena_printf(a,
                             "Credential must have exactly 5 slash-delimited elements, e.g. "
                             "keyid/date/region/service/term, got '%s'",
                             credential));
        return -1;
    }
    out->access_key_id = part[0];
    out->date = part[1];
    out->region = part[2];
    out->service = part[3];

    if (!list_has(out->signed_headers, "host")) {
        set_err(res, 403, "SignatureDoesNotMatch",
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        return -1;
    }
    if (date_from_header && !list_has(out->signed_headers, "x-amz-date")) {
        /* inferred: AWS's "'<Header>' must be a 'SignedHeader'" form for X-Amz-Date */
        set_err(res, 403, "SignatureDoesNotMatch",
                "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
        return -1;
    }

    struct buf m = BUF_INIT;
    bool region_ok = *out->region != '\0';
    for (const char *r = out->region; *r; r++)
        if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-'))
            region_ok = false; /* any region is served; it must look like one [inf] */
    if (!region_ok)
        buf_printf(&m, "Credential should be scoped to a valid region, not '%s'. ", out->region);
    if (strcmp(part[4], SIGV4_TERMINATOR) != 0)
        buf_printf(&m,
                   "Credential should be scoped with a valid terminator: 'aws4_request', "
                   "not '%s'. ",
                   part[4]);
    if (strncmp(out->date, out->amz_date, 8) != 0 || strlen(out->date) != 8)
        buf_printf(&m,
                   "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                   "date from HTTP: '%s' != '%.8s', from '%s'.",
                   out->date, out->amz_date, out->amz_date);
    if (m.len) {
        /* real AWS ends a lone region/terminator message with ". " too */
        set_err(res, 403, "SignatureDoesNotMatch", buf_to_arena(a, &m));
        return -1;
    }
    buf_free(&m);
    return 0;
}

static int bad_date(struct arena *a, const char *got, struct sigv4_result *res)
{
    set_err(res, 400, "IncompleteSignature",
            arena_printf(a,
                         "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                         "http://en.wikipedia.org/wiki/ISO_8601",
                         got));
    return -1;
}

static int parse_header_form(const struct request *rq, const char *auth,
                             struct sigv4_parsed *out, struct sigv4_result *res)
{
    struct arena *a = rq->arena;
    const char *s = auth;
    size_t n = strlen(s);
    trim(&s, &n);
    const char *sp = s;
    while (sp < s + n && !is_ws(*sp))
        sp++;
    size_t alen = (size_t)(sp - s);
    if (alen != strlen(SIGV4_ALGORITHM) || memcmp(s, SIGV4_ALGORITHM, alen) != 0) {
        set_err(res, 400, "IncompleteSignature",
                arena_printf(a,
                             "Unsupported AWS 'algorithm': '%.*s' (only AWS4-HMAC-SHA256 for "
                             "now). ",
                             (int)alen, s));
        return -1;
    }
    const char *cred = NULL, *sh = NULL, *sig = NULL;
    const char *p = sp, *end = s + n;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *pe = c ? c : end;
        const char *kv = p;
        size_t kvn = (size_t)(pe - p);
        trim(&kv, &kvn);
        if (kvn) {
            const char *eq = memchr(kv, '=', kvn);
            if (!eq) {
                set_err(res, 400, "IncompleteSignature",
                        arena_printf(a,
                                     "'%.*s' not a valid key=value pair (missing equal-sign) in "
                                     "Authorization header: '%.*s'",
                                     (int)kvn, kv, (int)n, s));
                return -1;
            }
            size_t kl = (size_t)(eq - kv);
            char *val = arena_strndup(a, eq + 1, kvn - kl - 1);
            if (kl == 10 && memcmp(kv, "Credential", 10) == 0)
                cred = val;
            else if (kl == 13 && memcmp(kv, "SignedHeaders", 13) == 0)
                sh = val;
            else if (kl == 9 && memcmp(kv, "Signature", 9) == 0)
                sig = val;
        }
        p = pe + (c ? 1 : 0);
    }
    const char *xdate = header_first(rq, "X-Amz-Date");
    const char *hdate = xdate ? NULL : header_first(rq, "Date");
    struct buf m = BUF_INIT;
    if (!cred || !*cred)
        buf_puts(&m, "Authorization header requires 'Credential' parameter. ");
    if (!sig || !*sig)
        buf_puts(&m, "Authorization header requires 'Signature' parameter. ");
    if (!sh)
        buf_puts(&m, "Authorization header requires 'SignedHeaders' parameter. ");
    if (!xdate && !hdate)
        buf_puts(&m, "Authorization header requires existence of either a 'X-Amz-Date' or a "
                     "'Date' header. ");
    if (m.len) {
        buf_printf(&m, "Authorization=%s", auth);
        set_err(res, 400, "IncompleteSignature", buf_to_arena(a, &m));
        return -1;
    }
    char amz[17];
    int64_t ms;
    if (xdate) {
        if (amz_date_parse(xdate, &ms))
            return bad_date(a, xdate, res);
        memcpy(amz, xdate, 17);
    } else if (http_date_parse(hdate, amz)) {
        return bad_date(a, hdate, res);
    }
    out->amz_date = arena_strdup(a, amz);
    out->signed_headers = sh;
    out->signature = sig;
    out->security_token = header_first(rq, "X-Amz-Security-Token");
    return check_parts(a, cred, xdate != NULL, out, res);
}

static int parse_query_form(const struct request *rq, const struct qpair *v, size_t nq,
                            struct sigv4_parsed *out, struct sigv4_result *res)
{
    struct arena *a = rq->arena;
    static const char *const required[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                           "X-Amz-SignedHeaders", "X-Amz-Date"};
    struct buf m = BUF_INIT;
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        const char *val = query_get(v, nq, required[i]);
        if (!val || !*val)
            buf_printf(&m, "AWS query-string parameters must include '%s'. ", required[i]);
    }
    if (m.len) {
        buf_puts(&m, "Re-examine the query-string parameters.");
        set_err(res, 400, "IncompleteSignature", buf_to_arena(a, &m));
        return -1;
    }
    buf_free(&m);
    const char *date = query_get(v, nq, "X-Amz-Date");
    int64_t ms;
    if (amz_date_parse(date, &ms))
        return bad_date(a, date, res);
    const char *exp = query_get(v, nq, "X-Amz-Expires");
    if (exp) {
        /* S3's AuthorizationQueryParametersError wording [obs]; code IncompleteSignature
         * for non-S3 services is inferred */
        int64_t e;
        if (str_to_i64(exp, &e)) {
            set_err(res, 400, "IncompleteSignature", "X-Amz-Expires should be a number");
            return -1;
        }
        if (e < 0) {
            set_err(res, 400, "IncompleteSignature", "X-Amz-Expires must be non-negative");
            return -1;
        }
        if (e > PRESIGN_MAX_S) {
            set_err(res, 400, "IncompleteSignature",
                    "X-Amz-Expires must be less than a week (in seconds) that is 604800");
            return -1;
        }
        out->expires_s = e;
    }
    out->presigned = true;
    out->amz_date = arena_strdup(a, date);
    out->signed_headers = arena_strdup(a, query_get(v, nq, "X-Amz-SignedHeaders"));
    out->signature = arena_strdup(a, query_get(v, nq, "X-Amz-Signature"));
    const char *tok = query_get(v, nq, "X-Amz-Security-Token");
    out->security_token = tok ? arena_strdup(a, tok) : NULL;
    return check_parts(a, query_get(v, nq, "X-Amz-Credential"), false, out, res);
}

int sigv4_parse(const struct request *rq, struct sigv4_parsed *out, struct sigv4_result *res)
{
    memset(out, 0, sizeof(*out));
    memset(res, 0, sizeof(*res));
    const char *auth = header_first(rq, "Authorization");
    size_t nq = 0;
    struct qpair *v = query_parse(rq->arena, rq->query ? rq->query : "", &nq);
    const char *qalg = query_get(v, nq, "X-Amz-Algorithm");

    /* Only AWS4-* authorization counts as SigV4; anything else (Basic, SigV2, bearer) is
     * treated as no authentication at all [obs, dynalite]. */
    const char *t = auth;
    while (t && is_ws(*t))
        t++;
    bool header_v4 = t && strncmp(t, "AWS4-", 5) == 0;
    if (header_v4 && qalg) {
        out->present = true;
        set_err(res, 403, "SignatureDoesNotMatch",
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as "
                "HTTP header.");
        return -1;
    }
    if (header_v4) {
        out->present = true;
        return parse_header_form(rq, auth, out, res) ? -1 : 0;
    }
    if (qalg && strcmp(qalg, SIGV4_ALGORITHM) == 0) {
        out->present = true;
        return parse_query_form(rq, v, nq, out, res) ? -1 : 0;
    }
    sigv4_missing_auth(res);
    return 1;
}

/* ---- verify ---- */

/* "name:v1,v2\n" for each signed header, values trimmed with inner whitespace runs
 * collapsed, duplicates joined with ',' in request order. Absent headers add no line. */
static void canonical_headers(const struct request *rq, const char *signed_headers,
                              struct buf *b)
{
    for (const char *p = signed_headers; p && *p;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        bool first = true;
        for (size_t i = 0; len && i < rq->nheaders; i++) {
            const char *hn = rq->headers[i].name;
            if (!hn || strlen(hn) != len || strncasecmp(hn, p, len) != 0)
                continue;
            if (first) {
                for (size_t k = 0; k < len; k++) {
                    char c = p[k];
                    buf_putc(b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
                }
                buf_putc(b, ':');
                first = false;
            } else {
                buf_putc(b, ',');
            }
            const char *v = rq->headers[i].value ? rq->headers[i].value : "";
            bool space = false, any = false;
            for (; *v; v++) {
                if (is_ws(*v)) {
                    space = any;
                    continue;
                }
                if (space)
                    buf_putc(b, ' ');
                buf_putc(b, *v);
                space = false;
                any = true;
            }
        }
        if (!first)
            buf_putc(b, '\n');
        p = e ? e + 1 : NULL;
    }
}

static bool is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (hex_digit(s[i]) < 0)
            return false;
    return true;
}

/* Time checks: 15 minutes either way for headers (wall clock); presigned URLs live from
 * X-Amz-Date (15 minutes early allowed) to X-Amz-Expires seconds after it. */
static int check_time(struct arena *a, const struct sigv4_parsed *p, int64_t t, int64_t now,
                      struct sigv4_result *res)
{
    char lim[17], nw[17];
    time_fmt_amz(now, nw);
    if (t > now + SKEW_MS) {
        time_fmt_amz(now + SKEW_MS, lim);
        set_err(res, 403, "SignatureDoesNotMatch",
                arena_printf(a,
                             "Signature not yet current: %s is still later than %s (%s + 15 min.)",
                             p->amz_date, lim, nw));
        return -1;
    }
    if (p->presigned && p->expires_s > 0) {
        if (now > t + p->expires_s * 1000) {
            time_fmt_amz(now - p->expires_s * 1000, lim);
            /* inferred: the header form's wording with the URL's own lifetime */
            set_err(res, 403, "SignatureDoesNotMatch",
                    arena_printf(a, "Signature expired: %s is now earlier than %s (%s - %lld sec.)",
                                 p->amz_date, lim, nw, (long long)p->expires_s));
            return -1;
        }
        return 0;
    }
    if (t < now - SKEW_MS) {
        time_fmt_amz(now - SKEW_MS, lim);
        set_err(res, 403, "SignatureDoesNotMatch",
                arena_printf(a, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
                             p->amz_date, lim, nw));
        return -1;
    }
    return 0;
}

static bool token_eq(const char *a, const char *b)
{
    size_t n = strlen(a);
    return strlen(b) == n && CRYPTO_memcmp(a, b, n) == 0;
}

int sigv4_verify(const struct request *rq, const struct sigv4_parsed *p, int64_t wall_now_ms,
                 int64_t virt_now_ms, credential_lookup_fn lookup, void *lookup_ctx,
                 struct sigv4_result *res)
{
    struct arena *a = rq->arena;
    struct buf hdrs = BUF_INIT, cr = BUF_INIT, sts = BUF_INIT;
    int rc = -1;
    memset(res, 0, sizeof(*res));
    sigv4_init();
    if (!p || !p->present || !p->access_key_id || !p->date || !p->region || !p->service ||
        !p->amz_date || !p->signed_headers || !p->signature) {
        sigv4_missing_auth(res);
        return -1;
    }
    int64_t t;
    if (amz_date_parse(p->amz_date, &t)) {
        bad_date(a, p->amz_date, res);
        return -1;
    }
    if (check_time(a, p, t, wall_now_ms, res))
        return -1;

    struct credential cred;
    memset(&cred, 0, sizeof(cred));
    int lrc = lookup ? lookup(lookup_ctx, p->access_key_id, a, &cred) : 1;
    if (lrc < 0) {
        set_err(res, 500, "InternalFailure", CALL_INTERNAL_MSG);
        return -1;
    }
    if (lrc > 0 || !cred.active || !cred.secret) {
        set_err(res, 403, "InvalidClientTokenId", MSG_INVALID_TOKEN);
        return -1;
    }
    /* Temporary credentials need their own token; a token on a long-term key, or a wrong
     * one, is an invalid token (inferred: AWS answers InvalidClientTokenId). */
    if ((cred.session_token || p->security_token) &&
        (!cred.session_token || !p->security_token ||
         !token_eq(cred.session_token, p->security_token))) {
        set_err(res, 403, "InvalidClientTokenId", MSG_INVALID_TOKEN);
        return -1;
    }
    if (cred.expires_ms > 0 && virt_now_ms >= cred.expires_ms) {
        set_err(res, 403, "ExpiredToken", MSG_EXPIRED_TOKEN);
        return -1;
    }

    /* payload hash candidates */
    char body_hash[65];
    sha256_hex(rq->body ? rq->body : "", rq->body ? rq->body_len : 0, body_hash);
    const char *payload[2] = {body_hash, NULL};
    if (p->presigned) {
        size_t nq;
        struct qpair *v = query_parse(a, rq->query ? rq->query : "", &nq);
        const char *qh = query_get(v, nq, "X-Amz-Content-Sha256");
        if (qh)
            payload[0] = qh;
        else
            payload[1] = UNSIGNED_PAYLOAD; /* S3-style presigners sign this constant */
    } else {
        const char *h = header_first(rq, "X-Amz-Content-Sha256");
        if (h) {
            /* a claimed hash must be the body's (inferred: SignatureDoesNotMatch) */
            if (is_hex64(h) && strcasecmp(h, body_hash) != 0)
                goto mismatch;
            payload[0] = h;
        }
    }

    /* path and query candidates: canonical first, then curl 7.88's raw forms */
    const char *raw_path = rq->path && *rq->path ? rq->path : "/";
    const char *raw_query = rq->query ? rq->query : "";
    const char *cpath = path_canonical(a, raw_path);
    const char *cquery = query_canonical(a, raw_query, p->presigned);
    const char *paths[3] = {cpath, raw_path, raw_path};
    const char *queries[3] = {cquery, cquery, p->presigned ? NULL : raw_query};

    canonical_headers(rq, p->signed_headers, &hdrs);
    unsigned char key[32], mac[32];
    signing_key(p->access_key_id, cred.secret, p->date, p->region, p->service, key);
    char scope_line[256];
    snprintf(scope_line, sizeof(scope_line), "%s/%s/%s/%s", p->date, p->region, p->service,
             SIGV4_TERMINATOR);
    bool match = false;
    for (int i = 0; i < 3 && !match; i++) {
        if (!queries[i])
            continue;
        bool dup = false;
        for (int j = 0; j < i; j++)
            dup |= queries[j] && strcmp(paths[i], paths[j]) == 0 &&
                   strcmp(queries[i], queries[j]) == 0;
        if (dup)
            continue;
        for (int k = 0; k < 2 && payload[k] && !match; k++) {
            buf_reset(&cr);
            buf_printf(&cr, "%s\n%s\n%s\n", rq->method ? rq->method : "", paths[i], queries[i]);
            buf_put(&cr, hdrs.p ? hdrs.p : "", hdrs.len);
            buf_printf(&cr, "\n%s\n%s", p->signed_headers, payload[k]);
            char crh[65], sig[65];
            sha256_hex(cr.p, cr.len, crh);
            buf_reset(&sts);
            buf_printf(&sts, "%s\n%s\n%s\n%s", SIGV4_ALGORITHM, p->amz_date, scope_line, crh);
            hmac_sha256(key, 32, sts.p, sts.len, mac);
            hex_encode(mac, 32, sig);
            match = strlen(p->signature) == 64 && CRYPTO_memcmp(sig, p->signature, 64) == 0;
            if (!match && i == 0 && k == 0)
                log_debug("sigv4: no match; canonical request:\n%s\nstring to sign:\n%s", cr.p,
                          sts.p);
        }
    }
    OPENSSL_cleanse(key, sizeof(key));
    if (!match)
        goto mismatch;

    res->principal = cred.principal;
    snprintf(res->principal.access_key_id, sizeof(res->principal.access_key_id), "%s",
             p->access_key_id);
    res->principal.temporary = cred.session_token != NULL;
    res->principal.expires_ms = cred.expires_ms;
    rc = 0;
    goto out;
mismatch:
    set_err(res, 403, "SignatureDoesNotMatch", MSG_MISMATCH);
out:
    buf_free(&hdrs);
    buf_free(&cr);
    buf_free(&sts);
    return rc;
}
