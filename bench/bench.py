#!/usr/bin/env python3
"""pg_crm benchmarks: each workload runs an anchor (what PostgreSQL or the
merchants do today) and pg_crm's path alternately in one run, on the same
cluster and data, and prints median times and the ratio.

    bench/run.sh [WORKLOAD ...] [--size N] [--repeat K]

Output lines look like
    bench call_overhead size=1000000 anchor=412.3ms pg_crm=455.0ms ratio=1.10 (target <= 1.50) ok
where ratio = pg_crm / anchor (lower is better). Workloads of per-row
functions also define a baseline (the same scan without the function): its
median is subtracted from both sides and printed as scan=..., so the ratio
compares the functions' own cost. Workloads live in bench/workloads/*.py, one file each.
"""
import argparse
import importlib.util
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # workloads import bench/data.py


def psql(sql, timing=False):
    """Runs SQL through psql (connection from PG* variables); returns stdout.
    With timing, returns the list of "Time:" values in milliseconds."""
    script = ("\\timing on\n" if timing else "") + sql
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At"], input=script,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench: psql failed: {out.stderr.strip()}")
    if timing:
        return [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", out.stdout, re.M)]
    return out.stdout


def timed(step, which=-1):
    """Time of `step` in ms: for SQL text, its last statement (earlier ones
    are set-up; `which` = -2 when one statement after it reports); for a
    command (a list), the whole process, wall clock."""
    if isinstance(step, list):
        started = time.monotonic()
        subprocess.run(step, check=True, stdout=subprocess.DEVNULL)
        return (time.monotonic() - started) * 1000
    times = psql(step, timing=True)
    return times[which]


def load_workloads():
    workloads = {}
    for path in sorted((HERE / "workloads").glob("*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        workloads[path.stem] = module
    return workloads


def main():
    workloads = load_workloads()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", nargs="*", help="workloads to run (default: all): " + ", ".join(workloads))
    parser.add_argument("--size", type=int, default=None, help="rows (each workload has its own default)")
    parser.add_argument("--repeat", type=int, default=5, help="alternating runs of anchor and pg_crm")
    args = parser.parse_args()
    chosen = args.workload or [n for n, w in workloads.items() if not getattr(w, "ON_DEMAND", False)]
    # The bench cluster is throwaway: run against the extension just built.
    psql("SET client_min_messages = warning; DROP EXTENSION IF EXISTS pg_crm CASCADE; CREATE EXTENSION pg_crm;")
    failed = 0
    for name in chosen:
        if name not in workloads:
            sys.exit(f"bench: unknown workload {name}; known: {', '.join(workloads)}")
        w = workloads[name]
        size = args.size or w.DEFAULT_SIZE
        skipped = getattr(w, "skip_reason", lambda: None)()
        if skipped:
            print(f"bench {name} skipped: {skipped}", flush=True)
            continue
        psql(w.setup(size))
        anchor, ours, base = [], [], []
        baseline = getattr(w, "baseline", None)
        for _ in range(min(args.repeat, getattr(w, "MAX_REPEAT", args.repeat))):
            which = getattr(w, "TIMED_STATEMENT", -1)
            anchor.append(timed(w.anchor(size), which))
            ours.append(timed(w.pg_crm(size), which))
            if baseline:
                base.append(timed(baseline(size)))
        check = getattr(w, "check", None)
        if check:
            problem = check(psql, size)
            if problem:
                print(f"bench {name}: results differ: {problem}")
                failed += 1
        a, o = statistics.median(anchor), statistics.median(ours)
        net = ""
        if base:
            # Per-row functions: what each side adds to the same bare scan
            # (also measured in this run) is the function's own cost.
            b = statistics.median(base)
            net = f" scan={b:.1f}ms"
            a, o = a - b, o - b
        ratio = o / a
        verdict = "ok" if ratio <= w.TARGET_RATIO else "MISSED"
        failed += verdict != "ok"
        print(f"bench {name} size={size}{net} anchor={a:.1f}ms pg_crm={o:.1f}ms ratio={ratio:.2f} "
              f"(target <= {w.TARGET_RATIO:.2f}; anchor: {w.ANCHOR}) {verdict}", flush=True)
        report = getattr(w, "report", None)
        if report:
            print(f"bench {name} {report(psql, size, statistics.median(anchor))}", flush=True)
        teardown = getattr(w, "teardown", None)
        if teardown:
            psql(teardown(size))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
