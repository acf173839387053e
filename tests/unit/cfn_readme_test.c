/*
 * cfn_readme_test.c — README.md's table of CloudFormation resource types is the one the code
 * makes from its providers (cfn_types_markdown, `recoverlab cfn-types`): the README cannot
 * drift from what the lab implements. tools/readme_types.py rewrites the README's copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "harness.h"
#include "svc/cfn/cfn_stack.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    return buf_steal(&b);
}

TEST(cfn_readme_types_table_matches_the_providers)
{
    char *readme = slurp("README.md");
    CHECK(readme != NULL);
    if (!readme)
        return;
    const char *begin = strstr(readme, "<!-- cfn-types:begin -->\n");
    const char *end = begin ? strstr(begin, "<!-- cfn-types:end -->") : NULL;
    CHECK(begin && end);
    if (begin && end) {
        begin += strlen("<!-- cfn-types:begin -->\n");
        char *have = xstrndup(begin, (size_t)(end - begin));
        char *want = cfn_types_markdown();
        /* on a failure: python3 tools/readme_types.py */
        CHECK_EQ_STR(have, want);
        free(have);
        free(want);
    }
    free(readme);
}
