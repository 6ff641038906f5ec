"""Tests for events.codec (round trips, canonical JSON, unknown keys, upcasting) and events.ids."""

from __future__ import annotations

import hashlib
import json
import re
import typing
from pathlib import Path
from typing import Any, ClassVar

import attrs
import cattrs
import pytest
from attrs import field
from hypothesis import given
from hypothesis import strategies as st
from strategies import any_payload, payloads_of
from timeline.events.actors import ActorDescribed
from timeline.events.base import Event, event, value
from timeline.events.codec import (
    canonical_json,
    chain_hash,
    describe_error,
    from_row,
    structure,
    unstructure,
)
from timeline.events.developments import MeetingHeld
from timeline.events.ids import MAX_SLUG, actor_stream, development_id, slugify
from timeline.events.registry import Registry, UnknownEventType, registry
from timeline.events.values import Participant, Place, Source, When, country_code, non_empty_str

GOLDEN = Path(__file__).parent.parent / "golden"
TYPES = (
    "MeetingHeld",
    "TalksHeld",
    "SummitHeld",
    "CallHeld",
    "VisitMade",
    "AgreementReached",
    "StatementMade",
    "DevelopmentScheduled",
    "DevelopmentHeld",
    "DevelopmentPostponed",
    "DevelopmentCancelled",
    "DevelopmentRevised",
    "DevelopmentRetracted",
    "DevelopmentsLinked",
    "ActorDescribed",
)
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def golden_v1() -> dict[str, Any]:
    """The literal MeetingHeld payload as schema version 1 stored it."""
    return json.loads((GOLDEN / "meeting_held_v1.json").read_text(encoding="utf-8"))


def keys_sorted(value: Any) -> bool:
    """True if every object in a parsed JSON value lists its keys in sorted order."""
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(keys_sorted(v) for v in value.values())
    if isinstance(value, list):
        return all(keys_sorted(v) for v in value)
    return True


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("type_", TYPES)
@given(data=st.data())
def test_round_trip_and_canonical_json(type_: str, data: st.DataObject) -> None:
    payload = data.draw(payloads_of(type_), label="payload")
    event = structure(type_, payload)
    stored = unstructure(event)
    again = structure(type_, stored)
    assert again == event
    assert type_ == type(again).TYPE
    assert unstructure(again) == stored
    # canonical JSON: the same text every time, keys sorted, no spaces between tokens
    text = canonical_json(stored)
    assert canonical_json(unstructure(again)) == text
    parsed = json.loads(text)
    assert keys_sorted(parsed)
    assert text == json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # what is read back from the log (canonical text) stores the same text again
    assert canonical_json(unstructure(from_row(type_, 1, parsed))) == text


@pytest.mark.slow
@given(any_payload())
def test_canonical_json_ignores_key_order(pair: tuple[str, dict[str, Any]]) -> None:
    _type, payload = pair

    def reverse(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reverse(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [reverse(v) for v in value]
        return value

    assert canonical_json(reverse(payload)) == canonical_json(payload)


def test_canonical_json_exact() -> None:
    value = {"b": 1.5, "a": [1, {"d": "王毅 “quoted”", "c": None, "e": True}], "A": "x y"}
    assert (
        canonical_json(value)
        == '{"A":"x y","a":[1,{"c":null,"d":"王毅 “quoted”","e":true}],"b":1.5}'
    )


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_canonical_json_refuses_non_finite_numbers(number: float) -> None:
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        canonical_json({"lat": number})


def test_chain_hash_depends_on_the_previous_hash_and_the_row() -> None:
    row = {"seq": 1, "type": "MeetingHeld", "data": golden_v1()}
    first = chain_hash("", row)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert chain_hash("", dict(reversed(list(row.items())))) == first
    assert chain_hash("0" * 64, row) != first
    assert chain_hash("", {**row, "seq": 2}) != first


def test_revision_clearing_two_fields_reloads_an_equal_event() -> None:
    event = structure(
        "DevelopmentRevised",
        {"development": "a-b", "changes": {"tags": None, "place": None}, "reason": "Wrong."},
    )
    stored = json.loads(canonical_json(unstructure(event)))
    assert from_row("DevelopmentRevised", 1, stored) == event


# --- unknown keys ----------------------------------------------------------------------------


def _objects(value: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every JSON object inside *value*, with the path describe_error gives it."""
    found = []
    if isinstance(value, dict):
        found.append((path, value))
        for key, item in value.items():
            found.extend(_objects(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_objects(item, f"{path}[{i}]"))
    return found


REVISABLE = "title, when, timezone, summary, place, participants, sources, tags, part_of"


@pytest.mark.slow
@given(pair=any_payload(), data=st.data())
def test_unknown_key_refused_at_every_level(
    pair: tuple[str, dict[str, Any]], data: st.DataObject
) -> None:
    type_, payload = pair
    path, target = data.draw(st.sampled_from(_objects(payload, "data")), label="object")
    target["zz_extra"] = 1
    with pytest.raises(cattrs.BaseValidationError) as info:
        structure(type_, payload)
    if path == "data.changes":
        expected = f"data.changes.zz_extra: cannot be revised; fields that can: {REVISABLE}"
    else:
        expected = f"{path}.zz_extra: unknown field"
    assert describe_error(info.value, "data") == expected


@pytest.mark.parametrize(
    ("type_", "payload", "line"),
    [
        (
            "MeetingHeld",
            {
                "title": "t",
                "when": "2024",
                "participants": [{"name": "Wang Yi"}],
                "place": {"city": "Beijing", "town": "Beijing"},
            },
            "data.place.town: unknown field",
        ),
        (
            "MeetingHeld",
            {"title": "t", "when": "2024", "participants": [{"name": "Wang Yi", "title": "FM"}]},
            "data.participants[0].title: unknown field",
        ),
        (
            "MeetingHeld",
            {
                "title": "t",
                "when": "2024",
                "participants": [{"name": "Wang Yi"}],
                "sources": [{"url": "https://www.cgtn.com/"}, {"url": "https://x.org", "date": 1}],
            },
            "data.sources[1].date: unknown field",
        ),
        (
            "ActorDescribed",
            {"name": "Wang Yi", "roles": [{"title": "FM", "since": "2013"}]},
            "data.roles[0].since: unknown field",
        ),
        (
            "DevelopmentRevised",
            {"development": "a", "changes": {"place": {"city": "x", "town": "y"}}, "reason": "r"},
            "data.changes.place.town: unknown field",
        ),
        (
            "DevelopmentRevised",
            {
                "development": "a",
                "changes": {"sources": [{"url": "https://x.org", "x": 1}]},
                "reason": "r",
            },
            "data.changes.sources[0].x: unknown field",
        ),
        (
            "DevelopmentHeld",
            {"development": "a", "when": "2024", "participants": [{"name": "A", "x": 1}]},
            "data.participants[0].x: unknown field",
        ),
        (
            "MeetingHeld",
            {"title": "t", "when": "2024", "participants": [{"name": "A"}], "type": "MeetingHeld"},
            "data.type: unknown field",
        ),
    ],
)
def test_unknown_key_examples(type_: str, payload: dict[str, Any], line: str) -> None:
    with pytest.raises(cattrs.BaseValidationError) as info:
        structure(type_, payload)
    assert describe_error(info.value, "data") == line


def test_describe_error_uses_the_given_path() -> None:
    with pytest.raises(cattrs.BaseValidationError) as info:
        structure("MeetingHeld", {"title": "t", "when": "2024", "participants": []})
    line = describe_error(info.value, "line 3: data")
    assert line == "line 3: data.participants: at least one participant is required"


# --- defaults written out ----------------------------------------------------------------


def test_a_default_with_a_value_is_stored_written_out() -> None:
    # Given or not, the default kind is stored: a default changed later cannot change
    # what this event meant. Unset fields (no summary, no roles) stay absent.
    for payload in ({"name": "Wang Yi"}, {"name": "Wang Yi", "kind": "person"}):
        assert unstructure(structure("ActorDescribed", payload)) == {
            "name": "Wang Yi",
            "kind": "person",
        }


def test_every_default_with_a_value_is_written_out() -> None:
    def classes(cls: type, seen: set[type]) -> None:
        if cls in seen or not attrs.has(cls):
            return
        seen.add(cls)
        for hint in typing.get_type_hints(cls).values():
            for arg in (hint, *typing.get_args(hint)):
                for inner in (arg, *typing.get_args(arg)):
                    if isinstance(inner, type):
                        classes(inner, seen)

    seen: set[type] = set()
    for type_ in registry.types():
        classes(registry.cls(type_), seen)
    valued = {
        (cls.__name__, f.name)
        for cls in seen
        for f in attrs.fields(cls)
        if f.default not in (None, (), attrs.NOTHING) and not isinstance(f.default, attrs.Factory)
    }
    assert valued == {("ActorDescribed", "kind")}  # each one is written out above


def test_an_actor_of_version_1_without_a_kind_reads_as_a_person() -> None:
    event = from_row("ActorDescribed", 1, {"name": "Wang Yi", "native_name": "王毅"})
    assert unstructure(event) == {"name": "Wang Yi", "native_name": "王毅", "kind": "person"}
    # What version 1 wrote out stays what it said.
    assert from_row("ActorDescribed", 1, {"name": "CGTN", "kind": "organization"}).kind == (
        "organization"
    )


# --- upcasting ---------------------------------------------------------------------------------
# A made-up version 2 of MeetingHeld: `title` is renamed `headline`, and each participant's
# `role` is renamed `position`. Only the current version has a class; v1 lives as an upcaster.


@value
class Attendee:
    name: str = field(validator=non_empty_str(200))
    position: str | None = None
    country: str | None = field(default=None, validator=country_code)


@event
class MeetingHeldV2(Event):
    TYPE: ClassVar[str] = "MeetingHeld"
    VERSION: ClassVar[int] = 2

    development: str | None = None
    headline: str = field(validator=non_empty_str(300))
    when: When
    timezone: str | None = None
    summary: str | None = None
    place: Place | None = None
    participants: tuple[Attendee, ...] = field(default=(), converter=tuple)
    sources: tuple[Source, ...] = field(default=(), converter=tuple)
    tags: tuple[str, ...] = field(default=(), converter=tuple)
    part_of: str | None = None


def meeting_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k != "title"}
    out["headline"] = data["title"]
    if "participants" in data:
        out["participants"] = [
            {("position" if k == "role" else k): v for k, v in person.items()}
            for person in data["participants"]
        ]
    return out


@pytest.fixture
def v2() -> Registry:
    reg = Registry()
    reg.register(MeetingHeldV2)
    reg.upcaster("MeetingHeld", 1)(meeting_v1_to_v2)
    return reg


BLINKEN_MEETING_V2 = MeetingHeldV2(
    development="2024-04-26-xi-jinping-meets-antony-blinken",
    headline="Xi Jinping meets Antony Blinken in Beijing",
    when=When("2024-04-26"),
    timezone="Asia/Shanghai",
    summary=(
        "Chinese President Xi Jinping met U.S. Secretary of State Antony Blinken at the Great "
        "Hall of the People at the end of Blinken's three-day visit to China. Xi proposed mutual "
        "respect, peaceful coexistence and win-win cooperation as the principles of the "
        "relationship and urged the two countries to be partners rather than rivals."
    ),
    place=Place(
        name="Great Hall of the People", city="Beijing", country="CN", lat=39.9032, lon=116.3874
    ),
    participants=(
        Attendee("Xi Jinping", "President of China", "CN"),
        Attendee("Antony Blinken", "U.S. Secretary of State", "US"),
    ),
    sources=(
        Source(
            url="https://www.cgtn.com/",
            title="Xi Jinping urges major country responsibilities for China and U.S.",
            publisher="CGTN",
            published="2024-04-26",
        ),
    ),
    tags=("China-U.S. relations", "major-country responsibilities"),
    part_of="2024-04-24-antony-blinken-visits-china",
)


def test_golden_v1_upcasts_to_the_v2_event(v2: Registry) -> None:
    payload = golden_v1()
    assert from_row("MeetingHeld", 1, payload, reg=v2) == BLINKEN_MEETING_V2
    assert payload == golden_v1()  # the stored payload is never rewritten


def test_v2_payload_is_read_as_is(v2: Registry) -> None:
    stored = unstructure(BLINKEN_MEETING_V2)
    assert stored["headline"] == "Xi Jinping meets Antony Blinken in Beijing"
    assert stored["participants"][0] == {
        "name": "Xi Jinping",
        "position": "President of China",
        "country": "CN",
    }
    assert from_row("MeetingHeld", 2, stored, reg=v2) == BLINKEN_MEETING_V2


def test_upcast_result_is_validated(v2: Registry) -> None:
    payload = golden_v1()
    payload["participants"][0]["country"] = "ZZ"
    with pytest.raises(cattrs.BaseValidationError) as info:
        from_row("MeetingHeld", 1, payload, reg=v2)
    assert describe_error(info.value) == (
        "data.participants[0].country: 'ZZ' is not an ISO 3166-1 alpha-2 country code"
    )


def test_v1_shape_is_not_a_v2_event(v2: Registry) -> None:
    with pytest.raises(cattrs.BaseValidationError) as info:
        from_row("MeetingHeld", 2, golden_v1(), reg=v2)
    assert describe_error(info.value) == "data.headline: is required"


def test_newer_version_is_refused(v2: Registry) -> None:
    with pytest.raises(UnknownEventType) as info:
        from_row("MeetingHeld", 3, {"headline": "x"}, reg=v2)
    assert str(info.value) == (
        "MeetingHeld schema version 3 is newer than this program knows (2); upgrade timeline"
    )


def test_missing_upcaster_is_named() -> None:
    reg = Registry()
    reg.register(MeetingHeldV2)
    with pytest.raises(UnknownEventType) as info:
        from_row("MeetingHeld", 1, golden_v1(), reg=reg)
    assert str(info.value) == "no upcaster for MeetingHeld v1"


def test_upcasters_run_one_version_at_a_time() -> None:
    @event
    class Noted(Event):
        TYPE: ClassVar[str] = "Noted"
        VERSION: ClassVar[int] = 3
        text: str
        steps: tuple[str, ...] = field(default=(), converter=tuple)

    reg = Registry()
    reg.register(Noted)

    @reg.upcaster("Noted", 2)
    def second(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "steps": [*data["steps"], "2->3"]}

    @reg.upcaster("Noted", 1)
    def first(data: dict[str, Any]) -> dict[str, Any]:
        return {"text": data["note"], "steps": ["1->2"]}

    assert from_row("Noted", 1, {"note": "hi"}, reg=reg) == Noted(text="hi", steps=("1->2", "2->3"))
    assert from_row("Noted", 2, {"text": "hi", "steps": []}, reg=reg) == Noted(
        text="hi", steps=("2->3",)
    )
    assert from_row("Noted", 3, {"text": "hi"}, reg=reg) == Noted(text="hi")


def test_real_registry_loads_golden_v1_unchanged() -> None:
    payload = golden_v1()
    loaded = from_row("MeetingHeld", 1, payload)
    assert isinstance(loaded, MeetingHeld)
    assert loaded == structure("MeetingHeld", golden_v1())
    assert unstructure(loaded) == golden_v1()
    assert loaded.participants[1] == Participant("Antony Blinken", "U.S. Secretary of State", "US")


def test_real_registry_refuses_version_2() -> None:
    with pytest.raises(UnknownEventType) as info:
        from_row("MeetingHeld", 2, golden_v1())
    assert str(info.value) == (
        "MeetingHeld schema version 2 is newer than this program knows (1); upgrade timeline"
    )


def test_real_registry_refuses_unknown_type_on_read() -> None:
    with pytest.raises(UnknownEventType, match=r"^unknown event type 'MeetingHold'; known types: "):
        from_row("MeetingHold", 1, golden_v1())


def test_test_classes_stay_out_of_the_real_registry() -> None:
    from timeline.events.registry import registry

    assert registry.cls("MeetingHeld") is MeetingHeld
    assert "Noted" not in registry.types()


# --- ids -------------------------------------------------------------------------------------

TITLE = "Xi Jinping meets Antony Blinken"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2024-04-26", "2024-04-26-xi-jinping-meets-antony-blinken"),
        ("2024-04", "2024-04-xi-jinping-meets-antony-blinken"),
        ("2024", "2024-xi-jinping-meets-antony-blinken"),
        ("2024-04-26?", "2024-04-26-xi-jinping-meets-antony-blinken"),
        ("2024~", "2024-xi-jinping-meets-antony-blinken"),
        ("2024-04-26T16:30+08:00", "2024-04-26-xi-jinping-meets-antony-blinken"),
        ("2024-04-26T23:30:00-05:00", "2024-04-26-xi-jinping-meets-antony-blinken"),
        ("2024-04-24/2024-04-26", "2024-04-24-xi-jinping-meets-antony-blinken"),
        ("2024-04/2024-06", "2024-04-xi-jinping-meets-antony-blinken"),
        ("2024-04-30/2024-05", "2024-04-xi-jinping-meets-antony-blinken"),
        # A season is named, never shown as the day or month it begins on.
        ("2024-21", "2024-spring-xi-jinping-meets-antony-blinken"),
        ("2023-24?", "2023-winter-xi-jinping-meets-antony-blinken"),
        ("2024-22/2024-23", "2024-summer-xi-jinping-meets-antony-blinken"),
        ("2024-04/2024-23", "2024-04-xi-jinping-meets-antony-blinken"),
        # An open end is dated by its start.
        ("2024-04/..", "2024-04-xi-jinping-meets-antony-blinken"),
        ("2024-23/..", "2024-autumn-xi-jinping-meets-antony-blinken"),
        (None, "xi-jinping-meets-antony-blinken"),
    ],
)
def test_development_id(when: str | None, expected: str) -> None:
    assert development_id(TITLE, When.parse(when) if when else None) == expected


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ségolène Royal à Pékin", "segolene-royal-a-pekin"),
        ("Recep Tayyip Erdoğan receives Lula", "recep-tayyip-erdogan-receives-lula"),
        ("Luiz Inácio Lula da Silva", "luiz-inacio-lula-da-silva"),
        (
            "  U.S.\u2013China talks: \u201cstabilise\u201d ties!  ",
            "u-s-china-talks-stabilise-ties",
        ),
        ("G20 Summit 2024", "g20-summit-2024"),
        ("".join(chr(ord(c) + 0xFEE0) for c in "FULLWIDTH"), "fullwidth"),
    ],
)
def test_slugify_folds_accents_and_punctuation(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        pytest.param("Łódź talks", "lodz-talks", id="l-stroke"),
        pytest.param("Straße der Einheit", "strasse-der-einheit", id="sharp-s"),
        pytest.param("Øresund summit", "oresund-summit", id="o-stroke"),
    ],
)
def test_slugify_transliterates_letters_without_decomposition(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(
    ("title", "made"),
    [
        ("王毅会见布林肯", "2024-04-26-wang-yi-hui-jian-bu-lin-ken"),
        ("Xi Jinping 习近平 meets Blinken", "2024-04-26-xi-jinping-xi-jin-ping-meets-blinken"),
        ("Лавров встретился с Блинкеном", "2024-04-26-lavrov-vstretilsya-s-blinkenom"),  # noqa: RUF001
        ("윤석열 대통령", "2024-04-26-yun-seog-yeol-dae-tong-lyeong"),
        ("トランプ大統領", "2024-04-26-toranpu-da-tong-ling"),
        ("Ελλάδα", "2024-04-26-ellada"),
        ("Łódź", "2024-04-26-lodz"),
        ("!!! ???", "2024-04-26-u" + hashlib.sha256(b"!!! ???").hexdigest()[:12]),
    ],
)
def test_a_title_in_any_script_makes_a_readable_id(title: str, made: str) -> None:
    assert development_id(title, When.parse("2024-04-26")) == made


def test_actor_streams_keep_their_digest_so_actors_in_a_log_keep_their_stream() -> None:
    title = "王毅"
    digest = "u" + hashlib.sha256(title.encode()).hexdigest()[:12]
    assert actor_stream(title) == f"actor:{digest}"
    assert slugify(f"  {title} ") == digest
    assert slugify("汪毅") != digest


def test_long_title_is_cut_at_a_word_boundary() -> None:
    title = (
        "Chinese Foreign Minister Wang Yi holds talks with U.S. Secretary of State Antony "
        "Blinken, resulting in a five-point consensus on stabilizing relations"
    )
    full = slugify(title, max_len=1000)
    slug = slugify(title)
    assert slug == (
        "chinese-foreign-minister-wang-yi-holds-talks-with-u-s-secretary-of-state-antony"
    )
    assert len(slug) <= MAX_SLUG
    assert full.startswith(slug + "-")
    assert development_id(title, When.parse("2024-04-26")) == f"2024-04-26-{slug}"


def test_long_single_word_is_cut_at_the_limit() -> None:
    assert slugify("a" * 100) == "a" * MAX_SLUG


def test_long_title_keeps_a_word_that_ends_at_the_limit() -> None:
    assert slugify("alpha " + "b" * 74 + " gamma") == "alpha-" + "b" * 74


@given(st.text(max_size=400))
def test_any_title_gives_a_valid_id(title: str) -> None:
    slug = slugify(title)
    assert SLUG.fullmatch(slug)
    assert len(slug) <= MAX_SLUG
    assert slugify(title) == slug
    dev = development_id(title, When.parse("2024-04-26"))
    assert SLUG.fullmatch(dev)
    assert (
        structure(
            "MeetingHeld",
            {"development": dev, "title": "t", "when": "2024", "participants": [{"name": "A"}]},
        ).development
        == dev
    )


@pytest.mark.parametrize(
    ("name", "stream"),
    [
        ("Wang Yi", "actor:wang-yi"),
        ("Antony J. Blinken", "actor:antony-j-blinken"),
        ("  Wang   Yi ", "actor:wang-yi"),
        ("Ségolène Royal", "actor:segolene-royal"),
        ("王毅", "actor:ue066c1470cb0"),
    ],
)
def test_actor_stream(name: str, stream: str) -> None:
    assert actor_stream(name) == stream


def test_actor_described_lives_in_its_actor_stream() -> None:
    event_ = structure("ActorDescribed", {"name": "Wang Yi", "native_name": "王毅"})
    assert isinstance(event_, ActorDescribed)
    assert event_.stream == "actor:wang-yi"


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("\x85", "'\\x85'"),
        ("a\nb", "'a\\nb'"),
        ("\u2028", "'\\u2028'"),
        ("place-name", "place-name"),
        ("start date", "start date"),
    ],
)
def test_an_unknown_change_is_named_on_one_line(key: str, named: str) -> None:
    data = {"development": "d", "changes": {"summary": "S", key: None}, "reason": "r"}
    with pytest.raises(cattrs.BaseValidationError) as caught:
        structure("DevelopmentRevised", data)
    message = describe_error(caught.value, "data")
    assert message == f"data.changes.{named}: cannot be revised; fields that can: " + (
        "title, when, timezone, summary, place, participants, sources, tags, part_of"
    )
    assert len(message.splitlines()) == 1
