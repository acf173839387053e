/*
 * http.h — the protocol-neutral request/response the HTTP layer hands to dispatch.
 * Everything is raw: the path and query are exactly the bytes on the wire (never
 * percent-decoded), headers keep their original case, order and duplicates.
 * All pointers belong to the request's arena.
 */
#ifndef RL_HTTP_H
#define RL_HTTP_H

#include "base/base.h"

struct header {
    const char *name;
    const char *value;
};

struct request {
    struct arena *arena;
    const char *method;          /* "POST" */
    const char *path;            /* raw path, no query: "/", "/service/X/operation/Y" */
    const char *query;           /* raw query string after '?', "" when none */
    const struct header *headers;
    size_t nheaders;
    const char *body;            /* NUL-terminated for convenience; may contain NULs */
    size_t body_len;
    const char *remote_addr;     /* "127.0.0.1" */
};

#define RESPONSE_MAX_HEADERS 12
struct response {
    int status;
    const char *content_type;    /* static or arena string */
    struct buf body;             /* heap; the HTTP layer frees it */
    struct header headers[RESPONSE_MAX_HEADERS];
    int nheaders;
};

/* First header with this name (ASCII case-insensitive), or NULL. */
const char *request_header(const struct request *rq, const char *name);
/* Adds a response header (name/value must outlive the response: static or arena). */
void response_header(struct response *resp, const char *name, const char *value);

#endif
