/*
 * instance_types.h — the built-in catalogue of EC2 instance types: static data and lookups,
 * no store, no calls (src/catalog/ depends on base/ only). The EC2 service shows it through
 * DescribeInstanceTypes (svc/ec2/types.c) and uses it to launch, recover and describe
 * instances; `recoverlab lint` reads AutoRecoverySupported offline.
 *
 * Catalogue names keep the AWS data's own prefix (ec2_type_*, ec2_region_*, ec2_zone_*) and
 * live only in the headers of src/catalog/.
 */
#ifndef RL_CATALOG_INSTANCE_TYPES_H
#define RL_CATALOG_INSTANCE_TYPES_H

#include <stdbool.h>
#include <stddef.h>

/* One instance type as AWS publishes it [doc]. */
struct ec2_type_info {
    const char *name; /* "t2.micro" */
    int vcpus;
    int memory_mib;
    bool ebs_only;                /* no instance store volumes */
    bool auto_recovery_supported; /* DescribeInstanceTypes AutoRecoverySupported */
    const char *hypervisor;       /* "xen" | "nitro" */
    bool current_generation;
    const char *arch;          /* x86_64 | arm64 | x86_64_mac | arm64_mac */
    int store_count, store_gb; /* instance store disks (0: EBS only) */
    bool burstable, free_tier, bare_metal;
    const char *network; /* NetworkPerformance */
    int max_enis, ipv4_per_eni;
    double ghz; /* sustained clock speed */
    const char *manufacturer;
    bool dedicated_hosts, hibernation;
};

/* The type called name, or NULL (NULL name included). */
const struct ec2_type_info *ec2_type_find(const char *name);
/* Number of types, and the i-th one (sorted by name), NULL past the end. */
size_t ec2_type_count(void);
const struct ec2_type_info *ec2_type_at(size_t i);
/* Architecture of a type: "x86_64", "arm64", "x86_64_mac" or "arm64_mac" (t->arch). */
const char *ec2_type_arch(const struct ec2_type_info *t);
/* Cores and threads per core of the default CPU options. */
void ec2_type_cpu(const struct ec2_type_info *t, int *cores, int *threads);

#endif
