"""Readable ids: development slugs made from date and title, and actor stream names."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from events.values import When

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


# Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN = str.maketrans(
    {"ß": "ss", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE",
     "œ": "oe", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "\u0131": "i", "Ð": "D", "ð": "d"}
)  # fmt: skip


@functools.lru_cache(maxsize=16384)
def slugify(text: str, *, max_len: int = MAX_SLUG) -> str:
    """Lowercase ASCII words joined by hyphens, stable for the same text.

    Accents are folded (``Ségolène`` -> ``segolene``, ``Łódź`` -> ``lodz``). Letters of other
    scripts (``王毅``) have no ASCII form here, so a short digest of the whole text is added
    (or stands alone), keeping ids of titles that differ only there apart.
    """
    folded = unicodedata.normalize("NFKD", text.translate(_LATIN))
    ascii_text = folded.encode("ascii", "ignore").decode()
    slug = _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[: max_len + 1]
        slug = cut[:-1] if cut.endswith("-") else cut[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    lost = not folded.isascii() and any(
        ch.isalnum() and not unicodedata.combining(ch) and not ch.isascii() for ch in folded
    )
    if lost or not slug:
        digest = "u" + hashlib.sha256(text.strip().encode()).hexdigest()[:12]
        slug = f"{slug}-{digest}" if slug else digest
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
