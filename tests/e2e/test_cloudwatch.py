"""CloudWatch metrics through Query, JSON 1.0 and RPC v2 CBOR, with every client."""
import json

from cw import (CBOR_PATH, Metric, cbor_data_path, cbor_decode, cbor_encode, check_cbor_wire,
                check_json_wire, check_query_wire, hget)


def _put_list_stats(t, lab, m, **kw):
    return t.boto(lab, [
        {"service": "cloudwatch", "op": "put_metric_data", "params": m.put_params()},
        {"service": "cloudwatch", "op": "list_metrics", "params": m.list_params()},
        {"service": "cloudwatch", "op": "get_metric_statistics", "params": m.stats_params()},
    ], **kw)


def _check_all(t, m, res, who):
    put, lst, stats = res
    t.check(put["ok"], "%s PutMetricData: %r" % (who, put))
    t.check(lst["ok"], "%s ListMetrics: %r" % (who, lst))
    m.check_listed(t, lst["data"]["Metrics"], who)
    t.check(stats["ok"], "%s GetMetricStatistics: %r" % (who, stats))
    m.check_stats(t, stats["data"], who)


def test_query_boto3_old(t):
    lab = t.lab()
    m = Metric("E2E/Query")
    res = _put_list_stats(t, lab, m, old=True)
    _check_all(t, m, res, "boto3 1.26 (Query)")
    for r, op in zip(res, ("PutMetricData", "ListMetrics", "GetMetricStatistics")):
        check_query_wire(t, r, op)


def test_json_boto3_new(t):
    lab = t.lab()
    m = Metric("E2E/Json")
    res = _put_list_stats(t, lab, m)
    _check_all(t, m, res, "boto3 1.43 (JSON 1.0)")
    for r, op in zip(res, ("PutMetricData", "ListMetrics", "GetMetricStatistics")):
        check_json_wire(t, r, op)
        t.eq(hget(r["requests"][0]["headers"], "x-amzn-query-mode"), "true", "query mode header")


def test_cbor_forced_botocore(t):
    lab = t.lab()
    m = Metric("E2E/Cbor")
    res = _put_list_stats(t, lab, m, env={"AWS_DATA_PATH": cbor_data_path(t)})
    for r, op in zip(res, ("PutMetricData", "ListMetrics", "GetMetricStatistics")):
        check_cbor_wire(t, r, op)
    _check_all(t, m, res, "botocore forced to CBOR")


def test_cli_query_and_json(t):
    lab = t.lab()
    # Debian's aws 2.9: Query.
    # (the CLI's put-metric-data takes --dimensions as Name=Value pairs)
    put = ["cloudwatch", "put-metric-data", "--namespace", "E2E/Cli", "--metric-name", "Requests",
           "--dimensions", "Service=web", "--value", "3", "--unit", "Count"]
    r = t.aws(lab, ["--debug"] + put, old=True)
    t.check(r.rc == 0, "aws 2.9 put-metric-data: %r" % r)
    t.check("'Action': 'PutMetricData'" in r.err, "aws 2.9 should send Query (Action=...)")
    # The default aws 1.x: JSON 1.0.
    r = t.aws(lab, ["--debug"] + put[:5] + ["Errors"] + put[6:])
    t.check(r.rc == 0, "aws 1.x put-metric-data: %r" % r)
    t.check(
        "GraniteServiceVersion20100801.PutMetricData" in r.err and "x-amz-json-1.0" in r.err,
        "aws 1.x should send JSON 1.0 (X-Amz-Target): %s" % r.err[-1500:])
    for old in (True, False):
        r = t.aws(lab, ["cloudwatch", "list-metrics", "--namespace", "E2E/Cli"], old=old)
        t.check(r.rc == 0, "list-metrics (old=%s): %r" % (old, r))
        names = sorted(x["MetricName"] for x in r.json()["Metrics"])
        t.eq(names, ["Errors", "Requests"], "list-metrics names (old=%s)" % old)
        r = t.aws(lab, ["cloudwatch", "list-metrics", "--namespace", "E2E/Cli",
                        "--metric-name", "Errors",
                        "--dimensions", "Name=Service,Value=web"], old=old)
        t.check(r.rc == 0, "list-metrics filtered (old=%s): %r" % (old, r))
        t.eq([x["Dimensions"] for x in r.json()["Metrics"]],
             [[{"Name": "Service", "Value": "web"}]], "filtered list-metrics (old=%s)" % old)


def test_js_sdk_json(t):
    lab = t.lab()
    m = Metric("E2E/Js")
    date = lambda s: {"$date": s}  # noqa: E731
    res = t.js(lab, [
        {"client": "CloudWatch", "command": "PutMetricData", "input": m.put_params(date)},
        {"client": "CloudWatch", "command": "ListMetrics", "input": m.list_params()},
        {"client": "CloudWatch", "command": "GetMetricStatistics", "input": m.stats_params(date)},
    ])
    for r, op in zip(res, ("PutMetricData", "ListMetrics", "GetMetricStatistics")):
        t.check(r["ok"], "JS %s: %r" % (op, r))
        check_json_wire(t, r, op)
        t.check(json.loads(r["requests"][0]["body"] or "{}") is not None, "JSON body")
    m.check_listed(t, res[1]["data"]["Metrics"], "JS SDK")
    m.check_stats(t, res[2]["data"], "JS SDK")


def test_hand_made_cbor_with_curl(t):
    lab = t.lab()
    m = Metric("E2E/HandCbor")
    t.check(_put_list_stats(t, lab, m, old=True)[0]["ok"], "seeding the metric")
    body = t.tmp + "/list.cbor"
    with open(body, "wb") as f:
        f.write(cbor_encode({"Namespace": m.ns, "MetricName": m.name}))
    status, headers, data, _ = t.curl(
        lab, CBOR_PATH + "ListMetrics", sign="aws:amz:us-east-1:monitoring",
        args=["-X", "POST", "--data-binary", "@" + body, "-H", "Content-Type: application/cbor",
              "-H", "Accept: application/cbor", "-H", "Smithy-Protocol: rpc-v2-cbor"])
    t.eq(status, 200, "hand-made CBOR ListMetrics status (%r)" % data[:300])
    t.eq(headers.get("content-type"), "application/cbor", "response content type")
    t.eq(headers.get("smithy-protocol"), "rpc-v2-cbor", "response smithy-protocol")
    out = cbor_decode(data)
    m.check_listed(t, out.get("Metrics", []), "hand-made CBOR")


def test_metric_survives_restart_across_protocols(t):
    lab = t.lab()
    m = Metric("E2E/Restart")
    put = t.boto(lab, [{"service": "cloudwatch", "op": "put_metric_data",
                        "params": m.put_params()}], old=True)[0]
    t.check(put["ok"], "PutMetricData over Query: %r" % put)
    lab.restart()  # SIGTERM (exit 0 checked), then the same data directory again
    read = [{"service": "cloudwatch", "op": "list_metrics", "params": m.list_params()},
            {"service": "cloudwatch", "op": "get_metric_statistics", "params": m.stats_params()}]
    lst, stats = t.boto(lab, read)  # JSON 1.0
    t.check(lst["ok"] and stats["ok"], "reads after restart: %r %r" % (lst, stats))
    m.check_listed(t, lst["data"]["Metrics"], "JSON after restart")
    m.check_stats(t, stats["data"], "JSON after restart")
    lst, stats = t.boto(lab, read, env={"AWS_DATA_PATH": cbor_data_path(t)})
    t.check(lst["ok"] and stats["ok"], "CBOR reads after restart: %r %r" % (lst, stats))
    check_cbor_wire(t, lst, "ListMetrics")
    m.check_stats(t, stats["data"], "CBOR after restart")


def test_metrics_are_regional(t):
    lab = t.lab()
    m = Metric("E2E/Region")
    res = t.boto(lab, [
        {"service": "cloudwatch", "op": "put_metric_data", "params": m.put_params(),
         "region": "eu-west-1"},
        {"service": "cloudwatch", "op": "list_metrics", "params": m.list_params(),
         "region": "eu-west-1"},
        {"service": "cloudwatch", "op": "list_metrics", "params": m.list_params(),
         "region": "us-east-1"},
    ])
    t.check(all(r["ok"] for r in res), "calls failed: %r" % res)
    t.check("/eu-west-1/monitoring/" in res[0]["requests"][0]["headers"]["Authorization"],
            "the request should be signed for eu-west-1")
    m.check_listed(t, res[1]["data"]["Metrics"], "eu-west-1")
    t.eq(res[2]["data"]["Metrics"], [], "the eu-west-1 metric seen from us-east-1")
