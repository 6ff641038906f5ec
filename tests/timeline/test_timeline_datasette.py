"""Datasette on a timeline database: our metadata, facets, search and canned queries, as
a reader sees them through the real app (``ds.client``), and `timeline demo` / `serve`."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from support import (
    TABLE_EXTRAS,
    facet_results,
    http_json,
    import_sample,
    row_count,
    sample_lines,
    serving,
)

from timeline import service
from timeline.cli import cli
from timeline.db import open_db
from timeline.metadata import CANNED_QUERIES, DESCRIPTION, TITLE

if TYPE_CHECKING:  # ds.client's responses: httpx's before Datasette 1.0, httpx2's after
    import httpx

CONSENSUS = "2024-04-26-five-point-consensus"
MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
SU_XIAOHUI = "2024-04-26-su-xiaohui-on-a-clear-signal"

# What the sample projects: id, title, kind, status, when, start, end, precision, countries.
# fmt: off
SAMPLE_ROWS = [
    ("2023-11-15-biden-xi-summit", "Joe Biden and Xi Jinping hold a summit in Woodside, California", "summit", "occurred", "2023-11-15", "2023-11-15", "2023-11-15", "day", '["US", "CN"]'),
    ("2024-04-24-antony-blinken-visits-china", "Antony Blinken visits China", "visit", "occurred", "2024-04-24/2024-04-26", "2024-04-24", "2024-04-26", "day", '["CN", "US"]'),
    ("2024-04-26-wang-yi-holds-talks-with-antony-blinken", "Wang Yi holds talks with Antony Blinken", "talks", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN", "US"]'),
    (CONSENSUS, "China and the U.S. reach a five-point consensus", "agreement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN", "US"]'),
    (MEETING, "Xi Jinping meets Antony Blinken", "meeting", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN", "US"]'),
    ("2024-04-26-xi-jinping-on-major-countries-setting-an-example", "Xi Jinping: major countries should set a good example", "statement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN"]'),
    ("2024-04-26-xi-jinping-on-helping-each-other-succeed", "Xi Jinping: China and the U.S. should help each other succeed", "statement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN"]'),
    ("2024-04-26-xi-jinping-on-three-principles", "Xi Jinping: three principles are lessons from the past and a guide for the future", "statement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN"]'),
    ("2024-04-26-xi-jinping-on-a-thriving-us", "Xi Jinping: China is happy to see a thriving U.S.", "statement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN"]'),
    ("2024-04-26-xi-jinping-on-a-fundamental-issue", "Xi Jinping: a fundamental issue for the relationship to stabilize", "statement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN"]'),
    ("2024-04-26-xi-jinping-on-friends-and-partners", "Xi Jinping: both sides can have their own friends and partners", "statement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '["CN"]'),
    ("2024-04-26-wang-yiwei-on-zero-sum-mentality", "Wang Yiwei: a zero-sum mentality means more problems in China-U.S. relations", "statement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '[]'),
    (SU_XIAOHUI, "Su Xiaohui: a very clear signal that China would like to work with the U.S.", "statement", "occurred", "2024-04-26", "2024-04-26", "2024-04-26", "day", '[]'),
    ("liu-zhenmin-visit-to-the-us", "Liu Zhenmin to visit the U.S.", "visit", "scheduled", None, None, None, None, '["CN"]'),
    ("china-us-ai-dialogue-first-meeting", "First meeting of the China-U.S. intergovernmental dialogue on artificial intelligence", "dialogue", "scheduled", None, None, None, None, '[]'),
    ("china-us-asia-pacific-consultations", "New rounds of China-U.S. consultations on Asia-Pacific affairs", "consultation", "scheduled", None, None, None, None, '[]'),
    ("china-us-maritime-consultations", "New rounds of China-U.S. consultations on maritime issues", "consultation", "scheduled", None, None, None, None, '[]'),
]
# fmt: on

FIELDS = ("id", "title", "kind", "status", "when", "start", "end", "precision", "countries")
BY_ID = {row[0]: dict(zip(FIELDS, row, strict=True)) for row in SAMPLE_ROWS}


def sample_data(dev_id: str) -> dict[str, Any]:
    (data,) = [e["data"] for e in sample_lines() if e["data"].get("development") == dev_id]
    return data


def developments(*ids: str, columns: tuple[str, ...] = FIELDS) -> list[dict[str, Any]]:
    return [{c: BY_ID[i][c] for c in columns} for i in ids]


@pytest.fixture
def sample_path(db, db_path: Path, plugin) -> Path:
    """The sample imported into the db fixture's file (served as database `timeline`)."""
    import_sample(db)
    return db_path


def fetch(paths: list[Path], *urls: str) -> list[httpx.Response]:
    """GET each URL from one Datasette serving *paths* (no pytest-asyncio here)."""

    async def run() -> list[httpx.Response]:
        ds = Datasette([str(p) for p in paths])
        await ds.invoke_startup()
        return [await ds.client.get(url) for url in urls]

    return asyncio.run(run())


def get_json(paths: list[Path], url: str) -> Any:
    (response,) = fetch(paths, url)
    assert response.status_code == 200, response.text
    return response.json()


def held_metadata(paths: list[Path]) -> dict[str, Any]:
    """The metadata a Datasette serving *paths* holds, shaped as 0.65's ``/-/metadata.json``.

    Datasette 1.0 has no such page: it keeps titles and descriptions in its internal
    database, table settings in its configuration and queries in a table of their own.
    """

    async def run() -> dict[str, Any]:
        ds = Datasette([str(p) for p in paths])
        await ds.invoke_startup()
        if not hasattr(ds, "get_instance_metadata"):
            return (await ds.client.get("/-/metadata.json")).json()
        held: dict[str, Any] = dict(await ds.get_instance_metadata())
        for name, database in ds.databases.items():
            entry: dict[str, Any] = dict(await ds.get_database_metadata(name))
            for table in await database.table_names():
                found = {
                    **await ds.get_resource_metadata(name, table),
                    **await ds.table_config(name, table),
                }
                columns = {
                    column: described
                    for column in await database.table_columns(table)
                    if (described := await ds.get_column_metadata(name, table, column))
                }
                if columns:
                    found["columns"] = {c: d["description"] for c, d in columns.items()}
                if found:
                    entry.setdefault("tables", {})[table] = found
            for stored in (await ds.list_queries(name)).queries:
                entry.setdefault("queries", {})[stored.name] = {"sql": stored.sql}
            if entry:
                held.setdefault("databases", {})[name] = entry
        return held

    return asyncio.run(run())


def query(path: Path, url: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in url else "?"
    return get_json([path], f"/timeline/{url}{sep}_shape=array")


# --- the plugin and its metadata ------------------------------------------------------


def test_plugin_is_listed(sample_path):
    plugins = get_json([sample_path], "/-/plugins.json")
    (ours,) = [p for p in plugins if p["name"] in ("timeline", "timeline.datasette_plugin")]
    assert {"get_metadata", "startup"} <= set(ours["hooks"])


def test_database_gets_our_metadata(sample_path):
    metadata = held_metadata([sample_path])
    assert metadata["title"] == TITLE == "Diplomatic timeline"
    assert metadata["description"] == DESCRIPTION
    assert list(metadata["databases"]) == ["timeline"]
    ours = metadata["databases"]["timeline"]
    table = ours["tables"]["developments"]
    assert table["description"] == "Every development as it stands now: one row each."
    assert (
        table["columns"]["end"]
        == "Last day (or instant) it covers, inclusive; empty for an open end (2024-04/..)"
    )
    # Every column of the table says what it holds; one the export record describes
    # (exports/record.py) in its words, so that a new field needs no description here.
    conn = sqlite3.connect(sample_path)
    in_the_file = [r[1] for r in conn.execute("PRAGMA table_info(developments)")]
    conn.close()
    assert list(table["columns"]) == in_the_file
    assert all(table["columns"].values())
    assert table["columns"]["visitor"] == "Who made a visit"
    assert table["sort_desc"] == "start"
    assert sorted(ours["queries"]) == [
        "agreements",
        "between_dates",
        "development_history",
        "involving_actor",
        "quotes_by_speaker",
        "scheduled_next",
        "the_log",
    ]


def test_pages_show_title_descriptions_and_column_descriptions(sample_path):
    index, table = fetch([sample_path], "/", "/timeline/developments")
    assert "<title>Diplomatic timeline: timeline</title>" in index.text
    assert "<h1>Diplomatic timeline</h1>" in index.text
    assert "Every development as it stands now: one row each." in table.text
    assert "<dt>start</dt><dd>First day (or instant) it covers</dd>" in table.text
    assert (
        "<dt>id</dt><dd>The development&#39;s id, a readable slug of its date and title</dd>"
        in table.text
    )
    assert "<title>timeline: developments: 17 rows sorted by start descending</title>" in table.text


def facet_counts(result: dict[str, Any]) -> dict[str, int]:
    return {r["value"]: r["count"] for r in result["results"]}


def test_default_facets(sample_path):
    data = get_json([sample_path], f"/timeline/developments.json?_size=0&{TABLE_EXTRAS}")
    # Five values each by default (the rest a click away), so the first screen shows rows.
    assert [len(f["results"]) for f in facet_results(data).values()] == [5, 2, 2, 5]
    assert facet_results(data)["kind"]["truncated"] is True
    data = get_json(
        [sample_path], f"/timeline/developments.json?_size=0&_facet_size=max&{TABLE_EXTRAS}"
    )
    facets = facet_results(data)
    assert list(facets) == ["kind", "status", "countries", "tags"]
    assert facets["tags"]["type"] == "array"
    assert facet_counts(facets["kind"]) == {
        "statement": 8,
        "consultation": 2,
        "visit": 2,
        "agreement": 1,
        "dialogue": 1,
        "meeting": 1,
        "summit": 1,
        "talks": 1,
    }
    assert facet_counts(facets["status"]) == {"occurred": 13, "scheduled": 4}
    assert facets["countries"]["type"] == "array"
    assert facet_counts(facets["countries"]) == {"CN": 12, "US": 5}
    tags = facet_counts(facets["tags"])
    assert tags["china-us"] == 17
    assert tags["five-point-consensus"] == 6
    assert tags["expert-comment"] == 2


def test_a_facet_filters(sample_path):
    rows = get_json(
        [sample_path], "/timeline/developments.json?status=scheduled&_shape=array&_col=status"
    )
    assert sorted(r["id"] for r in rows) == sorted(
        i for i, d in BY_ID.items() if d["status"] == "scheduled"
    )
    rows = get_json(
        [sample_path], "/timeline/developments.json?tags__arraycontains=expert-comment&_shape=array"
    )
    assert sorted(r["id"] for r in rows) == [
        SU_XIAOHUI,
        "2024-04-26-wang-yiwei-on-zero-sum-mentality",
    ]


def test_default_sort_is_start_descending(sample_path):
    data = get_json(
        [sample_path], f"/timeline/developments.json?_size=max&_shape=objects&{TABLE_EXTRAS}"
    )
    assert data["human_description_en"] == "sorted by start descending"
    assert data["query"]["sql"].endswith("order by start desc limit 1001")
    starts = [row["start"] for row in data["rows"]]
    dated = [s for s in starts if s is not None]
    assert dated == sorted(dated, reverse=True)
    assert starts == [*dated, None, None, None, None]  # the four without a date come last
    assert (dated[0], dated[-1]) == ("2024-04-26", "2023-11-15")
    assert sorted(row["id"] for row in data["rows"]) == sorted(BY_ID)


# --- full-text search -----------------------------------------------------------------


def search(path: Path, words: str) -> list[str]:
    rows = get_json([path], f"/timeline/developments.json?_search={words}&_shape=array")
    return sorted(row["id"] for row in rows)


def test_search_chinese_native_name(sample_path):
    # Wang Yi (王毅) took part in the talks and the consensus; Wang Yiwei is someone else.
    assert search(sample_path, "王毅") == [
        CONSENSUS,
        "2024-04-26-wang-yi-holds-talks-with-antony-blinken",
    ]
    assert search(sample_path, "%E7%8E%8B%E6%AF%85") == search(sample_path, "王毅")


def test_search_english(sample_path):
    assert search(sample_path, "Blinken") == [
        "2024-04-24-antony-blinken-visits-china",
        CONSENSUS,
        SU_XIAOHUI,
        "2024-04-26-wang-yi-holds-talks-with-antony-blinken",
        "2024-04-26-wang-yiwei-on-zero-sum-mentality",
        MEETING,
    ]
    # Porter stemming: "meets" finds the titles and summaries that say "meeting".
    assert MEETING in search(sample_path, "meets")
    assert search(sample_path, "rivalry") == [SU_XIAOHUI]  # in the quote
    assert search(sample_path, "nothinglikethis") == []


def test_a_renderer_on_a_later_page_renders_the_whole_selection(sample_path):
    """The "This data as ics" link of page 2 carries the page's ``_next``: the calendar is
    still every development the page's filters select, not those after the page."""
    page = get_json([sample_path], f"/timeline/developments.json?_size=5&{TABLE_EXTRAS}")
    token = page["next"]
    assert token
    whole, later, malformed = fetch(
        [sample_path],
        "/timeline/developments.ics",
        f"/timeline/developments.ics?_size=5&_next={token}",
        "/timeline/developments.ics?_next=10",
    )
    assert whole.status_code == later.status_code == malformed.status_code == 200
    events = [a.text[a.text.index("BEGIN:VEVENT") :] for a in (whole, later, malformed)]
    assert events[0].count("BEGIN:VEVENT") == 13  # every development with a date
    assert events[1] == events[2] == events[0]


def test_search_html_page(sample_path):
    (page,) = fetch([sample_path], "/timeline/developments?_search=王毅")
    assert page.status_code == 200
    assert "2 rows where search matches" in page.text


# --- canned queries -------------------------------------------------------------------


def test_scheduled_next(sample_path):
    assert query(sample_path, "scheduled_next.json") == [
        {
            "id": dev_id,
            "title": BY_ID[dev_id]["title"],
            "kind": BY_ID[dev_id]["kind"],
            "status": "scheduled",
            "when": None,
            "start": None,
            "announced_in": CONSENSUS,
            "status_reason": None,
        }
        for dev_id in (
            "china-us-ai-dialogue-first-meeting",
            "china-us-asia-pacific-consultations",
            "china-us-maritime-consultations",
            "liu-zhenmin-visit-to-the-us",
        )
    ]


def test_scheduled_next_puts_dates_first_and_shows_postponements(sample_path, db):
    service.append(
        db,
        [
            service.submit(
                "DevelopmentPostponed",
                {
                    "development": "china-us-maritime-consultations",
                    "when": "2024-06",
                    "reason": "Later.",
                },
            ),
            service.submit("DevelopmentCancelled", {"development": "liu-zhenmin-visit-to-the-us"}),
        ],
    )
    rows = query(sample_path, "scheduled_next.json")
    assert [(r["id"], r["status"], r["when"], r["start"], r["status_reason"]) for r in rows] == [
        ("china-us-maritime-consultations", "postponed", "2024-06", "2024-06-01", "Later."),
        ("china-us-ai-dialogue-first-meeting", "scheduled", None, None, None),
        ("china-us-asia-pacific-consultations", "scheduled", None, None, None),
    ]


BETWEEN = ("id", "title", "kind", "status", "when", "start", "end", "precision", "countries")
ON_THE_26TH = [row[0] for row in SAMPLE_ROWS if row[5] == "2024-04-26"]


def test_between_dates(sample_path):
    rows = query(sample_path, "between_dates.json?from=2024-04-25&to=2024-04-26")
    # The visit (24-26) overlaps; then the 26th, by id.
    assert rows == developments(
        "2024-04-24-antony-blinken-visits-china", *sorted(ON_THE_26TH), columns=BETWEEN
    )
    rows = query(sample_path, "between_dates.json?from=2023-01-01&to=2024-04-24")
    assert rows == developments(
        "2023-11-15-biden-xi-summit", "2024-04-24-antony-blinken-visits-china", columns=BETWEEN
    )
    assert query(sample_path, "between_dates.json?from=2024-05-01&to=2024-12-31") == []


INVOLVING = ("id", "title", "kind", "status", "when", "start", "countries")


def test_involving_actor(sample_path):
    rows = query(sample_path, "involving_actor.json?name=wang+yi")
    assert rows == developments(
        CONSENSUS, "2024-04-26-wang-yi-holds-talks-with-antony-blinken", columns=INVOLVING
    )
    # Participant, speaker or visitor, in any case.
    rows = query(sample_path, "involving_actor.json?name=ANTONY+BLINKEN")
    assert rows == developments(
        "2024-04-24-antony-blinken-visits-china",
        CONSENSUS,
        "2024-04-26-wang-yi-holds-talks-with-antony-blinken",
        MEETING,
        columns=INVOLVING,
    )
    rows = query(sample_path, "involving_actor.json?name=Xi+Jinping")
    xi_statements = sorted(i for i in ON_THE_26TH if i.startswith("2024-04-26-xi-jinping-on-"))
    assert rows == developments(
        "2023-11-15-biden-xi-summit", MEETING, *xi_statements, columns=INVOLVING
    )
    assert query(sample_path, "involving_actor.json?name=Nobody") == []


def test_involving_actor_any_case_beyond_ascii(sample_path, db):
    service.append(
        db,
        [
            service.submit(
                "StatementMade",
                {
                    "development": "2024-05-01-erdogan-on-talks",
                    "title": "Erdoğan on the talks",
                    "when": "2024-05-01",
                    "speaker": "Recep Tayyip Erdoğan",
                    "quote": "We welcome the talks.",
                },
            )
        ],
    )
    found = query(sample_path, "involving_actor.json?name=recep+tayyip+erdoğan")
    assert [r["id"] for r in found] == ["2024-05-01-erdogan-on-talks"]
    found = query(sample_path, "involving_actor.json?name=RECEP+TAYYIP+ERDOĞAN")
    assert [r["id"] for r in found] == ["2024-05-01-erdogan-on-talks"]


def test_involving_actor_finds_every_name_of_the_actor(sample_path, db):
    # The sample describes Wang Yi with his native name; an alias comes with a new
    # description (made with `timeline add actor`), and the full-text index follows.
    talks = [
        "2024-04-26-five-point-consensus",
        "2024-04-26-wang-yi-holds-talks-with-antony-blinken",
    ]
    assert [r["id"] for r in query(sample_path, "involving_actor.json?name=王毅")] == talks
    assert query(sample_path, "involving_actor.json?name=Wang+Yi+(diplomat)") == []
    result = CliRunner().invoke(cli, ["--db", str(sample_path), "add", "actor", "Wang Yi",
                                      "--native-name", "王毅", "--country", "CN",
                                      "--alias", "Wang Yi (politician)", "--wikidata", "Q123456"])  # fmt: skip
    assert result.exit_code == 0, result.output
    found = query(sample_path, "involving_actor.json?name=wang+yi+(POLITICIAN)")
    assert [r["id"] for r in found] == talks
    searched = query(sample_path, "developments.json?_search=politician&_col=id")
    assert sorted(r["id"] for r in searched) == talks


def quote_row(dev_id: str) -> dict[str, Any]:
    data = sample_data(dev_id)
    return {
        "speaker": data["speaker"],
        "quote": data["quote"],
        "when": "2024-04-26",
        "title": BY_ID[dev_id]["title"],
        "development": dev_id,
    }


def test_quotes_by_speaker(sample_path):
    xi_statements = sorted(i for i in ON_THE_26TH if i.startswith("2024-04-26-xi-jinping-on-"))
    assert query(sample_path, "quotes_by_speaker.json?speaker=xi+jinping") == [
        quote_row(i) for i in xi_statements
    ]
    assert query(sample_path, "quotes_by_speaker.json?speaker=Su+Xiaohui") == [
        quote_row(SU_XIAOHUI)
    ]
    # Empty: everyone, by speaker.
    assert query(sample_path, "quotes_by_speaker.json?speaker=") == [
        quote_row(SU_XIAOHUI),
        quote_row("2024-04-26-wang-yiwei-on-zero-sum-mentality"),
        *(quote_row(i) for i in xi_statements),
    ]
    assert query(sample_path, "quotes_by_speaker.json?speaker=Wang+Yi") == []


def test_agreements(sample_path):
    points = sample_data(CONSENSUS)["points"]
    assert len(points) == 5
    assert query(sample_path, "agreements.json") == [
        {
            "id": CONSENSUS,
            "title": "China and the U.S. reach a five-point consensus",
            "when": "2024-04-26",
            "parties": '["CN", "US"]',
            "position": position,
            "point": point,
        }
        for position, point in enumerate(points, start=1)
    ]


def log_rows(db, where: str = "", params: tuple = ()) -> list[tuple]:
    return db.execute(
        f"SELECT seq, stream_version, type, recorded_at, data FROM events {where} ORDER BY seq",
        params,
    ).fetchall()


def test_development_history(sample_path, db):
    rows = query(sample_path, f"development_history.json?development={CONSENSUS}")
    assert [(r["seq"], r["stream_version"], r["type"], r["reason"]) for r in rows] == [
        (11, 1, "AgreementReached", None),
        (12, 2, "DevelopmentsLinked", None),
    ]
    assert [
        (r["seq"], r["stream_version"], r["type"], r["recorded_at"], r["data"]) for r in rows
    ] == log_rows(db, "WHERE stream = ?", (CONSENSUS,))
    assert json.loads(rows[0]["data"]) == sample_data(CONSENSUS)
    assert json.loads(rows[1]["data"]) == {
        "from": CONSENSUS,
        "to": "2023-11-15-biden-xi-summit",
        "relation": "implements",
    }


def test_development_history_keeps_a_retracted_development(sample_path, db):
    service.append(
        db,
        [
            service.submit(
                "DevelopmentRetracted", {"development": SU_XIAOHUI, "reason": "Off topic."}
            )
        ],
    )
    rows = query(sample_path, f"development_history.json?development={SU_XIAOHUI}")
    assert [(r["seq"], r["stream_version"], r["type"], r["reason"]) for r in rows] == [
        (21, 1, "StatementMade", None),
        (23, 2, "DevelopmentsLinked", None),
        (28, 3, "DevelopmentRetracted", "Off topic."),
    ]
    assert SU_XIAOHUI not in [r["id"] for r in query(sample_path, "developments.json")]


def test_the_log(sample_path, db):
    rows = query(sample_path, "the_log.json")
    assert [r["seq"] for r in rows] == list(range(27, 0, -1))
    expected = db.execute(
        "SELECT seq, recorded_at, type, stream, stream_version, data, meta, hash "
        "FROM events ORDER BY seq DESC"
    ).fetchall()
    assert [tuple(r.values()) for r in rows] == expected
    lines = sample_lines()
    assert [(r["type"], json.loads(r["meta"])) for r in reversed(rows)] == [
        (line["type"], line["meta"]) for line in lines
    ]
    assert rows[-1]["stream"] == "actor:xi-jinping"
    assert rows[0]["stream"] == "china-us-maritime-consultations"


# --- what is shown, and to whom -------------------------------------------------------


def test_html_in_a_title_is_escaped(sample_path, db):
    service.append(
        db,
        [
            service.submit(
                "TalksHeld",
                {
                    "development": "script-talks",
                    "title": "<script>alert(1)</script> talks",
                    "when": "2024-05-01",
                    "participants": [{"name": "<b>Mallory</b>"}],
                },
            ),
            # A label: the part_of column shows the title of the development it points at.
            service.submit(
                "MeetingHeld",
                {
                    "development": "follow-up",
                    "title": "Follow-up meeting",
                    "when": "2024-05-02",
                    "participants": [{"name": "Alice"}],
                    "part_of": "script-talks",
                },
            ),
        ],
    )
    table, row, participants = fetch(
        [sample_path],
        "/timeline/developments",
        "/timeline/developments/script-talks",
        "/timeline/participants",
    )
    # On the table page, twice as text: its own title, and the label of the follow-up's
    # part_of (Datasette 1.0 also puts it, escaped, in the row's data-row-label).
    assert table.text.count(">&lt;script&gt;alert(1)&lt;/script&gt; talks<") == 2
    for page in (table, row):
        assert page.status_code == 200
        assert "&lt;script&gt;alert(1)&lt;/script&gt; talks" in page.text
        assert "<script>alert(1)</script>" not in page.text
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in participants.text
    assert "<b>Mallory</b>" not in participants.text


@pytest.fixture
def other_path(tmp_path: Path) -> Path:
    """A database of another program, with a table that happens to share a name."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE developments (id TEXT PRIMARY KEY, title TEXT, start TEXT)")
        conn.execute("INSERT INTO developments VALUES ('x', 'Housing development', '2024-01-01')")
    conn.close()
    return path


def test_other_databases_get_none_of_it(sample_path, other_path):
    paths = [sample_path, other_path]
    metadata = held_metadata(paths)
    assert list(metadata["databases"]) == ["timeline"]
    # The instance title would claim the other database too, so it is left out.
    assert "title" not in metadata
    other = get_json(paths, "/other.json")
    assert other["queries"] == []
    table = get_json(paths, f"/other/developments.json?{TABLE_EXTRAS}")
    assert facet_results(table) == {}
    assert table["human_description_en"] == ""
    assert (
        table["query"]["sql"] == "select id, title, start from developments order by id limit 101"
    )
    (missing,) = fetch(paths, "/other/scheduled_next.json")
    assert missing.status_code == 404
    (page,) = fetch(paths, "/other/developments")
    assert "Every development as it stands now" not in page.text
    # The timeline next to it keeps everything.
    ours = get_json(paths, "/timeline.json")
    # Datasette 1.0 lists the first five and counts them all.
    assert ours.get("queries_count", len(ours["queries"])) == 7
    facets = get_json(paths, f"/timeline/developments.json?_size=0&{TABLE_EXTRAS}")
    assert list(facet_results(facets)) == [
        "kind",
        "status",
        "countries",
        "tags",
    ]


def test_other_database_alone_gets_nothing(other_path, plugin):
    metadata = held_metadata([other_path])
    assert metadata == {}


def test_what_the_user_sets_wins_over_ours(sample_path):
    """Metadata, a table setting and a query of the same name, set by the user, are kept
    (0.65 merges theirs over ours; on 1.0 the plugin leaves alone what is already set)."""
    table = {"description": "Mine", "facets": ["status"]}
    queries = {"the_log": {"sql": "select 1 as one", "title": "Not the log"}}
    mine: dict[str, Any] = {"metadata": {"title": "My archive"}}
    mine["metadata"]["databases"] = {"timeline": {"tables": {"developments": table}}}
    if hasattr(Datasette, "get_instance_metadata"):  # 1.0: queries are configuration
        mine["config"] = {"databases": {"timeline": {"queries": queries}}}
    else:
        mine["metadata"]["databases"]["timeline"]["queries"] = queries

    async def run() -> list[Any]:
        ds = Datasette([str(sample_path)], **mine)
        await ds.invoke_startup()
        urls = ("/", "/timeline/developments", f"/timeline/developments.json?{TABLE_EXTRAS}")
        return [
            *[await ds.client.get(url) for url in urls],
            await ds.client.get("/timeline/the_log.json?_shape=array"),
        ]

    index, page, table, the_log = asyncio.run(run())
    assert "<h1>My archive</h1>" in index.text
    assert "Mine" in page.text
    assert "Every development as it stands now" not in page.text
    assert list(facet_results(table.json())) == ["status"]
    assert the_log.json() == [{"one": 1}]
    # Datasette 0.65 merged the user's query into what the hook returned, not into ours.
    assert CANNED_QUERIES["the_log"]["sql"].startswith("select seq, recorded_at")


# --- timeline demo and timeline serve -------------------------------------------------


def timeline_command(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real `timeline` command (as `python -m timeline`) in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_demo_builds_the_samples_once_and_shows_the_merged_visit(tmp_path: Path):
    # A process of its own rather than CliRunner: under plain `pytest` the package's
    # resources resolve to tests/timeline (see support.SAMPLE), and demo reads its sample so.
    path = tmp_path / "demo.db"
    first = timeline_command("demo", "--no-serve", "--db", str(path))
    assert (first.returncode, first.stderr) == (0, "")
    lines = first.stdout.splitlines()
    assert lines[:3] == [
        f"{path}: 27 sample events added, 0 were already there; the Office of the "
        "Historian's trips of Secretary Blinken: 241 created, 0 revised, 0 unchanged.",
        "Merged the Historian's hsg-trip-4229 into the article's visit, "
        "2024-04-24-antony-blinken-visits-china:",
        "2024-04-24-antony-blinken-visits-china  (visit, occurred, version 2)",
    ]
    sources = [line.split()[-1] for line in lines if line.startswith("  source:")]
    assert sources == [
        "https://news.cgtn.com/news/2024-04-26/Xi-Jinping-urges-major-country-responsibilities"
        "-for-China-and-U-S--1tba2kmSAnu/p.html",
        "https://history.state.gov/departmenthistory/travels/secretary/blinken-antony-j",
    ]
    assert "  when:         2024-04-24/2024-04-26  (day: 2024-04-24 to 2024-04-26)" in lines
    assert "  disputed:     when: history.state.gov: 2024-04-24/2024-04-27" in lines
    assert lines[-1] == f"Browse it with: timeline serve --db {path}"
    again = timeline_command("demo", "--no-serve", "--db", str(path))
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.splitlines()[:2] == [
        f"{path}: 0 sample events added, 27 were already there; the Office of the "
        "Historian's trips of Secretary Blinken: 0 created, 0 revised, 240 unchanged.",
        "Merged earlier, the Historian's hsg-trip-4229 into the article's visit, "
        "2024-04-24-antony-blinken-visits-china:",
    ]
    db = open_db(path)
    try:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone() == (27 + 241 + 1,)
        # The seed's 17 developments and 241 trips, one of them merged into the seed's visit.
        assert db.execute("SELECT COUNT(*) FROM developments").fetchone() == (17 + 241 - 1,)
    finally:
        db.close()


@pytest.mark.slow
def test_serve_answers_on_localhost(sample_path, tmp_path: Path):
    with serving(sample_path, tmp_path / "serve.log") as base:
        versions = http_json(f"{base}/-/versions.json")
        assert "datasette" in versions
        data = http_json(f"{base}/timeline/developments.json?_size=max&{TABLE_EXTRAS}")
        assert row_count(data) == 17
        assert data["human_description_en"] == "sorted by start descending"
        assert list(facet_results(data)) == ["kind", "status", "countries", "tags"]
        with urllib.request.urlopen(f"{base}/", timeout=5) as index:
            assert "<h1>Diplomatic timeline</h1>" in index.read().decode("utf-8")
