"""The rows of one development (or actor), written from the events of its stream.

A development's own rows (its developments row, participants, sources, tags, agreement
points and statement) are built here from its folded state, in Python: that is where the
fold is. What several developments share or point at (history, links, actors, places,
references, the full-text index) is settled afterwards by :mod:`timeline.settling`, in
set-wise SQL over the rows written.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from timeline.connection import Database
from timeline.envelope import Envelope
from timeline.events.codec import converter
from timeline.events.developments import countries_of
from timeline.events.ids import slugify
from timeline.events.state import DevelopmentState, Stored, disputed_text
from timeline.events.vocabulary import CAMEO, SCHEDULED_CAMEO
from timeline.folding import fold_stream, stored_event
from timeline.tables import declared_columns


def actor_id(name: str) -> str:
    """The actors-table id of a name: the same slug as the actor's stream."""
    return slugify(name)


def place_id(place: Stored) -> str:
    """Places are one row per distinct name, city and country."""
    parts = (place.get("name"), place.get("city"), place.get("country"))
    return slugify(" ".join(x for x in parts if x), max_len=120)


class RowWriter:
    """Writes the rows of folded streams, a batch at a time, and remembers what they name.

    What it remembers (the developments written, the actors and places their rows named
    or no longer name, the actors described) is what :mod:`timeline.settling` settles.
    """

    def __init__(self, db: Database, merged: Mapping[str, str] | None = None) -> None:
        self.db = db
        self.merged: Mapping[str, str] = merged or {}
        """The developments merged into another (duplicate -> kept): they get no rows."""
        self.written: list[str] = []
        self.described: list[str] = []
        self.actors: set[str] = set()
        self.places: set[str] = set()
        self.queued: dict[str, list[tuple[Any, ...]]] = {}
        self._copying: _Copying | None = None

    @property
    def pending(self) -> int:
        """How many rows wait for :meth:`flush`."""
        return sum(map(len, self.queued.values()))

    def insert(self, sql: str, params: Iterable[Any]) -> None:
        """Queue a row; rows are written together, one statement per table, by flush()."""
        self.queued.setdefault(sql, []).append(tuple(params))

    def flush(self) -> None:
        for sql, rows in self.queued.items():
            self.db.conn.executemany(sql, rows)
        self.queued.clear()

    def forget(self, dev_id: str) -> None:
        """Remove a development's rows before it is written again, remembering the actors
        and the place they named (which may now be named by nobody)."""
        for table in ("participants", "statements"):
            self.actors.update(
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
                self.places.add(row[0])
            self.db.execute("DELETE FROM developments_fts WHERE rowid = ?", [row[1]])
        for table in (
            "participants",
            "sources",
            "tags",
            "agreement_points",
            "statements",
            "history",
            "merges",
        ):
            self.db.execute(f"DELETE FROM {table} WHERE development = ?", [dev_id])
        self.db.execute("DELETE FROM links WHERE from_development = ?", [dev_id])

    def development(self, dev_id: str, envelopes: list[Envelope]) -> None:
        """Write every row of one development from its folded state (none if retracted or
        merged into another)."""
        state = fold_stream(envelopes)
        if state is None:
            return
        if state.retracted or dev_id in self.merged:
            # Cascades to rows that point at it; references from others become NULL.
            self.db.execute("DELETE FROM developments WHERE id = ?", [dev_id])
            return
        try:
            row = self._development_row(state, envelopes[0].seq)
        except (KeyError, TypeError, ValueError, AttributeError):
            for envelope in envelopes:
                stored_event(envelope)  # names the event that does not fit, and how
            raise
        self.insert(_upsert_sql(tuple(row)), row.values())
        self._children(state)
        self.written.append(dev_id)

    def _development_row(self, state: DevelopmentState, seq: int) -> dict[str, Any]:
        """The developments row by column: a column named as a field of the state holds
        that field as stored (a list as a JSON list); the others are worked out here. A
        column that is neither is an AttributeError naming it."""
        when, place = state.date, state.place or {}
        pid = None
        if place:
            pid = place_id(place)
            self.places.add(pid)
        planned = state.type == "DevelopmentScheduled" and state.status != "occurred"
        cameo, plover = SCHEDULED_CAMEO if planned else CAMEO.get(state.kind, (None, None))
        worked_out = {
            "countries": _json_list(countries(state)),
            "participants": _json_list([p["name"] for p in state.participants]),
            "place": pid,
            "start": when.start_iso() if when else None,
            "end": when.end_iso() if when else None,
            "precision": when.precision if when else None,
            "qualifier": when.qualifier if when else None,
            "place_name": place.get("name"),
            "place_city": place.get("city"),
            "place_country": place.get("country"),
            "latitude": place.get("lat"),
            "longitude": place.get("lon"),
            "source_url": state.sources[0]["url"] if state.sources else None,
            "cameo_code": cameo,
            "plover_type": plover,
            "seq": seq,
        }
        if self._copying is None:
            self._copying = _Copying(declared_columns("developments"), worked_out, state)
        row = self._copying.row(state)
        row.update(worked_out)
        return row

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
        for merge in state.merged:
            self.insert(
                "INSERT INTO merges (duplicate, development, version, merged_at, reason, "
                "disputed) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    merge.duplicate,
                    dev,
                    merge.version,
                    merge.merged_at,
                    merge.reason,
                    _json_list(disputed_text(d) for d in merge.disputed),
                ],
            )

    def _name(self, name: str) -> str:
        aid = actor_id(name)
        self.actors.add(aid)
        return aid

    def actor(self, stream: str, envelopes: list[Envelope]) -> None:
        """The latest description of an actor replaces the earlier ones."""
        latest = stored_event(envelopes[-1])
        aid = stream.removeprefix("actor:")
        self.described.append(aid)
        self.insert(
            "INSERT INTO actors "
            "(id, name, native_name, kind, country, roles, aliases, wikidata, described) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (id) DO UPDATE SET "
            "name = excluded.name, native_name = excluded.native_name, kind = excluded.kind, "
            "country = excluded.country, roles = excluded.roles, aliases = excluded.aliases, "
            "wikidata = excluded.wikidata, described = 1",
            [
                aid,
                latest.name,
                latest.native_name,
                latest.kind,
                latest.country,
                _encode(converter.unstructure(latest.roles)),
                _encode(list(latest.aliases)),
                latest.wikidata,
            ],
        )


class _Copying:
    """Copies the fields of a state that the developments table has columns of the same
    name for: every column DDL declares that is not worked out, a tuple as a JSON list.

    Made from the first row (its worked-out columns, and which fields hold tuples). A
    column added to the file by hand is left alone (NULL), as it always was.
    """

    def __init__(self, columns: Iterable[str], worked_out: dict[str, Any], first: Any) -> None:
        names = [c for c in columns if c not in worked_out]
        unknown = [n for n in names if n not in attrs.fields_dict(DevelopmentState)]
        if unknown:
            raise LookupError(
                f"the developments column {unknown[0]!r} is neither a field of "
                "DevelopmentState (events/state.py) nor worked out in timeline/rows.py"
            )
        self.names = names
        getter = operator.attrgetter(*names)
        # attrgetter of one name gives the value itself, of several a tuple of them.
        self.values = getter if len(names) > 1 else lambda state: (getter(state),)
        values = self.values(first)
        self.lists = [n for n, v in zip(names, values, strict=True) if type(v) is tuple]

    def row(self, state: DevelopmentState) -> dict[str, Any]:
        row = dict(zip(self.names, self.values(state), strict=True))
        for name in self.lists:
            row[name] = _json_list(row[name])
        return row


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


def countries(state: DevelopmentState) -> list[str]:
    """Every country a development involves, each once (see ``countries_of``).

    One list, so that "country" means the same to the CLI's ``--country``, Datasette's
    ``countries`` facet and the canned queries.
    """
    return list(dict.fromkeys(code for _, code in countries_of(state)))


def _json_list(values: Iterable[str] | None) -> str:
    return _encode(list(values or ()))


# One encoder for every call: json.dumps with options builds a new one each time.
_encode = json.JSONEncoder(ensure_ascii=False).encode
