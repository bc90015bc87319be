"""Bounded work for CLI, library and batch inputs (issue 12, items 3, 5, 8, 9, 10 and 19).

Real processes throughout: the CLI in-process through its entry point or as a subprocess, real batch pools,
real parser workers, a real web site on loopback.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from newsbrief.batch import summarize_many
from newsbrief.errors import BudgetExceeded, ExtractionFailed, InputTooLarge
from newsbrief.extract import html
from newsbrief.isolation import BudgetedPool
from newsbrief.models import Article
from newsbrief.pipeline import summarize_article
from newsbrief.sources import article_from_text
from newsbrief.text import segment
from tests.conftest import CliResult
from tests.site import PAYWALL, article_page, running_site
from tests.test_batch import OPTIONS, make_records, read_rows, write_jsonl

Run = Callable[..., CliResult]
ROOT = Path(__file__).resolve().parents[1]
STORY = (
    "Harbour Works Start\n\n"
    "Work on the new harbour wall started on Monday, the port authority said. "
    "The wall will protect the old town from winter storms.\n\n"
    "The project costs 12 million euros and should be finished in two years. "
    "Fishermen said they welcomed the plan."
)
DEEP_JSON = "[" * 100_000 + "]" * 100_000
LONG_NUMBER = (
    json.dumps({"id": "digits", "text": "The council met. It agreed."})[:-1] + ', "n": ' + "9" * 5000 + "}"
)
# Enough <p> elements for trafilatura to need several seconds of CPU, well under html.MAX_ELEMENTS.
SLOW_PAGE = "<!DOCTYPE html><html><body>" + "<p>x</p>" * 60_000 + "</body></html>"


def _write(folder: Path, name: str, data: str) -> str:
    path = folder / name
    path.write_text(data, encoding="utf-8")
    return str(path)


# --- item 3: `newsbrief ingest` goes on after a failing source ------------------------------------------


def test_ingest_goes_on_after_each_failing_source(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'ingest.db'}")
    monkeypatch.setenv("NEWSBRIEF_FETCH_ALLOW", "127.0.0.1")
    monkeypatch.setenv("NEWSBRIEF_FETCH_DELAY", "0")
    story = _write(tmp_path, "story.txt", STORY)
    sources = [
        _write(tmp_path, "deep.jsonl", DEEP_JSON + "\n"),
        _write(tmp_path, "digits.jsonl", LONG_NUMBER + "\n"),
        str(tmp_path / "missing.txt"),
        _write(tmp_path, "paywall.html", PAYWALL),
    ]
    with running_site() as site:
        good_url = site.add("/story", article_page())
        sources += [site.add("/gone", "<html><body>gone</body></html>", status=404), story, good_url]
        result = run_cli("ingest", *sources)
    assert result.code == 1
    stored = result.out.strip().split("\n")
    assert len(stored) == 2, result.out
    assert stored[0].endswith("new\tHarbour Works Start")
    assert stored[1].endswith("new\tHarbour approves ferry terminal")
    errors = result.err.strip().split("\n")
    assert len(errors) == 5, result.err
    assert "internal error" not in result.err
    assert "nested too deeply" in errors[0] and "4,300 digits" in errors[1]
    assert errors[2] == f"error: {tmp_path / 'missing.txt'}: no such file"  # the source named once
    assert "paywall" in errors[3] and "/gone" in errors[4]


# --- item 5: JSON that Python refuses to load is a user error, or an error row ---------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [(DEEP_JSON, "nested too deeply"), (LONG_NUMBER, "a number of more than 4,300 digits")],
    ids=["nested_100k", "number_5000_digits"],
)
def test_summarize_gives_one_line_for_unloadable_json(
    run_cli: Run, tmp_path: Path, line: str, message: str
) -> None:
    source = _write(tmp_path, "in.jsonl", json.dumps({"text": STORY}) + "\n" + line + "\n")
    result = run_cli("summarize", source)
    assert result.code == 1
    assert result.err.count("\n") == 1 and "internal error" not in result.err
    assert f"line 2: not readable JSON ({message}" in result.err


def test_batch_writes_unloadable_json_as_error_rows(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", make_records(4), extra_lines=(DEEP_JSON, LONG_NUMBER))
    report = summarize_many(
        source, tmp_path / "out", OPTIONS, workers=1, output_format="jsonl", progress=False
    )
    assert (report.rows, report.ok, report.errors) == (6, 4, 2)
    rows = {row["id"]: row for row in read_rows(tmp_path / "out")}
    assert rows["in.jsonl:5"]["status"] == rows["in.jsonl:6"]["status"] == "invalid_record"
    assert "nested too deeply" in rows["in.jsonl:5"]["error"]
    assert "4,300 digits" in rows["in.jsonl:6"]["error"]


# --- item 8: bounded work for huge texts and pages -------------------------------------------------------


def test_millions_of_tiny_sentences_are_refused_before_the_work() -> None:
    article = Article(paragraphs=("Go. " * (segment.MAX_SENTENCES + 10),))
    with pytest.raises(InputTooLarge, match="more than 100,000 sentences"):
        summarize_article(article)


def test_a_huge_paragraph_is_split_in_pieces_with_the_same_sentences() -> None:
    sentences = [
        f"The council of town {n} voted on Monday to fund bridge number {n}, the mayor said."
        for n in range(3000)
    ]
    paragraph = " ".join(sentences)
    assert len(paragraph) > 2 * segment.PIECE_CHARS
    spans = segment.split_sentences(paragraph, "en")
    assert [paragraph[start:end] for start, end in spans] == sentences


def test_a_page_of_too_many_elements_is_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "MAX_ELEMENTS", 1000)
    with pytest.raises(ExtractionFailed) as raised:
        html.extract_page("<html><body>" + "<p>x</p>" * 2000 + "</body></html>")
    assert raised.value.reason == "too_many_elements"
    assert html.extract_page(article_page()).verdict.is_article  # an ordinary page is far below it


def test_cli_parses_html_under_the_parse_budget(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_PARSE_CPU_SECONDS", "1")
    result = run_cli("summarize", _write(tmp_path, "slow.html", SLOW_PAGE))
    assert result.code == 1
    # Over the CPU budget, or over the wall-clock one (3 x CPU) on a machine too busy to give it the CPU.
    assert result.err.count("\n") == 1 and ("[cpu]" in result.err or "[timeout]" in result.err)


def test_library_html_path_is_under_the_parse_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBRIEF_PARSE_CPU_SECONDS", "1")
    with pytest.raises(BudgetExceeded) as raised:
        article_from_text(SLOW_PAGE)
    assert raised.value.reason in ("cpu", "timeout")
    assert article_from_text(article_page()).title == "Harbour approves ferry terminal"


def test_batch_html_records_are_under_the_parse_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_PARSE_CPU_SECONDS", "1")  # batch workers read the same environment
    records = [{"id": "page", "html": article_page()}, {"id": "slow", "html": SLOW_PAGE}]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    report = summarize_many(
        source, tmp_path / "out", OPTIONS, workers=1, output_format="jsonl", progress=False
    )
    assert (report.rows, report.ok) == (2, 1)
    rows = {row["id"]: row for row in read_rows(tmp_path / "out")}
    assert rows["page"]["status"] == "ok"
    assert rows["slow"]["status"] == "budget_exceeded"


# --- item 9: a record over the size limit in a .gz input is an error row, read past in pieces ------------


def test_an_oversized_gzip_line_is_an_error_row_and_reading_goes_on(tmp_path: Path) -> None:
    records = make_records(4)
    source = tmp_path / "in.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(records[0]) + "\n")
        handle.write('{"id": "huge", "text": "' + "Go. " * 500_000 + '"}\n')  # 2 MB in one line
        handle.writelines(json.dumps(record) + "\n" for record in records[1:])
    report = summarize_many(
        source,
        tmp_path / "out",
        OPTIONS,
        workers=1,
        output_format="jsonl",
        progress=False,
        max_record_bytes=100_000,
    )
    assert (report.rows, report.ok, report.errors) == (5, 4, 1)
    rows = read_rows(tmp_path / "out")
    assert [row["id"] for row in rows] == [
        "rec-00000",
        "in.jsonl.gz:2",
        "rec-00001",
        "rec-00002",
        "rec-00003",
    ]
    assert rows[1]["status"] == "input_too_large" and "0.1 MB limit" in rows[1]["error"]


def test_cli_batch_takes_the_record_limit_from_max_input_bytes(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_MAX_INPUT_BYTES", "5000")
    source = write_jsonl(tmp_path / "in.jsonl", [*make_records(2), {"id": "long", "text": "Go. " * 2000}])
    result = run_cli(
        "batch", str(source), str(tmp_path / "out"), "--workers", "1", "--quiet", "--format", "jsonl"
    )
    assert result.code == 0 and "3 rows: 2 ok, 1 with errors" in result.out
    statuses = {row["id"]: row["status"] for row in read_rows(tmp_path / "out")}
    assert statuses["in.jsonl:3"] == "input_too_large"


# --- item 10: parser workers are recycled after a refusal or when they grew ------------------------------

_HELD: list[bytearray] = []


def fill_memory() -> None:
    """Hold memory until the worker's address-space limit refuses more (the heap stays this big)."""
    while True:
        _HELD.append(bytearray(16 << 20))


def hold(megabytes: int) -> int:
    _HELD.append(bytearray(megabytes << 20))
    return len(_HELD)


@pytest.fixture
def pool() -> Iterator[BudgetedPool]:
    # The worker imports this module (and pytest, psutil, the app…) to run `hold`: preloaded, those imports are
    # part of its start-up size, as the parser modules are in the service's pool, not growth. Loaded on the first
    # call instead, they alone went past the 64 MB threshold on a CI machine.
    budgeted = BudgetedPool(
        workers=1, cpu_seconds=10, memory_bytes=512 << 20, recycle_bytes=64 << 20, preload=(__name__,)
    )
    yield budgeted
    budgeted.close()


def test_a_worker_is_replaced_after_a_budget_refusal(pool: BudgetedPool) -> None:
    first = pool.call(os.getpid)
    with pytest.raises(BudgetExceeded) as raised:
        pool.call(fill_memory)
    assert raised.value.reason == "memory"
    assert pool.call(os.getpid) != first
    assert not psutil.pid_exists(first) or psutil.Process(first).status() == psutil.STATUS_ZOMBIE


def test_a_worker_that_grew_past_the_threshold_is_replaced(pool: BudgetedPool) -> None:
    first = pool.call(os.getpid)
    assert pool.call(hold, 8) == 1  # small growth: the same worker goes on
    assert pool.call(os.getpid) == first
    pool.call(hold, 128)
    assert pool.call(os.getpid) != first


# --- item 19: workers die with the process that started them --------------------------------------------


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if not _gone(pid)]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}


def test_batch_workers_exit_when_the_driver_is_killed(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", make_records(3000))
    command = [sys.executable, "-m", "newsbrief", "batch", str(source), str(tmp_path / "out")]
    command += ["--partition-size", "50", "--workers", "2", "--quiet", "--format", "jsonl"]
    driver = subprocess.Popen(command, env=_environment(), start_new_session=True)
    workers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list((tmp_path / "out").glob("part-*")):
            time.sleep(0.1)
        workers = psutil.Process(driver.pid).children(recursive=True)
        assert len(workers) >= 2, "no pool workers found"
        driver.send_signal(signal.SIGKILL)  # the driver alone: its workers are not signalled
        driver.wait()
        assert _wait_gone([worker.pid for worker in workers]) == []
    finally:
        os.killpg(driver.pid, signal.SIGKILL)  # whatever this test started and is still there
        driver.wait()


@pytest.mark.parametrize("from_thread", [False, True], ids=["main_thread", "other_thread"])
def test_a_busy_parse_worker_exits_when_its_parent_is_killed(tmp_path: Path, from_thread: bool) -> None:
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, threading, time\n"
        "from newsbrief.isolation import BudgetedPool\n"
        "pool = BudgetedPool(workers=1, cpu_seconds=100, wall_seconds=100)\n"
        "def work():\n"
        "    print(pool.call(os.getpid), flush=True)\n"
        "    pool.call(time.sleep, 60)\n"
        f"if {from_thread}:\n"
        "    threading.Thread(target=work).start()\n"
        "    time.sleep(120)\n"
        "else:\n"
        "    work()\n",
        encoding="utf-8",
    )
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=_environment()
    )
    assert parent.stdout is not None
    try:
        worker = int(parent.stdout.readline())
        time.sleep(0.5)  # the worker is in its 60 s call now
        assert not _gone(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait_gone([worker], seconds=5) == []
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
