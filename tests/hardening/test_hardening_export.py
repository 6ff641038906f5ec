"""`timeline export -o FILE` and to stdout: it never destroys data, and every failure says so.

An output that is the database (under any name) or any other SQLite file is refused before
anything is written. A regular file is replaced whole or not at all, keeping its mode; a
symlink is written through; a FIFO or a device is written in place, never replaced. A write
that fails (a full disk, a file size limit) is one ``Error:`` line and a non-zero exit, and
leaves no temp file and no half-written target behind.

Device nodes are made inside the test's own folder (never ``-o /dev/...``): the code as it
was replaced the node itself.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hardening_support import (
    assert_refused,
    digest,
    limited,
    one_error_line,
    plain,
    popen_timeline,
    timeline,
)
from support import import_sample

from timeline.cli import cli
from timeline.db import open_db

ROOT = os.geteuid() == 0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding t.db, the sample's 27 events, checkpointed into its one file."""
    path = tmp_path / "work"
    path.mkdir()
    db = open_db(path / "t.db")
    import_sample(db)
    db.close()
    return path


@pytest.fixture
def expected(folder: Path) -> dict[str, bytes]:
    """What each format exports to stdout (the bytes a file must receive)."""
    out = {}
    for fmt in ("ical", "html"):
        result = timeline("export", fmt, "--db", "t.db", cwd=folder, input=b"")
        assert (result.returncode, result.stderr) == (0, b"")
        out[fmt] = result.stdout
    return out


def export(folder: Path, *args: str) -> object:
    """`timeline export` run in-process from *folder* (relative names are the user's)."""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, ["export", *args, "--db", "t.db"])
    finally:
        os.chdir(cwd)


def listing(folder: Path) -> list[str]:
    """The names in *folder*, but the database's -wal and -shm (an in-process run keeps them)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in ("t.db-wal", "t.db-shm"))


# --- hole 1: the database, or any SQLite file, is never an output ------------------------


def _spellings(folder: Path) -> dict[str, str]:
    os.link(folder / "t.db", folder / "hard.db")
    os.symlink("t.db", folder / "soft.ics")
    (folder / "sub").mkdir()
    return {
        "plain": "t.db",
        "dotted": "./././t.db",
        "absolute": str(folder / "t.db"),
        "through a folder": "sub/../t.db",
        "hard link": "hard.db",
        "symlink": "soft.ics",
    }


@pytest.mark.parametrize(
    "spelling", ["plain", "dotted", "absolute", "through a folder", "hard link", "symlink"]
)
@pytest.mark.parametrize("fmt", ["ical", "html"])
def test_the_database_itself_is_refused_under_any_name(folder: Path, spelling: str, fmt: str):
    output = _spellings(folder)[spelling]
    before = digest(folder / "t.db")
    result = export(folder, fmt, "-o", output)
    assert assert_refused(result) == (
        f"Error: -o: {output} is the database itself; name another file"
    )
    assert digest(folder / "t.db") == before
    assert listing(folder) == ["hard.db", "soft.ics", "sub", "t.db"]
    assert (folder / "soft.ics").is_symlink()
    with plain(folder / "t.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 27


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_the_databases_wal_and_shm_files_are_refused(folder: Path, suffix: str):
    """While the export runs they exist, and replacing them would lose committed events."""
    before = digest(folder / "t.db")
    result = timeline("export", "ical", "--db", "t.db", "-o", f"t.db{suffix}", cwd=folder)
    assert result.returncode == 1
    assert result.stdout == ""
    assert one_error_line(result.stderr) == (
        f"Error: -o: t.db{suffix} is the database's {suffix} file; name another file"
    )
    assert digest(folder / "t.db") == before
    assert listing(folder) == ["t.db"]
    verify = timeline("verify", "--db", "t.db", cwd=folder)
    assert (verify.returncode, verify.stderr) == (0, "")


def test_another_sqlite_file_is_refused_and_left_byte_for_byte(folder: Path):
    other = folder / "other.db"
    with plain(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    timeline_copy = folder / "copy.db"
    timeline_copy.write_bytes((folder / "t.db").read_bytes())
    os.symlink("other.db", folder / "link.ics")
    for name in ("other.db", "copy.db", "link.ics"):
        before = {name: digest(folder / name) for name in listing(folder)}
        result = export(folder, "ical", "-o", name)
        assert assert_refused(result) == (
            f"Error: -o: {name} is a SQLite database file; name another file"
        )
        assert {name: digest(folder / name) for name in listing(folder)} == before
    assert (folder / "link.ics").is_symlink()


# --- hole 2: what the output is decides how it is written --------------------------------


def test_a_symlink_is_written_through_to_its_target(folder: Path, expected: dict[str, bytes]):
    target = folder / "published" / "china.ics"
    target.parent.mkdir()
    target.write_bytes(b"old calendar\n")
    target.chmod(0o600)
    os.symlink("published/china.ics", folder / "china.ics")
    os.symlink("published/new.ics", folder / "dangling.ics")

    for link in ("china.ics", "dangling.ics"):
        result = export(folder, "ical", "-o", link)
        assert (result.exit_code, result.output) == (0, "")
        assert (folder / link).is_symlink()
        assert (folder / link).read_bytes() == expected["ical"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert listing(target.parent) == ["china.ics", "new.ics"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o660])
def test_an_existing_file_keeps_its_mode(folder: Path, expected: dict[str, bytes], mode: int):
    target = folder / "private.ics"
    target.write_bytes(b"old\n")
    target.chmod(mode)
    result = export(folder, "ical", "-o", "private.ics")
    assert (result.exit_code, result.output) == (0, "")
    assert target.read_bytes() == expected["ical"]
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert listing(folder) == ["private.ics", "t.db"]


@pytest.mark.skipif(not ROOT, reason="only root can give a file to another owner")
def test_an_existing_file_keeps_its_owner(folder: Path, expected: dict[str, bytes]):
    target = folder / "theirs.ics"
    target.write_bytes(b"old\n")
    os.chown(target, 4321, 4322)
    result = export(folder, "ical", "-o", "theirs.ics")
    assert (result.exit_code, result.output) == (0, "")
    assert target.read_bytes() == expected["ical"]
    assert (target.stat().st_uid, target.stat().st_gid) == (4321, 4322)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_a_plain_open_gives(folder: Path, umask: int, mode: int):
    result = subprocess.run(
        [sys.executable, "-m", "timeline", "export", "ical", "--db", "t.db", "-o", "new.ics"],
        cwd=folder,
        env={k: v for k, v in os.environ.items() if k != "TIMELINE_DB"},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(umask),
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert stat.S_IMODE((folder / "new.ics").stat().st_mode) == mode
    assert listing(folder) == ["new.ics", "t.db"]


def test_a_fifo_is_written_in_place(folder: Path, expected: dict[str, bytes]):
    fifo = folder / "feed"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = timeline("export", "html", "--db", "t.db", "-o", "feed", cwd=folder)
    reader.join(timeout=20)
    assert (result.returncode, result.stderr) == (0, "")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received == [expected["html"]]
    assert listing(folder) == ["feed", "t.db"]


@pytest.mark.skipif(not ROOT, reason="making a device node needs root")
def test_a_character_device_is_written_in_place(folder: Path):
    """A copy of /dev/null and one of /dev/full, made in the test's folder."""
    null = folder / "null"
    full = folder / "full"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))

    result = export(folder, "ical", "-o", "null")
    assert (result.exit_code, result.output) == (0, "")
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert null.stat().st_rdev == os.makedev(1, 3)

    result = export(folder, "html", "-o", "full")
    assert assert_refused(result) == "Error: -o: cannot write full: No space left on device"
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert listing(folder) == ["full", "null", "t.db"]


def test_a_socket_is_refused_in_one_line_and_left_alone(folder: Path):
    cwd = os.getcwd()
    os.chdir(folder)  # a socket's path is limited to about 100 bytes: keep it relative
    try:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind("sock")
    finally:
        os.chdir(cwd)
    try:
        result = export(folder, "ical", "-o", "sock")
        assert assert_refused(result) == ("Error: -o: cannot write sock: No such device or address")
        assert stat.S_ISSOCK((folder / "sock").lstat().st_mode)
        assert listing(folder) == ["sock", "t.db"]
    finally:
        server.close()


# --- hole 3: a write that fails is one line, and leaves nothing half-written --------------

# Above the 32 KiB of the -shm file SQLite makes on opening, below the 83 KB of the page.
FILE_SIZE_LIMIT = 48 * 1024


def test_a_full_disk_leaves_the_old_file_and_no_temp_file(folder: Path, expected: dict[str, bytes]):
    assert len(expected["html"]) > FILE_SIZE_LIMIT
    old = folder / "page.html"
    old.write_bytes(b"<p>the page as it was</p>\n")
    result = limited(
        "export", "html", "--db", "t.db", "-o", "page.html", cwd=folder, file_size=FILE_SIZE_LIMIT
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert one_error_line(result.stderr) == "Error: -o: cannot write page.html: File too large"
    assert old.read_bytes() == b"<p>the page as it was</p>\n"
    assert listing(folder) == ["page.html", "t.db"]

    result = limited(
        "export", "html", "--db", "t.db", "-o", "new.html", cwd=folder, file_size=FILE_SIZE_LIMIT
    )
    assert result.returncode == 1
    assert one_error_line(result.stderr) == "Error: -o: cannot write new.html: File too large"
    assert listing(folder) == ["page.html", "t.db"]


def test_a_full_disk_on_stdout_is_one_error_line(folder: Path, expected: dict[str, bytes]):
    """`export html > file` on a nearly full disk used to exit 0 with the page cut short."""
    with (folder.parent / "page.html").open("wb") as out:
        result = limited(
            "export", "html", "--db", "t.db", cwd=folder, stdout=out, file_size=FILE_SIZE_LIMIT
        )
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "Error: cannot write to standard output: File too large"
    )


def test_dev_full_as_stdout_is_one_error_line(folder: Path):
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "timeline", "export", "html", "--db", "t.db"],
            cwd=folder,
            env={k: v for k, v in os.environ.items() if k != "TIMELINE_DB"},
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "Error: cannot write to standard output: No space left on device"
    )


def test_a_closed_pipe_ends_quietly_with_a_non_zero_exit(folder: Path, expected: dict[str, bytes]):
    """As `cat big | head` ends: no message, and a status that says the output is not whole."""
    assert len(expected["html"]) > 70_000  # more than a pipe holds
    proc = popen_timeline("export", "html", "--db", "t.db", cwd=folder)
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert proc.stdout.read(10) == expected["html"][:10]
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert stderr == b""
