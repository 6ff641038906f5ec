"""The project's own JSON document: every development with all its fields, streamed.

The text is exactly ``json.dumps(document, indent=2, ensure_ascii=False) + "\\n"``, written
one development at a time; keys come in a fixed order. ``timeline.schema.json`` (JSON
Schema 2020-12, shipped next to this module) describes it; :func:`schema` loads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any, Final

from exports import _json

__all__ = ["FIELDS", "FORMAT", "VERSION", "render", "schema"]

FORMAT: Final = "timeline"
VERSION: Final = 1
FIELDS: Final = (
    "id",
    "kind",
    "type",
    "title",
    "summary",
    "status",
    "status_reason",
    "when",
    "start",
    "end",
    "precision",
    "qualifier",
    "timezone",
    "place",
    "country",
    "participants",
    "sources",
    "tags",
    "points",
    "parties",
    "speaker",
    "quote",
    "visitor",
    "host_country",
    "part_of",
    "announced_in",
    "links",
    "revision",
    "created_at",
    "updated_at",
)
"""The keys of each development, in the order written."""
_LISTS: Final = {"participants", "sources", "tags", "points", "parties", "links"}
_NESTED: Final = {
    "participants": ("name", "role", "country"),
    "sources": ("url", "title", "publisher", "published"),
    "links": ("relation", "to"),
}
_PLACE: Final = ("id", "name", "city", "country", "lat", "lon")


def render(
    records: Iterable[Mapping[str, Any]],
    *,
    position: Mapping[str, Any],
    filters: Mapping[str, Any],
    as_of: str | None = None,
    title: str = "Diplomatic timeline",
) -> Iterator[str]:
    """Yield the timeline document in chunks: the head, each development, the tail.

    *position* is the log position the records were read at (``seq`` and ``hash``),
    *filters* how they were selected, *as_of* the ``--as-of`` point if one was given.
    """
    head = {
        "format": FORMAT,
        "version": VERSION,
        "title": title,
        "generated_from": {"seq": position["seq"], "hash": position["hash"]},
        "as_of": as_of,
        "filters": dict(filters),
        "developments": [],
    }
    return _json.stream(head, map(_development, records))


def _development(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as the document holds it: every field, in order; missing lists empty."""
    out: dict[str, Any] = {}
    for key in FIELDS:
        value = record.get(key)
        if key in _LISTS:
            value = list(value or ())
            if key in _NESTED:
                value = [_ordered(item, _NESTED[key]) for item in value]
        elif key == "place" and value is not None:
            value = _ordered(value, _PLACE)
        out[key] = value
    return out


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document, as shipped in the package."""
    text = resources.files("exports").joinpath("timeline.schema.json").read_text("utf-8")
    return json.loads(text)


def _ordered(item: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: item.get(key) for key in keys}
