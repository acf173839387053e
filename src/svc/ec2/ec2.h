/*
 * ec2.h — EC2 state shared by the EC2 API (instance_*.c, vpc.c, volumes.c, tags.c: the
 * lifecycle), the health model (health.c: hosts, status checks, faults, derived
 * StatusCheckFailed* metrics, recovery, simplified automatic recovery) and IMDS (imds.c),
 * and used later by CloudWatch alarm actions and CloudFormation.
 *
 * Tables: src/svc/ec2/schema.c (EC2_SCHEMA_1). Instance ids are unique across regions;
 * every row carries its region. Times are virtual ms.
 *
 * Acting principals: the internal actions below take a `struct call` whose `who` is the
 * principal acting (the API caller, an alarm's creator, a stack's caller) — the same calls
 * the API handlers make, so authorization and validation always apply. They fail the call
 * (call_fail) with EC2's error code and message; callers that are not API requests read
 * c->err.status / err_code / err_message to report the outcome (alarm history).
 */
#ifndef RL_EC2_H
#define RL_EC2_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalog/instance_types.h"

struct call;
struct store;
struct arena;

/* Instance states and their codes [model]: InstanceState.Code. */
#define EC2_PENDING 0
#define EC2_RUNNING 16
#define EC2_SHUTTING_DOWN 32
#define EC2_TERMINATED 48
#define EC2_STOPPING 64
#define EC2_STOPPED 80
const char *ec2_state_name(int code); /* "running" ... */

/* Virtual durations of transitions and checks (inferred; documented in README). */
#define EC2_PENDING_MS (15 * 1000LL)          /* pending -> running */
#define EC2_STOPPING_MS (30 * 1000LL)         /* stopping -> stopped */
#define EC2_SHUTTING_DOWN_MS (30 * 1000LL)    /* shutting-down -> terminated */
#define EC2_REBOOT_MS (30 * 1000LL)           /* a reboot's outage */
#define EC2_TERMINATED_VISIBLE_MS (60 * 60 * 1000LL) /* terminated instances stay visible */
#define EC2_CHECKS_INIT_MS (3 * 60 * 1000LL)  /* status checks 'initializing' after a boot */

/* The fields other modules need; the full description is in the row's doc JSON. */
struct ec2_instance {
    char id[24];            /* i- + 17 hex */
    char region[32];
    char az[32];
    char type[40];          /* "t2.micro" */
    char image_id[32];
    char host_id[32];       /* h- + 17 hex; "" when not on a host (stopped, terminated) */
    char tenancy[16];       /* default | dedicated | host */
    char auto_recovery[16]; /* default | disabled */
    char profile_arn[600];  /* instance profile ARN, "" if none */
    char private_ip[16], public_ip[16];
    int state;              /* EC2_* */
    int64_t state_ms;       /* when the current state began */
    int64_t launch_ms;      /* LaunchTime: the last start */
    int64_t boot_ms;        /* the last boot: launch, start, reboot or recovery */
};

/* 0 found, 1 not found, -1 error. */
int ec2_instance_get(struct store *st, const char *id, struct ec2_instance *out);

/* ---- lifecycle (instance_ops.c, instance_state.c) ---- */
/* Internal actions as c->who (authorization ec2:StopInstances etc. applies). 0 or -1. */
int ec2_stop(struct call *c, const char *instance_id, bool force);
int ec2_terminate(struct call *c, const char *instance_id);
int ec2_reboot(struct call *c, const char *instance_id);
/* Registers the clock event kinds of instance and volume transitions (ec2_init calls it). */
void ec2_lifecycle_init(void);

/* ---- instance types: the catalogue (catalog/instance_types.h) ---- */

/* ---- health (health.c) ---- */
/*
 * Lifecycle hooks the instance code calls at each transition, in the same transaction:
 *   booted: the instance starts running on a host (launch, start, reboot end, recovery):
 *           picks/keeps a host, status checks 'initializing' until at_ms + EC2_CHECKS_INIT_MS;
 *   down:   the instance stops running (stopping, shutting-down, reboot start): no checks,
 *           no metrics; an 'instance' fault is cleared (the guest restarts).
 * host_id is filled (booted) with the host the instance runs on.
 */
int ec2_health_booted(struct store *st, const char *instance_id, int64_t at_ms, char host_id[32]);
int ec2_health_down(struct store *st, const char *instance_id, int64_t at_ms, bool reboot);

/* Current check statuses: "ok" | "impaired" | "initializing" | "insufficient-data" |
 * "not-applicable" (DescribeInstanceStatus InstanceStatus/SystemStatus .Status) and the
 * details' statuses "passed" | "failed" | "initializing" | "insufficient-data". */
struct ec2_checks {
    const char *system, *instance, *ebs;            /* summary status */
    const char *system_detail, *instance_detail, *ebs_detail; /* reachability detail status */
    int64_t system_impaired_since, instance_impaired_since, ebs_impaired_since; /* 0 if none */
};
int ec2_health_checks(struct store *st, const struct ec2_instance *in, int64_t now_ms,
                      struct ec2_checks *out);

/*
 * Recovers an instance as c->who (needs ec2:RecoverInstances — the action an alarm's recover
 * action performs as its creator): running, type supports recovery, EBS-only, not host
 * tenancy, at most 3 recoveries per 24 h. Moves it to a healthy host, keeps id, IPs,
 * volumes, tags, profile; a reboot in effect. 0 or -1 with the call failed.
 */
int ec2_recover(struct call *c, const char *instance_id);

/* Registers the AWS/EC2 metric provider and the clock event kinds of EC2 (svc_init). */
void ec2_init(void);

/* EC2's tables (schema.c). */
extern const struct store_schema ec2_schema;

/* The resource functions of EC2's ops.def rows (resources.c): the ARN an action is checked
 * on, an arena string, "*" when the input names none. */
const char *ec2_res_instance(struct call *c, const json_t *in); /* InstanceId(s)[0] */
const char *ec2_res_volume(struct call *c, const json_t *in);   /* VolumeId */
const char *ec2_res_security_group(struct call *c, const json_t *in); /* GroupId */

/* EC2's CloudFormation resource providers (cfn_ec2.c): Instance, Volume, VolumeAttachment;
 * NULL-terminated. */
struct cfn_provider;
extern const struct cfn_provider *const ec2_cfn_providers[];

#endif
