"""`timeline export`: the formats and filters of the export contract (exporters load lazily)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from timeline.cli.errors import reports_errors
from timeline.cli.options import CONTEXT, apply, db_option, open_chosen
from timeline.cli.params import AS_OF, COUNTRY, DOMAIN, HTTP_URL, FormatChoice
from timeline.events.vocabulary import KINDS, STATUSES


def filter_options(fn: Callable) -> Callable:
    """The export filters of the contract; options combine, repeated values widen."""
    return apply(
        fn,
        [
            click.option(
                "--from",
                "start",
                metavar="DATE",
                help="Developments ending on or after this date (2024, 2024-04, 2024-04-26, "
                "a season 2024-21), or not ended: open ones (2024-04/..) go on.",
            ),
            click.option(
                "--to",
                "end",
                metavar="DATE",
                help="Developments starting on or before this date.",
            ),
            click.option(
                "--kind",
                "kinds",
                multiple=True,
                type=click.Choice(KINDS),
                help="Only this kind (repeatable).",
            ),
            click.option(
                "--tag", "tags", multiple=True, help="Only developments with this tag (repeatable)."
            ),
            click.option(
                "--actor",
                "actors",
                multiple=True,
                metavar="NAME",
                help="Only developments this person took part in, spoke or visited (repeatable).",
            ),
            click.option(
                "--country",
                type=COUNTRY,
                metavar="CC",
                help="Only developments in, with a participant from, or agreed by this country.",
            ),
            click.option(
                "--status",
                "statuses",
                multiple=True,
                type=click.Choice(STATUSES),
                help="Only this status (repeatable).",
            ),
            click.option(
                "--as-of",
                type=AS_OF,
                help="The timeline as the log stood at this seq, or at this UTC time.",
            ),
        ],
    )


@click.command(context_settings=CONTEXT)
@click.argument("fmt", metavar="FORMAT", type=FormatChoice())
@click.option("-o", "--output", metavar="FILE", default="-", help="Write here [default: stdout].")
@filter_options
@click.option(
    "--name",
    default="Diplomatic timeline",
    show_default=True,
    help="The calendar's or timeline's title.",
)
@click.option(
    "--calendar-url",
    "--feed-url",
    "calendar_url",
    type=HTTP_URL,
    metavar="URL",
    help="Where the published calendar or feed lives (iCal SOURCE, Atom self link and id).",
)
@click.option(
    "--domain",
    type=DOMAIN,
    default="timeline.invalid",
    show_default=True,
    help="Domain of the iCalendar UIDs and Atom entry ids; keep it once subscribed.",
)
@db_option
@reports_errors
def export(
    fmt: str,
    output: str,
    as_of: str | None,
    name: str,
    domain: str,
    calendar_url: str | None,
    **options: Any,
) -> None:
    """Export the timeline as iCalendar, the project's JSON document, TimelineJS JSON,
    an Atom feed of new and changed developments, a self-contained HTML page that
    draws it, or a spreadsheet (CSV) that `timeline import` reads back.

    The same database and options always give byte-identical output.

    \b
    Example:
        timeline export ical -o china-us.ics --country CN --from 2024
        timeline export json --kind agreement --as-of 120
        timeline export timelinejs --tag five-point-consensus -o timeline.json
        timeline export atom -o changes.atom --feed-url https://example.org/changes.atom
        timeline export html -o timeline.html --country CN
        timeline export csv -o timeline.csv   # a spreadsheet; timeline import reads it back
    """
    from timeline.exporting import export_to
    from timeline.selection import date_range

    try:
        # Both bounds checked, each named by its flag, before the database is opened.
        date_range(options["start"], options["end"])
        export_to(
            open_chosen(create=False),
            fmt,
            output,
            as_of=as_of,
            name=name,
            domain=domain,
            source=calendar_url,
            **options,
        )
    except ValueError as exc:  # a value the exporter refuses: --calendar-url, --domain
        raise click.ClickException(str(exc)) from None
