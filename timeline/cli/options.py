"""The flags many commands share, as decorators, and the database they choose."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from timeline.db import Database, open_db

# SQLite integers are 64-bit: a larger number is a mistake to report, not to crash on.
SEQ = click.IntRange(0, 2**63 - 1)
CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_DB = "timeline.db"
DB_HELP = f"The database file [default: $TIMELINE_DB or {DEFAULT_DB}]."


def remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """Keep the innermost ``--db`` where :func:`db_path` finds it."""
    if value is not None:
        ctx.ensure_object(dict)["db"] = value


def db_option(fn: Callable) -> Callable:
    """``--db PATH`` on a command (it overrides the group's, which reads $TIMELINE_DB)."""
    return click.option(
        "--db",
        metavar="PATH",
        callback=remember_db,
        expose_value=False,
        is_eager=True,
        help=DB_HELP,
    )(fn)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def db_path() -> str:
    """The database chosen by the innermost ``--db``, else $TIMELINE_DB, else the default."""
    ctx = click.get_current_context()
    chosen = (ctx.obj or {}).get("db")
    if chosen is None:
        chosen = os.environ.get("TIMELINE_DB")
    if chosen is None:
        return DEFAULT_DB
    if not chosen.strip():
        raise click.ClickException("--db: an empty path names no database")
    return chosen


def open_chosen(create: bool = True) -> Database:
    """Open the database the flags chose; with *create*, make it if it is missing."""
    return open_db(db_path(), create=create)


def meta_options(fn: Callable) -> Callable:
    """``--note`` and ``--by``, kept in the event's meta."""
    fn = click.option("--by", "recorded_by", help="Who records this (kept in meta).")(fn)
    return click.option("--note", help="A note on this entry (kept in meta).")(fn)


def pop_meta(options: dict[str, Any]) -> dict[str, Any]:
    """The event's meta from ``--note`` and ``--by``, taken out of *options*."""
    note, by = options.pop("note", None), options.pop("recorded_by", None)
    return {k: v for k, v in (("note", note), ("recorded_by", by)) if v}


def apply(fn: Callable, options: list[Callable]) -> Callable:
    """Decorate *fn* with *options*, the first listed shown first in the help."""
    for option in reversed(options):
        fn = option(fn)
    return fn
