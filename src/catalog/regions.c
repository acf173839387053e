/*
 * regions.c — the region / Availability Zone catalogue (regions.h). The EC2 operations
 * that show it, DescribeRegions and DescribeAvailabilityZones, are in svc/ec2/regions.c.
 *
 * Regions: the commercial partition of botocore's endpoints.json. Opt-in regions are the
 * ones AWS launched disabled by default (after 2019-03-20) [doc]. Zone letters follow what
 * new accounts see (us-west-1 has b and c, ap-northeast-1 a/c/d, ca-central-1 a/b/d) [obs];
 * zone ids are one stable mapping [inferred].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "catalog/regions.h"

#define R(name, long_name, prefix, letters, numbers, opt_in)                                       \
    {                                                                                              \
        name, long_name, prefix, letters, numbers, opt_in                                          \
    }

/* Sorted by name (ec2_region_find bisects). */
static const struct ec2_region regions[] = {
    R("af-south-1", "Africa (Cape Town)", "afs1", "abc", "123", true),
    R("ap-east-1", "Asia Pacific (Hong Kong)", "ape1", "abc", "123", true),
    R("ap-east-2", "Asia Pacific (Taipei)", "ape2", "abc", "123", true),
    R("ap-northeast-1", "Asia Pacific (Tokyo)", "apne1", "acd", "412", false),
    R("ap-northeast-2", "Asia Pacific (Seoul)", "apne2", "abcd", "1234", false),
    R("ap-northeast-3", "Asia Pacific (Osaka)", "apne3", "abc", "123", false),
    R("ap-south-1", "Asia Pacific (Mumbai)", "aps1", "abc", "123", false),
    R("ap-south-2", "Asia Pacific (Hyderabad)", "aps2", "abc", "123", true),
    R("ap-southeast-1", "Asia Pacific (Singapore)", "apse1", "abc", "123", false),
    R("ap-southeast-2", "Asia Pacific (Sydney)", "apse2", "abc", "123", false),
    R("ap-southeast-3", "Asia Pacific (Jakarta)", "apse3", "abc", "123", true),
    R("ap-southeast-4", "Asia Pacific (Melbourne)", "apse4", "abc", "123", true),
    R("ap-southeast-5", "Asia Pacific (Malaysia)", "apse5", "abc", "123", true),
    R("ap-southeast-6", "Asia Pacific (New Zealand)", "apse6", "abc", "123", true),
    R("ap-southeast-7", "Asia Pacific (Thailand)", "apse7", "abc", "123", true),
    R("ca-central-1", "Canada (Central)", "cac1", "abd", "124", false),
    R("ca-west-1", "Canada West (Calgary)", "caw1", "abc", "123", true),
    R("eu-central-1", "Europe (Frankfurt)", "euc1", "abc", "123", false),
    R("eu-central-2", "Europe (Zurich)", "euc2", "abc", "123", true),
    R("eu-north-1", "Europe (Stockholm)", "eun1", "abc", "123", false),
    R("eu-south-1", "Europe (Milan)", "eus1", "abc", "123", true),
    R("eu-south-2", "Europe (Spain)", "eus2", "abc", "123", true),
    R("eu-west-1", "Europe (Ireland)", "euw1", "abc", "123", false),
    R("eu-west-2", "Europe (London)", "euw2", "abc", "123", false),
    R("eu-west-3", "Europe (Paris)", "euw3", "abc", "123", false),
    R("il-central-1", "Israel (Tel Aviv)", "ilc1", "abc", "123", true),
    R("me-central-1", "Middle East (UAE)", "mec1", "abc", "123", true),
    R("me-south-1", "Middle East (Bahrain)", "mes1", "abc", "123", true),
    R("mx-central-1", "Mexico (Central)", "mxc1", "abc", "123", true),
    R("sa-east-1", "South America (Sao Paulo)", "sae1", "abc", "123", false),
    R("us-east-1", "US East (N. Virginia)", "use1", "abcdef", "123456", false),
    R("us-east-2", "US East (Ohio)", "use2", "abc", "123", false),
    R("us-west-1", "US West (N. California)", "usw1", "bc", "13", false),
    R("us-west-2", "US West (Oregon)", "usw2", "abcd", "1234", false),
};
#undef R

size_t ec2_region_count(void)
{
    return ARRAY_LEN(regions);
}

const struct ec2_region *ec2_region_at(size_t i)
{
    return i < ARRAY_LEN(regions) ? &regions[i] : NULL;
}

static int by_name(const void *name, const void *row)
{
    return strcmp(name, ((const struct ec2_region *)row)->name);
}

const struct ec2_region *ec2_region_find(const char *name)
{
    return name ? bsearch(name, regions, ARRAY_LEN(regions), sizeof(regions[0]), by_name) : NULL;
}

const char *ec2_region_opt_in_status(const struct ec2_region *r)
{
    return r->opt_in ? "not-opted-in" : "opt-in-not-required";
}

bool ec2_region_enabled(const struct ec2_region *r)
{
    return !r->opt_in;
}

size_t ec2_zone_count(const struct ec2_region *r)
{
    return strlen(r->zone_letters);
}

void ec2_zone_at(const struct ec2_region *r, size_t i, struct ec2_zone *z)
{
    z->region = r;
    snprintf(z->name, sizeof(z->name), "%s%c", r->name, r->zone_letters[i]);
    snprintf(z->id, sizeof(z->id), "%s-az%c", r->zone_prefix, r->zone_numbers[i]);
}

int ec2_zone_find(const char *name, struct ec2_zone *z)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 2)
        return -1;
    char region[32];
    if (n - 1 >= sizeof(region))
        return -1;
    memcpy(region, name, n - 1);
    region[n - 1] = '\0';
    const struct ec2_region *r = ec2_region_find(region);
    if (!r)
        return -1;
    const char *p = strchr(r->zone_letters, name[n - 1]);
    if (!p || !*p)
        return -1;
    ec2_zone_at(r, (size_t)(p - r->zone_letters), z);
    return 0;
}

int ec2_zone_find_id(const char *id, struct ec2_zone *z)
{
    if (!id)
        return -1;
    for (size_t i = 0; i < ARRAY_LEN(regions); i++) {
        size_t pl = strlen(regions[i].zone_prefix);
        if (strncmp(id, regions[i].zone_prefix, pl) != 0 || strncmp(id + pl, "-az", 3) != 0)
            continue;
        const char *num = id + pl + 3;
        if (num[0] == '\0' || num[1] != '\0')
            continue;
        const char *p = strchr(regions[i].zone_numbers, num[0]);
        if (!p)
            continue;
        ec2_zone_at(&regions[i], (size_t)(p - regions[i].zone_numbers), z);
        return 0;
    }
    return -1;
}
