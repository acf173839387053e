/*
 * resources.h — the resource functions of ops.def rows (op_resource_fn): the ARN the
 * action is checked on, an arena string; "*" when the input does not name one.
 */
#ifndef RL_SVC_RESOURCES_H
#define RL_SVC_RESOURCES_H

#include <jansson.h>

struct call;

const char *res_sts_role(struct call *c, const json_t *in);           /* RoleArn */
const char *res_sts_federated_user(struct call *c, const json_t *in); /* Name */
const char *res_cw_alarm(struct call *c, const json_t *in);           /* AlarmName */
const char *res_cw_alarms(struct call *c, const json_t *in);          /* AlarmNames[0] */
const char *res_ec2_instance(struct call *c, const json_t *in);       /* InstanceId(s)[0] */
const char *res_ec2_volume(struct call *c, const json_t *in);         /* VolumeId */
const char *res_resource_arn(struct call *c, const json_t *in);       /* ResourceARN as given */
const char *res_cfn_stack(struct call *c, const json_t *in);          /* StackName */

#endif
