"""Checker speed: (article, summary) pairs per second in one process, on FRANK's validation pairs (median
of 5 runs, language detected as in normal use), and the cost of one long article (1k to 100k words).

    NEWSBRIEF_DATA=../shared/data .venv/bin/python -m bench.check_speed
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

from newsbrief.check import check

RUNS = 5
LONG_SIZES = (1_000, 10_000, 100_000)
TARGET_PAIRS_PER_SECOND = 100  # issue 16


def pairs_per_second(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Median pairs per wall-clock second and per CPU second (the machine is shared: CPU time is steadier)."""
    check(*pairs[0])  # loads the stemmer and stop words
    wall, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        for article, summary in pairs:
            check(article, summary)
        wall.append(len(pairs) / (time.perf_counter() - started))
        cpu.append(len(pairs) / (time.process_time() - started_cpu))
    return statistics.median(wall), statistics.median(cpu)


def long_article_seconds(pairs: list[tuple[str, str]], words: int) -> float:
    """One article of ``words`` words (FRANK articles glued by paragraph), checked against a summary."""
    paragraphs: list[str] = []
    for article, _ in pairs:
        paragraphs.append(article)
        if sum(len(p.split()) for p in paragraphs) >= words:
            break
    text = "\n\n".join(paragraphs)
    started = time.perf_counter()
    check(text, pairs[0][1])
    return time.perf_counter() - started


def main() -> int:
    data = Path(os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    path = data / "faithfulness" / "frank-valid.jsonl"
    if not path.is_file():
        print(f"no {path}: set NEWSBRIEF_DATA", file=sys.stderr)
        return 1
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    pairs = [(str(row["article"]), str(row["summary"])) for row in rows]
    words = statistics.mean(len(article.split()) for article, _ in pairs)
    rate, cpu_rate = pairs_per_second(pairs)
    verdict = "met" if rate >= TARGET_PAIRS_PER_SECOND else "NOT met"
    print(f"{len(pairs)} FRANK pairs (articles {words:.0f} words on average), one process:")
    print(
        f"{rate:.0f} pairs/s wall clock, {cpu_rate:.0f} pairs per CPU second; load {os.getloadavg()[0]:.1f}"
    )
    print(f"target >= {TARGET_PAIRS_PER_SECOND} pairs/s: {verdict}")
    for size in LONG_SIZES:
        print(f"one article of ~{size:,} words: {long_article_seconds(pairs, size) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
