/*
 * call.c — failing a call with an AWS error. The error is rendered later, in the caller's
 * protocol, by wire_respond().
 */
#include <stdarg.h>

#include "wire/wire.h"

/*
 * Sets the call error unless one is already set (the first error wins). The message is
 * formatted into the call's arena (NULL fmt: no message). 4xx is a Sender fault, 5xx a
 * Receiver fault. Always returns -1.
 */
int call_fail(struct call *c, int status, const char *code, const char *fmt, ...)
{
    if (c->err_status)
        return -1;
    if (status < 400 || status > 599)
        status = 500;
    c->err_status = status;
    c->err_code = code ? code : "InternalFailure";
    c->err_sender = status < 500;
    c->err_message = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        if (c->a)
            c->err_message = arena_vprintf(c->a, fmt, ap);
        else
            log_error("call_fail(%s) without an arena: message dropped", c->err_code);
        va_end(ap);
    }
    return -1;
}
