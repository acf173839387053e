/*
 * sts.c — AWS Security Token Service operations.
 */
#include "svc/svc.h"

/*
 * GetCallerIdentity: who the caller is, from the authenticated principal (aws-behaviour
 * §4.2): root -> Arn arn:aws:iam::ACCT:root, UserId = the account id; IAM user ->
 * arn:aws:iam::ACCT:user/NAME, AIDA...; assumed role -> arn:aws:sts::ACCT:assumed-role/R/S,
 * AROA...:S. Needs no permission (OPF_NO_AUTHZ). The principal carries all three values;
 * the account falls back to the call's account for a principal that lacks one.
 */
int sts_get_caller_identity(struct call *c, const json_t *in, struct out *o)
{
    (void)in;
    const struct principal *p = &c->who;
    const char *account = p->account[0] ? p->account : c->account;
    if (!p->arn[0] || !account)
        return call_fail(c, 500, "InternalFailure", /* inferred: no identity is a bug */
                         "The request processing has failed because of an unknown error, "
                         "exception or failure.");
    out_str(o, "UserId", p->user_id[0] ? p->user_id : account);
    out_str(o, "Account", account);
    out_str(o, "Arn", p->arn);
    return 0;
}
