"""Each vocabulary is defined once, in events/vocabulary.py: no copy of one in the sources.

A copy is a literal that names three or more words of one vocabulary: a tuple, list or
set of them, the keys of a dict (or of a JavaScript object), or the words of one string
("occurred, scheduled or postponed"). The tests themselves keep their own copies on
purpose: a test that imported the list it checks could not notice the list changing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from timeline.events import vocabulary

ROOT = Path(__file__).resolve().parents[1]

VOCABULARIES: dict[str, frozenset[str]] = {
    "KINDS": frozenset(vocabulary.KINDS),
    "STATUSES": frozenset(vocabulary.STATUSES),
    "RELATIONS": frozenset(vocabulary.RELATIONS),
    "QUALIFIERS": frozenset(vocabulary.QUALIFIERS.values()),
    "PRECISIONS": frozenset(vocabulary.PRECISIONS),
    "ACTOR_KINDS": frozenset(vocabulary.ACTOR_KINDS),
    "CLEARABLE": frozenset(vocabulary.CLEARABLE),
    "LIST_FIELDS": frozenset(vocabulary.LIST_FIELDS),
    "PARTICIPANT_FIELDS": frozenset(vocabulary.PARTICIPANT_FIELDS),
    "PLACE_FIELDS": frozenset(vocabulary.PLACE_FIELDS),
    "SOURCE_FIELDS": frozenset(vocabulary.SOURCE_FIELDS),
}

# Sources not scanned yet (paths and folders), each with the reason.

# Tables keyed by a vocabulary that say what the vocabulary does not, each with the reason:
# (a path or folder, the name the literal is assigned to).
KEYED_TABLES = {
    # The page's shape for each kind, with the colours in timeline.css: presentation, and a
    # kind the table lacks is drawn as "other".
    ("exports/static/", "KIND_SHAPES"),
    # iCalendar's STATUS for each status: the calendar's own words.
    ("exports/ical.py", "STATUS"),
    # How the text formats say each qualifier ("uncertain and approximate" for both).
    ("exports/_dates.py", "QUALIFIER_WORDS"),
    # TimelineJS's date object, whose fields are named year, month and day.
    ("exports/timelinejs.py", "found"),
}

FIELDS = {"CLEARABLE", "LIST_FIELDS", "PARTICIPANT_FIELDS", "PLACE_FIELDS", "SOURCE_FIELDS"}
MIN_WORDS = 3
_WORD = re.compile(r"[a-z_]+")
# What separates the items of a list in prose: "a, b or c", "uncertain (?), approximate (~)".
_SEPARATOR = re.compile(r"\s*(?:\([^)]{0,3}\))?\s*(?:,|/|\bor\b|\band\b)\s*(?:\bor\b|\band\b)?\s*")


def sources() -> list[Path]:
    """The Python and JavaScript files of the packages, but the vocabulary itself."""
    found = [
        path
        for package in ("events", "timeline", "exports")
        for pattern in ("*.py", "*.js")
        for path in sorted((ROOT / package).rglob(pattern))
    ]
    skip = ("events/vocabulary.py",)
    return [path for path in found if not path.relative_to(ROOT).as_posix().startswith(skip)]


def copies(words: list[str]) -> list[str]:
    """The vocabularies that *words*, the items of one literal, are a list of.

    That is: every item is a word of the vocabulary, and at least MIN_WORDS of them, so
    that a table's columns or a record's fields (which include some fields of a
    participant, say, among others) are not taken for a copy.
    """
    given = set(words)
    return [
        name for name, vocab in VOCABULARIES.items() if len(given) >= MIN_WORDS and given <= vocab
    ]


def prose_copies(text: str) -> list[str]:
    """The vocabularies that *text* lists in words: "occurred, scheduled or postponed".

    Not the fields, which prose and SQL name all the time ("participants, sources, tags").
    """
    found = []
    for name, vocab in VOCABULARIES.items():
        if name in FIELDS:
            continue
        run: set[str] = set()
        end = None
        for match in _WORD.finditer(text):
            word = match.group()
            if word not in vocab:
                continue
            if end is not None and _SEPARATOR.fullmatch(text, end, match.start()):
                run.add(word)
            else:
                run = {word}
            end = match.end()
            if len(run) >= MIN_WORDS:
                found.append(name)
                break
    return found


def python_copies(text: str) -> Iterator[tuple[int, str, str | None]]:
    """(line, vocabulary, assigned name) for each copy in Python source *text*."""
    tree = ast.parse(text)
    assigned: dict[int, str] = {}
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and node.value is not None:
                assigned[id(node.value)] = target.id
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items: list[ast.expr | None] = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for name in prose_copies(node.value):
                yield node.lineno, name, None
            continue
        else:
            continue
        words = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
        for name in copies(words):
            yield node.lineno, name, assigned.get(id(node))


_JS_TOKEN = re.compile(
    r"""
      (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<regex>(?<=[=(,:!&|?;{}\[\n])\s*/(?![/*])(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*)
    | (?P<key>\b[A-Za-z_]\w*(?=\s*:(?!:)))
    | (?P<open>[\[{])
    | (?P<close>[\]}])
    | (?P<var>\bvar\s+[A-Za-z_]\w*\s*=)
    """,
    re.VERBOSE | re.DOTALL,
)


def js_copies(text: str) -> Iterator[tuple[int, str, str | None]]:
    """(line, vocabulary, assigned name) for each copy in JavaScript source *text*.

    An array literal collects the strings directly inside it, an object literal its keys;
    the braces of a block (after ``)``, ``else``...) collect nothing.
    """
    stack: list[tuple[int, str | None, str, list[str]]] = []
    last_var: str | None = None
    for match in _JS_TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        line = text.count("\n", 0, match.start()) + 1
        if kind == "var":
            last_var = token.split()[1].rstrip("=")
        elif kind == "open":
            before = text[: match.start()].rstrip()
            literal = token == "[" or before.endswith(("=", "(", ",", ":", "[", "?", "return"))
            stack.append((line, last_var, token if literal else "block", []))
            last_var = None
        elif kind == "close" and stack:
            start, name, opened, words = stack.pop()
            for vocab in copies(words) if opened != "block" else ():
                yield start, vocab, name
        elif kind == "string":
            word = token[1:-1]
            is_key = re.match(r"\s*:", text[match.end() :]) is not None
            if stack and stack[-1][2] == ("{" if is_key else "["):
                stack[-1][3].append(word)
            for vocab in prose_copies(word):
                yield line, vocab, None
        elif kind == "key" and stack and stack[-1][2] == "{":
            stack[-1][3].append(token)


def found_copies(paths: Iterable[Path]) -> list[str]:
    """Each copy in *paths*, as ``file:line: vocabulary``."""
    out = []
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text("utf-8")
        scan = python_copies if path.suffix == ".py" else js_copies
        for line, vocab, name in scan(text):
            if not any(rel.startswith(where) and name == n for where, n in KEYED_TABLES):
                out.append(f"{rel}:{line}: a copy of {vocab}" + (f" ({name})" if name else ""))
    return out


def test_no_vocabulary_is_copied_outside_events_vocabulary() -> None:
    assert found_copies(sources()) == []


def test_the_scan_covers_the_packages_and_the_page_script() -> None:
    scanned = {path.relative_to(ROOT).as_posix() for path in sources()}
    assert {"timeline/service.py", "timeline/metadata.py", "exports/html.py"} <= scanned
    assert any(path.startswith("exports/static/") and path.endswith(".js") for path in scanned)
    assert "events/vocabulary.py" not in scanned


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('STATUSES = ("occurred", "scheduled", "postponed")', ["STATUSES"]),
        ('NAMES = {"part_of": 1, "follows_up": 2, "implements": 3}', ["RELATIONS"]),
        ('HELP = "year, month, day, minute or second"', ["PRECISIONS"]),
        ('x = [("meeting", 1), ("talks", 2), ("summit", 3)]', []),
        ('x = ("occurred", "scheduled")', []),
    ],
)
def test_python_copies_are_found(source: str, expected: list[str]) -> None:
    assert [vocab for _line, vocab, _name in python_copies(source)] == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('var STATUSES = ["occurred", "scheduled", "postponed", "cancelled"];', ["STATUSES"]),
        ('var K = {\n  meeting: "M", talks: "T",\n  summit: "S" };', ["KINDS"]),
        ('var Q = { uncertain: "?", approximate: "~", both: "?~" };', ["QUALIFIERS"]),
        ('var RE = /^[a-z]+$/i; var X = ["call", "visit"];', []),
        ('var S = { meeting: "circle", talks: "square", summit: "triangle" };', ["KINDS"]),
        ('var S = { a: "meeting", b: "talks", c: "summit" };', []),
        ('if (x) { f("occurred"); g("scheduled"); h("postponed"); }', []),
    ],
)
def test_javascript_copies_are_found(source: str, expected: list[str]) -> None:
    assert [vocab for _line, vocab, _name in js_copies(source)] == expected


def test_the_held_kinds_are_those_of_the_event_types() -> None:
    from timeline.events.developments import CREATION_TYPES, DevelopmentScheduled

    held = [cls.KIND for cls in CREATION_TYPES if cls is not DevelopmentScheduled]
    assert tuple(held) == vocabulary.HELD_KINDS
    assert set(vocabulary.SCHEDULED_KINDS) <= set(vocabulary.KINDS)


def test_the_transitions_name_registered_types_and_statuses() -> None:
    from timeline.events.codec import registry  # with every event type registered

    for type_name, statuses in vocabulary.TRANSITIONS.items():
        assert type_name in registry.types()
        assert set(statuses) <= set(vocabulary.STATUSES)
    assert set(vocabulary.STATUS_PHRASES) == set(vocabulary.STATUSES)


def test_the_encounters_need_participants() -> None:
    from timeline.events.developments import NEEDS_PARTICIPANTS

    assert set(NEEDS_PARTICIPANTS) == {"MeetingHeld", "TalksHeld", "SummitHeld", "CallHeld"}


def test_every_kind_but_other_has_a_cameo_code() -> None:
    assert set(vocabulary.CAMEO) == set(vocabulary.KINDS) - {"other"}
