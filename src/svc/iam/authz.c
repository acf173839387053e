/*
 * authz.c — authorization of every request and of work done for a principal (see authz.h).
 *
 * Evaluation (IAM UG reference_policies_evaluation-logic): the account root is always
 * allowed; otherwise the identity-based policies of the principal (a user's own and its
 * groups', a role session's role's, a federated user's issuing user's) decide, intersected
 * with the session policies the credentials carry (AssumeRole Policy/PolicyArns;
 * GetFederationToken always has session policies: none passed = no permissions [doc]).
 * An explicit Deny anywhere wins (policy_decide).
 *
 * Cost: parsing policies per request would dominate, so parsed documents are cached per
 * entity (identity) and per access key (session). The cache is dropped whenever IAM state
 * changes: temporary triggers on the IAM tables call an application function that bumps a
 * per-connection generation counter, whoever writes (IAM handlers, reset, a test). Inside a
 * transaction (a service acting for a principal in the middle of its own writes) the cache
 * is bypassed, so rolled-back IAM writes can never leave stale entries behind.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "base/base.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/iam/iam.h"
#include "svc/restags.h"
#include "wire/models/cloudwatch_members.h"
#include "wire/models/ec2_members.h"

/* [doc] IAM UG id_credentials_temp_control-access_getfederationtoken: "Allows all" for a root
 * issuer (its permissions are the root's); the session policy still scopes it. */
static const char ALLOW_ALL[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
    "\"Resource\":\"*\"}]}";

/* ------------------------------------------------------------ policy sets */

/* The documents of one kind for a principal, and what else evaluation needs of the same
 * source: identity sets carry the entity's tags and permissions boundary, session sets the
 * session tags. */
struct polset {
    json_t **docs;
    size_t n;
    json_t *tags;     /* TagList [{"Key","Value"}] or NULL */
    json_t *boundary; /* identity: the permissions boundary document, or NULL */
};

static void polset_free(struct polset *p)
{
    for (size_t i = 0; i < p->n; i++)
        json_decref(p->docs[i]);
    free(p->docs);
    json_decref(p->tags);
    json_decref(p->boundary);
    memset(p, 0, sizeof(*p));
}

static void polset_add(struct polset *p, json_t *doc /* stolen */)
{
    p->docs = xrealloc(p->docs, (p->n + 1) * sizeof(*p->docs));
    p->docs[p->n++] = doc;
}

/* ------------------------------------------------------------ the cache */

#define CACHE_SLOTS 64

struct cache_ent {
    char *key; /* "u:AIDA..:NAME", "r:AROA..:NAME", "f:AIDA..:NAME", "root", "k:ACCESSKEY" */
    struct polset pols;
    struct authz_session sess; /* "k:" entries */
};

/* Per connection: the generation bumped by the triggers (freed when the connection closes). */
struct gen_state {
    sqlite3 *db;
    uint64_t gen;
    bool ok; /* triggers installed */
};

static struct {
    struct gen_state *g; /* the connection the cache belongs to */
    uint64_t gen_seen;
    struct cache_ent ents[CACHE_SLOTS];
    size_t next;
} cache;

void authz_cache_clear(void)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free(cache.ents[i].key);
        polset_free(&cache.ents[i].pols);
        memset(&cache.ents[i], 0, sizeof(cache.ents[i]));
    }
    cache.next = 0;
}

static void gen_bump(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    struct gen_state *g = sqlite3_user_data(ctx);
    g->gen++;
    sqlite3_result_null(ctx);
}

static void gen_destroy(void *p)
{
    if (cache.g == p) {
        cache.g = NULL;
        authz_cache_clear();
    }
    free(p);
}

/* The IAM tables whose changes can change a decision, and which writes count. The
 * last-used columns of roles and keys are written on use and must not flush the cache. */
static const struct {
    const char *table;
    const char *update_of; /* NULL: any update */
} watched[] = {
    {"iam_users", "name, arn, permissions_boundary, tags"},
    {"iam_groups", NULL},
    {"iam_group_members", NULL},
    {"iam_roles", "name, arn, permissions_boundary, tags"},
    {"iam_inline_policies", NULL},
    {"iam_policies", NULL},
    {"iam_policy_versions", NULL},
    {"iam_attachments", NULL},
};

static bool install_triggers(sqlite3 *db)
{
    static const char *const events[] = {"INSERT", "DELETE", "UPDATE"};
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < ARRAY_LEN(watched); i++) {
        for (size_t e = 0; e < ARRAY_LEN(events); e++) {
            bool upd = e == 2;
            buf_printf(&b,
                       "CREATE TEMP TRIGGER IF NOT EXISTS rl_authz_%s_%c AFTER %s%s%s ON "
                       "main.%s BEGIN SELECT rl_authz_bump(); END;",
                       watched[i].table, events[e][0], events[e],
                       upd && watched[i].update_of ? " OF " : "",
                       upd && watched[i].update_of ? watched[i].update_of : "", watched[i].table);
        }
    }
    char *err = NULL;
    int rc = sqlite3_exec(db, b.p, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        log_warn("authz: policy cache disabled: %s", err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    buf_free(&b);
    return rc == SQLITE_OK;
}

/*
 * True when the cache may be used for this store now: outside transactions, with the
 * triggers in place. Flushes it when the connection or the IAM generation changed.
 */
static bool cache_usable(struct store *st)
{
    sqlite3 *db = st ? store_db(st) : NULL;
    if (!db || !sqlite3_get_autocommit(db))
        return false;
    if (!cache.g || cache.g->db != db) {
        authz_cache_clear();
        struct gen_state *g = xcalloc(1, sizeof(*g));
        g->db = db;
        /* replacing an earlier registration on this connection destroys the old state */
        if (sqlite3_create_function_v2(db, "rl_authz_bump", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS, g,
                                       gen_bump, NULL, NULL, gen_destroy) != SQLITE_OK) {
            log_warn("authz: policy cache disabled: %s", sqlite3_errmsg(db));
            free(g);
            return false;
        }
        g->ok = install_triggers(db);
        cache.g = g;
        cache.gen_seen = g->gen;
    }
    if (!cache.g->ok)
        return false;
    if (cache.gen_seen != cache.g->gen) {
        authz_cache_clear();
        cache.gen_seen = cache.g->gen;
    }
    return true;
}

static struct cache_ent *cache_find(const char *key)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (cache.ents[i].key && strcmp(cache.ents[i].key, key) == 0)
            return &cache.ents[i];
    return NULL;
}

static struct cache_ent *cache_put(const char *key)
{
    struct cache_ent *e = &cache.ents[cache.next];
    cache.next = (cache.next + 1) % CACHE_SLOTS;
    free(e->key);
    polset_free(&e->pols);
    memset(e, 0, sizeof(*e));
    e->key = xstrdup(key);
    return e;
}

/* ------------------------------------------------------------ loading */

static json_t *parse_doc(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

/* The session facts and session policies of who's access key row. */
static int load_session(struct call *c, const struct principal *who, struct authz_session *s,
                        struct polset *docs)
{
    memset(s, 0, sizeof(*s));
    bool temp =
        who->temporary || who->kind == PRINCIPAL_ROLE_SESSION || who->kind == PRINCIPAL_FEDERATED;
    if (temp && who->access_key_id[0]) {
        struct iam_session ks;
        int rc = iam_session_get(c->st, c->a, who->access_key_id, &ks);
        if (rc == 0) {
            if (ks.session_policies) {
                json_t *arr = json_loads(ks.session_policies, 0, NULL);
                size_t i;
                json_t *d;
                s->has_session = true;
                json_array_foreach(arr, i, d) polset_add(docs, json_incref(d));
                json_decref(arr);
            }
            snprintf(s->role_arn, sizeof(s->role_arn), "%s", ks.role_arn);
            snprintf(s->issuer, sizeof(s->issuer), "%s", ks.issuer);
            snprintf(s->issuer_id, sizeof(s->issuer_id), "%s", ks.issuer_id);
            snprintf(s->source_identity, sizeof(s->source_identity), "%s", ks.source_identity);
            if (*ks.tags)
                docs->tags = json_loads(ks.tags, 0, NULL);
        }
        if (rc < 0) {
            log_error("authz: session lookup of %s failed", who->access_key_id);
            return -1;
        }
    }
    if (who->kind == PRINCIPAL_FEDERATED)
        s->has_session = true; /* [doc] no session policy passed: no permissions */
    if (who->kind == PRINCIPAL_ROLE_SESSION && !s->role_arn[0]) {
        struct iam_role r;
        if (iam_role_get(c->st, c->a, who->name, &r) == 0)
            snprintf(s->role_arn, sizeof(s->role_arn), "%s", r.arn);
        else
            snprintf(s->role_arn, sizeof(s->role_arn), "arn:aws:iam::%s:role/%s",
                     who->account[0] ? who->account : c->account, who->name);
    }
    return 0;
}

/* The cache key of who's identity policies. */
static char *identity_key(struct call *c, const struct principal *who,
                          const struct authz_session *s)
{
    size_t k = strcspn(who->user_id, ":");
    switch (who->kind) {
    case PRINCIPAL_USER:
        return arena_printf(c->a, "u:%s:%s", who->user_id, who->name);
    case PRINCIPAL_ROLE_SESSION:
        return arena_printf(c->a, "r:%.*s:%s", (int)k, who->user_id, who->name);
    case PRINCIPAL_FEDERATED:
        /* "f:": a federated user has its issuer's policies but not its tags */
        return s->issuer[0] ? arena_printf(c->a, "f:%s:%s", s->issuer_id, s->issuer) : "root";
    default:
        return "root";
    }
}

static int load_identity(struct call *c, const struct principal *who, const struct authz_session *s,
                         struct polset *out)
{
    struct principal p = *who;
    if (who->kind == PRINCIPAL_FEDERATED) {
        if (!s->issuer[0]) {
            polset_add(out, parse_doc(ALLOW_ALL));
            return 0;
        }
        memset(&p, 0, sizeof(p));
        p.kind = PRINCIPAL_USER;
        snprintf(p.account, sizeof(p.account), "%s", who->account);
        snprintf(p.name, sizeof(p.name), "%s", s->issuer);
        snprintf(p.user_id, sizeof(p.user_id), "%s", s->issuer_id);
        snprintf(p.arn, sizeof(p.arn), "arn:aws:iam::%s:user/%s", who->account, s->issuer);
    }
    json_t **docs = NULL;
    size_t n = 0;
    if (iam_identity_policies(c->st, &p, &docs, &n)) {
        log_error("authz: identity policies of %s could not be read", who->arn);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (docs[i])
            polset_add(out, docs[i]);
    free(docs);
    /* the entity's tags (aws:PrincipalTag; a federated user has only its session tags) and
     * its permissions boundary (a federated user is bounded by its issuing user's) */
    json_t *tags = NULL;
    char *barn = NULL;
    if (iam_principal_facts(c->st, &p, &tags, &barn, &out->boundary)) {
        log_error("authz: tags and boundary of %s could not be read", who->arn);
        return -1;
    }
    free(barn);
    if (who->kind != PRINCIPAL_FEDERATED)
        out->tags = tags;
    else
        json_decref(tags);
    return 0;
}

/* ------------------------------------------------------------ public lookups */

/* Session facts and documents, from the cache when usable (then *owned is false). */
static int session_get(struct call *c, const struct principal *who, bool use_cache,
                       struct authz_session *s, struct polset *docs, bool *owned)
{
    *owned = true;
    memset(docs, 0, sizeof(*docs));
    bool temp =
        who->temporary || who->kind == PRINCIPAL_ROLE_SESSION || who->kind == PRINCIPAL_FEDERATED;
    if (use_cache && temp && who->access_key_id[0]) {
        const char *key = arena_printf(c->a, "k:%s", who->access_key_id);
        struct cache_ent *e = cache_find(key);
        if (!e) {
            struct authz_session ns;
            struct polset np = {0};
            if (load_session(c, who, &ns, &np)) {
                polset_free(&np);
                return -1;
            }
            e = cache_put(key);
            e->sess = ns;
            e->pols = np;
        }
        *s = e->sess;
        *docs = e->pols;
        *owned = false;
        return 0;
    }
    return load_session(c, who, s, docs);
}

int authz_session_get(struct call *c, const struct principal *who, struct authz_session *out)
{
    struct polset docs;
    bool owned;
    int rc = session_get(c, who, cache_usable(c->st), out, &docs, &owned);
    if (owned)
        polset_free(&docs);
    return rc;
}

static int identity_get(struct call *c, const struct principal *who, const struct authz_session *s,
                        bool use_cache, struct polset *docs, bool *owned)
{
    *owned = true;
    memset(docs, 0, sizeof(*docs));
    if (use_cache) {
        const char *key = identity_key(c, who, s);
        struct cache_ent *e = cache_find(key);
        if (!e) {
            struct polset np = {0};
            if (load_identity(c, who, s, &np)) {
                polset_free(&np);
                return -1;
            }
            e = cache_put(key);
            e->pols = np;
        }
        *docs = e->pols;
        *owned = false;
        return 0;
    }
    return load_identity(c, who, s, docs);
}

/* ------------------------------------------------------------ the request context */

static const char *principal_type(const struct principal *p)
{
    switch (p->kind) {
    case PRINCIPAL_ROOT:
        return "Account";
    case PRINCIPAL_USER:
        return "User";
    case PRINCIPAL_ROLE_SESSION:
        return "AssumedRole";
    case PRINCIPAL_FEDERATED:
        return "FederatedUser";
    case PRINCIPAL_SERVICE:
        return "Service"; /* inferred: AWS services acting have no IAM principal type */
    }
    return "";
}

/* Appends the string members `member` of in (a list) to arr. */
static void add_list(json_t *arr, const json_t *in, const char *member)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(in, member), i, v)
    {
        if (json_is_string(v))
            json_array_append_new(arr, json_string(json_string_value(v)));
    }
}

/* Service condition keys taken from the request input. */
static void service_keys(json_t *ctx, const struct call *c, const char *service, const char *op,
                         const json_t *in)
{
    if (str_eq(service, "ec2")) {
        json_object_set_new(ctx, "ec2:region", json_string(c->region ? c->region : ""));
        const char *it = json_string_value(json_object_get(in, EC2_IN_InstanceType));
        if (it)
            json_object_set_new(ctx, "ec2:instancetype", json_string(it));
    } else if (str_eq(service, "cloudwatch") && in &&
               (str_eq(op, "PutMetricAlarm") || str_eq(op, "PutCompositeAlarm"))) {
        /* [doc] CWUG iam-cw-condition-keys-alarm-actions: the actions an alarm may perform
         * "when the alarm changes to any state, including ALARM, OK, or INSUFFICIENT_DATA" */
        json_t *arr = json_array();
        add_list(arr, in, CW_IN_AlarmActions);
        add_list(arr, in, CW_IN_OKActions);
        add_list(arr, in, CW_IN_InsufficientDataActions);
        if (json_array_size(arr))
            json_object_set_new(ctx, "cloudwatch:alarmactions", arr);
        else
            json_decref(arr);
    }
}

json_t *authz_context(const struct call *c, const struct principal *who,
                      const struct authz_session *sess, const struct authz_extra *extra)
{
    json_t *ctx = json_object();
    char iso[32];
    time_fmt_iso8601(c->now_ms, iso);
    json_object_set_new(ctx, "aws:currenttime", json_string(iso));
    json_object_set_new(ctx, "aws:epochtime", json_integer(c->now_ms / 1000));
    json_object_set_new(ctx, "aws:principaltype", json_string(principal_type(who)));
    const char *account = who->account[0] ? who->account : c->account;
    if (account)
        json_object_set_new(ctx, "aws:principalaccount", json_string(account));
    if (who->user_id[0])
        json_object_set_new(ctx, "aws:userid", json_string(who->user_id));
    else if (who->kind == PRINCIPAL_ROOT && account)
        json_object_set_new(ctx, "aws:userid", json_string(account));
    if (who->kind == PRINCIPAL_USER && who->name[0])
        json_object_set_new(ctx, "aws:username", json_string(who->name));
    const char *parn = who->arn;
    if (who->kind == PRINCIPAL_ROLE_SESSION && sess && sess->role_arn[0])
        parn = sess->role_arn; /* [doc] aws:PrincipalArn of a role session is the role's ARN */
    if (parn[0])
        json_object_set_new(ctx, "aws:principalarn", json_string(parn));
    json_object_set_new(ctx, "aws:principalisawsservice",
                        json_boolean(who->kind == PRINCIPAL_SERVICE));
    if (c->region)
        json_object_set_new(ctx, "aws:requestedregion", json_string(c->region));
    json_object_set_new(ctx, "aws:securetransport", json_false());
    if (c->rq && c->rq->remote_addr)
        json_object_set_new(ctx, "aws:sourceip", json_string(c->rq->remote_addr));
    if (who->temporary) /* [doc] present (false) for temporary credentials without MFA */
        json_object_set_new(ctx, "aws:multifactorauthpresent", json_false());
    if (sess && sess->source_identity[0])
        json_object_set_new(ctx, "aws:sourceidentity", json_string(sess->source_identity));

    bool via = extra && extra->via_aws_service;
    json_object_set_new(ctx, "aws:viaawsservice", json_boolean(via));
    if (extra && extra->ncalled_via) {
        json_t *arr = json_array();
        for (size_t i = 0; i < extra->ncalled_via; i++)
            json_array_append_new(arr, json_string(extra->called_via[i]));
        json_object_set_new(ctx, "aws:calledvia", arr);
        json_object_set_new(ctx, "aws:calledviafirst", json_string(extra->called_via[0]));
        json_object_set_new(ctx, "aws:calledvialast",
                            json_string(extra->called_via[extra->ncalled_via - 1]));
    }

    const char *service = extra && extra->service ? extra->service : (c->svc ? c->svc->id : NULL);
    const char *op = extra && extra->op ? extra->op : (c->op ? c->op->name : c->op_name);
    service_keys(ctx, c, service, op, extra ? extra->in : NULL);
    return ctx;
}

/* ------------------------------------------------------------ tags and boundaries */

/* ctx[prefix + lower(key)] = value for each {"Key","Value"} of tags. */
static void put_tags(json_t *ctx, const char *prefix, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = json_string_value(json_object_get(t, "Key"));
        const char *v = json_string_value(json_object_get(t, "Value"));
        if (!k)
            continue;
        struct buf b = BUF_INIT;
        buf_printf(&b, "%s%s", prefix, k);
        for (size_t j = 0; j < b.len; j++)
            b.p[j] = (char)(b.p[j] >= 'A' && b.p[j] <= 'Z' ? b.p[j] - 'A' + 'a' : b.p[j]);
        json_object_set_new(ctx, b.p, json_string(v ? v : ""));
        buf_free(&b);
    }
}

/* The tags a request sets (aws:RequestTag/KEY) and the keys it names (aws:TagKeys): a
 * Tags list (IAM CreateUser/CreateRole/TagUser/TagRole, EC2 CreateTags/DeleteTags,
 * CloudWatch PutMetricAlarm/TagResource, STS AssumeRole), EC2's TagSpecifications
 * (RunInstances, CreateVolume...) and a TagKeys list (IAM UntagUser/UntagRole, CloudWatch
 * UntagResource) [doc: IAM UG reference_policies_condition-keys, aws:RequestTag and
 * aws:TagKeys]. */
static void request_tag_keys(json_t *ctx, const json_t *in)
{
    if (!json_is_object(in))
        return;
    json_t *keys = json_array();
    json_t *all = json_array();
    const json_t *tags = json_object_get(in, "Tags");
    size_t i;
    const json_t *t;
    if (json_is_array(tags))
        json_array_extend(all, (json_t *)tags);
    json_array_foreach(json_object_get(in, "TagSpecifications"), i, t)
    {
        const json_t *tt = json_object_get(t, "Tags");
        if (json_is_array(tt))
            json_array_extend(all, (json_t *)tt);
    }
    put_tags(ctx, "aws:requesttag/", all);
    json_array_foreach(all, i, t)
    {
        const char *k = json_string_value(json_object_get(t, "Key"));
        if (k)
            json_array_append_new(keys, json_string(k));
    }
    json_array_foreach(json_object_get(in, "TagKeys"), i, t)
    {
        if (json_is_string(t))
            json_array_append_new(keys, json_string(json_string_value(t)));
    }
    if (json_array_size(keys))
        json_object_set_new(ctx, "aws:tagkeys", keys);
    else
        json_decref(keys);
    json_decref(all);
}

/* iam:PermissionsBoundary [doc: IAM UG reference_policies_iam-condition-keys]: the boundary
 * a CreateUser/CreateRole/Put{User,Role}PermissionsBoundary sets, or for the operations that
 * change a user's or role's permissions the boundary the entity has. */
static void boundary_key(json_t *ctx, struct call *c, const char *service, const char *op,
                         const json_t *in)
{
    static const char *const on_entity[] = {
        "PutUserPolicy",    "DeleteUserPolicy",    "AttachUserPolicy", "DetachUserPolicy",
        "PutRolePolicy",    "DeleteRolePolicy",    "AttachRolePolicy", "DetachRolePolicy",
        "DeleteUserPermissionsBoundary", "DeleteRolePermissionsBoundary",
    };
    if (!str_eq(service, "iam") || !op || !json_is_object(in))
        return;
    const char *pb = json_string_value(json_object_get(in, "PermissionsBoundary"));
    if (pb) {
        json_object_set_new(ctx, "iam:permissionsboundary", json_string(pb));
        return;
    }
    for (size_t i = 0; i < ARRAY_LEN(on_entity); i++) {
        if (!str_eq(op, on_entity[i]))
            continue;
        bool role = strstr(op, "Role") != NULL;
        const char *name = json_string_value(json_object_get(in, role ? "RoleName" : "UserName"));
        char *arn = name ? iam_entity_boundary(c->st, role, name) : NULL;
        if (arn)
            json_object_set_new(ctx, "iam:permissionsboundary", json_string(arn));
        free(arn);
    }
}

json_t *authz_context_full(struct call *c, const struct principal *who,
                           const struct authz_session *sess, const struct authz_extra *extra,
                           const json_t *entity_tags, const json_t *session_tags,
                           const char *resource)
{
    json_t *ctx = authz_context(c, who, sess, extra);
    /* aws:PrincipalTag: the user's or role's tags; a session tag replaces a role tag of the
     * same key [doc: IAM UG id_session-tags "Session tags override a role tag with the same
     * key"] */
    put_tags(ctx, "aws:principaltag/", entity_tags);
    put_tags(ctx, "aws:principaltag/", session_tags);
    if (resource && *resource && !str_eq(resource, "*")) {
        json_t *rt = svc_resource_tags(c, resource);
        if (rt) {
            put_tags(ctx, "aws:resourcetag/", rt);
            if (str_startswith(resource, "arn:aws:ec2:")) /* [doc] EC2's own ec2:ResourceTag */
                put_tags(ctx, "ec2:resourcetag/", rt);
            if (str_startswith(resource, "arn:aws:iam:"))
                put_tags(ctx, "iam:resourcetag/", rt);
            json_decref(rt);
        }
    }
    const json_t *in = extra ? extra->in : NULL;
    request_tag_keys(ctx, in);
    const char *service = extra && extra->service ? extra->service : (c->svc ? c->svc->id : NULL);
    const char *op = extra && extra->op ? extra->op : (c->op ? c->op->name : c->op_name);
    boundary_key(ctx, c, service, op, in);
    return ctx;
}

/* ------------------------------------------------------------ decisions */

/* The caller as the Principal element of a resource-based policy sees it. */
static void match_of(const struct principal *who, const struct authz_session *sess,
                     struct principal_match *m, char *uid, size_t cap)
{
    memset(m, 0, sizeof(*m));
    size_t k = strcspn(who->user_id, ":");
    snprintf(uid, cap, "%.*s", (int)(k < cap ? k : cap - 1), who->user_id);
    m->arn = who->arn[0] ? who->arn : NULL;
    m->account = who->account;
    m->unique_id = uid[0] ? uid : NULL;
    if (who->kind == PRINCIPAL_ROLE_SESSION && sess->role_arn[0])
        m->role_arn = sess->role_arn;
    if (who->kind == PRINCIPAL_SERVICE)
        m->service = who->name;
}

static int decide(struct call *c, const struct principal *who, const char *action,
                  const char *resource, const struct authz_extra *extra,
                  const json_t *resource_policy, enum policy_decision *d)
{
    if (who->kind == PRINCIPAL_ROOT || who->kind == PRINCIPAL_SERVICE) {
        *d = POLICY_ALLOWED; /* root: [doc]; a service acting: inferred */
        return 0;
    }
    int rc = -1;
    bool use_cache = cache_usable(c->st);
    struct authz_session sess;
    struct polset sdocs = {0}, idocs = {0};
    bool sown = false, iown = false;
    json_t *ctx = NULL;
    if (session_get(c, who, use_cache, &sess, &sdocs, &sown))
        goto out;
    if (identity_get(c, who, &sess, use_cache, &idocs, &iown))
        goto out;
    ctx = authz_context_full(c, who, &sess, extra, idocs.tags, sdocs.tags, resource);
    struct policy_request rq = {
        .action = action,
        .resource = resource && *resource ? resource : "*",
        .context = ctx,
        .principal_arn = who->arn,
    };
    const json_t *bdocs[1] = {idocs.boundary};
    struct policy_sets ps = {
        .identity = (const json_t *const *)idocs.docs,
        .n = idocs.n,
        .session = (const json_t *const *)sdocs.docs,
        .m = sdocs.n,
        .has_session = sess.has_session,
        .boundary = bdocs,
        .nb = 1,
        .has_boundary = idocs.boundary != NULL,
    };
    struct principal_match pm;
    char uid[40];
    if (resource_policy) {
        match_of(who, &sess, &pm, uid, sizeof(uid));
        ps.resource_policy = resource_policy;
        ps.who = &pm;
    }
    *d = policy_decide_sets(&ps, &rq);
    rc = 0;
out:
    if (sown)
        polset_free(&sdocs);
    if (iown)
        polset_free(&idocs);
    json_decref(ctx);
    return rc;
}

int authz_decide(struct call *c, const struct principal *who, const char *action,
                 const char *resource, const struct authz_extra *extra, enum policy_decision *d)
{
    return decide(c, who, action, resource, extra, NULL, d);
}

int authz_check_resource(struct call *c, const struct principal *who, const char *action,
                         const char *resource, const json_t *resource_policy,
                         const struct authz_extra *extra)
{
    enum policy_decision d;
    if (decide(c, who, action, resource, extra, resource_policy, &d))
        return call_internal(c);
    if (d == POLICY_ALLOWED)
        return 0;
    return authz_fail(c, who, action, resource, d);
}

/* base64url without padding of s (arena). */
static char *b64url(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, 4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return out;
}

static bool call_is_mutating(const struct call *c)
{
    const struct op_def *def = c->svc && c->op ? ops_find(c->svc->id, c->op->name) : NULL;
    return def && (def->flags & OPF_WRITE);
}

int authz_fail(struct call *c, const struct principal *who, const char *action,
               const char *resource, enum policy_decision d)
{
    const char *msg = policy_denial_message(c->a, who->arn, action, resource, d);
    if (!msg)
        msg = "";
    if (c->proto == PROTO_EC2) {
        /* aws-behaviour.md §3.7 [obs]: "You are not authorized to perform this operation."
         * then the IAM text; mutating calls append "Encoded authorization failure message:"
         * and an opaque blob. Here the blob is the decision as base64url JSON, and the
         * period joining the two is inferred. */
        if (call_is_mutating(c)) {
            json_t *j = json_pack(
                "{s:b, s:b, s:{s:{s:s, s:s}, s:s, s:s}}", "allowed", 0, "explicitDeny",
                d == POLICY_DENIED_EXPLICIT_IDENTITY || d == POLICY_DENIED_EXPLICIT_SESSION ||
                    d == POLICY_DENIED_EXPLICIT_BOUNDARY || d == POLICY_DENIED_EXPLICIT_RESOURCE,
                "context", "principal", "id", who->user_id, "arn", who->arn, "action", action,
                "resource", resource && *resource ? resource : "*");
            char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
            const char *blob = txt ? b64url(c->a, txt) : "";
            free(txt);
            json_decref(j);
            return call_fail(c, 403, "UnauthorizedOperation",
                             "You are not authorized to perform this operation. %s. Encoded "
                             "authorization failure message: %s",
                             msg, blob);
        }
        return call_fail(c, 403, "UnauthorizedOperation",
                         "You are not authorized to perform this operation. %s", msg);
    }
    return call_fail(c, 403, "AccessDenied", "%s", msg);
}

int authz_check(struct call *c, const struct principal *who, const char *action,
                const char *resource, const struct authz_extra *extra)
{
    enum policy_decision d;
    if (authz_decide(c, who, action, resource, extra, &d))
        return call_internal(c);
    if (d == POLICY_ALLOWED)
        return 0;
    return authz_fail(c, who, action, resource, d);
}

/* ------------------------------------------------------------ the pipeline step */

/*
 * What temporary credentials cannot do, whatever the policies say [doc: IAM UG
 * id_credentials_temp_request "Comparing the AWS STS API operations"]: GetSessionToken and
 * GetFederationToken credentials cannot call IAM (AWS answers InvalidClientTokenId [obs]),
 * federated users no STS operation but GetCallerIdentity, and session credentials cannot
 * get more session or federation tokens ("Cannot call GetSessionToken with session
 * credentials" [obs]).
 */
static int credential_restrictions(struct call *c, const struct op_def *def)
{
    const struct principal *p = &c->who;
    bool session_token = p->temporary && (p->kind == PRINCIPAL_USER || p->kind == PRINCIPAL_ROOT);
    bool federated = p->kind == PRINCIPAL_FEDERATED;
    if (str_eq(def->service, "iam") && (session_token || federated))
        return call_fail(c, 403, "InvalidClientTokenId",
                         "The security token included in the request is invalid.");
    if (!str_eq(def->service, "sts") || str_eq(def->name, "GetCallerIdentity"))
        return 0;
    bool temporary = p->temporary || federated || p->kind == PRINCIPAL_ROLE_SESSION;
    if (temporary && (str_eq(def->name, "GetSessionToken") ||
                      str_eq(def->name, "GetFederationToken") || federated))
        return call_fail(c, 403, "AccessDenied", "Cannot call %s with session credentials",
                         def->name); /* for federated callers of other STS operations: inferred */
    return 0;
}

/*
 * An EC2 action on several instances is authorized for each of them [doc: EC2 API
 * "Resource-level permissions": every resource of the request must be allowed], the first
 * one refused named in the error. 0, or -1 with c failed; 1 when the request names at most
 * one instance (the row's resource function decides).
 */
static int each_instance(struct call *c, const struct principal *who, const struct op_def *def,
                         const json_t *in, const struct authz_extra *extra)
{
    const json_t *ids = json_object_get(in, EC2_IN_InstanceIds);
    if (!str_eq(def->service, "ec2") || !def->resource || json_array_size(ids) < 2)
        return 1;
    size_t i;
    const json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        if (!id)
            continue;
        const char *arn = arena_printf(c->a, "arn:aws:ec2:%s:%s:instance/%s",
                                       c->region ? c->region : "", c->account, id);
        if (authz_check(c, who, def->iam_action, arn, extra))
            return -1;
    }
    return 0;
}

int authz_request(struct call *c, const struct op_def *def, const json_t *in)
{
    if (c->auth_off)
        return 0;
    if (def->flags & OPF_NO_AUTHZ && str_eq(def->name, "GetCallerIdentity"))
        return 0; /* [doc] needs no permission; works with every kind of credentials */
    if (credential_restrictions(c, def))
        return -1;
    if (def->flags & (OPF_NO_AUTHZ | OPF_AUTHZ_IN_HANDLER))
        return 0;
    if (c->who.kind == PRINCIPAL_ROOT)
        return 0;
    struct authz_extra extra = {.in = in, .service = def->service, .op = def->name};
    int each = each_instance(c, &c->who, def, in, &extra);
    if (each <= 0)
        return each;
    const char *resource = def->resource ? def->resource(c, in) : "*";
    return authz_check(c, &c->who, def->iam_action, resource, &extra);
}

int authz_hook(struct call *c, const struct op_def *def, const json_t *in,
               const struct svc_invoked *inv)
{
    if (!inv)
        return authz_request(c, def, in);
    if (c->auth_off || (def->flags & (OPF_NO_AUTHZ | OPF_AUTHZ_IN_HANDLER)))
        return 0;
    const char *via_service = inv->via_service;
    const char *const called_via[1] = {via_service};
    struct authz_extra extra = {
        .via_aws_service = via_service != NULL,
        .called_via = via_service ? called_via : NULL,
        .ncalled_via = via_service ? 1 : 0,
        .in = in,
        .service = def->service,
        .op = def->name,
    };
    int each = each_instance(c, &c->who, def, in, &extra);
    if (each <= 0)
        return each;
    const char *res = def->resource ? def->resource(c, in) : "*";
    return authz_check(c, &c->who, def->iam_action, res, &extra);
}
