/*
 * health_internal.h — what the EC2 health files share among themselves (health.c, faults.c,
 * recover.c, instance_status.c, imds.c). Not for other modules: they use ec2.h.
 *
 * The model (all times virtual ms):
 *   - a host (ec2_hosts) is failed while failed_ms is set; a system fault sets it;
 *   - the health timeline (ec2_health) holds one row per change of an instance's checks:
 *     running 0/1 and the detail status of each check ("initializing" | "passed" | "failed",
 *     "not-applicable" while not running). After a boot the row at the boot time says
 *     "initializing" and a second row at boot + EC2_CHECKS_INIT_MS holds the first results;
 *     rows later than now are provisional and rewritten by every refresh;
 *   - the status-check metrics and DescribeInstanceStatus read the timeline.
 */
#ifndef RL_EC2_HEALTH_INTERNAL_H
#define RL_EC2_HEALTH_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "svc/ec2/ec2.h"

struct store;
struct arena;

/* Instances that share a host before a new one is opened in the AZ (inferred). */
#define EC2_HOST_CAPACITY 8
/* Simplified automatic recovery starts once the system check has failed this long
 * (inferred: AWS documents no delay; the console's recover alarm uses 2 x 1 min). */
#define EC2_AUTO_RECOVERY_DELAY_MS (3 * 60 * 1000LL)
/* Recoveries allowed per instance in a sliding 24 h window [doc: "three per day"]. */
#define EC2_RECOVERY_LIMIT 3
#define EC2_RECOVERY_WINDOW_MS (24 * 3600 * 1000LL)
/* Completed events stay in DescribeInstanceStatus for a week [doc]. */
#define EC2_EVENT_VISIBLE_MS (7 * 86400 * 1000LL)

/* Clock event kinds (arg: instance id / fault id). */
#define EC2_EV_AUTORECOVER "ec2-autorecover"
#define EC2_EV_FAULT_EXPIRE "ec2-fault-expire"

/* One timeline row. Status strings are static literals. */
struct health_row {
    int64_t at_ms;
    int64_t seq;
    bool running;
    const char *system, *instance, *ebs; /* detail statuses (see above) */
};

/* Maps a stored status to its static literal ("passed", ...); unknown -> "insufficient-data". */
const char *health_status_lit(const char *s);

/* The row in force at t (the last with at_ms <= t). 0 found, 1 none, -1 error. */
int health_row_at(struct store *st, const char *instance_id, int64_t t, struct health_row *out);

/*
 * Recomputes the instance's checks at now from its row (state, host, boot time), its host
 * and its faults, rewrites the provisional future of its timeline, appends a row when
 * something changed, and schedules simplified automatic recovery when the system check
 * turns failed. 0 or -1.
 */
int health_refresh(struct store *st, const char *instance_id, int64_t now_ms);
/* health_refresh for every instance on the host. 0 or -1. */
int health_refresh_host(struct store *st, const char *host_id, int64_t now_ms);

/*
 * A healthy host for an instance in region/az other than `exclude` (NULL: any), creating one
 * when the AZ's open host is full, failed or excluded. 0 and out filled, -1 error.
 */
int health_pick_host(struct store *st, const char *region, const char *az, const char *exclude,
                     int64_t now_ms, char out[32]);
/* Makes sure the host row exists (a host the lifecycle named but we never created). */
int health_host_ensure(struct store *st, const char *host_id, const char *region, const char *az,
                       int64_t now_ms);

/* A new resource id: prefix + 17 lower-case hex characters ("i-", "h-", "f-" ...). */
void health_new_id(const char *prefix, char *out, size_t cap);

/* ---- faults (faults.c) ---- */
/*
 * Injects a fault: kind "system" fails the instance's current host (every instance on it),
 * "instance" the instance's guest, "ebs" its attached EBS check. duration_ms > 0 schedules
 * the end. 0 and id; 1 with *why (static) when the instance's state does not allow it;
 * -1 on a store error.
 */
int ec2_fault_inject(struct store *st, const struct ec2_instance *in, const char *kind,
                     int64_t duration_ms, int64_t now_ms, char id[32], const char **why);
/* Clears an active fault (cleared_by: "api", "expired"). 0 cleared, 1 unknown or already
 * cleared, -1 error. A system fault's host is repaired when no other system fault holds it. */
int ec2_fault_clear(struct store *st, const char *fault_id, int64_t now_ms, const char *cleared_by);
/* Clears the instance's active faults of one kind without refreshing (the caller does). */
int ec2_faults_close(struct store *st, const char *instance_id, const char *kind, int64_t now_ms,
                     const char *cleared_by);
/* Closes the active system faults of a host that no instance uses any more; the host stays
 * failed (retired). */
int ec2_faults_close_vacated(struct store *st, const char *host_id, int64_t now_ms,
                             const char *cleared_by);
/* A fault as the admin API shows it (new reference), or NULL when unknown. */
json_t *ec2_fault_json(struct store *st, const char *fault_id);
/* Every fault of the instance (or of all instances when instance_id is NULL), oldest first. */
json_t *ec2_faults_json(struct store *st, const char *instance_id);
/* Clock handler: a fault's duration ran out. */
void ec2_fault_expire_event(struct store *st, int64_t at_ms, const char *fault_id);

/* ---- recovery (recover.c) ---- */
/* Recoveries of the instance in (now - 24 h, now]. -1 on error. */
int ec2_recoveries_in_window(struct store *st, const char *instance_id, int64_t now_ms);
/* Clock handler: simplified automatic recovery of the instance if still due. */
void ec2_autorecover_event(struct store *st, int64_t at_ms, const char *instance_id);

/* ---- instance view (health.c) ---- */
/* The admin view of an instance: host, checks, recoveries, faults, timeline (new reference),
 * or NULL when unknown. */
json_t *ec2_instance_view(struct store *st, const char *instance_id, int64_t now_ms);

#endif
