"""What a person types, as event data: the same for a command's flags and a web form's fields.

Each field a person fills in is described once here, as an :class:`Entry`: `timeline add`
makes its flag from it and the browser's add form its input, with the same name, words
and reading. `timeline add --with "Wang Yi; Foreign Minister; CN"` and the form's
participants box (one ``NAME; ROLE; CC`` a line) therefore read a value the same way, so
that a development added either way is the same event, and a new field is one entry here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import attrs

from timeline.events.vocabulary import (
    ACTOR_KINDS,
    LIST_FIELDS,
    PARTICIPANT_FIELDS,
    PLACE_FIELDS,
    SCHEDULED_KINDS,
    SOURCE_FIELDS,
)


@attrs.frozen
class Entry:
    """One field as a person fills it in: a flag of a command and an input of its form."""

    name: str
    """The option's and the input's name: what :func:`shared_data` and the service read."""
    label: str
    """The input's label in the form."""
    help: str = ""
    """What to type: the flag's help, and the hint beside the input."""
    flag: str = ""
    """The flag, where it is not ``--`` and the name with hyphens (``--at``, ``--with``)."""
    metavar: str | None = None
    """How the flag's help shows the value (``CC``, ``'NAME[; ROLE[; CC]]'``)."""
    widget: str = "text"
    """``text``, ``area`` (free text over lines), ``lines`` (a flag repeated for each item;
    one item a line in the form), ``number``, ``choice`` (one of *choices*) or ``checks``
    (any of *choices*)."""
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    parse: Callable[[str], Any] | None = None
    """How one item of ``lines`` is read (``A; B; C`` as an object); None: as typed."""

    @property
    def option(self) -> str:
        """The flag that sets it."""
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def shape(self) -> str:
        """The value's parts as a person reads them (``NAME; ROLE; CC``): the metavar
        without its quotes and brackets."""
        return re.sub(r"[\[\]']", "", self.metavar or "TEXT")

    @property
    def hint(self) -> str:
        """What the form says under the input: the help, and for a box of items their shape."""
        if self.widget != "lines":
            return self.help
        return f"{self.help}; one a line" + (f": {self.shape}" if self.parse is not None else "")


PLACE_INPUTS: Final = ("place_name", "city", "place_country", "lat", "lon")
"""The inputs that give a place's fields, in the order of PLACE_FIELDS."""
INPUT_OF_PLACE_FIELD: Final = dict(zip(PLACE_FIELDS, PLACE_INPUTS, strict=True))
"""A place's field (``data.place.country``) -> the input that sets it (``place_country``)."""


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


SHARED: Final = (
    Entry("title", "Title", "What happened, in one line (up to 300 characters)."),
    Entry(
        "when",
        "When",
        "Date: 2024, 2024-04, 2024-04-26, 2024-04-26T16:30+08:00, a season 2024-21 "
        "(spring; -22 summer, -23 autumn, -24 winter), an interval 2024-04-24/2024-04-26 "
        "or one open at its end 2024-04/.. (from April on), optionally ending in ? ~ or %.",
    ),
    Entry("timezone", "Time zone", "IANA zone of the place, e.g. Asia/Shanghai."),
    Entry("summary", "Summary", "A few sentences on what happened.", widget="area"),
    Entry(
        "place_name",
        "Place",
        "The place's name, e.g. Diaoyutai State Guesthouse.",
        flag="--at",
        metavar="PLACE",
    ),
    Entry("city", "City", "The place's city."),
    Entry(
        "place_country",
        "Country of the place",
        "The place's country (ISO 3166-1 alpha-2, e.g. CN).",
        flag="--country",
        metavar="CC",
    ),
    Entry("lat", "Latitude", "The place's latitude.", widget="number"),
    Entry("lon", "Longitude", "The place's longitude.", widget="number"),
    Entry(
        "participants",
        "Participants",
        "A participant",
        flag="--with",
        metavar="'NAME[; ROLE[; CC]]'",
        widget="lines",
        parse=functools.partial(split_parts, fields=PARTICIPANT_FIELDS),
    ),
    Entry(
        "sources",
        "Sources",
        "A source",
        flag="--source",
        metavar="'URL[; TITLE[; PUBLISHER[; DATE]]]'",
        widget="lines",
        parse=functools.partial(split_parts, fields=SOURCE_FIELDS),
    ),
    Entry("tags", "Tags", "A tag", flag="--tag", widget="lines"),
    Entry("part_of", "Part of", "The id of the enclosing development (a visit).", metavar="ID"),
)
"""The fields every development has, in the order the help and the form show them."""

OWN: Final[dict[str, tuple[Entry, ...]]] = {
    "visit": (
        Entry("visitor", "Visitor", "Who visited.", metavar="NAME", required=True),
        Entry(
            "host_country",
            "Host country",
            "The host country (ISO 3166-1 alpha-2).",
            metavar="CC",
            required=True,
        ),
    ),
    "agreement": (
        Entry(
            "points",
            "Points agreed",
            "A point agreed",
            flag="--point",
            widget="lines",
            required=True,
        ),
        Entry(
            "parties",
            "Parties",
            "A party: a country (CN, US) or an organisation (EU, UN, NATO, ASEAN, AFU)",
            flag="--party",
            metavar="CC",
            widget="lines",
        ),
    ),
    "statement": (
        Entry("speaker", "Speaker", "Who spoke.", metavar="NAME", required=True),
        Entry("quote", "Quote", "The words, verbatim.", widget="area", required=True),
    ),
    "scheduled": (
        Entry(
            "kind",
            "Kind",
            "What kind of development is planned.",
            widget="choice",
            required=True,
            choices=SCHEDULED_KINDS,
        ),
        Entry(
            "announced_in",
            "Announced in",
            "The id of the development in which it was announced.",
            metavar="ID",
        ),
    ),
}
"""The fields of one kind of development (as ``timeline add`` names the kind)."""

ACTOR: Final = (
    Entry("name", "Name", "The actor's name, as developments name it.", required=True),
    Entry("native_name", "Name in its own script", "The name in its own script, e.g. 王毅."),
    Entry(
        "kind", "Kind", "What the actor is.", widget="choice", choices=ACTOR_KINDS, default="person"
    ),
    Entry("country", "Country", "The country (ISO 3166-1 alpha-2, e.g. CN).", metavar="CC"),
    Entry(
        "roles",
        "Roles",
        "A role held, its dates an interval (2023-07-25/.. for one still held)",
        flag="--role",
        metavar="'TITLE[; ORGANIZATION[; FROM/TO]]'",
        widget="lines",
        parse=role_parts,
    ),
    Entry("aliases", "Other names", "Another name it is known by", flag="--alias", widget="lines"),
    Entry("wikidata", "Wikidata item", "Its Wikidata item, e.g. Q42.", metavar="QID"),
)
"""An actor's description (`timeline add actor`, whose NAME is an argument)."""

SHARED_INPUTS: Final = tuple(
    e.name for e in SHARED if e.name not in PLACE_INPUTS and e.name not in LIST_FIELDS
)
"""The inputs of a development's own fields besides its place and its lists."""


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


def revision_changes(inputs: dict[str, Any], cleared: Iterable[str]) -> dict[str, Any]:
    """A revision's changes: the new values given (taken out of *inputs*) and the fields
    *cleared* (None). ValueError naming a field that is both: which is meant is a guess."""
    changes = shared_data(inputs, given_only=True)
    both = [name for name in cleared if name in changes]
    if both:
        raise ValueError(f"{both[0]} is given a new value too; give one or the other")
    changes.update(dict.fromkeys(cleared))
    return changes


def with_place(changes: dict[str, Any], current: Mapping[str, Any] | None) -> dict[str, Any]:
    """*changes* with the place's parts given (a city, a country...) laid over the place
    recorded: a part given alone changes that part, the others stay."""
    if current and changes.get("place"):
        changes["place"] = {**current, **changes["place"]}
    return changes


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values given: None and empty lists left out, tuples as lists."""
    return {
        k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if v not in (None, ())
    }
