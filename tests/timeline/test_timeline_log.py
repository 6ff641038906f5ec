"""Tests for timeline.log and timeline.db: the append-only, hash-chained `events` table.

The log store is tested below the service: events are appended through
``EventLog.writing()`` with free-form payloads, since the log itself does not validate
event types. Tampering is done the way an attacker would, with a plain sqlite3
connection that first drops the guarding triggers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from support import all_rows, assert_log_is_sound, count
from timeline.events.codec import canonical_json, chain_hash

from timeline.cli import cli
from timeline.db import open_db
from timeline.envelope import Envelope
from timeline.log import GENESIS, EventLog, Problem, verify_chain

IMMUTABLE = "^events are immutable: the log is append-only$"
GAP = "^events.seq must follow the last seq without a gap$"
RECORDED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
HASH_MISMATCH = "the hash does not match the event's contents"


def append(
    log: EventLog,
    *events: tuple[str, dict[str, Any]],
    meta: dict | None = None,
    type_: str = "Noted",
) -> list[Envelope]:
    """Append (stream, data) pairs in one transaction, as type ``Noted`` (the log itself
    knows no event types)."""
    with log.writing() as writer:
        for stream, data in events:
            writer.append(
                id=str(uuid.uuid4()),
                type=type_,
                schema_version=1,
                stream=stream,
                data=data,
                meta=meta or {},
            )
    return writer.appended


# --- the basic contract, on a file and in memory ------------------------------------


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest) -> EventLog:
    """The same EventLog contract, run against an on-disk (WAL) and an in-memory database."""
    return EventLog(request.getfixturevalue("db" if request.param == "file" else "memory_db"))


def test_empty_log(store: EventLog):
    assert store.head() == (0, GENESIS)
    assert GENESIS == ""
    assert list(store.read()) == []
    assert store.stream_version("anything") == 0
    assert verify_chain(store.db) == (0, None)


def test_seq_counts_from_one_without_gaps_across_transactions(store: EventLog):
    append(store, ("a", {"n": 1}))
    append(store, ("b", {"n": 2}), ("a", {"n": 3}))
    append(store, ("c", {"n": 4}))
    seqs = [row[0] for row in store.db.execute("SELECT seq FROM events ORDER BY seq")]
    assert seqs == [1, 2, 3, 4]
    assert [e.data["n"] for e in store.read()] == [1, 2, 3, 4]


def test_stream_version_counts_per_stream_from_one(store: EventLog):
    append(store, ("a", {}), ("b", {}), ("a", {}))
    append(store, ("a", {}), ("b", {}), ("c", {}))
    rows = store.db.execute("SELECT stream, stream_version FROM events ORDER BY seq").fetchall()
    assert rows == [("a", 1), ("b", 1), ("a", 2), ("a", 3), ("b", 2), ("c", 1)]
    assert (store.stream_version("a"), store.stream_version("b")) == (3, 2)
    assert store.stream_version("c") == 1
    assert store.stream_version("missing") == 0


def test_recorded_at_is_utc_iso_with_z(store: EventLog):
    before = dt.datetime.now(dt.UTC)
    first, second = append(store, ("a", {}), ("b", {}))
    (third,) = append(store, ("a", {}))
    after = dt.datetime.now(dt.UTC)
    for envelope in (first, second, third):
        assert RECORDED_AT.match(envelope.recorded_at), envelope.recorded_at
        instant = dt.datetime.fromisoformat(envelope.recorded_at.replace("Z", "+00:00"))
        assert before - dt.timedelta(seconds=1) <= instant <= after + dt.timedelta(seconds=1)
    # One transaction, one instant; a later transaction is never earlier.
    assert first.recorded_at == second.recorded_at
    assert third.recorded_at >= second.recorded_at
    stored = [r[0] for r in store.db.execute("SELECT recorded_at FROM events ORDER BY seq")]
    assert stored == [first.recorded_at, second.recorded_at, third.recorded_at]


def test_data_and_meta_are_json_text_that_sqlite_can_query(store: EventLog):
    data = {
        "title": "Wang Yi meets Antony Blinken",
        "participants": [{"name": "王毅", "country": "CN"}, {"name": "Antony Blinken"}],
        "place": {"lat": 39.9, "lon": 116.4},
    }
    append(store, ("talks", data), meta={"recorded_by": "ana", "note": "from the MFA site"})
    row = store.db.execute(
        """
        SELECT typeof(data), typeof(meta),
               json_extract(data, '$.title'),
               json_extract(data, '$.participants[0].name'),
               json_extract(data, '$.participants[1].name'),
               json_extract(data, '$.place.lat'),
               json_extract(meta, '$.recorded_by'),
               json_array_length(data, '$.participants')
        FROM events WHERE seq = 1
        """
    ).fetchone()
    assert row == (
        "text",
        "text",
        "Wang Yi meets Antony Blinken",
        "王毅",
        "Antony Blinken",
        39.9,
        "ana",
        2,
    )
    # Stored in the one canonical form: sorted keys, no spaces, non-ASCII kept readable.
    stored_meta, stored_data = store.db.execute("SELECT meta, data FROM events").fetchone()
    assert stored_meta == '{"note":"from the MFA site","recorded_by":"ana"}'
    assert stored_data == canonical_json(data)
    assert '"王毅"' in stored_data


def test_meta_defaults_to_an_empty_object(store: EventLog):
    append(store, ("a", {"x": 1}))
    assert store.db.execute("SELECT meta FROM events").fetchone() == ("{}",)


def test_read_returns_what_append_returned_and_filters(store: EventLog):
    written = append(store, ("a", {"n": 1}), ("b", {"n": 2}))
    with store.writing() as writer:
        writer.append(
            id=str(uuid.uuid4()), type="Other", schema_version=2, stream="a", data={}, meta={}
        )
    written += writer.appended
    assert list(store.read()) == written
    assert [e.seq for e in store.read(since=1)] == [2, 3]
    assert [e.seq for e in store.read(stream="a")] == [1, 3]
    assert [e.seq for e in store.read(types=("Other",))] == [3]
    assert [e.seq for e in store.read(until_seq=2)] == [1, 2]
    assert store.get(written[1].id) == written[1]
    assert store.get(str(uuid.uuid4())) is None
    assert store.head() == (3, written[2].hash)
    assert written[2].schema_version == 2


def test_more_events_than_one_flush_land_in_one_transaction(store: EventLog):
    events = [(f"s{i % 7}", {"i": i}) for i in range(2_345)]
    appended = append(store, *events)
    assert [e.seq for e in appended] == list(range(1, 2_346))
    assert count(store.db) == 2_345
    assert store.stream_version("s0") == len(range(0, 2_345, 7))
    assert verify_chain(store.db) == (2_345, None)


# --- the hash chain -----------------------------------------------------------------


def test_each_hash_chains_the_previous_one(store: EventLog):
    append(store, ("a", {"title": "first"}), ("b", {"title": "second"}), meta={"by": "x"})
    append(store, ("a", {"title": "third", "nested": {"z": [1, 2.5, None, True]}}))
    previous = ""
    for envelope in store.read():
        assert envelope.hash == chain_hash(previous, envelope.hashed_fields())
        # The algorithm itself: SHA-256 over the previous hash, then the canonical row.
        fields = {
            "seq": envelope.seq,
            "id": envelope.id,
            "type": envelope.type,
            "schema_version": envelope.schema_version,
            "stream": envelope.stream,
            "stream_version": envelope.stream_version,
            "recorded_at": envelope.recorded_at,
            "data": envelope.data,
            "meta": envelope.meta,
        }
        row = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert envelope.hash == hashlib.sha256((previous + row).encode()).hexdigest()
        previous = envelope.hash
    assert verify_chain(store.db) == (3, None)


def test_to_json_is_the_hashed_fields_plus_the_hash(store: EventLog):
    (envelope,) = append(store, ("a", {"x": 1}), meta={"note": "n"})
    assert envelope.to_json() == {
        "seq": 1,
        "id": envelope.id,
        "type": "Noted",
        "schema_version": 1,
        "stream": "a",
        "stream_version": 1,
        "recorded_at": envelope.recorded_at,
        "data": {"x": 1},
        "meta": {"note": "n"},
        "hash": envelope.hash,
    }


# --- the database refuses to change the log -----------------------------------------


@pytest.fixture
def five(log: EventLog) -> list[Envelope]:
    """A log of five events in two streams: a1 b1 a2 b2 a3."""
    return append(
        log,
        ("a", {"title": "one"}),
        ("b", {"title": "two"}),
        ("a", {"title": "three"}),
        ("b", {"title": "four"}),
        ("a", {"title": "five"}),
        meta={"recorded_by": "ana"},
    )


@pytest.fixture
def five_calls(log: EventLog) -> list[Envelope]:
    """The same five events as :func:`five`, as calls: `timeline verify` loads each event."""
    return append(
        log,
        *(
            (
                stream,
                {
                    "development": stream,
                    "title": title,
                    "when": "2024-04-02",
                    "participants": [{"name": "Joe Biden"}],
                },
            )
            for stream, title in (
                ("a", "one"),
                ("b", "two"),
                ("a", "three"),
                ("b", "four"),
                ("a", "five"),
            )
        ),
        meta={"recorded_by": "ana"},
        type_="CallHeld",
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE events SET data = json_set(data, '$.title', 'edited') WHERE seq = 3",
        "UPDATE events SET hash = 'x'",
        "UPDATE events SET seq = 10 WHERE seq = 5",
        "DELETE FROM events WHERE seq = 3",
        "DELETE FROM events",
    ],
)
def test_update_and_delete_are_refused_by_sqlite(db, db_path: Path, five, sql: str):
    before = all_rows(db)
    with pytest.raises(sqlite3.IntegrityError, match=IMMUTABLE):
        db.execute(sql)
    # A second, plain connection that knows nothing of timeline is refused the same way.
    plain = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match=IMMUTABLE):
            plain.execute(sql)
        plain.rollback()
    finally:
        plain.close()
    assert all_rows(db) == before
    assert verify_chain(db) == (5, None)


def test_update_is_refused_in_memory_too(memory_db):
    append(EventLog(memory_db), ("a", {}))
    with pytest.raises(sqlite3.DatabaseError, match=IMMUTABLE):
        memory_db.execute("UPDATE events SET type = 'Other'")
    with pytest.raises(sqlite3.DatabaseError, match=IMMUTABLE):
        memory_db.execute("DELETE FROM events")
    assert count(memory_db) == 1


INSERT = (
    "INSERT INTO events (seq, id, type, schema_version, stream, stream_version, "
    "recorded_at, data, meta, hash) VALUES (?, ?, 'Noted', 1, 'z', 1, "
    "'2024-01-01T00:00:00.000000Z', '{}', '{}', 'h')"
)


@pytest.mark.parametrize("seq", [7, 5, 1, 0, -1, None], ids=lambda s: f"seq={s}")
def test_insert_out_of_sequence_is_refused(db, db_path: Path, five, seq):
    plain = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match=GAP):
            plain.execute(INSERT, [seq, str(uuid.uuid4())])
        plain.rollback()
    finally:
        plain.close()
    assert count(db) == 5


def test_row_inserted_behind_the_logs_back_breaks_the_chain(db, db_path: Path, five):
    # seq 6 follows without a gap, so the trigger lets it in; its hash gives it away.
    plain = sqlite3.connect(db_path)
    try:
        plain.execute(INSERT, [6, str(uuid.uuid4())])
        plain.commit()
    finally:
        plain.close()
    assert verify_chain(db) == (6, Problem(6, HASH_MISMATCH))


def test_data_must_be_valid_json(db, five):
    with pytest.raises(sqlite3.IntegrityError, match=r"json_valid\(data\)"):
        db.execute(INSERT.replace("'{}', '{}'", "'{not json', '{}'"), [6, str(uuid.uuid4())])


# --- tampering is detected ----------------------------------------------------------


def tamper(db_path: Path, *statements: str) -> None:
    """Edit the log as an attacker would: drop the guards, change rows, commit."""
    plain = sqlite3.connect(db_path)
    try:
        plain.execute("DROP TRIGGER events_refuse_update")
        plain.execute("DROP TRIGGER events_refuse_delete")
        for sql in statements:
            plain.execute(sql)
        plain.commit()
    finally:
        plain.close()


TAMPERING = {
    "data edited": (
        ["UPDATE events SET data = json_set(data, '$.title', 'edited') WHERE seq = 3"],
        Problem(3, HASH_MISMATCH),
    ),
    "meta edited": (
        ["UPDATE events SET meta = json_set(meta, '$.recorded_by', 'mallory') WHERE seq = 2"],
        Problem(2, HASH_MISMATCH),
    ),
    "middle row deleted": (
        ["DELETE FROM events WHERE seq = 3"],
        Problem(3, "missing: the log jumps from 2 to 4"),
    ),
    "first row deleted": (
        ["DELETE FROM events WHERE seq = 1"],
        Problem(1, "missing: the log jumps from 0 to 2"),
    ),
    "two rows swapped": (
        [
            "UPDATE events SET seq = -2 WHERE seq = 2",
            "UPDATE events SET seq = 2 WHERE seq = 3",
            "UPDATE events SET seq = 3 WHERE seq = -2",
        ],
        Problem(2, HASH_MISMATCH),
    ),
    "same-stream rows swapped": (
        [
            "UPDATE events SET seq = -3 WHERE seq = 3",
            "UPDATE events SET seq = 3 WHERE seq = 5",
            "UPDATE events SET seq = 5 WHERE seq = -3",
        ],
        Problem(3, "stream a jumps to version 3 after 1"),
    ),
    "last row renumbered": (
        ["UPDATE events SET seq = 7 WHERE seq = 5"],
        Problem(5, "missing: the log jumps from 4 to 7"),
    ),
    "hash replaced": (
        ["UPDATE events SET hash = (SELECT hash FROM events WHERE seq = 2) WHERE seq = 4"],
        Problem(4, HASH_MISMATCH),
    ),
    "recorded_at changed": (
        ["UPDATE events SET recorded_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2"],
        Problem(2, HASH_MISMATCH),
    ),
    "type changed": (
        ["UPDATE events SET type = 'Other' WHERE seq = 5"],
        Problem(5, HASH_MISMATCH),
    ),
    "stream_version changed": (
        ["UPDATE events SET stream_version = 9 WHERE seq = 4"],
        Problem(4, "stream b jumps to version 9 after 1"),
    ),
    "data not JSON": (
        # json_valid() guards the column; an attacker can turn CHECK constraints off.
        ["PRAGMA ignore_check_constraints = ON", "UPDATE events SET data = 'oops' WHERE seq = 2"],
        Problem(2, "the stored data or meta is not valid JSON"),
    ),
}


@pytest.mark.parametrize(("statements", "problem"), TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_chain_names_the_first_tampered_seq(
    db, db_path: Path, five, statements: list[str], problem: Problem
):
    assert verify_chain(db) == (5, None)
    tamper(db_path, *statements)
    _, found = verify_chain(db)
    assert found == problem
    assert str(found) == f"seq {problem.seq}: {problem.message}"


def test_edited_row_with_a_recomputed_hash_breaks_the_next_link(db, db_path: Path, five):
    # The attacker rewrites seq 3 and gives it a hash that matches: seq 4 no longer chains.
    edited = attrs.evolve(five[2], data={"title": "edited"})
    new_hash = chain_hash(five[1].hash, edited.hashed_fields())
    tamper(
        db_path,
        f"UPDATE events SET data = '{canonical_json(edited.data)}', hash = '{new_hash}' "
        "WHERE seq = 3",
    )
    assert verify_chain(db) == (4, Problem(4, HASH_MISMATCH))


@pytest.mark.parametrize(
    ("statements", "line"),
    [
        (TAMPERING["data edited"][0], "Error: seq 3: the hash does not match the event's contents"),
        (TAMPERING["middle row deleted"][0], "Error: seq 3: missing: the log jumps from 2 to 4"),
        (
            TAMPERING["two rows swapped"][0],
            "Error: seq 2: the hash does not match the event's contents",
        ),
        (
            TAMPERING["hash replaced"][0],
            "Error: seq 4: the hash does not match the event's contents",
        ),
    ],
    ids=["edited", "deleted", "swapped", "hash"],
)
def test_cli_verify_exits_1_naming_the_seq(runner, db_path: Path, five_calls, statements, line):
    tamper(db_path, *statements)
    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == line + "\n"


def test_cli_verify_on_a_clean_log(runner, db):
    # Real event types here: verify also folds the log into the projection tables.
    from timeline import service

    calls = [
        {
            "type": "CallHeld",
            "data": {
                "development": f"call-{i}",
                "title": f"Call {i}",
                "when": "2024-04-02",
                "participants": [{"name": "Joe Biden"}],
            },
        }
        for i in range(3)
    ]
    service.append(db, [service.parse_submission(c) for c in calls])
    head = EventLog(db).head()[1]
    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith(
        f"OK: 3 events, seq 1 to 3 without gaps, hash chain intact (head {head})"
    )


def test_cli_verify_on_an_empty_log_does_not_claim_seq_1_to_0(runner):
    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 0 events, ")
    assert "seq 1 to 0" not in result.stdout


# --- transactions -------------------------------------------------------------------


def append_then_fail(log: EventLog, streams: list[str], error: BaseException) -> None:
    """Append one event per stream inside a write transaction, then raise *error*."""
    with log.writing() as writer:
        for i, stream in enumerate(streams):
            writer.append(
                id=str(uuid.uuid4()),
                type="Noted",
                schema_version=1,
                stream=stream,
                data={"i": i},
                meta={},
            )
        raise error


def test_a_rolled_back_write_leaves_the_log_unchanged(log: EventLog, five):
    before = all_rows(log.db)
    with pytest.raises(RuntimeError, match=r"^changed my mind$"):
        append_then_fail(log, ["a", "new"], RuntimeError("changed my mind"))
    assert all_rows(log.db) == before
    assert not log.db.conn.in_transaction
    # The next write carries on from the old head, as if nothing had happened.
    (envelope,) = append(log, ("new", {}))
    assert (envelope.seq, envelope.stream_version) == (6, 1)
    assert envelope.hash == chain_hash(five[-1].hash, envelope.hashed_fields())
    assert verify_chain(log.db) == (6, None)


def test_a_rolled_back_write_after_a_flush_leaves_the_log_unchanged(log: EventLog, five):
    # More than one flush: rows reach the table before the transaction is rolled back.
    with pytest.raises(KeyboardInterrupt):
        append_then_fail(log, ["x"] * 2_100, KeyboardInterrupt())
    assert count(log.db) == 5
    assert log.head() == (5, five[-1].hash)
    assert not log.db.conn.in_transaction


def test_other_connections_do_not_see_an_uncommitted_write(log: EventLog, db_path: Path, five):
    reader = open_db(db_path)
    try:
        with log.writing() as writer:
            writer.append(
                id=str(uuid.uuid4()), type="Noted", schema_version=1, stream="a", data={}, meta={}
            )
            writer.flush()
            assert count(log.db) == 6
            assert count(reader) == 5
        assert count(reader) == 6
    finally:
        reader.close()


# --- several processes at once ------------------------------------------------------

# Each worker invokes the real click commands, in its own process with its own
# connection; all wait at a start line so their appends overlap.
WORKER = """
import json, sys, time
from pathlib import Path
from click.testing import CliRunner
from timeline.cli import cli

folder, name = Path(sys.argv[1]), sys.argv[2]
commands = json.loads(sys.argv[3])
runner = CliRunner()
(folder / f"ready-{name}").touch()
deadline = time.monotonic() + 60
while not (folder / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.002)
results = []
for args in commands:
    r = runner.invoke(cli, args)
    results.append({"args": args, "exit_code": r.exit_code, "stdout": r.stdout, "stderr": r.stderr})
print(json.dumps(results))
"""


def run_workers(folder: Path, jobs: dict[str, list[list[str]]]) -> dict[str, list[dict]]:
    """Run each job's commands in its own process, all starting together."""
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", WORKER, str(folder), name, json.dumps(commands)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, commands in jobs.items()
    }
    deadline = time.monotonic() + 60
    while not all((folder / f"ready-{name}").exists() for name in jobs):
        assert time.monotonic() < deadline, "the workers did not start"
        assert all(p.poll() is None for p in processes.values()), "a worker died"
        time.sleep(0.01)
    (folder / "go").touch()
    results = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results[name] = json.loads(out)
    return results


@pytest.mark.slow
def test_four_processes_appending_at_once(db, db_path: Path, tmp_path: Path):
    jobs: dict[str, list[list[str]]] = {}
    for w in range(4):
        # Each worker opens a scheduled development, then alternates new calls
        # (new streams) with revisions of its own development (one growing stream).
        commands = [
            [
                *("--db", str(db_path), "add", "scheduled", "--kind", "talks"),
                *("--title", f"Talks {w}", "--id", f"talks-{w}", "--json"),
            ]
        ]
        for i in range(1, 25):
            if i % 2:
                commands.append(
                    [
                        *("--db", str(db_path), "add", "call", "--title", f"Call {w}-{i}"),
                        *("--when", "2024-04-02", "--with", "Joe Biden; President; US", "--json"),
                    ]
                )
            else:
                data = {"development": f"talks-{w}", "changes": {"summary": f"round {i}"}}
                data["reason"] = "update"
                commands.append(
                    [
                        *("--db", str(db_path), "append", "DevelopmentRevised"),
                        *("--data", json.dumps(data), "--json"),
                    ]
                )
        jobs[f"w{w}"] = commands
    results = run_workers(tmp_path, jobs)

    printed = []
    for name, outcomes in results.items():
        assert len(outcomes) == 25
        for outcome in outcomes:
            assert outcome["exit_code"] == 0, outcome
            printed.append(json.loads(outcome["stdout"]))
        streams = [json.loads(o["stdout"])["stream"] for o in outcomes]
        own = f"talks-{name[1:]}"
        # Every append of a worker landed, in its order, in its own stream.
        own_versions = [
            json.loads(o["stdout"])["stream_version"]
            for o, s in zip(outcomes, streams, strict=True)
            if s == own
        ]
        assert own_versions == list(range(1, 14))  # created, then 12 revisions
    assert sorted(p["seq"] for p in printed) == list(range(1, 101))
    assert len({p["id"] for p in printed}) == 100
    assert_log_is_sound(db, 100)
    assert count_streams(db) == 4 + 4 * 12
    # The projection tables, kept up to date by each process, equal a rebuild.
    result = CliRunner().invoke(cli, ["--db", str(db_path), "verify"])
    assert result.exit_code == 0, result.output


def count_streams(db) -> int:
    return db.execute("SELECT COUNT(DISTINCT stream) FROM events").fetchone()[0]


def test_concurrent_conditional_appends_to_one_stream(db, db_path: Path, tmp_path: Path):
    from timeline import service

    service.append(
        db,
        [
            service.parse_submission(
                {
                    "type": "DevelopmentScheduled",
                    "data": {"development": "shared", "title": "Shared talks", "kind": "talks"},
                }
            )
        ],
    )
    # Every worker tries to write version v+1 of the stream for v = 1..10, each attempt
    # conditional on the stream being at v: at most one attempt per v can succeed.
    jobs = {
        f"w{w}": [
            [
                *("--db", str(db_path), "append", "DevelopmentRevised", "--json"),
                *("--expect-version", str(v), "--data"),
                json.dumps(
                    {
                        "development": "shared",
                        "changes": {"summary": f"worker {w} at {v}"},
                        "reason": "race",
                    }
                ),
            ]
            for v in range(1, 11)
        ]
        for w in range(4)
    }
    results = run_workers(tmp_path, jobs)

    won: list[int] = []
    conflicts = 0
    for outcomes in results.values():
        for v, outcome in enumerate(outcomes, start=1):
            if outcome["exit_code"] == 0:
                printed = json.loads(outcome["stdout"])
                assert printed["stream"] == "shared"
                assert printed["stream_version"] == v + 1
                won.append(v + 1)
            else:
                conflicts += 1
                assert outcome["exit_code"] == 1
                assert outcome["stdout"] == ""
                assert re.fullmatch(
                    rf"Error: expected_version: stream shared is at version \d+, not {v}; "
                    r"nothing was written\n",
                    outcome["stderr"],
                ), outcome["stderr"]
    final = EventLog(db).stream_version("shared")
    assert sorted(won) == list(range(2, final + 1))  # no duplicates, no holes
    assert 1 <= len(won) <= 10
    assert conflicts == 40 - len(won)
    assert_log_is_sound(db, final)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "verify"])
    assert result.exit_code == 0, result.output


def test_the_schema_steps_named_for_the_quick_check_are_the_ones_applied(tmp_path) -> None:
    # open_db decides from MIGRATION_NAMES whether to import sqlite-utils and migrate.
    from timeline.db import MIGRATION_NAMES
    from timeline.migrations import migrations

    assert tuple(m.name for m in migrations._migrations) == MIGRATION_NAMES
    db = open_db(tmp_path / "t.db")
    try:
        steps = db.execute("SELECT name FROM _sqlite_migrations ORDER BY id").fetchall()
    finally:
        db.close()
    assert tuple(name for (name,) in steps) == MIGRATION_NAMES
