"""What the plugin's renderers and the timeline page share: which served databases are
timelines, which developments a Datasette page or query selects, the cap on one response,
and the cache of renderings.

Below both ``timeline.datasette_plugin`` (the hooks) and ``timeline.timeline_page`` (the
page), so that neither imports the other. The settings are described in the plugin.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Final

import attrs

_ATTRIBUTE = "_timeline_databases"


def timeline_databases(datasette: Any) -> set[str]:
    """The names of the served databases that are timelines."""
    return getattr(datasette, _ATTRIBUTE, set())


def remember_timelines(datasette: Any, names: set[str]) -> None:
    """Record which served databases are timelines (found at start-up)."""
    setattr(datasette, _ATTRIBUTE, names)


# --- the range of a canned query, as `timeline export --from/--to` reads it ---------------

MAGIC: Final = "_timeline"
"""The prefix of our magic parameters: ``:_timeline_from`` and ``:_timeline_to``."""
RANGE_KEYS: Final = ("from", "to")


def range_bound(key: str, args: Any) -> str:
    """``:_timeline_from`` or ``:_timeline_to``: the first or last day of the range that
    ``from`` and ``to`` in *args* give, read as ``timeline export --from/--to`` reads them.

    An empty bound is open (a form's field left empty). Raise ValueError naming the
    parameter for a date that does not parse, or a range that ends before it starts
    (which would answer nothing at all).
    """
    from timeline.selection import date_range

    start, end = (args.get(key) or None for key in RANGE_KEYS)
    first, last = date_range(start, end, names=RANGE_KEYS)
    # Open bounds: every start is at most 9999-12-31 (accepted years are 1 to 9999).
    return (first or "") if key == "from" else (last or "9999-12-31")


# --- bounded work per request: a cap on one response, a cache of renderings -------------

MAX_DEVELOPMENTS: Final = 5_000
"""The default of the ``max_developments`` setting."""
CACHE_ENTRIES: Final = 8
CACHE_BYTES: Final = 64 * 1024 * 1024
"""What one Datasette keeps of its renderings: this many, this many bytes of bodies in all
(the newest is kept whatever its size, so that repeating it costs nothing)."""
_RENDERINGS = "_timeline_renderings"
# Read before rendering: a rendering is at least as new as the head it is filed under.
# The tables' position too, in case they were behind the log when it was read.
# Last, when the log recorded the last event the tables hold (for Last-Modified).
_HEAD_SQL = """
SELECT (SELECT seq FROM events ORDER BY seq DESC LIMIT 1),
  (SELECT hash FROM events ORDER BY seq DESC LIMIT 1),
  (SELECT position FROM _projector_state WHERE name = 'tables'),
  (SELECT recorded_at FROM events WHERE seq <= (
     SELECT position FROM _projector_state WHERE name = 'tables') ORDER BY seq DESC LIMIT 1)
"""


@attrs.frozen
class Answer:
    """One response of a renderer or of the timeline page, as kept in the cache."""

    body: bytes
    status: int
    content_type: str
    keep: bool = True
    """False for an answer that may change without a new event (a query that failed)."""

    @classmethod
    def text(cls, line: str, status: int, *, keep: bool = True) -> Answer:
        """A one-line plain-text answer."""
        return cls(f"{line}\n".encode(), status, "text/plain; charset=utf-8", keep)

    def as_dict(self) -> dict[str, Any]:
        """The answer as an output renderer returns it."""
        return {"body": self.body, "status_code": self.status, "content_type": self.content_type}


def max_developments(config: dict[str, Any]) -> int | Answer:
    """The cap on developments per response, or a 500 naming a setting that is not one."""
    value = config.get("max_developments", MAX_DEVELOPMENTS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return Answer.text(
            "The timeline plugin's max_developments setting must be a whole number of at "
            f"least 1, not {value!r}",
            500,
            keep=False,
        )
    return value


def refresh_interval(config: dict[str, Any]) -> str | Answer:
    """How often subscribers reload (the ``refresh_interval`` setting, an RFC 5545
    duration such as ``PT1H``), or a 500 naming a setting that is not one."""
    from timeline.exports.ical import REFRESH, duration_seconds

    value = config.get("refresh_interval", REFRESH)
    try:
        if not isinstance(value, str) or duration_seconds(value) < 1:
            raise ValueError
    except ValueError:
        return Answer.text(
            "The timeline plugin's refresh_interval setting must be an RFC 5545 duration "
            f"of at least one second such as PT6H or PT30M, not {value!r}",
            500,
            keep=False,
        )
    return value


def uid_domain(config: dict[str, Any]) -> str | Answer:
    """The domain of UIDs and entry ids (the ``uid_domain`` setting), or a 500 naming a
    setting that is no domain name (a UID a subscriber keeps would break on it)."""
    from timeline.exports._words import check_domain

    value = config.get("uid_domain", "timeline.invalid")
    try:
        return check_domain(value)
    except ValueError as exc:
        return Answer.text(f"The timeline plugin's uid_domain setting: {exc}", 500, keep=False)


def too_many(what: str, selected: int, cap: int) -> Answer:
    """The 400 for a selection over the cap: a calendar cut short would mislead."""
    return Answer.text(
        f"{what} at most {cap:,} developments and this selection has {selected:,}: "
        "filter it further, or raise the timeline plugin's max_developments setting",
        400,
    )


def encoded(chunks: Any) -> bytes:
    """The UTF-8 body of an export's chunks (run in a worker thread: it takes a while)."""
    return "".join(chunks).encode("utf-8")


class Renderings:
    """The last few answers of one Datasette instance, each made once however many ask.

    Used only from the server's event loop: no lock is needed, and none is held across
    an ``await`` except through the future that requests arriving meanwhile wait on.
    """

    def __init__(self, *, entries: int = CACHE_ENTRIES, budget: int = CACHE_BYTES) -> None:
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._making: dict[Hashable, asyncio.Future[None]] = {}
        self._entries = entries
        self._budget = budget
        self._bytes = 0

    async def get(self, key: Hashable, make: Callable[[], Awaitable[Answer]]) -> Answer:
        """The answer kept under *key*, else the one *make* gives (kept if it may be)."""
        while True:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
                return answer
            making = self._making.get(key)
            if making is None:
                break
            # Another request is making it; shielded, so that our going away leaves it be.
            await asyncio.shield(making)
        done = asyncio.get_running_loop().create_future()
        self._making[key] = done
        try:
            answer = await make()
        finally:
            del self._making[key]
            done.set_result(None)
        if answer.keep:
            self._keep(key, answer)
        return answer

    def _keep(self, key: Hashable, answer: Answer) -> None:
        old = self._answers.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._answers[key] = answer
        self._bytes += len(answer.body)
        while len(self._answers) > 1 and (
            len(self._answers) > self._entries or self._bytes > self._budget
        ):
            _key, dropped = self._answers.popitem(last=False)
            self._bytes -= len(dropped.body)


def renderings(datasette: Any) -> Renderings:
    """This Datasette's renderings (made on first use: a plugin keeps no global state)."""
    found = getattr(datasette, _RENDERINGS, None)
    if found is None:
        found = Renderings()
        setattr(datasette, _RENDERINGS, found)
    return found


@attrs.frozen
class Head:
    """Where the log and the tables of one database stand: what every answer depends on."""

    seq: int | None
    """The log's last seq (None for an empty log)."""
    hash: str | None
    """The hash of the log's last event."""
    position: int | None
    """The seq the tables were folded up to."""
    recorded_at: str | None
    """When the log recorded the last event the tables hold (UTC, ISO 8601)."""


async def read_head(datasette: Any, database: str) -> Head | None:
    """Where *database* stands now; None for tables of another shape (nothing to key on)."""
    try:
        results = await datasette.get_database(database).execute(_HEAD_SQL)
    except Exception:
        return None
    return Head(*results.first())


async def cached(
    datasette: Any,
    database: str,
    key: tuple,
    make: Callable[[], Awaitable[Answer]],
    head: Head | None,
) -> Answer:
    """The answer for *key* at *head* (read before), made only if not kept; None: made anew."""
    if head is None:
        return await make()
    return await renderings(datasette).get((database, *key, *attrs.astuple(head)), make)


def canonical(params: dict[str, Any]) -> str:
    """Query parameters as one string, the same for the same parameters in any order."""
    return json.dumps(params, sort_keys=True, default=str)


# --- renderers: .ics and .timelinejs on tables, filtered views and queries ----------------

ID_COLUMNS = ("id", "development")
DEVELOPMENTS: Final = "developments"
_LIMIT = re.compile(r"\s+limit\s+\d+(\s+offset\s+\d+)?\s*$", re.IGNORECASE)


def development_column(
    datasette: Any, database: str, table: str | None, columns: list[str]
) -> str | None:
    """The column of a result that names developments, if the renderers serve it; else None.

    Ours are the results of a timeline database that name developments: the developments
    table (``id``), the tables with a ``development`` column (a development's people,
    its history…), and queries, canned or written, with an ``id`` or ``development``
    column. Not the log (its ``id`` is an event's), nor places or actors (theirs is
    theirs), nor any table of another database: those are left to other plugins.
    """
    if database not in timeline_databases(datasette):
        return None
    if table is None:
        return next((column for column in ID_COLUMNS if column in columns), None)
    wanted = "id" if table == DEVELOPMENTS else "development"
    return wanted if wanted in columns else None


def can_render(datasette: Any, columns: list[str], database: str, table: str | None) -> bool:
    """Whether the renderers serve this table or query (:func:`development_column`)."""
    return development_column(datasette, database, table, columns) is not None


def refusal(fmt: str, datasette: Any, database: str, table: str | None, columns: list[str]) -> str:
    """Why the renderer of *fmt* does not serve this result, in one line."""
    if database not in timeline_databases(datasette):
        return f"The .{fmt} format renders timeline databases, and {database} is not one"
    if table == "events":
        return (
            f"The .{fmt} format needs developments: the events table's id is an event id; "
            "use the developments table"
        )
    if table is not None:
        return (
            f"The .{fmt} format needs developments: the {table} table has no development "
            "column; use the developments table"
        )
    return (
        f"The .{fmt} format needs a development id column ({' or '.join(ID_COLUMNS)}); "
        f"this result has: {', '.join(columns)}"
    )


def row_ids(column: str, rows: list[Any]) -> list[str]:
    """The developments of a row page (Datasette runs no selection SQL for one row)."""
    seen: dict[str, None] = {}
    for row in rows:
        if row[column] is not None:
            seen.setdefault(str(row[column]))
    return list(seen)


async def selected_ids(
    datasette: Any, database: str, sql: str, data: dict, *, column: str, table: str | None = None
) -> list[str]:
    """The ids of the whole selection, not only of the page Datasette shows.

    A table page's SQL ends in the page size Datasette added: that limit goes. A query's
    own SQL is kept as written, limit and all.
    """
    inner, params = _selection(sql, data, table)
    results = await datasette.get_database(database).execute(
        f"select [{column}] from (\n{inner}\n)", params, truncate=False
    )
    seen: dict[str, None] = {}
    for row in results.rows:
        if row[0] is not None:
            seen.setdefault(str(row[0]))
    return list(seen)


async def selected_count(
    datasette: Any, database: str, sql: str, data: dict, *, column: str, table: str | None = None
) -> int:
    """How many developments :func:`selected_ids` would give, counted without fetching them."""
    inner, params = _selection(sql, data, table)
    results = await datasette.get_database(database).execute(
        f"select count(distinct [{column}]) from (\n{inner}\n)", params
    )
    return results.first()[0]


async def ids_within(
    datasette: Any,
    database: str,
    sql: str,
    data: dict,
    table: str | None,
    cap: int,
    what: str,
    *,
    column: str,
) -> list[str] | Answer:
    """The selection's ids, or the 400 saying that there are more than *cap* of them.

    Counted first, so that a selection over the cap is never fetched; checked again after
    the fetch, for developments added in between.
    """
    count = await selected_count(datasette, database, sql, data, column=column, table=table)
    if count <= cap:
        ids = await selected_ids(datasette, database, sql, data, column=column, table=table)
        if len(ids) <= cap:
            return ids
        count = len(ids)
    return too_many(what, count, cap)


def _selection(sql: str, data: dict, table: str | None) -> tuple[str, dict[str, Any]]:
    """The SQL of the whole selection, and its parameters (our magic ones resolved too)."""
    params = dict((data.get("query") or {}).get("params") or {})
    for key in RANGE_KEYS:
        if f":{MAGIC}_{key}" in sql:
            params[f"{MAGIC}_{key}"] = range_bound(key, params)
    inner = sql.strip()
    if table is not None:
        inner = _LIMIT.sub("", inner)
    # On lines of their own, so that a trailing `-- comment` cannot swallow the bracket.
    return inner.rstrip().rstrip(";"), params
