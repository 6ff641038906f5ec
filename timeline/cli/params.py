"""The shapes of values on the command line, each parsed by one ``click.ParamType``."""

from __future__ import annotations

from typing import Any

import click

from timeline.entries import role_parts, split_parts
from timeline.events.vocabulary import PARTICIPANT_FIELDS, SOURCE_FIELDS


class Parts(click.ParamType):
    """``A; B; C``: up to one part per field, blanks left out, as the field's JSON object."""

    def __init__(self, fields: tuple[str, ...], flag: str) -> None:
        self.fields = fields
        self.flag = flag
        self.name = "; ".join(f.upper() for f in fields)

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        try:
            return self.split(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx, param, param_hint=self.flag) from None

    def split(self, value: str) -> dict[str, str]:
        """The value as its field's object (ValueError when it has too many parts)."""
        return split_parts(value, self.fields)


class RoleParts(Parts):
    """``TITLE; ORGANIZATION; FROM/TO``: a role, its dates an interval either end of which
    may be open (``2023-07-25/..``) or left out (``2023-07-25``: from then)."""

    def __init__(self) -> None:
        super().__init__(("title", "organization", "dates"), "--role")
        self.name = "TITLE; ORGANIZATION; FROM/TO"

    def split(self, value: str) -> dict[str, str]:
        return role_parts(value)


ROLE = RoleParts()
"""``TITLE; ORGANIZATION; FROM/TO`` (``--role``)."""
PARTICIPANT = Parts(PARTICIPANT_FIELDS, "--with")
"""``NAME; ROLE; CC`` (``--with``)."""
SOURCE = Parts(SOURCE_FIELDS, "--source")
"""``URL; TITLE; PUBLISHER; DATE`` (``--source``)."""


class DateType(click.ParamType):
    """A date, month, year or interval as ``When`` reads it (``--from``, ``--to``).

    Checked here and passed on as given; a bad one is one line that names the flag and
    quotes the value (``--from: '2024-99' is not a valid date: ...``), exit status 1.
    """

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from timeline.events.values import When

        try:
            When.parse(value)
        except ValueError as exc:
            flag = param.opts[0] if param is not None and param.opts else "date"
            raise click.ClickException(f"{flag}: {exc}") from None
        return value


DATE = DateType()


class AsOfType(click.ParamType):
    """``SEQ|TIME``: a point in the log, a seq or an aware time (``--as-of``).

    Checked here and passed on as given (the JSON export names it as given); whether a
    seq is past the end of the log is for the command, which opens the log, to say.
    """

    name = "SEQ|TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from timeline.as_of import parse_point

        try:
            parse_point(value)
        except ValueError as exc:
            raise click.ClickException(f"--as-of: {exc}") from None
        return value


AS_OF = AsOfType()


class HeadType(click.ParamType):
    """``SEQ:HASH``, a log position as `timeline head` prints it."""

    name = "SEQ:HASH"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from timeline.verification import Head

        if isinstance(value, Head):
            return value
        try:
            return Head.parse(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class _RegistryChoice(click.Choice):
    """One of the names a registry lists, read on use, not at start-up: knowing them
    imports the registry (the exporters', the importers'), which `timeline append` never
    needs."""

    def __init__(self) -> None:
        super().__init__(())

    def load(self) -> tuple[str, ...]:
        """The names, from the registry."""
        raise NotImplementedError

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return self.load()

    @choices.setter
    def choices(self, _value: Any) -> None:
        pass  # click's constructor sets the list; it is read from the registry instead


class FormatChoice(_RegistryChoice):
    """One of the export formats, listed by ``timeline.exporting``."""

    def load(self) -> tuple[str, ...]:
        from timeline.exporting import FORMATS

        return FORMATS


class ImportFormatChoice(_RegistryChoice):
    """One of the formats ``timeline import`` reads, listed by ``timeline.importers``."""

    def load(self) -> tuple[str, ...]:
        from timeline.importers import FORMATS

        return tuple(FORMATS)
