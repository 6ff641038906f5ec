"""What developments share or point at, settled in set-wise SQL once their rows are written.

Each step is one or two statements over the rows the projector has just written, or over
every row when the tables were rebuilt: the same SQL either way, so that a rebuild equals
the tables kept up to date one append at a time. A step given ids (a JSON array, read by
``json_each``) settles those only; given None, everything.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from timeline.connection import Database
from timeline.fulltext import cjk_terms

Ids = Collection[str] | None
"""The ids a step settles, or None for all of them."""


def _among(ids: Ids, column: str) -> tuple[str, list[str]]:
    """A condition limiting *column* to *ids* (always true for None), and its parameter."""
    if ids is None:
        return "1", []
    return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(sorted(ids))]


def history(db: Database, developments: Ids, *, until: int) -> None:
    """The history rows of the developments written: each event of their streams."""
    among, params = _among(developments, "d.id")
    db.execute(
        "INSERT INTO history (seq, development, stream_version, type, recorded_at, reason, "
        "data) SELECT e.seq, e.stream, e.stream_version, e.type, e.recorded_at, "
        "json_extract(e.data, '$.reason'), e.data "
        f"FROM developments d JOIN events e ON e.stream = d.id WHERE {among} AND e.seq <= ?",
        [*params, until],
    )


def links(db: Database, developments: Ids, *, until: int) -> None:
    """The links from the developments written, to developments that are still there."""
    among, params = _among(developments, "d.id")
    db.execute(
        "INSERT INTO links (seq, from_development, relation, to_development) "
        "SELECT e.seq, e.stream, json_extract(e.data, '$.relation'), "
        "json_extract(e.data, '$.to') "
        f"FROM developments d JOIN events e ON e.stream = d.id WHERE {among} AND e.seq <= ? "
        "AND e.type = 'DevelopmentsLinked' "
        "AND json_extract(e.data, '$.to') IN (SELECT id FROM developments)",
        [*params, until],
    )


def references(db: Database, developments: Ids) -> None:
    """A development written may point at one retracted since: its reference goes.

    (Retractions themselves null or cascade the references through the schema.)
    """
    among, params = _among(developments, "id")
    for column in ("part_of", "announced_in"):
        db.execute(
            f"UPDATE developments SET {column} = NULL WHERE {among} AND {column} IS NOT NULL "
            f"AND {column} NOT IN (SELECT id FROM developments)",
            params,
        )


def actors(db: Database, named: Ids) -> None:
    """Every name in a row has an actor; an actor nobody names or describes goes.

    Without a description, an actor's name is the first of its spellings in sort order:
    the same whichever development named it first.
    """
    if named is None:
        source = "SELECT actor AS id FROM participants UNION SELECT actor FROM statements"
        params: list[str] = []
    else:
        source, params = "SELECT value AS id FROM json_each(?)", [json.dumps(sorted(named))]
    db.execute(
        "INSERT INTO actors (id, name, described) "
        "SELECT id, (SELECT MIN(name) FROM ("
        "SELECT MIN(name) AS name FROM participants WHERE actor = a.id "
        "UNION ALL SELECT MIN(speaker) FROM statements WHERE actor = a.id)) AS spelling, 0 "
        f"FROM ({source}) AS a WHERE spelling IS NOT NULL "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE described = 0",
        params,
    )
    among, params = _among(named, "id")
    db.execute(
        f"DELETE FROM actors WHERE {among} AND described = 0 "
        "AND NOT EXISTS (SELECT 1 FROM participants WHERE actor = actors.id) "
        "AND NOT EXISTS (SELECT 1 FROM statements WHERE actor = actors.id)",
        params,
    )


def places(db: Database, named: Ids) -> None:
    """One row per place still in use, spelled as by the latest development held there,
    with the latest coordinates given (whatever order the events were folded in).

    Its label is what is known of it, ``Great Hall of the People, Beijing, CN`` or only
    ``Beijing, CN``: Datasette shows it wherever a development names the place.
    """
    if named is None:
        source = "SELECT DISTINCT place AS id FROM developments WHERE place IS NOT NULL"
        params: list[str] = []
    else:
        source, params = "SELECT value AS id FROM json_each(?)", [json.dumps(sorted(named))]
    # The index (place, seq) finds the latest rows directly, however many there are.
    db.execute(
        "INSERT INTO places (id, label, name, city, country, latitude, longitude) "
        "SELECT p.id, substr(coalesce(', ' || d.place_name, '')"
        " || coalesce(', ' || d.place_city, '') || coalesce(', ' || d.place_country, ''), 3), "
        "d.place_name, d.place_city, d.place_country, c.latitude, c.longitude "
        f"FROM ({source}) AS p "
        "JOIN developments d ON d.seq = (SELECT MAX(seq) FROM developments WHERE place = p.id) "
        "LEFT JOIN developments c ON c.seq = (SELECT MAX(seq) FROM developments "
        "WHERE place = p.id AND latitude IS NOT NULL) "
        "WHERE true ON CONFLICT (id) DO UPDATE SET label = excluded.label, name = excluded.name, "
        "city = excluded.city, country = excluded.country, "
        "latitude = excluded.latitude, longitude = excluded.longitude",
        params,
    )
    among, params = _among(named, "id")
    db.execute(
        f"DELETE FROM places WHERE {among} "
        "AND NOT EXISTS (SELECT 1 FROM developments WHERE place = places.id)",
        params,
    )


# The words a development is found by besides its title, summary and quote: its
# participants' and speaker's names, each followed by the actor's native name (王毅) and
# aliases.
_OTHER_NAMES = (
    "coalesce(' ' || a.native_name, '') || coalesce(' ' || "
    "(SELECT group_concat(value, ' ') FROM json_each(a.aliases)), '')"
)
_NAMES = f"""
SELECT group_concat(word, ' ') FROM (SELECT word FROM (
    SELECT p.position AS position, p.name || {_OTHER_NAMES} AS word
    FROM participants p LEFT JOIN actors a ON a.id = p.actor WHERE p.development = d.id
    UNION ALL
    SELECT NULL, s.speaker || {_OTHER_NAMES}
    FROM statements s LEFT JOIN actors a ON a.id = s.actor WHERE s.development = d.id
) ORDER BY position IS NULL, position)
"""


def fulltext(db: Database, developments: Ids, described: Collection[str] = ()) -> None:
    """Full-text rows for the developments written, and for those naming an actor whose
    description (and so native name) changed."""
    if developments is not None and described:
        marks = json.dumps(sorted(described))
        developments = set(developments)
        developments.update(
            r[0]
            for r in db.execute(
                "SELECT development FROM participants WHERE actor IN "
                "(SELECT value FROM json_each(?)) UNION SELECT development FROM statements "
                "WHERE actor IN (SELECT value FROM json_each(?))",
                [marks, marks],
            )
        )
    db.conn.create_function("timeline_terms", 1, _terms, deterministic=True)
    among, params = _among(developments, "d.id")
    if developments is not None:
        db.execute(
            "DELETE FROM developments_fts WHERE rowid IN "
            f"(SELECT seq FROM developments d WHERE {among})",
            params,
        )
    db.execute(
        "INSERT INTO developments_fts (rowid, title, summary, quote, names) "
        "SELECT d.seq, timeline_terms(d.title), timeline_terms(d.summary), "
        f"timeline_terms(d.quote), timeline_terms(({_NAMES})) "
        f"FROM developments d WHERE {among}",
        params,
    )


def _terms(text: str | None) -> str:
    return cjk_terms(text or "")
