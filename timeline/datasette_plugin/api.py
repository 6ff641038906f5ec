"""``POST /-/timeline/<database>/events``: append events over HTTP, as `timeline import` does.

The body is one event as `timeline append` takes it (``{"type": ..., "data": ...}``) or
JSON Lines of them, appended all or nothing through the same service as the command
line: the same validation, the same one-line errors naming the field and the line, the
same ``expected_version`` and idempotency rules. Answers, as JSON:

- 201 ``{"events": [{"seq", "id", "stream", "stream_version", "development"}, ...],
  "appended": N}``, every event of the body in its order, each as `timeline append --json`
  prints it (one already in the log is reported as it is);
- 200, the same, when every event was already in the log (a retry);
- 400 ``{"error": ...}``: the body is not events, or one is refused (field and line named);
- 401: no token, or one that is no editor's; 403: an actor without ``timeline-append``
  on this database, or a database served read-only;
- 409: an ``expected_version`` that is not the stream's version (saying what it is), or
  an event id already in the log with other content;
- 413: a body over :data:`MAX_BODY` bytes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any, Final

from datasette.utils.asgi import Response

from timeline import service
from timeline.datasette_plugin.access import (
    EDITOR_ID,
    TooLarge,
    bearer,
    can_append,
    database_of,
    editor_actor,
    read_body,
    read_only,
    recorded_by,
)
from timeline.db import file_error
from timeline.editors import is_ours
from timeline.errors import DuplicateEvent, TimelineError, VersionConflict
from timeline.output import appended_json

ROUTE: Final = r"^/-/timeline/(?P<database>[^/]+)/events$"
MAX_BODY: Final = 10 * 1024 * 1024
"""The largest body taken: 10 MiB, tens of thousands of events (import larger files with
`timeline import` on the machine that holds the log)."""
BUSY: Final = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
"""SQLite's answers for a database another writer holds: worth a retry (503)."""
MISSING: Final = "send an editor's token as Authorization: Bearer TOKEN"


def error(message: str, status: int, **headers: str) -> Response:
    """One line saying what is wrong, as JSON."""
    return Response.json({"error": message}, status=status, headers=headers or None)


async def post_events(datasette: Any, request: Any) -> Response:
    """Append the events in the body for the requesting editor; see the module's docstring."""
    database = database_of(datasette, request)
    if database is None:
        return error(f"{request.url_vars['database']}: no timeline database is served here", 404)
    if request.method != "POST":
        return error("send events with POST", 405, Allow="POST")
    actor, token = request.actor, bearer(request)
    if token is not None and is_ours(token):  # the token says who, whatever cookie comes too
        actor = editor_actor(datasette, token)
    elif token is not None and str((actor or {}).get("id", "")).startswith(EDITOR_ID):
        # A token nothing recognised, beside an editor's sign-in cookie: the request says it
        # is authorised by the token (and so skips the forms' CSRF check), which is no one's.
        actor = None
    if actor is None:
        why = "the token is not an editor's" if token else MISSING
        return error(why, 401, **{"WWW-Authenticate": 'Bearer realm="timeline"'})
    if not await can_append(datasette, actor, database):
        why = read_only(datasette, database)
        return error(why or f"{recorded_by(actor)} may not append events to {database}", 403)
    try:
        body = await read_body(request, MAX_BODY)
    except TooLarge:
        return error(f"the body is larger than {MAX_BODY} bytes: send fewer events at once", 413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return error(f"not UTF-8 text ({exc.reason} at byte {exc.start + 1})", 400)
    path, writer = datasette.get_database(database).path, recorded_by(actor)

    def write() -> tuple[int, list[Any]]:  # parsing too: off the server's event loop
        return service.append_at(path, service.parse_body(text, recorded_by=writer))

    try:
        appended, events = await asyncio.to_thread(write)
    except (VersionConflict, DuplicateEvent) as exc:
        return error(str(exc), 409)
    except TimelineError as exc:
        return error(str(exc), 400)
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in BUSY:  # held past the busy timeout
            return error(f"the database is busy, try again: {exc}", 503, **{"Retry-After": "1"})
        return error(str(file_error(path, exc)), 500)
    answer = {"events": [appended_json(e) for e in events], "appended": appended}
    return Response.json(answer, status=201 if appended else 200)
