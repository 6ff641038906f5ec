"""Crashes and a full disk: an import or a rebuild killed with SIGKILL at several points,
and a disk that fills up half-way through an import.

A kill -9 gives the process no chance to clean up; what is on disk afterwards is what
SQLite's write-ahead log made of it. The log must then hold all of an import or none of
it, and the next command must find everything in order.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hardening_support import (
    assert_log_is_sound,
    assert_refused,
    batch_lines,
    count,
    database_of,
    head,
    limited,
    one_error_line,
    plain,
    popen_timeline,
    seqs_and_hashes,
    timeline,
    write_big_file,
)

import timeline.cli.options as cli_module
from timeline import service
from timeline.cli import cli
from timeline.db import open_db
from timeline.log import verify_chain
from timeline.verification import differences

# Seconds after the start of the command; python's start-up takes about 0.3 s, so the
# first kill usually lands before the transaction begins and the others inside it.
KILL_IMPORT_AFTER = (0.3, 0.7, 1.0, 1.5, 2.0, 3.0, 4.0)
KILL_REBUILD_AFTER = (0.6, 1.0, 1.4, 1.9, 2.4)
TABLES_DIFFER = "Error: the tables differ from a rebuild of the log: "


def wal_bytes(db: Path) -> int:
    wal = Path(f"{db}-wal")
    return wal.stat().st_size if wal.exists() else 0


def quick_check(db: Path) -> str:
    with plain(db) as conn:
        return conn.execute("PRAGMA quick_check").fetchone()[0]


def kill_after(proc: subprocess.Popen[bytes], seconds: float, db: Path) -> int:
    """SIGKILL *proc* after *seconds*; return the size of the WAL just before."""
    try:
        time.sleep(seconds)
        wal = wal_bytes(db)
        proc.kill()
    finally:
        proc.wait(timeout=60)
    return wal


def file_ids(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as lines:
        return {json.loads(line)["id"] for line in lines}


def developments(db: Path, *, without: str = "") -> list[tuple]:
    with plain(db) as conn:
        return conn.execute(
            "SELECT * FROM developments WHERE id != ? ORDER BY id", [without]
        ).fetchall()


def position(db: Path) -> int:
    with plain(db) as conn:
        row = conn.execute("SELECT position FROM _projector_state").fetchone()
    return row[0] if row else 0


# --- kill -9 -------------------------------------------------------------------------


def test_an_import_killed_at_any_point_lands_whole_or_not_at_all(big_file, tmp_path: Path):
    feed, total = big_file
    assert total > 20_000
    db = tmp_path / "timeline.db"
    open_db(db).close()
    killed_while_writing = 0
    for delay in KILL_IMPORT_AFTER:
        proc = popen_timeline(
            "import", str(feed), "--silent", "--json", "--db", str(db), cwd=tmp_path
        )
        wal = kill_after(proc, delay, db)
        # The first connection after the crash recovers the WAL: uncommitted frames vanish.
        landed = count(db)
        assert landed in (0, total), f"killed after {delay} s, the log holds {landed} events"
        assert quick_check(db) == "ok"
        if landed == total:  # it finished before the kill: nothing left to interrupt
            break
        assert head(db) == (0, "")
        killed_while_writing += wal > 0
        # Nothing to catch up with: the tables were written in the same transaction.
        verify = timeline("verify", "--db", str(db), cwd=tmp_path)
        assert (verify.returncode, verify.stderr) == (0, "")
        assert verify.stdout.startswith("OK: 0 events, empty log")
    assert killed_while_writing >= 2, "no kill landed while the import was writing"

    # Run again, it completes, with every event of the file exactly once.
    result = timeline("import", str(feed), "--silent", "--json", "--db", str(db), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    report = json.loads(result.stdout)
    assert report["appended"] + report["skipped"] == total
    assert_log_is_sound(db, total)
    with plain(db) as conn:
        assert {row[0] for row in conn.execute("SELECT id FROM events")} == file_ids(feed)
    verify = timeline("verify", "--db", str(db), cwd=tmp_path)
    assert (verify.returncode, verify.stderr) == (0, ""), verify.stderr
    assert verify.stdout.startswith(f"OK: {total} events, seq 1 to {total} without gaps")


def test_a_rebuild_killed_at_any_point_keeps_the_log_and_the_tables(
    big_db: Path, big_file, tmp_path: Path
):
    _, total = big_file
    log_before = seqs_and_hashes(big_db)
    rows_before = developments(big_db)
    killed = 0
    for delay in KILL_REBUILD_AFTER:
        proc = popen_timeline("rebuild", "--silent", "--db", str(big_db), cwd=tmp_path)
        wal = kill_after(proc, delay, big_db)
        killed += proc.returncode == -signal.SIGKILL and wal > 0
        assert seqs_and_hashes(big_db) == log_before, f"killed after {delay} s"
        assert quick_check(big_db) == "ok"
        # The rebuild runs in one transaction: killed, it leaves the old tables whole.
        assert position(big_db) == total, f"killed after {delay} s"
        assert developments(big_db) == rows_before, f"killed after {delay} s"
    assert killed >= 1, "no kill landed while the rebuild was writing"

    verify = timeline("verify", "--db", str(big_db), cwd=tmp_path)
    assert (verify.returncode, verify.stderr) == (0, ""), verify.stderr
    added = timeline(
        *("add", "call", "--id", "after-the-crash", "--title", "After the crash"),
        *("--when", "2024-04-02", "--with", "Joe Biden", "--db", str(big_db)),
        cwd=tmp_path,
    )
    assert (added.returncode, added.stderr) == (0, "")
    assert position(big_db) == total + 1
    verify = timeline("verify", "--db", str(big_db), cwd=tmp_path)
    assert (verify.returncode, verify.stderr) == (0, ""), verify.stderr
    assert developments(big_db, without="after-the-crash") == rows_before
    assert seqs_and_hashes(big_db)[:-1] == log_before


def test_readers_during_a_rebuild_see_the_tables_whole(big_db: Path, tmp_path: Path):
    with plain(big_db) as conn:
        before = conn.execute("SELECT COUNT(*) FROM developments").fetchone()[0]
    seen: set[int] = set()
    proc = popen_timeline("rebuild", "--silent", "--db", str(big_db), cwd=tmp_path)
    try:
        with plain(big_db) as reader:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                seen.add(reader.execute("SELECT COUNT(*) FROM developments").fetchone()[0])
                if seen != {before}:
                    break  # enough seen: no need to wait for the rest of the rebuild
                time.sleep(0.02)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert seen == {before}, f"a reader saw {sorted(seen)} developments, not {before}"
    assert proc.returncode == 0


# --- a full disk ----------------------------------------------------------------------


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """A database of 30 events (its tables too)."""
    return database_of(tmp_path / "small.db", batch_lines(0, 30))


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """A feed of about 2,000 events, more than a nearly full disk can take."""
    path = tmp_path / "feed.jsonl"
    assert write_big_file(path, 1_700, seed=1) > 2_000
    return path


def cramp(db) -> None:
    """Leave room for 8 more pages: SQLite's stand-in for a nearly full disk."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 8}")


def test_a_full_disk_during_an_import_raises_and_leaves_the_log_as_it_was(
    small_db: Path, feed: Path
):
    before = seqs_and_hashes(small_db)
    db = open_db(small_db)
    try:
        cramp(db)
        with feed.open(encoding="utf-8") as stream, pytest.raises(sqlite3.OperationalError) as info:
            service.import_file(db, stream)
        assert str(info.value) == "database or disk is full"
        assert not db.conn.in_transaction
        assert seqs_and_hashes(small_db) == before
        assert verify_chain(db) == (30, None)
        assert differences(db) == []
        # With room again the same connection carries on from the old head.
        db.execute("PRAGMA max_page_count = 1073741823")
        with feed.open(encoding="utf-8") as stream:
            outcome = service.import_file(db, stream)
        assert outcome.appended[0].seq == 31
        assert differences(db) == []
    finally:
        db.close()
    assert_log_is_sound(small_db, 30 + len(outcome.appended))
    assert seqs_and_hashes(small_db)[:30] == before


def test_the_command_reports_a_full_disk_in_one_line(
    small_db: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
):
    real_open_db = cli_module.open_db

    def cramped_open_db(path, **options):
        db = real_open_db(path, **options)
        cramp(db)
        return db

    monkeypatch.setattr(cli_module, "open_db", cramped_open_db)
    before = seqs_and_hashes(small_db)
    result = CliRunner().invoke(cli, ["import", str(feed), "--db", str(small_db)])
    assert assert_refused(result) == f"Error: {small_db}: database or disk is full"
    assert seqs_and_hashes(small_db) == before
    result = CliRunner().invoke(
        cli,
        [
            *("add", "call", "--title", "x" * 300, "--when", "2024", "--with", "A"),
            *("--summary", "y" * 20_000, "--db", str(small_db)),
        ],
    )
    assert assert_refused(result) == f"Error: {small_db}: database or disk is full"
    assert seqs_and_hashes(small_db) == before


def test_a_real_file_size_limit_gives_one_line_and_writes_nothing(
    small_db: Path, feed: Path, tmp_path: Path
):
    # The process may not grow any file past this: the WAL fills up mid-import, as on a
    # full disk (SIGXFSZ is ignored by python, so the write fails instead of killing it).
    limit = small_db.stat().st_size + 64 * 1024
    before = seqs_and_hashes(small_db)

    result = limited("import", str(feed), "--db", str(small_db), cwd=tmp_path, file_size=limit)
    assert result.returncode == 1
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    # Linux reports EFBIG, which SQLite calls an I/O error; ENOSPC would be "disk is full".
    assert line in (
        f"Error: {small_db}: disk I/O error",
        f"Error: {small_db}: database or disk is full",
    )
    assert seqs_and_hashes(small_db) == before
    verify = timeline("verify", "--db", str(small_db), cwd=tmp_path)
    assert (verify.returncode, verify.stderr) == (0, "")
