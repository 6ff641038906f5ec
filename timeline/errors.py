"""The errors the service raises; only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class TimelineError(Exception):
    """Something the user can fix; the message is one line that says what and where."""


class DatabaseError(TimelineError):
    """The database file is missing, not SQLite, not ours, or from a newer version."""


class InvalidEvent(TimelineError):
    """An event was refused: a field is missing or wrong, or it contradicts the log."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        self.line = line
        self.field = field
        """The dotted path of the field at fault (``data.participants[0].country``), if one is."""
        self.message = message
        """What is wrong, without the field or the line."""
        self.detail = f"{field}: {message}" if field is not None else message
        """The field and what is wrong, without the line."""
        super().__init__(f"line {line}: {self.detail}" if line is not None else self.detail)


class SourceError(InvalidEvent):
    """A record of an imported file was refused, named where the file has it.

    *where* says it in the file's own terms (``line 12, <country>``, ``row 3, column
    Year``), which a person finds in an editor or a spreadsheet; an import is refused
    whole, so the message is all they need to mend the file and run it again.
    """

    def __init__(
        self, message: str, *, where: str, line: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message, line=line, field=field)
        self.where = where
        self.args = (f"{where}: {message}",)

    def __str__(self) -> str:
        return self.args[0]


class VersionConflict(InvalidEvent):
    """The stream moved on since the version the writer expected."""


class DuplicateEvent(InvalidEvent):
    """An event id already in the log arrived with other content."""


class LogDamaged(TimelineError):
    """The log is not as timeline left it: rows were removed or rewritten, or something in
    the file interferes with its writes. Refused rather than built upon."""

    def __init__(self, message: str, *, seq: int | None = None) -> None:
        self.seq = seq
        self.detail = message
        super().__init__(f"seq {seq}: {message}" if seq is not None else message)
