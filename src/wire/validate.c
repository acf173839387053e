/*
 * validate.c — wire_validate(): the input tree against the input shape's constraints
 * (required, enum, length, range, pattern), reported in the words the service uses:
 *
 * - Coral/Smithy services (STS, IAM, CloudFormation, CloudWatch for most operations, and
 *   JSON services): one message listing every violation, e.g.
 *     1 validation error detected: Value null at 'alarmName' failed to satisfy constraint:
 *     Member must not be null
 *     2 validation errors detected: Value 'x' at 'a' failed to ...; Value null at 'b' ...
 *   Paths are lowerCamel member names, list elements `name.N.member`
 *   (`metricData.1.member.metricName`); values of sensitive members are left out
 *   ("Value at '...'"). Code ValidationError for services speaking Query (also over their
 *   awsQueryCompatible JSON/CBOR forms), ValidationException for JSON-only services.
 *   Sources: aws-behaviour.md §2.2/§4.7, AWS error texts seen in public issues
 *   (DynamoDB, Bedrock, STS, IAM).
 * - CloudWatch operations that still model the query-era synthetic errors
 *   (MissingRequiredParameterException, InvalidParameterValueException: PutMetricData,
 *   GetMetricStatistics, ...) answer the old way, one line per problem joined by "\n":
 *     MissingParameter      The parameter Namespace is required.
 *     InvalidParameterValue The parameter MetricData.member.1.Unit must be a value in the
 *                           set [ Seconds, ..., None ].
 *   (observed CloudWatch responses; the path is the Query parameter name.)
 * - EC2 reports the first problem only (inferred): MissingParameter "The request must
 *   contain the parameter GroupDescription" (observed), else InvalidParameterValue
 *   "Value ( 1 ) for parameter maxResults is invalid. Expecting a value greater than 5."
 *   (observed for a range; other details inferred).
 * Enum sets are listed in model order (AWS's order varies; inferred). Patterns are checked
 * only where they translate to POSIX ERE (\w \d \s classes, no Unicode escapes, no
 * lookaround); others are not enforced (inferred).
 */
#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "wire/decode_internal.h"
#include "wire/wire.h"

enum vkind { V_NULL, V_ENUM, V_LEN_MIN, V_LEN_MAX, V_MIN, V_MAX, V_PATTERN };

struct viol {
    enum vkind kind;
    const struct model_shape *sh;
    const json_t *value; /* NULL for V_NULL */
    char *cpath;         /* coral path: metricData.1.member.metricName */
    char *qpath;         /* Query/EC2 parameter: MetricData.member.1.MetricName */
    const char *param;   /* EC2: the innermost member's locationName or name */
};

struct vctx {
    struct call *c;
    const struct model_service *s;
    bool ec2;
    struct viol *v;
    size_t n, cap;
    struct buf cpath, qpath;
    const char *param;
    json_t **owned; /* values made up during the walk (map keys), freed at the end */
    size_t nowned;
};

static void add(struct vctx *x, enum vkind k, const struct model_shape *sh, const json_t *v)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 8;
        x->v = xrealloc(x->v, x->cap * sizeof(*x->v));
    }
    struct viol *e = &x->v[x->n++];
    e->kind = k;
    e->sh = sh;
    e->value = v;
    e->cpath = arena_strdup(x->c->a, x->cpath.p ? x->cpath.p : "");
    e->qpath = arena_strdup(x->c->a, x->qpath.p ? x->qpath.p : "");
    e->param = x->param;
}

static void path_cut(struct buf *b, size_t mark)
{
    b->len = mark;
    if (b->p)
        b->p[mark] = 0;
}

/* ---------------- patterns ---------------- */

struct rx {
    const char *pat;
    regex_t re;
    bool ok;
};
#define RX_CACHE 64
static struct rx rx_cache[RX_CACHE];
static size_t rx_count;

/*
 * Java/ECMA regex -> anchored POSIX ERE ("^(...)$", Coral matches the whole value), or NULL
 * when the pattern uses something ERE cannot express faithfully.
 */
static char *rx_translate(const char *p)
{
    struct buf b = BUF_INIT;
    bool in_class = false, class_dash = false, prev_quant = false;
    buf_puts(&b, "^(");
    for (; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        bool quant = false;
        if (ch >= 0x7f || ch < 0x20)
            goto unsupported;
        if (ch == '\\') {
            char n = *++p;
            if (!n)
                goto unsupported;
            if (in_class) {
                switch (n) {
                case 'w':
                    buf_puts(&b, "A-Za-z0-9_");
                    break;
                case 'd':
                    buf_puts(&b, "0-9");
                    break;
                case 's':
                    buf_puts(&b, " \t\n\r\f\v");
                    break;
                case 'n':
                    buf_putc(&b, '\n');
                    break;
                case 't':
                    buf_putc(&b, '\t');
                    break;
                case 'r':
                    buf_putc(&b, '\r');
                    break;
                case 'f':
                    buf_putc(&b, '\f');
                    break;
                case '-':
                    class_dash = true;
                    break;
                case '\\':
                case '.':
                case '+':
                case '*':
                case '?':
                case '(':
                case ')':
                case '{':
                case '}':
                case '|':
                case '$':
                case '/':
                case ',':
                case '=':
                case '@':
                case ':':
                case '&':
                case '#':
                case '!':
                case '%':
                case '\'':
                case '"':
                case '~':
                case '`':
                case ';':
                case '<':
                case '>':
                case '_':
                    buf_putc(&b, n);
                    break;
                default:
                    goto unsupported; /* \p{..} \u.... \W \] \^ ... */
                }
            } else {
                switch (n) {
                case 'w':
                    buf_puts(&b, "[A-Za-z0-9_]");
                    break;
                case 'W':
                    buf_puts(&b, "[^A-Za-z0-9_]");
                    break;
                case 'd':
                    buf_puts(&b, "[0-9]");
                    break;
                case 'D':
                    buf_puts(&b, "[^0-9]");
                    break;
                case 's':
                    buf_puts(&b, "[[:space:]]");
                    break;
                case 'S':
                    buf_puts(&b, "[^[:space:]]");
                    break;
                case 'n':
                    buf_putc(&b, '\n');
                    break;
                case 't':
                    buf_putc(&b, '\t');
                    break;
                case 'r':
                    buf_putc(&b, '\r');
                    break;
                default:
                    if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || (n >= '0' && n <= '9'))
                        goto unsupported; /* \b \p \u \Q \A \z \1 ... */
                    buf_putc(&b, '\\');
                    buf_putc(&b, n);
                }
            }
        } else if (in_class) {
            if (ch == '[')
                goto unsupported; /* nested classes / unions */
            if (ch == ']') {
                if (class_dash)
                    buf_putc(&b, '-');
                buf_putc(&b, ']');
                in_class = false;
            } else if (ch == '&' && p[1] == '&') {
                goto unsupported; /* intersections */
            } else {
                buf_putc(&b, (char)ch);
            }
        } else if (ch == '[') {
            in_class = true;
            class_dash = false;
            buf_putc(&b, '[');
            if (p[1] == '^')
                buf_putc(&b, *++p);
            if (p[1] == ']')
                goto unsupported;
        } else if (ch == '(') {
            if (p[1] == '?')
                goto unsupported; /* non-capturing, lookaround, flags */
            buf_putc(&b, '(');
        } else if (ch == '*' || ch == '+' || ch == '?') {
            if (prev_quant) {
                if (ch == '?')
                    continue;     /* lazy: same set of whole matches */
                goto unsupported; /* possessive */
            }
            buf_putc(&b, (char)ch);
            quant = true;
        } else if (ch == '{') {
            const char *close = strchr(p, '}');
            if (!close)
                goto unsupported;
            for (const char *q = p + 1; q < close; q++)
                if (!((*q >= '0' && *q <= '9') || *q == ','))
                    goto unsupported;
            if (strtol(p + 1, NULL, 10) > 255 || (strchr(p, ',') && strchr(p, ',') < close &&
                                                  strtol(strchr(p, ',') + 1, NULL, 10) > 255))
                goto unsupported; /* large counted repeats blow up regcomp */
            buf_put(&b, p, (size_t)(close - p + 1));
            p = close;
            quant = true;
        } else {
            buf_putc(&b, (char)ch);
        }
        prev_quant = quant;
    }
    if (in_class)
        goto unsupported;
    buf_puts(&b, ")$");
    return buf_steal(&b);
unsupported:
    buf_free(&b);
    return NULL;
}

static const struct rx *rx_get(const char *pat, struct rx *tmp)
{
    for (size_t i = 0; i < rx_count; i++)
        if (rx_cache[i].pat == pat)
            return &rx_cache[i];
    struct rx *r = rx_count < RX_CACHE ? &rx_cache[rx_count++] : tmp;
    r->pat = pat;
    r->ok = false;
    char *ere = rx_translate(pat);
    if (ere && regcomp(&r->re, ere, REG_EXTENDED | REG_NOSUB) == 0)
        r->ok = true;
    free(ere);
    return r;
}

/* 1 matches, 0 does not, -1 not checkable. */
static int rx_match(const char *pat, const char *s, size_t n)
{
    struct rx tmp;
    if (strlen(s) != n)
        return -1;
    const struct rx *r = rx_get(pat, &tmp);
    if (!r->ok)
        return -1;
    int m = regexec(&r->re, s, 0, NULL, 0) == 0;
    if (r == &tmp)
        regfree(&tmp.re);
    return m;
}

/* ---------------- the walk ---------------- */

/* String length as Java counts it (UTF-16 code units). */
static int64_t utf16_len(const char *s, size_t n)
{
    int64_t len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if ((b & 0xC0) != 0x80)
            len += b >= 0xF0 ? 2 : 1;
    }
    return len;
}

static void check_len(struct vctx *x, const struct model_shape *sh, const json_t *v, int64_t len)
{
    if ((sh->flags & SHF_HAS_MIN) && len < sh->min)
        add(x, V_LEN_MIN, sh, v);
    if ((sh->flags & SHF_HAS_MAX) && len > sh->max)
        add(x, V_LEN_MAX, sh, v);
}

static void check_value(struct vctx *x, const json_t *v, const struct model_shape *sh,
                        const struct model_member *ref, int depth);

static void walk_struct(struct vctx *x, const json_t *obj, const struct model_shape *sh, int depth)
{
    const struct model_service *s = x->s;
    char kbuf[256];
    if (!json_is_object(obj) || (sh->flags & SHF_DOCUMENT))
        return;
    for (uint32_t i = 0; i < sh->count; i++) {
        const struct model_member *m = &s->members[sh->first + i];
        size_t cm = x->cpath.len, qm = x->qpath.len;
        const char *saved = x->param;
        buf_printf(&x->cpath, "%s%c%s", cm ? "." : "",
                   m->name[0] >= 'A' && m->name[0] <= 'Z' ? m->name[0] + 32 : m->name[0],
                   m->name + 1);
        buf_printf(&x->qpath, "%s%s", qm ? "." : "",
                   wire_query_member_key(s, m, x->ec2, kbuf, sizeof(kbuf)));
        x->param = m->location_name ? m->location_name : m->name;
        const json_t *ch = json_object_get(obj, m->name);
        if (!ch || json_is_null(ch)) {
            if (m->flags & MBF_REQUIRED)
                add(x, V_NULL, wire_mshape(s, m), NULL);
        } else {
            check_value(x, ch, wire_mshape(s, m), m, depth + 1);
        }
        x->param = saved;
        path_cut(&x->cpath, cm);
        path_cut(&x->qpath, qm);
    }
}

static void check_value(struct vctx *x, const json_t *v, const struct model_shape *sh,
                        const struct model_member *ref, int depth)
{
    const struct model_service *s = x->s;
    if (depth > WIRE_MAX_DEPTH)
        return;
    switch (sh->type) {
    case SH_STRUCTURE:
        walk_struct(x, v, sh, depth);
        return;
    case SH_LIST: {
        if (!json_is_array(v))
            return;
        check_len(x, sh, v, (int64_t)json_array_size(v));
        const struct model_member *el = &s->members[sh->first];
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e)
        {
            size_t cm = x->cpath.len, qm = x->qpath.len;
            buf_printf(&x->cpath, ".%zu.member", i + 1);
            wire_query_list_path(&x->qpath, s, sh, ref, x->ec2, i + 1);
            check_value(x, e, wire_mshape(s, el), el, depth + 1);
            path_cut(&x->cpath, cm);
            path_cut(&x->qpath, qm);
        }
        return;
    }
    case SH_MAP: {
        if (!json_is_object(v))
            return;
        check_len(x, sh, v, (int64_t)json_object_size(v));
        const struct model_member *km = &s->members[sh->first];
        const struct model_member *vm = &s->members[sh->first + 1];
        const char *k;
        const json_t *e;
        size_t i = 0;
        json_object_foreach((json_t *)v, k, e)
        {
            size_t cm = x->cpath.len, qm = x->qpath.len;
            i++;
            /* inferred paths: key problems at the map, value problems at map.<key> */
            buf_printf(&x->qpath, "%s.%zu.key", wire_flattened(ref, sh) ? "" : ".entry", i);
            json_t *kj = json_string(k);
            x->owned = xrealloc(x->owned, (x->nowned + 1) * sizeof(*x->owned));
            x->owned[x->nowned++] = kj;
            check_value(x, kj, wire_mshape(s, km), km, depth + 1);
            path_cut(&x->qpath, qm);
            buf_printf(&x->cpath, ".%s", k);
            buf_printf(&x->qpath, "%s.%zu.value", wire_flattened(ref, sh) ? "" : ".entry", i);
            check_value(x, e, wire_mshape(s, vm), vm, depth + 1);
            path_cut(&x->cpath, cm);
            path_cut(&x->qpath, qm);
        }
        return;
    }
    case SH_STRING: {
        if (!json_is_string(v))
            return;
        const char *str = json_string_value(v);
        size_t n = json_string_length(v);
        /* EC2's InstanceType enum in the model trails the types EC2 launches; EC2 checks the
         * type itself against its catalogue with its own messages (InvalidParameterValue
         * "Invalid value 'x' for InstanceType.") — inferred from moto/observed behaviour */
        bool open_enum = x->ec2 && str_eq(sh->name, "InstanceType");
        if (sh->nenum && !open_enum) {
            bool found = false;
            for (uint16_t i = 0; i < sh->nenum && !found; i++) {
                const char *e = s->enums[sh->enum_first + i];
                found = strlen(e) == n && memcmp(e, str, n) == 0;
            }
            if (!found)
                add(x, V_ENUM, sh, v);
        }
        check_len(x, sh, v, utf16_len(str, n));
        if (sh->pattern && rx_match(sh->pattern, str, n) == 0)
            add(x, V_PATTERN, sh, v);
        return;
    }
    case SH_BLOB:
        if (json_is_string(v))
            check_len(x, sh, v, (int64_t)json_string_length(v));
        return;
    case SH_INTEGER:
    case SH_LONG:
    case SH_FLOAT:
    case SH_DOUBLE: {
        if (!json_is_number(v))
            return;
        double d = json_number_value(v);
        bool lo, hi;
        if (json_is_integer(v)) {
            json_int_t i = json_integer_value(v);
            lo = (sh->flags & SHF_HAS_MIN) && i < sh->min;
            hi = (sh->flags & SHF_HAS_MAX) && i > sh->max;
        } else {
            lo = (sh->flags & SHF_HAS_MIN) && d < (double)sh->min;
            hi = (sh->flags & SHF_HAS_MAX) && d > (double)sh->max;
        }
        if (lo)
            add(x, V_MIN, sh, v);
        if (hi)
            add(x, V_MAX, sh, v);
        return;
    }
    default:
        return;
    }
}

/* ---------------- messages ---------------- */

/* A double the way Java's Double.toString prints it (shortest round-trip; inferred use). */
static void put_double(struct buf *b, double d)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp is d.ddde±XX: rebuild as Java does */
    double ad = fabs(d);
    if (d == 0 || (ad >= 1e-3 && ad < 1e7)) {
        for (int prec = 0; prec <= 17; prec++) {
            snprintf(tmp, sizeof(tmp), "%.*f", prec, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
        buf_puts(b, tmp);
        if (!strchr(tmp, '.'))
            buf_puts(b, ".0");
        return;
    }
    char *e = strchr(tmp, 'e');
    int exp = atoi(e + 1);
    *e = 0;
    buf_puts(b, tmp);
    if (!strchr(tmp, '.'))
        buf_puts(b, ".0");
    buf_printf(b, "E%d", exp);
}

/* Renders a value as Coral quotes it; false when it is not shown (sensitive, composite). */
static bool put_value(struct buf *b, const json_t *v, const struct model_shape *sh,
                      const struct model_service *s, int depth)
{
    if (sh->flags & SHF_SENSITIVE)
        return false;
    switch (sh->type) {
    case SH_STRING:
        buf_put(b, json_string_value(v), json_string_length(v));
        return true;
    case SH_INTEGER:
    case SH_LONG:
        buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return true;
    case SH_FLOAT:
    case SH_DOUBLE:
        put_double(b, json_number_value(v));
        return true;
    case SH_BOOLEAN:
        buf_puts(b, json_is_true(v) ? "true" : "false");
        return true;
    case SH_LIST: {
        if (depth > 2)
            return false;
        const struct model_shape *esh = wire_mshape(s, &s->members[sh->first]);
        size_t mark = b->len, i;
        const json_t *e;
        buf_putc(b, '[');
        json_array_foreach(v, i, e)
        {
            if (i)
                buf_puts(b, ", ");
            if (!put_value(b, e, esh, s, depth + 1)) {
                path_cut(b, mark);
                return false;
            }
        }
        buf_putc(b, ']');
        return true;
    }
    default:
        return false;
    }
}

static void put_constraint(struct buf *b, const struct viol *e, const struct model_service *s)
{
    const struct model_shape *sh = e->sh;
    switch (e->kind) {
    case V_NULL:
        buf_puts(b, "Member must not be null");
        break;
    case V_ENUM:
        buf_puts(b, "Member must satisfy enum value set: [");
        for (uint16_t i = 0; i < sh->nenum; i++)
            buf_printf(b, "%s%s", i ? ", " : "", s->enums[sh->enum_first + i]);
        buf_putc(b, ']');
        break;
    case V_LEN_MIN:
        buf_printf(b, "Member must have length greater than or equal to %" PRId64, sh->min);
        break;
    case V_LEN_MAX:
        buf_printf(b, "Member must have length less than or equal to %" PRId64, sh->max);
        break;
    case V_MIN:
        buf_printf(b, "Member must have value greater than or equal to %" PRId64, sh->min);
        break;
    case V_MAX:
        buf_printf(b, "Member must have value less than or equal to %" PRId64, sh->max);
        break;
    case V_PATTERN:
        buf_printf(b, "Member must satisfy regular expression pattern: %s", sh->pattern);
        break;
    }
}

static void put_coral(struct buf *b, const struct viol *e, const struct model_service *s)
{
    buf_puts(b, "Value ");
    if (e->kind == V_NULL) {
        buf_puts(b, "null ");
    } else {
        size_t mark = b->len;
        buf_putc(b, '\'');
        if (put_value(b, e->value, e->sh, s, 0))
            buf_puts(b, "' ");
        else
            path_cut(b, mark);
    }
    buf_printf(b, "at '%s' failed to satisfy constraint: ", e->cpath);
    put_constraint(b, e, s);
}

static bool op_models_error(const struct model_service *s, const struct model_op *op,
                            const char *code)
{
    for (uint32_t i = 0; i < op->nerrors; i++)
        if (str_eq(s->shapes[op->errors[i]].error_code, code))
            return true;
    return false;
}

static int report_ec2(struct vctx *x)
{
    const struct viol *e = &x->v[0];
    struct buf b = BUF_INIT;
    int rc;
    if (e->kind == V_NULL) {
        rc = call_fail(x->c, 400, "MissingParameter", "The request must contain the parameter %s",
                       e->qpath);
        goto out;
    }
    buf_puts(&b, "Value ( ");
    if (!put_value(&b, e->value, e->sh, x->s, 0))
        buf_puts(&b, "...");
    buf_printf(&b, " ) for parameter %s is invalid.", e->param ? e->param : e->qpath);
    if (e->kind == V_MIN)
        buf_printf(&b, " Expecting a value greater than %" PRId64 ".", e->sh->min);
    else if (e->kind == V_MAX)
        buf_printf(&b, " Expecting a value less than %" PRId64 ".", e->sh->max); /* inferred */
    rc = call_fail(x->c, 400, "InvalidParameterValue", "%s", b.p);
out:
    buf_free(&b);
    return rc;
}

/* CloudWatch's query-era forms; 1 when nothing of that kind applies. */
static int report_legacy(struct vctx *x)
{
    const struct model_service *s = x->s;
    const struct model_op *op = x->c->op;
    struct buf b = BUF_INIT;
    int rc = 1;
    if (op_models_error(s, op, "MissingParameter")) {
        for (size_t i = 0; i < x->n; i++)
            if (x->v[i].kind == V_NULL)
                buf_printf(&b, "%sThe parameter %s is required.", b.len ? "\n" : "", x->v[i].qpath);
        if (b.len) {
            rc = call_fail(x->c, 400, "MissingParameter", "%s", b.p);
            goto out;
        }
    }
    if (op_models_error(s, op, "InvalidParameterValue")) {
        for (size_t i = 0; i < x->n; i++) {
            const struct viol *e = &x->v[i];
            if (e->kind != V_ENUM)
                continue;
            buf_printf(&b, "%sThe parameter %s must be a value in the set [ ", b.len ? "\n" : "",
                       e->qpath);
            for (uint16_t j = 0; j < e->sh->nenum; j++)
                buf_printf(&b, "%s%s", j ? ", " : "", s->enums[e->sh->enum_first + j]);
            buf_puts(&b, " ].");
        }
        if (b.len)
            rc = call_fail(x->c, 400, "InvalidParameterValue", "%s", b.p);
    }
out:
    buf_free(&b);
    return rc;
}

int wire_validate(struct call *c, const json_t *in)
{
    struct vctx x;
    struct buf b = BUF_INIT;
    int rc = 0;
    memset(&x, 0, sizeof(x));
    if (!c->svc || !c->op || c->op->input < 0 || !in)
        return 0;
    x.c = c;
    x.s = c->svc;
    x.ec2 = c->proto == PROTO_EC2 || (c->svc->protocols & PROTO_EC2);
    walk_struct(&x, in, model_shape(c->svc, (uint32_t)c->op->input), 0);
    if (!x.n)
        goto out;
    if (x.ec2) {
        rc = report_ec2(&x);
        goto out;
    }
    if ((c->svc->protocols & PROTO_QUERY) && (rc = report_legacy(&x)) <= 0)
        goto out;
    buf_printf(&b, "%zu validation error%s detected: ", x.n, x.n == 1 ? "" : "s");
    for (size_t i = 0; i < x.n; i++) {
        if (i)
            buf_puts(&b, "; ");
        put_coral(&b, &x.v[i], c->svc);
    }
    rc = call_fail(c, 400,
                   (c->svc->protocols & PROTO_QUERY) ? "ValidationError" : "ValidationException",
                   "%s", b.p);
out:
    buf_free(&b);
    for (size_t i = 0; i < x.nowned; i++)
        json_decref(x.owned[i]);
    free(x.owned);
    free(x.v);
    buf_free(&x.cpath);
    buf_free(&x.qpath);
    return rc < 0 ? -1 : 0;
}
