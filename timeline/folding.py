"""Loading stored events and folding a development's stream into its current state.

Shared by the projector, which folds whole streams into rows, and the service, which folds
a stream to decide on the next event; `verify` loads every event through here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import cattrs

from timeline.envelope import Envelope
from timeline.errors import LogDamaged
from timeline.events import state as fold
from timeline.events.base import Event
from timeline.events.codec import describe_error, from_row
from timeline.events.lifecycle import DevelopmentsMerged, DevelopmentsUnmerged
from timeline.events.registry import UnknownEventType, registry
from timeline.events.state import CREATING, DevelopmentState
from timeline.log import EventLog

MERGING = (DevelopmentsMerged.TYPE, DevelopmentsUnmerged.TYPE)
"""The event types that change a second development, the duplicate, besides their stream's."""


def fold_stream(envelopes: Iterable[Envelope]) -> DevelopmentState | None:
    """Fold a development stream's events, oldest first, into its current state.

    The events are folded in their stored form. One that does not fit the fold (which
    the log refuses on append, so it was written by something else and re-hashed to pass
    the chain) raises LogDamaged naming its seq and what is wrong with it.
    """
    current: DevelopmentState | None = None
    for envelope in envelopes:
        data = stored_data(envelope)
        try:
            if envelope.type in CREATING:
                current = fold.create(envelope.type, data, recorded_at=envelope.recorded_at)
            elif current is not None:
                fold.apply(
                    current,
                    envelope.type,
                    data,
                    version=envelope.stream_version,
                    recorded_at=envelope.recorded_at,
                )
        except (KeyError, TypeError, ValueError, AttributeError):
            stored_event(envelope)  # names what is wrong, field by field
            raise
    return current


def stored_data(envelope: Envelope) -> dict[str, Any]:
    """An envelope's payload brought up to the current version of its type."""
    try:
        return registry.upcast(envelope.type, envelope.schema_version, envelope.data)
    except UnknownEventType as exc:
        raise LogDamaged(f"the stored event cannot be read: {exc}", seq=envelope.seq) from None


def stored_event(envelope: Envelope) -> Event:
    """The event an envelope holds; LogDamaged naming its seq if it cannot be loaded.

    The log refuses such events when they are appended, so one found here was written
    by something else (and re-hashed to pass the chain): `verify` names it as well.
    """
    try:
        return from_row(envelope.type, envelope.schema_version, envelope.data)
    except UnknownEventType as exc:
        raise LogDamaged(f"the stored event cannot be read: {exc}", seq=envelope.seq) from None
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        raise LogDamaged(
            f"the stored {envelope.type} does not fit its type: {describe_error(exc)}",
            seq=envelope.seq,
        ) from None


def merged_duplicates(log: EventLog, *, until_seq: int | None = None) -> dict[str, str]:
    """Each development merged into another and not unmerged since: duplicate -> kept.

    A merge lives in the kept development's stream, so the duplicate's own stream does not
    say it was merged: this reads the merges and unmerges of the whole log (through the
    index on ``type``: a handful of events, however long the log).
    """
    merged: dict[str, str] = {}
    for envelope in log.read(types=MERGING, until_seq=until_seq):
        merge_step(merged, envelope)
    return merged


def merge_step(merged: dict[str, str], envelope: Envelope) -> None:
    """Apply one merge or unmerge to *merged* (duplicate -> kept): a merge points the
    duplicate at the development kept; an unmerge undoes the merge it names, no other."""
    duplicate = envelope.data["duplicate"]
    if envelope.type == DevelopmentsMerged.TYPE:
        merged[duplicate] = envelope.stream
    elif merged.get(duplicate) == envelope.stream:
        del merged[duplicate]
