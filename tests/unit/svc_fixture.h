/*
 * svc_fixture.h — calling a service handler directly, the way dispatch does, for unit
 * tests: an in-memory store (migrated), a manual clock, a principal, a region, the
 * operation's output writer, one store transaction per call, and the rendered response
 * (wire_respond) with its JSON body parsed when the protocol is JSON.
 *
 *   struct fx f;
 *   fx_open(&f, FX_T0);
 *   fx_call(&f, "cloudwatch", "ListMetrics", cw_list_metrics, "{\"Namespace\":\"A\"}");
 *   CHECK(f.rc == 0);
 *   json_t *metrics = json_object_get(f.json, "Metrics");
 *   fx_close(&f);
 *
 * Input JSON is the normalised input tree (timestamps as integer milliseconds).
 */
#ifndef RL_SVC_FIXTURE_H
#define RL_SVC_FIXTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/request.h"
#include "svc/cfn/ops.h"
#include "svc/cloudtrail/ops.h"
#include "svc/cloudwatch/ops.h"
#include "svc/ec2/ops.h"
#include "svc/iam/ops.h"
#include "svc/module.h"
#include "svc/sts/ops.h"
#include "svc/svc.h"

#define FX_ACCOUNT "123456789012"
/* 2026-11-28T12:00:00Z, a round minute: a convenient virtual "now". */
#define FX_T0 1795867200000LL

struct fx {
    struct store *st;
    int64_t now_ms;       /* virtual time given to calls (fx_open / fx_set_time) */
    const char *region;   /* call region, default "us-east-1" */
    enum proto proto;     /* 0: JSON when the service speaks it, else EC2, else Query */
    bool validate;        /* run wire_validate on the input first (default false) */
    struct principal who; /* caller of every call (fx_as_root / fx_as_user ...) */

    /* results of the last fx_call */
    struct arena *a;
    struct call c;
    struct out out; /* the call's writer (c.out points here) */
    struct response resp;
    int rc;           /* handler return (or -1 when validation failed) */
    const char *body; /* rendered response body (NUL-terminated) */
    json_t *json;     /* body parsed when the call used PROTO_JSON, else NULL */
    char *out_error;  /* output-writer misuse of the handler, NULL when none */
};

/* Opens the store (":memory:"), sets the manual clock to now_ms, root principal. */
void fx_open(struct fx *f, int64_t now_ms);
void fx_close(struct fx *f);
/* Moves the virtual time of later calls (clock_test_set too). */
void fx_set_time(struct fx *f, int64_t now_ms);

void fx_as_root(struct fx *f);
/* An IAM user NAME with unique id user_id (AIDA...) and access key AKIA... */
void fx_as_user(struct fx *f, const char *name, const char *user_id);
/* An assumed-role session: arn:aws:sts::ACCT:assumed-role/ROLE/SESSION, AROA...:SESSION. */
void fx_as_role_session(struct fx *f, const char *role, const char *role_id, const char *session);

/*
 * Runs fn as service/op (model ids and AWS operation names) with the input tree given as
 * JSON text, inside a store transaction (rolled back when the handler fails), then renders
 * the response. Returns f->rc. A broken fixture call (unknown op, bad JSON) is reported as
 * a test failure.
 */
int fx_call(struct fx *f, const char *service, const char *op, op_handler *fn, const char *json_in);
/* fx_call with printf-style input. */
int fx_callf(struct fx *f, const char *service, const char *op, op_handler *fn, const char *fmt,
             ...) __attribute__((format(printf, 5, 6)));

/* The error code / message of the last call (NULL when it succeeded). */
const char *fx_err_code(const struct fx *f);
const char *fx_err_message(const struct fx *f);
/* The value at a dotted path ("Users.0.UserName": object keys, array indexes) of v, or NULL. */
json_t *fx_jget(const json_t *v, const char *path);
/* The string at a dotted path of the last call's parsed output (f->json), or NULL. */
const char *fx_js(const struct fx *f, const char *path);
/* fx_open, answering in JSON (so f->json holds the parsed output). */
void fx_open_json(struct fx *f, int64_t now_ms);

#endif
