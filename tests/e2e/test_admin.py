"""The admin API (/_recoverlab/...) and `recoverlab clock`: health without auth, the virtual
clock through the CLI and through curl --aws-sigv4, unsigned calls refused, reset."""
import datetime
import json

from cw import Metric
from lab import BIN, ROOT_ARN

ADMIN = "aws:amz:us-east-1:recoverlab"
START = "2026-01-01T00:00:00Z"


def _health(t, lab):
    status, headers, body, _ = t.curl(lab, "/_recoverlab/health")
    t.eq(status, 200, "health status (%r)" % body[:200])
    t.check(headers.get("content-type", "").startswith("application/json"),
            "health content type %r" % headers.get("content-type"))
    return json.loads(body)


def _admin(t, lab, method, path, payload=None, user=None):
    args = ["-X", method]
    if payload is not None:
        args += ["-H", "Content-Type: application/json", "--data", json.dumps(payload)]
    status, headers, body, _ = t.curl(lab, path, args, sign=ADMIN, user=user)
    t.check("html" not in headers.get("content-type", ""), "admin answered HTML")
    return status, json.loads(body) if body.strip() else None


def _clock_cli(t, lab, *args):
    return t.run([BIN, "clock"] + list(args) + ["--data", lab.data], env=t.client_env())


def test_health_without_auth(t):
    lab = t.lab(clock="manual", start=START)
    h = _health(t, lab)
    t.eq(h.get("status"), "ok", "health status field")
    t.check(isinstance(h.get("version"), str) and h["version"], "health version: %r" % h)
    t.check(str(h.get("now", "")).startswith("2026-01-01T00:00:00"), "health now: %r" % h)


def test_clock_cli_manual(t):
    lab = t.lab(clock="manual", start=START)
    r = _clock_cli(t, lab, "show")
    t.check(r.rc == 0 and "2026-01-01T00:00:00" in r.out, "clock show: %r" % r)
    r = _clock_cli(t, lab, "advance", "90s")
    t.check(r.rc == 0, "clock advance 90s: %r" % r)
    r = _clock_cli(t, lab)  # `recoverlab clock` alone shows
    t.check(r.rc == 0 and "2026-01-01T00:01:30" in r.out, "clock after 90s: %r" % r)
    t.check(_health(t, lab)["now"].startswith("2026-01-01T00:01:30"), "health after advance")
    # The endpoint and root key from the environment instead of --data.
    r = t.sh(lab, 'eval "$("$RL" env --data "$D")"\n"$RL" clock advance 2h\n"$RL" clock show')
    t.check(r.rc == 0 and "2026-01-01T02:01:30" in r.out, "clock via env: %r" % r)
    r = _clock_cli(t, lab, "set", "2026-01-03T00:00:00Z")
    t.check(r.rc == 0, "clock set: %r" % r)
    t.check(_health(t, lab)["now"].startswith("2026-01-03T00:00:00"), "health after set")
    r = _clock_cli(t, lab, "set", "2026-01-02T00:00:00Z")
    t.check(r.rc != 0, "clock set backwards must fail: %r" % r)
    t.check(_health(t, lab)["now"].startswith("2026-01-03T00:00:00"), "backwards set changed it")
    r = _clock_cli(t, lab, "advance", "soon")
    t.eq(r.rc, 2, "clock advance soon (usage error) exit status (%r)" % r)
    # Virtual time is kept across a restart.
    lab.restart()
    t.check(_health(t, lab)["now"].startswith("2026-01-03T00:00:00"), "clock after restart")


def test_clock_cli_connection_error(t):
    r = t.run([BIN, "clock", "show", "--endpoint", "http://127.0.0.1:9"],
              env=t.client_env(extra={"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                                      "AWS_SECRET_ACCESS_KEY": "x" * 40,
                                      "AWS_DEFAULT_REGION": "us-east-1"}), timeout=30)
    t.eq(r.rc, 2, "clock show against a closed port (%r)" % r)


def test_clock_over_signed_curl(t):
    lab = t.lab(clock="manual", start=START)
    status, body = _admin(t, lab, "GET", "/_recoverlab/clock")
    t.eq(status, 200, "GET clock (%r)" % body)
    t.eq(body.get("mode"), "manual", "clock mode")
    t.check(body["now"].startswith("2026-01-01T00:00:00"), "clock now: %r" % body)
    t.eq(body.get("nowEpochMillis"), 1767225600000, "nowEpochMillis")
    status, body = _admin(t, lab, "POST", "/_recoverlab/clock", {"advanceSeconds": 30})
    t.eq(status, 200, "advance (%r)" % body)
    t.check(body["now"].startswith("2026-01-01T00:00:30"), "after advance: %r" % body)
    status, body = _admin(t, lab, "POST", "/_recoverlab/clock", {"set": "2026-02-01T00:00:00Z"})
    t.eq(status, 200, "set (%r)" % body)
    t.eq(body.get("nowEpochMillis"), 1769904000000, "after set")
    status, body = _admin(t, lab, "POST", "/_recoverlab/clock", {"set": "2026-01-15T00:00:00Z"})
    t.eq(status, 400, "set backwards (%r)" % body)
    status, body = _admin(t, lab, "GET", "/_recoverlab/clock")
    t.eq(body.get("nowEpochMillis"), 1769904000000, "after refused set")


def test_clock_real_mode_advance(t):
    lab = t.lab()
    status, body = _admin(t, lab, "GET", "/_recoverlab/clock")
    t.eq(body.get("mode"), "real", "default clock mode")
    wall = datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000
    t.check(abs(body["nowEpochMillis"] - wall) < 60000, "real clock follows the wall: %r" % body)
    r = _clock_cli(t, lab, "advance", "1h")
    t.check(r.rc == 0, "advance 1h: %r" % r)
    status, body = _admin(t, lab, "GET", "/_recoverlab/clock")
    wall = datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000
    t.check(abs(body["nowEpochMillis"] - wall - 3600000) < 60000, "wall + 1h: %r" % body)
    lab.restart()  # the advance is kept
    status, body = _admin(t, lab, "GET", "/_recoverlab/clock")
    wall = datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000
    t.check(abs(body["nowEpochMillis"] - wall - 3600000) < 60000, "after restart: %r" % body)


def test_admin_refuses_unsigned_and_non_root(t):
    lab = t.lab(clock="manual", start=START)
    for method, path in (("GET", "/_recoverlab/clock"), ("POST", "/_recoverlab/reset"),
                         ("POST", "/moto-api/reset")):
        status, headers, body, _ = t.curl(lab, path, ["-X", method])
        t.check(status in (401, 403), "unsigned %s %s answered %s" % (method, path, status))
        t.check(headers.get("content-type", "").startswith("application/json"),
                "unsigned %s %s content type %r" % (method, path, headers.get("content-type")))
        json.loads(body)
    key, _ = lab.creds()
    status, body = _admin(t, lab, "POST", "/_recoverlab/clock", {"advanceSeconds": 60},
                          user=key + ":" + "w" * 40)
    t.check(status in (401, 403), "wrong secret on admin answered %s" % status)
    t.check(_health(t, lab)["now"].startswith("2026-01-01T00:00:00"), "refused call moved time")


def test_reset(t):
    lab = t.lab()
    m = Metric("E2E/Reset")
    put = t.boto(lab, [{"service": "cloudwatch", "op": "put_metric_data",
                        "params": m.put_params()}], old=True)[0]
    t.check(put["ok"], "PutMetricData: %r" % put)
    status, body = _admin(t, lab, "POST", "/_recoverlab/reset")
    t.eq(status, 200, "reset (%r)" % body)
    t.eq(body, {"status": "ok"}, "reset body")
    lst, who = t.boto(lab, [{"service": "cloudwatch", "op": "list_metrics",
                             "params": m.list_params()},
                            {"service": "sts", "op": "get_caller_identity"}], old=True)
    t.check(lst["ok"], "ListMetrics after reset: %r" % lst)
    t.eq(lst["data"]["Metrics"], [], "metrics after reset")
    t.check(who["ok"] and who["data"]["Arn"] == ROOT_ARN, "root key after reset: %r" % who)
    # moto's reset route, signed by root, under auth enforce.
    put = t.boto(lab, [{"service": "cloudwatch", "op": "put_metric_data",
                        "params": m.put_params()}])[0]
    t.check(put["ok"], "PutMetricData again: %r" % put)
    status, body = _admin(t, lab, "POST", "/moto-api/reset")
    t.eq(status, 200, "signed /moto-api/reset (%r)" % body)
    (lst,) = t.boto(lab, [{"service": "cloudwatch", "op": "list_metrics",
                           "params": m.list_params()}])
    t.eq(lst["data"]["Metrics"], [], "metrics after /moto-api/reset")
