/*
 * lookup.c — LookupEvents: the event history of the call's region, newest first, filtered by
 * at most one lookup attribute and a time range, 50 per page at most, with each event's
 * CloudTrailEvent document built here from the stored row (trail.c, schema.c).
 *
 * The document's members come in the order CloudTrail writes them [doc: CloudTrail record
 * contents; the CloudWatch user guide's GenerateQuery event]: eventVersion, userIdentity,
 * eventTime, eventSource, eventName, awsRegion, sourceIPAddress, userAgent, errorCode,
 * errorMessage, requestParameters, responseElements, requestID, eventID, readOnly,
 * resources, eventType, managementEvent, recipientAccountId, eventCategory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/cloudtrail/trail.h"
#include "svc/svc.h"
#include "svc/cloudtrail/ops.h"
#include "wire/models/cloudtrail_members.h"

/* eventVersion of the records we write (1.09: the CloudWatch user guide's current samples;
 * tlsDetails, added in 1.08, is absent: the lab speaks plain HTTP). */
#define EVENT_VERSION "1.09"
#define MAX_RESULTS 50

/* Columns of the SELECT below, in order. */
enum {
    COL_SEQ,
    COL_EVENT_ID,
    COL_AT,
    COL_ACCOUNT,
    COL_REGION,
    COL_SOURCE,
    COL_NAME,
    COL_READ_ONLY,
    COL_USERNAME,
    COL_KIND,
    COL_PRINCIPAL_ID,
    COL_ARN,
    COL_AKID,
    COL_ID_NAME,
    COL_SESSION,
    COL_CREATED,
    COL_ISSUER_ARN,
    COL_ISSUER_ID,
    COL_ISSUER_NAME,
    COL_INVOKED_BY,
    COL_IP,
    COL_UA,
    COL_ERR_CODE,
    COL_ERR_MSG,
    COL_PARAMS,
    COL_RESPONSE,
    COL_REQUEST_ID,
    COL_RESOURCES,
};
#define SELECT_COLS                                                                                \
    "seq, event_id, at_ms, account, region, source, name, read_only, username, id_kind, "          \
    "id_principal_id, id_arn, id_access_key_id, id_name, id_session, id_created_ms, "              \
    "id_issuer_arn, id_issuer_id, id_issuer_name, invoked_by, source_ip, user_agent, "             \
    "error_code, error_message, request_params, response, request_id, resources"

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v)
        json_object_set_new(o, k, json_string(v));
}

/* A stored JSON text column as a value (null when NULL or unreadable). */
static json_t *col_json(sqlite3_stmt *s, int i)
{
    const char *t = col(s, i);
    json_t *v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *time_json(int64_t ms)
{
    char t[32];
    time_fmt_iso8601(ms, t);
    return json_string(t);
}

/* userIdentity [doc: CloudTrail userIdentity element]. */
static json_t *identity_json(sqlite3_stmt *s)
{
    int kind = sqlite3_column_int(s, COL_KIND);
    const char *account = col(s, COL_ACCOUNT);
    json_t *u = json_object();
    const char *type = kind == PRINCIPAL_ROOT           ? "Root"
                       : kind == PRINCIPAL_USER         ? "IAMUser"
                       : kind == PRINCIPAL_ROLE_SESSION ? "AssumedRole"
                       : kind == PRINCIPAL_FEDERATED    ? "FederatedUser"
                                                        : "AWSService";
    set_str(u, "type", type);
    if (kind == PRINCIPAL_SERVICE) {
        /* a service acting on its own: {"type":"AWSService","invokedBy":"<service>"} */
        set_str(u, "invokedBy", col(s, COL_ID_NAME));
        return u;
    }
    set_str(u, "principalId", col(s, COL_PRINCIPAL_ID));
    set_str(u, "arn", col(s, COL_ARN));
    set_str(u, "accountId", account);
    set_str(u, "accessKeyId", col(s, COL_AKID));
    if (kind == PRINCIPAL_USER)
        set_str(u, "userName", col(s, COL_ID_NAME));
    if (sqlite3_column_type(s, COL_CREATED) != SQLITE_NULL) {
        /* temporary credentials: the session they belong to */
        json_t *ctx = json_object();
        json_t *iss = json_object();
        if (kind == PRINCIPAL_ROLE_SESSION || col(s, COL_ISSUER_ARN)) {
            set_str(iss, "type", kind == PRINCIPAL_ROLE_SESSION ? "Role" : "IAMUser");
            set_str(iss, "principalId", col(s, COL_ISSUER_ID));
            set_str(iss, "arn", col(s, COL_ISSUER_ARN));
            set_str(iss, "accountId", account);
            set_str(iss, "userName", col(s, COL_ISSUER_NAME));
        } else if (kind == PRINCIPAL_FEDERATED) {
            /* federated by the account root (inferred form) */
            set_str(iss, "type", "Root");
            set_str(iss, "principalId", account);
            json_object_set_new(iss, "arn",
                                json_sprintf("arn:aws:iam::%s:root", account ? account : ""));
            set_str(iss, "accountId", account);
        }
        json_object_set_new(ctx, "sessionIssuer", iss);
        json_object_set_new(ctx, "webIdFederationData", json_object());
        json_t *attr = json_object();
        json_object_set_new(attr, "creationDate", time_json(sqlite3_column_int64(s, COL_CREATED)));
        json_object_set_new(attr, "mfaAuthenticated", json_string("false"));
        json_object_set_new(ctx, "attributes", attr);
        json_object_set_new(u, "sessionContext", ctx);
    }
    set_str(u, "invokedBy", col(s, COL_INVOKED_BY));
    return u;
}

/* The CloudTrailEvent document of the current row (compact JSON text, heap). */
static char *event_text(sqlite3_stmt *s)
{
    json_t *e = json_object();
    json_object_set_new(e, "eventVersion", json_string(EVENT_VERSION));
    json_object_set_new(e, "userIdentity", identity_json(s));
    json_object_set_new(e, "eventTime", time_json(sqlite3_column_int64(s, COL_AT)));
    set_str(e, "eventSource", col(s, COL_SOURCE));
    set_str(e, "eventName", col(s, COL_NAME));
    set_str(e, "awsRegion", col(s, COL_REGION));
    set_str(e, "sourceIPAddress", col(s, COL_IP));
    set_str(e, "userAgent", col(s, COL_UA));
    if (col(s, COL_ERR_CODE)) {
        set_str(e, "errorCode", col(s, COL_ERR_CODE));
        set_str(e, "errorMessage", col(s, COL_ERR_MSG));
    }
    json_object_set_new(e, "requestParameters", col_json(s, COL_PARAMS));
    json_object_set_new(e, "responseElements", col_json(s, COL_RESPONSE));
    set_str(e, "requestID", col(s, COL_REQUEST_ID));
    set_str(e, "eventID", col(s, COL_EVENT_ID));
    json_object_set_new(e, "readOnly", json_boolean(sqlite3_column_int(s, COL_READ_ONLY)));
    json_t *res = col_json(s, COL_RESOURCES);
    json_t *arr = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(res, i, r)
    {
        const char *arn = json_string_value(json_object_get(r, "a"));
        if (!arn)
            continue; /* only resources with an ARN appear in the record (inferred) */
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s}", "accountId", col(s, COL_ACCOUNT), "type",
                                        json_string_value(json_object_get(r, "t")), "ARN", arn));
    }
    json_decref(res);
    if (json_array_size(arr))
        json_object_set_new(e, "resources", arr);
    else
        json_decref(arr);
    json_object_set_new(e, "eventType", json_string("AwsApiCall"));
    json_object_set_new(e, "managementEvent", json_true());
    set_str(e, "recipientAccountId", col(s, COL_ACCOUNT));
    json_object_set_new(e, "eventCategory", json_string("Management"));
    char *text = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    return text;
}

static void out_event(struct out *o, sqlite3_stmt *s)
{
    out_begin(o, NULL);
    out_str(o, "EventId", col(s, COL_EVENT_ID));
    out_str(o, "EventName", col(s, COL_NAME));
    out_str(o, "ReadOnly", sqlite3_column_int(s, COL_READ_ONLY) ? "true" : "false");
    if (col(s, COL_AKID))
        out_str(o, "AccessKeyId", col(s, COL_AKID));
    out_time(o, "EventTime", sqlite3_column_int64(s, COL_AT));
    out_str(o, "EventSource", col(s, COL_SOURCE));
    if (col(s, COL_USERNAME))
        out_str(o, "Username", col(s, COL_USERNAME));
    out_begin(o, "Resources");
    json_t *res = col_json(s, COL_RESOURCES);
    size_t i;
    json_t *r;
    json_array_foreach(res, i, r)
    {
        out_begin(o, NULL);
        out_str(o, "ResourceType", json_string_value(json_object_get(r, "t")));
        out_str(o, "ResourceName", json_string_value(json_object_get(r, "n")));
        out_end(o);
    }
    json_decref(res);
    out_end(o);
    char *text = event_text(s);
    out_str(o, "CloudTrailEvent", text ? text : "{}");
    free(text);
    out_end(o);
}

/* The WHERE clause of each lookup attribute (?7 is its value). */
static const struct {
    const char *key, *where;
} attr_where[] = {
    {"EventId", "event_id = ?7"},
    {"EventName", "name = ?7"},
    {"ReadOnly", "read_only = ?7"},
    {"Username", "username = ?7"},
    {"ResourceType",
     "EXISTS(SELECT 1 FROM json_each(resources) WHERE json_extract(value, '$.t') = ?7)"},
    {"ResourceName",
     "EXISTS(SELECT 1 FROM json_each(resources) WHERE json_extract(value, '$.n') = ?7)"},
    {"EventSource", "source = ?7"},
    {"AccessKeyId", "id_access_key_id = ?7"},
};

/* A page token: the (time, seq) of the last event returned and a hash of the lookup
 * attribute, so a token used with other parameters is refused. */
static uint32_t attr_hash(const char *key, const char *value)
{
    uint32_t h = 2166136261u;
    for (const char *p = key ? key : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ 0xffu) * 16777619u;
    for (const char *p = value ? value : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

static int parse_token(const char *tok, uint32_t want_hash, int64_t *at, int64_t *seq)
{
    unsigned long long a, s;
    unsigned h;
    int n = 0;
    if (strlen(tok) != 40 || sscanf(tok, "%16llx%16llx%8x%n", &a, &s, &h, &n) != 3 || n != 40)
        return -1;
    if (h != want_hash)
        return -1;
    *at = (int64_t)a;
    *seq = (int64_t)s;
    return 0;
}

/* Messages of the LookupEvents errors are inferred (AWS's are not published). */
int cloudtrail_lookup_events(struct call *c, const json_t *in, struct out *o)
{
    const json_t *attrs = json_object_get(in, CT_M_LookupEventsRequest_LookupAttributes);
    const char *key = NULL, *value = NULL, *where = "1";
    if (json_array_size(attrs) > 1)
        return call_fail(c, 400, "InvalidLookupAttributesException",
                         "You cannot specify more than one lookup attribute."); /* inferred */
    if (json_array_size(attrs) == 1) {
        const json_t *a = json_array_get(attrs, 0);
        key = json_string_value(json_object_get(a, CT_M_LookupAttribute_AttributeKey));
        value = json_string_value(json_object_get(a, CT_M_LookupAttribute_AttributeValue));
        where = NULL;
        for (size_t i = 0; key && i < ARRAY_LEN(attr_where); i++)
            if (str_eq(key, attr_where[i].key))
                where = attr_where[i].where;
        if (!where || !value || !*value)
            return call_fail(c, 400, "InvalidLookupAttributesException",
                             "Invalid lookup attribute: %s.", key ? key : "null"); /* inferred */
    }
    int64_t ro = -1;
    if (str_eq(key, "ReadOnly")) {
        if (str_ieq(value, "true"))
            ro = 1;
        else if (str_ieq(value, "false"))
            ro = 0;
        else
            return call_fail(c, 400, "InvalidLookupAttributesException",
                             "ReadOnly must be true or false."); /* inferred */
    }

    const char *cat =
        json_string_value(json_object_get(in, CT_M_LookupEventsRequest_EventCategory));
    if (cat && !str_eq(cat, "insight"))
        return call_fail(c, 400, "InvalidEventCategoryException", NULL);

    int64_t oldest = c->now_ms - TRAIL_KEEP_MS;
    const json_t *jst = json_object_get(in, CT_M_LookupEventsRequest_StartTime),
                 *jet = json_object_get(in, CT_M_LookupEventsRequest_EndTime);
    int64_t start = json_is_integer(jst) ? json_integer_value(jst) : oldest;
    int64_t end = json_is_integer(jet) ? json_integer_value(jet) : c->now_ms;
    if (start > end)
        return call_fail(c, 400, "InvalidTimeRangeException",
                         "Start time must be before end time."); /* inferred */
    if (start < oldest)
        start = oldest;

    int64_t max = MAX_RESULTS;
    const json_t *jmax = json_object_get(in, CT_M_LookupEventsRequest_MaxResults);
    if (jmax) {
        max = json_integer_value(jmax);
        if (!json_is_integer(jmax) || max < 1 || max > MAX_RESULTS)
            return call_fail(c, 400, "InvalidMaxResultsException",
                             "MaxResults must be between 1 and 50."); /* inferred */
    }

    uint32_t h = attr_hash(key, value);
    int64_t tok_at = 0, tok_seq = 0;
    const char *tok = json_string_value(json_object_get(in, CT_M_LookupEventsRequest_NextToken));
    bool has_tok = tok != NULL;
    if (has_tok && parse_token(tok, h, &tok_at, &tok_seq))
        return call_fail(c, 400, "InvalidNextTokenException", "Invalid NextToken."); /* inferred */

    out_begin(o, "Events");
    if (cat) { /* Insights events: the lab has none */
        out_end(o);
        return 0;
    }
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "SELECT " SELECT_COLS " FROM trail_events WHERE account = ?1 AND region = ?2 "
             "AND at_ms >= ?3 AND at_ms <= ?4 AND (?5 = 0 OR at_ms < ?5 OR (at_ms = ?5 AND "
             "seq < ?6)) AND %s ORDER BY at_ms DESC, seq DESC LIMIT ?8",
             where);
    sqlite3_stmt *s = store_stmt(c->st, sql);
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, start);
    sqlite3_bind_int64(s, 4, end);
    sqlite3_bind_int64(s, 5, has_tok ? tok_at : 0);
    sqlite3_bind_int64(s, 6, tok_seq);
    if (ro >= 0)
        sqlite3_bind_int64(s, 7, ro);
    else if (value)
        sqlite3_bind_text(s, 7, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, max + 1);
    int64_t n = 0, last_at = 0, last_seq = 0;
    int rc;
    bool more = false;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == max) {
            more = true;
            break;
        }
        out_event(o, s);
        last_at = sqlite3_column_int64(s, COL_AT);
        last_seq = sqlite3_column_int64(s, COL_SEQ);
        n++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("trail: lookup: %s", sqlite3_errmsg(store_db(c->st)));
        sqlite3_reset(s);
        return call_fail(c, 500, "InternalFailure", NULL);
    }
    sqlite3_reset(s);
    out_end(o);
    if (more) {
        char next[48];
        snprintf(next, sizeof(next), "%016llx%016llx%08x", (unsigned long long)last_at,
                 (unsigned long long)last_seq, (unsigned)h);
        out_str(o, "NextToken", next);
    }
    return 0;
}
