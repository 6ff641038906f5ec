"""Fixtures for the hardening tests: a big synthetic feed and a database holding it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hardening_support import write_big_file

from timeline import service
from timeline.db import open_db

# About 20,000 events: 16,600 developments and their lifecycle events.
BIG_DEVELOPMENTS = 16_600
BIG_SEED = 7


@pytest.fixture(scope="session")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The benchmark generator's feed of about 20,000 events, and its event count."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    return path, write_big_file(path, BIG_DEVELOPMENTS, BIG_SEED)


@pytest.fixture(scope="session")
def big_db_template(big_file, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the whole big feed (do not write to it: copy it)."""
    path = tmp_path_factory.mktemp("big-db") / "big.db"
    db = open_db(path)
    with big_file[0].open(encoding="utf-8") as stream:
        service.import_file(db, stream)
    db.close()  # the last connection: the WAL is checkpointed into the file and removed
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def big_db(big_db_template: Path, tmp_path: Path) -> Path:
    """A copy of the big database, for one test to do with as it likes."""
    path = tmp_path / "big.db"
    shutil.copy(big_db_template, path)
    return path
