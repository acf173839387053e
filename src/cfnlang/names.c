/*
 * names.c — generated physical names `<stack>-<LogicalId>-<SUFFIX>` (aws-behaviour §5.2).
 *
 * SUFFIX: a random 64-bit number in upper-case base 36, zero-padded to 12 characters, so
 * 12 or 13 characters of [A-Z0-9], a 13-character one starting with 1-3 (max 3W5E11264SGSF)
 * — the distribution the observed AWS names show (inferred).
 *
 * Truncation (inferred; AWS does not document it): when the full name does not fit in
 * max_len, the room left after the two hyphens and the suffix is shared between the stack
 * name and the logical id: each keeps up to half of it (the logical id gets the odd
 * character), and a part shorter than its half gives its spare room to the other. Both
 * parts are cut at the end (prefixes kept), as in AWS names seen truncated such as
 * `awseb-e-xxxxxxxxxx-stack-AWSEBSecurityGr-1ABCDEFGHIJK`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

static void base36_suffix(char out[16])
{
    uint64_t v;
    rand_bytes(&v, sizeof(v));
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % 36];
        v /= 36;
    } while (v);
    while (n < 12)
        tmp[n++] = '0';
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
}

char *cfn_physical_name_with(const char *stack, const char *logical, const char *suffix,
                             size_t max_len)
{
    size_t ls = strlen(stack), ll = strlen(logical), lx = strlen(suffix);
    if (ls + ll + lx + 2 > max_len) {
        size_t room = max_len > lx + 2 ? max_len - lx - 2 : 0;
        size_t half_s = room / 2, half_l = room - half_s;
        size_t ks = ls < half_s ? ls : half_s;
        size_t kl = ll < half_l ? ll : half_l;
        if (ks < half_s) /* stack shorter than its half: give the rest to the logical id */
            kl = ll < room - ks ? ll : room - ks;
        if (kl < half_l)
            ks = ls < room - kl ? ls : room - kl;
        ls = ks;
        ll = kl;
    }
    struct buf b = BUF_INIT;
    buf_put(&b, stack, ls);
    buf_putc(&b, '-');
    buf_put(&b, logical, ll);
    buf_putc(&b, '-');
    buf_puts(&b, suffix);
    return buf_steal(&b);
}

char *cfn_physical_name(const char *stack, const char *logical, size_t max_len)
{
    char suffix[16];
    base36_suffix(suffix);
    return cfn_physical_name_with(stack, logical, suffix, max_len);
}
