/*
 * changesets.c — change sets (CreateChangeSet, DescribeChangeSet, ExecuteChangeSet,
 * DeleteChangeSet, ListChangeSets) and the export lists (ListExports, ListImports).
 *
 * A change set lives in its stack's document ("changesets": name -> record). A CREATE change
 * set on a stack that does not exist makes the stack in REVIEW_IN_PROGRESS (as AWS does: it
 * is listed and described, and `aws cloudformation deploy` reads that status as "no stack
 * yet"). The record keeps the request as a CreateStack/UpdateStack input (the member names
 * are the same), so executing it is exactly that operation; its Changes are computed when it
 * is made, from the stack's current resources, the provider's replacement properties and the
 * new template evaluated with the new parameters. Creation completes at once
 * (CREATE_COMPLETE, or FAILED with AWS's "didn't contain changes" reason); the execution
 * status follows the stack's own status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/cfn/ops.h"
#include "svc/module.h"
#include "svc/provider.h"
#include "svc/svc.h"
#include "wire/models/cloudformation_members.h"

#define NO_CHANGES                                                                                 \
    "The submitted information didn't contain changes. Submit different information to create"  \
    " a change set."

static const char *in_str(const json_t *in, const char *m)
{
    return json_string_value(json_object_get(in, m));
}

static bool valid_name(const char *n)
{
    if (!n || !*n || strlen(n) > 128 || !((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z')))
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            return false;
    return true;
}

/* ---------------------------------------------------------------- computing the changes */

struct cs_env {
    struct call *c;
    const char *stack_id;
    json_t *replaced; /* logical ids whose physical resource changes */
};

static int cs_ref(void *ud, const char *logical, json_t **out, struct cfn_err *e)
{
    struct cs_env *env = ud;
    if (json_object_get(env->replaced, logical))
        return cfn_fail(e, "dynamic");
    struct cfn_row r;
    int rc = env->stack_id[0] ? cfn_row_load(env->c->st, env->stack_id, logical, &r) : 1;
    if (rc != 0 || !r.physical_id) {
        cfn_row_free(&r);
        return cfn_fail(e, "dynamic");
    }
    *out = json_string(r.physical_id);
    cfn_row_free(&r);
    return 0;
}

static int cs_getatt(void *ud, const char *logical, const char *attr, json_t **out,
                     struct cfn_err *e)
{
    struct cs_env *env = ud;
    if (json_object_get(env->replaced, logical))
        return cfn_fail(e, "dynamic");
    struct cfn_row r;
    int rc = env->stack_id[0] ? cfn_row_load(env->c->st, env->stack_id, logical, &r) : 1;
    const json_t *v = rc == 0 ? json_object_get(r.attrs, attr) : NULL;
    if (v)
        *out = json_deep_copy(v);
    cfn_row_free(&r);
    return v ? 0 : cfn_fail(e, "dynamic");
}

static int cs_import(void *ud, const char *name, json_t **out, struct cfn_err *e)
{
    struct cs_env *env = ud;
    int rc = cfn_export_value(env->c->st, env->c->region, name, out);
    return rc == 0 ? 0 : cfn_fail(e, "No export named %s found.", name);
}

static void str_add_unique(json_t *arr, const char *s)
{
    cfn_list_add_unique(arr, s);
}

/* A Modify change of an existing resource. NULL when nothing changed. */
static json_t *modify_change(const struct cfn_row *old, const char *l, const char *type,
                             const json_t *props, const json_t *refs, struct cs_env *env)
{
    const struct cfn_provider *p = svc_provider_find(type);
    json_t *details = json_array(), *scope = json_array();
    bool replace = !str_eq(old->type, type), conditional = false;
    json_t *keys = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(old->props, k, v) json_object_set_new(keys, k, json_true());
    json_object_foreach((json_t *)props, k, v) json_object_set_new(keys, k, json_true());
    json_object_foreach(keys, k, v)
    {
        const json_t *a = json_object_get(old->props, k), *b = json_object_get(props, k);
        bool changed = (a == NULL) != (b == NULL) || (a && !json_equal(a, b));
        if (!changed)
            continue;
        bool rp = false;
        for (const char *const *r = p ? p->replace_props : NULL; r && *r; r++)
            rp = rp || str_eq(*r, k);
        bool tags = str_eq(k, "Tags");
        json_t *target = json_object();
        json_object_set_new(target, "Attribute", json_string(tags ? "Tags" : "Properties"));
        if (!tags)
            json_object_set_new(target, "Name", json_string(k));
        json_object_set_new(target, "RequiresRecreation", json_string(rp ? "Always" : "Never"));
        const char *cause = json_string_value(json_object_get(refs, k));
        json_t *d = json_object();
        json_object_set_new(d, "Target", target);
        json_object_set_new(d, "Evaluation", json_string(cause ? "Dynamic" : "Static"));
        json_object_set_new(d, "ChangeSource",
                            json_string(cause ? (strchr(cause, '.') ? "ResourceAttribute"
                                                                    : "ResourceReference")
                                              : "DirectModification"));
        if (cause)
            json_object_set_new(d, "CausingEntity", json_string(cause));
        json_array_append_new(details, d);
        str_add_unique(scope, tags ? "Tags" : "Properties");
        if (rp && cause)
            conditional = true;
        else if (rp)
            replace = true;
    }
    json_decref(keys);
    if (!json_array_size(details) && str_eq(old->type, type)) {
        json_decref(details);
        json_decref(scope);
        return NULL;
    }
    if (replace)
        json_object_set_new(env->replaced, l, json_true());
    json_t *rc = json_object();
    json_object_set_new(rc, "Action", json_string("Modify"));
    json_object_set_new(rc, "LogicalResourceId", json_string(l));
    if (old->physical_id)
        json_object_set_new(rc, "PhysicalResourceId", json_string(old->physical_id));
    json_object_set_new(rc, "ResourceType", json_string(type));
    json_object_set_new(rc, "Replacement",
                        json_string(replace ? "True" : conditional ? "Conditional" : "False"));
    json_object_set_new(rc, "Scope", scope);
    json_object_set_new(rc, "Details", details);
    return rc;
}

/* Which property of def (top-level name) references which changed resource ("X" for Ref,
 * "X.Attr" for GetAtt): object prop -> causing entity, for the resources in replaced. */
static void find_refs(const json_t *v, const char *prop, const json_t *replaced, json_t *out)
{
    if (json_is_object(v)) {
        const json_t *ref = json_object_get(v, "Ref");
        const json_t *ga = json_object_get(v, "Fn::GetAtt");
        if (json_object_size(v) == 1 && json_is_string(ref) &&
            json_object_get(replaced, json_string_value(ref))) {
            json_object_set_new(out, prop, json_string(json_string_value(ref)));
            return;
        }
        if (json_object_size(v) == 1 && json_is_array(ga) &&
            json_object_get(replaced, json_string_value(json_array_get(ga, 0)))) {
            char buf[512];
            snprintf(buf, sizeof(buf), "%s.%s", json_string_value(json_array_get(ga, 0)),
                     json_string_value(json_array_get(ga, 1)) ?: "");
            json_object_set_new(out, prop, json_string(buf));
            return;
        }
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) find_refs(m, prop, replaced, out);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) find_refs(m, prop, replaced, out);
    }
}

static json_t *simple_change(const char *action, const char *l, const char *pid, const char *type)
{
    json_t *rc = json_object();
    json_object_set_new(rc, "Action", json_string(action));
    json_object_set_new(rc, "LogicalResourceId", json_string(l));
    if (pid)
        json_object_set_new(rc, "PhysicalResourceId", json_string(pid));
    json_object_set_new(rc, "ResourceType", json_string(type));
    if (str_eq(action, "Remove"))
        json_object_set_new(rc, "PolicyAction", json_string("Delete"));
    json_object_set_new(rc, "Scope", json_array());
    json_object_set_new(rc, "Details", json_array());
    return rc;
}

/* The Changes list of applying template t with values to the stack (stack_id "" for a new
 * stack). New array, NULL after call_fail. */
static json_t *compute_changes(struct call *c, const char *stack_name, const char *stack_id,
                               const json_t *t, const json_t *values)
{
    struct cs_env env = {.c = c, .stack_id = stack_id, .replaced = json_object()};
    struct cfn_ctx x;
    memset(&x, 0, sizeof(x));
    x.region = c->region;
    x.account = c->account;
    x.stack_name = stack_name;
    x.stack_id = stack_id;
    x.tmpl = t;
    x.params = values;
    x.ud = &env;
    x.ref = cs_ref;
    x.getatt = cs_getatt;
    x.import_value = cs_import;
    struct cfn_err e;
    json_t *order = NULL, *changes = json_array(), *seen = json_object();
    if (cfn_conditions_eval(&x, &e) || cfn_graph_order(t, &order, &e)) {
        call_fail(c, 400, "ValidationError", "%s", e.msg);
        json_decref(changes);
        changes = NULL;
        goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(order, i, v)
    {
        const char *l = json_string_value(v);
        const json_t *def = json_object_get(json_object_get(t, "Resources"), l);
        bool on = false;
        if (cfn_def_enabled(&x, def, &on, &e) || !on)
            continue;
        json_object_set_new(seen, l, json_true());
        const char *type = json_string_value(json_object_get(def, "Type"));
        struct cfn_row old;
        int have = stack_id[0] ? cfn_row_load(c->st, stack_id, l, &old) : 1;
        if (have < 0) {
            cfn_row_free(&old);
            call_fail(c, 500, "InternalFailure", NULL);
            json_decref(changes);
            changes = NULL;
            goto out;
        }
        if (have == 1 || str_eq(old.status, "DELETE_COMPLETE")) {
            json_t *ch = simple_change("Add", l, NULL, type);
            json_array_append_new(changes, json_pack("{s:s, s:o}", "Type", "Resource",
                                                     "ResourceChange", ch));
            cfn_row_free(&old);
            continue;
        }
        const json_t *pdef = json_object_get(def, "Properties");
        json_t *refs = json_object(), *props = json_object();
        const char *pk;
        json_t *pv;
        json_object_foreach((json_t *)pdef, pk, pv)
        {
            find_refs(pv, pk, env.replaced, refs);
            json_t *ev = NULL;
            if (cfn_eval(&x, pv, &ev, &e) == 0) {
                if (ev)
                    json_object_set_new(props, pk, ev);
            } else { /* known only once its references are made: differs from the old value */
                json_object_set(props, pk, pv);
            }
        }
        json_t *ch = modify_change(&old, l, type, props, refs, &env);
        if (ch)
            json_array_append_new(changes, json_pack("{s:s, s:o}", "Type", "Resource",
                                                     "ResourceChange", ch));
        json_decref(props);
        json_decref(refs);
        cfn_row_free(&old);
    }
    if (stack_id[0]) {
        json_t *rows = cfn_rows_list(c->st, stack_id, NULL, NULL);
        json_array_foreach(rows, i, v)
        {
            const char *l = json_string_value(json_object_get(v, "logical_id"));
            if (json_object_get(seen, l) ||
                str_eq(json_string_value(json_object_get(v, "status")), "DELETE_COMPLETE"))
                continue;
            json_t *ch = simple_change("Remove", l,
                                       json_string_value(json_object_get(v, "physical_id")),
                                       json_string_value(json_object_get(v, "type")));
            json_array_append_new(changes, json_pack("{s:s, s:o}", "Type", "Resource",
                                                     "ResourceChange", ch));
        }
        json_decref(rows);
    }
out:
    json_decref(x.conditions);
    json_decref(order);
    json_decref(seen);
    json_decref(env.replaced);
    return changes;
}

/* ---------------------------------------------------------------- finding a change set */

static bool is_arn(const char *s)
{
    return s && str_startswith(s, "arn:");
}

/* The change set record of s named name (a name or an id), or NULL. */
static json_t *cs_in(const struct cfn_stack *s, const char *name)
{
    json_t *all = json_object_get(s->doc, "changesets");
    if (!is_arn(name))
        return json_object_get(all, name);
    const char *k;
    json_t *cs;
    json_object_foreach(all, k, cs) if (str_eq(in_str(cs, "id"), name)) return cs;
    return NULL;
}

/* Loads the stack and change set the input names. 0, or -1 after call_fail. */
static int cs_find(struct call *c, const json_t *in, struct cfn_stack *s, json_t **cs)
{
    const char *name = in_str(in, CFN_IN_ChangeSetName);
    const char *stack = in_str(in, CFN_IN_StackName);
    memset(s, 0, sizeof(*s));
    if (!stack && !is_arn(name))
        return call_fail(c, 400, "ValidationError",
                         "StackName must be specified if ChangeSetName is not specified as an"
                         " ARN.");
    if (stack) {
        int lr = cfn_stack_load(c->st, c->region, stack, s);
        if (lr < 0)
            return call_fail(c, 500, "InternalFailure", NULL);
        if (lr == 0 && (*cs = cs_in(s, name)))
            return 0;
        if (lr == 0)
            cfn_stack_free(s);
        memset(s, 0, sizeof(*s));
        return call_fail(c, 400, "ChangeSetNotFound", "ChangeSet [%s] does not exist", name);
    }
    json_t *ids = cfn_stack_ids(c->st, c->region, true);
    if (!ids)
        return call_fail(c, 500, "InternalFailure", NULL);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (cfn_stack_load(c->st, c->region, json_string_value(v), s) != 0)
            continue;
        if ((*cs = cs_in(s, name))) {
            json_decref(ids);
            return 0;
        }
        cfn_stack_free(s);
    }
    json_decref(ids);
    memset(s, 0, sizeof(*s));
    return call_fail(c, 400, "ChangeSetNotFound", "ChangeSet [%s] does not exist", name);
}

/* The execution status of a change set from its own state and its stack's. */
static const char *exec_status(const struct cfn_stack *s, const json_t *cs)
{
    if (str_eq(in_str(cs, "status"), "FAILED"))
        return "UNAVAILABLE";
    if (!json_is_true(json_object_get(cs, "executed")))
        return "AVAILABLE";
    if (str_endswith(s->status, "_IN_PROGRESS"))
        return "EXECUTE_IN_PROGRESS";
    if (str_eq(s->status, "CREATE_COMPLETE") || str_eq(s->status, "UPDATE_COMPLETE"))
        return "EXECUTE_COMPLETE";
    return "EXECUTE_FAILED";
}

/* ---------------------------------------------------------------- CreateChangeSet */

static bool tags_equal(const json_t *a, const json_t *b)
{
    if (!json_array_size(a) && !json_array_size(b))
        return true;
    return a && b && json_equal(a, b);
}

/* The operation's input as CreateStack / UpdateStack take it (same member names). */
static json_t *op_input(const json_t *in, const char *stack_name)
{
    static const char *const keep[] = {CFN_IN_TemplateBody, "UsePreviousTemplate",
                                       CFN_IN_Parameters,   "Capabilities",
                                       "RoleARN",           "NotificationARNs",
                                       "Tags",              "RollbackConfiguration"};
    json_t *o = json_object();
    json_object_set_new(o, "StackName", json_string(stack_name));
    for (size_t i = 0; i < ARRAY_LEN(keep); i++) {
        json_t *v = json_object_get(in, keep[i]);
        if (v)
            json_object_set(o, keep[i], v);
    }
    return o;
}

/* CreateChangeSet handler. */
int cfn_create_change_set(struct call *c, const json_t *in, struct out *o)
{
    int rc = -1;
    json_t *t = NULL, *old_t = NULL, *given = NULL, *use_prev = NULL, *values = NULL, *raw = NULL;
    json_t *changes = NULL;
    struct cfn_stack s;
    memset(&s, 0, sizeof(s));
    bool have_stack = false;
    const char *stack = in_str(in, CFN_M_CreateChangeSetInput_StackName);
    const char *name = in_str(in, CFN_M_CreateChangeSetInput_ChangeSetName);
    const char *type = in_str(in, CFN_M_CreateChangeSetInput_ChangeSetType);
    if (!type)
        type = "UPDATE";
    if (!valid_name(name)) {
        call_fail(c, 400, "ValidationError",
                  "1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy"
                  " constraint: Member must satisfy regular expression pattern:"
                  " [a-zA-Z][-a-zA-Z0-9]*",
                  name ? name : "");
        goto out;
    }
    if (str_eq(type, "IMPORT")) {
        call_fail(c, 400, "ValidationError", /* inferred */
                  "ChangeSetType IMPORT is not supported by recoverlab");
        goto out;
    }
    int lr = cfn_stack_load(c->st, c->region, stack, &s);
    if (lr < 0) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    have_stack = lr == 0;
    if (str_eq(type, "CREATE")) {
        if (have_stack && !str_eq(s.status, "REVIEW_IN_PROGRESS")) {
            call_fail(c, 400, "ValidationError",
                      "Stack [%s] already exists and cannot be created again with the changeSet"
                      " [%s].",
                      s.name, name);
            goto out;
        }
        if (!have_stack && (!stack || str_startswith(stack, "arn:"))) {
            call_fail(c, 400, "ValidationError",
                      "1 validation error detected: Value '%s' at 'stackName' failed to satisfy"
                      " constraint: Member must satisfy regular expression pattern:"
                      " [a-zA-Z][-a-zA-Z0-9]*",
                      stack ? stack : "");
            goto out;
        }
    } else {
        if (!have_stack) {
            call_fail(c, 400, "ValidationError", "Stack [%s] does not exist", stack);
            goto out;
        }
        if (!cfn_stack_updatable(s.status)) {
            call_fail(c, 400, "ValidationError",
                      "Stack:%s is in %s state and can not be updated.", s.stack_id, s.status);
            goto out;
        }
    }
    if (have_stack && json_object_get(json_object_get(s.doc, "changesets"), name)) {
        call_fail(c, 400, "AlreadyExistsException", "ChangeSet %s already exists", /* inferred */
                  name);
        goto out;
    }
    bool update = str_eq(type, "UPDATE");
    bool use_prev_t =
        update && json_is_true(json_object_get(in, CFN_M_CreateChangeSetInput_UsePreviousTemplate));
    const char *body = cfn_stack_body(c, in, use_prev_t);
    if (!body)
        goto out;
    const char *old_body = have_stack ? json_string_value(json_object_get(s.doc, "body")) : NULL;
    if (use_prev_t)
        body = old_body ? old_body : "";
    cfn_stack_split_params(in, &given, &use_prev);
    if (!(t = cfn_stack_template(c, body, given)))
        goto out;
    if (cfn_stack_params(c, have_stack ? s.name : stack, have_stack ? s.stack_id : NULL, t, given,
                         update ? json_object_get(s.doc, "raw") : NULL, update ? use_prev : NULL,
                         &values, &raw))
        goto out;
    if (cfn_stack_capabilities(c, t, json_object_get(in, CFN_M_CreateChangeSetInput_Capabilities)))
        goto out;
    changes = compute_changes(c, have_stack ? s.name : stack, update ? s.stack_id : "", t, values);
    if (!changes)
        goto out;
    bool empty = false;
    if (update) {
        struct cfn_err e;
        old_t = old_body ? cfn_template_load(old_body, strlen(old_body), &e) : NULL;
        if (old_t && cfn_template_transform(old_t, json_object_get(s.doc, "raw"), &e)) {
            json_decref(old_t);
            old_t = NULL;
        }
        const json_t *tags = json_object_get(in, CFN_M_CreateChangeSetInput_Tags);
        empty = old_t && json_equal(old_t, t) &&
                json_equal(values, json_object_get(s.doc, "params")) &&
                (!tags || tags_equal(tags, json_object_get(s.doc, "tags"))) &&
                json_array_size(changes) == 0;
    }
    if (!have_stack) {
        char uuid[37];
        uuid4(uuid);
        snprintf(s.stack_id, sizeof(s.stack_id), "arn:aws:cloudformation:%s:%s:stack/%s/%s",
                 c->region, c->account, stack, uuid);
        snprintf(s.name, sizeof(s.name), "%s", stack);
        snprintf(s.region, sizeof(s.region), "%s", c->region);
        snprintf(s.account, sizeof(s.account), "%s", c->account);
        s.created_ms = c->now_ms;
        s.doc = json_object();
        json_object_set_new(s.doc, "body", json_string(body));
        json_object_set(s.doc, "raw", raw);
        json_object_set(s.doc, "params", values);
        json_object_set_new(s.doc, "noecho", cfn_stack_no_echo(t));
        cfn_stack_set_status(&s, "REVIEW_IN_PROGRESS", "User Initiated");
        if (cfn_stack_save(c->st, &s) ||
            cfn_event_add(c->st, &s, c->now_ms, NULL, NULL, NULL, "REVIEW_IN_PROGRESS",
                          "User Initiated", NULL)) {
            call_fail(c, 500, "InternalFailure", NULL);
            goto out;
        }
    }
    char uuid[37];
    uuid4(uuid);
    json_t *cs = json_object();
    json_object_set_new(cs, "id",
                        json_sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%s", c->region,
                                     c->account, name, uuid));
    json_object_set_new(cs, "name", json_string(name));
    json_object_set_new(cs, "type", json_string(type));
    json_object_set_new(cs, "created_ms", json_integer(c->now_ms));
    json_object_set_new(cs, "status", json_string(empty ? "FAILED" : "CREATE_COMPLETE"));
    if (empty)
        json_object_set_new(cs, "reason", json_string(NO_CHANGES));
    const char *desc = in_str(in, CFN_M_CreateChangeSetInput_Description);
    if (desc)
        json_object_set_new(cs, "description", json_string(desc));
    json_object_set_new(cs, "in", op_input(in, s.name));
    json_object_set(cs, "raw", raw);
    json_object_set_new(cs, "noecho", cfn_stack_no_echo(t));
    json_object_set(cs, "changes", changes);
    json_t *all = json_object_get(s.doc, "changesets");
    if (!all) {
        all = json_object();
        json_object_set_new(s.doc, "changesets", all);
    }
    json_object_set_new(all, name, cs);
    if (cfn_stack_save(c->st, &s)) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    out_str(o, "Id", in_str(cs, "id"));
    out_str(o, "StackId", s.stack_id);
    rc = 0;
out:
    json_decref(t);
    json_decref(old_t);
    json_decref(given);
    json_decref(use_prev);
    json_decref(values);
    json_decref(raw);
    json_decref(changes);
    cfn_stack_free(&s);
    return rc;
}

/* ---------------------------------------------------------------- DescribeChangeSet */

static void out_str_list(struct out *o, const char *member, const json_t *arr)
{
    out_begin(o, member);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) out_str(o, NULL, json_string_value(v));
    out_end(o);
}

/* DescribeChangeSet handler (every change on one page). */
int cfn_describe_change_set(struct call *c, const json_t *in, struct out *o)
{
    struct cfn_stack s;
    json_t *cs = NULL;
    if (cs_find(c, in, &s, &cs))
        return -1;
    const json_t *op = json_object_get(cs, "in");
    out_str(o, "ChangeSetName", in_str(cs, "name"));
    out_str(o, "ChangeSetId", in_str(cs, "id"));
    out_str(o, "StackId", s.stack_id);
    out_str(o, "StackName", s.name);
    if (in_str(cs, "description"))
        out_str(o, "Description", in_str(cs, "description"));
    const json_t *raw = json_object_get(cs, "raw");
    if (json_object_size(raw)) {
        out_begin(o, "Parameters");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)raw, k, v)
        {
            out_begin(o, NULL);
            out_str(o, "ParameterKey", k);
            bool hide = json_is_true(json_object_get(json_object_get(cs, "noecho"), k));
            out_str(o, "ParameterValue", hide ? "****" : json_string_value(v));
            out_end(o);
        }
        out_end(o);
    }
    out_time(o, "CreationTime", json_integer_value(json_object_get(cs, "created_ms")));
    out_str(o, "ExecutionStatus", exec_status(&s, cs));
    out_str(o, "Status", in_str(cs, "status"));
    if (in_str(cs, "reason"))
        out_str(o, "StatusReason", in_str(cs, "reason"));
    out_str_list(o, "NotificationARNs", json_object_get(op, "NotificationARNs"));
    out_begin(o, "RollbackConfiguration");
    out_end(o);
    if (json_array_size(json_object_get(op, "Capabilities")))
        out_str_list(o, "Capabilities", json_object_get(op, "Capabilities"));
    out_begin(o, "Tags");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(op, "Tags"), i, v)
    {
        out_begin(o, NULL);
        out_str(o, "Key", in_str(v, "Key"));
        out_str(o, "Value", in_str(v, "Value"));
        out_end(o);
    }
    out_end(o);
    out_json(o, "Changes", json_object_get(cs, "changes"));
    out_bool(o, "IncludeNestedStacks", false);
    cfn_stack_free(&s);
    return 0;
}

/* ---------------------------------------------------------------- ExecuteChangeSet */

/* ExecuteChangeSet handler: the stored operation, as CreateStack / UpdateStack. */
int cfn_execute_change_set(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct cfn_stack s;
    json_t *cs = NULL;
    if (cs_find(c, in, &s, &cs))
        return -1;
    int rc = -1;
    const char *es = exec_status(&s, cs);
    if (!str_eq(es, "AVAILABLE")) {
        call_fail(c, 400, "InvalidChangeSetStatus",
                  "ChangeSet [%s] cannot be executed in its current status of [%s]",
                  in_str(cs, "id"), str_eq(es, "UNAVAILABLE") ? in_str(cs, "status") : es);
        goto out;
    }
    json_t *op = json_deep_copy(json_object_get(cs, "in"));
    json_t *dr = json_object_get(in, CFN_M_ExecuteChangeSetInput_DisableRollback);
    if (dr)
        json_object_set(op, "DisableRollback", dr);
    const char *tok = in_str(in, CFN_M_ExecuteChangeSetInput_ClientRequestToken);
    if (tok)
        json_object_set_new(op, "ClientRequestToken", json_string(tok));
    json_object_set_new(op, "StackName", json_string(s.stack_id));
    bool create = str_eq(in_str(cs, "type"), "CREATE");
    int r = create ? cfn_stack_create_from(c, op, &s, NULL) : cfn_stack_update_from(c, op, NULL);
    json_decref(op);
    if (r)
        goto out;
    /* the stack as the operation saved it: this change set executed, the others go (AWS
     * removes a stack's other change sets when one is executed) */
    char id[400], name[160];
    snprintf(id, sizeof(id), "%s", s.stack_id);
    snprintf(name, sizeof(name), "%s", in_str(cs, "name"));
    json_t *mine = json_incref(cs);
    cfn_stack_free(&s);
    if (cfn_stack_load(c->st, c->region, id, &s)) {
        json_decref(mine);
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    json_object_set_new(mine, "executed", json_true());
    json_t *all = json_object();
    json_object_set_new(all, name, mine);
    json_object_set_new(s.doc, "changesets", all);
    if (cfn_stack_save(c->st, &s)) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    rc = 0;
out:
    cfn_stack_free(&s);
    return rc;
}

/* ---------------------------------------------------------------- DeleteChangeSet */

/* DeleteChangeSet handler. */
int cfn_delete_change_set(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    struct cfn_stack s;
    json_t *cs = NULL;
    if (cs_find(c, in, &s, &cs))
        return -1;
    int rc = -1;
    const char *es = exec_status(&s, cs);
    if (str_eq(es, "EXECUTE_IN_PROGRESS")) {
        call_fail(c, 400, "InvalidChangeSetStatus", /* inferred */
                  "ChangeSet [%s] cannot be deleted in its current status of [%s]",
                  in_str(cs, "id"), es);
        goto out;
    }
    json_object_del(json_object_get(s.doc, "changesets"), in_str(cs, "name"));
    if (cfn_stack_save(c->st, &s)) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    rc = 0;
out:
    cfn_stack_free(&s);
    return rc;
}

/* ---------------------------------------------------------------- ListChangeSets */

/* ListChangeSets handler (one page). */
int cfn_list_change_sets(struct call *c, const json_t *in, struct out *o)
{
    struct cfn_stack s;
    const char *stack = in_str(in, CFN_M_ListChangeSetsInput_StackName);
    int lr = cfn_stack_load(c->st, c->region, stack, &s);
    if (lr < 0)
        return call_fail(c, 500, "InternalFailure", NULL);
    if (lr)
        return call_fail(c, 400, "ValidationError", "Stack [%s] does not exist", stack);
    out_begin(o, "Summaries");
    const char *k;
    json_t *cs;
    json_object_foreach(json_object_get(s.doc, "changesets"), k, cs)
    {
        out_begin(o, NULL);
        out_str(o, "StackId", s.stack_id);
        out_str(o, "StackName", s.name);
        out_str(o, "ChangeSetId", in_str(cs, "id"));
        out_str(o, "ChangeSetName", in_str(cs, "name"));
        out_str(o, "ExecutionStatus", exec_status(&s, cs));
        out_str(o, "Status", in_str(cs, "status"));
        if (in_str(cs, "reason"))
            out_str(o, "StatusReason", in_str(cs, "reason"));
        out_time(o, "CreationTime", json_integer_value(json_object_get(cs, "created_ms")));
        if (in_str(cs, "description"))
            out_str(o, "Description", in_str(cs, "description"));
        out_bool(o, "IncludeNestedStacks", false);
        out_end(o);
    }
    out_end(o);
    cfn_stack_free(&s);
    return 0;
}

/* ---------------------------------------------------------------- exports and imports */

/* ListExports handler (one page). */
int cfn_list_exports(struct call *c, const json_t *in, struct out *o)
{
    (void)in;
    json_t *rows = cfn_exports_list(c->st, c->region);
    if (!rows)
        return call_fail(c, 500, "InternalFailure", NULL);
    out_begin(o, "Exports");
    size_t i;
    json_t *v;
    json_array_foreach(rows, i, v)
    {
        out_begin(o, NULL);
        out_str(o, "ExportingStackId", in_str(v, "stack_id"));
        out_str(o, "Name", in_str(v, "name"));
        out_str(o, "Value", in_str(v, "value"));
        out_end(o);
    }
    out_end(o);
    json_decref(rows);
    return 0;
}

/* ListImports handler (one page). */
int cfn_list_imports(struct call *c, const json_t *in, struct out *o)
{
    const char *name = in_str(in, CFN_M_ListImportsInput_ExportName);
    json_t *rows = cfn_imports_list(c->st, c->region, name ? name : "");
    if (!rows)
        return call_fail(c, 500, "InternalFailure", NULL);
    if (!json_array_size(rows)) {
        json_decref(rows);
        return call_fail(c, 400, "ValidationError", "Export '%s' is not imported by any stack.",
                         name ? name : "");
    }
    out_begin(o, "Imports");
    size_t i;
    json_t *v;
    json_array_foreach(rows, i, v) out_str(o, NULL, in_str(v, "importer"));
    out_end(o);
    json_decref(rows);
    return 0;
}
