"""The Datasette plugin: our metadata, facets and canned queries on timeline databases.

Installed with the package (entry point ``datasette: timeline``), so it works with
`timeline serve` and with a plain `datasette timeline.db` alike. Databases are recognised
by their tables at start-up; other databases served alongside are left alone.

Settings, in Datasette's metadata (``datasette timeline.db -m metadata.yml``, or
``timeline serve -m metadata.yml``; Datasette 1.0 reads them there or in its configuration,
``-c datasette.yaml``), for every database or under one database's entry::

    plugins:
      timeline:
        max_developments: 10000

``max_developments`` (default 5,000)
    The most developments one ``.ics``, ``.timelinejs`` or ``.atom`` response, or one timeline page
    (``/-/timeline/<db>``), renders. A larger selection gets a 400 with one line saying
    how many were selected, the cap, and to filter further or raise the setting: a
    calendar is never cut short. A whole number of at least 1; anything else is a 500
    naming the setting.
``refresh_interval`` (default ``PT6H``)
    How often subscribers should reload, as an RFC 5545 duration (``PT1H``, ``P1D``): the
    ``.ics`` REFRESH-INTERVAL, and the ``max-age`` of every calendar, feed and timeline
    page. Anything else is a 500 naming the setting.
``uid_domain`` (default ``timeline.invalid``)
    The domain of the ``.ics`` UIDs (``id@domain``) and Atom entry ids, as
    ``timeline export --domain``.

What a reader sees besides: the developments table with its rows on the first screen
(``templates/table.html`` extends Datasette's own: descriptions folded and on each header,
a default facet asked for again shown once), lists shown as links to what lists them too
(``render_cell``), the retired ``country=`` refused in one line (``filters_from_request``),
and "everything between two dates" reading dates as ``timeline export`` does (the magic
parameters ``:_timeline_from`` and ``:_timeline_to``). A package, so that Datasette finds
its ``templates/``.

Each Datasette instance keeps its last few renderings (:class:`Renderings`), keyed by
the log's head and everything that shapes the output, so a repeated request renders
nothing until an event is appended; a client that holds the current one gets a 304
(``timeline.subscriptions``). The renderers serve the tables and queries of timeline
databases that name developments, and share an extension with another plugin that
offers it too (``timeline.neighbours``). What differs between Datasette 0.65 and 1.0
(where metadata goes, a renderer's arguments, permission checks) is in
``timeline.datasette_compat``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import BadRequest, NotFound, Response

from timeline.datasette_compat import (
    database_action,
    database_rules,
    page_query,
    plugin_settings,
    register_metadata,
)
from timeline.datasette_plugin import access, api, forms, signin
from timeline.db import register_functions
from timeline.exports import formats
from timeline.metadata import DESCRIPTION, DEVELOPMENT_COLUMNS, TITLE, database_metadata
from timeline.neighbours import share
from timeline.renderings import (
    DEVELOPMENTS,
    MAGIC,
    RANGE_KEYS,
    Answer,
    cached,
    can_render,
    canonical,
    development_column,
    encoded,
    ids_within,
    max_developments,
    range_bound,
    read_head,
    refresh_interval,
    refusal,
    remember_timelines,
    row_ids,
    timeline_databases,
    uid_domain,
)
from timeline.subscriptions import keep_cache_control, not_modified, validators


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
        await register_metadata(datasette, _metadata(datasette))

    return find_timelines


@hookimpl
def prepare_connection(conn: Any) -> None:
    register_functions(conn)  # casefold(), used by our canned queries


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> Any:
    """Datasette 0.65 asks for it on each request; 1.0 has no such hook (see ``startup``)."""
    return _metadata(datasette)


def _metadata(datasette: Any) -> dict[str, Any]:
    """Ours for the timeline databases, and the instance's title if it serves only those."""
    names = timeline_databases(datasette)
    if not names:
        return {}
    metadata = {"databases": {name: database_metadata() for name in names}}
    if len(datasette.databases) - ("_internal" in datasette.databases) == len(names):
        metadata.update(title=TITLE, description=DESCRIPTION)
    return metadata


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> None:
    """Refuse ``country=`` on the developments table, in one line saying what to ask instead.

    The column is gone: "country" now means every country a development involves
    (``countries``, as ``timeline export --country``), and where it was held is
    ``place_country``. Datasette would read ``country=CN`` as a filter on a column that
    does not exist and answer nothing, so a calendar subscribed to it would go silently
    empty; a 400 keeps subscribers' events and says what to ask for.
    """
    if table != DEVELOPMENTS or database not in timeline_databases(datasette):
        return None
    for key in request.args:
        if key.split("__", 1)[0] == "country":
            value = request.args.get(key)
            raise BadRequest(
                f"{key}: developments have no country column; ask for "
                f"countries__arraycontains={value} (every development {value} is involved in, "
                f"as timeline export --country) or place_country={value} (held there)"
            )
    return None


@hookimpl
def extra_template_vars(
    view_name: str, database: str | None, table: str | None, datasette: Any, request: Any
) -> Any:
    """What ``templates/table.html`` changes on a timeline's tables (nothing elsewhere).

    ``timeline_table`` on each: a facet shown once however often it is asked for.
    ``timeline_columns`` on the developments table: the page folds the column descriptions
    under one line (Datasette would list all of them above the rows, a whole screen of
    them) and shows each on its header. ``timeline_actions`` on a development's row page:
    the lifecycle forms, for those who may write.
    """
    if database not in timeline_databases(datasette):
        return {}
    if view_name == "row" and table == DEVELOPMENTS and request is not None:
        dev = tilde_decode(request.url_vars.get("pks") or "")

        async def actions() -> dict[str, Any]:
            return {"timeline_actions": await forms.actions_for(datasette, request, database, dev)}

        return actions
    if view_name != "table":
        return {}
    found: dict[str, Any] = {"timeline_table": True}
    if table == DEVELOPMENTS:
        found["timeline_columns"] = DEVELOPMENT_COLUMNS
    return found


ADD_LABEL = "Add a development or an actor"
"""The link to the write forms, among a timeline's table and database actions."""

LIST_COLUMNS = frozenset({"participants", "tags", "parties", "countries"})
"""The developments columns that hold a JSON list of names or codes."""


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """A JSON list of the developments table (or of a query's column of that name) as the
    words it lists, each a link to the developments that list it too (what its facet
    selects): ``Xi Jinping, Antony Blinken`` rather than ``["Xi Jinping", ...]``."""
    if column not in LIST_COLUMNS or table not in (DEVELOPMENTS, None):
        return None
    if database not in timeline_databases(datasette) or not isinstance(value, str):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        return None
    from markupsafe import Markup

    path = datasette.urls.table(database, DEVELOPMENTS)
    links = (
        Markup('<a href="{}">{}</a>').format(
            f"{path}?{urlencode({f'{column}__arraycontains': item})}", item
        )
        for item in items
    )
    return Markup('<span class="timeline-list">{}</span>').format(Markup(", ").join(links))


@hookimpl
def register_magic_parameters(datasette: Any) -> list[tuple[str, Any]]:
    return [(MAGIC.removeprefix("_"), _range_bound)]


def _range_bound(key: str, request: Any) -> str:
    """A canned query's ``:_timeline_from``/``:_timeline_to`` (see ``range_bound``).

    A bad range is a 400 naming the parameter, not an empty answer (nor an empty calendar).
    """
    if key not in RANGE_KEYS:
        raise KeyError(key)
    try:
        return range_bound(key, request.args)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _renderer(export: formats.Format) -> Any:
    """The ``render`` of Datasette's output renderer for *export*."""
    fmt = export.extension

    async def render(
        datasette: Any,
        database: str,
        columns: list[str],
        rows: list[Any],
        sql: str | None,
        data: dict,
        table: str | None,
        query_name: str | None,
        request: Any,
        view_name: str,
    ) -> dict[str, Any]:
        column = development_column(datasette, database, table, columns)
        if column is None:
            return Answer.text(refusal(fmt, datasette, database, table, columns), 400).as_dict()
        config = plugin_settings(datasette, "timeline", database)
        cap = max_developments(config)
        if isinstance(cap, Answer):
            return cap.as_dict()
        refresh = refresh_interval(config)
        if isinstance(refresh, Answer):
            return refresh.as_dict()
        name = f"{TITLE}: {query_name or table or database}"
        # SOURCE (RFC 7986): where a subscribed calendar refreshes from, this very URL.
        source = request.url if request.url.startswith(("http:", "https:")) else None
        domain = uid_domain(config)
        if isinstance(domain, Answer):
            return domain.as_dict()
        # A row page runs no selection SQL: its rows are the selection.
        on_row = row_ids(column, rows) if view_name == "row" else None
        params: dict[str, Any] = {}
        if on_row is None:
            try:
                query = await page_query(
                    datasette, request, data, database=database, table=table, sql=sql or ""
                )
            except ValueError as exc:
                message = f"The .{fmt} format could not run this query: {exc}"
                return Answer.text(message, 400, keep=False).as_dict()
            data, sql = {**data, "query": query}, query.get("sql") or sql
            params = query.get("params") or {}

        async def make() -> Answer:
            from timeline.exporting import render_records
            from timeline.selection import records_for

            what = f"The .{fmt} format renders"
            if on_row is not None:
                ids: list[str] | Answer = on_row
            else:
                try:
                    ids = await ids_within(
                        datasette, database, sql or "", data, table, cap, what, column=column
                    )
                except Exception as exc:  # the query's own SQL failed: say so, as Datasette would
                    message = f"The .{fmt} format could not run this query: {exc}"
                    return Answer.text(message, 400, keep=False)
            if isinstance(ids, Answer):
                return ids
            db = datasette.get_database(database)
            selected = await db.execute_fn(lambda conn: list(records_for(conn, ids)))
            chunks = render_records(
                selected, export.name, name=name, domain=domain, source=source, refresh=refresh
            )
            return Answer(await asyncio.to_thread(encoded, chunks), 200, export.content_type)

        selection = canonical({"row": on_row}) if on_row is not None else canonical(params)
        key = (fmt, table, query_name, sql, selection, name, source, domain, cap, refresh)
        head = await read_head(datasette, database)
        found = None if head is None else validators(head, (database, *key), refresh)
        if found is not None and not_modified(request.headers, found):
            return {"body": b"", "status_code": 304, "headers": found.headers(marked=True)}
        answer = (await cached(datasette, database, key, make, head)).as_dict()
        if found is not None and answer["status_code"] == 200:
            answer["headers"] = found.headers(marked=True)
        return answer

    render.timeline_format = export.name  # type: ignore[attr-defined]
    return render


def _is_ours(renderer: dict[str, Any]) -> bool:
    return getattr(renderer.get("render"), "timeline_format", None) is not None


@hookimpl
def register_output_renderer(datasette: Any) -> list[dict[str, Any]]:
    return [
        {"extension": export.extension, "render": _renderer(export), "can_render": can_render}
        for export in formats.renderers()
    ]


@hookimpl(hookwrapper=True, specname="register_output_renderer")
def share_extensions(datasette: Any) -> Any:
    """Share ``.ics`` (or any of our extensions) with a plugin that offers it too."""
    outcome = yield
    outcome.force_result(share(outcome.get_result(), _is_ours))


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    return keep_cache_control  # the renderers' Cache-Control, in place of Datasette's


# --- the timeline page: /-/timeline/{database}, linked from the developments table ------


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    from timeline.timeline_page import ROUTE

    return [
        (ROUTE, _timeline_page),
        (api.ROUTE, api.post_events),
        (forms.ADD_ROUTE, forms.add_page),
        (forms.ACTION_ROUTE, forms.action_page),
        (signin.SIGNIN_ROUTE, signin.signin_page),
        (signin.SIGNOUT_ROUTE, signin.signout),
    ]


async def _timeline_page(datasette: Any, request: Any) -> Response:
    """The timeline page, with the lifecycle forms in its details for those who may write."""
    from timeline.timeline_page import timeline_page

    return await timeline_page(datasette, request, actions_of=forms.page_actions)


@hookimpl
def table_actions(datasette: Any, actor: Any, database: str, table: str, request: Any) -> Any:
    """The timeline page, calendar and feed of the rows shown; "Add" for those who may write."""
    from timeline.timeline_page import table_action

    links = table_action(datasette, database, table, request)
    if links is None:
        return None

    async def with_writing() -> list[dict[str, str]]:
        if await access.can_append(datasette, actor, database):
            add = access.write_path(datasette, database, "add")
            return [*links, {"href": add, "label": ADD_LABEL}]
        return links

    return with_writing


# --- writing: editors, the permission, the API and the forms (timeline.editors) ----------


@hookimpl
def database_actions(datasette: Any, actor: Any, database: str, request: Any) -> Any:
    """ "Add a development or an actor" on a timeline's database page, for who may write."""
    if database not in timeline_databases(datasette):
        return None

    async def adding() -> list[dict[str, str]]:
        if await access.can_append(datasette, actor, database):
            return [{"href": access.write_path(datasette, database, "add"), "label": ADD_LABEL}]
        return []

    return adding


@hookimpl
def actor_from_request(datasette: Any, request: Any) -> dict[str, str] | None:
    """An editor's token as a Bearer header is that editor (other tokens: not ours to say)."""
    token = access.bearer(request)
    return access.editor_actor(datasette, token) if token else None


@hookimpl
def permission_allowed(datasette: Any, actor: Any, action: str, resource: Any) -> bool | None:
    """``timeline-append``: granted to a database's editors and to whom ``allow_append``
    lets in; otherwise left to other plugins (None), so that they can grant it too."""
    if action != access.APPEND or not isinstance(resource, str):
        return None
    return True if access.may_append(datasette, actor, resource) else None


@hookimpl
def register_actions(datasette: Any) -> list[Any]:
    """Datasette 1.0: ``timeline-append``, an action on a database."""
    return [database_action(access.APPEND, access.APPEND_DESCRIPTION)]


@hookimpl
def permission_resources_sql(datasette: Any, actor: Any, action: str) -> Any:
    """Datasette 1.0: ``timeline-append`` as :func:`permission_allowed` grants it, and
    Datasette's own write API refused on every timeline, whoever the actor."""
    names = sorted(timeline_databases(datasette))
    if action == access.APPEND:
        granted = [name for name in names if access.may_append(datasette, actor, name)]
        return database_rules([(name, True, "a timeline editor") for name in granted])
    if action in access.WRITE_API:
        reason = "a timeline's tables change only by appending events"
        return database_rules([(name, False, reason) for name in names], tables_too=True)
    return None


@hookimpl
def menu_links(datasette: Any, actor: Any, request: Any) -> list[dict[str, str]] | None:
    """Sign in (when a timeline here has editors) or out, in Datasette's menu."""
    path = str(datasette.urls.path("/-/timeline-signin"))
    names = timeline_databases(datasette)
    if any(access.is_editor(datasette, actor, name) for name in names):
        return [{"href": path, "label": f"Signed in as {actor['name']}: sign out"}]
    here = request.full_path if request is not None else ""
    path = f"{path}?{urlencode({'next': here})}" if here else path
    signed_out = actor is None or (isinstance(actor, dict) and access.ACTOR_KEY in actor)
    if signed_out and any(
        (found := access.editors_of(datasette, name)) is not None and found.editors()
        for name in names
    ):
        return [{"href": path, "label": "Sign in to edit"}]
    return None


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
    """The row page of a development merged into another sends the reader to the kept one,
    with a message saying where it went (``.json`` and the other formats too).

    The duplicate has no row (it left the tables as a retraction does), so Datasette finds
    no record; the ``merges`` table says where it went.
    """
    url_vars = getattr(request, "url_vars", None) or {}
    database, pks = url_vars.get("database"), url_vars.get("pks")
    if not isinstance(exception, NotFound) or url_vars.get("table") != DEVELOPMENTS or not pks:
        return None
    try:
        db = datasette.get_database(route=database)
    except KeyError:
        return None
    if db.name not in timeline_databases(datasette):
        return None

    async def redirect() -> Any:
        found = await db.execute(
            "SELECT development, reason FROM merges WHERE duplicate = ?", [pks]
        )
        row = found.first()
        if row is None:
            return None
        kept, reason = row
        where = datasette.urls.row(db.name, DEVELOPMENTS, kept, format=url_vars.get("format"))
        response = Response.redirect(str(where))
        message = f"{pks} was merged into {kept}: {reason}"
        response.set_cookie("ds_messages", datasette.sign([[message, datasette.INFO]], "messages"))
        return response

    return redirect
