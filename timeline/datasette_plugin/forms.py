"""The write forms: add a development of any kind or describe an actor, and the lifecycle
actions on one development (held, postpone, cancel, revise, retract, link, merge, unmerge).

Each form is the command of the same name in the browser: the same inputs (named as the
command's options are, read as `timeline.entries` reads them), one event through the same
service, the same refusals. A refused submission comes back with what was typed and the
error beside the input it concerns. A form on a development carries the version it was
opened at, so a submission made after someone else changed the development is refused
("changed since you opened it") rather than undoing their change unseen. Every form
carries Datasette's CSRF token: a post from another site writes nothing.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import unquote

import attrs
from datasette.utils.asgi import Base400, Forbidden, NotFound, Response

from timeline import service
from timeline.connection import Database
from timeline.datasette_plugin.access import (
    FORM_LIMIT,
    TooLarge,
    can_append,
    database_of,
    read_form,
    read_only,
    recorded_by,
    write_path,
)
from timeline.db import file_error
from timeline.entries import (
    ACTOR,
    INPUT_OF_PLACE_FIELD,
    OWN,
    PLACE_INPUTS,
    SHARED,
    Entry,
    given,
    revision_changes,
    shared_data,
    with_place,
)
from timeline.errors import InvalidEvent, TimelineError, VersionConflict
from timeline.events.developments import CREATION_TYPES, NEEDS_PARTICIPANTS
from timeline.events.vocabulary import (
    CLEARABLE,
    RELATIONS,
    TRANSITIONS,
)
from timeline.log import EventLog
from timeline.renderings import DEVELOPMENTS

ADD_ROUTE: Final = r"^/-/timeline/(?P<database>[^/]+)/add(/(?P<kind>[a-z]+))?$"
ACTION_ROUTE: Final = (
    r"^/-/timeline/(?P<database>[^/]+)/developments/(?P<id>[^/]+)/(?P<action>[a-z]+)$"
)


TYPE_OF_KIND: Final = {
    ("scheduled" if cls.TYPE == "DevelopmentScheduled" else cls.KIND): cls.TYPE
    for cls in CREATION_TYPES
}
"""``add`` form kind -> event type (``scheduled`` for something announced or planned)."""
NOTE: Final = Entry("note", "Note", "For the record: kept with the event in the log, not shown.")
"""On every form, as ``--note`` on every command: the event's ``meta.note``."""
REASON: Final = Entry("reason", "Reason", "Kept in the record.", widget="area", required=True)
OPTIONAL_REASON: Final = attrs.evolve(REASON, required=False)


@attrs.frozen
class Action:
    """A lifecycle form on one development: its inputs and the event it makes."""

    label: str
    type: str
    inputs: tuple[Entry, ...]
    build: Callable[[str, dict[str, Any]], dict[str, Any]]
    """The event's data from the development's id and the form's values."""
    intro: str = ""


def _revision(dev: str, values: dict[str, Any]) -> dict[str, Any]:
    reason, cleared = values.pop("reason", None), values.pop("clear", [])
    try:
        changes = revision_changes(values, cleared)
    except ValueError as exc:
        raise FormError("clear", str(exc)) from None
    return {"development": dev, "changes": changes, "reason": reason}


_WHEN_REQUIRED = tuple(attrs.evolve(i, required=i.name == "when") for i in SHARED)

ACTIONS: Final[dict[str, Action]] = {
    "held": Action(
        "Record that it took place",
        "DevelopmentHeld",
        _WHEN_REQUIRED,
        lambda dev, v: {"development": dev, **shared_data(v, given_only=True)},
        "For something scheduled or postponed: when it took place, and what you learnt.",
    ),
    "postpone": Action(
        "Postpone",
        "DevelopmentPostponed",
        (Entry("when", "New date", "Leave it empty if not known."), OPTIONAL_REASON),
        lambda dev, v: {"development": dev, **given(v)},
    ),
    "cancel": Action(
        "Cancel",
        "DevelopmentCancelled",
        (OPTIONAL_REASON,),
        lambda dev, v: {"development": dev, **given(v)},
        "It will not take place.",
    ),
    "revise": Action(
        "Revise",
        "DevelopmentRevised",
        (
            REASON,
            *SHARED,
            Entry("clear", "Remove", "The fields to empty.", widget="checks", choices=CLEARABLE),
        ),
        _revision,
        "The fields you fill in replace those of the development; the others stay.",
    ),
    "retract": Action(
        "Retract",
        "DevelopmentRetracted",
        (REASON,),
        lambda dev, v: {"development": dev, **given(v)},
        "Recorded in error: it leaves the tables and exports, not the log.",
    ),
    "link": Action(
        "Link to another development",
        "DevelopmentsLinked",
        (
            Entry("relation", "Relation", widget="choice", required=True, choices=RELATIONS),
            Entry("to", "To", "The other development's id.", required=True),
        ),
        lambda dev, v: {"from": dev, **given(v)},
    ),
    "merge": Action(
        "Merge a duplicate into it",
        "DevelopmentsMerged",
        (
            Entry(
                "duplicate",
                "Duplicate",
                "The id of the same development recorded twice.",
                required=True,
            ),
            REASON,
        ),
        lambda dev, v: {"development": dev, **given(v)},
        "The duplicate's sources, participants and tags join this development.",
    ),
    "unmerge": Action(
        "Undo a merge",
        "DevelopmentsUnmerged",
        (Entry("duplicate", "Duplicate", "The id merged into this one.", required=True), REASON),
        lambda dev, v: {"development": dev, **given(v)},
    ),
}
"""Lifecycle actions by the path segment (and command name) that opens their form."""


class FormError(Exception):
    """An input that cannot be read (a number that is not one, a line with too many parts)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def read_values(inputs: tuple[Entry, ...], raw: dict[str, list[str]]) -> dict[str, Any]:
    """The form's values as the command's options would hold them (None when left empty)."""
    values: dict[str, Any] = {}
    for field in inputs:
        typed = raw.get(field.name, [])
        text = typed[-1].strip() if typed else ""
        if field.widget == "checks":
            unknown = [v for v in typed if v not in field.choices]
            if unknown:
                raise FormError(
                    field.name, f"{unknown[0]!r} is not one of: {', '.join(field.choices)}"
                )
            values[field.name] = list(typed)
        elif field.widget == "lines":
            parse = field.parse or str
            # Counted as the refusals of the service count them: the items, blank lines left out.
            items = []
            for number, line in enumerate(_entries(text), start=1):
                try:
                    items.append(parse(line))
                except ValueError as exc:
                    raise FormError(field.name, f"line {number}: {exc}") from None
            values[field.name] = tuple(items)
        elif not text:
            values[field.name] = None
        elif field.widget == "number":
            try:
                values[field.name] = float(text)
            except ValueError:
                raise FormError(field.name, f"{text!r} is not a number") from None
        else:
            values[field.name] = text
        if field.required and values[field.name] in (None, ()):
            raise FormError(field.name, "is required")
    return values


def _entries(text: str) -> list[str]:
    """The items of a box of one item a line: each line trimmed, blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


_ITEM = re.compile(r"^\[(\d+)\]\.?")


def input_for(exc: InvalidEvent, names: set[str]) -> tuple[str | None, str]:
    """The input a refusal concerns, and what to say beside it (None: above the form)."""
    field = exc.field or ""
    path = field.removeprefix("data.").removeprefix("changes.")
    if path.startswith("place.") or path == "place":
        sub = path.removeprefix("place").lstrip(".")
        path = INPUT_OF_PLACE_FIELD.get(sub, "place_name")
    name = re.split(r"[.\[]", path, maxsplit=1)[0]
    if field == "data.changes":  # about the revision as a whole, not one input
        return None, exc.message
    if not field.startswith("data.") or name not in names:
        return None, str(exc)
    rest = path[len(name) :]
    item = _ITEM.match(rest)
    if item is not None:  # the line of a lines input, counted from 1 as people count
        rest = f"line {int(item[1]) + 1}{': ' + rest[item.end() :] if rest[item.end() :] else ''}"
        return name, f"{rest}: {exc.message}"
    return name, f"{rest.lstrip('.')}: {exc.message}" if rest else exc.message


class PayloadTooLarge(Base400):
    """A form over :data:`FORM_LIMIT`: Datasette's error page, with 413."""

    status = 413


async def _posted(request: Any) -> dict[str, list[str]]:
    """The posted form; a 413 for one larger than any development needs."""
    try:
        return await read_form(request)
    except TooLarge:
        raise PayloadTooLarge(f"The form is larger than {FORM_LIMIT} bytes.") from None


async def _stream_version(datasette: Any, database: str, dev: str) -> int:
    """The development's version now: what the form expects when it comes back."""
    return await datasette.get_database(database).execute_fn(
        lambda conn: EventLog(Database(conn)).stream_version(dev)
    )


async def _writer(datasette: Any, request: Any) -> tuple[str, dict[str, Any]]:
    """The database of the path and the actor who may write to it, or a 403 (a visitor is
    told to sign in)."""
    database = database_of(datasette, request)
    if database is None:
        raise NotFound(f"{request.url_vars['database']}: no timeline database is served here")
    actor = request.actor
    if not await can_append(datasette, actor, database):
        why = read_only(datasette, database)
        if why is not None:
            raise Forbidden(f"{why}.")
        if actor is None:
            raise Forbidden("Sign in as an editor to write (/-/timeline-signin).")
        raise Forbidden(f"{recorded_by(actor)} may not add events to {database}.")
    return database, actor


async def _render(
    datasette: Any,
    request: Any,
    *,
    database: str,
    title: str,
    intro: str,
    inputs: tuple[Entry, ...],
    values: dict[str, list[str]],
    errors: dict[str | None, str],
    hidden: dict[str, Any],
    status: int = 200,
    development: str | None = None,
) -> Response:
    html = await datasette.render_template(
        "timeline_form.html",
        {
            "database": database,
            "title": title,
            "intro": intro,
            "inputs": (*inputs, NOTE),
            "values": values,
            "errors": errors,
            "hidden": hidden,
            "development": development,
            "row_url": datasette.urls.row(database, DEVELOPMENTS, development)
            if development
            else None,
            "table_url": datasette.urls.table(database, DEVELOPMENTS),
        },
        request=request,
    )
    return Response.html(html, status=status)


async def _submit(
    datasette: Any,
    raw: dict[str, list[str]],
    *,
    database: str,
    actor: dict[str, Any],
    inputs: tuple[Entry, ...],
    make: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]],
    expected: int | None,
) -> tuple[Any, dict[str | None, str]]:
    """Build and record one event; the envelope, or the errors to show with the form."""
    path = datasette.get_database(database).path
    try:
        values = read_values((*inputs, NOTE), raw)
        note = values.pop("note")
        type_, data = make(values)
        meta = {"recorded_by": recorded_by(actor), **({"note": note} if note else {})}
        submission = service.submit(type_, data, meta=meta, expected_version=expected)
        _, (envelope,) = await asyncio.to_thread(service.append_at, path, [submission])
    except FormError as exc:
        return None, {exc.name: exc.message}
    except VersionConflict as exc:
        message = (
            f"Changed since you opened it: {exc.message}. Reload the form to see it as it is now."
        )
        return None, {None: message}
    except InvalidEvent as exc:
        name, message = input_for(exc, {i.name for i in inputs})
        return None, {name: message}
    except TimelineError as exc:
        return None, {None: str(exc)}
    except sqlite3.Error as exc:  # the log held by another writer past the timeout, a full disk
        return None, {None: f"Nothing was recorded: {file_error(path, exc)}. Try again."}
    return envelope, {}


def _done(datasette: Any, request: Any, database: str, envelope: Any, what: str) -> Response:
    datasette.add_message(request, f"{what}: recorded as event {envelope.seq}", datasette.INFO)
    if envelope.type == "ActorDescribed":
        return Response.redirect(datasette.urls.table(database, "actors"))
    if envelope.type == "DevelopmentRetracted":
        return Response.redirect(datasette.urls.table(database, DEVELOPMENTS))
    return Response.redirect(datasette.urls.row(database, DEVELOPMENTS, envelope.stream))


async def add_page(datasette: Any, request: Any) -> Response:
    """``/-/timeline/<db>/add``: choose a kind; ``…/add/<kind>``: its form (``actor`` too)."""
    kind = request.url_vars.get("kind")
    database, actor = await _writer(datasette, request)
    if kind is None:
        html = await datasette.render_template(
            "timeline_add.html",
            {
                "database": database,
                "kinds": [*TYPE_OF_KIND, "actor"],
                "base": write_path(datasette, database, "add"),
            },
            request=request,
        )
        return Response.html(html)
    if kind == "actor":
        inputs, title = ACTOR, "Describe an actor"

        def make(values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            return "ActorDescribed", given(values)

    elif kind in TYPE_OF_KIND:
        needed = {"title", "when"} if kind != "scheduled" else {"title"}
        if TYPE_OF_KIND[kind] in NEEDS_PARTICIPANTS:
            needed.add("participants")
        shared = tuple(attrs.evolve(i, required=i.name in needed) for i in SHARED)
        identity = Entry("development", "Id", "Leave it empty to make one from the date and title.")
        inputs = (*OWN.get(kind, ()), *shared, identity)
        title = f"Add: {kind}"

        def make(values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            data = shared_data(values)
            data.update(given(values))
            return TYPE_OF_KIND[kind], data

    else:
        raise NotFound(f"{kind}: not a kind (one of: {', '.join([*TYPE_OF_KIND, 'actor'])})")
    errors: dict[str | None, str] = {}
    raw: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        raw = await _posted(request)
        envelope, errors = await _submit(
            datasette, raw, database=database, actor=actor, inputs=inputs, make=make,
            expected=None,
        )  # fmt: skip
        if not errors:
            return _done(datasette, request, database, envelope, title)
        status = 400
    return await _render(
        datasette, request, database=database, title=title, intro="", inputs=inputs,
        values=raw, errors=errors, hidden={}, status=status,
    )  # fmt: skip


async def action_page(datasette: Any, request: Any) -> Response:
    """``/-/timeline/<db>/developments/<id>/<action>``: a lifecycle action's form."""
    dev, name = unquote(request.url_vars["id"]), request.url_vars["action"]
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"{name}: not an action (one of: {', '.join(ACTIONS)})")
    database, actor = await _writer(datasette, request)
    errors: dict[str | None, str] = {}
    raw: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        raw = await _posted(request)
        typed = raw.get("expected_version", [""])[-1]
        if not (typed.isascii() and typed.isdigit()):  # not as the form was sent out
            errors = {None: "The form came back without the version it was opened at: "
                      "reload it, then submit it again."}  # fmt: skip
            status, version = 400, await _stream_version(datasette, database, dev)
        else:
            expected = int(typed)
            place = None
            if any(i.name in PLACE_INPUTS for i in action.inputs):  # held, revise
                place = await datasette.get_database(database).execute_fn(
                    lambda conn: service.current_place(Database(conn), dev)
                )

            def make(values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
                data = action.build(dev, values)
                with_place(data.get("changes", data), place)  # parts given, over the place
                return action.type, data

            envelope, errors = await _submit(
                datasette, raw, database=database, actor=actor, inputs=action.inputs,
                make=make, expected=expected,
            )  # fmt: skip
            if not errors:
                return _done(datasette, request, database, envelope, f"{action.label}: {dev}")
            status = 409 if None in errors and errors[None].startswith("Changed since") else 400
            version = expected
    else:
        version = await _stream_version(datasette, database, dev)
        if version == 0:
            raise NotFound(f"{dev}: no development with this id")
    return await _render(
        datasette, request, database=database, title=f"{action.label}: {dev}",
        intro=action.intro, inputs=action.inputs, values=raw, errors=errors,
        hidden={"expected_version": version}, status=status, development=dev,
    )  # fmt: skip


def allowed(action: Action, status: str | None) -> bool:
    """Whether *action* may follow a development in *status* (the vocabulary's transitions)."""
    statuses = TRANSITIONS.get(action.type)
    return statuses is None or status in statuses


async def actions_for(
    datasette: Any, request: Any, database: str, dev: str
) -> list[dict[str, str]]:
    """The lifecycle actions' links for a development's row page: those its status allows,
    for a reader who may write (none for anyone else)."""
    if not await can_append(datasette, request.actor, database):
        return []
    found = await datasette.get_database(database).execute(
        f"SELECT status FROM {DEVELOPMENTS} WHERE id = ?", [dev]
    )
    row = found.first()
    status = row[0] if row is not None else None
    return [
        {"href": write_path(datasette, database, "developments", dev, name), "label": a.label}
        for name, a in ACTIONS.items()
        if allowed(a, status)
    ]


async def page_actions(datasette: Any, request: Any, database: str) -> dict[str, Any] | None:
    """Where the lifecycle forms are, for the timeline page of a reader who may write: each
    action with its label and the statuses it may follow (null: any)."""
    if not await can_append(datasette, request.actor, database):
        return None
    base = write_path(datasette, database, "developments")
    names = [[name, a.label, TRANSITIONS.get(a.type)] for name, a in ACTIONS.items()]
    return {"base": f"{base}/", "names": names}
