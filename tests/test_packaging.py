"""The built wheel installs one import name, `timeline`, beside any other package."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_installs_beside_the_events_package_and_datasette_ics(tmp_path: Path) -> None:
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
    assert "timeline/datasette_plugin/templates/timeline_form.html" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The unrelated `Events` package installs a top-level `events`: both import. With
    # datasette-ics, another plugin offering .ics, both plugins load and serve.
    subprocess.run(
        [python, "-m", "pip", "install", "-q", str(wheel), "Events", "datasette-ics"],
        check=True,
        timeout=600,
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

    database = tmp_path / "desk.db"
    subprocess.run(
        [venv / "bin" / "timeline", "init", "--db", str(database)], check=True, timeout=60
    )
    datasette = venv / "bin" / "datasette"

    def get(path: str) -> str:
        answer = subprocess.run(
            [datasette, str(database), "--get", path],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        assert answer.returncode == 0, answer.stderr
        return answer.stdout

    plugins = {plugin["name"] for plugin in json.loads(get("/-/plugins.json"))}
    assert {"diplomatic-timeline", "datasette-ics"} <= plugins
    assert get("/desk/developments.ics").startswith("BEGIN:VCALENDAR")
