"""`timeline import FILE.csv` and `timeline export csv`: a spreadsheet in, the same columns out."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from strategies import creation_payload
from timeline.exports.spreadsheet import COLUMNS, TIMELINEJS_COLUMNS

from timeline import importers, service
from timeline.cli import cli
from timeline.db import open_db
from timeline.errors import InvalidEvent
from timeline.exporting import render
from timeline.selection import Filters

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
MONTHS = DATA / "month-only.csv"
HEADER = (
    "Headline,kind,Year,Month,Day,End Year,End Month,End Day,Time,timezone,country,city,id,"
    "participants"
)


def ok(runner: CliRunner, args: list[str], input: str | bytes | None = None) -> str:
    result = runner.invoke(cli, args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(runner: CliRunner, args: list[str]) -> str:
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def exported(runner: CliRunner, args: list[str]) -> str:
    """The export's text as written, CRLF line ends and all (``stdout`` would fold them)."""
    result = runner.invoke(cli, ["export", "csv", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


def rows(db_path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def sheet(tmp_path: Path, *lines: str, name: str = "sheet.csv") -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_a_month_or_a_year_alone_keeps_its_precision(runner: CliRunner, db_path: Path) -> None:
    out = ok(runner, ["import", str(MONTHS)])
    assert out == (
        "Imported month-only.csv (csv): 4 created, 0 revised, 0 unchanged; 4 events appended.\n"
    )
    found = rows(
        db_path, 'SELECT id, "when", start, "end", precision FROM developments ORDER BY start, id'
    )
    assert found == [
        ("wang-yi-washington-2023-10", "2023-10", "2023-10-01", "2023-10-31", "month"),
        ("maritime-2024", "2024~", "2024-01-01", "2024-12-31", "year"),
        (
            "2024-04-26-blinken-and-wang-yi-talk-in-beijing",
            "2024-04-26T09:30",
            "2024-04-26T09:30",
            "2024-04-26T09:30",
            "minute",
        ),
        ("sullivan-beijing-2024-08", "2024-08-27/2024-08-29", "2024-08-27", "2024-08-29", "day"),
    ]


def test_a_season_and_an_open_end_take_edtf_s_notation(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = sheet(
        tmp_path,
        "Headline,kind,Year,Month,End Year,qualifier,participants",
        "Spring talks,talks,2024,21,,,Wang Yi",
        "Open talks,talks,2024,4,..,~,Wang Yi",
    )
    ok(runner, ["import", str(path)])
    found = rows(db_path, 'SELECT "when", start, "end", precision FROM developments ORDER BY id')
    assert found == [
        ("2024-04~/..", "2024-04-01", None, "month"),
        ("2024-21", "2024-03-01", "2024-05-31", "season"),
    ]
    # Exported, they come back in the same cells, and the sheet imports as it was.
    written = parsed(exported(runner, []))
    cells = [(r["Year"], r["Month"], r["End Year"], r["qualifier"]) for r in written]
    assert sorted(cells) == [("2024", "21", "", ""), ("2024", "4", "..", "~")]
    for line, error in (
        ("Talks,talks,2024,21,5,,Wang Yi", "Error: row 2, column Month: a season (21) has no days"),
        ("Talks,talks,2024,4,..,4,Wang Yi", "Error: row 2, column End Month: an open end (..) has no Month"),
    ):  # fmt: skip
        bad = sheet(tmp_path, "Headline,kind,Year,Month,Day,End Month,participants", line)
        if "End Month" in error:
            bad = sheet(tmp_path, "Headline,kind,Year,Month,End Year,End Month,participants", line)
        assert refused(runner, ["import", str(bad)]) == error


def test_a_row_is_the_development_its_columns_say(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["import", str(MONTHS)])
    data = json.loads(
        rows(db_path, "SELECT data FROM events WHERE stream = 'wang-yi-washington-2023-10'")[0][0]
    )
    assert data == {
        "development": "wang-yi-washington-2023-10",
        "title": "Wang Yi visits Washington",
        "when": "2023-10",
        "summary": "Month only: a visit in October 2023.",
        "place": {"city": "Washington", "country": "US"},
        "participants": [{"name": "Wang Yi", "role": "Foreign Minister", "country": "CN"}],
        "sources": [{"url": "https://example.org/wang-yi"}],
        "tags": ["china-us", "visits"],
        "visitor": "Wang Yi",
        "host_country": "US",
    }
    talks = rows(
        db_path,
        "SELECT timezone, kind FROM developments WHERE id = "
        "'2024-04-26-blinken-and-wang-yi-talk-in-beijing'",
    )
    assert talks == [("Asia/Shanghai", "talks")]
    meta = rows(db_path, "SELECT meta FROM events WHERE stream = 'maritime-2024'")[0][0]
    assert json.loads(meta) == {"import": {"format": "csv", "file": "month-only.csv", "row": 4}}


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            "Talks,talks,20x4,,,,,,,,,,",
            "Error: row 2, column Year: '20x4' is not a year (1 to 9998)",
        ),
        (
            "Talks,talks,2024,13,,,,,,,,,",
            "Error: row 2, column Month: '13' is not a month (1 to 12, or 21 to 24 for a season)",
        ),
        ("Talks,talks,2024,,5,,,,,,,,", "Error: row 2, column Month: required with Day"),
        ("Talks,talks,2023,2,29,,,,,,,,", "Error: row 2, column Day: '29' is not a day of 2023-02"),
        (
            "Talks,talks,2024,4,26,,,,25:00,,,,",
            "Error: row 2, column Time: '25:00' is not a time of day",
        ),
        (
            "Talks,talks,2024,4,26,,,,09:30,,,,",
            "Error: row 2, column timezone: required for the local time '2024-04-26T09:30' "
            "(or give an offset such as +08:00)",
        ),
        (
            "Talks,,2024,,,,,,,,,,",
            "Error: row 2, column kind: required: one of meeting, talks, "
            "summit, call, visit, agreement, statement",
        ),
        (
            "Talks,party,2024,,,,,,,,,,",
            "Error: row 2, column kind: 'party' is not one of "
            "meeting, talks, summit, call, visit, agreement, statement",
        ),
        (
            "A visit,visit,1995,,,,,,,,SU,Moscow,",
            "Error: row 2, column country: 'SU' is a former code, valid only for U.S.S.R. "
            "1922-12-30 to 1991-12-26, not for 1995-01-01/1995-12-31",
        ),
        (
            "A visit,visit,2020,,,,,,,,ZZ,,",
            "Error: row 2, column country: 'ZZ' is not an ISO 3166-1 alpha-2 country code",
        ),
        (
            "A visit,visit,2020,,,,,,,,FR,Paris,,",
            "Error: row 2, column visitor: is required",
        ),
        (
            "Talks,talks,2024,5,,2024,4,,,,,,",
            "Error: row 2, column Year: '2024-05/2024-04' is not a valid interval: "
            "the end is before the start",
        ),
    ],
)
def test_an_error_names_the_row_and_the_column(
    runner: CliRunner, db_path: Path, tmp_path: Path, line: str, error: str
) -> None:
    if line.count(",") == 12:
        line += ",Wang Yi; Foreign Minister; CN"
    path = sheet(tmp_path, HEADER, line)
    assert refused(runner, ["import", str(path)]) == error
    assert rows(db_path, "SELECT COUNT(*) FROM events") == [(0,)]


def test_a_column_that_is_not_read_is_named(runner: CliRunner, tmp_path: Path) -> None:
    path = sheet(tmp_path, "Headline,Heading,kind,Year", "Talks,x,talks,2024")
    assert refused(runner, ["import", str(path)]) == (
        "Error: row 1, column Heading: 'Heading' is not a column timeline reads "
        "(TimelineJS's template or ours: kind, id, participants, place, city, country, "
        "source_url, tags…)"
    )


def test_the_format_may_be_given_for_any_name(runner: CliRunner, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        "kind,Headline,Year,participants",
        "call,Biden and Xi speak,2024,Joe Biden; President; US",
        name="calls.txt",
    )
    out = ok(runner, ["import", str(path), "--format", "csv", "--json"])
    assert json.loads(out)["created"] == 1


def test_an_edited_cell_is_one_revision_of_that_field(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    text = MONTHS.read_text(encoding="utf-8")
    path = tmp_path / "month-only.csv"
    path.write_text(text, encoding="utf-8")
    ok(runner, ["import", str(path)])
    assert "0 events appended" in ok(runner, ["import", str(path)])
    path.write_text(text.replace("Month only: a visit", "A visit"), encoding="utf-8")
    out = ok(runner, ["import", str(path)])
    assert out == (
        "Imported month-only.csv (csv): 0 created, 1 revised, 3 unchanged; 1 event appended.\n"
    )
    data = json.loads(rows(db_path, "SELECT data FROM events ORDER BY seq DESC LIMIT 1")[0][0])
    assert data == {
        "development": "wang-yi-washington-2023-10",
        "changes": {"summary": "A visit in October 2023."},
        "reason": "updated at source",
    }


# --- export ----------------------------------------------------------------------------------


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_export_writes_the_template_columns_then_ours(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["import", str(MONTHS)])
    text = exported(runner, [])
    header = text.split("\r\n", 1)[0].split(",")
    assert tuple(header[: len(TIMELINEJS_COLUMNS)]) == TIMELINEJS_COLUMNS
    assert tuple(header) == COLUMNS
    by_id = {row["id"]: row for row in parsed(text)}
    wang = by_id["wang-yi-washington-2023-10"]
    assert (wang["Year"], wang["Month"], wang["Day"], wang["End Year"]) == ("2023", "10", "", "")
    assert wang["participants"] == "Wang Yi; Foreign Minister; CN"
    assert wang["tags"] == "china-us | visits"
    assert (wang["Group"], wang["kind"], wang["status"]) == ("visit", "visit", "occurred")
    maritime = by_id["maritime-2024"]
    assert (maritime["Year"], maritime["Month"], maritime["qualifier"]) == ("2024", "", "~")
    assert maritime["participants"] == "Liu Jinsong; ; CN | Mark Lambert; ; US"
    sullivan = by_id["sullivan-beijing-2024-08"]
    assert [sullivan[c] for c in ("End Year", "End Month", "End Day")] == ["2024", "8", "29"]
    talks = by_id["2024-04-26-blinken-and-wang-yi-talk-in-beijing"]
    assert (talks["Time"], talks["timezone"]) == ("09:30", "Asia/Shanghai")


def test_a_spreadsheet_round_trips(runner: CliRunner, db_path: Path, tmp_path: Path) -> None:
    ok(runner, ["demo", "--no-serve", "--db", str(db_path)])
    ok(runner, ["postpone", "china-us-maritime-consultations"])
    ok(runner, ["cancel", "china-us-asia-pacific-consultations", "--reason", "no date found"])
    first = tmp_path / "first.csv"
    ok(runner, ["export", "csv", "-o", str(first)])
    copy = tmp_path / "copy.db"
    ok(runner, ["import", str(first), "--db", str(copy)])
    again = exported(runner, ["--db", str(copy)])
    assert again == first.read_bytes().decode("utf-8")
    statuses = {row["status"] for row in parsed(again)}
    assert statuses == {"occurred", "scheduled", "postponed", "cancelled"}
    out = ok(runner, ["import", str(first)])  # into the database it came from
    assert out.endswith("0 events appended.\n")


def test_a_scheduled_row_may_have_no_date(runner: CliRunner, db_path: Path, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        "Headline,kind,status,id,Year,Month",
        "China-US dialogue on AI,dialogue,Scheduled,ai-dialogue,,",
        "Maritime consultations,consultation,scheduled,maritime,2025,6",
    )
    ok(runner, ["import", str(path)])
    found = rows(db_path, 'SELECT id, kind, status, "when" FROM developments ORDER BY id')
    assert found == [
        ("ai-dialogue", "dialogue", "scheduled", None),
        ("maritime", "consultation", "scheduled", "2025-06"),
    ]
    path = sheet(tmp_path, "Headline,kind,status,Year", "Talks,talks,adjourned,2024")
    assert refused(runner, ["import", str(path)]) == (
        "Error: row 2, column status: 'adjourned' is not one of occurred, scheduled, "
        "postponed, cancelled"
    )


def test_a_scheduled_row_marked_occurred_is_held(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    header = "Headline,kind,status,id,Year,Month,Day,participants"
    talks = "Maritime consultations,talks,{},maritime,2025,6,{},Liu Jinsong; ; CN"
    path = sheet(tmp_path, header, talks.format("scheduled", ""), name="plan.csv")
    ok(runner, ["import", str(path)])
    path = sheet(tmp_path, header, talks.format("occurred", "12"), name="plan.csv")
    out = ok(runner, ["import", str(path)])
    assert out == "Imported plan.csv (csv): 0 created, 1 revised, 0 unchanged; 1 event appended.\n"
    held = rows(db_path, "SELECT type, data FROM events ORDER BY seq DESC LIMIT 1")[0]
    assert held[0] == "DevelopmentHeld"
    assert json.loads(held[1]) == {"development": "maritime", "when": "2025-06-12"}
    found = rows(db_path, 'SELECT kind, status, "when" FROM developments WHERE id = ?', "maritime")
    assert found == [("talks", "occurred", "2025-06-12")]
    assert ok(runner, ["import", str(path)]).endswith("0 events appended.\n")
    path = sheet(tmp_path, header, talks.format("occurred", "12").replace(",talks,", ",call,"))
    assert refused(runner, ["import", str(path)]) == (
        "Error: row 2, column id: 'maritime' is already in the log as a talks (occurred), "
        "not a call"
    )


def test_rows_without_ids_get_made_ones_and_a_repeated_one_is_named(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = sheet(
        tmp_path,
        "Headline,kind,status,Year,participants",
        "China-US dialogue on AI,dialogue,scheduled,,",
        "Biden and Xi speak,call,,2024,Joe Biden",
    )
    ok(runner, ["import", str(path)])
    assert rows(db_path, "SELECT id FROM developments ORDER BY id") == [
        ("2024-biden-and-xi-speak",),
        ("china-us-dialogue-on-ai",),
    ]
    path = sheet(
        tmp_path,
        "Headline,kind,Year,participants",
        "Biden and Xi speak,call,2024,Joe Biden",
        "Biden and Xi speak,call,2024,Xi Jinping",
    )
    assert refused(runner, ["import", str(path)]) == (
        "Error: row 3: '2024-biden-and-xi-speak' is also at row 2"
    )


def test_a_status_the_sheet_changes_is_the_event_that_says_so(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    header = "Headline,kind,status,id,Year,Month"
    row = "Liu Zhenmin visits the U.S.,visit,{},liu-visit,{}"
    path = sheet(tmp_path, header, row.format("postponed", ","), name="plan.csv")
    out = ok(runner, ["import", str(path)])
    assert out.endswith("1 created, 0 revised, 0 unchanged; 2 events appended.\n")
    assert rows(db_path, 'SELECT status, "when" FROM developments') == [("postponed", None)]
    path = sheet(tmp_path, header, row.format("postponed", "2024,7"), name="plan.csv")
    ok(runner, ["import", str(path)])
    assert rows(db_path, 'SELECT status, "when" FROM developments') == [("postponed", "2024-07")]
    path = sheet(tmp_path, header, row.format("cancelled", "2024,7"), name="plan.csv")
    ok(runner, ["import", str(path)])
    assert rows(db_path, "SELECT type, json_extract(data, '$.reason') FROM events") == [
        ("DevelopmentScheduled", None),
        ("DevelopmentPostponed", None),
        ("DevelopmentRevised", "updated at source"),
        ("DevelopmentCancelled", "updated at source"),
    ]
    assert rows(db_path, "SELECT status FROM developments") == [("cancelled",)]
    assert ok(runner, ["import", str(path)]).endswith("0 events appended.\n")
    assert ok(runner, ["verify"]).startswith("OK: 4 events")


def test_a_summary_keeps_its_spaces_and_line_breaks(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = sheet(
        tmp_path,
        "Headline,kind,Year,participants,Text",
        'A call,call,2024,Joe Biden,"  Indented.\n\nSecond paragraph.\n"',
    )
    ok(runner, ["import", str(path)])
    summary = rows(db_path, "SELECT summary FROM developments")[0][0]
    assert summary == "  Indented.\n\nSecond paragraph.\n"


# --- the round trip, for any development a sheet can carry ---------------------------------


def _sheet_can_carry(payload: dict[str, Any]) -> bool:
    """A list cell's separators cannot be inside its items, nor spaces around them."""
    people = [value for p in payload.get("participants", ()) for value in p.values()]
    items = [*people, *payload.get("tags", ()), *payload.get("points", ())]
    return not any(";" in item or "|" in item or item != item.strip() for item in items)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(creation_payload())
def test_any_development_a_sheet_can_carry_round_trips(created: tuple[str, dict]) -> None:
    type_, payload = created
    # Links to other developments are not the sheet's (but part_of, which needs another row).
    payload = {k: v for k, v in payload.items() if k not in ("part_of", "announced_in")}
    assume(_sheet_can_carry(payload))
    first, second = open_db(":memory:"), open_db(":memory:")
    try:
        service.append(first, [service.submit(type_, payload)])
    except InvalidEvent:
        assume(False)  # a payload the log refuses is not this test's business
    text = "".join(render(first.conn, "csv", Filters(), name="T", domain="t.invalid"))
    plan = importers.prepare(second, io.BytesIO(text.encode()), name="t.csv", format="csv")
    importers.apply(second, plan)
    again = "".join(render(second.conn, "csv", Filters(), name="T", domain="t.invalid"))
    assert again == text
    plan = importers.prepare(first, io.BytesIO(text.encode()), name="t.csv", format="csv")
    assert plan.submissions == []
