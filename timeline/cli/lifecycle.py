"""What happens to a development afterwards: revise, held, postpone, cancel, retract, link,
merge and unmerge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from timeline import service
from timeline.cli.adding import shared_options
from timeline.cli.errors import LIFECYCLE_ARGUMENTS, flag_errors, reports_errors
from timeline.cli.options import (
    CONTEXT,
    SEQ,
    creates_nothing_on_failure,
    db_option,
    json_option,
    meta_options,
    open_chosen,
    pop_meta,
)
from timeline.cli.recording import append_and_print
from timeline.entries import given, revision_changes, shared_data, with_place
from timeline.events.vocabulary import CLEARABLE, RELATIONS


def lifecycle_options(fn: Callable) -> Callable:
    """``--expect-version``, ``--json``, meta flags and ``--db``."""
    fn = click.option(
        "--expect-version",
        type=SEQ,
        metavar="N",
        help="Refuse unless the development's last version is N.",
    )(fn)
    return db_option(json_option(meta_options(fn)))


def _on_place(development: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The place's parts given laid over the place recorded (``--city`` alone keeps the
    venue, the country and the coordinates)."""
    if "place" not in changes:
        return changes
    return with_place(changes, service.current_place(open_chosen(create=False), development))


@creates_nothing_on_failure
def _record(type_: str, data: dict[str, Any], options: dict[str, Any]) -> None:
    open_chosen()
    as_json = options.pop("as_json")
    expected = options.pop("expect_version", None)
    submission = service.submit(type_, data, meta=pop_meta(options), expected_version=expected)
    append_and_print(submission, as_json)


MERGE_ARGUMENTS = {
    **LIFECYCLE_ARGUMENTS,
    "data.development": "KEEP",
    "data.duplicate": "DUPLICATE",
}
"""`merge` and `unmerge` take the kept development and the duplicate as arguments."""


@click.command(context_settings=CONTEXT)
@click.argument("development")
@click.option("--reason", required=True, help="Why it is revised (kept in the record).")
@shared_options(when_required=False)
@click.option(
    "--clear",
    "cleared",
    multiple=True,
    type=click.Choice(CLEARABLE),
    help="Remove a field's value (repeatable).",
)
@lifecycle_options
@reports_errors
@flag_errors()
def revise(development: str, reason: str, cleared: tuple[str, ...], **options: Any) -> None:
    """Correct a development: the flags given replace those fields; --reason is required.
    Of the place, the parts given change (--city alone keeps the venue and the country).

    \b
    Example:
        timeline revise 2024-04-26-xi-jinping-meets-antony-blinken \\
            --at "Great Hall of the People" --city Beijing --country CN --reason "place added"
    """
    try:
        changes = revision_changes(options, cleared)
    except ValueError as exc:
        raise click.UsageError(f"--clear {exc}") from None
    data = {
        "development": development,
        "changes": _on_place(development, changes),
        "reason": reason,
    }
    _record("DevelopmentRevised", data, options)


@click.command(context_settings=CONTEXT)
@click.argument("development")
@shared_options(when_required=True)
@lifecycle_options
@reports_errors
@flag_errors()
def held(development: str, **options: Any) -> None:
    """Record that a scheduled (or postponed) development took place, on --when; the
    other flags given replace those fields (of the place, only the parts given).

    \b
    Example:
        timeline held 2024-ai-dialogue --when 2024-05-14 --at Geneva --country CH
    """
    data = {
        "development": development,
        **_on_place(development, shared_data(options, given_only=True)),
    }
    _record("DevelopmentHeld", data, options)


@click.command(context_settings=CONTEXT)
@click.argument("development")
@click.option("--when", help="The new date; leave it out if the new date is not known.")
@click.option("--reason", help="Why it was postponed.")
@lifecycle_options
@reports_errors
@flag_errors()
def postpone(development: str, when: str | None, reason: str | None, **options: Any) -> None:
    """Record that a scheduled development was postponed, with its new date if known.

    \b
    Example:
        timeline postpone 2024-ai-dialogue --when 2024-06 --reason "agenda not agreed"
    """
    data = {"development": development, "when": when, "reason": reason}
    _record("DevelopmentPostponed", given(data), options)


@click.command(context_settings=CONTEXT)
@click.argument("development")
@click.option("--reason", help="Why it was cancelled.")
@lifecycle_options
@reports_errors
@flag_errors()
def cancel(development: str, reason: str | None, **options: Any) -> None:
    """Record that a scheduled development will not take place.

    \b
    Example:
        timeline cancel 2024-ai-dialogue --reason "called off by both sides"
    """
    data = {"development": development, "reason": reason}
    _record("DevelopmentCancelled", given(data), options)


@click.command(context_settings=CONTEXT)
@click.argument("development")
@click.option("--reason", required=True, help="Why it should never have been recorded.")
@lifecycle_options
@reports_errors
@flag_errors()
def retract(development: str, reason: str, **options: Any) -> None:
    """Withdraw a development recorded in error: it leaves tables and exports, not the log.

    \b
    Example:
        timeline retract 2024-04-27-duplicate-entry --reason "recorded twice"
    """
    _record("DevelopmentRetracted", {"development": development, "reason": reason}, options)


@click.command(context_settings=CONTEXT)
@click.argument("source", metavar="A")
@click.argument("target", metavar="B")
@click.option("--relation", required=True, type=click.Choice(RELATIONS), help="How A relates to B.")
@lifecycle_options
@reports_errors
@flag_errors()
def link(source: str, target: str, relation: str, **options: Any) -> None:
    """Relate development A to development B (the event goes in A's stream).

    \b
    Example:
        timeline link 2024-04-26-five-point-consensus 2023-11-15-biden-xi-summit \\
            --relation implements
    """
    data = {"from": source, "to": target, "relation": relation}
    _record("DevelopmentsLinked", data, options)


@click.command(context_settings=CONTEXT)
@click.argument("kept", metavar="KEEP")
@click.argument("duplicate")
@click.option("--reason", required=True, help="Why they are the same (kept in the record).")
@lifecycle_options
@reports_errors
@flag_errors(MERGE_ARGUMENTS)
def merge(kept: str, duplicate: str, reason: str, **options: Any) -> None:
    """Merge DUPLICATE into KEEP: its sources, participants and tags join KEEP, every value
    it gives otherwise stays in KEEP's history with who said it, and its id points to KEEP.

    The event goes in KEEP's stream (--expect-version is KEEP's version). DUPLICATE leaves
    the tables and exports, as a retraction does; `timeline unmerge` brings it back.

    \b
    Example:
        timeline merge 2024-04-24-antony-blinken-visits-china hsg-trip-4229 \\
            --reason "the Historian's record of the same visit"
    """
    data = {"development": kept, "duplicate": duplicate, "reason": reason}
    _record("DevelopmentsMerged", data, options)


@click.command(context_settings=CONTEXT)
@click.argument("kept", metavar="KEEP")
@click.argument("duplicate")
@click.option("--reason", required=True, help="Why they are not the same after all.")
@lifecycle_options
@reports_errors
@flag_errors(MERGE_ARGUMENTS)
def unmerge(kept: str, duplicate: str, reason: str, **options: Any) -> None:
    """Undo the merge of DUPLICATE into KEEP: DUPLICATE is back as it was, and what it
    brought leaves KEEP (the merge stays in the log).

    \b
    Example:
        timeline unmerge 2024-04-24-antony-blinken-visits-china hsg-trip-4229 \\
            --reason "two different visits"
    """
    data = {"development": kept, "duplicate": duplicate, "reason": reason}
    _record("DevelopmentsUnmerged", data, options)


COMMANDS = (revise, held, postpone, cancel, retract, link, merge, unmerge)
