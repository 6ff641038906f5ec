"""The timeline page as a person sees it in Chromium: the exported file and the Datasette
page, their marks, filters, details, keyboard and mouse, a narrow screen, 5,000 rows."""

from __future__ import annotations

import copy
import itertools
import os
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
STATEMENT = "2024-04-26-xi-jinping-on-major-countries-setting-an-example"
CONSENSUS = "2024-04-26-five-point-consensus"
SUMMIT = "2023-11-15-biden-xi-summit"
VISIT = "2024-04-24-antony-blinken-visits-china"

# Each shape's box, and where the development starts on the axis: the left end of a bar
# or band, the middle of a one-day mark.
_MARKS_JS = """() => Array.from(document.querySelectorAll('#plot .mark')).map(g => {
  const r = g.querySelector('.shape').getBoundingClientRect();
  const cls = g.getAttribute('class').split(' ');
  const mark = !cls.includes('bar') && !cls.includes('band');
  return {id: g.dataset.id, left: r.left, width: r.width, start: mark ? r.left + r.width / 2 : r.left,
          cls: cls, label: g.getAttribute('aria-label')};
})"""
_TICKS_JS = """() => Object.fromEntries(Array.from(document.querySelectorAll('#axis .tick')).map(
  g => [g.dataset.t, g.querySelector('line').getBoundingClientRect().left]))"""
_SETTLED_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def load(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-ready]")


def marks(page: Any) -> dict[str, dict[str, Any]]:
    return {mark["id"]: mark for mark in page.evaluate(_MARKS_JS)}


def settle(page: Any, relayout: bool = False) -> None:
    """Wait for the next drawing (and, with *relayout*, for the rows to be packed again)."""
    if relayout:
        page.wait_for_timeout(200)
    page.evaluate(_SETTLED_JS)


def shown_range(page: Any) -> str:
    return page.locator("#range").inner_text()


def dated(selected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in selected if r["start"]]


def by_id(sample: dict[str, Any], dev_id: str) -> dict[str, Any]:
    (found,) = [r for r in sample["records"] if r["id"] == dev_id]
    return found


def open_details(page: Any, dev_id: str) -> Any:
    page.locator(f'#plot .mark[data-id="{dev_id}"]').click()
    details = page.locator("#details")
    details.wait_for(state="visible")
    return details


# --- the picture ------------------------------------------------------------------------


def test_every_dated_development_is_one_mark_in_date_order(
    page: Any, errors: list[str], sample: dict[str, Any]
) -> None:
    load(page, sample["page"].as_uri())
    drawn = marks(page)
    on_axis = dated(sample["records"])
    assert sorted(drawn) == sorted(r["id"] for r in on_axis)
    ordered = sorted(on_axis, key=lambda r: r["start"])
    for before, after in itertools.pairwise(ordered):
        if before["start"][:10] < after["start"][:10]:
            assert drawn[before["id"]]["start"] < drawn[after["id"]]["start"], (before, after)
    # The three-day visit is a bar three days long (or the least width a bar has).
    ticks = page.evaluate(_TICKS_JS)
    day = (ticks["2024-05-01"] - ticks["2024-04-01"]) / 30
    assert "bar" in drawn[VISIT]["cls"]
    assert drawn[VISIT]["width"] == pytest.approx(max(3 * day, 12), abs=1)
    undated = [r["title"] for r in sample["records"] if not r["start"]]
    assert page.locator("#undated-list .title").all_inner_texts() == undated
    assert page.locator("#count").inner_text() == (
        f"Showing {len(sample['records'])} of {len(sample['records'])} developments: "
        f"{len(on_axis)} on the time axis, {len(undated)} with the date unknown."
    )
    assert errors == []


def test_a_month_is_a_band_across_the_whole_month(
    page: Any, errors: list[str], sample: dict[str, Any]
) -> None:
    load(page, sample["page"].as_uri())
    drawn, ticks = marks(page), page.evaluate(_TICKS_JS)
    band, day = drawn[sample["month_meeting"]], drawn[SUMMIT]
    may = ticks["2024-05-01"] - 0.5  # ticks sit on the middle of a pixel
    june = ticks["2024-06-01"] - 0.5
    assert "band" in band["cls"]
    assert band["left"] == pytest.approx(may, abs=1.5)
    assert band["width"] == pytest.approx(june - may, abs=2)
    assert band["width"] > 5 * day["width"]
    details = open_details(page, sample["month_meeting"])
    assert "Date known to the month: May 2024" in details.inner_text()
    assert errors == []


def test_uncertain_scheduled_and_cancelled_developments_look_so(
    page: Any, errors: list[str], sample: dict[str, Any]
) -> None:
    load(page, sample["page"].as_uri())
    call_id = sample["approximate_call"]
    call = page.locator(f'#plot .mark[data-id="{call_id}"]')
    assert {"q", "s-cancelled"} <= set(marks(page)[call_id]["cls"])
    assert call.locator(".badge").text_content() == "~"
    assert call.locator(".shape").evaluate("s => getComputedStyle(s).strokeDasharray") != "none"
    assert call.locator(".strike").count() == 1
    assert "line-through" in call.locator(".label").evaluate(
        "t => getComputedStyle(t).textDecorationLine"
    )
    assert "approximate" in call.get_attribute("aria-label")
    assert "cancelled" in call.get_attribute("aria-label")
    text = open_details(page, call_id).inner_text()
    assert "Cancelled: Recorded as a test of the page." in text
    assert "c. 20 February 2024" in text
    postponed = page.locator(f'#plot .mark[data-id="{sample["postponed"]}"]')
    assert postponed.locator(".flag").count() == 1
    assert postponed.locator(".shape").evaluate("s => getComputedStyle(s).fill") == (
        "rgb(255, 255, 255)"  # hollow: it has not happened
    )
    assert "postponed" in postponed.get_attribute("aria-label")
    # Scheduled developments without a date wait in the side list.
    subs = page.locator("#undated-list .sub").all_inner_texts()
    assert len(subs) == 3
    assert all(sub.endswith("scheduled") for sub in subs)
    assert errors == []


def countries_of(record: dict[str, Any]) -> set[str]:
    found = {record["host_country"], *(record["parties"] or [])}
    found |= {p["country"] for p in record["participants"]}
    found.add((record["place"] or {}).get("country"))
    assert found - {None} == set(record["countries"])  # what --country selects by
    return found - {None}


def actors_of(record: dict[str, Any]) -> set[str]:
    return {p["name"] for p in record["participants"]} | {record["speaker"], record["visitor"]}


@pytest.mark.parametrize(
    ("control", "value", "keep"),
    [
        ("#f-kind", "statement", lambda r: r["kind"] == "statement"),
        ("#f-country", "FR", lambda r: "FR" in countries_of(r)),
        ("#f-actor", "Wang Yi", lambda r: "Wang Yi" in actors_of(r)),
        ("#f-tag", "expert-comment", lambda r: "expert-comment" in (r["tags"] or [])),
    ],
    ids=["kind", "country", "actor", "tag"],
)
def test_filters_reduce_the_marks(
    page: Any, errors: list[str], sample: dict[str, Any], control: str, value: str, keep: Any
) -> None:
    load(page, sample["page"].as_uri())
    everything = sorted(marks(page))
    expected = sorted(r["id"] for r in dated(sample["records"]) if keep(r))
    assert 0 < len(expected) < len(everything)
    if control == "#f-actor":
        page.locator(control).fill(value)
    else:
        page.locator(control).select_option(value)
    page.wait_for_function(
        "n => document.querySelectorAll('#plot .mark').length === n", arg=len(expected)
    )
    settle(page)
    assert sorted(marks(page)) == expected
    page.get_by_role("button", name="Clear filters").click()
    page.wait_for_function(
        "n => document.querySelectorAll('#plot .mark').length === n", arg=len(everything)
    )
    assert errors == []


def test_lanes_switch_from_kinds_to_countries(
    page: Any, errors: list[str], sample: dict[str, Any]
) -> None:
    load(page, sample["page"].as_uri())
    # Talks, meetings and statements held during the visit are drawn in its lane.
    assert page.locator("#plot .lane-label").all_text_contents() == [
        "Meeting",
        "Summit",
        "Call",
        "Visit",
        "Statement",
        "Consultation",
    ]
    page.locator("#f-group").select_option("country")
    settle(page)
    lanes = page.locator("#plot .lane-label").all_text_contents()
    assert "China (CN)" in lanes
    assert "United States (US)" in lanes
    assert len(marks(page)) == len(dated(sample["records"]))
    assert errors == []


# --- the details ------------------------------------------------------------------------


def test_clicking_a_mark_opens_its_details(
    page: Any, errors: list[str], sample: dict[str, Any]
) -> None:
    load(page, sample["page"].as_uri())
    meeting = by_id(sample, MEETING)
    details = open_details(page, MEETING)
    assert details.locator("h2").inner_text() == meeting["title"]
    assert details.locator(".participants li").all_inner_texts() == [
        f"{p['name']} \u2014 {p['role']}, {p['country']}" for p in meeting["participants"]
    ]
    links = details.locator(".sources a")
    assert links.count() == len(meeting["sources"])
    for i, source in enumerate(meeting["sources"]):
        assert links.nth(i).get_attribute("href") == source["url"]
        assert "noopener" in links.nth(i).get_attribute("rel").split()
        assert links.nth(i).get_attribute("target") == "_blank"
    assert details.locator(".includes button").count() == 6  # the statements made there

    statement = by_id(sample, STATEMENT)
    details = open_details(page, STATEMENT)
    assert details.locator("blockquote").inner_text() == f"\u201c{statement['quote']}\u201d"
    assert details.locator(".part-of button").inner_text() == meeting["title"]

    consensus = by_id(sample, CONSENSUS)
    details = open_details(page, CONSENSUS)
    assert details.locator(".points li").all_inner_texts() == consensus["points"]
    page.get_by_role("button", name="Close the details (Esc)").click()
    assert page.locator("#details").is_hidden()
    assert errors == []


def test_only_web_links_become_links(
    page: Any, errors: list[str], sample: dict[str, Any], page_of: Any, tmp_path: Path
) -> None:
    tricky = copy.deepcopy(by_id(sample, MEETING))
    tricky["title"] = "<img src=x onerror=alert(1)> </script> & co"
    tricky["sources"] = [
        {"url": "javascript:alert(1)", "title": "Script", "publisher": None, "published": None},
        {"url": "data:text/html,hi", "title": "Data", "publisher": None, "published": None},
        {"url": "https://example.org/a", "title": "Web", "publisher": "Ex", "published": None},
    ]
    load(page, page_of(tmp_path / "tricky.html", [tricky]).as_uri())
    details = open_details(page, MEETING)
    assert details.locator("h2").inner_text() == tricky["title"]
    assert details.locator(".sources a").count() == 1
    assert details.locator(".sources li").all_inner_texts() == [
        "Script",
        "Data",
        "Web \u2014 Ex",
    ]
    assert page.locator("img").count() == 0
    assert errors == []


# --- keyboard and mouse -----------------------------------------------------------------


def test_tab_to_a_mark_and_enter_opens_its_details(
    page: Any, errors: list[str], sample: dict[str, Any]
) -> None:
    load(page, sample["page"].as_uri())
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.matches('.mark') ? document.activeElement.dataset.id : null"
        )
        if focused:
            break
    else:
        pytest.fail("Tab never reached a development on the timeline")
    page.keyboard.press("Enter")
    assert page.locator("#details").is_visible()
    assert page.locator("#details h2").inner_text() == by_id(sample, focused)["title"]
    assert page.evaluate("() => document.activeElement.id") == "d-title"
    page.keyboard.press("Escape")
    assert page.locator("#details").is_hidden()
    assert page.evaluate("() => document.activeElement.dataset.id") == focused
    assert errors == []


def tick_step_days(page: Any) -> set[int]:
    """The gaps between consecutive axis ticks, in days."""
    days = sorted(date.fromisoformat(t[:10]) for t in page.evaluate(_TICKS_JS))
    return {(b - a).days for a, b in itertools.pairwise(days)}


def test_zoom_from_years_down_to_days_with_keys_and_mouse(
    page: Any, errors: list[str], sample: dict[str, Any]
) -> None:
    load(page, sample["page"].as_uri())
    assert tick_step_days(page) <= {29, 30, 31}  # months, to begin with
    page.locator("#lanes").focus()
    for _ in range(12):
        if tick_step_days(page) <= {365, 366}:
            break
        page.keyboard.press("-")
        settle(page)
    assert tick_step_days(page) <= {365, 366}, "- never zoomed out to years"
    for _ in range(30):
        if tick_step_days(page) == {1}:
            break
        page.keyboard.press("+")
        settle(page)
    assert tick_step_days(page) == {1}, "+ never zoomed in to days"
    before = shown_range(page)
    page.keyboard.press("ArrowRight")
    settle(page)
    assert shown_range(page) != before
    page.keyboard.press("0")  # everything again
    settle(page)
    assert len(marks(page)) == len(dated(sample["records"]))

    before = shown_range(page)
    box = page.locator("#lanes").bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + 40)
    page.mouse.move(*middle)
    page.mouse.wheel(0, -600)  # zoom in around the pointer
    settle(page)
    zoomed = shown_range(page)
    assert zoomed != before
    page.mouse.down()
    page.mouse.move(middle[0] - 300, middle[1], steps=5)
    page.mouse.up()
    settle(page)
    assert shown_range(page) not in (before, zoomed)
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Earlier").click()
    page.get_by_role("button", name="Fit all").click()
    settle(page)
    assert len(marks(page)) == len(dated(sample["records"]))
    assert errors == []


def test_a_narrow_screen_stacks_everything(
    browser: Any, errors: list[str], sample: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        load(page, sample["page"].as_uri())
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert len(marks(page)) == len(dated(sample["records"]))
        chart = page.locator("#chart").bounding_box()
        side = page.locator("#undated").bounding_box()
        assert side["y"] >= chart["y"] + chart["height"]  # the list comes below the chart
        details = open_details(page, MEETING)
        box = details.bounding_box()
        assert box["x"] == 0
        assert box["width"] == 390
        assert errors == []
    finally:
        context.close()


def test_a_screenshot_for_the_readme(
    page: Any, errors: list[str], sample: dict[str, Any], tmp_path: Path
) -> None:
    """Takes the screenshot; `TIMELINE_SCREENSHOT=docs/timeline.png pytest …` renews the README's."""
    page.set_viewport_size({"width": 1280, "height": 900})
    load(page, sample["page"].as_uri())
    open_details(page, MEETING)
    page.locator("#plot").hover(position={"x": 5, "y": 5})
    target = Path(os.environ.get("TIMELINE_SCREENSHOT") or tmp_path / "timeline.png")
    if not target.is_absolute():
        target = ROOT / target
    page.screenshot(path=str(target))
    assert target.stat().st_size > 20_000
    assert errors == []


# --- in Datasette -----------------------------------------------------------------------


def test_the_datasette_page_follows_the_table_filters(
    page: Any, errors: list[str], sample: dict[str, Any], served: str
) -> None:
    page.goto(f"{served}/timeline/developments?kind=statement&_size=3")
    page.locator("details.actions-menu-links summary").click()
    # A link, or a menu item from Datasette 1.0 on.
    link = page.locator("details.actions-menu-links a", has_text="Timeline view")
    assert link.get_attribute("href") == "/-/timeline/timeline?kind=statement"
    link.click()
    page.wait_for_selector("html[data-ready]")
    statements = sorted(r["id"] for r in dated(sample["records"]) if r["kind"] == "statement")
    assert sorted(marks(page)) == statements
    assert page.locator("h1").inner_text() == 'Diplomatic timeline: where kind = "statement"'

    # Unfiltered, the page is the exported file, byte for byte.
    with urllib.request.urlopen(f"{served}/-/timeline/timeline", timeout=10) as answer:
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert answer.read() == sample["page"].read_bytes()
    load(page, f"{served}/-/timeline/timeline")
    assert sorted(marks(page)) == sorted(r["id"] for r in dated(sample["records"]))
    assert page.locator("#undated-list li").count() == len(sample["records"]) - len(
        dated(sample["records"])
    )
    open_details(page, MEETING)
    assert errors == []


def test_the_page_of_a_filtered_table_shows_its_filters_in_the_form(
    page: Any, errors: list[str], sample: dict[str, Any], served: str
) -> None:
    load(page, f"{served}/-/timeline/timeline?countries__arraycontains=CN&kind=statement")
    assert page.locator("h1").inner_text() == (
        'Diplomatic timeline: where countries contains "CN" and kind = "statement"'
    )
    assert page.locator("#f-country").input_value() == "CN"
    assert page.locator("#f-country option:checked").inner_text() == "China (CN)"
    assert page.locator("#f-kind").input_value() == "statement"
    expected = sorted(
        r["id"]
        for r in dated(sample["records"])
        if r["kind"] == "statement" and "CN" in r["countries"]
    )
    assert sorted(marks(page)) == expected
    page.get_by_role("button", name="Clear filters").click()
    assert page.locator("#f-country").input_value() == ""
    assert errors == []


def test_the_developments_table_shows_rows_on_the_first_screen(browser: Any, served: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.goto(f"{served}/timeline/developments")
        rows = tab.locator("table.rows-and-columns tbody tr")
        for i in range(3):
            box = rows.nth(i).bounding_box()
            assert box["y"] + box["height"] <= 1000, f"row {i + 1} ends below the first screen"
        for column in ("title", "when", "kind", "status", "countries", "participants"):
            box = tab.locator(f"th.col-{column}").bounding_box()
            assert box["x"] + box["width"] <= 1400, f"{column} is off the first screen"
        assert tab.locator("details.timeline-columns").evaluate("d => d.open") is False
    finally:
        context.close()


# --- many developments ------------------------------------------------------------------


def test_5000_developments_load_and_zoom_without_freezing(
    page: Any, errors: list[str], many: dict[str, Any], record_property: Any
) -> None:
    started = time.perf_counter()
    load(page, many["page"].as_uri())
    loaded = time.perf_counter() - started
    drawn = len(marks(page))
    assert 0 < drawn < len(many["records"])  # only what is on screen is drawn

    started = time.perf_counter()
    page.locator("#lanes").focus()
    for key in ["+", "+", "+", "ArrowRight", "ArrowRight", "-", "-"]:
        page.keyboard.press(key)
        settle(page)
    box = page.locator("#lanes").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 60)
    for _ in range(5):
        page.mouse.wheel(0, -300)
        settle(page)
    page.mouse.down()
    page.mouse.move(box["x"] + 100, box["y"] + 60, steps=10)
    page.mouse.up()
    settle(page, relayout=True)
    page.locator("#f-kind").select_option("meeting")
    settle(page)
    page.get_by_role("button", name="Fit all").click()
    settle(page, relayout=True)
    interacted = time.perf_counter() - started

    record_property("load_seconds", round(loaded, 2))
    record_property("zoom_pan_seconds", round(interacted, 2))
    print(f"5,000 developments: loaded in {loaded:.2f} s, zoomed and panned in {interacted:.2f} s")
    assert loaded < 10
    assert interacted < 10
    assert page.locator("#plot .mark").count() > 0
    assert errors == []
