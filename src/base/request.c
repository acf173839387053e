/* http.c — small accessors on the protocol-neutral request/response (http.h). */
#include "base/request.h"

const char *request_header(const struct request *rq, const char *name)
{
    for (size_t i = 0; i < rq->nheaders; i++)
        if (str_ieq(rq->headers[i].name, name))
            return rq->headers[i].value;
    return NULL;
}

void response_header(struct response *resp, const char *name, const char *value)
{
    if (resp->nheaders >= RESPONSE_MAX_HEADERS) {
        log_error("http: too many response headers; %s dropped", name);
        return;
    }
    resp->headers[resp->nheaders].name = name;
    resp->headers[resp->nheaders].value = value;
    resp->nheaders++;
}
