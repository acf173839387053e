/* ops.h — the handlers of the CloudFormation rows (ops.def), declared from the rows themselves. */
#ifndef RL_CFN_OPS_H
#define RL_CFN_OPS_H

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn;
#include "svc/cfn/ops.def"
#undef OP

#endif
