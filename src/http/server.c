/*
 * server.c — libmicrohttpd (no internal thread, MHD_USE_EPOLL) driven from our own epoll
 * loop, which also watches a timerfd (clock tick: 1 s, or sooner when an event is due), a
 * signalfd (SIGINT/SIGTERM) and an eventfd (server_stop).
 *
 * The access handler runs three times per request: first call (allocate the request
 * context and arena, refuse an oversized Content-Length), body chunks (append to the
 * arena), final call (build struct request, run the handler, queue the response).
 * The raw request target comes from MHD's URI log callback (before MHD splits and
 * unescapes it) and is parked in the per-connection context until the first call; the
 * identity unescape callback keeps MHD from decoding anything in place.
 *
 * Connections: we accept them ourselves (MHD has no listen socket) and hand each to MHD
 * with MHD_add_connection, after raising the descriptor limit at start. Every connection
 * is on one list per state — idle (between requests), head (request line seen, headers
 * arriving), body (headers done, body arriving), busy (handler or response) — ordered by
 * when it entered the state, so the deadlines are the heads of the lists:
 *   idle too long        closed silently (an idle keep-alive connection);
 *   head or body too long answered 408 RequestTimeout and closed (a slow client);
 *   at the connection limit the oldest idle connection is closed to make room, and with
 *   none idle the new client is answered 503 ServiceUnavailable.
 * A connection is closed under MHD by shutdown() of its socket: MHD reads the end and
 * closes it (closing the descriptor ourselves would race MHD). The head is limited to
 * SERVER_MAX_HEAD (431), the body to SERVER_MAX_BODY (413). Every such error is rendered
 * by the owner's transport_error hook in the caller's protocol, never by MHD. MHD's own
 * per-connection memory pool is made large enough (mmap'ed, so untouched pages cost
 * nothing) that our 431 comes before MHD's limit for any head up to a few MiB.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "http/server.h"

#define CONN_MEMORY_LIMIT ((size_t)64 * 1024) /* MHD zeroes it all after every request */
#define STOP_GRACE_MS 5000
#define TICK_MS 1000
#define ACCEPT_BATCH 64
#define DOOMED_GRACE_MS 1000 /* a 408'd connection may read its answer this long */
#define MHD_SLACK_CONNS 1024 /* MHD's limit above ours: closed connections not yet reaped */

enum conn_state { CS_IDLE, CS_HEAD, CS_BODY, CS_BUSY, CS_DOOMED, CS_NSTATES };

struct conn_ctx;
struct conn_list {
    struct conn_ctx *head, *tail;
    unsigned n;
};

struct server {
    struct server_hooks h;
    struct MHD_Daemon *d;
    int listen_fd; /* ours until MHD runs; MHD's afterwards; -1 once quiesced and closed */
    int port;
    int ep, tfd, sfd, efd;
    bool signals;
    sigset_t old_mask;
    bool stopping;
    int64_t stop_deadline; /* monotonic ms */
    int64_t timer_at;      /* monotonic ms the timerfd fires at; 0: not armed */
    unsigned in_flight;    /* requests presented to the handler and not yet completed */
    struct server_limits lim;
    struct conn_list lists[CS_NSTATES];
    unsigned nconns; /* connections MHD holds (doomed and cut ones included) */
    unsigned ncut;   /* doomed connections cut (off every list) that MHD has not reaped */
    int spare_fd;    /* a descriptor given back to accept a client when none are left */
};

/* Per TCP connection: its state, and the raw target of the request being read. */
struct conn_ctx {
    char *uri;
    size_t cap;
    struct server *srv;
    struct MHD_Connection *c;
    int fd;
    enum conn_state state;
    int64_t since; /* monotonic ms it entered the state */
    struct conn_ctx *prev, *next;
    struct req_ctx *rc; /* the request being read or answered */
};

/* Per request. */
struct req_ctx {
    struct arena *a;
    const char *raw_uri;
    char *body;
    size_t len, cap;
    bool too_large;
    bool conflicting_length; /* two Content-Length headers that disagree */
    bool head_too_large;     /* request line + headers over SERVER_MAX_HEAD */
    const char *method;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int server_parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
    const char *h, *colon;
    size_t hl;
    int64_t p;
    if (!s || !*s)
        return -1;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        h = s + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        h = s;
        hl = (size_t)(colon - s);
        if (memchr(h, ':', hl)) /* IPv6 needs brackets */
            return -1;
    }
    if (hl == 0 || hl >= hostlen)
        return -1;
    if (str_to_i64(colon + 1, &p) || p < 0 || p > 65535)
        return -1;
    memcpy(host, h, hl);
    host[hl] = 0;
    *port = (int)p;
    return 0;
}

/* ---------------- MHD callbacks ---------------- */

static size_t keep_raw(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    log_warn("http: %s", msg);
}

/* ---------------- connection states ---------------- */

static void list_remove(struct conn_list *l, struct conn_ctx *cc)
{
    if (cc->prev)
        cc->prev->next = cc->next;
    else
        l->head = cc->next;
    if (cc->next)
        cc->next->prev = cc->prev;
    else
        l->tail = cc->prev;
    cc->prev = cc->next = NULL;
    l->n--;
}

static void list_append(struct conn_list *l, struct conn_ctx *cc)
{
    cc->prev = l->tail;
    cc->next = NULL;
    if (l->tail)
        l->tail->next = cc;
    else
        l->head = cc;
    l->tail = cc;
    l->n++;
}

/* True once the connection is being closed (doomed, or cut: off every list). */
static bool conn_closing(const struct conn_ctx *cc)
{
    return cc->state >= CS_DOOMED;
}

/* Moves cc to the tail of state st's list (its deadline starts now). A closing connection
 * stays as it is. */
static void conn_set_state(struct conn_ctx *cc, enum conn_state st)
{
    struct server *srv = cc->srv;
    if (conn_closing(cc))
        return;
    list_remove(&srv->lists[cc->state], cc);
    cc->state = st;
    cc->since = mono_ms();
    list_append(&srv->lists[st], cc);
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

/* A transport error as a response, through the owner's hook (JSON without one). */
static void transport_error(struct server *srv, const struct request *rq, int status,
                            const char *code, const char *message, struct response *resp);

/*
 * Writes a complete "Connection: close" response for a transport error straight to fd
 * (best effort, never blocking): used where MHD is not answering (408 while a request
 * arrives, 503 before MHD has the connection).
 */
static void write_direct_error(struct server *srv, int fd, const struct request *rq, int status,
                               const char *code, const char *message)
{
    struct response resp;
    memset(&resp, 0, sizeof(resp));
    transport_error(srv, rq, status, code, message, &resp);
    struct buf out = BUF_INIT;
    buf_printf(&out, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: %zu\r\n",
               resp.status, reason_phrase(resp.status), resp.body.len);
    if (resp.content_type)
        buf_printf(&out, "Content-Type: %s\r\n", resp.content_type);
    for (int i = 0; i < resp.nheaders && i < RESPONSE_MAX_HEADERS; i++)
        buf_printf(&out, "%s: %s\r\n", resp.headers[i].name, resp.headers[i].value);
    buf_puts(&out, "\r\n");
    buf_put(&out, resp.body.p ? resp.body.p : "", resp.body.len);
    ssize_t w = send(fd, out.p, out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)w;
    buf_free(&out);
    buf_free(&resp.body);
}

/* The request as far as it is known on connection cc (for a 408): target, and the headers
 * once they are complete. */
static void partial_request(struct conn_ctx *cc, struct arena *a, struct request *rq);

/*
 * Ends cc's connection: with a 408 first when code is set, then shutdown() so MHD reads the
 * end and closes it (a 408'd one only stops writing at first, so the client can read the
 * answer; it is cut DOOMED_GRACE_MS later).
 */
static void conn_doom(struct conn_ctx *cc, int status, const char *code, const char *message)
{
    if (conn_closing(cc))
        return;
    if (code) {
        struct arena *a = arena_new();
        struct request rq;
        partial_request(cc, a, &rq);
        write_direct_error(cc->srv, cc->fd, &rq, status, code, message);
        arena_free(a);
        shutdown(cc->fd, SHUT_WR);
    } else {
        shutdown(cc->fd, SHUT_RDWR);
    }
    list_remove(&cc->srv->lists[cc->state], cc);
    cc->state = CS_DOOMED;
    cc->since = mono_ms();
    list_append(&cc->srv->lists[CS_DOOMED], cc);
}

/* Closes what is past its deadline; returns ms until the next deadline (-1: none). */
static int64_t sweep(struct server *srv)
{
    int64_t now = mono_ms(), next = -1;
    struct conn_ctx *cc;
    const int64_t limit[CS_NSTATES] = {srv->lim.idle_ms, srv->lim.header_ms, srv->lim.body_ms,
                                       -1, DOOMED_GRACE_MS};
    for (int st = 0; st < CS_NSTATES; st++) {
        if (limit[st] < 0)
            continue;
        while ((cc = srv->lists[st].head) && now - cc->since >= limit[st]) {
            if (st == CS_DOOMED) {
                shutdown(cc->fd, SHUT_RDWR);
                /* MHD reaps it; off the list so it is not cut again */
                list_remove(&srv->lists[CS_DOOMED], cc);
                cc->state = CS_NSTATES;
                srv->ncut++;
            } else if (st == CS_IDLE) {
                conn_doom(cc, 0, NULL, NULL);
            } else {
                /* S3's code and text for a client too slow to send [obs]; 408 is inferred */
                conn_doom(cc, 408, "RequestTimeout",
                          "Your socket connection to the server was not read from or written "
                          "to within the timeout period. Idle connections will be closed.");
            }
        }
        if (cc) {
            int64_t in = cc->since + limit[st] - now;
            if (next < 0 || in < next)
                next = in;
        }
    }
    return next;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn_ctx *cc = xcalloc(1, sizeof(struct conn_ctx));
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        cc->srv = srv;
        cc->c = c;
        cc->fd = ci ? ci->connect_fd : -1;
        cc->state = CS_IDLE;
        cc->since = mono_ms();
        list_append(&srv->lists[CS_IDLE], cc);
        srv->nconns++;
        *socket_context = cc;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        struct conn_ctx *cc = *socket_context;
        if (cc->state < CS_NSTATES)
            list_remove(&srv->lists[cc->state], cc);
        else
            srv->ncut--;
        srv->nconns--;
        free(cc->uri);
        free(cc);
        *socket_context = NULL;
    }
}

static struct conn_ctx *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Called with the request target exactly as received; parks a copy for the first call. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    struct conn_ctx *cc = conn_of(c);
    if (cc && cc->state == CS_IDLE)
        conn_set_state(cc, CS_HEAD);
    if (cc && uri) {
        size_t n = strlen(uri) + 1;
        if (n > cc->cap) {
            cc->uri = xrealloc(cc->uri, n);
            cc->cap = n;
        }
        memcpy(cc->uri, uri, n);
    }
    return NULL;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct req_ctx *rc = *con_cls;
    (void)toe;
    struct conn_ctx *cc = conn_of(c);
    if (cc) {
        cc->rc = NULL;
        conn_set_state(cc, CS_IDLE);
    }
    if (!rc)
        return;
    arena_free(rc->a);
    free(rc);
    *con_cls = NULL;
    if (srv->in_flight)
        srv->in_flight--;
}

static void body_append(struct req_ctx *rc, const char *p, size_t n)
{
    if (rc->too_large)
        return;
    if (n > SERVER_MAX_BODY - rc->len) {
        rc->too_large = true;
        return;
    }
    if (rc->len + n + 1 > rc->cap) {
        size_t cap = rc->cap ? rc->cap * 2 : 4096;
        while (cap < rc->len + n + 1)
            cap *= 2;
        char *nb = arena_alloc(rc->a, cap);
        if (rc->len)
            memcpy(nb, rc->body, rc->len);
        rc->body = nb;
        rc->cap = cap;
    }
    memcpy(rc->body + rc->len, p, n);
    rc->len += n;
    rc->body[rc->len] = 0;
}

struct hdr_collect {
    struct arena *a;
    struct header *v;
    size_t n, cap;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    (void)key;
    (void)key_size;
    (void)value;
    (void)value_size;
    ((struct hdr_collect *)cls)->cap++;
    return MHD_YES;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    struct hdr_collect *hc = cls;
    (void)kind;
    if (hc->n >= hc->cap || !key)
        return MHD_YES;
    hc->v[hc->n].name = arena_strndup(hc->a, key, key_size);
    hc->v[hc->n].value = arena_strndup(hc->a, value ? value : "", value ? value_size : 0);
    hc->n++;
    return MHD_YES;
}

struct length_check {
    const char *first;
    bool conflict;
    size_t head; /* bytes of the header fields, as sent ("Name: value\r\n") */
};

/* Flags a Content-Length header whose value differs from the first one; adds up the head. */
static enum MHD_Result check_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    struct length_check *lc = cls;
    (void)kind;
    lc->head += key_size + value_size + 4;
    if (key && value && str_ieq(key, MHD_HTTP_HEADER_CONTENT_LENGTH) && lc->first &&
        !str_eq(value, lc->first))
        lc->conflict = true;
    return MHD_YES;
}

static const char *remote_addr(struct arena *a, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char s[INET6_ADDRSTRLEN] = "";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, s,
                      sizeof(s));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, s,
                      sizeof(s));
    }
    return arena_strdup(a, s);
}

/* Queues resp on c (taking its body) and reports whether MHD accepted it. */
static enum MHD_Result queue_response(struct MHD_Connection *c, struct response *resp)
{
    struct MHD_Response *r;
    size_t n = resp->body.len;
    int status = resp->status >= 100 && resp->status <= 599 ? resp->status : 500;
    if (n) {
        char *p = buf_steal(&resp->body);
        r = MHD_create_response_from_buffer_with_free_callback(n, p, free);
        if (!r)
            free(p);
    } else {
        buf_free(&resp->body);
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (resp->content_type &&
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type) != MHD_YES)
        log_warn("http: bad Content-Type %s", resp->content_type);
    for (int i = 0; i < resp->nheaders && i < RESPONSE_MAX_HEADERS; i++)
        if (MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value) != MHD_YES)
            log_warn("http: response header %s refused", resp->headers[i].name);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static void transport_error(struct server *srv, const struct request *rq, int status,
                            const char *code, const char *message, struct response *resp)
{
    buf_reset(&resp->body);
    if (srv->h.transport_error) {
        srv->h.transport_error(srv->h.ctx, rq, status, code, message, resp);
        if (resp->status >= 400)
            return;
    }
    resp->status = status;
    resp->content_type = "application/json";
    buf_reset(&resp->body);
    buf_printf(&resp->body, "{\"__type\":\"%s\",\"message\":\"%s\"}", code, message);
}

/* Fills rq's target, method and headers (no body) from connection c in arena a. */
static void fill_request(struct MHD_Connection *c, struct arena *a, const char *raw_uri,
                         const char *method, struct request *rq)
{
    memset(rq, 0, sizeof(*rq));
    rq->arena = a;
    rq->method = arena_strdup(a, method ? method : "");
    const char *target = raw_uri ? raw_uri : "/";
    if (str_startswith(target, "http://") || str_startswith(target, "https://")) {
        /* absolute-form target (RFC 9112 3.2.2): keep the path and query only */
        const char *slash = strchr(strstr(target, "//") + 2, '/');
        target = slash ? slash : "/";
    }
    const char *q = strchr(target, '?');
    if (q) {
        rq->path = arena_strndup(a, target, (size_t)(q - target));
        rq->query = q + 1;
    } else {
        rq->path = target;
        rq->query = "";
    }
    struct hdr_collect hc = {.a = a};
    if (c) {
        MHD_get_connection_values_n(c, MHD_HEADER_KIND, count_header, &hc);
        hc.v = arena_zalloc(a, (hc.cap ? hc.cap : 1) * sizeof(*hc.v));
        MHD_get_connection_values_n(c, MHD_HEADER_KIND, add_header, &hc);
    } else {
        hc.v = arena_zalloc(a, sizeof(*hc.v));
    }
    rq->headers = hc.v;
    rq->nheaders = hc.n;
    rq->body = "";
    rq->body_len = 0;
}

static void partial_request(struct conn_ctx *cc, struct arena *a, struct request *rq)
{
    if (cc->rc && cc->rc->method) /* headers complete: all but the body */
        fill_request(cc->c, a, cc->rc->raw_uri, cc->rc->method, rq);
    else
        fill_request(NULL, a, cc->uri && cc->uri[0] ? arena_strdup(a, cc->uri) : "/", NULL, rq);
}

static enum MHD_Result finish_request(struct server *srv, struct MHD_Connection *c,
                                      struct req_ctx *rc, const char *method)
{
    struct request rq;
    struct response resp;
    memset(&resp, 0, sizeof(resp));
    struct conn_ctx *cc = conn_of(c);
    if (cc)
        conn_set_state(cc, CS_BUSY);
    fill_request(c, rc->a, rc->raw_uri, method, &rq);
    rq.body = rc->body ? rc->body : "";
    rq.body_len = rc->len;
    rq.remote_addr = remote_addr(rc->a, c);

    bool close = true;
    if (rc->head_too_large) {
        /* S3's code and text for the same [obs]; 431 is inferred */
        transport_error(srv, &rq, 431, "RequestHeaderSectionTooLarge",
                        "Your request header section exceeds the maximum allowed size.", &resp);
    } else if (rc->conflicting_length) {
        transport_error(srv, &rq, 400, "BadRequest",
                        "Conflicting Content-Length headers", &resp); /* inferred */
    } else if (rc->too_large) {
        transport_error(srv, &rq, 413, "RequestEntityTooLarge",
                        "Request body is larger than 10485760 bytes", &resp); /* inferred */
    } else {
        close = false;
        if (srv->h.before)
            srv->h.before(srv->h.ctx); /* e.g. let due timed work run before we look */
        srv->h.handle(srv->h.ctx, &rq, &resp);
        if (srv->h.after)
            srv->h.after(srv->h.ctx);
    }
    if (close) /* the rest of this request is not read: the connection cannot be reused */
        response_header(&resp, "Connection", "close");
    enum MHD_Result ok = queue_response(c, &resp);
    buf_free(&resp.body);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct server *srv = cls;
    struct req_ctx *rc = *con_cls;
    (void)version;
    struct conn_ctx *cc = conn_of(c);
    if (cc && conn_closing(cc))
        return MHD_NO; /* timed out (408 sent) or evicted: close, and never run the handler */
    if (!rc) {
        rc = xcalloc(1, sizeof(*rc));
        rc->a = arena_new();
        rc->raw_uri = arena_strdup(rc->a, cc && cc->uri && cc->uri[0] ? cc->uri : (url ? url : "/"));
        rc->method = arena_strdup(rc->a, method ? method : "");
        if (cc && cc->uri)
            cc->uri[0] = 0;
        if (cc) {
            cc->rc = rc;
            conn_set_state(cc, CS_BODY);
        }
        *con_cls = rc;
        srv->in_flight++;
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        struct length_check lc = {.first = cl};
        MHD_get_connection_values_n(c, MHD_HEADER_KIND, check_length, &lc);
        if (lc.head + strlen(rc->raw_uri) + strlen(rc->method) > SERVER_MAX_HEAD) {
            rc->head_too_large = true;
            return finish_request(srv, c, rc, method);
        }
        if (lc.conflict) {
            /* a request smuggling shape: refuse before reading the body */
            rc->conflicting_length = true;
            return finish_request(srv, c, rc, method);
        }
        int64_t n;
        if (cl && str_to_i64(cl, &n) == 0 && n >= 0) {
            if ((uint64_t)n > SERVER_MAX_BODY) {
                /* refuse before reading (and before any 100 Continue) */
                rc->too_large = true;
                return finish_request(srv, c, rc, method);
            }
            rc->cap = (size_t)n + 1;
            rc->body = arena_alloc(rc->a, rc->cap);
            rc->body[0] = 0;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        body_append(rc, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return finish_request(srv, c, rc, method);
}

/* ---------------- setup ---------------- */

static int bind_listen(const char *host, int port, int *out_fd, int *out_port)
{
    struct addrinfo hints, *res = NULL;
    char ps[8];
    int fd = -1, err;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(ps, sizeof(ps), "%d", port);
    if ((err = getaddrinfo(host, ps, &hints, &res)) != 0) {
        log_error("http: cannot resolve %s: %s", host, gai_strerror(err));
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 512) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
        errno = err;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        log_error("http: cannot listen on %s:%d: %s", host, port, strerror(errno));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        log_error("http: getsockname: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (ss.ss_family == AF_INET6)
        *out_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    else
        *out_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    *out_fd = fd;
    return 0;
}

static int ep_add(int ep, int fd)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        log_error("http: epoll_ctl: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Seconds (decimals allowed) from the environment as ms; def when unset or malformed. */
static int64_t env_ms(const char *name, int64_t def)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v)
        return def;
    double d = strtod(v, &end);
    if (*end || !(d > 0) || d > 86400.0 * 365) {
        log_warn("http: ignoring %s=%s (seconds expected)", name, v);
        return def;
    }
    return (int64_t)(d * 1000.0 + 0.5);
}

/* Raises the soft descriptor limit to the hard one; returns the limit in force. */
static rlim_t raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;
        struct rlimit nr = {.rlim_cur = want, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &nr) == 0)
            rl.rlim_cur = want;
        else
            log_warn("http: cannot raise the descriptor limit to %llu: %s",
                     (unsigned long long)want, strerror(errno));
    }
    return rl.rlim_cur;
}

static void limits_init(struct server_limits *lim)
{
    rlim_t nofile = raise_nofile();
    unsigned maxc = nofile > 256 ? (unsigned)(nofile > 1000000 ? 1000000 : nofile - 64)
                                 : (unsigned)(nofile / 2);
    const char *mc = getenv("RECOVERLAB_HTTP_MAX_CONNECTIONS");
    int64_t n;
    if (mc && *mc) {
        if (str_to_i64(mc, &n) == 0 && n >= 1 && (uint64_t)n <= maxc)
            maxc = (unsigned)n;
        else
            log_warn("http: ignoring RECOVERLAB_HTTP_MAX_CONNECTIONS=%s (1..%u)", mc, maxc);
    }
    lim->max_connections = maxc;
    lim->idle_ms = env_ms("RECOVERLAB_HTTP_IDLE_TIMEOUT", 60000);
    lim->header_ms = env_ms("RECOVERLAB_HTTP_HEADER_TIMEOUT", 20000);
    lim->body_ms = env_ms("RECOVERLAB_HTTP_BODY_TIMEOUT", 60000);
}

int server_create(const struct server_hooks *hooks, const char *host, int port,
                  bool handle_signals, struct server **out)
{
    struct server *srv = xcalloc(1, sizeof(*srv));
    srv->h = *hooks;
    srv->listen_fd = srv->ep = srv->tfd = srv->sfd = srv->efd = srv->spare_fd = -1;
    *out = NULL;

    limits_init(&srv->lim);
    if (bind_listen(host, port, &srv->listen_fd, &srv->port))
        goto fail;
    /* MHD's inactivity timeout is only the backstop for a client that stops reading its
     * answer; the deadlines above are ours (sweep). */
    int64_t longest = srv->lim.idle_ms;
    if (srv->lim.header_ms > longest)
        longest = srv->lim.header_ms;
    if (srv->lim.body_ms > longest)
        longest = srv->lim.body_ms;
    unsigned backstop_s = (unsigned)(longest / 1000) + 30;
    /* clang-format off */
    srv->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                              MHD_USE_NO_LISTEN_SOCKET, 0,
                              NULL, NULL, on_request, srv,
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                              MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                              MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                              MHD_OPTION_UNESCAPE_CALLBACK, keep_raw, NULL,
                              MHD_OPTION_CONNECTION_TIMEOUT, backstop_s,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY_LIMIT,
                              MHD_OPTION_CONNECTION_LIMIT,
                              (unsigned)(srv->lim.max_connections + MHD_SLACK_CONNS),
                              MHD_OPTION_END);
    /* clang-format on */
    if (!srv->d) {
        log_error("http: cannot start libmicrohttpd");
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_EPOLL_FD);
    if (!di) {
        log_error("http: libmicrohttpd has no epoll fd");
        goto fail;
    }
    srv->ep = epoll_create1(EPOLL_CLOEXEC);
    srv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    srv->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (srv->ep < 0 || srv->tfd < 0 || srv->efd < 0) {
        log_error("http: %s", strerror(errno));
        goto fail;
    }
    if (ep_add(srv->ep, di->epoll_fd) || ep_add(srv->ep, srv->tfd) ||
        ep_add(srv->ep, srv->efd) || ep_add(srv->ep, srv->listen_fd))
        goto fail;
    srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (handle_signals) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &set, &srv->old_mask) != 0) {
            log_error("http: sigprocmask: %s", strerror(errno));
            goto fail;
        }
        srv->signals = true;
        srv->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (srv->sfd < 0 || ep_add(srv->ep, srv->sfd))
            goto fail;
        signal(SIGPIPE, SIG_IGN);
    }
    *out = srv;
    return 0;
fail:
    server_free(srv);
    return -1;
}

int server_port(const struct server *srv)
{
    return srv->port;
}

void server_get_limits(const struct server *srv, struct server_limits *out)
{
    *out = srv->lim;
}

void server_set_limits(struct server *srv, const struct server_limits *lim)
{
    if (lim->idle_ms > 0)
        srv->lim.idle_ms = lim->idle_ms;
    if (lim->header_ms > 0)
        srv->lim.header_ms = lim->header_ms;
    if (lim->body_ms > 0)
        srv->lim.body_ms = lim->body_ms;
    if (lim->max_connections > 0 && lim->max_connections <= srv->lim.max_connections)
        srv->lim.max_connections = lim->max_connections;
}

unsigned server_connections(const struct server *srv)
{
    return srv->nconns - srv->lists[CS_DOOMED].n - srv->ncut;
}

void server_set_handler(struct server *srv, server_handler_fn *fn)
{
    srv->h.handle = fn;
}

void server_stop(struct server *srv)
{
    uint64_t one = 1;
    ssize_t w = write(srv->efd, &one, sizeof(one));
    (void)w;
}

void server_free(struct server *srv)
{
    if (!srv)
        return;
    if (srv->d)
        MHD_stop_daemon(srv->d);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    if (srv->spare_fd >= 0)
        close(srv->spare_fd);
    if (srv->ep >= 0)
        close(srv->ep);
    if (srv->tfd >= 0)
        close(srv->tfd);
    if (srv->efd >= 0)
        close(srv->efd);
    if (srv->sfd >= 0)
        close(srv->sfd);
    if (srv->signals)
        sigprocmask(SIG_SETMASK, &srv->old_mask, NULL);
    free(srv);
}

/* ---------------- the loop ---------------- */

/* Arms the timerfd for the next tick: 1 s, or sooner when a clock event is due. */
static void arm_timer(struct server *srv)
{
    int64_t due = srv->h.next_due_in ? srv->h.next_due_in(srv->h.ctx) : -1;
    int64_t wait = (due < 0 || due > TICK_MS) ? TICK_MS : (due < 1 ? 1 : due);
    int64_t at = mono_ms() + wait;
    if (srv->timer_at && srv->timer_at <= at)
        return;
    struct itimerspec its;
    memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = (time_t)(wait / 1000);
    its.it_value.tv_nsec = (long)(wait % 1000) * 1000000L;
    if (timerfd_settime(srv->tfd, 0, &its, NULL) == 0)
        srv->timer_at = at;
}

static void begin_stop(struct server *srv, const char *why)
{
    if (srv->stopping)
        return;
    log_info("%s: stopping (finishing %u request%s in flight)", why, srv->in_flight,
             srv->in_flight == 1 ? "" : "s");
    if (srv->listen_fd >= 0) {
        epoll_ctl(srv->ep, EPOLL_CTL_DEL, srv->listen_fd, NULL);
        close(srv->listen_fd);
    }
    srv->listen_fd = -1;
    srv->stopping = true;
    srv->stop_deadline = mono_ms() + STOP_GRACE_MS;
}

/* Answers a client we cannot take 503 and closes it. */
static void refuse(struct server *srv, int fd)
{
    struct arena *a = arena_new();
    struct request rq;
    fill_request(NULL, a, "/", NULL, &rq);
    /* inferred: AWS's generic code for an overloaded endpoint, with our reason */
    write_direct_error(srv, fd, &rq, 503, "ServiceUnavailable",
                       "The server has too many open connections; retry the request later.");
    arena_free(a);
    close(fd);
}

/* Accepts waiting clients (a batch) and gives them to MHD, making room when at the limit. */
static void accept_clients(struct server *srv)
{
    for (int i = 0; i < ACCEPT_BATCH && srv->listen_fd >= 0; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept4(srv->listen_fd, (struct sockaddr *)&ss, &sl,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && srv->spare_fd >= 0) {
                /* out of descriptors: use the spare one to tell the client, then keep it */
                close(srv->spare_fd);
                fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd >= 0)
                    refuse(srv, fd);
                srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                log_warn("http: accept: %s", strerror(errno));
            return;
        }
        if (server_connections(srv) >= srv->lim.max_connections) {
            struct conn_ctx *oldest = srv->lists[CS_IDLE].head;
            if (!oldest) {
                refuse(srv, fd);
                continue;
            }
            conn_doom(oldest, 0, NULL, NULL);
        }
        if (MHD_add_connection(srv->d, fd, (const struct sockaddr *)&ss, sl) != MHD_YES)
            log_warn("http: libmicrohttpd refused a connection: %s", strerror(errno));
    }
}

int server_run(struct server *srv)
{
    struct epoll_event evs[8];
    for (;;) {
        if (srv->stopping && (srv->in_flight == 0 || mono_ms() >= srv->stop_deadline))
            break;
        int timeout = -1;
        MHD_UNSIGNED_LONG_LONG mto;
        if (MHD_get_timeout(srv->d, &mto) == MHD_YES)
            timeout = mto > INT_MAX ? INT_MAX : (int)mto;
        if (srv->stopping && (timeout < 0 || timeout > 100))
            timeout = 100;
        int64_t due = sweep(srv);
        if (due >= 0 && (timeout < 0 || due < timeout))
            timeout = (int)due;
        arm_timer(srv);
        int n = epoll_wait(srv->ep, evs, (int)ARRAY_LEN(evs), timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            log_error("http: epoll_wait: %s", strerror(errno));
            return -1;
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == srv->tfd) {
                uint64_t expirations;
                ssize_t r = read(srv->tfd, &expirations, sizeof(expirations));
                (void)r;
                srv->timer_at = 0;
                if (srv->h.tick)
                    srv->h.tick(srv->h.ctx);
            } else if (fd == srv->sfd) {
                struct signalfd_siginfo si;
                while (read(srv->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                    begin_stop(srv, si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
            } else if (fd == srv->listen_fd) {
                accept_clients(srv);
            } else if (fd == srv->efd) {
                uint64_t v;
                ssize_t r = read(srv->efd, &v, sizeof(v));
                (void)r;
                begin_stop(srv, "stop requested");
            }
        }
        if (MHD_run(srv->d) != MHD_YES) {
            log_error("http: MHD_run failed");
            return -1;
        }
    }
    return 0;
}
