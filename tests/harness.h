/*
 * harness.h — the in-house unit test harness. TEST(name) registers a test through a
 * constructor; CHECK* report file:line and carry on. The runner (tests/harness.c) takes
 * optional name filters (substring match) and always ends with "N passed, N failed".
 */
#ifndef RL_HARNESS_H
#define RL_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

void harness_register(const char *name, void (*fn)(void), const char *file);
/*
 * Reads a file of the repository given by its path from the repository root (the unit
 * binary runs from there; HARNESS_ROOT overrides). Heap string (free()), NUL-terminated,
 * length in *len when len is not NULL; NULL when it cannot be read.
 */
char *harness_read_file(const char *repo_path, size_t *len);
void harness_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define TEST(name)                                                                             \
    static void test_##name(void);                                                             \
    __attribute__((constructor)) static void register_##name(void)                             \
    {                                                                                          \
        harness_register(#name, test_##name, __FILE__);                                        \
    }                                                                                          \
    static void test_##name(void)

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond))                                                                           \
            harness_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                      \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                     \
    do {                                                                                       \
        long long _a = (long long)(a), _b = (long long)(b);                                    \
        if (_a != _b)                                                                          \
            harness_fail(__FILE__, __LINE__, "%s == %s: expected %lld, got %lld", #a, #b, _b,  \
                         _a);                                                                  \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                     \
    do {                                                                                       \
        const char *_a = (a), *_b = (b);                                                       \
        if (!_a || !_b || strcmp(_a, _b) != 0)                                                 \
            harness_fail(__FILE__, __LINE__, "%s == %s:\n  expected \"%s\"\n  got      \"%s\"", \
                         #a, #b, _b ? _b : "(null)", _a ? _a : "(null)");                     \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                                            \
    do {                                                                                       \
        const char *_h = (hay), *_n = (needle);                                                \
        if (!_h || !strstr(_h, _n))                                                            \
            harness_fail(__FILE__, __LINE__, "%s should contain \"%s\"; got \"%s\"", #hay, _n, \
                         _h ? _h : "(null)");                                                  \
    } while (0)

#define CHECK_EQ_MEM(a, b, n)                                                                  \
    do {                                                                                       \
        if (memcmp((a), (b), (n)) != 0)                                                        \
            harness_fail(__FILE__, __LINE__, "%s == %s (%zu bytes) differ", #a, #b, (size_t)(n)); \
    } while (0)

#endif
