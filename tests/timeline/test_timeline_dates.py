"""Seasons and open ends (EDTF level 1) through the real CLI, every export's own parser,
and Datasette: accepted as written, stored as given, and shown as honestly as each
format allows (a season as its months, an open end as "from")."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import jsonschema
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from timeline.exports import json_doc

from timeline.cli import cli

SPRING = "2024-spring-ai-talks"
WINTER = "2023-winter-arctic-consultations"
FROM_APRIL = "2024-04-maritime-dialogue"
FROM_NOON = "2024-05-20-ceasefire-talks"

ADDS = [
    ["meeting", "--title", "AI talks", "--when", "2024-21", "--with", "Wang Yi"],
    ["talks", "--title", "Arctic consultations", "--when", "2023-24?", "--with", "A"],
    ["talks", "--title", "Maritime dialogue", "--when", "2024-04/..", "--with", "B"],
    [
        "talks",
        "--title",
        "Ceasefire talks",
        "--when",
        "2024-05-20T12:00+03:00/..",
        "--timezone",
        "Asia/Riyadh",
        "--with",
        "C",
    ],
]


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def dated(runner: CliRunner) -> CliRunner:
    """A timeline with a season, an uncertain winter and two open ends, added by the CLI."""
    for add in ADDS:
        ok(runner, "add", *add)
    return runner


def events(ics: str) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(ics)
    return {str(e["UID"]).removesuffix("@timeline.invalid"): e for e in calendar.walk("VEVENT")}


def developments(doc: str) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in json.loads(doc)["developments"]}


def test_the_dates_are_kept_as_given_and_the_ids_name_the_season(dated: CliRunner, db_path):
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT id, [when], start, [end], precision, qualifier FROM developments ORDER BY start"
        ).fetchall()
        stored = [json.loads(d)["when"] for (d,) in conn.execute("SELECT data FROM events")]
    conn.close()
    assert stored == ["2024-21", "2023-24?", "2024-04/..", "2024-05-20T12:00+03:00/.."]
    assert rows == [
        (WINTER, "2023-24?", "2023-12-01", "2024-02-29", "season", "uncertain"),
        (SPRING, "2024-21", "2024-03-01", "2024-05-31", "season", None),
        (FROM_APRIL, "2024-04/..", "2024-04-01", None, "month", None),
        (FROM_NOON, "2024-05-20T12:00+03:00/..", "2024-05-20T12:00+03:00", None, "minute", None),
    ]


def test_show_says_a_season_and_an_open_end(dated: CliRunner) -> None:
    assert "when:         2024-21  (season: 2024-03-01 to 2024-05-31)" in ok(dated, "show", SPRING)
    assert "when:         2024-04/..  (month: from 2024-04-01 on, the end not known)" in ok(
        dated, "show", FROM_APRIL
    )


def test_ical_shows_a_season_as_its_months_and_an_open_end_at_its_start(dated: CliRunner):
    found = events(ok(dated, "export", "ical"))
    spring = found[SPRING]
    assert (spring.decoded("DTSTART"), spring.decoded("DTEND")) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 6, 1),
    )
    assert str(spring["DESCRIPTION"]).startswith(
        "Date known to the season: spring 2024 (March to May 2024)"
    )
    winter = found[WINTER]
    assert (winter.decoded("DTSTART"), winter.decoded("DTEND")) == (
        dt.date(2023, 12, 1),
        dt.date(2024, 3, 1),
    )
    assert str(winter["DESCRIPTION"]).startswith(
        "Date known to the season, uncertain: winter 2023 (December 2023 to February 2024)"
    )
    # An open end is a one-day event at its start, never a span to an invented end.
    april = found[FROM_APRIL]
    assert (april.decoded("DTSTART"), april.decoded("DTEND")) == (
        dt.date(2024, 4, 1),
        dt.date(2024, 4, 2),
    )
    assert str(april["DESCRIPTION"]).startswith("From April 2024; the end is not known")
    noon = found[FROM_NOON]
    assert noon.decoded("DTSTART") == dt.datetime(
        2024, 5, 20, 12, tzinfo=noon.decoded("DTSTART").tzinfo
    )
    assert noon.decoded("DTSTART").utcoffset() == dt.timedelta(hours=3)
    assert "DTEND" not in noon
    description = str(noon["DESCRIPTION"])
    assert description.startswith("From 20 May 2024, 12:00 (Asia/Riyadh); the end is not known")
    assert "The end time is not known." not in description  # said once


def test_json_is_valid_against_the_shipped_schema(dated: CliRunner) -> None:
    doc = ok(dated, "export", "json")
    jsonschema.validate(json.loads(doc), json_doc.schema())
    found = developments(doc)
    assert {k: found[SPRING][k] for k in ("when", "start", "end", "precision")} == {
        "when": "2024-21",
        "start": "2024-03-01",
        "end": "2024-05-31",
        "precision": "season",
    }
    assert {k: found[FROM_APRIL][k] for k in ("when", "start", "end", "precision")} == {
        "when": "2024-04/..",
        "start": "2024-04-01",
        "end": None,
        "precision": "month",
    }


def test_the_schema_allows_a_null_end_only_for_an_open_when(dated: CliRunner) -> None:
    doc = json.loads(ok(dated, "export", "json"))
    closed = next(d for d in doc["developments"] if d["id"] == SPRING)
    closed["end"] = None
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json_doc.schema())
    closed["end"], closed["precision"] = "2024-05-31", "spring"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json_doc.schema())


def test_timelinejs_gives_a_season_its_months_and_an_open_end_no_end(dated: CliRunner) -> None:
    found = {e["unique_id"]: e for e in json.loads(ok(dated, "export", "timelinejs"))["events"]}
    assert found[SPRING]["start_date"] == {"year": "2024", "month": "3"}
    assert found[SPRING]["end_date"] == {"year": "2024", "month": "5"}
    assert found[SPRING]["display_date"] == "spring 2024"
    assert found[WINTER]["end_date"] == {"year": "2024", "month": "2"}
    assert found[WINTER]["display_date"] == "winter 2023?"
    assert found[FROM_APRIL]["start_date"] == {"year": "2024", "month": "4"}
    assert "end_date" not in found[FROM_APRIL]
    assert found[FROM_APRIL]["display_date"] == "from April 2024"


def test_atom_and_the_page_say_it_in_words(dated: CliRunner) -> None:
    feed = feedparser.parse(ok(dated, "export", "atom"))
    content = {e.id.rsplit(":", 1)[1]: e.content[0].value for e in feed.entries}
    assert "<strong>from April 2024</strong>" in content[FROM_APRIL]
    assert "<strong>spring 2024</strong>" in content[SPRING]
    page = ok(dated, "export", "html")
    data = json.loads(
        re.search(r'id="timeline-data">(.*?)</script>', page, re.S).group(1).replace("<\\/", "</")
    )
    dates = dict(zip((d["id"] for d in data["developments"]), data["dates"], strict=True))
    assert dates[FROM_APRIL] == {
        "text": "from April 2024",
        "note": "From April 2024; the end is not known",
        "open": True,
    }
    assert dates[SPRING]["open"] is False


@pytest.mark.parametrize(
    ("bounds", "selected"),
    [
        # Spring covers April, and an interval open from April overlaps it.
        (("--from", "2024-04", "--to", "2024-04"), [SPRING, FROM_APRIL]),
        # An open end overlaps every later range; winter 2023 ends in February 2024.
        (("--from", "2025", "--to", "2025"), [FROM_APRIL, FROM_NOON]),
        (("--from", "2024-02-29", "--to", "2024-03-01"), [WINTER, SPRING]),
        (("--to", "2024-03"), [WINTER, SPRING]),
        (("--from", "2024-06"), [FROM_APRIL, FROM_NOON]),
        # A season is a bound too: its first and last days.
        (("--from", "2024-22", "--to", "2024-22"), [FROM_APRIL, FROM_NOON]),
    ],
)
def test_from_and_to_select_seasons_and_open_ends_by_overlap(
    dated: CliRunner, bounds: tuple[str, ...], selected: list[str]
) -> None:
    assert list(developments(ok(dated, "export", "json", *bounds))) == selected


def test_the_between_dates_query_selects_as_the_export_does(dated: CliRunner, db_path, plugin):
    async def run() -> list[Any]:
        ds = Datasette([str(db_path)])
        await ds.invoke_startup()
        urls = [
            "/timeline/between_dates.json?from=2024-04&to=2024-04&_shape=array",
            "/timeline/between_dates.json?from=2030&to=&_shape=array",
        ]
        return [(await ds.client.get(url)).json() for url in urls]

    april, later = asyncio.run(run())
    assert [row["id"] for row in april] == [SPRING, FROM_APRIL]
    assert [row["id"] for row in later] == [FROM_APRIL, FROM_NOON]
    assert later[0]["end"] is None


@pytest.mark.parametrize(
    ("when", "error"),
    [
        (
            "2024-25",
            "'2024-25' is not a valid date: month must be 01-12, or 21-24 for a season",
        ),
        (
            "2024-21/2024-20",
            "'2024-21/2024-20' is not a valid date: month must be 01-12, or 21-24 for a season",
        ),
        (
            "../2024-04",
            "'../2024-04' is not a valid interval: give its start (mark it ? if it is"
            " uncertain); only the end may be open (A/..)",
        ),
        (
            "2024-23/2024-21",
            "'2024-23/2024-21' is not a valid interval: the end is before the start",
        ),
    ],
)
def test_refused_dates_are_one_line_naming_the_flag(
    runner: CliRunner, db_path: Path, when: str, error: str
) -> None:
    result = runner.invoke(cli, ["add", "meeting", "--title", "T", "--with", "A", "--when", when])
    assert result.exit_code == 1
    assert result.stderr == f"Error: --when: {error}\n"
