"""Tests for events.values: the When parser (EDTF subset) and the small value objects."""

from __future__ import annotations

import datetime as dt
import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from timeline.events.base import FieldError
from timeline.events.countries import ALPHA2, is_alpha2
from timeline.events.values import (
    Participant,
    Place,
    Role,
    Source,
    When,
    WhenPart,
    country_code,
    non_empty_str,
    optional_str,
    quote,
    slug_id,
    strip,
    strip_or_none,
    to_country,
)

D = dt.date
FORMS = (
    "use YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], a season YYYY-21..24,"
    " or an interval A/B or A/.."
)


def exactly(text: str) -> str:
    """Pattern for pytest.raises(match=...) that matches the whole message, literally.

    A value class names the field at fault before the message (``country: 'ZZ' is…``).
    """
    return rf"\A(?:[a-z_]+: )?{re.escape(text)}\Z"


# --- countries -------------------------------------------------------------------------------


def test_alpha2_has_every_official_code_plus_kosovo() -> None:
    assert len(ALPHA2) == 250
    assert len(ALPHA2 - {"XK"}) == 249
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in ALPHA2)
    for code in ("CN", "US", "GB", "FR", "RU", "PS", "TW", "SS", "AQ", "BQ", "SX", "XK"):
        assert code in ALPHA2


@pytest.mark.parametrize("code", ["UK", "EU", "SU", "YU", "ZZ", "cn", "CHN", "", " CN"])
def test_is_alpha2_refuses(code: str) -> None:
    assert not is_alpha2(code)


def test_is_alpha2_accepts() -> None:
    assert is_alpha2("CN")
    assert is_alpha2("XK")


# --- When: accepted forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "precision", "qualifier", "start_iso", "end_iso", "start", "end"),
    [
        ("2024", "year", None, "2024-01-01", "2024-12-31", D(2024, 1, 1), D(2024, 12, 31)),
        ("2024-04", "month", None, "2024-04-01", "2024-04-30", D(2024, 4, 1), D(2024, 4, 30)),
        ("2024-04-26", "day", None, "2024-04-26", "2024-04-26", D(2024, 4, 26), D(2024, 4, 26)),
        ("0001", "year", None, "0001-01-01", "0001-12-31", D(1, 1, 1), D(1, 12, 31)),
        ("9998-12", "month", None, "9998-12-01", "9998-12-31", D(9998, 12, 1), D(9998, 12, 31)),
        ("2024-01", "month", None, "2024-01-01", "2024-01-31", D(2024, 1, 1), D(2024, 1, 31)),
        ("2024?", "year", "uncertain", "2024-01-01", "2024-12-31", D(2024, 1, 1), D(2024, 12, 31)),
        (
            "2024-04~",
            "month",
            "approximate",
            "2024-04-01",
            "2024-04-30",
            D(2024, 4, 1),
            D(2024, 4, 30),
        ),
        ("2024-04-26%", "day", "both", "2024-04-26", "2024-04-26", D(2024, 4, 26), D(2024, 4, 26)),
        (
            "2024-04-26T16:30",
            "minute",
            None,
            "2024-04-26T16:30",
            "2024-04-26T16:30",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26T16:30:15",
            "second",
            None,
            "2024-04-26T16:30:15",
            "2024-04-26T16:30:15",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26T16:30Z",
            "minute",
            None,
            "2024-04-26T16:30Z",
            "2024-04-26T16:30Z",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26T16:30:15Z",
            "second",
            None,
            "2024-04-26T16:30:15Z",
            "2024-04-26T16:30:15Z",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26T16:30+08:00",
            "minute",
            None,
            "2024-04-26T16:30+08:00",
            "2024-04-26T16:30+08:00",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26T16:30+0800",
            "minute",
            None,
            "2024-04-26T16:30+08:00",
            "2024-04-26T16:30+08:00",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26T16:30:15-05:00",
            "second",
            None,
            "2024-04-26T16:30:15-05:00",
            "2024-04-26T16:30:15-05:00",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26T00:00+00:00",
            "minute",
            None,
            "2024-04-26T00:00+00:00",
            "2024-04-26T00:00+00:00",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-12-31T23:59:59+14:00",
            "second",
            None,
            "2024-12-31T23:59:59+14:00",
            "2024-12-31T23:59:59+14:00",
            D(2024, 12, 31),
            D(2024, 12, 31),
        ),
        (
            "2024-01-01T00:00-1400",
            "minute",
            None,
            "2024-01-01T00:00-14:00",
            "2024-01-01T00:00-14:00",
            D(2024, 1, 1),
            D(2024, 1, 1),
        ),
        (
            "2024-04-26T16:30+05:45",
            "minute",
            None,
            "2024-04-26T16:30+05:45",
            "2024-04-26T16:30+05:45",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
    ],
)
def test_single_forms(
    text: str,
    precision: str,
    qualifier: str | None,
    start_iso: str,
    end_iso: str,
    start: dt.date,
    end: dt.date,
) -> None:
    when = When.parse(text)
    assert when.text == text
    assert str(when) == text
    assert when.precision == precision
    assert when.qualifier == qualifier
    assert when.start_iso() == start_iso
    assert when.end_iso() == end_iso
    assert when.start_date() == start
    assert when.end_date() == end
    assert not when.is_interval
    assert len(when.parts) == 1
    assert when.is_timed == (precision in ("minute", "second"))


@pytest.mark.parametrize(
    ("text", "last_day"),
    [
        ("2024-02", D(2024, 2, 29)),
        ("2023-02", D(2023, 2, 28)),
        ("2000-02", D(2000, 2, 29)),
        ("1900-02", D(1900, 2, 28)),
        ("2100-02", D(2100, 2, 28)),
        ("1600-02", D(1600, 2, 29)),
        ("2024-04", D(2024, 4, 30)),
        ("2024-06", D(2024, 6, 30)),
        ("2024-09", D(2024, 9, 30)),
        ("2024-11", D(2024, 11, 30)),
        ("2024-12", D(2024, 12, 31)),
    ],
)
def test_month_end_dates(text: str, last_day: dt.date) -> None:
    when = When.parse(text)
    assert when.end_date() == last_day
    assert when.end_iso() == last_day.isoformat()


@pytest.mark.parametrize("text", ["2024-02-29", "2000-02-29", "1600-02-29", "0004-02-29"])
def test_leap_days_accepted(text: str) -> None:
    assert When.parse(text).start_date().isoformat() == text


def test_whitespace_is_stripped_and_text_kept_otherwise() -> None:
    when = When.parse("  2024-04-26T16:30+0800 \n")
    assert when.text == "2024-04-26T16:30+0800"
    assert when.start_iso() == "2024-04-26T16:30+08:00"
    assert When(" 2024 ") == When.parse("2024")


def test_when_is_immutable_hashable_and_equal_by_text() -> None:
    when = When.parse("2024-04")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        when.text = "2025"  # type: ignore[misc]
    assert When.parse("2024-04") == when
    assert hash(When.parse("2024-04")) == hash(when)
    assert When.parse("2024-04-26T16:30+0800") != When.parse("2024-04-26T16:30+08:00")
    assert repr(when) == "When(text='2024-04')"


def test_when_part_fields() -> None:
    (part,) = When.parse("2024-04-26T16:30:15+0800").parts
    assert part == WhenPart(
        year=2024,
        month=4,
        day=26,
        hour=16,
        minute=30,
        second=15,
        offset="+08:00",
        precision="second",
        qualifier=None,
    )
    (part,) = When.parse("1815-06~").parts
    assert (part.year, part.month, part.day, part.hour, part.minute, part.second) == (
        1815,
        6,
        None,
        None,
        None,
        None,
    )
    assert part.offset is None
    assert part.precision == "month"
    assert part.qualifier == "approximate"
    (part,) = When.parse("2024-04-26T09:05Z").parts
    assert (part.hour, part.minute, part.second, part.offset) == (9, 5, None, "Z")


def test_when_parse_refuses_non_strings() -> None:
    with pytest.raises(TypeError, match="expected a string, got int"):
        When.parse(2024)  # type: ignore[arg-type]


# --- When: intervals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "precision", "start_iso", "end_iso", "start", "end"),
    [
        ("2024/2025", "year", "2024-01-01", "2025-12-31", D(2024, 1, 1), D(2025, 12, 31)),
        ("2024-04/2024-06", "month", "2024-04-01", "2024-06-30", D(2024, 4, 1), D(2024, 6, 30)),
        (
            "2024-04-26/2024-04-28",
            "day",
            "2024-04-26",
            "2024-04-28",
            D(2024, 4, 26),
            D(2024, 4, 28),
        ),
        (
            "2024-04-26/2024-04-26",
            "day",
            "2024-04-26",
            "2024-04-26",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        ("2024/2024", "year", "2024-01-01", "2024-12-31", D(2024, 1, 1), D(2024, 12, 31)),
        # mixed precision: the coarsest part wins
        ("2024-04-26/2024-05", "month", "2024-04-26", "2024-05-31", D(2024, 4, 26), D(2024, 5, 31)),
        ("2023-11/2024", "year", "2023-11-01", "2024-12-31", D(2023, 11, 1), D(2024, 12, 31)),
        ("2024-02/2024-02-29", "month", "2024-02-01", "2024-02-29", D(2024, 2, 1), D(2024, 2, 29)),
        (
            "2024-04-26T09:00+08:00/2024-04-26T17:30+08:00",
            "minute",
            "2024-04-26T09:00+08:00",
            "2024-04-26T17:30+08:00",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26T09:00:00Z/2024-04-26T17:30",
            "minute",
            "2024-04-26T09:00:00Z",
            "2024-04-26T17:30",
            D(2024, 4, 26),
            D(2024, 4, 26),
        ),
        (
            "2024-04-26/2024-04-27T12:00+0800",
            "day",
            "2024-04-26",
            "2024-04-27T12:00+08:00",
            D(2024, 4, 26),
            D(2024, 4, 27),
        ),
        (
            "2024-04-25T23:00/2024-04-26",
            "day",
            "2024-04-25T23:00",
            "2024-04-26",
            D(2024, 4, 25),
            D(2024, 4, 26),
        ),
    ],
)
def test_intervals(
    text: str, precision: str, start_iso: str, end_iso: str, start: dt.date, end: dt.date
) -> None:
    when = When.parse(text)
    assert when.is_interval
    assert len(when.parts) == 2
    assert when.precision == precision
    assert when.start_iso() == start_iso
    assert when.end_iso() == end_iso
    assert when.start_date() == start
    assert when.end_date() == end


def test_interval_is_timed_only_when_both_parts_are() -> None:
    assert When.parse("2024-04-26T09:00Z/2024-04-26T10:00Z").is_timed
    assert not When.parse("2024-04-26/2024-04-26T10:00Z").is_timed
    assert When.parse("2024-04-26T09:00Z/2024-04-26T10:00:30Z").precision == "minute"


def test_interval_compares_instants_when_both_have_offsets() -> None:
    # 10:00+08:00 is 02:00Z, so an end at 03:00Z is later even though its wall clock is earlier.
    when = When.parse("2024-04-26T10:00+08:00/2024-04-26T03:00Z")
    assert when.start_iso() == "2024-04-26T10:00+08:00"
    assert when.end_iso() == "2024-04-26T03:00Z"
    with pytest.raises(ValueError, match="the end is before the start"):
        When.parse("2024-04-26T10:00+08:00/2024-04-26T01:00Z")


def test_interval_compares_wall_clock_when_one_part_is_local() -> None:
    # Local 09:00 vs 08:00+00:00: wall clocks compare, offsets are ignored.
    assert When.parse("2024-04-26T08:00Z/2024-04-26T09:00").is_interval
    with pytest.raises(ValueError, match="the end is before the start"):
        When.parse("2024-04-26T10:00/2024-04-26T09:00-05:00")


@pytest.mark.parametrize(
    "text",
    [
        "2025/2024",
        "2024-05/2024-04",
        "2024-04-27/2024-04-26",
        "2024-04-26T10:00/2024-04-26T09:59",
        "2024-04-26T10:00:01Z/2024-04-26T10:00Z",
        "2025-01/2024",
        "2024-05-01/2024-04",
        "2024-04-27T10:00/2024-04-26",
    ],
)
def test_interval_end_before_start_refused(text: str) -> None:
    with pytest.raises(
        ValueError, match=exactly(f"'{text}' is not a valid interval: the end is before the start")
    ):
        When.parse(text)


@pytest.mark.parametrize(
    ("text", "qualifier", "per_part"),
    [
        ("2024?/2025", "uncertain", ("uncertain", None)),
        ("2024/2025~", "approximate", (None, "approximate")),
        ("2024?/2025~", "both", ("uncertain", "approximate")),
        ("2024~/2025?", "both", ("approximate", "uncertain")),
        ("2024%/2025", "both", ("both", None)),
        ("2024?/2025?", "uncertain", ("uncertain", "uncertain")),
        ("2024-04-26~/2024-04-28~", "approximate", ("approximate", "approximate")),
        ("2024/2025", None, (None, None)),
    ],
)
def test_qualifiers_per_part(text: str, qualifier: str | None, per_part: tuple[str, ...]) -> None:
    when = When.parse(text)
    assert when.qualifier == qualifier
    assert tuple(part.qualifier for part in when.parts) == per_part


# --- When: time zones and datetimes -------------------------------------------------------------


def test_offsets_give_aware_datetimes() -> None:
    when = When.parse("2024-04-26T16:30+0800")
    expected = dt.datetime(2024, 4, 26, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert when.start_datetime() == expected
    assert when.start_datetime().utcoffset() == dt.timedelta(hours=8)  # type: ignore[union-attr]
    assert when.end_datetime() == expected
    # an explicit offset wins over a tz argument
    assert when.start_datetime("America/New_York") == expected
    assert not when.needs_timezone

    utc = When.parse("2024-04-26T16:30:15Z").start_datetime()
    assert utc == dt.datetime(2024, 4, 26, 16, 30, 15, tzinfo=dt.UTC)
    assert utc is not None
    assert utc.utcoffset() == dt.timedelta(0)

    west = When.parse("2024-04-26T16:30-05:30").start_datetime()
    assert west is not None
    assert west.utcoffset() == -dt.timedelta(hours=5, minutes=30)


def test_naive_local_time_needs_timezone() -> None:
    when = When.parse("2024-04-26T16:30")
    assert when.needs_timezone
    assert when.start_datetime() is None
    assert when.end_datetime() is None
    local = when.start_datetime("Asia/Shanghai")
    assert local is not None
    assert local.utcoffset() == dt.timedelta(hours=8)
    assert local.isoformat() == "2024-04-26T16:30:00+08:00"
    assert local.astimezone(dt.UTC) == dt.datetime(2024, 4, 26, 8, 30, tzinfo=dt.UTC)
    assert when.start_iso() == "2024-04-26T16:30"


def test_naive_local_time_across_dst() -> None:
    winter = When.parse("2024-01-15T12:00").start_datetime("America/New_York")
    summer = When.parse("2024-07-04T12:00").start_datetime("America/New_York")
    assert winter is not None
    assert summer is not None
    assert winter.utcoffset() == dt.timedelta(hours=-5)
    assert summer.utcoffset() == dt.timedelta(hours=-4)
    span = When.parse("2024-03-09T12:00/2024-03-11T12:00")
    start, end = span.start_datetime("America/New_York"), span.end_datetime("America/New_York")
    assert start is not None
    assert end is not None
    assert start.utcoffset() == dt.timedelta(hours=-5)
    assert end.utcoffset() == dt.timedelta(hours=-4)
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=47)


def test_needs_timezone_for_any_local_part() -> None:
    assert When.parse("2024-04-26T09:00Z/2024-04-26T17:00").needs_timezone
    assert not When.parse("2024-04-26T09:00Z/2024-04-26T17:00+08:00").needs_timezone
    assert not When.parse("2024-04-26").needs_timezone
    assert not When.parse("2024-04-26/2024-04-27T10:00Z").needs_timezone


def test_date_only_parts_have_no_datetime() -> None:
    when = When.parse("2024-04-26/2024-04-27T10:00Z")
    assert when.start_datetime("UTC") is None
    assert when.end_datetime() == dt.datetime(2024, 4, 27, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "America", "../etc/passwd"])
def test_unknown_timezone_refused(tz: str) -> None:
    with pytest.raises(ValueError, match=exactly(f"{tz!r} is not an IANA time zone")):
        When.parse("2024-04-26T16:30").start_datetime(tz)


# --- When: refused forms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-02-29", "day is out of range for month"),
        ("1900-02-29", "day is out of range for month"),
        ("2024-04-31", "day is out of range for month"),
        ("2024-04-00", "day is out of range for month"),
        ("2024-01-32", "day is out of range for month"),
        ("2024-13", "month must be 01-12, or 21-24 for a season"),
        ("2024-00", "month must be 01-12, or 21-24 for a season"),
        ("2024-20", "month must be 01-12, or 21-24 for a season"),
        ("2024-25", "month must be 01-12, or 21-24 for a season"),
        ("2024-21/2024-20", "month must be 01-12, or 21-24 for a season"),
        ("2024-21-05", "a season (21-24) has no days"),
        ("2024-22-01T10:00Z", "a season (21-24) has no days"),
        ("0000", "year must be 0001-9998"),
        ("9999-12-31", "year must be 0001-9998"),
        ("2024-04-26T24:00", "hour must be 00-23"),
        ("2024-04-26T23:60", "minute must be 00-59"),
        ("2024-04-26T23:59:60", "second must be 00-59"),
        ("2024-04-26T16:30+14:01", "offset must be between -14:00 and +14:00"),
        ("2024-04-26T16:30-15:00", "offset must be between -14:00 and +14:00"),
        ("2024-04-26T16:30+05:60", "offset must be between -14:00 and +14:00"),
        ("2024-04-26T16:30:15.5", "fractional seconds are not supported"),
        ("2024-04-26T16:30:15,250Z", "fractional seconds are not supported"),
        ("2024-04-26T16", "a time needs hours and minutes (HH:MM)"),
        ("2024-04-26T16Z", "a time needs hours and minutes (HH:MM)"),
        ("2024-04-26T16:30?", "a qualifier (?, ~ or %) may only follow a date without a time"),
        ("2024-02-30/2024-03", "day is out of range for month"),
    ],
)
def test_invalid_dates(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=exactly(f"'{text}' is not a valid date: {reason}")):
        When.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "next week",
        "",
        "24",
        "202",
        "20245",
        "-2024",
        "2024-4-26",
        "2024-04-6",
        "2024/04/26",
        "26.04.2024",
        "2024-04-26t16:30",
        "2024-04-26 16:30",
        "2024-04-26T16:30z",
        "2024 -04",
        "2024-04-26T16:30+08",
        "2024-04-26T16:30+8:00",
        "2024-04-26T16:30+08:00:00",
        "2024??",
        "?2024",
        "2024-W17",
        "2024-117",
        "1/2/3",
        "2024-04\n-26",
        "\uff12\uff10\uff12\uff14",  # full-width digits
        "\u0662\u0660\u0662\u0664-04",  # Arabic-Indic digits
    ],
)
def test_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match=exactly(f"{quote(text.strip())} is not a date: {FORMS}")):
        When.parse(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "../2024",
            "give its start (mark it ? if it is uncertain); only the end may be open (A/..)",
        ),
        ("/2024", "give its start (mark it ? if it is uncertain); only the end may be open (A/..)"),
        ("/", "give its start (mark it ? if it is uncertain); only the end may be open (A/..)"),
        ("../..", "give its start (mark it ? if it is uncertain); only the end may be open (A/..)"),
        ("2024/", "an unknown end is not supported; give the end, or .. for an open one (A/..)"),
    ],
)
def test_open_starts_and_unknown_ends_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=exactly(f"'{text}' is not a valid interval: {why}")):
        When.parse(text)


# --- When: seasons and open ends (EDTF level 1) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "start", "end"),
    [
        ("2024-21", "spring", D(2024, 3, 1), D(2024, 5, 31)),
        ("2024-22", "summer", D(2024, 6, 1), D(2024, 8, 31)),
        ("2024-23", "autumn", D(2024, 9, 1), D(2024, 11, 30)),
        ("2024-24", "winter", D(2024, 12, 1), D(2025, 2, 28)),
        ("2023-24", "winter", D(2023, 12, 1), D(2024, 2, 29)),
        ("9998-24", "winter", D(9998, 12, 1), D(9999, 2, 28)),
    ],
)
def test_every_season_is_its_three_meteorological_months(
    text: str, name: str, start: dt.date, end: dt.date
) -> None:
    when = When.parse(text)
    (part,) = when.parts
    assert (part.year, part.month, part.season, part.season_name) == (
        int(text[:4]),
        None,
        int(text[5:]),
        name,
    )
    assert when.precision == "season"
    assert (when.start_date(), when.end_date()) == (start, end)
    assert (when.start_iso(), when.end_iso()) == (start.isoformat(), end.isoformat())
    assert not when.is_interval
    assert not when.open_end


@pytest.mark.parametrize(
    ("mark", "qualifier"), [("?", "uncertain"), ("~", "approximate"), ("%", "both")]
)
def test_a_season_takes_each_qualifier_and_keeps_its_text(mark: str, qualifier: str) -> None:
    when = When.parse(f" 2024-23{mark} ")
    assert when.text == f"2024-23{mark}"
    assert when.qualifier == qualifier
    assert when.precision == "season"
    assert when.start_iso() == "2024-09-01"


def test_seasons_make_intervals_with_each_other_and_with_months() -> None:
    when = When.parse("2024-21/2024-23")
    assert (when.start_iso(), when.end_iso(), when.precision) == (
        "2024-03-01",
        "2024-11-30",
        "season",
    )
    when = When.parse("2024-04/2024-22~")
    assert (when.start_iso(), when.end_iso(), when.precision) == (
        "2024-04-01",
        "2024-08-31",
        "season",
    )
    assert When.parse("2024-24/2025-21").end_iso() == "2025-05-31"
    with pytest.raises(ValueError, match="the end is before the start"):
        When.parse("2024-23/2024-21")
    with pytest.raises(ValueError, match="the end is before the start"):
        When.parse("2024-22/2024-05")


@pytest.mark.parametrize(
    ("text", "precision", "qualifier", "start_iso"),
    [
        ("2024-04/..", "month", None, "2024-04-01"),
        ("2024/..", "year", None, "2024-01-01"),
        ("2024-04-26/..", "day", None, "2024-04-26"),
        ("2024-21~/..", "season", "approximate", "2024-03-01"),
        ("2024-04?/..", "month", "uncertain", "2024-04-01"),
        ("2024-04-26T16:30+08:00/..", "minute", None, "2024-04-26T16:30+08:00"),
    ],
)
def test_an_open_end_keeps_its_start_and_gives_no_end(
    text: str, precision: str, qualifier: str | None, start_iso: str
) -> None:
    when = When.parse(text)
    assert when.text == text
    assert len(when.parts) == 1
    assert when.is_interval
    assert when.open_end
    assert (when.precision, when.qualifier, when.start_iso()) == (precision, qualifier, start_iso)
    # Never the start again: "from April on" is not "April".
    assert when.end_iso() is None
    assert when.end_date() is None
    assert when.end_datetime("Asia/Shanghai") is None


def test_an_open_end_is_not_a_single_date_where_one_is_needed() -> None:
    with pytest.raises(ValueError, match="is an interval"):
        Source(url="https://example.org/", published="2024-04/..")


def test_long_input_is_truncated_in_message() -> None:
    text = "x" * 100
    with pytest.raises(ValueError, match=exactly(f"'{'x' * 59}…' is not a date: {FORMS}")):
        When.parse(text)


# --- When: properties ------------------------------------------------------------------------


@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31)))
def test_any_real_date_parses_at_each_precision(day: dt.date) -> None:
    year, month, full = f"{day.year:04d}", f"{day.year:04d}-{day.month:02d}", day.isoformat()
    for text, precision in ((year, "year"), (month, "month"), (full, "day")):
        when = When.parse(text)
        assert when.precision == precision
        assert when.start_date() <= day <= when.end_date()
        assert when.start_iso() == when.start_date().isoformat()
        assert when.end_iso() == when.end_date().isoformat()
    assert When.parse(full).start_date() == When.parse(full).end_date() == day


@given(st.text())
def test_random_text_parses_or_raises_value_error(text: str) -> None:
    problem = None
    try:
        when = When.parse(text)
    except ValueError as error:
        problem = str(error)
    else:
        assert when.start_date() <= (when.end_date() or when.start_date())
    # error messages stay on one line, whatever the input
    assert problem is None or "\n" not in problem


@given(
    st.datetimes(max_value=dt.datetime(9998, 12, 31, 23, 59)),  # noqa: DTZ001  # naive on purpose
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.booleans(),
)
def test_any_timed_instant_round_trips(moment: dt.datetime, offset: int, compact: bool) -> None:
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    normal = f"{sign}{hours:02d}:{minutes:02d}"
    written = normal.replace(":", "") if compact else normal
    stamp = moment.isoformat(timespec="seconds")
    when = When.parse(stamp + written)
    tz = dt.timezone(dt.timedelta(minutes=offset))
    assert when.precision == "second"
    assert when.start_datetime() == moment.replace(microsecond=0, tzinfo=tz)
    assert when.start_iso() == when.end_iso() == stamp + normal
    assert not when.needs_timezone


@given(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31)),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31)),
)
def test_day_intervals_accept_order_and_refuse_reversal(a: dt.date, b: dt.date) -> None:
    first, last = min(a, b), max(a, b)
    when = When.parse(f"{first.isoformat()}/{last.isoformat()}")
    assert (when.start_date(), when.end_date()) == (first, last)
    if first != last:
        with pytest.raises(ValueError, match="the end is before the start"):
            When.parse(f"{last.isoformat()}/{first.isoformat()}")


@given(
    st.from_regex(
        r"\A[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?"
        r"(Z|[+-][0-9]{2}:?[0-9]{2})?)?)?)?[?~%]?"
        r"(/([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~%]?|\.\.))?\Z"
    )
)
def test_date_shaped_text_parses_or_raises_value_error(text: str) -> None:
    try:
        when = When.parse(text)
    except ValueError:
        return
    end = when.end_date()
    assert end is None if text.endswith("/..") else when.start_date() <= end
    assert when.precision in ("year", "season", "month", "day", "minute", "second")


# --- helpers ---------------------------------------------------------------------------------


@attrs.frozen
class Thing:
    """A throwaway class exercising the shared validators."""

    id: str = attrs.field(validator=slug_id)
    label: str = attrs.field(converter=strip, validator=non_empty_str(10))
    note: str | None = attrs.field(default=None, converter=strip_or_none, validator=optional_str(5))
    country: str | None = attrs.field(default=None, converter=to_country, validator=country_code)


def test_quote() -> None:
    assert quote("abc") == "'abc'"
    assert quote("a\nb") == "'a\\nb'"
    assert quote(91.5) == "'91.5'"
    assert quote("y" * 60) == f"'{'y' * 60}'"
    assert quote("y" * 61) == f"'{'y' * 59}…'"


def test_helpers_accept_and_normalise() -> None:
    thing = Thing("g20-summit-2024", "  Label ", note="  ", country=" cn ")
    assert thing == Thing("g20-summit-2024", "Label", note=None, country="CN")
    assert Thing("a", "x", note=" ok ").note == "ok"
    assert Thing("a", "x", country="").country is None
    assert Thing("a", "x" * 10).label == "x" * 10


@pytest.mark.parametrize(
    "bad",
    ["", "A", "a_b", "a--b", "-a", "a-", "a b", "é", "a.b", "x" * 201],
)
def test_slug_id_refuses(bad: str) -> None:
    if len(bad) > 200:
        error = f"{quote(bad)} is not a valid id: at most 200 characters"
    else:
        error = f"{bad!r} is not a valid id: use lowercase letters, digits and hyphens"
    with pytest.raises(ValueError, match=exactly(error)):
        Thing(bad, "x")


def test_slug_id_accepts_200_characters() -> None:
    assert Thing("a" * 200, "x").id == "a" * 200


def test_text_validators_refuse() -> None:
    with pytest.raises(ValueError, match=exactly("'' is empty: a value is required")):
        Thing("a", "   ")
    with pytest.raises(
        ValueError, match=exactly(f"'{'x' * 11}' is too long: at most 10 characters")
    ):
        Thing("a", "x" * 11)
    with pytest.raises(ValueError, match=exactly("'toolong' is too long: at most 5 characters")):
        Thing("a", "x", note="toolong")
    with pytest.raises(TypeError, match="expected a string, got int"):
        Thing("a", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a string, got int"):
        Thing(5, "x")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["ZZ", "UK", "CHN", "C", "\u0131t", "\u017fe"])
def test_country_code_refuses(bad: str) -> None:
    expected = bad.upper() if bad.isascii() else bad
    error = f"{expected!r} is not an ISO 3166-1 alpha-2 country code"
    with pytest.raises(ValueError, match=exactly(error)):
        Thing("a", "x", country=bad)


# --- Participant -----------------------------------------------------------------------------


def test_participant_good() -> None:
    person = Participant(" Wang Yi ", role=" Foreign Minister ", country="cn")
    assert person == Participant("Wang Yi", "Foreign Minister", "CN")
    assert Participant("Antony Blinken") == Participant("Antony Blinken", role="", country=" ")
    assert Participant("Vjosa Osmani", country="xk").country == "XK"
    assert Participant("x" * 200).name == "x" * 200


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": ""}, "'' is empty: a value is required"),
        ({"name": "  \t "}, "'' is empty: a value is required"),
        ({"name": "x" * 201}, f"'{'x' * 59}…' is too long: at most 200 characters"),
        ({"name": "A", "role": "r" * 301}, f"'{'r' * 59}…' is too long: at most 300 characters"),
        ({"name": "A", "country": "ZZ"}, "'ZZ' is not an ISO 3166-1 alpha-2 country code"),
        ({"name": "A", "country": "usa"}, "'USA' is not an ISO 3166-1 alpha-2 country code"),
    ],
)
def test_participant_bad(kwargs: dict[str, str], error: str) -> None:
    with pytest.raises(FieldError) as refused:
        Participant(**kwargs)
    assert refused.value.message == error


def test_participant_wrong_types() -> None:
    with pytest.raises(FieldError, match=r"^name: "):
        Participant(None)  # type: ignore[arg-type]
    with pytest.raises(FieldError, match=r"^country: "):
        Participant("A", country=86)  # type: ignore[arg-type]


# --- Place -----------------------------------------------------------------------------------


def test_place_good() -> None:
    hall = Place(name=" Great Hall of the People ", city="Beijing", country="cn", lat=40, lon=116.4)
    assert hall.name == "Great Hall of the People"
    assert hall.country == "CN"
    assert hall.lat == 40.0
    assert isinstance(hall.lat, float)
    assert hall.lon == 116.4
    assert Place(city="Geneva") == Place(name="", city="Geneva", country="")
    assert Place(name="Camp David").city is None
    assert Place(name="Pole", lat=-90, lon=180).lat == -90.0
    assert Place(name="Edge", lat=90.0, lon=-180.0).lon == -180.0


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, "a place needs a name or a city"),
        ({"name": " ", "city": ""}, "a place needs a name or a city"),
        ({"city": "Paris", "lat": 48.8}, "latitude and longitude must be given together"),
        ({"city": "Paris", "lon": 2.3}, "latitude and longitude must be given together"),
        (
            {"city": "X", "lat": 90.5, "lon": 0},
            "'90.5' is not a latitude: must be between -90 and 90",
        ),
        (
            {"city": "X", "lat": -91, "lon": 0},
            "'-91.0' is not a latitude: must be between -90 and 90",
        ),
        (
            {"city": "X", "lat": 0, "lon": 180.01},
            "'180.01' is not a longitude: must be between -180 and 180",
        ),
        (
            {"city": "X", "lat": float("nan"), "lon": 0},
            "'nan' is not a latitude: must be between -90 and 90",
        ),
        (
            {"city": "X", "lat": 0, "lon": 10**400},
            f"{quote(10**400)} is not a longitude: must be between -180 and 180",
        ),
        ({"city": "Paris", "country": "FX"}, "'FX' is not an ISO 3166-1 alpha-2 country code"),
    ],
)
def test_place_bad(kwargs: dict[str, object], error: str) -> None:
    with pytest.raises(ValueError, match=exactly(error)):
        Place(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("lat", "lon"), [(True, 0), (0, False), ("48.8", 2.3), (1, 2j)])
def test_place_coordinates_must_be_numbers(lat: object, lon: object) -> None:
    with pytest.raises(FieldError, match="expected a number"):
        Place(city="Paris", lat=lat, lon=lon)  # type: ignore[arg-type]


# --- Source ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.fmprc.gov.cn/eng/xw/zyxw/202404/t20240426_11289939.html",
        "http://example.org",
        "HTTPS://Example.org/path?q=1#frag",
        "https://user@example.org:8443/",
        "https://[2001:db8::1]/statement",
        "https://example.org/报告",
    ],
)
def test_source_good_urls(url: str) -> None:
    assert Source(f"  {url} ").url == url


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("javascript:alert(1)", "'javascript:alert(1)' is not an http(s) URL"),
        ("ftp://example.org/file", "'ftp://example.org/file' is not an http(s) URL"),
        ("https://", "'https://' is not an http(s) URL"),
        ("https:///path", "'https:///path' is not an http(s) URL"),
        ("example.org", "'example.org' is not an http(s) URL"),
        ("//example.org", "'//example.org' is not an http(s) URL"),
        ("", "'' is not an http(s) URL"),
        (
            "https://example.org/a b",
            "'https://example.org/a b' is not an http(s) URL: "
            "it contains whitespace or control characters",
        ),
        (
            "https://example.org/\x00",
            "'https://example.org/\\x00' is not an http(s) URL: "
            "it contains whitespace or control characters",
        ),
        (
            "https://exa\u200bmple.org/",
            "'https://exa\\u200bmple.org/' is not an http(s) URL: "
            "it contains whitespace or control characters",
        ),
    ],
)
def test_source_bad_urls(url: str, error: str) -> None:
    with pytest.raises(ValueError, match=exactly(error)):
        Source(url)


def test_source_fields() -> None:
    source = Source(
        "https://example.org/s",
        title=" Joint statement ",
        publisher=" Ministry of Foreign Affairs ",
        published=" 2024-04-26T16:30+0800 ",
    )
    assert source.title == "Joint statement"
    assert source.publisher == "Ministry of Foreign Affairs"
    assert source.published == "2024-04-26T16:30+0800"
    assert Source("https://example.org/s", title="", published="").published is None
    for published in ("2024", "2024-04", "2024-04-26?", "2024-04-26T16:30:15Z"):
        assert Source("https://example.org", published=published).published == published


def test_source_bad_published() -> None:
    with pytest.raises(
        ValueError, match=exactly("'2024/2025' is an interval: give a single date or date-time")
    ):
        Source("https://example.org", published="2024/2025")
    with pytest.raises(ValueError, match=exactly(f"'yesterday' is not a date: {FORMS}")):
        Source("https://example.org", published="yesterday")
    with pytest.raises(
        ValueError, match=exactly("'2023-02-29' is not a valid date: day is out of range for month")
    ):
        Source("https://example.org", published="2023-02-29")


# --- Role ------------------------------------------------------------------------------------


def test_role_good() -> None:
    role = Role(" Minister of Foreign Affairs ", organization=" MFA ", from_="2023-07", to="")
    assert role == Role("Minister of Foreign Affairs", "MFA", "2023-07", None)
    assert Role("Envoy", from_="2019", to="2021-03~").to == "2021-03~"
    assert Role("Envoy", to="2021").from_ is None
    assert Role("Envoy", from_="2019-03-05", to="2019-03").to == "2019-03"
    assert Role("Envoy", from_="2019-03-05", to="2019-03-05").to == "2019-03-05"
    assert Role("Envoy", from_="2019?/2020", to="2022").from_ == "2019?/2020"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"title": ""}, "'' is empty: a value is required"),
        ({"title": "t" * 301}, f"'{'t' * 59}…' is too long: at most 300 characters"),
        (
            {"title": "Envoy", "from_": "2019-13"},
            "'2019-13' is not a valid date: month must be 01-12, or 21-24 for a season",
        ),
        ({"title": "Envoy", "to": "soon"}, f"'soon' is not a date: {FORMS}"),
        ({"title": "Envoy", "from_": "2019", "to": "2018"}, "'2018' is before the start '2019'"),
        (
            {"title": "Envoy", "from_": "2019-03-05", "to": "2019-02"},
            "'2019-02' is before the start '2019-03-05'",
        ),
        (
            {"title": "Envoy", "from_": "2019-03-05T10:00Z", "to": "2019-03-05T09:00Z"},
            "'2019-03-05T09:00Z' is before the start '2019-03-05T10:00Z'",
        ),
    ],
)
def test_role_bad(kwargs: dict[str, str], error: str) -> None:
    with pytest.raises(FieldError) as refused:
        Role(**kwargs)
    assert refused.value.message == error


@pytest.mark.parametrize(
    ("text", "zone", "problem"),
    [
        ("2024-03-10T02:30", "America/New_York", "does not exist"),
        ("2024-11-03T01:30", "America/New_York", "happens twice"),
        ("2024-03-31T02:15", "Europe/Paris", "does not exist"),
        ("2024-04-26T16:30", "Asia/Shanghai", None),
        ("2024-03-10T02:30-05:00", "America/New_York", None),  # an offset says which
    ],
)
def test_local_times_that_clocks_skip_or_repeat(text: str, zone: str, problem: str | None) -> None:
    found = When.parse(text).local_time_problem(zone)
    if problem is None:
        assert found is None
    else:
        assert found == (
            f"{text!r} {problem} in {zone} (clocks change that night); "
            "give an offset such as +01:00"
        )


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-05/2024", "2024-05-01", "2024-12-31"),
        ("2024-04-26/2024-04", "2024-04-26", "2024-04-30"),
        ("2024-04-26T10:00Z/2024-04-26", "2024-04-26T10:00Z", "2024-04-26"),
    ],
)
def test_an_interval_whose_coarser_end_covers_its_start(text: str, start: str, end: str) -> None:
    when = When.parse(text)
    assert (when.start_iso(), when.end_iso()) == (start, end)
