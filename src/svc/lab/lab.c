/*
 * lab.c — the lab's own module: /_recoverlab/health (open), /_recoverlab/clock and
 * /_recoverlab/reset (account root), /moto-api/reset (open under --auth off), and the
 * account bootstrap (bootstrap.c). All codes and messages here are ours (inferred).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "store/store.h"
#include "svc/admin.h"
#include "svc/module.h"
#include "svc/svc.h"

/* ---------------- handlers ---------------- */

static json_t *clock_json(void)
{
    char iso[32];
    int64_t now = clock_now();
    time_fmt_iso8601_ms(now, iso);
    return json_pack("{s:s, s:s, s:I}", "now", iso, "mode",
                     clock_mode() == CLOCK_MANUAL ? "manual" : "real", "nowEpochMillis",
                     (json_int_t)now);
}

static void health_get(struct admin_call *ac)
{
    char iso[32];
    time_fmt_iso8601_ms(clock_now(), iso);
    admin_reply(
        ac, 200,
        json_pack("{s:s, s:s, s:s}", "status", "ok", "version", RECOVERLAB_VERSION, "now", iso));
}

static void clock_get(struct admin_call *ac)
{
    admin_reply(ac, 200, clock_json());
}

/* Largest single move accepted: 100 years. */
#define MAX_ADVANCE_MS (100LL * 366 * 86400 * 1000)

/* {"advanceSeconds":N} or {"set":"ISO8601"}: forward only; returns once due events ran. */
static void clock_post(struct admin_call *ac)
{
    json_t *in = NULL;
    if (admin_body_object(ac, &in))
        return;
    const char *key;
    json_t *v;
    json_t *adv = NULL, *set = NULL;
    json_object_foreach(in, key, v)
    {
        if (str_eq(key, "advanceSeconds"))
            adv = v;
        else if (str_eq(key, "set"))
            set = v;
        else {
            admin_error(ac, 400, "ValidationError",
                        "Unknown field %s: expected advanceSeconds or set", key); /* inferred */
            goto out;
        }
    }
    if (!adv == !set) {
        admin_error(ac, 400, "ValidationError",
                    "Give exactly one of advanceSeconds (a number) or set (an ISO 8601 "
                    "time)"); /* inferred */
        goto out;
    }
    int64_t now = clock_now(), target;
    if (adv) {
        double secs = json_number_value(adv);
        if (!json_is_number(adv) || !isfinite(secs) || secs < 0 ||
            secs * 1000 > (double)MAX_ADVANCE_MS) {
            admin_error(ac, 400, "ValidationError",
                        "advanceSeconds must be a number from 0 to %lld",
                        MAX_ADVANCE_MS / 1000); /* inferred */
            goto out;
        }
        target = now + (int64_t)llround(secs * 1000);
    } else {
        if (!json_is_string(set) || time_parse_iso8601(json_string_value(set), &target)) {
            admin_error(
                ac, 400, "ValidationError",
                "set must be an ISO 8601 date-time such as 2026-01-01T00:00:00Z"); /* inferred */
            goto out;
        }
        if (target < now) {
            char a[32], b[32];
            time_fmt_iso8601_ms(target, a);
            time_fmt_iso8601_ms(now, b);
            admin_error(ac, 400, "ValidationError",
                        "The clock only moves forward: %s is earlier than now (%s)", a,
                        b); /* inferred */
            goto out;
        }
        if (target - now > MAX_ADVANCE_MS) {
            admin_error(ac, 400, "ValidationError",
                        "set is more than 100 years ahead"); /* inferred */
            goto out;
        }
    }
    if (clock_advance_to(ac->ctx->st, target))
        log_warn("admin: some clock events failed while advancing (see above)");
    admin_reply(ac, 200, clock_json());
out:
    json_decref(in);
}

static void reset_post(struct admin_call *ac)
{
    if (svc_store_reset(ac->ctx->st) || clock_init(ac->ctx->st, clock_mode(), 0, false)) {
        admin_error(ac, 500, "InternalFailure", "Reset failed"); /* inferred */
        return;
    }
    log_info("admin: state reset");
    admin_reply(ac, 200, json_pack("{s:s}", "status", "ok"));
}

static const struct svc_route routes[] = {
    {"GET", "/_recoverlab/health", ADMIN_OPEN, health_get},
    {"GET", "/_recoverlab/clock", ADMIN_ROOT, clock_get},
    {"POST", "/_recoverlab/clock", ADMIN_ROOT, clock_post},
    {"POST", "/_recoverlab/reset", ADMIN_ROOT, reset_post},
    {"POST", "/moto-api/reset", ADMIN_ROOT_UNLESS_OFF, reset_post},
};

const struct svc_module lab_module = {
    .id = "recoverlab",
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
};
