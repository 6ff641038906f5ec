"""Importing files of records that others keep: the Historian's XML, spreadsheets.

One module per format turns a file into :class:`~timeline.importers.sync.Record`\\ s (one
development each, with where it is in the file); :mod:`timeline.importers.sync` compares
them with the log and appends what is new or changed, all or nothing. JSON Lines of
events (``timeline log --json``) are events already, and go to
:func:`timeline.service.import_file` as they always did.

Only ``timeline import`` imports this package, so that ``timeline append`` starts
without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from timeline.db import Database
from timeline.errors import SourceError
from timeline.importers import sync
from timeline.log import EventLog

FORMATS: dict[str, str] = {
    "jsonl": "JSON Lines of events, as `timeline log --json` writes them",
    "hsg-travels": "the Office of the Historian's <trips> (travels of presidents and secretaries)",
    "hsg-visits": "the Office of the Historian's <visits> (foreign leaders' visits to the U.S.)",
    "csv": "a spreadsheet with the TimelineJS template's columns and ours",
}
"""The formats ``timeline import`` reads, by name."""
RECORD_FORMATS = ("hsg-travels", "hsg-visits", "csv")
"""The formats whose records are kept in step with the file (the others are events)."""


def detect(name: str, head: bytes) -> str:
    """A file's format from its name and first bytes: ``.csv``, the XML root, else JSON Lines."""
    if name.lower().endswith(".csv"):
        return "csv"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return "jsonl"
    from timeline.importers import hsg

    root = hsg.root_of(head)
    if root in hsg.ROOTS:
        return hsg.ROOTS[root]
    roots = ", ".join(f"<{tag}>" for tag in hsg.ROOTS)
    raise SourceError(
        f"an XML file whose root is <{root}> is not one timeline imports (it reads {roots})",
        where="line 1",
    )


def read(stream: IO[bytes], *, format: str) -> list[sync.Record]:
    """The records of a file in one of :data:`RECORD_FORMATS`; SourceError naming the line
    or row of the first that is not sound."""
    if format in ("hsg-travels", "hsg-visits"):
        from timeline.importers import hsg

        return list(hsg.records(hsg.read_xml(stream), format=format))
    if format == "csv":
        from timeline.importers import spreadsheet

        return list(spreadsheet.records(stream))
    raise ValueError(f"{format!r} is not a format of records: {RECORD_FORMATS}")


def plan(
    db: Database,
    records: list[sync.Record],
    *,
    name: str | None,
    format: str,
    retract_missing: bool = False,
    progress: Callable[[int], None] | None = None,
) -> sync.Plan:
    """Plan what to append for *records* read from a file; SourceError naming the record.

    *name* is the file's name, kept in meta: a later import of a file of the same name
    finds the developments this one created (None for standard input, which has no
    name: nothing is then found missing). *progress* gets 1 for each record planned.
    """
    return sync.plan(
        EventLog(db),
        records,
        format=format,
        file=name,
        retract_missing=retract_missing,
        progress=progress,
    )


def prepare(
    db: Database,
    stream: IO[bytes],
    *,
    name: str | None,
    format: str,
    retract_missing: bool = False,
) -> sync.Plan:
    """Read a file of records and plan what to append (:func:`read`, then :func:`plan`)."""
    records = read(stream, format=format)
    return plan(db, records, name=name, format=format, retract_missing=retract_missing)


def apply(
    db: Database, plan: sync.Plan, *, progress: Callable[[int], None] | None = None
) -> sync.Report:
    """Append a plan in one transaction; *progress* gets 1 for each event appended."""
    return sync.apply(db, plan, progress=progress)
