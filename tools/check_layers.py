#!/usr/bin/env python3
"""check_layers.py - the #include lines of src/ against the allowed edges between layers.

Every quoted #include "dir/file.h" in a file under src/ is an edge from the file's layer to
the header's layer. A layer is a directory under src/ (src/wire/models counts as wire); a
service folder src/svc/<id>/ is a layer of its own. An edge is allowed when it stays in its
layer or is listed below; anything else fails with the offending line. HACKING.md draws the
same picture: keep the two in step.

    python3 tools/check_layers.py [--root DIR]
Prints `layers: N files, N includes, N violations`; exit 1 on any violation.
"""

import argparse
import os
import re
import sys

# The libraries and the core, bottom to top: each may include the ones it names.
LIBS = {
    'base': set(),
    'store': {'base'},
    'clock': {'base', 'store'},
    'http': {'base'},
    'core': {'base'},
    'auth': {'base', 'core'},
    'wire': {'base', 'core'},
    'catalog': {'base'},
    'cfnlang': {'base', 'catalog'},
}
# The service framework (src/svc/*.c|h) and what every service may use.
FRAMEWORK = {'base', 'core', 'auth', 'wire', 'store', 'clock', 'catalog', 'cfnlang'}
SERVICE_BASE = FRAMEWORK | {'svc'}
# Services, lowest first: a service may include the services before it, never after.
SERVICES = ['iam', 'sts', 'ec2', 'sns', 'cloudwatch', 'cloudtrail', 'ssm', 'cfn', 'lab']
# Client-side commands: no server code at all.
CLI = {'base', 'catalog', 'cfnlang', 'cli'}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def allowed():
    edges = {k: set(v) for k, v in LIBS.items()}
    edges['svc'] = set(FRAMEWORK)
    for i, s in enumerate(SERVICES):
        edges['svc/' + s] = set(SERVICE_BASE) | {'svc/' + t for t in SERVICES[:i]}
    edges['cli'] = set(CLI)
    # The host puts the lab on the transport: the only layer that knows both.
    edges['host'] = {'base', 'http', 'store', 'clock', 'svc'}
    return edges


def layer_of(rel):
    """The layer of a path relative to src/ ('svc/ec2/imds.c' -> 'svc/ec2')."""
    parts = rel.split('/')
    if len(parts) == 1:
        return 'main'  # src/main.c: the binary, may use everything
    if parts[0] == 'svc' and len(parts) > 2:
        return 'svc/' + parts[1]
    return parts[0]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   '..'))
    args = ap.parse_args(argv)
    src = os.path.join(args.root, 'src')
    edges = allowed()
    nfiles = nincludes = 0
    bad = []
    for dirpath, _, files in sorted(os.walk(src)):
        for name in sorted(files):
            if not name.endswith(('.c', '.h', '.def')):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            frm = layer_of(rel)
            nfiles += 1
            with open(path, encoding='utf-8', errors='replace') as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    nincludes += 1
                    target = m.group(1)
                    if '/' not in target:
                        continue  # a file beside it
                    to = layer_of(target)
                    if frm == 'main' or to == frm or to in edges.get(frm, set()):
                        continue
                    if frm not in edges:
                        why = 'layer %s is not in the list of layers' % frm
                    else:
                        why = '%s may not include %s' % (frm, to)
                    bad.append('src/%s:%d: #include "%s": %s' % (rel, lineno, target, why))
    for b in bad:
        print(b)
    print('layers: %d files, %d includes, %d violations' % (nfiles, nincludes, len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
