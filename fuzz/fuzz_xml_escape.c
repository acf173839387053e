/*
 * fuzz_xml_escape.c — random bytes through the response string escaping (src/wire/out*.c):
 *   XML: no raw '<' '>' '"' '\'' or '\r', every '&' starts a known entity, no C0 control
 *        other than tab/LF, valid UTF-8, and unescaping gives back the input wherever the
 *        input was a legal XML character;
 *   JSON: jansson parses the literal back as one string, equal to the input when the input
 *        was valid UTF-8;
 *   CBOR: libcbor decodes one text string that is valid UTF-8.
 */
#include <cbor.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/out_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(void)
{
    __builtin_trap();
}

static bool valid_utf8(const unsigned char *s, size_t n, bool *legal_xml)
{
    *legal_xml = true;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t adv = out_utf8_next(s + i, n - i, &cp);
        if (cp == 0xFFFD && adv == 1 && s[i] >= 0x80)
            return false;
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF)
            *legal_xml = false;
        i += adv;
    }
    return true;
}

static void check_xml(const unsigned char *in, size_t n)
{
    struct buf b = BUF_INIT;
    struct buf back = BUF_INIT;
    out_xml_escape(&b, (const char *)in, n);
    const unsigned char *p = (const unsigned char *)b.p;
    bool legal;
    if (!valid_utf8(p, b.len, &legal) || !legal)
        fail();
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},
                {"&quot;", '"'}, {"&apos;", '\''}, {"&#xD;", '\r'}};
    for (size_t i = 0; i < b.len;) {
        unsigned c = p[i];
        if (c == '<' || c == '>' || c == '"' || c == '\'' || c == '\r')
            fail();
        if (c == '&') {
            size_t k;
            for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
                size_t el = strlen(ents[k].ent);
                if (b.len - i >= el && memcmp(p + i, ents[k].ent, el) == 0) {
                    buf_putc(&back, ents[k].c);
                    i += el;
                    break;
                }
            }
            if (k == sizeof(ents) / sizeof(ents[0]))
                fail();
            continue;
        }
        buf_putc(&back, (char)c);
        i++;
    }
    bool in_legal;
    if (valid_utf8(in, n, &in_legal) && in_legal &&
        (back.len != n || (n && memcmp(back.p, in, n) != 0)))
        fail();
    buf_free(&b);
    buf_free(&back);
}

static void check_json(const unsigned char *in, size_t n)
{
    struct buf b = BUF_INIT;
    out_json_string(&b, (const char *)in, n);
    json_error_t err;
    json_t *v = json_loadb(b.p, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v || !json_is_string(v))
        fail();
    bool legal;
    if (valid_utf8(in, n, &legal) &&
        (json_string_length(v) != n || memcmp(json_string_value(v), in, n) != 0))
        fail();
    json_decref(v);
    buf_free(&b);
}

static void check_cbor(const unsigned char *in, size_t n)
{
    struct buf b = BUF_INIT;
    out_cbor_text(&b, (const char *)in, n);
    struct cbor_load_result r;
    cbor_item_t *it = cbor_load((const unsigned char *)b.p, b.len, &r);
    if (!it || r.read != b.len || !cbor_isa_string(it) || !cbor_string_is_definite(it))
        fail();
    bool legal;
    if (!valid_utf8(cbor_string_handle(it), cbor_string_length(it), &legal))
        fail();
    cbor_decref(&it);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_xml(data, size);
    check_json(data, size);
    check_cbor(data, size);
    return 0;
}
