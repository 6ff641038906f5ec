"""Finding developments that may be the same one, recorded twice (`timeline duplicates`).

Two developments are candidates when they are of the same kind family (a meeting and
talks may be one encounter; a visit is never a meeting), their dates overlap, they share
a person (a participant, the visitor or the speaker) or a country, and they were not held
in two different countries. Each pair gets a score from what else they share (the same
dates, kind, people, country, city and title words), and the reasons for it, so a person
decides: nothing here merges anything.

It reads the tables (so merged duplicates and retracted developments are not candidates)
and the log's unmerges (a pair once merged and unmerged was judged different, and is not
proposed again).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from timeline.db import Database
from timeline.events.ids import same_person, slugify
from timeline.events.lifecycle import DevelopmentsUnmerged
from timeline.events.vocabulary import KIND_FAMILIES

WEIGHTS = {
    "same_dates": 3.0,
    "overlap": 1.0,
    "same_kind": 1.0,
    "visitor": 2.0,
    "participants": 2.0,
    "country": 2.0,
    "city": 1.0,
    "title": 3.0,
}
"""What each kind of agreement adds to a pair's score (the score is their sum over the
most a pair can get, from 0 to 1). The same dates and title words weigh most, a city
least; an overlap of dates alone is what makes a pair at all."""

_MOST = sum(WEIGHTS.values()) - WEIGHTS["overlap"]  # the same dates replace an overlap

_SELECT = """
SELECT d.id, d.title, d.kind, d.[when], d.start, d.[end], d.visitor, d.speaker,
       coalesce(d.host_country, d.place_country), d.place_city, d.countries, d.seq,
       (SELECT json_group_array(p.name) FROM participants p WHERE p.development = d.id)
FROM developments d WHERE d.start IS NOT NULL ORDER BY d.start, d.seq
"""


@attrs.frozen
class Candidate:
    """A development as the search compares it."""

    id: str
    title: str
    kind: str
    when: str
    start: str
    end: str
    visitor: str | None
    people: tuple[str, ...]
    """Its participants, visitor and speaker, each once."""
    where: str | None
    """The country it was held in: a visit's host country, else its place's."""
    city: str | None
    countries: frozenset[str]
    seq: int
    title_words: frozenset[str]
    """The words of its title that tell it apart, found once, not once per pair."""
    city_words: frozenset[str]

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Candidate:
        """A candidate from a row of :data:`_SELECT`."""
        id_, title, kind, when, start, end, visitor, speaker, where, city, countries, seq = row[:12]
        people = [*json.loads(row[12] or "[]"), visitor, speaker]
        return cls(
            id=id_,
            title=title,
            kind=kind,
            when=when,
            start=start[:10],
            end=(end or start)[:10],
            visitor=visitor,
            people=tuple(dict.fromkeys(p for p in people if p)),
            where=where,
            city=city,
            countries=frozenset(json.loads(countries or "[]")),
            seq=seq,
            title_words=frozenset(_words(title)),
            city_words=frozenset(_words(city or "")),
        )


@attrs.frozen
class Pair:
    """Two developments that may be one: the one recorded first is proposed to keep."""

    keep: str
    duplicate: str
    score: float
    """From 0 to 1: how much they agree (see :data:`WEIGHTS`)."""
    why: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """The pair as `timeline duplicates --json` prints it."""
        return {
            "keep": self.keep,
            "duplicate": self.duplicate,
            "score": self.score,
            "why": list(self.why),
        }


def find_duplicates(db: Database, *, limit: int | None = None) -> list[Pair]:
    """Candidate pairs of developments that may be the same one, best first."""
    candidates = [Candidate.from_row(row) for row in db.execute(_SELECT)]
    judged = _unmerged(db)
    pairs = [
        pair
        for first, second in _overlapping(candidates)
        if frozenset((first.id, second.id)) not in judged
        and (pair := compare(first, second)) is not None
    ]
    pairs.sort(key=lambda p: (-p.score, p.keep, p.duplicate))
    return pairs if limit is None else pairs[:limit]


def _unmerged(db: Database) -> set[frozenset[str]]:
    """The pairs once merged and then unmerged: judged to be two developments."""
    rows = db.execute(
        "SELECT stream, json_extract(data, '$.duplicate') FROM events WHERE type = ?",
        [DevelopmentsUnmerged.TYPE],
    )
    return {frozenset(row) for row in rows}


def _overlapping(candidates: Iterable[Candidate]) -> Iterator[tuple[Candidate, Candidate]]:
    """Every pair of one kind family whose dates overlap, each once (a sweep by start)."""
    open_: dict[str, list[Candidate]] = {}
    for candidate in candidates:  # in order of start
        family = KIND_FAMILIES.get(candidate.kind, candidate.kind)
        active = [other for other in open_.get(family, []) if other.end >= candidate.start]
        for other in active:
            yield other, candidate
        open_[family] = [*active, candidate]


def compare(a: Candidate, b: Candidate) -> Pair | None:
    """The pair *a* and *b* make, with its score and reasons; None if they cannot be one.

    They cannot when they were held in two different countries, or share no person and
    no country.
    """
    if a.where and b.where and a.where != b.where:
        return None
    people = _same_people(a.people, b.people)
    shared_countries = sorted(a.countries & b.countries)
    if not people and not shared_countries:
        return None
    score, why = 0.0, []
    if (a.start, a.end) == (b.start, b.end):
        score += WEIGHTS["same_dates"]
        why.append(f"same dates ({a.when})" if a.when == b.when else "same days")
    else:
        score += WEIGHTS["overlap"]
        why.append(f"dates overlap ({a.when} and {b.when})")
    if a.kind == b.kind:
        score += WEIGHTS["same_kind"]
        why.append(f"same kind ({a.kind})")
    else:
        why.append(f"kinds of one family ({a.kind} and {b.kind})")
    if a.visitor and b.visitor and same_person(a.visitor, b.visitor):
        score += WEIGHTS["visitor"]
        why.append(f"same visitor ({_names(a.visitor, b.visitor)})")
    if people:
        share = len(people) / (len(a.people) + len(b.people) - len(people))
        score += WEIGHTS["participants"] * share
        why.append("same people: " + "; ".join(_names(x, y) for x, y in people))
    if a.where and a.where == b.where:
        score += WEIGHTS["country"]
        why.append(f"held in the same country ({a.where})")
    elif shared_countries:
        why.append(f"countries in common ({', '.join(shared_countries)})")
    if a.city and b.city and a.city_words & b.city_words:
        score += WEIGHTS["city"]
        why.append(f"same city ({_names(a.city, b.city)})")
    words_a, words_b = a.title_words, b.title_words
    if words_a & words_b:
        similarity = len(words_a & words_b) / len(words_a | words_b)
        score += WEIGHTS["title"] * similarity
        why.append("same title" if similarity == 1 else f"titles alike ({similarity:.0%} of words)")
    keep, duplicate = (a, b) if (a.seq, a.id) < (b.seq, b.id) else (b, a)
    return Pair(keep.id, duplicate.id, round(score / _MOST, 2), tuple(why))


def _words(text: str) -> list[str]:
    """The words of a title or a place that tell it apart (no "of", "the", "s")."""
    return [word for word in slugify(text, max_len=300).split("-") if len(word) > 2]


def _same_people(a: Iterable[str], b: Iterable[str]) -> list[tuple[str, str]]:
    """The people of *a* who are also in *b*, each with the name *b* gives them."""
    others = list(b)
    found = []
    for name in a:
        match = next((other for other in others if same_person(name, other)), None)
        if match is not None:
            found.append((name, match))
            others.remove(match)
    return found


def _names(a: str, b: str) -> str:
    return a if a == b else f"{a} / {b}"
