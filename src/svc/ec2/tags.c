/*
 * tags.c — tags of EC2 resources (ec2_tags) and CreateTags, DeleteTags, DescribeTags.
 *
 * Restrictions [doc] (EC2UG Using_Tags.md "Tag restrictions"): at most 50 tags per resource,
 * keys 1..128 and values 0..256 Unicode characters, keys and values case-sensitive, the
 * aws: prefix reserved. A tag with the key of an existing one overwrites it.
 */
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

json_t *ec2_tags_get(struct store *st, const char *resource_id)
{
    json_t *tags = json_array();
    sqlite3_stmt *s =
        store_stmt(st, "SELECT key, value FROM ec2_tags WHERE resource_id = ?1 ORDER BY key");
    sqlite3_bind_text(s, 1, resource_id, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(tags, json_pack("{s:s, s:s}", "Key", sqlite3_column_text(s, 0),
                                              "Value", sqlite3_column_text(s, 1)));
    if (rc != SQLITE_DONE)
        ec2_db_fail(st, "tags read");
    sqlite3_reset(s);
    return tags;
}

/* The resource-tag provider of EC2 ARNs (restags.h): arn:aws:ec2:REGION:ACCT:TYPE/ID. */
json_t *ec2_resource_tags(struct call *c, const char *arn)
{
    const char *slash = strrchr(arn, '/');
    if (!slash || !slash[1])
        return NULL;
    json_t *t = ec2_tags_get(c->st, slash + 1);
    if (!json_array_size(t)) {
        json_decref(t);
        return NULL;
    }
    return t;
}

int ec2_tags_check(struct call *c, const json_t *tags, bool create_tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = json_string_value(json_object_get(t, EC2_M_Tag_Key));
        const char *v = json_string_value(json_object_get(t, EC2_M_Tag_Value));
        if (!k || !*k)
            return call_fail(c, 400, "InvalidParameterValue",
                             "Tag key cannot be null or empty"); /* inferred */
        if (str_startswith(k, "aws:")) {
            if (create_tags)
                return call_fail(c, 400, "InvalidParameterValue",
                                 "Value ( %s ) for parameter key is invalid. Tag keys starting "
                                 "with 'aws:' are reserved for internal use",
                                 k); /* [obs] */
            return call_fail(c, 400, "InvalidParameterValue",
                             "Tag keys starting with 'aws:' are reserved for internal use");
        }
        if (utf8_chars(k) > 128)
            return call_fail(c, 400, "InvalidParameterValue",
                             "Value ( %s ) for parameter key is invalid. Length exceeds "
                             "maximum of 128.",
                             k); /* inferred */
        if (v && utf8_chars(v) > 256)
            return call_fail(c, 400, "InvalidParameterValue",
                             "Value ( %s ) for parameter value is invalid. Length exceeds "
                             "maximum of 256.",
                             v); /* inferred */
    }
    return 0;
}

int ec2_tags_put(struct call *c, const char *resource_id, const char *resource_type,
                 const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *v = json_string_value(json_object_get(t, EC2_M_Tag_Value));
        sqlite3_stmt *s =
            store_stmt(c->st, "INSERT INTO ec2_tags(resource_id, key, value, resource_type, region)"
                              " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(resource_id, key)"
                              " DO UPDATE SET value = excluded.value");
        sqlite3_bind_text(s, 1, resource_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, json_string_value(json_object_get(t, EC2_M_Tag_Key)), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, v ? v : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, resource_type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, c->region, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return ec2_db_fail(c->st, "tag insert");
    }
    sqlite3_stmt *s = store_stmt(c->st, "SELECT count(*) FROM ec2_tags WHERE resource_id = ?1");
    sqlite3_bind_text(s, 1, resource_id, -1, SQLITE_TRANSIENT);
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (n > EC2_MAX_TAGS)
        return call_fail(
            c, 400, "TagLimitExceeded",
            "The maximum number of Tags for a resource has been reached."); /* [moto] */
    return 0;
}

int ec2_tags_drop(struct store *st, const char *resource_id)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM ec2_tags WHERE resource_id = ?1");
    sqlite3_bind_text(s, 1, resource_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(st, "tags delete");
}

int ec2_tag_specs(struct call *c, const json_t *in, const char *const *allowed,
                  const char *resource_type, const json_t **out)
{
    size_t i;
    const json_t *spec;
    *out = NULL;
    json_array_foreach(json_object_get(in, EC2_IN_TagSpecifications), i, spec)
    {
        const char *type =
            json_string_value(json_object_get(spec, EC2_M_TagSpecification_ResourceType));
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = str_eq(*a, type);
        if (!ok)
            return call_fail(c, 400, "InvalidParameterValue",
                             "'%s' is not a valid taggable resource type for this operation.",
                             type ? type : ""); /* [moto] */
        const json_t *tags = json_object_get(spec, EC2_M_TagSpecification_Tags);
        if (json_array_size(tags) == 0)
            return call_fail(c, 400, "InvalidParameterValue",
                             "Tag specification must have at least one tag"); /* [moto] */
        if (ec2_tags_check(c, tags, false))
            return -1;
        if (json_array_size(tags) > EC2_MAX_TAGS)
            return call_fail(c, 400, "TagLimitExceeded",
                             "The maximum number of Tags for a resource has been reached.");
        if (str_eq(type, resource_type))
            *out = tags;
    }
    return 0;
}

struct prefix_type {
    const char *prefix, *type;
};

static const struct prefix_type prefixes[] = {
    {"i", "instance"},
    {"vol", "volume"},
    {"vpc", "vpc"},
    {"subnet", "subnet"},
    {"sg", "security-group"},
    {"ami", "image"},
    {"snap", "snapshot"},
    {"eni", "network-interface"},
    {"igw", "internet-gateway"},
    {"rtb", "route-table"},
    {"acl", "network-acl"},
    {"dopt", "dhcp-options"},
    {"key", "key-pair"},
    {"eipalloc", "elastic-ip"},
    {"lt", "launch-template"},
    {"sgr", "security-group-rule"},
};

const char *ec2_resource_type_of(const char *id)
{
    const char *dash = id ? strchr(id, '-') : NULL;
    if (!dash)
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(prefixes); i++) {
        size_t n = strlen(prefixes[i].prefix);
        if ((size_t)(dash - id) == n && strncmp(id, prefixes[i].prefix, n) == 0)
            return prefixes[i].type;
    }
    return NULL;
}

/* 1 when a row exists for id in the call's region. */
static int exists(struct call *c, const char *sql, const char *id)
{
    sqlite3_stmt *s = store_stmt(c->st, sql);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "resource lookup");
    return rc == SQLITE_ROW;
}

/*
 * The resource id must name a taggable resource of the call's region: instances, volumes,
 * the default network's VPC/subnets/security group, images (any well-formed ami- id is a
 * public image here). Other well-known prefixes are resources the lab does not keep
 * (InvalidID, inferred); other text fails InvalidID "The ID 'x' is not valid" [moto].
 */
static int resource_check(struct call *c, const char *id, const char **type)
{
    *type = ec2_resource_type_of(id);
    if (!*type)
        return call_fail(c, 400, "InvalidID", "The ID '%s' is not valid", id ? id : "");
    if (str_eq(*type, "instance")) {
        struct ec2_instance in;
        return ec2_instance_find(c, id, &in, NULL);
    }
    if (str_eq(*type, "image")) {
        if (ec2_image_check_id(c, id))
            return -1;
        return ec2_image_record(c, id, NULL);
    }
    int found;
    if (str_eq(*type, "volume")) {
        if (!ec2_id_ok(id, "vol"))
            return call_fail(c, 400, "InvalidVolumeID.Malformed",
                             "Invalid id: \"%s\" (expecting \"vol-...\")", id);
        found = exists(c, "SELECT 1 FROM ec2_volumes WHERE id = ?1 AND region = ?2", id);
        if (found == 0)
            return call_fail(c, 400, "InvalidVolume.NotFound", "The volume '%s' does not exist.",
                             id); /* [moto] */
        return found < 0 ? -1 : 0;
    }
    /* the network resources of their own tables (secgroups.c, keypairs.c, addresses.c,
     * enis.c, launch_templates.c) */
    static const struct {
        const char *type, *sql;
    } own[] = {
        {"key-pair", "SELECT 1 FROM ec2_key_pairs WHERE id = ?1 AND region = ?2"},
        {"elastic-ip", "SELECT 1 FROM ec2_addresses WHERE allocation_id = ?1 AND region = ?2"},
        {"launch-template", "SELECT 1 FROM ec2_launch_templates WHERE id = ?1 AND region = ?2"},
        {"network-interface", "SELECT 1 FROM ec2_enis WHERE id = ?1 AND region = ?2"},
        {"security-group-rule", "SELECT 1 FROM ec2_sg_rules WHERE id = ?1 AND region = ?2"},
    };
    for (size_t k = 0; k < ARRAY_LEN(own); k++) {
        if (!str_eq(*type, own[k].type))
            continue;
        found = exists(c, own[k].sql, id);
        if (found)
            return found < 0 ? -1 : 0;
    }
    if (ec2_network_ensure(c, NULL, NULL))
        return -1;
    found = exists(c, "SELECT 1 FROM ec2_network WHERE id = ?1 AND region = ?2", id);
    if (found < 0)
        return -1;
    if (found)
        return 0;
    if (str_eq(*type, "vpc"))
        return call_fail(c, 400, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id);
    if (str_eq(*type, "subnet"))
        return call_fail(c, 400, "InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist",
                         id); /* [moto] */
    if (str_eq(*type, "security-group"))
        return call_fail(c, 400, "InvalidGroup.NotFound", "The security group '%s' does not exist",
                         id);                                              /* [moto] */
    return call_fail(c, 400, "InvalidID", "The ID '%s' is not valid", id); /* inferred */
}

/* CreateTags: Resources (each must exist), Tags (checked), DryRun. */
int ec2_create_tags(struct call *c, const json_t *in, struct out *o)
{
    const json_t *res = json_object_get(in, EC2_M_CreateTagsRequest_Resources);
    const json_t *tags = json_object_get(in, EC2_M_CreateTagsRequest_Tags);
    size_t i;
    const json_t *e;
    if (!ec2_call_region(c))
        return -1;
    if (json_array_size(res) == 0)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter resourceIdSet"); /* inferred */
    if (json_array_size(tags) == 0)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter tagSet"); /* inferred */
    if (ec2_tags_check(c, tags, true))
        return -1;
    const char **types = arena_zalloc(c->a, json_array_size(res) * sizeof(*types));
    json_array_foreach(res, i, e)
    {
        if (resource_check(c, json_string_value(e), &types[i]))
            return -1;
    }
    if (ec2_dry_run(c, in))
        return -1;
    json_array_foreach(res, i, e)
    {
        if (ec2_tags_put(c, json_string_value(e), types[i], tags))
            return -1;
    }
    (void)o;
    return 0;
}

/*
 * DeleteTags: every tag of the resources when Tags is absent; a tag with a Value is deleted
 * only when its value matches (an empty string matches an empty value) [doc].
 */
int ec2_delete_tags(struct call *c, const json_t *in, struct out *o)
{
    const json_t *res = json_object_get(in, EC2_M_DeleteTagsRequest_Resources);
    const json_t *tags = json_object_get(in, EC2_M_DeleteTagsRequest_Tags);
    size_t i, j;
    const json_t *e, *t;
    const char *type;
    if (!ec2_call_region(c))
        return -1;
    json_array_foreach(tags, j, t)
    {
        const char *k = json_string_value(json_object_get(t, EC2_M_Tag_Key));
        if (str_startswith(k, "aws:"))
            return call_fail(c, 400, "InvalidParameterValue",
                             "Value ( %s ) for parameter key is invalid. Tag keys starting "
                             "with 'aws:' are reserved for internal use",
                             k);
    }
    json_array_foreach(res, i, e)
    {
        if (resource_check(c, json_string_value(e), &type))
            return -1;
    }
    if (ec2_dry_run(c, in))
        return -1;
    json_array_foreach(res, i, e)
    {
        const char *id = json_string_value(e);
        if (!json_is_array(tags)) {
            if (ec2_tags_drop(c->st, id))
                return -1;
            continue;
        }
        json_array_foreach(tags, j, t)
        {
            const json_t *v = json_object_get(t, EC2_M_Tag_Value);
            sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_tags WHERE resource_id = ?1"
                                                " AND key = ?2 AND (?3 IS NULL OR value = ?3)");
            sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 2, json_string_value(json_object_get(t, EC2_M_Tag_Key)), -1,
                              SQLITE_TRANSIENT);
            if (json_is_string(v))
                sqlite3_bind_text(s, 3, json_string_value(v), -1, SQLITE_TRANSIENT);
            int rc = sqlite3_step(s);
            sqlite3_reset(s);
            if (rc != SQLITE_DONE)
                return ec2_db_fail(c->st, "tag delete");
        }
    }
    (void)o;
    return 0;
}

static const char *const tag_filters[] = {"key",   "resource-id", "resource-type",
                                          "value", "tag:",        NULL};

/*
 * DescribeTags of the call's region: Filters key, resource-id, resource-type, value,
 * tag:KEY; MaxResults 5..1000 (default: all, inferred) with NextToken; ordered by resource
 * id and key.
 */
int ec2_describe_tags(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (!ec2_call_region(c) || ec2_check_filters(c, in, tag_filters) ||
        ec2_max_results(c, in, 5, 1000, 1000000, NULL, NULL, &max) || ec2_token_read(c, in, &after))
        return -1;
    const char *after_id = NULL, *after_key = NULL;
    if (after) {
        char *bar = strchr(after, '|');
        if (!bar)
            return call_fail(c, 400, "InvalidPaginationToken",
                             "The specified pagination token is not valid or is expired.");
        *bar = 0;
        after_id = after;
        after_key = bar + 1;
    }
    if (ec2_dry_run(c, in))
        return -1;
    bool by_tag = false;
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(in, EC2_M_DescribeTagsRequest_Filters), i, f)
    {
        by_tag = by_tag ||
                 str_startswith(json_string_value(json_object_get(f, EC2_M_Filter_Name)), "tag:");
    }
    sqlite3_stmt *s = store_stmt(
        c->st, "SELECT resource_id, key, value, resource_type FROM ec2_tags WHERE region = ?1"
               " AND (?2 IS NULL OR (resource_id, key) > (?2, ?3)) ORDER BY resource_id, key");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    if (after_id) {
        sqlite3_bind_text(s, 2, after_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, after_key, -1, SQLITE_TRANSIENT);
    }
    int n = 0, rc;
    const char *last = NULL;
    bool more = false;
    out_begin(o, "Tags");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *rid = (const char *)sqlite3_column_text(s, 0);
        const char *key = (const char *)sqlite3_column_text(s, 1);
        const char *val = (const char *)sqlite3_column_text(s, 2);
        const char *type = (const char *)sqlite3_column_text(s, 3);
        json_t *facets = json_pack("{s:s, s:s, s:s, s:s}", "resource-id", rid, "key", key, "value",
                                   val, "resource-type", type);
        json_t *tags = by_tag ? ec2_tags_get(c->st, rid) : NULL; /* for tag:KEY */
        bool ok = ec2_filters_match(in, facets, tags);
        json_decref(facets);
        json_decref(tags);
        if (!ok)
            continue;
        if (n == max) {
            more = true;
            break;
        }
        out_begin(o, NULL);
        out_str(o, "ResourceId", rid);
        out_str(o, "ResourceType", type);
        out_str(o, "Key", key);
        out_str(o, "Value", val);
        out_end(o);
        last = arena_printf(c->a, "%s|%s", rid, key);
        n++;
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "tags describe");
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
    return 0;
}
