"""Export speed and memory, each next to a plain dump of the same rows in the same run.

    python benchmarks/bench_exports.py                   # 30,000, and memory at 300,000
    python benchmarks/bench_exports.py --n 5000 --big 0   # quick: skip the large database

For N generated developments: ``timeline export FORMAT`` for ical, json and timelinejs,
each as a whole process (median of three, in turn with the baseline), against
``sqlite-utils query DB "select * from developments" --nl`` writing the same rows as JSON
Lines. The speed ratio is baseline time / export time (1.0 would be as fast as the plain
dump). Peak memory (maximum resident set size of the process) is measured at N and at
BIG developments; streaming exporters keep the two close.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_log import measure, script
from bench_tables import build

FORMATS = ("ical", "json", "timelinejs")


def run_formats(
    db: Path, tmp: Path, timeline: str, sqlite_utils: str, runs: int = 1
) -> dict[str, dict]:
    """Each export and the baseline, in turn, *runs* times: the median wall time, and the
    highest peak memory."""
    commands = {fmt: [timeline, "export", fmt, "--db", str(db)] for fmt in FORMATS} | {
        "baseline": [sqlite_utils, "query", str(db), "select * from developments", "--nl"]
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    results: dict[str, dict] = {}
    for _ in range(runs):  # alternating, so drift in the machine's load hits all alike
        for name, cmd in commands.items():
            out = tmp / f"out.{'jsonl' if name == 'baseline' else name}"
            result = measure(cmd, out)
            walls[name].append(result["wall"])
            peak = max(result["peak_kb"], results.get(name, {}).get("peak_kb", 0))
            results[name] = {"peak_kb": peak, "bytes": out.stat().st_size}
    for name, times in walls.items():
        results[name]["wall"] = statistics.median(times)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30_000, help="developments for the speed")
    parser.add_argument(
        "--big", type=int, default=300_000, help="developments for memory (0: skip)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each at N (median)")
    parser.add_argument("--work", metavar="DIR", help="keep and reuse data and databases here")
    args = parser.parse_args(argv)
    timeline, sqlite_utils = script("timeline"), script("sqlite-utils")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as name:
        tmp = Path(args.work or name)
        tmp.mkdir(parents=True, exist_ok=True)
        _, db, events = build(tmp, args.n, timeline)
        small = run_formats(db, tmp, timeline, sqlite_utils, args.runs)
        big = None
        if args.big:
            _, big_db, _ = build(tmp, args.big, timeline)
            big = run_formats(big_db, tmp, timeline, sqlite_utils)
        for leftover in tmp.glob("out.*"):
            leftover.unlink()
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
