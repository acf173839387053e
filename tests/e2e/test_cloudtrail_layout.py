"""Issue 17 "Done when", CloudTrail part: recorded EC2 events in EC2's own layout, field by
field against AWS's published samples (CloudTrail UG cloudtrail-log-file-examples: the
StartInstances/StopInstances records; EC2's RunInstances and CreateTags records), failed
calls with errorCode/errorMessage, the full userIdentity/sessionContext of a role session,
<return>true</return> on the wire, and a stack that creates an alarm and rolls back still
leaving the PutMetricAlarm event with invokedBy cloudformation.amazonaws.com."""
import json

from lab import ACCOUNT, BIN

START = "2026-03-01T00:00:00Z"
AMI = "ami-374db956"
POWER = "arn:aws:iam::aws:policy/PowerUserAccess"


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _events(t, lab, name, env=None):
    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                             "AttributeKey=EventName,AttributeValue=%s" % name], env=env),
              "lookup-events " + name)
    return [json.loads(e["CloudTrailEvent"]) for e in out["Events"]], out["Events"]


def _advance(t, lab, d):
    r = t.run([BIN, "clock", "advance", d, "--data", lab.data], env=t.client_env())
    t.check(r.rc == 0, "clock advance: %r" % r)


def test_ec2_events_in_ec2_layout(t):
    t.need("new_aws", "curl")
    lab = t.lab(clock="manual", start=START)
    out = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--instance-type",
                             "t2.micro", "--tag-specifications",
                             "ResourceType=instance,Tags=[{Key=Name,Value=web}]"]), "run")
    iid = out["Instances"][0]["InstanceId"]
    rid = out["ReservationId"]
    _advance(t, lab, "2m")
    _ok(t, t.aws(lab, ["ec2", "stop-instances", "--instance-ids", iid]), "stop")
    _ok(t, t.aws(lab, ["ec2", "create-tags", "--resources", iid, "--tags",
                       "Key=Owner,Value=ops"]), "create-tags")

    # RunInstances
    (ev,), _ = _events(t, lab, "RunInstances")
    rp = ev["requestParameters"]
    t.eq(rp["instancesSet"], {"items": [{"imageId": AMI, "minCount": 1, "maxCount": 1}]},
         "RunInstances instancesSet")
    t.eq(rp["instanceType"], "t2.micro", "instanceType")
    t.eq((rp["blockDeviceMapping"], rp["monitoring"], rp["disableApiTermination"]),
         ({}, {"enabled": False}, False), "EC2's defaults")
    t.eq(rp["tagSpecificationSet"], {"items": [{"resourceType": "instance", "tags": [
        {"key": "Name", "value": "web"}]}]}, "tagSpecificationSet")
    t.check("imageId" not in rp and "ImageId" not in rp, "no API member names: %r" % rp)
    re_ = ev["responseElements"]
    t.eq((re_["reservationId"], re_["ownerId"]), (rid, ACCOUNT), "reservation")
    t.check(isinstance(re_["requestId"], str) and re_["requestId"] == ev["requestID"],
            "requestId %r" % re_)
    inst = re_["instancesSet"]["items"][0]
    t.eq((inst["instanceId"], inst["imageId"], inst["instanceState"], inst["instanceType"]),
         (iid, AMI, {"code": 0, "name": "pending"}, "t2.micro"), "instance")
    t.check(isinstance(inst["launchTime"], int), "launchTime in epoch ms: %r" % inst)
    t.eq((ev["readOnly"], ev["eventCategory"], ev["eventType"], ev["managementEvent"]),
         (False, "Management", "AwsApiCall", True), "RunInstances kind")

    # StopInstances (as the CloudTrail UG sample of the EC2 StopInstances record)
    (ev,), _ = _events(t, lab, "StopInstances")
    t.eq(ev["requestParameters"], {"instancesSet": {"items": [{"instanceId": iid}]},
                                   "force": False}, "StopInstances requestParameters")
    re_ = ev["responseElements"]
    t.eq(sorted(re_), ["instancesSet", "requestId"], "StopInstances responseElements keys")
    t.eq(re_["instancesSet"], {"items": [{"instanceId": iid,
                                          "currentState": {"code": 64, "name": "stopping"},
                                          "previousState": {"code": 16, "name": "running"}}]},
         "StopInstances instancesSet")

    # CreateTags
    (ev,), raw = _events(t, lab, "CreateTags")
    t.eq(raw[0]["Resources"], [{"ResourceType": "AWS::EC2::Instance", "ResourceName": iid}],
         "CreateTags Resources")
    out = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                             "AttributeKey=ResourceName,AttributeValue=" + iid]), "by resource")
    t.eq(sorted(e["EventName"] for e in out["Events"]),
         ["CreateTags", "StopInstances"], "events naming the instance")
    t.eq(ev["requestParameters"], {"resourcesSet": {"items": [{"resourceId": iid}]},
                                   "tagSet": {"items": [{"key": "Owner", "value": "ops"}]}},
         "CreateTags requestParameters")
    t.eq(sorted(ev["responseElements"].items())[0], ("_return", True), "CreateTags _return")

    # a read records null responseElements and readOnly true
    _ok(t, t.aws(lab, ["ec2", "describe-instances"]), "describe")
    (ev,), _ = _events(t, lab, "DescribeInstances")
    t.eq((ev["readOnly"], ev["responseElements"]), (True, None), "DescribeInstances")
    t.eq(ev["requestParameters"], {"instancesSet": {}, "filterSet": {}}, "describe params")

    # <return>true</return> on the wire
    st, _, body, p = t.curl(lab, "/", ["-X", "POST", "--data",
                                       "Action=CreateTags&Version=2016-11-15&ResourceId.1=%s"
                                       "&Tag.1.Key=a&Tag.1.Value=b" % iid],
                            sign="aws:amz:us-east-1:ec2")
    t.eq(st, 200, "CreateTags over curl: %r" % body)
    t.check(b"</requestId><return>true</return></CreateTagsResponse>" in body,
            "<return>true</return>: %r" % body)


def test_failed_and_role_session_events(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
        "Action": "sts:AssumeRole"}]})
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops",
                       "--assume-role-policy-document", trust]), "role")
    # root cannot assume roles: a user does
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "u"]), "user")
    _ok(t, t.aws(lab, ["iam", "put-user-policy", "--user-name", "u", "--policy-name", "p",
                       "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [{
                           "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})]),
        "policy")
    ak = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", "u"]), "key")["AccessKey"]
    u = {"AWS_ACCESS_KEY_ID": ak["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": ak["SecretAccessKey"]}
    c = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn",
                           "arn:aws:iam::%s:role/ops" % ACCOUNT, "--role-session-name", "s1"],
                     env=u), "assume-role")["Credentials"]
    s = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
         "AWS_SESSION_TOKEN": c["SessionToken"]}
    r = t.aws(lab, ["ec2", "stop-instances", "--instance-ids", "i-0123456789abcdef0"], env=s)
    t.check(r.rc != 0, "the role has no policy: %r" % r)
    (ev,), _ = _events(t, lab, "StopInstances")
    t.eq(ev["errorCode"], "Client.UnauthorizedOperation", "errorCode")
    t.check(ev["errorMessage"].startswith("You are not authorized to perform this operation."),
            "errorMessage %r" % ev["errorMessage"])
    t.eq(ev["responseElements"], None, "a failed call has no responseElements")
    uid = ev["userIdentity"]
    t.eq((uid["type"], uid["arn"], uid["accessKeyId"]),
         ("AssumedRole", "arn:aws:sts::%s:assumed-role/ops/s1" % ACCOUNT, c["AccessKeyId"]),
         "userIdentity")
    sc = uid["sessionContext"]
    t.eq((sc["sessionIssuer"]["type"], sc["sessionIssuer"]["arn"],
          sc["sessionIssuer"]["userName"]),
         ("Role", "arn:aws:iam::%s:role/ops" % ACCOUNT, "ops"), "sessionIssuer")
    t.eq((sc["attributes"]["mfaAuthenticated"], sc["attributes"]["creationDate"]),
         ("false", "2026-03-01T00:00:00Z"), "attributes")


ALARM_THEN_FAIL = json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "MetricName": "CPUUtilization", "Namespace": "AWS/EC2", "Statistic": "Average",
            "Period": 60, "EvaluationPeriods": 1, "Threshold": 90,
            "ComparisonOperator": "GreaterThanThreshold"}},
        "Bad": {"Type": "AWS::IAM::User", "DependsOn": "Alarm",
                "Properties": {"UserName": "not-allowed"}}}})


def test_rolled_back_stack_keeps_put_metric_alarm_event(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "cfn"]), "user")
    _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", "cfn", "--policy-arn", POWER]),
        "power")
    ak = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", "cfn"]), "key")["AccessKey"]
    cfn = {"AWS_ACCESS_KEY_ID": ak["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": ak["SecretAccessKey"]}
    _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "rb",
                       "--template-body", ALARM_THEN_FAIL, "--capabilities",
                       "CAPABILITY_NAMED_IAM"], env=cfn), "create-stack")
    status = None
    for _ in range(20):
        _advance(t, lab, "1m")
        status = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "rb"],
                              env=cfn), "describe-stacks")["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            break
    t.eq(status, "ROLLBACK_COMPLETE", "the stack rolled back")
    alarms = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms"]), "describe-alarms")
    t.eq(alarms["MetricAlarms"], [], "the alarm is gone")
    evs, raw = _events(t, lab, "PutMetricAlarm")
    t.eq(len(evs), 1, "the PutMetricAlarm event survives the rollback: %r" % evs)
    ev = evs[0]
    t.eq((ev["userIdentity"]["userName"], ev["userIdentity"]["invokedBy"]),
         ("cfn", "cloudformation.amazonaws.com"), "who, through CloudFormation")
    evs, _ = _events(t, lab, "CreateUser")
    t.eq([(e.get("errorCode"), e["userIdentity"].get("invokedBy"))
          for e in evs if e["requestParameters"]["userName"] == "not-allowed"],
         [("AccessDenied", "cloudformation.amazonaws.com")], "the failed CreateUser")
    evs, _ = _events(t, lab, "DeleteAlarms")
    t.eq(len(evs), 1, "the rollback's DeleteAlarms")


def _recover_template(iid, fail):
    res = {"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": "seed-recover", "MetricName": "StatusCheckFailed_System",
        "Namespace": "AWS/EC2", "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 2,
        "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold",
        "Dimensions": [{"Name": "InstanceId", "Value": iid}],
        "AlarmActions": ["arn:aws:automate:us-east-1:ec2:recover"]}}}
    if fail:
        res["Bad"] = {"Type": "AWS::IAM::User", "DependsOn": "Alarm",
                      "Properties": {"UserName": "not-allowed"}}
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": res})


def _stack(t, lab, env, name, body, want):
    _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", name,
                       "--template-body", body, "--capabilities", "CAPABILITY_NAMED_IAM"],
                 env=env), "create-stack " + name)
    status = None
    for _ in range(20):
        _advance(t, lab, "1m")
        status = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", name],
                              env=env), "describe-stacks")["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            break
    t.eq(status, want, "stack %s" % name)


def test_audit_names_the_creator_of_a_rolled_back_then_retried_stack(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "cfn"]), "user")
    _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", "cfn", "--policy-arn", POWER]),
        "power")
    ak = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", "cfn"]), "key")["AccessKey"]
    cfn = {"AWS_ACCESS_KEY_ID": ak["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": ak["SecretAccessKey"]}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
        "Action": "sts:AssumeRole"}]})
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops",
                       "--assume-role-policy-document", trust]), "role")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ops", "--policy-arn", POWER]),
        "role power")

    def session(name):
        c = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn",
                               "arn:aws:iam::%s:role/ops" % ACCOUNT, "--role-session-name", name],
                         env=cfn), "assume-role")["Credentials"]
        return {"AWS_ACCESS_KEY_ID": c["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                "AWS_SESSION_TOKEN": c["SessionToken"]}

    iid = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--instance-type",
                             "t2.micro"]), "run")["Instances"][0]["InstanceId"]
    # the user's first attempt rolls back; the role's retry succeeds
    _stack(t, lab, cfn, "seed-1", _recover_template(iid, True), "ROLLBACK_COMPLETE")
    _stack(t, lab, session("retry"), "seed-2", _recover_template(iid, False), "CREATE_COMPLETE")
    evs, _ = _events(t, lab, "PutMetricAlarm")
    t.eq(sorted(e["userIdentity"]["type"] for e in evs), ["AssumedRole", "IAMUser"],
         "both puts recorded")
    r = t.run([BIN, "audit", "--json", "--data", lab.data], env=t.client_env(), timeout=120)
    t.eq(r.rc, 1, "audit exit status: %r" % r)
    doc = r.json()
    (al,) = [a for a in doc["alarms"] if a["alarm"] == "seed-recover"]
    cr = al["creator"]
    t.eq((cr["type"], cr["arn"], cr["invokedBy"]),
         ("AssumedRole", "arn:aws:sts::%s:assumed-role/ops/retry" % ACCOUNT,
          "cloudformation.amazonaws.com"), "the retry's creator")
    t.eq([f["rule"] for f in al["findings"]], ["recover-temporary-creator"], "findings")
    perm = cr["permissions"]
    t.eq((perm["action"], perm["decision"], perm["matchedStatements"][0]["policy"],
          perm["matchedStatements"][0]["type"]),
         ("ec2:RecoverInstances", "allowed", "PowerUserAccess", "aws-managed"),
         "the simulator's answer for the creator")
    # a creator without the permission: re-put as a user who lacks ec2:RecoverInstances
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "narrow"]), "narrow")
    _ok(t, t.aws(lab, ["iam", "put-user-policy", "--user-name", "narrow", "--policy-name", "cw",
                       "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [{
                           "Effect": "Allow", "Action": ["cloudwatch:*", "ec2:Describe*",
                                                         "iam:CreateServiceLinkedRole"],
                           "Resource": "*"}]})]), "narrow policy")
    nk = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", "narrow"]),
             "key")["AccessKey"]
    narrow = {"AWS_ACCESS_KEY_ID": nk["AccessKeyId"],
              "AWS_SECRET_ACCESS_KEY": nk["SecretAccessKey"]}
    _ok(t, t.aws(lab, ["cloudwatch", "put-metric-alarm", "--alarm-name", "seed-recover",
                       "--metric-name", "StatusCheckFailed_System", "--namespace", "AWS/EC2",
                       "--statistic", "Maximum", "--period", "60", "--evaluation-periods", "2",
                       "--comparison-operator", "GreaterThanThreshold", "--threshold", "0",
                       "--dimensions", "Name=InstanceId,Value=" + iid, "--alarm-actions",
                       "arn:aws:automate:us-east-1:ec2:recover"], env=narrow), "re-put")
    r = t.run([BIN, "audit", "--data", lab.data], env=t.client_env(), timeout=120)
    t.eq(r.rc, 1, "audit: %r" % r)
    t.check("recover-creator-not-permitted" in r.out and "implicitDeny" in r.out and
            "arn:aws:iam::%s:user/narrow" % ACCOUNT in r.out, "table: %r" % r.out)


def test_alarm_stop_action_event_is_the_service_linked_roles(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    _ok(t, t.aws(lab, ["iam", "create-service-linked-role", "--aws-service-name",
                       "events.amazonaws.com"]), "SLR")
    iid = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--instance-type",
                             "t2.micro"]), "run")["Instances"][0]["InstanceId"]
    _advance(t, lab, "2m")
    _ok(t, t.aws(lab, ["cloudwatch", "put-metric-alarm", "--alarm-name", "stopper",
                       "--metric-name", "CPUUtilization", "--namespace", "AWS/EC2",
                       "--statistic", "Average", "--period", "60", "--evaluation-periods", "1",
                       "--comparison-operator", "GreaterThanThreshold", "--threshold", "90",
                       "--dimensions", "Name=InstanceId,Value=" + iid, "--alarm-actions",
                       "arn:aws:automate:us-east-1:ec2:stop"]), "put-metric-alarm")
    _ok(t, t.aws(lab, ["cloudwatch", "set-alarm-state", "--alarm-name", "stopper",
                       "--state-value", "ALARM", "--state-reason", "test"]), "set-alarm-state")
    evs, raw = _events(t, lab, "StopInstances")
    t.eq(len(evs), 1, "the alarm's StopInstances: %r" % evs)
    ev = evs[0]
    uid = ev["userIdentity"]
    t.eq((uid["type"], uid["invokedBy"], ev["sourceIPAddress"]),
         ("AssumedRole", "events.amazonaws.com", "events.amazonaws.com"), "who")
    t.check("assumed-role/AWSServiceRoleForCloudWatchEvents/" in uid["arn"], "SLR: %r" % uid)
    t.eq(ev["requestParameters"], {"instancesSet": {"items": [{"instanceId": iid}]},
                                   "force": False}, "requestParameters")
    t.check("errorCode" not in ev, "the stop succeeded: %r" % ev)
