"""Sentence compression and the key-point unit rules on the dev sets: what each part of the pipeline's
selection does to ROUGE, the summaries' length and compress() speed.

    NEWSBRIEF_DATA=../shared/data .venv/bin/python -m bench.compression [--engine NAME] [--limit N]

Variants per dev set (newsbrief.v3's scores, the shared selector of selection.py, the pipeline's own
ShownSentences, so each row is what ``newsbrief eval`` would print with that part on or off):
- ``plain``: no compression, no unit rules (the selection before issue 14);
- ``units``: the unit rules only (no chrome line, no dangling pronoun, headline rules);
- ``units, skip pronoun points``: the same, but a point opening with a pronoun is skipped rather than shown
  with the sentence before it;
- ``compress``: compression only, selection on what is shown (word budget, redundancy);
- ``both``: compression and the unit rules (the default for bullets and headline).
Dev sets are for reporting only: nothing here is tuned on them; ``--train`` runs the variants on
train/cnndm-val.jsonl, where choices between them are made (newsbrief.v3 was fit on that file, so its
scores there are in-sample: the comparison is between selection rules, not an estimate of quality).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newsbrief.compression import COMPRESSOR, compress
from newsbrief.engines import get_engine
from newsbrief.eval.rouge import make_scorer, score_summary
from newsbrief.eval.runner import EvalRow, dataset_language, read_eval_rows
from newsbrief.models import Document, Length, Style
from newsbrief.pipeline import ShownSentences, prepare, summarize_article
from newsbrief.selection import NO_UNITS, Units, budget_for, expected_sentences, select_sentences

SETS = (
    ("cnndm-dev.jsonl", 3, Style.BULLETS),
    ("dm-frank-dev.jsonl", 3, Style.BULLETS),
    ("xsum-dev.jsonl", 1, Style.HEADLINE),
    ("orangesum-fr-dev.jsonl", 2, Style.BULLETS),
    ("bbc-dev.jsonl", 8, Style.BULLETS),
)


@dataclass(frozen=True)
class Variant:
    name: str
    compress: bool
    units: bool
    resolve: bool = True


VARIANTS = (
    Variant("plain", compress=False, units=False),
    Variant("units", compress=False, units=True),
    Variant("units, skip pronoun points", compress=False, units=True, resolve=False),
    Variant("compress", compress=True, units=False),
    Variant("both", compress=True, units=True),
)


@dataclass(frozen=True)
class Row:
    method: str
    rouge1: float
    rouge2: float
    rougeLsum: float
    words: float


def summary_texts(document: Document, engine: str, count: int, style: Style, variant: Variant) -> list[str]:
    """The shown texts of one summary made as make_summary makes it, with the variant's parts."""
    scorer = get_engine(engine)
    length = Length.sentences(count)
    budget = budget_for(length, style, sentence_count=len(document.sentences), reading_wpm=230)
    points = expected_sentences(budget, document)
    scores = scorer.score(document, style, sentences=points)
    shown = ShownSentences(
        document, compress=variant.compress, trim=scorer.info.trim_datelines, points=points, style=style
    )
    units = (
        Units(
            key_points=True,
            headline=style is Style.HEADLINE,
            title=document.article.title,
            resolve_pronouns=variant.resolve,
        )
        if variant.units
        else NO_UNITS
    )
    chosen = select_sentences(
        document,
        scores,
        budget,
        remove_redundancy=scorer.info.remove_redundancy,
        shown=shown.text,
        units=units,
    )
    return [shown.text(i) for i in chosen]


def run_set(
    rows: list[EvalRow], engine: str, count: int, style: Style, variants: tuple[Variant, ...] = VARIANTS
) -> list[Row]:
    scorer = make_scorer(dataset_language(rows))
    documents = [prepare(row.article) for row in rows]
    out = []
    for variant in variants:
        totals = np.zeros(4)
        for row, document in zip(rows, documents, strict=True):
            prediction = "\n".join(summary_texts(document, engine, count, style, variant))
            scores = score_summary(scorer, row.reference, prediction)
            totals += (scores.rouge1, scores.rouge2, scores.rougeLsum, len(prediction.split()))
        out.append(Row(variant.name, *(totals / len(rows)).tolist()))
    return out


def compress_speed(documents: list[Document]) -> float:
    """Sentences compressed per second (every sentence of every article)."""
    count = sum(len(d.sentences) for d in documents)
    started = time.perf_counter()
    for document in documents:
        for sentence in document.sentences:
            compress(sentence.text, language=document.language, offset=sentence.start)
    return count / (time.perf_counter() - started)


def write_meaning_read(rows: list[EvalRow], path: Path, count: int = 100, seed: int = 14) -> None:
    """Key points of the default pipeline from which something was removed, ``count`` of them drawn with a
    fixed seed: the original sentence, the shown text and each removed piece with its reason."""
    points = []
    for row in rows:
        summary = summarize_article(row.article, length=Length.sentences(3))
        text = row.article.text
        points.extend((row.id, text[s.start : s.end], s) for s in summary.sentences if s.removed)
    chosen = sorted(random.Random(seed).sample(range(len(points)), min(count, len(points))))
    lines = [
        f"{COMPRESSOR}: {len(chosen)} of {len(points)} compressed key points of {len(rows)} CNN dev "
        f"summaries (newsbrief.v3, 3 key points), seed {seed}",
        "",
    ]
    for number, position in enumerate(chosen, 1):
        article_id, original, sentence = points[position]
        lines += [f"[{number}] {article_id} sentence {sentence.index}", f"ORIGINAL: {original}"]
        lines.append(f"SHOWN:    {sentence.text}")
        lines += [f"REMOVED ({piece.reason}): {piece.text}" for piece in sentence.removed]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {path}: {len(chosen)} of {len(points)} compressed key points")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="newsbrief.v3")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--sets", nargs="*", help="dev set file names (default: all five)")
    parser.add_argument("--variants", nargs="*", help="variant names (default: all)")
    parser.add_argument(
        "--meaning-read",
        metavar="PATH",
        help="write 100 compressed CNN dev key points (seed 14) for a human meaning review, and stop",
    )
    parser.add_argument(
        "--train",
        action="store_true",
        help="run on train/cnndm-val.jsonl (3 key points) instead: for choosing between variants",
    )
    args = parser.parse_args()
    data = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data")) / "summ"
    if args.meaning_read:
        write_meaning_read(read_eval_rows(data / "cnndm-dev.jsonl"), Path(args.meaning_read))
        return
    print(f"compressor {COMPRESSOR}, engine {args.engine}")
    print("| set | method | R-1 | R-2 | R-Lsum | words/summary |")
    print("|---|---|---|---|---|---|")
    cnn: list[Document] = []
    sets = SETS
    if args.train:
        data = data.parent / "train"
        sets = (("cnndm-val.jsonl", 3, Style.BULLETS),)
    for name, count, style in sets:
        if args.sets and name not in args.sets:
            continue
        rows = read_eval_rows(data / name, limit=args.limit)
        if name.startswith("cnndm"):
            cnn = [prepare(row.article) for row in rows]
        variants = tuple(v for v in VARIANTS if not args.variants or v.name in args.variants)
        for result in run_set(rows, args.engine, count, style, variants):
            print(
                f"| {name} ({len(rows)}), {count} | {result.method} | {result.rouge1:.2f} | "
                f"{result.rouge2:.2f} | {result.rougeLsum:.2f} | {result.words:.1f} |"
            )
        sys.stdout.flush()
    if cnn:
        print(f"compress(): {compress_speed(cnn):,.0f} sentences/s (every sentence of the CNN dev articles)")


if __name__ == "__main__":
    main()
