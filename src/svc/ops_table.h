/*
 * ops_table.h — turns a service's ops.def into its module's operation array. In the
 * service's module.c, after including the headers that declare the rows' resource functions:
 *
 *     #define SVC_OPS_FILE "svc/cloudwatch/ops.def"
 *     #include "svc/ops_table.h"
 *
 * defines `static const struct op_def svc_ops[]` (one element per row) for the module's
 * .ops / .nops (ARRAY_LEN(svc_ops)). Handlers are declared weak, so a row whose handler is
 * not written yet still links (dispatch answers it as an unserved operation); the unit test
 * ops_table_complete fails until every row has its handler.
 */
#ifndef SVC_OPS_FILE
#error "define SVC_OPS_FILE before including svc/ops_table.h"
#endif

#include "svc/svc.h"

#define OP(svc, name, fn, action, res, flags) op_handler fn __attribute__((weak));
#include SVC_OPS_FILE
#undef OP

static const struct op_def svc_ops[] = {
#define OP(svc, name, fn, action, res, flags) {#svc, #name, fn, action, res, flags},
#include SVC_OPS_FILE
#undef OP
};

#undef SVC_OPS_FILE
