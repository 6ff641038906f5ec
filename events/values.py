"""Value objects for events: dates (an EDTF subset), participants, places, sources, roles."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any, Final

import attrs
from timeline.events.base import value
from timeline.events.countries import is_country
from timeline.events.vocabulary import PRECISIONS, QUALIFIERS, SEASONS, Precision, Qualifier

__all__ = [
    "MAX_ITEMS",
    "SEASON_MONTHS",
    "Participant",
    "Place",
    "Precision",
    "Qualifier",
    "Role",
    "Source",
    "When",
    "WhenPart",
    "country_code",
    "distinct_texts",
    "non_empty_str",
    "optional_str",
    "quote",
    "slug_id",
    "strip",
    "strip_or_none",
    "to_country",
    "to_tuple",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

# ---------------------------------------------------------------------------------------------
# Shared converters and validators
# ---------------------------------------------------------------------------------------------


def quote(value: object) -> str:
    """Render a bad value for a one-line message: repr-quoted, cut to 60 characters."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > 60:
        text = text[:59] + "…"
    return repr(text)


def _require_str(value: object) -> str:
    """Return value if it is a str, else raise TypeError naming what was given."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def strip(value: Any) -> Any:
    """Converter: strip surrounding whitespace from strings; leave other values to validators."""
    return value.strip() if isinstance(value, str) else value


def strip_or_none(value: Any) -> Any:
    """Converter: strip strings and turn a blank one into None; leave other values alone."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def to_country(value: Any) -> Any:
    """Converter: strip and uppercase a country code; blank becomes None."""
    if isinstance(value, str):
        value = value.strip()
        # Uppercase ASCII only: a dotless i plus "t" uppercases to "IT", which is not Italy.
        if value.isascii():
            value = value.upper()
        return value or None
    return value


def _check_text(value: object, max_len: int) -> None:
    """Raise unless value is a non-blank str of at most max_len characters."""
    text = _require_str(value)
    if not text.strip():
        raise ValueError(f"{quote(text)} is empty: a value is required")
    if len(text) > max_len:
        raise ValueError(f"{quote(text)} is too long: at most {max_len} characters")


MAX_ITEMS: Final = 1_000
"""The most items any list in an event may hold (its participants or its points, say).

Every text in an event has a length limit of its own; this bounds how many there are,
so that no event, and no export of it, grows without bound.
"""


def distinct_texts(what: str, max_len: int) -> Callable[[Any], tuple[str, ...]]:
    """Converter: a list of texts (tags, aliases), each stripped, repeats in any case dropped.

    The first spelling and the order given are kept.
    """

    def convert(value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            raise TypeError("must be a list of strings")
        out: list[str] = []
        seen: set[str] = set()
        for i, text in enumerate(to_tuple(value)):
            if not isinstance(text, str):
                raise TypeError(f"{what} {i + 1} must be a string")
            text = text.strip()
            if not text:
                raise ValueError(f"{what} {i + 1} is empty")
            if len(text) > max_len:
                raise ValueError(f"{what} {i + 1} is longer than {max_len} characters")
            if text.casefold() not in seen:
                seen.add(text.casefold())
                out.append(text)
        return tuple(out)

    return convert


def to_tuple(value: Any) -> tuple[Any, ...]:
    """Converter: a tuple of at most :data:`MAX_ITEMS` items."""
    items = tuple(value)
    if len(items) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} items, not {len(items)}")
    return items


def non_empty_str(max_len: int) -> Validator:
    """Validator factory: a non-blank str of at most max_len characters."""

    def validate(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _check_text(value, max_len)

    return validate


def optional_str(max_len: int) -> Validator:
    """Validator factory: None, or a non-blank str of at most max_len characters."""

    def validate(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            _check_text(value, max_len)

    return validate


def country_code(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validator: None, an ISO 3166-1 alpha-2 code or a former one (see events.countries)."""
    if value is None:
        return
    if not is_country(_require_str(value)):
        raise ValueError(f"{quote(value)} is not an ISO 3166-1 alpha-2 country code")


_SLUG_RE: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SLUG_MAX: Final = 200


def slug_id(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validator: a stable id made of lowercase ASCII words joined by single hyphens."""
    text = _require_str(value)
    if not _SLUG_RE.fullmatch(text):
        raise ValueError(
            f"{quote(text)} is not a valid id: use lowercase letters, digits and hyphens"
        )
    if len(text) > _SLUG_MAX:
        raise ValueError(f"{quote(text)} is not a valid id: at most {_SLUG_MAX} characters")


# ---------------------------------------------------------------------------------------------
# When: the EDTF subset for historical dates
# ---------------------------------------------------------------------------------------------

_FORMS: Final = (
    "use YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], a season YYYY-21..24,"
    " or an interval A/B or A/.."
)
OPEN: Final = ".."
"""An interval's open end in EDTF (``2024-04/..``: from April 2024 on)."""
SEASON_MONTHS: Final[dict[int, tuple[int, int]]] = {
    21: (3, 5),
    22: (6, 8),
    23: (9, 11),
    24: (12, 2),
}
"""Season code -> its first and last month: the Northern Hemisphere's meteorological seasons.

EDTF (ISO 8601-2 level 1) names spring, summer, autumn and winter (21-24) "independent
of location" and leaves their months open. Meteorological seasons are whole months, so a
season is exactly three of them and exports can show it as such: spring is March to May,
summer June to August, autumn September to November, and winter December of the year
written to February of the next (``2024-24`` is December 2024 to February 2025).
"""
_PART_RE: Final = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:-(?P<month>[0-9]{2})"
    r"(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"(?P<offset>Z|[+-][0-9]{2}:?[0-9]{2})?"
    r")?)?)?"
    r"(?P<qualifier>[?~%])?"
)
_DATE_T: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}"
_FRACTION_RE: Final = re.compile(_DATE_T + r":[0-9]{2}:[0-9]{2}[.,][0-9]+\S*")
_HOUR_ONLY_RE: Final = re.compile(_DATE_T + r"(?:Z|[+-][0-9:]+)?[?~%]?")
_MAX_OFFSET_MINUTES: Final = 14 * 60


def _days_in_month(year: int, month: int) -> int:
    """Length of a month in the proleptic Gregorian calendar."""
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _invalid(text: str, reason: str) -> ValueError:
    return ValueError(f"{quote(text)} is not a valid date: {reason}")


def _not_a_date(text: str) -> ValueError:
    return ValueError(f"{quote(text)} is not a date: {_FORMS}")


@attrs.frozen(kw_only=True)
class WhenPart:
    """One side of a When, as parsed; obtain it from When.parse rather than building it."""

    year: int
    month: int | None = None
    season: int | None = None
    """The EDTF season code (21 spring to 24 winter) of a season part, whose month is None."""
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    offset: str | None = None
    precision: Precision = attrs.field(validator=attrs.validators.in_(PRECISIONS))
    qualifier: Qualifier | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.in_(tuple(QUALIFIERS.values()))),
    )

    @property
    def is_timed(self) -> bool:
        """True for minute or second precision (the part has a time of day)."""
        return self.hour is not None

    def start_date(self) -> dt.date:
        """First calendar day covered (wall-clock date for a timed part)."""
        if self.season is not None:
            return dt.date(self.year, SEASON_MONTHS[self.season][0], 1)
        return dt.date(self.year, self.month or 1, self.day or 1)

    def end_date(self) -> dt.date:
        """Last calendar day covered, inclusive (wall-clock date for a timed part)."""
        if self.day is not None:
            return self.start_date()
        if self.season is not None:
            first, last = SEASON_MONTHS[self.season]
            year = self.year + (last < first)  # winter ends in the next year
            return dt.date(year, last, _days_in_month(year, last))
        if self.month is not None:
            return dt.date(self.year, self.month, _days_in_month(self.year, self.month))
        return dt.date(self.year, 12, 31)

    @property
    def season_name(self) -> str | None:
        """``spring``, ``summer``, ``autumn`` or ``winter`` for a season part, else None."""
        return SEASONS[self.season] if self.season is not None else None

    def _time_iso(self) -> str:
        time = f"T{self.hour:02d}:{self.minute:02d}"
        if self.second is not None:
            time += f":{self.second:02d}"
        return time + (self.offset or "")

    def start_iso(self) -> str:
        """Inclusive start as ISO text: a day for dates, the normalised time for timed parts."""
        if self.is_timed:
            return self.start_date().isoformat() + self._time_iso()
        return self.start_date().isoformat()

    def end_iso(self) -> str:
        """Inclusive end as ISO text: a day for dates, the normalised time for timed parts."""
        if self.is_timed:
            return self.start_iso()
        return self.end_date().isoformat()

    def tzinfo(self) -> dt.tzinfo | None:
        """Fixed-offset tzinfo for the written offset; None for a local or date-only part."""
        if self.offset is None:
            return None
        if self.offset == "Z":
            return dt.UTC
        sign = -1 if self.offset[0] == "-" else 1
        hours, minutes = int(self.offset[1:3]), int(self.offset[4:6])
        return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))

    def to_datetime(self, tz: str | None = None) -> dt.datetime | None:
        """Aware datetime of a timed part; a local time needs the IANA zone tz, else None."""
        if not self.is_timed:
            return None
        tzinfo = self.tzinfo()
        if tzinfo is None:
            if tz is None:
                return None
            tzinfo = _zone(tz)
        return dt.datetime(*self._wall_key(), tzinfo=tzinfo)

    def range_problem(self, tz: str) -> str | None:
        """Why this time cannot be shown in UTC and in *tz*, as the exports show it, or None.

        A local time is read in *tz* and must have a UTC instant; an instant (an offset)
        must have a wall clock in *tz*. Both must fall within the years 0001-9999.
        """
        if not self.is_timed:
            return None
        zone = _zone(tz)
        moment = dt.datetime(*self._wall_key(), tzinfo=self.tzinfo() or zone)
        if _outside_calendar(moment, dt.UTC):
            return f"in {tz} falls {_beyond(moment)} in UTC"
        if _outside_calendar(moment, zone):
            return f"in {tz} falls {_beyond(moment)}"
        return None

    def offset_problem(self, tz: str) -> str | None:
        """Why this time's offset contradicts *tz* at that instant, or None if it agrees.

        ``16:30+09:00`` in Asia/Shanghai (+08:00) says two different instants, and
        nothing tells which one was meant. ``Z`` is a time given in UTC, never a claim
        about the zone, so it always stands.
        """
        if not self.is_timed or self.offset in (None, "Z"):
            return None
        moment = self.to_datetime()
        try:
            there = moment.astimezone(_zone(tz)).utcoffset()
        except OverflowError:
            return None  # range_problem says why
        if there is None or there == moment.utcoffset():
            return None
        hours, minutes = divmod(abs(int(there.total_seconds())) // 60, 60)
        sign = "-" if there < dt.timedelta(0) else "+"
        return f"{tz} is at {sign}{hours:02d}:{minutes:02d} then, not {self.offset}"

    def local_time_problem(self, tz: str) -> str | None:
        """Why this local time (no offset) is not one instant in *tz*, or None if it is.

        On the night clocks go forward some times never happen; on the night they go
        back some happen twice. Either way only an offset can say what was meant.
        """
        if not self.is_timed or self.offset is not None:
            return None
        zone = _zone(tz)
        wall = dt.datetime(*self._wall_key())  # noqa: DTZ001  # a wall clock, zone added below
        moment = wall.replace(tzinfo=zone)
        try:
            back = moment.astimezone(dt.UTC).astimezone(zone)
        except OverflowError:
            return None  # not a question of clocks changing: range_problem says why
        if back.replace(tzinfo=None) != wall:
            return "does not exist"
        if moment.replace(fold=1).utcoffset() != moment.utcoffset():
            return "happens twice"
        return None

    def _wall_key(self) -> tuple[int, int, int, int, int, int]:
        """Start as a comparable wall-clock tuple (midnight for dates)."""
        first = self.start_date()
        return (
            first.year,
            first.month,
            first.day,
            self.hour or 0,
            self.minute or 0,
            self.second or 0,
        )


def _zone(name: str) -> dt.tzinfo:
    """Load an IANA time zone lazily (zoneinfo is only needed for local times)."""
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(_require_str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{quote(name)} is not an IANA time zone") from None


def _outside_calendar(moment: dt.datetime, zone: dt.tzinfo) -> bool:
    """True when *moment* has no date in *zone* between the years 0001 and 9999.

    Python's dates, and the exports built on them, stop there: the time 08:00+09:00 on
    1 January of the year 1 is 23:00 on the last day of the year 0 in UTC.
    """
    try:
        moment.astimezone(zone)
    except OverflowError:
        return True
    return False


def _beyond(moment: dt.datetime) -> str:
    """Which end of the calendar *moment*, outside it somewhere, lies beyond."""
    return "before the year 0001" if moment.year == 1 else "after the year 9999"


def _not_before(start: WhenPart, end: WhenPart) -> bool:
    """Order check between interval parts: the end must not be over before the start begins.

    A date end covers its whole day (or month, or year), so ``2024-04-26T10:00Z/2024-04-26``
    ends after it starts; timed parts compare as instants when both have offsets.
    """
    if not end.is_timed:
        return end.end_date() >= start.start_date()
    if start.offset is not None and end.offset is not None:
        start_at = dt.datetime(*start._wall_key(), tzinfo=start.tzinfo())
        return dt.datetime(*end._wall_key(), tzinfo=end.tzinfo()) >= start_at
    return end._wall_key() >= start._wall_key()


def _parse_part(text: str, piece: str) -> WhenPart:
    """Parse one side of a When; text is the whole input, quoted in errors."""
    match = _PART_RE.fullmatch(piece)
    if match is None:
        if _FRACTION_RE.fullmatch(piece):
            raise _invalid(text, "fractional seconds are not supported")
        if _HOUR_ONLY_RE.fullmatch(piece):
            raise _invalid(text, "a time needs hours and minutes (HH:MM)")
        raise _not_a_date(text)
    group = match.groupdict()
    number = {
        key: (int(digits) if digits is not None else None)
        for key, digits in group.items()
        if key not in ("offset", "qualifier")
    }
    year, month, day = number["year"], number["month"], number["day"]
    hour, minute, second = number["hour"], number["minute"], number["second"]
    assert year is not None
    if year == 0 or year == 9999:
        # 9999 leaves no day after the last one, which calendars need to end an event.
        raise _invalid(text, "year must be 0001-9998")
    season = None
    if month in SEASONS:
        if day is not None:
            raise _invalid(text, "a season (21-24) has no days")
        season, month = month, None
    elif month is not None and not 1 <= month <= 12:
        raise _invalid(text, "month must be 01-12, or 21-24 for a season")
    if month is not None and day is not None and not 1 <= day <= _days_in_month(year, month):
        raise _invalid(text, "day is out of range for month")
    if hour is not None and hour > 23:
        raise _invalid(text, "hour must be 00-23")
    if minute is not None and minute > 59:
        raise _invalid(text, "minute must be 00-59")
    if second is not None and second > 59:
        raise _invalid(text, "second must be 00-59")
    offset = group["offset"]
    if offset is not None and offset != "Z":
        digits = offset[1:].replace(":", "")
        off_hours, off_minutes = int(digits[:2]), int(digits[2:])
        if off_minutes > 59 or off_hours * 60 + off_minutes > _MAX_OFFSET_MINUTES:
            raise _invalid(text, "offset must be between -14:00 and +14:00")
        offset = f"{offset[0]}{off_hours:02d}:{off_minutes:02d}"
        if hour is not None:
            sign = -1 if offset[0] == "-" else 1
            zone = dt.timezone(sign * dt.timedelta(hours=off_hours, minutes=off_minutes))
            wall = dt.datetime(year, month or 1, day or 1, hour, minute or 0, tzinfo=zone)
            if _outside_calendar(wall, dt.UTC):
                raise _invalid(text, f"in UTC it falls {_beyond(wall)}")
    mark = group["qualifier"]
    if mark is not None and hour is not None:
        raise _invalid(text, "a qualifier (?, ~ or %) may only follow a date without a time")
    if second is not None:
        precision: Precision = "second"
    elif hour is not None:
        precision = "minute"
    elif day is not None:
        precision = "day"
    elif month is not None:
        precision = "month"
    elif season is not None:
        precision = "season"
    else:
        precision = "year"
    return WhenPart(
        year=year,
        month=month,
        season=season,
        day=day,
        hour=hour,
        minute=minute,
        second=second,
        offset=offset,
        precision=precision,
        qualifier=QUALIFIERS[mark] if mark is not None else None,
    )


def _parse(text: Any) -> tuple[WhenPart, ...]:
    """Parse a stripped EDTF-subset string into its known parts: one, or two for A/B.

    ``A/..`` (an open end) gives A alone; :attr:`When.open_end` says the end is open.
    """
    text = _require_str(text)
    pieces = text.split("/")
    if len(pieces) == 1:
        return (_parse_part(text, text),)
    if len(pieces) > 2:
        raise _not_a_date(text)
    if pieces[0] in ("", OPEN):
        # Every reader orders, selects and draws a development by where it begins; a
        # start unknown or open would make it undated everywhere.
        raise ValueError(
            f"{quote(text)} is not a valid interval: give its start (mark it ? if it is"
            " uncertain); only the end may be open (A/..)"
        )
    if pieces[1] == "":
        raise ValueError(
            f"{quote(text)} is not a valid interval: an unknown end is not supported;"
            " give the end, or .. for an open one (A/..)"
        )
    if pieces[1] == OPEN:
        return (_parse_part(text, pieces[0]),)
    start, end = _parse_part(text, pieces[0]), _parse_part(text, pieces[1])
    if not _not_before(start, end):
        raise ValueError(f"{quote(text)} is not a valid interval: the end is before the start")
    return (start, end)


@attrs.frozen
class When:
    """A date, date-time, season, or interval (closed, or open at its end: ``2024-04/..``),
    kept as written; every instance is parsed.

    ``parts`` holds what is known: one part, or two for a closed interval. An open end
    has no part, and every end this class gives for it is None (never the start), so
    that no reader takes "from April on" for "April".
    """

    text: str = attrs.field(converter=strip)
    # parts derive from text alone, so equality and hashing use text only.
    parts: tuple[WhenPart, ...] = attrs.field(
        init=False,
        repr=False,
        eq=False,
        default=attrs.Factory(lambda self: _parse(self.text), takes_self=True),
    )

    @classmethod
    def parse(cls, text: str) -> When:
        """Parse text (surrounding whitespace ignored); ValueError quotes the input."""
        if cls is When and isinstance(text, str):
            return _parse_when(text)  # dates repeat: parse each text once
        return cls(text)

    def __str__(self) -> str:
        return self.text

    @property
    def precision(self) -> Precision:
        """Precision of the coarsest part."""
        return min((part.precision for part in self.parts), key=PRECISIONS.index)

    @property
    def qualifier(self) -> Qualifier | None:
        """Qualifier over all parts: uncertain and approximate together make "both"."""
        found = {part.qualifier for part in self.parts} - {None}
        if "both" in found or {"uncertain", "approximate"} <= found:
            return "both"
        return found.pop() if found else None

    @property
    def is_interval(self) -> bool:
        """True for an A/B interval, and for an open one (A/..)."""
        return len(self.parts) == 2 or self.open_end

    @property
    def open_end(self) -> bool:
        """True for an interval whose end is open (``A/..``): it began, its end is not known."""
        return self.text.endswith("/" + OPEN)

    @property
    def is_timed(self) -> bool:
        """True when the coarsest part has a time of day (minute or second precision)."""
        return self.precision in ("minute", "second")

    @property
    def needs_timezone(self) -> bool:
        """True when a timed part is local (no offset), so the event must name a timezone."""
        return any(part.is_timed and part.offset is None for part in self.parts)

    def start_date(self) -> dt.date:
        """First calendar day covered."""
        return self.parts[0].start_date()

    def end_date(self) -> dt.date | None:
        """Last calendar day covered, inclusive; None for an open end."""
        return None if self.open_end else self.parts[-1].end_date()

    def start_iso(self) -> str:
        """Inclusive start as ISO text (dates expanded to days, times normalised)."""
        return self.parts[0].start_iso()

    def end_iso(self) -> str | None:
        """Inclusive end as ISO text (dates expanded to days, times normalised); None if open."""
        return None if self.open_end else self.parts[-1].end_iso()

    def range_problem(self, tz: str) -> str | None:
        """The first part's :meth:`WhenPart.range_problem`, quoting the text."""
        for part in self.parts:
            problem = part.range_problem(tz)
            if problem is not None:
                return f"{self.text!r} {problem}"
        return None

    def offset_problem(self, tz: str) -> str | None:
        """The first part's :meth:`WhenPart.offset_problem`, quoting the text."""
        for part in self.parts:
            problem = part.offset_problem(tz)
            if problem is not None:
                return f"{self.text!r}: {problem}; give the offset it has there, or none"
        return None

    def local_time_problem(self, tz: str) -> str | None:
        """The first part's :meth:`WhenPart.local_time_problem`, quoting the text."""
        for part in self.parts:
            problem = part.local_time_problem(tz)
            if problem is not None:
                return (
                    f"{self.text!r} {problem} in {tz} (clocks change that night); "
                    "give an offset such as +01:00"
                )
        return None

    def start_datetime(self, tz: str | None = None) -> dt.datetime | None:
        """Aware start if the first part is timed; local times need the IANA zone tz."""
        return self.parts[0].to_datetime(tz)

    def end_datetime(self, tz: str | None = None) -> dt.datetime | None:
        """Aware end if the last part is timed (None for an open end); local times need tz."""
        return None if self.open_end else self.parts[-1].to_datetime(tz)


@functools.lru_cache(maxsize=8192)
def _parse_when(text: str) -> When:
    return When(text)


def _edtf(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validator: None or a string When.parse accepts."""
    if value is not None:
        When.parse(value)


# ---------------------------------------------------------------------------------------------
# Participants, places, sources, roles
# ---------------------------------------------------------------------------------------------


@value
class Participant:
    """Someone taking part in an event, optionally with a role and the country they represent."""

    name: str = attrs.field(converter=strip, validator=non_empty_str(200))
    role: str | None = attrs.field(
        default=None, converter=strip_or_none, validator=optional_str(300)
    )
    country: str | None = attrs.field(default=None, converter=to_country, validator=country_code)


def _to_float(value: Any) -> Any:
    """Converter: ints become floats; bools and other types are left for the validator."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return value
    return value


def _coordinate(limit: int, what: str) -> Validator:
    """Validator factory for an optional number within -limit..limit."""

    def validate(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a number, got {type(value).__name__}")
        if not -limit <= value <= limit:
            raise ValueError(
                f"{quote(value)} is not a {what}: must be between -{limit} and {limit}"
            )

    return validate


_check_lat: Final = _coordinate(90, "latitude")
_check_lon_range: Final = _coordinate(180, "longitude")


def _check_lon(inst: Place, attribute: attrs.Attribute[Any], value: Any) -> None:
    if (inst.lat is None) != (value is None):
        raise ValueError("latitude and longitude must be given together")
    _check_lon_range(inst, attribute, value)


@value
class Place:
    """Where an event happened: a named venue and/or a city, optionally with coordinates."""

    name: str | None = attrs.field(
        default=None, converter=strip_or_none, validator=optional_str(300)
    )
    city: str | None = attrs.field(
        default=None, converter=strip_or_none, validator=optional_str(200)
    )
    country: str | None = attrs.field(default=None, converter=to_country, validator=country_code)
    lat: float | None = attrs.field(default=None, converter=_to_float, validator=_check_lat)
    lon: float | None = attrs.field(default=None, converter=_to_float, validator=_check_lon)

    def __attrs_post_init__(self) -> None:
        # After every field's own validator, so that a wrong country or latitude is named
        # for what it is rather than reported as a missing city.
        if self.name is None and self.city is None:
            raise ValueError("a place needs a name or a city")


_URL_MAX: Final = 2000
_HTTP_URL_RE: Final = re.compile(
    r"https?://"
    r"(?:[^/?#@]*@)?"  # userinfo
    r"(?:\[[0-9a-f:.]+\]|[^/?#:@\[\]]+)"  # host: [IPv6] or a name / IPv4
    r"(?::[0-9]*)?"  # port
    r"(?:[/?#].*)?",  # path, query, fragment
    re.IGNORECASE | re.DOTALL,
)


def _http_url(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validator: an absolute http(s) URL with a host and no whitespace or control characters."""
    url = _require_str(value)
    # isprintable() is False for every whitespace but the ASCII space, and for controls.
    if " " in url or not url.isprintable():
        raise ValueError(
            f"{quote(url)} is not an http(s) URL: it contains whitespace or control characters"
        )
    if not _HTTP_URL_RE.fullmatch(url):
        raise ValueError(f"{quote(url)} is not an http(s) URL")
    if len(url) > _URL_MAX:
        raise ValueError(f"{quote(url)} is too long: at most {_URL_MAX} characters")


def _published(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validator: None or a single date or date-time (no interval)."""
    if value is not None and When.parse(value).is_interval:
        raise ValueError(f"{quote(value)} is an interval: give a single date or date-time")


@value
class Source:
    """A public document backing an event: its URL plus optional title, publisher, date."""

    url: str = attrs.field(converter=strip, validator=_http_url)
    title: str | None = attrs.field(
        default=None, converter=strip_or_none, validator=optional_str(500)
    )
    publisher: str | None = attrs.field(
        default=None, converter=strip_or_none, validator=optional_str(200)
    )
    published: str | None = attrs.field(default=None, converter=strip_or_none, validator=_published)


def _role_end(inst: Role, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validator for Role.to: a When string that does not end before from_ begins."""
    if value is None:
        return
    end = When.parse(value).parts[-1]
    if inst.from_ is None:
        return
    start = When.parse(inst.from_).parts[0]
    if start.is_timed and end.is_timed:
        ok = _not_before(start, end)
    else:
        ok = end.end_date() >= start.start_date()
    if not ok:
        raise ValueError(f"{quote(value)} is before the start {quote(inst.from_)}")


@value
class Role:
    """A position an actor holds, e.g. a ministry, with optional EDTF start and end."""

    title: str = attrs.field(converter=strip, validator=non_empty_str(300))
    organization: str | None = attrs.field(
        default=None, converter=strip_or_none, validator=optional_str(300)
    )
    from_: str | None = attrs.field(default=None, converter=strip_or_none, validator=_edtf)
    to: str | None = attrs.field(default=None, converter=strip_or_none, validator=_role_end)
