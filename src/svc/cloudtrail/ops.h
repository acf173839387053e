/* ops.h — the handlers of the CloudTrail rows (ops.def), declared from the rows themselves. */
#ifndef RL_CLOUDTRAIL_OPS_H
#define RL_CLOUDTRAIL_OPS_H

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn;
#include "svc/cloudtrail/ops.def"
#undef OP

#endif
