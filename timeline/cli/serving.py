"""Browsing in Datasette: `serve` and `demo` (Datasette is imported only to serve)."""

from __future__ import annotations

import os
from collections.abc import Callable

import click

from timeline import service
from timeline.cli.editing import editors_option, serve_notice
from timeline.cli.errors import reports_errors
from timeline.cli.options import CONTEXT, db_option, db_path, open_chosen
from timeline.db import open_db
from timeline.editors import SERVED, served_mapping

# Options we do not know are Datasette's.
PASS_THROUGH = {**CONTEXT, "ignore_unknown_options": True, "allow_extra_args": True}


def _serve(
    path: str, host: str, port: int, extra: tuple[str, ...], editors: str | None = None
) -> None:
    from datasette.cli import cli as datasette_cli  # heavy: only when serving

    chosen, notice = serve_notice(path, editors)
    click.echo(notice, err=True)
    if editors is not None:  # for the plugin, in the server this process becomes
        os.environ[SERVED] = served_mapping(path, str(chosen))
    args = ["serve", path, "--host", host, "--port", str(port), *extra]
    datasette_cli.main(args=args, prog_name="timeline serve", standalone_mode=True)


def serve_options(fn: Callable) -> Callable:
    """``--host`` and ``--port`` for Datasette."""
    fn = click.option(
        "--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port."
    )(fn)
    return click.option(
        "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
    )(fn)


@click.command(context_settings=PASS_THROUGH)
@serve_options
@editors_option
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
@db_option
@reports_errors
def serve(host: str, port: int, editors: str | None, datasette_args: tuple[str, ...]) -> None:
    """Browse the timeline in Datasette, with our metadata, facets and queries; with
    editors (`timeline editor add`), they add and update developments from the browser
    and over HTTP.

    Other options are passed to `datasette serve` (for example --open or --setting).

    \b
    Example:
        timeline serve --db diplomacy.db --port 8002 --open
    """
    from timeline.projector import catch_up

    catch_up(open_chosen(create=False))
    _serve(db_path(), host, port, datasette_args, editors)


@click.command(context_settings=PASS_THROUGH)
@click.option(
    "--db",
    "path",
    default="demo.db",
    show_default=True,
    metavar="PATH",
    help="Where to build the demo (never $TIMELINE_DB: your own data stays apart).",
)
@click.option("--no-serve", is_flag=True, help="Only build the database.")
@serve_options
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
@reports_errors
def demo(path: str, no_serve: bool, host: str, port: int, datasette_args: tuple[str, ...]) -> None:
    """Build a database from the bundled samples and browse it in Datasette: Blinken's
    April 2024 visit to Beijing from one article, and every trip of Secretary Blinken from
    the Office of the Historian, whose record of that visit is merged into the article's.

    \b
    Example:
        timeline demo
        timeline demo --no-serve --db sample.db
    """
    from timeline.demo import DUPLICATE, KEPT, build_demo
    from timeline.output import state_text

    db = open_db(path)
    built = build_demo(db)
    state, history = service.development_history(db, KEPT)
    parts = service.parts_of(db, KEPT)
    db.close()
    sample, travels = built.sample, built.travels.as_dict()
    click.echo(
        f"{path}: {sample.count} sample events added, {len(sample.skipped)} were already "
        f"there; the Office of the Historian's trips of Secretary Blinken: "
        f"{travels['created']} created, {travels['revised']} revised, "
        f"{travels['unchanged']} unchanged."
    )
    what = "Merged" if built.merged else "Merged earlier,"
    click.echo(f"{what} the Historian's {DUPLICATE} into the article's visit, {KEPT}:")
    if state is not None:
        click.echo(state_text(state, history, parts))
    if no_serve:
        click.echo(f"Browse it with: timeline serve --db {path}")
    else:
        click.echo("Browse the developments table, facets and queries.")
        _serve(path, host, port, datasette_args)
