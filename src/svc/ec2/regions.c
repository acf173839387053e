/*
 * regions.c — the region / Availability Zone catalogue and the two EC2 operations that
 * show it: DescribeRegions and DescribeAvailabilityZones.
 *
 * Regions: the commercial partition of botocore's endpoints.json. Opt-in regions are the
 * ones AWS launched disabled by default (after 2019-03-20) [doc]. Zone letters follow what
 * new accounts see (us-west-1 has b and c, ap-northeast-1 a/c/d, ca-central-1 a/b/d) [obs];
 * zone ids are one stable mapping [inferred].
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "svc/ec2/regions.h"
#include "svc/svc.h"
#include "svc/ec2/ops.h"

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

const struct ec2_region *ec2_region_find(const char *name)
{
    if (!name)
        return NULL;
    size_t lo = 0, hi = ARRAY_LEN(regions);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(name, regions[mid].name);
        if (r == 0)
            return &regions[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
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

const struct ec2_region *ec2_call_region(struct call *c)
{
    const struct ec2_region *r = ec2_region_find(c->region);
    if (!r) /* inferred: AWS refuses a credential scoped to a region that does not exist; EC2
             * reports signature problems as AuthFailure (see dispatch.c) */
        call_fail(c, 401, "AuthFailure",
                  "AWS was not able to validate the provided access credentials");
    return r;
}

/* ---------------- shared EC2 request helpers ---------------- */

/* DryRun=true on a valid request: EC2 answers DryRunOperation (412) [inf, well known]. */
static int dry_run(struct call *c, const json_t *in)
{
    if (json_is_true(json_object_get(in, "DryRun")))
        return call_fail(c, 412, "DryRunOperation",
                         "Request would have succeeded, but DryRun flag is set.");
    return 0;
}

/*
 * Checks every filter name of in.Filters against the allowed names (NULL-terminated).
 * Unknown -> InvalidParameterValue "The filter 'NAME' is invalid" (inferred, the form EC2
 * uses for other Describe calls).
 */
static int check_filters(struct call *c, const json_t *in, const char *const *allowed)
{
    const json_t *filters = json_object_get(in, "Filters");
    size_t i;
    const json_t *f;
    for (i = 0; (f = json_array_get(filters, i)) != NULL; i++) {
        const char *name = json_string_value(json_object_get(f, "Name"));
        bool ok = false;
        for (const char *const *a = allowed; name && *a; a++)
            ok = ok || str_eq(name, *a);
        if (!ok)
            return call_fail(c, 400, "InvalidParameterValue", "The filter '%s' is invalid",
                             name ? name : "");
    }
    return 0;
}

/*
 * EC2 filter wildcards: * any run, ? one character, backslash escapes [doc]. Brackets are
 * literal, so they are escaped before fnmatch sees the pattern.
 */
static bool wildcard_match(const char *pat, const char *v)
{
    if (!pat)
        return false;
    struct buf b = BUF_INIT;
    for (const char *p = pat; *p; p++) {
        if (*p == '[' || *p == ']')
            buf_putc(&b, '\\');
        buf_putc(&b, *p);
    }
    bool ok = fnmatch(b.p ? b.p : "", v, 0) == 0;
    buf_free(&b);
    return ok;
}

/*
 * True when the attribute value `v` of filter `name` satisfies every filter in in.Filters
 * that has that name: values of one filter are OR-ed, EC2 wildcards * and ? apply [doc].
 * A filter of another name is ignored here (the caller checks each attribute).
 */
static bool filter_ok(const json_t *in, const char *name, const char *v)
{
    const json_t *filters = json_object_get(in, "Filters");
    size_t i, j;
    const json_t *f, *val;
    for (i = 0; (f = json_array_get(filters, i)) != NULL; i++) {
        if (!str_eq(json_string_value(json_object_get(f, "Name")), name))
            continue;
        bool any = false;
        for (j = 0; (val = json_array_get(json_object_get(f, "Values"), j)) != NULL; j++) {
            if (wildcard_match(json_string_value(val), v)) {
                any = true;
                break;
            }
        }
        if (!any)
            return false;
    }
    return true;
}

/* True when in.Filters has a filter called name (for attributes an AZ never has here). */
static bool has_filter(const json_t *in, const char *name)
{
    size_t i;
    const json_t *f;
    for (i = 0; (f = json_array_get(json_object_get(in, "Filters"), i)) != NULL; i++) {
        if (str_eq(json_string_value(json_object_get(f, "Name")), name))
            return true;
    }
    return false;
}

static bool list_has(const json_t *list, const char *v)
{
    size_t i;
    const json_t *e;
    for (i = 0; (e = json_array_get(list, i)) != NULL; i++) {
        if (str_eq(json_string_value(e), v))
            return true;
    }
    return false;
}

/* ---------------- DescribeRegions ---------------- */

static const char *const region_filters[] = {"endpoint", "opt-in-status", "region-name", NULL};

/*
 * DescribeRegions: RegionNames, AllRegions, Filters (endpoint, opt-in-status, region-name).
 * Without RegionNames and AllRegions only enabled regions are listed. An unknown name in
 * RegionNames fails with InvalidParameterValue "Invalid region: [NAME]" [obs]; the first
 * unknown name in request order is the one reported [inferred]. Listed by name [inferred].
 */
int ec2_describe_regions(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c) || check_filters(c, in, region_filters))
        return -1;
    const json_t *names = json_object_get(in, "RegionNames");
    bool all = json_is_true(json_object_get(in, "AllRegions"));
    size_t i;
    const json_t *e;
    for (i = 0; (e = json_array_get(names, i)) != NULL; i++) {
        const char *n = json_string_value(e);
        if (!ec2_region_find(n))
            return call_fail(c, 400, "InvalidParameterValue", "Invalid region: [%s]", n ? n : "");
    }
    if (dry_run(c, in))
        return -1;
    bool by_name = json_array_size(names) > 0;

    out_begin(o, "Regions");
    for (i = 0; i < ARRAY_LEN(regions); i++) {
        const struct ec2_region *r = &regions[i];
        if (by_name ? !list_has(names, r->name) : !(all || ec2_region_enabled(r)))
            continue;
        char endpoint[64];
        snprintf(endpoint, sizeof(endpoint), "ec2.%s.amazonaws.com", r->name);
        const char *opt = ec2_region_opt_in_status(r);
        if (!filter_ok(in, "region-name", r->name) || !filter_ok(in, "endpoint", endpoint) ||
            !filter_ok(in, "opt-in-status", opt))
            continue;
        out_begin(o, NULL);
        out_str(o, "RegionName", r->name);
        out_str(o, "Endpoint", endpoint);
        out_str(o, "OptInStatus", opt);
        out_end(o);
    }
    out_end(o);
    return 0;
}

/* ---------------- DescribeAvailabilityZones ---------------- */

static const char *const zone_filters[] = {
    "group-name",     "group-long-name",  "message",   "opt-in-status", "region-name",
    "state",          "zone-id",          "zone-name", "zone-type",     "network-border-group",
    "parent-zone-id", "parent-zone-name", NULL};

/*
 * DescribeAvailabilityZones for the call's region: ZoneNames / ZoneIds (a zone is listed
 * when either names it), AllAvailabilityZones (no Local/Wavelength Zones exist here, so
 * it changes nothing), Filters. Unknown or other-region zones fail with
 * InvalidParameterValue "Invalid availability zone: [NAME]" [obs]; unknown ids with
 * "Invalid availability zone-id: [ID]" [inferred]. GroupName and NetworkBorderGroup are
 * the region name, OptInStatus is always opt-in-not-required for AZs [obs/doc].
 */
int ec2_describe_availability_zones(struct call *c, const json_t *in, struct out *o)
{
    const struct ec2_region *r = ec2_call_region(c);
    if (!r || check_filters(c, in, zone_filters))
        return -1;
    const json_t *names = json_object_get(in, "ZoneNames");
    const json_t *ids = json_object_get(in, "ZoneIds");
    struct ec2_zone z;
    size_t i;
    const json_t *e;
    for (i = 0; (e = json_array_get(names, i)) != NULL; i++) {
        const char *n = json_string_value(e);
        if (ec2_zone_find(n, &z) || z.region != r)
            return call_fail(c, 400, "InvalidParameterValue", "Invalid availability zone: [%s]",
                             n ? n : "");
    }
    for (i = 0; (e = json_array_get(ids, i)) != NULL; i++) {
        const char *n = json_string_value(e);
        if (ec2_zone_find_id(n, &z) || z.region != r)
            return call_fail(c, 400, "InvalidParameterValue", "Invalid availability zone-id: [%s]",
                             n ? n : "");
    }
    if (dry_run(c, in))
        return -1;
    bool selected = json_array_size(names) > 0 || json_array_size(ids) > 0;

    out_begin(o, "AvailabilityZones");
    for (i = 0; i < ec2_zone_count(r); i++) {
        ec2_zone_at(r, i, &z);
        if (selected && !list_has(names, z.name) && !list_has(ids, z.id))
            continue;
        if (!filter_ok(in, "zone-name", z.name) || !filter_ok(in, "zone-id", z.id) ||
            !filter_ok(in, "state", "available") || !filter_ok(in, "region-name", r->name) ||
            !filter_ok(in, "group-name", r->name) ||
            !filter_ok(in, "network-border-group", r->name) ||
            !filter_ok(in, "opt-in-status", "opt-in-not-required") ||
            !filter_ok(in, "zone-type", "availability-zone") || has_filter(in, "message") ||
            has_filter(in, "group-long-name") || has_filter(in, "parent-zone-id") ||
            has_filter(in, "parent-zone-name"))
            continue;
        out_begin(o, NULL);
        out_str(o, "OptInStatus", "opt-in-not-required");
        out_begin(o, "Messages");
        out_end(o);
        out_str(o, "RegionName", r->name);
        out_str(o, "ZoneName", z.name);
        out_str(o, "ZoneId", z.id);
        out_str(o, "GroupName", r->name);
        out_str(o, "NetworkBorderGroup", r->name);
        out_str(o, "ZoneType", "availability-zone");
        out_str(o, "State", "available");
        out_end(o);
    }
    out_end(o);
    return 0;
}
