"""Project-wide promises: help for every command, import direction, light start-up, lint."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from timeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.stdout
    assert "timeline " in result.stdout.split("Example:", 1)[1]


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_appears_in_the_readme(path: tuple[str, ...]) -> None:
    readme = (ROOT / "README.md").read_text()
    name = path[-1]
    assert f"timeline {' '.join(path)}" in readme or f"`{name}`" in readme


def test_the_readme_starts_with_the_two_setup_commands() -> None:
    block = (ROOT / "README.md").read_text().split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert lines == ["pip install -e . && timeline demo", "pip install -e '.[test]' && pytest"]
    assert "pip install -e '.[test]' && pytest" in (ROOT / ".ci" / "run").read_text()


def imports_of(path: Path) -> set[str]:
    """The packages *path* imports: ``timeline.events`` and ``timeline.exports`` by those
    names (they install inside ``timeline``), any other by its top-level name."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
    for module in modules:
        parts = module.split(".")
        inner = parts[0] == "timeline" and len(parts) > 1 and parts[1] in ("events", "exports")
        names.add(".".join(parts[:2]) if inner else parts[0])
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "events",
            {"timeline", "timeline.exports", "sqlite3", "sqlite_utils", "datasette", "click"},
        ),
        ("exports", {"timeline", "sqlite_utils", "datasette", "click"}),
    ],
)
def test_import_direction(package: str, forbidden: set[str]) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        assert not imports_of(path) & forbidden, (
            f"{path.name} imports {imports_of(path) & forbidden}"
        )


def test_only_the_timeline_import_name_is_installed() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert config["project"]["name"] == "diplomatic-timeline"
    setuptools = config["tool"]["setuptools"]
    assert {package.split(".")[0] for package in setuptools["packages"]} == {"timeline"}
    assert setuptools["package-dir"] == {"timeline.events": "events", "timeline.exports": "exports"}


def test_nothing_imports_the_cli() -> None:
    cli_package = ROOT / "timeline" / "cli"
    for package in ("timeline", "events", "exports"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.is_relative_to(cli_package) or path.name == "__main__.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    assert name.split(".")[:2] != ["timeline", "cli"], path


def _modules_loaded_by(args: list[str]) -> set[str]:
    """Run the real command in a fresh interpreter; the heavy packages it imported (the
    importers count as heavy)."""
    script = (
        "import sys\n"
        "from timeline.cli import cli\n"
        "try:\n"
        "    cli(sys.argv[1:])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = {'datasette', 'exports', 'icalendar', 'jsonschema', 'sqlite_utils', 'numpy',\n"
        "         'timeline.importers'}\n"
        "names = {n for m in sys.modules if sys.modules[m] for n in (m.split('.')[0], m[:18])}\n"
        "loaded = sorted(names & heavy)\n"
        "print('HEAVY=' + ','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    last = result.stdout.splitlines()[-1]
    assert last.startswith("HEAVY=")
    return set(filter(None, last.removeprefix("HEAVY=").split(",")))


def test_append_does_not_load_datasette_the_exporters_or_sqlite_utils(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    data = json.dumps({"title": "Call", "when": "2024-04-02", "participants": [{"name": "A"}]})
    # A new file takes the schema steps, which sqlite-utils applies (it imports numpy
    # itself where numpy is installed); the everyday append that follows loads neither.
    first = _modules_loaded_by(["append", "CallHeld", "--data", data, "--db", db])
    assert "sqlite_utils" in first
    assert first <= {"sqlite_utils", "numpy"}
    data = json.dumps({"title": "Call 2", "when": "2024-04-03", "participants": [{"name": "A"}]})
    assert _modules_loaded_by(["append", "CallHeld", "--data", data, "--db", db]) == set()


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed with the test extra")
def test_ruff_clean() -> None:
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run(["ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_declares_its_licence_and_only_the_dependencies_it_imports() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert (project["license"], project["license-files"]) == ("Apache-2.0", ["LICENSE"])
    assert (ROOT / "LICENSE").read_text("utf-8").split()[:4] == [
        "Apache",
        "License",
        "Version",
        "2.0,",
    ]
    assert project["keywords"]
    assert project["classifiers"]
    runtime = {req.split(">")[0].split("<")[0] for req in project["dependencies"]}
    imported = {
        node.names[0].name.split(".")[0]
        if isinstance(node, ast.Import)
        else node.module.split(".")[0]
        for package in ("timeline", "events", "exports")
        for path in (ROOT / package).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Import)
        or (isinstance(node, ast.ImportFrom) and node.module and not node.level)
    }
    # jsonschema only checks what we write, in the tests: it is a test dependency.
    assert "jsonschema" not in runtime | imported
    assert "jsonschema>=4.18" in project["optional-dependencies"]["test"]
    assert {
        "attrs",
        "cattrs",
        "click",
        "sqlite_utils",
        "datasette",
        "anyascii",
        "icalendar",
    } <= imported


def test_ci_installs_the_lowest_versions_pyproject_allows() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = dict(
        line.split("==")
        for line in (ROOT / ".ci" / "lowest.txt").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    )
    lower: dict[str, str] = {}
    for requirement in (*project["dependencies"], *project["optional-dependencies"]["test"]):
        name, _, bound = requirement.partition(">=")
        if bound:
            bound = bound.split(",")[0]
            # The highest lower bound of a name listed twice (runtime and tests) wins.
            lower[name] = max(lower.get(name, bound), bound, key=_version)
    # Each lower bound of the runtime is installed as is, unless another package's own
    # lower bound lifts it (said in .ci/lowest.txt); and each pin is one of them.
    lifted = {"click": "8.3.1"}
    for name in ("attrs", "cattrs", "click", "sqlite-utils", "datasette", "anyascii", "icalendar"):
        assert _version(pins[name]) == _version(lifted.get(name, lower[name])), name
    assert set(pins) <= set(lower)
    assert "lowest.txt" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_ci_runs_the_datasette_tests_on_the_1_0_alpha_pyproject_allows() -> None:
    """CI installs the pinned 1.0 alpha beside the lowest versions; pyproject.toml must
    allow it (pip takes a pre-release only when it is named, as the pin does)."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    (wanted,) = [
        Requirement(r) for r in project["dependencies"] if Requirement(r).name == "datasette"
    ]
    pins = [
        line
        for line in (ROOT / ".ci" / "datasette-1.txt").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(pins) == 1
    pinned = Requirement(pins[0])
    (version,) = [spec.version for spec in pinned.specifier]
    assert (pinned.name, version.startswith("1.0a")) == ("datasette", True)
    assert wanted.specifier.contains(version, prereleases=True)
    assert "datasette-1.txt" in (ROOT / ".ci" / "run").read_text("utf-8")


def _version(text: str) -> tuple[int, ...]:
    """``6.1`` and ``6.1.0`` alike."""
    parts = [int(part) for part in text.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)
