"""The bundled sample data: it imports, it says what the source article says, and re-imports."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import pytest
from support import SAMPLE, sample_lines

from timeline.log import EventLog
from timeline.service import development_history, import_file

GOLDEN_ARTICLE = Path(__file__).parents[1] / "golden" / "seed-article.txt"
# CI checks out shared/ beside the repository clone.
SHARED_ARTICLE = Path(__file__).parents[3] / "shared" / "seed" / "cgtn-xi-blinken-2024-04-26.txt"

SOURCE_URL = (
    "https://news.cgtn.com/news/2024-04-26/"
    "Xi-Jinping-urges-major-country-responsibilities-for-China-and-U-S--1tba2kmSAnu/p.html"
)
SUMMIT = "2023-11-15-biden-xi-summit"
VISIT = "2024-04-24-antony-blinken-visits-china"
TALKS = "2024-04-26-wang-yi-holds-talks-with-antony-blinken"
CONSENSUS = "2024-04-26-five-point-consensus"
MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
XI_STATEMENTS = (
    "2024-04-26-xi-jinping-on-major-countries-setting-an-example",
    "2024-04-26-xi-jinping-on-helping-each-other-succeed",
    "2024-04-26-xi-jinping-on-three-principles",
    "2024-04-26-xi-jinping-on-a-thriving-us",
    "2024-04-26-xi-jinping-on-a-fundamental-issue",
    "2024-04-26-xi-jinping-on-friends-and-partners",
)
EXPERT_STATEMENTS = (
    "2024-04-26-wang-yiwei-on-zero-sum-mentality",
    "2024-04-26-su-xiaohui-on-a-clear-signal",
)
SCHEDULED = (
    "liu-zhenmin-visit-to-the-us",
    "china-us-ai-dialogue-first-meeting",
    "china-us-asia-pacific-consultations",
    "china-us-maritime-consultations",
)


def quotes() -> list[str]:
    return [e["data"]["quote"] for e in sample_lines() if e["type"] == "StatementMade"]


@pytest.fixture
def imported(db):
    """The sample imported into a fresh database."""
    with SAMPLE.open(encoding="utf-8") as stream:
        outcome = import_file(db, stream)
    assert len(outcome.appended) == 27
    assert outcome.skipped == []
    return db


def state(db, dev_id: str):
    current, _history = development_history(db, dev_id)
    assert current is not None, dev_id
    return current


def test_event_counts(imported):
    types = Counter(envelope.type for envelope in EventLog(imported).read())
    assert types == {
        "ActorDescribed": 7,
        "SummitHeld": 1,
        "VisitMade": 1,
        "TalksHeld": 1,
        "AgreementReached": 1,
        "MeetingHeld": 1,
        "StatementMade": 8,
        "DevelopmentScheduled": 4,
        "DevelopmentsLinked": 3,
    }


def test_development_counts_by_kind(imported):
    streams = {e.stream for e in EventLog(imported).read() if not e.stream.startswith("actor:")}
    kinds = Counter(state(imported, stream).kind for stream in streams)
    assert kinds == {
        "summit": 1,
        "visit": 2,  # Blinken's, and Liu Zhenmin's scheduled one
        "talks": 1,
        "agreement": 1,
        "meeting": 1,
        "statement": 8,
        "dialogue": 1,
        "consultation": 2,
    }
    statuses = Counter(state(imported, stream).status for stream in streams)
    assert statuses == {"occurred": 13, "scheduled": 4}


def test_ids_are_unique_uuid4():
    ids = [event["id"] for event in sample_lines()]
    assert len(ids) == len(set(ids)) == 27
    for event_id in ids:
        assert str(uuid.UUID(event_id, version=4)) == event_id


def test_every_development_has_its_own_id_and_the_article_as_source():
    for event in sample_lines():
        assert event["meta"]["recorded_by"] == "timeline sample data"
        assert event["meta"]["note"]
        if event["type"] in ("ActorDescribed", "DevelopmentsLinked"):
            assert "sources" not in event["data"]
            continue
        assert event["data"]["development"]
        assert [source["url"] for source in event["data"]["sources"]] == [SOURCE_URL]


def test_golden_article_is_the_seed():
    if not SHARED_ARTICLE.exists():
        pytest.skip("shared/seed is not beside the repository")
    assert GOLDEN_ARTICLE.read_bytes() == SHARED_ARTICLE.read_bytes()


@pytest.mark.parametrize("quote", quotes())
def test_quote_is_verbatim(quote):
    assert quote in GOLDEN_ARTICLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("quote", quotes())
def test_quote_is_verbatim_in_shared_seed(quote):
    if not SHARED_ARTICLE.exists():
        pytest.skip("shared/seed is not beside the repository")
    assert quote in SHARED_ARTICLE.read_text(encoding="utf-8")


def test_quotes_keep_the_articles_curly_apostrophes():
    apostrophes = [quote for quote in quotes() if "\u2019" in quote]
    assert len(apostrophes) == 3
    assert not [quote for quote in quotes() if "'" in quote]


def test_five_points(imported):
    consensus = state(imported, CONSENSUS)
    assert consensus.kind == "agreement"
    assert consensus.parties == ("CN", "US")
    assert consensus.points == (
        "Accelerate the implementation of the important understandings reached by Xi Jinping "
        "and Joe Biden at their summit meeting in November 2023.",
        "Maintain high-level exchanges and contacts at all levels, including a visit to the U.S. "
        "by China's special envoy for climate change, Liu Zhenmin.",
        "Hold the first meeting of the China-U.S. intergovernmental dialogue on artificial "
        "intelligence, and conduct new rounds of consultations on Asia-Pacific affairs and on "
        "maritime issues.",
        "Expand cultural and people-to-people exchanges.",
        "Maintain consultations on international and regional hotspot issues.",
    )
    assert [(link.relation, link.to) for link in consensus.links] == [("implements", SUMMIT)]


def test_visit_interval(imported):
    visit = state(imported, VISIT)
    assert visit.when == "2024-04-24/2024-04-26"
    assert visit.date.precision == "day"
    assert (visit.date.start_iso(), visit.date.end_iso()) == ("2024-04-24", "2024-04-26")
    assert (visit.visitor, visit.host_country) == ("Antony Blinken", "CN")


def test_summit_and_meeting(imported):
    summit = state(imported, SUMMIT)
    assert summit.when == "2023-11-15"
    assert [p["name"] for p in summit.participants] == ["Xi Jinping", "Joe Biden"]
    meeting = state(imported, MEETING)
    assert meeting.when == "2024-04-26"
    assert meeting.place["name"] == "Great Hall of the People"
    assert (meeting.place["lat"], meeting.place["lon"]) == (39.9033, 116.3915)


def test_part_of_and_announced_in(imported):
    for dev_id in (TALKS, CONSENSUS, MEETING):
        assert state(imported, dev_id).part_of == VISIT
    for dev_id in XI_STATEMENTS:
        statement = state(imported, dev_id)
        assert (statement.part_of, statement.speaker) == (MEETING, "Xi Jinping")
    for dev_id in EXPERT_STATEMENTS:
        statement = state(imported, dev_id)
        assert statement.part_of is None
        assert [(link.relation, link.to) for link in statement.links] == [("responds_to", MEETING)]
    for dev_id in SCHEDULED:
        scheduled = state(imported, dev_id)
        assert scheduled.status == "scheduled"
        assert scheduled.when is None
        assert scheduled.announced_in == CONSENSUS
    assert state(imported, VISIT).part_of is None
    assert state(imported, SUMMIT).part_of is None


def test_reimport_skips_every_event(imported):
    ids = [event["id"] for event in sample_lines()]
    with SAMPLE.open(encoding="utf-8") as stream:
        outcome = import_file(imported, stream)
    assert outcome.appended == []
    assert outcome.skipped == ids
    assert len(list(EventLog(imported).read())) == 27
