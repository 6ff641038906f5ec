"""The log's schema as the file holds it: the schema steps, the guarding triggers, and
the objects timeline makes (so that `verify` can name the ones it did not)."""

from __future__ import annotations

from timeline.connection import Database, run_script

MIGRATION_SET = "timeline"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' own table, which it reads back
MIGRATION_NAMES = ("0001_event_log", "0002_projection_tables", "0003_refuse_reuse")
"""The schema steps this version knows, in order (defined in ``timeline.migrations``)."""

IMMUTABLE = "events are immutable: the log is append-only"

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
