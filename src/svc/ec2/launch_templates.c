/*
 * launch_templates.c — launch templates with versions: CreateLaunchTemplate,
 * CreateLaunchTemplateVersion, DescribeLaunchTemplates, DescribeLaunchTemplateVersions,
 * DeleteLaunchTemplate, and RunInstances' LaunchTemplate (ec2_launch_template_merge).
 *
 * A version's LaunchTemplateData is kept as given (its members are named as RunInstances'
 * and as ResponseLaunchTemplateData's). RunInstances takes the version's members for every
 * member the request does not give itself [doc: "Parameters that you specify in RunInstances
 * override the same parameters in the launch template"]; the instance is tagged
 * aws:ec2launchtemplate:id and aws:ec2launchtemplate:version [doc].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

struct lt {
    char id[32], name[160], created_by[400];
    int64_t def, latest, created_ms;
};

static int lt_row(struct call *c, const char *sql, const char *key, struct lt *t)
{
    sqlite3_stmt *s = store_stmt(c->st, sql);
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(t->id, sizeof(t->id), "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(t->name, sizeof(t->name), "%s", (const char *)sqlite3_column_text(s, 1));
        t->def = sqlite3_column_int64(s, 2);
        t->latest = sqlite3_column_int64(s, 3);
        t->created_ms = sqlite3_column_int64(s, 4);
        snprintf(t->created_by, sizeof(t->created_by), "%s",
                 (const char *)sqlite3_column_text(s, 5));
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : 1;
}

#define LT_COLS "id, name, default_version, latest_version, created_ms, created_by"

/* The template named by id or name (one of them): fails the call when unknown. */
static int lt_find(struct call *c, const char *id, const char *name, struct lt *t)
{
    if (id) {
        if (!ec2_id_ok(id, "lt"))
            return call_fail(c, 400, "InvalidLaunchTemplateId.Malformed",
                             "The specified ID for the launch template (%s) is not valid. The ID "
                             "must be in the format lt-*************.",
                             id); /* inferred */
        if (lt_row(c, "SELECT " LT_COLS " FROM ec2_launch_templates WHERE region = ?1 AND id = ?2",
                   id, t))
            return call_fail(c, 400, "InvalidLaunchTemplateId.NotFound",
                             "The specified launch template, with template ID %s, does not "
                             "exist.",
                             id); /* [obs] */
        return 0;
    }
    if (!name)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter launchTemplateName or "
                         "launchTemplateId"); /* inferred */
    if (lt_row(c, "SELECT " LT_COLS " FROM ec2_launch_templates WHERE region = ?1 AND name = ?2",
               name, t))
        return call_fail(c, 400, "InvalidLaunchTemplateName.NotFoundException",
                         "The specified launch template, with template name %s, does not exist.",
                         name); /* [obs] */
    return 0;
}

/* Version text ($Latest, $Default, N) to a number; 0 when malformed. */
static int64_t version_num(const struct lt *t, const char *v)
{
    if (!v || str_eq(v, "$Default"))
        return t->def;
    if (str_eq(v, "$Latest"))
        return t->latest;
    int64_t n;
    return str_to_i64(v, &n) == 0 && n > 0 ? n : 0;
}

static json_t *version_data(struct call *c, const struct lt *t, int64_t v, char **desc,
                            int64_t *created)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT data, description, created_ms FROM"
                                        " ec2_launch_template_versions"
                                        " WHERE template_id = ?1 AND version = ?2");
    sqlite3_bind_text(s, 1, t->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, v);
    json_t *d = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        d = ec2_json_load((const char *)sqlite3_column_text(s, 0));
        if (desc)
            *desc = sqlite3_column_type(s, 1) == SQLITE_NULL
                        ? NULL
                        : arena_strdup(c->a, (const char *)sqlite3_column_text(s, 1));
        if (created)
            *created = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return d;
}

static int version_insert(struct call *c, const struct lt *t, int64_t v, const char *desc,
                          const json_t *data)
{
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO ec2_launch_template_versions(template_id,"
                                        " version, description, data, created_ms, created_by)"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    sqlite3_bind_text(s, 1, t->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, v);
    store_bind_text_or_null(s, 3, desc);
    sqlite3_bind_text(s, 4, ec2_json_text(c, data), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, c->now_ms);
    sqlite3_bind_text(s, 6, c->who.arn, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_internal(c);
}

static void out_template(struct call *c, struct out *o, const char *member, const struct lt *t)
{
    out_begin(o, member);
    out_str(o, "LaunchTemplateId", t->id);
    out_str(o, "LaunchTemplateName", t->name);
    out_time(o, "CreateTime", t->created_ms);
    out_str(o, "CreatedBy", t->created_by);
    out_int(o, "DefaultVersionNumber", t->def);
    out_int(o, "LatestVersionNumber", t->latest);
    json_t *tags = ec2_tags_get(c->st, t->id);
    if (json_array_size(tags))
        out_json(o, "Tags", tags);
    json_decref(tags);
    out_end(o);
}

static void out_version(struct out *o, const struct lt *t, int64_t v, const char *desc,
                        int64_t created, const char *by, const json_t *data)
{
    out_str(o, "LaunchTemplateId", t->id);
    out_str(o, "LaunchTemplateName", t->name);
    out_int(o, "VersionNumber", v);
    if (desc)
        out_str(o, "VersionDescription", desc);
    out_time(o, "CreateTime", created);
    out_str(o, "CreatedBy", by);
    out_bool(o, "DefaultVersion", v == t->def);
    out_begin(o, "LaunchTemplateData");
    ec2_out_members(o, data);
    out_end(o);
}

static int name_ok(struct call *c, const char *name)
{
    size_t n = name ? strlen(name) : 0;
    bool ok = n >= 3 && n <= 128;
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
             (name[i] >= '0' && name[i] <= '9') || strchr("()./_-", name[i]);
    if (!ok)
        return call_fail(c, 400, "InvalidLaunchTemplateName.MalformedException",
                         "A launch template name must be between 3 and 128 characters, and may "
                         "contain letters, numbers, and the following characters: - ( ) . / "
                         "_.'"); /* [obs] */
    return 0;
}

/* CreateLaunchTemplate: version 1 (the default). */
int ec2_create_launch_template(struct call *c, const json_t *in, struct out *o)
{
    const char *name = json_string_value(json_object_get(in, EC2_IN_LaunchTemplateName));
    const json_t *data = json_object_get(in, EC2_IN_LaunchTemplateData);
    const char *desc = json_string_value(json_object_get(in, EC2_IN_VersionDescription));
    struct lt t;
    memset(&t, 0, sizeof(t));
    if (!ec2_call_region(c) || name_ok(c, name))
        return -1;
    if (lt_row(c, "SELECT " LT_COLS " FROM ec2_launch_templates WHERE region = ?1 AND name = ?2",
               name, &t) == 0)
        return call_fail(c, 400, "InvalidLaunchTemplateName.AlreadyExistsException",
                         "Launch template name already in use."); /* [obs] */
    static const char *const tag_types[] = {"launch-template", NULL};
    const json_t *tags = NULL;
    if (ec2_tag_specs(c, in, tag_types, "launch-template", &tags) || ec2_dry_run(c, in))
        return -1;
    ec2_new_id("lt", t.id, sizeof(t.id));
    snprintf(t.name, sizeof(t.name), "%s", name);
    snprintf(t.created_by, sizeof(t.created_by), "%s", c->who.arn);
    t.def = t.latest = 1;
    t.created_ms = c->now_ms;
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO ec2_launch_templates(" LT_COLS ", region)"
                                        " VALUES(?1, ?2, 1, 1, ?3, ?4, ?5)");
    sqlite3_bind_text(s, 1, t.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, c->now_ms);
    sqlite3_bind_text(s, 4, c->who.arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, c->region, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE || version_insert(c, &t, 1, desc, data) ||
        (tags && ec2_tags_put(c, t.id, "launch-template", tags)))
        return ec2_internal(c);
    out_template(c, o, "LaunchTemplate", &t);
    return 0;
}

/* CreateLaunchTemplateVersion: the next number; SourceVersion's data under the new one. */
int ec2_create_launch_template_version(struct call *c, const json_t *in, struct out *o)
{
    struct lt t;
    if (!ec2_call_region(c) ||
        lt_find(c, json_string_value(json_object_get(in, EC2_IN_LaunchTemplateId)),
                json_string_value(json_object_get(in, EC2_IN_LaunchTemplateName)), &t))
        return -1;
    json_t *data = json_deep_copy(json_object_get(in, EC2_IN_LaunchTemplateData));
    const char *src = json_string_value(json_object_get(in, EC2_IN_SourceVersion));
    int rc = -1;
    if (src) {
        int64_t sv = version_num(&t, src);
        json_t *sd = sv ? version_data(c, &t, sv, NULL, NULL) : NULL;
        if (!sd) {
            call_fail(c, 400, "InvalidLaunchTemplateId.VersionNotFound",
                      "Could not find launch template version %s for launch template %s", src,
                      t.id); /* inferred */
            goto out;
        }
        json_object_update_missing(data, sd);
        json_decref(sd);
    }
    if (ec2_dry_run(c, in))
        goto out;
    int64_t v = t.latest + 1;
    const char *desc = json_string_value(json_object_get(in, EC2_IN_VersionDescription));
    sqlite3_stmt *s =
        store_stmt(c->st, "UPDATE ec2_launch_templates SET latest_version = ?2 WHERE id = ?1");
    sqlite3_bind_text(s, 1, t.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, v);
    int sr = sqlite3_step(s);
    sqlite3_reset(s);
    if (sr != SQLITE_DONE || version_insert(c, &t, v, desc, data)) {
        ec2_internal(c);
        goto out;
    }
    t.latest = v;
    out_begin(o, "LaunchTemplateVersion");
    out_version(o, &t, v, desc, c->now_ms, c->who.arn, data);
    out_end(o);
    rc = 0;
out:
    json_decref(data);
    return rc;
}

/* DeleteLaunchTemplate with every version. */
int ec2_delete_launch_template(struct call *c, const json_t *in, struct out *o)
{
    struct lt t;
    if (!ec2_call_region(c) ||
        lt_find(c, json_string_value(json_object_get(in, EC2_IN_LaunchTemplateId)),
                json_string_value(json_object_get(in, EC2_IN_LaunchTemplateName)), &t) ||
        ec2_dry_run(c, in))
        return -1;
    out_template(c, o, "LaunchTemplate", &t);
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_launch_templates WHERE id = ?1");
    sqlite3_bind_text(s, 1, t.id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    s = store_stmt(c->st, "DELETE FROM ec2_launch_template_versions WHERE template_id = ?1");
    sqlite3_bind_text(s, 1, t.id, -1, SQLITE_TRANSIENT);
    int rc2 = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE || rc2 != SQLITE_DONE || ec2_tags_drop(c->st, t.id))
        return ec2_internal(c);
    return 0;
}

static const char *const lt_filters[] = {"create-time", "launch-template-name", "tag:", "tag-key",
                                         "tag-value", NULL};

/* DescribeLaunchTemplates: LaunchTemplateIds / Names (unknown ones fail), Filters. */
int ec2_describe_launch_templates(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c) || ec2_check_filters(c, in, lt_filters))
        return -1;
    const json_t *ids = json_object_get(in, EC2_IN_LaunchTemplateIds);
    const json_t *names = json_object_get(in, EC2_IN_LaunchTemplateNames);
    size_t i;
    const json_t *e;
    struct lt t;
    json_array_foreach(ids, i, e) if (lt_find(c, json_string_value(e), NULL, &t)) return -1;
    json_array_foreach(names, i, e) if (lt_find(c, NULL, json_string_value(e), &t)) return -1;
    if (ec2_dry_run(c, in))
        return -1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT id FROM ec2_launch_templates WHERE region = ?1"
                                        " ORDER BY created_ms, id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    json_t *all = json_array();
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(all, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    out_begin(o, "LaunchTemplates");
    json_array_foreach(all, i, e)
    {
        if (lt_find(c, json_string_value(e), NULL, &t))
            break;
        if (json_array_size(ids) && !wire_list_has(ids, t.id))
            continue;
        if (json_array_size(names) && !wire_list_has(names, t.name))
            continue;
        json_t *tags = ec2_tags_get(c->st, t.id);
        json_t *f = json_pack("{s:s}", "launch-template-name", t.name);
        bool ok = ec2_filters_match(in, f, tags);
        json_decref(f);
        json_decref(tags);
        if (ok)
            out_template(c, o, NULL, &t);
    }
    out_end(o);
    json_decref(all);
    return 0;
}

/* DescribeLaunchTemplateVersions of one template: Versions ($Latest, $Default, N),
 * MinVersion, MaxVersion. */
int ec2_describe_launch_template_versions(struct call *c, const json_t *in, struct out *o)
{
    struct lt t;
    if (!ec2_call_region(c) ||
        lt_find(c, json_string_value(json_object_get(in, EC2_IN_LaunchTemplateId)),
                json_string_value(json_object_get(in, EC2_IN_LaunchTemplateName)), &t))
        return -1;
    const json_t *vers = json_object_get(in, EC2_IN_Versions);
    int64_t lo = version_num(&t, json_string_value(json_object_get(in, EC2_IN_MinVersion)));
    int64_t hi = version_num(&t, json_string_value(json_object_get(in, EC2_IN_MaxVersion)));
    if (!json_object_get(in, EC2_IN_MinVersion))
        lo = 1;
    if (!json_object_get(in, EC2_IN_MaxVersion))
        hi = t.latest;
    json_t *want = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(vers, i, e)
    {
        int64_t v = version_num(&t, json_string_value(e));
        json_t *d = v ? version_data(c, &t, v, NULL, NULL) : NULL;
        if (!d) {
            json_decref(want);
            return call_fail(c, 400, "InvalidLaunchTemplateId.VersionNotFound",
                             "Could not find launch template version %s for launch template %s",
                             json_string_value(e), t.id); /* inferred */
        }
        json_decref(d);
        json_array_append_new(want, json_integer(v));
    }
    if (ec2_dry_run(c, in)) {
        json_decref(want);
        return -1;
    }
    sqlite3_stmt *s = store_stmt(c->st, "SELECT version, created_by FROM"
                                        " ec2_launch_template_versions WHERE template_id = ?1"
                                        " ORDER BY version DESC");
    sqlite3_bind_text(s, 1, t.id, -1, SQLITE_TRANSIENT);
    json_t *rows = json_array();
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(rows, json_pack("{s:I, s:s}", "v",
                                              (json_int_t)sqlite3_column_int64(s, 0), "by",
                                              (const char *)sqlite3_column_text(s, 1)));
    sqlite3_reset(s);
    out_begin(o, "LaunchTemplateVersions");
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int64_t v = json_integer_value(json_object_get(r, "v"));
        bool pick = true;
        if (json_array_size(want)) {
            pick = false;
            size_t j;
            const json_t *w;
            json_array_foreach(want, j, w) pick |= json_integer_value(w) == v;
        } else {
            pick = v >= lo && v <= hi;
        }
        if (!pick)
            continue;
        char *desc = NULL;
        int64_t created = 0;
        json_t *d = version_data(c, &t, v, &desc, &created);
        if (!d)
            continue;
        out_begin(o, NULL);
        out_version(o, &t, v, desc, created, json_string_value(json_object_get(r, "by")), d);
        out_end(o);
        json_decref(d);
    }
    out_end(o);
    json_decref(rows);
    json_decref(want);
    return 0;
}

int ec2_launch_template_merge(struct call *c, const json_t *in, json_t **merged)
{
    *merged = NULL;
    const json_t *spec = json_object_get(in, EC2_IN_LaunchTemplate);
    if (!spec)
        return 0;
    struct lt t;
    if (lt_find(c, json_string_value(json_object_get(spec, "LaunchTemplateId")),
                json_string_value(json_object_get(spec, "LaunchTemplateName")), &t))
        return -1;
    const char *vt = json_string_value(json_object_get(spec, "Version"));
    int64_t v = version_num(&t, vt);
    json_t *d = v ? version_data(c, &t, v, NULL, NULL) : NULL;
    if (!d)
        return call_fail(c, 400, "InvalidLaunchTemplateId.VersionNotFound",
                         "Could not find launch template version %s for launch template %s",
                         vt ? vt : "$Default", t.id); /* inferred */
    json_t *m = json_deep_copy(in);
    const char *k;
    json_t *v2;
    json_object_foreach(d, k, v2)
    {
        if (str_eq(k, "TagSpecifications") && json_object_get(m, k)) {
            json_array_extend(json_object_get(m, k), v2);
            continue;
        }
        if (!json_object_get(m, k))
            json_object_set(m, k, v2);
    }
    json_decref(d);
    json_object_set_new(m, "_lt_id", json_string(t.id));
    json_object_set_new(m, "_lt_version", json_sprintf("%lld", (long long)v));
    *merged = m;
    return 0;
}
