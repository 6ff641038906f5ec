"""Atom (RFC 4287): a feed of new and changed developments, for feed readers.

Decisions a subscriber may notice:

- Entries come newest first by ``updated_at``, the log's time of the development's last
  change (ties by id), so a feed reader shows what changed most recently on top. Every
  development selected is an entry, dated or not: a scheduled meeting without a date is
  news too. A retracted development leaves the feed (readers keep what they saw).
- An entry's ``id`` is a tag URI (RFC 4151) made of the UID domain, the day the log
  recorded the development and its id, e.g.
  ``tag:timeline.invalid,2024-04-27:2024-04-26-xi-jinping-meets-antony-blinken``: it never
  changes across revisions, so a reader updates the entry in place. ``updated`` is the
  log's ``updated_at``, ``published`` its ``created_at`` (UTC, as recorded).
- The feed's ``id`` is its own URL when known (the Datasette page, or ``--feed-url``),
  else a name-based UUID of the domain and title. Its ``updated`` is the newest entry's;
  an empty feed says 1970-01-01T00:00:00Z, so that the same database gives the same bytes.
- The entry's ``content`` is HTML (escaped in the XML): date in words, status, summary,
  people, points, quote and sources. Its link is the first http(s) source. Characters
  XML cannot hold (control characters) become spaces.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final
from xml.sax.saxutils import escape, quoteattr

from timeline.exports import _dates, _words

__all__ = ["entry_id", "render"]

NAMESPACE: Final = "http://www.w3.org/2005/Atom"
EMPTY_UPDATED: Final = "1970-01-01T00:00:00Z"
_EARLIEST: Final = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
# XML 1.0 Char (2.2): no C0 control but tab, newline and return; no surrogates or FFFE/FFFF.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PARAGRAPH_RE: Final = re.compile(r"\n\s*\n")


def render(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str = "Diplomatic timeline",
    domain: str = "timeline.invalid",
    source: str | None = None,
) -> Iterator[str]:
    """Yield an Atom feed of *records*, newest change first.

    *domain* makes the entry ids (keep it once people subscribe, as for iCalendar UIDs);
    *source* is the feed's own URL (its ``self`` link and id). Raise ValueError for a
    *source* that is not an http(s) URL, or a *domain* that is no domain name.
    """
    _words.check_domain(domain)
    if source is not None:
        _words.check_http(source)
    newest_first = sorted(records, key=lambda r: r.get("id") or "")
    newest_first.sort(key=lambda r: _moment(r.get("updated_at")) or _EARLIEST, reverse=True)
    updated = _instant(newest_first[0].get("updated_at")) if newest_first else None
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{NAMESPACE}">',
        f"  <id>{_text(source or _feed_uuid(domain, title))}</id>",
        f"  <title>{_text(title)}</title>",
        f"  <updated>{updated or EMPTY_UPDATED}</updated>",
        f"  <author><name>{_text(title)}</name></author>",
    ]
    if source:
        head.append(f'  <link rel="self" type="application/atom+xml" href={_attr(source)}/>')
    yield "\n".join(head) + "\n"
    for record in newest_first:
        yield _entry(record, domain)
    yield "</feed>\n"


def entry_id(record: Mapping[str, Any], domain: str = "timeline.invalid") -> str:
    """The entry's tag URI: the same for every revision of the development."""
    created = _instant(record.get("created_at")) or EMPTY_UPDATED
    return f"tag:{domain},{created[:10]}:{record['id']}"


def _entry(record: Mapping[str, Any], domain: str) -> str:
    updated = _instant(record.get("updated_at")) or EMPTY_UPDATED
    lines = [
        "  <entry>",
        f"    <id>{_text(entry_id(record, domain))}</id>",
        f"    <title>{_text(record.get('title') or '')}</title>",
        f"    <updated>{updated}</updated>",
    ]
    published = _instant(record.get("created_at"))
    if published:
        lines.append(f"    <published>{published}</published>")
    url = _first_url(record)
    if url:
        lines.append(f'    <link rel="alternate" href={_attr(url)}/>')
    for term in _words.unique([record.get("kind"), *(record.get("tags") or ())]):
        lines.append(f"    <category term={_attr(term)}/>")
    lines.append(f'    <content type="html">{_text(_content(record))}</content>')
    lines.append("  </entry>")
    return "\n".join(lines) + "\n"


def _moment(text: str | None) -> dt.datetime | None:
    """A log timestamp (UTC ISO 8601) as an aware datetime."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _instant(text: str | None) -> str | None:
    """A log timestamp as an RFC 3339 UTC date-time, its fraction of a second kept."""
    moment = _moment(text)
    if moment is None:
        return None
    timespec = "microseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _feed_uuid(domain: str, title: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'timeline:{domain}:{title}')}"


def _clean(value: str) -> str:
    return _NOT_XML.sub(" ", value)


def _text(value: str) -> str:
    """Character data, escaped for XML."""
    return escape(_clean(value))


def _attr(value: str) -> str:
    """An attribute value, quoted and escaped for XML."""
    return quoteattr(_clean(value))


def _first_url(record: Mapping[str, Any]) -> str | None:
    sources = record.get("sources") or ()
    url = sources[0].get("url") if sources else None
    return url if _words.is_http(url) else None


def _paragraphs(text: str) -> list[str]:
    blocks = [block.strip() for block in _PARAGRAPH_RE.split(text.replace("\r\n", "\n"))]
    return [f"<p>{html.escape(b).replace(chr(10), '<br>')}</p>" for b in blocks if b]


def _when(record: Mapping[str, Any]) -> str:
    found = _dates.parts(record)
    if found is None:
        return "Date not known yet"
    return _dates.describe(*found, record.get("timezone"))


def _place(record: Mapping[str, Any]) -> str:
    place = record.get("place") or {}
    return ", ".join(_words.unique([place.get("name"), place.get("city"), place.get("country")]))


def _source(source: Mapping[str, Any]) -> str:
    url, label = source.get("url"), source.get("title") or source.get("url") or ""
    link = (
        f'<a href="{html.escape(url)}">{html.escape(label)}</a>'
        if _words.is_http(url)
        else html.escape(label)
    )
    said = _words.published_by(source)
    return f"{link} ({html.escape(said)})" if said else link


def _content(record: Mapping[str, Any]) -> str:
    """The entry's HTML: when and where, status, summary, people, facts, points, quote, sources."""
    where = _place(record)
    when = html.escape(_when(record))
    parts = [f"<p><strong>{when}</strong>{f' · {html.escape(where)}' if where else ''}</p>"]
    status = _words.status(record)
    if status is not None:
        word, reason = status
        said = f": {html.escape(reason)}" if reason else ""
        parts.append(f"<p><strong>{html.escape(word)}</strong>{said}</p>")
    parts.extend(_paragraphs(record.get("summary") or ""))
    participants = record.get("participants") or ()
    if participants:
        names = ", ".join(html.escape(_words.participant(person)) for person in participants)
        parts.append(f"<p>Participants: {names}</p>")
    facts = _words.facts(record)
    if facts:
        parts.append(f"<p>{'; '.join(html.escape(fact) for fact in facts)}</p>")
    points = record.get("points") or ()
    if points:
        parts.append(f"<ol>{''.join(f'<li>{html.escape(p)}</li>' for p in points)}</ol>")
    if record.get("quote"):
        parts.append(f"<blockquote>“{html.escape(record['quote'])}”</blockquote>")
        if record.get("speaker"):
            parts.append(f"<p>— {html.escape(record['speaker'])}</p>")
    sources = record.get("sources") or ()
    if sources:
        parts.append(f"<p>Sources: {'; '.join(_source(s) for s in sources)}</p>")
    return "".join(parts)
