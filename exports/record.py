"""The export record: one development as every export format reads it, defined once.

``timeline.selection`` builds records with exactly these keys, in this order; the JSON
document writes them in this order (so its schema's ``required`` list is :data:`FIELDS`);
the tests build theirs from the same definition. A record is a plain dict (a
``TypedDict``), so that formats can embed it whole and Datasette can hand it on as is.
Unknown values are None; lists are present, empty when there is nothing.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
import typing
from typing import Any, Final, TypedDict

__all__ = [
    "FIELDS",
    "LISTS",
    "NESTED",
    "Link",
    "Participant",
    "Place",
    "Record",
    "Source",
    "described",
]


class Place(TypedDict):
    """Where a development happened."""

    id: str
    """The place's id (lowercase words joined by hyphens)."""
    name: str | None
    """A building or venue, e.g. ``Great Hall of the People``."""
    city: str | None
    """The city or area, e.g. ``Woodside, California``."""
    country: str | None
    """ISO 3166-1 alpha-2."""
    lat: float | None
    """Latitude in degrees, if the development gave coordinates."""
    lon: float | None
    """Longitude in degrees, if the development gave coordinates."""


class Participant(TypedDict):
    """Someone who took part, in the order the development names them."""

    name: str
    """The person's name as recorded, e.g. ``Wang Yi``."""
    role: str | None
    """E.g. ``Foreign Minister``."""
    country: str | None
    """ISO 3166-1 alpha-2."""


class Source(TypedDict):
    """Where the development is reported, in the order the development gives them."""

    url: str
    """An http(s) URL."""
    title: str | None
    """The headline of the report."""
    publisher: str | None
    """Who published it, e.g. ``CGTN``."""
    published: str | None
    """The publication date, as recorded (a date, possibly uncertain, or a time)."""


class Link(TypedDict):
    """A relation from this development to another one."""

    relation: str
    """``part_of``, ``follows_up``, ``implements``, ``responds_to`` or ``announced_in``."""
    to: str
    """The id of the other development."""


class Record(TypedDict):
    """One development, as a subscriber of any export format gets it."""

    id: str
    """The development's id: lowercase ASCII words joined by single hyphens."""
    kind: str
    """``meeting``, ``talks``, ``summit``, ``call``, ``visit``, ``agreement``, ``statement``…"""
    type: str
    """The event type that created the development, e.g. ``MeetingHeld``."""
    title: str
    """One line saying what happened (the calendar's summary, the slide's headline)."""
    summary: str | None
    """A few sentences of plain text; paragraphs are separated by blank lines."""
    status: str
    """``occurred``, ``scheduled``, ``postponed`` or ``cancelled``."""
    status_reason: str | None
    """Why it was postponed or cancelled, if said."""
    when: str | None
    """The date as recorded (a subset of EDTF: ``2024-04-26``, ``2024-05~``, the season
    ``2024-21``, ``2024-04/..`` from April on…); None if unknown."""
    start: str | None
    """The inclusive start: a day, or a time with an offset, Z, or none (local to ``timezone``)."""
    end: str | None
    """The inclusive end, written as ``start`` is; None for an interval open at its end."""
    precision: str | None
    """How well the date is known, from ``year`` to ``second`` (a ``season`` is three months)."""
    qualifier: str | None
    """``uncertain``, ``approximate`` or ``both``; None for a date known as written."""
    last_when: str | None
    """For a development postponed without a new date (``when`` None): the date it had,
    where calendars keep it, marked postponed, until a new date arrives."""
    timezone: str | None
    """The IANA time zone of the place, in which local times are read."""
    place: Place | None
    """Where it happened, if known."""
    countries: list[str]
    """Every country it involves, each once (ISO 3166-1 alpha-2; a former state: its ISO
    3166-3 code, e.g. SU): where it was held (the host country of a visit, the place's
    country), its participants', its parties. What ``--country`` and Datasette's
    ``countries`` facet select by."""
    participants: list[Participant]
    """Who took part, in the order recorded."""
    sources: list[Source]
    """Where it is reported, in the order recorded."""
    tags: list[str]
    """Free topic words, e.g. ``china-us``."""
    points: list[str]
    """An agreement's points, in order."""
    parties: list[str]
    """The parties to an agreement: country codes, or organisations (EU, UN, NATO, ASEAN, AFU)."""
    speaker: str | None
    """Who made a statement."""
    quote: str | None
    """What the statement said, verbatim."""
    visitor: str | None
    """Who made a visit."""
    host_country: str | None
    """The country visited (ISO 3166-1 alpha-2)."""
    part_of: str | None
    """The id of the development this one is part of (a meeting during a visit)."""
    announced_in: str | None
    """The id of the development that announced this one."""
    links: list[Link]
    """Relations to other developments, in the order they were recorded."""
    version: int
    """The version of its stream: 1 when created, one more for each later event. The
    number ``timeline show`` prints and ``--expect-version`` takes."""
    created_at: str
    """When the log recorded the development (UTC, the log's clock)."""
    updated_at: str
    """When the log last recorded a change to it (UTC, the log's clock)."""


FIELDS: Final[tuple[str, ...]] = tuple(Record.__annotations__)
"""A record's keys, in order."""


def _lists_and_nested() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """The list fields, and the keys of each field that holds small records."""
    lists, nested = set(), {}
    for name, hint in typing.get_type_hints(Record).items():
        if typing.get_origin(hint) is list:
            lists.add(name)
        for arg in (*typing.get_args(hint), hint):
            if typing.is_typeddict(arg):
                nested[name] = tuple(arg.__annotations__)
    return frozenset(lists), nested


_found: tuple[frozenset[str], dict[str, Any]] = _lists_and_nested()
LISTS: Final[frozenset[str]] = _found[0]
"""The fields that hold a list (present and empty when there is nothing)."""
NESTED: Final[dict[str, tuple[str, ...]]] = _found[1]
"""The keys, in order, of the small records a field holds (a place, participants…)."""


def described(definition: type) -> dict[str, str]:
    """The docstring under each key of a record (or any class), by key, on one line as
    written: what the key means, said once and read by whatever else describes it
    (Datasette's column descriptions, the JSON Schema, the reference pages)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(definition)))
    except (OSError, TypeError):  # no source: a builtin
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    found: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[node.target.id] = " ".join(inspect.cleandoc(after.value.value).split())
    return found
