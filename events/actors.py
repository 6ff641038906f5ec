"""The event that describes a person, an organization or a state."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from attrs import field
from attrs.validators import optional
from timeline.events.base import Event, event, one_of
from timeline.events.ids import actor_stream
from timeline.events.registry import register, registry
from timeline.events.values import (
    Role,
    country_code,
    distinct_texts,
    non_empty_str,
    optional_str,
    quote,
    strip,
    to_country,
    to_tuple,
)
from timeline.events.vocabulary import ACTOR_KINDS

_WIKIDATA = re.compile(r"Q[1-9][0-9]{0,11}")


def _wikidata_id(_inst: Any, _attr: Any, value: str) -> None:
    if not isinstance(value, str) or not _WIKIDATA.fullmatch(value):
        raise ValueError(f"{quote(value)} is not a Wikidata item id such as Q42")


@register
@event
class ActorDescribed(Event):
    """Who someone is: native name, kind, country and roles; the latest description wins."""

    TYPE: ClassVar[str] = "ActorDescribed"
    VERSION: ClassVar[int] = 2
    """Version 2 stores ``kind`` always; version 1 left it out when it was ``person``."""

    name: str = field(converter=strip, validator=non_empty_str(200))
    native_name: str | None = field(default=None, validator=optional_str(200))
    """The name in its own script, e.g. 王毅."""
    kind: str = field(default="person", validator=one_of(ACTOR_KINDS))
    country: str | None = field(default=None, converter=to_country, validator=country_code)
    roles: tuple[Role, ...] = field(default=(), converter=to_tuple)
    aliases: tuple[str, ...] = field(default=(), converter=distinct_texts("alias", 200))
    """Other names the actor is known by (Tony Blinken), found like the name."""
    wikidata: str | None = field(default=None, validator=optional(_wikidata_id))
    """The Wikidata item (Q...), to join other data sets."""

    @property
    def stream(self) -> str:
        return actor_stream(self.name)


@registry.upcaster("ActorDescribed", 1)
def _kind_written_out(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 left ``kind`` out when it was the default, ``person``: it reads as ``person``."""
    data.setdefault("kind", "person")
    return data
