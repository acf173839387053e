/* ops.h — the handlers of the EC2 rows (ops.def), declared from the rows themselves. */
#ifndef RL_EC2_OPS_H
#define RL_EC2_OPS_H

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn;
#include "svc/ec2/ops.def"
#undef OP

#endif
