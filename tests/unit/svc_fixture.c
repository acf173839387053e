/*
 * svc_fixture.c — see svc_fixture.h. Mirrors dispatch_aws() minus HTTP, routing, SigV4
 * and decoding: the input tree is given directly.
 */
#include "svc_fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "harness.h"
#include "store/store.h"
#include "svc/module.h"

static void reset_last(struct fx *f)
{
    out_free(&f->out);
    buf_free(&f->resp.body);
    memset(&f->resp, 0, sizeof(f->resp));
    if (f->json)
        json_decref(f->json);
    f->json = NULL;
    free(f->out_error);
    f->out_error = NULL;
    if (f->a)
        arena_free(f->a);
    f->a = NULL;
    memset(&f->c, 0, sizeof(f->c));
    f->body = NULL;
    f->rc = 0;
}

void fx_open(struct fx *f, int64_t now_ms)
{
    memset(f, 0, sizeof(*f));
    if (svc_store_open(":memory:", &f->st))
        harness_fail(__FILE__, __LINE__, "fx_open: svc_store_open(:memory:) failed");
    f->region = "us-east-1";
    fx_set_time(f, now_ms);
    fx_as_root(f);
}

void fx_close(struct fx *f)
{
    reset_last(f);
    if (f->st)
        store_close(f->st);
    f->st = NULL;
}

void fx_set_time(struct fx *f, int64_t now_ms)
{
    f->now_ms = now_ms;
    clock_test_set(now_ms);
}

void fx_as_root(struct fx *f)
{
    struct principal *p = &f->who;
    memset(p, 0, sizeof(*p));
    p->kind = PRINCIPAL_ROOT;
    snprintf(p->account, sizeof(p->account), "%s", FX_ACCOUNT);
    snprintf(p->arn, sizeof(p->arn), "arn:aws:iam::%s:root", FX_ACCOUNT);
    snprintf(p->user_id, sizeof(p->user_id), "%s", FX_ACCOUNT);
    snprintf(p->name, sizeof(p->name), "root");
    snprintf(p->access_key_id, sizeof(p->access_key_id), "AKIAFIXTUREROOT00001");
}

void fx_as_user(struct fx *f, const char *name, const char *user_id)
{
    struct principal *p = &f->who;
    memset(p, 0, sizeof(*p));
    p->kind = PRINCIPAL_USER;
    snprintf(p->account, sizeof(p->account), "%s", FX_ACCOUNT);
    snprintf(p->arn, sizeof(p->arn), "arn:aws:iam::%s:user/%s", FX_ACCOUNT, name);
    snprintf(p->user_id, sizeof(p->user_id), "%s", user_id);
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->access_key_id, sizeof(p->access_key_id), "AKIAFIXTUREUSER00001");
}

void fx_as_role_session(struct fx *f, const char *role, const char *role_id, const char *session)
{
    struct principal *p = &f->who;
    memset(p, 0, sizeof(*p));
    p->kind = PRINCIPAL_ROLE_SESSION;
    p->temporary = true;
    snprintf(p->account, sizeof(p->account), "%s", FX_ACCOUNT);
    snprintf(p->arn, sizeof(p->arn), "arn:aws:sts::%s:assumed-role/%s/%s", FX_ACCOUNT, role,
             session);
    snprintf(p->user_id, sizeof(p->user_id), "%s:%s", role_id, session);
    snprintf(p->name, sizeof(p->name), "%s", role);
    snprintf(p->session_name, sizeof(p->session_name), "%s", session);
    snprintf(p->access_key_id, sizeof(p->access_key_id), "ASIAFIXTURESESSION01");
    p->expires_ms = f->now_ms + 3600 * 1000LL;
}

static enum proto natural_proto(const struct model_service *svc)
{
    if (svc->protocols & PROTO_JSON)
        return PROTO_JSON;
    if (svc->protocols & PROTO_EC2)
        return PROTO_EC2;
    return PROTO_QUERY;
}

int fx_call(struct fx *f, const char *service, const char *op, op_handler *fn, const char *json_in)
{
    reset_last(f);
    f->a = arena_new();
    struct call *c = &f->c;
    c->a = f->a;
    c->st = f->st;
    c->account = FX_ACCOUNT;
    c->region = f->region;
    c->who = f->who;
    c->now_ms = f->now_ms;
    c->op_name = op;
    uuid4(c->request_id);
    c->svc = model_service_by_id(service);
    c->op = model_op_find(c->svc, op);
    if (!c->svc || !c->op) {
        harness_fail(__FILE__, __LINE__, "fx_call: no model for %s.%s", service, op);
        return f->rc = -1;
    }
    c->proto = f->proto ? f->proto : natural_proto(c->svc);
    c->query_mode = c->svc->query_compatible;
    c->out = &f->out;
    out_init(c->out, c->proto, c->svc, c->op);

    json_error_t err;
    json_t *in = json_loads(json_in ? json_in : "{}", JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(in)) {
        harness_fail(__FILE__, __LINE__, "fx_call %s: bad input JSON (%s): %s", op, err.text,
                     json_in);
        json_decref(in);
        return f->rc = -1;
    }
    if (f->validate && wire_validate(c, in)) {
        f->rc = -1;
    } else if (store_begin(c->st)) {
        harness_fail(__FILE__, __LINE__, "fx_call %s: store_begin failed", op);
        f->rc = -1;
    } else {
        f->rc = fn(c, in, c->out);
        if (f->rc || c->err.status) {
            if (!c->err.status)
                call_fail(c, 500, "InternalFailure", "handler failed without an error");
            store_rollback(c->st);
        } else if (store_commit(c->st)) {
            harness_fail(__FILE__, __LINE__, "fx_call %s: store_commit failed", op);
        }
    }
    json_decref(in);
    if (c->out->error)
        f->out_error = xstrdup(c->out->error);
    wire_respond(c, &f->resp);
    if (!f->out_error && c->out->error) /* detected when the writer was finished */
        f->out_error = xstrdup(c->out->error);
    f->body = f->resp.body.p ? f->resp.body.p : "";
    if (c->proto == PROTO_JSON && f->resp.body.len)
        f->json = json_loadb(f->resp.body.p, f->resp.body.len, 0, &err);
    return f->rc;
}

int fx_callf(struct fx *f, const char *service, const char *op, op_handler *fn, const char *fmt,
             ...)
{
    va_list ap;
    struct buf b = BUF_INIT;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    int rc = fx_call(f, service, op, fn, b.p);
    buf_free(&b);
    return rc;
}

const char *fx_err_code(const struct fx *f)
{
    return f->c.err.status ? f->c.err.code : NULL;
}

const char *fx_err_message(const struct fx *f)
{
    return f->c.err.status ? f->c.err.message : NULL;
}

json_t *fx_jget(const json_t *cv, const char *path)
{
    json_t *v = (json_t *)cv; /* jansson has no const getters */
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(v))
            v = json_array_get(v, (size_t)strtoul(tok, NULL, 10));
        else
            v = json_object_get(v, tok);
    }
    return v;
}

const char *fx_js(const struct fx *f, const char *path)
{
    return json_string_value(fx_jget(f->json, path));
}

void fx_open_json(struct fx *f, int64_t now_ms)
{
    fx_open(f, now_ms);
    f->proto = PROTO_JSON;
}
