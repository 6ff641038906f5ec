"""iCalendar export (RFC 5545, with the RFC 7986 calendar names), streamed one VEVENT at a time.

Decisions a subscriber may notice:

- Only developments with a date become events; the rest are left out.
- Day dates (and intervals of days) are all-day events with an exclusive ``DTEND``. A
  month or year is an all-day span over the whole month or year, and the first line of
  the ``DESCRIPTION`` says so ("Date known to the month: April 2024"), as it says when a
  date is uncertain or approximate. ``SUMMARY`` is the title, unchanged, except for a
  development postponed without a new date: it stays at the date it had, as
  "Postponed: TITLE", so that no subscriber's app deletes it.
- A season (``2024-21``) is an all-day span over its three months (spring is March to
  May, winter December to February of the next year), described as "Date known to the
  season: spring 2024 (March to May 2024)".
- An interval open at its end (``2024-04/..``, from April on) has nothing calendars can
  show as its length, and a span to an end of our own invention would say it ended
  then. It is a one-day event on the first day of its start (or, from a time, a
  ``DTSTART`` with no ``DTEND``), and its description begins "From April 2024; the end
  is not known".
- ``SEQUENCE`` is the development's version, the number ``timeline show`` prints and
  ``--expect-version`` takes: 1 when recorded (RFC 5545 starts new components at 0, but
  calendar apps only compare it), one more with each later event.
- A timed development with a ``timezone`` is written in that zone's local time with
  ``TZID`` (but for the second time of an hour that happens twice when clocks go back,
  which a ``TZID`` time cannot say: it is written in UTC); without one, an offset is
  converted to UTC and a bare local time stays a floating time. A start and an end
  (``16:30+08:00/18:00+08:00``) are ``DTSTART`` and ``DTEND``. A start alone has a
  ``DTSTART`` and no ``DTEND`` (RFC 5545 3.6.1: it ends as it starts; every app shows it
  at its start time, and a length would be invented), and its description says "The end
  time is not known."
- Streaming means the zones in use are not known up front, so each ``VTIMEZONE`` is
  written once, just before the first ``VEVENT`` that uses it (RFC 5545 allows the
  components of a calendar in any order). It covers 1970 to 2099, which keeps it short
  and free of local mean time; a time outside that range is written in UTC instead.
- Events are ``TRANSP:TRANSPARENT``: a subscribed news timeline should not make its
  reader look busy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from icalendar import Component, Timezone
from timeline.events.values import WhenPart
from timeline.exports import _dates, _words

__all__ = ["REFRESH", "duration_seconds", "render"]

PRODID: Final = "-//timeline//Diplomatic timeline export//EN"
STATUS: Final = {
    "occurred": "CONFIRMED",
    "scheduled": "TENTATIVE",
    "postponed": "TENTATIVE",
    "cancelled": "CANCELLED",
}
ZONE_FIRST: Final = dt.date(1970, 1, 1)
ZONE_LAST: Final = dt.date(2100, 1, 1)
_FOOTER: Final = "END:VCALENDAR\r\n"
_LINE_OCTETS: Final = 75
# dur-value of RFC 5545 3.3.6, e.g. PT6H, P1D, P1W (no sign: a refresh goes forward).
_DURATION_RE: Final = re.compile(
    r"P(?:[0-9]+W|[0-9]+D|(?:[0-9]+D)?T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S))"
)
_DURATION_PART_RE: Final = re.compile(r"([0-9]+)([WDHMS])")
_SECONDS: Final = {"W": 7 * 86_400, "D": 86_400}
_TIME_SECONDS: Final = {"H": 3_600, "M": 60, "S": 1}
REFRESH: Final = "PT6H"
"""How often subscribers reload by default (REFRESH-INTERVAL); Datasette's cache lifetime."""
# Every line break a reader (or Python's str.splitlines) may honour becomes one newline.
_NEWLINE_RE: Final = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# RFC 5545 TEXT admits no control character but HTAB (3.3.11); newlines are handled above.
_CONTROL_RE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def render(
    records: Iterable[Mapping[str, Any]],
    *,
    name: str = "Diplomatic timeline",
    domain: str = "timeline.invalid",
    description: str | None = None,
    source: str | None = None,
    refresh: str = REFRESH,
) -> Iterator[str]:
    """Yield an iCalendar document, in chunks, with one VEVENT per dated record.

    *domain* makes each UID (``{id}@{domain}``): keep it once people subscribe.
    *refresh* is an RFC 5545 duration telling clients how often to reload; *source* is
    the URL the calendar can be reloaded from. Raise ValueError for a bad *refresh* or
    *domain*.
    """
    _words.check_domain(domain)
    if not _DURATION_RE.fullmatch(refresh):
        raise ValueError(f"{refresh!r} is not an RFC 5545 duration such as PT6H or P1D")
    yield _header(name=name, description=description, source=source, refresh=refresh)
    zones = _Zones()
    for record in records:
        built = _event(record, domain, zones)
        if built is None:
            continue
        text, zone_name = built
        if zone_name is not None:
            yield zones.first_use(zone_name)
        yield text
    yield _FOOTER


def duration_seconds(duration: str) -> int:
    """The length of an RFC 5545 duration such as ``PT6H`` in seconds; ValueError if not one."""
    if not _DURATION_RE.fullmatch(duration):
        raise ValueError(f"{duration!r} is not an RFC 5545 duration such as PT6H or P1D")
    date, _t, time = duration[1:].partition("T")
    return sum(int(n) * _SECONDS[unit] for n, unit in _DURATION_PART_RE.findall(date)) + sum(
        int(n) * _TIME_SECONDS[unit] for n, unit in _DURATION_PART_RE.findall(time)
    )


def _serialize(component: Component) -> str:
    """The component's text, each content line folded by :func:`fold` and ended by CRLF."""
    return "".join(fold(str(line)) for line in component.content_lines() if line)


def fold(line: str) -> str:
    """Fold one content line into physical lines of at most 75 octets, each ended by CRLF.

    RFC 5545 3.1 allows a fold anywhere; it never falls inside a UTF-8 character, nor
    between a backslash and the character it escapes, which some readers mishandle.
    (icalendar folds the same way, one character at a time; this is several times faster
    on large calendars.)
    """
    data = line.encode("utf-8")
    if len(data) <= _LINE_OCTETS:
        return line + "\r\n"
    pieces = []
    start, room = 0, _LINE_OCTETS
    while len(data) - start > room:
        cut = start + room
        while (data[cut] & 0xC0) == 0x80:  # a UTF-8 continuation byte: back to the lead
            cut -= 1
        backslashes = 0
        while cut - backslashes - 1 >= start and data[cut - backslashes - 1] == 0x5C:
            backslashes += 1
        if backslashes % 2:  # the line would end in the middle of an escape
            cut -= 1
        pieces.append(data[start:cut])
        start, room = cut, _LINE_OCTETS - 1  # a continuation line starts with a space
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8") + "\r\n"


def escape(text: str) -> str:
    """Escape *text* as an RFC 5545 TEXT value (3.3.11), one logical line whatever it holds."""
    text = _CONTROL_RE.sub(" ", _NEWLINE_RE.sub("\n", text))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _header(*, name: str, description: str | None, source: str | None, refresh: str) -> str:
    """The calendar's own lines, written in one order whatever icalendar's version orders."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape(name)}",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    if description:
        lines += [f"DESCRIPTION:{escape(description)}", f"X-WR-CALDESC:{escape(description)}"]
    lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}", f"X-PUBLISHED-TTL:{refresh}"]
    if source:
        _words.check_http(source)
        lines.append(f"SOURCE;VALUE=URI:{source}")
    return "".join(fold(line) for line in lines)


class _Zones:
    """The VTIMEZONE of each zone met so far, and which ones the output already holds."""

    def __init__(self) -> None:
        self._texts: dict[str, str | None] = {}
        self._written: set[str] = set()

    def covers(self, name: str, moment: dt.datetime) -> bool:
        """True if *name* has a VTIMEZONE whose range holds *moment*."""
        if name not in self._texts:
            try:
                component = Timezone.from_tzid(name, first_date=ZONE_FIRST, last_date=ZONE_LAST)
                self._texts[name] = _serialize(component)
            except ValueError:
                self._texts[name] = None
        return self._texts[name] is not None and ZONE_FIRST <= moment.date() < ZONE_LAST

    def first_use(self, name: str) -> str:
        """The VTIMEZONE text the first time *name* is used, then the empty string."""
        if name in self._written:
            return ""
        self._written.add(name)
        return self._texts[name] or ""


def _event(record: Mapping[str, Any], domain: str, zones: _Zones) -> tuple[str, str | None] | None:
    """The VEVENT text of a record and the zone its times use; None for a record without date.

    A development postponed without a new date stays at the date it had, its summary and
    description saying it is postponed (and its SEQUENCE, the version, gone up), so that
    subscribers' apps update it rather than delete it.

    Written line by line rather than through icalendar's components, which cost several
    times the whole rest of the export; the tests parse the result with icalendar. The
    properties come in icalendar's canonical order, so the text is the same either way.
    """
    found = _dates.parts(record)
    undated = found is None
    if undated:
        found = _dates.last_known(record)
        if found is None:
            return None
    start, end = found
    summary = record.get("title") or ""
    if undated and record.get("status") == "postponed":
        summary = f"Postponed: {summary}"
    lines = ["BEGIN:VEVENT", f"SUMMARY:{escape(summary)}"]
    zone_name = _add_dates(lines, start, end, record.get("timezone"), zones)
    updated, created = _utc(record.get("updated_at")), _utc(record.get("created_at"))
    if updated or created:
        lines.append(f"DTSTAMP:{updated or created}")
    lines.append(f"UID:{escape(str(record['id']) + '@' + domain)}")
    lines.append(f"SEQUENCE:{int(record.get('version') or 1)}")
    categories = _words.unique([record.get("kind"), *(record.get("tags") or ())])
    if categories:
        lines.append(f"CATEGORIES:{','.join(escape(c) for c in categories)}")
    if created:
        lines.append(f"CREATED:{created}")
    lines.append(f"DESCRIPTION:{escape(_description(record, start, end, undated=undated))}")
    geo = _geo(record.get("place"))
    if geo:
        lines.append(f"GEO:{geo}")
    if updated:
        lines.append(f"LAST-MODIFIED:{updated}")
    location = _location(record.get("place"))
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if record.get("part_of"):
        lines.append(f"RELATED-TO:{escape(str(record['part_of']) + '@' + domain)}")
    status = STATUS.get(record.get("status") or "")
    if status:
        lines.append(f"STATUS:{status}")
    lines.append("TRANSP:TRANSPARENT")
    url = _first_url(record)
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return "".join(map(fold, lines)), zone_name


def _add_dates(
    lines: list[str], start: WhenPart, end: WhenPart | None, timezone: str | None, zones: _Zones
) -> str | None:
    """Append DTSTART (and DTEND when there is one); return the TZID used, if any.

    An open end (*end* None) is its start alone: one day for a date, an instant for a time.
    """
    if end is None:
        end = _cut_to_first_day(start) if not start.is_timed else start
    if not (start.is_timed and end.is_timed):
        # All-day: the whole day, month, season or year, DTEND exclusive (RFC 5545 3.6.1).
        first, after = start.start_date(), end.end_date() + dt.timedelta(days=1)
        lines.append(f"DTSTART;VALUE=DATE:{first.year:04}{first.month:02}{first.day:02}")
        lines.append(f"DTEND;VALUE=DATE:{after.year:04}{after.month:02}{after.day:02}")
        return None
    begin, label = _dates.local(start, timezone)
    finish = None if _dates.same_part(start, end) else _dates.local(end, timezone)[0]
    zone_name = timezone if timezone and label == timezone else None
    if zone_name is not None and not (
        zones.covers(zone_name, begin) and (finish is None or zones.covers(zone_name, finish))
    ):
        zone_name = None
    if zone_name is not None and (_second_of_two(begin) or (finish and _second_of_two(finish))):
        zone_name = None  # in UTC, which says which of the two it is
    if zone_name is None:
        begin, finish = _utc_or_floating(begin), finish and _utc_or_floating(finish)
    elif zone_name in _UTC_NAMES:
        # A zone that is UTC by another name (Etc/UTC, GMT) needs no VTIMEZONE: Z times.
        begin, finish, zone_name = (
            begin.astimezone(dt.UTC),
            finish and finish.astimezone(dt.UTC),
            None,
        )
    prefix = f";TZID={zone_name}:" if zone_name else ":"
    lines.append(f"DTSTART{prefix}{_date_time(begin)}")
    if finish is not None and finish != begin:
        lines.append(f"DTEND{prefix}{_date_time(finish)}")
    return zone_name


def _cut_to_first_day(part: WhenPart) -> WhenPart:
    """The first day a date part covers, as a day part (where an open interval is shown)."""
    first = part.start_date()
    return WhenPart(
        year=first.year, month=first.month, day=first.day, precision="day", qualifier=part.qualifier
    )


_UTC_NAMES: Final = frozenset(
    f"{prefix}{name}"
    for prefix in ("", "Etc/")
    for name in ("UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich")
)
"""The IANA names of UTC and GMT themselves (not the places that keep GMT today, such
as Africa/Abidjan, whose clocks were not always on it)."""


def _date_time(moment: dt.datetime) -> str:
    """A DATE-TIME value (RFC 5545 3.3.5): UTC with Z, otherwise the wall clock as is."""
    text = (
        f"{moment.year:04}{moment.month:02}{moment.day:02}"
        f"T{moment.hour:02}{moment.minute:02}{moment.second:02}"
    )
    return text + "Z" if moment.tzinfo is dt.UTC else text


def _second_of_two(moment: dt.datetime) -> bool:
    """Whether *moment* is the second of a wall-clock time that happens twice (the hour
    repeated when clocks go back): a TZID time is read as the first (RFC 5545 3.3.5)."""
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


def _utc_or_floating(moment: dt.datetime) -> dt.datetime:
    """UTC for an aware time; a naive one stays a floating local time (RFC 5545 3.3.5).

    Every accepted time has a UTC instant within the years 1 to 9999 (``When`` refuses
    the rest), so the conversion cannot overflow.
    """
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC)


def _utc(text: str | None) -> str | None:
    """A log timestamp (UTC ISO 8601) as a UTC DATE-TIME value, to the second."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return _date_time(moment.astimezone(dt.UTC))


def _first_url(record: Mapping[str, Any]) -> str | None:
    sources = record.get("sources") or ()
    url = sources[0].get("url") if sources else None
    return url if _words.is_http(url) else None


def _location(place: Mapping[str, Any] | None) -> str:
    if not place:
        return ""
    return ", ".join(_words.unique([place.get("name"), place.get("city"), place.get("country")]))


def _number(value: float) -> str:
    """A coordinate as an RFC 5545 FLOAT: plain digits, never an exponent."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _geo(place: Mapping[str, Any] | None) -> str | None:
    if not place:
        return None
    lat, lon = place.get("lat"), place.get("lon")
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (lat, lon)):
        return None
    return f"{_number(lat)};{_number(lon)}"


def _source(source: Mapping[str, Any]) -> str:
    """``Title — Publisher, date: URL``, leaving out what is unknown."""
    label = " — ".join(_words.unique([source.get("title"), _words.published_by(source)]))
    url = source.get("url") or ""
    return f"{label}: {url}" if label else url


def _status(record: Mapping[str, Any]) -> str | None:
    found = _words.status(record)
    if found is None:
        return None
    word, reason = found
    return f"{word}: {reason}" if reason else f"{word}."


def _description(
    record: Mapping[str, Any], start: WhenPart, end: WhenPart | None, *, undated: bool = False
) -> str:
    """The plain-text body: date note, status, summary, people, points, quote, sources."""
    blocks: list[str] = []
    moved = None
    if undated:
        moved = (
            f"The new date is not known yet; shown at the date it had ({record.get('last_when')})."
            if record.get("status") == "postponed"
            else f"Shown at the date it had before it was postponed ({record.get('last_when')})."
        )
    # An instant has no DTEND (RFC 5545 3.6.1: it ends as it starts); apps that give it
    # a length of their own invent it, so the reader is told. (An open interval's note
    # already says its end is not known.)
    no_end_time = (
        "The end time is not known." if start.is_timed and _dates.same_part(start, end) else None
    )
    notes = (
        _dates.note(start, end, record.get("timezone")),
        no_end_time,
        _status(record),
        moved,
    )
    head = [line for line in notes if line]
    if head:
        blocks.append("\n".join(head))
    if record.get("summary"):
        blocks.append(record["summary"])
    participants = record.get("participants") or ()
    if participants:
        lines = [f"- {_words.participant(person)}" for person in participants]
        blocks.append("\n".join(["Participants:", *lines]))
    facts = _words.facts(record)
    if facts:
        blocks.append("\n".join(facts))
    points = record.get("points") or ()
    if points:
        lines = [f"{number}. {point}" for number, point in enumerate(points, 1)]
        blocks.append("\n".join(["Points:", *lines]))
    if record.get("quote"):
        quote = f"“{record['quote']}”"
        blocks.append(f"{quote}\n— {record['speaker']}" if record.get("speaker") else quote)
    sources = record.get("sources") or ()
    if sources:
        blocks.append("\n".join(["Sources:", *(f"- {_source(s)}" for s in sources)]))
    return "\n\n".join(blocks)
