"""Files that are not (or no longer, or not yet) timeline databases.

`timeline log`, `verify` and `append` must each say in one line what is wrong, exit 1,
and leave the file exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hardening_support import assert_refused, batch_lines, count, database_of, digest, invoke, plain

from timeline import service
from timeline.db import MIGRATION_NAMES, open_db

COMMANDS = {
    "log": ["log"],
    "verify": ["verify"],
    "append": [
        "append",
        "CallHeld",
        "--data",
        '{"title": "x", "when": "2024", "participants": [{"name": "A"}]}',
    ],
}


@pytest.fixture
def real_db(tmp_path: Path) -> Path:
    """A timeline database of 50 events, checkpointed into its one file."""
    return database_of(tmp_path / "real.db", batch_lines(0, 50))


def files(tmp_path: Path, real_db: Path) -> dict[str, tuple[Path, str]]:
    """Broken files and the one line each must give (after `Error: PATH `)."""
    random_bytes = tmp_path / "random.db"
    random_bytes.write_bytes(os.urandom(64 * 1024))
    text = tmp_path / "notes.db"
    text.write_text("Minutes of the meeting.\n" * 2000, encoding="utf-8")
    truncated = tmp_path / "truncated.db"
    data = real_db.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    header_only = tmp_path / "header-only.db"
    header_only.write_bytes(data[:100])
    newer = tmp_path / "newer.db"
    shutil.copy(real_db, newer)
    with plain(newer) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('timeline', '9999_future', '2030-01-01 00:00:00+00:00')"
        )
    other = tmp_path / "other.db"
    with plain(other) as conn:
        conn.execute("CREATE TABLE developments (id TEXT PRIMARY KEY, title TEXT)")
    return {
        "random bytes": (random_bytes, "is not a timeline database (file is not a database)"),
        "a text file": (text, "is not a timeline database (file is not a database)"),
        "cut in half": (truncated, "is not a timeline database (database disk image is malformed)"),
        "only the header": (
            header_only,
            "is not a timeline database (database disk image is malformed)",
        ),
        "from a newer version": (
            newer,
            "was written by a newer version of timeline (schema step 9999_future); upgrade timeline to use it",
        ),
        "another program's": (other, "is a SQLite database of another program, not a timeline"),
    }


KINDS = [
    "random bytes",
    "a text file",
    "cut in half",
    "only the header",
    "from a newer version",
    "another program's",
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_is_not_a_timeline_gets_one_line_and_is_left_alone(
    tmp_path: Path, real_db: Path, kind: str, command: str
):
    path, message = files(tmp_path, real_db)[kind]
    before = digest(path)
    line = assert_refused(invoke(path, *COMMANDS[command]))
    assert line == f"Error: {path} {message}"
    assert digest(path) == before
    assert not Path(f"{path}-wal").exists() or kind == "from a newer version"


@pytest.mark.parametrize("command", COMMANDS)
def test_another_programs_database_is_left_byte_for_byte(
    tmp_path: Path, real_db: Path, command: str
):
    path, _ = files(tmp_path, real_db)["another program's"]
    before = path.read_bytes()
    assert before[18:20] == b"\x01\x01"  # a rollback journal, the default
    assert_refused(invoke(path, *COMMANDS[command]))
    assert path.read_bytes() == before


def test_a_newer_database_keeps_its_events_untouched(tmp_path: Path, real_db: Path):
    path, _ = files(tmp_path, real_db)["from a newer version"]
    with plain(path) as conn:
        rows = conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    for command in COMMANDS:
        assert_refused(invoke(path, *COMMANDS[command]))
    with plain(path) as conn:
        assert conn.execute("SELECT * FROM events ORDER BY seq").fetchall() == rows
        assert conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id").fetchall() == [
            *((name,) for name in MIGRATION_NAMES),
            ("9999_future",),
        ]


def test_an_empty_file_becomes_a_timeline_on_the_first_append(tmp_path: Path):
    # Judged sound: `touch timeline.db` (or sqlite3's empty file) then `timeline append` is
    # how people start, and an empty file holds nothing that could be lost.
    path = tmp_path / "empty.db"
    path.touch()
    result = invoke(path, *COMMANDS["append"])
    assert result.exit_code == 0, result.output
    assert count(path) == 1
    assert invoke(path, "verify").exit_code == 0


@pytest.mark.parametrize("command", ["log", "verify"])
def test_read_commands_on_an_empty_file_say_what_to_do(tmp_path: Path, command: str):
    path = tmp_path / "empty.db"
    path.touch()
    result = invoke(path, *COMMANDS[command])
    if result.exit_code != 0:
        line = assert_refused(result)
        assert "no such table" not in line
        assert "timeline init" in line


@pytest.mark.parametrize("command", ["log", "verify"])
def test_read_commands_leave_an_empty_file_empty(tmp_path: Path, command: str):
    path = tmp_path / "empty.db"
    path.touch()
    invoke(path, *COMMANDS[command])
    assert path.stat().st_size == 0


def test_a_database_whose_wal_was_lost_keeps_what_was_checkpointed(tmp_path: Path, real_db: Path):
    # A copy made without the -wal file (a careless backup) loses only uncheckpointed
    # commits, and what it has still verifies.
    db = open_db(real_db)
    db.execute("PRAGMA wal_autocheckpoint = 0")  # keep the next commit in the WAL only
    service.import_file(db, iter(line + "\n" for line in batch_lines(1, 20)))
    copy = tmp_path / "copy.db"
    shutil.copy(real_db, copy)  # without real.db-wal
    db.close()
    assert count(copy) == 50
    result = invoke(copy, "verify")
    assert result.exit_code == 0, result.output
    assert count(real_db) == 70


def test_a_database_locked_by_another_writer_waits_for_it(tmp_path: Path, real_db: Path):
    # The busy timeout makes a writer wait for another's transaction instead of failing.
    import threading
    import time

    holder = sqlite3.connect(real_db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    try:
        result = invoke(real_db, *COMMANDS["append"])
    finally:
        release.join()
        holder.close()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 0.9
    assert count(real_db) == 51
