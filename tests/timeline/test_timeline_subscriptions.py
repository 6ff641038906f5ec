"""Datasette answers that subscribers poll: the neighbours we share ``.ics`` with, a row's
calendar, validators and 304s, the cache lifetime, webcal and Atom links, the Atom feed."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import html as html_lib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import datasette_ics
import feedparser
import icalendar
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.plugins import pm
from hypothesis import given
from hypothesis import strategies as st
from support import import_sample, query_path
from timeline.exports.ical import duration_seconds

import timeline.selection
from timeline import service
from timeline.cli import cli
from timeline.db import open_db
from timeline.subscriptions import Validators, not_modified

if TYPE_CHECKING:  # ds.client's responses: httpx's before Datasette 1.0, httpx2's after
    import httpx

MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
MEETINGS_AS_EVENTS = (
    f"{query_path('timeline')}.ics?sql=select+title+as+event_name,+start+as+event_dtstart"
    "+from+developments+where+kind+%3D+%27meeting%27"
)
SIX_HOURS = "max-age=21600"
OURS = {
    "ics": "/timeline/developments.ics?kind=statement",
    "timelinejs": "/timeline/developments.timelinejs?kind=statement",
    "atom": "/timeline/developments.atom?kind=statement",
    "page": "/-/timeline/timeline?kind=statement",
}


@pytest.fixture
def sample(db, db_path: Path, plugin) -> Path:
    import_sample(db)
    return db_path


@pytest.fixture
def other_db(tmp_path: Path) -> Path:
    """A database of another program, made for datasette-ics's column contract."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE talks (id INTEGER PRIMARY KEY, event_name, event_dtstart)")
        conn.execute("INSERT INTO talks VALUES (1, 'Book club', '2024-05-01T18:00:00Z')")
    conn.close()
    return path


@pytest.fixture(params=["ics registered first", "ics registered last"])
def with_ics(request: pytest.FixtureRequest, plugin) -> Iterator[None]:
    """datasette-ics beside ours, registered before or after it (pluggy calls in that order)."""
    first = request.param.endswith("first")
    if first:
        pm.unregister(plugin)
    added = not pm.is_registered(datasette_ics)
    if added:
        pm.register(datasette_ics, name="ics")
    if first:
        pm.register(plugin, name="timeline")
    yield
    if added:
        pm.unregister(datasette_ics)


def fetch(
    paths: list[Path],
    *requests: str | tuple[str, dict[str, str]],
    metadata: dict[str, Any] | None = None,
) -> list[httpx.Response]:
    """GET each URL (with its headers, if given) from one Datasette serving *paths*."""

    async def run() -> list[httpx.Response]:
        ds = Datasette([str(p) for p in paths], metadata=metadata)
        await ds.invoke_startup()
        answers = []
        for item in requests:
            url, headers = item if isinstance(item, tuple) else (item, {})
            answers.append(await ds.client.get(url, headers=headers))
        return answers

    return asyncio.run(run())


def prodid(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return str(icalendar.Calendar.from_ical(response.text)["PRODID"])


def summaries(response: httpx.Response) -> list[str]:
    calendar = icalendar.Calendar.from_ical(response.text)
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


# --- a good neighbour: datasette-ics serves its queries, we serve ours -------------------


def test_each_plugin_serves_its_own_calendars(sample: Path, other_db: Path, with_ics) -> None:
    theirs, ours, elsewhere, places = fetch(
        [sample, other_db],
        MEETINGS_AS_EVENTS,
        "/timeline/developments.ics?kind=meeting",
        "/other/talks.ics",
        "/timeline/places.ics",
    )
    assert "datasette-ics" in prodid(theirs)
    assert summaries(theirs) == ["Xi Jinping meets Antony Blinken"]
    assert prodid(ours) == "-//timeline//Diplomatic timeline export//EN"
    assert summaries(ours) == ["Xi Jinping meets Antony Blinken"]
    assert "datasette-ics" in prodid(elsewhere)
    assert summaries(elsewhere) == ["Book club"]
    # Neither serves places: datasette-ics says what it needs, as it would alone.
    assert places.status_code == 400
    assert "SQL query must return columns" in places.text


def test_a_query_in_their_column_contract_goes_to_them_even_with_an_id(sample: Path, with_ics):
    (answer,) = fetch(
        [sample],
        f"{query_path('timeline')}.ics?sql=select+id,+title+as+event_name,+start+as+event_dtstart"
        "+from+developments+where+id+%3D+%27" + MEETING + "%27",
    )
    assert "datasette-ics" in prodid(answer)


def test_the_ics_link_shows_wherever_either_can_render(sample: Path, with_ics) -> None:
    table, query, places = fetch(
        [sample],
        "/timeline/developments?kind=meeting",
        MEETINGS_AS_EVENTS.replace(".ics", ""),
        "/timeline/places",
    )
    assert 'href="/timeline/developments.ics?kind=meeting' in table.text
    assert f'href="{query_path("timeline")}.ics?sql=select+title+as+event_name' in query.text
    assert ".ics" not in places.text


def test_alone_we_name_what_a_result_lacks(sample: Path, other_db: Path) -> None:
    places, other, events = fetch(
        [sample, other_db], "/timeline/places.ics", "/other/talks.ics", "/timeline/events.atom"
    )
    assert (places.status_code, places.text) == (
        400,
        "The .ics format needs developments: the places table has no development column; "
        "use the developments table\n",
    )
    assert (other.status_code, other.text) == (
        400,
        "The .ics format renders timeline databases, and other is not one\n",
    )
    assert events.status_code == 400
    assert "the events table's id is an event id; use the developments table" in events.text


def test_other_databases_get_no_links_from_us(sample: Path, other_db: Path) -> None:
    (page,) = fetch([sample, other_db], "/other/talks")
    assert "talks.ics" not in page.text
    assert "talks.atom" not in page.text


# --- a development's row page --------------------------------------------------------------


def test_a_row_page_gives_that_developments_event(sample: Path) -> None:
    ics, tl, feed, part = fetch(
        [sample],
        f"/timeline/developments/{MEETING}.ics",
        f"/timeline/developments/{MEETING}.timelinejs",
        f"/timeline/developments/{MEETING}.atom",
        f"/timeline/participants/{MEETING},1.ics",
    )
    assert ics.status_code == 200, ics.text
    (event,) = icalendar.Calendar.from_ical(ics.text).walk("VEVENT")
    assert str(event["UID"]) == f"{MEETING}@timeline.invalid"
    assert tl.json()["events"][0]["unique_id"] == MEETING
    assert len(tl.json()["events"]) == 1
    (entry,) = feedparser.parse(feed.content).entries
    assert entry.title == "Xi Jinping meets Antony Blinken"
    assert part.status_code == 200, part.text
    assert summaries(part) == ["Xi Jinping meets Antony Blinken"]


# --- validators, 304s and the cache lifetime ---------------------------------------------------


def head_of(db_path: Path) -> tuple[str, str]:
    result = CliRunner().invoke(cli, ["head", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    seq, digest = result.stdout.strip().split(":")
    return seq, digest


def recorded_at(db_path: Path) -> str:
    db = open_db(db_path)
    try:
        return db.execute("SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    finally:
        db.close()


def http_date(iso: str, *, plus: int = 0) -> str:
    moment = dt.datetime.fromisoformat(iso).replace(microsecond=0) + dt.timedelta(seconds=plus)
    return email.utils.format_datetime(moment, usegmt=True)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many developments each rendering read."""
    calls: list[int] = []
    real = timeline.selection.records_for

    def counted(conn: Any, ids: Any) -> Iterator[dict[str, Any]]:
        calls.append(len(ids))
        return real(conn, ids)

    monkeypatch.setattr(timeline.selection, "records_for", counted)
    return calls


@pytest.mark.parametrize("kind", sorted(OURS))
def test_answers_carry_validators_from_the_log_head(sample: Path, kind: str) -> None:
    (answer,) = fetch([sample], OURS[kind])
    assert answer.status_code == 200, answer.text
    seq, digest = head_of(sample)
    etag = answer.headers["etag"]
    assert etag.startswith(f'"{seq}-{digest[:16]}-{seq}-')
    assert answer.headers["last-modified"] == http_date(recorded_at(sample))
    assert answer.headers["cache-control"] == SIX_HOURS


def test_the_cache_lifetime_is_the_calendars_refresh_interval(sample: Path) -> None:
    (answer,) = fetch([sample], OURS["ics"])
    calendar = icalendar.Calendar.from_ical(answer.text)
    refresh = calendar["REFRESH-INTERVAL"].dt
    assert answer.headers["cache-control"] == f"max-age={int(refresh.total_seconds())}"
    assert duration_seconds(calendar["REFRESH-INTERVAL"].to_ical().decode()) == 21600


@pytest.mark.parametrize("kind", sorted(OURS))
def test_a_current_copy_gets_304_and_nothing_is_rendered(
    sample: Path, kind: str, renders: list[int]
) -> None:
    url = OURS[kind]
    (first,) = fetch([sample], url)
    assert renders == [8]
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    current = fetch(
        [sample],
        (url, {"if-none-match": etag}),
        (url, {"if-none-match": f'"nope", W/{etag}'}),
        (url, {"if-none-match": "*"}),
        (url, {"if-modified-since": modified}),
        (url, {"if-modified-since": http_date(recorded_at(sample), plus=60)}),
    )
    for answer in current:
        assert answer.status_code == 304
        assert answer.content == b""
        assert answer.headers["etag"] == etag
        assert answer.headers["cache-control"] == SIX_HOURS
        assert answer.headers["last-modified"] == modified
    assert renders == [8]  # a 304 renders nothing, in a Datasette that has kept nothing
    stale = fetch(
        [sample],
        (url, {"if-modified-since": http_date(recorded_at(sample), plus=-1)}),
        # If-None-Match decides when both are sent.
        (url, {"if-none-match": '"stale"', "if-modified-since": modified}),
        (url, {"if-modified-since": "yesterday"}),
    )
    for answer in stale:
        assert answer.status_code == 200
        assert answer.content == first.content
        assert answer.headers["etag"] == etag


@pytest.mark.parametrize("kind", sorted(OURS))
def test_a_new_event_changes_the_etag(sample: Path, kind: str) -> None:
    url = OURS[kind]
    (first,) = fetch([sample], url)
    db = open_db(sample)
    try:
        service.append(
            db,
            [
                service.submit(
                    "StatementMade",
                    {
                        "development": "2024-05-01-new-words",
                        "title": "New words",
                        "when": "2024-05-01",
                        "speaker": "Wang Yi",
                        "quote": "Words.",
                    },
                )
            ],
        )
    finally:
        db.close()
    (second,) = fetch([sample], (url, {"if-none-match": first.headers["etag"]}))
    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]
    assert second.headers["etag"].startswith(f'"{head_of(sample)[0]}-')
    assert b"New words" in second.content


def test_the_refresh_interval_setting_sets_both(sample: Path) -> None:
    hourly = {"plugins": {"timeline": {"refresh_interval": "PT1H"}}}
    answers = fetch([sample], *OURS.values(), metadata=hourly)
    assert [a.headers["cache-control"] for a in answers] == ["max-age=3600"] * len(OURS)
    calendar = icalendar.Calendar.from_ical(answers[0].text)
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert calendar["X-PUBLISHED-TTL"] == "PT1H"


@pytest.mark.parametrize("bad", ["6 hours", 3600, "PT0S", "P1H"])
def test_a_bad_refresh_interval_is_a_500_naming_it(sample: Path, bad: Any) -> None:
    setting = {"plugins": {"timeline": {"refresh_interval": bad}}}
    for answer in fetch([sample], *OURS.values(), metadata=setting):
        assert (answer.status_code, answer.text) == (
            500,
            "The timeline plugin's refresh_interval setting must be an RFC 5545 duration "
            f"of at least one second such as PT6H or PT30M, not {bad!r}\n",
        )


def test_a_uid_domain_that_is_no_domain_is_a_500_naming_it(sample: Path) -> None:
    """A UID a subscriber keeps must not break on a space or a semicolon."""
    setting = {"plugins": {"timeline": {"uid_domain": "our site;x"}}}
    renderers = [url for name, url in OURS.items() if name != "page"]
    for answer in fetch([sample], *renderers, metadata=setting):
        assert (answer.status_code, answer.text) == (
            500,
            "The timeline plugin's uid_domain setting: 'our site;x' is not a domain name "
            "like example.org\n",
        )


def test_another_selection_has_another_etag(sample: Path) -> None:
    ics, meetings, tl = fetch(
        [sample], OURS["ics"], "/timeline/developments.ics?kind=meeting", OURS["timelinejs"]
    )
    assert len({ics.headers["etag"], meetings.headers["etag"], tl.headers["etag"]}) == 3


def test_refusals_carry_no_validators(sample: Path) -> None:
    (answer,) = fetch([sample], "/timeline/places.ics")
    assert answer.status_code == 400
    assert "etag" not in answer.headers


def test_other_pages_keep_datasettes_cache_lifetime(sample: Path) -> None:
    table, data = fetch([sample], "/timeline/developments", "/timeline/developments.json")
    assert table.headers["cache-control"] == "max-age=5"
    assert data.headers["cache-control"] == "max-age=5"
    assert "x-timeline-cache-control" not in data.headers


VALIDATORS = Validators('"1-ab-1-cd"', None, 60)


@given(tags=st.lists(st.from_regex(r'W/"[a-z0-9-]{1,8}"|"[a-z0-9-]{1,8}"', fullmatch=True)))
def test_if_none_match_matches_only_the_current_tag(tags: list[str]) -> None:
    header = ", ".join(tags)
    expected = any(tag.removeprefix("W/") == VALIDATORS.etag for tag in tags)
    assert not_modified({"if-none-match": header}, VALIDATORS) is expected
    assert not_modified({"if-none-match": f"{header}, {VALIDATORS.etag}"}, VALIDATORS)


# --- webcal and feed links -------------------------------------------------------------------


def links(html: str) -> dict[str, str]:
    """Each link's words and where it goes (Datasette 1.0 adds attributes and spaces)."""
    return {
        label: html_lib.unescape(href)
        for href, label in re.findall(r'<a href="([^"]*)"[^>]*>\s*([^<]*?)\s*</a>', html)
    }


def test_the_table_offers_webcal_and_the_atom_feed_for_its_rows(sample: Path) -> None:
    (page,) = fetch([sample], "/timeline/developments?kind=meeting&_size=5")
    found = links(page.text)
    assert (
        found["Subscribe in a calendar app (webcal)"]
        == "webcal://localhost/timeline/developments.ics?kind=meeting"
    )
    assert (
        found["Atom feed of new and changed developments"]
        == "/timeline/developments.atom?kind=meeting"
    )


def test_the_atom_feed_of_a_filtered_view(sample: Path) -> None:
    (answer,) = fetch([sample], "/timeline/developments.atom?kind=statement&_size=2")
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(answer.content)
    assert not feed.bozo
    assert feed.feed.id == "http://localhost/timeline/developments.atom?kind=statement&_size=2"
    assert len(feed.entries) == 8  # the whole selection, not the page of two
    assert {t.term for e in feed.entries for t in e.tags} >= {"statement"}
