/*
 * types.c — DescribeInstanceTypes over the instance-type catalogue
 * (src/catalog/instance_types.h): the facts AWS derives from a type's family and
 * hypervisor (EBS/ENA/NVMe support, boot modes, CPU options), filters and paging.
 */
#include <stdio.h>
#include <string.h>

#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

/* ---------------- DescribeInstanceTypes ---------------- */

static const char *const type_filters[] = {"auto-recovery-supported",
                                           "bare-metal",
                                           "burstable-performance-supported",
                                           "current-generation",
                                           "dedicated-hosts-supported",
                                           "ebs-info.ebs-optimized-support",
                                           "ebs-info.encryption-support",
                                           "ebs-info.nvme-support",
                                           "free-tier-eligible",
                                           "hibernation-supported",
                                           "hypervisor",
                                           "instance-storage-info.disk.count",
                                           "instance-storage-info.disk.size-in-gb",
                                           "instance-storage-info.disk.type",
                                           "instance-storage-info.encryption-support",
                                           "instance-storage-info.nvme-support",
                                           "instance-storage-info.total-size-in-gb",
                                           "instance-storage-supported",
                                           "instance-type",
                                           "memory-info.size-in-mib",
                                           "network-info.efa-supported",
                                           "network-info.ena-support",
                                           "network-info.encryption-in-transit-supported",
                                           "network-info.ipv4-addresses-per-interface",
                                           "network-info.ipv6-addresses-per-interface",
                                           "network-info.ipv6-supported",
                                           "network-info.maximum-network-cards",
                                           "network-info.maximum-network-interfaces",
                                           "network-info.network-performance",
                                           "nitro-enclaves-support",
                                           "nitro-tpm-support",
                                           "nitro-tpm-info.supported-versions",
                                           "processor-info.supported-architecture",
                                           "processor-info.sustained-clock-speed-in-ghz",
                                           "processor-info.supported-features",
                                           "supported-boot-mode",
                                           "supported-root-device-type",
                                           "supported-usage-class",
                                           "supported-virtualization-type",
                                           "vcpu-info.default-cores",
                                           "vcpu-info.default-threads-per-core",
                                           "vcpu-info.default-vcpus",
                                           "vcpu-info.valid-cores",
                                           "vcpu-info.valid-threads-per-core",
                                           NULL};

/* Everything DescribeInstanceTypes shows of one type, keyed by model member names. */
struct type_view {
    const char *ebs_opt, *ebs_nvme, *ena, *store_nvme;
    bool nitro, in_transit;
    int cores, threads;
    const char *archs[2];
    size_t narchs;
    const char *boot[2];
    size_t nboot;
};

static void view_of(const struct ec2_type_info *t, struct type_view *v)
{
    memset(v, 0, sizeof(*v));
    v->nitro = str_eq(t->hypervisor, "nitro");
    bool t2 = str_startswith(t->name, "t2.");
    v->ebs_opt = t2 ? "unsupported" : "default";
    v->ebs_nvme = v->nitro ? "required" : "unsupported";
    v->ena = v->nitro ? "required" : t2 ? "unsupported" : "supported";
    v->store_nvme = (v->nitro || str_startswith(t->name, "i3.")) ? "required" : "unsupported";
    v->in_transit = str_startswith(t->name, "m6i.") || str_startswith(t->name, "c6i.") ||
                    str_startswith(t->name, "r6i.");
    ec2_type_cpu(t, &v->cores, &v->threads);
    if (t2)
        v->archs[v->narchs++] = "i386";
    v->archs[v->narchs++] = t->arch;
    if (str_startswith(t->arch, "arm64")) {
        v->boot[v->nboot++] = "uefi";
    } else {
        v->boot[v->nboot++] = "legacy-bios";
        if (v->nitro)
            v->boot[v->nboot++] = "uefi";
    }
}

static json_t *strs(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The filter facets of a type (see ec2_filters_match). */
static json_t *type_facets(const struct ec2_type_info *t, const struct type_view *v)
{
    char ghz[16];
    snprintf(ghz, sizeof(ghz), "%.1f", t->ghz);
    static const char *const usage[] = {"on-demand", "spot"};
    json_t *f = json_pack(
        "{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o,"
        " s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:s, s:s}",
        "instance-type", t->name, "auto-recovery-supported", t->auto_recovery_supported,
        "bare-metal", t->bare_metal, "burstable-performance-supported", t->burstable,
        "current-generation", t->current_generation, "dedicated-hosts-supported",
        t->dedicated_hosts, "free-tier-eligible", t->free_tier, "hibernation-supported",
        t->hibernation, "instance-storage-supported", t->store_count > 0, "memory-info.size-in-mib",
        (json_int_t)t->memory_mib, "ebs-info.ebs-optimized-support", v->ebs_opt,
        "ebs-info.encryption-support", "supported", "ebs-info.nvme-support", v->ebs_nvme,
        "network-info.ena-support", v->ena, "network-info.network-performance", t->network,
        "processor-info.supported-architecture", strs(v->archs, v->narchs), "supported-boot-mode",
        strs(v->boot, v->nboot), "supported-root-device-type", "ebs",
        "supported-virtualization-type", "hvm", "processor-info.sustained-clock-speed-in-ghz", ghz,
        "vcpu-info.default-vcpus", (json_int_t)t->vcpus, "vcpu-info.default-cores",
        (json_int_t)v->cores, "vcpu-info.default-threads-per-core", (json_int_t)v->threads,
        "network-info.maximum-network-interfaces", (json_int_t)t->max_enis,
        "network-info.ipv4-addresses-per-interface", (json_int_t)t->ipv4_per_eni,
        "network-info.ipv6-supported", true, "network-info.efa-supported", false,
        "network-info.encryption-in-transit-supported", v->in_transit, "nitro-enclaves-support",
        "unsupported", "nitro-tpm-support", v->nitro ? "supported" : "unsupported");
    json_object_set_new(f, "supported-usage-class",
                        strs(usage, str_startswith(t->name, "mac") ? 1 : 2));
    json_object_set_new(f, "network-info.ipv6-addresses-per-interface",
                        json_integer(t->ipv4_per_eni));
    json_object_set_new(f, "network-info.maximum-network-cards", json_integer(1));
    json_object_set_new(f, "vcpu-info.valid-cores", json_integer(v->cores));
    json_object_set_new(f, "vcpu-info.valid-threads-per-core", json_integer(v->threads));
    if (!t->bare_metal)
        json_object_set_new(f, "hypervisor", json_string(t->hypervisor));
    if (t->store_count) {
        json_object_set_new(f, "instance-storage-info.disk.count", json_integer(t->store_count));
        json_object_set_new(f, "instance-storage-info.disk.size-in-gb", json_integer(t->store_gb));
        json_object_set_new(f, "instance-storage-info.disk.type",
                            json_string(str_startswith(t->name, "m1.") ? "hdd" : "ssd"));
        json_object_set_new(f, "instance-storage-info.encryption-support", json_string("required"));
        json_object_set_new(f, "instance-storage-info.nvme-support", json_string(v->store_nvme));
        json_object_set_new(f, "instance-storage-info.total-size-in-gb",
                            json_integer((json_int_t)t->store_count * t->store_gb));
    }
    return f;
}

static void out_strs(struct out *o, const char *member, const char *const *v, size_t n)
{
    out_begin(o, member);
    for (size_t i = 0; i < n; i++)
        out_str(o, NULL, v[i]);
    out_end(o);
}

static void out_type(struct out *o, const struct ec2_type_info *t, const struct type_view *v)
{
    static const char *const usage[] = {"on-demand", "spot"};
    static const char *const ebs[] = {"ebs"};
    static const char *const hvm[] = {"hvm"};
    static const char *const strategies[] = {"cluster", "partition", "spread"};
    out_begin(o, NULL);
    out_str(o, "InstanceType", t->name);
    out_bool(o, "CurrentGeneration", t->current_generation);
    out_bool(o, "FreeTierEligible", t->free_tier);
    out_strs(o, "SupportedUsageClasses", usage, str_startswith(t->name, "mac") ? 1 : 2);
    out_strs(o, "SupportedRootDeviceTypes", ebs, 1);
    out_strs(o, "SupportedVirtualizationTypes", hvm, 1);
    out_bool(o, "BareMetal", t->bare_metal);
    if (!t->bare_metal)
        out_str(o, "Hypervisor", t->hypervisor);
    out_begin(o, "ProcessorInfo");
    out_strs(o, "SupportedArchitectures", v->archs, v->narchs);
    out_double(o, "SustainedClockSpeedInGhz", t->ghz);
    out_str(o, "Manufacturer", t->manufacturer);
    out_end(o);
    out_begin(o, "VCpuInfo");
    out_int(o, "DefaultVCpus", t->vcpus);
    out_int(o, "DefaultCores", v->cores);
    out_int(o, "DefaultThreadsPerCore", v->threads);
    out_end(o);
    out_begin(o, "MemoryInfo");
    out_int(o, "SizeInMiB", t->memory_mib);
    out_end(o);
    out_bool(o, "InstanceStorageSupported", t->store_count > 0);
    if (t->store_count) {
        out_begin(o, "InstanceStorageInfo");
        out_int(o, "TotalSizeInGB", (int64_t)t->store_count * t->store_gb);
        out_begin(o, "Disks");
        out_begin(o, NULL);
        out_int(o, "SizeInGB", t->store_gb);
        out_int(o, "Count", t->store_count);
        out_str(o, "Type", str_startswith(t->name, "m1.") ? "hdd" : "ssd");
        out_end(o);
        out_end(o);
        out_str(o, "NvmeSupport", v->store_nvme);
        out_str(o, "EncryptionSupport", "required");
        out_end(o);
    }
    out_begin(o, "EbsInfo");
    out_str(o, "EbsOptimizedSupport", v->ebs_opt);
    out_str(o, "EncryptionSupport", "supported");
    out_str(o, "NvmeSupport", v->ebs_nvme);
    out_end(o);
    out_begin(o, "NetworkInfo");
    out_str(o, "NetworkPerformance", t->network);
    out_int(o, "MaximumNetworkInterfaces", t->max_enis);
    out_int(o, "MaximumNetworkCards", 1);
    out_int(o, "DefaultNetworkCardIndex", 0);
    out_int(o, "Ipv4AddressesPerInterface", t->ipv4_per_eni);
    out_int(o, "Ipv6AddressesPerInterface", t->ipv4_per_eni);
    out_bool(o, "Ipv6Supported", true);
    out_str(o, "EnaSupport", v->ena);
    out_bool(o, "EfaSupported", false);
    out_bool(o, "EncryptionInTransitSupported", v->in_transit);
    out_end(o);
    out_begin(o, "PlacementGroupInfo");
    out_strs(o, "SupportedStrategies", strategies + (t->burstable ? 1 : 0), t->burstable ? 2 : 3);
    out_end(o);
    out_bool(o, "HibernationSupported", t->hibernation);
    out_bool(o, "BurstablePerformanceSupported", t->burstable);
    out_bool(o, "DedicatedHostsSupported", t->dedicated_hosts);
    out_bool(o, "AutoRecoverySupported", t->auto_recovery_supported);
    out_strs(o, "SupportedBootModes", v->boot, v->nboot);
    out_end(o);
}

/*
 * DescribeInstanceTypes: InstanceTypes (unknown ones fail InvalidInstanceType "The following
 * supplied instance types do not exist: [a, b]" [obs]), Filters (names of AWS's list, values
 * with wildcards), MaxResults 5..100 (default 100, inferred) and NextToken, listed by name.
 */
int ec2_describe_instance_types(struct call *c, const json_t *in, struct out *o)
{
    int max;
    const char *after;
    if (!ec2_call_region(c) || ec2_check_filters(c, in, type_filters) ||
        ec2_max_results(c, in, 5, 100, 100, NULL, NULL, &max) || ec2_token_read(c, in, &after))
        return -1;
    const json_t *names = json_object_get(in, EC2_M_DescribeInstanceTypesRequest_InstanceTypes);
    struct buf missing = BUF_INIT;
    size_t i;
    const json_t *e;
    json_array_foreach(names, i, e)
    {
        if (!ec2_type_find(json_string_value(e)))
            buf_printf(&missing, "%s%s", missing.len ? ", " : "", json_string_value(e));
    }
    if (missing.len) {
        call_fail(c, 400, "InvalidInstanceType",
                  "The following supplied instance types do not exist: [%s]", missing.p);
        buf_free(&missing);
        return -1;
    }
    if (ec2_dry_run(c, in))
        return -1;

    int n = 0;
    const char *last = NULL;
    bool more = false;
    out_begin(o, "InstanceTypes");
    for (i = 0; i < ec2_type_count(); i++) {
        const struct ec2_type_info *t = ec2_type_at(i);
        if (after && strcmp(t->name, after) <= 0)
            continue;
        if (json_array_size(names)) {
            bool listed = false;
            size_t j;
            json_array_foreach(names, j, e) listed =
                listed || str_eq(json_string_value(e), t->name);
            if (!listed)
                continue;
        }
        struct type_view v;
        view_of(t, &v);
        json_t *facets = type_facets(t, &v);
        bool ok = ec2_filters_match(in, facets, NULL);
        json_decref(facets);
        if (!ok)
            continue;
        if (n == max) {
            more = true;
            break;
        }
        out_type(o, t, &v);
        last = t->name;
        n++;
    }
    out_end(o);
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
    return 0;
}
