"""Operations we do not serve fail at once with the protocol's AWS error (no SDK retries), and
nothing ever answers HTML or a 5xx to a malformed request."""
import json

from cw import CBOR_PATH, cbor_data_path, cbor_decode

FAST = 2.0  # seconds: an unserved operation must not make an SDK back off and retry


def _unserved(t, res, codes, who, status=400):
    t.check(not res["ok"], "%s should fail: %r" % (who, res))
    t.check(res.get("code") in codes, "%s: code %r, want one of %r" % (who, res.get("code"), codes))
    t.eq(res.get("status"), status, "%s: HTTP status" % who)
    t.eq(res.get("attempts"), 1, "%s: requests sent (retries)" % who)
    t.check(res["elapsed"] < FAST, "%s took %.2fs" % (who, res["elapsed"]))


def test_unserved_operation_every_protocol(t):
    lab = t.lab()
    call = {"service": "cloudwatch", "op": "list_dashboards"}  # default retry settings
    (q,) = t.boto(lab, [call], old=True)
    _unserved(t, q, ("InvalidAction",), "ListDashboards over Query")
    body = q["response"]["body"]
    t.check(body.lstrip().startswith("<ErrorResponse") and "<Code>InvalidAction</Code>" in body,
            "Query InvalidAction body: %r" % body[:300])
    (j,) = t.boto(lab, [call])
    _unserved(t, j, ("UnknownOperationException", "InvalidAction"), "ListDashboards over JSON")
    t.check("__type" in json.loads(j["response"]["body"]), "JSON error body: %r" % j["response"])
    (c,) = t.boto(lab, [call], env={"AWS_DATA_PATH": cbor_data_path(t)})
    _unserved(t, c, ("UnknownOperationException", "InvalidAction"), "ListDashboards over CBOR")
    t.check("__type" in cbor_decode(c["response"]["body"].encode("latin-1")), "CBOR error body")
    (e,) = t.boto(lab, [{"service": "ec2", "op": "describe_vpn_gateways"}])
    _unserved(t, e, ("InvalidAction",), "EC2 DescribeVpnGateways")
    t.check("<Response><Errors><Error><Code>InvalidAction</Code>" in e["response"]["body"],
            "EC2 InvalidAction body: %r" % e["response"]["body"][:300])
    (s,) = t.boto(lab, [{"service": "sts", "op": "decode_authorization_message",
                         "params": {"EncodedMessage": "x"}}], old=True)
    _unserved(t, s, ("InvalidAction",), "STS DecodeAuthorizationMessage")


def test_unserved_operation_cli(t):
    lab = t.lab()
    r = t.aws(lab, ["--debug", "cloudwatch", "list-dashboards"])
    t.check(r.rc != 0, "list-dashboards should fail: %r" % r)
    t.check("when calling the ListDashboards operation" in r.err and
            ("(InvalidAction)" in r.err or "(UnknownOperationException)" in r.err),
            "list-dashboards error: %s" % r.err[-600:])
    t.eq(r.err.count("Sending http request"), 1, "aws 1.x list-dashboards requests sent")
    r = t.aws(lab, ["cloudwatch", "list-dashboards"], old=True)
    t.check(r.rc != 0 and "(InvalidAction)" in r.err, "aws 2.9 list-dashboards: %r" % r)


def test_made_up_actions_with_curl(t):
    lab = t.lab()
    form = ["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded"]
    for service, version in (("monitoring", "2010-08-01"), ("sts", "2011-06-15")):
        status, _, body, r = t.curl(lab, "/", form + ["--data", "Action=MakeCoffee&Version=" +
                                                      version], sign="aws:amz:us-east-1:" + service)
        t.eq(status, 400, "%s MakeCoffee status (%r)" % (service, body[:300]))
        t.check(b"<Code>InvalidAction</Code>" in body, "%s MakeCoffee: %r" % (service, body[:300]))
        t.check(r.elapsed < FAST, "%s MakeCoffee took %.2fs" % (service, r.elapsed))
    status, _, body, _ = t.curl(lab, "/", form + ["--data", "Action=MakeCoffee&Version=2016-11-15"],
                                sign="aws:amz:us-east-1:ec2")
    t.eq(status, 400, "ec2 MakeCoffee status (%r)" % body[:300])
    t.check(b"<Response><Errors><Error><Code>InvalidAction</Code>" in body,
            "ec2 MakeCoffee: %r" % body[:300])
    status, headers, body, _ = t.curl(
        lab, "/", ["-X", "POST", "-H", "Content-Type: application/x-amz-json-1.0",
                   "-H", "X-Amz-Target: GraniteServiceVersion20100801.MakeCoffee",
                   "--data", "{}"], sign="aws:amz:us-east-1:monitoring")
    t.eq(status, 400, "JSON MakeCoffee status (%r)" % body[:300])
    t.check("UnknownOperationException" in json.loads(body).get("__type", ""),
            "JSON MakeCoffee: %r" % body[:300])
    status, headers, body, _ = t.curl(
        lab, CBOR_PATH + "MakeCoffee", ["-X", "POST", "-H", "Content-Type: application/cbor",
                                        "-H", "Smithy-Protocol: rpc-v2-cbor",
                                        "--data-binary", _bin(t, "empty", b"\xa0")],
        sign="aws:amz:us-east-1:monitoring")
    t.eq(status, 400, "CBOR MakeCoffee status (%r)" % body[:300])
    t.check("UnknownOperationException" in cbor_decode(body).get("__type", ""),
            "CBOR MakeCoffee: %r" % body[:300])


def _bin(t, name, data):
    path = "%s/%s" % (t.tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return "@" + path


def test_never_html_never_5xx(t):
    lab = t.lab()
    mon = "aws:amz:us-east-1:monitoring"
    json_hdrs = ["-X", "POST", "-H", "Content-Type: application/x-amz-json-1.0",
                 "-H", "X-Amz-Target: GraniteServiceVersion20100801.ListMetrics"]
    cbor_hdrs = ["-X", "POST", "-H", "Content-Type: application/cbor",
                 "-H", "Smithy-Protocol: rpc-v2-cbor"]
    probes = [  # (path, curl args, sign)
        ("/", [], None),
        ("/favicon.ico", [], None),
        ("/no/such/path", ["-X", "DELETE"], None),
        ("/", ["-X", "POST", "--data", "%%%&&&=="], None),
        ("/", json_hdrs + ["--data", "{not json"], None),
        ("/_recoverlab/no-such-route", [], None),
        ("/", json_hdrs + ["--data", "{not json"], mon),
        ("/", json_hdrs + ["--data", '{"Namespace": 5, "Namespace": 6}'], mon),
        (CBOR_PATH + "ListMetrics",
         cbor_hdrs + ["--data-binary", _bin(t, "bad1", b"\xff\xff\x00")], mon),
        (CBOR_PATH + "ListMetrics",
         cbor_hdrs + ["--data-binary", _bin(t, "bad2", b"\xbf\x61")], mon),
        ("/", ["-X", "POST", "--data", "Action=PutMetricData&Version=2010-08-01&Namespace=X"
               "&MetricData.member.1.MetricName=m&MetricData.member.1.Value=twelve"], mon),
        ("/_recoverlab/no-such-route", [], "aws:amz:us-east-1:recoverlab"),
    ]
    for path, args, sign in probes:
        status, headers, body, _ = t.curl(lab, path, args, sign=sign)
        what = "%s %s%s" % (" ".join(args[:2]) or "GET", path, " (signed)" if sign else "")
        ctype = headers.get("content-type", "")
        t.check("html" not in ctype.lower(), "%s answered %s" % (what, ctype))
        t.check(not body.lstrip().lower().startswith((b"<!doctype", b"<html")),
                "%s answered HTML: %r" % (what, body[:200]))
        t.check(400 <= status < 500, "%s answered %s: %r" % (what, status, body[:200]))


def test_keep_alive(t):
    lab = t.lab()
    url = lab.url + "/_recoverlab/health"
    r = t.run(["curl", "-sS", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
               "-w", "%{http_code} %{num_connects}\\n", url, url, url], env=t.client_env())
    t.eq(r.out.split("\n")[:3], ["200 1", "200 0", "200 0"], "three requests on one connection")
