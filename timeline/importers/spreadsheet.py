"""A spreadsheet (CSV) of developments: TimelineJS's template columns and ours, any order.

The columns are those ``timeline export csv`` writes (:mod:`exports.spreadsheet`): a
header row names them, case and surrounding spaces aside, in any order; a column neither
TimelineJS's nor ours is refused, so that a misspelt one is not silently lost. Rows are
numbered as a spreadsheet shows them: the header is row 1.

Decisions a user may notice:

- ``kind`` is required (``meeting``, ``talks``, ``summit``, ``call``, ``visit``,
  ``agreement``, ``statement``), and ``status`` may say ``scheduled``, ``postponed`` or
  ``cancelled`` (the kind may then also be ``dialogue``, ``consultation`` or ``other``,
  and the date may be left out). A status that changes from one import to the next is
  the lifecycle event that says so: held, postponed or cancelled.
- A year or a month alone stays a year or a month. ``Time`` needs a day, and takes
  ``16:30``, ``16:30:05``, ``4:30 PM``, with an offset (``+08:00``, ``Z``) or read in the
  ``timezone`` column's zone.
- A visit's visitor is the ``visitor`` column, else the first participant; its host
  country ``host_country``, else ``country``. A statement's speaker is ``speaker``, else
  the first participant.
- A row without an ``id`` gets one made from its date and headline, as ``timeline add``
  does; give ids to keep a sheet in step when headlines change.
- Rows whose TimelineJS ``Type`` is ``title`` or ``era`` are the timeline's title slide
  and eras, not developments: they are skipped, and so are blank rows.
- Sources are read by URL; a URL the development already cites keeps its title and
  publisher, and an unchanged place keeps its coordinates.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

from timeline.errors import SourceError
from timeline.events.developments import CREATION_TYPES, DevelopmentScheduled
from timeline.events.ids import development_id
from timeline.events.values import OPEN, SEASON_MONTHS, When
from timeline.events.vocabulary import (
    HELD_KINDS,
    PARTICIPANT_FIELDS,
    PLACE_FIELDS,
    QUALIFIERS,
    SCHEDULED_KINDS,
    STATUSES,
)
from timeline.exports.spreadsheet import COLUMNS, ITEMS
from timeline.importers.sync import Record

_TYPES = {cls.KIND: cls.TYPE for cls in CREATION_TYPES if cls is not DevelopmentScheduled}
_SKIPPED_TYPES = ("title", "era")
# Text kept as written, spaces and line breaks at its ends too, so that a summary or a
# quote exported and read back is the same text (every other cell is stripped).
_VERBATIM = frozenset(("Text", "quote"))
# Where each field of an event comes from, for naming the column of an error.
_FIELD_COLUMNS = {
    "development": "id",
    "title": "Headline",
    "when": "Year",
    "timezone": "timezone",
    "summary": "Text",
    "place": "place",
    "place.name": "place",
    "place.city": "city",
    "place.country": "country",
    "participants": "participants",
    "sources": "source_url",
    "tags": "tags",
    "part_of": "part_of",
    "visitor": "visitor",
    "host_country": "host_country",
    "speaker": "speaker",
    "quote": "quote",
    "points": "points",
    "parties": "parties",
    "kind": "kind",
}
_TIME = re.compile(
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[AaPp][Mm])?\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?"
)


def records(stream: IO[bytes]) -> Iterator[Record]:
    """The developments of a CSV file, one per row; SourceError naming the row and column."""
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise SourceError(f"not UTF-8 text (byte {exc.start + 1})", where=f"row {row}") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise SourceError("no header row naming the columns", where="row 1")
        names = _columns(header)
        spelled = {column: header[i].strip() for i, column in names.items()}
        for number, cells in enumerate(reader, start=2):
            values = {names[i]: cell for i, cell in enumerate(cells) if i in names and cell.strip()}
            values = {c: v if c in _VERBATIM else v.strip() for c, v in values.items()}
            if not values or values.get("Type", "").lower() in _SKIPPED_TYPES:
                continue
            yield _record(values, number, spelled)
    except csv.Error as exc:
        raise SourceError(f"not CSV: {exc}", where=f"row {reader.line_num}") from None


def _columns(header: list[str]) -> dict[int, str]:
    """Each position's column, by its name in :data:`COLUMNS`; blank header cells are skipped."""
    known = {column.casefold(): column for column in COLUMNS}
    found: dict[int, str] = {}
    for i, cell in enumerate(header):
        name = cell.strip()
        if not name:
            continue
        column = known.get(name.casefold())
        if column is None:
            raise SourceError(
                f"{name!r} is not a column timeline reads (TimelineJS's template or ours: "
                "kind, id, participants, place, city, country, source_url, tags…)",
                where=f"row 1, column {name}",
            )
        if column in found.values():
            raise SourceError(f"the column {name!r} is there twice", where=f"row 1, column {name}")
        found[i] = column
    if "Headline" not in found.values():
        raise SourceError("a Headline column is required", where="row 1")
    return found


def _record(values: dict[str, str], row: int, spelled: dict[str, str]) -> Record:
    """One row as the development it records."""

    def at(column: str) -> str:
        return f"row {row}, column {spelled.get(column, column)}"

    def refuse(column: str, message: str) -> SourceError:
        return SourceError(message, where=at(column))

    get = values.get
    kind = get("kind", "").lower()
    status = get("status", "occurred").lower()
    if not kind:
        raise refuse("kind", f"required: one of {', '.join(HELD_KINDS)}")
    if status == "occurred":
        if kind not in _TYPES:
            raise refuse("kind", f"{kind!r} is not one of {', '.join(HELD_KINDS)}")
        type_ = _TYPES[kind]
    elif status in STATUSES:
        if kind not in SCHEDULED_KINDS:
            raise refuse("kind", f"{kind!r} is not a kind of {status} development")
        type_ = DevelopmentScheduled.TYPE
    else:
        raise refuse("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    when = _when(values, refuse)
    participants = [_participant(item, refuse) for item in _items(get("participants"))]
    data: dict[str, Any] = {
        "title": get("Headline"),
        "when": when,
        "timezone": get("timezone"),
        "summary": get("Text"),
        "participants": participants,
        "sources": [{"url": url} for url in _items(get("source_url"))],
        "tags": _items(get("tags")),
    }
    if get("place") or get("city"):
        place = (get("place"), get("city"), get("country"))
        data["place"] = dict(zip(PLACE_FIELDS, place, strict=False))
    elif get("country") and kind != "visit":
        raise refuse("country", "a place needs a name (place) or a city with its country")
    if get("part_of"):
        data["part_of"] = get("part_of")
    first = participants[0]["name"] if participants else None
    if type_ == DevelopmentScheduled.TYPE:
        data["kind"] = kind
    elif kind == "visit":
        data["visitor"] = get("visitor") or first
        data["host_country"] = get("host_country") or get("country")
    elif kind == "statement":
        data["speaker"] = get("speaker") or first
        data["quote"] = get("quote")
    elif kind == "agreement":
        data["points"] = _items(get("points"))
        data["parties"] = _items(get("parties"))
    data = {key: value for key, value in data.items() if value is not None}
    data["development"] = get("id") or _made_id(data)
    origins = {field: at(column) for field, column in _FIELD_COLUMNS.items()}
    if kind == "visit" and not get("host_country"):
        origins["host_country"] = at("country")
    later = status if status in ("postponed", "cancelled") else None
    return Record(type_, data, {"row": row}, f"row {row}", origins, status=later)


def _made_id(data: dict[str, Any]) -> str | None:
    """The id ``timeline add`` would make from the date and title, if both are sound."""
    try:
        when = When.parse(data["when"]) if data.get("when") is not None else None
        return development_id(data["title"], when)
    except (KeyError, TypeError, ValueError):
        return None  # the event's own checks name what is wrong


def _items(cell: str | None) -> list[str]:
    """A list cell's items: separated by `` | ``, blanks left out."""
    return [item.strip() for item in (cell or "").split(ITEMS.strip()) if item.strip()]


def _participant(item: str, refuse: Callable[[str, str], SourceError]) -> dict[str, str]:
    """``NAME; ROLE; CC`` as a participant."""
    parts = [part.strip() for part in item.split(";")]
    if len(parts) > len(PARTICIPANT_FIELDS):
        raise refuse("participants", f"{item!r} has more than 3 parts; use NAME; ROLE; CC")
    return {field: part for field, part in zip(PARTICIPANT_FIELDS, parts, strict=False) if part}


_QUALIFIER_MARKS = {
    **{name: mark for mark, name in QUALIFIERS.items()},
    **{m: m for m in QUALIFIERS},
}
"""A qualifier cell's mark, by its name (``uncertain``) or itself (``?``)."""


def _when(values: dict[str, str], refuse: Callable[[str, str], SourceError]) -> str | None:
    """The date of the Year…End Time columns as EDTF, with the qualifier's marks.

    ``qualifier`` is one mark for the whole date (``?``, ``~``, ``%``, or their names), or
    a mark for each end around a slash (``?/`` : the start is uncertain, the end is not).
    """
    start = _part(values, "", refuse)
    end = _part(values, "End ", refuse)
    if start is None:
        if end is not None:
            raise refuse("Year", "required when the end is given")
        return None
    # EDTF's open end (End Year ".."): it began, its end is not known.
    open_end = f"/{OPEN}" if end == OPEN else ""
    parts = [start] if end is None or open_end else [start, end]
    cell = values.get("qualifier")
    if cell is None:
        return "/".join(parts) + open_end
    marks = [mark.strip().lower() for mark in cell.split("/")] if "/" in cell else [cell.lower()]
    if (len(marks) != len(parts) and len(marks) != 1) or len(marks) > 2:
        raise refuse("qualifier", f"{cell!r}: one mark, or one for each end (?/~) of an interval")
    for mark in marks:
        if mark and mark not in _QUALIFIER_MARKS:
            raise refuse("qualifier", f"{mark!r} is not one of {', '.join(_QUALIFIER_MARKS)}")
    marks = [_QUALIFIER_MARKS.get(mark, "") for mark in marks] * (
        len(parts) if len(marks) == 1 else 1
    )
    if any(mark and "T" in part for part, mark in zip(parts, marks, strict=True)):
        raise refuse("qualifier", "a qualifier applies to dates without a time")
    return "/".join(part + mark for part, mark in zip(parts, marks, strict=True)) + open_end


def _part(
    values: dict[str, str], prefix: str, refuse: Callable[[str, str], SourceError]
) -> str | None:
    """One side of the date, from its Year, Month, Day and Time columns."""
    year, month, day, time = (
        values.get(f"{prefix}{name}") for name in ("Year", "Month", "Day", "Time")
    )
    if year is None:
        finer = {"Month": month, "Day": day, "Time": time}
        given = [f"{prefix}{name}" for name, cell in finer.items() if cell]
        if given:
            raise refuse(f"{prefix}Year", f"required with {given[0]}")
        return None
    if prefix and year == OPEN:
        given = [f"{prefix}{name}" for name, cell in (("Month", month), ("Day", day),
                 ("Time", time)) if cell]  # fmt: skip
        if given:
            raise refuse(given[0], f"an open end ({OPEN}) has no {given[0].split()[-1]}")
        return OPEN
    if not year.isdigit() or not 1 <= int(year) <= 9998:
        raise refuse(f"{prefix}Year", f"{year!r} is not a year (1 to 9998)")
    text = f"{int(year):04d}"
    if month is None:
        if day is not None or time is not None:
            raise refuse(f"{prefix}Month", f"required with {prefix}{'Day' if day else 'Time'}")
        return text
    if month.isdigit() and int(month) in SEASON_MONTHS:  # EDTF's season codes, 21 to 24
        if day is not None or time is not None:
            raise refuse(f"{prefix}Month", f"a season ({month}) has no days")
        return f"{text}-{int(month)}"
    if not month.isdigit() or not 1 <= int(month) <= 12:
        raise refuse(
            f"{prefix}Month", f"{month!r} is not a month (1 to 12, or 21 to 24 for a season)"
        )
    text += f"-{int(month):02d}"
    if day is None:
        if time is not None:
            raise refuse(f"{prefix}Day", f"required with {prefix}Time")
        return text
    try:
        When.parse(f"{text}-{int(day):02d}")
    except ValueError:
        raise refuse(f"{prefix}Day", f"{day!r} is not a day of {text}") from None
    text += f"-{int(day):02d}"
    if time is None:
        return text
    return text + "T" + _time(time, lambda message: refuse(f"{prefix}Time", message))


def _time(cell: str, refuse: Callable[[str], SourceError]) -> str:
    """``16:30``, ``4:30 PM``, ``16:30:05+08:00`` as EDTF's ``16:30``…"""
    found = _TIME.fullmatch(cell)
    if found is None:
        raise refuse(f"{cell!r} is not a time like 16:30, 16:30:05 or 4:30 PM")
    hour, minute = int(found["hour"]), int(found["minute"])
    if found["ampm"]:
        if not 1 <= hour <= 12:
            raise refuse(f"{cell!r}: an hour before AM or PM is 1 to 12")
        hour = hour % 12 + (12 if found["ampm"].lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        raise refuse(f"{cell!r} is not a time of day")
    text = f"{hour:02d}:{minute:02d}"
    if found["second"]:
        if int(found["second"]) > 59:
            raise refuse(f"{cell!r} is not a time of day")
        text += f":{found['second']}"
    offset = found["offset"]
    if offset and offset != "Z" and ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    return text + (offset or "")
