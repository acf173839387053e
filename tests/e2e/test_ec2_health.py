"""Issue 4 "Done when", health part, with the real aws CLI and the recoverlab CLI: a system
fault shows in describe-instance-status (impaired, ImpairedSince) and as
StatusCheckFailed_System = 1 per minute in get-metric-statistics; simplified automatic
recovery moves the instance to a new host after the delay and its checks return to ok — but
never with AutoRecovery=disabled; instance/ebs faults, durations, `fault list|clear`; the admin
instance view; and from inside an instance with a profile (IMDS endpoint, no other
credentials) `aws configure list` reports iam-role and get-caller-identity shows
assumed-role/<role>/<instance-id>."""
import datetime
import json

from lab import ACCOUNT, BIN, tools

START = "2026-05-01T00:00:00Z"
ADMIN = "aws:amz:us-east-1:recoverlab"
DELAY_S = 180   # simplified automatic recovery delay (health_internal.h)
INIT_S = 180    # status checks initializing after a boot (ec2.h)
TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _rl(t, lab, *args):
    return t.run([BIN] + list(args) + ["--data", lab.data], env=t.client_env())


def _advance(t, lab, dur):
    r = _rl(t, lab, "clock", "advance", dur)
    t.check(r.rc == 0, "clock advance %s: %r" % (dur, r))


def _run_instance(t, lab, *extra):
    out = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956",
                             "--instance-type", "t2.micro"] + list(extra)), "run-instances")
    iid = out["Instances"][0]["InstanceId"]
    _advance(t, lab, "1m")  # pending -> running
    return iid


def _status(t, lab, iid):
    out = _ok(t, t.aws(lab, ["ec2", "describe-instance-status", "--instance-ids", iid]),
              "describe-instance-status")
    t.eq(len(out["InstanceStatuses"]), 1, "statuses of %s: %r" % (iid, out))
    return out["InstanceStatuses"][0]


def _view(t, lab, iid):
    status, _, body, _ = t.curl(lab, "/_recoverlab/instances/" + iid, sign=ADMIN)
    t.eq(status, 200, "admin instance view (%r)" % body[:300])
    return json.loads(body)


def _inject(t, lab, iid, check, *extra):
    r = _rl(t, lab, "fault", "inject", iid, "--check", check, *extra)
    t.check(r.rc == 0 and r.out.strip().startswith("f-"), "fault inject %s: %r" % (check, r))
    return r.out.strip()


def _iso(s):
    """A timestamp as the CLI prints it: ISO 8601, or epoch seconds (JSON protocols)."""
    if isinstance(s, (int, float)):
        return datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def test_system_fault_metrics_and_auto_recovery(t):
    lab = t.lab(clock="manual", start=START)
    iid = _run_instance(t, lab)
    st = _status(t, lab, iid)
    t.eq(st["SystemStatus"]["Status"], "initializing", "checks right after launch")
    _advance(t, lab, "5m")
    st = _status(t, lab, iid)
    t.eq((st["SystemStatus"]["Status"], st["InstanceStatus"]["Status"]), ("ok", "ok"),
         "checks once initialized")
    host0 = _view(t, lab, iid)["hostId"]
    t.check(host0 and host0.startswith("h-"), "host of a running instance: %r" % host0)

    _inject(t, lab, iid, "system")  # at 00:06:00
    _advance(t, lab, "2m")          # 00:08:00, before the recovery delay
    st = _status(t, lab, iid)
    for check in ("SystemStatus", "InstanceStatus"):
        t.eq(st[check]["Status"], "impaired", check)
        d = st[check]["Details"][0]
        t.eq((d["Name"], d["Status"]), ("reachability", "failed"), check + " details")
        t.eq(_iso(d["ImpairedSince"]), _iso("2026-05-01T00:06:00Z"), check + " ImpairedSince")
    t.eq(st["AttachedEbsStatus"]["Status"], "ok", "EBS check under a system fault")
    r = t.aws(lab, ["ec2", "describe-instance-status", "--filters",
                    "Name=system-status.status,Values=impaired"])
    t.eq([s["InstanceId"] for s in _ok(t, r, "filtered")["InstanceStatuses"]], [iid],
         "system-status.status=impaired filter")

    stats = _ok(t, t.aws(lab, [
        "cloudwatch", "get-metric-statistics", "--namespace", "AWS/EC2",
        "--metric-name", "StatusCheckFailed_System", "--dimensions",
        "Name=InstanceId,Value=" + iid, "--start-time", "2026-05-01T00:04:00Z",
        "--end-time", "2026-05-01T00:09:00Z", "--period", "60", "--statistics", "Maximum"]),
        "get-metric-statistics")
    got = sorted((_iso(d["Timestamp"]).strftime("%H:%M"), d["Maximum"], d["Unit"])
                 for d in stats["Datapoints"])
    t.eq(got, [("00:04", 0.0, "Count"), ("00:05", 0.0, "Count"), ("00:06", 1.0, "Count"),
               ("00:07", 1.0, "Count"), ("00:08", 1.0, "Count")], "one datapoint per minute")
    lst = _ok(t, t.aws(lab, ["cloudwatch", "list-metrics", "--namespace", "AWS/EC2",
                             "--dimensions", "Name=InstanceId,Value=" + iid]), "list-metrics")
    t.eq(sorted(m["MetricName"] for m in lst["Metrics"]),
         ["StatusCheckFailed", "StatusCheckFailed_AttachedEBS", "StatusCheckFailed_Instance",
          "StatusCheckFailed_System"], "listed status-check metrics")

    lab.restart()           # the armed recovery is a queued clock event: it survives
    _advance(t, lab, "1m")  # 00:09:00 = fault + delay: recovered onto a new host
    v = _view(t, lab, iid)
    t.check(v["hostId"] != host0, "recovered to a new host: %r" % v)
    t.eq(len(v["recoveries"]), 1, "one recovery: %r" % v["recoveries"])
    t.eq(v["recoveries"][0]["by"], "ec2.amazonaws.com", "recovered by EC2 itself")
    st = _status(t, lab, iid)
    t.eq(st["SystemStatus"]["Status"], "initializing", "checks after the recovery (a reboot)")
    t.eq(st["InstanceState"]["Name"], "running", "state through the recovery")
    t.eq([e["Code"] for e in st.get("Events", [])], ["system-reboot"], "recovery event")
    _advance(t, lab, "%ds" % INIT_S)
    st = _status(t, lab, iid)
    t.eq((st["SystemStatus"]["Status"], st["InstanceStatus"]["Status"]), ("ok", "ok"),
         "checks on the new host")
    faults = json.loads(_rl(t, lab, "fault", "list", "--json").out)["faults"]
    t.eq([(f["status"], f["clearedBy"]) for f in faults], [("cleared", "recovery")],
         "the system fault after the recovery")


def test_auto_recovery_disabled_stays_impaired(t):
    lab = t.lab(clock="manual", start=START)
    iid = _run_instance(t, lab, "--maintenance-options", "AutoRecovery=disabled")
    _advance(t, lab, "5m")
    host0 = _view(t, lab, iid)["hostId"]
    _inject(t, lab, iid, "system")
    _advance(t, lab, "30m")
    v = _view(t, lab, iid)
    t.eq(v["hostId"], host0, "no recovery with AutoRecovery=disabled")
    t.eq(v["recoveries"], [], "recoveries")
    st = _status(t, lab, iid)
    t.eq(st["SystemStatus"]["Status"], "impaired", "still impaired after 30 minutes")
    stats = _ok(t, t.aws(lab, [
        "cloudwatch", "get-metric-statistics", "--namespace", "AWS/EC2",
        "--metric-name", "StatusCheckFailed", "--dimensions", "Name=InstanceId,Value=" + iid,
        "--start-time", "2026-05-01T00:10:00Z", "--end-time", "2026-05-01T00:30:00Z",
        "--period", "600", "--statistics", "Sum", "SampleCount"]), "get-metric-statistics")
    got = sorted((d["Sum"], d["SampleCount"]) for d in stats["Datapoints"])
    t.eq(got, [(10.0, 10.0), (10.0, 10.0)], "StatusCheckFailed over two 10-minute periods")


def test_instance_and_ebs_faults_cli(t):
    lab = t.lab(clock="manual", start=START)
    iid = _run_instance(t, lab)
    _advance(t, lab, "5m")
    f_inst = _inject(t, lab, iid, "instance")
    f_ebs = _inject(t, lab, iid, "ebs", "--for", "10m")
    _advance(t, lab, "1m")
    st = _status(t, lab, iid)
    t.eq((st["SystemStatus"]["Status"], st["InstanceStatus"]["Status"],
          st["AttachedEbsStatus"]["Status"]), ("ok", "impaired", "impaired"),
         "instance + ebs faults")
    r = _rl(t, lab, "fault", "list")
    t.check(r.rc == 0 and f_inst in r.out and f_ebs in r.out and "active" in r.out,
            "fault list: %r" % r)
    # a reboot clears the guest fault, not the EBS one
    _ok(t, t.aws(lab, ["ec2", "reboot-instances", "--instance-ids", iid]), "reboot")
    _advance(t, lab, "5m")
    st = _status(t, lab, iid)
    t.eq((st["InstanceStatus"]["Status"], st["AttachedEbsStatus"]["Status"]), ("ok", "impaired"),
         "after the reboot")
    _advance(t, lab, "5m")  # the --for 10m duration ends
    t.eq(_status(t, lab, iid)["AttachedEbsStatus"]["Status"], "ok", "after the ebs duration")
    faults = {f["faultId"]: f for f in json.loads(_rl(t, lab, "fault", "list", "--json").out)[
        "faults"]}
    t.eq(faults[f_inst]["clearedBy"], "reboot", "instance fault cleared by")
    t.eq(faults[f_ebs]["clearedBy"], "expired", "ebs fault cleared by")
    # clear by hand
    f2 = _inject(t, lab, iid, "instance")
    r = _rl(t, lab, "fault", "clear", f2)
    t.check(r.rc == 0 and "cleared" in r.out, "fault clear: %r" % r)
    t.eq(_status(t, lab, iid)["InstanceStatus"]["Status"], "ok", "after fault clear")
    # errors
    r = _rl(t, lab, "fault", "inject", "i-0000000000000dead", "--check", "system")
    t.check(r.rc == 1 and "InvalidInstanceID.NotFound" in r.err, "unknown instance: %r" % r)
    r = _rl(t, lab, "fault", "inject", iid, "--check", "disk")
    t.eq(r.rc, 2, "bad --check is a usage error (%r)" % r)
    r = _rl(t, lab, "fault", "clear", "f-00000000000000000")
    t.eq(r.rc, 1, "clearing an unknown fault (%r)" % r)
    status, _, body, _ = t.curl(lab, "/_recoverlab/faults", sign=None)
    t.eq(status, 403, "unsigned fault list (%r)" % body[:200])
    status, _, body, _ = t.curl(lab, "/_recoverlab/instances/i-0000000000000dead", sign=ADMIN)
    t.eq(status, 404, "admin view of an unknown instance (%r)" % body[:200])


def _imds_env(t, lab, iid, extra=None):
    """An instance's environment: the IMDS endpoint and the lab's endpoint, no credentials."""
    e = t.client_env()
    for k, v in lab.env().items():
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            e[k] = v
    e.update({"AWS_EC2_METADATA_DISABLED": "false",
              "AWS_EC2_METADATA_SERVICE_ENDPOINT": "%s/_recoverlab/imds/%s/" % (lab.url, iid),
              "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_CONFIG_FILE": "/dev/null"})
    e.update(extra or {})
    return e


def test_imds_instance_profile_credentials(t):
    lab = t.lab()  # real clock: SDKs compare the credentials' Expiration with the wall clock
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "app-role",
                       "--assume-role-policy-document", TRUST_EC2]), "create-role")
    _ok(t, t.aws(lab, ["iam", "create-instance-profile", "--instance-profile-name",
                       "app-profile"]), "create-instance-profile")
    _ok(t, t.aws(lab, ["iam", "add-role-to-instance-profile", "--instance-profile-name",
                       "app-profile", "--role-name", "app-role"]), "add-role-to-instance-profile")
    out = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956",
                             "--instance-type", "t2.micro", "--iam-instance-profile",
                             "Name=app-profile", "--metadata-options", "HttpTokens=required"]),
              "run-instances")
    iid = out["Instances"][0]["InstanceId"]
    env = _imds_env(t, lab, iid)
    exe = tools()["new_aws"]
    t.need("new_aws")
    r = t.run([exe, "configure", "list"], env=env)
    t.check(r.rc == 0, "aws configure list: %r" % r)
    lines = {l.split()[0]: l.split() for l in r.out.splitlines() if l.strip()}
    t.eq(lines.get("access_key", [])[-1:], ["iam-role"], "access_key type (%r)" % r.out)
    r = t.run([exe, "sts", "get-caller-identity", "--output", "json"], env=env)
    ident = _ok(t, r, "get-caller-identity from inside the instance")
    t.eq(ident["Arn"], "arn:aws:sts::%s:assumed-role/app-role/%s" % (ACCOUNT, iid), "Arn")
    t.check(ident["UserId"].startswith("AROA") and ident["UserId"].endswith(":" + iid),
            "UserId %r" % ident["UserId"])
    if tools().get("old_aws"):  # Debian's aws 2.9 finds the IMDS the same way
        r = t.run([tools()["old_aws"], "sts", "get-caller-identity", "--output", "json",
                   "--endpoint-url", lab.url], env=env)
        t.eq(_ok(t, r, "aws 2.9 get-caller-identity")["Arn"], ident["Arn"], "aws 2.9 Arn")

    base = "/_recoverlab/imds/%s/latest/" % iid
    status, _, body, _ = t.curl(lab, base + "meta-data/instance-id")
    t.eq(status, 401, "no token while HttpTokens=required (%r)" % body)
    status, _, body, _ = t.curl(lab, base + "api/token", ["-X", "PUT", "-H",
                                "X-aws-ec2-metadata-token-ttl-seconds: 0"])
    t.eq(status, 400, "ttl 0 (%r)" % body)
    status, hdr, tok, _ = t.curl(lab, base + "api/token", ["-X", "PUT", "-H",
                                 "X-aws-ec2-metadata-token-ttl-seconds: 120"])
    t.eq(status, 200, "token (%r)" % tok)
    t.check(hdr.get("content-type", "").startswith("text/plain"), "token content type")
    auth = ["-H", "X-aws-ec2-metadata-token: " + tok.decode()]
    status, _, body, _ = t.curl(lab, base + "meta-data/iam/security-credentials/", auth)
    t.eq((status, body), (200, b"app-role"), "role name")
    status, _, body, _ = t.curl(lab, base + "meta-data/iam/security-credentials/app-role", auth)
    text = body.decode()
    t.check(status == 200 and text.startswith('{\n  "Code" : "Success",\n  "LastUpdated" : "'),
            "credential JSON layout: %r" % text)
    creds = json.loads(text)
    t.eq(creds["Type"], "AWS-HMAC", "Type")
    t.check(creds["AccessKeyId"].startswith("ASIA"), "AccessKeyId %r" % creds["AccessKeyId"])
    status, _, body, _ = t.curl(lab, base + "meta-data/placement/region", auth)
    t.eq((status, body), (200, b"us-east-1"), "placement/region")
    status, _, body, _ = t.curl(lab, base + "meta-data/nothing-here", auth)
    t.eq(status, 404, "unknown item")
