"""`timeline snapshot`: a consistent, verified copy of a timeline at one log head.

The copy is what read replicas serve (``datasette -i``, ``datasette publish``): one file
in rollback-journal mode, with no ``-wal`` beside it, whose log and tables stand at the
same head. It is written under a temporary name and renamed into place only once it is
verified, so a replica watching the name never sees half a copy.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import attrs

from timeline.connection import COMPANIONS, Database, register_functions
from timeline.db import file_error
from timeline.errors import TimelineError
from timeline.exporting import not_the_database
from timeline.log import EventLog, verify_chain
from timeline.projector import Projector, anchor_problem
from timeline.verification import guard_problem


@attrs.frozen
class Snapshot:
    """What was written: where, how many events, and the head the log and tables share."""

    path: Path
    count: int
    seq: int
    hash: str

    def summary(self) -> str:
        """The line `timeline snapshot` prints."""
        return (
            f"Wrote {self.path}: {self.count} events, log and tables at head "
            f"{self.seq}:{self.hash}, hash chain verified"
        )


def write_snapshot(db: Database, out: str | os.PathLike[str], *, replace: bool = False) -> Snapshot:
    """Copy *db* to *out* at one log head (``VACUUM INTO`` in one read transaction), verify
    the copy's hash chain, guards and tables, then move it into place.

    Refused, with nothing written: *out* being the database itself or one of its files,
    an existing *out* without *replace*, and a database whose tables do not stand at the
    log's head (made by an earlier version: they are rebuilt first, which writes).
    """
    target = Path(out)
    resolved, existing = not_the_database(db, str(out), "OUT")
    if not resolved.parent.is_dir():
        raise TimelineError(f"OUT: the folder {resolved.parent} does not exist")
    if existing is not None and not replace:
        raise TimelineError(f"OUT: {out} exists; remove it or give --replace")
    Projector(db).upgrade()  # a copy of tables of an earlier shape would serve that shape
    temporary = resolved.with_name(f".{resolved.name}.{os.getpid()}.partial")
    try:
        try:
            # One statement, one read transaction: the log and the tables as one commit
            # left them, whatever writers do meanwhile (appends update both at once).
            db.execute("VACUUM INTO ?", [str(temporary)])
        except sqlite3.Error as exc:
            raise file_error(temporary, exc) from None
        made = _verified(temporary)
        os.replace(temporary, resolved)
    finally:
        for leftover in (temporary, *(Path(f"{temporary}{s}") for s in COMPANIONS)):
            leftover.unlink(missing_ok=True)
    return attrs.evolve(made, path=target)


def _verified(path: Path) -> Snapshot:
    """Read the copy as a replica will (read-only): its chain, its guards, its tables' head."""
    uri = f"{path.absolute().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        register_functions(conn)
        copy = Database(conn)
        count, problem = verify_chain(copy)
        if problem is not None:
            raise TimelineError(f"the copy does not verify: {problem}")
        seq, hash_ = EventLog(copy).head()
        unguarded = guard_problem(copy)
        if unguarded is not None:
            raise TimelineError(f"no copy made: {unguarded}")
        if anchor_problem(copy) is not None or Projector(copy).position() != seq:
            raise TimelineError("the copy's tables do not stand at its log's head")
    return Snapshot(path, count, seq, hash_)
