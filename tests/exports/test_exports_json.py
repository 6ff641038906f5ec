"""The project's JSON document and the schema shipped with it."""

from __future__ import annotations

import copy
import json
import tracemalloc
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from timeline.exports import _json, json_doc

GOLDEN = Path(__file__).parents[1] / "golden" / "export-sample.json"
HASH = "30746d69ef54ff4a8768e8eedceaccfe577344774ae88ba144bb63879bc3656e"
POSITION = {"seq": 27, "hash": HASH}
FILTERS = {
    "from": "2023-11-01",
    "to": None,
    "kinds": [],
    "tags": ["china-us"],
    "actors": [],
    "country": None,
    "statuses": [],
}


def text(records: list[dict[str, Any]], **options: Any) -> str:
    options = {"position": POSITION, "filters": FILTERS, **options}
    return "".join(json_doc.render(records, **options))


def document(records: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    return json.loads(text(records, **options))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_doc.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_sample_matches_the_golden_file(sample_records: list[dict[str, Any]]) -> None:
    assert text(sample_records).encode("utf-8") == GOLDEN.read_bytes()


def test_renders_are_byte_identical(sample_records: list[dict[str, Any]]) -> None:
    assert text(sample_records) == text(copy.deepcopy(sample_records))


@pytest.mark.parametrize("count", [0, 1, 8])
def test_the_stream_is_the_document_json_would_write(
    sample_records: list[dict[str, Any]], count: int
) -> None:
    streamed = text(sample_records[:count], as_of="2024-04-27T00:00:00Z", title="Test")
    whole = json.loads(streamed)
    assert streamed == json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
    assert len(whole["developments"]) == count


def test_the_head(sample_records: list[dict[str, Any]]) -> None:
    doc = document(sample_records, as_of="120", title="China-U.S.")
    assert list(doc) == [
        "format",
        "version",
        "title",
        "generated_from",
        "as_of",
        "filters",
        "developments",
    ]
    assert doc["format"] == "timeline"
    assert doc["version"] == 3
    assert doc["title"] == "China-U.S."
    assert doc["generated_from"] == POSITION
    assert doc["as_of"] == "120"
    assert doc["filters"] == FILTERS
    assert document([])["as_of"] is None
    assert document([])["title"] == "Diplomatic timeline"


def test_every_record_keeps_every_field_in_order(sample_records: list[dict[str, Any]]) -> None:
    doc = document(sample_records)
    assert [d["id"] for d in doc["developments"]] == [r["id"] for r in sample_records]
    for written, record in zip(doc["developments"], sample_records, strict=True):
        assert list(written) == list(json_doc.FIELDS)
        assert written == {key: record[key] for key in json_doc.FIELDS}


def test_missing_lists_are_empty_and_nested_keys_ordered(record) -> None:
    given = record(
        parties=None,
        points=None,
        tags=None,
        links=None,
        participants=[{"country": "CN", "name": "Wang Yi"}],
        sources=[{"title": "T", "url": "https://a.example/"}],
        place={"city": "Beijing", "id": "beijing-cn", "country": "CN"},
    )
    (written,) = document([given])["developments"]
    assert (written["parties"], written["points"], written["tags"], written["links"]) == (
        [],
        [],
        [],
        [],
    )
    assert written["participants"] == [{"name": "Wang Yi", "role": None, "country": "CN"}]
    assert list(written["sources"][0]) == ["url", "title", "publisher", "published"]
    assert list(written["place"]) == ["id", "name", "city", "country", "lat", "lon"]


def test_text_is_utf8_not_escaped(record) -> None:
    written = text([record(title="王毅同布林肯举行会谈", summary="“quoted”\n\u2028")])
    assert "王毅同布林肯举行会谈" in written
    assert "\\u" not in written  # ensure_ascii=False: characters as themselves
    assert json.loads(written)["developments"][0]["summary"] == "“quoted”\n\u2028"


def test_the_schema_ships_in_the_package() -> None:
    shipped = resources.files("timeline.exports").joinpath("timeline.schema.json")
    assert shipped.is_file()
    schema = json_doc.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema == json.loads(shipped.read_text("utf-8"))
    development = schema["$defs"]["development"]
    assert development["required"] == list(json_doc.FIELDS)
    assert list(development["properties"]) == list(json_doc.FIELDS)
    assert development["additionalProperties"] is False


def test_documents_validate(
    validator: jsonschema.Draft202012Validator,
    sample_records: list[dict[str, Any]],
    record: Callable[..., dict[str, Any]],
) -> None:
    timed = record(
        when="2024-04-26T16:30:05+08:00",
        start="2024-04-26T16:30:05+08:00",
        end="2024-04-26T16:30:05+08:00",
        precision="second",
    )
    local = record(when="2024-04-26T16:30", start="2024-04-26T16:30", end="2024-04-26T16:30")
    for doc in (
        document(sample_records),
        document([timed, local], as_of="2024-04-27T00:00:00Z"),
        document([], position={"seq": 0, "hash": ""}, filters={}),
    ):
        validator.validate(doc)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set("format", "timelinejs"),
        _set("version", 1),
        _set("generated_from.hash", "abc"),
        _set("generated_from.seq", -1),
        _set("extra", True),
        _set("filters.kinds", ["party"]),
        _set("filters.country", "china"),
        _set("developments.0.id", "Not An Id"),
        _set("developments.0.kind", "lunch"),
        _set("developments.0.status", "happened"),
        _set("developments.0.precision", "week"),
        _set("developments.0.qualifier", "maybe"),
        _set("developments.0.start", "26/04/2024"),
        _set("developments.0.when", "last Friday"),
        _set("developments.0.countries", ["cn"]),
        _set("developments.0.country", "CN"),
        _set("developments.0.parties", ["China"]),
        _set("developments.0.version", "1"),
        _set("developments.0.updated_at", "2024-04-27 08:00"),
        _set("developments.0.title", ""),
        _set("developments.0.summary", KeyError),
        _set("developments.0.colour", "red"),
        _set("developments.0.sources.0.url", "ftp://example.org/"),
        _set("developments.0.participants.0.nickname", "X"),
        _set("developments.0.place.lat", 91),
        _set("developments.0.links", [{"relation": "likes", "to": "a"}]),
        _set("developments.0.start", None),  # a date is known or unknown as a whole
    ],
)
def test_a_broken_document_does_not_validate(
    validator: jsonschema.Draft202012Validator,
    sample_records: list[dict[str, Any]],
    change: Callable[[dict[str, Any]], None],
) -> None:
    doc = document(sample_records)
    validator.validate(doc)
    change(doc)
    assert not validator.is_valid(doc)


def test_nan_is_refused(record) -> None:
    place = {"id": "x", "name": "X", "city": None, "country": None, "lat": float("nan"), "lon": 0}
    with pytest.raises(ValueError, match="JSON"):
        text([record(place=place)])


@pytest.mark.slow
def test_memory_stays_flat_while_streaming(many_records) -> None:
    tracemalloc.start()
    try:
        size = 0
        for chunk in json_doc.render(many_records(20_000), position=POSITION, filters={}):
            size += len(chunk.encode("utf-8"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 20_000_000
    assert peak < 5_000_000, f"peak {peak} bytes for {size} bytes of output"


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(value=_JSON_VALUES, depth=st.integers(min_value=0, max_value=3))
def test_the_fast_writer_writes_what_json_dumps_writes(value: Any, depth: int) -> None:
    indent = "  " * depth
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
    assert _json.dumps(value, indent) == expected


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_the_fast_writer_refuses_what_is_not_json(number: float) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        _json.dumps({"lat": [number]})
