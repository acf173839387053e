/*
 * signals.c — resource signals: SignalResource (what `cfn-signal --stack --resource` calls),
 * the wait-condition handle's URL (a lab route accepting the JSON `cfn-signal URL` PUTs, as
 * AWS's presigned S3 URL does), and the AWS::CloudFormation::WaitCondition /
 * WaitConditionHandle providers. A signal is kept in the stack document ("signals": key ->
 * UniqueId -> {status, reason, data}; the key is the logical id for SignalResource, the handle's
 * URL for a handle); the engine (engine.c: sig_plan, sig_gate) counts them on its steps in
 * virtual time and fails the resource at its timeout.
 *
 * Handle URL: BASE/_recoverlab/cfn-signal/REGION/STACK-NAME/STACK-UUID/LOGICAL/TOKEN, where BASE
 * is the address the stack's caller used (the Host of its request) and TOKEN a random secret
 * (the URL is the credential, as a presigned URL is).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/admin.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/cfn/ops.h"
#include "svc/provider.h"
#include "svc/svc.h"
#include "wire/models/cloudformation_members.h"

static const char *in_str(const json_t *in, const char *m)
{
    return json_string_value(json_object_get(in, m));
}

/* Notes one signal under key in the stack's document (a repeated UniqueId replaces). */
static void signal_note(struct cfn_stack *s, const char *key, const char *uid, const char *status,
                        const char *reason, const char *data)
{
    json_t *all = json_object_get(s->doc, "signals");
    if (!all) {
        all = json_object();
        json_object_set_new(s->doc, "signals", all);
    }
    json_t *one = json_object_get(all, key);
    if (!one) {
        one = json_object();
        json_object_set_new(all, key, one);
    }
    json_t *sg = json_pack("{s:s}", "status", status);
    if (reason)
        json_object_set_new(sg, "reason", json_string(reason));
    if (data)
        json_object_set_new(sg, "data", json_string(data));
    json_object_set_new(one, uid, sg);
}

/* True when resource logical of s is waiting for signals (created, CREATE_IN_PROGRESS). */
static bool awaits_signals(const struct cfn_stack *s, const char *logical)
{
    const json_t *op = json_object_get(s->doc, "op");
    return json_object_get(json_object_get(op, "sig"), logical) != NULL;
}

/* SignalResource handler. */
int cfn_signal_resource(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct cfn_stack s;
    const char *name = in_str(in, CFN_M_SignalResourceInput_StackName);
    const char *logical = in_str(in, CFN_M_SignalResourceInput_LogicalResourceId);
    const char *uid = in_str(in, CFN_M_SignalResourceInput_UniqueId);
    const char *status = in_str(in, CFN_M_SignalResourceInput_Status);
    int lr = cfn_stack_load(c->st, c->region, name, &s);
    if (lr < 0)
        return call_fail(c, 500, "InternalFailure", NULL);
    if (lr)
        return call_fail(c, 400, "ValidationError", "Stack %s does not exist", name);
    int rc = -1;
    struct cfn_row r;
    int rr = cfn_row_load(c->st, s.stack_id, logical, &r);
    if (rr < 0) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    if (rr) {
        call_fail(c, 400, "ValidationError", "Resource %s does not exist for stack %s", logical,
                  s.name);
        goto out;
    }
    if (!awaits_signals(&s, logical)) {
        call_fail(c, 400, "ValidationError", /* inferred */
                  "Resource %s is in %s state and can not be signaled", logical, r.status);
        goto out;
    }
    signal_note(&s, logical, uid, status, NULL, NULL);
    char reason[512];
    snprintf(reason, sizeof(reason), "Received %s signal with UniqueId %s", status, uid);
    if (cfn_stack_save(c->st, &s) ||
        cfn_event_add(c->st, &s, c->now_ms, logical, r.physical_id, r.type, r.status, reason,
                      NULL)) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    rc = 0;
out:
    cfn_row_free(&r);
    cfn_stack_free(&s);
    return rc;
}

/* ---------------------------------------------------------------- the handle's URL */

/* PUT /_recoverlab/cfn-signal/REGION/NAME/UUID/LOGICAL/TOKEN with cfn-signal's JSON
 * {"Status","Reason","UniqueId","Data"}. */
void cfn_admin_signal(struct admin_call *ac)
{
    char region[64], name[160], uuid[64], logical[256], token[80];
    if (sscanf(ac->tail, "%63[^/]/%159[^/]/%63[^/]/%255[^/]/%79[^/?]", region, name, uuid,
               logical, token) != 5) {
        admin_error(ac, 404, "NotFound", "No such wait condition handle"); /* inferred */
        return;
    }
    json_t *body = NULL;
    if (admin_body_object(ac, &body))
        return;
    const char *status = in_str(body, "Status");
    const char *uid = in_str(body, "UniqueId");
    if (!status || (!str_eq(status, "SUCCESS") && !str_eq(status, "FAILURE")) || !uid) {
        json_decref(body);
        admin_error(ac, 400, "InvalidRequest", /* inferred */
                    "A signal needs Status SUCCESS or FAILURE and a UniqueId");
        return;
    }
    struct store *st = ac->ctx->st;
    char stack_id[400];
    snprintf(stack_id, sizeof(stack_id), "arn:aws:cloudformation:%s:%s:stack/%s/%s", region,
             ac->ctx->account, name, uuid);
    struct cfn_stack s;
    struct cfn_row r;
    memset(&r, 0, sizeof(r));
    int lr = cfn_stack_load(st, region, stack_id, &s);
    if (lr) {
        json_decref(body);
        admin_error(ac, 404, "NotFound", "No such wait condition handle");
        return;
    }
    int rr = cfn_row_load(st, s.stack_id, logical, &r);
    size_t tl = strlen(token);
    const char *pid = r.physical_id;
    if (rr || !pid || strlen(pid) < tl || !str_eq(pid + strlen(pid) - tl, token) ||
        !str_eq(r.type, "AWS::CloudFormation::WaitConditionHandle")) {
        admin_error(ac, 404, "NotFound", "No such wait condition handle");
        goto out;
    }
    if (store_begin(st)) {
        admin_error(ac, 500, "InternalFailure", "The store failed");
        goto out;
    }
    signal_note(&s, pid, uid, status, in_str(body, "Reason"), in_str(body, "Data"));
    if (cfn_stack_save(st, &s) || store_commit(st)) {
        store_rollback(st);
        admin_error(ac, 500, "InternalFailure", "The store failed");
        goto out;
    }
    admin_reply(ac, 200, NULL);
out:
    cfn_row_free(&r);
    cfn_stack_free(&s);
    json_decref(body);
}

/* ---------------------------------------------------------------- providers */

static enum cfn_step wch_create(const struct cfn_act *x, struct cfn_res *r)
{
    struct cfn_stack s;
    if (cfn_stack_load(x->c->st, x->c->region, x->stack_id, &s))
        return prov_invalid(r, "Internal Failure");
    const char *base = json_string_value(json_object_get(s.doc, "base_url"));
    const char *uuid = strrchr(x->stack_id, '/');
    unsigned char rnd[16];
    char token[33];
    rand_bytes(rnd, sizeof(rnd));
    hex_encode(rnd, sizeof(rnd), token);
    char *url = arena_printf(x->c->a, "%s/_recoverlab/cfn-signal/%s/%s/%s/%s/%s",
                             base ? base : "http://127.0.0.1:4566", x->c->region, x->stack_name,
                             uuid ? uuid + 1 : "", r->logical_id, token);
    cfn_stack_free(&s);
    prov_set_id(x, r, url);
    return CFN_DONE;
}

static enum cfn_step wc_create(const struct cfn_act *x, struct cfn_res *r)
{
    const char *handle = prov_str(r->props, "Handle");
    const json_t *to = json_object_get(r->props, "Timeout");
    int64_t sec = 0;
    if (handle && (!to || cfn_to_int(to, &sec) || sec < 0 || sec > 43200))
        return prov_invalid(r, "#/Timeout: expected an integer number of seconds up to 43200");
    /* the physical id: the handle's URL, or (with a CreationPolicy) a generated name */
    prov_set_id(x, r, handle ? handle : prov_name(x, r, "", 255));
    prov_attr(r, "Data", json_string("{}"));
    return CFN_DONE;
}

static enum cfn_step done_del(const struct cfn_act *x, struct cfn_res *r)
{
    (void)x;
    (void)r;
    return CFN_DONE;
}

static enum cfn_step keep_update(const struct cfn_act *x, struct cfn_res *r, const json_t *old)
{
    (void)x;
    (void)r;
    (void)old;
    return CFN_DONE;
}

static const char *const wc_replace[] = {"Handle", "Timeout", "Count", NULL};
static const char *const wc_attrs[] = {"Data", NULL};
static const char *const no_attrs[] = {NULL};

const struct cfn_provider cfn_wait_condition_handle_provider = {
    .type = "AWS::CloudFormation::WaitConditionHandle",
    .create = wch_create,
    .update = keep_update,
    .del = done_del,
    .attrs = no_attrs,
};

const struct cfn_provider cfn_wait_condition_provider = {
    .type = "AWS::CloudFormation::WaitCondition",
    .create = wc_create,
    .update = keep_update,
    .del = done_del,
    .replace_props = wc_replace,
    .attrs = wc_attrs,
};
