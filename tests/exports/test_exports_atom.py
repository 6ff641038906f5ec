"""The Atom feed, read back by feedparser (a real feed reader's parser) and by ElementTree."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
import pytest
from conftest import make_record
from hypothesis import given
from hypothesis import strategies as st
from timeline.exports import atom

GOLDEN = Path(__file__).parents[1] / "golden" / "export-sample.atom"
NS = {"a": "http://www.w3.org/2005/Atom"}
FEED_URL = "https://example.org/china-us.atom"


def text(records: list[dict[str, Any]], **options: Any) -> str:
    return "".join(atom.render(records, **options))


def parsed(records: list[dict[str, Any]], **options: Any) -> Any:
    """The feed as feedparser reads it; it must find nothing wrong with it."""
    feed = feedparser.parse(text(records, **options).encode("utf-8"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_the_sample_matches_the_golden_file(sample_records: list[dict[str, Any]]) -> None:
    written = text(sample_records, title="China-U.S. relations, spring 2024", source=FEED_URL)
    assert written.encode("utf-8") == GOLDEN.read_bytes()


def test_renders_are_byte_identical(sample_records: list[dict[str, Any]]) -> None:
    assert text(sample_records) == text([dict(r) for r in reversed(sample_records)])


def test_feedparser_reads_every_development_newest_change_first(
    sample_records: list[dict[str, Any]],
) -> None:
    feed = parsed(sample_records, source=FEED_URL)
    assert feed.feed.title == "Diplomatic timeline"
    assert feed.feed.id == FEED_URL
    assert feed.feed.links == [{"rel": "self", "type": "application/atom+xml", "href": FEED_URL}]
    # The consensus was revised a day later: it comes first; the rest share one time, by id.
    ids = [entry.id.rsplit(":", 1)[1] for entry in feed.entries]
    assert ids[0] == "2024-04-26-five-point-consensus"
    assert ids[1:] == sorted(r["id"] for r in sample_records if r["version"] == 1)
    assert len(ids) == len(sample_records)  # undated developments are news too
    assert feed.feed.updated == "2024-04-28T09:30:00.500000Z"
    first = feed.entries[0]
    assert first.updated == "2024-04-28T09:30:00.500000Z"
    assert first.published == "2024-04-27T08:00:00Z"
    assert first.title == "China and the U.S. reach a five-point consensus"
    assert [t.term for t in first.tags] == [
        "agreement",
        "china-us",
        "five-point-consensus",
        "artificial-intelligence",
        "climate",
    ]


def test_the_entry_id_survives_revisions() -> None:
    first = make_record(version=1, title="Xi meets Blinken")
    later = make_record(
        version=4, title="Xi Jinping meets Antony Blinken", updated_at="2024-05-02T10:00:00Z"
    )
    (before,) = parsed([first]).entries
    (after,) = parsed([later]).entries
    assert (
        before.id
        == after.id
        == ("tag:timeline.invalid,2024-04-27:2024-04-26-xi-jinping-meets-antony-blinken")
    )
    assert (before.updated, after.updated) == ("2024-04-27T08:00:00Z", "2024-05-02T10:00:00Z")
    (other_domain,) = parsed([first], domain="news.example.org").entries
    assert other_domain.id.startswith("tag:news.example.org,2024-04-27:")


def test_the_content_says_when_where_who_and_links_the_first_source() -> None:
    (entry,) = parsed([make_record(status="postponed", status_reason="Weather.")]).entries
    assert entry.link == make_record()["sources"][0]["url"]
    (content,) = entry.content
    assert content.type == "text/html"
    assert content.value.startswith(
        "<p><strong>26 April 2024</strong> · Great Hall of the People, Beijing, CN</p>"
        "<p><strong>Postponed</strong>: Weather.</p>"
        "<p>Chinese President Xi Jinping met U.S. Secretary of State Antony Blinken.</p>"
        "<p>Participants: Xi Jinping (President, CN), Antony Blinken (Secretary of State, US)</p>"
    )


def test_an_undated_development_says_so_and_has_no_link_without_a_source() -> None:
    record = make_record(when=None, start=None, end=None, precision=None, sources=[])
    (entry,) = parsed([record]).entries
    assert entry.get("links", []) == []
    assert entry.content[0].value.startswith("<p><strong>Date not known yet</strong>")


def test_markup_and_control_characters_stay_text() -> None:
    record = make_record(
        title="<script>alert(1)</script> & \x07 talks ]]>",
        summary="Line one\nline <b>two</b>",
        tags=['"quoted" tag'],
    )
    feed = parsed([record])
    (entry,) = feed.entries
    assert entry.title == "<script>alert(1)</script> &   talks ]]>"
    assert "<b>" not in entry.content[0].value
    assert "Line one<br />line &lt;b&gt;two&lt;/b&gt;" in entry.content[0].value
    assert [t.term for t in entry.tags] == ["meeting", '"quoted" tag']


def test_without_a_url_the_feed_id_is_a_stable_name_based_uuid() -> None:
    feed = parsed([make_record()])
    assert feed.feed.id == parsed([]).feed.id
    assert feed.feed.id.startswith("urn:uuid:")
    assert parsed([], title="Another").feed.id != feed.feed.id
    assert "links" not in feed.feed or not feed.feed.links


def test_an_empty_feed_is_valid_and_dated_at_the_epoch() -> None:
    feed = parsed([])
    assert feed.entries == []
    assert feed.feed.updated == "1970-01-01T00:00:00Z"


def test_a_source_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^'javascript:alert\(1\)' is not an http\(s\) URL$"):
        text([], source="javascript:alert(1)")


@given(
    titles=st.lists(st.text(max_size=30), min_size=1, max_size=5),
    times=st.lists(st.datetimes(timezones=st.just(dt.UTC)), min_size=5, max_size=5),
)
def test_any_titles_give_well_formed_xml_newest_first(titles: list[str], times: list) -> None:
    records = [
        make_record(id=f"d-{i}", title=title, updated_at=times[i].isoformat())
        for i, title in enumerate(titles)
    ]
    root = ET.fromstring(text(records).encode("utf-8"))
    updated = [
        dt.datetime.fromisoformat(e.findtext("a:updated", namespaces=NS))
        for e in root.findall("a:entry", NS)
    ]
    assert len(updated) == len(records)
    assert updated == sorted(updated, reverse=True)
    found = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    # An XML parser reads a written line break, CR LF or CR alone, as one LF.
    cleaned = {_lines(atom._clean(t)) for t in titles}
    assert {_lines(t) for t in found} <= cleaned | {""}


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
