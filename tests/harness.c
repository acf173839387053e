#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct test {
    const char *name;
    void (*fn)(void);
    const char *file;
};

static struct test *tests;
static int ntests, cap;
static int cur_failed;
static const char *cur_name;

void harness_register(const char *name, void (*fn)(void), const char *file)
{
    if (ntests == cap) {
        cap = cap ? cap * 2 : 64;
        tests = realloc(tests, (size_t)cap * sizeof(*tests));
        if (!tests)
            abort();
    }
    tests[ntests++] = (struct test){name, fn, file};
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (!cur_failed)
        fprintf(stderr, "FAIL %s\n", cur_name);
    cur_failed = 1;
    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

char *harness_read_file(const char *repo_path, size_t *len)
{
    char path[1024];
    const char *root = getenv("HARNESS_ROOT");
    snprintf(path, sizeof(path), "%s%s%s", root ? root : "", root ? "/" : "", repo_path);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t size = 4096, n = 0, got;
    char *p = malloc(size + 1);
    while (p && (got = fread(p + n, 1, size - n, fp)) > 0) {
        n += got;
        if (n == size) {
            size *= 2;
            char *q = realloc(p, size + 1);
            if (!q)
                free(p);
            p = q;
        }
    }
    fclose(fp);
    if (!p)
        abort();
    p[n] = 0;
    if (len)
        *len = n;
    return p;
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strstr(name, argv[i]))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (!selected(tests[i].name, argc, argv))
            continue;
        cur_failed = 0;
        cur_name = tests[i].name;
        tests[i].fn();
        if (cur_failed)
            failed++;
        else
            passed++;
        if (getenv("HARNESS_VERBOSE"))
            fprintf(stderr, "%s %s\n", cur_failed ? "FAIL" : "ok  ", tests[i].name);
    }
    fflush(stderr);
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
