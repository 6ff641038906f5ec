"""Readable ids: development slugs made from date and title, and actor stream names."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from timeline.events.values import When

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


# Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN = str.maketrans(
    {"ß": "ss", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE",
     "œ": "oe", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "\u0131": "i", "Ð": "D", "ð": "d"}
)  # fmt: skip


def transliterate(text: str) -> str:
    """Latin letters for every script: ``王毅会见布林肯`` -> ``Wang Yi Hui Jian Bu Lin Ken``.

    anyascii writes each Chinese character or Korean syllable as one capitalised
    syllable with nothing between them; they are spaced here so they become words.
    Letters of cased scripts (``Лавров`` -> ``Lavrov``) and kana stay joined.
    """
    from anyascii import anyascii

    out = []
    for ch in text:
        latin = anyascii(ch) if not ch.isascii() else ch
        if len(latin) > 1 and latin[0].isupper() and ch.lower() == ch.upper():
            latin = f" {latin} "
        out.append(latin)
    return "".join(out)


@functools.lru_cache(maxsize=16384)
def slugify(text: str, *, max_len: int = MAX_SLUG, transliterate_scripts: bool = False) -> str:
    """Lowercase ASCII words joined by hyphens, stable for the same text.

    Accents are folded (``Ségolène`` -> ``segolene``, ``Łódź`` -> ``lodz``). Letters of other
    scripts (``王毅``) are transliterated with *transliterate_scripts*
    (``wang-yi``); without it they have no ASCII form, so a short digest of the whole text
    is added (or stands alone), keeping ids of texts that differ only there apart. Actor
    streams keep that older rule, so that an actor already in a log keeps its stream.
    """
    if transliterate_scripts and not text.isascii():
        text = transliterate(unicodedata.normalize("NFC", text.translate(_LATIN)))
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
    """The id a development gets when none is given: its date at its precision, then its title.

    A season is named (``2024-spring-...``); an open interval is dated by its start.

    A title in another script is transliterated (``王毅会见布林肯`` ->
    ``wang-yi-hui-jian-bu-lin-ken``); ids made before that, stored in their events,
    stay as they were.
    """
    slug = slugify(title, transliterate_scripts=True)
    if when is None:
        return slug
    first, start = when.parts[0], when.start_iso()
    if first.season_name is not None:
        # Never a day nor a month the season does not name: spring 2024 is 2024-spring.
        date = f"{start[:4]}-{first.season_name}"
    elif when.precision == "season":
        date = start[:7]  # a month, then a season: the month it began
    else:
        date = {"year": start[:4], "month": start[:7]}.get(when.precision, start[:10])
    return f"{date}-{slug}"


def actor_stream(name: str) -> str:
    """The stream of an actor's descriptions: ``actor:`` and the slug of the name."""
    return f"actor:{slugify(name)}"


def same_person(a: str, b: str) -> bool:
    """Whether two names are one person's: the same actor (the same slug), or one a fuller
    form of the other ("Antony Blinken" and "Antony John Blinken", at least two words in
    common). Used where two records of one development are compared, never to merge
    actors: an actor's aliases (``ActorDescribed``) do that."""
    words_a, words_b = set(slugify(a).split("-")), set(slugify(b).split("-"))
    if words_a == words_b:
        return True
    return len(min(words_a, words_b, key=len)) >= 2 and (words_a <= words_b or words_b <= words_a)
