/*
 * lines.c — where a template's resources and their properties are written: the line of the
 * key Resources > ID and of Resources > ID > Properties > NAME (cfn_template_lines), for
 * tools that point at template text (`recoverlab lint`).
 *
 * From libyaml's marks (JSON is read through libyaml as well, being YAML flow syntax); when
 * libyaml cannot read a text the loader accepted (tabs in JSON), a text scan: the first
 * "Resources" key, then the resource's logical id as a key after it, then the property's
 * key before the next resource (keys matched as whole names followed by an optional quote,
 * blanks and ':').
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/base.h"
#include "cfnlang/cfnlang.h"

/* Finds key as a mapping key in text[from..to): returns its offset or -1. */
static long find_key(const char *text, size_t from, size_t to, const char *key)
{
    size_t kl = strlen(key);
    for (size_t p = from; p + kl <= to; p++) {
        if (memcmp(text + p, key, kl) != 0)
            continue;
        char before = p ? text[p - 1] : '\n';
        if (!(before == '"' || before == '\'' || before == ' ' || before == '\t' ||
              before == '\n' || before == '{' || before == ','))
            continue;
        size_t q = p + kl;
        if (q < to && (text[q] == '"' || text[q] == '\''))
            q++;
        while (q < to && (text[q] == ' ' || text[q] == '\t'))
            q++;
        if (q < to && text[q] == ':')
            return (long)p;
    }
    return -1;
}

static int line_of(const char *text, long off)
{
    if (off < 0)
        return 0;
    int line = 1;
    for (long i = 0; i < off; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

#define LINES_MAX_DEPTH (CFN_MAX_DEPTH + 8)
struct yframe {
    bool map, want_key;
    char *key;
};

static void note_line(json_t *lines, const char *id, const char *key, size_t line)
{
    json_t *r = json_object_get(lines, id);
    if (!r) {
        r = json_object();
        json_object_set_new(lines, id, r);
    }
    if (!json_object_get(r, key)) /* the first one: loaders reject duplicates anyway */
        json_object_set_new(r, key, json_integer((json_int_t)line));
}

static json_t *yaml_lines(const char *body, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct yframe fr[LINES_MAX_DEPTH];
    int depth = 0;
    bool ok = false;
    json_t *lines = json_object();
    if (!yaml_parser_initialize(&p)) {
        json_decref(lines);
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)body, len);
    for (;;) {
        if (!yaml_parser_parse(&p, &ev))
            break;
        yaml_event_type_t ty = ev.type;
        if (ty == YAML_STREAM_END_EVENT || ty == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            ok = true;
            break;
        }
        bool node = ty == YAML_SCALAR_EVENT || ty == YAML_ALIAS_EVENT ||
                    ty == YAML_MAPPING_START_EVENT || ty == YAML_SEQUENCE_START_EVENT;
        if (node && depth > 0 && fr[depth - 1].map) {
            struct yframe *f = &fr[depth - 1];
            if (f->want_key) {
                free(f->key);
                f->key = ty == YAML_SCALAR_EVENT
                             ? xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length)
                             : NULL;
                f->want_key = false;
                size_t line = ev.start_mark.line + 1;
                bool maps = true;
                for (int d = 0; d < depth; d++)
                    maps = maps && fr[d].map;
                if (f->key && maps && depth >= 2 && str_eq(fr[0].key, "Resources")) {
                    if (depth == 2)
                        note_line(lines, f->key, ".", line);
                    else if (depth == 4 && fr[1].key && str_eq(fr[2].key, "Properties"))
                        note_line(lines, fr[1].key, f->key, line);
                }
            } else {
                f->want_key = true;
            }
        }
        if (ty == YAML_MAPPING_START_EVENT || ty == YAML_SEQUENCE_START_EVENT) {
            if (depth >= LINES_MAX_DEPTH) {
                yaml_event_delete(&ev);
                break;
            }
            fr[depth].map = ty == YAML_MAPPING_START_EVENT;
            fr[depth].want_key = true;
            fr[depth].key = NULL;
            depth++;
        } else if ((ty == YAML_MAPPING_END_EVENT || ty == YAML_SEQUENCE_END_EVENT) && depth > 0) {
            depth--;
            free(fr[depth].key);
        }
        yaml_event_delete(&ev);
    }
    while (depth > 0)
        free(fr[--depth].key);
    yaml_parser_delete(&p);
    if (!ok) {
        json_decref(lines);
        return NULL;
    }
    return lines;
}

/* The same from the text: the first "Resources" key, each resource's id as a key after it,
 * each property's key between its resource and the next one. */
static json_t *text_lines(const char *text, size_t len, const json_t *resources)
{
    json_t *lines = json_object();
    long sec = find_key(text, 0, len, "Resources");
    size_t n = json_object_size(resources), i = 0;
    long *offs = xcalloc(n + 1, sizeof(*offs));
    const char *id;
    json_t *r;
    json_object_foreach((json_t *)resources, id, r)
    {
        offs[i++] = sec >= 0 ? find_key(text, (size_t)sec, len, id) : -1;
    }
    i = 0;
    json_object_foreach((json_t *)resources, id, r)
    {
        long off = offs[i++];
        if (off < 0)
            continue;
        size_t end = len;
        for (size_t j = 0; j < n; j++)
            if (offs[j] > off && (size_t)offs[j] < end)
                end = (size_t)offs[j];
        note_line(lines, id, ".", (size_t)line_of(text, off));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(r, "Properties"), k, v)
        {
            long po = find_key(text, (size_t)off, end, k);
            if (po >= 0)
                note_line(lines, id, k, (size_t)line_of(text, po));
        }
    }
    free(offs);
    return lines;
}

json_t *cfn_template_lines(const char *body, size_t len, const json_t *resources)
{
    json_t *lines = yaml_lines(body, len);
    if (!lines) {
        char *text = xstrndup(body, len); /* NUL-terminated for the scan */
        lines = text_lines(text, len, resources);
        free(text);
    }
    return lines;
}
