"""`timeline verify`: whether the record is as timeline wrote it, read in one snapshot.

Every check reads the same snapshot of the file (one read transaction), so appends made
by other processes meanwhile can neither make a sound log look damaged nor hide a
damaged one. Each check runs in bounded memory, whatever the length of the log.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from timeline.db import Database, foreign_objects, missing_guards, snapshot
from timeline.envelope import Envelope
from timeline.errors import LogDamaged
from timeline.folding import stored_event
from timeline.log import EventLog, Problem, copy_log, verify_chain
from timeline.projector import Projector, anchor_problem
from timeline.tables import missing_tables, projection_tables

_HEAD = re.compile(r"^(\d{1,19}):([0-9a-f]{64})$")


@attrs.frozen
class Head:
    """A log position someone kept (``timeline head`` prints it): a seq and its hash."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Head:
        """``SEQ:HASH`` as `timeline head` prints it; ValueError otherwise."""
        match = _HEAD.match(text.strip())
        if match is None or int(match[1]) < 1:
            raise ValueError(
                f"{text!r} is not a head like 120:<64 hex digits> (as `timeline head` prints it)"
            )
        return cls(int(match[1]), match[2])

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@attrs.frozen
class Verdict:
    """What `verify` found: the first problem, if any, and what was checked."""

    count: int
    """Events checked."""
    head: tuple[int, str]
    problem: str | None = None
    upgraded: bool = False
    """Whether tables made by an earlier version were rebuilt first."""
    heads: int = 0
    """Kept heads the log was found to hold."""

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        """The line `verify` prints when all is well."""
        seq, hash_ = self.head
        if not seq:
            return f"OK: {self.count} events, empty log, tables equal a rebuild"
        kept = {0: "", 1: ", holds the head you kept"}.get(
            self.heads, f", holds the {self.heads} heads you kept"
        )
        return (
            f"OK: {self.count} events, seq 1 to {seq} without gaps, "
            f"hash chain intact (head {hash_}), tables equal a rebuild{kept}"
        )


def verify(db: Database, *, heads: Sequence[Head] = ()) -> Verdict:
    """Check the log, its guards, the tables, and that it still holds each kept head.

    Tables made by an earlier version are rebuilt first (outside the snapshot: it writes).
    """
    upgraded = Projector(db).upgrade()
    with snapshot(db):
        count, found = verify_chain(db, check=_unreadable)
        head = EventLog(db).head()
        found = found or anchor_problem(db) or _first_lost_head(db, heads, head[0])
        if found is not None:
            return Verdict(count, head, str(found), upgraded)
        unguarded = guard_problem(db)
        if unguarded is not None:
            return Verdict(count, head, unguarded, upgraded)
        stale = differences(db)
        if stale:
            return Verdict(
                count,
                head,
                f"the tables differ from a rebuild of the log: {', '.join(stale)}; "
                "run: timeline rebuild",
                upgraded,
            )
        return Verdict(count, head, None, upgraded, len(set(heads)))


def guard_problem(db: Database) -> str | None:
    """Whether the schema is as timeline made it: the log's guards there, nothing added
    that could change what is written or read (a trigger, a view)."""
    guards = missing_guards(db)
    if guards:
        return (
            f"the log's guards are missing ({', '.join(guards)}): UPDATE and DELETE "
            "are not refused; restore them with: timeline init"
        )
    strangers = foreign_objects(db)
    if strangers:
        return (
            f"the database has schema objects timeline did not make: {', '.join(strangers)}; "
            "they can change what is written or read: look at them, then drop them"
        )
    return None


def _unreadable(envelope: Envelope) -> str | None:
    """Why the event an envelope holds cannot be loaded, if it cannot.

    Appends refuse such events, so one found here was written by something else and
    re-hashed to pass the chain; rebuilding tables from it would fail.
    """
    try:
        stored_event(envelope)
    except LogDamaged as exc:
        return exc.detail
    return None


def _first_lost_head(db: Database, heads: Iterable[Head], last: int) -> Problem | None:
    """The first kept head the log no longer holds: shortened, or rewritten up to there."""
    for kept in sorted(heads, key=lambda h: h.seq):
        row = db.execute("SELECT hash FROM events WHERE seq = ?", [kept.seq]).fetchone()
        if row is None:
            return Problem(
                kept.seq,
                f"missing: the head you kept ({kept}) is past the end of the log, "
                f"which ends at seq {last}",
            )
        if row[0] != kept.hash:
            return Problem(
                kept.seq,
                f"differs from the head you kept ({kept}): the log up to there was rewritten",
            )
    return None


def differences(db: Database) -> list[str]:
    """Tables whose rows differ from a fresh rebuild of the same log (in a scratch file).

    The scratch database is a file, and rows are compared a batch at a time, so a log of
    any length is checked in bounded memory. It gets its schema from this version (not
    from the file under test), so a trigger planted on a table cannot shape both sides.
    """
    with tempfile.TemporaryDirectory(prefix="timeline-verify-") as folder:
        scratch = copy_log(db, Path(folder) / "rebuild.db")
        try:
            Projector(scratch).rebuild()
            missing = missing_tables(db)
            found = [t for t in missing if not t.startswith("_")]
            for table in projection_tables(db):
                sql = f"SELECT * FROM [{table}] ORDER BY 1, 2"
                if table not in missing and not _same_rows(db, scratch, sql):
                    found.append(table)
            fts = "SELECT rowid, title, summary, quote, names FROM developments_fts ORDER BY rowid"
            if "developments_fts" not in missing and not _same_rows(db, scratch, fts):
                found.append("developments_fts")
        finally:
            scratch.close()
    return found


def _same_rows(db: Database, other: Database, sql: str, batch: int = 1_000) -> bool:
    """Whether *sql* gives the same rows, in the same order, in both databases."""
    ours, theirs = db.execute(sql), other.execute(sql)
    while True:
        mine = ours.fetchmany(batch)
        if mine != theirs.fetchmany(batch):
            return False
        if not mine:
            return True
