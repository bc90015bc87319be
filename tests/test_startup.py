"""CLI start-up (issue 15, item 9): `newsbrief --version`, `--help` and `import newsbrief.cli` load no heavy
module; each command loads what it needs when it runs. Each check runs in a fresh interpreter (this one has
loaded everything). The times are measured in docs/benchmarks.md ("CLI start-up"), not asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import click
import pytest

from newsbrief.cli import cli
from tests.conftest import CliResult

Run = Callable[..., CliResult]

# Modules that cost tens to hundreds of milliseconds to import, none of which --version or --help needs.
HEAVY = (
    "numpy",
    "pydantic",
    "pydantic_settings",
    "sqlalchemy",
    "alembic",
    "lxml",
    "trafilatura",
    "httpx",
    "feedparser",
    "fastapi",
    "uvicorn",
    "dask",
    "sentencex",
    "Stemmer",
    "py3langid",
    "charset_normalizer",
    "rouge_score",
)


def _loaded_after(code: str) -> list[str]:
    """The HEAVY modules loaded when ``code`` has run in a fresh interpreter (reported at exit, so code may
    end in sys.exit as the CLI does)."""
    probe = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr))\n"
        f"{code}\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    loaded: list[str] = json.loads(result.stderr.strip().splitlines()[-1])
    return loaded


def test_the_probe_sees_a_heavy_import() -> None:
    # The check below could not fail if the probe were blind: a command that needs numpy shows it.
    assert "numpy" in _loaded_after("import newsbrief; newsbrief.summarize('The council met on Monday.')")


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import newsbrief.cli", id="import-cli"),
        pytest.param("import newsbrief", id="import-package"),
        pytest.param("from newsbrief.cli import main; main(['--version'])", id="version"),
        pytest.param("from newsbrief.cli import main; main(['--help'])", id="help"),
        pytest.param("from newsbrief.cli import main; main(['summarize', '--help'])", id="summarize-help"),
        pytest.param("from newsbrief.cli import main; main(['summaries', 'warm', '--help'])", id="warm-help"),
        pytest.param("from newsbrief.cli import main; main(['summarize'])", id="usage-error"),
    ],
)
def test_start_up_loads_no_heavy_module(code: str) -> None:
    assert _loaded_after(code) == []


def test_public_names_still_resolve_after_their_module_loads() -> None:
    """Importing the submodule ``newsbrief.check`` must not hide the public function ``newsbrief.check``."""
    code = (
        "import importlib, newsbrief\n"
        "module = importlib.import_module('newsbrief.check')\n"
        "import newsbrief.errors\n"
        "assert newsbrief.check is module.check, newsbrief.check\n"
        "assert newsbrief.NotFound is newsbrief.errors.NotFound\n"
        "from newsbrief import *\n"
        "assert summarize('The council met on Monday. The vote is in May.', sentences=1).sentences\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def _groups(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every group of the CLI, as the arguments that reach it: (), ("feeds",), ..."""
    found = [path]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _groups(command, (*path, name))
    return found


@pytest.mark.parametrize("path", _groups(cli), ids=lambda path: " ".join(path) or "newsbrief")
def test_help_cuts_no_command_description(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch, path: tuple[str, ...]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # the common terminal; click fits short help to the width
    result: CliResult = run_cli(*path, "--help")
    assert result.code == 0, result.err
    listing = result.out.split("Commands:\n", 1)[1]
    rows = [line for line in listing.splitlines() if line.strip()]
    assert rows and all(not line.rstrip().endswith("...") for line in rows), listing
