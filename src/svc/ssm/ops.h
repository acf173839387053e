/* ops.h — the handlers of the SSM rows (ops.def), declared from the rows themselves. */
#ifndef RL_SSM_OPS_H
#define RL_SSM_OPS_H

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn;
#include "svc/ssm/ops.def"
#undef OP

#endif
