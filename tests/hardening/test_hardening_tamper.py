"""Edits behind the triggers' back, beyond those of tests/timeline/test_timeline_log.py.

The attacker uses a plain sqlite3 connection and drops the guarding triggers first. Each
test runs the real `timeline verify` and reads what it tells the user.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result
from hardening_support import batch_lines, database_of, one_error_line
from timeline.events.codec import canonical_json, chain_hash

from timeline.cli import cli
from timeline.db import GUARDS, open_db
from timeline.log import EventLog

HASH = "the hash does not match the event's contents"
TABLES_DIFFER = "Error: the tables differ from a rebuild of the log: "


@pytest.fixture
def log6(tmp_path: Path) -> Path:
    """Six events: four calls and meetings, then a revision and an actor."""
    lines = batch_lines(0, 4)
    lines.append(
        json.dumps(
            {
                "type": "DevelopmentRevised",
                "data": {
                    "development": "b0-1",
                    "changes": {"summary": "Revised."},
                    "reason": "detail",
                },
            }
        )
    )
    lines.append(
        json.dumps({"type": "ActorDescribed", "data": {"name": "Wang Yi", "native_name": "王毅"}})
    )
    return database_of(tmp_path / "timeline.db", lines)


def tamper(path: Path, *statements: str, params: list[list] | None = None) -> None:
    plain = sqlite3.connect(path)
    try:
        for trigger in ("events_refuse_update", "events_refuse_delete", "events_seq_without_gaps"):
            plain.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for sql, args in zip(statements, params or [[]] * len(statements), strict=True):
            plain.execute(sql, args)
        plain.commit()
        # A careful forger puts the guards back, so that `verify` cannot tell by them.
        plain.executescript(GUARDS)
    finally:
        plain.close()


def verify(path: Path) -> Result:
    return CliRunner().invoke(cli, ["verify", "--db", str(path)])


def verify_refuses(path: Path) -> str:
    result = verify(path)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return one_error_line(result.stderr)


def envelopes(path: Path) -> list:
    db = open_db(path)
    try:
        return list(EventLog(db).read())
    finally:
        db.close()


def row_update(envelope) -> tuple[str, list]:
    return (
        "UPDATE events SET id = ?, type = ?, schema_version = ?, stream = ?, stream_version = ?, "
        "recorded_at = ?, data = ?, meta = ?, hash = ? WHERE seq = ?",
        [
            envelope.id,
            envelope.type,
            envelope.schema_version,
            envelope.stream,
            envelope.stream_version,
            envelope.recorded_at,
            canonical_json(envelope.data),
            canonical_json(envelope.meta),
            envelope.hash,
            envelope.seq,
        ],
    )


# --- found, and named by seq ----------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "seq"),
    [
        ("id", "ffffffff-ffff-4fff-bfff-ffffffffffff", 2),
        ("schema_version", 2, 3),
        ("stream", "elsewhere", 4),
        ("meta", '{"recorded_by":"mallory"}', 6),
        ("data", '{"changes":{"summary":"Revised."},"development":"b0-1","reason":"forged"}', 5),
    ],
)
def test_a_changed_column_is_named_at_its_seq(log6: Path, column: str, value, seq: int):
    tamper(log6, f"UPDATE events SET {column} = ? WHERE seq = ?", params=[[value, seq]])
    line = verify_refuses(log6)
    assert line == f"Error: seq {seq}: {HASH}"


def test_an_edit_with_its_own_hash_recomputed_is_named_at_the_next_seq(log6: Path):
    events = envelopes(log6)
    edited = attrs.evolve(events[2], data={**events[2].data, "title": "Forged meeting"})
    edited = attrs.evolve(edited, hash=chain_hash(events[1].hash, edited.hashed_fields()))
    sql, args = row_update(edited)
    tamper(log6, sql, params=[args])
    assert verify_refuses(log6) == f"Error: seq 4: {HASH}"


def test_a_forged_row_at_the_end_with_a_plausible_hash_is_named(log6: Path):
    events = envelopes(log6)
    forged = attrs.evolve(
        events[0],
        seq=7,
        id="00000000-0000-4000-8000-00000000f07e",
        stream="forged",
        data={**events[0].data, "development": "forged", "title": "Forged call"},
        # 64 hex digits, as a real hash: the SHA-256 of something else.
        hash=hashlib.sha256(b"not the chain").hexdigest(),
    )
    tamper(
        log6,
        "INSERT INTO events (seq, id, type, schema_version, stream, stream_version, recorded_at, "
        "data, meta, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params=[
            [
                forged.seq,
                forged.id,
                forged.type,
                forged.schema_version,
                forged.stream,
                forged.stream_version,
                forged.recorded_at,
                canonical_json(forged.data),
                canonical_json(forged.meta),
                forged.hash,
            ]
        ],
    )
    assert verify_refuses(log6) == f"Error: seq 7: {HASH}"


def test_a_gap_made_by_renumbering_the_tail_is_named(log6: Path):
    tamper(log6, "UPDATE events SET seq = seq + 10 WHERE seq >= 5")
    assert verify_refuses(log6) == "Error: seq 5: missing: the log jumps from 4 to 15"


# --- found, by the tables only: what a hash chain alone cannot see ----------------------


def test_a_forged_row_with_a_correct_hash_is_caught_by_the_tables(log6: Path):
    events = envelopes(log6)
    forged = attrs.evolve(
        events[0],
        seq=7,
        id="00000000-0000-4000-8000-00000000f07e",
        stream="forged",
        data={**events[0].data, "development": "forged", "title": "Forged call"},
    )
    forged = attrs.evolve(forged, hash=chain_hash(events[-1].hash, forged.hashed_fields()))
    sql, args = row_update(forged)
    tamper(
        log6,
        "INSERT INTO events (seq, id, type, schema_version, stream, stream_version, recorded_at, "
        "data, meta, hash) VALUES (7, 'x', 't', 1, 's', 1, 'r', '{}', '{}', 'h')",
        sql,
        params=[[], args],
    )
    line = verify_refuses(log6)
    assert line.startswith(TABLES_DIFFER)
    assert "developments" in line


def test_a_rechained_history_is_caught_by_the_tables_anchor_and_by_a_kept_head(
    log6: Path, tmp_path: Path
):
    # The limit of a hash chain: whoever can write the file can rewrite an event and every
    # hash after it. The tables' anchor (the hash they were made up to) notices, and
    # `rebuild` refuses to move it; past a forced rebuild, any head kept elsewhere (such
    # as the log position every JSON export records) still does.
    export = CliRunner().invoke(cli, ["export", "json", "--db", str(log6)])
    recorded = json.loads(export.stdout)["generated_from"]
    assert recorded["seq"] == 6
    kept = f"{recorded['seq']}:{recorded['hash']}"
    events = envelopes(log6)
    rewritten = []
    previous = events[1].hash
    for i, envelope in enumerate(events[2:], start=2):
        if i == 2:
            envelope = attrs.evolve(envelope, data={**envelope.data, "title": "Forged meeting"})
        envelope = attrs.evolve(envelope, hash=chain_hash(previous, envelope.hashed_fields()))
        previous = envelope.hash
        rewritten.append(envelope)
    updates = [row_update(e) for e in rewritten]
    tamper(log6, *(sql for sql, _ in updates), params=[args for _, args in updates])
    anchored = "Error: seq 6: differs from the event the tables were made from"
    assert verify_refuses(log6) == anchored
    rebuild = CliRunner().invoke(cli, ["rebuild", "--db", str(log6)])
    assert rebuild.exit_code == 1
    assert one_error_line(rebuild.stderr) == (
        f"{anchored}; refusing to build on a log that lost or changed what the tables were "
        "made from (see: timeline verify; then `timeline rebuild --force`)"
    )
    forced = CliRunner().invoke(cli, ["rebuild", "--force", "--db", str(log6)])
    assert forced.exit_code == 0, forced.output
    assert verify(log6).exit_code == 0  # the chain and the tables agree with each other
    with_head = CliRunner().invoke(cli, ["verify", "--head", kept, "--db", str(log6)])
    assert with_head.exit_code == 1
    assert one_error_line(with_head.stderr) == (
        f"Error: seq 6: differs from the head you kept ({kept}): the log up to there was rewritten"
    )


def test_a_checkpoint_moved_ahead_is_refused_by_the_next_append_and_mended_by_force(log6: Path):
    tamper(log6, "UPDATE _projector_state SET position = 999")
    missing = (
        "Error: seq 7: missing: the tables were made from the log up to seq 999, "
        "but it ends at seq 6"
    )
    result = CliRunner().invoke(
        cli,
        [
            *("add", "call", "--id", "late-call", "--title", "Late call"),
            *("--when", "2024-04-02", "--with", "A", "--db", str(log6)),
        ],
    )
    assert result.exit_code == 1
    assert one_error_line(result.stderr).startswith(f"{missing}; refusing to build on a log")
    assert verify_refuses(log6) == missing
    assert CliRunner().invoke(cli, ["rebuild", "--db", str(log6)]).exit_code == 1
    assert CliRunner().invoke(cli, ["rebuild", "--force", "--db", str(log6)]).exit_code == 0
    assert verify(log6).exit_code == 0


def test_a_deleted_last_event_is_caught_by_the_tables(log6: Path):
    tamper(log6, "DELETE FROM events WHERE seq = 6")
    assert verify_refuses(log6) == (
        "Error: seq 6: missing: the tables were made from the log up to seq 6, but it ends at seq 5"
    )


# --- not found, or not named: bugs ------------------------------------------------------


def test_a_deleted_last_event_is_named_by_its_seq(log6: Path):
    tamper(log6, "DELETE FROM events WHERE seq = 6")
    assert verify_refuses(log6).startswith("Error: seq 6: ")


def test_a_row_before_the_first_is_named(log6: Path):
    tamper(
        log6,
        "INSERT INTO events (seq, id, type, schema_version, stream, stream_version, recorded_at, "
        "data, meta, hash) SELECT 0, 'ffffffff-ffff-4fff-bfff-ffffffffffff', type, schema_version, "
        "'b0-9', 1, recorded_at, data, meta, hash FROM events WHERE seq = 1",
    )
    line = verify_refuses(log6)
    assert line.startswith("Error: seq 0: ")


def test_duplicate_keys_in_stored_data_are_named(log6: Path):
    with sqlite3.connect(log6) as conn:
        (data,) = conn.execute("SELECT data FROM events WHERE seq = 3").fetchone()
    conn.close()
    tamper(
        log6, "UPDATE events SET data = ? WHERE seq = 3", params=[['{"title":"FORGED",' + data[1:]]]
    )
    with sqlite3.connect(log6) as conn:
        assert conn.execute(
            "SELECT json_extract(data, '$.title') FROM events WHERE seq = 3"
        ).fetchone() == ("FORGED",)
    conn.close()
    assert verify_refuses(log6).startswith("Error: seq 3: ")


def test_missing_guards_are_reported_by_verify_and_restored_by_init(log6: Path):
    with sqlite3.connect(log6) as plain:
        plain.execute("DROP TRIGGER events_refuse_update")
    assert verify_refuses(log6) == (
        "Error: the log's guards are missing (events_refuse_update): UPDATE and DELETE are "
        "not refused; restore them with: timeline init"
    )
    init = CliRunner().invoke(cli, ["init", "--db", str(log6)])
    assert init.stdout.splitlines()[0] == f"{log6}: restored the log's guards: events_refuse_update"
    assert verify(log6).exit_code == 0
    with sqlite3.connect(log6) as plain, pytest.raises(sqlite3.IntegrityError):
        plain.execute("UPDATE events SET type = 'x' WHERE seq = 1")
