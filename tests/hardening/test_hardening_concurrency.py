"""Several real `timeline` processes appending and importing at once, while Datasette reads.

Writers are the real command (`python -m timeline`), each in a process of its own; the
reader is another process driving Datasette's own client. Afterwards the log must hold
every event exactly once, in order, and no read may have seen half of an import or a
log ahead of its tables.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from hardening_support import (
    assert_log_is_sound,
    batch_lines,
    fixed_id,
    plain,
    timeline,
)
from support import query_path

from timeline.db import open_db

BATCH = 200
IMPORTERS = 3  # processes, each importing two files of BATCH events one after the other
FILES_PER_IMPORTER = 2
ADDERS = 2  # processes, each adding a development and then calls and revisions of it
STEPS = 10

# One statement, so one snapshot: the log's length, what it created, what the tables show.
SNAPSHOT_SQL = """
select
  (select count(*) from events) as events,
  (select count(*) from events where stream_version = 1 and stream not like 'actor:%')
    as created,
  (select count(*) from developments) as developments,
  coalesce((select position from _projector_state where name = 'tables'), 0) as position
"""

READER = r"""
import asyncio, json, sys, time
from collections import Counter
from pathlib import Path
from datasette.app import Datasette

path, folder, table_url, snapshot_url = sys.argv[1:5]
folder = Path(folder)

async def main():
    ds = Datasette([path], settings={"max_returned_rows": 5000, "sql_time_limit_ms": 30000})
    await ds.invoke_startup()
    reads = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        stop = (folder / "stop").exists()  # one more read after the writers are done
        table = await ds.client.get(table_url)
        snapshot = await ds.client.get(snapshot_url)
        if table.status_code != 200 or snapshot.status_code != 200:
            reads.append({"error": [table.status_code, table.text[:300], snapshot.text[:300]]})
        else:
            batches = Counter()
            for row in table.json():
                for tag in json.loads(row["tags"] or "[]"):
                    if tag.startswith("batch-"):
                        batches[tag] += 1
            reads.append({"at": time.time(), "rows": len(table.json()),
                          "batches": batches, "snapshot": snapshot.json()[0]})
        if len(reads) == 1:
            (folder / "reader-ready").touch()
        if stop:
            break
        await asyncio.sleep(0.02)
    print(json.dumps(reads))

asyncio.run(main())
"""


def adder_commands(db: Path, w: int) -> list[list[str]]:
    """`timeline add` a scheduled development, then alternate new calls and revisions."""
    own = f"adder-{w}"
    commands = [
        [
            *("add", "scheduled", "--kind", "talks", "--id", own),
            *("--title", f"Talks {w}", "--tag", own, "--json", "--db", str(db)),
        ]
    ]
    for i in range(1, STEPS + 1):
        if i % 2:
            commands.append(
                [
                    *("add", "call", "--title", f"Call {w}-{i}", "--when", "2024-04-02"),
                    *("--with", "Joe Biden; President; US", "--tag", own),
                    *("--json", "--db", str(db)),
                ]
            )
        else:
            data = {"development": own, "changes": {"summary": f"step {i}"}, "reason": "news"}
            commands.append(
                [
                    *("append", "DevelopmentRevised", "--data", json.dumps(data)),
                    *("--json", "--db", str(db)),
                ]
            )
    return commands


def run_all(commands: list[list[str]], cwd: Path, start: threading.Barrier) -> list[dict]:
    start.wait()
    outcomes = []
    for args in commands:
        result = timeline(*args, cwd=cwd)
        outcomes.append(
            {
                "args": args,
                "code": result.returncode,
                "stdout": result.stdout,
                "stderr": result.stderr,
            }
        )
    return outcomes


def test_writers_and_a_datasette_reader_at_once(tmp_path: Path):
    db = tmp_path / "timeline.db"
    open_db(db).close()
    files: dict[int, Path] = {}
    for batch in range(IMPORTERS * FILES_PER_IMPORTER):
        files[batch] = tmp_path / f"batch-{batch}.jsonl"
        files[batch].write_text("\n".join(batch_lines(batch, BATCH)) + "\n", encoding="utf-8")

    table_url = "/timeline/developments.json?_shape=array&_size=max&_col=tags&_nofacet=1&_nocount=1"
    snapshot_url = f"{query_path('timeline')}.json?_shape=array&sql=" + quote(SNAPSHOT_SQL)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(tmp_path), table_url, snapshot_url],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "reader-ready").exists():
            assert reader.poll() is None, reader.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the reader did not start"
            time.sleep(0.05)

        jobs: list[list[list[str]]] = []
        for w in range(IMPORTERS):
            batches = range(w * FILES_PER_IMPORTER, (w + 1) * FILES_PER_IMPORTER)
            jobs.append([["import", str(files[b]), "--json", "--db", str(db)] for b in batches])
        jobs.extend(adder_commands(db, w) for w in range(ADDERS))
        start = threading.Barrier(len(jobs))
        began = time.time()
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            results = list(pool.map(lambda job: run_all(job, tmp_path, start), jobs))
        ended = time.time()
        (tmp_path / "stop").touch()
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err[-3000:]
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()

    # Every command succeeded: no lock timeouts, no conflicts between unrelated writers.
    printed_ids = []
    for outcomes in results:
        for outcome in outcomes:
            assert outcome["code"] == 0, outcome
            assert outcome["stderr"] == ""
            printed = json.loads(outcome["stdout"])
            if outcome["args"][0] == "import":
                assert printed["appended"] == BATCH
                assert printed["skipped"] == 0
                assert printed["last_seq"] - printed["first_seq"] == BATCH - 1
            else:
                printed_ids.append(printed["id"])
    # Each adder's own development grew one version per revision, in its order.
    for w, outcomes in zip(range(ADDERS), results[IMPORTERS:], strict=True):
        own = [json.loads(o["stdout"]) for o in outcomes]
        versions = [p["stream_version"] for p in own if p["stream"] == f"adder-{w}"]
        assert versions == list(range(1, STEPS // 2 + 2))

    # No event lost or duplicated; seq and stream versions without gaps; chain intact.
    imported = IMPORTERS * FILES_PER_IMPORTER * BATCH
    total = imported + ADDERS * (STEPS + 1)
    assert_log_is_sound(db, total)
    with plain(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM events")}
    file_ids = {fixed_id(b, i) for b in files for i in range(BATCH)}
    assert file_ids <= stored
    assert set(printed_ids) <= stored
    assert len(printed_ids) == ADDERS * (STEPS + 1)
    verify = timeline("verify", "--db", str(db), cwd=tmp_path)
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith(f"OK: {total} events, seq 1 to {total} without gaps")

    # What the reader saw: never part of an import, never a log ahead of its tables.
    reads = json.loads(out)
    errors = [r for r in reads if "error" in r]
    assert errors == []
    during = [r for r in reads if began <= r["at"] <= ended]
    assert len(during) >= 3, f"only {len(during)} reads overlapped the writers"
    seen_events = []
    for read in reads:
        for tag, n in read["batches"].items():
            assert n == BATCH, f"a read saw {n} of the {BATCH} developments of {tag}"
        snapshot = read["snapshot"]
        assert snapshot["position"] == snapshot["events"], snapshot
        assert snapshot["developments"] == snapshot["created"], snapshot
        seen_events.append(snapshot["events"])
    assert seen_events == sorted(seen_events), "a later read saw fewer events"
    # The reads are worth something only if some fell between the first and last state.
    assert len(set(seen_events)) >= 3, sorted(set(seen_events))
    assert reads[0]["snapshot"]["events"] == 0
    final = reads[-1]
    assert final["snapshot"]["events"] == total
    assert sorted(final["batches"]) == sorted(f"batch-{b}" for b in files)


def test_editors_posting_at_once_lose_and_repeat_nothing(tmp_path: Path):
    """Three editors post events to `timeline serve` at once over real HTTP: single events,
    JSON Lines batches, retries of what they sent, and a race to change one development at
    the version they all read. Every event lands once, in a gap-free log, under its poster's
    name; of the racers exactly one wins, the others get a 409."""
    import urllib.error
    import urllib.request

    from support import serving

    from timeline.editors import EditorsFile, default_path
    from timeline.log import EventLog

    db_path = tmp_path / "desk.db"
    open_db(db_path).close()
    editors = EditorsFile(default_path(db_path))
    names = ("Ana", "Ben", "Cy")
    tokens = {name: editors.add(name) for name in names}
    meeting = {
        "type": "DevelopmentScheduled",
        "data": {
            "development": "race",
            "kind": "meeting",
            "title": "Race",
            "participants": [{"name": "A"}],
        },
    }

    def event(name: str, n: int) -> dict:
        data = {"title": f"{name} call {n}", "when": "2024-05-02", "participants": [{"name": name}]}
        return {"type": "CallHeld", "id": fixed_id(names.index(name) + 1, n), "data": data}

    with serving(db_path, tmp_path / "serve.log") as base:

        def post(name: str, body: str) -> tuple[int, dict]:
            request = urllib.request.Request(
                f"{base}/-/timeline/desk/events",
                data=body.encode(),
                headers={"Authorization": f"Bearer {tokens[name]}"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as refused:
                return refused.code, json.loads(refused.read())

        assert post("Ana", json.dumps(meeting))[0] == 201

        def work(name: str) -> list[tuple[int, dict]]:
            answers = [post(name, json.dumps(event(name, n))) for n in range(10)]
            batch = "".join(json.dumps(event(name, n)) + "\n" for n in range(10, 15))
            answers.append(post(name, batch))
            answers.append(post(name, json.dumps(event(name, 3))))  # a retry
            return answers

        def race(name: str) -> tuple[int, dict]:
            body = {
                "type": "DevelopmentPostponed",
                "data": {"development": "race", "reason": name},
                "expected_version": 1,
            }
            return post(name, json.dumps(body))

        with ThreadPoolExecutor(max_workers=6) as pool:
            worked = list(pool.map(work, tokens))
            raced = list(pool.map(race, tokens))

    statuses = [status for answers in worked for status, _ in answers]
    assert statuses == ([201] * 11 + [200]) * 3
    seqs = [
        e["seq"]
        for answers in worked
        for status, a in answers
        if status == 201
        for e in a["events"]
    ]
    assert len(seqs) == len(set(seqs)) == 45
    assert sorted(status for status, _ in raced) == [201, 409, 409]
    assert all("is at version 2, not 1" in a["error"] for status, a in raced if status == 409)
    assert_log_is_sound(db_path, 1 + 45 + 1)
    db = open_db(db_path, create=False)
    try:
        for envelope in EventLog(db).read(types=["CallHeld"]):
            assert envelope.meta == {"recorded_by": envelope.data["title"].split()[0]}
    finally:
        db.close()
