#!/usr/bin/env python3
"""Soak: a mixed workload with real clients against one lab, sampling memory and errors.

Starts `recoverlab serve --clock manual` on a free loopback port with a fresh data directory
and drives it with botocore clients (the library under boto3 and the aws CLI) at a bounded
rate from a few threads: STS GetCallerIdentity; IAM users, keys and policies created and
deleted; EC2 instances launched, described, stopped and terminated; CloudWatch metric data,
alarms (some on metrics that cross their threshold, so they fire and recover) and their
history; CloudTrail LookupEvents; CloudFormation stacks created and deleted. A clock thread
advances virtual time (60 virtual seconds every 2 real seconds), so instance transitions,
status checks and alarm evaluations run.

Each minute it prints one line: the server's RSS, calls made, errors (by code) and alarm
state changes seen. At the end: RSS growth after warm-up (the first 20% of the run, at
least one minute) and every unexpected error; exit 1 when growth is 5% or more or any
unexpected error occurred. Expected errors (a race of the workload itself, e.g. deleting a
user another thread just deleted) are counted apart.

  bench/soak/run.sh [--minutes N | --hours N] [--rate CALLS_PER_SECOND]  (default 10 minutes)
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("RECOVERLAB_BIN", os.path.join(ROOT, "build", "recoverlab"))
EXPECTED = {"NoSuchEntity", "EntityAlreadyExists", "InvalidInstanceID.NotFound",
            "IncorrectInstanceState", "ValidationError", "AlreadyExistsException",
            "DeleteConflict", "ResourceNotFound", "LimitExceeded"}
TEMPLATE = json.dumps({"Resources": {"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
    "AlarmName": {"Fn::Sub": "${AWS::StackName}-cpu"}, "Namespace": "Soak",
    "MetricName": "Load", "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1,
    "Threshold": 50, "ComparisonOperator": "GreaterThanThreshold"}}}})


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            return int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))
    except (OSError, AttributeError):
        return 0


class Lab:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="recoverlab-soak-")
        self.data = os.path.join(self.tmp, "data")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--data", self.data, "--clock", "manual"],
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.tmp, "server.log"), "w"),
            text=True, start_new_session=True)
        line = self.proc.stdout.readline()
        if not line.startswith("recoverlab listening on "):
            raise SystemExit("soak: the server did not start: %r" % line)
        self.url = line.split()[3]
        env = subprocess.run([BIN, "env", "--data", self.data], capture_output=True, text=True,
                             check=True).stdout
        vals = dict(l[len("export "):].split("=", 1) for l in env.splitlines()
                    if l.startswith("export "))
        self.key, self.secret = vals["AWS_ACCESS_KEY_ID"], vals["AWS_SECRET_ACCESS_KEY"]
        self.local = threading.local()

    def client(self, service):
        cache = getattr(self.local, "clients", None)
        if cache is None:
            cache = self.local.clients = {}
        if service not in cache:
            cache[service] = botocore.session.get_session().create_client(
                service, region_name="us-east-1", endpoint_url=self.url,
                aws_access_key_id=self.key, aws_secret_access_key=self.secret,
                config=Config(retries={"max_attempts": 1}, read_timeout=120))
        return cache[service]

    def admin(self, method, path, payload=None):
        body = json.dumps(payload).encode() if payload is not None else b""
        req = AWSRequest(method=method, url=self.url + path, data=body,
                         headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials(self.key, self.secret), "recoverlab", "us-east-1").add_auth(req)
        r = urllib.request.Request(self.url + path, data=body if method != "GET" else None,
                                   method=method, headers=dict(req.headers.items()))
        with urllib.request.urlopen(r, timeout=120) as resp:
            return json.loads(resp.read() or b"{}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = 0
        self.errors = collections.Counter()
        self.expected = collections.Counter()
        self.samples = []

    def ok(self):
        with self.lock:
            self.calls += 1

    def error(self, what, code):
        with self.lock:
            self.calls += 1
            (self.expected if code in EXPECTED else self.errors)[code + " (" + what + ")"] += 1


def workload(lab, stats, stop, rate, seed):
    rnd = random.Random(seed)
    sts, iam, ec2 = lab.client("sts"), lab.client("iam"), lab.client("ec2")
    cw, ct, cfn = lab.client("cloudwatch"), lab.client("cloudtrail"), lab.client("cloudformation")
    users, instances, stacks = [], [], []
    n = 0

    def call(what, fn, **kw):
        try:
            r = fn(**kw)
            stats.ok()
            return r
        except ClientError as e:
            stats.error(what, e.response.get("Error", {}).get("Code", "?"))
        except Exception as e:  # connection errors and the like are never expected
            stats.error(what, type(e).__name__)
        return None

    while not stop.is_set():
        t0 = time.monotonic()
        n += 1
        k = rnd.random()
        if k < 0.2:
            call("GetCallerIdentity", sts.get_caller_identity)
        elif k < 0.3:
            name = "soak-%d-%d" % (seed, n)
            if call("CreateUser", iam.create_user, UserName=name):
                users.append(name)
                call("PutUserPolicy", iam.put_user_policy, UserName=name, PolicyName="p",
                     PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                         "Effect": "Allow", "Action": "cloudwatch:*", "Resource": "*",
                         "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}))
            if len(users) > 20:
                u = users.pop(0)
                call("DeleteUserPolicy", iam.delete_user_policy, UserName=u, PolicyName="p")
                call("DeleteUser", iam.delete_user, UserName=u)
        elif k < 0.4:
            if len(instances) < 8:
                r = call("RunInstances", ec2.run_instances, ImageId="ami-12345678",
                         InstanceType="t3.micro", MinCount=1, MaxCount=1)
                if r:
                    instances.append(r["Instances"][0]["InstanceId"])
            else:
                i = instances.pop(0)
                call("TerminateInstances", ec2.terminate_instances, InstanceIds=[i])
        elif k < 0.5:
            call("DescribeInstances", ec2.describe_instances)
        elif k < 0.7:
            value = 90.0 if (int(time.monotonic()) // 30) % 2 else 10.0  # crosses 50 twice a minute
            call("PutMetricData", cw.put_metric_data, Namespace="Soak", MetricData=[
                {"MetricName": "Load", "Value": value + rnd.random(), "Unit": "Percent"}])
        elif k < 0.75:
            call("PutMetricAlarm", cw.put_metric_alarm, AlarmName="soak-%d-%d" % (seed, n % 10),
                 Namespace="Soak", MetricName="Load", Statistic="Average", Period=60,
                 EvaluationPeriods=1, Threshold=50, ComparisonOperator="GreaterThanThreshold")
        elif k < 0.85:
            call("DescribeAlarms", cw.describe_alarms, MaxRecords=50)
            call("DescribeAlarmHistory", cw.describe_alarm_history, MaxRecords=20)
        elif k < 0.92:
            call("LookupEvents", ct.lookup_events, MaxResults=20)
        else:
            if len(stacks) < 3:
                name = "soak-%d-%d" % (seed, n)
                if call("CreateStack", cfn.create_stack, StackName=name, TemplateBody=TEMPLATE):
                    stacks.append(name)
            else:
                call("DeleteStack", cfn.delete_stack, StackName=stacks.pop(0))
        left = 1.0 / rate - (time.monotonic() - t0)
        if left > 0:
            stop.wait(left)


def clock(lab, stats, stop):
    while not stop.wait(2.0):
        try:
            lab.admin("POST", "/_recoverlab/clock", {"advanceSeconds": 60})
            stats.ok()
        except Exception as e:
            stats.error("clock advance", type(e).__name__)


def alarm_changes(lab):
    try:
        cw = lab.client("cloudwatch")
        h = cw.describe_alarm_history(HistoryItemType="StateUpdate", MaxRecords=100)
        return len(h.get("AlarmHistoryItems", []))
    except Exception:
        return -1


def main():
    ap = argparse.ArgumentParser(description="recoverlab soak test")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--hours", type=float)
    ap.add_argument("--rate", type=float, default=20.0, help="calls per second, all threads")
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    minutes = args.hours * 60 if args.hours else args.minutes
    lab = Lab()
    stats = Stats()
    stop = threading.Event()
    threads = [threading.Thread(target=workload, args=(lab, stats, stop,
                                                       args.rate / args.threads, i), daemon=True)
               for i in range(args.threads)]
    threads.append(threading.Thread(target=clock, args=(lab, stats, stop), daemon=True))
    print("soak: %s, %.0f min, %.0f calls/s over %d threads, clock +60 s every 2 s" %
          (lab.url, minutes, args.rate, args.threads))
    print("%6s  %9s  %8s  %7s  %8s  %s" % ("minute", "RSS MiB", "calls", "errors", "alarm Δ",
                                            "unexpected errors so far"))
    for th in threads:
        th.start()
    t0 = time.monotonic()
    minute = 0
    try:
        while minute < minutes:
            minute += 1
            left = t0 + minute * 60 - time.monotonic()
            if left > 0:
                time.sleep(left)
            if lab.proc.poll() is not None:
                print("soak: the server exited with %s" % lab.proc.returncode)
                break
            rss = rss_kib(lab.proc.pid) / 1024
            stats.samples.append(rss)
            with stats.lock:
                errs = sum(stats.errors.values())
                top = ", ".join("%s×%d" % kv for kv in stats.errors.most_common(3))
            print("%6d  %9.1f  %8d  %7d  %8d  %s" % (minute, rss, stats.calls, errs,
                                                      alarm_changes(lab), top), flush=True)
    finally:
        stop.set()
        for th in threads:
            th.join(10)
        rc = lab.stop()
    warm = max(1, int(len(stats.samples) * 0.2))
    ok = True
    if len(stats.samples) > warm:
        base, last = stats.samples[warm - 1], stats.samples[-1]
        growth = 100.0 * (last - base) / base if base else 0.0
        print("RSS after warm-up (minute %d) %.1f MiB, at the end %.1f MiB: %+.1f%% (limit 5%%)"
              % (warm, base, last, growth))
        ok = growth < 5.0
    print("calls %d, unexpected errors %d, expected (workload races) %d, server exit %s" %
          (stats.calls, sum(stats.errors.values()), sum(stats.expected.values()), rc))
    for code, n in stats.errors.most_common():
        print("  unexpected: %s × %d" % (code, n))
    if stats.errors or rc != 0:
        ok = False
    print("soak: %s" % ("PASS" if ok else "FAIL"))
    if ok:
        shutil.rmtree(lab.tmp, ignore_errors=True)
    else:
        print("soak: server log kept in %s" % lab.tmp)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
