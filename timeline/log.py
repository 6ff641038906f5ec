"""The event log: the only code that writes the `events` table.

Writers take SQLite's write lock up front (``BEGIN IMMEDIATE``), so concurrent writers
queue on the busy timeout instead of failing half-way, and every decision a writer makes
(stream versions, known ids) holds until it commits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Any

import attrs

from timeline.connection import Database, immediate
from timeline.envelope import Envelope
from timeline.errors import InvalidEvent, LogDamaged
from timeline.events.codec import canonical_json, canonical_row, chain_hash, chain_hash_text

GENESIS = ""
"""The "previous hash" of the first event."""

_SELECT = f"SELECT {', '.join(Envelope.COLUMNS)} FROM events"
_INSERT = (
    f"INSERT INTO events ({', '.join(Envelope.COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(Envelope.COLUMNS))})"
)
_FLUSH_EVERY = 2_000
_VERSIONS_KEPT = 20_000  # stream versions remembered in a transaction; more are re-read


CLOCK_SKEW = dt.timedelta(minutes=10)
"""How far ahead of this machine's clock a given recording time may be (another machine's
clock, a little fast, wrote the log being imported)."""


def utc_now() -> str:
    """The log's clock: UTC, ISO 8601 with microseconds and a ``Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class EventLog:
    """Reads the log and opens write transactions on it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def head(self) -> tuple[int, str]:
        """The last ``seq`` and its hash; ``(0, GENESIS)`` for an empty log."""
        row = self.db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def read(
        self,
        *,
        since: int = 0,
        stream: str | None = None,
        types: tuple[str, ...] = (),
        until_seq: int | None = None,
        until_recorded_at: str | None = None,
    ) -> Iterator[Envelope]:
        """Events after *since*, oldest first, optionally of one stream or some types."""
        where, params = ["seq > ?"], [since]
        if stream is not None:
            where.append("stream = ?")
            params.append(stream)
        if types:
            where.append(f"type IN ({', '.join('?' * len(types))})")
            params.extend(types)
        _until(where, params, until_seq, until_recorded_at)
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY seq"
        for row in self.db.execute(sql, params):
            yield Envelope.from_row(row)

    def streams(self, *, until_seq: int) -> Iterator[tuple[str, list[Envelope]]]:
        """Every stream with its events up to *until_seq*, one stream at a time.

        Streams come in the order of their names (the index on stream and version), each
        with its events oldest first: a rebuild folds each stream once, holding one in
        memory, however the streams' events are interleaved in the log.
        """
        sql = f"{_SELECT} WHERE seq <= ? ORDER BY stream, stream_version"
        rows = (Envelope.from_row(row) for row in self.db.execute(sql, [until_seq]))
        for stream, envelopes in itertools.groupby(rows, key=attrgetter("stream")):
            yield stream, list(envelopes)

    def get(self, event_id: str) -> Envelope | None:
        """The event with this id, if the log has it."""
        row = self.db.execute(f"{_SELECT} WHERE id = ?", [event_id]).fetchone()
        return Envelope.from_row(row) if row else None

    def streams_created_with(self, path: str, value: str) -> list[str]:
        """The streams whose first event's meta holds *value* at the JSON *path*, by name.

        An import finds the developments an earlier import of the same file created (and
        so which of them are no longer in the file) by the provenance it kept in meta.
        """
        rows = self.db.execute(
            "SELECT stream FROM events WHERE stream_version = 1 AND json_extract(meta, ?) = ? "
            "ORDER BY stream",
            [path, value],
        )
        return [row[0] for row in rows]

    def stream_version(self, stream: str) -> int:
        """The last version of *stream*; 0 when it does not exist."""
        row = self.db.execute(
            "SELECT MAX(stream_version) FROM events WHERE stream = ?", [stream]
        ).fetchone()
        return row[0] or 0

    @contextmanager
    def writing(self, *, keep: bool = True) -> Iterator[Writer]:
        """A write transaction: everything appended in it lands together or not at all.

        With ``keep=False`` the writer counts what it appends instead of keeping it all.
        """
        with immediate(self.db):
            writer = Writer(self, keep=keep)
            yield writer
            writer.flush()
            writer.confirm()


@attrs.define
class Writer:
    """Appends inside one transaction, remembering what it wrote so later checks see it."""

    log: EventLog
    seq: int = 0
    hash: str = GENESIS
    now: str = attrs.field(factory=utc_now)

    _pending: list[tuple] = attrs.field(factory=list)
    keep: bool = True
    """Keep every appended envelope in :attr:`appended` (off for large imports)."""
    _versions: dict[str, int] = attrs.field(factory=dict)
    _by_id: dict[str, Envelope] = attrs.field(factory=dict)
    """Appended envelopes not yet flushed, by id; flushed ones are read back."""
    appended: list[Envelope] = attrs.field(factory=list)
    count: int = 0
    first_seq: int | None = None

    start: int = 0
    """The head's seq when the transaction began."""
    recorded_at: str = ""
    """The last event's recording time: no event is recorded before it."""
    latest: str = ""
    """The latest recording time a line may bring: now, give or take :data:`CLOCK_SKEW`."""

    def __attrs_post_init__(self) -> None:
        row = self.log.db.execute(
            "SELECT seq, hash, recorded_at FROM events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        if row is not None:
            self.seq, self.hash, self.recorded_at = row
        self.start = self.seq
        moment = dt.datetime.fromisoformat(self.now.removesuffix("Z") + "+00:00") + CLOCK_SKEW
        self.latest = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def stream_version(self, stream: str) -> int:
        """The last version of *stream*, counting what this transaction appended."""
        if stream not in self._versions:
            if len(self._versions) >= _VERSIONS_KEPT:
                self.flush()  # what is forgotten must be readable from the table
                self._versions.clear()
            self._versions[stream] = self.log.stream_version(stream)
        return self._versions[stream]

    def get(self, event_id: str) -> Envelope | None:
        """The event with this id, in the log or appended in this transaction."""
        return self._by_id.get(event_id) or self.log.get(event_id)

    def stream_events(self, stream: str) -> list[Envelope]:
        """Every event of *stream*, oldest first, counting this transaction's."""
        self.flush()
        return list(self.log.read(stream=stream))

    def append(
        self,
        *,
        id: str,  # the contract's name for the event id
        type: str,
        schema_version: int,
        stream: str,
        data: dict[str, Any],
        meta: dict[str, Any],
        recorded_at: str | None = None,
    ) -> Envelope:
        """Append one event at the end of the log, chaining its hash; return its envelope.

        Recording times never go backwards (``--as-of TIME`` reads the log up to a time):
        a given *recorded_at* before the last event's is refused, and the log's own clock
        keeps to the last event's time if the machine's clock is behind it. A given time
        ahead of the machine's clock (by more than :data:`CLOCK_SKEW`) is refused too: it
        would hold every later event at that time.
        """
        version = self.stream_version(stream) + 1
        if recorded_at is None:
            recorded_at = max(self.now, self.recorded_at)
        elif recorded_at < self.recorded_at:
            raise InvalidEvent(
                f"recorded_at: {recorded_at} is before the time of the log's last event "
                f"({self.recorded_at}); an event cannot be recorded in the log's past"
            )
        elif recorded_at > self.latest:
            raise InvalidEvent(
                f"recorded_at: {recorded_at} is in the future (this machine's clock says "
                f"{self.now}); an event cannot be recorded ahead of its time"
            )
        seq = self.seq + 1
        data_json, meta_json = canonical_json(data), canonical_json(meta)
        row_json = canonical_row(
            data_json,
            meta_json,
            id=id,
            recorded_at=recorded_at,
            schema_version=schema_version,
            seq=seq,
            stream=stream,
            stream_version=version,
            type=type,
        )
        envelope = Envelope(
            seq=seq,
            id=id,
            stream=stream,
            stream_version=version,
            type=type,
            schema_version=schema_version,
            recorded_at=recorded_at,
            data=data,
            meta=meta,
            hash=chain_hash_text(self.hash, row_json),
            data_json=data_json,
        )
        self._pending.append(
            (
                seq,
                id,
                type,
                schema_version,
                stream,
                version,
                recorded_at,
                data_json,
                meta_json,
                envelope.hash,
            )
        )
        self.seq, self.hash, self.recorded_at = envelope.seq, envelope.hash, recorded_at
        self._versions[stream] = version
        self._by_id[id] = envelope
        if self.keep:
            self.appended.append(envelope)
        self.count += 1
        if self.first_seq is None:
            self.first_seq = seq
        if len(self._pending) >= _FLUSH_EVERY:
            self.flush()
        return envelope

    def flush(self) -> None:
        """Write what is buffered (still inside the transaction)."""
        if self._pending:
            self.log.db.conn.executemany(_INSERT, self._pending)
            self._pending.clear()
            self._by_id.clear()

    def confirm(self) -> None:
        """Check that the file holds what this transaction appended, before it commits.

        SQLite reports success for a row that a trigger silently dropped
        (``RAISE(IGNORE)``): without this check a writer would report a seq that was
        never stored.
        """
        if not self.count:
            return
        stored, last = self.log.db.execute(
            "SELECT COUNT(*), MAX(seq) FROM events WHERE seq > ?", [self.start]
        ).fetchone()
        head = self.log.db.execute("SELECT hash FROM events WHERE seq = ?", [self.seq]).fetchone()
        if (stored, last) != (self.count, self.seq) or head is None or head[0] != self.hash:
            raise LogDamaged(
                f"the log did not store what was written ({self.count} event"
                f"{'s' * (self.count != 1)} after seq {self.start}, {stored} found); "
                "something in the database file interferes with writes; nothing was "
                "written; see: timeline verify"
            )


@attrs.frozen
class Problem:
    """The first thing wrong with a log: where, and what."""

    seq: int
    message: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.message}"


_VERSION_JUMP = """
SELECT seq, stream, stream_version, previous FROM (
  SELECT seq, stream, stream_version,
    LAG(stream_version, 1, 0) OVER (PARTITION BY stream ORDER BY seq) AS previous
  FROM events)
WHERE stream_version IS NOT previous + 1 ORDER BY seq LIMIT 1
"""
"""The first event whose stream version does not follow its stream's last one.

Set-wise, so that SQLite's sorter (which spills to disk) holds the streams, not a dict
of every stream in memory: a log of millions of events verifies in bounded memory.
"""


def verify_chain(
    db: Database, check: Callable[[Envelope], str | None] | None = None
) -> tuple[int, Problem | None]:
    """Walk the whole log: ``seq`` without gaps, stream versions in order, recording times
    that never go back, every hash; and *check* each event, last (what it returns is a
    problem with that event).

    Returns how many events were checked and the first problem found, if any.
    """
    jump = db.execute(_VERSION_JUMP).fetchone()
    previous_seq, previous_hash, previous_time = 0, GENESIS, ""
    count = 0
    for row in db.execute(f"{_SELECT} ORDER BY seq"):
        count += 1
        seq = row[0]
        if seq <= previous_seq:
            where = f"after seq {previous_seq}" if previous_seq else "before seq 1"
            return count, Problem(seq, f"out of place: a seq {seq} {where}")
        if seq != previous_seq + 1:
            missing = previous_seq + 1
            return count, Problem(missing, f"missing: the log jumps from {previous_seq} to {seq}")
        try:
            envelope = Envelope.from_row(row)
        except (json.JSONDecodeError, TypeError, RecursionError):
            return count, Problem(seq, "the stored data or meta is not valid JSON")
        # The log writes canonical JSON only; other text (duplicate keys, spacing) was
        # written by something else, and may show readers what the hash does not cover.
        if row[7] != canonical_json(envelope.data) or row[8] != canonical_json(envelope.meta):
            return count, Problem(seq, "the stored data or meta was rewritten (not as logged)")
        if jump is not None and jump[0] == seq:
            _, stream, version, after = jump
            return count, Problem(seq, f"stream {stream} jumps to version {version} after {after}")
        expected = chain_hash(previous_hash, envelope.hashed_fields())
        if envelope.hash != expected:
            return count, Problem(seq, "the hash does not match the event's contents")
        if envelope.recorded_at < previous_time:
            return count, Problem(
                seq,
                f"recorded at {envelope.recorded_at}, before the event before it "
                f"({previous_time}): the log's past was written later",
            )
        problem = check(envelope) if check is not None else None
        if problem is not None:
            return count, Problem(seq, problem)
        previous_seq, previous_hash, previous_time = seq, envelope.hash, envelope.recorded_at
    return count, None


def _until(where: list[str], params: list[Any], seq: int | None, recorded_at: str | None) -> None:
    """Add the conditions of a read that stops at a ``seq`` or a recording time."""
    if seq is not None:
        where.append("seq <= ?")
        params.append(seq)
    if recorded_at is not None:
        where.append("recorded_at <= ?")
        params.append(recorded_at)


def copy_log(
    db: Database,
    path: Path,
    *,
    until_seq: int | None = None,
    until_recorded_at: str | None = None,
) -> Database:
    """A scratch database at *path* holding the events up to a point, and empty tables.

    For reading the past (``--as-of``): the copy has no guards, since nothing appends to
    it, and its projection tables are for the projector to fill.
    """
    import sqlite3

    from timeline.tables import create_tables

    scratch = Database(sqlite3.connect(str(path), isolation_level=None))
    scratch.execute("PRAGMA foreign_keys = ON")
    schema = db.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    scratch.execute(schema)
    where: list[str] = ["1"]
    params: list[Any] = []
    _until(where, params, until_seq, until_recorded_at)
    rows = db.execute(f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY seq", params)
    scratch.execute("BEGIN")
    while batch := rows.fetchmany(_FLUSH_EVERY):
        scratch.conn.executemany(_INSERT, batch)
    create_tables(scratch)
    scratch.execute("COMMIT")
    return scratch
