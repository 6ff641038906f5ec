"""What users do to the log, one function per intent: check, decide, append.

Every function validates everything first and appends inside one write transaction, so
a refused event leaves the log exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Final

import attrs
import cattrs

from timeline.db import Database, open_db
from timeline.envelope import Envelope
from timeline.errors import DuplicateEvent, InvalidEvent, VersionConflict
from timeline.events import state as fold
from timeline.events.base import Event, FieldError
from timeline.events.codec import (
    Problem,
    canonical_json,
    describe_error,
    from_row,
    structure,
    unstructure,
)
from timeline.events.developments import (
    NEEDS_PARTICIPANTS,
    DevelopmentCreated,
    DevelopmentScheduled,
    dated_country_problem,
    when_problem,
)
from timeline.events.ids import development_id
from timeline.events.lifecycle import (
    DevelopmentHeld,
    DevelopmentPostponed,
    DevelopmentRetracted,
    DevelopmentRevised,
    DevelopmentsLinked,
    DevelopmentsMerged,
    DevelopmentsUnmerged,
)
from timeline.events.registry import UnknownEventType, registry
from timeline.events.state import CREATING, DevelopmentState
from timeline.events.vocabulary import LIST_FIELDS, STATUS_PHRASES, TRANSITIONS
from timeline.folding import MERGING, fold_stream, merge_step, merged_duplicates
from timeline.log import EventLog, Writer
from timeline.projector import CHUNK, Projector

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SUBMISSION_KEYS = {"type", "data", "id", "meta", "expected_version"}
# What `timeline log --json` adds; accepted back so that its output imports as it is.
_LOG_KEYS = {"seq", "stream", "stream_version", "schema_version", "recorded_at", "hash"}

MAX_DEPTH = 32
"""How deeply objects and lists may nest in a submitted field (``{}`` is 1 level deep).

Every later reader of the log (``verify``, the projector, json) walks values by
recursion; a value nested near Python's recursion limit would be written once and then
break them all. Event data nests 4 levels at most; 32 leaves free ``meta`` room enough.
"""
MAX_META_BYTES = 64 * 1024
"""The most bytes of JSON an event's free-form ``meta`` may take (UTF-8, as stored).

Meta is notes and provenance, read with every event; its typed fields bound the size
of ``data``, and this bounds the one field without a type.
"""


@attrs.frozen
class Submission:
    """One event as a user or a file submitted it, validated but not yet decided on."""

    type: str
    event: Event
    id: str | None = None
    meta: dict[str, Any] = attrs.field(factory=dict)
    expected_version: int | None = None
    recorded_at: str | None = None
    claimed: dict[str, Any] = attrs.field(factory=dict)
    """Log fields the line carried (seq, stream, hash…), checked against what is written."""
    line: int | None = None
    older: tuple[int, dict[str, Any]] | None = None
    """The schema version and payload of an event written by an earlier version (a
    restored log): stored as they were, so the restored log keeps every hash; read
    through the upcasters like any stored event."""


@attrs.frozen
class Outcome:
    """What an append or import did."""

    appended: list[Envelope]
    """The new events (empty when not kept, for a large import: see :attr:`count`)."""
    skipped: list[str]
    """Ids of events already in the log with the same content."""
    count: int = 0
    """How many events were appended."""
    first_seq: int | None = None
    last_seq: int | None = None


def _refuse(message: str, line: int | None, field: str | None = None) -> InvalidEvent:
    return InvalidEvent(message, line=line, field=field)


def parse_submission(obj: Any, *, line: int | None = None, plain: bool = False) -> Submission:
    """Validate one event object (type, data, id…); raise InvalidEvent naming the field.

    ``plain=True`` says the JSON text it came from cannot hold a character that
    :func:`bad_text` refuses (see :func:`parse_lines`), which spares walking every string.
    """
    if not isinstance(obj, dict):
        raise _refuse('an event must be a JSON object like {"type": ..., "data": {...}}', line)
    for key, item in obj.items():
        # Plain data needs no walk: its typed fields refuse nesting at the first level,
        # and nothing else walks it (bad_text does, hence the walk when not plain).
        if (key != "data" or not plain) and _deeper_than(item, MAX_DEPTH):
            name = key if _PLAIN_NAME.fullmatch(key) else repr(key)
            raise _refuse(f"{name}: nested deeper than {MAX_DEPTH} levels", line)
    problem = None if plain else bad_text(obj)
    if problem is not None:
        raise _refuse(problem.message, line, problem.field)
    unknown = sorted(set(obj) - _SUBMISSION_KEYS - _LOG_KEYS)
    if unknown:
        name = unknown[0] if _PLAIN_NAME.fullmatch(unknown[0]) else repr(unknown[0])
        raise _refuse(f"{name}: unknown field", line)
    type_ = obj.get("type")
    if not isinstance(type_, str):
        raise _refuse("type: is required and must be a string", line)
    if "data" not in obj:
        raise _refuse("data: is required", line)
    event_id = obj.get("id")
    if event_id is not None and (not isinstance(event_id, str) or not _UUID.match(event_id)):
        raise _refuse(f"id: {event_id!r} is not a lowercase UUID", line)
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        raise _refuse("meta: must be an object", line)
    if meta and len(canonical_json(meta).encode()) > MAX_META_BYTES:
        raise _refuse(f"meta: larger than {MAX_META_BYTES} bytes of JSON", line)
    expected = obj.get("expected_version")
    if expected is not None and (
        isinstance(expected, bool) or not isinstance(expected, int) or expected < 0
    ):
        raise _refuse("expected_version: must be a whole number, 0 or more", line)
    recorded_at = obj.get("recorded_at")
    if recorded_at is not None:
        recorded_at = _check_recorded_at(recorded_at, line)
    version = obj.get("schema_version", None)
    try:
        cls = registry.cls(type_)
        if version is None:
            version = cls.VERSION
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise _refuse("schema_version: must be a whole number, 1 or more", line)
        data = obj["data"]
        older = (version, data) if version != cls.VERSION and isinstance(data, dict) else None
        if isinstance(data, dict):
            data = registry.upcast(type_, version, data)
        event = structure(type_, data)
    except UnknownEventType as exc:
        raise _refuse(f"type: {exc}", line) from None
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        problem = describe_error(exc, "data")
        raise _refuse(problem.message, line, problem.field) from None
    claimed = {k: obj[k] for k in ("seq", "stream", "hash") if k in obj}
    return Submission(type_, event, event_id, meta, expected, recorded_at, claimed, line, older)


def _deeper_than(value: Any, limit: int) -> bool:
    """True when *value* nests objects and lists more than *limit* levels deep.

    Walked with a list, not by recursion, so that any depth json.loads returns is safe.
    """
    if not isinstance(value, dict | list):
        return False
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


_UTC_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def _check_recorded_at(value: Any, line: int | None) -> str:
    """The time in the one form the log writes, so that times compare as text (``--as-of``)."""
    if isinstance(value, str) and _UTC_INSTANT.match(value) is not None:
        try:
            moment = dt.datetime.fromisoformat(value[:-1])
        except ValueError:
            pass
        else:
            return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    raise _refuse(f"recorded_at: {value!r} is not a UTC time like 2024-04-26T08:30:00Z", line)


BOM: Final = "\ufeff"
"""The byte order mark a file (or a body) may start with, skipped there."""


def parse_lines(lines: Iterable[str], *, recorded_by: str | None = None) -> Iterator[Submission]:
    """Parse JSON Lines, one event a line; blank lines are allowed and skipped.

    With *recorded_by* (a request over HTTP), each event is stamped as :func:`parse_body`
    says.
    """
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        text = text.rstrip("\r\n")
        # The writer's name is not in the text: it is walked too if it might need it.
        plain = _looks_plain(text) and (recorded_by is None or bad_text(recorded_by) is None)
        obj = parse_json(text, line=number)
        if recorded_by is not None:
            obj = _stamped(obj, recorded_by, number)
        yield parse_submission(obj, line=number, plain=plain)


def parse_body(text: str, *, recorded_by: str) -> list[Submission]:
    """One event object, or JSON Lines of them, written by *recorded_by* (an HTTP request).

    The server says who and when: ``meta.recorded_by`` is filled in with the writer's
    name, and a line naming someone else is refused rather than rewritten, so that what
    the client sent and what the log holds never differ without the client knowing; a
    ``recorded_at`` is refused, the log's clock being the server's. Lines are split at
    line feeds only, as a file is read (a U+2028 inside a string stays in it).
    """
    text = text.removeprefix(BOM)  # as a file's
    try:
        whole = parse_json(text)
    except InvalidEvent:
        if _spread_over_lines(text):
            raise  # one event written over several lines: its mistake, where it is
    else:
        if not isinstance(whole, dict):
            raise _refuse("send one event as a JSON object, or JSON Lines of them", None)
        return [parse_submission(_stamped(whole, recorded_by, None), line=None)]
    found = list(parse_lines(text.split("\n"), recorded_by=recorded_by))
    if not found:
        raise _refuse("no event: send one as a JSON object, or JSON Lines of them", None)
    return found


def _spread_over_lines(text: str) -> bool:
    """Whether *text* is one value over several lines rather than JSON Lines: its first
    line alone (``{``) is no JSON, so read as JSON Lines the error would be there, which
    is not where the mistake is."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
    except ValueError:
        return True
    return False


def _stamped(obj: Any, recorded_by: str, line: int | None) -> Any:
    """*obj* with its writer's name in ``meta.recorded_by`` (refused if it names another,
    or if it says when it was recorded)."""
    if not isinstance(obj, dict):
        return obj  # parse_submission says what an event must be
    if "recorded_at" in obj:
        raise _refuse("is set by the server's clock: leave it out", line, "recorded_at")
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        return obj
    if "recorded_at" in meta:  # read beside the log's own time, it would pass for it
        raise _refuse("is set by the server's clock: leave it out", line, "meta.recorded_at")
    claimed = meta.get("recorded_by", recorded_by)
    if claimed != recorded_by:
        raise _refuse(
            f"is set by the server to who sends the event ({recorded_by!r}), not {claimed!r}: "
            "leave it out",
            line,
            "meta.recorded_by",
        )
    return {**obj, "meta": {**meta, "recorded_by": recorded_by}}


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise ValueError(f"{text} is too large a number")
    return value


def parse_json(text: str, *, line: int | None = None) -> Any:
    """Strict JSON: no NaN or Infinity; InvalidEvent otherwise (text is checked later)."""
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_float=_finite)
    except json.JSONDecodeError as exc:
        # Text over several lines (one event written out) says the line of its mistake.
        where = line if line is not None or exc.lineno == 1 else exc.lineno
        raise _refuse(f"not valid JSON: {exc.msg} (column {exc.colno})", where) from None
    except ValueError as exc:
        raise _refuse(f"not valid JSON: {exc}", line) from None
    except RecursionError:
        raise _refuse("not valid JSON: nested too deeply", line) from None
    return value


# Text that is not text: controls other than tab, CR and LF, C0 and C1 alike (a terminal
# obeys them: U+009B starts an escape sequence, U+0085 breaks a line, and a title must come
# out of every export whole), and unpaired surrogates (no UTF-8 for them).
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The C1 controls, which JSON text may hold unescaped (raw C0 controls it may not).
_BAD_RAW = re.compile("[\x80-\x9f]")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")


def _looks_plain(line: str) -> bool:
    """True when the JSON text *line* cannot hold a character :func:`bad_text` refuses.

    Such a character is either there as it is (json.loads lets DEL, C1 controls and lone
    surrogates through, and refuses raw C0 controls inside strings anyway) or escaped as
    ``\\uXXXX``, ``\\b`` or ``\\f``. A line without any of these needs no walk through
    its strings; substring tests and one encode are several times faster than a regex,
    which only a line holding U+0080-U+00BF needs (UTF-8 writes them after a 0xC2 byte).
    """
    if "\\u" in line or "\\b" in line or "\\f" in line or "\x7f" in line:
        return False
    if not line.isascii():
        try:
            encoded = line.encode("utf-8")  # fails on a lone surrogate
        except UnicodeEncodeError:
            return False
        if b"\xc2" in encoded and _BAD_RAW.search(line) is not None:
            return False
    return True


def bad_text(value: Any, path: str = "") -> Problem | None:
    """The first string in *value* (keys too) that is not plain text, as ``path: problem``."""
    if isinstance(value, str):
        found = _BAD_CHARACTER.search(value)
        if found is None:
            return None
        char = found.group()
        what = "an unpaired surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
        return Problem(
            path or "value", f"contains {what} ({char.encode('unicode_escape').decode()})"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            name = key if _PLAIN_NAME.fullmatch(str(key)) else repr(key)
            where = f"{path}.{name}" if path else name
            problem = bad_text(key, where) or bad_text(item, where)
            if problem is not None:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = bad_text(item, f"{path}[{index}]")
            if problem is not None:
                return problem
    return None


# Folded states the decider keeps (a cache: the rest are folded again from the log). Lifecycle
# events tend to follow soon after what they are about; 5,000 keeps an import's memory flat.
_STATES_KEPT = 5_000


class _Decider:
    """Decides, inside a write transaction, whether each submission may be appended."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.states: dict[str, DevelopmentState | None] = {}
        self._merged: dict[str, str] | None = None
        self.referred: dict[str, str] = {}
        """Development -> one that this batch made part of, announced in or linked to it
        (the tables do not show those yet)."""

    @property
    def merged(self) -> dict[str, str]:
        """Each development merged into another (duplicate -> kept), this batch's included."""
        if self._merged is None:
            self.writer.flush()
            self._merged = merged_duplicates(self.writer.log)
        return self._merged

    def state(self, stream: str) -> DevelopmentState | None:
        if stream not in self.states:
            self.remember(stream, fold_stream(self.writer.stream_events(stream)))
        return self.states[stream]

    def remember(self, stream: str, state: DevelopmentState | None) -> None:
        if len(self.states) >= _STATES_KEPT:
            self.states.clear()  # a cache: states are folded again from the log
        self.states[stream] = state

    def existing(self, dev_id: str, field: str, line: int | None) -> DevelopmentState:
        current = self.state(dev_id)
        if current is None:
            raise _refuse(f"there is no development {dev_id!r}", line, field)
        if current.retracted:
            raise _refuse(f"development {dev_id!r} was retracted", line, field)
        if dev_id in self.merged:
            raise _refuse(
                f"development {dev_id!r} was merged into {self.merged[dev_id]!r}; "
                "record it there (or `timeline unmerge` it first)",
                line,
                field,
            )
        return current

    def decide(self, sub: Submission) -> tuple[Event, str, str] | None:
        """The event to append, its id and its stream, or None to skip a repeat.

        A development given no id gets one made from its date and title: it is the
        stream, and the event's data gets it when stored.
        """
        event, line = sub.event, sub.line
        if sub.id is not None and (stored := self.writer.get(sub.id)) is not None:
            if stored.type == sub.type:
                # Compared as stored: the id made for it when it was written, filled in as
                # data (not by evolve, which would validate the stream as a development).
                mine = unstructure(event)
                if isinstance(event, DevelopmentCreated) and event.development is None:
                    mine["development"] = stored.stream
                if stored.data == mine or mine == unstructure(
                    from_row(stored.type, stored.schema_version, stored.data)
                ):
                    return None
            raise DuplicateEvent(
                f"id: event {sub.id} is already in the log (seq {stored.seq}) with other content",
                line=line,
            )
        if isinstance(event, DevelopmentCreated):
            if sub.expected_version is not None and event.development is not None:
                self._expect(event.development, sub)
            stream = self._creation(event, sub)
        elif isinstance(event, DevelopmentsMerged):
            event = self._merge(event, line)
            stream = event.stream
        else:
            self._lifecycle(event, line)
            stream = event.stream
        self._expect(stream, sub)
        return event, sub.id or str(uuid.uuid4()), stream

    def _expect(self, stream: str, sub: Submission) -> None:
        current = self.writer.stream_version(stream)
        if sub.expected_version is not None and sub.expected_version != current:
            raise VersionConflict(
                f"stream {stream} is at version {current}, "
                f"not {sub.expected_version}; nothing was written",
                line=sub.line,
                field="expected_version",
            )

    def _creation(self, event: DevelopmentCreated, sub: Submission) -> str:
        """The new development's id (made when not given), once it may be created."""
        line = sub.line
        stream = event.development
        if stream is None:
            made = development_id(event.title, event.when)
            if self.writer.stream_version(made):
                raise _refuse(
                    f"the id made from date and title, {made!r}, is taken; "
                    "give the development an id of its own",
                    line,
                    "data.development",
                )
            try:
                event.check_own_id(made)
            except FieldError as exc:
                raise _refuse(exc.message, line, f"data.{exc.field}") from None
            stream = made
        elif self.writer.stream_version(stream):
            raise _refuse(f"{stream!r} already exists", line, "data.development")
        if event.part_of is not None:
            self.existing(event.part_of, "data.part_of", line)
        if isinstance(event, DevelopmentScheduled) and event.announced_in is not None:
            self.existing(event.announced_in, "data.announced_in", line)
        return stream

    def _merge(self, event: DevelopmentsMerged, line: int | None) -> DevelopmentsMerged:
        """The merge as it is stored: with what the duplicate brings, once it may be made.

        The kept development and the duplicate must both stand (neither retracted nor
        merged themselves); the duplicate must hold no merges of its own, and no other
        development may point at it (its parts would lose their parent).
        """
        kept = self.existing(event.development, "data.development", line)
        duplicate = self.existing(event.duplicate, "data.duplicate", line)
        if duplicate.merged:
            held = ", ".join(repr(m.duplicate) for m in duplicate.merged)
            raise _refuse(
                f"{event.duplicate!r} holds merged {held}; unmerge it first",
                line,
                "data.duplicate",
            )
        pointing = self._pointing_at(event.duplicate)
        if pointing:
            raise _refuse(
                f"{pointing!r} refers to {event.duplicate!r} (part of, announced in or "
                f"linked to it); point it at {event.development!r} first",
                line,
                "data.duplicate",
            )
        data = unstructure(event)
        brought = (*LIST_FIELDS, "disputed")
        for name in brought:
            data.pop(name, None)
        data.update(fold.brought_by(kept, duplicate))
        merged = structure(DevelopmentsMerged.TYPE, data)
        assert isinstance(merged, DevelopmentsMerged)
        for name in brought:
            # Given (a restored log gives them all), they must be what the duplicate holds.
            if getattr(event, name) and getattr(event, name) != getattr(merged, name):
                raise _refuse(
                    f"is filled in from {event.duplicate!r} when the merge is appended, "
                    "and does not match what it holds",
                    line,
                    f"data.{name}",
                )
        return merged

    def _pointing_at(self, dev_id: str) -> str | None:
        """A development that is part of, announced in or linked to *dev_id*: in the tables,
        or by an event of this batch."""
        if dev_id in self.referred:
            return self.referred[dev_id]
        row = self.writer.log.db.execute(
            "SELECT id FROM developments WHERE part_of = ?1 OR announced_in = ?1 "
            "UNION SELECT from_development FROM links WHERE to_development = ?1 "
            "ORDER BY 1 LIMIT 1",
            [dev_id],
        ).fetchone()
        return row[0] if row else None

    def _lifecycle(self, event: Event, line: int | None) -> None:
        if isinstance(event, DevelopmentsUnmerged):
            current = self.existing(event.development, "data.development", line)
            if not any(m.duplicate == event.duplicate for m in current.merged):
                raise _refuse(
                    f"{event.duplicate!r} is not merged into {event.development!r}",
                    line,
                    "data.duplicate",
                )
            return
        if isinstance(event, DevelopmentRetracted):
            current = self.existing(event.development, "data.development", line)
            if current.merged:
                held = ", ".join(repr(m.duplicate) for m in current.merged)
                raise _refuse(
                    f"{event.development!r} holds merged {held}; unmerge it first",
                    line,
                    "data.development",
                )
        if isinstance(event, DevelopmentsLinked):
            self.existing(event.from_, "data.from", line)
            self.existing(event.to, "data.to", line)
            if event.relation == "part_of":
                self._no_loop(event.from_, event.to, "data.to", line)
            return
        dev_id = getattr(event, "development", None)
        if dev_id is None:  # an actor description: nothing to check against
            return
        current = self.existing(dev_id, "data.development", line)
        allowed = TRANSITIONS.get(event.TYPE)
        if allowed and current.status not in allowed:
            raise _refuse(
                f"{dev_id!r} {STATUS_PHRASES[current.status]}; "
                f"{event.TYPE} applies to a development that is {' or '.join(allowed)}",
                line,
                "data.development",
            )
        part_of = getattr(event, "part_of", None)
        if isinstance(event, DevelopmentRevised):
            part_of = event.changes.values.part_of
        if part_of is not None:
            if part_of == dev_id:
                raise _refuse("a development cannot be part of itself", line, "data.part_of")
            self.existing(part_of, "data.part_of", line)
            self._no_loop(dev_id, part_of, "data.part_of", line)
        if current.type in NEEDS_PARTICIPANTS:
            cleared = isinstance(event, DevelopmentRevised) and (
                "participants" in event.changes.cleared or event.changes.values.participants == ()
            )
            if cleared or getattr(event, "participants", None) == ():
                field = "data.changes.participants" if cleared else "data.participants"
                raise _refuse(f"a {current.kind} needs at least one participant", line, field)
        when = getattr(event, "when", None)
        zone = getattr(event, "timezone", None) or current.timezone
        if isinstance(event, DevelopmentRevised):
            changes = event.changes
            dated = changes.values.when is not None or changes.values.timezone is not None
            # A revision of other fields leaves the date as it was accepted.
            when = (changes.values.when or current.date) if dated else None
            zone = changes.values.timezone or current.timezone
            if "timezone" in changes.cleared:  # the new date, if one comes too, with no zone
                when, zone = changes.values.when or current.date, None
        found = when_problem(when, zone)
        if found is not None:
            field, problem = found
            if isinstance(event, DevelopmentRevised) and event.changes.values.when is None:
                field = "timezone"  # the date stood until this event changed the zone
            raise _refuse(problem, line, f"data.{field}")
        self._dated_countries(event, current, line)

    def _dated_countries(self, event: Event, current: DevelopmentState, line: int | None) -> None:
        """Refuse a new date or country that leaves a former country code outside its dates."""
        if isinstance(event, DevelopmentRevised):
            given, prefix = event.changes.values.given(), "data.changes."
        elif isinstance(event, DevelopmentHeld | DevelopmentPostponed):
            names = ("when", "place", "participants")
            given = {name: getattr(event, name, None) for name in names}
            given, prefix = {k: v for k, v in given.items() if v is not None}, "data."
        else:
            return
        if not given.keys() & {"when", "place", "participants"}:
            return
        fields = {
            "place": given.get("place", current.place),
            "participants": given.get("participants", current.participants),
            "host_country": current.host_country,
            "parties": current.parties,
        }
        problem = dated_country_problem(fields, given.get("when") or current.date)
        if problem is not None:
            top = problem.field.split(".")[0].split("[")[0]
            field = f"{prefix}{problem.field}" if top in given else f"{prefix}when"
            raise _refuse(problem.message, line, field)

    def _no_loop(self, dev_id: str, parent: str, field: str, line: int | None) -> None:
        """Refuse to make *dev_id* part of *parent* when *parent* is already inside it."""
        seen = {dev_id}
        step: str | None = parent
        while step is not None and step not in seen and len(seen) < 1000:
            seen.add(step)
            state = self.state(step)
            step = state.part_of if state is not None else None
        if step == dev_id:
            raise _refuse(
                f"{parent!r} is already part of {dev_id!r}; that would make a loop",
                line,
                field,
            )

    def after(self, envelope: Envelope) -> None:
        """Keep the cached state of the stream current, folding what was just written."""
        data = envelope.data
        changes = data.get("changes") if isinstance(data.get("changes"), dict) else {}
        targets = (data.get("part_of"), data.get("announced_in"), changes.get("part_of"))
        if envelope.type == DevelopmentsLinked.TYPE:
            targets = (data["to"],)
        for target in targets:
            if target is not None:
                self.referred.setdefault(target, envelope.stream)
        if envelope.type in MERGING:
            merge_step(self.merged, envelope)
        current = self.states.get(envelope.stream)
        if envelope.type in CREATING:
            state = fold.create(envelope.type, envelope.data, recorded_at=envelope.recorded_at)
            self.remember(envelope.stream, state)
        elif current is not None:
            fold.apply(
                current,
                envelope.type,
                envelope.data,
                version=envelope.stream_version,
                recorded_at=envelope.recorded_at,
            )


def append(
    db: Database,
    submissions: Iterable[Submission],
    *,
    progress: Callable[[int], None] | None = None,
    project: bool = True,
    keep: bool = True,
) -> Outcome:
    """Append every submission and update the tables, in one transaction, or do nothing.

    A submission whose id is already in the log with the same type and data is skipped;
    with other content it is refused, as is a stale ``expected_version``, a reference to
    a development that does not exist, or a lifecycle step that its status does not allow.
    """
    log = EventLog(db)
    skipped: list[str] = []
    written: list[Envelope] = []  # what the projector folds next, as built
    with log.writing(keep=keep) as writer:
        if project:
            Projector(db).keep_anchor()  # before writing, to report the log as it is
        decider = _Decider(writer)
        for sub in submissions:
            decided = decider.decide(sub)
            if decided is None:
                skipped.append(sub.id or "")
            else:
                event, event_id, stream = decided
                if sub.older is None:
                    schema_version, data = type(event).VERSION, unstructure(event)
                else:  # a copy: the submitted line stays as it was given
                    schema_version, data = sub.older[0], dict(sub.older[1])
                if isinstance(event, DevelopmentCreated) and event.development is None:
                    data["development"] = stream  # the made id, stored as if given
                try:
                    envelope = writer.append(
                        id=event_id,
                        type=sub.type,
                        schema_version=schema_version,
                        stream=stream,
                        data=data,
                        meta=sub.meta,
                        recorded_at=sub.recorded_at,
                    )
                except InvalidEvent as exc:  # the log's own rules: say which line broke them
                    raise _refuse(exc.message, sub.line, exc.field) from None
                _check_claims(sub, envelope)
                decider.after(envelope)
                if project:  # kept for the projector, a chunk at a time
                    written.append(envelope)
                if project and len(written) >= CHUNK:
                    # Fold as we go, so memory stays flat however long the import.
                    writer.flush()
                    Projector(db).catch_up_within(envelopes=written)
                    written.clear()
            if progress is not None:
                progress(1)
        if project and writer.count:
            # In the same transaction: the tables never lag behind the log, and a failure
            # to update them leaves the log as it was.
            writer.flush()
            Projector(db).catch_up_within(envelopes=written)
    return Outcome(
        appended=writer.appended,
        skipped=skipped,
        count=writer.count,
        first_seq=writer.first_seq,
        last_seq=writer.seq if writer.count else None,
    )


def _check_claims(sub: Submission, envelope: Envelope) -> None:
    """A line from `timeline log --json` must land as it was, or say why it cannot."""
    claimed = sub.claimed
    if "stream" in claimed and claimed["stream"] != envelope.stream:
        raise _refuse(
            f"stream: the line says {claimed['stream']!r} but the event belongs to "
            f"{envelope.stream!r}",
            sub.line,
        )
    if (
        claimed.get("seq") == envelope.seq
        and "hash" in claimed
        and claimed["hash"] != envelope.hash
    ):
        raise _refuse(
            f"hash: the line's hash does not match its contents at seq {envelope.seq} "
            "(was it edited?)",
            sub.line,
        )


def import_file(
    db: Database,
    stream: IO[str] | IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
    keep: bool = True,
) -> Outcome:
    """Append a JSON Lines file atomically; *progress* gets the bytes of each line read.

    A binary stream is decoded line by line, so text that is not UTF-8 is named by its
    line. ``keep=False`` returns counts without the envelopes, for files of any size.
    """

    def lines() -> Iterator[str]:
        for number, raw in enumerate(stream, start=1):
            if progress is not None:
                progress(len(raw) if isinstance(raw, bytes) else len(raw.encode()))
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise _refuse(
                        f"not UTF-8 text ({exc.reason} at byte {exc.start + 1})", number
                    ) from None
            # A byte order mark, as some editors on Windows write first: not part of the text.
            yield raw.removeprefix(BOM) if number == 1 else raw

    return append(db, parse_lines(lines()), keep=keep)


def append_one(db: Database, submission: Submission) -> Envelope | None:
    """Append a single event; None if it was a repeat of one already in the log."""
    outcome = append(db, [submission])
    return outcome.appended[0] if outcome.appended else None


def append_reporting(db: Database, submissions: list[Submission]) -> tuple[int, list[Envelope]]:
    """Append *submissions* all or nothing; how many are new, and each one's event in the
    log in the order given (a repeat reports the event already there, as a retry needs)."""
    outcome = append(db, submissions)
    log = EventLog(db)
    given = {sub.id for sub in submissions if sub.id is not None}
    made = iter(e for e in outcome.appended if e.id not in given)  # ids the log chose
    events = []
    for sub in submissions:
        found = log.get(sub.id) if sub.id is not None else next(made)
        if found is not None:
            events.append(found)
    return outcome.count, events


def append_at(path: str, submissions: list[Submission]) -> tuple[int, list[Envelope]]:
    """:func:`append_reporting` on the database file at *path*, opened for this write
    alone: a server's request, which holds no connection of its own between writes."""
    db = open_db(path, create=False)
    try:
        return append_reporting(db, submissions)
    finally:
        db.close()


def submit(
    type_: str,
    data: dict[str, Any],
    *,
    meta: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Submission:
    """Validate an event built by a command (``timeline add``, ``revise``…)."""
    obj: dict[str, Any] = {"type": type_, "data": data, "meta": meta or {}}
    if expected_version is not None:
        obj["expected_version"] = expected_version
    return parse_submission(obj)


def development_history(
    db: Database, dev_id: str
) -> tuple[DevelopmentState | None, list[Envelope]]:
    """A development's current state and every event of its stream, oldest first."""
    history = list(EventLog(db).read(stream=dev_id))
    return fold_stream(history), history


def current_place(db: Database, dev_id: str) -> dict[str, Any] | None:
    """Where a development is recorded as held now (None if nowhere, or no such id)."""
    state, _ = development_history(db, dev_id)
    return dict(state.place) if state is not None and state.place else None


def merged_into(db: Database, dev_id: str) -> Envelope | None:
    """The DevelopmentsMerged that took *dev_id* into another development, if it stands."""
    log = EventLog(db)
    kept = merged_duplicates(log).get(dev_id)
    if kept is None:
        return None
    merges = log.read(stream=kept, types=(DevelopmentsMerged.TYPE,))
    return [e for e in merges if e.data["duplicate"] == dev_id][-1]


def parts_of(db: Database, dev_id: str) -> list[dict[str, Any]]:
    """The developments that are part of *dev_id* (a visit's meetings), in date order."""
    rows = db.execute(
        "SELECT id, kind, [when] FROM developments WHERE part_of = ? "
        "ORDER BY start IS NULL, start, id",
        [dev_id],
    )
    return [{"id": id_, "kind": kind, "when": when} for id_, kind, when in rows]


def event_count(db: Database) -> int:
    """How many events the log holds (a rebuild's length, for its progress bar)."""
    return db.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def prepare(db: Database) -> tuple[list[str], int]:
    """Make *db* ready (`timeline init`): restore any guard of the log that was dropped.

    Returns the guards restored and how many events the log holds.
    """
    from timeline.db import restore_guards

    return restore_guards(db), event_count(db)


SAMPLE = "blinken-beijing-2024-04.jsonl"
"""The bundled sample: Blinken's April 2024 visit to Beijing (`timeline demo`)."""


def import_sample(db: Database) -> Outcome:
    """Import the bundled sample into *db*; events already there are skipped."""
    from importlib.resources import files

    with files("timeline").joinpath("sample", SAMPLE).open(encoding="utf-8") as sample:
        return import_file(db, sample)
