"""The projection tables: exact rows for known events, lifecycle effects, dates, full-text
search, the checkpoint, and a rebuild that always equals the tables kept up to date."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import BROUGHT, CREATING, LIFECYCLE, actor_described
from support import import_sample
from timeline.events.codec import canonical_json

import timeline.projector
from timeline import service
from timeline.cli import cli
from timeline.db import open_db
from timeline.errors import InvalidEvent
from timeline.fulltext import cjk_terms
from timeline.log import EventLog
from timeline.projector import Projector
from timeline.tables import SCHEMA, projection_tables
from timeline.verification import differences

# Found beside a real module: under plain `pytest`, `files("timeline")` resolves to the
# namespace package tests/timeline, which shadows the installed one.

VISIT = "2024-04-24-antony-blinken-visits-china"
MEETING = "2024-04-26-wang-yi-meets-antony-blinken"
CONSENSUS = "2024-04-26-five-point-consensus"
STATEMENT = "2024-04-26-xi-jinping-on-friends-and-partners"
DIALOGUE = "china-us-ai-dialogue-first-meeting"
GREAT_HALL = "great-hall-of-the-people-beijing-cn"
SOURCE_A = "https://news.cgtn.com/news/2024-04-26/xi-urges-responsibility/p.html"
SOURCE_B = "https://www.state.gov/secretary-blinkens-meeting-with-wang-yi"
QUOTE = "Both sides can have their own friends and partners"


def at(second: int) -> str:
    """A fixed recorded_at, so created_at and updated_at can be asserted exactly."""
    return f"2024-04-27T09:00:{second:02d}.000000Z"


def add(db, type_: str, data: dict[str, Any], recorded_at: str | None = None):
    """Append one event through the service (which catches the projector up); its envelope."""
    obj: dict[str, Any] = {"type": type_, "data": data}
    if recorded_at is not None:
        obj["recorded_at"] = recorded_at
    (envelope,) = service.append(db, [service.parse_submission(obj)]).appended
    return envelope


def rows(db, table: str, order: str = "1, 2") -> list[dict[str, Any]]:
    return list(db.query(f"SELECT * FROM [{table}] ORDER BY {order}"))


def development(db, dev_id: str) -> dict[str, Any]:
    (row,) = db.query("SELECT * FROM developments WHERE id = ?", [dev_id])
    return row


def as_json(value: Any) -> str:
    """How the log stores an event's data, which history.data repeats as it is."""
    return canonical_json(value)


def fts_ids(db, query: str) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT d.id FROM developments_fts f JOIN developments d ON d.seq = f.rowid "
            "WHERE developments_fts MATCH ? ORDER BY d.seq",
            [query],
        )
    ]


def snapshot(db) -> dict[str, list[tuple]]:
    """Every projection table and the full-text rows, in a stable order."""
    tables = {
        table: db.execute(f"SELECT * FROM [{table}] ORDER BY 1, 2").fetchall()
        for table in projection_tables(db)
    }
    tables["developments_fts"] = db.execute(
        "SELECT rowid, title, summary, quote, names FROM developments_fts ORDER BY rowid"
    ).fetchall()
    return tables


def position(db) -> int | None:
    """The checkpoint row's position; None before the projector first ran."""
    row = db.execute("SELECT position FROM _projector_state WHERE name = 'tables'").fetchone()
    return row[0] if row else None


# --- a small known sequence -----------------------------------------------------------

VISIT_DATA = {
    "development": VISIT,
    "title": "Antony Blinken visits China",
    "when": "2024-04-24/2024-04-26",
    "timezone": "Asia/Shanghai",
    "visitor": "Antony Blinken",
    "host_country": "cn",
}
MEETING_DATA = {
    "development": MEETING,
    "title": "Wang Yi meets Antony Blinken",
    "when": "2024-04-26T16:30+08:00",
    "timezone": "Asia/Shanghai",
    "summary": "Wang Yi and Antony Blinken met at the Great Hall of the People.",
    "part_of": VISIT,
    "place": {
        "name": "Great Hall of the People",
        "city": "Beijing",
        "country": "CN",
        "lat": 39.9033,
        "lon": 116.3915,
    },
    "participants": [
        {"name": "Wang Yi", "role": "Foreign Minister", "country": "CN"},
        {"name": "Antony Blinken", "role": "Secretary of State", "country": "US"},
    ],
    "sources": [
        {
            "url": SOURCE_A,
            "title": "Xi urges major country responsibilities",
            "publisher": "CGTN",
            "published": "2024-04-26",
        },
        {"url": SOURCE_B},
    ],
    "tags": ["china-us", "high-level-exchanges"],
}
CONSENSUS_DATA = {
    "development": CONSENSUS,
    "title": "China and the U.S. reach a five-point consensus",
    "when": "2024-04-26",
    "points": [
        "Maintain high-level exchanges and contacts at all levels.",
        "Hold the first meeting of the intergovernmental dialogue on artificial intelligence.",
        "Expand cultural and people-to-people exchanges.",
    ],
    "parties": ["cn", "US"],
}
STATEMENT_DATA = {
    "development": STATEMENT,
    "title": "Xi Jinping: both sides can have their own friends and partners",
    "when": "2024-04-26",
    "speaker": "Xi Jinping",
    "quote": QUOTE,
    "part_of": MEETING,
}
DIALOGUE_DATA = {
    "development": DIALOGUE,
    "title": "First meeting of the China-U.S. intergovernmental dialogue on artificial intelligence",
    "kind": "dialogue",
    "announced_in": CONSENSUS,
}
WANG_YI_DATA = {
    "name": "Wang Yi",
    "native_name": "王毅",
    "kind": "person",
    "country": "CN",
    "roles": [
        {
            "title": "Foreign Minister",
            "organization": "Ministry of Foreign Affairs",
            "from": "2022-12",
        }
    ],
}
LINK_DATA = {"from": STATEMENT, "to": MEETING, "relation": "responds_to"}

KNOWN = [
    ("VisitMade", VISIT_DATA),
    ("MeetingHeld", MEETING_DATA),
    ("AgreementReached", CONSENSUS_DATA),
    ("StatementMade", STATEMENT_DATA),
    ("DevelopmentScheduled", DIALOGUE_DATA),
    ("ActorDescribed", WANG_YI_DATA),
    ("DevelopmentsLinked", LINK_DATA),
]

COLUMNS = [
    "id",
    "title",
    "when",
    "kind",
    "status",
    "countries",
    "participants",
    "place",
    "summary",
    "tags",
    "status_reason",
    "last_when",
    "start",
    "end",
    "precision",
    "qualifier",
    "timezone",
    "place_name",
    "place_city",
    "place_country",
    "latitude",
    "longitude",
    "part_of",
    "announced_in",
    "visitor",
    "host_country",
    "speaker",
    "quote",
    "parties",
    "source_url",
    "cameo_code",
    "plover_type",
    "type",
    "seq",
    "version",
    "created_at",
    "updated_at",
]
EMPTY = {**dict.fromkeys(COLUMNS), "countries": "[]"}

VISIT_ROW = {
    **EMPTY,
    "id": VISIT,
    "seq": 1,
    "kind": "visit",
    "type": "VisitMade",
    "title": "Antony Blinken visits China",
    "status": "occurred",
    "when": "2024-04-24/2024-04-26",
    "start": "2024-04-24",
    "end": "2024-04-26",
    "precision": "day",
    "timezone": "Asia/Shanghai",
    "countries": '["CN"]',
    "visitor": "Antony Blinken",
    "host_country": "CN",
    "parties": "[]",
    "participants": "[]",
    "tags": "[]",
    "cameo_code": "042",
    "plover_type": "CONSULT",
    "version": 1,
    "created_at": at(1),
    "updated_at": at(1),
}
MEETING_ROW = {
    **EMPTY,
    "id": MEETING,
    "seq": 2,
    "kind": "meeting",
    "type": "MeetingHeld",
    "title": "Wang Yi meets Antony Blinken",
    "summary": "Wang Yi and Antony Blinken met at the Great Hall of the People.",
    "status": "occurred",
    "when": "2024-04-26T16:30+08:00",
    "start": "2024-04-26T16:30+08:00",
    "end": "2024-04-26T16:30+08:00",
    "precision": "minute",
    "timezone": "Asia/Shanghai",
    "place": GREAT_HALL,
    "place_name": "Great Hall of the People",
    "place_city": "Beijing",
    "place_country": "CN",
    "countries": '["CN", "US"]',
    "latitude": 39.9033,
    "longitude": 116.3915,
    "part_of": VISIT,
    "parties": "[]",
    "participants": '["Wang Yi", "Antony Blinken"]',
    "tags": '["china-us", "high-level-exchanges"]',
    "source_url": SOURCE_A,
    "cameo_code": "040",
    "plover_type": "CONSULT",
    "version": 1,
    "created_at": at(2),
    "updated_at": at(2),
}
CONSENSUS_ROW = {
    **EMPTY,
    "id": CONSENSUS,
    "seq": 3,
    "kind": "agreement",
    "type": "AgreementReached",
    "title": "China and the U.S. reach a five-point consensus",
    "status": "occurred",
    "when": "2024-04-26",
    "start": "2024-04-26",
    "end": "2024-04-26",
    "precision": "day",
    "countries": '["CN", "US"]',
    "parties": '["CN", "US"]',
    "participants": "[]",
    "tags": "[]",
    "cameo_code": "057",
    "plover_type": "AGREE",
    "version": 1,
    "created_at": at(3),
    "updated_at": at(3),
}
STATEMENT_ROW = {
    **EMPTY,
    "id": STATEMENT,
    "seq": 4,
    "kind": "statement",
    "type": "StatementMade",
    "title": "Xi Jinping: both sides can have their own friends and partners",
    "status": "occurred",
    "when": "2024-04-26",
    "start": "2024-04-26",
    "end": "2024-04-26",
    "precision": "day",
    "part_of": MEETING,
    "speaker": "Xi Jinping",
    "quote": QUOTE,
    "parties": "[]",
    "participants": "[]",
    "tags": "[]",
    "cameo_code": "010",
    "plover_type": None,  # CAMEO 010 "make statement" has no PLOVER type
    "version": 2,  # the link recorded in its stream
    "created_at": at(4),
    "updated_at": at(7),
}
DIALOGUE_ROW = {
    **EMPTY,
    "id": DIALOGUE,
    "seq": 5,
    "kind": "dialogue",
    "type": "DevelopmentScheduled",
    "title": DIALOGUE_DATA["title"],
    "status": "scheduled",
    "announced_in": CONSENSUS,
    "parties": "[]",
    "participants": "[]",
    "tags": "[]",
    "cameo_code": "036",
    "plover_type": "AGREE",
    "version": 1,
    "created_at": at(5),
    "updated_at": at(5),
}

WANG_YI_ROW = {
    "id": "wang-yi",
    "name": "Wang Yi",
    "native_name": "王毅",
    "kind": "person",
    "country": "CN",
    "roles": '[{"title": "Foreign Minister", "organization": "Ministry of Foreign Affairs", "from": "2022-12"}]',
    "aliases": "[]",
    "wikidata": None,
    "described": 1,
}
BLINKEN_ROW = {
    "id": "antony-blinken",
    "name": "Antony Blinken",
    "native_name": None,
    "kind": None,
    "country": None,
    "roles": None,
    "aliases": None,
    "wikidata": None,
    "described": 0,
}
XI_ROW = {
    "id": "xi-jinping",
    "name": "Xi Jinping",
    "native_name": None,
    "kind": None,
    "country": None,
    "roles": None,
    "aliases": None,
    "wikidata": None,
    "described": 0,
}


def history_row(seq: int, dev_id: str, version: int, type_: str, data: dict, reason=None):
    return {
        "seq": seq,
        "development": dev_id,
        "stream_version": version,
        "type": type_,
        "recorded_at": at(seq),
        "reason": reason,
        "data": as_json(data),
    }


# The data as stored: codes upper-cased, absent optional fields left out.
HISTORY = [
    history_row(1, VISIT, 1, "VisitMade", {**VISIT_DATA, "host_country": "CN"}),
    history_row(2, MEETING, 1, "MeetingHeld", MEETING_DATA),
    history_row(3, CONSENSUS, 1, "AgreementReached", {**CONSENSUS_DATA, "parties": ["CN", "US"]}),
    history_row(4, STATEMENT, 1, "StatementMade", STATEMENT_DATA),
    history_row(5, DIALOGUE, 1, "DevelopmentScheduled", DIALOGUE_DATA),
    history_row(7, STATEMENT, 2, "DevelopmentsLinked", LINK_DATA),
]


@pytest.fixture
def known(memory_db):
    """The known sequence, appended one event at a time at fixed instants."""
    for second, (type_, data) in enumerate(KNOWN, start=1):
        add(memory_db, type_, data, at(second))
    return memory_db


def test_known_sequence_developments(known):
    assert list(rows(known, "developments")[0]) == COLUMNS
    # Ordered by id: the dialogue's id has no date in front.
    assert rows(known, "developments", "id") == [
        VISIT_ROW,
        CONSENSUS_ROW,
        MEETING_ROW,
        STATEMENT_ROW,
        DIALOGUE_ROW,
    ]


def test_a_column_added_to_the_table_by_hand_is_left_empty(db) -> None:
    """Rows are written by the columns the projector declares, not by what the file has."""
    db.execute("ALTER TABLE developments ADD COLUMN notes TEXT")
    add(db, "CallHeld", {"title": "A call", "when": "2024-04-02", "participants": [{"name": "A"}]})
    assert [(r["title"], r["notes"]) for r in rows(db, "developments")] == [("A call", None)]


def test_known_sequence_child_tables(known):
    assert rows(known, "participants") == [
        {
            "development": MEETING,
            "position": 1,
            "name": "Wang Yi",
            "role": "Foreign Minister",
            "country": "CN",
            "actor": "wang-yi",
        },
        {
            "development": MEETING,
            "position": 2,
            "name": "Antony Blinken",
            "role": "Secretary of State",
            "country": "US",
            "actor": "antony-blinken",
        },
    ]
    # Described (Wang Yi) and undescribed (named by a participant or a speaker); the
    # visitor is a column of the visit, not an actor.
    assert rows(known, "actors") == [BLINKEN_ROW, WANG_YI_ROW, XI_ROW]
    assert rows(known, "places") == [
        {
            "id": GREAT_HALL,
            "label": "Great Hall of the People, Beijing, CN",
            "name": "Great Hall of the People",
            "city": "Beijing",
            "country": "CN",
            "latitude": 39.9033,
            "longitude": 116.3915,
        }
    ]
    assert rows(known, "sources") == [
        {
            "development": MEETING,
            "position": 1,
            "url": SOURCE_A,
            "title": "Xi urges major country responsibilities",
            "publisher": "CGTN",
            "published": "2024-04-26",
        },
        {
            "development": MEETING,
            "position": 2,
            "url": SOURCE_B,
            "title": None,
            "publisher": None,
            "published": None,
        },
    ]
    assert rows(known, "tags") == [
        {"development": MEETING, "tag": "china-us"},
        {"development": MEETING, "tag": "high-level-exchanges"},
    ]
    assert rows(known, "agreement_points") == [
        {"development": CONSENSUS, "position": i, "point": point}
        for i, point in enumerate(CONSENSUS_DATA["points"], start=1)
    ]
    assert rows(known, "statements") == [
        {"development": STATEMENT, "speaker": "Xi Jinping", "actor": "xi-jinping", "quote": QUOTE}
    ]
    assert rows(known, "links") == [
        {
            "seq": 7,
            "from_development": STATEMENT,
            "relation": "responds_to",
            "to_development": MEETING,
        }
    ]
    assert rows(known, "history") == HISTORY


def test_known_sequence_equals_a_rebuild(known):
    before = snapshot(known)
    assert differences(known) == []
    assert Projector(known).rebuild() == 7
    assert snapshot(known) == before
    assert position(known) == 7


def test_history_data_is_the_logged_data(known):
    logged = {e.seq: e.data for e in EventLog(known).read()}
    for row in rows(known, "history"):
        assert json.loads(row["data"]) == logged[row["seq"]]


# --- lifecycle events -----------------------------------------------------------------

SCHEDULED = "china-us-ai-dialogue-may"


def schedule(db, kind: str = "dialogue", when: str | None = "2024-05") -> None:
    data = {"development": SCHEDULED, "title": "China-U.S. dialogue on AI", "kind": kind}
    if when is not None:
        data["when"] = when
    add(db, "DevelopmentScheduled", data, at(1))


def test_scheduled_row_before_anything_happens(memory_db):
    schedule(memory_db)
    row = development(memory_db, SCHEDULED)
    assert (row["status"], row["status_reason"], row["version"]) == ("scheduled", None, 1)
    assert (row["when"], row["start"], row["end"], row["precision"]) == (
        "2024-05",
        "2024-05-01",
        "2024-05-31",
        "month",
    )
    assert (row["cameo_code"], row["plover_type"]) == ("036", "AGREE")


@pytest.mark.parametrize(
    ("kind", "cameo", "plover"),
    [
        ("dialogue", "040", "CONSULT"),
        ("consultation", "040", "CONSULT"),
        ("meeting", "040", "CONSULT"),
        ("summit", "040", "CONSULT"),
        ("call", "041", "CONSULT"),
        ("visit", "042", "CONSULT"),
        ("talks", "046", "CONSULT"),
        ("other", None, None),
    ],
)
def test_held(memory_db, kind, cameo, plover):
    schedule(memory_db, kind)
    assert development(memory_db, SCHEDULED)["cameo_code"] == "036"
    add(
        memory_db,
        "DevelopmentHeld",
        {
            "development": SCHEDULED,
            "when": "2024-05-14",
            "timezone": "Europe/Zurich",
            "place": {"name": "Palais des Nations", "city": "Geneva", "country": "ch"},
        },
        at(2),
    )
    row = development(memory_db, SCHEDULED)
    assert {k: row[k] for k in ("kind", "type", "status", "status_reason")} == {
        "kind": kind,
        "type": "DevelopmentScheduled",
        "status": "occurred",
        "status_reason": None,
    }
    assert (row["when"], row["start"], row["end"], row["precision"]) == (
        "2024-05-14",
        "2024-05-14",
        "2024-05-14",
        "day",
    )
    assert (row["timezone"], row["place"], row["countries"]) == (
        "Europe/Zurich",
        "palais-des-nations-geneva-ch",
        '["CH"]',
    )
    assert (row["cameo_code"], row["plover_type"]) == (cameo, plover)
    assert (row["version"], row["created_at"], row["updated_at"]) == (2, at(1), at(2))
    assert rows(memory_db, "places") == [
        {
            "id": "palais-des-nations-geneva-ch",
            "label": "Palais des Nations, Geneva, CH",
            "name": "Palais des Nations",
            "city": "Geneva",
            "country": "CH",
            "latitude": None,
            "longitude": None,
        }
    ]


def test_postponed_to_a_new_date(memory_db):
    schedule(memory_db)
    add(
        memory_db,
        "DevelopmentPostponed",
        {"development": SCHEDULED, "when": "2024-06-12", "reason": "Agenda not agreed."},
        at(2),
    )
    row = development(memory_db, SCHEDULED)
    assert {k: row[k] for k in ("status", "status_reason", "when", "start", "end")} == {
        "status": "postponed",
        "status_reason": "Agenda not agreed.",
        "when": "2024-06-12",
        "start": "2024-06-12",
        "end": "2024-06-12",
    }
    assert (row["precision"], row["cameo_code"], row["version"], row["updated_at"]) == (
        "day",
        "036",
        2,
        at(2),
    )


def test_postponed_without_a_date_leaves_it_unknown(memory_db):
    schedule(memory_db, when="2024-05-14?")
    add(memory_db, "DevelopmentPostponed", {"development": SCHEDULED}, at(2))
    row = development(memory_db, SCHEDULED)
    assert {k: row[k] for k in ("status", "status_reason", "when", "start", "end")} == {
        "status": "postponed",
        "status_reason": None,
        "when": None,
        "start": None,
        "end": None,
    }
    assert (row["precision"], row["qualifier"], row["version"]) == (None, None, 2)


def test_held_after_postponement_clears_the_reason(memory_db):
    schedule(memory_db)
    add(memory_db, "DevelopmentPostponed", {"development": SCHEDULED, "reason": "Later."}, at(2))
    add(memory_db, "DevelopmentHeld", {"development": SCHEDULED, "when": "2024-07"}, at(3))
    row = development(memory_db, SCHEDULED)
    assert (row["status"], row["status_reason"], row["start"], row["end"]) == (
        "occurred",
        None,
        "2024-07-01",
        "2024-07-31",
    )
    assert (row["precision"], row["version"], row["updated_at"]) == ("month", 3, at(3))
    assert [r["type"] for r in rows(memory_db, "history")] == [
        "DevelopmentScheduled",
        "DevelopmentPostponed",
        "DevelopmentHeld",
    ]


def test_cancelled(memory_db):
    schedule(memory_db)
    add(
        memory_db,
        "DevelopmentCancelled",
        {"development": SCHEDULED, "reason": "Called off by both sides."},
        at(2),
    )
    row = development(memory_db, SCHEDULED)
    assert (row["status"], row["status_reason"], row["when"], row["start"]) == (
        "cancelled",
        "Called off by both sides.",
        "2024-05",
        "2024-05-01",
    )
    assert (row["cameo_code"], row["version"], row["updated_at"]) == ("036", 2, at(2))
    (last,) = [r for r in rows(memory_db, "history") if r["seq"] == 2]
    assert (last["type"], last["reason"]) == ("DevelopmentCancelled", "Called off by both sides.")


def test_revised_changes_and_clears_fields(known):
    changes = {
        "title": "Wang Yi holds talks with Antony Blinken",
        "when": "2024-04-26",
        "participants": [{"name": "Wang Yi", "role": "Foreign Minister", "country": "CN"}],
        "summary": None,
        "place": None,
        "tags": None,
    }
    reason = "The first dispatch confused the meeting with the talks."
    add(
        known,
        "DevelopmentRevised",
        {"development": MEETING, "changes": changes, "reason": reason},
        at(8),
    )
    assert development(known, MEETING) == {
        **MEETING_ROW,
        "title": "Wang Yi holds talks with Antony Blinken",
        "summary": None,
        "when": "2024-04-26",
        "start": "2024-04-26",
        "end": "2024-04-26",
        "precision": "day",
        "place": None,
        "place_name": None,
        "place_city": None,
        "place_country": None,
        "countries": '["CN"]',
        "latitude": None,
        "longitude": None,
        "participants": '["Wang Yi"]',
        "tags": "[]",
        "version": 2,
        "updated_at": at(8),
    }
    assert rows(known, "tags") == []
    assert rows(known, "places") == []  # nothing else was there
    assert [r["name"] for r in rows(known, "participants")] == ["Wang Yi"]
    # Antony Blinken was named only by that participant row (a visitor is not an actor).
    assert rows(known, "actors") == [WANG_YI_ROW, XI_ROW]
    assert rows(known, "history")[-1] == history_row(
        8,
        MEETING,
        2,
        "DevelopmentRevised",
        {"development": MEETING, "changes": changes, "reason": reason},
        reason=reason,
    )
    assert differences(known) == []


def test_retracted_leaves_no_trace_in_the_tables(known):
    assert fts_ids(known, "hall") == [MEETING]
    add(known, "DevelopmentRetracted", {"development": MEETING, "reason": "Recorded twice."}, at(8))
    assert [r["id"] for r in rows(known, "developments", "id")] == [
        VISIT,
        CONSENSUS,
        STATEMENT,
        DIALOGUE,
    ]
    # The statement was part of the meeting: the reference is gone, its own stream unchanged.
    assert development(known, STATEMENT) == {**STATEMENT_ROW, "part_of": None}
    for table in ("participants", "sources", "tags", "links", "places"):
        assert rows(known, table) == [], table
    assert [r["seq"] for r in rows(known, "history")] == [1, 3, 4, 5, 7]
    assert rows(known, "actors") == [WANG_YI_ROW, XI_ROW]
    assert known.execute("SELECT rowid FROM developments_fts ORDER BY rowid").fetchall() == [
        (1,),
        (3,),
        (4,),
        (5,),
    ]
    assert fts_ids(known, "hall") == []  # the meeting's summary
    # Still in the log.
    assert [e.type for e in EventLog(known).read(stream=MEETING)] == [
        "MeetingHeld",
        "DevelopmentRetracted",
    ]
    assert differences(known) == []


def test_retracted_place_stays_while_another_development_is_there(known):
    other = {
        **MEETING_DATA,
        "development": "2024-04-26-xi-jinping-meets-antony-blinken",
        "title": "Xi Jinping meets Antony Blinken",
        "participants": [{"name": "Xi Jinping"}, {"name": "Antony Blinken"}],
        "place": {"name": "Great Hall of the People", "city": "Beijing", "country": "CN"},
    }
    add(known, "MeetingHeld", other, at(8))
    add(known, "DevelopmentRetracted", {"development": MEETING, "reason": "Duplicate."}, at(9))
    # The coordinates came only with the retracted meeting.
    assert rows(known, "places") == [
        {
            "id": GREAT_HALL,
            "label": "Great Hall of the People, Beijing, CN",
            "name": "Great Hall of the People",
            "city": "Beijing",
            "country": "CN",
            "latitude": None,
            "longitude": None,
        }
    ]
    assert rows(known, "actors") == [BLINKEN_ROW, WANG_YI_ROW, XI_ROW]
    assert differences(known) == []


def test_retracted_agreement_clears_announced_in(known):
    add(known, "DevelopmentRetracted", {"development": CONSENSUS, "reason": "Not agreed."}, at(8))
    assert development(known, DIALOGUE) == {**DIALOGUE_ROW, "announced_in": None}
    assert rows(known, "agreement_points") == []
    assert differences(known) == []


def test_retracted_visit_clears_part_of_and_links_to_it(known):
    add(
        known,
        "DevelopmentsLinked",
        {"from": CONSENSUS, "to": VISIT, "relation": "follows_up"},
        at(8),
    )
    add(known, "DevelopmentRetracted", {"development": VISIT, "reason": "Wrong trip."}, at(9))
    assert development(known, MEETING)["part_of"] is None
    assert development(known, CONSENSUS)["version"] == 2  # the link stays in its history
    assert rows(known, "links") == [
        {
            "seq": 7,
            "from_development": STATEMENT,
            "relation": "responds_to",
            "to_development": MEETING,
        }
    ]
    assert differences(known) == []


def test_linked_part_of_sets_part_of(known):
    add(known, "DevelopmentsLinked", {"from": CONSENSUS, "to": VISIT, "relation": "part_of"}, at(8))
    assert development(known, CONSENSUS) == {
        **CONSENSUS_ROW,
        "part_of": VISIT,
        "version": 2,
        "updated_at": at(8),
    }
    assert rows(known, "links") == [
        {
            "seq": 7,
            "from_development": STATEMENT,
            "relation": "responds_to",
            "to_development": MEETING,
        },
        {"seq": 8, "from_development": CONSENSUS, "relation": "part_of", "to_development": VISIT},
    ]
    assert differences(known) == []


def test_linked_other_relation_leaves_part_of(known):
    add(
        known,
        "DevelopmentsLinked",
        {"from": CONSENSUS, "to": MEETING, "relation": "implements"},
        at(8),
    )
    assert development(known, CONSENSUS)["part_of"] is None
    assert rows(known, "links")[-1] == {
        "seq": 8,
        "from_development": CONSENSUS,
        "relation": "implements",
        "to_development": MEETING,
    }


def test_a_later_description_replaces_the_earlier_one(known):
    add(known, "ActorDescribed", {"name": "Wang Yi", "kind": "person", "country": "CN"}, at(8))
    assert rows(known, "actors")[1] == {**WANG_YI_ROW, "native_name": None, "roles": "[]"}
    assert fts_ids(known, '"王毅"') == []
    assert differences(known) == []


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "timezone", "start", "end", "precision", "qualifier"),
    [
        ("2024", None, "2024-01-01", "2024-12-31", "year", None),
        ("2024-04", None, "2024-04-01", "2024-04-30", "month", None),
        ("2024-02", None, "2024-02-01", "2024-02-29", "month", None),
        ("2023-02", None, "2023-02-01", "2023-02-28", "month", None),
        ("2024-04-26", None, "2024-04-26", "2024-04-26", "day", None),
        (
            "2024-04-26T16:30+08:00",
            None,
            "2024-04-26T16:30+08:00",
            "2024-04-26T16:30+08:00",
            "minute",
            None,
        ),
        (
            "2024-04-26T16:30+0800",
            None,
            "2024-04-26T16:30+08:00",
            "2024-04-26T16:30+08:00",
            "minute",
            None,
        ),
        (
            "2024-04-26T08:30:15Z",
            None,
            "2024-04-26T08:30:15Z",
            "2024-04-26T08:30:15Z",
            "second",
            None,
        ),
        (
            "2024-04-26T16:30",
            "Asia/Shanghai",
            "2024-04-26T16:30",
            "2024-04-26T16:30",
            "minute",
            None,
        ),
        ("2024-04-24/2024-04-26", None, "2024-04-24", "2024-04-26", "day", None),
        ("2024-04/2024-06", None, "2024-04-01", "2024-06-30", "month", None),
        ("2024-04-26/2024-05", None, "2024-04-26", "2024-05-31", "month", None),
        (
            "2024-04-26T09:00+08:00/2024-04-26T17:00+08:00",
            None,
            "2024-04-26T09:00+08:00",
            "2024-04-26T17:00+08:00",
            "minute",
            None,
        ),
        ("2024-04-26?", None, "2024-04-26", "2024-04-26", "day", "uncertain"),
        ("2024-04~", None, "2024-04-01", "2024-04-30", "month", "approximate"),
        ("2024%", None, "2024-01-01", "2024-12-31", "year", "both"),
        ("2024-04-26~/2024-04-28?", None, "2024-04-26", "2024-04-28", "day", "both"),
    ],
)
def test_when_gives_start_end_and_precision(
    memory_db, when, timezone, start, end, precision, qualifier
):
    data = {"development": "d", "title": "Talks", "when": when, "participants": [{"name": "A"}]}
    if timezone:
        data["timezone"] = timezone
    add(memory_db, "TalksHeld", data)
    row = development(memory_db, "d")
    assert (row["when"], row["start"], row["end"], row["precision"]) == (
        when,
        start,
        end,
        precision,
    )
    assert (row["qualifier"], row["timezone"]) == (qualifier, timezone)


# --- the checkpoint, damage, verify and rebuild ---------------------------------------


def test_checkpoint_follows_each_append(memory_db):
    assert position(memory_db) is None
    for second, (type_, data) in enumerate(KNOWN, start=1):
        envelope = add(memory_db, type_, data, at(second))
        assert envelope.seq == second
        assert position(memory_db) == second == EventLog(memory_db).head()[0]


def test_a_refused_event_moves_neither_log_nor_checkpoint(known):
    with pytest.raises(InvalidEvent, match=MEETING):
        add(known, "DevelopmentHeld", {"development": MEETING, "when": "2024-04-27"})
    assert position(known) == 7 == EventLog(known).head()[0]


def test_catch_up_after_appending_without_projecting(memory_db):
    subs = [service.parse_submission({"type": t, "data": d}) for t, d in KNOWN]
    service.append(memory_db, subs, project=False)
    assert position(memory_db) is None
    assert rows(memory_db, "developments") == []
    assert differences(memory_db) == [
        "history",
        "links",
        "statements",
        "agreement_points",
        "tags",
        "sources",
        "participants",
        "developments",
        "places",
        "actors",
        "developments_fts",
    ]
    assert Projector(memory_db).catch_up() == 7
    assert position(memory_db) == 7
    assert differences(memory_db) == []


DAMAGE = [
    ("DELETE FROM tags", "tags"),
    ("DELETE FROM history WHERE seq = 7", "history"),
    (f"UPDATE developments SET title = 'Wrong' WHERE id = '{VISIT}'", "developments"),
    ("UPDATE actors SET native_name = NULL WHERE id = 'wang-yi'", "actors"),
    ("DELETE FROM agreement_points WHERE position = 2", "agreement_points"),
    ("DELETE FROM developments_fts WHERE rowid = 2", "developments_fts"),
]


@pytest.fixture
def known_file(db):
    """The known sequence in the file database that the CLI runner uses."""
    for second, (type_, data) in enumerate(KNOWN, start=1):
        add(db, type_, data, at(second))
    return db


@pytest.mark.parametrize(("damage", "table"), DAMAGE)
def test_damage_is_named_by_differences_and_verify_and_fixed_by_rebuild(
    known_file, runner, damage, table
):
    known_file.execute(damage)
    assert differences(known_file) == [table]

    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: the tables differ from a rebuild of the log: {table}; run: timeline rebuild\n"
    )

    result = runner.invoke(cli, ["rebuild"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Rebuilt the tables from 7 events in \d+\.\d\d s\n", result.stdout)
    assert differences(known_file) == []

    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 7 events, seq 1 to 7 without gaps, hash chain intact")
    assert result.stdout.endswith(", tables equal a rebuild\n")


def test_a_dropped_table_is_named_by_verify(known_file, runner):
    known_file.execute("DROP TABLE tags")
    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the tables differ from a rebuild of the log: tags; run: timeline rebuild\n"
    )
    # The next append finds the damage and rebuilds the tables in its own transaction.
    appended = runner.invoke(
        cli, ["add", "call", "--title", "A call", "--when", "2024-05-01", "--with", "Wang Yi"]
    )
    assert appended.exit_code == 0, appended.output
    assert runner.invoke(cli, ["verify"]).exit_code == 0


def test_rebuild_prints_the_event_count(runner):
    result = runner.invoke(cli, ["rebuild"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Rebuilt the tables from 0 events in \d+\.\d\d s\n", result.stdout)


# --- full-text search -----------------------------------------------------------------


def test_english_words_are_stemmed(memory_db):
    add(
        memory_db,
        "MeetingHeld",
        {
            "development": "m",
            "title": "Xi Jinping's meeting with Antony Blinken",
            "when": "2024-04-26",
            "participants": [{"name": "Xi Jinping"}],
        },
    )
    add(
        memory_db,
        "StatementMade",
        {
            "development": "s",
            "title": "Xi Jinping on partners",
            "when": "2024-04-26",
            "speaker": "Xi Jinping",
            "quote": "Both sides should refrain from targeting each other.",
        },
    )
    assert fts_ids(memory_db, "meets") == ["m"]
    assert fts_ids(memory_db, "meeting") == ["m"]
    assert fts_ids(memory_db, "targeted") == ["s"]  # in the quote
    assert fts_ids(memory_db, "jinping") == ["m", "s"]
    assert fts_ids(memory_db, "summit") == []


def test_native_name_of_a_participant_is_found(known):
    # Wang Yi was described (with 王毅) after the meeting was recorded.
    assert fts_ids(known, '"王毅"') == [MEETING]
    assert fts_ids(known, "王毅") == [MEETING]
    Projector(known).rebuild()
    assert fts_ids(known, '"王毅"') == [MEETING]


def test_native_name_described_before_the_development_is_found(memory_db):
    add(memory_db, "ActorDescribed", WANG_YI_DATA)
    add(memory_db, "TalksHeld", {**MEETING_DATA, "title": "Talks in Beijing", "part_of": None})
    assert fts_ids(memory_db, '"王毅"') == [MEETING]


def test_native_name_of_a_speaker_is_found(memory_db):
    add(memory_db, "ActorDescribed", {"name": "Xi Jinping", "native_name": "习近平"})
    add(memory_db, "StatementMade", {**STATEMENT_DATA, "part_of": None})
    assert fts_ids(memory_db, '"习近平"') == [STATEMENT]


CHINESE_TITLE = "外交部长王毅会见布林肯"


def test_chinese_words_inside_a_title_are_found(memory_db):
    add(
        memory_db,
        "MeetingHeld",
        {
            "development": "wang-yi-meets-blinken",
            "title": CHINESE_TITLE,
            "when": "2024-04-26",
            "participants": [{"name": "Wang Yi"}],
        },
    )
    for word in ("王毅", "布林肯", "外交部长", "会见", CHINESE_TITLE):
        assert fts_ids(memory_db, f'"{word}"') == ["wang-yi-meets-blinken"], word
    assert fts_ids(memory_db, '"习近平"') == []


def test_plain_unicode61_would_not_find_them(memory_db):
    """Without cjk_terms, SQLite keeps the whole run of Chinese characters as one token."""
    memory_db.execute(
        "CREATE VIRTUAL TABLE scratch USING fts5 "
        "(title, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    memory_db.execute("INSERT INTO scratch (rowid, title) VALUES (1, ?)", [CHINESE_TITLE])
    memory_db.execute(
        "INSERT INTO scratch (rowid, title) VALUES (2, ?)", [cjk_terms(CHINESE_TITLE)]
    )

    def found(query: str) -> list[int]:
        sql = "SELECT rowid FROM scratch WHERE scratch MATCH ? ORDER BY rowid"
        return [r[0] for r in memory_db.execute(sql, [query])]

    assert found('"王毅"') == [2]
    assert found('"布林肯"') == [2]
    assert found(f'"{CHINESE_TITLE}"') == [1, 2]


def test_cjk_terms():
    assert cjk_terms("Wang Yi 王毅") == "Wang Yi  毅 王 王毅 "
    assert cjk_terms("no Chinese here") == "no Chinese here"


def test_a_chinese_word_of_more_than_four_characters_is_found(memory_db):
    add(
        memory_db,
        "MeetingHeld",
        {
            "development": "m",
            "title": "中华人民共和国外交部长王毅会见布林肯",
            "when": "2024-04-26",
            "participants": [{"name": "Wang Yi"}],
        },
    )
    assert fts_ids(memory_db, '"中华人民共和国"') == ["m"]


# --- one place, two spellings ---------------------------------------------------------


def test_two_spellings_of_one_place_equal_a_rebuild(memory_db):
    for dev_id, name in (("a", "Élysée Palace"), ("b", "Elysee Palace")):
        add(
            memory_db,
            "MeetingHeld",
            {
                "development": dev_id,
                "title": f"Meeting {dev_id}",
                "when": "2024-05-06",
                "participants": [{"name": "Emmanuel Macron"}],
                "place": {"name": name, "city": "Paris", "country": "FR"},
            },
        )
    assert differences(memory_db) == []


def test_a_corrected_place_name_shows_in_places(memory_db):
    elysee = {"name": "Elysee Palace", "city": "Paris", "country": "FR"}
    add(
        memory_db,
        "MeetingHeld",
        {
            "development": "a",
            "title": "Emmanuel Macron meets Xi Jinping",
            "when": "2024-05-06",
            "participants": [{"name": "Emmanuel Macron"}, {"name": "Xi Jinping"}],
            "place": elysee,
        },
    )
    changes = {"place": {**elysee, "name": "Élysée Palace"}}
    add(
        memory_db,
        "DevelopmentRevised",
        {"development": "a", "changes": changes, "reason": "Accents."},
    )
    assert [r["name"] for r in rows(memory_db, "places")] == ["Élysée Palace"]


# --- the sample -----------------------------------------------------------------------


@pytest.fixture
def sample(memory_db):
    outcome = import_sample(memory_db)
    assert len(outcome.appended) == 27
    return memory_db


def test_sample_tables(sample):
    count = {
        t: sample.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0]
        for t in projection_tables(sample)
    }
    assert count == {
        "merges": 0,
        "history": 20,
        "links": 3,
        "statements": 8,
        "agreement_points": 5,
        "tags": 33,
        "sources": 17,
        "participants": 18,
        "developments": 17,
        "places": 3,
        "actors": 7,
    }
    assert [r["id"] for r in rows(sample, "places")] == [
        "beijing-cn",
        "great-hall-of-the-people-beijing-cn",
        "woodside-california-us",
    ]
    assert [(r["id"], r["native_name"]) for r in rows(sample, "actors")] == [
        ("antony-blinken", None),
        ("joe-biden", None),
        ("liu-zhenmin", "刘振民"),
        ("su-xiaohui", "苏晓晖"),
        ("wang-yi", "王毅"),
        ("wang-yiwei", "王义桅"),
        ("xi-jinping", "习近平"),
    ]
    statuses = dict(sample.execute("SELECT status, COUNT(*) FROM developments GROUP BY 1"))
    assert statuses == {"occurred": 13, "scheduled": 4}
    visit = development(sample, "2024-04-24-antony-blinken-visits-china")
    assert (visit["start"], visit["end"], visit["precision"]) == ("2024-04-24", "2024-04-26", "day")
    assert [
        r[0]
        for r in sample.execute(
            "SELECT position FROM agreement_points WHERE development = ? ORDER BY position",
            [CONSENSUS],
        )
    ] == [1, 2, 3, 4, 5]
    assert position(sample) == 27
    assert differences(sample) == []


def test_sample_one_at_a_time_equals_one_batch(sample):
    lines = [e.to_json() for e in EventLog(sample).read()]
    other = open_db(":memory:")
    try:
        for line in lines:
            service.append(other, [service.parse_submission(line)])
        assert snapshot(other) == snapshot(sample)
    finally:
        other.close()


@pytest.mark.parametrize("chunk", [1, 2, 7])
def test_sample_in_chunks_equals_one_chunk(sample, monkeypatch, chunk):
    lines = [e.to_json() for e in EventLog(sample).read()]
    monkeypatch.setattr(timeline.projector, "CHUNK", chunk)
    other = open_db(":memory:")
    try:
        service.append(other, [service.parse_submission(line) for line in lines])
        assert snapshot(other) == snapshot(sample)
        assert position(other) == 27
        Projector(other).rebuild()
        assert snapshot(other) == snapshot(sample)
    finally:
        other.close()


# --- rebuild equals incremental, for any sequence of events ---------------------------


def _refer(draw, holder: dict[str, Any], key: str, ids: list[str], me: str | None) -> None:
    """Point a random reference at an existing development (or drop it)."""
    if holder.get(key) is None:
        return
    others = [i for i in ids if i != me]
    if others and draw(st.booleans()):
        holder[key] = draw(st.sampled_from(others))
    else:
        del holder[key]


LIFECYCLE_WEIGHTS = (
    *("DevelopmentHeld", "DevelopmentPostponed", "DevelopmentCancelled"),
    *("DevelopmentRevised", "DevelopmentRevised", "DevelopmentsLinked", "DevelopmentsLinked"),
    *("DevelopmentRetracted", "DevelopmentsMerged", "DevelopmentsMerged", "DevelopmentsUnmerged"),
)
CREATION_WEIGHTS = (
    *("MeetingHeld", "DevelopmentScheduled", "VisitMade", "DevelopmentScheduled"),
    *("AgreementReached", "StatementMade", "DevelopmentScheduled", "TalksHeld"),
    *("SummitHeld", "CallHeld"),
)
PLANNED = ("DevelopmentHeld", "DevelopmentPostponed", "DevelopmentCancelled")


@st.composite
def event_sequences(draw) -> list[tuple[str, dict[str, Any]]]:
    """Creations of random kinds, lifecycle events on them, and actor descriptions.

    Ids are given (d0, d1, …) so that later events can refer to them; planned steps
    mostly go to scheduled developments, and descriptions mostly to names already used.
    """
    events: list[tuple[str, dict[str, Any]]] = []
    ids: list[str] = []
    scheduled: list[str] = []
    names: list[str] = []
    for _ in range(draw(st.integers(2, 16))):
        what = "create"
        if ids:
            what = draw(st.sampled_from(("create", "create", "lifecycle", "lifecycle", "actor")))
        if what == "actor":
            payload = draw(actor_described())
            if names and draw(st.booleans()):
                payload["name"] = draw(st.sampled_from(names))
            events.append(("ActorDescribed", payload))
        elif what == "lifecycle":
            type_ = draw(st.sampled_from(LIFECYCLE_WEIGHTS))
            pool = scheduled if type_ in PLANNED and scheduled else ids
            target = draw(st.sampled_from(pool))
            payload = draw(LIFECYCLE[type_](target))
            if type_ in ("DevelopmentsLinked", "DevelopmentsMerged", "DevelopmentsUnmerged"):
                others = [i for i in ids if i != target]
                if not others:
                    continue
                key = "to" if type_ == "DevelopmentsLinked" else "duplicate"
                payload[key] = draw(st.sampled_from(others))
                for name in BROUGHT:  # filled in from the duplicate when appended
                    payload.pop(name, None)
            _refer(draw, payload, "part_of", ids, target)
            if "changes" in payload:
                _refer(draw, payload["changes"], "part_of", ids, target)
                if not payload["changes"]:
                    payload["changes"]["title"] = "A corrected title"
            events.append((type_, payload))
        else:
            type_ = draw(st.sampled_from(CREATION_WEIGHTS))
            payload = draw(CREATING[type_]())
            dev_id = f"d{len(ids)}"
            payload["development"] = dev_id
            _refer(draw, payload, "part_of", ids, dev_id)
            _refer(draw, payload, "announced_in", ids, dev_id)
            ids.append(dev_id)
            if type_ == "DevelopmentScheduled":
                scheduled.append(dev_id)
            names.extend(p["name"] for p in payload.get("participants", ()))
            if "speaker" in payload:
                names.append(payload["speaker"])
            events.append((type_, payload))
    return events


def append_each(db, events) -> int:
    """Append the events one at a time, skipping those the service refuses."""
    appended = 0
    for type_, data in events:
        try:
            service.append(db, [service.submit(type_, data)])
        except InvalidEvent as exc:
            note(f"refused {type_}: {exc}")
        else:
            appended += 1
            assert position(db) == EventLog(db).head()[0]
    return appended


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.slow
@SETTINGS
@given(event_sequences())
def test_rebuild_equals_incremental(events):
    db = open_db(":memory:")
    try:
        assert_rebuild_equals_incremental(db, events)
    finally:
        db.close()


def assert_rebuild_equals_incremental(db, events) -> None:
    """The tables kept up to date event by event are the tables a rebuild makes."""
    append_each(db, events)
    before = snapshot(db)
    assert differences(db) == []
    Projector(db).rebuild()
    assert snapshot(db) == before


@pytest.mark.slow
@settings(SETTINGS, max_examples=15)
@given(event_sequences())
def test_one_batch_and_any_chunking_equal_one_at_a_time(events):
    db = open_db(":memory:")
    try:
        append_each(db, events)
        expected = snapshot(db)
        lines = [e.to_json() for e in EventLog(db).read()]
    finally:
        db.close()
    for chunk in (timeline.projector.CHUNK, 1, 2):
        other = open_db(":memory:")
        try:
            with mock.patch.object(timeline.projector, "CHUNK", chunk):
                service.append(other, [service.parse_submission(line) for line in lines])
            assert snapshot(other) == expected, chunk
        finally:
            other.close()


@st.composite
def merge_sequences(draw) -> list[tuple[str, dict[str, Any]]]:
    """A few developments (some part of others), then merges, unmerges and other lifecycle
    events among them: most merges are accepted, so folding them is well covered."""
    events: list[tuple[str, dict[str, Any]]] = []
    ids = [f"d{i}" for i in range(draw(st.integers(2, 5)))]
    for dev_id in ids:
        type_ = draw(st.sampled_from(("MeetingHeld", "VisitMade", "StatementMade")))
        payload = {**draw(CREATING[type_]()), "development": dev_id}
        payload.pop("part_of", None)
        if events and draw(st.integers(0, 3)) == 0:
            payload["part_of"] = draw(st.sampled_from(ids[: len(events)]))
        events.append((type_, payload))
    steps = ("DevelopmentsMerged", "DevelopmentsUnmerged", "DevelopmentRevised")
    steps += ("DevelopmentsLinked", "DevelopmentRetracted")
    for _ in range(draw(st.integers(1, 8))):
        type_ = draw(st.sampled_from((*steps[:2], *steps)))
        target, other = draw(st.permutations(ids))[:2]
        payload = draw(LIFECYCLE[type_](target))
        if type_ == "DevelopmentsLinked":
            payload["to"] = other
        elif type_ in steps[:2]:
            payload["duplicate"] = other
            for name in BROUGHT:  # filled in from the duplicate when appended
                payload.pop(name, None)
        elif type_ == "DevelopmentRevised":
            payload["changes"].pop("part_of", None)
            payload["changes"] = payload["changes"] or {"title": "A corrected title"}
        events.append((type_, payload))
    return events


@pytest.mark.slow
@SETTINGS
@given(merge_sequences())
def test_rebuild_equals_incremental_after_merges_and_unmerges(events):
    db = open_db(":memory:")
    try:
        assert_rebuild_equals_incremental(db, events)
        merged = {d for (d,) in db.execute("SELECT duplicate FROM merges")}
        kept = {d for (d,) in db.execute("SELECT id FROM developments")}
        assert not merged & kept
    finally:
        db.close()


def test_an_old_schema_is_rebuilt_on_catch_up(known):
    before = snapshot(known)
    known.execute("UPDATE _projector_state SET schema = 'old'")
    known.execute("DELETE FROM tags")
    assert Projector(known).catch_up() == 7
    assert snapshot(known) == before
    assert known.execute("SELECT position, schema FROM _projector_state").fetchone() == (
        7,
        SCHEMA,
    )


def test_rebuild_reports_progress_per_chunk(known, monkeypatch):
    monkeypatch.setattr(timeline.projector, "CHUNK", 2)
    folded: list[int] = []
    assert Projector(known).rebuild(progress=folded.append) == 7
    # At least a chunk at a time, a stream never split: every event once, in all.
    assert sum(folded) == 7
    assert len(folded) > 1
    assert all(count >= 2 for count in folded[:-1])


def test_a_missing_checkpoint_table_means_a_rebuild(known):
    before = snapshot(known)
    known.execute("DROP TABLE _projector_state")
    assert Projector(known).catch_up() == 7
    assert snapshot(known) == before
    assert position(known) == 7


def test_a_failing_chunk_leaves_tables_and_checkpoint_as_they_were(known):
    meeting = {**MEETING_DATA, "development": "another-meeting", "part_of": None}
    service.append(known, [service.submit("MeetingHeld", meeting)], project=False)
    # Damage the projector cannot see coming: the meeting's tags cannot be written.
    known.execute(
        "CREATE TRIGGER refuse_tags BEFORE INSERT ON tags BEGIN SELECT RAISE(ABORT, 'no tags today'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="no tags today"):
        Projector(known).catch_up()
    known.execute("DROP TRIGGER refuse_tags")
    assert position(known) == 7
    assert [r["id"] for r in rows(known, "developments", "id")] == [
        VISIT,
        CONSENSUS,
        MEETING,
        STATEMENT,
        DIALOGUE,
    ]
    assert Projector(known).rebuild() == 8
    assert development(known, "another-meeting")["tags"] == '["china-us", "high-level-exchanges"]'


def test_tables_survive_reopening_the_file(known_file, db_path):
    before = snapshot(known_file)
    reopened = open_db(db_path)
    try:
        assert snapshot(reopened) == before
        assert position(reopened) == 7
    finally:
        reopened.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM developments").fetchone() == (5,)
