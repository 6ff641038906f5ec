"""Tests for events.state: a development's state folded from the events of its stream."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import LIFECYCLE, creation_payload, slugs
from timeline.events.codec import structure, unstructure
from timeline.events.state import DevelopmentState, Link, apply, create
from timeline.events.values import When

DEV = "2024-05-14-china-us-dialogue-on-ai"
T1, T2, T3, T4 = (f"2024-04-2{i}T08:00:00Z" for i in (6, 7, 8, 9))


def stored(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    """*data* as the log stores it: validated by its event class, then unstructured."""
    return unstructure(structure(type_, data))


def start(type_: str, data: dict[str, Any]) -> DevelopmentState:
    return create(type_, stored(type_, data), recorded_at=T1)


def scheduled(**extra: Any) -> DevelopmentState:
    """A scheduled dialogue, as announced during Blinken's visit."""
    return start(
        "DevelopmentScheduled",
        {
            "development": DEV,
            "title": "First China-U.S. intergovernmental dialogue on AI",
            "kind": "dialogue",
            "when": "2024-05",
            "timezone": "Europe/Zurich",
            "participants": [{"name": "Wang Yi", "country": "CN"}],
            "tags": ["artificial intelligence"],
            "announced_in": "2024-04-26-wang-yi-holds-talks-with-antony-blinken",
            **extra,
        },
    )


def fold(state: DevelopmentState, type_: str, data: dict[str, Any], version: int, at: str) -> None:
    payload = stored(type_, {"development": DEV, **data})
    apply(state, type_, payload, version=version, recorded_at=at)


# --- creation --------------------------------------------------------------------------------


def test_create_meeting() -> None:
    state = start(
        "MeetingHeld",
        {
            "development": "2024-04-26-xi-jinping-meets-antony-blinken",
            "title": "Xi Jinping meets Antony Blinken",
            "when": "2024-04-26",
            "timezone": "Asia/Shanghai",
            "summary": "The meeting culminated Blinken's three-day visit.",
            "place": {"name": "Great Hall of the People", "city": "Beijing", "country": "CN"},
            "participants": [{"name": "Xi Jinping", "country": "CN"}, {"name": "Antony Blinken"}],
            "sources": [{"url": "https://www.cgtn.com/", "publisher": "CGTN"}],
            "tags": ["China-U.S. relations"],
            "part_of": "2024-04-24-antony-blinken-visits-china",
        },
    )
    assert state == DevelopmentState(
        id="2024-04-26-xi-jinping-meets-antony-blinken",
        type="MeetingHeld",
        kind="meeting",
        title="Xi Jinping meets Antony Blinken",
        status="occurred",
        when="2024-04-26",
        timezone="Asia/Shanghai",
        summary="The meeting culminated Blinken's three-day visit.",
        place={"name": "Great Hall of the People", "city": "Beijing", "country": "CN"},
        participants=({"name": "Xi Jinping", "country": "CN"}, {"name": "Antony Blinken"}),
        sources=({"url": "https://www.cgtn.com/", "publisher": "CGTN"},),
        tags=("China-U.S. relations",),
        part_of="2024-04-24-antony-blinken-visits-china",
        links=[],
        status_reason=None,
        retracted=False,
        version=1,
        created_at=T1,
        updated_at=T1,
    )


def test_create_scheduled() -> None:
    state = scheduled()
    assert (state.status, state.kind, state.type) == (
        "scheduled",
        "dialogue",
        "DevelopmentScheduled",
    )
    assert (state.when, state.date) == ("2024-05", When("2024-05"))
    assert state.version == 1
    assert state.own_fields() == {
        "announced_in": "2024-04-26-wang-yi-holds-talks-with-antony-blinken"
    }


def test_create_scheduled_without_date() -> None:
    state = start("DevelopmentScheduled", {"development": DEV, "title": "t", "kind": "other"})
    assert (state.status, state.kind, state.when, state.date) == ("scheduled", "other", None, None)
    assert state.own_fields() == {"announced_in": None}


@pytest.mark.parametrize(
    ("type_", "data", "kind", "extra"),
    [
        (
            "VisitMade",
            {"visitor": "Antony Blinken", "host_country": "cn", "when": "2024-04-24/2024-04-26"},
            "visit",
            {"visitor": "Antony Blinken", "host_country": "CN"},
        ),
        (
            "AgreementReached",
            {"points": ["Maintain high-level exchanges."], "parties": ["CN", "US"], "when": "2024"},
            "agreement",
            {"points": ("Maintain high-level exchanges.",), "parties": ("CN", "US")},
        ),
        (
            "StatementMade",
            {"speaker": "Xi Jinping", "quote": "Partners, not rivals.", "when": "2024-04-26"},
            "statement",
            {"speaker": "Xi Jinping", "quote": "Partners, not rivals."},
        ),
        ("TalksHeld", {"participants": [{"name": "Wang Yi"}], "when": "2024-04-26"}, "talks", {}),
        ("SummitHeld", {"participants": [{"name": "Xi"}], "when": "2023-11-15"}, "summit", {}),
        ("CallHeld", {"participants": [{"name": "Xi"}], "when": "2024-04-02"}, "call", {}),
    ],
)
def test_create_keeps_the_fields_of_its_type(
    type_: str, data: dict[str, Any], kind: str, extra: dict[str, Any]
) -> None:
    state = start(type_, {"development": DEV, "title": "t", **data})
    assert (state.type, state.kind, state.status) == (type_, kind, "occurred")
    assert state.own_fields() == extra
    assert state.when == data["when"]


def test_every_field_of_a_creating_type_has_its_place_in_the_state() -> None:
    """A field added to one kind is folded (and so projected) without a copy of its name."""
    from timeline.events.developments import CREATION_TYPES

    state_fields = set(attrs.fields_dict(DevelopmentState))
    for cls in CREATION_TYPES:
        own = set(attrs.fields_dict(cls)) - {"development", "kind"}
        assert own <= state_fields, (cls.TYPE, own - state_fields)


# --- each lifecycle event --------------------------------------------------------------------


def test_postponed_to_a_new_date() -> None:
    state = scheduled()
    fold(state, "DevelopmentPostponed", {"when": "2024-06", "reason": "Scheduling."}, 2, T2)
    assert (state.status, state.when, state.status_reason) == (
        "postponed",
        "2024-06",
        "Scheduling.",
    )
    assert (state.version, state.created_at, state.updated_at) == (2, T1, T2)
    assert state.title == "First China-U.S. intergovernmental dialogue on AI"


def test_postponed_without_a_date_makes_it_unknown() -> None:
    state = scheduled()
    fold(state, "DevelopmentPostponed", {}, 2, T2)
    assert (state.status, state.when, state.status_reason) == ("postponed", None, None)
    assert state.timezone == "Europe/Zurich"
    # The date it had is kept, for calendars, until a new one is known.
    assert state.last_when == "2024-05"
    fold(state, "DevelopmentPostponed", {"reason": "Again."}, 3, T3)
    assert (state.when, state.last_when) == (None, "2024-05")
    fold(state, "DevelopmentRevised", {"changes": {"when": "2024-07"}, "reason": "r"}, 4, T4)
    assert (state.when, state.last_when) == ("2024-07", None)


def test_a_new_date_ends_the_last_known_one() -> None:
    for type_, data in [
        ("DevelopmentPostponed", {"when": "2024-09"}),
        ("DevelopmentHeld", {"when": "2024-09-02"}),
    ]:
        state = scheduled()
        fold(state, "DevelopmentPostponed", {}, 2, T2)
        fold(state, type_, data, 3, T3)
        assert (state.when, state.last_when) == (data["when"], None)


def test_held_sets_the_actual_date_and_updates_fields() -> None:
    state = scheduled()
    fold(state, "DevelopmentPostponed", {"reason": "Scheduling."}, 2, T2)
    fold(
        state,
        "DevelopmentHeld",
        {
            "when": "2024-05-14T10:00",
            "place": {"city": "Geneva", "country": "CH"},
            "participants": [{"name": "Yang Tao", "country": "CN"}, {"name": "Tarun Chhabra"}],
        },
        3,
        T3,
    )
    assert (state.status, state.status_reason) == ("occurred", None)
    assert state.when == "2024-05-14T10:00"
    assert state.timezone == "Europe/Zurich"
    assert state.place == {"city": "Geneva", "country": "CH"}
    assert state.participants == ({"name": "Yang Tao", "country": "CN"}, {"name": "Tarun Chhabra"})
    assert state.title == "First China-U.S. intergovernmental dialogue on AI"
    assert state.tags == ("artificial intelligence",)
    assert (state.version, state.updated_at) == (3, T3)


def test_held_with_new_title_and_empty_lists() -> None:
    state = scheduled()
    fold(state, "DevelopmentHeld", {"when": "2024-05-14", "title": "AI talks", "tags": []}, 2, T2)
    assert (state.title, state.tags, state.status) == ("AI talks", (), "occurred")
    assert state.participants == ({"name": "Wang Yi", "country": "CN"},)


def test_held_after_cancelled() -> None:
    state = scheduled()
    fold(state, "DevelopmentCancelled", {"reason": "Called off."}, 2, T2)
    fold(state, "DevelopmentHeld", {"when": "2024-05-14"}, 3, T3)
    assert (state.status, state.status_reason, state.when) == ("occurred", None, "2024-05-14")


def test_cancelled() -> None:
    state = scheduled()
    fold(state, "DevelopmentCancelled", {"reason": "Called off by both sides."}, 2, T2)
    assert (state.status, state.status_reason) == ("cancelled", "Called off by both sides.")
    assert state.when == "2024-05"
    assert state.version == 2


def test_cancelled_without_reason() -> None:
    state = scheduled()
    fold(state, "DevelopmentCancelled", {}, 2, T2)
    assert (state.status, state.status_reason) == ("cancelled", None)


def test_revised_sets_and_clears_fields() -> None:
    state = scheduled(summary="Announced in the five-point consensus.", part_of="ai-track")
    fold(
        state,
        "DevelopmentRevised",
        {
            "changes": {
                "title": "China-U.S. dialogue on AI",
                "when": "2024-05-14",
                "place": {"city": "Geneva"},
                "summary": None,
                "participants": None,
                "tags": None,
                "part_of": None,
                "timezone": None,
            },
            "reason": "Details from the official readout.",
        },
        2,
        T2,
    )
    assert state.title == "China-U.S. dialogue on AI"
    assert state.when == "2024-05-14"
    assert state.place == {"city": "Geneva"}
    assert (state.summary, state.part_of, state.timezone) == (None, None, None)
    assert (state.participants, state.tags, state.sources) == ((), (), ())
    # a revision is a correction, not a change of status, and keeps no status reason
    assert (state.status, state.status_reason) == ("scheduled", None)
    assert (state.version, state.updated_at) == (2, T2)


def test_revised_leaves_other_fields_alone() -> None:
    state = scheduled()
    before = attrs.evolve(state)
    fold(state, "DevelopmentRevised", {"changes": {"tags": ["AI"]}, "reason": "r"}, 2, T2)
    assert state.tags == ("AI",)
    assert state.title == before.title
    assert state.when == before.when
    assert state.participants == before.participants


def test_revised_when_of_a_postponed_development() -> None:
    state = scheduled()
    fold(state, "DevelopmentPostponed", {}, 2, T2)
    fold(state, "DevelopmentRevised", {"changes": {"when": "2024-07"}, "reason": "r"}, 3, T3)
    assert (state.status, state.when) == ("postponed", "2024-07")


def test_retracted() -> None:
    state = scheduled()
    fold(state, "DevelopmentRetracted", {"reason": "Never announced; misread report."}, 2, T2)
    assert state.retracted is True
    assert state.status_reason == "Never announced; misread report."
    assert state.status == "scheduled"
    assert state.version == 2


def test_linked() -> None:
    state = scheduled()
    linked = "DevelopmentsLinked"
    implements = {"from": DEV, "to": "2024-04-26-five-point-consensus", "relation": "implements"}
    apply(state, linked, stored(linked, implements), version=2, recorded_at=T2)
    part_of = {"from": DEV, "to": "ai-track", "relation": "part_of"}
    apply(state, linked, stored(linked, part_of), version=3, recorded_at=T3)
    assert state.links == [
        Link("implements", "2024-04-26-five-point-consensus"),
        Link("part_of", "ai-track"),
    ]
    assert state.part_of == "ai-track"
    assert (state.status, state.version, state.updated_at) == ("scheduled", 3, T3)


def test_full_history() -> None:
    state = scheduled()
    fold(state, "DevelopmentPostponed", {"reason": "Scheduling."}, 2, T2)
    fold(state, "DevelopmentRevised", {"changes": {"title": "AI dialogue"}, "reason": "r"}, 3, T3)
    fold(state, "DevelopmentHeld", {"when": "2024-05-14"}, 4, T4)
    assert (state.status, state.title, state.when, state.version) == (
        "occurred",
        "AI dialogue",
        "2024-05-14",
        4,
    )
    assert (state.created_at, state.updated_at) == (T1, T4)


def with_id(payload: dict[str, Any], dev: str) -> dict[str, Any]:
    """The payload with the development id *dev* (and without a part_of pointing at it)."""
    out = {**payload, "development": dev}
    if out.get("part_of") == dev:
        del out["part_of"]
    return out


# --- properties ------------------------------------------------------------------------------


@pytest.mark.slow
@given(creation_payload())
def test_create_copies_the_shared_fields(pair: tuple[str, dict[str, Any]]) -> None:
    type_, payload = pair
    event = structure(type_, with_id(payload, "some-id"))
    data = unstructure(event)
    state = create(type_, data, recorded_at=T1)
    assert state.id == "some-id"
    assert state.title == event.title
    # The stored form, folded, reads as the event class does.
    assert state.date == event.when
    for name in ("timezone", "summary", "place", "part_of"):
        assert getattr(state, name) == data.get(name)
    for name in ("participants", "sources", "tags"):
        assert getattr(state, name) == tuple(data.get(name, ()))
    assert state.status == ("scheduled" if type_ == "DevelopmentScheduled" else "occurred")
    assert (state.version, state.retracted, state.links) == (1, False, [])


@pytest.mark.slow
@given(
    creation_payload(),
    st.lists(st.sampled_from(sorted(LIFECYCLE)), max_size=6),
    st.data(),
)
def test_the_version_counts_every_event_of_the_stream(
    pair: tuple[str, dict[str, Any]], types: list[str], data: st.DataObject
) -> None:
    type_, payload = pair
    dev = data.draw(slugs(), label="id")
    state = create(type_, stored(type_, with_id(payload, dev)), recorded_at=T1)
    for version, later in enumerate(types, start=2):
        payload = stored(later, data.draw(LIFECYCLE[later](dev), label=later))
        apply(state, later, payload, version=version, recorded_at=f"v{version}")
    assert state.version == 1 + len(types)
    assert state.updated_at == (f"v{len(types) + 1}" if types else T1)
    assert state.created_at == T1
    assert state.retracted == ("DevelopmentRetracted" in types)
