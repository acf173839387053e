/*
 * ec2_admin.h — the lab's own HTTP routes for EC2 health (rows of admin.c's route table):
 *   GET|POST /_recoverlab/faults, DELETE /_recoverlab/faults/{id}   (faults.c)
 *   GET /_recoverlab/instances/{id}                                   (faults.c)
 *   GET|PUT /_recoverlab/imds/{instance-id}/...                       (imds.c, no auth)
 */
#ifndef RL_EC2_ADMIN_H
#define RL_EC2_ADMIN_H

#include "svc/admin.h"
#include "base/request.h"

struct store;

void ec2_admin_faults_get(struct admin_call *ac);
void ec2_admin_faults_post(struct admin_call *ac);
void ec2_admin_fault_delete(struct admin_call *ac);
void ec2_admin_instance_get(struct admin_call *ac);
void ec2_admin_imds(struct admin_call *ac);

/*
 * Answers one IMDS request for the path tail after /_recoverlab/imds/ ("i-…/latest/…"):
 * status, text/plain body, headers (aws-behaviour §4.4). account is the lab's account id.
 * Runs its own store transaction when it writes (tokens are stateless; credentials are
 * issued and rotated on demand).
 */
void ec2_imds_serve(struct store *st, const char *account, const struct request *rq,
                    const char *tail, struct response *resp);

#endif
