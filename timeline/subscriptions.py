"""Answers that calendar apps and feed readers can poll cheaply: validators and a lifetime.

Every ``.ics``, ``.timelinejs`` and ``.atom`` answer and every timeline page carries:

- an ``ETag`` made of the log's head (its last seq and hash, as ``timeline head`` prints
  them), the seq the tables were folded up to, and a digest of everything else that
  shapes the answer (format, selection, URL, settings): it changes exactly when the
  answer may;
- a ``Last-Modified``: when the log recorded the last event the tables hold;
- ``Cache-Control: max-age`` equal to the calendar's ``REFRESH-INTERVAL`` (the
  ``refresh_interval`` setting, 6 hours by default).

A request whose ``If-None-Match`` names the current ETag, or (without one) whose
``If-Modified-Since`` is not before Last-Modified, gets a 304 with no body and nothing
rendered (RFC 9110 13.1.2 and 13.1.3). HTTP dates count whole seconds, so two events
recorded within one second are told apart by the ETag alone, which clients prefer.

Datasette gives every 200 from a renderer its own ``Cache-Control`` (the
``default_cache_ttl`` setting); the renderers name theirs in :data:`MARK`, and
:func:`keep_cache_control`, installed through the ``asgi_wrapper`` hook, puts it in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Final

import attrs

from timeline.renderings import Head

__all__ = ["MARK", "Validators", "keep_cache_control", "not_modified", "validators"]

MARK: Final = "x-timeline-cache-control"
"""The header a renderer's own Cache-Control travels in, past Datasette's."""
_MARK: Final = MARK.encode("latin-1")


@attrs.frozen
class Validators:
    """What one answer is validated by, and for how long a client may keep it."""

    etag: str
    """A strong entity tag, quotes included."""
    last_modified: dt.datetime | None
    """When the log recorded the last event the answer reflects (None for an empty log)."""
    max_age: int
    """Seconds a client may keep the answer without asking again."""
    private: bool = False
    """An answer made for one signed-in person (a page with write links): no shared cache
    may keep it for others."""

    def headers(self, *, marked: bool = False) -> dict[str, str]:
        """The response headers; *marked* for a renderer's answer (see :data:`MARK`)."""
        lifetime = f"{'private, ' if self.private else ''}max-age={self.max_age}"
        found = {"ETag": self.etag, "Cache-Control": lifetime}
        if self.last_modified is not None:
            found["Last-Modified"] = format_datetime(self.last_modified, usegmt=True)
        if marked:
            found[MARK] = found.pop("Cache-Control")
        return found


def validators(head: Head, key: tuple, refresh: str, *, private: bool = False) -> Validators:
    """The validators of the answer for *key* with the log and tables at *head*, kept for
    *refresh* (the calendar's REFRESH-INTERVAL); *private* for one person's answer."""
    from timeline.exports.ical import duration_seconds

    shape = json.dumps([list(attrs.astuple(head)), list(key)], default=str)
    digest = hashlib.sha256(shape.encode("utf-8")).hexdigest()[:16]
    etag = f'"{head.seq or 0}-{(head.hash or "")[:16]}-{head.position or 0}-{digest}"'
    return Validators(etag, _instant(head.recorded_at), duration_seconds(refresh), private)


def not_modified(headers: Mapping[str, str], found: Validators) -> bool:
    """Whether the client's copy is current: a 304 instead of the answer.

    ``If-None-Match`` decides when present (weak comparison, ``*`` matches); otherwise
    ``If-Modified-Since``, to the second; an unreadable date is ignored, as RFC 9110 says.
    """
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or found.etag in tags
    since = headers.get("if-modified-since")
    if since is None or found.last_modified is None:
        return False
    try:
        client = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if client.tzinfo is None:  # a date without "GMT" is not an HTTP-date
        return False
    return found.last_modified.replace(microsecond=0) <= client


def _instant(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


Asgi = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Any]


def keep_cache_control(app: Asgi) -> Asgi:
    """The app, with a renderer's own Cache-Control (:data:`MARK`) put in place of Datasette's."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers") or []
                ours = [value for name, value in headers if name.lower() == _MARK]
                if ours:
                    kept = [
                        (name, value)
                        for name, value in headers
                        if name.lower() not in (_MARK, b"cache-control")
                    ]
                    message = {**message, "headers": [*kept, (b"cache-control", ours[-1])]}
            await send(message)

        await app(scope, receive, sending)

    return wrapped
