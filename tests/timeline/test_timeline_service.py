"""Tests for timeline.service: deciding what may be appended, idempotency, atomic import.

Messages are pinned exactly: they are what a user reads on stderr (``Error: line 6: ...``).
"""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from support import all_rows, count

from timeline import service
from timeline.cli import cli
from timeline.db import open_db
from timeline.errors import DuplicateEvent, InvalidEvent, VersionConflict
from timeline.log import EventLog, verify_chain

EVENT_ID = "0b6a1f0e-3c1d-4e5f-8a9b-0c1d2e3f4a5b"


def meeting(**data: Any) -> dict[str, Any]:
    """A valid MeetingHeld event; keyword arguments replace fields of its data."""
    base = {
        "title": "Xi Jinping meets Antony Blinken",
        "when": "2024-04-26",
        "participants": [
            {"name": "Xi Jinping", "role": "President", "country": "CN"},
            {"name": "Antony Blinken", "role": "Secretary of State", "country": "US"},
        ],
    }
    return {"type": "MeetingHeld", "data": {**base, **data}}


def scheduled(dev_id: str, **data: Any) -> dict[str, Any]:
    base = {"development": dev_id, "title": f"Planned {dev_id}", "kind": "dialogue"}
    return {"type": "DevelopmentScheduled", "data": {**base, **data}}


def lifecycle(type_: str, dev_id: str, **data: Any) -> dict[str, Any]:
    return {"type": type_, "data": {"development": dev_id, **data}}


def add(db, *objs: dict[str, Any]) -> service.Outcome:
    """Submit event objects as one append."""
    return service.append(db, [service.parse_submission(o) for o in objs])


def refused(db, *objs: dict[str, Any], error: type[InvalidEvent] = InvalidEvent) -> str:
    """Submit, expect a refusal of exactly *error* that writes nothing; return its message."""
    before = all_rows(db)
    with pytest.raises(InvalidEvent) as info:
        add(db, *objs)
    assert type(info.value) is error
    assert all_rows(db) == before
    return str(info.value)


def jsonl(*objs: Any) -> io.StringIO:
    return io.StringIO("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs))


# --- expected versions --------------------------------------------------------------


def test_expected_version_zero_creates_a_new_stream(db):
    outcome = add(db, {**scheduled("ai-dialogue"), "expected_version": 0})
    (envelope,) = outcome.appended
    assert (envelope.seq, envelope.stream, envelope.stream_version) == (1, "ai-dialogue", 1)


def test_expected_version_on_a_stream_that_does_not_exist_is_a_conflict(db):
    message = refused(
        db, {**scheduled("ai-dialogue"), "expected_version": 1}, error=VersionConflict
    )
    assert message == (
        "expected_version: stream ai-dialogue is at version 0, not 1; nothing was written"
    )
    assert count(db) == 0


def test_expected_version_zero_on_an_existing_development_is_refused(db):
    add(db, scheduled("ai-dialogue"))
    # Two writers racing to create the same development: the loser gets a version conflict.
    message = refused(
        db, {**scheduled("ai-dialogue"), "expected_version": 0}, error=VersionConflict
    )
    assert message == (
        "expected_version: stream ai-dialogue is at version 1, not 0; nothing was written"
    )
    cancel = {**lifecycle("DevelopmentCancelled", "ai-dialogue"), "expected_version": 0}
    message = refused(db, cancel, error=VersionConflict)
    assert message == (
        "expected_version: stream ai-dialogue is at version 1, not 0; nothing was written"
    )


@pytest.mark.parametrize("stale", [0, 1, 3, 99])
def test_wrong_expected_version_raises_and_writes_nothing(db, stale: int):
    add(db, scheduled("ai-dialogue"), lifecycle("DevelopmentPostponed", "ai-dialogue"))
    postpone = {**lifecycle("DevelopmentPostponed", "ai-dialogue"), "expected_version": stale}
    message = refused(db, postpone, error=VersionConflict)
    assert message == (
        f"expected_version: stream ai-dialogue is at version 2, not {stale}; nothing was written"
    )
    (envelope,) = add(db, {**postpone, "expected_version": 2}).appended
    assert envelope.stream_version == 3


def test_expected_version_counts_events_earlier_in_the_same_batch(db):
    outcome = add(
        db,
        {**scheduled("ai-dialogue"), "expected_version": 0},
        {**lifecycle("DevelopmentPostponed", "ai-dialogue"), "expected_version": 1},
        {**lifecycle("DevelopmentCancelled", "ai-dialogue"), "expected_version": 2},
    )
    assert [e.stream_version for e in outcome.appended] == [1, 2, 3]


def test_a_conflict_late_in_a_batch_writes_none_of_it(db):
    add(db, scheduled("existing"))
    message = refused(
        db,
        scheduled("new-one"),
        lifecycle("DevelopmentPostponed", "existing"),
        {**lifecycle("DevelopmentCancelled", "existing"), "expected_version": 1},
        error=VersionConflict,
    )
    assert (
        message == "expected_version: stream existing is at version 2, not 1; nothing was written"
    )
    assert count(db) == 1
    assert EventLog(db).stream_version("new-one") == 0


def test_cli_expect_version_conflict(runner, db):
    add(db, scheduled("ai-dialogue"))
    result = runner.invoke(
        cli, ["revise", "ai-dialogue", "--summary", "s", "--reason", "r", "--expect-version", "5"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --expect-version: stream ai-dialogue is at version 1, not 5; nothing was written\n"
    )
    assert count(db) == 1
    result = runner.invoke(
        cli,
        [
            "revise",
            "ai-dialogue",
            "--summary",
            "s",
            "--reason",
            "r",
            "--expect-version",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stream_version"] == 2


# --- idempotency --------------------------------------------------------------------


def test_same_id_and_content_is_skipped(db):
    event = {**meeting(development="xi-blinken"), "id": EVENT_ID}
    first = add(db, event)
    before = all_rows(db)
    again = add(db, event)
    assert again == service.Outcome(appended=[], skipped=[EVENT_ID])
    assert all_rows(db) == before
    assert first.appended[0].id == EVENT_ID


def test_same_id_with_other_meta_is_still_skipped(db):
    add(db, {**meeting(development="xi-blinken"), "id": EVENT_ID, "meta": {"note": "a"}})
    outcome = add(db, {**meeting(development="xi-blinken"), "id": EVENT_ID, "meta": {"note": "b"}})
    assert outcome.skipped == [EVENT_ID]
    assert EventLog(db).get(EVENT_ID).meta == {"note": "a"}


def test_same_id_with_equivalent_spelling_is_skipped(db):
    add(db, {**meeting(development="xi-blinken"), "id": EVENT_ID})
    # Country codes are normalised before storing, so a retry spelled "cn" is the same event.
    retry = meeting(development="xi-blinken")
    retry["data"]["participants"][0]["country"] = "cn"
    assert add(db, {**retry, "id": EVENT_ID}).skipped == [EVENT_ID]


@pytest.mark.parametrize(
    "other",
    [
        meeting(development="xi-blinken", title="Another title"),
        meeting(development="xi-blinken", tags=["new"]),
        {**meeting(development="xi-blinken"), "type": "TalksHeld"},
    ],
    ids=["title", "tags", "type"],
)
def test_same_id_with_other_content_is_refused(db, other: dict[str, Any]):
    add(db, {**meeting(development="xi-blinken"), "id": EVENT_ID})
    message = refused(db, {**other, "id": EVENT_ID}, error=DuplicateEvent)
    assert message == f"id: event {EVENT_ID} is already in the log (seq 1) with other content"


def test_a_refused_duplicate_takes_its_whole_batch_with_it(db):
    add(db, {**meeting(development="xi-blinken"), "id": EVENT_ID})
    refused(
        db,
        scheduled("new-one"),
        {**meeting(development="xi-blinken", title="Changed"), "id": EVENT_ID},
        error=DuplicateEvent,
    )
    assert count(db) == 1


def test_creation_without_development_resubmitted_with_its_id_is_skipped(db):
    event = {**meeting(), "id": EVENT_ID}
    (first,) = add(db, event).appended
    assert first.stream == "2024-04-26-xi-jinping-meets-antony-blinken"
    assert first.data["development"] == first.stream
    # The id made from date and title is now taken, but this is the same event again.
    assert add(db, event) == service.Outcome(appended=[], skipped=[EVENT_ID])
    assert count(db) == 1


def test_creation_without_development_resubmitted_with_other_content_is_refused(db):
    add(db, {**meeting(), "id": EVENT_ID})
    message = refused(db, {**meeting(summary="More"), "id": EVENT_ID}, error=DuplicateEvent)
    assert message == f"id: event {EVENT_ID} is already in the log (seq 1) with other content"


def test_the_same_line_twice_in_one_import_is_appended_once(db):
    line = {**meeting(development="xi-blinken"), "id": EVENT_ID}
    outcome = service.import_file(db, jsonl(line, line))
    assert [e.id for e in outcome.appended] == [EVENT_ID]
    assert outcome.skipped == [EVENT_ID]


# --- import is all or nothing -------------------------------------------------------

GOOD_LINES = [
    meeting(development="xi-blinken"),
    {
        "type": "CallHeld",
        "data": {
            "development": "biden-xi-call",
            "title": "Biden and Xi speak by phone",
            "when": "2024-04-02",
            "participants": [{"name": "Joe Biden"}, {"name": "Xi Jinping"}],
        },
    },
    scheduled("ai-dialogue", when="2024-05~", announced_in="xi-blinken"),
    {"type": "ActorDescribed", "data": {"name": "Wang Yi", "native_name": "王毅", "country": "cn"}},
    lifecycle("DevelopmentPostponed", "ai-dialogue", reason="agenda not agreed"),
]


def _bad(**data: Any) -> dict[str, Any]:
    return meeting(development="bad-one", **data)


BAD_LINES = {
    "bad date": (
        _bad(when="2023-02-29"),
        "data.when: '2023-02-29' is not a valid date: day is out of range for month",
    ),
    "unknown field": (_bad(colour="red"), "data.colour: unknown field"),
    "unknown top-level field": (
        {**meeting(development="bad-one"), "when": "2024"},
        "when: unknown field",
    ),
    "missing title": (
        {
            "type": "MeetingHeld",
            "data": {"development": "bad-one", "when": "2024", "participants": [{"name": "a"}]},
        },
        "data.title: is required",
    ),
    "bad JSON": (
        '{"type": "MeetingHeld", "data": {"title" "x"}}',
        "not valid JSON: Expecting ':' delimiter (column 42)",
    ),
    "not an object": ("[1, 2]", 'an event must be a JSON object like {"type": ..., "data": {...}}'),
    "unknown type": (
        {"type": "MeetingHappened", "data": {}},
        "type: unknown event type 'MeetingHappened'; known types: ActorDescribed, "
        "AgreementReached, CallHeld, DevelopmentCancelled, DevelopmentHeld, "
        "DevelopmentPostponed, DevelopmentRetracted, DevelopmentRevised, DevelopmentScheduled, "
        "DevelopmentsLinked, DevelopmentsMerged, DevelopmentsUnmerged, MeetingHeld, StatementMade, SummitHeld, TalksHeld, VisitMade",
    ),
    "no type": ({"data": {}}, "type: is required and must be a string"),
    "list instead of a string": (_bad(title=["x"]), "data.title: must be a string, not a list"),
    "string instead of a list": (
        _bad(participants="Xi"),
        "data.participants: must be a list, not a string",
    ),
    "no participant": (
        _bad(participants=[]),
        "data.participants: at least one participant is required",
    ),
    "bad country": (
        _bad(participants=[{"name": "Xi", "country": "XX"}]),
        "data.participants[0].country: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ),
    "non-existent development": (
        lifecycle("DevelopmentCancelled", "nowhere", reason="x"),
        "data.development: there is no development 'nowhere'",
    ),
    "non-existent part_of": (
        _bad(part_of="nowhere"),
        "data.part_of: there is no development 'nowhere'",
    ),
    "id not a UUID": (
        {**meeting(development="bad-one"), "id": "42"},
        "id: '42' is not a lowercase UUID",
    ),
    "negative expected_version": (
        {**meeting(development="bad-one"), "expected_version": -1},
        "expected_version: must be a whole number, 0 or more",
    ),
    "lifecycle not allowed": (
        lifecycle("DevelopmentCancelled", "xi-blinken"),
        "data.development: 'xi-blinken' has already taken place; DevelopmentCancelled applies to a "
        "development that is scheduled or postponed",
    ),
    "taken development": (
        meeting(development="biden-xi-call"),
        "data.development: 'biden-xi-call' already exists",
    ),
    "recorded_at not UTC": (
        {**meeting(development="bad-one"), "recorded_at": "2024-04-26T08:30:00+08:00"},
        "recorded_at: '2024-04-26T08:30:00+08:00' is not a UTC time like 2024-04-26T08:30:00Z",
    ),
}


@pytest.mark.parametrize(("bad", "message"), BAD_LINES.values(), ids=BAD_LINES.keys())
def test_one_bad_line_and_nothing_is_imported(db, bad: Any, message: str):
    with pytest.raises(InvalidEvent) as info:
        service.import_file(db, jsonl(*GOOD_LINES, bad))
    assert str(info.value) == f"line 6: {message}"
    assert info.value.line == 6
    assert info.value.detail == message
    assert count(db) == 0


def test_the_good_lines_alone_import(db):
    outcome = service.import_file(db, jsonl(*GOOD_LINES))
    assert [e.seq for e in outcome.appended] == [1, 2, 3, 4, 5]
    assert [e.stream for e in outcome.appended] == [
        "xi-blinken",
        "biden-xi-call",
        "ai-dialogue",
        "actor:wang-yi",
        "ai-dialogue",
    ]
    assert outcome.skipped == []


def test_a_bad_line_in_the_middle_refuses_the_lines_before_and_after(db):
    lines = [*GOOD_LINES[:2], _bad(when="2024-13"), *GOOD_LINES[2:]]
    with pytest.raises(InvalidEvent, match=r"^line 3: data\.when: "):
        service.import_file(db, jsonl(*lines))
    assert count(db) == 0


def test_blank_lines_are_skipped_but_counted(db):
    text = "\n" + json.dumps(GOOD_LINES[0]) + "\n   \n" + json.dumps(_bad(when="soon")) + "\n"
    with pytest.raises(InvalidEvent, match=r"^line 4: data\.when: 'soon' "):
        service.import_file(db, io.StringIO(text))
    assert count(db) == 0


def test_cli_import_refuses_the_file_naming_line_and_field(runner, db, tmp_path: Path):
    path = tmp_path / "events.jsonl"
    path.write_text(jsonl(*GOOD_LINES, _bad(when="2023-02-29")).getvalue(), encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: line 6: data.when: '2023-02-29' is not a valid date: day is out of range for month\n"
    )
    assert count(db) == 0
    with_ids = [{**o, "id": f"00000000-0000-4000-8000-{i:012d}"} for i, o in enumerate(GOOD_LINES)]
    path.write_text(jsonl(*with_ids).getvalue(), encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 5 events; skipped 0 already in the log.\n"
    result = runner.invoke(cli, ["import", "-", "--json"], input=path.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"appended": 0, "skipped": 5}


def test_nan_in_meta_is_refused_naming_the_line(db):
    line = json.dumps(meeting(development="bad-one"))[:-1] + ', "meta": {"score": NaN}}'
    with pytest.raises(InvalidEvent, match=r"^line 6: not valid JSON: NaN is not a JSON number$"):
        service.import_file(db, jsonl(*GOOD_LINES, line))


def test_lone_surrogate_is_refused_naming_the_line(db):
    line = json.dumps(meeting(development="bad-one", title="bad \ud800 title"))
    assert "\\ud800" in line
    with pytest.raises(InvalidEvent) as refused:
        service.import_file(db, jsonl(*GOOD_LINES, line))
    assert str(refused.value) == "line 6: data.title: contains an unpaired surrogate (\\ud800)"


@pytest.mark.parametrize("stamp", ["2024-04-26Z", "2024-04-26T08:30:00+08:00Z"])
def test_recorded_at_must_be_a_utc_instant(db, stamp: str):
    with pytest.raises(InvalidEvent, match=r"^line 1: recorded_at: "):
        service.import_file(db, jsonl({**meeting(development="m"), "recorded_at": stamp}))


def test_truncated_json_line_names_the_column_where_it_ends(db):
    with pytest.raises(InvalidEvent) as info:
        service.import_file(db, io.StringIO('{"type": "MeetingHeld", "data": {\n'))
    assert str(info.value) == (
        "line 1: not valid JSON: Expecting property name enclosed in double quotes (column 34)"
    )


# --- `timeline log --json` round trip -----------------------------------------------

HISTORY = [
    {
        **meeting(
            when="2024-04-26T16:30+08:00",
            place={
                "name": "Great Hall",
                "city": "Beijing",
                "country": "CN",
                "lat": 39.9,
                "lon": 116.4,
            },
            sources=[{"url": "https://example.org/readout", "title": "Readout"}],
            tags=["china-us"],
        ),
        "meta": {"recorded_by": "ana", "note": "from the readout"},
    },
    scheduled(
        "ai-dialogue", when="2024-05~", announced_in="2024-04-26-xi-jinping-meets-antony-blinken"
    ),
    lifecycle(
        "DevelopmentRevised",
        "2024-04-26-xi-jinping-meets-antony-blinken",
        changes={"summary": "Five-point consensus.", "tags": None},
        reason="summary added",
    ),
    lifecycle("DevelopmentPostponed", "ai-dialogue", reason="agenda not agreed"),
    lifecycle(
        "DevelopmentHeld",
        "ai-dialogue",
        when="2024-05-14",
        place={"name": "Geneva", "country": "CH"},
    ),
    scheduled("liu-visit", kind="visit"),
    lifecycle("DevelopmentCancelled", "liu-visit", reason="called off"),
    {
        "type": "StatementMade",
        "data": {
            "development": "duplicate-statement",
            "title": "Statement",
            "when": "2024-04",
            "speaker": "Xi Jinping",
            "quote": "As major countries, “we” 应该…",
        },
    },
    lifecycle("DevelopmentRetracted", "duplicate-statement", reason="recorded twice"),
    {
        "type": "DevelopmentsLinked",
        "data": {
            "from": "ai-dialogue",
            "to": "2024-04-26-xi-jinping-meets-antony-blinken",
            "relation": "follows_up",
        },
    },
    {
        "type": "ActorDescribed",
        "data": {
            "name": "Wang Yi",
            "native_name": "王毅",
            "kind": "person",
            "country": "CN",
            "roles": [{"title": "Foreign Minister", "organization": "MFA", "from": "2023-07"}],
        },
    },
]


@pytest.fixture
def history(db) -> list[str]:
    """A log with every kind of event, appended one at a time; returns its JSON Lines dump."""
    for obj in HISTORY:
        add(db, obj)
    return [json.dumps(e.to_json(), ensure_ascii=False) for e in EventLog(db).read()]


def test_log_json_imports_into_an_empty_database_identically(db, history, tmp_path: Path):
    assert len({json.loads(line)["recorded_at"] for line in history}) > 1
    copy_db = open_db(tmp_path / "copy.db")
    try:
        outcome = service.import_file(copy_db, io.StringIO("\n".join(history) + "\n"))
        assert [e.seq for e in outcome.appended] == list(range(1, 12))
        assert outcome.skipped == []
        assert all_rows(copy_db) == all_rows(db)
        assert verify_chain(copy_db) == (11, None)
        # Importing it again changes nothing.
        again = service.import_file(copy_db, io.StringIO("\n".join(history) + "\n"))
        assert again.appended == []
        assert again.skipped == [json.loads(line)["id"] for line in history]
        assert all_rows(copy_db) == all_rows(db)
    finally:
        copy_db.close()


def test_cli_log_json_then_import_reproduces_the_log(runner, db, history, tmp_path: Path):
    result = runner.invoke(cli, ["log", "--json"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        json.loads(line) for line in history
    ]
    copy_path = tmp_path / "copy.db"
    result = runner.invoke(cli, ["import", "-", "--db", str(copy_path)], input=result.stdout)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 11 events; skipped 0 already in the log.\n"
    copy_db = open_db(copy_path)
    try:
        assert all_rows(copy_db) == all_rows(db)
    finally:
        copy_db.close()


EDITED = "line 3: hash: the line's hash does not match its contents at seq 3 (was it edited?)"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda line, previous: line.update(hash="0" * 64), EDITED),
        (lambda line, previous: line["data"].update(reason="another reason"), EDITED),
        (lambda line, previous: line.update(recorded_at=previous), EDITED),
        (
            lambda line, previous: line.update(recorded_at="2099-01-01T00:00:00.000000Z"),
            "line 3: recorded_at: 2099-01-01T00:00:00.000000Z is in the future (this machine's "
            "clock says {now}); an event cannot be recorded ahead of its time",
        ),
        (
            lambda line, previous: line.update(recorded_at="2020-01-01T00:00:00.000000Z"),
            "line 3: recorded_at: 2020-01-01T00:00:00.000000Z is before the time of the log's "
            "last event ({previous}); an event cannot be recorded in the log's past",
        ),
        (lambda line, previous: line["meta"].update(note="added later"), EDITED),
    ],
    ids=["hash", "data", "recorded_at", "recorded_at-future", "recorded_at-earlier", "meta"],
)
def test_an_edited_log_line_is_refused_on_import(history, tmp_path: Path, edit, message):
    lines = [json.loads(line) for line in history]
    previous = lines[1]["recorded_at"]
    edit(lines[2], previous)
    copy_db = open_db(tmp_path / "copy.db")
    try:
        with pytest.raises(InvalidEvent) as info:
            service.import_file(copy_db, jsonl(*lines))
        said = re.sub(r"clock says [0-9T:.Z-]+\)", "clock says {now})", str(info.value))
        assert said == message.format(previous=previous, now="{now}")
        assert count(copy_db) == 0
    finally:
        copy_db.close()


def test_a_log_line_claiming_another_stream_is_refused(history, tmp_path: Path):
    lines = [json.loads(line) for line in history]
    lines[2]["stream"] = "somewhere-else"
    copy_db = open_db(tmp_path / "copy.db")
    try:
        with pytest.raises(InvalidEvent) as info:
            service.import_file(copy_db, jsonl(*lines))
        assert str(info.value) == (
            "line 3: stream: the line says 'somewhere-else' but the event belongs to "
            "'2024-04-26-xi-jinping-meets-antony-blinken'"
        )
        assert count(copy_db) == 0
    finally:
        copy_db.close()


def test_log_lines_import_after_other_events_with_new_seqs(history, tmp_path: Path):
    # Into a log that already has events, seq and hash are the new log's own; times
    # recorded before the log's last event would rewrite its past, so they are refused,
    # and lines without their times are recorded now.
    copy_db = open_db(tmp_path / "copy.db")
    try:
        (first,) = add(copy_db, scheduled("something-else")).appended
        with pytest.raises(InvalidEvent) as info:
            service.import_file(copy_db, io.StringIO("\n".join(history)))
        originals = [json.loads(line) for line in history]
        assert str(info.value) == (
            f"line 1: recorded_at: {originals[0]['recorded_at']} is before the time of the "
            f"log's last event ({first.recorded_at}); an event cannot be recorded in the log's past"
        )
        assert count(copy_db) == 1
        undated = [{k: v for k, v in o.items() if k != "recorded_at"} for o in originals]
        outcome = service.import_file(copy_db, jsonl(*undated))
        assert [e.seq for e in outcome.appended] == list(range(2, 13))
        assert [e.id for e in outcome.appended] == [o["id"] for o in originals]
        assert all(e.recorded_at >= first.recorded_at for e in outcome.appended)
        assert all(e.hash != o["hash"] for e, o in zip(outcome.appended, originals, strict=True))
        assert verify_chain(copy_db) == (12, None)
    finally:
        copy_db.close()


# --- lifecycle rules ----------------------------------------------------------------


def state_of(db, dev_id: str):
    current, _ = service.development_history(db, dev_id)
    return current


def test_postpone_without_a_date_makes_the_date_unknown(db):
    add(db, scheduled("ai-dialogue", when="2024-05", timezone="Europe/Zurich"))
    add(db, lifecycle("DevelopmentPostponed", "ai-dialogue", reason="agenda"))
    current = state_of(db, "ai-dialogue")
    assert (current.status, current.when, current.status_reason) == ("postponed", None, "agenda")
    assert current.timezone == "Europe/Zurich"
    add(db, lifecycle("DevelopmentPostponed", "ai-dialogue", when="2024-06?"))
    current = state_of(db, "ai-dialogue")
    assert (current.status, current.when, current.date.precision) == (
        "postponed",
        "2024-06?",
        "month",
    )
    assert current.version == 3


def test_held_after_scheduled_makes_it_occurred(db):
    add(db, scheduled("ai-dialogue", when="2024-05"))
    add(
        db,
        lifecycle(
            "DevelopmentHeld",
            "ai-dialogue",
            when="2024-05-14",
            place={"name": "Geneva", "country": "ch"},
            participants=[{"name": "Arati Prabhakar", "country": "US"}],
        ),
    )
    current = state_of(db, "ai-dialogue")
    assert current.status == "occurred"
    assert current.when == "2024-05-14"
    assert current.place["name"] == "Geneva"
    assert current.place["country"] == "CH"
    assert [p["name"] for p in current.participants] == ["Arati Prabhakar"]
    assert current.title == "Planned ai-dialogue"  # not given, so unchanged
    assert current.kind == "dialogue"


@pytest.mark.parametrize(
    ("steps", "last", "status"),
    [
        ([], "DevelopmentHeld", "scheduled"),
        (["DevelopmentPostponed"], "DevelopmentHeld", "postponed"),
        (["DevelopmentCancelled"], "DevelopmentHeld", "cancelled"),
        (["DevelopmentPostponed"], "DevelopmentCancelled", "postponed"),
        (["DevelopmentPostponed"], "DevelopmentPostponed", "postponed"),
    ],
)
def test_lifecycle_steps_allowed(db, steps: list[str], last: str, status: str):
    add(db, scheduled("x"), *[lifecycle(step, "x") for step in steps])
    assert state_of(db, "x").status == status
    data = {"when": "2024-05-14"} if last == "DevelopmentHeld" else {}
    (envelope,) = add(db, lifecycle(last, "x", **data)).appended
    assert envelope.stream_version == len(steps) + 2


@pytest.mark.parametrize(
    ("steps", "last", "message"),
    [
        (
            ["DevelopmentHeld"],
            "DevelopmentHeld",
            "data.development: 'x' has already taken place; DevelopmentHeld applies to a development that "
            "is scheduled or postponed or cancelled",
        ),
        (
            ["DevelopmentHeld"],
            "DevelopmentPostponed",
            "data.development: 'x' has already taken place; DevelopmentPostponed applies to a development "
            "that is scheduled or postponed",
        ),
        (
            ["DevelopmentCancelled"],
            "DevelopmentCancelled",
            "data.development: 'x' was cancelled; DevelopmentCancelled applies to a development "
            "that is scheduled or postponed",
        ),
        (
            ["DevelopmentCancelled"],
            "DevelopmentPostponed",
            "data.development: 'x' was cancelled; DevelopmentPostponed applies to a development "
            "that is scheduled or postponed",
        ),
    ],
)
def test_lifecycle_steps_refused(db, steps: list[str], last: str, message: str):
    held = {"when": "2024-05-14"}
    add(db, scheduled("x"))
    for step in steps:
        add(db, lifecycle(step, "x", **(held if step == "DevelopmentHeld" else {})))
    data = held if last == "DevelopmentHeld" else {}
    assert refused(db, lifecycle(last, "x", **data)) == message


def test_revise_changes_and_clears_fields(db):
    add(
        db,
        meeting(
            development="xi-blinken",
            summary="Old summary",
            tags=["china-us", "security"],
            place={"name": "Great Hall", "country": "CN"},
            timezone="Asia/Shanghai",
        ),
    )
    add(
        db,
        lifecycle(
            "DevelopmentRevised",
            "xi-blinken",
            changes={
                "title": "Xi Jinping receives Antony Blinken",
                "when": "2024-04-26T16:30",
                "summary": "New summary",
                "tags": None,
                "place": None,
            },
            reason="corrected from the readout",
        ),
    )
    current = state_of(db, "xi-blinken")
    assert current.title == "Xi Jinping receives Antony Blinken"
    assert current.when == "2024-04-26T16:30"  # local time, allowed by the stored zone
    assert current.summary == "New summary"
    assert current.tags == ()
    assert current.place is None
    assert current.timezone == "Asia/Shanghai"
    assert [p["name"] for p in current.participants] == ["Xi Jinping", "Antony Blinken"]
    assert (current.status, current.version) == ("occurred", 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"when": None},
            "data.changes.when: cannot be removed; postpone it to make the date unknown",
        ),
        ({"title": None}, "data.changes.title: cannot be removed; give a new one"),
        (
            {"status": "cancelled"},
            "data.changes.status: cannot be revised; fields that can: "
            "title, when, timezone, summary, place, participants, sources, tags, part_of",
        ),
        ({"part_of": "nowhere"}, "data.part_of: there is no development 'nowhere'"),
        ({"part_of": "xi-blinken"}, "data.part_of: a development cannot be part of itself"),
    ],
)
def test_revise_refusals(db, changes: dict[str, Any], message: str):
    add(db, meeting(development="xi-blinken"))
    revision = lifecycle("DevelopmentRevised", "xi-blinken", changes=changes, reason="r")
    assert refused(db, revision) == message


def test_revise_requires_a_reason(db):
    add(db, meeting(development="xi-blinken"))
    revision = lifecycle("DevelopmentRevised", "xi-blinken", changes={"summary": "s"})
    assert refused(db, revision) == "data.reason: is required"


def test_revise_with_no_changes_names_the_field_once(db):
    add(db, meeting(development="xi-blinken"))
    revision = lifecycle("DevelopmentRevised", "xi-blinken", changes={}, reason="r")
    assert refused(db, revision) == "data.changes: at least one field to change is required"


RETRACTED = "data.development: development 'x' was retracted"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (lifecycle("DevelopmentRevised", "x", changes={"summary": "s"}, reason="r"), RETRACTED),
        (lifecycle("DevelopmentHeld", "x", when="2024-05-14"), RETRACTED),
        (lifecycle("DevelopmentPostponed", "x"), RETRACTED),
        (lifecycle("DevelopmentCancelled", "x"), RETRACTED),
        (lifecycle("DevelopmentRetracted", "x", reason="again"), RETRACTED),
        (
            {
                "type": "DevelopmentsLinked",
                "data": {"from": "x", "to": "y", "relation": "follows_up"},
            },
            "data.from: development 'x' was retracted",
        ),
        (
            {
                "type": "DevelopmentsLinked",
                "data": {"from": "y", "to": "x", "relation": "follows_up"},
            },
            "data.to: development 'x' was retracted",
        ),
        (scheduled("z", part_of="x"), "data.part_of: development 'x' was retracted"),
        (scheduled("x"), "data.development: 'x' already exists"),
    ],
    ids=[
        "revise",
        "held",
        "postpone",
        "cancel",
        "retract",
        "link-from",
        "link-to",
        "part_of",
        "reuse",
    ],
)
def test_nothing_follows_a_retraction(db, event: dict[str, Any], message: str):
    add(db, scheduled("x"), scheduled("y"))
    add(db, lifecycle("DevelopmentRetracted", "x", reason="recorded in error"))
    assert refused(db, event) == message
    current = state_of(db, "x")
    assert (current.retracted, current.status_reason, current.version) == (
        True,
        "recorded in error",
        2,
    )


def test_part_of_must_name_an_existing_development(db):
    assert refused(db, meeting(part_of="blinken-visit")) == (
        "data.part_of: there is no development 'blinken-visit'"
    )
    assert refused(db, meeting(development="m", part_of="m")) == (
        "data.part_of: a development cannot be part of itself"
    )
    # The same when the id is the one made from date and title.
    made = "2024-04-26-xi-jinping-meets-antony-blinken"
    assert refused(db, meeting(part_of=made)) == (
        "data.part_of: a development cannot be part of itself"
    )
    add(db, scheduled("blinken-visit", kind="visit"))
    (envelope,) = add(db, meeting(part_of="blinken-visit")).appended
    assert state_of(db, envelope.stream).part_of == "blinken-visit"


def test_part_of_may_name_a_development_earlier_in_the_same_batch(db):
    outcome = add(db, scheduled("blinken-visit", kind="visit"), meeting(part_of="blinken-visit"))
    assert len(outcome.appended) == 2


def test_a_taken_generated_id_is_refused_telling_to_give_an_id(db):
    add(db, meeting())
    message = refused(db, meeting(summary="Recorded again by someone else"))
    assert message == (
        "data.development: the id made from date and title, "
        "'2024-04-26-xi-jinping-meets-antony-blinken', is taken; "
        "give the development an id of its own"
    )
    (envelope,) = add(db, meeting(development="xi-blinken-second")).appended
    assert envelope.stream == "xi-blinken-second"


def test_generated_ids_keep_the_precision_of_the_date(db):
    streams = [
        add(db, meeting(when=when)).appended[0].stream
        for when in ("2024", "2024-04", "2024-04-24/2024-04-26")
    ]
    assert streams == [
        "2024-xi-jinping-meets-antony-blinken",
        "2024-04-xi-jinping-meets-antony-blinken",
        "2024-04-24-xi-jinping-meets-antony-blinken",
    ]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            meeting(when="2024-04-26T16:30"),
            "data.timezone: required for the local time '2024-04-26T16:30' "
            "(or give an offset such as +08:00)",
        ),
        (
            lifecycle("DevelopmentHeld", "planned", when="2024-05-14T10:00"),
            "data.timezone: required for the local time '2024-05-14T10:00' (or give an offset such as +08:00)",
        ),
        (
            lifecycle("DevelopmentPostponed", "planned", when="2024-05-14T10:00"),
            "data.timezone: required for the local time '2024-05-14T10:00' (or give an offset such as +08:00)",
        ),
        (
            lifecycle(
                "DevelopmentRevised", "planned", changes={"when": "2024-05-14T10:00"}, reason="r"
            ),
            "data.timezone: required for the local time '2024-05-14T10:00' (or give an offset such as +08:00)",
        ),
    ],
    ids=["create", "held", "postpone", "revise"],
)
def test_a_local_time_without_a_timezone_is_refused(db, event: dict[str, Any], message: str):
    add(db, scheduled("planned"))
    assert refused(db, event) == message


@pytest.mark.parametrize(
    "event",
    [
        meeting(development="m", when="2024-04-26T16:30", timezone="Asia/Shanghai"),
        meeting(development="m", when="2024-04-26T16:30+08:00"),
        meeting(development="m", when="2024-04-26T08:30Z"),
        lifecycle("DevelopmentHeld", "zoned", when="2024-05-14T10:00"),
        lifecycle("DevelopmentHeld", "planned", when="2024-05-14T10:00", timezone="Europe/Zurich"),
    ],
    ids=["with-zone", "offset", "utc", "zone-of-development", "zone-given"],
)
def test_a_time_with_a_zone_or_offset_is_accepted(db, event: dict[str, Any]):
    add(db, scheduled("planned"), scheduled("zoned", timezone="Asia/Tokyo"))
    assert len(add(db, event).appended) == 1


# --- development_history ------------------------------------------------------------


def test_development_history_returns_the_folded_state_and_every_event(db):
    add(db, scheduled("ai-dialogue", when="2024-05", tags=["ai"]))
    add(db, scheduled("other"))
    add(db, lifecycle("DevelopmentPostponed", "ai-dialogue", reason="agenda"))
    add(db, lifecycle("DevelopmentHeld", "ai-dialogue", when="2024-05-14"))
    add(
        db,
        {
            "type": "DevelopmentsLinked",
            "data": {"from": "ai-dialogue", "to": "other", "relation": "part_of"},
        },
    )
    current, history = service.development_history(db, "ai-dialogue")
    assert [(e.seq, e.stream_version, e.type) for e in history] == [
        (1, 1, "DevelopmentScheduled"),
        (3, 2, "DevelopmentPostponed"),
        (4, 3, "DevelopmentHeld"),
        (5, 4, "DevelopmentsLinked"),
    ]
    assert history == list(EventLog(db).read(stream="ai-dialogue"))
    assert (current.id, current.kind, current.type, current.title) == (
        "ai-dialogue",
        "dialogue",
        "DevelopmentScheduled",
        "Planned ai-dialogue",
    )
    assert (current.status, current.when, current.status_reason) == (
        "occurred",
        "2024-05-14",
        None,
    )
    assert current.tags == ("ai",)
    assert current.part_of == "other"
    assert [(link.relation, link.to) for link in current.links] == [("part_of", "other")]
    assert current.version == 4
    assert current.created_at == history[0].recorded_at
    assert current.updated_at == history[-1].recorded_at


def test_development_history_of_an_unknown_id(db):
    add(db, scheduled("known"))
    assert service.development_history(db, "unknown") == (None, [])


def test_development_history_of_a_retracted_development_keeps_everything(db):
    add(db, meeting(development="m"))
    add(db, lifecycle("DevelopmentRetracted", "m", reason="duplicate"))
    current, history = service.development_history(db, "m")
    assert current.retracted is True
    assert [e.type for e in history] == ["MeetingHeld", "DevelopmentRetracted"]


def test_parse_submission_does_not_change_its_input(db):
    obj = meeting(participants=[{"name": "Xi Jinping", "country": "cn"}])
    original = copy.deepcopy(obj)
    add(db, obj)
    assert obj == original


def test_a_revision_may_bring_a_local_time_with_its_zone(db):
    add(db, scheduled("talks"))
    revise = lifecycle(
        "DevelopmentRevised",
        "talks",
        changes={"when": "2024-04-26T16:30", "timezone": "Asia/Shanghai"},
        reason="time announced",
    )
    add(db, revise)
    state, _ = service.development_history(db, "talks")
    assert state.date.start_datetime(state.timezone).isoformat() == "2024-04-26T16:30:00+08:00"


def test_a_revision_may_not_strip_the_zone_a_local_time_needs(db):
    add(db, scheduled("talks", when="2024-04-26T16:30", timezone="Asia/Shanghai"))
    clear = lifecycle(
        "DevelopmentRevised", "talks", changes={"timezone": None}, reason="zone unknown"
    )
    assert (
        refused(db, clear)
        == "data.timezone: required for the local time '2024-04-26T16:30' (or give an offset such as +08:00)"
    )


def test_an_offset_that_contradicts_the_zone_is_refused_by_every_event_that_dates(db):
    add(db, scheduled("talks", when="2024-05-14", timezone="Asia/Shanghai"))
    wrong = "'2024-05-14T10:00+09:00': Asia/Shanghai is at +08:00 then, not +09:00; "
    wrong += "give the offset it has there, or none"
    held = lifecycle("DevelopmentHeld", "talks", when="2024-05-14T10:00+09:00")
    assert refused(db, held) == f"data.when: {wrong}"
    postponed = lifecycle("DevelopmentPostponed", "talks", when="2024-05-14T10:00+09:00")
    assert refused(db, postponed) == f"data.when: {wrong}"
    # A time in UTC, or at the zone's own offset (summer time included), stands.
    add(db, lifecycle("DevelopmentPostponed", "talks", when="2024-05-20T02:00Z"))
    add(db, lifecycle("DevelopmentHeld", "talks", when="2024-05-20T10:00+08:00"))
    add(db, scheduled("in-paris", when="2024-07-01T10:00+02:00", timezone="Europe/Paris"))
    # A new zone that the time given with an offset contradicts names the zone.
    rezone = lifecycle(
        "DevelopmentRevised", "talks", changes={"timezone": "Asia/Tokyo"}, reason="r"
    )
    assert refused(db, rezone) == (
        "data.timezone: '2024-05-20T10:00+08:00': Asia/Tokyo is at +09:00 then, not +08:00; "
        "give the offset it has there, or none"
    )


def test_a_meeting_keeps_at_least_one_participant(db):
    add(db, meeting(development="m"))
    clear = lifecycle("DevelopmentRevised", "m", changes={"participants": None}, reason="r")
    assert (
        refused(db, clear) == "data.changes.participants: a meeting needs at least one participant"
    )


def test_part_of_cannot_make_a_loop(db):
    add(db, meeting(development="m"), scheduled("v", part_of="m"))
    revise = lifecycle("DevelopmentRevised", "m", changes={"part_of": "v"}, reason="r")
    assert refused(db, revise) == "data.part_of: 'v' is already part of 'm'; that would make a loop"
    link = {"type": "DevelopmentsLinked", "data": {"from": "m", "to": "v", "relation": "part_of"}}
    assert refused(db, link) == "data.to: 'v' is already part of 'm'; that would make a loop"


def test_recorded_at_is_kept_in_the_log_s_own_form(db):
    add(db, {**meeting(development="m"), "recorded_at": "2024-05-01T00:00:00Z"})
    assert db.execute("SELECT recorded_at FROM events").fetchone() == (
        "2024-05-01T00:00:00.000000Z",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"x": 1e999}', "not valid JSON: 1e999 is too large a number"),
        ('{"x": -Infinity}', "not valid JSON: -Infinity is not a JSON number"),
    ],
)
def test_numbers_json_cannot_carry_are_refused(text: str, message: str):
    with pytest.raises(InvalidEvent) as info:
        service.parse_json(text, line=3)
    assert str(info.value) == f"line 3: {message}"


@given(text=st.text(), ascii_only=st.booleans())
def test_a_line_passed_as_plain_text_holds_no_refused_character(text: str, ascii_only: bool):
    # parse_lines skips the walk through every string when the raw line looks plain.
    line = json.dumps({"title": text}, ensure_ascii=ascii_only)
    if service._looks_plain(line):
        assert service.bad_text(json.loads(line)) is None


@pytest.mark.parametrize("escape", ["\\u0007", "\\b", "\\f", "\\u007f", "\\ud800", "\x7f"])
def test_an_escaped_control_character_in_an_import_is_refused(memory_db, escape: str):
    data = '{"title": "A' + escape + '", "speaker": "B"}'
    line = '{"type": "StatementIssued", "data": ' + data + "}"
    with pytest.raises(InvalidEvent, match=r"^line 1: data\.title: contains an? "):
        service.import_file(memory_db, io.StringIO(line + "\n"))
    assert memory_db.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)


def test_a_made_id_is_stored_as_if_it_had_been_given(tmp_path):
    # The decider makes an id without building and validating the whole event again; what
    # the log stores is the same as for an event given that id, key for key.
    made = "2024-04-26-xi-jinping-meets-antony-blinken"
    events = [
        meeting(summary="Talks at the Great Hall.", tags=["China-U.S. relations"]),
        {"type": "DevelopmentScheduled", "data": {"title": "AI dialogue", "kind": "dialogue"}},
    ]
    ids = [made, "ai-dialogue"]
    without, given = open_db(tmp_path / "without.db"), open_db(tmp_path / "given.db")
    stored_without = add(without, *events).appended
    with_ids = [
        {**e, "data": {"development": dev, **e["data"]}} for e, dev in zip(events, ids, strict=True)
    ]
    stored_given = add(given, *with_ids).appended
    assert [e.stream for e in stored_without] == [made, "ai-dialogue"]
    for mine, theirs in zip(stored_without, stored_given, strict=True):
        assert mine.data == theirs.data
        assert EventLog(without).get(mine.id).data_json == EventLog(given).get(theirs.id).data_json


def test_an_import_leaves_the_garbage_collector_as_it_found_it(memory_db):
    import gc

    sample = Path(service.__file__).with_name("sample") / "blinken-beijing-2024-04.jsonl"
    assert gc.isenabled()
    with sample.open(encoding="utf-8") as stream:
        service.import_file(memory_db, stream)
    assert gc.isenabled()
    with pytest.raises(InvalidEvent):
        service.import_file(memory_db, io.StringIO('{"type": "MeetingHeld", "data": {}}\n'))
    assert gc.isenabled()
    gc.disable()
    try:
        with sample.open(encoding="utf-8") as stream:
            service.import_file(memory_db, stream)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_development_made_part_of_itself_is_one_error_line_naming_the_line(tmp_path):
    again = meeting(title="Xi meets Blinken again", part_of="2024-04-26-xi-meets-blinken-again")
    source = tmp_path / "events.jsonl"
    source.write_text(json.dumps(meeting()) + "\n" + json.dumps(again) + "\n")
    db = tmp_path / "t.db"
    result = CliRunner().invoke(cli, ["import", str(source), "--db", str(db)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: line 2: data.part_of: a development cannot be part of itself\n"
    )
    assert not db.exists()  # an import that appends nothing creates nothing


def test_a_body_may_start_with_a_byte_order_mark_as_a_file_may() -> None:
    body = "\ufeff" + json.dumps(
        {"type": "CallHeld", "data": {"title": "A call", "when": "2024-04-02",
                                      "participants": [{"name": "A"}]}}
    )  # fmt: skip
    (submission,) = service.parse_body(body, recorded_by="Ana Lima")
    assert submission.type == "CallHeld"
