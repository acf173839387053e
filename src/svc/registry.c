/*
 * registry.c — the core's walk over the module list: operations by (service, name), the wire
 * tables to route to, pipeline hooks, CloudFormation providers, the store's schemas and
 * reset, init hooks and HTTP routes (svc/admin.c). Nothing here names a service.
 */
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "store/store.h"
#include "svc/module.h"
#include "svc/provider.h"
#include "wire/model.h"

static const struct svc_module *const *modules = svc_modules;

/* Built from the list on first use; rebuilt when a test picks another list. */
static struct {
    bool built;
    const struct op_def **ops; /* sorted by (service, name) */
    size_t nops;
    const struct model_service **models; /* NULL-terminated */
    struct svc_hooks hooks;
} reg;

static void reg_free(void)
{
    free(reg.ops);
    free(reg.models);
    memset(&reg, 0, sizeof(reg));
}

static int op_cmp(const void *a, const void *b)
{
    const struct op_def *x = *(const struct op_def *const *)a;
    const struct op_def *y = *(const struct op_def *const *)b;
    int r = strcmp(x->service, y->service);
    return r ? r : strcmp(x->name, y->name);
}

static void build(void)
{
    if (reg.built)
        return;
    size_t nops = 0, nmodels = 0;
    for (size_t i = 0; modules[i]; i++) {
        nops += modules[i]->nops;
        nmodels += modules[i]->model != NULL;
    }
    reg.ops = xmalloc((nops ? nops : 1) * sizeof(*reg.ops));
    reg.models = xcalloc(nmodels + 1, sizeof(*reg.models));
    size_t m = 0;
    for (size_t i = 0; modules[i]; i++) {
        const struct svc_module *mod = modules[i];
        for (size_t k = 0; k < mod->nops; k++)
            reg.ops[reg.nops++] = &mod->ops[k];
        if (mod->model)
            reg.models[m++] = mod->model;
        const struct svc_hooks *h = mod->hooks;
        if (!h)
            continue;
        if (!reg.hooks.credential_lookup)
            reg.hooks.credential_lookup = h->credential_lookup;
        if (!reg.hooks.authorize)
            reg.hooks.authorize = h->authorize;
        if (!reg.hooks.call_succeeded)
            reg.hooks.call_succeeded = h->call_succeeded;
        if (!reg.hooks.record)
            reg.hooks.record = h->record;
    }
    qsort(reg.ops, reg.nops, sizeof(*reg.ops), op_cmp);
    wire_models_use(reg.models);
    reg.built = true;
}

const struct svc_module *const *svc_module_list(void)
{
    return modules;
}

void svc_modules_use(const struct svc_module *const *list)
{
    reg_free();
    modules = list ? list : svc_modules;
    wire_models_use(NULL);
    build();
}

const struct svc_module *svc_module_find(const char *id)
{
    for (size_t i = 0; id && modules[i]; i++)
        if (str_eq(modules[i]->id, id))
            return modules[i];
    return NULL;
}

const struct op_def *ops_find(const char *service, const char *name)
{
    build();
    struct op_def key = {.service = service, .name = name};
    const struct op_def *kp = &key;
    const struct op_def **hit = bsearch(&kp, reg.ops, reg.nops, sizeof(*reg.ops), op_cmp);
    return hit ? *hit : NULL;
}

size_t ops_all(const struct op_def *const **out)
{
    build();
    *out = reg.ops;
    return reg.nops;
}

const struct model_service *const *svc_models(void)
{
    build();
    return reg.models;
}

const struct svc_hooks *svc_hooks(void)
{
    build();
    return &reg.hooks;
}

const struct cfn_provider *svc_provider_find(const char *type)
{
    for (size_t i = 0; type && modules[i]; i++)
        for (const struct cfn_provider *const *p = modules[i]->providers; p && *p; p++)
            if (str_eq((*p)->type, type))
                return *p;
    return NULL;
}

const struct cfn_param_hook *svc_cfn_param_hook_find(const char *type, const struct cfn_ptype *pt)
{
    for (size_t i = 0; type && modules[i]; i++)
        for (const struct cfn_param_hook *const *h = modules[i]->cfn_params; h && *h; h++)
            if ((*h)->takes && (*h)->takes(type, pt))
                return *h;
    return NULL;
}

const struct cfn_dynref_hook *svc_cfn_dynref_find(const char *service)
{
    for (size_t i = 0; service && modules[i]; i++)
        for (const struct cfn_dynref_hook *const *h = modules[i]->cfn_dynrefs; h && *h; h++)
            if (str_eq((*h)->service, service))
                return *h;
    return NULL;
}

int svc_store_open(const char *path, struct store **out)
{
    size_t n = 0;
    for (size_t i = 0; modules[i]; i++)
        n++;
    const struct store_schema **schemas = xcalloc(n + 2, sizeof(*schemas));
    size_t k = 0;
    schemas[k++] = &clock_schema;
    for (size_t i = 0; modules[i]; i++)
        if (modules[i]->schema)
            schemas[k++] = modules[i]->schema;
    int rc = store_open(path, schemas, out);
    free(schemas);
    build();
    return rc;
}

int svc_store_reset(struct store *st)
{
    size_t n = 0;
    for (size_t i = 0; modules[i]; i++)
        for (const struct store_keep *k = modules[i]->reset_keep; k && k->table; k++)
            n++;
    struct store_keep *keep = xcalloc(n + 1, sizeof(*keep));
    n = 0;
    for (size_t i = 0; modules[i]; i++)
        for (const struct store_keep *k = modules[i]->reset_keep; k && k->table; k++)
            keep[n++] = *k;
    int rc = store_reset(st, keep);
    free(keep);
    return rc;
}

void svc_init(void)
{
    static const struct svc_module *const *done;
    build();
    if (done == modules)
        return;
    done = modules;
    for (size_t i = 0; modules[i]; i++)
        if (modules[i]->init)
            modules[i]->init();
}
