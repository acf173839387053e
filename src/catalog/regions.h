/*
 * regions.h — the catalogue of AWS commercial regions and their Availability Zones, as the
 * EC2 API shows them (DescribeRegions, DescribeAvailabilityZones) and as other EC2 code
 * needs them (subnets per AZ, instance placement), and as CloudFormation's Fn::GetAZs reads
 * them (cfnlang). Static data, no store, no calls: src/catalog/ depends on base/ only.
 *
 * Zone ids: the real name -> id mapping of some regions (us-east-1 ...) differs per
 * account; ours is one stable mapping (inferred), e.g. us-east-1a -> use1-az1.
 */
#ifndef RL_CATALOG_REGIONS_H
#define RL_CATALOG_REGIONS_H

#include <stdbool.h>
#include <stddef.h>

struct ec2_region {
    const char *name;         /* "us-east-1" */
    const char *long_name;    /* "US East (N. Virginia)" */
    const char *zone_prefix;  /* zone-id prefix: "use1" */
    const char *zone_letters; /* one letter per AZ: "abcdef" */
    const char *zone_numbers; /* zone-id number per letter: "123456" */
    bool opt_in;              /* region launched as opt-in (AWS: after 2019-03-20) */
};

struct ec2_zone {
    const struct ec2_region *region;
    char name[32]; /* "us-east-1a" */
    char id[24];   /* "use1-az1" */
};

/* Number of regions in the catalogue, and the i-th one (sorted by name). */
size_t ec2_region_count(void);
const struct ec2_region *ec2_region_at(size_t i);
/* The region called name, or NULL. */
const struct ec2_region *ec2_region_find(const char *name);
/*
 * Opt-in status as DescribeRegions reports it: "opt-in-not-required", or "not-opted-in"
 * for opt-in regions (the lab treats the account as opted in to none, inferred).
 */
const char *ec2_region_opt_in_status(const struct ec2_region *r);
/* True when DescribeRegions without AllRegions lists the region (enabled for the account). */
bool ec2_region_enabled(const struct ec2_region *r);

/* Number of Availability Zones of r, and the i-th one filled into *z. */
size_t ec2_zone_count(const struct ec2_region *r);
void ec2_zone_at(const struct ec2_region *r, size_t i, struct ec2_zone *z);
/* Looks a zone up by name ("us-east-1a") or by id ("use1-az1") in any region.
 * 0 and *z filled when found, -1 otherwise. */
int ec2_zone_find(const char *name, struct ec2_zone *z);
int ec2_zone_find_id(const char *id, struct ec2_zone *z);

#endif
