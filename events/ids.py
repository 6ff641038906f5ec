"""Readable ids: development slugs made from date and title, and actor stream names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from events.values import When

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


def slugify(text: str, *, max_len: int = MAX_SLUG) -> str:
    """Lowercase ASCII words joined by hyphens; a name with no Latin letters gets a digest.

    Accents are folded (``Ségolène`` -> ``segolene``). Text in other scripts (``王毅``) has no
    ASCII form here, so a short stable digest of it stands in, keeping ids unique and stable.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_ALNUM.sub("-", folded.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    if not slug:
        slug = "u" + hashlib.sha256(text.strip().encode()).hexdigest()[:12]
    return slug


def development_id(title: str, when: When | None) -> str:
    """The id a development gets when none is given: its date at its precision, then its title."""
    if when is None:
        return slugify(title)
    start = when.start_iso()
    date = {"year": start[:4], "month": start[:7]}.get(when.precision, start[:10])
    return f"{date}-{slugify(title)}"


def actor_stream(name: str) -> str:
    """The stream of an actor's descriptions: ``actor:`` and the slug of the name."""
    return f"actor:{slugify(name)}"
