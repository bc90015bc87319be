"""The layers of docs/architecture.md, enforced by a small AST scan of src/newsbrief (no import-linter).

The rules are read from the tables of docs/architecture.md, so the page and the test cannot disagree. A
failure lists every offending import as ``module -> imported (rule)``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import ROOT

SRC = ROOT / "src" / "newsbrief"
DOC = ROOT / "docs" / "architecture.md"
# What ``import newsbrief`` must not load: the parsers, the HTTP client, the database and web frameworks.
HEAVY = ("lxml", "trafilatura", "httpx", "feedparser", "sqlalchemy", "fastapi", "dask")


@dataclass(frozen=True)
class Layer:
    name: str
    modules: tuple[str, ...]
    forbidden: tuple[str, ...]
    only: tuple[str, ...]  # empty: no allowlist


def _doc_table(marker: str) -> list[list[str]]:
    """The cells of the table after ``<!-- marker`` in the doc, row by row (past its header)."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker}", 1)[1].split("<!-- /", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in rows]


def _names(cell: str) -> tuple[str, ...]:
    return tuple(re.findall(r"`([^`]+)`", cell))


@cache
def layers() -> tuple[Layer, ...]:
    return tuple(
        Layer(name, _names(modules), _names(forbidden), _names(only))
        for name, modules, forbidden, only in _doc_table("layers")
    )


def module_name(path: Path) -> str:
    """``storage.repo`` for src/newsbrief/storage/repo.py; ``web`` for web/__init__.py; ``__init__`` for
    the package itself."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def _is_newsbrief_module(dotted: str) -> bool:
    relative = SRC.joinpath(*dotted.split("."))
    return relative.with_suffix(".py").is_file() or (relative / "__init__.py").is_file()


def _target(dotted: str) -> str:
    """An imported name as the tables spell it: ``storage.repo`` inside newsbrief, ``httpx`` outside."""
    if dotted == "newsbrief":
        return "__init__"
    if dotted.startswith("newsbrief."):
        return dotted.removeprefix("newsbrief.")
    return dotted.split(".")[0]


def imports_of(name: str) -> set[str]:
    """Everything module ``name`` imports, at the top or inside functions (a lazy import is still a
    dependency), as ``_target`` spells it."""
    path = modules()[name]
    package = name.split(".") if path.name == "__init__.py" and name != "__init__" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {_target(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(["newsbrief", *package[: len(package) - node.level + 1]])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            if source == "__future__":
                continue
            for alias in node.names:  # ``from newsbrief import isolation`` imports the module isolation
                full = f"{source}.{alias.name}"
                submodule = full.startswith("newsbrief.") and _is_newsbrief_module(
                    full.removeprefix("newsbrief.")
                )
                found.add(_target(full if submodule else source))
    return found


def _matches(target: str, name: str) -> bool:
    return target == name or target.startswith(name + ".")


def layer_of(name: str) -> list[str]:
    return [layer.name for layer in layers() if any(_matches(name, prefix) for prefix in layer.modules)]


def _is_standard(target: str) -> bool:
    return target in sys.stdlib_module_names


def violations(layer: Layer) -> list[str]:
    found = []
    for name in modules():
        if layer.name not in layer_of(name):
            continue
        for target in sorted(imports_of(name)):
            if any(_matches(target, banned) for banned in layer.forbidden):
                found.append(f"{name} -> {target} ({layer.name} must not import it)")
            if layer.only and not _is_standard(target) and not any(_matches(target, ok) for ok in layer.only):
                found.append(f"{name} -> {target} ({layer.name} may import only {', '.join(layer.only)})")
    return found


@pytest.mark.parametrize("layer", [layer.name for layer in layers()])
def test_layer_keeps_its_imports(layer: str) -> None:
    (rule,) = [candidate for candidate in layers() if candidate.name == layer]
    assert violations(rule) == []


def test_every_module_is_in_exactly_one_layer() -> None:
    misplaced = {name: layer_of(name) for name in modules() if len(layer_of(name)) != 1}
    assert misplaced == {}


def test_every_module_the_table_names_exists() -> None:
    named = {prefix for layer in layers() for prefix in layer.modules}
    assert {prefix for prefix in named if not any(_matches(name, prefix) for name in modules())} == set()


def test_the_table_has_the_five_layers() -> None:
    assert [layer.name for layer in layers()] == ["core", "extract+net", "storage", "services", "edges"]


def _loads_on_import(statement: str) -> list[str]:
    """What of HEAVY a fresh interpreter has loaded after ``statement`` (this process has loaded all)."""
    probe = f"import sys; {statement}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_importing_the_package_loads_no_parser_client_or_framework() -> None:
    assert _loads_on_import("import newsbrief") == []


def test_storage_loads_no_http_client_or_parser() -> None:
    loaded = _loads_on_import("import newsbrief.storage.repo, newsbrief.storage.feed_repo")
    assert [name for name in loaded if name not in ("sqlalchemy",)] == []


def _reads_environment(name: str) -> list[str]:
    """Where module ``name`` reads the environment: os.environ, os.getenv, current_settings(), Settings()."""
    found = []
    for node in ast.walk(ast.parse(modules()[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
            if node.attr in ("environ", "getenv", "environb"):
                found.append(f"{name}:{node.lineno} os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [
                f"{name}:{node.lineno} os.{a.name}" for a in node.names if a.name in ("environ", "getenv")
            ]
        elif isinstance(node, ast.Call):
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if called == "current_settings" or (called == "Settings" and not node.args and not node.keywords):
                found.append(f"{name}:{node.lineno} {called}()")
    return found


def test_only_the_listed_modules_read_the_environment() -> None:
    readers = [_names(cells[0])[0] for cells in _doc_table("environment readers")]
    reading = [
        place
        for name in modules()
        if not any(_matches(name, reader) for reader in readers)
        for place in _reads_environment(name)
    ]
    assert reading == []
