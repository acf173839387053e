/*
 * model.c — lookups over the generated model tables (src/wire/models/).
 * ops, all_ops and shapes are emitted sorted by strcmp, so those lookups are bsearch.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "wire/model.h"

/* The services wire routes to: the generated list unless the service layer set its own. */
static const struct model_service *const *served = model_services;

void wire_models_use(const struct model_service *const *list)
{
    served = list ? list : model_services;
}

const struct model_service *const *wire_models(void)
{
    return served;
}

const struct model_service *model_service_by_signing_name(const char *signing_name)
{
    if (!signing_name)
        return NULL;
    for (size_t i = 0; served[i]; i++)
        if (strcmp(served[i]->signing_name, signing_name) == 0)
            return served[i];
    return NULL;
}

const struct model_service *model_service_by_target_prefix(const char *prefix, size_t len)
{
    if (!prefix)
        return NULL;
    for (size_t i = 0; served[i]; i++) {
        const char *tp = served[i]->target_prefix;
        if (tp && strlen(tp) == len && memcmp(tp, prefix, len) == 0)
            return served[i];
    }
    return NULL;
}

const struct model_service *model_service_by_id(const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; served[i]; i++)
        if (strcmp(served[i]->id, id) == 0)
            return served[i];
    return NULL;
}

static int cmp_op(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct model_op *)elem)->name);
}

const struct model_op *model_op_find(const struct model_service *s, const char *name)
{
    if (!s || !name || !s->nops)
        return NULL;
    return bsearch(name, s->ops, s->nops, sizeof(s->ops[0]), cmp_op);
}

static int cmp_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

bool model_op_exists(const struct model_service *s, const char *name)
{
    if (!s || !name || !s->nall_ops)
        return false;
    return bsearch(name, s->all_ops, s->nall_ops, sizeof(s->all_ops[0]), cmp_name) != NULL;
}

const struct model_member *model_member_find(const struct model_service *s,
                                             const struct model_shape *structure, const char *name)
{
    if (!s || !structure || !name || structure->type != SH_STRUCTURE)
        return NULL;
    for (uint32_t i = 0; i < structure->count; i++) {
        const struct model_member *m = &s->members[structure->first + i];
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

static int cmp_shape(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct model_shape *)elem)->name);
}

const struct model_shape *model_shape_find(const struct model_service *s, const char *name)
{
    if (!s || !name || !s->nshapes)
        return NULL;
    return bsearch(name, s->shapes, s->nshapes, sizeof(s->shapes[0]), cmp_shape);
}
