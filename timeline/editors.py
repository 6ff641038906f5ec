"""Who may write from the browser and over HTTP: the editors file beside a database.

Each editor has a name (what the log records as ``meta.recorded_by``) and a token shown
once, when the editor is added. The file keeps only a salted SHA-256 of each token, so
reading the file gives no one a way in; it is written with mode 0600 and lives beside
the database, never inside it, because Datasette serves the database to every visitor.

Tokens are 256 random bits, so a fast hash is as safe as a slow one: nobody can guess
a token, however many hashes a second they try, and a request is checked in microseconds.
A token starts with its editor's key (``tl_<key>_<secret>``), so checking one reads one
entry, not every editor's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from timeline.errors import TimelineError

SUFFIX = ".editors.json"
"""The editors file of ``diplomacy.db`` is ``diplomacy.db.editors.json`` unless told."""
PREFIX = "tl_"
"""Our tokens' mark: other Bearer tokens (Datasette's own, another plugin's) are not ours."""
MAX_NAME = 100


SERVED = "TIMELINE_EDITORS"
"""Set by `timeline serve --editors` for the server it starts: database path -> editors file."""


def served_mapping(database: str, editors: str) -> str:
    """The value of :data:`SERVED` that points *database* at the editors file *editors*."""
    return json.dumps({os.path.abspath(database): os.path.abspath(editors)})


def served_editors() -> dict[str, str]:
    """What `timeline serve --editors` said, database path -> editors file (else nothing)."""
    try:
        found = json.loads(os.environ.get(SERVED) or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class EditorError(TimelineError):
    """An editor or the editors file cannot be used as asked."""


@attrs.frozen
class Editor:
    """One entry of the editors file."""

    name: str
    key: str
    """Public, random, in the token: says which entry a token claims to be."""
    salt: str
    digest: str
    added: str

    def holds(self, secret: str) -> bool:
        """Whether *secret* (the token after its key) is this editor's."""
        return hmac.compare_digest(_digest(self.salt, secret), self.digest)


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def default_path(database: str | os.PathLike[str]) -> Path:
    """Where the editors of *database* are kept unless another file is named."""
    return Path(f"{os.fspath(database)}{SUFFIX}")


def check_name(name: str) -> str:
    """An editor's name as the log will record it: trimmed, one line, not too long."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise EditorError("NAME: must not be empty")
    if len(name) > MAX_NAME:
        raise EditorError(f"NAME: longer than {MAX_NAME} characters")
    if any(unicodedata.category(char)[0] in "CZ" and char != " " for char in name):
        raise EditorError(f"NAME: {name!r} holds a control character or a line break")
    return name


class EditorsFile:
    """The editors of one database, read fresh from the file on every question.

    Reading is cheap (one ``stat`` when nothing changed), and a removed editor is refused
    at once, even by a server started before the removal.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._seen: tuple[int, int, int] | None = None
        self._editors: list[Editor] = []

    def exists(self) -> bool:
        """Whether the file is there: writing is enabled only when it is."""
        return self.path.is_file()

    def editors(self) -> list[Editor]:
        """Every editor, in the order they were added (none when the file is missing)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._editors = None, []
            return []
        except OSError as exc:
            raise self._error("read", exc) from None
        # A replaced file is a new inode: a change within one tick of the clock is seen too.
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            self._editors = self._read()
            self._seen = seen
        return list(self._editors)

    def _read(self) -> list[Editor]:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
            editors = [
                Editor(e["name"], e["key"], e["salt"], e["hash"], e["added"])
                for e in found["editors"]
            ]
            for editor in editors:
                bytes.fromhex(editor.salt)  # a damaged salt: refused here, not at sign-in
            return editors
        except OSError as exc:
            raise self._error("read", exc) from None
        except (ValueError, KeyError, TypeError):  # not JSON, not ours, a damaged salt
            raise EditorError(
                f"{self.path}: not an editors file (written by `timeline editor add`)"
            ) from None

    def find(self, token: str) -> Editor | None:
        """The editor whose token this is, or None."""
        key, secret = _split(token)
        if key is None:
            return None
        for editor in self.editors():
            if editor.key == key:
                return editor if editor.holds(secret) else None
        return None

    def current(self, name: str, key: str) -> bool:
        """Whether the editor *name* still holds the key a signed-in browser was given."""
        return any(e.key == key and e.name == name for e in self.editors())

    def add(self, name: str) -> str:
        """Add an editor; return their token, which is never stored and never shown again."""
        name = check_name(name)
        with self._changing():
            editors = self.editors()
            if any(e.name.casefold() == name.casefold() for e in editors):
                raise EditorError(f"NAME: {name!r} is already an editor (remove them first)")
            key, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
            salt = secrets.token_hex(16)
            added = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            editor = Editor(name, key, salt, _digest(salt, secret), added)
            self._write([*editors, editor])
        return f"{PREFIX}{key}_{secret}"

    def remove(self, name: str) -> Editor:
        """Remove the editor *name*: their token, and every browser signed in with it, stop."""
        wanted = unicodedata.normalize("NFC", name.strip()).casefold()
        with self._changing():
            editors = self.editors()
            kept = [e for e in editors if e.name.casefold() != wanted]
            if len(kept) == len(editors):
                raise EditorError(f"NAME: {name!r} is not an editor of {self.path}")
            self._write(kept)
        return next(e for e in editors if e not in kept)

    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        """Hold the file's lock while it is read, changed and written again, so that two
        `timeline editor` commands at once do not lose one's change."""
        lock = self.path.with_name(f".{self.path.name}.lock")
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            raise self._error("lock", exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._seen = None  # read what the last holder wrote
            yield
        finally:
            os.close(fd)

    def _error(self, doing: str, exc: OSError) -> EditorError:
        return EditorError(f"{self.path}: cannot {doing} the editors file: {exc.strerror}")

    def _write(self, editors: list[Editor]) -> None:
        """Replace the file whole (a reader sees the old list or the new, never half), 0600."""
        entries = [
            {"name": e.name, "key": e.key, "salt": e.salt, "hash": e.digest, "added": e.added}
            for e in editors
        ]
        text = json.dumps({"editors": entries}, indent=2, ensure_ascii=False) + "\n"
        scratch = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        try:
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(scratch, self.path)
        except OSError as exc:
            scratch.unlink(missing_ok=True)
            raise self._error("write", exc) from None
        self._seen = None


def _split(token: str) -> tuple[str | None, str]:
    """``tl_<key>_<secret>`` as key and secret; no key when it is not one of ours."""
    if not token.startswith(PREFIX):
        return None, ""
    key, _, secret = token[len(PREFIX) :].partition("_")
    return (key, secret) if key and secret else (None, "")


def is_ours(token: str) -> bool:
    """Whether *token* has the shape of an editor's token (it may still be wrong)."""
    return _split(token)[0] is not None


def describe(editor: Editor) -> dict[str, Any]:
    """What `timeline editor list` shows of an editor: never the hash or the salt."""
    return {"name": editor.name, "added": editor.added}
