"""Issue 15 part A: `aws cloudformation deploy` (change sets and their waiters) with both CLIs,
the change-set API itself, signals (CreationPolicy, WaitCondition and its handle URL,
SignalResource) in virtual time, and the exports lists.

`deploy` polls with fixed delays (5 s for the change set, 30 s for the stack): the CLIs run
here through clients/fast_sleep.py, which only shortens time.sleep, so each deploy takes the
lab's own (real-clock) time rather than the CLI's polling period."""
import json
import os
import subprocess
import time

from lab import ACCOUNT, BIN, CLIENTS, OLD_PY, tools

FAST = os.path.join(CLIENTS, "fast_sleep.py")
RECOVER = "arn:aws:automate:us-east-1:ec2:recover"

DEPLOY_TMPL = """
Parameters:
  Threshold: {Type: Number, Default: 1}
  Env: {Type: String, Default: dev, AllowedPattern: '[\\w-\\+]+'}
Resources:
  Web:
    Type: AWS::EC2::Instance
    CreationPolicy:
      ResourceSignal: {Count: 1, Timeout: PT10M}
    Properties: {ImageId: ami-374db956, InstanceType: t2.micro}
  Data:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: !GetAtt Web.AvailabilityZone, Size: 1}
  RecoveryAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: !Sub 'recover ${Web} (${Env})'
      Namespace: AWS/EC2
      MetricName: StatusCheckFailed_System
      Statistic: Minimum
      Period: 60
      EvaluationPeriods: 2
      Threshold: !Ref Threshold
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [!Sub 'arn:aws:automate:${AWS::Region}:ec2:recover']
      Dimensions: [{Name: InstanceId, Value: !Ref Web}]
Outputs:
  Instance: {Value: !Ref Web, Export: {Name: !Sub '${AWS::StackName}-instance'}}
"""


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _write(t, name, text):
    d = t.mkdtemp("tmpl")
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def _cli(t, old):
    """argv prefix running the real aws CLI (1.x or Debian's 2.9) with short sleeps."""
    if old:
        t.need("old_aws")
        return [OLD_PY, FAST]
    t.need("new_aws")
    return ["python3", FAST]


def _signal_when_waiting(t, lab, stack, logical, old, timeout=60):
    """Waits until logical waits for its signal (CREATE_IN_PROGRESS with a physical id), then
    signals SUCCESS with the instance id as UniqueId. Returns the physical id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = t.aws(lab, ["cloudformation", "describe-stack-resource", "--stack-name", stack,
                        "--logical-resource-id", logical], old=old)
        if r.rc == 0:
            d = r.json()["StackResourceDetail"]
            if d["ResourceStatus"] == "CREATE_IN_PROGRESS" and d.get("PhysicalResourceId"):
                pid = d["PhysicalResourceId"]
                _ok(t, t.aws(lab, ["cloudformation", "signal-resource", "--stack-name", stack,
                                   "--logical-resource-id", logical, "--unique-id", pid,
                                   "--status", "SUCCESS"], old=old), "signal-resource")
                return pid
        time.sleep(0.5)
    raise AssertionError("%s never waited for its signal" % logical)


def _deploy_flow(t, old):
    lab = t.lab()  # real clock: deploy's waiters poll the wall clock
    env = t.client_env(lab)
    tmpl = _write(t, "deploy.yaml", DEPLOY_TMPL)
    base = _cli(t, old) + ["cloudformation", "deploy", "--stack-name", "app",
                           "--template-file", tmpl]
    # 1. create: the instance waits for its signal, which the test sends
    p = subprocess.Popen(base, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        iid = _signal_when_waiting(t, lab, "app", "Web", old)
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    t.check(p.returncode == 0, "deploy (create) rc %s: %s %s" % (p.returncode, out, err))
    t.check("Successfully created/updated stack - app" in out, "deploy output: %r" % out)
    s = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "app"], old=old),
            "describe-stacks")["Stacks"][0]
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "created by deploy")
    ev = _ok(t, t.aws(lab, ["cloudformation", "describe-stack-events", "--stack-name", "app"],
                      old=old), "events")["StackEvents"]
    reasons = [e.get("ResourceStatusReason") for e in ev if e["LogicalResourceId"] == "Web"]
    t.check("Received SUCCESS signal with UniqueId %s" % iid in reasons, "signal event %r" % reasons)
    states = [e["ResourceStatus"] for e in ev if e["LogicalResourceId"] == "app"]
    t.eq(states[-1], "REVIEW_IN_PROGRESS", "a CREATE change set's stack starts in review")
    alarms = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms"], old=old), "alarms")["MetricAlarms"]
    t.eq([a["AlarmActions"] for a in alarms], [[RECOVER]], "the recovery alarm")
    t.eq(alarms[0]["Dimensions"], [{"Name": "InstanceId", "Value": iid}], "alarm on the instance")
    # 2. the same again: no changes (CLI 1 fails by default, CLI 2 does not; both exit 0 with
    # --no-fail-on-empty-changeset)
    r = t.run(base, env=env, timeout=120)
    t.check((r.rc == 0) == old and "No changes to deploy. Stack app is up to date" in r.out + r.err,
            "re-run without changes: %r" % r)
    r = t.run(base + ["--no-fail-on-empty-changeset"], env=env, timeout=120)
    t.check(r.rc == 0 and "No changes to deploy. Stack app is up to date" in r.out,
            "re-run --no-fail-on-empty-changeset: %r" % r)
    cs = _ok(t, t.aws(lab, ["cloudformation", "list-change-sets", "--stack-name", "app"], old=old),
             "list-change-sets")["Summaries"]
    failed = [c for c in cs if c["Status"] == "FAILED"]
    t.check(len(failed) == 2, "two empty change sets: %r" % cs)
    t.eq(failed[0]["StatusReason"], "The submitted information didn't contain changes. Submit "
         "different information to create a change set.", "AWS's reason")
    t.eq(failed[0]["ExecutionStatus"], "UNAVAILABLE", "empty change set not executable")
    # 3. --no-execute-changeset: a change set to review, then executed
    r = t.run(base + ["--parameter-overrides", "Threshold=0", "Env=prod", "--no-execute-changeset"],
              env=env, timeout=120)
    t.check(r.rc == 0 and "describe-change-set --change-set-name arn:aws:cloudformation:" in r.out,
            "--no-execute-changeset: %r" % r)
    arn = r.out.split("--change-set-name ")[1].split()[0]
    d = _ok(t, t.aws(lab, ["cloudformation", "describe-change-set", "--change-set-name", arn],
                     old=old), "describe-change-set by ARN")
    t.eq((d["Status"], d["ExecutionStatus"], d["StackName"]),
         ("CREATE_COMPLETE", "AVAILABLE", "app"), "change set state")
    ch = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in d["Changes"]}
    t.eq(sorted(ch), ["RecoveryAlarm"], "only the alarm changes: %r" % d["Changes"])
    a = ch["RecoveryAlarm"]
    t.eq((a["Action"], a["Replacement"], a["Scope"]), ("Modify", "False", ["Properties"]),
         "in-place alarm change")
    t.eq(sorted(x["Target"]["Name"] for x in a["Details"]), ["AlarmDescription", "Threshold"],
         "changed properties")
    s = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "app"], old=old),
            "describe-stacks")["Stacks"][0]
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "nothing executed yet")
    _ok(t, t.aws(lab, ["cloudformation", "execute-change-set", "--change-set-name", arn],
                 old=old), "execute-change-set")
    r = t.run(_cli(t, old) + ["cloudformation", "wait", "stack-update-complete", "--stack-name",
                              "app"], env=env, timeout=120)
    t.check(r.rc == 0, "wait stack-update-complete: %r" % r)
    alarms = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms"], old=old), "alarms")["MetricAlarms"]
    t.eq((alarms[0]["Threshold"], alarms[0]["AlarmDescription"]), (0.0, "recover %s (prod)" % iid),
         "updated in place")
    d = _ok(t, t.aws(lab, ["cloudformation", "describe-change-set", "--change-set-name", arn],
                     old=old), "describe-change-set after")
    t.eq(d["ExecutionStatus"], "EXECUTE_COMPLETE", "executed")
    cs = _ok(t, t.aws(lab, ["cloudformation", "list-change-sets", "--stack-name", "app"], old=old),
             "list-change-sets")["Summaries"]
    t.eq([c["ChangeSetId"] for c in cs], [arn], "the others are gone once one is executed")
    # 4. deploy an update directly
    r = t.run(base + ["--parameter-overrides", "Threshold=2"], env=env, timeout=120)
    t.check(r.rc == 0 and "Successfully created/updated stack - app" in r.out, "update: %r" % r)
    alarms = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms"], old=old), "alarms")["MetricAlarms"]
    t.eq(alarms[0]["Threshold"], 2.0, "updated by deploy")
    ex = _ok(t, t.aws(lab, ["cloudformation", "list-exports"], old=old), "list-exports")["Exports"]
    t.eq([(e["Name"], e["Value"]) for e in ex], [("app-instance", iid)], "exports")


def test_deploy_cli1(t):
    _deploy_flow(t, old=False)


def test_deploy_cli29(t):
    _deploy_flow(t, old=True)


VOL = """
Parameters:
  Az: {Type: String, Default: us-east-1a}
Resources:
  V:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: !Ref Az, Size: 1}
  A:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: Demo
      MetricName: !Ref V
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanThreshold
"""


def test_change_set_api(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start="2026-05-01T00:00:00Z")
    p = _write(t, "vol.yaml", VOL)
    aws = lambda args: t.aws(lab, ["cloudformation"] + args)  # noqa: E731
    r = aws(["create-change-set", "--stack-name", "cs", "--change-set-name", "bad_name",
             "--template-body", "file://" + p, "--change-set-type", "CREATE"])
    t.check(r.rc != 0 and "Member must satisfy regular expression pattern" in r.err, "%r" % r)
    r = aws(["create-change-set", "--stack-name", "nope", "--change-set-name", "c1",
             "--template-body", "file://" + p])
    t.check(r.rc != 0 and "Stack [nope] does not exist" in r.err, "UPDATE without stack: %r" % r)
    out = _ok(t, aws(["create-change-set", "--stack-name", "cs", "--change-set-name", "c1",
                      "--template-body", "file://" + p, "--change-set-type", "CREATE"]), "create")
    t.check(out["Id"].startswith("arn:aws:cloudformation:us-east-1:%s:changeSet/c1/" % ACCOUNT),
            "change set id %r" % out)
    s = _ok(t, aws(["describe-stacks", "--stack-name", "cs"]), "describe")["Stacks"][0]
    t.eq(s["StackStatus"], "REVIEW_IN_PROGRESS", "review stack")
    d = _ok(t, aws(["describe-change-set", "--stack-name", "cs", "--change-set-name", "c1"]), "d")
    t.eq([(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
          for c in d["Changes"]], [("Add", "V"), ("Add", "A")], "adds")
    r = aws(["create-change-set", "--stack-name", "cs", "--change-set-name", "c1",
             "--template-body", "file://" + p, "--change-set-type", "CREATE"])
    t.check(r.rc != 0 and "AlreadyExistsException" in r.err, "same name again: %r" % r)
    _ok(t, aws(["execute-change-set", "--stack-name", "cs", "--change-set-name", "c1"]), "exec")
    r = t.sh(lab, '"$RL" clock advance 2m --data "$D"')
    t.check(r.rc == 0, "advance %r" % r)
    s = _ok(t, aws(["describe-stacks", "--stack-name", "cs"]), "describe")["Stacks"][0]
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "created from the change set")
    r = aws(["create-change-set", "--stack-name", "cs", "--change-set-name", "c2",
             "--template-body", "file://" + p, "--change-set-type", "CREATE"])
    t.check(r.rc != 0 and "Stack [cs] already exists and cannot be created again with the "
            "changeSet [c2]." in r.err, "CREATE on a live stack: %r" % r)
    g = _ok(t, aws(["get-template", "--stack-name", "cs", "--change-set-name", "c1"]), "get-tmpl")
    t.check("AWS::EC2::Volume" in json.dumps(g["TemplateBody"]), "change set template: %r" % g)
    # a replacement and its dependent: AZ is a replacement property; the alarm's MetricName
    # refers to the volume, so it changes with it (Dynamic, ResourceReference)
    _ok(t, aws(["create-change-set", "--stack-name", "cs", "--change-set-name", "c3",
                "--use-previous-template", "--parameters", "ParameterKey=Az,ParameterValue=us-east-1b"]),
        "c3")
    d = _ok(t, aws(["describe-change-set", "--stack-name", "cs", "--change-set-name", "c3"]), "d3")
    ch = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in d["Changes"]}
    t.eq((ch["V"]["Action"], ch["V"]["Replacement"]), ("Modify", "True"), "volume replaced")
    t.eq(ch["V"]["Details"][0]["Target"],
         {"Attribute": "Properties", "Name": "AvailabilityZone", "RequiresRecreation": "Always"},
         "volume detail")
    det = ch["A"]["Details"][0]
    t.eq((ch["A"]["Replacement"], det["Evaluation"], det["ChangeSource"], det["CausingEntity"]),
         ("False", "Dynamic", "ResourceReference", "V"), "alarm follows the volume")
    # no changes: FAILED with AWS's reason; executing it is refused
    _ok(t, aws(["create-change-set", "--stack-name", "cs", "--change-set-name", "same",
                "--use-previous-template"]), "same")
    d = _ok(t, aws(["describe-change-set", "--stack-name", "cs", "--change-set-name", "same"]), "d")
    t.eq((d["Status"], d["ExecutionStatus"]), ("FAILED", "UNAVAILABLE"), "empty change set")
    r = aws(["execute-change-set", "--stack-name", "cs", "--change-set-name", "same"])
    t.check(r.rc != 0 and "InvalidChangeSetStatus" in r.err, "execute FAILED: %r" % r)
    _ok(t, aws(["delete-change-set", "--stack-name", "cs", "--change-set-name", "same"]), "del")
    names = [c["ChangeSetName"] for c in
             _ok(t, aws(["list-change-sets", "--stack-name", "cs"]), "list")["Summaries"]]
    t.eq(sorted(names), ["c1", "c3"], "after delete")
    r = aws(["describe-change-set", "--stack-name", "cs", "--change-set-name", "same"])
    t.check(r.rc != 0 and "ChangeSetNotFound" in r.err and "ChangeSet [same] does not exist"
            in r.err, "deleted: %r" % r)
    r = aws(["list-imports", "--export-name", "nothing"])
    t.check(r.rc != 0 and "Export 'nothing' is not imported by any stack." in r.err, "%r" % r)
    # the drift fields of DescribeStackResource are present
    d = _ok(t, aws(["describe-stack-resource", "--stack-name", "cs", "--logical-resource-id",
                    "V"]), "dsr")["StackResourceDetail"]
    t.eq(d["DriftInformation"]["StackResourceDriftStatus"], "NOT_CHECKED", "drift field")


SIGNALS = """
Resources:
  Web:
    Type: AWS::EC2::Instance
    CreationPolicy:
      ResourceSignal: {Count: 2, Timeout: PT10M}
    Properties: {ImageId: ami-374db956, InstanceType: t2.micro}
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
  Wait:
    Type: AWS::CloudFormation::WaitCondition
    Properties: {Handle: !Ref Handle, Timeout: '600'}
Outputs:
  Data: {Value: !GetAtt Wait.Data}
"""


def test_creation_policy_unsignalled_times_out_into_rollback(t):
    t.need("new_aws", "curl")
    lab = t.lab(clock="manual", start="2026-05-01T00:00:00Z")
    p = _write(t, "sig.yaml", SIGNALS)
    aws = lambda args: t.aws(lab, ["cloudformation"] + args)  # noqa: E731
    adv = lambda d: t.check(t.sh(lab, '"$RL" clock advance %s --data "$D"' % d).rc == 0, d)  # noqa
    # 1. signalled: one signal of two, then the second, and the handle's URL
    _ok(t, aws(["create-stack", "--stack-name", "ok", "--template-body", "file://" + p]), "create")
    adv("1m")
    url = _ok(t, aws(["describe-stack-resource", "--stack-name", "ok", "--logical-resource-id",
                      "Handle"]), "handle")["StackResourceDetail"]["PhysicalResourceId"]
    t.check(url.startswith(lab.url + "/_recoverlab/cfn-signal/"), "handle URL %r" % url)
    body = json.dumps({"Status": "SUCCESS", "Reason": "Configuration Complete",
                       "UniqueId": "ID1234", "Data": "ready"})
    r = t.run(["curl", "-sS", "-f", "-X", "PUT", "-H", "Content-Type:", "--data-binary", body, url],
              env=t.client_env())
    t.check(r.rc == 0, "cfn-signal's PUT: %r" % r)
    for uid in ("a", "b"):
        _ok(t, aws(["signal-resource", "--stack-name", "ok", "--logical-resource-id", "Web",
                    "--unique-id", uid, "--status", "SUCCESS"]), "signal " + uid)
        adv("10s")
    s = _ok(t, aws(["describe-stacks", "--stack-name", "ok"]), "d")["Stacks"][0]
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "both signalled")
    t.eq(s["Outputs"][0]["OutputValue"], '{"ID1234":"ready"}', "WaitCondition Data")
    r = aws(["signal-resource", "--stack-name", "ok", "--logical-resource-id", "Web",
             "--unique-id", "late", "--status", "SUCCESS"])
    t.check(r.rc != 0 and "ValidationError" in r.err, "signal after completion: %r" % r)
    # 2. unsignalled: fails exactly at its timeout, the stack rolls back
    _ok(t, aws(["create-stack", "--stack-name", "quiet", "--template-body", "file://" + p]), "c")
    adv("9m")
    s = _ok(t, aws(["describe-stacks", "--stack-name", "quiet"]), "d")["Stacks"][0]
    t.eq(s["StackStatus"], "CREATE_IN_PROGRESS", "still waiting after 9 minutes")
    adv("2m")
    s = _ok(t, aws(["describe-stacks", "--stack-name", "quiet"]), "d")["Stacks"][0]
    t.eq(s["StackStatus"], "ROLLBACK_COMPLETE", "rolled back after the timeout")
    ev = _ok(t, aws(["describe-stack-events", "--stack-name", "quiet"]), "events")["StackEvents"]
    failed = {e["LogicalResourceId"]: e["ResourceStatusReason"] for e in ev
              if e["ResourceStatus"] == "CREATE_FAILED"}
    t.eq(failed.get("Web"),
         "Failed to receive 2 resource signal(s) within the specified duration", "timeout reason")
    rb = [e for e in ev if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"][0]
    t.check(rb["ResourceStatusReason"].startswith("The following resource(s) failed to create: "),
            "rollback reason %r" % rb)
    inst = _ok(t, t.aws(lab, ["ec2", "describe-instances"]), "instances")["Reservations"]
    states = sorted(i["State"]["Name"] for r_ in inst for i in r_["Instances"])
    t.eq(states, ["running", "terminated"], "the quiet stack's instance is gone")
    # 3. a FAILURE signal fails the resource at once
    _ok(t, aws(["create-stack", "--stack-name", "no", "--template-body", "file://" + p,
                "--disable-rollback"]), "c")
    adv("30s")
    _ok(t, aws(["signal-resource", "--stack-name", "no", "--logical-resource-id", "Web",
                "--unique-id", "i-bad", "--status", "FAILURE"]), "failure signal")
    adv("10s")
    ev = _ok(t, aws(["describe-stack-events", "--stack-name", "no"]), "events")["StackEvents"]
    failed = {e["LogicalResourceId"]: e["ResourceStatusReason"] for e in ev
              if e["ResourceStatus"] == "CREATE_FAILED"}
    t.eq(failed.get("Web"), "Received FAILURE signal with UniqueId i-bad", "failure signal reason")


ROLLBACK_CREATING = """
Resources:
  Vol:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: us-east-1a, Size: 1}
  Bad:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: Demo
      MetricName: Hits
      Statistic: Sum
      Period: 61
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanThreshold
"""


def test_rollback_waits_for_a_creating_volume(t):
    """The bug: a rollback deleting a volume still `creating` ended ROLLBACK_FAILED ("The
    volume 'vol-...' is 'creating'"); the provider now waits for it to settle, in virtual
    time, and the rollback completes."""
    t.need("new_aws")
    lab = t.lab(clock="manual", start="2026-05-01T00:00:00Z")
    p = _write(t, "rb.yaml", ROLLBACK_CREATING)
    _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "rb", "--template-body",
                       "file://" + p]), "create-stack")
    r = t.sh(lab, 'for i in 1 2 3 4 5 6 7 8 9 10; do "$RL" clock advance 2s --data "$D" >/dev/null;'
                  ' done')
    t.check(r.rc == 0, "advance: %r" % r)
    s = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "rb"]),
            "describe")["Stacks"][0]
    t.eq(s["StackStatus"], "ROLLBACK_COMPLETE", "rolled back: %r" % s)
    ev = _ok(t, t.aws(lab, ["cloudformation", "describe-stack-events", "--stack-name", "rb"]),
             "events")["StackEvents"]
    vol = [(e["ResourceStatus"], e.get("ResourceStatusReason")) for e in reversed(ev)
           if e["LogicalResourceId"] == "Vol"]
    t.check(("CREATE_FAILED", "Resource creation cancelled") in vol, "cancelled: %r" % vol)
    t.eq(vol[-1], ("DELETE_COMPLETE", None), "the volume was deleted once available")
    t.check(not any(st == "DELETE_FAILED" for st, _ in vol), "no failed delete: %r" % vol)
    v = _ok(t, t.aws(lab, ["ec2", "describe-volumes"]), "volumes")["Volumes"]
    t.eq(v, [], "no volume left")
