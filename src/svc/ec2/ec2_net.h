/*
 * ec2_net.h — what the files of EC2's network resources share (secgroups.c, keypairs.c,
 * addresses.c, networking.c, enis.c, launch_templates.c, cfn_ec2_net.c): rows of
 * ec2_network by kind, security group rules, key pairs, Elastic IPs and launch templates
 * as RunInstances and the instance lifecycle use them.
 *
 * Conventions as ec2_internal.h: functions taking a struct call fail it with EC2's error
 * and return -1; 0 is success; 1 "not found" where said.
 */
#ifndef RL_EC2_NET_H
#define RL_EC2_NET_H

#include <jansson.h>
#include <stdbool.h>

#include "svc/ec2/ec2_internal.h"

struct cfn_act;
struct cfn_res;

/* ---- networking.c: rows of ec2_network (kind vpc | subnet | security-group |
 * route-table | internet-gateway) ---- */
/* The document of a row of kind in the call's region: 0 (*doc new reference), 1 none, -1. */
int ec2_net_get(struct call *c, const char *kind, const char *id, json_t **doc);
/* Writes a row (insert or replace). */
int ec2_net_put(struct call *c, const char *kind, const char *id, const json_t *doc);
/* Deletes a row and its tags. */
int ec2_net_del(struct call *c, const char *id);
/* Checks that a VPC exists: malformed / not found fail the call with EC2's errors. */
int ec2_vpc_check(struct call *c, const char *vpc_id);

/* ---- secgroups.c ---- */
/* Inserts the rule rows of a new group from the IpPermissions / IpPermissionsEgress of its
 * document (the default group of vpc.c). */
int ec2_sg_rules_from_doc(struct call *c, const char *group_id, const json_t *doc);
/* A group id by name in a VPC: 0 (id[32]), 1 none, -1. */
int ec2_sg_by_name(struct call *c, const char *vpc_id, const char *name, char id[32]);
/* Filter facets of a security group document (DescribeSecurityGroups): ip-permission.*. */
void ec2_sg_facets(const json_t *doc, json_t *facets);

/* ---- keypairs.c ---- */
/* RunInstances' KeyName: InvalidKeyPair.NotFound "The key pair 'X' does not exist" [obs]. */
int ec2_key_pair_check(struct call *c, const char *name);

/* ---- addresses.c ---- */
/* The Elastic IP associated with an instance: 0 (ip[16], alloc[32]), 1 none, -1 error. */
int ec2_address_of_instance(struct store *st, const char *instance_id, char ip[16],
                            char alloc[32]);
/* At termination: disassociates the instance's Elastic IP. */
int ec2_address_release_instance(struct store *st, const char *instance_id);

/* ---- launch_templates.c ---- */
/* RunInstances with LaunchTemplate: merges the version's data under the request's own
 * members into *merged (new reference). */
int ec2_launch_template_merge(struct call *c, const json_t *in, json_t **merged);

/* ---- enis.c ---- */
/* An existing network interface for launch: its subnet, groups, private IP; marks it
 * in-use by the instance. 0, -1 (the call failed). */
int ec2_eni_for_launch(struct call *c, const char *eni_id, char subnet_id[32], json_t **groups,
                       char private_ip[16]);
int ec2_eni_attach_launch(struct call *c, const char *eni_id, const char *instance_id,
                          const char *attach_id);
/* The instance terminated: its attached ENIs are detached (or deleted on termination). */
int ec2_enis_release_instance(struct store *st, const char *instance_id);

/* ---- cfn_ec2_net.c ---- */
/* The stack tags (aws:cloudformation:stack-name, -stack-id, -logical-id) on an EC2 resource
 * a stack created [doc]. */
int ec2_cfn_stack_tags(const struct cfn_act *x, const struct cfn_res *r, const char *id);
/* The providers (listed in ec2_cfn_providers, cfn_ec2.c). */
struct cfn_provider;
extern const struct cfn_provider ec2_cfn_sg, ec2_cfn_sg_ingress, ec2_cfn_sg_egress, ec2_cfn_key,
    ec2_cfn_eip, ec2_cfn_eipa, ec2_cfn_eni, ec2_cfn_lt;
/* cfn_params_ec2.c: the AWS-specific parameter types (module .cfn_params) */
struct cfn_param_hook;
extern const struct cfn_param_hook *const ec2_cfn_param_hooks[];
/* cfn_ec2_vpc.c */
extern const struct cfn_provider ec2_cfn_vpc, ec2_cfn_subnet, ec2_cfn_route_table, ec2_cfn_route,
    ec2_cfn_subnet_rt_assoc, ec2_cfn_igw, ec2_cfn_vpc_gw_attachment;

#endif
