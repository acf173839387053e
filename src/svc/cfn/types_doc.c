/*
 * types_doc.c — the README's table of the CloudFormation resource types the lab implements,
 * made from the providers the modules list (svc/provider.h): type, the service that owns it,
 * the Fn::GetAtt attributes, and whether an update can replace it. `recoverlab cfn-types`
 * prints it; tools/readme_types.py writes it into README.md between its markers and
 * cfn_readme_test fails when the README's copy differs, so the README cannot drift.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "svc/cfn/cfn_stack.h"
#include "svc/module.h"
#include "svc/provider.h"

struct row {
    const char *module;
    const struct cfn_provider *p;
};

static int by_type(const void *a, const void *b)
{
    return strcmp(((const struct row *)a)->p->type, ((const struct row *)b)->p->type);
}

char *cfn_types_markdown(void)
{
    size_t n = 0, cap = 0;
    struct row *rows = NULL;
    for (const struct svc_module *const *m = svc_module_list(); *m; m++)
        for (const struct cfn_provider *const *p = (*m)->providers; p && *p; p++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                rows = xrealloc(rows, cap * sizeof(*rows));
            }
            rows[n].module = (*m)->id;
            rows[n++].p = *p;
        }
    if (n)
        qsort(rows, n, sizeof(*rows), by_type);
    struct buf b = BUF_INIT;
    buf_puts(&b, "| Type | Service | `Fn::GetAtt` attributes | Replaced on a change of |\n");
    buf_puts(&b, "|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const struct cfn_provider *p = rows[i].p;
        buf_printf(&b, "| `%s` | %s | ", p->type, rows[i].module);
        for (size_t j = 0; p->attrs && p->attrs[j]; j++)
            buf_printf(&b, "%s`%s`", j ? ", " : "", p->attrs[j]);
        if (!p->attrs || !p->attrs[0])
            buf_puts(&b, "—");
        buf_puts(&b, " | ");
        for (size_t j = 0; p->replace_props && p->replace_props[j]; j++)
            buf_printf(&b, "%s`%s`", j ? ", " : "", p->replace_props[j]);
        if (!p->replace_props || !p->replace_props[0])
            buf_puts(&b, "—");
        buf_puts(&b, " |\n");
    }
    free(rows);
    return buf_steal(&b);
}
