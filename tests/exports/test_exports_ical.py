"""The iCalendar export, read back by icalendar and by a strict reader written here."""

from __future__ import annotations

import datetime as dt
import re
import tracemalloc
import zoneinfo
from pathlib import Path
from typing import Any

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from timeline.exports import _dates, ical

GOLDEN = Path(__file__).parents[1] / "golden" / "export-sample.ics"


def ics(records: list[dict[str, Any]], **options: Any) -> bytes:
    return "".join(ical.render(records, **options)).encode("utf-8")


# --- a strict RFC 5545 reader, independent of icalendar -----------------------------------

_PARAM = r'[A-Za-z0-9-]+=(?:"[^"\x00-\x1f]*"|[^";:,\x00-\x1f]*)(?:,(?:"[^"\x00-\x1f]*"|[^";:,\x00-\x1f]*))*'
_CONTENT_LINE = re.compile(
    rf"(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;{_PARAM})*):(?P<value>[^\x00-\x08\x0a-\x1f\x7f]*)"
)


def physical_lines(data: bytes) -> list[bytes]:
    """Lines ended by CRLF (3.1): no bare CR or LF, at most 75 octets, each valid UTF-8."""
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line, line
        assert b"\n" not in line, line
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold split a character
    return lines


def content_lines(data: bytes) -> list[tuple[str, dict[str, str], str]]:
    """Unfold (a line starting with a space or tab continues the previous one) and split."""
    logical: list[bytes] = []
    for line in physical_lines(data):
        if line[:1] in (b" ", b"\t"):
            assert logical, "a continuation line cannot come first"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    parsed = []
    for raw in logical:
        match = _CONTENT_LINE.fullmatch(raw.decode("utf-8"))
        assert match, raw
        params = dict(p.split("=", 1) for p in re.findall(rf";({_PARAM})", match["params"]))
        parsed.append((match["name"].upper(), params, match["value"]))
    return parsed


def unescape(value: str) -> str:
    """One TEXT value (3.3.11): only \\\\ \\; \\, \\n \\N escapes, no bare ; or ,."""
    assert re.fullmatch(r"(?:[^\\;,]|\\[\\;,nN])*", value), value
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], value)


def components(data: bytes) -> dict[str, Any]:
    """The component tree: {"name", "props": [(name, params, value)], "children": [...]}."""
    stack: list[dict[str, Any]] = [{"name": None, "props": [], "children": []}]
    for name, params, value in content_lines(data):
        if name == "BEGIN":
            stack.append({"name": value, "props": [], "children": []})
        elif name == "END":
            done = stack.pop()
            assert done["name"] == value, f"END:{value} closes {done['name']}"
            stack[-1]["children"].append(done)
        else:
            stack[-1]["props"].append((name, params, value))
    assert len(stack) == 1, "unclosed component"
    (calendar,) = stack[0]["children"]
    assert calendar["name"] == "VCALENDAR"
    return calendar


def prop(component: dict[str, Any], name: str) -> tuple[dict[str, str], str]:
    (found,) = [(p, v) for n, p, v in component["props"] if n == name]
    return found


def names(component: dict[str, Any]) -> list[str]:
    return [n for n, _p, _v in component["props"]]


def strict_events(data: bytes) -> list[dict[str, Any]]:
    return [c for c in components(data)["children"] if c["name"] == "VEVENT"]


def one_event(data: bytes) -> dict[str, Any]:
    (event,) = strict_events(data)
    return event


def parsed_event(data: bytes) -> icalendar.Event:
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return event


# --- the whole document ------------------------------------------------------------------


def test_the_sample_matches_the_golden_file(sample_records: list[dict[str, Any]]) -> None:
    assert ics(sample_records) == GOLDEN.read_bytes()


def test_renders_are_byte_identical(sample_records: list[dict[str, Any]]) -> None:
    assert ics(sample_records) == ics([dict(r) for r in sample_records])


def test_every_line_ends_in_crlf(sample_records: list[dict[str, Any]]) -> None:
    data = ics(sample_records)
    assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")


def test_calendar_properties() -> None:
    calendar = components(
        ics(
            [],
            name="China, U.S.; talks",
            description="What was agreed",
            source="https://example.org/timeline.ics",
            refresh="P1D",
        )
    )
    assert names(calendar)[:4] == ["VERSION", "PRODID", "CALSCALE", "METHOD"]
    assert prop(calendar, "VERSION")[1] == "2.0"
    assert prop(calendar, "CALSCALE")[1] == "GREGORIAN"
    assert prop(calendar, "METHOD")[1] == "PUBLISH"
    assert unescape(prop(calendar, "NAME")[1]) == "China, U.S.; talks"
    assert unescape(prop(calendar, "X-WR-CALNAME")[1]) == "China, U.S.; talks"
    assert unescape(prop(calendar, "DESCRIPTION")[1]) == "What was agreed"
    assert unescape(prop(calendar, "X-WR-CALDESC")[1]) == "What was agreed"
    assert prop(calendar, "REFRESH-INTERVAL") == ({"VALUE": "DURATION"}, "P1D")
    assert prop(calendar, "X-PUBLISHED-TTL") == ({}, "P1D")
    assert prop(calendar, "SOURCE") == ({"VALUE": "URI"}, "https://example.org/timeline.ics")
    assert calendar["children"] == []


def test_defaults_leave_out_description_and_source() -> None:
    calendar = components(ics([]))
    assert prop(calendar, "NAME")[1] == "Diplomatic timeline"
    assert prop(calendar, "REFRESH-INTERVAL") == ({"VALUE": "DURATION"}, "PT6H")
    assert not {"DESCRIPTION", "X-WR-CALDESC", "SOURCE"} & set(names(calendar))


@pytest.mark.parametrize("refresh", ["6 hours", "PT", "P1H", ""])
def test_a_bad_refresh_interval_is_refused(refresh: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        ics([], refresh=refresh)


def test_icalendar_reads_every_dated_development(sample_records: list[dict[str, Any]]) -> None:
    calendar = icalendar.Calendar.from_ical(ics(sample_records))
    dated = [r for r in sample_records if r["start"]]
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        f"{r['id']}@timeline.invalid" for r in dated
    ]
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [r["title"] for r in dated]
    assert not calendar.errors
    assert all(not event.errors for event in calendar.walk("VEVENT"))


def test_developments_without_a_date_are_left_out(record) -> None:
    records = [record(id="undated", when=None, start=None, end=None, precision=None), record()]
    assert [prop(e, "UID")[1] for e in strict_events(ics(records))] == [
        "2024-04-26-xi-jinping-meets-antony-blinken@timeline.invalid"
    ]


# --- identity and status -----------------------------------------------------------------


def test_uid_is_stable_and_sequence_follows_the_version(record) -> None:
    first = one_event(ics([record(version=1)], domain="example.org"))
    again = one_event(ics([record(version=1)], domain="example.org"))
    revised = one_event(
        ics(
            [record(version=4, title="Xi meets Blinken", updated_at="2024-05-01T00:00:00.000000Z")],
            domain="example.org",
        )
    )
    uid = "2024-04-26-xi-jinping-meets-antony-blinken@example.org"
    assert prop(first, "UID")[1] == prop(again, "UID")[1] == prop(revised, "UID")[1] == uid
    assert prop(first, "SEQUENCE")[1] == "1"
    assert prop(revised, "SEQUENCE")[1] == "4"
    assert prop(revised, "DTSTAMP")[1] == prop(revised, "LAST-MODIFIED")[1] == "20240501T000000Z"
    assert prop(revised, "CREATED")[1] == "20240427T080000Z"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("occurred", "CONFIRMED"),
        ("scheduled", "TENTATIVE"),
        ("postponed", "TENTATIVE"),
        ("cancelled", "CANCELLED"),
    ],
)
def test_status(record, status: str, expected: str) -> None:
    assert prop(one_event(ics([record(status=status)])), "STATUS")[1] == expected


def test_status_reason_is_in_the_description(record) -> None:
    event = one_event(ics([record(status="cancelled", status_reason="Talks called off")]))
    assert unescape(prop(event, "DESCRIPTION")[1]).startswith("Cancelled: Talks called off\n\n")


# --- dates ---------------------------------------------------------------------------------


def test_a_day_is_an_all_day_event_with_an_exclusive_end(record) -> None:
    event = one_event(ics([record()]))
    assert prop(event, "DTSTART") == ({"VALUE": "DATE"}, "20240426")
    assert prop(event, "DTEND") == ({"VALUE": "DATE"}, "20240427")
    parsed = parsed_event(ics([record()]))
    assert parsed.decoded("DTSTART") == dt.date(2024, 4, 26)
    assert parsed.decoded("DTEND") == dt.date(2024, 4, 27)


def test_an_interval_of_days_ends_the_day_after_its_last_day(record) -> None:
    event = one_event(
        ics([record(when="2024-04-24/2024-04-26", start="2024-04-24", end="2024-04-26")])
    )
    assert prop(event, "DTSTART") == ({"VALUE": "DATE"}, "20240424")
    assert prop(event, "DTEND") == ({"VALUE": "DATE"}, "20240427")
    assert "Date" not in unescape(prop(event, "DESCRIPTION")[1]).split("\n")[0]


@pytest.mark.parametrize(
    ("when", "start", "end", "precision", "dates", "line"),
    [
        (
            "2024-04",
            "2024-04-01",
            "2024-04-30",
            "month",
            ("20240401", "20240501"),
            "Date known to the month: April 2024",
        ),
        (
            "2024-02",
            "2024-02-01",
            "2024-02-29",
            "month",
            ("20240201", "20240301"),
            "Date known to the month: February 2024",
        ),
        (
            "2024-12",
            "2024-12-01",
            "2024-12-31",
            "month",
            ("20241201", "20250101"),
            "Date known to the month: December 2024",
        ),
        (
            "2024",
            "2024-01-01",
            "2024-12-31",
            "year",
            ("20240101", "20250101"),
            "Date known to the year: 2024",
        ),
        (
            "2024-04/2024-06",
            "2024-04-01",
            "2024-06-30",
            "month",
            ("20240401", "20240701"),
            "Dates known to the month: April 2024 – June 2024",  # noqa: RUF001
        ),
    ],
)
def test_a_month_or_year_spans_all_of_it_and_says_so(
    record, when: str, start: str, end: str, precision: str, dates: tuple[str, str], line: str
) -> None:
    event = one_event(ics([record(when=when, start=start, end=end, precision=precision)]))
    assert (prop(event, "DTSTART")[1], prop(event, "DTEND")[1]) == dates
    assert prop(event, "DTSTART")[0] == prop(event, "DTEND")[0] == {"VALUE": "DATE"}
    assert unescape(prop(event, "DESCRIPTION")[1]).split("\n")[0] == line


def test_a_month_without_its_when_is_still_the_whole_month(record) -> None:
    # Read from start/end and the precision alone (a record whose `when` is missing).
    event = one_event(
        ics([record(when=None, start="2024-04-01", end="2024-04-30", precision="month")])
    )
    assert (prop(event, "DTSTART")[1], prop(event, "DTEND")[1]) == ("20240401", "20240501")


@pytest.mark.parametrize(
    ("when", "qualifier", "line"),
    [
        ("2024-04-26?", "uncertain", "Date uncertain: 26 April 2024"),
        ("2024-04-26~", "approximate", "Date approximate: 26 April 2024"),
        ("2024-04-26%", "both", "Date uncertain and approximate: 26 April 2024"),
        ("2024-04~", "approximate", "Date known to the month, approximate: April 2024"),
    ],
)
def test_qualifiers_are_stated_and_the_summary_is_the_title(
    record, when: str, qualifier: str, line: str
) -> None:
    start, end = ("2024-04-01", "2024-04-30") if "04~" in when else ("2024-04-26", "2024-04-26")
    precision = "month" if "04~" in when else "day"
    event = one_event(
        ics([record(when=when, start=start, end=end, precision=precision, qualifier=qualifier)])
    )
    assert unescape(prop(event, "DESCRIPTION")[1]).split("\n")[0] == line
    assert unescape(prop(event, "SUMMARY")[1]) == "Xi Jinping meets Antony Blinken"


def timed(record, when: str, timezone: str | None, **more: Any) -> dict[str, Any]:
    start, _, end = when.partition("/")
    return record(
        when=when,
        start=start,
        end=end or start,
        precision="second" if start.count(":") == 2 else "minute",
        timezone=timezone,
        **more,
    )


def vtimezones(data: bytes) -> list[dict[str, Any]]:
    return [c for c in components(data)["children"] if c["name"] == "VTIMEZONE"]


def test_a_time_in_a_zone_uses_tzid_with_a_vtimezone_covering_it(record) -> None:
    data = ics([timed(record, "2024-07-04T16:30-04:00", "America/New_York")])
    event = one_event(data)
    assert prop(event, "DTSTART") == ({"TZID": "America/New_York"}, "20240704T163000")
    assert "DTEND" not in names(event)  # an instant: DTSTART alone (RFC 5545 3.6.1)
    (vtimezone,) = vtimezones(data)
    assert prop(vtimezone, "TZID")[1] == "America/New_York"
    # The VTIMEZONE, read on its own, gives the zone's real offset at that time and in winter.
    (component,) = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    tz = component.to_tz()
    for moment in (dt.datetime(2024, 7, 4, 16, 30, tzinfo=tz), dt.datetime(2024, 1, 15, tzinfo=tz)):
        expected = moment.replace(tzinfo=zoneinfo.ZoneInfo("America/New_York")).utcoffset()
        assert moment.utcoffset() == expected
    parsed = parsed_event(data).decoded("DTSTART")
    assert parsed.astimezone(dt.UTC) == dt.datetime(2024, 7, 4, 20, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("when", "written"),
    [
        ("2024-11-03T01:30-04:00", ({"TZID": "America/New_York"}, "20241103T013000")),
        ("2024-11-03T01:30-05:00", ({}, "20241103T063000Z")),
    ],
)
def test_the_second_of_a_repeated_hour_is_written_in_utc(record, when, written) -> None:
    """When clocks go back, 01:30 happens twice; a TZID time is read as the first, so the
    second is written as the instant it is."""
    data = ics([timed(record, when, "America/New_York")])
    assert prop(one_event(data), "DTSTART") == written
    parsed = parsed_event(data).decoded("DTSTART")
    assert parsed.astimezone(dt.UTC) == dt.datetime.fromisoformat(when).astimezone(dt.UTC)


def test_each_vtimezone_is_written_once_before_its_first_event(record) -> None:
    records = [
        record(id="a"),
        timed(record, "2024-04-26T16:30", "Asia/Shanghai", id="b"),
        timed(record, "2024-04-26T18:00", "Asia/Shanghai", id="c"),
        timed(record, "2024-04-26T09:00:05+02:00", "Europe/Berlin", id="d"),
    ]
    children = components(ics(records))["children"]
    order = [
        c["name"] + ":" + (prop(c, "TZID")[1] if c["name"] == "VTIMEZONE" else prop(c, "UID")[1])
        for c in children
    ]
    assert order == [
        "VEVENT:a@timeline.invalid",
        "VTIMEZONE:Asia/Shanghai",
        "VEVENT:b@timeline.invalid",
        "VEVENT:c@timeline.invalid",
        "VTIMEZONE:Europe/Berlin",
        "VEVENT:d@timeline.invalid",
    ]
    assert prop(children[-1], "DTSTART") == ({"TZID": "Europe/Berlin"}, "20240426T090005")


def test_an_offset_is_converted_to_the_zone_of_the_place(record) -> None:
    event = one_event(ics([timed(record, "2024-04-26T08:30Z", "Asia/Shanghai")]))
    assert prop(event, "DTSTART") == ({"TZID": "Asia/Shanghai"}, "20240426T163000")


def test_an_offset_without_a_zone_is_written_in_utc(record) -> None:
    data = ics([timed(record, "2024-04-26T16:30+08:00", None)])
    assert prop(one_event(data), "DTSTART") == ({}, "20240426T083000Z")
    assert vtimezones(data) == []


def test_a_local_time_without_a_zone_stays_floating(record) -> None:
    # Not produced by the projection (a local time needs a zone), but not refused either.
    event = one_event(ics([timed(record, "2024-04-26T16:30", None)]))
    assert prop(event, "DTSTART") == ({}, "20240426T163000")


def test_a_time_outside_the_vtimezone_range_is_written_in_utc(record) -> None:
    data = ics([timed(record, "1962-10-16T08:45", "America/New_York")])
    assert prop(one_event(data), "DTSTART") == ({}, "19621016T124500Z")  # EDT, UTC-4
    assert vtimezones(data) == []


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC"])
def test_a_utc_zone_is_written_as_utc_without_a_vtimezone(record, zone: str) -> None:
    data = ics([timed(record, "2024-04-26T16:30+08:00", zone)])
    assert prop(one_event(data), "DTSTART") == ({}, "20240426T083000Z")
    assert vtimezones(data) == []


def test_an_unknown_zone_falls_back_to_utc(record) -> None:
    data = ics([timed(record, "2024-04-26T16:30+08:00", "Mars/Olympus_Mons")])
    assert prop(one_event(data), "DTSTART") == ({}, "20240426T083000Z")


def test_a_timed_interval_has_an_end(record) -> None:
    data = ics([timed(record, "2024-04-26T16:30+08:00/2024-04-26T18:15+08:00", "Asia/Shanghai")])
    event = one_event(data)
    assert prop(event, "DTSTART") == ({"TZID": "Asia/Shanghai"}, "20240426T163000")
    assert prop(event, "DTEND") == ({"TZID": "Asia/Shanghai"}, "20240426T181500")
    utc = one_event(ics([timed(record, "2024-04-26T16:30Z/2024-04-27T01:00Z", None)]))
    assert (prop(utc, "DTSTART")[1], prop(utc, "DTEND")[1]) == (
        "20240426T163000Z",
        "20240427T010000Z",
    )


def test_a_day_with_a_timed_end_is_all_day(record) -> None:
    event = one_event(
        ics(
            [
                record(
                    when="2024-04-24/2024-04-26T18:00+08:00",
                    start="2024-04-24",
                    end="2024-04-26T18:00+08:00",
                    precision="day",
                )
            ]
        )
    )
    assert prop(event, "DTSTART") == ({"VALUE": "DATE"}, "20240424")
    assert prop(event, "DTEND") == ({"VALUE": "DATE"}, "20240427")


# --- content -------------------------------------------------------------------------------


def test_description_location_geo_url_categories_related_to(record) -> None:
    data = ics(
        [
            record(
                summary="They met.",
                participants=[
                    {"name": "Xi Jinping", "role": "President", "country": "CN"},
                    {"name": "An Aide", "role": None, "country": None},
                ],
                points=["First, this", "Second; that"],
                parties=["CN", "US"],
                speaker="Xi Jinping",
                quote="Partners, not rivals",
                sources=[
                    {
                        "url": "https://a.example/1",
                        "title": "A",
                        "publisher": "P",
                        "published": "2024-04-26",
                    },
                    {
                        "url": "https://b.example/2",
                        "title": None,
                        "publisher": None,
                        "published": None,
                    },
                ],
                tags=["china-us", "meeting", "a,b"],
            )
        ],
        domain="example.org",
    )
    event = one_event(data)
    assert unescape(prop(event, "DESCRIPTION")[1]) == (
        "They met.\n\n"
        "Participants:\n- Xi Jinping (President, CN)\n- An Aide\n\n"
        "Parties: CN, US\n\n"
        "Points:\n1. First, this\n2. Second; that\n\n"
        "“Partners, not rivals”\n— Xi Jinping\n\n"
        "Sources:\n- A — P, 2024-04-26: https://a.example/1\n- https://b.example/2"
    )
    assert unescape(prop(event, "LOCATION")[1]) == "Great Hall of the People, Beijing, CN"
    assert prop(event, "GEO")[1] == "39.9033;116.3915"
    assert prop(event, "URL")[1] == "https://a.example/1"
    # CATEGORIES is a list: the kind first, then the tags, each escaped on its own.
    assert prop(event, "CATEGORIES")[1] == "meeting,china-us,a\\,b"
    assert prop(event, "RELATED-TO")[1] == "2024-04-24-antony-blinken-visits-china@example.org"
    parsed = parsed_event(data)
    assert parsed["CATEGORIES"].cats == ["meeting", "china-us", "a,b"]
    assert parsed.decoded("GEO") == pytest.approx((39.9033, 116.3915))


def test_optional_properties_are_left_out_when_unknown(record) -> None:
    event = one_event(ics([record(place=None, sources=[], part_of=None, summary=None)]))
    assert not {"LOCATION", "GEO", "URL", "RELATED-TO"} & set(names(event))


def test_text_is_escaped(record) -> None:
    title = "China, U.S.; a \\ backslash, a \\N that is not a newline\nand a second line"
    data = ics([record(title=title, summary="x;y,z")])
    event = one_event(data)
    assert prop(event, "SUMMARY")[1] == (
        "China\\, U.S.\\; a \\\\ backslash\\, a \\\\N that is not a newline\\nand a second line"
    )
    assert unescape(prop(event, "SUMMARY")[1]) == title
    assert str(parsed_event(data)["SUMMARY"]) == title


def test_a_title_with_crlf_and_begin_vevent_stays_in_the_summary(record) -> None:
    title = "Talks\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x\rSUMMARY:injected\u2028BEGIN:VTODO"
    data = ics([record(title=title)])
    event = one_event(data)  # still exactly one event, and no other component
    assert [c["name"] for c in components(data)["children"]] == ["VEVENT"]
    assert prop(event, "UID")[1] == "2024-04-26-xi-jinping-meets-antony-blinken@timeline.invalid"
    expected = "Talks\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil@x\nSUMMARY:injected\nBEGIN:VTODO"
    assert unescape(prop(event, "SUMMARY")[1]) == expected
    assert len(icalendar.Calendar.from_ical(data).walk("VEVENT")) == 1


def test_control_characters_cannot_break_the_text(record) -> None:
    event = one_event(ics([record(title="a\x00b\x0bc\x1bd\x7fe\tf")]))
    assert unescape(prop(event, "SUMMARY")[1]) == "a b c d e\tf"


def test_long_chinese_text_is_folded_between_characters(record) -> None:
    title = "王毅同布林肯举行会谈，双方达成五点共识；" * 12  # noqa: RUF001
    data = ics([record(title=title, summary="习近平会见美国国务卿布林肯。" * 20)])
    lines = physical_lines(data)  # each at most 75 octets and valid UTF-8 on its own
    assert sum(line.startswith(b" ") for line in lines) > 10
    assert unescape(prop(one_event(data), "SUMMARY")[1]) == title
    assert str(parsed_event(data)["SUMMARY"]) == title


def test_folding_never_splits_an_escape() -> None:
    for width in range(60, 80):
        line = "DESCRIPTION:" + "x" * width + "\\," + "\\\\" * 40 + "é" * 30
        folded = ical.fold(line)
        assert folded.endswith("\r\n")
        pieces = folded[:-2].split("\r\n ")
        assert "".join(pieces) == line
        assert all(len(piece.encode()) <= (75 if i == 0 else 74) for i, piece in enumerate(pieces))
        for piece in pieces[:-1]:
            trailing = len(piece) - len(piece.rstrip("\\"))
            assert trailing % 2 == 0, piece


@pytest.mark.slow
def test_memory_stays_flat_while_streaming(many_records) -> None:
    tracemalloc.start()
    try:
        size = events = 0
        for chunk in ical.render(many_records(20_000)):
            size += len(chunk.encode("utf-8"))
            events += chunk.count("BEGIN:VEVENT\r\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert events == 20_000
    assert size > 20_000_000
    assert peak < 5_000_000, f"peak {peak} bytes for {size} bytes of output"


@given(
    weeks=st.integers(0, 60),
    days=st.integers(0, 400),
    hours=st.integers(0, 48),
    minutes=st.integers(0, 120),
    seconds=st.integers(0, 120),
)
def test_a_duration_is_counted_in_seconds(
    weeks: int, days: int, hours: int, minutes: int, seconds: int
) -> None:
    assert ical.duration_seconds(f"P{weeks}W") == weeks * 604_800
    text = f"P{days}DT{hours}H{minutes}M{seconds}S"
    expected = dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    assert ical.duration_seconds(text) == expected.total_seconds()
    assert ical.duration_seconds(f"PT{hours}H") == hours * 3600


@pytest.mark.parametrize("bad", ["6H", "PT", "P1H", "PT-1H", "P1Y", ""])
def test_a_bad_duration_is_not_counted(bad: str) -> None:
    with pytest.raises(ValueError, match="is not an RFC 5545 duration such as PT6H or P1D"):
        ical.duration_seconds(bad)


def test_a_season_read_back_without_its_when_is_still_a_season(record: Any) -> None:
    # A record whose ``when`` is missing is read from start, end and precision alone.
    found = _dates.parts(
        record(when=None, start="2024-12-01", end="2025-02-28", precision="season")
    )
    assert found is not None
    start, end = found
    assert (start.season_name, start.year, end.season_name, end.year) == (
        "winter",
        2024,
        "winter",
        2024,
    )
    assert _dates.describe(start, end) == "winter 2024"
