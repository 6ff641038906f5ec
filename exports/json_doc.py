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

from timeline.exports import _json, record

__all__ = ["FIELDS", "FORMAT", "VERSION", "render", "schema"]

FORMAT: Final = "timeline"
VERSION: Final = 3
"""The document's version: 2 replaced the development's ``country`` by ``countries``; 3 has
seasons (``precision`` ``season``) and intervals open at their end (``end`` null while
``start`` is known), which a reader of version 2 would take for a single date."""
FIELDS: Final = record.FIELDS
"""The keys of each development, in the order written: the export record's."""


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


def _development(development: Mapping[str, Any]) -> dict[str, Any]:
    """A record as the document holds it: every field, in order; missing lists empty."""
    out: dict[str, Any] = {}
    for key in FIELDS:
        value = development.get(key)
        keys = record.NESTED.get(key)
        if key in record.LISTS:
            value = list(value or ())
            if keys is not None:
                value = [_ordered(item, keys) for item in value]
        elif keys is not None and value is not None:
            value = _ordered(value, keys)
        out[key] = value
    return out


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document, as shipped in the package."""
    text = resources.files("timeline.exports").joinpath("timeline.schema.json").read_text("utf-8")
    return json.loads(text)


def _ordered(item: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: item.get(key) for key in keys}
