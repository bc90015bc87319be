"""Parsing under a budget: real worker processes that run out of CPU, memory or time are killed and replaced."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbrief.errors import BudgetExceeded, ExtractionFailed, NotAnArticle
from newsbrief.extract.html import extract_page
from newsbrief.isolation import BudgetedPool
from tests.site import CONSENT_WALL, article_page


def spin() -> None:
    while True:
        pass


def hog() -> int:
    return len(bytearray(3 << 30))


def nap() -> None:
    time.sleep(60)


def double(value: int) -> int:
    return value * 2


def refuse() -> None:
    raise NotAnArticle("behind a paywall", reason="paywall")


def crash() -> None:
    raise KeyError("parser bug")


@pytest.fixture(scope="module")
def pool() -> Iterator[BudgetedPool]:
    budgeted = BudgetedPool(workers=1, cpu_seconds=1, memory_bytes=512 << 20, wall_seconds=20)
    yield budgeted
    budgeted.close()


def test_a_cpu_hog_is_killed_and_the_next_call_gets_a_fresh_worker(pool: BudgetedPool) -> None:
    with pytest.raises(BudgetExceeded) as raised:
        pool.call(spin)
    assert raised.value.reason == "cpu"
    assert pool.call(double, 21) == 42


def test_a_memory_hog_fails_with_memory_reason_and_the_worker_survives(pool: BudgetedPool) -> None:
    with pytest.raises(BudgetExceeded) as raised:
        pool.call(hog)
    assert raised.value.reason == "memory"
    assert pool.call(double, 2) == 4


def test_a_stuck_call_is_cut_at_the_wall_clock_limit() -> None:
    quick = BudgetedPool(workers=1, cpu_seconds=5, wall_seconds=1)
    try:
        with pytest.raises(BudgetExceeded) as raised:
            quick.call(nap)
        assert raised.value.reason == "timeout"
        assert quick.call(double, 5) == 10
    finally:
        quick.close()


def test_errors_cross_the_process_boundary_with_their_reason(pool: BudgetedPool) -> None:
    with pytest.raises(NotAnArticle) as raised:
        pool.call(refuse)
    assert raised.value.reason == "paywall"
    with pytest.raises(ExtractionFailed, match="KeyError"):
        pool.call(crash)


def test_errors_pickle_with_their_attributes() -> None:
    error = pickle.loads(pickle.dumps(BudgetExceeded("too slow", reason="cpu")))
    assert isinstance(error, BudgetExceeded)
    assert (error.reason, error.message) == ("cpu", "too slow [cpu]")


def test_pages_are_extracted_in_the_worker(pool: BudgetedPool) -> None:
    page = pool.call(extract_page, article_page().encode(), url="https://courier.example/a")
    assert page.verdict.is_article
    assert page.article is not None
    assert page.article.title == "Harbour approves ferry terminal"
    wall = pool.call(extract_page, CONSENT_WALL, url=None)
    assert wall.verdict.reason is not None
    assert wall.verdict.reason.value == "consent_wall"


def test_a_deeply_nested_page_does_not_take_the_service_down(pool: BudgetedPool) -> None:
    hostile = "<html><body>" + "<div>" * 200_000 + "deep" + "</div>" * 200_000 + "</body></html>"
    try:
        page = pool.call(extract_page, hostile, url=None)
    except (BudgetExceeded, ExtractionFailed):
        pass  # refused within the budget: fine
    else:
        assert not page.verdict.is_article
    assert pool.call(double, 1) == 2


def test_a_script_without_a_main_guard_can_use_the_ingestor(tmp_path: Path) -> None:
    """Workers are fresh interpreters: the caller's script is not run again in them (as spawn would)."""
    script = tmp_path / "script.py"
    script.write_text(
        "from newsbrief.config import Settings\n"
        "from newsbrief.errors import NotAnArticle\n"
        "from newsbrief.services.ingest import Ingestor\n"
        "from tests.site import PAYWALL, article_page\n"
        "ingestor = Ingestor(Settings())\n"
        "print(ingestor.article_from_html(article_page().encode(), url=None).title)\n"
        "try:\n"
        "    ingestor.article_from_html(PAYWALL, url=None)\n"
        "except NotAnArticle as refused:\n"
        "    print(refused.reason)\n"
        "ingestor.close()\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[1]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["Harbour approves ferry terminal", "paywall"]
