"""Signing in as an editor: a token in, Datasette's signed actor cookie out; and out again.

The cookie is Datasette's own (``ds_actor``), so every page and permission check sees
the editor as Datasette sees any actor. It names the editor and their key, which is
checked against the editors file on every write: removing an editor signs them out.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit

from datasette.utils.asgi import Response

from timeline.datasette_plugin.access import TooLarge, editor_actor, is_editor, read_form
from timeline.renderings import timeline_databases

SIGNIN_ROUTE: Final = r"^/-/timeline-signin$"
SIGNOUT_ROUTE: Final = r"^/-/timeline-signout$"
COOKIE: Final = "ds_actor"


def _local(path: str) -> str | None:
    """*path* if it stays on this site: where to go after signing in.

    Browsers drop tabs and line breaks from a URL and read ``\\`` as ``/``, so a path
    holding any of them (``/\t/elsewhere.example``) could lead to another site.
    """
    if not path.startswith("/") or any(char <= " " or char == "\\" for char in path):
        return None
    parts = urlsplit(path)
    return path if not parts.scheme and not parts.netloc else None


async def signin_page(datasette: Any, request: Any) -> Response:
    """``/-/timeline-signin``: the token form; a good token signs the browser in."""
    error, status = None, 200
    after = _local(request.args.get("next", "")) or datasette.urls.instance()
    if request.method == "POST":
        try:
            form = {key: values[-1] for key, values in (await read_form(request)).items()}
        except TooLarge:
            return Response.text("The form is larger than a sign-in needs.", status=413)
        after = _local(form.get("next", "")) or after
        actor = editor_actor(datasette, form.get("token", "").strip())
        if actor is not None:
            response = Response.redirect(after)
            response.set_cookie(
                COOKIE, datasette.sign({"a": actor}, "actor"), httponly=True, samesite="lax"
            )
            datasette.add_message(request, f"Signed in as {actor['name']}", datasette.INFO)
            return response
        error, status = "That token is not an editor's: check it, or ask for a new one.", 401
    html = await datasette.render_template(
        "timeline_signin.html",
        {"error": error, "next": after, "editor": _editor(datasette, request.actor)},
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


def _editor(datasette: Any, actor: Any) -> str | None:
    """The signed-in editor's name (None for a visitor, another kind of actor, or an editor
    removed since they signed in)."""
    if any(is_editor(datasette, actor, name) for name in timeline_databases(datasette)):
        return str(actor["name"])
    return None
