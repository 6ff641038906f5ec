"""`timeline editor add|list|remove`: who may write from the browser and over HTTP."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from timeline.cli.errors import reports_errors
from timeline.cli.options import CONTEXT, db_option, db_path, json_option
from timeline.editors import EditorsFile, check_name, default_path, describe
from timeline.output import dumps

EDITORS_HELP = "The editors file [default: the database's path + .editors.json]."


def editors_option(fn: Callable) -> Callable:
    """``--editors FILE``, for the commands that read or change the editors."""
    return click.option("--editors", "editors", metavar="FILE", help=EDITORS_HELP)(fn)


def chosen_editors(editors: str | None, *, must_exist: bool = False) -> EditorsFile:
    """The editors file the flags name, beside a database that exists.

    A file beside a database that is not there would be a typo in ``--db``: nobody could
    ever write with those tokens, so it is refused rather than created.
    """
    if editors is None:
        database = db_path()
        if not os.path.isfile(database):
            raise click.ClickException(
                f"--db: no database at {database} (create it with `timeline init`, "
                "or name the editors file with --editors)"
            )
        editors = str(default_path(database))
    found = EditorsFile(editors)
    if must_exist and not found.exists():
        raise click.ClickException(f"--editors: no editors file at {editors}")
    return found


@click.group(context_settings=CONTEXT)
def editor() -> None:
    """Manage who may write from the browser and over HTTP (`timeline serve`).

    Each editor gets a token, shown once: they sign in with it at /-/timeline-signin or
    send it as `Authorization: Bearer TOKEN` to POST /-/timeline/<database>/events. Every
    event they write records their name as `meta.recorded_by`. Tokens are kept only as
    salted hashes, in a file beside the database (mode 0600), never inside it.

    \b
    Example:
        timeline editor add "Ana Lima" --db diplomacy.db
        timeline serve --db diplomacy.db
    """


@editor.command("add", context_settings=CONTEXT)
@click.argument("name")
@editors_option
@json_option
@db_option
@reports_errors
def add_editor(name: str, editors: str | None, as_json: bool) -> None:
    """Add an editor called NAME (the name the log records) and print their token once.

    \b
    Example:
        timeline editor add "Ana Lima" --db diplomacy.db
    """
    found = chosen_editors(editors)
    token = found.add(name)
    name = check_name(name)  # as it was stored
    if as_json:
        click.echo(dumps({"name": name, "token": token, "editors": str(found.path)}))
        return
    click.echo(f"{found.path}: added {name!r}. Their token, shown only this once:")
    click.echo(token)
    click.echo("Keep it secret; `timeline editor remove` withdraws it.")


@editor.command("list", context_settings=CONTEXT)
@editors_option
@json_option
@db_option
@reports_errors
def list_editors(editors: str | None, as_json: bool) -> None:
    """List the editors (names and when they were added; never their tokens).

    \b
    Example:
        timeline editor list --db diplomacy.db
    """
    found = chosen_editors(editors)
    listed = [describe(e) for e in found.editors()]
    if as_json:
        click.echo(dumps(listed))
    elif not listed:
        click.echo(f"{found.path}: no editors (writing from the browser is off)")
    else:
        for entry in listed:
            click.echo(f"{entry['name']}\tadded {entry['added']}")


@editor.command("remove", context_settings=CONTEXT)
@click.argument("name")
@editors_option
@db_option
@reports_errors
def remove_editor(name: str, editors: str | None) -> None:
    """Remove the editor NAME: their token and their signed-in browsers stop working at once.

    What they wrote stays in the log, under their name.

    \b
    Example:
        timeline editor remove "Ana Lima" --db diplomacy.db
    """
    found = chosen_editors(editors, must_exist=True)
    removed = found.remove(name)
    click.echo(f"{found.path}: removed {removed.name!r}")


def serve_notice(database: str, editors: str | None) -> tuple[Path, str]:
    """The editors file `timeline serve` uses, and the line it prints about writing."""
    path = Path(editors) if editors is not None else default_path(database)
    found = EditorsFile(path)
    count = len(found.editors())
    if count:
        return path, (
            f"Writing is on for {count} editor{'s' * (count != 1)} ({path}): "
            "sign in at /-/timeline-signin"
        )
    how = (
        f"timeline editor add NAME --db {database}"
        if editors is None
        else (f"timeline editor add NAME --editors {editors}")
    )
    return path, f"Writing is off: no editors in {path} (add one with `{how}`)"
