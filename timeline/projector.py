"""Folds the log into the projection tables, from a checkpoint saved with its writes.

The projector reads the log in chunks of ``seq``. For each chunk it refolds every stream
the chunk touched (up to the chunk's end) and rewrites that development's rows, then
saves the chunk's end as its position, all in one transaction. Refolding whole streams
makes the result independent of how the log was cut into chunks, which is why a rebuild
from scratch equals the tables kept up to date one append at a time.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from events.codec import converter
from events.ids import slugify
from events.state import DevelopmentState, Stored
from events.vocabulary import CAMEO, SCHEDULED_CAMEO
from timeline.db import Database, immediate, newer_tables
from timeline.envelope import Envelope
from timeline.errors import LogDamaged
from timeline.folding import fold_stream, stored_event
from timeline.fulltext import cjk_terms
from timeline.log import EventLog, Problem
from timeline.tables import (
    SCHEMA,
    create_tables,
    drop_tables,
    missing_tables,
    newer_schema,
)

NAME = "tables"
CHUNK = 5_000


def actor_id(name: str) -> str:
    """The actors-table id of a name: the same slug as the actor's stream."""
    return slugify(name)


def place_id(place: Stored) -> str:
    """Places are one row per distinct name, city and country."""
    parts = (place.get("name"), place.get("city"), place.get("country"))
    return slugify(" ".join(x for x in parts if x), max_len=120)


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
            file = self.db.execute("PRAGMA database_list").fetchone()[2]
            raise newer_tables(file or ":memory:", newer)

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
            create_tables(self.db)
            self._save(0)
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
            create_tables(self.db)
            self._save(0)
            return self.catch_up_within(progress=progress)

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

    # --- one chunk ------------------------------------------------------------------

    def _fold_chunk(
        self,
        start: int,
        end: int,
        given: Sequence[Envelope] | None = None,
    ) -> None:
        recent: dict[str, list[Envelope]] = {}
        chunk = given if given is not None else self.log.read(since=start, until_seq=end)
        for envelope in chunk:
            recent.setdefault(envelope.stream, []).append(envelope)
        writer = _RowWriter(self.db)
        for stream, envelopes in recent.items():
            new = envelopes[0].stream_version == 1
            if not new:
                envelopes = [*self.log.read(stream=stream, until_seq=start), *envelopes]
            if stream.startswith("actor:"):
                writer.actor(stream, envelopes)
            else:
                writer.development(stream, envelopes, new=new)
        writer.finish()


class _RowWriter:
    """Writes the rows of refolded streams, then settles actors and places once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.actors: dict[str, str] = {}
        """Actor ids named by rewritten rows, with one spelling of the name."""
        self.touched_actors: set[str] = set()
        self.touched_places: set[str] = set()
        self.written: list[str] = []
        self.described: list[str] = []
        self.queued: dict[str, list[tuple]] = {}
        self.references: dict[str, set[str]] = {}
        """Developments each written development points at (part_of, announced_in, links)."""
        self.texts: list[tuple[int, str, str | None, str | None, list[tuple[str, str]]]] = []
        """What the search index needs of each written development."""

    def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        self.db.conn.execute(sql, list(params))

    def insert(self, sql: str, params: Iterable[Any]) -> None:
        """Queue a row; rows are written together, one statement per table, by flush()."""
        self.queued.setdefault(sql, []).append(tuple(params))

    def flush(self) -> None:
        for sql, rows in self.queued.items():
            self.db.conn.executemany(sql, rows)
        self.queued.clear()

    def _forget(self, dev_id: str) -> None:
        """Remove a development's child rows, remembering the actors and places they named."""
        for table in ("participants", "statements"):
            self.touched_actors.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT actor FROM {table} WHERE development = ?", [dev_id]
                )
            )
        row = self.db.execute(
            "SELECT place, seq FROM developments WHERE id = ?", [dev_id]
        ).fetchone()
        if row is not None:
            if row[0]:
                self.touched_places.add(row[0])
            self.execute("DELETE FROM developments_fts WHERE rowid = ?", [row[1]])
        for table in (
            "participants",
            "sources",
            "tags",
            "agreement_points",
            "statements",
            "history",
        ):
            self.execute(f"DELETE FROM {table} WHERE development = ?", [dev_id])
        self.execute("DELETE FROM links WHERE from_development = ?", [dev_id])

    def development(
        self,
        dev_id: str,
        envelopes: list[Envelope],
        *,
        new: bool,
    ) -> None:
        """Rewrite every row of one development from its folded state.

        A development whose stream begins in this chunk has no rows yet to remove.
        """
        if not new:
            self._forget(dev_id)
        state = fold_stream(envelopes)
        if state is None:
            return
        if state.retracted:
            # Cascades to rows that point at it; references from others become NULL.
            self.execute("DELETE FROM developments WHERE id = ?", [dev_id])
            return
        try:
            row = self._development_row(state, envelopes[0].seq)
        except (KeyError, TypeError, ValueError, AttributeError):
            for envelope in envelopes:
                stored_event(envelope)  # names the event that does not fit, and how
            raise
        self.execute(_upsert_sql(tuple(row)), row.values())
        self._children(state)
        self.written.append(dev_id)
        refs = {r for r in (state.part_of, state.announced_in) if r}
        refs.update(link.to for link in state.links)
        if refs:
            self.references[dev_id] = refs
        names = [(p["name"], actor_id(p["name"])) for p in state.participants]
        if state.speaker:
            names.append((state.speaker, actor_id(state.speaker)))
        self.texts.append((envelopes[0].seq, state.title, state.summary, state.quote, names))
        for e in envelopes:
            self.insert(
                "INSERT INTO history (seq, development, stream_version, type, recorded_at, "
                "reason, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    e.seq,
                    dev_id,
                    e.stream_version,
                    e.type,
                    e.recorded_at,
                    e.data.get("reason"),
                    e.data_json or _encode_sorted(e.data),
                ],
            )
            if e.type == "DevelopmentsLinked":
                self.insert(
                    "INSERT INTO links (seq, from_development, relation, to_development) "
                    "VALUES (?, ?, ?, ?)",
                    [e.seq, dev_id, e.data["relation"], e.data["to"]],
                )

    def _development_row(self, state: DevelopmentState, seq: int) -> dict[str, Any]:
        when, place = state.date, state.place or {}
        pid = None
        if place:
            pid = place_id(place)
            self.touched_places.add(pid)
        planned = state.type == "DevelopmentScheduled" and state.status != "occurred"
        cameo, plover = SCHEDULED_CAMEO if planned else CAMEO.get(state.kind, (None, None))
        country = state.host_country or place.get("country")
        return {
            "id": state.id,
            "seq": seq,
            "kind": state.kind,
            "type": state.type,
            "title": state.title,
            "summary": state.summary,
            "status": state.status,
            "status_reason": state.status_reason,
            "when": when.text if when else None,
            "start": when.start_iso() if when else None,
            "end": when.end_iso() if when else None,
            "precision": when.precision if when else None,
            "qualifier": when.qualifier if when else None,
            "timezone": state.timezone,
            "place": pid,
            "place_name": place.get("name"),
            "place_city": place.get("city"),
            "place_country": place.get("country"),
            "country": country,
            "latitude": place.get("lat"),
            "longitude": place.get("lon"),
            "part_of": state.part_of,
            "announced_in": state.announced_in,
            "visitor": state.visitor,
            "host_country": state.host_country,
            "speaker": state.speaker,
            "quote": state.quote,
            "parties": _json_list(state.parties),
            "participants": _json_list([p["name"] for p in state.participants]),
            "tags": _json_list(state.tags),
            "source_url": state.sources[0]["url"] if state.sources else None,
            "cameo_code": cameo,
            "plover_type": plover,
            "revision": state.revision,
            "created_at": state.created_at,
            "updated_at": state.updated_at,
        }

    def _children(self, state: DevelopmentState) -> None:
        dev = state.id
        for i, p in enumerate(state.participants, start=1):
            name = p["name"]
            self.insert(
                "INSERT INTO participants (development, position, name, role, country, actor) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [dev, i, name, p.get("role"), p.get("country"), self._name(name)],
            )
        for i, s in enumerate(state.sources, start=1):
            self.insert(
                "INSERT INTO sources (development, position, url, title, publisher, published) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [dev, i, s["url"], s.get("title"), s.get("publisher"), s.get("published")],
            )
        for tag in state.tags:
            self.insert("INSERT INTO tags (development, tag) VALUES (?, ?)", [dev, tag])
        for i, point in enumerate(state.points, start=1):
            self.insert(
                "INSERT INTO agreement_points (development, position, point) VALUES (?, ?, ?)",
                [dev, i, point],
            )
        if state.speaker:
            self.insert(
                "INSERT INTO statements (development, speaker, actor, quote) VALUES (?, ?, ?, ?)",
                [dev, state.speaker, self._name(state.speaker), state.quote],
            )

    def _name(self, name: str) -> str:
        aid = actor_id(name)
        self.actors.setdefault(aid, name)
        self.touched_actors.add(aid)
        return aid

    def actor(self, stream: str, envelopes: list[Envelope]) -> None:
        """The latest description of an actor replaces the earlier ones."""
        latest = stored_event(envelopes[-1])
        aid = stream.removeprefix("actor:")
        self.described.append(aid)
        self.execute(
            "INSERT INTO actors (id, name, native_name, kind, country, roles, described) "
            "VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "native_name = excluded.native_name, kind = excluded.kind, "
            "country = excluded.country, roles = excluded.roles, described = 1",
            [
                aid,
                latest.name,
                latest.native_name,
                latest.kind,
                latest.country,
                _encode(converter.unstructure(latest.roles)),
            ],
        )

    def finish(self) -> None:
        """Settle actors, places, references and the search index for what was written."""
        self.flush()
        self._settle_actors()
        self._settle_places()
        self._drop_dangling_references()
        self._index()

    def _settle_actors(self) -> None:
        """Every name in a row has an actor; an actor nobody names or describes goes."""
        spelling: dict[str, str] = {}
        for aid in sorted(self.touched_actors):
            # One index lookup each (actor, name): cheap however many rows name the actor.
            row = self.db.conn.execute(
                "SELECT (SELECT MIN(name) FROM participants WHERE actor = ?), "
                "(SELECT MIN(speaker) FROM statements WHERE actor = ?)",
                [aid, aid],
            ).fetchone()
            names = [name for name in row if name is not None]
            if names:
                spelling[aid] = min(names)
        # Without a description, the name is the first spelling in sort order: the same
        # whichever development named it first.
        self.db.conn.executemany(
            "INSERT INTO actors (id, name, described) VALUES (?, ?, 0) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE described = 0",
            sorted(spelling.items()),
        )
        self.db.conn.executemany(
            "DELETE FROM actors WHERE id = ? AND described = 0",
            [(aid,) for aid in sorted(self.touched_actors - spelling.keys())],
        )

    def _settle_places(self) -> None:
        """One row per place still in use, spelled as by the latest development held there,
        with the latest coordinates given (whatever order the events were folded in)."""
        spelling: dict[str, tuple[Any, Any, Any]] = {}
        coordinates: dict[str, tuple[Any, Any]] = {}
        for pid in sorted(self.touched_places):
            # The index (place, seq) finds the latest rows directly, however many there are.
            latest = self.db.conn.execute(
                "SELECT place_name, place_city, place_country FROM developments "
                "WHERE place = ? ORDER BY seq DESC LIMIT 1",
                [pid],
            ).fetchone()
            if latest is None:
                continue
            spelling[pid] = latest
            located = self.db.conn.execute(
                "SELECT latitude, longitude FROM developments "
                "WHERE place = ? AND latitude IS NOT NULL ORDER BY seq DESC LIMIT 1",
                [pid],
            ).fetchone()
            if located is not None:
                coordinates[pid] = located
        self.db.conn.executemany(
            "INSERT INTO places (id, name, city, country, latitude, longitude) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "city = excluded.city, country = excluded.country, "
            "latitude = excluded.latitude, longitude = excluded.longitude",
            [
                (pid, *names, *coordinates.get(pid, (None, None)))
                for pid, names in sorted(spelling.items())
            ],
        )
        self.db.conn.executemany(
            "DELETE FROM places WHERE id = ?",
            [(pid,) for pid in sorted(self.touched_places - spelling.keys())],
        )

    def _drop_dangling_references(self) -> None:
        """A development folded here may point at one retracted since: drop the reference.

        (Retractions themselves null or cascade the references through the schema.)
        """
        targets = sorted({t for refs in self.references.values() for t in refs})
        existing: set[str] = set()
        for ids in _batches(targets):
            marks = ", ".join("?" * len(ids))
            existing.update(
                r[0]
                for r in self.db.execute(f"SELECT id FROM developments WHERE id IN ({marks})", ids)
            )
        for dev_id, refs in sorted(self.references.items()):
            gone = sorted(refs - existing)
            if not gone:
                continue
            marks = ", ".join("?" * len(gone))
            for column in ("part_of", "announced_in"):
                self.execute(
                    f"UPDATE developments SET {column} = NULL "
                    f"WHERE id = ? AND {column} IN ({marks})",
                    [dev_id, *gone],
                )
            self.execute(
                f"DELETE FROM links WHERE from_development = ? AND to_development IN ({marks})",
                [dev_id, *gone],
            )

    def _index(self) -> None:
        """Full-text rows for the developments written, and for those naming an actor whose
        description (and so native name, e.g. 王毅) changed."""
        native = dict(
            self.db.execute("SELECT id, native_name FROM actors WHERE native_name IS NOT NULL")
        )
        rows = []
        for seq, title, summary, quote, names in self.texts:
            words = [w for name, aid in names for w in (name, native.get(aid)) if w]
            rows.append((seq, title, summary, quote, words))
        written = set(self.written)
        stale: set[str] = set()
        for aid in self.described:
            stale.update(
                r[0]
                for r in self.db.execute(
                    "SELECT development FROM participants WHERE actor = ? "
                    "UNION SELECT development FROM statements WHERE actor = ?",
                    [aid, aid],
                )
            )
        for dev_id in sorted(stale - written):
            seq, title, summary, quote = self.db.execute(
                "SELECT seq, title, summary, quote FROM developments WHERE id = ?", [dev_id]
            ).fetchone()
            names = self.db.execute(
                "SELECT name, actor FROM participants WHERE development = ? "
                "UNION ALL SELECT speaker, actor FROM statements WHERE development = ?",
                [dev_id, dev_id],
            ).fetchall()
            words = [w for name, aid in names for w in (name, native.get(aid)) if w]
            rows.append((seq, title, summary, quote, words))
        self.db.conn.executemany(
            "DELETE FROM developments_fts WHERE rowid = ?", [(row[0],) for row in rows]
        )
        self.db.conn.executemany(
            "INSERT INTO developments_fts (rowid, title, summary, quote, names) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    seq,
                    cjk_terms(title),
                    cjk_terms(summary or ""),
                    cjk_terms(quote or ""),
                    cjk_terms(" ".join(words)),
                )
                for seq, title, summary, quote, words in rows
            ],
        )


def _batches(ids: list[str], size: int = 400) -> Iterable[list[str]]:
    """Slices short enough for SQLite's limit on parameters."""
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _given(envelopes: Sequence[Envelope], start: int, end: int) -> Sequence[Envelope] | None:
    """The envelopes of seqs start+1 to end, if *envelopes* (in seq order) hold them all."""
    if not envelopes:
        return None
    first = start + 1 - envelopes[0].seq
    if first < 0 or first + (end - start) > len(envelopes):
        return None
    found = envelopes[first : first + end - start]
    return found if found[0].seq == start + 1 and found[-1].seq == end else None


@functools.lru_cache(maxsize=8)
def _upsert_sql(columns: tuple[str, ...]) -> str:
    """The statement writing a developments row (the same columns every time).

    An upsert, not delete and insert: deleting would null the references to it.
    """
    names = ", ".join(f"[{c}]" for c in columns)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != "id")
    marks = ", ".join("?" * len(columns))
    return (
        f"INSERT INTO developments ({names}) VALUES ({marks}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )


def _json_list(values: Iterable[str] | None) -> str:
    return _encode(list(values or ()))


# One encoder for every call: json.dumps with options builds a new one each time.
_encode = json.JSONEncoder(ensure_ascii=False).encode
_encode_sorted = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


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
