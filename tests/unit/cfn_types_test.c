/*
 * cfn_types_test.c — the template language's resource types (cfnlang, which the offline
 * `recoverlab lint` links without the server) and the server's CloudFormation providers (one
 * per type, listed by the modules) are the same set, with the same Fn::GetAtt attributes: a
 * template lint accepts is one the server can deploy, and the other way round.
 */
#include <stddef.h>

#include "cfnlang/cfnlang.h"
#include "harness.h"
#include "svc/module.h"
#include "svc/provider.h"

/* CHECK with the failure worded by the test. */
#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            harness_fail(__FILE__, __LINE__, __VA_ARGS__);                                         \
    } while (0)

TEST(cfn_types_every_cfnlang_type_has_a_provider_with_its_attributes)
{
    size_t n = 0;
    for (const char *type; (type = cfn_resource_type_at(n)) != NULL; n++) {
        const struct cfn_provider *p = svc_provider_find(type);
        CHECK_MSG(p != NULL, "no provider for %s", type);
        if (!p)
            continue;
        /* the same set: as many attributes, each of the provider's known to cfnlang */
        const char *const *attrs = cfn_resource_type_attrs(type);
        size_t na = 0, np = 0;
        while (attrs[na])
            na++;
        for (; p->attrs && p->attrs[np]; np++)
            CHECK_MSG(cfn_resource_attr_supported(type, p->attrs[np]),
                      "%s: cfnlang lacks attribute %s", type, p->attrs[np]);
        CHECK_MSG(na == np, "%s: cfnlang has %zu attributes, the provider %zu", type, na, np);
    }
    CHECK(n >= 12);
}

TEST(cfn_types_every_provider_type_is_known_to_cfnlang)
{
    size_t nprov = 0;
    for (const struct svc_module *const *m = svc_modules; *m; m++)
        for (const struct cfn_provider *const *p = (*m)->providers; p && *p; p++, nprov++) {
            CHECK_MSG(cfn_resource_type_supported((*p)->type), "cfnlang does not know %s",
                      (*p)->type);
            CHECK_MSG(svc_provider_find((*p)->type) == *p, "%s has two providers", (*p)->type);
        }
    size_t ntypes = 0;
    while (cfn_resource_type_at(ntypes))
        ntypes++;
    CHECK_EQ_INT(nprov, ntypes);
}
