"""Issue 3 "Done when": IAM users and roles, PowerUserAccess, AssumeRole credentials that expire
with the virtual clock, explicit Deny beating Allow, an aws:CurrentTime condition that flips
with the clock — with the real aws CLI 1.45 (JSON for CloudWatch), Debian's aws 2.9 (Query) and
botocore forced to RPC v2 CBOR, error shapes included."""
import json

from cw import cbor_data_path, cbor_decode, hget
from lab import ACCOUNT, BIN

START = "2026-03-01T00:00:00Z"
POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
OPS_ARN = "arn:aws:iam::%s:role/ops" % ACCOUNT
CFN_ARN = "arn:aws:iam::%s:user/cfn" % ACCOUNT
TRUST_ACCOUNT = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
    "Action": "sts:AssumeRole"}]})
DENIED_CREATE_USER = ("User: %s is not authorized to perform: iam:CreateUser on resource: "
                      "arn:aws:iam::%s:user/bob because no identity-based policy allows the "
                      "iam:CreateUser action" % (CFN_ARN, ACCOUNT))
EXPIRED = "The security token included in the request is expired"


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


def _root_creates_user(t, lab, name, old=False):
    """As root: user NAME with its access key. Returns (key, secret)."""
    _ok(t, t.aws(lab, ["iam", "create-user", "--user-name", name], old=old), "create-user " + name)
    out = _ok(t, t.aws(lab, ["iam", "create-access-key", "--user-name", name], old=old),
              "create-access-key " + name)
    ak = out["AccessKey"]
    t.check(ak["AccessKeyId"].startswith("AKIA") and len(ak["SecretAccessKey"]) == 40,
            "access key of %s: %r" % (name, ak))
    return ak["AccessKeyId"], ak["SecretAccessKey"]


def _clock_advance(t, lab, d):
    r = t.run([BIN, "clock", "advance", d, "--data", lab.data], env=t.client_env())
    t.check(r.rc == 0, "recoverlab clock advance %s: %r" % (d, r))


def test_done_when_user_cfn_and_role_ops_cli_json(t):
    """The issue's list, step by step, with the default aws (CLI 1.x, botocore 1.43)."""
    t.need("new_aws")
    lab = t.lab(clock="manual", start=START)
    key, secret = _root_creates_user(t, lab, "cfn")
    _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", "cfn", "--policy-arn", POWER]),
        "attach PowerUserAccess")
    cfn = _as(key, secret)

    _ok(t, t.aws(lab, ["cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name",
                       "Deploys", "--value", "1"], env=cfn), "cfn put-metric-data")
    r = t.aws(lab, ["iam", "create-user", "--user-name", "bob"], env=cfn)
    _fails(t, r, "AccessDenied", "cfn iam create-user",
           "An error occurred (AccessDenied) when calling the CreateUser operation: " +
           DENIED_CREATE_USER)
    out = _ok(t, t.aws(lab, ["iam", "create-service-linked-role", "--aws-service-name",
                             "events.amazonaws.com"], env=cfn), "cfn create-service-linked-role")
    t.eq(out["Role"]["RoleName"], "AWSServiceRoleForCloudWatchEvents", "service-linked role name")

    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops", "--assume-role-policy-document",
                       TRUST_ACCOUNT]), "create-role ops")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ops", "--policy-arn", POWER]),
        "attach PowerUserAccess to ops")
    out = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", OPS_ARN, "--role-session-name",
                             "deploy"], env=cfn), "cfn assume-role ops")
    cr = out["Credentials"]
    t.check(cr["AccessKeyId"].startswith("ASIA") and len(cr["AccessKeyId"]) == 20,
            "temporary key id: %r" % cr)
    t.check(len(cr["SecretAccessKey"]) == 40 and len(cr["SessionToken"]) > 100,
            "secret and token: %r" % cr)
    t.eq(out["AssumedRoleUser"]["Arn"], "arn:aws:sts::%s:assumed-role/ops/deploy" % ACCOUNT,
         "AssumedRoleUser.Arn")
    t.check(out["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA") and
            out["AssumedRoleUser"]["AssumedRoleId"].endswith(":deploy"),
            "AssumedRoleId: %r" % out["AssumedRoleUser"])
    t.check(cr["Expiration"].startswith("2026-03-01T01:00:00"),
            "Expiration one hour after the virtual now: %r" % cr["Expiration"])

    ops = _as(cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])
    me = _ok(t, t.aws(lab, ["sts", "get-caller-identity"], env=ops), "get-caller-identity as ops")
    t.eq(me["Arn"], "arn:aws:sts::%s:assumed-role/ops/deploy" % ACCOUNT, "caller Arn")
    t.eq(me["UserId"], out["AssumedRoleUser"]["AssumedRoleId"], "caller UserId")
    t.eq(me["Account"], ACCOUNT, "caller Account")
    _ok(t, t.aws(lab, ["cloudwatch", "list-metrics"], env=ops), "ops list-metrics")

    _clock_advance(t, lab, "2h")
    r = t.aws(lab, ["sts", "get-caller-identity"], env=ops)
    _fails(t, r, "ExpiredToken", "get-caller-identity after 2h", EXPIRED)
    r = t.aws(lab, ["cloudwatch", "list-metrics"], env=ops)
    _fails(t, r, "ExpiredToken", "list-metrics after 2h")
    # cfn's long-term key does not expire
    _ok(t, t.aws(lab, ["sts", "get-caller-identity"], env=cfn), "cfn after 2h")


def test_done_when_old_cli_query(t):
    """The same story with Debian's aws 2.9 (Query for CloudWatch)."""
    t.need("old_aws")
    lab = t.lab(clock="manual", start=START)
    key, secret = _root_creates_user(t, lab, "cfn", old=True)
    _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", "cfn", "--policy-arn", POWER],
                 old=True), "attach PowerUserAccess")
    cfn = _as(key, secret)
    _ok(t, t.aws(lab, ["cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name",
                       "Deploys", "--value", "1"], old=True, env=cfn), "cfn put-metric-data (Query)")
    r = t.aws(lab, ["iam", "create-user", "--user-name", "bob"], old=True, env=cfn)
    _fails(t, r, "AccessDenied", "cfn iam create-user (aws 2.9)", DENIED_CREATE_USER)
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops", "--assume-role-policy-document",
                       TRUST_ACCOUNT], old=True), "create-role ops")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ops", "--policy-arn", POWER],
                 old=True), "attach PowerUserAccess to ops")
    out = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn", OPS_ARN, "--role-session-name",
                             "nightly"], old=True, env=cfn), "assume-role (aws 2.9)")
    cr = out["Credentials"]
    ops = _as(cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])
    me = _ok(t, t.aws(lab, ["sts", "get-caller-identity"], old=True, env=ops), "whoami (aws 2.9)")
    t.eq(me["Arn"], "arn:aws:sts::%s:assumed-role/ops/nightly" % ACCOUNT, "caller Arn")
    _ok(t, t.aws(lab, ["cloudwatch", "list-metrics"], old=True, env=ops), "ops list-metrics")
    _clock_advance(t, lab, "2h")
    r = t.aws(lab, ["cloudwatch", "list-metrics"], old=True, env=ops)
    _fails(t, r, "ExpiredToken", "list-metrics after 2h (Query)", EXPIRED)


def _three_protocols(t, lab, who, op, params):
    """op as who over Query (boto3 1.26), JSON (botocore 1.43) and CBOR (forced)."""
    spec = {"service": "cloudwatch", "op": op, "params": params, "max_attempts": 1,
            "key": who["AWS_ACCESS_KEY_ID"], "secret": who["AWS_SECRET_ACCESS_KEY"]}
    q = t.boto(lab, [spec], old=True)[0]
    j = t.boto(lab, [spec])[0]
    c = t.boto(lab, [spec], env={"AWS_DATA_PATH": cbor_data_path(t)})[0]
    return {"Query": q, "JSON": j, "CBOR": c}


def _check_denied(t, results, message, what):
    for proto, res in results.items():
        w = "%s over %s" % (what, proto)
        t.check(not res["ok"], "%s should be denied: %r" % (w, res))
        t.eq(res.get("code"), "AccessDenied", "%s: error code" % w)
        t.eq(res.get("message"), message, "%s: message" % w)
        t.eq(res.get("status"), 403, "%s: HTTP status" % w)
        resp = res["response"]
        body = resp.get("body") or ""
        if proto == "Query":
            t.check(body.lstrip().startswith("<ErrorResponse") and
                    "<Code>AccessDenied</Code>" in body and "<Type>Sender</Type>" in body,
                    "%s: Query error body %r" % (w, body[:300]))
        else:
            t.eq(hget(resp["headers"], "x-amzn-query-error"), "AccessDenied;Sender",
                 "%s: x-amzn-query-error" % w)
            if proto == "JSON":
                doc = json.loads(body)
                t.eq((hget(resp["headers"], "Content-Type") or "").split(";")[0],
                     "application/x-amz-json-1.0", "%s: content type" % w)
            else:
                doc = cbor_decode(body.encode("latin-1"))
                t.eq((hget(resp["headers"], "Content-Type") or "").split(";")[0],
                     "application/cbor", "%s: content type" % w)
            t.check("AccessDenied" in (doc.get("__type") or ""), "%s: __type %r" % (w, doc))
            t.eq(doc.get("message") or doc.get("Message"), message, "%s: body message" % w)


def _check_allowed(t, results, what):
    for proto, res in results.items():
        t.check(res["ok"], "%s over %s should be allowed: %r" % (what, proto, res))


def test_explicit_deny_beats_allow_every_protocol(t):
    t.need("new_aws", "new_py", "old_py")
    lab = t.lab(clock="manual", start=START)
    key, secret = _root_creates_user(t, lab, "alice")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "cloudwatch:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "cloudwatch:PutMetricData", "Resource": "*"}]}
    _ok(t, t.aws(lab, ["iam", "put-user-policy", "--user-name", "alice", "--policy-name", "cw",
                       "--policy-document", json.dumps(policy)]), "put-user-policy")
    alice = _as(key, secret)
    _check_allowed(t, _three_protocols(t, lab, alice, "list_metrics", {}), "alice ListMetrics")
    put = {"Namespace": "App", "MetricData": [{"MetricName": "m", "Value": 1.0}]}
    _check_denied(t, _three_protocols(t, lab, alice, "put_metric_data", put),
                  "User: arn:aws:iam::%s:user/alice is not authorized to perform: "
                  "cloudwatch:PutMetricData with an explicit deny in an identity-based policy"
                  % ACCOUNT, "alice PutMetricData")
    # PowerUserAccess on top changes nothing: the Deny still wins
    _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", "alice", "--policy-arn",
                       POWER]), "attach PowerUserAccess")
    r = t.aws(lab, ["cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name", "m",
                    "--value", "1"], env=alice)
    _fails(t, r, "AccessDenied", "alice put-metric-data with PowerUserAccess",
           "with an explicit deny in an identity-based policy")


def test_current_time_condition_flips_with_the_virtual_clock(t):
    t.need("new_aws", "new_py", "old_py")
    lab = t.lab(clock="manual", start=START)
    key, secret = _root_creates_user(t, lab, "timmy")
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "cloudwatch:ListMetrics", "Resource": "*",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-03-01T01:00:00Z"}}}]}
    _ok(t, t.aws(lab, ["iam", "put-user-policy", "--user-name", "timmy", "--policy-name", "window",
                       "--policy-document", json.dumps(policy)]), "put-user-policy")
    timmy = _as(key, secret)
    _check_allowed(t, _three_protocols(t, lab, timmy, "list_metrics", {}), "before 01:00")
    _clock_advance(t, lab, "2h")
    _check_denied(t, _three_protocols(t, lab, timmy, "list_metrics", {}),
                  "User: arn:aws:iam::%s:user/timmy is not authorized to perform: "
                  "cloudwatch:ListMetrics because no identity-based policy allows the "
                  "cloudwatch:ListMetrics action" % ACCOUNT, "after 01:00")


def test_session_policy_and_federation_tokens(t):
    """AssumeRole with a session policy, GetSessionToken and GetFederationToken through boto."""
    t.need("new_aws", "new_py")
    lab = t.lab(clock="manual", start=START)
    key, secret = _root_creates_user(t, lab, "cfn")
    _ok(t, t.aws(lab, ["iam", "attach-user-policy", "--user-name", "cfn", "--policy-arn", POWER]),
        "attach PowerUserAccess")
    _ok(t, t.aws(lab, ["iam", "create-role", "--role-name", "ops", "--assume-role-policy-document",
                       TRUST_ACCOUNT]), "create-role ops")
    _ok(t, t.aws(lab, ["iam", "attach-role-policy", "--role-name", "ops", "--policy-arn", POWER]),
        "attach PowerUserAccess to ops")
    read_only = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "cloudwatch:ListMetrics", "Resource": "*"}]})
    calls = [
        {"service": "sts", "op": "assume_role", "key": key, "secret": secret,
         "params": {"RoleArn": OPS_ARN, "RoleSessionName": "scoped", "Policy": read_only}},
        {"service": "sts", "op": "get_session_token", "key": key, "secret": secret},
        {"service": "sts", "op": "get_federation_token", "key": key, "secret": secret,
         "params": {"Name": "bob", "Policy": read_only}},
        {"service": "sts", "op": "assume_role", "key": key, "secret": secret,
         "params": {"RoleArn": OPS_ARN, "RoleSessionName": "too-long",
                    "DurationSeconds": 7200}},
    ]
    ar, st, ft, long_ = t.boto(lab, calls)
    t.check(ar["ok"] and 0 < ar["data"].get("PackedPolicySize", 0) <= 100,
            "assume-role with a session policy: %r" % ar)
    t.check(st["ok"] and st["data"]["Credentials"]["AccessKeyId"].startswith("ASIA"),
            "get-session-token: %r" % st)
    t.check(ft["ok"], "get-federation-token: %r" % ft)
    t.eq(ft["data"]["FederatedUser"]["Arn"], "arn:aws:sts::%s:federated-user/bob" % ACCOUNT,
         "FederatedUser.Arn")
    t.eq(long_.get("code"), "ValidationError", "7200 s on a 1 h role")
    t.eq(long_.get("message"),
         "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
         "MaxSessionDuration message")

    def creds(res):
        c = res["data"]["Credentials"]
        return {"key": c["AccessKeyId"], "secret": c["SecretAccessKey"],
                "token": c["SessionToken"]}

    put = {"Namespace": "App", "MetricData": [{"MetricName": "m", "Value": 1.0}]}
    checks = []
    for name, res in (("role session", ar), ("session token", st), ("federated", ft)):
        base = dict(creds(res), max_attempts=1)
        checks += [dict(base, service="sts", op="get_caller_identity", who=name),
                   dict(base, service="cloudwatch", op="list_metrics", who=name),
                   dict(base, service="cloudwatch", op="put_metric_data", params=put, who=name),
                   dict(base, service="iam", op="list_users", who=name)]
    out = t.boto(lab, checks)
    got = {(c["who"], c["op"]): r for c, r in zip(checks, out)}
    t.eq(got[("role session", "get_caller_identity")]["data"]["Arn"],
         "arn:aws:sts::%s:assumed-role/ops/scoped" % ACCOUNT, "role session Arn")
    t.eq(got[("session token", "get_caller_identity")]["data"]["Arn"], CFN_ARN,
         "session token Arn")
    t.eq(got[("federated", "get_caller_identity")]["data"]["Arn"],
         "arn:aws:sts::%s:federated-user/bob" % ACCOUNT, "federated Arn")
    t.eq(got[("federated", "get_caller_identity")]["data"]["UserId"], "%s:bob" % ACCOUNT,
         "federated UserId")
    for who in ("role session", "session token", "federated"):
        t.check(got[(who, "list_metrics")]["ok"], "%s ListMetrics: %r" %
                (who, got[(who, "list_metrics")]))
    t.eq(got[("role session", "put_metric_data")].get("message"),
         "User: arn:aws:sts::%s:assumed-role/ops/scoped is not authorized to perform: "
         "cloudwatch:PutMetricData because no session policy allows the cloudwatch:PutMetricData "
         "action" % ACCOUNT, "session policy denial")
    t.check(got[("session token", "put_metric_data")]["ok"], "session token keeps the user's "
            "permissions: %r" % got[("session token", "put_metric_data")])
    t.eq(got[("federated", "put_metric_data")].get("code"), "AccessDenied", "federated put")
    t.eq(got[("role session", "list_users")].get("code"), "AccessDenied", "role session iam")
    t.eq(got[("session token", "list_users")].get("code"), "InvalidClientTokenId",
         "session-token credentials cannot call IAM")
    t.eq(got[("federated", "list_users")].get("code"), "InvalidClientTokenId",
         "federated credentials cannot call IAM")


def test_auth_off_assume_role_like_moto(t):
    """--auth off: test/test keys act as root and may assume any role, even one never created
    (suites written for moto do this)."""
    t.need("new_aws")
    lab = t.lab(auth="off")
    env = _as("test", "test")
    out = _ok(t, t.aws(lab, ["sts", "assume-role", "--role-arn",
                             "arn:aws:iam::%s:role/never-created" % ACCOUNT,
                             "--role-session-name", "suite"], env=env), "assume-role, auth off")
    t.eq(out["AssumedRoleUser"]["Arn"],
         "arn:aws:sts::%s:assumed-role/never-created/suite" % ACCOUNT, "AssumedRoleUser.Arn")
    t.check(out["Credentials"]["AccessKeyId"].startswith("ASIA"), "ASIA key: %r" % out)
