"""The schema steps of a timeline database, applied by sqlite-utils' migrations.

Imported only when a database lacks a step (a new file, or one made by an earlier
version), so that everyday commands do not pay for importing sqlite-utils.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from timeline.connection import Database, run_script
from timeline.schema import GUARDS, MIGRATION_SET, REUSE_GUARD
from timeline.tables import create_tables

migrations = sqlite_utils.Migrations(MIGRATION_SET)


@migrations(name="0001_event_log")
def _event_log(db: Any) -> None:  # the sqlite_utils.Database migrations pass
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
def _projection_tables(db: Any) -> None:
    create_tables(db)


@migrations(name="0003_refuse_reuse")
def _refuse_reuse(db: Any) -> None:
    run_script(db, REUSE_GUARD)


def apply(db: Database) -> None:
    """Apply the steps *db* lacks, inside the caller's transaction."""
    migrations.apply(sqlite_utils.Database(db.conn, execute_plugins=False))
