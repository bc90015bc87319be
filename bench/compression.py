"""Sentence compression (compression.py) on the dev sets: ROUGE of newsbrief.v3's chosen sentences before and
after compression, words per summary, compress() speed, and two selection variants that know compression.

    NEWSBRIEF_DATA=../shared/data .venv/bin/python -m bench.compression [--show N]

Rows per dev set:
- ``v3``: the sentences newsbrief.v3 chooses, as the pipeline shows them (what ``newsbrief eval`` scores);
- ``v3 + compress``: the same sentences, compressed;
- ``aware``: selection with compression in mind: each sentence's length prior counts its compressed length
  (the v3 prior is a penalty per word, so a sentence with deletable asides is not penalised for them), and
  the shared redundancy check runs on what is shown;
- ``aware + trigram``: the same, and a sentence sharing a word trigram with a chosen one is skipped.
Dev sets are for reporting only: nothing here is tuned on them.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newsbrief.compression import COMPRESSOR, Compressed, compress
from newsbrief.engines import get_engine
from newsbrief.engines.features import FEATURE_NAMES
from newsbrief.engines.newsbrief_v3 import load_model
from newsbrief.eval.rouge import make_scorer, score_summary
from newsbrief.eval.runner import EvalRow, dataset_language, read_eval_rows
from newsbrief.models import Document, Length, Style
from newsbrief.pipeline import prepare
from newsbrief.selection import REDUNDANCY_OVERLAP, Budget, budget_for, select_sentences
from newsbrief.text.tokens import content_terms, words
from newsbrief.text.trim import dateline_length

SETS = (
    ("cnndm-dev.jsonl", 3, Style.BULLETS),
    ("dm-frank-dev.jsonl", 3, Style.BULLETS),
    ("xsum-dev.jsonl", 1, Style.HEADLINE),
    ("orangesum-fr-dev.jsonl", 2, Style.BULLETS),
    ("bbc-dev.jsonl", 8, Style.BULLETS),
)
_WORDS = FEATURE_NAMES.index("words")
_WORDS_CAP = 60


@dataclass(frozen=True)
class Row:
    method: str
    rouge1: float
    rouge2: float
    rougeLsum: float
    words: float


Selector = Callable[[Document, list[Compressed], int, Style], list[int]]


def plain(document: Document, shown: list[Compressed], count: int, style: Style) -> list[int]:
    budget = budget_for(
        Length.sentences(count), style, sentence_count=len(document.sentences), reading_wpm=230
    )
    scores = get_engine("newsbrief.v3").score(document, style, sentences=count)
    return select_sentences(document, scores, budget)


def aware(trigram_blocking: bool) -> Selector:
    def select(document: Document, shown: list[Compressed], count: int, style: Style) -> list[int]:
        scores = get_engine("newsbrief.v3").score(document, style, sentences=count)
        model = load_model()
        style_name = "headline" if style is Style.HEADLINE else "bullets"
        fade = min(1.0, model.prior_sentences / max(1, count))
        prior = fade * model.length_priors[style_name]
        compressed_words = np.array([min(c.word_count, _WORDS_CAP) / _WORDS_CAP for c in shown])
        # Give back the length prior for the words compression removes.
        adjusted = np.asarray(scores.scores) + prior * (scores.feature_rows[:, _WORDS] - compressed_words)
        budget = Budget(sentences=1 if style is Style.HEADLINE else count)
        return _greedy(document, shown, adjusted, budget, trigram_blocking)

    return select


def _greedy(
    document: Document, shown: list[Compressed], scores: np.ndarray, budget: Budget, trigram_blocking: bool
) -> list[int]:
    chosen: list[int] = []
    chosen_terms: list[set[str]] = []
    chosen_trigrams: set[tuple[str, ...]] = set()
    for index in sorted(range(len(shown)), key=lambda i: (-scores[i], i)):
        if len(chosen) >= budget.sentences:
            break
        text = shown[index].text
        if not any(char.isalpha() for char in text):
            continue
        terms = set(content_terms(text, document.language))
        if any(_overlap(terms, other) > REDUNDANCY_OVERLAP for other in chosen_terms):
            continue
        tokens = words(text)
        trigrams = set(zip(tokens, tokens[1:], tokens[2:], strict=False))
        if trigram_blocking and trigrams & chosen_trigrams:
            continue
        chosen.append(index)
        chosen_terms.append(terms)
        chosen_trigrams |= trigrams
    return sorted(chosen)


def _overlap(terms: set[str], other: set[str]) -> float:
    if not terms or not other:
        return 0.0
    return len(terms & other) / min(len(terms), len(other))


def run_set(rows: list[EvalRow], count: int, style: Style) -> tuple[list[Row], float]:
    language = dataset_language(rows)
    scorer = make_scorer(language)
    documents = [prepare(row.article) for row in rows]
    sentences_timed = 0
    seconds = 0.0
    shown_all: list[list[Compressed]] = []
    for document in documents:
        started = time.perf_counter()
        shown_all.append(
            [compress(s.text, language=document.language, offset=s.start) for s in document.sentences]
        )
        seconds += time.perf_counter() - started
        sentences_timed += len(document.sentences)
    methods: list[tuple[str, Selector, bool]] = [
        ("v3", plain, False),
        ("v3 + compress", plain, True),
        ("aware", aware(False), True),
        ("aware + trigram", aware(True), True),
    ]
    out = []
    for name, selector, compressed in methods:
        totals = np.zeros(4)
        for row, document, shown in zip(rows, documents, shown_all, strict=True):
            chosen = selector(document, shown, count, style)
            if compressed:
                texts = [shown[i].text for i in chosen]
            else:  # what the pipeline shows today: datelines trimmed
                texts = [
                    document.sentences[i].text[dateline_length(document.sentences[i].text) :] for i in chosen
                ]
            prediction = "\n".join(texts)
            scores = score_summary(scorer, row.reference, prediction)
            totals += (scores.rouge1, scores.rouge2, scores.rougeLsum, len(prediction.split()))
        mean = totals / len(rows)
        out.append(Row(name, *mean.tolist()))
    return out, sentences_timed / seconds


def main() -> None:
    data = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data")) / "summ"
    print(f"compressor {COMPRESSOR}")
    print("| set | method | R-1 | R-2 | R-Lsum | words/summary |")
    print("|---|---|---|---|---|---|")
    speeds = []
    for name, count, style in SETS:
        rows = read_eval_rows(data / name)
        results, speed = run_set(rows, count, style)
        speeds.append((name, speed))
        for result in results:
            print(
                f"| {name} ({len(rows)}), {count} | {result.method} | {result.rouge1:.2f} | "
                f"{result.rouge2:.2f} | {result.rougeLsum:.2f} | {result.words:.1f} |"
            )
        sys.stdout.flush()
    for name, speed in speeds:
        print(f"compress(): {speed:,.0f} sentences/s on {name} (every sentence of every article)")


if __name__ == "__main__":
    main()
