/* ops.h — the handlers of the SNS rows (ops.def), declared from the rows themselves. */
#ifndef RL_SNS_OPS_H
#define RL_SNS_OPS_H

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn;
#include "svc/sns/ops.def"
#undef OP

#endif
