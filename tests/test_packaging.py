"""The built wheel installs one import name, `timeline`, beside any other package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_installs_beside_the_events_package(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("diplomatic_timeline-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names if not name.startswith("diplomatic_")} == {
        "timeline"
    }
    assert "timeline/events/codec.py" in names
    assert "timeline/exports/timeline.schema.json" in names
    assert "timeline/exports/static/timeline/main.js" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The unrelated `Events` package installs a top-level `events`: both import.
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", str(wheel), "Events"],
        check=True,
        timeout=300,
    )
    both = (
        "import events, timeline.events.vocabulary as v, timeline.exports\n"
        "print(events.Events.__module__, v.KINDS[0], timeline.exports.__name__)"
    )
    found = subprocess.run(  # away from the checkout, whose folders would be found first
        [python, "-c", both], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == ["events.events", "meeting", "timeline.exports"]
