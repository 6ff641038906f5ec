"""Indented JSON as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it, faster.

Both JSON exports promise exactly the standard library's text; with ``indent`` the
standard library falls back to its pure-Python encoder, which costs more than the rest of
an export.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as _encode_text  # the C one when available
from typing import Any, Final

__all__ = ["dumps", "stream"]

_ITEM_INDENT: Final = "\n    "  # an item of the streamed list sits two levels deep


def stream(head: dict[str, Any], items: Iterable[Any]) -> Iterator[str]:
    """Yield ``dumps(head)`` with *items* as its last value (an empty list), one at a time.

    The exports write documents of any size this way without holding them: the text is
    the same as dumping the whole document at once, followed by a newline.
    """
    opening = dumps(head)
    # The head ends with the empty list `[]\n}`; open the list instead and stream into it.
    assert opening.endswith("[]\n}")
    yield opening[: -len("]\n}")]
    first = True
    for item in items:
        text = dumps(item, _ITEM_INDENT[1:])
        yield f"{_ITEM_INDENT}{text}" if first else f",{_ITEM_INDENT}{text}"
        first = False
    yield "]\n}\n" if first else "\n  ]\n}\n"


def dumps(value: Any, indent: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)``, several times faster.

    With ``indent`` the standard library falls back to its pure-Python encoder; this
    writes the same text for the values a document holds (dicts with string keys, lists,
    strings, numbers, booleans, None), leaving only the escaping of strings to C.
    NaN and Infinity raise ValueError: they are not JSON, and the schema excludes them.
    """
    kind = type(value)  # exact types first: this runs for every value of every development
    if kind is str or (kind is not dict and kind is not list and isinstance(value, str)):
        return _encode_text(value)
    if kind is dict or isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = []
        for key, item in value.items():
            name = _KEYS.get(key) or _key(key)
            # Strings and nulls inline: most values are one or the other.
            if type(item) is str:
                items.append(f"{name}: {_encode_text(item)}")
            elif item is None:
                items.append(f"{name}: null")
            else:
                items.append(f"{name}: {dumps(item, inner)}")
        return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"
    if kind is list or isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        items = [_encode_text(item) if type(item) is str else dumps(item, inner) for item in value]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value or value in (_INFINITY, -_INFINITY):
            raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
        return float.__repr__(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_INFINITY: Final = float("inf")


def _key(key: Any) -> str:
    text = _KEYS.get(key)
    if text is None:
        if not isinstance(key, str):
            raise TypeError(f"keys must be str, not {type(key).__name__}")
        text = _encode_text(key)
        if len(_KEYS) < _KEYS_KEPT:
            _KEYS[key] = text
    return text


_KEYS: dict[str, str] = {}  # a document repeats a few dozen keys: each is escaped once
_KEYS_KEPT: Final = 1_000
