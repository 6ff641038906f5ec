"""Keeping the log in step with a file of records: create what is new, revise what changed.

A source file (the Historian's XML, a spreadsheet) says how each development stands
*now*; the log keeps how it came to be. So an import compares each record with what the
earlier imports of it said, not with the development's current state: a record that did
not change at the source appends nothing, even when someone revised the development here
since, and a field that did change at the source (to a value the development does not
already have) appends one ``DevelopmentRevised`` with just that field and the reason
``updated at source``; a status that changed appends the lifecycle event that says so
(held, postponed, cancelled). Developments an earlier import of
the same file created and that the file no longer has are listed, and retracted only when
asked. The whole plan is appended in one transaction, each event conditional on the
stream version it was planned against, so a concurrent writer makes the import fail
whole rather than land on a state it did not see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from timeline import service
from timeline.db import Database
from timeline.errors import InvalidEvent, SourceError, VersionConflict
from timeline.events.codec import unstructure
from timeline.events.developments import SHARED_FIELDS, DevelopmentScheduled
from timeline.events.lifecycle import (
    DevelopmentCancelled,
    DevelopmentHeld,
    DevelopmentPostponed,
    DevelopmentRevised,
)
from timeline.events.state import DevelopmentState
from timeline.events.values import When
from timeline.events.vocabulary import PLACE_FIELDS
from timeline.folding import fold_stream, merged_duplicates
from timeline.log import EventLog

REASON = "updated at source"
"""The reason of every revision an import appends."""
GONE = "no longer at source"
"""The reason of every retraction ``--retract-missing`` appends."""
META_KEY = "import"
"""Where an imported event's meta keeps its provenance: format, file, the record's own id."""


@attrs.frozen
class Record:
    """One development as a file gives it: the event that would create it, and where it is."""

    type: str
    data: dict[str, Any]
    """The creating event's data, with its ``development`` id."""
    source: dict[str, Any]
    """Provenance kept in the event's meta: the record's own id, its times at the source."""
    where: str
    """Where the record is in the file: ``line 12``, ``row 3``."""
    origins: dict[str, str] = attrs.field(factory=dict)
    """Where each field of ``data`` came from (``line 14, <country>``, ``row 3, column Year``)."""
    plain: bool = False
    """Whether the reader checked that no text of the record holds a character events
    refuse (see :func:`timeline.service.parse_submission`), sparing that walk."""
    status: str | None = None
    """The status the file gives a scheduled development (``postponed``, ``cancelled``),
    if it gives one; otherwise the event type says it."""

    @property
    def development(self) -> str:
        """The development's id."""
        return self.data["development"]

    def locate(self, field: str | None) -> str:
        """Where in the file the value of a data *field* (``data.place.country``) came from."""
        if field is None:
            return self.where
        name = field.removeprefix("data.").removeprefix("changes.")
        top = re.split(r"[.\[]", name, maxsplit=1)[0]
        return self.origins.get(name) or self.origins.get(top) or f"{self.where}, {name}"

    def refusal(self, exc: InvalidEvent) -> SourceError:
        """*exc*, a refusal of this record's event, said where the file has the value."""
        return SourceError(exc.message, where=self.locate(exc.field), field=exc.field)


@attrs.frozen
class Plan:
    """What an import will append, and what it found."""

    format: str
    file: str | None
    """The file's name (None for standard input)."""
    submissions: list[service.Submission] = attrs.field(factory=list)
    records: list[Record] = attrs.field(factory=list)
    """Every record of the file; a submission's ``line`` is the 1-based index of its record."""
    created: list[str] = attrs.field(factory=list)
    revised: list[str] = attrs.field(factory=list)
    unchanged: list[str] = attrs.field(factory=list)
    missing: list[str] = attrs.field(factory=list)
    """Developments an earlier import of the file created that the file no longer has."""
    retracted: list[str] = attrs.field(factory=list)
    """Of :attr:`missing`, those this import retracts (``--retract-missing``)."""
    left_retracted: list[str] = attrs.field(factory=list)
    """Records whose development was retracted here: an import does not bring them back."""
    unrevisable: list[str] = attrs.field(factory=list)
    """``ID: field`` for a changed field that no event can revise (a visit's host country)."""
    left_merged: list[str] = attrs.field(factory=list)
    """Records whose development was merged into another here: the record no longer
    revises it (it stays as it was merged, until an unmerge), nor the one kept."""


@attrs.frozen
class Report:
    """What an import did."""

    plan: Plan
    outcome: service.Outcome

    def as_dict(self) -> dict[str, Any]:
        """The counts and lists a script reads (``timeline import --json``)."""
        plan, outcome = self.plan, self.outcome
        report: dict[str, Any] = {
            "format": plan.format,
            "appended": outcome.count,
            "created": len(plan.created),
            "revised": len(plan.revised),
            "unchanged": len(plan.unchanged),
            "missing": plan.missing,
            "retracted": plan.retracted,
            "left_retracted": plan.left_retracted,
            "left_merged": plan.left_merged,
            "unrevisable": plan.unrevisable,
        }
        if outcome.count:
            report["first_seq"], report["last_seq"] = outcome.first_seq, outcome.last_seq
        return report


def plan(
    log: EventLog,
    records: Iterable[Record],
    *,
    format: str,
    file: str | None,
    retract_missing: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Compare *records* with the log and decide what to append; SourceError naming the
    record (and its field) if one cannot be a development."""
    made = Plan(format, file)
    provenance = {"format": format, "file": file} if file else {"format": format}
    seen: dict[str, Record] = {}
    merged = merged_duplicates(log)
    for index, record in enumerate(records, start=1):
        if progress is not None:
            progress(1)
        made.records.append(record)
        meta = {META_KEY: {**provenance, **record.source}}
        obj = {"type": record.type, "data": record.data, "meta": meta}
        try:
            submission = service.parse_submission(obj, line=index, plain=record.plain)
        except InvalidEvent as exc:
            raise record.refusal(exc) from None
        if not isinstance(record.development, str):  # none given, and none could be made
            raise SourceError("an id is required", where=record.locate("data.development"))
        if record.development in seen:
            raise SourceError(
                f"{record.development!r} is also at {seen[record.development].where}",
                where=record.where,
            )
        seen[record.development] = record
        history = list(log.read(stream=record.development))
        if not history:
            made.created.append(record.development)
            made.submissions.append(attrs.evolve(submission, expected_version=0))
            # A development the file has postponed or cancelled already: as the file says.
            development = {"development": record.development}
            when = record.data.get("when")
            then = _status_change(record.status or "", "scheduled", development, when, None)
            if then is not None:
                made.submissions.extend(_submit(record, index, [then], meta, 1))
            continue
        current = _current(history, record, submission.event.KIND)
        if current.retracted:
            made.left_retracted.append(record.development)
            continue
        if record.development in merged:
            made.left_merged.append(record.development)
            continue
        update = _update(record, submission, history, current)
        made.unrevisable.extend(update.unrevisable)
        if not update.events:
            made.unchanged.append(record.development)
            continue
        made.revised.append(record.development)
        made.submissions.extend(_submit(record, index, update.events, meta, current.version))
    # A development part of another the file creates comes after it, wherever the file has it.
    made.submissions.sort(
        key=lambda submission: getattr(submission.event, "part_of", None) is not None
    )
    earlier = log.streams_created_with(f"$.{META_KEY}.file", file) if file else []
    for development in earlier:
        if development in seen:
            continue
        history = list(log.read(stream=development))
        if history[0].meta.get(META_KEY, {}).get("format") != format:
            continue  # another format's file of the same name
        current = fold_stream(history)
        if current is None or current.retracted or development in merged:
            continue
        made.missing.append(development)
        if retract_missing:
            data = {"development": development, "reason": GONE}
            made.submissions.append(
                service.submit(
                    "DevelopmentRetracted",
                    data,
                    meta={META_KEY: provenance},
                    expected_version=current.version,
                )
            )
            made.retracted.append(development)
    return made


def apply(db: Database, made: Plan, *, progress: Callable[[int], None] | None = None) -> Report:
    """Append the plan in one transaction (all of it or nothing); errors name the record."""
    try:
        outcome = service.append(db, made.submissions, progress=progress, keep=False)
    except InvalidEvent as exc:
        if exc.line is None or isinstance(exc, SourceError):
            raise
        record = made.records[exc.line - 1]
        if isinstance(exc, VersionConflict):
            raise SourceError(
                f"{record.development!r} changed in the log while the file was read "
                f"({exc.message.removesuffix('; nothing was written')}); nothing was written, "
                "import the file again",
                where=record.where,
            ) from None
        raise record.refusal(exc) from None
    return Report(made, outcome)


def _submit(
    record: Record,
    index: int,
    events: list[tuple[str, dict[str, Any]]],
    meta: dict[str, Any],
    version: int,
) -> list[service.Submission]:
    """*events* about the record's development, each expecting the stream where the one
    before leaves it (from *version*); refusals name the record."""
    made = []
    for offset, (type_, data) in enumerate(events):
        try:
            submission = service.submit(type_, data, meta=meta, expected_version=version + offset)
        except InvalidEvent as exc:
            raise record.refusal(exc) from None
        made.append(attrs.evolve(submission, line=index))
    return made


def _current(history: list[Any], record: Record, kind: str) -> DevelopmentState:
    """The development the record's id names, if it is one the record can update: the
    same type, or a scheduled development of the kind the record says took place."""
    current = fold_stream(history)
    if current is None:
        raise SourceError(
            f"{record.development!r} is a stream of the log but not a development",
            where=record.locate("data.development"),
        )
    held = current.type == DevelopmentScheduled.TYPE and current.kind == kind
    if current.type != record.type and not held:
        raise SourceError(
            f"{record.development!r} is already in the log as a {current.kind} "
            f"({current.status}), not a {kind}",
            where=record.locate("data.development"),
        )
    return current


@attrs.frozen
class _Update:
    """What a record changes in a development: the events to append, in order."""

    events: list[tuple[str, dict[str, Any]]] = attrs.Factory(list)
    unrevisable: list[str] = attrs.Factory(list)


def _update(
    record: Record, submission: service.Submission, history: list[Any], current: DevelopmentState
) -> _Update:
    """The events that bring a development in step with its record, if it needs any.

    A field changes when the record's value differs both from what the earlier imports
    of it said and from the development now: one ``DevelopmentRevised`` with those
    fields. A change of status the record says comes after it: a scheduled development
    that took place is held (``DevelopmentHeld``, with the changed fields), one now
    postponed or cancelled is postponed or cancelled.
    """
    at_source = (
        fold_stream(
            envelope
            for envelope in history
            if envelope.stream_version == 1 or META_KEY in envelope.meta
        )
        or current
    )
    wanted = unstructure(submission.event)
    changes = {}
    for name in SHARED_FIELDS:
        if name == "part_of" and "part_of" not in record.data:
            continue  # a file that says nothing of it leaves it as it is
        value = _kept(name, getattr(current, name), wanted.get(name))
        known = (_meant(name, getattr(at_source, name)), _meant(name, getattr(current, name)))
        if _meant(name, value) not in known:
            changes[name] = value if _plain(value) is not None else None
    unrevisable = [
        f"{record.development}: {name}"
        for name, value in at_source.own_fields().items()
        if name in record.data and _plain(value) != _plain(wanted.get(name))
    ]
    development = {"development": record.development}
    status = record.status or ("occurred" if record.type != current.type else current.status)
    if status == "occurred" and current.status != "occurred":
        present = {name: value for name, value in changes.items() if value is not None}
        held = {**development, **present, "when": wanted["when"]}
        return _Update([(DevelopmentHeld.TYPE, held)], unrevisable)
    events: list[tuple[str, dict[str, Any]]] = []
    then = _status_change(status, current.status, development, wanted.get("when"), REASON)
    if then is not None and then[0] == DevelopmentPostponed.TYPE:
        changes.pop("when", None)  # the postponement gives the new date
    if changes:
        events.append(
            (DevelopmentRevised.TYPE, {**development, "changes": changes, "reason": REASON})
        )
    if then is not None:
        events.append(then)
    return _Update(events, unrevisable)


def _status_change(
    status: str, now: str, development: dict[str, Any], when: str | None, reason: str | None
) -> tuple[str, dict[str, Any]] | None:
    """The event that takes a development from status *now* to *status*, if one does."""
    if now not in ("scheduled", "postponed") or status == now:
        return None
    if status == "cancelled":
        return DevelopmentCancelled.TYPE, {**development, "reason": reason}
    if status == "postponed":
        return DevelopmentPostponed.TYPE, {**development, "when": when, "reason": reason}
    return None


def _kept(name: str, current: Any, value: Any) -> Any:
    """*value* with what a file gives only in part filled in from the *current* one.

    A spreadsheet cites a source by its URL and a place without coordinates: a URL the
    development already cites keeps its title and publisher, and a place with the same
    name, city and country keeps its coordinates.
    """
    if name == "sources" and value:
        known: dict[str, list[Any]] = {}
        for source in current or ():  # a URL cited twice: each citation in its turn
            known.setdefault(source.get("url"), []).append(source)
        return [
            dict(known[source["url"]].pop(0))
            if set(source) <= {"url"} and known.get(source["url"])
            else source
            for source in value
        ]
    if name == "place" and value and current and value.get("lat") is None:
        same = all(value.get(key) == current.get(key) for key in PLACE_FIELDS[:3])
        return dict(current) if same else value
    return value


def _meant(name: str, value: Any) -> Any:
    """A field's value as it is meant, for telling whether it changed: a date by its parts
    (``-1200`` and ``-12:00`` are one offset), anything else as :func:`_plain` has it."""
    if name == "when" and value is not None:
        return When.parse(value).parts
    return _plain(value)


def _plain(value: Any) -> Any:
    """A stored value compared as meant: absent keys, nulls and empty lists are alike."""
    if isinstance(value, dict):
        value = {key: _plain(item) for key, item in value.items() if item is not None}
        return value or None
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value] or None
    return value
