"""SigV4 at the door: a wrong secret, an unknown key, a missing signature and a skewed date each
get AWS's error, in the caller's protocol (Query XML, JSON 1.0 __type + x-amzn-query-error,
RPC v2 CBOR, EC2 XML with AuthFailure 401)."""
import datetime
import json

from cw import cbor_data_path, cbor_decode, hget
from lab import ROOT_ARN

UNKNOWN_KEY = "AKIAIOSFODNN7EXAMPLE"
WRONG_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SIG_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.")
INVALID_TOKEN = "The security token included in the request is invalid."
AUTH_FAILURE = "AWS was not able to validate the provided access credentials"


def _cases(service, op, params=None):
    """The four failures plus a date in the future, as boto_calls specs (wall clock skews)."""
    base = {"service": service, "op": op, "params": params or {}, "max_attempts": 1}
    return [
        dict(base, case="wrong secret", secret=WRONG_SECRET),
        dict(base, case="unknown key", key=UNKNOWN_KEY, secret=WRONG_SECRET),
        dict(base, case="missing signature", unsigned=True),
        dict(base, case="date 20 min behind", skew_minutes=-20),
        dict(base, case="date 20 min ahead", skew_minutes=20),
    ]


QUERY_EXPECT = {
    "wrong secret": ("SignatureDoesNotMatch", 403, SIG_MISMATCH),
    "unknown key": ("InvalidClientTokenId", 403, INVALID_TOKEN),
    "missing signature": ("MissingAuthenticationToken", 403, None),
    "date 20 min behind": ("SignatureDoesNotMatch", 403, "Signature expired: "),
    "date 20 min ahead": ("SignatureDoesNotMatch", 403, "Signature not yet current: "),
}


def _check_code(t, spec, res, want_code, want_msg, who):
    what = "%s, %s" % (who, spec["case"])
    t.check(not res["ok"], "%s: the call should fail: %r" % (what, res))
    t.eq(res.get("code"), want_code, "%s: error code" % what)
    t.eq(res.get("attempts"), 1, "%s: requests sent" % what)
    if want_msg:
        msg = res.get("message") or ""
        t.check(msg.startswith(want_msg), "%s: message should start %r: %r" % (what, want_msg, msg))


def test_query_errors_sts_and_cloudwatch_boto3_old(t):
    lab = t.lab()
    calls = _cases("sts", "get_caller_identity") + _cases("cloudwatch", "list_metrics")
    results = t.boto(lab, calls, old=True)
    for spec, res in zip(calls, results):
        code, status, msg = QUERY_EXPECT[spec["case"]]
        who = "boto3 1.26 %s (Query)" % spec["service"]
        _check_code(t, spec, res, code, msg, who)
        t.eq(res["status"], status, "%s, %s: HTTP status" % (who, spec["case"]))
        body = res["response"].get("body") or ""
        t.check(body.lstrip().startswith("<ErrorResponse") and "<Code>%s</Code>" % code in body
                and "<Type>Sender</Type>" in body and "<RequestId>" in body,
                "%s, %s: Query ErrorResponse body: %r" % (who, spec["case"], body[:300]))


def test_json_errors_cloudwatch_boto3_new(t):
    lab = t.lab()
    calls = _cases("cloudwatch", "list_metrics")
    for spec, res in zip(calls, t.boto(lab, calls)):
        code, status, msg = QUERY_EXPECT[spec["case"]]
        who = "botocore 1.43 cloudwatch (JSON 1.0)"
        _check_code(t, spec, res, code, msg, who)
        resp = res["response"]
        t.eq((hget(resp["headers"], "Content-Type") or "").split(";")[0],
             "application/x-amz-json-1.0", "%s, %s: content type" % (who, spec["case"]))
        t.eq(hget(resp["headers"], "x-amzn-query-error"), code + ";Sender",
             "%s, %s: x-amzn-query-error" % (who, spec["case"]))
        body = json.loads(resp["body"])
        t.check("__type" in body, "%s, %s: __type missing: %r" % (who, spec["case"], body))
        # x-amzn-query-mode: true -> the Query-era status.
        t.eq(res["status"], status, "%s, %s: HTTP status" % (who, spec["case"]))


def test_cbor_errors_cloudwatch_forced(t):
    lab = t.lab()
    calls = _cases("cloudwatch", "list_metrics")
    results = t.boto(lab, calls, env={"AWS_DATA_PATH": cbor_data_path(t)})
    for spec, res in zip(calls, results):
        code, status, msg = QUERY_EXPECT[spec["case"]]
        who = "botocore cloudwatch (CBOR)"
        t.check(res["requests"][0]["url"].endswith(
            "/service/GraniteServiceVersion20100801/operation/ListMetrics"),
            "%s: request went to %s" % (who, res["requests"][0]["url"]))
        _check_code(t, spec, res, code, msg, who)
        resp = res["response"]
        t.eq((hget(resp["headers"], "Content-Type") or "").split(";")[0], "application/cbor",
             "%s, %s: content type" % (who, spec["case"]))
        t.eq(hget(resp["headers"], "x-amzn-query-error"), code + ";Sender",
             "%s, %s: x-amzn-query-error" % (who, spec["case"]))
        body = cbor_decode(resp["body"].encode("latin-1"))
        t.check("__type" in body, "%s, %s: __type missing: %r" % (who, spec["case"], body))


def test_ec2_errors_auth_failure(t):
    lab = t.lab()
    calls = _cases("ec2", "describe_regions")
    for old in (False, True):
        who = "botocore %s ec2" % ("1.29" if old else "1.43")
        for spec, res in zip(calls, t.boto(lab, calls, old=old)):
            what = "%s, %s" % (who, spec["case"])
            t.check(not res["ok"], "%s: should fail" % what)
            body = res["response"].get("body") or ""
            t.check("<Response><Errors><Error><Code>" in body and "<RequestID>" in body,
                    "%s: EC2 error body: %r" % (what, body[:300]))
            if spec["case"] in ("wrong secret", "unknown key"):
                t.eq(res["code"], "AuthFailure", "%s: code" % what)
                t.eq(res["status"], 401, "%s: status" % what)
                t.eq(res["message"], AUTH_FAILURE, "%s: message" % what)
            elif spec["case"] == "missing signature":
                t.check(res["code"] in ("MissingAuthenticationToken", "AuthFailure"),
                        "%s: code %r" % (what, res["code"]))
            else:  # EC2 answers a skewed date with RequestExpired
                t.check(res["code"] in ("RequestExpired", "AuthFailure", "SignatureDoesNotMatch"),
                        "%s: code %r" % (what, res["code"]))
            t.eq(res["attempts"], 1, "%s: requests sent" % what)


def test_js_sdk_errors(t):
    lab = t.lab()
    key, _ = lab.creds()
    bad = [{"client": "CloudWatch", "command": "ListMetrics"},
           {"client": "STS", "command": "GetCallerIdentity"}]
    res = t.js(lab, bad, env={"AWS_SECRET_ACCESS_KEY": WRONG_SECRET})
    for spec, r in zip(bad, res):
        t.check(not r["ok"], "JS %s with a wrong secret should fail" % spec["command"])
        t.eq(r["code"], "SignatureDoesNotMatch", "JS %s error name" % spec["command"])
        t.eq(r["status"], 403, "JS %s status" % spec["command"])
    res = t.js(lab, bad, env={"AWS_ACCESS_KEY_ID": UNKNOWN_KEY})
    for spec, r in zip(bad, res):
        t.eq(r["code"], "InvalidClientTokenId", "JS %s unknown key" % spec["command"])


def test_cli_errors(t):
    lab = t.lab()
    r = t.aws(lab, ["sts", "get-caller-identity"], env={"AWS_SECRET_ACCESS_KEY": WRONG_SECRET})
    t.check(r.rc != 0 and "(SignatureDoesNotMatch)" in r.err, "aws 1.x wrong secret: %r" % r)
    r = t.aws(lab, ["cloudwatch", "list-metrics"], env={"AWS_ACCESS_KEY_ID": UNKNOWN_KEY})
    t.check(r.rc != 0 and "(InvalidClientTokenId)" in r.err, "aws 1.x unknown key: %r" % r)
    r = t.aws(lab, ["cloudwatch", "list-metrics"], old=True,
              env={"AWS_SECRET_ACCESS_KEY": WRONG_SECRET})
    t.check(r.rc != 0 and "(SignatureDoesNotMatch)" in r.err, "aws 2.9 wrong secret: %r" % r)
    r = t.aws(lab, ["ec2", "describe-regions"], old=True, env={"AWS_ACCESS_KEY_ID": UNKNOWN_KEY})
    t.check(r.rc != 0 and "(AuthFailure)" in r.err, "aws 2.9 ec2 unknown key: %r" % r)


def test_curl_skew_incomplete_and_unsigned(t):
    lab = t.lab()
    form = ["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded",
            "--data", "Action=GetCallerIdentity&Version=2011-06-15"]
    # A good signature works...
    status, _, body, _ = t.curl(lab, "/", form, sign="aws:amz:us-east-1:sts")
    t.eq(status, 200, "signed curl GetCallerIdentity (%r)" % body[:300])
    t.check(ROOT_ARN.encode() in body, "root ARN in %r" % body[:300])
    # ...curl signs with an X-Amz-Date we give it: 20 minutes behind the wall clock.
    skewed = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20))
    amz = skewed.strftime("%Y%m%dT%H%M%SZ")
    status, _, body, _ = t.curl(lab, "/", form + ["-H", "X-Amz-Date: " + amz],
                                sign="aws:amz:us-east-1:sts")
    t.eq(status, 403, "skewed curl status (%r)" % body[:300])
    t.check(b"<Code>SignatureDoesNotMatch</Code>" in body and
            b"Signature expired: " + amz.encode() + b" is now earlier than " in body,
            "skewed curl body: %r" % body[:400])
    # An Authorization header without its Signature part.
    key, _ = lab.creds()
    now = datetime.datetime.now(datetime.timezone.utc)
    auth = ("AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/sts/aws4_request, "
            "SignedHeaders=host;x-amz-date" % (key, now.strftime("%Y%m%d")))
    status, _, body, _ = t.curl(lab, "/", form + ["-H", "Authorization: " + auth,
                                                  "-H", "X-Amz-Date: " +
                                                  now.strftime("%Y%m%dT%H%M%SZ")])
    t.check(status in (400, 403), "incomplete signature status %s" % status)
    t.check(b"<Code>IncompleteSignature</Code>" in body, "incomplete signature: %r" % body[:400])
    # No signature at all.
    status, _, body, _ = t.curl(lab, "/", form)
    t.eq(status, 403, "unsigned status (%r)" % body[:300])
    t.check(b"<Code>MissingAuthenticationToken</Code>" in body, "unsigned: %r" % body[:400])


def test_auth_off_accepts_test_keys_as_root(t):
    lab = t.lab(auth="off")
    t.check("auth off" in lab.ready_line, "ready line should say auth off: %r" % lab.ready_line)
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    r = t.aws(lab, ["sts", "get-caller-identity"], env=env)
    t.check(r.rc == 0, "aws 1.x with test/test under --auth off: %r" % r)
    t.eq(r.json()["Arn"], ROOT_ARN, "Arn under --auth off")
    res = t.boto(lab, [
        {"service": "cloudwatch", "op": "put_metric_data",
         "params": {"Namespace": "E2E/Off", "MetricData": [{"MetricName": "M", "Value": 1}]},
         "key": "test", "secret": "test"},
        {"service": "cloudwatch", "op": "list_metrics", "params": {"Namespace": "E2E/Off"},
         "key": "test", "secret": "anything-goes"},
        {"service": "ec2", "op": "describe_regions", "key": "test", "secret": "test"},
    ], old=True)
    for r in res:
        t.check(r["ok"], "--auth off call failed: %r" % r)
    t.eq([m["MetricName"] for m in res[1]["data"]["Metrics"]], ["M"], "metric under --auth off")
    # moto-style reset needs no auth under --auth off.
    status, _, body, _ = t.curl(lab, "/moto-api/reset", ["-X", "POST"])
    t.eq(status, 200, "POST /moto-api/reset under --auth off (%r)" % body[:200])
    res = t.boto(lab, [{"service": "cloudwatch", "op": "list_metrics",
                        "params": {"Namespace": "E2E/Off"}, "key": "test", "secret": "test"}],
                 old=True)
    t.eq(res[0]["data"]["Metrics"], [], "metrics after /moto-api/reset")

