/*
 * metric.c — datapoint lists and the derived-metric provider registry (metric.h).
 */
#include <string.h>

#include "svc/metric.h"

void cw_points_add(struct cw_points *pts, const struct cw_point *p)
{
    if (pts->n == pts->cap) {
        size_t cap = pts->cap ? pts->cap * 2 : 64;
        struct cw_point *v = arena_alloc(pts->a, cap * sizeof(*v));
        if (pts->n)
            memcpy(v, pts->v, pts->n * sizeof(*v));
        pts->v = v;
        pts->cap = cap;
    }
    struct cw_point *q = &pts->v[pts->n++];
    *q = *p;
    if (p->nvc) {
        struct cw_vc *vc = arena_alloc(pts->a, p->nvc * sizeof(*vc));
        memcpy(vc, p->vc, p->nvc * sizeof(*vc));
        q->vc = vc;
    }
    q->unit = arena_strdup(pts->a, p->unit ? p->unit : "None");
}


static const struct cw_provider *providers[8];
static size_t nproviders;

void cw_provider_register(const struct cw_provider *p)
{
    for (size_t i = 0; i < nproviders; i++) {
        if (str_eq(providers[i]->ns, p->ns)) {
            providers[i] = p;
            return;
        }
    }
    if (nproviders < ARRAY_LEN(providers))
        providers[nproviders++] = p;
    else
        log_error("cloudwatch: too many metric providers, %s ignored", p->ns);
}

const struct cw_provider *cw_provider_find(const char *ns)
{
    for (size_t i = 0; i < nproviders; i++)
        if (str_eq(providers[i]->ns, ns))
            return providers[i];
    return NULL;
}

void cw_providers_clear(void)
{
    nproviders = 0;
}

size_t cw_providers(const struct cw_provider *const **out)
{
    *out = providers;
    return nproviders;
}
