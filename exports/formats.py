"""The export formats, listed once: what each is called, how it is served, how it renders.

``timeline export`` dispatches through :data:`REGISTRY`, the command line offers its
names, and the Datasette plugin registers an output renderer for each entry that asks for
one. Adding a format is one entry here (and its module). The exporters themselves are
imported only when a format renders, so that knowing the formats stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

__all__ = ["REGISTRY", "Context", "Format", "get", "renderers"]


@attrs.frozen(kw_only=True)
class Context:
    """What an export knows besides its records; each format takes what it uses."""

    title: str
    """The calendar's or the document's name."""
    domain: str = "timeline.invalid"
    """The right-hand side of iCalendar UIDs."""
    source: str | None = None
    """Where a subscribed calendar or feed refreshes from (iCalendar SOURCE, Atom self link)."""
    position: Mapping[str, Any] = attrs.field(factory=lambda: {"seq": 0, "hash": ""})
    """The log position the records were read at: ``seq`` and ``hash``."""
    filters: Mapping[str, Any] = attrs.field(factory=dict)
    """How the records were selected, as the JSON document records it."""
    as_of: str | None = None
    """The ``--as-of`` point, if the export shows the log as it stood then."""
    refresh: str | None = None
    """How often a subscribed calendar reloads (an RFC 5545 duration); None: the default."""


Render = Callable[[Iterable[Mapping[str, Any]], Context], Iterator[str]]


@attrs.frozen(kw_only=True)
class Format:
    """One export format."""

    name: str
    """What ``timeline export`` calls it, e.g. ``ical``."""
    extension: str
    """The file extension, and the Datasette renderer's (``/db/table.ics``)."""
    content_type: str
    """The HTTP Content-Type of the text, with its charset."""
    render: Render
    """Records and context in, text chunks out; imports its exporter when called."""
    renderer: bool = False
    """Whether Datasette offers it as an output renderer."""
    positioned: bool = False
    """Whether the text names the log position it was read at (so the export reads it)."""


def _ical(records: Iterable[Mapping[str, Any]], context: Context) -> Iterator[str]:
    from timeline.exports import ical

    return ical.render(
        records,
        name=context.title,
        domain=context.domain,
        source=context.source,
        refresh=context.refresh or ical.REFRESH,
    )


def _json(records: Iterable[Mapping[str, Any]], context: Context) -> Iterator[str]:
    from timeline.exports import json_doc

    return json_doc.render(
        records,
        position=context.position,
        filters=context.filters,
        as_of=context.as_of,
        title=context.title,
    )


def _timelinejs(records: Iterable[Mapping[str, Any]], context: Context) -> Iterator[str]:
    from timeline.exports import timelinejs

    return timelinejs.render(records, title=context.title)


def _atom(records: Iterable[Mapping[str, Any]], context: Context) -> Iterator[str]:
    from timeline.exports import atom

    return atom.render(records, title=context.title, domain=context.domain, source=context.source)


def _html(records: Iterable[Mapping[str, Any]], context: Context) -> Iterator[str]:
    from timeline.exports import html

    return html.render(records, title=context.title, filters=html.preset(context.filters))


def _csv(records: Iterable[Mapping[str, Any]], context: Context) -> Iterator[str]:
    from timeline.exports import spreadsheet

    return spreadsheet.render(records, title=context.title)


REGISTRY: Final[dict[str, Format]] = {
    entry.name: entry
    for entry in (
        Format(
            name="ical",
            extension="ics",
            content_type="text/calendar; charset=utf-8",
            render=_ical,
            renderer=True,
        ),
        Format(
            name="json",
            extension="json",
            content_type="application/json; charset=utf-8",
            render=_json,
            positioned=True,
        ),
        Format(
            name="timelinejs",
            extension="timelinejs",
            content_type="application/json; charset=utf-8",
            render=_timelinejs,
            renderer=True,
        ),
        Format(
            name="atom",
            extension="atom",
            content_type="application/atom+xml; charset=utf-8",
            render=_atom,
            renderer=True,
        ),
        Format(
            name="html",
            extension="html",
            content_type="text/html; charset=utf-8",
            render=_html,
        ),
        # Not a Datasette renderer: Datasette's own .csv serves every table and query.
        Format(
            name="csv",
            extension="csv",
            content_type="text/csv; charset=utf-8",
            render=_csv,
        ),
    )
}
"""The formats by name, in the order the command line lists them."""


def get(name: str) -> Format:
    """The format called *name*; ValueError naming the formats there are."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown export format {name!r}; formats: {', '.join(REGISTRY)}"
        ) from None


def renderers() -> list[Format]:
    """The formats Datasette offers as output renderers, in registry order."""
    return [entry for entry in REGISTRY.values() if entry.renderer]
