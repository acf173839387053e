"""Shared pieces of the CloudWatch e2e tests: one metric's datapoints with known statistics,
checks of what each protocol puts on the wire, botocore forced to RPC v2 CBOR, a tiny CBOR
decoder for hand-made requests."""
import datetime
import glob
import gzip
import json
import os
import struct

from lab import Failure, tools

CBOR_PATH = "/service/GraniteServiceVersion20100801/operation/"
TARGET = "GraniteServiceVersion20100801."


def hget(headers, name):
    """Case-insensitive header lookup (str or None)."""
    for k, v in (headers or {}).items():
        if k.lower() == name.lower():
            return v
    return None


def minute_iso(offset_min):
    """ISO 8601 of the current wall-clock minute + offset_min (the lab's clock is real)."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    return (now + datetime.timedelta(minutes=offset_min)).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(v):
    """A timestamp as any client printed it -> aware datetime."""
    if isinstance(v, (int, float)):
        return datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
    s = v.replace(" ", "T").replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s)


class Metric:
    """Latency{Host=a} in namespace ns: bucket t0 gets Values/Counts, bucket t1 gets a
    StatisticValues set and a single Value, so every statistic has a known answer."""

    def __init__(self, ns, base_offset_min=-10):
        self.ns = ns
        self.name = "Latency"
        self.dims = [{"Name": "Host", "Value": "a"}]
        self.t0 = minute_iso(base_offset_min)
        self.t1 = minute_iso(base_offset_min + 1)
        self.end = minute_iso(base_offset_min + 2)
        self.expected = {
            self.t0: {"SampleCount": 4.0, "Sum": 90.0, "Minimum": 10.0, "Maximum": 30.0,
                      "Average": 22.5},
            self.t1: {"SampleCount": 3.0, "Sum": 57.0, "Minimum": 5.0, "Maximum": 45.0,
                      "Average": 19.0},
        }

    def put_params(self, date=lambda s: s):
        d = dict(MetricName=self.name, Dimensions=self.dims, Unit="Milliseconds")
        return {"Namespace": self.ns, "MetricData": [
            dict(d, Timestamp=date(self.t0), Values=[10, 20, 30], Counts=[1, 1, 2]),
            dict(d, Timestamp=date(self.t1),
                 StatisticValues={"SampleCount": 2, "Sum": 50, "Minimum": 5, "Maximum": 45}),
            dict(d, Timestamp=date(self.t1), Value=7),
        ]}

    def list_params(self):
        return {"Namespace": self.ns}

    def stats_params(self, date=lambda s: s):
        return {"Namespace": self.ns, "MetricName": self.name, "Dimensions": self.dims,
                "StartTime": date(self.t0), "EndTime": date(self.end), "Period": 60,
                "Statistics": ["SampleCount", "Sum", "Minimum", "Maximum", "Average"]}

    def check_listed(self, t, metrics, who):
        want = {"Namespace": self.ns, "MetricName": self.name, "Dimensions": self.dims}
        got = [{"Namespace": m.get("Namespace"), "MetricName": m.get("MetricName"),
                "Dimensions": m.get("Dimensions")} for m in metrics]
        t.check(want in got, "%s: ListMetrics should list %r; got %r" % (who, want, got))

    def check_stats(self, t, out, who):
        dps = out.get("Datapoints") or []
        t.eq(len(dps), 2, "%s: number of datapoints (%r)" % (who, dps))
        by_time = {parse_ts(dp["Timestamp"]): dp for dp in dps}
        for ts, want in self.expected.items():
            dp = by_time.get(parse_ts(ts))
            t.check(dp is not None, "%s: no datapoint at %s: %r" % (who, ts, dps))
            for stat, v in want.items():
                t.near(dp.get(stat), v, "%s: %s at %s" % (who, stat, ts))
            t.eq(dp.get("Unit"), "Milliseconds", "%s: Unit" % who)
        t.eq(out.get("Label"), self.name, "%s: Label" % who)


def check_query_wire(t, res, op):
    req = res["requests"][0]
    t.check((req["body"] or "").startswith("Action=%s&Version=2010-08-01" % op),
            "%s should go out as Query: body %r" % (op, (req["body"] or "")[:120]))
    t.check((hget(req["headers"], "Content-Type") or "").startswith(
        "application/x-www-form-urlencoded"), "Query content type: %r" % req["headers"])
    t.check((res["response"].get("body") or "").lstrip().startswith("<%sResponse" % op),
            "%s: Query XML response: %r" % (op, (res["response"].get("body") or "")[:200]))


def check_json_wire(t, res, op):
    req = res["requests"][0]
    t.eq(hget(req["headers"], "X-Amz-Target"), TARGET + op, "%s X-Amz-Target" % op)
    t.eq(hget(req["headers"], "Content-Type"), "application/x-amz-json-1.0",
         "%s request content type" % op)
    resp = res.get("response")
    if resp:  # botocore records the response; the JS SDK does not
        t.eq((hget(resp["headers"], "Content-Type") or "").split(";")[0],
             "application/x-amz-json-1.0", "%s response content type" % op)
        json.loads(resp["body"] or "{}")


def check_cbor_wire(t, res, op):
    req = res["requests"][0]
    t.check(req["url"].endswith(CBOR_PATH + op),
            "%s should go to the RPC v2 path: %s" % (op, req["url"]))
    t.eq(hget(req["headers"], "Smithy-Protocol"), "rpc-v2-cbor", "%s smithy-protocol" % op)
    if req["body"]:
        t.eq(hget(req["headers"], "Content-Type"), "application/cbor",
             "%s request content type" % op)
    resp = res["response"]
    t.eq((hget(resp["headers"], "Content-Type") or "").split(";")[0], "application/cbor",
         "%s response content type" % op)
    t.eq(hget(resp["headers"], "Smithy-Protocol"), "rpc-v2-cbor",
         "%s response smithy-protocol" % op)


def cbor_data_path(t):
    """A botocore data directory whose CloudWatch model speaks only smithy-rpc-v2-cbor;
    point AWS_DATA_PATH at it and the default botocore sends CBOR."""
    t.need("new_py")
    r = t.run([tools()["new_py"], "-c",
               "import botocore, os; print(os.path.dirname(botocore.__file__))"])
    t.check(r.rc == 0, "locating botocore: %r" % r)
    src = sorted(glob.glob(os.path.join(r.out.strip(), "data", "cloudwatch", "*",
                                        "service-2.json*")))[-1]
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rt") as f:
        model = json.load(f)
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    version = os.path.basename(os.path.dirname(src))
    dst = os.path.join(t.tmp, "botodata", "cloudwatch", version)
    os.makedirs(dst, exist_ok=True)
    with open(os.path.join(dst, "service-2.json"), "w") as f:
        json.dump(model, f)
    return os.path.join(t.tmp, "botodata")


def cbor_encode(v):
    """Minimal CBOR encoder for hand-made requests (maps, lists, text, ints, floats)."""
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | ai]) + struct.pack(fmt, n)
        raise ValueError(n)
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor_encode(k) + cbor_encode(x) for k, x in v.items())
    raise TypeError(type(v))


def cbor_decode(data):
    """Minimal CBOR decoder for responses (definite and indefinite lengths, tags kept as
    {"tag": n, "value": v})."""
    pos = 0

    def need(n):
        nonlocal pos
        if pos + n > len(data):
            raise Failure("truncated CBOR: %r" % data[:200])
        b = data[pos:pos + n]
        pos += n
        return b

    def item():
        ib = need(1)[0]
        major, ai = ib >> 5, ib & 31
        if major == 7:
            if ai == 20:
                return False
            if ai == 21:
                return True
            if ai in (22, 23):
                return None
            if ai == 25:
                h = struct.unpack(">H", need(2))[0]
                return struct.unpack(">e", struct.pack(">H", h))[0]
            if ai == 26:
                return struct.unpack(">f", need(4))[0]
            if ai == 27:
                return struct.unpack(">d", need(8))[0]
            if ai == 31:
                return StopIteration
            raise Failure("unexpected CBOR simple value %d" % ai)
        if ai < 24:
            n = ai
        elif ai in (24, 25, 26, 27):
            n = int.from_bytes(need(1 << (ai - 24)), "big")
        elif ai == 31:
            n = None
        else:
            raise Failure("bad CBOR additional info %d" % ai)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            if n is None:
                parts = []
                while True:
                    x = item()
                    if x is StopIteration:
                        break
                    parts.append(x)
                return "".join(parts) if major == 3 else b"".join(parts)
            b = need(n)
            return b.decode() if major == 3 else b
        if major == 4:
            out = []
            while n is None or len(out) < n:
                x = item()
                if x is StopIteration:
                    break
                out.append(x)
            return out
        if major == 5:
            out = {}
            while n is None or len(out) < n:
                k = item()
                if k is StopIteration:
                    break
                out[k] = item()
            return out
        return {"tag": n, "value": item()}

    v = item()
    if pos != len(data):
        raise Failure("trailing bytes after CBOR item")
    return v
