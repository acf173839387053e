"""SNS: the API with every client (aws CLI 1.45 and 2.9, boto3 1.43 and 1.26, the JS SDK v3),
signed http deliveries checked with openssl against the certificate the lab serves, retries
of a failing receiver on the delivery policy's schedule in virtual time, the inbox
(`recoverlab sns messages`, email confirmed through the admin API), CloudWatch alarm actions
to a topic (the seed's template with a topic and an http subscription), a topic policy that
keeps CloudWatch out (the failed Action item, named by `recoverlab audit`)."""
import json
import os
import urllib.request

from lab import ACCOUNT, BIN
from sns_receiver import Receiver, verify

ADMIN = "aws:amz:us-east-1:recoverlab"
START = "2026-06-01T00:00:00Z"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _fails(t, r, code, what):
    t.check(r.rc != 0 and code in r.err, "%s should fail with %s: %r" % (what, code, r))


def _rl(t, lab, *args):
    return t.run([BIN] + list(args) + ["--data", lab.data], env=t.client_env())


def _advance(t, lab, dur):
    r = _rl(t, lab, "clock", "advance", dur)
    t.check(r.rc == 0, "clock advance %s: %r" % (dur, r))


def _admin(t, lab, method, path, payload=None):
    args = ["-X", method]
    if payload is not None:
        args += ["-H", "Content-Type: application/json", "--data", json.dumps(payload)]
    status, _, body, _ = t.curl(lab, path, args, sign=ADMIN)
    return status, json.loads(body) if body.strip() else None


def _messages(t, lab, topic=None):
    args = ["sns", "messages", "--json"] + (["--topic", topic] if topic else [])
    r = _rl(t, lab, *args)
    t.check(r.rc == 0, "recoverlab sns messages: %r" % r)
    return r.json()["messages"]


def _cert(t, doc):
    with urllib.request.urlopen(doc["SigningCertURL"], timeout=10) as r:
        t.eq(r.status, 200, "certificate served")
        return r.read().decode()


def _cli_api(t, old):
    lab = t.lab()
    aws = lambda args: t.aws(lab, ["sns"] + args, old=old)
    arn = "arn:aws:sns:us-east-1:%s:alerts" % ACCOUNT
    out = _ok(t, aws(["create-topic", "--name", "alerts", "--attributes", "DisplayName=Alerts",
                      "--tags", "Key=team,Value=ops"]), "create-topic")
    t.eq(out["TopicArn"], arn, "topic ARN")
    t.eq(_ok(t, aws(["create-topic", "--name", "alerts"]), "create-topic again")["TopicArn"], arn,
         "CreateTopic is idempotent")
    _fails(t, aws(["create-topic", "--name", "alerts", "--attributes", "DisplayName=Other"]),
           "Topic already exists with different attributes", "create-topic, other attributes")
    _fails(t, aws(["create-topic", "--name", "no good"]), "Invalid parameter: Topic Name",
           "a bad name")
    topics = _ok(t, aws(["list-topics"]), "list-topics")["Topics"]
    t.eq(topics, [{"TopicArn": arn}], "list-topics")
    attrs = _ok(t, aws(["get-topic-attributes", "--topic-arn", arn]), "get-topic-attributes")
    t.eq(attrs["Attributes"]["DisplayName"], "Alerts", "DisplayName")
    t.eq(json.loads(attrs["Attributes"]["Policy"])["Statement"][0]["Condition"],
         {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}, "the default policy: the owner only")
    _ok(t, aws(["set-topic-attributes", "--topic-arn", arn, "--attribute-name", "DisplayName",
                "--attribute-value", "Pager"]), "set-topic-attributes")
    t.eq(_ok(t, aws(["get-topic-attributes", "--topic-arn", arn]), "get")["Attributes"]
         ["DisplayName"], "Pager", "DisplayName set")
    _fails(t, aws(["get-topic-attributes", "--topic-arn", arn + "x"]), "NotFound", "missing topic")
    # an email subscription waits; the admin API confirms it, as clicking the mail would
    sub = _ok(t, aws(["subscribe", "--topic-arn", arn, "--protocol", "email",
                      "--notification-endpoint", "oncall@example.com"]), "subscribe email")
    t.eq(sub["SubscriptionArn"], "pending confirmation", "email waits for confirmation")
    subs = _ok(t, aws(["list-subscriptions-by-topic", "--topic-arn", arn]), "list")["Subscriptions"]
    t.eq(subs[0]["SubscriptionArn"], "PendingConfirmation", "pending in the list")
    _fails(t, aws(["subscribe", "--topic-arn", arn, "--protocol", "sqs",
                   "--notification-endpoint", "arn:aws:sqs:us-east-1:%s:q" % ACCOUNT]),
           "NotFound", "an sqs endpoint the lab does not have")
    _fails(t, aws(["subscribe", "--topic-arn", arn, "--protocol", "http",
                   "--notification-endpoint", "ftp://x"]),
           "Endpoint must match the specified protocol", "http with a bad endpoint")
    inbox = _messages(t, lab, arn)
    t.eq([m["type"] for m in inbox], ["SubscriptionConfirmation"], "the confirmation mail")
    full = _ok(t, aws(["subscribe", "--topic-arn", arn, "--protocol", "email",
                       "--notification-endpoint", "oncall@example.com",
                       "--return-subscription-arn"]), "subscribe again")["SubscriptionArn"]
    t.check(full.startswith(arn + ":"), "ReturnSubscriptionArn: %r" % full)
    status, body = _admin(t, lab, "POST", "/_recoverlab/sns/confirm", {"subscriptionArn": full})
    t.eq(status, 200, "admin confirm (%r)" % body)
    sa = _ok(t, aws(["get-subscription-attributes", "--subscription-arn", full]), "get sub")
    t.eq(sa["Attributes"]["PendingConfirmation"], "false", "confirmed")
    _fails(t, aws(["set-subscription-attributes", "--subscription-arn", full, "--attribute-name",
                   "RawMessageDelivery", "--attribute-value", "true"]),
           "does not support raw message delivery", "raw delivery on email")
    msg = _ok(t, aws(["publish", "--topic-arn", arn, "--subject", "disk full", "--message",
                      "web-1 disk 98%", "--message-attributes",
                      '{"sev":{"DataType":"String","StringValue":"high"}}']), "publish")
    t.check(len(msg.get("MessageId", "")) == 36, "MessageId %r" % msg)
    got = [m for m in _messages(t, lab, arn) if m["type"] == "Notification"]
    t.eq([(m["subject"], m["message"], m["state"], m["messageId"]) for m in got],
         [("disk full", "web-1 disk 98%", "inbox", msg["MessageId"])], "the inbox")
    _fails(t, aws(["publish", "--topic-arn", arn, "--message", "{}", "--message-structure",
                   "json"]), "No default entry in JSON message body", "json without default")
    _ok(t, aws(["tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=lab"]), "tag")
    _ok(t, aws(["untag-resource", "--resource-arn", arn, "--tag-keys", "team"]), "untag")
    tags = _ok(t, aws(["list-tags-for-resource", "--resource-arn", arn]), "tags")["Tags"]
    t.eq(tags, [{"Key": "env", "Value": "lab"}], "tags")
    _ok(t, aws(["unsubscribe", "--subscription-arn", full]), "unsubscribe")
    t.eq(_ok(t, aws(["list-subscriptions"]), "list-subscriptions")["Subscriptions"], [],
         "no subscriptions left")
    _ok(t, aws(["delete-topic", "--topic-arn", arn]), "delete-topic")
    t.eq(_ok(t, aws(["list-topics"]), "list-topics")["Topics"], [], "no topics left")
    # CloudTrail records SNS management calls as for the other services
    ev = _ok(t, t.aws(lab, ["cloudtrail", "lookup-events", "--lookup-attributes",
                            "AttributeKey=EventName,AttributeValue=CreateTopic"], old=old),
             "lookup-events")["Events"]
    t.check(ev and json.loads(ev[0]["CloudTrailEvent"])["eventSource"] == "sns.amazonaws.com",
            "CreateTopic in CloudTrail: %r" % ev[:1])


def test_sns_api_aws_cli_1(t):
    _cli_api(t, old=False)


def test_sns_api_aws_cli_2_query(t):
    _cli_api(t, old=True)


def _boto(t, old):
    lab = t.lab()
    call = lambda op, **p: {"service": "sns", "op": op, "params": p}
    res = t.boto(lab, [call("create_topic", Name="t%03d" % i) for i in range(105)], old=old)
    t.check(all(r["ok"] for r in res), "105 topics")
    arn = res[0]["data"]["TopicArn"]
    page1 = t.boto(lab, [call("list_topics")], old=old)[0]
    t.eq(len(page1["data"]["Topics"]), 100, "a page is 100 topics")
    t.check(page1["data"].get("NextToken"), "NextToken on the first page")
    page2 = t.boto(lab, [call("list_topics", NextToken=page1["data"]["NextToken"])], old=old)[0]
    t.eq(len(page2["data"]["Topics"]), 5, "the rest")
    t.check("NextToken" not in page2["data"], "no NextToken at the end")
    res = t.boto(lab, [
        call("subscribe", TopicArn=arn, Protocol="sms", Endpoint="+15555550100"),
        call("publish_batch", TopicArn=arn, PublishBatchRequestEntries=[
            {"Id": "a", "Message": "one"}, {"Id": "b", "Message": ""}]),
        call("publish_batch", TopicArn=arn, PublishBatchRequestEntries=[
            {"Id": "a", "Message": "one"}, {"Id": "a", "Message": "two"}]),
        call("publish", TopicArn=arn, Message="x", MessageAttributes={
            "n": {"DataType": "Number", "StringValue": "abc"}}),
    ], old=old)
    t.check(res[0]["ok"] and res[0]["data"]["SubscriptionArn"].startswith(arn + ":"),
            "sms is confirmed at once: %r" % res[0])
    t.check(res[1]["ok"], "publish_batch: %r" % res[1])
    t.eq([s["Id"] for s in res[1]["data"]["Successful"]], ["a"], "one entry published")
    t.eq([(f["Id"], f["Code"]) for f in res[1]["data"]["Failed"]], [("b", "InvalidParameter")],
         "the empty one failed")
    t.eq(res[2]["code"], "BatchEntryIdsNotDistinct", "duplicate ids")
    t.eq(res[3]["code"], "ParameterValueInvalid", "a Number attribute that is not one")
    t.eq(res[3]["message"], "Could not cast message attribute 'n' value to number.", "its text")


def test_sns_boto3_new(t):
    _boto(t, old=False)


def test_sns_boto3_debian(t):
    _boto(t, old=True)


def test_sns_js_sdk_v3(t):
    lab = t.lab()
    res = t.js(lab, [
        {"client": "SNS", "command": "CreateTopic", "input": {"Name": "js-topic"}},
        {"client": "SNS", "command": "Subscribe", "input": {
            "TopicArn": "arn:aws:sns:us-east-1:%s:js-topic" % ACCOUNT, "Protocol": "sms",
            "Endpoint": "+15555550101"}},
        {"client": "SNS", "command": "Publish", "input": {
            "TopicArn": "arn:aws:sns:us-east-1:%s:js-topic" % ACCOUNT, "Message": "from js",
            "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}},
        {"client": "SNS", "command": "ListSubscriptions", "input": {}},
        {"client": "SNS", "command": "GetTopicAttributes", "input": {
            "TopicArn": "arn:aws:sns:us-east-1:%s:nope" % ACCOUNT}},
    ])
    t.check(all(r["ok"] for r in res[:4]), "js calls: %r" % res)
    t.eq(res[3]["data"]["Subscriptions"][0]["Protocol"], "sms", "ListSubscriptions")
    t.eq(res[4]["code"], "NotFoundException", "the model's NotFound")
    t.eq([m["message"] for m in _messages(t, lab) if m["type"] == "Notification"], ["from js"],
         "the sms went to the inbox")


def test_sns_http_delivery_signed_and_retried_in_virtual_time(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    rc = Receiver()
    try:
        aws = lambda args: t.aws(lab, ["sns"] + args)
        arn = _ok(t, aws(["create-topic", "--name", "hooks", "--attributes",
                          "SignatureVersion=2"]), "create-topic")["TopicArn"]
        _ok(t, aws(["subscribe", "--topic-arn", arn, "--protocol", "http",
                    "--notification-endpoint", rc.url]), "subscribe http")
        conf = rc.wait(lambda: rc.of_type("SubscriptionConfirmation"))
        t.check(conf, "a SubscriptionConfirmation POST arrived")
        doc = conf[0]["json"]
        t.eq(conf[0]["headers"].get("x-amz-sns-message-type"), "SubscriptionConfirmation",
             "message type header")
        t.check(verify(doc, _cert(t, doc)), "the confirmation's signature verifies")
        t.check(rc.wait(lambda: rc.confirmations), "SubscribeURL fetched")
        t.eq(rc.confirmations[0][0], 200, "SubscribeURL answered (%r)" % rc.confirmations)
        subs = _ok(t, aws(["list-subscriptions-by-topic", "--topic-arn", arn]), "list")
        sub_arn = subs["Subscriptions"][0]["SubscriptionArn"]
        t.check(sub_arn.startswith(arn + ":"), "confirmed: %r" % subs)
        _ok(t, aws(["publish", "--topic-arn", arn, "--message", "hello", "--subject", "hi"]),
            "publish")
        n = rc.wait(lambda: rc.of_type("Notification"))
        t.check(n, "a Notification POST arrived")
        h, doc = n[0]["headers"], n[0]["json"]
        t.eq((h.get("x-amz-sns-message-type"), h.get("x-amz-sns-topic-arn"),
              h.get("x-amz-sns-subscription-arn"), h.get("x-amz-sns-message-id")),
             ("Notification", arn, sub_arn, doc["MessageId"]), "AWS's headers")
        t.eq(list(doc.keys()), ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                                "SignatureVersion", "Signature", "SigningCertURL",
                                "UnsubscribeURL"], "the body's fields in AWS's order")
        t.eq((doc["Message"], doc["SignatureVersion"], doc["Timestamp"]),
             ("hello", "2", "2026-06-01T00:00:00.000Z"), "message, version, virtual time")
        t.check(verify(doc, _cert(t, doc)), "the notification's signature verifies (SHA256)")
        # a receiver answering 500: retries on the default policy, 3 more 20 s apart
        rc.status = 500
        _ok(t, aws(["publish", "--topic-arn", arn, "--message", "again"]), "publish 2")
        count = lambda: len([r for r in rc.of_type("Notification") if r["json"]["Message"] == "again"])
        t.eq(rc.wait(lambda: count() == 1) and count(), 1, "first attempt at once")
        for k in (2, 3, 4):
            _advance(t, lab, "19s")
            t.eq(count(), k - 1, "no retry before 20 s")
            _advance(t, lab, "1s")
            t.eq(rc.wait(lambda: count() == k) and count(), k, "attempt %d after 20 s" % k)
        _advance(t, lab, "10m")
        t.eq(count(), 4, "the policy is spent after 3 retries")
        m = [x for x in _messages(t, lab, arn) if x.get("message", "").endswith('"again",\n'
             '  "Timestamp" : "2026-06-01T00:00:00.000Z",\n  "SignatureVersion" : "2",') or
             '"Message" : "again"' in x.get("message", "")]
        t.eq(len(m), 1, "one delivery in the log")
        t.eq((m[0]["state"], m[0]["attempts"], m[0]["lastStatus"]), ("failed", 4, 500),
             "failed after 4 attempts")
        t.eq(m[0]["attemptTimes"], ["2026-06-01T00:00:%02d.000Z" % s for s in (0, 20, 40)] +
             ["2026-06-01T00:01:00.000Z"], "attempts 20 s apart in virtual time")
        # the UnsubscribeURL works without credentials
        with urllib.request.urlopen(doc["UnsubscribeURL"], timeout=10) as r:
            t.eq(r.status, 200, "UnsubscribeURL")
        t.eq(_ok(t, aws(["list-subscriptions"]), "list")["Subscriptions"], [], "unsubscribed")
    finally:
        rc.close()


SEED_SNS = os.path.join(ROOT, "tests", "fixtures", "cfn", "ec2_sns.json")


def test_sns_seed_template_alarm_notifies_signed(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    rc = Receiver()
    try:
        path = SEED_SNS  # the seed's template plus a topic with an http subscription
        r = t.run([BIN, "lint", path, "--json"])
        t.check("recover-without-notification" not in r.out, "lint: it notifies: %r" % r)
        _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "seed",
                           "--template-body", "file://" + path, "--parameters",
                           "ParameterKey=HookUrl,ParameterValue=" + rc.url]), "create-stack")
        _advance(t, lab, "2m")
        st = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "seed"]),
                 "describe-stacks")["Stacks"][0]
        t.eq(st["StackStatus"], "CREATE_COMPLETE", "stack (%r)" % st)
        out = {o["OutputKey"]: o["OutputValue"] for o in st["Outputs"]}
        topic = out["Topic"]
        t.check(topic.startswith("arn:aws:sns:us-east-1:%s:seed-AlertTopic-" % ACCOUNT),
                "Ref of the topic is its ARN: %r" % topic)
        t.eq(topic.rsplit(":", 1)[1], out["TopicName"], "GetAtt TopicName")
        t.check(rc.wait(lambda: rc.confirmations), "the receiver confirmed the subscription")
        alarm = out["RecoveryAlarm"]
        _ok(t, t.aws(lab, ["cloudwatch", "set-alarm-state", "--alarm-name", alarm,
                           "--state-value", "ALARM", "--state-reason", "drill"]), "set ALARM")
        n = rc.wait(lambda: rc.of_type("Notification"))
        t.check(n, "the alarm's notification arrived")
        doc = n[0]["json"]
        t.check(verify(doc, _cert(t, doc)), "its signature verifies with openssl")
        t.eq(doc["Subject"], 'ALARM: "%s" in US East (N. Virginia)' % alarm, "Subject")
        m = json.loads(doc["Message"])
        t.eq(list(m.keys()), ["AlarmName", "AlarmDescription", "AWSAccountId",
                              "AlarmConfigurationUpdatedTimestamp", "NewStateValue",
                              "NewStateReason", "StateChangeTime", "Region", "AlarmArn",
                              "OldStateValue", "OKActions", "AlarmActions",
                              "InsufficientDataActions", "Trigger"], "AWS's fields in order")
        t.eq((m["AlarmName"], m["NewStateValue"], m["NewStateReason"], m["Region"],
              m["AWSAccountId"], m["StateChangeTime"]),
             (alarm, "ALARM", "drill", "US East (N. Virginia)", ACCOUNT,
              "2026-06-01T00:02:00.000+0000"), "the message")
        t.eq(m["OldStateValue"] in ("OK", "INSUFFICIENT_DATA"), True, "OldStateValue")
        t.eq(m["Trigger"]["Statistic"], "MINIMUM", "Trigger statistic")
        t.eq(m["Trigger"]["Dimensions"][0]["name"], "InstanceId", "dimensions as AWS writes them")
        h = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarm-history", "--alarm-name", alarm,
                               "--history-item-type", "Action"]), "history")["AlarmHistoryItems"]
        summaries = sorted(i["HistorySummary"] for i in h)
        t.eq(summaries, sorted(["Successfully executed action arn:aws:automate:us-east-1:ec2:recover",
                                "Successfully executed action " + topic]), "both actions' results")
        data = [json.loads(i["HistoryData"]) for i in h if topic in i["HistorySummary"]][0]
        t.eq(json.loads(data["publishedMessage"])["AlarmName"], alarm, "publishedMessage")
        # drill: both actions succeed and the notification is delivered to the receiver
        _advance(t, lab, "1m")
        r = _rl(t, lab, "drill", alarm, "--json", "--timeout", "30s")
        t.eq(r.rc, 0, "drill: %r" % r)
        acts = {a["action"]: a for a in r.json()["drills"][0]["actions"]}
        t.eq(acts[topic].get("delivery"), "delivered", "drill: the SNS delivery (%r)" % acts)
        t.eq([(d["protocol"], d["state"]) for d in acts[topic]["deliveries"]],
             [("http", "delivered")], "drill: each delivery")
    finally:
        rc.close()


DENY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:*", "Resource": "*",
     "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}},
    {"Effect": "Deny", "Principal": {"Service": "cloudwatch.amazonaws.com"},
     "Action": "sns:Publish", "Resource": "*"}]}


def test_sns_denying_topic_policy_fails_action_and_audit_names_it(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    aws = lambda args, old=False: t.aws(lab, args, old=old)
    arn = _ok(t, aws(["sns", "create-topic", "--name", "pager"]), "create-topic")["TopicArn"]
    _ok(t, aws(["sns", "subscribe", "--topic-arn", arn, "--protocol", "sms",
                "--notification-endpoint", "+15555550102"]), "subscribe sms")
    _ok(t, aws(["sns", "set-topic-attributes", "--topic-arn", arn, "--attribute-name", "Policy",
                "--attribute-value", json.dumps(DENY)]), "set the denying policy")
    missing = "arn:aws:sns:us-east-1:%s:gone" % ACCOUNT
    for name, action in (("denied", arn), ("missing", missing)):
        _ok(t, aws(["cloudwatch", "put-metric-alarm", "--alarm-name", name, "--namespace", "Lab",
                    "--metric-name", "Errors", "--statistic", "Sum", "--period", "60",
                    "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator",
                    "GreaterThanThreshold", "--alarm-actions", action]), "put " + name)
        _ok(t, aws(["cloudwatch", "set-alarm-state", "--alarm-name", name, "--state-value",
                    "ALARM", "--state-reason", "drill"]), "set ALARM " + name)
    h = _ok(t, aws(["cloudwatch", "describe-alarm-history", "--alarm-name", "denied",
                    "--history-item-type", "Action"], old=True), "history")["AlarmHistoryItems"]
    t.eq([i["HistorySummary"] for i in h],
         ['Failed to execute action %s. Received error: "CloudWatch Alarms is not authorized to '
          'perform: SNS:Publish on resource:%s"' % (arn, arn)], "the failed action")
    t.eq([m for m in _messages(t, lab, arn) if m["type"] == "Notification"], [],
         "nothing was delivered")
    r = _rl(t, lab, "audit", "--json")
    t.eq(r.rc, 1, "audit finds errors: %r" % r)
    found = {(f["alarm"], f["rule"]) for f in r.json()["findings"]}
    t.check(("denied", "sns-topic-policy-denies-cloudwatch") in found,
            "audit names the policy: %r" % found)
    t.check(("missing", "sns-topic-missing") in found, "audit names the missing topic: %r" % found)
    # the drill reports the SNS action's failure too (a minute later: a new history item)
    _advance(t, lab, "1m")
    r = _rl(t, lab, "drill", "denied", "--json", "--timeout", "20s")
    t.eq(r.rc, 1, "drill fails: %r" % r)
    acts = r.json()["drills"][0]["actions"]
    t.eq([(a["action"], a["result"]) for a in acts], [(arn, "Failed")], "drill result")


CFN_SNS = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: cfn-alerts
      Tags: [{Key: team, Value: ops}]
  Sms:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sms
      Endpoint: "+15555550103"
  Policy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Topic]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: {Service: cloudwatch.amazonaws.com}
            Action: sns:Publish
            Resource: !Ref Topic
Outputs:
  Sub: {Value: !Ref Sms}
  SubArn: {Value: !GetAtt Sms.Arn}
  PolicyId: {Value: !Ref Policy}
"""


def test_sns_cloudformation_subscription_and_topic_policy_and_follow(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    path = os.path.join(t.mkdtemp("cfn"), "sns.yaml")
    with open(path, "w") as f:
        f.write(CFN_SNS)
    arn = "arn:aws:sns:us-east-1:%s:cfn-alerts" % ACCOUNT
    # follow the inbox while the stack is made and a message published
    import subprocess
    follow = subprocess.Popen([BIN, "sns", "messages", "--follow", "--json", "--topic", arn,
                               "--data", lab.data], stdout=subprocess.PIPE, text=True,
                              env=t.client_env())
    try:
        _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "sns",
                           "--template-body", "file://" + path]), "create-stack")
        _advance(t, lab, "1m")
        st = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "sns"]),
                 "describe-stacks")["Stacks"][0]
        t.eq(st["StackStatus"], "CREATE_COMPLETE", "stack (%r)" % st)
        out = {o["OutputKey"]: o["OutputValue"] for o in st["Outputs"]}
        t.check(out["Sub"].startswith(arn + ":") and out["Sub"] == out["SubArn"],
                "Ref / GetAtt Arn of the subscription: %r" % out)
        t.check(out["PolicyId"].startswith("sns-Policy-"), "the policy's id: %r" % out)
        pol = json.loads(_ok(t, t.aws(lab, ["sns", "get-topic-attributes", "--topic-arn", arn]),
                             "get-topic-attributes")["Attributes"]["Policy"])
        t.eq(pol["Statement"][0]["Effect"], "Deny", "the stack's topic policy")
        tags = _ok(t, t.aws(lab, ["sns", "list-tags-for-resource", "--resource-arn", arn]),
                   "tags")["Tags"]
        t.eq(tags, [{"Key": "team", "Value": "ops"}], "the topic's tags")
        _ok(t, t.aws(lab, ["sns", "publish", "--topic-arn", arn, "--message", "followed"]),
            "publish")
        line = follow.stdout.readline()
        t.eq(json.loads(line)["message"], "followed", "sns messages --follow printed it")
        _ok(t, t.aws(lab, ["cloudformation", "delete-stack", "--stack-name", "sns"]), "delete")
        _advance(t, lab, "1m")
        t.eq(_ok(t, t.aws(lab, ["sns", "list-topics"]), "list-topics")["Topics"], [],
             "the stack's topic is gone")
    finally:
        follow.terminate()
        follow.wait(10)
