"""Loading stored events and folding a development's stream into its current state.

Shared by the projector, which folds whole streams into rows, and the service, which folds
a stream to decide on the next event; `verify` loads every event through here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import cattrs

from events import state as fold
from events.base import Event
from events.codec import describe_error, from_row
from events.developments import DevelopmentCreated
from events.registry import UnknownEventType
from events.state import DevelopmentState
from timeline.envelope import Envelope
from timeline.errors import LogDamaged


def fold_stream(
    envelopes: Iterable[Envelope], known: Mapping[int, Event] | None = None
) -> DevelopmentState | None:
    """Fold a development stream's events, oldest first, into its current state.

    *known* maps ``seq`` to events already built (by the append that wrote them), which
    are then not read back from their stored form.
    """
    current: DevelopmentState | None = None
    for envelope in envelopes:
        event = (known or {}).get(envelope.seq) or stored_event(envelope)
        if isinstance(event, DevelopmentCreated):
            current = fold.create(event, recorded_at=envelope.recorded_at)
        elif current is not None:
            fold.apply(
                current, event, version=envelope.stream_version, recorded_at=envelope.recorded_at
            )
    return current


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
