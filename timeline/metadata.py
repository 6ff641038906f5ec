"""What Datasette says about a timeline database: titles, descriptions, facets, queries."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from timeline.events.vocabulary import (
    ACTOR_KINDS,
    HELD_KINDS,
    KINDS,
    PRECISIONS,
    QUALIFIERS,
    RELATIONS,
    STATUSES,
)
from timeline.exports.record import Record, described
from timeline.tables import declared_columns


def _either(words: Iterable[str]) -> str:
    """*words* as prose: "a, b or c"."""
    *rest, last = words
    return f"{', '.join(rest)} or {last}" if rest else last


def _plain(docstring: str) -> str:
    """A record's docstring as a column description: no code marks, no closing stop."""
    return docstring.replace("``", "").removesuffix(".")


TITLE = "Diplomatic timeline"
DESCRIPTION = (
    "Talks, meetings, summits, calls, visits, agreements, statements and what is scheduled, "
    "recorded as an append-only log of events and projected into these tables."
)

_SAID_HERE = {
    "id": "The development's id, a readable slug of its date and title",
    "title": "What happened, in one line",
    "when": "The date as recorded (EDTF: 2024, 2024-04, 2024-04-26, a season 2024-21, "
    "intervals, open ones 2024-04/.., ? ~ %)",
    "kind": f"{', '.join(HELD_KINDS)}; for planned ones also {', '.join(KINDS[len(HELD_KINDS) :])}",
    "status": _either(STATUSES),
    "countries": "Every country it involves: where it was held (a visit's host country, the "
    "place's country), its participants', its parties (JSON list, ISO 3166-1 alpha-2); "
    "what timeline export --country selects by",
    "participants": "Names of the participants (JSON list)",
    "place": "Where it happened",
    "tags": "Tags (JSON list)",
    "last_when": "Postponed without a new date: the date it had, where calendars keep it",
    "start": "First day (or instant) it covers",
    "end": "Last day (or instant) it covers, inclusive; empty for an open end (2024-04/..)",
    "precision": f"{_either(PRECISIONS)}: how exactly the date is known (a season is "
    "three months: spring March-May ... winter December-February)",
    "qualifier": _either(f"{name} ({mark})" for mark, name in QUALIFIERS.items()),
    "place_name": "The place's name as recorded",
    "place_city": "The place's city as recorded",
    "place_country": "The place's country as recorded (ISO 3166-1 alpha-2)",
    "latitude": "Latitude of the place",
    "longitude": "Longitude of the place",
    "parties": "Parties to an agreement (JSON list of country codes, or EU, UN, NATO, ASEAN, AFU)",
    "source_url": "The first source",
    "cameo_code": "CAMEO event code, for joining GDELT and ICEWS",
    "plover_type": "PLOVER event type, for joining POLECAT",
    "type": "The type of the event that recorded it",
    "seq": "The log position of the event that recorded it",
    "version": "1 when recorded, one more for each later event; what --expect-version takes",
}
"""What a column of developments says to someone browsing the table, where the export
record's docstring of the same name (exports/record.py) does not say it (a column that
the record holds otherwise, or one a table reader needs told more)."""

_RECORD_SAYS = described(Record)
DEVELOPMENT_COLUMNS: dict[str, str] = {
    column: _SAID_HERE.get(column) or _plain(_RECORD_SAYS.get(column, ""))
    for column in declared_columns("developments")
}
"""Every column of the developments table, in order, with what it means (a test fails on
one that says nothing; here an empty description is better than a plugin that fails to
load, should the record's source not be installed)."""

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "scheduled_next": {
        "title": "What is scheduled next",
        "description": "Planned and postponed developments, soonest first; unknown dates last.",
        "sql": (
            "select id, title, kind, status, [when], start, announced_in, status_reason\n"
            "from developments where status in ('scheduled', 'postponed')\n"
            "order by start is null, start, id"
        ),
    },
    "between_dates": {
        "title": "Everything between two dates",
        "description": "Developments whose dates overlap the range, as timeline export "
        "--from/--to: a year (2024), a month (2024-05, all of it) or a day (2024-05-14); "
        "leave one empty for an open range. A development open at its end (2024-04/..) "
        "overlaps every range that ends after it starts.",
        # :_timeline_from and :_timeline_to are the first and last day of the range, read
        # from :from and :to by the plugin's magic parameters (a bad range is a 400).
        "params": ["from", "to"],
        "sql": (
            "select id, title, kind, status, [when], start, [end], precision, countries\n"
            "from developments\n"
            "where substr(start, 1, 10) <= :_timeline_to"
            " and ([end] is null or substr([end], 1, 10) >= :_timeline_from)\n"
            "order by start, id"
        ),
    },
    "involving_actor": {
        "title": "Everything involving one actor",
        "description": f"Developments in which a {_either(ACTOR_KINDS)} took part, "
        "spoke or visited, found by any of its names (as recorded, in its own script, "
        "or an alias; any case).",
        "sql": (
            "with named as (select id, name from actors\n"
            "  where casefold(name) = casefold(:name) or casefold(native_name) = casefold(:name)\n"
            "  or exists (select 1 from json_each(aliases)"
            " where casefold(value) = casefold(:name)))\n"
            "select id, title, kind, status, [when], start, countries from developments\n"
            "where id in (select development from participants\n"
            "  where casefold(name) = casefold(:name) or actor in (select id from named)\n"
            "  union select development from statements\n"
            "  where casefold(speaker) = casefold(:name) or actor in (select id from named))\n"
            "  or casefold(visitor) = casefold(:name)\n"
            "  or casefold(visitor) in (select casefold(name) from named)\n"
            "order by start, id"
        ),
    },
    "quotes_by_speaker": {
        "title": "Quotes by speaker",
        "description": "Verbatim statements, by speaker (leave empty for everyone).",
        "sql": (
            "select s.speaker, s.quote, d.[when], d.title, d.id as development\n"
            "from statements s join developments d on d.id = s.development\n"
            "where :speaker = '' or casefold(s.speaker) = casefold(:speaker)\n"
            "order by s.speaker, d.start, d.id"
        ),
    },
    "agreements": {
        "title": "Agreements with their points",
        "description": "Every agreement and each point agreed, in order.",
        "sql": (
            "select d.id, d.title, d.[when], d.parties, p.position, p.point\n"
            "from developments d join agreement_points p on p.development = d.id\n"
            "order by d.start, d.id, p.position"
        ),
    },
    "development_history": {
        "title": "The full history of one development",
        "description": "Every event of a development's stream, from the log itself "
        "(retracted developments included).",
        "sql": (
            "select seq, stream_version, type, recorded_at,\n"
            "  json_extract(data, '$.reason') as reason, data\n"
            "from events where stream = :development order by seq"
        ),
    },
    "the_log": {
        "title": "The log",
        "description": "Every event, newest first, with its hash.",
        "sql": (
            "select seq, recorded_at, type, stream, stream_version, data, meta, hash\n"
            "from events order by seq desc"
        ),
    },
}


def database_metadata() -> dict[str, Any]:
    """The metadata of one timeline database, for Datasette: a copy of its own each call,
    since Datasette 0.65 merges the user's metadata into the one its hook returns."""
    return copy.deepcopy(_database_metadata())


def _database_metadata() -> dict[str, Any]:
    return {
        "description": DESCRIPTION,
        "tables": {
            "developments": {
                "description": "Every development as it stands now: one row each.",
                "sort_desc": "start",
                "facets": ["kind", "status", {"array": "countries"}, {"array": "tags"}],
                "facet_size": 5,  # the rest a click away ("…"), so the rows show on screen
                "fts_table": "developments_fts",
                "fts_pk": "seq",
                "label_column": "title",
                "columns": DEVELOPMENT_COLUMNS,
            },
            "participants": {
                "description": "Who took part in each development.",
                "facets": ["country", "actor"],
                "columns": {
                    "development": "The development",
                    "position": "Order as recorded",
                    "name": "The name as recorded",
                    "role": "Role or title at the time",
                    "country": "Country represented (ISO 3166-1 alpha-2)",
                    "actor": "The actor this name refers to",
                },
            },
            "actors": {
                "description": "People, organizations and states: described ones and every "
                "name seen in a development.",
                "label_column": "name",
                "facets": ["kind", "country", "described"],
                "columns": {
                    "id": "Slug of the name",
                    "name": "The name",
                    "native_name": "The name in its own script, e.g. 王毅",
                    "kind": _either(ACTOR_KINDS),
                    "country": "ISO 3166-1 alpha-2",
                    "roles": "Roles held (JSON list of title, organization, from, to)",
                    "aliases": "Other names it is known by (JSON list), found like the name",
                    "wikidata": "Its Wikidata item (Q...)",
                    "described": "1 if an ActorDescribed event describes it",
                },
            },
            "places": {
                "description": "Where developments happened, with coordinates for maps.",
                "label_column": "label",
                "facets": ["country"],
                "columns": {
                    "id": "Slug of name, city and country",
                    "label": "What is known of it: name, city, country",
                    "name": "Name of the venue",
                    "city": "City",
                    "country": "ISO 3166-1 alpha-2",
                    "latitude": "Latitude",
                    "longitude": "Longitude",
                },
            },
            "sources": {
                "description": "Where each development is reported.",
                "facets": ["publisher"],
                "columns": {
                    "development": "The development",
                    "position": "Order as recorded",
                    "url": "Address of the source",
                    "title": "Title of the source",
                    "publisher": "Publisher",
                    "published": "Publication date",
                },
            },
            "tags": {
                "description": "Tags of each development.",
                "facets": ["tag"],
                "columns": {"development": "The development", "tag": "The tag"},
            },
            "agreement_points": {
                "description": "The points of each agreement, in order.",
                "columns": {
                    "development": "The agreement",
                    "position": "Number of the point",
                    "point": "What was agreed",
                },
            },
            "statements": {
                "description": "Statements on the record: who spoke, and the words verbatim.",
                "facets": ["speaker"],
                "columns": {
                    "development": "The statement's development",
                    "speaker": "Who spoke, as recorded",
                    "actor": "The actor who spoke",
                    "quote": "The words, verbatim",
                },
            },
            "links": {
                "description": "Relations between developments.",
                "facets": ["relation"],
                "columns": {
                    "seq": "Log position of the event that linked them",
                    "from_development": "The development the relation starts from",
                    "relation": _either(RELATIONS),
                    "to_development": "The related development",
                },
            },
            "history": {
                "description": "Every event of each current development, oldest first.",
                "facets": ["type"],
                "columns": {
                    "seq": "Log position",
                    "development": "The development",
                    "stream_version": "Version of the development's stream",
                    "type": "Event type",
                    "recorded_at": "When the event was recorded (UTC)",
                    "reason": "The reason given, for corrections and cancellations",
                    "data": "The event's data as recorded",
                },
            },
            "merges": {
                "description": "Developments merged into another as duplicates: each id "
                "points to the development kept, until an unmerge.",
                "columns": {
                    "duplicate": "The id of the development merged (it has no row of its own)",
                    "development": "The development kept, which holds what the duplicate brought",
                    "version": "The kept development's version at the merge",
                    "merged_at": "When the merge was recorded (UTC)",
                    "reason": "Why they are the same",
                    "disputed": "Each value the duplicate gave otherwise, with who said it "
                    "(field: source: value)",
                },
            },
            "events": {
                "description": "The log: every event, append-only; the database refuses "
                "UPDATE and DELETE.",
                "sort_desc": "seq",
                "facets": ["type"],
                "columns": {
                    "seq": "Position in the log: 1, 2, 3… without gaps",
                    "id": "The event's UUID",
                    "type": "Event type",
                    "schema_version": "Version of the event type's shape",
                    "stream": "The development (or actor:<name>) it is about",
                    "stream_version": "Position within its stream",
                    "recorded_at": "When it was recorded (UTC)",
                    "data": "The event's data (JSON)",
                    "meta": "Who recorded it and notes (JSON)",
                    "hash": "SHA-256 over the previous hash and this row",
                },
            },
            "_projector_state": {"hidden": True},
            "_sqlite_migrations": {"hidden": True},
        },
        "queries": CANNED_QUERIES,
    }
