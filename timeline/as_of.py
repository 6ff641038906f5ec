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

    try:
        until = parse_point(point)
    except ValueError as exc:
        raise TimelineError(f"--as-of: {exc}") from None
    if "until_seq" in until:
        head = db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        if until["until_seq"] > head:
            raise TimelineError(f"--as-of: seq {point} is past the end of the log (seq {head})")
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


def parse_point(point: str) -> dict[str, Any]:
    """A point in the log as the reader of the log takes it: ``until_seq`` for a seq,
    ``until_recorded_at`` (as the log writes times) for a time. ValueError says why not."""
    import datetime as dt

    if point.isascii() and point.isdigit():
        return {"until_seq": int(point)}
    try:
        moment = dt.datetime.fromisoformat(point.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{point!r} is neither a seq nor a time like 2024-04-26T08:30:00Z"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"{point!r} needs a time zone, e.g. a trailing Z for UTC")
    return {"until_recorded_at": moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
