/* ops.h — the handlers of the STS rows (ops.def), declared from the rows themselves. */
#ifndef RL_STS_OPS_H
#define RL_STS_OPS_H

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn;
#include "svc/sts/ops.def"
#undef OP

#endif
