/* ec2_fixture.h — shared setup of the EC2 handler tests (on top of svc_fixture.h). */
#ifndef RL_EC2_FIXTURE_H
#define RL_EC2_FIXTURE_H

#include "svc_fixture.h"

#define EC2_AMI "ami-374db956"

/* fx_open at FX_T0 answering in JSON, with EC2's clock events registered. */
void ec2fx_open(struct fx *f);
/* Moves virtual time forward by ms, running due events (a failed advance fails the test). */
void ec2fx_advance(struct fx *f, int64_t ms);
/* The string / integer at a dotted path of o (EC2 wire names), NULL / -999 when absent. */
const char *ec2fx_str(const json_t *o, const char *path);
json_int_t ec2fx_int(const json_t *o, const char *path);
/* RunInstances of one instance of type (plus extra members, a JSON fragment, or NULL);
 * the instance id in id ("" on failure). Returns the handler's result. */
int ec2fx_run(struct fx *f, const char *type, const char *extra, char id[32]);

#endif
