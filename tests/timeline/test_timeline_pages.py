"""The Datasette pages as a reader first meets them: rows on the first screen, lists shown
as lists, places labelled by what is known, one facet box per facet (issue 13)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import icalendar
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from support import import_sample

from timeline.cli import cli

MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
CITY_ONLY = "2024-05-02-talks-in-beijing"


def fetch(path: Path, *urls: str) -> list[httpx.Response]:
    """GET each URL from one Datasette serving *path* as database ``timeline``."""

    async def run() -> list[httpx.Response]:
        ds = Datasette([str(path)])
        await ds.invoke_startup()
        return [await ds.client.get(url) for url in urls]

    return asyncio.run(run())


def add(db_path: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, [*args, "--db", str(db_path)])
    assert result.exit_code == 0, result.output


def test_a_place_with_only_a_city_is_labelled_by_it(db_path: Path, plugin) -> None:
    add(
        db_path,
        *("add", "talks", "--title", "Talks in Beijing", "--when", "2024-05-02"),
        *("--with", "Wang Yi; Foreign Minister; CN", "--city", "Beijing", "--country", "CN"),
    )
    table, places = fetch(db_path, "/timeline/developments", "/timeline/places.json?_shape=array")
    cell = '<a href="/timeline/places/beijing-cn">Beijing, CN</a>&nbsp;<em>beijing-cn</em>'
    assert cell in table.text
    assert "None" not in table.text
    assert places.json() == [
        {
            "id": "beijing-cn",
            "label": "Beijing, CN",
            "name": None,
            "city": "Beijing",
            "country": "CN",
            "latitude": None,
            "longitude": None,
        }
    ]


# --- one meaning of "country" ----------------------------------------------------------


@pytest.fixture
def sample_path(db, db_path: Path, plugin) -> Path:
    """The bundled sample in the db fixture's file (served as database ``timeline``)."""
    import_sample(db)
    return db_path


def exported_ids(db_path: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(cli, ["export", "json", *args, "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    return sorted(d["id"] for d in json.loads(result.stdout)["developments"])


def uids(calendar: str) -> list[str]:
    return sorted(str(e["UID"]) for e in icalendar.Calendar.from_ical(calendar).walk("VEVENT"))


def test_country_selects_the_same_developments_everywhere(sample_path: Path) -> None:
    cli_ids = exported_ids(sample_path, "--country", "CN")
    table, calendar, facets = fetch(
        sample_path,
        "/timeline/developments.json?countries__arraycontains=CN&_shape=array&_size=max",
        "/timeline/developments.ics?countries__arraycontains=CN",
        "/timeline/developments.json?_size=0",
    )
    assert len(cli_ids) == 12
    assert sorted(row["id"] for row in table.json()) == cli_ids
    exported = CliRunner().invoke(
        cli, ["export", "ical", "--country", "CN", "--db", str(sample_path)]
    )
    assert uids(calendar.text) == uids(exported.stdout)
    assert len(uids(calendar.text)) == 11  # all but the one whose date is unknown
    countries = facets.json()["facet_results"]["countries"]
    assert countries["type"] == "array"
    assert {r["value"]: r["count"] for r in countries["results"]} == {"CN": 12, "US": 5}
    # A visit counts its host country; an agreement its parties; a meeting its participants.
    visit = next(r for r in table.json() if r["kind"] == "visit")
    assert (visit["countries"], visit["place_country"], visit["host_country"]) == (
        '["CN", "US"]',
        None,
        "CN",
    )


def test_the_canned_queries_show_countries(sample_path: Path) -> None:
    (between, involving) = fetch(
        sample_path,
        "/timeline/between_dates.json?from=2023-11-15&to=2023-11-15&_shape=array",
        "/timeline/involving_actor.json?name=Joe+Biden&_shape=array",
    )
    assert [(r["id"], r["countries"]) for r in between.json()] == [
        ("2023-11-15-biden-xi-summit", '["US", "CN"]')
    ]
    assert [(r["id"], r["countries"]) for r in involving.json()] == [
        ("2023-11-15-biden-xi-summit", '["US", "CN"]')
    ]


def test_the_retired_country_filter_is_a_400_saying_what_to_ask(sample_path: Path) -> None:
    table, calendar = fetch(
        sample_path,
        "/timeline/developments.json?country=CN",
        "/timeline/developments.ics?country=CN",
    )
    message = (
        "country: developments have no country column; ask for countries__arraycontains=CN "
        "(every development CN is involved in, as timeline export --country) "
        "or place_country=CN (held there)"
    )
    assert (table.status_code, table.json()["error"]) == (400, message)
    assert calendar.status_code == 400
    assert message in calendar.text
    assert "BEGIN:VCALENDAR" not in calendar.text
