/*
 * http_test.c — the runtime end to end inside the test process: src/http/server.c on a
 * loopback port (a thread runs the loop), hit with libcurl; the admin API (admin.c) with
 * SigV4-signed requests from the CLI's client (cli/common.c); bootstrap of a data dir.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/sigv4.h"
#include "cli/cli.h"
#include "clock/clock.h"
#include "harness.h"
#include "http/server.h"
#include "store/store.h"
#include "svc/module.h"
#include "svc/lab/bootstrap.h"
#include "host/host.h"
#include "svc/svc.h"

#define T0 1798761600000LL /* 2027-01-01T00:00:00Z */

struct lab {
    struct store *st;
    struct server_ctx ctx;
    struct server *srv;
    struct lab_identity id;
    pthread_t th;
    int port;
    char base[64];
};

static void *lab_thread(void *arg)
{
    struct lab *l = arg;
    server_run(l->srv);
    return NULL;
}

/* Store work done before the server thread starts (the connection is single-threaded). */
typedef void lab_setup_fn(struct lab *l);

/* An in-memory lab with a manual clock at T0, serving on a free loopback port. */
static int lab_start_with(struct lab *l, server_handler_fn *handler, bool auth_enforce,
                          lab_setup_fn *setup)
{
    memset(l, 0, sizeof(*l));
    signal(SIGPIPE, SIG_IGN);
    sigv4_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (svc_store_open(":memory:", &l->st) || clock_init(l->st, CLOCK_MANUAL, T0, true) ||
        bootstrap_account(l->st, &l->id))
        return -1;
    l->ctx.st = l->st;
    l->ctx.account = l->id.account;
    l->ctx.default_region = "us-east-1";
    l->ctx.auth_enforce = auth_enforce;
    l->ctx.data_dir = "/nonexistent";
    struct server_hooks hooks;
    svc_server_hooks(&l->ctx, &hooks);
    if (server_create(&hooks, "127.0.0.1", 0, false, &l->srv))
        return -1;
    if (handler)
        server_set_handler(l->srv, handler);
    l->port = server_port(l->srv);
    snprintf(l->base, sizeof(l->base), "http://127.0.0.1:%d", l->port);
    l->ctx.listen_url = l->base;
    if (setup)
        setup(l);
    return pthread_create(&l->th, NULL, lab_thread, l) == 0 ? 0 : -1;
}

static int lab_start(struct lab *l, server_handler_fn *handler, bool auth_enforce)
{
    return lab_start_with(l, handler, auth_enforce, NULL);
}

/* Stops the server thread; the store stays open for inspection. */
static void lab_halt(struct lab *l)
{
    if (l->srv) {
        server_stop(l->srv);
        pthread_join(l->th, NULL);
        server_free(l->srv);
        l->srv = NULL;
    }
}

static void lab_stop(struct lab *l)
{
    lab_halt(l);
    store_close(l->st);
    l->st = NULL;
}

/* Echoes the request as JSON: method, path, query, headers [[name,value]...], body. */
static void echo_handler(void *ctx, const struct request *rq, struct response *resp)
{
    (void)ctx;
    json_t *h = json_array();
    for (size_t i = 0; i < rq->nheaders; i++)
        json_array_append_new(h, json_pack("[s,s]", rq->headers[i].name, rq->headers[i].value));
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:I, s:s%, s:s}", "method", rq->method, "path",
                          rq->path, "query", rq->query, "headers", h, "body_len",
                          (json_int_t)rq->body_len, "body", rq->body,
                          rq->body_len > 64 ? (size_t)64 : rq->body_len, "remote", rq->remote_addr);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    resp->status = 200;
    resp->content_type = "application/json";
    buf_puts(&resp->body, s);
    free(s);
    response_header(resp, "X-Echo", "yes");
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    buf_put(ud, p, size * n);
    return size * n;
}

struct reader {
    size_t left;
};

static size_t read_zeros(char *p, size_t size, size_t n, void *ud)
{
    struct reader *r = ud;
    size_t k = size * n < r->left ? size * n : r->left;
    memset(p, 'z', k);
    r->left -= k;
    return k;
}

/* One request on handle h (reused when given). Returns the status (-1: transport error). */
static long do_req(CURL *h, const char *url, const char *method, struct curl_slist *hdrs,
                   const char *body, struct buf *out)
{
    buf_reset(out);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (hdrs)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    if (curl_easy_perform(h) != CURLE_OK)
        return -1;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static json_t *parse(const struct buf *b)
{
    return b->p ? json_loads(b->p, 0, NULL) : NULL;
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

TEST(http_raw_path_and_query_are_not_decoded)
{
    struct lab l;
    CHECK_EQ_INT(lab_start(&l, echo_handler, true), 0);
    CURL *h = curl_easy_init();
    struct buf out = BUF_INIT;
    char url[256];
    snprintf(url, sizeof(url), "%s/a%%2Fb%%20c/x+y?x=1%%202&y&z=&p=a+b&s=%%2F&&t=%%7E&u=%%3D",
             l.base);
    CHECK_EQ_INT(do_req(h, url, "GET", NULL, NULL, &out), 200);
    json_t *v = parse(&out);
    CHECK_EQ_STR(jstr(v, "method"), "GET");
    CHECK_EQ_STR(jstr(v, "path"), "/a%2Fb%20c/x+y");
    CHECK_EQ_STR(jstr(v, "query"), "x=1%202&y&z=&p=a+b&s=%2F&&t=%7E&u=%3D");
    CHECK_EQ_STR(jstr(v, "remote"), "127.0.0.1");
    json_decref(v);

    /* no query at all, and a bare '?' */
    snprintf(url, sizeof(url), "%s/", l.base);
    CHECK_EQ_INT(do_req(h, url, "POST", NULL, "", &out), 200);
    v = parse(&out);
    CHECK_EQ_STR(jstr(v, "path"), "/");
    CHECK_EQ_STR(jstr(v, "query"), "");
    CHECK_EQ_STR(jstr(v, "method"), "POST");
    json_decref(v);
    snprintf(url, sizeof(url), "%s/q?", l.base);
    CHECK_EQ_INT(do_req(h, url, "GET", NULL, NULL, &out), 200);
    v = parse(&out);
    CHECK_EQ_STR(jstr(v, "path"), "/q");
    CHECK_EQ_STR(jstr(v, "query"), "");
    json_decref(v);

    /* an absolute-form target keeps only the path and query */
    buf_reset(&out);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, l.base);
    curl_easy_setopt(h, CURLOPT_REQUEST_TARGET, "http://example.com/abs%2F?q=%41");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
    CHECK_EQ_INT(curl_easy_perform(h), CURLE_OK);
    v = parse(&out);
    CHECK_EQ_STR(jstr(v, "path"), "/abs%2F");
    CHECK_EQ_STR(jstr(v, "query"), "q=%41");
    json_decref(v);

    buf_free(&out);
    curl_easy_cleanup(h);
    lab_stop(&l);
}

TEST(http_headers_keep_order_case_and_duplicates)
{
    struct lab l;
    CHECK_EQ_INT(lab_start(&l, echo_handler, true), 0);
    CURL *h = curl_easy_init();
    struct buf out = BUF_INIT;
    struct curl_slist *hd = NULL;
    hd = curl_slist_append(hd, "X-Amz-Date: 1");
    hd = curl_slist_append(hd, "x-amz-date: 2");
    hd = curl_slist_append(hd, "X-Empty;");
    CHECK_EQ_INT(do_req(h, l.base, "GET", hd, NULL, &out), 200);
    json_t *v = parse(&out);
    json_t *hs = json_object_get(v, "headers");
    int first = -1, second = -1, empty = -1;
    for (size_t i = 0; i < json_array_size(hs); i++) {
        const char *n = json_string_value(json_array_get(json_array_get(hs, i), 0));
        const char *val = json_string_value(json_array_get(json_array_get(hs, i), 1));
        if (str_eq(n, "X-Amz-Date") && str_eq(val, "1"))
            first = (int)i;
        if (str_eq(n, "x-amz-date") && str_eq(val, "2"))
            second = (int)i;
        if (str_eq(n, "X-Empty") && str_eq(val, ""))
            empty = (int)i;
    }
    CHECK(first >= 0);
    CHECK(second > first);
    CHECK(empty > second);
    json_decref(v);
    curl_slist_free_all(hd);
    buf_free(&out);
    curl_easy_cleanup(h);
    lab_stop(&l);
}

TEST(http_keep_alive_reuses_the_connection)
{
    struct lab l;
    CHECK_EQ_INT(lab_start(&l, echo_handler, true), 0);
    CURL *h = curl_easy_init();
    struct buf out = BUF_INIT;
    long connects = -1;
    CHECK_EQ_INT(do_req(h, l.base, "GET", NULL, NULL, &out), 200);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    CHECK_EQ_INT(connects, 1);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(do_req(h, l.base, "POST", NULL, "Action=X&Version=1", &out), 200);
        curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
        CHECK_EQ_INT(connects, 0); /* no new connection */
    }
    buf_free(&out);
    curl_easy_cleanup(h);
    lab_stop(&l);
}

TEST(http_bodies_sized_chunked_and_too_large)
{
    struct lab l;
    CHECK_EQ_INT(lab_start(&l, echo_handler, true), 0);
    CURL *h = curl_easy_init();
    struct buf out = BUF_INIT;

    /* 300 KB with Content-Length */
    size_t n = 300 * 1000;
    char *big = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    big[n] = 0;
    CHECK_EQ_INT(do_req(h, l.base, "POST", NULL, big, &out), 200);
    json_t *v = parse(&out);
    CHECK_EQ_INT(json_integer_value(json_object_get(v, "body_len")), (long long)n);
    CHECK_EQ_STR(jstr(v, "body"),
                 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl");
    json_decref(v);
    free(big);

    /* chunked, 1 MB */
    struct reader r = {.left = 1000 * 1000};
    struct curl_slist *hd = curl_slist_append(NULL, "Transfer-Encoding: chunked");
    buf_reset(&out);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, l.base);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_zeros);
    curl_easy_setopt(h, CURLOPT_READDATA, &r);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
    CHECK_EQ_INT(curl_easy_perform(h), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    CHECK_EQ_INT(status, 200);
    v = parse(&out);
    CHECK_EQ_INT(json_integer_value(json_object_get(v, "body_len")), 1000 * 1000);
    json_decref(v);

    /* over 10 MiB, chunked: read, then refused */
    r.left = SERVER_MAX_BODY + 1;
    buf_reset(&out);
    CHECK_EQ_INT(curl_easy_perform(h), CURLE_OK);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    CHECK_EQ_INT(status, 413);
    /* no protocol hint in the request: the AWS Query error shape (never HTML) */
    buf_putc(&out, 0);
    CHECK(strstr(out.p, "<Code>RequestEntityTooLarge</Code>") != NULL);
    CHECK(strstr(out.p, "<html") == NULL);
    curl_slist_free_all(hd);

    /* over 10 MiB by Content-Length: refused before the body is sent */
    r.left = SERVER_MAX_BODY + 1;
    buf_reset(&out);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, l.base);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(SERVER_MAX_BODY + 1));
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_zeros);
    curl_easy_setopt(h, CURLOPT_READDATA, &r);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
    curl_easy_perform(h); /* the server may close while curl still sends */
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    CHECK_EQ_INT(status, 413);
    CHECK(r.left > 0); /* it did not have to send it all */

    /* the server still answers afterwards */
    CHECK_EQ_INT(do_req(h, l.base, "GET", NULL, NULL, &out), 200);
    buf_free(&out);
    curl_easy_cleanup(h);
    lab_stop(&l);
}

/* A target for cli_request against the lab, as the root. */
static void root_target(const struct lab *l, struct cli_target *t)
{
    memset(t, 0, sizeof(*t));
    t->endpoint = xstrdup(l->base);
    t->access_key_id = xstrdup(l->id.access_key_id);
    t->secret = xstrdup(l->id.secret);
    t->region = xstrdup("eu-west-1"); /* any region */
}

/* An IAM user key (not the root) and a queued event, before the server runs. */
static void admin_setup(struct lab *l)
{
    sqlite3_stmt *s = store_stmt(l->st, "INSERT INTO access_keys(access_key_id, secret, "
                                        "created_ms, principal) VALUES('AKIAUSERUSERUSER2345', "
                                        "'usersecret', 0, ?1)");
    sqlite3_bind_text(s, 1,
                      "{\"kind\":\"user\",\"temporary\":false,\"account\":\"123456789012\","
                      "\"arn\":\"arn:aws:iam::123456789012:user/alice\",\"user_id\":"
                      "\"AIDAALICE\",\"name\":\"alice\"}",
                      -1, SQLITE_STATIC);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    CHECK(sched_at(l->st, T0 + 999999999LL, "http_test", "x") > 0);
}

TEST(http_admin_health_clock_and_auth)
{
    struct lab l;
    CHECK_EQ_INT(lab_start_with(&l, NULL, true, admin_setup), 0);
    CURL *h = curl_easy_init();
    struct buf out = BUF_INIT;
    char url[128];

    snprintf(url, sizeof(url), "%s/_recoverlab/health", l.base);
    CHECK_EQ_INT(do_req(h, url, "GET", NULL, NULL, &out), 200);
    json_t *v = parse(&out);
    CHECK_EQ_STR(jstr(v, "status"), "ok");
    CHECK_EQ_STR(jstr(v, "version"), RECOVERLAB_VERSION);
    CHECK_EQ_STR(jstr(v, "now"), "2027-01-01T00:00:00.000Z");
    json_decref(v);

    /* unsigned admin calls are refused, including moto's reset under enforce */
    snprintf(url, sizeof(url), "%s/_recoverlab/clock", l.base);
    CHECK_EQ_INT(do_req(h, url, "GET", NULL, NULL, &out), 403);
    v = parse(&out);
    CHECK_EQ_STR(jstr(v, "__type"), "MissingAuthenticationToken");
    json_decref(v);
    snprintf(url, sizeof(url), "%s/moto-api/reset", l.base);
    CHECK_EQ_INT(do_req(h, url, "POST", NULL, "", &out), 403);

    struct cli_target t;
    root_target(&l, &t);
    long status = 0;
    CHECK_EQ_INT(cli_request("test", &t, "GET", "/_recoverlab/clock", NULL, &status, &out), 0);
    CHECK_EQ_INT(status, 200);
    v = parse(&out);
    CHECK_EQ_STR(jstr(v, "mode"), "manual");
    CHECK_EQ_INT(json_integer_value(json_object_get(v, "nowEpochMillis")), T0);
    json_decref(v);

    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "POST", "/_recoverlab/clock", "{\"advanceSeconds\":90.5}",
                             &status, &out),
                 0);
    CHECK_EQ_INT(status, 200);
    v = parse(&out);
    CHECK_EQ_STR(jstr(v, "now"), "2027-01-01T00:01:30.500Z");
    json_decref(v);

    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "POST", "/_recoverlab/clock",
                             "{\"set\":\"2027-01-02T00:00:00Z\"}", &status, &out),
                 0);
    CHECK_EQ_INT(status, 200);
    v = parse(&out);
    CHECK_EQ_INT(json_integer_value(json_object_get(v, "nowEpochMillis")), T0 + 86400000LL);
    json_decref(v);

    /* backwards is refused and leaves the clock alone */
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "POST", "/_recoverlab/clock",
                             "{\"set\":\"2026-12-31T00:00:00Z\"}", &status, &out),
                 0);
    CHECK_EQ_INT(status, 400);
    CHECK_CONTAINS(out.p, "ValidationError");
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "GET", "/_recoverlab/clock", NULL, &status, &out), 0);
    CHECK_CONTAINS(out.p, "\"2027-01-02T00:00:00.000Z\"");

    /* a wrong secret and a non-root caller are refused */
    free(t.secret);
    t.secret = xstrdup("wrongwrongwrongwrongwrongwrongwrongwrong");
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "GET", "/_recoverlab/clock", NULL, &status, &out), 0);
    CHECK_EQ_INT(status, 403);
    CHECK_CONTAINS(out.p, "SignatureDoesNotMatch");
    free(t.access_key_id);
    free(t.secret);
    t.access_key_id = xstrdup("AKIAUSERUSERUSER2345");
    t.secret = xstrdup("usersecret");
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "GET", "/_recoverlab/clock", NULL, &status, &out), 0);
    CHECK_EQ_INT(status, 403);
    CHECK_CONTAINS(out.p, "AccessDenied");
    cli_target_free(&t);

    /* routing errors */
    root_target(&l, &t);
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "GET", "/_recoverlab/nothing", NULL, &status, &out), 0);
    CHECK_EQ_INT(status, 404);
    CHECK_CONTAINS(out.p, "\"__type\"");
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "GET", "/_recoverlab/reset", NULL, &status, &out), 0);
    CHECK_EQ_INT(status, 405);

    /* reset: the events go, the root key and the clock stay */
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "POST", "/_recoverlab/reset", NULL, &status, &out), 0);
    CHECK_EQ_INT(status, 200);
    CHECK_EQ_STR(out.p, "{\"status\":\"ok\"}");
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "GET", "/_recoverlab/clock", NULL, &status, &out), 0);
    CHECK_EQ_INT(status, 200);
    CHECK_CONTAINS(out.p, "\"2027-01-02T00:00:00.000Z\"");
    cli_target_free(&t);
    lab_halt(&l);
    sqlite3_stmt *s = store_stmt(l.st, "SELECT (SELECT count(*) FROM events) * 10 + "
                                       "(SELECT count(*) FROM access_keys)");
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(s, 0), 1); /* 0 events, only the root key */
    sqlite3_reset(s);

    buf_free(&out);
    curl_easy_cleanup(h);
    lab_stop(&l);
}

TEST(http_moto_reset_open_under_auth_off)
{
    struct lab l;
    CHECK_EQ_INT(lab_start(&l, NULL, false), 0);
    CURL *h = curl_easy_init();
    struct buf out = BUF_INIT;
    char url[128];
    snprintf(url, sizeof(url), "%s/moto-api/reset", l.base);
    CHECK_EQ_INT(do_req(h, url, "POST", NULL, "", &out), 200);
    CHECK_EQ_STR(out.p, "{\"status\":\"ok\"}");
    /* the lab's own routes still want a signature, though any key will do */
    snprintf(url, sizeof(url), "%s/_recoverlab/clock", l.base);
    CHECK_EQ_INT(do_req(h, url, "GET", NULL, NULL, &out), 403);
    struct cli_target t = {0};
    t.endpoint = xstrdup(l.base);
    t.access_key_id = xstrdup("test");
    t.secret = xstrdup("test");
    t.region = xstrdup("us-east-1");
    long status = 0;
    buf_reset(&out);
    CHECK_EQ_INT(cli_request("test", &t, "GET", "/_recoverlab/clock", NULL, &status, &out), 0);
    CHECK_EQ_INT(status, 200);
    cli_target_free(&t);
    buf_free(&out);
    curl_easy_cleanup(h);
    lab_stop(&l);
}

TEST(http_parse_listen_and_header_helpers)
{
    char host[64];
    int port = -1;
    CHECK_EQ_INT(server_parse_listen("127.0.0.1:4566", host, sizeof(host), &port), 0);
    CHECK_EQ_STR(host, "127.0.0.1");
    CHECK_EQ_INT(port, 4566);
    CHECK_EQ_INT(server_parse_listen("[::1]:0", host, sizeof(host), &port), 0);
    CHECK_EQ_STR(host, "::1");
    CHECK_EQ_INT(port, 0);
    CHECK_EQ_INT(server_parse_listen("localhost:8080", host, sizeof(host), &port), 0);
    CHECK_EQ_STR(host, "localhost");
    CHECK_EQ_INT(server_parse_listen("127.0.0.1", host, sizeof(host), &port), -1);
    CHECK_EQ_INT(server_parse_listen("127.0.0.1:65536", host, sizeof(host), &port), -1);
    CHECK_EQ_INT(server_parse_listen("::1:80", host, sizeof(host), &port), -1);
    CHECK_EQ_INT(server_parse_listen(":80", host, sizeof(host), &port), -1);
    CHECK_EQ_INT(server_parse_listen("h:x", host, sizeof(host), &port), -1);

    struct header hs[] = {{"X-Amz-Date", "1"}, {"x-amz-date", "2"}, {"Host", "h"}};
    struct request rq = {.headers = hs, .nheaders = 3};
    CHECK_EQ_STR(request_header(&rq, "x-AMZ-date"), "1");
    CHECK_EQ_STR(request_header(&rq, "host"), "h");
    CHECK(request_header(&rq, "Content-Type") == NULL);

    struct response resp;
    memset(&resp, 0, sizeof(resp));
    for (int i = 0; i < RESPONSE_MAX_HEADERS + 3; i++)
        response_header(&resp, "X-N", "v");
    CHECK_EQ_INT(resp.nheaders, RESPONSE_MAX_HEADERS);
    CHECK_EQ_STR(resp.headers[0].name, "X-N");
}

/* ---- bootstrap and the client-side helpers (the runtime around the server) ---- */

static void rm_rf(const char *dir)
{
    const char *names[] = {"recoverlab.db", "recoverlab.db-wal", "recoverlab.db-shm", "credentials",
                           "config"};
    char p[512];
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

TEST(bootstrap_creates_and_reuses_the_lab)
{
    char dir[256];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/rl_boot_%d/lab", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    struct store *st = NULL;
    CHECK_EQ_INT(bootstrap_open(dir, &st), 0);
    if (!st)
        return;
    struct stat sb;
    CHECK_EQ_INT(stat(dir, &sb), 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0700);
    clock_test_set(T0);
    struct lab_identity id, again;
    CHECK_EQ_INT(bootstrap_account(st, &id), 0);
    CHECK_EQ_STR(id.account, "123456789012");
    CHECK_EQ_INT(strlen(id.access_key_id), 20);
    CHECK(str_startswith(id.access_key_id, "AKIA"));
    CHECK_EQ_INT(strspn(id.access_key_id + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 16);
    CHECK_EQ_INT(strlen(id.secret), 40);
    CHECK_EQ_INT(strspn(id.secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789/+"),
                 40);
    char *v = store_meta_get(st, "root_access_key_id");
    CHECK_EQ_STR(v, id.access_key_id);
    free(v);
    sqlite3_stmt *s = store_stmt(st, "SELECT principal FROM access_keys WHERE access_key_id=?1");
    sqlite3_bind_text(s, 1, id.access_key_id, -1, SQLITE_STATIC);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(s, 0),
                 "{\"kind\":\"root\",\"temporary\":false,\"account\":\"123456789012\","
                 "\"arn\":\"arn:aws:iam::123456789012:root\",\"user_id\":\"123456789012\","
                 "\"name\":\"root\"}");
    sqlite3_reset(s);

    CHECK_EQ_INT(bootstrap_write_files(dir, &id, "eu-west-1", "http://127.0.0.1:4566"), 0);
    store_close(st);

    /* a later start finds the same key */
    st = NULL;
    CHECK_EQ_INT(bootstrap_open(dir, &st), 0);
    if (st) {
        CHECK_EQ_INT(bootstrap_account(st, &again), 0);
        CHECK_EQ_STR(again.access_key_id, id.access_key_id);
        CHECK_EQ_STR(again.secret, id.secret);
        store_close(st);
    }

    char path[512];
    snprintf(path, sizeof(path), "%s/credentials", dir);
    CHECK_EQ_INT(stat(path, &sb), 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0600);
    char *k = cli_ini_get(path, "default", "aws_access_key_id");
    CHECK_EQ_STR(k, id.access_key_id);
    free(k);
    k = cli_ini_get(path, "default", "aws_secret_access_key");
    CHECK_EQ_STR(k, id.secret);
    free(k);
    snprintf(path, sizeof(path), "%s/config", dir);
    CHECK_EQ_INT(stat(path, &sb), 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0600);
    k = cli_ini_get(path, "default", "endpoint_url");
    CHECK_EQ_STR(k, "http://127.0.0.1:4566");
    free(k);
    /* a new listen address rewrites the config */
    CHECK_EQ_INT(bootstrap_write_files(dir, &id, "eu-west-1", "http://127.0.0.1:5000"), 0);
    k = cli_ini_get(path, "default", "endpoint_url");
    CHECK_EQ_STR(k, "http://127.0.0.1:5000");
    free(k);
    k = cli_ini_get(path, "default", "region");
    CHECK_EQ_STR(k, "eu-west-1");
    free(k);

    /* the client finds the lab from the directory */
    struct cli_opts o = {.data_dir = dir};
    struct cli_target t;
    CHECK_EQ_INT(cli_target_resolve("test", &o, &t), 0);
    CHECK_EQ_STR(t.endpoint, "http://127.0.0.1:5000");
    CHECK_EQ_STR(t.access_key_id, id.access_key_id);
    CHECK_EQ_STR(t.region, "eu-west-1");
    cli_target_free(&t);

    rm_rf(dir);
    snprintf(path, sizeof(path), "%s/rl_boot_%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    rmdir(path);
}

TEST(cli_ini_and_common_options)
{
    char path[256];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/rl_ini_%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("# comment\n[default]\nregion=us-west-2\n\n[profile dev]\n region = eu-central-1 \n"
          "s3 =\n  region = nested\nendpoint_url = http://x\n[other]\nregion = ap\n",
          f);
    fclose(f);
    char *v = cli_ini_get(path, "default", "region");
    CHECK_EQ_STR(v, "us-west-2");
    free(v);
    v = cli_ini_get(path, "profile dev", "endpoint_url");
    CHECK_EQ_STR(v, "http://x");
    free(v);
    v = cli_ini_get(path, "profile dev", "region");
    CHECK_EQ_STR(v, "eu-central-1");
    free(v);
    v = cli_ini_get(path, "other", "region");
    CHECK_EQ_STR(v, "ap");
    free(v);
    CHECK(cli_ini_get(path, "missing", "region") == NULL);
    unlink(path);

    char *argv[] = {"clock", "advance", "--data", "/d", "5m", "--json", "--endpoint=http://e"};
    struct cli_opts o;
    char *rest[4];
    int nrest = -1;
    CHECK_EQ_INT(cli_parse_common("clock", 7, argv, &o, rest, 4, &nrest), 0);
    CHECK_EQ_INT(nrest, 2);
    CHECK_EQ_STR(rest[0], "advance");
    CHECK_EQ_STR(rest[1], "5m");
    CHECK_EQ_STR(o.data_dir, "/d");
    CHECK_EQ_STR(o.endpoint, "http://e");
    CHECK(o.json);
    char *bad[] = {"clock", "--nope"};
    CHECK_EQ_INT(cli_parse_common("clock", 2, bad, &o, rest, 4, &nrest), -1);
    char *missing[] = {"clock", "--data"};
    CHECK_EQ_INT(cli_parse_common("clock", 2, missing, &o, rest, 4, &nrest), -1);
}
