/* sts_test.c — STS handlers through the service fixture. */
#include "harness.h"
#include "svc_fixture.h"

TEST(sts_get_caller_identity_root)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(fx_call(&f, "sts", "GetCallerIdentity", sts_get_caller_identity, "{}"), 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_INT(f.resp.status, 200);
    CHECK_CONTAINS(f.body, "<GetCallerIdentityResult><UserId>123456789012</UserId>"
                           "<Account>123456789012</Account>"
                           "<Arn>arn:aws:iam::123456789012:root</Arn></GetCallerIdentityResult>");
    fx_close(&f);
}

TEST(sts_get_caller_identity_user)
{
    struct fx f;
    fx_open(&f, FX_T0);
    fx_as_user(&f, "alice", "AIDAJQABLZS4A3QDU576Q");
    CHECK_EQ_INT(fx_call(&f, "sts", "GetCallerIdentity", sts_get_caller_identity, "{}"), 0);
    CHECK_CONTAINS(f.body, "<UserId>AIDAJQABLZS4A3QDU576Q</UserId>");
    CHECK_CONTAINS(f.body, "<Account>123456789012</Account>");
    CHECK_CONTAINS(f.body, "<Arn>arn:aws:iam::123456789012:user/alice</Arn>");
    fx_close(&f);
}

TEST(sts_get_caller_identity_role_session)
{
    struct fx f;
    fx_open(&f, FX_T0);
    fx_as_role_session(&f, "ops", "AROA3XFRBF535PLBIFPI4", "i-0123456789abcdef0");
    CHECK_EQ_INT(fx_call(&f, "sts", "GetCallerIdentity", sts_get_caller_identity, "{}"), 0);
    CHECK_CONTAINS(f.body, "<UserId>AROA3XFRBF535PLBIFPI4:i-0123456789abcdef0</UserId>");
    CHECK_CONTAINS(f.body,
                   "<Arn>arn:aws:sts::123456789012:assumed-role/ops/i-0123456789abcdef0</Arn>");
    fx_close(&f);
}

TEST(sts_get_caller_identity_json_members)
{
    /* The same handler through the JSON renderer: exactly the three output members. */
    struct fx f;
    fx_open(&f, FX_T0);
    f.proto = PROTO_JSON;
    fx_as_user(&f, "bob", "AIDAEXAMPLEBOB000001");
    CHECK_EQ_INT(fx_call(&f, "sts", "GetCallerIdentity", sts_get_caller_identity, "{}"), 0);
    CHECK(f.json != NULL);
    CHECK_EQ_INT(json_object_size(f.json), 3);
    CHECK_EQ_STR(json_string_value(json_object_get(f.json, "UserId")), "AIDAEXAMPLEBOB000001");
    CHECK_EQ_STR(json_string_value(json_object_get(f.json, "Account")), "123456789012");
    CHECK_EQ_STR(json_string_value(json_object_get(f.json, "Arn")),
                 "arn:aws:iam::123456789012:user/bob");
    fx_close(&f);
}
