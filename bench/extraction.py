"""Extraction quality and speed on the benchmarks in ../shared/data/extract (scored as in BASELINES.md).

    NEWSBRIEF_DATA=../shared/data .venv/bin/python -m bench.extraction [--limit N] [--verdicts]

The entry point scored is ``newsbrief.extract.extract_text(html: bytes, url) -> str``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from newsbrief.errors import NewsbriefError
from newsbrief.extract import extract_text
from newsbrief.extract.html import extract_page

_WORD = re.compile(r"\w+")


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text)
    if len(tokens) < 4:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def scrapinghub(folder: Path, limit: int | None) -> dict[str, float]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    items = sorted(truth.items())[:limit]
    precisions, recalls, good = [], [], 0
    started = time.process_time()
    for page_id, item in items:
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        predicted = shingles(extract_text(html, item.get("url")))
        expected = shingles(item["articleBody"])
        overlap = sum((predicted & expected).values())
        precision = overlap / sum(predicted.values()) if predicted else 0.0
        recall = overlap / sum(expected.values()) if expected else 0.0
        if predicted:
            precisions.append(precision)
        recalls.append(recall)
        page_f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        good += page_f1 >= 0.9
    seconds = time.process_time() - started
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls)
    return {"pages": len(items), "f1": 2 * p * r / (p + r), "precision": p, "recall": r,
            "share_f1_0.9": good / len(items), "pages_per_cpu_second": len(items) / seconds}  # fmt: skip


def trafilatura_eval(folder: Path, limit: int | None) -> dict[str, float]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))["items"]
    items = sorted(truth.items())[:limit]
    tp = fn = fp = 0
    started = time.process_time()
    for _, item in items:
        html = gzip.decompress((folder / item["html"]).read_bytes())
        output = " ".join(extract_text(html, item.get("url")).split())
        for snippet in item["with"]:
            found = " ".join(snippet.split()) in output
            tp += found
            fn += not found
        fp += sum(" ".join(snippet.split()) in output for snippet in item["without"])
    seconds = time.process_time() - started
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    return {"pages": len(items), "precision": precision, "recall": recall, "f1": f1,
            "pages_per_cpu_second": len(items) / seconds}  # fmt: skip


def verdicts(data: Path, limit: int | None) -> Counter[str]:
    """The verdicts on the benchmark pages. Every page there is an article, so anything else is a false
    refusal (some pages are teasers or stubs by their own markup, e.g. declared paywalls)."""
    counts: Counter[str] = Counter()
    for path in sorted(data.glob("*/html/*.html.gz"))[:limit]:
        try:
            verdict = extract_page(gzip.decompress(path.read_bytes())).verdict
        except NewsbriefError as error:
            counts[f"error:{error.code}"] += 1
            continue
        counts[verdict.reason.value if verdict.reason else "article"] += 1
    return counts


def peer_speed(folder: Path, limit: int | None) -> dict[str, float]:
    """trafilatura's own speed on the same pages in this process (raw bytes in, text out), for a fair
    comparison on a machine whose speed varies from run to run."""
    import trafilatura

    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()), item.get("url"))
        for page_id, item in sorted(truth.items())[:limit]
    ]
    speeds = {}
    peers: tuple[tuple[str, dict[str, bool]], ...] = (
        ("trafilatura_default", {}),
        ("trafilatura_fast", {"fast": True}),
        # newsbrief also extracts title, byline, date, site and image: the like-for-like figure.
        ("trafilatura_with_metadata", {"with_metadata": True}),
    )
    for name, options in peers:
        started = time.process_time()
        for html, url in pages:
            trafilatura.extract(html, url=url, **options)
        speeds[name] = len(pages) / (time.process_time() - started)
    started = time.process_time()
    for html, url in pages:
        extract_text(html, url)
    speeds["newsbrief"] = len(pages) / (time.process_time() - started)
    return speeds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int)
    parser.add_argument("--verdicts", action="store_true", help="Also count the verdicts on all pages.")
    parser.add_argument("--peers", action="store_true", help="Also time trafilatura on the same pages.")
    args = parser.parse_args()
    data = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data")) / "extract"
    if args.verdicts:
        counts = verdicts(data, args.limit)
        refused = sum(count for name, count in counts.items() if name != "article")
        share = refused / sum(counts.values())
        print("verdicts", json.dumps(dict(counts.most_common())), f"refused {share:.1%}")
    if args.peers:
        speeds = peer_speed(data / "scrapinghub-aeb-dev", args.limit)
        print("pages per CPU-second", json.dumps({key: round(value, 1) for key, value in speeds.items()}))
    for name, scorer in (("scrapinghub-aeb-dev", scrapinghub), ("trafilatura-eval", trafilatura_eval)):
        result = scorer(data / name, args.limit)
        print(name, json.dumps({key: round(value, 3) for key, value in result.items()}))
    # Memory in a separate, traced pass (tracing slows Python several times, so it is kept out of the timing).
    tracemalloc.start()
    scrapinghub(data / "scrapinghub-aeb-dev", args.limit or 30)
    print(f"peak traced memory (scrapinghub pages) {tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
