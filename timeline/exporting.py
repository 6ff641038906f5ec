"""Running an export: select the records, hand them to a format, write the text."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from timeline.db import Database
from timeline.errors import TimelineError
from timeline.projector import catch_up
from timeline.selection import Filters, log_position, records
from timeline.selection import as_of as as_of_tables

FORMATS = ("ical", "json", "timelinejs", "html")


def render(
    conn: Any,
    fmt: str,
    filters: Filters,
    *,
    name: str,
    domain: str,
    as_of: str | None = None,
    source: str | None = None,
) -> Iterator[str]:
    """The chunks of one export of the tables behind *conn*."""
    position = log_position(conn) if fmt == "json" else None
    return render_records(
        records(conn, filters),
        fmt,
        name=name,
        domain=domain,
        source=source,
        position=position,
        filters=filters.describe(),
        as_of=as_of,
    )


def render_records(
    selected: Iterable[dict[str, Any]],
    fmt: str,
    *,
    name: str,
    domain: str = "timeline.invalid",
    source: str | None = None,
    position: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
    as_of: str | None = None,
) -> Iterator[str]:
    """The chunks of *fmt* for records already selected (the CLI's and Datasette's)."""
    if fmt == "ical":
        from exports import ical

        return ical.render(selected, name=name, domain=domain, source=source)
    if fmt == "json":
        from exports import json_doc

        return json_doc.render(
            selected,
            position=position or {"seq": 0, "hash": ""},
            filters=filters or {},
            as_of=as_of,
            title=name,
        )
    if fmt == "timelinejs":
        from exports import timelinejs

        return timelinejs.render(selected, title=name)
    if fmt == "html":
        from exports import html

        return html.render(selected, title=name)
    raise ValueError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")


def export_to(
    db: Database,
    fmt: str,
    output: str,
    *,
    as_of: str | None = None,
    name: str,
    domain: str,
    source: str | None = None,
    **options: Any,
) -> None:
    """Write an export to *output* (``-`` for stdout); a file appears whole or not at all."""
    filters = Filters(**options)
    catch_up(db)
    with contextlib.ExitStack() as stack:
        conn = stack.enter_context(as_of_tables(db, as_of)) if as_of else db.conn
        chunks = render(conn, fmt, filters, name=name, domain=domain, as_of=as_of, source=source)
        if output == "-":
            out = sys.stdout
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            return
        target = Path(output)
        if target.is_dir():
            raise TimelineError(f"-o: {output} is a folder; name a file in it")
        try:
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        except OSError as exc:
            raise TimelineError(f"-o: cannot write {output}: {exc.strerror}") from None
        try:
            # Calendar lines end in CRLF already: no newline translation.
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                for chunk in chunks:
                    out.write(chunk)
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(temp, 0o666 & ~mask)  # as a plain open() would have made it
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
