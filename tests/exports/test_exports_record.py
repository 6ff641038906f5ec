"""The export record: one definition that the selection, every format and the tests share."""

from __future__ import annotations

import json
from pathlib import Path

from timeline.exports import html, json_doc
from timeline.exports import record as definition

from timeline import service
from timeline.selection import records


def test_the_json_document_and_its_schema_follow_the_record() -> None:
    development = json_doc.schema()["$defs"]["development"]
    assert json_doc.FIELDS == definition.FIELDS
    assert list(development["properties"]) == list(definition.FIELDS)
    defs = json_doc.schema()["$defs"]
    for field, name in (
        ("place", "place"),
        ("participants", "participant"),
        ("sources", "source"),
        ("links", "link"),
    ):
        assert definition.NESTED[field] == tuple(defs[name]["required"])
    lists = {key for key, spec in development["properties"].items() if spec.get("type") == "array"}
    assert lists == definition.LISTS


def test_every_field_says_what_a_subscriber_gets() -> None:
    """Each docstring is read by Datasette's column descriptions and the JSON Schema too."""
    for small in (
        definition.Record,
        definition.Place,
        definition.Participant,
        definition.Source,
        definition.Link,
    ):
        undocumented = set(small.__annotations__) - set(definition.described(small))
        assert not undocumented, f"{small.__name__}: {sorted(undocumented)} have no docstring"


def test_the_selection_builds_the_record_in_order(db) -> None:
    sample = Path(service.__file__).with_name("sample") / "blinken-beijing-2024-04.jsonl"
    with sample.open(encoding="utf-8") as stream:
        service.import_file(db, stream)
    selected = list(records(db.conn))
    assert len(selected) == 17
    for one in selected:
        assert tuple(one) == definition.FIELDS
        if one["place"] is not None:
            assert tuple(one["place"]) == definition.NESTED["place"]
        for field in ("participants", "sources", "links"):
            assert all(tuple(item) == definition.NESTED[field] for item in one[field])


def test_the_tests_build_the_same_record(record) -> None:
    assert tuple(record()) == definition.FIELDS


def test_the_page_embeds_every_field_of_the_record(record) -> None:
    page = "".join(html.render([record()], title="t"))
    data = page.split('id="timeline-data">', 1)[1].split("</script>", 1)[0]
    (embedded,) = json.loads(data)["developments"]
    assert tuple(embedded) == definition.FIELDS
