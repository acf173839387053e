"""The transport under bad peers: idle keep-alive connections are closed, slow clients get
408, a head over 16 KiB 431, an oversized body 413, and a full house 503 — each an AWS error
in the caller's protocol, never HTML; at the connection limit the oldest idle connection
makes room, so a new client is always answered (also with 10 000 idle connections open)."""
import json
import resource
import socket
import time

from lab import Failure

HOST = "127.0.0.1"
STS_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/sts/"
            "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
CW_AUTH = STS_AUTH.replace("/sts/", "/monitoring/")


def _port(lab):
    return int(lab.url.rsplit(":", 1)[1])


def _connect(lab, timeout=5.0):
    s = socket.create_connection((HOST, _port(lab)), timeout=timeout)
    return s


def _read_response(s, timeout=5.0):
    """Reads one whole response (status, headers dict lower-cased, body) or raises."""
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise Failure("connection closed before a response: %r" % data[:300])
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _closed(s, timeout=5.0):
    """True when the peer closes s (EOF or reset) within timeout."""
    s.settimeout(timeout)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def _not_html(t, what, headers, body):
    t.check("html" not in headers.get("content-type", "").lower(),
            "%s: content type %r" % (what, headers.get("content-type")))
    t.check(b"<html" not in body.lower() and b"<!doctype" not in body.lower(),
            "%s answered HTML: %r" % (what, body[:300]))


def _query_error(t, what, status, headers, body, want_status, code):
    t.eq(status, want_status, what + " status")
    _not_html(t, what, headers, body)
    t.check(body.startswith(b"<ErrorResponse") and
            ("<Code>%s</Code>" % code).encode() in body and b"<RequestId>" in body,
            "%s: Query error body %r" % (what, body[:400]))


def _json_error(t, what, status, headers, body, want_status, code):
    t.eq(status, want_status, what + " status")
    _not_html(t, what, headers, body)
    t.check(headers.get("content-type", "").startswith("application/x-amz-json"),
            "%s: content type %r" % (what, headers.get("content-type")))
    doc = json.loads(body)
    t.check(doc.get("__type", "").endswith(code), "%s: __type %r" % (what, doc))
    t.check(doc.get("message"), "%s: message in %r" % (what, doc))


def _query_head(extra=b"", length=0, auth=STS_AUTH):
    return (b"POST / HTTP/1.1\r\nHost: lab\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Authorization: " + auth.encode() + b"\r\nX-Amz-Date: 20250101T000000Z\r\n" +
            extra + b"Content-Length: %d\r\n\r\n" % length)


def _json_head(extra=b"", length=0):
    return (b"POST / HTTP/1.1\r\nHost: lab\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: GraniteServiceVersion20100801.ListMetrics\r\n"
            b"Authorization: " + CW_AUTH.encode() + b"\r\nX-Amz-Date: 20250101T000000Z\r\n" +
            extra + b"Content-Length: %d\r\n\r\n" % length)


def _health(t, lab, what):
    s = _connect(lab)
    s.sendall(b"GET /_recoverlab/health HTTP/1.1\r\nHost: lab\r\n\r\n")
    status, headers, body = _read_response(s)
    s.close()
    t.eq(status, 200, what + ": health status")
    t.check(json.loads(body).get("status") == "ok", "%s: health %r" % (what, body))


def test_header_flood_is_431_in_the_callers_protocol(t):
    # (libmicrohttpd answers a head it cannot hold in its 64 KiB per-connection pool — about
    # 1 000 header fields, or 64 KiB — with its own HTML page before we see it: README)
    lab = t.lab()
    flood = b"".join(b"X-Flood-%03d: %s\r\n" % (i, b"v" * 90) for i in range(250))
    for what, head, check in (("Query", _query_head, _query_error),
                              ("JSON", _json_head, _json_error)):
        s = _connect(lab)
        s.sendall(head(flood))
        status, headers, body = _read_response(s)
        check(t, "250 headers (26 KiB) over " + what, status, headers, body, 431,
              "RequestHeaderSectionTooLarge")
        t.check(_closed(s), "%s: the connection should close after a 431" % what)
        s.close()
    # one header of 40 KiB, unsigned and without any protocol hint: Query XML
    s = _connect(lab)
    s.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\nX-Big: " + b"a" * 40 * 1024 + b"\r\n\r\n")
    status, headers, body = _read_response(s)
    _query_error(t, "a 40 KiB header", status, headers, body, 431,
                 "RequestHeaderSectionTooLarge")
    s.close()
    _health(t, lab, "after the floods")


def test_oversized_body_is_413_in_the_callers_protocol(t):
    lab = t.lab()
    s = _connect(lab)
    s.sendall(_json_head(length=20 * 1024 * 1024))
    status, headers, body = _read_response(s)
    _json_error(t, "a 20 MiB JSON body", status, headers, body, 413, "RequestEntityTooLarge")
    s.close()
    s = _connect(lab)
    s.sendall(_query_head(length=11 * 1024 * 1024))
    status, headers, body = _read_response(s)
    _query_error(t, "an 11 MiB form body", status, headers, body, 413, "RequestEntityTooLarge")
    s.close()


def test_slow_clients_get_408_and_idle_connections_close(t):
    lab = t.lab(env={"RECOVERLAB_HTTP_HEADER_TIMEOUT": "1", "RECOVERLAB_HTTP_BODY_TIMEOUT": "1",
                     "RECOVERLAB_HTTP_IDLE_TIMEOUT": "1.5"})
    # headers trickling in, one byte at a time (a slowloris): 408 and closed
    s = _connect(lab)
    s.sendall(b"POST / HTTP/1.1\r\nHost: lab\r\n")
    t0 = time.monotonic()
    got = None
    s.settimeout(0.2)
    while time.monotonic() - t0 < 6:
        try:
            s.sendall(b"X")
        except OSError:
            break
        try:
            got = s.recv(65536)
            break
        except socket.timeout:
            pass
    t.check(got, "no answer to a slow header within 6 s")
    s.settimeout(3)
    try:
        while b"\r\n\r\n" not in got or len(got.partition(b"\r\n\r\n")[2]) < 10:
            more = s.recv(65536)
            if not more:
                break
            got += more
    except OSError:
        pass
    head, _, body = got.partition(b"\r\n\r\n")
    t.check(head.startswith(b"HTTP/1.1 408"), "slow header: %r" % got[:300])
    t.check(b"<Code>RequestTimeout</Code>" in body, "slow header body: %r" % body[:300])
    _not_html(t, "slow header", {}, body)
    t.check(_closed(s), "a 408'd connection should close")
    s.close()
    # a body that never completes, over JSON: 408 as JSON
    s = _connect(lab)
    s.sendall(_json_head(length=100) + b'{"Namespace":')
    status, headers, body = _read_response(s, timeout=6)
    _json_error(t, "slow JSON body", status, headers, body, 408, "RequestTimeout")
    t.check(_closed(s), "a 408'd connection should close")
    s.close()
    # an idle keep-alive connection is closed after the idle timeout, after a request too
    s = _connect(lab)
    s.sendall(b"GET /_recoverlab/health HTTP/1.1\r\nHost: lab\r\n\r\n")
    status, _, _ = _read_response(s)
    t.eq(status, 200, "health on the keep-alive connection")
    t0 = time.monotonic()
    t.check(_closed(s, timeout=6), "idle connection still open after 6 s")
    waited = time.monotonic() - t0
    t.check(waited >= 1.0, "idle connection closed too soon (%.2fs)" % waited)
    s.close()
    _health(t, lab, "after the slow clients")


def test_oldest_idle_connection_makes_room(t):
    lab = t.lab(env={"RECOVERLAB_HTTP_MAX_CONNECTIONS": "20"})
    idle = []
    for i in range(20):
        s = _connect(lab)
        s.sendall(b"GET /_recoverlab/health HTTP/1.1\r\nHost: lab\r\n\r\n")
        _read_response(s)
        idle.append(s)
        time.sleep(0.01)
    # the 21st client is answered; the oldest idle connection was closed for it
    _health(t, lab, "at the limit")
    t.check(_closed(idle[0], timeout=3), "the oldest idle connection should have been closed")
    t.check(not _closed(idle[-1], timeout=0.3), "the newest idle connection should stay open")
    idle[-1].sendall(b"GET /_recoverlab/health HTTP/1.1\r\nHost: lab\r\n\r\n")
    status, _, _ = _read_response(idle[-1])
    t.eq(status, 200, "the newest idle connection still serves")
    for s in idle:
        s.close()


def test_full_house_of_busy_connections_is_503(t):
    lab = t.lab(env={"RECOVERLAB_HTTP_MAX_CONNECTIONS": "3"})
    busy = []
    for _ in range(3):  # three requests half sent: none idle to make room
        s = _connect(lab)
        s.sendall(b"POST / HTTP/1.1\r\nHost: lab\r\n")
        busy.append(s)
    time.sleep(0.3)
    s = _connect(lab)
    status, headers, body = _read_response(s)
    _query_error(t, "a client over the limit", status, headers, body, 503, "ServiceUnavailable")
    s.close()
    for b in busy:
        b.close()
    time.sleep(0.3)
    _health(t, lab, "once the busy clients left")


def test_ten_thousand_idle_connections(t):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 10200:
        raise Failure("this test needs 10 200 descriptors; the hard limit is %d" % hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 20000)), hard))
    lab = t.lab()
    conns = []
    try:
        for _ in range(10000):
            conns.append(socket.create_connection((HOST, _port(lab)), timeout=10))
        time.sleep(0.5)
        t0 = time.monotonic()
        _health(t, lab, "with 10 000 idle connections")
        took = time.monotonic() - t0
        t.log("health with 10 000 idle connections open: %.1f ms" % (took * 1000))
        t.check(took < 2.0, "a new client took %.2fs with 10 000 idle connections" % took)
    finally:
        for s in conns:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    time.sleep(0.5)
    _health(t, lab, "after they closed")


def test_a_timed_out_request_is_never_run(t):
    lab = t.lab(auth="off", env={"RECOVERLAB_HTTP_BODY_TIMEOUT": "1"})
    body = b"Action=CreateUser&Version=2010-05-08&UserName=too-slow"
    s = _connect(lab)
    s.sendall(b"POST / HTTP/1.1\r\nHost: lab\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body[:20])
    status, _, resp = _read_response(s, timeout=6)
    t.eq(status, 408, "half a body: status (%r)" % resp[:200])
    try:
        s.sendall(body[20:])  # the rest arrives too late
    except OSError:
        pass
    time.sleep(1.5)
    s.close()
    s = _connect(lab)
    q = b"Action=ListUsers&Version=2010-05-08"
    s.sendall(b"POST / HTTP/1.1\r\nHost: lab\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: %d\r\n\r\n" % len(q) + q)
    status, _, resp = _read_response(s)
    s.close()
    t.eq(status, 200, "ListUsers (%r)" % resp[:200])
    t.check(b"too-slow" not in resp, "the request answered 408 was run: %r" % resp[:500])
