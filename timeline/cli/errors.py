"""How errors reach the user: one ``Error:`` line and a non-zero exit, fields named by flag."""

from __future__ import annotations

import functools
import itertools
import re
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

import click

from timeline import db as _db
from timeline.cli.options import db_path
from timeline.entries import ACTOR, INPUT_OF_PLACE_FIELD, OWN, PLACE_INPUTS, SHARED
from timeline.errors import InvalidEvent, TimelineError
from timeline.output import one_line

# Click 8.2 and later raise this for a group run without a command (earlier ones print the
# help themselves); an exception class no other error is.
_NO_ARGS_IS_HELP: type[Exception] = getattr(click.exceptions, "NoArgsIsHelpError", type(None))


class OneLineErrors(click.Group):
    """Report a usage error (a bad flag or value) in one line, like every other error.

    Click prints the usage block and a hint over several lines; scripts and people
    reading logs get one ``Error:`` line that says which option and where to look.
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _NO_ARGS_IS_HELP as exc:  # `timeline`, `timeline add`: the help, as it is
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            # Click's own words over several lines ("Choose from:\n\tical,...") read as one.
            where = f" (see: {exc.ctx.command_path} --help)" if exc.ctx else ""
            click.echo(f"Error: {' '.join(exc.format_message().split())}{where}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            # One line whatever the message quotes: a path or a value may hold line breaks.
            click.echo(f"Error: {one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def reports_errors(fn: Callable) -> Callable:
    """Turn the service's errors into one line on stderr and a non-zero exit."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TimelineError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:  # named by its SQLite error code: full, read-only...
            raise click.ClickException(str(_db.file_error(db_path(), exc))) from None

    return wrapper


# Flags are named for people, fields for the JSON: the flag that sets each field (or the
# fields under it), as the entries of `timeline.entries` name them. A field of data not
# listed here is set by the flag of its name. (An actor's name is the argument NAME.)
_OPTION_OF = {e.name: e.option for e in (*SHARED, *itertools.chain(*OWN.values()), *ACTOR[1:])}
FLAG_FOR_FIELD = {
    **{f"data.{name}": option for name, option in _OPTION_OF.items() if name not in PLACE_INPUTS},
    **{f"data.place.{field}": _OPTION_OF[name] for field, name in INPUT_OF_PLACE_FIELD.items()},
    "data.place": "--at or --city",
    "data.changes.participants": "--clear participants",
    "data.changes": "the changes",
    "expected_version": "--expect-version",
}
LIFECYCLE_ARGUMENTS = {"data.development": "DEVELOPMENT", "data.from": "A", "data.to": "B"}
"""The fields that lifecycle commands take as arguments rather than flags."""

_ITEM = re.compile(r"\[(\d+)\]\.?")
_FLAG = re.compile(r"--[a-z-]+")


def in_flag_terms(exc: InvalidEvent, names: dict[str, str]) -> str:
    """*exc* with its field named as the flag that set it: ``--with #2 country: ...``."""
    field = exc.field
    if field is None:
        return exc.detail
    if field in names:
        return f"{names[field]}: {exc.message}"
    if field.startswith("data.changes."):  # `timeline revise` sets fields by the same flags
        field = f"data.{field.removeprefix('data.changes.')}"
    for prefix in sorted(names, key=len, reverse=True):
        if field.startswith(prefix):
            rest = field[len(prefix) :]
            item = _ITEM.match(rest) if _FLAG.fullmatch(names[prefix]) else None
            if item is not None:  # counted from 1 for people
                rest = f" #{int(item[1]) + 1} {rest[item.end() :]}".rstrip()
            return f"{names[prefix]}{rest}: {exc.message}"
    if field.startswith("data."):
        name = re.split(r"[.\[]", field[5:], maxsplit=1)[0]
        return f"--{name.replace('_', '-')}{field[5 + len(name) :]}: {exc.message}"
    return exc.detail


def flag_errors(arguments: dict[str, str] = LIFECYCLE_ARGUMENTS) -> Callable[[Callable], Callable]:
    """Report a refused field by the flag that set it (``--with``, not ``data.participants``).

    *arguments* names the fields that the command takes as arguments or other flags.
    """
    names = {**FLAG_FOR_FIELD, **arguments}

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except InvalidEvent as exc:
                raise click.ClickException(in_flag_terms(exc, names)) from None

        return wrapper

    return decorate
