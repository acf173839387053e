"""Issue 17 "Done when", evaluation part: tests built from AWS's documented examples, with the
real aws CLI 1.45 (and Debian's 2.9 for the simulator):
- a permissions boundary that removes an allowed action (IAM UG access_policies_boundaries:
  the identity policy allows iam:CreateUser, the boundary allows only s3/cloudwatch/ec2);
- an explicit deny in a session policy (IAM UG reference_policies_evaluation-logic);
- a tag condition on a session tag passed through a chained role (IAM UG id_session-tags,
  "Chaining roles with session tags": Star transitive, Heart not);
- a resource tag condition on an EC2 instance (IAM UG reference_policies_examples_ec2-start-
  stop-tags: start/stop when aws:ResourceTag/Owner equals ${aws:username});
- `aws iam simulate-principal-policy` for the seed's two creators (the IAM user cfn and the
  instance-profile role), on both CLIs."""
import json

from lab import ACCOUNT, BIN

START = "2026-03-01T00:00:00Z"
POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
AMI = "ami-374db956"
TRUST_ACCOUNT_TAGS = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
    "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "*", "Resource": "*"}]})


def _as(key, secret, token=None):
    env = {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}
    if token:
        env["AWS_SESSION_TOKEN"] = token
    return env


def _ok(t, r, what):
    t.check(r.rc == 0, "%s should succeed: %r" % (what, r))
    return r.json() if r.out.strip() else {}


def _fails(t, r, code, what, message=None):
    t.check(r.rc != 0, "%s should fail: %r" % (what, r))
    t.check("(%s)" % code in r.err, "%s: expected (%s) in stderr: %r" % (what, code, r))
    if message is not None:
        t.check(message in r.err, "%s: expected message %r in stderr: %r" % (what, message, r))


def _user(t, lab, name, policy=None, inline=None, old=False):
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", name], old=old), "create-user")
    if policy:
        _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", name, "--policy-arn",
                           policy], old=old), "attach-user-policy")
    if inline:
        _ok(t, t.aws(lab, ["iam", "put-user-policy", "--user-name", name, "--policy-name",
                           "inline", "--policy-document", inline], old=old), "put-user-policy")
    ak = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", name], old=old),
             "create-access-key")["AccessKey"]
    return _as(ak["AccessKeyId"], ak["SecretAccessKey"])


def _creds(out):
    c = out["Credentials"]
    return _as(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def test_boundary_removes_an_allowed_action(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    boundary = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*"], "Resource": "*"}]})
    arn = _ok(t, t.aws(lab, ["iam", "create-policy", "--policy-name", "XCompanyBoundaries",
                             "--policy-document", boundary]), "create-policy")["Policy"]["Arn"]
    shirley = _user(t, lab, "ShirleyRodriguez", inline=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateUser",
                                                "Resource": "*"}, {
            "Effect": "Allow", "Action": "cloudwatch:ListMetrics", "Resource": "*"}]}))
    # without a boundary the identity policy allows iam:CreateUser
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "first"], env=shirley), "before")
    _ok(t, t.aws(lab, ["iam", "put-user-permissions-boundary", "--user-name",
                       "ShirleyRodriguez", "--permissions-boundary", arn]), "put boundary")
    got = _ok(t, t.aws(lab, ["iam", "get-user", "--user-name", "ShirleyRodriguez"]), "get-user")
    t.eq(got["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"], arn, "boundary shown")
    _fails(t, t.aws(lab, ["iam", "create-user", "--user-name", "second"], env=shirley),
           "AccessDenied", "create-user under the boundary",
           "User: arn:aws:iam::%s:user/ShirleyRodriguez is not authorized to perform: "
           "iam:CreateUser on resource: arn:aws:iam::%s:user/second because no permissions "
           "boundary allows the iam:CreateUser action" % (ACCOUNT, ACCOUNT))
    # what both allow still works
    _ok(t, t.aws(lab, ["cloudwatch", "list-metrics"], env=shirley), "list-metrics")
    # the simulator agrees, and says the boundary is why
    sim = _ok(t, t.aws(lab, ["iam", "simulate-principal-policy", "--policy-source-arn",
                             "arn:aws:iam::%s:user/ShirleyRodriguez" % ACCOUNT,
                             "--action-names", "iam:CreateUser", "cloudwatch:ListMetrics"]),
              "simulate")
    r0, r1 = sim["EvaluationResults"]
    t.eq((r0["EvalActionName"], r0["EvalDecision"]), ("iam:CreateUser", "implicitDeny"), "r0")
    t.eq(r0["PermissionsBoundaryDecisionDetail"], {"AllowedByPermissionsBoundary": False}, "pb0")
    t.eq((r1["EvalDecision"], r1["PermissionsBoundaryDecisionDetail"]),
         ("allowed", {"AllowedByPermissionsBoundary": True}), "r1")
    # removing the boundary restores it
    _ok(t, t.aws(lab, ["iam", "delete-user-permissions-boundary", "--user-name",
                       "ShirleyRodriguez"]), "delete boundary")
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "third"], env=shirley), "after")


def test_boundary_condition_key_on_create_user(t):
    """iam:PermissionsBoundary (IAM UG example "delegate user creation with a boundary"):
    the delegate may create users only with the boundary set."""
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    pb = "arn:aws:iam::%s:policy/XCompanyBoundaries" % ACCOUNT
    _ok(t, t.aws(lab, ["iam", "create-policy", "--policy-name", "XCompanyBoundaries",
                       "--policy-document", ALLOW_ALL]), "create-policy")
    admin = _user(t, lab, "delegate", inline=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*",
        "Condition": {"StringEquals": {"iam:PermissionsBoundary": pb}}}]}))
    _fails(t, t.aws(lab, ["iam", "create-user", "--user-name", "free"], env=admin),
           "AccessDenied", "create-user without the boundary")
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", "bounded",
                       "--permissions-boundary", pb], env=admin), "create-user with it")


def test_explicit_deny_in_a_session_policy(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops", "--assume-role-policy-document",
                       TRUST_ACCOUNT_TAGS]), "create-role")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ops", "--policy-arn", POWER]),
        "attach")
    u = _user(t, lab, "alice", inline=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    session_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:StopInstances", "Resource": "*"}]})
    out = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn",
                             "arn:aws:iam::%s:role/ops" % ACCOUNT, "--role-session-name", "s1",
                             "--policy", session_policy], env=u), "assume-role")
    s = _creds(out)
    iid = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--instance-type",
                             "t2.micro"], env=s), "run-instances")["Instances"][0]["InstanceId"]
    _fails(t, t.aws(lab, ["ec2", "stop-instances", "--instance-ids", iid], env=s),
           "UnauthorizedOperation", "stop under the session policy's deny",
           "with an explicit deny in a session policy")
    _ok(t, t.aws(lab, ["ec2", "describe-instances"], env=s), "describe still allowed")


def test_session_tag_through_a_chained_role(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    role1 = "arn:aws:iam::%s:role/test-role-1" % ACCOUNT
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "test-role-1",
                       "--assume-role-policy-document", TRUST_ACCOUNT_TAGS]), "role1")
    _ok(t, t.aws(lab, ["iam", "put-role-policy", "--role-name", "test-role-1", "--policy-name",
                       "chain", "--policy-document", json.dumps({
                           "Version": "2012-10-17", "Statement": [{
                               "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
                               "Resource": "*"}]})]), "role1 policy")
    # role 2 trusts role 1's sessions only when they carry Star=1, and lets its sessions
    # describe instances only with that tag
    trust2 = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": role1},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:PrincipalTag/Star": "1"}}}]})
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "test-role-2",
                       "--assume-role-policy-document", trust2]), "role2")
    _ok(t, t.aws(lab, ["iam", "put-role-policy", "--role-name", "test-role-2", "--policy-name",
                       "abac", "--policy-document", json.dumps({
                           "Version": "2012-10-17", "Statement": [{
                               "Effect": "Allow", "Action": "ec2:DescribeInstances",
                               "Resource": "*", "Condition": {"StringEquals": {
                                   "aws:PrincipalTag/Star": "1",
                                   "aws:PrincipalTag/Heart": "2"}}}]})]), "role2 policy")
    u = _user(t, lab, "test-user", inline=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}]}))
    role2 = "arn:aws:iam::%s:role/test-role-2" % ACCOUNT

    # Star transitive, Heart not
    s1 = _creds(_ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", role1,
                                   "--role-session-name", "s1", "--tags", "Key=Star,Value=1",
                                   "Key=Heart,Value=1", "--transitive-tag-keys", "Star"], env=u),
                    "assume role 1"))
    # Star cannot be overridden down the chain
    _fails(t, t.aws(lab, ["sts", "assume-role", "--role-arn", role2, "--role-session-name", "s2",
                          "--tags", "Key=Star,Value=2"], env=s1), "InvalidParameterValue",
           "overriding a transitive tag")
    s2 = _creds(_ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", role2,
                                   "--role-session-name", "s2", "--tags", "Key=Heart,Value=2"],
                             env=s1), "assume role 2 (Star passed on)"))
    _ok(t, t.aws(lab, ["ec2", "describe-instances"], env=s2), "ABAC on the chained tag")

    # without the transitive key the chained session lacks Star: ABAC on it refuses
    s1b = _creds(_ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", role1,
                                    "--role-session-name", "s1b", "--tags", "Key=Star,Value=1"],
                              env=u), "assume role 1 (no transitive keys)"))
    s2b = _creds(_ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", role2,
                                    "--role-session-name", "s2b", "--tags", "Key=Heart,Value=2"],
                              env=s1b), "assume role 2 (the caller has Star)"))
    _fails(t, t.aws(lab, ["ec2", "describe-instances"], env=s2b), "UnauthorizedOperation",
           "no Star on the chained session")
    # a caller without Star at all: role 2's trust refuses
    s1c = _creds(_ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", role1,
                                    "--role-session-name", "s1c"], env=u), "untagged"))
    _fails(t, t.aws(lab, ["sts", "assume-role", "--role-arn", role2, "--role-session-name", "s2c"],
                    env=s1c), "AccessDenied", "role 2 without Star")


def test_resource_tag_condition_on_an_instance(t):
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances"],
         "Resource": "arn:aws:ec2:*:*:instance/*",
         "Condition": {"StringEquals": {"aws:ResourceTag/Owner": "${aws:username}"}}},
        {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}]})
    u = _user(t, lab, "maria", inline=policy)
    ids = []
    for owner in ("maria", "bob"):
        out = _ok(t, t.aws(lab, ["ec2", "run-instances", "--image-id", AMI, "--instance-type",
                                 "t2.micro", "--tag-specifications",
                                 "ResourceType=instance,Tags=[{Key=Owner,Value=%s}]" % owner]),
                  "run-instances")
        ids.append(out["Instances"][0]["InstanceId"])
    r = t.run([BIN, "clock", "advance", "2m", "--data", lab.data], env=t.client_env())
    t.check(r.rc == 0, "clock advance: %r" % r)
    _ok(t, t.aws(lab, ["ec2", "stop-instances", "--instance-ids", ids[0]], env=u), "own instance")
    _fails(t, t.aws(lab, ["ec2", "stop-instances", "--instance-ids", ids[1]], env=u),
           "UnauthorizedOperation", "someone else's instance",
           "is not authorized to perform: ec2:StopInstances on resource: "
           "arn:aws:ec2:us-east-1:%s:instance/%s" % (ACCOUNT, ids[1]))
    # every instance of one request is checked: the other's refusal fails the whole call
    _fails(t, t.aws(lab, ["ec2", "start-instances", "--instance-ids", ids[0], ids[1]], env=u),
           "UnauthorizedOperation", "own and someone else's instance together",
           "ec2:StartInstances on resource: arn:aws:ec2:us-east-1:%s:instance/%s" % (ACCOUNT,
                                                                                      ids[1]))


def _seed_creators(t, lab, old):
    """The seed's two creators: user cfn (PowerUserAccess) and the instance-profile role."""
    _user(t, lab, "cfn", policy=POWER, old=old)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"}]})
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ec2-recovery",
                       "--assume-role-policy-document", trust], old=old), "role")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ec2-recovery",
                       "--policy-arn", POWER], old=old), "role policy")


def _simulate_creators(t, old):
    t.need("old_aws" if old else "new_aws")
    lab = t.lab(clock="manual", start=START)
    _seed_creators(t, lab, old)
    inst = "arn:aws:ec2:us-east-1:%s:instance/i-0123456789abcdef0" % ACCOUNT
    for arn in ("arn:aws:iam::%s:user/cfn" % ACCOUNT,
                "arn:aws:iam::%s:role/ec2-recovery" % ACCOUNT,
                "arn:aws:sts::%s:assumed-role/ec2-recovery/i-0123456789abcdef0" % ACCOUNT):
        sim = _ok(t, t.aws(lab, ["iam", "simulate-principal-policy", "--policy-source-arn", arn,
                                 "--action-names", "ec2:RecoverInstances", "iam:CreateUser",
                                 "--resource-arns", inst], old=old), "simulate " + arn)
        rec, cu = sim["EvaluationResults"]
        t.eq((rec["EvalActionName"], rec["EvalResourceName"], rec["EvalDecision"]),
             ("ec2:RecoverInstances", inst, "allowed"), "recover for " + arn)
        m = rec["MatchedStatements"]
        t.eq([(x["SourcePolicyId"], x["SourcePolicyType"]) for x in m],
             [("PowerUserAccess", "aws-managed")], "matched statements of " + arn)
        t.eq(m[0]["StartPosition"]["Line"] >= 1, True, "statement position")
        t.eq(rec["ResourceSpecificResults"][0]["EvalResourceDecision"], "allowed", "per resource")
        t.eq((cu["EvalDecision"], cu["MatchedStatements"]), ("implicitDeny", []),
             "iam:CreateUser for " + arn)
    # SimulateCustomPolicy: context entries and missing context values
    pol = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/Owner": "maria"}}}]})
    sim = _ok(t, t.aws(lab, ["iam", "simulate-custom-policy", "--policy-input-list", pol,
                             "--action-names", "ec2:StopInstances"], old=old), "custom")
    r = sim["EvaluationResults"][0]
    t.eq((r["EvalDecision"], r["MissingContextValues"]),
         ("implicitDeny", ["aws:ResourceTag/Owner"]), "missing context")
    sim = _ok(t, t.aws(lab, ["iam", "simulate-custom-policy", "--policy-input-list", pol,
                             "--action-names", "ec2:StopInstances", "--context-entries",
                             "ContextKeyName=aws:ResourceTag/Owner,ContextKeyValues=maria,"
                             "ContextKeyType=string"], old=old), "custom with context")
    r = sim["EvaluationResults"][0]
    t.eq((r["EvalDecision"], r["MatchedStatements"][0]["SourcePolicyId"],
          r["MatchedStatements"][0]["SourcePolicyType"]),
         ("allowed", "PolicyInputList.1", "none"), "custom allowed")
    _fails(t, t.aws(lab, ["iam", "simulate-principal-policy", "--policy-source-arn",
                          "arn:aws:iam::%s:user/nobody" % ACCOUNT, "--action-names",
                          "ec2:RunInstances"], old=old), "NoSuchEntity", "unknown user")


def test_simulate_principal_policy_seed_creators_cli(t):
    _simulate_creators(t, old=False)


def test_simulate_principal_policy_seed_creators_old_cli(t):
    _simulate_creators(t, old=True)


def test_principal_tag_of_a_user_follows_its_tags(t):
    """aws:PrincipalTag of an IAM user (IAM UG "Controlling access for IAM principals" /
    tutorial_attribute-based-access-control): allowed while the user carries the tag, denied
    once it is removed (the decision follows UntagUser at once)."""
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    u = _user(t, lab, "tagged", inline=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "cloudwatch:ListMetrics", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}}]}))
    from_ = "because no identity-based policy allows the cloudwatch:ListMetrics action"
    r = t.aws(lab, ["cloudwatch", "list-metrics"], env=u)
    t.check(r.rc != 0 and from_ in r.err, "untagged: %r" % r)
    _ok(t, t.aws(lab, ["iam", "tag-user", "--user-name", "tagged", "--tags",
                       "Key=team,Value=ops"]), "tag-user")
    _ok(t, t.aws(lab, ["cloudwatch", "list-metrics"], env=u), "tagged")
    _ok(t, t.aws(lab, ["iam", "untag-user", "--user-name", "tagged", "--tag-keys", "team"]),
        "untag-user")
    r = t.aws(lab, ["cloudwatch", "list-metrics"], env=u)
    t.check(r.rc != 0 and from_ in r.err, "untagged again: %r" % r)
