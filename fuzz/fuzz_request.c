/*
 * fuzz_request.c — the whole request path from raw HTTP/1.1 bytes: the request line,
 * header fields and body become the neutral struct request the transport hands on, and
 * the lab's handler (svc_route: admin routes, routing, SigV4, decoding, validation,
 * authorization, the handler in its transaction, rendering) answers it against an
 * in-memory lab. The first input byte picks the mode: bit 0 enforces SigV4 (else --auth
 * off, so bodies reach the handlers), bit 1 renders a transport error (431/408/413/503)
 * for the same request instead. Every input's changes are rolled back (an outer
 * transaction), so state does not pile up over a run.
 * Checks: a status in 100..599, and never HTML (no text/html content type, no body that
 * starts like an HTML page) — the lab answers AWS-shaped errors in the caller's protocol.
 * (Input libmicrohttpd itself refuses never reaches the handler; see README, Connections.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/sigv4.h"
#include "clock/clock.h"
#include "host/host.h"
#include "store/store.h"
#include "svc/lab/bootstrap.h"
#include "svc/module.h"
#include "svc/svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static struct lab_identity id;
static struct server_ctx ctx;

static void fail(void)
{
    __builtin_trap();
}

static void setup(void)
{
    if (st)
        return;
    log_min_level = (enum log_level)(LOG_ERROR + 1); /* quiet */
    sigv4_init();
    if (svc_store_open(":memory:", &st) ||
        clock_init(st, CLOCK_MANUAL, 1767225600000LL /* 2026-01-01 */, true) ||
        bootstrap_account(st, &id))
        abort();
    svc_init();
    ctx.st = st;
    ctx.account = id.account;
    ctx.default_region = "us-east-1";
    ctx.data_dir = "/nonexistent";
    ctx.listen_url = "http://127.0.0.1:4566";
}

/* Next line of [*p, end) without its CRLF/LF; NULL at the end. */
static const char *next_line(const char **p, const char *end, size_t *len)
{
    if (*p >= end)
        return NULL;
    const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    if (e > s && e[-1] == '\r')
        e--;
    *len = (size_t)(e - s);
    return s;
}

static bool looks_html(const struct response *r)
{
    if (r->content_type && strcasestr(r->content_type, "html"))
        return true;
    const char *b = r->body.p;
    size_t n = r->body.len, i = 0;
    while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
        i++;
    return n - i >= 5 && (strncasecmp(b + i, "<html", 5) == 0 ||
                          (n - i >= 9 && strncasecmp(b + i, "<!doctype", 9) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    struct arena *a = arena_new();
    struct request rq;
    memset(&rq, 0, sizeof(rq));
    rq.arena = a;
    rq.remote_addr = "127.0.0.1";

    /* request line: METHOD SP TARGET [SP VERSION] */
    size_t n;
    const char *line = next_line(&p, end, &n);
    if (!line)
        goto out;
    const char *sp = memchr(line, ' ', n);
    if (!sp || sp == line)
        goto out;
    rq.method = arena_strndup(a, line, (size_t)(sp - line));
    const char *t = sp + 1, *te = memchr(t, ' ', (size_t)(line + n - t));
    if (!te)
        te = line + n;
    const char *target = arena_strndup(a, t, (size_t)(te - t));
    const char *q = strchr(target, '?');
    rq.path = q ? arena_strndup(a, target, (size_t)(q - target)) : target;
    rq.query = q ? q + 1 : "";
    if (!*rq.path)
        rq.path = "/";

    /* header fields up to the empty line; the rest is the body */
    struct header *h = arena_zalloc(a, 64 * sizeof(*h));
    size_t nh = 0;
    while ((line = next_line(&p, end, &n)) && n > 0) {
        const char *colon = memchr(line, ':', n);
        if (!colon || colon == line || nh == 64)
            continue; /* the transport refuses such a field; here it is left out */
        const char *v = colon + 1, *ve = line + n;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        h[nh].name = arena_strndup(a, line, (size_t)(colon - line));
        h[nh].value = arena_strndup(a, v, (size_t)(ve - v));
        nh++;
    }
    rq.headers = h;
    rq.nheaders = nh;
    rq.body_len = (size_t)(end - p);
    char *body = arena_alloc(a, rq.body_len + 1);
    memcpy(body, p, rq.body_len);
    body[rq.body_len] = 0;
    rq.body = body;

    struct response resp;
    memset(&resp, 0, sizeof(resp));
    ctx.auth_enforce = mode & 1;
    if (store_begin(st)) /* the outer transaction each call's nests in (rolled back below) */
        abort();
    if (mode & 2) {
        static const int statuses[] = {408, 413, 431, 503};
        dispatch_transport_error(&ctx, &rq, statuses[(mode >> 2) & 3], "RequestTimeout",
                                 "fuzz", &resp);
    } else {
        svc_route(&ctx, &rq, &resp);
    }
    store_rollback(st);
    if (resp.status < 100 || resp.status > 599 || looks_html(&resp))
        fail();
    buf_free(&resp.body);
out:
    arena_free(a);
    return 0;
}
