/* util.c — strings, time formats, ids and logging. */
#include <errno.h>
#include <math.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <time.h>

#include "base/base.h"

bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool str_ieq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcasecmp(a, b) == 0;
}

bool str_startswith(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_endswith(const char *s, const char *suffix)
{
    if (!s)
        return false;
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int str_to_i64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return -1;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int str_to_double(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    /* strtod accepts hex floats, inf and nan spelled out: AWS numbers are decimal only */
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno == ERANGE || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[in[i] >> 4];
        out[2 * i + 1] = hx[in[i] & 15];
    }
    out[2 * n] = 0;
}

int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t form_unescape(char *dst, const char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch == '+') {
            dst[o++] = ' ';
        } else if (ch == '%' && i + 2 < n && hex_digit((unsigned char)src[i + 1]) >= 0 &&
                   hex_digit((unsigned char)src[i + 2]) >= 0) {
            dst[o++] = (char)(hex_digit((unsigned char)src[i + 1]) * 16 +
                              hex_digit((unsigned char)src[i + 2]));
            i += 2;
        } else {
            dst[o++] = (char)ch; /* includes an invalid % escape, taken literally */
        }
    }
    dst[o] = 0;
    return o;
}

/* ---- time ---- */
static void split_ms(int64_t ms, struct tm *tm, int *frac)
{
    int64_t s = ms / 1000;
    int f = (int)(ms % 1000);
    if (f < 0) {
        f += 1000;
        s -= 1;
    }
    time_t t = (time_t)s;
    gmtime_r(&t, tm);
    *frac = f;
}

void time_fmt_iso8601_ms(int64_t ms, char out[32])
{
    struct tm tm;
    int f;
    split_ms(ms, &tm, &f);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    out[n++] = '.';
    out[n++] = (char)('0' + f / 100);
    out[n++] = (char)('0' + f / 10 % 10);
    out[n++] = (char)('0' + f % 10);
    out[n++] = 'Z';
    out[n] = 0;
}

void time_fmt_iso8601(int64_t ms, char out[32])
{
    struct tm tm;
    int f;
    split_ms(ms, &tm, &f);
    if (!strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        out[0] = 0;
}

void time_fmt_amz(int64_t ms, char out[17])
{
    struct tm tm;
    int f;
    split_ms(ms, &tm, &f);
    if (!strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm))
        out[0] = 0;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int64_t days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days-from-civil algorithm (public-domain arithmetic). */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int time_parse_iso8601(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
    const char *p = s;
    bool basic;
    if (!s || digits(&p, 4, &y))
        return -1;
    basic = (*p != '-');
    if (!basic)
        p++;
    if (digits(&p, 2, &mo))
        return -1;
    if (!basic && *p++ != '-')
        return -1;
    if (digits(&p, 2, &d))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h))
            return -1;
        if (!basic && *p == ':')
            p++;
        if (digits(&p, 2, &mi))
            return -1;
        if (*p == ':' || (basic && *p >= '0' && *p <= '9')) {
            if (*p == ':')
                p++;
            if (digits(&p, 2, &se))
                return -1;
            if (*p == '.' || *p == ',') {
                p++;
                int n = 0;
                while (*p >= '0' && *p <= '9') {
                    if (n < 3)
                        frac = frac * 10 + (*p - '0');
                    n++;
                    p++;
                }
                if (n == 0)
                    return -1;
                for (; n < 3; n++)
                    frac *= 10;
            }
        }
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (*p && digits(&p, 2, &om))
            return -1;
        off = sign * (oh * 60 + om);
    }
    if (*p)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    int64_t days = days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
    *ms = secs * 1000 + frac;
    return 0;
}

int duration_parse(const char *s, int64_t *ms)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || !isfinite(v))
        return -1;
    double mult;
    if (!*end || str_eq(end, "s"))
        mult = 1000;
    else if (str_eq(end, "ms"))
        mult = 1;
    else if (str_eq(end, "m"))
        mult = 60000;
    else if (str_eq(end, "h"))
        mult = 3600000;
    else if (str_eq(end, "d"))
        mult = 86400000;
    else
        return -1;
    double r = v * mult;
    if (r > 9.0e15)
        return -1;
    *ms = (int64_t)llround(r);
    return 0;
}

int64_t wall_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- ids ---- */
void rand_bytes(void *out, size_t n)
{
    if (RAND_bytes(out, (int)n) != 1) {
        fprintf(stderr, "recoverlab: RAND_bytes failed\n");
        abort();
    }
}

/*
 * Random bytes for ids (request ids, event ids), drawn from RAND_bytes 4 KiB at a time: one
 * RAND_bytes call per request cost ~7% of a GetCallerIdentity (its locks and fork checks).
 * The pool is dropped in a child process (pid check), so a fork never repeats ids.
 */
static void id_bytes(unsigned char *out, size_t n)
{
    static unsigned char pool[4096];
    static size_t left;
    static pid_t owner;
    pid_t me = getpid();
    if (owner != me) {
        left = 0;
        owner = me;
    }
    if (left < n) {
        rand_bytes(pool, sizeof(pool));
        left = sizeof(pool);
    }
    memcpy(out, pool + sizeof(pool) - left, n);
    memset(pool + sizeof(pool) - left, 0, n);
    left -= n;
}

void uuid4(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    id_bytes(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = 0;
}

void rand_chars(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    size_t limit = 256 - (256 % k); /* reject to avoid modulo bias */
    size_t i = 0;
    while (i < n) {
        unsigned char b[64];
        rand_bytes(b, sizeof(b));
        for (size_t j = 0; j < sizeof(b) && i < n; j++)
            if (b[j] < limit)
                out[i++] = alphabet[b[j] % k];
    }
    out[n] = 0;
}

/* ---- logging ---- */
enum log_level log_min_level = LOG_INFO;

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (lvl < log_min_level)
        return;
    char ts[32];
    time_fmt_iso8601_ms(wall_now_ms(), ts);
    fprintf(stderr, "%s %s ", ts, names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
