"""Folds the log into the projection tables, from a checkpoint saved with its writes.

The projector reads the log in chunks of ``seq``. For each chunk it refolds every stream
the chunk touched (up to the chunk's end), rewrites that development's rows
(:mod:`timeline.rows`) and settles what they share (:mod:`timeline.settling`), then saves
the chunk's end as its position, all in one transaction. Refolding whole streams makes the
result independent of how the log was cut into chunks, which is why a rebuild from
scratch, which folds each stream once in the order of their names, equals the tables kept
up to date one append at a time.

A merge (or an unmerge) lives in the kept development's stream but changes the
duplicate too: the duplicates merged as of the chunk's end are read from the log (through
the index on ``type``), they get no rows, and a chunk that merges or unmerges one folds
the duplicate's stream again as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from timeline import settling
from timeline.db import Database, immediate, newer_tables
from timeline.envelope import Envelope
from timeline.errors import LogDamaged
from timeline.folding import MERGING, merged_duplicates
from timeline.log import EventLog, Problem
from timeline.rows import RowWriter
from timeline.tables import (
    SCHEMA,
    create_indexes,
    create_tables,
    drop_tables,
    missing_tables,
    newer_schema,
)

NAME = "tables"
CHUNK = 5_000


class Projector:
    """Keeps the projection tables of one database in step with its log."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.log = EventLog(db)

    def position(self) -> int:
        """The last ``seq`` folded into the tables."""
        row = self.db.execute(
            "SELECT position, schema FROM _projector_state WHERE name = ?", [NAME]
        ).fetchone()
        return row[0] if row and row[1] == SCHEMA else 0

    def needs_rebuild(self) -> bool:
        """Whether the tables were made by an earlier version of the projector.

        Raises DatabaseError for tables of a newer version, which are never rebuilt.
        """
        if not self.db.has_table("_projector_state"):
            return True
        self._refuse_newer()
        if missing_tables(self.db):
            return True  # damaged by hand: rebuilt rather than half-updated
        row = self.db.execute(
            "SELECT schema FROM _projector_state WHERE name = ?", [NAME]
        ).fetchone()
        return row is not None and row[0] != SCHEMA

    def _refuse_newer(self) -> None:
        # open_db refuses such tables already; this keeps a database opened before a newer
        # timeline wrote to it (a long-running server, say) from rebuilding them older.
        newer = newer_schema(self.db)
        if newer is not None:
            raise newer_tables(self.db.main_file() or ":memory:", newer)

    def catch_up(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Fold every event after the checkpoint, in one transaction; return how many."""
        with immediate(self.db):
            self.keep_anchor()
            return self.catch_up_within(progress=progress)

    def upgrade(self) -> bool:
        """Rebuild tables made by an earlier version of the projector; True if it did.

        Raises DatabaseError for tables of a newer version, leaving them as they are.
        """
        if not self.db.has_table("_projector_state"):
            return False
        self._refuse_newer()
        row = self.db.execute(
            "SELECT schema FROM _projector_state WHERE name = ?", [NAME]
        ).fetchone()
        if row is None or row[0] == SCHEMA:
            return False
        self.rebuild()
        return True

    def catch_up_within(
        self,
        *,
        envelopes: Sequence[Envelope] = (),
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Fold everything after the checkpoint inside the caller's open transaction.

        Used by appends, so that an event and the rows it changes land together. The
        append passes the envelopes it has just written, in order, which are then not
        read back from the log. The caller has
        checked the anchor (:meth:`keep_anchor`) in the same transaction, before writing.
        """
        if self.needs_rebuild():
            drop_tables(self.db)
            create_tables(self.db, indexes=False)
            return self._fold_everything(progress)
        start, head = self.position(), self.log.head()[0]
        folded = head - start
        while start < head:
            end = min(head, start + CHUNK)
            self._fold_chunk(start, end, _given(envelopes, start, end))
            self._save(end)
            if progress is not None:
                progress(end - start)
            start = end
        return folded

    def keep_anchor(self) -> None:
        """Refuse to go on when the log lost or changed the event the tables were made from.

        Folding on (or rebuilding) would move the anchor back or onto another hash, and
        `verify` could then no longer tell that events were removed or rewritten.
        """
        problem = anchor_problem(self.db)
        if problem is not None:
            raise LogDamaged(
                f"{problem}; refusing to build on a log that lost or changed what the tables "
                "were made from (see: timeline verify; then `timeline rebuild --force`)"
            )

    def rebuild(self, *, progress: Callable[[int], None] | None = None, force: bool = False) -> int:
        """Drop every projection table and fold the whole log again, in one transaction.

        Readers see the old tables until the new ones are complete; a rebuild that is
        interrupted leaves the old ones as they were. Refused (unless *force*) when the
        log no longer holds the event the tables were last brought up to.
        """
        with immediate(self.db):
            if not force:
                self.keep_anchor()
            drop_tables(self.db)
            create_tables(self.db, indexes=False)
            return self._fold_everything(progress)

    def _save(self, position: int) -> None:
        # The hash of the last event folded in anchors the tables to the log: `verify`
        # then notices events removed from the end, or a log rewritten under the tables.
        row = self.db.execute("SELECT hash FROM events WHERE seq = ?", [position]).fetchone()
        self.db.execute(
            "INSERT INTO _projector_state (name, position, hash, schema) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
            "hash = excluded.hash, schema = excluded.schema",
            [NAME, position, row[0] if row else "", SCHEMA],
        )

    # --- folding --------------------------------------------------------------------

    def _fold_chunk(self, start: int, end: int, given: Sequence[Envelope] | None = None) -> None:
        """Refold every stream with events in seqs start+1 to end, and settle what they touch."""
        recent: dict[str, list[Envelope]] = {}
        chunk = given if given is not None else self.log.read(since=start, until_seq=end)
        duplicates: list[str] = []
        for envelope in chunk:
            recent.setdefault(envelope.stream, []).append(envelope)
            if envelope.type in MERGING:
                duplicates.append(envelope.data["duplicate"])
        rows = RowWriter(self.db, merged_duplicates(self.log, until_seq=end))
        for stream, envelopes in recent.items():
            if envelopes[0].stream_version != 1:
                envelopes = [*self.log.read(stream=stream, until_seq=start), *envelopes]
                if not stream.startswith("actor:"):
                    rows.forget(stream)
            _write(rows, stream, envelopes)
        # A merge or an unmerge in the kept one's stream takes the duplicate's rows away or
        # brings them back: its stream is folded again too.
        for duplicate in dict.fromkeys(duplicates):
            if duplicate not in recent:
                rows.forget(duplicate)
                _write(rows, duplicate, list(self.log.read(stream=duplicate, until_seq=end)))
        _settle(self.db, rows, until=end, everything=False)

    def _fold_everything(self, progress: Callable[[int], None] | None) -> int:
        """Fill the empty tables from the whole log, each stream folded once, in its order.

        Nothing is looked up or removed while folding, so the indexes that folding does not
        read are made once at the end, and what rows share is settled over all of them.
        """
        head = self.log.head()[0]
        rows = RowWriter(self.db, merged_duplicates(self.log, until_seq=head))
        unreported = 0
        for stream, envelopes in self.log.streams(until_seq=head):
            _write(rows, stream, envelopes)
            unreported += len(envelopes)
            if unreported >= CHUNK:
                rows.flush()
                if progress is not None:
                    progress(unreported)
                unreported = 0
        rows.flush()
        create_indexes(self.db)
        _settle(self.db, rows, until=head, everything=True)
        self._save(head)
        if progress is not None and unreported:
            progress(unreported)
        return head


def _write(rows: RowWriter, stream: str, envelopes: list[Envelope]) -> None:
    if stream.startswith("actor:"):
        rows.actor(stream, envelopes)
    else:
        rows.development(stream, envelopes)


def _settle(db: Database, rows: RowWriter, *, until: int, everything: bool) -> None:
    """Write what *rows* queued, then settle what the developments written share."""
    rows.flush()
    written = None if everything else rows.written
    settling.history(db, written, until=until)
    settling.links(db, written, until=until)
    settling.references(db, written)
    settling.actors(db, None if everything else rows.actors)
    settling.places(db, None if everything else rows.places)
    settling.fulltext(db, written, rows.described)


def _given(envelopes: Sequence[Envelope], start: int, end: int) -> Sequence[Envelope] | None:
    """The envelopes of seqs start+1 to end, if *envelopes* (in seq order) hold them all."""
    if not envelopes:
        return None
    first = start + 1 - envelopes[0].seq
    if first < 0 or first + (end - start) > len(envelopes):
        return None
    found = envelopes[first : first + end - start]
    return found if found[0].seq == start + 1 and found[-1].seq == end else None


def catch_up(db: Database) -> int:
    """Bring the tables of *db* up to the end of its log."""
    return Projector(db).catch_up()


def anchor_problem(db: Database) -> Problem | None:
    """Whether the log still holds the event the tables were last brought up to."""
    if "hash" not in db.column_names("_projector_state"):
        return None  # tables of an earlier version, which kept no anchor
    row = db.execute(
        "SELECT position, hash FROM _projector_state WHERE name = ? AND schema = ?",
        [NAME, SCHEMA],
    ).fetchone()
    if row is None or row[0] == 0:
        return None
    position, expected = row
    found = db.execute("SELECT hash FROM events WHERE seq = ?", [position]).fetchone()
    if found is None:
        head = EventLog(db).head()[0]
        return Problem(
            head + 1,
            f"missing: the tables were made from the log up to seq {position}, "
            f"but it ends at seq {head}",
        )
    if found[0] != expected:
        return Problem(position, "differs from the event the tables were made from")
    return None
