/*
 * composite.c — composite alarms: the AlarmRule language (cw_rule.h) and PutCompositeAlarm.
 *
 * Facts: rule grammar and keywords [doc: PutCompositeAlarm AlarmRule]; error text
 * `Error in AlarmRule [Unsupported token 'X' at char N, must be: ')']` [obs: aws-cdk#13953,
 * #34662]; `Could not save the composite alarm as alarms [ARN, ...] in the alarm rule do not
 * exist` [obs]; composite alarms cannot have EC2 actions [doc] (error text inferred). A new
 * composite alarm starts INSUFFICIENT_DATA like a metric alarm (inferred) and the engine
 * evaluates its rule.
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/cloudwatch/alarm_api.h"
#include "svc/cloudwatch/cw.h"
#include "svc/cloudwatch/cw_rule.h"
#include "svc/svc.h"
#include "svc/cloudwatch/ops.h"
#include "wire/models/cloudwatch_members.h"

/* ================================================================ rule language */

#define RULE_MAX_DEPTH 64

enum tok_kind { T_END, T_LP, T_RP, T_WORD, T_QUOTED };

struct tok {
    enum tok_kind kind;
    size_t at;     /* offset of the token in the rule */
    const char *p; /* word / quoted text (raw, escapes not removed) */
    size_t n;
};

struct rp {
    const char *s;
    size_t pos;
    struct tok t; /* current token */
    cw_rule_state_fn state_of;
    void *ctx;
    void (*ref_fn)(void *ctx, const char *ref);
    void *ref_ctx;
    struct arena *a; /* for the error text and refs (check mode) */
    char err[400];
    bool failed;
    int depth;
};

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void next(struct rp *r)
{
    const char *s = r->s;
    while (s[r->pos] && is_space(s[r->pos]))
        r->pos++;
    r->t.at = r->pos;
    r->t.p = s + r->pos;
    r->t.n = 0;
    char ch = s[r->pos];
    if (!ch) {
        r->t.kind = T_END;
    } else if (ch == '(') {
        r->t.kind = T_LP;
        r->t.n = 1;
        r->pos++;
    } else if (ch == ')') {
        r->t.kind = T_RP;
        r->t.n = 1;
        r->pos++;
    } else if (ch == '"') {
        size_t i = r->pos + 1;
        while (s[i] && s[i] != '"') {
            if (s[i] == '\\' && s[i + 1])
                i++;
            i++;
        }
        r->t.kind = T_QUOTED;
        r->t.n = (s[i] ? i + 1 : i) - r->pos;
        r->pos += r->t.n;
    } else {
        size_t i = r->pos;
        while (s[i] && !is_space(s[i]) && s[i] != '(' && s[i] != ')')
            i++;
        r->t.kind = T_WORD;
        r->t.n = i - r->pos;
        r->pos = i;
    }
}

static bool word_is(const struct rp *r, const char *w)
{
    return r->t.kind == T_WORD && r->t.n == strlen(w) && memcmp(r->t.p, w, r->t.n) == 0;
}

/* Records the first syntax error; must is the expected token or NULL. */
static int fail(struct rp *r, const char *must)
{
    if (r->failed)
        return -1;
    r->failed = true;
    if (r->t.kind == T_END)
        snprintf(r->err, sizeof(r->err),
                 "Error in AlarmRule [Unexpected end of rule at char %zu%s%s%s]", r->t.at,
                 must ? ", must be: '" : "", must ? must : "", must ? "'" : ""); /* inferred */
    else
        snprintf(r->err, sizeof(r->err),
                 "Error in AlarmRule [Unsupported token '%.*s' at char %zu%s%s%s]",
                 (int)(r->t.n > 200 ? 200 : r->t.n), r->t.p, r->t.at, must ? ", must be: '" : "",
                 must ? must : "", must ? "'" : "");
    return -1;
}

static int parse_or(struct rp *r);

/* The reference text of the current token (quotes and escapes removed), heap-free: into buf. */
static void ref_text(const struct tok *t, char *buf, size_t cap)
{
    size_t o = 0;
    if (t->kind == T_QUOTED) {
        size_t end = t->n >= 2 && t->p[t->n - 1] == '"' ? t->n - 1 : t->n;
        for (size_t i = 1; i < end && o + 1 < cap; i++) {
            if (t->p[i] == '\\' && i + 1 < end)
                i++;
            buf[o++] = t->p[i];
        }
    } else {
        for (size_t i = 0; i < t->n && o + 1 < cap; i++)
            buf[o++] = t->p[i];
    }
    buf[o] = '\0';
}

/* primary; returns 1/0 value or -1 */
static int parse_primary(struct rp *r)
{
    if (r->t.kind == T_LP) {
        if (++r->depth > RULE_MAX_DEPTH)
            return fail(r, NULL);
        next(r);
        int v = parse_or(r);
        if (v < 0)
            return -1;
        if (r->t.kind != T_RP)
            return fail(r, ")");
        r->depth--;
        next(r);
        return v;
    }
    if (word_is(r, "TRUE")) {
        next(r);
        return 1;
    }
    if (word_is(r, "FALSE")) {
        next(r);
        return 0;
    }
    const char *state = NULL;
    if (word_is(r, "ALARM"))
        state = CW_ALARM;
    else if (word_is(r, "OK"))
        state = CW_OK;
    else if (word_is(r, "INSUFFICIENT_DATA"))
        state = CW_INSUFFICIENT;
    if (!state)
        return fail(r, NULL);
    next(r);
    if (r->t.kind != T_LP)
        return fail(r, "(");
    next(r);
    if (r->t.kind != T_WORD && r->t.kind != T_QUOTED)
        return fail(r, NULL);
    if (r->t.kind == T_QUOTED && (r->t.n < 2 || r->t.p[r->t.n - 1] != '"')) {
        r->t.kind = T_END; /* unterminated quote */
        r->t.at = strlen(r->s);
        return fail(r, "\"");
    }
    char ref[1100];
    ref_text(&r->t, ref, sizeof(ref));
    if (!ref[0])
        return fail(r, NULL);
    int v = 0;
    if (r->ref_fn)
        r->ref_fn(r->ref_ctx, ref);
    if (r->state_of) {
        const char *st = r->state_of(r->ctx, ref);
        v = st && strcmp(st, state) == 0;
    }
    next(r);
    if (r->t.kind != T_RP)
        return fail(r, ")");
    next(r);
    return v;
}

static int parse_not(struct rp *r)
{
    if (word_is(r, "NOT")) {
        if (++r->depth > RULE_MAX_DEPTH)
            return fail(r, NULL);
        next(r);
        int v = parse_not(r);
        r->depth--;
        return v < 0 ? -1 : !v;
    }
    return parse_primary(r);
}

static int parse_and(struct rp *r)
{
    int v = parse_not(r);
    while (v >= 0 && word_is(r, "AND")) {
        next(r);
        int w = parse_not(r);
        v = w < 0 ? -1 : (v && w);
    }
    return v;
}

static int parse_or(struct rp *r)
{
    int v = parse_and(r);
    while (v >= 0 && word_is(r, "OR")) {
        next(r);
        int w = parse_and(r);
        v = w < 0 ? -1 : (v || w);
    }
    return v;
}

static int parse_rule(struct rp *r)
{
    next(r);
    if (r->t.kind == T_END)
        return fail(r, NULL);
    int v = parse_or(r);
    if (v >= 0 && r->t.kind != T_END)
        return fail(r, NULL);
    return v;
}

int cw_rule_eval(const char *rule, cw_rule_state_fn state_of, void *ctx)
{
    struct rp r;
    memset(&r, 0, sizeof(r));
    r.s = rule ? rule : "";
    r.state_of = state_of;
    r.ctx = ctx;
    return parse_rule(&r);
}

int cw_rule_check(struct arena *a, const char *rule, void (*ref_fn)(void *ctx, const char *ref),
                  void *ctx, const char **msg)
{
    struct rp r;
    memset(&r, 0, sizeof(r));
    r.s = rule ? rule : "";
    r.ref_fn = ref_fn;
    r.ref_ctx = ctx;
    if (parse_rule(&r) < 0) {
        if (msg)
            *msg = arena_strdup(a, r.err);
        return -1;
    }
    return 0;
}

int cw_rule_elements(const char *rule)
{
    struct rp r;
    memset(&r, 0, sizeof(r));
    r.s = rule ? rule : "";
    int n = 0;
    bool after_state = false;
    for (next(&r); r.t.kind != T_END; next(&r)) {
        bool state = word_is(&r, "ALARM") || word_is(&r, "OK") || word_is(&r, "INSUFFICIENT_DATA");
        if (r.t.kind == T_LP)
            n += !after_state; /* a grouping pair (inferred: one element per pair) */
        else if (r.t.kind == T_QUOTED || word_is(&r, "TRUE") || word_is(&r, "FALSE"))
            n++;
        else if (r.t.kind == T_WORD && !state && !word_is(&r, "AND") && !word_is(&r, "OR") &&
                 !word_is(&r, "NOT"))
            n++; /* a bare alarm name */
        after_state = state;
    }
    return n;
}

const char *cw_rule_ref_name(const char *ref)
{
    if (ref && str_startswith(ref, "arn:")) {
        const char *p = strstr(ref, ":alarm:");
        if (p)
            return p + 7;
    }
    return ref;
}

/* ================================================================ references */

struct refs {
    struct arena *a;
    const char **v;
    size_t n, cap;
};

static void refs_add(void *vctx, const char *ref)
{
    struct refs *rs = vctx;
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 8;
        const char **v = arena_alloc(rs->a, cap * sizeof(*v));
        if (rs->n)
            memcpy(v, rs->v, rs->n * sizeof(*v));
        rs->v = v;
        rs->cap = cap;
    }
    rs->v[rs->n++] = arena_strdup(rs->a, ref);
}

int cwa_children_of(struct call *c, const struct cw_alarm *a, const char ***out, size_t *n)
{
    struct refs rs = {.a = c->a};
    const char *rule = json_string_value(json_object_get(a->doc, "AlarmRule"));
    *out = NULL;
    *n = 0;
    if (!rule)
        return 0;
    if (cw_rule_check(c->a, rule, refs_add, &rs, NULL))
        return 0; /* a stored rule was checked when put */
    for (size_t i = 0; i < rs.n; i++)
        rs.v[i] = cw_rule_ref_name(rs.v[i]);
    *out = rs.v;
    *n = rs.n;
    return 0;
}

int cwa_parents_of(struct call *c, const char *name, const char ***out, size_t *n)
{
    struct refs res = {.a = c->a};
    sqlite3_stmt *s = store_stmt(c->st, "SELECT name, doc FROM cw_alarms WHERE region = ?1"
                                        " AND account = ?2 AND composite = 1 ORDER BY name");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->account, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_error_t je;
        json_t *doc = json_loads((const char *)sqlite3_column_text(s, 1), 0, &je);
        const char *rule = json_string_value(json_object_get(doc, "AlarmRule"));
        struct refs rs = {.a = c->a};
        if (rule && cw_rule_check(c->a, rule, refs_add, &rs, NULL) == 0) {
            for (size_t i = 0; i < rs.n; i++) {
                if (str_eq(cw_rule_ref_name(rs.v[i]), name)) {
                    refs_add(&res, (const char *)sqlite3_column_text(s, 0));
                    break;
                }
            }
        }
        json_decref(doc);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return -1;
    *out = res.v;
    *n = res.n;
    return 0;
}

/* ================================================================ PutCompositeAlarm */

static json_t *str_list(const json_t *in, const char *key)
{
    const json_t *v = json_object_get(in, key);
    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

/*
 * PutCompositeAlarm: AlarmName, AlarmRule (<= 10240 [model]; syntax [obs]; every referenced
 * alarm must exist [obs]), actions (no EC2 or Auto Scaling actions [doc]), ActionsSuppressor
 * (an existing alarm, with both periods [doc]; kept and shown), Tags (on create, needing
 * cloudwatch:TagResource [doc]). A new composite alarm starts INSUFFICIENT_DATA; an update
 * leaves the state unchanged and overwrites the configuration [doc].
 */
int cw_put_composite_alarm(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = cwa_str(in, CW_M_PutCompositeAlarmInput_AlarmName);
    const char *rule = cwa_str(in, CW_M_PutCompositeAlarmInput_AlarmRule);
    if (!name || !*name)
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter AlarmName is required.");
    if (!rule)
        return call_fail(c, 400, "MissingParameter", /* inferred */
                         "The parameter AlarmRule is required.");
    if (strlen(rule) > CW_RULE_MAX)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value at 'alarmRule' failed to satisfy "
                         "constraint: Member must have length less than or equal to 10240");
    const char *msg = NULL;
    struct refs rs = {.a = c->a};
    if (cw_rule_check(c->a, rule, refs_add, &rs, &msg))
        return call_fail(c, 400, "ValidationError", "%s", msg);
    if (rs.n > 100)                                 /* [doc: as many as 100 children] */
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "Error in AlarmRule [The rule references %zu alarms; the maximum is 100]",
                         rs.n);
    if (cw_rule_elements(rule) > 500)               /* [doc: as many as 500 elements] */
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "Error in AlarmRule [The rule has more than 500 elements]");

    unsigned flags = 0;
    if (cwa_check_actions(c, in, &flags))
        return -1;
    if (flags & CWA_EC2)
        return call_fail(c, 400, "ValidationError", /* inferred [doc: no EC2 actions] */
                         "Composite alarms cannot have EC2 actions.");
    if (flags & CWA_AUTOSCALING)
        return call_fail(c, 400, "ValidationError", /* inferred [doc: no Auto Scaling actions] */
                         "Composite alarms cannot have Auto Scaling actions.");

    /* ActionsSuppressor: an existing alarm (name or ARN) [doc]; both periods with it [doc] */
    const char *sup = cwa_str(in, CW_M_PutCompositeAlarmInput_ActionsSuppressor);
    if (sup) {
        const char *sname = cw_rule_ref_name(sup);
        struct cw_alarm x;
        int r = str_startswith(sup, "arn:") &&
                        !str_eq(sup, cwa_alarm_arn(c->a, c->region, c->account, sname))
                    ? 1
                    : cw_alarm_load(c->st, c->region, sname, &x);
        if (r < 0)
            return cw_internal(c);
        if (r == 1)
            return call_fail(c, 400, "ValidationError", /* inferred */
                             "The ActionsSuppressor alarm %s does not exist.", sup);
        cw_alarm_free(&x);
        if (!json_object_get(in, CW_M_PutCompositeAlarmInput_ActionsSuppressorWaitPeriod))
            return call_fail(c, 400, "ValidationError", /* inferred [doc: required with it] */
                             "ActionsSuppressorWaitPeriod must be specified when "
                             "ActionsSuppressor is specified.");
        if (!json_object_get(in, CW_M_PutCompositeAlarmInput_ActionsSuppressorExtensionPeriod))
            return call_fail(c, 400, "ValidationError", /* inferred [doc: required with it] */
                             "ActionsSuppressorExtensionPeriod must be specified when "
                             "ActionsSuppressor is specified.");
    }

    /* referenced alarms must exist (names or ARNs of this region) */
    struct buf missing = BUF_INIT;
    int nmissing = 0;
    for (size_t i = 0; i < rs.n; i++) {
        const char *ref = rs.v[i];
        const char *rname = cw_rule_ref_name(ref);
        struct cw_alarm x;
        int found = 1;
        bool arn_ok = !str_startswith(ref, "arn:") ||
                      str_eq(ref, cwa_alarm_arn(c->a, c->region, c->account, rname));
        if (arn_ok && !str_eq(rname, name)) {
            found = cw_alarm_load(c->st, c->region, rname, &x);
            if (found == 0)
                cw_alarm_free(&x);
            else if (found < 0) {
                buf_free(&missing);
                return cw_internal(c);
            }
        }
        if (found != 0) {
            buf_printf(&missing, "%s%s", nmissing++ ? ", " : "",
                       str_startswith(ref, "arn:")
                           ? ref
                           : cwa_alarm_arn(c->a, c->region, c->account, rname));
        }
    }
    if (nmissing) {
        call_fail(
            c, 400, "ValidationError",
            "Could not save the composite alarm as alarms [%s] in the alarm rule do not exist",
            missing.p);
        buf_free(&missing);
        return -1;
    }
    buf_free(&missing);

    struct cw_alarm old;
    int lr = cw_alarm_load(c->st, c->region, name, &old);
    if (lr < 0)
        return cw_internal(c);
    bool update = lr == 0;
    if (update && !old.composite) {
        cw_alarm_free(&old);
        return call_fail(c, 400, "ValidationError", /* inferred */
                         "The alarm %s already exists as a metric alarm.", name);
    }

    struct cw_alarm a;
    cwa_alarm_new(c, name, true, &a);

    json_t *d = json_object();
    const json_t *v;
    json_object_set_new(d, "ActionsEnabled",
                        json_boolean(!json_is_false(
                            json_object_get(in, CW_M_PutCompositeAlarmInput_ActionsEnabled))));
    json_object_set_new(d, "AlarmActions", str_list(in, CW_M_PutCompositeAlarmInput_AlarmActions));
    json_object_set_new(d, "AlarmArn", json_string(a.arn));
    json_object_set_new(d, "AlarmConfigurationUpdatedTimestamp", json_integer(c->now_ms));
    if ((v = json_object_get(in, CW_M_PutCompositeAlarmInput_AlarmDescription)) != NULL)
        json_object_set(d, "AlarmDescription", (json_t *)v);
    json_object_set_new(d, "AlarmName", json_string(name));
    json_object_set_new(d, "AlarmRule", json_string(rule));
    json_object_set_new(d, "InsufficientDataActions",
                        str_list(in, CW_M_PutCompositeAlarmInput_InsufficientDataActions));
    json_object_set_new(d, "OKActions", str_list(in, CW_M_PutCompositeAlarmInput_OKActions));
    if (update) {
        static const char *const keep[] = {"StateReason",
                                           "StateReasonData",
                                           "StateUpdatedTimestamp",
                                           "StateValue",
                                           "StateTransitionedTimestamp",
                                           "ActionsSuppressedBy",
                                           "ActionsSuppressedReason"};
        for (size_t i = 0; i < ARRAY_LEN(keep); i++)
            if ((v = json_object_get(old.doc, keep[i])) != NULL)
                json_object_set(d, keep[i], (json_t *)v);
    } else {
        json_object_set_new(d, "StateReason", json_string("Unchecked: Initial alarm creation"));
        json_object_set_new(d, "StateUpdatedTimestamp", json_integer(c->now_ms));
        json_object_set_new(d, "StateValue", json_string(CW_INSUFFICIENT));
        json_object_set_new(d, "StateTransitionedTimestamp", json_integer(c->now_ms));
        json_object_set_new(d, "ActionsSuppressedBy", json_string("None"));
    }
    if ((v = json_object_get(in, CW_M_PutCompositeAlarmInput_ActionsSuppressor)) != NULL) {
        json_object_set(d, "ActionsSuppressor", (json_t *)v);
        json_object_set_new(d, "ActionsSuppressorWaitPeriod",
                            json_integer(json_integer_value(json_object_get(
                                in, CW_M_PutCompositeAlarmInput_ActionsSuppressorWaitPeriod))));
        json_object_set_new(
            d, "ActionsSuppressorExtensionPeriod",
            json_integer(json_integer_value(json_object_get(
                in, CW_M_PutCompositeAlarmInput_ActionsSuppressorExtensionPeriod))));
    }
    a.doc = d;
    if (update)
        cw_alarm_free(&old);

    int rc = cwa_alarm_put(c, &a, update, json_object_get(in, CW_M_PutCompositeAlarmInput_Tags));
    json_decref(d);
    return rc;
}
