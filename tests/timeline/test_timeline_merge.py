"""Merging duplicates: `timeline merge` and `unmerge`, as a user sees them in the command
line, the tables, the exports and Datasette."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import icalendar
import jsonschema
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from support import import_sample
from timeline.exports import json_doc

from timeline.cli import cli

HSG = Path(__file__).parents[1] / "data" / "hsg" / "travels-secretary-blinken-antony-j.xml"
VISIT = "2024-04-24-antony-blinken-visits-china"
TRIP = "hsg-trip-4229"
MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
HSG_PAGE = "https://history.state.gov/departmenthistory/travels/secretary/blinken-antony-j"


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def query(db_path: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def both(db, runner: CliRunner) -> CliRunner:
    """The seed sample and Blinken's travels from the Historian: the April 2024 visit twice."""
    import_sample(db)
    ok(runner, "import", str(HSG), "--silent")
    return runner


@pytest.fixture
def merged(both: CliRunner) -> CliRunner:
    ok(both, "merge", VISIT, TRIP, "--reason", "the Historian's record of the same visit")
    return both


def test_a_merge_joins_the_duplicate_to_the_kept_development(merged, db_path) -> None:
    assert query(db_path, "SELECT id FROM developments WHERE id = ?", TRIP) == []
    sources = query(
        db_path, "SELECT url FROM sources WHERE development = ? ORDER BY position", VISIT
    )
    assert sources[-1] == (HSG_PAGE,)
    assert len(sources) == 2
    # The same person by a fuller name is not a second participant: the name is disputed.
    assert query(db_path, "SELECT name FROM participants WHERE development = ?", VISIT) == [
        ("Antony Blinken",)
    ]
    (row,) = query(db_path, "SELECT duplicate, development, reason, disputed FROM merges")
    assert row[:3] == (TRIP, VISIT, "the Historian's record of the same visit")
    assert json.loads(row[3]) == [
        "title: history.state.gov: Secretary of State Antony John Blinken visits the People\u2019s "
        "Republic of China",
        "when: history.state.gov: 2024-04-24/2024-04-27",
        "summary: history.state.gov: Met with President Xi Jinping, Director of the Chinese "
        "Communist Party Central Foreign Affairs Commission and Foreign Minister Wang Yi, and "
        "senior PRC officials.",
        "place: history.state.gov: Shanghai, Beijing, CN",
        "participants: history.state.gov: Antony John Blinken",
        "visitor: history.state.gov: Antony John Blinken",
    ]
    # The kept development keeps its own date; the other is in its history.
    assert query(db_path, "SELECT [when] FROM developments WHERE id = ?", VISIT) == [
        ("2024-04-24/2024-04-26",)
    ]
    ((data,),) = query(
        db_path,
        "SELECT data FROM history WHERE development = ? AND type = 'DevelopmentsMerged'",
        VISIT,
    )
    assert {
        "field": "when",
        "value": "2024-04-24/2024-04-27",
        "said_by": "history.state.gov",
    } in json.loads(data)["disputed"]
    assert "tables equal a rebuild" in ok(merged, "verify")


def test_show_says_where_the_duplicate_went_and_what_was_disputed(merged) -> None:
    shown = ok(merged, "show", TRIP)
    assert shown.splitlines()[:2] == [
        f"{TRIP}  (visit, merged, version 1)",
        f"  merged into:  {VISIT}  (seq 269: the Historian's record of the same visit); "
        f"see timeline show {VISIT}",
    ]
    shown_json = json.loads(ok(merged, "show", TRIP, "--json"))
    assert shown_json["development"]["status"] == "merged"
    assert shown_json["merged_into"] == {
        "into": VISIT,
        "seq": 269,
        "reason": "the Historian's record of the same visit",
    }
    kept = ok(merged, "show", VISIT)
    assert f"  source:       {HSG_PAGE}" in kept
    assert f"  merged:       {TRIP}  (the Historian's record of the same visit)" in kept
    assert "  disputed:     when: history.state.gov: 2024-04-24/2024-04-27" in kept
    assert "DevelopmentsMerged  merged hsg-trip-4229: the Historian's record" in kept


def test_exports_show_one_development_and_as_of_before_the_merge_shows_both(merged) -> None:
    def calendar(*args: str) -> list[str]:
        ics = icalendar.Calendar.from_ical(
            ok(merged, "export", "ical", "--from", "2024-04-24", "--to", "2024-04-27", *args)
        )
        return sorted(str(e["UID"]).split("@")[0] for e in ics.walk("VEVENT"))

    now = calendar()
    assert VISIT in now
    assert TRIP not in now
    before = calendar("--as-of", "268")
    assert {VISIT, TRIP} <= set(before)
    document = json.loads(ok(merged, "export", "json", "--kind", "visit"))
    jsonschema.Draft202012Validator(json_doc.schema()).validate(document)
    visits = {d["id"]: d for d in document["developments"]}
    assert TRIP not in visits
    assert HSG_PAGE in json.dumps(visits[VISIT])


def test_an_unmerge_restores_both_and_a_rebuild_equals_the_tables(merged, db_path) -> None:
    ok(merged, "unmerge", VISIT, TRIP, "--reason", "two different visits after all")
    assert query(db_path, "SELECT [when], source_url FROM developments WHERE id = ?", TRIP) == [
        ("2024-04-24/2024-04-27", HSG_PAGE)
    ]
    assert query(db_path, "SELECT url FROM sources WHERE development = ?", VISIT) != []
    assert (HSG_PAGE,) not in query(db_path, "SELECT url FROM sources WHERE development = ?", VISIT)
    assert query(db_path, "SELECT * FROM merges") == []
    assert "merged into" not in ok(merged, "show", TRIP)
    # Merged again, then everything rebuilt: the same tables.
    ok(merged, "merge", VISIT, TRIP, "--reason", "the same visit after all")
    assert "tables equal a rebuild" in ok(merged, "verify")
    ok(merged, "rebuild")
    assert query(db_path, "SELECT duplicate FROM merges") == [(TRIP,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["merge", VISIT, VISIT, "--reason", "r"],
            "Error: DUPLICATE: a development cannot be merged into itself",
        ),
        (
            ["merge", VISIT, "no-such-thing", "--reason", "r"],
            "Error: DUPLICATE: there is no development 'no-such-thing'",
        ),
        (
            ["merge", "hsg-trip-4228", TRIP, "--reason", "r"],
            f"Error: DUPLICATE: development '{TRIP}' was merged into '{VISIT}'; record it "
            "there (or `timeline unmerge` it first)",
        ),
        (
            ["merge", TRIP, "hsg-trip-4228", "--reason", "r"],
            f"Error: KEEP: development '{TRIP}' was merged into '{VISIT}'; record it there "
            "(or `timeline unmerge` it first)",
        ),
        (
            ["held", TRIP, "--when", "2024-04-25"],
            f"Error: DEVELOPMENT: development '{TRIP}' was merged into '{VISIT}'; record it "
            "there (or `timeline unmerge` it first)",
        ),
        (
            ["retract", VISIT, "--reason", "r"],
            f"Error: DEVELOPMENT: '{VISIT}' holds merged '{TRIP}'; unmerge it first",
        ),
        (
            ["merge", "hsg-trip-4228", VISIT, "--reason", "r"],
            f"Error: DUPLICATE: '{VISIT}' holds merged '{TRIP}'; unmerge it first",
        ),
        (
            ["unmerge", VISIT, "hsg-trip-4228", "--reason", "r"],
            f"Error: DUPLICATE: 'hsg-trip-4228' is not merged into '{VISIT}'",
        ),
        (
            ["merge", VISIT, "hsg-trip-4228", "--reason", "r", "--expect-version", "1"],
            f"Error: --expect-version: stream {VISIT} is at version 2, not 1; nothing was written",
        ),
    ],
)
def test_what_a_merge_refuses(merged, db_path, args, message) -> None:
    before = query(db_path, "SELECT COUNT(*) FROM events")
    assert refused(merged, *args) == message
    assert query(db_path, "SELECT COUNT(*) FROM events") == before


def test_a_duplicate_that_others_are_part_of_is_refused(both) -> None:
    assert refused(both, "merge", TRIP, VISIT, "--reason", "r") == (
        f"Error: DUPLICATE: '2024-04-26-five-point-consensus' refers to '{VISIT}' (part of, "
        f"announced in or linked to it); point it at '{TRIP}' first"
    )


def test_a_merge_with_the_expected_version_is_appended(both) -> None:
    out = json.loads(
        ok(both, "merge", VISIT, TRIP, "--reason", "same", "--expect-version", "1", "--json")
    )
    assert (out["development"], out["stream_version"]) == (VISIT, 2)


def test_datasette_sends_the_duplicates_row_page_to_the_kept_one(merged, db_path, plugin):
    async def fetch() -> tuple:
        ds = Datasette([str(db_path)])
        await ds.invoke_startup()
        page = await ds.client.get(f"/timeline/developments/{TRIP}")
        data = await ds.client.get(f"/timeline/developments/{TRIP}.json")
        kept = await ds.client.get(
            f"/timeline/developments/{VISIT}", cookies={"ds_messages": page.cookies["ds_messages"]}
        )
        missing = await ds.client.get("/timeline/developments/no-such-thing")
        return page, data, kept, missing

    page, data, kept, missing = asyncio.run(fetch())
    assert page.status_code == 302
    assert page.headers["location"] == f"/timeline/developments/{VISIT}"
    assert data.headers["location"] == f"/timeline/developments/{VISIT}.json"
    assert kept.status_code == 200
    assert (
        f"{TRIP} was merged into {VISIT}: the Historian&#39;s record of the same visit" in kept.text
    )
    assert missing.status_code == 404


def test_importing_the_file_again_leaves_the_merged_record_alone(merged, db_path) -> None:
    before = query(db_path, "SELECT COUNT(*) FROM events")
    out = ok(merged, "import", str(HSG), "--silent")
    assert out.splitlines()[-1] == f"Left merged here: {TRIP}"
    assert query(db_path, "SELECT COUNT(*) FROM events") == before
    report = json.loads(ok(merged, "import", str(HSG), "--silent", "--json"))
    assert (report["left_merged"], report["missing"], report["appended"]) == ([TRIP], [], 0)


def test_a_log_with_merges_and_unmerges_restores_hash_for_hash(merged, tmp_path) -> None:
    ok(merged, "unmerge", VISIT, TRIP, "--reason", "two visits")
    ok(merged, "merge", VISIT, TRIP, "--reason", "one visit after all")
    lines = tmp_path / "log.jsonl"
    lines.write_text(ok(merged, "log", "--json"), encoding="utf-8")
    copy = str(tmp_path / "copy.db")
    ok(merged, "import", str(lines), "--db", copy)
    assert ok(merged, "head", "--db", copy) == ok(merged, "head")
    assert "tables equal a rebuild" in ok(merged, "verify", "--db", copy)


def test_what_a_merge_brings_is_filled_in_not_taken(both) -> None:
    data = {"development": VISIT, "duplicate": TRIP, "reason": "r", "tags": ["made-up"]}
    assert refused(both, "append", "DevelopmentsMerged", "--data", json.dumps(data)) == (
        f"Error: data.tags: is filled in from '{TRIP}' when the merge is appended, and does "
        "not match what it holds"
    )
    del data["tags"]
    ok(both, "append", "DevelopmentsMerged", "--data", json.dumps(data))
    assert "  disputed:     when: history.state.gov: 2024-04-24/2024-04-27" in ok(
        both, "show", VISIT
    )


def test_a_duplicate_made_a_parent_in_the_same_import_is_refused(both, tmp_path) -> None:
    meeting = {
        "development": "2024-04-25-blinken-in-shanghai",
        "title": "Blinken meets the Party Secretary of Shanghai",
        "when": "2024-04-25",
        "participants": [{"name": "Antony Blinken"}, {"name": "Chen Jining"}],
        "part_of": TRIP,
    }
    merge = {"development": VISIT, "duplicate": TRIP, "reason": "the same visit"}
    lines = tmp_path / "batch.jsonl"
    lines.write_text(
        json.dumps({"type": "MeetingHeld", "data": meeting})
        + "\n"
        + json.dumps({"type": "DevelopmentsMerged", "data": merge})
        + "\n",
        encoding="utf-8",
    )
    assert refused(both, "import", str(lines)) == (
        f"Error: line 2: data.duplicate: '2024-04-25-blinken-in-shanghai' refers to '{TRIP}' "
        f"(part of, announced in or linked to it); point it at '{VISIT}' first"
    )
