"""Sharing a file extension with other Datasette plugins (datasette-ics, datasette-atom).

Datasette keeps one output renderer per extension: of two plugins offering ``.ics``,
the one registered first would win, and the other's tables would get its 400. So the
plugin merges the renderers of an extension that it shares into one (a wrapper of the
``register_output_renderer`` hook), which hands each result to the plugin that serves it:

1. a neighbour whose ``can_render`` accepts the result: its column contract names it
   (``… as event_name, … as event_dtstart`` asks for datasette-ics);
2. ours, for the tables and queries of a timeline database that name developments;
3. else the first neighbour, which answers as it would alone (its own 400).

A format link is offered wherever either renderer can render.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from datasette.utils import await_me_maybe

__all__ = ["share"]


def share(
    results: Iterable[dict[str, Any] | list[dict[str, Any]]],
    is_ours: Callable[[dict[str, Any]], bool],
) -> list[dict[str, Any]]:
    """The renderers of every plugin, one per extension that ours shares with others."""
    renderers: list[dict[str, Any]] = []
    for result in results:
        renderers.extend(result if isinstance(result, list) else [result])
    ours = {r["extension"]: r for r in renderers if is_ours(r)}
    others: dict[str, list[dict[str, Any]]] = {}
    for renderer in renderers:
        if not is_ours(renderer) and renderer["extension"] in ours:
            others.setdefault(renderer["extension"], []).append(renderer)
    shared = []
    for renderer in renderers:
        extension = renderer["extension"]
        if extension not in others:
            shared.append(renderer)
        elif renderer is ours[extension]:
            shared.append(_merged(renderer, others[extension]))
    return shared


def _render_of(renderer: dict[str, Any]) -> Callable[..., Any]:
    # "callback" is the name Datasette before 0.43 used; it still reads it.
    return renderer.get("render") or renderer["callback"]


async def _call(fn: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """Call *fn* with the arguments it names, as Datasette calls renderers."""
    wanted = inspect.signature(fn).parameters
    return await await_me_maybe(fn(**{name: arguments[name] for name in wanted}))


async def _claims(renderer: dict[str, Any], arguments: dict[str, Any]) -> bool:
    """Whether a neighbour's own ``can_render`` accepts the result (no such test: no)."""
    can_render = renderer.get("can_render")
    return can_render is not None and bool(await _call(can_render, arguments))


def _merged(ours: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """One renderer for an extension that ours and *others* offer."""

    async def choose(arguments: dict[str, Any]) -> dict[str, Any]:
        for other in others:
            if await _claims(other, arguments):
                return other
        if await _call(ours["can_render"], arguments):
            return ours
        return others[0]

    async def can_render(
        datasette: Any,
        columns: list[str],
        rows: list[Any],
        sql: str | None,
        query_name: str | None,
        database: str,
        table: str | None,
        request: Any,
        view_name: str,
    ) -> bool:
        arguments = {
            "datasette": datasette,
            "columns": columns,
            "rows": rows,
            "sql": sql,
            "query_name": query_name,
            "database": database,
            "table": table,
            "request": request,
            "view_name": view_name,
        }
        if await _call(ours["can_render"], arguments):
            return True
        for other in others:
            if other.get("can_render") is None or await _claims(other, arguments):
                return True
        return False

    async def render(
        datasette: Any,
        columns: list[str],
        rows: list[Any],
        sql: str | None,
        query_name: str | None,
        database: str,
        table: str | None,
        request: Any,
        view_name: str,
        data: dict[str, Any],
    ) -> Any:
        arguments = {
            "datasette": datasette,
            "columns": columns,
            "rows": rows,
            "sql": sql,
            "query_name": query_name,
            "database": database,
            "table": table,
            "request": request,
            "view_name": view_name,
        }
        chosen = await choose(arguments)
        # As Datasette 0.65 calls a renderer: with the page's data, and `args` of old.
        every = {**arguments, "data": data, "args": request.args}
        return await _call(_render_of(chosen), every)

    return {"extension": ours["extension"], "render": render, "can_render": can_render}
