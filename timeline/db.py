"""Opening a timeline database: connection settings, the schema and its migrations."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from timeline.errors import DatabaseError

MIGRATION_SET = "timeline"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' own table, which it reads back
MIGRATION_NAMES = ("0001_event_log", "0002_projection_tables")
"""The schema steps this version knows, in order (defined in ``timeline.migrations``)."""

BUSY_TIMEOUT_MS = 60_000
IMMUTABLE = "events are immutable: the log is append-only"


def run_script(db: Database, script: str) -> None:
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


def casefold(value: object) -> object:
    """SQL ``casefold(x)``: Unicode case folding, where SQLite's lower() folds ASCII only."""
    return value.casefold() if isinstance(value, str) else value


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions our queries use, on any connection that reads a timeline."""
    conn.create_function("casefold", 1, casefold, deterministic=True)


class Database:
    """An open timeline database: the sqlite3 connection and the few helpers timeline uses.

    ``Database`` would do, but importing sqlite-utils costs about a fifth of
    a `timeline append`; it is imported only to apply schema steps (``timeline.migrations``).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # As sqlite-utils sets it: a REPLACE fires delete triggers, whoever opened the file.
        conn.execute("PRAGMA recursive_triggers = on")

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one statement; within a transaction only if the caller opened one."""
        return self.conn.execute(sql, parameters)

    def query(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()
    ) -> Iterator[dict[str, Any]]:
        """Rows of *sql* as dicts keyed by column name."""
        cursor = self.conn.execute(sql, parameters)
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def table_names(self) -> list[str]:
        """Every table of the file (the log's, the projection's, and any other)."""
        return [
            row[0]
            for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]

    def has_table(self, name: str) -> bool:
        """Whether the file has a table called *name*."""
        found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self.conn.execute(found, [name]).fetchone() is not None

    def column_names(self, table: str) -> list[str]:
        """The columns of *table*, in order (none for a missing table)."""
        return [row[1] for row in self.conn.execute(f"PRAGMA table_info([{table}])")]

    def close(self) -> None:
        """Close the connection; a transaction left open is rolled back."""
        self.conn.close()


def connect(path: str | Path) -> Database:
    """A connection to *path* as timeline opens every file: our transactions, our functions."""
    # isolation_level=None: we open transactions ourselves (BEGIN IMMEDIATE for writers),
    # so the driver never starts one behind our back.
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    register_functions(conn)
    return Database(conn)


block_numpy = False
"""Set by the command line: import sqlite-utils without numpy, which it loads only to
convert numpy values (about 50 ms); as a library, timeline leaves sqlite-utils as it is."""


def load_sqlite_utils() -> Any:
    """The sqlite_utils module, imported on first need (see :data:`block_numpy`)."""
    if block_numpy and "numpy" not in sys.modules and "sqlite_utils" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail
        try:
            import sqlite_utils
        finally:
            del sys.modules["numpy"]
    import sqlite_utils

    return sqlite_utils


@contextmanager
def immediate(db: Database) -> Iterator[None]:
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


def _settings(db: Database, path: str | Path) -> None:
    """WAL (readers never block the writer), a busy timeout, foreign keys.

    Applied only once the file is known to be ours: switching a file to WAL rewrites
    its header, and another program's database must be left exactly as it was.
    """
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if str(path) != ":memory:":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")


def open_db(path: str | Path, *, create: bool = True) -> Database:
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
    db = connect(path)
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


def restore_guards(db: Database) -> list[str]:
    """Recreate any of the log's triggers that were dropped; return their names."""
    missing = missing_guards(db)
    if missing:
        run_script(db, GUARDS)
    return missing


def missing_guards(db: Database) -> list[str]:
    """The triggers guarding the log that the database no longer has."""
    present = {
        row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    return [name for name in GUARD_NAMES if name not in present]


def _applied_steps(db: Database) -> set[str]:
    if not db.has_table(MIGRATIONS_TABLE):
        return set()
    sql = f"SELECT name FROM [{MIGRATIONS_TABLE}] WHERE migration_set = ?"
    return {row[0] for row in db.execute(sql, [MIGRATION_SET])}


def _migrate(db: Database) -> None:
    if set(MIGRATION_NAMES) <= _applied_steps(db):
        return
    from timeline.migrations import apply

    # Two processes may open a new file at once: one waits for the other, which then
    # finds nothing left to do.
    with immediate(db):
        apply(db)


def _check_not_newer(db: Database, path: str | Path) -> None:
    unknown = sorted(_applied_steps(db) - set(MIGRATION_NAMES))
    if unknown:
        db.close()
        raise DatabaseError(
            f"{path} was written by a newer version of timeline (schema step {unknown[-1]}); "
            "upgrade timeline to use it"
        )
