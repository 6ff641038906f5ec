"""Which developments an export takes, read from the tables as plain records.

The exporters (``exports/``) get records from here and never touch the database. A
record carries everything a format may show: participants, sources, points, links…
"""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, cast

import attrs

from timeline.events.values import When
from timeline.exports.record import FIELDS, Record

# The fields read as one JSON array, the last column: one parse instead of seven. The
# other fields are columns of `developments`, selected first, in the order of the record;
# _PICK puts all of them in that order.
_JSON_FIELDS = (
    "place",
    "countries",
    "parties",
    "points",
    "participants",
    "sources",
    "tags",
    "links",
)
_COLUMNS = tuple(key for key in FIELDS if key not in _JSON_FIELDS)
_PICK = operator.itemgetter(*((*_COLUMNS, *_JSON_FIELDS).index(key) for key in FIELDS))
_RECORD_SQL = f"""
SELECT {", ".join(f"d.[{column}]" for column in _COLUMNS)},
  json_array(
    CASE WHEN d.place IS NULL THEN NULL ELSE json_object('id', p.id, 'name', p.name,
      'city', p.city, 'country', p.country, 'lat', d.latitude, 'lon', d.longitude) END,
    json(d.countries),
    json(d.parties),
    json((SELECT json_group_array(point) FROM
      (SELECT point FROM agreement_points WHERE development = d.id ORDER BY position))),
    json((SELECT json_group_array(json_object('name', name, 'role', role, 'country', country))
      FROM (SELECT * FROM participants WHERE development = d.id ORDER BY position))),
    json((SELECT json_group_array(json_object('url', url, 'title', title,
      'publisher', publisher, 'published', published)) FROM
      (SELECT * FROM sources WHERE development = d.id ORDER BY position))),
    json(d.tags),
    json((SELECT json_group_array(json_object('relation', relation, 'to', to_development))
      FROM (SELECT * FROM links WHERE from_development = d.id ORDER BY seq))))
FROM developments d LEFT JOIN places p ON p.id = d.place
"""
_ORDER = " ORDER BY d.start IS NULL, d.start, d.id"


def _date(value: str | None, end: bool) -> str | None:
    """The first (or last) day of a bound; None for none, and for the end of ``A/..``."""
    if value is None:
        return None
    when = When.parse(value)
    day = when.end_date() if end else when.start_date()
    return day.isoformat() if day is not None else None


def date_range(
    start: str | None, end: str | None, *, names: tuple[str, str] = ("--from", "--to")
) -> tuple[str | None, str | None]:
    """The first day of *start* and the last day of *end* (``2024``, ``2024-05`` or
    ``2024-05-14``, as ``export --from/--to`` take them), or None for a bound not given.

    A development is selected when its dates overlap the range, so a month means all of
    it. Raise ValueError naming the bound at fault by *names* (the CLI's flags, or a
    canned query's parameters): a date that does not parse, or a range that ends before
    it starts, which would select nothing and look like an empty calendar.
    """
    bounds = []
    for name, value, last in ((names[0], start, False), (names[1], end, True)):
        try:
            bounds.append(_date(value, end=last))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    first, final = bounds
    if first is not None and final is not None and first > final:
        raise ValueError(f"{names[0]}: {start} is later than {names[1]} {end}")
    return first, final


@attrs.frozen(kw_only=True)
class Filters:
    """What an export selects; options combine (and), repeated values widen (or)."""

    start: str | None = attrs.field(default=None, converter=lambda v: _date(v, end=False))
    """From this day on (``--from``; a month or year means its first day)."""
    end: str | None = attrs.field(default=None, converter=lambda v: _date(v, end=True))
    """Up to this day (``--to``; a month or year means its last day)."""
    kinds: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    tags: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    actors: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    country: str | None = attrs.field(default=None, converter=lambda v: v.upper() if v else None)
    statuses: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def keeps(self, record: Record) -> bool:
        """Whether the range takes *record*, if the SQL could not tell: one postponed to an
        unknown date is in it when the date it had (``last_when``) is."""
        dated = self.start is not None or self.end is not None
        if not dated or record["start"] is not None or record["last_when"] is None:
            return True
        when = When.parse(record["last_when"])
        first, last = when.start_date(), when.end_date()
        before_end = self.end is None or (first is not None and first.isoformat() <= self.end)
        after_start = self.start is None or last is None or last.isoformat() >= self.start
        return before_end and after_start

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition on ``developments d`` and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.start is not None or self.end is not None:
            # A development is taken when its [start, end] overlaps the range.
            dated = ["d.start IS NOT NULL"]
            if self.start is not None:
                # An open end (2024-04/..) goes on: it overlaps every range after its start.
                dated.append("(d.[end] IS NULL OR substr(d.[end], 1, 10) >= ?)")
                params.append(self.start)
            if self.end is not None:
                dated.append("substr(d.start, 1, 10) <= ?")
                params.append(self.end)
            # One postponed to no date stays where calendars keep it, at its last date:
            # that is EDTF text, read by keeps().
            clauses.append(
                f"(({' AND '.join(dated)}) OR (d.start IS NULL AND d.last_when IS NOT NULL))"
            )
        for column, values in (("d.kind", self.kinds), ("d.status", self.statuses)):
            if values:
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if self.tags:
            marks = ", ".join("?" * len(self.tags))
            # Tags differing only in case are one tag (a development keeps the first spelling).
            clauses.append(
                f"d.id IN (SELECT development FROM tags WHERE casefold(tag) IN ({marks}))"
            )
            params.extend(tag.casefold() for tag in self.tags)
        if self.actors:
            names = [a.casefold() for a in self.actors]
            marks = ", ".join("?" * len(names))
            clauses.append(
                "(d.id IN (SELECT development FROM participants"
                f" WHERE casefold(name) IN ({marks})) OR d.id IN (SELECT development FROM"
                f" statements WHERE casefold(speaker) IN ({marks}))"
                f" OR casefold(d.visitor) IN ({marks}))"
            )
            params.extend(names * 3)
        if self.country:
            # Where it happened, who took part, or who agreed: the countries it involves.
            clauses.append("EXISTS (SELECT 1 FROM json_each(d.countries) WHERE value = ?)")
            params.append(self.country)
        return (" AND ".join(clauses) or "1"), params

    def describe(self) -> dict[str, Any]:
        """The filters as given, for the export's own record of how it was made."""
        return {
            "from": self.start,
            "to": self.end,
            "kinds": list(self.kinds),
            "tags": list(self.tags),
            "actors": list(self.actors),
            "country": self.country,
            "statuses": list(self.statuses),
        }


def _record(row: Sequence[Any]) -> Record:
    return cast(Record, dict(zip(FIELDS, _PICK((*row[:-1], *json.loads(row[-1]))), strict=True)))


def records(conn: sqlite3.Connection, filters: Filters = Filters()) -> Iterator[Record]:
    """The selected developments, by date (unknown dates last), streamed from the tables."""
    where, params = filters.where()
    for row in conn.execute(f"{_RECORD_SQL} WHERE {where}{_ORDER}", params):
        record = _record(row)
        if filters.keeps(record):
            yield record


def records_for(conn: sqlite3.Connection, ids: Sequence[str]) -> Iterator[Record]:
    """The developments with these ids, in the order given (unknown ids are left out)."""
    for start in range(0, len(ids), 500):
        batch = list(ids[start : start + 500])
        found = {
            row[0]: _record(row)
            for row in conn.execute(
                f"{_RECORD_SQL} WHERE d.id IN ({', '.join('?' * len(batch))})", batch
            )
        }
        yield from (found[i] for i in batch if i in found)


def log_position(conn: sqlite3.Connection) -> dict[str, Any]:
    """The last ``seq`` the tables were made from, and its hash."""
    row = conn.execute(
        "SELECT e.seq, e.hash FROM _projector_state s JOIN events e ON e.seq = s.position "
        "WHERE s.name = 'tables'"
    ).fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}
