"""Opening a timeline database: connection settings, the schema and its migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from timeline.envelope import Envelope
from timeline.errors import DatabaseError

MIGRATION_SET = "timeline"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' own table, which it reads back
MIGRATION_NAMES = ("0001_event_log", "0002_projection_tables", "0003_refuse_reuse")
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


REUSE_GUARD = f"""
CREATE TRIGGER IF NOT EXISTS events_refuse_reuse BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM events WHERE stream = NEW.stream AND stream_version = NEW.stream_version)
BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}: an event id or stream version is never reused'); END;
"""
GUARD_NAMES = (
    "events_refuse_update",
    "events_refuse_delete",
    "events_seq_without_gaps",
    "events_refuse_reuse",
)
GUARDS = (
    f"""
CREATE TRIGGER IF NOT EXISTS events_refuse_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END;
CREATE TRIGGER IF NOT EXISTS events_refuse_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END;
CREATE TRIGGER IF NOT EXISTS events_seq_without_gaps BEFORE INSERT ON events
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events)
BEGIN SELECT RAISE(ABORT, 'events.seq must follow the last seq without a gap'); END;
"""
    + REUSE_GUARD
)
"""The triggers that make SQLite itself refuse to change or drop events, or leave gaps.

``events_refuse_reuse`` runs before the UNIQUE constraints: an ``INSERT OR REPLACE`` would
otherwise resolve a reused id by deleting the old row, and a connection without
``recursive_triggers`` (any plain sqlite3 client) fires no DELETE trigger for it.
"""


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
    database whose schema or tables come from a newer timeline, leaving each untouched;
    with ``create=False`` a missing or empty file is an error rather than a new database.
    """
    memory = str(path) == ":memory:"
    if not memory and not create:
        if not Path(path).exists():
            raise DatabaseError(
                f"no database at {path}; create one with: timeline init --db {path}"
            )
        if Path(path).is_file() and Path(path).stat().st_size == 0:
            raise DatabaseError(_empty(path))
    if not memory and Path(path).is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    try:
        db = connect(path)
    except sqlite3.DatabaseError as exc:
        raise file_error(path, exc) from None
    try:
        _prepare(db, path, create=create)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise file_error(path, exc) from None
    except BaseException:
        db.close()
        raise
    return db


def _empty(path: str | Path) -> str:
    return f"{path} is empty, not a timeline yet; create one with: timeline init --db {path}"


def _prepare(db: Database, path: str | Path, *, create: bool) -> None:
    """Recognise the file before writing to it, then set it up: ours or new, never another's.

    Everything before ``_settings`` only reads: switching to WAL rewrites the header, and a
    file that turns out not to be ours must keep every byte.
    """
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    blank = db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
    if blank and not create and str(path) != ":memory:":
        raise DatabaseError(_empty(path))
    if not blank:
        _check_ours(db, path)
        _check_not_newer(db, path)
    _settings(db, path)
    if create or not blank:
        _migrate(db)


def file_error(path: str | Path, exc: sqlite3.Error) -> DatabaseError:
    """One line on what failed with the file at *path*, chosen by SQLite's error code.

    Only a file SQLite cannot read as a database is "not a timeline"; a read-only file or
    folder, a missing folder and a full disk are named, since the fix lies there.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None  # the extended code's base
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return DatabaseError(f"{path} is not a timeline database ({exc})")
    if primary in _FILE_SYSTEM and str(path) != ":memory:":
        folder = Path(path).absolute().parent
        if primary == sqlite3.SQLITE_CANTOPEN and not folder.is_dir():
            return DatabaseError(
                f"{path}: cannot open: the folder {Path(path).parent} does not exist"
            )
        if _read_only(Path(path)):
            return DatabaseError(f"{path}: cannot write: the file or its folder is read-only")
        if primary != sqlite3.SQLITE_READONLY and _disk_full(folder):
            return DatabaseError(f"{path}: the disk is full ({exc})")
    return DatabaseError(f"{path}: {exc}")


# The codes behind which a read-only medium or a full disk may hide: SQLite says "unable to
# open" when it cannot create a WAL's -shm file, and "disk I/O error" when it cannot grow it.
_FILE_SYSTEM = (
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_PERM,
)
DISK_NEARLY_FULL = 1024 * 1024
"""Free bytes below which a failed write is put down to a full disk."""


def _read_only(path: Path) -> bool:
    # The folder counts: SQLite writes its -wal, -shm or -journal file next to the database.
    # os.access answers for a read-only mount even to root, who ignores permission bits.
    folder = path.absolute().parent
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return folder.is_dir() and not os.access(folder, os.W_OK)


def _disk_full(folder: Path) -> bool:
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < DISK_NEARLY_FULL


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
    # Read only if the table has sqlite-utils' columns: another program may have its own.
    if not {"migration_set", "name"} <= set(db.column_names(MIGRATIONS_TABLE)):
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


def _check_ours(db: Database, path: str | Path) -> None:
    """Refuse a file without both marks of a timeline: our schema steps and the log's columns.

    A table (or view) called ``events`` alone proves nothing: calendars have them too.
    Steps of our set that this version does not know mean a newer timeline, whose log
    may have other columns.
    """
    steps = _applied_steps(db)
    unknown = sorted(steps - set(MIGRATION_NAMES))
    if unknown and "0001_event_log" in steps:
        raise DatabaseError(
            f"{path} was written by a newer version of timeline (schema step {unknown[-1]}); "
            "upgrade timeline to use it"
        )
    kind = db.execute("SELECT type FROM sqlite_master WHERE name = 'events'").fetchone()
    if not steps or kind != ("table",) or tuple(db.column_names("events")) != Envelope.COLUMNS:
        raise DatabaseError(f"{path} is a SQLite database of another program, not a timeline")


def _check_not_newer(db: Database, path: str | Path) -> None:
    """Refuse tables made by a newer projector: rebuilding them would lose their shape."""
    from timeline.tables import newer_schema  # tables.py imports this module

    newer = newer_schema(db)
    if newer is not None:
        raise newer_tables(path, newer)


def newer_tables(path: str | Path, schema: int) -> DatabaseError:
    """The refusal of tables whose projection *schema* is newer than this version's."""
    return DatabaseError(
        f"{path}: the tables were made by a newer version of timeline "
        f"(projection schema {schema}); upgrade timeline to use it"
    )


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """A read transaction: every read inside sees the file as it was at the first one.

    In WAL mode other processes go on appending meanwhile; what they commit is not seen
    until the snapshot ends, so checks that compare the log with the tables agree.
    """
    db.conn.execute("BEGIN")
    try:
        yield
    finally:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")


OWN_INDEXES = ("events_type", "events_recorded_at")
"""The indexes timeline makes on the log, besides SQLite's own for its UNIQUE constraints."""


def foreign_objects(db: Database) -> list[str]:
    """Triggers anywhere, and indexes or views on the log, that timeline did not make.

    A trigger can silently drop or change what a writer stores (``RAISE(IGNORE)``), so
    anything of the kind that is not ours is worth a look.
    """
    ours = {*GUARD_NAMES, *OWN_INDEXES}
    found = []
    for kind, name, table in db.execute(
        "SELECT type, name, tbl_name FROM sqlite_master "
        "WHERE type = 'trigger' OR (type IN ('index', 'view') AND tbl_name = 'events') "
        "ORDER BY type, name"
    ):
        if name not in ours and not name.startswith("sqlite_autoindex_"):
            found.append(f"{kind} {name} on {table}")
    return found
