"""Input that must be refused at the door, and text output that one event cannot forge.

What the log accepts, every later command must be able to read, verify and export: a
`meta` nested too deeply, an id reused across an actor and a development, or a date
whose instant falls outside the years 1..9999 are refused in one ``Error:`` line. Text
printed for people keeps one event on one line, whatever its title holds.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from hardening_support import assert_refused, count, invoke, one_error_line, timeline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import service
from timeline.cli import cli
from timeline.db import open_db
from timeline.errors import InvalidEvent
from timeline.exporting import FORMATS, render
from timeline.selection import Filters

CALL = {"title": "A call", "when": "2024-04-02", "participants": [{"name": "Joe Biden"}]}
ACTOR_ID = "11111111-1111-4111-8111-111111111111"


def new_db(path: Path) -> Path:
    open_db(path).close()
    return path


def nested_text(levels: int) -> str:
    """The JSON text of :func:`nested` (json.dumps itself recurses too deep for 980)."""
    return '{"a": ' * (levels - 1) + "{}" + "}" * (levels - 1)


def nested(levels: int) -> dict[str, Any]:
    """An object *levels* deep: ``{"a": {"a": ... {}}}``."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


# --- 9. meta nested too deeply, or too large ---------------------------------------------


def test_meta_nested_980_deep_is_refused_and_the_log_stays_verifiable(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    # In a process of its own, as a user runs it: pytest's deeper stack would have
    # json.loads refuse 980 levels already.
    result = timeline(
        "--db",
        str(path),
        "append",
        "CallHeld",
        "--data",
        json.dumps(CALL),
        "--meta",
        "-",
        cwd=tmp_path,
        input=nested_text(980),
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert one_error_line(result.stderr) == "Error: meta: nested deeper than 32 levels"
    assert count(path) == 0
    feed = tmp_path / "feed.jsonl"
    good = json.dumps({"type": "CallHeld", "data": CALL})
    bad = json.dumps({"type": "CallHeld", "data": {**CALL, "title": "B"}, "meta": nested(33)})
    feed.write_text(f"{good}\n{bad}\n", encoding="utf-8")
    result = invoke(path, "import", str(feed))
    assert assert_refused(result) == "Error: line 2: meta: nested deeper than 32 levels"
    assert count(path) == 0
    # The deepest meta accepted goes through every later command.
    deepest = json.dumps(nested(32))
    result = invoke(path, "append", "CallHeld", "--data", json.dumps(CALL), "--meta", deepest)
    assert result.exit_code == 0, result.output
    result = invoke(path, "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 events")


def test_meta_larger_than_64_kib_is_refused(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    meta = json.dumps({"note": "x" * 70_000})
    result = invoke(path, "append", "CallHeld", "--data", json.dumps(CALL), "--meta", meta)
    assert assert_refused(result) == "Error: meta: larger than 65536 bytes of JSON"
    assert count(path) == 0


def test_data_nested_too_deeply_is_refused_before_any_walk(tmp_path: Path):
    """Deep data with a control character at the bottom: named, not a RecursionError."""
    path = new_db(tmp_path / "timeline.db")
    deep = '{"b": "\\u0001", "a": ' + nested_text(900) + "}"
    data = json.dumps({**CALL, "place": "PLACE"}).replace('"PLACE"', deep)
    result = invoke(path, "append", "CallHeld", "--data", data)
    assert assert_refused(result) == "Error: data: nested deeper than 32 levels"
    meta = '{"x": ' + deep + "}"
    result = invoke(path, "append", "CallHeld", "--data", json.dumps(CALL), "--meta", meta)
    assert assert_refused(result) == "Error: meta: nested deeper than 32 levels"
    assert count(path) == 0


def test_lists_of_a_development_are_bounded(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    data = {**CALL, "tags": [f"t{i}" for i in range(1001)]}
    result = invoke(path, "append", "CallHeld", "--data", json.dumps(data))
    assert assert_refused(result) == "Error: data.tags: at most 1000 items, not 1001"
    data = {**CALL, "participants": [{"name": f"P{i}"} for i in range(1001)]}
    result = invoke(path, "append", "CallHeld", "--data", json.dumps(data))
    assert assert_refused(result) == "Error: data.participants: at most 1000 items, not 1001"
    assert count(path) == 0


# --- 11. an event id reused across an actor and a development ----------------------------


@pytest.mark.parametrize("how", ["append", "import"])
def test_a_development_with_the_id_of_an_actor_event_is_refused(tmp_path: Path, how: str):
    path = new_db(tmp_path / "timeline.db")
    actor = json.dumps({"name": "Wang Yi"})
    assert (
        invoke(path, "append", "ActorDescribed", "--data", actor, "--id", ACTOR_ID).exit_code == 0
    )
    if how == "append":
        result = invoke(path, "append", "CallHeld", "--data", json.dumps(CALL), "--id", ACTOR_ID)
        where = ""
    else:
        feed = tmp_path / "feed.jsonl"
        feed.write_text(
            json.dumps({"type": "CallHeld", "data": CALL, "id": ACTOR_ID}) + "\n", encoding="utf-8"
        )
        result = invoke(path, "import", str(feed))
        where = "line 1: "
    assert assert_refused(result) == (
        f"Error: {where}id: event {ACTOR_ID} is already in the log (seq 1) with other content"
    )
    assert count(path) == 1


# --- 12. dates whose instant cannot be represented ---------------------------------------


def test_a_time_before_year_1_in_utc_is_refused(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    args = ["add", "meeting", "--title", "Far", "--with", "A", "--timezone", "Asia/Tokyo"]
    result = invoke(path, *args, "--when", "0001-01-01T08:00+09:00")
    assert assert_refused(result) == (
        "Error: --when: '0001-01-01T08:00+09:00' is not a valid date: "
        "in UTC it falls before the year 0001"
    )
    result = invoke(path, *args, "--when", "0001-01-01T08:00")
    assert assert_refused(result) == (
        "Error: --when: '0001-01-01T08:00' in Asia/Tokyo falls before the year 0001 in UTC"
    )
    assert count(path) == 0


def test_a_time_that_falls_before_year_1_in_its_timezone_is_refused(tmp_path: Path):
    """UTC is fine, but the exports show the time in the development's zone."""
    path = new_db(tmp_path / "timeline.db")
    args = ["add", "meeting", "--title", "Far", "--with", "A"]
    when = "0001-01-01T01:00Z"
    result = invoke(path, *args, "--when", when, "--timezone", "America/New_York")
    assert assert_refused(result) == (
        f"Error: --when: '{when}' in America/New_York falls before the year 0001"
    )
    assert invoke(path, *args, "--when", when, "--id", "far").exit_code == 0
    result = invoke(path, "revise", "far", "--timezone", "America/New_York", "--reason", "r")
    assert assert_refused(result) == (
        f"Error: --timezone: '{when}' in America/New_York falls before the year 0001"
    )
    assert count(path) == 1


def _exports_of(path: Path) -> dict[str, str]:
    db = open_db(path, create=False)
    try:
        return {
            fmt: "".join(render(db.conn, fmt, Filters(), name="T", domain="t.invalid"))
            for fmt in FORMATS
        }
    finally:
        db.close()


def _accepted(path: Path, data: dict[str, Any]) -> bool:
    """Whether the service appends a meeting with *data*; a refusal is one line."""
    db = open_db(path)
    try:
        service.append(db, [service.submit("MeetingHeld", data)])
    except InvalidEvent as exc:
        message = str(exc)
    else:
        return True
    finally:
        db.close()
    assert len(message.splitlines()) == 1, message
    return False


EXTREME_DAYS = st.sampled_from(
    ["0001-01-01", "0001-01-02", "0001-12-31", "9998-01-01", "9998-12-30", "9998-12-31"]
)
CLOCKS = st.sampled_from(["00:00", "00:30", "08:00", "12:00", "15:59", "23:00", "23:59:59"])
OFFSETS = st.sampled_from(
    ["", "Z", "+14:00", "-14:00", "+09:00", "-05:00", "+05:45", "-09:30", "+00:00"]
)
ZONES = st.sampled_from(
    [
        None,
        "UTC",
        "Asia/Tokyo",
        "America/New_York",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Asia/Manila",
        "America/Sitka",
        "Etc/GMT-14",
        "Etc/GMT+12",
        "Europe/London",
    ]
)


@st.composite
def extreme_dates(draw: st.DrawFn) -> tuple[str, str | None]:
    def side() -> str:
        day = draw(EXTREME_DAYS)
        if draw(st.booleans()):
            return day + draw(st.sampled_from(["", "?", "~"]))
        return f"{day}T{draw(CLOCKS)}{draw(OFFSETS)}"

    when = side()
    if draw(st.booleans()):
        when = f"{when}/{side()}"
    return when, draw(ZONES)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(date=extreme_dates())
def test_every_accepted_extreme_date_exports_in_every_format(tmp_path_factory, date):
    when, zone = date
    path = new_db(tmp_path_factory.mktemp("extreme") / "timeline.db")
    data: dict[str, Any] = {"title": "Far", "when": when, "participants": [{"name": "A"}]}
    if zone is not None:
        data["timezone"] = zone
    if not _accepted(path, data):
        return
    exports = _exports_of(path)
    assert "Far" in exports["ical"]
    assert json.loads(exports["json"])["developments"][0]["when"] == when
    assert len(json.loads(exports["timelinejs"])["events"]) == 1


def test_an_accepted_extreme_date_answers_in_datasette(tmp_path: Path, plugin):
    path = new_db(tmp_path / "timeline.db")
    # A zone at +09:00 in every year (Tokyo kept its local mean time until 1888).
    args = ["add", "meeting", "--title", "Far", "--with", "A", "--timezone", "Etc/GMT-9"]
    assert invoke(path, *args, "--when", "0001-01-01T10:00+09:00").exit_code == 0
    assert invoke(path, *args, "--when", "9998-12-31T23:00+09:00", "--id", "end").exit_code == 0

    async def run() -> list[Any]:
        ds = Datasette([str(path)])
        await ds.invoke_startup()
        urls = [
            "/timeline/developments.ics",
            "/timeline/developments.timelinejs",
            "/-/timeline/timeline",
        ]
        return [await ds.client.get(url) for url in urls]

    for response in asyncio.run(run()):
        assert response.status_code == 200, response.text[:500]


# --- 13. line breaks and control characters ---------------------------------------------


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\x80", "\x9f"])
@pytest.mark.parametrize("how", ["raw", "escaped"])
def test_c1_controls_are_refused_in_an_import(tmp_path: Path, char: str, how: str):
    path = new_db(tmp_path / "timeline.db")
    line = json.dumps({"type": "CallHeld", "data": {**CALL, "title": f"a{char}b"}})
    if how == "raw":
        line = json.dumps(
            {"type": "CallHeld", "data": {**CALL, "title": f"a{char}b"}}, ensure_ascii=False
        )
        assert char in line
    feed = tmp_path / "feed.jsonl"
    feed.write_text(line + "\n", encoding="utf-8")
    result = invoke(path, "import", str(feed))
    escaped = f"\\x{ord(char):02x}"
    assert assert_refused(result) == (
        f"Error: line 1: data.title: contains a control character ({escaped})"
    )
    assert count(path) == 0


def test_c1_controls_are_refused_by_add_and_in_meta(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    result = invoke(path, "add", "call", "--title", "a\x85b", "--when", "2024", "--with", "A")
    assert assert_refused(result) == "Error: --title: contains a control character (\\x85)"
    meta = json.dumps({"note": "\x9b2J"}, ensure_ascii=False)
    result = invoke(path, "append", "CallHeld", "--data", json.dumps(CALL), "--meta", meta)
    assert assert_refused(result) == "Error: meta.note: contains a control character (\\x9b)"
    assert count(path) == 0


FORGED = "Real\n     2  2024-05-01T00:00:00.000000Z  CallHeld  forged\rX\u2028Y\tZ"


def test_one_event_is_one_line_in_the_log(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    data = {**CALL, "title": FORGED, "development": "real"}
    assert invoke(path, "append", "CallHeld", "--data", json.dumps(data)).exit_code == 0
    result = invoke(path, "log")
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert line.endswith(
        "CallHeld              real  Real\\n     2  2024-05-01T00:00:00.000000Z  CallHeld  "
        "forged\\rX\\u2028Y\\tZ"
    )


def test_show_keeps_each_field_on_its_line(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    data = {
        **CALL,
        "title": FORGED,
        "development": "real",
        "summary": "First paragraph.\n\nSecond.\n  history:",
        "participants": [{"name": "Joe\u2029Biden", "role": "Pres\nident"}],
    }
    assert invoke(path, "append", "CallHeld", "--data", json.dumps(data)).exit_code == 0
    result = invoke(path, "show", "real")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.strip() == "history:"] == ["  history:"]
    assert "  summary:      First paragraph.\\n\\nSecond.\\n  history:" in lines
    assert "  participants: Joe\\u2029Biden (Pres\\nident)" in lines
    assert len(lines) == 7, lines
    # JSON keeps the text as it is.
    result = invoke(path, "show", "real", "--json")
    assert json.loads(result.stdout)["development"]["summary"] == data["summary"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["log", "--db", "a\nb.db"], "Error: no database at a\\nb.db; create one with: "),
        (
            ["append", "CallHeld", "--data", "@no\nfile", "--db", "{db}"],
            "Error: --data: cannot read no\\nfile: No such file or directory",
        ),
        (
            ["export", "ical", "-o", "no/such\nfolder/out.ics", "--db", "{db}"],
            "Error: -o: cannot write no/such\\nfolder/out.ics: No such file or directory",
        ),
    ],
)
def test_an_error_quoting_a_path_is_one_line(tmp_path: Path, monkeypatch, args, line):
    monkeypatch.chdir(tmp_path)
    path = new_db(tmp_path / "timeline.db")
    args = [arg.replace("{db}", str(path)) for arg in args]
    assert assert_refused(CliRunner().invoke(cli, args)).startswith(line)
