"""Export speed and memory, each next to a plain dump of the same rows in the same run.

    python benchmarks/bench_exports.py                   # 30,000, and memory at 300,000
    python benchmarks/bench_exports.py --n 5000 --big 0   # quick: skip the large database

For N generated developments: ``timeline export FORMAT -o FILE`` for ical, json and
timelinejs, each as a whole process, against ``sqlite-utils query DB "select * from
developments" --nl`` writing the same rows as JSON Lines. The speed ratio is baseline time
/ export time (1.0 would be as fast as the plain dump). Peak memory (maximum resident set
size of the process) is measured at N and at BIG developments; streaming exporters keep
the two close.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_log import script
from bench_tables import build

FORMATS = ("ical", "json", "timelinejs")

# Runs one command and reports its wall time and peak memory: the child's own maximum
# resident set size, which the parent cannot tell apart from other children's.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
with open(sys.argv[1], "wb") as out:
    done = subprocess.run(sys.argv[2:], stdout=out)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak_kb": peak, "code": done.returncode}))
"""


def measure(cmd: list[str], output: Path) -> dict[str, float]:
    """Wall seconds and peak kilobytes of *cmd*, its stdout written to *output*."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(output), *cmd],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    if result["code"] != 0:
        sys.exit(f"bench_exports: {' '.join(cmd)} failed: {done.stderr}")
    return result


def run_formats(db: Path, tmp: Path, timeline: str, sqlite_utils: str) -> dict[str, dict]:
    results = {}
    for fmt in FORMATS:
        out = tmp / f"out.{fmt}"
        results[fmt] = measure([timeline, "export", fmt, "--db", str(db)], out)
        results[fmt]["bytes"] = out.stat().st_size
    out = tmp / "out.jsonl"
    sql = "select * from developments"
    results["baseline"] = measure([sqlite_utils, "query", str(db), sql, "--nl"], out)
    results["baseline"]["bytes"] = out.stat().st_size
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30_000, help="developments for the speed")
    parser.add_argument(
        "--big", type=int, default=300_000, help="developments for memory (0: skip)"
    )
    args = parser.parse_args(argv)
    timeline, sqlite_utils = script("timeline"), script("sqlite-utils")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as name:
        tmp = Path(name)
        _, db, events = build(tmp, args.n, timeline)
        small = run_formats(db, tmp, timeline, sqlite_utils)
        big = None
        if args.big:
            db.unlink()
            _, big_db, _ = build(tmp, args.big, timeline)
            big = run_formats(big_db, tmp, timeline, sqlite_utils)
    today = dt.datetime.now(dt.UTC)
    print(
        f"bench_exports: {today:%Y-%m-%d} on {platform.node()} ({platform.machine()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print()
    base = small["baseline"]["wall"]
    header = f"{'':22} {'time':>9} {'speed ratio':>12} {'output':>10} {'peak':>9}"
    if big:
        header += f" {'peak @' + format(args.big, ','):>15} {'growth':>7}"
    print(f"{args.n:,} developments ({events:,} events)")
    print(header)
    for name in (*FORMATS, "baseline"):
        r = small[name]
        label = "sqlite-utils --nl" if name == "baseline" else f"export {name}"
        line = (
            f"{label:22} {r['wall']:>7.2f} s {base / r['wall']:>12.2f} "
            f"{r['bytes'] / 1e6:>7.1f} MB {r['peak_kb'] / 1024:>6.0f} MB"
        )
        if big:
            peak = big[name]["peak_kb"]
            line += f" {peak / 1024:>12.0f} MB {peak / r['peak_kb']:>7.2f}"
        print(line)


if __name__ == "__main__":
    main()
