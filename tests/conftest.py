"""Shared fixtures (databases on disk and in memory, the log, a CLI runner, our Datasette
plugin) and the `slow` mark of the hardening and browser tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from timeline.db import open_db
from timeline.log import EventLog

# `HYPOTHESIS_PROFILE=fast` for quick local runs; CI uses the default profile.
settings.register_profile("fast", max_examples=20, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """Datasette then loads no entry-point plugin (as in its own test suite): other installed
    plugins (datasette-ics…) change no test, and tests register the plugins they use.

    Runs before collection, so before any test module imports datasette.
    """
    sys._called_from_test = True  # type: ignore[attr-defined]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A new, initialised timeline database file (WAL needs a real file)."""
    path = tmp_path / "timeline.db"
    open_db(path).close()
    return path


@pytest.fixture
def db(db_path: Path):
    """An open connection to :func:`db_path`."""
    database = open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def memory_db():
    """An initialised in-memory database."""
    database = open_db(":memory:")
    yield database
    database.close()


@pytest.fixture
def log(db) -> EventLog:
    return EventLog(db)


@pytest.fixture
def runner(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use :func:`db_path` unless told otherwise."""
    monkeypatch.setenv("TIMELINE_DB", str(db_path))
    return CliRunner()


@pytest.fixture
def plugin():
    """Our Datasette plugin, registered for the test (entry points are skipped under pytest)."""
    from datasette.plugins import pm

    import timeline.datasette_plugin

    registered_here = not pm.is_registered(timeline.datasette_plugin)
    if registered_here:
        pm.register(timeline.datasette_plugin, name="timeline")
    yield timeline.datasette_plugin
    if registered_here:
        pm.unregister(timeline.datasette_plugin)


# Every test in these folders is slow: real processes, 20,000-event databases, a browser.
SLOW_FOLDERS = ("hardening", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of :data:`SLOW_FOLDERS` `slow`, so `-m "not slow"` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and item.path.relative_to(here).parts[0] in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
