"""The `timeline` command: parse the flags, call one service function, print the result.

Heavy modules (Datasette, the exporters) are imported inside the commands that use
them, so that `timeline append` starts fast.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

import click

from timeline import db as _db
from timeline import service
from timeline.db import open_db
from timeline.errors import InvalidEvent, TimelineError
from timeline.output import appended_json, appended_text, dumps, one_line

# Only the command-line process keeps numpy out of sqlite-utils (see the flag).
_db.block_numpy = True

# SQLite integers are 64-bit: a larger number is a mistake to report, not to crash on.
SEQ = click.IntRange(0, 2**63 - 1)
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_DB = "timeline.db"


# --- shared options -----------------------------------------------------------------


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["db"] = value


def db_option(fn: Callable) -> Callable:
    """``--db PATH`` on a command (it overrides the group's, which reads $TIMELINE_DB)."""
    return click.option(
        "--db",
        metavar="PATH",
        callback=_remember_db,
        expose_value=False,
        is_eager=True,
        help=f"The database file [default: $TIMELINE_DB or {DEFAULT_DB}].",
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


def _open(create: bool = True) -> _db.Database:
    return open_db(db_path(), create=create)


# --- the group ----------------------------------------------------------------------


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
        except click.UsageError as exc:
            where = f" (see: {exc.ctx.command_path} --help)" if exc.ctx else ""
            click.echo(f"Error: {one_line(exc.format_message())}{where}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            # One line whatever the message quotes: a path or a value may hold line breaks.
            click.echo(f"Error: {one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings=CONTEXT)
@click.version_option(package_name="timeline")
@click.option(
    "--db",
    metavar="PATH",
    envvar="TIMELINE_DB",
    callback=_remember_db,
    expose_value=False,
    is_eager=True,
    help=f"The database file [default: $TIMELINE_DB or {DEFAULT_DB}].",
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


@cli.command(context_settings=CONTEXT)
@db_option
@reports_errors
def init() -> None:
    """Create the database: the log, its guards, the projection tables (safe to repeat).

    \b
    Example:
        timeline init --db diplomacy.db
    """
    from timeline.db import restore_guards

    db = _open()
    restored = restore_guards(db)
    if restored:
        click.echo(f"{db_path()}: restored the log's guards: {', '.join(restored)}")
    count = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    click.echo(f"{db_path()}: ready, {count} event{'s' * (count != 1)} in the log")


# --- appending ----------------------------------------------------------------------


def _read_json_argument(value: str, what: str) -> Any:
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


def _print_appended(envelope: Any, as_json: bool, event_id: str | None = None) -> None:
    if envelope is None:
        message = {"skipped": event_id, "reason": "already in the log with the same content"}
        click.echo(dumps(message) if as_json else f"event {event_id} is already in the log")
    else:
        click.echo(dumps(appended_json(envelope)) if as_json else appended_text(envelope))


def _append(submission: service.Submission, as_json: bool) -> None:
    envelope = service.append_one(_open(), submission)
    _print_appended(envelope, as_json, submission.id)


@cli.command(context_settings=CONTEXT)
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
    _open()  # a wrong database file is the first thing to report
    obj: dict[str, Any] = {"type": event_type, "data": _read_json_argument(data, "--data")}
    if event_id is not None:
        obj["id"] = event_id
    if meta is not None:
        obj["meta"] = _read_json_argument(meta, "--meta")
    if expect_version is not None:
        obj["expected_version"] = expect_version
    _append(service.parse_submission(obj), as_json)


# --- the human way: `timeline add KIND` ---------------------------------------------


def _split(value: str, fields: tuple[str, ...], flag: str) -> dict[str, str]:
    parts = [p.strip() for p in value.split(";")]
    if len(parts) > len(fields):
        raise click.BadParameter(
            f"{value!r} has more than {len(fields)} parts; "
            f"use {'; '.join(f.upper() for f in fields)}",
            param_hint=flag,
        )
    return {k: v for k, v in zip(fields, parts, strict=False) if v}


PARTICIPANT = ("name", "role", "country")
SOURCE = ("url", "title", "publisher", "published")


def shared_options(*, when_required: bool) -> Callable[[Callable], Callable]:
    """The flags for the fields every development has."""
    options = [
        click.option("--title", help="What happened, in one line (up to 300 characters)."),
        click.option(
            "--when",
            required=when_required,
            help="Date: 2024, 2024-04, 2024-04-26, 2024-04-26T16:30+08:00, an interval "
            "2024-04-24/2024-04-26, optionally ending in ? ~ or %.",
        ),
        click.option("--timezone", help="IANA zone of the place, e.g. Asia/Shanghai."),
        click.option("--summary", help="A few sentences on what happened."),
        click.option("--at", "place_name", metavar="PLACE", help="The place's name."),
        click.option("--city", help="The place's city."),
        click.option(
            "--country",
            "place_country",
            metavar="CC",
            help="The place's country (ISO 3166-1 alpha-2, e.g. CN).",
        ),
        click.option("--lat", type=float, help="The place's latitude."),
        click.option("--lon", type=float, help="The place's longitude."),
        click.option(
            "--with",
            "participants",
            multiple=True,
            metavar="'NAME[; ROLE[; CC]]'",
            help="A participant (repeat the flag for each).",
        ),
        click.option(
            "--source",
            "sources",
            multiple=True,
            metavar="'URL[; TITLE[; PUBLISHER[; DATE]]]'",
            help="A source (repeat for each).",
        ),
        click.option("--tag", "tags", multiple=True, help="A tag (repeat for each)."),
        click.option("--part-of", metavar="ID", help="The id of the enclosing development."),
    ]

    def decorate(fn: Callable) -> Callable:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


def meta_options(fn: Callable) -> Callable:
    """``--note`` and ``--by``, kept in the event's meta."""
    fn = click.option("--by", "recorded_by", help="Who records this (kept in meta).")(fn)
    return click.option("--note", help="A note on this entry (kept in meta).")(fn)


def _meta(options: dict[str, Any]) -> dict[str, Any]:
    note, by = options.pop("note", None), options.pop("recorded_by", None)
    return {k: v for k, v in (("note", note), ("recorded_by", by)) if v}


def _shared_data(options: dict[str, Any], *, given_only: bool = False) -> dict[str, Any]:
    """Turn the shared flags into event data; with *given_only*, only flags that were used."""
    data: dict[str, Any] = {}
    for key in ("title", "when", "timezone", "summary", "part_of"):
        value = options.pop(key, None)
        if value is not None:
            data[key] = value
    place = {
        "name": options.pop("place_name", None),
        "city": options.pop("city", None),
        "country": options.pop("place_country", None),
        "lat": options.pop("lat", None),
        "lon": options.pop("lon", None),
    }
    if any(v is not None for v in place.values()):
        data["place"] = {k: v for k, v in place.items() if v is not None}
    for key, fields, flag in (
        ("participants", PARTICIPANT, "--with"),
        ("sources", SOURCE, "--source"),
    ):
        values = options.pop(key, ())
        if values or not given_only:
            data[key] = [_split(v, fields, flag) for v in values]
    tags = options.pop("tags", ())
    if tags or not given_only:
        data["tags"] = list(tags)
    return data


# Flags are named for people, fields for the JSON: say which flag a field came from.
FLAG_FOR_FIELD = {
    "data.participants": "--with",
    "data.sources": "--source",
    "data.tags": "--tag",
    "data.place.name": "--at",
    "data.place.city": "--city",
    "data.place.country": "--country",
    "data.place.lat": "--lat",
    "data.place.lon": "--lon",
    "data.place": "--at",
    "data.part_of": "--part-of",
    "data.host_country": "--host-country",
    "data.points": "--point",
    "data.parties": "--party",
    "data.announced_in": "--announced-in",
    "data.changes.participants": "--clear participants",
    "data.changes": "the changes",
    "expected_version": "--expect-version",
}


def _one_based(message: str) -> str:
    """``--with[1].country: …`` reads better as ``--with #2 country: …`` for people."""
    match = re.match(r"^(--[a-z-]+)\[(\d+)\]\.?", message)
    if match is None:
        return message
    return f"{match[1]} #{int(match[2]) + 1} {message[match.end() :]}".replace(" :", ":")


def _in_flag_terms(exc: InvalidEvent, names: dict[str, str]) -> str:
    message = exc.detail
    for field in sorted(names, key=len, reverse=True):
        if message.startswith(field):
            return _one_based(f"{names[field]}{message[len(field) :]}")
    if message.startswith("data."):
        field = message[5:].split(":", 1)[0].split(".")[0].split("[")[0]
        return f"--{field.replace('_', '-')}{message[5 + len(field) :]}"
    return message


def flag_errors(fn: Callable, arguments: dict[str, str] | None = None) -> Callable:
    """Report a refused field by the flag that set it (``--with``, not ``data.participants``).

    *arguments* names the fields that a command takes as arguments rather than flags.
    """
    names = {**FLAG_FOR_FIELD, **(arguments or LIFECYCLE_ARGUMENTS)}

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InvalidEvent as exc:
            raise click.ClickException(_in_flag_terms(exc, names)) from None

    return wrapper


LIFECYCLE_ARGUMENTS = {"data.development": "DEVELOPMENT", "data.from": "A", "data.to": "B"}


@cli.group(context_settings=CONTEXT)
def add() -> None:
    """Record a development: a meeting, talks, a summit, a call, a visit, an agreement,
    a statement, or something scheduled. Each kind has flags for its fields.

    \b
    Example:
        timeline add talks --title "Wang Yi holds talks with Antony Blinken" \\
            --when 2024-04-26 --at "Diaoyutai State Guesthouse" --city Beijing --country CN \\
            --with "Wang Yi; Foreign Minister; CN" --with "Antony Blinken; Secretary of State; US"
    """


def _add_command(
    name: str,
    type_: str,
    help_text: str,
    example: str,
    extra: list[Callable],
    when_required: bool = True,
) -> None:
    def command(**options: Any) -> None:
        _open()
        as_json = options.pop("as_json")
        meta = _meta(options)
        data = _shared_data(options)
        dev_id = options.pop("development", None)
        if dev_id is not None:
            data["development"] = dev_id
        for key, value in options.items():
            if value not in (None, ()):
                data[key] = list(value) if isinstance(value, tuple) else value
        _append(service.submit(type_, data, meta=meta), as_json)

    # "\b" (a backspace) tells click to keep the example's lines as they are.
    command.__doc__ = f"{help_text}\n\n\b\nExample:\n    {example}"
    decorated: Callable = reports_errors(flag_errors(command, {"data.development": "--id"}))
    for option in reversed(extra):
        decorated = option(decorated)
    decorated = shared_options(when_required=when_required)(decorated)
    decorated = click.option(
        "--id",
        "development",
        metavar="ID",
        help="The development's id [default: made from date and title].",
    )(decorated)
    decorated = meta_options(decorated)
    decorated = json_option(decorated)
    decorated = db_option(decorated)
    add.command(name, context_settings=CONTEXT)(decorated)


_BLINKEN = '--with "Antony Blinken; Secretary of State; US"'
for _name, _type, _what in (
    ("meeting", "MeetingHeld", "a meeting"),
    ("talks", "TalksHeld", "a round of talks"),
    ("summit", "SummitHeld", "a summit"),
    ("call", "CallHeld", "a telephone or video call"),
):
    _add_command(
        _name,
        _type,
        f"Record {_what} that took place (at least one --with).",
        f'timeline add {_name} --title "..." --when 2024-04-26 '
        '--with "Wang Yi; Foreign Minister; CN" '
        f"{_BLINKEN}",
        [],
    )
_add_command(
    "visit",
    "VisitMade",
    "Record a visit: who visited which country, usually over an interval of days.",
    'timeline add visit --title "Antony Blinken visits China" --when 2024-04-24/2024-04-26 '
    '--visitor "Antony Blinken" --host-country CN',
    [
        click.option("--visitor", required=True, metavar="NAME", help="Who visited."),
        click.option("--host-country", required=True, metavar="CC", help="The host country."),
    ],
)
_add_command(
    "agreement",
    "AgreementReached",
    "Record an agreement with its points (repeat --point) and parties (repeat --party).",
    'timeline add agreement --title "Five-point consensus" --when 2024-04-26 '
    '--point "Maintain high-level exchanges" --party CN --party US',
    [
        click.option("--point", "points", multiple=True, required=True, help="A point agreed."),
        click.option("--party", "parties", multiple=True, metavar="CC", help="A party (country)."),
    ],
)
_add_command(
    "statement",
    "StatementMade",
    "Record a statement: who said it and the verbatim quote.",
    'timeline add statement --title "Xi on major-country responsibility" --when 2024-04-26 '
    '--speaker "Xi Jinping" --quote "As major countries, ..."',
    [
        click.option("--speaker", required=True, metavar="NAME", help="Who spoke."),
        click.option("--quote", required=True, help="The words, verbatim."),
    ],
)
_add_command(
    "scheduled",
    "DevelopmentScheduled",
    "Record something announced or planned; the date may be unknown or approximate.",
    'timeline add scheduled --kind visit --title "Liu Zhenmin to visit the U.S." '
    "--announced-in 2024-04-26-five-point-consensus",
    [
        click.option(
            "--kind",
            required=True,
            type=click.Choice(
                ["meeting", "talks", "summit", "call", "visit", "dialogue", "consultation", "other"]
            ),
            help="What kind of development is planned.",
        ),
        click.option(
            "--announced-in", metavar="ID", help="The development in which it was announced."
        ),
    ],
    when_required=False,
)


# --- lifecycle ----------------------------------------------------------------------


def lifecycle_options(fn: Callable) -> Callable:
    """``--expect-version``, ``--json``, meta flags and ``--db``."""
    fn = click.option(
        "--expect-version",
        type=SEQ,
        metavar="N",
        help="Refuse unless the development's last version is N.",
    )(fn)
    return db_option(json_option(meta_options(fn)))


def _lifecycle(type_: str, data: dict[str, Any], options: dict[str, Any]) -> None:
    _open()
    as_json = options.pop("as_json")
    expected = options.pop("expect_version", None)
    submission = service.submit(type_, data, meta=_meta(options), expected_version=expected)
    _append(submission, as_json)


@cli.command(context_settings=CONTEXT)
@click.argument("development")
@click.option("--reason", required=True, help="Why it is revised (kept in the record).")
@shared_options(when_required=False)
@click.option(
    "--clear",
    "cleared",
    multiple=True,
    type=click.Choice(
        ["timezone", "summary", "place", "participants", "sources", "tags", "part_of"]
    ),
    help="Remove a field's value (repeatable).",
)
@lifecycle_options
@reports_errors
@flag_errors
def revise(development: str, reason: str, cleared: tuple[str, ...], **options: Any) -> None:
    """Correct a development: the flags given replace those fields; --reason is required.

    \b
    Example:
        timeline revise 2024-04-26-xi-jinping-meets-antony-blinken \\
            --at "Great Hall of the People" --city Beijing --country CN --reason "place added"
    """
    changes = _shared_data(options, given_only=True)
    changes.update(dict.fromkeys(cleared))
    data = {"development": development, "changes": changes, "reason": reason}
    _lifecycle("DevelopmentRevised", data, options)


@cli.command(context_settings=CONTEXT)
@click.argument("development")
@shared_options(when_required=True)
@lifecycle_options
@reports_errors
@flag_errors
def held(development: str, **options: Any) -> None:
    """Record that a scheduled (or postponed) development took place, on --when.

    \b
    Example:
        timeline held 2024-ai-dialogue --when 2024-05-14 --at Geneva --country CH
    """
    data = {"development": development, **_shared_data(options, given_only=True)}
    _lifecycle("DevelopmentHeld", data, options)


@cli.command(context_settings=CONTEXT)
@click.argument("development")
@click.option("--when", help="The new date; leave it out if the new date is not known.")
@click.option("--reason", help="Why it was postponed.")
@lifecycle_options
@reports_errors
@flag_errors
def postpone(development: str, when: str | None, reason: str | None, **options: Any) -> None:
    """Record that a scheduled development was postponed, with its new date if known.

    \b
    Example:
        timeline postpone 2024-ai-dialogue --when 2024-06 --reason "agenda not agreed"
    """
    data = {"development": development, "when": when, "reason": reason}
    _lifecycle("DevelopmentPostponed", {k: v for k, v in data.items() if v is not None}, options)


@cli.command(context_settings=CONTEXT)
@click.argument("development")
@click.option("--reason", help="Why it was cancelled.")
@lifecycle_options
@reports_errors
@flag_errors
def cancel(development: str, reason: str | None, **options: Any) -> None:
    """Record that a scheduled development will not take place.

    \b
    Example:
        timeline cancel 2024-ai-dialogue --reason "called off by both sides"
    """
    data = {"development": development, "reason": reason}
    _lifecycle("DevelopmentCancelled", {k: v for k, v in data.items() if v is not None}, options)


@cli.command(context_settings=CONTEXT)
@click.argument("development")
@click.option("--reason", required=True, help="Why it should never have been recorded.")
@lifecycle_options
@reports_errors
@flag_errors
def retract(development: str, reason: str, **options: Any) -> None:
    """Withdraw a development recorded in error: it leaves tables and exports, not the log.

    \b
    Example:
        timeline retract 2024-04-27-duplicate-entry --reason "recorded twice"
    """
    _lifecycle("DevelopmentRetracted", {"development": development, "reason": reason}, options)


@cli.command(context_settings=CONTEXT)
@click.argument("source", metavar="A")
@click.argument("target", metavar="B")
@click.option(
    "--relation",
    required=True,
    type=click.Choice(["part_of", "follows_up", "implements", "responds_to", "announced_in"]),
    help="How A relates to B.",
)
@lifecycle_options
@reports_errors
@flag_errors
def link(source: str, target: str, relation: str, **options: Any) -> None:
    """Relate development A to development B (the event goes in A's stream).

    \b
    Example:
        timeline link 2024-04-26-five-point-consensus 2023-11-15-biden-xi-summit \\
            --relation implements
    """
    data = {"from": source, "to": target, "relation": relation}
    _lifecycle("DevelopmentsLinked", data, options)


# --- import, log, show, verify ------------------------------------------------------


@cli.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.File("rb", lazy=False))
@click.option("--silent", is_flag=True, help="No progress bar.")
@json_option
@db_option
@reports_errors
def import_(file: Any, silent: bool, as_json: bool) -> None:
    """Append a JSON Lines file of events (- for stdin), all of it or nothing.

    Lines whose id is already in the log with the same content are skipped, so an
    import can be repeated safely; `timeline log --json` output imports as it is.

    \b
    Example:
        timeline log --json --db old.db > events.jsonl
        timeline import events.jsonl --db new.db
    """
    db = _open()
    size = _file_size(file)
    show_bar = not silent and size and sys.stderr.isatty()
    if show_bar:
        with click.progressbar(length=size, label="Importing", file=sys.stderr) as bar:
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


def _file_size(file: Any) -> int:
    try:
        return os.fstat(file.fileno()).st_size if file.seekable() else 0
    except (OSError, ValueError, AttributeError):
        return 0


@cli.command(context_settings=CONTEXT)
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
    from timeline.log import EventLog
    from timeline.output import log_text

    for envelope in EventLog(_open(create=False)).read(since=since, stream=stream, types=types):
        click.echo(dumps(envelope.to_json()) if as_json else log_text(envelope))


@cli.command(context_settings=CONTEXT)
@click.argument("development")
@json_option
@db_option
@reports_errors
def show(development: str, as_json: bool) -> None:
    """Show a development's current state and every event in its history.

    \b
    Example:
        timeline show 2024-04-26-xi-jinping-meets-antony-blinken
    """
    from timeline.output import state_json, state_text

    state, history = service.development_history(_open(create=False), development)
    if state is None:
        raise click.ClickException(f"there is no development {development!r}")
    if as_json:
        click.echo(
            dumps({"development": state_json(state), "history": [e.to_json() for e in history]})
        )
    else:
        click.echo(state_text(state, history))


class HeadType(click.ParamType):
    """``SEQ:HASH``, a log position as `timeline head` prints it."""

    name = "SEQ:HASH"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from timeline.verification import Head

        try:
            return Head.parse(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@cli.command(context_settings=CONTEXT)
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

    verdict = verify_database(_open(create=False), heads=heads)
    if verdict.upgraded:
        click.echo("Rebuilt the tables, made by an earlier version of timeline.")
    if not verdict.ok:
        click.echo(f"Error: {one_line(verdict.problem or '')}", err=True)
        sys.exit(1)
    click.echo(verdict.summary())


@cli.command(context_settings=CONTEXT)
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

    seq, hash_ = EventLog(_open(create=False)).head()
    click.echo(dumps({"seq": seq, "hash": hash_}) if as_json else f"{seq}:{hash_}")


@cli.command(context_settings=CONTEXT)
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

    db = _open(create=False)
    total = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    started = time.perf_counter()
    if not silent and total and sys.stderr.isatty():
        with click.progressbar(length=total, label="Rebuilding", file=sys.stderr) as bar:
            Projector(db).rebuild(progress=bar.update, force=force)
    else:
        Projector(db).rebuild(force=force)
    seconds = time.perf_counter() - started
    click.echo(f"Rebuilt the tables from {total} events in {seconds:.2f} s")


# --- Datasette ----------------------------------------------------------------------

SAMPLE = "blinken-beijing-2024-04.jsonl"


def _serve(path: str, host: str, port: int, extra: tuple[str, ...]) -> None:
    from datasette.cli import cli as datasette_cli  # heavy: only when serving

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


@cli.command(context_settings={**CONTEXT, "ignore_unknown_options": True, "allow_extra_args": True})
@serve_options
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
@db_option
@reports_errors
def serve(host: str, port: int, datasette_args: tuple[str, ...]) -> None:
    """Browse the timeline in Datasette, with our metadata, facets and queries.

    Other options are passed to `datasette serve` (for example --open or --setting).

    \b
    Example:
        timeline serve --db diplomacy.db --port 8002 --open
    """
    from timeline.projector import catch_up

    catch_up(_open(create=False))
    _serve(db_path(), host, port, datasette_args)


@cli.command(context_settings={**CONTEXT, "ignore_unknown_options": True, "allow_extra_args": True})
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
    """Build a database from the bundled sample (Blinken's April 2024 visit to Beijing)
    and browse it in Datasette.

    \b
    Example:
        timeline demo
        timeline demo --no-serve --db sample.db
    """
    from importlib.resources import files

    db = open_db(path)
    with files("timeline").joinpath("sample", SAMPLE).open(encoding="utf-8") as sample:
        outcome = service.import_file(db, sample)
    db.close()
    developments = "developments"
    click.echo(
        f"{path}: {outcome.count} sample events added, {len(outcome.skipped)} were "
        f"already there; browse the {developments} table, facets and queries."
    )
    if not no_serve:
        _serve(path, host, port, datasette_args)


# --- exports ------------------------------------------------------------------------


def filter_options(fn: Callable) -> Callable:
    """The export filters of the contract; options combine, repeated values widen."""
    options = [
        click.option(
            "--from",
            "start",
            metavar="DATE",
            help="Developments ending on or after this date (2024, 2024-04, 2024-04-26).",
        ),
        click.option(
            "--to", "end", metavar="DATE", help="Developments starting on or before this date."
        ),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=click.Choice(
                [
                    "meeting",
                    "talks",
                    "summit",
                    "call",
                    "visit",
                    "agreement",
                    "statement",
                    "dialogue",
                    "consultation",
                    "other",
                ]
            ),
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
            metavar="CC",
            help="Only developments in, with a participant from, or agreed by this country.",
        ),
        click.option(
            "--status",
            "statuses",
            multiple=True,
            type=click.Choice(["occurred", "scheduled", "postponed", "cancelled"]),
            help="Only this status (repeatable).",
        ),
        click.option(
            "--as-of",
            metavar="SEQ|TIME",
            help="The timeline as the log stood at this seq, or at this UTC time.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@cli.command(context_settings=CONTEXT)
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["ical", "json", "timelinejs", "html"]))
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
    metavar="URL",
    help="Where the published calendar lives (iCal SOURCE, for refreshing subscribers).",
)
@click.option(
    "--domain",
    default="timeline.invalid",
    show_default=True,
    help="Domain of the iCalendar UIDs (id@domain); keep it once subscribed.",
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
    or a self-contained HTML page that draws it.

    The same database and options always give byte-identical output.

    \b
    Example:
        timeline export ical -o china-us.ics --country CN --from 2024
        timeline export json --kind agreement --as-of 120
        timeline export timelinejs --tag five-point-consensus -o timeline.json
        timeline export html -o timeline.html --country CN
    """
    from timeline.exporting import export_to

    try:
        export_to(
            _open(create=False),
            fmt,
            output,
            as_of=as_of,
            name=name,
            domain=domain,
            source=calendar_url,
            **options,
        )
    except ValueError as exc:  # a bad --from/--to date
        raise click.ClickException(str(exc)) from None
