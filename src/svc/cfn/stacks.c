/*
 * stacks.c — the CloudFormation stack operations: CreateStack, UpdateStack, DeleteStack
 * (they validate, record the operation's principal and start the engine, returning at
 * once), DescribeStacks, DescribeStackEvents, DescribeStackResource(s), ListStacks,
 * ListStackResources, GetTemplate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/cfn/ops.h"
#include "svc/iam/authz.h"
#include "svc/iam/iam.h"
#include "svc/module.h"
#include "svc/sts/sts.h"
#include "svc/svc.h"
#include "wire/models/cloudformation_members.h"

#define PAGE 100 /* items per page of the paged lists (inferred) */

static const char *in_str(const json_t *in, const char *m)
{
    return json_string_value(json_object_get(in, m));
}

static int not_found(struct call *c, const char *name)
{
    return call_fail(c, 400, "ValidationError", "Stack with id %s does not exist", name);
}

/* Loads the stack named by in.StackName: 0, or -1 after call_fail. */
static int load_named(struct call *c, const json_t *in, struct cfn_stack *s)
{
    const char *name = in_str(in, CFN_IN_StackName);
    if (!name)
        return call_fail(c, 400, "ValidationError", "Stack name must be specified"); /* inferred */
    int rc = cfn_stack_load(c->st, c->region, name, s);
    if (rc == 1)
        return not_found(c, name);
    if (rc)
        return call_fail(c, 500, "InternalFailure", NULL);
    return 0;
}

/* ---------------------------------------------------------------- template and params */

/* The TemplateBody (TemplateURL refused). NULL after call_fail. */
static const char *body_of(struct call *c, const json_t *in, bool optional)
{
    const json_t *body = json_object_get(in, CFN_IN_TemplateBody);
    if (json_object_get(in, CFN_IN_TemplateURL))
        return call_fail(c, 400, "ValidationError", /* inferred: the lab has no S3 */
                         "TemplateURL is not supported by recoverlab (no S3): pass the template"
                         " with TemplateBody"),
               NULL;
    if (!json_is_string(body)) {
        if (optional)
            return "";
        return call_fail(c, 400, "ValidationError",
                         "Either Template URL or Template Body must be specified."),
               NULL;
    }
    if (json_string_length(body) > CFN_MAX_INLINE_BODY)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value at 'templateBody' failed to satisfy"
                         " constraint: Member must have length less than or equal to %d",
                         CFN_MAX_INLINE_BODY),
               NULL;
    return json_string_value(body);
}

/* Loads and validates a template body. NULL after call_fail. */
static json_t *load_template(struct call *c, const char *body)
{
    struct cfn_err e;
    json_t *t = cfn_template_load(body, strlen(body), &e);
    if (!t || cfn_template_validate(t, &e) || cfn_params_check_decls(t, &e)) {
        json_decref(t);
        call_fail(c, 400, "ValidationError", "%s", e.msg);
        return NULL;
    }
    return t;
}

bool cfn_resource_named(const json_t *def)
{
    const struct cfn_provider *p =
        svc_provider_find(json_string_value(json_object_get(def, "Type")));
    const char *np = p ? p->name_prop : NULL;
    return np && json_object_get(json_object_get(def, "Properties"), np);
}

/* InsufficientCapabilitiesException when IAM resources lack their capability. */
static int check_capabilities(struct call *c, const json_t *t, const json_t *caps)
{
    bool iam = false, named = false;
    const char *k;
    json_t *def;
    json_object_foreach(json_object_get(t, "Resources"), k, def)
    {
        const char *type = json_string_value(json_object_get(def, "Type"));
        if (!cfn_resource_type_is_iam(type))
            continue;
        iam = true;
        named = named || cfn_resource_named(def);
    }
    bool has_iam = false, has_named = false;
    size_t i;
    json_t *v;
    json_array_foreach(caps, i, v)
    {
        has_iam |= str_eq(json_string_value(v), "CAPABILITY_IAM");
        has_named |= str_eq(json_string_value(v), "CAPABILITY_NAMED_IAM");
    }
    if (named && !has_named)
        return call_fail(c, 400, "InsufficientCapabilitiesException",
                         "Requires capabilities : [CAPABILITY_NAMED_IAM]");
    if (iam && !has_iam && !has_named)
        return call_fail(c, 400, "InsufficientCapabilitiesException",
                         "Requires capabilities : [CAPABILITY_IAM]");
    return 0;
}

/* Parameters input -> given (name -> value) and use_previous (names). */
static void split_params(const json_t *in, json_t **given, json_t **use_prev)
{
    *given = json_object();
    *use_prev = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(in, CFN_IN_Parameters), i, p)
    {
        const char *k = in_str(p, CFN_M_Parameter_ParameterKey);
        if (!k)
            continue;
        if (json_is_true(json_object_get(p, CFN_M_Parameter_UsePreviousValue)))
            json_array_append_new(*use_prev, json_string(k));
        else if (in_str(p, CFN_M_Parameter_ParameterValue))
            json_object_set_new(*given, k, json_string(in_str(p, CFN_M_Parameter_ParameterValue)));
    }
}

/* Names of the NoEcho parameters (DescribeStacks shows them as ****). */
static json_t *no_echo_names(const json_t *t)
{
    json_t *o = json_object();
    const char *k;
    json_t *decl;
    json_object_foreach(json_object_get(t, "Parameters"), k, decl)
    {
        const json_t *ne = json_object_get(decl, "NoEcho");
        bool on = false;
        if (ne && cfn_to_bool(ne, &on) == 0 && on)
            json_object_set_new(o, k, json_true());
    }
    return o;
}

/* ---------------------------------------------------------------- the principal */

/*
 * The operation's principal: the caller (a forward-access session of it: same principal),
 * or a session of the service role role_arn after the checks AWS makes (role exists and
 * trusts CloudFormation; when pass_role, i.e. the request names it, the caller may
 * iam:PassRole it — a role kept with the stack is used without). Stores who/key in op.
 */
static int op_principal(struct call *c, const char *role_arn, bool pass_role, json_t *op)
{
    struct principal who = c->who;
    if (role_arn) {
        struct iam_role role;
        int rc = iam_role_get_by_arn(c->st, c->a, role_arn, &role);
        if (rc < 0)
            return call_fail(c, 500, "InternalFailure", NULL);
        if (rc == 1 || !sts_role_trusts_service(&role, CFN_SERVICE, c->now_ms))
            return call_fail(c, 400, "ValidationError", "Role %s is invalid or cannot be assumed",
                             role_arn);
        if (pass_role && authz_check(c, &c->who, "iam:PassRole", role.arn, NULL))
            return -1;
        struct sts_credentials cr;
        if (sts_issue_role_credentials(c->st, c->account, &role, CFN_ROLE_SESSION, c->now_ms,
                                       STS_ROLE_DEFAULT_S, &cr))
            return call_fail(c, 500, "InternalFailure", NULL);
        memset(&who, 0, sizeof(who));
        who.kind = PRINCIPAL_ROLE_SESSION;
        who.temporary = true;
        snprintf(who.account, sizeof(who.account), "%s", c->account);
        snprintf(who.arn, sizeof(who.arn), "%s", cr.arn);
        snprintf(who.user_id, sizeof(who.user_id), "%s", cr.assumed_role_id);
        snprintf(who.name, sizeof(who.name), "%s", role.name);
        snprintf(who.session_name, sizeof(who.session_name), "%s", CFN_ROLE_SESSION);
        snprintf(who.access_key_id, sizeof(who.access_key_id), "%s", cr.access_key_id);
        who.expires_ms = cr.expires_ms;
    }
    char *pj = principal_to_json(&who);
    if (!pj)
        return call_fail(c, 500, "InternalFailure", NULL);
    json_object_set_new(op, "who", json_string(pj));
    json_object_set_new(op, "key", json_string(who.access_key_id));
    free(pj);
    return 0;
}

static json_t *new_op(const json_t *in)
{
    json_t *op = json_object();
    const char *tok = in_str(in, CFN_IN_ClientRequestToken);
    if (tok)
        json_object_set_new(op, "token", json_string(tok));
    return op;
}

/* ---------------------------------------------------------------- CreateStack */

/* CreateStack handler. */
int cfn_create_stack(struct call *c, const json_t *in, struct out *o)
{
    int rc = -1;
    json_t *t = NULL, *given = NULL, *use_prev = NULL, *values = NULL, *raw = NULL, *op = NULL;
    struct cfn_stack s;
    memset(&s, 0, sizeof(s));
    const char *name = in_str(in, CFN_M_CreateStackInput_StackName);
    if (!name || str_startswith(name, "arn:")) {
        call_fail(c, 400, "ValidationError",
                  "1 validation error detected: Value '%s' at 'stackName' failed to satisfy"
                  " constraint: Member must satisfy regular expression pattern:"
                  " [a-zA-Z][-a-zA-Z0-9]*",
                  name ? name : "");
        goto out;
    }
    struct cfn_stack ex;
    int lr = cfn_stack_load(c->st, c->region, name, &ex);
    if (lr == 0) {
        /* a retry of the same request (same ClientRequestToken) answers the same stack */
        const char *tok = in_str(in, CFN_M_CreateStackInput_ClientRequestToken);
        bool retry = tok && str_eq(tok, in_str(ex.doc, "create_token"));
        if (retry)
            out_str(o, "StackId", ex.stack_id);
        else
            call_fail(c, 400, "AlreadyExistsException", "Stack [%s] already exists", name);
        cfn_stack_free(&ex);
        rc = retry ? 0 : -1;
        goto out;
    }
    if (lr < 0) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    const char *body = body_of(c, in, false);
    if (!body || !(t = load_template(c, body)))
        goto out;
    split_params(in, &given, &use_prev);
    if (cfn_stack_params(c, name, NULL, t, given, NULL, NULL, &values, &raw))
        goto out;
    if (check_capabilities(c, t, json_object_get(in, CFN_M_CreateStackInput_Capabilities)))
        goto out;
    const char *onf = in_str(in, CFN_M_CreateStackInput_OnFailure);
    bool disable = json_is_true(json_object_get(in, CFN_M_CreateStackInput_DisableRollback));
    if (onf && json_object_get(in, CFN_M_CreateStackInput_DisableRollback)) {
        call_fail(c, 400, "ValidationError", /* inferred */
                  "You cannot specify both DisableRollback and OnFailure.");
        goto out;
    }
    if (!onf)
        onf = disable ? "DO_NOTHING" : "ROLLBACK";
    op = new_op(in);
    const char *role_arn = in_str(in, CFN_M_CreateStackInput_RoleARN);
    if (op_principal(c, role_arn, true, op))
        goto out;

    char uuid[37];
    uuid4(uuid);
    snprintf(s.stack_id, sizeof(s.stack_id), "arn:aws:cloudformation:%s:%s:stack/%s/%s", c->region,
             c->account, name, uuid);
    snprintf(s.name, sizeof(s.name), "%s", name);
    snprintf(s.region, sizeof(s.region), "%s", c->region);
    snprintf(s.account, sizeof(s.account), "%s", c->account);
    s.created_ms = c->now_ms;
    s.doc = json_object();
    json_object_set_new(s.doc, "body", json_string(body));
    json_object_set(s.doc, "params", values);
    json_object_set(s.doc, "raw", raw);
    json_object_set_new(s.doc, "noecho", no_echo_names(t));
    const char *desc = json_string_value(json_object_get(t, "Description"));
    if (desc)
        json_object_set_new(s.doc, "description", json_string(desc));
    json_object_set_new(s.doc, "tags",
                        json_deep_copy(json_object_get(in, CFN_M_CreateStackInput_Tags)));
    json_object_set_new(s.doc, "caps",
                        json_deep_copy(json_object_get(in, CFN_M_CreateStackInput_Capabilities)));
    json_object_set_new(
        s.doc, "notification_arns",
        json_deep_copy(json_object_get(in, CFN_M_CreateStackInput_NotificationARNs)));
    if (role_arn)
        json_object_set_new(s.doc, "role_arn", json_string(role_arn));
    json_object_set_new(s.doc, "on_failure", json_string(onf));
    if (in_str(in, CFN_M_CreateStackInput_ClientRequestToken))
        json_object_set_new(s.doc, "create_token",
                            json_string(in_str(in, CFN_M_CreateStackInput_ClientRequestToken)));
    json_object_set_new(s.doc, "disable_rollback", json_boolean(str_eq(onf, "DO_NOTHING")));
    json_object_set_new(s.doc, "termination_protection",
                        json_boolean(json_is_true(json_object_get(
                            in, CFN_M_CreateStackInput_EnableTerminationProtection))));
    json_object_set(s.doc, "op", op);
    cfn_stack_set_status(&s, "CREATE_IN_PROGRESS", "User Initiated");
    if (cfn_stack_save(c->st, &s) ||
        cfn_event_add(c->st, &s, c->now_ms, NULL, NULL, NULL, "CREATE_IN_PROGRESS",
                      "User Initiated", NULL) ||
        cfn_engine_start(c->st, &s, c->now_ms)) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    out_str(o, "StackId", s.stack_id);
    rc = 0;
out:
    json_decref(t);
    json_decref(given);
    json_decref(use_prev);
    json_decref(values);
    json_decref(raw);
    json_decref(op);
    cfn_stack_free(&s);
    return rc;
}

/* ---------------------------------------------------------------- UpdateStack */

static bool updatable(const char *status)
{
    return str_eq(status, "CREATE_COMPLETE") || str_eq(status, "UPDATE_COMPLETE") ||
           str_eq(status, "UPDATE_ROLLBACK_COMPLETE");
}

/* UpdateStack handler. */
int cfn_update_stack(struct call *c, const json_t *in, struct out *o)
{
    int rc = -1;
    json_t *t = NULL, *old_t = NULL, *given = NULL, *use_prev = NULL, *values = NULL, *raw = NULL,
           *op = NULL;
    struct cfn_stack s;
    memset(&s, 0, sizeof(s));
    if (load_named(c, in, &s))
        goto out;
    if (!updatable(s.status)) {
        call_fail(c, 400, "ValidationError", "Stack:%s is in %s state and can not be updated.",
                  s.stack_id, s.status);
        goto out;
    }
    bool use_prev_t = json_is_true(json_object_get(in, CFN_M_UpdateStackInput_UsePreviousTemplate));
    const char *body = body_of(c, in, use_prev_t);
    if (!body)
        goto out;
    if (use_prev_t && body[0]) {
        call_fail(c, 400, "ValidationError", /* inferred */
                  "You cannot specify both usePreviousTemplate and Template Body");
        goto out;
    }
    const char *old_body = json_string_value(json_object_get(s.doc, "body"));
    if (use_prev_t)
        body = old_body;
    if (!(t = load_template(c, body)))
        goto out;
    split_params(in, &given, &use_prev);
    struct cfn_err e;
    if (cfn_stack_params(c, s.name, s.stack_id, t, given, json_object_get(s.doc, "raw"), use_prev,
                         &values, &raw))
        goto out;
    if (check_capabilities(c, t, json_object_get(in, CFN_M_UpdateStackInput_Capabilities)))
        goto out;
    old_t = cfn_template_load(old_body, strlen(old_body), &e);
    const json_t *tags = json_object_get(in, CFN_M_UpdateStackInput_Tags);
    bool same_tags = !tags || json_equal(tags, json_object_get(s.doc, "tags"));
    if (old_t && json_equal(old_t, t) && json_equal(values, json_object_get(s.doc, "params")) &&
        same_tags) {
        call_fail(c, 400, "ValidationError", "No updates are to be performed.");
        goto out;
    }
    const char *role_arn = in_str(in, CFN_M_UpdateStackInput_RoleARN);
    bool pass_role = role_arn != NULL;
    if (!role_arn)
        role_arn = in_str(s.doc, "role_arn");
    op = new_op(in);
    if (op_principal(c, role_arn, pass_role, op))
        goto out;
    /* what an update rollback restores */
    json_t *prev = json_object();
    const char *keys[] = {"body", "params", "raw", "noecho", "outputs", "description"};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        json_t *v = json_object_get(s.doc, keys[i]);
        if (v)
            json_object_set(prev, keys[i], v);
    }
    json_t *order = NULL;
    if (old_t && cfn_graph_order(old_t, &order, &e) == 0)
        json_object_set_new(prev, "order", order);
    json_object_set_new(op, "prev", prev);
    json_t *snap = cfn_resources_snapshot(c->st, s.stack_id);
    if (!snap) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    json_object_set_new(prev, "resources", snap);

    json_object_set_new(s.doc, "body", json_string(body));
    json_object_set(s.doc, "params", values);
    json_object_set(s.doc, "raw", raw);
    json_object_set_new(s.doc, "noecho", no_echo_names(t));
    const char *desc = json_string_value(json_object_get(t, "Description"));
    if (desc)
        json_object_set_new(s.doc, "description", json_string(desc));
    else
        json_object_del(s.doc, "description");
    if (tags)
        json_object_set_new(s.doc, "tags", json_deep_copy(tags));
    if (json_object_get(in, CFN_M_UpdateStackInput_Capabilities))
        json_object_set_new(
            s.doc, "caps",
            json_deep_copy(json_object_get(in, CFN_M_UpdateStackInput_Capabilities)));
    if (role_arn)
        json_object_set_new(s.doc, "role_arn", json_string(role_arn));
    json_object_set(s.doc, "op", op);
    s.updated_ms = c->now_ms;
    cfn_stack_set_status(&s, "UPDATE_IN_PROGRESS", "User Initiated");
    if (cfn_stack_save(c->st, &s) ||
        cfn_event_add(c->st, &s, c->now_ms, NULL, NULL, NULL, "UPDATE_IN_PROGRESS",
                      "User Initiated", NULL) ||
        cfn_engine_start(c->st, &s, c->now_ms)) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    out_str(o, "StackId", s.stack_id);
    rc = 0;
out:
    json_decref(t);
    json_decref(old_t);
    json_decref(given);
    json_decref(use_prev);
    json_decref(values);
    json_decref(raw);
    json_decref(op);
    cfn_stack_free(&s);
    return rc;
}

/* ---------------------------------------------------------------- DeleteStack */

/* DeleteStack handler: deleting a stack that does not exist succeeds (as AWS). */
int cfn_delete_stack(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    int rc = -1;
    json_t *op = NULL;
    struct cfn_stack s;
    memset(&s, 0, sizeof(s));
    const char *name = in_str(in, CFN_M_DeleteStackInput_StackName);
    int lr = name ? cfn_stack_load(c->st, c->region, name, &s) : 1;
    if (lr == 1 || (lr == 0 && (str_eq(s.status, "DELETE_COMPLETE") ||
                                str_eq(s.status, "DELETE_IN_PROGRESS")))) {
        rc = 0;
        goto out;
    }
    if (lr < 0) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    if (str_endswith(s.status, "_IN_PROGRESS")) {
        call_fail(c, 400, "ValidationError", /* inferred */
                  "Stack %s is in %s state and can not be deleted.", s.stack_id, s.status);
        goto out;
    }
    if (json_is_true(json_object_get(s.doc, "termination_protection"))) {
        call_fail(c, 400, "ValidationError",
                  "Stack [%s] cannot be deleted while TerminationProtection is enabled", s.name);
        goto out;
    }
    json_t *used = cfn_exports_in_use(c->st, s.stack_id);
    if (!used) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    const json_t *use = json_array_get(used, 0);
    if (use)
        call_fail(c, 400, "ValidationError", "Export %s cannot be deleted as it is in use by %s",
                  in_str(use, "export"), in_str(use, "importer"));
    json_decref(used);
    if (use)
        goto out;
    const char *role_arn = in_str(in, CFN_M_DeleteStackInput_RoleARN);
    bool pass_role = role_arn != NULL;
    if (!role_arn)
        role_arn = in_str(s.doc, "role_arn");
    op = new_op(in);
    if (op_principal(c, role_arn, pass_role, op))
        goto out;
    json_t *q = cfn_engine_delete_queue(c->st, &s);
    if (!q) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    json_object_set_new(op, "q", q);
    json_object_set(s.doc, "op", op);
    cfn_stack_set_status(&s, "DELETE_IN_PROGRESS", "User Initiated");
    if (cfn_stack_save(c->st, &s) ||
        cfn_event_add(c->st, &s, c->now_ms, NULL, NULL, NULL, "DELETE_IN_PROGRESS",
                      "User Initiated", NULL) ||
        cfn_engine_start(c->st, &s, c->now_ms)) {
        call_fail(c, 500, "InternalFailure", NULL);
        goto out;
    }
    rc = 0;
out:
    json_decref(op);
    cfn_stack_free(&s);
    return rc;
}

/* ---------------------------------------------------------------- DescribeStacks */

static void out_drift(struct out *o, const char *member, const char *key)
{
    out_begin(o, member);
    out_str(o, key, "NOT_CHECKED");
    out_end(o);
}

static void out_stack(struct out *o, const struct cfn_stack *s)
{
    out_begin(o, NULL);
    out_str(o, "StackId", s->stack_id);
    out_str(o, "StackName", s->name);
    const char *desc = json_string_value(json_object_get(s->doc, "description"));
    if (desc)
        out_str(o, "Description", desc);
    const json_t *raw = json_object_get(s->doc, "raw");
    if (json_object_size(raw)) {
        out_begin(o, "Parameters");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)raw, k, v)
        {
            out_begin(o, NULL);
            out_str(o, "ParameterKey", k);
            bool hide = json_is_true(json_object_get(json_object_get(s->doc, "noecho"), k));
            out_str(o, "ParameterValue",
                    hide                   ? "****"
                    : json_string_value(v) ? json_string_value(v)
                                           : "");
            out_end(o);
        }
        out_end(o);
    }
    out_time(o, "CreationTime", s->created_ms);
    if (s->deleted_ms)
        out_time(o, "DeletionTime", s->deleted_ms);
    if (s->updated_ms)
        out_time(o, "LastUpdatedTime", s->updated_ms);
    out_str(o, "StackStatus", s->status);
    if (s->reason)
        out_str(o, "StackStatusReason", s->reason);
    out_bool(o, "DisableRollback", json_is_true(json_object_get(s->doc, "disable_rollback")));
    out_begin(o, "NotificationARNs");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(s->doc, "notification_arns"), i, v)
        out_str(o, NULL, json_string_value(v));
    out_end(o);
    const json_t *caps = json_object_get(s->doc, "caps");
    if (json_array_size(caps)) {
        out_begin(o, "Capabilities");
        json_array_foreach(caps, i, v) out_str(o, NULL, json_string_value(v));
        out_end(o);
    }
    const json_t *outs = json_object_get(s->doc, "outputs");
    if (json_array_size(outs))
        out_json(o, "Outputs", outs);
    const char *role = json_string_value(json_object_get(s->doc, "role_arn"));
    if (role)
        out_str(o, "RoleARN", role);
    out_begin(o, "Tags");
    json_array_foreach(json_object_get(s->doc, "tags"), i, v)
    {
        out_begin(o, NULL);
        out_str(o, "Key", json_string_value(json_object_get(v, CFN_M_Tag_Key)));
        out_str(o, "Value", json_string_value(json_object_get(v, CFN_M_Tag_Value)));
        out_end(o);
    }
    out_end(o);
    out_bool(o, "EnableTerminationProtection",
             json_is_true(json_object_get(s->doc, "termination_protection")));
    out_drift(o, "DriftInformation", "StackDriftStatus");
    out_end(o);
}

/* Offset from NextToken (decimal). -1 after call_fail. */
static int64_t page_start(struct call *c, const json_t *in)
{
    const char *tok = in_str(in, CFN_IN_NextToken);
    int64_t v = 0;
    if (tok && (str_to_i64(tok, &v) || v < 0))
        return call_fail(c, 400, "ValidationError", "Invalid NextToken"); /* inferred */
    return v;
}

static void out_next(struct out *o, int64_t next, size_t total)
{
    if ((size_t)next < total) {
        char b[24];
        snprintf(b, sizeof(b), "%lld", (long long)next);
        out_str(o, "NextToken", b);
    }
}

/* DescribeStacks handler. */
int cfn_describe_stacks(struct call *c, const json_t *in, struct out *o)
{
    if (in_str(in, CFN_M_DescribeStacksInput_StackName)) {
        struct cfn_stack s;
        if (load_named(c, in, &s))
            return -1;
        out_begin(o, "Stacks");
        out_stack(o, &s);
        out_end(o);
        cfn_stack_free(&s);
        return 0;
    }
    int64_t start = page_start(c, in);
    if (start < 0)
        return -1;
    json_t *ids = cfn_stack_ids(c->st, c->region, true);
    if (!ids)
        return call_fail(c, 500, "InternalFailure", NULL);
    int rc = 0;
    out_begin(o, "Stacks");
    int64_t i = start;
    for (; (size_t)i < json_array_size(ids) && i < start + PAGE; i++) {
        struct cfn_stack s;
        int lr =
            cfn_stack_load(c->st, c->region, json_string_value(json_array_get(ids, (size_t)i)), &s);
        if (lr < 0) {
            rc = call_fail(c, 500, "InternalFailure", NULL);
            break;
        }
        if (lr == 0) {
            out_stack(o, &s);
            cfn_stack_free(&s);
        }
    }
    out_end(o);
    out_next(o, i, json_array_size(ids));
    json_decref(ids);
    return rc;
}

/* ListStacks handler. */
int cfn_list_stacks(struct call *c, const json_t *in, struct out *o)
{
    int64_t start = page_start(c, in);
    if (start < 0)
        return -1;
    const json_t *filter = json_object_get(in, CFN_M_ListStacksInput_StackStatusFilter);
    json_t *ids = cfn_stack_ids(c->st, c->region, false);
    if (!ids)
        return call_fail(c, 500, "InternalFailure", NULL);
    int rc = 0;
    json_t *sel = json_array();
    size_t i;
    json_t *v;
    out_begin(o, "StackSummaries");
    json_array_foreach(ids, i, v)
    {
        struct cfn_stack s;
        int lr = cfn_stack_load(c->st, c->region, json_string_value(v), &s);
        if (lr < 0) {
            rc = call_fail(c, 500, "InternalFailure", NULL);
            break;
        }
        if (lr)
            continue;
        bool ok = json_array_size(filter) == 0;
        size_t j;
        json_t *f;
        json_array_foreach(filter, j, f)
        {
            if (str_eq(json_string_value(f), s.status))
                ok = true;
        }
        if (ok)
            json_array_append(sel, v);
        if (ok && json_array_size(sel) > (size_t)start &&
            json_array_size(sel) <= (size_t)(start + PAGE)) {
            out_begin(o, NULL);
            out_str(o, "StackId", s.stack_id);
            out_str(o, "StackName", s.name);
            const char *desc = json_string_value(json_object_get(s.doc, "description"));
            if (desc)
                out_str(o, "TemplateDescription", desc);
            out_time(o, "CreationTime", s.created_ms);
            if (s.updated_ms)
                out_time(o, "LastUpdatedTime", s.updated_ms);
            if (s.deleted_ms)
                out_time(o, "DeletionTime", s.deleted_ms);
            out_str(o, "StackStatus", s.status);
            if (s.reason)
                out_str(o, "StackStatusReason", s.reason);
            out_drift(o, "DriftInformation", "StackDriftStatus");
            out_end(o);
        }
        cfn_stack_free(&s);
    }
    out_end(o);
    out_next(o, start + PAGE, json_array_size(sel));
    json_decref(sel);
    json_decref(ids);
    return rc;
}

/* ---------------------------------------------------------------- events */

/* DescribeStackEvents handler: newest first. */
int cfn_describe_stack_events(struct call *c, const json_t *in, struct out *o)
{
    struct cfn_stack s;
    if (load_named(c, in, &s))
        return -1;
    int64_t start = page_start(c, in);
    if (start < 0) {
        cfn_stack_free(&s);
        return -1;
    }
    int64_t total = 0;
    json_t *events = cfn_events_page(c->st, s.stack_id, PAGE, start, &total);
    if (!events) {
        cfn_stack_free(&s);
        return call_fail(c, 500, "InternalFailure", NULL);
    }
    out_begin(o, "StackEvents");
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        out_begin(o, NULL);
        out_str(o, "StackId", s.stack_id);
        out_str(o, "EventId", in_str(ev, "event_id"));
        out_str(o, "StackName", s.name);
        out_str(o, "LogicalResourceId", in_str(ev, "logical_id"));
        if (in_str(ev, "physical_id"))
            out_str(o, "PhysicalResourceId", in_str(ev, "physical_id"));
        out_str(o, "ResourceType", in_str(ev, "type"));
        out_time(o, "Timestamp", json_integer_value(json_object_get(ev, "ts_ms")));
        out_str(o, "ResourceStatus", in_str(ev, "status"));
        if (in_str(ev, "reason"))
            out_str(o, "ResourceStatusReason", in_str(ev, "reason"));
        if (in_str(ev, "props"))
            out_str(o, "ResourceProperties", in_str(ev, "props"));
        if (in_str(ev, "token"))
            out_str(o, "ClientRequestToken", in_str(ev, "token"));
        out_end(o);
    }
    out_end(o);
    out_next(o, start + (int64_t)json_array_size(events), (size_t)total);
    json_decref(events);
    cfn_stack_free(&s);
    return 0;
}

/* ---------------------------------------------------------------- resources */

enum res_shape { RS_RESOURCE, RS_DETAIL, RS_SUMMARY };

/* Writes the stack's resource rows (filtered by logical / physical id, may be NULL).
 * 0, or -1 after call_fail. */
static int out_resources(struct call *c, struct out *o, const struct cfn_stack *s,
                         const char *logical, const char *physical, enum res_shape shape)
{
    json_t *rows = cfn_rows_list(c->st, s->stack_id, logical, physical);
    if (!rows)
        return call_fail(c, 500, "InternalFailure", NULL);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        if (shape != RS_DETAIL)
            out_begin(o, NULL);
        if (shape != RS_SUMMARY) {
            out_str(o, "StackName", s->name);
            out_str(o, "StackId", s->stack_id);
        }
        out_str(o, "LogicalResourceId", in_str(r, "logical_id"));
        if (in_str(r, "physical_id"))
            out_str(o, "PhysicalResourceId", in_str(r, "physical_id"));
        out_str(o, "ResourceType", in_str(r, "type"));
        out_time(o, shape == RS_RESOURCE ? "Timestamp" : "LastUpdatedTimestamp",
                 json_integer_value(json_object_get(r, "updated_ms")));
        out_str(o, "ResourceStatus", in_str(r, "status"));
        if (in_str(r, "reason"))
            out_str(o, "ResourceStatusReason", in_str(r, "reason"));
        out_drift(o, "DriftInformation", "StackResourceDriftStatus");
        if (shape != RS_DETAIL)
            out_end(o);
        if (shape == RS_DETAIL)
            break;
    }
    json_decref(rows);
    return 0;
}

/* DescribeStackResource handler. */
int cfn_describe_stack_resource(struct call *c, const json_t *in, struct out *o)
{
    struct cfn_stack s;
    if (load_named(c, in, &s))
        return -1;
    const char *logical = in_str(in, CFN_M_DescribeStackResourceInput_LogicalResourceId);
    /* checked first: no output is written for a missing resource */
    struct cfn_row r;
    int lr = logical ? cfn_row_load(c->st, s.stack_id, logical, &r) : 1;
    if (logical)
        cfn_row_free(&r);
    int rc;
    if (lr < 0) {
        rc = call_fail(c, 500, "InternalFailure", NULL);
    } else if (lr) {
        rc = call_fail(c, 400, "ValidationError", "Resource %s does not exist for stack %s",
                       logical ? logical : "", s.name);
    } else {
        out_begin(o, "StackResourceDetail");
        rc = out_resources(c, o, &s, logical, NULL, RS_DETAIL);
        out_end(o);
    }
    cfn_stack_free(&s);
    return rc;
}

/* DescribeStackResources handler (StackName or PhysicalResourceId). */
int cfn_describe_stack_resources(struct call *c, const json_t *in, struct out *o)
{
    const char *physical = in_str(in, CFN_M_DescribeStackResourcesInput_PhysicalResourceId);
    struct cfn_stack s;
    if (!in_str(in, CFN_M_DescribeStackResourcesInput_StackName) && physical) {
        char id[400] = "";
        int lr = cfn_stack_of_physical(c->st, c->region, physical, id, sizeof(id));
        if (lr == 0)
            lr = cfn_stack_load(c->st, c->region, id, &s);
        if (lr < 0)
            return call_fail(c, 500, "InternalFailure", NULL);
        if (lr)
            return call_fail(c, 400, "ValidationError", "Stack for %s does not exist",
                             physical); /* inferred */
    } else if (!in_str(in, CFN_M_DescribeStackResourcesInput_StackName)) {
        return call_fail(
            c, 400, "ValidationError",
            "Either StackName or PhysicalResourceId must be specified."); /* inferred */
    } else if (load_named(c, in, &s)) {
        return -1;
    }
    out_begin(o, "StackResources");
    int rc =
        out_resources(c, o, &s, in_str(in, CFN_M_DescribeStackResourcesInput_LogicalResourceId),
                      physical, RS_RESOURCE);
    out_end(o);
    cfn_stack_free(&s);
    return rc;
}

/* ListStackResources handler (one page holds every resource: at most 500). */
int cfn_list_stack_resources(struct call *c, const json_t *in, struct out *o)
{
    struct cfn_stack s;
    if (load_named(c, in, &s))
        return -1;
    out_begin(o, "StackResourceSummaries");
    int rc = out_resources(c, o, &s, NULL, NULL, RS_SUMMARY);
    out_end(o);
    cfn_stack_free(&s);
    return rc;
}

/* GetTemplate handler: the body as given. */
int cfn_get_template(struct call *c, const json_t *in, struct out *o)
{
    if (in_str(in, CFN_M_GetTemplateInput_ChangeSetName))
        return call_fail(c, 400, "ChangeSetNotFound", "ChangeSet [%s] does not exist",
                         in_str(in, CFN_M_GetTemplateInput_ChangeSetName));
    struct cfn_stack s;
    if (load_named(c, in, &s))
        return -1;
    out_str(o, "TemplateBody", json_string_value(json_object_get(s.doc, "body")));
    out_begin(o, "StagesAvailable");
    out_str(o, NULL, "Original");
    out_str(o, NULL, "Processed");
    out_end(o);
    cfn_stack_free(&s);
    return 0;
}
