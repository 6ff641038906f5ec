"""The projection tables: what Datasette shows and the exports read.

Every table here except those starting with ``_`` is a pure function of the log:
`timeline rebuild` drops and recreates them with :func:`create_tables`.
"""

from __future__ import annotations

import functools
import re
import sqlite3

from timeline.connection import Database, run_script

SCHEMA = "14"
"""The shape of the tables: a whole number, kept as text in ``_projector_state.schema``.

Bump it when the tables change shape. Tables of a lower number are rebuilt from the log;
tables of a higher one were made by a newer timeline and are refused, not rebuilt in an
older shape. Numbers are compared as numbers: "10" is newer than "7". Bump it too when
what a column may hold changes in a way an older reader would misread: 13 has seasons
(``precision`` ``season``) and open ends (``end`` empty while ``start`` is set).
"""

# Children first, so that dropping never trips a foreign key.
TABLES = (
    "developments_fts",
    "history",
    "merges",
    "links",
    "statements",
    "agreement_points",
    "tags",
    "sources",
    "participants",
    "developments",
    "places",
    "actors",
    "_projector_state",
)

# The developments table's columns come in the order people read them (Datasette shows
# them so): what, when, which kind and status, who and where, then the details.
# References between developments are checked at commit (DEFERRABLE), so a batch may write
# a development before the one it points to; ON DELETE keeps them whole when one is retracted.
DDL = """
CREATE TABLE IF NOT EXISTS _projector_state (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    hash TEXT NOT NULL,
    schema TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS actors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    native_name TEXT,
    kind TEXT,
    country TEXT,
    roles TEXT,
    aliases TEXT,
    wikidata TEXT,
    described INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS places (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    name TEXT,
    city TEXT,
    country TEXT,
    latitude REAL,
    longitude REAL
);
CREATE TABLE IF NOT EXISTS developments (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    [when] TEXT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    countries TEXT NOT NULL,
    participants TEXT,
    place TEXT REFERENCES places(id) DEFERRABLE INITIALLY DEFERRED,
    summary TEXT,
    tags TEXT,
    status_reason TEXT,
    last_when TEXT,
    start TEXT,
    [end] TEXT,
    precision TEXT,
    qualifier TEXT,
    timezone TEXT,
    place_name TEXT,
    place_city TEXT,
    place_country TEXT,
    latitude REAL,
    longitude REAL,
    part_of TEXT REFERENCES developments(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    announced_in TEXT
        REFERENCES developments(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    visitor TEXT,
    host_country TEXT,
    speaker TEXT,
    quote TEXT,
    parties TEXT,
    source_url TEXT,
    cameo_code TEXT,
    plover_type TEXT,
    type TEXT NOT NULL,
    seq INTEGER NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS developments_part_of ON developments (part_of);
CREATE INDEX IF NOT EXISTS developments_announced_in ON developments (announced_in);
CREATE TABLE IF NOT EXISTS participants (
    development TEXT NOT NULL
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    country TEXT,
    actor TEXT NOT NULL REFERENCES actors(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (development, position)
);
CREATE TABLE IF NOT EXISTS sources (
    development TEXT NOT NULL
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    title TEXT,
    publisher TEXT,
    published TEXT,
    PRIMARY KEY (development, position)
);
CREATE TABLE IF NOT EXISTS tags (
    development TEXT NOT NULL
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    tag TEXT NOT NULL,
    PRIMARY KEY (development, tag)
);
CREATE TABLE IF NOT EXISTS agreement_points (
    development TEXT NOT NULL
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL,
    point TEXT NOT NULL,
    PRIMARY KEY (development, position)
);
CREATE TABLE IF NOT EXISTS statements (
    development TEXT PRIMARY KEY
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    speaker TEXT NOT NULL,
    actor TEXT NOT NULL REFERENCES actors(id) DEFERRABLE INITIALLY DEFERRED,
    quote TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS links (
    seq INTEGER PRIMARY KEY,
    from_development TEXT NOT NULL
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    relation TEXT NOT NULL,
    to_development TEXT NOT NULL
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS links_from ON links (from_development);
CREATE INDEX IF NOT EXISTS links_to ON links (to_development);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY,
    development TEXT NOT NULL
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    stream_version INTEGER NOT NULL,
    type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    reason TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_development ON history (development);
CREATE TABLE IF NOT EXISTS merges (
    duplicate TEXT PRIMARY KEY,
    development TEXT NOT NULL
        REFERENCES developments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    version INTEGER NOT NULL,
    merged_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    disputed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS merges_development ON merges (development);
CREATE VIRTUAL TABLE IF NOT EXISTS developments_fts USING fts5 (
    title, summary, quote, names,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


# Indexes that folding itself does not read: a rebuild makes them once, after the rows are
# written (a sort instead of a tree updated row by row), and before the actors and places
# are settled, which look rows up through them. (The indexes on columns that refer to a
# development stay in DDL: SQLite reads them on every insert of a development while
# references wait to be checked at commit.)
LATE_INDEXES = """
CREATE INDEX IF NOT EXISTS developments_start_end ON developments (start, [end]);
CREATE INDEX IF NOT EXISTS developments_kind ON developments (kind);
CREATE INDEX IF NOT EXISTS developments_status ON developments (status);
CREATE INDEX IF NOT EXISTS developments_place ON developments (place, seq);
CREATE INDEX IF NOT EXISTS participants_actor ON participants (actor, name);
CREATE INDEX IF NOT EXISTS statements_actor ON statements (actor, speaker);
CREATE INDEX IF NOT EXISTS tags_tag ON tags (tag);
"""


@functools.lru_cache
def declared_columns(table: str) -> tuple[str, ...]:
    """The columns DDL gives *table*, in order: what describes the tables (Datasette's
    column descriptions, the reference pages) follows this one definition."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(DDL)
        return tuple(row[1] for row in conn.execute(f"PRAGMA table_info([{table}])"))
    finally:
        conn.close()


def create_tables(db: Database, *, indexes: bool = True) -> None:
    """Create every projection table that does not exist yet, and (unless a rebuild is to
    fill them first) every index."""
    run_script(db, DDL)
    if indexes:
        create_indexes(db)


def create_indexes(db: Database) -> None:
    """Create the indexes that folding does not need (see LATE_INDEXES)."""
    run_script(db, LATE_INDEXES)


def drop_tables(db: Database) -> None:
    """Drop every projection table (the log is untouched).

    The late indexes go first: dropping a table deletes its rows one by one (to apply the
    references' ON DELETE rules), and indexes that nothing refers through need no upkeep.
    """
    for name in re.findall(r"CREATE INDEX IF NOT EXISTS (\w+)", LATE_INDEXES):
        db.execute(f"DROP INDEX IF EXISTS [{name}]")
    for name in TABLES:
        db.execute(f"DROP TABLE IF EXISTS [{name}]")


def projection_tables(db: Database) -> list[str]:
    """The tables that must equal a fresh rebuild: all but the log and bookkeeping."""
    return [name for name in TABLES if not name.startswith("_") and name != "developments_fts"]


def missing_tables(db: Database) -> list[str]:
    """Projection tables that should exist and do not (dropped by hand, say)."""
    present = set(db.table_names())
    return [name for name in TABLES if name not in present]


def newer_schema(db: Database) -> int | None:
    """The schema number of tables made by a newer timeline than this one, else None."""
    if "schema" not in db.column_names("_projector_state"):
        return None
    found = [_schema_number(row[0]) for row in db.execute("SELECT schema FROM _projector_state")]
    return max((n for n in found if n is not None and n > int(SCHEMA)), default=None)


def _schema_number(stored: object) -> int | None:
    # Every version so far wrote a decimal number ("4" to "7"); anything else is taken for
    # tables of an earlier projector, and rebuilt as before.
    text = str(stored)
    return int(text) if text.isascii() and text.isdigit() else None
