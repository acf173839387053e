/*
 * layers_test.c — tools/check_layers.py, the include check `make test` runs: it passes on
 * this tree with no exception listed, and it fails on a new edge against the order, naming
 * the offending include (checked on a scratch tree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "harness.h"

/* Runs the checker on root; its exit status, its output into out. */
static int run_check(const char *root, struct buf *out)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "python3 tools/check_layers.py --root '%s' 2>&1", root);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[1024];
    buf_reset(out);
    while (fgets(line, sizeof(line), p))
        buf_puts(out, line);
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(layers_this_tree_passes)
{
    struct buf out = BUF_INIT;
    CHECK_EQ_INT(run_check(".", &out), 0);
    CHECK(out.p && strstr(out.p, " 0 violations"));
    buf_free(&out);
}

TEST(layers_new_edge_against_the_order_fails_with_the_include)
{
    char root[] = "/tmp/rl_layers_XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char p[256];
    const char *dirs[] = {"src", "src/http", "src/svc", "src/svc/ec2", "src/svc/cloudwatch"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
        mkdir(p, 0700);
    }
    /* allowed: a service on a lower one; the transport on base */
    snprintf(p, sizeof(p), "%s/src/svc/cloudwatch/a.c", root);
    put_file(p, "#include \"svc/ec2/ec2.h\"\n#include \"base/base.h\"\n");
    snprintf(p, sizeof(p), "%s/src/http/server.c", root);
    put_file(p, "#include \"base/base.h\"\n#include <stdio.h>\n");
    struct buf out = BUF_INIT;
    CHECK_EQ_INT(run_check(root, &out), 0);
    /* against the order: transport -> a service, a service -> a higher one */
    put_file(p, "#include \"base/base.h\"\n#include \"svc/svc.h\"\n");
    snprintf(p, sizeof(p), "%s/src/svc/ec2/b.c", root);
    put_file(p, "#include \"svc/cloudwatch/cw.h\"\n");
    CHECK_EQ_INT(run_check(root, &out), 1);
    CHECK(out.p && strstr(out.p, "src/http/server.c:2: #include \"svc/svc.h\": http may not "
                                 "include svc"));
    CHECK(out.p && strstr(out.p, "src/svc/ec2/b.c:1: #include \"svc/cloudwatch/cw.h\": svc/ec2 "
                                 "may not include svc/cloudwatch"));
    CHECK(out.p && strstr(out.p, " 2 violations"));
    buf_free(&out);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK_EQ_INT(system(cmd), 0);
}
