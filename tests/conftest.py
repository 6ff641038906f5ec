"""Shared fixtures: databases on disk and in memory, the log, a CLI runner."""

from __future__ import annotations

import os
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
