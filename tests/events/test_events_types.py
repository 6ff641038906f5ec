"""Tests for the event types of the contract: good payloads structure, bad ones are refused
with one line naming the field, and the registry files every type once at version 1."""

from __future__ import annotations

import copy
from typing import Any

import attrs
import cattrs
import pytest
from timeline.events.actors import ActorDescribed
from timeline.events.base import Event
from timeline.events.codec import describe_error, structure, unstructure
from timeline.events.developments import CREATION_TYPES, MeetingHeld
from timeline.events.lifecycle import Changes, Updates
from timeline.events.registry import Registry, UnknownEventType, register, registry
from timeline.events.values import Participant, Place, Role, Source, When

DEV = "2024-04-26-xi-jinping-meets-antony-blinken"

CREATING = (
    "MeetingHeld",
    "TalksHeld",
    "SummitHeld",
    "CallHeld",
    "VisitMade",
    "AgreementReached",
    "StatementMade",
    "DevelopmentScheduled",
)
LIFECYCLE = (
    "DevelopmentHeld",
    "DevelopmentPostponed",
    "DevelopmentCancelled",
    "DevelopmentRevised",
    "DevelopmentRetracted",
    "DevelopmentsMerged",
    "DevelopmentsUnmerged",
    "DevelopmentsLinked",
)
CONTRACT_TYPES = (*CREATING, *LIFECYCLE, "ActorDescribed")

XI = {"name": "Xi Jinping", "role": "President", "country": "CN"}
BLINKEN = {"name": "Antony Blinken", "role": "Secretary of State", "country": "US"}
CGTN = {
    "url": "https://www.cgtn.com/",
    "title": "Xi Jinping urges major country responsibilities for China and U.S.",
    "publisher": "CGTN",
    "published": "2024-04-26",
}
GREAT_HALL = {"name": "Great Hall of the People", "city": "Beijing", "country": "CN"}

# One good payload per type, already in normal form (so unstructure gives it back as is).
GOOD: dict[str, dict[str, Any]] = {
    "MeetingHeld": {
        "development": DEV,
        "title": "Xi Jinping meets Antony Blinken",
        "when": "2024-04-26",
        "timezone": "Asia/Shanghai",
        "summary": "The meeting culminated Blinken's three-day visit to China.",
        "place": GREAT_HALL,
        "participants": [XI, BLINKEN],
        "sources": [CGTN],
        "tags": ["China-U.S. relations"],
        "part_of": "2024-04-24-antony-blinken-visits-china",
    },
    "TalksHeld": {
        "title": "Wang Yi holds talks with Antony Blinken",
        "when": "2024-04-26T10:00+08:00",
        "participants": [{"name": "Wang Yi", "role": "Foreign Minister", "country": "CN"}, BLINKEN],
        "place": {"name": "Diaoyutai State Guesthouse", "city": "Beijing", "country": "CN"},
    },
    "SummitHeld": {
        "title": "Xi Jinping and Joe Biden hold summit meeting",
        "when": "2023-11-15",
        "timezone": "America/Los_Angeles",
        "participants": [{"name": "Xi Jinping"}, {"name": "Joe Biden", "country": "US"}],
        "place": {"city": "Woodside", "country": "US", "lat": 37.43, "lon": -122.25},
    },
    "CallHeld": {
        "title": "Xi Jinping speaks by phone with Joe Biden",
        "when": "2024-04-02T20:00",
        "timezone": "Asia/Shanghai",
        "participants": [{"name": "Xi Jinping"}, {"name": "Joe Biden"}],
    },
    "VisitMade": {
        "development": "2024-04-24-antony-blinken-visits-china",
        "title": "Antony Blinken visits China",
        "when": "2024-04-24/2024-04-26",
        "visitor": "Antony Blinken",
        "host_country": "CN",
    },
    "AgreementReached": {
        "title": "China and the U.S. reach a five-point consensus",
        "when": "2024-04-26",
        "points": [
            "Maintain high-level exchanges and contacts at all levels.",
            "Hold the first meeting of the intergovernmental dialogue on artificial intelligence.",
        ],
        "parties": ["CN", "US"],
    },
    "StatementMade": {
        "title": "Xi Jinping on major-country responsibilities",
        "when": "2024-04-26",
        "speaker": "Xi Jinping",
        "quote": "As major countries, we should set a good example.",
    },
    "DevelopmentScheduled": {
        "title": "First meeting of the China-U.S. intergovernmental dialogue on AI",
        "kind": "dialogue",
        "announced_in": DEV,
    },
    "DevelopmentHeld": {
        "development": "2024-05-14-china-us-dialogue-on-ai",
        "when": "2024-05-14",
        "place": {"city": "Geneva", "country": "CH"},
    },
    "DevelopmentPostponed": {
        "development": "2024-05-14-china-us-dialogue-on-ai",
        "when": "2024-06",
        "reason": "Scheduling conflict.",
    },
    "DevelopmentCancelled": {
        "development": "2024-05-14-china-us-dialogue-on-ai",
        "reason": "Called off by both sides.",
    },
    "DevelopmentRevised": {
        "development": DEV,
        "changes": {"title": "Xi Jinping meets Antony Blinken in Beijing", "summary": None},
        "reason": "Title made more precise; the summary was copied from another article.",
    },
    "DevelopmentRetracted": {"development": DEV, "reason": "Duplicate of an existing entry."},
    "DevelopmentsMerged": {
        "development": "2024-04-24-antony-blinken-visits-china",
        "duplicate": "hsg-trip-4229",
        "reason": "The Historian's record of the same visit.",
        "disputed": [
            {"field": "when", "value": "2024-04-24/2024-04-27", "said_by": "history.state.gov"}
        ],
    },
    "DevelopmentsUnmerged": {
        "development": "2024-04-24-antony-blinken-visits-china",
        "duplicate": "hsg-trip-4229",
        "reason": "Two different visits after all.",
    },
    "DevelopmentsLinked": {
        "from": DEV,
        "to": "2024-04-24-antony-blinken-visits-china",
        "relation": "part_of",
    },
    "ActorDescribed": {
        "name": "Wang Yi",
        "native_name": "王毅",
        "kind": "person",
        "country": "CN",
        "roles": [
            {"title": "Minister of Foreign Affairs", "from": "2013-03", "to": "2022-12"},
            {"title": "Minister of Foreign Affairs", "from": "2023-07-25"},
        ],
    },
}


def with_(type_: str, **changes: Any) -> dict[str, Any]:
    """A deep copy of the good payload of *type_* with keys set (``from_`` means ``from``)."""
    payload = copy.deepcopy(GOOD[type_])
    for key, val in changes.items():
        payload[key.rstrip("_")] = val
    return payload


def without(type_: str, *keys: str) -> dict[str, Any]:
    """A deep copy of the good payload of *type_* without *keys*."""
    return {k: v for k, v in copy.deepcopy(GOOD[type_]).items() if k not in keys}


def refusal(type_: str, payload: Any) -> str:
    """The one line a refused payload gets; fail if it is accepted."""
    with pytest.raises((ValueError, TypeError, cattrs.BaseValidationError)) as info:
        structure(type_, payload)
    line = describe_error(info.value, "data")
    assert "\n" not in line
    return line


# --- good payloads ---------------------------------------------------------------------------


def test_good_payloads_cover_the_contract() -> None:
    assert set(GOOD) == set(CONTRACT_TYPES)


@pytest.mark.parametrize("type_", CONTRACT_TYPES)
def test_good_payload_structures(type_: str) -> None:
    event = structure(type_, copy.deepcopy(GOOD[type_]))
    assert isinstance(event, Event)
    assert type_ == type(event).TYPE
    assert unstructure(event) == GOOD[type_]


def test_meeting_fields() -> None:
    event = structure("MeetingHeld", GOOD["MeetingHeld"])
    assert event == MeetingHeld(
        development=DEV,
        title="Xi Jinping meets Antony Blinken",
        when=When("2024-04-26"),
        timezone="Asia/Shanghai",
        summary="The meeting culminated Blinken's three-day visit to China.",
        place=Place(name="Great Hall of the People", city="Beijing", country="CN"),
        participants=(
            Participant("Xi Jinping", "President", "CN"),
            Participant("Antony Blinken", "Secretary of State", "US"),
        ),
        sources=(Source(**CGTN),),
        tags=("China-U.S. relations",),
        part_of="2024-04-24-antony-blinken-visits-china",
    )
    assert event.stream == DEV
    assert event.KIND == "meeting"


def test_values_are_normalised() -> None:
    event = structure(
        "MeetingHeld",
        {
            "title": "  Xi Jinping meets Antony Blinken \n",
            "when": " 2024-04-26 ",
            "participants": [{"name": " Xi Jinping ", "role": "  ", "country": " cn "}],
            "place": {"name": " ", "city": "Beijing", "lat": 40, "lon": 116},
            "sources": [{"url": " https://www.cgtn.com/ ", "title": ""}],
            "tags": [" China ", "china", "CHINA", "AI"],
        },
    )
    assert event.title == "Xi Jinping meets Antony Blinken"
    assert event.when == When("2024-04-26")
    assert event.participants == (Participant("Xi Jinping", None, "CN"),)
    assert event.place == Place(city="Beijing", lat=40.0, lon=116.0)
    assert isinstance(event.place.lat, float)
    assert event.sources == (Source("https://www.cgtn.com/"),)
    assert event.tags == ("China", "AI")
    assert unstructure(event) == {
        "title": "Xi Jinping meets Antony Blinken",
        "when": "2024-04-26",
        "participants": [{"name": "Xi Jinping", "country": "CN"}],
        "place": {"city": "Beijing", "lat": 40.0, "lon": 116.0},
        "sources": [{"url": "https://www.cgtn.com/"}],
        "tags": ["China", "AI"],
    }


@pytest.mark.parametrize(
    ("type_", "payload", "get"),
    [
        pytest.param(
            "DevelopmentRevised",
            with_("DevelopmentRevised", changes={"title": "  New title  "}),
            lambda event: event.changes.values.title,
            id="revised-title",
        ),
        pytest.param(
            "DevelopmentHeld",
            with_("DevelopmentHeld", title="  New title  "),
            lambda event: event.title,
            id="held-title",
        ),
        pytest.param(
            "ActorDescribed",
            with_("ActorDescribed", name="  New title  "),
            lambda event: event.name,
            id="actor-name",
        ),
        pytest.param(
            "MeetingHeld",
            with_("MeetingHeld", title="  New title  "),
            lambda event: event.title,
            id="created-title",
        ),
    ],
)
def test_titles_and_names_are_stripped_everywhere(type_: str, payload: Any, get: Any) -> None:
    assert get(structure(type_, payload)) == "New title"


def test_development_id_is_optional_but_the_stream_needs_it() -> None:
    event = structure("MeetingHeld", without("MeetingHeld", "development"))
    assert event.development is None
    with pytest.raises(ValueError, match="the development id has not been assigned yet"):
        _ = event.stream


@pytest.mark.parametrize(
    ("type_", "kind"),
    [
        ("MeetingHeld", "meeting"),
        ("TalksHeld", "talks"),
        ("SummitHeld", "summit"),
        ("CallHeld", "call"),
        ("VisitMade", "visit"),
        ("AgreementReached", "agreement"),
        ("StatementMade", "statement"),
        ("DevelopmentScheduled", "dialogue"),
    ],
)
def test_kind_of_each_creating_type(type_: str, kind: str) -> None:
    assert kind == structure(type_, GOOD[type_]).KIND


def test_creation_types_are_those_of_the_contract() -> None:
    assert tuple(cls.TYPE for cls in CREATION_TYPES) == CREATING


@pytest.mark.parametrize(
    ("type_", "stream"),
    [
        ("DevelopmentHeld", "2024-05-14-china-us-dialogue-on-ai"),
        ("DevelopmentPostponed", "2024-05-14-china-us-dialogue-on-ai"),
        ("DevelopmentCancelled", "2024-05-14-china-us-dialogue-on-ai"),
        ("DevelopmentRevised", DEV),
        ("DevelopmentRetracted", DEV),
        ("DevelopmentsLinked", DEV),
        ("DevelopmentsMerged", "2024-04-24-antony-blinken-visits-china"),
        ("DevelopmentsUnmerged", "2024-04-24-antony-blinken-visits-china"),
        ("ActorDescribed", "actor:wang-yi"),
        ("VisitMade", "2024-04-24-antony-blinken-visits-china"),
    ],
)
def test_stream(type_: str, stream: str) -> None:
    assert structure(type_, GOOD[type_]).stream == stream


def test_visit_and_agreement_fields() -> None:
    visit = structure("VisitMade", with_("VisitMade", host_country="cn"))
    assert (visit.visitor, visit.host_country) == ("Antony Blinken", "CN")
    assert visit.when.is_interval
    agreement = structure(
        "AgreementReached", with_("AgreementReached", parties=["cn", "US", "us", ""])
    )
    assert agreement.parties == ("CN", "US")
    assert len(agreement.points) == 2


def test_statement_quote_is_verbatim() -> None:
    event = structure("StatementMade", with_("StatementMade", quote="  “Verbatim,” he said. "))
    assert event.quote == "  “Verbatim,” he said. "


def test_scheduled_needs_no_date() -> None:
    event = structure("DevelopmentScheduled", GOOD["DevelopmentScheduled"])
    assert event.when is None
    assert event.kind == "dialogue"
    assert event.announced_in == DEV
    dated = structure("DevelopmentScheduled", with_("DevelopmentScheduled", when="2024-05~"))
    assert dated.when == When("2024-05~")


def test_local_time_with_timezone_is_accepted() -> None:
    event = structure("CallHeld", GOOD["CallHeld"])
    assert event.when.needs_timezone
    assert event.timezone == "Asia/Shanghai"


def test_held_local_time_may_rely_on_the_recorded_zone() -> None:
    # Only the service knows the zone recorded earlier; the event alone accepts it.
    event = structure("DevelopmentHeld", with_("DevelopmentHeld", when="2024-05-14T10:00"))
    assert event.timezone is None


def test_revision_changes() -> None:
    event = structure(
        "DevelopmentRevised",
        with_(
            "DevelopmentRevised",
            changes={"when": "2024-04-26T16:30+08:00", "tags": None, "participants": [XI]},
        ),
    )
    assert event.changes == Changes(
        values=Updates(when=When("2024-04-26T16:30+08:00"), participants=(Participant(**XI),)),
        cleared=("tags",),
    )
    assert event.changes.values.given() == {
        "when": When("2024-04-26T16:30+08:00"),
        "participants": (Participant(**XI),),
    }


def test_linked_uses_from_in_json() -> None:
    event = structure("DevelopmentsLinked", GOOD["DevelopmentsLinked"])
    assert event.from_ == DEV
    assert unstructure(event)["from"] == DEV
    assert "from_" not in unstructure(event)


def test_actor_defaults_and_roles() -> None:
    event = structure("ActorDescribed", GOOD["ActorDescribed"])
    assert event.kind == "person"
    assert event.roles == (
        Role("Minister of Foreign Affairs", None, "2013-03", "2022-12"),
        Role("Minister of Foreign Affairs", None, "2023-07-25"),
    )
    assert isinstance(event, ActorDescribed)


# --- bad payloads ----------------------------------------------------------------------------

TOO_LONG = "x" * 301
TOO_LONG_SHOWN = "'" + "x" * 59 + "…'"
NOT_A_COUNTRY = "'ZZ' is not an ISO 3166-1 alpha-2 country code"
BAD_ID = "'Bad Id' is not a valid id: use lowercase letters, digits and hyphens"
NOT_HTTP = "'javascript:alert(1)' is not an http(s) URL"
IMPOSSIBLE = "'2023-02-29' is not a valid date: day is out of range for month"
REVISABLE = "title, when, timezone, summary, place, participants, sources, tags, part_of"
LOCAL = "required for the local time '2024-04-26T16:30' (or give an offset such as +08:00)"
BAD_ZONE = "'Mars/Olympus_Mons' is not an IANA time zone such as 'Asia/Shanghai'"
SCHEDULED_KINDS = "meeting, talks, summit, call, visit, dialogue, consultation, other"
RELATIONS = "part_of, follows_up, implements, responds_to, announced_in"


def _creating_cases(type_: str) -> list[Any]:
    """The refusals every event type that creates a development shares."""
    return [
        pytest.param(type_, without(type_, "title"), "data.title: is required", id="no-title"),
        pytest.param(
            type_,
            with_(type_, title=TOO_LONG),
            f"data.title: {TOO_LONG_SHOWN} is too long: at most 300 characters",
            id="title-301",
        ),
        pytest.param(
            type_,
            with_(type_, title="   "),
            "data.title: '' is empty: a value is required",
            id="title-blank",
        ),
        pytest.param(
            type_,
            with_(type_, title=2024),
            "data.title: must be a string, not a number",
            id="title-number",
        ),
        pytest.param(
            type_,
            with_(type_, title=None),
            "data.title: must be a string, not null",
            id="title-null",
        ),
        pytest.param(type_, with_(type_, foo=1), "data.foo: unknown field", id="unknown-key"),
        pytest.param(
            type_,
            with_(type_, participants=[{"name": "Wang Yi", "country": "ZZ"}]),
            f"data.participants[0].country: {NOT_A_COUNTRY}",
            id="participant-country",
        ),
        pytest.param(
            type_,
            with_(type_, participants=[XI, {"name": "Wang Yi", "country": "CHN"}]),
            "data.participants[1].country: 'CHN' is not an ISO 3166-1 alpha-2 country code",
            id="second-participant-country",
        ),
        pytest.param(
            type_,
            with_(type_, participants="Xi Jinping"),
            "data.participants: must be a list, not a string",
            id="participants-string",
        ),
        pytest.param(
            type_,
            with_(type_, participants=["Xi Jinping"]),
            "data.participants[0]: must be an object, not a string",
            id="participant-string",
        ),
        pytest.param(
            type_,
            with_(type_, place=["Beijing"]),
            "data.place: must be an object, not a list",
            id="place-list",
        ),
        pytest.param(
            type_,
            with_(type_, place={"country": "CN"}),
            "data.place: a place needs a name or a city",
            id="place-no-name",
        ),
        pytest.param(
            type_,
            with_(type_, place={"city": "Beijing", "country": "ZZ"}),
            f"data.place.country: {NOT_A_COUNTRY}",
            id="place-country",
        ),
        pytest.param(
            type_,
            with_(type_, when="2023-02-29"),
            f"data.when: {IMPOSSIBLE}",
            id="impossible-date",
        ),
        pytest.param(
            type_,
            with_(type_, when="next Friday"),
            "data.when: 'next Friday' is not a date: use YYYY, YYYY-MM, YYYY-MM-DD, "
            "YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], a season YYYY-21..24, or an interval A/B or A/..",
            id="not-a-date",
        ),
        pytest.param(
            type_,
            with_(type_, when=20240426),
            "data.when: must be a string, not a number",
            id="when-number",
        ),
        pytest.param(
            type_,
            without(type_, "timezone") | {"when": "2024-04-26T16:30"},
            f"data.timezone: {LOCAL}",
            id="local-time-no-zone",
        ),
        pytest.param(
            type_,
            with_(type_, when="2024-04-26T16:30", timezone="Mars/Olympus_Mons"),
            f"data.timezone: {BAD_ZONE}",
            id="bad-zone",
        ),
        pytest.param(
            type_,
            with_(type_, sources=[{"url": "javascript:alert(1)"}]),
            f"data.sources[0].url: {NOT_HTTP}",
            id="source-url",
        ),
        pytest.param(
            type_,
            with_(type_, sources={"url": "https://www.cgtn.com/"}),
            "data.sources: must be a list, not an object",
            id="sources-object",
        ),
        pytest.param(
            type_, with_(type_, development="Bad Id"), f"data.development: {BAD_ID}", id="bad-id"
        ),
        pytest.param(
            type_, with_(type_, part_of="Bad Id"), f"data.part_of: {BAD_ID}", id="bad-part-of"
        ),
        pytest.param(
            type_,
            with_(type_, development="a-b", part_of="a-b"),
            "data.part_of: a development cannot be part of itself",
            id="part-of-itself",
        ),
        pytest.param(
            type_, with_(type_, tags="China"), "data.tags: must be a list, not a string", id="tags"
        ),
        pytest.param(
            type_,
            with_(type_, tags=["China", 5]),
            "data.tags[1]: must be a string, not a number",
            id="tag-number",
        ),
    ]


ENCOUNTER_CASES = [
    case
    for type_ in ("MeetingHeld", "TalksHeld", "SummitHeld", "CallHeld")
    for case in [
        *_creating_cases(type_),
        pytest.param(
            type_,
            with_(type_, participants=[]),
            "data.participants: at least one participant is required",
            id="no-participants",
        ),
        pytest.param(
            type_,
            without(type_, "participants"),
            "data.participants: at least one participant is required",
            id="participants-absent",
        ),
        pytest.param(type_, without(type_, "when"), "data.when: is required", id="no-when"),
    ]
]

OTHER_CREATING_CASES = [
    *[
        pytest.param(type_, without(type_, "when"), "data.when: is required", id="no-when")
        for type_ in ("VisitMade", "AgreementReached", "StatementMade")
    ],
    *_creating_cases("VisitMade"),
    pytest.param(
        "VisitMade", without("VisitMade", "visitor"), "data.visitor: is required", id="no-visitor"
    ),
    pytest.param(
        "VisitMade",
        without("VisitMade", "host_country"),
        "data.host_country: is required",
        id="no-host",
    ),
    pytest.param(
        "VisitMade",
        with_("VisitMade", host_country="ZZ"),
        f"data.host_country: {NOT_A_COUNTRY}",
        id="host-country",
    ),
    pytest.param(
        "VisitMade",
        with_("VisitMade", when="2024-04-26/2024-04-24"),
        "data.when: '2024-04-26/2024-04-24' is not a valid interval: the end is before the start",
        id="interval-backwards",
    ),
    *_creating_cases("AgreementReached"),
    pytest.param(
        "AgreementReached",
        with_("AgreementReached", points=[]),
        "data.points: at least one point is required",
        id="points-empty",
    ),
    pytest.param(
        "AgreementReached",
        without("AgreementReached", "points"),
        "data.points: is required",
        id="no-points",
    ),
    pytest.param(
        "AgreementReached",
        with_("AgreementReached", points="Maintain exchanges."),
        "data.points: must be a list, not a string",
        id="points-string",
    ),
    pytest.param(
        "AgreementReached",
        with_("AgreementReached", points=["Maintain exchanges.", " "]),
        "data.points: point 2 is empty",
        id="point-blank",
    ),
    pytest.param(
        "AgreementReached",
        with_("AgreementReached", parties=["CN", "ZZ"]),
        f"data.parties: {NOT_A_COUNTRY} nor an organisation such as EU, UN, NATO, ASEAN or AFU",
        id="party-country",
    ),
    *_creating_cases("StatementMade"),
    pytest.param(
        "StatementMade",
        without("StatementMade", "quote"),
        "data.quote: is required",
        id="no-quote",
    ),
    pytest.param(
        "StatementMade",
        without("StatementMade", "speaker"),
        "data.speaker: is required",
        id="no-speaker",
    ),
    *_creating_cases("DevelopmentScheduled"),
    pytest.param(
        "DevelopmentScheduled",
        with_("DevelopmentScheduled", kind="party"),
        f"data.kind: 'party' is not one of: {SCHEDULED_KINDS}",
        id="bad-kind",
    ),
    pytest.param(
        "DevelopmentScheduled",
        with_("DevelopmentScheduled", kind="agreement"),
        f"data.kind: 'agreement' is not one of: {SCHEDULED_KINDS}",
        id="agreement-is-not-scheduled",
    ),
    pytest.param(
        "DevelopmentScheduled",
        without("DevelopmentScheduled", "kind"),
        "data.kind: is required",
        id="no-kind",
    ),
    pytest.param(
        "DevelopmentScheduled",
        with_("DevelopmentScheduled", announced_in="Bad Id"),
        f"data.announced_in: {BAD_ID}",
        id="bad-announced-in",
    ),
]

LIFECYCLE_CASES = [
    *[
        case
        for type_ in LIFECYCLE[:-1]
        for case in (
            pytest.param(
                type_,
                with_(type_, development="Bad Id"),
                f"data.development: {BAD_ID}",
                id="bad-id",
            ),
            pytest.param(
                type_,
                without(type_, "development"),
                "data.development: is required",
                id="no-id",
            ),
            pytest.param(type_, with_(type_, foo=1), "data.foo: unknown field", id="unknown-key"),
        )
    ],
    pytest.param(
        "DevelopmentHeld",
        without("DevelopmentHeld", "when"),
        "data.when: is required",
        id="no-when",
    ),
    pytest.param(
        "DevelopmentHeld",
        with_("DevelopmentHeld", when="2023-02-29"),
        f"data.when: {IMPOSSIBLE}",
        id="impossible-date",
    ),
    pytest.param(
        "DevelopmentHeld",
        with_("DevelopmentHeld", when="2024-04-26T16:30", timezone="Mars/Olympus_Mons"),
        f"data.timezone: {BAD_ZONE}",
        id="bad-zone",
    ),
    pytest.param(
        "DevelopmentHeld",
        with_("DevelopmentHeld", title=TOO_LONG),
        f"data.title: {TOO_LONG_SHOWN} is too long: at most 300 characters",
        id="title-301",
    ),
    pytest.param(
        "DevelopmentHeld",
        with_("DevelopmentHeld", participants=[{"name": "Wang Yi", "country": "ZZ"}]),
        f"data.participants[0].country: {NOT_A_COUNTRY}",
        id="participant-country",
    ),
    pytest.param(
        "DevelopmentHeld",
        with_("DevelopmentHeld", place=["Geneva"]),
        "data.place: must be an object, not a list",
        id="place-list",
    ),
    pytest.param(
        "DevelopmentPostponed",
        with_("DevelopmentPostponed", when="2023-02-29"),
        f"data.when: {IMPOSSIBLE}",
        id="impossible-date",
    ),
    pytest.param(
        "DevelopmentPostponed",
        with_("DevelopmentPostponed", reason=""),
        "data.reason: '' is empty: a value is required",
        id="blank-reason",
    ),
    pytest.param(
        "DevelopmentCancelled",
        with_("DevelopmentCancelled", reason=42),
        "data.reason: must be a string, not a number",
        id="reason-number",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={"foo": "bar"}),
        f"data.changes.foo: cannot be revised; fields that can: {REVISABLE}",
        id="changes-unknown-field",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={"kind": "talks"}),
        f"data.changes.kind: cannot be revised; fields that can: {REVISABLE}",
        id="changes-kind",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={"title": None}),
        "data.changes.title: cannot be removed; give a new one",
        id="changes-title-null",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={"when": None}),
        "data.changes.when: cannot be removed; postpone it to make the date unknown",
        id="changes-when-null",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={}),
        "data.changes: at least one field to change is required",
        id="changes-empty",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes=["title"]),
        "data.changes: must be an object, not a list",
        id="changes-list",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={"title": ""}),
        "data.changes.title: '' is empty: a value is required",
        id="changes-title-blank",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={"when": "2023-02-29"}),
        f"data.changes.when: {IMPOSSIBLE}",
        id="changes-impossible-date",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={"participants": [{"name": "A", "country": "ZZ"}]}),
        f"data.changes.participants[0].country: {NOT_A_COUNTRY}",
        id="changes-participant-country",
    ),
    pytest.param(
        "DevelopmentRevised",
        with_("DevelopmentRevised", changes={"timezone": "Mars/Olympus_Mons"}),
        f"data.changes.timezone: {BAD_ZONE}",
        id="changes-bad-zone",
    ),
    pytest.param(
        "DevelopmentRevised",
        without("DevelopmentRevised", "reason"),
        "data.reason: is required",
        id="no-reason",
    ),
    pytest.param(
        "DevelopmentRevised",
        without("DevelopmentRevised", "changes"),
        "data.changes: is required",
        id="no-changes",
    ),
    pytest.param(
        "DevelopmentRetracted",
        without("DevelopmentRetracted", "reason"),
        "data.reason: is required",
        id="no-reason",
    ),
    pytest.param(
        "DevelopmentRetracted",
        with_("DevelopmentRetracted", reason="  "),
        "data.reason: '  ' is empty: a value is required",
        id="blank-reason",
    ),
    pytest.param(
        "DevelopmentsMerged",
        with_("DevelopmentsMerged", duplicate="2024-04-24-antony-blinken-visits-china"),
        "data.duplicate: a development cannot be merged into itself",
        id="merged-into-itself",
    ),
    pytest.param(
        "DevelopmentsMerged",
        with_(
            "DevelopmentsMerged",
            disputed=[{"field": "mood", "value": "calm", "said_by": "history.state.gov"}],
        ),
        "data.disputed[0].field: 'mood' is not one of: kind, title, when, timezone, summary, "
        "place, participants, visitor, host_country, speaker, quote, points, parties",
        id="bad-disputed-field",
    ),
    pytest.param(
        "DevelopmentsUnmerged",
        without("DevelopmentsUnmerged", "duplicate"),
        "data.duplicate: is required",
        id="no-duplicate",
    ),
    pytest.param(
        "DevelopmentsLinked",
        with_("DevelopmentsLinked", relation="likes"),
        f"data.relation: 'likes' is not one of: {RELATIONS}",
        id="bad-relation",
    ),
    pytest.param(
        "DevelopmentsLinked",
        with_("DevelopmentsLinked", to=DEV),
        "data.to: a development cannot be linked to itself",
        id="from-is-to",
    ),
    pytest.param(
        "DevelopmentsLinked",
        with_("DevelopmentsLinked", from_="Bad Id"),
        f"data.from: {BAD_ID}",
        id="bad-from",
    ),
    pytest.param(
        "DevelopmentsLinked",
        without("DevelopmentsLinked", "from"),
        "data.from: is required",
        id="no-from",
    ),
    pytest.param(
        "DevelopmentsLinked",
        without("DevelopmentsLinked", "from") | {"from_": DEV},
        "data.from: is required",
        id="python-name-is-not-json",
    ),
    pytest.param(
        "DevelopmentsLinked",
        with_("DevelopmentsLinked", foo=1),
        "data.foo: unknown field",
        id="unknown-key",
    ),
]

ACTOR_CASES = [
    pytest.param(
        "ActorDescribed", without("ActorDescribed", "name"), "data.name: is required", id="no-name"
    ),
    pytest.param(
        "ActorDescribed",
        with_("ActorDescribed", name="n" * 201),
        "data.name: '" + "n" * 59 + "…' is too long: at most 200 characters",
        id="name-201",
    ),
    pytest.param(
        "ActorDescribed",
        with_("ActorDescribed", kind="alien"),
        "data.kind: 'alien' is not one of: person, organization, state",
        id="bad-kind",
    ),
    pytest.param(
        "ActorDescribed",
        with_("ActorDescribed", country="ZZ"),
        f"data.country: {NOT_A_COUNTRY}",
        id="country",
    ),
    pytest.param(
        "ActorDescribed",
        with_("ActorDescribed", roles="Foreign Minister"),
        "data.roles: must be a list, not a string",
        id="roles-string",
    ),
    pytest.param(
        "ActorDescribed",
        with_("ActorDescribed", roles=[{"title": "Minister", "from": "2023-02-29"}]),
        f"data.roles[0].from: {IMPOSSIBLE}",
        id="role-impossible-date",
    ),
    pytest.param(
        "ActorDescribed",
        with_("ActorDescribed", roles=[{"title": "Minister", "from": "2019", "to": "2018"}]),
        "data.roles[0].to: '2018' is before the start '2019'",
        id="role-ends-before-it-starts",
    ),
    pytest.param(
        "ActorDescribed",
        with_("ActorDescribed", roles=[{"title": "Minister", "from_": "2019"}]),
        "data.roles[0].from_: unknown field",
        id="role-python-name",
    ),
    pytest.param(
        "ActorDescribed",
        with_("ActorDescribed", foo=1),
        "data.foo: unknown field",
        id="unknown-key",
    ),
]


@pytest.mark.parametrize(
    ("type_", "payload", "line"),
    [*ENCOUNTER_CASES, *OTHER_CREATING_CASES, *LIFECYCLE_CASES, *ACTOR_CASES],
)
def test_bad_payload_is_refused_with_one_line(type_: str, payload: Any, line: str) -> None:
    assert refusal(type_, payload) == line


@pytest.mark.parametrize("type_", CONTRACT_TYPES)
@pytest.mark.parametrize(
    ("payload", "line"),
    [
        ([], "data: must be an object, not a list"),
        ("{}", "data: must be an object, not a string"),
        (None, "data: must be an object, not null"),
    ],
)
def test_payload_must_be_an_object(type_: str, payload: Any, line: str) -> None:
    assert refusal(type_, payload) == line


def test_every_type_has_refusals() -> None:
    cases = [*ENCOUNTER_CASES, *OTHER_CREATING_CASES, *LIFECYCLE_CASES, *ACTOR_CASES]
    assert {case.values[0] for case in cases} == set(CONTRACT_TYPES)


# --- the registry ----------------------------------------------------------------------------


def test_every_contract_type_is_registered_at_its_version() -> None:
    assert registry.types() == sorted(CONTRACT_TYPES)
    for type_ in CONTRACT_TYPES:
        cls = registry.cls(type_)
        assert type_ == cls.TYPE
        # ActorDescribed 2 writes its default kind out; 1 left it out.
        assert (2 if type_ == "ActorDescribed" else 1) == cls.VERSION
        assert attrs.has(cls)
        assert "TYPE" not in attrs.fields_dict(cls)
        assert "VERSION" not in attrs.fields_dict(cls)


def test_unknown_type_lists_the_known_ones() -> None:
    known = ", ".join(sorted(CONTRACT_TYPES))
    message = f"unknown event type 'MeetingHold'; known types: {known}"
    with pytest.raises(UnknownEventType) as info:
        structure("MeetingHold", GOOD["MeetingHeld"])
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_second_registration_raises() -> None:
    with pytest.raises(RuntimeError) as info:
        register(MeetingHeld)
    assert str(info.value) == "event type 'MeetingHeld' is registered twice"
    assert registry.cls("MeetingHeld") is MeetingHeld


def test_second_class_for_a_type_raises() -> None:
    reg = Registry()
    reg.register(MeetingHeld)

    @attrs.frozen
    class Impostor(Event):
        TYPE = "MeetingHeld"

    with pytest.raises(RuntimeError, match="event type 'MeetingHeld' is registered twice"):
        reg.register(Impostor)
    assert reg.cls("MeetingHeld") is MeetingHeld


def test_second_upcaster_raises() -> None:
    reg = Registry()
    reg.upcaster("MeetingHeld", 1)(dict)
    with pytest.raises(RuntimeError) as info:
        reg.upcaster("MeetingHeld", 1)(dict)
    assert str(info.value) == "two upcasters for MeetingHeld v1"


def test_empty_registry_knows_nothing() -> None:
    with pytest.raises(UnknownEventType) as info:
        Registry().cls("MeetingHeld")
    assert str(info.value) == "unknown event type 'MeetingHeld'; known types: "
