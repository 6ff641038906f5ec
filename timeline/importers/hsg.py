"""The Office of the Historian's travels and visits (history.state.gov, open data) as visits.

Two formats, one shape: ``<trips>`` lists the trips abroad of a president or secretary of
state (``<trip role="secretary" who="blinken-antony-j">``), ``<visits>`` the visits of
foreign leaders to the United States. Each record becomes a ``VisitMade`` with an id
made from the Historian's own (``hsg-trip-4229``, ``hsg-visit-2991``), so the same
record lands on the same development however often the file is imported.

Decisions a user may notice:

- A trip's ``locale`` is kept whole as the place's city ("London, Cornwall"): splitting
  it would also split "Washington, D.C.".
- A visit's ``visitor`` is kept as written ("Prime Minister Kyriakos Mitsotakis"); its
  participant is the name without a leading title, the title as the role.
- Remarks and descriptions are one paragraph: the file's line breaks are layout.
- The file's ids, authors' times and modification times go in the event's meta
  (``meta.import``), not in the development.

The XML is read with the standard library's expat, which says on which line each element
starts (ElementTree does not), so an error names the line. A document type declaration
is refused: the Historian's files have none, and refusing it refuses entity expansion.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.parsers.expat
from collections.abc import Iterator
from typing import IO, Any

import attrs

from timeline.errors import SourceError
from timeline.events.ids import slugify
from timeline.events.vocabulary import PARTICIPANT_FIELDS, SOURCE_FIELDS
from timeline.importers.hsg_countries import country_code
from timeline.importers.sync import Record
from timeline.service import bad_text

PUBLISHER = "Office of the Historian, U.S. Department of State"
SITE = "https://history.state.gov/departmenthistory"
ROOTS = {"trips": "hsg-travels", "visits": "hsg-visits"}
"""The root element of each format, for telling them apart."""
_ROLES = {"president": "President", "secretary": "Secretary of State"}
# Titles a visitor's name may start with, longest first so "Prime Minister" beats "Prime".
_TITLES = sorted(
    (
        "President",
        "President-elect",
        "Acting President",
        "Provisional President",
        "Interim President",
        "Acting Prime Minister",
        "Prime Minister-elect",
        "Vice Premier",
        "Vice President",
        "Prime Minister",
        "Deputy Prime Minister",
        "Chancellor",
        "Premier",
        "Taoiseach",
        "King",
        "Queen",
        "Emperor",
        "Empress",
        "Crown Prince",
        "Prince",
        "Princess",
        "Grand Duke",
        "Grand Duchess",
        "Amir",
        "Emir",
        "Sultan",
        "General Secretary",
        "Secretary General",
        "Secretary-General",
        "Chairman",
        "Foreign Minister",
        "Governor-General",
        "Governor General",
        "Pope",
        "Shah",
    ),
    key=len,
    reverse=True,
)
_CHUNK = 1 << 16


@attrs.define
class Node:
    """An element as read: its tag, attributes, the line it starts on, text and children."""

    tag: str
    attrib: dict[str, str]
    line: int
    parts: list[Any] = attrs.field(factory=list)
    """Text and child nodes, in document order."""
    children: list[Node] = attrs.field(factory=list)
    """The child elements."""
    plain: bool = False
    """For the root: no text of the document holds a character events refuse (a control),
    so validating its records may skip looking for one."""

    @property
    def text(self) -> str:
        """All the text inside, an ``<em>`` too, as one line with single spaces."""
        pieces = [part if isinstance(part, str) else part.text for part in self.parts]
        return " ".join("".join(pieces).split())

    def child(self, tag: str) -> Node | None:
        """The first child element named *tag*."""
        for node in self.children:
            if node.tag == tag:
                return node
        return None


def read_xml(stream: IO[bytes]) -> Node:
    """The document's root element; SourceError naming the line if it is not well-formed."""
    parser = xml.parsers.expat.ParserCreate()
    stack: list[Node] = [Node("#document", {}, 0)]
    plain = True

    def start(tag: str, attrib: dict[str, str]) -> None:
        nonlocal plain
        node = Node(tag, attrib, parser.CurrentLineNumber)
        stack[-1].parts.append(node)
        stack[-1].children.append(node)
        stack.append(node)
        plain = plain and (not attrib or bad_text(attrib) is None)

    def end(_tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        nonlocal plain
        stack[-1].parts.append(data)
        plain = plain and bad_text(data) is None

    def doctype(*_args: Any) -> None:
        raise SourceError(
            "a document type declaration is not read (the Historian's files have none)",
            where=f"line {parser.CurrentLineNumber}",
        )

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        reason = xml.parsers.expat.errors.messages[exc.code]
        raise SourceError(f"not well-formed XML: {reason}", where=f"line {exc.lineno}") from None
    roots = stack[0].children
    if not roots:
        raise SourceError("no XML element in the file", where="line 1")
    roots[0].plain = plain
    return roots[0]


def records(root: Node, *, format: str) -> Iterator[Record]:
    """The records of a ``<trips>`` or ``<visits>`` document, in file order."""
    expected = next(tag for tag, name in ROOTS.items() if name == format)
    if root.tag != expected:
        raise SourceError(
            f"<{root.tag}> is not the root of {format} (it is <{expected}>)",
            where=f"line {root.line}",
        )
    make = _trip if format == "hsg-travels" else _visit
    item = expected.removesuffix("s")
    for node in root.children:
        if node.tag != item:
            raise SourceError(f"<{node.tag}> where a <{item}> was expected", where=_at(node))
        yield attrs.evolve(make(node), plain=root.plain)


def _at(node: Node) -> str:
    return f"line {node.line}, <{node.tag}>"


def _required(record: Node, tag: str) -> Node:
    node = record.child(tag)
    if node is None or not node.text:
        where = _at(node) if node is not None else _at(record)
        raise SourceError(f"<{tag}> is required", where=where)
    return node


_ID = re.compile(r"[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*")


def _record_id(record: Node) -> tuple[str, str]:
    """The record's own id as written, and as the end of a development id.

    Most ids are numbers (``4229``); older trips have ``Travel-977-secretary``, which
    becomes ``977-secretary`` (the word every one of them starts with left out).
    """
    node = _required(record, "id")
    if _ID.fullmatch(node.text) is None:
        raise SourceError(f"{node.text!r} is not a record id like 4229", where=_at(node))
    return node.text, slugify(node.text, max_len=200).removeprefix("travel-")


def _dates(record: Node) -> tuple[str, dt.date]:
    """The record's ``when`` (a day or an interval of days) and its first day."""
    start = _required(record, "start-date")
    end = record.child("end-date")
    try:
        first = dt.date.fromisoformat(start.text)
    except ValueError:
        message = f"{start.text!r} is not a date like 2021-03-15"
        raise SourceError(message, where=_at(start)) from None
    if end is None or not end.text or end.text == start.text:
        return start.text, first
    return f"{start.text}/{end.text}", first


def _country(node: Node, day: dt.date) -> tuple[str, str]:
    """The ISO code of a ``<country>`` or ``<from>`` element on *day*, and its label."""
    slug, label = node.attrib.get("id"), node.text
    code = country_code(slug, label, day)
    if code is None:
        shown = f"{label!r} (id {slug!r})" if slug else repr(label)
        raise SourceError(f"no ISO 3166 country code for {shown}", where=_at(node))
    return code, label


def _readable(label: str) -> str:
    """A label as a title says it: "Korea, South" as "South Korea", "the United Kingdom"."""
    head, comma, tail = label.partition(", ")
    name = f"{tail} {head}" if comma and ", " not in tail else label
    return f"the {name}" if name.startswith(_THE) else name


# Names said with "the": "visits the Netherlands".
_THE = (
    "United ",
    "U.S.S.R.",
    "Netherlands",
    "Philippines",
    "Bahamas",
    "Gambia",
    "Holy See",
    "Vatican",
    "Czech Republic",
    "Dominican Republic",
    "Central African Republic",
    "Democratic Republic",
    "Federal Republic",
    "German Democratic Republic",
    "People",
    "Republic of",
    "Marshall Islands",
    "Solomon Islands",
    "Cook Islands",
    "Maldives",
    "Comoros",
    "Seychelles",
    "West Bank",
    "Palestinian Authority",
)


def _cited(url: str, title: str) -> dict[str, str | None]:
    """A source on the Historian's site, as the event's ``sources`` hold it."""
    return dict(zip(SOURCE_FIELDS, (url, title, PUBLISHER, None), strict=True))


def _source(record: Node, record_id: str) -> dict[str, Any]:
    """The record's own id and times, kept in meta."""
    found: dict[str, Any] = {"id": record_id}
    for tag in ("created-by", "created-datetime", "last-modified-by", "last-modified-datetime"):
        node = record.child(tag)
        if node is not None and node.text:
            found[tag.replace("-", "_")] = node.text
    return found


def _origins(record: Node, fields: dict[str, str]) -> dict[str, str]:
    """Where each data field came from: the element it was read from."""
    found = {}
    for field, tag in fields.items():
        node = record.child(tag)
        found[field] = _at(node if node is not None else record)
    return found


def _trip(record: Node) -> Record:
    """A ``<trip>``: a president or secretary of state visiting another country."""
    record_id, slug = _record_id(record)
    when, day = _dates(record)
    role_key = record.attrib.get("role") or _required(record, "role").text
    role = _ROLES.get(role_key, role_key.replace("-", " ").title())
    name = _required(record, "name").text
    code, label = _country(_required(record, "country"), day)
    locale = record.child("locale")
    remarks = record.child("remarks")
    who = record.attrib.get("who")
    sources = []
    if who:
        sources.append(_cited(f"{SITE}/travels/{role_key}/{who}", f"Travels of the {role}: {name}"))
    data = {
        "development": f"hsg-trip-{slug}",
        "title": f"{role} {name} visits {_readable(label)}",
        "when": when,
        "summary": remarks.text if remarks is not None and remarks.text else None,
        "place": {"city": locale.text, "country": code}
        if locale is not None and locale.text
        else None,
        "participants": [dict(zip(PARTICIPANT_FIELDS, (name, role, "US"), strict=True))],
        "sources": sources,
        "visitor": name,
        "host_country": code,
    }
    fields = {
        "development": "id",
        "title": "name",
        "when": "start-date",
        "summary": "remarks",
        "place": "locale",
        "place.country": "country",
        "participants": "name",
        "visitor": "name",
        "host_country": "country",
    }
    source = _source(record, record_id)
    return Record("VisitMade", data, source, _at(record), _origins(record, fields))


def _visit(record: Node) -> Record:
    """A ``<visit>``: a foreign leader visiting the United States."""
    record_id, slug = _record_id(record)
    when, day = _dates(record)
    visitor = _required(record, "visitor").text
    origin = record.child("from")
    country = _country(origin, day)[0] if origin is not None and origin.text else None
    role, name = _title_and_name(visitor)
    description = record.child("description")
    data = {
        "development": f"hsg-visit-{slug}",
        "title": f"{visitor} visits the United States",
        "when": when,
        "summary": description.text if description is not None and description.text else None,
        "participants": [dict(zip(PARTICIPANT_FIELDS, (name, role, country), strict=True))],
        "sources": [
            _cited(f"{SITE}/visits/{day.year}", f"Visits by Foreign Leaders in {day.year}")
        ],
        "visitor": visitor,
        "host_country": "US",
    }
    fields = {
        "development": "id",
        "title": "visitor",
        "when": "start-date",
        "summary": "description",
        "participants": "visitor",
        "participants[0].country": "from",
        "visitor": "visitor",
    }
    source = _source(record, record_id)
    return Record("VisitMade", data, source, _at(record), _origins(record, fields))


def _title_and_name(visitor: str) -> tuple[str | None, str]:
    """A visitor as a title and the name after it: Prime Minister, Kyriakos Mitsotakis."""
    for title in _TITLES:
        if visitor.startswith(f"{title} ") and visitor[len(title) :].strip():
            return title, visitor[len(title) :].strip()
    return None, visitor


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*)")


def root_of(head: bytes) -> str | None:
    """The root element's name from the first bytes of an XML file, past its prolog."""
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.DOTALL)
    found = _ROOT.search(text)
    return found.group(1).decode("ascii", "replace") if found else None
