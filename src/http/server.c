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
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "http/server.h"

#define CONN_MEMORY_LIMIT ((size_t)64 * 1024)
#define CONN_TIMEOUT_S 60u
#define STOP_GRACE_MS 5000
#define TICK_MS 1000

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
};

/* Per TCP connection: the raw target of the request being read. */
struct conn_ctx {
    char *uri;
    size_t cap;
};

/* Per request. */
struct req_ctx {
    struct arena *a;
    const char *raw_uri;
    char *body;
    size_t len, cap;
    bool too_large;
    bool conflicting_length; /* two Content-Length headers that disagree */
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

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)c;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = xcalloc(1, sizeof(struct conn_ctx));
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        struct conn_ctx *cc = *socket_context;
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
    (void)c;
    (void)toe;
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
};

/* Flags a Content-Length header whose value differs from the first one. */
static enum MHD_Result check_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    struct length_check *lc = cls;
    (void)kind;
    (void)key_size;
    (void)value_size;
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

/* A JSON error from the HTTP layer itself (no protocol is known at this point). */
static void layer_error(struct response *resp, int status, const char *type,
                        const char *message)
{
    resp->status = status;
    resp->content_type = "application/json";
    buf_reset(&resp->body);
    buf_printf(&resp->body, "{\"__type\":\"%s\",\"message\":\"%s\"}", type, message);
}

static enum MHD_Result finish_request(struct server *srv, struct MHD_Connection *c,
                                      struct req_ctx *rc, const char *method)
{
    struct request rq;
    struct response resp;
    memset(&rq, 0, sizeof(rq));
    memset(&resp, 0, sizeof(resp));
    rq.arena = rc->a;
    rq.method = arena_strdup(rc->a, method);
    const char *target = rc->raw_uri;
    if (str_startswith(target, "http://") || str_startswith(target, "https://")) {
        /* absolute-form target (RFC 9112 3.2.2): keep the path and query only */
        const char *slash = strchr(strstr(target, "//") + 2, '/');
        target = slash ? slash : "/";
    }
    const char *q = strchr(target, '?');
    if (q) {
        rq.path = arena_strndup(rc->a, target, (size_t)(q - target));
        rq.query = q + 1;
    } else {
        rq.path = target;
        rq.query = "";
    }
    struct hdr_collect hc = {.a = rc->a};
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, count_header, &hc);
    hc.v = arena_zalloc(rc->a, (hc.cap ? hc.cap : 1) * sizeof(*hc.v));
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, add_header, &hc);
    rq.headers = hc.v;
    rq.nheaders = hc.n;
    rq.body = rc->body ? rc->body : "";
    rq.body_len = rc->len;
    rq.remote_addr = remote_addr(rc->a, c);

    if (rc->conflicting_length) {
        layer_error(&resp, 400, "BadRequest", "Conflicting Content-Length headers"); /* inferred */
    } else if (rc->too_large) {
        layer_error(&resp, 413, "RequestEntityTooLarge",
                    "Request body is larger than 10485760 bytes"); /* inferred */
    } else {
        if (srv->h.before)
            srv->h.before(srv->h.ctx); /* e.g. let due timed work run before we look */
        srv->h.handle(srv->h.ctx, &rq, &resp);
        if (srv->h.after)
            srv->h.after(srv->h.ctx);
    }
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
    if (!rc) {
        rc = xcalloc(1, sizeof(*rc));
        rc->a = arena_new();
        struct conn_ctx *cc = conn_of(c);
        rc->raw_uri = arena_strdup(rc->a, cc && cc->uri ? cc->uri : (url ? url : "/"));
        if (cc && cc->uri)
            cc->uri[0] = 0;
        *con_cls = rc;
        srv->in_flight++;
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        struct length_check lc = {.first = cl};
        MHD_get_connection_values_n(c, MHD_HEADER_KIND, check_length, &lc);
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

int server_create(const struct server_hooks *hooks, const char *host, int port,
                  bool handle_signals, struct server **out)
{
    struct server *srv = xcalloc(1, sizeof(*srv));
    srv->h = *hooks;
    srv->listen_fd = srv->ep = srv->tfd = srv->sfd = srv->efd = -1;
    *out = NULL;

    if (bind_listen(host, port, &srv->listen_fd, &srv->port))
        goto fail;
    /* clang-format off */
    srv->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0,
                              NULL, NULL, on_request, srv,
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                              MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->listen_fd,
                              MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                              MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                              MHD_OPTION_UNESCAPE_CALLBACK, keep_raw, NULL,
                              MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY_LIMIT,
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
    if (ep_add(srv->ep, di->epoll_fd) || ep_add(srv->ep, srv->tfd) || ep_add(srv->ep, srv->efd))
        goto fail;
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
    if (!srv->d && srv->listen_fd >= 0) {
        close(srv->listen_fd);
        srv->listen_fd = -1;
    }
    server_free(srv);
    return -1;
}

int server_port(const struct server *srv)
{
    return srv->port;
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
        MHD_stop_daemon(srv->d); /* closes the listen socket unless quiesced */
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
    MHD_socket fd = MHD_quiesce_daemon(srv->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    srv->listen_fd = -1;
    srv->stopping = true;
    srv->stop_deadline = mono_ms() + STOP_GRACE_MS;
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
