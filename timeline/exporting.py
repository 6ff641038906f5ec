"""Running an export: select the records, hand them to a format, write the text."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import attrs

from timeline.connection import COMPANIONS
from timeline.db import Database
from timeline.errors import TimelineError
from timeline.exports import formats
from timeline.projector import catch_up
from timeline.selection import Filters, log_position, records

FORMATS = tuple(formats.REGISTRY)
"""The names of the export formats (``exports.formats`` lists them with the rest)."""


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
    position = log_position(conn) if formats.get(fmt).positioned else None
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
    selected: Iterable[Mapping[str, Any]],
    fmt: str,
    *,
    name: str,
    domain: str = "timeline.invalid",
    source: str | None = None,
    position: Mapping[str, Any] | None = None,
    filters: Mapping[str, Any] | None = None,
    as_of: str | None = None,
    refresh: str | None = None,
) -> Iterator[str]:
    """The chunks of *fmt* for records already selected (the CLI's and Datasette's).

    Raise ValueError for a format ``exports.formats`` does not list.
    """
    context = formats.Context(
        title=name,
        domain=domain,
        source=source,
        position=position or {"seq": 0, "hash": ""},
        filters=filters or {},
        as_of=as_of,
        refresh=refresh,
    )
    return formats.get(fmt).render(selected, context)


def export_to(db: Database, fmt: str, output: str, **request: Any) -> None:
    """Write an export to *output* (``-`` for stdout); a file appears whole or not at all.

    Checks the request (:func:`prepare_export`, which takes the same arguments), brings
    the tables up to the end of the log, then runs the export, which only reads. A caller
    that brings the tables up to date itself calls the two ends on its own.
    """
    export = prepare_export(db, fmt, output, **request)
    catch_up(db)
    export.write(db)


def prepare_export(
    db: Database,
    fmt: str,
    output: str,
    *,
    as_of: str | None = None,
    name: str,
    domain: str,
    source: str | None = None,
    **options: Any,
) -> Export:
    """An export to *output* (``-`` for stdout), checked before anything is read or written.

    Raises ValueError for an unknown format or a bad filter date, and TimelineError for
    an output that writing would lose data to: the database itself (under any name, a
    link to it, its ``-wal``/``-shm`` files) or any other SQLite file.
    """
    return Export(
        format=formats.get(fmt),
        filters=Filters(**options),
        target=None if output == "-" else output_target(db, output),
        as_of=as_of,
        name=name,
        domain=domain,
        source=source,
    )


@attrs.frozen(kw_only=True)
class Export:
    """One checked export: which format, what, where to. Writing it reads the database only.

    A regular file (or a new one) is replaced atomically and keeps its mode and, where
    the caller may, its owner; a symlink is written through to its target; a FIFO,
    device or socket is written in place. A write that fails raises TimelineError and
    leaves an existing file as it was. A closed stdout pipe (``| head``) raises
    BrokenPipeError, which the command line ends quietly with status 1, as Unix tools do.
    """

    format: formats.Format
    filters: Filters
    target: OutputTarget | None
    """Where the text goes; None for stdout."""
    as_of: str | None
    """The ``--as-of`` point: the export shows the log as it stood then."""
    name: str
    domain: str
    source: str | None

    def write(self, db: Database) -> None:
        """Read the tables of *db* (or the log as it stood at ``as_of``) and write the export."""
        with contextlib.ExitStack() as stack:
            if self.as_of:
                from timeline.as_of import tables_as_of

                conn = stack.enter_context(tables_as_of(db, self.as_of))
            else:
                conn = db.conn
            chunks = render(
                conn,
                self.format.name,
                self.filters,
                name=self.name,
                domain=self.domain,
                as_of=self.as_of,
                source=self.source,
            )
            if self.target is None:
                write_stdout(chunks)
            else:
                self.target.write(chunks)


def write_stdout(chunks: Iterable[str]) -> None:
    """Write *chunks* to stdout; a failed write (a full disk) raises TimelineError.

    UTF-8 bytes go to the binary layer, as to a file, whatever the locale's encoding. The
    flush is inside: without it a write error would surface only at exit, after a zero
    status. A closed pipe is left to the caller as BrokenPipeError.
    """
    try:
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", None)
        if out is None:  # a text-only stream put in place by a caller
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
        else:
            _write_all(out, chunks)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise TimelineError(f"cannot write to standard output: {_reason(exc)}") from None


# The first bytes of a SQLite database, of a write-ahead log, of a rollback journal.
_SQLITE_MAGIC = (
    b"SQLite format 3\x00",
    b"\x37\x7f\x06\x82",
    b"\x37\x7f\x06\x83",
    b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7",
)


@attrs.frozen
class OutputTarget:
    """Where ``-o`` writes, once links are followed, and how it may be written."""

    given: str
    """The name as the user wrote it, for messages."""
    path: Path
    """The file itself: symlinks resolved."""
    existing: os.stat_result | None
    """The file's status, None if it does not exist yet."""

    @property
    def replaceable(self) -> bool:
        """Only a regular file (or a new one) may be replaced by a renamed temp file."""
        return self.existing is None or stat.S_ISREG(self.existing.st_mode)

    def write(self, chunks: Iterable[str]) -> None:
        """Write *chunks*: replace a regular file whole, write anything else in place."""
        try:
            if self.replaceable:
                self._replace(chunks)
            else:
                # A FIFO or a device: replacing it would destroy it (as root, -o /dev/null
                # would become a plain file). Open it as a shell's `>` would, without O_CREAT.
                with os.fdopen(os.open(self.path, os.O_WRONLY), "wb") as out:
                    _write_all(out, chunks)
        except OSError as exc:
            raise TimelineError(f"-o: cannot write {self.given}: {_reason(exc)}") from None

    def _replace(self, chunks: Iterable[str]) -> None:
        handle, temp = _create_temp(self.path)
        try:
            with os.fdopen(handle, "wb") as out:
                if self.existing is not None:
                    _keep_owner_and_mode(handle, self.existing)
                _write_all(out, chunks)
                # The data is on disk before the rename: after a crash, old file or new.
                os.fsync(handle)
            os.replace(temp, self.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise


def output_target(db: Database, output: str) -> OutputTarget:
    """The checked target of ``-o OUTPUT``; TimelineError if writing there would lose data."""
    path, existing = not_the_database(db, output, "-o")
    if existing is not None and stat.S_ISREG(existing.st_mode) and _is_sqlite(path):
        raise TimelineError(f"-o: {output} is a SQLite database file; name another file")
    return OutputTarget(output, path, existing)


def not_the_database(db: Database, output: str, flag: str) -> tuple[Path, os.stat_result | None]:
    """The real path a command is to write, and what is there now, once it is known that
    writing there loses no database: neither *db* nor one of its files (under any name, a
    hard link included), nor a folder. TimelineError naming *flag* otherwise."""
    if not output.strip():
        raise TimelineError(f"{flag}: an empty name names no file")
    path = Path(os.path.realpath(output))
    try:
        existing = path.stat()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise TimelineError(f"{flag}: cannot write {output}: {_reason(exc)}") from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise TimelineError(f"{flag}: {output} is a folder; name a file in it")
    database = db.main_file()
    if database is not None:
        if path == database or (existing is not None and _same_file(existing, database)):
            raise TimelineError(f"{flag}: {output} is the database itself; name another file")
        for suffix in COMPANIONS:
            companion = Path(f"{database}{suffix}")
            if path == companion or (existing is not None and _same_file(existing, companion)):
                raise TimelineError(
                    f"{flag}: {output} is the database's {suffix} file; name another file"
                )
    return path, existing


def _same_file(existing: os.stat_result, other: Path) -> bool:
    """Whether *existing* is *other*: a hard link has another name, the same inode."""
    try:
        found = other.stat()
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (existing.st_dev, existing.st_ino)


def _is_sqlite(path: Path) -> bool:
    """Whether *path* starts like a SQLite database, WAL or journal (unreadable: assume not)."""
    try:
        with path.open("rb") as f:
            start = f.read(16)
    except OSError:
        return False
    return start.startswith(_SQLITE_MAGIC)


def _create_temp(target: Path) -> tuple[int, Path]:
    """A new file next to *target*, made as a plain open() would make it.

    ``os.open(..., 0o666)`` lets the kernel apply the umask (and a folder's default ACL),
    so a new export gets the mode ``open()`` gives without reading or toggling the umask;
    mkstemp's 0o600 would need a chmod computed from it.
    """
    for _attempt in range(100):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def _keep_owner_and_mode(handle: int, existing: os.stat_result) -> None:
    """Give the temp file the replaced file's owner (where allowed) and mode."""
    mode = stat.S_IMODE(existing.st_mode)
    # The owner first: a change of owner clears the set-id bits that chmod then restores,
    # but only for an owner kept: a set-id bit must not pass to someone else's file.
    for uid, lost in ((existing.st_uid, 0), (-1, stat.S_ISUID)):
        try:
            os.fchown(handle, uid, existing.st_gid)
        except PermissionError:
            continue
        mode &= ~lost
        break
    else:
        mode &= ~(stat.S_ISUID | stat.S_ISGID)
    os.fchmod(handle, mode)


def _write_all(out: BinaryIO, chunks: Iterable[str]) -> None:
    """Write *chunks* as UTF-8 (lines as the format made them: no newline translation).

    A buffered write that the disk cuts short returns the count it wrote and keeps none
    of the rest, and a text stream above it ignores that count: the export would end
    short with no error. Writing the rest again gets the disk's error instead.
    """
    for chunk in chunks:
        data = memoryview(chunk.encode("utf-8"))
        while data:
            data = data[out.write(data) :]
    out.flush()


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
