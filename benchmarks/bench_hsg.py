"""The Office of the Historian's import, next to the JSON Lines import of the same developments.

    python benchmarks/bench_hsg.py                  # 4,300 trips and 3,300 visits, 3 runs
    python benchmarks/bench_hsg.py --trips 1000 --visits 800 --runs 5

What it measures (wall time of a subprocess, as a user runs it, and its CPU time):

1. ``timeline import TRIPS.xml`` then ``timeline import VISITS.xml`` into a fresh
   database: reading the XML, mapping countries as they were on each date, planning
   against the log (each record's id looked up), then the same append as any import.
2. The baseline: ``timeline import SAME.jsonl`` into a fresh database, where SAME.jsonl is
   ``timeline log --json`` of the database the XML made: the same developments, as
   events, through the same append path. The speed ratio is baseline time / Historian
   time (1.0: the XML costs nothing beyond the events it makes).
3. Importing both files again (the sync: nothing changed, nothing appended).

The files are made from the samples in ``tests/data/hsg/``, repeated with new ids and
dates moved back a year at a time until there are as many records as the Historian's
full collections (about 4,300 trips and 3,300 visits): older dates go through the
former-state mapping (Kyiv before 1992 is the U.S.S.R.) as the real collections do.
Runs alternate, so drift in the machine's load hits both alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_log import remove_db, run, script

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "hsg"
TRAVELS = ("travels-secretary-blinken-antony-j.xml", "travels-president-biden-joseph-r.xml")
VISITS = ("visits-2020.xml",)


def _years_back(text: str, years: int) -> str:
    """An ISO date *years* earlier (28 February for a 29th that the year has not)."""
    day = dt.date.fromisoformat(text)
    try:
        return day.replace(year=day.year - years).isoformat()
    except ValueError:
        return day.replace(year=day.year - years, day=28).isoformat()


def make(samples: tuple[str, ...], root: str, count: int, out: Path) -> int:
    """Write *count* records of the *samples*, repeated with new ids and older dates."""
    records = [item for name in samples for item in ET.parse(SAMPLES / name).getroot() if item.tag]
    document = ET.Element(root)
    for i in range(count):
        record = ET.fromstring(ET.tostring(records[i % len(records)]))
        back = i // len(records)
        record.find("id").text = str(100_000 + i)  # type: ignore[union-attr]
        for tag in ("start-date", "end-date"):
            node = record.find(tag)
            if node is not None and node.text:
                node.text = _years_back(node.text.strip(), back)
        document.append(record)
    ET.ElementTree(document).write(out, encoding="utf-8", xml_declaration=True)
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trips", type=int, default=4_300, help="trips (<trip> records)")
    parser.add_argument("--visits", type=int, default=3_300, help="visits (<visit> records)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median)")
    parser.add_argument("--work", metavar="DIR", help="keep the generated files here")
    args = parser.parse_args(argv)
    timeline = script("timeline")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-hsg-") as name:
        tmp = Path(args.work or name)
        tmp.mkdir(parents=True, exist_ok=True)
        trips, visits = tmp / "trips.xml", tmp / "visits.xml"
        make(TRAVELS, "trips", args.trips, trips)
        make(VISITS, "visits", args.visits, visits)
        records = args.trips + args.visits
        hsg_db, jsonl_db, same = tmp / "hsg.db", tmp / "jsonl.db", tmp / "same.jsonl"
        walls: dict[str, list[float]] = {"hsg": [], "jsonl": [], "again": []}
        cpus: dict[str, list[float]] = {"hsg": [], "jsonl": [], "again": []}
        for i in range(args.runs):
            remove_db(hsg_db)
            wall = cpu = 0.0
            appended = 0
            for path in (trips, visits):
                w, c, out = run([timeline, "import", str(path), "--db", str(hsg_db), "--json"])
                wall, cpu, appended = wall + w, cpu + c, appended + json.loads(out)["appended"]
            if appended != records:
                sys.exit(f"bench_hsg: the Historian's import appended {appended} of {records}")
            walls["hsg"].append(wall)
            cpus["hsg"].append(cpu)
            if i == 0:
                _, _, log = run([timeline, "log", "--json", "--db", str(hsg_db)])
                same.write_text(log, encoding="utf-8")
            remove_db(jsonl_db)
            w, c, out = run([timeline, "import", str(same), "--db", str(jsonl_db), "--json"])
            if json.loads(out)["appended"] != records:
                sys.exit("bench_hsg: the JSON Lines import did not append every event")
            walls["jsonl"].append(w)
            cpus["jsonl"].append(c)
            wall = cpu = 0.0
            for path in (trips, visits):
                w, c, out = run([timeline, "import", str(path), "--db", str(hsg_db), "--json"])
                if json.loads(out)["appended"]:
                    sys.exit("bench_hsg: importing the same file again appended events")
                wall, cpu = wall + w, cpu + c
            walls["again"].append(wall)
            cpus["again"].append(cpu)
            print(
                f"  run {i + 1}/{args.runs}: Historian {walls['hsg'][-1]:.2f} s, "
                f"JSON Lines {walls['jsonl'][-1]:.2f} s, again {walls['again'][-1]:.2f} s"
            )
        for leftover in (hsg_db, jsonl_db):
            remove_db(leftover)
    today = dt.datetime.now(dt.UTC)
    print(
        f"bench_hsg: {today:%Y-%m-%d} on {platform.node()} ({platform.machine()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print()
    base = statistics.median(walls["jsonl"])
    print(
        f"{records:,} records ({args.trips:,} trips, {args.visits:,} visits), median of {args.runs}"
    )
    print(f"{'':34} {'time':>9} {'CPU':>9} {'records/s':>10} {'speed ratio':>12}")
    for key, label in (
        ("hsg", "import hsg-travels + hsg-visits"),
        ("jsonl", "import JSON Lines (baseline)"),
        ("again", "import both again (nothing new)"),
    ):
        wall, cpu = statistics.median(walls[key]), statistics.median(cpus[key])
        print(
            f"{label:34} {wall:>7.2f} s {cpu:>7.2f} s {records / wall:>10,.0f} {base / wall:>12.2f}"
        )


if __name__ == "__main__":
    main()
