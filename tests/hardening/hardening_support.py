"""Helpers shared by the hardening tests: the real `timeline` command, log checks, events."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import support
from click.testing import CliRunner, Result

from timeline import service
from timeline.cli import cli
from timeline.db import open_db

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def timeline(
    *args: str | bytes,
    cwd: Path,
    input: bytes | str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the real `timeline` command in a process of its own.

    *cwd* must not be the repository's tests folder, where ``tests/timeline`` would shadow
    the package. ``$TIMELINE_DB`` is removed, so every call names its ``--db``.
    """
    env = _clean_env()
    text = not isinstance(input, bytes)
    result = subprocess.run(
        [sys.executable, "-m", "timeline", *args],
        cwd=cwd,
        env=env,
        input=input,
        capture_output=True,
        text=text,
        timeout=timeout,
        check=False,
    )
    return result


def limited(
    *args: str, cwd: Path, file_size: int, stdout: Any = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    """The real command, unable to grow any file past *file_size* bytes: a disk gone full.

    SIGXFSZ is ignored by python, so the write fails (EFBIG) instead of killing it.
    """

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return subprocess.run(
        [sys.executable, "-m", "timeline", *args],
        cwd=cwd,
        env=_clean_env(),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size,
        check=False,
    )


def popen_timeline(*args: str, cwd: Path) -> subprocess.Popen[bytes]:
    """Start the real `timeline` command without waiting for it."""
    return subprocess.Popen(
        [sys.executable, "-m", "timeline", *args],
        cwd=cwd,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TIMELINE_DB", None)
    return env


def invoke(path: Path, *args: str, input: str | None = None) -> Result:
    """The `timeline` command run in this process (CliRunner) on the database at *path*."""
    return CliRunner().invoke(cli, [*args, "--db", str(path)], input=input)


def database_of(path: Path, lines: list[str]) -> Path:
    """A timeline database at *path* holding the events of *lines*, tables up to date.

    Closed before it is returned: the WAL is checkpointed into the one file.
    """
    db = open_db(path)
    service.import_file(db, iter(line + "\n" for line in lines))
    db.close()
    return path


def one_error_line(stderr: str) -> str:
    """The single ``Error: …`` line of a refusal; fails on anything else (a traceback…)."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr[-3000:]
    assert lines[0].startswith("Error: "), stderr[-3000:]
    assert stderr.endswith("\n")
    return lines[0]


def assert_refused(result: Result) -> str:
    """A CliRunner refusal: no traceback, exit 1, nothing on stdout, one ``Error:`` line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 1, (result.exit_code, result.output[-2000:])
    assert result.stdout == ""
    return one_error_line(result.stderr)


def plain(path: Path) -> closing[sqlite3.Connection]:
    """A plain sqlite3 connection that knows nothing of timeline (closed on exit)."""
    return closing(sqlite3.connect(path, isolation_level=None))


def count(path: Path) -> int:
    with plain(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def head(path: Path) -> tuple[int, str]:
    with plain(path) as conn:
        row = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, "")


def seqs_and_hashes(path: Path) -> list[tuple[int, str]]:
    with plain(path) as conn:
        return conn.execute("SELECT seq, hash FROM events ORDER BY seq").fetchall()


def assert_log_is_sound(path: Path, expected: int) -> None:
    """:func:`support.assert_log_is_sound` on the database file at *path*."""
    db = open_db(path, create=False)
    try:
        support.assert_log_is_sound(db, expected)
    finally:
        db.close()


def digest(path: Path) -> str:
    """The SHA-256 of a file's bytes: to show it was left exactly as it was."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fixed_id(batch: int, i: int) -> str:
    """A deterministic UUID for event *i* of *batch*."""
    return str(uuid.UUID(int=(batch << 32) | i, version=4))


def call(dev_id: str, *, title: str | None = None, tags: list[str] | None = None) -> dict:
    """A valid CallHeld event JSON object."""
    data: dict[str, Any] = {
        "development": dev_id,
        "title": title or f"Call {dev_id}",
        "when": "2024-04-02",
        "participants": [{"name": "Joe Biden", "role": "President", "country": "US"}],
    }
    if tags:
        data["tags"] = tags
    return {"type": "CallHeld", "data": data}


def batch_lines(batch: int, size: int) -> list[str]:
    """*size* creating events of three kinds, every development tagged ``batch-N``."""
    tag = f"batch-{batch}"
    lines = []
    for i in range(size):
        dev_id = f"b{batch}-{i}"
        kind = i % 3
        if kind == 0:
            event = call(dev_id, tags=[tag])
        elif kind == 1:
            event = {
                "type": "MeetingHeld",
                "data": {
                    "development": dev_id,
                    "title": f"Meeting {batch}/{i}",
                    "when": "2024-04-26",
                    "place": {"city": "Beijing", "country": "CN"},
                    "participants": [{"name": "Wang Yi"}, {"name": "Antony Blinken"}],
                    "tags": [tag, "meetings"],
                },
            }
        else:
            event = {
                "type": "StatementMade",
                "data": {
                    "development": dev_id,
                    "title": f"Statement {batch}/{i}",
                    "when": "2024-04",
                    "speaker": "Xi Jinping",
                    "quote": f"Words number {i}.",
                    "tags": [tag],
                },
            }
        event["id"] = fixed_id(batch, i)
        lines.append(json.dumps(event, ensure_ascii=False))
    return lines


def write_big_file(path: Path, developments: int, seed: int) -> int:
    """Write the benchmark generator's synthetic feed; return the number of events."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    from generate import write  # benchmarks/generate.py, standard library only

    with path.open("w", encoding="utf-8") as out:
        return write(developments, out, seed)
