"""Datasette and the CLI as a reader first meets them (issue 13): rows on the first screen,
lists shown as lists, places labelled by what is known, one facet box per facet, one
meaning of "country", dates read alike, and a timeline page whose form shows its filters."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import icalendar
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from support import TABLE_EXTRAS, facet_results, import_sample

from timeline.cli import cli

if TYPE_CHECKING:  # ds.client's responses: httpx's before Datasette 1.0, httpx2's after
    import httpx


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
        f"/timeline/developments.json?_size=0&{TABLE_EXTRAS}",
    )
    assert len(cli_ids) == 12
    assert sorted(row["id"] for row in table.json()) == cli_ids
    exported = CliRunner().invoke(
        cli, ["export", "ical", "--country", "CN", "--db", str(sample_path)]
    )
    assert uids(calendar.text) == uids(exported.stdout)
    assert len(uids(calendar.text)) == 11  # all but the one whose date is unknown
    countries = facet_results(facets.json())["countries"]
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
    table, calendar, page = fetch(
        sample_path,
        "/timeline/developments.json?country=CN",
        "/timeline/developments.ics?country=CN",
        "/-/timeline/timeline?country=CN",
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
    assert (page.status_code, page.text) == (400, message + "\n")


# --- "everything between two dates" as the CLI reads dates -----------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2024-05", "2024-05"),
        ("2024", "2024"),
        ("2024-04-26", "2024-04-26"),
        ("2024-04-25", "2024-05-01"),
        ("2024-05", ""),
        ("", "2023"),
    ],
)
def test_between_dates_selects_as_export_from_to(sample_path: Path, start: str, end: str) -> None:
    add(
        sample_path,
        *("add", "scheduled", "--kind", "dialogue", "--title", "AI dialogue", "--when", "2024-05~"),
    )
    add(
        sample_path,
        *("add", "call", "--title", "A call", "--when", "2024-04-30/2024-05-02", "--with", "A"),
    )
    flags = [*(["--from", start] if start else []), *(["--to", end] if end else [])]
    cli_ids = exported_ids(sample_path, *flags)
    (answer,) = fetch(
        sample_path, f"/timeline/between_dates.json?from={start}&to={end}&_shape=array"
    )
    dated = [i for i in cli_ids if i not in UNDATED]
    assert sorted(row["id"] for row in answer.json()) == dated
    if (start, end) == ("2024-05", "2024-05"):
        assert dated == ["2024-04-30-a-call", "2024-05-ai-dialogue"]


UNDATED = {
    "liu-zhenmin-visit-to-the-us",
    "china-us-ai-dialogue-first-meeting",
    "china-us-asia-pacific-consultations",
    "china-us-maritime-consultations",
}


def test_a_range_that_ends_before_it_starts_is_an_error_naming_it(sample_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "ical", "--from", "2024-06", "--to", "2024-05", "--db", str(sample_path)]
    )
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: --from: 2024-06 is later than --to 2024-05\n"
    query = "/timeline/between_dates{}?from=2024-06&to=2024-05"
    answer, calendar, page = fetch(
        sample_path, query.format(".json"), query.format(".ics"), query.format("")
    )
    assert (answer.status_code, answer.json()["error"]) == (
        400,
        "from: 2024-06 is later than to 2024-05",
    )
    assert calendar.status_code == page.status_code == 400
    assert "BEGIN:VCALENDAR" not in calendar.text
    assert "from: 2024-06 is later than to 2024-05" in page.text
    (bad,) = fetch(sample_path, "/timeline/between_dates.json?from=2024-99&to=")
    assert (bad.status_code, bad.json()["error"]) == (
        400,
        "from: '2024-99' is not a valid date: month must be 01-12, or 21-24 for a season",
    )


# --- lists shown as lists ----------------------------------------------------------------


def test_lists_are_shown_as_links_to_what_lists_them_too(sample_path: Path) -> None:
    add(
        sample_path,
        *("add", "meeting", "--title", "<b>Talks</b>", "--when", "2024-05-02"),
        *("--with", "A <script>; ; CN", "--tag", "a&b"),
    )
    consensus = "2024-04-26-five-point-consensus"
    table, row, query, filtered = fetch(
        sample_path,
        "/timeline/developments?_sort=id",
        f"/timeline/developments/{consensus}",
        "/timeline/agreements",
        "/timeline/developments.json?participants__arraycontains=Wang+Yi&_shape=array",
    )
    wang = '<a href="/timeline/developments?participants__arraycontains=Wang+Yi">Wang Yi</a>'
    blinken = (
        '<a href="/timeline/developments?participants__arraycontains=Antony+Blinken">'
        "Antony Blinken</a>"
    )
    parties = (
        '<a href="/timeline/developments?parties__arraycontains=CN">CN</a>, '
        '<a href="/timeline/developments?parties__arraycontains=US">US</a>'
    )
    for page in (table, row):
        assert f'<span class="timeline-list">{wang}, {blinken}</span>' in page.text
        assert f'<span class="timeline-list">{parties}</span>' in page.text
        assert (
            '<a href="/timeline/developments?tags__arraycontains=five-point-consensus">'
            "five-point-consensus</a>"
        ) in page.text
        assert "[&#34;" not in page.text
    assert f'<span class="timeline-list">{parties}</span>' in query.text
    # The link selects what it says; the text stays text.
    assert {r["id"] for r in filtered.json()} >= {consensus}
    assert (
        '<a href="/timeline/developments?participants__arraycontains=A+%3Cscript%3E">'
        "A &lt;script&gt;</a>"
    ) in table.text
    assert '<a href="/timeline/developments?tags__arraycontains=a%26b">a&amp;b</a>' in table.text


# --- the first screen shows rows ---------------------------------------------------------


def test_column_descriptions_fold_away_and_show_on_their_headers(sample_path: Path) -> None:
    table, places = fetch(sample_path, "/timeline/developments", "/timeline/places")
    html = table.text
    # One list of descriptions, folded under one line, instead of a screen of them.
    assert html.count('<dl class="column-descriptions">') == 1
    folded = html.index('<details class="timeline-columns">')
    assert (
        folded < html.index('<dl class="column-descriptions">') < html.index("</details>", folded)
    )
    assert (
        "<summary>What each column means (37 columns; hover over a header for its own)</summary>"
        in html
    )
    assert "<dt>countries</dt><dd>Every country it involves:" in html
    # Each header carries its own description (a tooltip, and Datasette's column menu).
    assert (
        'data-column-description="Last day (or instant) it covers, inclusive; empty for an open end (2024-04/..)"'
        in html
    )
    assert "th[data-column-description]:hover::after" in html
    # The columns people read first come first; the rest follow, a scroll away.
    headers = re.findall(r'<th [^>]*data-column="([^"]+)"', html)
    assert headers[:8] == [
        "id",
        "title",
        "when",
        "kind",
        "status",
        "countries",
        "participants",
        "place",
    ]
    assert len(headers) == 37
    # Other tables keep Datasette's own list: it is short there.
    assert '<dl class="column-descriptions">' in places.text
    assert "timeline-columns" not in places.text


def test_a_default_facet_asked_for_again_is_shown_once(sample_path: Path) -> None:
    (page,) = fetch(sample_path, "/timeline/developments?_facet=kind&_facet=status")
    boxes = re.findall(r'<div class="facet-info [^"]*" id="facet-([a-z]+)"', page.text)
    assert sorted(boxes) == ["countries", "kind", "status", "tags"]


# --- the timeline page starts at the filters it was made with -----------------------------


def embedded(page: str) -> dict:
    start = page.index('<script type="application/json" id="timeline-data">')
    text = page[page.index(">", start) + 1 : page.index("</script>", start)]
    return json.loads(text)


def test_the_timeline_page_starts_its_form_at_the_table_filters(sample_path: Path) -> None:
    chosen, doubled, plain = fetch(
        sample_path,
        "/-/timeline/timeline?countries__arraycontains=CN&kind=statement",
        "/-/timeline/timeline?tags__arraycontains=climate&tags__arraycontains=china-us",
        "/-/timeline/timeline",
    )
    data = embedded(chosen.text)
    assert data["title"] == (
        'Diplomatic timeline: where countries contains "CN" and kind = "statement"'
    )
    assert data["filters"] == {"country": "CN", "kind": "statement"}
    # Two tags at once are not one choice of the form's Tag list: it starts at all tags.
    assert "filters" not in embedded(doubled.text)
    assert "filters" not in embedded(plain.text)


def test_an_exported_page_starts_its_form_at_the_export_filters(sample_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "html", "--country", "cn", "--tag", "china-us", "--db", str(sample_path)]
    )
    assert result.exit_code == 0, result.output
    assert embedded(result.stdout)["filters"] == {"country": "CN", "tag": "china-us"}


@pytest.mark.parametrize("closed", ["instance", "database", "table"])
def test_whoever_may_not_see_the_table_may_not_see_its_timeline(
    sample_path: Path, closed: str
) -> None:
    """The page is refused as the table page is: the table, its database or the instance
    closed to the anonymous reader (``allow`` in the metadata, where 1.0 still reads it)."""
    nobody = {"allow": {"id": "nobody"}}
    metadata = {
        "instance": nobody,
        "database": {"databases": {"timeline": nobody}},
        "table": {"databases": {"timeline": {"tables": {"developments": nobody}}}},
    }[closed]

    async def run() -> list[httpx.Response]:
        ds = Datasette([str(sample_path)], metadata=metadata)
        await ds.invoke_startup()
        urls = ("/timeline/developments", "/-/timeline/timeline", "/timeline/developments.ics")
        anonymous = [await ds.client.get(url) for url in urls]
        cookies = {"ds_actor": ds.sign({"a": {"id": "nobody"}}, "actor")}
        return [*anonymous, await ds.client.get("/-/timeline/timeline", cookies=cookies)]

    table, page, calendar, allowed = asyncio.run(run())
    assert [table.status_code, page.status_code, calendar.status_code] == [403, 403, 403]
    assert allowed.status_code == 200
