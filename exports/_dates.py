"""Dates of a development record as the exporters need them: parts, zones and wording.

Shared by the formats so that a calendar and a timeline describe a date the same way.
Wording is English and built by hand (never ``strftime``), so output does not depend
on the machine's locale.

A date's sides are a pair ``(start, end)`` of :class:`WhenPart`; the end is None for an
interval open at its end (``2024-04/..``), which every format says in words ("from April
2024") rather than show the start as if it were the whole date. A season is named as
such ("spring 2024"), and its note gives the months it stands for.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Mapping
from typing import Any, Final

from timeline.events.values import SEASON_MONTHS, When, WhenPart
from timeline.events.vocabulary import PRECISIONS

MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_DASH: Final = "\u2013"  # joins the ends of a range, as typeset dates do
QUALIFIER_WORDS: Final = {
    "uncertain": "uncertain",
    "approximate": "approximate",
    "both": "uncertain and approximate",
}


@functools.lru_cache(maxsize=1024)
def zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The IANA zone called *name*, or None when there is no such zone."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


Sides = tuple[WhenPart, WhenPart | None]
"""A date's (start, end); the end is None when the interval is open there (``A/..``)."""


def parts(record: Mapping[str, Any]) -> Sides | None:
    """The (start, end) parts of a record's date; None when it has no date.

    The record's ``when`` gives each side its own precision and qualifier, provided it
    agrees with ``start``/``end`` (the projection's truth); otherwise both sides are read
    from ``start``/``end`` and cut to the record's ``precision``. The end is None for an
    open end: a ``when`` of ``A/..`` with no ``end``. A malformed date raises ValueError
    naming the development.
    """
    start, end = record.get("start"), record.get("end") or record.get("start")
    if not start:
        return None
    text = record.get("when")
    if text:
        try:
            when = When.parse(text)
        except ValueError:
            when = None
        if when is not None and when.open_end and not record.get("end"):
            if when.start_iso() == start:
                return when.parts[0], None
        elif when is not None and (when.start_iso(), when.end_iso()) == (start, end):
            return when.parts[0], when.parts[-1]
    precision = record.get("precision")
    if precision not in PRECISIONS:
        precision = None
    qualifier = record.get("qualifier")
    try:
        first, last = When.parse(start).parts[0], When.parse(end).parts[0]
    except ValueError as exc:
        raise ValueError(f"development {record.get('id')!r} has a malformed date: {exc}") from None
    return _cut(first, precision, qualifier), _cut(last, precision, qualifier)


def last_known(record: Mapping[str, Any]) -> Sides | None:
    """The (start, end) parts of the date a development postponed without a new date had.

    Calendars keep it there, marked postponed (or cancelled, if it was called off before a
    new date came), rather than drop it: a subscriber's app would delete an event that
    leaves the feed. None for every other record.
    """
    text = record.get("last_when")
    if record.get("start") or record.get("status") not in ("postponed", "cancelled"):
        return None
    if not text:
        return None
    try:
        when = When.parse(text)
    except ValueError as exc:
        raise ValueError(f"development {record.get('id')!r} has a malformed date: {exc}") from None
    return when.parts[0], None if when.open_end else when.parts[-1]


def _season_of(part: WhenPart) -> tuple[int, int]:
    """The year and season code of the season a dated part falls in (December: winter)."""
    month = part.month or 1
    if month < 3:
        return part.year - 1, 24  # January and February end the winter of the year before
    return part.year, next(
        code for code, (first, last) in SEASON_MONTHS.items() if first <= month <= max(first, last)
    )


def _cut(part: WhenPart, precision: str | None, qualifier: str | None) -> WhenPart:
    """The part reduced to *precision* (a coarser one only), carrying *qualifier*."""
    if precision is None or PRECISIONS.index(precision) >= PRECISIONS.index(part.precision):
        precision = part.precision
    keep = PRECISIONS.index(precision)

    def known(finest: str) -> bool:
        return keep >= PRECISIONS.index(finest)

    timed = known("minute")
    year, season = part.year, part.season
    if precision == "season" and season is None:
        year, season = _season_of(part)
    return WhenPart(
        year=year,
        month=part.month if known("month") else None,
        season=season if precision == "season" else None,
        day=part.day if known("day") else None,
        hour=part.hour if timed else None,
        minute=part.minute if timed else None,
        second=part.second if known("second") else None,
        offset=part.offset if timed else None,
        precision=precision,
        qualifier=None if timed else qualifier,
    )


def coarsest(start: WhenPart, end: WhenPart | None) -> str:
    """The coarser precision of the two sides (the start's, for an open end)."""
    return min(start.precision, (end or start).precision, key=PRECISIONS.index)


def same_part(start: WhenPart, end: WhenPart | None) -> bool:
    """True when both sides name the same date or instant as written (never for an open end)."""
    if end is None:
        return False
    return start.start_iso() == end.start_iso() and start.precision == end.precision


def local(part: WhenPart, timezone: str | None) -> tuple[dt.datetime, str | None]:
    """A timed part as a wall-clock datetime and the label of its clock.

    With a known *timezone* the datetime is in that zone (an offset is converted to it)
    and the label is the zone's name; otherwise an offset is kept as written (label
    ``UTC`` or ``UTC+08:00``), and a local time without a zone stays naive (label None).
    """
    written, place = part.tzinfo(), zone(timezone)
    moment = dt.datetime(
        part.year,
        part.month or 1,
        part.day or 1,
        part.hour or 0,
        part.minute or 0,
        part.second or 0,
        tzinfo=written or place,  # neither: a floating local time
    )
    if written is None:
        return moment, timezone if place is not None else None
    if place is not None:
        return moment.astimezone(place), timezone
    return moment, "UTC" if part.offset == "Z" else f"UTC{part.offset}"


def _day(day: int | None, month: int | None, year: int | None = None) -> str:
    text = f"{day} {MONTHS[(month or 1) - 1]}"
    return f"{text} {year}" if year is not None else text


def _date_text(part: WhenPart) -> str:
    """The calendar date of a date-only part, at its precision."""
    if part.season_name is not None:
        return f"{part.season_name} {part.year}"
    if part.month is None:
        return f"{part.year}"
    if part.day is None:
        return f"{MONTHS[part.month - 1]} {part.year}"
    return _day(part.day, part.month, part.year)


def _clock(moment: dt.datetime, precision: str) -> str:
    text = f"{moment.hour:02d}:{moment.minute:02d}"
    return text + f":{moment.second:02d}" if precision == "second" else text


def _marked(text: str, qualifier: str | None, marks: bool) -> str:
    """Text with the EDTF qualifier as readers know it: c. (approximate), ? (uncertain)."""
    if not marks or qualifier is None:
        return text
    if qualifier in ("approximate", "both"):
        text = f"c. {text}"
    if qualifier in ("uncertain", "both"):
        text = f"{text}?"
    return text


def describe(
    start: WhenPart, end: WhenPart | None, timezone: str | None = None, *, marks: bool = True
) -> str:
    """The date in words at its precision, e.g. ``c. April 2024`` or 24-26 April 2024 (en dash).

    Timed parts name their clock: ``26 April 2024, 16:30 (Asia/Shanghai)``. A season is
    ``spring 2024``; an open end says where it began, ``from April 2024``. With *marks*,
    qualifiers show as ``c.`` and ``?``; without, they are left to the caller.
    """
    if end is None:
        return f"from {describe(start, start, timezone, marks=marks)}"
    if start.is_timed and end.is_timed:
        first, label = local(start, timezone)
        suffix = f" ({label})" if label else " (local time)"
        head = f"{_day(first.day, first.month, first.year)}, {_clock(first, start.precision)}"
        if same_part(start, end):
            return head + suffix
        last, last_label = local(end, timezone)
        if last_label == label and last.date() == first.date():
            return f"{head}{EN_DASH}{_clock(last, end.precision)}{suffix}"
        tail = f"{_day(last.day, last.month, last.year)}, {_clock(last, end.precision)}"
        end_suffix = f" ({last_label})" if last_label else " (local time)"
        if last_label == label:
            return f"{head} {EN_DASH} {tail}{suffix}"
        return f"{head}{suffix} {EN_DASH} {tail}{end_suffix}"
    if same_part(start, end) or ((start.is_timed or end.is_timed) and _same_day(start, end)):
        return _marked(_date_text(_as_date(start)), start.qualifier, marks)
    first, last = _as_date(start), _as_date(end)
    if (
        first.precision == last.precision == "day"
        and start.qualifier == end.qualifier
        and first.year == last.year
    ):
        if first.month == last.month:
            text = f"{first.day}{EN_DASH}{_day(last.day, last.month, last.year)}"
        else:
            text = (
                f"{_day(first.day, first.month)} {EN_DASH} {_day(last.day, last.month, last.year)}"
            )
        return _marked(text, start.qualifier, marks)
    return (
        f"{_marked(_date_text(first), start.qualifier, marks)}"
        f" {EN_DASH} {_marked(_date_text(last), end.qualifier, marks)}"
    )


def _as_date(part: WhenPart) -> WhenPart:
    """A timed part reduced to its (written) day; date parts unchanged."""
    return _cut(part, "day", part.qualifier) if part.is_timed else part


def _same_day(start: WhenPart, end: WhenPart) -> bool:
    return _as_date(start).start_iso() == _as_date(end).start_iso()


def qualifier_of(start: WhenPart, end: WhenPart | None) -> str | None:
    """The qualifier over both sides: uncertain and approximate together make "both"."""
    found = {start.qualifier, (end or start).qualifier} - {None}
    if "both" in found or {"uncertain", "approximate"} <= found:
        return "both"
    return found.pop() if found else None


def note(start: WhenPart, end: WhenPart | None, timezone: str | None = None) -> str | None:
    """One line saying how well the date is known, or None for a plain day or instant.

    E.g. ``Date known to the month: April 2024``, ``Date uncertain: 26 April 2024``,
    ``Date known to the season: spring 2024 (March to May 2024)``, or for an open end
    ``From April 2024; the end is not known``.
    """
    precision, qualifier = coarsest(start, end), qualifier_of(start, end)
    if end is None:
        said = f" ({QUALIFIER_WORDS[qualifier]})" if qualifier is not None else ""
        began = describe(start, start, timezone, marks=False)
        return f"From {began}{said}; the end is not known"
    coarse = PRECISIONS.index(precision) < PRECISIONS.index("day")
    if not coarse and qualifier is None:
        return None
    head = "Date" if same_part(start, end) else "Dates"
    if coarse:
        head += f" known to the {precision}"
        if qualifier is not None:
            head += f", {QUALIFIER_WORDS[qualifier]}"
    else:
        head += f" {QUALIFIER_WORDS[qualifier or 'uncertain']}"
    text = describe(start, end, marks=False)
    if same_part(start, end) and start.season is not None:
        text += f" ({season_months(start)})"
    return f"{head}: {text}"


def season_months(part: WhenPart) -> str:
    """The months a season part stands for, e.g. ``December 2024 to February 2025``."""
    first, last = part.start_date(), part.end_date()
    if first.year == last.year:
        return f"{MONTHS[first.month - 1]} to {MONTHS[last.month - 1]} {last.year}"
    return f"{MONTHS[first.month - 1]} {first.year} to {MONTHS[last.month - 1]} {last.year}"
