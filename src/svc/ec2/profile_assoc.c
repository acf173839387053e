/*
 * profile_assoc.c — IAM instance profiles on instances: resolving IamInstanceProfile
 * {Arn|Name} (RunInstances, Associate, Replace) with the iam:PassRole check on the
 * profile's role, and AssociateIamInstanceProfile, DescribeIamInstanceProfileAssociations,
 * ReplaceIamInstanceProfileAssociation, DisassociateIamInstanceProfile.
 *
 * An instance has at most one association [doc]; ec2_instances.profile_arn mirrors the
 * current one (IMDS and health read it). Associations are stored `associated`; the
 * responses of Associate/Replace say `associating` and Disassociate `disassociating`, as
 * AWS answers before the change settles [doc] (the lab settles at once, inferred).
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "svc/iam/authz.h"
#include "svc/ec2/ec2_internal.h"
#include "svc/iam/iam.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

int ec2_profile_resolve(struct call *c, const json_t *spec, struct ec2_profile *out)
{
    const char *arn =
        json_string_value(json_object_get(spec, EC2_M_IamInstanceProfileSpecification_Arn));
    const char *name =
        json_string_value(json_object_get(spec, EC2_M_IamInstanceProfileSpecification_Name));
    memset(out, 0, sizeof(*out));
    if (!arn && !name)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter iamInstanceProfile.name or "
                         "iamInstanceProfile.arn"); /* inferred */
    struct iam_instance_profile p;
    int rc = iam_instance_profile_get(c->st, c->a, arn ? arn : name, &p);
    if (rc < 0)
        return ec2_internal(c);
    if (rc == 0 && arn && !str_eq(p.arn, arn))
        rc = 1; /* a name that happened to match, or another path */
    if (rc == 1) {
        if (arn)
            return call_fail(c, 400, "InvalidParameterValue",
                             "Value (%s) for parameter iamInstanceProfile.arn is invalid. Invalid "
                             "IAM Instance Profile ARN",
                             arn); /* inferred from the .name form */
        return call_fail(c, 400, "InvalidParameterValue",
                         "Value (%s) for parameter iamInstanceProfile.name is invalid. Invalid IAM "
                         "Instance Profile name",
                         name); /* [obs] */
    }
    snprintf(out->arn, sizeof(out->arn), "%s", p.arn);
    snprintf(out->id, sizeof(out->id), "%s", p.profile_id);
    snprintf(out->name, sizeof(out->name), "%s", p.name);
    if (p.role_name) {
        struct iam_role role;
        rc = iam_role_get(c->st, c->a, p.role_name, &role);
        if (rc < 0)
            return ec2_internal(c);
        if (rc == 0) {
            snprintf(out->role_arn, sizeof(out->role_arn), "%s", role.arn);
            /* The caller hands the role to EC2: iam:PassRole on the role [doc]. */
            if (authz_check(c, &c->who, "iam:PassRole", role.arn, NULL))
                return -1;
        }
    }
    return 0;
}

static int assoc_insert(struct call *c, const char *assoc_id, const char *instance_id,
                        const struct ec2_profile *p)
{
    sqlite3_stmt *s =
        store_stmt(c->st, "INSERT INTO ec2_profile_assoc(assoc_id, instance_id, profile_arn, state,"
                          " created_ms, profile_id) VALUES(?1, ?2, ?3, 'associated', ?4, ?5)");
    sqlite3_bind_text(s, 1, assoc_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, instance_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, p->arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, c->now_ms);
    sqlite3_bind_text(s, 5, p->id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(c->st, "association insert");
}

/* Mirrors the association into ec2_instances.profile_arn (NULL: none). */
static int instance_profile_set(struct store *st, const char *instance_id, const char *arn)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE ec2_instances SET profile_arn = ?2 WHERE id = ?1");
    sqlite3_bind_text(s, 1, instance_id, -1, SQLITE_TRANSIENT);
    if (arn)
        sqlite3_bind_text(s, 2, arn, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(st, "instance profile update");
}

int ec2_profile_associate(struct call *c, const char *instance_id, const struct ec2_profile *p)
{
    char id[40];
    ec2_new_id("iip-assoc", id, sizeof(id));
    if (assoc_insert(c, id, instance_id, p))
        return -1;
    return instance_profile_set(c->st, instance_id, p->arn);
}

struct assoc {
    char id[40], instance_id[32], state[24];
    struct ec2_profile p;
    int64_t created_ms;
};

#define ASSOC_COLS "assoc_id, instance_id, profile_arn, state, created_ms, profile_id"

static void assoc_row(sqlite3_stmt *s, struct assoc *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->id, sizeof(a->id), "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(a->instance_id, sizeof(a->instance_id), "%s", (const char *)sqlite3_column_text(s, 1));
    snprintf(a->p.arn, sizeof(a->p.arn), "%s", (const char *)sqlite3_column_text(s, 2));
    snprintf(a->state, sizeof(a->state), "%s", (const char *)sqlite3_column_text(s, 3));
    a->created_ms = sqlite3_column_int64(s, 4);
    snprintf(a->p.id, sizeof(a->p.id), "%s", (const char *)sqlite3_column_text(s, 5));
}

int ec2_profile_of(struct store *st, const char *instance_id, struct ec2_profile *out,
                   char assoc_id[40])
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " ASSOC_COLS " FROM ec2_profile_assoc"
                                     " WHERE instance_id = ?1 ORDER BY created_ms DESC LIMIT 1");
    sqlite3_bind_text(s, 1, instance_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        struct assoc a;
        assoc_row(s, &a);
        *out = a.p;
        if (assoc_id)
            snprintf(assoc_id, 40, "%s", a.id);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(st, "association read");
    return rc == SQLITE_ROW ? 0 : 1;
}

int ec2_profile_drop(struct store *st, const char *instance_id)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM ec2_profile_assoc WHERE instance_id = ?1");
    sqlite3_bind_text(s, 1, instance_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return ec2_db_fail(st, "association delete");
    return instance_profile_set(st, instance_id, NULL);
}

/* An association by id in the call's region (through its instance). */
static int assoc_find(struct call *c, const char *id, struct assoc *a)
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT a.assoc_id, a.instance_id, a.profile_arn, a.state,"
                                        " a.created_ms, a.profile_id FROM ec2_profile_assoc a"
                                        " JOIN ec2_instances i ON i.id = a.instance_id"
                                        " WHERE a.assoc_id = ?1 AND i.region = ?2");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        assoc_row(s, a);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return call_fail(c, 400, "InvalidAssociationID.NotFound",
                         "An invalid association-id of '%s' was given", id ? id : ""); /* [moto] */
    return rc == SQLITE_ROW ? 0 : ec2_db_fail(c->st, "association read");
}

static void out_assoc(struct out *o, const char *member, const struct assoc *a, const char *state)
{
    out_begin(o, member);
    out_str(o, "AssociationId", a->id);
    out_str(o, "InstanceId", a->instance_id);
    out_begin(o, "IamInstanceProfile");
    out_str(o, "Arn", a->p.arn);
    if (a->p.id[0])
        out_str(o, "Id", a->p.id);
    out_end(o);
    out_str(o, "State", state ? state : a->state);
    out_time(o, "Timestamp", a->created_ms);
    out_end(o);
}

/*
 * AssociateIamInstanceProfile: a running or stopped instance without an association;
 * IncorrectState "There is an existing association for instance i-..." [moto] otherwise.
 */
int ec2_associate_iam_instance_profile(struct call *c, const json_t *in, struct out *o)
{
    struct ec2_instance inst;
    struct ec2_profile p;
    char existing[40];
    const char *iid =
        json_string_value(json_object_get(in, EC2_M_AssociateIamInstanceProfileRequest_InstanceId));
    if (!ec2_call_region(c) || ec2_instance_find(c, iid, &inst, NULL))
        return -1;
    if (inst.state != EC2_RUNNING && inst.state != EC2_STOPPED && inst.state != EC2_PENDING &&
        inst.state != EC2_STOPPING)
        return call_fail(c, 400, "IncorrectInstanceState",
                         "The instance '%s' is not in a valid state for this operation.",
                         inst.id); /* inferred */
    int rc = ec2_profile_of(c->st, inst.id, &p, existing);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return call_fail(c, 400, "IncorrectState",
                         "There is an existing association for instance %s", inst.id);
    if (ec2_profile_resolve(
            c, json_object_get(in, EC2_M_AssociateIamInstanceProfileRequest_IamInstanceProfile),
            &p))
        return -1;
    if (ec2_profile_associate(c, inst.id, &p) || ec2_profile_of(c->st, inst.id, &p, existing))
        return -1;
    struct assoc a;
    memset(&a, 0, sizeof(a));
    snprintf(a.id, sizeof(a.id), "%s", existing);
    snprintf(a.instance_id, sizeof(a.instance_id), "%s", inst.id);
    a.p = p;
    a.created_ms = c->now_ms;
    out_assoc(o, "IamInstanceProfileAssociation", &a, "associating");
    return 0;
}

static const char *const assoc_filters[] = {"instance-id", "state", NULL};

/*
 * DescribeIamInstanceProfileAssociations of the call's region: AssociationIds, Filters
 * instance-id and state, MaxResults 5..1000 with NextToken (not with AssociationIds).
 */
int ec2_describe_iam_instance_profile_associations(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (!ec2_call_region(c) || ec2_check_filters(c, in, assoc_filters) ||
        ec2_max_results(c, in, 5, 1000, 1000000,
                        EC2_M_DescribeIamInstanceProfileAssociationsRequest_AssociationIds,
                        "associationIdSet", &max) ||
        ec2_token_read(c, in, &after))
        return -1;
    const json_t *ids =
        json_object_get(in, EC2_M_DescribeIamInstanceProfileAssociationsRequest_AssociationIds);
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        struct assoc a;
        if (assoc_find(c, json_string_value(e), &a))
            return -1;
    }
    sqlite3_stmt *s = store_stmt(c->st, "SELECT a.assoc_id, a.instance_id, a.profile_arn, a.state,"
                                        " a.created_ms, a.profile_id FROM ec2_profile_assoc a"
                                        " JOIN ec2_instances i ON i.id = a.instance_id"
                                        " WHERE i.region = ?1 AND (?2 IS NULL OR a.assoc_id > ?2)"
                                        " ORDER BY a.assoc_id");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    if (after)
        sqlite3_bind_text(s, 2, after, -1, SQLITE_TRANSIENT);
    int n = 0, rc;
    const char *last = NULL;
    bool more = false;
    out_begin(o, "IamInstanceProfileAssociations");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct assoc a;
        assoc_row(s, &a);
        if (json_array_size(ids)) {
            bool listed = false;
            json_array_foreach(ids, i, e) listed = listed || str_eq(json_string_value(e), a.id);
            if (!listed)
                continue;
        }
        json_t *f = json_pack("{s:s, s:s}", "instance-id", a.instance_id, "state", a.state);
        bool ok = ec2_filters_match(in, f, NULL);
        json_decref(f);
        if (!ok)
            continue;
        if (n == max) {
            more = true;
            break;
        }
        out_assoc(o, NULL, &a, NULL);
        last = arena_strdup(c->a, a.id);
        n++;
    }
    sqlite3_reset(s);
    out_end(o);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ec2_db_fail(c->st, "associations describe");
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
    return 0;
}

static int assoc_delete(struct call *c, const char *id)
{
    sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_profile_assoc WHERE assoc_id = ?1");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ec2_db_fail(c->st, "association delete");
}

/* ReplaceIamInstanceProfileAssociation: a new association (new id) replaces the old one. */
int ec2_replace_iam_instance_profile_association(struct call *c, const json_t *in, struct out *o)
{
    struct assoc a;
    struct ec2_profile p;
    if (!ec2_call_region(c) ||
        assoc_find(c,
                   json_string_value(json_object_get(
                       in, EC2_M_ReplaceIamInstanceProfileAssociationRequest_AssociationId)),
                   &a) ||
        ec2_profile_resolve(
            c,
            json_object_get(in,
                            EC2_M_ReplaceIamInstanceProfileAssociationRequest_IamInstanceProfile),
            &p))
        return -1;
    if (assoc_delete(c, a.id) || ec2_profile_associate(c, a.instance_id, &p) ||
        ec2_profile_of(c->st, a.instance_id, &a.p, a.id))
        return -1;
    a.created_ms = c->now_ms;
    out_assoc(o, "IamInstanceProfileAssociation", &a, "associating");
    return 0;
}

/* DisassociateIamInstanceProfile: the association ends; the instance has no profile. */
int ec2_disassociate_iam_instance_profile(struct call *c, const json_t *in, struct out *o)
{
    struct assoc a;
    if (!ec2_call_region(c) ||
        assoc_find(c,
                   json_string_value(json_object_get(
                       in, EC2_M_DisassociateIamInstanceProfileRequest_AssociationId)),
                   &a))
        return -1;
    if (assoc_delete(c, a.id) || instance_profile_set(c->st, a.instance_id, NULL))
        return -1;
    out_assoc(o, "IamInstanceProfileAssociation", &a, "disassociating");
    return 0;
}
