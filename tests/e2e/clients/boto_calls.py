"""Runs a list of botocore calls and prints what happened, as JSON.

Runs under either Python (the default python3 with botocore 1.43, or Debian's /usr/bin/python3
with botocore 1.29), so the e2e tests drive both SDK generations with one script.

stdin: a JSON object {"calls": [CALL, ...]} where CALL is
    {"service": "cloudwatch", "op": "put_metric_data", "params": {...},
     "endpoint": URL (default $E2E_ENDPOINT), "region": ..., "key": ..., "secret": ...,
     "token": ..., "unsigned": false, "skew_minutes": 0, "max_attempts": null}
stdout: one JSON object {"botocore": VERSION, "results": [RESULT, ...]} where RESULT is
    {"ok": bool, "data": parsed output, "code": ..., "message": ..., "status": HTTP status,
     "attempts": requests sent, "elapsed": seconds,
     "requests": [{"method", "url", "headers", "body"}], "response": {"status", "headers",
     "body"}}   (bodies as latin-1 text, cut to 4 KiB)
"""
import datetime
import datetime as _real_datetime
import json
import os
import sys
import time

import botocore
import botocore.auth
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

_skew = datetime.timedelta(0)


def _install_skew_patch():
    """Makes botocore sign with wall time + _skew. The signers read the time through
    botocore/auth.py, or botocore/crt/auth.py when awscrt is installed (Debian's is)."""

    class _Dt(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcnow() + _skew

    class _Mod:
        datetime = _Dt
        timedelta = _real_datetime.timedelta
        timezone = _real_datetime.timezone

    for name in ("botocore.auth", "botocore.crt.auth"):
        mod = sys.modules.get(name)
        if mod is None:
            continue
        if hasattr(mod, "get_current_datetime"):  # botocore >= 1.35
            orig = mod.get_current_datetime
            mod.get_current_datetime = lambda *a, _orig=orig, **k: _orig(*a, **k) + _skew
        if getattr(mod, "datetime", None) is _real_datetime:  # botocore 1.29
            mod.datetime = _Mod


def _text(b, limit=4096):
    if b is None:
        return None
    if isinstance(b, str):
        return b[:limit]
    if hasattr(b, "read"):
        return None
    return bytes(b)[:limit].decode("latin-1")


def _run_one(session, spec):
    global _skew
    _skew = datetime.timedelta(minutes=spec.get("skew_minutes", 0))
    cfg = {"retries": {"max_attempts": spec["max_attempts"]}} if spec.get("max_attempts") else {}
    if spec.get("unsigned"):
        cfg["signature_version"] = botocore.UNSIGNED
    client = session.create_client(
        spec["service"],
        region_name=spec.get("region") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        endpoint_url=spec.get("endpoint") or os.environ["E2E_ENDPOINT"],
        aws_access_key_id=spec.get("key") or os.environ.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=spec.get("secret") or os.environ.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=spec.get("token"),
        config=Config(**cfg),
    )
    sent, resp = [], {}

    def on_send(request, **_):
        sent.append({"method": request.method, "url": request.url,
                     "headers": {k: (v.decode() if isinstance(v, bytes) else v)
                                 for k, v in request.headers.items()},
                     "body": _text(request.body)})

    def on_response(response_dict=None, **_):
        if response_dict is not None:
            resp.update({"status": response_dict.get("status_code"),
                         "headers": dict(response_dict.get("headers") or {}),
                         "body": _text(response_dict.get("body"))})

    client.meta.events.register("before-send", on_send)
    client.meta.events.register("response-received", on_response)
    out = {"ok": False}
    t0 = time.monotonic()
    try:
        data = getattr(client, spec["op"])(**spec.get("params", {}))
        out.update(ok=True, data=data, status=data["ResponseMetadata"]["HTTPStatusCode"])
    except ClientError as e:
        err = e.response.get("Error", {})
        out.update(code=err.get("Code"), message=err.get("Message"),
                   query_error_code=err.get("QueryErrorCode"),
                   status=e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
    except Exception as e:  # connection errors, parse errors: report, do not crash
        out.update(code="exception:" + type(e).__name__, message=str(e))
    out["elapsed"] = time.monotonic() - t0
    out["attempts"] = len(sent)
    out["requests"] = sent
    out["response"] = resp
    return out


def main():
    spec = json.load(sys.stdin)
    _install_skew_patch()
    session = botocore.session.get_session()
    results = [_run_one(session, c) for c in spec["calls"]]
    json.dump({"botocore": botocore.__version__, "results": results}, sys.stdout, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
