/*
 * server.h — the HTTP server: libmicrohttpd driven from our own epoll loop, together with a
 * timerfd (the virtual clock's tick) and a signalfd (SIGINT/SIGTERM -> graceful stop).
 * One thread runs everything. The server knows no service and no AWS: it hands each request,
 * as a neutral struct request (base/request.h), to the handler its owner gave it (the lab's
 * router, svc/host.c), and runs its owner's timed work when the timer fires.
 */
#ifndef RL_SERVER_H
#define RL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/request.h"


/* Largest request body accepted (larger: 413). */
#define SERVER_MAX_BODY ((size_t)10 * 1024 * 1024)
/* Largest request head (request line + header fields) answered (larger: 431, inferred). */
#define SERVER_MAX_HEAD ((size_t)16 * 1024)

/*
 * Connection limits. Defaults below; each can be changed by the environment variable named
 * beside it (read by server_create; timeouts in seconds, decimals allowed):
 *   idle keep-alive connection closed after     60 s   RECOVERLAB_HTTP_IDLE_TIMEOUT
 *   request line + headers must arrive within    20 s   RECOVERLAB_HTTP_HEADER_TIMEOUT (408)
 *   request body must arrive within               60 s   RECOVERLAB_HTTP_BODY_TIMEOUT   (408)
 *   open connections (the oldest idle one makes   the descriptor limit less 64
 *   room for a new client; none idle: 503)        RECOVERLAB_HTTP_MAX_CONNECTIONS
 */
struct server_limits {
    int64_t idle_ms, header_ms, body_ms;
    unsigned max_connections;
};

struct server;

/* Answers one request; resp->body is heap and freed by the server. */
typedef void server_handler_fn(void *ctx, const struct request *rq, struct response *resp);

/* What the server calls; ctx is handed back to each. Only handle is required. */
struct server_hooks {
    void *ctx;
    server_handler_fn *handle;         /* answers one request */
    void (*before)(void *ctx);         /* before each request */
    void (*after)(void *ctx);          /* after each request */
    int64_t (*next_due_in)(void *ctx); /* ms until timed work is due, -1 none (ticks <= 1 s) */
    void (*tick)(void *ctx);           /* the timer fired: run due timed work */
    /*
     * Renders an error the transport itself produces (431, 408, 413, 503 with the code and
     * message given) in the caller's protocol, from what is known of the request: rq may
     * lack headers or a body (a 408 while the head arrives, a 503 before anything was
     * read). NULL: a small JSON error.
     */
    void (*transport_error)(void *ctx, const struct request *rq, int status, const char *code,
                            const char *message, struct response *resp);
};

/*
 * Splits "ADDR:PORT" ("127.0.0.1:4566", "[::1]:0", "localhost:8080") into host (without
 * brackets) and port. 0 ok, -1 malformed.
 */
int server_parse_listen(const char *s, char *host, size_t hostlen, int *port);

/*
 * Binds host:port (port 0: a free port) and prepares the loop. With handle_signals the
 * calling thread's SIGINT/SIGTERM are blocked and read from a signalfd (call it before
 * starting threads). hooks->ctx must outlive the server. 0 ok, -1 error (logged).
 */
int server_create(const struct server_hooks *hooks, const char *host, int port,
                  bool handle_signals, struct server **out);
/* The limits in force (after the environment was read). */
void server_get_limits(const struct server *srv, struct server_limits *out);
/* Changes the limits (for tests); 0 fields keep their value. */
void server_set_limits(struct server *srv, const struct server_limits *lim);
/* Open connections right now (for tests and the health page). */
unsigned server_connections(const struct server *srv);
/* The bound port (the real one when 0 was asked for). */
int server_port(const struct server *srv);
/* Replaces the request handler (hooks->handle). For tests of the HTTP layer. */
void server_set_handler(struct server *srv, server_handler_fn *fn);
/*
 * Runs the loop until a signal or server_stop(): then stops accepting, lets in-flight
 * requests finish (at most a few seconds), and returns 0 (-1 on a loop failure).
 */
int server_run(struct server *srv);
/* Asks a running loop to stop. Safe from any thread or a signal handler. */
void server_stop(struct server *srv);
/* Stops the daemon and frees the server (not the ctx or its store). */
void server_free(struct server *srv);

#endif
