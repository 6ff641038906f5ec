"""A database written by version 1 opens with the current code, every event and hash intact.

``tests/golden/v1-timeline.db`` was made once by ``tests/golden/make_v1_db.py`` with the
version-1 schema (migrations 0001_event_log and 0002_projection_tables). The tests work on
copies: opening the golden file itself would write its WAL files next to it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from timeline.events.codec import chain_hash

from timeline.cli import cli
from timeline.db import open_db
from timeline.log import EventLog, verify_chain

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "v1-timeline.db"
GOLDEN_SHA256 = "3294b1ee5d72591369faf599037f52cf7bd8f1e72c02d870d58a8e8ad71dd9dc"
V1_STEPS = ["0001_event_log", "0002_projection_tables"]
MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"

# (seq, id, type, stream, stream_version, recorded_at, hash), as version 1 wrote them.
# fmt: off
V1_EVENTS = [
    (1, "00000000-0000-4000-8000-000000000001", "ActorDescribed", "actor:wang-yi", 1, "2024-05-01T08:01:00.000000Z", "7df955955cd6203f2c7a0c76c6c4738277344768f98877b9dc0244995c85df1e"),
    (2, "00000000-0000-4000-8000-000000000002", "VisitMade", "2024-04-24-antony-blinken-visits-china", 1, "2024-05-01T08:02:00.000000Z", "bd9c4521115fe39ece5196914ca38635bf6728097d33eca4bb926081b9593335"),
    (3, "00000000-0000-4000-8000-000000000003", "TalksHeld", "2024-04-26-wang-yi-holds-talks-with-antony-blinken", 1, "2024-05-01T08:03:00.000000Z", "cbae1ed69a60d8eb40734ca609bfaa40461ec47aa24cc138bb4d2949644c74e9"),
    (4, "00000000-0000-4000-8000-000000000004", "MeetingHeld", MEETING, 1, "2024-05-01T08:04:00.000000Z", "8144bc2aa98d8b7f03f305f0c68e960e57ed1525153ca5df1cba149bc8c9d7e6"),
    (5, "00000000-0000-4000-8000-000000000005", "AgreementReached", "2024-04-26-five-point-consensus", 1, "2024-05-01T08:05:00.000000Z", "aa6a9613e5d6362d490e8cd9251f6d20e3ebdbae0e2e48a9e148612e63473087"),
    (6, "00000000-0000-4000-8000-000000000006", "StatementMade", "2024-04-26-xi-jinping-on-partners", 1, "2024-05-01T08:06:00.000000Z", "ba1ebaeb099fc11d9fa40a171002ca50eedd0603d892f76a8849c5d64480db37"),
    (7, "00000000-0000-4000-8000-000000000007", "CallHeld", "2024-04-02-biden-xi-call", 1, "2024-05-01T08:07:00.000000Z", "be38ff7350600e8dcdc8fe63bc1d2f10a8cb8900bd7278ab1d588bd18b10bc69"),
    (8, "00000000-0000-4000-8000-000000000008", "DevelopmentScheduled", "china-us-ai-dialogue", 1, "2024-05-01T08:08:00.000000Z", "ccc5f3dc929db58bf47dba443088b184cfc89d50531822a529abf61fefc3cdc4"),
    (9, "00000000-0000-4000-8000-000000000009", "DevelopmentPostponed", "china-us-ai-dialogue", 2, "2024-05-01T08:09:00.000000Z", "99d98d9859816ca4981b6d44dfe802f404e051fd5f9cd632f8c4e916c478bca5"),
    (10, "00000000-0000-4000-8000-000000000010", "DevelopmentHeld", "china-us-ai-dialogue", 3, "2024-05-01T08:10:00.000000Z", "e87b234d5de889e7f0b9e2814415d5a3c3b061d42782cd65e0f490977f04efdc"),
    (11, "00000000-0000-4000-8000-000000000011", "DevelopmentRevised", MEETING, 2, "2024-05-01T08:11:00.000000Z", "72c2f0de6644629e07db0c094b08811eff7a0eba81c64b505296f62ff996fa40"),
    (12, "00000000-0000-4000-8000-000000000012", "DevelopmentScheduled", "china-us-maritime-consultations", 1, "2024-05-01T08:12:00.000000Z", "c696a0f498dc6a4518270312f1663f42998a7ef5088804ed0c3c6154764a82ac"),
    (13, "00000000-0000-4000-8000-000000000013", "DevelopmentCancelled", "china-us-maritime-consultations", 2, "2024-05-01T08:13:00.000000Z", "3a6d160dd98d8249c289c565511576ae39543ec48b35904c754dcc97dfd3777e"),
    (14, "00000000-0000-4000-8000-000000000014", "DevelopmentsLinked", "2024-04-26-five-point-consensus", 2, "2024-05-01T08:14:00.000000Z", "8b0802097a480a8cad44221775dcf16321180a4b03daa9df295e789bbdfb81ca"),
    (15, "00000000-0000-4000-8000-000000000015", "MeetingHeld", "2024-04-26-duplicate-entry", 1, "2024-05-01T08:15:00.000000Z", "4c9a11e62648adad748b7deda6a694bc877deeded9ac439ff75cdcf93998d485"),
    (16, "00000000-0000-4000-8000-000000000016", "DevelopmentRetracted", "2024-04-26-duplicate-entry", 2, "2024-05-01T08:16:00.000000Z", "b7095de3e66a20ed4aae7b54ac3483aead16163508d132d10a8e3b58b8a129b6"),
]
# fmt: on
V1_HEAD = V1_EVENTS[-1][-1]
# Each development of the file as its version-1 tables hold it: kind, status, revision
# (events after the first; later tables count the version instead). The retracted one is gone.
V1_DEVELOPMENTS = {
    "2024-04-02-biden-xi-call": ("call", "occurred", 0),
    "2024-04-24-antony-blinken-visits-china": ("visit", "occurred", 0),
    "2024-04-26-five-point-consensus": ("agreement", "occurred", 1),
    "2024-04-26-wang-yi-holds-talks-with-antony-blinken": ("talks", "occurred", 0),
    MEETING: ("meeting", "occurred", 1),
    "2024-04-26-xi-jinping-on-partners": ("statement", "occurred", 0),
    "china-us-ai-dialogue": ("dialogue", "occurred", 2),
    "china-us-maritime-consultations": ("consultation", "cancelled", 1),
}
COLUMNS = "seq, id, type, stream, stream_version, recorded_at, hash"


def golden_rows() -> list[tuple]:
    """Every column of every event, read from the golden file without writing to it."""
    uri = f"file:{GOLDEN}?immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        return conn.execute("SELECT * FROM events ORDER BY seq").fetchall()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    path = tmp_path / "v1.db"
    shutil.copy(GOLDEN, path)
    return path


def test_the_golden_file_is_the_one_version_1_wrote():
    assert hashlib.sha256(GOLDEN.read_bytes()).hexdigest() == GOLDEN_SHA256
    assert not Path(f"{GOLDEN}-wal").exists()
    uri = f"file:{GOLDEN}?immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        steps = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        rows = conn.execute(f"SELECT {COLUMNS} FROM events ORDER BY seq").fetchall()
    assert steps == V1_STEPS
    assert rows == V1_EVENTS
    assert len({row[2] for row in rows}) == 14  # event types


def test_opening_a_v1_database_keeps_every_event_and_hash(v1_copy: Path):
    before = golden_rows()
    db = open_db(v1_copy)
    try:
        assert db.execute(f"SELECT {COLUMNS} FROM events ORDER BY seq").fetchall() == V1_EVENTS
        assert db.execute("SELECT * FROM events ORDER BY seq").fetchall() == before
        assert verify_chain(db) == (16, None)
        assert EventLog(db).head() == (16, V1_HEAD)
        steps = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert steps[:2] == V1_STEPS  # later versions may add steps, never rewrite these
        developments = {
            row[0]: row[1:]
            for row in db.execute("SELECT id, kind, status, revision FROM developments")
        }
        assert developments == V1_DEVELOPMENTS
    finally:
        db.close()


def test_timeline_verify_passes_on_a_v1_database(v1_copy: Path):
    result = CliRunner().invoke(cli, ["verify", "--db", str(v1_copy)])
    assert result.exit_code == 0, result.output
    # Tables made by an earlier projector are rebuilt first (the log is left as it is).
    assert result.stdout.splitlines()[-1].startswith(
        f"OK: 16 events, seq 1 to 16 without gaps, hash chain intact (head {V1_HEAD}), "
    )


def test_appending_to_a_v1_database_chains_from_its_head(v1_copy: Path):
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            *("revise", MEETING, "--summary", "Met for about 35 minutes."),
            *("--reason", "length added", "--expect-version", "2", "--json", "--db", str(v1_copy)),
        ],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["seq"], printed["stream"], printed["stream_version"]) == (17, MEETING, 3)
    result = runner.invoke(
        cli,
        [
            *("add", "call", "--title", "Wang Yi and Antony Blinken speak by phone"),
            *("--when", "2024-06-10", "--with", "Wang Yi", "--json", "--db", str(v1_copy)),
        ],
    )
    assert result.exit_code == 0, result.output
    db = open_db(v1_copy)
    try:
        seventeen, eighteen = EventLog(db).read(since=16)
        assert seventeen.hash == chain_hash(V1_HEAD, seventeen.hashed_fields())
        assert eighteen.hash == chain_hash(seventeen.hash, eighteen.hashed_fields())
        assert db.execute(
            f"SELECT {COLUMNS} FROM events WHERE seq <= 16 ORDER BY seq"
        ).fetchall() == (V1_EVENTS)
        assert db.execute(
            "SELECT version FROM developments WHERE id = ?", [MEETING]
        ).fetchone() == (3,)
    finally:
        db.close()
    result = runner.invoke(cli, ["verify", "--db", str(v1_copy)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 18 events, seq 1 to 18 without gaps")


def test_a_v1_log_dumped_and_imported_keeps_its_hashes(v1_copy: Path, tmp_path: Path):
    runner = CliRunner()
    dump = runner.invoke(cli, ["log", "--json", "--db", str(v1_copy)])
    assert dump.exit_code == 0, dump.output
    assert [json.loads(line)["hash"] for line in dump.stdout.splitlines()] == [
        e[-1] for e in V1_EVENTS
    ]
    fresh = tmp_path / "fresh.db"
    result = runner.invoke(cli, ["import", "-", "--db", str(fresh)], input=dump.stdout)
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["log", "--json", "--db", str(fresh)]).stdout == dump.stdout


def test_tables_of_an_earlier_projector_are_brought_up_to_date_by_the_next_write(v1_copy: Path):
    with closing(sqlite3.connect(v1_copy, isolation_level=None)) as conn:
        for rowid, data in conn.execute("SELECT rowid, data FROM history").fetchall():
            earlier = json.dumps(json.loads(data), ensure_ascii=False, sort_keys=True)
            conn.execute("UPDATE history SET data = ? WHERE rowid = ?", [earlier, rowid])
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            *("add", "call", "--title", "Wang Yi and Antony Blinken speak by phone"),
            *("--when", "2024-06-10", "--with", "Wang Yi", "--db", str(v1_copy)),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["verify", "--db", str(v1_copy)])
    assert result.exit_code == 0, result.output


def test_an_actor_stored_without_its_default_kind_still_reads_as_a_person(v1_copy: Path):
    # Version 1 left `kind` out when it was the default; the stored event stays as it was
    # (hash intact) and reads as the person it was meant to be.
    runner = CliRunner()
    (first,) = [
        json.loads(line)
        for line in runner.invoke(cli, ["--db", str(v1_copy), "log", "--json"]).stdout.splitlines()
        if json.loads(line)["seq"] == 1
    ]
    assert (first["schema_version"], "kind" in first["data"]) == (1, False)
    assert runner.invoke(cli, ["--db", str(v1_copy), "rebuild"]).exit_code == 0
    with closing(sqlite3.connect(v1_copy)) as conn:
        assert conn.execute("SELECT name, kind FROM actors WHERE name = 'Wang Yi'").fetchall() == [
            ("Wang Yi", "person")
        ]
    assert runner.invoke(cli, ["--db", str(v1_copy), "verify"]).exit_code == 0
