"""The base of every event class, and the error that names the field at fault."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import attrs

T = TypeVar("T")


class FieldError(ValueError):
    """A value refused by a validator, carrying the name of the field it was given for.

    Validators raise plain ``ValueError`` with a message about the value; the class
    decorator below wraps them so the message that reaches the user names the field.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _wrap_validator(name: str, validator: Callable[..., Any]) -> Callable[..., Any]:
    def validate(inst: Any, attribute: attrs.Attribute, value: Any) -> None:
        try:
            validator(inst, attribute, value)
        except FieldError:
            raise
        except (ValueError, TypeError) as exc:
            raise FieldError(name, str(exc)) from None

    validate.rule = validator  # type: ignore[attr-defined]  # put into words by docs/generate.py
    return validate


def _wrap_converter(name: str, converter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return converter(value)
        except FieldError:
            raise
        except (ValueError, TypeError) as exc:
            raise FieldError(name, str(exc)) from None

    convert.rule = converter  # type: ignore[attr-defined]
    return convert


def _name_errors(cls: type, fields: list[attrs.Attribute]) -> list[attrs.Attribute]:
    """Make every validator and converter of *cls* report the field it belongs to."""
    out = []
    for f in fields:
        # JSON names differ from Python names only where Python forbids them (`from`).
        name = f.name.rstrip("_")
        changes: dict[str, Any] = {}
        if f.validator is not None:
            changes["validator"] = _wrap_validator(name, f.validator)
        if f.converter is not None and callable(f.converter):
            changes["converter"] = _wrap_converter(name, f.converter)
        out.append(f.evolve(**changes) if changes else f)
    return out


def value(cls: type[T]) -> type[T]:
    """Declare a frozen value class whose validation errors name their field."""
    return attrs.frozen(field_transformer=_name_errors)(cls)


class Event:
    """An immutable fact about a development or an actor.

    Subclasses are frozen attrs classes (declared with :func:`event`) that set ``TYPE``
    (the stored type name) and ``VERSION`` (the schema version of their shape).
    """

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1

    @property
    def stream(self) -> str:
        """The stream (development id or ``actor:<slug>``) this event belongs to."""
        raise NotImplementedError


event = functools.partial(attrs.frozen, kw_only=True, field_transformer=_name_errors)
"""Decorator for event classes: frozen, keyword-only, errors naming their field."""


def one_of(choices: tuple[str, ...]) -> Callable[[Any, attrs.Attribute, Any], None]:
    """A validator accepting only *choices*, whose message lists them."""

    def check(_inst: Any, _attr: attrs.Attribute, value: Any) -> None:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(choices)}")

    return check
