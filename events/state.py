"""A development's current state, folded from the events of its stream.

The one fold used everywhere a current state is needed: deciding whether a lifecycle
event is allowed, `timeline show`, and the projection tables.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from events.base import Event
from events.developments import DevelopmentCreated, DevelopmentScheduled
from events.lifecycle import (
    DevelopmentCancelled,
    DevelopmentHeld,
    DevelopmentPostponed,
    DevelopmentRetracted,
    DevelopmentRevised,
    DevelopmentsLinked,
)
from events.values import Participant, Place, Source, When
from events.vocabulary import CLEARABLE


@attrs.define
class Link:
    """A relation from this development to another."""

    relation: str
    to: str


@attrs.define
class DevelopmentState:
    """Where a development stands after the events of its stream so far."""

    id: str
    type: str
    """The type of the event that created it."""
    kind: str
    title: str
    status: str
    when: When | None = None
    timezone: str | None = None
    summary: str | None = None
    place: Place | None = None
    participants: tuple[Participant, ...] = ()
    sources: tuple[Source, ...] = ()
    tags: tuple[str, ...] = ()
    part_of: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)
    """Fields of the creating event's own type: visitor, points, quote, announced_in…"""
    links: list[Link] = attrs.field(factory=list)
    status_reason: str | None = None
    retracted: bool = False
    version: int = 1
    """The stream version of the last event folded in."""
    created_at: str = ""
    updated_at: str = ""

    @property
    def revision(self) -> int:
        """How many events of the stream came after the one that created it."""
        return self.version - 1


_SHARED = ("when", *CLEARABLE)


@functools.cache
def _extra_fields(cls: type[DevelopmentCreated]) -> tuple[str, ...]:
    """The fields of a creating event that only some kinds have (kept in ``extra``)."""
    common = (*_SHARED, "development", "title", "kind")
    return tuple(f.name for f in attrs.fields(cls) if f.name not in common)


# What a cleared field holds: its default, an empty tuple for the lists and None otherwise.
_EMPTY = {name: attrs.fields_dict(DevelopmentState)[name].default for name in CLEARABLE}


def create(event: DevelopmentCreated, *, recorded_at: str) -> DevelopmentState:
    """The state a creating event starts."""
    extra: dict[str, Any] = {name: getattr(event, name) for name in _extra_fields(type(event))}
    scheduled = isinstance(event, DevelopmentScheduled)
    return DevelopmentState(
        id=event.stream,
        type=event.TYPE,
        kind=event.kind if scheduled else event.KIND,
        title=event.title,
        status="scheduled" if scheduled else "occurred",
        **{name: getattr(event, name) for name in _SHARED},
        extra=extra,
        version=1,
        created_at=recorded_at,
        updated_at=recorded_at,
    )


def apply(state: DevelopmentState, event: Event, *, version: int, recorded_at: str) -> None:
    """Fold one later event of the stream into *state*, in place."""
    state.version = version
    state.updated_at = recorded_at
    if isinstance(event, DevelopmentHeld):
        state.status, state.status_reason = "occurred", None
        for name in ("title", *_SHARED):
            value = getattr(event, name)
            if value is not None:
                setattr(state, name, value)
    elif isinstance(event, DevelopmentPostponed):
        state.status, state.when, state.status_reason = "postponed", event.when, event.reason
    elif isinstance(event, DevelopmentCancelled):
        state.status, state.status_reason = "cancelled", event.reason
    elif isinstance(event, DevelopmentRevised):
        for name, value in event.changes.values.given().items():
            setattr(state, name, value)
        for name in event.changes.cleared:
            setattr(state, name, _EMPTY[name])
    elif isinstance(event, DevelopmentRetracted):
        state.retracted, state.status_reason = True, event.reason
    elif isinstance(event, DevelopmentsLinked):
        state.links.append(Link(event.relation, event.to))
        if event.relation == "part_of":
            state.part_of = event.to
