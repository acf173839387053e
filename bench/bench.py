#!/usr/bin/env python3
"""Side-by-side benchmark: recoverlab and `python3 -m moto.server`, same operations, loopback.

For each server: time from spawn to the first signed GetCallerIdentity answered 200, idle RSS
one second later (from /proc, the whole process tree), then signed keep-alive requests/s with
wrk (-t1 -c16, BENCH_SECONDS each, default 5) for STS GetCallerIdentity, CloudWatch
ListMetrics and CloudWatch PutMetricData over Query. Every request is signed once with
botocore (a date within the 15-minute window) and replayed by a wrk Lua script, so the server
verifies the same SigV4 signature over and over. Non-2xx answers are counted and shown: a fast
stream of errors is not a result.

Needs botocore (either Python), wrk, and for the moto column moto with its server extras.
Bounded: a few wrk runs of a few seconds each, 127.0.0.1 only. Not part of the tests.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("RECOVERLAB_BIN", os.path.join(ROOT, "build", "recoverlab"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
REGION = "us-east-1"

OPS = [  # (label, SigV4 service, Query body)
    ("GetCallerIdentity", "sts", "Action=GetCallerIdentity&Version=2011-06-15"),
    ("ListMetrics", "monitoring", "Action=ListMetrics&Version=2010-08-01&Namespace=Bench"),
    ("PutMetricData", "monitoring",
     "Action=PutMetricData&Version=2010-08-01&Namespace=Bench"
     "&MetricData.member.1.MetricName=Requests&MetricData.member.1.Value=1"
     "&MetricData.member.1.Unit=Count"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(port, service, body, key, secret):
    """Headers of a SigV4-signed POST / to 127.0.0.1:port (valid for ~15 minutes)."""
    req = AWSRequest(method="POST", url="http://127.0.0.1:%d/" % port, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret), service, REGION).add_auth(req)
    return {k: v for k, v in req.headers.items() if k.lower() != "host"}


def ask(port, body, headers, timeout=2.0):
    """One POST; (status, body) or None when the port does not answer yet."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("POST", "/", body=body, headers=headers)
        r = c.getresponse()
        out = (r.status, r.read())
        c.close()
        return out
    except (ConnectionError, OSError, http.client.HTTPException):
        return None


def tree_rss_kib(pid):
    """VmRSS of pid and all its descendants, KiB."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open("/proc/%d/status" % p) as f:
                m = re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M)
                total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total


class Server:
    def __init__(self, name, argv_fn, creds_fn):
        self.name, self.argv_fn, self.creds_fn = name, argv_fn, creds_fn
        self.proc = None

    def spawn(self, port):
        self.port = port
        self.proc = subprocess.Popen(self.argv_fn(port), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)

    def wait_answer(self, deadline_s=60):
        """Polls a signed GetCallerIdentity until it is answered 200; seconds since spawn."""
        t0 = time.monotonic()
        _, service, body = OPS[0]
        headers = None
        while time.monotonic() - t0 < deadline_s:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s" % (self.name, self.proc.returncode))
            if headers is None:
                creds = self.creds_fn()
                if creds:
                    headers = sign(self.port, service, body, *creds)
            if headers is not None:
                r = ask(self.port, body, headers, timeout=1.0)
                if r and r[0] == 200 and b"GetCallerIdentityResult" in r[1]:
                    return time.monotonic() - t0
            time.sleep(0.002)
        raise RuntimeError("%s gave no signed answer within %ss" % (self.name, deadline_s))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


def wrk(port, service, body, creds, tmp, label):
    headers = sign(port, service, body, *creds)
    lua = os.path.join(tmp, "%s-%d.lua" % (label, port))
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = "%s"\n' % body)
        for k, v in headers.items():
            f.write('wrk.headers["%s"] = "%s"\n' % (k, v))
    r = subprocess.run(["wrk", "-t1", "-c%d" % CONNS, "-d%ds" % SECONDS, "-s", lua,
                        "http://127.0.0.1:%d/" % port], capture_output=True, text=True,
                       timeout=SECONDS + 30)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", r.stdout)
    total = re.search(r"(\d+) requests in", r.stdout)
    if not rps:
        return "wrk failed"
    s = "%.0f" % float(rps.group(1))
    if bad:
        s += " (%s of %s non-2xx!)" % (bad.group(1), total.group(1) if total else "?")
    return s


def measure(server, tmp, fresh_first):
    """Returns {row: text} for one server."""
    rows = {}
    first, again = "start to first signed answer, no state (ms)", "restart on its data dir (ms)"
    if fresh_first:  # recoverlab: the first start also creates the account and root key
        server.spawn(free_port())
        rows[first] = "%.0f" % (server.wait_answer() * 1000)
        server.stop()
    server.spawn(free_port())
    rows[again if fresh_first else first] = "%.0f" % (server.wait_answer() * 1000)
    if not fresh_first:
        rows[again] = "n/a (no state)"
    time.sleep(1.0)
    rows["idle RSS after start (MiB)"] = "%.1f" % (tree_rss_kib(server.proc.pid) / 1024)
    creds = server.creds_fn()
    for label, service, body in OPS:
        rows["%s req/s (wrk %ds, %d conns)" % (label, SECONDS, CONNS)] = wrk(
            server.port, service, body, creds, tmp, label)
    server.stop()
    return rows


def read_creds(data):
    try:
        with open(os.path.join(data, "credentials")) as f:
            text = f.read()
    except OSError:
        return None
    key = re.search(r"^aws_access_key_id\s*=\s*(\S+)", text, re.M)
    secret = re.search(r"^aws_secret_access_key\s*=\s*(\S+)", text, re.M)
    return (key.group(1), secret.group(1)) if key and secret else None


def moto_python():
    for py in (shutil.which("python3"), "/usr/bin/python3"):
        if py and subprocess.run([py, "-c", "import moto.server, flask"],
                                 capture_output=True).returncode == 0:
            return py
    return None


def main():
    if not shutil.which("wrk"):
        sys.exit("bench: wrk is not installed (scripts/deps.sh --test)")
    if not os.access(BIN, os.X_OK):
        sys.exit("bench: %s is missing (make first)" % BIN)
    tmp = tempfile.mkdtemp(prefix="recoverlab-bench-")
    data = os.path.join(tmp, "data")
    results = {}
    try:
        rl = Server("recoverlab",
                    lambda port: [BIN, "serve", "--listen", "127.0.0.1:%d" % port, "--data", data],
                    lambda: read_creds(data))
        try:
            results["recoverlab"] = measure(rl, tmp, fresh_first=True)
        finally:
            rl.stop()
        py = moto_python()
        if py:
            moto = Server("moto", lambda port: [py, "-m", "moto.server", "-H", "127.0.0.1",
                                                "-p", str(port)],
                          lambda: ("AKIAIOSFODNN7EXAMPLE", "test"))
            try:
                results["moto"] = measure(moto, tmp, fresh_first=False)
            finally:
                moto.stop()
        else:
            results["moto"] = {}
            print("bench: moto is not installed (python3 -m moto.server): its column is empty")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    version = subprocess.run([BIN, "version"], capture_output=True, text=True).stdout.strip()
    print("%s vs moto, 127.0.0.1, %d cores, wrk -t1 -c%d -d%ds, SigV4-signed Query requests"
          % (version or "recoverlab", os.cpu_count() or 0, CONNS, SECONDS))
    rows = list(results["recoverlab"])
    w = max(len(r) for r in rows)
    print("%-*s  %18s  %18s" % (w, "", "recoverlab", "moto"))
    for r in rows:
        print("%-*s  %18s  %18s" % (w, r, results["recoverlab"].get(r, "-"),
                                    results["moto"].get(r, "-")))


if __name__ == "__main__":
    main()
