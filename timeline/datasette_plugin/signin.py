"""Signing in as an editor: a token in, Datasette's signed actor cookie out; and out again.

The cookie is Datasette's own (``ds_actor``), so every page and permission check sees
the editor as Datasette sees any actor. It names the editor and their key, which is
checked against the editors file on every write: removing an editor signs them out.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import parse_qsl

from datasette.utils.asgi import Response

from timeline.datasette_plugin.access import ACTOR_KEY, editor_actor

SIGNIN_ROUTE: Final = r"^/-/timeline-signin$"
SIGNOUT_ROUTE: Final = r"^/-/timeline-signout$"
COOKIE: Final = "ds_actor"


def _local(path: str) -> str | None:
    """*path* if it stays on this site (no ``//host`` or scheme): where to go after."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None


async def _form(request: Any) -> dict[str, str]:
    body = (await request.post_body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


async def signin_page(datasette: Any, request: Any) -> Response:
    """``/-/timeline-signin``: the token form; a good token signs the browser in."""
    error, status = None, 200
    after = _local(request.args.get("next", "")) or datasette.urls.instance()
    if request.method == "POST":
        form = await _form(request)
        after = _local(form.get("next", "")) or after
        actor = editor_actor(datasette, form.get("token", "").strip())
        if actor is not None:
            response = Response.redirect(after)
            response.set_cookie(
                COOKIE, datasette.sign({"a": actor}, "actor"), httponly=True, samesite="lax"
            )
            datasette.add_message(request, f"Signed in as {actor['id']}", datasette.INFO)
            return response
        error, status = "That token is not an editor's: check it, or ask for a new one.", 401
    html = await datasette.render_template(
        "timeline_signin.html",
        {"error": error, "next": after, "editor": _editor(request.actor)},
        request=request,
    )
    return Response.html(html, status=status)


async def signout(datasette: Any, request: Any) -> Response:
    """``POST /-/timeline-signout``: forget the browser's actor (a GET shows the button)."""
    if request.method != "POST":
        return Response.redirect(str(datasette.urls.path("/-/timeline-signin")))
    response = Response.redirect(datasette.urls.instance())
    response.set_cookie(COOKIE, "", expires=0, max_age=0)
    datasette.add_message(request, "Signed out", datasette.INFO)
    return response


def _editor(actor: Any) -> str | None:
    """The signed-in editor's name (None for a visitor or another kind of actor)."""
    if isinstance(actor, dict) and ACTOR_KEY in actor:
        return str(actor.get("id"))
    return None
