"""The Datasette pages as a reader first meets them: rows on the first screen, lists shown
as lists, places labelled by what is known, one facet box per facet (issue 13)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from click.testing import CliRunner
from datasette.app import Datasette

from timeline.cli import cli

MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
CITY_ONLY = "2024-05-02-talks-in-beijing"


def fetch(path: Path, *urls: str) -> list[httpx.Response]:
    """GET each URL from one Datasette serving *path* as database ``timeline``."""

    async def run() -> list[httpx.Response]:
        ds = Datasette([str(path)])
        await ds.invoke_startup()
        return [await ds.client.get(url) for url in urls]

    return asyncio.run(run())


def add(db_path: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, [*args, "--db", str(db_path)])
    assert result.exit_code == 0, result.output


def test_a_place_with_only_a_city_is_labelled_by_it(db_path: Path, plugin) -> None:
    add(
        db_path,
        *("add", "talks", "--title", "Talks in Beijing", "--when", "2024-05-02"),
        *("--with", "Wang Yi; Foreign Minister; CN", "--city", "Beijing", "--country", "CN"),
    )
    table, places = fetch(db_path, "/timeline/developments", "/timeline/places.json?_shape=array")
    cell = '<a href="/timeline/places/beijing-cn">Beijing, CN</a>&nbsp;<em>beijing-cn</em>'
    assert cell in table.text
    assert "None" not in table.text
    assert places.json() == [
        {
            "id": "beijing-cn",
            "label": "Beijing, CN",
            "name": None,
            "city": "Beijing",
            "country": "CN",
            "latitude": None,
            "longitude": None,
        }
    ]
