"""The spreadsheet export, read back by the standard library's CSV reader."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from timeline.exports import spreadsheet
from timeline.exports.spreadsheet import COLUMNS, TIMELINEJS_COLUMNS

GOLDEN = Path(__file__).parents[1] / "golden" / "export-sample.csv"


def text(records: list[dict[str, Any]]) -> str:
    return "".join(spreadsheet.render(records))


def parsed(records: list[dict[str, Any]]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text(records), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_the_sample_matches_the_golden_file(sample_records: list[dict[str, Any]]) -> None:
    assert text(sample_records).encode("utf-8") == GOLDEN.read_bytes()


def test_the_template_columns_come_first_and_lines_end_in_crlf(
    sample_records: list[dict[str, Any]],
) -> None:
    written = text(sample_records)
    assert written.split("\r\n", 1)[0] == ",".join(COLUMNS)
    assert COLUMNS[: len(TIMELINEJS_COLUMNS)] == TIMELINEJS_COLUMNS
    assert written.count("\r\n") == len(sample_records) + 1
    assert "\n" not in written.replace("\r\n", "")


def test_one_row_per_development_dated_or_not(sample_records: list[dict[str, Any]]) -> None:
    rows = parsed(sample_records)
    assert [row["id"] for row in rows] == [record["id"] for record in sample_records]
    undated = rows[-1]
    assert (undated["Year"], undated["status"]) == ("", "postponed")


def test_a_date_fills_only_the_columns_it_knows(record: Callable[..., Any]) -> None:
    month, interval, timed = parsed(
        [
            record(id="a", when="2024-05", start="2024-05-01", end="2024-05-31", precision="month"),
            record(
                id="b", when="2024-04-24/2024-04-26~", start="2024-04-24", qualifier="approximate"
            ),
            record(
                id="c",
                when="2024-04-26T16:30:05+08:00",
                start="2024-04-26T16:30:05+08:00",
                end="2024-04-26T16:30:05+08:00",
                precision="second",
            ),
        ]
    )
    cells = ("Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "qualifier")
    assert [month[c] for c in cells] == ["2024", "5", "", "", "", "", "", ""]
    assert [interval[c] for c in cells] == ["2024", "4", "24", "", "2024", "4", "26", "/~"]
    assert [timed[c] for c in cells] == ["2024", "4", "26", "16:30:05+08:00", "", "", "", ""]
    assert month["Display Date"] == "May 2024"
    assert interval["Display Date"] == "24 April 2024 \u2013 c. 26 April 2024"
    assert timed["Display Date"] == "26 April 2024, 16:30:05 (Asia/Shanghai)"


def test_text_with_commas_quotes_and_line_breaks_comes_back_whole(
    record: Callable[..., Any],
) -> None:
    summary = 'First, "quoted" paragraph.\n\nSecond; with | bars.'
    (row,) = parsed([record(title='Xi says "no", then "yes"', summary=summary)])
    assert row["Headline"] == 'Xi says "no", then "yes"'
    assert row["Text"] == summary


def test_lists_are_one_cell_each(record: Callable[..., Any]) -> None:
    (row,) = parsed(
        [
            record(
                kind="agreement",
                points=["Keep talking", "Resume flights"],
                parties=["CN", "US", "EU"],
                participants=[{"name": "Wang Yi", "role": None, "country": "CN"}],
                tags=["china-us", "aviation"],
            )
        ]
    )
    assert row["points"] == "Keep talking | Resume flights"
    assert row["parties"] == "CN | US | EU"
    assert row["participants"] == "Wang Yi; ; CN"
    assert row["tags"] == "china-us | aviation"
    assert (row["place"], row["city"], row["country"]) == (
        "Great Hall of the People",
        "Beijing",
        "CN",
    )
