#include <math.h>
#include <stdlib.h>

#include "base/base.h"
#include "harness.h"

TEST(base_arena_grows_and_aligns)
{
    struct arena *a = arena_new();
    char *first = arena_strdup(a, "hello");
    for (int i = 0; i < 2000; i++) {
        void *p = arena_alloc(a, 100);
        CHECK(((uintptr_t)p & 15) == 0);
        memset(p, 'x', 100);
    }
    char *big = arena_alloc(a, 1 << 20);
    memset(big, 1, 1 << 20);
    CHECK_EQ_STR(first, "hello");
    CHECK_EQ_STR(arena_printf(a, "%s-%d", "a", 42), "a-42");
    arena_free(a);
}

TEST(base_buf_printf_and_steal)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "ab");
    buf_putc(&b, 'c');
    buf_printf(&b, "%05d", 42);
    CHECK_EQ_STR(b.p, "abc00042");
    CHECK_EQ_INT(b.len, 8);
    char *s = buf_steal(&b);
    CHECK_EQ_STR(s, "abc00042");
    CHECK(b.p == NULL);
    free(s);
}

TEST(base_time_formats_round_trip)
{
    int64_t ms;
    char out[32], amz[17];
    CHECK_EQ_INT(time_parse_iso8601("2026-11-28T17:50:49Z", &ms), 0);
    CHECK_EQ_INT(ms, 1795888249000LL);
    time_fmt_iso8601_ms(ms + 123, out);
    CHECK_EQ_STR(out, "2026-11-28T17:50:49.123Z");
    time_fmt_iso8601(ms, out);
    CHECK_EQ_STR(out, "2026-11-28T17:50:49Z");
    time_fmt_amz(ms, amz);
    CHECK_EQ_STR(amz, "20261128T175049Z");
    int64_t ms2;
    CHECK_EQ_INT(time_parse_iso8601("20261128T175049Z", &ms2), 0);
    CHECK_EQ_INT(ms2, ms);
    CHECK_EQ_INT(time_parse_iso8601("2026-11-28T19:50:49.5+02:00", &ms2), 0);
    CHECK_EQ_INT(ms2, ms + 500);
    CHECK_EQ_INT(time_parse_iso8601("2026-11-28", &ms2), 0);
    CHECK_EQ_INT(ms2, 1795824000000LL);
    CHECK_EQ_INT(time_parse_iso8601("2026-13-01T00:00:00Z", &ms2), -1);
    CHECK_EQ_INT(time_parse_iso8601("yesterday", &ms2), -1);
    CHECK_EQ_INT(time_parse_iso8601("2026-11-28T17:50:49Zjunk", &ms2), -1);
}

TEST(base_duration_parse)
{
    int64_t ms;
    CHECK_EQ_INT(duration_parse("90s", &ms), 0);
    CHECK_EQ_INT(ms, 90000);
    CHECK_EQ_INT(duration_parse("5m", &ms), 0);
    CHECK_EQ_INT(ms, 300000);
    CHECK_EQ_INT(duration_parse("2h", &ms), 0);
    CHECK_EQ_INT(ms, 7200000);
    CHECK_EQ_INT(duration_parse("3d", &ms), 0);
    CHECK_EQ_INT(ms, 259200000);
    CHECK_EQ_INT(duration_parse("12", &ms), 0);
    CHECK_EQ_INT(ms, 12000);
    CHECK_EQ_INT(duration_parse("5y", &ms), -1);
    CHECK_EQ_INT(duration_parse("-5m", &ms), -1);
}

TEST(base_numbers_strict)
{
    int64_t v;
    double d;
    CHECK_EQ_INT(str_to_i64("-42", &v), 0);
    CHECK_EQ_INT(v, -42);
    CHECK_EQ_INT(str_to_i64("42x", &v), -1);
    CHECK_EQ_INT(str_to_i64("", &v), -1);
    CHECK_EQ_INT(str_to_i64("99999999999999999999", &v), -1);
    CHECK_EQ_INT(str_to_double("1.5e3", &d), 0);
    CHECK(d == 1500.0);
    CHECK_EQ_INT(str_to_double("nan", &d), -1);
    CHECK_EQ_INT(str_to_double("0x10", &d), -1);
    CHECK_EQ_INT(str_to_double("1e400", &d), -1);
}

TEST(base_ids)
{
    char u[37], r[21];
    uuid4(u);
    CHECK_EQ_INT(strlen(u), 36);
    CHECK(u[14] == '4');
    CHECK(u[8] == '-' && u[13] == '-' && u[18] == '-' && u[23] == '-');
    rand_chars(r, 20, ALPHA_UPPER_DIGITS);
    CHECK_EQ_INT(strlen(r), 20);
    for (int i = 0; i < 20; i++)
        CHECK(strchr(ALPHA_UPPER_DIGITS, r[i]) != NULL);
}
