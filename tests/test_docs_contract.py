"""The public contract in docs/ says what the code does: the generated pages equal what
docs/generate.py writes now, their examples are valid events, and their links resolve."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Literal, TypedDict

import click
import pytest
from timeline.events.codec import structure
from timeline.events.registry import registry
from timeline.exports.record import Participant

from timeline.cli import cli
from timeline.service import parse_submission

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REGENERATE = "python docs/generate.py"


def load_generator() -> ModuleType:
    """docs/generate.py as a module (it is a script, outside the installed packages)."""
    if "docs_generate" not in sys.modules:
        spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["docs_generate"] = module
        spec.loader.exec_module(module)
    return sys.modules["docs_generate"]


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return load_generator().pages()


def test_the_generated_pages_are_what_the_code_says_now(generated: dict[str, str]) -> None:
    stale = [
        f"docs/{name}"
        for name, body in generated.items()
        if not (DOCS / name).is_file() or (DOCS / name).read_text(encoding="utf-8") != body
    ]
    assert not stale, f"{', '.join(stale)} differ from the code; regenerate with: {REGENERATE}"


def test_the_shipped_json_schema_follows_the_export_record() -> None:
    schema = ROOT / "exports" / "timeline.schema.json"
    assert schema.read_text(encoding="utf-8") == load_generator().schema_text(), (
        f"exports/timeline.schema.json is behind exports/record.py; run {REGENERATE}"
    )


class _Before(TypedDict):
    id: str
    """The id."""
    gone: str
    """A key the record no longer has."""


class _After(TypedDict):
    id: str
    """The id."""
    status: Literal["a", "b"]
    """Described by hand in the file: no entry is made for it."""
    language: str | None
    """The language of the ``summary``, as a BCP 47 tag."""
    mentions: list[Participant]
    """Who was named without taking part."""
    sizes: list[int]
    """Numbers."""


def test_a_new_record_key_gets_a_schema_entry_from_its_type_and_docstring() -> None:
    """A field added to the export record needs no hand-written schema to start with; an
    entry already there (refined by hand) is kept as it is, a key the record dropped goes."""
    refined, by_hand = {"$ref": "#/$defs/id"}, {"enum": ["a", "b"]}
    node = {"required": ["id", "gone"], "properties": {"id": refined, "gone": {}}}
    load_generator().in_step(node, _Before)
    assert node == {"required": ["id", "gone"], "properties": {"id": refined, "gone": {}}}
    node["properties"]["status"] = by_hand
    load_generator().in_step(node, _After)
    assert node == {
        "required": ["id", "status", "language", "mentions", "sizes"],
        "properties": {
            "id": refined,
            "status": by_hand,
            "language": {
                "type": ["string", "null"],
                "description": "The language of the `summary`, as a BCP 47 tag.",
            },
            "mentions": {
                "type": "array",
                "items": {"$ref": "#/$defs/participant"},
                "description": "Who was named without taking part.",
            },
            "sizes": {"type": "array", "items": {"type": "integer"}, "description": "Numbers."},
        },
    }


def test_generating_twice_gives_the_same_pages(generated: dict[str, str]) -> None:
    assert load_generator().pages() == generated


def test_every_event_type_has_a_valid_example_in_the_contract() -> None:
    examples = load_generator().EXAMPLES
    assert sorted(examples) == registry.types()
    for type_, data in examples.items():
        structure(type_, data)  # raises on anything the codec refuses


def test_the_events_page_shows_each_type_with_its_schema_version(
    generated: dict[str, str],
) -> None:
    page = generated["events.md"]
    for type_ in registry.types():
        section = page.split(f"\n### {type_}\n", 1)[1].split("\n### ", 1)[0]
        assert f"Schema version {registry.cls(type_).VERSION}." in section
        assert f'"type": "{type_}"' in section


def command_paths(group: click.Group = cli, prefix: str = "timeline") -> list[str]:
    """Every command and subcommand, as typed."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found.extend(command_paths(command, f"{prefix} {name}"))
    return found


def test_the_commands_page_has_every_command(generated: dict[str, str]) -> None:
    for path in command_paths():
        assert f"\n## `{path}`\n" in generated["commands.md"] or (
            f"# `{path}`\n" in generated["commands.md"]
        ), path


def test_the_contracts_own_examples_are_valid_events() -> None:
    contract = (DOCS / "contract.md").read_text(encoding="utf-8")
    lines = re.findall(r"```json\n(.*?)\n```", contract, re.DOTALL)
    lines += [f'{{"type": "{t}", "data": {d}}}' for t, d in re.findall(
        r"timeline append (\w+) --data '(.*?)'", contract
    )]  # fmt: skip
    assert len(lines) >= 2
    for line in lines:
        parse_submission(json.loads(line))  # raises naming the field at fault


def test_the_generated_pages_name_no_machine_path(generated: dict[str, str]) -> None:
    for name, body in generated.items():
        assert str(ROOT) not in body, name
        assert not re.search(r"/(home|root|tmp|Users)/", body), name


def test_the_readme_links_the_contract_and_the_json_schema() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/contract.md)" in readme
    assert "exports/timeline.schema.json" in readme


def test_the_contract_links_each_generated_page(generated: dict[str, str]) -> None:
    contract = (DOCS / "contract.md").read_text(encoding="utf-8")
    for name in generated:
        assert f"]({name})" in contract, name


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(path: Path) -> set[str]:
    """The anchors GitHub makes for the headings of a Markdown file."""
    generator = load_generator()
    found = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(generator.anchor(line.lstrip("#").strip().replace("`", "")))
    return found


@pytest.mark.parametrize(
    "page",
    ["README.md", *sorted(f"docs/{p.name}" for p in DOCS.glob("*.md"))],
)
def test_every_link_between_the_pages_resolves(page: str) -> None:
    source = ROOT / page
    links = _LINK.findall(source.read_text(encoding="utf-8"))
    broken = [target for target in links if not resolves(target, source)]
    assert not broken, f"{page}: links to nothing: {broken}"


def resolves(target: str, source: Path) -> bool:
    """Whether a link of *source* names a file that exists (and a heading in it)."""
    if re.match(r"[a-z]+:", target):
        return True  # another site: not ours to check
    file, _, fragment = target.partition("#")
    path = (source.parent / file).resolve() if file else source
    if not path.exists():
        return False
    return not fragment or path.suffix != ".md" or fragment in anchors(path)


def test_the_contract_names_the_json_documents_version() -> None:
    from timeline.exports.json_doc import VERSION

    contract = (DOCS / "contract.md").read_text(encoding="utf-8")
    assert re.findall(r'`"version": (\d+)`', contract) == [str(VERSION)]
