/*
 * deliver.c — deliveries in virtual time. Every delivery is a row of sns_messages:
 *   - http/https: state "pending" and a clock event (sns.deliver) at the publish time; the
 *     event POSTs the body with its headers through libcurl (15 s timeout [doc]); a 2xx
 *     answer is "delivered"; a 5xx, 429 or no answer is retried on the delivery policy's
 *     schedule (immediate, pre-backoff, backoff and post-backoff phases), each retry a
 *     clock event, so a manual clock shows them exactly; when the policy is spent the
 *     delivery is "failed". Other 4xx answers fail at once (inferred). Endpoints that are
 *     not on loopback are "held" (kept, not sent) unless `serve --sns-deliver any`.
 *   - every other protocol (email, email-json, sms, ...): state "inbox", the lab's inbox
 *     (GET /_recoverlab/sns/messages, `recoverlab sns messages`).
 * The POST runs on the server's one thread inside the event's transaction: a receiver that
 * calls the lab back (fetching SubscribeURL) before answering waits for the timeout.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "svc/sns/sns_internal.h"

#define DELIVERY_TIMEOUT_MS 15000 /* [doc] SNS waits 15 s for an HTTP/S endpoint */

static bool is_http(const char *p)
{
    return str_eq(p, "http") || str_eq(p, "https");
}

/* True when the URL's host is a loopback address (or localhost). */
static bool loopback(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool ok = false;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host)
        ok = str_eq(host, "localhost") || str_startswith(host, "127.") || str_eq(host, "[::1]") ||
             str_eq(host, "::1");
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

int sns_deliver(struct call *c, const struct sns_sub *s, const char *type, const char *message_id,
                const char *subject, const char *body, const json_t *headers, const json_t *policy)
{
    const char *state = "inbox", *err = NULL;
    if (is_http(s->protocol)) {
        state = "pending";
        if (!sns_deliver_any() && !loopback(s->endpoint)) {
            state = "held";
            err = "not delivered: the lab delivers to loopback endpoints only (serve "
                  "--sns-deliver any)";
        }
    }
    char *h = headers ? json_dumps(headers, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char *p = policy ? json_dumps(policy, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    sqlite3_stmt *st = store_stmt(
        c->st, "INSERT INTO sns_messages(topic_arn, sub_arn, protocol, endpoint, type, message_id,"
               " subject, body, headers, policy, state, last_error, created_ms, updated_ms)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)");
    sqlite3_bind_text(st, 1, s->topic_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s->arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, s->protocol, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, s->endpoint ? s->endpoint : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, message_id, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 7, subject);
    sqlite3_bind_text(st, 8, body, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, h ? h : "{}", -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 10, p);
    sqlite3_bind_text(st, 11, state, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 12, err);
    sqlite3_bind_int64(st, 13, c->now_ms);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    free(h);
    free(p);
    if (!ok)
        return -1;
    if (str_eq(state, "pending")) {
        char arg[32];
        snprintf(arg, sizeof(arg), "%" PRId64, (int64_t)sqlite3_last_insert_rowid(store_db(c->st)));
        if (sched_at(c->st, c->now_ms, SNS_EV_DELIVER, arg) < 0)
            return -1;
    }
    log_info("sns: %s %s to %s %s (%s)", type, message_id, s->protocol,
             s->endpoint ? s->endpoint : "", state);
    return 0;
}

static int pol_int(const json_t *p, const char *k, int def)
{
    const json_t *v = json_object_get(p, k);
    return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

/*
 * Seconds before retry number n (1 = the first retry) under a healthyRetryPolicy, or -1
 * when the policy allows no more. Phases [doc]: numNoDelayRetries at once, then
 * numMinDelayRetries minDelayTarget apart, then the backoff phase from minDelayTarget to
 * maxDelayTarget, then numMaxDelayRetries maxDelayTarget apart. The backoff curves are
 * inferred (AWS publishes only a graph) and there is no jitter, so schedules are exact.
 */
int64_t sns_retry_delay(const json_t *p, int n)
{
    int total = pol_int(p, "numRetries", 3), nodelay = pol_int(p, "numNoDelayRetries", 0),
        nmin = pol_int(p, "numMinDelayRetries", 0), nmax = pol_int(p, "numMaxDelayRetries", 0);
    int64_t lo = pol_int(p, "minDelayTarget", 20), hi = pol_int(p, "maxDelayTarget", 20);
    if (n > total)
        return -1;
    if (n <= nodelay)
        return 0;
    if (n <= nodelay + nmin)
        return lo;
    int nb = total - nodelay - nmin - nmax;
    if (nb > 0 && n <= nodelay + nmin + nb) {
        int j = n - nodelay - nmin;
        double f = (double)j / nb;
        const char *fn = json_string_value(json_object_get(p, "backoffFunction"));
        if (str_ieq(fn, "arithmetic"))
            f = (double)j * (j + 1) / ((double)nb * (nb + 1));
        else if (str_ieq(fn, "geometric") && lo > 0)
            return (int64_t)llround((double)lo * pow((double)hi / (double)lo, f));
        else if (str_ieq(fn, "exponential"))
            f = (pow(2, j) - 1) / (pow(2, nb) - 1);
        return lo + (int64_t)llround((double)(hi - lo) * f);
    }
    return hi;
}

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

/* POSTs body with headers; the HTTP status (0: no answer) and curl's error text. */
static long post(const char *url, const char *headers_json, const char *body, char err[256])
{
    CURL *h = curl_easy_init();
    long status = 0;
    err[0] = '\0';
    if (!h) {
        snprintf(err, 256, "cannot start libcurl");
        return 0;
    }
    struct curl_slist *hl = NULL;
    json_t *hj = json_loads(headers_json ? headers_json : "{}", 0, NULL);
    const char *k;
    json_t *v;
    json_object_foreach(hj, k, v)
    {
        char line[1200];
        snprintf(line, sizeof(line), "%s: %s", k, json_string_value(v) ? json_string_value(v) : "");
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)DELIVERY_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(err, 256, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(hl);
    json_decref(hj);
    curl_easy_cleanup(h);
    return status;
}

enum {
    M_ENDPOINT,
    M_BODY,
    M_HEADERS,
    M_POLICY,
    M_STATE,
    M_ATTEMPTS,
    M_TIMES,
};

static void deliver_event(struct store *st, int64_t at_ms, const char *arg)
{
    int64_t id;
    if (str_to_i64(arg, &id))
        return;
    sqlite3_stmt *s = store_stmt(st, "SELECT endpoint, body, headers, policy, state, attempts,"
                                     " attempt_times FROM sns_messages WHERE id = ?1");
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return;
    }
    char *endpoint = xstrdup((const char *)sqlite3_column_text(s, M_ENDPOINT));
    char *body = xstrdup((const char *)sqlite3_column_text(s, M_BODY));
    char *headers = xstrdup((const char *)sqlite3_column_text(s, M_HEADERS));
    const char *pt = (const char *)sqlite3_column_text(s, M_POLICY);
    json_t *policy = pt ? json_loads(pt, 0, NULL) : json_object();
    bool pending = str_eq((const char *)sqlite3_column_text(s, M_STATE), "pending");
    int attempts = sqlite3_column_int(s, M_ATTEMPTS);
    json_t *times = json_loads((const char *)sqlite3_column_text(s, M_TIMES), 0, NULL);
    sqlite3_reset(s);
    if (!json_is_array(times)) {
        json_decref(times);
        times = json_array();
    }
    if (!pending)
        goto out;

    char err[256];
    long status = post(endpoint, headers, body, err);
    attempts++;
    char iso[32];
    time_fmt_iso8601_ms(at_ms, iso);
    json_array_append_new(times, json_string(iso));
    const char *state;
    if (status >= 200 && status < 300) {
        state = "delivered";
    } else {
        bool retryable = status == 0 || status >= 500 || status == 429;
        int64_t delay = retryable ? sns_retry_delay(policy, attempts) : -1;
        state = delay >= 0 ? "pending" : "failed";
        if (delay >= 0) {
            char a[32];
            snprintf(a, sizeof(a), "%" PRId64, id);
            sched_at(st, at_ms + delay * 1000, SNS_EV_DELIVER, a);
        }
        if (!err[0])
            snprintf(err, sizeof(err), "HTTP %ld", status);
    }
    log_info("sns: delivery %" PRId64 " to %s: attempt %d, %s%s%s", id, endpoint, attempts,
             status ? "" : "no answer: ", status ? state : err, status ? "" : "");
    char *tt = json_dumps(times, JSON_COMPACT);
    s = store_stmt(st, "UPDATE sns_messages SET state = ?2, attempts = ?3, last_status = ?4,"
                       " last_error = ?5, attempt_times = ?6, updated_ms = ?7 WHERE id = ?1");
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, attempts);
    if (status)
        sqlite3_bind_int64(s, 4, status);
    else
        sqlite3_bind_null(s, 4);
    store_bind_nonempty_or_null(s, 5, str_eq(state, "delivered") ? NULL : err);
    sqlite3_bind_text(s, 6, tt ? tt : "[]", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 7, at_ms);
    if (sqlite3_step(s) != SQLITE_DONE)
        log_error("sns: cannot record delivery %" PRId64, id);
    sqlite3_reset(s);
    free(tt);
out:
    free(endpoint);
    free(body);
    free(headers);
    json_decref(policy);
    json_decref(times);
}

void sns_deliver_init(void)
{
    clock_on(SNS_EV_DELIVER, deliver_event);
}

int sns_confirm(struct call *c, const char *topic_arn, const char *token, bool authenticated,
                char **sub_arn)
{
    struct sns_topic t;
    if (sns_topic_need(c, topic_arn, &t))
        return -1;
    sns_topic_free(&t);
    struct sns_sub u;
    int r = sns_sub_load_token(c->st, topic_arn, token, &u);
    if (r < 0)
        return sns_internal(c);
    if (r == 1)
        return sns_invalid(c, "Token"); /* [obs] */
    int rc = 0;
    if (!u.confirmed) {
        u.confirmed = true;
        u.authenticated = authenticated;
        if (sns_sub_save(c->st, &u))
            rc = sns_internal(c);
    }
    if (rc == 0)
        *sub_arn = arena_strdup(c->a, u.arn);
    sns_sub_free(&u);
    return rc;
}
