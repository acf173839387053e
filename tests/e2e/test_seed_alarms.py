"""Issue 5 "Done when", the seed's recovery alarm, with the real clients: the seed's alarm
(AWS/EC2 StatusCheckFailed, Minimum, 60, 5, GreaterThanThreshold, 0, action
arn:aws:automate:us-east-1:ec2:recover) on a t2.micro, put by an IAM user (PowerUserAccess, an
access key), by an assumed-role session of a role with PowerUserAccess and by GetSessionToken
credentials. `set-alarm-state ALARM` runs the action as the alarm's creator: the user's alarm
recovers the instance, the others leave the Action item with EC2's 401 — on aws 1.45 (JSON 1.0),
Debian's aws 2.9 (Query) and botocore forced to RPC v2 CBOR; describe-alarms output is the same
apart from names, ARNs and timestamps. Then `recoverlab fault inject --check system` + `clock
advance 6m`: the user's alarm goes to ALARM by itself and recovers the instance, the alarm returns
to OK; the role's alarm leaves the instance impaired with the 401 item. Also: an alarm whose
creator's key was deactivated or deleted, and one put from inside an instance with its profile's
credentials (where both CLIs' `aws configure list` report iam-role), fail with the 401."""
import datetime
import json
import re

from cw import cbor_data_path, check_cbor_wire
from lab import ACCOUNT, BIN, tools

START = "2026-05-01T00:00:00Z"
ADMIN = "aws:amz:us-east-1:recoverlab"
POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
RECOVER = "arn:aws:automate:us-east-1:ec2:recover"
USER_ARN = "arn:aws:iam::%s:user/alice" % ACCOUNT
ROLE_ARN = "arn:aws:iam::%s:role/ops" % ACCOUNT
TRUST_ACCOUNT = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
    "Action": "sts:AssumeRole"}]})
SUCCESS = "Successfully executed action " + RECOVER
ERROR_401 = ("Action failed. Encountered error calling EC2 recover. (401: AWS was not able to "
             "validate the provided access credentials)")
FAILED_401 = "Failed to execute action %s. Received error: \"%s\"" % (RECOVER, ERROR_401)
MASKED = ("AlarmName", "AlarmArn", "AlarmConfigurationUpdatedTimestamp",
          "StateUpdatedTimestamp", "StateTransitionedTimestamp")
WHO = ("user", "role", "sts")


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _as(c):
    env = {"AWS_ACCESS_KEY_ID": c["key"], "AWS_SECRET_ACCESS_KEY": c["secret"]}
    if c.get("token"):
        env["AWS_SESSION_TOKEN"] = c["token"]
    return env


def _rl(t, lab, *args):
    return t.run([BIN] + list(args) + ["--data", lab.data], env=t.client_env())


def _advance(t, lab, dur):
    r = _rl(t, lab, "clock", "advance", dur)
    t.check(r.rc == 0, "clock advance %s: %r" % (dur, r))


def _now(t, lab):
    """The lab's virtual time (naive UTC) from `recoverlab clock`."""
    r = _rl(t, lab, "clock")
    t.check(r.rc == 0, "recoverlab clock: %r" % r)
    return datetime.datetime.strptime(r.out.split()[0][:19], "%Y-%m-%dT%H:%M:%S")


def _view(t, lab, iid):
    status, _, body, _ = t.curl(lab, "/_recoverlab/instances/" + iid, sign=ADMIN)
    t.eq(status, 200, "admin instance view (%r)" % body[:300])
    return json.loads(body)


def _identities(t, lab, old=False):
    """Root creates user alice (PowerUserAccess, an access key) and role ops (trusting the
    account, PowerUserAccess); alice assumes ops and gets a session token. Returns
    {"user"|"role"|"sts": {"key", "secret"[, "token"]}}."""
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "alice"], old=old), "create-user")
    _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", "alice", "--policy-arn",
                       POWER], old=old), "attach PowerUserAccess to alice")
    ak = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", "alice"], old=old),
             "create-access-key")["AccessKey"]
    user = {"key": ak["AccessKeyId"], "secret": ak["SecretAccessKey"]}
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops",
                       "--assume-role-policy-document", TRUST_ACCOUNT], old=old), "create-role")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ops", "--policy-arn", POWER],
                 old=old), "attach PowerUserAccess to ops")
    out = {"user": user}
    c = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name",
                           "oncall"], old=old, env=_as(user)), "alice assume-role")["Credentials"]
    out["role"] = {"key": c["AccessKeyId"], "secret": c["SecretAccessKey"],
                   "token": c["SessionToken"]}
    c = _ok(t, t.aws(lab, ["sts", "get-session-token"], old=old, env=_as(user)),
            "alice get-session-token")["Credentials"]
    out["sts"] = {"key": c["AccessKeyId"], "secret": c["SecretAccessKey"],
                  "token": c["SessionToken"]}
    # who each one is, as STS says
    arns = {}
    for who in WHO:
        arns[who] = _ok(t, t.aws(lab, ["sts", "get-caller-identity"], old=old,
                                 env=_as(out[who])), "get-caller-identity " + who)["Arn"]
    t.eq(arns, {"user": USER_ARN, "role": "arn:aws:sts::%s:assumed-role/ops/oncall" % ACCOUNT,
                "sts": USER_ARN}, "caller identities")
    return out


def _run_instance(t, lab, old=False, auto_recovery=True):
    """aws ec2 run-instances --image-id ami-374db956 --instance-type t2.micro, running with
    its checks passed (clock advanced 5 minutes). auto_recovery=False disables simplified
    automatic recovery with modify-instance-maintenance-options."""
    out = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956",
                             "--instance-type", "t2.micro"], old=old), "run-instances")
    iid = out["Instances"][0]["InstanceId"]
    t.eq(out["Instances"][0]["State"]["Name"], "pending", "state at launch")
    if not auto_recovery:
        m = _ok(t, t.aws(lab, ["ec2", "modify-instance-maintenance-options", "--instance-id", iid,
                               "--auto-recovery", "disabled"], old=old),
                "modify-instance-maintenance-options")
        t.eq(m.get("AutoRecovery"), "disabled", "AutoRecovery after modify (%r)" % m)
    _advance(t, lab, "5m")
    v = _view(t, lab, iid)
    t.eq((v["state"], v["checks"]["system"]["status"]), ("running", "ok"),
         "instance running with passed checks (%r)" % v)
    return iid


def _seed_args(name, iid):
    return ["cloudwatch", "put-metric-alarm", "--alarm-name", name,
            "--metric-name", "StatusCheckFailed", "--namespace", "AWS/EC2",
            "--statistic", "Minimum", "--period", "60", "--evaluation-periods", "5",
            "--comparison-operator", "GreaterThanThreshold", "--threshold", "0",
            "--dimensions", "Name=InstanceId,Value=" + iid, "--alarm-actions", RECOVER]


def _seed_params(name, iid):
    return dict(AlarmName=name, MetricName="StatusCheckFailed", Namespace="AWS/EC2",
                Statistic="Minimum", Period=60, EvaluationPeriods=5,
                ComparisonOperator="GreaterThanThreshold", Threshold=0.0,
                Dimensions=[{"Name": "InstanceId", "Value": iid}], AlarmActions=[RECOVER])


class _Cli:
    """The CloudWatch calls through an aws CLI (old=True: Debian's 2.9, Query)."""

    def __init__(self, t, lab, old):
        self.t, self.lab, self.old = t, lab, old
        self.who = "aws 2.9 (Query)" if old else "aws 1.45 (JSON 1.0)"

    def _call(self, args, creds, what):
        env = _as(creds) if creds else None
        return _ok(self.t, self.t.aws(self.lab, args, old=self.old, env=env),
                   "%s %s" % (self.who, what))

    def put(self, creds, name, iid):
        self._call(_seed_args(name, iid), creds, "put-metric-alarm " + name)

    def describe(self, names):
        return self._call(["cloudwatch", "describe-alarms", "--alarm-names"] + names, None,
                          "describe-alarms")["MetricAlarms"]

    def set_alarm(self, creds, name):
        self._call(["cloudwatch", "set-alarm-state", "--alarm-name", name, "--state-value",
                    "ALARM", "--state-reason", "Manual Update to ALARM"], creds,
                   "set-alarm-state " + name)

    def history(self, name, kind):
        return self._call(["cloudwatch", "describe-alarm-history", "--alarm-name", name,
                           "--history-item-type", kind], None,
                          "describe-alarm-history " + name)["AlarmHistoryItems"]


class _Cbor:
    """The CloudWatch calls through the default botocore forced to RPC v2 CBOR (every
    response's wire format checked)."""

    def __init__(self, t, lab):
        self.t, self.lab = t, lab
        self.env = {"AWS_DATA_PATH": cbor_data_path(t)}
        self.who = "botocore forced to CBOR"

    def _call(self, op, wire_op, params, creds=None):
        call = {"service": "cloudwatch", "op": op, "params": params}
        if creds:
            call.update(creds)
        res = self.t.boto(self.lab, [call], env=self.env)[0]
        self.t.check(res["ok"], "%s %s: %r" % (self.who, op, res))
        check_cbor_wire(self.t, res, wire_op)
        return res["data"]

    def put(self, creds, name, iid):
        self._call("put_metric_alarm", "PutMetricAlarm", _seed_params(name, iid), creds)

    def describe(self, names):
        return self._call("describe_alarms", "DescribeAlarms",
                          {"AlarmNames": names})["MetricAlarms"]

    def set_alarm(self, creds, name):
        self._call("set_alarm_state", "SetAlarmState",
                   {"AlarmName": name, "StateValue": "ALARM",
                    "StateReason": "Manual Update to ALARM"}, creds)

    def history(self, name, kind):
        return self._call("describe_alarm_history", "DescribeAlarmHistory",
                          {"AlarmName": name, "HistoryItemType": kind})["AlarmHistoryItems"]


def _masked(a):
    return {k: ("<masked>" if k in MASKED else v) for k, v in a.items()}


def _check_action_item(t, items, want_summary, who):
    t.eq([x["HistorySummary"] for x in items], [want_summary], "%s Action items" % who)
    hd = json.loads(items[0]["HistoryData"])
    t.eq(hd.get("actionState"), "Failed" if want_summary == FAILED_401 else "Succeeded",
         "%s actionState (%r)" % (who, hd))
    t.eq(hd.get("notificationResource"), RECOVER, "%s notificationResource" % who)
    if want_summary == FAILED_401:
        t.eq(hd.get("error"), ERROR_401, "%s HistoryData error" % who)


def _seed_set_alarm_state(t, lab, api, old=False):
    """The three creators' alarms on one instance: describe-alarms identical apart from names;
    set-alarm-state ALARM on the role's and the session token's alarms -> 401 items and no
    recovery; on the user's -> success item and the instance on a new host."""
    ids = _identities(t, lab, old=old)
    iid = _run_instance(t, lab, old=old)
    host0 = _view(t, lab, iid)["hostId"]
    names = ["seed-" + w for w in WHO]
    for who in WHO:
        api.put(ids[who], "seed-" + who, iid)
    alarms = {a["AlarmName"]: a for a in api.describe(names)}
    t.eq(sorted(alarms), sorted(names), "%s described alarms" % api.who)
    u = alarms["seed-user"]
    t.eq((u["Namespace"], u["MetricName"], u["Statistic"], u["Period"], u["EvaluationPeriods"],
          u["ComparisonOperator"], u["Threshold"], u["Dimensions"], u["AlarmActions"],
          u["StateValue"], u["StateReason"], u["ActionsEnabled"]),
         ("AWS/EC2", "StatusCheckFailed", "Minimum", 60, 5, "GreaterThanThreshold", 0.0,
          [{"Name": "InstanceId", "Value": iid}], [RECOVER], "INSUFFICIENT_DATA",
          "Unchecked: Initial alarm creation", True), "%s the user's alarm" % api.who)
    t.eq(u["AlarmArn"], "arn:aws:cloudwatch:us-east-1:%s:alarm:seed-user" % ACCOUNT,
         "%s AlarmArn" % api.who)
    for who in ("role", "sts"):
        t.eq(_masked(alarms["seed-" + who]), _masked(u),
             "%s describe-alarms: the %s's alarm vs the user's (names, ARNs, timestamps "
             "masked)" % (api.who, who))

    # the role session sets its own alarm; root sets the GetSessionToken one: the creator
    # decides, not the caller of SetAlarmState
    for who, setter in (("role", ids["role"]), ("sts", None)):
        api.set_alarm(setter, "seed-" + who)
        _check_action_item(t, api.history("seed-" + who, "Action"), FAILED_401,
                           "%s %s's alarm" % (api.who, who))
        v = _view(t, lab, iid)
        t.eq((v["hostId"], v["recoveries"]), (host0, []),
             "%s no recovery by the %s's alarm" % (api.who, who))
    api.set_alarm(ids["user"], "seed-user")
    state = api.history("seed-user", "StateUpdate")
    t.eq([x["HistorySummary"] for x in state], ["Alarm updated from INSUFFICIENT_DATA to ALARM"],
         "%s the user's StateUpdate item" % api.who)
    t.eq(json.loads(state[0]["HistoryData"])["newState"]["stateReason"],
         "Manual Update to ALARM", "%s newState reason" % api.who)
    _check_action_item(t, api.history("seed-user", "Action"), SUCCESS,
                       "%s user's alarm" % api.who)
    v = _view(t, lab, iid)
    t.eq(len(v["recoveries"]), 1, "%s one recovery: %r" % (api.who, v["recoveries"]))
    r = v["recoveries"][0]
    t.eq((r["status"], r["mechanism"], r["by"], r["fromHost"]),
         ("succeeded", "recover-action", USER_ARN, host0), "%s the recovery" % api.who)
    t.check(v["hostId"] != host0 and r["toHost"] == v["hostId"],
            "%s recovered onto a new host: %r" % (api.who, v))
    t.eq(v["state"], "running", "%s state after recovery" % api.who)


def test_seed_set_alarm_state_cli_json(t):
    lab = t.lab(clock="manual", start=START)
    _seed_set_alarm_state(t, lab, _Cli(t, lab, old=False))


def test_seed_set_alarm_state_cli_query(t):
    t.need("old_aws")
    lab = t.lab(clock="manual", start=START)
    _seed_set_alarm_state(t, lab, _Cli(t, lab, old=True), old=True)


def test_seed_set_alarm_state_botocore_cbor(t):
    t.need("new_py", "new_aws")
    lab = t.lab(clock="manual", start=START)
    _seed_set_alarm_state(t, lab, _Cbor(t, lab))


def _describe(t, lab, name, old=False):
    out = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms", "--alarm-names", name], old=old),
              "describe-alarms " + name)
    t.eq(len(out["MetricAlarms"]), 1, "alarm %s" % name)
    return out["MetricAlarms"][0]


def _history(t, lab, name, kind, old=False):
    return _ok(t, t.aws(lab, ["cloudwatch", "describe-alarm-history", "--alarm-name", name,
                              "--history-item-type", kind], old=old), "history " + name)[
        "AlarmHistoryItems"]


def _fault_to_alarm(t, lab, who, creds, old=False):
    """A t2.micro (AutoRecovery disabled: only the alarm may recover it) with the seed's alarm
    put by `creds`, OK on passing checks; a system fault + 6 virtual minutes -> ALARM by
    itself. Returns (instance id, host before, alarm name, fault time)."""
    iid = _run_instance(t, lab, old=old, auto_recovery=False)
    name = "seed-" + who
    _ok(t, t.aws(lab, _seed_args(name, iid), env=_as(creds), old=old),
        "put-metric-alarm as " + who)
    _advance(t, lab, "1m")
    a = _describe(t, lab, name, old)
    t.eq(a["StateValue"], "OK", "%s: alarm on passing checks (%r)" % (who, a["StateReason"]))
    host0 = _view(t, lab, iid)["hostId"]
    fault_at = _now(t, lab)
    r = _rl(t, lab, "fault", "inject", iid, "--check", "system")
    t.check(r.rc == 0 and r.out.strip().startswith("f-"), "fault inject: %r" % r)
    _advance(t, lab, "6m")
    items = _history(t, lab, name, "StateUpdate", old)
    t.eq(items[0]["HistorySummary"], "Alarm updated from OK to ALARM",
         "%s: newest StateUpdate (%r)" % (who, [x["HistorySummary"] for x in items]))
    new_state = json.loads(items[0]["HistoryData"])["newState"]
    reason = new_state["stateReason"]
    m = re.match(r"^Threshold Crossed: 5 datapoints \[((?:1\.0 \(\d\d/\d\d/\d\d "
                 r"\d\d:\d\d:\d\d\)(?:, )?){5})\] were greater than the threshold \(0\.0\)\.$",
                 reason)
    t.check(m, "%s: StateReason %r" % (who, reason))
    stamps = [datetime.datetime.strptime(x, "%d/%m/%y %H:%M:%S")
              for x in re.findall(r"\(([^)]*)\)", m.group(1))]
    t.eq([(stamps[0] - s).total_seconds() for s in stamps], [0, 60, 120, 180, 240],
         "%s: five consecutive minutes, newest first (%r)" % (who, reason))
    t.check(stamps[-1] >= fault_at, "%s: datapoints from the fault on (%r)" % (who, reason))
    data = new_state["stateReasonData"]
    t.eq((data["statistic"], data["period"], data["threshold"], data["recentDatapoints"]),
         ("Minimum", 60, 0.0, [1.0] * 5), "%s: StateReasonData %r" % (who, data))
    a = _describe(t, lab, name, old)
    t.eq((a["StateValue"], a["StateReason"]), ("ALARM", reason), "%s: alarm state" % who)
    t.eq(json.loads(a["StateReasonData"]), data, "%s: describe-alarms StateReasonData" % who)
    return iid, host0, name, fault_at


def test_fault_user_alarm_recovers_and_returns_to_ok(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    ids = _identities(t, lab)
    iid, host0, name, _ = _fault_to_alarm(t, lab, "user", ids["user"])
    _check_action_item(t, _history(t, lab, name, "Action"), SUCCESS, "user's alarm")
    v = _view(t, lab, iid)
    t.eq([(r["mechanism"], r["by"], r["fromHost"]) for r in v["recoveries"]],
         [("recover-action", USER_ARN, host0)], "recovered by the alarm as alice")
    t.check(v["hostId"] != host0, "on a new host: %r" % v)
    t.eq([(f["status"], f["clearedBy"]) for f in v["faults"]], [("cleared", "recovery")],
         "the system fault after the recovery")
    _advance(t, lab, "4m")  # checks initializing 3 minutes, then passing
    st = _ok(t, t.aws(lab, ["ec2", "describe-instance-status", "--instance-ids", iid]),
             "describe-instance-status")["InstanceStatuses"][0]
    t.eq((st["SystemStatus"]["Status"], st["InstanceStatus"]["Status"]), ("ok", "ok"),
         "checks on the new host")
    a = _describe(t, lab, name)
    t.eq(a["StateValue"], "OK", "the alarm returns to OK (%r)" % a["StateReason"])
    t.check(a["StateReason"].startswith("Threshold Crossed: ") and
            a["StateReason"].endswith("were not greater than the threshold (0.0)."),
            "OK StateReason %r" % a["StateReason"])
    t.eq([x["HistorySummary"] for x in _history(t, lab, name, "StateUpdate")][:2],
         ["Alarm updated from ALARM to OK", "Alarm updated from OK to ALARM"],
         "StateUpdate items")
    t.eq(len(_history(t, lab, name, "Action")), 1, "one Action item (OK has no actions)")


def test_fault_role_alarm_401_leaves_instance_impaired_cli_query(t):
    """The role's alarm, all through Debian's aws 2.9 (Query for CloudWatch)."""
    t.need("old_aws")
    lab = t.lab(clock="manual", start=START)
    ids = _identities(t, lab, old=True)
    iid, host0, name, fault_at = _fault_to_alarm(t, lab, "role", ids["role"], old=True)
    _check_action_item(t, _history(t, lab, name, "Action", old=True), FAILED_401,
                       "role's alarm")
    _advance(t, lab, "10m")
    v = _view(t, lab, iid)
    t.eq((v["hostId"], v["recoveries"]), (host0, []), "no recovery")
    st = _ok(t, t.aws(lab, ["ec2", "describe-instance-status", "--instance-ids", iid], old=True),
             "describe-instance-status")["InstanceStatuses"][0]
    t.eq((st["SystemStatus"]["Status"], st["InstanceStatus"]["Status"]),
         ("impaired", "impaired"), "the instance stays impaired")
    a = _describe(t, lab, name, old=True)
    t.eq(a["StateValue"], "ALARM", "the alarm stays in ALARM")
    # 16 minutes of the fault: StatusCheckFailed_System reads 1 each minute (Query)
    end = fault_at + datetime.timedelta(minutes=16)
    stats = _ok(t, t.aws(lab, [
        "cloudwatch", "get-metric-statistics", "--namespace", "AWS/EC2",
        "--metric-name", "StatusCheckFailed_System", "--dimensions", "Name=InstanceId,Value=" + iid,
        "--start-time", fault_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "--end-time", end.strftime("%Y-%m-%dT%H:%M:%SZ"), "--period", "60",
        "--statistics", "Maximum"], old=True), "get-metric-statistics (aws 2.9)")
    t.eq(sorted((d["Maximum"], d["Unit"]) for d in stats["Datapoints"]), [(1.0, "Count")] * 16,
         "StatusCheckFailed_System per minute since the fault")
    t.eq(len(_history(t, lab, name, "Action", old=True)), 1,
         "actions run only on the transition")


def test_user_alarm_after_key_deactivated_or_deleted_401(t):
    """The creator's access key must still be active when the action runs: deactivated ->
    401, reactivated -> success; the user deleted -> 401."""
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    ids = _identities(t, lab)
    iid = _run_instance(t, lab)
    host0 = _view(t, lab, iid)["hostId"]
    _ok(t, t.aws(lab, _seed_args("seed-user", iid), env=_as(ids["user"])), "put-metric-alarm")
    key = ids["user"]["key"]
    _ok(t, t.aws(lab, ["iam", "update-access-key", "--user-name", "alice", "--access-key-id",
                       key, "--status", "Inactive"]), "deactivate alice's key")
    setter = ["cloudwatch", "set-alarm-state", "--alarm-name", "seed-user", "--state-reason",
              "Manual Update to ALARM", "--state-value"]
    _ok(t, t.aws(lab, setter + ["ALARM"]), "set-alarm-state ALARM")
    _check_action_item(t, _history(t, lab, "seed-user", "Action"), FAILED_401,
                       "alarm of a deactivated key")
    t.eq(_view(t, lab, iid)["recoveries"], [], "no recovery with the key inactive")
    _ok(t, t.aws(lab, ["iam", "update-access-key", "--user-name", "alice", "--access-key-id",
                       key, "--status", "Active"]), "reactivate alice's key")
    _ok(t, t.aws(lab, setter + ["OK"]), "set-alarm-state OK")
    _ok(t, t.aws(lab, setter + ["ALARM"]), "set-alarm-state ALARM again")
    items = _history(t, lab, "seed-user", "Action")
    t.eq([x["HistorySummary"] for x in items], [SUCCESS, FAILED_401],
         "Action items, newest first")
    v = _view(t, lab, iid)
    t.eq([(r["by"], r["fromHost"]) for r in v["recoveries"]], [(USER_ARN, host0)],
         "recovered once the key is active again")
    # the user gone (its key, its policy, then the user): the next ALARM fails again
    _ok(t, t.aws(lab, ["iam", "delete-access-key", "--user-name", "alice", "--access-key-id",
                       key]), "delete-access-key")
    _ok(t, t.aws(lab, ["iam", "detach-user-policy", "--user-name", "alice", "--policy-arn",
                       POWER]), "detach-user-policy")
    _ok(t, t.aws(lab, ["iam", "delete-user", "--user-name", "alice"]), "delete-user")
    _advance(t, lab, "5m")  # checks pass again after the recovery
    _ok(t, t.aws(lab, setter + ["OK"]), "set-alarm-state OK")
    _ok(t, t.aws(lab, setter + ["ALARM"]), "set-alarm-state ALARM, user deleted")
    items = _history(t, lab, "seed-user", "Action")
    t.eq([x["HistorySummary"] for x in items], [FAILED_401, SUCCESS, FAILED_401],
         "Action items after the user is deleted")
    t.eq(len(_view(t, lab, iid)["recoveries"]), 1, "no second recovery")


TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


def test_instance_profile_alarm_401(t):
    """Issues 4 + 5: from inside an instance with a profile (IMDS endpoint, no other
    credentials) both CLIs' `aws configure list` report iam-role; the seed's alarm put there
    with the instance-profile session fails its recover action with the 401 item."""
    t.need("new_aws", "old_aws")
    lab = t.lab()  # real clock: the CLIs compare the credentials' Expiration with the wall clock
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "app-role",
                       "--assume-role-policy-document", TRUST_EC2]), "create-role")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "app-role", "--policy-arn",
                       POWER]), "attach PowerUserAccess to app-role")
    _ok(t, t.aws(lab, ["iam", "create-instance-profile", "--instance-profile-name",
                       "app-profile"]), "create-instance-profile")
    _ok(t, t.aws(lab, ["iam", "add-role-to-instance-profile", "--instance-profile-name",
                       "app-profile", "--role-name", "app-role"]), "add-role-to-instance-profile")
    out = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956",
                             "--instance-type", "t2.micro", "--iam-instance-profile",
                             "Name=app-profile"]), "run-instances")
    iid = out["Instances"][0]["InstanceId"]
    _advance(t, lab, "5m")
    host0 = _view(t, lab, iid)["hostId"]
    env = t.client_env()
    for k, v in lab.env().items():
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env[k] = v
    env.update({"AWS_EC2_METADATA_DISABLED": "false",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": "%s/_recoverlab/imds/%s/" % (lab.url, iid),
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_CONFIG_FILE": "/dev/null"})
    for exe in (tools()["new_aws"], tools()["old_aws"]):
        r = t.run([exe, "configure", "list"], env=env)
        t.check(r.rc == 0, "%s configure list: %r" % (exe, r))
        lines = {l.split()[0]: l.split() for l in r.out.splitlines() if l.strip()}
        t.eq(lines.get("access_key", [])[-1:], ["iam-role"],
             "%s access_key type (%r)" % (exe, r.out))
    r = t.run([tools()["new_aws"], "--output", "json"] + _seed_args("seed-instance", iid),
              env=env)
    t.check(r.rc == 0, "put-metric-alarm from inside the instance: %r" % r)
    r = t.run([tools()["old_aws"], "--output", "json", "--endpoint-url", lab.url,
               "cloudwatch", "set-alarm-state", "--alarm-name", "seed-instance",
               "--state-value", "ALARM", "--state-reason", "Manual Update to ALARM"], env=env)
    t.check(r.rc == 0, "set-alarm-state from inside the instance (aws 2.9): %r" % r)
    _check_action_item(t, _history(t, lab, "seed-instance", "Action"), FAILED_401,
                       "instance profile's alarm")
    v = _view(t, lab, iid)
    t.eq((v["hostId"], v["recoveries"]), (host0, []), "no recovery by the profile's alarm")
