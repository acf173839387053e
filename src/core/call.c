/*
 * call.c — the one error convention: setting a struct aws_err, failing a call. The error
 * is rendered later by whoever answers (wire_respond in the caller's protocol).
 */
#include <stdarg.h>

#include "core/call.h"

int err_setv(struct aws_err *e, struct arena *a, int status, const char *code, const char *fmt,
             va_list ap)
{
    if (e->status)
        return -1;
    if (status < 400 || status > 599)
        status = 500;
    e->status = status;
    e->code = code ? code : "InternalFailure";
    e->sender = status < 500;
    e->message = NULL;
    if (fmt) {
        if (a)
            e->message = arena_vprintf(a, fmt, ap);
        else
            log_error("error %s without an arena: message dropped", e->code);
    }
    return -1;
}

int err_set(struct aws_err *e, struct arena *a, int status, const char *code, const char *fmt,
            ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, a, status, code, fmt, ap);
    va_end(ap);
    return -1;
}

int call_fail(struct call *c, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(&c->err, c->a, status, code, fmt, ap);
    va_end(ap);
    return -1;
}

int call_fail_err(struct call *c, const struct aws_err *e)
{
    if (c->err.status || !e->status)
        return -1;
    c->err = *e;
    return -1;
}

int call_internal(struct call *c)
{
    return call_fail(c, 500, "InternalFailure", CALL_INTERNAL_MSG);
}
