"""A local HTTP endpoint for SNS deliveries in the e2e tests.

Receiver() listens on a free loopback port; every POST is kept (headers, body, parsed JSON)
and answered with `status` (settable: 500 makes the lab retry). With confirm=True a
SubscriptionConfirmation's SubscribeURL is fetched after the POST was answered (in its own
thread, as a well-behaved receiver does: the lab is single-threaded and waits for the
answer). verify(doc, cert_pem) checks a message's signature with the openssl command line
over AWS's documented string to sign.
"""
import base64
import http.server
import json
import os
import subprocess
import tempfile
import threading
import time
import urllib.request

NOTIFICATION_KEYS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
CONFIRMATION_KEYS = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn",
                     "Type"]


class Receiver:
    def __init__(self, status=200, confirm=True):
        self.status = status
        self.confirm = confirm
        self.requests = []
        self.confirmations = []
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8")
                try:
                    doc = json.loads(body)
                except ValueError:
                    doc = None
                with outer.lock:
                    outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                           "body": body, "json": doc, "at": time.time()})
                    status = outer.status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if (status == 200 and outer.confirm and isinstance(doc, dict)
                        and doc.get("Type") == "SubscriptionConfirmation"):
                    threading.Thread(target=outer._confirm, args=(doc["SubscribeURL"],),
                                     daemon=True).start()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/sns" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _confirm(self, url):
        time.sleep(0.05)
        try:
            with urllib.request.urlopen(url, timeout=20) as r:
                self.confirmations.append((r.status, r.read().decode()))
        except Exception as e:  # recorded for the test to show
            self.confirmations.append((0, str(e)))

    def of_type(self, t):
        with self.lock:
            return [r for r in self.requests if r["json"] and r["json"].get("Type") == t]

    def wait(self, pred, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            v = pred()
            if v:
                return v
            time.sleep(0.05)
        return pred()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def string_to_sign(doc):
    keys = NOTIFICATION_KEYS if doc["Type"] == "Notification" else CONFIRMATION_KEYS
    out = ""
    for k in keys:
        if k in doc:
            out += "%s\n%s\n" % (k, doc[k])
    return out


def verify(doc, cert_pem):
    """True when openssl verifies doc's Signature with the certificate's public key."""
    with tempfile.TemporaryDirectory() as d:
        cert = os.path.join(d, "cert.pem")
        pub = os.path.join(d, "pub.pem")
        sig = os.path.join(d, "sig")
        data = os.path.join(d, "data")
        open(cert, "w").write(cert_pem)
        open(sig, "wb").write(base64.b64decode(doc["Signature"]))
        open(data, "w").write(string_to_sign(doc))
        subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout", "-out", pub],
                       check=True, capture_output=True)
        md = "-sha256" if doc["SignatureVersion"] == "2" else "-sha1"
        r = subprocess.run(["openssl", "dgst", md, "-verify", pub, "-signature", sig, data],
                           capture_output=True, text=True)
        return r.returncode == 0 and "Verified OK" in r.stdout
