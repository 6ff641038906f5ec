"""The Datasette plugin: our metadata, facets and canned queries on timeline databases.

Installed with the package (entry point ``datasette: timeline``), so it works with
`timeline serve` and with a plain `datasette timeline.db` alike. Databases are recognised
by their tables at start-up; other databases served alongside are left alone.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

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
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> Any:
    names = timeline_databases(datasette)
    if not names:
        return {}
    metadata = {"databases": {name: database_metadata() for name in names}}
    if len(datasette.databases) - ("_internal" in datasette.databases) == len(names):
        metadata.update(title=TITLE, description=DESCRIPTION)
    return metadata
