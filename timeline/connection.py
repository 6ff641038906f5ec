"""Connections to a timeline database: our transactions, our SQL functions.

The lowest layer of the store: everything that reads or writes a timeline file goes
through a :class:`Database` made by :func:`connect`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 60_000
COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database, named by adding these to its name."""


def run_script(db: Database, script: str) -> None:
    """Run SQL statements one by one: unlike ``executescript``, this never commits."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]}")


def casefold(value: object) -> object:
    """SQL ``casefold(x)``: Unicode case folding, where SQLite's lower() folds ASCII only."""
    return value.casefold() if isinstance(value, str) else value


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions our queries use, on any connection that reads a timeline."""
    conn.create_function("casefold", 1, casefold, deterministic=True)


class Database:
    """An open timeline database: the sqlite3 connection and the few helpers timeline uses.

    ``Database`` would do, but importing sqlite-utils costs about a fifth of
    a `timeline append`; it is imported only to apply schema steps (``timeline.migrations``).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # As sqlite-utils sets it: a REPLACE fires delete triggers, whoever opened the file.
        conn.execute("PRAGMA recursive_triggers = on")

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one statement; within a transaction only if the caller opened one."""
        return self.conn.execute(sql, parameters)

    def query(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()
    ) -> Iterator[dict[str, Any]]:
        """Rows of *sql* as dicts keyed by column name."""
        cursor = self.conn.execute(sql, parameters)
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def main_file(self) -> Path | None:
        """The database's file, resolved (links followed); None for one in memory."""
        for _seq, schema, file in self.conn.execute("PRAGMA database_list"):
            if schema == "main":
                return Path(os.path.realpath(file)) if file else None
        return None

    def table_names(self) -> list[str]:
        """Every table of the file (the log's, the projection's, and any other)."""
        return [
            row[0]
            for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]

    def has_table(self, name: str) -> bool:
        """Whether the file has a table called *name*."""
        found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self.conn.execute(found, [name]).fetchone() is not None

    def column_names(self, table: str) -> list[str]:
        """The columns of *table*, in order (none for a missing table)."""
        return [row[1] for row in self.conn.execute(f"PRAGMA table_info([{table}])")]

    def close(self) -> None:
        """Close the connection; a transaction left open is rolled back."""
        self.conn.close()


def connect(path: str | Path) -> Database:
    """A connection to *path* as timeline opens every file: our transactions, our functions."""
    # isolation_level=None: we open transactions ourselves (BEGIN IMMEDIATE for writers),
    # so the driver never starts one behind our back.
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    register_functions(conn)
    return Database(conn)


@contextmanager
def immediate(db: Database) -> Iterator[None]:
    """A write transaction that takes SQLite's write lock up front, or rolls back whole.

    Taking the lock at BEGIN (not at the first write) makes concurrent writers queue on
    the busy timeout, and keeps what a writer read true until it commits.
    """
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """A read transaction: every read inside sees the file as it was at the first one.

    In WAL mode other processes go on appending meanwhile; what they commit is not seen
    until the snapshot ends, so checks that compare the log with the tables agree.
    """
    db.conn.execute("BEGIN")
    try:
        yield
    finally:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
