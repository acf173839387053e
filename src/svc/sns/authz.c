/*
 * authz.c — SNS authorization: every SNS operation authorizes here (its ops.def row says
 * OPF_AUTHZ_IN_HANDLER) so that a denial is SNS's AuthorizationError (403), and so that on a
 * topic the topic policy takes part, as AWS evaluates a resource-based policy together with
 * the caller's identity-based policies in one account:
 *   - an explicit Deny in the topic policy or in the identity/session policies refuses;
 *   - an AWS service principal (cloudwatch.amazonaws.com publishing for an alarm) has no
 *     identity policies: only the topic policy can allow it;
 *   - anyone else is allowed by an identity policy or by the topic policy.
 * The default topic policy allows the owner account (Principal AWS "*" with the condition
 * AWS:SourceOwner = the owner; aws:SourceOwner is the caller's account, for a service the
 * account of the resource it acts for).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "base/base.h"
#include "svc/iam/authz.h"
#include "svc/sns/sns_internal.h"

static int deny(struct call *c, const char *action, const char *resource, const char *why)
{
    const char *word = c->who.kind == PRINCIPAL_SERVICE ? "Service" : "User"; /* inferred */
    if (resource && *resource && !str_eq(resource, "*"))
        return call_fail(c, 403, "AuthorizationError",
                         "%s: %s is not authorized to perform: %s on resource: %s %s", word,
                         c->who.arn, action, resource, why);
    return call_fail(c, 403, "AuthorizationError", "%s: %s is not authorized to perform: %s %s",
                     word, c->who.arn, action, why);
}

/* "sns:Publish" -> "SNS:Publish", as SNS words its denials [obs]. */
static const char *sns_word(struct call *c, const char *action)
{
    if (str_startswith(action, "sns:"))
        return arena_printf(c->a, "SNS:%s", action + 4);
    return action;
}

int sns_authorize(struct call *c, const char *action, const struct sns_topic *t)
{
    if (c->auth_off)
        return 0;
    const char *word = sns_word(c, action);
    const char *resource = t ? t->arn : "*";
    enum policy_effect topic = POLICY_NOT_APPLICABLE;
    if (t) {
        const char *text = sns_str(t->attrs, "Policy");
        char *def = text ? NULL : sns_default_policy(t->arn, t->account);
        json_t *doc = json_loads(text ? text : def, 0, NULL);
        free(def);
        struct authz_session sess;
        memset(&sess, 0, sizeof(sess));
        if (c->who.kind == PRINCIPAL_ROLE_SESSION && authz_session_get(c, &c->who, &sess)) {
            json_decref(doc);
            return sns_internal(c);
        }
        json_t *ctx = authz_context(c, &c->who, &sess, NULL);
        const char *owner = c->who.account[0] ? c->who.account : c->account;
        json_object_set_new(ctx, "aws:sourceowner", json_string(owner));
        json_object_set_new(ctx, "aws:sourceaccount", json_string(owner));
        bool service = c->who.kind == PRINCIPAL_SERVICE;
        struct principal_match who = {
            .arn = c->who.arn,
            .account = service ? NULL : c->who.account,
            .role_arn = sess.role_arn[0] ? sess.role_arn : NULL,
            .unique_id = c->who.user_id[0] ? c->who.user_id : NULL,
            .service = service ? c->who.name : NULL,
        };
        struct policy_request rq = {
            .action = action, .resource = t->arn, .context = ctx, .principal_arn = c->who.arn};
        topic = policy_eval_trust(doc, &rq, &who);
        json_decref(ctx);
        json_decref(doc);
        if (topic == POLICY_DENY)
            return deny(c, word, resource, "with an explicit deny in a resource-based policy");
        if (service)
            return topic == POLICY_ALLOW
                       ? 0
                       : deny(c, word, resource,
                              arena_printf(c->a,
                                           "because no resource-based policy allows the %s "
                                           "action",
                                           word));
    }
    enum policy_decision d;
    if (authz_decide(c, &c->who, action, resource, NULL, &d))
        return sns_internal(c);
    if (d == POLICY_ALLOWED)
        return 0;
    if (topic == POLICY_ALLOW &&
        (d == POLICY_DENIED_IMPLICIT_IDENTITY || d == POLICY_DENIED_IMPLICIT_SESSION))
        return 0;
    const char *msg = policy_denial_message(c->a, c->who.arn, word, resource, d);
    return call_fail(c, 403, "AuthorizationError", "%s", msg ? msg : "");
}
