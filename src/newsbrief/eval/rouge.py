"""ROUGE with rouge-score, set up as in ../shared/data/summ/BASELINES.md.

English: the package's default tokenizer with the Porter stemmer. Other languages: a Unicode word
tokenizer (``\\w+``, lowercased) and no stemmer, because the default tokenizer drops accented letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rouge_score import rouge_scorer

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
_UNICODE_WORD = re.compile(r"\w+", re.UNICODE)


class UnicodeTokenizer:
    """Lowercased ``\\w+`` words: keeps accented and non-Latin letters whole."""

    def tokenize(self, text: str) -> list[str]:
        return _UNICODE_WORD.findall(text.lower())


@dataclass(frozen=True, slots=True)
class RougeScores:
    """F1 x 100 for one summary."""

    rouge1: float
    rouge2: float
    rougeLsum: float  # the metric's published name


def make_scorer(language: str | None) -> rouge_scorer.RougeScorer:
    """The scorer for a dataset in ``language`` (None or "en": English settings)."""
    if language in (None, "en"):
        return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=False, tokenizer=UnicodeTokenizer())


def score_summary(scorer: rouge_scorer.RougeScorer, reference: str, prediction: str) -> RougeScores:
    """ROUGE of one prediction; both sides carry one sentence per line (what rougeLsum splits on)."""
    result = scorer.score(reference, prediction)
    return RougeScores(*(100 * result[name].fmeasure for name in ROUGE_TYPES))
