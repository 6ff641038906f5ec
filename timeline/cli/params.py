"""The shapes of values on the command line, each parsed by one ``click.ParamType``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from timeline.entries import Entry


class Items(click.ParamType):
    """One item of a repeated flag read as its entry reads it (``NAME; ROLE; CC`` as a
    participant's object), the same way the form reads a line of its box."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.name = entry.shape

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):  # a default, or a value already read
            return value
        try:
            return self.entry.parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx, param, param_hint=self.entry.option) from None


def entry_option(entry: Entry, *, required: bool | None = None) -> Callable[[Callable], Callable]:
    """The flag of *entry*: its name, help and shape, ``--x`` repeated for a box of lines."""
    many = entry.widget == "lines"
    if entry.widget == "number":
        kind: Any = float
    elif entry.choices:
        kind = click.Choice(entry.choices)
    else:
        kind = Items(entry) if entry.parse is not None else None
    return click.option(
        entry.option,
        entry.name,
        type=kind,
        multiple=many,
        required=entry.required if required is None else required,
        default=entry.default,
        show_default=entry.default is not None,
        metavar=entry.metavar,
        help=f"{entry.help}; repeat for each." if many else entry.help,
    )


class Checked(click.ParamType):
    """A value checked before the command runs (as what reads it would check it), refused
    naming its flag."""

    def __init__(self, name: str, check: Callable[[str], object]) -> None:
        self.name = name
        self.check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            self.check(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        return value


def _http(url: str) -> None:
    from timeline.exports._words import check_http  # only when the flag is given

    check_http(url)


def _domain(domain: str) -> None:
    from timeline.exports._words import check_domain

    check_domain(domain)


def _country(code: str) -> None:
    from timeline.events.countries import is_party

    if not is_party(code.upper()):
        raise ValueError(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code (e.g. CN) "
            "nor an organisation such as EU, UN, NATO, ASEAN or AFU"
        )


HTTP_URL = Checked("URL", _http)
DOMAIN = Checked("DOMAIN", _domain)
COUNTRY = Checked("CC", _country)


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
