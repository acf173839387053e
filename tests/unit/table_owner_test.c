/*
 * table_owner_test.c — issue 10's rule "each table belongs to one service", read from the
 * sources. A table's owner is the folder whose file creates it (CREATE TABLE in a string
 * literal of any .c file under src/): src/svc/<id>/... -> <id>, src/<dir>/... -> <dir>
 * (store owns meta, clock/ events, svc/iam/ access_keys). Every .c file under src/svc/ (the
 * service folders, and the files directly in src/svc/, the framework, which owns no table)
 * may name in SQL only its own folder's tables: other services' state is reached through
 * the owner's functions (iam.h answers for access keys).
 *
 * SQL is found in string literals: adjacent literals are joined (SQL split over lines and
 * macros), comments and character constants are skipped; a table is named by FROM, JOIN,
 * INTO, UPDATE, TABLE or ON followed by its name (main./temp. allowed), or by a literal
 * that is exactly its name (table lists handed to SQL built at run time).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "harness.h"

/* ------------------------------------------------------------ source files */

struct files {
    char **v;
    size_t n, cap;
};

static void files_add(struct files *f, const char *path)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 128;
        f->v = realloc(f->v, f->cap * sizeof(*f->v));
        if (!f->v)
            abort();
    }
    f->v[f->n++] = strdup(path);
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .c file under dir (a repository path), recursively. */
static void walk(const char *dir, struct files *out)
{
    const char *root = getenv("HARNESS_ROOT");
    char full[1024];
    snprintf(full, sizeof(full), "%s%s%s", root ? root : "", root ? "/" : "", dir);
    DIR *d = opendir(full);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024], fpath[1400];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        snprintf(fpath, sizeof(fpath), "%s/%s", full, e->d_name);
        struct stat sb;
        if (stat(fpath, &sb) != 0)
            continue;
        size_t n = strlen(path);
        if (S_ISDIR(sb.st_mode))
            walk(path, out);
        else if (n > 2 && strcmp(path + n - 2, ".c") == 0)
            files_add(out, path);
    }
    closedir(d);
}

static void files_free(struct files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i]);
    free(f->v);
}

/* The owner a path speaks for: "src/svc/<id>/..." -> <id>, "src/svc/x.c" -> "svc" (the
 * framework), "src/<dir>/..." -> <dir>. Written to out[cap]. */
static void owner_of_path(const char *path, char *out, size_t cap)
{
    const char *p = strncmp(path, "src/", 4) == 0 ? path + 4 : path;
    const char *slash = strchr(p, '/');
    if (strncmp(p, "svc/", 4) == 0 && strchr(p + 4, '/')) {
        p += 4;
        slash = strchr(p, '/');
    }
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    snprintf(out, cap, "%.*s", (int)n, p);
}

/* ------------------------------------------------------------ string literals */

/* One run of adjacent string literals: their text joined (escapes decoded loosely) and
 * the source line of each character. */
struct run {
    char *s;
    int *line;
    size_t n, cap;
};

static void run_put(struct run *r, char c, int line)
{
    if (r->n + 1 >= r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->s = realloc(r->s, r->cap);
        r->line = realloc(r->line, r->cap * sizeof(*r->line));
        if (!r->s || !r->line)
            abort();
    }
    r->line[r->n] = line;
    r->s[r->n++] = c;
    r->s[r->n] = 0;
}

typedef void (*run_fn)(const struct run *r, void *ctx);

/* Calls fn for each run of adjacent string literals of C source text. */
static void each_run(const char *text, run_fn fn, void *ctx)
{
    struct run r = {0};
    bool open = false; /* a run is being collected */
    int line = 1;
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            line++;
            p++;
        } else if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            end = end ? end + 2 : p + strlen(p);
            for (; p < end; p++)
                line += *p == '\n';
        } else if (*p == '\'') {
            for (p++; *p && *p != '\'' && *p != '\n'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p == '\'')
                p++;
        } else if (*p == '"') {
            if (!open) {
                r.n = 0;
                open = true;
            }
            for (p++; *p && *p != '"' && *p != '\n'; p++) {
                char c = *p;
                if (c == '\\' && p[1]) {
                    c = *++p;
                    if (c == 'n' || c == 't' || c == 'r')
                        c = ' ';
                }
                run_put(&r, c, line);
            }
            if (*p == '"')
                p++;
        } else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\\') {
            p++; /* between adjacent literals, also across macro line continuations */
        } else {
            if (open && r.n)
                fn(&r, ctx);
            open = false;
            p++;
        }
    }
    if (open && r.n)
        fn(&r, ctx);
    free(r.s);
    free(r.line);
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The identifier at s (its length, 0 when none). */
static size_t ident_len(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    size_t n = 1;
    while (ident_char(s[n]))
        n++;
    return n;
}

/*
 * Calls fn(name, len, offset) for each table-like name the SQL text names after one of
 * the keywords (case-insensitive, whole words, at least one space between).
 */
typedef void (*name_fn)(const struct run *r, const char *name, size_t len, size_t off, void *ctx);

static void each_named(const struct run *r, name_fn fn, void *ctx)
{
    static const char *const kw[] = {"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "ON"};
    const char *s = r->s;
    for (size_t i = 0; i < r->n; i++) {
        if (i > 0 && ident_char(s[i - 1]))
            continue;
        for (size_t k = 0; k < sizeof(kw) / sizeof(kw[0]); k++) {
            size_t kl = strlen(kw[k]);
            if (strncasecmp(s + i, kw[k], kl) != 0 || (s[i + kl] != ' ' && s[i + kl] != '\t'))
                continue;
            size_t j = i + kl;
            while (s[j] == ' ' || s[j] == '\t')
                j++;
            if (strncasecmp(s + j, "main.", 5) == 0 || strncasecmp(s + j, "temp.", 5) == 0)
                j += 5;
            size_t n = ident_len(s + j);
            if (n)
                fn(r, s + j, n, j, ctx);
        }
    }
}

/* ------------------------------------------------------------ the owner map */

#define MAX_TABLES 256

struct table {
    char name[64];
    char owner[32];
    char where[160]; /* file:line of the (first) CREATE TABLE */
};

struct owners {
    struct table t[MAX_TABLES];
    size_t n;
    const char *file; /* the file being read */
    char file_owner[32];
};

static const struct table *table_find(const struct owners *o, const char *name, size_t len)
{
    for (size_t i = 0; i < o->n; i++)
        if (strlen(o->t[i].name) == len && strncasecmp(o->t[i].name, name, len) == 0)
            return &o->t[i];
    return NULL;
}

static void on_create(const struct run *r, void *ctx)
{
    struct owners *o = ctx;
    for (const char *p = r->s; (p = strcasestr(p, "CREATE")); p++) {
        if (p > r->s && ident_char(p[-1]))
            continue;
        const char *q = p + 6;
        if (!isspace((unsigned char)*q))
            continue;
        while (isspace((unsigned char)*q))
            q++;
        if (strncasecmp(q, "TABLE", 5) != 0 || !isspace((unsigned char)q[5]))
            continue;
        q += 5;
        while (isspace((unsigned char)*q))
            q++;
        if (strncasecmp(q, "IF NOT EXISTS ", 14) == 0)
            q += 14;
        size_t n = ident_len(q);
        if (!n || n >= sizeof(o->t[0].name))
            continue;
        int line = r->line[q - r->s];
        const char *owner = o->file_owner;
        const struct table *have = table_find(o, q, n);
        if (have) {
            if (strcmp(have->owner, owner) != 0)
                harness_fail(o->file, line, "table %.*s is created here for %s and at %s for %s",
                             (int)n, q, owner, have->where, have->owner);
            continue;
        }
        if (o->n == MAX_TABLES) {
            harness_fail(o->file, line, "more than %d tables", MAX_TABLES);
            return;
        }
        struct table *t = &o->t[o->n++];
        snprintf(t->name, sizeof(t->name), "%.*s", (int)n, q);
        snprintf(t->owner, sizeof(t->owner), "%s", owner);
        snprintf(t->where, sizeof(t->where), "%s:%d", o->file, line);
    }
}

/* The owner map from every .c file under src/. */
static void owners_load(struct owners *o, const struct files *src)
{
    memset(o, 0, sizeof(*o));
    for (size_t i = 0; i < src->n; i++) {
        char *text = harness_read_file(src->v[i], NULL);
        if (!text)
            continue;
        o->file = src->v[i];
        owner_of_path(src->v[i], o->file_owner, sizeof(o->file_owner));
        each_run(text, on_create, o);
        free(text);
    }
}

static const char *owner_of(const struct owners *o, const char *table)
{
    const struct table *t = table_find(o, table, strlen(table));
    return t ? t->owner : NULL;
}

/* ------------------------------------------------------------ the check */

struct scan {
    const struct owners *o;
    const char *file;
    char file_owner[32];
    bool report; /* harness_fail each violation */
    int violations;
};

static void check_name(const struct run *r, const char *name, size_t len, size_t off, void *ctx)
{
    struct scan *sc = ctx;
    const struct table *t = table_find(sc->o, name, len);
    if (!t || strcmp(t->owner, sc->file_owner) == 0)
        return;
    sc->violations++;
    if (sc->report)
        harness_fail(sc->file, r->line[off],
                     "names table %s (owned by %s) in SQL; call %s's functions instead", t->name,
                     t->owner, t->owner);
}

static void on_sql(const struct run *r, void *ctx)
{
    struct scan *sc = ctx;
    each_named(r, check_name, sc);
    const struct table *t = table_find(sc->o, r->s, r->n);
    if (t && strcmp(t->name, r->s) == 0)
        check_name(r, r->s, r->n, 0, sc); /* a bare table name: a list handed to SQL */
}

/* Checks one file's text (report: harness_fail each); the number of foreign tables named. */
static int scan_text(const struct owners *o, const char *path, const char *text, bool report)
{
    struct scan sc = {.o = o, .file = path, .report = report};
    owner_of_path(path, sc.file_owner, sizeof(sc.file_owner));
    each_run(text, on_sql, &sc);
    return sc.violations;
}

/* ------------------------------------------------------------ tests */

TEST(table_owner_map_from_schemas)
{
    struct files src = {0};
    walk("src", &src);
    CHECK(src.n > 50);
    struct owners *o = malloc(sizeof(*o));
    owners_load(o, &src);
    CHECK(o->n >= 30);
    CHECK_EQ_STR(owner_of(o, "access_keys"), "iam");
    CHECK_EQ_STR(owner_of(o, "iam_users"), "iam");
    CHECK_EQ_STR(owner_of(o, "iam_policies"), "iam");
    CHECK_EQ_STR(owner_of(o, "meta"), "store");
    CHECK_EQ_STR(owner_of(o, "events"), "clock");
    CHECK_EQ_STR(owner_of(o, "cw_alarms"), "cloudwatch");
    CHECK_EQ_STR(owner_of(o, "ec2_instances"), "ec2");
    CHECK_EQ_STR(owner_of(o, "trail_events"), "cloudtrail");
    CHECK_EQ_STR(owner_of(o, "cfn_stacks"), "cfn");
    free(o);
    files_free(&src);
}

/* The scanner itself: SQL split over literals and macro lines, comments, bare names. */
TEST(table_owner_scanner_finds_split_sql)
{
    struct owners *o = calloc(1, sizeof(*o));
    o->file = "test";
    snprintf(o->file_owner, sizeof(o->file_owner), "iam");
    const char *schema = "\"CREATE TABLE iam_users(name TEXT);\"";
    each_run(schema, on_create, o);
    snprintf(o->file_owner, sizeof(o->file_owner), "cloudwatch");
    each_run("\"CREATE TABLE cw_alarms(x);\"", on_create, o);
    CHECK_EQ_STR(owner_of(o, "iam_users"), "iam");
    CHECK_EQ_STR(owner_of(o, "cw_alarms"), "cloudwatch");

    CHECK_EQ_INT(scan_text(o, "src/svc/cloudwatch/x.c",
                           "s = store_stmt(st, \"SELECT 1 FROM \"\n"
                           "                   \"iam_users WHERE name = ?1\");\n",
                           false),
                 1);
    CHECK_EQ_INT(scan_text(o, "src/svc/cloudwatch/x.c",
                           "#define Q \"SELECT 1 FROM cw_alarms \" \\\n  \"JOIN main.iam_users\"\n",
                           false),
                 1);
    CHECK_EQ_INT(scan_text(o, "src/svc/x.c", "static const char *t[] = {\"iam_users\"};", false),
                 1);
    CHECK_EQ_INT(scan_text(o, "src/svc/iam/x.c", "\"UPDATE iam_users SET name = ?1\"", false), 0);
    CHECK_EQ_INT(scan_text(o, "src/svc/sts/x.c",
                           "/* SELECT * FROM iam_users */ c = '\"'; x = \"from the users\";",
                           false),
                 0);
    free(o);
}

/* The rule over the tree: each violation fails with the file, line and table. */
TEST(table_owner_only_owner_names_its_tables)
{
    struct files src = {0};
    walk("src", &src);
    qsort(src.v, src.n, sizeof(*src.v), path_cmp);
    struct owners *o = malloc(sizeof(*o));
    owners_load(o, &src);
    for (size_t i = 0; i < src.n; i++) {
        if (strncmp(src.v[i], "src/svc/", 8) != 0)
            continue;
        char *text = harness_read_file(src.v[i], NULL);
        CHECK(text != NULL);
        if (text)
            scan_text(o, src.v[i], text, true);
        free(text);
    }
    free(o);
    files_free(&src);
}
