"""The `timeline` command: parse the flags, call one service function, print the result.

One module per family of commands; heavy modules (Datasette, the exporters) are
imported inside the commands that use them, so that `timeline append` starts fast.
"""

from __future__ import annotations

import click

from timeline.cli import exporting, lifecycle, reading, recording, serving
from timeline.cli.adding import add
from timeline.cli.editing import editor
from timeline.cli.errors import OneLineErrors
from timeline.cli.options import CONTEXT, DB_HELP, remember_db

__all__ = ["cli"]


@click.group(cls=OneLineErrors, context_settings=CONTEXT)
@click.version_option(package_name="diplomatic-timeline")
@click.option(
    "--db",
    metavar="PATH",
    envvar="TIMELINE_DB",
    callback=remember_db,
    expose_value=False,
    is_eager=True,
    help=DB_HELP,
)
def cli() -> None:
    """Record diplomatic developments in an append-only log, browse them, export them.

    \b
    Example:
        timeline add meeting --title "Xi Jinping meets Antony Blinken" \\
            --when 2024-04-26 --with "Xi Jinping; President; CN" \\
            --with "Antony Blinken; Secretary of State; US"
        timeline log
    """


for _command in (
    recording.init,
    recording.append,
    add,
    *lifecycle.COMMANDS,
    recording.import_,
    reading.log,
    reading.show,
    reading.duplicates,
    reading.verify,
    reading.head,
    reading.rebuild,
    reading.snapshot,
    serving.serve,
    editor,
    serving.demo,
    exporting.export,
):
    cli.add_command(_command)
