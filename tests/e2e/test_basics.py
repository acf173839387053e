"""serve / env / SIGTERM, STS GetCallerIdentity and EC2 regions with every client."""
import os
import re
import stat

from lab import ACCOUNT, BIN, ROOT_ARN, tools


def test_serve_ready_line_and_data_dir(t):
    lab = t.lab(clock="manual", start="2026-03-01T12:00:00Z")
    line = lab.ready_line
    for word in ("auth enforce", "clock manual", lab.data):
        t.check(word in line, "ready line %r should name %r" % (line, word))
    for name in ("credentials", "config"):
        p = os.path.join(lab.data, name)
        t.check(os.path.exists(p), "%s missing from the data directory" % name)
        t.eq(stat.S_IMODE(os.stat(p).st_mode), 0o600, "mode of %s" % name)
    creds = open(os.path.join(lab.data, "credentials")).read()
    t.check(re.search(r"^\[default\]", creds, re.M), "credentials has no [default]: %r" % creds)
    key = re.search(r"^aws_access_key_id\s*=\s*(\S+)", creds, re.M)
    secret = re.search(r"^aws_secret_access_key\s*=\s*(\S+)", creds, re.M)
    t.check(key and re.fullmatch(r"AKIA[A-Z2-7]{16}", key.group(1)), "root key id: %r" % creds)
    t.check(secret and len(secret.group(1)) == 40, "root secret: %r" % creds)
    config = open(os.path.join(lab.data, "config")).read()
    t.check("region = us-east-1" in config or "region=us-east-1" in config,
            "config region: %r" % config)
    t.check(lab.url in config, "config should carry endpoint_url %s: %r" % (lab.url, config))

    env = lab.env()
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_DEFAULT_REGION"):
        t.check(name in env, "recoverlab env does not export %s: %r" % (name, env))
    if "AWS_DATA_PATH" in env:  # endpoint rule sets for clients without AWS_ENDPOINT_URL
        t.eq(env["AWS_DATA_PATH"], os.path.join(os.path.realpath(lab.data), "aws-data"),
             "AWS_DATA_PATH")
        t.check(os.path.isdir(env["AWS_DATA_PATH"]), "AWS_DATA_PATH is not a directory")
    t.eq(env["AWS_ENDPOINT_URL"], lab.url, "AWS_ENDPOINT_URL")
    t.eq(env["AWS_ACCESS_KEY_ID"], key.group(1), "AWS_ACCESS_KEY_ID")
    t.eq(env["AWS_SECRET_ACCESS_KEY"], secret.group(1), "AWS_SECRET_ACCESS_KEY")
    t.eq(env["AWS_DEFAULT_REGION"], "us-east-1", "AWS_DEFAULT_REGION")

    # Same data directory again: same key, a new port in config.
    lab.stop()
    lab.start()
    t.eq(lab.creds(), (key.group(1), secret.group(1)), "root key after restart")
    t.eq(lab.env()["AWS_ENDPOINT_URL"], lab.url, "endpoint after restart")


def test_usage_errors_exit_2(t):
    r = t.run([BIN, "serve", "--clock", "sideways", "--data", t.mkdtemp("d")], timeout=10)
    t.eq(r.rc, 2, "serve --clock sideways exit status (%r)" % r)
    r = t.run([BIN, "no-such-command"], timeout=10)
    t.eq(r.rc, 2, "unknown subcommand exit status (%r)" % r)


def test_sts_root_with_both_clis(t):
    lab = t.lab()
    # Literally the README's line, with the default aws (CLI 1.x).
    t.need("new_aws")
    r = t.sh(lab, 'eval "$("$RL" env --data "$D")"\naws sts get-caller-identity --output json',
             env={"PATH": os.path.dirname(tools()["new_aws"]) + ":" + os.environ["PATH"]})
    t.check(r.rc == 0, "aws sts get-caller-identity: %r" % r)
    out = r.json()
    t.eq(out["Arn"], ROOT_ARN, "Arn (aws 1.x)")
    t.eq(out["Account"], ACCOUNT, "Account (aws 1.x)")
    t.eq(out["UserId"], ACCOUNT, "UserId (aws 1.x)")
    # Debian's aws 2.9 predates AWS_ENDPOINT_URL; the same eval must still reach the lab.
    t.need("old_aws")
    r = t.sh(lab, 'eval "$("$RL" env --data "$D")"\n/usr/bin/aws sts get-caller-identity '
             '--output json')
    t.check(r.rc == 0, "/usr/bin/aws sts get-caller-identity: %r" % r)
    t.eq(r.json()["Arn"], ROOT_ARN, "Arn (aws 2.9)")
    t.eq(r.json()["Account"], ACCOUNT, "Account (aws 2.9)")


def test_sts_boto3_old_and_new(t):
    lab = t.lab()
    for old in (True, False):
        res = t.boto(lab, [{"service": "sts", "op": "get_caller_identity"}], old=old)[0]
        t.check(res["ok"], "GetCallerIdentity (old=%s): %r" % (old, res))
        t.eq(res["data"]["Arn"], ROOT_ARN, "Arn (old=%s)" % old)
        req = res["requests"][0]
        t.check("Action=GetCallerIdentity" in (req["body"] or ""),
                "STS is Query: body %r" % req["body"])
        resp = res["response"]
        t.check(resp["body"].lstrip().startswith("<GetCallerIdentityResponse"),
                "Query XML envelope: %r" % resp["body"][:200])
        t.check("<RequestId>" in resp["body"], "ResponseMetadata/RequestId missing")


def test_ec2_regions_and_zones_with_both_clis(t):
    lab = t.lab()
    r = t.aws(lab, ["ec2", "describe-regions"])
    t.check(r.rc == 0, "describe-regions: %r" % r)
    regions = {x["RegionName"]: x for x in r.json()["Regions"]}
    t.check(len(regions) >= 15, "only %d regions" % len(regions))
    for name in ("us-east-1", "eu-west-1", "ap-northeast-1"):
        t.check(name in regions, "%s missing from %s" % (name, sorted(regions)))
    t.eq(regions["us-east-1"].get("Endpoint"), "ec2.us-east-1.amazonaws.com", "us-east-1 endpoint")
    t.eq(regions["us-east-1"].get("OptInStatus"), "opt-in-not-required", "us-east-1 opt-in")

    r = t.aws(lab, ["ec2", "describe-regions", "--region-names", "eu-west-1", "us-west-2"],
              old=True)
    t.check(r.rc == 0, "describe-regions (aws 2.9): %r" % r)
    t.eq(sorted(x["RegionName"] for x in r.json()["Regions"]), ["eu-west-1", "us-west-2"],
         "RegionName.N filter")

    r = t.aws(lab, ["ec2", "describe-availability-zones"])
    t.check(r.rc == 0, "describe-availability-zones: %r" % r)
    zones = r.json()["AvailabilityZones"]
    t.check(len(zones) >= 2, "zones: %r" % zones)
    for z in zones:
        t.check(z["ZoneName"].startswith("us-east-1") and z["RegionName"] == "us-east-1",
                "zone of another region: %r" % z)
        t.eq(z["State"], "available", "zone state")
        t.check(z.get("ZoneId"), "ZoneId missing: %r" % z)
    t.check("us-east-1a" in [z["ZoneName"] for z in zones], "us-east-1a missing")

    # The region comes from the SigV4 scope.
    r = t.aws(lab, ["ec2", "describe-availability-zones", "--region", "eu-west-1",
                    "--filters", "Name=zone-name,Values=eu-west-1b"], old=True)
    t.check(r.rc == 0, "describe-availability-zones eu-west-1 (aws 2.9): %r" % r)
    t.eq([z["ZoneName"] for z in r.json()["AvailabilityZones"]], ["eu-west-1b"],
         "zone-name filter in eu-west-1")


def test_js_sdk_sts_and_ec2(t):
    lab = t.lab()
    res = t.js(lab, [
        {"client": "STS", "command": "GetCallerIdentity"},
        {"client": "EC2", "command": "DescribeRegions", "input": {"RegionNames": ["us-east-1"]}},
        {"client": "EC2", "command": "DescribeAvailabilityZones"},
    ])
    sts, regions, zones = res
    t.check(sts["ok"], "JS GetCallerIdentity: %r" % sts)
    t.eq(sts["data"]["Arn"], ROOT_ARN, "JS Arn")
    t.check(regions["ok"], "JS DescribeRegions: %r" % regions)
    t.eq([x["RegionName"] for x in regions["data"]["Regions"]], ["us-east-1"], "JS regions")
    t.check(zones["ok"] and zones["data"]["AvailabilityZones"], "JS zones: %r" % zones)
    t.check("RegionName.1=us-east-1" in (regions["requests"][0]["body"] or ""),
            "EC2 query body: %r" % regions["requests"][0]["body"])
