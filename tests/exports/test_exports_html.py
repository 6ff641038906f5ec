"""The HTML timeline page, without a browser: one self-contained file, the records embedded
as JSON that no text can break out of, the same bytes for the same input."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from timeline.exports import html

GOLDEN = Path(__file__).parents[1] / "golden" / "html-sample.html"
TITLE = "China-U.S. relations, spring 2024"


def page(records: Any, **options: Any) -> str:
    return "".join(html.render(records, **options))


class Elements(HTMLParser):
    """The page as a browser's tokenizer reads it: each script and style, and the title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.metas: list[dict[str, str | None]] = []
        self.texts: dict[str, str] = {}
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self.metas.append(dict(attrs))
        if tag in ("script", "style", "title", "h1"):
            self._open, self._text = (tag, dict(attrs)), []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[0] == tag:
            text = "".join(self._text)
            if tag == "script":
                self.scripts.append((self._open[1], text))
            elif tag == "style":
                self.styles.append(text)
            else:
                self.texts[tag] = text
            self._open = None


def elements(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


def embedded(text: str) -> dict[str, Any]:
    """The JSON of the data block, as the page's script reads it."""
    (data,) = [body for attrs, body in elements(text).scripts if attrs.get("id") == "timeline-data"]
    return json.loads(data)


def test_the_sample_matches_the_golden_file(sample_records: list[dict[str, Any]]) -> None:
    # After a deliberate change to the page, write the new golden file with:
    # python -c "from tests.exports.conftest import _sample; from timeline.exports import html;
    #   open('tests/golden/html-sample.html', 'w', encoding='utf-8', newline='').write(''.join(
    #   html.render(_sample(), title='China-U.S. relations, spring 2024')))"
    assert page(sample_records, title=TITLE).encode("utf-8") == GOLDEN.read_bytes()


def test_renders_are_byte_identical(sample_records: list[dict[str, Any]]) -> None:
    assert page(sample_records) == page(copy.deepcopy(sample_records))


def test_the_data_block_parses_back_to_the_records(sample_records: list[dict[str, Any]]) -> None:
    data = embedded(page(sample_records, title=TITLE))
    assert data["title"] == TITLE
    assert data["developments"] == sample_records
    assert len(data["dates"]) == len(sample_records)


def test_dates_in_words_as_the_other_exports_write_them(
    sample_records: list[dict[str, Any]],
) -> None:
    dates = dict(
        zip(
            [r["id"] for r in sample_records],
            embedded(page(sample_records))["dates"],
            strict=True,
        )
    )
    assert dates["2024-04-24-antony-blinken-visits-china"] == {
        "text": "24\u201326 April 2024",
        "note": None,
        "open": False,
    }
    assert dates["2024-04-02-xi-jinping-biden-call"] == {
        "text": "2 April 2024, 12:30 (UTC)",
        "note": None,
        "open": False,
    }
    assert dates["china-us-ai-dialogue-first-meeting"] == {
        "text": "c. May 2024",
        "note": "Date known to the month, approximate: May 2024",
        "open": False,
    }
    assert dates["liu-zhenmin-visit-to-the-us"] is None


@pytest.mark.parametrize(
    "nasty",
    [
        "</script><script>alert(1)</script>",
        "</SCRIPT >",
        "<!--<script>",
        "<\\/script>",
        "\u2028\u2029 & <b>bold</b>",
    ],
)
def test_no_text_can_leave_the_data_block(record: Any, nasty: str) -> None:
    records = [record(title=nasty, summary=nasty, quote=nasty, tags=[nasty])]
    text = page(records, title=nasty)
    parsed = elements(text)
    assert [attrs.get("id") for attrs, _body in parsed.scripts] == ["timeline-data", None]
    data = embedded(text)
    assert data["title"] == nasty
    assert data["developments"] == records
    # The title shows as text, never as markup.
    assert parsed.texts["title"] == nasty
    assert parsed.texts["h1"] == nasty


def test_the_page_runs_only_its_own_script_and_style(record: Any) -> None:
    text = page([record()])
    parsed = elements(text)
    (policy,) = [
        m["content"] for m in parsed.metas if m.get("http-equiv") == "Content-Security-Policy"
    ]
    (script,) = [body for attrs, body in parsed.scripts if "type" not in attrs]
    (style,) = parsed.styles

    def digest(body: str) -> str:
        return base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()

    assert f"script-src 'sha256-{digest(script)}'" in policy
    assert f"style-src 'sha256-{digest(style)}'" in policy
    assert policy.startswith("default-src 'none';")


def test_the_page_needs_no_network(sample_records: list[dict[str, Any]]) -> None:
    text = page(sample_records)
    outside_data = re.sub(
        r'<script type="application/json" id="timeline-data">.*?</script>', "", text, flags=re.S
    )
    assert not re.search(r"\bsrc=|<link(?![^>]*href=\"data:)|@import|url\(", outside_data)
    assert "https://" not in outside_data


def test_text_is_kept_as_written(record: Any) -> None:
    quote = "大国要有大国的样子 — “quoted” & <kept>"
    data = embedded(page([record(quote=quote)]))
    assert data["developments"][0]["quote"] == quote
    assert quote.split(" ")[0] in page([record(quote=quote)])


def test_an_empty_selection_is_a_working_page() -> None:
    data = embedded(page([]))
    assert data == {
        "title": "Diplomatic timeline",
        "vocabulary": VOCABULARY,
        "developments": [],
        "dates": [],
    }


# What the page's script shows, from events/vocabulary.py (written out: the test's own copy).
VOCABULARY = {
    "kinds": {
        "meeting": "Meeting",
        "talks": "Talks",
        "summit": "Summit",
        "call": "Call",
        "visit": "Visit",
        "agreement": "Agreement",
        "statement": "Statement",
        "dialogue": "Dialogue",
        "consultation": "Consultation",
        "other": "Other",
    },
    "statuses": {
        "occurred": "Occurred",
        "scheduled": "Scheduled",
        "postponed": "Postponed",
        "cancelled": "Cancelled",
    },
    "relations": {
        "part_of": "Part of",
        "follows_up": "Follows up",
        "implements": "Implements",
        "responds_to": "Responds to",
        "announced_in": "Announced in",
    },
    "qualifiers": {
        "uncertain": {"mark": "?", "words": "date uncertain"},
        "approximate": {"mark": "~", "words": "date approximate"},
        "both": {"mark": "?~", "words": "date uncertain and approximate"},
    },
}


def test_the_script_gets_the_vocabularies_in_display_order() -> None:
    vocabulary = embedded(page([]))["vocabulary"]
    assert vocabulary == VOCABULARY
    assert list(vocabulary["kinds"]) == list(VOCABULARY["kinds"])
    assert list(vocabulary["statuses"]) == list(VOCABULARY["statuses"])


def test_records_are_streamed(many_records: Any) -> None:
    taken = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal taken
        for one in many_records(1000):
            taken += 1
            yield one

    chunks = html.render(counted())
    head = next(chunks)
    assert head.startswith("<!DOCTYPE html>")
    assert taken == 0
    next(chunks)  # the data block opens
    next(chunks)
    assert taken == 1
    rest = "".join(chunks)
    assert taken == 1000
    assert rest.endswith("</html>\n")


def test_a_malformed_date_names_the_development(record: Any) -> None:
    broken = record(id="broken-one", when=None, start="2024-13-45", end="2024-13-45")
    with pytest.raises(ValueError, match="broken-one"):
        page([broken])
