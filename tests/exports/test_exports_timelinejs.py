"""The TimelineJS3 export: date objects at their precision, escaped HTML, streamed."""

from __future__ import annotations

import copy
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from timeline.exports import timelinejs

GOLDEN = Path(__file__).parents[1] / "golden" / "export-sample.timelinejs.json"


def text(records: list[dict[str, Any]], **options: Any) -> str:
    return "".join(timelinejs.render(records, **options))


def events(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return json.loads(text(records))["events"]


def one(record: dict[str, Any]) -> dict[str, Any]:
    (event,) = events([record])
    return event


def test_the_sample_matches_the_golden_file(sample_records: list[dict[str, Any]]) -> None:
    written = text(
        sample_records,
        title="China-U.S. relations, spring 2024",
        text="Blinken's visit to Beijing & what followed.",
    )
    assert written.encode("utf-8") == GOLDEN.read_bytes()


def test_renders_are_byte_identical(sample_records: list[dict[str, Any]]) -> None:
    assert text(sample_records) == text(copy.deepcopy(sample_records))


@pytest.mark.parametrize("count", [0, 1, 8])
def test_the_stream_is_the_document_json_would_write(
    sample_records: list[dict[str, Any]], count: int
) -> None:
    streamed = text(sample_records[:count])
    assert streamed == json.dumps(json.loads(streamed), indent=2, ensure_ascii=False) + "\n"


def test_the_title_slide() -> None:
    doc = json.loads(text([], title="Talks <live>", text="A & B\n\nSecond paragraph"))
    assert doc == {
        "title": {
            "text": {
                "headline": "Talks &lt;live&gt;",
                "text": "<p>A &amp; B</p><p>Second paragraph</p>",
            }
        },
        "events": [],
    }
    assert json.loads(text([]))["title"]["text"] == {"headline": "Diplomatic timeline", "text": ""}


def test_developments_without_a_date_are_left_out(sample_records: list[dict[str, Any]]) -> None:
    written = events(sample_records)
    assert [e["unique_id"] for e in written] == [r["id"] for r in sample_records if r["start"]]
    assert "liu-zhenmin-visit-to-the-us" not in text(sample_records)


@pytest.mark.parametrize(
    ("fields", "start_date", "end_date", "display_date"),
    [
        (
            {"when": "2024", "start": "2024-01-01", "end": "2024-12-31", "precision": "year"},
            {"year": "2024"},
            None,
            "2024",
        ),
        (
            {"when": "2024-04", "start": "2024-04-01", "end": "2024-04-30", "precision": "month"},
            {"year": "2024", "month": "4"},
            None,
            "April 2024",
        ),
        (
            {"when": "2024-04-26", "start": "2024-04-26", "end": "2024-04-26"},
            {"year": "2024", "month": "4", "day": "26"},
            None,
            "26 April 2024",
        ),
        (
            {"when": "2024-04-24/2024-04-26", "start": "2024-04-24", "end": "2024-04-26"},
            {"year": "2024", "month": "4", "day": "24"},
            {"year": "2024", "month": "4", "day": "26"},
            "24–26 April 2024",  # noqa: RUF001
        ),
        (
            {"when": "2024-04-30/2024-05-02", "start": "2024-04-30", "end": "2024-05-02"},
            {"year": "2024", "month": "4", "day": "30"},
            {"year": "2024", "month": "5", "day": "2"},
            "30 April – 2 May 2024",  # noqa: RUF001
        ),
        (
            {
                "when": "2023-12/2024-01",
                "start": "2023-12-01",
                "end": "2024-01-31",
                "precision": "month",
            },
            {"year": "2023", "month": "12"},
            {"year": "2024", "month": "1"},
            "December 2023 – January 2024",  # noqa: RUF001
        ),
        (
            {
                "when": "2024-04-26T16:30",
                "start": "2024-04-26T16:30",
                "end": "2024-04-26T16:30",
                "precision": "minute",
            },
            {"year": "2024", "month": "4", "day": "26", "hour": "16", "minute": "30"},
            None,
            "26 April 2024, 16:30 (Asia/Shanghai)",
        ),
        (
            {
                "when": "2024-04-26T08:05:09Z",
                "start": "2024-04-26T08:05:09Z",
                "end": "2024-04-26T08:05:09Z",
                "precision": "second",
            },
            {"year": "2024", "month": "4", "day": "26", "hour": "16", "minute": "5", "second": "9"},
            None,
            "26 April 2024, 16:05:09 (Asia/Shanghai)",
        ),
        (
            {
                "when": "2024-04-26T16:30+08:00/2024-04-26T18:00+08:00",
                "start": "2024-04-26T16:30+08:00",
                "end": "2024-04-26T18:00+08:00",
                "precision": "minute",
                "timezone": None,
            },
            {"year": "2024", "month": "4", "day": "26", "hour": "16", "minute": "30"},
            {"year": "2024", "month": "4", "day": "26", "hour": "18", "minute": "0"},
            "26 April 2024, 16:30–18:00 (UTC+08:00)",  # noqa: RUF001
        ),
        (
            {
                "when": "2024-04-26T16:30Z",
                "start": "2024-04-26T16:30Z",
                "end": "2024-04-26T16:30Z",
                "precision": "minute",
                "timezone": None,
            },
            {"year": "2024", "month": "4", "day": "26", "hour": "16", "minute": "30"},
            None,
            "26 April 2024, 16:30 (UTC)",
        ),
    ],
)
def test_dates_carry_only_the_precision_known(
    record,
    fields: dict[str, Any],
    start_date: dict[str, str],
    end_date: dict[str, str] | None,
    display_date: str,
) -> None:
    event = one(record(**fields))
    assert event["start_date"] == start_date
    assert event.get("end_date") == end_date
    assert event["display_date"] == display_date


def test_a_month_has_no_day_even_without_its_when(record) -> None:
    event = one(record(when=None, start="2024-04-01", end="2024-04-30", precision="month"))
    assert event["start_date"] == {"year": "2024", "month": "4"}
    assert "end_date" not in event
    assert "day" not in json.dumps(event["start_date"])


@pytest.mark.parametrize(
    ("when", "start", "end", "precision", "qualifier", "display_date"),
    [
        ("2024-04~", "2024-04-01", "2024-04-30", "month", "approximate", "c. April 2024"),
        ("2024-04?", "2024-04-01", "2024-04-30", "month", "uncertain", "April 2024?"),
        ("2024-04-26%", "2024-04-26", "2024-04-26", "day", "both", "c. 26 April 2024?"),
        ("2024~", "2024-01-01", "2024-12-31", "year", "approximate", "c. 2024"),
        (
            "2024-04-24?/2024-04-26",
            "2024-04-24",
            "2024-04-26",
            "day",
            "uncertain",
            "24 April 2024? – 26 April 2024",  # noqa: RUF001
        ),
    ],
)
def test_uncertain_and_approximate_dates_are_marked(
    record, when: str, start: str, end: str, precision: str, qualifier: str, display_date: str
) -> None:
    event = one(record(when=when, start=start, end=end, precision=precision, qualifier=qualifier))
    assert event["display_date"] == display_date


def test_event_fields(record) -> None:
    event = one(record())
    assert list(event) == ["start_date", "display_date", "text", "group", "unique_id"]
    assert event["group"] == "meeting"
    assert event["unique_id"] == "2024-04-26-xi-jinping-meets-antony-blinken"
    assert event["text"]["headline"] == "Xi Jinping meets Antony Blinken"


def test_html_is_escaped(record) -> None:
    event = one(
        record(
            title="<script>alert('x')</script> & talks",
            summary='He said "<b>no</b>".\n\nThen left.',
            participants=[{"name": "A <i>B</i>", "role": "R&D", "country": "CN"}],
            points=["1 < 2"],
            speaker="<em>Wang</em>",
            quote="<img src=x onerror=alert(1)>",
            status="postponed",
            status_reason="<b>weather</b>",
            sources=[
                {
                    "url": 'https://a.example/?q="x"&y=<z>',
                    "title": "<T>",
                    "publisher": "P&Q",
                    "published": None,
                },
                {
                    "url": "javascript:alert(1)",
                    "title": "bad",
                    "publisher": None,
                    "published": None,
                },
            ],
        )
    )
    assert (
        event["text"]["headline"] == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; talks"
    )
    body = event["text"]["text"]
    for tag in ("<script", "<img", "<b>", "<i>", "<em>"):
        assert tag not in body
    assert body == (
        "<p><strong>Postponed</strong>: &lt;b&gt;weather&lt;/b&gt;</p>"
        "<p>He said &quot;&lt;b&gt;no&lt;/b&gt;&quot;.</p><p>Then left.</p>"
        "<p>Participants: A &lt;i&gt;B&lt;/i&gt; (R&amp;D, CN)</p>"
        "<ol><li>1 &lt; 2</li></ol>"
        "<blockquote>“&lt;img src=x onerror=alert(1)&gt;”</blockquote>"
        "<p>— &lt;em&gt;Wang&lt;/em&gt;</p>"
        '<p>Sources: <a href="https://a.example/?q=&quot;x&quot;&amp;y=&lt;z&gt;" target="_blank"'
        ' rel="noopener noreferrer">&lt;T&gt;</a> (P&amp;Q); bad</p>'
    )


def test_the_text_lists_what_is_known(sample_records: list[dict[str, Any]]) -> None:
    agreement = next(e for e in events(sample_records) if e["group"] == "agreement")
    body = agreement["text"]["text"]
    assert body.count("<li>") == 5
    assert "<p>Parties: CN, US</p>" in body
    assert "Wang Yi (Foreign Minister, CN)" in body


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://news.cgtn.com/news/2024-04-26/p.html", False),
        ("https://example.org/photo.JPG", True),
        ("https://example.org/photo.png?size=large", True),
        ("https://www.youtube.com/watch?v=abc123", True),
        ("https://youtu.be/abc123", True),
        ("https://vimeo.com/12345", True),
        ("https://en.wikipedia.org/wiki/Great_Hall_of_the_People", True),
        ("https://example.org/images/", False),
    ],
)
def test_media_only_for_what_timelinejs_can_show(record, url: str, shown: bool) -> None:
    source = {"url": url, "title": "A <title>", "publisher": "P", "published": None}
    event = one(record(sources=[source]))
    if shown:
        assert event["media"] == {"url": url, "caption": "A &lt;title&gt;", "credit": "P"}
    else:
        assert "media" not in event


def test_media_is_the_first_source_that_can_be_shown(record) -> None:
    sources = [
        {
            "url": "https://news.example/a.html",
            "title": "News",
            "publisher": None,
            "published": None,
        },
        {"url": "https://img.example/b.jpg", "title": None, "publisher": None, "published": None},
    ]
    assert one(record(sources=sources))["media"] == {"url": "https://img.example/b.jpg"}


@pytest.mark.slow
def test_memory_stays_flat_while_streaming(many_records) -> None:
    tracemalloc.start()
    try:
        size = 0
        for chunk in timelinejs.render(many_records(20_000)):
            size += len(chunk.encode("utf-8"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 20_000_000
    assert peak < 5_000_000, f"peak {peak} bytes for {size} bytes of output"


def test_a_local_time_without_a_zone_says_so(record) -> None:
    event = one(
        record(
            when="2024-04-26T16:30",
            start="2024-04-26T16:30",
            end="2024-04-26T16:30",
            precision="minute",
            timezone=None,
        )
    )
    assert event["start_date"] == {
        "year": "2024",
        "month": "4",
        "day": "26",
        "hour": "16",
        "minute": "30",
    }
    assert event["display_date"] == "26 April 2024, 16:30 (local time)"


def test_a_malformed_date_names_the_development(record) -> None:
    with pytest.raises(ValueError, match="'bad-date'"):
        text([record(id="bad-date", when=None, start="26/04/2024", end="26/04/2024")])
