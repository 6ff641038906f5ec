"""The events that create a development: what happened, or what is planned."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, ClassVar

import attrs
from attrs import field
from attrs.validators import optional
from timeline.events.base import Event, FieldError, event, one_of
from timeline.events.countries import FORMER, is_party, validity_problem
from timeline.events.registry import register
from timeline.events.values import (
    Participant,
    Place,
    Source,
    When,
    country_code,
    distinct_texts,
    non_empty_str,
    optional_str,
    slug_id,
    strip,
    to_country,
    to_tuple,
)
from timeline.events.vocabulary import CLEARABLE, SCHEDULED_KINDS

TITLE = non_empty_str(300)
"""A development's title: one line, not blank (a revision's new title too)."""
SUMMARY = optional_str(20_000)
"""A development's summary (a revision's new summary too)."""


def check_timezone(_inst: Any, _attr: attrs.Attribute, value: str | None) -> None:
    """Refuse a time zone name that the IANA database does not know."""
    if value is not None and not _is_zone(value):
        raise ValueError(f"{value!r} is not an IANA time zone such as 'Asia/Shanghai'")


@functools.lru_cache(maxsize=512)
def _is_zone(name: str) -> bool:
    import zoneinfo  # lazily: only events that carry a zone pay for it

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


to_tags = distinct_texts("tag", 100)
"""Strip each tag and drop repeats, keeping the first spelling and the order given."""


def when_problem(when: When | None, zone: str | None) -> tuple[str, str] | None:
    """Why a date cannot stand with the zone of its place, with the field to name, or None.

    One rule for the event that creates a development and for every later one that
    dates it: a local time needs a zone and must happen exactly once there, an offset
    must be the zone's own at that instant, and either must be shown in UTC and there.
    """
    if when is None:
        return None
    if zone is not None:
        problem = when.range_problem(zone) or when.offset_problem(zone)
        if problem is not None:
            return "when", problem
    if when.needs_timezone:
        if zone is None:
            return (
                "timezone",
                f"required for the local time {when.text!r} (or give an offset such as +08:00)",
            )
        problem = when.local_time_problem(zone)
        if problem is not None:
            return "when", problem
    return None


def check_local_time(inst: Any) -> None:
    """Refuse a date that cannot stand with the event's own zone (see :func:`when_problem`)."""
    found = when_problem(getattr(inst, "when", None), inst.timezone)
    if found is not None:
        raise FieldError(*found)


def check_alpha2_list(_inst: Any, _attr: attrs.Attribute, value: tuple[str, ...]) -> None:
    """Every item must be a country code (current or former) or a listed organisation."""
    for code in value:
        if not is_party(code):
            raise ValueError(
                f"{code!r} is not an ISO 3166-1 alpha-2 country code "
                "nor an organisation such as EU, UN, NATO, ASEAN or AFU"
            )


def countries_of(fields: Any) -> Iterator[tuple[str, str]]:
    """Every country code in a development's fields, with the field that holds it, in the
    order a development's countries are listed: where it was held (the host country of a
    visit, the place's country), its participants' countries, its parties.

    *fields* is an event or an object with the same attribute names (place, participants,
    host_country, parties), as classes or stored dicts.
    """

    def get(item: Any, name: str) -> Any:
        return item.get(name) if isinstance(item, dict) else getattr(item, name, None)

    if get(fields, "host_country"):
        yield "host_country", get(fields, "host_country")
    place = get(fields, "place")
    if place is not None and get(place, "country"):
        yield "place.country", get(place, "country")
    for i, person in enumerate(get(fields, "participants") or ()):
        if get(person, "country"):
            yield f"participants[{i}].country", get(person, "country")
    for i, code in enumerate(get(fields, "parties") or ()):
        yield f"parties[{i}]", code


def dated_country_problem(fields: Any, when: When | None) -> FieldError | None:
    """The first former country code in *fields* that was not valid at the date *when*."""
    if when is None:
        return None
    for name, code in countries_of(fields):
        if code not in FORMER:  # a current code or an organisation: valid on any date
            continue
        problem = validity_problem(code, when.start_date(), when.end_date())
        if problem is not None:
            return FieldError(name, problem)
    return None


def to_alpha2_list(value: Any) -> tuple[str, ...]:
    """Upper-case each code, keeping order and dropping repeats."""
    if isinstance(value, str):
        raise TypeError("must be a list of country codes")
    out: list[str] = []
    value = to_tuple(value)
    for code in value:
        code = to_country(code)
        if code and code not in out:
            out.append(code)
    return tuple(out)


def _strings(max_len: int, what: str) -> Any:
    def check(_inst: Any, _attr: attrs.Attribute, value: tuple[str, ...]) -> None:
        for i, item in enumerate(value):
            if not item.strip():
                raise ValueError(f"{what} {i + 1} is empty")
            if len(item) > max_len:
                raise ValueError(f"{what} {i + 1} is longer than {max_len} characters")

    return check


@event
class DevelopmentCreated(Event):
    """The fields shared by every event that creates a development."""

    KIND: ClassVar[str]

    development: str | None = field(default=None, validator=optional(slug_id))
    """The id; when absent, made from the date and the title."""
    title: str = field(converter=strip, validator=TITLE)
    when: When = field()
    timezone: str | None = field(default=None, validator=check_timezone)
    """IANA zone of the place, for local times and for calendar exports."""
    summary: str | None = field(default=None, validator=SUMMARY)
    place: Place | None = None
    participants: tuple[Participant, ...] = field(default=(), converter=to_tuple)
    sources: tuple[Source, ...] = field(default=(), converter=to_tuple)
    tags: tuple[str, ...] = field(default=(), converter=to_tags)
    part_of: str | None = field(default=None, validator=optional(slug_id))
    """The id of an enclosing development (the visit a meeting belongs to)."""

    def __attrs_post_init__(self) -> None:
        check_local_time(self)
        self.check_own_id()
        problem = dated_country_problem(self, self.when)
        if problem is not None:
            raise problem

    def check_own_id(self, development: str | None = None) -> None:
        """The checks that involve the development's own id: the one given, or the one
        the service makes for it (*development*)."""
        own = development or self.development
        if self.part_of is not None and self.part_of == own:
            raise FieldError("part_of", "a development cannot be part of itself")

    @property
    def stream(self) -> str:
        """The development's id, which the service fills in before appending."""
        if self.development is None:
            raise ValueError("the development id has not been assigned yet")
        return self.development


def _at_least_one_participant(_inst: Any, _attr: attrs.Attribute, value: tuple) -> None:
    if not value:
        raise ValueError("at least one participant is required")


@event
class _Encounter(DevelopmentCreated):
    participants: tuple[Participant, ...] = field(
        default=(), converter=to_tuple, validator=_at_least_one_participant
    )


@register
@event
class MeetingHeld(_Encounter):
    """A meeting took place."""

    TYPE: ClassVar[str] = "MeetingHeld"
    KIND: ClassVar[str] = "meeting"


@register
@event
class TalksHeld(_Encounter):
    """A round of talks took place."""

    TYPE: ClassVar[str] = "TalksHeld"
    KIND: ClassVar[str] = "talks"


@register
@event
class SummitHeld(_Encounter):
    """A summit took place."""

    TYPE: ClassVar[str] = "SummitHeld"
    KIND: ClassVar[str] = "summit"


@register
@event
class CallHeld(_Encounter):
    """A telephone or video call took place."""

    TYPE: ClassVar[str] = "CallHeld"
    KIND: ClassVar[str] = "call"


@register
@event
class VisitMade(DevelopmentCreated):
    """Someone visited another country; ``when`` is usually an interval."""

    TYPE: ClassVar[str] = "VisitMade"
    KIND: ClassVar[str] = "visit"

    visitor: str = field(converter=strip, validator=non_empty_str(200))
    host_country: str = field(converter=to_country, validator=country_code)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.host_country:
            raise FieldError("host_country", "is required")


@register
@event
class AgreementReached(DevelopmentCreated):
    """Parties agreed on one or more points."""

    TYPE: ClassVar[str] = "AgreementReached"
    KIND: ClassVar[str] = "agreement"

    points: tuple[str, ...] = field(converter=to_tuple, validator=_strings(5_000, "point"))
    parties: tuple[str, ...] = field(
        default=(), converter=to_alpha2_list, validator=check_alpha2_list
    )

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.points:
            raise FieldError("points", "at least one point is required")


@register
@event
class StatementMade(DevelopmentCreated):
    """Someone said something on the record; ``quote`` is verbatim."""

    TYPE: ClassVar[str] = "StatementMade"
    KIND: ClassVar[str] = "statement"

    speaker: str = field(converter=strip, validator=non_empty_str(200))
    quote: str = field(validator=non_empty_str(20_000))


@register
@event
class DevelopmentScheduled(DevelopmentCreated):
    """A development is announced or planned; its date may not be known yet."""

    TYPE: ClassVar[str] = "DevelopmentScheduled"

    kind: str = field(validator=one_of(SCHEDULED_KINDS))
    when: When | None = None
    announced_in: str | None = field(default=None, validator=optional(slug_id))
    """The id of the development in which this one was announced."""

    @property
    def KIND(self) -> str:  # type: ignore[override]  # the kind is data here, not a constant
        return self.kind


CREATION_TYPES: tuple[type[DevelopmentCreated], ...] = (
    MeetingHeld,
    TalksHeld,
    SummitHeld,
    CallHeld,
    VisitMade,
    AgreementReached,
    StatementMade,
    DevelopmentScheduled,
)

NEEDS_PARTICIPANTS: frozenset[str] = frozenset(
    cls.TYPE for cls in CREATION_TYPES if issubclass(cls, _Encounter)
)
"""The types of development that always keep at least one participant (the encounters)."""

# The fields of a development that later events may change.
SHARED_FIELDS = ("title", "when", *CLEARABLE)
