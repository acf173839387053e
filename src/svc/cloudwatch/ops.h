/* ops.h — the handlers of the CloudWatch rows (ops.def), declared from the rows themselves. */
#ifndef RL_CLOUDWATCH_OPS_H
#define RL_CLOUDWATCH_OPS_H

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn;
#include "svc/cloudwatch/ops.def"
#undef OP

#endif
