"""Commands that read the log or rebuild from it: `log`, `show`, `verify`, `head`, `rebuild`."""

from __future__ import annotations

import sys
from typing import Any

import click

from timeline import service
from timeline.cli.errors import reports_errors
from timeline.cli.options import CONTEXT, SEQ, db_option, json_option, open_chosen
from timeline.cli.params import HeadType
from timeline.output import dumps, one_line


@click.command(context_settings=CONTEXT)
@click.option("--stream", help="Only this stream (a development id, or actor:NAME).")
@click.option(
    "--type", "types", multiple=True, metavar="TYPE", help="Only this event type (repeatable)."
)
@click.option("--since", type=SEQ, default=0, metavar="SEQ", help="Only events after this seq.")
@json_option
@db_option
@reports_errors
def log(stream: str | None, types: tuple[str, ...], since: int, as_json: bool) -> None:
    """Print the log, oldest first; --json prints JSON Lines that `timeline import` takes back.

    \b
    Example:
        timeline log --type MeetingHeld --since 100
        timeline log --json > backup.jsonl
    """
    from timeline.events.registry import registry
    from timeline.log import EventLog
    from timeline.output import log_text

    unknown = [t for t in types if t not in registry.types()]
    if unknown:  # a typo would print nothing, as if there were no such events
        raise click.BadParameter(
            f"{unknown[0]!r} is not an event type (one of: {', '.join(registry.types())})",
            param_hint="'--type'",
        )
    for envelope in EventLog(open_chosen(create=False)).read(
        since=since, stream=stream, types=types
    ):
        click.echo(dumps(envelope.to_json()) if as_json else log_text(envelope))


@click.command(context_settings=CONTEXT)
@click.argument("development")
@json_option
@db_option
@reports_errors
def show(development: str, as_json: bool) -> None:
    """Show a development's current state and every event in its history.

    A duplicate merged into another development says where it went first.

    \b
    Example:
        timeline show 2024-04-26-xi-jinping-meets-antony-blinken
    """
    from timeline.output import merged_json, state_json, state_text

    db = open_chosen(create=False)
    state, history = service.development_history(db, development)
    if state is None:
        raise click.ClickException(f"there is no development {development!r}")
    parts = service.parts_of(db, development)
    merged_into = service.merged_into(db, development)
    if as_json:
        shown = {"development": state_json(state), "parts": parts, "merged_into": None}
        if merged_into is not None:
            shown["development"]["status"] = "merged"
            shown["merged_into"] = merged_json(merged_into)
        click.echo(dumps({**shown, "history": [e.to_json() for e in history]}))
    else:
        click.echo(state_text(state, history, parts, merged_into))


@click.command(context_settings=CONTEXT)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=50,
    show_default=True,
    metavar="N",
    help="Show at most N pairs, the best.",
)
@json_option
@db_option
@reports_errors
def duplicates(limit: int, as_json: bool) -> None:
    """List pairs of developments that may be the same one, best first, with why.

    A pair is of one kind family (a meeting and talks may be one; a visit and a meeting
    never), with overlapping dates, a person (participant, visitor, speaker) or a country
    in common, and not held in two different countries. The one recorded first is
    proposed to keep. Nothing is merged: `timeline merge KEEP DUPLICATE` does that, and a
    pair merged and then unmerged is not proposed again.

    \b
    Example:
        timeline duplicates --limit 10
        timeline duplicates --json
    """
    from timeline.duplicates import find_duplicates

    pairs = find_duplicates(open_chosen(create=False), limit=limit)
    if as_json:
        click.echo(dumps([pair.as_json() for pair in pairs]))
        return
    for pair in pairs:
        click.echo(one_line(f"{pair.score:.2f}  {pair.keep}  {pair.duplicate}"))
        click.echo(one_line(f"      {'; '.join(pair.why)}"))
    click.echo(
        f"{len(pairs)} candidate pair{'s' * (len(pairs) != 1)}"
        + ("; merge one with: timeline merge KEEP DUPLICATE --reason R" if pairs else ".")
    )


@click.command(context_settings=CONTEXT)
@click.option(
    "--head",
    "heads",
    type=HeadType(),
    multiple=True,
    help="A head you kept (from `timeline head` or a JSON export): fail unless the log "
    "still holds it (repeatable).",
)
@db_option
@reports_errors
def verify(heads: tuple[Any, ...]) -> None:
    """Check the log: seq without gaps, stream versions in order, times that never go back,
    every event fitting its type, the hash chain, the triggers that guard it (and none
    that timeline did not make), that the tables equal a fresh rebuild, and that the log
    still holds every head you kept.

    It reads one snapshot of the file, so writers may go on meanwhile. Exits 1 naming the
    first bad seq (or what else is wrong).

    \b
    Example:
        timeline verify
        timeline verify --head 120:8f3c…   # a head kept from `timeline head`
    """
    from timeline.verification import verify as verify_database

    verdict = verify_database(open_chosen(create=False), heads=heads)
    if verdict.upgraded:
        click.echo("Rebuilt the tables, made by an earlier version of timeline.")
    if not verdict.ok:
        click.echo(f"Error: {one_line(verdict.problem or '')}", err=True)
        sys.exit(1)
    click.echo(verdict.summary())


@click.command(context_settings=CONTEXT)
@json_option
@db_option
@reports_errors
def head(as_json: bool) -> None:
    """Print the log's head as SEQ:HASH: keep it elsewhere, and `timeline verify --head`
    later tells whether the log still holds it (no rewrite of history passes that).

    \b
    Example:
        timeline head > kept-head.txt
        timeline verify --head "$(cat kept-head.txt)"
    """
    from timeline.log import EventLog

    seq, hash_ = EventLog(open_chosen(create=False)).head()
    click.echo(dumps({"seq": seq, "hash": hash_}) if as_json else f"{seq}:{hash_}")


@click.command(context_settings=CONTEXT)
@click.option("--silent", is_flag=True, help="No progress bar.")
@click.option(
    "--force",
    is_flag=True,
    help="Rebuild even though the log no longer holds the event the tables were made from "
    "(only once you know why: `timeline verify` says what changed).",
)
@db_option
@reports_errors
def rebuild(silent: bool, force: bool) -> None:
    """Drop every projection table and fold the whole log into them again.

    The log itself is never touched; the tables come out identical to those kept
    up to date after each append. Refused when events the tables were made from
    were removed from the log or rewritten, which would hide that they were.

    \b
    Example:
        timeline rebuild --db diplomacy.db
    """
    import time

    from timeline.projector import Projector

    db = open_chosen(create=False)
    total = service.event_count(db)
    started = time.perf_counter()
    if not silent and total and sys.stderr.isatty():
        with click.progressbar(length=total, label="Rebuilding", file=sys.stderr) as bar:
            Projector(db).rebuild(progress=bar.update, force=force)
    else:
        Projector(db).rebuild(force=force)
    seconds = time.perf_counter() - started
    click.echo(f"Rebuilt the tables from {total} events in {seconds:.2f} s")


@click.command(context_settings=CONTEXT)
@click.argument("out", metavar="OUT")
@click.option("--replace", is_flag=True, help="Replace OUT if it exists (atomically).")
@json_option
@db_option
@reports_errors
def snapshot(out: str, replace: bool, as_json: bool) -> None:
    """Write a consistent copy of the database to OUT, its log and tables at one head, and
    verify it: a single file for read replicas (`datasette -i OUT`) or `datasette publish`.

    Writers may go on meanwhile. The copy appears under its name only once verified, so a
    replica that reloads it never reads half a file.

    \b
    Example:
        timeline snapshot replica/timeline.db --replace
        datasette -i replica/timeline.db
    """
    from timeline.snapshots import write_snapshot

    made = write_snapshot(open_chosen(create=False), out, replace=replace)
    if as_json:
        click.echo(dumps({"path": str(made.path), "events": made.count, "seq": made.seq,
                          "hash": made.hash}))  # fmt: skip
    else:
        click.echo(made.summary())
