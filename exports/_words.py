"""Words the text formats (iCalendar, TimelineJS) say alike, as plain text.

Each format escapes or lays out these strings its own way; what they say is decided
here once, so that a calendar entry and a timeline slide describe a development alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

_HTTP_RE: Final = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def is_http(url: object) -> bool:
    """Whether *url* is an http(s) URL, the only kind the formats make links from."""
    return isinstance(url, str) and _HTTP_RE.fullmatch(url) is not None


_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN_RE: Final = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}", re.IGNORECASE)


def check_domain(domain: str) -> str:
    """*domain* if it is a domain name (``example.org``), as UIDs and tag URIs are made of;
    ValueError otherwise (a space or ``;`` would break the ids a subscriber keeps)."""
    if not (isinstance(domain, str) and len(domain) <= 253 and _DOMAIN_RE.fullmatch(domain)):
        raise ValueError(f"{domain!r} is not a domain name like example.org")
    return domain


def check_http(url: str) -> str:
    """*url* if it is an http(s) URL (what a calendar or a feed says it lives at);
    ValueError otherwise."""
    if not is_http(url):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


def unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, first occurrence only, in order."""
    return list(dict.fromkeys(value for value in values if value))


def participant(person: Mapping[str, Any]) -> str:
    """``Name (Role, CC)``, leaving out what is unknown."""
    details = ", ".join(unique([person.get("role"), person.get("country")]))
    name = person.get("name") or ""
    return f"{name} ({details})" if details else name


def published_by(source: Mapping[str, Any]) -> str:
    """``Publisher, date`` of a source, leaving out what is unknown."""
    return ", ".join(unique([source.get("publisher"), source.get("published")]))


def status(record: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """The status word and its reason, worth saying unless it simply occurred."""
    word, reason = record.get("status"), record.get("status_reason")
    if word in (None, "occurred") and not reason:
        return None
    return (word or "status").capitalize(), reason or None


def facts(record: Mapping[str, Any]) -> list[str]:
    """A visit's and an agreement's facts: ``Visitor: …``, ``Host country: …``, ``Parties: …``."""
    found = []
    if record.get("visitor"):
        found.append(f"Visitor: {record['visitor']}")
    if record.get("host_country"):
        found.append(f"Host country: {record['host_country']}")
    if record.get("parties"):
        found.append(f"Parties: {', '.join(record['parties'])}")
    return found
