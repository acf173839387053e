/* principal.c — struct principal <-> the JSON stored with each access key (jansson). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/principal.h"

static const struct {
    enum principal_kind kind;
    const char *name;
} kinds[] = {
    {PRINCIPAL_ROOT, "root"},
    {PRINCIPAL_USER, "user"},
    {PRINCIPAL_ROLE_SESSION, "role_session"},
    {PRINCIPAL_FEDERATED, "federated"},
    {PRINCIPAL_SERVICE, "service"},
};

static const char *kind_name(enum principal_kind k)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].kind == k)
            return kinds[i].name;
    return NULL;
}

char *principal_to_json(const struct principal *p)
{
    const char *kind = p ? kind_name(p->kind) : NULL;
    if (!kind)
        return NULL;
    json_t *o = json_pack("{s:s, s:b, s:s, s:s, s:s, s:s, s:s}", "kind", kind, "temporary",
                          p->temporary ? 1 : 0, "account", p->account, "arn", p->arn, "user_id",
                          p->user_id, "name", p->name, "session_name", p->session_name);
    if (!o)
        return NULL; /* a field was not valid UTF-8 */
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* Copies member key of o (absent: empty) into dst[cap]; -1 if not a string or too long. */
static int copy_member(const json_t *o, const char *key, char *dst, size_t cap)
{
    const json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_string(v))
        return -1;
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n >= cap || memchr(s, '\0', n))
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

int principal_from_json(const char *json, struct principal *out)
{
    int rc = -1;
    json_t *o = NULL;
    memset(out, 0, sizeof(*out));
    if (!json)
        goto out;
    o = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o))
        goto out;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (!kind)
        goto out;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].name, kind) == 0)
            out->kind = kinds[i].kind;
    if (!out->kind)
        goto out;
    const json_t *t = json_object_get(o, "temporary");
    if (t && !json_is_boolean(t))
        goto out;
    out->temporary = json_is_true(t);
    if (copy_member(o, "account", out->account, sizeof(out->account)) ||
        copy_member(o, "arn", out->arn, sizeof(out->arn)) ||
        copy_member(o, "user_id", out->user_id, sizeof(out->user_id)) ||
        copy_member(o, "name", out->name, sizeof(out->name)) ||
        copy_member(o, "session_name", out->session_name, sizeof(out->session_name)))
        goto out;
    rc = 0;
out:
    json_decref(o);
    if (rc)
        memset(out, 0, sizeof(*out));
    return rc;
}
