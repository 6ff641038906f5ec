"""`timeline duplicates`: candidate pairs, best first, with why; it never merges."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import import_sample
from timeline.events.vocabulary import KIND_FAMILIES, KINDS

from timeline.cli import cli

HSG = Path(__file__).parents[1] / "data" / "hsg" / "travels-secretary-blinken-antony-j.xml"
VISIT = "2024-04-24-antony-blinken-visits-china"


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def pairs(runner: CliRunner, *args: str) -> list[dict]:
    return json.loads(ok(runner, "duplicates", "--json", *args))


def events(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def travels(runner: CliRunner) -> CliRunner:
    ok(runner, "import", str(HSG), "--silent")
    return runner


@pytest.fixture
def both(db, runner: CliRunner) -> CliRunner:
    """The seed sample, then Blinken's travels: the sample's visit is recorded first."""
    import_sample(db)
    ok(runner, "import", str(HSG), "--silent")
    return runner


def test_the_historians_repeated_trip_comes_first(travels) -> None:
    out = ok(travels, "duplicates", "--limit", "1").splitlines()
    assert out == [
        "1.00  hsg-trip-3992  hsg-trip-4019",
        "      same dates (2021-03-15/2021-03-17); same kind (visit); same visitor (Antony John "
        "Blinken); same people: Antony John Blinken; held in the same country (JP); same city "
        "(Tokyo); same title",
        "1 candidate pair; merge one with: timeline merge KEEP DUPLICATE --reason R",
    ]


def test_visits_to_two_countries_are_never_a_pair(travels) -> None:
    # Tokyo until 17 March 2021, Seoul from the 17th: the same visitor, two visits.
    found = {(p["keep"], p["duplicate"]) for p in pairs(travels)}
    assert ("hsg-trip-3992", "hsg-trip-3993") not in found
    assert ("hsg-trip-3992", "hsg-trip-4019") in found


def test_the_april_2024_visit_is_found_across_the_sample_and_the_travels(both, db_path) -> None:
    before = events(db_path)
    found = {(p["keep"], p["duplicate"]): p for p in pairs(both)}
    visit = found[(VISIT, "hsg-trip-4229")]
    assert visit["why"] == [
        "dates overlap (2024-04-24/2024-04-26 and 2024-04-24/2024-04-27)",
        "same kind (visit)",
        "same visitor (Antony Blinken / Antony John Blinken)",
        "same people: Antony Blinken / Antony John Blinken",
        "held in the same country (CN)",
        "titles alike (40% of words)",
    ]
    scores = [p["score"] for p in found.values()]
    assert scores == sorted(scores, reverse=True)
    # Ranked above the meeting and the talks of the same day in Beijing, which share a person.
    meeting = found[
        (
            "2024-04-26-wang-yi-holds-talks-with-antony-blinken",
            "2024-04-26-xi-jinping-meets-antony-blinken",
        )
    ]
    assert visit["score"] > meeting["score"]
    assert events(db_path) == before  # it never merges by itself


def test_a_pair_merged_or_unmerged_is_not_proposed_again(both) -> None:
    ok(both, "merge", VISIT, "hsg-trip-4229", "--reason", "the same visit")
    assert (VISIT, "hsg-trip-4229") not in {(p["keep"], p["duplicate"]) for p in pairs(both)}
    ok(both, "unmerge", VISIT, "hsg-trip-4229", "--reason", "two visits after all")
    assert (VISIT, "hsg-trip-4229") not in {(p["keep"], p["duplicate"]) for p in pairs(both)}


def test_an_empty_timeline_has_no_pairs(runner: CliRunner) -> None:
    assert ok(runner, "duplicates") == "0 candidate pairs.\n"
    assert pairs(runner) == []


def test_every_kind_has_a_family() -> None:
    assert set(KIND_FAMILIES) == set(KINDS)
