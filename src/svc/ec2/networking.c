/*
 * networking.c — rows of ec2_network by kind (the shared access the network files use).
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

int ec2_net_get(struct call *c, const char *kind, const char *id, json_t **doc)
{
    *doc = NULL;
    if (!id)
        return 1;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT doc FROM ec2_network WHERE region = ?1"
                                        " AND kind = ?2 AND id = ?3");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = 1;
    if (rc == SQLITE_ROW) {
        *doc = ec2_json_load((const char *)sqlite3_column_text(s, 0));
        ret = *doc ? 0 : -1;
    } else if (rc != SQLITE_DONE) {
        ret = ec2_db_fail(c->st, "network read");
    }
    sqlite3_reset(s);
    if (ret < 0)
        ec2_internal(c);
    return ret;
}

int ec2_net_put(struct call *c, const char *kind, const char *id, const json_t *doc)
{
    sqlite3_stmt *s = store_stmt(
        c->st, "INSERT OR REPLACE INTO ec2_network(id, region, kind, doc) VALUES(?1, ?2, ?3, ?4)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, ec2_json_text(c, doc), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        ec2_db_fail(c->st, "network write");
        return ec2_internal(c);
    }
    return 0;
}

int ec2_net_del(struct call *c, const char *id)
{
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_network WHERE id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE || ec2_tags_drop(c->st, id)) {
        ec2_db_fail(c->st, "network delete");
        return ec2_internal(c);
    }
    return 0;
}

int ec2_vpc_check(struct call *c, const char *vpc_id)
{
    if (!ec2_id_ok(vpc_id, "vpc"))
        return call_fail(c, 400, "InvalidVpcID.Malformed",
                         "Invalid id: \"%s\" (expecting \"vpc-...\")", vpc_id ? vpc_id : "");
    json_t *d;
    int rc = ec2_net_get(c, "vpc", vpc_id, &d);
    json_decref(d);
    if (rc == 1)
        return call_fail(c, 400, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist",
                         vpc_id); /* [obs] */
    return rc;
}
