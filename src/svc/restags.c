/* restags.c — the resource-tag providers (restags.h). */
#include <string.h>

#include "base/base.h"
#include "svc/restags.h"

static struct {
    const char *service;
    svc_resource_tags_fn fn;
} providers[16];
static size_t nproviders;

void svc_resource_tags_register(const char *service, svc_resource_tags_fn fn)
{
    for (size_t i = 0; i < nproviders; i++)
        if (str_eq(providers[i].service, service)) {
            providers[i].fn = fn;
            return;
        }
    if (nproviders < ARRAY_LEN(providers)) {
        providers[nproviders].service = service;
        providers[nproviders++].fn = fn;
    }
}

json_t *svc_resource_tags(struct call *c, const char *arn)
{
    /* arn:PARTITION:SERVICE:... */
    if (!arn || !str_startswith(arn, "arn:"))
        return NULL;
    const char *p = strchr(arn + 4, ':');
    if (!p)
        return NULL;
    const char *svc = p + 1, *e = strchr(svc, ':');
    if (!e)
        return NULL;
    for (size_t i = 0; i < nproviders; i++)
        if (strlen(providers[i].service) == (size_t)(e - svc) &&
            memcmp(providers[i].service, svc, (size_t)(e - svc)) == 0)
            return providers[i].fn(c, arn);
    return NULL;
}
