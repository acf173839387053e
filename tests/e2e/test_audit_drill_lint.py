"""Issue 7 items 2-4 with the real aws CLI: `recoverlab audit` finds the recover alarm put with
a role session (CloudTrail LookupEvents: the latest PutMetricAlarm's userIdentity) and not the
one put by an IAM user; after re-putting it as the user it finds none. `recoverlab drill`
forces both alarms: one 401 failure, one success, both alarms back in their previous state.
`recoverlab lint` on the seed's ec2.json: the creator note and the StatusCheckFailed warning
with line numbers, exit 0; recover on StatusCheckFailed_Instance: exit 1."""
import http.client
import http.server
import json
import os
import threading
import urllib.parse

from lab import ACCOUNT, BIN, ROOT

START = "2026-05-01T00:00:00Z"
POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
RECOVER = "arn:aws:automate:us-east-1:ec2:recover"
ROLE_ARN = "arn:aws:iam::%s:role/ops" % ACCOUNT
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
    "Action": "sts:AssumeRole"}]})
ERROR_401 = ("Action failed. Encountered error calling EC2 recover. (401: AWS was not able to "
             "validate the provided access credentials)")
SEED_EC2 = os.path.join(ROOT, "fuzz", "seeds", "fuzz_yaml_template", "ec2.json")


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _as(c):
    env = {"AWS_ACCESS_KEY_ID": c["key"], "AWS_SECRET_ACCESS_KEY": c["secret"]}
    if c.get("token"):
        env["AWS_SESSION_TOKEN"] = c["token"]
    return env


def _rl(t, lab, *args):
    return t.run([BIN] + list(args) + ["--data", lab.data], env=t.client_env(), timeout=120)


def _prepare(t, lab):
    """User alice (PowerUserAccess, a key), role ops (PowerUserAccess) assumed by alice, a
    running t2.micro; alice puts `by-user`, the role session puts `by-role` (recover on
    StatusCheckFailed_System, the console's recommended alarm). Returns (user creds, iid)."""
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "alice"]), "create-user")
    _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", "alice", "--policy-arn",
                       POWER]), "attach-user-policy")
    ak = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", "alice"]),
             "create-access-key")["AccessKey"]
    user = {"key": ak["AccessKeyId"], "secret": ak["SecretAccessKey"]}
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops",
                       "--assume-role-policy-document", TRUST]), "create-role")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ops", "--policy-arn",
                       POWER]), "attach-role-policy")
    c = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name",
                           "oncall"], env=_as(user)), "assume-role")["Credentials"]
    role = {"key": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"]}
    out = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956",
                             "--instance-type", "t2.micro"]), "run-instances")
    iid = out["Instances"][0]["InstanceId"]
    t.check(_rl(t, lab, "clock", "advance", "5m").rc == 0, "clock advance")
    _put(t, lab, user, "by-user", iid)
    _put(t, lab, role, "by-role", iid)
    return user, iid


def _put(t, lab, creds, name, iid):
    _ok(t, t.aws(lab, ["cloudwatch", "put-metric-alarm", "--alarm-name", name,
                       "--metric-name", "StatusCheckFailed_System", "--namespace", "AWS/EC2",
                       "--statistic", "Maximum", "--period", "60", "--evaluation-periods", "2",
                       "--comparison-operator", "GreaterThanThreshold", "--threshold", "0",
                       "--dimensions", "Name=InstanceId,Value=" + iid,
                       "--alarm-actions", RECOVER], env=_as(creds)), "put-metric-alarm " + name)


def _audit(t, lab):
    r = _rl(t, lab, "audit", "--json")
    t.check(r.rc in (0, 1), "audit --json: %r" % r)
    return r.rc, r.json()


def test_audit_finds_exactly_the_role_alarm(t):
    lab = t.lab(clock="manual", start=START)
    user, iid = _prepare(t, lab)
    rc, doc = _audit(t, lab)
    t.eq(rc, 1, "audit exit status with the role's alarm")
    errors = [(f["alarm"], f["rule"]) for f in doc["findings"] if f["severity"] == "error"]
    t.eq(errors, [("by-role", "recover-temporary-creator")], "error findings (%r)" % doc)
    role_f = [f for f in doc["findings"] if f["alarm"] == "by-role"][0]
    t.check("will fail with 401 when it fires" in role_f["message"], "message %r" % role_f)
    t.check("AssumedRole arn:aws:sts::%s:assumed-role/ops/oncall" % ACCOUNT in role_f["evidence"],
            "evidence names the role session: %r" % role_f)
    t.check("IAM user" in role_f["fix"], "fix names the way out: %r" % role_f)
    status = {a["alarm"]: a["status"] for a in doc["alarms"]}
    t.eq(status, {"by-user": "ok", "by-role": "error"}, "alarm statuses")
    t.eq(doc["summary"], {"errors": 1, "warnings": 0, "notes": 0, "alarms": 2}, "summary")
    # the table for people says the same
    r = _rl(t, lab, "audit")
    t.eq(r.rc, 1, "audit (table) exit status")
    t.check("by-role" in r.out and "recover-temporary-creator" in r.out and
            "\033[" not in r.out, "table output without colour: %r" % r)
    # re-put as the user: nothing left
    _put(t, lab, user, "by-role", iid)
    rc, doc = _audit(t, lab)
    t.eq(rc, 0, "audit exit status after re-putting as the user")
    t.eq(doc["findings"], [], "findings after re-putting as the user")
    t.eq(doc["summary"]["alarms"], 2, "alarms checked")


def test_drill_one_401_one_success_and_states_restored(t):
    lab = t.lab(clock="manual", start=START)
    _prepare(t, lab)
    before = {a["AlarmName"]: a["StateValue"] for a in _ok(t, t.aws(
        lab, ["cloudwatch", "describe-alarms"]), "describe-alarms")["MetricAlarms"]}
    r = _rl(t, lab, "drill", "by-user", "by-role", "--json", "--timeout", "10s")
    t.eq(r.rc, 1, "drill exit status with one failure: %r" % r)
    drills = {d["alarm"]: d for d in r.json()["drills"]}
    t.eq(drills["by-user"]["status"], "ok", "user's drill (%r)" % drills)
    t.eq([(x["action"], x["result"], x["message"]) for x in drills["by-user"]["actions"]],
         [(RECOVER, "Succeeded", "Successfully executed action " + RECOVER)], "user's action")
    t.eq(drills["by-role"]["status"], "failed", "role's drill")
    t.eq([(x["action"], x["result"], x["error"]) for x in drills["by-role"]["actions"]],
         [(RECOVER, "Failed", ERROR_401)], "role's action")
    t.check(all(d["restored"] for d in drills.values()), "both restored (%r)" % drills)
    t.check("drill by-user" in r.err, "progress on stderr: %r" % r.err)
    after = {a["AlarmName"]: a["StateValue"] for a in _ok(t, t.aws(
        lab, ["cloudwatch", "describe-alarms"]), "describe-alarms")["MetricAlarms"]}
    t.eq(after, before, "alarm states after the drill")
    reasons = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarm-history", "--alarm-name",
                                 "by-user", "--history-item-type", "StateUpdate"]),
                  "history")["AlarmHistoryItems"]
    t.check(any("recoverlab drill" in json.loads(h["HistoryData"])["newState"]["stateReason"]
                for h in reasons), "drill reason in the history: %r" % reasons)
    # unknown alarm: usage error
    r = _rl(t, lab, "drill", "nope")
    t.eq(r.rc, 2, "drill of an unknown alarm")


def test_lint_seed_template_and_instance_check(t):
    r = t.run([BIN, "lint", SEED_EC2])
    t.eq(r.rc, 0, "lint ec2.json exit status: %r" % r)
    t.check("ec2.json:22  warning  RecoveryAlarm  recover-on-status-check-failed" in r.out,
            "StatusCheckFailed warning with its line: %r" % r.out)
    t.check("ec2.json:18  note     RecoveryAlarm  recover-runs-as-deployer" in r.out,
            "creator note with its line: %r" % r.out)
    r = t.run([BIN, "lint", SEED_EC2, "--json"])
    doc = r.json()
    t.eq([(f["severity"], f["rule"], f["line"]) for f in doc["findings"]],
         [("warning", "recover-on-status-check-failed", 22),
          ("note", "recover-runs-as-deployer", 18),
          ("note", "recover-without-notification", 28)], "lint --json findings")
    body = open(SEED_EC2).read().replace('"StatusCheckFailed"', '"StatusCheckFailed_Instance"')
    path = os.path.join(t.mkdtemp("lint"), "instance.json")
    with open(path, "w") as f:
        f.write(body)
    r = t.run([BIN, "lint", path, "--json"])
    t.eq(r.rc, 1, "lint exit status for recover on StatusCheckFailed_Instance: %r" % r)
    t.eq([(f["severity"], f["rule"], f["line"]) for f in r.json()["findings"]],
         [("error", "recover-on-instance-check", 22), ("note", "recover-runs-as-deployer", 18),
          ("note", "recover-without-notification", 28)],
         "findings")
    t.eq(t.run([BIN, "lint"]).rc, 2, "lint without a template")


class _NotALab(http.server.ThreadingHTTPServer):
    """A proxy to the lab that hides GET /_recoverlab/health, as any AWS endpoint would: the
    Host header is passed on, so SigV4 signatures stay valid."""

    def __init__(self, target):
        self.target = urllib.parse.urlparse(target)
        super().__init__(("127.0.0.1", 0), _Proxy)


class _Proxy(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _forward(self):
        if self.path.startswith("/_recoverlab/health"):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        c = http.client.HTTPConnection(self.server.target.hostname, self.server.target.port)
        c.request(self.command, self.path, body=body, headers=dict(self.headers))
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date",
                                 "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        c.close()

    do_GET = do_POST = _forward


def test_drill_refuses_ec2_actions_on_an_endpoint_that_is_not_a_lab(t):
    lab = t.lab(clock="manual", start=START)
    _prepare(t, lab)
    proxy = _NotALab(lab.url)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        url = "http://127.0.0.1:%d" % proxy.server_address[1]
        env = t.client_env(lab)
        r = t.run([BIN, "drill", "by-user", "--endpoint", url, "--json"], env=env)
        t.eq(r.rc, 2, "drill refused: %r" % r)
        t.check("really runs" in r.err and "--yes" in r.err, "refusal says why: %r" % r.err)
        t.eq(r.json()["drills"], [{"alarm": "by-user", "status": "refused"}], "report")
        items = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarm-history", "--alarm-name",
                                   "by-user"]), "history")["AlarmHistoryItems"]
        t.check(not [h for h in items if h["HistoryItemType"] == "Action"],
                "no action ran: %r" % items)
        r = t.run([BIN, "drill", "by-user", "--yes", "--endpoint", url, "--json"], env=env)
        t.eq(r.rc, 0, "drill --yes through the proxy: %r" % r)
        t.eq(r.json()["drills"][0]["status"], "ok", "drill --yes result")
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_audit_key_inactive_race_and_instance_gone(t):
    lab = t.lab(clock="manual", start=START)
    user, iid = _prepare(t, lab)
    _ok(t, t.aws(lab, ["cloudwatch", "put-metric-alarm", "--alarm-name", "reboot",
                       "--metric-name", "StatusCheckFailed_Instance", "--namespace", "AWS/EC2",
                       "--statistic", "Maximum", "--period", "60", "--evaluation-periods", "2",
                       "--comparison-operator", "GreaterThanThreshold", "--threshold", "0",
                       "--treat-missing-data", "breaching",
                       "--dimensions", "Name=InstanceId,Value=" + iid,
                       "--alarm-actions", "arn:aws:automate:us-east-1:ec2:reboot"]),
        "put-metric-alarm reboot")
    _ok(t, t.aws(lab, ["iam", "update-access-key", "--user-name", "alice", "--access-key-id",
                       user["key"], "--status", "Inactive"]), "update-access-key")
    rc, doc = _audit(t, lab)
    t.eq(rc, 1, "audit exit status")
    got = sorted((f["alarm"], f["severity"], f["rule"]) for f in doc["findings"])
    t.eq(got, [("by-role", "error", "recover-temporary-creator"),
               ("by-role", "warning", "reboot-recover-race"),
               ("by-user", "error", "recover-creator-key-inactive"),
               ("by-user", "warning", "reboot-recover-race"),
               ("reboot", "warning", "treat-missing-breaching")], "findings (%r)" % doc)
    creator = [a for a in doc["alarms"] if a["alarm"] == "by-user"][0]["creator"]
    t.eq((creator["type"], creator["accessKeyId"]), ("IAMUser", user["key"]), "creator")
    _ok(t, t.aws(lab, ["ec2", "terminate-instances", "--instance-ids", iid]), "terminate")
    t.check(_rl(t, lab, "clock", "advance", "5m").rc == 0, "clock advance")
    rc, doc = _audit(t, lab)
    gone = sorted(f["alarm"] for f in doc["findings"] if f["rule"] == "instance-gone")
    t.eq(gone, ["by-role", "by-user", "reboot"], "instance-gone findings")
    # another region has no alarms
    r = _rl(t, lab, "audit", "--region", "eu-west-1", "--json")
    t.eq((r.rc, r.json()["summary"]["alarms"]), (0, 0), "audit of an empty region: %r" % r)
