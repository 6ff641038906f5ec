"""Who may write: editors' tokens as Datasette actors, and the ``timeline-append`` permission.

Writing is one Datasette permission, ``timeline-append`` on a database, so that whatever
authenticates people on an instance can grant it: our editors (their token as a Bearer
header, or the signed cookie the sign-in page sets), any actor that the plugin setting
``allow_append`` (a Datasette allow block) matches, or another plugin's own
``permission_allowed``. Nothing grants Datasette's own write API on a timeline: the
tables are the log's projection, written only by appending events.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from timeline.datasette_compat import allowed_on_database, plugin_settings
from timeline.editors import Editor, EditorsFile, default_path, is_ours, served_editors
from timeline.renderings import timeline_databases

APPEND: Final = "timeline-append"
"""The permission to append events to a timeline database."""
APPEND_DESCRIPTION: Final = "Append events to a timeline's log (the write forms and the events API)"
WRITE_API: Final = (
    "insert-row",
    "update-row",
    "delete-row",
    "create-table",
    "create-view",
    "alter-table",
    "set-column-type",
    "drop-table",
    "drop-view",
    "execute-write-sql",
)
"""Datasette 1.0's own write actions, refused on a timeline: its tables are the log's
projection, and only appending events changes them."""
ACTOR_KEY: Final = "timeline_editor"
"""The actor's entry holding the editor's key, checked against the file on every request."""
EDITOR_ID: Final = "timeline-editor:"
"""What an editor's actor id starts with (the key follows): no other actor's id."""

_FILES = "_timeline_editors_files"


def editors_of(datasette: Any, database: str) -> EditorsFile | None:
    """The editors file of a served timeline database (None for one without a file on disk).

    The plugin setting ``editors`` names it; else `timeline serve --editors`; else it is
    the database's path with ``.editors.json`` added.
    """
    if database not in timeline_databases(datasette):
        return None
    path = getattr(datasette.get_database(database), "path", None)
    if not path:
        return None
    named = plugin_settings(datasette, "timeline", database).get("editors") or served_editors().get(
        os.path.abspath(path)
    )
    chosen = Path(named) if named else default_path(path)
    files: dict[Path, EditorsFile] = datasette.__dict__.setdefault(_FILES, {})
    if chosen not in files:
        files[chosen] = EditorsFile(chosen)
    return files[chosen]


def bearer(request: Any) -> str | None:
    """The request's ``Authorization: Bearer`` token, if it sends one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def editor_actor(datasette: Any, token: str) -> dict[str, str] | None:
    """The actor of the editor whose token this is, in any served timeline database."""
    if not is_ours(token):
        return None  # another plugin's token, or Datasette's own: not for us to judge
    for database in sorted(timeline_databases(datasette)):
        found = editors_of(datasette, database)
        editor = found.find(token) if found is not None else None
        if editor is not None:
            return actor_of(editor)
    return None


def actor_of(editor: Editor) -> dict[str, str]:
    """An editor as a Datasette actor: an id of their own kind, never another's.

    Datasette and its plugins grant by ``id`` (``root``, an allow block's ``{"id":
    "alice"}``); an editor called "root" or "alice" must not be taken for them, so the id
    is ``timeline-editor:`` and the key, and the name (what the log records, and what
    Datasette shows) is apart.
    """
    return {"id": f"{EDITOR_ID}{editor.key}", "name": editor.name, ACTOR_KEY: editor.key}


def is_editor(datasette: Any, actor: Any, database: str) -> bool:
    """Whether *actor* is, right now, an editor of *database* (a removed one is not)."""
    if not isinstance(actor, dict) or not isinstance(actor.get(ACTOR_KEY), str):
        return False
    if actor.get("id") != f"{EDITOR_ID}{actor[ACTOR_KEY]}":
        return False
    found = editors_of(datasette, database)
    return found is not None and found.current(str(actor.get("name")), actor[ACTOR_KEY])


def allowed_by_setting(datasette: Any, actor: Any, database: str) -> bool:
    """Whether the plugin setting ``allow_append`` (a Datasette allow block) lets *actor* write."""
    from datasette.utils import actor_matches_allow

    allow = plugin_settings(datasette, "timeline", database).get("allow_append")
    return allow is not None and bool(actor) and actor_matches_allow(actor, allow)


def read_only(datasette: Any, database: str) -> str | None:
    """Why nothing may be written to *database* as Datasette serves it, if nothing may.

    An immutable file (``-i``, a snapshot's read replica) is one Datasette trusts never to
    change; a database in memory has no log on disk.
    """
    db = datasette.get_database(database)
    if not getattr(db, "path", None):
        return f"{database} is not a file: nothing can be written to it"
    if not db.is_mutable:
        return f"{database} is served read-only (immutable): write where the log is kept"
    return None


async def can_append(datasette: Any, actor: Any, database: str) -> bool:
    """Whether *actor* may append to *database* now: the permission, on a file we can write."""
    if database not in timeline_databases(datasette) or not isinstance(actor, dict):
        return False
    if not isinstance(actor.get("id"), str | int) or read_only(datasette, database) is not None:
        return False
    return await allowed_on_database(datasette, actor, APPEND, database)


def recorded_by(actor: dict[str, Any]) -> str:
    """The name the log records for what *actor* writes: an editor's name, else the id."""
    return str(actor["name"] if ACTOR_KEY in actor else actor["id"])


def database_of(datasette: Any, request: Any) -> str | None:
    """The timeline database a ``/-/timeline/<database>/…`` path names (its route, tilde-
    encoded), or None when no served timeline has that route."""
    from datasette.utils import tilde_decode

    try:
        name = datasette.get_database(route=tilde_decode(request.url_vars["database"])).name
    except KeyError:
        return None
    return name if name in timeline_databases(datasette) else None


def write_path(datasette: Any, database: str, *parts: str) -> str:
    """The path of one of our write pages for *database* (``add``, ``events``...)."""
    from urllib.parse import quote

    from datasette.utils import tilde_encode

    route = tilde_encode(datasette.get_database(database).route)
    rest = "/".join(quote(part, safe="") for part in parts)
    return str(datasette.urls.path(f"/-/timeline/{route}/{rest}"))


def may_append(datasette: Any, actor: Any, database: str) -> bool:
    """What this plugin grants: an editor of *database*, or an actor ``allow_append`` lets in."""
    return is_editor(datasette, actor, database) or allowed_by_setting(datasette, actor, database)


class TooLarge(Exception):
    """A request's body is over the limit its reader was given."""


async def read_body(request: Any, limit: int) -> bytes:
    """The request's body, refused (:class:`TooLarge`) as soon as it passes *limit* bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    while True:
        message = await request.receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


FORM_LIMIT: Final = 1024 * 1024
"""The largest form taken: 1 MiB is far more than a development's fields."""


async def read_form(request: Any, limit: int = FORM_LIMIT) -> dict[str, list[str]]:
    """A posted form's fields, each with every value given (checkboxes repeat a name)."""
    from urllib.parse import parse_qsl

    body = (await read_body(request, limit)).decode("utf-8", errors="replace")
    found: dict[str, list[str]] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        found.setdefault(key, []).append(value)
    return found
