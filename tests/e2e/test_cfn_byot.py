"""Issue 15, "bring your own template": a template of our own with a security group, a key
pair, the SSM latest-AMI parameter, an EIP, an instance and the seed's recovery alarm deploys
with both CLIs; the stack tags land on what it creates; the instance's recovery keeps its EIP;
a bad AWS::EC2::KeyPair::KeyName (and other AWS-specific parameter values) fail with AWS's
message; {{resolve:ssm:...}} and AWS::SSM::Parameter work."""
import json
import os

from lab import ACCOUNT, BIN

START = "2026-06-01T08:00:00Z"

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  LatestAmiId:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
  KeyName:
    Type: AWS::EC2::KeyPair::KeyName
  SshFrom:
    Type: String
    Default: 203.0.113.0/24
Resources:
  WebSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web and ssh
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref SshFrom}
        - {IpProtocol: tcp, FromPort: '80', ToPort: '80', CidrIp: 0.0.0.0/0}
      Tags: [{Key: app, Value: byot}]
  Ec2Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref LatestAmiId
      InstanceType: t3.micro
      KeyName: !Ref KeyName
      SecurityGroups: [!Ref WebSG]
      Tags: [{Key: greeting, Value: '{{resolve:ssm:/byot/greeting}}'}]
  IPAddress:
    Type: AWS::EC2::EIP
    Properties:
      InstanceId: !Ref Ec2Instance
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /byot/instance
      Type: String
      Value: !Ref Ec2Instance
  RecoveryAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: StatusCheckFailed_System
      Statistic: Minimum
      Period: '60'
      EvaluationPeriods: '2'
      ComparisonOperator: GreaterThanThreshold
      Threshold: '0'
      AlarmActions: [!Sub 'arn:aws:automate:${AWS::Region}:ec2:recover']
      Dimensions: [{Name: InstanceId, Value: !Ref Ec2Instance}]
Outputs:
  InstanceId: {Value: !Ref Ec2Instance}
  PublicIp: {Value: !Ref IPAddress}
  Alloc: {Value: !GetAtt IPAddress.AllocationId}
  GroupId: {Value: !GetAtt WebSG.GroupId}
  GroupRef: {Value: !Ref WebSG}
  Ami: {Value: !Ref LatestAmiId}
"""

KEY_TEMPLATE = """
Resources:
  Key:
    Type: AWS::EC2::KeyPair
    Properties:
      KeyName: byot-key
      Tags: [{Key: team, Value: ops}]
Outputs:
  KeyId: {Value: !GetAtt Key.KeyPairId}
  Fingerprint: {Value: !GetAtt Key.KeyFingerprint}
"""


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _advance(t, lab, dur):
    r = t.run([BIN, "clock", "advance", dur, "--data", lab.data], env=t.client_env())
    t.check(r.rc == 0, "clock advance %s: %r" % (dur, r))


def _stack(t, lab, name, old=False):
    return _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", name],
                        old=old), "describe-stacks")["Stacks"][0]


def _write(t, name, text):
    path = os.path.join(t.mkdtemp("byot"), name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_byot_stack_with_key_sg_ssm_eip_and_recovery(t):
    lab = t.lab(clock="manual", start=START)
    # a key pair made by a stack of its own (AWS::EC2::KeyPair), with both CLIs
    kp = _write(t, "key.yaml", KEY_TEMPLATE)
    _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "keys",
                       "--template-body", "file://" + kp], old=True), "create keys (aws 2.9)")
    _advance(t, lab, "1m")
    s = _stack(t, lab, "keys")
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "keys stack: %r" % s)
    outs = {o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}
    keys = _ok(t, t.aws(lab, ["ec2", "describe-key-pairs", "--key-names", "byot-key"]),
               "describe-key-pairs")["KeyPairs"][0]
    t.eq((keys["KeyPairId"], keys["KeyFingerprint"]), (outs["KeyId"], outs["Fingerprint"]),
         "GetAtt KeyPairId / KeyFingerprint")
    tags = {x["Key"]: x["Value"] for x in keys["Tags"]}
    t.eq(tags.get("aws:cloudformation:logical-id"), "Key", "stack tag logical-id")
    t.eq(tags.get("aws:cloudformation:stack-name"), "keys", "stack tag stack-name")
    t.eq(tags.get("aws:cloudformation:stack-id"), s["StackId"], "stack tag stack-id")
    t.eq(tags.get("team"), "ops", "template tag")
    secret = _ok(t, t.aws(lab, ["ssm", "get-parameter", "--name",
                                "/ec2/keypair/" + outs["KeyId"], "--with-decryption"]),
                 "private key in Parameter Store")["Parameter"]
    t.check(secret["Value"].startswith("-----BEGIN RSA PRIVATE KEY-----"), "private key %r" %
            secret["Value"][:40])

    # a bad KeyName fails at once with AWS's message
    tp = _write(t, "byot.yaml", TEMPLATE)
    _ok(t, t.aws(lab, ["ssm", "put-parameter", "--name", "/byot/greeting", "--type", "String",
                       "--value", "hello from ssm"]), "put-parameter")
    r = t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "byot", "--template-body",
                    "file://" + tp, "--parameters", "ParameterKey=KeyName,ParameterValue=nope"])
    t.check(r.rc != 0 and "(ValidationError)" in r.err and
            "Parameter validation failed: parameter value nope for parameter name KeyName does "
            "not exist." in r.err, "bad KeyName: %r" % r)
    r = t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "byot", "--template-body",
                    "file://" + tp, "--parameters", "ParameterKey=KeyName,ParameterValue=byot-key",
                    "ParameterKey=LatestAmiId,ParameterValue=/no/such/param"], old=True)
    t.check(r.rc != 0 and "Unable to fetch parameters [/no/such/param] from parameter store "
            "for this account." in r.err, "missing SSM parameter: %r" % r)

    _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "byot",
                       "--template-body", "file://" + tp, "--parameters",
                       "ParameterKey=KeyName,ParameterValue=byot-key"]), "create-stack byot")
    for _ in range(6):
        _advance(t, lab, "30s")
        if _stack(t, lab, "byot")["StackStatus"] != "CREATE_IN_PROGRESS":
            break
    s = _stack(t, lab, "byot")
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "byot stack: %r" % s)
    outs = {o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}
    ami = _ok(t, t.aws(lab, ["ssm", "get-parameter", "--name",
                             "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"]),
              "public parameter")["Parameter"]["Value"]
    t.eq(outs["Ami"], ami, "the SSM-typed parameter resolved to the image id")
    iid = outs["InstanceId"]
    inst = _ok(t, t.aws(lab, ["ec2", "describe-instances", "--instance-ids", iid]),
               "describe-instances")["Reservations"][0]["Instances"][0]
    t.eq(inst["ImageId"], ami, "instance image from SSM")
    t.eq(inst["KeyName"], "byot-key", "instance key")
    t.eq(inst["SecurityGroups"][0]["GroupId"], outs["GroupId"], "instance group")
    t.eq(outs["GroupRef"], inst["SecurityGroups"][0]["GroupName"],
         "Ref of a group without VpcId is its name")
    t.eq(inst["PublicIpAddress"], outs["PublicIp"], "the instance has the EIP")
    tags = {x["Key"]: x["Value"] for x in inst["Tags"]}
    t.eq(tags.get("aws:cloudformation:logical-id"), "Ec2Instance", "instance stack tags")
    imgs = _ok(t, t.aws(lab, ["ec2", "describe-images", "--image-ids", ami], old=True),
               "describe-images")["Images"]
    t.eq([i["ImageId"] for i in imgs], [ami], "DescribeImages knows the SSM image")
    t.eq(tags.get("greeting"), "hello from ssm", "{{resolve:ssm:...}} in a property")
    g = _ok(t, t.aws(lab, ["ec2", "describe-security-groups", "--group-ids", outs["GroupId"]]),
            "group")["SecurityGroups"][0]
    ports = sorted(p.get("FromPort") for p in g["IpPermissions"])
    t.eq(ports, [22, 80], "the group's ingress rules")
    gtags = {x["Key"]: x["Value"] for x in g["Tags"]}
    t.eq((gtags.get("app"), gtags.get("aws:cloudformation:logical-id")), ("byot", "WebSG"),
         "group tags")
    addr = _ok(t, t.aws(lab, ["ec2", "describe-addresses", "--allocation-ids", outs["Alloc"]]),
               "describe-addresses")["Addresses"][0]
    t.eq(addr["InstanceId"], iid, "EIP associated by the stack")
    p = _ok(t, t.aws(lab, ["ssm", "get-parameter", "--name", "/byot/instance"], old=True),
            "AWS::SSM::Parameter")["Parameter"]
    t.eq(p["Value"], iid, "the stack's SSM parameter")

    # the recovery alarm recovers the instance from a host failure: it keeps its EIP
    r = t.run([BIN, "fault", "inject", iid, "--check", "system", "--data", lab.data],
              env=t.client_env())
    t.check(r.rc == 0, "fault inject: %r" % r)
    _advance(t, lab, "6m")
    r = t.curl(lab, "/_recoverlab/instances/" + iid, sign="aws:amz:us-east-1:recoverlab")
    info = json.loads(r[2])
    t.check(len(info.get("recoveries", [])) >= 1, "recovered: %r" % info)
    hist = _ok(t, t.aws(lab, ["cloudwatch", "describe-alarm-history", "--history-item-type",
                              "Action"]), "alarm history")["AlarmHistoryItems"]
    t.check(any("recover" in h["HistorySummary"].lower() or "Successfully" in h["HistorySummary"]
                for h in hist), "the alarm's recover action ran: %r" % hist)
    inst = _ok(t, t.aws(lab, ["ec2", "describe-instances", "--instance-ids", iid]),
               "describe after recovery")["Reservations"][0]["Instances"][0]
    t.eq(inst["PublicIpAddress"], outs["PublicIp"], "the EIP after the recovery")

    # deleting the stack releases what it made
    _ok(t, t.aws(lab, ["cloudformation", "delete-stack", "--stack-name", "byot"]), "delete")
    for _ in range(6):
        _advance(t, lab, "30s")
    r = t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "byot"])
    t.check(r.rc != 0 or r.json()["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE",
            "stack deleted: %r" % r)
    t.eq(_ok(t, t.aws(lab, ["ec2", "describe-addresses"]), "addresses")["Addresses"], [],
         "EIP released")
    r = t.aws(lab, ["ec2", "describe-security-groups", "--group-ids", outs["GroupId"]])
    t.check(r.rc != 0 and "InvalidGroup.NotFound" in r.err, "group deleted: %r" % r)


AWS_TYPES = """
Parameters:
  Inst: {Type: 'AWS::EC2::Instance::Id'}
  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}
  Vpc: {Type: 'AWS::EC2::VPC::Id'}
  Groups: {Type: 'List<AWS::EC2::SecurityGroup::Id>'}
Resources:
  Watch:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: StatusCheckFailed_System
      Statistic: Minimum
      Period: 60
      EvaluationPeriods: 2
      ComparisonOperator: GreaterThanThreshold
      Threshold: 0
      Dimensions: [{Name: InstanceId, Value: !Ref Inst}]
"""


def test_aws_specific_parameter_types_are_checked(t):
    lab = t.lab(clock="manual", start=START)
    tp = _write(t, "types.yaml", AWS_TYPES)
    iid = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956"]),
              "run")["Instances"][0]["InstanceId"]
    subnets = [s["SubnetId"] for s in _ok(t, t.aws(lab, ["ec2", "describe-subnets"]),
                                          "subnets")["Subnets"]][:2]
    vpc = _ok(t, t.aws(lab, ["ec2", "describe-vpcs"]), "vpcs")["Vpcs"][0]["VpcId"]
    sg = _ok(t, t.aws(lab, ["ec2", "describe-security-groups"]),
             "groups")["SecurityGroups"][0]["GroupId"]

    def params(**kw):
        base = {"Inst": iid, "Subnets": ",".join(subnets), "Vpc": vpc, "Groups": sg}
        base.update(kw)
        return ["--parameters"] + ["ParameterKey=%s,ParameterValue='%s'" % (k, v)
                                   for k, v in base.items()]

    for bad, val in (("Inst", "not-an-instance"), ("Inst", "i-0123456789abcdef0"),
                     ("Vpc", "vpc-00000000"), ("Groups", "sg-0123456789abcdef0"),
                     ("Subnets", subnets[0] + ",subnet-00000000")):
        r = t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "types",
                        "--template-body", "file://" + tp] + params(**{bad: val}))
        wrong = val.split(",")[-1]
        t.check(r.rc != 0 and ("Parameter validation failed: parameter value %s for parameter "
                               "name %s does not exist." % (wrong, bad)) in r.err,
                "%s=%s: %r" % (bad, val, r))
    res = t.boto(lab, [{"service": "cloudformation", "op": "create_stack",
                        "params": {"StackName": "types", "TemplateBody": AWS_TYPES,
                                   "Parameters": [
                                       {"ParameterKey": "Inst", "ParameterValue": iid},
                                       {"ParameterKey": "Subnets",
                                        "ParameterValue": ",".join(subnets)},
                                       {"ParameterKey": "Vpc", "ParameterValue": vpc},
                                       {"ParameterKey": "Groups", "ParameterValue": sg}]}}],
                 old=True)
    t.check(res[0]["ok"], "valid values: %r" % res[0])
