"""Opening a timeline database: recognising the file, its settings, its schema steps.

Connections and transactions are in ``timeline.connection``, the log's schema in
``timeline.schema``; both are re-exported here, where callers have long found them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from timeline.connection import (
    BUSY_TIMEOUT_MS,
    Database,
    casefold,
    connect,
    immediate,
    register_functions,
    run_script,
    snapshot,
)
from timeline.envelope import Envelope
from timeline.errors import DatabaseError
from timeline.schema import (
    GUARD_NAMES,
    GUARDS,
    IMMUTABLE,
    MIGRATION_NAMES,
    MIGRATION_SET,
    MIGRATIONS_TABLE,
    OWN_INDEXES,
    REUSE_GUARD,
    foreign_objects,
    missing_guards,
    restore_guards,
)
from timeline.tables import newer_schema

__all__ = [
    "BUSY_TIMEOUT_MS",
    "GUARDS",
    "GUARD_NAMES",
    "IMMUTABLE",
    "MIGRATIONS_TABLE",
    "MIGRATION_NAMES",
    "MIGRATION_SET",
    "OWN_INDEXES",
    "REUSE_GUARD",
    "Database",
    "casefold",
    "connect",
    "file_error",
    "foreign_objects",
    "immediate",
    "missing_guards",
    "newer_tables",
    "open_db",
    "register_functions",
    "restore_guards",
    "run_script",
    "snapshot",
]


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
    newer = newer_schema(db)
    if newer is not None:
        raise newer_tables(path, newer)


def newer_tables(path: str | Path, schema: int) -> DatabaseError:
    """The refusal of tables whose projection *schema* is newer than this version's."""
    return DatabaseError(
        f"{path}: the tables were made by a newer version of timeline "
        f"(projection schema {schema}); upgrade timeline to use it"
    )
