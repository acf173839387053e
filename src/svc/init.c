/*
 * init.c — svc_init(): what the services register once per process before the server
 * runs (clock event handlers, derived-metric providers). Every service with such a hook
 * adds one line here.
 */
#include "svc/cfn/cfn_stack.h"
#include "svc/cloudwatch/cw_alarm.h"
#include "svc/ec2/ec2.h"
#include "svc/svc.h"

void svc_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    ec2_init();        /* AWS/EC2 status-check metrics, instance and health clock events */
    cw_alarms_init();  /* alarm evaluation ticks */
    cfn_stacks_init(); /* stack operation steps */
}
