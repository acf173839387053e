"""CloudWatch alarm API (issue 5) through Query (boto3 1.26, aws 2.9), JSON 1.0 (boto3 1.43,
aws 1.x) and RPC v2 CBOR (botocore forced to CBOR): PutMetricAlarm validation, describe
filters, composite alarms, SetAlarmState, history, tags, delete."""
import json

from cw import cbor_data_path, check_cbor_wire, check_json_wire, check_query_wire

ACCT = "123456789012"
ARN = "arn:aws:cloudwatch:us-east-1:%s:alarm:" % ACCT


def _cw(op, **params):
    return {"service": "cloudwatch", "op": op, "params": params}


def _alarm(name, **extra):
    p = dict(AlarmName=name, MetricName="CPUUtilization", Namespace="AWS/EC2",
             Statistic="Average", Period=60, EvaluationPeriods=2, Threshold=80.0,
             ComparisonOperator="GreaterThanThreshold")
    p.update(extra)
    return _cw("put_metric_alarm", **p)


CALLS = [
    _alarm("web-cpu", Dimensions=[{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}],
           OKActions=["arn:aws:sns:us-east-1:%s:ops" % ACCT], DatapointsToAlarm=1,
           TreatMissingData="notBreaching", Tags=[{"Key": "team", "Value": "web"}]),
    _alarm("bad", EvaluationPeriods=2, DatapointsToAlarm=3),
    _alarm("bad", Period=45),
    _alarm("bad", AlarmActions=["arn:aws:automate:us-east-1:ec2:stop"]),
    _alarm("bad", AlarmActions=["not-an-arn"]),
    _cw("describe_alarms", AlarmNames=["web-cpu"]),
    _cw("put_composite_alarm", AlarmName="comp", AlarmRule="ALARM(web-cpu) OR ALARM(ghost)"),
    _cw("put_composite_alarm", AlarmName="comp", AlarmRule="ALARM(web-cpu) AND"),
    _cw("put_composite_alarm", AlarmName="comp", AlarmRule='ALARM("web-cpu") AND NOT OK(web-cpu)'),
    _cw("describe_alarms", AlarmTypes=["CompositeAlarm", "MetricAlarm"]),
    _cw("set_alarm_state", AlarmName="web-cpu", StateValue="ALARM", StateReason="e2e test"),
    _cw("describe_alarms", StateValue="ALARM"),
    _cw("describe_alarm_history", AlarmName="web-cpu", HistoryItemType="ConfigurationUpdate"),
    _cw("tag_resource", ResourceARN=ARN + "web-cpu", Tags=[{"Key": "env", "Value": "prod"}]),
    _cw("untag_resource", ResourceARN=ARN + "web-cpu", TagKeys=["team"]),
    _cw("list_tags_for_resource", ResourceARN=ARN + "web-cpu"),
    _cw("delete_alarms", AlarmNames=["web-cpu"]),
    _cw("delete_alarms", AlarmNames=["web-cpu", "comp", "never-existed"]),
    _cw("describe_alarms", AlarmTypes=["CompositeAlarm", "MetricAlarm"]),
    _cw("set_alarm_state", AlarmName="web-cpu", StateValue="OK", StateReason="x"),
    _cw("list_tags_for_resource", ResourceARN=ARN + "web-cpu"),
    _cw("describe_alarm_history", AlarmName="web-cpu", MaxRecords=1),
    _cw("describe_alarms_for_metric", MetricName="CPUUtilization", Namespace="AWS/EC2"),
]
OPS = ["PutMetricAlarm"] * 5 + ["DescribeAlarms"] + ["PutCompositeAlarm"] * 3 + [
    "DescribeAlarms", "SetAlarmState", "DescribeAlarms", "DescribeAlarmHistory", "TagResource",
    "UntagResource", "ListTagsForResource", "DeleteAlarms", "DeleteAlarms", "DescribeAlarms",
    "SetAlarmState", "ListTagsForResource", "DescribeAlarmHistory", "DescribeAlarmsForMetric"]


def _err(t, r, code, msg, who, what):
    t.check(not r["ok"], "%s %s should fail: %r" % (who, what, r))
    t.eq(r.get("code"), code, "%s %s code" % (who, what))
    if msg is not None:
        t.eq(r.get("message"), msg, "%s %s message" % (who, what))


def _check(t, res, who):
    t.eq(len(res), len(CALLS), "%s result count" % who)
    t.check(res[0]["ok"], "%s put web-cpu: %r" % (who, res[0]))
    _err(t, res[1], "ValidationError",
         "DatapointsToAlarm must be less than or equal to EvaluationPeriods", who, "M > N")
    _err(t, res[2], "ValidationError", "Period must be 10, 20, 30 or a multiple of 60", who,
         "period 45")
    _err(t, res[3], "ValidationError",
         "Invalid use of EC2 action. An EC2 action can only be used if the alarm is monitoring "
         "an EC2 instance.", who, "EC2 action on a non-instance metric")
    _err(t, res[4], "ValidationError", None, who, "malformed action ARN")
    t.check(res[5]["ok"], "%s describe: %r" % (who, res[5]))
    alarms = res[5]["data"]["MetricAlarms"]
    t.eq(len(alarms), 1, "%s one alarm" % who)
    a = alarms[0]
    t.eq(a["AlarmName"], "web-cpu", "%s name" % who)
    t.eq(a["AlarmArn"], ARN + "web-cpu", "%s arn" % who)
    t.eq(a["StateValue"], "INSUFFICIENT_DATA", "%s initial state" % who)
    t.eq(a["StateReason"], "Unchecked: Initial alarm creation", "%s initial reason" % who)
    t.eq(a["Threshold"], 80.0, "%s threshold" % who)
    t.eq(a["DatapointsToAlarm"], 1, "%s M" % who)
    t.eq(a["TreatMissingData"], "notBreaching", "%s missing data" % who)
    t.eq(a["Dimensions"], [{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}],
         "%s dimensions" % who)
    t.eq(a["OKActions"], ["arn:aws:sns:us-east-1:%s:ops" % ACCT], "%s OK actions" % who)
    t.eq(a["AlarmActions"], [], "%s empty alarm actions" % who)
    t.check(a["ActionsEnabled"] is True, "%s actions enabled" % who)
    _err(t, res[6], "ValidationError",
         "Could not save the composite alarm as alarms [%sghost] in the alarm rule do not exist"
         % ARN, who, "composite with a missing child")
    _err(t, res[7], "ValidationError", "Error in AlarmRule [Unexpected end of rule at char 18]",
         who, "composite syntax")
    t.check(res[8]["ok"], "%s put composite: %r" % (who, res[8]))
    d = res[9]["data"]
    t.eq([x["AlarmName"] for x in d["CompositeAlarms"]], ["comp"], "%s composites" % who)
    t.eq([x["AlarmName"] for x in d["MetricAlarms"]], ["web-cpu"], "%s metric alarms" % who)
    t.eq(d["CompositeAlarms"][0]["AlarmRule"], 'ALARM("web-cpu") AND NOT OK(web-cpu)',
         "%s rule" % who)
    t.check(res[10]["ok"], "%s set-alarm-state: %r" % (who, res[10]))
    t.eq([(x["AlarmName"], x["StateReason"]) for x in res[11]["data"]["MetricAlarms"]],
         [("web-cpu", "e2e test")], "%s StateValue=ALARM filter" % who)
    items = res[12]["data"]["AlarmHistoryItems"]
    t.eq([x["HistorySummary"] for x in items], ['Alarm "web-cpu" created'], "%s history" % who)
    hd = json.loads(items[0]["HistoryData"])
    t.eq((hd["version"], hd["type"], hd["createdAlarm"]["alarmName"]), ("1.0", "Create", "web-cpu"),
         "%s history data" % who)
    t.check(res[13]["ok"] and res[14]["ok"], "%s tag/untag: %r %r" % (who, res[13], res[14]))
    t.eq(res[15]["data"]["Tags"], [{"Key": "env", "Value": "prod"}], "%s tags" % who)
    _err(t, res[16], "ValidationError",
         "Cannot delete web-cpu as there are composite alarm(s) depending on it.", who,
         "delete a child")
    t.check(res[17]["ok"], "%s delete: %r" % (who, res[17]))
    t.eq((res[18]["data"]["MetricAlarms"], res[18]["data"]["CompositeAlarms"]), ([], []),
         "%s all deleted" % who)
    _err(t, res[19], "ResourceNotFound", None, who, "set-alarm-state on a deleted alarm")
    t.eq(res[19].get("status"), 404, "%s ResourceNotFound status" % who)
    _err(t, res[20], "ResourceNotFoundException", None, who, "tags of a deleted alarm")
    items = res[21]["data"]["AlarmHistoryItems"]
    t.eq([x["HistorySummary"] for x in items], ['Alarm "web-cpu" deleted'],
         "%s history survives deletion" % who)
    t.check(res[21]["data"].get("NextToken"), "%s history NextToken" % who)
    t.eq(res[22]["data"]["MetricAlarms"], [], "%s for-metric after delete" % who)


def _lab(t):
    # a manual clock: no evaluation tick returns the SetAlarmState state to the computed one
    # between the calls
    return t.lab(clock="manual")


def test_alarms_query_boto3_old(t):
    lab = _lab(t)
    res = t.boto(lab, CALLS, old=True)
    _check(t, res, "boto3 1.26 (Query)")
    for r, op in zip(res, OPS):
        if r["ok"]:
            check_query_wire(t, r, op)


def test_alarms_json_boto3_new(t):
    lab = _lab(t)
    res = t.boto(lab, CALLS)
    _check(t, res, "boto3 1.43 (JSON 1.0)")
    for r, op in zip(res, OPS):
        check_json_wire(t, r, op)


def test_alarms_cbor_forced_botocore(t):
    lab = _lab(t)
    res = t.boto(lab, CALLS, env={"AWS_DATA_PATH": cbor_data_path(t)})
    for r, op in zip(res, OPS):
        if r["ok"]:
            check_cbor_wire(t, r, op)
    _check(t, res, "botocore forced to CBOR")


def test_alarms_cli_both(t):
    lab = t.lab()
    seed = ["cloudwatch", "put-metric-alarm", "--alarm-name", "seed-recover",
            "--metric-name", "StatusCheckFailed", "--namespace", "AWS/EC2",
            "--statistic", "Minimum", "--period", "60", "--evaluation-periods", "5",
            "--comparison-operator", "GreaterThanThreshold", "--threshold", "0",
            "--dimensions", "Name=InstanceId,Value=i-0123456789abcdef0",
            "--alarm-actions", "arn:aws:automate:us-east-1:ec2:recover"]
    for old in (True, False):
        who = "aws 2.9 (Query)" if old else "aws 1.x (JSON)"
        r = t.aws(lab, seed, old=old)
        t.check(r.rc == 0, "%s seed alarm: %r" % (who, r))
        r = t.aws(lab, ["cloudwatch", "describe-alarms", "--alarm-names", "seed-recover"], old=old)
        t.check(r.rc == 0, "%s describe-alarms: %r" % (who, r))
        a = r.json()["MetricAlarms"][0]
        t.eq((a["MetricName"], a["Statistic"], a["Period"], a["EvaluationPeriods"],
              a["ComparisonOperator"], a["Threshold"], a["AlarmActions"]),
             ("StatusCheckFailed", "Minimum", 60, 5, "GreaterThanThreshold", 0.0,
              ["arn:aws:automate:us-east-1:ec2:recover"]), "%s seed alarm fields" % who)
        r = t.aws(lab, ["cloudwatch", "put-metric-alarm", "--alarm-name", "x",
                        "--metric-name", "StatusCheckFailed_Instance", "--namespace", "AWS/EC2",
                        "--statistic", "Minimum", "--period", "60", "--evaluation-periods", "2",
                        "--comparison-operator", "GreaterThanThreshold", "--threshold", "0",
                        "--dimensions", "Name=InstanceId,Value=i-0123456789abcdef0",
                        "--alarm-actions", "arn:aws:automate:us-east-1:ec2:recover"], old=old)
        t.check(r.rc != 0 and "ValidationError" in r.err and "StatusCheckFailed_Instance" in r.err,
                "%s recover on StatusCheckFailed_Instance should fail: %r" % (who, r))
        r = t.aws(lab, ["cloudwatch", "set-alarm-state", "--alarm-name", "seed-recover",
                        "--state-value", "OK", "--state-reason", "cli",
                        "--state-reason-data", "{not json"], old=old)
        t.check(r.rc != 0 and "InvalidFormat" in r.err, "%s InvalidFormat: %r" % (who, r))
        r = t.aws(lab, ["cloudwatch", "describe-alarm-history", "--alarm-name", "seed-recover",
                        "--scan-by", "TimestampAscending"], old=old)
        t.check(r.rc == 0, "%s history: %r" % (who, r))
        t.eq(r.json()["AlarmHistoryItems"][0]["HistorySummary"], 'Alarm "seed-recover" created',
             "%s first history item" % who)
        r = t.aws(lab, ["cloudwatch", "delete-alarms", "--alarm-names", "seed-recover"], old=old)
        t.check(r.rc == 0, "%s delete-alarms: %r" % (who, r))


def test_alarms_stop_action_service_linked_role(t):
    """The first alarm with a stop action needs iam:CreateServiceLinkedRole and creates
    AWSServiceRoleForCloudWatchEvents; the cloudwatch:* user without it is refused."""
    lab = t.lab()
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "cloudwatch:*", "Resource": "*"}]})
    for args in (["iam", "create-user", "--user-name", "cwonly"],
                 ["iam", "put-user-policy", "--user-name", "cwonly", "--policy-name", "cw",
                  "--policy-document", policy]):
        r = t.aws(lab, args)
        t.check(r.rc == 0, "%s: %r" % (args[1], r))
    r = t.aws(lab, ["iam", "create-access-key", "--user-name", "cwonly"])
    t.check(r.rc == 0, "create-access-key: %r" % r)
    key = r.json()["AccessKey"]
    user_env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    put = ["cloudwatch", "put-metric-alarm", "--alarm-name", "idle-stop",
           "--metric-name", "CPUUtilization", "--namespace", "AWS/EC2", "--statistic", "Average",
           "--period", "300", "--evaluation-periods", "1", "--threshold", "1",
           "--comparison-operator", "LessThanThreshold",
           "--dimensions", "Name=InstanceId,Value=i-0123456789abcdef0",
           "--alarm-actions", "arn:aws:automate:us-east-1:ec2:stop"]
    r = t.aws(lab, put, env=user_env)
    t.check(r.rc != 0 and "AccessDenied" in r.err and "iam:CreateServiceLinkedRole" in r.err,
            "user without iam:CreateServiceLinkedRole: %r" % r)
    r = t.aws(lab, ["iam", "get-role", "--role-name", "AWSServiceRoleForCloudWatchEvents"])
    t.check(r.rc != 0, "no service-linked role yet: %r" % r)
    r = t.aws(lab, put)  # root
    t.check(r.rc == 0, "root puts the stop alarm: %r" % r)
    r = t.aws(lab, ["iam", "get-role", "--role-name", "AWSServiceRoleForCloudWatchEvents"])
    t.check(r.rc == 0, "service-linked role created: %r" % r)
    t.eq(r.json()["Role"]["Path"], "/aws-service-role/events.amazonaws.com/", "role path")
    r = t.aws(lab, put[:3] + ["idle-stop-2"] + put[4:], env=user_env, old=True)
    t.check(r.rc == 0, "the role exists: the user may put another stop alarm: %r" % r)


def test_alarms_alarm_actions_condition_key(t):
    """cloudwatch:AlarmActions reaches authorization: a policy that allows PutMetricAlarm only
    for SNS actions refuses an alarm with the recover action [doc example]."""
    lab = t.lab()
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "cloudwatch:PutMetricAlarm", "Resource": "*",
         "Condition": {"ForAllValues:StringLike": {"cloudwatch:AlarmActions": ["arn:aws:sns:*"]}}}]})
    for args in (["iam", "create-user", "--user-name", "snsonly"],
                 ["iam", "put-user-policy", "--user-name", "snsonly", "--policy-name", "p",
                  "--policy-document", policy]):
        r = t.aws(lab, args)
        t.check(r.rc == 0, "%s: %r" % (args[1], r))
    r = t.aws(lab, ["iam", "create-access-key", "--user-name", "snsonly"])
    t.check(r.rc == 0, "create-access-key: %r" % r)
    key = r.json()["AccessKey"]
    env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    base = ["cloudwatch", "put-metric-alarm", "--metric-name", "StatusCheckFailed_System",
            "--namespace", "AWS/EC2", "--statistic", "Minimum", "--period", "60",
            "--evaluation-periods", "2", "--threshold", "0",
            "--comparison-operator", "GreaterThanThreshold",
            "--dimensions", "Name=InstanceId,Value=i-0123456789abcdef0"]
    r = t.aws(lab, base + ["--alarm-name", "notify", "--alarm-actions",
                           "arn:aws:sns:us-east-1:%s:ops" % ACCT], env=env)
    t.check(r.rc == 0, "SNS action allowed: %r" % r)
    r = t.aws(lab, base + ["--alarm-name", "recover", "--alarm-actions",
                           "arn:aws:automate:us-east-1:ec2:recover"], env=env)
    t.check(r.rc != 0 and "AccessDenied" in r.err and "cloudwatch:PutMetricAlarm" in r.err,
            "recover action refused by the condition: %r" % r)


def test_alarms_recover_needs_a_recoverable_instance_type(t):
    """recover is refused for an instance whose type cannot be recovered (m5d.large has
    instance store), accepted for t2.micro (the seed's alarm)."""
    import lab as labmod
    lab = t.lab()
    ids = {}
    for typ in ("m5d.large", "t2.micro"):
        r = t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956", "--count", "1",
                        "--instance-type", typ])
        if r.rc != 0 and ("InvalidAction" in r.err or "not valid for this web service" in r.err):
            raise labmod.Skip("EC2 RunInstances is not served yet")
        t.check(r.rc == 0, "run-instances %s: %r" % (typ, r))
        ids[typ] = r.json()["Instances"][0]["InstanceId"]
    put = ["cloudwatch", "put-metric-alarm", "--metric-name", "StatusCheckFailed",
           "--namespace", "AWS/EC2", "--statistic", "Minimum", "--period", "60",
           "--evaluation-periods", "5", "--threshold", "0",
           "--comparison-operator", "GreaterThanThreshold",
           "--alarm-actions", "arn:aws:automate:us-east-1:ec2:recover"]
    r = t.aws(lab, put + ["--alarm-name", "bad", "--dimensions",
                          "Name=InstanceId,Value=%s" % ids["m5d.large"]])
    t.check(r.rc != 0 and "ValidationError" in r.err and "m5d.large" in r.err,
            "recover on m5d.large should be refused: %r" % r)
    r = t.aws(lab, put + ["--alarm-name", "seed", "--dimensions",
                          "Name=InstanceId,Value=%s" % ids["t2.micro"]], old=True)
    t.check(r.rc == 0, "recover on t2.micro (aws 2.9): %r" % r)
