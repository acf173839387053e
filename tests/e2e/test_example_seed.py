"""Issue 7 item 5: examples/seed-2016/run.sh, the 2016 field report in one command. The script
starts its own fresh lab (free port, temporary data directory, manual clock), plays the report's
steps with the default aws CLI (the role from the workstation's IMDS, the IAM user `cfn`), the
system fault on both instances, `recoverlab audit` and `lint`, and update-stack as the user;
it must exit 0 in under a minute, print the side-by-side summary, and leave no temporary
directory or server behind."""
import glob
import os
import re
import signal
import subprocess
import time

from lab import BIN, ROOT, Proc

SCRIPT = os.path.join(ROOT, "examples", "seed-2016", "run.sh")


def _run(t, argv, env, timeout):
    """Runs the script in its own process group; on timeout SIGTERM goes to the whole group
    (the script's trap and its lab), then SIGKILL, so no server outlives the test."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
        rc = "timeout"
    r = Proc(argv, rc, out, err, time.monotonic() - t0)
    t.log("$ %s -> rc %s (%.2fs)" % (" ".join(argv), r.rc, r.elapsed))
    return r


def _row(out, label):
    """The two columns (role, user) of a summary row, split on runs of 2+ spaces."""
    for line in out.splitlines():
        if line.strip().startswith(label):
            return re.split(r"\s{2,}", line.strip()[len(label):].strip())
    return None


def test_example_seed_2016_runs_green(t):
    t.need("new_aws")
    tmp = t.mkdtemp("seed")
    env = t.client_env(extra={"RECOVERLAB_BIN": BIN, "TMPDIR": tmp})
    r = _run(t, ["bash", SCRIPT], env, timeout=85)
    t.check(r.rc == 0, "run.sh should exit 0: %r" % r)
    t.check(r.elapsed < 60, "run.sh should take under a minute (%.1fs)" % r.elapsed)
    out = r.out
    t.check("seed-2016: every expected outcome happened" in out, "final line: %r" % r)
    t.check("FAIL " not in out, "no failed expectation: %r" % r)
    t.eq(_row(out, "created by (CloudTrail)"), ["assumed-role/workstation", "user/cfn"],
         "creators")
    t.eq(_row(out, "set-alarm-state ALARM"), ["Failed (401)", "Succeeded"],
         "forced actions")
    t.eq(_row(out, "system fault: action"), ["Failed (401)", "Succeeded"], "fault actions")
    t.eq(_row(out, "instance recovered?"), ["no (impaired)", "yes"], "recoveries")
    t.eq(_row(out, "audit"), ["error recover-temporary-creator", "warning"], "audit statuses")
    t.eq(_row(out, "after update-stack as cfn"), ["Succeeded, audit warning", "(unchanged)"],
         "after the fix")
    t.check("arn:aws:automate:us-east-1:ec2:recover. Received error: \"Action failed. "
            "Encountered error calling EC2 recover. (401: AWS was not able to validate the "
            "provided access credentials)\"" in out, "the report's 401 message is shown")
    m = re.search(r"data in (\S+)\)", out)
    t.check(m, "the script names its data directory: %r" % r)
    t.check(not os.path.exists(m.group(1)), "the data directory is removed: %s" % m.group(1))
    t.eq(glob.glob(os.path.join(tmp, "recoverlab-seed.*")), [], "temporary files removed")
    srv = [p for p in os.listdir("/proc") if p.isdigit() and _cmd(p).find(m.group(1)) >= 0]
    t.eq(srv, [], "no server left running on the script's data directory")


def _cmd(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""
