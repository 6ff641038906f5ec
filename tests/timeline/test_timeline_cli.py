"""The command line as a user drives it: exit codes, printed lines, rows left behind."""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.cli import cli
from timeline.cli.adding import add

MEETING = [
    "add",
    "meeting",
    "--title",
    "Xi Jinping meets Antony Blinken",
    "--when",
    "2024-04-26",
    "--with",
    "Xi Jinping; President; CN",
    "--with",
    "Antony Blinken; Secretary of State; US",
    "--at",
    "Great Hall of the People",
    "--city",
    "Beijing",
    "--country",
    "cn",
    "--source",
    "https://news.cgtn.com/a; Xi urges responsibility; CGTN; 2024-04-26",
    "--tag",
    "china-us",
]
MEETING_ID = "2024-04-26-xi-jinping-meets-antony-blinken"


def rows(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT seq, type, stream, data FROM events ORDER BY seq").fetchall()


def ok(runner: CliRunner, args: list[str], input: str | None = None) -> str:
    result = runner.invoke(cli, args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(runner: CliRunner, args: list[str], input: str | None = None) -> str:
    result = runner.invoke(cli, args, input=input)
    assert result.exit_code != 0, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("args", [[], ["add"], ["editor"]])
def test_a_group_without_a_command_shows_its_help(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(cli, args)
    shown = result.stdout + result.stderr
    assert shown.startswith(f"Usage: {' '.join(['cli', *args])} [OPTIONS] COMMAND [ARGS]...\n")
    assert "Error" not in shown
    assert "\\n" not in shown  # line breaks, not escaped ones


def test_a_usage_error_over_several_lines_is_one_readable_line(runner: CliRunner) -> None:
    assert refused(runner, ["export"]) == (
        "Error: Missing argument 'FORMAT'. Choose from: ical, json, timelinejs, atom, html, "
        "csv (see: cli export --help)"
    )


def test_add_meeting_records_every_flag(runner: CliRunner, db_path: Path) -> None:
    out = ok(runner, [*MEETING, "--json"])
    printed = json.loads(out)
    assert printed["seq"] == 1
    assert printed["development"] == MEETING_ID
    assert printed["stream_version"] == 1
    [(seq, type_, stream, data)] = rows(db_path)
    assert (seq, type_, stream) == (1, "MeetingHeld", MEETING_ID)
    assert json.loads(data) == {
        "development": MEETING_ID,
        "title": "Xi Jinping meets Antony Blinken",
        "when": "2024-04-26",
        "place": {"name": "Great Hall of the People", "city": "Beijing", "country": "CN"},
        "participants": [
            {"name": "Xi Jinping", "role": "President", "country": "CN"},
            {"name": "Antony Blinken", "role": "Secretary of State", "country": "US"},
        ],
        "sources": [
            {
                "url": "https://news.cgtn.com/a",
                "title": "Xi urges responsibility",
                "publisher": "CGTN",
                "published": "2024-04-26",
            }
        ],
        "tags": ["china-us"],
    }


def test_add_prints_seq_event_and_development(runner: CliRunner) -> None:
    out = ok(runner, MEETING)
    seq, event, development = out.split("  ")
    assert seq == "seq 1"
    assert event.startswith("event ")
    assert len(event) == len("event ") + 36
    assert development == f"development {MEETING_ID}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--with", "A; ; ZZ"], "Error: --with #2 country: 'ZZ' is not an ISO 3166-1 alpha-2 country code"),
        (["--when", "2023-02-29"], "Error: --when: '2023-02-29' is not a valid date: day is out of range for month"),
        (["--source", "javascript:alert(1)"], "Error: --source #1 url: 'javascript:alert(1)' is not an http(s) URL"),
        (["--city", "Beijing", "--lat", "95", "--lon", "1"], "Error: --lat: '95.0' is not a latitude: must be between -90 and 90"),
        (["--when", "2024-04-26T16:30"], "Error: --timezone: required for the local time '2024-04-26T16:30' (or give an offset such as +08:00)"),
        (["--when", "2024-04-26T16:30+09:00", "--timezone", "Asia/Shanghai"], "Error: --when: '2024-04-26T16:30+09:00': Asia/Shanghai is at +08:00 then, not +09:00; give the offset it has there, or none"),
        (["--timezone", "Mars/Olympus"], "Error: --timezone: 'Mars/Olympus' is not an IANA time zone such as 'Asia/Shanghai'"),
        (["--id", "Bad Id"], "Error: --id: 'Bad Id' is not a valid id: use lowercase letters, digits and hyphens"),
        (["--part-of", "no-such-visit"], "Error: --part-of: there is no development 'no-such-visit'"),
    ],
)  # fmt: skip
def test_add_refuses_bad_flags_naming_the_flag(
    runner: CliRunner, db_path: Path, args: list[str], message: str
) -> None:
    base = ["add", "meeting", "--title", "T", "--when", "2024-04-26", "--with", "Wang Yi"]
    assert refused(runner, [*base, *args]) == message
    assert rows(db_path) == []


def test_add_meeting_needs_a_participant(runner: CliRunner, db_path: Path) -> None:
    line = refused(runner, ["add", "meeting", "--title", "T", "--when", "2024-04-26"])
    assert line == "Error: --with: at least one participant is required"
    assert rows(db_path) == []


def test_add_twice_with_the_same_generated_id_is_refused(runner: CliRunner, db_path: Path) -> None:
    ok(runner, MEETING)
    line = refused(runner, MEETING)
    assert line == (
        f"Error: --id: the id made from date and title, '{MEETING_ID}', is taken; "
        "give the development an id of its own"
    )
    assert len(rows(db_path)) == 1


def test_add_every_kind(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["add", "visit", "--id", "visit", "--title", "Blinken visits China", "--when",
                "2024-04-24/2024-04-26", "--visitor", "Antony Blinken", "--host-country", "CN"])  # fmt: skip
    ok(runner, ["add", "talks", "--title", "Wang Yi and Blinken hold talks", "--when",
                "2024-04-26", "--with", "Wang Yi", "--part-of", "visit"])  # fmt: skip
    ok(runner, ["add", "summit", "--title", "Biden-Xi summit", "--when", "2023-11-15",
                "--with", "Joe Biden", "--with", "Xi Jinping"])  # fmt: skip
    ok(runner, ["add", "call", "--title", "Biden and Xi call", "--when", "2024-04-02",
                "--with", "Joe Biden"])  # fmt: skip
    ok(runner, ["add", "agreement", "--id", "consensus", "--title", "Five-point consensus",
                "--when", "2024-04-26", "--point", "One", "--point", "Two", "--party", "cn",
                "--party", "US"])  # fmt: skip
    ok(runner, ["add", "statement", "--title", "Xi on partners", "--when", "2024-04-26",
                "--speaker", "Xi Jinping", "--quote", "Partners, not rivals."])  # fmt: skip
    ok(runner, ["add", "scheduled", "--id", "ai-dialogue", "--kind", "dialogue", "--title",
                "First AI dialogue", "--announced-in", "consensus"])  # fmt: skip
    types = [r[1] for r in rows(db_path)]
    assert types == ["VisitMade", "TalksHeld", "SummitHeld", "CallHeld", "AgreementReached",
                     "StatementMade", "DevelopmentScheduled"]  # fmt: skip
    agreement = json.loads(rows(db_path)[4][3])
    assert agreement["points"] == ["One", "Two"]
    assert agreement["parties"] == ["CN", "US"]
    scheduled = json.loads(rows(db_path)[6][3])
    assert scheduled == {"development": "ai-dialogue", "kind": "dialogue",
                         "title": "First AI dialogue", "announced_in": "consensus"}  # fmt: skip


def test_lifecycle_commands(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["add", "scheduled", "--id", "ai", "--kind", "dialogue", "--title", "AI dialogue"])
    ok(runner, ["postpone", "ai", "--reason", "agenda"])
    ok(runner, ["held", "ai", "--when", "2024-05-14", "--city", "Geneva", "--country", "CH"])
    ok(runner, ["revise", "ai", "--summary", "First round", "--reason", "summary added"])
    ok(runner, ["revise", "ai", "--clear", "place", "--reason", "venue unconfirmed"])
    ok(runner, ["add", "scheduled", "--id", "maritime", "--kind", "consultation", "--title", "M"])
    ok(runner, ["cancel", "maritime", "--reason", "called off"])
    ok(runner, ["link", "maritime", "ai", "--relation", "follows_up"])
    ok(runner, ["retract", "maritime", "--reason", "never announced"])
    shown = json.loads(ok(runner, ["show", "ai", "--json"]))
    state = shown["development"]
    assert (state["status"], state["when"], state["summary"], state["place"], state["version"]) == (
        "occurred", "2024-05-14", "First round", None, 5
    )  # fmt: skip
    assert [e["type"] for e in shown["history"]] == [
        "DevelopmentScheduled", "DevelopmentPostponed", "DevelopmentHeld",
        "DevelopmentRevised", "DevelopmentRevised",
    ]  # fmt: skip
    line = refused(runner, ["postpone", "maritime"])
    assert line == "Error: DEVELOPMENT: development 'maritime' was retracted"
    line = refused(runner, ["postpone", "ai"])
    assert line == (
        "Error: DEVELOPMENT: 'ai' has already taken place; DevelopmentPostponed applies to a development "
        "that is scheduled or postponed"
    )


def test_revise_needs_a_change(runner: CliRunner) -> None:
    ok(runner, MEETING)
    line = refused(runner, ["revise", MEETING_ID, "--reason", "nothing"])
    assert line == "Error: the changes: at least one field to change is required"


@pytest.mark.parametrize(
    ("given", "field"), [(["--city", "Shanghai"], "place"), (["--tag", "b"], "tags")]
)
def test_revise_refuses_to_clear_a_field_it_also_changes(
    runner: CliRunner, db_path: Path, given: list[str], field: str
) -> None:
    """Which one was meant cannot be guessed: keeping the clear lost what was typed."""
    ok(runner, MEETING)
    line = refused(runner, ["revise", MEETING_ID, "--clear", field, *given, "--reason", "r"])
    assert line == (
        f"Error: --clear {field} is given a new value too; give one or the other "
        "(see: cli revise --help)"
    )
    assert len(rows(db_path)) == 1


def test_expect_version(runner: CliRunner, db_path: Path) -> None:
    ok(runner, MEETING)
    line = refused(runner, ["revise", MEETING_ID, "--summary", "s", "--reason", "r",
                            "--expect-version", "2"])  # fmt: skip
    assert line == (
        f"Error: --expect-version: stream {MEETING_ID} is at version 1, not 2; nothing was written"
    )
    ok(runner, ["revise", MEETING_ID, "--summary", "s", "--reason", "r", "--expect-version", "1"])
    assert len(rows(db_path)) == 2


def test_the_version_show_prints_is_the_one_expect_version_takes(
    runner: CliRunner, db_path: Path
) -> None:
    ok(runner, MEETING)
    shown = ok(runner, ["show", MEETING_ID]).splitlines()[0]
    assert shown == f"{MEETING_ID}  (meeting, occurred, version 1)"
    ok(runner, ["revise", MEETING_ID, "--summary", "s", "--reason", "r", "--expect-version", "1"])
    assert ok(runner, ["show", MEETING_ID]).splitlines()[0].endswith("version 2)")
    # The tables and the exports say the same number.
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version FROM developments").fetchall() == [(2,)]
    (doc,) = json.loads(ok(runner, ["export", "json"]))["developments"]
    assert doc["version"] == 2
    assert "SEQUENCE:2" in ok(runner, ["export", "ical"]).splitlines()


def test_append_from_argument_file_and_stdin(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    data = {"title": "Call", "when": "2024-04-02", "participants": [{"name": "Joe Biden"}]}
    ok(runner, ["append", "CallHeld", "--data", json.dumps(data)])
    (tmp_path / "d.json").write_text(json.dumps({**data, "title": "Second call"}))
    ok(runner, ["append", "CallHeld", "--data", f"@{tmp_path / 'd.json'}"])
    out = ok(runner, ["append", "CallHeld", "--data", "-", "--json"],
             input=json.dumps({**data, "title": "Third call"}))  # fmt: skip
    assert json.loads(out)["seq"] == 3
    assert [json.loads(r[3])["title"] for r in rows(db_path)] == [
        "Call",
        "Second call",
        "Third call",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nope", "--data", "{}"], "Error: type: unknown event type 'Nope'; known types: "),
        (["CallHeld", "--data", "{"], "Error: --data: not valid JSON: "),
        (["CallHeld", "--data", "[]"], "Error: data: must be an object, not a list"),
        (["CallHeld", "--data", '{"title": 5}'], "Error: data.title: must be a string, not a number"),
        (["CallHeld", "--data", '{"title": "x", "when": "2024", "participants": [{"name": "A"}], "x": 1}'],
         "Error: data.x: unknown field"),
        (["CallHeld", "--data", '{"when": "2024"}'], "Error: data.title: is required"),
    ],
)  # fmt: skip
def test_append_refuses_bad_input(
    runner: CliRunner, db_path: Path, args: list[str], message: str
) -> None:
    assert refused(runner, ["append", *args]).startswith(message)
    assert rows(db_path) == []


def test_append_with_the_same_id_is_idempotent(runner: CliRunner, db_path: Path) -> None:
    event_id = "6f1c2b1e-9a51-4d8e-8f3c-2f3e9b0f2a11"
    data = '{"title": "Call", "when": "2024-04-02", "participants": [{"name": "Joe Biden"}]}'
    ok(runner, ["append", "CallHeld", "--data", data, "--id", event_id])
    assert ok(runner, ["append", "CallHeld", "--data", data, "--id", event_id]) == (
        f"event {event_id} is already in the log\n"
    )
    other = data.replace("Call", "Other")
    line = refused(runner, ["append", "CallHeld", "--data", other, "--id", event_id])
    assert line == f"Error: id: event {event_id} is already in the log (seq 1) with other content"
    assert len(rows(db_path)) == 1


def test_import_log_round_trip_through_the_cli(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    ok(runner, MEETING)
    ok(runner, ["revise", MEETING_ID, "--summary", "At the Great Hall", "--reason", "detail"])
    ok(runner, ["append", "ActorDescribed", "--data", '{"name": "Wang Yi", "native_name": "王毅"}'])
    dump = ok(runner, ["log", "--json"])
    assert len(dump.splitlines()) == 3
    other = tmp_path / "other.db"
    out = ok(runner, ["import", "-", "--db", str(other)], input=dump)
    assert out == "Imported 3 events; skipped 0 already in the log.\n"
    assert ok(runner, ["log", "--json", "--db", str(other)]) == dump
    out = ok(runner, ["import", "-", "--db", str(other), "--json"], input=dump)
    assert json.loads(out) == {"appended": 0, "skipped": 3}


def test_import_is_all_or_nothing_and_names_the_line(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    good = {"type": "CallHeld", "data": {"title": "Call", "when": "2024-04-02",
                                         "participants": [{"name": "Joe Biden"}]}}  # fmt: skip
    lines = [json.dumps({**good, "data": {**good["data"], "title": f"Call {i}"}}) for i in range(3)]
    lines.append("")
    lines.append(json.dumps({**good, "data": {**good["data"], "when": "2024-02-30"}}))
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    line = refused(runner, ["import", str(path)])
    assert line == (
        "Error: line 5: data.when: '2024-02-30' is not a valid date: day is out of range for month"
    )
    assert rows(db_path) == []


def test_import_refuses_a_file_that_is_not_utf8(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"type": "CallHeld", "data": {"title": "\xff"}}\n')
    assert refused(runner, ["import", str(path)]).startswith("Error: ")
    assert rows(db_path) == []


def test_log_filters(runner: CliRunner) -> None:
    ok(runner, MEETING)
    ok(runner, ["append", "ActorDescribed", "--data", '{"name": "Wang Yi"}'])
    ok(runner, ["revise", MEETING_ID, "--summary", "s", "--reason", "r"])

    def seqs(args):
        return [
            json.loads(line)["seq"] for line in ok(runner, ["log", "--json", *args]).splitlines()
        ]

    assert seqs([]) == [1, 2, 3]
    assert seqs(["--stream", MEETING_ID]) == [1, 3]
    assert seqs(["--type", "ActorDescribed"]) == [2]
    assert seqs(["--since", "1"]) == [2, 3]
    text = ok(runner, ["log"]).splitlines()
    assert len(text) == 3
    assert "MeetingHeld" in text[0]
    assert "actor:wang-yi" in text[1]


def test_every_event_says_something_in_the_log_and_the_history(runner: CliRunner) -> None:
    ok(runner, ["add", "scheduled", "--id", "ai", "--kind", "dialogue", "--title", "AI dialogue"])
    ok(runner, ["postpone", "ai", "--reason", "agenda not agreed"])
    ok(runner, ["postpone", "ai", "--when", "2024-05-14"])
    ok(runner, ["held", "ai", "--when", "2024-05-14"])
    ok(runner, ["add", "scheduled", "--id", "sea", "--kind", "consultation", "--title", "Sea"])
    ok(runner, ["cancel", "sea"])
    ok(runner, ["link", "sea", "ai", "--relation", "follows_up"])
    gists = [line.split(None, 3)[3] for line in ok(runner, ["log"]).splitlines()]
    assert gists == [
        "ai  AI dialogue",
        "ai  postponed, new date not known: agenda not agreed",
        "ai  postponed, to 2024-05-14",
        "ai  took place 2024-05-14",
        "sea  Sea",
        "sea  cancelled",
        "sea  follows_up ai",
    ]
    history = ok(runner, ["show", "ai"]).split("  history:\n")[1].splitlines()
    assert [line.split(None, 4)[3:] for line in history] == [
        ["DevelopmentScheduled", "AI dialogue"],
        ["DevelopmentPostponed", "postponed, new date not known: agenda not agreed"],
        ["DevelopmentPostponed", "postponed, to 2024-05-14"],
        ["DevelopmentHeld", "took place 2024-05-14"],
    ]


def test_show_lists_what_is_part_of_a_development(runner: CliRunner) -> None:
    ok(runner, ["add", "visit", "--title", "Antony Blinken visits China", "--when",
                "2024-04-24/2024-04-26", "--visitor", "Antony Blinken", "--host-country", "CN"])  # fmt: skip
    visit = "2024-04-24-antony-blinken-visits-china"
    ok(runner, [*MEETING, "--part-of", visit])
    ok(runner, ["add", "talks", "--title", "Wang Yi holds talks with Antony Blinken", "--when",
                "2024-04-26", "--with", "Wang Yi", "--part-of", visit])  # fmt: skip
    shown = ok(runner, ["show", visit]).splitlines()
    assert shown[5:7] == [
        "  has part:     2024-04-26-wang-yi-holds-talks-with-antony-blinken  (talks, 2024-04-26)",
        f"  has part:     {MEETING_ID}  (meeting, 2024-04-26)",
    ]
    parts = json.loads(ok(runner, ["show", visit, "--json"]))["parts"]
    assert [part["id"] for part in parts] == [
        "2024-04-26-wang-yi-holds-talks-with-antony-blinken",
        MEETING_ID,
    ]


def test_show_text(runner: CliRunner) -> None:
    ok(runner, MEETING)
    out = ok(runner, ["show", MEETING_ID])
    assert out.splitlines()[:4] == [
        f"{MEETING_ID}  (meeting, occurred, version 1)",
        "  title:        Xi Jinping meets Antony Blinken",
        "  when:         2024-04-26  (day: 2024-04-26)",
        "  place:        Great Hall of the People, Beijing, CN",
    ]
    assert (
        refused(runner, ["show", "nothing-here"]) == "Error: there is no development 'nothing-here'"
    )


def test_verify_clean_log(runner: CliRunner) -> None:
    ok(runner, MEETING)
    assert ok(runner, ["verify"]).startswith(
        "OK: 1 events, seq 1 to 1 without gaps, hash chain intact"
    )


def test_read_commands_do_not_create_a_database(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = tmp_path / "missing.db"
    for command in (["log"], ["verify"], ["show", "x"]):
        result = runner.invoke(cli, [*command, "--db", str(missing)])
        assert result.exit_code == 1
        assert (
            result.stderr
            == f"Error: no database at {missing}; create one with: timeline init --db {missing}\n"
        )
    assert not missing.exists()


def test_refuses_files_that_are_not_timeline_databases(tmp_path: Path) -> None:
    runner = CliRunner()
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, just some text that is long enough " * 20)
    result = runner.invoke(cli, ["log", "--db", str(text)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {text} is not a timeline database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    result = runner.invoke(cli, ["append", "CallHeld", "--data", "{}", "--db", str(other)])
    assert (
        result.stderr == f"Error: {other} is a SQLite database of another program, not a timeline\n"
    )


def test_db_option_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("TIMELINE_DB", str(tmp_path / "env.db"))
    ok(runner, ["init"])
    ok(runner, ["--db", str(tmp_path / "group.db"), "init"])
    ok(runner, ["--db", str(tmp_path / "group.db"), "init", "--db", str(tmp_path / "cmd.db")])
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["cmd.db", "env.db", "group.db"]


def test_init_is_idempotent(runner: CliRunner, db_path: Path) -> None:
    assert ok(runner, ["init"]) == f"{db_path}: ready, 0 events in the log\n"
    ok(runner, MEETING)
    assert ok(runner, ["init"]) == f"{db_path}: ready, 1 event in the log\n"


def test_an_empty_db_path_is_refused(runner: CliRunner) -> None:
    assert refused(runner, ["init", "--db", ""]) == "Error: --db: an empty path names no database"


def test_add_help_keeps_its_example_on_its_own_lines() -> None:
    out = CliRunner().invoke(cli, ["add", "visit", "-h"]).stdout
    assert "\\b" not in out
    assert "\n  Example:\n      timeline add visit " in out


def test_each_kind_has_its_own_example_and_each_example_works(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "examples.db")
    # The scheduled example is announced in the agreement's: add that one first.
    names = sorted(add.commands, key=lambda name: name == "scheduled")
    examples = []
    for name in names:
        help_text = runner.invoke(cli, ["add", name, "-h"]).stdout
        lines = iter(help_text.split("  Example:\n", 1)[1].splitlines())
        example = next(lines).strip()
        while example.endswith("\\"):  # continued on the next line
            example = example[:-1] + next(lines).strip()
        examples.append(example)
        args = shlex.split(example)[1:]
        result = runner.invoke(cli, [*args, "--db", db])
        assert result.exit_code == 0, (example, result.output)
    assert len(set(examples)) == len(examples) == 9


# --- errors carry their field; flags are found by lookup ---------------------------------


@pytest.mark.parametrize(
    ("field", "names", "expected"),
    [
        ("data.participants[1].country", {}, "--with #2 country: wrong"),
        ("data.participants[0]", {}, "--with #1: wrong"),
        ("data.participants", {}, "--with: wrong"),
        ("data.place.lat", {}, "--lat: wrong"),
        ("data.place", {}, "--at or --city: wrong"),
        ("data.changes.participants", {}, "--clear participants: wrong"),
        ("data.changes.participants[0].name", {}, "--with #1 name: wrong"),
        ("data.changes.when", {}, "--when: wrong"),
        ("data.changes.place.country", {}, "--country: wrong"),
        ("data.changes", {}, "the changes: wrong"),
        ("data.host_country", {}, "--host-country: wrong"),
        ("data.visitor", {}, "--visitor: wrong"),
        ("data.when", {}, "--when: wrong"),
        ("data.points[2]", {}, "--point #3: wrong"),
        ("data.development", {"data.development": "--id"}, "--id: wrong"),
        ("data.from", {"data.from": "A"}, "A: wrong"),
        ("expected_version", {}, "--expect-version: wrong"),
        ("id", {}, "id: wrong"),
    ],
)
def test_a_refused_field_is_named_by_its_flag(
    field: str, names: dict[str, str], expected: str
) -> None:
    from timeline.cli.errors import FLAG_FOR_FIELD, in_flag_terms
    from timeline.errors import InvalidEvent

    exc = InvalidEvent("wrong", field=field)
    assert exc.detail == f"{field}: wrong"
    assert in_flag_terms(exc, {**FLAG_FOR_FIELD, **names}) == expected


def test_an_error_without_a_field_is_printed_as_it_is() -> None:
    from timeline.cli.errors import FLAG_FOR_FIELD, in_flag_terms
    from timeline.errors import InvalidEvent

    # The message is never taken apart, whatever it looks like.
    exc = InvalidEvent("data.participants: looks like a field", line=3)
    assert str(exc) == "line 3: data.participants: looks like a field"
    assert in_flag_terms(exc, FLAG_FOR_FIELD) == "data.participants: looks like a field"


def test_a_refused_payload_carries_its_field_and_message() -> None:
    from timeline import service
    from timeline.errors import InvalidEvent

    data = {"title": "T", "when": "2024", "participants": [{"name": "A", "country": "zz"}]}
    with pytest.raises(InvalidEvent) as info:
        service.submit("CallHeld", data)
    assert info.value.field == "data.participants[0].country"
    assert info.value.message == "'ZZ' is not an ISO 3166-1 alpha-2 country code"


# --- values parsed by their ParamTypes ---------------------------------------------------


def test_participant_and_source_values_are_parsed_by_their_types() -> None:
    from timeline.cli.adding import add

    params = {p.name: p.type for p in add.commands["call"].params}
    participant, source = params["participants"], params["sources"]
    assert (participant.name, source.name) == ("NAME; ROLE; CC", "URL; TITLE; PUBLISHER; DATE")
    assert participant.convert(" Wang Yi ;; CN ", None, None) == {
        "name": "Wang Yi",
        "country": "CN",
    }
    assert source.convert("https://a.example; T", None, None) == {
        "url": "https://a.example",
        "title": "T",
    }


def test_a_participant_with_too_many_parts_names_the_flag(runner: CliRunner, db_path: Path) -> None:
    args = ["add", "call", "--title", "T", "--when", "2024", "--with", "A; B; CN; D"]
    assert refused(runner, args) == (
        "Error: Invalid value for --with: 'A; B; CN; D' has more than 3 parts; "
        "use NAME; ROLE; COUNTRY (see: cli add call --help)"
    )
    assert rows(db_path) == []


def test_a_bad_export_date_is_one_line_before_anything_is_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = CliRunner().invoke(cli, ["export", "json", "--to", "2024-13", "--db", str(missing)])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: --to: '2024-13' is not a valid date: month must be 01-12, or 21-24 for a season\n"
    )
    assert not missing.exists()
    empty = CliRunner().invoke(cli, ["export", "json", "--from", "", "--db", str(missing)])
    assert (empty.exit_code, empty.stderr.split(":")[:2]) == (1, ["Error", " --from"])
    assert not missing.exists()


def test_the_formats_are_those_of_the_exporting_module() -> None:
    from timeline.cli.exporting import export
    from timeline.exporting import FORMATS

    assert tuple(export.params[0].type.choices) == FORMATS


def test_an_event_is_stored_with_its_defaults_written_out(runner: CliRunner) -> None:
    ok(runner, ["append", "ActorDescribed", "--data", '{"name": "Wang Yi"}'])
    (line,) = ok(runner, ["log", "--json"]).splitlines()
    stored = json.loads(line)
    assert (stored["schema_version"], stored["data"]) == (2, {"name": "Wang Yi", "kind": "person"})


# --- an error names the flag at fault; a failed write leaves no file -----------------------


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (
            ["--country", "China"],
            "Error: --country: 'CHINA' is not an ISO 3166-1 alpha-2 country code",
        ),
        (["--lat", "95"], "Error: --lat: '95.0' is not a latitude: must be between -90 and 90"),
        (["--country", "CN"], "Error: --at or --city: a place needs a name or a city"),
    ],
)
def test_a_wrong_place_flag_is_the_one_named(
    runner: CliRunner, db_path: Path, flags: list[str], expected: str
) -> None:
    meeting = ["add", "meeting", "--title", "T", "--when", "2024-04-26", "--with", "Wang Yi"]
    assert refused(runner, [*meeting, *flags]) == expected
    ok(runner, [*meeting, "--city", "Beijing"])
    revise = ["revise", "2024-04-26-t", "--reason", "r"]
    assert refused(runner, [*revise, "--country", "China"]) == (
        "Error: --country: 'CHINA' is not an ISO 3166-1 alpha-2 country code"
    )
    assert refused(runner, [*revise, "--with", "; ; CHINA"]) == (
        "Error: --with #1 name: is required"
    )


@pytest.mark.parametrize("flag", ["--from", "--to"])
def test_a_wrong_export_date_names_its_flag(runner: CliRunner, flag: str) -> None:
    assert refused(runner, ["export", "json", flag, "2024-99"]) == (
        f"Error: {flag}: '2024-99' is not a valid date: month must be 01-12, or 21-24 for a season"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["add", "meeting", "--title", "T", "--when", "2024-04-26", "--with", "A", "--lat", "95"],
        ["add", "meeting", "--title", "T", "--when", "2024-04-26", "--with", "A", "--part-of", "x"],
        ["append", "MeetingHeld", "--data", "{}"],
        ["held", "nothing-here", "--when", "2024-05"],
    ],
)
def test_a_failed_write_creates_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_DB", raising=False)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert list(tmp_path.iterdir()) == []
    ok(CliRunner(), ["add", "meeting", "--title", "T", "--when", "2024-04-26", "--with", "A"])
    assert sorted(p.name for p in tmp_path.iterdir())[0] == "timeline.db"


def test_a_failed_write_leaves_an_existing_database_alone(runner: CliRunner, db_path: Path) -> None:
    refused(runner, ["append", "MeetingHeld", "--data", "{}"])
    assert db_path.exists()


def test_an_id_made_from_a_chinese_title_is_readable_and_old_ids_stay(runner: CliRunner) -> None:
    # A development recorded before titles were transliterated keeps the id stored with it.
    old = {"type": "MeetingHeld", "data": {"development": "2024-04-26-uf1664c5c7a48",
           "title": "王毅会见布林肯", "when": "2024-04-26", "participants": [{"name": "王毅"}]}}  # fmt: skip
    ok(runner, ["import", "-"], input=json.dumps(old, ensure_ascii=False) + "\n")
    ok(runner, ["revise", "2024-04-26-uf1664c5c7a48", "--summary", "s", "--reason", "r"])
    made = ok(runner, ["add", "meeting", "--title", "王毅会见布林肯", "--when", "2024-04-27",
                       "--with", "王毅"])  # fmt: skip
    assert made.rstrip().endswith("development 2024-04-27-wang-yi-hui-jian-bu-lin-ken")
    ids = [json.loads(line)["stream"] for line in ok(runner, ["log", "--json"]).splitlines()]
    assert ids == ["2024-04-26-uf1664c5c7a48"] * 2 + ["2024-04-27-wang-yi-hui-jian-bu-lin-ken"]


def test_add_actor_describes_an_actor_with_every_name(runner: CliRunner, db_path: Path) -> None:
    out = ok(runner, ["add", "actor", "Wang Yi", "--native-name", "王毅", "--country", "cn",
                      "--role", "Foreign Minister; Ministry of Foreign Affairs; 2023-07-25/..",
                      "--role", "Foreign Minister; ; 2013-03/2022-12",
                      "--alias", "Wang Yi (politician)", "--wikidata", "Q123456"])  # fmt: skip
    assert out.rstrip().endswith("actor wang-yi")
    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            "SELECT name, native_name, kind, country, roles, aliases, wikidata, described "
            "FROM actors"
        ).fetchone()
    assert row[:4] == ("Wang Yi", "王毅", "person", "CN")
    assert json.loads(row[4]) == [
        {"title": "Foreign Minister", "organization": "Ministry of Foreign Affairs",
         "from": "2023-07-25"},
        {"title": "Foreign Minister", "from": "2013-03", "to": "2022-12"},
    ]  # fmt: skip
    assert (json.loads(row[5]), row[6], row[7]) == (["Wang Yi (politician)"], "Q123456", 1)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--role", "FM; MFA; 2024-99"], "Error: --role #1 from: '2024-99' is not a valid date: month must be 01-12, or 21-24 for a season"),
        (["--role", "FM; MFA; 2024/2023"], "Error: --role #1 to: '2023' is before the start '2024'"),
        (["--wikidata", "42"], "Error: --wikidata: '42' is not a Wikidata item id such as Q42"),
        (["--alias", " "], "Error: --alias: alias 1 is empty"),
        (["--country", "China"], "Error: --country: 'CHINA' is not an ISO 3166-1 alpha-2 country code"),
        (["--kind", "robot"], "Error: Invalid value for '--kind': 'robot' is not one of 'person', 'organization', 'state'. (see: cli add actor --help)"),
    ],
)  # fmt: skip
def test_add_actor_names_the_flag_at_fault(
    runner: CliRunner, db_path: Path, flags: list[str], expected: str
) -> None:
    assert refused(runner, ["add", "actor", "Wang Yi", *flags]) == expected
    assert rows(db_path) == []


def test_log_refuses_a_type_that_does_not_exist(runner: CliRunner) -> None:
    line = refused(runner, ["log", "--type", "MeetingHold"])
    assert line.startswith(
        "Error: Invalid value for '--type': 'MeetingHold' is not an event type (one of: "
        "ActorDescribed, AgreementReached, "
    )


def test_revise_may_give_a_time_with_an_offset_and_clear_the_zone_at_once(
    runner: CliRunner,
) -> None:
    """The new date is checked without the zone, not the old local time."""
    ok(runner, ["add", "meeting", "--id", "m", "--title", "M", "--when", "2024-04-26T16:30",
                "--timezone", "Asia/Shanghai", "--with", "X"])  # fmt: skip
    ok(runner, ["revise", "m", "--when", "2024-04-26T17:30+08:00", "--clear", "timezone",
                "--reason", "the offset, not the zone"])  # fmt: skip
    shown = json.loads(ok(runner, ["show", "m", "--json"]))["development"]
    assert (shown["when"], shown["timezone"]) == ("2024-04-26T17:30+08:00", None)


def test_revise_and_held_change_only_the_parts_of_the_place_given(runner: CliRunner) -> None:
    ok(runner, ["add", "scheduled", "--kind", "meeting", "--id", "m", "--title", "M",
                "--when", "2024-04-26", "--at", "Great Hall of the People", "--city", "Beijing",
                "--country", "CN", "--lat", "39.9", "--lon", "116.39"])  # fmt: skip
    ok(runner, ["revise", "m", "--city", "Peking", "--reason", "the name then"])
    ok(runner, ["held", "m", "--when", "2024-04-26", "--at", "Diaoyutai", "--with", "X"])
    place = json.loads(ok(runner, ["show", "m", "--json"]))["development"]["place"]
    assert place == {
        "name": "Diaoyutai",
        "city": "Peking",
        "country": "CN",
        "lat": 39.9,
        "lon": 116.39,
    }
