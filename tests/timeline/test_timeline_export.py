"""`timeline export` and the Datasette renderers: what is selected, byte for byte."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import jsonschema
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from support import import_sample, query_path
from timeline.exports import json_doc, record

from timeline.cli import cli

MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
VISIT = "2024-04-24-antony-blinken-visits-china"
SUMMIT = "2023-11-15-biden-xi-summit"


def export(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, ["export", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def uids(ics: str) -> list[str]:
    calendar = icalendar.Calendar.from_ical(ics)
    return [str(e["UID"]).removesuffix("@timeline.invalid") for e in calendar.walk("VEVENT")]


def ids(doc: str) -> list[str]:
    return [d["id"] for d in json.loads(doc)["developments"]]


@pytest.fixture
def sample(db, runner: CliRunner) -> CliRunner:
    import_sample(db)
    return runner


def test_every_format_exports_the_sample(sample: CliRunner) -> None:
    ics = export(sample, "ical")
    assert len(uids(ics)) == 13  # the four scheduled developments have no date
    doc = export(sample, "json")
    jsonschema.validate(json.loads(doc), json_doc.schema())
    assert len(ids(doc)) == 17
    tl = json.loads(export(sample, "timelinejs"))
    assert len(tl["events"]) == 13


def test_the_atom_feed_lists_new_and_changed_developments_newest_first(
    sample: CliRunner, db
) -> None:
    revised = sample.invoke(
        cli, ["revise", MEETING, "--summary", "Later detail", "--reason", "more known"]
    )
    assert revised.exit_code == 0, revised.output
    feed = feedparser.parse(export(sample, "atom", "--feed-url", "https://example.org/f.atom"))
    assert not feed.bozo
    assert feed.feed.id == "https://example.org/f.atom"
    assert len(feed.entries) == 17
    created, updated = db.execute(
        "SELECT created_at, updated_at FROM developments WHERE id = ?", [MEETING]
    ).fetchone()
    first = feed.entries[0]
    assert first.id == f"tag:timeline.invalid,{created[:10]}:{MEETING}"
    assert first.updated == updated
    assert first.published == created
    assert "Later detail" in first.content[0].value
    assert [e.updated for e in feed.entries[1:]] == [created] * 16
    only = feedparser.parse(export(sample, "atom", "--kind", "meeting"))
    assert [e.id.rsplit(":", 1)[1] for e in only.entries] == [MEETING]
    bad = sample.invoke(cli, ["export", "atom", "--feed-url", "ftp://example.org/f"])
    assert (bad.exit_code, bad.stdout) == (2, "")
    assert bad.stderr == (
        "Error: Invalid value for '--calendar-url' / '--feed-url': 'ftp://example.org/f' is "
        "not an http(s) URL (see: cli export --help)\n"
    )


@pytest.mark.parametrize("fmt", ["ical", "json", "timelinejs", "atom"])
def test_two_exports_are_byte_identical(sample: CliRunner, fmt: str) -> None:
    assert export(sample, fmt) == export(sample, fmt)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--kind", "meeting"], [MEETING]),
        (["--kind", "summit", "--kind", "visit"], [SUMMIT, VISIT, "liu-zhenmin-visit-to-the-us"]),
        (["--from", "2024-04-25", "--to", "2024-04-25"], [VISIT]),  # overlaps the visit
        (["--to", "2023"], [SUMMIT]),
        (["--from", "2024-04", "--kind", "visit"], [VISIT]),
        (["--tag", "taiwan"], ["2024-04-26-wang-yi-holds-talks-with-antony-blinken"]),
        (["--actor", "JOE BIDEN"], [SUMMIT]),
        (["--country", "us", "--kind", "summit"], [SUMMIT]),
        (["--status", "scheduled", "--kind", "visit"], ["liu-zhenmin-visit-to-the-us"]),
    ],
)
def test_filters(sample: CliRunner, args: list[str], expected: list[str]) -> None:
    assert ids(export(sample, "json", *args)) == expected


def test_the_json_document_records_its_filters_and_position(sample: CliRunner, db) -> None:
    doc = json.loads(export(sample, "json", "--kind", "meeting", "--from", "2024"))
    head = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    assert doc["generated_from"] == {"seq": head[0], "hash": head[1]}
    assert doc["filters"]["kinds"] == ["meeting"]
    assert doc["filters"]["from"] == "2024-01-01"


def test_as_of_reproduces_an_earlier_export(sample: CliRunner, db) -> None:
    seq = db.execute("SELECT MAX(seq) FROM events").fetchone()[0]
    before = {fmt: export(sample, fmt) for fmt in ("ical", "json", "timelinejs")}
    recorded = db.execute("SELECT recorded_at FROM events WHERE seq = ?", [seq]).fetchone()[0]
    result = sample.invoke(
        cli, ["revise", MEETING, "--summary", "Later detail", "--reason", "more known"]
    )
    assert result.exit_code == 0, result.output
    result = sample.invoke(cli, ["retract", VISIT, "--reason", "test"])
    assert result.exit_code == 0, result.output
    assert export(sample, "ical") != before["ical"]
    assert export(sample, "ical", "--as-of", str(seq)) == before["ical"]
    assert export(sample, "timelinejs", "--as-of", str(seq)) == before["timelinejs"]
    as_of = json.loads(export(sample, "json", "--as-of", str(seq)))
    assert as_of["as_of"] == str(seq)
    assert {**as_of, "as_of": None} == json.loads(before["json"])
    assert export(sample, "ical", "--as-of", recorded) == before["ical"]


def test_output_file_and_errors(sample: CliRunner, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "china.ics"
    assert export(sample, "ical", "-o", str(target), "--country", "CN") == ""
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"\r\n" in target.read_bytes()
    assert b"\n\n" not in target.read_bytes()
    bad = sample.invoke(cli, ["export", "ical", "-o", str(tmp_path / "x.ics"), "--as-of", "soon"])
    assert bad.exit_code == 1
    assert bad.stderr == (
        "Error: --as-of: 'soon' is neither a seq nor a time like 2024-04-26T08:30:00Z\n"
    )
    assert not (tmp_path / "x.ics").exists()
    bad = sample.invoke(cli, ["export", "json", "--from", "2024-13"])
    assert bad.exit_code == 1
    assert (
        bad.stderr
        == "Error: --from: '2024-13' is not a valid date: month must be 01-12, or 21-24 for a season\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["china.ics"]


# --- Datasette renderers ----------------------------------------------------------------


@pytest.fixture
def datasette(db_path: Path, sample: CliRunner, plugin) -> Datasette:
    return Datasette([str(db_path)])


def get(ds: Datasette, path: str) -> Any:
    async def fetch() -> Any:
        await ds.invoke_startup()
        return await ds.client.get(path)

    return asyncio.run(fetch())


def test_ics_of_a_filtered_table(datasette: Datasette) -> None:
    response = get(datasette, "/timeline/developments.ics?kind=statement&_size=2")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    # The whole filtered selection, not the page of two rows.
    assert len(uids(response.text)) == 8
    assert response.text == "".join(response.text.splitlines(keepends=True))
    html = get(datasette, "/timeline/developments?kind=meeting").text
    assert 'href="/timeline/developments.ics?kind=meeting&amp;' in html


def test_ics_and_timelinejs_of_canned_queries(datasette: Datasette) -> None:
    response = get(datasette, "/timeline/between_dates.ics?from=2024-04-25&to=2024-04-25")
    assert uids(response.text) == [VISIT]
    quotes = get(datasette, "/timeline/quotes_by_speaker.timelinejs?speaker=Su+Xiaohui")
    assert quotes.status_code == 200
    events = json.loads(quotes.text)["events"]
    assert [e["unique_id"] for e in events] == ["2024-04-26-su-xiaohui-on-a-clear-signal"]


def test_a_result_without_the_id_column_is_refused_naming_it(datasette: Datasette) -> None:
    response = get(datasette, "/timeline/the_log.ics")
    assert response.status_code == 400
    assert response.text.startswith(
        "The .ics format needs a development id column (id or development); this result has: seq,"
    )


def test_calendar_url_becomes_the_source(sample: CliRunner) -> None:
    ics = export(sample, "ical", "--calendar-url", "https://example.org/china.ics")
    assert str(icalendar.Calendar.from_ical(ics)["SOURCE"]) == "https://example.org/china.ics"
    bad = sample.invoke(cli, ["export", "ical", "--calendar-url", "javascript:alert(1)"])
    assert bad.exit_code == 2
    assert bad.stdout == ""
    assert bad.stderr == (
        "Error: Invalid value for '--calendar-url' / '--feed-url': 'javascript:alert(1)' is "
        "not an http(s) URL (see: cli export --help)\n"
    )


def test_a_subscribed_calendar_names_its_own_url(datasette: Datasette) -> None:
    response = get(datasette, "/timeline/developments.ics?kind=meeting")
    calendar = icalendar.Calendar.from_ical(response.text)
    assert str(calendar["SOURCE"]) == "http://localhost/timeline/developments.ics?kind=meeting"


def test_a_query_keeps_its_own_limit_and_survives_a_comment(datasette: Datasette) -> None:
    limited = get(
        datasette,
        f"{query_path('timeline')}.ics?sql=select+id+from+developments+order+by+id+limit+2",
    )
    assert len(uids(limited.text)) == 2
    commented = get(
        datasette, f"{query_path('timeline')}.ics?sql=select+id+from+developments+--+all+of+them"
    )
    assert commented.status_code == 200
    assert len(uids(commented.text)) == 13


def test_the_log_itself_is_not_a_calendar(datasette: Datasette) -> None:
    response = get(datasette, "/timeline/events.ics")
    assert response.status_code == 400
    assert "the events table's id is an event id; use the developments table" in response.text


def test_export_errors_name_the_option(sample: CliRunner, tmp_path: Path) -> None:
    folder = sample.invoke(cli, ["export", "ical", "-o", str(tmp_path)])
    assert folder.stderr == f"Error: -o: {tmp_path} is a folder; name a file in it\n"
    beyond = sample.invoke(cli, ["export", "json", "--as-of", "99999"])
    assert beyond.stderr == "Error: --as-of: seq 99999 is past the end of the log (seq 27)\n"


def test_a_time_east_of_greenwich_on_the_first_day_exports(runner: CliRunner) -> None:
    """The earliest instant there is exports; one before it, in UTC, is refused."""
    args = ["add", "call", "--title", "Early", "--with", "A", "--when"]
    assert runner.invoke(cli, [*args, "0001-01-01T00:30+05:00"]).exit_code == 1
    assert runner.invoke(cli, [*args, "0001-01-01T05:30+05:00"]).exit_code == 0
    calendar = icalendar.Calendar.from_ical(export(runner, "ical"))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").isoformat() == "0001-01-01T00:30:00+00:00"


def test_the_html_page_embeds_each_record_whole_in_a_fixed_order(sample: CliRunner) -> None:
    page = export(sample, "html")
    start = page.index('id="timeline-data">') + len('id="timeline-data">')
    data = json.loads(page[start : page.index("</script>", start)])
    (meeting,) = [d for d in data["developments"] if d["id"] == MEETING]
    assert tuple(meeting) == record.FIELDS  # the record's order, as the JSON export's
    assert list(meeting["place"]) == ["id", "name", "city", "country", "lat", "lon"]
    assert meeting["part_of"] == VISIT
    assert [list(p) for p in meeting["participants"]] == [["name", "role", "country"]] * len(
        meeting["participants"]
    )
    assert {p["name"] for p in meeting["participants"]} >= {"Xi Jinping", "Antony Blinken"}


@pytest.mark.parametrize(
    ("point", "why"),
    [
        ("soon", "'soon' is neither a seq nor a time like 2024-04-26T08:30:00Z"),
        ("2024-04-26T08:30", "'2024-04-26T08:30' needs a time zone, e.g. a trailing Z for UTC"),
    ],
)
def test_a_bad_as_of_is_refused_before_the_database_is_opened(
    tmp_path: Path, point: str, why: str
) -> None:
    missing = tmp_path / "none.db"
    result = CliRunner().invoke(cli, ["export", "json", "--db", str(missing), "--as-of", point])
    assert (result.exit_code, result.stderr) == (1, f"Error: --as-of: {why}\n")
    assert not missing.exists()
    help_text = CliRunner().invoke(cli, ["export", "--help"]).stdout
    assert "--as-of SEQ|TIME" in help_text


def test_a_development_postponed_without_a_new_date_stays_in_the_calendar(
    runner: CliRunner,
) -> None:
    def vevent() -> Any:
        (event,) = icalendar.Calendar.from_ical(export(runner, "ical")).walk("VEVENT")
        return event

    def invoke(*args: str) -> None:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output

    invoke("add", "scheduled", "--id", "ai-dialogue", "--title", "AI dialogue",
           "--kind", "dialogue", "--when", "2024-05-14")  # fmt: skip
    assert (vevent()["SUMMARY"], vevent()["STATUS"], vevent()["SEQUENCE"]) == (
        "AI dialogue",
        "TENTATIVE",
        1,
    )
    invoke("postpone", "ai-dialogue", "--reason", "agenda not agreed")
    event = vevent()
    # Same UID, at the date it had, marked postponed: an update, never a deletion.
    assert str(event["UID"]) == "ai-dialogue@timeline.invalid"
    assert event.decoded("DTSTART").isoformat() == "2024-05-14"
    assert (event["SUMMARY"], event["STATUS"], event["SEQUENCE"]) == (
        "Postponed: AI dialogue",
        "TENTATIVE",
        2,
    )
    assert str(event["DESCRIPTION"]).startswith(
        "Postponed: agenda not agreed\n"
        "The new date is not known yet; shown at the date it had (2024-05-14)."
    )
    # The tables and the JSON export keep the date unknown, and the date it had.
    (doc,) = json.loads(export(runner, "json"))["developments"]
    assert (doc["when"], doc["start"], doc["last_when"]) == (None, None, "2024-05-14")
    shown = runner.invoke(cli, ["show", "ai-dialogue"]).stdout
    assert "  when:         unknown (postponed; it was 2024-05-14)\n" in shown
    # A new date moves it there, and the mark goes.
    invoke("postpone", "ai-dialogue", "--when", "2024-06-20")
    event = vevent()
    assert event.decoded("DTSTART").isoformat() == "2024-06-20"
    assert (event["SUMMARY"], event["SEQUENCE"]) == ("AI dialogue", 3)
    # Called off before a new date came, it stays at that date, cancelled (as an event
    # cancelled on its date does); retracted, it leaves.
    invoke("postpone", "ai-dialogue")
    invoke("cancel", "ai-dialogue", "--reason", "called off")
    event = vevent()
    assert (event["SUMMARY"], event["STATUS"], event["SEQUENCE"]) == (
        "AI dialogue",
        "CANCELLED",
        5,
    )
    assert event.decoded("DTSTART").isoformat() == "2024-06-20"
    assert "Shown at the date it had before it was postponed (2024-06-20)." in str(
        event["DESCRIPTION"]
    )
    invoke("retract", "ai-dialogue", "--reason", "never announced")
    assert icalendar.Calendar.from_ical(export(runner, "ical")).walk("VEVENT") == []


def test_a_timed_development_has_its_end_time_or_says_it_is_not_known(
    runner: CliRunner,
) -> None:
    for when, title in (
        ("2024-04-26T16:30+08:00/2024-04-26T18:00+08:00", "Xi meets Blinken"),
        ("2024-04-26T10:30+08:00", "Wang meets Blinken"),
    ):
        result = runner.invoke(cli, ["add", "meeting", "--title", title, "--when", when,
                                     "--timezone", "Asia/Shanghai", "--with", "Wang Yi"])  # fmt: skip
        assert result.exit_code == 0, result.output
    events = {
        str(e["SUMMARY"]): e
        for e in icalendar.Calendar.from_ical(export(runner, "ical")).walk("VEVENT")
    }
    xi, wang = events["Xi meets Blinken"], events["Wang meets Blinken"]
    assert (xi.decoded("DTSTART").isoformat(), xi.decoded("DTEND").isoformat()) == (
        "2024-04-26T16:30:00+08:00",
        "2024-04-26T18:00:00+08:00",
    )
    assert "not known" not in str(xi["DESCRIPTION"])
    assert wang.decoded("DTSTART").isoformat() == "2024-04-26T10:30:00+08:00"
    assert "DTEND" not in wang
    assert "DURATION" not in wang
    assert str(wang["DESCRIPTION"]).startswith("The end time is not known.\n")


def test_a_tag_selects_whatever_its_case(sample: CliRunner) -> None:
    """Tags differing only in case are one tag, so a filter by one finds the other."""
    assert ids(export(sample, "json", "--tag", "TAIWAN")) == ids(
        export(sample, "json", "--tag", "taiwan")
    )
    assert ids(export(sample, "json", "--tag", "TAIWAN"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--country", "USA"],
            "Error: Invalid value for '--country': 'USA' is not an ISO 3166-1 alpha-2 country "
            "code (e.g. CN) nor an organisation such as EU, UN, NATO, ASEAN or AFU",
        ),
        (
            ["--domain", "a b;c"],
            "Error: Invalid value for '--domain': 'a b;c' is not a domain name like example.org",
        ),
        (
            ["--feed-url", "not a url"],
            "Error: Invalid value for '--calendar-url' / '--feed-url': 'not a url' is not an "
            "http(s) URL",
        ),
    ],
)
def test_an_option_that_would_select_nothing_or_break_ids_names_its_flag(
    sample: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "feed.atom"
    result = sample.invoke(cli, ["export", "atom", *args, "-o", str(out)])
    assert (result.exit_code, result.stderr) == (2, f"{message} (see: cli export --help)\n")
    assert not out.exists()
    assert export(sample, "atom", "--country", "eu")  # an organisation, in any case


def test_a_development_postponed_to_no_date_stays_in_ranges_holding_its_last_date(
    runner: CliRunner,
) -> None:
    """Calendars keep it at the date it had, marked postponed: a calendar of a range that
    holds that date keeps it too, or a subscriber's app would delete it."""
    runner.invoke(cli, ["add", "scheduled", "--kind", "meeting", "--title", "Planned",
                        "--when", "2024-06-10", "--id", "planned", "--with", "A; ; FR"])  # fmt: skip
    assert runner.invoke(cli, ["postpone", "planned"]).exit_code == 0
    for args, expected in (
        ([], ["planned"]),
        (["--from", "2024"], ["planned"]),
        (["--from", "2024-06-10", "--to", "2024-06-10"], ["planned"]),
        (["--to", "2025"], ["planned"]),
        (["--from", "2025"], []),
        (["--to", "2024-06-09"], []),
    ):
        assert uids(export(runner, "ical", *args)) == expected, args
    (event,) = icalendar.Calendar.from_ical(export(runner, "ical", "--from", "2024")).walk("VEVENT")
    assert (str(event["SUMMARY"]), event["DTSTART"].dt.isoformat()) == (
        "Postponed: Planned",
        "2024-06-10",
    )
