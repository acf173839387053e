/*
 * common.c — pieces every IAM handler file uses (iam_internal.h): errors in IAM's words,
 * input helpers, row loaders and fillers, the response writers, paging, tags and policy
 * document checks.
 *
 * Error texts: [snap] = recorded against AWS (LocalStack snapshot tests of IAM, 2026),
 * [obs] = seen in real responses quoted in public issues, [model] = botocore model;
 * "inferred" otherwise.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store.h"
#include "svc/iam/iam_internal.h"
#include "wire/models/iam_members.h"

/* ================================================================ errors */

int iam_fail_internal(struct call *c, const char *what)
{
    log_error("iam %s: %s", what, sqlite3_errmsg(store_db(c->st)));
    return call_fail(c, 500, "ServiceFailure", /* [model] ServiceFailureException doc */
                     CALL_INTERNAL_MSG);
}

int iam_fail_missing(struct call *c, const char *member)
{
    return call_fail(c, 400, "ValidationError",
                     "1 validation error detected: Value null at '%s' failed to satisfy "
                     "constraint: Member must not be null",
                     member);
}

int iam_fail_pattern(struct call *c, const char *value, const char *path, const char *shape_name)
{
    const struct model_shape *sh = c->svc ? model_shape_find(c->svc, shape_name) : NULL;
    const char *pat = sh && sh->pattern ? sh->pattern : "";
    if (!value)
        return call_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value at '%s' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: %s",
                         path, pat);
    return call_fail(c, 400, "ValidationError",
                     "1 validation error detected: Value '%s' at '%s' failed to satisfy "
                     "constraint: Member must satisfy regular expression pattern: %s",
                     value, path, pat);
}

int iam_fail_no_user(struct call *c, const char *name)
{
    return call_fail(c, 404, "NoSuchEntity", "The user with name %s cannot be found.",
                     name); /* [snap] */
}

int iam_fail_no_role(struct call *c, const char *name)
{
    return call_fail(c, 404, "NoSuchEntity", "The role with name %s cannot be found.",
                     name); /* [snap] */
}

int iam_fail_no_group(struct call *c, const char *name)
{
    return call_fail(c, 404, "NoSuchEntity", "The group with name %s cannot be found.",
                     name); /* [snap] */
}

int iam_fail_no_profile(struct call *c, const char *name)
{
    return call_fail(c, 404, "NoSuchEntity", "Instance Profile %s cannot be found.",
                     name); /* [snap] */
}

int iam_fail_protected_role(struct call *c, const char *name)
{
    return call_fail(c, 400, "UnmodifiableEntity", /* [obs] */
                     "Cannot perform the operation on the protected role '%s' - this role is "
                     "only modifiable by AWS",
                     name);
}

/* ================================================================ input */

const char *iam_str(const json_t *in, const char *member)
{
    return json_string_value(json_object_get(in, member));
}

int iam_req(struct call *c, const json_t *in, const char *member, const char *lower_name,
            const char **out)
{
    *out = iam_str(in, member);
    if (!*out)
        return iam_fail_missing(c, lower_name);
    return 0;
}

static bool policy_seg_char(unsigned char ch)
{
    return isalnum(ch) || strchr(".,+@=_-", ch);
}

/* pathType / policyPathType. */
static bool path_ok(const char *p, bool policy)
{
    size_t n = strlen(p);
    if (n == 0 || n > 512 || p[0] != '/' || p[n - 1] != '/')
        return false;
    for (size_t i = 1; i + 1 < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (policy) {
            if (ch == '/' ? p[i - 1] == '/' : !policy_seg_char(ch))
                return false;
        } else if (ch < 0x21 || ch > 0x7e) {
            return false;
        }
    }
    return !(policy && n > 1 && p[n - 2] == '/');
}

int iam_path_param(struct call *c, const json_t *in, const char *member, const char *lower_name,
                   const char *shape_name, const char **out)
{
    const char *p = iam_str(in, member);
    if (!p) {
        *out = "/";
        return 0;
    }
    if (!path_ok(p, str_eq(shape_name, "policyPathType")))
        return iam_fail_pattern(c, p, lower_name, shape_name);
    *out = p;
    return 0;
}

int iam_path_prefix(struct call *c, const json_t *in, const char *shape_name, const char **out)
{
    const char *p = iam_str(in, IAM_IN_PathPrefix);
    if (!p) {
        *out = "/";
        return 0;
    }
    if (p[0] != '/')
        return iam_fail_pattern(c, p, "pathPrefix", shape_name);
    *out = p;
    return 0;
}

/* ================================================================ store */

const char *iam_col(struct arena *a, sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return NULL;
    return arena_strdup(a, (const char *)sqlite3_column_text(s, i));
}

int iam_done(struct call *c, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        iam_fail_internal(c, what);
        sqlite3_reset(s);
        return -1;
    }
    sqlite3_reset(s);
    return 0;
}

int iam_step_row(struct store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return 1;
    log_error("%s: %s", what, sqlite3_errmsg(store_db(st)));
    return -1;
}

int iam_count(struct call *c, const char *sql, const char *p1, const char *p2, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(c->st, sql);
    if (p1)
        store_bind_text_or_null(s, 1, p1);
    if (p2)
        store_bind_text_or_null(s, 2, p2);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        iam_fail_internal(c, "count");
        sqlite3_reset(s);
        return -1;
    }
    *n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return 0;
}

/* ================================================================ ids, ARNs, encodings */

const char *iam_arn(struct call *c, const char *type, const char *path, const char *name)
{
    return arena_printf(c->a, "arn:aws:iam::%s:%s%s%s", c->account, type,
                        path && *path ? path : "/", name);
}

char *iam_urlencode(struct arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = s ? strlen(s) : 0;
    char *out = arena_alloc(a, 3 * n + 1), *p = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            *p++ = (char)ch;
        } else {
            *p++ = '%';
            *p++ = hex[ch >> 4];
            *p++ = hex[ch & 15];
        }
    }
    *p = 0;
    return out;
}

bool iam_policy_arn_valid(const char *arn)
{
    static const char pre[] = "arn:aws:iam::";
    if (!arn || !str_startswith(arn, pre))
        return false;
    const char *p = arn + strlen(pre);
    if (str_startswith(p, "aws:")) {
        p += 4;
    } else {
        for (int i = 0; i < 12; i++)
            if (!isdigit((unsigned char)p[i]))
                return false;
        if (p[12] != ':')
            return false;
        p += 13;
    }
    if (!str_startswith(p, "policy/"))
        return false;
    p += 7;
    return *p && p[strlen(p) - 1] != '/';
}

/* ================================================================ rows */

void iam_user_fill(struct arena *a, sqlite3_stmt *s, struct iam_user_row *u)
{
    u->name = iam_col(a, s, 0);
    u->user_id = iam_col(a, s, 1);
    u->path = iam_col(a, s, 2);
    u->arn = iam_col(a, s, 3);
    u->created_ms = sqlite3_column_int64(s, 4);
    u->boundary = iam_col(a, s, 5);
    u->tags = iam_col(a, s, 6);
}

void iam_group_fill(struct arena *a, sqlite3_stmt *s, struct iam_group_row *g)
{
    g->name = iam_col(a, s, 0);
    g->group_id = iam_col(a, s, 1);
    g->path = iam_col(a, s, 2);
    g->arn = iam_col(a, s, 3);
    g->created_ms = sqlite3_column_int64(s, 4);
}

void iam_role_fill(struct arena *a, sqlite3_stmt *s, struct iam_role_row *r)
{
    r->name = iam_col(a, s, 0);
    r->role_id = iam_col(a, s, 1);
    r->path = iam_col(a, s, 2);
    r->arn = iam_col(a, s, 3);
    r->created_ms = sqlite3_column_int64(s, 4);
    r->trust = iam_col(a, s, 5);
    r->description = iam_col(a, s, 6);
    r->max_session_s = sqlite3_column_int64(s, 7);
    r->boundary = iam_col(a, s, 8);
    r->tags = iam_col(a, s, 9);
    r->slr = iam_col(a, s, 10);
    r->last_used_ms = sqlite3_column_type(s, 11) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 11);
    r->last_used_region = iam_col(a, s, 12);
}

void iam_profile_fill(struct arena *a, sqlite3_stmt *s, struct iam_profile_row *p)
{
    p->name = iam_col(a, s, 0);
    p->profile_id = iam_col(a, s, 1);
    p->path = iam_col(a, s, 2);
    p->arn = iam_col(a, s, 3);
    p->created_ms = sqlite3_column_int64(s, 4);
    p->role_name = iam_col(a, s, 5);
    p->tags = iam_col(a, s, 6);
}

void iam_policy_fill(struct arena *a, sqlite3_stmt *s, struct iam_policy_row *p)
{
    memset(p, 0, sizeof(*p));
    p->arn = iam_col(a, s, 0);
    p->name = iam_col(a, s, 1);
    p->policy_id = iam_col(a, s, 2);
    p->path = iam_col(a, s, 3);
    p->description = iam_col(a, s, 4);
    p->default_version = iam_col(a, s, 5);
    p->next_version = sqlite3_column_int64(s, 6);
    p->created_ms = sqlite3_column_int64(s, 7);
    p->updated_ms = sqlite3_column_int64(s, 8);
    p->tags = iam_col(a, s, 9);
}

void iam_policy_from_aws(const struct managed_policy *m, struct iam_policy_row *p)
{
    memset(p, 0, sizeof(*p));
    p->aws = m;
    p->arn = m->arn;
    p->name = m->name;
    p->policy_id = m->policy_id;
    p->path = m->path;
    p->description = m->description;
    p->default_version = m->default_version_id;
    p->tags = "[]";
    if (time_parse_iso8601(m->create_date, &p->created_ms))
        p->created_ms = 0;
    if (time_parse_iso8601(m->update_date, &p->updated_ms))
        p->updated_ms = p->created_ms;
}

/* Runs a one-row SELECT with one text parameter. 0 row, 1 none, -1 error. */
static int load_one(struct call *c, const char *sql, const char *key, sqlite3_stmt **out)
{
    sqlite3_stmt *s = store_stmt(c->st, sql);
    store_bind_text_or_null(s, 1, key);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = s;
        return 0;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 1;
    return iam_fail_internal(c, "load");
}

int iam_user_load(struct call *c, const char *name, struct iam_user_row *u)
{
    sqlite3_stmt *s;
    int rc = load_one(c, "SELECT " IAM_USER_COLS " FROM iam_users WHERE name = ?1", name, &s);
    if (rc == 0) {
        iam_user_fill(c->a, s, u);
        sqlite3_reset(s);
    }
    return rc;
}

int iam_user_load_by_id(struct call *c, const char *user_id, struct iam_user_row *u)
{
    sqlite3_stmt *s;
    int rc = load_one(c, "SELECT " IAM_USER_COLS " FROM iam_users WHERE user_id = ?1", user_id, &s);
    if (rc == 0) {
        iam_user_fill(c->a, s, u);
        sqlite3_reset(s);
    }
    return rc;
}

int iam_group_load(struct call *c, const char *name, struct iam_group_row *g)
{
    sqlite3_stmt *s;
    int rc = load_one(c, "SELECT " IAM_GROUP_COLS " FROM iam_groups WHERE name = ?1", name, &s);
    if (rc == 0) {
        iam_group_fill(c->a, s, g);
        sqlite3_reset(s);
    }
    return rc;
}

int iam_role_load(struct call *c, const char *name, struct iam_role_row *r)
{
    sqlite3_stmt *s;
    int rc = load_one(c, "SELECT " IAM_ROLE_COLS " FROM iam_roles WHERE name = ?1", name, &s);
    if (rc == 0) {
        iam_role_fill(c->a, s, r);
        sqlite3_reset(s);
    }
    return rc;
}

int iam_profile_load(struct call *c, const char *name, struct iam_profile_row *p)
{
    sqlite3_stmt *s;
    int rc = load_one(c, "SELECT " IAM_PROFILE_COLS " FROM iam_instance_profiles WHERE name = ?1",
                      name, &s);
    if (rc == 0) {
        iam_profile_fill(c->a, s, p);
        sqlite3_reset(s);
    }
    return rc;
}

int iam_policy_load(struct call *c, const char *arn, struct iam_policy_row *p)
{
    const struct managed_policy *m = managed_policy_by_arn(arn);
    if (m) {
        iam_policy_from_aws(m, p);
        return 0;
    }
    sqlite3_stmt *s;
    int rc = load_one(c, "SELECT " IAM_POLICY_COLS " FROM iam_policies WHERE arn = ?1", arn, &s);
    if (rc == 0) {
        iam_policy_fill(c->a, s, p);
        sqlite3_reset(s);
    }
    return rc;
}

int iam_user_need(struct call *c, const char *name, struct iam_user_row *u)
{
    int rc = iam_user_load(c, name, u);
    return rc == 1 ? iam_fail_no_user(c, name) : rc;
}

int iam_group_need(struct call *c, const char *name, struct iam_group_row *g)
{
    int rc = iam_group_load(c, name, g);
    return rc == 1 ? iam_fail_no_group(c, name) : rc;
}

int iam_role_need(struct call *c, const char *name, struct iam_role_row *r)
{
    int rc = iam_role_load(c, name, r);
    return rc == 1 ? iam_fail_no_role(c, name) : rc;
}

int iam_profile_need(struct call *c, const char *name, struct iam_profile_row *p)
{
    int rc = iam_profile_load(c, name, p);
    return rc == 1 ? iam_fail_no_profile(c, name) : rc;
}

/* ================================================================ response writers */

/* PermissionsBoundary: the type reads "Policy" in recorded responses [snap] although the
 * model's enum says PermissionsBoundaryPolicy. */
static void out_boundary(struct out *o, const char *arn)
{
    if (!arn)
        return;
    out_begin(o, "PermissionsBoundary");
    out_str(o, "PermissionsBoundaryType", "Policy");
    out_str(o, "PermissionsBoundaryArn", arn);
    out_end(o);
}

void iam_out_user(struct out *o, const struct iam_user_row *u, bool with_tags)
{
    out_str(o, "Path", u->path);
    out_str(o, "UserName", u->name);
    out_str(o, "UserId", u->user_id);
    out_str(o, "Arn", u->arn);
    out_time(o, "CreateDate", u->created_ms);
    if (with_tags) {
        out_boundary(o, u->boundary);
        iam_out_tags(o, u->tags, false);
    }
}

void iam_out_group(struct out *o, const struct iam_group_row *g)
{
    out_str(o, "Path", g->path);
    out_str(o, "GroupName", g->name);
    out_str(o, "GroupId", g->group_id);
    out_str(o, "Arn", g->arn);
    out_time(o, "CreateDate", g->created_ms);
}

/*
 * Which members each view carries follows recorded responses [snap]: CreateRole echoes
 * no Description/MaxSessionDuration; GetRole adds them, Tags and RoleLastUsed ({} when
 * never used); ListRoles has Description and MaxSessionDuration but neither Tags nor
 * RoleLastUsed nor the boundary; roles inside instance profiles carry the base members.
 */
void iam_out_role(struct call *c, struct out *o, const struct iam_role_row *r, enum iam_role_view v)
{
    out_str(o, "Path", r->path);
    out_str(o, "RoleName", r->name);
    out_str(o, "RoleId", r->role_id);
    out_str(o, "Arn", r->arn);
    out_time(o, "CreateDate", r->created_ms);
    out_str(o, "AssumeRolePolicyDocument", iam_urlencode(c->a, r->trust));
    if (v == IAM_ROLE_PROFILE)
        return;
    if (v == IAM_ROLE_GET || v == IAM_ROLE_LIST || (r->slr && r->description)) {
        if (r->description)
            out_str(o, "Description", r->description);
    }
    if (v == IAM_ROLE_GET || v == IAM_ROLE_LIST)
        out_int(o, "MaxSessionDuration", r->max_session_s);
    if (v == IAM_ROLE_LIST)
        return;
    out_boundary(o, r->boundary);
    iam_out_tags(o, r->tags, false);
    if (v == IAM_ROLE_GET) {
        out_begin(o, "RoleLastUsed");
        if (r->last_used_ms) {
            out_time(o, "LastUsedDate", r->last_used_ms);
            if (r->last_used_region)
                out_str(o, "Region", r->last_used_region);
        }
        out_end(o);
    }
}

int iam_out_profile(struct call *c, struct out *o, const struct iam_profile_row *p,
                    enum iam_profile_view v)
{
    out_str(o, "Path", p->path);
    out_str(o, "InstanceProfileName", p->name);
    out_str(o, "InstanceProfileId", p->profile_id);
    out_str(o, "Arn", p->arn);
    out_time(o, "CreateDate", p->created_ms);
    out_begin(o, "Roles");
    if (p->role_name) {
        struct iam_role_row r;
        int rc = iam_role_load(c, p->role_name, &r);
        if (rc < 0) {
            out_end(o);
            return -1;
        }
        if (rc == 0) {
            out_begin(o, NULL);
            iam_out_role(c, o, &r, IAM_ROLE_PROFILE);
            out_end(o);
        }
    }
    out_end(o);
    if (v != IAM_PROFILE_LIST)
        iam_out_tags(o, p->tags, v == IAM_PROFILE_GET);
    return 0;
}

int iam_policy_counts(struct call *c, const char *arn, int64_t *attached, int64_t *boundary)
{
    if (iam_count(c, "SELECT COUNT(*) FROM iam_attachments WHERE policy_arn = ?1", arn, NULL,
                  attached))
        return -1;
    return iam_count(c,
                     "SELECT (SELECT COUNT(*) FROM iam_users WHERE permissions_boundary = ?1) +"
                     " (SELECT COUNT(*) FROM iam_roles WHERE permissions_boundary = ?1)",
                     arn, NULL, boundary);
}

/*
 * Views [snap]: CreatePolicy has no Description (Tags only when given); GetPolicy adds
 * Description and always Tags (empty list included); ListPolicies has neither.
 * IsAttachable is false for service-linked role policies (inferred).
 */
int iam_out_policy(struct call *c, struct out *o, const struct iam_policy_row *p,
                   enum iam_policy_view v)
{
    int64_t attached, boundary;
    if (iam_policy_counts(c, p->arn, &attached, &boundary))
        return -1;
    out_str(o, "PolicyName", p->name);
    out_str(o, "PolicyId", p->policy_id);
    out_str(o, "Arn", p->arn);
    out_str(o, "Path", p->path);
    out_str(o, "DefaultVersionId", p->default_version);
    out_int(o, "AttachmentCount", attached);
    out_int(o, "PermissionsBoundaryUsageCount", boundary);
    out_bool(o, "IsAttachable", !(p->aws && p->aws->service_linked));
    if (v == IAM_POLICY_GET && p->description && *p->description)
        out_str(o, "Description", p->description);
    out_time(o, "CreateDate", p->created_ms);
    out_time(o, "UpdateDate", p->updated_ms);
    if (v != IAM_POLICY_LIST)
        iam_out_tags(o, p->tags, v == IAM_POLICY_GET);
    return 0;
}

/* ================================================================ paging */

void iam_pager_init(const json_t *in, struct iam_pager *pg)
{
    memset(pg, 0, sizeof(*pg));
    pg->marker = iam_str(in, IAM_IN_Marker);
    const json_t *mi = json_object_get(in, IAM_IN_MaxItems);
    pg->max = json_is_integer(mi) ? json_integer_value(mi) : IAM_MAX_ITEMS_DEFAULT;
    if (pg->max < 1)
        pg->max = 1;
    if (pg->max > 1000)
        pg->max = 1000;
}

bool iam_pager_take(struct iam_pager *pg, struct arena *a, const char *key, bool icase)
{
    if (pg->truncated)
        return false;
    if (pg->marker && (icase ? strcasecmp(key, pg->marker) : strcmp(key, pg->marker)) < 0)
        return false;
    if (pg->n >= pg->max) {
        pg->truncated = true;
        pg->next = arena_strdup(a, key);
        return false;
    }
    pg->n++;
    return true;
}

bool iam_pager_take_seq(struct iam_pager *pg, struct arena *a, const char *key)
{
    if (pg->truncated)
        return false;
    if (pg->marker && !pg->started) {
        if (!str_eq(key, pg->marker))
            return false;
        pg->started = true;
    }
    if (pg->n >= pg->max) {
        pg->truncated = true;
        pg->next = arena_strdup(a, key);
        return false;
    }
    pg->n++;
    return true;
}

void iam_pager_finish(struct out *o, const struct iam_pager *pg)
{
    out_bool(o, "IsTruncated", pg->truncated);
    if (pg->truncated)
        out_str(o, "Marker", pg->next);
}

/* ================================================================ tags */

/* [\p{L}\p{Z}\p{N}_.:/=+\-@]: ASCII letters, digits, space and the listed marks; bytes of
 * multi-byte UTF-8 sequences are taken as letters (an approximation of \p{L}, inferred). */
static bool tag_chars_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!isalnum(*p) && *p != ' ' && *p < 0x80 && !strchr("_.:/=+-@", *p))
            return false;
    return true;
}

static bool key_eq(const char *a, const char *b, bool icase)
{
    return icase ? str_ieq(a, b) : str_eq(a, b);
}

int iam_tags_check(struct call *c, const json_t *tags, bool icase)
{
    size_t n = json_array_size(tags);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(tags, i);
        const char *k = iam_str(t, IAM_M_Tag_Key), *v = iam_str(t, IAM_M_Tag_Value);
        if (!k)
            return iam_fail_missing(c, arena_printf(c->a, "tags.%zu.member.key", i + 1));
        if (!v)
            return iam_fail_missing(c, arena_printf(c->a, "tags.%zu.member.value", i + 1));
        if (!*k || !tag_chars_ok(k)) /* [snap] */
            return iam_fail_pattern(c, NULL, arena_printf(c->a, "tags.%zu.member.key", i + 1),
                                    "tagKeyType");
        if (!tag_chars_ok(v))
            return iam_fail_pattern(c, NULL, arena_printf(c->a, "tags.%zu.member.value", i + 1),
                                    "tagValueType");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (key_eq(iam_str(json_array_get(tags, i), IAM_M_Tag_Key),
                       iam_str(json_array_get(tags, j), IAM_M_Tag_Key), icase))
                return call_fail(c, 400, "InvalidInput", "%s", /* [snap] both */
                                 icase ? "Duplicate tag keys found. Please note that Tag keys "
                                         "are case insensitive."
                                       : "Duplicate tag keys found.");
    return 0;
}

int iam_tag_keys_check(struct call *c, const json_t *keys)
{
    for (size_t i = 0; i < json_array_size(keys); i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        if (!k || !*k || strlen(k) > 128 || !tag_chars_ok(k)) {
            const struct model_shape *sh = model_shape_find(c->svc, "tagKeyType");
            return call_fail(c, 400, "ValidationError", /* [snap] */
                             "1 validation error detected: Value at 'tagKeys' failed to satisfy "
                             "constraint: Member must satisfy constraint: [Member must have "
                             "length less than or equal to 128, Member must have length greater "
                             "than or equal to 1, Member must satisfy regular expression "
                             "pattern: %s, Member must not be null]",
                             sh && sh->pattern ? sh->pattern : "");
        }
    }
    return 0;
}

static json_t *tags_load(const char *text)
{
    json_error_t err;
    json_t *arr = json_loads(text ? text : "[]", 0, &err);
    if (!json_is_array(arr)) {
        json_decref(arr);
        arr = json_array();
    }
    return arr;
}

static int tag_cmp(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    return strcmp(iam_str(x, IAM_M_Tag_Key), iam_str(y, IAM_M_Tag_Key));
}

/* Sorts by key (byte order, as ListXTags answers [snap]) and dumps into the arena. */
static char *tags_dump(struct arena *a, json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof(*v), tag_cmp);
    json_t *sorted = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(sorted, v[i]);
    free(v);
    char *s = json_dumps(sorted, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *r = arena_strdup(a, s ? s : "[]");
    free(s);
    json_decref(sorted);
    return r;
}

char *iam_tags_merge(struct arena *a, const char *cur, const json_t *add, bool icase, size_t *count)
{
    json_t *arr = tags_load(cur);
    for (size_t i = 0; i < json_array_size(add); i++) {
        const json_t *t = json_array_get(add, i);
        const char *k = iam_str(t, IAM_M_Tag_Key), *v = iam_str(t, IAM_M_Tag_Value);
        if (!k || !v)
            continue;
        json_t *nt = json_pack("{s:s, s:s}", IAM_M_Tag_Key, k, IAM_M_Tag_Value, v);
        size_t j;
        for (j = 0; j < json_array_size(arr); j++)
            if (key_eq(iam_str(json_array_get(arr, j), IAM_M_Tag_Key), k, icase))
                break;
        if (j < json_array_size(arr))
            json_array_set_new(arr, j, nt);
        else
            json_array_append_new(arr, nt);
    }
    *count = json_array_size(arr);
    char *r = tags_dump(a, arr);
    json_decref(arr);
    return r;
}

char *iam_tags_remove(struct arena *a, const char *cur, const json_t *keys, bool icase)
{
    json_t *arr = tags_load(cur);
    for (size_t i = 0; i < json_array_size(keys); i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        for (size_t j = 0; k && j < json_array_size(arr);) {
            if (key_eq(iam_str(json_array_get(arr, j), IAM_M_Tag_Key), k, icase))
                json_array_remove(arr, j);
            else
                j++;
        }
    }
    char *r = tags_dump(a, arr);
    json_decref(arr);
    return r;
}

size_t iam_tags_count(const char *text)
{
    json_t *arr = tags_load(text);
    size_t n = json_array_size(arr);
    json_decref(arr);
    return n;
}

static void out_tag(struct out *o, const json_t *t)
{
    out_begin(o, NULL);
    out_str(o, "Key", iam_str(t, IAM_M_Tag_Key));
    out_str(o, "Value", iam_str(t, IAM_M_Tag_Value) ? iam_str(t, IAM_M_Tag_Value) : "");
    out_end(o);
}

void iam_out_tags(struct out *o, const char *text, bool always)
{
    json_t *arr = tags_load(text);
    if (json_array_size(arr) || always) {
        out_begin(o, "Tags");
        for (size_t i = 0; i < json_array_size(arr); i++)
            out_tag(o, json_array_get(arr, i));
        out_end(o);
    }
    json_decref(arr);
}

void iam_out_tag_page(struct call *c, struct out *o, const json_t *in, const char *text)
{
    struct iam_pager pg;
    iam_pager_init(in, &pg);
    json_t *arr = tags_load(text);
    out_begin(o, "Tags");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *t = json_array_get(arr, i);
        if (iam_pager_take(&pg, c->a, iam_str(t, IAM_M_Tag_Key), false))
            out_tag(o, t);
    }
    out_end(o);
    iam_pager_finish(o, &pg);
    json_decref(arr);
}

/* ================================================================ policy documents */

int iam_doc_check(struct call *c, const char *text, enum policy_kind kind, json_t **doc)
{
    struct policy_parse_opts opts = {.kind = kind};
    char err[POLICY_ERR_MAX];
    json_t *d = NULL;
    if (policy_parse(text, strlen(text), &opts, &d, err))
        return call_fail(c, 400, "MalformedPolicyDocument", "%s", err);
    if (doc)
        *doc = d;
    else
        json_decref(d);
    return 0;
}

/* Trust policies may name users and roles of this account only when they exist. */
static bool principal_exists(void *ctx, const char *arn)
{
    struct call *c = ctx;
    const char *rest = arn + strlen("arn:aws:iam::");
    if (!str_startswith(arn, "arn:aws:iam::") || strncmp(rest, c->account, 12) != 0 ||
        rest[12] != ':')
        return true; /* another account: cannot be checked here */
    rest += 13;
    const char *name = strrchr(rest, '/');
    if (!name)
        return false;
    name++;
    int rc;
    const char *have = NULL;
    if (str_startswith(rest, "user/")) {
        struct iam_user_row u;
        rc = iam_user_load(c, name, &u);
        have = rc == 0 ? u.arn : NULL;
    } else {
        struct iam_role_row r;
        rc = iam_role_load(c, name, &r);
        have = rc == 0 ? r.arn : NULL;
    }
    return have && str_ieq(have, arn);
}

/* Actions a trust policy may name: sts:AssumeRole and its siblings (sts:TagSession, ...)
 * [snap for the message; the accepted set is inferred: any sts: action or "*"]. */
static bool trust_actions_ok(const json_t *doc)
{
    const json_t *st = json_object_get(doc, "Statement");
    size_t ns = json_is_array(st) ? json_array_size(st) : 1;
    for (size_t i = 0; i < ns; i++) {
        const json_t *s = json_is_array(st) ? json_array_get(st, i) : st;
        const json_t *a = json_object_get(s, "Action");
        size_t na = json_is_array(a) ? json_array_size(a) : (a ? 1 : 0);
        for (size_t j = 0; j < na; j++) {
            const char *v = json_string_value(json_is_array(a) ? json_array_get(a, j) : a);
            if (!v || (!str_eq(v, "*") && strncasecmp(v, "sts:", 4) != 0))
                return false;
        }
    }
    return true;
}

int iam_trust_check(struct call *c, const char *text)
{
    json_error_t jerr;
    json_t *probe = json_loads(text, 0, &jerr);
    if (!probe)
        return call_fail(c, 400, "MalformedPolicyDocument",
                         "This policy contains invalid Json"); /* [snap] */
    json_decref(probe);
    if (policy_size(text, strlen(text)) > POLICY_LIMIT_TRUST)
        return call_fail(c, 409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d",
                         POLICY_LIMIT_TRUST); /* [obs] */
    struct policy_parse_opts opts = {
        .kind = POLICY_KIND_TRUST, .principal_exists = principal_exists, .ctx = c};
    char err[POLICY_ERR_MAX];
    json_t *doc = NULL;
    if (policy_parse(text, strlen(text), &opts, &doc, err)) {
        if (c->err.status) /* a store error inside principal_exists */
            return -1;
        return call_fail(c, 400, "MalformedPolicyDocument", "%s", err);
    }
    bool ok = trust_actions_ok(doc);
    json_decref(doc);
    if (!ok)
        return call_fail(c, 400, "MalformedPolicyDocument",
                         "AssumeRole policy may only specify STS AssumeRole actions."); /* [snap] */
    return 0;
}

int iam_boundary_check(struct call *c, const char *arn)
{
    if (!iam_policy_arn_valid(arn))
        return call_fail(c, 400, "InvalidInput", "ARN %s is not valid.", arn); /* [snap] */
    struct iam_policy_row p;
    int rc = iam_policy_load(c, arn, &p);
    if (rc == 1)
        return call_fail(c, 404, "NoSuchEntity", /* [snap] */
                         "Scope ARN: %s does not exist or is not attachable.", arn);
    return rc;
}

/* ================================================================ access keys */

int iam_keys_rename(struct call *c, const char *old_name, const struct iam_user_row *u)
{
    struct key {
        const char *id, *principal;
    } *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT access_key_id, principal FROM access_keys WHERE owner = ?1"
                          " AND session_token IS NULL");
    store_bind_text_or_null(s, 1, old_name);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            struct key *nv = arena_alloc(c->a, cap * sizeof(*nv));
            if (n)
                memcpy(nv, v, n * sizeof(*nv));
            v = nv;
        }
        v[n].id = iam_col(c->a, s, 0);
        v[n].principal = iam_col(c->a, s, 1);
        n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return iam_fail_internal(c, "keys of user");
    for (size_t i = 0; i < n; i++) {
        struct principal p;
        if (principal_from_json(v[i].principal, &p))
            continue;
        snprintf(p.name, sizeof(p.name), "%s", u->name);
        snprintf(p.arn, sizeof(p.arn), "%s", u->arn);
        char *js = principal_to_json(&p);
        s = store_stmt(
            c->st, "UPDATE access_keys SET owner = ?2, principal = ?3 WHERE access_key_id = ?1");
        store_bind_text_or_null(s, 1, v[i].id);
        store_bind_text_or_null(s, 2, u->name);
        store_bind_text_or_null(s, 3, js);
        free(js);
        if (iam_done(c, s, "rename key owner"))
            return -1;
    }
    return 0;
}
