/* principal_test.c — the principal JSON stored with each access key. */
#include <stdio.h>
#include <stdlib.h>

#include "core/principal.h"
#include "harness.h"

TEST(principal_json_exact_form)
{
    struct principal p;
    memset(&p, 0, sizeof(p));
    p.kind = PRINCIPAL_ROLE_SESSION;
    p.temporary = true;
    snprintf(p.account, sizeof(p.account), "%s", "123456789012");
    snprintf(p.arn, sizeof(p.arn), "%s",
             "arn:aws:sts::123456789012:assumed-role/web/i-0123456789abcdef0");
    snprintf(p.user_id, sizeof(p.user_id), "%s", "AROAEXAMPLE:i-0123456789abcdef0");
    snprintf(p.name, sizeof(p.name), "%s", "web");
    snprintf(p.session_name, sizeof(p.session_name), "%s", "i-0123456789abcdef0");
    snprintf(p.access_key_id, sizeof(p.access_key_id), "%s",
             "ASIAEXAMPLE"); /* not stored in the JSON */
    p.expires_ms = 42;       /* nor this */
    char *s = principal_to_json(&p);
    CHECK_EQ_STR(s, "{\"kind\":\"role_session\",\"temporary\":true,\"account\":\"123456789012\","
                    "\"arn\":\"arn:aws:sts::123456789012:assumed-role/web/i-0123456789abcdef0\","
                    "\"user_id\":\"AROAEXAMPLE:i-0123456789abcdef0\",\"name\":\"web\","
                    "\"session_name\":\"i-0123456789abcdef0\"}");
    struct principal q;
    CHECK_EQ_INT(principal_from_json(s, &q), 0);
    CHECK_EQ_INT(q.kind, PRINCIPAL_ROLE_SESSION);
    CHECK(q.temporary);
    CHECK_EQ_STR(q.account, p.account);
    CHECK_EQ_STR(q.arn, p.arn);
    CHECK_EQ_STR(q.user_id, p.user_id);
    CHECK_EQ_STR(q.name, p.name);
    CHECK_EQ_STR(q.session_name, p.session_name);
    CHECK_EQ_STR(q.access_key_id, "");
    CHECK_EQ_INT(q.expires_ms, 0);
    free(s);
}

TEST(principal_json_every_kind_round_trips)
{
    static const char *const names[] = {"root", "user", "role_session", "federated", "service"};
    for (int k = PRINCIPAL_ROOT; k <= PRINCIPAL_SERVICE; k++) {
        struct principal p, q;
        memset(&p, 0, sizeof(p));
        p.kind = (enum principal_kind)k;
        snprintf(p.name, sizeof(p.name), "%s", names[k - 1]);
        char *s = principal_to_json(&p);
        CHECK(s != NULL);
        char want[64];
        snprintf(want, sizeof(want), "{\"kind\":\"%s\"", names[k - 1]);
        CHECK(s && strncmp(s, want, strlen(want)) == 0);
        CHECK_EQ_INT(principal_from_json(s, &q), 0);
        CHECK_EQ_INT(q.kind, k);
        CHECK(!q.temporary);
        free(s);
    }
    struct principal bad;
    memset(&bad, 0, sizeof(bad));
    CHECK(principal_to_json(&bad) == NULL); /* kind 0 is not a kind */
}

TEST(principal_json_minimal_and_unknown_members)
{
    struct principal q;
    CHECK_EQ_INT(principal_from_json("{\"kind\":\"root\",\"account\":\"123456789012\","
                                     "\"extra\":[1,2]}",
                                     &q),
                 0);
    CHECK_EQ_INT(q.kind, PRINCIPAL_ROOT);
    CHECK_EQ_STR(q.account, "123456789012");
    CHECK_EQ_STR(q.arn, "");
}

TEST(principal_json_rejects_bad_input)
{
    struct principal q;
    char big[400];
    memset(big, 'a', sizeof(big));
    big[sizeof(big) - 1] = '\0';
    char *long_arn = malloc(sizeof(big) + 64);
    snprintf(long_arn, sizeof(big) + 64, "{\"kind\":\"user\",\"arn\":\"%s\"}", big);
    static const char *const bad[] = {
        NULL,
        "",
        "not json",
        "[]",
        "{}",
        "{\"kind\":\"admin\"}",
        "{\"kind\":1}",
        "{\"kind\":\"user\",\"temporary\":\"yes\"}",
        "{\"kind\":\"user\",\"account\":123}",
        "{\"kind\":\"user\",\"account\":\"1234567890123456\"}", /* 16 chars: no room for NUL */
        "{\"kind\":\"user\",\"name\":\"a\\u0000b\"}",
        "{\"kind\":\"user\",\"kind\":\"root\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        q.kind = PRINCIPAL_USER;
        if (principal_from_json(bad[i], &q) != -1)
            harness_fail(__FILE__, __LINE__, "accepted %s", bad[i] ? bad[i] : "NULL");
        CHECK_EQ_INT(q.kind, 0); /* zeroed on failure */
    }
    CHECK_EQ_INT(principal_from_json(long_arn, &q), -1);
    free(long_arn);
    CHECK_EQ_INT(principal_from_json("{\"kind\":\"user\",\"account\":\"123456789012345\"}", &q), 0);
}
