"""The hostile-input corpus (tests/hostile.py) through every surface: 0 crashes, 0 HTTP 500s, every case
under a stated time and memory bound (issue 12).

CLI commands run as subprocesses (``python -m newsbrief``), so each run's wall time and the peak memory of
every process it starts (the CLI, its parse workers, batch workers) can be measured and bounded. The API runs
in-process (TestClient, SQLite and PostgreSQL) against the fake site of tests/site.py.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from newsbrief.config import Settings
from newsbrief.models import storable
from newsbrief.storage.database import open_database
from newsbrief.storage.schema import feed_entries, feeds
from newsbrief.web import create_app
from tests import hostile
from tests.hostile import API_REQUESTS, DOCUMENTS, FEEDS, PAGES, RAW_URLS, ApiRequest, Document, Expect
from tests.site import Site, article_page, running_site
from tests.test_batch import make_records, read_rows


# The bounds every case is held to (issue 12: "every case under a stated time and memory bound"):
# - time: CPU seconds of the whole run (the CLI and every process it starts), not wall-clock time, because the
#   suite shares two cores with other work and a loaded machine stretches wall time, not CPU time. 30 s is
#   above the service's parse budget (NEWSBRIEF_PARSE_CPU_SECONDS, 20) plus start-up; before issue 12's fixes
#   a 10 MB input took 43-98 s. A ceiling that separates "bounded" from "runaway", not a benchmark (bench/).
# - memory: the resident peak of any one process of the run (the CLI, a parse worker, a batch worker), as
#   issue 12 asks ("a 10 MB input finishes in seconds and under ~500 MB").
# - hang guard: a run still going after HANG_SECONDS of wall-clock time is killed and fails.
@dataclass(frozen=True)
class Bound:
    cpu_seconds: float
    memory_mb: float = 600
    hang_seconds: float = 180

    @property
    def kill_mb(self) -> float:  # past this the run is killed at once: the machine is shared
        return 3 * self.memory_mb


ONE_INPUT = Bound(cpu_seconds=30)
# A command given many sources (ingest, feeds add, a batch job) is held to the same memory bound per
# process, and to this CPU time for the whole run.
MANY_INPUTS = Bound(cpu_seconds=300, hang_seconds=400)
MEMORY_MB = ONE_INPUT.memory_mb
# An API request (in-process) that has not answered after this long counts as hung: twice the service's own
# wall-clock limit on one parse (3 x NEWSBRIEF_PARSE_CPU_SECONDS).
API_SECONDS = 120.0

KEY = "hostile-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
GOOD_PATH = "/good"
FEED_CAP = 20


# --- Bounded subprocess runs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: bytes
    err: bytes
    bound: Bound
    seconds: float  # wall-clock, for the record
    cpu_seconds: float  # of the run's process tree
    peak_mb: float  # the largest resident size any one process of the run reached
    killed: str | None  # why the watchdog killed the run, if it did

    def describe(self) -> str:
        err = self.err.decode("utf-8", "replace").strip()
        return (
            f"exit {self.code}, {self.cpu_seconds:.1f} s CPU, {self.seconds:.1f} s wall, {self.peak_mb:.0f} MB, "
            f"stderr {err[:300]!r}"
        )


class _Watch:
    """Samples the run's process tree (largest resident process, CPU time per process) and kills the tree
    past a bound."""

    def __init__(self, pid: int, bound: Bound) -> None:
        self.pid = pid
        self.bound = bound
        self.peak_mb = 0.0
        self.cpu: dict[int, float] = {}
        self.killed: str | None = None
        self.done = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.wait(0.05):
            self._sample(root)
            if time.monotonic() - started > self.bound.hang_seconds:
                self._kill(f"still running after {self.bound.hang_seconds:.0f} s")
            elif self.peak_mb > self.bound.kill_mb:
                self._kill(f"over {self.bound.kill_mb:.0f} MB")
            elif sum(self.cpu.values()) > 2 * self.bound.cpu_seconds:
                self._kill(f"over {2 * self.bound.cpu_seconds:.0f} s of CPU")

    def _sample(self, root: psutil.Process) -> None:
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        for process in processes:
            try:
                with process.oneshot():
                    rss = process.memory_info().rss / 2**20
                    times = process.cpu_times()
            except psutil.Error:
                continue
            self.peak_mb = max(self.peak_mb, rss, _high_water_mb(process.pid))
            self.cpu[process.pid] = times.user + times.system

    def _kill(self, why: str) -> None:
        self.killed = self.killed or why
        _kill_group(self.pid)


def _high_water_mb(pid: int) -> float:
    """The process's resident peak so far (VmHWM: the kernel's high-water mark of the current program, so
    a sample misses no peak that came before it), 0 when it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_bounded(args: list[str], *, env: dict[str, str], cwd: Path, bound: Bound = ONE_INPUT) -> Run:
    """``newsbrief ARGS`` in its own process group, measured and killed past the bounds; whatever the run
    leaves behind is killed after it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "newsbrief", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        watch = _Watch(process.pid, bound)
        watcher = threading.Thread(target=watch.run, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        watch.done.set()
        watcher.join()
        _kill_group(process.pid)
        out.seek(0)
        err.seek(0)
        # The peak comes from the samples' high-water marks, not from wait4's ru_maxrss: Linux carries the
        # forking parent's peak into the child's ru_maxrss across exec, so a CLI started by a large pytest
        # process (late in the suite) would report pytest's own memory.
        peak = watch.peak_mb
        cpu = max(usage.ru_utime + usage.ru_stime, sum(watch.cpu.values()))
        return Run(process.returncode, out.read(), err.read(), bound, elapsed, cpu, peak, watch.killed)


# The parse budget the runs get: what one page's parsing may add to its worker (NEWSBRIEF_PARSE_MEMORY_MB).
# The default (1024) lets a 10 MB page's tree grow past MEMORY_MB; a deployment that wants every process under
# MEMORY_MB sets this, and the runs check that it holds.
PARSE_MEMORY_MB = "400"


def cli_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "NEWSBRIEF_DEBUG"}
    env["NEWSBRIEF_PARSE_MEMORY_MB"] = PARSE_MEMORY_MB
    env.update(extra)
    return env


def bound_problems(run: Run) -> list[str]:
    problems = []
    if run.killed:
        problems.append(f"killed: {run.killed}")
    if run.cpu_seconds > run.bound.cpu_seconds:
        problems.append(f"{run.cpu_seconds:.1f} s of CPU (bound {run.bound.cpu_seconds:.0f} s)")
    if run.peak_mb > run.bound.memory_mb:
        problems.append(f"a process reached {run.peak_mb:.0f} MB (bound {run.bound.memory_mb:.0f} MB)")
    return problems


def stderr_problems(err: str) -> list[str]:
    problems = []
    if "Traceback" in err:
        problems.append("a traceback on stderr")
    if "internal error" in err:
        problems.append("an internal error (an unhandled exception)")
    return problems


def stdout_problems(out: bytes) -> list[str]:
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError as error:
        return [f"stdout is not UTF-8 ({error})"]
    controls = sorted({repr(c) for c in text if ord(c) < 32 and c not in "\n\t"})
    if controls:
        return [f"control characters on stdout: {', '.join(controls[:5])}"]
    if "Traceback" in text:
        return ["a traceback on stdout"]
    return []


def cli_problems(run: Run, *, codes: tuple[int, ...] = (0, 1)) -> list[str]:
    """The CLI's contract: exit 0, 1 (2 for usage), at most one stderr line and never a traceback."""
    err = run.err.decode("utf-8", "replace")
    lines = err.splitlines()
    problems = bound_problems(run) + stderr_problems(err) + stdout_problems(run.out)
    if run.code not in codes:
        problems.append(f"exit code {run.code}, expected one of {codes}")
    if len(lines) > 1:
        problems.append(f"{len(lines)} lines on stderr")
    if run.code == 1 and not (lines and lines[0].startswith("error: ")):
        problems.append("exit 1 without an 'error:' line")
    return problems


def report(failures: dict[str, list[str]], total: int) -> str:
    """A failure message listing every failing case (the owners fix them from it)."""
    lines = [f"{total - len(failures)} of {total} cases pass; failing:"]
    lines += [f"  {name}: {'; '.join(problems)}" for name, problems in failures.items()]
    return "\n".join(lines)


# --- CLI summarize -----------------------------------------------------------------------------------------

SUMMARIZE_DOCUMENTS = [document for document in DOCUMENTS if "summarize" in document.surfaces]
# Options a user can type wrong (exit 2, usage) or that name no engine (exit 1).
OPTION_CASES: dict[str, tuple[list[str], tuple[int, ...]]] = {
    "sentences_zero": (["--sentences", "0"], (2,)),
    "ratio_nan": (["--ratio", "nan"], (1, 2)),
    "words_10e30": (["--words", str(10**30)], (1, 2)),
    "seconds_inf": (["--seconds", "inf"], (1, 2)),
    "engine_path": (["--engine", "../../etc/passwd"], (1,)),
}


@pytest.fixture(scope="module")
def summarize_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[Run]]]:
    """Every summarize case started at once on a pool of two (the suite's two cores); each test waits for its
    own. Documents are built in the worker threads, so at most two big ones are in memory at a time."""
    folder = tmp_path_factory.mktemp("summarize")
    env = cli_env(NEWSBRIEF_DATABASE_URL=f"sqlite:///{folder / 'unused.db'}")

    def run_document(document: Document) -> Run:
        path = folder / f"{document.name}{document.suffix}"
        path.write_bytes(document.build())
        try:
            return run_bounded(["summarize", str(path)], env=env, cwd=folder)
        finally:
            path.unlink()

    def run_options(options: list[str]) -> Run:
        path = folder / "story.txt"
        if not path.exists():
            path.write_text(hostile.STORY, encoding="utf-8")
        return run_bounded(["summarize", str(path), *options], env=env, cwd=folder)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {document.name: pool.submit(run_document, document) for document in SUMMARIZE_DOCUMENTS}
        for name, (options, _) in OPTION_CASES.items():
            futures[f"option_{name}"] = pool.submit(run_options, options)
        yield futures
        for future in futures.values():
            future.cancel()


@pytest.mark.parametrize("document", SUMMARIZE_DOCUMENTS, ids=lambda document: document.name)
def test_summarize_survives(document: Document, summarize_runs: dict[str, Future[Run]]) -> None:
    run = summarize_runs[document.name].result()
    problems = cli_problems(run)
    assert not problems, f"{document.name}: {'; '.join(problems)} ({run.describe()})"


@pytest.mark.parametrize("name", list(OPTION_CASES))
def test_summarize_options_are_usage_errors(name: str, summarize_runs: dict[str, Future[Run]]) -> None:
    run = summarize_runs[f"option_{name}"].result()
    problems = cli_problems(run, codes=OPTION_CASES[name][1])
    if run.code == 2:  # click's usage message is several lines: only its last says what was wrong
        problems = [problem for problem in problems if "lines on stderr" not in problem]
    assert not problems, f"{name}: {'; '.join(problems)} ({run.describe()})"


# --- Batch -------------------------------------------------------------------------------------------------

GOOD_RECORDS = [{**record, "id": f"good-{n}"} for n, record in enumerate(make_records(12))]
BOMB_EXPANDED = 50 * hostile.MB  # five times the largest input, from about 50 KB of gzip


def batch_lines() -> list[tuple[str, bytes]]:
    """(case, JSON line) for every batch document: JSON-lines documents line by line, the others as the
    ``text`` (``html``) of a record; bytes that are not UTF-8 travel as surrogate escapes, as a careless
    producer would write them."""
    lines: list[tuple[str, bytes]] = []
    for document in DOCUMENTS:
        if "batch" not in document.surfaces:
            continue
        data = document.build()
        if document.is_jsonl:
            lines += [(document.name, line.rstrip(b"\r\n")) for line in data.splitlines() if line.strip()]
            continue
        field = "html" if document.is_html else "text"
        record = {"id": f"doc-{document.name}", field: data.decode("utf-8", "surrogateescape")}
        lines.append((document.name, json.dumps(record).encode("ascii")))
    return lines


def mixed(hostile_lines: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Good records between the hostile lines, so every partition holds both."""
    good = [("good", json.dumps(record).encode("ascii")) for record in GOOD_RECORDS]
    result: list[tuple[str, bytes]] = []
    for number, line in enumerate(hostile_lines):
        if number % 3 == 0 and good:
            result.append(good.pop())
        result.append(line)
    return result + good


def expected_ids(file_name: str, lines: list[tuple[str, bytes]]) -> list[set[str]]:
    """For each input line, the ids its output row may carry: the record's own, or the file:line fallback."""
    candidates = []
    for number, (_, line) in enumerate(lines, start=1):
        ids = {f"{file_name}:{number}"}
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            record = None
        if isinstance(record, dict) and record.get("id") is not None:
            ids.add(str(record["id"]))
        candidates.append(ids)
    return candidates


def write_gzip(path: Path, lines: list[tuple[str, bytes]]) -> None:
    """The lines gzipped, and a last record whose one line inflates to BOMB_EXPANDED bytes."""
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _, line in lines:
            handle.write(line + b"\n")
        handle.write(b'{"id": "gzip-bomb", "text": "')
        chunk = b"Go. " * 250_000
        for _ in range(BOMB_EXPANDED // len(chunk)):
            handle.write(chunk)
        handle.write(b'"}\n')


@dataclass(frozen=True)
class BatchJob:
    run: Run
    lines: list[tuple[str, bytes]]
    rows: list[dict[str, Any]]
    file_name: str


def run_batch(folder: Path, file_name: str, lines: list[tuple[str, bytes]]) -> BatchJob:
    source = folder / file_name
    if file_name.endswith(".gz"):
        write_gzip(source, lines)
        lines = [*lines, ("gzip_bomb_line", b'{"id": "gzip-bomb"}')]
    else:
        source.write_bytes(b"".join(line + b"\n" for _, line in lines))
    output = folder / f"{file_name}.out"
    args = ["batch", str(source), str(output), "--format", "jsonl", "--workers", "2", "--partition-size", "4"]
    run = run_bounded([*args, "--quiet"], env=cli_env(), cwd=folder, bound=MANY_INPUTS)
    rows = read_rows(output) if output.is_dir() else []
    return BatchJob(run, lines, rows, file_name)


@pytest.fixture(scope="module")
def batch_jobs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BatchJob]:
    folder = tmp_path_factory.mktemp("batch")
    hostile_lines = batch_lines()
    small = [(name, line) for name, line in hostile_lines if len(line) < hostile.MB]
    return {
        "jsonl": run_batch(folder, "hostile.jsonl", mixed(hostile_lines)),
        # The gzip input repeats only the small records: the big ones are the plain file's business.
        "jsonl.gz": run_batch(folder, "hostile.jsonl.gz", mixed(small)),
    }


def batch_problems(job: BatchJob) -> dict[str, list[str]]:
    """Per case: its rows must each be in the output exactly once; good rows must be ok."""
    failures: dict[str, list[str]] = {}
    job_problems = bound_problems(job.run) + stderr_problems(job.run.err.decode("utf-8", "replace"))
    if job.run.code != 0:
        job_problems.append(f"exit code {job.run.code}")
    if len(job.rows) != len(job.lines):
        job_problems.append(f"{len(job.rows)} output rows for {len(job.lines)} input rows")
    if job_problems:
        failures["(the job)"] = [*job_problems, job.run.describe()]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for row in job.rows:
        by_id.setdefault(str(row["id"]), []).append(row)
    for (name, _), ids in zip(job.lines, expected_ids(job.file_name, job.lines), strict=True):
        # An id is written as stored text (models.storable: a lone surrogate becomes U+FFFD).
        found = [row for candidate in ids for row in by_id.get(storable(candidate), [])]
        if len(found) != 1:
            failures.setdefault(name, []).append(f"{len(found)} output rows for input id {sorted(ids)}")
        elif name == "good" and found[0]["status"] != "ok":
            failures.setdefault(name, []).append(f"{sorted(ids)}: {found[0]['status']} {found[0]['error']}")
    return failures


@pytest.mark.parametrize("kind", ["jsonl", "jsonl.gz"])
def test_batch_keeps_every_row_once(kind: str, batch_jobs: dict[str, BatchJob]) -> None:
    job = batch_jobs[kind]
    failures = batch_problems(job)
    names = {name for name, _ in job.lines}
    assert not failures, report(failures, len(names))
    if kind == "jsonl.gz":
        # The record past the size limit is an error row (named by file and line: its id is never read),
        # not 50 MB of text.
        last_line = f"{job.file_name}:{len(job.lines)}"
        [bomb] = [row for row in job.rows if row["id"] in ("gzip-bomb", last_line)]
        assert bomb["status"] == "input_too_large"


# --- The fake site: pages, feeds and stories ---------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with running_site() as running:
        for page in PAGES:
            running.add(
                page.path,
                page.body(),
                status=page.status,
                content_type=page.content_type,
                headers=page.headers,
                handler=page.handler,
            )
        for feed in FEEDS:
            running.add(
                feed.path, feed.build(running.base), content_type=feed.content_type, headers=feed.headers
            )
        for path in hostile.STORY_PATHS:
            running.add(path, hostile.story_page(path))
        running.add(GOOD_PATH, article_page())
        yield running


# --- CLI ingest ----------------------------------------------------------------------------------------------


def fetched_cases(site: Site, surface: str) -> dict[str, str]:
    """Case name -> URL, for the pages and raw URLs a surface takes."""
    cases = {page.name: site.base + page.path for page in PAGES if surface in page.surfaces}
    cases.update({raw.name: raw.url for raw in RAW_URLS if surface in raw.surfaces})
    return cases


def test_ingest_refuses_each_hostile_source_and_goes_on(
    site: Site, loopback_cli_env: str, tmp_path: Path
) -> None:
    cases = fetched_cases(site, "ingest")
    run = run_bounded(
        ["ingest", *cases.values(), site.base + GOOD_PATH],
        env=cli_env(),
        cwd=tmp_path,
        bound=MANY_INPUTS,
    )
    err = run.err.decode("utf-8", "replace")
    lines = err.splitlines()
    failures: dict[str, list[str]] = {}
    for name, url in cases.items():
        mine = [line for line in lines if line.startswith(f"error: {url}: ")]
        if len(mine) != 1:
            failures[name] = [f"{len(mine)} error lines for {url}, expected 1"]
        elif "internal error" in mine[0]:
            failures[name] = [f"internal error: {mine[0]}"]
    job = bound_problems(run) + stderr_problems(err)
    if run.code != 1:
        job.append(f"exit code {run.code}, expected 1")
    if len(lines) != len(cases):
        job.append(f"{len(lines)} stderr lines for {len(cases)} failing sources")
    if "\tnew\t" not in run.out.decode("utf-8", "replace"):
        job.append("the good page after the hostile ones was not stored")
    if job:
        failures["(the run)"] = [*job, run.describe()]
    assert not failures, report(failures, len(cases))


# --- CLI feeds add -------------------------------------------------------------------------------------------


def test_feeds_add_refuses_or_subscribes_each_hostile_feed(
    site: Site, loopback_cli_env: str, tmp_path: Path
) -> None:
    urls = {feed.name: site.base + feed.path for feed in FEEDS}
    # A small cap keeps the poll of the 50,000-entry feed short (each entry taken is fetched) and still shows
    # that the cap holds. The run has the default parse budget: the feed is cut to its first and last entries
    # before feedparser reads it (extract/feed.py), where reading all 50,000 took ~10 s of CPU.
    env = cli_env(NEWSBRIEF_FEED_MAX_ENTRIES=str(FEED_CAP))
    run = run_bounded(["feeds", "add", *urls.values()], env=env, cwd=tmp_path, bound=MANY_INPUTS)
    err = run.err.decode("utf-8", "replace")
    out = run.out.decode("utf-8", "replace")
    subscribed = stored_feeds(loopback_cli_env)
    failures: dict[str, list[str]] = {}
    for feed in FEEDS:
        url = urls[feed.name]
        errors = [line for line in err.splitlines() if line.startswith(f"error: {url}: ")]
        problems = [f"{len(errors)} error lines"] if len(errors) > 1 else []
        problems += [f"internal error: {line}" for line in errors if "internal error" in line]
        if feed.refused and (not errors or url in subscribed):
            problems.append("not refused" + (" (subscribed)" if url in subscribed else ""))
        if feed.name == "entries_50k" and url not in subscribed:
            problems.append("not subscribed (a long feed is capped, not refused)")
        if feed.name == "entries_50k" and subscribed.get(url, 0) > FEED_CAP:
            problems.append(f"{subscribed[url]} entries taken in one poll (cap {FEED_CAP})")
        if feed.name == "entries_50k" and "\t50000 entries\n" not in out:  # counted, though not all read
            problems.append("feeds add does not say the feed lists 50000 entries")
        if feed.name == "javascript_links" and f"\t{url}\t" not in out:
            problems.append("not subscribed and polled")
        if feed.name == "javascript_links" and ", 2 stored," not in out.split(url, 1)[-1].split("\n", 1)[0]:
            problems.append("its two good entries were not stored")
        if problems:
            failures[feed.name] = problems
    job = bound_problems(run) + stderr_problems(err)
    strays = [line for line in err.splitlines() if not line.startswith(("error: ", "warning: "))]
    if strays:
        job.append(f"stderr lines that are neither error nor warning: {strays[:3]}")
    if run.code not in (0, 1):
        job.append(f"exit code {run.code}")
    if job:
        failures["(the run)"] = [*job, run.describe()]
    assert not failures, report(failures, len(FEEDS))


def stored_feeds(database_url: str) -> dict[str, int]:
    """Subscribed feed URL -> its entry count."""
    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            statement = (
                select(feeds.c.url, func.count(feed_entries.c.feed_id))
                .select_from(feeds.outerjoin(feed_entries, feed_entries.c.feed_id == feeds.c.id))
                .group_by(feeds.c.url)
            )
            return {url: int(count) for url, count in connection.execute(statement)}
    except Exception:  # no table yet: nothing was ever subscribed
        return {}
    finally:
        engine.dispose()


# --- API -------------------------------------------------------------------------------------------------------


@pytest.fixture
def client(database_url: str, site: Site) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url,
        api_keys=KEY,
        fetch_allow="127.0.0.1",
        fetch_delay=0,
        fetch_timeout=5,
        feed_scheduler=False,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def api_problems(response: Any, expect: Expect) -> list[str]:
    """Never a 5xx; an error is {"error": {"code", "message"}}; and the expected class of status."""
    status = response.status_code
    problems = []
    if status >= 500:
        problems.append(f"HTTP {status}: {response.text[:200]}")
    elif expect == "2xx" and not 200 <= status < 300:
        problems.append(f"HTTP {status}, expected 2xx: {response.text[:200]}")
    elif expect == "4xx" and not 400 <= status < 500:
        problems.append(f"HTTP {status}, expected 4xx: {response.text[:200]}")
    if status >= 400:
        try:
            error = response.json()["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str)
        except (ValueError, KeyError, TypeError, AssertionError):
            problems.append(f"error body not {{'error': {{'code', 'message'}}}}: {response.text[:200]}")
    return problems


Send = Callable[[], Any]


def run_api_cases(cases: dict[str, tuple[Send, Expect]]) -> dict[str, list[str]]:
    """Each request on a worker thread, so one that hangs is reported (and the rest skipped) instead of
    hanging the suite; each must not raise this process's memory peak by more than MEMORY_MB."""
    failures: dict[str, list[str]] = {}
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        for name, (send, expect) in cases.items():
            before = _peak_mb()
            try:
                response = pool.submit(send).result(timeout=API_SECONDS)
            except FutureTimeout:
                failures[name] = [f"no answer in {API_SECONDS:.0f} s (the remaining cases were not sent)"]
                break
            problems = api_problems(response, expect)
            if _peak_mb() - before > MEMORY_MB:
                problems.append(f"raised the process peak by {_peak_mb() - before:.0f} MB")
            if problems:
                failures[name] = problems
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return failures


def _request(client: TestClient, request: ApiRequest, article_id: int) -> Send:
    headers = dict(AUTH)
    if request.content_type:
        headers["Content-Type"] = request.content_type
    path = request.path.format(article=article_id)
    return lambda: client.request(
        request.method, path, params=list(request.params), content=request.body, headers=headers
    )


def good_article(client: TestClient) -> int:
    response = client.post("/api/v1/articles", json={"text": hostile.STORY}, headers=AUTH)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_api_requests(client: TestClient) -> None:
    article_id = good_article(client)
    cases = {
        f"{request.surface}:{request.name}": (_request(client, request, article_id), request.expect)
        for request in API_REQUESTS
    }
    failures = run_api_cases(cases)
    assert not failures, report(failures, len(cases))
    assert client.get("/api/v1/articles", params={"q": "harbour"}).json()["count"] >= 1  # search still works


def _document_body(document: Document) -> bytes:
    """The document as a JSON body: ``html`` (with a URL) for HTML, else ``text``; bytes that are not UTF-8
    travel as surrogate escapes (JSON can carry them; a careless client sends them)."""
    text = document.build().decode("utf-8", "surrogateescape")
    if document.is_html:
        return json.dumps({"html": text, "url": f"https://courier.example/hostile/{document.name}"}).encode()
    return json.dumps({"text": text}).encode()


def test_api_documents(client: TestClient) -> None:
    cases: dict[str, tuple[Send, Expect]] = {}
    for surface, path in (("api_create", "/api/v1/articles"), ("api_summarize", "/api/v1/summarize")):
        for document in DOCUMENTS:
            if surface in document.surfaces:
                cases[f"{surface}:{document.name}"] = (_post(client, path, document), "any")
    failures = run_api_cases(cases)
    assert not failures, report(failures, len(cases))


def _post(client: TestClient, path: str, document: Document) -> Send:
    headers = {**AUTH, "Content-Type": "application/json"}
    return lambda: client.post(path, content=_document_body(document), headers=headers)


def test_api_refuses_hostile_urls(client: TestClient, site: Site) -> None:
    cases: dict[str, tuple[Send, Expect]] = {
        f"api_create:{name}": (_create_url(client, url), "4xx")
        for name, url in fetched_cases(site, "api_create").items()
    }
    failures = run_api_cases(cases)
    assert not failures, report(failures, len(cases))
    assert client.get("/api/v1/articles").json()["count"] == 0  # nothing hostile was stored


def _create_url(client: TestClient, url: str) -> Send:
    return lambda: client.post("/api/v1/articles", json={"url": url}, headers=AUTH)


def test_api_feeds(client: TestClient, site: Site) -> None:
    cases: dict[str, tuple[Send, Expect]] = {
        f"feeds:{feed.name}": (_add_feed(client, site.base + feed.path), "4xx" if feed.refused else "any")
        for feed in FEEDS
    }
    failures = run_api_cases(cases)
    assert not failures, report(failures, len(cases))


def _add_feed(client: TestClient, url: str) -> Send:
    return lambda: client.post("/api/v1/feeds", json={"url": url}, headers=AUTH)


def test_the_corpus_covers_every_surface_with_60_inputs_or_more() -> None:
    tally = hostile.counts()
    assert all(tally[surface] >= 5 for surface in hostile.SURFACES), tally
    named = {d.name for d in DOCUMENTS} | {p.name for p in PAGES} | {u.name for u in RAW_URLS}
    named |= {f"{r.surface}:{r.name}" for r in API_REQUESTS} | {f.name for f in FEEDS}
    assert len(named) >= 60
