"""Files that are not ours, tables from a newer version, and failures named for what they are.

A database of another program that happens to have an ``events`` table (or view) is
recognised as foreign before anything is written to it: no WAL, no schema steps, the
same bytes. Tables made by a newer projector are refused rather than rebuilt in an older
shape. A read-only folder or a full disk is reported as such, not as "not a timeline".
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_support import (
    assert_refused,
    batch_lines,
    database_of,
    digest,
    invoke,
    one_error_line,
    plain,
)

from timeline.db import open_db
from timeline.errors import DatabaseError
from timeline.projector import Projector
from timeline.tables import SCHEMA

GOLDEN_V1 = Path(__file__).resolve().parents[1] / "golden" / "v1-timeline.db"
CALL = '{"title": "x", "when": "2024", "participants": [{"name": "A"}]}'
COMMANDS = {
    "log": ["log"],
    "verify": ["verify"],
    "append": ["append", "CallHeld", "--data", CALL],
    "export": ["export", "json"],
    "init": ["init"],
    "rebuild": ["rebuild"],
}
FOREIGN = "is a SQLite database of another program, not a timeline"
NEWER = int(SCHEMA) + 1


def companions(path: Path) -> list[str]:
    """The -wal, -shm and -journal files SQLite left next to *path*."""
    return [s for s in ("-wal", "-shm", "-journal") if Path(f"{path}{s}").exists()]


@pytest.fixture
def real_db(tmp_path: Path) -> Path:
    """A timeline database of 20 events, checkpointed into its one file."""
    return database_of(tmp_path / "real.db", batch_lines(0, 20))


# --- hole 15: another program's database with an `events` table or view ------------


def calendar_app(path: Path) -> None:
    """Another program's calendar, whose table of appointments is called events."""
    with plain(path) as conn:
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, title TEXT, starts TEXT)")
        conn.execute("INSERT INTO events VALUES (1, 'Dentist', '2024-05-02T09:00')")


def events_view_only(path: Path) -> None:
    """Nothing but a view named events: no table at all."""
    with plain(path) as conn:
        conn.execute("CREATE VIEW events AS SELECT 1 AS seq, 'x' AS id")


def our_columns_without_our_migrations(path: Path) -> None:
    """A table with exactly our columns, made by hand: the columns alone are no proof."""
    with plain(path) as conn:
        conn.execute(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT, type TEXT, "
            "schema_version INTEGER, stream TEXT, stream_version INTEGER, recorded_at TEXT, "
            "data TEXT, meta TEXT, hash TEXT)"
        )


def our_migration_set_with_other_columns(path: Path) -> None:
    """sqlite-utils migrations of a set that is also called timeline, over other columns."""
    with plain(path) as conn:
        conn.execute(
            "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
            "name TEXT, applied_at TEXT)"
        )
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('timeline', '0001_event_log', '2024-01-01')"
        )
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, title TEXT)")


LOOKALIKES = {
    "an events table": calendar_app,
    "only an events view": events_view_only,
    "our columns, no migrations": our_columns_without_our_migrations,
    "our migration set, other columns": our_migration_set_with_other_columns,
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", LOOKALIKES)
def test_another_programs_events_table_is_refused_and_left_byte_for_byte(
    tmp_path: Path, kind: str, command: str
):
    path = tmp_path / "other.db"
    LOOKALIKES[kind](path)
    before = digest(path)
    assert path.read_bytes()[18:20] == b"\x01\x01"  # a rollback journal, not WAL
    line = assert_refused(invoke(path, *COMMANDS[command]))
    assert line == f"Error: {path} {FOREIGN}"
    assert digest(path) == before
    assert companions(path) == []


def test_an_empty_sqlite_file_is_left_alone_by_readers_and_made_a_timeline_by_init(
    tmp_path: Path,
):
    path = tmp_path / "blank.db"
    with plain(path) as conn:
        conn.execute("VACUUM")  # a database header and no schema at all
    before = digest(path)
    assert path.stat().st_size > 0
    for command in ("log", "verify", "export"):
        line = assert_refused(invoke(path, *COMMANDS[command]))
        assert line == (
            f"Error: {path} is empty, not a timeline yet; create one with: "
            f"timeline init --db {path}"
        )
        assert digest(path) == before
    result = invoke(path, *COMMANDS["init"])
    assert (result.exit_code, result.stdout) == (0, f"{path}: ready, 0 events in the log\n")


def test_a_version_1_database_is_recognised_as_ours(tmp_path: Path):
    # Version 1 left its two schema steps and the same events columns: both marks hold.
    path = tmp_path / "v1.db"
    shutil.copy(GOLDEN_V1, path)
    result = invoke(path, *COMMANDS["log"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 16


# --- hole 17: tables made by a newer projector ---------------------------------------


def set_projection_schema(path: Path, schema: str) -> None:
    with plain(path) as conn:
        conn.execute("UPDATE _projector_state SET schema = ?", [schema])


@pytest.mark.parametrize("command", COMMANDS)
def test_tables_of_a_newer_projector_are_refused_and_left_alone(real_db: Path, command: str):
    set_projection_schema(real_db, str(NEWER))
    before = digest(real_db)
    line = assert_refused(invoke(real_db, *COMMANDS[command]))
    assert line == (
        f"Error: {real_db}: the tables were made by a newer version of timeline "
        f"(projection schema {NEWER}); upgrade timeline to use it"
    )
    assert digest(real_db) == before


def test_a_newer_schema_is_compared_as_a_number_not_as_text(real_db: Path):
    # As text "100" sorts before "11": compared so, tables of version 100 would pass as old.
    newer = str(10 ** len(SCHEMA))
    assert newer < SCHEMA  # as text
    assert int(newer) > int(SCHEMA)
    set_projection_schema(real_db, newer)
    line = assert_refused(invoke(real_db, *COMMANDS["verify"]))
    assert f"(projection schema {newer})" in line


def test_tables_of_an_earlier_projector_are_still_rebuilt(real_db: Path):
    set_projection_schema(real_db, str(int(SCHEMA) - 1))
    result = invoke(real_db, *COMMANDS["verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Rebuilt the tables, made by an earlier version of timeline."
    )
    with plain(real_db) as conn:
        assert conn.execute("SELECT schema FROM _projector_state").fetchall() == [(SCHEMA,)]


def test_the_projector_refuses_tables_that_became_newer_while_open(real_db: Path):
    db = open_db(real_db, create=False)
    try:
        set_projection_schema(real_db, str(NEWER))
        with pytest.raises(DatabaseError) as info:
            Projector(db).upgrade()
        assert str(info.value) == (
            f"{real_db}: the tables were made by a newer version of timeline "
            f"(projection schema {NEWER}); upgrade timeline to use it"
        )
        with pytest.raises(DatabaseError):
            Projector(db).catch_up()
        assert db.execute("SELECT schema FROM _projector_state").fetchall() == [(str(NEWER),)]
    finally:
        db.close()


# --- hole 16: a read-only folder and a full disk -------------------------------------


def in_own_mounts(
    setup: str, *args: str, cwd: Path, after: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `timeline ARGS` between *setup* and *after* (shell), in a mount namespace of its own.

    The tests run as root, who ignores permission bits; a read-only mount or a small
    tmpfs is what a user really meets, and the private namespace keeps it from the host.
    """
    script = f'set -e\n{setup}\nset +e\n"$@"\nrc=$?\n{after}\nexit $rc'
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", sys.executable, "-m", "timeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def can_mount(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    folder = tmp_path / "probe"
    folder.mkdir()
    probe = subprocess.run(
        ["unshare", "--mount", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {folder}"],
        capture_output=True,
        check=False,
    )
    folder.rmdir()
    return probe.returncode == 0


@pytest.fixture
def mounts(tmp_path: Path) -> None:
    if not can_mount(tmp_path):
        pytest.skip("needs unshare and mount (root in a mount namespace)")


READ_ONLY = "cannot write: the file or its folder is read-only"


@pytest.mark.usefixtures("mounts")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_folder_is_reported_as_read_only(real_db: Path, tmp_path: Path, command: str):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = folder / "t.db"
    shutil.copy(real_db, path)
    before = digest(path)
    setup = f"mount --bind {folder} {folder}\nmount -o remount,ro,bind {folder} {folder}"
    result = in_own_mounts(setup, *COMMANDS[command], "--db", str(path), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert one_error_line(result.stderr) == f"Error: {path}: {READ_ONLY}"
    assert digest(path) == before


@pytest.mark.usefixtures("mounts")
def test_a_new_file_in_a_read_only_folder_is_reported_as_read_only(tmp_path: Path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = folder / "new.db"
    setup = f"mount --bind {folder} {folder}\nmount -o remount,ro,bind {folder} {folder}"
    result = in_own_mounts(setup, "init", "--db", str(path), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert one_error_line(result.stderr) == f"Error: {path}: {READ_ONLY}"
    assert not path.exists()


@pytest.mark.usefixtures("mounts")
@pytest.mark.parametrize("command", ["log", "verify", "append", "init"])
def test_a_full_disk_is_reported_as_a_full_disk(real_db: Path, tmp_path: Path, command: str):
    folder = tmp_path / "small-disk"
    folder.mkdir()
    path = folder / "t.db"
    after = tmp_path / "after.sha256"
    # A 1 MiB disk holding the database and a file that takes up all the rest.
    setup = (
        f"mount -t tmpfs -o size=1m tmpfs {folder}\ncp {real_db} {path}\n"
        f"cat /dev/zero > {folder}/filler 2>/dev/null || true"
    )
    result = in_own_mounts(
        setup,
        *COMMANDS[command],
        "--db",
        str(path),
        cwd=tmp_path,
        after=f"sha256sum {path} > {after}",
    )
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    # SQLite cannot make room for the index of the write-ahead log (its -shm file).
    assert one_error_line(result.stderr) == f"Error: {path}: the disk is full (disk I/O error)"
    assert after.read_text().split()[0] == digest(real_db)


def test_a_file_that_is_not_sqlite_is_still_not_a_timeline(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_text("Minutes of the meeting.\n" * 200, encoding="utf-8")
    line = assert_refused(invoke(path, *COMMANDS["log"]))
    assert line == f"Error: {path} is not a timeline database (file is not a database)"


def test_sqlite_errors_name_the_failure(tmp_path: Path):
    from timeline.db import file_error

    path = tmp_path / "t.db"
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode, full.sqlite_errorname = sqlite3.SQLITE_FULL, "SQLITE_FULL"
    # The disk has room, so it may be the database's own limit: SQLite's words, as they are.
    assert str(file_error(path, full)) == f"{path}: database or disk is full"
    missing = tmp_path / "no-such-folder" / "t.db"
    cantopen = sqlite3.OperationalError("unable to open database file")
    cantopen.sqlite_errorcode, cantopen.sqlite_errorname = sqlite3.SQLITE_CANTOPEN, "X"
    assert str(file_error(missing, cantopen)) == (
        f"{missing}: cannot open: the folder {missing.parent} does not exist"
    )


@pytest.mark.usefixtures("mounts")
def test_a_disk_that_fills_up_during_an_import_is_reported_as_full(real_db: Path, tmp_path: Path):
    folder = tmp_path / "small-disk"
    folder.mkdir()
    path = folder / "t.db"
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(line + "\n" for line in batch_lines(1, 2000)), encoding="utf-8")
    after = tmp_path / "after.sha256"
    # Room enough to open the database (its -shm file), not for the import's writes.
    setup = (
        f"mount -t tmpfs -o size=1m tmpfs {folder}\ncp {real_db} {path}\n"
        f"cat /dev/zero > {folder}/filler 2>/dev/null || true\n"
        f"truncate -s -128K {folder}/filler"
    )
    result = in_own_mounts(
        setup,
        "import",
        str(feed),
        "--db",
        str(path),
        cwd=tmp_path,
        after=f"sha256sum {path} > {after}",
    )
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert one_error_line(result.stderr) == (
        f"Error: {path}: the disk is full (database or disk is full)"
    )
    assert after.read_text().split()[0] == digest(real_db)
