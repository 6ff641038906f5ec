"""Text that tries to be code: calendar lines in titles, HTML in every field, URLs that run
script. Stored as given, it must come out as text in every export and page, and links
must be http(s) from the start."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import icalendar
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from hardening_support import assert_refused, count

from timeline import service
from timeline.cli import cli
from timeline.db import open_db
from timeline.errors import InvalidEvent

ICAL = "\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT"
HTML = "<script>alert(1)</script><img src=x onerror=alert(2)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"


def hostile(payload: str) -> list[dict[str, Any]]:
    """Developments with *payload* in every free-text field they have."""
    return [
        {
            "type": "MeetingHeld",
            "data": {
                "development": "evil-meeting",
                "title": f"Talks {payload}",
                "when": "2024-04-26",
                "summary": f"Summary {payload}",
                "place": {"name": f"Hall {payload}", "city": f"City {payload}", "country": "CN"},
                "participants": [{"name": f"Mallory {payload}", "role": f"Role {payload}"}],
                "sources": [
                    {
                        "url": 'https://example.org/?q="><script>alert(3)</script>',
                        "title": f"Source {payload}",
                        "publisher": f"Publisher {payload}",
                    }
                ],
                "tags": [f"tag, with; {payload}"],
            },
        },
        {
            "type": "StatementMade",
            "data": {
                "development": "evil-statement",
                "title": f"Statement {payload}",
                "when": "2024-04-27T10:00",
                "timezone": "Asia/Shanghai",
                "speaker": f"Speaker {payload}",
                "quote": f"Quote {payload}",
            },
        },
        {
            "type": "AgreementReached",
            "data": {
                "development": "evil-agreement",
                "title": f"Agreement {payload}",
                "when": "2024-04",
                "points": [f"Point {payload}"],
                "parties": ["CN", "US"],
                "part_of": "evil-meeting",
            },
        },
        {
            "type": "DevelopmentScheduled",
            "data": {
                "development": "evil-scheduled",
                "title": f"Scheduled {payload}",
                "kind": "talks",
                "when": "2024-06-01",
            },
        },
        {
            "type": "DevelopmentPostponed",
            "data": {
                "development": "evil-scheduled",
                "when": "2024-07-01",
                "reason": f"Reason {payload}",
            },
        },
        {
            "type": "ActorDescribed",
            "data": {"name": f"Mallory {payload}", "native_name": f"Native {payload}"},
        },
    ]


TITLES = ["Talks", "Statement", "Agreement", "Scheduled"]


def database(path: Path, payload: str) -> Path:
    db = open_db(path)
    service.append(db, [service.parse_submission(e) for e in hostile(payload)])
    db.close()
    return path


def fetch(path: Path, *urls: str) -> list[Any]:
    async def run() -> list[Any]:
        ds = Datasette([str(path)])
        await ds.invoke_startup()
        return [await ds.client.get(url) for url in urls]

    return asyncio.run(run())


# --- iCalendar: one VEVENT per development, whatever the text ----------------------------


def assert_one_vevent_each(data: bytes) -> None:
    calendar = icalendar.Calendar.from_ical(data)
    kinds = Counter(component.name for component in calendar.walk())
    assert kinds["VEVENT"] == len(TITLES)
    assert set(kinds) <= {"VCALENDAR", "VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT"}
    summaries = sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    expected = ICAL.replace("\r\n", "\n")
    assert summaries == sorted(f"{title} {expected}" for title in TITLES)
    # Read as lines, the payload never starts one: it is escaped inside the property.
    unfolded = data.replace(b"\r\n ", b"").split(b"\r\n")
    assert unfolded.count(b"BEGIN:VEVENT") == len(TITLES)
    assert not [line for line in unfolded if line.startswith(b"SUMMARY:injected")]


def test_calendar_lines_in_every_field_stay_inside_their_property(tmp_path: Path):
    path = database(tmp_path / "timeline.db", ICAL)
    result = CliRunner().invoke(
        cli,
        [
            *("export", "ical", "--db", str(path)),
            *("--name", f"Calendar{ICAL}", "--domain", "example.org"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = result.stdout_bytes
    assert_one_vevent_each(data)
    calendar = icalendar.Calendar.from_ical(data)
    unfolded = data.replace(b"\r\n ", b"").split(b"\r\n")
    escaped = ICAL.replace("\r\n", "\\n").encode()
    assert b"X-WR-CALNAME:Calendar" + escaped in unfolded
    assert b"NAME:Calendar" + escaped in unfolded
    for event in calendar.walk("VEVENT"):
        assert str(event["UID"]).endswith("@example.org")
    # The UIDs' domain is refused outright: no line break or ";" reaches a UID.
    refused = CliRunner().invoke(
        cli, ["export", "ical", "--db", str(path), "--domain", f"example.org{ICAL}"]
    )
    assert (refused.exit_code, refused.stdout) == (2, "")


def test_calendar_lines_stay_inside_their_property_in_datasette(tmp_path: Path, plugin):
    path = database(tmp_path / "timeline.db", ICAL)
    (response,) = fetch(path, "/timeline/developments.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert_one_vevent_each(response.content)


# --- HTML: escaped on every page and in the TimelineJS text -------------------------------

PAGES = [
    "/timeline",
    "/timeline/developments",
    "/timeline/developments/evil-meeting",
    "/timeline/developments/evil-agreement",
    "/timeline/developments?_search=Talks",
    "/timeline/developments?_facet_array=tags",
    "/timeline/developments?_facet=place",
    "/timeline/events",
    "/timeline/history",
    "/timeline/participants",
    "/timeline/actors",
    "/timeline/places",
    "/timeline/sources",
    "/timeline/tags",
    "/timeline/statements",
    "/timeline/agreement_points",
    "/timeline/links",
    "/timeline/scheduled_next",
    "/timeline/between_dates?from=2024-01-01&to=2024-12-31",
    "/timeline/involving_actor?name=" + quote(f"Mallory {HTML}"),
    "/timeline/quotes_by_speaker",
    "/timeline/agreements",
    "/timeline/development_history?development=evil-scheduled",
    "/timeline/the_log",
]


@pytest.mark.parametrize("url", PAGES)
def test_html_in_every_field_is_escaped_on_every_page(tmp_path: Path, plugin, url: str):
    path = database(tmp_path / "timeline.db", HTML)
    (page,) = fetch(path, url)
    assert page.status_code == 200, page.text[:500]
    assert "<script>alert(1)" not in page.text
    assert "<img src=x" not in page.text
    assert "<script>alert(3)" not in page.text


def json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in json_strings(v)]
    return []


def assert_timelinejs_is_escaped(document: dict[str, Any]) -> None:
    texts = json_strings(document)
    assert not [t for t in texts if "<script>alert(1)" in t or "<img src=x" in t]
    assert not [t for t in texts if "<script>alert(3)" in t and not t.startswith("https://")]
    headlines = sorted(e["text"]["headline"] for e in document["events"])
    assert headlines == sorted(f"{title} {ESCAPED}" for title in TITLES)
    meeting = next(e for e in document["events"] if e["unique_id"].startswith("evil-meeting"))
    assert f"Summary {ESCAPED}" in meeting["text"]["text"]
    assert (
        'href="https://example.org/?q=&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"'
        in (meeting["text"]["text"])
    )


def test_html_is_escaped_in_the_timelinejs_export(tmp_path: Path):
    path = database(tmp_path / "timeline.db", HTML)
    result = CliRunner().invoke(cli, ["export", "timelinejs", "--db", str(path), "--name", HTML])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert_timelinejs_is_escaped(document)
    assert document["title"]["text"]["headline"] == ESCAPED


def test_html_is_escaped_in_the_timelinejs_renderer(tmp_path: Path, plugin):
    path = database(tmp_path / "timeline.db", HTML)
    (response,) = fetch(path, "/timeline/developments.timelinejs")
    assert response.status_code == 200
    assert_timelinejs_is_escaped(response.json())


# --- links: http(s) only, refused at input -------------------------------------------

BAD_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "ftp://example.org/readout.pdf",
    "vbscript:msgbox(1)",
    "//example.org/readout",
    "https:example.org",
    "http:/example.org",
    "https://",
    "\x00javascript:alert(1)",
    "https://example.org/\x00",
    "https://exa mple.org/",
]


def meeting_with_source(url: str) -> dict[str, Any]:
    return {
        "type": "MeetingHeld",
        "data": {
            "development": "m",
            "title": "A meeting",
            "when": "2024-04-26",
            "participants": [{"name": "A"}],
            "sources": [{"url": url}],
        },
    }


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_source_url_that_is_not_http_is_refused_everywhere(tmp_path: Path, url: str):
    # A URL with a control character is refused for that before anything else.
    refusal = "contains a control character" if "\x00" in url else "is not an http(s) URL"
    with pytest.raises(InvalidEvent, match=rf"^data\.sources\[0\]\.url: .*{re.escape(refusal)}"):
        service.parse_submission(meeting_with_source(url))
    path = tmp_path / "timeline.db"
    open_db(path).close()
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            *("add", "meeting", "--title", "A meeting", "--when", "2024-04-26"),
            *("--with", "A", "--source", url, "--db", str(path)),
        ],
    )
    line = assert_refused(result)
    assert line.startswith("Error: --source #1 url: ")
    assert refusal in line
    assert count(path) == 0
    # Nor can a later event bring it in.
    runner.invoke(
        cli,
        [
            *("add", "scheduled", "--kind", "talks", "--id", "s", "--title", "Talks"),
            *("--db", str(path)),
        ],
    )
    for args in (
        ["revise", "s", "--source", url, "--reason", "add a source"],
        ["held", "s", "--when", "2024-05-01", "--source", url],
    ):
        assert refusal in assert_refused(runner.invoke(cli, [*args, "--db", str(path)]))
    assert count(path) == 1
