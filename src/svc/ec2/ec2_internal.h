/*
 * ec2_internal.h — pieces the EC2 API files (instance_*.c, attrs.c, vpc.c, volumes.c, tags.c,
 * images.c, types.c, profile_assoc.c, util.c) share: DryRun, filters, pagination, ids,
 * tags, the default network, volumes, images, instance rows and instance profiles.
 *
 * Conventions: functions taking a struct call fail it (call_fail) with EC2's error and
 * return -1; 0 is success. Functions taking only a store return -1 on a database error
 * (logged). JSON handed out is owned by the caller (json_decref) unless said otherwise.
 */
#ifndef RL_EC2_INTERNAL_H
#define RL_EC2_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/regions.h"
#include "svc/ec2/ec2.h"
#include "svc/svc.h"

struct store;

/* ---- virtual durations of volume transitions (inferred) ---- */
#define EC2_VOLUME_CREATE_MS (5 * 1000LL) /* creating -> available */
#define EC2_VOLUME_ATTACH_MS (2 * 1000LL) /* attaching -> attached, detaching -> detached */

/* Instances (not terminated) one region may hold: the lab's instance limit (inferred; high
 * enough for fleet benchmarks, AWS's default quota is vCPU-based). */
#define EC2_MAX_LIVE_PER_REGION 20000
/* Tags per resource [doc]. */
#define EC2_MAX_TAGS 50

/* Amazon's owner id of the public images the lab pretends every ami- id names (inferred). */
#define EC2_IMAGE_OWNER "137112412989"

/* ---- regions.c ---- */
/*
 * The region of the call (c->region) from the catalogue. A region that does not exist
 * fails the call the way EC2 rejects a signature scoped to it (AuthFailure, 401,
 * inferred) and returns NULL.
 */
const struct ec2_region *ec2_call_region(struct call *c);

/* ---- util.c: requests ---- */

/* DryRun=true: fails the call with DryRunOperation (412) and returns true. */
bool ec2_dry_run(struct call *c, const json_t *in);

/*
 * Checks in.Filters names against allowed (NULL-terminated; "tag:" allows every tag:KEY).
 * Unknown names fail with InvalidParameterValue "The filter 'NAME' is invalid" [obs].
 */
int ec2_check_filters(struct call *c, const json_t *in, const char *const *allowed);

/* EC2 filter wildcard match: * any run, ? one character, backslash escapes [doc]. */
bool ec2_wildcard(const char *pat, const char *v);

/*
 * True when a resource passes every filter of in.Filters. facets maps a filter name to the
 * resource's value (json string, or an array of strings: any may match; json true/false and
 * integers compare as "true"/"false"/decimal); a filter the resource has no facet for does
 * not match. tags (TagList [{Key,Value}], may be NULL) answers tag:KEY, tag-key, tag-value.
 * Values of one filter are OR-ed, filters AND-ed [doc].
 */
bool ec2_filters_match(const json_t *in, const json_t *facets, const json_t *tags);

/* The values of filter `name` in in.Filters (first such filter), or NULL. */
const json_t *ec2_filter_values(const json_t *in, const char *name);

/*
 * MaxResults of in (dflt when absent) checked against lo..hi with EC2's messages; ids_member
 * names the request's id list (e.g. "InstanceIds") that may not be combined with MaxResults,
 * ids_param its wire name for the message ("instancesSet"); NULL when there is none.
 */
int ec2_max_results(struct call *c, const json_t *in, int lo, int hi, int dflt,
                    const char *ids_member, const char *ids_param, int *out);

/* NextToken: an opaque token carrying the sort key to resume after (arena string). */
char *ec2_token_make(struct call *c, const char *key);
/* in.NextToken decoded into *key (NULL when absent); a bad token fails the call. */
int ec2_token_read(struct call *c, const json_t *in, const char **key);

/* ---- util.c: ids ---- */

/* A new id: prefix "-" 17 lower-case hex digits, into out (cap >= strlen(prefix) + 19). */
void ec2_new_id(const char *prefix, char *out, size_t cap);
/* True when id is prefix "-" followed by 8 or 17 lower-case hex digits. */
bool ec2_id_ok(const char *id, const char *prefix);
/* "2026-11-28 12:00:00 GMT" into out[32] (StateTransitionReason) */
void ec2_reason_time(int64_t ms, char out[32]);

/* ---- util.c: store helpers ---- */
int ec2_db_fail(struct store *st, const char *what);
/* Fails the call with EC2's InternalError (500) "An internal error has occurred" [obs]. -1. */
int ec2_internal(struct call *c);
/* Parses a stored JSON document (NULL on a corrupt one: logged). */
json_t *ec2_json_load(const char *text);
/* The JSON documents in column col of every row s yields (corrupt ones skipped), as a new
 * array; s is reset. NULL on a store error (logged as what). */
json_t *ec2_json_rows(struct store *st, sqlite3_stmt *s, int col, const char *what);
/* Compact JSON text (arena). */
char *ec2_json_text(struct call *c, const json_t *v);
/* Writes the members of obj (a structure in the model) that do not start with '_'. */
void ec2_out_members(struct out *o, const json_t *obj);

/* ---- tags.c ---- */

/* The tags of a resource as a TagList [{Key,Value}] (new reference, never NULL). */
json_t *ec2_tags_get(struct store *st, const char *resource_id);
/* The tags of an EC2 ARN's resource for condition keys (svc/restags.h provider). */
json_t *ec2_resource_tags(struct call *c, const char *arn);
/*
 * Checks a TagList as CreateTags (create_tags) or TagSpecifications take it: keys 1..128
 * characters without the aws: prefix, values up to 256 [doc]; the two operations word the
 * aws: refusal differently [obs].
 */
int ec2_tags_check(struct call *c, const json_t *tags, bool create_tags);
/* Adds or overwrites tags of a resource (checked already); enforces EC2_MAX_TAGS. */
int ec2_tags_put(struct call *c, const char *resource_id, const char *resource_type,
                 const json_t *tags);
/* Removes every tag of a resource. */
int ec2_tags_drop(struct store *st, const char *resource_id);
/*
 * The tags TagSpecifications give resource_type ("instance", "volume", ...) in *out (a
 * borrowed TagList or NULL). Every specification's type must be in allowed (NULL-terminated),
 * else InvalidParameterValue "'TYPE' is not a valid taggable resource type for this
 * operation." [moto]; each must carry at least one tag; tags are checked.
 */
int ec2_tag_specs(struct call *c, const json_t *in, const char *const *allowed,
                  const char *resource_type, const json_t **out);
/* The resource type of an id by its prefix ("instance", "volume"...), or NULL. */
const char *ec2_resource_type_of(const char *id);

/* ---- vpc.c: the default network of a region ---- */
struct ec2_subnet {
    char id[32];
    char vpc_id[32];
    char az[32];
    char az_id[24];
    char cidr[24];
    uint32_t base; /* network address, host order */
    int prefix;    /* 20 */
    bool map_public_ip;
};

/* Creates the region's default VPC, subnets (one per AZ) and security group on first use;
 * fills vpc_id and sg_id (either may be NULL). */
int ec2_network_ensure(struct call *c, char vpc_id[32], char sg_id[32]);
/* The default subnet of an AZ of the call's region. */
int ec2_subnet_default(struct call *c, const char *az, struct ec2_subnet *out);
/* The default subnet for a launch of count instances that names no AZ or subnet: the first
 * zone (in zone order) whose default subnet still has room for them (inferred). */
int ec2_subnet_auto(struct call *c, int64_t count, struct ec2_subnet *out);
/* Addresses still free in a subnet (its size less those of live instances; -1 on error). */
int64_t ec2_subnet_free(struct call *c, const struct ec2_subnet *sn);
/* A subnet by id in the call's region: 0, 1 not found, -1 error (the call is not failed). */
int ec2_subnet_get(struct call *c, const char *subnet_id, struct ec2_subnet *out);
/*
 * Allocates a private IPv4 address in the subnet (want: a requested address, or NULL),
 * into ip[16]. Fails InvalidParameterValue / InvalidIPAddress.InUse for bad requests.
 */
int ec2_ip_alloc(struct call *c, const struct ec2_subnet *sn, const char *want, char ip[16]);
/* A new public IPv4 address (not in use by another instance) into ip[16]. */
int ec2_public_ip_alloc(struct call *c, char ip[16]);
/* DNS names of addresses in a region: ip-172-31-1-2.ec2.internal, ec2-3-4-5-6.compute-1... */
void ec2_private_dns(const char *region, const char *ip, char *out, size_t cap);
void ec2_public_dns(const char *region, const char *ip, char *out, size_t cap);
/*
 * Resolves the security groups of a launch: ids and names (json arrays of strings, either
 * NULL) in the default VPC, into a GroupIdentifierList [{GroupId, GroupName}] (*out, new
 * reference). None given: the default group. Unknown ones fail InvalidGroup.NotFound.
 */
int ec2_groups_resolve(struct call *c, const json_t *ids, const json_t *names, json_t **out);

/* ---- volumes.c ---- */
struct ec2_volume_spec {
    const char *az;
    const char *type;   /* gp2 (default), gp3, io1, io2, st1, sc1, standard */
    int64_t size_gib;   /* 0: default */
    int64_t iops;       /* 0: default for the type */
    int64_t throughput; /* gp3 */
    bool encrypted;
    const char *snapshot_id;
    const char *kms_key_id;
    bool multi_attach;
    /* attachment at creation (instance volumes) */
    const char *instance_id;
    const char *device;
    bool delete_on_termination;
};
/* Validates spec (type, size range per type, iops, throughput) with EC2's messages and
 * fills in the defaults (gp2, iops of the type). */
int ec2_volume_check(struct call *c, struct ec2_volume_spec *spec);
/* Creates a volume (attached and in-use when spec->instance_id, else creating), into id[32]. */
int ec2_volume_create(struct call *c, const struct ec2_volume_spec *spec, char id[32]);
/* The InstanceBlockDeviceMappingList of an instance (new reference). */
json_t *ec2_instance_bdm(struct store *st, const char *instance_id);
/* At termination: deletes the instance's volumes marked DeleteOnTermination, detaches the others.
 */
int ec2_volumes_release(struct store *st, const char *instance_id, int64_t at_ms);
/* Sets DeleteOnTermination of the volume attached to instance_id on device: 0, 1 when no
 * volume is attached there, -1 error. */
int ec2_volume_set_dot(struct store *st, const char *instance_id, const char *device, bool dot);
/* Registers the clock event kind of volume transitions. */
void ec2_volumes_init(void);

/* ---- images.c ---- */
/* Records (or finds) an image in the call's region for DescribeImages; arch: "x86_64"/"arm64". */
int ec2_image_record(struct call *c, const char *image_id, const char *arch);
/* Fails InvalidAMIID.Malformed for an id that is not ami- + 8 or 17 hex. */
int ec2_image_check_id(struct call *c, const char *image_id);

/* ---- instance_store.c: rows ---- */
/* The columns ec2_instance_row reads, in its order (SELECT " EC2_INSTANCE_COLS " FROM ...). */
#define EC2_INSTANCE_COLS                                                                          \
    "id, region, az, type, image_id, host_id, tenancy, auto_recovery, profile_arn, private_ip,"    \
    " public_ip, state, state_ms, launch_ms, boot_ms, doc, reservation_id"
/* Reads an EC2_INSTANCE_COLS row; *doc (may be NULL) gets the parsed document, res[32] (may be
 * NULL) the reservation id. */
void ec2_instance_row(sqlite3_stmt *s, struct ec2_instance *in, json_t **doc, char *res);
/* An instance by id in region (any region when NULL): 0, 1 not found, -1 error. */
int ec2_instance_read(struct store *st, const char *id, const char *region, struct ec2_instance *in,
                      json_t **doc, char *res);
/* Writes the row's columns (not profile_arn: profile_assoc.c owns it) and doc. */
int ec2_instance_update(struct store *st, const struct ec2_instance *in, const json_t *doc);
/* The instance row plus its doc, by id in the call's region: 0, 1 not found, -1 error. */
int ec2_instance_load(struct call *c, const char *id, struct ec2_instance *in, json_t **doc);
/* Fails the call with InvalidInstanceID.Malformed `Invalid id: "x"` [obs]; returns -1. */
int ec2_instance_malformed(struct call *c, const char *id);
/*
 * As ec2_instance_load, but fails the call: a malformed id with InvalidInstanceID.Malformed
 * `Invalid id: "x"` [obs], an unknown one with InvalidInstanceID.NotFound.
 */
int ec2_instance_find(struct call *c, const char *id, struct ec2_instance *in, json_t **doc);
/* Checks a list of instance ids (malformed first, then the not found ones together). */
int ec2_instances_check(struct call *c, const json_t *ids);
/* Writes the doc back (and the row's columns from *in). */
int ec2_instance_save(struct call *c, const struct ec2_instance *in, const json_t *doc);

/* ---- instance_state.c: the lifecycle ---- */
/* Clock event kinds of instance transitions (arg: the instance id). */
#define EC2_EV_INSTANCE "ec2-instance" /* the current transition completes */
#define EC2_EV_REBOOT "ec2-reboot"     /* a reboot's outage ends */
/* Sets the state and what DescribeInstances says about why. user: a user action. */
void ec2_instance_set_state(struct ec2_instance *in, json_t *doc, int state, int64_t at_ms,
                            bool user);
/* Writes an InstanceState {Code, Name} under member. */
void ec2_out_state(struct out *o, const char *member, int code);

/* ---- instance_describe.c ---- */
/* Writes the Reservation with every instance of reservation (in launch order). 0 / -1. */
int ec2_out_reservation(struct call *c, struct out *o, const char *reservation);

/* ---- profile_assoc.c ---- */
struct ec2_profile {
    char arn[704];
    char id[32]; /* AIPA... */
    char name[140];
    char role_arn[704]; /* "" when the profile has no role */
};
/*
 * Resolves IamInstanceProfile {Arn|Name} to an existing instance profile and checks that
 * the caller may pass its role (iam:PassRole). Fails InvalidParameterValue
 * "Value (X) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile
 * name" [obs] (".arn ... ARN" inferred).
 */
int ec2_profile_resolve(struct call *c, const json_t *spec, struct ec2_profile *out);
/* Records the association of a profile with a launched instance (state associated). */
int ec2_profile_associate(struct call *c, const char *instance_id, const struct ec2_profile *p);
/* The current association of an instance (0 found, 1 none). */
int ec2_profile_of(struct store *st, const char *instance_id, struct ec2_profile *out,
                   char assoc_id[40]);
/* Removes the associations of a terminated instance. */
int ec2_profile_drop(struct store *st, const char *instance_id);

#endif
