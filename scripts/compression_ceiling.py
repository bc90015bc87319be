"""The ceiling of compression on a dataset: what a deleter that reads the reference could reach.

    NEWSBRIEF_DATA=../shared/data .venv/bin/python scripts/compression_ceiling.py \
        ../shared/data/summ/cnndm-dev.jsonl 3 [bullets|headline]

The pipeline chooses its sentences as it does by default, with compression off; then, sentence by sentence,
a greedy oracle deletes each candidate piece (compression.candidates) whose deletion raises the summary's
ROUGE-1 + ROUGE-2 F1 against the reference. Three rows: no optional deletion (page furniture only), the
oracle over the pieces the safety rules allow (compression.is_safe), and the oracle over every candidate,
vetoes ignored. Evaluation only: the reference is read to measure a ceiling, as BASELINES.md's oracle rows
do; nothing is chosen on it.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rouge_score import rouge_scorer

# compression.choose's own rules for what is left, so the oracle deletes only what the compressor could.
from newsbrief.compression import (
    ALWAYS,
    MIN_KEPT_WORDS,
    Candidate,
    _overlaps,
    _still_a_sentence,
    assemble,
    candidates,
    is_safe,
    join_pieces,
)
from newsbrief.eval.rouge import make_scorer, score_summary
from newsbrief.eval.runner import read_eval_rows
from newsbrief.models import Length, Style
from newsbrief.pipeline import summarize_article

Ngrams = Counter[tuple[str, ...]]
Allowed = Callable[[str, Candidate], bool]
_TOKENIZE = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)._tokenizer.tokenize


def _ngrams(tokens: list[str], n: int) -> Ngrams:
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))


def _rouge12(sentences: list[str], reference: tuple[Ngrams, Ngrams]) -> float:
    tokens = [token for sentence in sentences for token in _TOKENIZE(sentence)]
    total = 0.0
    for n, wanted in enumerate(reference, start=1):
        ours = _ngrams(tokens, n)
        overlap, predicted, expected = sum((ours & wanted).values()), sum(ours.values()), sum(wanted.values())
        if overlap:
            precision, recall = overlap / predicted, overlap / expected
            total += 2 * precision * recall / (precision + recall)
    return total


def _reads_as_sentence(text: str, chosen: list[Candidate]) -> bool:
    """What is left keeps MIN_KEPT_WORDS words and reads as a sentence (as compression.choose requires)."""
    return len(assemble(text, chosen, 0).text.split()) >= MIN_KEPT_WORDS and _still_a_sentence(text, chosen)


def oracle(sentences: list[str], reference: str, allowed: Allowed | None) -> list[str]:
    """The sentences after greedy reference-guided deletion (``allowed`` None: page furniture only)."""
    wanted = _TOKENIZE(reference)
    target = (_ngrams(wanted, 1), _ngrams(wanted, 2))
    shown = list(sentences)
    for index, text in enumerate(sentences):
        found = candidates(text, "en")
        picked = [c for c in found if c.reason in ALWAYS]
        shown[index] = assemble(text, picked, 0).text
        if allowed is None:
            continue
        for candidate in found:
            if candidate.reason in ALWAYS or not allowed(text, candidate):
                continue
            if any(_overlaps(candidate, other) for other in picked):
                continue
            trial = sorted([*picked, candidate], key=lambda c: c.start)
            if not _reads_as_sentence(text, trial):
                continue
            option = [*shown[:index], assemble(text, trial, 0).text, *shown[index + 1 :]]
            if _rouge12(option, target) > _rouge12(shown, target):
                picked, shown = trial, option
    return shown


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    path, points = Path(sys.argv[1]), int(sys.argv[2])
    style = Style(sys.argv[3]) if len(sys.argv) == 4 else Style.BULLETS
    rows = read_eval_rows(path)
    scorer = make_scorer("en")
    variants: dict[str, Allowed | None] = {
        "no optional deletion": None,
        "oracle, safe pieces": lambda text, c: is_safe(text, c, "en"),
        "oracle, every candidate": lambda text, c: True,
    }
    totals = {name: [0.0, 0.0, 0.0, 0.0] for name in variants}
    for row in rows:
        summary = summarize_article(row.article, length=Length.sentences(points), style=style, compress=False)
        chosen = [sentence.text for sentence in summary.sentences]
        for name, allowed in variants.items():
            shown = oracle(chosen, row.reference, allowed)
            scores = score_summary(scorer, row.reference, "\n".join(shown))
            words = float(len(join_pieces(shown).split()))
            for slot, value in enumerate((scores.rouge1, scores.rouge2, scores.rougeLsum, words)):
                totals[name][slot] += value
    for name, total in totals.items():
        r1, r2, rl, words = (value / len(rows) for value in total)
        print(f"{path.name} {name}: {r1:.2f} / {r2:.2f} / {rl:.2f}, {words:.1f} words")


if __name__ == "__main__":
    main()
