"""The Datasette plugin: our metadata, facets and canned queries on timeline databases.

Installed with the package (entry point ``datasette: timeline``), so it works with
`timeline serve` and with a plain `datasette timeline.db` alike. Databases are recognised
by their tables at start-up; other databases served alongside are left alone.
"""

from __future__ import annotations

import re
from typing import Any

from datasette import hookimpl

from timeline.db import register_functions
from timeline.metadata import DESCRIPTION, TITLE, database_metadata

_ATTRIBUTE = "_timeline_databases"


def timeline_databases(datasette: Any) -> set[str]:
    """The names of the served databases that are timelines."""
    return getattr(datasette, _ATTRIBUTE, set())


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
        setattr(datasette, _ATTRIBUTE, found)

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


# --- renderers: .ics and .timelinejs on tables, filtered views and queries ----------------

ID_COLUMNS = ("id", "development")
_LIMIT = re.compile(r"\s+limit\s+\d+(\s+offset\s+\d+)?\s*$", re.IGNORECASE)


def can_render(columns: list[str], table: str | None = None) -> bool:
    """Any table or query with the development id column can be rendered.

    Not the log itself: its ``id`` column holds event ids, not developments.
    """
    return table != "events" and any(column in columns for column in ID_COLUMNS)


async def selected_ids(
    datasette: Any, database: str, sql: str, data: dict, *, table: str | None = None
) -> list[str]:
    """The ids of the whole selection, not only of the page Datasette shows.

    A table page's SQL ends in the page size Datasette added: that limit goes. A query's
    own SQL is kept as written, limit and all.
    """
    params = (data.get("query") or {}).get("params") or {}
    columns = data.get("columns") or []
    column = next(c for c in ID_COLUMNS if c in columns)
    inner = sql.strip()
    if table is not None:
        inner = _LIMIT.sub("", inner)
    # On lines of their own, so that a trailing `-- comment` cannot swallow the bracket.
    inner = inner.rstrip().rstrip(";")
    results = await datasette.get_database(database).execute(
        f"select [{column}] from (\n{inner}\n)", params, truncate=False
    )
    seen: dict[str, None] = {}
    for row in results.rows:
        if row[0] is not None:
            seen.setdefault(str(row[0]))
    return list(seen)


def _renderer(fmt: str, content_type: str) -> Any:
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
            return {
                "body": f"{wanted}; {found}\n",
                "status_code": 400,
                "content_type": "text/plain; charset=utf-8",
            }
        from timeline.exporting import render_records
        from timeline.selection import records_for

        try:
            ids = await selected_ids(datasette, database, sql, data, table=table)
        except Exception as exc:  # the query's own SQL failed: say so, as Datasette would
            return {
                "body": f"The .{fmt} format could not run this query: {exc}\n",
                "status_code": 400,
                "content_type": "text/plain; charset=utf-8",
            }
        db = datasette.get_database(database)
        selected = await db.execute_fn(lambda conn: list(records_for(conn, ids)))
        config = datasette.plugin_config("timeline", database=database) or {}
        name = f"{TITLE}: {query_name or table or database}"
        # SOURCE (RFC 7986): where a subscribed calendar refreshes from, this very URL.
        source = request.url if request.url.startswith(("http:", "https:")) else None
        chunks = render_records(
            selected,
            "ical" if fmt == "ics" else fmt,
            name=name,
            domain=config.get("uid_domain", "timeline.invalid"),
            source=source,
        )
        body = "".join(chunks)
        return {"body": body, "content_type": content_type}

    return render


@hookimpl
def register_output_renderer(datasette: Any) -> list[dict[str, Any]]:
    return [
        {
            "extension": "ics",
            "render": _renderer("ics", "text/calendar; charset=utf-8"),
            "can_render": can_render,
        },
        {
            "extension": "timelinejs",
            "render": _renderer("timelinejs", "application/json; charset=utf-8"),
            "can_render": can_render,
        },
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
