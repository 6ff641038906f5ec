"""`timeline import` of the Office of the Historian's travels and visits, as a user runs it."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import importers, service
from timeline.cli import cli
from timeline.db import open_db
from timeline.log import EventLog

DATA = Path(__file__).resolve().parents[1] / "data" / "hsg"
BLINKEN = DATA / "travels-secretary-blinken-antony-j.xml"
BIDEN = DATA / "travels-president-biden-joseph-r.xml"
VISITS = DATA / "visits-2020.xml"
QUIRKS = DATA / "quirks-travels.xml"


def ok(runner: CliRunner, args: list[str], input: str | bytes | None = None) -> str:
    result = runner.invoke(cli, args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(runner: CliRunner, args: list[str], input: str | bytes | None = None) -> str:
    result = runner.invoke(cli, args, input=input)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def rows(db_path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def event_count(db_path: Path) -> int:
    return rows(db_path, "SELECT COUNT(*) FROM events")[0][0]


def trip(
    record_id: int,
    country: str,
    *,
    start: str = "2021-03-15",
    end: str = "2021-03-17",
    slug: str = "japan",
    locale: str = "Tokyo",
) -> str:
    return f"""    <trip role="secretary" who="blinken-antony-j">
        <id>{record_id}</id>
        <role>secretary</role>
        <name>Antony John Blinken</name>
        <start-date>{start}</start-date>
        <end-date>{end}</end-date>
        <country id="{slug}">{country}</country>
        <locale>{locale}</locale>
        <remarks>Met the foreign minister.</remarks>
        <created-by>crafted</created-by>
        <created-datetime>2021-09-21T12:21:00-04:00</created-datetime>
        <last-modified-by>crafted</last-modified-by>
        <last-modified-datetime/>
    </trip>
"""


def trips(*items: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<trips>\n' + "".join(items) + "</trips>\n"


# --- travels ---------------------------------------------------------------------------------


def test_the_secretarys_travels_become_visits_with_readable_ids(
    runner: CliRunner, db_path: Path
) -> None:
    out = ok(runner, ["import", str(BLINKEN)])
    assert out == (
        "Imported travels-secretary-blinken-antony-j.xml (hsg-travels): 241 created, "
        "0 revised, 0 unchanged; 241 events appended.\n"
    )
    assert rows(db_path, "SELECT COUNT(*) FROM developments WHERE kind = 'visit'") == [(241,)]
    row = rows(
        db_path,
        "SELECT title, start, end, summary, status FROM developments WHERE id = 'hsg-trip-3993'",
    )
    assert row == [
        (
            "Secretary of State Antony John Blinken visits South Korea",
            "2021-03-17",
            "2021-03-18",
            "Attended a U.S.-ROK Foreign and Defense Ministerial and met with Foreign Minister "
            "Chung Eui-yong.",
            "occurred",
        )
    ]
    data, meta = rows(db_path, "SELECT data, meta FROM events WHERE stream = 'hsg-trip-3993'")[0]
    data = json.loads(data)
    assert data["visitor"] == "Antony John Blinken"
    assert data["host_country"] == "KR"
    assert data["place"] == {"city": "Seoul", "country": "KR"}
    assert data["participants"] == [
        {"name": "Antony John Blinken", "role": "Secretary of State", "country": "US"}
    ]
    assert data["sources"] == [
        {
            "url": "https://history.state.gov/departmenthistory/travels/secretary/blinken-antony-j",
            "title": "Travels of the Secretary of State: Antony John Blinken",
            "publisher": "Office of the Historian, U.S. Department of State",
        }
    ]
    assert json.loads(meta) == {
        "import": {
            "format": "hsg-travels",
            "file": "travels-secretary-blinken-antony-j.xml",
            "id": "3993",
            "created_by": "cabrerath",
            "created_datetime": "2021-09-21T12:24:00-04:00",
            "last_modified_by": "doa-exist-temp",
        }
    }


def test_several_cities_stay_the_place_of_one_visit(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["import", str(BIDEN)])
    place = rows(
        db_path,
        "SELECT places.city, places.country FROM developments "
        "JOIN places ON places.id = developments.place WHERE developments.id = 'hsg-trip-4113'",
    )
    assert place == [("London, Cornwall", "GB")]


def test_a_repeated_trip_lands_on_two_developments(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["import", str(BLINKEN)])
    both = rows(
        db_path,
        "SELECT id, start, end FROM developments WHERE id IN ('hsg-trip-3992', 'hsg-trip-4019')",
    )
    assert sorted(both) == [
        ("hsg-trip-3992", "2021-03-15", "2021-03-17"),
        ("hsg-trip-4019", "2021-03-15", "2021-03-17"),
    ]


def test_former_states_keep_their_former_codes(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["import", str(QUIRKS)])
    found = dict(
        rows(
            db_path,
            "SELECT stream, json_extract(data, '$.host_country') FROM events "
            "WHERE type = 'VisitMade'",
        )
    )
    assert found == {
        "hsg-trip-901": "SU",  # U.S.S.R., under the slug "russia"
        "hsg-trip-902": "YU",
        "hsg-trip-903": "CS",
        "hsg-trip-904": "DD",  # "German Democratic Republic", under the slug "germany"
        "hsg-trip-905": "SU",  # Kiev in July 1991 was in the Soviet Union
        "hsg-trip-906": "SU",
    }
    summary = rows(db_path, "SELECT summary FROM developments WHERE id = 'hsg-trip-901'")
    assert summary == [
        ("Attended a summit meeting with General Secretary Brezhnev. Signed the SALT I treaty.",)
    ]
    title = rows(db_path, "SELECT title FROM developments WHERE id = 'hsg-trip-901'")
    assert title == [("President Richard M. Nixon visits the U.S.S.R.",)]


def test_the_format_is_found_from_the_root_and_may_be_given(
    runner: CliRunner, db_path: Path
) -> None:
    out = ok(runner, ["import", str(VISITS), "--format", "hsg-visits", "--json"])
    assert json.loads(out)["created"] == 276
    line = refused(runner, ["import", str(VISITS), "--format", "hsg-travels"])
    assert line == "Error: line 2: <visits> is not the root of hsg-travels (it is <trips>)"


def test_xml_of_another_kind_is_refused_in_one_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?>\n<rss><channel/></rss>\n')
    assert refused(runner, ["import", str(path)]) == (
        "Error: line 1: an XML file whose root is <rss> is not one timeline imports "
        "(it reads <trips>, <visits>)"
    )


# --- visits ----------------------------------------------------------------------------------


def test_a_foreign_leaders_visit_is_a_visit_to_the_united_states(
    runner: CliRunner, db_path: Path
) -> None:
    ok(runner, ["import", str(VISITS)])
    data = json.loads(
        rows(db_path, "SELECT data FROM events WHERE stream = 'hsg-visit-2991'")[0][0]
    )
    assert data["title"] == "Prime Minister Kyriakos Mitsotakis visits the United States"
    assert data["when"] == "2020-01-07"
    assert data["visitor"] == "Prime Minister Kyriakos Mitsotakis"
    assert data["host_country"] == "US"
    assert data["participants"] == [
        {"name": "Kyriakos Mitsotakis", "role": "Prime Minister", "country": "GR"}
    ]
    assert data["summary"] == "Official Working Visit."
    assert data["sources"][0]["url"] == "https://history.state.gov/departmenthistory/visits/2020"
    kosovo = rows(
        db_path,
        "SELECT json_extract(data, '$.participants[0].country') FROM events "
        "WHERE json_extract(data, '$.visitor') LIKE '%Kurti%' OR "
        "json_extract(data, '$.participants[0].country') = 'XK' LIMIT 1",
    )
    assert kosovo == [("XK",)]


# --- refusals --------------------------------------------------------------------------------


def test_an_unmappable_country_names_the_line_and_nothing_is_imported(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "hawaii.xml"
    path.write_text(
        trips(trip(1, "Japan"), trip(2, "Kingdom of Hawaii", slug="hawaii", start="1881-01-20"))
    )
    line = refused(runner, ["import", str(path)])
    assert line == (
        "Error: line 23, <country>: no ISO 3166 country code for 'Kingdom of Hawaii' (id 'hawaii')"
    )
    assert event_count(db_path) == 0


def test_a_former_state_after_its_end_is_refused_naming_the_line(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "late.xml"
    path.write_text(trips(trip(1, "U.S.S.R.", slug="russia", start="1995-01-10", end="1995-01-11")))
    assert refused(runner, ["import", str(path)]) == (
        "Error: line 9, <country>: 'SU' is a former code, valid only for U.S.S.R. "
        "1922-12-30 to 1991-12-26, not for 1995-01-10/1995-01-11"
    )
    assert event_count(db_path) == 0


def test_a_bad_date_names_its_line(runner: CliRunner, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "dates.xml"
    path.write_text(trips(trip(1, "Japan", start="2021-02-30")))
    assert refused(runner, ["import", str(path)]) == (
        "Error: line 7, <start-date>: '2021-02-30' is not a date like 2021-03-15"
    )
    path.write_text(trips(trip(1, "Japan", start="2021-03-15", end="2021-03-01")))
    assert refused(runner, ["import", str(path)]).startswith("Error: line 7, <start-date>: ")
    assert event_count(db_path) == 0


def test_xml_that_is_not_well_formed_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(trips(trip(1, "Japan")).replace("</locale>", "</place>"))
    assert refused(runner, ["import", str(path)]) == (
        "Error: line 10: not well-formed XML: mismatched tag"
    )


def test_a_document_type_declaration_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "entities.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE trips [<!ENTITY a "aaaaaaaaaa">]>\n'
        + trips(trip(1, "Japan &a;")).split("\n", 1)[1]
    )
    assert refused(runner, ["import", str(path)]) == (
        "Error: line 2: a document type declaration is not read (the Historian's files have none)"
    )


# --- sync ------------------------------------------------------------------------------------


def test_importing_the_same_file_again_appends_nothing(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["import", str(BLINKEN)])
    before = event_count(db_path)
    out = ok(runner, ["import", str(BLINKEN)])
    assert out == (
        "Imported travels-secretary-blinken-antony-j.xml (hsg-travels): 0 created, "
        "0 revised, 241 unchanged; 0 events appended.\n"
    )
    assert event_count(db_path) == before


def test_a_newer_edition_revises_just_the_changed_fields_and_lists_what_is_gone(
    runner: CliRunner, db_path: Path
) -> None:
    ok(runner, ["import", str(DATA / "edition-1" / "trips.xml")])
    out = ok(runner, ["import", str(DATA / "edition-2" / "trips.xml")])
    assert out.splitlines() == [
        "Imported trips.xml (hsg-travels): 1 created, 1 revised, 1 unchanged; 2 events appended.",
        "No longer in the file (--retract-missing retracts them): hsg-trip-4231",
    ]
    revision = rows(db_path, "SELECT data, meta FROM events WHERE type = 'DevelopmentRevised'")
    assert len(revision) == 1
    data, meta = (json.loads(text) for text in revision[0])
    assert data == {
        "development": "hsg-trip-4229",
        "changes": {
            "when": "2024-04-24/2024-04-27",
            "summary": "Met with President Xi Jinping and Foreign Minister Wang Yi.",
        },
        "reason": "updated at source",
    }
    assert meta["import"]["last_modified_datetime"] == "2024-06-03T11:00:00-04:00"
    assert rows(db_path, "SELECT end, version FROM developments WHERE id = 'hsg-trip-4229'") == [
        ("2024-04-27", 2)
    ]
    assert rows(db_path, "SELECT COUNT(*) FROM developments WHERE id = 'hsg-trip-4231'") == [(1,)]

    out = ok(runner, ["import", str(DATA / "edition-2" / "trips.xml"), "--retract-missing"])
    assert out.splitlines() == [
        "Imported trips.xml (hsg-travels): 0 created, 0 revised, 3 unchanged; 1 event appended.",
        "Retracted, no longer in the file: hsg-trip-4231",
    ]
    assert rows(db_path, "SELECT COUNT(*) FROM developments WHERE id = 'hsg-trip-4231'") == [(0,)]
    retraction = rows(
        db_path, "SELECT json_extract(data, '$.reason') FROM events ORDER BY seq DESC"
    )
    assert retraction[0] == ("no longer at source",)
    out = ok(runner, ["import", str(DATA / "edition-2" / "trips.xml"), "--retract-missing"])
    assert out.endswith("0 events appended.\n")
    assert ok(runner, ["verify"]).startswith("OK: 6 events")


def test_a_local_revision_is_kept_until_the_source_changes_that_field(
    runner: CliRunner, db_path: Path
) -> None:
    ok(runner, ["import", str(DATA / "edition-1" / "trips.xml")])
    ok(runner, ["revise", "hsg-trip-4230", "--tag", "wef", "--reason", "ours"])
    out = ok(runner, ["import", str(DATA / "edition-1" / "trips.xml")])
    assert "0 events appended" in out
    assert rows(db_path, "SELECT tag FROM tags WHERE development = 'hsg-trip-4230'") == [("wef",)]


def test_a_failing_record_in_a_newer_edition_leaves_the_log_as_it_was(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "next"
    folder.mkdir()
    ok(runner, ["import", str(DATA / "edition-1" / "trips.xml")])
    before = event_count(db_path)
    edition = (DATA / "edition-2" / "trips.xml").read_text()
    (folder / "trips.xml").write_text(edition.replace("<id>4232</id>", "<id>x y</id>"))
    line = refused(runner, ["import", str(folder / "trips.xml"), "--retract-missing"])
    assert line == "Error: line 34, <id>: 'x y' is not a record id like 4229"
    assert event_count(db_path) == before


def test_retract_missing_is_for_records_only(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("")
    result = runner.invoke(cli, ["import", str(path), "--retract-missing"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --retract-missing applies to records (XML, CSV), not to events "
        "(see: cli import --help)\n"
    )


def test_a_file_read_from_stdin_is_detected_too(runner: CliRunner, db_path: Path) -> None:
    out = ok(runner, ["import", "-", "--json"], input=BIDEN.read_bytes())
    assert json.loads(out)["created"] == 37
    out = ok(runner, ["import", "-"], input=BIDEN.read_bytes())
    assert out == (
        "Imported standard input (hsg-travels): 0 created, 0 revised, 37 unchanged; "
        "0 events appended.\n"
    )
    result = runner.invoke(cli, ["import", "-", "--retract-missing"], input=BIDEN.read_bytes())
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --retract-missing needs a file: ")


def test_the_formats_offered_are_the_importers(runner: CliRunner) -> None:
    from timeline.cli.recording import import_
    from timeline.importers import FORMATS

    option = next(param for param in import_.params if param.name == "format_")
    assert (
        tuple(option.type.choices)
        == tuple(FORMATS)
        == ("jsonl", "hsg-travels", "hsg-visits", "csv")
    )
    assert "[jsonl|hsg-travels|hsg-visits|csv]" in ok(runner, ["import", "--help"])


def test_an_import_planned_before_another_writer_fails_whole(db_path: Path) -> None:
    from timeline import importers, service
    from timeline.db import open_db
    from timeline.errors import SourceError

    db = open_db(db_path)
    with (DATA / "edition-1" / "trips.xml").open("rb") as first:
        importers.apply(db, importers.prepare(db, first, name="trips.xml", format="hsg-travels"))
    with (DATA / "edition-2" / "trips.xml").open("rb") as second:
        plan = importers.prepare(db, second, name="trips.xml", format="hsg-travels")
    data = {"development": "hsg-trip-4229", "changes": {"tags": ["x"]}, "reason": "meanwhile"}
    service.append_one(db, service.submit("DevelopmentRevised", data))
    before = event_count(db_path)
    with pytest.raises(SourceError) as caught:
        importers.apply(db, plan)
    assert str(caught.value) == (
        "line 5, <trip>: 'hsg-trip-4229' changed in the log while the file was read "
        "(stream hsg-trip-4229 is at version 2, not 1); nothing was written, "
        "import the file again"
    )
    assert event_count(db_path) == before
    db.close()


def test_the_progress_bar_shows_only_on_a_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["import", str(BIDEN)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    monkeypatch.setattr("timeline.cli.recording.on_terminal", lambda: True)
    other = str(tmp_path / "other.db")
    result = runner.invoke(cli, ["import", str(BIDEN), "--db", other])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Importing")
    assert result.stdout.startswith("Imported travels-president-biden-joseph-r.xml")
    result = runner.invoke(cli, ["import", str(BIDEN), "--db", other, "--silent"])
    assert result.stderr == ""


def test_a_control_character_in_the_text_is_refused_naming_the_line(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "controls.xml"
    path.write_text(trips(trip(1, "Japan")).replace("Met the", "Met&#x9B; the"))
    assert refused(runner, ["import", str(path)]) == (
        "Error: line 11, <remarks>: contains a control character (\\x9b)"
    )
    assert event_count(db_path) == 0


def test_a_changed_host_country_revises_the_place_and_is_named(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "moved.xml"
    path.write_text(trips(trip(1, "Japan", locale="Tokyo")))
    ok(runner, ["import", str(path)])
    path.write_text(trips(trip(1, "Korea, South", slug="korea-south", locale="Seoul")))
    out = ok(runner, ["import", str(path)])
    assert out.splitlines() == [
        "Imported moved.xml (hsg-travels): 0 created, 1 revised, 0 unchanged; 1 event appended.",
        "Changed at the source, but no event revises: hsg-trip-1: host_country",
    ]
    changes = rows(db_path, "SELECT json_extract(data, '$.changes') FROM events WHERE seq = 2")[0][
        0
    ]
    assert json.loads(changes) == {
        "title": "Secretary of State Antony John Blinken visits South Korea",
        "place": {"city": "Seoul", "country": "KR"},
    }


def test_a_development_retracted_here_is_not_brought_back(runner: CliRunner, db_path: Path) -> None:
    ok(runner, ["import", str(DATA / "edition-1" / "trips.xml")])
    ok(runner, ["retract", "hsg-trip-4230", "--reason", "not a visit"])
    out = ok(runner, ["import", str(DATA / "edition-1" / "trips.xml")])
    assert out.splitlines() == [
        "Imported trips.xml (hsg-travels): 0 created, 0 revised, 2 unchanged; 0 events appended.",
        "Left retracted here: hsg-trip-4230",
    ]


def test_an_older_trip_id_is_kept_readable(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "kissinger.xml"
    old = trip(977, "U.S.S.R.", slug="russia", start="1973-10-20", end="1973-10-22")
    path.write_text(trips(old.replace("<id>977</id>", "<id>Travel-977-secretary</id>")))
    ok(runner, ["import", str(path)])
    found = rows(
        db_path,
        "SELECT stream, json_extract(data, '$.host_country'), json_extract(meta, '$.import.id') "
        "FROM events",
    )
    assert found == [("hsg-trip-977-secretary", "SU", "Travel-977-secretary")]


def test_a_missing_element_is_named_with_its_record(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nameless.xml"
    text = trips(trip(1, "Japan")).replace('role="secretary" ', "")
    path.write_text(text.replace("<role>secretary</role>", ""))
    assert refused(runner, ["import", str(path)]) == "Error: line 3, <trip>: <role> is required"
    path.write_text(trips(trip(1, "Japan")).replace("<name>Antony John Blinken</name>", "<name/>"))
    assert refused(runner, ["import", str(path)]) == "Error: line 6, <name>: <name> is required"


_COUNTRIES = [
    ("japan", "Japan", "JP"),
    ("korea-south", "Korea, South", "KR"),
    ("china", "China", "CN"),
]
_WORDS = st.sampled_from(["Met", "the", "foreign", "minister", "&", "<summit>", "Tokyo", "ASEAN"])


@st.composite
def _trip_fields(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "end": draw(st.sampled_from(["2021-03-16", "2021-03-17", "2021-03-20"])),
        "country": draw(st.sampled_from(_COUNTRIES)),
        "locale": draw(st.sampled_from(["Tokyo", "Seoul", "Tokyo, Osaka"])),
        "remarks": " ".join(draw(st.lists(_WORDS, min_size=1, max_size=6))),
    }


def _one_trip(fields: dict[str, Any]) -> bytes:
    slug, label, _ = fields["country"]
    text = trip(7, label, end=fields["end"], slug=slug, locale=fields["locale"])
    text = text.replace("Met the foreign minister.", xml_escape(fields["remarks"]))
    return trips(text).encode("utf-8")


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trip_fields(), _trip_fields())
def test_an_edited_trip_revises_exactly_what_changed(before: dict, after: dict) -> None:
    db = open_db(":memory:")
    for fields in (before, after):
        plan = importers.prepare(
            db, io.BytesIO(_one_trip(fields)), name="t.xml", format="hsg-travels"
        )
        importers.apply(db, plan)
    revisions = [
        envelope.data["changes"]
        for envelope in EventLog(db).read()
        if envelope.type == "DevelopmentRevised"
    ]
    expected = set()
    if before["end"] != after["end"]:
        expected.add("when")
    if before["remarks"] != after["remarks"]:
        expected.add("summary")
    if (before["locale"], before["country"]) != (after["locale"], after["country"]):
        expected.add("place")
    if before["country"] != after["country"]:
        expected.add("title")
    assert [set(changes) for changes in revisions] == ([expected] if expected else [])
    if expected:
        assert revisions[0].get("summary", after["remarks"]) == after["remarks"]
    state = service.development_history(db, "hsg-trip-7")[0]
    assert state.summary == after["remarks"]
    assert state.place == {"city": after["locale"], "country": after["country"][2]}
    assert state.host_country == before["country"][2]  # a visit's own field: never revised
