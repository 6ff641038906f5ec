"""What a person types, as event data: the same for a command's flags and a web form's fields.

`timeline add --with "Wang Yi; Foreign Minister; CN"` and the form's participants box
(one ``NAME; ROLE; CC`` a line) read a value the same way, and name their inputs alike
(``place_name``, ``participants``...), so that a development added either way is the
same event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from timeline.events.vocabulary import LIST_FIELDS, PLACE_FIELDS

PLACE_INPUTS: Final = ("place_name", "city", "place_country", "lat", "lon")
"""The inputs that give a place's fields, in the order of PLACE_FIELDS."""
INPUT_OF_PLACE_FIELD: Final = dict(zip(PLACE_FIELDS, PLACE_INPUTS, strict=True))
"""A place's field (``data.place.country``) -> the input that sets it (``place_country``)."""
SHARED_INPUTS: Final = ("title", "when", "timezone", "summary", "part_of")
"""The inputs of a development's own fields besides its place and its lists."""


def split_parts(value: str, fields: tuple[str, ...]) -> dict[str, str]:
    """``A; B; C`` as the object with one part per field, blanks left out.

    ValueError when there are more parts than fields.
    """
    parts = [p.strip() for p in value.split(";")]
    if len(parts) > len(fields):
        shape = "; ".join(f.upper() for f in fields)
        raise ValueError(f"{value!r} has more than {len(fields)} parts; use {shape}")
    return {k: v for k, v in zip(fields, parts, strict=False) if v}


def role_parts(value: str) -> dict[str, str]:
    """``TITLE; ORGANIZATION; FROM/TO``: a role, its dates an interval either end of which
    may be open (``2023-07-25/..``) or left out (``2023-07-25``: from then)."""
    role = split_parts(value, ("title", "organization", "dates"))
    start, _, end = role.pop("dates", "").partition("/")
    for key, date in (("from", start.strip()), ("to", end.strip())):
        if date not in ("", ".."):
            role[key] = date
    return role


def shared_data(inputs: dict[str, Any], *, given_only: bool = False) -> dict[str, Any]:
    """Take the shared inputs out of *inputs* as event data; with *given_only*, only those used."""
    data: dict[str, Any] = {}
    for key in SHARED_INPUTS:
        value = inputs.pop(key, None)
        if value is not None:
            data[key] = value
    place = {field: inputs.pop(name, None) for field, name in INPUT_OF_PLACE_FIELD.items()}
    if any(v is not None for v in place.values()):
        data["place"] = {k: v for k, v in place.items() if v is not None}
    for key in LIST_FIELDS:
        values = inputs.pop(key, ())
        if values or not given_only:
            data[key] = list(values)
    return data


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values given: None and empty lists left out, tuples as lists."""
    return {
        k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if v not in (None, ())
    }
