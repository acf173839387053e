/* ops_test.c — the operation table is complete and consistent with the model tables. */
#include <stdio.h>

#include "harness.h"
#include "svc/svc.h"

TEST(ops_table_complete)
{
    const struct op_def *const *ops;
    size_t n = ops_all(&ops);
    CHECK(n > 100);
    for (size_t i = 0; i < n; i++) {
        const struct op_def *d = ops[i];
        if (!d->fn)
            harness_fail(__FILE__, __LINE__, "%s %s has no handler", d->service, d->name);
        const struct model_service *m = model_service_by_id(d->service);
        if (!m || !model_op_find(m, d->name))
            harness_fail(__FILE__, __LINE__, "%s %s is not in the model tables (make models)",
                         d->service, d->name);
        CHECK(d->iam_action && strchr(d->iam_action, ':'));
        CHECK(ops_find(d->service, d->name) == d);
    }
}

TEST(ops_iam_action_uses_iam_prefix)
{
    const struct op_def *const *ops;
    size_t n = ops_all(&ops);
    CHECK(n > 100);
    for (size_t i = 0; i < n; i++) {
        const struct op_def *d = ops[i];
        const char *want = str_eq(d->service, "cloudwatch") ? "cloudwatch:" : NULL;
        if (want)
            CHECK(str_startswith(d->iam_action, want));
        CHECK(!str_startswith(d->iam_action, "monitoring:"));
    }
}
