"""`timeline snapshot`: a verified copy at one log head, served as a read replica."""

from __future__ import annotations

import sqlite3
import sys
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import import_sample, running_server, serving

from timeline.cli import cli
from timeline.db import open_db


@pytest.fixture
def sample(db_path: Path) -> Path:
    db = open_db(db_path)
    import_sample(db)
    db.close()
    return db_path


def rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


def test_a_snapshot_is_one_verified_file_at_the_log_s_head(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "replica" / "timeline.db"
    out.parent.mkdir()
    result = CliRunner().invoke(cli, ["snapshot", str(out), "--db", str(sample)])
    assert result.exit_code == 0, result.output
    (head,) = rows(sample, "SELECT seq || ':' || hash FROM events ORDER BY seq DESC LIMIT 1")
    assert result.stdout == (
        f"Wrote {out}: 27 events, log and tables at head {head[0]}, hash chain verified\n"
    )
    # One file, no write-ahead log beside it: what `datasette -i` and `publish` want.
    assert sorted(p.name for p in out.parent.iterdir()) == ["timeline.db"]
    assert rows(out, "PRAGMA journal_mode") == [("delete",)]
    for table in ("events", "developments", "participants", "actors", "_projector_state"):
        assert rows(out, f"SELECT * FROM {table}") == rows(sample, f"SELECT * FROM {table}")
    verified = CliRunner().invoke(cli, ["verify", "--db", str(out)])
    assert verified.exit_code == 0, verified.output


def test_a_snapshot_refuses_to_overwrite_and_writes_nothing(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.db"
    out.write_text("keep me")
    folder = tmp_path / "folder"
    folder.mkdir()
    cases = [
        (str(out), f"Error: OUT: {out} exists; remove it or give --replace\n"),
        (str(sample), f"Error: OUT: {sample} is the database itself; name another file\n"),
        (
            f"{sample}-wal",
            f"Error: OUT: {sample}-wal is the database's -wal file; name another file\n",
        ),
        (str(folder), f"Error: OUT: {folder} is a folder; name a file in it\n"),
        (
            str(tmp_path / "nowhere" / "x.db"),
            f"Error: OUT: the folder {tmp_path / 'nowhere'} does not exist\n",
        ),
    ]
    for target, message in cases:
        result = CliRunner().invoke(cli, ["snapshot", target, "--db", str(sample)])
        assert (result.exit_code, result.stderr) == (1, message)
    assert out.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    # --replace swaps the old file for a verified copy.
    result = CliRunner().invoke(cli, ["snapshot", str(out), "--replace", "--db", str(sample)])
    assert result.exit_code == 0, result.output
    assert rows(out, "SELECT COUNT(*) FROM events") == [(27,)]


def test_a_database_with_a_trigger_timeline_did_not_make_gives_no_snapshot(
    sample: Path, tmp_path: Path
) -> None:
    """A replica carries whatever the file holds: a planted trigger would travel with it."""
    with closing(sqlite3.connect(sample)) as conn, conn:
        conn.execute("CREATE TRIGGER planted AFTER INSERT ON tags BEGIN SELECT 1; END")
    out = tmp_path / "copy.db"
    result = CliRunner().invoke(cli, ["snapshot", str(out), "--db", str(sample)])
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no copy made: the database has schema objects "
        "timeline did not make: trigger planted on tags; they can change what is written "
        "or read: look at them, then drop them\n",
    )
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def get(url: str) -> tuple[bytes, str | None]:
    """The body and the ETag, asked for as behind a load balancer: one public host name."""
    request = urllib.request.Request(url, headers={"Host": "timeline.example"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read(), response.headers["ETag"]


@pytest.mark.slow
def test_a_snapshot_served_by_datasette_immutable_answers_as_the_live_database(
    sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "replica" / "timeline.db"  # the same name: the same URLs
    out.parent.mkdir()
    assert CliRunner().invoke(cli, ["snapshot", str(out), "--db", str(sample)]).exit_code == 0
    pages = [
        "/timeline/developments.json?_shape=array&_sort=id",
        "/timeline/developments.ics",
        "/timeline/developments.atom",
        "/timeline/developments.timelinejs",
        "/timeline/involving_actor.json?name=Wang+Yi&_shape=array",
        "/timeline/developments?_search=%E7%8E%8B%E6%AF%85",
    ]

    def replica(port: int) -> list[str]:
        return [sys.executable, "-m", "datasette", "serve", "-i", str(out), "--port", str(port)]

    with serving(sample, tmp_path / "live.log") as live:
        from_live = [get(live + page) for page in pages]
    with running_server(replica, tmp_path / "replica.log") as copy:
        from_copy = [get(copy + page) for page in pages]
    for page, (mine, my_tag), (theirs, their_tag) in zip(pages, from_live, from_copy, strict=True):
        if page.startswith("/timeline/developments?"):  # an HTML page: its rows
            assert mine.count(b"<tr") == theirs.count(b"<tr") > 1, page
        else:
            assert mine == theirs, page
        # The same head, the same ETag: a calendar app's copy stays good on any replica.
        assert my_tag == their_tag, page
