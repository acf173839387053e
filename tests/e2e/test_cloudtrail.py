"""Issue 7 item 1 "Done when": `aws cloudtrail lookup-events --lookup-attributes
AttributeKey=EventName,AttributeValue=PutMetricAlarm` shows who created each alarm — an IAM
user's and a role session's — with the real aws CLI 1.45 and Debian's aws 2.9; the
CloudTrailEvent document in AWS's shape; reads, failures and LookupEvents' own errors."""
import json

from lab import ACCOUNT, BIN

START = "2026-03-01T00:00:00Z"
POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
OPS_ARN = "arn:aws:iam::%s:role/ops" % ACCOUNT
TRUST_ACCOUNT = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
    "Action": "sts:AssumeRole"}]})
BY_EVENT_NAME = ["--lookup-attributes", "AttributeKey=EventName,AttributeValue=PutMetricAlarm"]


def _as(key, secret, token=None):
    env = {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}
    if token:
        env["AWS_SESSION_TOKEN"] = token
    return env


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _user(t, lab, name, old, policy=POWER):
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", name], old=old), "create-user")
    if policy:
        _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", name, "--policy-arn",
                           policy], old=old), "attach-user-policy")
    ak = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", name], old=old),
             "create-access-key")["AccessKey"]
    return _as(ak["AccessKeyId"], ak["SecretAccessKey"]), ak["AccessKeyId"]


def _put_alarm(t, lab, name, env, old):
    return t.aws(lab, ["cloudwatch", "put-metric-alarm", "--alarm-name", name,
                       "--namespace", "App", "--metric-name", "Errors", "--statistic", "Sum",
                       "--period", "60", "--evaluation-periods", "1", "--threshold", "1",
                       "--comparison-operator", "GreaterThanOrEqualToThreshold"],
                 env=env, old=old)


def _seed_story(t, old):
    """A user `cfn` and a session `deploy` of role `ops` each create an alarm."""
    lab = t.lab(clock="manual", start=START)
    cfn, cfn_key = _user(t, lab, "cfn", old)
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops",
                       "--assume-role-policy-document", TRUST_ACCOUNT], old=old), "create-role")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ops", "--policy-arn", POWER],
                 old=old), "attach-role-policy")
    cr = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", OPS_ARN, "--role-session-name",
                            "deploy"], env=cfn, old=old), "assume-role")["Credentials"]
    ops = _as(cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])
    _ok(t, _put_alarm(t, lab, "made-by-user", cfn, old), "put-metric-alarm as cfn")
    _ok(t, _put_alarm(t, lab, "made-by-role", ops, old), "put-metric-alarm as ops/deploy")
    return lab, cfn, cfn_key, cr["AccessKeyId"]


def _check_creators(t, out, cfn_key, ops_key):
    events = out["Events"]
    t.eq(len(events), 2, "PutMetricAlarm events: %r" % events)
    by_alarm = {}
    for e in events:
        t.eq(e["EventName"], "PutMetricAlarm", "EventName")
        t.eq(e["EventSource"], "monitoring.amazonaws.com", "EventSource")
        t.eq(e["ReadOnly"], "false", "ReadOnly")
        names = [r["ResourceName"] for r in e["Resources"]]
        t.eq([r["ResourceType"] for r in e["Resources"]], ["AWS::CloudWatch::Alarm"],
             "ResourceType")
        by_alarm[names[0]] = e
    t.eq(sorted(by_alarm), ["made-by-role", "made-by-user"], "alarms named")
    t.eq(events[0]["Resources"][0]["ResourceName"], "made-by-role", "newest first")

    user = by_alarm["made-by-user"]
    t.eq(user["Username"], "cfn", "Username of the user's event")
    t.eq(user["AccessKeyId"], cfn_key, "AccessKeyId of the user's event")
    ev = json.loads(user["CloudTrailEvent"])
    t.eq(list(ev)[:8], ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName",
                        "awsRegion", "sourceIPAddress", "userAgent"], "member order")
    t.eq(ev["eventTime"], "2026-03-01T00:00:00Z", "virtual eventTime")
    uid = ev["userIdentity"]
    t.eq(uid["type"], "IAMUser", "user's userIdentity.type")
    t.eq(uid["arn"], "arn:aws:iam::%s:user/cfn" % ACCOUNT, "user's arn")
    t.eq(uid["userName"], "cfn", "userName")
    t.check(uid["principalId"].startswith("AIDA"), "principalId: %r" % uid)
    t.eq(ev["requestParameters"]["alarmName"], "made-by-user", "requestParameters.alarmName")
    t.eq(ev["requestParameters"]["threshold"], 1.0, "requestParameters.threshold")
    t.eq(ev["sourceIPAddress"], "127.0.0.1", "sourceIPAddress")
    t.check("aws-cli/" in ev["userAgent"], "userAgent: %r" % ev["userAgent"])
    t.eq(ev["responseElements"], None, "responseElements")
    t.eq((ev["eventType"], ev["managementEvent"], ev["eventCategory"], ev["readOnly"]),
         ("AwsApiCall", True, "Management", False), "event kind")
    t.eq(ev["recipientAccountId"], ACCOUNT, "recipientAccountId")

    role = by_alarm["made-by-role"]
    t.eq(role["Username"], "deploy", "Username of the session's event")
    t.eq(role["AccessKeyId"], ops_key, "AccessKeyId of the session's event")
    uid = json.loads(role["CloudTrailEvent"])["userIdentity"]
    t.eq(uid["type"], "AssumedRole", "session's userIdentity.type")
    t.eq(uid["arn"], "arn:aws:sts::%s:assumed-role/ops/deploy" % ACCOUNT, "session's arn")
    t.check(uid["principalId"].startswith("AROA") and uid["principalId"].endswith(":deploy"),
            "session principalId: %r" % uid)
    issuer = uid["sessionContext"]["sessionIssuer"]
    t.eq((issuer["type"], issuer["arn"], issuer["userName"], issuer["accountId"]),
         ("Role", OPS_ARN, "ops", ACCOUNT), "sessionIssuer")
    t.eq(uid["sessionContext"]["attributes"],
         {"creationDate": "2026-03-01T00:00:00Z", "mfaAuthenticated": "false"}, "attributes")


def test_lookup_events_who_created_each_alarm_cli(t):
    """aws 1.45 (botocore 1.43)."""
    t.need("new_aws")
    lab, _cfn, cfn_key, ops_key = _seed_story(t, old=False)
    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events"] + BY_EVENT_NAME), "lookup-events")
    _check_creators(t, out, cfn_key, ops_key)


def test_lookup_events_who_created_each_alarm_old_cli(t):
    """Debian's aws 2.9."""
    t.need("old_aws")
    lab, _cfn, cfn_key, ops_key = _seed_story(t, old=True)
    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events"] + BY_EVENT_NAME, old=True),
              "lookup-events (aws 2.9)")
    _check_creators(t, out, cfn_key, ops_key)


def test_lookup_events_reads_failures_and_errors(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    nobody, _key = _user(t, lab, "nobody", old=False, policy=None)
    r = _put_alarm(t, lab, "not-allowed", nobody, old=False)
    t.check(r.rc != 0 and "(AccessDenied)" in r.err, "nobody's put-metric-alarm: %r" % r)
    _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms"]), "describe-alarms as root")

    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                             "AttributeKey=Username,AttributeValue=nobody"]), "by Username")
    t.eq([e["EventName"] for e in out["Events"]], ["PutMetricAlarm"], "nobody's events")
    ev = json.loads(out["Events"][0]["CloudTrailEvent"])
    t.eq(ev["errorCode"], "AccessDenied", "errorCode of the denied call")
    t.check("cloudwatch:PutMetricAlarm" in ev["errorMessage"], "errorMessage: %r" % ev)

    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                             "AttributeKey=ReadOnly,AttributeValue=true"]), "by ReadOnly")
    names = [e["EventName"] for e in out["Events"]]
    t.check("DescribeAlarms" in names and "PutMetricAlarm" not in names,
            "read events: %r" % names)
    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                             "AttributeKey=EventSource,AttributeValue=iam.amazonaws.com"]),
              "by EventSource")
    t.eq(sorted({e["EventName"] for e in out["Events"]}), ["CreateAccessKey", "CreateUser"],
         "IAM events")
    ev = [json.loads(e["CloudTrailEvent"]) for e in out["Events"]
          if e["EventName"] == "CreateAccessKey"][0]
    t.eq(ev["requestParameters"], {"userName": "nobody"}, "CreateAccessKey requestParameters")
    ak = ev["responseElements"]["accessKey"]
    t.eq((ak["userName"], ak["status"], ak["secretAccessKey"]),
         ("nobody", "Active", "HIDDEN_DUE_TO_SECURITY_REASONS"), "CreateAccessKey responseElements")
    t.check(ak["accessKeyId"].startswith("AKIA"), "responseElements accessKeyId: %r" % ak)
    t.eq(ev["awsRegion"], "us-east-1", "IAM events are recorded in us-east-1")
    t.check(not any("SecretAccessKey" in e["CloudTrailEvent"] for e in out["Events"]),
            "no secret in IAM events")

    # EC2 with Debian's aws 2.9: RunInstances records the new instance, lookups by its id
    out = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956",
                             "--instance-type", "t2.micro", "--user-data", "c2VjcmV0"], old=True),
              "run-instances")
    iid = out["Instances"][0]["InstanceId"]
    r = t.aws(lab, ["ec2", "stop-instances", "--instance-ids", iid], old=True)
    t.check(r.rc != 0 and "(IncorrectInstanceState)" in r.err,
            "stop of a pending instance (manual clock): %r" % r)
    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                             "AttributeKey=ResourceName,AttributeValue=" + iid], old=True),
              "by ResourceName (aws 2.9)")
    t.eq([e["EventName"] for e in out["Events"]], ["StopInstances"], "events naming " + iid)
    t.eq(out["Events"][0]["Resources"], [{"ResourceType": "AWS::EC2::Instance",
                                          "ResourceName": iid}], "Resources")
    ev = json.loads(out["Events"][0]["CloudTrailEvent"])
    t.eq(ev["errorCode"], "Client.IncorrectInstanceState", "EC2 errorCode")
    t.check(iid in ev["errorMessage"], "errorMessage: %r" % ev)
    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                             "AttributeKey=EventName,AttributeValue=RunInstances"]), "RunInstances")
    ev = json.loads(out["Events"][0]["CloudTrailEvent"])
    t.eq(ev["eventSource"], "ec2.amazonaws.com", "EC2 eventSource")
    t.eq(ev["requestParameters"]["userData"], "<sensitiveDataRemoved>", "userData hidden")
    t.eq(ev["responseElements"]["instancesSet"]["items"][0]["instanceId"], iid,
         "RunInstances response")

    # paging through the CLI's paginator with a small page size
    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--page-size", "1"]), "paged")
    t.check(len(out["Events"]) >= 5, "all events across pages: %r" % len(out["Events"]))

    r = t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                    "AttributeKey=EventName,AttributeValue=A",
                    "AttributeKey=Username,AttributeValue=B"])
    t.check(r.rc != 0 and "(InvalidLookupAttributesException)" in r.err,
            "two lookup attributes: %r" % r)
    r = t.aws(lab, ["cloudtrail", "lookup-events", "--start-time", "2026-03-02T00:00:00Z",
                    "--end-time", "2026-03-01T00:00:00Z"])
    t.check(r.rc != 0 and "(InvalidTimeRangeException)" in r.err, "inverted range: %r" % r)


ALARM_TEMPLATE = json.dumps({"Resources": {"Alarm": {
    "Type": "AWS::CloudWatch::Alarm",
    "Properties": {"Namespace": "App", "MetricName": "Errors", "Statistic": "Sum", "Period": 60,
                   "EvaluationPeriods": 1, "Threshold": 1,
                   "ComparisonOperator": "GreaterThanOrEqualToThreshold"}}}})


def test_lookup_events_stack_made_alarm_has_invoked_by(t):
    """An alarm made by a stack: its PutMetricAlarm event is the stack caller's, invokedBy
    cloudformation.amazonaws.com; the CreateStack event records the stack id."""
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    cfn, cfn_key = _user(t, lab, "cfn", old=False)
    out = _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "alarms",
                             "--template-body", ALARM_TEMPLATE], env=cfn), "create-stack")
    stack_id = out["StackId"]
    for _ in range(10):
        r = t.run([BIN, "clock", "advance", "1m", "--data", lab.data], env=t.client_env())
        t.check(r.rc == 0, "clock advance: %r" % r)
        s = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "alarms"],
                         env=cfn), "describe-stacks")["Stacks"][0]
        if s["StackStatus"] != "CREATE_IN_PROGRESS":
            break
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "stack status")

    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events"] + BY_EVENT_NAME), "lookup-events")
    t.eq(len(out["Events"]), 1, "one PutMetricAlarm: %r" % out["Events"])
    e = out["Events"][0]
    t.eq((e["Username"], e["AccessKeyId"]), ("cfn", cfn_key), "the stack caller's event")
    ev = json.loads(e["CloudTrailEvent"])
    uid = ev["userIdentity"]
    t.eq((uid["type"], uid["userName"], uid["invokedBy"]),
         ("IAMUser", "cfn", "cloudformation.amazonaws.com"), "userIdentity")
    t.eq((ev["sourceIPAddress"], ev["userAgent"]),
         ("cloudformation.amazonaws.com", "cloudformation.amazonaws.com"), "source")
    t.check(ev["requestParameters"]["alarmName"].startswith("alarms-Alarm-"),
            "generated alarm name: %r" % ev["requestParameters"])

    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                             "AttributeKey=EventName,AttributeValue=CreateStack"]), "CreateStack")
    ev = json.loads(out["Events"][0]["CloudTrailEvent"])
    t.eq(ev["responseElements"], {"stackId": stack_id}, "CreateStack responseElements")
    t.check("invokedBy" not in ev["userIdentity"], "a direct call has no invokedBy")
    t.eq(out["Events"][0]["Resources"],
         [{"ResourceType": "AWS::CloudFormation::Stack", "ResourceName": "alarms"}], "Resources")
