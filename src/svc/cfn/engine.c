/*
 * engine.c — the CloudFormation stack engine: the operations (create, update, delete,
 * rollbacks, cleanup) advancing one step per clock event in virtual time; the rows they read
 * and write are stack_store.c's. Resources are created/updated/deleted by their providers
 * (provider.h) as the operation's principal stored with the stack ("op" of the stack document).
 *
 * Forward phases (CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS) walk the template's creation
 * order: a resource starts once every dependency is done; pending providers are polled on
 * later steps. Queue phases (rollback, delete, cleanups, update rollback) work through
 * op.q one item at a time (an item may stay pending across steps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/module.h"
#include "svc/provider.h"
#include "wire/wire.h"

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* ---------------------------------------------------------------- template evaluation */

struct eval_env {
    struct store *st;
    const struct cfn_stack *s;
    bool store_err; /* a read or write of the store failed: the step fails (not the template) */
};

static int env_ref(void *ud, const char *logical, json_t **out, struct cfn_err *e)
{
    struct eval_env *env = ud;
    struct cfn_row r;
    int rc = cfn_row_load(env->st, env->s->stack_id, logical, &r);
    env->store_err |= rc < 0;
    if (rc != 0 || !r.physical_id) {
        cfn_row_free(&r);
        return cfn_fail(e, "Template error: resource %s has no physical id yet", /* inferred */
                        logical);
    }
    *out = json_string(r.physical_id);
    cfn_row_free(&r);
    return 0;
}

static int env_getatt(void *ud, const char *logical, const char *attr, json_t **out,
                      struct cfn_err *e)
{
    struct eval_env *env = ud;
    struct cfn_row r;
    int rc = cfn_row_load(env->st, env->s->stack_id, logical, &r);
    env->store_err |= rc < 0;
    const json_t *v = rc == 0 ? json_object_get(r.attrs, attr) : NULL;
    if (!v) {
        cfn_row_free(&r);
        return cfn_fail(e,
                        "Template error: resource %s does not support attribute type %s in"
                        " Fn::GetAtt",
                        logical, attr);
    }
    *out = json_deep_copy(v);
    cfn_row_free(&r);
    return 0;
}

static int env_import(void *ud, const char *name, json_t **out, struct cfn_err *e)
{
    struct eval_env *env = ud;
    int rc = cfn_export_value(env->st, env->s->region, name, out);
    if (rc == 1)
        return cfn_fail(e, "No export named %s found.", name);
    /* remember the import so the export cannot be deleted while in use */
    if (rc == 0 && cfn_import_note(env->st, env->s->region, name, env->s->stack_id)) {
        json_decref(*out);
        *out = NULL;
        rc = -1;
    }
    if (rc < 0) {
        env->store_err = true;
        return cfn_fail(e, "Internal error");
    }
    return 0;
}

struct tmpl {
    json_t *t; /* loaded template */
    struct cfn_ctx x;
    struct eval_env env;
    json_t *order; /* creation order */
    json_t *deps;  /* logical -> deps */
};

static void tmpl_free(struct tmpl *tp)
{
    json_decref(tp->t);
    json_decref(tp->x.conditions);
    json_decref(tp->order);
    json_decref(tp->deps);
    memset(tp, 0, sizeof(*tp));
}

/* Loads the stack's current template and evaluation context. -1 with e. */
static int tmpl_open(struct store *st, const struct cfn_stack *s, struct tmpl *tp,
                     struct cfn_err *e)
{
    memset(tp, 0, sizeof(*tp));
    const char *body = json_string_value(json_object_get(s->doc, "body"));
    if (!body)
        return cfn_fail(e, "Template format error: no template");
    tp->t = cfn_template_load(body, strlen(body), e);
    if (!tp->t)
        return -1;
    tp->env.st = st;
    tp->env.s = s;
    tp->x.region = s->region;
    tp->x.account = s->account;
    tp->x.stack_name = s->name;
    tp->x.stack_id = s->stack_id;
    tp->x.tmpl = tp->t;
    tp->x.params = json_object_get(s->doc, "params");
    tp->x.ud = &tp->env;
    tp->x.ref = env_ref;
    tp->x.getatt = env_getatt;
    tp->x.import_value = env_import;
    if (cfn_conditions_eval(&tp->x, e) || cfn_graph_order(tp->t, &tp->order, e) ||
        cfn_graph_deps(tp->t, &tp->deps, e)) {
        tmpl_free(tp);
        return -1;
    }
    return 0;
}

static bool res_enabled(struct tmpl *tp, const char *logical)
{
    const json_t *def = json_object_get(json_object_get(tp->t, "Resources"), logical);
    bool on = false;
    struct cfn_err e;
    return def && cfn_def_enabled(&tp->x, def, &on, &e) == 0 && on;
}

/* ---------------------------------------------------------------- provider calls */

struct engine {
    struct store *st;
    struct cfn_stack *s;
    int64_t now;
    struct arena *ar;
    struct call c;
    struct principal who;
    json_t *op; /* borrowed from s->doc */
};

static void engine_ctx(struct engine *en, struct cfn_act *x)
{
    memset(x, 0, sizeof(*x));
    x->c = &en->c;
    x->who = &en->who;
    x->stack_name = en->s->name;
    x->stack_id = en->s->stack_id;
}

/* The props a provider sees: resolved props plus the generated name. New reference. */
static json_t *provider_props(const struct cfn_provider *p, const json_t *props,
                              const char *gen_name)
{
    json_t *pp = json_is_object(props) ? json_deep_copy(props) : json_object();
    if (p && p->name_prop && gen_name && !json_object_get(pp, p->name_prop))
        json_object_set_new(pp, p->name_prop, json_string(gen_name));
    return pp;
}

enum act { ACT_CREATE, ACT_DELETE, ACT_UPDATE, ACT_CHECK };

/*
 * Runs one provider call on res (type, props for the provider, physical id in/out).
 * On DONE/PENDING updates *pid (heap) and *attrs. reason receives the failure text.
 */
static enum cfn_step provider_run(struct engine *en, enum act act, const char *logical,
                                  const char *type, const json_t *props, const json_t *old_props,
                                  char **pid, json_t **attrs, char *reason, size_t reason_cap)
{
    const struct cfn_provider *p = svc_provider_find(type);
    reason[0] = 0;
    if (!p) {
        if (act == ACT_DELETE || act == ACT_CHECK)
            return CFN_DONE;
        snprintf(reason, reason_cap, "Unsupported resource type %s", type); /* inferred */
        return CFN_FAILED;
    }
    struct cfn_act x;
    engine_ctx(en, &x);
    /* dynamic references are read when the provider acts (svc/provider.h hooks) */
    json_t *rprops = NULL;
    if ((act == ACT_CREATE || act == ACT_UPDATE) &&
        cfn_props_dynrefs(&x, props, &rprops, reason, reason_cap) < 0)
        return CFN_FAILED;
    struct cfn_res r;
    memset(&r, 0, sizeof(r));
    r.logical_id = logical;
    r.type = type;
    r.props = rprops ? rprops : props;
    r.physical_id = *pid;
    enum cfn_step rc = CFN_FAILED;
    switch (act) {
    case ACT_CREATE:
        rc = p->create ? p->create(&x, &r) : CFN_FAILED;
        break;
    case ACT_UPDATE:
        rc = p->update ? p->update(&x, &r, old_props) : CFN_FAILED;
        break;
    case ACT_DELETE:
        rc = p->del ? p->del(&x, &r) : CFN_DONE;
        break;
    case ACT_CHECK:
        rc = p->check ? p->check(&x, &r) : CFN_DONE;
        break;
    }
    json_decref(rprops);
    if (rc == CFN_FAILED) {
        snprintf(reason, reason_cap, "%s",
                 r.reason[0] ? r.reason : "Internal Failure"); /* inferred fallback */
    }
    if (r.physical_id != *pid) {
        char *np = r.physical_id ? xstrdup(r.physical_id) : NULL;
        free(*pid);
        *pid = np;
    }
    if (r.attrs) {
        if (attrs) {
            json_decref(*attrs);
            *attrs = r.attrs;
        } else {
            json_decref(r.attrs);
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- stack transitions */

/* Moves the stack to status (reason may be NULL) with its event. 0 / -1 (store). */
static int stack_event(struct engine *en, const char *status, const char *reason)
{
    cfn_stack_set_status(en->s, status, reason);
    return cfn_event_add(en->st, en->s, en->now, NULL, NULL, NULL, status, reason, NULL);
}

/* Evaluates Outputs into doc.outputs and rewrites the stack's exports. 0 / -1 (store). */
static int eval_outputs(struct engine *en, struct tmpl *tp)
{
    if (cfn_exports_clear(en->st, en->s->stack_id))
        return -1;
    int rc = -1;
    json_t *outs = json_array();
    const char *k;
    json_t *def;
    json_object_foreach(json_object_get(tp->t, "Outputs"), k, def)
    {
        struct cfn_err e;
        bool on = false;
        if (cfn_def_enabled(&tp->x, def, &on, &e) || !on)
            continue;
        json_t *v = NULL;
        if (cfn_eval(&tp->x, json_object_get(def, "Value"), &v, &e) || !v) {
            if (tp->env.store_err)
                goto out;
            log_warn("cfn: output %s of %s: %s", k, en->s->name, e.msg);
            continue;
        }
        char *txt = cfn_scalar_text(v);
        if (!txt && json_is_array(v)) { /* lists render comma-joined (inferred) */
            struct buf b = BUF_INIT;
            size_t i;
            json_t *it;
            json_array_foreach(v, i, it)
            {
                char *t = cfn_scalar_text(it);
                if (i)
                    buf_putc(&b, ',');
                buf_puts(&b, t ? t : "");
                free(t);
            }
            txt = buf_steal(&b);
        }
        json_decref(v);
        json_t *o = json_pack("{s:s, s:s}", "OutputKey", k, "OutputValue", txt ? txt : "");
        free(txt);
        const char *desc = json_string_value(json_object_get(def, "Description"));
        if (desc)
            json_object_set_new(o, "Description", json_string(desc));
        json_array_append_new(outs, o);
        const json_t *exp = json_object_get(json_object_get(def, "Export"), "Name");
        if (exp) {
            json_t *en_v = NULL;
            int erc = cfn_eval(&tp->x, exp, &en_v, &e) == 0 && json_is_string(en_v) ? 0 : 1;
            if (erc == 0) {
                const char *ename = json_string_value(en_v);
                json_object_set_new(o, "ExportName", json_string(ename));
                erc = cfn_export_put(en->st, en->s->region, ename, en->s->stack_id,
                                     json_string_value(json_object_get(o, "OutputValue")));
            }
            json_decref(en_v);
            if (erc < 0 || tp->env.store_err)
                goto out;
        }
    }
    json_object_set_new(en->s->doc, "outputs", json_incref(outs));
    rc = 0;
out:
    json_decref(outs);
    return rc;
}

/* The rows of the stack in reverse creation order (template order first, others after)
 * as a deletion queue. what: "status" (mark DELETE_COMPLETE) or "remove". NULL on a store
 * error. */
static json_t *delete_queue(struct store *st, const struct cfn_stack *s, const json_t *order,
                            const char *what, const json_t *only_names)
{
    json_t *snap = cfn_resources_snapshot(st, s->stack_id);
    if (!snap)
        return NULL;
    json_t *q = json_array();
    json_t *seen = json_object();
    /* resources the template does not order (left from earlier templates) go first */
    const char *k;
    json_t *row;
    json_t *names = json_array();
    size_t i;
    json_t *v;
    json_object_foreach(snap, k, row)
    {
        bool in_order = false;
        json_array_foreach(order, i, v)
        {
            if (str_eq(json_string_value(v), k))
                in_order = true;
        }
        if (!in_order)
            json_array_insert_new(names, 0, json_string(k));
    }
    for (size_t j = json_array_size(order); j-- > 0;)
        json_array_append(names, json_array_get(order, j));
    json_array_foreach(names, i, v)
    {
        const char *l = json_string_value(v);
        row = json_object_get(snap, l);
        if (!row || json_object_get(seen, l))
            continue;
        if (only_names && !json_object_get(only_names, l))
            continue;
        if (str_eq(json_string_value(json_object_get(row, "status")), "DELETE_COMPLETE"))
            continue;
        json_object_set_new(seen, l, json_true());
        json_t *it = json_deep_copy(row);
        json_object_set_new(it, "a", json_string("del"));
        json_object_set_new(it, "row", json_string(what));
        json_array_append_new(q, it);
    }
    json_decref(names);
    json_decref(seen);
    json_decref(snap);
    return q;
}

/* Deletion queue of the whole stack. */
json_t *cfn_engine_delete_queue(struct store *st, const struct cfn_stack *s)
{
    struct tmpl tp;
    struct cfn_err e;
    json_t *order = NULL;
    if (tmpl_open(st, s, &tp, &e) == 0) {
        order = json_incref(tp.order);
        tmpl_free(&tp);
    }
    if (!order)
        order = json_array();
    json_t *q = delete_queue(st, s, order, "status", NULL);
    json_decref(order);
    return q;
}

/* ---------------------------------------------------------------- forward phases */

/* op.st[logical]: "pending:create|replace|update", "done", "failed" */
static const char *fw_state(struct engine *en, const char *l)
{
    return json_string_value(json_object_get(json_object_get(en->op, "st"), l));
}

static void fw_set(struct engine *en, const char *l, const char *state)
{
    json_t *stm = json_object_get(en->op, "st");
    if (!stm) {
        stm = json_object();
        json_object_set_new(en->op, "st", stm);
    }
    json_object_set_new(stm, l, json_string(state));
}

static void touched_add(struct engine *en, const char *l, const char *act)
{
    json_t *t = json_object_get(en->op, "touched");
    if (!t) {
        t = json_array();
        json_object_set_new(en->op, "touched", t);
    }
    json_array_append_new(t, json_pack("{s:s, s:s}", "l", l, "a", act));
}

static void failed_add(struct engine *en, const char *l)
{
    json_t *t = json_object_get(en->op, "failed");
    if (!t) {
        t = json_array();
        json_object_set_new(en->op, "failed", t);
    }
    json_array_append_new(t, json_string(l));
}

/* A completed/failed provider step of a forward resource. 0 / -1 (store). */
static int fw_finish(struct engine *en, const char *l, const char *act, enum cfn_step rc,
                     struct cfn_row *r, const char *reason, bool announce)
{
    bool create = str_eq(act, "create");
    const char *pfx = create ? "CREATE" : "UPDATE";
    char st_ip[48], st_ok[48], st_fail[48];
    snprintf(st_ip, sizeof(st_ip), "%s_IN_PROGRESS", pfx);
    snprintf(st_ok, sizeof(st_ok), "%s_COMPLETE", pfx);
    snprintf(st_fail, sizeof(st_fail), "%s_FAILED", pfx);
    if (announce && rc != CFN_FAILED && !str_eq(act, "update") &&
        cfn_event_add(en->st, en->s, en->now, l, r->physical_id, r->type, st_ip,
                      "Resource creation Initiated", r->props))
        return -1;
    if (rc == CFN_DONE) {
        copy(r->status, sizeof(r->status), st_ok);
        if (cfn_row_save(en->st, en->s->stack_id, l, r, NULL, en->now) ||
            cfn_event_add(en->st, en->s, en->now, l, r->physical_id, r->type, st_ok, NULL,
                          r->props))
            return -1;
        fw_set(en, l, "done");
    } else if (rc == CFN_PENDING) {
        copy(r->status, sizeof(r->status), st_ip);
        if (cfn_row_save(en->st, en->s->stack_id, l, r, NULL, en->now))
            return -1;
        char state[48];
        snprintf(state, sizeof(state), "pending:%s", act);
        fw_set(en, l, state);
    } else {
        copy(r->status, sizeof(r->status), st_fail);
        if (cfn_row_save(en->st, en->s->stack_id, l, r, reason, en->now) ||
            cfn_event_add(en->st, en->s, en->now, l, r->physical_id, r->type, st_fail, reason,
                          r->props))
            return -1;
        fw_set(en, l, "failed");
        failed_add(en, l);
    }
    return 0;
}

/* True when a replacement is needed: type changed or a replace_prop differs. */
static bool needs_replacement(const struct cfn_provider *p, const struct cfn_row *old,
                              const char *type, const json_t *props)
{
    if (!str_eq(old->type, type))
        return true;
    if (!p || !p->replace_props)
        return false;
    for (const char *const *rp = p->replace_props; *rp; rp++) {
        const json_t *a = json_object_get(old->props, *rp);
        const json_t *b = json_object_get(props, *rp);
        if ((a == NULL) != (b == NULL) || (a && !json_equal(a, b)))
            return true;
    }
    return false;
}

/* Starts resource l (dependencies done). 0 / -1 (store). */
static int fw_start(struct engine *en, struct tmpl *tp, const char *l, bool update_mode)
{
    const json_t *def = json_object_get(json_object_get(tp->t, "Resources"), l);
    const char *type = json_string_value(json_object_get(def, "Type"));
    const struct cfn_provider *p = svc_provider_find(type);
    struct cfn_err e;
    json_t *props = NULL;
    const json_t *pdef = json_object_get(def, "Properties");
    int erc = pdef ? cfn_eval(&tp->x, pdef, &props, &e) : 0;
    if (!props)
        props = json_object();
    struct cfn_row old;
    memset(&old, 0, sizeof(old));
    int have_old = update_mode ? cfn_row_load(en->st, en->s->stack_id, l, &old) : 1;
    if (have_old == 0 && str_eq(old.status, "DELETE_COMPLETE"))
        have_old = 1;

    int ret = -1;
    struct cfn_row r;
    memset(&r, 0, sizeof(r));
    copy(r.type, sizeof(r.type), type);
    r.props = props;
    char reason[1024];
    if (have_old < 0 || tp->env.store_err)
        goto out;
    if (erc) {
        const char *act = have_old == 0 ? "update" : "create";
        if (cfn_event_add(en->st, en->s, en->now, l, have_old == 0 ? old.physical_id : NULL, type,
                          have_old == 0 ? "UPDATE_IN_PROGRESS" : "CREATE_IN_PROGRESS", NULL, NULL))
            goto out;
        if (have_old == 0) {
            r.physical_id = old.physical_id ? xstrdup(old.physical_id) : NULL;
            json_decref(r.props);
            r.props = json_incref(old.props);
            r.attrs = json_incref(old.attrs);
        }
        ret = fw_finish(en, l, act, CFN_FAILED, &r, e.msg, false);
        goto out;
    }
    if (have_old == 0 && str_eq(old.type, type) && json_equal(old.props, props)) {
        fw_set(en, l, "done"); /* unchanged */
        ret = 0;
        goto out;
    }
    if (have_old == 0 && !needs_replacement(p, &old, type, props)) {
        /* in-place update */
        r.physical_id = old.physical_id ? xstrdup(old.physical_id) : NULL;
        r.attrs = json_incref(old.attrs);
        r.gen_name = old.gen_name ? xstrdup(old.gen_name) : NULL;
        if (cfn_event_add(en->st, en->s, en->now, l, r.physical_id, type, "UPDATE_IN_PROGRESS",
                          NULL, props))
            goto out;
        json_t *pp = provider_props(p, props, r.gen_name);
        json_t *op_old = provider_props(p, old.props, old.gen_name);
        enum cfn_step rc = provider_run(en, ACT_UPDATE, l, type, pp, op_old, &r.physical_id,
                                        &r.attrs, reason, sizeof(reason));
        json_decref(pp);
        json_decref(op_old);
        touched_add(en, l, "update");
        ret = fw_finish(en, l, "update", rc, &r, reason, false);
        goto out;
    }
    /* create (new resource or replacement) */
    const char *act = have_old == 0 ? "replace" : "create";
    if (p && p->name_prop && !json_object_get(props, p->name_prop))
        r.gen_name = cfn_physical_name(en->s->name, l, p->name_max > 0 ? (size_t)p->name_max : 255);
    if (have_old == 0) {
        if (cfn_event_add(en->st, en->s, en->now, l, old.physical_id, type, "UPDATE_IN_PROGRESS",
                          "Requested update requires the creation of a new physical resource;"
                          " hence creating one.",
                          props))
            goto out;
        /* the old physical resource goes in cleanup */
        json_t *cl = json_object_get(en->op, "cleanup");
        if (!cl) {
            cl = json_array();
            json_object_set_new(en->op, "cleanup", cl);
        }
        json_t *it = cfn_row_json(l, &old);
        json_object_set_new(it, "a", json_string("del"));
        json_object_set_new(it, "row", json_string("keep"));
        json_array_append_new(cl, it);
    } else if (cfn_event_add(en->st, en->s, en->now, l, NULL, type, "CREATE_IN_PROGRESS", NULL,
                             props)) {
        goto out;
    }
    json_t *pp = provider_props(p, props, r.gen_name);
    enum cfn_step rc = provider_run(en, ACT_CREATE, l, type, pp, NULL, &r.physical_id, &r.attrs,
                                    reason, sizeof(reason));
    json_decref(pp);
    touched_add(en, l, act);
    if (rc == CFN_FAILED && have_old == 0) {
        /* the failed replacement: the row keeps describing the old resource */
        free(r.physical_id);
        r.physical_id = old.physical_id ? xstrdup(old.physical_id) : NULL;
    }
    ret = fw_finish(en, l, act, rc, &r, reason, true);
out:
    cfn_row_free(&r);
    cfn_row_free(&old);
    return ret;
}

/* Polls a pending forward resource. 0 / -1 (store). */
static int fw_poll(struct engine *en, const char *l, const char *act)
{
    struct cfn_row r;
    int lr = cfn_row_load(en->st, en->s->stack_id, l, &r);
    if (lr != 0) {
        cfn_row_free(&r);
        if (lr < 0)
            return -1;
        fw_set(en, l, "failed");
        failed_add(en, l);
        return 0;
    }
    const struct cfn_provider *p = svc_provider_find(r.type);
    json_t *pp = provider_props(p, r.props, r.gen_name);
    char reason[1024];
    enum cfn_step rc = provider_run(en, ACT_CHECK, l, r.type, pp, NULL, &r.physical_id, &r.attrs,
                                    reason, sizeof(reason));
    json_decref(pp);
    int ret = rc != CFN_PENDING ? fw_finish(en, l, act, rc, &r, reason, false) : 0;
    cfn_row_free(&r);
    return ret;
}

/* Builds the undo queues of a failed update: op.q (restore in UPDATE_ROLLBACK_IN_PROGRESS)
 * and op.q2 (delete what the update created, in the rollback cleanup). 0 / -1 (store). */
static int build_update_undo(struct engine *en)
{
    json_t *prev = json_object_get(json_object_get(en->op, "prev"), "resources");
    json_t *q = json_array(), *q2 = json_array();
    json_t *touched = json_object_get(en->op, "touched");
    for (size_t i = json_array_size(touched); i-- > 0;) {
        json_t *t = json_array_get(touched, i);
        const char *l = json_string_value(json_object_get(t, "l"));
        const char *a = json_string_value(json_object_get(t, "a"));
        struct cfn_row cur;
        int have = cfn_row_load(en->st, en->s->stack_id, l, &cur);
        if (have < 0) {
            cfn_row_free(&cur);
            json_decref(q);
            json_decref(q2);
            return -1;
        }
        json_t *old = json_object_get(prev, l);
        if (str_eq(a, "update") && old) {
            json_t *it = json_deep_copy(old);
            json_object_set_new(it, "a", json_string("undo_update"));
            if (have == 0 && cur.props)
                json_object_set(it, "cur_props", cur.props);
            json_array_append_new(q, it);
        } else if (str_eq(a, "replace") && old) {
            json_t *it = json_deep_copy(old);
            json_object_set_new(it, "a", json_string("restore"));
            json_array_append_new(q, it);
            /* the new physical resource, if it got one different from the old */
            const char *opid = json_string_value(json_object_get(old, "pid"));
            if (have == 0 && cur.physical_id && !str_eq(cur.physical_id, opid)) {
                json_t *d = cfn_row_json(l, &cur);
                json_object_set_new(d, "a", json_string("del"));
                json_object_set_new(d, "row", json_string("keep"));
                json_array_append_new(q2, d);
            }
        } else if (str_eq(a, "create") && have == 0) {
            json_t *d = cfn_row_json(l, &cur);
            json_object_set_new(d, "a", json_string("del"));
            json_object_set_new(d, "row", json_string("remove"));
            json_array_append_new(q2, d);
        }
        cfn_row_free(&cur);
    }
    json_object_set_new(en->op, "q", q);
    json_object_set_new(en->op, "q2", q2);
    return 0;
}

/* Marks pending forward resources cancelled (a sibling failed). 0 / -1 (store). */
static int cancel_pending(struct engine *en)
{
    const char *l;
    json_t *v;
    json_t *stm = json_object_get(en->op, "st");
    void *tmp;
    json_object_foreach_safe(stm, tmp, l, v)
    {
        const char *s = json_string_value(v);
        if (!str_startswith(s, "pending:"))
            continue;
        struct cfn_row r;
        int rc = cfn_row_load(en->st, en->s->stack_id, l, &r);
        if (rc == 0) {
            bool create = str_eq(s + 8, "create");
            const char *status = create ? "CREATE_FAILED" : "UPDATE_FAILED";
            copy(r.status, sizeof(r.status), status);
            if (cfn_row_save(en->st, en->s->stack_id, l, &r, "Resource creation cancelled",
                             en->now) ||
                cfn_event_add(en->st, en->s, en->now, l, r.physical_id, r.type, status,
                              "Resource creation cancelled", r.props))
                rc = -1;
        }
        cfn_row_free(&r);
        if (rc < 0)
            return -1;
        fw_set(en, l, "failed");
    }
    return 0;
}

/* The forward phase failed (op.failed names what failed): a rollback starts, or the stack is
 * CREATE_FAILED when rollback is off. 0 / -1 (store). */
static int forward_failed(struct engine *en, bool update_mode)
{
    char *names = cfn_bracket_list(json_object_get(en->op, "failed"));
    char reason[4096];
    int rc = -1;
    if (!update_mode) {
        const char *onf = json_string_value(json_object_get(en->s->doc, "on_failure"));
        if (str_eq(onf, "DO_NOTHING")) {
            snprintf(reason, sizeof(reason), "The following resource(s) failed to create: %s. ",
                     names);
            if (stack_event(en, "CREATE_FAILED", reason))
                goto out;
            json_object_del(en->s->doc, "op");
        } else {
            snprintf(reason, sizeof(reason),
                     "The following resource(s) failed to create: %s. Rollback requested by user.",
                     names);
            json_t *q = cfn_engine_delete_queue(en->st, en->s);
            if (!q)
                goto out;
            json_object_set_new(en->op, "q", q);
            if (stack_event(en, "ROLLBACK_IN_PROGRESS", reason))
                goto out;
        }
    } else {
        snprintf(reason, sizeof(reason), "The following resource(s) failed to update: %s. ", names);
        if (build_update_undo(en) || stack_event(en, "UPDATE_ROLLBACK_IN_PROGRESS", reason))
            goto out;
    }
    json_object_del(en->op, "failed"); /* the rollback counts its own failures */
    rc = 0;
out:
    free(names);
    return rc;
}

/* The queue of UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: the old resources of replacements and the
 * resources the new template no longer has (or disables). New array; NULL on a store error. */
static json_t *update_cleanup_queue(struct engine *en, struct tmpl *tp)
{
    json_t *snap = cfn_resources_snapshot(en->st, en->s->stack_id);
    if (!snap)
        return NULL;
    json_t *keep = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(tp->order, i, v)
    {
        if (res_enabled(tp, json_string_value(v)))
            json_object_set_new(keep, json_string_value(v), json_true());
    }
    json_t *gone = json_object();
    const char *k;
    json_t *row;
    json_object_foreach(snap, k, row)
    {
        if (!json_object_get(keep, k))
            json_object_set_new(gone, k, json_true());
    }
    json_t *q = json_copy(json_object_get(en->op, "cleanup"));
    if (!q)
        q = json_array();
    json_t *rm = delete_queue(
        en->st, en->s, json_object_get(json_object_get(en->op, "prev"), "order"), "remove", gone);
    if (rm)
        json_array_extend(q, rm);
    else
        json_decref(q);
    json_decref(rm);
    json_decref(gone);
    json_decref(snap);
    json_decref(keep);
    return rm ? q : NULL;
}

/* One step of CREATE_IN_PROGRESS / UPDATE_IN_PROGRESS. 0 / -1 (store). */
static int forward_step(struct engine *en, bool update_mode)
{
    struct tmpl tp;
    struct cfn_err e;
    if (tmpl_open(en->st, en->s, &tp, &e)) {
        failed_add(en, en->s->name);
        return forward_failed(en, update_mode);
    }
    int rc = -1;
    bool pending = false, waiting = false;
    size_t i;
    json_t *v;
    json_array_foreach(tp.order, i, v)
    {
        const char *l = json_string_value(v);
        if (!res_enabled(&tp, l))
            continue;
        const char *state = fw_state(en, l);
        if (str_eq(state, "done") || str_eq(state, "failed"))
            continue;
        if (str_startswith(state, "pending:")) {
            char act[16];
            copy(act, sizeof(act), state + 8);
            if (fw_poll(en, l, act))
                goto out;
            if (str_startswith(fw_state(en, l), "pending:"))
                pending = true;
            continue;
        }
        if (json_array_size(json_object_get(en->op, "failed")))
            continue; /* nothing new starts once something failed */
        bool ready = true;
        size_t j;
        json_t *d;
        json_array_foreach(json_object_get(tp.deps, l), j, d)
        {
            if (res_enabled(&tp, json_string_value(d)) &&
                !str_eq(fw_state(en, json_string_value(d)), "done"))
                ready = false;
        }
        if (!ready) {
            waiting = true;
            continue;
        }
        if (fw_start(en, &tp, l, update_mode))
            goto out;
        if (str_startswith(fw_state(en, l), "pending:"))
            pending = true;
    }
    if (json_array_size(json_object_get(en->op, "failed"))) {
        if (cancel_pending(en) == 0)
            rc = forward_failed(en, update_mode);
        goto out;
    }
    if (pending || waiting) {
        rc = 0;
        goto out;
    }
    /* every resource done */
    if (eval_outputs(en, &tp))
        goto out;
    if (!update_mode) {
        if (stack_event(en, "CREATE_COMPLETE", NULL))
            goto out;
        json_object_del(en->s->doc, "op");
    } else {
        /* removed resources (not in the template, or disabled) and replaced ones go */
        json_t *q = update_cleanup_queue(en, &tp);
        if (!q)
            goto out;
        json_object_set_new(en->op, "q", q);
        if (stack_event(en, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", NULL))
            goto out;
    }
    rc = 0;
out:
    tmpl_free(&tp);
    return rc;
}

/* ---------------------------------------------------------------- queue phases */

/* Writes a restored row (UPDATE_COMPLETE) with its events. 0 / -1 (store). */
static int restore_row(struct engine *en, const char *l, const json_t *it, const json_t *attrs,
                       bool announce)
{
    struct cfn_row r;
    cfn_row_from_json(it, &r);
    if (attrs) {
        json_decref(r.attrs);
        r.attrs = json_incref((json_t *)attrs);
    }
    copy(r.status, sizeof(r.status), "UPDATE_COMPLETE");
    int rc = -1;
    if (announce && cfn_event_add(en->st, en->s, en->now, l, r.physical_id, r.type,
                                  "UPDATE_IN_PROGRESS", NULL, r.props))
        goto out;
    if (cfn_row_save(en->st, en->s->stack_id, l, &r, NULL, en->now) ||
        cfn_event_add(en->st, en->s, en->now, l, r.physical_id, r.type, "UPDATE_COMPLETE", NULL,
                      r.props))
        goto out;
    rc = 0;
out:
    cfn_row_free(&r);
    return rc;
}

/* Runs the head item of op.q: 1 when the queue moved on (item finished), 0 while it is
 * pending, -1 on a store error. */
static int queue_item(struct engine *en, json_t *it, const char *phase)
{
    const char *l = json_string_value(json_object_get(it, "l"));
    const char *type = json_string_value(json_object_get(it, "type"));
    const char *a = json_string_value(json_object_get(it, "a"));
    const char *pid0 = json_string_value(json_object_get(it, "pid"));
    const json_t *props = json_object_get(it, "props");
    const struct cfn_provider *p = svc_provider_find(type);
    bool pending = json_is_true(json_object_get(it, "pending"));
    char reason[1024] = "";
    enum cfn_step rc = CFN_DONE;
    bool undo = str_eq(a, "undo_update");

    if (str_eq(a, "restore"))
        return restore_row(en, l, it, NULL, true) ? -1 : 1;
    if (!pending && cfn_event_add(en->st, en->s, en->now, l, pid0, type,
                                  undo ? "UPDATE_IN_PROGRESS" : "DELETE_IN_PROGRESS", NULL, NULL))
        return -1;
    char *pid = pid0 ? xstrdup(pid0) : NULL;
    json_t *attrs = NULL;
    int ret = -1;
    json_t *pp = provider_props(p, props, json_string_value(json_object_get(it, "gen")));
    if (pending) {
        rc = provider_run(en, ACT_CHECK, l, type, pp, NULL, &pid, undo ? &attrs : NULL, reason,
                          sizeof(reason));
    } else if (undo) {
        json_t *cur = provider_props(p, json_object_get(it, "cur_props"),
                                     json_string_value(json_object_get(it, "gen")));
        rc = provider_run(en, ACT_UPDATE, l, type, pp, cur, &pid, &attrs, reason, sizeof(reason));
        json_decref(cur);
    } else if (pid) {
        rc = provider_run(en, ACT_DELETE, l, type, pp, NULL, &pid, NULL, reason, sizeof(reason));
    }
    json_decref(pp);
    if (rc == CFN_PENDING) {
        json_object_set_new(it, "pending", json_true());
        ret = 0;
        goto out;
    }
    const char *what = json_string_value(json_object_get(it, "row"));
    if (rc == CFN_DONE && undo) {
        if (restore_row(en, l, it, attrs, false))
            goto out;
    } else if (rc == CFN_DONE) {
        if (cfn_event_add(en->st, en->s, en->now, l, pid, type, "DELETE_COMPLETE", NULL, NULL))
            goto out;
        if (str_eq(what, "status") &&
            cfn_row_set_status(en->st, en->s->stack_id, l, "DELETE_COMPLETE", NULL, en->now))
            goto out;
        if (str_eq(what, "remove") && cfn_row_remove(en->st, en->s->stack_id, l))
            goto out;
    } else {
        const char *fs = undo ? "UPDATE_FAILED" : "DELETE_FAILED";
        if (cfn_event_add(en->st, en->s, en->now, l, pid, type, fs, reason, NULL))
            goto out;
        if ((!str_eq(what, "keep") || undo) &&
            cfn_row_set_status(en->st, en->s->stack_id, l, fs, reason, en->now))
            goto out;
        if (!str_eq(phase, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"))
            failed_add(en, l);
    }
    ret = 1;
out:
    free(pid);
    json_decref(attrs);
    return ret;
}

/* The stack is deleted: DELETE_COMPLETE, its exports and imports gone. 0 / -1 (store). */
static int stack_deleted(struct engine *en)
{
    en->s->deleted_ms = en->now;
    if (stack_event(en, "DELETE_COMPLETE", NULL))
        return -1;
    return cfn_exports_drop(en->st, en->s->stack_id);
}

/* The update rolled back: the previous template, parameters and outputs are the stack's
 * again, and the rollback cleanup deletes what the update created. 0 / -1 (store). */
static int update_rolled_back(struct engine *en)
{
    json_t *prev = json_object_get(en->op, "prev");
    const char *keys[] = {"body", "params", "raw", "noecho", "outputs", "description"};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        json_t *v = json_object_get(prev, keys[i]);
        if (v)
            json_object_set(en->s->doc, keys[i], v);
    }
    struct tmpl tp;
    struct cfn_err e;
    if (tmpl_open(en->st, en->s, &tp, &e) == 0) {
        int rc = eval_outputs(en, &tp);
        tmpl_free(&tp);
        if (rc)
            return -1;
    }
    json_object_set(en->op, "q", json_object_get(en->op, "q2"));
    return stack_event(en, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", NULL);
}

/* The queue of phase is empty: the stack moves on. 0 / -1 (store). */
static int queue_done(struct engine *en, const char *phase)
{
    json_t *failed = json_object_get(en->op, "failed");
    char *names = cfn_bracket_list(failed);
    char reason[4096];
    bool bad = json_array_size(failed) > 0;
    bool op_over = true;
    int rc = -1;
    if (str_eq(phase, "DELETE_IN_PROGRESS")) {
        snprintf(reason, sizeof(reason), "The following resource(s) failed to delete: %s. ", names);
        if (bad ? stack_event(en, "DELETE_FAILED", reason) : stack_deleted(en))
            goto out;
    } else if (str_eq(phase, "ROLLBACK_IN_PROGRESS")) {
        snprintf(reason, sizeof(reason), "The following resource(s) failed to delete: %s. ", names);
        if (bad) {
            if (stack_event(en, "ROLLBACK_FAILED", reason))
                goto out;
        } else {
            if (stack_event(en, "ROLLBACK_COMPLETE", NULL))
                goto out;
            /* OnFailure DELETE: the rolled-back stack is deleted (inferred events) */
            if (str_eq(json_string_value(json_object_get(en->s->doc, "on_failure")), "DELETE") &&
                (stack_event(en, "DELETE_IN_PROGRESS", NULL) || stack_deleted(en)))
                goto out;
        }
    } else if (str_eq(phase, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")) {
        if (stack_event(en, "UPDATE_COMPLETE", NULL))
            goto out;
    } else if (str_eq(phase, "UPDATE_ROLLBACK_IN_PROGRESS")) {
        snprintf(reason, sizeof(reason), "The following resource(s) failed to update: %s. ", names);
        op_over = bad;
        if (bad ? stack_event(en, "UPDATE_ROLLBACK_FAILED", reason) : update_rolled_back(en))
            goto out;
    } else if (str_eq(phase, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")) {
        if (stack_event(en, "UPDATE_ROLLBACK_COMPLETE", NULL))
            goto out;
    } else {
        op_over = false;
    }
    if (op_over)
        json_object_del(en->s->doc, "op");
    rc = 0;
out:
    free(names);
    return rc;
}

/* One step of a queue phase. 0 / -1 (store). */
static int queue_step(struct engine *en, const char *phase)
{
    json_t *q = json_object_get(en->op, "q");
    while (json_array_size(q)) {
        int rc = queue_item(en, json_array_get(q, 0), phase);
        if (rc <= 0)
            return rc; /* pending, or a store error */
        json_array_remove(q, 0);
    }
    char ph[48];
    copy(ph, sizeof(ph), phase);
    return queue_done(en, ph);
}

/* ---------------------------------------------------------------- the clock event */

/* The op's principal (its JSON and the access key it used). */
static int op_principal(const json_t *op, struct principal *who)
{
    const char *pj = json_string_value(json_object_get(op, "who"));
    if (!pj || principal_from_json(pj, who))
        return -1;
    copy(who->access_key_id, sizeof(who->access_key_id),
         json_string_value(json_object_get(op, "key")));
    return 0;
}

/* The status an operation ends in when one of its steps could not be recorded: its phase's
 * failure (CREATE_FAILED, DELETE_FAILED, ...); a cleanup ends as the update it cleans up
 * after, as it does when one of its deletions fails. phase ends with _IN_PROGRESS. */
static void failed_status(const char *phase, char *out, size_t cap)
{
    int n = (int)(strlen(phase) - strlen("_IN_PROGRESS"));
    if (str_endswith(phase, "_CLEANUP_IN_PROGRESS"))
        snprintf(out, cap, "%.*s", n - (int)strlen("_CLEANUP"), phase);
    else
        snprintf(out, cap, "%.*s_FAILED", n, phase);
}

/* A step failed on the store and was undone: the stack's operation ends in its failed status
 * with CloudFormation's "Internal Failure" (inferred), in a savepoint of its own. 0 / -1. */
static int engine_fail(struct store *st, const char *region, const char *stack_id, int64_t at_ms)
{
    static const char reason[] = "Internal Failure"; /* inferred */
    struct cfn_stack s;
    if (cfn_stack_load(st, region, stack_id, &s))
        return -1;
    int rc = -1;
    if (!str_endswith(s.status, "_IN_PROGRESS") || store_begin(st))
        goto out;
    char status[48];
    failed_status(s.status, status, sizeof(status));
    cfn_stack_set_status(&s, status, reason);
    if (str_startswith(status, "UPDATE"))
        s.updated_ms = at_ms;
    rc = cfn_event_add(st, &s, at_ms, NULL, NULL, NULL, status, reason, NULL);
    json_object_del(s.doc, "op");
    if (rc == 0)
        rc = cfn_stack_save(st, &s);
    if (rc == 0)
        rc = store_commit(st);
    if (rc)
        store_rollback(st);
out:
    cfn_stack_free(&s);
    return rc;
}

/*
 * Engine step: one step of the stack's operation, all or nothing. It runs in a savepoint of
 * the clock event's transaction; when a read or write of the store fails, everything the step
 * did (rows, events, what providers did through their services) is rolled back and the
 * operation fails (engine_fail) rather than go on from a state the store does not hold.
 */
void cfn_engine_step(struct store *st, int64_t at_ms, const char *stack_id)
{
    /* the stack's region first: a stack id is looked up within its region */
    char region[32] = "";
    struct cfn_stack s;
    int lr = cfn_stack_region(st, stack_id, region, sizeof(region));
    if (lr == 0)
        lr = cfn_stack_load(st, region, stack_id, &s);
    if (lr) {
        if (lr < 0)
            log_error("cfn: step of stack %s: the store failed", stack_id);
        else
            log_warn("cfn: step of unknown stack %s", stack_id);
        return;
    }
    struct engine en;
    memset(&en, 0, sizeof(en));
    en.st = st;
    en.s = &s;
    en.now = at_ms;
    en.ar = arena_new();
    /* held: a finished operation deletes "op" from the document while the step still uses it */
    en.op = json_incref(json_object_get(s.doc, "op"));
    if (!en.op || op_principal(en.op, &en.who)) {
        log_warn("cfn: stack %s has no running operation", stack_id);
        goto out;
    }
    en.c.a = en.ar;
    en.c.st = st;
    en.c.region = s.region;
    en.c.account = s.account;
    en.c.now_ms = at_ms;
    en.c.proto = PROTO_QUERY;
    en.c.svc = model_service_by_id("cloudformation");
    en.c.op_name = "";
    en.c.who = en.who;
    uuid4(en.c.request_id);

    if (store_begin(st)) {
        log_error("cfn: step of stack %s: the store failed", stack_id);
        goto out;
    }
    char phase[48];
    copy(phase, sizeof(phase), s.status);
    int rc = 0;
    if (str_eq(phase, "CREATE_IN_PROGRESS"))
        rc = forward_step(&en, false);
    else if (str_eq(phase, "UPDATE_IN_PROGRESS"))
        rc = forward_step(&en, true);
    else if (str_endswith(phase, "_IN_PROGRESS"))
        rc = queue_step(&en, phase);
    s.updated_ms = str_startswith(s.status, "UPDATE") ? at_ms : s.updated_ms;
    if (rc == 0)
        rc = cfn_stack_save(st, &s);
    if (rc == 0 && str_endswith(s.status, "_IN_PROGRESS") &&
        sched_at(st, at_ms + CFN_STEP_MS, CFN_EV_STEP, s.stack_id) <= 0)
        rc = -1;
    if (rc == 0)
        rc = store_commit(st);
    if (rc) {
        store_rollback(st);
        log_error("cfn: step of stack %s (%s) failed on the store: the operation fails", stack_id,
                  phase);
        if (engine_fail(st, region, stack_id, at_ms))
            log_error("cfn: stack %s: its failure could not be recorded either", stack_id);
    }
out:
    json_decref(en.op);
    arena_free(en.ar);
    cfn_stack_free(&s);
}

/* Queues the first step. */
int cfn_engine_start(struct store *st, const struct cfn_stack *s, int64_t now_ms)
{
    sched_cancel(st, CFN_EV_STEP, s->stack_id);
    return sched_at(st, now_ms + CFN_STEP_MS, CFN_EV_STEP, s->stack_id) > 0 ? 0 : -1;
}

/* Registers the clock event. */
void cfn_stacks_init(void)
{
    clock_on(CFN_EV_STEP, cfn_engine_step);
}
