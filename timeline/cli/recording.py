"""Commands that write whole events: `init`, `append`, `import`."""

from __future__ import annotations

import io
import os
import sys
from typing import Any

import click

from timeline import service
from timeline.cli.errors import reports_errors
from timeline.cli.options import (
    CONTEXT,
    SEQ,
    creates_nothing_on_failure,
    db_option,
    db_path,
    json_option,
    open_chosen,
)
from timeline.cli.params import ImportFormatChoice
from timeline.db import Database
from timeline.envelope import Envelope
from timeline.errors import InvalidEvent
from timeline.events.registry import registry
from timeline.output import appended_json, appended_text, dumps


@click.command(context_settings=CONTEXT)
@db_option
@reports_errors
def init() -> None:
    """Create the database: the log, its guards, the projection tables (safe to repeat).

    \b
    Example:
        timeline init --db diplomacy.db
    """
    restored, count = service.prepare(open_chosen())
    if restored:
        click.echo(f"{db_path()}: restored the log's guards: {', '.join(restored)}")
    click.echo(f"{db_path()}: ready, {count} event{'s' * (count != 1)} in the log")


def read_json_argument(value: str, what: str) -> Any:
    """JSON given as text, ``@FILE`` or ``-`` (stdin); one line naming *what* if it is not."""
    if value == "-":
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            raise click.ClickException(f"{what}: standard input is not UTF-8 text") from None
    elif value.startswith("@"):
        try:
            with open(value[1:], encoding="utf-8") as f:
                text = f.read()
        except OSError as exc:
            raise click.ClickException(f"{what}: cannot read {value[1:]}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise click.ClickException(f"{what}: {value[1:]} is not UTF-8 text") from None
    else:
        text = value
    try:
        return service.parse_json(text)
    except InvalidEvent as exc:
        raise click.ClickException(f"{what}: {exc}") from None


def print_appended(envelope: Envelope | None, as_json: bool, event_id: str | None) -> None:
    """What an append did: the new event, or that it was a repeat of one in the log."""
    if envelope is None:
        message = {"skipped": event_id, "reason": "already in the log with the same content"}
        click.echo(dumps(message) if as_json else f"event {event_id} is already in the log")
    else:
        click.echo(dumps(appended_json(envelope)) if as_json else appended_text(envelope))


def _event_types() -> str:
    """The types `append` takes, each with the first line of its class's docstring."""
    lines = []
    for name in registry.types():
        doc = (registry.cls(name).__doc__ or "").strip().splitlines()[0].replace("``", "")
        lines.append(f"  {name:<22}{doc}")
    return "\b\nEvent types (TYPE):\n" + "\n".join(lines)


def append_and_print(submission: service.Submission, as_json: bool) -> None:
    """Append one submission to the chosen database and say what happened."""
    envelope = service.append_one(open_chosen(), submission)
    print_appended(envelope, as_json, submission.id)


@click.command(
    context_settings=CONTEXT,
    epilog=_event_types(),
)
@click.argument("event_type", metavar="TYPE")
@click.option(
    "--data",
    "data",
    required=True,
    metavar="JSON",
    help="The event's data: JSON text, @FILE, or - for stdin.",
)
@click.option("--id", "event_id", metavar="UUID", help="The event's id (for idempotent retries).")
@click.option("--meta", metavar="JSON", help='Free metadata, e.g. \'{"recorded_by": "ana"}\'.')
@click.option(
    "--expect-version",
    type=SEQ,
    metavar="N",
    help="Append only if the stream's last version is N (0: must not exist yet).",
)
@json_option
@db_option
@reports_errors
@creates_nothing_on_failure
def append(
    event_type: str,
    data: str,
    event_id: str | None,
    meta: str | None,
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Append one event of TYPE to the log; print its seq, event id and development.

    \b
    Example:
        timeline append CallHeld --data '{"title": "Biden and Xi speak by phone",
          "when": "2024-04-02", "participants": [{"name": "Joe Biden"}, {"name": "Xi Jinping"}]}'
        timeline append DevelopmentCancelled --data @cancel.json --expect-version 2
    """
    open_chosen()  # a wrong database file is the first thing to report
    obj: dict[str, Any] = {"type": event_type, "data": read_json_argument(data, "--data")}
    if event_id is not None:
        obj["id"] = event_id
    if meta is not None:
        obj["meta"] = read_json_argument(meta, "--meta")
    if expect_version is not None:
        obj["expected_version"] = expect_version
    append_and_print(service.parse_submission(obj), as_json)


@click.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.File("rb", lazy=False))
@click.option(
    "--format",
    "format_",
    type=ImportFormatChoice(),
    help="The file's format [default: csv for a .csv name, else by the XML root, else jsonl].",
)
@click.option(
    "--retract-missing",
    is_flag=True,
    help="Retract what an earlier import of this file created and the file no longer has.",
)
@click.option("--silent", is_flag=True, help="No progress bar.")
@json_option
@db_option
@reports_errors
@creates_nothing_on_failure
def import_(
    file: Any, format_: str | None, retract_missing: bool, silent: bool, as_json: bool
) -> None:
    """Append a file (- for stdin), all of it or nothing: JSON Lines of events, the Office
    of the Historian's travels or visits (XML), or a spreadsheet (CSV).

    JSON Lines lines whose id is already in the log with the same content are skipped, so
    an import can be repeated safely; `timeline log --json` output imports as it is.
    Records (XML, CSV) are kept in step with the file: importing it again appends only
    what changed at the source, as revisions.

    \b
    Example:
        timeline log --json --db old.db > events.jsonl
        timeline import events.jsonl --db new.db
        timeline import blinken-antony-j.xml          # <trips>: --format hsg-travels
        timeline import timeline.csv --retract-missing
    """
    db = open_chosen()
    from timeline import importers

    name = getattr(file, "name", None)
    name = name if isinstance(name, str) and name not in ("-", "<stdin>") else None
    if not hasattr(file, "peek"):  # stdin as a test runner gives it: read the head twice
        file = io.BufferedReader(file)
    format_ = format_ or importers.detect(name or "-", file.peek(4096)[:4096])
    show_bar = not silent and bool(file_size(file)) and on_terminal()
    if format_ == "jsonl":
        if retract_missing:
            raise click.UsageError("--retract-missing applies to records (XML, CSV), not to events")
        import_events(db, file, show_bar, as_json)
        return
    if retract_missing and name is None:
        raise click.UsageError("--retract-missing needs a file: what came from stdin has no name")
    records = importers.read(file, format=format_)
    options = {
        "name": os.path.basename(name) if name else None,
        "format": format_,
        "retract_missing": retract_missing,
    }
    if show_bar and records:
        # One bar over both steps: planning each record, then appending what changed.
        with click.progressbar(length=2 * len(records), label="Importing", file=sys.stderr) as bar:
            plan = importers.plan(db, records, **options, progress=bar.update)
            bar.update(max(0, len(records) - len(plan.submissions)))
            report = importers.apply(db, plan, progress=bar.update)
    else:
        plan = importers.plan(db, records, **options)
        report = importers.apply(db, plan)
    if as_json:
        click.echo(dumps(report.as_dict()))
    else:
        for line in import_summary(report.as_dict(), plan.file or "standard input"):
            click.echo(line)


def import_events(db: Database, file: Any, show_bar: bool, as_json: bool) -> None:
    """Import JSON Lines of events and say how many were appended and skipped."""
    if show_bar:
        with click.progressbar(length=file_size(file), label="Importing", file=sys.stderr) as bar:
            outcome = service.import_file(db, file, progress=bar.update, keep=False)
    else:
        outcome = service.import_file(db, file, keep=False)
    report = {"appended": outcome.count, "skipped": len(outcome.skipped)}
    if outcome.count:
        report["first_seq"], report["last_seq"] = outcome.first_seq, outcome.last_seq
    if as_json:
        click.echo(dumps(report))
    else:
        click.echo(
            f"Imported {report['appended']} event{'s' * (report['appended'] != 1)}; "
            f"skipped {report['skipped']} already in the log."
        )


def import_summary(report: dict[str, Any], file: str) -> list[str]:
    """What an import of records did, for people: counts, then the lists worth a look."""
    appended = report["appended"]
    lines = [
        f"Imported {file} ({report['format']}): {report['created']} created, "
        f"{report['revised']} revised, {report['unchanged']} unchanged; "
        f"{appended} event{'s' * (appended != 1)} appended."
    ]
    kept = [dev for dev in report["missing"] if dev not in report["retracted"]]
    if report["retracted"]:
        lines.append(f"Retracted, no longer in the file: {', '.join(report['retracted'])}")
    if kept:
        lines.append(f"No longer in the file (--retract-missing retracts them): {', '.join(kept)}")
    if report["left_retracted"]:
        lines.append(f"Left retracted here: {', '.join(report['left_retracted'])}")
    if report["left_merged"]:
        lines.append(f"Left merged here: {', '.join(report['left_merged'])}")
    if report["unrevisable"]:
        lines.append(
            f"Changed at the source, but no event revises: {', '.join(report['unrevisable'])}"
        )
    return lines


def on_terminal() -> bool:
    """Whether a person watches: progress bars go to standard error, on a terminal only."""
    return sys.stderr.isatty()


def file_size(file: Any) -> int:
    """The size of a regular file, else 0 (a pipe, stdin): no progress bar then."""
    try:
        return os.fstat(file.fileno()).st_size if file.seekable() else 0
    except (OSError, ValueError, AttributeError):
        return 0
