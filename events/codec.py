"""The one converter between event payloads (plain JSON objects) and event classes.

Structuring validates: unknown keys, wrong types and refused values all raise, and
:func:`describe_error` turns what was raised into one line naming the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter

# Importing the event modules registers every event type.
from timeline.events import actors as _actors  # noqa: F401
from timeline.events import developments as _developments  # noqa: F401
from timeline.events.base import Event, FieldError
from timeline.events.lifecycle import Changes, DevelopmentsLinked, Updates
from timeline.events.registry import Registry, registry
from timeline.events.values import Role, When
from timeline.events.vocabulary import CLEARABLE

converter = make_converter(forbid_extra_keys=True, omit_if_default=True)
"""Fields left unset (``None``, an empty list) are not stored: absence is their meaning.

Every other default is written out (see :func:`_unstructure_factory`), so an event says
what was decided, and a default changed later never changes what an old event meant.
"""


def _strict_str(value: Any, _type: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be a string, not {_json_kind(value)}")
    return value


def _strict_int(value: Any, _type: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"must be a whole number, not {_json_kind(value)}")
    return value


def _strict_float(value: Any, _type: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"must be a number, not {_json_kind(value)}")
    return float(value)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _structure_when(value: Any, _type: type) -> When:
    return When.parse(_strict_str(value, str))


def _is_tuple(type_: Any) -> bool:
    args = get_args(type_)
    return get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_factory(type_: Any, conv: cattrs.Converter) -> Any:
    base = homogenous_tuple_structure_factory(type_, conv)

    def structure(value: Any, t: Any) -> tuple:
        if value is None:  # an explicit null list is an empty one
            return ()
        # A bare string is iterable too; without this "abc" would become three tags.
        if not isinstance(value, list | tuple):
            raise TypeError(f"must be a list, not {_json_kind(value)}")
        return base(value, t)

    return structure


def _require_object(fn: Any) -> Any:
    def structure(value: Any, t: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"must be an object, not {_json_kind(value)}")
        return fn(value, t)

    return structure


def _structure_changes(value: Any, _type: type) -> Changes:
    if not isinstance(value, dict):
        raise TypeError(f"must be an object, not {_json_kind(value)}")
    allowed = ("title", "when", *CLEARABLE)
    for key in value:
        if key not in allowed:
            name = key if key.isprintable() else repr(key)  # one line, whatever it holds
            raise FieldError(name, f"cannot be revised; fields that can: {', '.join(allowed)}")
    cleared = tuple(sorted(k for k, v in value.items() if v is None))
    for key in cleared:
        if key not in CLEARABLE:
            hint = "postpone it to make the date unknown" if key == "when" else "give a new one"
            raise FieldError(key, f"cannot be removed; {hint}")
    updates = converter.structure({k: v for k, v in value.items() if v is not None}, Updates)
    try:
        return Changes(values=updates, cleared=cleared)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _unstructure_changes(changes: Changes) -> dict[str, Any]:
    out = converter.unstructure(changes.values)
    out.update(dict.fromkeys(changes.cleared))
    return out


converter.register_structure_hook(str, _strict_str)
converter.register_structure_hook(int, _strict_int)
converter.register_structure_hook(float, _strict_float)
converter.register_structure_hook(When, _structure_when)
converter.register_unstructure_hook(When, lambda w: w.text)
converter.register_structure_hook_factory(_is_tuple, _tuple_factory)


def _tuple_unstructure_factory(type_: Any, conv: cattrs.Converter) -> Any:
    """A list of the items, with the item type's hook looked up once, not per item."""
    item_type = get_args(type_)[0]
    if item_type is str:
        return list  # strings are JSON already
    item = conv.get_unstructure_hook(item_type)
    return lambda value: [item(v) for v in value]


converter.register_unstructure_hook_factory(_is_tuple, _tuple_unstructure_factory)
converter.register_structure_hook(Changes, _structure_changes)
converter.register_unstructure_hook(Changes, _unstructure_changes)


def _renamed(cls: type) -> dict[str, Any]:
    # `from` is a Python keyword, so the attribute is `from_` and the JSON key `from`.
    return {"from_": override(rename="from")} if cls in (Role, DevelopmentsLinked) else {}


def _has_value(default: Any) -> bool:
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return False  # a new empty list or object each time: unset
    return default is not attrs.NOTHING and default not in (None, ())


def _unstructure_factory(cls: type, conv: cattrs.Converter) -> Any:
    """Leave out unset fields only: a default with a value (``kind: person``) is stored."""
    overrides = _renamed(cls)
    for field in attrs.fields(cls):
        if _has_value(field.default):
            rename = overrides[field.name].rename if field.name in overrides else None
            overrides[field.name] = override(omit_if_default=False, rename=rename)
    return make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True, **overrides)


converter.register_unstructure_hook_factory(
    lambda t: isinstance(t, type) and attrs.has(t) and t is not Changes, _unstructure_factory
)
for _cls in (Role, DevelopmentsLinked):
    converter.register_structure_hook(
        _cls,
        make_dict_structure_fn(_cls, converter, **_renamed(_cls), _cattrs_forbid_extra_keys=True),
    )


def _object_hook_factory(type_: Any, conv: cattrs.Converter) -> Any:
    return _require_object(conv.gen_structure_attrs_fromdict(type_))


converter.register_structure_hook_factory(
    lambda t: (
        isinstance(t, type)
        and hasattr(t, "__attrs_attrs__")
        and t is not Changes
        and t not in (Role, DevelopmentsLinked)
    ),
    _object_hook_factory,
)


def structure(type_: str, data: Any, *, reg: Registry = registry) -> Event:
    """Build the current event class of *type_* from a payload; raise on anything invalid."""
    cls = reg.cls(type_)
    if not isinstance(data, dict):
        raise TypeError(f"must be an object, not {_json_kind(data)}")
    return converter.structure(data, cls)


def from_row(
    type_: str, schema_version: int, data: dict[str, Any], *, reg: Registry = registry
) -> Event:
    """Load a stored payload: upcast it to the current version, then structure (and validate)."""
    return structure(type_, reg.upcast(type_, schema_version, data), reg=reg)


def unstructure(event: Event) -> dict[str, Any]:
    """The JSON object stored for *event*: absent fields left out, values normalised."""
    return converter.unstructure(event)


def canonical_json(value: Any) -> str:
    """The one byte-exact JSON form used for storage and for the hash chain."""
    if value == {}:
        return "{}"  # most events' meta
    return _canonical_encode(value)


# One encoder for every call: json.dumps with options builds a new one each time.
_canonical_encode = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


def chain_hash(previous: str, row: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of a row (without its hash)."""
    return chain_hash_text(previous, canonical_json(row))


def chain_hash_text(previous: str, row_json: str) -> str:
    """:func:`chain_hash` for a row already in canonical JSON."""
    digest = hashlib.sha256(previous.encode())
    digest.update(row_json.encode())
    return digest.hexdigest()


_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]


def canonical_row(data_json: str, meta_json: str, **fields: str | int) -> str:
    """The canonical JSON of a log row whose data and meta are already canonical JSON.

    Equal to ``canonical_json`` of the whole row (keys sorted, no spaces), without
    serialising the payload a second time.
    """
    parts = {"data": data_json, "meta": meta_json}
    for key, value in fields.items():
        # The same text json.dumps gives for a string or a whole number, faster.
        parts[key] = _encode_str(value) if isinstance(value, str) else str(int(value))
    return "{" + ",".join(f'"{key}":{parts[key]}' for key in sorted(parts)) + "}"


def _format(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, FieldError):
        return f"\x00{exc.field}\x00{exc.message}"
    if isinstance(exc, KeyError):
        return "is required"
    if isinstance(exc, ForbiddenExtraKeysError):
        name = sorted(exc.extra_fields)[0]
        return f"\x00{name if _PLAIN_NAME.fullmatch(name) else repr(name)}\x00unknown field"
    if isinstance(exc, ValueError | TypeError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")


class Problem(str):
    """``field: message``, one line, that also carries its two parts.

    A string, so that it reads and compares as the line it always was; callers that name
    fields in their own terms (the command line's flags) read :attr:`field` and
    :attr:`message` instead of taking the line apart.
    """

    field: str
    """The dotted path of the field at fault, e.g. ``data.participants[0].country``."""
    message: str
    """What is wrong with it."""

    def __new__(cls, field: str, message: str) -> Problem:
        line = super().__new__(cls, f"{field}: {message}")
        line.field, line.message = field, message
        return line


def describe_error(exc: BaseException, path: str = "data") -> Problem:
    """One line naming the first field at fault, e.g. ``data.participants[0].country: ...``."""
    if isinstance(exc, FieldError) and not isinstance(exc, cattrs.BaseValidationError):
        return Problem(f"{path}.{exc.field}", exc.message)
    first = cattrs.transform_error(exc, path=path, format_exception=_format)[0]
    message, _, where = first.rpartition(" @ ")
    where = ".".join(
        part.rstrip("_") if not part.endswith("]") else part for part in where.split(".")
    )
    if message.startswith("\x00"):
        _, field, message = message.split("\x00", 2)
        where = f"{where}.{field}"
    return Problem(where, message)
