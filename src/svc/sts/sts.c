/*
 * sts.c — AWS Security Token Service: GetCallerIdentity, AssumeRole, GetSessionToken,
 * GetFederationToken, and the issuing of temporary credentials (sts.h).
 *
 * Temporary credentials are IAM access keys (iam_session_key_issue): an ASIA... key id, a
 * 40-character secret, a long random session token, expires_ms in virtual time (SigV4
 * answers ExpiredToken after it), the principal JSON of the session (principal_to_json plus
 * "role_arn", "issuer", "issuer_id", "source_identity" and "tags", which principal_from_json
 * ignores; owner stays NULL: session keys are no IAM user's access keys) and the session
 * policies (a JSON array of policy documents; NULL when none were passed, except for
 * federated users who always have session policies [doc]). Deleting the row makes the key
 * unknown (InvalidClientTokenId).
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "auth/managed_policies.h"
#include "auth/policy.h"
#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/iam/iam.h"
#include "svc/sts/sts.h"
#include "svc/svc.h"
#include "svc/sts/ops.h"
#include "wire/models/sts_members.h"

/* ================================================================ issuing */

/* A session token: looks like AWS's (base64 of an opaque blob that starts with the same
 * bytes as real tokens, "IQoJb3JpZ2luX2Vj..."); 361 characters (inferred: real tokens are a
 * few hundred to over a thousand characters). */
static void new_session_token(char out[STS_TOKEN_MAX])
{
    unsigned char raw[268];
    static const unsigned char head[] = {0x21, 0x0a, 0x09, 'o', 'r', 'i',
                                         'g',  'i',  'n',  '_', 'e', 'c'};
    memcpy(raw, head, sizeof(head));
    rand_bytes(raw + sizeof(head), sizeof(raw) - sizeof(head));
    EVP_EncodeBlock((unsigned char *)out, raw, (int)sizeof(raw));
}

/*
 * Issues and stores credentials for principal p (kind, arn, user_id, name, session_name
 * filled by the caller); extra (may be NULL, borrowed) adds members to the stored principal
 * JSON; session_policies is a JSON array text or NULL. Fills the key id, secret, token and
 * expiry of *out. 0 ok, -1 on a store error.
 */
static int issue(struct store *st, struct principal *p, const json_t *extra,
                 const char *session_policies, int64_t now_ms, int64_t duration_s,
                 struct sts_credentials *out)
{
    int rc = -1;
    char *pjson = NULL, *full = NULL;
    json_t *pj = NULL;
    memset(out, 0, sizeof(*out));
    p->temporary = true;
    out->expires_ms = now_ms + duration_s * 1000;
    p->expires_ms = out->expires_ms;
    if (!(pjson = principal_to_json(p)) || !(pj = json_loads(pjson, 0, NULL)))
        goto out;
    if (extra)
        json_object_update(pj, (json_t *)extra);
    if (!(full = json_dumps(pj, JSON_COMPACT)))
        goto out;
    new_session_token(out->session_token);
    if (iam_session_key_issue(st, full, session_policies, out->session_token, now_ms,
                              out->expires_ms, out->access_key_id, out->secret))
        goto out;
    snprintf(p->access_key_id, sizeof(p->access_key_id), "%s", out->access_key_id);
    rc = 0;
out:
    free(pjson);
    free(full);
    json_decref(pj);
    return rc;
}

/* The principal of a session of role named session. */
static void role_session_principal(const char *account, const struct iam_role *role,
                                   const char *session, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    p->kind = PRINCIPAL_ROLE_SESSION;
    p->temporary = true;
    snprintf(p->account, sizeof(p->account), "%s", account);
    snprintf(p->arn, sizeof(p->arn), "arn:aws:sts::%s:assumed-role/%s/%s", account, role->name,
             session);
    snprintf(p->user_id, sizeof(p->user_id), "%s:%s", role->role_id, session);
    snprintf(p->name, sizeof(p->name), "%s", role->name);
    snprintf(p->session_name, sizeof(p->session_name), "%s", session);
}

int sts_issue_role_credentials(struct store *st, const char *account, const struct iam_role *role,
                               const char *session_name, int64_t now_ms, int64_t duration_s,
                               struct sts_credentials *out)
{
    struct principal p;
    role_session_principal(account, role, session_name, &p);
    json_t *extra = json_pack("{s:s}", "role_arn", role->arn);
    int rc = issue(st, &p, extra, NULL, now_ms, duration_s, out);
    json_decref(extra);
    if (rc == 0) {
        snprintf(out->arn, sizeof(out->arn), "%s", p.arn);
        snprintf(out->assumed_role_id, sizeof(out->assumed_role_id), "%s", p.user_id);
    }
    return rc;
}

bool sts_role_trusts_service(const struct iam_role *role, const char *service, int64_t now_ms)
{
    json_t *doc = role && role->trust_policy ? json_loads(role->trust_policy, 0, NULL) : NULL;
    if (!doc)
        return false;
    char iso[32];
    time_fmt_iso8601(now_ms, iso);
    json_t *ctx = json_pack("{s:s, s:I, s:b}", "aws:currenttime", iso, "aws:epochtime",
                            (json_int_t)(now_ms / 1000), "aws:principalisawsservice", 1);
    struct policy_request rq = {.action = "sts:AssumeRole", .resource = role->arn, .context = ctx};
    struct principal_match who = {.service = service};
    bool ok = policy_eval_trust(doc, &rq, &who) == POLICY_ALLOW;
    json_decref(ctx);
    json_decref(doc);
    return ok;
}

/* ================================================================ handler helpers */

static const char *in_str(const json_t *in, const char *member)
{
    return json_string_value(json_object_get(in, member));
}

static void out_credentials(struct out *o, const struct sts_credentials *cr)
{
    out_begin(o, "Credentials");
    out_str(o, "AccessKeyId", cr->access_key_id);
    out_str(o, "SecretAccessKey", cr->secret);
    out_str(o, "SessionToken", cr->session_token);
    out_time(o, "Expiration", cr->expires_ms);
    out_end(o);
}

/* The session's DurationSeconds: the input's, else dflt. */
static int64_t in_duration(const json_t *in, int64_t dflt)
{
    const json_t *d = json_object_get(in, STS_IN_DurationSeconds);
    return json_is_integer(d) ? (int64_t)json_integer_value(d) : dflt;
}

/* ceil(100 * used / limit) */
static int64_t percent(size_t used, size_t limit)
{
    return (int64_t)((used * 100 + limit - 1) / limit);
}

/*
 * The session policies of a request (Policy and PolicyArns) as a JSON array text (heap) in
 * *text, or NULL when neither was given, and the packed size percentage (inferred model:
 * AWS packs and compresses; here the plaintext of the policies and tags against the 2,048
 * characters [doc: "the plaintext that you use for both inline and managed session
 * policies can't exceed 2,048 characters"], policies first). *given tells whether policies
 * or tags were passed (PackedPolicySize is returned then). 0 ok, -1 with the call failed.
 */
static int session_policies(struct call *c, const json_t *in, char **text, int64_t *packed,
                            bool *given)
{
    int rc = -1;
    json_t *arr = json_array();
    const char *pol = in_str(in, STS_IN_Policy);
    const json_t *arns = json_object_get(in, STS_IN_PolicyArns);
    const json_t *tags = json_object_get(in, STS_IN_Tags);
    size_t plain = 0, tag_chars = 0;
    *text = NULL;
    *packed = 0;
    *given = pol || json_array_size(arns) || json_array_size(tags);

    if (json_array_size(arns) > 10) {
        call_fail(c, 400, "ValidationError", /* inferred: the model sets no maximum; [doc] 10 */
                  "1 validation error detected: Value at 'policyArns' failed to satisfy "
                  "constraint: Member must have length less than or equal to 10");
        goto out;
    }
    if (pol) {
        char err[POLICY_ERR_MAX];
        struct policy_parse_opts opts = {.kind = POLICY_KIND_SESSION};
        json_t *doc = NULL;
        if (policy_parse(pol, strlen(pol), &opts, &doc, err)) {
            call_fail(c, 400, "MalformedPolicyDocument", "%s", err);
            goto out;
        }
        json_array_append_new(arr, doc);
        plain += policy_size(pol, strlen(pol));
    }
    size_t i;
    const json_t *d;
    json_array_foreach(arns, i, d)
    {
        const char *arn = in_str(d, STS_M_PolicyDescriptorType_arn);
        const char *docs = NULL;
        if (!arn) {
            call_fail(c, 400, "ValidationError", /* inferred */
                      "1 validation error detected: Value null at 'policyArns.%zu.member.arn' "
                      "failed to satisfy constraint: Member must not be null",
                      i + 1);
            goto out;
        }
        const struct managed_policy *mp = managed_policy_by_arn(arn);
        if (mp)
            docs = mp->document;
        else
            iam_policy_default_doc(c->st, c->a, arn, &docs); /* docs NULL: none */
        json_t *doc = docs ? json_loads(docs, 0, NULL) : NULL;
        if (!doc) {
            /* inferred: IAM's words for an unknown policy ARN */
            call_fail(c, 400, "ValidationError", "Policy %s does not exist or is not attachable.",
                      arn);
            goto out;
        }
        json_array_append_new(arr, doc);
        plain += strlen(arn);
    }
    json_array_foreach(tags, i, d)
    {
        const char *k = in_str(d, STS_M_Tag_Key), *v = in_str(d, STS_M_Tag_Value);
        tag_chars += (k ? strlen(k) : 0) + (v ? strlen(v) : 0);
    }
    if (plain > POLICY_LIMIT_SESSION) {
        /* [obs] re:Post knowledge-center iam-role-aws-sts-error */
        call_fail(c, 400, "PackedPolicyTooLarge",
                  "Packed policy consumes %lld%% of allotted space, please use smaller policy.",
                  (long long)percent(plain, POLICY_LIMIT_SESSION));
        goto out;
    }
    if (plain + tag_chars > POLICY_LIMIT_SESSION) {
        call_fail(c, 400, "PackedPolicyTooLarge",
                  "Packed size of session tags consumes %lld%% of allotted space.",
                  (long long)percent(plain + tag_chars, POLICY_LIMIT_SESSION));
        goto out;
    }
    *packed = percent(plain + tag_chars, POLICY_LIMIT_SESSION);
    if (pol || json_array_size(arns))
        *text = json_dumps(arr, JSON_COMPACT);
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

/* The session tags as stored with the principal: [{"Key":..,"Value":..}]. */
static json_t *tags_json(const json_t *in)
{
    json_t *t = json_object_get(in, STS_IN_Tags);
    return json_is_array(t) ? json_deep_copy(t) : json_array();
}

/* ================================================================ GetCallerIdentity */

/*
 * GetCallerIdentity: who the caller is, from the authenticated principal (aws-behaviour
 * §4.2): root -> Arn arn:aws:iam::ACCT:root, UserId = the account id; IAM user ->
 * arn:aws:iam::ACCT:user/NAME, AIDA...; assumed role -> arn:aws:sts::ACCT:assumed-role/R/S,
 * AROA...:S; federated user -> arn:aws:sts::ACCT:federated-user/NAME, ACCT:NAME. Needs no
 * permission (OPF_NO_AUTHZ). The principal carries all three values; the account falls back
 * to the call's account for a principal that lacks one.
 */
int sts_get_caller_identity(struct call *c, const json_t *in, struct out *o)
{
    (void)in;
    const struct principal *p = &c->who;
    const char *account = p->account[0] ? p->account : c->account;
    if (!p->arn[0] || !account)
        return call_internal(c); /* inferred: no identity is a bug */
    out_str(o, "UserId", p->user_id[0] ? p->user_id : account);
    out_str(o, "Account", account);
    out_str(o, "Arn", p->arn);
    return 0;
}

/* ================================================================ AssumeRole */

/* Splits arn:PARTITION:iam::ACCOUNT:role/PATH/NAME. Returns 1 when it is a well-formed ARN
 * but not an IAM role ARN, 0 for a role ARN (*account, *name into the arena), -1 when it is
 * not an ARN at all. */
static int role_arn_parts(struct arena *a, const char *arn, const char **account, const char **name)
{
    const char *f[6];
    size_t len[6];
    const char *p = arn;
    if (!str_startswith(arn, "arn:"))
        return -1;
    for (int i = 0; i < 6; i++) {
        const char *colon = i < 5 ? strchr(p, ':') : NULL;
        if (i < 5 && !colon)
            return -1;
        f[i] = p;
        len[i] = colon ? (size_t)(colon - p) : strlen(p);
        p = colon ? colon + 1 : p + len[i];
    }
    if (len[1] == 0 || len[2] == 0 || len[5] == 0) /* partition, service, resource */
        return -1;
    if (len[2] != 3 || memcmp(f[2], "iam", 3) != 0 || len[4] != 12 ||
        !str_startswith(f[5], "role/"))
        return 1;
    const char *slash = strrchr(f[5], '/');
    *account = arena_strndup(a, f[4], len[4]);
    *name = arena_strdup(a, slash + 1);
    return **name ? 0 : 1;
}

/* The caller, as the Principal element of a trust policy sees it. */
struct trust_who {
    struct principal_match full;      /* every way the caller can be named */
    struct principal_match direct;    /* by its own ARN or unique id */
    struct principal_match role_only; /* a role session named by its role's ARN */
    char unique_id[40];
};

static void trust_who_init(const struct principal *p, const struct authz_session *s,
                           struct trust_who *w)
{
    memset(w, 0, sizeof(*w));
    /* AROA...:SESSION -> AROA... (a role session's unique id part) */
    size_t k = p->kind == PRINCIPAL_ROLE_SESSION ? strcspn(p->user_id, ":") : strlen(p->user_id);
    if (k < sizeof(w->unique_id))
        memcpy(w->unique_id, p->user_id, k);
    w->full.arn = p->arn;
    w->full.account = p->account;
    w->full.unique_id = w->unique_id[0] ? w->unique_id : NULL;
    if (p->kind == PRINCIPAL_ROLE_SESSION && s->role_arn[0])
        w->full.role_arn = s->role_arn;
    if (p->kind == PRINCIPAL_SERVICE)
        w->full.service = p->name;
    w->direct = w->full;
    w->direct.account = NULL;
    w->direct.role_arn = NULL;
    if (p->kind == PRINCIPAL_ROLE_SESSION)
        w->direct.unique_id = NULL; /* a role's unique id names the role, not the session */
    w->role_only.role_arn = w->full.role_arn;
    w->role_only.unique_id = p->kind == PRINCIPAL_ROLE_SESSION ? w->full.unique_id : NULL;
}

/*
 * May the caller perform action (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity) on
 * role? The trust policy must allow the caller [doc: "Role trust policies ... must
 * explicitly allow access for principals"]. Within the account, a trust policy that names
 * the caller's own ARN (user, role session, or "*") grants by itself; one that names a role
 * session's role ARN is still limited by the session's session policies; one that names the
 * account delegates to IAM, so the caller's identity policies must allow the action on the
 * role too [doc: IAM UG reference_policies_evaluation-logic, identity vs resource-based].
 * An explicit Deny in any of them denies. 0 allowed, -1 with the call failed.
 */
static int trust_check(struct call *c, const json_t *trust, const json_t *ctx,
                       const struct trust_who *w, const char *action, const char *role_arn)
{
    struct policy_request rq = {
        .action = action, .resource = role_arn, .context = ctx, .principal_arn = c->who.arn};
    enum policy_effect te = policy_eval_trust(trust, &rq, &w->full);
    if (te == POLICY_DENY) /* [doc] IAM UG troubleshoot_access-denied: "with an explicit deny
                            * in a resource-based policy" */
        return call_fail(c, 403, "AccessDenied",
                         "User: %s is not authorized to perform: %s on resource: %s with an "
                         "explicit deny in a resource-based policy",
                         c->who.arn, action, role_arn);
    if (te != POLICY_ALLOW)
        /* aws-behaviour.md §4.3 [obs]: no "because ..." clause for the trust refusal */
        return call_fail(c, 403, "AccessDenied",
                         "User: %s is not authorized to perform: %s on resource: %s", c->who.arn,
                         action, role_arn);
    enum policy_decision d;
    if (authz_decide(c, &c->who, action, role_arn, NULL, &d))
        return call_internal(c);
    if (d == POLICY_ALLOWED || d == POLICY_DENIED_EXPLICIT_IDENTITY ||
        d == POLICY_DENIED_EXPLICIT_SESSION)
        return d == POLICY_ALLOWED ? 0 : authz_fail(c, &c->who, action, role_arn, d);
    if (policy_eval_trust(trust, &rq, &w->direct) == POLICY_ALLOW)
        return 0;
    if (w->role_only.role_arn && policy_eval_trust(trust, &rq, &w->role_only) == POLICY_ALLOW &&
        d != POLICY_DENIED_IMPLICIT_SESSION)
        return 0;
    return authz_fail(c, &c->who, action, role_arn, d);
}

/*
 * --auth off (suites written for moto/LocalStack assume roles they never created): a role
 * that does not exist is stood in for by one named by the ARN, with a unique id derived from
 * the ARN (inferred convenience, as those emulators allow). Returns 0.
 */
static int auth_off_role(struct call *c, const char *arn, const char *name, struct iam_role *r)
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char d[32];
    unsigned int dl = 0;
    EVP_Digest(arn, strlen(arn), d, &dl, EVP_sha256(), NULL);
    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "%s", name);
    memcpy(r->role_id, "AROA", 4);
    for (int i = 0; i < 17; i++)
        r->role_id[4 + i] = b32[d[i] & 31];
    snprintf(r->path, sizeof(r->path), "/");
    snprintf(r->arn, sizeof(r->arn), "%s", arn);
    r->max_session_s = 43200;
    r->created_ms = c->now_ms;
    return 0;
}

/* The checks of one AssumeRole: sts:AssumeRole, plus sts:TagSession for session tags and
 * sts:SetSourceIdentity for a source identity [doc: IAM UG id_session-tags,
 * id_credentials_temp_control-access_monitor]. 0 allowed, -1 with the call failed. */
static int assume_authorize(struct call *c, const json_t *in, const json_t *trust,
                            const json_t *ctx, const struct trust_who *w, const char *role_arn)
{
    if (trust_check(c, trust, ctx, w, "sts:AssumeRole", role_arn))
        return -1;
    if (json_array_size(json_object_get(in, STS_M_AssumeRoleRequest_Tags)) &&
        trust_check(c, trust, ctx, w, "sts:TagSession", role_arn))
        return -1;
    if (in_str(in, STS_M_AssumeRoleRequest_SourceIdentity) &&
        trust_check(c, trust, ctx, w, "sts:SetSourceIdentity", role_arn))
        return -1;
    return 0;
}

/* The caller's own tags (a user's or its role's) and session tags with their transitive keys
 * (role sessions), new references or NULL. */
static void caller_tags(struct call *c, json_t **entity, json_t **session, json_t **transitive)
{
    char *barn = NULL;
    json_t *bdoc = NULL;
    *entity = *session = *transitive = NULL;
    if (c->who.kind != PRINCIPAL_FEDERATED &&
        iam_principal_facts(c->st, &c->who, entity, &barn, &bdoc) == 0) {
        free(barn);
        json_decref(bdoc);
    }
    struct iam_session ks;
    if (c->who.temporary && c->who.access_key_id[0] &&
        iam_session_get(c->st, c->a, c->who.access_key_id, &ks) == 0) {
        *session = *ks.tags ? json_loads(ks.tags, 0, NULL) : NULL;
        *transitive = *ks.transitive ? json_loads(ks.transitive, 0, NULL) : NULL;
    }
}

/* The trust-policy context: the caller's keys (its principal tags included) plus what
 * AssumeRole passes. */
static json_t *assume_context(struct call *c, const json_t *in, const struct authz_session *s,
                              const json_t *etags, const json_t *stags, const char *role_arn)
{
    json_t *ctx = authz_context_full(c, &c->who, s, NULL, etags, stags, role_arn);
    const char *v;
    if ((v = in_str(in, STS_M_AssumeRoleRequest_ExternalId)))
        json_object_set_new(ctx, "sts:externalid", json_string(v));
    if ((v = in_str(in, STS_M_AssumeRoleRequest_RoleSessionName)))
        json_object_set_new(ctx, "sts:rolesessionname", json_string(v));
    if ((v = in_str(in, STS_M_AssumeRoleRequest_SourceIdentity)))
        json_object_set_new(ctx, "sts:sourceidentity", json_string(v));
    size_t i;
    const json_t *t;
    json_t *keys = json_array();
    json_array_foreach(json_object_get(in, STS_M_AssumeRoleRequest_Tags), i, t)
    {
        const char *k = in_str(t, STS_M_Tag_Key), *val = in_str(t, STS_M_Tag_Value);
        if (!k)
            continue;
        char *key = arena_printf(c->a, "aws:requesttag/%s", k);
        for (char *p = key; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        json_object_set_new(ctx, key, json_string(val ? val : ""));
        json_array_append_new(keys, json_string(k));
    }
    if (json_array_size(keys))
        json_object_set_new(ctx, "aws:tagkeys", keys);
    else
        json_decref(keys);
    const json_t *tt = json_object_get(in, STS_M_AssumeRoleRequest_TransitiveTagKeys);
    if (json_array_size(tt))
        json_object_set_new(ctx, "sts:transitivetagkeys", json_deep_copy(tt));
    return ctx;
}

/* Does the tag list hold key k (tag keys compare case-insensitively [doc])? */
static bool tag_list_has(const json_t *tags, const char *k)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        if (str_ieq(json_string_value(json_object_get(t, "Key")), k))
            return true;
    }
    return false;
}

/*
 * Session tags through role chaining [doc: IAM UG id_session-tags, "Chaining roles with
 * session tags"]: the caller session's transitive tags pass to the new session and stay
 * transitive; a request cannot set a tag with the key of an inherited transitive tag; the
 * request's TransitiveTagKeys must name tags it passes. tags (the request's, in place) and
 * trans (out) become the new session's tags and transitive keys. 0 or -1 with c failed.
 */
static int chain_tags(struct call *c, const json_t *in, const json_t *stags, const json_t *trans,
                      json_t *tags, json_t *out_trans)
{
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(in, STS_M_AssumeRoleRequest_TransitiveTagKeys), i, k)
    {
        const char *key = json_string_value(k);
        if (!key)
            continue;
        if (!tag_list_has(tags, key)) /* inferred message */
            return call_fail(c, 400, "InvalidParameterValue",
                             "The specified transitive tag key must be included in the "
                             "requested tags.");
        json_array_append_new(out_trans, json_string(key));
    }
    json_array_foreach(trans, i, k)
    {
        const char *key = json_string_value(k);
        if (!key)
            continue;
        if (tag_list_has(tags, key)) /* [doc] the operation fails; the text is inferred */
            return call_fail(c, 400, "InvalidParameterValue",
                             "One or more of the specified session tag keys conflict with a "
                             "transitive tag key inherited from the calling session: %s.",
                             key);
        size_t j;
        const json_t *t;
        json_array_foreach(stags, j, t)
        {
            if (str_ieq(json_string_value(json_object_get(t, "Key")), key))
                json_array_append(tags, (json_t *)t);
        }
        json_array_append_new(out_trans, json_string(key));
    }
    return 0;
}

/*
 * AssumeRole: the role must exist and trust the caller (trust_check); root cannot assume
 * roles; DurationSeconds 900..the role's MaxSessionDuration (default 3600), at most one hour
 * when the caller already uses temporary credentials (role chaining); optional session
 * policies (Policy, PolicyArns), Tags (trust must allow sts:TagSession), SourceIdentity
 * (sts:SetSourceIdentity) and ExternalId (condition key sts:ExternalId). Returns ASIA
 * credentials and AssumedRoleUser (aws-behaviour.md §4.2/§4.3).
 */
int sts_assume_role(struct call *c, const json_t *in, struct out *o)
{
    int rc = -1;
    json_t *trust = NULL, *ctx = NULL, *extra = NULL, *new_tags = NULL, *new_trans = NULL;
    char *spol = NULL;
    const char *role_arn = in_str(in, STS_M_AssumeRoleRequest_RoleArn);
    const char *session = in_str(in, STS_M_AssumeRoleRequest_RoleSessionName);
    const char *source_identity = in_str(in, STS_M_AssumeRoleRequest_SourceIdentity);
    if (!role_arn || !session)
        return call_fail(c, 400, "ValidationError", /* wire_validate normally catches these */
                         "1 validation error detected: Value null at '%s' failed to satisfy "
                         "constraint: Member must not be null",
                         role_arn ? "roleSessionName" : "roleArn");
    if (c->who.kind == PRINCIPAL_ROOT && !c->auth_off)
        return call_fail(c, 403, "AccessDenied", "Roles may not be assumed by root accounts.");
    if (c->who.kind == PRINCIPAL_FEDERATED)
        return call_fail(c, 403, "AccessDenied", /* inferred wording, [doc] rule */
                         "Cannot call AssumeRole with session credentials");

    const char *acct = NULL, *name = NULL;
    int prc = role_arn_parts(c->a, role_arn, &acct, &name);
    if (prc < 0) /* aws-behaviour.md §4.3 [snap] */
        return call_fail(c, 400, "ValidationError", "%s is invalid", role_arn);
    struct iam_role role;
    int grc = prc == 0 && str_eq(acct, c->account)
                  ? iam_role_get_by_arn(c->st, c->a, role_arn, &role)
                  : 1;
    if (grc < 0)
        return call_internal(c);
    if (grc > 0 && prc == 0 && c->auth_off)
        grc = auth_off_role(c, role_arn, name, &role);
    if (grc > 0) /* an unknown role is refused like an untrusting one (AWS does not tell) */
        return call_fail(c, 403, "AccessDenied",
                         "User: %s is not authorized to perform: sts:AssumeRole on resource: %s",
                         c->who.arn, role_arn);

    struct authz_session sess;
    if (authz_session_get(c, &c->who, &sess))
        return call_internal(c);
    trust = role.trust_policy ? json_loads(role.trust_policy, 0, NULL) : NULL;
    json_t *etags = NULL, *stags = NULL, *trans = NULL;
    caller_tags(c, &etags, &stags, &trans);
    ctx = assume_context(c, in, &sess, etags, stags, role.arn);
    new_tags = tags_json(in);
    new_trans = json_array();
    if (chain_tags(c, in, stags, trans, new_tags, new_trans)) {
        json_decref(etags);
        json_decref(stags);
        json_decref(trans);
        goto out;
    }
    json_decref(etags);
    json_decref(stags);
    json_decref(trans);
    struct trust_who w;
    trust_who_init(&c->who, &sess, &w);
    if (!c->auth_off && assume_authorize(c, in, trust, ctx, &w, role.arn)) /* --auth off: none */
        goto out;

    int64_t dur = in_duration(in, STS_ROLE_DEFAULT_S);
    bool chained = c->who.temporary || c->who.kind == PRINCIPAL_ROLE_SESSION;
    if (chained && dur > STS_CHAINED_MAX_S) {
        /* [obs] many public reports */
        call_fail(c, 400, "ValidationError",
                  "The requested DurationSeconds exceeds the 1 hour "
                  "session limit for roles assumed by role chaining.");
        goto out;
    }
    if (dur > role.max_session_s) {
        call_fail(c, 400, "ValidationError",
                  "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                  "role.");
        goto out;
    }
    int64_t packed;
    bool given;
    if (session_policies(c, in, &spol, &packed, &given))
        goto out;

    struct principal p;
    role_session_principal(c->account, &role, session, &p);
    extra = json_pack("{s:s, s:O}", "role_arn", role.arn, "tags", new_tags);
    if (json_array_size(new_trans))
        json_object_set(extra, "transitive_tag_keys", new_trans);
    if (source_identity)
        json_object_set_new(extra, "source_identity", json_string(source_identity));
    else if (sess.source_identity[0]) /* [doc] a source identity persists across chaining */
        json_object_set_new(extra, "source_identity", json_string(sess.source_identity));
    struct sts_credentials cr;
    if (issue(c->st, &p, extra, spol, c->now_ms, dur, &cr)) {
        call_internal(c);
        goto out;
    }
    out_credentials(o, &cr);
    out_begin(o, "AssumedRoleUser");
    out_str(o, "AssumedRoleId", p.user_id);
    out_str(o, "Arn", p.arn);
    out_end(o);
    if (given)
        out_int(o, "PackedPolicySize", packed);
    if (source_identity)
        out_str(o, "SourceIdentity", source_identity);
    rc = 0;
out:
    free(spol);
    json_decref(trust);
    json_decref(ctx);
    json_decref(extra);
    json_decref(new_tags);
    json_decref(new_trans);
    return rc;
}

/* ================================================================ GetSessionToken */

/*
 * GetSessionToken: temporary credentials for the calling IAM user or root (same identity,
 * ASIA key). 900..129600 s, default 43200; the root's sessions last at most an hour
 * ("defaults to one hour" [doc]). Not callable with temporary credentials [obs: "Cannot
 * call GetSessionToken with session credentials"]. No MFA devices exist in the lab, so a
 * SerialNumber/TokenCode can never be validated.
 */
int sts_get_session_token(struct call *c, const json_t *in, struct out *o)
{
    const struct principal *who = &c->who;
    if (who->temporary || (who->kind != PRINCIPAL_USER && who->kind != PRINCIPAL_ROOT))
        return call_fail(c, 403, "AccessDenied",
                         "Cannot call GetSessionToken with session "
                         "credentials");
    if (in_str(in, STS_M_GetSessionTokenRequest_SerialNumber) ||
        in_str(in, STS_M_GetSessionTokenRequest_TokenCode))
        return call_fail(c, 403, "AccessDenied", /* inferred: AWS's text for a bad MFA code */
                         "MultiFactorAuthentication failed with invalid MFA one time pass code. ");
    int64_t dur = in_duration(in, STS_TOKEN_DEFAULT_S);
    if (who->kind == PRINCIPAL_ROOT && dur > STS_ROOT_MAX_S)
        dur = STS_ROOT_MAX_S;
    struct principal p = *who;
    p.access_key_id[0] = '\0';
    struct sts_credentials cr;
    if (issue(c->st, &p, NULL, NULL, c->now_ms, dur, &cr))
        return call_internal(c);
    out_credentials(o, &cr);
    return 0;
}

/* ================================================================ GetFederationToken */

/*
 * GetFederationToken: credentials for federated user Name, whose permissions are the
 * intersection of the calling user's identity policies (the root's: everything) and the
 * session policies passed — none passed means no permissions [doc]. Long-term credentials
 * only [obs: "Cannot call GetFederationToken with session credentials"]. 900..129600 s,
 * default 43200, root at most an hour.
 */
int sts_get_federation_token(struct call *c, const json_t *in, struct out *o)
{
    int rc = -1;
    const struct principal *who = &c->who;
    const char *name = in_str(in, STS_M_GetFederationTokenRequest_Name);
    char *spol = NULL;
    json_t *extra = NULL;
    if (who->temporary || (who->kind != PRINCIPAL_USER && who->kind != PRINCIPAL_ROOT))
        return call_fail(c, 403, "AccessDenied",
                         "Cannot call GetFederationToken with session "
                         "credentials");
    if (!name)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value null at "
                         "'name' failed to satisfy constraint: Member "
                         "must not be null");
    int64_t dur = in_duration(in, STS_TOKEN_DEFAULT_S);
    if (who->kind == PRINCIPAL_ROOT && dur > STS_ROOT_MAX_S)
        dur = STS_ROOT_MAX_S;
    int64_t packed;
    bool given;
    if (session_policies(c, in, &spol, &packed, &given))
        goto out;

    struct principal p;
    memset(&p, 0, sizeof(p));
    p.kind = PRINCIPAL_FEDERATED;
    snprintf(p.account, sizeof(p.account), "%s", c->account);
    snprintf(p.arn, sizeof(p.arn), "arn:aws:sts::%s:federated-user/%s", c->account, name);
    snprintf(p.user_id, sizeof(p.user_id), "%s:%s", c->account, name);
    snprintf(p.name, sizeof(p.name), "%s", name);
    bool user = who->kind == PRINCIPAL_USER;
    extra = json_pack("{s:s, s:s, s:o}", "issuer", user ? who->name : "", "issuer_id",
                      user ? who->user_id : "", "tags", tags_json(in));
    struct sts_credentials cr;
    if (issue(c->st, &p, extra, spol ? spol : "[]", c->now_ms, dur, &cr)) {
        call_internal(c);
        goto out;
    }
    out_credentials(o, &cr);
    out_begin(o, "FederatedUser");
    out_str(o, "FederatedUserId", p.user_id);
    out_str(o, "Arn", p.arn);
    out_end(o);
    if (given)
        out_int(o, "PackedPolicySize", packed);
    rc = 0;
out:
    free(spol);
    json_decref(extra);
    return rc;
}
