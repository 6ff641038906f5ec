"""The registry of export formats: adding a format is one entry in ``exports.formats``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette
from timeline.exports import formats

from timeline import exporting, service

SAMPLE = Path(service.__file__).with_name("sample") / "blinken-beijing-2024-04.jsonl"


def _toy(records: Iterable[Mapping[str, Any]], context: formats.Context) -> Iterator[str]:
    """One line per development: its id, then the title of the export."""
    yield f"# {context.title}\n"
    for record in records:
        yield f"{record['id']}\n"


TOY = formats.Format(
    name="toy",
    extension="toy",
    content_type="text/plain; charset=utf-8",
    render=_toy,
    renderer=True,
)


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> formats.Format:
    monkeypatch.setitem(formats.REGISTRY, TOY.name, TOY)
    return TOY


@pytest.fixture
def sample_db(db):
    with SAMPLE.open(encoding="utf-8") as stream:
        service.import_file(db, stream)
    return db


@pytest.fixture
def registered():
    """Our Datasette plugin, registered for the test (entry points are skipped under pytest)."""
    from datasette.plugins import pm

    import timeline.datasette_plugin as plugin

    here = not pm.is_registered(plugin)
    if here:
        pm.register(plugin, name="timeline")
    yield plugin
    if here:
        pm.unregister(plugin)


def test_the_command_line_names_are_the_registry_names() -> None:
    assert exporting.FORMATS == ("ical", "json", "timelinejs", "atom", "html", "csv")
    assert tuple(formats.REGISTRY) == exporting.FORMATS


def test_datasette_offers_the_formats_that_ask_for_a_renderer(registered) -> None:
    offered = registered.register_output_renderer(datasette=None)
    assert [r["extension"] for r in offered] == ["ics", "timelinejs", "atom"]


def test_knowing_the_formats_imports_no_exporter() -> None:
    import subprocess
    import sys

    script = (
        "import sys; from exports import formats; "
        "print(sorted(m for m in sys.modules if m.startswith(('exports.', 'icalendar'))))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['exports.formats']"


def test_an_unknown_format_is_refused_naming_the_formats(toy) -> None:
    with pytest.raises(
        ValueError, match=r"^unknown export format 'pdf'; formats: .*, html, csv, toy$"
    ):
        exporting.render_records([], "pdf", name="N")


def test_a_new_format_is_one_registry_entry(
    toy: formats.Format, sample_db, db_path: Path, registered, tmp_path: Path
) -> None:
    # timeline export
    out = tmp_path / "all.toy"
    exporting.export_to(sample_db, "toy", str(out), name="China-U.S.", domain="example.org")
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == "# China-U.S."
    assert len(lines) == 1 + 17
    assert lines[1] == "2023-11-15-biden-xi-summit"

    # a Datasette output renderer, with the column contract and content type of the others
    assert "toy" in [r["extension"] for r in registered.register_output_renderer(datasette=None)]
    ds = Datasette([str(db_path)])

    async def fetch(path: str) -> Any:
        await ds.invoke_startup()
        return await ds.client.get(path)

    response = asyncio.run(fetch("/timeline/developments.toy?kind=summit"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.splitlines() == [
        "# Diplomatic timeline: developments",
        "2023-11-15-biden-xi-summit",
    ]
    refused = asyncio.run(fetch("/timeline/the_log.toy"))
    assert refused.status_code == 400
    assert refused.text.startswith("The .toy format needs a development id column")
