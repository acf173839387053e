/*
 * instance_types.c — the built-in catalogue of EC2 instance types (instance_types.h).
 *
 * Figures (vCPUs, memory, instance store, network performance, interfaces) are AWS's
 * published specifications of each type [doc]. AutoRecoverySupported follows the
 * simplified-recovery requirements (aws-behaviour.md §3.5): EBS-only, not bare metal, listed
 * families [doc]; so instance-store families (m5d, c5d, i3), metal sizes and Mac instances
 * say false. Region availability is not modelled: every type is offered everywhere
 * (inferred).
 */
#include <string.h>

#include "base/base.h"
#include "catalog/instance_types.h"

#define T(name, vcpu, mem, ebs, rec, hyp, cur, arch, sc, sg, burst, ft, metal, net, enis, ips,     \
          ghz, manu, ded, hib)                                                                     \
    {                                                                                              \
        name, vcpu, mem, ebs, rec, hyp, cur, arch, sc, sg, burst, ft, metal, net, enis, ips, ghz,  \
            manu, ded, hib                                                                         \
    }

/* Sorted by name (ec2_type_find bisects). */
static const struct ec2_type_info types[] = {
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

const struct ec2_type_info *ec2_type_find(const char *name)
{
    if (!name)
        return NULL;
    size_t lo = 0, hi = ARRAY_LEN(types);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(name, types[mid].name);
        if (cmp == 0)
            return &types[mid];
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
    return i < ARRAY_LEN(types) ? &types[i] : NULL;
}

const char *ec2_type_arch(const struct ec2_type_info *t)
{
    return t->arch;
}

/* x86 types other than T2 run two threads per core; Graviton and T2 one [doc]. */
void ec2_type_cpu(const struct ec2_type_info *t, int *cores, int *threads)
{
    bool smt = str_startswith(t->arch, "x86_64") && !str_startswith(t->name, "t2.") && t->vcpus > 1;
    *threads = smt ? 2 : 1;
    *cores = t->vcpus / *threads;
}
