/*
 * fuzz_sigv4.c — arbitrary bytes as the SigV4-relevant parts of a request through
 * sigv4_parse and, when that succeeds, sigv4_verify (the canonicalisation of path, query,
 * headers and payload). Input: newline-separated fields
 *   Authorization \n query \n path \n X-Amz-Date \n Date \n X-Amz-Security-Token \n
 *   X-Amz-Content-Sha256 \n "Name:value" extra header \n body (the rest)
 * (an empty field leaves its header out). Checks: return codes are in range, every failure
 * carries an HTTP status, code and message, and a success names the claimed key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(void)
{
    __builtin_trap();
}

static int lookup(void *ctx, const char *akid, struct arena *a, struct credential *out)
{
    (void)ctx;
    if (akid[0] == 'U') /* some keys are unknown */
        return 1;
    memset(out, 0, sizeof(*out));
    out->access_key_id = arena_strdup(a, akid);
    out->secret = "fuzz-secret";
    out->session_token = akid[0] == 'A' && akid[1] == 'S' ? "tok" : NULL;
    out->active = akid[0] != 'I';
    out->expires_ms = akid[0] == 'E' ? 1 : 0;
    out->principal.kind = PRINCIPAL_ROOT;
    return 0;
}

static void check_result(int rc, const struct sigv4_result *res)
{
    if (rc == 0)
        return;
    if (!res->err.code || !res->err.message ||
        (res->err.status != 400 && res->err.status != 403 && res->err.status != 500))
        fail();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { NFIELDS = 8 };
    const char *f[NFIELDS + 1];
    size_t fl[NFIELDS + 1];
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < NFIELDS; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        f[i] = p;
        fl[i] = nl ? (size_t)(nl - p) : (size_t)(end - p);
        p = nl ? nl + 1 : end;
    }
    f[NFIELDS] = p;
    fl[NFIELDS] = (size_t)(end - p);

    struct arena *a = arena_new();
    struct request rq;
    memset(&rq, 0, sizeof(rq));
    rq.arena = a;
    rq.method = "POST";
    rq.query = arena_strndup(a, f[1], fl[1]);
    rq.path = arena_strndup(a, f[2], fl[2]);
    rq.body = arena_strndup(a, f[NFIELDS], fl[NFIELDS]);
    rq.body_len = strlen(rq.body);
    struct header *h = arena_zalloc(a, 10 * sizeof(*h));
    size_t n = 0;
    static const char *const names[] = {"Authorization",        NULL,   NULL,
                                        "X-Amz-Date",           "Date", "X-Amz-Security-Token",
                                        "X-Amz-Content-Sha256", NULL};
    h[n++] = (struct header){"Host", "127.0.0.1:4566"};
    for (int i = 0; i < NFIELDS; i++) {
        if (!names[i] || fl[i] == 0)
            continue;
        h[n++] = (struct header){names[i], arena_strndup(a, f[i], fl[i])};
    }
    const char *colon = memchr(f[7], ':', fl[7]);
    if (colon) {
        h[n].name = arena_strndup(a, f[7], (size_t)(colon - f[7]));
        h[n++].value = arena_strndup(a, colon + 1, fl[7] - (size_t)(colon - f[7]) - 1);
    }
    rq.headers = h;
    rq.nheaders = n;

    struct sigv4_parsed sp;
    struct sigv4_result res;
    int rc = sigv4_parse(&rq, &sp, &res);
    if (rc < -1 || rc > 1)
        fail();
    check_result(rc, &res);
    if (rc == 1 && (sp.present || res.err.status != 403))
        fail();
    if (rc == 0) {
        if (!sp.present || !sp.access_key_id || !sp.date || !sp.region || !sp.service ||
            !sp.amz_date || strlen(sp.amz_date) != 16 || !sp.signed_headers || !sp.signature)
            fail();
        int64_t t = 0;
        time_parse_iso8601(sp.amz_date, &t);
        rc = sigv4_verify(&rq, &sp, t, 0, lookup, NULL, &res);
        if (rc != 0 && rc != -1)
            fail();
        check_result(rc, &res);
        if (rc == 0 && strcmp(res.principal.access_key_id, sp.access_key_id) != 0 &&
            strlen(sp.access_key_id) < sizeof(res.principal.access_key_id))
            fail();
    }
    arena_free(a);
    return 0;
}
