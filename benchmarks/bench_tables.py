"""Timings of the projection tables, each next to a plain baseline on the same data.

    python benchmarks/bench_tables.py                 # rebuild at 30,000, page at 300,000
    python benchmarks/bench_tables.py --n 5000 --big 20000

1. ``timeline rebuild`` of a log of N generated developments (whole process), against a
   stdlib program that reads every event of the same database back, ``json.loads`` its
   data and ``executemany``s one row per development into a fresh table with the
   developments table's columns. The ratio is baseline time / rebuild time (1.0 would be
   as fast as the baseline).
2. A faceted, date-filtered developments page in Datasette (facets kind, status, countries
   and tags; a two-year range; newest first) on a database of BIG developments, through
   Datasette's own client in this process, against the same page on a plain copy of the
   developments table with indexes on start, kind and status. Median of 7 after a
   warm-up; the ratio is timeline time / plain time (1.0 would be as fast).
3. Peak memory (maximum resident set size) of ``timeline import``, ``timeline rebuild`` and
   ``timeline verify`` at N and at BIG developments, and its growth: streaming keeps the
   two close.

``--work DIR`` keeps the generated files and imported databases in DIR and reuses them
(``run_all.py`` shares one folder between the scripts); by default a temp folder is used.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_log import Timings, measure, remove_db, run, script
from generate import write

BASELINE_REBUILD = '''\
"""Baseline: read every event back and write one row per development, set-wise.

Reads the log of a timeline database in order, json.loads each event's data, keeps one
row per development (the creating event's fields, its version counted over the rest) and
executemany's them into a fresh table with the developments table's columns.
"""
import json
import sqlite3
import sys

source, target = sys.argv[1], sys.argv[2]
log = sqlite3.connect(source)
columns = [row[1] for row in log.execute("PRAGMA table_info(developments)")]
version = columns.index("version")
rows: dict[str, list] = {}
for seq, stream, data in log.execute("SELECT seq, stream, data FROM events ORDER BY seq"):
    if stream.startswith("actor:"):
        continue
    data = json.loads(data)
    row = rows.get(stream)
    if row is None:
        row = rows[stream] = [
            value if not isinstance(value, dict | list) else json.dumps(value)
            for value in (data.get(name) for name in columns)
        ]
        row[0], row[1], row[version] = stream, seq, 1
    else:
        row[version] += 1
out = sqlite3.connect(target)
out.execute(f"CREATE TABLE developments ({', '.join(f'[{c}]' for c in columns)})")
with out:
    marks = ", ".join("?" * len(columns))
    out.executemany(f"INSERT INTO developments VALUES ({marks})", rows.values())
print(len(rows))
'''

PAGE = (
    "/{db}/developments.json?_facet=kind&_facet=status&_facet_array=countries&_facet_array=tags"
    "&start__gte=2023-01-01&start__lte=2024-12-31&_sort_desc=start&_shape=objects"
)


def build(tmp: Path, n: int, timeline: str) -> tuple[Path, Path, int]:
    """Generate N developments and import them; return the JSON Lines, the db and events.

    Reuses what an earlier call left in *tmp*. The import's wall time and peak memory are
    kept beside the db (see :func:`import_figures`).
    """
    data = tmp / f"developments-{n}.jsonl"
    db = tmp / f"timeline-{n}.db"
    figures = tmp / f"timeline-{n}.import.json"
    if data.exists() and db.exists() and figures.exists():
        return data, db, json.loads(figures.read_text())["events"]
    print(f"  generating and importing {n:,} developments…", file=sys.stderr)
    with data.open("w", encoding="utf-8") as out:
        events = write(n, out)
    remove_db(db)
    result = measure([timeline, "import", str(data), "--db", str(db), "--silent"])
    figures.write_text(json.dumps({**result, "events": events}))
    return data, db, events


def import_figures(tmp: Path, n: int) -> dict[str, float]:
    """Wall seconds and peak kilobytes of the import that :func:`build` ran for *n*."""
    return json.loads((tmp / f"timeline-{n}.import.json").read_text())


def bench_rebuild(tmp: Path, n: int, runs: int, timeline: str) -> tuple[Timings, Timings, int]:
    _, db, events = build(tmp, n, timeline)
    baseline = tmp / "baseline_rebuild.py"
    baseline.write_text(BASELINE_REBUILD)
    ours, plain = Timings(), Timings()
    for _ in range(runs):
        ours.add(*run([timeline, "rebuild", "--db", str(db), "--silent"])[:2])
        target = tmp / "baseline.db"
        remove_db(target)
        plain.add(*run([sys.executable, str(baseline), str(db), str(target)])[:2])
    return ours, plain, events


def plain_copy(db: Path, target: Path) -> None:
    """The developments table alone, indexed on the columns the page filters and facets."""
    remove_db(target)
    conn = sqlite3.connect(target)
    conn.execute("ATTACH DATABASE ? AS src", [str(db)])
    conn.execute("CREATE TABLE developments AS SELECT * FROM src.developments")
    for column in ("start", "kind", "status"):
        conn.execute(f"CREATE INDEX developments_{column} ON developments ([{column}])")
    conn.commit()
    conn.close()


async def page_times(path: Path, runs: int) -> tuple[list[float], bool, int]:
    from datasette.app import Datasette

    ds = Datasette([str(path)])
    await ds.invoke_startup()
    url = PAGE.format(db=path.stem)
    timed_out = False
    rows = 0
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        response = await ds.client.get(url)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            sys.exit(f"bench_tables: {url} answered {response.status_code}")
        body = response.json()
        timed_out = timed_out or bool(body.get("facets_timed_out"))
        rows = len(body["rows"])
        if i:  # the first request warms caches and is not counted
            times.append(elapsed)
    return times, timed_out, rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30_000, help="developments for the rebuild")
    parser.add_argument(
        "--big", type=int, default=300_000, help="developments for the page and memory"
    )
    parser.add_argument("--runs", type=int, default=3, help="rebuild runs")
    parser.add_argument("--work", metavar="DIR", help="keep and reuse data and databases here")
    args = parser.parse_args(argv)
    timeline = script("timeline")
    with tempfile.TemporaryDirectory(prefix="bench-tables-") as name:
        tmp = Path(args.work or name)
        tmp.mkdir(parents=True, exist_ok=True)
        ours, plain, events = bench_rebuild(tmp, args.n, args.runs, timeline)
        _, small_db, _ = build(tmp, args.n, timeline)
        _, big, big_events = build(tmp, args.big, timeline)
        memory = {
            "import": (import_figures(tmp, args.n), import_figures(tmp, args.big)),
            "rebuild": (
                measure([timeline, "rebuild", "--db", str(small_db), "--silent"]),
                measure([timeline, "rebuild", "--db", str(big), "--silent"]),
            ),
            "verify": (
                measure([timeline, "verify", "--db", str(small_db)]),
                measure([timeline, "verify", "--db", str(big)]),
            ),
        }
        copy = tmp / "plain.db"
        plain_copy(big, copy)
        page, timed_out, rows = asyncio.run(page_times(big, 7))
        plain_page, plain_timed_out, plain_rows = asyncio.run(page_times(copy, 7))
        remove_db(copy)
    today = dt.datetime.now(dt.UTC)
    print(
        f"bench_tables: {today:%Y-%m-%d} on {platform.node()} ({platform.machine()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print()
    print(f"{'':44} {'timeline':>12} {'baseline':>12} {'ratio':>8}")
    rebuild_speed, base_speed = events / ours.median, events / plain.median
    print(
        f"{f'rebuild, {args.n:,} developments ({events:,} ev)':44} "
        f"{rebuild_speed:>8,.0f} ev/s {base_speed:>8,.0f} ev/s {rebuild_speed / base_speed:>8.3f}"
    )
    print(
        f"{'':44} {ours.median:>10.2f} s {plain.median:>10.2f} s   (medians of {args.runs}; "
        f"CPU {ours.median_cpu:.2f} s)"
    )
    ours_ms, plain_ms = statistics.median(page) * 1000, statistics.median(plain_page) * 1000
    label = f"faceted page, {args.big:,} developments"
    print(f"{label:44} {ours_ms:>9.0f} ms {plain_ms:>9.0f} ms {ours_ms / plain_ms:>8.2f}")
    print(
        f"{'':44} {rows:>9} rows {plain_rows:>7} rows   facets timed out: "
        f"{'yes' if timed_out else 'no'} / {'yes' if plain_timed_out else 'no'}; "
        f"{big_events:,} events"
    )
    print()
    print(f"peak memory {'':20} {f'@{args.n:,}':>16} {f'@{args.big:,}':>18} {'growth':>8}")
    for name, (small, large) in memory.items():
        print(
            f"{'timeline ' + name:32} {small['peak_kb'] / 1024:>7.0f} MB {small['wall']:>6.1f} s"
            f" {large['peak_kb'] / 1024:>8.0f} MB {large['wall']:>6.1f} s"
            f" {large['peak_kb'] / small['peak_kb']:>8.2f}"
        )


if __name__ == "__main__":
    main()
