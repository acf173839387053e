#!/usr/bin/env python3
"""gen_models.py - emit the compact C model tables (src/wire/models/*.c) from botocore.

Reads every src/svc/*/ops.def (rows `OP(service, Operation, ...)`) and botocore's service-2.json(.gz)
for each service we model, and writes, per service, `src/wire/models/<id>.c` defining
`const struct model_service model_<id>` (see src/wire/model.h): the operations of ops.def
(sorted), every shape reachable from their input/output/errors (sorted by name), members,
enums, constraints, error codes, plus the list of every operation the model has, and
`src/wire/models/<id>_members.h`: the member names of those structures as constants
(<PREFIX>_M_<Shape>_<Member>, <PREFIX>_IN_<Member>, <PREFIX>_MEMBERS_<Shape>), so that a
handler naming a member that does not exist fails to compile. Also writes
src/wire/models/models.c with `model_services[]`.

Same input -> same bytes. Stdlib only.

    python3 tools/gen_models.py [--botocore-data DIR] [--ops FILE] [--out DIR] [--check]
"""

import argparse
import gzip
import json
import os
import re
import sys

# our model id -> (botocore service directory, api version)
SERVICES = {
    'cloudformation': ('cloudformation', '2010-05-15'),
    'cloudtrail': ('cloudtrail', '2013-11-01'),
    'cloudwatch': ('cloudwatch', '2010-08-01'),
    'ec2': ('ec2', '2016-11-15'),
    'iam': ('iam', '2010-05-08'),
    'sns': ('sns', '2010-03-31'),
    'sts': ('sts', '2011-06-15'),
    'ssm': ('ssm', '2014-11-06'),
}

# model id -> the prefix of its member constants in <id>_members.h (the handler prefix)
MEMBER_PREFIX = {
    'cloudformation': 'CFN',
    'cloudtrail': 'CT',
    'cloudwatch': 'CW',
    'ec2': 'EC2',
    'iam': 'IAM',
    'sns': 'SNS',
    'sts': 'STS',
    'ssm': 'SSM',
}

C_IDENT = re.compile(r'^[A-Za-z][A-Za-z0-9]*$')

PROTOCOLS = {
    'query': 'PROTO_QUERY',
    'ec2': 'PROTO_EC2',
    'json': 'PROTO_JSON',
    'smithy-rpc-v2-cbor': 'PROTO_CBOR',
}

SH_TYPES = {
    'structure': 'SH_STRUCTURE',
    'list': 'SH_LIST',
    'map': 'SH_MAP',
    'string': 'SH_STRING',
    'integer': 'SH_INTEGER',
    'long': 'SH_LONG',
    'float': 'SH_FLOAT',
    'double': 'SH_DOUBLE',
    'boolean': 'SH_BOOLEAN',
    'timestamp': 'SH_TIMESTAMP',
    'blob': 'SH_BLOB',
}

TS_FORMATS = {
    'iso8601': 'TS_ISO8601',
    'unixtimestamp': 'TS_EPOCH',
    'rfc822': 'TS_RFC822',
}

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1


class GenError(Exception):
    pass


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_botocore_data():
    try:
        import botocore  # noqa: F401  (located through the running python)
    except ImportError as e:
        raise GenError('botocore is not importable; pass --botocore-data DIR') from e
    return os.path.join(os.path.dirname(botocore.__file__), 'data'), botocore.__version__


def botocore_version_near(data_dir):
    """Version of the botocore package owning data_dir (its __init__.py), or 'unknown'."""
    init = os.path.join(os.path.dirname(os.path.abspath(data_dir)), '__init__.py')
    try:
        with open(init, encoding='utf-8') as f:
            m = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", f.read(), re.M)
            if m:
                return m.group(1)
    except OSError:
        pass
    return 'unknown'


def load_model(data_dir, svc_dir, version):
    base = os.path.join(data_dir, svc_dir, version, 'service-2.json')
    for path, opener in ((base + '.gz', gzip.open), (base, open)):
        if os.path.exists(path):
            with opener(path, 'rt', encoding='utf-8') as f:
                return json.load(f), os.path.relpath(path, data_dir)
    raise GenError('no service model %s(.gz)' % base)


OP_ROW = re.compile(r'^\s*OP\(\s*([A-Za-z0-9_]+)\s*,\s*([A-Za-z0-9_]+)\s*,')


def read_ops(path):
    """{service id: sorted [operation names]} from ops.def."""
    ops = {}
    with open(path, encoding='utf-8') as f:
        text = f.read()
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)  # drop C comments
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.strip().startswith('//'):
            continue
        m = OP_ROW.match(line)
        if not m:
            if 'OP(' in line:
                raise GenError('%s: cannot parse row: %s' % (path, line.strip()))
            continue
        svc, op = m.group(1), m.group(2)
        if svc not in SERVICES:
            raise GenError('%s: unknown service id %r (known: %s)'
                           % (path, svc, ', '.join(sorted(SERVICES))))
        if op in ops.setdefault(svc, []):
            raise GenError('%s: duplicate row %s.%s' % (path, svc, op))
        ops[svc].append(op)
    return {k: sorted(v) for k, v in ops.items()}


def read_all_ops(paths):
    """read_ops over every service's ops.def (src/svc/<folder>/ops.def), merged."""
    if not paths:
        svc_root = os.path.join(repo_root(), 'src', 'svc')
        paths = sorted(os.path.join(svc_root, d, 'ops.def') for d in os.listdir(svc_root)
                       if os.path.isfile(os.path.join(svc_root, d, 'ops.def')))
    merged = {}
    for path in paths:
        for svc, names in read_ops(path).items():
            dup = set(names) & set(merged.get(svc, []))
            if dup:
                raise GenError('%s: duplicate row %s.%s' % (path, svc, sorted(dup)[0]))
            merged[svc] = sorted(merged.get(svc, []) + names)
    return merged


def c_str(s):
    """A C string literal for s (UTF-8 bytes, octal escapes; '?' escaped against trigraphs)."""
    if s is None:
        return 'NULL'
    out = ['"']
    for b in s.encode('utf-8'):
        c = chr(b)
        if c == '"':
            out.append('\\"')
        elif c == '\\':
            out.append('\\\\')
        elif c == '?':
            out.append('\\?')
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append('\\%03o' % b)
    out.append('"')
    return ''.join(out)


def c_int64(v):
    if v == INT64_MIN:
        return 'INT64_MIN'
    return str(v)


def int_limit(shape_name, key, v):
    """Integral min/max as int, None when not representable (reported in a comment)."""
    if isinstance(v, bool):
        raise GenError('%s.%s: bad value %r' % (shape_name, key, v))
    if isinstance(v, int):
        if not INT64_MIN <= v <= INT64_MAX:
            raise GenError('%s.%s out of int64 range' % (shape_name, key))
        return v
    if isinstance(v, float) and v.is_integer() and INT64_MIN <= v <= INT64_MAX:
        return int(v)
    return None


def smithy_namespace(meta):
    """Shape-id namespace used in awsJson/CBOR __type. CloudWatch's is observed
    (com.amazonaws.cloudwatch.v2010_08_01); the others are derived the same way (inferred)."""
    sid = meta.get('serviceId') or meta.get('endpointPrefix')
    return 'com.amazonaws.%s.v%s' % (re.sub(r'[^a-z0-9]', '', sid.lower()),
                                     meta['apiVersion'].replace('-', '_'))


class ServiceGen:
    def __init__(self, sid, model, model_path, ops, version):
        self.sid = sid
        self.model = model
        self.model_path = model_path
        self.ops = ops
        self.version = version
        self.shapes = model['shapes']
        self.notes = []

    def shape(self, name):
        try:
            return self.shapes[name]
        except KeyError:
            raise GenError('%s: shape %s referenced but not defined' % (self.sid, name))

    def refs_of(self, sh):
        t = sh.get('type')
        if t == 'structure':
            return [m for m in sh.get('members', {}).values()]
        if t == 'list':
            return [sh['member']]
        if t == 'map':
            return [sh['key'], sh['value']]
        return []

    def roots(self, kinds):
        """Shape names of the served operations' input/output/errors (kinds: a subset)."""
        todo = []
        for opname in self.ops:
            op = self.model['operations'][opname]
            for k in ('input', 'output'):
                if k in kinds and k in op:
                    todo.append(op[k]['shape'])
            if 'errors' in kinds:
                for e in op.get('errors', []):
                    todo.append(e['shape'])
        return todo

    def reachable(self, kinds=('input', 'output', 'errors')):
        todo = self.roots(kinds)
        seen = set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            sh = self.shape(n)
            if sh.get('type') not in SH_TYPES:
                raise GenError('%s: shape %s has unsupported type %r'
                               % (self.sid, n, sh.get('type')))
            for ref in self.refs_of(sh):
                todo.append(ref['shape'])
        return sorted(seen)

    def member_row(self, name, ref, required):
        target = self.shape(ref['shape'])
        loc = ref.get('locationName', target.get('locationName'))
        qn = ref.get('queryName', target.get('queryName'))
        tsf = ref.get('timestampFormat')
        if tsf is not None and tsf != target.get('timestampFormat'):
            raise GenError('%s: member %s overrides timestampFormat (unsupported)'
                           % (self.sid, name))
        flags = []
        if required:
            flags.append('MBF_REQUIRED')
        if ref.get('flattened'):
            flags.append('MBF_FLATTENED')
        if ref.get('xmlAttribute'):
            flags.append('MBF_XMLATTR')
        if ref.get('idempotencyToken'):
            flags.append('MBF_IDEMPOTENCY')
        if ref.get('deprecated'):
            flags.append('MBF_DEPRECATED')
        return (name, loc, qn, ref['shape'], ' | '.join(flags) or '0')

    def generate(self):
        meta = self.model['metadata']
        names = self.reachable()
        index = {n: i for i, n in enumerate(names)}
        members = []   # (name, loc, qn, shape name, flags)
        enums = []
        shape_rows = []
        for n in names:
            sh = self.shapes[n]
            t = sh['type']
            row = {'name': c_str(n), 'type': SH_TYPES[t]}
            comment = []
            tsf = sh.get('timestampFormat')
            if tsf:
                if tsf.lower() not in TS_FORMATS:
                    raise GenError('%s: shape %s: unknown timestampFormat %s' % (self.sid, n, tsf))
                row['ts_fmt'] = TS_FORMATS[tsf.lower()]
            flags = []
            if sh.get('flattened'):
                flags.append('SHF_FLATTENED')
            for key, flag in (('min', 'SHF_HAS_MIN'), ('max', 'SHF_HAS_MAX')):
                if key in sh:
                    v = int_limit(n, key, sh[key])
                    if v is None:
                        comment.append('%s %r not representable: not enforced' % (key, sh[key]))
                    else:
                        flags.append(flag)
                        row[key] = c_int64(v)
            if sh.get('sensitive'):
                flags.append('SHF_SENSITIVE')
            if sh.get('exception') or 'error' in sh:
                flags.append('SHF_ERROR')
                err = sh.get('error', {})
                aqe = sh.get('awsQueryError') or err.get('awsQueryError') or {}
                code = aqe.get('code') or err.get('code') or n
                status = aqe.get('httpStatusCode') or err.get('httpStatusCode') or 400
                if err.get('senderFault') or aqe.get('senderFault'):
                    flags.append('SHF_SENDER_FAULT')
                row['error_code'] = c_str(code)
                row['error_status'] = str(int(status))
            if sh.get('document'):
                flags.append('SHF_DOCUMENT')
            if sh.get('union'):
                flags.append('SHF_UNION')
            if flags:
                row['flags'] = ' | '.join(flags)
            if 'pattern' in sh:
                row['pattern'] = c_str(sh['pattern'])
            if 'enum' in sh:
                row['enum_first'] = str(len(enums))
                row['nenum'] = str(len(sh['enum']))
                enums.extend(sh['enum'])
            if t == 'structure':
                req = set(sh.get('required', []))
                mem = sh.get('members', {})
                unknown_req = req - set(mem)
                if unknown_req:
                    raise GenError('%s: %s requires unknown members %s'
                                   % (self.sid, n, sorted(unknown_req)))
                row['first'] = str(len(members))
                row['count'] = str(len(mem))
                for mname, ref in mem.items():  # model order: it is the wire order
                    members.append(self.member_row(mname, ref, mname in req))
            elif t == 'list':
                row['first'] = str(len(members))
                row['count'] = '1'
                members.append(self.member_row('member', sh['member'], False))
            elif t == 'map':
                row['first'] = str(len(members))
                row['count'] = '2'
                members.append(self.member_row('key', sh['key'], False))
                members.append(self.member_row('value', sh['value'], False))
            shape_rows.append((row, comment))
        if len(members) > 0xffffffff or any(int(r.get('count', 0)) > 0xffff
                                            for r, _ in shape_rows):
            raise GenError('%s: table too large' % self.sid)

        out = []
        w = out.append
        w('/*')
        w(' * %s.c - generated by tools/gen_models.py from botocore %s' % (self.sid, self.version))
        w(' * (data/%s). Do not edit: `make models` regenerates.' % self.model_path)
        w(' * Operations: %s.' % (', '.join(self.ops) if self.ops else '(none served yet)'))
        w(' */')
        w('#include <stdint.h>')
        w('#include <stddef.h>')
        w('')
        w('#include "wire/model.h"')
        w('')
        w('extern const struct model_service model_%s;' % self.sid)
        w('')
        if enums:
            w('static const char *const enums[] = {')
            for i, e in enumerate(enums):
                w('    %s, /* %d */' % (c_str(e), i))
            w('};')
            w('')
        if members:
            w('static const struct model_member members[] = {')
            for i, (mn, loc, qn, sname, fl) in enumerate(members):
                w('    {%s, %s, %s, %d, %s}, /* %d -> %s */'
                  % (c_str(mn), c_str(loc), c_str(qn), index[sname], fl, i, sname))
            w('};')
            w('')
        if shape_rows:
            w('static const struct model_shape shapes[] = {')
            order = ['name', 'type', 'ts_fmt', 'flags', 'min', 'max', 'pattern', 'first', 'count',
                     'nenum', 'enum_first', 'error_code', 'error_status']
            for i, (row, comment) in enumerate(shape_rows):
                fields = ', '.join('.%s = %s' % (k, row[k]) for k in order if k in row)
                note = ' /* %d; %s */' % (i, '; '.join(comment)) if comment else ' /* %d */' % i
                w('    {%s},%s' % (fields, note))
            w('};')
            w('')
        op_rows = []
        err_lists = []
        for opname in self.ops:
            op = self.model['operations'][opname]
            inp = index[op['input']['shape']] if 'input' in op else -1
            outp = index[op['output']['shape']] if 'output' in op else -1
            rw = op.get('output', {}).get('resultWrapper')
            errs = [index[e['shape']] for e in op.get('errors', [])]
            if errs:
                w('static const uint32_t errors_%s[] = {%s};'
                  % (opname, ', '.join(str(e) for e in errs)))
            op_rows.append((opname, inp, outp, rw, len(errs)))
            err_lists.append(errs)
        if op_rows:
            if any(err_lists):
                w('')
            w('static const struct model_op ops[] = {')
            for opname, inp, outp, rw, nerr in op_rows:
                errs = ('errors_%s' % opname) if nerr else 'NULL'
                w('    {%s, %d, %d, %s, %s, %d},' % (c_str(opname), inp, outp, c_str(rw), errs, nerr))
            w('};')
            w('')
        all_ops = sorted(self.model['operations'])
        w('static const char *const all_ops[] = {')
        for o in all_ops:
            w('    %s,' % c_str(o))
        w('};')
        w('')
        protos = meta.get('protocols') or [meta['protocol']]
        known = sorted(PROTOCOLS[p] for p in protos if p in PROTOCOLS)
        unknown = [p for p in protos if p not in PROTOCOLS]
        ns = smithy_namespace(meta)
        w('const struct model_service model_%s = {' % self.sid)
        w('    .id = %s,' % c_str(self.sid))
        w('    .signing_name = %s,' % c_str(meta.get('signingName') or meta['endpointPrefix']))
        w('    .endpoint_prefix = %s,' % c_str(meta['endpointPrefix']))
        w('    .api_version = %s,' % c_str(meta['apiVersion']))
        w('    .target_prefix = %s,' % c_str(meta.get('targetPrefix')))
        w('    .json_version = %s,' % c_str(meta.get('jsonVersion')))
        w('    .xmlns = %s,' % c_str(meta.get('xmlNamespace')))
        if self.sid == 'cloudwatch':
            w('    .smithy_ns = %s, /* observed in AWS error __type */' % c_str(ns))
        else:
            w('    .smithy_ns = %s, /* inferred: derived like CloudWatch\'s */' % c_str(ns))
        w('    .model_version = %s,' % c_str(self.version))
        w('    .protocols = %s,%s' % (' | '.join(known) or '0',
                                      (' /* not spoken: %s */' % ', '.join(unknown))
                                      if unknown else ''))
        w('    .query_compatible = %s,' % ('true' if 'awsQueryCompatible' in meta else 'false'))
        w('    .shapes = %s,' % ('shapes' if shape_rows else 'NULL'))
        w('    .nshapes = %d,' % len(shape_rows))
        w('    .members = %s,' % ('members' if members else 'NULL'))
        w('    .enums = %s,' % ('enums' if enums else 'NULL'))
        w('    .ops = %s,' % ('ops' if op_rows else 'NULL'))
        w('    .nops = %d,' % len(op_rows))
        w('    .all_ops = all_ops,')
        w('    .nall_ops = %d,' % len(all_ops))
        w('};')
        return '\n'.join(out) + '\n'


    def members_h(self):
        """<id>_members.h: the member names of every structure in the table as constants."""
        p = MEMBER_PREFIX[self.sid]
        guard = 'RL_MODELS_%s_MEMBERS_H' % self.sid.upper()
        ins = set(self.reachable(('input',)))
        outs = set(self.reachable(('output',)))
        structs = [n for n in self.reachable() if self.shapes[n]['type'] == 'structure']
        for n in structs:
            for m in [n] + list(self.shapes[n].get('members', {})):
                if not C_IDENT.match(m):
                    raise GenError('%s: %s: %r is not a C identifier part' % (self.sid, n, m))
        op_inputs = {}  # member name -> the operations whose input has it
        for opname in self.ops:
            op = self.model['operations'][opname]
            if 'input' in op:
                for m in self.shape(op['input']['shape']).get('members', {}):
                    op_inputs.setdefault(m, []).append(opname)
        out = []
        w = out.append
        w('/*')
        w(' * %s_members.h - generated by tools/gen_models.py from botocore %s'
          % (self.sid, self.version))
        w(' * (data/%s). Do not edit: `make models` regenerates.' % self.model_path)
        w(' *')
        w(' * The member names of the structures in model_%s (%s.c) as string constants, so'
          % (self.sid, self.sid))
        w(' * that naming a member the model does not have is a compile error (an undeclared')
        w(' * identifier) instead of a member silently read as absent:')
        w(' *   %s_M_<Shape>_<Member>  one member of one structure, e.g.' % p)
        w(' *       json_object_get(in, %s_M_<Operation input shape>_<Member>)' % p)
        w(' *   %s_IN_<Member>  a member of some served operation\'s input, for a helper that' % p)
        w(' *       reads the same member from the inputs of several operations')
        w(' *   %s_MEMBERS_<Shape>  the structure\'s members in model (wire) order, comma-' % p)
        w(' *       separated, for an array initializer: {%s_MEMBERS_<Shape>, NULL}' % p)
        w(' * Structures in name order; "in" / "out" / "error": reached from an operation\'s')
        w(' * input / output / errors.')
        w(' */')
        w('#ifndef %s' % guard)
        w('#define %s' % guard)
        w('')
        w('/* ---- members of the served operations\' inputs ---- */')
        for m in sorted(op_inputs):
            ops = op_inputs[m]
            which = ', '.join(ops) if len(ops) <= 3 else '%s and %d more' % (', '.join(ops[:3]),
                                                                          len(ops) - 3)
            w('#define %s_IN_%s %s /* %s */' % (p, m, c_str(m), which))
        for n in structs:
            sh = self.shapes[n]
            roles = [r for r, on in (('in', n in ins), ('out', n in outs),
                                     ('error', bool(sh.get('exception') or 'error' in sh))) if on]
            w('')
            w('/* %s (%s) */' % (n, ', '.join(roles) or 'unreached'))
            mem = list(sh.get('members', {}))
            for m in mem:
                w('#define %s_M_%s_%s %s' % (p, n, m, c_str(m)))
            if mem:
                w('#define %s_MEMBERS_%s \\' % (p, n))
                for i, m in enumerate(mem):
                    w('    %s_M_%s_%s%s' % (p, n, m, ', \\' if i + 1 < len(mem) else ''))
        w('')
        w('#endif')
        return '\n'.join(out) + '\n'


def models_c(ids, version):
    out = ['/*',
           ' * models.c - generated by tools/gen_models.py from botocore %s.' % version,
           ' * Do not edit: `make models` regenerates.',
           ' */',
           '#include <stddef.h>',
           '',
           '#include "wire/models/models.h"',
           '']
    out.append('const struct model_service *const model_services[] = {')
    for i in ids:
        out.append('    &model_%s,' % i)
    out.append('    NULL,')
    out.append('};')
    return '\n'.join(out) + '\n'


def models_h(ids, version):
    out = ['/*',
           ' * models.h - generated by tools/gen_models.py from botocore %s.' % version,
           ' * Do not edit: `make models` regenerates. The wire tables of each modelled service;',
           ' * each service module names its own (svc/<id>/module.c).',
           ' */',
           '#ifndef RL_WIRE_MODELS_H',
           '#define RL_WIRE_MODELS_H',
           '',
           '#include "wire/model.h"',
           '']
    for i in ids:
        out.append('extern const struct model_service model_%s;' % i)
    out.append('')
    out.append('#endif')
    return '\n'.join(out) + '\n'


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--botocore-data', help='botocore data directory (default: the installed '
                    'botocore of this python)')
    ap.add_argument('--ops', nargs='*', default=None,
                    help='ops.def files (default: every src/svc/*/ops.def)')
    ap.add_argument('--out', default=os.path.join(repo_root(), 'src', 'wire', 'models'))
    ap.add_argument('--check', action='store_true',
                    help='write nothing; exit 1 if any generated file would change')
    args = ap.parse_args(argv)
    try:
        if args.botocore_data:
            data_dir = args.botocore_data
            version = botocore_version_near(data_dir)
        else:
            data_dir, version = find_botocore_data()
        ops = read_all_ops(args.ops)
        files = {}
        for sid in sorted(SERVICES):
            svc_dir, api = SERVICES[sid]
            model, path = load_model(data_dir, svc_dir, api)
            if model['metadata'].get('apiVersion') != api:
                raise GenError('%s: model apiVersion %s, expected %s'
                               % (sid, model['metadata'].get('apiVersion'), api))
            wanted = ops.get(sid, [])
            missing = [o for o in wanted if o not in model['operations']]
            if missing:
                raise GenError('ops.def lists %s.%s but the %s model (botocore %s) has no such '
                               'operation' % (sid, missing[0], sid, version))
            gen = ServiceGen(sid, model, path, wanted, version)
            files['%s.c' % sid] = gen.generate()
            files['%s_members.h' % sid] = gen.members_h()
        files['models.c'] = models_c(sorted(SERVICES), version)
        files['models.h'] = models_h(sorted(SERVICES), version)
    except GenError as e:
        print('gen_models: error: %s' % e, file=sys.stderr)
        return 2
    changed = []
    for name, text in sorted(files.items()):
        path = os.path.join(args.out, name)
        try:
            with open(path, encoding='utf-8') as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        changed.append(path)
        if not args.check:
            os.makedirs(args.out, exist_ok=True)
            with open(path, 'w', encoding='utf-8', newline='\n') as f:
                f.write(text)
    if args.check:
        for p in changed:
            print('gen_models: out of date: %s' % p, file=sys.stderr)
        return 1 if changed else 0
    print('gen_models: botocore %s: %d file(s) written, %d unchanged'
          % (version, len(changed), len(files) - len(changed)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
