"""The Datasette plugin: our metadata, facets and canned queries on timeline databases.

Installed with the package (entry point ``datasette: timeline``), so it works with
`timeline serve` and with a plain `datasette timeline.db` alike. Databases are recognised
by their tables at start-up; other databases served alongside are left alone.

Settings, in Datasette's metadata (``datasette timeline.db -m metadata.yml``, or
``timeline serve -m metadata.yml``), for every database or under one database's entry::

    plugins:
      timeline:
        max_developments: 10000

``max_developments`` (default 5,000)
    The most developments one ``.ics`` or ``.timelinejs`` response, or one timeline page
    (``/-/timeline/<db>``), renders. A larger selection gets a 400 with one line saying
    how many were selected, the cap, and to filter further or raise the setting: a
    calendar is never cut short. A whole number of at least 1; anything else is a 500
    naming the setting.
``uid_domain`` (default ``timeline.invalid``)
    The domain of the ``.ics`` UIDs (``id@domain``), as ``timeline export --domain``.

Each Datasette instance keeps its last few renderings (:class:`Renderings`), keyed by
the log's head and everything that shapes the output, so a repeated request renders
nothing until an event is appended.
"""

from __future__ import annotations

import asyncio
from typing import Any

from datasette import hookimpl

from exports import formats
from timeline.db import register_functions
from timeline.metadata import DESCRIPTION, TITLE, database_metadata
from timeline.renderings import (
    ID_COLUMNS,
    Answer,
    cached,
    can_render,
    canonical,
    encoded,
    ids_within,
    max_developments,
    remember_timelines,
    timeline_databases,
)


@hookimpl
def startup(datasette: Any) -> Any:
    async def find_timelines() -> None:
        found = set()
        for name, database in datasette.databases.items():
            if name.startswith("_"):
                continue
            tables = set(await database.table_names())
            if {"events", "developments"} <= tables:
                found.add(name)
        remember_timelines(datasette, found)

    return find_timelines


@hookimpl
def prepare_connection(conn: Any) -> None:
    register_functions(conn)  # casefold(), used by our canned queries


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> Any:
    names = timeline_databases(datasette)
    if not names:
        return {}
    metadata = {"databases": {name: database_metadata() for name in names}}
    if len(datasette.databases) - ("_internal" in datasette.databases) == len(names):
        metadata.update(title=TITLE, description=DESCRIPTION)
    return metadata


def _renderer(export: formats.Format) -> Any:
    """The ``render`` of Datasette's output renderer for *export*."""
    fmt = export.extension

    async def render(
        datasette: Any,
        database: str,
        columns: list[str],
        sql: str,
        data: dict,
        table: str | None,
        query_name: str | None,
        request: Any,
    ) -> dict[str, Any]:
        if not can_render(columns, table):
            wanted = f"The .{fmt} format needs a development id column ({' or '.join(ID_COLUMNS)})"
            found = (
                "the events table's id is an event id; use the developments table"
                if table == "events"
                else f"this result has: {', '.join(columns)}"
            )
            return Answer.text(f"{wanted}; {found}", 400).as_dict()
        config = datasette.plugin_config("timeline", database=database) or {}
        cap = max_developments(config)
        if isinstance(cap, Answer):
            return cap.as_dict()
        name = f"{TITLE}: {query_name or table or database}"
        # SOURCE (RFC 7986): where a subscribed calendar refreshes from, this very URL.
        source = request.url if request.url.startswith(("http:", "https:")) else None
        domain = config.get("uid_domain", "timeline.invalid")
        params = (data.get("query") or {}).get("params") or {}

        async def make() -> Answer:
            from timeline.exporting import render_records
            from timeline.selection import records_for

            what = f"The .{fmt} format renders"
            try:
                ids = await ids_within(datasette, database, sql, data, table, cap, what)
            except Exception as exc:  # the query's own SQL failed: say so, as Datasette would
                message = f"The .{fmt} format could not run this query: {exc}"
                return Answer.text(message, 400, keep=False)
            if isinstance(ids, Answer):
                return ids
            db = datasette.get_database(database)
            selected = await db.execute_fn(lambda conn: list(records_for(conn, ids)))
            chunks = render_records(selected, export.name, name=name, domain=domain, source=source)
            return Answer(await asyncio.to_thread(encoded, chunks), 200, export.content_type)

        key = (fmt, table, query_name, sql, canonical(params), name, source, domain, cap)
        return (await cached(datasette, database, key, make)).as_dict()

    return render


@hookimpl
def register_output_renderer(datasette: Any) -> list[dict[str, Any]]:
    return [
        {"extension": export.extension, "render": _renderer(export), "can_render": can_render}
        for export in formats.renderers()
    ]


# --- the timeline page: /-/timeline/{database}, linked from the developments table ------


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    from timeline.timeline_page import ROUTE, timeline_page

    return [(ROUTE, timeline_page)]


@hookimpl
def table_actions(
    datasette: Any, actor: Any, database: str, table: str, request: Any
) -> list[dict[str, str]] | None:
    from timeline.timeline_page import table_action

    return table_action(datasette, database, table, request)
