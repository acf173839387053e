/* iam_last_used_test.c — the request pipeline records when a key (and a role) was last used,
 * as GetAccessKeyLastUsed and GetRole's RoleLastUsed report it. */
#include <stdlib.h>
#include <string.h>

#include "authz_lab.h"
#include "harness.h"
#include "svc/iam/authz.h"

TEST(iam_last_used_recorded_by_dispatch)
{
    struct fx f;
    struct lab_key root, user;
    struct lab_reply r;
    fx_open(&f, FX_T0);
    authz_cache_clear();
    lab_root_key(&f, &root);
    lab_user(&f, "cfn", "AIDACFNUSER0000000001", &user);
    lab_attach(&f, "user", "cfn", "arn:aws:iam::aws:policy/PowerUserAccess");

    /* never used yet: no LastUsedDate, ServiceName N/A */
    char form[160];
    snprintf(form, sizeof(form), "Action=GetAccessKeyLastUsed&AccessKeyId=%s", user.id);
    lab_query(&f, &root, "iam", form, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "<LastUsedDate>") == NULL);
    CHECK_CONTAINS(r.body, "<ServiceName>N/A</ServiceName>");
    lab_reply_free(&r);

    lab_cw_json(&f, &user, "ListMetrics", "{}", &r);
    CHECK_EQ_INT(r.status, 200);
    lab_reply_free(&r);

    lab_query(&f, &root, "iam", form, &r);
    CHECK_EQ_INT(r.status, 200);
    CHECK_CONTAINS(r.body, "<LastUsedDate>");
    CHECK_CONTAINS(r.body, "<ServiceName>monitoring</ServiceName>");
    lab_reply_free(&r);
    fx_close(&f);
}
