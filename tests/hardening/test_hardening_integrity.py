"""The record's integrity: appends that must not vanish, history that must not shrink or
be rewritten unnoticed, and a `verify` that tells the truth under load and at any size.

Each test drives the real `timeline` command and reads what it tells the user.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import attrs
import pytest
from hardening_support import (
    batch_lines,
    count,
    database_of,
    head,
    invoke,
    one_error_line,
    plain,
    timeline,
)
from timeline.events.codec import canonical_json, chain_hash

from timeline import service
from timeline.db import GUARDS, open_db
from timeline.log import EventLog

ADD_CALL = ["add", "call", "--title", "A late call", "--when", "2024-04-02", "--with", "Joe Biden"]


@pytest.fixture
def log6(tmp_path: Path) -> Path:
    """Six events in a database file, tables up to date."""
    return database_of(tmp_path / "timeline.db", batch_lines(0, 6))


def refused(path: Path, *args: str) -> str:
    result = invoke(path, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return one_error_line(result.stderr)


def without_guards(path: Path, *statements: str, params: list[list] | None = None) -> None:
    """Run *statements* as an attacker would: guards dropped first, put back after."""
    with plain(path) as conn:
        for name in ("refuse_update", "refuse_delete", "seq_without_gaps", "refuse_reuse"):
            conn.execute(f"DROP TRIGGER IF EXISTS events_{name}")
        for sql, args in zip(statements, params or [[]] * len(statements), strict=True):
            conn.execute(sql, args)
        conn.executescript(GUARDS)


def rechain(path: Path, first: int, edit) -> None:
    """Rewrite event *first* with *edit* and re-hash it and every event after it."""
    db = open_db(path)
    try:
        events = list(EventLog(db).read())
    finally:
        db.close()
    previous = events[first - 2].hash if first > 1 else ""
    updates = []
    for envelope in events[first - 1 :]:
        if envelope.seq == first:
            envelope = edit(envelope)
        envelope = attrs.evolve(envelope, hash=chain_hash(previous, envelope.hashed_fields()))
        previous = envelope.hash
        updates.append(
            [
                envelope.recorded_at,
                canonical_json(envelope.data),
                envelope.hash,
                envelope.seq,
            ]
        )
    sql = "UPDATE events SET recorded_at = ?, data = ?, hash = ? WHERE seq = ?"
    without_guards(path, *([sql] * len(updates)), params=updates)


# --- 4. an append that a planted trigger drops is refused, and verify names the trigger --


def test_an_append_dropped_by_a_planted_trigger_is_refused_and_the_trigger_named(log6: Path):
    with plain(log6) as conn:
        conn.execute(
            "CREATE TRIGGER swallow BEFORE INSERT ON events BEGIN SELECT RAISE(IGNORE); END"
        )
    assert refused(log6, *ADD_CALL) == (
        "Error: the log did not store what was written (1 event after seq 6, 0 found); "
        "something in the database file interferes with writes; nothing was written; "
        "see: timeline verify"
    )
    assert count(log6) == 6
    assert refused(log6, "verify") == (
        "Error: the database has schema objects timeline did not make: trigger swallow on "
        "events; they can change what is written or read: look at them, then drop them"
    )


# --- 5. a shortened log: rebuild refuses, verify says so; kept heads -----------------------


def test_a_log_shortened_behind_the_tables_is_not_rebuilt_over(log6: Path):
    without_guards(log6, "DELETE FROM events WHERE seq > 4")
    shorter = (
        "Error: seq 5: missing: the tables were made from the log up to seq 6, but it ends at seq 4"
    )
    assert refused(log6, "rebuild").startswith(f"{shorter}; refusing to build on a log")
    assert refused(log6, "verify") == shorter
    with plain(log6) as conn:
        assert conn.execute("SELECT position FROM _projector_state").fetchone() == (6,)


def test_head_prints_seq_and_hash_and_verify_checks_a_kept_one(log6: Path):
    printed = invoke(log6, "head")
    assert printed.exit_code == 0
    _, hash_ = head(log6)
    assert printed.stdout == f"6:{hash_}\n"
    assert json.loads(invoke(log6, "head", "--json").stdout) == {"seq": 6, "hash": hash_}
    kept = printed.stdout.strip()
    verified = invoke(log6, "verify", "--head", kept)
    assert verified.exit_code == 0
    assert verified.stdout == (
        f"OK: 6 events, seq 1 to 6 without gaps, hash chain intact (head {hash_}), "
        "tables equal a rebuild, holds the head you kept\n"
    )
    assert invoke(log6, *ADD_CALL).exit_code == 0
    assert invoke(log6, "verify", "--head", kept).exit_code == 0  # a longer log still holds it
    other = f"6:{'0' * 64}"
    assert refused(log6, "verify", "--head", kept, "--head", other) == (
        f"Error: seq 6: differs from the head you kept ({other}): the log up to there was rewritten"
    )
    assert refused(log6, "verify", "--head", f"9:{hash_}") == (
        f"Error: seq 9: missing: the head you kept (9:{hash_}) is past the end of the log, "
        "which ends at seq 7"
    )
    misspelt = invoke(log6, "verify", "--head", "6-abc")
    assert misspelt.exit_code == 2  # a usage error, as click has it
    assert one_error_line(misspelt.stderr).startswith(
        "Error: Invalid value for '--head': '6-abc' is not a head like 120:<64 hex digits> "
        "(as `timeline head` prints it)"
    )


def test_head_of_an_empty_log(tmp_path: Path):
    path = tmp_path / "empty.db"
    open_db(path).close()
    assert invoke(path, "head").stdout == "0:\n"


# --- 6. INSERT OR REPLACE cannot delete an event -----------------------------------------


@pytest.mark.parametrize(
    "reused",
    ["id", "stream, stream_version"],
)
def test_insert_or_replace_reusing_an_event_is_refused_by_sqlite(log6: Path, reused: str):
    before = head(log6)
    columns = "id, type, schema_version, stream, stream_version, recorded_at, data, meta, hash"
    kept = {"id": "'ffffffff-ffff-4fff-bfff-ffffffffffff'"} if reused != "id" else {}
    select = ", ".join(kept.get(c.strip(), c.strip()) for c in columns.split(","))
    with plain(log6) as conn, pytest.raises(sqlite3.IntegrityError, match="never reused"):
        conn.execute(
            f"INSERT OR REPLACE INTO events (seq, {columns}) "
            f"SELECT 7, {select} FROM events WHERE seq = 3"
        )
    assert count(log6) == 6
    assert head(log6) == before
    assert invoke(log6, "verify").exit_code == 0


# --- 7. verify under concurrent appends ----------------------------------------------------

APPENDER = """
import sys, time
from timeline import service
from timeline.db import open_db

db = open_db(sys.argv[1])
deadline = time.monotonic() + float(sys.argv[2])
i = 0
print("ready", flush=True)
while time.monotonic() < deadline:
    service.append_one(db, service.submit("CallHeld", {
        "development": f"concurrent-{i}", "title": f"Call {i}", "when": "2024-04-02",
        "participants": [{"name": "Joe Biden"}]}))
    i += 1
print(i)
"""


def test_verify_while_another_process_appends_says_ok(log6: Path, tmp_path: Path):
    db = open_db(log6)
    service.import_file(db, iter(line + "\n" for line in batch_lines(1, 400)))
    db.close()
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(log6), "8"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert appender.stdout.readline() == "ready\n"
        time.sleep(0.3)
        verdicts = [invoke(log6, "verify") for _ in range(3)]
    finally:
        out, _ = appender.communicate(timeout=60)
    assert int(out) > 10, "the appender should have appended during the verifies"
    for verdict in verdicts:
        assert verdict.exit_code == 0, verdict.output
        assert verdict.stdout.startswith("OK: ")


# --- 8. a re-hashed event that no longer fits its type --------------------------------------


def test_a_rehashed_event_that_fails_its_type_is_named_in_one_line(log6: Path):
    rechain(log6, 4, lambda e: attrs.evolve(e, data={**e.data, "when": "the 4th of April"}))
    expected = "Error: seq 4: the stored CallHeld does not fit its type: data.when: "
    assert refused(log6, "verify").startswith(expected)
    # The tables' anchor refuses a plain rebuild; a forced one names the event too.
    assert refused(log6, "rebuild", "--force").startswith(expected)


# --- 10. verify in bounded memory ------------------------------------------------------------

MEASURE = """
import resource, sys
from click.testing import CliRunner
from timeline.cli import cli
result = CliRunner().invoke(cli, ["verify", "--db", sys.argv[1]])
assert result.exit_code == 0, result.output
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_kib_of_verify(path: Path, cwd: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def test_verify_runs_in_bounded_memory(big_db: Path, tmp_path: Path):
    small = tmp_path / "small.db"
    db = open_db(small)
    service.import_file(db, iter(line + "\n" for line in batch_lines(2, 300)))
    db.close()
    events = count(big_db)
    assert events > 60 * count(small)
    grown = peak_kib_of_verify(big_db, tmp_path) - peak_kib_of_verify(small, tmp_path)
    print(f"verify of {events} events: {grown} KiB more than of {count(small)}")
    # Whole tables or a copy of the file in memory would cost 40 MB and more here.
    assert grown < 25 * 1024, f"verify of {events} events took {grown} KiB more"


# --- 14. no event recorded in the log's past ----------------------------------------------


def test_a_back_dated_line_is_refused_in_a_non_empty_log(log6: Path, tmp_path: Path):
    line = json.loads(batch_lines(5, 1)[0])
    line["recorded_at"] = "2020-01-01T00:00:00Z"
    feed = tmp_path / "late.jsonl"
    feed.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (last,) = plain_last_time(log6)
    assert refused(log6, "import", str(feed)) == (
        "Error: line 1: recorded_at: 2020-01-01T00:00:00.000000Z is before the time of the "
        f"log's last event ({last}); an event cannot be recorded in the log's past"
    )
    assert count(log6) == 6


def test_a_whole_log_imports_into_an_empty_database_hashes_and_all(log6: Path, tmp_path: Path):
    exported = timeline("log", "--json", "--db", str(log6), cwd=tmp_path)
    copy = tmp_path / "copy.db"
    imported = timeline("import", "-", "--db", str(copy), cwd=tmp_path, input=exported.stdout)
    assert imported.returncode == 0, imported.stderr
    with plain(log6) as a, plain(copy) as b:
        query = "SELECT * FROM events ORDER BY seq"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_a_rehashed_back_dated_event_is_named_by_verify(log6: Path):
    rechain(log6, 5, lambda e: attrs.evolve(e, recorded_at="2020-01-01T00:00:00.000000Z"))
    line = refused(log6, "verify")
    assert line.startswith("Error: seq 5: recorded at 2020-01-01T00:00:00.000000Z, before the ")


def plain_last_time(path: Path) -> tuple[str]:
    with plain(path) as conn:
        return conn.execute("SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
