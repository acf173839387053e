/*
 * module_test.c — adding a service is a module and one line in the list: a small module
 * (its own wire tables, one operation, one table, one admin route) registered through the
 * module list alone, then called over the real HTTP path with SigV4-signed requests
 * (libcurl's signer): routing, validation, authorization, its migration, the transaction,
 * CloudTrail recording and the admin API all reach it without any other edit.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "auth/sigv4.h"
#include "clock/clock.h"
#include "harness.h"
#include "http/server.h"
#include "store/store.h"
#include "svc/lab/bootstrap.h"
#include "svc/module.h"
#include "host/host.h"
#include "svc/svc.h"

/* ---------------- the module: "labnotes", JSON 1.0, PutNote {Text} -> {Count} ---------- */

enum { SH_IN, SH_OUT, SH_TEXT, SH_COUNT };
static const struct model_shape notes_shapes[] = {
    [SH_IN] = {.name = "PutNoteInput", .type = SH_STRUCTURE, .first = 0, .count = 1},
    [SH_OUT] = {.name = "PutNoteOutput", .type = SH_STRUCTURE, .first = 1, .count = 1},
    [SH_TEXT] = {.name = "NoteText",
                 .type = SH_STRING,
                 .flags = SHF_HAS_MIN | SHF_HAS_MAX,
                 .min = 1,
                 .max = 64},
    [SH_COUNT] = {.name = "NoteCount", .type = SH_INTEGER},
};
static const struct model_member notes_members[] = {
    {.name = "Text", .shape = SH_TEXT, .flags = MBF_REQUIRED},
    {.name = "Count", .shape = SH_COUNT},
};
static const struct model_op notes_ops[] = {
    {.name = "PutNote", .input = SH_IN, .output = SH_OUT},
};
static const char *const notes_all_ops[] = {"PutNote"};
static const struct model_service model_labnotes = {
    .id = "labnotes",
    .signing_name = "labnotes",
    .endpoint_prefix = "labnotes",
    .api_version = "2026-12-04",
    .target_prefix = "LabNotes_20261204",
    .json_version = "1.0",
    .smithy_ns = "com.example.labnotes",
    .model_version = "test",
    .protocols = PROTO_JSON,
    .shapes = notes_shapes,
    .nshapes = ARRAY_LEN(notes_shapes),
    .members = notes_members,
    .ops = notes_ops,
    .nops = ARRAY_LEN(notes_ops),
    .all_ops = notes_all_ops,
    .nall_ops = ARRAY_LEN(notes_all_ops),
};

static int64_t count_notes(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM labnotes_notes");
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

static int labnotes_put_note(struct call *c, const json_t *in, struct out *o)
{
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO labnotes_notes(text) VALUES(?1)");
    sqlite3_bind_text(s, 1, json_string_value(json_object_get(in, "Text")), -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return call_fail(c, 500, "InternalFailure", NULL);
    out_int(o, "Count", count_notes(c->st));
    return 0;
}

static const struct op_def notes_op_rows[] = {
    {"labnotes", "PutNote", labnotes_put_note, "labnotes:PutNote", NULL, OPF_WRITE},
};

static const struct store_migration notes_steps[] = {
    {"CREATE TABLE labnotes_notes(text TEXT NOT NULL);", 0},
};
static const struct store_schema notes_schema = {"labnotes", notes_steps, 1};

static void notes_get(struct admin_call *ac)
{
    admin_reply(ac, 200, json_pack("{s:I}", "count", (json_int_t)count_notes(ac->ctx->st)));
}

static const struct svc_route notes_routes[] = {
    {"GET", "/_recoverlab/notes", ADMIN_ROOT, notes_get},
};

static const struct svc_module labnotes_module = {
    .id = "labnotes",
    .model = &model_labnotes,
    .ops = notes_op_rows,
    .nops = ARRAY_LEN(notes_op_rows),
    .schema = &notes_schema,
    .routes = notes_routes,
    .nroutes = ARRAY_LEN(notes_routes),
};

/* ---------------- a lab serving the default modules plus labnotes ---------------- */

static void *serve(void *srv)
{
    server_run(srv);
    return NULL;
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    buf_put(ud, p, size * n);
    return size * n;
}

/* A request signed by libcurl with key/secret for service; the status, body into out. */
static long signed_req(const char *url, const char *service, const struct lab_identity *id,
                       const char *target, const char *body, struct buf *out)
{
    CURL *h = curl_easy_init();
    char sig[64], userpwd[128];
    snprintf(sig, sizeof(sig), "aws:amz:us-east-1:%s", service);
    snprintf(userpwd, sizeof(userpwd), "%s:%s", id->access_key_id, id->secret);
    struct curl_slist *hdrs = NULL;
    char th[128];
    if (target) {
        snprintf(th, sizeof(th), "X-Amz-Target: %s", target);
        hdrs = curl_slist_append(hdrs, th);
        hdrs = curl_slist_append(hdrs, "Content-Type: application/x-amz-json-1.0");
    }
    buf_reset(out);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sig);
    curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    buf_putc(out, '\0');
    out->len--;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return status;
}

TEST(module_added_through_the_list_alone_is_served_over_http)
{
    /* the lab's modules plus one, in the only list the core walks */
    const struct svc_module *list[32];
    size_t n = 0;
    for (const struct svc_module *const *m = svc_modules; *m && n < 30; m++)
        list[n++] = *m;
    list[n++] = &labnotes_module;
    list[n] = NULL;
    svc_modules_use(list);

    signal(SIGPIPE, SIG_IGN);
    sigv4_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct store *st = NULL;
    struct lab_identity id;
    CHECK_EQ_INT(svc_store_open(":memory:", &st), 0);
    if (!st)
        goto out;
    CHECK_EQ_INT(store_schema_version(st, "labnotes"), 1); /* its migration ran */
    CHECK_EQ_INT(clock_init(st, CLOCK_MANUAL, 1798761600000LL, true), 0);
    CHECK_EQ_INT(bootstrap_account(st, &id), 0);
    svc_init();
    CHECK(ops_find("labnotes", "PutNote") == &notes_op_rows[0]);

    struct server_ctx ctx = {
        .st = st, .account = id.account, .default_region = "us-east-1", .auth_enforce = true};
    struct server_hooks hooks;
    svc_server_hooks(&ctx, &hooks);
    struct server *srv = NULL;
    CHECK_EQ_INT(server_create(&hooks, "127.0.0.1", 0, false, &srv), 0);
    if (!srv)
        goto out;
    char base[64], url[96];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", server_port(srv));
    ctx.listen_url = base;
    pthread_t th;
    CHECK_EQ_INT(pthread_create(&th, NULL, serve, srv), 0);

    struct buf out = BUF_INIT;
    snprintf(url, sizeof(url), "%s/", base);
    const char *target = "LabNotes_20261204.PutNote";
    CHECK_EQ_INT(signed_req(url, "labnotes", &id, target, "{\"Text\":\"hello\"}", &out), 200);
    CHECK_EQ_STR(out.p, "{\"Count\":1}");
    CHECK_EQ_INT(signed_req(url, "labnotes", &id, target, "{\"Text\":\"again\"}", &out), 200);
    CHECK_EQ_STR(out.p, "{\"Count\":2}");
    /* the model's constraints are enforced by wire_validate, in AWS's words */
    CHECK_EQ_INT(signed_req(url, "labnotes", &id, target, "{}", &out), 400);
    CHECK(strstr(out.p, "ValidationException") != NULL);
    CHECK(strstr(out.p, "Member must not be null") != NULL);
    /* an operation the module does not serve */
    CHECK_EQ_INT(signed_req(url, "labnotes", &id, "LabNotes_20261204.DropNotes", "{}", &out),
                 400);
    CHECK(strstr(out.p, "UnknownOperationException") != NULL);
    /* its admin route, signed by the root as every /_recoverlab/ route */
    snprintf(url, sizeof(url), "%s/_recoverlab/notes", base);
    CHECK_EQ_INT(signed_req(url, "recoverlab", &id, NULL, NULL, &out), 200);
    CHECK_EQ_STR(out.p, "{\"count\":2}");
    /* and the lab's own routes still answer beside it */
    snprintf(url, sizeof(url), "%s/_recoverlab/clock", base);
    CHECK_EQ_INT(signed_req(url, "recoverlab", &id, NULL, NULL, &out), 200);

    server_stop(srv);
    pthread_join(th, NULL);
    server_free(srv);
    /* the successful calls were recorded by the recording hook (CloudTrail) */
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM trail_events WHERE name = "
                                     "'PutNote'");
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
    CHECK(sqlite3_column_int(s, 0) >= 2);
    sqlite3_reset(s);
    buf_free(&out);
out:
    store_close(st);
    svc_modules_use(NULL);
}
