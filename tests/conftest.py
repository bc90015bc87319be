"""Shared fixtures: the CLI runner, article builders, and the evaluation data (skipped when absent)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsbrief.cli import main
from newsbrief.models import Article
from newsbrief.net import fetch as guarded_fetch

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "data"


def shared_data_dir() -> Path:
    """Where ../shared/data is: NEWSBRIEF_DATA, or the folder beside the project."""
    return Path(os.environ.get("NEWSBRIEF_DATA", ROOT.parent / "shared" / "data")).resolve()


@pytest.fixture
def data_dir() -> Path:
    path = shared_data_dir()
    if not (path / "summ").is_dir():
        pytest.skip(f"evaluation data not found at {path} (set NEWSBRIEF_DATA to ../shared/data)")
    return path


@pytest.fixture
def seed_page() -> Path:
    path = shared_data_dir().parent / "seed" / "article-page.txt"
    if not path.is_file():
        pytest.skip(f"seed page not found at {path} (set NEWSBRIEF_DATA to ../shared/data)")
    return path


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``newsbrief ARGS`` in-process through the real entry point (error mapping included)."""

    def run(*args: str) -> CliResult:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        captured = capsys.readouterr()
        code = exit_info.value.code
        return CliResult(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run


def build_article(*paragraphs: str, title: str | None = None, language: str | None = "en") -> Article:
    """An Article from paragraphs, without any parser (as sumy's build_document)."""
    return Article(paragraphs=tuple(paragraphs), title=title, language=language)


PG_URL_VARIABLE = "NEWSBRIEF_TEST_PG_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, and a new PostgreSQL database when NEWSBRIEF_TEST_PG_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsbrief.db'}"
        return
    base = os.environ.get(PG_URL_VARIABLE)
    if not base:
        message = f"PostgreSQL tests need {PG_URL_VARIABLE}=postgresql+psycopg://user@host:5432/db (.ci/run sets it)"
        if os.environ.get("NEWSBRIEF_REQUIRE_PG"):
            pytest.fail(message)
        pytest.skip(message)
    from bench.chaos import postgres_database  # the same make-and-drop the chaos bench uses

    with postgres_database(base) as url:
        yield url


@pytest.fixture
def loopback_cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Environment for CLI commands that fetch from the tests' 127.0.0.1 servers: a fresh SQLite file,
    loopback allowlisted, no politeness delay. Returns the database URL."""
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"
    for name, value in {
        "NEWSBRIEF_DATABASE_URL": database_url,
        "NEWSBRIEF_FETCH_ALLOW": "127.0.0.1",
        "NEWSBRIEF_FETCH_DELAY": "0",
        "NEWSBRIEF_FETCH_TIMEOUT": "5",
    }.items():
        monkeypatch.setenv(name, value)
    return database_url


@dataclass
class HungResolver:
    """A DNS resolver that does not answer (until ``release``); how many lookups reached it."""

    release: threading.Event
    calls: int = 0

    def lookup(self, host: str, port: int) -> list[str]:
        self.calls += 1
        self.release.wait(60)
        return ["93.184.216.34"]


@pytest.fixture
def hung_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[HungResolver]:
    """Every name lookup of the guarded fetch hangs (the system resolver hook replaced: pointing the machine
    at a slow DNS server would mean editing resolv.conf). Address literals are not looked up, so the tests'
    127.0.0.1 servers are still reached. Afterwards the hung lookups are let go and their threads joined, so
    the next test finds every lookup slot free."""
    resolver = HungResolver(threading.Event())
    monkeypatch.setattr(guarded_fetch, "system_lookup", resolver.lookup)
    yield resolver
    resolver.release.set()
    for thread in threading.enumerate():
        if thread.name == "newsbrief-dns":
            thread.join(10)
