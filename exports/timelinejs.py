"""TimelineJS3 JSON (``{"title": …, "events": […]}``), streamed one event at a time.

Decisions a reader may notice:

- Only developments with a date become events. A date object carries only the
  precision known: ``{"year": "2024", "month": "4"}`` for April 2024, never a day.
  Values are strings, as in the JSON TimelineJS makes from its spreadsheets.
- TimelineJS has no seasons: a season is its months, ``start_date`` the first and
  ``end_date`` the last (winter 2024 is December 2024 to February 2025), and
  ``display_date`` names it: ``spring 2024``.
- An interval open at its end (``2024-04/..``) has a ``start_date`` and no ``end_date``
  (TimelineJS then shows a point at the start, not a span that would end somewhere),
  and ``display_date`` says ``from April 2024``.
- TimelineJS has no time zones: a timed development gives its wall-clock time in the
  development's ``timezone`` (or at the written offset), and ``display_date`` names
  that clock: ``26 April 2024, 16:30 (Asia/Shanghai)`` or ``(UTC+08:00)``. Uncertain and
  approximate dates show as ``April 2024?`` and ``c. April 2024``.
- Headline, text, caption and credit are HTML, so every value is escaped; links are
  made only from http(s) URLs.
- ``media`` only for a source TimelineJS can show by itself (an image, a YouTube or
  Vimeo video, a Wikipedia article). A news page would be an iframe most news sites
  refuse to be framed in, so sources are links in the text instead.

The text is exactly ``json.dumps(document, indent=2, ensure_ascii=False) + "\\n"``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from timeline.events.values import WhenPart
from timeline.exports import _dates, _json, _words

__all__ = ["render"]

_MEDIA_RE: Final = re.compile(
    r"https?://(?:"
    r"[^?#]+\.(?:jpe?g|png|gif|webp|svg)(?:[?#].*)?"  # an image file
    r"|(?:www\.|m\.)?youtube\.com/watch\?.*|youtu\.be/.+"
    r"|(?:www\.|player\.)?vimeo\.com/.+"
    r"|[a-z-]+\.(?:m\.)?wikipedia\.org/wiki/.+"
    r")",
    re.IGNORECASE,
)
_PARAGRAPH_RE: Final = re.compile(r"\n\s*\n")


def render(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str = "Diplomatic timeline",
    text: str | None = None,
) -> Iterator[str]:
    """Yield a TimelineJS3 document in chunks: one event per dated record.

    *title* and *text* (plain text, escaped here) make the title slide.
    """
    head = {
        "title": {"text": {"headline": html.escape(title), "text": _paragraphs(text or "")}},
        "events": [],
    }
    events = (event for event in map(_event, records) if event is not None)
    return _json.stream(head, events)


def _event(record: Mapping[str, Any]) -> dict[str, Any] | None:
    found = _dates.parts(record)
    if found is None:
        return None
    start, end = found
    timezone = record.get("timezone")
    event: dict[str, Any] = {"start_date": _date(start, timezone)}
    if end is not None:
        end_date = _date(end, timezone, last=True)
        if end_date != event["start_date"]:
            event["end_date"] = end_date
    event["display_date"] = html.escape(_dates.describe(start, end, timezone))
    event["text"] = {
        "headline": html.escape(record.get("title") or ""),
        "text": _text(record),
    }
    event["group"] = record.get("kind")
    event["unique_id"] = record.get("id")
    media = _media(record.get("sources") or ())
    if media is not None:
        event["media"] = media
    return event


def _date(part: WhenPart, timezone: str | None, *, last: bool = False) -> dict[str, str]:
    """A TimelineJS date object with only the fields the precision knows.

    A season is a span of months: its first month, or with *last* its last one.
    """
    if part.season is not None:
        month = part.end_date() if last else part.start_date()
        return {"year": str(month.year), "month": str(month.month)}
    if not part.is_timed:
        found = {"year": part.year, "month": part.month, "day": part.day}
        return {key: str(value) for key, value in found.items() if value is not None}
    moment, _label = _dates.local(part, timezone)
    date = {
        "year": str(moment.year),
        "month": str(moment.month),
        "day": str(moment.day),
        "hour": str(moment.hour),
        "minute": str(moment.minute),
    }
    if part.precision == "second":
        date["second"] = str(moment.second)
    return date


def _media(sources: Iterable[Mapping[str, Any]]) -> dict[str, str] | None:
    """The first source TimelineJS shows as media by itself, with its title and publisher."""
    for source in sources:
        url = source.get("url")
        if _words.is_http(url) and _MEDIA_RE.fullmatch(url):
            media = {"url": url}
            if source.get("title"):
                media["caption"] = html.escape(source["title"])
            if source.get("publisher"):
                media["credit"] = html.escape(source["publisher"])
            return media
    return None


def _paragraphs(text: str) -> str:
    """Plain text as escaped HTML paragraphs; single line breaks become ``<br>``."""
    blocks = [block.strip() for block in _PARAGRAPH_RE.split(text.replace("\r\n", "\n"))]
    return "".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>" for block in blocks if block
    )


def _source(source: Mapping[str, Any]) -> str:
    url, label = source.get("url"), source.get("title") or source.get("url") or ""
    if _words.is_http(url):
        link = (
            f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">'
            f"{html.escape(label)}</a>"
        )
    else:
        link = html.escape(label)
    said = _words.published_by(source)
    return f"{link} ({html.escape(said)})" if said else link


def _text(record: Mapping[str, Any]) -> str:
    """The slide's HTML: status, summary, people, points, quote and sources, all escaped."""
    parts: list[str] = []
    status = _words.status(record)
    if status is not None:
        word, reason = status
        said = f": {html.escape(reason)}" if reason else ""
        parts.append(f"<p><strong>{html.escape(word)}</strong>{said}</p>")
    parts.append(_paragraphs(record.get("summary") or ""))
    participants = record.get("participants") or ()
    if participants:
        names = ", ".join(html.escape(_words.participant(person)) for person in participants)
        parts.append(f"<p>Participants: {names}</p>")
    facts = _words.facts(record)
    if facts:
        parts.append(f"<p>{'; '.join(html.escape(fact) for fact in facts)}</p>")
    points = record.get("points") or ()
    if points:
        items = "".join(f"<li>{html.escape(point)}</li>" for point in points)
        parts.append(f"<ol>{items}</ol>")
    if record.get("quote"):
        parts.append(f"<blockquote>“{html.escape(record['quote'])}”</blockquote>")
        if record.get("speaker"):
            parts.append(f"<p>— {html.escape(record['speaker'])}</p>")
    sources = record.get("sources") or ()
    if sources:
        links = "; ".join(_source(source) for source in sources)
        parts.append(f"<p>Sources: {links}</p>")
    return "".join(parts)
