"""A self-contained HTML page that draws the timeline, streamed one development at a time.

Decisions a reader may notice:

- One file, no network: the stylesheet and the script (``exports/static/``) are inlined,
  and a Content-Security-Policy lets only those two run (by their hashes), so nothing in
  the data can load or execute anything, and the page works offline.
- The script is its modules (``exports/static/timeline/``, plain files, no build step)
  joined in a fixed order inside one function, so that their names stay out of the page's
  global scope; each module is one namespace object that the later ones use.
- The records are embedded whole as JSON in ``<script type="application/json"
  id="timeline-data">``: ``{"title": ..., "filters": {...}, "vocabulary": {...},
  "developments": [records], "dates": [...]}``. ``filters`` (only when some are given)
  is what the page's filter form starts with, the page's words for how the records were
  selected (``{"country": "CN"}``), so that a page made for one country says so in its
  Country list too. ``vocabulary`` holds the words of ``events/vocabulary.py`` the script
  shows, each with its name on the page, in display order: ``kinds``, ``statuses`` and
  ``relations`` (``{"part_of": "Part of", ...}``) and ``qualifiers`` (``{"uncertain":
  {"mark": "?", "words": "date uncertain"}, ...}``); the script has no list of its own.
  ``actions`` (only on a page served to someone who may write) is where the lifecycle
  forms are: ``{"base": "/-/timeline/db/developments/", "names": [["held", "Record that it
  took place", ["scheduled", "postponed", "cancelled"]], ["revise", "Revise", null],
  ...]}``, each action shown for the statuses it may follow (null: any).
  ``dates[i]`` is ``{"text", "note", "open"}`` for a dated development (the date in
  words as the other exports write it, e.g. ``c. May 2024`` and ``Date known to the
  month, approximate: May 2024``; ``open`` true for an interval open at its end,
  ``2024-04/..``, whose record has a ``start`` and no ``end``) and null otherwise. Every
  ``</`` in the JSON is written ``<\\/`` and every ``<!--`` as ``\\u003c!--``, which JSON
  reads back unchanged but which can neither close the script element nor change how
  the HTML parser reads it.
- An open end is a bar from its start to the last date on the page, ended by an
  arrowhead: it went on, for how long is not known. A season is a soft band over its
  three months, as a month or a year is.
- The script builds every piece of text with ``textContent``; links are made only from
  http(s) URLs (and the write forms' from a path on the serving site).
- The same records and title give the same bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any, Final

from timeline.events.vocabulary import KINDS, QUALIFIERS, RELATIONS, STATUSES
from timeline.exports import _dates

__all__ = ["render"]

_DATA_ID: Final = "timeline-data"
# The script's modules, each using only those before it: helpers, the data read into
# items, the layout (these three need no DOM: tests/exports/test_exports_layout.py runs
# them under Node), the drawing, the details panel, the input, and the start.
SCRIPT_MODULES: Final = (
    "util.js",
    "data.js",
    "layout.js",
    "draw.js",
    "details.js",
    "input.js",
    "main.js",
)
_HEAD: Final = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="generator" content="timeline">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>{css}</style>
</head>
<body>
<a class="skip" href="#lanes">Skip to the timeline</a>
<header class="page-head">
<h1 id="page-title">{title}</h1>
<p id="count" class="count" role="status" aria-live="polite"></p>
</header>
<form id="filters" class="toolbar" role="search" aria-label="Filter developments">
<label>Lanes <select id="f-group"><option value="kind">by kind</option>\
<option value="country">by country</option></select></label>
<label>Kind <select id="f-kind"><option value="">All kinds</option></select></label>
<label>Country <select id="f-country"><option value="">All countries</option></select></label>
<label>Actor <input id="f-actor" type="search" list="f-actors" placeholder="Any actor" \
autocomplete="off" spellcheck="false"></label>
<datalist id="f-actors"></datalist>
<label>Tag <select id="f-tag"><option value="">All tags</option></select></label>
<label>Status <select id="f-status"><option value="">All statuses</option></select></label>
<button type="reset" id="f-clear">Clear filters</button>
</form>
<div class="zoombar" role="group" aria-label="Zoom and pan">
<button type="button" data-act="out" aria-label="Zoom out" title="Zoom out (-)">\u2212</button>
<button type="button" data-act="in" aria-label="Zoom in" title="Zoom in (+)">+</button>
<button type="button" data-act="left" aria-label="Earlier" title="Earlier (\u2190)">\u2190</button>
<button type="button" data-act="right" aria-label="Later" title="Later (\u2192)">\u2192</button>
<button type="button" data-act="fit" title="Show every date (0)">Fit all</button>
<span id="range" class="range"></span>
</div>
<main class="layout">
<section id="chart" class="chart" aria-label="Timeline" aria-describedby="help">
<svg id="axis" class="axis" aria-hidden="true" focusable="false"></svg>
<div id="lanes" class="lanes" tabindex="-1">\
<svg id="plot" class="plot" role="group" aria-label="Developments on the time axis"></svg></div>
<p id="empty" class="empty" hidden>No dated development matches the filters.</p>
</section>
<aside class="side">
<section id="details" class="details" role="region" aria-labelledby="d-title" hidden></section>
<section id="undated" class="undated" aria-labelledby="undated-title">
<h2 id="undated-title">Date unknown</h2>
<ul id="undated-list" class="undated-list"></ul>
<p id="undated-none" class="muted" hidden>None.</p>
</section>
</aside>
</main>
<footer class="page-foot">
<p id="help" class="help">Zoom with the mouse wheel, the buttons or + and \u2212; pan by dragging, \
or with \u2190 and \u2192; 0 shows every date. Tab to a development and press Enter for its \
details, Esc to close them.</p>
<ul id="legend" class="legend" aria-label="Legend"></ul>
</footer>
<noscript><p class="noscript">This timeline is drawn by a script; the developments are in \
the page source as JSON.</p></noscript>
<script type="application/json" id="{data_id}">"""


PRESETS: Final = ("kind", "country", "actor", "tag", "status")
"""The filters of the page's form that can start set (``render(filters=...)``)."""


def render(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str = "Diplomatic timeline",
    filters: Mapping[str, str] | None = None,
    actions: Mapping[str, Any] | None = None,
) -> Iterator[str]:
    """Yield one self-contained HTML page, in chunks, drawing *records* on a time axis.

    Every record is embedded (the undated ones make the page's "Date unknown" list).
    *filters* (keys of :data:`PRESETS`) are what the form starts with: how the records
    were selected. *actions* (``{"base": URL, "names": [[name, label, statuses], ...]}``,
    for a page served to someone who may write) puts a link to each lifecycle form, ``base
    + id + "/" + name``, in the details of every development whose status is among the
    action's *statuses* (None: any). Raise ValueError for a record whose dates
    are malformed, as the other exports do.
    """
    preset = {key: str(filters[key]) for key in PRESETS if (filters or {}).get(key)}
    css, js = _static("timeline.css"), _script()
    yield _HEAD.format(
        policy=html.escape(_policy(css, js)),
        title=html.escape(title),
        css=css,
        data_id=_DATA_ID,
    )
    given = f',"filters":{_json(preset)}' if preset else ""
    given += f',"actions":{_json(actions)}' if actions else ""
    yield f'{{"title":{_json(title)}{given},"vocabulary":{_vocabulary()},"developments":['
    dates: list[dict[str, str | bool | None] | None] = []
    for index, record in enumerate(records):
        dates.append(_date(record))
        embedded = _json(record)
        yield f",{embedded}" if index else embedded
    yield f'],"dates":{_json(dates)}}}</script>\n<script>{js}</script>\n</body>\n</html>\n'


@functools.cache
def _vocabulary() -> str:
    """The words the script shows and their names on the page, as embedded JSON."""
    marks = {name: mark for mark, name in QUALIFIERS.items()}
    # EDTF writes "both" as "%"; the page shows "?~", which a reader of "?" and "~" can read.
    marks["both"] = marks["uncertain"] + marks["approximate"]
    return _json(
        {
            "kinds": {kind: _label(kind) for kind in KINDS},
            "statuses": {status: _label(status) for status in STATUSES},
            "relations": {relation: _label(relation) for relation in RELATIONS},
            "qualifiers": {
                name: {"mark": mark, "words": f"date {_dates.QUALIFIER_WORDS[name]}"}
                for name, mark in marks.items()
            },
        }
    )


def preset(described: Mapping[str, Any]) -> dict[str, str]:
    """The form's starting filters for an export selected by *described* (the CLI's
    filters as ``Filters.describe`` gives them): each one the form can show, given once."""
    found = {"country": described.get("country")}
    for key, many in (
        ("kind", "kinds"),
        ("actor", "actors"),
        ("tag", "tags"),
        ("status", "statuses"),
    ):
        values = described.get(many) or []
        found[key] = values[0] if len(values) == 1 else None
    return {key: value for key, value in found.items() if value}


def _label(word: str) -> str:
    """A word of the vocabulary as the page names it: ``follows_up`` is "Follows up"."""
    return word.replace("_", " ").capitalize()


def _date(record: Mapping[str, Any]) -> dict[str, str | bool | None] | None:
    """The date in words and how well it is known, as the other exports say it."""
    found = _dates.parts(record)
    if found is None:
        return None
    start, end = found
    return {
        "text": _dates.describe(start, end, record.get("timezone")),
        "note": _dates.note(start, end, record.get("timezone")),
        "open": end is None,
    }


def _json(value: Any) -> str:
    """Compact JSON that cannot end the script element it sits in (see the module doc)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


@functools.cache
def _script() -> str:
    """The page's script: its modules in order, inside one function (see the module doc)."""
    modules = "\n".join(_static(f"timeline/{name}") for name in SCRIPT_MODULES)
    return f"(function () {{\n{modules}}})();\n"


@functools.cache
def _static(name: str) -> str:
    """A file of ``exports/static``; it must not be able to end its own element."""
    text = resources.files(__package__).joinpath("static", *name.split("/")).read_text("utf-8")
    if "</" in text or "<!--" in text:
        raise ValueError(f"exports/static/{name} contains '</' or '<!--', which would break out")
    return text


@functools.cache
def _policy(css: str, js: str) -> str:
    """A Content-Security-Policy that runs only our own style and script, and fetches nothing."""
    return (
        "default-src 'none'; "
        f"script-src '{_sha256(js)}'; "
        f"style-src '{_sha256(css)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
