"""The timeline page in Datasette: ``/-/timeline/{database}``, drawn by ``exports.html``.

The page shows what the developments table shows for the same query string (column
filters, ``_search``, ``_where``, facet selections), all of it rather than one page: it
asks Datasette for that table page's SQL, then runs it without its limit, as the
``.ics`` renderer does. Arguments that only shape the table page (``_next``, ``_size``,
``_facet``, ``_col``, …) are dropped. The developments come in export order, so the page
of an unfiltered table is byte for byte ``timeline export html``.

Hooked in by ``timeline.datasette_plugin`` (``register_routes`` and ``table_actions``);
what it shares with the renderers is in ``timeline.renderings``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode

from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response

from timeline.datasette_compat import ask_as, ensure_can_view_table, plugin_settings
from timeline.metadata import TITLE
from timeline.renderings import (
    Answer,
    cached,
    canonical,
    encoded,
    ids_within,
    max_developments,
    read_head,
    refresh_interval,
    timeline_databases,
)
from timeline.subscriptions import not_modified, validators

__all__ = [
    "ROUTE",
    "TABLE",
    "page_filters",
    "selection_args",
    "table_action",
    "timeline_page",
    "timeline_url",
]

ROUTE: Final = r"^/-/timeline/(?P<database>[^/]+)$"
TABLE: Final = "developments"
LABEL: Final = "Timeline view"
CALENDAR_LABEL: Final = "Subscribe in a calendar app (webcal)"
FEED_LABEL: Final = "Atom feed of new and changed developments"
_PAGE_ARGS: Final = frozenset(
    {
        "_next",
        "_size",
        "_shape",
        "_col",
        "_nocol",
        "_facet",
        "_facet_array",
        "_facet_date",
        "_facet_size",
        "_labels",
        "_nolabels",
        "_json",
        "_json_infinity",
        "_trace",
        "_nofacet",
        "_nocount",
        "_nosuggest",
        "_stream",
        "_dl",
        "_timelimit",
        "_ttl",
        "_extra",
    }
)
"""Table page arguments that change how rows are shown, not which rows."""
_ORDER_ARGS: Final = frozenset({"_sort", "_sort_desc"})
_SORTED: Final = re.compile(r"\s*sorted by .*$", re.DOTALL)


_PRESETS: Final = {
    "kind": "kind",
    "kind__exact": "kind",
    "status": "status",
    "status__exact": "status",
    "countries__arraycontains": "country",
    "tags__arraycontains": "tag",
    "participants__arraycontains": "actor",
}
"""Table page arguments that are one of the page's own filters, and which."""


def page_filters(args: list[tuple[str, str]]) -> dict[str, str]:
    """The page's filters that *args* (a table page's selection) set, each set once:
    ``countries__arraycontains=CN`` starts the page's Country list at China."""
    named = [(_PRESETS[key], value) for key, value in args if key in _PRESETS and value]
    once = {name for name, _value in named if sum(n == name for n, _v in named) == 1}
    return {name: value for name, value in named if name in once}


def selection_args(query_string: str) -> list[tuple[str, str]]:
    """The arguments of a table page's query string that choose its rows, in order."""
    pairs = parse_qsl(query_string or "", keep_blank_values=True)
    return [(key, value) for key, value in pairs if key not in _PAGE_ARGS]


def timeline_url(datasette: Any, database: str, query_string: str = "") -> str:
    """The path of the timeline page for *database*, keeping the table's row selection."""
    route = datasette.get_database(database).route
    path = datasette.urls.path(f"/-/timeline/{tilde_encode(route)}")
    args = urlencode(selection_args(query_string))
    return f"{path}?{args}" if args else str(path)


def table_action(
    datasette: Any, database: str, table: str, request: Any
) -> list[dict[str, str]] | None:
    """The links of a timeline database's developments table, for the rows it shows, else None.

    The timeline page, the calendar to subscribe to (``webcal://``, which calendar apps
    open as a subscription rather than a one-off import) and the Atom feed of changes.
    """
    if table != TABLE or database not in timeline_databases(datasette):
        return None
    query_string = request.query_string if request is not None else ""
    links = [{"href": timeline_url(datasette, database, query_string), "label": LABEL}]
    if request is not None:
        calendar = datasette.absolute_url(
            request, export_url(datasette, database, "ics", query_string)
        )
        links.append({"href": webcal(calendar), "label": CALENDAR_LABEL})
    feed = export_url(datasette, database, "atom", query_string)
    links.append({"href": feed, "label": FEED_LABEL})
    return links


def export_url(datasette: Any, database: str, extension: str, query_string: str = "") -> str:
    """The path of the developments table as *extension*, keeping the table's row selection."""
    path = datasette.urls.table(database, TABLE, format=extension)
    args = urlencode(selection_args(query_string))
    return f"{path}?{args}" if args else str(path)


def webcal(url: str) -> str:
    """The ``webcal://`` form of an http(s) URL, which calendar apps subscribe to."""
    return "webcal://" + url.split("://", 1)[1]


async def timeline_page(
    datasette: Any,
    request: Any,
    actions_of: Callable[[Any, Any, str], Awaitable[dict[str, Any] | None]] | None = None,
) -> Response:
    """The HTML timeline of the developments the table page with this query string lists.

    404 for a database that is not a timeline; the table page's own error (a bad filter,
    a ``_where`` the actor may not run) is passed on with its status; a selection over
    the ``max_developments`` setting is a 400 saying so. Pages are cached with the
    renderers' answers, after the permission checks and the table page's own request.
    *actions_of* says where the lifecycle forms are for this reader, if they may write:
    their page links to them, and is theirs alone (``Cache-Control: private``).
    """
    from timeline.exports import html

    try:
        db = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    except KeyError:
        db = None
    if db is None or db.name not in timeline_databases(datasette):
        raise NotFound("No timeline database here")
    await ensure_can_view_table(datasette, request.actor, db.name, TABLE)
    config = plugin_settings(datasette, "timeline", db.name)
    cap = max_developments(config)
    if isinstance(cap, Answer):
        return _response(cap)
    refresh = refresh_interval(config)
    if isinstance(refresh, Answer):
        return _response(refresh)
    args = selection_args(request.query_string)
    # One row is enough: what we need is the page's SQL and parameters, and its words for
    # the filters (which Datasette 1.0 gives only when asked for, and 0.65 always).
    extra = [("_size", "1"), ("_nofacet", "1"), ("_nocount", "1"), ("_nosuggest", "1")]
    extra += [("_extra", "query"), ("_extra", "human_description_en")]
    path = datasette.urls.table(db.name, TABLE, format="json") + "?" + urlencode(args + extra)
    answer = await ask_as(datasette, request, path)
    data = answer.json() if _is_json(answer) else {}
    if answer.status_code != 200 or "query" not in data:
        message = data.get("error") or answer.text or "The developments table did not answer"
        return Response.text(f"{message}\n", status=answer.status_code)
    sql, title = data["query"]["sql"], _title(data, args)
    actions = None if actions_of is None else await actions_of(datasette, request, db.name)

    async def make() -> Answer:
        from timeline.selection import records_for

        ids = await ids_within(
            datasette, db.name, sql, data, TABLE, cap, "The timeline page shows", column="id"
        )
        if isinstance(ids, Answer):
            return ids
        selected = await db.execute_fn(
            lambda conn: sorted(records_for(conn, ids), key=_export_order)
        )
        page = html.render(selected, title=title, filters=page_filters(args), actions=actions)
        body = await asyncio.to_thread(encoded, page)
        return Answer(body, 200, "text/html; charset=utf-8")

    writing = None if actions is None else canonical(actions)
    key = ("page", sql, canonical(data["query"].get("params") or {}), title, cap, writing)
    head = await read_head(datasette, db.name)
    private = actions is not None
    found = None if head is None else validators(head, (db.name, *key), refresh, private=private)
    if found is not None and not_modified(request.headers, found):
        return Response(b"", status=304, headers=found.headers())
    answer = await cached(datasette, db.name, key, make, head)
    return _response(answer, found.headers() if found and answer.status == 200 else None)


def _response(answer: Answer, headers: dict[str, str] | None = None) -> Response:
    return Response(
        answer.body, status=answer.status, content_type=answer.content_type, headers=headers
    )


def _export_order(record: Mapping[str, Any]) -> tuple[bool, str, str]:
    """The order of ``timeline export``: by date, unknown dates last, then by id."""
    start = record.get("start")
    return (start is None, start or "", record.get("id") or "")


def _title(data: Mapping[str, Any], args: list[tuple[str, str]]) -> str:
    """The export's title, followed by Datasette's own words for the filters if any."""
    if all(key in _ORDER_ARGS for key, _value in args):
        return TITLE
    described = _SORTED.sub("", data.get("human_description_en") or "").strip()
    return f"{TITLE}: {described}" if described else TITLE


def _is_json(answer: Any) -> bool:
    return answer.headers.get("content-type", "").startswith("application/json")
