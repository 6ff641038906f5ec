"""Whole-process timings of the log, each next to a plain baseline run on the same data.

    python benchmarks/bench_log.py              # 30,000 developments, up to 3 import runs
    python benchmarks/bench_log.py --n 5000 --runs 5
    python benchmarks/bench_log.py --bytecode-cache

What it measures (wall time of a subprocess, as a user would run it; the CPU time of the
process, user + system, is shown beside it because it is less disturbed by other load):

1. ``timeline import FILE`` of N generated developments into a fresh database, against
   the irreducible work of a hash-chained log in Python: a stdlib program that reads each
   line, ``json.loads`` it, writes its data as canonical JSON, chains a SHA-256 over the
   previous hash, and ``executemany``-inserts rows with the events table's columns in one
   transaction. Events/s of each and
   the ratio timeline / baseline speed (1.0 would be as fast as the baseline; lower is
   slower).
2. The log alone: the same import as a Python program calling timeline's service with
   the projection tables off (validation, decisions, hash chain, the ``events`` table),
   against the same baseline.
3. One ``timeline append CallHeld --data ...`` into the database holding the import,
   against ``sqlite-utils insert DB t -`` of one JSON row into a copy of that database.
   Median of 15 (after one untimed warm-up each) and the ratio timeline / baseline time
   (1.0 would be as fast; higher is slower).
4. Start-up: ``python -c "import timeline.cli"`` against ``python -c "import
   sqlite_utils.cli"`` and ``python -c pass``, median of 15.

Timeline and baseline runs alternate, so drift in the machine's load hits both alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write  # the generator next to this file

BASELINE_IMPORT = '''\
"""Baseline: the irreducible work of a hash-chained log in Python.

Read each line, json.loads it, write its data as canonical JSON, chain a SHA-256 over the
previous hash and the row, and executemany every row into a table with the columns of
timeline's events table, in one transaction.
"""
import datetime as dt
import hashlib
import json
import sqlite3
import sys

source, path = sys.argv[1], sys.argv[2]
canonical = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
recorded_at = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
versions: dict[str, int] = {}
rows = []
previous = ""
with open(source, encoding="utf-8") as lines:
    for line in lines:
        if not line.strip():
            continue
        obj = json.loads(line)
        data = obj["data"]
        stream = data.get("development") or data.get("from") or data.get("name") or ""
        version = versions[stream] = versions.get(stream, 0) + 1
        seq = len(rows) + 1
        row = [seq, obj.get("id") or str(seq), obj["type"], 1, stream, version, recorded_at,
               canonical(data), "{}"]
        previous = hashlib.sha256((previous + canonical(row)).encode()).hexdigest()
        rows.append((*row, previous))
conn = sqlite3.connect(path)
conn.execute(
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL,"
    " schema_version INTEGER NOT NULL, stream TEXT NOT NULL, stream_version INTEGER NOT NULL,"
    " recorded_at TEXT NOT NULL, data TEXT NOT NULL, meta TEXT NOT NULL, hash TEXT NOT NULL)"
)
with conn:
    conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
conn.close()
print(len(rows))
'''

LOG_ALONE = '''\
"""The log alone: timeline's own import (validation, decisions, hash chain), no tables."""
import sys

from timeline.db import open_db
from timeline.service import append, parse_lines

source, path = sys.argv[1], sys.argv[2]
db = open_db(path)
with open(source, encoding="utf-8") as lines:
    outcome = append(db, parse_lines(lines), project=False, keep=False)
db.close()
print(outcome.count)
'''

ENV: dict[str, str] = {k: v for k, v in os.environ.items() if k != "TIMELINE_DB"}
"""The environment of every timed process (``--bytecode-cache`` changes it)."""


class Timings:
    """Wall and CPU seconds of repeated runs of one command."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def script(name: str) -> str:
    """The console script *name* installed next to this Python, else the one on PATH.

    Next to ``sys.executable`` first: a PATH entry may be a shim (pyenv, asdf) that costs a
    shell start of its own and would be timed along with the program.
    """
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        sys.exit(f"bench_log: cannot find the {name!r} command; is it installed?")
    return found


def cached_env(tmp: Path) -> dict[str, str]:
    """ENV, but with compiled bytecode kept between runs, in a folder of the scratch dir.

    With PYTHONDONTWRITEBYTECODE set, modules without a ``.pyc`` (an editable install's
    own code) are compiled from source at every start; a regular install ships ``.pyc``
    files. PYTHONPYCACHEPREFIX keeps the cache out of the source tree.
    """
    env = {k: v for k, v in ENV.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(
    cmd: Sequence[str], *, stdin: str | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    """Run *cmd* to completion: its wall and CPU seconds, and its stdout. Fails loudly."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, check=False, env=env or ENV
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench_log: {' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return wall, _children_cpu() - cpu, done.stdout


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


def measure(cmd: list[str], output: Path | str = os.devnull) -> dict[str, float]:
    """Wall seconds and peak kilobytes of *cmd*, its stdout written to *output*."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(output), *cmd],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    result = json.loads(done.stdout)
    if result["code"] != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {done.stderr}")
    return result


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def bench_import(
    tmp: Path, data: Path, events: int, runs: int, budget: float, timeline: str
) -> tuple[Timings, Timings, Timings, Path]:
    """Timings of `timeline import`, of the baseline program and of the log alone.

    Returns the last timeline db too. Stops before *runs* when another round would take
    the total past *budget* seconds (one round is always run).
    """
    baseline = tmp / "baseline_import.py"
    baseline.write_text(BASELINE_IMPORT, encoding="utf-8")
    log_alone = tmp / "log_alone.py"
    log_alone.write_text(LOG_ALONE, encoding="utf-8")
    ours, theirs, alone = Timings(), Timings(), Timings()
    db, base_db, log_db = tmp / "import.db", tmp / "baseline.db", tmp / "log-alone.db"
    for i in range(runs):
        spent = sum(ours.wall) + sum(theirs.wall) + sum(alone.wall)
        if ours.wall and spent + ours.wall[-1] + theirs.wall[-1] + alone.wall[-1] > budget:
            print(f"  stopping after {i} runs: another would pass the {budget:.0f} s budget")
            break
        for path in (db, base_db, log_db):
            remove_db(path)
        wall, cpu, out = run([timeline, "import", str(data), "--db", str(db), "--silent", "--json"])
        appended = json.loads(out)["appended"]
        if appended != events:
            sys.exit(f"bench_log: timeline imported {appended} of {events} events")
        ours.add(wall, cpu)
        wall, cpu, out = run([sys.executable, str(baseline), str(data), str(base_db)])
        if int(out) != events:
            sys.exit(f"bench_log: the baseline inserted {out.strip()} of {events} events")
        theirs.add(wall, cpu)
        wall, cpu, out = run([sys.executable, str(log_alone), str(data), str(log_db)])
        if int(out) != events:
            sys.exit(f"bench_log: the log alone took {out.strip()} of {events} events")
        alone.add(wall, cpu)
        print(
            f"  import run {i + 1}/{runs}: timeline {ours.wall[-1]:.2f} s "
            f"(CPU {ours.cpu[-1]:.2f} s), baseline {theirs.wall[-1]:.2f} s "
            f"(CPU {theirs.cpu[-1]:.2f} s), log alone {alone.wall[-1]:.2f} s "
            f"(CPU {alone.cpu[-1]:.2f} s)"
        )
    remove_db(base_db)
    remove_db(log_db)
    return ours, theirs, alone, db


def bench_append(
    tmp: Path, db: Path, runs: int, timeline: str, sqlite_utils: str
) -> tuple[Timings, Timings]:
    """Timings of one `timeline append` and of one `sqlite-utils insert`, warm-up excluded."""
    base_db = tmp / "insert.db"
    remove_db(base_db)
    shutil.copyfile(db, base_db)  # the same size of file; the row goes to a table of its own
    ours, theirs = Timings(), Timings()
    for i in range(runs + 1):
        data = {
            "title": f"Wang Yi and Antony Blinken speak by phone ({i + 1})",
            "when": "2026-11-28T09:30+08:00",
            "summary": "The two discussed the preparations for the next round of talks.",
            "participants": [
                {"name": "Wang Yi", "role": "Minister of Foreign Affairs", "country": "CN"},
                {"name": "Antony Blinken", "role": "Secretary of State", "country": "US"},
            ],
            "sources": [{"url": f"https://www.fmprc.gov.cn/eng/xw/zxxx/call-{i + 1}.html"}],
            "tags": ["bilateral"],
        }
        text = json.dumps(data, ensure_ascii=False)
        wall, cpu, _ = run(
            [timeline, "append", "CallHeld", "--data", text, "--db", str(db), "--json"]
        )
        record = {"id": i + 1, "type": "CallHeld", "stream": f"call-{i + 1}", "data": text}
        base_wall, base_cpu, _ = run(
            [sqlite_utils, "insert", str(base_db), "t", "-"], stdin=json.dumps(record)
        )
        if i:  # the first of each is a warm-up (page cache, bytecode cache)
            ours.add(wall, cpu)
            theirs.add(base_wall, base_cpu)
    remove_db(base_db)
    return ours, theirs


def bench_startup(runs: int, envs: dict[str, dict[str, str]]) -> dict[str, Timings]:
    """Timings of a bare interpreter start and of importing each CLI module, in each env."""
    cases = {
        "python -c pass": "pass",
        "import timeline.cli": "import timeline.cli",
        "import sqlite_utils.cli": "import sqlite_utils.cli",
    }
    times: dict[str, Timings] = {}
    for i in range(runs + 1):  # the first round is a warm-up
        for suffix, env in envs.items():
            for name, code in cases.items():
                wall, cpu, _ = run([sys.executable, "-c", code], env=env)
                if i:
                    times.setdefault(name + suffix, Timings()).add(wall, cpu)
    return times


def load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def row(label: str, *cells: str) -> str:
    return f"{label:<38}" + "".join(f"{cell:>14}" for cell in cells)


def report(
    n: int,
    events: int,
    imports: tuple[Timings, Timings, Timings],
    appends: tuple[Timings, Timings],
    startup: dict[str, Timings] | None,
) -> None:
    ours, theirs, alone = imports

    def rate(seconds: float) -> str:
        return f"{events / seconds:,.0f} ev/s"

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    def ratio(pick: Callable[[Timings], float], a: Timings, b: Timings) -> str:
        return f"{pick(a) / pick(b):.3f}"

    print()
    print(f"import of {n:,} developments ({events:,} events), {len(ours.wall)} runs each")
    print(row("", "median", "best", "median wall", "median CPU"))
    cases = (
        ("timeline import", ours),
        ("the log alone (no tables)", alone),
        ("baseline (hash-chained log)", theirs),
    )
    for label, t in cases:
        print(
            row(
                label,
                rate(t.median),
                rate(t.best),
                f"{t.median:.2f} s",
                f"{t.median_cpu:.2f} s",
            )
        )
    for label, t in (("ratio import/baseline speed", ours), ("ratio log alone/baseline", alone)):
        print(
            row(
                label,
                ratio(lambda t: t.median, theirs, t),
                ratio(lambda t: t.best, theirs, t),
                "",
                ratio(lambda t: t.median_cpu, theirs, t),
            )
        )

    ours, theirs = appends
    print()
    print(f"one append into the imported database, median of {len(ours.wall)}")
    print(row("", "median", "best", "median CPU"))
    for label, t in (("timeline append CallHeld", ours), ("sqlite-utils insert t -", theirs)):
        print(row(label, ms(t.median), ms(t.best), ms(t.median_cpu)))
    print(
        row(
            "ratio timeline/baseline time",
            ratio(lambda t: t.median, ours, theirs),
            ratio(lambda t: t.best, ours, theirs),
            ratio(lambda t: t.median_cpu, ours, theirs),
        )
    )

    if startup:
        runs = len(next(iter(startup.values())).wall)
        print()
        print(f"start-up, median of {runs}")
        print(row("", "median", "best", "median CPU"))
        for name, t in startup.items():
            print(row(name, ms(t.median), ms(t.best), ms(t.median_cpu)))


def main(argv: list[str] | None = None) -> None:
    global ENV
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30_000, help="developments to generate")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--runs", type=int, default=3, help="import runs of each (default 3)")
    parser.add_argument(
        "--budget",
        type=float,
        default=120,
        metavar="SECONDS",
        help="run no further import pair past this many seconds of imports (default 120)",
    )
    parser.add_argument("--append-runs", type=int, default=15, help="append runs (default 15)")
    parser.add_argument("--startup-runs", type=int, default=15, help="start-up runs (default 15)")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up timings")
    parser.add_argument(
        "--bytecode-cache",
        action="store_true",
        help="time every process with a bytecode cache (as a regular install has)",
    )
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep its files")
    args = parser.parse_args(argv)

    timeline, sqlite_utils = script("timeline"), script("sqlite-utils")
    print(
        f"{dt.datetime.now(dt.UTC).date()}  Python {platform.python_version()}"
        f"  SQLite {sqlite3.sqlite_version}  {os.cpu_count()} CPUs  {platform.machine()}"
    )
    print(f"timeline: {timeline}\nsqlite-utils: {sqlite_utils}")
    print(f"at start: {load()}")

    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as scratch:
        tmp = Path(args.keep or scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        as_is = ENV
        if args.bytecode_cache:
            ENV = cached_env(tmp)
        if ENV.get("PYTHONDONTWRITEBYTECODE"):
            print("bytecode: PYTHONDONTWRITEBYTECODE is set, modules without a .pyc compile")
            print("          at every start (see --bytecode-cache)")
        data = tmp / "events.jsonl"
        with data.open("w", encoding="utf-8") as out:
            events = write(args.n, out, args.seed)
        size = data.stat().st_size / 1e6
        print(f"generated {events} events for {args.n} developments ({size:.1f} MB)")

        ours, theirs, alone, db = bench_import(tmp, data, events, args.runs, args.budget, timeline)
        appends = bench_append(tmp, db, args.append_runs, timeline, sqlite_utils)
        startup = None
        if not args.no_startup:
            envs = {"": ENV}
            if as_is.get("PYTHONDONTWRITEBYTECODE") and not args.bytecode_cache:
                envs = {" (as is)": as_is, " (.pyc cached)": cached_env(tmp)}
            startup = bench_startup(args.startup_runs, envs)
    print(f"at end: {load()}")
    report(args.n, events, (ours, theirs, alone), appends, startup)


if __name__ == "__main__":
    main()
