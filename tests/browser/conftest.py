"""A real browser (Debian's Chromium, driven by Playwright) and the pages it looks at.

Playwright's own browser download is never used: the tests launch /usr/bin/chromium
(or `chromium` on the PATH) and are skipped when there is none.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import SAMPLE, serving
from timeline.exports import html

import timeline.datasette_plugin
from timeline import service
from timeline.db import open_db
from timeline.projector import catch_up
from timeline.selection import records

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Added to a copy of the sample: a development known to the month, a call planned for
# an approximate day and then cancelled, and a planned one postponed to a known day.
MONTH_MEETING = "2024-05-wang-yi-meets-stephane-sejourne"
APPROXIMATE_CALL = "2024-02-20-wang-yi-calls-jake-sullivan"
POSTPONED = "china-us-maritime-consultations"
EXTRA_EVENTS = [
    {
        "type": "MeetingHeld",
        "data": {
            "development": MONTH_MEETING,
            "title": "Wang Yi meets Stéphane Séjourné",
            "when": "2024-05",
            "participants": [
                {"name": "Wang Yi", "role": "Foreign Minister", "country": "CN"},
                {"name": "Stéphane Séjourné", "role": "Foreign Minister", "country": "FR"},
            ],
            "place": {"name": "Quai d'Orsay", "city": "Paris", "country": "FR"},
            "sources": [{"url": "https://example.org/wang-yi-paris", "title": "Wang Yi in Paris"}],
            "tags": ["china-france"],
        },
    },
    {
        "type": "DevelopmentScheduled",
        "data": {
            "development": APPROXIMATE_CALL,
            "kind": "call",
            "title": "Wang Yi and Jake Sullivan speak by phone",
            "when": "2024-02-20~",
            "participants": [
                {"name": "Wang Yi", "role": "Foreign Minister", "country": "CN"},
                {"name": "Jake Sullivan", "role": "National Security Advisor", "country": "US"},
            ],
            "tags": ["china-us"],
        },
    },
    {
        "type": "DevelopmentCancelled",
        "data": {"development": APPROXIMATE_CALL, "reason": "Recorded as a test of the page."},
    },
    {
        "type": "DevelopmentPostponed",
        "data": {
            "development": POSTPONED,
            "when": "2024-06-10",
            "reason": "Recorded as a test of the page.",
        },
    },
]


def build(path: Path, *lines: str) -> list[dict[str, Any]]:
    """A timeline database at *path* from JSON Lines; its records in export order."""
    db = open_db(path)
    try:
        for text in lines:
            service.import_file(db, io.StringIO(text))
        catch_up(db)
        return list(records(db.conn))
    finally:
        db.close()


def write_page(path: Path, selected: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        for chunk in html.render(selected):
            out.write(chunk)
    return path


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundled sample plus :data:`EXTRA_EVENTS`: its database, records and HTML page."""
    folder = tmp_path_factory.mktemp("sample")
    extra = "".join(json.dumps(event, ensure_ascii=False) + "\n" for event in EXTRA_EVENTS)
    selected = build(folder / "timeline.db", SAMPLE.read_text(encoding="utf-8"), extra)
    page = write_page(folder / "timeline.html", selected)
    return {
        "db": folder / "timeline.db",
        "records": selected,
        "page": page,
        "month_meeting": MONTH_MEETING,
        "approximate_call": APPROXIMATE_CALL,
        "postponed": POSTPONED,
    }


@pytest.fixture
def page_of() -> Any:
    """Write an HTML page of some records: ``page_of(path, records) -> path``."""
    return write_page


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """5,000 synthetic developments (benchmarks/generate.py) as an HTML page."""
    folder = tmp_path_factory.mktemp("many")
    generated = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "5000"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    selected = build(folder / "many.db", generated)
    return {"records": selected, "page": write_page(folder / "many.html", selected)}


def chromium_path() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per test module."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def errors() -> list[str]:
    """The console errors and uncaught exceptions of :func:`page`, as they happen."""
    return []


@pytest.fixture
def page(browser: Any, errors: list[str]) -> Iterator[Any]:
    """A new tab, 1280x900, that reports its console errors into :func:`errors`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    try:
        yield tab
    finally:
        context.close()


# --- Datasette, as `timeline serve` runs it -------------------------------------------

_HOOKS = '''\
"""Registers the timeline page while timeline.datasette_plugin does not yet."""
from datasette import hookimpl


@hookimpl
def register_routes(datasette):
    from timeline.timeline_page import ROUTE, timeline_page

    return [(ROUTE, timeline_page)]


@hookimpl
def table_actions(datasette, actor, database, table, request):
    from timeline.timeline_page import table_action

    return table_action(datasette, database, table, request)
'''


@pytest.fixture(scope="module")
def served(sample: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`timeline serve` on the sample database, on a free port; yields its base URL."""
    folder = tmp_path_factory.mktemp("serve")
    extra: list[str] = []
    if not hasattr(timeline.datasette_plugin, "register_routes"):
        (folder / "plugins").mkdir()
        (folder / "plugins" / "timeline_page_hooks.py").write_text(_HOOKS, encoding="utf-8")
        extra = ["--plugins-dir", str(folder / "plugins")]
    with serving(sample["db"], folder / "serve.log", *extra) as base:
        yield base
