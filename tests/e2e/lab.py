"""Helpers for the end-to-end tests: a recoverlab server per test, and the real AWS clients.

Each test function receives a `T`. `t.lab()` starts `build/recoverlab serve` on a free
loopback port with a temporary data directory; the runner stops every lab at the end of the
test with SIGTERM and fails the test unless it exits 0. The client helpers run the real
programs: the default `aws` (CLI 1.x, botocore 1.43: JSON 1.0 for CloudWatch), Debian's
`/usr/bin/aws` (2.9: Query), botocore through tests/e2e/clients/boto_calls.py under either
Python, the AWS SDK for JavaScript v3 through clients/js_calls.mjs, and curl --aws-sigv4.
"""
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(E2E_DIR))
CLIENTS = os.path.join(E2E_DIR, "clients")
BIN = os.environ.get("RECOVERLAB_BIN", os.path.join(ROOT, "build", "recoverlab"))
OLD_AWS = "/usr/bin/aws"        # Debian's awscli 2.9 (Query for CloudWatch)
OLD_PY = "/usr/bin/python3"     # Debian's python3 with boto3 1.26 / botocore 1.29
ACCOUNT = "123456789012"
ROOT_ARN = "arn:aws:iam::%s:root" % ACCOUNT
READY = re.compile(r"^recoverlab listening on (http://[0-9.]+:[0-9]+)")


class Skip(Exception):
    """Raised by a test whose client is not installed on this machine."""


class Failure(AssertionError):
    pass


class Proc:
    """What a finished command did."""

    def __init__(self, argv, rc, out, err, elapsed):
        self.argv, self.rc, self.out, self.err, self.elapsed = argv, rc, out, err, elapsed

    def __repr__(self):
        return "Proc(rc=%s, %.2fs, %s)\n--- stdout\n%s\n--- stderr\n%s" % (
            self.rc, self.elapsed, " ".join(shlex.quote(a) for a in self.argv),
            self.out[-3000:], self.err[-3000:])

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError:
            raise Failure("not JSON output: %r" % self)


# ---- which clients this machine has (looked up once per run) ----
_tools = {}
_tools_lock = threading.Lock()


def _probe(argv, timeout=60):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           env=_client_base_env(os.environ.get("TMPDIR", "/tmp")))
        return r.returncode, r.stdout + r.stderr
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


_NEW_BOTO_PROBE = ("import botocore, botocore.session as s; "
                   "m = s.get_session().get_service_model('cloudwatch'); "
                   "print(botocore.__version__, m.metadata.get('protocols'))")


def tools():
    """Paths of the clients, None for the missing ones."""
    with _tools_lock:
        if _tools:
            return _tools
        # The default aws is CLI 1.x on botocore >= 1.42 (CloudWatch over JSON 1.0).
        aws = shutil.which("aws")
        _tools["new_aws"] = None
        if aws and os.path.realpath(aws) != os.path.realpath(OLD_AWS):
            rc, out = _probe([aws, "--version"])
            if rc == 0 and out.startswith("aws-cli/1."):
                _tools["new_aws"] = aws
        _tools["old_aws"] = OLD_AWS if os.access(OLD_AWS, os.X_OK) else None
        _tools["new_py"] = None
        for py in [shutil.which("python3")]:
            if py:
                rc, out = _probe([py, "-c", _NEW_BOTO_PROBE])
                if rc == 0 and "'json'" in out and "smithy-rpc-v2-cbor" in out:
                    _tools["new_py"] = py
        rc, _ = _probe([OLD_PY, "-c", "import boto3, botocore"])
        _tools["old_py"] = OLD_PY if rc == 0 else None
        _tools["node"] = shutil.which("node")
        sdk = os.path.join(E2E_DIR, "node_modules", "@aws-sdk", "client-cloudwatch")
        if not os.path.isdir(sdk):
            _tools["node"] = None
        _tools["curl"] = shutil.which("curl")
        return _tools


def _client_base_env(tmp):
    """The environment every client runs in: nothing of the host's AWS setup leaks in."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update({
        "AWS_CONFIG_FILE": os.path.join(tmp, "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "NO_PROXY": "*",
    })
    return env


class Lab:
    """One recoverlab server: `serve --listen 127.0.0.1:0 --data DIR ...`."""

    def __init__(self, t, data=None, clock=None, start=None, auth=None, region=None,
                 env=None):
        self.t = t
        self.server_env = env  # extra environment variables for the server process
        self.data = data or t.mkdtemp("data")
        self.args = []
        if clock:
            self.args += ["--clock", clock]
        if start:
            self.args += ["--start", start]
        if auth:
            self.args += ["--auth", auth]
        if region:
            self.args += ["--region", region]
        self.proc = None
        self.url = None
        self.ready_line = None
        self.starts = 0
        self._out = []

    def start(self, timeout=15):
        if not os.access(BIN, os.X_OK):
            raise Failure("server binary %s is missing (run make first)" % BIN)
        self.starts += 1
        self.errlog = os.path.join(self.t.tmp, "server-%d.stderr" % self.starts)
        argv = [BIN, "serve", "--listen", "127.0.0.1:0", "--data", self.data] + self.args
        self.t.log("start: " + " ".join(argv))
        env = dict(os.environ, **self.server_env) if self.server_env else None
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=open(self.errlog, "w"), text=True,
                                     start_new_session=True, env=env)
        lines = queue.Queue()

        def reader(stream):
            for line in stream:
                self._out.append(line)
                lines.put(line)
            lines.put(None)

        threading.Thread(target=reader, args=(self.proc.stdout,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if line is None or (line == "" and time.monotonic() >= deadline):
                self.proc.kill()
                self.proc.wait()
                raise Failure("server did not print its listening line (rc %s); stderr:\n%s" %
                              (self.proc.returncode, self.stderr()[-2000:]))
            m = READY.match(line)
            if m:
                self.url = m.group(1)
                self.ready_line = line.strip()
                self.t.log(self.ready_line)
                return self

    def stderr(self):
        try:
            with open(self.errlog) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, timeout=10):
        """SIGTERM; the server must exit 0 within timeout."""
        if not self.proc:
            return
        p, self.proc = self.proc, None
        if p.poll() is not None:
            raise Failure("server exited on its own with %s; stderr:\n%s" %
                          (p.returncode, self.stderr()[-2000:]))
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise Failure("server did not exit within %ss of SIGTERM" % timeout)
        if rc != 0:
            raise Failure("server exited %s after SIGTERM; stderr:\n%s" %
                          (rc, self.stderr()[-2000:]))

    def restart(self):
        self.stop()
        return self.start()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def env(self):
        """The variables `recoverlab env --data DIR` exports."""
        r = self.t.run([BIN, "env", "--data", self.data])
        self.t.check(r.rc == 0, "recoverlab env failed: %r" % r)
        out = {}
        for line in r.out.splitlines():
            m = re.match(r"^export ([A-Z_]+)=(.*)$", line)
            if m:
                out[m.group(1)] = (shlex.split(m.group(2)) or [""])[0]
        return out

    def creds(self):
        e = self.env()
        return e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"]


class T:
    """The per-test context handed to each test function."""

    def __init__(self, name, tmp):
        self.name = name
        self.tmp = tmp
        self.labs = []
        self.lines = []
        self._n = 0

    # ---- bookkeeping ----
    def log(self, msg):
        self.lines.append(msg)

    def mkdtemp(self, prefix):
        self._n += 1
        d = os.path.join(self.tmp, "%s%d" % (prefix, self._n))
        os.makedirs(d)
        return d

    def need(self, *names):
        t = tools()
        for n in names:
            if not t.get(n):
                raise Skip("%s not installed" % n)

    def lab(self, **kw):
        lab = Lab(self, **kw)
        self.labs.append(lab)
        return lab.start()

    def cleanup(self):
        """Stops every lab (SIGTERM, exit 0 required). Returns the first failure or None."""
        first = None
        for lab in self.labs:
            try:
                lab.stop()
            except Failure as e:
                first = first or e
            finally:
                lab.kill()
        return first

    # ---- assertions ----
    def check(self, cond, msg):
        if not cond:
            raise Failure(msg)

    def eq(self, got, want, what):
        if got != want:
            raise Failure("%s: expected %r, got %r" % (what, want, got))

    def near(self, got, want, what, tol=1e-6):
        if got is None or abs(got - want) > tol:
            raise Failure("%s: expected %r, got %r" % (what, want, got))

    # ---- running things ----
    def run(self, argv, env=None, timeout=60, input=None):
        t0 = time.monotonic()
        try:
            r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout,
                               input=input, stdin=None if input is not None else subprocess.DEVNULL)
            p = Proc(argv, r.returncode, r.stdout, r.stderr, time.monotonic() - t0)
        except subprocess.TimeoutExpired as e:
            p = Proc(argv, "timeout", str(e.stdout or ""), str(e.stderr or ""),
                     time.monotonic() - t0)
        self.log("$ %s -> rc %s (%.2fs)" % (" ".join(shlex.quote(a) for a in argv[:12]),
                                            p.rc, p.elapsed))
        return p

    def client_env(self, lab=None, extra=None):
        env = _client_base_env(self.tmp)
        if lab is not None:
            env.update(lab.env())
            env["E2E_ENDPOINT"] = lab.url
        env.update(extra or {})
        return env

    def aws(self, lab, args, old=False, env=None, timeout=60):
        """The aws CLI: default (1.x, JSON for CloudWatch) or Debian's 2.9 (Query), in the
        environment `recoverlab env` gives. aws 2.9 predates AWS_ENDPOINT_URL: it finds the lab
        through the endpoint rule sets under AWS_DATA_PATH, or else gets --endpoint-url."""
        self.need("old_aws" if old else "new_aws")
        exe = tools()["old_aws" if old else "new_aws"]
        e = self.client_env(lab, env)
        argv = [exe] + list(args) + ["--output", "json"]
        if old and "AWS_ENDPOINT_URL" in e and "AWS_DATA_PATH" not in e:
            argv += ["--endpoint-url", e["AWS_ENDPOINT_URL"]]
        return self.run(argv, env=e, timeout=timeout)

    def sh(self, lab, script, env=None, timeout=60):
        """bash -c script, with RL=the binary and D=the lab's data directory."""
        e = self.client_env(None, env)
        e.update({"RL": BIN, "D": lab.data if lab else ""})
        return self.run(["bash", "-c", "set -eo pipefail\n" + script], env=e, timeout=timeout)

    def boto(self, lab, calls, old=False, env=None, timeout=120):
        """botocore calls (see clients/boto_calls.py); returns the list of results."""
        self.need("old_py" if old else "new_py")
        exe = tools()["old_py" if old else "new_py"]
        r = self.run([exe, os.path.join(CLIENTS, "boto_calls.py")],
                     env=self.client_env(lab, env), timeout=timeout,
                     input=json.dumps({"calls": calls}))
        self.check(r.rc == 0, "boto_calls.py failed: %r" % r)
        res = r.json()["results"]
        for c, x in zip(calls, res):
            self.log("  %s.%s -> %s %s" % (c["service"], c["op"], x.get("status"),
                                           "ok" if x["ok"] else x.get("code")))
        return res

    def js(self, lab, calls, env=None, timeout=120):
        """AWS SDK for JavaScript v3 calls (see clients/js_calls.mjs)."""
        self.need("node")
        r = self.run([tools()["node"], os.path.join(CLIENTS, "js_calls.mjs")],
                     env=self.client_env(lab, env), timeout=timeout,
                     input=json.dumps({"calls": calls}))
        self.check(r.rc == 0, "js_calls.mjs failed: %r" % r)
        res = r.json()["results"]
        for c, x in zip(calls, res):
            self.log("  js %s -> %s %s" % (c["command"], x.get("status"),
                                           "ok" if x["ok"] else x.get("code")))
        return res

    def curl(self, lab, path, args=(), sign=None, user=None, timeout=30):
        """curl on lab.url+path; sign="aws:amz:REGION:SERVICE" signs with the root key (or
        user="KEY:SECRET"). Returns (status, headers dict lower-cased, body bytes, Proc)."""
        self.need("curl")
        stem = os.path.join(self.tmp, "curl-%d" % time.monotonic_ns())
        hdr, body = stem + ".headers", stem + ".body"
        argv = ["curl", "-sS", "-D", hdr, "-o", body, "--max-time", str(timeout)]
        if sign:
            if user is None:
                key, secret = lab.creds()
                user = "%s:%s" % (key, secret)
            argv += ["--aws-sigv4", sign, "--user", user]
        argv += list(args) + [lab.url + path]
        r = self.run(argv, env=self.client_env(), timeout=timeout + 5)
        self.check(r.rc == 0, "curl failed: %r" % r)
        status, headers = 0, {}
        with open(hdr, encoding="latin-1") as f:
            for line in f:
                line = line.rstrip("\r\n")
                if line.startswith("HTTP/"):
                    status, headers = int(line.split()[1]), {}
                elif ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
        with open(body, "rb") as f:
            data = f.read()
        self.log("  -> HTTP %s %r" % (status, data[:200]))
        return status, headers, data, r
