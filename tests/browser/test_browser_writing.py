"""Writing from the browser as an editor and as a visitor see it, in Chromium, against
`timeline serve` in a process of its own: sign in, add a meeting, postpone it, and find it
on the table, the timeline page and the calendar; a visitor sees no write controls; a
form posted from another site writes nothing."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import icalendar
import pytest
from support import SAMPLE, assert_log_is_sound, count, serving

from timeline import service
from timeline.db import open_db
from timeline.editors import EditorsFile, default_path
from timeline.log import EventLog

TITLE = "Ana Lima meets Ben Okafor"
DEV = "ana-lima-meets-ben-okafor"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The sample in ``desk.db`` with one editor, served by `timeline serve`."""
    folder = tmp_path_factory.mktemp("writing")
    db_path = folder / "desk.db"
    db = open_db(db_path)
    with SAMPLE.open(encoding="utf-8") as sample:
        service.import_file(db, sample)
    db.close()
    token = EditorsFile(default_path(db_path)).add("Ana Lima")
    log = folder / "serve.log"
    with serving(db_path, log) as base:
        yield {"base": base, "db": db_path, "token": token, "log": log}


def events(db_path: Path) -> list[Any]:
    db = open_db(db_path, create=False)
    try:
        return list(EventLog(db).read())
    finally:
        db.close()


def sign_in(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/-/timeline-signin")
    page.fill("#timeline-token", token)
    page.click("input[type=submit][value='Sign in']")
    page.wait_for_load_state()


def test_serve_says_that_writing_is_on(site: dict[str, Any]) -> None:
    assert (
        f"Writing is on for 1 editor ({site['db']}.editors.json): sign in at /-/timeline-signin"
        in site["log"].read_text()
    )


def test_an_editor_adds_a_meeting_postpones_it_and_finds_it_everywhere(
    page: Any, site: dict[str, Any], errors: list[str]
) -> None:
    base, db_path = site["base"], site["db"]
    before = len(events(db_path))
    sign_in(page, base, site["token"])
    assert "Signed in as Ana Lima" in page.content()

    page.goto(f"{base}/desk/developments")
    add = page.locator("a", has_text="Add a development or an actor")
    page.goto(base + add.get_attribute("href"))
    page.click("text=Something announced or planned")
    page.select_option("#field-kind", "meeting")
    page.fill("#field-title", TITLE)
    page.fill("#field-when", "2024-06-10")
    page.fill("#field-city", "Lisbon")
    page.fill("#field-participants", "Ana Lima; Editor; PT\nBen Okafor; Reporter; NG")
    page.fill("#field-development", DEV)
    page.click("input[type=submit][value='Record']")
    page.wait_for_url(f"{base}/desk/developments/{DEV}")
    assert "recorded as event" in page.content()

    page.click("text=Postpone")
    page.fill("#field-when", "2024-07")
    page.fill("#field-reason", "agenda not agreed")
    page.click("input[type=submit][value='Record']")
    page.wait_for_url(f"{base}/desk/developments/{DEV}")
    row = page.locator("table").first.inner_text()
    assert "postponed" in row
    assert "agenda not agreed" in row

    page.goto(f"{base}/desk/developments?status=postponed")
    assert TITLE in page.locator("table.rows-and-columns").inner_text()

    page.goto(f"{base}/-/timeline/desk?id={DEV}")
    page.wait_for_selector("html[data-ready]")
    page.locator(f'#plot .mark[data-id="{DEV}"]').click()
    details = page.locator("#details")
    assert TITLE in details.inner_text()
    assert (
        details.locator("a", has_text="Postpone").get_attribute("href")
        == f"/-/timeline/desk/developments/{DEV}/postpone"
    )
    details.locator("a", has_text="Postpone").click()
    page.wait_for_url(f"{base}/-/timeline/desk/developments/{DEV}/postpone")
    assert "Changed since" not in page.content()

    with urllib.request.urlopen(f"{base}/desk/developments.ics?id={DEV}", timeout=5) as answer:
        calendar = icalendar.Calendar.from_ical(answer.read())
    (event,) = calendar.walk("VEVENT")
    assert (str(event["UID"]), str(event["SUMMARY"]), str(event["STATUS"])) == (
        f"{DEV}@timeline.invalid",
        TITLE,
        "TENTATIVE",
    )
    assert event.decoded("DTSTART").isoformat()[:7] == "2024-07"

    written = events(db_path)[before:]
    assert [(e.type, e.meta) for e in written] == [
        ("DevelopmentScheduled", {"recorded_by": "Ana Lima"}),
        ("DevelopmentPostponed", {"recorded_by": "Ana Lima"}),
    ]
    assert written[0].data["participants"] == [
        {"name": "Ana Lima", "role": "Editor", "country": "PT"},
        {"name": "Ben Okafor", "role": "Reporter", "country": "NG"},
    ]
    assert errors == []


def test_a_visitor_sees_no_write_controls(page: Any, site: dict[str, Any]) -> None:
    base = site["base"]
    page.goto(f"{base}/desk/developments")
    assert page.locator("a", has_text="Add a development").count() == 0
    assert page.locator("a", has_text="Sign in to edit").count() == 1
    page.goto(f"{base}/desk/developments/2024-04-26-xi-jinping-meets-antony-blinken")
    assert "Record what happened to it" not in page.content()
    page.goto(f"{base}/-/timeline/desk")
    page.wait_for_selector("html[data-ready]")
    page.locator('#plot .mark[data-id="2024-04-26-xi-jinping-meets-antony-blinken"]').click()
    assert "Record what happened to it" not in page.locator("#details").inner_text()
    answer = page.goto(f"{base}/-/timeline/desk/add/meeting")
    assert answer.status == 403


class _Elsewhere(BaseHTTPRequestHandler):
    """Another site, whose page posts a form to the timeline as soon as it loads."""

    target = ""

    def do_GET(self) -> None:
        body = f"""<!doctype html><form id="f" method="post" action="{self.target}">
<input name="title" value="Forged"><input name="when" value="2024-05-02">
<input name="participants" value="Mallory"></form>
<script>document.getElementById("f").submit()</script>""".encode()
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_form_posted_from_another_site_writes_nothing(page: Any, site: dict[str, Any]) -> None:
    base, db_path = site["base"], site["db"]
    sign_in(page, base, site["token"])
    db = open_db(db_path, create=False)
    before = count(db)
    db.close()
    handler = type("Elsewhere", (_Elsewhere,), {"target": f"{base}/-/timeline/desk/add/meeting"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with page.expect_response(f"{base}/-/timeline/desk/add/meeting") as posted:
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        assert posted.value.status == 403
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    db = open_db(db_path, create=False)
    try:
        assert_log_is_sound(db, before)
    finally:
        db.close()
