"""Issue 15 part A, the template language with real clients: Rules evaluated (the failing
assertion's AssertDescription is the error), the AWS::LanguageExtensions transform (Fn::ForEach
over a parameter in Resources and Outputs, Fn::Length, Fn::ToJsonString; CAPABILITY_AUTO_EXPAND
demanded), other transforms refused clearly, AllowedPattern with Java-only syntax, the Version
resource attribute."""
import os

FOREACH = """
Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList, Default: 'web,db'}
  Env: {Type: String, Default: test, AllowedPattern: '[\\w-\\+]+'}
Rules:
  ProdNames:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Contains [!Ref Names, web]
        AssertDescription: In prod the names must include web
      - Assert: {Fn::EachMemberIn: [!Ref Names, [web, db, api]]}
        AssertDescription: Names must be web, db or api
Resources:
  Fn::ForEach::Alarms:
    - Name
    - !Ref Names
    - '${Name}Alarm':
        Type: AWS::CloudWatch::Alarm
        Version: '2009-05-15'
        Properties:
          AlarmName: !Sub '${Env}-${Name}'
          AlarmDescription: {Fn::ToJsonString: {n: !Ref Name, count: {Fn::Length: !Ref Names}}}
          Namespace: Demo
          MetricName: !Ref Name
          Statistic: Sum
          Period: 60
          EvaluationPeriods: 1
          Threshold: 1
          ComparisonOperator: GreaterThanThreshold
Outputs:
  Fn::ForEach::Out:
    - N
    - !Ref Names
    - '&{N}Arn': {Value: !GetAtt [!Sub '${N}Alarm', Arn]}
"""


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def test_rules_foreach_java_regex(t):
    t.need("new_aws", "old_aws")
    lab = t.lab(clock="manual", start="2026-05-01T00:00:00Z")
    d = t.mkdtemp("tmpl")
    p = os.path.join(d, "fe.yaml")
    with open(p, "w") as f:
        f.write(FOREACH)
    body = ["--template-body", "file://" + p]
    cfn = lambda args, old=False: t.aws(lab, ["cloudformation"] + args, old=old)  # noqa: E731
    v = _ok(t, cfn(["validate-template"] + body), "validate-template")
    t.eq(sorted(x["ParameterKey"] for x in v["Parameters"]), ["Env", "Names"], "parameters")
    r = cfn(["create-stack", "--stack-name", "fe"] + body)
    t.check(r.rc != 0 and "InsufficientCapabilitiesException" in r.err and
            "Requires capabilities : [CAPABILITY_AUTO_EXPAND]" in r.err, "auto expand: %r" % r)
    caps = ["--capabilities", "CAPABILITY_AUTO_EXPAND"]
    # a failing assertion: its description is the error (both CLIs)
    for old in (False, True):
        r = cfn(["create-stack", "--stack-name", "fe"] + body + caps +
                ["--parameters", "ParameterKey=Env,ParameterValue=prod",
                 "ParameterKey=Names,ParameterValue=db"], old=old)
        t.check(r.rc != 0 and "ValidationError" in r.err and
                "In prod the names must include web" in r.err, "rule: %r" % r)
    r = cfn(["create-stack", "--stack-name", "fe"] + body + caps +
            ["--parameters", "ParameterKey=Env,ParameterValue=prod",
             "ParameterKey=Names,ParameterValue=web\\,x"])
    t.check(r.rc != 0 and "Names must be web, db or api" in r.err, "second assertion: %r" % r)
    # Java's regex: '-' after \\w inside brackets is a literal ('a+b-c' passes, a space fails)
    r = cfn(["create-stack", "--stack-name", "fe"] + body + caps +
            ["--parameters", "ParameterKey=Env,ParameterValue=a b"])
    t.check(r.rc != 0 and "Parameter 'Env' must match pattern" in r.err, "pattern: %r" % r)
    _ok(t, cfn(["create-stack", "--stack-name", "fe"] + body + caps +
               ["--parameters", "ParameterKey=Env,ParameterValue=a+b-c"]), "create-stack")
    r = t.sh(lab, '"$RL" clock advance 1m --data "$D"')
    t.check(r.rc == 0, "advance: %r" % r)
    s = _ok(t, cfn(["describe-stacks", "--stack-name", "fe"]), "describe")["Stacks"][0]
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "created")
    t.eq(sorted((o["OutputKey"], o["OutputValue"]) for o in s["Outputs"]),
         [("dbArn", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a+b-c-db"),
          ("webArn", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a+b-c-web")], "outputs")
    res = _ok(t, cfn(["list-stack-resources", "--stack-name", "fe"]), "resources")
    t.eq(sorted(x["LogicalResourceId"] for x in res["StackResourceSummaries"]),
         ["dbAlarm", "webAlarm"], "one alarm per name")
    a = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarms"]), "alarms")["MetricAlarms"]
    t.eq(sorted(x["AlarmDescription"] for x in a),
         ['{"n":"db","count":2}', '{"n":"web","count":2}'], "Fn::ToJsonString and Fn::Length")
    # any other transform is refused, saying the lab does not run it
    sam = os.path.join(d, "sam.yaml")
    with open(sam, "w") as f:
        f.write("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n"
                "    Type: AWS::Serverless::Function\n    Properties: {Runtime: python3.12}\n")
    r = cfn(["create-stack", "--stack-name", "sam", "--template-body", "file://" + sam] + caps)
    t.check(r.rc != 0 and "Transform AWS::Serverless-2016-10-31 is not supported by recoverlab"
            in r.err, "SAM refused: %r" % r)


UNSUPPORTED = """
Resources:
  SG:
    Type: AWS::S3::Bucket
  Topic:
    Type: AWS::SQS::Queue
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-374db956, InstanceType: t2.micro}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: StatusCheckFailed_System
      Statistic: Minimum
      Period: 60
      EvaluationPeriods: 2
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: breaching
      AlarmActions: [!Sub 'arn:aws:automate:${AWS::Region}:ec2:recover']
      Dimensions: [{Name: InstanceId, Value: !Ref Web}]
Outputs:
  TopicArn: {Value: !GetAtt Topic.Arn}
  Group: {Value: !Ref SG}
"""


def test_unsupported_types_refused_placeholders_and_lint(t):
    from lab import BIN, Lab
    t.need("new_aws")
    d = t.mkdtemp("tmpl")
    p = os.path.join(d, "un.yaml")
    with open(p, "w") as f:
        f.write(UNSUPPORTED)
    bogus = os.path.join(d, "bogus.yaml")
    with open(bogus, "w") as f:
        f.write(UNSUPPORTED.replace("Outputs:", "  Nope:\n    Type: AWS::EC2::Nope\nOutputs:", 1))
    # lint: the unknown types are one note, every alarm is still checked
    r = t.run([BIN, "lint", p, "--json"], env=t.client_env())
    t.eq(r.rc, 0, "lint exit (notes and a warning): %r" % r)
    f = r.json()["findings"]
    rules = [(x["severity"], x["rule"]) for x in f]
    t.check(("note", "unsupported-types") in rules, "opaque note: %r" % rules)
    t.check(("warning", "treat-missing-breaching") in rules and
            ("note", "recover-runs-as-deployer") in rules, "alarm still checked: %r" % rules)
    note = [x for x in f if x["rule"] == "unsupported-types"][0]
    t.check("[AWS::S3::Bucket, AWS::SQS::Queue]" in note["message"], "note %r" % note)
    r = t.run([BIN, "lint", bogus], env=t.client_env())
    t.check(r.rc == 1 and "Unrecognized resource types: [AWS::EC2::Nope]" in r.out,
            "a type AWS does not have: %r" % r)
    # the default lab: AWS's template passes validation, creating says what the lab lacks
    lab = t.lab(clock="manual", start="2026-05-01T00:00:00Z")
    _ok(t, t.aws(lab, ["cloudformation", "validate-template", "--template-body", "file://" + p]),
        "validate-template accepts AWS's types")
    r = t.aws(lab, ["cloudformation", "validate-template", "--template-body", "file://" + bogus])
    t.check(r.rc != 0 and "Unrecognized resource types: [AWS::EC2::Nope]" in r.err, "%r" % r)
    r = t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "un", "--template-body",
                    "file://" + p])
    t.check(r.rc != 0 and "resource types [AWS::S3::Bucket, AWS::SQS::Queue] are not "
            "supported by recoverlab" in r.err, "refused: %r" % r)
    # serve --cfn-unsupported placeholder: opaque placeholders, said so in the events
    lab2 = Lab(t, clock="manual", start="2026-05-01T00:00:00Z")
    lab2.args += ["--cfn-unsupported", "placeholder"]
    t.labs.append(lab2)
    lab2.start()
    _ok(t, t.aws(lab2, ["cloudformation", "create-stack", "--stack-name", "un", "--template-body",
                        "file://" + p]), "create with placeholders")
    r = t.sh(lab2, '"$RL" clock advance 1m --data "$D"')
    t.check(r.rc == 0, "advance %r" % r)
    s = _ok(t, t.aws(lab2, ["cloudformation", "describe-stacks", "--stack-name", "un"]),
            "describe")["Stacks"][0]
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "created around the placeholders")
    outs = {o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}
    t.check(outs["Group"].startswith("un-SG-"), "placeholder Ref: %r" % outs)
    t.check(outs["TopicArn"].startswith("arn:aws:recoverlab-placeholder:us-east-1:"),
            "placeholder attribute: %r" % outs)
    ev = _ok(t, t.aws(lab2, ["cloudformation", "describe-stack-events", "--stack-name", "un"]),
             "events")["StackEvents"]
    done = {e["LogicalResourceId"]: e.get("ResourceStatusReason") for e in ev
            if e["ResourceStatus"] == "CREATE_COMPLETE"}
    t.check("not simulated" in (done.get("Topic") or "") and "not simulated" in
            (done.get("SG") or "") and not done.get("Web"), "events: %r" % done)
    a = _ok(t, t.aws(lab2, ["cloudwatch", "describe-alarms"]), "alarms")["MetricAlarms"]
    t.eq(len(a), 1, "the simulated alarm exists")
