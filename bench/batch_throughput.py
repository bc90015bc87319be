"""Batch throughput and memory: 20,000 articles (the summ/ texts repeated) with 1 and 2 local workers, against
a plain in-process loop of the same engine; then peak memory for 20,000 and 200,000 records.

    NEWSBRIEF_DATA=../shared/data .venv/bin/python -m bench.batch_throughput [--records 20000] [--big 200000]

Peak memory: the batch command's whole process tree (main process, pool workers and helpers), summed and
sampled every 0.2 s; the peak sample is reported.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from newsbrief.config import Settings
from newsbrief.engines import get_engine
from newsbrief.eval.runner import read_eval_rows
from newsbrief.models import Length
from newsbrief.pipeline import summarize_article
from newsbrief.sources import article_from_record

ENGINE = "newsbrief.v1"


def write_input(path: Path, count: int, data: Path) -> None:
    texts = []
    for name in ("cnndm-dev.jsonl", "xsum-dev.jsonl", "bbc-dev.jsonl"):
        texts.extend(json.loads(line)["article"] for line in (data / "summ" / name).open(encoding="utf-8"))
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps({"id": f"a{i}", "text": texts[i % len(texts)]}) + "\n")


def plain_loop(path: Path, limit: int) -> float:
    engine = get_engine(ENGINE)
    settings = Settings()
    records = [json.loads(line) for _, line in zip(range(limit), path.open(encoding="utf-8"), strict=False)]
    started = time.perf_counter()
    for record in records:
        summarize_article(
            article_from_record(record, where="bench"),
            engine=engine,
            length=Length.sentences(3),
            settings=settings,
        )
    return len(records) / (time.perf_counter() - started)


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # exited between listing and reading
            total += member.memory_info().rss
    return total


def batch_run(path: Path, workers: int) -> tuple[float, float]:
    """Rows/s of the batch command (whole command, start-up included) and peak tree RSS in MB."""
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable,
            "-m",
            "newsbrief",
            "batch",
            str(path),
            out,
            "-e",
            ENGINE,
            "--workers",
            str(workers),
            "--quiet",
        ]
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        watched = psutil.Process(child.pid)
        peak_bytes = 0
        while child.poll() is None:
            peak_bytes = max(peak_bytes, tree_rss(watched))
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        if child.returncode:
            raise SystemExit(f"batch failed with exit code {child.returncode}")
        peak = peak_bytes / 1e6
    rows = sum(1 for _ in path.open(encoding="utf-8"))
    return rows / elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000)
    args = parser.parse_args()
    data = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data"))
    read_eval_rows(data / "summ" / "cnndm-dev.jsonl", limit=1)  # fail early without the data
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "small.jsonl"
        write_input(small, args.records, data)
        loop = plain_loop(small, 3000)
        print(f"plain in-process loop ({ENGINE}, 3,000 records): {loop:,.0f} articles/s")
        one, one_peak = batch_run(small, 1)
        two, two_peak = batch_run(small, 2)
        print("| workers | records | rows/s | vs 1 worker | batch/loop | peak RSS of the process tree, MB |")
        print("|---|---|---|---|---|---|")
        print(f"| 1 | {args.records:,} | {one:,.0f} | 1.00 | {one / loop:.2f} | {one_peak:.0f} |")
        print(f"| 2 | {args.records:,} | {two:,.0f} | {two / one:.2f} | {two / loop:.2f} | {two_peak:.0f} |")
        if args.big:
            big = Path(folder) / "big.jsonl"
            write_input(big, args.big, data)
            rate, peak = batch_run(big, 2)
            print(f"| 2 | {args.big:,} | {rate:,.0f} | - | {rate / loop:.2f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
