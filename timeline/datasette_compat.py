"""What differs between the Datasette releases the plugin supports: 0.65 and the 1.0 alphas.

Each function here asks the running Datasette what it can do (feature detection, never
its version number) and does the one thing the plugin needs in that release's way:

- **Metadata and table settings.** 0.65 asks plugins for metadata on every request (the
  ``get_metadata`` hook), and reads titles, descriptions, facets, search, sorting and
  canned queries from it. 1.0 has no such hook: descriptions live in its internal
  database (``set_*_metadata``), table settings in its configuration
  (``datasette.config``), and queries in its internal ``queries`` table
  (``add_query``). :func:`register_metadata` writes there once, at start-up.
- **Plugin settings.** 1.0 reads them from its configuration, where a database's own
  entry (which our table settings create) hides the top-level ones: :func:`plugin_settings`
  falls back to those as 0.65 does.
- **A renderer's selection.** 0.65 hands a renderer the page's SQL with its parameters
  (``data["query"]``); 1.0 the SQL alone. :func:`page_query` finds the parameters: a
  query's from the address, as Datasette reads them, a table page's by asking Datasette
  for the same page as JSON with its query (its filters make them).
- **Permissions.** 0.65 checks a list of ``(action, resource)`` pairs; 1.0 checks one
  action on a resource object, its database and the instance included. A plugin's own
  action (``timeline-append``) is granted on 0.65 by answering ``permission_allowed`` for
  one actor and database; 1.0 asks for rows of SQL naming the databases an actor may act
  on (:func:`database_rules`), and lists the action (:func:`database_action`).

Whatever the user set (``metadata.yml``, ``datasette.yaml``, an editing plugin) wins over
ours in both: 0.65 merges local metadata over the hook's, and here nothing already set
is overwritten.
"""

from __future__ import annotations

import json
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode

__all__ = [
    "allowed_on_database",
    "ask_as",
    "database_action",
    "database_rules",
    "ensure_can_view_table",
    "page_query",
    "plugin_settings",
    "register_metadata",
]

TABLE_SETTINGS: Final = frozenset(
    {
        "hidden",
        "sort",
        "sort_desc",
        "size",
        "sortable_columns",
        "label_column",
        "facets",
        "facet_size",
        "fts_table",
        "fts_pk",
        "searchmode",
    }
)
"""The keys of a table's entry that Datasette 1.0 reads from its configuration, not its
metadata (Datasette's own list, plus ``facet_size``, which its facets read from there too)."""


async def register_metadata(datasette: Any, metadata: dict[str, Any]) -> None:
    """Give a Datasette 1.0 *metadata* in the shape 0.65's ``get_metadata`` returns
    (``title``, ``description``, ``databases`` with their ``tables``, ``columns`` and
    ``queries``), leaving alone anything already set; nothing on 0.65, which asks the hook.
    """
    if not hasattr(datasette, "set_database_metadata"):
        return  # 0.65: the get_metadata hook answers
    instance = await datasette.get_instance_metadata()
    for key, value in metadata.items():
        if key != "databases" and key not in instance:
            await datasette.set_instance_metadata(key, _text(value))
    for name, database in (metadata.get("databases") or {}).items():
        await _register_database(datasette, name, database)


async def _register_database(datasette: Any, name: str, database: dict[str, Any]) -> None:
    known = await datasette.get_database_metadata(name)
    for key, value in database.items():
        if key not in ("tables", "queries") and key not in known:
            await datasette.set_database_metadata(name, key, _text(value))
    for table, entry in (database.get("tables") or {}).items():
        settings = {key: value for key, value in entry.items() if key in TABLE_SETTINGS}
        if settings:
            tables = datasette.config.setdefault("databases", {}).setdefault(name, {})
            configured = tables.setdefault("tables", {}).setdefault(table, {})
            for key, value in settings.items():
                configured.setdefault(key, value)
        known = await datasette.get_resource_metadata(name, table)
        for key, value in entry.items():
            if key not in TABLE_SETTINGS and key != "columns" and key not in known:
                await datasette.set_resource_metadata(name, table, key, _text(value))
        for column, description in (entry.get("columns") or {}).items():
            if "description" not in await datasette.get_column_metadata(name, table, column):
                await datasette.set_column_metadata(name, table, column, "description", description)
    for query, entry in (database.get("queries") or {}).items():
        existing = await datasette.get_query(name, query)
        if existing is not None and existing.source != "plugin":
            continue  # the user's own query of that name
        await datasette.add_query(
            name,
            query,
            entry["sql"],
            title=entry.get("title"),
            description=entry.get("description"),
            parameters=entry.get("params"),
            # As a configured query: whoever may see it may run it (0.65's canned queries).
            is_trusted=True,
            source="plugin",
        )


def _text(value: Any) -> str:
    """A metadata value as Datasette 1.0 stores it: text, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def plugin_settings(datasette: Any, plugin: str, database: str) -> dict[str, Any]:
    """*plugin*'s settings for *database*: its own entry's, else the instance's, else none.

    Datasette 1.0 does not fall back to the instance's when the database has an entry of
    its own in the configuration without settings for the plugin.
    """
    return (
        datasette.plugin_config(plugin, database=database) or datasette.plugin_config(plugin) or {}
    )


async def ensure_can_view_table(datasette: Any, actor: Any, database: str, table: str) -> None:
    """Raise Forbidden unless *actor* may see *table* (and so its database and the instance)."""
    if hasattr(datasette, "ensure_permission"):
        from datasette.resources import TableResource

        await datasette.ensure_permission(
            action="view-table", resource=TableResource(database=database, table=table), actor=actor
        )
        return
    await datasette.ensure_permissions(
        actor, [("view-table", (database, table)), ("view-database", database), "view-instance"]
    )


async def allowed_on_database(datasette: Any, actor: Any, action: str, database: str) -> bool:
    """Whether *actor* may do *action* on *database* (nobody may unless something grants it)."""
    if hasattr(datasette, "allowed"):
        from datasette.resources import DatabaseResource

        resource = DatabaseResource(database=database)
        return bool(await datasette.allowed(action=action, resource=resource, actor=actor))
    return bool(await datasette.permission_allowed(actor, action, resource=database, default=False))


def database_action(name: str, description: str) -> Any:
    """Datasette 1.0's description of an action on a database (its ``register_actions``)."""
    from datasette.permissions import Action
    from datasette.resources import DatabaseResource

    return Action(name=name, description=description, resource_class=DatabaseResource)


def database_rules(rules: list[tuple[str, bool, str]], *, tables_too: bool = False) -> Any:
    """Datasette 1.0's answer to ``permission_resources_sql``: one row per ``(database,
    allow, reason)``; with *tables_too*, the same rule on each of the database's tables, so
    that no rule set on a table (more specific, so stronger) overrides it. None for none."""
    from datasette.permissions import PermissionSQL

    if not rules:
        return None
    selects, params = [], {}
    for n, (database, allow, reason) in enumerate(rules):
        params.update({f"timeline_db_{n}": database, f"timeline_reason_{n}": reason})
        row = f":timeline_reason_{n} AS reason"
        selects.append(
            f"SELECT :timeline_db_{n} AS parent, NULL AS child, {int(allow)} AS allow, {row}"
        )
        if tables_too:
            selects.append(
                f"SELECT database_name AS parent, table_name AS child, {int(allow)} AS allow, "
                f"{row} FROM catalog_tables WHERE database_name = :timeline_db_{n}"
            )
    return PermissionSQL(sql="\nUNION ALL\n".join(selects), params=params)


FORWARDED: Final = ("cookie", "authorization")
"""The request headers that say who asks, passed on when the plugin asks Datasette itself."""


async def ask_as(datasette: Any, request: Any, path: str) -> Any:
    """Datasette's own answer for *path*, asked as whoever made *request* (their cookie and
    token), so that it grants and refuses what it would grant and refuse them."""
    headers = {name: value for name, value in request.headers.items() if name in FORWARDED}
    return await datasette.client.get(path, headers=headers)


async def page_query(
    datasette: Any,
    request: Any,
    data: dict[str, Any],
    *,
    database: str,
    table: str | None,
    sql: str,
) -> dict[str, Any]:
    """The SQL and parameters (``{"sql": ..., "params": {...}}``) of the selection a
    renderer renders: the page's, but from its first row (a renderer renders the whole
    selection, so a ``_next`` that pages the table is left out); raise ValueError with
    Datasette's words if they cannot be found."""
    paged = table is not None and "_next" in request.args
    if data.get("query") and not paged:
        return data["query"]  # 0.65
    if table is None:
        from datasette.utils import derive_named_parameters

        params = {key: request.args.get(key) for key in request.args}
        for name in await derive_named_parameters(datasette.get_database(database), sql):
            if not name.startswith("_"):  # magic parameters are resolved where they are used
                params.setdefault(name, "")
        return {"sql": sql, "params": params}
    # The same arguments, so the same SQL; facets and counts are not needed.
    args = [a for a in parse_qsl(request.query_string, keep_blank_values=True) if a[0] != "_next"]
    args += [("_extra", "query"), ("_nofacet", "1"), ("_nocount", "1")]
    path = datasette.urls.table(database, table, format="json") + "?" + urlencode(args)
    answer = await ask_as(datasette, request, path)
    found = answer.json() if answer.status_code == 200 else {}
    if not found.get("query"):
        raise ValueError(found.get("error") or f"Datasette answered {answer.status_code}")
    return found["query"]
