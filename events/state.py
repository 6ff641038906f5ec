"""A development's current state, folded from the stored events of its stream.

The one fold used everywhere a current state is needed: deciding whether a lifecycle
event is allowed, `timeline show`, and the projection tables. It folds events in their
stored form (the JSON objects of the log, upcast to the current version), not as event
classes: every stored event was validated when it was appended (and `timeline verify`
checks each again), so building and validating the classes again only to read their
fields would be the whole cost of a rebuild. The state's fields therefore hold values as
they are stored: a date as its EDTF text, a place, participants and sources as objects.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs
from timeline.events.developments import CREATION_TYPES, DevelopmentCreated, DevelopmentScheduled
from timeline.events.ids import same_person
from timeline.events.lifecycle import (
    DevelopmentCancelled,
    DevelopmentHeld,
    DevelopmentPostponed,
    DevelopmentRetracted,
    DevelopmentRevised,
    DevelopmentsLinked,
    DevelopmentsMerged,
    DevelopmentsUnmerged,
)
from timeline.events.values import When
from timeline.events.vocabulary import CLEARABLE, DISPUTABLE, LIST_FIELDS, PLACE_FIELDS

Stored = Mapping[str, Any]
"""An object as the log stores it (a place, a participant, a source): absent keys unknown."""


@attrs.define
class Link:
    """A relation from this development to another."""

    relation: str
    to: str


@attrs.define
class Merge:
    """A duplicate merged into this development, with what it brought and said otherwise."""

    duplicate: str
    reason: str
    version: int
    """The stream version of the merge."""
    merged_at: str
    sources: tuple[Stored, ...] = ()
    participants: tuple[Stored, ...] = ()
    tags: tuple[str, ...] = ()
    disputed: tuple[Stored, ...] = ()


@attrs.define
class DevelopmentState:
    """Where a development stands after the events of its stream so far."""

    id: str
    type: str
    """The type of the event that created it."""
    kind: str
    title: str
    status: str
    when: str | None = None
    """The date as written (EDTF); :attr:`date` reads it."""
    last_when: str | None = None
    """The date it had when a postponement left its date unknown (calendars keep it there)."""
    timezone: str | None = None
    summary: str | None = None
    place: Stored | None = None
    participants: tuple[Stored, ...] = ()
    sources: tuple[Stored, ...] = ()
    tags: tuple[str, ...] = ()
    part_of: str | None = None
    # The fields only some kinds have (see :func:`own_fields`).
    visitor: str | None = None
    host_country: str | None = None
    points: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    speaker: str | None = None
    quote: str | None = None
    announced_in: str | None = None
    links: list[Link] = attrs.field(factory=list)
    merged: list[Merge] = attrs.field(factory=list)
    """The duplicates merged into it and not unmerged since, oldest first."""
    status_reason: str | None = None
    retracted: bool = False
    version: int = 1
    """The stream version of the last event folded in."""
    created_at: str = ""
    updated_at: str = ""

    @property
    def date(self) -> When | None:
        """The date, parsed: its start, end, precision and checks against a time zone."""
        return None if self.when is None else parse_when(self.when)

    def own_fields(self) -> dict[str, Any]:
        """The fields of its kind that other kinds do not have (visitor, points, quote…)."""
        return {name: getattr(self, name) for name in _OWN[self.type]}


@functools.lru_cache(maxsize=4096)
def parse_when(text: str) -> When:
    """A stored date, parsed once however many developments share it."""
    return When.parse(text)


_SHARED = ("when", *CLEARABLE)
_LISTS = frozenset(("participants", "sources", "tags", "points", "parties"))


def _own(cls: type[DevelopmentCreated]) -> tuple[str, ...]:
    common = (*_SHARED, "development", "title", "kind")
    return tuple(f.name for f in attrs.fields(cls) if f.name not in common)


_OWN: dict[str, tuple[str, ...]] = {cls.TYPE: _own(cls) for cls in CREATION_TYPES}
"""The fields each creating type has beyond the shared ones, all kept in the state."""

_KIND: dict[str, str] = {
    cls.TYPE: cls.KIND for cls in CREATION_TYPES if cls is not DevelopmentScheduled
}
"""The kind each creating type stands for (a scheduled development names its own)."""

CREATING: frozenset[str] = frozenset(_OWN)
"""The types of the events that create a development."""


def _value(name: str, value: Any) -> Any:
    """A stored value as the state keeps it: lists as tuples, so states compare as values."""
    return tuple(value) if name in _LISTS else value


def create(type_: str, data: Stored, *, recorded_at: str) -> DevelopmentState:
    """The state a creating event (its stored form, upcast) starts."""
    scheduled = type_ == DevelopmentScheduled.TYPE
    present = {
        name: _value(name, data[name])
        for name in (*_SHARED, *_OWN[type_])
        if data.get(name) is not None
    }
    return DevelopmentState(
        id=data["development"],
        type=type_,
        kind=data["kind"] if scheduled else _KIND[type_],
        title=data["title"],
        status="scheduled" if scheduled else "occurred",
        **present,
        version=1,
        created_at=recorded_at,
        updated_at=recorded_at,
    )


# What a cleared field holds: its default, an empty tuple for the lists and None otherwise.
_EMPTY = {name: attrs.fields_dict(DevelopmentState)[name].default for name in CLEARABLE}


def apply(
    state: DevelopmentState, type_: str, data: Stored, *, version: int, recorded_at: str
) -> None:
    """Fold one later event of the stream (its stored form, upcast) into *state*, in place."""
    state.version = version
    state.updated_at = recorded_at
    if type_ == DevelopmentHeld.TYPE:
        state.status, state.status_reason = "occurred", None
        for name in ("title", *_SHARED):
            value = data.get(name)
            if value is not None:
                setattr(state, name, _value(name, value))
    elif type_ == DevelopmentPostponed.TYPE:
        when = data.get("when")
        if when is None:
            state.last_when = state.when or state.last_when
        state.status, state.when, state.status_reason = "postponed", when, data.get("reason")
    elif type_ == DevelopmentCancelled.TYPE:
        state.status, state.status_reason = "cancelled", data.get("reason")
    elif type_ == DevelopmentRevised.TYPE:
        # A changed field holds its new value; a cleared one is null.
        for name, value in data["changes"].items():
            setattr(state, name, _EMPTY[name] if value is None else _value(name, value))
    elif type_ == DevelopmentRetracted.TYPE:
        state.retracted, state.status_reason = True, data["reason"]
    elif type_ == DevelopmentsLinked.TYPE:
        state.links.append(Link(data["relation"], data["to"]))
        if data["relation"] == "part_of":
            state.part_of = data["to"]
    elif type_ == DevelopmentsMerged.TYPE:
        _merge(state, data, version=version, recorded_at=recorded_at)
    elif type_ == DevelopmentsUnmerged.TYPE:
        _unmerge(state, data["duplicate"])
    if state.when is not None:
        state.last_when = None  # a date is known again


def _merge(state: DevelopmentState, data: Stored, *, version: int, recorded_at: str) -> None:
    """What a duplicate brings joins the lists; the merge remembers it for an unmerge."""
    merge = Merge(
        duplicate=data["duplicate"],
        reason=data["reason"],
        version=version,
        merged_at=recorded_at,
        **{name: tuple(data.get(name, ())) for name in LIST_FIELDS},
        disputed=tuple(data.get("disputed", ())),
    )
    for name in LIST_FIELDS:
        setattr(state, name, getattr(state, name) + getattr(merge, name))
    state.merged.append(merge)


def _unmerge(state: DevelopmentState, duplicate: str) -> None:
    """The latest merge of *duplicate* is undone: what it brought and still stands goes."""
    for index in range(len(state.merged) - 1, -1, -1):
        merge = state.merged[index]
        if merge.duplicate == duplicate:
            del state.merged[index]
            for name in LIST_FIELDS:
                kept = list(getattr(state, name))
                for item in getattr(merge, name):
                    if item in kept:
                        kept.remove(item)
                setattr(state, name, tuple(kept))
            return


def brought_by(kept: DevelopmentState, duplicate: DevelopmentState) -> dict[str, Any]:
    """What merging *duplicate* into *kept* adds to it, as a DevelopmentsMerged stores it.

    Its sources (by URL), participants (by person: see :func:`same_person`) and tags (in
    any case) that *kept* lacks, and each field of :data:`DISPUTABLE` where the duplicate
    gave a value that *kept* does not have (a person's other name among them), with who
    said it, so that nothing it said is lost.
    """
    urls = {source["url"] for source in kept.sources}
    tags = {tag.casefold() for tag in kept.tags}
    said_by = _said_by(duplicate)
    people: list[Stored] = []
    other_names: list[str] = []
    for person in duplicate.participants:
        name = person["name"]
        known = next((p["name"] for p in kept.participants if same_person(p["name"], name)), None)
        if known is None:
            people.append(person)
        elif known != name:
            other_names.append(name)
    disputed = []
    for field in DISPUTABLE:
        if field == "participants":  # compared person by person, above
            values = other_names
        else:
            theirs, ours = _text(getattr(duplicate, field)), _text(getattr(kept, field))
            values = [theirs] if theirs and theirs != ours else []
        disputed += [{"field": field, "value": v, "said_by": said_by} for v in values]
    found = {
        "sources": [s for s in duplicate.sources if s["url"] not in urls],
        "participants": people,
        "tags": [tag for tag in duplicate.tags if tag.casefold() not in tags],
        "disputed": disputed,
    }
    return {name: items for name, items in found.items() if items}


def _said_by(state: DevelopmentState) -> str:
    """Who said what a development says: the web site of its first source, else its id."""
    if state.sources:
        host = urlsplit(state.sources[0]["url"]).hostname or ""
        if host:
            return host.removeprefix("www.")
    return state.id


def _text(value: Any) -> str:
    """A field's value as one text to compare and show: a place as name, city, country."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return ", ".join(str(value[k]) for k in PLACE_FIELDS[:3] if value.get(k))
    if isinstance(value, tuple | list):
        return "; ".join(map(str, value))
    return str(value)


def disputed_text(disputed: Stored) -> str:
    """A disputed value as people read it: ``when: history.state.gov: 2024-04-24/2024-04-27``."""
    return f"{disputed['field']}: {disputed['said_by']}: {disputed['value']}"
