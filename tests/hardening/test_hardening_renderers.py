"""The `.ics` and `.timelinejs` renderers and the timeline page do bounded work per request.

A repeated request is answered from a small cache of renderings kept per Datasette
instance and keyed by the log's head, so it costs no rendering until the log changes;
identical requests arriving together are rendered once. One response renders at most
``max_developments`` developments (plugin setting, 5,000 by default): over it, a 400 and
one line saying how many were selected, never a calendar silently cut short.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import icalendar
import pytest
from datasette.app import Datasette
from support import import_sample, query_path

import timeline.selection
from timeline import service
from timeline.db import open_db
from timeline.renderings import Answer, Renderings

if TYPE_CHECKING:  # ds.client's responses: httpx's before Datasette 1.0, httpx2's after
    import httpx

STATEMENTS = "/timeline/developments.ics?kind=statement"
RENDERINGS = {
    "ics": "/timeline/developments.ics?kind=statement",
    "timelinejs": "/timeline/developments.timelinejs?kind=statement",
    "page": "/-/timeline/timeline?kind=statement",
}


@pytest.fixture
def sample(tmp_path: Path, plugin) -> Path:
    """The sample (17 developments, 8 of them statements) in timeline.db, plugin on."""
    path = tmp_path / "timeline.db"
    db = open_db(path)
    import_sample(db)
    db.close()
    return path


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many developments each rendering read (one entry per rendering)."""
    calls: list[int] = []
    real = timeline.selection.records_for

    def counted(conn: Any, ids: Any) -> Iterator[dict[str, Any]]:
        calls.append(len(ids))
        return real(conn, ids)

    monkeypatch.setattr(timeline.selection, "records_for", counted)
    return calls


def serve(*paths: Path, metadata: dict | None = None) -> Datasette:
    return Datasette([str(p) for p in paths], metadata=metadata)


def fetch(ds: Datasette, *urls: str, between: Callable[[int], None] | None = None) -> list:
    """GET each URL in turn from *ds*; ``between(i)`` runs before the i-th."""

    async def run() -> list[httpx.Response]:
        await ds.invoke_startup()
        answers = []
        for i, url in enumerate(urls):
            if between is not None:
                between(i)
            answers.append(await ds.client.get(url))
        return answers

    return asyncio.run(run())


def statement(dev_id: str) -> str:
    event = {
        "type": "StatementMade",
        "data": {
            "development": dev_id,
            "title": f"Statement {dev_id}",
            "when": "2024-05-01",
            "speaker": "Wang Yi",
            "quote": "Words.",
        },
    }
    return json.dumps(event) + "\n"


def add_statement(path: Path, dev_id: str) -> None:
    db = open_db(path)
    service.import_file(db, iter([statement(dev_id)]))
    db.close()


# --- (a) a cache of renderings, keyed by the log's head ----------------------------------


@pytest.mark.parametrize("kind", sorted(RENDERINGS))
def test_a_repeated_request_renders_nothing(sample: Path, renders: list[int], kind: str):
    url = RENDERINGS[kind]
    first, second, third = fetch(serve(sample), url, url, url)
    assert first.status_code == 200
    assert second.content == first.content
    assert third.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert renders == [8]


@pytest.mark.parametrize("kind", sorted(RENDERINGS))
def test_a_new_event_makes_a_new_rendering(sample: Path, renders: list[int], kind: str):
    url = RENDERINGS[kind]

    def append_before_the_third(i: int) -> None:
        if i == 2:
            add_statement(sample, "2024-05-01-a-new-statement")

    first, second, third = fetch(serve(sample), url, url, url, between=append_before_the_third)
    assert second.content == first.content
    assert b"2024-05-01-a-new-statement" not in first.content
    assert b"2024-05-01-a-new-statement" in third.content
    assert renders == [8, 9]


def test_what_shapes_the_output_is_in_the_key(sample: Path, renders: list[int]):
    """Another selection, another format, another URL (the calendar's SOURCE) or name."""
    urls = [
        STATEMENTS,
        "/timeline/developments.ics?kind=meeting",
        "/timeline/developments.timelinejs?kind=statement",
        STATEMENTS + "&_size=3",  # the same rows, another SOURCE
        f"{query_path('timeline')}.ics?sql=select+id+from+developments+where+kind+%3D+%27statement%27",
        "/timeline/developments.ics?_where=kind+%3D+%27statement%27",
    ]
    answers = fetch(serve(sample), *urls, *urls)
    assert [a.status_code for a in answers] == [200] * 12
    assert [a.content for a in answers[6:]] == [a.content for a in answers[:6]]
    sources = [str(icalendar.Calendar.from_ical(a.text)["SOURCE"]) for a in answers[:6:3]]
    assert sources == [f"http://localhost{STATEMENTS}", f"http://localhost{STATEMENTS}&_size=3"]
    assert renders == [8, 1, 8, 8, 8, 8]


def test_the_cache_keeps_a_handful_of_renderings(sample: Path, renders: list[int]):
    """The oldest rendering goes when a ninth comes: memory stays bounded."""
    urls = [f"/timeline/developments.ics?kind=statement&_size={n}" for n in range(1, 10)]
    fetch(serve(sample), *urls, urls[8], urls[1], urls[0])
    assert renders == [8] * 9 + [8]  # the ninth and the second are kept; the first is not


def test_the_cache_holds_a_bounded_number_of_bytes():
    """Bodies over the budget push out the oldest; the newest stays, whatever its size."""
    kept = Renderings(entries=8, budget=100)
    made: list[str] = []

    def maker(key: str, size: int) -> Callable[[], Any]:
        async def make() -> Answer:
            made.append(key)
            return Answer(b"x" * size, 200, "text/plain")

        return make

    async def run() -> None:
        for key, size in [("a", 40), ("b", 40), ("a", 40), ("c", 40), ("b", 40), ("big", 500)]:
            await kept.get(key, maker(key, size))
        await kept.get("big", maker("big", 500))
        await kept.get("c", maker("c", 40))

    asyncio.run(run())
    assert made == ["a", "b", "c", "b", "big", "c"]


def test_each_datasette_has_its_own_cache(sample: Path, renders: list[int]):
    one, two = serve(sample), serve(sample)
    fetch(one, STATEMENTS, STATEMENTS)
    fetch(two, STATEMENTS, STATEMENTS)
    assert renders == [8, 8]


def test_identical_requests_at_once_are_rendered_once(sample: Path, renders: list[int]):
    ds = serve(sample)

    async def run() -> list[httpx.Response]:
        await ds.invoke_startup()
        return await asyncio.gather(*(ds.client.get(STATEMENTS) for _ in range(6)))

    answers = asyncio.run(run())
    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.content for a in answers}) == 1
    assert renders == [8]


@pytest.mark.parametrize(
    "url",
    [
        f"{query_path('big')}.ics?sql=select+id+from+developments+where+kind+%3D+%27agreement%27",
        "/-/timeline/big?kind=agreement",
    ],
)
def test_a_repeated_request_on_the_big_database_is_rendered_once(
    big_db: Path, plugin, url: str, renders: list[int]
):
    """Over a thousand agreements: rendering them takes a good part of a second; asked again, the
    answer comes from the cache without reading a development. (Counted, not timed: a
    timing depends on the machine's load. A table's ``.ics`` still costs what Datasette's
    table page costs before the renderer runs, its facets and count, as its ``.json`` does.)"""
    ds = serve(big_db)

    async def run() -> list[httpx.Response]:
        await ds.invoke_startup()
        return [await ds.client.get(url) for _ in range(3)]

    with sqlite3.connect(big_db) as conn:
        (agreements,) = conn.execute(
            "SELECT COUNT(*) FROM developments WHERE kind = 'agreement'"
        ).fetchone()
    answers = asyncio.run(run())
    assert [a.status_code for a in answers] == [200] * 3
    assert len({a.content for a in answers}) == 1
    assert agreements > 1000
    assert renders == [agreements]


# --- (b) a cap on one response -----------------------------------------------------------


def over(what: str, selected: int, cap: int) -> str:
    return (
        f"{what} at most {cap:,} developments and this selection has {selected:,}: "
        "filter it further, or raise the timeline plugin's max_developments setting\n"
    )


def test_the_whole_big_table_is_refused_with_the_count(big_db: Path, plugin, renders: list[int]):
    answers = fetch(
        serve(big_db),
        "/big/developments.ics",
        "/big/developments.timelinejs",
        "/-/timeline/big",
        f"{query_path('big')}.timelinejs?sql=select+id+from+developments",
    )
    assert [a.status_code for a in answers] == [400] * 4
    assert [a.headers["content-type"] for a in answers] == ["text/plain; charset=utf-8"] * 4
    assert [a.text for a in answers] == [
        over("The .ics format renders", 16_600, 5_000),
        over("The .timelinejs format renders", 16_600, 5_000),
        over("The timeline page shows", 16_600, 5_000),
        over("The .timelinejs format renders", 16_600, 5_000),
    ]
    assert renders == []


def test_a_selection_within_the_cap_is_rendered_whole(big_db: Path, plugin):
    (answer,) = fetch(serve(big_db), "/big/developments.ics?kind=agreement")
    assert answer.status_code == 200
    with sqlite3.connect(big_db) as conn:
        (agreements,) = conn.execute(
            "SELECT COUNT(*) FROM developments WHERE kind = 'agreement'"
        ).fetchone()
    assert agreements > 1_000  # over the page's 1,000 rows, under the cap
    assert len(icalendar.Calendar.from_ical(answer.text).walk("VEVENT")) == agreements


def test_the_cap_is_a_plugin_setting(sample: Path, renders: list[int]):
    ds = serve(sample, metadata={"plugins": {"timeline": {"max_developments": 8}}})
    answers = fetch(
        ds,
        STATEMENTS,
        "/timeline/developments.ics",
        "/-/timeline/timeline",
        "/timeline/developments.timelinejs?status=scheduled",
    )
    assert [a.status_code for a in answers] == [200, 400, 400, 200]
    assert answers[1].text == over("The .ics format renders", 17, 8)
    assert answers[2].text == over("The timeline page shows", 17, 8)
    assert renders == [8, 4]


def test_the_cap_can_be_set_per_database(sample: Path, tmp_path: Path, renders: list[int]):
    other = tmp_path / "other.db"
    other.write_bytes(sample.read_bytes())
    metadata = {"databases": {"other": {"plugins": {"timeline": {"max_developments": 2}}}}}
    answers = fetch(
        serve(sample, other, metadata=metadata),
        STATEMENTS,
        "/other/developments.ics?kind=statement",
    )
    assert [a.status_code for a in answers] == [200, 400]
    assert answers[1].text == over("The .ics format renders", 8, 2)


@pytest.mark.parametrize("bad", ["lots", 0, -5, 2.5, True])
def test_a_bad_cap_setting_is_named(sample: Path, bad: object):
    ds = serve(sample, metadata={"plugins": {"timeline": {"max_developments": bad}}})
    ics, page = fetch(ds, STATEMENTS, "/-/timeline/timeline")
    message = (
        "The timeline plugin's max_developments setting must be a whole number of at least 1,"
        f" not {bad!r}\n"
    )
    assert (ics.status_code, ics.text) == (500, message)
    assert (page.status_code, page.text) == (500, message)
