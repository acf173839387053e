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
  Env: {Type: String, Default: test, AllowedPattern: '[\\\\w-\\\\+]+'}
Rules:
  ProdNames:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Contains [[web, api], !Select [0, !Ref Names]]
        AssertDescription: In prod the first name must be web or api
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
                "In prod the first name must be web or api" in r.err, "rule: %r" % r)
    r = cfn(["create-stack", "--stack-name", "fe"] + body + caps +
            ["--parameters", "ParameterKey=Env,ParameterValue=prod",
             "ParameterKey=Names,ParameterValue='web,x'"])
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
