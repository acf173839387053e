/*
 * base.h — memory, buffers, strings, time formats, ids and logging.
 * No AWS knowledge lives here. Allocation failure aborts (as redis zmalloc):
 * no caller checks for NULL from x*alloc or the arena.
 */
#ifndef RL_BASE_H
#define RL_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef RECOVERLAB_VERSION
#define RECOVERLAB_VERSION "0.1.0"
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- heap (abort on OOM) ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* ---- arena: one per request, freed in one go ---- */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Memory from the arena, aligned to 16, valid until arena_free. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* ---- growable byte buffer (heap), always NUL-terminated after any put ---- */
struct buf {
    char *p;
    size_t len, cap;
};
#define BUF_INIT {NULL, 0, 0}
void buf_put(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b); /* len = 0, keeps memory */
void buf_free(struct buf *b);
/* Hands the NUL-terminated contents to the caller (free()), leaves b empty. */
char *buf_steal(struct buf *b);

/* ---- strings ---- */
bool str_eq(const char *a, const char *b);           /* NULL-safe */
bool str_ieq(const char *a, const char *b);          /* ASCII case-insensitive, NULL-safe */
bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);
/* Strict decimal parse of the whole string; 0 ok, -1 on junk/overflow. */
int str_to_i64(const char *s, int64_t *out);
int str_to_double(const char *s, double *out);
void hex_encode(const unsigned char *in, size_t n, char *out /* 2n+1 */);
/* The value of the hex digit c (0-9, a-f, A-F), or -1 for any other character. */
int hex_digit(int c);
/*
 * Percent-decodes src[0..n) into dst (room for n bytes + NUL): '+' is a space, %XX is a
 * byte (either hex case), an invalid or truncated % escape is kept literally. Returns the
 * decoded length (the result may contain NULs); dst is NUL-terminated.
 */
size_t form_unescape(char *dst, const char *src, size_t n);

/* ---- time: all times in the program are int64 milliseconds since the Unix epoch ---- */
/* "2026-11-28T17:50:49.123Z" (millis always shown) into out[32]. */
void time_fmt_iso8601_ms(int64_t ms, char out[32]);
/* "2026-11-28T17:50:49Z" (seconds) into out[32]. */
void time_fmt_iso8601(int64_t ms, char out[32]);
/* SigV4 basic form "20261128T175049Z" into out[17]. */
void time_fmt_amz(int64_t ms, char out[17]);
/* Parses ISO 8601 date-times AWS accepts: 2026-11-28T17:50:49Z, with fraction, with
 * +hh:mm offset, date only, 20261128T175049Z. 0 ok, -1 malformed. */
int time_parse_iso8601(const char *s, int64_t *ms);
/* Parses a duration "90s", "5m", "2h", "3d", "1500ms" or a plain number of seconds. */
int duration_parse(const char *s, int64_t *ms);
/* Wall clock in ms. Only clock/ and sigv4 skew checks may call this. */
int64_t wall_now_ms(void);

/* ---- ids ---- */
void rand_bytes(void *out, size_t n);               /* CSPRNG (OpenSSL) */
void uuid4(char out[37]);                           /* request ids */
/* n random characters from the alphabet into out (NUL-terminated, out[n+1]). */
void rand_chars(char *out, size_t n, const char *alphabet);
#define ALPHA_UPPER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define ALPHA_LOWER_HEX "0123456789abcdef"

/* ---- logging (stderr) ---- */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
extern enum log_level log_min_level;
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
