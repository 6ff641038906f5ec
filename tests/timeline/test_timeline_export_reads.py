"""Running an export only reads: checks come first, the tables are brought up to date by
the caller (``export_to`` does it between the two), and ``--as-of`` projects into a scratch file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from timeline import service
from timeline.errors import TimelineError
from timeline.exporting import export_to, prepare_export

SAMPLE = Path(service.__file__).with_name("sample") / "blinken-beijing-2024-04.jsonl"


@pytest.fixture
def sample_db(db):
    with SAMPLE.open(encoding="utf-8") as stream:
        service.import_file(db, stream)
    return db


@pytest.mark.parametrize("as_of", [None, "10"])
def test_writing_an_export_changes_nothing_in_the_database(
    sample_db, tmp_path: Path, as_of: str | None
) -> None:
    export = prepare_export(
        sample_db, "json", str(tmp_path / "t.json"), as_of=as_of, name="T", domain="d"
    )
    before = sample_db.conn.total_changes
    export.write(sample_db)
    assert sample_db.conn.total_changes == before
    doc = json.loads((tmp_path / "t.json").read_text("utf-8"))
    assert doc["as_of"] == as_of
    assert len(doc["developments"]) == (17 if as_of is None else 3)


def test_a_refused_output_is_refused_before_anything_is_read_or_written(
    sample_db, db_path: Path
) -> None:
    before = sample_db.conn.total_changes
    with pytest.raises(TimelineError, match="is the database itself"):
        export_to(sample_db, "ical", str(db_path), name="T", domain="d")
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        prepare_export(sample_db, "pdf", "-", name="T", domain="d")
    assert sample_db.conn.total_changes == before
