"""The flags many commands share, as decorators, and the database they choose."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from timeline.connection import COMPANIONS
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


def creates_nothing_on_failure(fn: Callable) -> Callable:
    """Remove the database a failed write command created: what writes nothing creates nothing.

    A command that appends opens (and so creates) its database before it knows whether
    the event is accepted, since the log decides some of that (``--part-of``, versions).
    If the file was not there before and the command fails, the file it made (and its
    ``-wal`` and ``-shm``) is removed, unless the log in it holds an event by then (another
    writer got there too), so a typo never leaves an empty ``timeline.db`` behind.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        path = db_path()
        existed = path == ":memory:" or os.path.lexists(path)
        try:
            return fn(*args, **kwargs)
        except BaseException:
            if not existed:
                _remove_if_empty(path)
            raise

    return wrapper


def _remove_if_empty(path: str) -> None:
    """Remove a database file this command created, if its log holds no event."""
    if not os.path.isfile(path):
        return
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if "events" in tables and conn.execute("SELECT 1 FROM events").fetchone():
                return
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return  # not something we can read: leave it
    for name in (path, *(f"{path}{suffix}" for suffix in COMPANIONS)):
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)


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
