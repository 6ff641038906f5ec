"""The events that follow a development through its life: held, postponed, revised, merged.

And linked to another, cancelled, retracted, or unmerged from a duplicate again.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
from attrs import field
from attrs.validators import optional
from timeline.events.base import Event, FieldError, event, one_of, value
from timeline.events.developments import (
    SHARED_FIELDS,
    SUMMARY,
    TITLE,
    check_local_time,
    check_timezone,
    to_tags,
)
from timeline.events.registry import register
from timeline.events.values import (
    Participant,
    Place,
    Source,
    When,
    non_empty_str,
    optional_str,
    slug_id,
    strip,
    to_tuple,
)
from timeline.events.vocabulary import DISPUTABLE, RELATIONS


def _optional_tuple(value: Any) -> tuple | None:
    return None if value is None else to_tuple(value)


def _optional_tags(value: Any) -> tuple[str, ...] | None:
    return None if value is None else to_tags(value)


@event(slots=False)  # also a base of DevelopmentHeld, beside the slotted _About
class Updates:
    """New values for some shared fields of a development; None means "unchanged"."""

    title: str | None = field(default=None, converter=strip, validator=optional(TITLE))
    when: When | None = None
    timezone: str | None = field(default=None, validator=check_timezone)
    summary: str | None = field(default=None, validator=SUMMARY)
    place: Place | None = None
    participants: tuple[Participant, ...] | None = field(default=None, converter=_optional_tuple)
    sources: tuple[Source, ...] | None = field(default=None, converter=_optional_tuple)
    tags: tuple[str, ...] | None = field(default=None, converter=_optional_tags)
    part_of: str | None = field(default=None, validator=optional(slug_id))

    def given(self) -> dict[str, Any]:
        """The fields that carry a new value, by name."""
        return {
            name: getattr(self, name) for name in SHARED_FIELDS if getattr(self, name) is not None
        }


@attrs.frozen
class Changes:
    """What a revision changes: new values, and fields it clears (null in the JSON)."""

    values: Updates = attrs.Factory(Updates)
    cleared: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.values.given() and not self.cleared:
            raise ValueError("at least one field to change is required")


@event
class _About(Event):
    """An event about an existing development, in that development's stream."""

    development: str = field(validator=slug_id)

    @property
    def stream(self) -> str:
        return self.development


@register
@event
class DevelopmentHeld(Updates, _About):
    """A scheduled or postponed development took place: its date is now known, and any
    field a revision may change may be given with it (a field left out stays as it was)."""

    TYPE: ClassVar[str] = "DevelopmentHeld"

    when: When = field()
    """The actual date."""

    def __attrs_post_init__(self) -> None:
        # A local time may rely on the zone recorded earlier; the service checks that case.
        if self.timezone is not None:
            check_local_time(self)


@register
@event
class DevelopmentPostponed(_About):
    """A development will not happen when planned; without a new date its date is unknown."""

    TYPE: ClassVar[str] = "DevelopmentPostponed"

    when: When | None = None
    reason: str | None = field(default=None, validator=optional_str(5_000))


@register
@event
class DevelopmentCancelled(_About):
    """A development will not happen."""

    TYPE: ClassVar[str] = "DevelopmentCancelled"

    reason: str | None = field(default=None, validator=optional_str(5_000))


@register
@event
class DevelopmentRevised(_About):
    """A correction: some shared fields get new values, with the reason for the change."""

    TYPE: ClassVar[str] = "DevelopmentRevised"

    changes: Changes
    reason: str = field(validator=non_empty_str(5_000))


@register
@event
class DevelopmentRetracted(_About):
    """The development should never have been recorded; it leaves projections and exports."""

    TYPE: ClassVar[str] = "DevelopmentRetracted"

    reason: str = field(validator=non_empty_str(5_000))


@register
@event
class DevelopmentsLinked(Event):
    """Two developments are related; the event lives in the stream of ``from``."""

    TYPE: ClassVar[str] = "DevelopmentsLinked"

    from_: str = field(validator=slug_id)
    to: str = field(validator=slug_id)
    relation: str = field(validator=one_of(RELATIONS))

    def __attrs_post_init__(self) -> None:
        if self.from_ == self.to:
            raise FieldError("to", "a development cannot be linked to itself")

    @property
    def stream(self) -> str:
        return self.from_


@value
class Disputed:
    """A value a merged duplicate gave for a field, where the kept development says otherwise."""

    field: str = attrs.field(validator=one_of(DISPUTABLE))
    value: str = attrs.field(validator=non_empty_str(20_000))
    """The duplicate's value, as text (a date in EDTF, a place as name, city, country)."""
    said_by: str = attrs.field(validator=non_empty_str(300))
    """Who said it: the web site of the duplicate's first source, else the duplicate's id."""


@register
@event
class DevelopmentsMerged(_About):
    """A duplicate joins the development kept; the event lives in the kept one's stream.

    The duplicate then leaves the tables and the exports, as a retraction does, and its id
    points to the kept development. What it brings is written into the event when it is
    appended, so that the event says all it did and the fold needs no other stream.
    """

    TYPE: ClassVar[str] = "DevelopmentsMerged"

    duplicate: str = field(validator=slug_id)
    """The development that joins the kept one (``development``)."""
    reason: str = field(validator=non_empty_str(5_000))
    sources: tuple[Source, ...] = field(default=(), converter=to_tuple)
    """The duplicate's sources that the kept development did not cite (filled in on append)."""
    participants: tuple[Participant, ...] = field(default=(), converter=to_tuple)
    """The duplicate's participants that the kept development did not name (filled in on
    append)."""
    tags: tuple[str, ...] = field(default=(), converter=to_tags)
    """The duplicate's tags that the kept development did not have (filled in on append)."""
    disputed: tuple[Disputed, ...] = field(default=(), converter=to_tuple)
    """Each field on which the duplicate said otherwise, with its value and who said it
    (filled in on append)."""

    def __attrs_post_init__(self) -> None:
        if self.duplicate == self.development:
            raise FieldError("duplicate", "a development cannot be merged into itself")


@register
@event
class DevelopmentsUnmerged(_About):
    """A merge undone: the duplicate is restored as it was, and what it brought leaves the
    kept development; the event lives in the kept one's stream."""

    TYPE: ClassVar[str] = "DevelopmentsUnmerged"

    duplicate: str = field(validator=slug_id)
    """The development merged into ``development`` earlier."""
    reason: str = field(validator=non_empty_str(5_000))
