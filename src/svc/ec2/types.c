/*
 * types.c — the built-in catalogue of EC2 instance types and DescribeInstanceTypes.
 *
 * Figures (vCPUs, memory, instance store, network performance, interfaces) are AWS's
 * published specifications of each type [doc]. AutoRecoverySupported follows the
 * simplified-recovery requirements (aws-behaviour.md §3.5): EBS-only, not bare metal, listed
 * families [doc]; so instance-store families (m5d, c5d, i3), metal sizes and Mac instances
 * say false. Region availability is not modelled: every type is offered everywhere
 * (inferred).
 */
#include <stdio.h>
#include <string.h>

#include "svc/ec2/ec2_internal.h"
#include "svc/ec2/ops.h"

struct type_row {
    struct ec2_type_info info; /* first: ec2_type_at hands out &row->info */
    const char *arch;          /* x86_64 | arm64 | x86_64_mac | arm64_mac */
    int store_count, store_gb; /* instance store disks (0: EBS only) */
    bool burstable, free_tier, bare_metal;
    const char *network; /* NetworkPerformance */
    int max_enis, ipv4_per_eni;
    double ghz;
    const char *manufacturer;
    bool dedicated_hosts, hibernation;
};

#define T(name, vcpu, mem, ebs, rec, hyp, cur, arch, sc, sg, burst, ft, metal, net, enis, ips,     \
          ghz, manu, ded, hib)                                                                     \
    {                                                                                              \
        {name, vcpu, mem, ebs, rec, hyp, cur}, arch, sc, sg, burst, ft, metal, net, enis, ips,     \
            ghz, manu, ded, hib                                                                    \
    }

/* Sorted by name (ec2_type_find bisects). */
static const struct type_row types[] = {
    T("a1.2xlarge", 8, 16384, true, true, "nitro", false, "arm64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 2.3, "AWS", true, false),
    T("a1.4xlarge", 16, 32768, true, true, "nitro", false, "arm64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 8, 30, 2.3, "AWS", true, false),
    T("a1.large", 2, 4096, true, true, "nitro", false, "arm64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 3, 10, 2.3, "AWS", true, false),
    T("a1.medium", 1, 2048, true, true, "nitro", false, "arm64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 2, 4, 2.3, "AWS", true, false),
    T("a1.metal", 16, 32768, true, false, "nitro", false, "arm64", 0, 0, false, false, true,
      "Up to 10 Gigabit", 8, 30, 2.3, "AWS", true, false),
    T("a1.xlarge", 4, 8192, true, true, "nitro", false, "arm64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 2.3, "AWS", true, false),
    T("c4.2xlarge", 8, 15360, true, true, "xen", true, "x86_64", 0, 0, false, false, false, "High",
      4, 15, 2.9, "Intel", true, true),
    T("c4.4xlarge", 16, 30720, true, true, "xen", true, "x86_64", 0, 0, false, false, false, "High",
      8, 30, 2.9, "Intel", true, true),
    T("c4.8xlarge", 36, 61440, true, true, "xen", true, "x86_64", 0, 0, false, false, false,
      "10 Gigabit", 8, 30, 2.9, "Intel", true, true),
    T("c4.large", 2, 3840, true, true, "xen", true, "x86_64", 0, 0, false, false, false, "Moderate",
      3, 10, 2.9, "Intel", true, true),
    T("c4.xlarge", 4, 7680, true, true, "xen", true, "x86_64", 0, 0, false, false, false, "High", 4,
      15, 2.9, "Intel", true, true),
    T("c5.12xlarge", 48, 98304, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "12 Gigabit", 8, 30, 3.4, "Intel", true, true),
    T("c5.18xlarge", 72, 147456, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 15, 50, 3.4, "Intel", true, true),
    T("c5.24xlarge", 96, 196608, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 15, 50, 3.4, "Intel", true, false),
    T("c5.2xlarge", 8, 16384, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.4, "Intel", true, true),
    T("c5.4xlarge", 16, 32768, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 8, 30, 3.4, "Intel", true, true),
    T("c5.9xlarge", 36, 73728, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "12 Gigabit", 8, 30, 3.4, "Intel", true, true),
    T("c5.large", 2, 4096, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 3, 10, 3.4, "Intel", true, true),
    T("c5.metal", 96, 196608, true, false, "nitro", true, "x86_64", 0, 0, false, false, true,
      "25 Gigabit", 15, 50, 3.4, "Intel", true, false),
    T("c5.xlarge", 4, 8192, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.4, "Intel", true, true),
    T("c5d.12xlarge", 48, 98304, false, false, "nitro", true, "x86_64", 2, 900, false, false, false,
      "12 Gigabit", 8, 30, 3.4, "Intel", true, false),
    T("c5d.18xlarge", 72, 147456, false, false, "nitro", true, "x86_64", 2, 900, false, false,
      false, "25 Gigabit", 15, 50, 3.4, "Intel", true, false),
    T("c5d.24xlarge", 96, 196608, false, false, "nitro", true, "x86_64", 4, 900, false, false,
      false, "25 Gigabit", 15, 50, 3.4, "Intel", true, false),
    T("c5d.2xlarge", 8, 16384, false, false, "nitro", true, "x86_64", 1, 200, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.4, "Intel", true, false),
    T("c5d.4xlarge", 16, 32768, false, false, "nitro", true, "x86_64", 1, 400, false, false, false,
      "Up to 10 Gigabit", 8, 30, 3.4, "Intel", true, false),
    T("c5d.9xlarge", 36, 73728, false, false, "nitro", true, "x86_64", 1, 900, false, false, false,
      "12 Gigabit", 8, 30, 3.4, "Intel", true, false),
    T("c5d.large", 2, 4096, false, false, "nitro", true, "x86_64", 1, 50, false, false, false,
      "Up to 10 Gigabit", 3, 10, 3.4, "Intel", true, false),
    T("c5d.metal", 96, 196608, false, false, "nitro", true, "x86_64", 4, 900, false, false, true,
      "25 Gigabit", 15, 50, 3.4, "Intel", true, false),
    T("c5d.xlarge", 4, 8192, false, false, "nitro", true, "x86_64", 1, 100, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.4, "Intel", true, false),
    T("c6i.12xlarge", 48, 98304, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "18.75 Gigabit", 8, 30, 3.5, "Intel", true, true),
    T("c6i.16xlarge", 64, 131072, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 15, 50, 3.5, "Intel", true, true),
    T("c6i.24xlarge", 96, 196608, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "37.5 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("c6i.2xlarge", 8, 16384, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 4, 15, 3.5, "Intel", true, true),
    T("c6i.32xlarge", 128, 262144, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "50 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("c6i.4xlarge", 16, 32768, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 8, 30, 3.5, "Intel", true, true),
    T("c6i.8xlarge", 32, 65536, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "12.5 Gigabit", 8, 30, 3.5, "Intel", true, true),
    T("c6i.large", 2, 4096, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 3, 10, 3.5, "Intel", true, true),
    T("c6i.metal", 128, 262144, true, false, "nitro", true, "x86_64", 0, 0, false, false, true,
      "50 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("c6i.xlarge", 4, 8192, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 4, 15, 3.5, "Intel", true, true),
    T("i3.16xlarge", 64, 499712, false, false, "xen", true, "x86_64", 8, 1900, false, false, false,
      "25 Gigabit", 15, 50, 2.3, "Intel", true, false),
    T("i3.2xlarge", 8, 62464, false, false, "xen", true, "x86_64", 1, 1900, false, false, false,
      "Up to 10 Gigabit", 4, 15, 2.3, "Intel", true, false),
    T("i3.4xlarge", 16, 124928, false, false, "xen", true, "x86_64", 2, 1900, false, false, false,
      "Up to 10 Gigabit", 8, 30, 2.3, "Intel", true, false),
    T("i3.8xlarge", 32, 249856, false, false, "xen", true, "x86_64", 4, 1900, false, false, false,
      "10 Gigabit", 8, 30, 2.3, "Intel", true, false),
    T("i3.large", 2, 15616, false, false, "xen", true, "x86_64", 1, 475, false, false, false,
      "Up to 10 Gigabit", 3, 10, 2.3, "Intel", true, false),
    T("i3.metal", 72, 524288, false, false, "xen", true, "x86_64", 8, 1900, false, false, true,
      "25 Gigabit", 15, 50, 2.3, "Intel", true, false),
    T("i3.xlarge", 4, 31232, false, false, "xen", true, "x86_64", 1, 950, false, false, false,
      "Up to 10 Gigabit", 4, 15, 2.3, "Intel", true, false),
    T("m1.small", 1, 1740, false, false, "xen", false, "x86_64", 1, 160, false, false, false, "Low",
      2, 4, 2.0, "Intel", true, false),
    T("m4.10xlarge", 40, 163840, true, true, "xen", true, "x86_64", 0, 0, false, false, false,
      "10 Gigabit", 8, 30, 2.4, "Intel", true, false),
    T("m4.16xlarge", 64, 262144, true, true, "xen", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 8, 30, 2.4, "Intel", true, false),
    T("m4.2xlarge", 8, 32768, true, true, "xen", true, "x86_64", 0, 0, false, false, false, "High",
      4, 15, 2.4, "Intel", true, true),
    T("m4.4xlarge", 16, 65536, true, true, "xen", true, "x86_64", 0, 0, false, false, false, "High",
      8, 30, 2.4, "Intel", true, true),
    T("m4.large", 2, 8192, true, true, "xen", true, "x86_64", 0, 0, false, false, false, "Moderate",
      2, 10, 2.4, "Intel", true, true),
    T("m4.xlarge", 4, 16384, true, true, "xen", true, "x86_64", 0, 0, false, false, false, "High",
      4, 15, 2.4, "Intel", true, true),
    T("m5.12xlarge", 48, 196608, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "12 Gigabit", 8, 30, 3.1, "Intel", true, false),
    T("m5.16xlarge", 64, 262144, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "20 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("m5.24xlarge", 96, 393216, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("m5.2xlarge", 8, 32768, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.1, "Intel", true, true),
    T("m5.4xlarge", 16, 65536, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 8, 30, 3.1, "Intel", true, true),
    T("m5.8xlarge", 32, 131072, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "10 Gigabit", 8, 30, 3.1, "Intel", true, true),
    T("m5.large", 2, 8192, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 3, 10, 3.1, "Intel", true, true),
    T("m5.metal", 96, 393216, true, false, "nitro", true, "x86_64", 0, 0, false, false, true,
      "25 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("m5.xlarge", 4, 16384, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.1, "Intel", true, true),
    T("m5a.12xlarge", 48, 196608, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "12 Gigabit", 8, 30, 2.5, "AMD", true, false),
    T("m5a.16xlarge", 64, 262144, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "20 Gigabit", 15, 50, 2.5, "AMD", true, false),
    T("m5a.24xlarge", 96, 393216, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 15, 50, 2.5, "AMD", true, false),
    T("m5a.2xlarge", 8, 32768, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 2.5, "AMD", true, true),
    T("m5a.4xlarge", 16, 65536, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 8, 30, 2.5, "AMD", true, true),
    T("m5a.8xlarge", 32, 131072, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "10 Gigabit", 8, 30, 2.5, "AMD", true, true),
    T("m5a.large", 2, 8192, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 3, 10, 2.5, "AMD", true, true),
    T("m5a.xlarge", 4, 16384, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 2.5, "AMD", true, true),
    T("m5d.12xlarge", 48, 196608, false, false, "nitro", true, "x86_64", 2, 900, false, false,
      false, "12 Gigabit", 8, 30, 3.1, "Intel", true, false),
    T("m5d.16xlarge", 64, 262144, false, false, "nitro", true, "x86_64", 4, 600, false, false,
      false, "20 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("m5d.24xlarge", 96, 393216, false, false, "nitro", true, "x86_64", 4, 900, false, false,
      false, "25 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("m5d.2xlarge", 8, 32768, false, false, "nitro", true, "x86_64", 1, 300, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.1, "Intel", true, false),
    T("m5d.4xlarge", 16, 65536, false, false, "nitro", true, "x86_64", 2, 300, false, false, false,
      "Up to 10 Gigabit", 8, 30, 3.1, "Intel", true, false),
    T("m5d.8xlarge", 32, 131072, false, false, "nitro", true, "x86_64", 2, 600, false, false, false,
      "10 Gigabit", 8, 30, 3.1, "Intel", true, false),
    T("m5d.large", 2, 8192, false, false, "nitro", true, "x86_64", 1, 75, false, false, false,
      "Up to 10 Gigabit", 3, 10, 3.1, "Intel", true, false),
    T("m5d.metal", 96, 393216, false, false, "nitro", true, "x86_64", 4, 900, false, false, true,
      "25 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("m5d.xlarge", 4, 16384, false, false, "nitro", true, "x86_64", 1, 150, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.1, "Intel", true, false),
    T("m6i.12xlarge", 48, 196608, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "18.75 Gigabit", 8, 30, 3.5, "Intel", true, false),
    T("m6i.16xlarge", 64, 262144, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("m6i.24xlarge", 96, 393216, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "37.5 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("m6i.2xlarge", 8, 32768, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 4, 15, 3.5, "Intel", true, true),
    T("m6i.32xlarge", 128, 524288, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "50 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("m6i.4xlarge", 16, 65536, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 8, 30, 3.5, "Intel", true, true),
    T("m6i.8xlarge", 32, 131072, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "12.5 Gigabit", 8, 30, 3.5, "Intel", true, true),
    T("m6i.large", 2, 8192, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 3, 10, 3.5, "Intel", true, true),
    T("m6i.metal", 128, 524288, true, false, "nitro", true, "x86_64", 0, 0, false, false, true,
      "50 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("m6i.xlarge", 4, 16384, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 4, 15, 3.5, "Intel", true, true),
    T("mac1.metal", 12, 32768, true, false, "nitro", true, "x86_64_mac", 0, 0, false, false, true,
      "25 Gigabit", 8, 30, 3.2, "Intel", true, false),
    T("mac2.metal", 8, 16384, true, false, "nitro", true, "arm64_mac", 0, 0, false, false, true,
      "10 Gigabit", 8, 30, 3.2, "Apple", true, false),
    T("r5.12xlarge", 48, 393216, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "12 Gigabit", 8, 30, 3.1, "Intel", true, false),
    T("r5.16xlarge", 64, 524288, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "20 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("r5.24xlarge", 96, 786432, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("r5.2xlarge", 8, 65536, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.1, "Intel", true, true),
    T("r5.4xlarge", 16, 131072, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 8, 30, 3.1, "Intel", true, true),
    T("r5.8xlarge", 32, 262144, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "10 Gigabit", 8, 30, 3.1, "Intel", true, false),
    T("r5.large", 2, 16384, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 3, 10, 3.1, "Intel", true, true),
    T("r5.metal", 96, 786432, true, false, "nitro", true, "x86_64", 0, 0, false, false, true,
      "25 Gigabit", 15, 50, 3.1, "Intel", true, false),
    T("r5.xlarge", 4, 32768, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 10 Gigabit", 4, 15, 3.1, "Intel", true, true),
    T("r6i.12xlarge", 48, 393216, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "18.75 Gigabit", 8, 30, 3.5, "Intel", true, false),
    T("r6i.16xlarge", 64, 524288, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "25 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("r6i.24xlarge", 96, 786432, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "37.5 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("r6i.2xlarge", 8, 65536, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 4, 15, 3.5, "Intel", true, true),
    T("r6i.32xlarge", 128, 1048576, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "50 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("r6i.4xlarge", 16, 131072, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 8, 30, 3.5, "Intel", true, true),
    T("r6i.8xlarge", 32, 262144, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "12.5 Gigabit", 8, 30, 3.5, "Intel", true, false),
    T("r6i.large", 2, 16384, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 3, 10, 3.5, "Intel", true, true),
    T("r6i.metal", 128, 1048576, true, false, "nitro", true, "x86_64", 0, 0, false, false, true,
      "50 Gigabit", 15, 50, 3.5, "Intel", true, false),
    T("r6i.xlarge", 4, 32768, true, true, "nitro", true, "x86_64", 0, 0, false, false, false,
      "Up to 12.5 Gigabit", 4, 15, 3.5, "Intel", true, true),
    T("t2.2xlarge", 8, 32768, true, true, "xen", true, "x86_64", 0, 0, true, false, false,
      "Moderate", 3, 15, 2.3, "Intel", false, true),
    T("t2.large", 2, 8192, true, true, "xen", true, "x86_64", 0, 0, true, false, false,
      "Low to Moderate", 3, 12, 2.3, "Intel", false, true),
    T("t2.medium", 2, 4096, true, true, "xen", true, "x86_64", 0, 0, true, false, false,
      "Low to Moderate", 3, 6, 2.3, "Intel", false, true),
    T("t2.micro", 1, 1024, true, true, "xen", true, "x86_64", 0, 0, true, true, false,
      "Low to Moderate", 2, 2, 2.3, "Intel", false, true),
    T("t2.nano", 1, 512, true, true, "xen", true, "x86_64", 0, 0, true, false, false,
      "Low to Moderate", 2, 2, 2.3, "Intel", false, true),
    T("t2.small", 1, 2048, true, true, "xen", true, "x86_64", 0, 0, true, false, false,
      "Low to Moderate", 3, 4, 2.3, "Intel", false, true),
    T("t2.xlarge", 4, 16384, true, true, "xen", true, "x86_64", 0, 0, true, false, false,
      "Moderate", 3, 15, 2.3, "Intel", false, true),
    T("t3.2xlarge", 8, 32768, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 4, 15, 2.5, "Intel", false, true),
    T("t3.large", 2, 8192, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 12, 2.5, "Intel", false, true),
    T("t3.medium", 2, 4096, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 6, 2.5, "Intel", false, true),
    T("t3.micro", 2, 1024, true, true, "nitro", true, "x86_64", 0, 0, true, true, false,
      "Up to 5 Gigabit", 2, 2, 2.5, "Intel", false, true),
    T("t3.nano", 2, 512, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 2, 2, 2.5, "Intel", false, true),
    T("t3.small", 2, 2048, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 4, 2.5, "Intel", false, true),
    T("t3.xlarge", 4, 16384, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 4, 15, 2.5, "Intel", false, true),
    T("t3a.2xlarge", 8, 32768, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 4, 15, 2.2, "AMD", false, true),
    T("t3a.large", 2, 8192, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 12, 2.2, "AMD", false, true),
    T("t3a.medium", 2, 4096, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 6, 2.2, "AMD", false, true),
    T("t3a.micro", 2, 1024, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 2, 2, 2.2, "AMD", false, true),
    T("t3a.nano", 2, 512, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 2, 2, 2.2, "AMD", false, true),
    T("t3a.small", 2, 2048, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 4, 2.2, "AMD", false, true),
    T("t3a.xlarge", 4, 16384, true, true, "nitro", true, "x86_64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 4, 15, 2.2, "AMD", false, true),
    T("t4g.2xlarge", 8, 32768, true, true, "nitro", true, "arm64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 4, 15, 2.5, "AWS", false, true),
    T("t4g.large", 2, 8192, true, true, "nitro", true, "arm64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 12, 2.5, "AWS", false, true),
    T("t4g.medium", 2, 4096, true, true, "nitro", true, "arm64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 6, 2.5, "AWS", false, true),
    T("t4g.micro", 2, 1024, true, true, "nitro", true, "arm64", 0, 0, true, true, false,
      "Up to 5 Gigabit", 2, 2, 2.5, "AWS", false, true),
    T("t4g.nano", 2, 512, true, true, "nitro", true, "arm64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 2, 2, 2.5, "AWS", false, true),
    T("t4g.small", 2, 2048, true, true, "nitro", true, "arm64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 3, 4, 2.5, "AWS", false, true),
    T("t4g.xlarge", 4, 16384, true, true, "nitro", true, "arm64", 0, 0, true, false, false,
      "Up to 5 Gigabit", 4, 15, 2.5, "AWS", false, true),
};

#undef T

static const struct type_row *row_of(const struct ec2_type_info *t)
{
    return (const struct type_row *)t; /* info is the first member */
}

const struct ec2_type_info *ec2_type_find(const char *name)
{
    if (!name)
        return NULL;
    size_t lo = 0, hi = ARRAY_LEN(types);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(name, types[mid].info.name);
        if (cmp == 0)
            return &types[mid].info;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t ec2_type_count(void)
{
    return ARRAY_LEN(types);
}

const struct ec2_type_info *ec2_type_at(size_t i)
{
    return i < ARRAY_LEN(types) ? &types[i].info : NULL;
}

const char *ec2_type_arch(const struct ec2_type_info *t)
{
    return row_of(t)->arch;
}

bool ec2_type_bare_metal(const struct ec2_type_info *t)
{
    return row_of(t)->bare_metal;
}

bool ec2_type_burstable(const struct ec2_type_info *t)
{
    return row_of(t)->burstable;
}

/* x86 types other than T2 run two threads per core; Graviton and T2 one [doc]. */
void ec2_type_cpu(const struct ec2_type_info *t, int *cores, int *threads)
{
    const struct type_row *r = row_of(t);
    bool smt = str_startswith(r->arch, "x86_64") && !str_startswith(t->name, "t2.") && t->vcpus > 1;
    *threads = smt ? 2 : 1;
    *cores = t->vcpus / *threads;
}

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

static void view_of(const struct type_row *r, struct type_view *v)
{
    const struct ec2_type_info *t = &r->info;
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
    v->archs[v->narchs++] = r->arch;
    if (str_startswith(r->arch, "arm64")) {
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
static json_t *type_facets(const struct type_row *r, const struct type_view *v)
{
    const struct ec2_type_info *t = &r->info;
    char ghz[16];
    snprintf(ghz, sizeof(ghz), "%.1f", r->ghz);
    static const char *const usage[] = {"on-demand", "spot"};
    json_t *f = json_pack(
        "{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o,"
        " s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:s, s:s}",
        "instance-type", t->name, "auto-recovery-supported", t->auto_recovery_supported,
        "bare-metal", r->bare_metal, "burstable-performance-supported", r->burstable,
        "current-generation", t->current_generation, "dedicated-hosts-supported",
        r->dedicated_hosts, "free-tier-eligible", r->free_tier, "hibernation-supported",
        r->hibernation, "instance-storage-supported", r->store_count > 0, "memory-info.size-in-mib",
        (json_int_t)t->memory_mib, "ebs-info.ebs-optimized-support", v->ebs_opt,
        "ebs-info.encryption-support", "supported", "ebs-info.nvme-support", v->ebs_nvme,
        "network-info.ena-support", v->ena, "network-info.network-performance", r->network,
        "processor-info.supported-architecture", strs(v->archs, v->narchs), "supported-boot-mode",
        strs(v->boot, v->nboot), "supported-root-device-type", "ebs",
        "supported-virtualization-type", "hvm", "processor-info.sustained-clock-speed-in-ghz", ghz,
        "vcpu-info.default-vcpus", (json_int_t)t->vcpus, "vcpu-info.default-cores",
        (json_int_t)v->cores, "vcpu-info.default-threads-per-core", (json_int_t)v->threads,
        "network-info.maximum-network-interfaces", (json_int_t)r->max_enis,
        "network-info.ipv4-addresses-per-interface", (json_int_t)r->ipv4_per_eni,
        "network-info.ipv6-supported", true, "network-info.efa-supported", false,
        "network-info.encryption-in-transit-supported", v->in_transit, "nitro-enclaves-support",
        "unsupported", "nitro-tpm-support", v->nitro ? "supported" : "unsupported");
    json_object_set_new(f, "supported-usage-class",
                        strs(usage, str_startswith(t->name, "mac") ? 1 : 2));
    json_object_set_new(f, "network-info.ipv6-addresses-per-interface",
                        json_integer(r->ipv4_per_eni));
    json_object_set_new(f, "network-info.maximum-network-cards", json_integer(1));
    json_object_set_new(f, "vcpu-info.valid-cores", json_integer(v->cores));
    json_object_set_new(f, "vcpu-info.valid-threads-per-core", json_integer(v->threads));
    if (!r->bare_metal)
        json_object_set_new(f, "hypervisor", json_string(t->hypervisor));
    if (r->store_count) {
        json_object_set_new(f, "instance-storage-info.disk.count", json_integer(r->store_count));
        json_object_set_new(f, "instance-storage-info.disk.size-in-gb", json_integer(r->store_gb));
        json_object_set_new(f, "instance-storage-info.disk.type",
                            json_string(str_startswith(t->name, "m1.") ? "hdd" : "ssd"));
        json_object_set_new(f, "instance-storage-info.encryption-support", json_string("required"));
        json_object_set_new(f, "instance-storage-info.nvme-support", json_string(v->store_nvme));
        json_object_set_new(f, "instance-storage-info.total-size-in-gb",
                            json_integer((json_int_t)r->store_count * r->store_gb));
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

static void out_type(struct out *o, const struct type_row *r, const struct type_view *v)
{
    const struct ec2_type_info *t = &r->info;
    static const char *const usage[] = {"on-demand", "spot"};
    static const char *const ebs[] = {"ebs"};
    static const char *const hvm[] = {"hvm"};
    static const char *const strategies[] = {"cluster", "partition", "spread"};
    out_begin(o, NULL);
    out_str(o, "InstanceType", t->name);
    out_bool(o, "CurrentGeneration", t->current_generation);
    out_bool(o, "FreeTierEligible", r->free_tier);
    out_strs(o, "SupportedUsageClasses", usage, str_startswith(t->name, "mac") ? 1 : 2);
    out_strs(o, "SupportedRootDeviceTypes", ebs, 1);
    out_strs(o, "SupportedVirtualizationTypes", hvm, 1);
    out_bool(o, "BareMetal", r->bare_metal);
    if (!r->bare_metal)
        out_str(o, "Hypervisor", t->hypervisor);
    out_begin(o, "ProcessorInfo");
    out_strs(o, "SupportedArchitectures", v->archs, v->narchs);
    out_double(o, "SustainedClockSpeedInGhz", r->ghz);
    out_str(o, "Manufacturer", r->manufacturer);
    out_end(o);
    out_begin(o, "VCpuInfo");
    out_int(o, "DefaultVCpus", t->vcpus);
    out_int(o, "DefaultCores", v->cores);
    out_int(o, "DefaultThreadsPerCore", v->threads);
    out_end(o);
    out_begin(o, "MemoryInfo");
    out_int(o, "SizeInMiB", t->memory_mib);
    out_end(o);
    out_bool(o, "InstanceStorageSupported", r->store_count > 0);
    if (r->store_count) {
        out_begin(o, "InstanceStorageInfo");
        out_int(o, "TotalSizeInGB", (int64_t)r->store_count * r->store_gb);
        out_begin(o, "Disks");
        out_begin(o, NULL);
        out_int(o, "SizeInGB", r->store_gb);
        out_int(o, "Count", r->store_count);
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
    out_str(o, "NetworkPerformance", r->network);
    out_int(o, "MaximumNetworkInterfaces", r->max_enis);
    out_int(o, "MaximumNetworkCards", 1);
    out_int(o, "DefaultNetworkCardIndex", 0);
    out_int(o, "Ipv4AddressesPerInterface", r->ipv4_per_eni);
    out_int(o, "Ipv6AddressesPerInterface", r->ipv4_per_eni);
    out_bool(o, "Ipv6Supported", true);
    out_str(o, "EnaSupport", v->ena);
    out_bool(o, "EfaSupported", false);
    out_bool(o, "EncryptionInTransitSupported", v->in_transit);
    out_end(o);
    out_begin(o, "PlacementGroupInfo");
    out_strs(o, "SupportedStrategies", strategies + (r->burstable ? 1 : 0), r->burstable ? 2 : 3);
    out_end(o);
    out_bool(o, "HibernationSupported", r->hibernation);
    out_bool(o, "BurstablePerformanceSupported", r->burstable);
    out_bool(o, "DedicatedHostsSupported", r->dedicated_hosts);
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
    const json_t *names = json_object_get(in, "InstanceTypes");
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
    for (i = 0; i < ARRAY_LEN(types); i++) {
        const struct type_row *r = &types[i];
        if (after && strcmp(r->info.name, after) <= 0)
            continue;
        if (json_array_size(names)) {
            bool listed = false;
            size_t j;
            json_array_foreach(names, j, e) listed =
                listed || str_eq(json_string_value(e), r->info.name);
            if (!listed)
                continue;
        }
        struct type_view v;
        view_of(r, &v);
        json_t *facets = type_facets(r, &v);
        bool ok = ec2_filters_match(in, facets, NULL);
        json_decref(facets);
        if (!ok)
            continue;
        if (n == max) {
            more = true;
            break;
        }
        out_type(o, r, &v);
        last = r->info.name;
        n++;
    }
    out_end(o);
    if (more && last)
        out_str(o, "NextToken", ec2_token_make(c, last));
    return 0;
}
