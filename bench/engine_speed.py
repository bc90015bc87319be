"""Engine speed and memory: articles/s on the CNN dev set (summarizing only, median of 5 runs), and the cost
of one long document built by concatenating articles (1k to 100k words), with peak memory; and the least CPU
time per article over alternating passes, as a speed ratio to the first engine named (steadier than wall
clock on a shared machine).

    NEWSBRIEF_DATA=../shared/data .venv/bin/python -m bench.engine_speed [ENGINE ...]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from newsbrief.config import Settings
from newsbrief.engines import get_engine
from newsbrief.eval.runner import read_eval_rows
from newsbrief.models import Article, Length
from newsbrief.pipeline import summarize_article

RUNS = 5
# CPU time, fewest of this many passes with the engines alternating: on a shared machine wall-clock rates of
# back-to-back runs swing by 2x, while the least CPU time an engine needed is steady to a few per cent.
CPU_PASSES = 12
LONG_SIZES = (1_000, 10_000, 50_000, 100_000)


def throughput(engine_name: str, articles: list[Article], settings: Settings) -> float:
    engine = get_engine(engine_name).info.key
    summarize_article(articles[0], engine=engine, defaults=settings.summary)  # loads models, warms caches
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for article in articles:
            summarize_article(article, engine=engine, length=Length.sentences(3), defaults=settings.summary)
        rates.append(len(articles) / (time.perf_counter() - started))
    return statistics.median(rates)


def least_cpu_ms(engine_names: list[str], articles: list[Article], settings: Settings) -> dict[str, float]:
    """Per engine, the least CPU milliseconds per article over CPU_PASSES passes, engines alternating."""
    keys = {name: get_engine(name).info.key for name in engine_names}
    best = dict.fromkeys(engine_names, float("inf"))
    for _ in range(CPU_PASSES):
        for name, key in keys.items():
            started = time.process_time()
            for article in articles:
                summarize_article(article, engine=key, length=Length.sentences(3), defaults=settings.summary)
            best[name] = min(best[name], (time.process_time() - started) / len(articles) * 1000)
    return best


def long_document(articles: list[Article], words: int) -> Article:
    paragraphs: list[str] = []
    total = 0
    while total < words:
        for paragraph in (p for article in articles for p in article.paragraphs):
            paragraphs.append(paragraph)
            total += len(paragraph.split())
            if total >= words:
                break
    return Article(paragraphs=tuple(paragraphs), title="A long document")


def long_cost(engine_name: str, article: Article, settings: Settings) -> tuple[float, float]:
    """Seconds (best of 3, untraced) and peak traced allocation in MB (a separate, traced run)."""
    engine = get_engine(engine_name).info.key
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        summarize_article(article, engine=engine, length=Length.sentences(3), defaults=settings.summary)
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    summarize_article(article, engine=engine, length=Length.sentences(3), defaults=settings.summary)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return min(timings), peak


def main() -> None:
    engines = sys.argv[1:] or ["lead.v1", "newsbrief.v1", "newsbrief.v3"]
    data = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data"))
    articles = [row.article for row in read_eval_rows(data / "summ" / "cnndm-dev.jsonl")]
    settings = Settings()
    print(f"| engine | articles/s (CNN dev, median of {RUNS}) | ms/article |")
    print("|---|---|---|")
    for name in engines:
        rate = throughput(name, articles, settings)
        print(f"| {name} | {rate:,.0f} | {1000 / rate:.2f} |")
    print()
    cpu = least_cpu_ms(engines, articles, settings)
    title = f"CPU ms/article (CNN dev, least of {CPU_PASSES} alternating passes)"
    print(f"| engine | {title} | x {engines[0]}'s speed |")
    print("|---|---|---|")
    for name in engines:
        print(f"| {name} | {cpu[name]:.3f} | {cpu[engines[0]] / cpu[name]:.2f} |")
    print()
    header = " | ".join(f"{size // 1000}k words" for size in LONG_SIZES)
    print(f"| engine | {header} (seconds; peak traced MB) |")
    print("|---|" + "---|" * len(LONG_SIZES))
    documents = [long_document(articles, size) for size in LONG_SIZES]
    for name in engines:
        cells = [long_cost(name, document, settings) for document in documents]
        print(
            f"| {name} | " + " | ".join(f"{seconds:.2f} s; {peak:.0f} MB" for seconds, peak in cells) + " |"
        )


if __name__ == "__main__":
    main()
