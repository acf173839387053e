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
    ("DescribeAlarms (100 alarms)", "monitoring",
     "Action=DescribeAlarms&Version=2010-08-01&MaxRecords=100"),
]
# The targets: each operation's share of nginx serving a static file, same run.
TARGET_SHARE = {"GetCallerIdentity": 40, "ListMetrics": 40, "PutMetricData": 30,
                "DescribeAlarms (100 alarms)": 30}
ALARMS = 100


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


def tree_cpu_ticks(pid):
    """utime+stime (clock ticks) of pid and its children, from /proc."""
    total = 0
    pids = [pid]
    try:
        for d in os.listdir("/proc"):
            if d.isdigit():
                with open("/proc/%s/stat" % d) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.append(int(d))
    except (OSError, ValueError):
        pass
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total


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


CPU_US = {}  # label -> server CPU microseconds per request of the last wrk run


def run_wrk(port, lua=None, path="/", pid=None, label=None):
    argv = ["wrk", "-t1", "-c%d" % CONNS, "-d%ds" % SECONDS]
    if lua:
        argv += ["-s", lua]
    c0 = tree_cpu_ticks(pid) if pid else 0
    r = subprocess.run(argv + ["http://127.0.0.1:%d%s" % (port, path)], capture_output=True,
                       text=True, timeout=SECONDS + 30)
    total = re.search(r"(\d+) requests in", r.stdout)
    if pid and label and total and int(total.group(1)):
        ticks = tree_cpu_ticks(pid) - c0
        CPU_US[label] = ticks * 1e6 / os.sysconf("SC_CLK_TCK") / int(total.group(1))
    return r


def wrk(port, service, body, creds, tmp, label, pid=None):
    headers = sign(port, service, body, *creds)
    lua = os.path.join(tmp, "%s-%d.lua" % (label.split()[0], port))
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = "%s"\n' % body)
        for k, v in headers.items():
            f.write('wrk.headers["%s"] = "%s"\n' % (k, v))
    r = run_wrk(port, lua, pid=pid, label=label)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", r.stdout)
    total = re.search(r"(\d+) requests in", r.stdout)
    if not rps:
        return "wrk failed"
    s = "%.0f" % float(rps.group(1))
    if bad:
        s += " (%s of %s non-2xx!)" % (bad.group(1), total.group(1) if total else "?")
    return s


def put_alarms(port, creds, n):
    """n metric alarms (so DescribeAlarms has a page of 100 to render)."""
    for i in range(n):
        body = ("Action=PutMetricAlarm&Version=2010-08-01&AlarmName=bench-%03d&Namespace=Bench"
                "&MetricName=Requests&Statistic=Sum&Period=60&EvaluationPeriods=1&Threshold=%d"
                "&ComparisonOperator=GreaterThanThreshold" % (i, i))
        r = ask(port, body, sign(port, "monitoring", body, *creds))
        if not r or r[0] != 200:
            raise RuntimeError("PutMetricAlarm failed: %r" % (r,))


def new_client_ms_with_idle(port, n):
    """Opens n idle connections, then times a new client's GET /_recoverlab/health (ms)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, n + 256) if hard != resource.RLIM_INFINITY else n + 256
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    conns = []
    try:
        for _ in range(n):
            conns.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        time.sleep(0.5)
        t0 = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/_recoverlab/health")
        ok = c.getresponse().status == 200
        took = (time.monotonic() - t0) * 1000
        c.close()
        return "%.1f" % took if ok else "failed"
    except OSError as e:
        return "failed (%s)" % e
    finally:
        for s in conns:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


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
    if server.name == "recoverlab":
        put_alarms(server.port, creds, ALARMS)
    for label, service, body in OPS:
        pid = server.proc.pid if server.name == "recoverlab" else None
        rows["%s req/s" % label] = wrk(server.port, service, body, creds, tmp, label, pid)
        if label in CPU_US and pid:
            rows["%s CPU us/req" % label] = "%.1f" % CPU_US[label]
    if server.name == "recoverlab":
        rows["new client with 10 000 idle connections (ms)"] = new_client_ms_with_idle(
            server.port, 10000)
    server.stop()
    return rows


NGINX_CONF = """daemon off;
worker_processes 1;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(tmp)s/body;
    proxy_temp_path %(tmp)s/proxy;
    fastcgi_temp_path %(tmp)s/fastcgi;
    uwsgi_temp_path %(tmp)s/uwsgi;
    scgi_temp_path %(tmp)s/scgi;
    server {
        listen 127.0.0.1:%(port)d;
        root %(tmp)s/www;
        keepalive_requests 1000000;
    }
}
"""


def nginx_rps(tmp):
    """nginx (1 worker) serving a static file the size of a GetCallerIdentity answer."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(nginx, os.X_OK):
        return None
    d = os.path.join(tmp, "nginx")
    os.makedirs(os.path.join(d, "www"), exist_ok=True)
    with open(os.path.join(d, "www", "static.xml"), "w") as f:
        f.write("<GetCallerIdentityResponse>" + "x" * 380 + "</GetCallerIdentityResponse>")
    port = free_port()
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF % {"tmp": d, "port": port})
    p = subprocess.Popen([nginx, "-c", os.path.join(d, "nginx.conf"), "-p", d],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        for _ in range(500):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.01)
        r = run_wrk(port, path="/static.xml", pid=p.pid, label="nginx")
        rps = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
        return float(rps.group(1)) if rps else None
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(10)


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
        results["nginx"] = nginx_rps(tmp)
        py = moto_python() if os.environ.get("BENCH_MOTO", "1") != "0" else None
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
    ng = results["nginx"]
    print("%s vs nginx (static file, 1 worker) and moto, 127.0.0.1, %d cores, "
          "wrk -t1 -c%d -d%ds, SigV4-signed Query requests"
          % (version or "recoverlab", os.cpu_count() or 0, CONNS, SECONDS))
    rows = list(results["recoverlab"])
    w = max(len(r) for r in rows)
    print("%-*s  %12s  %14s  %12s  %12s" % (w, "", "recoverlab", "nginx static", "share",
                                             "moto"))
    for r in rows:
        share, ngs = "", ""
        label = r[:-len(" req/s")] if r.endswith(" req/s") else None
        if r.endswith(" CPU us/req") and "nginx" in CPU_US:
            ngs = "%.1f" % CPU_US["nginx"]
            try:
                share = "%.0f%%" % (100.0 * CPU_US["nginx"] / float(results["recoverlab"][r]))
            except (ValueError, ZeroDivisionError):
                share = "?"
        elif label and ng:
            ngs = "%.0f" % ng
            try:
                pct = 100.0 * float(results["recoverlab"][r].split()[0]) / ng
                share = "%.0f%% (>=%d%%)" % (pct, TARGET_SHARE.get(label, 0))
            except (ValueError, IndexError):
                share = "?"
        print("%-*s  %12s  %14s  %12s  %12s" % (w, r, results["recoverlab"].get(r, "-"), ngs,
                                                 share, results["moto"].get(r, "-")))
    print("share: recoverlab req/s as a share of nginx's (target in brackets); for CPU us/req, "
          "nginx's CPU per request over recoverlab's (the same share, unaffected by other load "
          "on the machine)")
    if not ng:
        print("bench: nginx is not installed (scripts/deps.sh --bench): no reference column")


if __name__ == "__main__":
    main()
