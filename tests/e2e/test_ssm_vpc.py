"""Issue 15: SSM Parameter Store (JSON 1.1) with both CLIs and both boto3 generations, and
VPC plumbing (VPCs, subnets, internet gateways, route tables, routes) through the EC2 API
and as a CloudFormation stack with AWS::IAM::RolePolicy."""
import json
import os

from lab import ACCOUNT, BIN

START = "2026-06-01T08:00:00Z"


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _fails(t, r, code, what, message=None):
    t.check(r.rc != 0, "%s should fail: %r" % (what, r))
    t.check("(%s)" % code in r.err, "%s: want %s, got %r" % (what, code, r.err[-500:]))
    if message is not None:
        t.check(message in r.err, "%s: message %r not in %r" % (what, message, r.err[-500:]))


def _advance(t, lab, dur):
    r = t.run([BIN, "clock", "advance", dur, "--data", lab.data], env=t.client_env())
    t.check(r.rc == 0, "clock advance %s: %r" % (dur, r))


def test_ssm_parameter_store_with_four_clients(t):
    lab = t.lab(clock="manual", start=START)
    out = _ok(t, t.aws(lab, ["ssm", "put-parameter", "--name", "/app/db/url", "--type", "String",
                             "--value", "db.internal:5432", "--description", "the db"]), "put")
    t.eq((out["Version"], out["Tier"]), (1, "Standard"), "put output")
    _fails(t, t.aws(lab, ["ssm", "put-parameter", "--name", "/app/db/url", "--type", "String",
                          "--value", "x"], old=True), "ParameterAlreadyExists", "put twice",
           "The parameter already exists. To overwrite this value, set the overwrite option "
           "in the request to true.")
    out = _ok(t, t.aws(lab, ["ssm", "put-parameter", "--name", "/app/db/url", "--value",
                             "db2.internal:5432", "--overwrite"], old=True), "overwrite")
    t.eq(out["Version"], 2, "second version")
    _ok(t, t.aws(lab, ["ssm", "put-parameter", "--name", "/app/db/password", "--type",
                       "SecureString", "--value", "s3cret!"]), "secure")
    _ok(t, t.aws(lab, ["ssm", "put-parameter", "--name", "/app/hosts", "--type", "StringList",
                       "--value", "a,b,c"]), "list")
    p = _ok(t, t.aws(lab, ["ssm", "get-parameter", "--name", "/app/db/password"]),
            "get secure")["Parameter"]
    t.check(p["Value"] != "s3cret!" and len(p["Value"]) > 20, "encrypted value %r" % p["Value"])
    p = _ok(t, t.aws(lab, ["ssm", "get-parameter", "--name", "/app/db/password",
                           "--with-decryption"], old=True), "get decrypted")["Parameter"]
    t.eq((p["Value"], p["Type"]), ("s3cret!", "SecureString"), "decrypted")
    t.eq(p["ARN"], "arn:aws:ssm:us-east-1:%s:parameter/app/db/password" % ACCOUNT, "ARN")
    p = _ok(t, t.aws(lab, ["ssm", "get-parameter", "--name", "/app/db/url:1"]),
            "version 1")["Parameter"]
    t.eq((p["Value"], p["Selector"]), ("db.internal:5432", ":1"), "name:version")
    _fails(t, t.aws(lab, ["ssm", "get-parameter", "--name", "/nope"]), "ParameterNotFound",
           "unknown")
    _fails(t, t.aws(lab, ["ssm", "put-parameter", "--name", "/aws/mine", "--type", "String",
                          "--value", "x"]), "ValidationException", "aws prefix")
    res = t.boto(lab, [{"service": "ssm", "op": "get_parameters_by_path",
                        "params": {"Path": "/app", "Recursive": True, "WithDecryption": True}},
                       {"service": "ssm", "op": "get_parameters_by_path",
                        "params": {"Path": "/app"}},
                       {"service": "ssm", "op": "get_parameters",
                        "params": {"Names": ["/app/hosts", "/missing"]}},
                       {"service": "ssm", "op": "describe_parameters",
                        "params": {"ParameterFilters": [{"Key": "Type", "Values": ["SecureString"]}]}}])
    t.eq(sorted(p["Name"] for p in res[0]["data"]["Parameters"]),
         ["/app/db/password", "/app/db/url", "/app/hosts"], "recursive by path")
    t.eq([p["Name"] for p in res[1]["data"]["Parameters"]], ["/app/hosts"], "one level")
    t.eq((len(res[2]["data"]["Parameters"]), res[2]["data"]["InvalidParameters"]),
         (1, ["/missing"]), "GetParameters")
    meta = res[3]["data"]["Parameters"]
    t.eq([(m["Name"], m["KeyId"]) for m in meta], [("/app/db/password", "alias/aws/ssm")],
         "describe SecureString")
    # AWS's public parameters resolve to images DescribeImages knows, per region
    res = t.boto(lab, [{"service": "ssm", "op": "get_parameter", "params": {
        "Name": "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id"}},
        {"service": "ssm", "op": "get_parameters_by_path",
         "params": {"Path": "/aws/service/ami-amazon-linux-latest", "MaxResults": 3}},
        {"service": "ssm", "op": "get_parameter", "region": "eu-west-1", "params": {
            "Name": "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id"}},
        {"service": "ssm", "op": "delete_parameters", "params": {"Names": ["/app/hosts", "/x"]}}],
        old=True)
    ami = res[0]["data"]["Parameter"]["Value"]
    t.check(ami.startswith("ami-") and len(ami) == 21, "ubuntu ami %r" % ami)
    t.eq(len(res[1]["data"]["Parameters"]), 3, "MaxResults")
    t.check("NextToken" in res[1]["data"], "paged: %r" % res[1]["data"])
    t.check(res[2]["data"]["Parameter"]["Value"] != ami, "another region, another image")
    t.eq((res[3]["data"]["DeletedParameters"], res[3]["data"]["InvalidParameters"]),
         (["/app/hosts"], ["/x"]), "DeleteParameters")
    img = _ok(t, t.aws(lab, ["ec2", "describe-images", "--image-ids", ami]), "image")["Images"]
    t.eq([i["ImageId"] for i in img], [ami], "DescribeImages knows it")
    _ok(t, t.aws(lab, ["ssm", "delete-parameter", "--name", "/app/db/url"]), "delete")
    _fails(t, t.aws(lab, ["ssm", "delete-parameter", "--name", "/app/db/url"], old=True),
           "ParameterNotFound", "delete twice")


def test_vpc_subnets_gateways_routes_api(t):
    lab = t.lab(clock="manual", start=START)
    vpc = _ok(t, t.aws(lab, ["ec2", "create-vpc", "--cidr-block", "10.1.0.0/16"]),
              "create-vpc")["Vpc"]
    vid = vpc["VpcId"]
    t.eq((vpc["CidrBlock"], vpc["IsDefault"], vpc["State"]), ("10.1.0.0/16", False, "available"),
         "vpc")
    _fails(t, t.aws(lab, ["ec2", "create-vpc", "--cidr-block", "10.0.0.0/8"]),
           "InvalidVpc.Range", "too big", "The CIDR '10.0.0.0/8' is invalid.")
    sub = _ok(t, t.aws(lab, ["ec2", "create-subnet", "--vpc-id", vid, "--cidr-block",
                             "10.1.1.0/24", "--availability-zone", "us-east-1b"], old=True),
              "create-subnet")["Subnet"]
    t.eq((sub["AvailabilityZone"], sub["AvailableIpAddressCount"]), ("us-east-1b", 251), "subnet")
    _fails(t, t.aws(lab, ["ec2", "create-subnet", "--vpc-id", vid, "--cidr-block",
                          "10.1.1.128/25"]), "InvalidSubnet.Conflict", "overlap")
    _fails(t, t.aws(lab, ["ec2", "create-subnet", "--vpc-id", vid, "--cidr-block",
                          "10.2.0.0/24"]), "InvalidSubnet.Range", "outside")
    igw = _ok(t, t.aws(lab, ["ec2", "create-internet-gateway"]),
              "igw")["InternetGateway"]["InternetGatewayId"]
    rtb = _ok(t, t.aws(lab, ["ec2", "create-route-table", "--vpc-id", vid]),
              "rtb")["RouteTable"]["RouteTableId"]
    _fails(t, t.aws(lab, ["ec2", "create-route", "--route-table-id", rtb,
                          "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw]),
           "InvalidParameterValue", "route to a detached gateway")
    res = t.boto(lab, [{"service": "ec2", "op": "attach_internet_gateway",
                        "params": {"InternetGatewayId": igw, "VpcId": vid}},
                       {"service": "ec2", "op": "create_route",
                        "params": {"RouteTableId": rtb, "DestinationCidrBlock": "0.0.0.0/0",
                                   "GatewayId": igw}},
                       {"service": "ec2", "op": "create_route",
                        "params": {"RouteTableId": rtb, "DestinationCidrBlock": "0.0.0.0/0",
                                   "GatewayId": igw}},
                       {"service": "ec2", "op": "associate_route_table",
                        "params": {"RouteTableId": rtb, "SubnetId": sub["SubnetId"]}},
                       {"service": "ec2", "op": "modify_subnet_attribute",
                        "params": {"SubnetId": sub["SubnetId"],
                                   "MapPublicIpOnLaunch": {"Value": True}}}])
    t.check(res[0]["ok"] and res[1]["ok"] and res[3]["ok"] and res[4]["ok"], "boto: %r" % res)
    t.eq(res[2]["code"], "RouteAlreadyExists", "duplicate route")
    res = t.js(lab, [{"client": "EC2", "command": "DescribeRouteTables",
                      "input": {"Filters": [{"Name": "association.subnet-id",
                                             "Values": [sub["SubnetId"]]}]}},
                     {"client": "EC2", "command": "DescribeInternetGateways",
                      "input": {"Filters": [{"Name": "attachment.vpc-id", "Values": [vid]}]}}])
    rts = res[0]["data"]["RouteTables"]
    t.eq([r["RouteTableId"] for r in rts], [rtb], "route table by subnet")
    t.eq(sorted(r.get("GatewayId") for r in rts[0]["Routes"]), [igw, "local"], "routes")
    t.eq([g["InternetGatewayId"] for g in res[1]["data"]["InternetGateways"]], [igw], "igw")
    # an instance in the new subnet: a public address, the VPC's default group
    run = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", "ami-374db956",
                             "--subnet-id", sub["SubnetId"]]), "run in subnet")["Instances"][0]
    t.check(run["PrivateIpAddress"].startswith("10.1.1."), "address %r" % run)
    t.eq(run["VpcId"], vid, "VpcId")
    t.check(run.get("PublicIpAddress"), "public address: %r" % run)
    default_sg = _ok(t, t.aws(lab, ["ec2", "describe-security-groups", "--filters",
                                    "Name=vpc-id,Values=" + vid]), "vpc groups")["SecurityGroups"]
    t.eq([g["GroupName"] for g in default_sg], ["default"], "the VPC's default group")
    t.eq(run["SecurityGroups"][0]["GroupId"], default_sg[0]["GroupId"], "instance group")
    _fails(t, t.aws(lab, ["ec2", "delete-vpc", "--vpc-id", vid]), "DependencyViolation",
           "delete a used vpc", "The vpc '%s' has dependencies and cannot be deleted." % vid)
    _fails(t, t.aws(lab, ["ec2", "delete-subnet", "--subnet-id", sub["SubnetId"]]),
           "DependencyViolation", "delete a used subnet")
    _ok(t, t.aws(lab, ["ec2", "terminate-instances", "--instance-ids", run["InstanceId"]]), "term")
    _advance(t, lab, "2m")
    _fails(t, t.aws(lab, ["ec2", "detach-internet-gateway", "--internet-gateway-id", igw,
                          "--vpc-id", "vpc-00000000"], old=True), "Gateway.NotAttached",
           "detach from another vpc")
    for args in (["ec2", "delete-subnet", "--subnet-id", sub["SubnetId"]],
                 ["ec2", "delete-route-table", "--route-table-id", rtb],
                 ["ec2", "detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vid],
                 ["ec2", "delete-internet-gateway", "--internet-gateway-id", igw],
                 ["ec2", "delete-vpc", "--vpc-id", vid]):
        _ok(t, t.aws(lab, args), " ".join(args[:2]))
    vpcs = _ok(t, t.aws(lab, ["ec2", "describe-vpcs"]), "vpcs")["Vpcs"]
    t.eq([v["IsDefault"] for v in vpcs], [True], "only the default VPC left")


VPC_TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.20.0.0/16
      EnableDnsSupport: true
      EnableDnsHostnames: true
      Tags: [{Key: Name, Value: byot-vpc}]
  IGW:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref VPC, InternetGatewayId: !Ref IGW}
  PublicSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.20.1.0/24
      AvailabilityZone: !Select [0, !GetAZs '']
      MapPublicIpOnLaunch: true
  RT:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref VPC}
  DefaultRoute:
    Type: AWS::EC2::Route
    DependsOn: Attach
    Properties: {RouteTableId: !Ref RT, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref IGW}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref PublicSubnet, RouteTableId: !Ref RT}
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: in the vpc
      VpcId: !Ref VPC
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}]
  SelfIngress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref SG, IpProtocol: '-1', SourceSecurityGroupId: !Ref SG}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
  Inline:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: !Ref Role
      PolicyName: read-params
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: 'ssm:GetParameter', Resource: '*'}]
  Server:
    Type: AWS::EC2::Instance
    DependsOn: DefaultRoute
    Properties:
      ImageId: ami-374db956
      InstanceType: t3.micro
      SubnetId: !Ref PublicSubnet
      SecurityGroupIds: [!Ref SG]
Outputs:
  Vpc: {Value: !Ref VPC}
  DefaultSG: {Value: !GetAtt VPC.DefaultSecurityGroup}
  Subnet: {Value: !Ref PublicSubnet}
  SubnetAz: {Value: !GetAtt PublicSubnet.AvailabilityZone}
  Sg: {Value: !Ref SG}
  Route: {Value: !Ref DefaultRoute}
  Server: {Value: !Ref Server}
  Role: {Value: !Ref Role}
"""


def test_vpc_stack_with_role_policy(t):
    lab = t.lab(clock="manual", start=START)
    path = os.path.join(t.mkdtemp("vpc"), "vpc.yaml")
    with open(path, "w") as f:
        f.write(VPC_TEMPLATE)
    _ok(t, t.aws(lab, ["cloudformation", "create-stack", "--stack-name", "net", "--template-body",
                       "file://" + path, "--capabilities", "CAPABILITY_IAM"], old=True),
        "create-stack net")
    for _ in range(8):
        _advance(t, lab, "30s")
        s = _ok(t, t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", "net"]),
                "describe")["Stacks"][0]
        if s["StackStatus"] != "CREATE_IN_PROGRESS":
            break
    t.eq(s["StackStatus"], "CREATE_COMPLETE", "net stack: %r" % s)
    o = {x["OutputKey"]: x["OutputValue"] for x in s["Outputs"]}
    t.check(o["Sg"].startswith("sg-"), "Ref of a group with VpcId is its id: %r" % o["Sg"])
    t.eq(o["Route"].split("|"), [o["Route"].split("|")[0], "0.0.0.0/0"], "Route Ref")
    t.eq(o["SubnetAz"], "us-east-1a", "GetAZs + GetAtt")
    inst = _ok(t, t.aws(lab, ["ec2", "describe-instances", "--instance-ids", o["Server"]]),
               "server")["Reservations"][0]["Instances"][0]
    t.eq((inst["VpcId"], inst["SubnetId"]), (o["Vpc"], o["Subnet"]), "server placement")
    t.check(inst.get("PublicIpAddress"), "MapPublicIpOnLaunch gave an address")
    g = _ok(t, t.aws(lab, ["ec2", "describe-security-groups", "--group-ids", o["Sg"]]),
            "sg")["SecurityGroups"][0]
    t.eq([(p["IpProtocol"], p.get("FromPort")) for p in g["IpPermissionsEgress"]], [("tcp", 443)],
         "the template's egress replaced the default one")
    t.eq(g["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"], o["Sg"], "self ingress")
    pol = _ok(t, t.aws(lab, ["iam", "get-role-policy", "--role-name", o["Role"], "--policy-name",
                             "read-params"]), "get-role-policy")
    t.eq(pol["PolicyDocument"]["Statement"][0]["Action"], "ssm:GetParameter", "RolePolicy")
    res = t.boto(lab, [{"service": "ec2", "op": "describe_vpcs",
                        "params": {"VpcIds": [o["Vpc"]]}}])
    tags = {x["Key"]: x["Value"] for x in res[0]["data"]["Vpcs"][0]["Tags"]}
    t.eq((tags.get("Name"), tags.get("aws:cloudformation:logical-id")), ("byot-vpc", "VPC"),
         "vpc tags")
    _ok(t, t.aws(lab, ["cloudformation", "delete-stack", "--stack-name", "net"]), "delete")
    for _ in range(8):
        _advance(t, lab, "30s")
    r = t.aws(lab, ["cloudformation", "describe-stacks", "--stack-name", s["StackId"]])
    t.eq(_ok(t, r, "describe deleted")["Stacks"][0]["StackStatus"], "DELETE_COMPLETE",
         "deleted: %r" % r)
    vpcs = _ok(t, t.aws(lab, ["ec2", "describe-vpcs"]), "vpcs")["Vpcs"]
    t.eq([v["IsDefault"] for v in vpcs], [True], "the stack's VPC is gone")
