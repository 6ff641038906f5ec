"""The words of the record, each list defined once: kinds, statuses, relations, and the rest.

Everything else reads these names: the event classes validate against them, the service
decides with them, the CLI offers them as choices, Datasette's metadata describes them and
the HTML page receives them in its data. ``tests/test_vocabulary.py`` fails when a copy of
one appears anywhere else in the sources, so a new word is added here and nowhere else.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = [
    "ACTOR_KINDS",
    "CAMEO",
    "CLEARABLE",
    "DISPUTABLE",
    "HELD_KINDS",
    "KINDS",
    "KIND_FAMILIES",
    "PARTICIPANT_FIELDS",
    "PLACE_FIELDS",
    "PRECISIONS",
    "QUALIFIERS",
    "RELATIONS",
    "SCHEDULED_CAMEO",
    "SCHEDULED_KINDS",
    "SEASONS",
    "SOURCE_FIELDS",
    "STATUSES",
    "STATUS_PHRASES",
    "TRANSITIONS",
    "Precision",
    "Qualifier",
]

HELD_KINDS: Final[tuple[str, ...]] = (
    "meeting",
    "talks",
    "summit",
    "call",
    "visit",
    "agreement",
    "statement",
)
"""The kinds of what took place, one for each event type that records one (MeetingHeld...)."""

KINDS: Final[tuple[str, ...]] = (*HELD_KINDS, "dialogue", "consultation", "other")
"""Every kind of development, in display order: the held kinds, then the scheduled-only ones."""

SCHEDULED_KINDS: Final[tuple[str, ...]] = tuple(
    kind for kind in KINDS if kind not in ("agreement", "statement")
)
"""The kinds a planned development may have: an agreement or a statement is never scheduled."""

KIND_FAMILIES: Final[dict[str, str]] = {
    "meeting": "encounter",
    "talks": "encounter",
    "summit": "encounter",
    "call": "encounter",
    "dialogue": "encounter",
    "consultation": "encounter",
    "visit": "visit",
    "agreement": "agreement",
    "statement": "statement",
    "other": "other",
}
"""Kind -> its family: two developments may be the same one only within a family (a meeting
reported by one source may be talks to another; it is never a visit)."""

STATUSES: Final[tuple[str, ...]] = ("occurred", "scheduled", "postponed", "cancelled")
"""Where a development stands, in display order."""

STATUS_PHRASES: Final[dict[str, str]] = {
    "occurred": "has already taken place",
    "scheduled": "is still scheduled",
    "postponed": "is postponed",
    "cancelled": "was cancelled",
}
"""Each status as the end of a sentence about a development, for messages."""

TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    "DevelopmentHeld": ("scheduled", "postponed", "cancelled"),
    "DevelopmentPostponed": ("scheduled", "postponed"),
    "DevelopmentCancelled": ("scheduled", "postponed"),
}
"""Event type -> the statuses of a development it may apply to (other types: any status)."""

RELATIONS: Final[tuple[str, ...]] = (
    "part_of",
    "follows_up",
    "implements",
    "responds_to",
    "announced_in",
)
"""How one development may relate to another (a DevelopmentsLinked ``relation``)."""

Qualifier = Literal["uncertain", "approximate", "both"]
QUALIFIERS: Final[dict[str, Qualifier]] = dict(zip("?~%", get_args(Qualifier), strict=True))
"""EDTF qualifier mark -> its name: ``?`` uncertain, ``~`` approximate, ``%`` both."""

Precision = Literal["year", "season", "month", "day", "minute", "second"]
PRECISIONS: Final[tuple[Precision, ...]] = get_args(Precision)
"""How exactly a date is known, coarsest first (a season is three months)."""

SEASONS: Final[dict[int, str]] = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
"""EDTF level-1 season code (``2024-21``) -> its name.

EDTF names the seasons without saying which months they are; we read them as the
Northern Hemisphere's meteorological seasons (see ``events.values.SEASON_MONTHS``).
"""

CLEARABLE: Final[tuple[str, ...]] = (
    "timezone",
    "summary",
    "place",
    "participants",
    "sources",
    "tags",
    "part_of",
)
"""Fields a revision may remove (null in ``changes``); never the title, nor the date."""

DISPUTABLE: Final[tuple[str, ...]] = (
    "kind",
    "title",
    "when",
    "timezone",
    "summary",
    "place",
    "participants",
    "visitor",
    "host_country",
    "speaker",
    "quote",
    "points",
    "parties",
)
"""The fields on which a merged duplicate may have said otherwise than the development it
joins (a ``DevelopmentsMerged`` keeps each such value with the source that said it); for
``participants``, a name it gives a person the kept development names otherwise."""

LIST_FIELDS: Final[tuple[str, ...]] = ("participants", "sources", "tags")
"""The fields every development has that hold lists (each a repeatable flag on the CLI)."""

PARTICIPANT_FIELDS: Final[tuple[str, ...]] = ("name", "role", "country")
"""The fields of a participant, in the order the CLI's ``--with`` takes them."""

PLACE_FIELDS: Final[tuple[str, ...]] = ("name", "city", "country", "lat", "lon")
"""The fields of a place, in the order the CLI's ``--at``, ``--city``, ``--country``,
``--lat`` and ``--lon`` give them."""

SOURCE_FIELDS: Final[tuple[str, ...]] = ("url", "title", "publisher", "published")
"""The fields of a source, in the order the CLI's ``--source`` takes them."""

ACTOR_KINDS: Final[tuple[str, ...]] = ("person", "organization", "state")
"""What an actor is."""

CAMEO: Final[dict[str, tuple[str, str | None]]] = {
    "meeting": ("040", "CONSULT"),
    "dialogue": ("040", "CONSULT"),
    "consultation": ("040", "CONSULT"),
    "summit": ("040", "CONSULT"),
    "call": ("041", "CONSULT"),
    "visit": ("042", "CONSULT"),
    "talks": ("046", "CONSULT"),
    "agreement": ("057", "AGREE"),
    "statement": ("010", None),
}
"""Kind -> CAMEO code and PLOVER type, so the data joins GDELT, ICEWS and POLECAT.

CAMEO 010 "make statement" has no PLOVER type; "other" has no code.
"""

SCHEDULED_CAMEO: Final[tuple[str, str]] = ("036", "AGREE")
"""CAMEO code and PLOVER type of any planned development: express intent to meet or negotiate."""
