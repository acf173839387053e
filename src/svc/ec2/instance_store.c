/*
 * instance_store.c — EC2 instance rows: ec2_instances <-> struct ec2_instance plus its doc,
 * the lookups by id that fail the call the way EC2 does, and the writes back.
 *
 * Rows (ec2_instances): the columns of struct ec2_instance plus doc, the model's Instance
 * members that are not derived from columns or other tables, and '_' members of our own:
 * _eni, _eni_attach, _mac (the primary network interface), _public (gets a public address
 * on start), _user_data, _disable_api_termination, _disable_api_stop, _shutdown_behavior,
 * _rebooting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_internal.h"

static void col(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

void ec2_instance_row(sqlite3_stmt *s, struct ec2_instance *in, json_t **doc, char *res)
{
    memset(in, 0, sizeof(*in));
    col(s, 0, in->id, sizeof(in->id));
    col(s, 1, in->region, sizeof(in->region));
    col(s, 2, in->az, sizeof(in->az));
    col(s, 3, in->type, sizeof(in->type));
    col(s, 4, in->image_id, sizeof(in->image_id));
    col(s, 5, in->host_id, sizeof(in->host_id));
    col(s, 6, in->tenancy, sizeof(in->tenancy));
    col(s, 7, in->auto_recovery, sizeof(in->auto_recovery));
    col(s, 8, in->profile_arn, sizeof(in->profile_arn));
    col(s, 9, in->private_ip, sizeof(in->private_ip));
    col(s, 10, in->public_ip, sizeof(in->public_ip));
    in->state = sqlite3_column_int(s, 11);
    in->state_ms = sqlite3_column_int64(s, 12);
    in->launch_ms = sqlite3_column_int64(s, 13);
    in->boot_ms = sqlite3_column_int64(s, 14);
    if (doc) {
        *doc = ec2_json_load((const char *)sqlite3_column_text(s, 15));
        if (!*doc)
            *doc = json_object();
    }
    if (res)
        col(s, 16, res, 32);
}

int ec2_instance_read(struct store *st, const char *id, const char *region, struct ec2_instance *in,
                      json_t **doc, char *res)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " EC2_INSTANCE_COLS " FROM ec2_instances WHERE id = ?1"
                                     " AND (?2 IS NULL OR region = ?2)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    if (region)
        sqlite3_bind_text(s, 2, region, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        ec2_instance_row(s, in, doc, res);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(st, "instance read");
    return rc == SQLITE_ROW ? 0 : 1;
}

int ec2_instance_get(struct store *st, const char *id, struct ec2_instance *out)
{
    return id ? ec2_instance_read(st, id, NULL, out, NULL, NULL) : 1;
}

int ec2_instance_update(struct store *st, const struct ec2_instance *in, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    sqlite3_stmt *s = store_stmt(
        st, "UPDATE ec2_instances SET az = ?2, type = ?3, host_id = ?4, tenancy = ?5,"
            " auto_recovery = ?6, private_ip = ?7, public_ip = ?8, state = ?9, state_ms = ?10,"
            " launch_ms = ?11, boot_ms = ?12, doc = ?13 WHERE id = ?1");
    sqlite3_bind_text(s, 1, in->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, in->az, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, in->type, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 4, in->host_id);
    sqlite3_bind_text(s, 5, in->tenancy, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, in->auto_recovery, -1, SQLITE_TRANSIENT);
    store_bind_nonempty_or_null(s, 7, in->private_ip);
    store_bind_nonempty_or_null(s, 8, in->public_ip);
    sqlite3_bind_int(s, 9, in->state);
    sqlite3_bind_int64(s, 10, in->state_ms);
    sqlite3_bind_int64(s, 11, in->launch_ms);
    sqlite3_bind_int64(s, 12, in->boot_ms);
    sqlite3_bind_text(s, 13, text ? text : "{}", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    free(text);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(st, "instance update");
}

int ec2_instance_load(struct call *c, const char *id, struct ec2_instance *in, json_t **doc)
{
    return ec2_instance_read(c->st, id, c->region, in, doc, NULL);
}

int ec2_instance_save(struct call *c, const struct ec2_instance *in, const json_t *doc)
{
    return ec2_instance_update(c->st, in, doc);
}

int ec2_instance_malformed(struct call *c, const char *id)
{
    return call_fail(c, 400, "InvalidInstanceID.Malformed", "Invalid id: \"%s\"",
                     id ? id : ""); /* [obs] */
}

int ec2_instance_find(struct call *c, const char *id, struct ec2_instance *in, json_t **doc)
{
    if (doc)
        *doc = NULL;
    if (!ec2_id_ok(id, "i"))
        return ec2_instance_malformed(c, id);
    int rc = ec2_instance_read(c->st, id, c->region, in, doc, NULL);
    if (rc == 1)
        return call_fail(c, 400, "InvalidInstanceID.NotFound",
                         "The instance ID '%s' does not exist", id); /* [obs] */
    return rc;
}

int ec2_instances_check(struct call *c, const json_t *ids)
{
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        if (!ec2_id_ok(json_string_value(e), "i"))
            return ec2_instance_malformed(c, json_string_value(e));
    }
    struct buf missing = BUF_INIT;
    int nmissing = 0;
    json_array_foreach(ids, i, e)
    {
        struct ec2_instance in;
        int rc = ec2_instance_read(c->st, json_string_value(e), c->region, &in, NULL, NULL);
        if (rc < 0) {
            buf_free(&missing);
            return -1;
        }
        if (rc == 1) {
            buf_printf(&missing, "%s%s", nmissing ? ", " : "", json_string_value(e));
            nmissing++;
        }
    }
    if (!nmissing)
        return 0;
    /* several unknown ids are reported together [obs: "The instance IDs 'a, b' do not exist"] */
    if (nmissing == 1)
        call_fail(c, 400, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist",
                  missing.p);
    else
        call_fail(c, 400, "InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist",
                  missing.p);
    buf_free(&missing);
    return -1;
}
