#!/usr/bin/env python3
"""Fleet benchmark: N running, healthy instances -> real time to advance the virtual clock.

For each fleet size (default 0, 1000, 10000) a fresh `recoverlab serve --clock manual` on a
loopback port gets N instances through signed RunInstances calls (botocore, 20 per call), then
the clock is moved with the admin API and timed:
  - "boot 10m": pending -> running and the end of the status checks' initializing window: the
    real events of a launch (two per instance), so this grows with N;
  - "day 1", "day 2": one virtual day each of a healthy fleet. Status-check metrics are derived
    from each instance's health timeline, so these should stay flat (no per-minute work) however
    large the fleet is;
  - "faults day": a system fault on 10 instances, then a day: the real events of their
    simplified automatic recovery only.
It also times reads that do scale with what they return: GetMetricStatistics of one instance
over the whole day (1440 derived datapoints), the first page of DescribeInstanceStatus and of
ListMetrics (AWS/EC2), and counts the health-timeline rows. Figures only: not a test.

Usage: bench/fleet/run.sh [--sizes 0,1000,10000] [--bin build/recoverlab]
Loopback only; each fleet's server is stopped at the end. Needs botocore (either Python).
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
START = "2026-06-01T00:00:00Z"
PER_CALL = 20                   # RunInstances MaxCount the lab accepts per call
REGIONS = ["us-east-1", "us-west-2"]


class Lab:
    def __init__(self, binary):
        self.tmp = tempfile.mkdtemp(prefix="recoverlab-fleet-")
        self.data = os.path.join(self.tmp, "data")
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--data", self.data, "--clock",
             "manual", "--start", START], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=open(os.path.join(self.tmp, "server.log"), "w"), text=True,
            start_new_session=True)
        line = self.proc.stdout.readline()
        if not line.startswith("recoverlab listening on "):
            raise RuntimeError("server did not start: %r (see %s)" % (line, self.tmp))
        self.url = line.split()[3]
        env = subprocess.run([binary, "env", "--data", self.data], capture_output=True,
                             text=True, check=True).stdout
        vals = dict(l[len("export "):].split("=", 1) for l in env.splitlines()
                    if l.startswith("export "))
        self.key, self.secret = vals["AWS_ACCESS_KEY_ID"], vals["AWS_SECRET_ACCESS_KEY"]
        self.session = botocore.session.get_session()
        self.clients = {}

    def client(self, service, region="us-east-1"):
        k = (service, region)
        if k not in self.clients:
            self.clients[k] = self.session.create_client(
                service, region_name=region, endpoint_url=self.url,
                aws_access_key_id=self.key, aws_secret_access_key=self.secret,
                config=Config(retries={"max_attempts": 1}, read_timeout=600))
        return self.clients[k]

    def admin(self, method, path, payload=None):
        body = json.dumps(payload).encode() if payload is not None else b""
        req = AWSRequest(method=method, url=self.url + path, data=body,
                         headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials(self.key, self.secret), "recoverlab", "us-east-1").add_auth(req)
        r = urllib.request.Request(self.url + path, data=body if method != "GET" else None,
                                   method=method, headers=dict(req.headers.items()))
        with urllib.request.urlopen(r, timeout=600) as resp:
            return json.loads(resp.read() or b"{}")

    def advance(self, seconds):
        t0 = time.perf_counter()
        self.admin("POST", "/_recoverlab/clock", {"advanceSeconds": seconds})
        return time.perf_counter() - t0

    def db_count(self, sql):
        con = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data, "recoverlab.db"),
                              uri=True, timeout=30)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def launch(lab, n):
    """n instances spread over REGIONS and their AZs (a default subnet is a /20); the ids."""
    ids = []
    per_region = -(-n // len(REGIONS)) if n else 0
    for region in REGIONS:
        ec2 = lab.client("ec2", region)
        zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
        left = min(per_region, n - len(ids))
        call = 0
        while left > 0:
            k = min(PER_CALL, left)
            r = ec2.run_instances(ImageId="ami-374db956", InstanceType="t3.micro",
                                  MinCount=k, MaxCount=k,
                                  Placement={"AvailabilityZone": zones[call % len(zones)]})
            call += 1
            ids += [i["InstanceId"] for i in r["Instances"]]
            left -= k
    return ids


def one_fleet(binary, n):
    lab = Lab(binary)
    try:
        row = {"n": n}
        row["launch_s"], ids = timed(lambda: launch(lab, n))
        row["boot_s"] = lab.advance(600)
        row["day1_s"] = lab.advance(86400)
        row["day2_s"] = lab.advance(86400)
        row["rows"] = lab.db_count("SELECT COUNT(*) FROM ec2_health")
        row["queued"] = lab.db_count("SELECT COUNT(*) FROM events")
        if ids:
            cw = lab.client("cloudwatch")
            now = lab.admin("GET", "/_recoverlab/clock")["nowEpochMillis"] / 1000
            row["stats_s"], st = timed(lambda: cw.get_metric_statistics(
                Namespace="AWS/EC2", MetricName="StatusCheckFailed",
                Dimensions=[{"Name": "InstanceId", "Value": ids[0]}], StartTime=now - 86400,
                EndTime=now, Period=60, Statistics=["Maximum"]))
            row["points"] = len(st["Datapoints"])
            ec2 = lab.client("ec2", "us-east-1")
            row["dis_s"], _ = timed(lambda: ec2.describe_instance_status(MaxResults=1000))
            row["list_s"], _ = timed(lambda: cw.list_metrics(Namespace="AWS/EC2"))
            for iid in ids[:10]:
                lab.admin("POST", "/_recoverlab/faults", {"instanceId": iid, "check": "system"})
            row["faults_day_s"] = lab.advance(86400)
            row["recovered"] = sum(len(lab.admin("GET", "/_recoverlab/instances/" + i)
                                       ["recoveries"]) for i in ids[:10])
        return row
    finally:
        lab.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0,1000,10000")
    ap.add_argument("--bin", default=os.environ.get(
        "RECOVERLAB_BIN", os.path.join(ROOT, "build", "recoverlab")))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print("fleet benchmark: %s, virtual start %s" % (args.bin, START))
    hdr = ("instances", "launch", "boot 10m", "day 1", "day 2", "timeline rows", "queued",
           "stats 1d", "DIS page", "ListMetrics", "faults+day", "recovered")
    print("%9s %9s %9s %8s %8s %13s %7s %9s %9s %11s %10s %9s" % hdr)
    for n in sizes:
        r = one_fleet(args.bin, n)
        ms = lambda k: ("%.1fms" % (r[k] * 1000)) if k in r else "-"
        print("%9d %8.1fs %9s %8s %8s %13d %7d %9s %9s %11s %10s %9s" % (
            n, r["launch_s"], ms("boot_s"), ms("day1_s"), ms("day2_s"), r["rows"], r["queued"],
            ms("stats_s") + ("/%d" % r["points"] if "points" in r else ""), ms("dis_s"),
            ms("list_s"), ms("faults_day_s"), r.get("recovered", "-")))
        sys.stdout.flush()
    print("day 1 / day 2: a healthy fleet's virtual day — flat in N means no per-minute work;"
          " boot and faults+day are real events (launch transitions, recoveries).")


if __name__ == "__main__":
    main()
