/*
 * trail.c — recording one CloudTrail management event per API call (trail.h).
 *
 * A call becomes one row of trail_events (schema.c): its pieces, not its JSON, so recording
 * costs one cached INSERT (plus, for temporary credentials, one primary-key read of the
 * access key row for the session's creation time and issuer). lookup.c builds the event
 * document from the row. Rows older than 90 virtual days are deleted every PRUNE_EVERY-th
 * insert (and never returned by LookupEvents).
 *
 * requestParameters: the decoded input with every structure member name turned lower-camel
 * (first letter lower-cased: AlarmName -> alarmName, OKActions -> oKActions, as CloudTrail's
 * records of CloudWatch calls show), map keys kept, timestamps as ISO 8601 (inferred: AWS
 * renders them per service), secrets replaced by "HIDDEN_DUE_TO_SECURITY_REASONS" [doc:
 * CloudTrail record contents]. EC2 records its parameters and responses in its own
 * XML-derived shape (instancesSet.items..., see "EC2's own layout" below).
 * responseElements: the output of mutating calls (and of the operations listed below) with
 * lower-camel member names, null when the output has no members or the call only reads:
 * given as JSON by svc_invoke, or read back from the rendered XML result for calls answered
 * in Query/EC2 XML (a JSON/CBOR-answered call without out_json records null).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "store/store.h"
#include "svc/cloudtrail/trail.h"
#include "svc/iam/iam.h"
#include "svc/svc.h"

#define PRUNE_EVERY 256
#define HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"

/* CloudWatch metric calls are not management events, so not in event history [doc:
 * CloudWatch user guide, "Logging Amazon CloudWatch API calls with AWS CloudTrail":
 * GetMetricStatistics, ListMetrics and PutMetricData are not logged as management events];
 * GetMetricData and GetMetricWidgetImage likewise (inferred). This also keeps metric
 * ingestion free of the recording cost. */
static const char *const not_recorded[][2] = {
    {"cloudwatch", "PutMetricData"},        {"cloudwatch", "GetMetricData"},
    {"cloudwatch", "GetMetricStatistics"},  {"cloudwatch", "ListMetrics"},
    {"cloudwatch", "GetMetricWidgetImage"},
};

/* Input members whose values CloudTrail never shows. */
static const char *const secret_members[] = {
    "SecretAccessKey", "Password", "NewPassword",  "OldPassword",
    "PrivateKey",      "UserData", "SessionToken",
};

/* Operations whose output AWS records as responseElements (inferred selection: creations
 * that hand back an identifier). Output secrets are hidden like input ones. */
static const char *const with_response[][2] = {
    {"cloudformation", "CreateStack"},
    {"cloudformation", "UpdateStack"},
    {"ec2", "RunInstances"},
    {"iam", "CreateUser"},
    {"iam", "CreateRole"},
    {"iam", "CreateAccessKey"},
    {"sts", "AssumeRole"},
    {"sts", "GetSessionToken"},
    {"sts", "GetFederationToken"},
};

static bool pair_listed(const char *const (*list)[2], size_t n, const char *svc, const char *op)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(list[i][0], svc) && str_eq(list[i][1], op))
            return true;
    return false;
}

static bool is_secret(const char *member, const struct model_shape *sh)
{
    if (sh && (sh->flags & SHF_SENSITIVE))
        return true;
    for (size_t i = 0; i < ARRAY_LEN(secret_members); i++)
        if (str_eq(member, secret_members[i]))
            return true;
    return false;
}

static json_t *ct_value(const struct model_service *svc, const struct model_shape *sh,
                        const json_t *v, bool secs, int depth);

/* A structure (or an object without a known shape): lower-camel member names. */
static json_t *ct_struct(const struct model_service *svc, const struct model_shape *sh,
                         const json_t *v, bool secs, int depth)
{
    json_t *o = json_object();
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val)
    {
        const struct model_member *m = sh ? model_member_find(svc, sh, k) : NULL;
        const struct model_shape *msh = m ? model_shape(svc, m->shape) : NULL;
        char key[160];
        snprintf(key, sizeof(key), "%s", k);
        key[0] = (char)tolower((unsigned char)key[0]);
        if (is_secret(k, msh))
            json_object_set_new(o, key, json_string(HIDDEN));
        else
            json_object_set_new(o, key, ct_value(svc, msh, val, secs, depth + 1));
    }
    return o;
}

/* One value of the input tree (timestamps in ms) or of a JSON-protocol output (secs:
 * timestamps in epoch seconds) in CloudTrail's form, guided by its shape (NULL: as is). */
static json_t *ct_value(const struct model_service *svc, const struct model_shape *sh,
                        const json_t *v, bool secs, int depth)
{
    if (depth > 40)
        return json_null();
    if (!sh)
        return json_is_object(v) ? ct_struct(svc, NULL, v, secs, depth) : json_deep_copy(v);
    switch (sh->type) {
    case SH_STRUCTURE:
        return json_is_object(v) ? ct_struct(svc, sh, v, secs, depth) : json_deep_copy(v);
    case SH_LIST: {
        if (!json_is_array(v))
            return json_deep_copy(v);
        const struct model_shape *esh = model_shape(svc, svc->members[sh->first].shape);
        json_t *a = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            json_array_append_new(a, ct_value(svc, esh, e, secs, depth + 1));
        return a;
    }
    case SH_MAP: {
        if (!json_is_object(v))
            return json_deep_copy(v);
        const struct model_shape *vsh = model_shape(svc, svc->members[sh->first + 1].shape);
        json_t *o = json_object();
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e)
            json_object_set_new(o, k, ct_value(svc, vsh, e, secs, depth + 1));
        return o;
    }
    case SH_TIMESTAMP:
        if (json_is_number(v)) {
            char t[32];
            time_fmt_iso8601(
                secs ? (int64_t)(json_number_value(v) * 1000.0) : (int64_t)json_number_value(v), t);
            return json_string(t);
        }
        return json_deep_copy(v);
    case SH_FLOAT:
    case SH_DOUBLE:
        return json_is_number(v) ? json_real(json_number_value(v)) : json_deep_copy(v);
    default:
        return json_deep_copy(v);
    }
}

static xmlNode *x_first(xmlNode *n);
static xmlNode *x_next(xmlNode *n);

/* ---- EC2's own layout ----
 * EC2 records its calls in the shape of its XML API, not the API model's member names
 * [doc: CloudTrail UG cloudtrail-log-file-examples (StartInstances, StopInstances),
 * EC2 API reference "Logging API calls"; published samples of RunInstances and CreateTags
 * events]: lists are {"items": [...]} under "<name>Set" names (instancesSet, resourcesSet,
 * tagSet, tagSpecificationSet, groupSet, filterSet), each id an object ({"instanceId": ...}),
 * tags {"key","value"}, RunInstances' image and counts inside instancesSet.items[0], and
 * the defaults EC2 fills shown (monitoring.enabled false, disableApiTermination false,
 * StopInstances' force false). responseElements are the XML response as JSON: requestId
 * first, element names as sent, lists as {"items": [...]}, "_return": true for operations
 * that answer <return>true</return>, times as epoch milliseconds. Members not named here
 * keep the generic form (lower-camel name; lists as {"items": [...]}: inferred). */

static json_t *items_of(json_t *arr /* stolen */)
{
    return json_pack("{s:o}", "items", arr);
}

/* [{"<key>": v}, ...] of a list of strings. */
static json_t *id_items(const json_t *list, const char *key)
{
    json_t *a = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v))
            json_array_append_new(a, json_pack("{s:s}", key, json_string_value(v)));
    }
    return items_of(a);
}

static json_t *tag_list(const json_t *tags)
{
    json_t *a = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        json_t *o = json_object();
        const char *k = json_string_value(json_object_get(t, "Key"));
        const char *v = json_string_value(json_object_get(t, "Value"));
        if (k)
            json_object_set_new(o, "key", json_string(k));
        if (v)
            json_object_set_new(o, "value", json_string(v));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *ec2_generic(const struct model_service *svc, const struct model_shape *sh,
                           const json_t *v, int depth);

static json_t *ec2_generic_struct(const struct model_service *svc, const struct model_shape *sh,
                                  const json_t *v, int depth)
{
    json_t *o = json_object();
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val)
    {
        const struct model_member *m = sh ? model_member_find(svc, sh, k) : NULL;
        const struct model_shape *msh = m ? model_shape(svc, m->shape) : NULL;
        char key[160];
        snprintf(key, sizeof(key), "%s", k);
        key[0] = (char)tolower((unsigned char)key[0]);
        if (str_eq(k, "UserData"))
            json_object_set_new(o, key, json_string("<sensitiveDataRemoved>"));
        else if (is_secret(k, msh))
            json_object_set_new(o, key, json_string(HIDDEN));
        else
            json_object_set_new(o, key, ec2_generic(svc, msh, val, depth + 1));
    }
    return o;
}

static json_t *ec2_generic(const struct model_service *svc, const struct model_shape *sh,
                           const json_t *v, int depth)
{
    if (depth > 40)
        return json_null();
    if (json_is_object(v))
        return ec2_generic_struct(svc, sh && sh->type == SH_STRUCTURE ? sh : NULL, v, depth);
    if (json_is_array(v)) {
        const struct model_shape *esh =
            sh && sh->type == SH_LIST ? model_shape(svc, svc->members[sh->first].shape) : NULL;
        json_t *a = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) json_array_append_new(a, ec2_generic(svc, esh, e, depth + 1));
        return items_of(a);
    }
    return ct_value(svc, sh, v, false, depth);
}

/* EC2's requestParameters (a new object). */
static json_t *ec2_request_params(const struct call *c, const json_t *in)
{
    const char *op = c->op->name;
    const struct model_shape *sh =
        c->op->input >= 0 ? model_shape(c->svc, (uint32_t)c->op->input) : NULL;
    json_t *o = json_object();
    bool run = str_eq(op, "RunInstances");
    if (run) {
        json_t *item = json_object();
        static const char *const in_item[][2] = {{"ImageId", "imageId"},
                                                 {"MinCount", "minCount"},
                                                 {"MaxCount", "maxCount"},
                                                 {"KeyName", "keyName"}};
        for (size_t i = 0; i < ARRAY_LEN(in_item); i++) {
            const json_t *v = json_object_get(in, in_item[i][0]);
            if (v)
                json_object_set_new(item, in_item[i][1], json_deep_copy(v));
        }
        json_object_set_new(o, "instancesSet", items_of(json_pack("[o]", item)));
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        if (run && (str_eq(k, "ImageId") || str_eq(k, "MinCount") || str_eq(k, "MaxCount") ||
                    str_eq(k, "KeyName")))
            continue;
        if (str_eq(k, "InstanceIds")) {
            json_object_set_new(o, "instancesSet", id_items(v, "instanceId"));
        } else if (str_eq(k, "Resources")) {
            json_object_set_new(o, "resourcesSet", id_items(v, "resourceId"));
        } else if (str_eq(k, "Tags")) {
            json_object_set_new(o, "tagSet", items_of(tag_list(v)));
        } else if (str_eq(k, "SecurityGroupIds")) {
            json_object_set_new(o, "groupSet", id_items(v, "groupId"));
        } else if (str_eq(k, "TagSpecifications")) {
            json_t *a = json_array();
            size_t i;
            const json_t *ts;
            json_array_foreach(v, i, ts)
            {
                json_t *e = json_object();
                const char *rt = json_string_value(json_object_get(ts, "ResourceType"));
                if (rt)
                    json_object_set_new(e, "resourceType", json_string(rt));
                json_object_set_new(e, "tags", tag_list(json_object_get(ts, "Tags")));
                json_array_append_new(a, e);
            }
            json_object_set_new(o, "tagSpecificationSet", items_of(a));
        } else if (str_eq(k, "BlockDeviceMappings")) {
            json_object_set_new(o, "blockDeviceMapping",
                                ec2_generic(c->svc, NULL, v, 1)); /* {"items": [...]} */
        } else if (str_eq(k, "Filters")) {
            json_t *a = json_array();
            size_t i;
            const json_t *f;
            json_array_foreach(v, i, f)
            {
                json_t *vals = json_array();
                size_t j;
                const json_t *fv;
                json_array_foreach(json_object_get(f, "Values"), j, fv)
                    json_array_append_new(vals, json_pack("{s:O}", "value", fv));
                const char *n = json_string_value(json_object_get(f, "Name"));
                json_array_append_new(a, json_pack("{s:s, s:o}", "name", n ? n : "", "valueSet",
                                                   items_of(vals)));
            }
            json_object_set_new(o, "filterSet", items_of(a));
        } else {
            const struct model_member *m = sh ? model_member_find(c->svc, sh, k) : NULL;
            json_t *one = json_object();
            json_object_set(one, k, v);
            json_t *conv = ec2_generic_struct(c->svc, sh, one, 0);
            json_object_update(o, conv);
            json_decref(conv);
            json_decref(one);
            (void)m;
        }
    }
    /* what EC2 fills in when the caller leaves it out */
    if (run) {
        if (!json_object_get(o, "blockDeviceMapping"))
            json_object_set_new(o, "blockDeviceMapping", json_object());
        if (!json_object_get(o, "monitoring"))
            json_object_set_new(o, "monitoring", json_pack("{s:b}", "enabled", 0));
        if (!json_object_get(o, "disableApiTermination"))
            json_object_set_new(o, "disableApiTermination", json_false());
    }
    if (str_eq(op, "StopInstances") && !json_object_get(o, "force"))
        json_object_set_new(o, "force", json_false());
    if (str_eq(op, "DescribeInstances")) {
        if (!json_object_get(o, "instancesSet"))
            json_object_set_new(o, "instancesSet", json_object());
        if (!json_object_get(o, "filterSet"))
            json_object_set_new(o, "filterSet", json_object());
    }
    return o;
}

/* An EC2 XML response element as CloudTrail shows it, guided by its shape. */
static json_t *ec2_x_value(const struct model_service *svc, const struct model_shape *sh,
                           xmlNode *node, int depth);

static json_t *ec2_x_struct(const struct model_service *svc, const struct model_shape *sh,
                            xmlNode *node, int depth)
{
    json_t *o = json_object();
    for (xmlNode *ch = x_first(node); ch; ch = x_next(ch)) {
        const char *name = (const char *)ch->name;
        const struct model_member *m = NULL;
        for (uint32_t i = 0; sh && i < sh->count; i++) {
            const struct model_member *mm = &svc->members[sh->first + i];
            if (str_eq(mm->location_name ? mm->location_name : mm->name, name)) {
                m = mm;
                break;
            }
        }
        const struct model_shape *msh = m ? model_shape(svc, m->shape) : NULL;
        if (m && is_secret(m->name, msh))
            json_object_set_new(o, name, json_string(HIDDEN));
        else
            json_object_set_new(o, name, ec2_x_value(svc, msh, ch, depth + 1));
    }
    return o;
}

static json_t *ec2_x_value(const struct model_service *svc, const struct model_shape *sh,
                           xmlNode *node, int depth)
{
    if (depth > 40)
        return json_null();
    if (sh && sh->type == SH_STRUCTURE)
        return ec2_x_struct(svc, sh, node, depth);
    if (sh && sh->type == SH_LIST) {
        const struct model_shape *esh = model_shape(svc, svc->members[sh->first].shape);
        json_t *a = json_array();
        for (xmlNode *ch = x_first(node); ch; ch = x_next(ch))
            json_array_append_new(a, ec2_x_value(svc, esh, ch, depth + 1));
        if (!json_array_size(a)) {
            json_decref(a);
            return json_object(); /* an empty set: {} */
        }
        return items_of(a);
    }
    if (!sh && x_first(node))
        return ec2_x_struct(svc, NULL, node, depth);
    xmlChar *t = xmlNodeGetContent(node);
    const char *txt = t ? (const char *)t : "";
    json_t *v;
    int64_t i;
    double d;
    int64_t ms;
    if (sh && (sh->type == SH_INTEGER || sh->type == SH_LONG) && str_to_i64(txt, &i) == 0)
        v = json_integer(i);
    else if (sh && (sh->type == SH_FLOAT || sh->type == SH_DOUBLE) &&
             str_to_double(txt, &d) == 0)
        v = json_real(d);
    else if (sh && sh->type == SH_BOOLEAN)
        v = json_boolean(str_eq(txt, "true"));
    else if (sh && sh->type == SH_TIMESTAMP && time_parse_iso8601(txt, &ms) == 0)
        v = json_integer(ms);
    else
        v = json_string(txt);
    xmlFree(t);
    return v;
}

/* EC2's responseElements from the rendered XML result (c->out->body) or, for a call made
 * through svc_invoke, from its JSON output (member names; timestamps in epoch seconds). */
static json_t *ec2_response(const struct call *c, const json_t *out_json)
{
    json_t *o = json_pack("{s:s}", "requestId", c->request_id);
    if (c->op->output < 0) {
        json_object_set_new(o, "_return", json_true());
        return o;
    }
    const struct model_shape *sh = model_shape(c->svc, (uint32_t)c->op->output);
    json_t *body = NULL;
    if (out_json) {
        body = ec2_generic(c->svc, sh, out_json, 0);
    } else if (c->out && c->out->body.p) {
        struct buf b = BUF_INIT;
        buf_puts(&b, "<r>");
        buf_put(&b, c->out->body.p, c->out->body.len);
        buf_puts(&b, "</r>");
        xmlDoc *doc = xmlReadMemory(b.p, (int)b.len, NULL, "UTF-8",
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        buf_free(&b);
        body = doc ? ec2_x_struct(c->svc, sh, xmlDocGetRootElement(doc), 0) : NULL;
        xmlFreeDoc(doc);
    }
    if (json_is_object(body))
        json_object_update(o, body);
    json_decref(body);
    return o;
}

/* requestParameters as JSON text (heap) or NULL for no input / no members. */
static char *request_params_text(const struct call *c, const json_t *in)
{
    if (str_eq(c->svc->id, "ec2") && json_is_object(in)) {
        json_t *p = ec2_request_params(c, in);
        char *s = json_object_size(p) ? json_dumps(p, JSON_COMPACT) : NULL;
        json_decref(p);
        return s;
    }
    if (!json_is_object(in) || json_object_size(in) == 0)
        return NULL;
    const struct model_shape *sh =
        c->op && c->op->input >= 0 ? model_shape(c->svc, (uint32_t)c->op->input) : NULL;
    json_t *p = ct_value(c->svc, sh, in, false, 0);
    char *s = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return s;
}

/* ---- the output of a call answered in XML (Query, EC2), back into a value ---- */
static json_t *x_value(const struct model_service *svc, const struct model_shape *sh, xmlNode *node,
                       int depth);

static xmlNode *x_first(xmlNode *n)
{
    for (n = n ? n->children : NULL; n && n->type != XML_ELEMENT_NODE; n = n->next)
        ;
    return n;
}

static xmlNode *x_next(xmlNode *n)
{
    for (n = n ? n->next : NULL; n && n->type != XML_ELEMENT_NODE; n = n->next)
        ;
    return n;
}

static json_t *x_struct(const struct model_service *svc, const struct model_shape *sh,
                        xmlNode *node, int depth)
{
    json_t *o = json_object();
    for (uint32_t i = 0; i < sh->count; i++) {
        const struct model_member *m = &svc->members[sh->first + i];
        const struct model_shape *msh = model_shape(svc, m->shape);
        const char *elem = m->location_name ? m->location_name : m->name;
        bool flat =
            msh->type == SH_LIST && ((m->flags & MBF_FLATTENED) || (msh->flags & SHF_FLATTENED));
        json_t *v = NULL;
        for (xmlNode *ch = x_first(node); ch; ch = x_next(ch)) {
            if (!str_eq((const char *)ch->name, elem))
                continue;
            if (!flat) {
                v = x_value(svc, msh, ch, depth + 1);
                break;
            }
            if (!v)
                v = json_array();
            const struct model_shape *esh = model_shape(svc, svc->members[msh->first].shape);
            json_array_append_new(v, x_value(svc, esh, ch, depth + 1));
        }
        if (!v)
            continue;
        char key[160];
        snprintf(key, sizeof(key), "%s", m->name);
        key[0] = (char)tolower((unsigned char)key[0]);
        if (is_secret(m->name, msh)) {
            json_decref(v);
            v = json_string(HIDDEN);
        }
        json_object_set_new(o, key, v);
    }
    return o;
}

static json_t *x_value(const struct model_service *svc, const struct model_shape *sh, xmlNode *node,
                       int depth)
{
    if (depth > 40)
        return json_null();
    switch (sh->type) {
    case SH_STRUCTURE:
        return x_struct(svc, sh, node, depth);
    case SH_LIST: {
        const struct model_shape *esh = model_shape(svc, svc->members[sh->first].shape);
        json_t *a = json_array();
        for (xmlNode *ch = x_first(node); ch; ch = x_next(ch))
            json_array_append_new(a, x_value(svc, esh, ch, depth + 1));
        return a;
    }
    case SH_MAP: {
        const struct model_shape *vsh = model_shape(svc, svc->members[sh->first + 1].shape);
        json_t *o = json_object();
        for (xmlNode *e = x_first(node); e; e = x_next(e)) {
            xmlNode *k = x_first(e), *v = x_next(k);
            xmlChar *kt = k ? xmlNodeGetContent(k) : NULL;
            if (kt && v)
                json_object_set_new(o, (const char *)kt, x_value(svc, vsh, v, depth + 1));
            xmlFree(kt);
        }
        return o;
    }
    default:
        break;
    }
    xmlChar *t = xmlNodeGetContent(node);
    const char *s = t ? (const char *)t : "";
    json_t *v;
    int64_t i;
    double d;
    if ((sh->type == SH_INTEGER || sh->type == SH_LONG) && str_to_i64(s, &i) == 0)
        v = json_integer(i);
    else if ((sh->type == SH_FLOAT || sh->type == SH_DOUBLE) && str_to_double(s, &d) == 0)
        v = json_real(d);
    else if (sh->type == SH_BOOLEAN)
        v = json_boolean(str_eq(s, "true"));
    else
        v = json_string(s);
    xmlFree(t);
    return v;
}

/* The call's output from its rendered XML result (c->out->body, kept by wire_respond for the
 * XML protocols), or NULL. */
static json_t *output_from_xml(const struct call *c, const struct model_shape *sh)
{
    if (!(c->proto == PROTO_QUERY || c->proto == PROTO_EC2) || !c->out || !c->out->body.p)
        return NULL;
    struct buf b = BUF_INIT;
    buf_puts(&b, "<r>");
    buf_put(&b, c->out->body.p, c->out->body.len);
    buf_puts(&b, "</r>");
    xmlDoc *doc = xmlReadMemory(b.p, (int)b.len, NULL, "UTF-8",
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    buf_free(&b);
    json_t *v = doc ? x_value(c->svc, sh, xmlDocGetRootElement(doc), 0) : NULL;
    xmlFreeDoc(doc);
    return v;
}

/* responseElements text (heap) for the operations listed, output members lower-camel: from
 * out_json when the caller has the output as JSON (svc_invoke), else from the rendered XML
 * result (dispatch). */
static char *response_text(const struct call *c, const json_t *out_json)
{
    if (c->err.status)
        return NULL;
    const struct op_def *def = ops_find(c->svc->id, c->op->name);
    bool mutating = def && (def->flags & OPF_WRITE);
    if (str_eq(c->svc->id, "ec2")) {
        /* EC2 records the response of mutating calls; reads record null [doc samples] */
        if (!mutating)
            return NULL;
        json_t *p = ec2_response(c, out_json);
        char *s = json_dumps(p, JSON_COMPACT);
        json_decref(p);
        return s;
    }
    if (c->op->output < 0 ||
        !(mutating || pair_listed(with_response, ARRAY_LEN(with_response), c->svc->id,
                                  c->op->name)))
        return NULL;
    const struct model_shape *sh = model_shape(c->svc, (uint32_t)c->op->output);
    json_t *p = out_json ? ct_value(c->svc, sh, out_json, true, 0) : output_from_xml(c, sh);
    /* an output without members (PutMetricAlarm, AttachUserPolicy...) records null */
    char *s = p && json_object_size(p) ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    return s;
}

/* ---- resources named by the input ---- */
struct res_rule {
    const char *svc, *member, *type;
    bool list;
    const char *arn_svc, *arn_res; /* arn:aws:ARN_SVC:REGION:ACCOUNT:ARN_RES<name>; NULL: none */
    bool name_is_arn;
};
/* Resource types as CloudTrail names them (AWS::Service::Type); ARN forms [doc: Service
 * Authorization Reference]. IAM names get no ARN (their path is not in the input). */
static const struct res_rule res_rules[] = {
    {"cloudwatch", "AlarmName", "AWS::CloudWatch::Alarm", false, "cloudwatch", "alarm:", false},
    {"cloudwatch", "AlarmNames", "AWS::CloudWatch::Alarm", true, "cloudwatch", "alarm:", false},
    {"ec2", "InstanceIds", "AWS::EC2::Instance", true, "ec2", "instance/", false},
    {"ec2", "InstanceId", "AWS::EC2::Instance", false, "ec2", "instance/", false},
    {"ec2", "VolumeId", "AWS::EC2::Volume", false, "ec2", "volume/", false},
    {"iam", "UserName", "AWS::IAM::User", false, NULL, NULL, false},
    {"iam", "RoleName", "AWS::IAM::Role", false, NULL, NULL, false},
    {"iam", "GroupName", "AWS::IAM::Group", false, NULL, NULL, false},
    {"iam", "InstanceProfileName", "AWS::IAM::InstanceProfile", false, NULL, NULL, false},
    {"iam", "PolicyArn", "AWS::IAM::Policy", false, NULL, NULL, true},
    {"iam", "AccessKeyId", "AWS::IAM::AccessKey", false, NULL, NULL, false},
    {"sts", "RoleArn", "AWS::IAM::Role", false, NULL, NULL, true},
    {"cloudformation", "StackName", "AWS::CloudFormation::Stack", false, NULL, NULL, false},
};

static void res_add(json_t *arr, const struct call *c, const char *region, const struct res_rule *r,
                    const char *name)
{
    if (!name || !*name || json_array_size(arr) >= 50)
        return;
    json_t *e = json_pack("{s:s, s:s}", "t", r->type, "n", name);
    if (r->name_is_arn)
        json_object_set_new(e, "a", json_string(name));
    else if (r->arn_svc)
        json_object_set_new(e, "a",
                            json_sprintf("arn:aws:%s:%s:%s:%s%s", r->arn_svc, region, c->account,
                                         r->arn_res, name));
    json_array_append_new(arr, e);
}

static char *resources_text(const struct call *c, const json_t *in, const char *region)
{
    if (!json_is_object(in))
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < ARRAY_LEN(res_rules); i++) {
        const struct res_rule *r = &res_rules[i];
        if (!str_eq(r->svc, c->svc->id))
            continue;
        const json_t *v = json_object_get(in, r->member);
        if (r->list && json_is_array(v)) {
            size_t k;
            json_t *e;
            json_array_foreach(v, k, e) res_add(arr, c, region, r, json_string_value(e));
        } else if (!r->list) {
            res_add(arr, c, region, r, json_string_value(v));
        }
    }
    /* EC2 CreateTags/DeleteTags: Resources names ids of several types */
    if (str_eq(c->svc->id, "ec2")) {
        static const struct res_rule inst = {"ec2", "Resources", "AWS::EC2::Instance", true,
                                             "ec2", "instance/", false},
                                     vol = {"ec2", "Resources", "AWS::EC2::Volume", true,
                                            "ec2", "volume/", false};
        size_t k;
        json_t *e;
        json_array_foreach(json_object_get(in, "Resources"), k, e)
        {
            const char *id = json_string_value(e);
            if (str_startswith(id, "i-"))
                res_add(arr, c, region, &inst, id);
            else if (str_startswith(id, "vol-"))
                res_add(arr, c, region, &vol, id);
        }
    }
    char *s = json_array_size(arr) ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return s;
}

/* ---- userIdentity ---- */
struct ident {
    const char *username;
    int64_t created_ms; /* 0: none */
    char issuer_arn[600], issuer_id[160], issuer_name[160];
};

/* The session facts of temporary credentials from their access key row (best effort). */
static void session_facts(const struct call *c, struct ident *id)
{
    const struct principal *p = &c->who;
    if (!p->temporary || !p->access_key_id[0])
        return;
    struct iam_session ks;
    if (iam_session_get(c->st, c->a, p->access_key_id, &ks) == 0) {
        id->created_ms = ks.created_ms;
        if (p->kind == PRINCIPAL_ROLE_SESSION)
            snprintf(id->issuer_arn, sizeof(id->issuer_arn), "%s", ks.role_arn);
        if (p->kind == PRINCIPAL_FEDERATED && *ks.issuer) {
            snprintf(id->issuer_name, sizeof(id->issuer_name), "%s", ks.issuer);
            snprintf(id->issuer_id, sizeof(id->issuer_id), "%s", ks.issuer_id);
            snprintf(id->issuer_arn, sizeof(id->issuer_arn), "arn:aws:iam::%s:user/%s", p->account,
                     ks.issuer);
        }
    }
    if (!id->created_ms)
        id->created_ms = c->now_ms; /* the key row is gone: the call's time (inferred) */
    if (p->kind == PRINCIPAL_ROLE_SESSION) {
        if (!id->issuer_arn[0])
            snprintf(id->issuer_arn, sizeof(id->issuer_arn), "arn:aws:iam::%s:role/%s", p->account,
                     p->name);
        size_t k = strcspn(p->user_id, ":");
        snprintf(id->issuer_id, sizeof(id->issuer_id), "%.*s", (int)k, p->user_id);
        snprintf(id->issuer_name, sizeof(id->issuer_name), "%s", p->name);
    }
}

static void ident_of(const struct call *c, struct ident *id)
{
    memset(id, 0, sizeof(*id));
    const struct principal *p = &c->who;
    switch (p->kind) {
    case PRINCIPAL_ROOT:
        id->username = "root";
        break;
    case PRINCIPAL_USER:
        id->username = p->name;
        break;
    case PRINCIPAL_ROLE_SESSION:
        id->username = p->session_name;
        break;
    case PRINCIPAL_FEDERATED:
        id->username = p->name;
        break;
    default:
        id->username = NULL;
        break;
    }
    session_facts(c, id);
}

/* EC2 records its error codes with the fault side: Client.UnauthorizedOperation (inferred
 * from published EC2 events); other services the code as returned. */
static const char *error_code(const struct call *c)
{
    if (!c->err.status || !c->err.code)
        return NULL;
    if (str_eq(c->svc->id, "ec2"))
        return arena_printf(c->a, "%s.%s", c->err.status >= 500 ? "Server" : "Client", c->err.code);
    return c->err.code;
}

static void prune(struct call *c)
{
    static unsigned n;
    if (n++ % PRUNE_EVERY)
        return;
    /* virtual time only moves forward, so the oldest events have the lowest seq: look at
     * a bounded run of them in rowid order instead of keeping an index on at_ms */
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM trail_events WHERE seq IN (SELECT seq "
                                        "FROM trail_events ORDER BY seq LIMIT ?2) AND at_ms < ?1");
    sqlite3_bind_int64(s, 1, c->now_ms - TRAIL_KEEP_MS);
    sqlite3_bind_int(s, 2, 4 * PRUNE_EVERY);
    if (sqlite3_step(s) != SQLITE_DONE)
        log_error("trail: prune: %s", sqlite3_errmsg(store_db(c->st)));
    sqlite3_reset(s);
}

/* ---- events that must outlive their transaction (trail.h: trail_hold_*) ---- */

#define ROW_COLS                                                                                   \
    "event_id, at_ms, account, region, source, name, read_only, username, id_kind, "              \
    "id_principal_id, id_arn, id_access_key_id, id_name, id_session, id_created_ms, "              \
    "id_issuer_arn, id_issuer_id, id_issuer_name, invoked_by, source_ip, user_agent, "             \
    "error_code, error_message, request_params, response, request_id, resources"
#define ROW_NCOLS 27

static json_t *held;  /* rows recorded while held: arrays of the ROW_COLS values */
static bool holding;

/* Keeps a copy of the row just inserted. */
static void hold_last(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " ROW_COLS " FROM trail_events WHERE seq = ?1");
    sqlite3_bind_int64(s, 1, sqlite3_last_insert_rowid(store_db(st)));
    if (sqlite3_step(s) == SQLITE_ROW) {
        json_t *row = json_array();
        for (int i = 0; i < ROW_NCOLS; i++) {
            switch (sqlite3_column_type(s, i)) {
            case SQLITE_INTEGER:
                json_array_append_new(row, json_integer(sqlite3_column_int64(s, i)));
                break;
            case SQLITE_NULL:
                json_array_append_new(row, json_null());
                break;
            default:
                json_array_append_new(row,
                                      json_string((const char *)sqlite3_column_text(s, i)));
            }
        }
        json_array_append_new(held, row);
    }
    sqlite3_reset(s);
}

void trail_hold_begin(void)
{
    json_decref(held);
    held = json_array();
    holding = true;
}

void trail_hold_end(struct store *st, bool rolled_back)
{
    holding = false;
    if (rolled_back && json_array_size(held) && store_begin(st) == 0) {
        int rc = 0;
        size_t i;
        json_t *row;
        json_array_foreach(held, i, row)
        {
            sqlite3_stmt *s = store_stmt(
                st, "INSERT INTO trail_events(" ROW_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
                    "?23, ?24, ?25, ?26, ?27)");
            for (int k = 0; k < ROW_NCOLS; k++) {
                const json_t *v = json_array_get(row, (size_t)k);
                if (json_is_integer(v))
                    sqlite3_bind_int64(s, k + 1, json_integer_value(v));
                else if (json_is_string(v))
                    sqlite3_bind_text(s, k + 1, json_string_value(v), -1, SQLITE_TRANSIENT);
                else
                    sqlite3_bind_null(s, k + 1);
            }
            if (sqlite3_step(s) != SQLITE_DONE)
                rc = -1;
            sqlite3_reset(s);
        }
        if (rc == 0)
            rc = store_commit(st);
        if (rc) {
            log_error("trail: the events of a rolled-back step could not be kept");
            store_rollback(st);
        }
    }
    json_decref(held);
    held = NULL;
}

void trail_record(struct call *c, const json_t *in, const json_t *out_json, const char *invoked_by)
{
    if (!c || !c->st || !c->svc || !c->op || !c->who.kind)
        return; /* not routed or not authenticated: AWS records nothing either */
    if (pair_listed(not_recorded, ARRAY_LEN(not_recorded), c->svc->id, c->op->name))
        return;
    const struct op_def *def = ops_find(c->svc->id, c->op->name);
    if (!def || !def->fn)
        return; /* answered as unserved: not an API call AWS would know */

    struct ident id;
    ident_of(c, &id);
    /* IAM is global: its events are recorded in us-east-1 [doc: CloudTrail concepts, global
     * service events]; everything else in the call's region. */
    const char *region = str_eq(c->svc->id, "iam") ? "us-east-1" : c->region;
    char source[96];
    snprintf(source, sizeof(source), "%s.amazonaws.com", c->svc->signing_name);
    const char *ip = invoked_by
                         ? invoked_by
                         : (c->rq && c->rq->remote_addr ? c->rq->remote_addr : "AWS Internal");
    const char *ua =
        invoked_by ? invoked_by : (c->rq ? request_header(c->rq, "User-Agent") : "AWS Internal");
    char *params = request_params_text(c, in);
    char *resp = response_text(c, out_json);
    char *res = resources_text(c, in, region);
    char event_id[37];
    uuid4(event_id);

    prune(c);
    sqlite3_stmt *s = store_stmt(
        c->st, "INSERT INTO trail_events(event_id, at_ms, account, region, source, name, "
               "read_only, username, id_kind, id_principal_id, id_arn, id_access_key_id, "
               "id_name, id_session, id_created_ms, id_issuer_arn, id_issuer_id, "
               "id_issuer_name, invoked_by, source_ip, user_agent, error_code, error_message, "
               "request_params, response, request_id, resources) VALUES(?1, ?2, ?3, ?4, ?5, "
               "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
               "?22, ?23, ?24, ?25, ?26, ?27)");
    const struct principal *p = &c->who;
    sqlite3_bind_text(s, 1, event_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, c->now_ms);
    sqlite3_bind_text(s, 3, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, region ? region : "us-east-1", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, c->op->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 7, (def->flags & OPF_READ) ? 1 : 0);
    store_bind_nonempty_or_null(s, 8, id.username);
    sqlite3_bind_int(s, 9, (int)p->kind);
    store_bind_nonempty_or_null(s, 10, p->user_id);
    store_bind_nonempty_or_null(s, 11, p->arn);
    store_bind_nonempty_or_null(s, 12, p->access_key_id);
    store_bind_nonempty_or_null(s, 13, p->name);
    store_bind_nonempty_or_null(s, 14, p->session_name);
    if (id.created_ms)
        sqlite3_bind_int64(s, 15, id.created_ms);
    store_bind_nonempty_or_null(s, 16, id.issuer_arn);
    store_bind_nonempty_or_null(s, 17, id.issuer_id);
    store_bind_nonempty_or_null(s, 18, id.issuer_name);
    store_bind_nonempty_or_null(s, 19, invoked_by);
    store_bind_nonempty_or_null(s, 20, ip);
    store_bind_nonempty_or_null(s, 21, ua);
    store_bind_nonempty_or_null(s, 22, error_code(c));
    if (c->err.status)
        store_bind_nonempty_or_null(s, 23, c->err.message);
    store_bind_nonempty_or_null(s, 24, params);
    store_bind_nonempty_or_null(s, 25, resp);
    sqlite3_bind_text(s, 26, c->request_id, -1, SQLITE_STATIC);
    store_bind_nonempty_or_null(s, 27, res);
    if (sqlite3_step(s) != SQLITE_DONE)
        log_error("trail: recording %s.%s: %s", c->svc->id, c->op->name,
                  sqlite3_errmsg(store_db(c->st)));
    else if (holding && held)
        hold_last(c->st);
    sqlite3_reset(s);
    free(params);
    free(resp);
    free(res);
}
