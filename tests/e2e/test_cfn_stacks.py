"""Issue 6 "Done when" 1-4, the seed's report with the real aws CLI: root makes user `cfn`
(PowerUserAccess, access key, profile `cfn`) and a role with PowerUserAccess in an instance
profile on a running "workstation" instance. From inside the workstation (IMDS credentials,
`aws configure list` shows iam-role) the role creates stack ec2-recoveryalarm-role from the
seed's ec2.json; as profile cfn the user creates ec2-recoveryalarm-user. Both reach
CREATE_COMPLETE (CREATE_IN_PROGRESS visible first, `wait stack-create-complete` under the real
clock), alarm names <stack>-RecoveryAlarm-<12-13 chars>, Outputs give the instance id and alarm
name. set-alarm-state ALARM: the role's alarm history shows EC2's 401, the user's succeeds.
As cfn, update-stack with ec2_update.json replaces the role's alarm with
ec2-recoveryalarm-role-RecoveryAlarm-renew (old one deleted in cleanup), which now recovers.
describe-alarms says nothing about creators. Then events, resources, template, no-op update,
delete (reverse order, listable by id), a failing second resource rolling back, capabilities."""
import json
import os
import re
import shutil

from lab import ACCOUNT, BIN, tools

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
RECOVER = "arn:aws:automate:us-east-1:ec2:recover"
SEED = "/work/shared/fixtures/seed"
SUCCESS = "Successfully executed action " + RECOVER
ERROR_401 = ("Action failed. Encountered error calling EC2 recover. (401: AWS was not able to "
             "validate the provided access credentials)")
FAILED_401 = "Failed to execute action %s. Received error: \"%s\"" % (RECOVER, ERROR_401)
TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
NAME_RE = r"^%s-RecoveryAlarm-[A-Z0-9]{12,13}$"


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _rl(t, lab, *args):
    return t.run([BIN] + list(args) + ["--data", lab.data], env=t.client_env())


def _advance(t, lab, dur):
    r = _rl(t, lab, "clock", "advance", dur)
    t.check(r.rc == 0, "clock advance %s: %r" % (dur, r))


def _bare_env(t, lab, extra):
    """The lab's endpoint without the root's keys, plus extra."""
    e = t.client_env()
    for k, v in lab.env().items():
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            e[k] = v
    e.update(extra)
    return e


class _Who:
    """Runs the default aws CLI as one identity (env without the root's keys)."""

    def __init__(self, t, lab, env):
        self.t, self.lab, self.env = t, lab, env

    def run(self, args, timeout=60):
        return self.t.run([tools()["new_aws"]] + args + ["--output", "json"], env=self.env,
                          timeout=timeout)

    def ok(self, args, what):
        return _ok(self.t, self.run(args), what)


def _setup(t, lab, tmp):
    """Root: user cfn (profile cfn in a credentials file), the workstation role and its
    instance. Returns (cfn, role) runners."""
    root = lambda args, what: _ok(t, t.aws(lab, args), what)  # noqa: E731
    root(["iam", "create-user", "--user-name", "cfn"], "create-user cfn")
    root(["iam", "attach-user-policy", "--user-name", "cfn", "--policy-arn", POWER],
         "attach PowerUserAccess to cfn")
    ak = root(["iam", "create-access-key", "--user-name", "cfn"], "create-access-key")["AccessKey"]
    creds = os.path.join(tmp, "credentials")
    with open(creds, "w") as f:
        f.write("[cfn]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                % (ak["AccessKeyId"], ak["SecretAccessKey"]))
    cfn = _Who(t, lab, _bare_env(t, lab, {"AWS_SHARED_CREDENTIALS_FILE": creds,
                                          "AWS_CONFIG_FILE": "/dev/null", "AWS_PROFILE": "cfn"}))
    ident = cfn.ok(["sts", "get-caller-identity"], "cfn get-caller-identity")
    t.eq(ident["Arn"], "arn:aws:iam::%s:user/cfn" % ACCOUNT, "profile cfn identity")

    root(["iam", "create-role", "--role-name", "workstation", "--assume-role-policy-document",
          TRUST_EC2], "create-role")
    root(["iam", "attach-role-policy", "--role-name", "workstation", "--policy-arn", POWER],
         "attach PowerUserAccess to the role")
    root(["iam", "create-instance-profile", "--instance-profile-name", "workstation"],
         "create-instance-profile")
    root(["iam", "add-role-to-instance-profile", "--instance-profile-name", "workstation",
          "--role-name", "workstation"], "add-role-to-instance-profile")
    out = root(["ec2", "run-instances", "--image-id", "ami-374db956", "--instance-type",
                "t2.micro", "--iam-instance-profile", "Name=workstation"], "run-instances")
    ws = out["Instances"][0]["InstanceId"]
    _advance(t, lab, "1m")
    role = _Who(t, lab, _bare_env(t, lab, {
        "AWS_EC2_METADATA_DISABLED": "false",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": "%s/_recoverlab/imds/%s/" % (lab.url, ws),
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_CONFIG_FILE": "/dev/null"}))
    r = t.run([tools()["new_aws"], "configure", "list"], env=role.env)
    t.check(r.rc == 0, "aws configure list: %r" % r)
    lines = {l.split()[0]: l.split() for l in r.out.splitlines() if l.strip()}
    t.eq(lines.get("access_key", [])[-1:], ["iam-role"], "access_key type (%r)" % r.out)
    ident = role.ok(["sts", "get-caller-identity"], "role get-caller-identity")
    t.eq(ident["Arn"], "arn:aws:sts::%s:assumed-role/workstation/%s" % (ACCOUNT, ws), "role Arn")
    return cfn, role


def _stack(who, name):
    return who.ok(["cloudformation", "describe-stacks", "--stack-name", name],
                  "describe-stacks " + name)["Stacks"][0]


def _outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _events(who, name):
    return who.ok(["cloudformation", "describe-stack-events", "--stack-name", name],
                  "describe-stack-events " + name)["StackEvents"]


def _history(t, lab, name):
    return _ok(t, t.aws(lab, ["cloudwatch", "describe-alarm-history", "--alarm-name", name,
                              "--history-item-type", "Action"]), "history " + name)[
        "AlarmHistoryItems"]


def _alarm(t, lab, name):
    return _ok(t, t.aws(lab, ["cloudwatch", "set-alarm-state", "--alarm-name", name,
                              "--state-value", "ALARM", "--state-reason",
                              "Manual Update to ALARM"]), "set-alarm-state " + name)


def test_seed_stacks_as_role_and_user(t):
    t.need("new_aws")
    lab = t.lab()  # real clock: IMDS credentials and the waiter use the wall clock
    tmp = t.mkdtemp("cfn")
    for f in ("ec2.json", "ec2_update.json"):
        shutil.copy(os.path.join(SEED, f), tmp)
    body = "file://" + os.path.join(tmp, "ec2.json")
    cfn, role = _setup(t, lab, tmp)

    out = role.ok(["cloudformation", "create-stack", "--stack-name", "ec2-recoveryalarm-role",
                   "--template-body", body], "create-stack as the role")
    role_id = out["StackId"]
    t.check(re.match(r"^arn:aws:cloudformation:us-east-1:%s:stack/ec2-recoveryalarm-role/"
                     r"[0-9a-f-]{36}$" % ACCOUNT, role_id), "stack id %r" % role_id)
    cfn.ok(["cloudformation", "create-stack", "--stack-name", "ec2-recoveryalarm-user",
            "--template-body", body], "create-stack as cfn")
    t.eq(_stack(cfn, "ec2-recoveryalarm-user")["StackStatus"], "CREATE_IN_PROGRESS",
         "status right after create-stack")
    r = cfn.run(["cloudformation", "create-stack", "--stack-name", "ec2-recoveryalarm-user",
                 "--template-body", body])
    t.check(r.rc != 0 and "AlreadyExistsException" in r.err and
            "Stack [ec2-recoveryalarm-user] already exists" in r.err, "duplicate: %r" % r)
    # the real clock runs the engine; the waiter polls every 30 s
    r = cfn.run(["cloudformation", "wait", "stack-create-complete", "--stack-name",
                 "ec2-recoveryalarm-user"], timeout=200)
    t.check(r.rc == 0, "wait stack-create-complete: %r" % r)
    r = role.run(["cloudformation", "wait", "stack-create-complete", "--stack-name",
                  "ec2-recoveryalarm-role"], timeout=200)
    t.check(r.rc == 0, "wait stack-create-complete (role): %r" % r)

    names, iids = {}, {}
    for who, runner in (("role", role), ("user", cfn)):
        stack = "ec2-recoveryalarm-" + who
        s = _stack(runner, stack)
        t.eq(s["StackStatus"], "CREATE_COMPLETE", stack + " status")
        outs = _outputs(s)
        t.check(re.match(NAME_RE % stack, outs.get("RecoveryAlarm", "")),
                "%s alarm name %r" % (stack, outs))
        t.check(outs.get("InstanceID", "").startswith("i-"), "%s instance %r" % (stack, outs))
        names[who], iids[who] = outs["RecoveryAlarm"], outs["InstanceID"]
        ev = _events(runner, stack)
        seq = [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
               for e in reversed(ev)]
        t.eq(seq[0], (stack, "CREATE_IN_PROGRESS", "User Initiated"), "first event")
        t.eq(seq[-1], (stack, "CREATE_COMPLETE", None), "last event")
        t.eq([x for x in seq if x[0] == "RecoveryAlarm"],
             [("RecoveryAlarm", "CREATE_IN_PROGRESS", None),
              ("RecoveryAlarm", "CREATE_IN_PROGRESS", "Resource creation Initiated"),
              ("RecoveryAlarm", "CREATE_COMPLETE", None)], "alarm events")
        t.check(seq.index(("Ec2Instance", "CREATE_COMPLETE", None)) <
                seq.index(("RecoveryAlarm", "CREATE_IN_PROGRESS", None)),
                "the alarm starts after the instance: %r" % seq)
        alarm_ev = [e for e in ev if e["LogicalResourceId"] == "RecoveryAlarm"][0]
        props = json.loads(alarm_ev["ResourceProperties"])
        t.eq(props["AlarmActions"], [RECOVER], "resolved ResourceProperties")
        t.eq(props["Dimensions"][0]["Value"], outs["InstanceID"], "Ref of the instance")

    # the alarms are there, with the instance and action
    a = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms", "--alarm-names", names["role"],
                           names["user"]]), "describe-alarms")["MetricAlarms"]
    t.eq(sorted(x["AlarmName"] for x in a), sorted(names.values()), "both alarms")
    for x in a:
        t.eq(x["AlarmActions"], [RECOVER], "actions of " + x["AlarmName"])
    text = json.dumps(a)
    t.check("cfn" not in text.replace("ec2-recoveryalarm", "") and "workstation" not in text
            and "assumed-role" not in text, "describe-alarms shows no creator: %s" % text)

    _advance(t, lab, "5m")  # status checks pass
    _alarm(t, lab, names["role"])
    _alarm(t, lab, names["user"])
    _advance(t, lab, "10s")
    t.eq([x["HistorySummary"] for x in _history(t, lab, names["role"])], [FAILED_401],
         "the role's alarm: EC2's 401")
    t.eq([x["HistorySummary"] for x in _history(t, lab, names["user"])], [SUCCESS],
         "the user's alarm recovers")

    # as cfn: the role's stack with ec2_update.json -> the alarm is replaced
    r = cfn.run(["cloudformation", "update-stack", "--stack-name", "ec2-recoveryalarm-role",
                 "--template-body", body])
    t.check(r.rc != 0 and "No updates are to be performed." in r.err, "no-op update: %r" % r)
    cfn.ok(["cloudformation", "update-stack", "--stack-name", "ec2-recoveryalarm-role",
            "--template-body", "file://" + os.path.join(tmp, "ec2_update.json")], "update-stack")
    t.eq(_stack(cfn, "ec2-recoveryalarm-role")["StackStatus"], "UPDATE_IN_PROGRESS",
         "status right after update-stack")
    _advance(t, lab, "1m")
    s = _stack(cfn, "ec2-recoveryalarm-role")
    t.eq(s["StackStatus"], "UPDATE_COMPLETE", "after the update")
    renew = "ec2-recoveryalarm-role-RecoveryAlarm-renew"
    t.eq(_outputs(s)["RecoveryAlarm"], renew, "output after the update")
    t.eq(_outputs(s)["InstanceID"], iids["role"], "the instance is kept")
    res = cfn.ok(["cloudformation", "describe-stack-resource", "--stack-name",
                  "ec2-recoveryalarm-role", "--logical-resource-id", "RecoveryAlarm"],
                 "describe-stack-resource")["StackResourceDetail"]
    t.eq((res["PhysicalResourceId"], res["ResourceStatus"]), (renew, "UPDATE_COMPLETE"),
         "the alarm resource")
    seq = [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"),
            e.get("PhysicalResourceId")) for e in reversed(_events(cfn, "ec2-recoveryalarm-role"))]
    seq = seq[[x[2] for x in seq].index("User Initiated", 1):]
    t.eq([x[:3] for x in seq], [
        ("ec2-recoveryalarm-role", "UPDATE_IN_PROGRESS", "User Initiated"),
        ("RecoveryAlarm", "UPDATE_IN_PROGRESS", "Requested update requires the creation of a "
         "new physical resource; hence creating one."),
        ("RecoveryAlarm", "UPDATE_IN_PROGRESS", "Resource creation Initiated"),
        ("RecoveryAlarm", "UPDATE_COMPLETE", None),
        ("ec2-recoveryalarm-role", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", None),
        ("RecoveryAlarm", "DELETE_IN_PROGRESS", None),
        ("RecoveryAlarm", "DELETE_COMPLETE", None),
        ("ec2-recoveryalarm-role", "UPDATE_COMPLETE", None)], "update events")
    t.eq(seq[-2][3], names["role"], "the old alarm is deleted in cleanup")
    a = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms", "--alarm-names", names["role"],
                           renew]), "describe-alarms after the update")["MetricAlarms"]
    t.eq([x["AlarmName"] for x in a], [renew], "old alarm gone, new one there")
    _alarm(t, lab, renew)
    _advance(t, lab, "10s")
    t.eq([x["HistorySummary"] for x in _history(t, lab, renew)], [SUCCESS],
         "the renewed alarm (created as cfn) recovers")

    # template, resources, list
    tb = cfn.ok(["cloudformation", "get-template", "--stack-name", "ec2-recoveryalarm-role"],
                "get-template")["TemplateBody"]
    t.eq(tb["Resources"]["RecoveryAlarm"]["Properties"]["AlarmName"], renew, "template body")
    rs = cfn.ok(["cloudformation", "list-stack-resources", "--stack-name",
                 "ec2-recoveryalarm-user"], "list-stack-resources")["StackResourceSummaries"]
    t.eq(sorted((x["LogicalResourceId"], x["ResourceStatus"]) for x in rs),
         [("Ec2Instance", "CREATE_COMPLETE"), ("RecoveryAlarm", "CREATE_COMPLETE")], "resources")

    # delete the user's stack: reverse order, DELETE_COMPLETE listable by id only
    user_id = _stack(cfn, "ec2-recoveryalarm-user")["StackId"]
    cfn.ok(["cloudformation", "delete-stack", "--stack-name", "ec2-recoveryalarm-user"],
           "delete-stack")
    _advance(t, lab, "2m")
    r = cfn.run(["cloudformation", "describe-stacks", "--stack-name", "ec2-recoveryalarm-user"])
    t.check(r.rc != 0 and "Stack with id ec2-recoveryalarm-user does not exist" in r.err,
            "deleted stack by name: %r" % r)
    t.eq(_stack(cfn, user_id)["StackStatus"], "DELETE_COMPLETE", "deleted stack by id")
    seq = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in reversed(_events(cfn, user_id))]
    t.check(seq.index(("RecoveryAlarm", "DELETE_COMPLETE")) <
            seq.index(("Ec2Instance", "DELETE_IN_PROGRESS")), "alarm deleted first: %r" % seq)
    ls = cfn.ok(["cloudformation", "list-stacks", "--stack-status-filter", "DELETE_COMPLETE"],
                "list-stacks")["StackSummaries"]
    t.eq([x["StackName"] for x in ls], ["ec2-recoveryalarm-user"], "deleted stacks listed")
    a = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms", "--alarm-names", names["user"]]),
            "describe-alarms after delete")["MetricAlarms"]
    t.eq(a, [], "the user's alarm is gone")


ROLLBACK_TMPL = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  First:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 60
      EvaluationPeriods: 1
      ComparisonOperator: GreaterThanThreshold
      Threshold: 90
  Second:
    Type: AWS::CloudWatch::Alarm
    DependsOn: First
    Properties:
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 7
      EvaluationPeriods: 1
      ComparisonOperator: GreaterThanThreshold
      Threshold: 90
"""


def test_failed_resource_rolls_back_and_capabilities(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start="2026-05-01T00:00:00Z")
    tmp = t.mkdtemp("cfn")
    path = os.path.join(tmp, "rollback.yaml")
    with open(path, "w") as f:
        f.write(ROLLBACK_TMPL)
    _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "rb", "--template-body",
                       "file://" + path]), "create-stack rb")
    _advance(t, lab, "1m")
    s = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "rb"]),
            "describe-stacks rb")["Stacks"][0]
    t.eq(s["StackStatus"], "ROLLBACK_COMPLETE", "rolled back")
    ev = _ok(t, t.aws(lab, ["cloudformation", "describe-stack-events", "--stack-name", "rb"]),
             "events")["StackEvents"]
    seq = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in reversed(ev)]
    t.check(("Second", "CREATE_FAILED") in seq and ("First", "DELETE_COMPLETE") in seq,
            "events %r" % seq)
    rb = [e for e in ev if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"][0]
    t.eq(rb["ResourceStatusReason"], "The following resource(s) failed to create: [Second]. "
         "Rollback requested by user.", "rollback reason")
    failed = [e for e in ev if e["ResourceStatus"] == "CREATE_FAILED"][0]
    t.check(failed.get("ResourceStatusReason"), "failure reason given: %r" % failed)
    a = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms"]), "describe-alarms")["MetricAlarms"]
    t.eq(a, [], "nothing left after the rollback")
    # DisableRollback keeps the first alarm
    _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "keep",
                       "--template-body", "file://" + path, "--disable-rollback"]),
        "create-stack --disable-rollback")
    _advance(t, lab, "1m")
    s = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "keep"]),
            "describe-stacks keep")["Stacks"][0]
    t.eq((s["StackStatus"], s["StackStatusReason"]),
         ("CREATE_FAILED", "The following resource(s) failed to create: [Second]. "),
         "rollback disabled")
    # IAM resources need a capability
    role = ("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
            "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n")
    rp = os.path.join(tmp, "role.yaml")
    with open(rp, "w") as f:
        f.write(role)
    r = t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "iam", "--template-body",
                    "file://" + rp])
    t.check(r.rc != 0 and "InsufficientCapabilitiesException" in r.err and
            "Requires capabilities : [CAPABILITY_IAM]" in r.err, "capabilities: %r" % r)


TRUST_CFN = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
IMPORT_TMPL = """
Resources:
  Watch:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 60
      EvaluationPeriods: 1
      ComparisonOperator: GreaterThanThreshold
      Threshold: 90
      AlarmDescription: !ImportValue yaml-user-RecoveryAlarmArn
"""


def test_yaml_params_conditions_and_service_role(t):
    """Item 5: the YAML form (short forms, Parameters, Mappings, Conditions, an Export and its
    ImportValue) as cfn; an update dropping the alarm by a parameter; --role-arn: PassRole
    needed, the role must trust CloudFormation, and the alarm created by the service role's
    session fails its recover action with EC2's 401 like the role case."""
    t.need("new_aws")
    lab = t.lab(clock="manual", start="2026-05-01T00:00:00Z")
    tmp = t.mkdtemp("cfn")
    tmpl = os.path.join(tmp, "ec2_params.yaml")
    shutil.copy(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                             "fixtures", "cfn", "ec2_params.yaml"), tmpl)
    imp = os.path.join(tmp, "import.yaml")
    with open(imp, "w") as f:
        f.write(IMPORT_TMPL)
    root = lambda args, what: _ok(t, t.aws(lab, args), what)  # noqa: E731
    root(["iam", "create-user", "--user-name", "cfn"], "create-user cfn")
    root(["iam", "attach-user-policy", "--user-name", "cfn", "--policy-arn", POWER], "attach")
    ak = root(["iam", "create-access-key", "--user-name", "cfn"], "create-access-key")["AccessKey"]
    cfn = _Who(t, lab, _bare_env(t, lab, {"AWS_ACCESS_KEY_ID": ak["AccessKeyId"],
                                          "AWS_SECRET_ACCESS_KEY": ak["SecretAccessKey"]}))

    cfn.ok(["cloudformation", "create-stack", "--stack-name", "yaml-user", "--template-body",
            "file://" + tmpl, "--parameters", "ParameterKey=EvaluationPeriods,ParameterValue=3"],
           "create-stack yaml")
    _advance(t, lab, "1m")
    s = _stack(cfn, "yaml-user")
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "yaml stack")
    t.eq(s.get("Description"), "EC2 instance with a CloudWatch recovery alarm (recoverlab seed,"
         " YAML form)", "Description")
    params = {p["ParameterKey"]: p["ParameterValue"] for p in s["Parameters"]}
    t.eq((params["EvaluationPeriods"], params["InstanceType"]), ("3", "t2.micro"), "Parameters")
    outs = _outputs(s)
    iid, name = outs["InstanceID"], outs["RecoveryAlarm"]
    t.check(re.match(NAME_RE % "yaml-user", name), "alarm name %r" % name)
    t.check(outs["AvailabilityZone"].startswith("us-east-1"), "GetAtt AZ %r" % outs)
    t.eq(outs["RecoveryAlarmArn"], "arn:aws:cloudwatch:us-east-1:%s:alarm:%s" % (ACCOUNT, name),
         "GetAtt Arn")
    exp = [o for o in s["Outputs"] if o["OutputKey"] == "RecoveryAlarmArn"][0]
    t.eq(exp.get("ExportName"), "yaml-user-RecoveryAlarmArn", "ExportName")
    a = root(["cloudwatch", "describe-alarms", "--alarm-names", name], "describe-alarms")[
        "MetricAlarms"][0]
    t.eq((a["EvaluationPeriods"], a["Period"], a["Statistic"], a["AlarmActions"]),
         (3, 60, "Minimum", [RECOVER]), "alarm from the YAML template")
    t.eq(a["AlarmDescription"], "Recover %s when its system status check fails" % iid, "Fn::Sub")
    inst = root(["ec2", "describe-instances", "--instance-ids", iid], "describe-instances")
    tags = inst["Reservations"][0]["Instances"][0].get("Tags", [])
    t.check({"Key": "Name", "Value": "yaml-user-instance"} in tags, "Sub tag %r" % tags)

    # an importer keeps the export
    cfn.ok(["cloudformation", "create-stack", "--stack-name", "importer", "--template-body",
            "file://" + imp], "create-stack importer")
    _advance(t, lab, "1m")
    t.eq(_stack(cfn, "importer")["StackStatus"], "CREATE_COMPLETE", "importer")
    r = cfn.run(["cloudformation", "delete-stack", "--stack-name", "yaml-user"])
    t.check(r.rc != 0 and "Export yaml-user-RecoveryAlarmArn cannot be deleted as it is in use "
            "by importer" in r.err, "export in use: %r" % r)
    cfn.ok(["cloudformation", "delete-stack", "--stack-name", "importer"], "delete importer")
    _advance(t, lab, "1m")

    # CreateAlarm=no through UsePreviousTemplate: the alarm goes in cleanup
    cfn.ok(["cloudformation", "update-stack", "--stack-name", "yaml-user",
            "--use-previous-template", "--parameters",
            "ParameterKey=EvaluationPeriods,UsePreviousValue=true",
            "ParameterKey=CreateAlarm,ParameterValue=no"], "update-stack CreateAlarm=no")
    _advance(t, lab, "1m")
    s = _stack(cfn, "yaml-user")
    t.eq(s["StackStatus"], "UPDATE_COMPLETE", "after dropping the alarm")
    t.eq(sorted(_outputs(s)), ["AvailabilityZone", "InstanceID"], "outputs without the alarm")
    t.eq(root(["cloudwatch", "describe-alarms", "--alarm-names", name], "describe-alarms")[
        "MetricAlarms"], [], "the alarm is deleted")

    # --role-arn: a service role with PowerUserAccess
    root(["iam", "create-role", "--role-name", "cfn-service", "--assume-role-policy-document",
          TRUST_CFN], "create-role cfn-service")
    root(["iam", "attach-role-policy", "--role-name", "cfn-service", "--policy-arn", POWER],
         "attach to cfn-service")
    role_arn = "arn:aws:iam::%s:role/cfn-service" % ACCOUNT
    seed = "file://" + os.path.join(SEED, "ec2.json")
    r = cfn.run(["cloudformation", "create-stack", "--stack-name", "svc", "--template-body", seed,
                 "--role-arn", role_arn])
    t.check(r.rc != 0 and "AccessDenied" in r.err and "iam:PassRole" in r.err,
            "PassRole needed: %r" % r)
    root(["iam", "put-user-policy", "--user-name", "cfn", "--policy-name", "pass",
          "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [{
              "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]})], "PassRole")
    root(["iam", "create-role", "--role-name", "not-cfn", "--assume-role-policy-document",
          TRUST_EC2], "create-role not-cfn")
    bad = "arn:aws:iam::%s:role/not-cfn" % ACCOUNT
    r = cfn.run(["cloudformation", "create-stack", "--stack-name", "svc", "--template-body", seed,
                 "--role-arn", bad])
    t.check(r.rc != 0 and "Role %s is invalid or cannot be assumed" % bad in r.err,
            "untrusted role: %r" % r)
    cfn.ok(["cloudformation", "create-stack", "--stack-name", "svc", "--template-body", seed,
            "--role-arn", role_arn], "create-stack --role-arn")
    _advance(t, lab, "1m")
    s = _stack(cfn, "svc")
    t.eq((s["StackStatus"], s.get("RoleARN")), ("CREATE_COMPLETE", role_arn), "service role stack")
    svc_alarm = _outputs(s)["RecoveryAlarm"]
    _advance(t, lab, "5m")
    _alarm(t, lab, svc_alarm)
    _advance(t, lab, "10s")
    t.eq([x["HistorySummary"] for x in _history(t, lab, svc_alarm)], [FAILED_401],
         "the service role's alarm fails like the role case")
    # the role is kept for later operations: deleting needs no PassRole any more
    root(["iam", "delete-user-policy", "--user-name", "cfn", "--policy-name", "pass"],
         "delete the PassRole policy")
    cfn.ok(["cloudformation", "delete-stack", "--stack-name", "svc"], "delete svc")
    _advance(t, lab, "2m")
    t.eq(_stack(cfn, s["StackId"])["StackStatus"], "DELETE_COMPLETE", "svc deleted")
