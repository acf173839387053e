/* ops.h — the handlers of the IAM rows (ops.def), declared from the rows themselves. */
#ifndef RL_IAM_OPS_H
#define RL_IAM_OPS_H

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn;
#include "svc/iam/ops.def"
#undef OP

#endif
