"""Printing what the service returns: JSON, JSON Lines and plain text for people."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from timeline.envelope import Envelope
from timeline.events.state import DevelopmentState, disputed_text
from timeline.events.vocabulary import PARTICIPANT_FIELDS, PLACE_FIELDS, SOURCE_FIELDS

# What ends a line (str.splitlines breaks at each of these) or drives a terminal: C0 and
# C1 controls, DEL, and the Unicode line and paragraph separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    return _NAMED.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def one_line(text: str) -> str:
    """*text* with line breaks and control characters escaped (``\\n``, ``\\x85``…).

    Summaries and quotes may hold line breaks, and a log read from a file may hold
    anything: printed raw, one event could print lines that look like others.
    """
    return _UNPRINTABLE.sub(_escape, text)


def dumps(value: Any) -> str:
    """JSON as printed by the CLI: one line, non-ASCII kept readable."""
    return json.dumps(value, ensure_ascii=False)


def appended_json(envelope: Envelope) -> dict[str, Any]:
    """The JSON object `append` and `add` print with ``--json``."""
    return {
        "seq": envelope.seq,
        "id": envelope.id,
        "stream": envelope.stream,
        "stream_version": envelope.stream_version,
        "development": None if envelope.stream.startswith("actor:") else envelope.stream,
    }


def appended_text(envelope: Envelope) -> str:
    """One line for people: the new seq, the event id and what it is about."""
    what = (
        f"actor {envelope.stream.removeprefix('actor:')}"
        if envelope.stream.startswith("actor:")
        else f"development {envelope.stream}"
    )
    return one_line(f"seq {envelope.seq}  event {envelope.id}  {what}")


def state_json(state: DevelopmentState) -> dict[str, Any]:
    """A development's current state as plain JSON values."""
    date = state.date
    out: dict[str, Any] = {
        "id": state.id,
        "kind": state.kind,
        "type": state.type,
        "title": state.title,
        "status": "retracted" if state.retracted else state.status,
        "when": state.when,
        "start": date.start_iso() if date else None,
        "end": date.end_iso() if date else None,
        "precision": date.precision if date else None,
        "qualifier": date.qualifier if date else None,
        "last_when": state.last_when,
        "timezone": state.timezone,
        "summary": state.summary,
        "place": _in_order(state.place, PLACE_FIELDS) if state.place else None,
        "participants": [_in_order(p, PARTICIPANT_FIELDS) for p in state.participants],
        "sources": [_in_order(s, SOURCE_FIELDS) for s in state.sources],
        "tags": list(state.tags),
        "part_of": state.part_of,
        "links": [{"relation": link.relation, "to": link.to} for link in state.links],
        "merged": [
            {
                "duplicate": merge.duplicate,
                "reason": merge.reason,
                "version": merge.version,
                "disputed": [dict(d) for d in merge.disputed],
            }
            for merge in state.merged
        ],
        "status_reason": state.status_reason,
        "version": state.version,
        "created_at": state.created_at,
        "updated_at": state.updated_at,
    }
    out.update({k: list(v) if isinstance(v, tuple) else v for k, v in state.own_fields().items()})
    return out


def _in_order(stored: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """A stored object (keys sorted) with its keys in the order its type lists them."""
    return {key: stored[key] for key in keys if key in stored}


def _person(p: dict[str, Any]) -> str:
    details = ", ".join(x for x in (p.get("role"), p.get("country")) if x)
    return f"{p['name']} ({details})" if details else p["name"]


def merged_json(merge: Envelope) -> dict[str, Any]:
    """Where a merged duplicate went: the kept development, the merge's seq and reason."""
    return {"into": merge.stream, "seq": merge.seq, "reason": merge.data["reason"]}


def state_text(
    state: DevelopmentState,
    history: list[Envelope],
    parts: Iterable[Mapping[str, Any]] = (),
    merged_into: Envelope | None = None,
) -> str:
    """The current state, what is part of it, and its history, for reading in a terminal.

    Each field is one line, whatever its text holds (see :func:`one_line`). A duplicate
    merged into another development says so first, and shows its own fields as they were.
    """
    s = state_json(state)
    status = "merged" if merged_into is not None and not state.retracted else s["status"]
    lines = [f"{s['id']}  ({s['kind']}, {status}, version {s['version']})"]
    if merged_into is not None:
        into = merged_json(merged_into)
        lines.append(
            f"  merged into:  {into['into']}  (seq {into['seq']}: {into['reason']}); "
            f"see timeline show {into['into']}"
        )

    def row(label: str, value: Any) -> None:
        if value not in (None, "", [], ()):
            lines.append(f"  {label + ':':<14}{value}")

    row("title", s["title"])
    if s["when"]:
        if s["end"] is None:
            span = f"from {s['start']} on, the end not known"
        elif s["start"] == s["end"]:
            span = s["start"]
        else:
            span = f"{s['start']} to {s['end']}"
        qualifier = f", {s['qualifier']}" if s["qualifier"] else ""
        row("when", f"{s['when']}  ({s['precision']}{qualifier}: {span})")
    elif s["last_when"]:
        row("when", f"unknown (postponed; it was {s['last_when']})")
    else:
        row("when", "unknown")
    row("timezone", s["timezone"])
    if s["place"]:
        place = s["place"]
        words = [str(place[k]) for k in PLACE_FIELDS if k not in ("lat", "lon") and place.get(k)]
        row("place", ", ".join(words))
    row("participants", "; ".join(_person(p) for p in s["participants"]))
    for key in ("visitor", "host_country", "speaker", "announced_in", "parties"):
        value = s.get(key)
        row(key.replace("_", " "), ", ".join(value) if isinstance(value, list) else value)
    if s.get("quote"):
        row("quote", f"“{s['quote']}”")
    for i, point in enumerate(s.get("points") or [], start=1):
        row(f"point {i}", point)
    row("summary", s["summary"])
    row("part of", s["part_of"])
    for part in parts:
        row("has part", f"{part['id']}  ({part['kind']}, {part['when'] or 'date unknown'})")
    row("links", "; ".join(f"{link['relation']} {link['to']}" for link in s["links"]))
    row("tags", ", ".join(s["tags"]))
    for source in s["sources"]:
        row("source", source["url"])
    for merge in state.merged:
        row("merged", f"{merge.duplicate}  ({merge.reason})")
        for disputed in merge.disputed:
            row("disputed", disputed_text(disputed))
    row("reason", s["status_reason"])
    lines.append("  history:")
    for e in history:
        lines.append(f"    seq {e.seq:<6} {e.recorded_at}  {e.type}  {gist(e)}".rstrip())
    return "\n".join(map(one_line, lines))


def gist(envelope: Envelope) -> str:
    """What an event says, in a few words: its title, new date, relation or reason.

    Every type says something, so no line of the log or of a history is left blank.
    """
    data, type_ = envelope.data, envelope.type
    reason = f": {data['reason']}" if data.get("reason") else ""
    if type_ == "DevelopmentHeld":
        return f"took place {data['when']}" if data.get("when") else "took place"
    if type_ == "DevelopmentPostponed":
        to = f"to {data['when']}" if data.get("when") else "new date not known"
        return f"postponed, {to}{reason}"
    if type_ == "DevelopmentCancelled":
        return f"cancelled{reason}"
    if type_ == "DevelopmentsLinked":
        return f"{data['relation']} {data['to']}"
    if type_ == "DevelopmentsMerged":
        said = "".join(f"; {disputed_text(d)}" for d in data.get("disputed", ()))
        return f"merged {data['duplicate']}{reason}{said}"
    if type_ == "DevelopmentsUnmerged":
        return f"unmerged {data['duplicate']}{reason}"
    return data.get("title") or data.get("reason") or data.get("name") or ""


def log_text(envelope: Envelope) -> str:
    """One line of `timeline log` for people, whatever the event's text holds."""
    return one_line(
        f"{envelope.seq:>6}  {envelope.recorded_at}  {envelope.type:<20}  {envelope.stream}  "
        f"{gist(envelope)}"
    )
