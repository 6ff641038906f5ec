"""A spreadsheet (CSV): the columns of TimelineJS's template, then ours, one row a development.

The same columns are what ``timeline import FILE.csv`` reads, so a sheet exported, edited
and imported again changes only what was edited. The column names are defined here, once,
for both.

Decisions a user may notice:

- Dates are split as TimelineJS's template splits them: ``Year``, ``Month``, ``Day``,
  ``Time`` and the same for the end; a month or a year alone leaves the finer columns
  blank, so it stays a month or a year. A time keeps its written offset (``16:30+08:00``);
  a local time is read in the ``timezone`` column's zone. An uncertain or approximate date
  has its mark (``?``, ``~``, ``%``) in ``qualifier``: one for the whole date, or one for
  each end of an interval whose ends differ (``?/``: the start is uncertain). The
  template has no season and no open end, so these take EDTF's own notation, which
  TimelineJS does not read: a season's code in ``Month`` (``21`` spring to ``24``
  winter), and ``..`` in ``End Year`` for an end not known yet.
- ``Group`` is the kind, so TimelineJS draws one row per kind, and ``Display Date`` the
  date in words as the TimelineJS export says it (``c. April 2024``, a time with its
  zone, since the template's Time column has none); ``Media``, its credit, caption and
  thumbnail, ``Type`` and ``Background`` are left blank. None of these is read back.
- Lists are one cell, items separated by `` | ``: participants as ``NAME; ROLE; CC``,
  sources by URL only (their titles and publishers, and a place's coordinates, stay in
  the database), tags, an agreement's points and parties.
- RFC 4180: comma-separated, double quotes, CRLF line ends, UTF-8 without a byte order
  mark; cells that start with ``=``, ``+``, ``-`` or ``@`` are written as they are, as
  text for a CSV reader (spreadsheet apps may take them for formulas: import with care).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from timeline.events.values import OPEN, When, WhenPart
from timeline.events.vocabulary import PARTICIPANT_FIELDS, QUALIFIERS
from timeline.exports import _dates

__all__ = ["COLUMNS", "ITEMS", "OWN_COLUMNS", "PARTS", "TIMELINEJS_COLUMNS", "render"]

TIMELINEJS_COLUMNS: Final[tuple[str, ...]] = (
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
)
"""The columns of TimelineJS's Google Sheets template, in its order."""

OWN_COLUMNS: Final[tuple[str, ...]] = (
    "kind",
    "status",
    "id",
    "participants",
    "place",
    "city",
    "country",
    "source_url",
    "tags",
    "timezone",
    "qualifier",
    "visitor",
    "host_country",
    "speaker",
    "quote",
    "points",
    "parties",
    "part_of",
)
"""Our columns, after TimelineJS's: what a development has that the template has not."""

COLUMNS: Final[tuple[str, ...]] = TIMELINEJS_COLUMNS + OWN_COLUMNS
"""Every column, in the order an export writes them (an import takes them in any order)."""

ITEMS: Final = " | "
"""What separates the items of a list in one cell."""
PARTS: Final = "; "
"""What separates a participant's name, role and country."""
_MARKS: Final = {name: mark for mark, name in QUALIFIERS.items()}


def render(records: Iterable[Mapping[str, Any]], *, title: str = "") -> Iterator[str]:
    """Yield the header row, then one row per record (*title* is not written: CSV has none)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(COLUMNS)
    for record in records:
        row = _row(record)
        yield line(row.get(column, "") for column in COLUMNS)


def _row(record: Mapping[str, Any]) -> dict[str, str]:
    """The cells of one development, by column."""
    place = record.get("place") or {}
    row = {
        "Headline": record["title"],
        "Text": record.get("summary") or "",
        "Group": record["kind"],
        "kind": record["kind"],
        "status": record["status"],
        "id": record["id"],
        "participants": ITEMS.join(_person(p) for p in record.get("participants") or ()),
        "place": place.get("name") or "",
        "city": place.get("city") or "",
        "country": place.get("country") or "",
        "source_url": ITEMS.join(source["url"] for source in record.get("sources") or ()),
        "tags": ITEMS.join(record.get("tags") or ()),
        "timezone": record.get("timezone") or "",
        "visitor": record.get("visitor") or "",
        "host_country": record.get("host_country") or "",
        "speaker": record.get("speaker") or "",
        "quote": record.get("quote") or "",
        "points": ITEMS.join(record.get("points") or ()),
        "parties": ITEMS.join(record.get("parties") or ()),
        "part_of": record.get("part_of") or "",
    }
    found = _dates.parts(record)
    if found is not None:  # what TimelineJS shows: the precision, the marks, the clock
        row["Display Date"] = _dates.describe(*found, record.get("timezone"))
    if record.get("when"):
        when = When.parse(record["when"])
        row.update(_date_cells(when.parts[0], ""))
        if when.open_end:
            row["End Year"] = OPEN
        elif when.is_interval:
            row.update(_date_cells(when.parts[1], "End "))
        marks = [_MARKS[part.qualifier] if part.qualifier else "" for part in when.parts]
        row["qualifier"] = marks[0] if len(set(marks)) == 1 else "/".join(marks)
    return row


def _date_cells(part: WhenPart, prefix: str) -> dict[str, str]:
    """Year, Month, Day and Time of one side of a date: only those it knows."""
    cells = {f"{prefix}Year": f"{part.year:04d}"}
    if part.season is not None:  # EDTF's code (21 spring to 24 winter): the sheet has no season
        cells[f"{prefix}Month"] = str(part.season)
    if part.month is not None:
        cells[f"{prefix}Month"] = str(part.month)
    if part.day is not None:
        cells[f"{prefix}Day"] = str(part.day)
    if part.hour is not None:
        time = f"{part.hour:02d}:{part.minute or 0:02d}"
        if part.second is not None:
            time += f":{part.second:02d}"
        cells[f"{prefix}Time"] = time + (part.offset or "")
    return cells


def _person(participant: Mapping[str, Any]) -> str:
    """``NAME; ROLE; CC``, leaving off empty parts at the end."""
    parts = [participant.get(field) or "" for field in PARTICIPANT_FIELDS]
    while parts and not parts[-1]:
        parts.pop()
    return PARTS.join(parts)
