"""Development records built by hand, as ``timeline.selection`` hands them to the exporters."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from timeline.exports.record import FIELDS, Record

ARTICLE = {
    "url": "https://news.cgtn.com/news/2024-04-26/Xi-Jinping-urges-major-country-responsibilities-for-China-and-U-S--1tba2kmSAnu/p.html",
    "title": "Xi Jinping urges major country responsibilities for China and U.S.",
    "publisher": "CGTN",
    "published": "2024-04-26",
}
XI = {"name": "Xi Jinping", "role": "President", "country": "CN"}
BLINKEN = {"name": "Antony Blinken", "role": "Secretary of State", "country": "US"}
WANG = {"name": "Wang Yi", "role": "Foreign Minister", "country": "CN"}
RECORDED = "2024-04-27T08:00:00.000000Z"


def make_record(**overrides: Any) -> Record:
    """A dated, occurred meeting with every key a record has; *overrides* replace keys.

    The keys come in the record's order (``exports.record.FIELDS``), as the selection
    builds them.
    """
    values: dict[str, Any] = {
        "id": "2024-04-26-xi-jinping-meets-antony-blinken",
        "kind": "meeting",
        "type": "MeetingHeld",
        "title": "Xi Jinping meets Antony Blinken",
        "summary": "Chinese President Xi Jinping met U.S. Secretary of State Antony Blinken.",
        "status": "occurred",
        "status_reason": None,
        "when": "2024-04-26",
        "start": "2024-04-26",
        "end": "2024-04-26",
        "precision": "day",
        "qualifier": None,
        "last_when": None,
        "timezone": "Asia/Shanghai",
        "place": {
            "id": "great-hall-of-the-people-beijing-cn",
            "name": "Great Hall of the People",
            "city": "Beijing",
            "country": "CN",
            "lat": 39.9033,
            "lon": 116.3915,
        },
        "countries": ["CN", "US"],
        "part_of": "2024-04-24-antony-blinken-visits-china",
        "announced_in": None,
        "visitor": None,
        "host_country": None,
        "speaker": None,
        "quote": None,
        "parties": [],
        "points": [],
        "participants": [XI, BLINKEN],
        "sources": [ARTICLE],
        "tags": ["china-us"],
        "links": [],
        "version": 1,
        "created_at": RECORDED,
        "updated_at": RECORDED,
    }
    assert set(values) == set(FIELDS), "the meeting must give every field of the record"
    unknown = set(overrides) - set(FIELDS)
    assert not unknown, f"not a record key: {unknown}"
    values.update(overrides)
    return cast(Record, copy.deepcopy({key: values[key] for key in FIELDS}))


def _sample() -> list[Record]:
    """Records like the bundled sample (Blinken in Beijing, April 2024), plus a few dates it lacks."""
    return [
        make_record(
            id="2023-11-15-biden-xi-summit",
            kind="summit",
            type="SummitHeld",
            title="Joe Biden and Xi Jinping hold a summit in Woodside, California",
            summary="Summit meeting of Chinese President Xi Jinping and U.S. President Joe Biden.",
            when="2023-11-15",
            start="2023-11-15",
            end="2023-11-15",
            timezone="America/Los_Angeles",
            place={
                "id": "woodside-california-us",
                "name": None,
                "city": "Woodside, California",
                "country": "US",
                "lat": None,
                "lon": None,
            },
            countries=["US", "CN"],
            part_of=None,
            participants=[XI, {"name": "Joe Biden", "role": "President", "country": "US"}],
            tags=["china-us", "summit"],
        ),
        make_record(
            id="2024-04-02-xi-jinping-biden-call",
            kind="call",
            type="CallHeld",
            title="Xi Jinping and Joe Biden speak by phone",
            summary=None,
            when="2024-04-02T12:30Z",
            start="2024-04-02T12:30Z",
            end="2024-04-02T12:30Z",
            precision="minute",
            timezone=None,
            place=None,
            countries=["CN", "US"],
            part_of=None,
            participants=[XI, {"name": "Joe Biden", "role": "President", "country": "US"}],
        ),
        make_record(
            id="2024-04-24-antony-blinken-visits-china",
            kind="visit",
            type="VisitMade",
            title="Antony Blinken visits China",
            summary="U.S. Secretary of State Antony Blinken's three-day visit to China.",
            when="2024-04-24/2024-04-26",
            start="2024-04-24",
            end="2024-04-26",
            place=None,
            part_of=None,
            visitor="Antony Blinken",
            host_country="CN",
            countries=["CN", "US"],
            participants=[BLINKEN],
        ),
        make_record(
            id="2024-04-26-five-point-consensus",
            kind="agreement",
            type="AgreementReached",
            title="China and the U.S. reach a five-point consensus",
            summary="The five-point consensus of Wang Yi's talks with Antony Blinken.",
            place={
                "id": "beijing-cn",
                "name": None,
                "city": "Beijing",
                "country": "CN",
                "lat": None,
                "lon": None,
            },
            participants=[WANG, BLINKEN],
            points=[
                "Accelerate the implementation of the important understandings.",
                "Maintain high-level exchanges and contacts at all levels.",
                "Hold the first meeting of the intergovernmental dialogue on AI.",
                "Expand cultural and people-to-people exchanges.",
                "Maintain consultations on international and regional hotspot issues.",
            ],
            parties=["CN", "US"],
            tags=["china-us", "five-point-consensus", "artificial-intelligence", "climate"],
            links=[{"relation": "implements", "to": "2023-11-15-biden-xi-summit"}],
            version=2,
            updated_at="2024-04-28T09:30:00.500000Z",
        ),
        make_record(),
        make_record(
            id="2024-04-26-xi-jinping-on-major-countries-setting-an-example",
            kind="statement",
            type="StatementMade",
            title="Xi Jinping: major countries should set a good example",
            summary="Xi on the responsibilities of major countries.",
            place=None,
            countries=["CN"],
            part_of="2024-04-26-xi-jinping-meets-antony-blinken",
            participants=[XI],
            speaker="Xi Jinping",
            quote="As major countries, we should set a good example of how major countries "
            "are supposed to act; 大国要有大国的样子.",
        ),
        make_record(
            id="china-us-ai-dialogue-first-meeting",
            kind="dialogue",
            type="DevelopmentScheduled",
            title="First meeting of the China-U.S. intergovernmental dialogue on AI",
            summary="Announced in the five-point consensus.",
            status="scheduled",
            when="2024-05~",
            start="2024-05-01",
            end="2024-05-31",
            precision="month",
            qualifier="approximate",
            place=None,
            part_of=None,
            announced_in="2024-04-26-five-point-consensus",
            participants=[],
            tags=["china-us", "artificial-intelligence"],
        ),
        make_record(
            id="liu-zhenmin-visit-to-the-us",
            kind="visit",
            type="DevelopmentScheduled",
            title="Liu Zhenmin visits the U.S.",
            summary=None,
            status="postponed",
            status_reason="No date has been announced.",
            when=None,
            start=None,
            end=None,
            precision=None,
            timezone=None,
            place=None,
            countries=[],
            part_of=None,
            participants=[],
            tags=["climate"],
        ),
    ]


def generated(count: int) -> Iterator[dict[str, Any]]:
    """*count* distinct records of about 1 KB, made one at a time (for streaming tests)."""
    base = make_record(place=None, participants=[], tags=[], part_of=None)
    zones = ("Asia/Shanghai", "Europe/Berlin", None)
    for i in range(count):
        start = f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}T{i % 24:02d}:30+08:00"
        yield dict(
            base,
            id=f"2024-development-{i}",
            title=f"Development {i}",
            summary=f"Summary of development number {i}. " * 30,
            when=start,
            start=start,
            end=start,
            precision="minute",
            timezone=zones[i % 3],
            version=1 + i % 5,
        )


@pytest.fixture
def record() -> Callable[..., Record]:
    """The factory :func:`make_record`: ``record(**overrides)``."""
    return make_record


@pytest.fixture
def sample_records() -> list[Record]:
    """Sample-like records in export order; the last one has no date."""
    return _sample()


@pytest.fixture
def many_records() -> Callable[[int], Iterator[dict[str, Any]]]:
    """The generator :func:`generated`: ``many_records(20_000)``."""
    return generated
