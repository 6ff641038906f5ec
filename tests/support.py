"""Helpers shared by tests in several folders: the bundled sample, log checks, a free port.

Imported as ``support`` (pytest puts tests/ on the path for tests/conftest.py, as it does
for ``strategies``). Fixtures live in tests/conftest.py; hardening-only helpers in
tests/hardening/hardening_support.py.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from timeline import service
from timeline.log import verify_chain

# Found beside a real module: `files("timeline")` could resolve to the namespace package
# tests/timeline, which shadows the installed one when tests/ is on the path.
SAMPLE = Path(service.__file__).with_name("sample") / "blinken-beijing-2024-04.jsonl"


def sample_lines() -> list[dict[str, Any]]:
    """The sample's events, as the JSON objects of its lines."""
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def import_sample(db: Any) -> service.Outcome:
    """Import the whole sample (27 events, 17 developments) into *db*."""
    with SAMPLE.open(encoding="utf-8") as stream:
        return service.import_file(db, stream)


def count(db: Any) -> int:
    """The number of events in the log of an open database."""
    return db.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def all_rows(db: Any) -> list[tuple]:
    """Every row of the log, in order: to show that a refusal wrote nothing."""
    return db.execute("SELECT * FROM events ORDER BY seq").fetchall()


def assert_log_is_sound(db: Any, expected: int) -> None:
    """Exactly *expected* events, seq 1..N, stream versions 1..n each, the chain intact."""
    assert count(db) == expected
    seqs = [r[0] for r in db.execute("SELECT seq FROM events ORDER BY seq")]
    assert seqs == list(range(1, expected + 1))
    assert db.execute("SELECT COUNT(DISTINCT id) FROM events").fetchone()[0] == expected
    versions: dict[str, list[int]] = defaultdict(list)
    for stream, version in db.execute("SELECT stream, stream_version FROM events ORDER BY seq"):
        versions[stream].append(version)
    for stream, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), stream
    assert verify_chain(db) == (expected, None)


def query_path(database: str) -> str:
    """Where Datasette runs written SQL on *database*, the format's extension to follow:
    ``/db/-/query`` from 1.0 on (its old address redirects there), ``/db`` before."""
    from datasette.url_builder import Urls

    return f"/{database}/-/query" if hasattr(Urls, "database_query") else f"/{database}"


TABLE_EXTRAS = "&".join(
    f"_extra={name}" for name in ("count", "facet_results", "human_description_en", "query")
)
"""What a table's JSON tells besides its rows: Datasette 1.0 says it when asked (``_extra``),
0.65 always (and ignores ``_extra``)."""


def facet_results(data: dict[str, Any]) -> dict[str, Any]:
    """A table JSON's facets by name (1.0 has them under ``results``, beside those that
    timed out)."""
    found = data["facet_results"]
    return found["results"] if "timed_out" in found else found


def row_count(data: dict[str, Any]) -> int:
    """How many rows a table JSON's filters select (``count`` from 1.0 on)."""
    return data["count"] if "count" in data else data["filtered_table_rows_count"]


def free_port() -> int:
    """A TCP port on localhost that nothing listens on, for a `timeline serve`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(url: str) -> Any:
    """The JSON document at *url*, fetched over real HTTP."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@contextmanager
def serving(db: Path, log_path: Path, *options: str) -> Iterator[str]:
    """`timeline serve` on *db* on a free port, in a process of its own; yields its base URL.

    Yields once Datasette answers; its output goes to *log_path*, shown if it dies first.
    """
    command = [sys.executable, "-m", "timeline", "serve", "--db", str(db)]
    with running_server(lambda port: [*command, "--port", str(port), *options], log_path) as base:
        yield base


@contextmanager
def running_server(command: Any, log_path: Path) -> Iterator[str]:
    """The server ``command(port)`` starts on 127.0.0.1, until the block ends; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        proc = subprocess.Popen(command(port), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while True:
                assert proc.poll() is None, log_path.read_text()
                try:
                    with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                        break
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline, "the server did not answer in 20 s"
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
