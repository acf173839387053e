"""Runs the aws CLI of this Python (awscli.clidriver) with time.sleep capped at 0.5 s.

`aws cloudformation deploy` and `aws cloudformation wait` poll with fixed delays (5 s, 30 s);
the e2e tests run the real CLI code through this so a test takes the lab's time, not the
CLI's polling period. Nothing else is changed."""
import sys
import time

_sleep = time.sleep
time.sleep = lambda s: _sleep(min(s, 0.5))

import awscli.clidriver  # noqa: E402

sys.exit(awscli.clidriver.main())
