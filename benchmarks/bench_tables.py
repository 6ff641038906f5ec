"""Timings of the projection tables, each next to a plain baseline on the same data.

    python benchmarks/bench_tables.py                 # rebuild at 30,000, page at 100,000
    python benchmarks/bench_tables.py --n 5000 --page-n 20000

1. ``timeline rebuild`` of a log of N generated developments (whole process), against the
   same minimal stdlib program as bench_log.py: read the JSON Lines, ``json.loads`` each
   line, ``executemany`` (id, type, stream, data) in one transaction. The ratio is
   baseline time / rebuild time (1.0 would be as fast as the baseline).
2. A faceted, date-filtered developments page in Datasette (facets kind, status, country
   and tags; a two-year range; newest first) on a database of PAGE_N developments, through
   Datasette's own client in this process, against the same page on a plain copy of the
   developments table with indexes on start, kind, status and country. Median of 7 after a
   warm-up; the ratio is timeline time / plain time (1.0 would be as fast).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_log import BASELINE_IMPORT, Timings, remove_db, run, script
from generate import write

PAGE = (
    "/{db}/developments.json?_facet=kind&_facet=status&_facet=country&_facet_array=tags"
    "&start__gte=2023-01-01&start__lte=2024-12-31&_sort_desc=start&_shape=objects"
)


def build(tmp: Path, n: int, timeline: str) -> tuple[Path, Path, int]:
    """Generate N developments and import them; return the JSON Lines, the db and events."""
    data = tmp / f"developments-{n}.jsonl"
    with data.open("w", encoding="utf-8") as out:
        events = write(n, out)
    db = tmp / f"timeline-{n}.db"
    remove_db(db)
    run([timeline, "import", str(data), "--db", str(db), "--silent"])
    return data, db, events


def bench_rebuild(tmp: Path, n: int, runs: int, timeline: str) -> tuple[Timings, Timings, int]:
    data, db, events = build(tmp, n, timeline)
    baseline = tmp / "baseline.py"
    baseline.write_text(BASELINE_IMPORT)
    ours, plain = Timings(), Timings()
    for _ in range(runs):
        ours.add(*run([timeline, "rebuild", "--db", str(db), "--silent"])[:2])
        target = tmp / "baseline.db"
        remove_db(target)
        plain.add(*run([sys.executable, str(baseline), str(data), str(target)])[:2])
    return ours, plain, events


def plain_copy(db: Path, target: Path) -> None:
    """The developments table alone, indexed on the columns the page filters and facets."""
    remove_db(target)
    conn = sqlite3.connect(target)
    conn.execute("ATTACH DATABASE ? AS src", [str(db)])
    conn.execute("CREATE TABLE developments AS SELECT * FROM src.developments")
    for column in ("start", "kind", "status", "country"):
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
    parser.add_argument("--page-n", type=int, default=100_000, help="developments for the page")
    parser.add_argument("--runs", type=int, default=3, help="rebuild runs")
    args = parser.parse_args(argv)
    timeline = script("timeline")
    with tempfile.TemporaryDirectory(prefix="bench-tables-") as name:
        tmp = Path(name)
        ours, plain, events = bench_rebuild(tmp, args.n, args.runs, timeline)
        _, big, big_events = build(tmp, args.page_n, timeline)
        copy = tmp / "plain.db"
        plain_copy(big, copy)
        page, timed_out, rows = asyncio.run(page_times(big, 7))
        plain_page, plain_timed_out, plain_rows = asyncio.run(page_times(copy, 7))
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
    label = f"faceted page, {args.page_n:,} developments"
    print(f"{label:44} {ours_ms:>9.0f} ms {plain_ms:>9.0f} ms {ours_ms / plain_ms:>8.2f}")
    print(
        f"{'':44} {rows:>9} rows {plain_rows:>7} rows   facets timed out: "
        f"{'yes' if timed_out else 'no'} / {'yes' if plain_timed_out else 'no'}; "
        f"{big_events:,} events"
    )


if __name__ == "__main__":
    main()
