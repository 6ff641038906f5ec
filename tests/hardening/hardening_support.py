"""Helpers shared by the hardening tests: the real `timeline` command, log checks, events."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections import defaultdict
from contextlib import closing
from pathlib import Path
from typing import Any

from click.testing import Result

from timeline.log import verify_chain

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
    """Exactly *expected* events, seq 1..N, stream versions 1..n each, the chain intact."""
    with plain(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == expected
        seqs = [r[0] for r in conn.execute("SELECT seq FROM events ORDER BY seq")]
        assert seqs == list(range(1, expected + 1))
        assert conn.execute("SELECT COUNT(DISTINCT id) FROM events").fetchone()[0] == expected
        versions: dict[str, list[int]] = defaultdict(list)
        for stream, version in conn.execute(
            "SELECT stream, stream_version FROM events ORDER BY seq"
        ):
            versions[stream].append(version)
    for stream, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), stream
    from timeline.db import open_db

    db = open_db(path, create=False)
    try:
        assert verify_chain(db) == (expected, None)
    finally:
        db.close()


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
