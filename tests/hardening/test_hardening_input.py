"""Hostile and broken input: whatever arrives, one `Error:` line, exit 1, nothing written.

Random JSON, wrong types in every field of valid events, huge strings, deep nesting,
control characters, invalid UTF-8 and random bytes go through the service and through
the command line. A traceback, a second line of output, or a row written by a refused
command fails the test.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hardening_support import assert_refused, count, one_error_line, timeline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import service
from timeline.cli import cli
from timeline.db import open_db
from timeline.errors import InvalidEvent, TimelineError

# As many examples as the profile chosen in tests/conftest.py (HYPOTHESIS_PROFILE=fast runs
# 20); no deadline, since a command opens its database each time.
hardening = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
# Any key at all: an unknown one is named quoted, with escapes, on one line.
keys = st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
# Any code point, lone surrogates included (json.dumps escapes them as \udxxx).
any_text = st.text(st.characters(codec=None, categories=["L", "M", "N", "P", "S", "Z", "C"]))

BASE = "base-talks"
VALID: dict[str, dict[str, Any]] = {
    "MeetingHeld": {
        "title": "Wang Yi meets Antony Blinken",
        "when": "2024-04-26T16:30",
        "timezone": "Asia/Shanghai",
        "summary": "They met.",
        "place": {
            "name": "Diaoyutai",
            "city": "Beijing",
            "country": "CN",
            "lat": 39.9,
            "lon": 116.3,
        },
        "participants": [{"name": "Wang Yi", "role": "Foreign Minister", "country": "CN"}],
        "sources": [
            {
                "url": "https://www.mfa.gov.cn/eng/",
                "title": "Readout",
                "publisher": "MFA",
                "published": "2024-04-26",
            }
        ],
        "tags": ["china-us"],
        "part_of": BASE,
    },
    "VisitMade": {
        "title": "Antony Blinken visits China",
        "when": "2024-04-24/2024-04-26",
        "visitor": "Antony Blinken",
        "host_country": "CN",
    },
    "AgreementReached": {
        "title": "Five-point consensus",
        "when": "2024-04-26",
        "points": ["Keep talking"],
        "parties": ["CN", "US"],
    },
    "StatementMade": {
        "title": "Xi on partners",
        "when": "2024-04-26",
        "speaker": "Xi Jinping",
        "quote": "Partners, not rivals.",
    },
    "DevelopmentScheduled": {
        "title": "AI dialogue",
        "kind": "dialogue",
        "when": "2024-05~",
        "announced_in": BASE,
    },
    "DevelopmentRevised": {
        "development": BASE,
        "changes": {"summary": "Revised.", "tags": ["x"]},
        "reason": "detail",
    },
    "DevelopmentPostponed": {"development": BASE, "when": "2024-06", "reason": "agenda"},
    "DevelopmentHeld": {"development": BASE, "when": "2024-05-14", "summary": "Held."},
    "DevelopmentCancelled": {"development": BASE, "reason": "called off"},
    "DevelopmentsLinked": {"from": BASE, "to": BASE, "relation": "follows_up"},
    "ActorDescribed": {
        "name": "Wang Yi",
        "native_name": "王毅",
        "kind": "person",
        "country": "CN",
        "roles": [
            {"title": "Foreign Minister", "organization": "MFA", "from": "2022-12", "to": "2024"}
        ],
    },
}


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON value where another value could go."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(paths(item, (*prefix, i)))
    return found


def replaced(value: Any, path: tuple, new: Any) -> Any:
    out = copy.deepcopy(value)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return out


def removed(value: Any, path: tuple) -> Any:
    out = copy.deepcopy(value)
    target = out
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return out


@st.composite
def mutated_events(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A valid event with one field, anywhere, replaced by a random JSON value, removed,
    or joined by a field of its own."""
    type_ = draw(st.sampled_from(sorted(VALID)))
    data = VALID[type_]
    path = draw(st.sampled_from(paths(data)))
    action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
    if action == "remove":
        return type_, removed(data, path)
    if action == "add":
        objects = [p for p in [(), *paths(data)] if isinstance(_at(data, p), dict)]
        where = draw(st.sampled_from(objects))
        key = draw(keys)
        return type_, replaced(data, (*where, key), draw(json_values))
    return type_, replaced(data, path, draw(json_values))


def _at(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def new_db(path: Path) -> Path:
    """A database with the development the lifecycle events refer to."""
    db = open_db(path)
    service.append(
        db,
        [
            service.submit(
                "DevelopmentScheduled", {"development": BASE, "title": "Talks", "kind": "talks"}
            )
        ],
    )
    db.close()
    return path


def cli_append(path: Path, type_: str, data_arg: str, *extra: str) -> None:
    """`timeline append`: accepted (one more row) or refused (one line, no row)."""
    before = count(path)
    result = CliRunner().invoke(
        cli, ["append", type_, "--data", data_arg, *extra, "--db", str(path)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 0:
        assert count(path) == before + 1
    else:
        assert_refused(result)
        assert count(path) == before


# --- property tests -------------------------------------------------------------------


def test_random_json_lines_are_refused_by_the_import_naming_the_line(tmp_path: Path):
    db = open_db(new_db(tmp_path / "timeline.db"))

    @hardening
    @given(st.lists(json_values, min_size=1, max_size=3), st.lists(any_text, max_size=2))
    def check(values: list[Any], texts: list[str]) -> None:
        lines = [json.dumps(v) for v in values] + texts
        before = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        refusal = None
        try:
            service.import_file(db, io.StringIO("\n".join(lines) + "\n"))
        except TimelineError as exc:
            refusal = str(exc)
        if refusal is not None:
            assert "\n" not in refusal
            assert refusal.startswith("line ")
            assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
        assert not db.conn.in_transaction

    try:
        check()
    finally:
        db.close()


def test_a_wrong_value_in_any_field_never_breaks_the_service(tmp_path: Path):
    db = open_db(new_db(tmp_path / "timeline.db"))

    @hardening
    @given(mutated_events())
    def check(event: tuple[str, dict[str, Any]]) -> None:
        type_, data = event
        before = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        line = json.dumps({"type": type_, "data": data})
        refusal = None
        try:
            outcome = service.append(db, service.parse_lines([line]))
        except TimelineError as exc:
            refusal = str(exc)
        if refusal is None:
            assert len(outcome.appended) == 1
        else:
            assert "\n" not in refusal
            assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before

    try:
        check()
    finally:
        db.close()


def test_a_wrong_value_in_any_field_through_the_command_line(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")

    @hardening
    @given(mutated_events())
    def check(event: tuple[str, dict[str, Any]]) -> None:
        type_, data = event
        cli_append(path, type_, json.dumps(data))

    check()


def test_random_json_as_the_data_of_any_type(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")

    @hardening
    @given(st.sampled_from([*sorted(VALID), "DevelopmentRetracted", "Nope", ""]), json_values)
    def check(type_: str, value: Any) -> None:
        cli_append(path, type_, json.dumps(value))

    check()


def test_random_bytes_as_an_import_file(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    feed = tmp_path / "feed.jsonl"

    @hardening
    @given(st.binary(max_size=300))
    def check(raw: bytes) -> None:
        feed.write_bytes(raw)
        before = count(path)
        result = CliRunner().invoke(cli, ["import", str(feed), "--db", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit)
        if result.exit_code == 0:  # blank, or by chance nothing but whitespace
            assert result.stdout == "Imported 0 events; skipped 0 already in the log.\n"
        else:
            assert_refused(result)
        assert count(path) == before

    check()


# --- the extremes, one by one ----------------------------------------------------------


def meeting(**data: Any) -> dict[str, Any]:
    return {"title": "A meeting", "when": "2024-04-26", "participants": [{"name": "A"}], **data}


DEEP = "[" * 10_000 + "]" * 10_000
MEGABYTE = "x" * 1_000_000

REFUSED_DATA = {
    "1 MB title": (
        json.dumps(meeting(title=MEGABYTE)),
        "Error: data.title: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' is too long: at most 300 characters",
    ),
    "1 MB summary": (
        json.dumps(meeting(summary=MEGABYTE)),
        "Error: data.summary: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' is too long: at most 20000 characters",
    ),
    "10,000 levels as data": (DEEP, "Error: --data: not valid JSON: nested too deeply"),
    "10,000 levels in a field": (
        json.dumps(meeting())[:-1] + ', "summary": ' + DEEP + "}",
        "Error: --data: not valid JSON: nested too deeply",
    ),
    "NaN title": (
        json.dumps(meeting())[:-1] + ', "title": NaN}',
        "Error: --data: not valid JSON: NaN is not a JSON number",
    ),
    "Infinity latitude": (
        json.dumps(meeting(place={"city": "X"}))[:-2] + ', "lat": Infinity}}',
        "Error: --data: not valid JSON: Infinity is not a JSON number",
    ),
    "huge integer latitude": (
        json.dumps(meeting(place={"city": "X", "lat": 10**30})),
        "Error: data.place.lat: '1e+30' is not a latitude: must be between -90 and 90",
    ),
    "raw NUL in the JSON text": (
        '{"title": "a\x00b"}',
        "Error: --data: not valid JSON: Invalid control character at (column 13)",
    ),
    "empty": ("", "Error: --data: not valid JSON: Expecting value (column 1)"),
}


@pytest.mark.parametrize(("data", "line"), REFUSED_DATA.values(), ids=REFUSED_DATA.keys())
def test_extreme_data_is_refused_in_one_line(tmp_path: Path, data: str, line: str):
    path = new_db(tmp_path / "timeline.db")
    result = CliRunner().invoke(cli, ["append", "MeetingHeld", "--data", data, "--db", str(path)])
    assert assert_refused(result) == line
    assert count(path) == 1


def test_extreme_lines_are_refused_by_the_import_naming_the_line(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    good = json.dumps({"type": "MeetingHeld", "data": meeting(development="fine")})
    cases = {
        '{"type": "MeetingHeld", "data": '
        + DEEP
        + "}": "line 2: not valid JSON: nested too deeply",
        json.dumps(
            {"type": "MeetingHeld", "data": meeting(title=MEGABYTE)}
        ): "line 2: data.title: ",
        json.dumps({"type": "MeetingHeld", "data": meeting(), "meta": {"x": DEEP}}).replace(
            '"' + DEEP + '"', DEEP
        ): "line 2: not valid JSON: nested too deeply",
    }
    feed = tmp_path / "feed.jsonl"
    for bad, start in cases.items():
        feed.write_text(f"{good}\n{bad}\n{good}\n", encoding="utf-8")
        result = CliRunner().invoke(cli, ["import", str(feed), "--db", str(path)])
        assert assert_refused(result).startswith(f"Error: {start}")
        assert count(path) == 1


def test_a_file_that_is_not_utf8_is_refused_in_one_line(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    bad = tmp_path / "latin1.json"
    bad.write_bytes(json.dumps(meeting(title="Caf\xe9"), ensure_ascii=False).encode("latin-1"))
    result = CliRunner().invoke(
        cli, ["append", "MeetingHeld", "--data", f"@{bad}", "--db", str(path)]
    )
    assert assert_refused(result) == f"Error: --data: {bad} is not UTF-8 text"
    bad.write_bytes(
        json.dumps(
            {"type": "MeetingHeld", "data": meeting(title="Caf\xe9")}, ensure_ascii=False
        ).encode("latin-1")
    )
    result = CliRunner().invoke(cli, ["import", str(bad), "--db", str(path)])
    line = assert_refused(result)
    assert line == "Error: line 1: not UTF-8 text (invalid continuation byte at byte 47)"
    assert count(path) == 1


def test_a_byte_order_mark_starting_a_file_is_skipped_and_one_later_is_refused(tmp_path: Path):
    # As some Windows editors write it, and as a CSV import takes it.
    path = new_db(tmp_path / "timeline.db")
    feed = tmp_path / "bom.jsonl"
    line = json.dumps({"type": "MeetingHeld", "data": meeting()})
    feed.write_bytes(b"\xef\xbb\xbf" + line.encode() + b"\n")
    result = CliRunner().invoke(cli, ["import", str(feed), "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert count(path) == 2
    later = tmp_path / "later.jsonl"
    other = json.dumps({"type": "MeetingHeld", "data": meeting(title="Another")})
    later.write_bytes(b"\n\xef\xbb\xbf" + other.encode() + b"\n")
    result = CliRunner().invoke(cli, ["import", str(later), "--db", str(path)])
    assert assert_refused(result).startswith("Error: line 2: not valid JSON: ")
    assert count(path) == 2


def test_line_ends_and_unicode_separators_survive_an_import(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    feed = tmp_path / "feed.jsonl"
    events = [
        {
            "type": "MeetingHeld",
            "data": meeting(development="a", title="Line\u2028separator next"),
        },
        {"type": "MeetingHeld", "data": meeting(development="b", title="Tab\there")},
    ]
    text = "\r\n\r\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\r"
    feed.write_bytes(text.encode("utf-8"))
    result = CliRunner().invoke(cli, ["import", str(feed), "--db", str(path)])
    assert result.exit_code == 0, result.output
    db = open_db(path)
    try:
        titles = [
            r[0]
            for r in db.execute("SELECT title FROM developments WHERE id IN ('a', 'b') ORDER BY id")
        ]
    finally:
        db.close()
    assert titles == ["Line\u2028separator next", "Tab\there"]


# --- bugs: tracebacks instead of one line ------------------------------------------------


def test_a_lone_surrogate_is_refused_by_the_service(tmp_path: Path):
    db = open_db(new_db(tmp_path / "timeline.db"))
    try:
        event = {"type": "MeetingHeld", "data": meeting(title="Bad \udcff")}
        with pytest.raises(InvalidEvent, match=r"^data\.title: contains an unpaired surrogate"):
            service.append(db, [service.parse_submission(event)])
    finally:
        db.close()


def test_a_raw_lone_surrogate_in_an_import_is_refused_naming_the_line(tmp_path: Path):
    db = open_db(new_db(tmp_path / "timeline.db"))
    try:
        line = json.dumps(
            {"type": "MeetingHeld", "data": meeting(title="Bad \ud800")}, ensure_ascii=False
        )
        assert "\ud800" in line  # the character itself, not an escape
        with pytest.raises(
            InvalidEvent, match=r"^line 1: data\.title: contains an unpaired surrogate"
        ):
            service.import_file(db, io.StringIO(line + "\n"))
        assert db.execute("SELECT COUNT(*) FROM events").fetchone() == (1,)
    finally:
        db.close()


@pytest.mark.parametrize("how", ["json escape in --data", "argv byte", "stdin byte"])
def test_a_lone_surrogate_is_refused_by_the_command(tmp_path: Path, how: str):
    path = new_db(tmp_path / "timeline.db")
    raw = json.dumps(meeting(development="bad", title="Bad \udcff"))
    if how == "json escape in --data":
        result = timeline("append", "MeetingHeld", "--data", raw, "--db", str(path), cwd=tmp_path)
    elif how == "argv byte":
        result = timeline(
            *(b"add", b"meeting", b"--title", b"Bad \xff", b"--when", b"2024-04-26"),
            *(b"--with", b"A", b"--db", str(path).encode()),
            cwd=tmp_path,
        )
    else:
        data = json.dumps(meeting(development="bad", title="Bad X")).encode().replace(b"X", b"\xff")
        result = timeline(
            "append", "MeetingHeld", "--data", "-", "--db", str(path), cwd=tmp_path, input=data
        )
    stderr = result.stderr.decode() if isinstance(result.stderr, bytes) else result.stderr
    assert count(path) == 1
    assert result.returncode == 1
    one_error_line(stderr)


def test_nan_in_meta_is_refused_in_one_line(tmp_path: Path):
    path = new_db(tmp_path / "timeline.db")
    result = CliRunner().invoke(
        cli,
        [
            "append",
            "MeetingHeld",
            "--data",
            json.dumps(meeting()),
            "--meta",
            '{"x": NaN}',
            "--db",
            str(path),
        ],
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert assert_refused(result).startswith("Error: --meta: ")
    assert count(path) == 1


@pytest.mark.parametrize("title", ["a\x00b", "a\x1b]0;pwned\x07b", "bell\x07", "a\x7fb"])
def test_control_characters_in_a_title_are_refused(tmp_path: Path, title: str):
    path = new_db(tmp_path / "timeline.db")
    result = CliRunner().invoke(
        cli,
        ["append", "MeetingHeld", "--data", json.dumps(meeting(title=title)), "--db", str(path)],
    )
    assert assert_refused(result).startswith("Error: data.title: ")
    assert count(path) == 1


BROKEN_ARGUMENTS = {
    "log --since beyond SQLite's integers": (
        ["log", "--since", str(2**64)],
        "`timeline log --since 18446744073709551616` crashes with OverflowError (Python int too "
        "large to convert to SQLite INTEGER); expected one 'Error: --since: …' line, exit 1",
    ),
    "export --as-of beyond SQLite's integers": (
        ["export", "ical", "--as-of", str(2**64)],
        "`timeline export ical --as-of 18446744073709551616` crashes with OverflowError in "
        "copy_log(); expected one 'Error: --as-of: …' line, exit 1 (or the whole log)",
    ),
    "export -o into a folder that does not exist": (
        ["export", "ical", "-o", "no/such/folder/out.ics"],
        "`timeline export ical -o no/such/folder/out.ics` crashes with FileNotFoundError from "
        "tempfile.mkstemp(); expected one 'Error: …: No such file or directory' line, exit 1",
    ),
}


@pytest.mark.parametrize(
    "args",
    [pytest.param(args, id=name) for name, (args, _what_went_wrong) in BROKEN_ARGUMENTS.items()],
)
def test_out_of_range_arguments_give_one_line(tmp_path: Path, args: list[str]):
    path = new_db(tmp_path / "timeline.db")
    with CliRunner().isolated_filesystem(temp_dir=tmp_path):
        result = CliRunner().invoke(cli, [*args, "--db", str(path)], standalone_mode=True)
    if result.exit_code == 2:  # a usage error, refused by click before any work
        assert result.stdout == ""
        assert one_error_line(result.stderr).endswith("--help)")
    else:
        assert_refused(result)


@pytest.mark.parametrize("where", ["data", "nested", "import"])
def test_an_unknown_field_named_with_a_line_break_gives_one_line(tmp_path: Path, where: str):
    path = new_db(tmp_path / "timeline.db")
    if where == "import":
        feed = tmp_path / "feed.jsonl"
        feed.write_text(json.dumps({"type": "MeetingHeld", "data": meeting(), "a\nb": 1}) + "\n")
        result = CliRunner().invoke(cli, ["import", str(feed), "--db", str(path)])
    else:
        data = (
            meeting(**{"a\nb": 1})
            if where == "data"
            else meeting(participants=[{"name": "J", "a\nb": 1}])
        )
        result = CliRunner().invoke(
            cli, ["append", "MeetingHeld", "--data", json.dumps(data), "--db", str(path)]
        )
    assert "unknown field" in assert_refused(result)
    assert count(path) == 1
