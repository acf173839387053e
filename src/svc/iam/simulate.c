/*
 * simulate.c — the IAM policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy) and
 * the permissions-boundary operations (Put/Delete{User,Role}PermissionsBoundary).
 *
 * The simulator decides with the evaluator the lab enforces with (policy_decide_sets: explicit
 * deny, identity policies, permissions boundary, resource-based policy), over the policies of
 * the principal (user: its inline and attached policies and its groups'; role: its role's;
 * an assumed-role session ARN stands for its role, a lab convenience) plus PolicyInputList,
 * PermissionsBoundaryPolicyInputList (instead of the entity's boundary [doc]) and
 * ResourcePolicy. The request context is only what ContextEntries give, as in AWS: keys the
 * policies test that are not given are reported as MissingContextValues. MatchedStatements
 * name each applying statement of the identity policies, the resource policy and a denying
 * boundary, with the position of the statement in the policy text (line, column of its
 * opening brace; the end is just past its closing brace — inferred from the API reference's
 * "row and column of the beginning/end of the Statement").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/iam/iam_internal.h"
#include "svc/iam/ops.h"
#include "svc/svc.h"
#include "wire/models/iam_members.h"

#define SIM_MAX_POLICIES 64

struct sim_policy {
    const char *id;   /* SourcePolicyId */
    const char *type; /* SourcePolicyType */
    const char *text;
    json_t *doc; /* borrowed from the sources / owned in `owned` */
};

struct sim {
    struct sim_policy id[SIM_MAX_POLICIES];
    size_t nid;
    struct sim_policy boundary; /* doc NULL: none */
    struct sim_policy resource; /* doc NULL: none */
    json_t *ctx;
    struct principal_match who;
    const char *caller_arn;
    char account[16];
    json_t *owned; /* array keeping parsed input documents alive */
};

/* ---- tracing one evaluation ---- */

struct match_ud {
    struct out *o;
    const struct sim_policy *p;
    bool only_deny;
    json_t *missing; /* array of keys (unique, original case) */
};

static void on_match(void *ud, size_t stmt, bool deny)
{
    struct match_ud *m = ud;
    if (m->only_deny && !deny)
        return;
    int sl = 0, sc = 0, el = 0, ec = 0;
    bool pos = policy_stmt_position(m->p->text, stmt, &sl, &sc, &el, &ec) == 0;
    out_begin(m->o, NULL);
    out_str(m->o, "SourcePolicyId", m->p->id);
    out_str(m->o, "SourcePolicyType", m->p->type);
    if (pos) {
        out_begin(m->o, "StartPosition");
        out_int(m->o, "Line", sl);
        out_int(m->o, "Column", sc);
        out_end(m->o);
        out_begin(m->o, "EndPosition");
        out_int(m->o, "Line", el);
        out_int(m->o, "Column", ec);
        out_end(m->o);
    }
    out_end(m->o);
}

static void on_missing(void *ud, const char *key)
{
    struct match_ud *m = ud;
    size_t i;
    json_t *v;
    json_array_foreach(m->missing, i, v)
    {
        if (str_ieq(json_string_value(v), key))
            return;
    }
    json_array_append_new(m->missing, json_string(key));
}

static const char *decision_word(enum policy_decision d)
{
    switch (d) {
    case POLICY_ALLOWED:
        return "allowed";
    case POLICY_DENIED_EXPLICIT_IDENTITY:
    case POLICY_DENIED_EXPLICIT_SESSION:
    case POLICY_DENIED_EXPLICIT_BOUNDARY:
    case POLICY_DENIED_EXPLICIT_RESOURCE:
        return "explicitDeny";
    default:
        return "implicitDeny";
    }
}

/* Writes the members of one result (EvaluationResult or ResourceSpecificResult). */
static void sim_result(struct sim *s, struct out *o, const char *action, const char *resource,
                       bool resource_specific)
{
    struct policy_request rq = {
        .action = action, .resource = resource, .context = s->ctx, .principal_arn = s->caller_arn};
    const json_t *idocs[SIM_MAX_POLICIES];
    for (size_t i = 0; i < s->nid; i++)
        idocs[i] = s->id[i].doc;
    const json_t *bdocs[1] = {s->boundary.doc};
    struct policy_sets ps = {
        .identity = idocs,
        .n = s->nid,
        .boundary = bdocs,
        .nb = 1,
        .has_boundary = s->boundary.doc != NULL,
        .resource_policy = s->resource.doc,
        .who = &s->who,
    };
    enum policy_decision d = policy_decide_sets(&ps, &rq);
    out_str(o, resource_specific ? "EvalResourceName" : "EvalActionName",
            resource_specific ? resource : action);
    if (!resource_specific)
        out_str(o, "EvalResourceName", resource);
    out_str(o, resource_specific ? "EvalResourceDecision" : "EvalDecision", decision_word(d));
    struct match_ud m = {.o = o, .missing = json_array()};
    struct policy_trace tr = {on_match, on_missing, &m};
    out_begin(o, "MatchedStatements");
    for (size_t i = 0; i < s->nid; i++) {
        m.p = &s->id[i];
        policy_eval_traced(s->id[i].doc, &rq, NULL, &tr);
    }
    if (s->resource.doc) {
        m.p = &s->resource;
        policy_eval_traced(s->resource.doc, &rq, &s->who, &tr);
    }
    if (s->boundary.doc) {
        m.p = &s->boundary;
        m.only_deny = true;
        policy_eval_traced(s->boundary.doc, &rq, NULL, &tr);
    }
    out_end(o);
    out_begin(o, "MissingContextValues");
    size_t i;
    json_t *k;
    json_array_foreach(m.missing, i, k) out_str(o, NULL, json_string_value(k));
    out_end(o);
    json_decref(m.missing);
    if (s->boundary.doc) {
        enum policy_effect be = policy_eval(s->boundary.doc, &rq);
        out_begin(o, "PermissionsBoundaryDecisionDetail");
        out_bool(o, "AllowedByPermissionsBoundary", be == POLICY_ALLOW);
        out_end(o);
    }
}

/* ---- inputs ---- */

/* Parses a policy text of an input list into s (kept in s->owned). 0 or -1 with c failed
 * (MalformedPolicyDocument wording inside InvalidInput, inferred). */
static int input_doc(struct call *c, struct sim *s, const char *text, enum policy_kind kind,
                     json_t **doc)
{
    char err[POLICY_ERR_MAX];
    struct policy_parse_opts opts = {.kind = kind};
    if (policy_parse(text, strlen(text), &opts, doc, err))
        return call_fail(c, 400, "InvalidInput", "%s", err);
    json_array_append_new(s->owned, *doc);
    return 0;
}

static int add_inputs(struct call *c, struct sim *s, const json_t *in)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(in, "PolicyInputList"), i, v)
    {
        json_t *doc;
        if (s->nid >= SIM_MAX_POLICIES)
            return call_fail(c, 400, "InvalidInput", "Too many policies."); /* inferred */
        if (input_doc(c, s, json_string_value(v), POLICY_KIND_INLINE, &doc))
            return -1;
        s->id[s->nid++] = (struct sim_policy){
            arena_printf(c->a, "PolicyInputList.%zu", i + 1), "none", json_string_value(v), doc};
    }
    json_array_foreach(json_object_get(in, "PermissionsBoundaryPolicyInputList"), i, v)
    {
        json_t *doc;
        if (i > 0) /* [doc] the list holds one boundary */
            return call_fail(c, 400, "InvalidInput",
                             "Only one permissions boundary policy may be specified."); /* inferred */
        if (input_doc(c, s, json_string_value(v), POLICY_KIND_INLINE, &doc))
            return -1;
        s->boundary = (struct sim_policy){"PermissionsBoundaryPolicyInputList.1", "none",
                                          json_string_value(v), doc};
    }
    const char *rp = json_string_value(json_object_get(in, "ResourcePolicy"));
    if (rp) {
        json_t *doc = json_loads(rp, 0, NULL);
        if (!doc)
            return call_fail(c, 400, "InvalidInput", "Syntax errors in policy."); /* inferred */
        json_array_append_new(s->owned, doc);
        s->resource = (struct sim_policy){"ResourcePolicy", "resource", rp, doc};
    }
    /* the request context: ContextEntries only */
    json_array_foreach(json_object_get(in, "ContextEntries"), i, v)
    {
        const char *name = json_string_value(json_object_get(v, "ContextKeyName"));
        const char *type = json_string_value(json_object_get(v, "ContextKeyType"));
        const json_t *vals = json_object_get(v, "ContextKeyValues");
        if (!name)
            continue;
        char *low = arena_strdup(c->a, name);
        for (char *p = low; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        bool list = type && str_endswith(type, "List");
        bool boolean = type && str_startswith(type, "boolean");
        json_t *val = json_array();
        size_t j;
        const json_t *e;
        json_array_foreach(vals, j, e)
        {
            const char *t = json_string_value(e);
            if (!t)
                continue;
            json_array_append_new(val, boolean ? json_boolean(str_ieq(t, "true"))
                                               : json_string(t));
        }
        if (!list && json_array_size(val) == 1) {
            json_t *one = json_incref(json_array_get(val, 0));
            json_decref(val);
            val = one;
        }
        json_object_set_new(s->ctx, low, val);
    }
    return 0;
}

static void sim_free(struct sim *s, struct iam_policy_src *src, size_t nsrc)
{
    json_decref(s->ctx);
    json_decref(s->owned);
    iam_policy_srcs_free(src, nsrc);
}

/* Runs the simulation over ActionNames x ResourceArns with MaxItems/Marker paging (Marker:
 * the index of the next action, inferred form). */
static int sim_run(struct call *c, struct sim *s, const json_t *in, struct out *o)
{
    const json_t *actions = json_object_get(in, "ActionNames");
    const json_t *resources = json_object_get(in, "ResourceArns");
    const json_t *jmax = json_object_get(in, "MaxItems");
    const char *marker = json_string_value(json_object_get(in, "Marker"));
    int64_t max = json_is_integer(jmax) ? json_integer_value(jmax) : 100;
    size_t start = 0;
    if (marker) {
        int64_t m;
        if (str_to_i64(marker, &m) || m < 0 || (size_t)m > json_array_size(actions))
            return call_fail(c, 400, "InvalidInput", "Invalid Marker."); /* inferred */
        start = (size_t)m;
    }
    out_begin(o, "EvaluationResults");
    size_t i = start;
    for (; i < json_array_size(actions) && (int64_t)(i - start) < max; i++) {
        const char *action = json_string_value(json_array_get(actions, i));
        if (!action)
            continue;
        out_begin(o, NULL);
        if (json_array_size(resources) <= 1) {
            const char *r = json_array_size(resources)
                                ? json_string_value(json_array_get(resources, 0))
                                : "*";
            sim_result(s, o, action, r ? r : "*", false);
            if (json_array_size(resources) == 1) {
                out_begin(o, "ResourceSpecificResults");
                out_begin(o, NULL);
                sim_result(s, o, action, r ? r : "*", true);
                out_end(o);
                out_end(o);
            }
        } else {
            /* several resources: the overall decision is the least permissive (inferred) */
            const char *worst = NULL;
            enum { ALLOWED, IMPLICIT, EXPLICIT } w = ALLOWED;
            size_t j;
            const json_t *r;
            json_array_foreach(resources, j, r)
            {
                struct policy_request rq = {.action = action,
                                            .resource = json_string_value(r),
                                            .context = s->ctx,
                                            .principal_arn = s->caller_arn};
                const json_t *idocs[SIM_MAX_POLICIES];
                for (size_t k = 0; k < s->nid; k++)
                    idocs[k] = s->id[k].doc;
                const json_t *bdocs[1] = {s->boundary.doc};
                struct policy_sets ps = {.identity = idocs,
                                         .n = s->nid,
                                         .boundary = bdocs,
                                         .nb = 1,
                                         .has_boundary = s->boundary.doc != NULL,
                                         .resource_policy = s->resource.doc,
                                         .who = &s->who};
                const char *dw = decision_word(policy_decide_sets(&ps, &rq));
                int rank = str_eq(dw, "allowed") ? ALLOWED
                           : str_eq(dw, "implicitDeny") ? IMPLICIT
                                                        : EXPLICIT;
                if (!worst || rank > (int)w) {
                    w = rank;
                    worst = dw;
                }
            }
            out_str(o, "EvalActionName", action);
            out_str(o, "EvalResourceName", "*");
            out_str(o, "EvalDecision", worst ? worst : "implicitDeny");
            out_begin(o, "ResourceSpecificResults");
            json_array_foreach(resources, j, r)
            {
                out_begin(o, NULL);
                sim_result(s, o, action, json_string_value(r), true);
                out_end(o);
            }
            out_end(o);
        }
        out_end(o);
    }
    out_end(o);
    bool more = i < json_array_size(actions);
    out_bool(o, "IsTruncated", more);
    if (more)
        out_str(o, "Marker", arena_printf(c->a, "%zu", i));
    return 0;
}

/* The principal named by PolicySourceArn: a user, a role (or one of its sessions) or a
 * group (its policies only). */
static int source_principal(struct call *c, const char *arn, struct principal *p,
                            const char **caller)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->account, sizeof(p->account), "%s", c->account);
    const char *slash = strrchr(arn, '/');
    const char *name = slash ? slash + 1 : NULL;
    *caller = arn;
    if (str_startswith(arn, "arn:aws:sts::") && strstr(arn, ":assumed-role/")) {
        /* assumed-role/ROLE/SESSION: the role's policies (lab convenience) */
        const char *r = strstr(arn, ":assumed-role/") + strlen(":assumed-role/");
        const char *e = strchr(r, '/');
        if (!e)
            return call_fail(c, 400, "InvalidInput", "Invalid ARN: %s", arn); /* inferred */
        name = arena_strndup(c->a, r, (size_t)(e - r));
        struct iam_role_row rr;
        if (iam_role_need(c, name, &rr))
            return -1;
        p->kind = PRINCIPAL_ROLE_SESSION;
        snprintf(p->user_id, sizeof(p->user_id), "%s:%s", rr.role_id, e + 1);
        snprintf(p->name, sizeof(p->name), "%s", rr.name);
        snprintf(p->arn, sizeof(p->arn), "%s", arn);
        return 0;
    }
    if (!str_startswith(arn, "arn:aws:iam::") || !name || !*name)
        return call_fail(c, 400, "InvalidInput", "Invalid ARN: %s", arn); /* inferred */
    if (strstr(arn, ":user/")) {
        struct iam_user_row u;
        if (iam_user_need(c, name, &u))
            return -1;
        p->kind = PRINCIPAL_USER;
        snprintf(p->user_id, sizeof(p->user_id), "%s", u.user_id);
        snprintf(p->name, sizeof(p->name), "%s", u.name);
        snprintf(p->arn, sizeof(p->arn), "%s", u.arn);
        return 0;
    }
    if (strstr(arn, ":role/")) {
        struct iam_role_row rr;
        if (iam_role_need(c, name, &rr))
            return -1;
        p->kind = PRINCIPAL_ROLE_SESSION;
        snprintf(p->user_id, sizeof(p->user_id), "%s", rr.role_id);
        snprintf(p->name, sizeof(p->name), "%s", rr.name);
        snprintf(p->arn, sizeof(p->arn), "%s", rr.arn);
        return 0;
    }
    return call_fail(c, 400, "InvalidInput", "Invalid ARN: %s", arn); /* inferred */
}

int iam_simulate_principal_policy(struct call *c, const json_t *in, struct out *o)
{
    const char *arn = json_string_value(json_object_get(in, "PolicySourceArn"));
    if (!arn)
        return iam_fail_missing(c, "policySourceArn");
    struct principal p;
    const char *caller;
    if (source_principal(c, arn, &p, &caller))
        return -1;
    struct iam_policy_src *src = NULL;
    size_t nsrc = 0;
    int rc = iam_policy_sources(c->st, &p, &src, &nsrc);
    if (rc < 0)
        return call_internal(c);
    struct sim s;
    memset(&s, 0, sizeof(s));
    s.ctx = json_object();
    s.owned = json_array();
    for (size_t i = 0; i < nsrc && s.nid < SIM_MAX_POLICIES; i++)
        if (src[i].doc)
            s.id[s.nid++] = (struct sim_policy){src[i].id, src[i].type, src[i].text, src[i].doc};
    /* the entity's own boundary, unless the request gives one */
    json_t *tags = NULL, *bdoc = NULL;
    char *barn = NULL;
    if (iam_principal_facts(c->st, &p, &tags, &barn, &bdoc)) {
        sim_free(&s, src, nsrc);
        return call_internal(c);
    }
    json_decref(tags);
    if (barn) {
        char *text = iam_managed_policy_text(c->st, barn);
        const char *slash = strrchr(barn, '/');
        s.boundary = (struct sim_policy){
            arena_strdup(c->a, slash ? slash + 1 : barn),
            str_startswith(barn, "arn:aws:iam::aws:") ? "aws-managed" : "user-managed",
            arena_strdup(c->a, text ? text : "{}"), bdoc};
        json_array_append_new(s.owned, bdoc);
        free(text);
        free(barn);
    }
    const char *cal = json_string_value(json_object_get(in, "CallerArn"));
    s.caller_arn = cal ? cal : caller;
    s.who.arn = s.caller_arn;
    s.who.account = c->account;
    if (s.boundary.doc && json_array_size(json_object_get(in, "PermissionsBoundaryPolicyInputList")))
        s.boundary.doc = NULL; /* replaced below */
    rc = add_inputs(c, &s, in);
    if (rc == 0)
        rc = sim_run(c, &s, in, o);
    sim_free(&s, src, nsrc);
    return rc;
}

int iam_simulate_custom_policy(struct call *c, const json_t *in, struct out *o)
{
    struct sim s;
    memset(&s, 0, sizeof(s));
    s.ctx = json_object();
    s.owned = json_array();
    const char *cal = json_string_value(json_object_get(in, "CallerArn"));
    s.caller_arn = cal;
    s.who.arn = cal;
    s.who.account = c->account;
    int rc = add_inputs(c, &s, in);
    if (rc == 0)
        rc = sim_run(c, &s, in, o);
    sim_free(&s, NULL, 0);
    return rc;
}

/* ================================================================ permissions boundaries */

static int set_boundary(struct call *c, bool role, const char *name, const char *arn)
{
    sqlite3_stmt *s = store_stmt(c->st, role ? "UPDATE iam_roles SET permissions_boundary = ?2 "
                                               "WHERE name = ?1"
                                             : "UPDATE iam_users SET permissions_boundary = ?2 "
                                               "WHERE name = ?1");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(s, 2, arn);
    return iam_done(c, s, "permissions boundary");
}

int iam_put_user_permissions_boundary(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = json_string_value(json_object_get(in, "UserName"));
    const char *arn = json_string_value(json_object_get(in, "PermissionsBoundary"));
    struct iam_user_row u;
    if (!name || !arn)
        return iam_fail_missing(c, name ? "permissionsBoundary" : "userName");
    if (iam_user_need(c, name, &u) || iam_boundary_check(c, arn))
        return -1;
    return set_boundary(c, false, u.name, arn);
}

int iam_put_role_permissions_boundary(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = json_string_value(json_object_get(in, "RoleName"));
    const char *arn = json_string_value(json_object_get(in, "PermissionsBoundary"));
    struct iam_role_row r;
    if (!name || !arn)
        return iam_fail_missing(c, name ? "permissionsBoundary" : "roleName");
    if (iam_role_need(c, name, &r))
        return -1;
    if (r.slr)
        return iam_fail_protected_role(c, r.name);
    if (iam_boundary_check(c, arn))
        return -1;
    return set_boundary(c, true, r.name, arn);
}

int iam_delete_user_permissions_boundary(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = json_string_value(json_object_get(in, "UserName"));
    struct iam_user_row u;
    if (!name)
        return iam_fail_missing(c, "userName");
    if (iam_user_need(c, name, &u))
        return -1;
    return set_boundary(c, false, u.name, NULL);
}

int iam_delete_role_permissions_boundary(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = json_string_value(json_object_get(in, "RoleName"));
    struct iam_role_row r;
    if (!name)
        return iam_fail_missing(c, "roleName");
    if (iam_role_need(c, name, &r))
        return -1;
    if (r.slr)
        return iam_fail_protected_role(c, r.name);
    return set_boundary(c, true, r.name, NULL);
}
