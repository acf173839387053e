#!/usr/bin/env python3
"""Generate SigV4 test vectors for tests/unit/sigv4_test.c from signers we did not write.

    python3 tools/gen_sigv4_vectors.py [--js-node-path DIR] [--no-capture] \
        [--fuzz-seeds fuzz/seeds/fuzz_sigv4] > tests/unit/sigv4_vectors.inc

Sources, each turned into the exact bytes of an HTTP/1.1 request plus the credentials used:
  * the AWS SigV4 test suite (aws-sig-v4-test-suite, 2015-08-30; the published requests
    and signatures, as carried in the AWS SDKs' test data) -- data, checked here against an
    independent Python computation before it is emitted;
  * botocore's SigV4Auth / SigV4QueryAuth / S3SigV4QueryAuth (whatever botocore this python3
    imports), with a fixed timestamp;
  * the AWS JS SDK v3 signer (@smithy/signature-v4) when --js-node-path names a node_modules
    directory holding it (npm install @smithy/signature-v4 @aws-crypto/sha256-js);
  * captured wire bytes: curl --aws-sigv4, the AWS CLI (python3 -m awscli / `aws`) and
    Debian's /usr/bin/aws (v2) sending to a throwaway listener on 127.0.0.1 (skipped with
    --no-capture or when a client is missing). Captured requests carry the real time they
    were made; the tests use each request's own X-Amz-Date as the wall clock.
"""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

HOST = '127.0.0.1:4566'
FIXED = datetime.datetime(2026, 11, 28, 17, 50, 49)

# ---------------------------------------------------------------------------------------
# AWS SigV4 test suite (service "service", us-east-1, 20150830T123600Z).
SUITE_AKID = 'AKIDEXAMPLE'
SUITE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
SUITE_TOKEN = ('AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeM'
               'icRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZ'
               'ampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38x'
               'Vqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2'
               'ICCR/oLxBA==')
SUITE_HDRS = [('Host', 'example.amazonaws.com'), ('X-Amz-Date', '20150830T123600Z')]
# name, method, target, extra headers, body, expected signature
SUITE = [
    ('get-vanilla', 'GET', '/', [], b'',
     '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'),
    ('get-vanilla-query-order-key-case', 'GET', '/?Param2=value2&Param1=value1', [], b'',
     'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'),
    ('get-vanilla-query-order-key', 'GET', '/?Param1=value2&Param1=Value1', [], b'',
     'eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1'),
    ('get-vanilla-query-order-value', 'GET', '/?Param1=value2&Param1=value1', [], b'',
     '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694'),
    ('get-vanilla-query-unreserved', 'GET',
     '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz='
     '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', [], b'',
     '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197'),
    ('get-vanilla-utf8-query', 'GET', '/?\u1234=bar', [], b'',
     '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04'),
    ('get-utf8', 'GET', '/\u1234', [], b'',
     '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'),
    ('get-unreserved', 'GET',
     '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', [], b'',
     '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f'),
    ('get-header-key-duplicate', 'GET', '/',
     [('My-Header1', 'value2'), ('My-Header1', 'value2'), ('My-Header1', 'value1')], b'',
     'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea'),
    ('get-header-value-order', 'GET', '/',
     [('My-Header1', 'value4'), ('My-Header1', 'value1'), ('My-Header1', 'value3'),
      ('My-Header1', 'value2')], b'',
     '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01'),
    ('get-header-value-trim', 'GET', '/',
     [('My-Header1', ' value1'), ('My-Header2', ' "a   b   c"')], b'',
     'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736'),
    ('normalize-path/get-relative', 'GET', '/example/..', [], b'',
     '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'),
    ('normalize-path/get-relative-relative', 'GET', '/example1/example2/../..', [], b'',
     '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'),
    ('normalize-path/get-slash', 'GET', '//', [], b'',
     '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'),
    ('normalize-path/get-slash-dot-slash', 'GET', '/./', [], b'',
     '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'),
    ('normalize-path/get-slash-pointless-dot', 'GET', '/./example', [], b'',
     'ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5'),
    ('normalize-path/get-slashes', 'GET', '//example//', [], b'',
     '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84'),
    ('normalize-path/get-space', 'GET', '/example space/', [], b'',
     '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741'),
    ('post-vanilla', 'POST', '/', [], b'',
     '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'),
    ('post-vanilla-query', 'POST', '/?Param1=value1', [], b'',
     '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11'),
    ('post-header-key-sort', 'POST', '/', [('My-Header1', 'value1')], b'',
     'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c'),
    ('post-header-value-case', 'POST', '/', [('My-Header1', 'VALUE1')], b'',
     'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d'),
    ('post-sts-token/post-sts-header-before', 'POST', '/',
     [('X-Amz-Security-Token', SUITE_TOKEN)], b'',
     '85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead'),
    ('post-x-www-form-urlencoded', 'POST', '/',
     [('Content-Type', 'application/x-www-form-urlencoded')], b'Param1=value1',
     'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a'),
    ('post-x-www-form-urlencoded-parameters', 'POST', '/',
     [('Content-Type', 'application/x-www-form-urlencoded; charset=utf8')], b'Param1=value1',
     '1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe'),
]


def independent_signature(method, target, headers, body, secret, scope, amz_date):
    """A second, plain computation of the suite's canonical form (sanity check only)."""
    from urllib.parse import unquote_to_bytes

    def enc(b, keep=b''):
        return ''.join(chr(c) if chr(c).isalnum() and c < 128 or c in b'-_.~' + keep
                       else '%%%02X' % c for c in b)
    path, _, query = target.partition('?')
    segs = []
    for s in path.split('/'):
        if s in ('', '.'):
            continue
        if s == '..':
            segs and segs.pop()
        else:
            segs.append(s)
    norm = '/' + '/'.join(segs) + ('/' if segs and path.endswith('/') else '')
    cpath = enc(norm.encode(), b'/')
    pairs = []
    for part in filter(None, query.split('&')):
        k, _, v = part.partition('=')
        pairs.append((enc(unquote_to_bytes(k)), enc(unquote_to_bytes(v))))
    cquery = '&'.join('%s=%s' % kv for kv in sorted(pairs))
    names = sorted({k.lower() for k, _ in headers})
    ch = ''.join('%s:%s\n' % (n, ','.join(' '.join(v.split()) for k, v in headers
                                           if k.lower() == n)) for n in names)
    creq = '\n'.join([method, cpath, cquery, ch, ';'.join(names),
                      hashlib.sha256(body).hexdigest()])
    sts = '\n'.join(['AWS4-HMAC-SHA256', amz_date, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ('AWS4' + secret).encode()
    for part in scope.split('/'):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return hmac.new(k, sts.encode(), hashlib.sha256).hexdigest(), ';'.join(names)


def raw_request(method, target, headers, body):
    if body and not any(k.lower() == 'content-length' for k, _ in headers):
        headers = headers + [('Content-Length', str(len(body)))]
    head = '%s %s HTTP/1.1\r\n' % (method, target)
    head += ''.join('%s: %s\r\n' % (k, v) for k, v in headers)
    return head.encode('utf-8') + b'\r\n' + body


def suite_vectors():
    out = []
    for name, method, target, extra, body, want in SUITE:
        headers = SUITE_HDRS[:1] + extra + SUITE_HDRS[1:]
        scope = '20150830/us-east-1/service/aws4_request'
        got, signed = independent_signature(method, target, headers, body, SUITE_SECRET, scope,
                                            '20150830T123600Z')
        if got != want:
            sys.exit('suite vector %s: independent computation disagrees' % name)
        auth = ('AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s'
                % (SUITE_AKID, scope, signed, want))
        hdrs = headers + [('Authorization', auth)]
        token = SUITE_TOKEN if 'sts' in name else None
        out.append(('suite/' + name, 'AWS SigV4 test suite', raw_request(method, target, hdrs, body),
                    SUITE_AKID, SUITE_SECRET, token))
    return out


# ---------------------------------------------------------------------------------------
# botocore
def botocore_vectors():
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from urllib.parse import urlsplit

    botocore.auth.get_current_datetime = lambda *a, **k: FIXED
    src = 'botocore %s' % botocore.__version__
    akid, secret = 'AKIDBOTOCOREEXAMPLE1', 'botoSecret/Example+Key000000000000000000'
    token = 'IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes=='
    out = []

    def emit(name, req, signer, tok=None, host=HOST):
        signer.add_auth(req)
        prep = req.prepare()
        parts = urlsplit(prep.url)
        target = parts.path or '/'
        if parts.query:
            target += '?' + parts.query
        hdrs = [('Host', host)]
        for k, v in req.headers.items():  # the signed headers, duplicates kept
            hdrs.append((k, v if isinstance(v, str) else v.decode()))
        body = prep.body or b''
        if isinstance(body, str):
            body = body.encode()
        out.append(('botocore/' + name, src, raw_request(prep.method, target, hdrs, body), akid,
                    secret, tok))

    creds = Credentials(akid, secret)
    tcreds = Credentials(akid, secret, token)
    url = 'http://%s/' % HOST

    r = AWSRequest('POST', url, data='Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FEC2',
                   headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
    emit('query-form-post', r, botocore.auth.SigV4Auth(creds, 'monitoring', 'us-east-1'))

    r = AWSRequest('POST', url, data=b'{"AlarmNames":["cpu high"]}',
                   headers={'Content-Type': 'application/x-amz-json-1.0',
                            'X-Amz-Target': 'GraniteServiceVersion20100801.DescribeAlarms'})
    emit('json-target', r, botocore.auth.SigV4Auth(creds, 'monitoring', 'eu-west-2'))

    r = AWSRequest('GET', 'http://%s/_recoverlab/instances' % HOST,
                   params=[('name', 'a b'), ('uni', '\u00e9\u2713'), ('plus', 'x+y'),
                           ('slash', 'p/q'), ('rep', '2'), ('rep', '1'), ('tilde', '~ok'),
                           ('empty', '')])
    emit('get-query-specials', r, botocore.auth.SigV4Auth(creds, 'recoverlab', 'us-east-1'))

    r = AWSRequest('GET', 'http://%s/x//y/./z/../a%%20b/c%%2Fd/' % HOST)
    emit('path-specials', r, botocore.auth.SigV4Auth(creds, 'recoverlab', 'us-east-1'))

    r = AWSRequest('POST', url, data='Action=GetCallerIdentity&Version=2011-06-15',
                   headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
    emit('session-token', r, botocore.auth.SigV4Auth(tcreds, 'sts', 'us-east-1'), token)

    r = AWSRequest('POST', url, data='Action=ListMetrics&Version=2010-08-01',
                   headers={'Content-Type': 'application/x-www-form-urlencoded'})
    r.headers['X-Amz-Meta-Dup'] = '  first   value  '
    r.headers['X-Amz-Meta-Dup'] = 'second\tvalue'
    r.headers['X-Amz-Meta-Other'] = 'z'
    emit('duplicate-headers', r, botocore.auth.SigV4Auth(creds, 'monitoring', 'us-east-1'))

    r = AWSRequest('POST', url, data='Action=ListMetrics&Version=2010-08-01',
                   headers={'Content-Type': 'application/x-www-form-urlencoded',
                            'Date': 'placeholder'})
    emit('date-header', r, botocore.auth.SigV4Auth(creds, 'monitoring', 'us-east-1'))

    r = AWSRequest('POST', 'https://%s/' % HOST, data='Action=ListMetrics&Version=2010-08-01',
                   headers={'Content-Type': 'application/x-www-form-urlencoded'})
    r.context['payload_signing_enabled'] = False
    emit('unsigned-payload', r, botocore.auth.SigV4Auth(creds, 'monitoring', 'us-east-1'))

    r = AWSRequest('GET', url, data={'Action': 'GetCallerIdentity', 'Version': '2011-06-15'})
    emit('presigned', r, botocore.auth.SigV4QueryAuth(creds, 'sts', 'us-east-1', expires=900))

    r = AWSRequest('GET', url, data={'Action': 'GetCallerIdentity', 'Version': '2011-06-15'})
    emit('presigned-token', r, botocore.auth.SigV4QueryAuth(tcreds, 'sts', 'us-east-1',
                                                             expires=3600), token)

    r = AWSRequest('GET', 'http://%s/_recoverlab/clock' % HOST)
    emit('presigned-unsigned-payload', r,
         botocore.auth.S3SigV4QueryAuth(creds, 'recoverlab', 'us-east-1', expires=60))
    return out


# ---------------------------------------------------------------------------------------
# AWS JS SDK v3 (@smithy/signature-v4)
JS = r'''
const { SignatureV4 } = require("@smithy/signature-v4");
const { Sha256 } = require("@aws-crypto/sha256-js");
const date = new Date(Date.UTC(2026, 10, 28, 17, 50, 49));
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
function qs(q) {
  const parts = [];
  for (const k of Object.keys(q)) {
    for (const v of [].concat(q[k])) parts.push(enc(k) + "=" + enc(v));
  }
  return parts.join("&");
}
const creds = { accessKeyId: "AKIDJSSDKV3EXAMPLE01", secretAccessKey: "jsSecret/Example+Key00000000000000000000" };
const tcreds = Object.assign({ sessionToken: "FQoGZXIvYXdzJSEXAMPLE/token+=" }, creds);
async function one(name, service, c, req, presign) {
  const signer = new SignatureV4({ credentials: c, region: "us-east-1", service, sha256: Sha256 });
  const out = presign ? await signer.presign(req, { signingDate: date, expiresIn: 900 })
                      : await signer.sign(req, { signingDate: date });
  const q = qs(out.query || {});
  return { name, method: out.method, target: out.path + (q ? "?" + q : ""),
           headers: Object.entries(out.headers), body: out.body || "",
           akid: c.accessKeyId, secret: c.secretAccessKey, token: c.sessionToken || null };
}
(async () => {
  const host = "127.0.0.1:4566";
  const base = (o) => Object.assign({ protocol: "http:", hostname: "127.0.0.1", port: 4566,
                                      query: {}, headers: { host } }, o);
  const v = [];
  v.push(await one("json-target", "monitoring", creds, base({ method: "POST", path: "/",
      headers: { host, "content-type": "application/x-amz-json-1.0",
                 "x-amz-target": "GraniteServiceVersion20100801.DescribeAlarms" },
      body: '{"AlarmNamePrefix":"web"}' })));
  v.push(await one("get-query-specials", "recoverlab", creds, base({ method: "GET",
      path: "/_recoverlab/faults", query: { b: "x y", a: ["2", "1"], "k+": "p/q", u: "\u00e9" } })));
  v.push(await one("path-specials", "recoverlab", creds, base({ method: "GET",
      path: "/x//y/a%20b/c%2Fd" })));
  v.push(await one("session-token", "sts", tcreds, base({ method: "POST", path: "/",
      headers: { host, "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15" })));
  v.push(await one("presigned", "sts", tcreds, base({ method: "GET", path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" } }), true));
  process.stdout.write(JSON.stringify(v));
})().catch((e) => { console.error(e); process.exit(1); });
'''


def js_vectors(node_path):
    if not node_path or not shutil.which('node'):
        return []
    env = dict(os.environ, NODE_PATH=node_path)
    res = subprocess.run(['node', '-e', JS], env=env, capture_output=True, text=True, check=True)
    ver = json.load(open(os.path.join(node_path, '@smithy/signature-v4/package.json')))['version']
    out = []
    for v in json.loads(res.stdout):
        hdrs = [(k, str(val)) for k, val in v['headers']]
        body = v['body'].encode()
        out.append(('jsv3/' + v['name'], '@smithy/signature-v4 %s' % ver,
                    raw_request(v['method'], v['target'], hdrs, body), v['akid'], v['secret'],
                    v['token']))
    return out


# ---------------------------------------------------------------------------------------
# Captured wire bytes
class Listener:
    """Accepts connections on 127.0.0.1, keeps each raw request, answers 400."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with c:
                data = b''
                while b'\r\n\r\n' not in data:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, _, rest = data.partition(b'\r\n\r\n')
                clen = 0
                for line in head.split(b'\r\n')[1:]:
                    k, _, v = line.partition(b':')
                    if k.strip().lower() == b'content-length':
                        clen = int(v)
                while len(rest) < clen:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    rest += chunk
                self.requests.append(head + b'\r\n\r\n' + rest)
                body = (b'<ErrorResponse><Error><Type>Sender</Type><Code>Captured</Code>'
                        b'<Message>captured</Message></Error><RequestId>0</RequestId>'
                        b'</ErrorResponse>')
                c.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\n'
                          b'Connection: close\r\nContent-Length: %d\r\n\r\n' % len(body) + body)

    def take(self):
        r, self.requests = self.requests, []
        return r


def captured_vectors():
    out = []
    lst = Listener()
    url = 'http://127.0.0.1:%d' % lst.port
    ckey, csecret = 'AKIDEXAMPLECURL00001', 'curlSecretKey/Example+Key0123456789abcd'
    curl = shutil.which('curl')
    if curl:
        ver = subprocess.run([curl, '--version'], capture_output=True, text=True).stdout.split()[1]
        runs = [
            ('post-form', 'aws:amz:us-east-1:monitoring', ['-H',
             'Content-Type: application/x-www-form-urlencoded', '--data',
             'Action=ListMetrics&Version=2010-08-01'], '/'),
            ('get-admin', 'aws:amz:eu-west-1:recoverlab', [], '/_recoverlab/clock'),
            ('post-json', 'aws:amz:us-east-1:recoverlab', ['-X', 'POST', '-H',
             'Content-Type: application/json', '--data', '{"advanceSeconds":90}'],
             '/_recoverlab/clock'),
            ('query-unsorted', 'aws:amz:us-east-1:monitoring', [],
             '/?b=2&a=1&a=0&c=x%2Fy&d=hello%20world&e=%E2%9C%93'),
            ('path-specials', 'aws:amz:us-east-1:monitoring', [], '/a%20b/c%2Fd?x=a+b&y=%7e&z'),
            ('double-slash', 'aws:amz:us-east-1:monitoring', [], '/a//b/./c/../d'),
        ]
        for name, prov, extra, path in runs:
            subprocess.run([curl, '-s', '-o', '/dev/null', '--aws-sigv4', prov, '--user',
                            '%s:%s' % (ckey, csecret)] + extra + [url + path], check=False)
            for raw in lst.take():
                out.append(('curl/' + name, 'curl %s --aws-sigv4' % ver, raw, ckey, csecret,
                            None))
    akey, asecret = 'AKIDEXAMPLECLI000001', 'cliSecret/Example+Key00000000000000000000'
    atoken = 'FwoGZXIvYXdzEXAMPLETOKEN//+='
    env = dict(os.environ, AWS_ACCESS_KEY_ID=akey, AWS_SECRET_ACCESS_KEY=asecret,
               AWS_DEFAULT_REGION='us-east-1', AWS_MAX_ATTEMPTS='1', AWS_RETRY_MODE='standard',
               AWS_CONFIG_FILE='/dev/null', AWS_SHARED_CREDENTIALS_FILE='/dev/null')
    env.pop('AWS_SESSION_TOKEN', None)
    env.pop('AWS_PROFILE', None)
    clis = []
    if shutil.which('aws'):
        clis.append(('awscli', shutil.which('aws')))
    if os.path.exists('/usr/bin/aws') and '/usr/bin/aws' not in [c[1] for c in clis]:
        clis.append(('awscli2', '/usr/bin/aws'))
    for tag, exe in clis:
        ver = subprocess.run([exe, '--version'], capture_output=True, text=True, env=env)
        ver = (ver.stdout or ver.stderr).split()[0]
        runs = [
            ('cloudwatch-describe-alarms', ['cloudwatch', 'describe-alarms', '--alarm-names',
                                            'my alarm', 'a+b/c'], None),
            ('sts-get-caller-identity-token', ['sts', 'get-caller-identity'], atoken),
            ('ec2-describe-instances', ['ec2', 'describe-instances', '--instance-ids',
                                        'i-0123456789abcdef0'], None),
        ]
        for name, args, tok in runs:
            e = dict(env, AWS_SESSION_TOKEN=tok) if tok else env
            subprocess.run([exe, '--endpoint-url', url] + args, env=e, capture_output=True,
                           timeout=60, check=False)
            for raw in lst.take():
                out.append(('%s/%s' % (tag, name), ver, raw, akey, asecret, tok))
    lst.sock.close()
    return out


# ---------------------------------------------------------------------------------------
def c_string(b):
    s = '"'
    for i, c in enumerate(b):
        if c == 0x0a:
            s += '\\n"\n    "'
        elif c == 0x0d:
            s += '\\r'
        elif c in (0x22, 0x5c):
            s += '\\' + chr(c)
        elif c == 0x3f:
            s += '\\?'
        elif 0x20 <= c < 0x7f:
            s += chr(c)
        else:
            s += '\\%03o' % c
    return s + '"'


def c_opt(s):
    return c_string(s.encode()) if s is not None else 'NULL'


def fuzz_seed(raw):
    """A request in fuzz/fuzz_sigv4.c's input format (newline-separated fields)."""
    head, _, body = raw.partition(b'\r\n\r\n')
    lines = head.split(b'\r\n')
    target = lines[0].split(b' ')[1]
    path, _, query = target.partition(b'?')
    hdrs = [(k.strip().lower(), v.strip()) for k, _, v in (l.partition(b':') for l in lines[1:])]
    get = lambda n: next((v for k, v in hdrs if k == n), b'')
    extra = next((k + b':' + v for k, v in hdrs if k in (b'content-type', b'x-amz-target',
                                                        b'my-header1')), b'')
    return b'\n'.join([get(b'authorization'), query, path, get(b'x-amz-date'), get(b'date'),
                       get(b'x-amz-security-token'), get(b'x-amz-content-sha256'), extra, body])


def write_fuzz_seeds(outdir, vecs):
    os.makedirs(outdir, exist_ok=True)
    picks = [v for v in vecs if v[0] in (
        'suite/get-vanilla-query-order-key-case', 'suite/get-header-value-trim',
        'suite/normalize-path/get-slashes', 'botocore/query-form-post', 'botocore/json-target',
        'botocore/get-query-specials', 'botocore/path-specials', 'botocore/date-header',
        'botocore/unsigned-payload', 'botocore/presigned-token', 'jsv3/presigned',
        'curl/query-unsorted')]
    for i, v in enumerate(picks):
        with open(os.path.join(outdir, 'seed-%02d' % i), 'wb') as f:
            f.write(fuzz_seed(v[2]))
    # one request the fuzz target's lookup (secret "fuzz-secret") accepts
    amz = FIXED.strftime('%Y%m%dT%H%M%SZ')
    scope = '%s/us-east-1/monitoring/aws4_request' % amz[:8]
    body = b'Action=ListMetrics&Version=2010-08-01'
    hdrs = [('Host', HOST), ('Content-Type', 'application/x-www-form-urlencoded'),
            ('X-Amz-Date', amz)]
    sig, signed = independent_signature('POST', '/?a=b%20c', hdrs, body, 'fuzz-secret', scope,
                                        amz)
    auth = ('AWS4-HMAC-SHA256 Credential=AKIDFUZZ/%s, SignedHeaders=%s, Signature=%s'
            % (scope, signed, sig)).encode()
    with open(os.path.join(outdir, 'seed-valid'), 'wb') as f:
        f.write(b'\n'.join([auth, b'a=b%20c', b'/', amz.encode(), b'', b'', b'',
                            b'Content-Type:application/x-www-form-urlencoded', body]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--js-node-path', default=os.environ.get('SIGV4_JS_NODE_PATH'))
    ap.add_argument('--no-capture', action='store_true')
    ap.add_argument('--fuzz-seeds', metavar='DIR',
                    help='also write seeds for fuzz/fuzz_sigv4.c into DIR')
    a = ap.parse_args()
    vecs = suite_vectors() + botocore_vectors() + js_vectors(a.js_node_path)
    if not a.no_capture:
        vecs += captured_vectors()
    if a.fuzz_seeds:
        write_fuzz_seeds(a.fuzz_seeds, vecs)
    print('/* Generated by tools/gen_sigv4_vectors.py -- do not edit. Each entry is the exact')
    print(' * bytes of one HTTP/1.1 request signed by a signer we did not write, with the')
    print(' * credentials it was signed with. */')
    print('static const struct sigv4_vector sigv4_vectors[] = {')
    for name, src, raw, akid, secret, token in vecs:
        print('{%s, %s,\n    %s,\n    %d, %s, %s, %s},' % (
            c_opt(name), c_opt(src), c_string(raw), len(raw), c_opt(akid), c_opt(secret),
            c_opt(token)))
    print('};')


if __name__ == '__main__':
    main()
