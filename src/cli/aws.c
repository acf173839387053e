/*
 * aws.c — the generic AWS API call of the client commands (audit, drill): one POST to the
 * endpoint in the service's protocol, signed with SigV4 by libcurl (CURLOPT_AWS_SIGV4) for
 * the service's signing name, with the session token header when there is one.
 *   CloudWatch: JSON 1.0, X-Amz-Target GraniteServiceVersion20100801.OP, x-amzn-query-mode
 *   CloudTrail: JSON 1.1, X-Amz-Target com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.OP
 *   EC2 (2016-11-15), IAM (2010-05-08, signed for us-east-1): Query form, XML answers.
 * XML answers are turned into a jansson tree (libxml2 parses) so callers read every
 * protocol the same way: see cli_aws_call in cli.h.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

struct svc_desc {
    const char *signing; /* SigV4 service name */
    const char *target;  /* JSON: X-Amz-Target prefix; NULL for Query */
    const char *ctype;   /* JSON content type */
    const char *version; /* Query: Version */
    const char *region;  /* fixed signing region (IAM), or NULL */
};

static const struct svc_desc svcs[] = {
    [CLI_SVC_CLOUDWATCH] = {"monitoring", "GraniteServiceVersion20100801.",
                            "application/x-amz-json-1.0", NULL, NULL},
    [CLI_SVC_CLOUDTRAIL] = {"cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
                            "application/x-amz-json-1.1", NULL, NULL},
    [CLI_SVC_EC2] = {"ec2", NULL, NULL, "2016-11-15", NULL},
    [CLI_SVC_IAM] = {"iam", NULL, NULL, "2010-05-08", "us-east-1"},
    [CLI_SVC_SNS] = {"sns", NULL, NULL, "2010-03-31", NULL},
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    buf_put(ud, p, size * n);
    return size * n;
}

/* Element children of n that are elements. */
static size_t count_elements(xmlNode *n)
{
    size_t k = 0;
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            k++;
    return k;
}

/* One XML element as JSON: text for a leaf, an array when every child is <item> or
 * <member> (the lists of the EC2 and Query protocols), an object by key when every child is
 * an <entry> with <key> and <value> (Query maps: SNS attributes), else an object by child
 * name. */
static xmlNode *xml_find(xmlNode *n, const char *name);
static char *xml_child_text(xmlNode *n, const char *name);

static json_t *xml_to_json(xmlNode *n, int depth)
{
    if (depth > 64)
        return json_null();
    if (!count_elements(n)) {
        xmlChar *s = xmlNodeGetContent(n);
        json_t *v = json_string(s ? (const char *)s : "");
        xmlFree(s);
        return v ? v : json_string("");
    }
    bool list = true, map = true;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !str_eq((const char *)c->name, "item") &&
            !str_eq((const char *)c->name, "member"))
            list = false;
        if (c->type == XML_ELEMENT_NODE && !str_eq((const char *)c->name, "entry"))
            map = false;
    }
    if (map) {
        json_t *m = json_object();
        for (xmlNode *c = n->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            char *k = xml_child_text(c, "key");
            xmlNode *v = xml_find(c->children, "value");
            if (k && v)
                json_object_set_new(m, k, xml_to_json(v, depth + 1));
            free(k);
        }
        return m;
    }
    json_t *out = list ? json_array() : json_object();
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        json_t *v = xml_to_json(c, depth + 1);
        if (list)
            json_array_append_new(out, v);
        else
            json_object_set_new(out, (const char *)c->name, v);
    }
    return out;
}

/* Finds the first element named name below n (depth-first). */
static xmlNode *xml_find(xmlNode *n, const char *name)
{
    for (xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (str_eq((const char *)c->name, name))
            return c;
        xmlNode *f = xml_find(c->children, name);
        if (f)
            return f;
    }
    return NULL;
}

static char *xml_child_text(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && str_eq((const char *)c->name, name)) {
            xmlChar *s = xmlNodeGetContent(c);
            char *r = xstrdup(s ? (const char *)s : "");
            xmlFree(s);
            return r;
        }
    }
    return NULL;
}

static int parse_xml(const char *body, size_t len, bool ok, struct cli_aws_result *r)
{
    xmlDoc *doc = xmlReadMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        return -1;
    }
    if (ok) {
        r->json = xml_to_json(root, 0);
        if (json_is_string(r->json)) { /* an empty answer element */
            json_decref(r->json);
            r->json = json_object();
        }
    } else {
        xmlNode *e = xml_find(root, "Error");
        r->code = xml_child_text(e, "Code");
        r->message = xml_child_text(e, "Message");
    }
    xmlFreeDoc(doc);
    return 0;
}

static int parse_json(const char *body, bool ok, struct cli_aws_result *r)
{
    json_t *v = json_loads(body, JSON_DECODE_ANY, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        return -1;
    }
    if (ok) {
        r->json = v;
        return 0;
    }
    const char *type = json_string_value(json_object_get(v, "__type"));
    const char *msg = json_string_value(json_object_get(v, "message"));
    if (!msg)
        msg = json_string_value(json_object_get(v, "Message"));
    if (type) {
        const char *hash = strrchr(type, '#');
        r->code = xstrdup(hash ? hash + 1 : type);
    }
    r->message = msg ? xstrdup(msg) : NULL;
    json_decref(v);
    return 0;
}

/* Appends the Query form of params (flat object name -> string/number/bool). */
static void form_encode(CURL *h, struct buf *b, const json_t *params)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)params, k, v)
    {
        char num[64];
        const char *s = json_string_value(v);
        if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            s = num;
        } else if (json_is_boolean(v)) {
            s = json_is_true(v) ? "true" : "false";
        }
        if (!s)
            continue;
        char *ek = curl_easy_escape(h, k, 0), *ev = curl_easy_escape(h, s, 0);
        buf_printf(b, "&%s=%s", ek, ev);
        curl_free(ek);
        curl_free(ev);
    }
}

int cli_aws_call(const char *cmd, const struct cli_target *t, const char *region, enum cli_svc svc,
                 const char *op, const json_t *params, struct cli_aws_result *r)
{
    static bool curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    memset(r, 0, sizeof(*r));
    const struct svc_desc *d = &svcs[svc];
    const char *reg = d->region ? d->region : region ? region : t->region;
    int rc = -1;
    struct buf url = BUF_INIT, sigv4 = BUF_INIT, body = BUF_INIT, resp = BUF_INIT,
               target = BUF_INIT, tok = BUF_INIT, ctype = BUF_INIT;
    struct curl_slist *hdrs = NULL;
    CURL *h = curl_easy_init();
    if (!h) {
        fprintf(stderr, "recoverlab %s: cannot initialise libcurl\n", cmd);
        return -1;
    }
    buf_printf(&url, "%s/", t->endpoint);
    buf_printf(&sigv4, "aws:amz:%s:%s", reg, d->signing);
    if (d->target) {
        char *s = params ? json_dumps(params, JSON_COMPACT) : NULL;
        buf_puts(&body, s ? s : "{}");
        free(s);
        buf_printf(&target, "X-Amz-Target: %s%s", d->target, op);
        buf_printf(&ctype, "Content-Type: %s", d->ctype);
        hdrs = curl_slist_append(hdrs, target.p);
        hdrs = curl_slist_append(hdrs, ctype.p);
        if (svc == CLI_SVC_CLOUDWATCH)
            hdrs = curl_slist_append(hdrs, "x-amzn-query-mode: true");
    } else {
        buf_printf(&body, "Action=%s&Version=%s", op, d->version);
        if (params)
            form_encode(h, &body, params);
        hdrs = curl_slist_append(hdrs,
                                 "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
    }
    if (t->session_token) {
        buf_printf(&tok, "X-Amz-Security-Token: %s", t->session_token);
        hdrs = curl_slist_append(hdrs, tok.p);
    }
    curl_easy_setopt(h, CURLOPT_URL, url.p);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.p);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.p);
    curl_easy_setopt(h, CURLOPT_USERNAME, t->access_key_id);
    curl_easy_setopt(h, CURLOPT_PASSWORD, t->secret);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "recoverlab-cli");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        fprintf(stderr, "recoverlab %s: cannot reach %s: %s\n", cmd, t->endpoint,
                curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    bool ok = r->status >= 200 && r->status < 300;
    const char *text = resp.p ? resp.p : "";
    int pr = d->target ? parse_json(text, ok, r) : parse_xml(text, resp.len, ok, r);
    if (pr || (!ok && !r->code)) {
        if (ok) {
            fprintf(stderr, "recoverlab %s: %s %s: unreadable answer (HTTP %ld)\n", cmd, d->signing,
                    op, r->status);
            goto out;
        }
        free(r->code);
        free(r->message);
        r->code = xstrdup("HTTP");
        struct buf m = BUF_INIT;
        buf_printf(&m, "HTTP %ld", r->status);
        r->message = buf_steal(&m);
    }
    rc = ok ? 0 : 1;
out:
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    buf_free(&url);
    buf_free(&sigv4);
    buf_free(&body);
    buf_free(&resp);
    buf_free(&target);
    buf_free(&tok);
    buf_free(&ctype);
    return rc;
}

void cli_aws_result_free(struct cli_aws_result *r)
{
    json_decref(r->json);
    free(r->code);
    free(r->message);
    memset(r, 0, sizeof(*r));
}

const json_t *cli_jpath(const json_t *v, const char *path)
{
    char key[128];
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = 0;
        v = json_object_get(v, key);
        path += n + (dot ? 1 : 0);
    }
    return v;
}

const char *cli_jstr(const json_t *v, const char *path)
{
    return json_string_value(cli_jpath(v, path));
}

bool cli_lab_health(const struct cli_target *t)
{
    long status = 0;
    struct buf resp = BUF_INIT;
    bool ok = false;
    CURL *h = curl_easy_init();
    if (h) {
        struct buf url = BUF_INIT;
        buf_printf(&url, "%s/_recoverlab/health", t->endpoint);
        curl_easy_setopt(h, CURLOPT_URL, url.p);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
        if (curl_easy_perform(h) == CURLE_OK) {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            json_t *v = status == 200 && resp.p ? json_loads(resp.p, 0, NULL) : NULL;
            ok = str_eq(json_string_value(json_object_get(v, "status")), "ok");
            json_decref(v);
        }
        buf_free(&url);
        curl_easy_cleanup(h);
    }
    buf_free(&resp);
    return ok;
}
