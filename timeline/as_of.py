"""The tables as the log stood at an earlier point (``--as-of``), in a scratch database.

Reading the past means projecting it: the events up to the point are copied into a
temporary file and folded there. The database being read is never written.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from timeline.db import Database
from timeline.errors import TimelineError


@contextmanager
def tables_as_of(db: Database, point: str) -> Iterator[sqlite3.Connection]:
    """A scratch copy of the tables as the log stood at *point* (a ``seq`` or a UTC time).

    With a time, the events recorded at or before it are taken.
    """
    from timeline.log import copy_log
    from timeline.projector import Projector

    if point.isascii() and point.isdigit():
        head = db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        if int(point) > head:
            raise TimelineError(f"--as-of: seq {point} is past the end of the log (seq {head})")
        until: dict[str, Any] = {"until_seq": int(point)}
    else:
        until = {"until_recorded_at": _utc(point)}
    handle, path = tempfile.mkstemp(prefix="timeline-as-of-", suffix=".db")
    os.close(handle)
    try:
        scratch = copy_log(db, Path(path), **until)
        Projector(scratch).catch_up()
        yield scratch.conn
        scratch.close()
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)


def _utc(point: str) -> str:
    """A time as the log writes it, so that text comparison orders it correctly."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(point.replace("Z", "+00:00"))
    except ValueError:
        raise TimelineError(
            f"--as-of: {point!r} is neither a seq nor a time like 2024-04-26T08:30:00Z"
        ) from None
    if moment.tzinfo is None:
        raise TimelineError(f"--as-of: {point!r} needs a time zone, e.g. a trailing Z for UTC")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
