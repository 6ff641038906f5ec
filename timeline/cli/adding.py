"""`timeline add KIND`: record a development with a flag for each of its fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from timeline import service
from timeline.cli.errors import flag_errors, reports_errors
from timeline.cli.options import (
    CONTEXT,
    apply,
    creates_nothing_on_failure,
    db_option,
    json_option,
    meta_options,
    open_chosen,
    pop_meta,
)
from timeline.cli.params import entry_option
from timeline.cli.recording import append_and_print
from timeline.entries import ACTOR, OWN, SHARED, given, shared_data


def shared_options(*, when_required: bool) -> Callable[[Callable], Callable]:
    """The flags for the fields every development has."""
    options = [
        entry_option(entry, required=when_required if entry.name == "when" else None)
        for entry in SHARED
    ]
    return lambda fn: apply(fn, options)


@click.group(context_settings=CONTEXT)
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
    when_required: bool = True,
) -> None:
    @creates_nothing_on_failure
    def command(**options: Any) -> None:
        open_chosen()
        as_json = options.pop("as_json")
        meta = pop_meta(options)
        data = shared_data(options)
        dev_id = options.pop("development", None)
        if dev_id is not None:
            data["development"] = dev_id
        data.update(given(options))
        append_and_print(service.submit(type_, data, meta=meta), as_json)

    # "\b" (a backspace) tells click to keep the example's lines as they are.
    command.__doc__ = f"{help_text}\n\n\b\nExample:\n    {example}"
    decorated = reports_errors(flag_errors({"data.development": "--id"})(command))
    decorated = apply(decorated, [entry_option(e) for e in OWN.get(name, ())])
    decorated = shared_options(when_required=when_required)(decorated)
    decorated = click.option(
        "--id",
        "development",
        metavar="ID",
        help="The development's id [default: made from date and title].",
    )(decorated)
    decorated = db_option(json_option(meta_options(decorated)))
    add.command(name, context_settings=CONTEXT)(decorated)


# Each kind its own example, from the record of April 2024 and around it.
_ENCOUNTERS = (
    (
        "meeting",
        "MeetingHeld",
        "a meeting",
        'timeline add meeting --title "Xi Jinping meets Antony Blinken" '
        "--when 2024-04-26T16:30+08:00 --city Beijing --country CN "
        '--with "Xi Jinping; President; CN" --with "Antony Blinken; Secretary of State; US"',
    ),
    (
        "talks",
        "TalksHeld",
        "a round of talks",
        'timeline add talks --title "Wang Yi holds talks with Antony Blinken" '
        '--when 2024-04-26 --with "Wang Yi; Foreign Minister; CN" '
        '--with "Antony Blinken; Secretary of State; US"',
    ),
    (
        "summit",
        "SummitHeld",
        "a summit",
        'timeline add summit --title "Joe Biden and Xi Jinping meet at Woodside" '
        '--when 2023-11-15 --at "Filoli" --city Woodside --country US '
        '--with "Joe Biden; President; US" --with "Xi Jinping; President; CN"',
    ),
    (
        "call",
        "CallHeld",
        "a telephone or video call",
        'timeline add call --title "Joe Biden and Xi Jinping speak by phone" '
        '--when 2024-04-02 --with "Joe Biden; President; US" --with "Xi Jinping; President; CN"',
    ),
)
for _name, _type, _what, _example in _ENCOUNTERS:
    _add_command(_name, _type, f"Record {_what} that took place (at least one --with).", _example)
_add_command(
    "visit",
    "VisitMade",
    "Record a visit: who visited which country, usually over an interval of days.",
    'timeline add visit --title "Antony Blinken visits China" --when 2024-04-24/2024-04-26 '
    '--visitor "Antony Blinken" --host-country CN',
)
_add_command(
    "agreement",
    "AgreementReached",
    "Record an agreement with its points (repeat --point) and parties (repeat --party).",
    'timeline add agreement --title "Five-point consensus" --when 2024-04-26 '
    '--point "Maintain high-level exchanges" --party CN --party US',
)
_add_command(
    "statement",
    "StatementMade",
    "Record a statement: who said it and the verbatim quote.",
    'timeline add statement --title "Xi on major-country responsibility" --when 2024-04-26 '
    '--speaker "Xi Jinping" --quote "As major countries, ..."',
)
_add_command(
    "scheduled",
    "DevelopmentScheduled",
    "Record something announced or planned; the date may be unknown or approximate.",
    'timeline add scheduled --kind visit --title "Liu Zhenmin to visit the U.S." '
    "--announced-in 2024-04-26-five-point-consensus",
    when_required=False,
)


def _actor_options(fn: Callable) -> Callable:
    """NAME, then a flag for each other field of an actor's description."""
    return click.argument("name")(apply(fn, [entry_option(e) for e in ACTOR[1:]]))


@add.command("actor", context_settings=CONTEXT)
@_actor_options
@json_option
@meta_options
@db_option
@reports_errors
@flag_errors({"data.name": "NAME"})
@creates_nothing_on_failure
def add_actor(name: str, as_json: bool, **options: Any) -> None:
    """Describe a person, an organization or a state: its name in its own script, country,
    roles and other names. A later description of the same name replaces this one, and
    every development naming it is then found by each of its names.

    \b
    Example:
        timeline add actor "Wang Yi" --native-name 王毅 --country CN \\
            --role "Foreign Minister; Ministry of Foreign Affairs; 2023-07-25/.." \\
            --alias "Wang Yi (diplomat)"
    """
    open_chosen()
    meta = pop_meta(options)
    data: dict[str, Any] = {"name": name, **given(options)}
    append_and_print(service.submit("ActorDescribed", data, meta=meta), as_json)
