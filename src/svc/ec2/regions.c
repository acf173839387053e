/*
 * regions.c — the EC2 operations that show the region / Availability Zone catalogue
 * (src/catalog/regions.h): DescribeRegions and DescribeAvailabilityZones, and the call's
 * region (ec2_call_region) every EC2 handler starts from.
 */
#include <stdio.h>
#include <string.h>

#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

const struct ec2_region *ec2_call_region(struct call *c)
{
    const struct ec2_region *r = ec2_region_find(c->region);
    if (!r) /* inferred: AWS refuses a credential scoped to a region that does not exist; EC2
             * reports signature problems as AuthFailure (see dispatch.c) */
        call_fail(c, 401, "AuthFailure",
                  "AWS was not able to validate the provided access credentials");
    return r;
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
    if (!ec2_call_region(c) || ec2_check_filters(c, in, region_filters))
        return -1;
    const json_t *names = json_object_get(in, EC2_M_DescribeRegionsRequest_RegionNames);
    bool all = json_is_true(json_object_get(in, EC2_M_DescribeRegionsRequest_AllRegions));
    size_t i;
    const json_t *e;
    for (i = 0; (e = json_array_get(names, i)) != NULL; i++) {
        const char *n = json_string_value(e);
        if (!ec2_region_find(n))
            return call_fail(c, 400, "InvalidParameterValue", "Invalid region: [%s]", n ? n : "");
    }
    if (ec2_dry_run(c, in))
        return -1;
    bool by_name = json_array_size(names) > 0;

    out_begin(o, "Regions");
    for (i = 0; i < ec2_region_count(); i++) {
        const struct ec2_region *r = ec2_region_at(i);
        if (by_name ? !wire_list_has(names, r->name) : !(all || ec2_region_enabled(r)))
            continue;
        char endpoint[64];
        snprintf(endpoint, sizeof(endpoint), "ec2.%s.amazonaws.com", r->name);
        const char *opt = ec2_region_opt_in_status(r);
        json_t *facets = json_pack("{s:s, s:s, s:s}", "region-name", r->name, "endpoint", endpoint,
                                   "opt-in-status", opt);
        bool ok = ec2_filters_match(in, facets, NULL);
        json_decref(facets);
        if (!ok)
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
    if (!r || ec2_check_filters(c, in, zone_filters))
        return -1;
    const json_t *names = json_object_get(in, EC2_M_DescribeAvailabilityZonesRequest_ZoneNames);
    const json_t *ids = json_object_get(in, EC2_M_DescribeAvailabilityZonesRequest_ZoneIds);
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
    if (ec2_dry_run(c, in))
        return -1;
    bool selected = json_array_size(names) > 0 || json_array_size(ids) > 0;

    out_begin(o, "AvailabilityZones");
    for (i = 0; i < ec2_zone_count(r); i++) {
        ec2_zone_at(r, i, &z);
        if (selected && !wire_list_has(names, z.name) && !wire_list_has(ids, z.id))
            continue;
        /* no facet for message, group-long-name, parent-zone-*: an AZ here has none, so
         * those filters match nothing */
        json_t *facets =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "zone-name", z.name, "zone-id",
                      z.id, "state", "available", "region-name", r->name, "group-name", r->name,
                      "network-border-group", r->name, "opt-in-status", "opt-in-not-required",
                      "zone-type", "availability-zone");
        bool ok = ec2_filters_match(in, facets, NULL);
        json_decref(facets);
        if (!ok)
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
