/* ec2_regions_test.c — the region/AZ catalogue, DescribeRegions, DescribeAvailabilityZones. */
#include <string.h>

#include "catalog/regions.h"
#include "harness.h"
#include "svc_fixture.h"

static int count_sub(const char *hay, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);
    for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + l, needle))
        n++;
    return n;
}

static int regions_call(struct fx *f, const char *in)
{
    return fx_call(f, "ec2", "DescribeRegions", ec2_describe_regions, in);
}

static int zones_call(struct fx *f, const char *in)
{
    return fx_call(f, "ec2", "DescribeAvailabilityZones", ec2_describe_availability_zones, in);
}

TEST(ec2_region_catalogue)
{
    CHECK_EQ_INT(ec2_region_count(), 34);
    for (size_t i = 1; i < ec2_region_count(); i++) /* sorted, as ec2_region_find assumes */
        CHECK(strcmp(ec2_region_at(i - 1)->name, ec2_region_at(i)->name) < 0);
    const struct ec2_region *r = ec2_region_find("us-east-1");
    CHECK(r != NULL);
    CHECK_EQ_STR(r->long_name, "US East (N. Virginia)");
    CHECK_EQ_STR(ec2_region_opt_in_status(r), "opt-in-not-required");
    CHECK_EQ_INT(ec2_zone_count(r), 6);
    CHECK(ec2_region_find("xx-fake-1") == NULL);
    CHECK(ec2_region_find(NULL) == NULL);
    CHECK_EQ_STR(ec2_region_opt_in_status(ec2_region_find("af-south-1")), "not-opted-in");
    CHECK(!ec2_region_enabled(ec2_region_find("me-south-1")));
    CHECK(ec2_region_enabled(ec2_region_find("eu-north-1")));

    struct ec2_zone z;
    CHECK_EQ_INT(ec2_zone_find("us-west-1b", &z), 0);
    CHECK_EQ_STR(z.id, "usw1-az1");
    CHECK_EQ_STR(z.region->name, "us-west-1");
    CHECK_EQ_INT(ec2_zone_find("us-west-1a", &z), -1); /* new accounts have b and c */
    CHECK_EQ_INT(ec2_zone_find("us-east-1", &z), -1);
    CHECK_EQ_INT(ec2_zone_find("", &z), -1);
    CHECK_EQ_INT(ec2_zone_find_id("apne1-az4", &z), 0);
    CHECK_EQ_STR(z.name, "ap-northeast-1a");
    CHECK_EQ_INT(ec2_zone_find_id("cac1-az4", &z), 0);
    CHECK_EQ_STR(z.name, "ca-central-1d");
    CHECK_EQ_INT(ec2_zone_find_id("use1-az7", &z), -1);
    CHECK_EQ_INT(ec2_zone_find_id("use1-az", &z), -1);
    ec2_zone_at(ec2_region_find("eu-west-1"), 2, &z);
    CHECK_EQ_STR(z.name, "eu-west-1c");
    CHECK_EQ_STR(z.id, "euw1-az3");
}

TEST(ec2_describe_regions_default_lists_enabled)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(regions_call(&f, "{}"), 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_INT(count_sub(f.body, "<regionName>"), 17);
    CHECK_CONTAINS(f.body, "<item><regionName>us-east-1</regionName>"
                           "<regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint>"
                           "<optInStatus>opt-in-not-required</optInStatus></item>");
    CHECK(strstr(f.body, "af-south-1") == NULL);
    CHECK_EQ_INT(count_sub(f.body, "not-opted-in"), 0);
    fx_close(&f);
}

TEST(ec2_describe_regions_all_and_names)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(regions_call(&f, "{\"AllRegions\":true}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<regionName>"), 34);
    CHECK_EQ_INT(count_sub(f.body, "<optInStatus>not-opted-in</optInStatus>"), 17);
    CHECK_CONTAINS(f.body, "<regionName>af-south-1</regionName>"
                           "<regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint>"
                           "<optInStatus>not-opted-in</optInStatus>");

    /* RegionNames lists exactly those, opt-in or not */
    CHECK_EQ_INT(regions_call(&f, "{\"RegionNames\":[\"eu-west-1\",\"af-south-1\"]}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<regionName>"), 2);
    CHECK_CONTAINS(f.body, "<regionName>eu-west-1</regionName>");
    CHECK_CONTAINS(f.body, "<regionName>af-south-1</regionName>");

    CHECK_EQ_INT(regions_call(&f, "{\"RegionNames\":[\"eu-west-1\",\"us--east-1\",\"zz\"]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_STR(fx_err_message(&f), "Invalid region: [us--east-1]");
    CHECK_EQ_INT(f.resp.status, 400);
    CHECK_CONTAINS(f.body, "<Code>InvalidParameterValue</Code>");
    fx_close(&f);
}

TEST(ec2_describe_regions_filters)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(
        regions_call(&f, "{\"Filters\":[{\"Name\":\"region-name\",\"Values\":[\"us-*\"]}]}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<regionName>"), 4);
    CHECK_EQ_INT(regions_call(&f, "{\"AllRegions\":true,\"Filters\":[{\"Name\":\"opt-in-status\","
                                  "\"Values\":[\"not-opted-in\"]},{\"Name\":\"region-name\","
                                  "\"Values\":[\"ap-*\",\"eu-south-?\"]}]}"),
                 0);
    /* ap-east-1/2, ap-south-2, ap-southeast-3..7, eu-south-1/2 */
    CHECK_EQ_INT(count_sub(f.body, "<regionName>"), 10);
    CHECK_EQ_INT(regions_call(&f, "{\"Filters\":[{\"Name\":\"endpoint\","
                                  "\"Values\":[\"ec2.eu-west-?.amazonaws.com\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<regionName>"), 3);
    /* brackets are literal in EC2 filters */
    CHECK_EQ_INT(regions_call(&f, "{\"Filters\":[{\"Name\":\"region-name\","
                                  "\"Values\":[\"us-east-[12]\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<regionName>"), 0);
    CHECK_EQ_INT(regions_call(&f, "{\"Filters\":[{\"Name\":\"region\",\"Values\":[\"x\"]}]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_STR(fx_err_message(&f), "The filter 'region' is invalid");
    fx_close(&f);
}

TEST(ec2_describe_regions_dry_run_and_unknown_call_region)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(regions_call(&f, "{\"DryRun\":true}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "DryRunOperation");
    CHECK_EQ_INT(f.resp.status, 412);
    f.region = "xx-fake-1";
    CHECK_EQ_INT(regions_call(&f, "{}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "AuthFailure");
    CHECK_EQ_INT(f.resp.status, 401);
    CHECK_EQ_INT(zones_call(&f, "{}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "AuthFailure");
    fx_close(&f);
}

TEST(ec2_describe_availability_zones_region)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(zones_call(&f, "{}"), 0);
    CHECK(f.out_error == NULL);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 6);
    CHECK_CONTAINS(f.body, "<item><optInStatus>opt-in-not-required</optInStatus>"
                           "<messageSet></messageSet><regionName>us-east-1</regionName>"
                           "<zoneName>us-east-1a</zoneName><zoneId>use1-az1</zoneId>"
                           "<groupName>us-east-1</groupName>"
                           "<networkBorderGroup>us-east-1</networkBorderGroup>"
                           "<zoneType>availability-zone</zoneType>"
                           "<zoneState>available</zoneState></item>");
    f.region = "us-west-1";
    CHECK_EQ_INT(zones_call(&f, "{\"AllAvailabilityZones\":true}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 2);
    CHECK_CONTAINS(f.body, "<zoneName>us-west-1c</zoneName><zoneId>usw1-az3</zoneId>");
    fx_close(&f);
}

TEST(ec2_describe_availability_zones_select_and_filter)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(zones_call(&f, "{\"ZoneNames\":[\"us-east-1b\"],\"ZoneIds\":[\"use1-az4\"]}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 2);
    CHECK_CONTAINS(f.body, "<zoneName>us-east-1b</zoneName>");
    CHECK_CONTAINS(f.body, "<zoneName>us-east-1d</zoneName>");

    CHECK_EQ_INT(zones_call(&f, "{\"Filters\":[{\"Name\":\"zone-name\",\"Values\":[\"*a\",\"*f\"]},"
                                "{\"Name\":\"state\",\"Values\":[\"available\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 2);
    CHECK_EQ_INT(zones_call(&f, "{\"Filters\":[{\"Name\":\"zone-id\",\"Values\":[\"use1-az3\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 1);
    CHECK_CONTAINS(f.body, "<zoneName>us-east-1c</zoneName>");
    CHECK_EQ_INT(
        zones_call(&f, "{\"Filters\":[{\"Name\":\"region-name\",\"Values\":[\"eu-west-1\"]}]}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 0);
    CHECK_EQ_INT(zones_call(&f, "{\"Filters\":[{\"Name\":\"state\",\"Values\":[\"impaired\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 0);
    CHECK_EQ_INT(zones_call(&f, "{\"Filters\":[{\"Name\":\"zone-type\","
                                "\"Values\":[\"availability-zone\"]}]}"),
                 0);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 6);
    CHECK_EQ_INT(
        zones_call(&f, "{\"Filters\":[{\"Name\":\"parent-zone-name\",\"Values\":[\"*\"]}]}"), 0);
    CHECK_EQ_INT(count_sub(f.body, "<zoneName>"), 0);
    fx_close(&f);
}

TEST(ec2_describe_availability_zones_errors)
{
    struct fx f;
    fx_open(&f, FX_T0);
    CHECK_EQ_INT(zones_call(&f, "{\"ZoneNames\":[\"us-east-1a\",\"us-east-1z\"]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_STR(fx_err_message(&f), "Invalid availability zone: [us-east-1z]");
    CHECK_EQ_INT(zones_call(&f, "{\"ZoneNames\":[\"us-west-2a\"]}"), -1); /* another region */
    CHECK_EQ_STR(fx_err_message(&f), "Invalid availability zone: [us-west-2a]");
    CHECK_EQ_INT(zones_call(&f, "{\"ZoneIds\":[\"use1-az9\"]}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "InvalidParameterValue");
    CHECK_EQ_STR(fx_err_message(&f), "Invalid availability zone-id: [use1-az9]");
    CHECK_EQ_INT(zones_call(&f, "{\"Filters\":[{\"Name\":\"zone\",\"Values\":[\"a\"]}]}"), -1);
    CHECK_EQ_STR(fx_err_message(&f), "The filter 'zone' is invalid");
    CHECK_EQ_INT(zones_call(&f, "{\"DryRun\":true}"), -1);
    CHECK_EQ_STR(fx_err_code(&f), "DryRunOperation");
    fx_close(&f);
}
