"""Crashes and disk faults: `kill -9` under write load from two clients loses no acknowledged
write; a full disk answers AWS errors, loses nothing acknowledged and recovers when space
returns; a corrupt or foreign recoverlab.db stops `serve` with a clear message and exit 2,
overwriting nothing."""
import hashlib
import http.client
import os
import random
import re
import shutil
import sqlite3
import subprocess
import threading
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lab import BIN, Failure, Skip

REGION = "us-east-1"


class Client:
    """Signed IAM Query calls over one keep-alive connection (botocore's signer)."""

    def __init__(self, lab, creds=None):
        self.host, port = lab.url[len("http://"):].rsplit(":", 1)
        self.port = int(port)
        self.creds = Credentials(*(creds or lab.creds()))
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)

    def call(self, params):
        body = "&".join("%s=%s" % kv for kv in dict(params, Version="2010-05-08").items())
        req = AWSRequest(method="POST", url="http://%s:%d/" % (self.host, self.port), data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        SigV4Auth(self.creds, "iam", REGION).add_auth(req)
        self.conn.request("POST", "/", body=body, headers=dict(req.headers.items()))
        r = self.conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")

    def close(self):
        self.conn.close()


def list_users(t, lab):
    c = Client(lab)
    names, marker = set(), None
    while True:
        p = {"Action": "ListUsers", "MaxItems": "1000"}
        if marker:
            p["Marker"] = marker
        status, body = c.call(p)
        t.eq(status, 200, "ListUsers status (%s)" % body[:300])
        names |= set(re.findall(r"<UserName>([^<]+)</UserName>", body))
        m = re.search(r"<Marker>([^<]+)</Marker>", body)
        if "<IsTruncated>true</IsTruncated>" not in body or not m:
            break
        marker = m.group(1)
    c.close()
    return names


def writer(lab, creds, prefix, acked, stop, started):
    """Creates users until the server goes away; records each one answered 200."""
    try:
        c = Client(lab, creds)
        n = 0
        while not stop.is_set():
            name = "%s-%d" % (prefix, n)
            n += 1
            status, body = c.call({"Action": "CreateUser", "UserName": name})
            if status == 200 and "<CreateUserResult>" in body:
                acked.append(name)
                started.set()
    except (OSError, http.client.HTTPException):
        pass  # killed under us: whatever was in flight is neither acknowledged nor required


def test_kill9_under_write_load_loses_no_acknowledged_write(t):
    lab = t.lab()
    creds = lab.creds()
    rnd = random.Random(int(os.environ.get("RECOVERLAB_KILL_SEED", "0")) or None)
    acked_all = []
    rounds = int(os.environ.get("RECOVERLAB_KILL_ROUNDS", "20"))
    for rnd_i in range(rounds):
        acked = [[], []]
        stop = threading.Event()
        started = [threading.Event(), threading.Event()]
        threads = [threading.Thread(target=writer, args=(lab, creds, "r%d-c%d" % (rnd_i, k),
                                                         acked[k], stop, started[k]))
                   for k in (0, 1)]
        for th in threads:
            th.start()
        for ev in started:  # both clients are writing (a loaded machine may be slow to start)
            ev.wait(10)
        time.sleep(rnd.uniform(0.0, 0.5))  # then a random kill point under load
        lab.kill()
        stop.set()
        for th in threads:
            th.join(15)
        acked_all += acked[0] + acked[1]
        lab.start()
        have = list_users(t, lab)
        lost = [n for n in acked_all if n not in have]
        t.check(not lost, "round %d: %d acknowledged users lost after kill -9, e.g. %r" %
                (rnd_i, len(lost), lost[:5]))
    t.log("%d acknowledged writes over %d kill -9 rounds, 0 lost" % (len(acked_all), rounds))
    t.check(len(acked_all) >= rounds * 2, "too few writes acknowledged: %d" % len(acked_all))


def _files(d):
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def _serve_refuses(t, data, what, words):
    before = _files(data)
    r = t.run([BIN, "serve", "--listen", "127.0.0.1:0", "--data", data], timeout=20)
    t.eq(r.rc, 2, "%s: serve exit status (%r)" % (what, r))
    t.check("recoverlab listening" not in r.out, "%s: serve started: %r" % (what, r))
    t.check("refusing to start" in r.err and "recoverlab.db" in r.err and words in r.err,
            "%s: message %r" % (what, r.err[-600:]))
    t.eq(_files(data), before, "%s: files in the data directory after the refusal" % what)


def test_corrupt_or_foreign_store_is_refused_untouched(t):
    # not SQLite at all
    d = t.mkdtemp("garbage")
    with open(os.path.join(d, "recoverlab.db"), "wb") as f:
        f.write(random.Random(7).randbytes(200000))
    _serve_refuses(t, d, "random bytes", "not a SQLite database")
    # another program's SQLite database (no recoverlab tables)
    d = t.mkdtemp("foreign")
    db = sqlite3.connect(os.path.join(d, "recoverlab.db"))
    db.execute("CREATE TABLE photos(id INTEGER PRIMARY KEY, path TEXT)")
    db.execute("INSERT INTO photos(path) VALUES ('a.jpg')")
    db.commit()
    db.close()
    _serve_refuses(t, d, "a photo catalogue", "another program")
    # another program's database that says so (application_id), even with a meta table
    d = t.mkdtemp("appid")
    db = sqlite3.connect(os.path.join(d, "recoverlab.db"))
    db.execute("PRAGMA application_id = 1234")
    db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    db.commit()
    db.close()
    _serve_refuses(t, d, "application_id 1234", "another program")
    # a lab's own database with a damaged page
    lab = t.lab()
    c = Client(lab)
    for i in range(300):
        status, _ = c.call({"Action": "CreateUser", "UserName": "u%03d" % i})
        t.eq(status, 200, "CreateUser")
    c.close()
    lab.stop()
    path = os.path.join(lab.data, "recoverlab.db")
    t.check(not os.path.exists(path + "-wal") or os.path.getsize(path + "-wal") == 0,
            "a clean stop leaves no WAL to replay")
    size = os.path.getsize(path)
    with open(path, "r+b") as f:  # scribble over the middle pages (not the header)
        rng = random.Random(11)
        for off in range(4096 * 2, size - 4096, 4096 * 3):
            f.seek(off + 100)
            f.write(rng.randbytes(1500))
    _serve_refuses(t, lab.data, "a damaged database", "corrupt")
    # and a healthy lab directory still starts (the checks do not refuse our own)
    lab2 = t.lab()
    lab2.restart()


def _mount_small_fs(t, size_kib):
    """A tmpfs of size_kib mounted on a fresh directory; Skip (with why) where impossible."""
    d = t.mkdtemp("smallfs")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk,mode=0700" % size_kib, "tmpfs",
                        d], capture_output=True, text=True)
    if r.returncode != 0:
        raise Skip("cannot mount a small tmpfs for the disk-full test (`mount -t tmpfs` exited "
                   "%d: %s); needs root or CAP_SYS_ADMIN" % (r.returncode, r.stderr.strip()))
    return d


def test_full_disk_answers_errors_loses_nothing_and_recovers(t):
    mnt = _mount_small_fs(t, 6 * 1024)
    try:
        data = os.path.join(mnt, "data")
        lab = t.lab(data=data)
        c = Client(lab)
        acked = []
        for i in range(20):
            status, _ = c.call({"Action": "CreateUser", "UserName": "before-%d" % i})
            t.eq(status, 200, "CreateUser before the disk fills")
            acked.append("before-%d" % i)
        # fill the filesystem
        filler = os.path.join(mnt, "filler")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        errors = {}
        for i in range(300):
            name = "full-%d" % i
            try:
                status, body = c.call({"Action": "CreateUser", "UserName": name,
                                       "Path": "/" + "p" * 400 + "/"})
            except (OSError, http.client.HTTPException) as e:
                raise Failure("the server stopped answering on a full disk: %r; stderr:\n%s" %
                              (e, lab.stderr()[-1500:]))
            if status == 200:
                acked.append(name)
                continue
            code = re.search(r"<Code>([^<]+)</Code>", body)
            errors[code.group(1) if code else body[:200]] = status
            t.check("<html" not in body.lower(), "HTML on a full disk: %r" % body[:300])
        t.log("on the full disk: %d acknowledged, errors %r" % (len(acked), errors))
        t.check(errors, "no write failed on a full disk (the filesystem was not full?)")
        t.check(set(errors) <= {"InternalFailure", "ServiceUnavailable"},
                "full-disk errors should be InternalFailure/ServiceUnavailable: %r" % errors)
        t.check(all(s in (500, 503) for s in errors.values()), "statuses %r" % errors)
        # (reads fail as well while full: each call's CloudTrail event is a write)
        # space returns: everything answers again without a restart
        os.unlink(filler)
        have = list_users(t, lab)
        t.check(set(acked) <= have, "acknowledged users missing after the disk was full: %r" %
                sorted(set(acked) - have)[:5])
        status, body = c.call({"Action": "CreateUser", "UserName": "after"})
        t.eq(status, 200, "CreateUser once space returned (%s)" % body[:300])
        acked.append("after")
        c.close()
        lab.restart()
        have = list_users(t, lab)
        t.check(set(acked) <= have, "acknowledged users lost across the restart: %r" %
                sorted(set(acked) - have)[:5])
        lab.stop()
    finally:
        for lab in t.labs:
            lab.kill()
        subprocess.run(["umount", "-l", mnt], capture_output=True)
