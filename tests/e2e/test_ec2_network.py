"""Issue 15, EC2 resources templates use, through their APIs with real clients: security
groups and their rules, key pairs with real key material (fingerprints as AWS computes them,
RunInstances checking KeyName), Elastic IPs that follow an instance through a stop/start and
a recovery, network interfaces (an existing one as an instance's primary interface),
launch templates with versions used by RunInstances."""
import base64
import hashlib
import json
import os
import re
import subprocess

from lab import ACCOUNT, BIN

START = "2026-06-01T08:00:00Z"
AMI = "ami-374db956"


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


def _instance(t, lab, iid):
    out = _ok(t, t.aws(lab, ["ec2", "describe-instances", "--instance-ids", iid]), "describe")
    return out["Reservations"][0]["Instances"][0]


def test_security_groups_with_both_clis(t):
    lab = t.lab(clock="manual", start=START)
    vpc = _ok(t, t.aws(lab, ["ec2", "describe-vpcs"]), "describe-vpcs")["Vpcs"][0]["VpcId"]
    out = _ok(t, t.aws(lab, ["ec2", "create-security-group", "--group-name", "web",
                             "--description", "web servers"]), "create-security-group")
    sg = out["GroupId"]
    t.check(re.fullmatch(r"sg-[0-9a-f]{17}", sg), "group id %r" % sg)
    _fails(t, t.aws(lab, ["ec2", "create-security-group", "--group-name", "web",
                          "--description", "again"], old=True),
           "InvalidGroup.Duplicate", "duplicate group (aws 2.9)",
           "The security group 'web' already exists for VPC '%s'" % vpc)
    _fails(t, t.aws(lab, ["ec2", "create-security-group", "--group-name", "sg-x",
                          "--description", "d"]), "InvalidParameterValue", "sg-* name")
    out = _ok(t, t.aws(lab, ["ec2", "authorize-security-group-ingress", "--group-id", sg,
                             "--protocol", "tcp", "--port", "22", "--cidr", "203.0.113.0/24"]),
              "authorize ssh")
    t.eq(out["Return"], True, "Return")
    rule = out["SecurityGroupRules"][0]
    t.check(rule["SecurityGroupRuleId"].startswith("sgr-"), "rule id %r" % rule)
    t.eq((rule["IpProtocol"], rule["FromPort"], rule["ToPort"], rule["CidrIpv4"],
          rule["IsEgress"]), ("tcp", 22, 22, "203.0.113.0/24", False), "rule")
    _fails(t, t.aws(lab, ["ec2", "authorize-security-group-ingress", "--group-id", sg,
                          "--protocol", "tcp", "--port", "22", "--cidr", "203.0.113.0/24"],
                    old=True),
           "InvalidPermission.Duplicate", "duplicate rule",
           'the specified rule "peer: 203.0.113.0/24, TCP, from port: 22, to port: 22, ALLOW" '
           'already exists')
    perms = json.dumps([{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "http"}],
                         "UserIdGroupPairs": [{"GroupId": sg}]}])
    _ok(t, t.aws(lab, ["ec2", "authorize-security-group-ingress", "--group-id", sg,
                       "--ip-permissions", perms], old=True), "authorize http (aws 2.9)")
    _fails(t, t.aws(lab, ["ec2", "authorize-security-group-ingress", "--group-id", sg,
                          "--protocol", "tcp", "--cidr", "10.0.0.0/8"]),
           "InvalidParameterValue", "tcp without ports")
    _fails(t, t.aws(lab, ["ec2", "authorize-security-group-ingress", "--group-id", sg,
                          "--protocol", "tcp", "--port", "1", "--cidr", "10.0.0/8"]),
           "InvalidParameterValue", "bad cidr")
    g = _ok(t, t.aws(lab, ["ec2", "describe-security-groups", "--group-ids", sg]),
            "describe-security-groups")["SecurityGroups"][0]
    t.eq((g["GroupName"], g["Description"], g["VpcId"], g["OwnerId"]),
         ("web", "web servers", vpc, ACCOUNT), "group")
    ingress = {(p["IpProtocol"], p.get("FromPort")): p for p in g["IpPermissions"]}
    t.eq(ingress[("tcp", 80)]["IpRanges"], [{"CidrIp": "0.0.0.0/0", "Description": "http"}],
         "port 80 ranges")
    t.eq(ingress[("tcp", 80)]["UserIdGroupPairs"], [{"UserId": ACCOUNT, "GroupId": sg}],
         "port 80 group pair")
    t.eq(g["IpPermissionsEgress"][0]["IpProtocol"], "-1", "default egress")
    t.eq(g["IpPermissionsEgress"][0]["IpRanges"], [{"CidrIp": "0.0.0.0/0"}], "egress anywhere")
    # filters
    f = _ok(t, t.aws(lab, ["ec2", "describe-security-groups", "--filters",
                           "Name=ip-permission.from-port,Values=22"], old=True), "filter")
    t.eq([x["GroupId"] for x in f["SecurityGroups"]], [sg], "filter by port")
    rules = _ok(t, t.aws(lab, ["ec2", "describe-security-group-rules", "--filters",
                               "Name=group-id,Values=" + sg]), "describe-security-group-rules")
    t.eq(len(rules["SecurityGroupRules"]), 4, "ssh, http x2, egress: %r" % rules)
    # boto3 (both generations) and the JS SDK
    res = t.boto(lab, [{"service": "ec2", "op": "revoke_security_group_ingress",
                        "params": {"GroupId": sg, "IpPermissions": [
                            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                             "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}]}},
                       {"service": "ec2", "op": "revoke_security_group_ingress",
                        "params": {"GroupId": sg, "IpPermissions": [
                            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                             "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}]}}])
    t.check(res[0]["ok"], "revoke: %r" % res[0])
    t.eq(res[1]["code"], "InvalidPermission.NotFound", "revoke twice")
    res = t.boto(lab, [{"service": "ec2", "op": "create_security_group",
                        "params": {"GroupName": "db", "Description": "db",
                                   "TagSpecifications": [{"ResourceType": "security-group",
                                                          "Tags": [{"Key": "tier",
                                                                    "Value": "db"}]}]}}],
                 old=True)
    t.check(res[0]["ok"], "boto 1.29 create: %r" % res[0])
    db = res[0]["data"]["GroupId"]
    res = t.js(lab, [{"client": "EC2", "command": "AuthorizeSecurityGroupIngress",
                      "input": {"GroupId": db, "IpPermissions": [
                          {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                           "UserIdGroupPairs": [{"GroupId": sg}]}]}},
                     {"client": "EC2", "command": "DescribeSecurityGroups",
                      "input": {"Filters": [{"Name": "tag:tier", "Values": ["db"]}]}}])
    t.check(res[0]["ok"], "js authorize: %r" % res[0])
    t.eq([x["GroupId"] for x in res[1]["data"]["SecurityGroups"]], [db], "js filter by tag")
    # an instance in the group; the group cannot go while used or referenced
    run = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--security-group-ids",
                             sg]), "run in group")
    iid = run["Instances"][0]["InstanceId"]
    t.eq(run["Instances"][0]["SecurityGroups"], [{"GroupName": "web", "GroupId": sg}],
         "instance groups")
    _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--security-groups", "web"]),
        "run by group name")
    _fails(t, t.aws(lab, ["ec2", "delete-security-group", "--group-id", sg]),
           "DependencyViolation", "delete a used group",
           "resource %s has a dependent object" % sg)
    default = _ok(t, t.aws(lab, ["ec2", "describe-security-groups", "--group-names", "default"]),
                  "default group")["SecurityGroups"][0]["GroupId"]
    _fails(t, t.aws(lab, ["ec2", "delete-security-group", "--group-id", default]),
           "CannotDelete", "delete the default group")
    _ok(t, t.aws(lab, ["ec2", "delete-security-group", "--group-id", db]), "delete db")
    _fails(t, t.aws(lab, ["ec2", "describe-security-groups", "--group-ids", db]),
           "InvalidGroup.NotFound", "deleted group",
           "The security group '%s' does not exist" % db)
    _ok(t, t.aws(lab, ["ec2", "terminate-instances", "--instance-ids", iid]), "terminate")


def _ssh_md5(pub_line):
    """RFC 4716 MD5 fingerprint of an ssh-rsa public key, via OpenSSL's DER encoding."""
    r = subprocess.run(["ssh-keygen", "-e", "-m", "PKCS8", "-f", "/dev/stdin"],
                       input=pub_line, capture_output=True, text=True)
    if r.returncode != 0:
        return None
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=r.stdout.encode(),
                         capture_output=True).stdout
    d = hashlib.md5(der).hexdigest()
    return ":".join(d[i:i + 2] for i in range(0, len(d), 2))


def test_key_pairs_with_real_material(t):
    lab = t.lab(clock="manual", start=START)
    out = _ok(t, t.aws(lab, ["ec2", "create-key-pair", "--key-name", "ops"]), "create-key-pair")
    t.check(out["KeyMaterial"].startswith("-----BEGIN RSA PRIVATE KEY-----"), "PEM %r" %
            out["KeyMaterial"][:40])
    pem = os.path.join(t.tmp, "ops.pem")
    with open(pem, "w") as f:
        f.write(out["KeyMaterial"])
    # AWS's recipe: openssl pkcs8 -topk8 -nocrypt -outform DER | openssl sha1 -c
    der = subprocess.run(["openssl", "pkcs8", "-in", pem, "-inform", "PEM", "-outform", "DER",
                          "-topk8", "-nocrypt"], capture_output=True).stdout
    t.check(der, "openssl reads the key")
    d = hashlib.sha1(der).hexdigest()
    t.eq(out["KeyFingerprint"], ":".join(d[i:i + 2] for i in range(0, 40, 2)),
         "SHA-1 fingerprint of the PKCS#8 DER")
    t.check(out["KeyPairId"].startswith("key-"), "KeyPairId")
    _fails(t, t.aws(lab, ["ec2", "create-key-pair", "--key-name", "ops"], old=True),
           "InvalidKeyPair.Duplicate", "duplicate key", "The keypair 'ops' already exists.")
    ed = _ok(t, t.aws(lab, ["ec2", "create-key-pair", "--key-name", "ed", "--key-type",
                            "ed25519"], old=True), "ed25519 key (aws 2.9)")
    t.check(ed["KeyMaterial"].startswith("-----BEGIN OPENSSH PRIVATE KEY-----"), "openssh key")
    edf = os.path.join(t.tmp, "ed.key")
    with open(edf, "w") as f:
        f.write(ed["KeyMaterial"])
    os.chmod(edf, 0o600)
    r = subprocess.run(["ssh-keygen", "-y", "-f", edf], capture_output=True, text=True)
    if r.returncode == 0:  # ssh-keygen reads the private key: same fingerprint
        blob = base64.b64decode(r.stdout.split()[1])
        t.eq(ed["KeyFingerprint"], base64.b64encode(hashlib.sha256(blob).digest()).decode(),
             "ed25519 fingerprint")
    # import an RSA public key made by OpenSSL
    priv = os.path.join(t.tmp, "imp.pem")
    subprocess.run(["openssl", "genrsa", "-out", priv, "2048"], capture_output=True)
    pub = subprocess.run(["ssh-keygen", "-y", "-f", priv], capture_output=True, text=True)
    if pub.returncode == 0:
        os.chmod(priv, 0o600)
    pub = subprocess.run(["ssh-keygen", "-y", "-f", priv], capture_output=True, text=True)
    if pub.returncode == 0:
        pubf = os.path.join(t.tmp, "imp.pub")
        with open(pubf, "w") as f:
            f.write(pub.stdout)
        imp = _ok(t, t.aws(lab, ["ec2", "import-key-pair", "--key-name", "imported",
                                 "--public-key-material", "fileb://" + pubf]), "import")
        want = _ssh_md5(pub.stdout)
        if want:
            t.eq(imp["KeyFingerprint"], want, "MD5 fingerprint of the imported key")
    _fails(t, t.aws(lab, ["ec2", "import-key-pair", "--key-name", "bad",
                          "--public-key-material", base64.b64encode(b"not a key").decode()],
                    old=True), "InvalidKey.Format", "bad public key")
    desc = _ok(t, t.aws(lab, ["ec2", "describe-key-pairs", "--include-public-key"]), "describe")
    names = {k["KeyName"]: k for k in desc["KeyPairs"]}
    t.check({"ops", "ed"} <= set(names), "keys %r" % names)
    t.check(names["ops"]["PublicKey"].startswith("ssh-rsa "), "public key %r" % names["ops"])
    t.eq(names["ed"]["KeyType"], "ed25519", "KeyType")
    _fails(t, t.aws(lab, ["ec2", "describe-key-pairs", "--key-names", "nope"]),
           "InvalidKeyPair.NotFound", "unknown key", "The key pair 'nope' does not exist")
    # RunInstances checks KeyName
    _fails(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--key-name", "nope"]),
           "InvalidKeyPair.NotFound", "run with an unknown key",
           "The key pair 'nope' does not exist")
    run = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--key-name", "ops"]),
              "run with a key")
    t.eq(run["Instances"][0]["KeyName"], "ops", "KeyName")
    res = t.boto(lab, [{"service": "ec2", "op": "delete_key_pair", "params": {"KeyName": "ed"}},
                       {"service": "ec2", "op": "describe_key_pairs", "params": {}}], old=True)
    t.check(res[0]["ok"], "delete: %r" % res[0])
    t.check("ed" not in [k["KeyName"] for k in res[1]["data"]["KeyPairs"]], "deleted")
    res = t.js(lab, [{"client": "EC2", "command": "DescribeKeyPairs",
                      "input": {"Filters": [{"Name": "key-name", "Values": ["ops"]}]}}])
    t.eq([k["KeyName"] for k in res[0]["data"]["KeyPairs"]], ["ops"], "js filter")


def test_elastic_ip_follows_the_instance(t):
    lab = t.lab(clock="manual", start=START)
    iid = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--instance-type",
                             "t3.micro"]), "run")["Instances"][0]["InstanceId"]
    _advance(t, lab, "1m")
    alloc = _ok(t, t.aws(lab, ["ec2", "allocate-address", "--domain", "vpc"]), "allocate")
    t.check(alloc["AllocationId"].startswith("eipalloc-"), "allocation %r" % alloc)
    ip = alloc["PublicIp"]
    assoc = _ok(t, t.aws(lab, ["ec2", "associate-address", "--instance-id", iid,
                               "--allocation-id", alloc["AllocationId"]], old=True), "associate")
    t.check(assoc["AssociationId"].startswith("eipassoc-"), "association %r" % assoc)
    inst = _instance(t, lab, iid)
    t.eq(inst["PublicIpAddress"], ip, "the instance's public address is the EIP")
    t.eq(inst["NetworkInterfaces"][0]["Association"]["IpOwnerId"], ACCOUNT, "IpOwnerId")
    _fails(t, t.aws(lab, ["ec2", "release-address", "--allocation-id", alloc["AllocationId"]]),
           "InvalidIPAddress.InUse", "release while associated")
    # a system fault: simplified automatic recovery moves the instance, the EIP stays
    r = t.run([BIN, "fault", "inject", iid, "--check", "system", "--data", lab.data],
              env=t.client_env())
    t.check(r.rc == 0, "fault inject: %r" % r)
    _advance(t, lab, "10m")
    r = t.curl(lab, "/_recoverlab/instances/" + iid, sign="aws:amz:us-east-1:recoverlab")
    info = json.loads(r[2])
    t.check(len(info.get("recoveries", [])) >= 1, "recovered: %r" % info)
    t.eq(_instance(t, lab, iid)["PublicIpAddress"], ip, "the EIP after the recovery")
    # stop/start keeps it too
    _ok(t, t.aws(lab, ["ec2", "stop-instances", "--instance-ids", iid]), "stop")
    _advance(t, lab, "1m")
    t.eq(_instance(t, lab, iid)["PublicIpAddress"], ip, "the EIP while stopped")
    _ok(t, t.aws(lab, ["ec2", "start-instances", "--instance-ids", iid]), "start")
    _advance(t, lab, "1m")
    t.eq(_instance(t, lab, iid)["PublicIpAddress"], ip, "the EIP after start")
    res = t.boto(lab, [{"service": "ec2", "op": "describe_addresses",
                        "params": {"Filters": [{"Name": "instance-id", "Values": [iid]}]}},
                       {"service": "ec2", "op": "disassociate_address",
                        "params": {"AssociationId": assoc["AssociationId"]}}])
    t.eq([a["PublicIp"] for a in res[0]["data"]["Addresses"]], [ip], "describe by instance")
    t.check(res[1]["ok"], "disassociate: %r" % res[1])
    inst = _instance(t, lab, iid)
    t.check(inst.get("PublicIpAddress") not in (None, ip), "a dynamic address again: %r" %
            inst.get("PublicIpAddress"))
    res = t.js(lab, [{"client": "EC2", "command": "ReleaseAddress",
                      "input": {"AllocationId": alloc["AllocationId"]}},
                     {"client": "EC2", "command": "DescribeAddresses", "input": {}}])
    t.check(res[0]["ok"], "js release: %r" % res[0])
    t.eq(res[1]["data"]["Addresses"], [], "no addresses left")
    _fails(t, t.aws(lab, ["ec2", "release-address", "--allocation-id", alloc["AllocationId"]]),
           "InvalidAllocationID.NotFound", "release twice",
           "The allocation ID '%s' does not exist" % alloc["AllocationId"])


def test_network_interfaces_and_launch_templates(t):
    lab = t.lab(clock="manual", start=START)
    subnet = _ok(t, t.aws(lab, ["ec2", "describe-subnets"]), "subnets")["Subnets"][0]
    eni = _ok(t, t.aws(lab, ["ec2", "create-network-interface", "--subnet-id",
                             subnet["SubnetId"], "--description", "primary"]),
              "create-network-interface")["NetworkInterface"]
    t.eq((eni["Status"], eni["SubnetId"]), ("available", subnet["SubnetId"]), "new ENI")
    run = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--network-interfaces",
                             "DeviceIndex=0,NetworkInterfaceId=" + eni["NetworkInterfaceId"]],
                       old=True), "run with an existing ENI")
    inst = run["Instances"][0]
    t.eq(inst["PrivateIpAddress"], eni["PrivateIpAddress"], "the ENI's address")
    t.eq(inst["NetworkInterfaces"][0]["NetworkInterfaceId"], eni["NetworkInterfaceId"],
         "the instance's interface")
    d = _ok(t, t.aws(lab, ["ec2", "describe-network-interfaces", "--network-interface-ids",
                           eni["NetworkInterfaceId"]]), "describe ENI")["NetworkInterfaces"][0]
    t.eq((d["Status"], d["Attachment"]["InstanceId"]), ("in-use", inst["InstanceId"]), "in use")
    _fails(t, t.aws(lab, ["ec2", "delete-network-interface", "--network-interface-id",
                          eni["NetworkInterfaceId"]]), "InvalidNetworkInterface.InUse",
           "delete in use")
    _advance(t, lab, "1m")
    second = _ok(t, t.aws(lab, ["ec2", "create-network-interface", "--subnet-id",
                                subnet["SubnetId"]]), "second ENI")["NetworkInterface"]
    att = _ok(t, t.aws(lab, ["ec2", "attach-network-interface", "--network-interface-id",
                             second["NetworkInterfaceId"], "--instance-id", inst["InstanceId"],
                             "--device-index", "1"]), "attach")
    res = t.boto(lab, [{"service": "ec2", "op": "detach_network_interface",
                        "params": {"AttachmentId": att["AttachmentId"]}},
                       {"service": "ec2", "op": "delete_network_interface",
                        "params": {"NetworkInterfaceId": second["NetworkInterfaceId"]}}])
    t.check(res[0]["ok"] and res[1]["ok"], "detach and delete: %r" % res)
    # launch templates
    key = _ok(t, t.aws(lab, ["ec2", "create-key-pair", "--key-name", "lt"]), "key")
    data = json.dumps({"ImageId": AMI, "InstanceType": "t3.small", "KeyName": "lt",
                       "TagSpecifications": [{"ResourceType": "instance",
                                              "Tags": [{"Key": "from", "Value": "lt"}]}]})
    lt = _ok(t, t.aws(lab, ["ec2", "create-launch-template", "--launch-template-name", "web",
                            "--launch-template-data", data]), "create-launch-template")
    lt = lt["LaunchTemplate"]
    t.check(lt["LaunchTemplateId"].startswith("lt-"), "id %r" % lt)
    t.eq((lt["DefaultVersionNumber"], lt["LatestVersionNumber"]), (1, 1), "versions")
    _fails(t, t.aws(lab, ["ec2", "create-launch-template", "--launch-template-name", "web",
                          "--launch-template-data", data], old=True),
           "InvalidLaunchTemplateName.AlreadyExistsException", "duplicate template")
    v2 = _ok(t, t.aws(lab, ["ec2", "create-launch-template-version", "--launch-template-id",
                            lt["LaunchTemplateId"], "--source-version", "1",
                            "--launch-template-data", json.dumps({"InstanceType": "t3.large"})]),
             "version 2")["LaunchTemplateVersion"]
    t.eq(v2["VersionNumber"], 2, "version number")
    t.eq(v2["LaunchTemplateData"]["ImageId"], AMI, "source version's data carried")
    vs = _ok(t, t.aws(lab, ["ec2", "describe-launch-template-versions", "--launch-template-name",
                            "web"], old=True), "describe versions")["LaunchTemplateVersions"]
    t.eq(sorted(v["VersionNumber"] for v in vs), [1, 2], "both versions")
    run = _ok(t, t.aws(lab, ["ec2", "run-instances", "--launch-template",
                             "LaunchTemplateName=web,Version=$Latest"]), "run from template")
    inst = run["Instances"][0]
    t.eq((inst["InstanceType"], inst["ImageId"], inst["KeyName"]), ("t3.large", AMI, "lt"),
         "the template's values")
    tags = {x["Key"]: x["Value"] for x in _instance(t, lab, inst["InstanceId"])["Tags"]}
    t.eq(tags.get("aws:ec2launchtemplate:id"), lt["LaunchTemplateId"], "template tag")
    t.eq(tags.get("aws:ec2launchtemplate:version"), "2", "version tag")
    t.eq(tags.get("from"), "lt", "the template's tag specification")
    run = _ok(t, t.aws(lab, ["ec2", "run-instances", "--launch-template",
                             "LaunchTemplateId=%s" % lt["LaunchTemplateId"],
                             "--instance-type", "t3.nano"]), "request overrides the template")
    t.eq(run["Instances"][0]["InstanceType"], "t3.nano", "override")
    res = t.js(lab, [{"client": "EC2", "command": "DescribeLaunchTemplates",
                      "input": {"LaunchTemplateNames": ["web"]}},
                     {"client": "EC2", "command": "DeleteLaunchTemplate",
                      "input": {"LaunchTemplateName": "web"}},
                     {"client": "EC2", "command": "DescribeLaunchTemplates",
                      "input": {"LaunchTemplateNames": ["web"]}}])
    t.eq(res[0]["data"]["LaunchTemplates"][0]["LatestVersionNumber"], 2, "js describe")
    t.check(res[1]["ok"], "js delete: %r" % res[1])
    t.eq(res[2]["code"], "InvalidLaunchTemplateName.NotFoundException", "gone")
    del key
