"""The page's layout without a browser: its pure modules (``exports/static/timeline/``
util.js, data.js, layout.js) run under Node on the data the HTML export embeds, through
``layout_driver.js``, which prints lanes, rows, positions, the view and the axis's ticks."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from timeline.exports import html

NODE = shutil.which("node")
DRIVER = Path(__file__).with_name("layout_driver.js")
STATIC = Path(html.__file__).with_name("static") / "timeline"
PURE = ("util.js", "data.js", "layout.js")
WIDTH = 1000
CHAR = 6  # pixels per character of a label, in place of the page's canvas

VISIT = "2024-04-24-antony-blinken-visits-china"
CONSENSUS = "2024-04-26-five-point-consensus"
MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
STATEMENT = "2024-04-26-xi-jinping-on-major-countries-setting-an-example"
SUMMIT = "2023-11-15-biden-xi-summit"
CALL = "2024-04-02-xi-jinping-biden-call"
DIALOGUE = "china-us-ai-dialogue-first-meeting"


def payload(records: Any) -> dict[str, Any]:
    """The data block of the HTML page of *records*, as the page's script reads it."""
    page = "".join(html.render(records))
    found = re.search(
        r'<script type="application/json" id="timeline-data">(.*?)</script>', page, re.S
    )
    assert found
    return json.loads(found.group(1))


def laid_out(data: dict[str, Any], width: int = WIDTH, **request: Any) -> dict[str, Any]:
    if NODE is None:
        pytest.skip("Node.js is not installed")
    done = subprocess.run(
        [NODE, str(DRIVER), *(str(STATIC / name) for name in PURE)],
        input=json.dumps({"payload": data, "width": width, "charWidth": CHAR, **request}),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def sample(sample_records: list[Any]) -> dict[str, Any]:
    return payload(sample_records)


def test_the_page_script_is_the_modules_in_order(record: Any) -> None:
    page = "".join(html.render([record()]))
    modules = [(STATIC / name).read_text("utf-8") for name in html.SCRIPT_MODULES]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert scripts == ["(function () {\n" + "\n".join(modules) + "})();\n"]
    # The driver runs the modules that need no DOM as the page does: first, in this order.
    assert html.SCRIPT_MODULES[: len(PURE)] == PURE


def instant(text: str) -> float:
    """Milliseconds since 1970 of an ISO time, as the script counts them."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000


def test_lanes_follow_the_kinds_in_the_vocabulary_order(sample: dict[str, Any]) -> None:
    shown = laid_out(sample)
    lanes = [(lane["key"], lane["label"], lane["rows"]) for lane in shown["lanes"]]
    assert lanes == [
        ("summit", "Summit", 1),
        ("call", "Call", 1),
        ("visit", "Visit", 4),
        ("dialogue", "Dialogue", 1),
    ]
    # A lane is its head, its rows and a gap; the lanes stack from the top.
    tops = [lane["top"] for lane in shown["lanes"]]
    heights = [lane["height"] for lane in shown["lanes"]]
    assert heights == [24 + lane["rows"] * 26 + 8 for lane in shown["lanes"]]
    assert tops == [sum(heights[:i]) for i in range(len(heights))]
    assert shown["height"] == sum(heights)
    assert shown["undated"] == ["liu-zhenmin-visit-to-the-us"]
    assert shown["order"] == [SUMMIT, CALL, VISIT, CONSENSUS, MEETING, STATEMENT, DIALOGUE]


def test_parts_sit_in_rows_under_what_they_are_part_of(sample: dict[str, Any]) -> None:
    shown = laid_out(sample)
    items = shown["items"]
    where = {
        key: (item["lane"], item["row"], item["depth"], item["parent"])
        for key, item in items.items()
    }
    assert where[VISIT] == ("visit", 0, 0, None)
    assert where[CONSENSUS] == ("visit", 1, 1, VISIT)
    assert where[MEETING] == ("visit", 2, 1, VISIT)
    assert where[STATEMENT] == ("visit", 3, 2, MEETING)
    # One box around the visit and all its parts, one around the meeting and its statement.
    assert shown["families"] == [
        {"lane": "visit", "row": 0, "h": 4},
        {"lane": "visit", "row": 2, "h": 2},
    ]
    visit_lane = shown["lanes"][2]
    assert [items[key]["y"] for key in (VISIT, CONSENSUS, MEETING, STATEMENT)] == [
        visit_lane["top"] + 24 + row * 26 + 13 for row in range(4)
    ]
    assert items[STATEMENT]["aria"].endswith("; part of Xi Jinping meets Antony Blinken")


def test_a_part_whose_parent_is_filtered_out_has_its_own_lane(sample: dict[str, Any]) -> None:
    shown = laid_out(sample, filters={"kind": "meeting"})
    assert [lane["key"] for lane in shown["lanes"]] == ["meeting"]
    meeting = shown["items"][MEETING]
    assert (meeting["row"], meeting["depth"], meeting["parent"]) == (0, 0, None)
    assert meeting["aria"] == "Xi Jinping meets Antony Blinken; Meeting, 26 April 2024"
    assert shown["families"] == []


def test_lanes_by_country_in_the_order_of_their_names(sample: dict[str, Any]) -> None:
    shown = laid_out(sample, filters={"group": "country"})
    assert [(lane["key"], lane["label"], len(lane["items"])) for lane in shown["lanes"]] == [
        ("CN", "China (CN)", 6),
        ("US", "United States (US)", 1),
    ]


def test_the_first_view_shows_every_date_with_room_for_the_labels(sample: dict[str, Any]) -> None:
    shown = laid_out(sample)
    assert shown["labels"] is True
    assert shown["labelMax"] == 240
    assert shown["view"]["start"] < "2023-11-15"
    assert shown["view"]["end"] > "2024-06-01"
    assert shown["range"] == "Showing 9 Nov 2023 \u2013 15 Aug 2024"
    for item in shown["items"].values():
        assert 0 <= item["x0"] < item["x1"] <= WIDTH
        assert item["x1"] + 4 + len(item["label"]) * CHAR <= WIDTH
    # Months across the axis, the year written at the first tick and in January.
    months = ["Dec 2023", "Jan 2024", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"]
    assert [tick["label"] for tick in shown["ticks"]] == months


def test_positions_are_proportional_to_time(sample: dict[str, Any]) -> None:
    shown = laid_out(sample)
    start, end = instant(shown["view"]["start"]), instant(shown["view"]["end"])

    def x(text: str) -> float:
        return (instant(text) - start) * WIDTH / (end - start)

    items = shown["items"]
    # A one-day mark, 12 pixels wide, sits on the middle of its day; a call on its minute.
    assert (items[SUMMIT]["x0"] + items[SUMMIT]["x1"]) / 2 == pytest.approx(x("2023-11-15T12:00Z"))
    assert items[SUMMIT]["x1"] - items[SUMMIT]["x0"] == pytest.approx(12)
    assert (items[CALL]["x0"] + items[CALL]["x1"]) / 2 == pytest.approx(x("2024-04-02T12:30Z"))
    # A month known only to the month is a band across the whole month, tick to tick.
    ticks = {tick["at"]: tick["x"] for tick in shown["ticks"]}
    assert items[DIALOGUE]["form"] == "band"
    assert items[DIALOGUE]["x0"] == pytest.approx(x("2024-05-01"))
    assert items[DIALOGUE]["x1"] == pytest.approx(x("2024-06-01"))
    assert abs(items[DIALOGUE]["x0"] - ticks["2024-05-01"]) <= 1
    assert abs(items[DIALOGUE]["x1"] - ticks["2024-06-01"]) <= 1
    # Three days are narrower than a mark here: the bar keeps a mark's width.
    assert items[VISIT]["form"] == "bar"
    assert items[VISIT]["x0"] == pytest.approx(x("2024-04-24"))
    assert items[VISIT]["x1"] - items[VISIT]["x0"] == pytest.approx(12)


def test_zooming_in_turns_the_axis_to_days(sample: dict[str, Any]) -> None:
    shown = laid_out(sample, zoom=[[1 / 1.6, 600]] * 8)
    assert shown["range"] == "Showing 21 Apr 2024 \u2013 28 Apr 2024"
    assert [tick["label"] for tick in shown["ticks"][:3]] == ["22 Apr 2024", "23 Apr", "24 Apr"]
    xs = [tick["x"] for tick in shown["ticks"]]
    assert {round(b - a) for a, b in itertools.pairwise(xs)} == {153}
    # Three days are wide now: the visit is a bar from its first to the end of its last day.
    visit = shown["items"][VISIT]
    ticks = {tick["at"]: tick["x"] for tick in shown["ticks"]}
    assert abs(visit["x0"] - ticks["2024-04-24"]) <= 1
    assert abs(visit["x1"] - ticks["2024-04-27"]) <= 1


def test_zoom_stops_at_two_days_and_pan_stops_near_the_data(sample: dict[str, Any]) -> None:
    closest = laid_out(sample, zoom=[[1 / 1.6, 500]] * 40)
    assert instant(closest["view"]["end"]) - instant(closest["view"]["start"]) == 2 * 864e5
    far = laid_out(sample, pan=-100 * WIDTH)
    # At most nine tenths of the view lie beyond the last date.
    start, end = instant(far["view"]["start"]), instant(far["view"]["end"])
    assert start == pytest.approx(instant("2024-06-01") - (end - start) * 0.1)


def test_a_narrow_chart_cuts_labels_shorter(sample: dict[str, Any]) -> None:
    shown = laid_out(sample, width=275)
    assert shown["labelMax"] == 110
    labels = {key: item["label"] for key, item in shown["items"].items()}
    assert labels[SUMMIT] == "Joe Biden and Xi\u2026"
    assert labels[MEETING] == "Xi Jinping meets\u2026"
    assert all(len(label) * CHAR <= 110 for label in labels.values())


def test_many_developments_in_view_lose_their_labels_and_rows_shrink(
    many_records: Callable[[int], Iterator[dict[str, Any]]],
) -> None:
    shown = laid_out(payload(many_records(300)))
    assert shown["labels"] is False
    assert shown["rowH"] == 18
    assert all(item["label"] is None for item in shown["items"].values())
    few = laid_out(payload(many_records(250)))
    assert (few["labels"], few["rowH"]) == (True, 26)


def test_a_season_is_a_band_and_an_open_end_reaches_the_last_date(
    sample_records: list[Any], record: Any
) -> None:
    spring = record(
        id="spring", when="2024-21", start="2024-03-01", end="2024-05-31", precision="season"
    )
    opened = record(id="open", when="2024-01/..", start="2024-01-01", end=None, precision="month")
    # A record without an end whose date is not open is its start alone, as before.
    single = record(id="single", when=None, start="2024-02-10", end=None, precision="day")
    shown = laid_out(payload([*sample_records, spring, opened, single]))
    start, end = instant(shown["view"]["start"]), instant(shown["view"]["end"])

    def x(text: str) -> float:
        return (instant(text) - start) * WIDTH / (end - start)

    items = shown["items"]
    assert items["spring"]["form"] == "band"
    assert items["spring"]["x0"] == pytest.approx(x("2024-03-01"))
    assert items["spring"]["x1"] == pytest.approx(x("2024-06-01"))
    # From January on, for how long is not known: to the end of the last date shown (the
    # dialogue, May 2024), never an end of its own.
    assert items["open"]["form"] == "bar"
    assert items["open"]["x0"] == pytest.approx(x("2024-01-01"))
    assert items["open"]["x1"] == pytest.approx(x("2024-06-01"))
    assert "from January 2024" in items["open"]["aria"]
    assert items["single"]["form"] == "mark"
