#!/usr/bin/env python3
"""The end-to-end test runner (python3 standard library only).

Discovers tests/e2e/test_*.py and runs every function named test_* in them, in file and
definition order, each with its own `lab.T` (its own servers, its own temporary directory).
Prints `ok NAME (secs)`, `FAIL NAME` with the test's log, or `skip NAME: why` per test and
ends with `e2e: N passed, N failed` (`, N skipped` when some were skipped).

    tests/e2e/run.py [-j JOBS] [-v] [-k] [NAME_SUBSTRING...]
"""
import argparse
import concurrent.futures
import glob
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402


def discover(filters):
    tests = []
    for path in sorted(glob.glob(os.path.join(lab.E2E_DIR, "test_*.py"))):
        mod_name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(mod_name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, fn in vars(mod).items():
            if name.startswith("test_") and callable(fn):
                full = "%s.%s" % (mod_name[len("test_"):], name[len("test_"):])
                if not filters or any(f in full for f in filters):
                    tests.append((full, fn))
    return tests


def run_one(full, fn, root_tmp, keep):
    tmp = tempfile.mkdtemp(prefix=full.replace(".", "-") + "-", dir=root_tmp)
    t = lab.T(full, tmp)
    t0 = time.monotonic()
    status, detail = "ok", ""
    try:
        fn(t)
    except lab.Skip as e:
        status, detail = "skip", str(e)
    except lab.Failure as e:
        status, detail = "FAIL", str(e)
    except Exception:
        status, detail = "FAIL", traceback.format_exc()
    err = t.cleanup()
    if err and status != "FAIL":
        status, detail = "FAIL", str(err)
    if status == "FAIL":
        labs_err = "".join("\n--- server stderr (%s)\n%s" % (l.data, l.stderr()[-1500:])
                           for l in t.labs if l.stderr())
        detail = "%s\n--- log\n%s%s" % (detail, "\n".join(t.lines[-40:]), labs_err)
    if status != "FAIL" and not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return status, detail, time.monotonic() - t0, tmp, t.lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("E2E_JOBS", "2")))
    ap.add_argument("-v", "--verbose", action="store_true", help="print every test's log")
    ap.add_argument("-k", "--keep", action="store_true", help="keep temporary directories")
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()

    try:
        tests = discover(args.filters)
    except Exception:
        traceback.print_exc()
        print("e2e: 0 passed, 1 failed")
        return 1
    if not os.access(lab.BIN, os.X_OK):
        print("e2e: %s is missing: run make first" % lab.BIN)
    t = lab.tools()
    print("e2e: clients: " + ", ".join("%s=%s" % (k, v or "missing") for k, v in sorted(t.items())))
    sys.stdout.flush()

    root_tmp = tempfile.mkdtemp(prefix="recoverlab-e2e-")
    counts = {"ok": 0, "FAIL": 0, "skip": 0}
    lock = threading.Lock()
    t_start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = {ex.submit(run_one, full, fn, root_tmp, args.keep): full for full, fn in tests}
        for fut in concurrent.futures.as_completed(futs):
            full = futs[fut]
            status, detail, secs, tmp, lines = fut.result()
            with lock:
                counts[status] += 1
                if status == "ok":
                    print("ok   %s (%.1fs)" % (full, secs))
                    if args.verbose:
                        print("     " + "\n     ".join(lines))
                elif status == "skip":
                    print("skip %s: %s" % (full, detail))
                else:
                    print("FAIL %s (%.1fs, files in %s)" % (full, secs, tmp))
                    print("     " + detail.replace("\n", "\n     "))
                sys.stdout.flush()
    if not any(os.scandir(root_tmp)):
        os.rmdir(root_tmp)
    print("e2e: %d tests in %.0fs" % (len(tests), time.monotonic() - t_start))
    line = "e2e: %d passed, %d failed" % (counts["ok"], counts["FAIL"])
    if counts["skip"]:
        line += ", %d skipped" % counts["skip"]
    print(line)
    return 1 if counts["FAIL"] or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
