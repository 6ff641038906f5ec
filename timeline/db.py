"""Opening a timeline database: connection settings, the schema and its migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

from timeline.errors import DatabaseError

migrations = Migrations("timeline")

BUSY_TIMEOUT_MS = 60_000
IMMUTABLE = "events are immutable: the log is append-only"


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run SQL statements one by one: unlike ``executescript``, this never commits."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]}")


GUARD_NAMES = ("events_refuse_update", "events_refuse_delete", "events_seq_without_gaps")
GUARDS = f"""
CREATE TRIGGER IF NOT EXISTS events_refuse_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END;
CREATE TRIGGER IF NOT EXISTS events_refuse_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END;
CREATE TRIGGER IF NOT EXISTS events_seq_without_gaps BEFORE INSERT ON events
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events)
BEGIN SELECT RAISE(ABORT, 'events.seq must follow the last seq without a gap'); END;
"""
"""The triggers that make SQLite itself refuse to change or drop events, or leave gaps."""


@migrations(name="0001_event_log")
def _event_log(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            stream TEXT NOT NULL,
            stream_version INTEGER NOT NULL,
            recorded_at TEXT NOT NULL,
            data TEXT NOT NULL CHECK (json_valid(data)),
            meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
            hash TEXT NOT NULL,
            UNIQUE (stream, stream_version)
        );
        CREATE INDEX events_type ON events (type);
        CREATE INDEX events_recorded_at ON events (recorded_at);
        """
        + GUARDS,
    )


@migrations(name="0002_projection_tables")
def _projection_tables(db: sqlite_utils.Database) -> None:
    from timeline.tables import create_tables  # tables.py imports this module

    create_tables(db)


def casefold(value: object) -> object:
    """SQL ``casefold(x)``: Unicode case folding, where SQLite's lower() folds ASCII only."""
    return value.casefold() if isinstance(value, str) else value


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions our queries use, on any connection that reads a timeline."""
    conn.create_function("casefold", 1, casefold, deterministic=True)


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[None]:
    """A write transaction that takes SQLite's write lock up front, or rolls back whole.

    Taking the lock at BEGIN (not at the first write) makes concurrent writers queue on
    the busy timeout, and keeps what a writer read true until it commits.
    """
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _connect(path: str | Path) -> sqlite_utils.Database:
    # isolation_level=None: we open transactions ourselves (BEGIN IMMEDIATE for writers),
    # so the driver never starts one behind our back.
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    # execute_plugins=False: no scan of installed sqlite-utils plugins at every start.
    db = sqlite_utils.Database(conn, execute_plugins=False)
    register_functions(conn)
    return db


def _settings(db: sqlite_utils.Database, path: str | Path) -> None:
    """WAL (readers never block the writer), a busy timeout, foreign keys.

    Applied only once the file is known to be ours: switching a file to WAL rewrites
    its header, and another program's database must be left exactly as it was.
    """
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if str(path) != ":memory:":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")


def open_db(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and, if *create*, initialise or upgrade) the timeline database at *path*.

    Refuses a file that is not SQLite, a SQLite database of some other program, and a
    database whose schema comes from a newer timeline, leaving each untouched; with
    ``create=False`` a missing or empty file is an error rather than a new database.
    """
    memory = str(path) == ":memory:"
    if not memory and not create:
        if not Path(path).exists():
            raise DatabaseError(
                f"no database at {path}; create one with: timeline init --db {path}"
            )
        if Path(path).is_file() and Path(path).stat().st_size == 0:
            raise DatabaseError(
                f"{path} is empty, not a timeline yet; create one with: timeline init --db {path}"
            )
    if not memory and Path(path).is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    db = _connect(path)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = set(db.table_names())
    except sqlite3.DatabaseError as exc:
        db.close()
        raise DatabaseError(f"{path} is not a timeline database ({exc})") from None
    if tables and "events" not in tables:
        db.close()
        raise DatabaseError(f"{path} is a SQLite database of another program, not a timeline")
    _check_not_newer(db, path)
    try:
        _settings(db, path)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise DatabaseError(f"{path}: {exc}") from None
    if create or tables:
        _migrate(db)
    return db


def restore_guards(db: sqlite_utils.Database) -> list[str]:
    """Recreate any of the log's triggers that were dropped; return their names."""
    missing = missing_guards(db)
    if missing:
        run_script(db, GUARDS)
    return missing


def missing_guards(db: sqlite_utils.Database) -> list[str]:
    """The triggers guarding the log that the database no longer has."""
    present = {
        row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    return [name for name in GUARD_NAMES if name not in present]


def _migrate(db: sqlite_utils.Database) -> None:
    steps = migrations
    if steps.pending(db):
        # Two processes may open a new file at once: one waits for the other, which then
        # finds nothing left to do.
        with immediate(db):
            steps.apply(db)


def _check_not_newer(db: sqlite_utils.Database, path: str | Path) -> None:
    table = migrations.migrations_table
    if not db[table].exists():
        return
    known = {m.name for m in migrations._migrations}
    applied = {
        row[0]
        for row in db.execute(
            f"SELECT name FROM [{table}] WHERE migration_set = ?", [migrations.name]
        ).fetchall()
    }
    unknown = sorted(applied - known)
    if unknown:
        db.close()
        raise DatabaseError(
            f"{path} was written by a newer version of timeline (schema step {unknown[-1]}); "
            "upgrade timeline to use it"
        )
