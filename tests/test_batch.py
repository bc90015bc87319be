"""Batch jobs on real process pools and a real Dask LocalCluster, with workers killed mid-job."""

from __future__ import annotations

import faulthandler
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsbrief.batch import BatchOptions, summarize_many
from newsbrief.batch.files import MANIFEST
from newsbrief.errors import InvalidInput, SourceNotFound
from newsbrief.models import Length
from newsbrief.options import SummaryOptions
from tests.conftest import CliResult

OPTIONS = BatchOptions(SummaryOptions(engine="newsbrief.v1", length=Length.sentences(2)))
TOWNS = ["Alder", "Brook", "Cairn", "Dunmore", "Elm", "Fallow", "Glen"]


def make_records(count: int) -> list[dict[str, Any]]:
    """Generated articles (our own templates): varied enough that summaries differ between records."""
    records = []
    for i in range(count):
        town = TOWNS[i % len(TOWNS)]
        sentences = [
            f"The council of {town} voted {i % 9 + 1} to {i % 4} on Monday to fund project number {i}.",
            f"Residents of {town} had asked for the project since {1990 + i % 30}.",
            f"The mayor said the work on item {i % 17} would start in spring and cost {i % 50 + 3} million euros.",
            f"Critics in {town} said the money should go to schools instead of roads.",
            f"A final vote on the budget for {town} is expected in {['May', 'June', 'July'][i % 3]}.",
        ]
        records.append(
            {"id": f"rec-{i:05d}", "title": f"{town} council funds project {i}", "text": " ".join(sentences)}
        )
    return records


def write_jsonl(path: Path, records: list[dict[str, Any]], extra_lines: tuple[str, ...] = ()) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")
    return path


def read_rows(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for file in sorted(folder.glob("part-*")):
        if file.suffix == ".parquet":
            rows.extend(pq.read_table(file).to_pylist())
        else:
            rows.extend(json.loads(line) for line in file.read_text(encoding="utf-8").splitlines())
    return rows


def comparable(rows: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(row["id"], row["status"], row["summary"]) for row in rows]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """3,000 records and their single-process summaries (the ground truth every runner must reproduce)."""
    folder = tmp_path_factory.mktemp("batch")
    source = write_jsonl(folder / "in.jsonl", make_records(3000))
    report = summarize_many(source, folder / "single", OPTIONS, workers=1, partition_size=100, progress=False)
    assert report.rows == report.ok == 3000
    return source, read_rows(folder / "single")


def test_local_pool_matches_single_process(
    reference: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    source, expected = reference
    report = summarize_many(source, tmp_path / "out", OPTIONS, workers=2, partition_size=100, progress=False)
    assert (report.rows, report.ok, report.errors, report.partitions_written) == (3000, 3000, 0, 30)
    assert comparable(read_rows(tmp_path / "out")) == comparable(expected)


def test_bad_records_are_written_with_their_error(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        make_records(5),
        extra_lines=(
            "{not json",
            json.dumps({"id": "no-body", "title": "Only a title"}),
            json.dumps({"id": "empty", "text": "..."}),
            "[1, 2]",
        ),
    )
    report = summarize_many(
        source, tmp_path / "out", OPTIONS, workers=1, output_format="jsonl", progress=False
    )
    assert (report.rows, report.ok, report.errors) == (9, 5, 4)
    statuses = {row["id"]: row["status"] for row in read_rows(tmp_path / "out")}
    assert statuses["in.jsonl:6"] == "invalid_record"
    assert statuses["no-body"] == "bad_dataset"
    assert statuses["empty"] == "no_sentences"
    assert statuses["in.jsonl:9"] == "invalid_record"


def test_gzip_parquet_and_folder_inputs(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    records = make_records(60)
    with gzip.open(inputs / "a.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record) + "\n" for record in records[:30])
    pq.write_table(pa.Table.from_pylist(records[30:]), inputs / "b.parquet")
    (inputs / "notes.txt").write_text("ignored: not an input file")
    report = summarize_many(inputs, tmp_path / "out", OPTIONS, workers=1, partition_size=7, progress=False)
    assert (report.rows, report.ok) == (60, 60)
    assert sorted(row["id"] for row in read_rows(tmp_path / "out")) == sorted(r["id"] for r in records)
    glob_report = summarize_many(
        str(inputs / "*.parquet"), tmp_path / "out2", OPTIONS, workers=1, progress=False
    )
    assert glob_report.rows == 30


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_rows_carry_the_spans_of_compressed_sentences(tmp_path: Path, output_format: str) -> None:
    text = (
        "Mayor Ana Ruiz, a former ferry captain, approved the new ferry terminal on Monday. "
        "Work on the terminal starts in May and ends in 2028. Critics said the money should go to schools."
    )
    records = write_jsonl(tmp_path / "in.jsonl", [{"id": "ferry", "text": text}])
    options = BatchOptions(SummaryOptions(engine="newsbrief.v3", length=Length.sentences(1)))
    report = summarize_many(
        records, tmp_path / "out", options, workers=1, progress=False, output_format=output_format
    )
    assert report.ok == 1
    (sentence,) = read_rows(tmp_path / "out")[0]["sentences"]
    assert sentence["text"] == "Mayor Ana Ruiz approved the new ferry terminal on Monday."
    assert [text[start:end] for start, end in sentence["spans"]] == [
        "Mayor Ana Ruiz",
        "approved the new ferry terminal on Monday.",
    ]
    assert text[sentence["start"] : sentence["end"]].startswith("Mayor Ana Ruiz, a former ferry captain,")


def test_rerun_skips_finished_partitions_and_refuses_other_options(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", make_records(50))
    first = summarize_many(source, tmp_path / "out", OPTIONS, workers=1, partition_size=10, progress=False)
    manifest_path = tmp_path / "out" / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    lost = manifest["partitions"].pop("part-0000-000003")
    manifest_path.write_text(json.dumps(manifest))
    (tmp_path / "out" / lost["file"]).unlink()
    second = summarize_many(source, tmp_path / "out", OPTIONS, workers=1, partition_size=10, progress=False)
    assert (first.partitions_written, second.partitions_written, second.partitions_skipped) == (5, 1, 4)
    assert second.rows == 50
    with pytest.raises(InvalidInput, match="other inputs or options"):
        summarize_many(source, tmp_path / "out", OPTIONS, workers=1, partition_size=20, progress=False)


def _wait_for_partitions(folder: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        manifest = folder / MANIFEST
        if manifest.exists():
            try:
                if len(json.loads(manifest.read_text())["partitions"]) >= count:
                    return
            except json.JSONDecodeError:
                pass  # being replaced right now
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} partitions after {timeout} s")


def _run_in_thread(job: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["report"] = job()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def _thread_stacks() -> str:
    with tempfile.TemporaryFile("w+") as dump:
        faulthandler.dump_traceback(dump, all_threads=True)
        dump.seek(0)
        return dump.read()


def test_local_pool_survives_a_killed_worker(
    reference: tuple[Path, list[dict[str, Any]]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source, expected = reference
    out = tmp_path / "out"
    thread, outcome = _run_in_thread(
        lambda: summarize_many(source, out, OPTIONS, workers=2, partition_size=50, progress=False)
    )
    _wait_for_partitions(out, 3)
    workers = [p for p in psutil.Process().children(recursive=True) if p.ppid() != os.getpid()]
    assert workers, "no pool worker processes found"
    workers[0].send_signal(signal.SIGKILL)
    thread.join(timeout=120)
    assert not thread.is_alive(), f"the job hung after the kill; its threads:\n{_thread_stacks()}"
    assert "error" not in outcome, outcome.get("error")
    assert outcome["report"].rows == 3000
    assert "a batch worker died" in caplog.text  # the pool really broke and the partitions were retried
    assert comparable(read_rows(out)) == comparable(expected)


def test_dask_cluster_with_a_killed_worker_gives_the_same_summaries(
    reference: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    from distributed import Client, LocalCluster

    source, expected = reference
    out = tmp_path / "out"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        notices: list[str] = []
        thread, outcome = _run_in_thread(
            lambda: summarize_many(
                source,
                out,
                OPTIONS,
                scheduler=cluster.scheduler_address,
                partition_size=50,
                progress=False,
                announce=notices.append,
            )
        )
        _wait_for_partitions(out, 3)
        worker_pids = list(client.run(os.getpid).values())
        os.kill(worker_pids[0], signal.SIGKILL)
        thread.join(timeout=180)
    assert "error" not in outcome, outcome.get("error")
    assert any("dashboard" in notice for notice in notices)
    report = outcome["report"]
    assert (report.rows, report.ok) == (3000, 3000)
    rows = read_rows(out)
    assert len({row["id"] for row in rows}) == len(rows) == 3000
    assert comparable(rows) == comparable(expected)


def test_killed_job_resumes_without_loss(
    reference: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    """SIGKILL the whole batch command mid-job; the re-run finishes it and every id is there exactly once."""
    source, expected = reference
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "newsbrief",
        "batch",
        str(source),
        str(out),
        "-e",
        "newsbrief.v1",
        "-n",
        "2",
    ]
    command += ["--partition-size", "50", "--workers", "1", "--quiet"]
    process = subprocess.Popen(command, start_new_session=True)
    try:
        _wait_for_partitions(out, 5)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    assert "already done" in finished.stdout and "3000 rows: 3000 ok" in finished.stdout
    assert comparable(read_rows(out)) == comparable(expected)


def test_cli_batch_errors(run_cli: Callable[..., CliResult], tmp_path: Path) -> None:
    missing = run_cli("batch", str(tmp_path / "nope.jsonl"), str(tmp_path / "out"))
    assert missing.code == 1 and "no such file" in missing.err
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    source = write_jsonl(tmp_path / "in.jsonl", make_records(2))
    not_folder = run_cli("batch", str(source), str(a_file), "--quiet")
    assert not_folder.code == 1 and "not a folder" in not_folder.err
    both = run_cli(
        "batch", str(source), str(tmp_path / "o"), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"
    )
    assert both.code == 2
    ok = run_cli("batch", str(source), str(tmp_path / "o"), "--workers", "1", "--quiet", "--format", "jsonl")
    assert ok.code == 0 and "2 rows: 2 ok" in ok.out


def test_missing_input_pattern() -> None:
    with pytest.raises(SourceNotFound):
        summarize_many("/nonexistent/*.jsonl", "/tmp/never-made", OPTIONS, progress=False)
