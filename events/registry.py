"""Event classes filed by (type, schema version), and the upcasters for older versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from timeline.events.base import Event

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(ValueError):
    """A stored or submitted type name that no class and no upcaster knows."""


class Registry:
    """The event classes of one schema, and the steps that bring old payloads up to date.

    Only the current version of a type has a class; every older version has one upcaster,
    a pure ``dict -> dict`` step to the next version. Stored rows are never rewritten:
    payloads are upcast each time they are read.
    """

    def __init__(self) -> None:
        self._classes: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: type[Event]) -> type[Event]:
        """File *cls* under its TYPE; a second class for the same type is a programming error."""
        if cls.TYPE in self._classes:
            raise RuntimeError(f"event type {cls.TYPE!r} is registered twice")
        self._classes[cls.TYPE] = cls
        return cls

    def upcaster(self, type_: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorate the step that turns a *type_* payload of *from_version* into the next."""

        def decorate(fn: Upcaster) -> Upcaster:
            key = (type_, from_version)
            if key in self._upcasters:
                raise RuntimeError(f"two upcasters for {type_} v{from_version}")
            self._upcasters[key] = fn
            return fn

        return decorate

    def cls(self, type_: str) -> type[Event]:
        """The current class for *type_*; raise UnknownEventType naming the known ones."""
        try:
            return self._classes[type_]
        except KeyError:
            known = ", ".join(sorted(self._classes))
            raise UnknownEventType(f"unknown event type {type_!r}; known types: {known}") from None

    def types(self) -> list[str]:
        """Every registered type name, sorted."""
        return sorted(self._classes)

    def upcasters(self, type_: str) -> dict[int, Upcaster]:
        """The steps that read older payloads of *type_*, by the version each starts from.

        Public so that the documented contract can say which older versions still load.
        """
        return {v: fn for (t, v), fn in sorted(self._upcasters.items()) if t == type_}

    def upcast(self, type_: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        """Bring *data* written at *version* up to the current version, one step at a time."""
        current = self.cls(type_).VERSION
        if version > current:
            raise UnknownEventType(
                f"{type_} schema version {version} is newer than this program knows "
                f"({current}); upgrade timeline"
            )
        while version < current:
            try:
                step = self._upcasters[(type_, version)]
            except KeyError:
                raise UnknownEventType(f"no upcaster for {type_} v{version}") from None
            data = step(dict(data))
            version += 1
        return data


registry = Registry()
"""The registry of this program's event types."""

register = registry.register
