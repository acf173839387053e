#!/usr/bin/env python3
"""readme_types.py - README.md's table of CloudFormation resource types, from the code.

The table between `<!-- cfn-types:begin -->` and `<!-- cfn-types:end -->` in README.md is what
`build/recoverlab cfn-types` prints (made from the providers the modules list). This writes
it; `--check` exits 1 when the README differs (the unit test cfn_readme_types does the same
check in `make test`).

    python3 tools/readme_types.py [--check] [--bin build/recoverlab] [--readme README.md]
"""
import argparse
import os
import re
import subprocess
import sys

BEGIN, END = '<!-- cfn-types:begin -->', '<!-- cfn-types:end -->'


def main(argv):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--bin', default=os.path.join(root, 'build', 'recoverlab'))
    ap.add_argument('--readme', default=os.path.join(root, 'README.md'))
    args = ap.parse_args(argv)
    table = subprocess.run([args.bin, 'cfn-types'], check=True, capture_output=True,
                           text=True).stdout
    with open(args.readme) as f:
        text = f.read()
    m = re.search(re.escape(BEGIN) + r'\n(.*?)' + re.escape(END), text, re.S)
    if not m:
        print('readme_types: %s has no %s ... %s block' % (args.readme, BEGIN, END))
        return 1
    if args.check:
        same = m.group(1) == table
        print('readme_types: %s' % ('up to date' if same else 'differs: run tools/readme_types.py'))
        return 0 if same else 1
    text = text[:m.start(1)] + table + text[m.end(1):]
    with open(args.readme, 'w') as f:
        f.write(text)
    print('readme_types: wrote %s' % args.readme)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
